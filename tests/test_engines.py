"""The fast paths give the same answers as the reference paths.

- validation: SHACL compiled to SPARQL on pyoxigraph (fast) == pySHACL (reference), on every shape fixture,
  on both example cities and on a generated multi-city dataset;
- reasoning: sscrdf's schema-driven OWL 2 RL subset (fast) == owlrl (reference) for everything the shapes and
  the rules look at: validation results and findings are identical, and the fast entailments are a subset of
  owlrl's.
"""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox
import pytest

from sscrdf.errors import InputError
from sscrdf.io.load import load
from sscrdf.namespaces import OWL, SKOS
from sscrdf.reasoning.closure import entail
from sscrdf.reasoning.store import knowledge_store
from sscrdf.rules.engine import run_rules
from sscrdf.shacl.compiler import compile_shapes
from sscrdf.shacl.validate import shapes_graph, validate_store

from .conftest import EXAMPLES, FIXTURES

SHAPE_FIXTURES = sorted((FIXTURES / "shapes").glob("*.ttl"))
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.ttl"))
AS_OF = dt.date(2026, 11, 21)


def _keys(report):
    return sorted(
        (str(r.focus), str(r.shape), str(r.severity), str(r.component), str(r.value), r.message) for r in report.results
    )


def test_every_bundled_shape_compiles_to_sparql():
    checks = compile_shapes(shapes_graph())
    assert len({c.shape for c in checks}) >= 50


@pytest.mark.slow  # owlrl / pySHACL reference engine
@pytest.mark.parametrize("path", SHAPE_FIXTURES + EXAMPLE_FILES, ids=lambda p: p.name)
def test_fast_validation_equals_pyshacl(path):
    store = load([path]).store
    fast = validate_store(store, engine="fast")
    ref = validate_store(store, engine="pyshacl")
    assert _keys(fast) == _keys(ref)


@pytest.mark.slow  # owlrl / pySHACL reference engine
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_fast_reasoner_is_a_subset_of_owlrl(path):
    triples = [q.triple for q in load([path]).store]
    _, fast = entail(triples, "fast")
    _, ref = entail(triples, "owlrl")
    assert fast <= ref
    assert fast, "the example should entail something"


def _findings(store):
    d = run_rules(store, as_of=AS_OF)
    return sorted(str(t) for t in d.triples)


@pytest.mark.slow  # owlrl / pySHACL reference engine
@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_fast_reasoner_gives_the_same_findings_and_results_as_owlrl(path):
    data = load([path]).store
    assert _findings(knowledge_store(data, reasoner="fast")) == _findings(knowledge_store(data, reasoner="owlrl"))
    assert _keys(validate_store(data, reasoner="fast", engine="pyshacl")) == _keys(
        validate_store(data, reasoner="owlrl", engine="pyshacl")
    )


@pytest.mark.slow  # owlrl / pySHACL reference engine
def test_multi_city_dataset_is_validated_city_by_city_with_equal_results():
    both = ox.Store()
    for path in EXAMPLE_FILES:
        graph = ox.NamedNode(f"https://example.org/graph/{path.stem}")
        both.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in load([path]).store)
    fast = validate_store(both, engine="fast")
    ref = validate_store(both, engine="pyshacl")
    assert [c.graph for c in fast.cities] == [c.graph for c in ref.cities]
    for a, b in zip(fast.cities, ref.cities, strict=True):
        assert _keys(type(fast)([a])) == _keys(type(ref)([b]))
        assert a.cities == b.cities


@pytest.mark.slow  # owlrl / pySHACL reference engine
def test_fast_path_equals_reference_path_on_generated_cities(tmp_path):
    """The benchmark's claim, as a test: on generated cities with many flaws, the fast path (schema-driven
    reasoner + SHACL compiled to SPARQL + batches) gives exactly the findings and validation results of the
    reference path (owlrl + pySHACL)."""
    import subprocess
    import sys
    from pathlib import Path

    from sscrdf.analysis.analyze import analyze_store

    out = tmp_path / "cities.trig"
    gen = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"
    subprocess.run(
        [sys.executable, str(gen), "--cities", "2", "--seed", "7", "--flaw-rate", "0.9", "-o", str(out)],
        check=True,
        capture_output=True,
    )
    data = load([out]).store

    def answers(**kw):
        a = analyze_store(data, as_of=AS_OF, **kw)
        return (
            sorted(
                (f.rule, f.kind, f.severity, tuple(f.about), tuple(f.concerns), f.message)
                for c in a.cities
                for f in c.findings
            ),
            sorted(
                (str(r.focus), str(r.shape), str(r.severity), str(r.component), str(r.value))
                for c in a.cities
                for r in c.validation.results
            ),
        )

    fast = answers(batch_size=1)  # two batches: exercises the worker processes too
    ref = answers(reasoner="owlrl", engine="pyshacl", batch_size=10)
    assert fast == ref
    assert len(fast[0]) > 10 and len(fast[1]) > 10


@pytest.mark.parametrize("batch_size", [1, 100])
def test_validation_and_analysis_never_change_the_users_store(batch_size):
    """The principle "a function never mutates the graph it was given", for the two big entry points, in one
    process and with worker batches."""
    from sscrdf.analysis.analyze import analyze_store

    store = ox.Store()
    for path in EXAMPLE_FILES:
        store.extend(
            ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(f"https://example.org/g/{path.stem}"))
            for q in load([path]).store
        )
    before = set(store)
    validate_store(store, batch_size=batch_size)
    analyze_store(store, as_of=AS_OF, batch_size=batch_size)
    assert set(store) == before


def _chain(prop: str, n: int, extra: tuple[ox.Triple, ...] = ()) -> list[ox.Triple]:
    p = ox.NamedNode(prop)
    return [ox.Triple(ox.NamedNode(f"urn:n{i}"), p, ox.NamedNode(f"urn:n{i + 1}")) for i in range(n)] + list(extra)


def test_fast_reasoner_closes_a_transitive_chain_declared_in_the_data_exactly():
    """Every pair on a chain of a transitive property the data declares, with its inverse, nothing else."""
    t, inv = ox.NamedNode("urn:t"), ox.NamedNode("urn:inv")
    decl = (
        ox.Triple(
            t, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode(f"{OWL}TransitiveProperty")
        ),
        ox.Triple(inv, ox.NamedNode(f"{OWL}inverseOf"), t),
    )
    _, inferred = entail(_chain("urn:t", 30, decl), "fast", full=False)
    pairs = {(i, j) for i in range(31) for j in range(i + 1, 31)}
    fwd = {(int(x.subject.value[5:]), int(x.object.value[5:])) for x in inferred if x.predicate == t}
    back = {(int(x.object.value[5:]), int(x.subject.value[5:])) for x in inferred if x.predicate == inv}
    assert fwd == pairs - {(i, i + 1) for i in range(30)}
    assert back == pairs


def test_fast_reasoner_refuses_a_chain_that_would_entail_too_many_triples():
    """A skos:broader chain of 400 links entails about 2 x 400² / 2 triples (skos:broaderTransitive and its inverse):
    past 50 per given triple plus 100,000 the reasoner stops with an InputError naming the property, in well
    under the time the closure would take."""
    with pytest.raises(InputError, match=r"would infer more than 120,000 triples from 400 .*skos:\w+Transitive"):
        entail(_chain(f"{SKOS}broader", 400), "fast", full=False)
