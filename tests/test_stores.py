"""The same answers on every SPARQL store: every packaged query and every rule, run on the embedded store and on
real stores started on 127.0.0.1 (Oxigraph server, Virtuoso 7.2, Apache Jena ARQ), give the same rows / triples
(modulo row order, blank-node labels and numeric datatype spelling; see tests/stores.py).

The input is what `sscrdf push` uploads for a portal: cities, each in a named graph of its own, with the ontology
closure, each city's entailments and the rules' derived facts (as of AS_OF). Two inputs: the example cities, and
eight generated cities with every kind of flaw (benchmarks/generate.py --flaw-rate 1: literal stakeholders,
dates written as text, dates in the future, ...), which is where the engines part ways most. Every rule's
CONSTRUCT is run once over the fixpoint on each store and compared with the embedded engine's answer.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pyoxigraph as ox
import pytest

from sscrdf.io.load import load
from sscrdf.query.sparql import bundled_queries
from sscrdf.reasoning.store import knowledge_store
from sscrdf.rules.engine import bundled_rules, run_rules

from .conftest import EXAMPLES, ROOT
from .stores import embedded_construct, embedded_select

pytestmark = pytest.mark.store
AS_OF = dt.date(2026, 11, 21)
CITIES = {"riverton": EXAMPLES / "riverton.ttl", "lakeside": EXAMPLES / "lakeside.ttl"}
QUERIES = {q.id: q.text for q in bundled_queries()}
RULES = {r.id: r.text for r in bundled_rules()}


def city_dataset() -> ox.Store:
    """The example cities, each in the named graph <urn:sscrdf:test:CITY>."""
    data = ox.Store()
    for city, path in CITIES.items():
        g = ox.NamedNode(f"urn:sscrdf:test:{city}")
        data.extend(ox.Quad(q.subject, q.predicate, q.object, g) for q in load([path]).store)
    return data


def generated_dataset(tmp_path) -> ox.Store:
    """Eight generated cities with every kind of flaw, one named graph each."""
    path = tmp_path / "flawed.trig"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            "--cities",
            "8",
            "--seed",
            "1",
            "--flaw-rate",
            "1",
            "-o",
            str(path),
        ],
        check=True,
        capture_output=True,
    )
    return load([path]).store


@pytest.fixture(scope="module", params=["examples", "generated"])
def pushed(request, tmp_path_factory) -> ox.Store:
    """Ontology closure + per-city data + per-city entailments + derived facts: what `sscrdf push` uploads."""
    data = city_dataset() if request.param == "examples" else generated_dataset(tmp_path_factory.mktemp("gen"))
    return run_rules(knowledge_store(data), as_of=AS_OF).store


@pytest.fixture(scope="module")
def on_oxigraph(oxigraph_store, pushed):
    oxigraph_store.load(list(pushed))
    return oxigraph_store


@pytest.fixture(scope="module")
def on_virtuoso(virtuoso_store, pushed):
    virtuoso_store.load(list(pushed))
    return virtuoso_store


@pytest.fixture(scope="module")
def jena_answers(jena_arq, pushed):
    jena_arq.load(list(pushed))
    return jena_arq.run({**{f"query:{k}": v for k, v in QUERIES.items()}, **{f"rule:{k}": v for k, v in RULES.items()}})


def test_the_input_has_a_named_graph_per_city(pushed):
    graphs = {g.value for g in pushed.named_graphs()}
    cities = {g for g in graphs if g.startswith(("urn:sscrdf:test:", "https://bench.sscrdf.example/city/"))}
    assert cities in (
        {"urn:sscrdf:test:riverton", "urn:sscrdf:test:lakeside"},
        {f"https://bench.sscrdf.example/city/{n:04d}/graph" for n in range(1, 9)},
    )
    assert not list(pushed.quads_for_pattern(None, None, None, ox.DefaultGraph()))


@pytest.mark.parametrize("query_id", sorted(QUERIES))
def test_query_on_oxigraph_server(on_oxigraph, pushed, query_id):
    assert on_oxigraph.select(QUERIES[query_id]) == embedded_select(pushed, QUERIES[query_id])


@pytest.mark.parametrize("query_id", sorted(QUERIES))
def test_query_on_virtuoso(on_virtuoso, pushed, query_id):
    assert on_virtuoso.select(QUERIES[query_id]) == embedded_select(pushed, QUERIES[query_id])


@pytest.mark.parametrize("query_id", sorted(QUERIES))
def test_query_on_jena(jena_answers, pushed, query_id):
    assert jena_answers[f"query:{query_id}"] == embedded_select(pushed, QUERIES[query_id])


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_on_oxigraph_server(on_oxigraph, pushed, rule_id):
    assert on_oxigraph.construct(RULES[rule_id]) == embedded_construct(pushed, RULES[rule_id])


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_on_virtuoso(on_virtuoso, pushed, rule_id):
    assert on_virtuoso.construct(RULES[rule_id]) == embedded_construct(pushed, RULES[rule_id])


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_on_jena(jena_answers, pushed, rule_id):
    assert jena_answers[f"rule:{rule_id}"] == embedded_construct(pushed, RULES[rule_id])
