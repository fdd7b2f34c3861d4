"""Which ontology terms the checks (rules, city shapes, queries) use: every term a check names exists, and
``sscrdf info --usage`` lists the knowledge no check puts to work."""

from __future__ import annotations

import json

from click.testing import CliRunner

from sscrdf.authoring.usage import checks, named_terms, undeclared_named_terms, unused_terms, used_terms
from sscrdf.cli import cli
from sscrdf.knowledge.ontology import declared_terms

SSC = "https://w3id.org/sscrdf/ontology#"


def test_every_term_a_rule_shape_or_query_names_is_declared():
    assert {c.kind for c in checks()} == {"rule", "query", "shape"}
    assert undeclared_named_terms() == {}
    assert named_terms() <= declared_terms()


def test_knowledge_the_checks_read_counts_as_used():
    used = used_terms()
    for local in (
        "High",
        "neededFor",
        "municipalCounterpart",
        "typicalAim",
        "typicalPotential",
        "technologyRole",
        "onionLayer",
        "OwnerMapping",
        "CitizensOwnerMapping",
        "DeploySmartGrids",
        "Interaction",
        "FeedbackGiven",
        "CityPlatform",
        "ManageIntegratedCityPlatform",
    ):
        assert SSC + local in used, local


def test_knowledge_no_check_reads_is_listed():
    unused = unused_terms()
    assert set(unused) <= declared_terms() and unused == sorted(unused)
    for local in ("MethodStep", "EngagementQuality", "GuidingPrinciple"):
        assert SSC + local in unused, local
    assert SSC + "High" not in unused and SSC + "EngagementLevels" not in unused  # schemes are left out


def test_info_usage_command():
    runner = CliRunner()
    r = runner.invoke(cli, ["info", "--usage"])
    assert r.exit_code == 0, r.output
    assert "method step  [ssc:MethodStep]" in r.output and r.output.startswith(f"{len(unused_terms())} of ")
    r = runner.invoke(cli, ["info", "--usage", "--format", "json"])
    data = json.loads(r.output)
    assert [u["term"] for u in data["unused"]] == unused_terms() and data["declared"] == len(declared_terms())
