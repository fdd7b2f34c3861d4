"""Tests of the bundled SPARQL queries (``queries/*.rq``).

Every query runs on the three-city fixture ``fixtures/queries/cities.trig`` twice:

(a) on the embedded store (``knowledge_store``: ontology closure + data + the OWL 2 RL entailments of each city),
(b) on a fresh store filled from N-Quads with what `sscrdf push` uploads to a portal's SPARQL 1.1 store (the
    ontology closure, the data and its entailments, each in its own graph); the queries match classes with
    plain `a` over those entailments, because Virtuoso mis-evaluates `a/rdfs:subClassOf*` (see
    tests/test_stores.py, which runs every query on real Oxigraph and Virtuoso servers and on Jena ARQ),

and must give exactly the pinned rows, in the pinned order, on both. The fixture's graph ``ex:graph/derived``
holds hand-written derived facts and findings (as a portal would have uploaded them after ``sscrdf analyze``);
they agree with what the bundled rules derive from the three city graphs.

Every query file, bundled by anyone, must also have the four header keys, name its result columns correctly,
stay within standard SPARQL 1.1 (no SERVICE, no LOAD, no engine-specific function) and give the same rows on
both stores.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from sscrdf.knowledge.ontology import ontology_triples
from sscrdf.query.sparql import REQUIRED_QUERY_KEYS, bundled_queries, find_query, select
from sscrdf.reasoning.store import knowledge_store

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "queries" / "cities.trig"

SSC = "https://w3id.org/sscrdf/ontology#"
SSCR = "https://w3id.org/sscrdf/rules#"
SH = "http://www.w3.org/ns/shacl#"
EX = "http://example.org/"


def ssc(name: str) -> str:
    return SSC + name


def ex(name: str) -> str:
    return EX + name


# ------------------------------------------------------------------------------------------------ stores


@pytest.fixture(scope="module")
def data() -> ox.Store:
    store = ox.Store()
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    return store


@pytest.fixture(scope="module")
def embedded(data) -> ox.Store:
    """(a) the embedded store: ontology closure, the data and its entailments."""
    return knowledge_store(data)


@pytest.fixture(scope="module")
def plain(data) -> ox.Store:
    """(b) a portal's store: what `sscrdf push` uploads, round-tripped through N-Quads into a new store."""
    store = ox.Store()
    store.load(ox.serialize(knowledge_store(data), format=ox.RdfFormat.N_QUADS), format=ox.RdfFormat.N_QUADS)
    return store


# ------------------------------------------------------------------------------------------------ expected rows

CATEGORY_LABELS = {
    "Municipality": "municipality",
    "NationalOrRegionalGovernment": "national or regional government",
    "CityServicesCompany": "city services company",
    "UtilityProvider": "utility provider",
    "ICTCompany": "ICT company",
    "NGO": "non-governmental organization",
    "InternationalOrganization": "international, regional or multilateral organization",
    "IndustryAssociation": "industry association",
    "AcademiaOrResearchOrganization": "academia, research organization or specialized body",
    "CitizenOrganization": "citizen or citizen organization",
    "UrbanPlanner": "urban planner",
    "StandardsDevelopingOrganization": "standards developing organization",
}
#: the categories in the order of their labels (case-insensitive), as the queries sort them
CATEGORIES_BY_LABEL = sorted(CATEGORY_LABELS, key=lambda c: CATEGORY_LABELS[c].lower())

UNIT_LABELS = {
    "UrbanPlanningUnit": "urban planning unit",
    "SecurityAndEmergencyUnit": "security and emergency unit",
    "CitizenServicesUnit": "citizen services unit",
    "InfrastructureAndICTUnit": "infrastructure and ICT unit",
    "EnvironmentalUnit": "environmental unit",
    "TransportationUnit": "transportation unit",
    "FinanceUnit": "finance unit",
    "LegalAffairsUnit": "legal affairs unit",
    "WaterAndSanitationUnit": "water and sanitation unit",
    "CERTUnit": "CERT/CSIRT unit",
}


def category_rows(city: str, names: list[str]) -> list[tuple]:
    return [(ex(city), ssc(n), CATEGORY_LABELS[n]) for n in sorted(names, key=lambda n: CATEGORY_LABELS[n].lower())]


def unit_rows(city: str, municipality: str, names: list[str]) -> list[tuple]:
    return [
        (ex(city), ex(municipality), ssc(n), UNIT_LABELS[n])
        for n in sorted(names, key=lambda n: UNIT_LABELS[n].lower())
    ]


def count_rows(city: str, counts: dict[str, int]) -> list[tuple]:
    return [(ex(city), ssc(c), CATEGORY_LABELS[c], counts.get(c, 0)) for c in CATEGORIES_BY_LABEL]


MISSING_CATEGORIES = (
    category_rows(
        "alpha",
        [
            "CityServicesCompany",
            "NGO",
            "InternationalOrganization",
            "IndustryAssociation",
            "AcademiaOrResearchOrganization",
            "UrbanPlanner",
            "StandardsDevelopingOrganization",
        ],
    )
    + category_rows(
        "beta",
        [
            "NationalOrRegionalGovernment",
            "UtilityProvider",
            "ICTCompany",
            "InternationalOrganization",
            "IndustryAssociation",
            "CitizenOrganization",
        ],
    )
    + category_rows(
        "gamma",
        [
            "UtilityProvider",
            "NGO",
            "IndustryAssociation",
            "AcademiaOrResearchOrganization",
            "UrbanPlanner",
            "StandardsDevelopingOrganization",
        ],
    )
)

MISSING_UNITS = (
    # Alphaville has CERT, transportation and one unit that is both urban planning and citizen services
    unit_rows(
        "alpha",
        "alphaCouncil",
        [
            "SecurityAndEmergencyUnit",
            "InfrastructureAndICTUnit",
            "EnvironmentalUnit",
            "FinanceUnit",
            "LegalAffairsUnit",
            "WaterAndSanitationUnit",
        ],
    )
    # Betatown has ICT and finance units and delegates CERT and water and sanitation
    + unit_rows(
        "beta",
        "betaCouncil",
        [
            "UrbanPlanningUnit",
            "SecurityAndEmergencyUnit",
            "CitizenServicesUnit",
            "EnvironmentalUnit",
            "TransportationUnit",
            "LegalAffairsUnit",
        ],
    )
    # Gammaford has security, environmental, water and transportation units (and delegates water too)
    + unit_rows(
        "gamma",
        "gammaCouncil",
        [
            "UrbanPlanningUnit",
            "CitizenServicesUnit",
            "InfrastructureAndICTUnit",
            "FinanceUnit",
            "LegalAffairsUnit",
            "CERTUnit",
        ],
    )
)

UNASSIGNED_RESPONSIBILITIES = [
    (
        ex("alpha"),
        ssc("CitizenOrganization"),
        ssc("RecognizeSSCServiceCosts"),
        "recognize that SSC services have a price",
    ),
    (
        ex("alpha"),
        ssc("CitizenServicesUnit"),
        ssc("ReportCityProjectsToCitizens"),
        "report to citizens on the city's projects",
    ),
    (ex("alpha"), ssc("Municipality"), ssc("ProvideOpenDataPlatform"), "provide an open data platform"),
    (ex("beta"), ssc("AcademiaOrResearchOrganization"), ssc("DevelopScienceOfCities"), "develop a science of cities"),
    (ex("beta"), ssc("FinanceUnit"), ssc("PersonaliseTaxCollection"), "innovate in tax collection"),
    (
        ex("gamma"),
        ssc("Municipality"),
        ssc("EnsureAllPopulationCanParticipate"),
        "ensure everyone is informed and able to take part",
    ),
    (
        ex("gamma"),
        ssc("NationalOrRegionalGovernment"),
        ssc("DefineSSCPoliciesAndLegalFrameworks"),
        "define SSC policies and legal frameworks",
    ),
]

# only AlphaTel + Alphaville's CERT unit; not Betatown's delegated CERT company, not Gammaford's council doing
# its environmental unit's work, not Gammaford's water unit and the company it delegates water to
OVERLAPS = [
    (
        ex("alpha"),
        ssc("PreventHandleAndRespondToSecurityIncidents"),
        "prevent, handle and respond to computer security incidents",
        ex("alphaCert"),
        ex("alphaTel"),
    ),
]

# power and interest from the latest assessment: AlphaTel was High/High in 2024, Betatown Services High/High in
# 2023; the University of Betatown has two assessments on one day and the larger IRI (betaA5) counts
STRATEGIES = [
    (ex("alpha"), ex("alphaCitizens"), "Alphaville Residents' Forum", ssc("Low"), ssc("High"), ssc("KeepInformed")),
    (ex("alpha"), ex("alphaCouncil"), "Alphaville City Council", ssc("High"), ssc("High"), ssc("ManageClosely")),
    (ex("alpha"), ex("alphaGov"), "Republic of Alphaland", ssc("High"), ssc("High"), ssc("ManageClosely")),
    (ex("alpha"), ex("alphaPower"), "AlphaPower", ssc("High"), ssc("Low"), ssc("KeepSatisfied")),
    (ex("alpha"), ex("alphaTel"), "AlphaTel", ssc("High"), ssc("Low"), ssc("KeepSatisfied")),
    (ex("beta"), ex("betaCouncil"), "Betatown Municipality", ssc("High"), ssc("High"), ssc("ManageClosely")),
    (ex("beta"), ex("betaServices"), "Betatown Services Ltd", ssc("Low"), ssc("Low"), ssc("Monitor")),
    (ex("beta"), ex("betaUni"), "University of Betatown", ssc("Low"), ssc("High"), ssc("KeepInformed")),
    (ex("gamma"), ex("gammaCouncil"), "Gammaford Town Council", ssc("High"), ssc("High"), ssc("ManageClosely")),
    (ex("gamma"), ex("gammaRegion"), "Gamma Region", ssc("High"), ssc("High"), ssc("ManageClosely")),
    (ex("gamma"), ex("gammaResidents"), "Gammaford residents", ssc("Low"), ssc("High"), ssc("KeepInformed")),
]

# priority desc, then gap desc, then city and stakeholder
ENGAGEMENT_GAPS = [
    (
        ex("beta"),
        ex("betaCouncil"),
        "Betatown Municipality",
        ssc("Resistant"),
        ssc("Leading"),
        3,
        ssc("AddressConcerns"),
        6,
    ),
    (
        ex("alpha"),
        ex("alphaGov"),
        "Republic of Alphaland",
        ssc("Resistant"),
        ssc("Supportive"),
        2,
        ssc("AddressConcerns"),
        4,
    ),
    (
        ex("gamma"),
        ex("gammaResidents"),
        "Gammaford residents",
        ssc("Resistant"),
        ssc("Supportive"),
        2,
        ssc("AddressConcerns"),
        2,
    ),
    (ex("alpha"), ex("alphaPower"), "AlphaPower", ssc("Resistant"), ssc("Neutral"), 1, ssc("AddressConcerns"), 2),
    (ex("gamma"), ex("gammaRegion"), "Gamma Region", ssc("Neutral"), ssc("Supportive"), 1, ssc("Involve"), 2),
    (
        ex("alpha"),
        ex("alphaCitizens"),
        "Alphaville Residents' Forum",
        ssc("Resistant"),
        ssc("Neutral"),
        1,
        ssc("AddressConcerns"),
        1,
    ),
    (ex("beta"), ex("betaUni"), "University of Betatown", ssc("Supportive"), ssc("Leading"), 1, ssc("GiveRole"), 1),
]

PITFALLS = [
    (ex("alpha"), ssc("PowerImbalancePitfall"), "Half of Alphaville's high-power stakeholders resist the programme."),
    (
        ex("gamma"),
        ssc("UnreviewedProcessPitfall"),
        "Gammaford has not reviewed its engagement for more than twelve months.",
    ),
]

FINDINGS = [
    (
        ex("alpha"),
        ex("finding1"),
        ssc("Gap"),
        SH + "Warning",
        ex("alpha"),
        ssc("NGO"),
        "Alphaville lists no NGO among its stakeholders.",
        "Y Suppl. 34, clause 3.1",
        SSCR + "missing-category",
    ),
    (
        ex("alpha"),
        ex("finding2"),
        ssc("Risk"),
        SH + "Warning",
        ex("alpha"),
        ssc("PowerImbalancePitfall"),
        "Half of Alphaville's high-power stakeholders resist the programme.",
        "Y Suppl. 34, clause 4.2",
        SSCR + "power-imbalance",
    ),
    (
        ex("beta"),
        ex("finding4"),
        ssc("Recommendation"),
        SH + "Info",
        ex("betaCouncil"),
        ssc("ManageClosely"),
        "Manage Betatown Municipality closely.",
        "Y Suppl. 34, Table 1",
        SSCR + "strategy-recommendation",
    ),
    (
        ex("beta"),
        ex("finding3"),
        ssc("Risk"),
        SH + "Info",
        ex("betaCouncil"),
        ssc("Resistant"),
        "Betatown's municipality is resistant.",
        "Y Suppl. 34, clause 4.2",
        SSCR + "resistant-high-power",
    ),
    # one finding with two sources: two rows
    (
        ex("gamma"),
        ex("finding5"),
        ssc("Gap"),
        SH + "Warning",
        ex("gammaCouncil"),
        ssc("CERTUnit"),
        "Gammaford Town Council has no CERT/CSIRT unit and delegates the function to nobody.",
        "Y Suppl. 34, Table 2",
        SSCR + "missing-unit",
    ),
    (
        ex("gamma"),
        ex("finding5"),
        ssc("Gap"),
        SH + "Warning",
        ex("gammaCouncil"),
        ssc("CERTUnit"),
        "Gammaford Town Council has no CERT/CSIRT unit and delegates the function to nobody.",
        "Y Suppl. 34, clause 5.1",
        SSCR + "missing-unit",
    ),
    (
        ex("gamma"),
        ex("finding6"),
        ssc("Risk"),
        SH + "Warning",
        ex("gamma"),
        ssc("UnreviewedProcessPitfall"),
        "Gammaford has not reviewed its engagement for more than twelve months.",
        "Y Suppl. 34, clause 4.2",
        SSCR + "unreviewed-process",
    ),
]

STAKEHOLDERS_BY_CATEGORY = (
    count_rows(
        "alpha",
        {
            "Municipality": 1,
            "NationalOrRegionalGovernment": 1,
            "ICTCompany": 2,
            "CitizenOrganization": 1,
            "UtilityProvider": 1,
        },
    )
    + count_rows(
        "beta",
        {
            "Municipality": 1,
            "CityServicesCompany": 1,
            "AcademiaOrResearchOrganization": 1,
            "StandardsDevelopingOrganization": 1,
            "NGO": 1,
            "UrbanPlanner": 1,
        },
    )
    + count_rows(
        "gamma",
        {
            "Municipality": 1,
            "NationalOrRegionalGovernment": 1,
            "CityServicesCompany": 1,
            "InternationalOrganization": 1,
            "CitizenOrganization": 1,
            "ICTCompany": 1,
        },
    )
)

# Alphaville has a CERT unit, Betatown delegates CERT to a company
CITIES_WITHOUT_CERT = [(ex("gamma"), "Gammaford")]

MOST_MISSING_CATEGORIES = [
    (ssc("IndustryAssociation"), CATEGORY_LABELS["IndustryAssociation"], 3),
    (ssc("AcademiaOrResearchOrganization"), CATEGORY_LABELS["AcademiaOrResearchOrganization"], 2),
    (ssc("InternationalOrganization"), CATEGORY_LABELS["InternationalOrganization"], 2),
    (ssc("NGO"), CATEGORY_LABELS["NGO"], 2),
    (ssc("StandardsDevelopingOrganization"), CATEGORY_LABELS["StandardsDevelopingOrganization"], 2),
    (ssc("UrbanPlanner"), CATEGORY_LABELS["UrbanPlanner"], 2),
    (ssc("UtilityProvider"), CATEGORY_LABELS["UtilityProvider"], 2),
    (ssc("CitizenOrganization"), CATEGORY_LABELS["CitizenOrganization"], 1),
    (ssc("CityServicesCompany"), CATEGORY_LABELS["CityServicesCompany"], 1),
    (ssc("ICTCompany"), CATEGORY_LABELS["ICTCompany"], 1),
    (ssc("NationalOrRegionalGovernment"), CATEGORY_LABELS["NationalOrRegionalGovernment"], 1),
    (ssc("Municipality"), CATEGORY_LABELS["Municipality"], 0),
]

# latest assessments only: Alphaville 2 of 4 (AlphaTel resisted only before, AlphaPower had low power before),
# Betatown 1 of 1 (Betatown Services had high power only before; the university's same-day High assessment
# loses to the larger IRI), Gammaford 0 of 2 (the region resisted only before)
RESISTANT_HIGH_POWER_SHARE = [
    (ex("beta"), "Betatown", 1, 1, 1.0),
    (ex("alpha"), "Alphaville", 4, 2, 0.5),
    (ex("gamma"), "Gammaford", 2, 0, 0.0),
]

STAKEHOLDER_COUNT = [(ex("alpha"), "Alphaville", 6), (ex("beta"), "Betatown", 6), (ex("gamma"), "Gammaford", 6)]

#: Table I.1 as the ontology states it: (category, label, scale, sector); sorted by label in code-point order
TABLE_I1_PROFILE = [
    (ssc("ICTCompany"), "ICT company", ssc("SupralocalScale"), ssc("PrivateSector")),
    (ssc("AcademiaOrResearchOrganization"), CATEGORY_LABELS["AcademiaOrResearchOrganization"], ssc("LocalScale"), None),
    (
        ssc("AcademiaOrResearchOrganization"),
        CATEGORY_LABELS["AcademiaOrResearchOrganization"],
        ssc("SupralocalScale"),
        None,
    ),
    (ssc("CitizenOrganization"), CATEGORY_LABELS["CitizenOrganization"], ssc("LocalScale"), None),
    (ssc("CityServicesCompany"), "city services company", ssc("LocalScale"), ssc("PrivateSector")),
    (ssc("IndustryAssociation"), "industry association", ssc("SupralocalScale"), None),
    (ssc("InternationalOrganization"), CATEGORY_LABELS["InternationalOrganization"], ssc("LocalScale"), None),
    (ssc("InternationalOrganization"), CATEGORY_LABELS["InternationalOrganization"], ssc("SupralocalScale"), None),
    (ssc("Municipality"), "municipality", ssc("LocalScale"), ssc("PublicSector")),
    (
        ssc("NationalOrRegionalGovernment"),
        CATEGORY_LABELS["NationalOrRegionalGovernment"],
        ssc("SupralocalScale"),
        ssc("PublicSector"),
    ),
    (ssc("NGO"), CATEGORY_LABELS["NGO"], ssc("LocalScale"), None),
    (ssc("NGO"), CATEGORY_LABELS["NGO"], ssc("SupralocalScale"), None),
    (
        ssc("StandardsDevelopingOrganization"),
        CATEGORY_LABELS["StandardsDevelopingOrganization"],
        ssc("SupralocalScale"),
        None,
    ),
    (ssc("UrbanPlanner"), "urban planner", ssc("LocalScale"), None),
    (ssc("UtilityProvider"), "utility provider", ssc("SupralocalScale"), ssc("PrivateSector")),
]

#: per city: its municipality and each Table 2 unit class -> (status, holder local name, holder label)
_COVERAGE = {
    ("alpha", "alphaCouncil"): {
        "CERTUnit": ("present", "alphaCert", "Alphaville CERT"),
        "CitizenServicesUnit": ("present", "alphaPlanning", "Alphaville Planning and Citizen Services"),
        "TransportationUnit": ("present", "alphaTransport", "Alphaville Mobility Department"),
        "UrbanPlanningUnit": ("present", "alphaPlanning", "Alphaville Planning and Citizen Services"),
    },
    ("beta", "betaCouncil"): {
        "CERTUnit": ("delegated", "betaServices", "Betatown Services Ltd"),
        "FinanceUnit": ("present", "betaFinance", "Betatown Treasury"),
        "InfrastructureAndICTUnit": ("present", "betaIct", "Betatown ICT Department"),
        "WaterAndSanitationUnit": ("delegated", "betaServices", "Betatown Services Ltd"),
    },
    ("gamma", "gammaCouncil"): {
        "EnvironmentalUnit": ("present", "gammaEnv", "Gammaford Environment Office"),
        "SecurityAndEmergencyUnit": ("present", "gammaSecurity", "Gammaford Civil Protection"),
        "TransportationUnit": ("present", "gammaTransport", "Gammaford Transport Unit"),
        "WaterAndSanitationUnit": ("present", "gammaWater", "Gammaford Water Office"),
    },
}
UNIT_COVERAGE = [
    (ex(city), ex(m), ssc(u), UNIT_LABELS[u])
    + ((cov[u][0], ex(cov[u][1]), cov[u][2]) if u in cov else ("missing", None, None))
    for (city, m), cov in _COVERAGE.items()
    for u in sorted(UNIT_LABELS, key=lambda n: UNIT_LABELS[n].lower())
]


def _expected_responsibilities() -> list[tuple]:
    """The rows of expected-responsibilities computed from the asserted ontology with rdflib (an independent
    oracle: the query's rows follow the ontology, which other work extends)."""
    from rdflib import URIRef
    from rdflib.namespace import DCTERMS, RDFS

    from sscrdf.knowledge.ontology import ontology_graph

    g = ontology_graph()
    rows = set()
    for h, r in g.subject_objects(URIRef(ssc("expectedResponsibility"))):
        sources = [str(x) for x in g.objects(r, DCTERMS.source)] or [None]
        for hl in g.objects(h, RDFS.label):
            for rl in g.objects(r, RDFS.label):
                rows.update((str(h), str(hl), str(r), str(rl), src) for src in sources)
    return sorted(rows, key=lambda t: (t[1].lower(), t[3].lower(), t[4] or ""))


EXPECTED_RESPONSIBILITIES = _expected_responsibilities()

EXPECTED = {
    "stakeholder-count": (["city", "cityLabel", "stakeholders"], STAKEHOLDER_COUNT),
    "table-i1-profile": (["category", "categoryLabel", "scale", "sector"], TABLE_I1_PROFILE),
    "unit-coverage": (
        ["city", "municipality", "unitClass", "unitLabel", "status", "holder", "holderLabel"],
        UNIT_COVERAGE,
    ),
    "expected-responsibilities": (
        ["holderType", "holderLabel", "responsibility", "responsibilityLabel", "source"],
        EXPECTED_RESPONSIBILITIES,
    ),
    "missing-categories": (["city", "category", "categoryLabel"], MISSING_CATEGORIES),
    "missing-units": (["city", "municipality", "unitClass", "unitLabel"], MISSING_UNITS),
    "unassigned-responsibilities": (
        ["city", "expectedOf", "responsibility", "responsibilityLabel"],
        UNASSIGNED_RESPONSIBILITIES,
    ),
    "overlaps": (["city", "responsibility", "responsibilityLabel", "holderA", "holderB"], OVERLAPS),
    "strategies": (["city", "stakeholder", "stakeholderLabel", "power", "interest", "strategy"], STRATEGIES),
    "engagement-gaps": (
        ["city", "stakeholder", "stakeholderLabel", "current", "desired", "gap", "nextStep", "priority"],
        ENGAGEMENT_GAPS,
    ),
    "pitfalls": (["city", "pitfall", "message"], PITFALLS),
    "findings": (["city", "finding", "kind", "severity", "about", "concerns", "message", "source", "rule"], FINDINGS),
    "stakeholders-by-category": (["city", "category", "categoryLabel", "stakeholders"], STAKEHOLDERS_BY_CATEGORY),
    "cities-without-cert": (["city", "cityLabel"], CITIES_WITHOUT_CERT),
    "most-missing-categories": (["category", "categoryLabel", "citiesMissing"], MOST_MISSING_CATEGORIES),
    "resistant-high-power-share": (
        ["city", "cityLabel", "highPower", "resistantHighPower", "share"],
        RESISTANT_HIGH_POWER_SHARE,
    ),
}


# ------------------------------------------------------------------------------------------------ pinned rows


@pytest.mark.parametrize("query_id", sorted(EXPECTED))
def test_rows_on_embedded_store(query_id, embedded):
    columns, rows = EXPECTED[query_id]
    q = find_query(query_id)
    assert q.columns == columns
    table = select(embedded, q.text, source=q.path)
    assert table.columns == columns
    assert table.rows == rows


@pytest.mark.parametrize("query_id", sorted(EXPECTED))
def test_rows_on_plain_store(query_id, plain):
    columns, rows = EXPECTED[query_id]
    q = find_query(query_id)
    table = select(plain, q.text, source=q.path)
    assert table.columns == columns
    assert table.rows == rows


def test_share_is_a_decimal(plain, embedded):
    q = find_query("resistant-high-power-share")
    for store in (plain, embedded):
        res = store.query(q.text, use_default_graph_as_union=True)
        shares = [sol["share"] for sol in res]
        assert shares and all(s.datatype.value == "http://www.w3.org/2001/XMLSchema#decimal" for s in shares)


def test_derived_queries_are_empty_before_analysis(data):
    """Without the uploaded derived facts, the queries over derived vocabulary find nothing (and do not fail)."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in ontology_triples())
    store.extend(q for q in data if q.graph_name != ox.NamedNode(EX + "graph/derived"))
    for query_id in ("strategies", "engagement-gaps", "pitfalls", "findings"):
        assert select(store, find_query(query_id).text).rows == []
    # the data-only queries do not need them
    assert select(store, find_query("overlaps").text).rows == OVERLAPS
    assert select(store, find_query("resistant-high-power-share").text).rows == RESISTANT_HIGH_POWER_SHARE


def test_every_new_query_is_pinned():
    """Every bundled query has pinned rows in EXPECTED (a new query fails here until its rows are pinned), and
    nothing is pinned for a query that no longer exists."""
    ids = {q.id for q in bundled_queries()}
    pins = Path(__file__).resolve().parent / "expected" / "queries"
    on_examples = {
        p.name.split(".", 1)[1].rsplit(".", 1)[0] for p in pins.glob("*.tsv")
    }  # tests/test_example_queries.py
    unpinned = ids - set(EXPECTED) - on_examples
    assert not unpinned, f"queries without pinned rows: {sorted(unpinned)}"
    assert not set(EXPECTED) - ids, f"pinned rows of queries that do not exist: {sorted(set(EXPECTED) - ids)}"


def test_unit_coverage_agrees_with_missing_units():
    missing = [(c, m, u, label) for c, m, u, label, status, *_ in UNIT_COVERAGE if status == "missing"]
    assert sorted(missing) == sorted(MISSING_UNITS)


def test_expected_responsibilities_oracle_is_not_vacuous():
    assert len(EXPECTED_RESPONSIBILITIES) > 150
    assert {r[0] for r in EXPECTED_RESPONSIBILITIES} >= {ssc("Municipality"), ssc("CERTUnit")}


# ------------------------------------------------------------------------------------------------ every query file

ALL_QUERIES = bundled_queries()

#: SPARQL 1.1 built-in functions, aggregates and the keywords that may stand before "("
STANDARD_CALLS = {
    "STR",
    "LANG",
    "LANGMATCHES",
    "DATATYPE",
    "BOUND",
    "IRI",
    "URI",
    "BNODE",
    "RAND",
    "ABS",
    "CEIL",
    "FLOOR",
    "ROUND",
    "CONCAT",
    "STRLEN",
    "UCASE",
    "LCASE",
    "ENCODE_FOR_URI",
    "CONTAINS",
    "STRSTARTS",
    "STRENDS",
    "STRBEFORE",
    "STRAFTER",
    "YEAR",
    "MONTH",
    "DAY",
    "HOURS",
    "MINUTES",
    "SECONDS",
    "TIMEZONE",
    "TZ",
    "NOW",
    "UUID",
    "STRUUID",
    "MD5",
    "SHA1",
    "SHA256",
    "SHA384",
    "SHA512",
    "COALESCE",
    "IF",
    "STRLANG",
    "STRDT",
    "SAMETERM",
    "ISIRI",
    "ISURI",
    "ISBLANK",
    "ISLITERAL",
    "ISNUMERIC",
    "REGEX",
    "SUBSTR",
    "REPLACE",
    "EXISTS",
    "COUNT",
    "SUM",
    "MIN",
    "MAX",
    "AVG",
    "SAMPLE",
    "GROUP_CONCAT",
    "IN",
    "FILTER",
    "BIND",
    "HAVING",
    "ASC",
    "DESC",
    "BY",
    "SELECT",
    "WHERE",
    "VALUES",
    "AS",
    "DISTINCT",
    "NOT",
}
#: XSD constructor functions (casts) are standard too
XSD_CASTS = {"string", "integer", "decimal", "double", "float", "boolean", "dateTime", "date"}


def _code(text: str) -> str:
    """The query text without comments and string literals."""
    text = re.sub(r'"""(?:.|\n)*?"""|\'\'\'(?:.|\n)*?\'\'\'', '""', text)
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'', '""', text)
    return "\n".join(
        re.sub(r"#.*$", "", line) if not line.lstrip().startswith("PREFIX") else line
        for line in re.sub(r"<[^>\s]*>", "<>", text).splitlines()
    )


def _group_concat_columns(text: str) -> set[str]:
    """Variables bound to a GROUP_CONCAT, or BIND from one (e.g. COALESCE of two of them)."""
    cols = set(re.findall(r"GROUP_CONCAT\s*\((?:[^()]|\([^()]*\))*\)\s*AS\s+\?(\w+)", text, re.I))
    for expr, var in re.findall(r"BIND\((.*?)\s+AS\s+\?(\w+)\)", text, re.I):
        if any(re.search(rf"\?{c}\b", expr) for c in cols):
            cols.add(var)
    return cols


@pytest.mark.parametrize("query", ALL_QUERIES, ids=lambda q: q.id)
def test_header(query):
    for key in REQUIRED_QUERY_KEYS:
        assert query.header.get(key), f"{query.path.name} lacks '# {key}:'"
    assert query.id == query.path.stem
    assert "?" in query.header["question"], "the question should be a question"
    assert query.header["clause"].startswith(("Y Suppl. 34", "FG-SSC Master Plan"))


def test_ids_unique():
    ids = [q.id for q in ALL_QUERIES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("query", ALL_QUERIES, ids=lambda q: q.id)
def test_columns_are_the_select_variables(query, embedded):
    assert select(embedded, query.text, source=query.path).columns == query.columns


@pytest.mark.parametrize("query", ALL_QUERIES, ids=lambda q: q.id)
def test_standard_sparql_only(query):
    code = _code(query.text)
    assert not re.search(r"\bSERVICE\b", code, re.I), "SERVICE is not allowed"
    assert not re.search(r"\bLOAD\b", code, re.I), "LOAD is not allowed"
    assert not re.search(r"<>\s*\(", code), "a function named by an IRI is not standard SPARQL"
    for prefix, local in re.findall(r"\b([A-Za-z][\w-]*):([\w-]+)\s*\(", code):
        assert prefix == "xsd" and local in XSD_CASTS, f"{prefix}:{local}(...) is not a standard function"
    for name in re.findall(r"(?<![\w:?$])([A-Za-z_]\w*)\s*\(", code):
        assert name.upper() in STANDARD_CALLS, f"{name}(...) is not a SPARQL 1.1 function"


@pytest.mark.parametrize("query", ALL_QUERIES, ids=lambda q: q.id)
def test_same_rows_on_embedded_and_plain_store(query, embedded, plain):
    a = select(embedded, query.text, source=query.path)
    b = select(plain, query.text, source=query.path)
    assert a.columns == b.columns
    # SPARQL 1.1 leaves the order of the values inside GROUP_CONCAT open: compare those as sorted lists
    concat = [i for i, c in enumerate(a.columns) if c in _group_concat_columns(query.text)]

    def norm(rows):
        return [
            tuple(sorted(v.split("; ")) if i in concat and isinstance(v, str) else v for i, v in enumerate(r))
            for r in rows
        ]

    assert norm(a.rows) == norm(b.rows)
    if not concat:
        assert a.rows == b.rows


def test_standard_sparql_check_catches_extensions():
    bad = [
        "SELECT * WHERE { SERVICE <http://x/sparql> { ?s ?p ?o } }",
        "LOAD <http://x/data.ttl>",
        "PREFIX ofn: <http://www.ontotext.com/sparql/functions/> SELECT (ofn:weeksBetween(?a, ?b) AS ?w) WHERE {}",
        "SELECT (<java:org.example.Fn>(?a) AS ?w) WHERE {}",
        'SELECT (bif:contains(?a, "x") AS ?w) WHERE {}',
        "SELECT (afn:localname(?a) AS ?w) WHERE {}",
    ]
    for text in bad:
        code = _code(text)
        flagged = (
            re.search(r"\bSERVICE\b|\bLOAD\b", code)
            or re.search(r"<>\s*\(", code)
            or any(
                not (p == "xsd" and loc in XSD_CASTS)
                for p, loc in re.findall(r"\b([A-Za-z][\w-]*):([\w-]+)\s*\(", code)
            )
        )
        assert flagged, text
    assert not re.search(r"\bSERVICE\b", _code('SELECT * WHERE { ?s ?p "SERVICE" } # SERVICE'))


@pytest.mark.parametrize("query", ALL_QUERIES, ids=lambda q: q.id)
def test_sparqlwrapper_sees_a_select(query):
    """SPARQLWrapper guesses the query form from keywords even inside comments (the word "loaded" in a
    comment once made it send a query as an update): every query must be recognised as a SELECT."""
    from SPARQLWrapper import SPARQLWrapper

    sw = SPARQLWrapper("http://127.0.0.1/sparql")
    sw.setQuery(query.text)
    assert sw.queryType == "SELECT"
