"""The speed-ups that must not change results: how a derivation travels between processes, and the fast
reasoner's transitive step (which reads only the transitive triples it met and the ontology's, precomputed)."""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import pyoxigraph as ox

from sscrdf.io.load import load
from sscrdf.reasoning.closure import entail
from sscrdf.reasoning.store import knowledge_store
from sscrdf.rules.engine import Derivation, run_rules

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 21)
SKOS = "http://www.w3.org/2004/02/skos/core#"
SSC = "https://w3id.org/sscrdf/ontology#"
EX = "http://example.org/"


def _derive(name: str) -> Derivation:
    return run_rules(knowledge_store(load([ROOT / "examples" / name]).store), as_of=AS_OF)


def test_a_pickled_derivation_has_the_same_triples_and_rules():
    d = _derive("riverton.ttl")
    assert d.triples  # the example city derives facts and findings
    back = pickle.loads(pickle.dumps(d))
    assert back.store is None
    assert back.rounds == d.rounds
    assert back.triples == d.triples
    assert back.by_rule == d.by_rule
    assert set(back.seconds) == set(d.seconds)


def test_merged_derivations_keep_the_order_of_their_parts():
    a, b = _derive("riverton.ttl"), _derive("lakeside.ttl")
    merged = Derivation.merged([pickle.loads(pickle.dumps(a)), b])
    assert merged.triples == a.triples + b.triples
    assert set(merged.by_rule) == set(a.by_rule) | set(b.by_rule)
    for rule, triples in merged.by_rule.items():
        assert triples == a.by_rule.get(rule, []) + b.by_rule.get(rule, [])
    assert merged.rounds == max(a.rounds, b.rounds)
    assert merged.findings() == sorted(set(a.findings()) | set(b.findings()), key=str)


def test_the_transitive_step_joins_data_chains_to_the_ontologys():
    # ex:j -> ex:k -> ssc:NetworkAndAccessSubDimension -> ssc:ICTKPIDimension (the last link is the ontology's)
    data = [
        ox.Triple(
            ox.NamedNode(EX + "k"), ox.NamedNode(SKOS + "broader"), ox.NamedNode(SSC + "NetworkAndAccessSubDimension")
        ),
        ox.Triple(ox.NamedNode(EX + "j"), ox.NamedNode(SKOS + "broader"), ox.NamedNode(EX + "k")),
    ]
    _, inferred = entail(data, "fast")
    got = {
        (t.subject.value, t.predicate.value[len(SKOS) :], t.object.value)
        for t in inferred
        if t.predicate.value in (SKOS + "broaderTransitive", SKOS + "narrowerTransitive")
    }
    j, k = EX + "j", EX + "k"
    sub, dim = SSC + "NetworkAndAccessSubDimension", SSC + "ICTKPIDimension"
    assert got == {
        (j, "broaderTransitive", k),
        (j, "broaderTransitive", sub),
        (j, "broaderTransitive", dim),
        (k, "broaderTransitive", sub),
        (k, "broaderTransitive", dim),
        (k, "narrowerTransitive", j),
        (sub, "narrowerTransitive", j),
        (sub, "narrowerTransitive", k),
        (dim, "narrowerTransitive", j),
        (dim, "narrowerTransitive", k),
    }


def test_data_without_transitive_triples_gets_no_transitive_entailment():
    data = [ox.Triple(ox.NamedNode(EX + "c"), ox.NamedNode(SSC + "hasStakeholder"), ox.NamedNode(EX + "s"))]
    _, inferred = entail(data, "fast")
    assert not [t for t in inferred if t.predicate.value.startswith(SKOS)]


def test_the_ontology_loaded_by_pyoxigraph_is_the_ontology_closure(monkeypatch):
    """The knowledge store gets the ontology from Store.load of the closure's N-Triples; its ontology graph holds
    exactly the closure's triples, and the store is the one the quads path (taken for a closure with blank nodes)
    gives."""
    from sscrdf.reasoning import store as store_module
    from sscrdf.reasoning.closure import ontology_closure, ontology_closure_ntriples

    data = load([ROOT / "examples" / "riverton.ttl"]).store
    loaded = knowledge_store(data)
    graph = {q.triple for q in loaded.quads_for_pattern(None, None, None, store_module.ONTOLOGY_GRAPH)}
    assert graph == set(ontology_closure()) and len(graph) > 5000
    nt = ontology_closure_ntriples()
    assert b"_:" not in nt  # the bundled ontology has no blank nodes: it is loaded by pyoxigraph
    # a comment that reads like a blank node sends it the quads way
    monkeypatch.setattr(store_module, "ontology_closure_ntriples", lambda: nt + b"# _:b0\n")
    by_quads = knowledge_store(data)
    assert sorted(map(str, by_quads)) == sorted(map(str, loaded))


def _chain_data() -> list[ox.Triple]:
    """A city-like unit with a transitive chain into the ontology's (see the transitive test above)."""
    return [
        ox.Triple(
            ox.NamedNode(EX + "k"), ox.NamedNode(SKOS + "broader"), ox.NamedNode(SSC + "NetworkAndAccessSubDimension")
        ),
        ox.Triple(ox.NamedNode(EX + "j"), ox.NamedNode(SKOS + "broader"), ox.NamedNode(EX + "k")),
        ox.Triple(ox.NamedNode(EX + "c"), ox.NamedNode(SSC + "hasStakeholder"), ox.NamedNode(EX + "s")),
    ]


def test_the_reasoner_reads_the_ontology_from_the_store_as_from_the_set():
    """knowledge_store hands the reasoner the store's ontology graph (GraphBase) instead of the closure as a
    Python set: the entailments are the same, for the examples' cities and for a transitive chain that joins the
    ontology's own."""
    from sscrdf.reasoning.closure import GraphBase, ontology_schema, ontology_state
    from sscrdf.reasoning.store import ONTOLOGY_GRAPH, split_by_graph

    schema, closure = ontology_state()
    units = [
        t
        for name in ("riverton.ttl", "lakeside.ttl")
        for _, t in split_by_graph(load([ROOT / "examples" / name]).store)
    ]
    units.append(_chain_data())
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH) for t in closure)
    for triples in units:
        by_set = entail(triples, "fast", full=False, ontology=(schema, closure))
        by_graph = entail(triples, "fast", full=False, ontology=(ontology_schema(), GraphBase(store, ONTOLOGY_GRAPH)))
        assert by_graph == by_set
        assert by_set[1]  # each unit entails something
    # what needs the closure as a set (the whole graph, the reference reasoner) still gets it
    full = entail(units[-1], "fast", ontology=(schema, GraphBase(store, ONTOLOGY_GRAPH)))
    assert full == entail(units[-1], "fast", ontology=(schema, closure))


def test_the_knowledge_store_is_the_same_with_data_in_the_ontology_graph():
    """Data that names the ontology graph itself is closed against the closure as a set (the store's graph then
    holds more than the ontology); the result is what the set gives."""
    from sscrdf.reasoning import store as store_module
    from sscrdf.reasoning.store import ONTOLOGY_GRAPH

    data = ox.Store()
    data.extend(ox.Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH) for t in _chain_data())
    got = knowledge_store(data)
    inferred = {q.triple for q in got if store_module.is_inferred_graph(q.graph_name)}
    _, expected = entail(_chain_data(), "fast")
    assert inferred == expected and inferred
