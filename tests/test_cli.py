"""CliRunner tests for validate, infer, analyze, queries and query: every format, every exit code, bad input."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.namespace import SH

from .conftest import EXAMPLES, FIXTURES

RIVERTON = str(EXAMPLES / "riverton.ttl")
LAKESIDE = str(EXAMPLES / "lakeside.ttl")
AS_OF = "2026-11-21"


def run(runner, cli, *args):
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


# ----------------------------------------------------------------------------------------- validate


def test_validate_text_groups_by_stakeholder_and_summarises(runner, cli):
    r = run(runner, cli, "validate", LAKESIDE)
    assert r.exit_code == 0, r.output  # warnings only: below the default --fail-on violation
    assert "== Lakeside" in r.output
    assert "-- Lakeside (https://example.org/lakeside/city)" in r.output  # register-level results under the city
    assert "WARNING" in r.output and "(Y Suppl. 34, clause 3.1; Y Suppl. 34, clause 5.6)" in r.output
    assert r.output.rstrip().endswith("0 violations, 25 warnings, 11 infos")


@pytest.mark.parametrize("fail_on,code", [("violation", 0), ("warning", 1), ("info", 1)])
def test_validate_fail_on(runner, cli, fail_on, code):
    assert run(runner, cli, "validate", LAKESIDE, "--fail-on", fail_on).exit_code == code


def test_validate_riverton_fails_only_on_info(runner, cli):
    assert run(runner, cli, "validate", RIVERTON, "--fail-on", "warning").exit_code == 0
    assert run(runner, cli, "validate", RIVERTON, "--fail-on", "info").exit_code == 1


def test_validate_violation_exits_1(runner, cli):
    fixture = FIXTURES / "shapes" / "AssessmentPowerLevelValueShape.neg.ttl"
    r = run(runner, cli, "validate", fixture)
    assert r.exit_code == 1
    assert "VIOLATION" in r.output


def test_validate_json_schema(runner, cli):
    r = run(runner, cli, "validate", LAKESIDE, "--format", "json")
    data = json.loads(r.output)
    assert data["schema"] == "https://w3id.org/sscrdf/schema/validation/1"
    assert data["summary"] == {"violation": 0, "warning": 25, "info": 11}
    assert data["conforms"] is False and data["failed"] is False and data["failOn"] == "violation"
    city = data["cities"][0]
    assert city["cities"] == ["https://example.org/lakeside/city"] and city["label"] == "Lakeside"
    res = city["results"][0]
    assert set(res) == {"severity", "focus", "focusLabel", "path", "value", "message", "shape", "component", "clause"}
    assert all(r["clause"] and r["clause"].startswith(("Y Suppl. 34", "FG-SSC Master Plan")) for r in city["results"])


def test_validate_ttl_is_a_standard_report(runner, cli):
    r = run(runner, cli, "validate", LAKESIDE, "--format", "ttl")
    g = Graph().parse(data=r.output, format="turtle")
    reports = list(g.subjects(None, SH.ValidationReport))
    assert len(reports) == 1
    assert len(list(g.objects(reports[0], SH.result))) == 36
    # the CLI's report keeps what the shapes say: complex paths copied as structures, messages with their @en
    # (the shapes graph was lost on the way through the API, so both were missing)
    paths = [g.value(res, SH.resultPath) for res in g.objects(reports[0], SH.result)]
    assert any(g.value(p, SH.inversePath) is not None for p in paths if p is not None)
    assert any(m.language == "en" for m in g.objects(None, SH.resultMessage))


def test_validate_md(runner, cli):
    r = run(runner, cli, "validate", LAKESIDE, "--format", "md")
    assert r.output.startswith("# Stakeholder register validation")
    assert "| Severity | Subject | Message | Value | Clause |" in r.output


def test_validate_writes_output_atomically(runner, cli, tmp_path):
    out = tmp_path / "report.json"
    r = run(runner, cli, "validate", LAKESIDE, "--format", "json", "-o", out)
    assert r.exit_code == 0 and r.output == ""
    assert json.loads(out.read_text())["summary"]["warning"] == 25
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary file left behind


def test_validate_dataset_city_by_city(runner, cli, tmp_path):
    store = ox.Store()
    for name in ("riverton", "lakeside"):
        g = ox.NamedNode(f"https://example.org/graph/{name}")
        store.load(path=str(EXAMPLES / f"{name}.ttl"), format=ox.RdfFormat.TURTLE, to_graph=g)
    trig = tmp_path / "cities.trig"
    store.dump(str(trig), format=ox.RdfFormat.TRIG)
    r = run(runner, cli, "validate", trig, "--format", "json")
    data = json.loads(r.output)
    by_graph = {c["graph"]: c for c in data["cities"]}
    assert by_graph["https://example.org/graph/lakeside"]["summary"] == {"violation": 0, "warning": 25, "info": 11}
    assert by_graph["https://example.org/graph/riverton"]["summary"] == {"violation": 0, "warning": 0, "info": 3}
    assert by_graph["https://example.org/graph/riverton"]["label"] == "Riverton"


def test_validate_merges_several_files(runner, cli):
    data = json.loads(run(runner, cli, "validate", RIVERTON, LAKESIDE, "--format", "json").output)
    assert data["summary"]["warning"] >= 25
    assert data["cities"][0]["cities"] == ["https://example.org/lakeside/city", "https://example.org/riverton/city"]


def test_validate_extra_shapes(runner, cli, tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text("""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ssc: <https://w3id.org/sscrdf/ontology#> .
@prefix ex: <https://example.org/extra#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:CityHasCommentShape a sh:NodeShape ; sh:targetClass ssc:City ; sh:severity sh:Violation ;
    sh:property [ sh:path rdfs:comment ; sh:minCount 1 ; sh:message "A city needs a description." ] .
""")
    r = run(runner, cli, "validate", RIVERTON, "--shapes", extra)
    assert r.exit_code == 1
    assert "A city needs a description." in r.output


@pytest.mark.parametrize("engine", ["fast", pytest.param("pyshacl", marks=pytest.mark.slow)])  # pySHACL: reference
def test_validate_engines_agree_on_the_cli(runner, cli, engine):
    r = run(runner, cli, "validate", LAKESIDE, "--engine", engine, "--format", "json")
    assert json.loads(r.output)["summary"] == {"violation": 0, "warning": 25, "info": 11}


def test_validate_csv_register(runner, cli):
    r = run(runner, cli, "validate", EXAMPLES / "csv" / "riverton-register.csv", "--format", "json")
    assert r.exit_code in (0, 1)
    assert json.loads(r.output)["schema"].endswith("/validation/1")


# ----------------------------------------------------------------------------------------- bad input

BAD = {
    "syntax.ttl": ('@prefix ex: <http://e/> .\nex:a ex:b "unterminated .\n', ["syntax.ttl:2"]),
    "empty.ttl": ("", ["contains no triples"]),
    "unknown.ttl": (
        "@prefix ssc: <https://w3id.org/sscrdf/ontology#> .\n\n<http://e/m> a ssc:Municipalty .\n",
        ["unknown.ttl:3", "ssc:Municipalty", "did you mean ssc:Municipality"],
    ),
    "level.ttl": (
        "@prefix ssc: <https://w3id.org/sscrdf/ontology#> .\n<http://e/a> ssc:currentLevel ssc:Resistent .\n",
        ["ssc:Resistent", "ssc:Resistant"],
    ),
    "remote.jsonld": (
        '{"@context": "https://schema.org/", "@id": "http://e/a", "name": "x"}',
        ["https://schema.org/", "remote"],
    ),
    "register.xlsx": ("not a spreadsheet", ["not a readable XLSX workbook", ".xlsx"]),
    "xml.rdf": ("<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description>", ["xml.rdf"]),
}


@pytest.mark.parametrize("name", sorted(BAD))
@pytest.mark.parametrize("command", ["validate", "analyze", "infer"])
def test_bad_input_exits_2_with_one_line(runner, cli, tmp_path, name, command):
    text, expected = BAD[name]
    f = tmp_path / name
    f.write_text(text)
    r = runner.invoke(cli, [command, str(f)])
    assert r.exit_code == 2, r.output
    assert ("Traceback" not in r.output and r.exception is None) or isinstance(r.exception, SystemExit)
    err = r.output.strip()
    assert err.startswith("error: ") and "\n" not in err
    for word in expected:
        assert word in err, err


def test_missing_file_and_directory(runner, cli, tmp_path):
    r = runner.invoke(cli, ["validate", str(tmp_path / "nope.ttl")])
    assert r.exit_code == 2 and "nope.ttl" in r.output
    r = runner.invoke(cli, ["validate", str(tmp_path)])
    assert r.exit_code == 2 and "directory" in r.output


def test_too_large_file_is_refused_up_front(runner, cli, tmp_path, monkeypatch):
    f = tmp_path / "big.ttl"
    f.write_text("@prefix ex: <http://e/> .\n" + "ex:a ex:b ex:c .\n" * 200)
    monkeypatch.setenv("SSCRDF_MAX_INPUT_BYTES", "1000")
    r = runner.invoke(cli, ["validate", str(f)])
    assert r.exit_code == 2
    assert "MiB" in r.output and "big.ttl" in r.output


def test_forced_input_format(runner, cli, tmp_path):
    f = tmp_path / "register.txt"
    f.write_text((EXAMPLES / "lakeside.ttl").read_text())
    assert runner.invoke(cli, ["validate", str(f)]).exit_code == 2
    r = runner.invoke(cli, ["validate", str(f), "--input-format", "turtle", "--format", "json"])
    assert r.exit_code == 0 and json.loads(r.output)["summary"]["warning"] == 25


def test_bad_as_of_date(runner, cli):
    r = runner.invoke(cli, ["analyze", LAKESIDE, "--as-of", "21/11/2026"])
    assert r.exit_code == 2 and "YYYY-MM-DD" in r.output


def test_output_into_missing_folder(runner, cli, tmp_path):
    r = runner.invoke(cli, ["validate", LAKESIDE, "-o", str(tmp_path / "no" / "such" / "out.txt")])
    assert r.exit_code == 2 and "does not exist" in r.output


# ----------------------------------------------------------------------------------------- infer


def test_infer_trig_keeps_inferred_apart(runner, cli, tmp_path):
    out = tmp_path / "inferred.trig"
    r = run(runner, cli, "infer", LAKESIDE, "-o", out)
    assert r.exit_code == 0
    store = ox.Store()
    store.load(path=str(out), format=ox.RdfFormat.TRIG)
    graphs = {g.value for g in store.named_graphs()}
    assert graphs == {"https://w3id.org/sscrdf/graph/inferred"}
    asserted = {q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert asserted == {q.triple for q in ox.parse(path=LAKESIDE, format=ox.RdfFormat.TURTLE)}
    inferred = list(store.quads_for_pattern(None, None, None, ox.NamedNode("https://w3id.org/sscrdf/graph/inferred")))
    assert inferred
    t = ox.Triple(
        ox.NamedNode("https://example.org/lakeside/cityCloud"),
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("https://w3id.org/sscrdf/ontology#Stakeholder"),
    )
    assert t in {q.triple for q in inferred}


def test_infer_only_inferred_turtle(runner, cli):
    r = run(runner, cli, "infer", LAKESIDE, "--only-inferred", "--format", "ttl")
    g = Graph().parse(data=r.output, format="turtle")
    asserted = Graph().parse(LAKESIDE)
    assert len(g) > 0 and not (set(g) & set(asserted))


def test_infer_ttl_without_only_inferred_is_refused(runner, cli):
    r = runner.invoke(cli, ["infer", LAKESIDE, "--format", "ttl"])
    assert r.exit_code == 2 and "--only-inferred" in r.output


def test_infer_is_deterministic(runner, cli):
    a = run(runner, cli, "infer", LAKESIDE).output
    b = run(runner, cli, "infer", LAKESIDE).output
    assert a == b


# ----------------------------------------------------------------------------------------- analyze


@pytest.mark.parametrize("fmt", ["text", "md", "json", "ttl"])
def test_analyze_every_format(runner, cli, fmt):
    r = run(runner, cli, "analyze", LAKESIDE, "--format", fmt, "--as-of", AS_OF)
    assert r.exit_code == 0, r.output
    if fmt == "json":
        data = json.loads(r.output)
        assert data["schema"] == "https://w3id.org/sscrdf/schema/analysis/2" and data["asOf"] == AS_OF
        assert data["cities"][0]["summary"]["unitsMissing"] == 6
    elif fmt == "ttl":
        g = Graph().parse(data=r.output, format="turtle")
        assert len(list(g.subjects(None, None))) > 10
    elif fmt == "md":
        assert r.output.startswith("# Stakeholder analysis: Lakeside")
    else:
        assert "Completeness by category" in r.output and "Power/interest grid" in r.output


def test_analyze_text_sections(runner, cli):
    out = run(runner, cli, "analyze", RIVERTON, "--as-of", AS_OF).output
    for section in (
        "Completeness by category",
        "Completeness by municipal unit",
        "Power/interest grid",
        "Engagement gaps",
        "Engagement plan",
        "What to act on",
        "Gaps the city can fill (",
        "Overlaps (",
        "Risks (",
        "Questions to ask and advice (",
        "Register checks (",
    ):
        assert section in out, section
    assert "water and sanitation unit               delegated" in out


# ----------------------------------------------------------------------------------------- queries


def test_queries_lists_every_query(runner, cli):
    r = run(runner, cli, "queries")
    for q in ("missing-categories", "cities-without-cert", "table-i1-profile", "findings"):
        assert q in r.output
    data = json.loads(run(runner, cli, "queries", "--format", "json").output)
    assert all({"id", "question", "clause", "columns"} <= set(q) for q in data)


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_query_formats(runner, cli, fmt):
    r = run(runner, cli, "query", "missing-categories", LAKESIDE, "--format", fmt)
    assert r.exit_code == 0
    if fmt == "json":
        rows = json.loads(r.output)["rows"]
        assert {row["categoryLabel"] for row in rows} == {
            "non-governmental organization",
            "citizen or citizen organization",
            "standards developing organization",
            "academia, research organization or specialized body",
            "international, regional or multilateral organization",
        }
    elif fmt == "csv":
        assert r.output.splitlines()[0] == "city,category,categoryLabel"
        assert len(r.output.splitlines()) == 6
    else:
        assert "(5 rows)" in r.output


def test_query_file_and_unknown_name(runner, cli, tmp_path):
    q = tmp_path / "mine.rq"
    q.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/sscrdf/ontology#City> }")
    r = run(runner, cli, "query", q, LAKESIDE, "--format", "csv")
    assert r.output.splitlines() == ["n", "1"]
    r = runner.invoke(cli, ["query", "missing-categorie", LAKESIDE])
    assert r.exit_code == 2 and "did you mean 'missing-categories'" in r.output


def test_query_needs_files_or_endpoint(runner, cli):
    assert runner.invoke(cli, ["query", "findings"]).exit_code == 2
    assert runner.invoke(cli, ["query", "findings", LAKESIDE, "--endpoint", "http://127.0.0.1:9/q"]).exit_code == 2


def test_query_sees_rule_output_unless_no_rules(runner, cli):
    with_rules = json.loads(run(runner, cli, "query", "strategies", RIVERTON, "--format", "json").output)["rows"]
    without = json.loads(run(runner, cli, "query", "strategies", RIVERTON, "--format", "json", "--no-rules").output)
    assert len(with_rules) == 47 and without["rows"] == []


@pytest.mark.parametrize("command", ["validate", "infer", "analyze", "query", "queries", "info"])
def test_every_command_has_help(runner, cli, command):
    r = runner.invoke(cli, [command, "--help"])
    assert r.exit_code == 0 and "Usage:" in r.output


# ------------------------------------------------------------------------------------------- output formats


@pytest.mark.parametrize(
    ("args", "name", "starts"),
    [
        (["analyze", LAKESIDE, "--as-of", "2026-11-21"], "report.json", "{"),
        (["analyze", LAKESIDE, "--as-of", "2026-11-21"], "report.HTML", "<!DOCTYPE html>"),
        (["analyze", LAKESIDE, "--as-of", "2026-11-21"], "report.md", "# Stakeholder analysis: Lakeside"),
        (["analyze", LAKESIDE, "--as-of", "2026-11-21"], "report", "sscrdf analysis of Lakeside"),
        (["analyze", LAKESIDE, "--as-of", "2026-11-21", "--format", "text"], "report.out", "sscrdf analysis of"),
        (["validate", LAKESIDE], "results.md", "# Stakeholder register validation"),
        (["validate", LAKESIDE], "results.ttl", "@prefix"),
        (["query", "stakeholder-count", LAKESIDE], "count.csv", "city,cityLabel,stakeholders"),
        (["query", "stakeholder-count", LAKESIDE], "count.json", "{"),
        (["infer", LAKESIDE, "--only-inferred"], "inferred.nt", "<"),
    ],
)
def test_output_format_follows_the_file_extension(runner, cli, tmp_path, args, name, starts):
    """Without --format, -o FILE.json writes JSON, FILE.html the HTML report and so on; a file name without an
    extension, or an extension the command does not know given with --format, gets the format asked for."""
    out = tmp_path / name
    r = runner.invoke(cli, [*args, "-o", str(out)])
    assert r.exit_code in (0, 1), r.output
    assert out.read_text(encoding="utf-8").lstrip().startswith(starts)


@pytest.mark.parametrize(
    ("args", "name", "message"),
    [
        (
            ["analyze", LAKESIDE],
            "report.jsn",
            "the output file's extension .jsn names none of the formats this command writes — did you mean .json? "
            "Otherwise name the file *.txt, *.md, *.json, *.ttl, *.html, *.htm, or give --format",
        ),
        (
            ["analyze", LAKESIDE, "--format", "md"],
            "report.json",
            "--format md does not match the output file's extension .json — use --format json, or name the file *.md",
        ),
        (
            ["infer", LAKESIDE],
            "inferred.json",
            "the output file's extension .json names none of the formats this command writes — name the file "
            "*.trig, *.nq, *.ttl, *.nt, or give --format",
        ),
        (
            ["query", "stakeholder-count", LAKESIDE, "--format", "json"],
            "count.txt",
            "--format json does not match the output file's extension .txt — use --format table, or name the file "
            "*.json",
        ),
    ],
)
def test_output_extension_and_format_must_agree(runner, cli, tmp_path, args, name, message):
    out = tmp_path / name
    r = runner.invoke(cli, [*args, "-o", str(out)])
    assert r.exit_code == 2
    assert r.stderr == f"error: {out}: {message}\n"
    assert not list(tmp_path.iterdir())  # nothing written


def test_query_that_runs_too_long_is_stopped_with_one_line(tmp_path):
    """pyoxigraph cannot cancel a query; `sscrdf query` ends the process after --timeout seconds with one line and
    exit 2, and writes no output. (A separate process: the timer ends the whole process.)"""
    import os
    import subprocess
    import sys
    import time

    from .conftest import ROOT

    rq = tmp_path / "forever.rq"
    rq.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    args = [sys.executable, "-m", "sscrdf.cli", "query", str(rq), str(EXAMPLES / "riverton.ttl"), "--no-rules"]
    started = time.monotonic()
    res = subprocess.run([*args, "--timeout", "1", "-o", str(out)], capture_output=True, text=True, env=env, timeout=60)
    assert time.monotonic() - started < 30
    assert res.returncode == 2, res.stderr
    assert res.stderr == (
        f"error: {rq}: the query took longer than 1 s and was stopped — make it more selective, or allow more time "
        "with --timeout or SSCRDF_QUERY_TIMEOUT\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["forever.rq"]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--timeout", "inf"], {}, "error: --timeout inf is more than the 9223372036 s a timer can wait\n"),
        (
            [],
            {"SSCRDF_QUERY_TIMEOUT": "inf"},
            "error: SSCRDF_QUERY_TIMEOUT='inf' is not a number of seconds > 0 and <= 9223372036 — "
            "e.g. SSCRDF_QUERY_TIMEOUT=60\n",
        ),
    ],
)
def test_query_timeout_a_timer_cannot_hold_is_one_line(runner, cli, monkeypatch, args, env, message):
    """An infinite timeout made the timer thread fail with a traceback; it is refused before the query runs."""
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    r = runner.invoke(cli, ["query", "stakeholder-count", RIVERTON, *args])
    assert r.exit_code == 2
    assert r.stderr == message
