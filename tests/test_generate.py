"""The synthetic-data generator of the scale benchmark (benchmarks/generate.py).

What it must deliver: well-formed TriG with one named graph per city, byte-identical output for the same seed,
only ssc: terms the ontology declares, cities of about 1,800 triples, correct cities when no flaw is drawn, and
flaws that make every shape in shapes/city and every rule in rules/ fire somewhere.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, RDF
from rdflib.namespace import SH

from sscrdf.knowledge.ontology import declared_terms
from sscrdf.rules.engine import bundled_rules, run_rules
from sscrdf.reasoning.store import knowledge_store
from sscrdf.shacl.validate import city_shape_files, validate_store

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "benchmarks" / "generate.py"
BASE = "https://bench.sscrdf.example/city/"
SSC = "https://w3id.org/sscrdf/ontology#"
AS_OF = dt.date(2026, 11, 21)  # the analysis date the generated dates are laid out for
CITY_SIZE = (1500, 2100)

# Shapes that cannot fire on generated data by construction, with the reason. Empty: every shape can, and does.
UNREACHABLE_SHAPES: dict[str, str] = {}


def generate(path: Path, cities: int, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(GENERATOR), "--cities", str(cities), *extra, "-o", str(path)],
                          capture_output=True, text=True, check=True)


def load(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TRIG)
    return store


def city_graphs(store: ox.Store) -> list[ox.NamedNode]:
    return sorted(store.named_graphs(), key=lambda g: g.value)


def city_store(store: ox.Store, graph: ox.NamedNode) -> ox.Store:
    one = ox.Store()
    one.extend(store.quads_for_pattern(None, None, None, graph))
    return one


def city_shapes() -> set[str]:
    """Every shape of shapes/city with an IRI: node and property shapes, and property shapes named in sh:property."""
    g = Graph()
    for f in city_shape_files():
        g.parse(f, format="turtle")
    shapes = set(g.subjects(RDF.type, SH.NodeShape)) | set(g.subjects(RDF.type, SH.PropertyShape))
    shapes |= set(g.objects(None, SH.property))
    return {str(s) for s in shapes if not str(s).startswith("_:") and "://" in str(s)}


@pytest.fixture(scope="module")
def three(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    path = tmp_path_factory.mktemp("gen") / "three.trig"
    return path, generate(path, 3, "--seed", "11")


@pytest.fixture(scope="module")
def forty(tmp_path_factory) -> ox.Store:
    path = tmp_path_factory.mktemp("gen") / "forty.trig"
    generate(path, 40, "--seed", "5", "--flaw-rate", "0.5")
    return load(path)


def test_three_cities_are_three_named_graphs(three):
    path, proc = three
    store = load(path)
    graphs = city_graphs(store)
    assert [g.value for g in graphs] == [f"{BASE}{i:04d}/graph" for i in (1, 2, 3)]
    assert not list(store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    assert proc.stderr.splitlines()[0] == f"3 cities, {len(store)} triples"
    for g in graphs:
        base = g.value[: -len("graph")]
        quads = list(store.quads_for_pattern(None, None, None, g))
        assert CITY_SIZE[0] <= len(quads) <= CITY_SIZE[1], (g.value, len(quads))
        # every subject of a city graph is one of that city's own IRIs, and so is the one ssc:City
        assert all(isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(base) for q in quads)
        cities = [q.subject for q in quads if q.predicate.value == str(RDF.type) and q.object.value == SSC + "City"]
        assert cities == [ox.NamedNode(base + "city")]


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, three):
    path, _ = three
    again, other = tmp_path / "again.trig", tmp_path / "other.trig"
    generate(again, 3, "--seed", "11")
    generate(other, 3, "--seed", "12")
    assert again.read_bytes() == path.read_bytes()
    assert other.read_bytes() != path.read_bytes()


def test_first_cities_do_not_depend_on_how_many_follow(tmp_path, three):
    path, _ = three
    five = tmp_path / "five.trig"
    generate(five, 5, "--seed", "11")
    small, big = load(path), load(five)
    for g in city_graphs(small):
        assert set(small.quads_for_pattern(None, None, None, g)) == set(big.quads_for_pattern(None, None, None, g))


def test_only_declared_ssc_terms(tmp_path):
    # flaw rate 1: every kind of flaw, including the wrong-vocabulary ones, is in every city
    path = tmp_path / "all-flaws.trig"
    generate(path, 4, "--flaw-rate", "1")
    used = set()
    for q in load(path):
        for term in (q.subject, q.predicate, q.object):
            if isinstance(term, ox.NamedNode) and term.value.startswith(SSC):
                used.add(term.value)
    assert used, "the generated data uses no ssc: term"
    assert sorted(used - declared_terms()) == []


def test_stats_count_cities_per_flaw(tmp_path):
    proc = generate(tmp_path / "s.trig", 6, "--flaw-rate", "1", "--stats")
    first, rest = proc.stderr.split("\n", 1)
    assert re.fullmatch(r"6 cities, \d+ triples", first)
    stats = json.loads(rest)
    assert stats["cities"] == 6 and stats["cities_without_flaws"] == 0
    assert stats["flaws"] and set(stats["flaws"].values()) == {6}
    proc = generate(tmp_path / "z.trig", 2, "--flaw-rate", "0", "--stats")
    stats = json.loads(proc.stderr.split("\n", 1)[1])
    assert set(stats["flaws"].values()) == {0} and stats["cities_without_flaws"] == 2


def test_bad_arguments_are_refused(tmp_path):
    for args in (["--cities", "0"], ["--cities", "2", "--flaw-rate", "1.5"]):
        proc = subprocess.run([sys.executable, str(GENERATOR), *args, "-o", str(tmp_path / "x.trig")],
                              capture_output=True, text=True)
        assert proc.returncode == 2 and "error" in proc.stderr
        assert not (tmp_path / "x.trig").exists()


def test_cities_without_flaws_conform_and_give_no_findings(tmp_path):
    path = tmp_path / "clean.trig"
    generate(path, 3, "--seed", "2", "--flaw-rate", "0")
    store = load(path)
    assert validate_store(store).results == []
    for g in city_graphs(store):
        derived = run_rules(knowledge_store(city_store(store, g)), as_of=AS_OF)
        assert derived.findings() == [], g.value
        assert {"latest-assessment", "strategy-from-latest-assessment"} <= set(derived.by_rule)


@pytest.fixture(scope="module")
def forty_mp(tmp_path_factory) -> ox.Store:
    """The same forty cities, each with an FG-SSC master plan (--master-plans) and master-plan flaws."""
    path = tmp_path_factory.mktemp("gen") / "forty-mp.trig"
    generate(path, 40, "--seed", "5", "--flaw-rate", "0.5", "--master-plans")
    return load(path)


def test_forty_cities_have_the_expected_size(forty):
    graphs = city_graphs(forty)
    assert len(graphs) == 40
    sizes = [sum(1 for _ in forty.quads_for_pattern(None, None, None, g)) for g in graphs]
    assert all(CITY_SIZE[0] <= n <= CITY_SIZE[1] for n in sizes), sizes
    assert 1700 <= sum(sizes) / len(sizes) <= 1900


def test_every_rule_fires_on_forty_flawed_cities(forty, forty_mp):
    """Every rule of rules/ derives at least one triple, in one run over the whole dataset (the master-plan rules
    on the same cities generated with --master-plans)."""
    derived = run_rules(knowledge_store(forty), as_of=AS_OF)
    derived_mp = run_rules(knowledge_store(forty_mp), as_of=AS_OF)
    assert sorted({r.id for r in bundled_rules()} - set(derived.by_rule) - set(derived_mp.by_rule)) == []
    assert {r for r in derived_mp.by_rule if r.startswith("masterplan-")} == \
        {r.id for r in bundled_rules() if r.id.startswith("masterplan-")}


def test_every_city_shape_fires_on_forty_flawed_cities(forty, forty_mp):
    report = validate_store(forty)
    fired = {str(r.shape) for r in report.results} | {str(r.shape) for r in validate_store(forty_mp).results}
    expected = city_shapes() - set(UNREACHABLE_SHAPES)
    assert len(expected) > 40
    assert sorted(expected - fired) == []
    # and no city of the forty is left without any result
    assert all(c.results for c in report.cities)
