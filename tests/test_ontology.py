"""The ontology: modules parse, the meta-shape, consistency, Table I.1 / Table 2 / Table 3 content."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from sscrdf.authoring.check import check_ontology
from sscrdf.knowledge import ontology
from sscrdf.namespaces import SSC
from sscrdf.query.sparql import find_query, select
from sscrdf.reasoning.closure import UNSUPPORTED_AXIOMS, consistency_problems
from sscrdf.reasoning.store import knowledge_store

from .conftest import FIXTURES

MODULES = ontology.modules(include_vocab=True)


@pytest.mark.parametrize("module", MODULES, ids=[("vocab/" if m.vocab else "") + m.name for m in MODULES])
def test_each_module_parses_and_is_not_empty(module):
    triples = ontology.parse_module(module.path)
    assert len(triples) > 20


def test_expected_modules_are_present():
    names = {m.name for m in ontology.modules()}
    assert {"core", "stakeholders", "units", "ministries", "engagement", "participation"} <= names


def test_ontology_header_has_iri_version_and_licence():
    info = ontology.info()
    assert info.iri == "https://w3id.org/sscrdf/ontology"
    assert info.version_iri and info.version_iri.startswith("https://w3id.org/sscrdf/ontology/")
    assert info.version_info and info.version_iri.endswith(info.version_info)
    g = ontology.ontology_graph(include_vocab=False)
    onto = URIRef(info.iri)
    assert (onto, RDF.type, OWL.Ontology) in g
    for p in ("license", "description", "title"):
        assert g.value(onto, URIRef("http://purl.org/dc/terms/" + p)) is not None, p


@pytest.fixture(scope="module")
def check_report():
    return check_ontology()


@pytest.mark.slow  # owlrl / pySHACL reference engine
def test_bundled_ontology_passes_every_check(check_report):
    assert check_report.ok, "\n".join(map(str, check_report.issues))
    assert len(check_report.checked) == 4


@pytest.mark.slow  # owlrl / pySHACL reference engine
def test_meta_shape_catches_a_broken_term():
    report = check_ontology([FIXTURES / "ontology" / "broken-term.ttl"])
    got = {(p.kind, p.term) for p in report.issues}
    assert ("meta-shape", "ssc:BrokenThing") in got  # no definition, no source
    assert ("meta-shape", "ssc:brokenProperty") in got  # source cites no clause
    assert ("undeclared", "ssc:NeverDeclared") in got
    messages = " ".join(p.message for p in report.issues if p.term == "ssc:BrokenThing")
    assert "skos:definition" in messages and "dcterms:source" in messages
    assert not report.ok


@pytest.mark.slow  # owlrl / pySHACL reference engine
def test_a_well_formed_extension_passes():
    report = check_ontology([FIXTURES / "ontology" / "good-extension.ttl"])
    assert report.ok, "\n".join(map(str, report.issues))


@pytest.mark.slow  # owlrl / pySHACL reference engine
def test_disjointness_clash_is_an_inconsistency():
    report = check_ontology([FIXTURES / "ontology" / "inconsistent.ttl"])
    assert [p.kind for p in report.issues] == ["inconsistency"]
    assert "ConfusedThing" in report.issues[0].message


def test_syntax_error_in_a_module_names_file_and_line():
    report = check_ontology([FIXTURES / "ontology" / "syntax-error.ttl"])
    assert [p.kind for p in report.issues] == ["syntax"]
    assert "syntax-error.ttl:4" in report.issues[0].message


def test_ontology_uses_only_axioms_the_fast_reasoner_implements():
    used = {t.predicate.value for t in ontology.ontology_triples()} | {
        t.object.value
        for t in ontology.ontology_triples()
        if t.predicate.value == str(RDF.type) and isinstance(t.object, ox.NamedNode)
    }
    assert not (used & UNSUPPORTED_AXIOMS)


# ----------------------------------------------------------------------------------- content

TABLE_I1 = {  # category: (scales, sector or None) — Y Suppl. 34, Table I.1
    "Municipality": ({"LocalScale"}, "PublicSector"),
    "NationalOrRegionalGovernment": ({"SupralocalScale"}, "PublicSector"),
    "CityServicesCompany": ({"LocalScale"}, "PrivateSector"),
    "UtilityProvider": ({"SupralocalScale"}, "PrivateSector"),
    "ICTCompany": ({"SupralocalScale"}, "PrivateSector"),
    "NGO": ({"LocalScale", "SupralocalScale"}, None),
    "InternationalOrganization": ({"LocalScale", "SupralocalScale"}, None),
    "IndustryAssociation": ({"SupralocalScale"}, None),
    "AcademiaOrResearchOrganization": ({"LocalScale", "SupralocalScale"}, None),
    "CitizenOrganization": ({"LocalScale"}, None),
    "UrbanPlanner": ({"LocalScale"}, None),
    "StandardsDevelopingOrganization": ({"SupralocalScale"}, None),
}


@pytest.fixture(scope="module")
def kstore():
    return knowledge_store(ox.Store())


def _local(iri):
    return None if iri is None else iri.rsplit("#", 1)[-1]


def test_table_i1_scale_and_sector_of_all_12_categories_come_back_from_sparql(kstore):
    table = select(kstore, find_query("table-i1-profile").text)
    got: dict[str, tuple[set, set]] = {}
    for category, _label, scale, sector in table.rows:
        scales, sectors = got.setdefault(_local(category), (set(), set()))
        scales.add(_local(scale))
        if sector:
            sectors.add(_local(sector))
    assert got == {k: (v[0], {v[1]} if v[1] else set()) for k, v in TABLE_I1.items()}


def _members(g: Graph, collection: str) -> set[URIRef]:
    return set(g.objects(SSC[collection], SKOS.member))


@pytest.fixture(scope="module")
def ograph():
    return ontology.ontology_graph()


def test_every_table_2_unit_and_table_3_ministry_has_a_responsibility(ograph):
    expected = URIRef(str(SSC) + "expectedResponsibility")
    units = _members(ograph, "Table2Units")
    ministries = _members(ograph, "Table3Ministries")
    assert {_local(str(u)) for u in units} == {
        "UrbanPlanningUnit",
        "SecurityAndEmergencyUnit",
        "CitizenServicesUnit",
        "InfrastructureAndICTUnit",
        "EnvironmentalUnit",
        "TransportationUnit",
        "FinanceUnit",
        "LegalAffairsUnit",
        "WaterAndSanitationUnit",
        "CERTUnit",
    }
    assert {_local(str(m)) for m in ministries} == {
        "MinistryOfInfrastructureIndustryAndIT",
        "MinistryOfScienceAndTechnology",
        "MinistryOfEnvironment",
        "MinistryOfEnergy",
        "MinistryOfHealth",
        "MinistryOfEducation",
        "MinistryOfTransportation",
        "MinistryOfPublicSecurity",
    }
    for cls in units | ministries:
        resp = set(ograph.objects(cls, expected))
        assert resp, f"{cls} has no expected responsibility"
        for r in resp:
            assert (r, RDF.type, SSC.Responsibility) in ograph


def test_every_category_has_its_full_table_i1_profile(ograph):
    for cls in _members(ograph, "StakeholderCategories"):
        for p in (
            "typicalAim",
            "typicalChallenge",
            "typicalPotential",
            "typicalConstraint",
            "expectedResponsibility",
            "typicalScale",
        ):
            assert list(ograph.objects(cls, SSC[p])), f"{cls} lacks {p}"
    assert len(_members(ograph, "StakeholderCategories")) == 12


def test_table_2_collaborations_are_in_the_ontology(ograph):
    party = SSC.collaborationParty
    pairs = {
        frozenset(_local(str(c)) for c in ograph.objects(p, party))
        for p in ograph.subjects(RDF.type, SSC.CollaborationPattern)
    }
    for pair in [
        ("EnvironmentalUnit", "TransportationUnit"),
        ("EnvironmentalUnit", "HousingUnit"),
        ("SecurityAndEmergencyUnit", "HealthUnit"),
        ("SecurityAndEmergencyUnit", "TransportationUnit"),
        ("SecurityAndEmergencyUnit", "InfrastructureAndICTUnit"),
        ("SecurityAndEmergencyUnit", "CitizenServicesUnit"),
        ("CitizenServicesUnit", "FinanceUnit"),
    ]:
        assert frozenset(pair) in pairs, pair


def test_table_3_links_to_municipal_counterparts(ograph):
    cp = SSC.municipalCounterpart
    links = {(_local(str(s)), _local(str(o))) for s, o in ograph.subject_objects(cp)}
    assert {
        ("MinistryOfEnvironment", "EnvironmentalUnit"),
        ("MinistryOfTransportation", "TransportationUnit"),
        ("MinistryOfPublicSecurity", "SecurityAndEmergencyUnit"),
        ("MinistryOfInfrastructureIndustryAndIT", "InfrastructureAndICTUnit"),
    } <= links
    assert (SSC.MinistryOfEnergy, SSC.neededFor, SSC.DeploySmartGrids) in ograph


@pytest.mark.parametrize(
    "scheme,members",
    [
        ("EngagementLevels", ["Unaware", "Resistant", "Neutral", "Supportive", "Leading"]),
        ("PowerInterestLevels", ["Low", "High"]),
        ("CoreValues", None),
        ("MethodSteps", ["IdentificationStep", "CategorizationStep", "DetailedAnalysisStep"]),
        ("EngagementQualities", None),
        ("OnionLayers", ["CoreLayer", "InteractionLayer", "OuterLayer"]),
    ],
)
def test_ordered_vocabularies_are_ranked_in_order(ograph, scheme, members):
    ranked = sorted(
        (int(ograph.value(c, SSC.rank)), _local(str(c))) for c in ograph.subjects(SKOS.inScheme, SSC[scheme])
    )
    assert [r for r, _ in ranked] == list(range(1, len(ranked) + 1))
    if members:
        assert [n for _, n in ranked] == members
    expected_sizes = {"CoreValues": 6, "EngagementQualities": 9}
    if scheme in expected_sizes:
        assert len(ranked) == expected_sizes[scheme]


def test_power_interest_grid_gives_four_strategies(ograph):
    grid = {
        (_local(str(ograph.value(s, SSC.forPowerLevel))), _local(str(ograph.value(s, SSC.forInterestLevel)))): _local(
            str(s)
        )
        for s in ograph.subjects(RDF.type, SSC.EngagementStrategy)
    }
    assert grid == {
        ("High", "High"): "ManageClosely",
        ("High", "Low"): "KeepSatisfied",
        ("Low", "High"): "KeepInformed",
        ("Low", "Low"): "Monitor",
    }


def test_principles_pitfalls_and_clause_5_city_things(ograph):
    assert len(set(ograph.subjects(RDF.type, SSC.GuidingPrinciple))) == 4
    assert len(set(ograph.subjects(RDF.type, SSC.Pitfall))) == 3
    for cls in (
        "SSCInitiative",
        "CityPlatform",
        "OpenDataPlatform",
        "KPIBasedTender",
        "ParticipatoryProcess",
        "Survey",
        "GrievanceMechanism",
        "FeedbackChannel",
        "PriorInformationAccess",
        "OfflineParticipationMeans",
        "MunicipalAlliance",
        "ConsultationProcess",
    ):
        assert (SSC[cls], RDF.type, OWL.Class) in ograph, cls
    for cls in ("ActiveStakeholder",):
        assert (SSC[cls], RDF.type, OWL.Class) not in ograph  # LFA participation is a SKOS vocabulary
    for c in (
        "Active",
        "Beneficiary",
        "Affected",
        "PotentialSupporter",
        "PotentialOpponent",
        "EnablerOfTechnology",
        "DriverOfTechnology",
        "EnablerOfSSC",
    ):
        assert (SSC[c], RDF.type, OWL.NamedIndividual) in ograph, c
    assert (SSC.PotentialSupporter, SKOS.broader, SSC.Affected) in ograph


@pytest.mark.slow  # owlrl / pySHACL reference engine
def test_ontology_alone_is_consistent(ograph):
    assert consistency_problems(ograph) == []
