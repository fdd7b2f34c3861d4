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
    code = (
        "import sys, sscrdf; heavy = [m for m in ('rdflib', 'pyoxigraph', 'pyshacl', 'owlrl', 'click', "
        "'sscrdf.api') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]" and out.stderr == ""
    assert sscrdf.KnowledgeBase is KnowledgeBase and "KnowledgeBase" in sscrdf.__all__
    with pytest.raises(AttributeError):
        sscrdf.NoSuchThing  # noqa: B018


def test_every_name_the_api_offers_is_there_and_the_deferred_ones_come_from_their_modules():
    """The names api.py imports when first read (README "The package", "Deferred imports") are the objects of
    the modules they come from; an unknown name is an AttributeError."""
    code = (
        "import sys\nimport sscrdf.api as api\n"
        "before = sorted(m for m in sys.modules if m.startswith(('sscrdf.server', 'sscrdf.authoring')))\n"
        "from sscrdf.server.bounded import Limits\nfrom sscrdf.server.endpoint import check_origins\n"
        "assert api.Limits is Limits and api.check_origins is check_origins\n"
        "missing = [n for n in api.__all__ if getattr(api, n, None) is None]\n"
        "try:\n    api.NoSuchThing\nexcept AttributeError:\n    print(before, missing, 'ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[] [] ok" and out.stderr == ""
    from sscrdf import api
    from sscrdf.authoring.check import Report
    from sscrdf.query.remote import Connection

    assert api.CheckReport is Report and api.Connection is Connection


def test_package_is_typed():
    assert (ROOT / "sscrdf" / "py.typed").is_file()


def test_readme_examples_run(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(
        str(ROOT / "README.md"),
        module_relative=False,
        optionflags=doctest.ELLIPSIS,
        raise_on_error=False,
        verbose=False,
    )
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
    cli_out = runner.invoke(
        cli, ["query", "engagement-gaps", str(LAKESIDE), "--format", "json", "--as-of", AS_OF.isoformat()]
    )
    assert cli_out.exit_code == 0, cli_out.output
    from sscrdf.render.report import table_json

    assert json.loads(table_json(kb.query("engagement-gaps", city, as_of=AS_OF))) == json.loads(cli_out.output)


def test_infer_equals_the_cli(kb, city, runner, cli):
    cli_out = runner.invoke(cli, ["infer", str(LAKESIDE), "--only-inferred", "--format", "nquads"])
    assert cli_out.exit_code == 0, cli_out.output
    from_cli = set(ox.parse(cli_out.output.encode(), format=ox.RdfFormat.N_QUADS))
    assert set(kb.infer(city)) == from_cli and from_cli


@pytest.mark.parametrize("fmt, method", [("text", "to_text"), ("md", "to_markdown"), ("ttl", "to_turtle")])
def test_analyze_renderings_equal_the_cli(kb, city, runner, cli, fmt, method):
    cli_out = runner.invoke(cli, ["analyze", str(LAKESIDE), "--format", fmt, "--as-of", AS_OF.isoformat()])
    assert cli_out.exit_code == 0, cli_out.output
    assert getattr(kb.analyze(city, as_of=AS_OF), method)().rstrip("\n") == cli_out.output.rstrip("\n")


def test_the_analysis_validation_report_is_the_validate_report(kb, city):
    """The validation inside an analysis renders the same SHACL report as validate: complex paths copied from
    the shapes, messages with their language (the shapes were not handed on, so both were missing)."""
    from rdflib import Graph
    from rdflib.compare import isomorphic
    from rdflib.namespace import SH

    from_analysis = Graph().parse(data=kb.analyze(city, as_of=AS_OF).validation.to_turtle(), format="turtle")
    assert isomorphic(from_analysis, Graph().parse(data=kb.validate(city).to_turtle(), format="turtle"))
    paths = [from_analysis.value(r, SH.resultPath) for r in from_analysis.subjects(None, SH.ValidationResult)]
    assert any(from_analysis.value(p, SH.inversePath) is not None for p in paths if p is not None)


@pytest.mark.parametrize("fmt, method", [("text", "to_text"), ("md", "to_markdown"), ("ttl", "to_turtle")])
def test_validate_renderings_equal_the_cli(kb, city, runner, cli, fmt, method):
    cli_out = runner.invoke(cli, ["validate", str(LAKESIDE), "--format", fmt])
    assert cli_out.exit_code == 0, cli_out.output
    api_out = getattr(kb.validate(city), method)()
    if fmt == "ttl":  # a SHACL report of blank nodes: the same graph, not necessarily the same bytes
        from rdflib import Graph
        from rdflib.compare import isomorphic

        assert isomorphic(
            Graph().parse(data=api_out, format="turtle"), Graph().parse(data=cli_out.output, format="turtle")
        )
    else:
        assert api_out.rstrip("\n") == cli_out.output.rstrip("\n")


@pytest.mark.parametrize("fmt, method", [("table", "to_text"), ("csv", "to_csv")])
def test_query_without_rules_equals_the_cli(kb, city, runner, cli, fmt, method):
    cli_out = runner.invoke(cli, ["query", "stakeholders-by-category", str(LAKESIDE), "--no-rules", "--format", fmt])
    assert cli_out.exit_code == 0, cli_out.output
    table = kb.query("stakeholders-by-category", city, rules=False)
    assert getattr(table, method)().rstrip("\n") == cli_out.output.rstrip("\n") and table.rows


def test_info_and_usage_equal_the_cli(kb, runner, cli):
    out = runner.invoke(cli, ["info", "--format", "json"])
    assert out.exit_code == 0, out.output
    info = kb.info()
    assert json.loads(out.output)["versionInfo"] == info.version_info
    assert json.loads(out.output)["totals"] == info.totals
    out = runner.invoke(cli, ["info", "--usage", "--format", "json"])
    assert out.exit_code == 0, out.output
    usage = kb.usage()
    assert json.loads(out.output) == {
        "declared": usage.declared,
        "checks": usage.checks,
        "unused": [{"term": u.term, "label": u.label, "module": u.module} for u in usage.unused],
    }


def test_queries_equal_the_cli(kb, runner, cli):
    out = runner.invoke(cli, ["queries", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert [q["id"] for q in json.loads(out.output)] == [q.id for q in kb.queries()]


def test_registers_equal_the_cli(kb, runner, cli, tmp_path):
    """template → import → export, once through the CLI and once through the API, give the same files."""
    from sscrdf.api import serialize

    assert runner.invoke(cli, ["template", "-o", str(tmp_path / "cli")]).exit_code == 0
    kb.template(tmp_path / "api")
    cli_sheets = sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert cli_sheets == sorted(p.name for p in (tmp_path / "api").iterdir()) and cli_sheets
    for name in cli_sheets:
        assert (tmp_path / "cli" / name).read_bytes() == (tmp_path / "api" / name).read_bytes()
    out = runner.invoke(cli, ["import", str(tmp_path / "cli"), "-o", str(tmp_path / "cli.ttl")])
    assert out.exit_code == 0, out.output
    quads = kb.import_register(tmp_path / "api")
    assert serialize(quads, "ttl") == (tmp_path / "cli.ttl").read_bytes()
    out = runner.invoke(cli, ["export", str(LAKESIDE), "-o", str(tmp_path / "cli-export"), "--format", "csv"])
    assert out.exit_code == 0, out.output
    result = kb.export_register(kb.load(LAKESIDE), tmp_path / "api-export", "csv")
    assert result.rows and sorted(p.name for p in (tmp_path / "cli-export").iterdir()) == sorted(
        p.name for p in (tmp_path / "api-export").iterdir()
    )
    for p in (tmp_path / "cli-export").iterdir():
        assert p.read_bytes() == (tmp_path / "api-export" / p.name).read_bytes()


def test_prepare_is_what_query_asks(kb, city):
    """The store `serve` serves and `push --what all` uploads: ontology, data, entailments and the rules' output."""
    from sscrdf.rules.engine import DERIVED_GRAPH

    store = kb.prepare(city, as_of=AS_OF)
    plain = kb.prepare(city, rules=False)
    assert set(plain) < set(store) and set(city.store) <= set(plain)
    assert {q for q in store if q.graph_name == DERIVED_GRAPH} == set(store) - set(plain)


def test_deferred_check_raises_the_same_error(kb, tmp_path, runner, cli):
    bad = tmp_path / "bad.ttl"
    bad.write_text(LAKESIDE.read_text().replace("ssc:Municipality", "ssc:Municipalty", 1))
    deferred = kb.load(bad, check="deferred")
    with pytest.raises(UnknownTermError) as later:
        kb.validate(deferred)
    with pytest.raises(UnknownTermError) as now:
        kb.load(bad)
    assert str(later.value) == str(now.value)
    out = runner.invoke(cli, ["validate", str(bad)])
    assert out.exit_code == 2 and out.output.strip() == f"error: {now.value}"


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
    store.add(
        ox.Quad(
            ox.NamedNode("http://example.org/x"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("https://w3id.org/sscrdf/ontology#Stakeholdr"),
        )
    )
    with pytest.raises(UnknownTermError, match="Stakeholder"):
        kb.validate(store)


def test_bad_engine_names_are_refused():
    with pytest.raises(ValueError):
        KnowledgeBase(engine="jena")
