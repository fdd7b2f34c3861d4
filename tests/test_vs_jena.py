"""The comparison behind `benchmarks/run.py --vs-jena` (benchmarks/vs_jena.py), on two generated cities.

Not timed (timings are the benchmark's): Apache Jena's own SHACL command line validates what sscrdf validates
(the ontology with its entailments, each city with its own), and its sh:ValidationResults must be exactly
sscrdf's (focus, path, shape, severity, constraint component, value, as multisets), as listed by the validator and
in the analysis JSON of `sscrdf analyze`. The comparison itself must see a result that one side lacks. Skips when
Java or Debian's libapache-jena-java is not installed (.ci/run installs both).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from sscrdf.io.load import load

from .stores import StoreUnavailable, jena_classpath

ROOT = Path(__file__).resolve().parent.parent
EX = "http://example.org/"


@pytest.fixture(scope="module")
def vs_jena() -> ModuleType:
    spec = importlib.util.spec_from_file_location("vs_jena", ROOT / "benchmarks" / "vs_jena.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def compared(vs_jena, tmp_path_factory):
    """Two generated cities, Jena's report on them and the comparison with sscrdf's results."""
    work = tmp_path_factory.mktemp("vs-jena")
    try:
        jena_classpath(work)
    except StoreUnavailable as exc:
        pytest.skip(f"jena: {exc}")
    data = work / "cities.trig"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--cities", "2", "-o", str(data)],
        check=True,
        capture_output=True,
    )
    analysis = work / "analysis.json"
    analyzed = subprocess.run(
        [sys.executable, "-m", "sscrdf.cli", "analyze", str(data), "--as-of", "2026-11-21", "--format", "json"]
        + ["-o", str(analysis)],
        check=False,
        capture_output=True,
        timeout=300,
    )
    assert analyzed.returncode in (0, 1), analyzed.stderr.decode()[-1500:]  # 1: the cities have findings
    store = load([data]).store
    inputs = vs_jena.write_inputs(store, work / "jena")
    run = subprocess.run(
        vs_jena.jena_command(work / "jena", inputs["shapes"], inputs["data"], "1g"),
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode()[-1500:]
    report = work / "jena-report.ttl"
    report.write_bytes(run.stdout)
    return store, report, vs_jena.compare(store, report, analysis)


@pytest.mark.store
def test_jena_finds_exactly_the_results_of_sscrdf(compared):
    _, _, result = compared
    assert result["sscrdf_vs_jena"]["equal"], result["sscrdf_vs_jena"]
    assert result["analysis_json_vs_sscrdf"]["equal"], result["analysis_json_vs_sscrdf"]
    assert result["jena_results"] == result["sscrdf_results"] > 0
    assert result["jena_conforms"] is False


@pytest.mark.store
def test_the_comparison_sees_a_missing_result(compared, vs_jena, tmp_path):
    """One sh:result taken out of Jena's report: the comparison names exactly that result as sscrdf's only."""
    store, report, _ = compared
    g = Graph().parse(report, format="turtle")
    root = g.value(None, RDF.type, SH.ValidationReport)
    dropped = sorted(g.objects(root, SH.result), key=lambda r: str(g.value(r, SH.focusNode)))[0]
    key = vs_jena.result_key(g, dropped)
    g.remove((root, SH.result, dropped))
    g.remove((dropped, None, None))
    fewer = tmp_path / "fewer.ttl"
    g.serialize(fewer, format="turtle")
    diff = vs_jena.compare(store, fewer)["sscrdf_vs_jena"]
    assert (diff["equal"], diff["only_first"], diff["only_second"]) == (False, 1, 0)
    assert diff["examples_only_first"] == [[*key, 1]]


def test_blank_nodes_compare_by_content(vs_jena):
    """A complex path copied into a report (a new blank node) has the key of the shape's own path; a plain literal
    is an xsd:string; a blank node without properties is []."""
    shapes, report = Graph(), Graph()
    for g in (shapes, report):
        path, lst, rest = BNode(), BNode(), BNode()
        g.add((path, SH.alternativePath, lst))
        g.add((lst, RDF.first, URIRef(EX + "p")))
        g.add((lst, RDF.rest, rest))
        g.add((rest, RDF.first, URIRef(EX + "q")))
        g.add((rest, RDF.rest, RDF.nil))
        g.add((URIRef(EX + "shape"), SH.path, path))
    keys = [vs_jena.node_key(g, g.value(URIRef(EX + "shape"), SH.path)) for g in (shapes, report)]
    assert (
        keys[0]
        == keys[1]
        == (
            f"[<{SH.alternativePath}> [<{RDF.first}> <{EX}p> ; <{RDF.rest}> [<{RDF.first}> <{EX}q> ; "
            f"<{RDF.rest}> <{RDF.nil}>]]]"
        )
    )
    xsd_string = URIRef("http://www.w3.org/2001/XMLSchema#string")
    assert vs_jena.node_key(shapes, Literal("a")) == vs_jena.node_key(shapes, Literal("a", datatype=xsd_string))
    assert vs_jena.node_key(shapes, Literal("a", lang="EN")) == '"a"@en'
    assert vs_jena.node_key(shapes, BNode()) == "[]"


def test_the_json_spelling_of_a_complex_path_and_a_blank_value(vs_jena):
    """Results hold sscrdf.terms terms: a complex path (a blank node) is spelt "(complex path)" and a blank-node
    value "(blank node)", as the analysis JSON spells them (a check on rdflib's BNode alone missed 1,280 results
    at 1,000 cities)."""
    from sscrdf import terms
    from sscrdf.shacl.results import Result

    r = Result(
        focus=terms.IRI(EX + "s"),
        shape=terms.IRI(EX + "shape"),
        severity=terms.IRI(str(SH.Warning)),
        component=terms.IRI(str(SH.MinCountConstraintComponent)),
        path=terms.BNode("b0"),
        value=terms.BNode("b1"),
        message="m",
    )
    [(severity, focus, path, value, shape, _)] = list(vs_jena.json_spelling([r]))
    assert (severity, focus, path, value, shape) == (
        "Warning",
        EX + "s",
        "(complex path)",
        "(blank node)",
        EX + "shape",
    )
