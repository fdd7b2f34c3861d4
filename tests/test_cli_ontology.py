"""CliRunner tests: --version, --help, info, ontology check and their exit codes."""

from __future__ import annotations

import json

import pytest

from sscrdf import __version__

from .conftest import FIXTURES


def test_version(runner, cli):
    r = runner.invoke(cli, ["--version"])
    assert r.exit_code == 0 and __version__ in r.output


@pytest.mark.parametrize("args", [[], ["info"], ["ontology"], ["ontology", "check"]])
def test_help_everywhere(runner, cli, args):
    r = runner.invoke(cli, args + ["--help"])
    assert r.exit_code == 0 and "Usage:" in r.output


def test_info_text(runner, cli):
    r = runner.invoke(cli, ["info"])
    assert r.exit_code == 0, r.output
    assert "https://w3id.org/sscrdf/ontology" in r.output
    for module in ("core", "stakeholders", "units", "ministries", "engagement", "participation", "vocab/org"):
        assert f"\n{module} " in r.output


def test_info_json(runner, cli):
    r = runner.invoke(cli, ["info", "--format", "json"])
    assert r.exit_code == 0
    data = json.loads(r.output)
    assert data["ontology"] == "https://w3id.org/sscrdf/ontology"
    mods = {m["name"]: m for m in data["modules"]}
    assert mods["stakeholders"]["classes"] >= 12
    assert mods["units"]["classes"] >= 10
    assert data["totals"]["triples"] == sum(m["triples"] for m in data["modules"])


@pytest.mark.slow  # owlrl / pySHACL reference engine
def test_ontology_check_ok(runner, cli):
    r = runner.invoke(cli, ["ontology", "check"])
    assert r.exit_code == 0, r.output
    assert "ontology OK" in r.output


@pytest.mark.slow  # owlrl / pySHACL reference engine
def test_ontology_check_reports_problems_with_exit_1(runner, cli):
    r = runner.invoke(cli, ["ontology", "check", str(FIXTURES / "ontology" / "broken-term.ttl")])
    assert r.exit_code == 1
    assert "ssc:BrokenThing" in r.output and "ssc:NeverDeclared" in r.output
    assert "problem(s)" in r.output


@pytest.mark.slow  # owlrl / pySHACL reference engine
def test_ontology_check_json(runner, cli):
    r = runner.invoke(cli, ["ontology", "check", "--format", "json", str(FIXTURES / "ontology" / "broken-term.ttl")])
    assert r.exit_code == 1
    data = json.loads(r.output)
    assert data["ok"] is False
    assert {"kind", "message", "term", "module"} <= set(data["problems"][0])


def test_ontology_check_missing_file_exits_2(runner, cli, tmp_path):
    r = runner.invoke(cli, ["ontology", "check", str(tmp_path / "nope.ttl")])
    assert r.exit_code == 2
    assert "no such file" in r.output and "Traceback" not in r.output
