"""The city's master plan (FG-SSC Master Plan) at work: the report section, the portal queries, the generator's
master plans, and how much of the masterplan module the checks use.

The shapes and rules themselves are tested with their fixtures in test_shapes.py and test_rules.py, and on the
examples (exact expected findings) in test_examples.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from sscrdf.analysis.analyze import analyze_store
from sscrdf.authoring.usage import unused_terms
from sscrdf.io.load import load
from sscrdf.knowledge import ontology
from sscrdf.knowledge.ontology import ontology_triples
from sscrdf.namespaces import SSC
from sscrdf.query.sparql import bundled_queries, find_query, select
from sscrdf.reasoning.store import knowledge_store
from sscrdf.render.report import analysis_json, analysis_md, analysis_quads, analysis_text

from .conftest import EXAMPLES

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2026, 11, 21)
RV, LK = "https://example.org/riverton/", "https://example.org/lakeside/"
MIN_SHARE = 0.6  # the share of master-plan terms the checks must use (it was 0 before the checks existed)


@pytest.fixture(scope="module")
def analysis():
    return analyze_store(load([EXAMPLES / "riverton.ttl", EXAMPLES / "lakeside.ttl"]).store, as_of=AS_OF)


def _city(analysis, label):
    (ca,) = [c for c in analysis.cities if c.label == label]
    return ca


# ------------------------------------------------------------------------------------------------ report


def test_text_report_has_the_master_plan_section(analysis):
    text = analysis_text(analysis)
    lakeside = text[text.index("sscrdf analysis of Lakeside") :]
    section = lakeside[lakeside.index("Master plan (FG-SSC") : lakeside.index("What to act on")].splitlines()
    assert section[0] == "Master plan (FG-SSC Master Plan, clause 3; Figure 1): now in Phase 3: action plan"
    assert "  Evaluation scopes (clause 3.4, evaluation model): none stated" in section
    assert "  Financing criteria addressed, of 4: 1" in section
    assert "    Phase 1: setting the basis for a smart sustainable city: no activity recorded" in section
    assert (
        "    Phase 2: strategic planning: identify the SSC vision (2026-03-01); obtain political approval and "
        "legitimacy (2026-06-15)"
    ) in section
    assert [ln.split()[0] for ln in section if "<- no KPI" in ln] == ["D2", "D4", "D5"]
    assert "    D6 Parking spaces with a sensor (%): target 80; last never measured" in section
    assert (
        "    Smart waste bins in the shopping streets [smart waste management]: Lakeside Business Association; "
        "2026-09-01 to 2027-03-31, no cost stated; not started"
    ) in section
    assert "http" not in "\n".join(section)


def test_json_report_has_the_master_plan_of_each_city(analysis):
    data = json.loads(analysis_json(analysis))
    plans = {c["label"]: c["masterPlan"] for c in data["cities"]}
    rv, lk = plans["Riverton"], plans["Lakeside"]
    assert rv["phase"] == str(SSC) + "ActionPlanPhase" and rv["phaseLabel"] == "Phase 3: action plan"
    assert [p["phaseLabel"][:7] for p in rv["timeline"]] == ["Phase 1", "Phase 2", "Phase 3"]
    assert [len(p["activities"]) for p in rv["timeline"]] == [3, 2, 3]
    assert [(k["notation"], k["kpis"]) for k in rv["kpiCoverage"]] == [
        ("D1", 1),
        ("D2", 1),
        ("D3", 1),
        ("D4", 1),
        ("D5", 1),
        ("D6", 2),
    ]
    assert [(a["label"], a["ownerLabel"], a["statusLabel"]) for a in rv["actions"]] == [
        ("Smart water meters in the riverfront districts", "AquaRiver Water Services", "underway"),
        ("Bus priority at traffic lights", "Riverton Mobility Department", "underway"),
        ("Flood-warning sensors along the river", "Riverton Environment and Climate Department", "not started"),
    ]
    assert {
        k: rv["overview"][k]
        for k in ("members", "mechanisms", "baseline", "criteria", "evaluationScopes", "interval", "instruments")
    } == {
        "members": 4,
        "mechanisms": 3,
        "baseline": 2,
        "criteria": 4,
        "evaluationScopes": 2,
        "interval": 12,
        "instruments": 3,
    }
    assert [(k["notation"], k["kpis"]) for k in lk["kpiCoverage"]] == [
        ("D1", 1),
        ("D2", 0),
        ("D3", 1),
        ("D4", 0),
        ("D5", 0),
        ("D6", 1),
    ]
    assert [a["cost"] for a in lk["actions"]] == [380000.0, None, 1500000.0]
    assert lk["timeline"][0]["activities"] == []


def test_markdown_report_has_the_master_plan_tables(analysis):
    md = analysis_md(analysis)
    assert md.count("## Master plan (FG-SSC Master Plan, clause 3; Figure 1)") == 2
    assert "| Phase 1: setting the basis for a smart sustainable city | **no activity recorded** | |" in md
    assert (
        "| Energy retrofit of the town hall and schools | smart buildings | Lakeside Town Council | 2027-01-01 "
        "| 2028-12-31 | 1,500,000 | not started |"
    ) in md
    assert "| D4 quality of life | **none** |" in md


def test_turtle_report_carries_plans_phases_and_action_owners(analysis):
    triples = set(analysis_quads(analysis))
    n = ox.NamedNode
    assert ox.Triple(n(RV + "city"), n(str(SSC) + "hasMasterPlan"), n(RV + "masterPlan")) in triples
    assert ox.Triple(n(LK + "masterPlan"), n(str(SSC) + "currentPhase"), n(str(SSC) + "ActionPlanPhase")) in triples
    assert (
        ox.Triple(n(LK + "actionSmartBins"), n(str(SSC) + "responsibleParty"), n(LK + "businessAssociation")) in triples
    )
    assert (
        ox.Triple(n(RV + "actionFloodSensors"), n(str(SSC) + "actionStatus"), n(str(SSC) + "ActionNotStarted"))
        in triples
    )


def test_risky_owner_gets_an_urgent_action_in_the_engagement_plan(analysis):
    lk = _city(analysis, "Lakeside")
    urgent = [r for r in lk.plan if r.stakeholder == LK + "businessAssociation" and r.priority == 1]
    assert len(urgent) == 1 and "Smart waste bins in the shopping streets" in urgent[0].instruction
    assert (
        urgent[0].due_date.isoformat() == "2026-12-21"
        if hasattr(urgent[0].due_date, "isoformat")
        else urgent[0].due_date == "2026-12-21"
    )


# ------------------------------------------------------------------------------------------------ queries


@pytest.fixture(scope="module")
def stores():
    data = load([EXAMPLES / "riverton.ttl", EXAMPLES / "lakeside.ttl"]).store
    plain = ox.Store()
    plain.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in ontology_triples())
    plain.extend(data)
    return {"embedded": knowledge_store(data), "plain": plain}


def _rows(store, query_id):
    return [tuple(r) for r in select(store, find_query(query_id).text).rows]


@pytest.mark.parametrize("kind", ["embedded", "plain"])
def test_cities_by_phase(stores, kind):
    assert [(r[0], r[1], r[3], r[4], r[5]) for r in _rows(stores[kind], "masterplan-cities-by-phase")] == [
        (str(SSC) + "ActionPlanPhase", "3", LK + "city", "Lakeside", LK + "masterPlan"),
        (str(SSC) + "ActionPlanPhase", "3", RV + "city", "Riverton", RV + "masterPlan"),
    ]


@pytest.mark.parametrize("kind", ["embedded", "plain"])
def test_kpi_coverage_across_cities(stores, kind):
    rows = _rows(stores[kind], "masterplan-kpi-coverage")
    assert [(r[0][len("https://example.org/") :], r[2], r[4]) for r in rows] == [
        ("lakeside/city", "D1", 1),
        ("lakeside/city", "D2", 0),
        ("lakeside/city", "D3", 1),
        ("lakeside/city", "D4", 0),
        ("lakeside/city", "D5", 0),
        ("lakeside/city", "D6", 1),
        ("riverton/city", "D1", 1),
        ("riverton/city", "D2", 1),
        ("riverton/city", "D3", 1),
        ("riverton/city", "D4", 1),
        ("riverton/city", "D5", 1),
        ("riverton/city", "D6", 2),
    ]


@pytest.mark.parametrize("kind", ["embedded", "plain"])
def test_most_used_funding_mechanisms(stores, kind):
    rows = _rows(stores[kind], "masterplan-funding-mechanisms")
    assert [(r[0].rsplit("#", 1)[1], r[2], r[3]) for r in rows] == [
        ("LocalGovernmentAsMajorCustomer", 1, 2),
        ("NationalOrMultinationalSubsidies", 1, 2),
        ("PrivateCompanyAgreements", 1, 1),
        ("TaxFunding", 1, 1),
        ("AdvertisingFunding", 0, 0),
        ("CooperativeProjects", 0, 0),
        ("CorporateDonations", 0, 0),
        ("LoansAndFreeCashFlow", 0, 0),
        ("TaxRedemption", 0, 0),
        ("UtilitiesAllowance", 0, 0),
    ]


def test_master_plan_queries_use_plain_type_tests():
    """Virtuoso mis-evaluates a/rdfs:subClassOf* joined with other patterns: the portal queries use plain `a`."""
    queries = [q for q in bundled_queries() if q.id.startswith("masterplan-")]
    assert len(queries) == 7
    for q in queries:
        body = "\n".join(ln for ln in q.text.splitlines() if not ln.lstrip().startswith("#"))
        assert "subClassOf" not in body, q.id


# ------------------------------------------------------------------------------------------------ generator


def _generate(tmp_path, cities, rate):
    path = tmp_path / f"mp-{rate}.trig"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "generate.py"),
            "--cities",
            str(cities),
            "--seed",
            "3",
            "--flaw-rate",
            str(rate),
            "--master-plans",
            "-o",
            str(path),
        ],
        check=True,
        capture_output=True,
    )
    return path


def test_generated_master_plans_without_flaws_raise_nothing(tmp_path):
    analysis = analyze_store(load([_generate(tmp_path, 3, 0)]).store, as_of=AS_OF)
    assert len(analysis.cities) == 3 and all(c.mp_phase for c in analysis.cities)
    mp = [
        (c.label, e.rules, e.shapes)
        for c in analysis.cities
        for e in c.entries
        if any("masterplan" in r for r in e.rules)
        or (e.shapes and any(s.rsplit("#", 1)[1] in MASTERPLAN_SHAPES for s in e.shapes))
    ]
    assert mp == []


def test_generator_without_the_flag_writes_no_master_plan(tmp_path):
    path = tmp_path / "plain.trig"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--cities", "2", "-o", str(path)],
        check=True,
        capture_output=True,
    )
    assert "hasMasterPlan" not in path.read_text(encoding="utf-8")


MASTERPLAN_SHAPES = set(
    re.findall(
        r"^sscsh:(\w+) a sh:(?:Node|Property)Shape",
        (ROOT / "shapes" / "city" / "masterplan.ttl").read_text(encoding="utf-8"),
        re.M,
    )
)


# ------------------------------------------------------------------------------------------------ coverage


def _masterplan_terms() -> set[str]:
    """The ssc: terms the masterplan module declares (labelled), without its concept schemes and collections."""
    (mod,) = [m for m in ontology.modules() if m.name == "masterplan"]
    g = ontology.module_graph(mod)
    organising = set(g.subjects(RDF.type, SKOS.ConceptScheme)) | set(g.subjects(RDF.type, SKOS.Collection))
    return {
        str(s)
        for s in g.subjects(RDFS.label, None)
        if isinstance(s, URIRef) and str(s).startswith(str(SSC)) and s not in organising
    }


def test_most_master_plan_terms_are_used_by_some_check():
    terms = _masterplan_terms()
    unused = terms & set(unused_terms())
    share = 1 - len(unused) / len(terms)
    assert len(terms) > 200
    assert share >= MIN_SHARE, f"{len(terms) - len(unused)} of {len(terms)} master-plan terms used ({share:.0%})"


def test_readme_lists_the_master_plan_terms_no_check_uses():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Master-plan terms no check uses") :]
    section = section[: section.find("\n## ", 1) if "\n## " in section[1:] else len(section)]
    unused = sorted(t[len(str(SSC)) :] for t in _masterplan_terms() & set(unused_terms()))
    missing = [t for t in unused if f"`{t}`" not in section]
    assert not missing, f"add them to the README section with the reason: {missing}"


def test_readme_states_the_share_of_master_plan_terms_used():
    """The figures of README "Master-plan terms no check uses" are the ones measured here."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Master-plan terms no check uses") :]
    used, total, percent = (int(n) for n in re.search(r"(\d+) of (\d+) \((\d+)%", section).groups())
    terms = _masterplan_terms()
    unused = terms & set(unused_terms())
    assert (used, total, percent) == (len(terms) - len(unused), len(terms), round(100 * (1 - len(unused) / len(terms))))
    assert re.search(rf"fails\s+below {MIN_SHARE:.0%}", section)
