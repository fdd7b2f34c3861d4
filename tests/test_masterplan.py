"""The master-plan module (ontology/masterplan.ttl): phases, activities and the FG-SSC Master Plan vocabularies."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from sscrdf.knowledge import ontology
from sscrdf.namespaces import SSC
from sscrdf.query.sparql import select
from sscrdf.reasoning.store import knowledge_store

PREFIXES = """
PREFIX ssc:     <https://w3id.org/sscrdf/ontology#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""

PHASES = ["SettingTheBasisPhase", "StrategicPlanningPhase", "ActionPlanPhase", "ManagementPlanPhase"]


def _local(iri) -> str:
    return str(iri).rsplit("#", 1)[-1]


@pytest.fixture(scope="module")
def kstore():
    return knowledge_store(ox.Store())


@pytest.fixture(scope="module")
def module_graph():
    (mod,) = [m for m in ontology.modules() if m.name == "masterplan"]
    return ontology.module_graph(mod)


@pytest.fixture(scope="module")
def schemes(module_graph) -> list[str]:
    found = sorted(_local(s) for s in module_graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert found, "the master-plan module declares no concept scheme"
    return found


def test_the_four_phases_come_back_in_order_from_sparql(kstore):
    table = select(
        kstore,
        PREFIXES
        + """
        SELECT ?phase ?notation ?rank ?label WHERE {
            ?phase a ssc:MasterPlanPhase ; skos:inScheme ssc:MasterPlanPhases ;
                   skos:notation ?notation ; ssc:rank ?rank ; rdfs:label ?label .
        } ORDER BY ?rank""",
    )
    assert [_local(r[0]) for r in table.rows] == PHASES
    assert [r[1] for r in table.rows] == ["1", "2", "3", "4"]
    assert [int(r[2]) for r in table.rows] == [1, 2, 3, 4]
    assert all(r[3] for r in table.rows)


def test_phases_are_the_top_concepts_of_their_scheme(module_graph):
    tops = {_local(c) for c in module_graph.objects(SSC.MasterPlanPhases, SKOS.hasTopConcept)}
    assert tops == set(PHASES)


def test_each_phase_has_activities_and_each_activity_one_phase(kstore):
    table = select(
        kstore,
        PREFIXES
        + """
        SELECT ?phase (COUNT(DISTINCT ?activity) AS ?n) WHERE {
            ?phase a ssc:MasterPlanPhase ; ssc:rank ?rank .
            OPTIONAL { ?activity ssc:partOfPhase ?phase ; a ssc:MasterPlanActivity }
        } GROUP BY ?phase ?rank ORDER BY ?rank""",
    )
    counts = {_local(p): int(n) for p, n in table.rows}
    assert list(counts) == PHASES
    for phase, n in counts.items():
        assert n >= 1, f"{phase} has no activity"
    # the clause 3.1-3.4 steps: 8 in phase 1, 10 in phase 2, 8 in phase 3 (incl. items a-f), 4 in phase 4
    assert counts == {
        "SettingTheBasisPhase": 8,
        "StrategicPlanningPhase": 10,
        "ActionPlanPhase": 8,
        "ManagementPlanPhase": 4,
    }

    phases_of = select(
        kstore,
        PREFIXES
        + """
        SELECT ?activity (COUNT(DISTINCT ?phase) AS ?n) WHERE {
            ?activity a ssc:MasterPlanActivity .
            OPTIONAL { ?activity ssc:partOfPhase ?phase }
        } GROUP BY ?activity""",
    )
    assert phases_of.rows
    assert all(int(n) == 1 for _, n in phases_of.rows), phases_of.rows


def test_activity_notations_start_with_their_phase_number(kstore):
    table = select(
        kstore,
        PREFIXES
        + """
        SELECT ?activity ?notation ?phaseNotation WHERE {
            ?activity ssc:partOfPhase ?phase ; skos:notation ?notation ; skos:inScheme ssc:MasterPlanActivities .
            ?phase skos:notation ?phaseNotation .
        }""",
    )
    assert len(table.rows) == 30
    for activity, notation, phase_notation in table.rows:
        assert notation.split(".")[0] == phase_notation, activity


def test_phase_activity_is_the_inverse_of_part_of_phase(kstore):
    table = select(
        kstore,
        PREFIXES
        + """
        SELECT ?activity WHERE { ssc:ActionPlanPhase ssc:phaseActivity ?activity }""",
    )
    assert {_local(r[0]) for r in table.rows} >= {"PlanSSCServices", "DefineSSCKPIs", "PlanInfrastructureAndPlatform"}


def test_every_added_scheme_is_non_empty_and_every_member_cites_a_master_plan_clause(kstore, schemes):
    for scheme in schemes:
        table = select(
            kstore,
            PREFIXES
            + f"""
            SELECT ?member (GROUP_CONCAT(?source; separator="|") AS ?sources) WHERE {{
                ?member skos:inScheme ssc:{scheme} .
                OPTIONAL {{ ?member dcterms:source ?source }}
            }} GROUP BY ?member""",
        )
        assert table.rows, f"ssc:{scheme} has no member"
        for member, sources in table.rows:
            cited = (sources or "").split("|")
            assert any(s.startswith("FG-SSC Master Plan, clause") for s in cited), (_local(member), cited)


def test_expected_schemes_are_added(schemes):
    assert {
        "MasterPlanPhases",
        "MasterPlanActivities",
        "SSCServiceAreas",
        "KPIDimensions",
        "PhysicalPerspectiveLayers",
        "InformationFlowPerspectiveLayers",
        "FundingMechanisms",
        "ManagementPlanElements",
    } <= set(schemes)


@pytest.mark.parametrize(
    "scheme,members",
    [
        (
            "SSCServiceAreas",
            {
                "SmartWaterManagement",
                "SmartEnergyManagement",
                "SmartTransportationManagement",
                "SmartWasteManagement",
                "SmartHealthcare",
                "SmartEducation",
                "SmartSecurity",
                "SmartBuildings",
                "ClimateChangeServices",
            },
        ),
        (
            "ManagementPlanElements",
            {"GovernanceOfImplementation", "FinancingModel", "EvaluationModel", "DisseminationAndCommunication"},
        ),
        (
            "PhysicalPerspectiveLayers",
            {"SensingLayer", "NetworkLayer", "DataAndSupportLayer", "ApplicationLayer", "OAMPAndSecurityFramework"},
        ),
        (
            "InformationFlowPerspectiveLayers",
            {
                "UsersLayer",
                "PresentationsLayer",
                "ApplicationLayer",
                "BusinessLayer",
                "CommunicationsLayer",
                "DataLayer",
                "SensingLayer",
            },
        ),
        (
            "SecurityDimensions",
            {"PhysicalAndEnvironmentalSecurity", "SystemSecurity", "NetworkSecurity", "DataAndApplicationSecurity"},
        ),
    ],
)
def test_scheme_members_are_those_the_report_names(module_graph, scheme, members):
    assert {_local(c) for c in module_graph.subjects(SKOS.inScheme, SSC[scheme])} == members


def test_table_3_has_ten_funding_mechanisms(module_graph):
    assert len(set(module_graph.subjects(SKOS.inScheme, SSC.FundingMechanisms))) == 10
    assert all(
        (m, RDF.type, SSC.FundingMechanism) in module_graph
        for m in module_graph.subjects(SKOS.inScheme, SSC.FundingMechanisms)
    )


def test_kpi_dimensions_d1_to_d6_with_their_table_1_sub_dimensions(kstore):
    table = select(
        kstore,
        PREFIXES
        + """
        SELECT ?dn (COUNT(DISTINCT ?sub) AS ?n) WHERE {
            ?dim a ssc:KPIDimension ; skos:topConceptOf ssc:KPIDimensions ; skos:notation ?dn .
            ?sub a ssc:KPISubDimension ; skos:broader ?dim ; skos:inScheme ssc:KPIDimensions .
        } GROUP BY ?dn ORDER BY ?dn""",
    )
    assert [(dn, int(n)) for dn, n in table.rows] == [("D1", 4), ("D2", 2), ("D3", 4), ("D4", 3), ("D5", 2), ("D6", 5)]
    notations = select(
        kstore,
        PREFIXES
        + """
        SELECT ?sn ?dn WHERE { ?sub a ssc:KPISubDimension ; skos:notation ?sn ; skos:broader ?dim .
                               ?dim skos:notation ?dn }""",
    )
    for sn, dn in notations.rows:
        assert sn.startswith(dn + "."), (sn, dn)


def test_an_initiative_in_a_phase_is_recognised_by_the_reasoner():
    data = ox.Store()
    data.load(
        b"""
        @prefix ssc: <https://w3id.org/sscrdf/ontology#> .
        @prefix ex:  <https://example.org/city#> .
        ex:pilot ssc:inPhase ssc:ActionPlanPhase ; ssc:addressesServiceArea ssc:SmartWaterManagement ;
                 ssc:fundedThrough ssc:NationalOrMultinationalSubsidies .
        """,
        format=ox.RdfFormat.TURTLE,
    )
    store = knowledge_store(data)
    table = select(
        store,
        PREFIXES
        + """
        SELECT ?phase ?rank WHERE {
            <https://example.org/city#pilot> a ssc:SSCInitiative ; ssc:inPhase ?phase .
            ?phase ssc:rank ?rank }""",
    )
    assert [(_local(p), int(r)) for p, r in table.rows] == [("ActionPlanPhase", 3)]


def test_module_reuses_existing_terms_without_redeclaring_them(module_graph):
    for term in ("SSCInitiative", "CityPlatform", "KPIBasedTender", "hasInitiative", "ParticipationMechanism"):
        assert (URIRef(SSC[term]), RDF.type, None) not in module_graph, term
    assert (SSC.inPhase, URIRef("http://www.w3.org/2000/01/rdf-schema#domain"), SSC.SSCInitiative) in module_graph
    assert (SSC.inPhase, URIRef("http://www.w3.org/2000/01/rdf-schema#range"), SSC.MasterPlanPhase) in module_graph
