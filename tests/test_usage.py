"""Which ontology terms the checks (rules, city shapes, queries) use: every term a check names exists, and
``sscrdf info --usage`` lists the knowledge no check puts to work. Also the README's usage against the software
(end of the file): its list of commands, their options, the options and files its examples use, the limits of
``serve``, the validation JSON it shows, and the counts it states that drift when the software grows."""

from __future__ import annotations

import json
import re
from dataclasses import fields

import click
from click.testing import CliRunner

from sscrdf.authoring.usage import checks, named_terms, undeclared_named_terms, unused_terms, used_terms
from sscrdf.cli import cli
from sscrdf.knowledge.ontology import declared_terms
from sscrdf.server.bounded import ENV, Limits

from .conftest import EXAMPLES, ROOT

SSC = "https://w3id.org/sscrdf/ontology#"


def test_every_term_a_rule_shape_or_query_names_is_declared():
    assert {c.kind for c in checks()} == {"rule", "query", "shape"}
    assert undeclared_named_terms() == {}
    assert named_terms() <= declared_terms()


def test_knowledge_the_checks_read_counts_as_used():
    used = used_terms()
    for local in (
        "High",
        "neededFor",
        "municipalCounterpart",
        "typicalAim",
        "typicalPotential",
        "technologyRole",
        "onionLayer",
        "OwnerMapping",
        "CitizensOwnerMapping",
        "DeploySmartGrids",
        "Interaction",
        "FeedbackGiven",
        "CityPlatform",
        "ManageIntegratedCityPlatform",
    ):
        assert SSC + local in used, local


def test_knowledge_no_check_reads_is_listed():
    unused = unused_terms()
    assert set(unused) <= declared_terms() and unused == sorted(unused)
    for local in ("MethodStep", "EngagementQuality", "GuidingPrinciple"):
        assert SSC + local in unused, local
    assert SSC + "High" not in unused and SSC + "EngagementLevels" not in unused  # schemes are left out


def test_info_usage_command():
    runner = CliRunner()
    r = runner.invoke(cli, ["info", "--usage"])
    assert r.exit_code == 0, r.output
    assert "method step  [ssc:MethodStep]" in r.output and r.output.startswith(f"{len(unused_terms())} of ")
    r = runner.invoke(cli, ["info", "--usage", "--format", "json"])
    data = json.loads(r.output)
    assert [u["term"] for u in data["unused"]] == unused_terms() and data["declared"] == len(declared_terms())


# ------------------------------------------------------------------------------------------- the README


def _readme() -> str:
    return (ROOT / "README.md").read_text(encoding="utf-8")


def _section(heading: str) -> str:
    """The README's lines from ``heading`` (a whole line) to the next heading of the same or a higher level (a
    line of a code block is no heading)."""
    lines = _readme().splitlines()
    start = lines.index(heading)
    level = len(heading.split(" ", 1)[0])
    fenced = False
    for i in range(start + 1, len(lines)):
        fenced ^= lines[i].startswith("```")
        if not fenced and re.match(rf"#{{1,{level}}} ", lines[i]):
            return "\n".join(lines[start:i])
    return "\n".join(lines[start:])


def _commands(group: click.Group = cli, path: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


def test_readme_lists_every_command():
    """Each command has a row of its own in the table of "The commands" (some have more, one per way of use)."""
    rows = [ln for ln in _section("## The commands").splitlines() if ln.startswith("| `sscrdf ")]
    named = {m.group(1) for ln in rows if (m := re.match(r"\| `sscrdf ((?:ontology )?[a-z]+)", ln))}
    assert named == {name for name, _ in _commands()}


def test_readme_names_every_option():
    """Every option of every command appears in the README, by one of its names (``-o`` for ``--output``)."""
    readme = _readme()

    def named(param: click.Parameter) -> bool:
        return any(re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])", readme) for o in param.opts)

    options = [(f"sscrdf {name}", p) for name, command in _commands() for p in command.params]
    options += [("sscrdf", p) for p in cli.params]
    missing = [f"{where} {p.opts[0]}" for where, p in options if isinstance(p, click.Option) and not named(p)]
    assert missing == []


def test_readme_limits_table_is_the_serve_limits():
    """Each limit of ``serve`` has its row under "Limits and safety": its flag, its variable and its default."""
    rows = [ln for ln in _section("## Limits and safety").splitlines() if "SSCRDF_SERVE_" in ln]
    assert len(rows) == len(fields(Limits))
    defaults = Limits()
    for f in fields(Limits):
        flag = "--" + f.name.replace("_", "-")
        (row,) = [ln for ln in rows if f"`{ENV[f.name]}`" in ln]
        assert f"`{flag}`" in row, (flag, row)
        value = getattr(defaults, f.name)
        if f.name == "max_body":
            value, shown = value >> 20, f"{value >> 20} MiB"
            assert value << 20 == defaults.max_body
        else:
            shown = f"{value:,}" if isinstance(value, int) else f"{value:g} s"
        default = row.split("|")[2]
        assert re.search(r"(?<![\d,.])" + re.escape(shown) + r"(?![\d]|[,.]\d)", default), (f.name, shown, default)


def test_readme_validation_json_is_lakesides():
    """The JSON shown under "validate" is Lakeside's report: its fields, its counts, and one of its results (the
    message cut short with an ellipsis)."""
    shown = json.loads(_section("### `validate`").split("```json\n", 1)[1].split("```", 1)[0])
    r = CliRunner().invoke(cli, ["validate", str(EXAMPLES / "lakeside.ttl"), "--format", "json"])
    assert r.exit_code == 0, r.output
    real = json.loads(r.output)
    (shown_city,), (real_city,) = shown["cities"], real["cities"]
    assert {k: v for k, v in shown.items() if k != "cities"} == {k: v for k, v in real.items() if k != "cities"}
    assert {k: v for k, v in shown_city.items() if k != "results"} == {
        k: v for k, v in real_city.items() if k != "results"
    }
    (result,) = shown_city["results"]
    prefix = result.pop("message").removesuffix("…").rstrip()
    assert any(
        r["message"].startswith(prefix) and {k: v for k, v in r.items() if k != "message"} == result
        for r in real_city["results"]
    )


def test_readme_counts_the_corpus_cases():
    (stated,) = re.findall(r"holds (\d+) bad inputs", _readme())
    cases = json.loads((ROOT / "tests" / "corpus" / "cases.json").read_text(encoding="utf-8"))
    assert int(stated) == len(cases)


def _readme_command_lines() -> list[str]:
    """Every ``sscrdf ...`` line of the README's sh blocks, continuation lines joined, comments cut off."""
    lines, fenced, cont = [], False, ""
    for line in _readme().splitlines():
        if line.startswith("```"):
            fenced = line.strip() == "```sh"
            continue
        if not fenced:
            continue
        line = cont + line.strip()
        cont = ""
        if line.endswith("\\"):
            cont = line[:-1] + " "
            continue
        if line.startswith("sscrdf "):
            lines.append(line)
    return lines


def test_readme_examples_use_real_commands_options_and_examples():
    """The options of every ``sscrdf`` example in the README's sh blocks are options of its command, and the
    example files it names exist."""
    import shlex

    commands = dict(_commands())
    lines = _readme_command_lines()
    assert len(lines) > 30
    for line in lines:
        words = shlex.split(line, comments=True)[1:]
        while words[0].startswith("-"):  # options of sscrdf itself, before the command
            assert words.pop(0) in {o for p in cli.params for o in p.opts}, line
        name = " ".join(words[:2]) if words[0] == "ontology" else words[0]
        command = commands[name]
        known = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help", "-h"}
        for word in words[len(name.split()) :]:
            if word.startswith("-") and word != "-":
                assert word.split("=", 1)[0] in known, (line, word)
            elif word.startswith("examples/"):
                assert (ROOT / word).exists(), (line, word)
