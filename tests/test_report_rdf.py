"""`sscrdf validate --format ttl` writes a SHACL validation report that round-trips: after dropping what sscrdf adds
of its own, the report graph is isomorphic to pySHACL's report for the same data and shapes.

What sscrdf adds, and the comparison drops: ``dcterms:source`` (the clause of the shape) and ``ssc:inCity`` (the
city) on each result, and the results of sscrdf's integrity checks (``sscsh:StakeholderIsIRIShape``,
``sscsh:NoOntologyRedefinitionShape``, ``sscsh:DisjointClassesShape``: their sh:sourceShape is not a shape of
the shapes graph); ``sh:conforms`` is then recomputed (true when no result is left). pySHACL runs with
``allow_warnings=False``, so that its sh:conforms is SHACL's (false as soon as there is any result).

Apache Jena's SHACL engine (tests/jena/ShaclReports.java, all files in one JVM) gives the same results too, compared
result by result: Jena writes no sh:sourceConstraint and gives each result its own copy of a complex path where
pySHACL and sscrdf share one copy among the results of a shape, so blank nodes are compared by their content; and
Jena fills an IRI into a message template as <IRI> where pySHACL and sscrdf write the bare IRI.

What must survive the round trip: ``sh:resultPath`` of every path form (a copy of the path's structure:
inverse, alternative, sequence, ...), ``sh:resultMessage`` with the language tag of the shape's sh:message,
``sh:value`` and ``sh:focusNode`` when they are blank nodes, and ``sh:sourceConstraint`` (the copied SPARQL
constraint) of SHACL-SPARQL results.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import graph_diff, to_isomorphic
from rdflib.namespace import DCTERMS, RDF, SH

from sscrdf.convert import triples_to_graph
from sscrdf.io.load import load
from sscrdf.namespaces import SSC
from sscrdf.reasoning.closure import entail
from sscrdf.reasoning.store import split_by_graph
from sscrdf.render.report import validation_ttl
from sscrdf.shacl.validate import shapes_graph, validate_store

from .conftest import EXAMPLES, FIXTURES

pytestmark = pytest.mark.slow
XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
INPUTS = {
    p.name: p
    for p in [EXAMPLES / "riverton.ttl", EXAMPLES / "lakeside.ttl", *sorted((FIXTURES / "shapes").glob("*.neg.ttl"))]
}


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return shapes_graph()


def pyshacl_report(store: ox.Store, shapes: Graph) -> Graph:
    """pySHACL's reports of every city of ``store`` (the data sscrdf validates: the city's triples, the ontology
    and their entailments), merged under one sh:ValidationReport."""
    out = Graph()
    root = BNode()
    out.add((root, RDF.type, SH.ValidationReport))
    conforms = True
    for _, triples in split_by_graph(store):
        full, _ = entail(triples, "fast")
        shapes_copy = Graph()
        shapes_copy += shapes
        ok, report, _ = pyshacl.validate(
            triples_to_graph(full), shacl_graph=shapes_copy, allow_warnings=False, inplace=False
        )
        conforms &= ok
        node = report.value(None, RDF.type, SH.ValidationReport)
        for s, p, o in report:
            if s != node:
                out.add((s, p, o))
            elif p == SH.result:
                out.add((root, SH.result, o))
    out.add((root, SH.conforms, Literal(conforms)))
    return out


def without_own_additions(report: Graph, shapes: Graph) -> Graph:
    """``report`` without dcterms:source, ssc:inCity and the integrity results; sh:conforms recomputed."""
    g = Graph()
    for t in report:
        g.add(t)
    g.remove((None, DCTERMS.source, None))
    g.remove((None, SSC.inCity, None))
    shape_nodes = set(shapes.subjects())
    for result in list(g.subjects(RDF.type, SH.ValidationResult)):
        if g.value(result, SH.sourceShape) not in shape_nodes:
            g.remove((None, SH.result, result))
            g.remove((result, None, None))
    root = g.value(None, RDF.type, SH.ValidationReport)
    g.set((root, SH.conforms, Literal(not list(g.objects(root, SH.result)))))
    return g


def _term(g: Graph, node) -> str:
    """A term as text; a blank node by its content (recursively), so that shared and unshared copies agree; a string
    with or without ^^xsd:string alike (Jena writes the plain form)."""
    if isinstance(node, BNode):
        return "[" + " ; ".join(sorted(f"{p.n3()} {_term(g, o)}" for p, o in g.predicate_objects(node))) + "]"
    if isinstance(node, Literal) and node.datatype == XSD_STRING:  # RDF 1.1: "x" and "x"^^xsd:string are one term
        return Literal(str(node)).n3()
    return node.n3()


def result_set(report: Graph) -> tuple[bool, list[str]]:
    """(sh:conforms, each result as text without sh:sourceConstraint), for comparing reports result by result."""
    root = report.value(None, RDF.type, SH.ValidationReport)
    results = sorted(
        "\n".join(
            sorted(f"{p.n3()} {_term(report, o)}" for p, o in report.predicate_objects(r) if p != SH.sourceConstraint)
        )
        for r in report.objects(root, SH.result)
    )
    return bool(report.value(root, SH.conforms).toPython()), results


def _show(graph: Graph) -> str:
    return "\n".join(sorted(" ".join(t.n3()[:120] for t in triple) for triple in graph if triple[1] != SH.result))


_OURS: dict[str, Graph] = {}


def _ours(name: str, shapes: Graph) -> Graph:
    """sscrdf's ttl report of input ``name`` without its own additions, made once per test process: the pySHACL
    and the Jena comparison read the same report (and neither changes it)."""
    if name not in _OURS:
        store = load([INPUTS[name]]).store
        ours = Graph().parse(data=validation_ttl(validate_store(store, shapes=shapes)), format="turtle")
        _OURS[name] = without_own_additions(ours, shapes)
    return _OURS[name]


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_ttl_report_is_isomorphic_to_pyshacl(name, shapes):
    ours = _ours(name, shapes)
    ref = pyshacl_report(load([INPUTS[name]]).store, shapes)
    _, only_ours, only_ref = graph_diff(to_isomorphic(ours), to_isomorphic(ref))
    assert not only_ours and not only_ref, (
        f"only in sscrdf's:\n{_show(only_ours)}\nonly in pySHACL's:\n{_show(only_ref)}"
    )


def test_complex_paths_messages_and_blank_values_are_in_the_report(shapes):
    """On Lakeside: the inverse and alternative paths of the shapes come out as path structures, every message
    copied from a shape keeps its @en, and the report parses back with the same number of results."""
    store = load([EXAMPLES / "lakeside.ttl"]).store
    report = validate_store(store, shapes=shapes)
    g = Graph().parse(data=validation_ttl(report), format="turtle")
    paths = {g.value(r, SH.resultPath) for r in g.subjects(RDF.type, SH.ValidationResult)}
    forms = {p for node in paths if isinstance(node, BNode) for p in g.predicates(node, None)}
    assert SH.inversePath in forms
    assert len(list(g.subjects(RDF.type, SH.ValidationResult))) == len(report.results)
    messages = [m for m in g.objects(None, SH.resultMessage)]
    shape_messages = {str(m): m.language for m in shapes.objects(None, SH.message)}
    assert all(m.language == shape_messages[str(m)] for m in messages if str(m) in shape_messages)
    assert any(m.language == "en" for m in messages)


def test_complex_result_paths_of_every_form(tmp_path):
    """A shapes file with one property shape per path form; each result's sh:resultPath is a copy of the form,
    its message keeps its language, and a blank-node value is reported as a blank node."""
    shapes_file = tmp_path / "paths.ttl"
    shapes_file.write_text(
        """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetNode ex:a ;
  sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 ; sh:message "inverse"@en ] ,
              [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ; sh:message "sequence"@en ] ,
              [ sh:path [ sh:alternativePath ( ex:p ex:q ) ] ; sh:minCount 1 ; sh:message "alternative"@de ] ,
              [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:maxCount 0 ; sh:message "zero or more"@en ] ,
              [ sh:path [ sh:oneOrMorePath ex:p ] ; sh:minCount 1 ; sh:message "one or more"@en ] ,
              [ sh:path [ sh:zeroOrOnePath ex:q ] ; sh:maxCount 0 ; sh:message "zero or one"@en ] ,
              [ sh:path ex:r ; sh:nodeKind sh:IRI ; sh:message "blank value"@en ] .
""",
        encoding="utf-8",
    )
    data = ox.Store()
    data.add(
        ox.Quad(
            ox.NamedNode("http://example.org/a"),
            ox.NamedNode("http://example.org/r"),
            ox.BlankNode("v"),
            ox.DefaultGraph(),
        )
    )
    shapes = Graph().parse(shapes_file, format="turtle")
    report = validate_store(data, shapes=shapes)
    g = Graph().parse(data=validation_ttl(report), format="turtle")
    got = {}
    for r in g.subjects(RDF.type, SH.ValidationResult):
        m = g.value(r, SH.resultMessage)
        got[(str(m), m.language)] = g.value(r, SH.resultPath)
    assert set(got) == {
        ("inverse", "en"),
        ("sequence", "en"),
        ("alternative", "de"),
        ("zero or more", "en"),
        ("one or more", "en"),
        ("zero or one", "en"),
        ("blank value", "en"),
    }
    ex = "http://example.org/"
    assert str(g.value(got[("inverse", "en")], SH.inversePath)) == ex + "p"
    assert [str(x) for x in g.items(got[("sequence", "en")])] == [ex + "p", ex + "q"]
    assert [str(x) for x in g.items(g.value(got[("alternative", "de")], SH.alternativePath))] == [ex + "p", ex + "q"]
    assert str(g.value(got[("zero or more", "en")], SH.zeroOrMorePath)) == ex + "p"
    assert str(g.value(got[("one or more", "en")], SH.oneOrMorePath)) == ex + "p"
    assert str(g.value(got[("zero or one", "en")], SH.zeroOrOnePath)) == ex + "q"
    assert str(got[("blank value", "en")]) == ex + "r"
    blank = next(
        r for r in g.subjects(RDF.type, SH.ValidationResult) if str(g.value(r, SH.resultMessage)) == "blank value"
    )
    assert isinstance(g.value(blank, SH.value), BNode)


@pytest.fixture(scope="module")
def jena_reports(jena_arq, shapes, tmp_path_factory) -> dict[str, Graph]:
    """Jena SHACL's report of every input (its cities merged under one sh:ValidationReport), one JVM for all."""
    workdir = tmp_path_factory.mktemp("jena-shacl")
    shapes_file = workdir / "shapes.ttl"
    shapes.serialize(shapes_file, format="turtle")
    files: dict[str, list[Path]] = {}
    for i, (name, path) in enumerate(sorted(INPUTS.items())):
        for j, (_, triples) in enumerate(split_by_graph(load([path]).store)):
            full, _ = entail(triples, "fast")
            data = workdir / f"in{i:03d}-{j}.nt"
            data.write_bytes(ox.serialize(full, format=ox.RdfFormat.N_TRIPLES))
            files.setdefault(name, []).append(data)
    reports = jena_arq.shacl_reports(shapes_file, [f for fs in files.values() for f in fs])
    by_file = dict(zip([f for fs in files.values() for f in fs], reports, strict=True))
    out = {}
    for name, fs in files.items():
        merged = Graph()
        root = BNode()
        merged.add((root, RDF.type, SH.ValidationReport))
        conforms = True
        for f in fs:
            g = Graph().parse(by_file[f], format="turtle")
            node = g.value(None, RDF.type, SH.ValidationReport)
            conforms &= bool(g.value(node, SH.conforms).toPython())
            for s, p, o in g:
                if s != node:
                    merged.add((s, p, o))
                elif p == SH.result:
                    merged.add((root, SH.result, o))
        merged.add((root, SH.conforms, Literal(conforms)))
        out[name] = merged
    return out


@pytest.mark.store
@pytest.mark.parametrize("name", sorted(INPUTS))
def test_ttl_report_has_the_results_of_jena_shacl(name, shapes, jena_reports):
    assert result_set(_ours(name, shapes)) == result_set(_iris_unbracketed(jena_reports[name]))


def _iris_unbracketed(report: Graph) -> Graph:
    """Jena fills an IRI into a message template ({?value}) as <IRI>, pySHACL and sscrdf as the bare IRI (SHACL
    leaves the spelling open): Jena's messages with the brackets taken off such IRIs."""
    out = Graph()
    for s, p, o in report:
        if p == SH.resultMessage:
            o = Literal(re.sub(r"<([a-z][a-z0-9+.-]*:[^<>\s]*)>", r"\1", str(o)), lang=o.language, datatype=o.datatype)
        out.add((s, p, o))
    return out
