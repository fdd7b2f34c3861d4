"""Release habits: licence, changelog, citation, one version source, HTML docs of the ontology, OWL 2 DL."""

from __future__ import annotations

import re
import shutil
import tomllib

import pytest
from rdflib import URIRef
from rdflib.namespace import OWL, RDF, SKOS

import sscrdf
from sscrdf.knowledge.ontology import info, ontology_graph
from sscrdf.namespaces import ONTOLOGY_IRI, SSC

from .conftest import ROOT


def _version_info() -> str:
    return info().version_info


def test_license_is_the_apache_2_text():
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX: How to apply the Apache License" in text
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "Apache-2.0"


def test_one_version_source():
    """pyproject reads the version from core.ttl; versionIRI, the installed package and CITATION.cff agree."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    hatch = project["tool"]["hatch"]["version"]
    assert hatch["path"] == "ontology/core.ttl"
    core = (ROOT / "ontology" / "core.ttl").read_text()
    assert re.search(hatch["pattern"], core).group("version") == _version_info()
    assert info().version_iri == f"{ONTOLOGY_IRI}/{_version_info()}"
    assert sscrdf.__version__ == _version_info(), "reinstall the package (pip install -e .) after a version change"
    cff = (ROOT / "CITATION.cff").read_text()
    assert re.search(r'^version: "([^"]+)"$', cff, re.M).group(1) == _version_info()


def test_changelog_has_unreleased_and_the_current_version():
    text = (ROOT / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in text
    assert re.search(rf"^## \[{re.escape(_version_info())}\] - \d{{4}}-\d{{2}}-\d{{2}}$", text, re.M)


def test_docs_writes_one_offline_page_documenting_every_term(runner, cli, tmp_path):
    out = tmp_path / "site"
    result = runner.invoke(cli, ["docs", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    page = (out / "index.html").read_text()
    assert not re.search(r'\b(src|href)="(https?:)?//', page), "no external assets or links to fetch"
    assert "<script" not in page and 'rel="stylesheet"' not in page
    g = ontology_graph(include_vocab=False)
    terms = {s for s in g.subjects(RDF.type, None) if isinstance(s, URIRef) and str(s).startswith(str(SSC))}
    for t in terms:
        assert f'id="{str(t)[len(str(SSC)) :]}"' in page, t
    # one term in full: label, definition, clause, superclass by its label
    block = page[page.index('id="Municipality"') :]
    block = block[: block.index('</div>\n<div class="term"')]
    definition = str(g.value(SSC.Municipality, SKOS.definition))
    assert "<h4>municipality " in block and definition in block.replace("&#x27;", "'")
    assert "Y Suppl. 34, clause 5.1" in block and '<a href="#Stakeholder">stakeholder</a>' in block
    assert '<span title="org:FormalOrganization">Formal Organization</span>' in block  # a W3C term by its label
    assert f"version {_version_info()}" in page


def test_docs_never_writes_over_an_input(runner, cli, tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    result = runner.invoke(cli, ["docs", "-o", str(f)])
    assert result.exit_code == 2 and f.read_text() == "x"


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java (apt-get install default-jre-headless)")
def test_hermit_finds_the_ontology_consistent_with_no_unsatisfiable_class(tmp_path):
    import owlready2  # test-only dependency (pulls in HermiT)

    path = tmp_path / "ssc.owl"
    ontology_graph(include_vocab=True).serialize(path, format="xml")
    world = owlready2.World()
    ont = world.get_ontology(path.as_uri()).load()
    with ont:  # raises OwlReadyInconsistentOntologyError when inconsistent, a Java error on a non-DL datatype
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []
    assert len(list(ont.classes())) > 100
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in ontology_graph(include_vocab=False)
