"""The rule engine's exact "can this new triple feed that rule" test (sscrdf/rules/patterns.py).

A rule runs again only when a triple derived since it last ran matches one of its positive patterns, joins
included. Skipping a run that had something to read would lose derivations silently, so the exact test is held
to the coarse one (re-run whenever a predicate or class the rule names was derived): both must reach the same
derivation, triple for triple and rule for rule, on the examples, on generated cities and on every positive
rule fixture, with fewer runs.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from sscrdf.io.load import load
from sscrdf.reasoning.store import knowledge_store
from sscrdf.rules.engine import bundled_rules, run_rules
from sscrdf.rules.patterns import Feeds, Unreadable, read_patterns
from tests.test_rules import _many_cities

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 21)
PREFIXES = """PREFIX ssc: <https://w3id.org/sscrdf/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
"""
SSC = "https://w3id.org/sscrdf/ontology#"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _derive(store: ox.Store, exact: bool) -> tuple[set[ox.Triple], dict[str, set[ox.Triple]], int]:
    d = run_rules(store, as_of=AS_OF, exact=exact)
    return set(d.triples), {rid: set(ts) for rid, ts in d.by_rule.items()}, sum(d.runs.values())


def _same_with_fewer_runs(store: ox.Store) -> None:
    coarse, exact = _derive(store, False), _derive(store, True)
    assert exact[0] == coarse[0]
    assert exact[1] == coarse[1]
    assert exact[2] <= coarse[2]


@pytest.mark.parametrize("name", ["riverton", "lakeside"])
def test_exact_equals_coarse_on_the_examples(name: str) -> None:
    _same_with_fewer_runs(knowledge_store(load([ROOT / "examples" / f"{name}.ttl"]).store))


def test_exact_equals_coarse_on_generated_cities(tmp_path: Path) -> None:
    out = tmp_path / "cities.trig"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--cities", "6", "--seed", "3", "-o", str(out)],
        check=True,
        capture_output=True,
    )
    _same_with_fewer_runs(knowledge_store(load([out]).store))


def test_exact_equals_coarse_on_every_positive_rule_fixture() -> None:
    """All positive fixtures in one store (two renamed copies of each, see benchmarks/rules_scale.py)."""
    _same_with_fewer_runs(_many_cities(2))


def test_the_examples_run_each_rule_once_but_the_self_feeding_ones() -> None:
    """Producers run before consumers, and a rule that feeds itself runs again at once, so on Riverton only
    implied-responsibility (a chain of "same job as" links) runs twice; the coarse test ran 8 rules again."""
    d = run_rules(knowledge_store(load([ROOT / "examples" / "riverton.ttl"]).store), as_of=AS_OF)
    assert {rid: n for rid, n in d.runs.items() if n > 1} == {"implied-responsibility": 2}
    assert set(d.runs) == {r.id for r in bundled_rules()}


def test_every_bundled_rule_is_read_exactly() -> None:
    """The reader follows every bundled rule (none falls back to the coarse test)."""
    for rule in bundled_rules():
        assert read_patterns(rule.text).patterns, rule.id


def _pattern_view(text: str) -> list[tuple[str, str, str, bool, str]]:
    rp = read_patterns(PREFIXES + text)
    return [
        (p.subject[1], p.predicate[1].rsplit("#", 1)[-1], p.object[1], p.positive, rp.kind[p.group])
        for p in rp.patterns
    ]


def test_reader_groups_and_polarity() -> None:
    view = _pattern_view(
        """CONSTRUCT { ?x ssc:t ?y } WHERE {
          ?x a ssc:City ; ssc:hasStakeholder ?y , ?z .
          OPTIONAL { ?y rdfs:label ?l }
          FILTER NOT EXISTS { ?y ssc:gone true }
          MINUS { ?z ssc:out ?w }
          { ?y ssc:u ?v } UNION { ?y ssc:w ?v }
          FILTER(!EXISTS { ?y ssc:e ?e } && BOUND(?l))
          BIND(EXISTS { ?y ssc:f [ ssc:g ?h ] } AS ?b)
          VALUES ?k { ssc:A ssc:B }
        }"""
    )
    assert view == [
        ("x", TYPE.rsplit("#", 1)[-1], SSC + "City", True, "plain"),
        ("x", "hasStakeholder", "y", True, "plain"),
        ("x", "hasStakeholder", "z", True, "plain"),
        ("y", "label", "l", True, "optional"),
        ("y", "gone", "", False, "exists"),
        ("z", "out", "w", False, "minus"),
        ("y", "u", "v", True, "union"),
        ("y", "w", "v", True, "union"),
        ("y", "e", "e", False, "exists"),
        (" b1", "g", "h", True, "exists"),
        ("y", "f", " b1", True, "exists"),
    ]


def test_reader_paths_and_sub_select() -> None:
    rp = read_patterns(
        PREFIXES
        + """CONSTRUCT { ?c ssc:t ?n } WHERE {
          { SELECT ?c (COUNT(?s) AS ?n) WHERE { ?c ssc:hasStakeholder ?s . ?s org:unitOf+/^ssc:x ?p } GROUP BY ?c }
          ?p ssc:a|ssc:b ?q .
          ?q ^ssc:inv ?r .
        }"""
    )
    path = next(p for p in rp.patterns if not p.simple)
    assert path.predicates == frozenset({"http://www.w3.org/ns/org#unitOf", SSC + "x"})
    either = next(p for p in rp.patterns if p.predicates == frozenset({SSC + "a", SSC + "b"}))
    assert either.simple and (either.subject, either.object) == (("v", "p"), ("v", "q"))
    inverse = next(p for p in rp.patterns if p.predicates == frozenset({SSC + "inv"}))
    assert (inverse.subject, inverse.object) == (("v", "r"), ("v", "q"))  # ?q ^p ?r is ?r p ?q
    select = next(g for g, k in rp.kind.items() if k == "select")
    assert rp.projected[select] == {"c", "n"}


@pytest.mark.parametrize(
    "text",
    [
        "CONSTRUCT { ?x ssc:t 1 } WHERE { SERVICE <http://example.org/sparql> { ?x ssc:p ?y } }",
        "CONSTRUCT { ?x ssc:t 1 } WHERE { ?x ssc:list (1 2) }",
        "CONSTRUCT { ?x ssc:t 1 } WHERE { ?x nope:p ?y }",
        "CONSTRUCT { ?x ssc:t 1 } WHERE { ?x ssc:p ?y ",
    ],
)
def test_reader_gives_up_on_what_it_does_not_follow(text: str) -> None:
    with pytest.raises(Unreadable):
        read_patterns(PREFIXES + text)


def _feeds(text: str, store: ox.Store, triple: ox.Triple) -> bool:
    feeds = Feeds({"r": read_patterns(PREFIXES + text)})

    def exists(s: ox.NamedNode | None, p: ox.NamedNode | None, o: ox.NamedNode | None) -> bool:
        return any(True for _ in store.quads_for_pattern(s, p, o, None))

    return any(feeds.feeds(p, triple, exists) for p in feeds.patterns("r", triple))


def store_of(*quads: ox.Quad) -> ox.Store:
    store = ox.Store()
    store.extend(quads)
    return store


def n(local: str) -> ox.NamedNode:
    return ox.NamedNode(SSC + local)


def test_a_constant_subject_is_matched() -> None:
    rule = "CONSTRUCT { ?x ssc:t ?d } WHERE { ssc:analysis ssc:asOfDate ?d . ?x ssc:p ?y }"
    store = ox.Store()
    assert _feeds(rule, store, ox.Triple(n("analysis"), n("asOfDate"), ox.Literal("2026-01-01")))
    assert not _feeds(rule, store, ox.Triple(n("plan1"), n("asOfDate"), ox.Literal("2026-01-01")))


def test_a_join_partner_is_looked_up_in_the_store() -> None:
    rule = "CONSTRUCT { ?x ssc:t ?s } WHERE { ?x a ?class . ?class ssc:source ?s }"
    store = store_of(ox.Quad(n("city1"), ox.NamedNode(TYPE), n("Ministry")))
    assert _feeds(rule, store, ox.Triple(n("Ministry"), n("source"), ox.Literal("clause 5")))
    assert not _feeds(rule, store, ox.Triple(n("finding1"), n("source"), ox.Literal("clause 5")))


def test_a_sub_select_shares_only_what_it_projects() -> None:
    """?s inside the sub-SELECT is not the outer ?s: a partner there must not be looked up with its value."""
    rule = """CONSTRUCT { ?c ssc:t ?s } WHERE {
        { SELECT ?c WHERE { ?c ssc:hasStakeholder ?s } }
        ?c ssc:q ?s .
    }"""
    store = store_of(ox.Quad(n("city1"), n("hasStakeholder"), n("other")))
    assert _feeds(rule, store, ox.Triple(n("city1"), n("q"), n("someone")))
    assert not _feeds(rule, store, ox.Triple(n("city2"), n("q"), n("someone")))


def test_a_negative_pattern_never_feeds() -> None:
    rule = "CONSTRUCT { ?x ssc:t 1 } WHERE { ?x ssc:p ?y FILTER NOT EXISTS { ?x ssc:done ?z } }"
    assert not _feeds(rule, ox.Store(), ox.Triple(n("a"), n("done"), n("b")))
    assert _feeds(rule, ox.Store(), ox.Triple(n("a"), n("p"), n("b")))


def test_a_rule_the_reader_cannot_follow_still_reaches_the_fixpoint(tmp_path: Path) -> None:
    """An extra rule with RDF collection syntax falls back to the coarse test and still sees what the bundled
    rules derive (strategies, here)."""
    (tmp_path / "odd.rq").write_text(
        "# id: odd-rule\n# derives: ssc:note\n# clause: sscrdf's own test rule\n# kind: fact\n"
        + PREFIXES
        + "CONSTRUCT { ?s ssc:note ?g } WHERE { ?s ssc:recommendedStrategy ?g . FILTER(?g NOT IN (ssc:Nothing)) "
        + "OPTIONAL { ?s ssc:list (1) } }\n",
        encoding="utf-8",
    )
    with pytest.raises(Unreadable):
        read_patterns((tmp_path / "odd.rq").read_text(encoding="utf-8"))
    rules = bundled_rules((tmp_path,))
    store = knowledge_store(load([ROOT / "examples" / "riverton.ttl"]).store)
    d = run_rules(store, rules, as_of=AS_OF)
    notes = d.by_rule.get("odd-rule", [])
    strategies = [t for t in d.triples if t.predicate.value == SSC + "recommendedStrategy"]
    assert strategies and len(notes) == len(strategies)
