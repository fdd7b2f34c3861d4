"""`sscrdf check`: every kind of knowledge file, each problem with its file and line.

Negative fixtures in tests/fixtures/check/bad-* must give exactly the problems listed here; the good-* fixtures
and the bundled files none."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sscrdf.authoring.check import Report, check_all, check_ontology, check_queries, check_rules, check_shapes
from sscrdf.knowledge.ontology import declared_terms

from .conftest import ROOT

FIX = Path("tests/fixtures/check")


@pytest.fixture(autouse=True)
def _in_repo_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # problems name files relative to the current directory


def _run(fn, name):
    report = Report()
    fn([FIX / name], declared_terms(), report)
    return [str(i) for i in report.issues]


def test_bad_shapes():
    assert _run(check_shapes, "bad-shapes.ttl") == [
        "tests/fixtures/check/bad-shapes.ttl:14: shacl-shacl: ex:CountShape: Value is not Literal with datatype "
        "xsd:integer",
        "tests/fixtures/check/bad-shapes.ttl:11: sh-term: sh:minCont is not a SHACL term — did you mean sh:minCount?",
        "tests/fixtures/check/bad-shapes.ttl:8: ssc-term: unknown term ssc:Stakeholdr — did you mean ssc:Stakeholder?",
        "tests/fixtures/check/bad-shapes.ttl:24: ssc-term: unknown term ssc:hasStakholder — did you mean "
        "ssc:hasStakeholder?",
    ]


def test_bad_rule():
    assert _run(check_rules, "bad-rule.rq") == [
        "tests/fixtures/check/bad-rule.rq:1: header: the header lacks # kind:",
        "tests/fixtures/check/bad-rule.rq:5: header: explain the rule's logic in at least two comment lines under "
        "the header",
        "tests/fixtures/check/bad-rule.rq:12: sparql-syntax: error at 12:1: expected one of CEIL, IF, LANG, RAND, "
        "SHA1, TZ, UUID, YEAR, [_]",
        "tests/fixtures/check/bad-rule.rq:7: ssc-term: unknown term ssc:Municipalty — did you mean ssc:Municipality?",
    ]


def test_bad_query():
    assert _run(check_queries, "bad-query.rq") == [
        "tests/fixtures/check/bad-query.rq:2: header: # question: should be a question (end it with ?)",
        "tests/fixtures/check/bad-query.rq:4: columns: # columns: city, stakeholder differ from the SELECT "
        "variables city, s",
        "tests/fixtures/check/bad-query.rq:6: ssc-term: unknown term ssc:hasStakeholdr — did you mean "
        "ssc:hasStakeholder?",
    ]


def test_a_finding_rule_must_mint_sha1_iris(tmp_path):
    text = (FIX / "good-rule.rq").read_text().replace("# kind: fact", "# kind: finding")
    rule = tmp_path / "good-rule.rq"
    rule.write_text(text)
    report = Report()
    check_rules([rule], declared_terms(), report)
    assert [i.kind for i in report.issues] == ["finding-iri"]


@pytest.mark.parametrize(
    "fn,name", [(check_shapes, "good-shapes.ttl"), (check_rules, "good-rule.rq"), (check_queries, "good-query.rq")]
)
def test_good_fixtures_pass(fn, name):
    assert _run(fn, name) == []


def test_bundled_shapes_rules_and_queries_pass():
    from sscrdf.resources import files
    from sscrdf.shacl.validate import city_shape_files

    report = Report()
    known = declared_terms()
    check_shapes(city_shape_files(), known, report)
    check_rules(files("rules", "*.rq"), known, report)
    check_queries(files("queries", "*.rq"), known, report)
    assert [str(i) for i in report.issues] == []
    assert len(report.checked) == 3


@pytest.mark.slow
def test_bad_ontology_module():
    report = Report()
    check_ontology([FIX / "bad-ontology.ttl"], report)
    assert [str(i) for i in report.issues] == [
        "tests/fixtures/check/bad-ontology.ttl:6: meta-shape: ssc:PortAuthority: Every ontology term needs one "
        "English skos:definition written in the project's own words.",
        "tests/fixtures/check/bad-ontology.ttl:6: meta-shape: ssc:PortAuthority: Every ontology term needs "
        'dcterms:source citing its clause, e.g. "Y Suppl. 34, clause 5.1", "Y Suppl. 34, Table 2" or "FG-SSC '
        'Master Plan, clause 3.3" ("sscrdf" for technical terms).',
        "tests/fixtures/check/bad-ontology.ttl:8: undeclared: ssc:Stakeholdr: used but never declared with an "
        "rdf:type — did you mean ssc:Stakeholder?",
    ]


@pytest.mark.slow
def test_cli_check_passes_on_the_bundled_files(runner, cli):
    result = runner.invoke(cli, ["check"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "all knowledge files OK"


@pytest.mark.slow
def test_cli_check_exits_1_with_every_problem(runner, cli):
    result = runner.invoke(
        cli,
        [
            "check",
            "--shapes",
            str(FIX / "bad-shapes.ttl"),
            "--rules",
            str(FIX / "bad-rule.rq"),
            "--queries",
            str(FIX / "bad-query.rq"),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 1
    import json

    problems = json.loads(result.output)["problems"]
    assert len(problems) == 4 + 4 + 3
    assert {(p["path"], p["line"]) for p in problems if p["kind"] == "ssc-term"} == {
        ("tests/fixtures/check/bad-shapes.ttl", 8),
        ("tests/fixtures/check/bad-shapes.ttl", 24),
        ("tests/fixtures/check/bad-rule.rq", 7),
        ("tests/fixtures/check/bad-query.rq", 6),
    }


def test_check_needs_existing_files():
    from sscrdf.errors import InputError

    with pytest.raises(InputError, match="no such file"):
        check_all(shapes=[Path(os.devnull + "-absent.ttl")])
