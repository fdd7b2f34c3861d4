"""The synthetic-data generator of the scale benchmark (benchmarks/generate.py).

What it must deliver: well-formed TriG with one named graph per city, byte-identical output for the same seed,
only ssc: terms the ontology declares, cities of about 1,800 triples, correct cities when no flaw is drawn, and
flaws that make every shape in shapes/city and every rule in rules/ fire somewhere. The flaws for the rules are
the rules' own positive fixtures, copied into the cities (the rule-fixture flaw), so a new rule needs no change to
the generator: test_a_new_rule_fires_on_generated_cities_without_python does what a knowledge engineer does.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, Graph
from rdflib.namespace import SH

from sscrdf.knowledge.ontology import declared_terms
from sscrdf.reasoning.store import knowledge_store
from sscrdf.rules.engine import bundled_rules, run_rules
from sscrdf.shacl.validate import city_shape_files, validate_store

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "benchmarks" / "generate.py"
RULE_FIXTURES = ROOT / "tests" / "fixtures" / "rules"
BASE = "https://bench.sscrdf.example/city/"
SSC = "https://w3id.org/sscrdf/ontology#"
AS_OF = dt.date(2026, 11, 21)  # the analysis date the generated dates are laid out for
CITY_SIZE = (1500, 2100)

# Shapes that cannot fire on generated data by construction, with the reason. Empty: every shape can, and does.
UNREACHABLE_SHAPES: dict[str, str] = {}


def generate(path: Path, cities: int, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(GENERATOR), "--cities", str(cities), *extra, "-o", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )


def load(path: Path) -> ox.Store:
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TRIG)
    return store


def city_graphs(store: ox.Store) -> list[ox.NamedNode]:
    return sorted(store.named_graphs(), key=lambda g: g.value)


def fixture_base(graph: ox.NamedNode) -> str:
    """Where the rule fixtures copied into a city live: <city>/fixture/<rule>/..."""
    return graph.value[: -len("graph")] + "fixture/"


def own_quads(store: ox.Store, graph: ox.NamedNode) -> list[ox.Quad]:
    """The quads of a city graph without the rule fixtures copied into it."""
    fx = fixture_base(graph)
    return [q for q in store.quads_for_pattern(None, None, None, graph) if not q.subject.value.startswith(fx)]


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
        own = own_quads(store, g)
        assert CITY_SIZE[0] <= len(own) <= CITY_SIZE[1], (g.value, len(own))
        # every subject of a city graph is one of that city's own IRIs, and so is its one ssc:City; any other
        # ssc:City is a copied rule fixture (a small city of its own, under <city>/fixture/)
        assert all(isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(base) for q in quads)
        cities = [q.subject for q in own if q.predicate.value == str(RDF.type) and q.object.value == SSC + "City"]
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
        proc = subprocess.run(
            [sys.executable, str(GENERATOR), *args, "-o", str(tmp_path / "x.trig")], capture_output=True, text=True
        )
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
    sizes = [len(own_quads(forty, g)) for g in graphs]
    assert all(CITY_SIZE[0] <= n <= CITY_SIZE[1] for n in sizes), sizes
    assert 1700 <= sum(sizes) / len(sizes) <= 1900
    # about half of the cities (rate 0.5) hold copied rule fixtures as well
    with_fixtures = [
        g for g in graphs if len(own_quads(forty, g)) < sum(1 for _ in forty.quads_for_pattern(None, None, None, g))
    ]
    assert 10 <= len(with_fixtures) <= 30


@pytest.mark.slow  # the rules over forty cities (about 90,000 triples): what the benchmark data holds at rate 0.5
def test_every_rule_fires_on_forty_flawed_cities(forty_mp):
    """Every rule of rules/ derives at least one triple, in one run over the whole dataset (the forty cities
    generated with --master-plans, so the master-plan rules too). The fast tier checks the reason it holds on
    ten cities (test_every_rule_fires_on_its_own_fixture_in_the_generated_cities)."""
    derived = run_rules(knowledge_store(forty_mp), as_of=AS_OF)
    assert sorted({r.id for r in bundled_rules()} - set(derived.by_rule)) == []


def test_every_city_shape_fires_on_forty_flawed_cities(forty, forty_mp):
    report = validate_store(forty)
    fired = {str(r.shape) for r in report.results} | {str(r.shape) for r in validate_store(forty_mp).results}
    expected = city_shapes() - set(UNREACHABLE_SHAPES)
    assert len(expected) > 40
    assert sorted(expected - fired) == []
    # and no city of the forty is left without any result
    assert all(c.results for c in report.cities)


NEW_RULE = """\
# id: unit-without-name
# derives: ssc:Finding (ssc:Gap, sh:Info) about a municipal unit without a name
# clause: Y Suppl. 34, Table 2
# kind: finding
# A rule a knowledge engineer adds: a municipal unit of a city's municipality that has no rdfs:label.
# The generated cities name all their units, so only the copy of this rule's positive fixture sets it off.
PREFIX ssc:     <https://w3id.org/sscrdf/ontology#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX sh:      <http://www.w3.org/ns/shacl#>
PREFIX org:     <http://www.w3.org/ns/org#>
CONSTRUCT {
  ?f a ssc:Finding ; ssc:findingKind ssc:Gap ; ssc:severity sh:Info ; ssc:about ?u ; ssc:inCity ?city ;
     rdfs:comment "A municipal unit of the city has no name, so it cannot be shown in the report." ;
     dcterms:source "Y Suppl. 34, Table 2" .
}
WHERE {
  ?city ssc:hasStakeholder ?m . ?m a ssc:Municipality . ?u org:unitOf ?m .
  OPTIONAL { ?u rdfs:label ?l . BIND(true AS ?named) }
  FILTER(!BOUND(?named))
  BIND(IRI(CONCAT("https://w3id.org/sscrdf/finding/", SHA1(CONCAT("unit-without-name|", STR(?u))))) AS ?f)
}
"""
NEW_POS = """\
@prefix ssc: <https://w3id.org/sscrdf/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/unit-without-name#> .
# expect-finding: ex:finance ssc:Gap sh:Info -
ex:city a ssc:City ; rdfs:label "Newtown" ; ssc:hasStakeholder ex:council .
ex:council a ssc:Municipality ; rdfs:label "Newtown City Council" .
ex:finance a ssc:FinanceUnit ; org:unitOf ex:council .
"""
NEW_NEG = NEW_POS.replace("# expect-finding: ex:finance ssc:Gap sh:Info -\n", "").replace(
    "ex:finance a ssc:FinanceUnit ;", 'ex:finance a ssc:FinanceUnit ; rdfs:label "Finance department" ;'
)


@pytest.fixture(scope="module")
def ten_with_a_new_rule(tmp_path_factory):
    """What a knowledge engineer does, and no Python: a new rule in rules/ and its two fixtures in
    tests/fixtures/rules/ (here: temporary copies of both folders). Then ten cities at rate 1 with --master-plans
    (every city draws the rule-fixture flaw, and ten such cities hold every fixture), and every rule, the new one
    too, run once over them. Returns (the positive fixtures' rule ids, --stats, the store, the derivation)."""
    tmp = tmp_path_factory.mktemp("new-rule")
    rules_dir, fixtures = tmp / "rules", tmp / "fixtures"
    rules_dir.mkdir()
    shutil.copytree(RULE_FIXTURES, fixtures)
    (rules_dir / "unit-without-name.rq").write_text(NEW_RULE, encoding="utf-8")
    (fixtures / "unit-without-name.pos.ttl").write_text(NEW_POS, encoding="utf-8")
    (fixtures / "unit-without-name.neg.ttl").write_text(NEW_NEG, encoding="utf-8")
    path = tmp / "ten.trig"
    proc = generate(path, 10, "--flaw-rate", "1", "--master-plans", "--rule-fixtures", str(fixtures), "--stats")
    stats = json.loads(proc.stderr.split("\n", 1)[1])
    store = load(path)
    rules = bundled_rules(extra_dirs=(rules_dir,))
    pos = sorted(p.name[: -len(".pos.ttl")] for p in fixtures.glob("*.pos.ttl"))
    return pos, stats, store, run_rules(knowledge_store(store), rules, as_of=AS_OF)


def test_every_fixture_is_copied_into_ten_cities(ten_with_a_new_rule):
    pos, stats, _, _ = ten_with_a_new_rule
    copies = stats["variants"]["rule-fixture"]
    assert sorted(copies) == pos and "unit-without-name" in copies
    per_city = -(-len(pos) // 10)  # ceil(F / 10) fixtures in each of the ten cities, in turn
    assert sum(copies.values()) == 10 * per_city and set(copies.values()) <= {1, 2}


def test_every_rule_fires_on_its_own_fixture_in_the_generated_cities(ten_with_a_new_rule):
    """What makes a new rule fire on generated cities with no change to the generator: each rule (the bundled ones
    and the new one) derives something about the copy of its own positive fixture (IRIs under
    <city>/fixture/<rule>/)."""
    pos, _, _, derived = ten_with_a_new_rule
    assert pos == sorted({r.id for r in bundled_rules()} | {"unit-without-name"})
    silent = [
        rid
        for rid in pos
        if not any(
            f"/fixture/{rid}/" in str(t.subject) or f"/fixture/{rid}/" in str(t.object)
            for t in derived.by_rule.get(rid, [])
        )
    ]
    assert silent == []


def test_a_new_rule_fires_on_generated_cities_without_python(ten_with_a_new_rule):
    """The new rule finds exactly the unnamed unit of its own fixture, in the city (or two) holding a copy."""
    _, stats, store, derived = ten_with_a_new_rule
    about = {t.object.value for t in derived.by_rule["unit-without-name"] if t.predicate.value == SSC + "about"}
    holders = [
        g
        for g in city_graphs(store)
        if any(store.quads_for_pattern(ox.NamedNode(fixture_base(g) + "unit-without-name/finance"), None, None, g))
    ]
    assert len(holders) == stats["variants"]["rule-fixture"]["unit-without-name"]
    assert about == {fixture_base(g) + "unit-without-name/finance" for g in holders}
