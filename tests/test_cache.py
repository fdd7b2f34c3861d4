"""The cache of what every run rebuilds from the data files (sscrdf/cache.py; README, "The cache"), and the
commands on the one-city path running without rdflib (README, "Conventions the tests enforce").

Each test starts sscrdf in new processes (the cache matters between processes) with a cache folder of its own."""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from sscrdf import cache

from .conftest import EXAMPLES, ROOT

pytestmark = (
    pytest.mark.slow
)  # each test runs whole CLI processes, cold and warm: the whole suite runs it, not the fast tier

RIVERTON = EXAMPLES / "riverton.ttl"
LAKESIDE = EXAMPLES / "lakeside.ttl"
#: the libraries the commands below must not load (README, "Conventions the tests enforce")
HEAVY = ("rdflib", "owlrl", "pyshacl", "SPARQLWrapper", "matplotlib", "openpyxl")
#: nor the sscrdf modules of other commands, which the API imports only when they are used (README "The package")
OTHER_COMMANDS = (
    "sscrdf.server",
    "sscrdf.authoring",
    "sscrdf.render.html",
    "sscrdf.io.register",
    "sscrdf.io.csvreg",
    "sscrdf.query.remote",
    "sscrdf.analysis.instore",
    "sscrdf.knowledge.docs",
)


def _env(cache_dir: Path | str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("SSCRDF_CACHE_DIR", "XDG_CACHE_HOME")}
    env["SSCRDF_CACHE_DIR"] = str(cache_dir)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _sscrdf(cache_dir: Path | str, *args: str | Path) -> subprocess.CompletedProcess[bytes]:
    """``sscrdf ARGS`` in a new process; the result (stdout as bytes)."""
    return subprocess.run(
        [sys.executable, "-m", "sscrdf.cli", *map(str, args)], capture_output=True, env=_env(cache_dir), timeout=120
    )


def _loaded_heavy(cache_dir: Path, *args: str | Path) -> list[str]:
    """The HEAVY libraries and the modules of OTHER_COMMANDS (and their submodules) loaded by the time ``sscrdf
    ARGS`` (run in a new process) returns."""
    other = tuple(m + suffix for m in OTHER_COMMANDS for suffix in ("", "."))
    code = (
        # the click group, not the console script's main(), which ends the process at once (cli._exit_at_once)
        "import sys\nfrom sscrdf.cli import cli\n"
        "try:\n    cli(prog_name='sscrdf')\nexcept SystemExit as e:\n    code = e.code\n"
        f"print('HEAVY', sorted(m for m in sys.modules if m in {HEAVY!r} or m.startswith({other!r})), code)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=_env(cache_dir), timeout=120
    )
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("HEAVY "))
    assert line.endswith((" 0", " 1")), (line, out.stderr)  # it ran: conforms (0) or found violations (1)
    return json.loads(line.split(" ", 1)[1].rsplit(" ", 1)[0].replace("'", '"'))  # type: ignore[no-any-return]


ANALYZE = ("analyze", RIVERTON, "--as-of", "2026-11-21", "--format", "json", "-o")


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(p for p in cache_dir.iterdir() if p.is_file())


@functools.cache
def _validate_off(example: Path) -> bytes:
    """``sscrdf validate EXAMPLE --format json`` without a cache (one process per example and test process: two
    tests compare with it)."""
    return _sscrdf("off", "validate", example, "--format", "json").stdout


@pytest.fixture(scope="module")
def cold_runs(tmp_path_factory):
    """For each example: a cache folder filled by one analysis (``ANALYZE``, a cold run) and that analysis (JSON
    bytes). Tests that write to the cache work on a copy of the folder."""
    out = {}
    for example in (RIVERTON, LAKESIDE):
        tmp = tmp_path_factory.mktemp("cold")
        assert _sscrdf(tmp / "cache", *ANALYZE[:1], example, *ANALYZE[2:], tmp / "cold.json").returncode == 0
        out[example] = tmp / "cache", (tmp / "cold.json").read_bytes()
    return out


@pytest.mark.parametrize("example", [RIVERTON, LAKESIDE], ids=["riverton", "lakeside"])
def test_a_warm_run_gives_the_bytes_of_a_cold_one(tmp_path, example, cold_runs):
    args = (*ANALYZE[:1], example, *ANALYZE[2:])
    off, warm = tmp_path / "off.json", tmp_path / "warm.json"
    cache_dir = tmp_path / "cache"
    shutil.copytree(cold_runs[example][0], cache_dir)  # what the cold run wrote
    cold = cold_runs[example][1]
    assert _sscrdf("off", *args, off).returncode == 0
    written = _entries(cache_dir)
    kinds = {"shapes", "concerns", "closure", "labels", "declared", "rules"}
    assert {p.name.split("-", 1)[0] for p in written} == kinds
    assert _sscrdf(cache_dir, *args, warm).returncode == 0
    assert _entries(cache_dir) == written  # the warm run read them and wrote nothing new
    assert cold == off.read_bytes()
    assert warm.read_bytes() == cold
    cold_v, warm_v = (_sscrdf(cache_dir, "validate", example, "--format", fmt) for fmt in ("json", "json"))
    assert cold_v.stdout == warm_v.stdout == _validate_off(example)


def test_the_rdf_report_of_a_warm_run_equals_a_cold_one(tmp_path):
    """The RDF report needs the shapes graph (for result paths and message languages), which a warm run rebuilds
    from the cache with the blank nodes the compiled checks name."""
    from rdflib import Graph
    from rdflib.compare import to_isomorphic
    from rdflib.namespace import SH

    cache_dir = tmp_path / "cache"
    runs = [_sscrdf(d, "validate", LAKESIDE, "--format", "ttl") for d in ("off", cache_dir, cache_dir)]
    assert [r.stderr for r in runs] == [b""] * 3
    graphs = [Graph().parse(data=r.stdout.decode("utf-8"), format="turtle") for r in runs]
    assert len(set(graphs[0].subjects(SH.resultPath, None))) > 5
    assert to_isomorphic(graphs[1]) == to_isomorphic(graphs[0]) and to_isomorphic(graphs[2]) == to_isomorphic(graphs[0])


def test_the_one_city_commands_load_neither_rdflib_nor_the_other_commands(tmp_path):
    cache_dir = tmp_path / "cache"
    trig, nq = tmp_path / "riverton.trig", tmp_path / "riverton.nq"
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("https://example.org/g/riverton"))
        for t in ox.parse(path=str(RIVERTON), format=ox.RdfFormat.TURTLE)
    ]
    trig.write_bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG) or b"")
    nq.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    assert _sscrdf(cache_dir, "analyze", RIVERTON, "-o", tmp_path / "fill.json").returncode == 0  # fills the cache
    commands = [
        ("analyze", RIVERTON, "--as-of", "2026-11-21", "--format", "json", "-o", tmp_path / "a.json"),
        ("analyze", trig, "--format", "md", "-o", tmp_path / "a.md"),
        ("analyze", nq, "-o", tmp_path / "a.txt"),
        ("validate", RIVERTON, "--format", "json"),
        ("validate", trig),
        ("infer", RIVERTON),
        ("query", "stakeholder-count", nq, "--format", "json"),
    ]
    loaded = {" ".join(map(str, c[:2])): _loaded_heavy(cache_dir, *c) for c in commands}
    assert loaded == {" ".join(map(str, c[:2])): [] for c in commands}


def test_a_cold_run_is_the_only_one_that_loads_rdflib(tmp_path):
    """The shapes are compiled with rdflib when they are not in the cache; asking for rdflib's reference engine
    loads it on every run."""
    assert _loaded_heavy(tmp_path / "c", "validate", RIVERTON) == ["rdflib"]
    assert _loaded_heavy(tmp_path / "c", "validate", RIVERTON) == []
    assert "pyshacl" in _loaded_heavy(tmp_path / "c", "validate", RIVERTON, "--engine", "pyshacl")


def test_an_edited_shapes_file_is_never_met_by_a_stale_entry(tmp_path):
    extra = tmp_path / "extra.ttl"
    shape = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ssc: <https://w3id.org/sscrdf/ontology#> .
<https://example.org/shapes#Named> a sh:NodeShape ; sh:targetClass ssc:City ;
  sh:property [ sh:path ssc:motto ; sh:minCount 1 ; sh:severity sh:Info ; sh:message "MESSAGE" ] .
"""
    cache_dir = tmp_path / "cache"
    messages = []
    for text in ("first wording", "second wording", "first wording"):
        extra.write_text(shape.replace("MESSAGE", text), encoding="utf-8")
        out = _sscrdf(cache_dir, "validate", RIVERTON, "--shapes", extra, "--format", "json")
        results = json.loads(out.stdout)["cities"][0]["results"]
        messages.append(sorted(r["message"] for r in results if r["message"].endswith(" wording")))
    assert messages == [["first wording"], ["second wording"], ["first wording"]]
    shape_entries = [p for p in _entries(cache_dir) if p.name.startswith("shapes-")]
    assert len(shape_entries) == 2  # one per content; the third run found the first one's


def test_the_key_covers_every_byte_of_every_file(tmp_path):
    copies = []
    for p in sorted((ROOT / "ontology").glob("*.ttl"))[:3] + sorted((ROOT / "shapes" / "city").glob("*.ttl"))[:2]:
        copy = tmp_path / p.name
        copy.write_bytes(p.read_bytes())
        copies.append(copy)
    before = cache.key("closure", copies)
    assert before == cache.key("closure", copies) and before != cache.key("shapes", copies)
    for copy in copies:
        data = copy.read_bytes()
        copy.write_bytes(data.replace(b"ssc:", b"ssc:", 1) + b"\n")  # one more byte
        assert cache.key("closure", copies) != before, copy.name
        copy.write_bytes(data)
    assert cache.key("closure", copies) == before
    assert cache.key("closure", [*copies, tmp_path / "missing.ttl"]) is None  # unreadable: no cache at all


@pytest.fixture(scope="module")
def filled(cold_runs):
    """A cache folder filled by one analysis of Riverton, and that analysis (JSON bytes)."""
    return cold_runs[RIVERTON]


@pytest.mark.parametrize(
    "damage",
    [b"", b"{", b'{"checks": 3}', b"[1, 2]", b"\xff\xfe not text", b'{"triples": [["<a>"]], "checks": null}'],
    ids=["empty", "truncated", "wrong-shape", "wrong-type", "not-utf8", "bad-triple"],
)
def test_a_damaged_entry_is_rebuilt_silently(tmp_path, filled, damage):
    cache_dir = tmp_path / "cache"
    shutil.copytree(filled[0], cache_dir)
    for entry in _entries(cache_dir):
        entry.write_bytes(damage)
    out = _sscrdf(cache_dir, *ANALYZE, tmp_path / "again.json")
    assert out.returncode == 0 and out.stderr == b""
    assert (tmp_path / "again.json").read_bytes() == filled[1]
    assert all(e.read_bytes() != damage for e in _entries(cache_dir))  # rebuilt and written again


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("a file where the cache folder would be", encoding="utf-8")
    out = _sscrdf(not_a_folder, "validate", RIVERTON, "--format", "json")
    assert out.returncode == 0 and out.stderr == b""
    assert out.stdout == _validate_off(RIVERTON)


def test_off_writes_nothing_and_the_default_folder(tmp_path, monkeypatch):
    out = subprocess.run(
        [sys.executable, "-m", "sscrdf.cli", "validate", str(RIVERTON)],
        capture_output=True,
        env={**_env("off"), "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "xdg")},
        timeout=120,
    )
    assert out.returncode == 0 and list(tmp_path.iterdir()) == []
    for off in ("off", "OFF", "0", "no", "false", "none", ""):
        monkeypatch.setenv("SSCRDF_CACHE_DIR", off)
        assert cache.cache_dir() is None
    monkeypatch.delenv("SSCRDF_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "sscrdf"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / ".cache" / "sscrdf"


def test_the_test_session_never_writes_to_the_home_cache():
    from .conftest import CACHE_DIR

    assert os.environ["SSCRDF_CACHE_DIR"] == str(CACHE_DIR) and cache.cache_dir() == CACHE_DIR


def test_a_closure_entry_cut_at_a_line_end_is_not_read(tmp_path, filled):
    """An N-Triples file cut after a whole line still parses; the checksum in the JSON entry tells it apart."""
    cache_dir = tmp_path / "cache"
    shutil.copytree(filled[0], cache_dir)
    (nt,) = [e for e in _entries(cache_dir) if e.name.startswith("closure-") and e.suffix == ".nt"]
    whole = nt.read_bytes()
    nt.write_bytes(whole[: whole.index(b"\n", len(whole) // 2) + 1])
    out = _sscrdf(cache_dir, *ANALYZE, tmp_path / "again.json")
    assert out.returncode == 0 and out.stderr == b""
    assert (tmp_path / "again.json").read_bytes() == filled[1]
    assert nt.read_bytes() == whole  # rebuilt and written again


# ------------------------------------------------------------------------------------ the rules' plan


def _rules_entry(cache_dir: Path) -> Path:
    (entry,) = [e for e in _entries(cache_dir) if e.name.startswith("rules-")]
    return entry


def _fresh_plan(rules: list, exact: bool = True) -> tuple[list[str], dict]:
    """(rule ids in the order the engine runs them, the plan as JSON) from ``engine._plan``, not from the plans
    this process already holds."""
    from sscrdf.rules import engine

    engine._PLANS.clear()
    ordered, inputs = engine._plan(rules, exact)
    order = [rules.index(r) for r in ordered]
    return [r.id for r in ordered], engine._plan_json((order, inputs.feeds, inputs.coarse))


def test_the_rules_plan_from_the_cache_is_the_plan_built(tmp_path, monkeypatch):
    from sscrdf.rules import engine

    monkeypatch.setenv("SSCRDF_CACHE_DIR", str(tmp_path / "cache"))
    rules = engine.bundled_rules()
    for exact in (True, False):
        built = engine._plan_json(engine._build_plan(rules, exact))
        cold = _fresh_plan(rules, exact)  # built, and written to the cache
        warm = _fresh_plan(rules, exact)  # read from the cache
        assert cold[1] == warm[1] == json.loads(json.dumps(built))
        assert cold[0] == warm[0] and sorted(cold[0]) == sorted(r.id for r in rules)
    assert len([e for e in _entries(tmp_path / "cache") if e.name.startswith("rules-")]) == 2  # exact, coarse


def test_the_rules_derive_the_same_from_a_cached_plan(tmp_path, monkeypatch):
    """The derivation (the triples of each rule; how often each rule ran; the rounds) with the plan built and with
    the plan read back from the cache (the order of a CONSTRUCT's triples is the store's, not the plan's)."""
    import datetime as dt

    from sscrdf import KnowledgeBase
    from sscrdf.reasoning.store import knowledge_store
    from sscrdf.rules import engine

    monkeypatch.setenv("SSCRDF_CACHE_DIR", str(tmp_path / "cache"))
    ks = knowledge_store(KnowledgeBase().load(RIVERTON).store)
    runs = []
    for _ in ("cold", "warm"):
        engine._PLANS.clear()
        d = engine.run_rules(ks, as_of=dt.date(2026, 11, 21))
        runs.append(({r: sorted(map(str, ts)) for r, ts in d.by_rule.items()}, d.runs, d.rounds))
    assert _rules_entry(tmp_path / "cache").is_file()
    assert runs[0] == runs[1] and sum(map(len, runs[0][0].values())) > 100


@pytest.mark.parametrize(
    "damage",
    [
        lambda plan: plan | {"order": plan["order"][1:]},  # a rule missing
        lambda plan: plan | {"order": [0] * len(plan["order"])},  # one rule many times
        lambda plan: plan | {"feeds": plan["feeds"] | {"patterns": []}},  # patterns named by a bad index
        lambda plan: plan | {"feeds": plan["feeds"] | {"reads": {}}},  # the rules' read tests missing
        lambda plan: plan | {"feeds": plan["feeds"] | {"patterns": [["?", "s"] * 3 + [None, 1, 1, 1]]}},
        lambda plan: plan | {"coarse": 7},
        lambda plan: {"order": plan["order"]},
    ],
    ids=["missing-rule", "repeated-rule", "bad-index", "no-reads", "bad-term", "bad-coarse", "no-feeds"],
)
def test_a_damaged_rules_plan_is_rebuilt_silently(tmp_path, monkeypatch, damage):
    from sscrdf.rules import engine

    monkeypatch.setenv("SSCRDF_CACHE_DIR", str(tmp_path / "cache"))
    rules = engine.bundled_rules()
    good = _fresh_plan(rules)
    entry = _rules_entry(tmp_path / "cache")
    entry.write_text(json.dumps(damage(json.loads(entry.read_text(encoding="utf-8")))), encoding="utf-8")
    assert _fresh_plan(rules) == good
    assert json.loads(entry.read_text(encoding="utf-8")) == good[1]  # rebuilt and written again


def test_the_rules_plan_key_covers_every_rule_text(tmp_path):
    """A copy of the bundled rules has the bundled rules' key (the key is their ids and texts, not their paths);
    one more character in any one of them, or one rule fewer, gives another key; so does the coarse test."""
    from sscrdf.query.sparql import read_sparql_file
    from sscrdf.rules import engine

    bundled = engine.bundled_rules()
    for r in bundled:
        (tmp_path / r.path.name).write_bytes(r.path.read_bytes())
    copies = [read_sparql_file(tmp_path / r.path.name, engine.REQUIRED_RULE_KEYS) for r in bundled]
    key = engine.plan_key(bundled, True)
    assert key is not None and engine.plan_key(copies, True) == key
    assert engine.plan_key(copies, False) != key and engine.plan_key(copies[1:], True) != key
    for i in (0, len(copies) // 2, len(copies) - 1):
        path = copies[i].path
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("WHERE", "WHERE ", 1), encoding="utf-8")
        edited = [*copies[:i], read_sparql_file(path, engine.REQUIRED_RULE_KEYS), *copies[i + 1 :]]
        assert engine.plan_key(edited, True) != key, path.name
        path.write_text(text, encoding="utf-8")
