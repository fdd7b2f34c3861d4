"""The public API (sscrdf.KnowledgeBase): same results as the CLI, never mutates its input, vocabulary check
always on, light import, README examples run as doctests."""
from __future__ import annotations

import datetime as dt
import doctest
import json
import subprocess
import sys

import pyoxigraph as ox
import pytest

import sscrdf
from sscrdf import KnowledgeBase, UnknownTermError
from sscrdf.errors import InputError
from sscrdf.render.report import validation_json

from .conftest import EXAMPLES, ROOT

AS_OF = dt.date(2026, 11, 21)
LAKESIDE = EXAMPLES / "lakeside.ttl"


@pytest.fixture(scope="module")
def kb():
    return KnowledgeBase()


@pytest.fixture(scope="module")
def city(kb):
    return kb.load(LAKESIDE)


def test_import_is_light_and_side_effect_free():
    code = ("import sys, sscrdf; heavy = [m for m in ('rdflib', 'pyoxigraph', 'pyshacl', 'owlrl', 'click', "
            "'sscrdf.api') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""
    assert sscrdf.KnowledgeBase is KnowledgeBase and "KnowledgeBase" in sscrdf.__all__
    with pytest.raises(AttributeError):
        sscrdf.NoSuchThing  # noqa: B018


def test_package_is_typed():
    assert (ROOT / "sscrdf" / "py.typed").is_file()


def test_readme_examples_run(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(str(ROOT / "README.md"), module_relative=False, optionflags=doctest.ELLIPSIS,
                              raise_on_error=False, verbose=False)
    assert result.attempted >= 10
    assert result.failed == 0


def test_analyze_equals_the_cli(kb, city, runner, cli):
    cli_out = runner.invoke(cli, ["analyze", str(LAKESIDE), "--format", "json", "--as-of", AS_OF.isoformat()])
    assert cli_out.exit_code == 0, cli_out.output
    api = kb.analyze(city, as_of=AS_OF)
    assert json.loads(api.to_json()) == json.loads(cli_out.output)
    assert api.findings and api.findings == [f for c in api.cities for f in c.findings]


def test_validate_equals_the_cli(kb, city, runner, cli):
    cli_out = runner.invoke(cli, ["validate", str(LAKESIDE), "--format", "json"])
    assert cli_out.exit_code == 0, cli_out.output
    assert json.loads(validation_json(kb.validate(city), "violation")) == json.loads(cli_out.output)


def test_query_equals_the_cli(kb, city, runner, cli):
    cli_out = runner.invoke(cli, ["query", "engagement-gaps", str(LAKESIDE), "--format", "json",
                                  "--as-of", AS_OF.isoformat()])
    assert cli_out.exit_code == 0, cli_out.output
    from sscrdf.render.report import table_json

    assert json.loads(table_json(kb.query("engagement-gaps", city, as_of=AS_OF))) == json.loads(cli_out.output)


def test_infer_equals_the_cli(kb, city, runner, cli):
    cli_out = runner.invoke(cli, ["infer", str(LAKESIDE), "--only-inferred", "--format", "nquads"])
    assert cli_out.exit_code == 0, cli_out.output
    from_cli = set(ox.parse(cli_out.output.encode(), format=ox.RdfFormat.N_QUADS))
    assert set(kb.infer(city)) == from_cli and from_cli


def test_no_method_changes_the_city(kb, city):
    before = set(city.store)
    kb.analyze(city, as_of=AS_OF)
    kb.validate(city)
    kb.infer(city)
    kb.query("strategies", city, as_of=AS_OF)
    assert set(city.store) == before and len(city.store) == len(before)


def test_an_unknown_term_raises_a_typed_error(kb, tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text(LAKESIDE.read_text().replace("ssc:Municipality", "ssc:Municipalty", 1))
    with pytest.raises(UnknownTermError) as err:
        kb.load(bad)
    assert isinstance(err.value, InputError)
    assert [t.term.rsplit("#", 1)[1] for t in err.value.terms] == ["Municipalty"]
    assert err.value.terms[0].suggestion.endswith("#Municipality") and err.value.path == bad and err.value.line
    assert "did you mean ssc:Municipality?" in str(err.value)


def test_a_store_given_directly_is_checked_too(kb):
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/x"),
                      ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode("https://w3id.org/sscrdf/ontology#Stakeholdr")))
    with pytest.raises(UnknownTermError, match="Stakeholder"):
        kb.validate(store)


def test_bad_engine_names_are_refused():
    with pytest.raises(ValueError):
        KnowledgeBase(engine="jena")
