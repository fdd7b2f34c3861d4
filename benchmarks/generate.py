#!/usr/bin/env python3
"""Synthetic stakeholder registers of smart sustainable cities, for the sscrdf scale benchmark.

    python benchmarks/generate.py --cities 100 [--seed 1] [--flaw-rate 0.3] [--stats] -o cities.trig

writes a TriG dataset with one named graph per city, ``<https://bench.sscrdf.example/city/NNNN/graph>``, whose
IRIs all live under ``https://bench.sscrdf.example/city/NNNN/``. Each city looks like ``examples/riverton.ttl``
and has about 1,800 triples: a municipality with the Table 2 units, 48-60 stakeholders in the twelve
categories (typed with their sub-kinds), national ministries, one or two dated assessments per stakeholder,
participation mechanisms, platforms, initiatives, a KPI-based tender and an alliance.

The knowledge the cities are built from is read from ``ontology/*.ttl`` when the generator starts (the
categories and their sub-kinds, typical scale/sector/LFA participation/technology role, the expected
responsibilities of every category, unit and ministry, the Table 2 units, the collaboration patterns and the
Table 3 ministries, the engagement levels and their ranks), so the generator follows the ontology when it
changes. Only names, sizes and probabilities are written here.

Flaws: each city gets each kind of flaw (FLAWS below) independently with probability ``--flaw-rate``. A flaw
kind with several variants (which category is missing, which assessment property is wrong, ...) takes them in
turn over the file, so that every variant - and so every shape in ``shapes/city`` - shows up once the kind has
occurred a handful of times. The flaws for the rules come from data: a city that draws the ``rule-fixture``
flaw gets the positive fixtures of a few rules (``tests/fixtures/rules/<id>.pos.ttl``, each a small city on which
its rule fires), in turn, copied in with their IRIs renamed into the city's namespace (``transplant`` below).
So a new rule with its fixtures fires on generated cities without any change to this script. With
``--flaw-rate 0`` every city is complete and correct: it conforms to the shapes and the rules derive no finding
about it (for an analysis dated 2026-11-21; see benchmarks/README.md).

Deterministic: the same ``--cities``, ``--seed`` and ``--flaw-rate`` give a byte-identical file (each city has
its own random.Random seeded from the seed and its number; no clock, no set order). City k is the same in a
file of N >= k cities as long as the seed and the flaw rate are the same. The output is written city by city
(never the whole dataset in memory) to a temporary file that replaces ``-o`` only when complete.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

SSC = "https://w3id.org/sscrdf/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
BASE = "https://bench.sscrdf.example/city/"

PREFIXES = {
    "ssc": SSC,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": RDFS,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}

# The dates of the data. Ordinary dates fall in FIRST_DATE..LAST_DATE; the rules are meant to be run with
# AS_OF (`sscrdf analyze --as-of 2026-11-21`), so that a city whose latest assessment is before STALE_BEFORE
# (twelve months earlier, ssc:reviewPeriodMonths) has an overdue review and the others do not.
FIRST_DATE = dt.date(2024, 1, 1)
LAST_DATE = dt.date(2026, 6, 30)
AS_OF = dt.date(2026, 11, 21)
STALE_BEFORE = dt.date(2025, 11, 21)
FRESH_FROM = dt.date(2025, 12, 1)  # latest assessments of an up-to-date city (each within the review period)
FUTURE_YEAR = 2030  # the "date in the future" flaw

# The flaw kinds, in the order they are drawn for each city (the order is part of the determinism).
FLAWS: dict[str, str] = {
    "missing-category": "no stakeholder of one (sometimes two) of the twelve categories; the municipality variant "
    "keeps the council but does not list it in ssc:hasStakeholder",
    "missing-unit": "one or two Table 2 units absent and their function not delegated",
    "missing-responsibility": "one to three responsibilities Table 2 expects of a unit held by nobody",
    "unit-without-responsibility": "a unit (a Table 2 unit, or an extra housing unit) with no ssc:hasResponsibility",
    "responsibility-overlap": "a unit's Table 2 responsibility also held by a company, or by a second unit",
    "missing-collaboration": "one to three ssc:collaboratesWith links that a Table 2 collaboration pattern asks for "
    "left out",
    "unit-structure": "a unit without org:unitOf, a unit of two organisations, or a unit that collaborates with a "
    "company",
    "high-power-unaware": "one or two high-power stakeholders whose latest assessment is Unaware or Resistant",
    "power-imbalance": "high power held mostly by private companies, NGOs and citizen organisations all low power",
    "exclusivity": "no citizen organisation, no NGO or no offline means of participation",
    "missing-mechanism": "no grievance mechanism, prior access to information, feedback channel or offline means",
    "stale-assessments": "every assessment of the city older than twelve months before 2026-11-21",
    "mechanism-order": "the grievance mechanism or the prior access to information established after a "
    "consultation started",
    "mechanism-date": "a participation mechanism with an establishment or start date that is not one xsd:date",
    "incomplete-stakeholder": "one to three stakeholders without scale, sector, assessment, name or category",
    "wrong-vocabulary": "a declared ssc: term in the wrong place (ssc:powerLevel ssc:Neutral, ssc:scale "
    "ssc:PublicSector, ...)",
    "future-date": f"an assessment dated in {FUTURE_YEAR}",
    "two-power-levels": "an assessment with both ssc:High and ssc:Low as ssc:powerLevel",
    "incomplete-assessment": "one to three assessments without stakeholder, level, date or assessor, with two "
    "stakeholders, a text stakeholder or a malformed date",
    "overdue-commitment": "a commitment to a stakeholder past its due date and still open",
    "overdue-grievance": "a grievance open longer than the grievance mechanism promises",
    "no-feedback": "a consultation session whose participants were never told how their input was used",
    "no-interaction": "a high-power stakeholder with no interaction since its latest assessment",
    "engagement-decline": "a stakeholder whose engagement level went down between its two latest assessments",
    "dependency-risk": "smart grids planned while the ministry they need (Table 3) is unaware",
    "strategy-onion": "a stakeholder to be managed closely placed in the outer layer of the onion",
    "unheld-outside-duty": "a duty Table I.1 gives an outside category (not the city's to assign) held by nobody",
    "incomplete-record": "a commitment without stakeholder or due date, a grievance without the date raised, or an "
    "interaction without stakeholder",
}


# ---------------------------------------------------------------------------------------------- ontology


def _ontology_dir() -> Path:
    here = Path(__file__).resolve().parent.parent / "ontology"
    if here.is_dir():
        return here
    from sscrdf.resources import data_dir  # an installed sscrdf carries its own copy

    return Path(data_dir("ontology"))


def _local(iri: str) -> str | None:
    return iri[len(SSC) :] if iri.startswith(SSC) else None


class Ontology:
    """What the generator needs from ``ontology/*.ttl`` (the ssc: modules, not the W3C subsets)."""

    def __init__(self, directory: Path | None = None):
        import pyoxigraph as ox

        directory = directory or _ontology_dir()
        self.triples: list[tuple[str, str, str]] = []
        for path in sorted(directory.glob("*.ttl")):
            with path.open("rb") as fh:
                for q in ox.parse(fh, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()):
                    s, p, o = q.subject, q.predicate, q.object
                    if isinstance(s, ox.NamedNode):
                        ov = o.value if isinstance(o, (ox.NamedNode, ox.Literal)) else None
                        if ov is not None:
                            self.triples.append((s.value, p.value, ov))
        self._po: dict[tuple[str, str], list[str]] = {}
        self._ps: dict[tuple[str, str], list[str]] = {}
        for s, p, o in self.triples:
            self._po.setdefault((s, p), []).append(o)
            self._ps.setdefault((p, o), []).append(s)
        self.declared = sorted({_local(s) for s, p, _ in self.triples if p == RDF_TYPE and _local(s)})
        declared = set(self.declared)

        def ssc_objs(s: str, p: str) -> list[str]:
            return sorted({_local(o) for o in self._po.get((SSC + s, p), []) if _local(o)})

        def ssc_subjs(p: str, o: str) -> list[str]:
            return sorted({_local(s) for s in self._ps.get((p, o), []) if _local(s)})

        self.ssc_objs, self.ssc_subjs = ssc_objs, ssc_subjs
        sco = RDFS + "subClassOf"
        self.superclasses: dict[str, list[str]] = {}
        for c in self.declared:
            self.superclasses[c] = ssc_objs(c, sco)

        self.categories = ssc_objs("StakeholderCategories", SKOS + "member")
        self.table2_units = ssc_objs("Table2Units", SKOS + "member")
        self.table3_ministries = ssc_objs("Table3Ministries", SKOS + "member")
        self.extra_units = [c for c in ssc_subjs(sco, SSC + "MunicipalUnit") if c not in self.table2_units]
        # sub-kinds of each category (direct subclasses; the ministries are handled apart)
        self.subkinds = {k: [c for c in ssc_subjs(sco, SSC + k) if c != "Ministry"] for k in self.categories}
        self.expected = {c: ssc_objs(c, SSC + "expectedResponsibility") for c in self.declared}
        self.unit_responsibilities = sorted(
            {r for u in self.table2_units + self.extra_units for r in self.expected.get(u, [])}
        )
        self.typical = {
            k: {
                "scale": ssc_objs(k, SSC + "typicalScale"),
                "sector": ssc_objs(k, SSC + "typicalSector"),
                "lfa": ssc_objs(k, SSC + "typicalLfaParticipation"),
                "tech": ssc_objs(k, SSC + "typicalTechnologyRole"),
            }
            for k in self.categories
        }
        self.delegable = {u: ssc_objs(u, SSC + "mayBeDelegatedTo") for u in self.table2_units}
        self.patterns = []
        for p in ssc_subjs(RDF_TYPE, SSC + "CollaborationPattern"):
            parties = ssc_objs(p, SSC + "collaborationParty")
            lead = ssc_objs(p, SSC + "collaborationLead")
            self.patterns.append((p, parties, lead[0] if lead else None))

        def ranked(cls: str) -> list[str]:
            members = ssc_subjs(RDF_TYPE, SSC + cls)
            rank = {m: int(self._po[(SSC + m, SSC + "rank")][0]) for m in members}
            return sorted(members, key=lambda m: rank[m])

        self.levels = ranked("EngagementLevel")  # Unaware < ... < Leading
        self.power_levels = ranked("PowerInterestLevel")  # Low < High
        self.onion_of_level = {lv: (ssc_objs(lv, SSC + "impliesOnionLayer") or [None])[0] for lv in self.levels}
        #: ministry class -> the responsibilities that need its support (Table 3, ssc:neededFor)
        self.needed_for = {
            m: ssc_objs(m, SSC + "neededFor") for m in self.table3_ministries if ssc_objs(m, SSC + "neededFor")
        }
        self.lfa_values = ssc_subjs(RDF_TYPE, SSC + "LfaParticipation")
        self.scales = ssc_subjs(RDF_TYPE, SSC + "Scale")
        self.sectors = ssc_subjs(RDF_TYPE, SSC + "Sector")
        self.labels = {}
        for s, p, o in self.triples:
            if p == RDFS + "label" and _local(s):
                self.labels.setdefault(_local(s), o)

        needed = set(USED_TERMS) | set(self.categories) | set(self.table2_units) | set(self.table3_ministries)
        missing = sorted(needed - declared)
        if missing or len(self.levels) != 5 or len(self.power_levels) != 2 or not self.categories:
            what = ", ".join("ssc:" + m for m in missing) or "five ranked engagement levels and two power levels"
            raise SystemExit(f"generate.py: the ontology in {directory} lacks what the generator needs: {what}")

    def closure(self, cls: str) -> list[str]:
        """``cls`` and all its ssc: superclasses, in a fixed order."""
        out, todo = [], [cls]
        while todo:
            c = todo.pop(0)
            if c not in out:
                out.append(c)
                todo.extend(self.superclasses.get(c, []))
        return out

    def category_of(self, cls: str) -> str | None:
        for c in self.closure(cls):
            if c in self.categories:
                return c
        return None


# The ssc: terms the generator writes by name (checked against the ontology at start-up).
USED_TERMS = [
    "City",
    "hasStakeholder",
    "hasPlatform",
    "hasInitiative",
    "hasTender",
    "hasParticipationMechanism",
    "memberOfAlliance",
    "MunicipalAlliance",
    "Municipality",
    "NationalGovernment",
    "RegionalGovernment",
    "CityServicesCompany",
    "NGO",
    "CitizenOrganization",
    "ICTCompany",
    "UtilityProvider",
    "UrbanPlanner",
    "scale",
    "sector",
    "lfaParticipation",
    "technologyRole",
    "onionLayer",
    "hasResponsibility",
    "delegatesFunctionTo",
    "delegatedFunction",
    "collaboratesWith",
    "HousingUnit",
    "HealthUnit",
    "EngagementAssessment",
    "assessedStakeholder",
    "powerLevel",
    "interestLevel",
    "currentLevel",
    "desiredLevel",
    "High",
    "Low",
    "Unaware",
    "Resistant",
    "Neutral",
    "Supportive",
    "Leading",
    "LocalScale",
    "SupralocalScale",
    "PublicSector",
    "PrivateSector",
    "NonProfitSector",
    "Active",
    "Beneficiary",
    "Affected",
    "PotentialSupporter",
    "PotentialOpponent",
    "CityPlatform",
    "OpenDataPlatform",
    "managedBy",
    "SSCInitiative",
    "KPIBasedTender",
    "kpi",
    "GrievanceMechanism",
    "ConsultationProcess",
    "PriorInformationAccess",
    "FeedbackChannel",
    "OfflineParticipationMeans",
    "Survey",
    "ParticipatoryProcess",
    "establishedOn",
    "startDate",
    "WaterAndSanitationUnit",
    "UrbanPlanningUnit",
    "InfrastructureAndICTUnit",
    "Interaction",
    "interactionWith",
    "interactionKind",
    "conductedBy",
    "feedbackOn",
    "MeetingInteraction",
    "ConsultationSession",
    "FeedbackGiven",
    "Commitment",
    "commitmentTo",
    "commitmentStatus",
    "madeBy",
    "dueDate",
    "OpenStatus",
    "DoneStatus",
    "Grievance",
    "raisedBy",
    "raisedOn",
    "resolvedOn",
    "grievanceStatus",
    "viaMechanism",
    "promisedResolutionDays",
    "influences",
    "dependsOn",
    "cooperatesWith",
    "represents",
    "CoreLayer",
    "InteractionLayer",
    "OuterLayer",
    "neededFor",
    "dutiesAssignedByCity",
]


# ---------------------------------------------------------------------------------------------- names

CITY_HEADS = [
    "Al",
    "Bel",
    "Cor",
    "Dun",
    "El",
    "Fair",
    "Glen",
    "Har",
    "Ing",
    "Kings",
    "Lin",
    "Mar",
    "Nor",
    "Oak",
    "Pem",
    "Quin",
    "Ros",
    "Sil",
    "Tam",
    "Ul",
    "Val",
    "Wes",
    "Ash",
    "Bran",
    "Crest",
    "Dray",
    "Ever",
    "Ferr",
    "Gold",
    "Hollow",
    "Iver",
    "Lake",
    "Mill",
    "New",
    "Or",
    "Port",
    "Red",
    "Stone",
    "Thorn",
    "West",
]
CITY_TAILS = [
    "mere",
    "ford",
    "haven",
    "bridge",
    "ton",
    "field",
    "port",
    "wick",
    "stead",
    "burg",
    "dale",
    "mouth",
    "brook",
    "gate",
    "holm",
    "ley",
    "minster",
    "shire",
    "water",
    "wood",
]
COUNTRIES = [
    "Valdoria",
    "Norland",
    "Estmark",
    "Caladria",
    "Severia",
    "Lunaria",
    "Ostravia",
    "Meridia",
    "Borealis",
    "Tessaly",
    "Arvonia",
    "Kestria",
]
REGION_HEADS = ["Northern", "Southern", "Eastern", "Western", "Upper", "Lower", "Central", "Coastal"]
REGION_TAILS = ["Valley", "Coast", "Plains", "Highlands", "Lakes", "Basin", "Hills", "Delta"]
WORDS = [
    "Aqua",
    "Lumen",
    "Civitas",
    "Nimbus",
    "Terra",
    "Nova",
    "Vega",
    "Orion",
    "Helix",
    "Quantum",
    "Meridian",
    "Polar",
    "Summit",
    "Cobalt",
    "Argent",
    "Bright",
    "Clear",
    "Delta",
    "Ember",
    "Falcon",
    "Granite",
    "Harbor",
    "Iris",
    "Juniper",
    "Kestrel",
    "Lotus",
    "Maple",
    "Nexus",
    "Opal",
    "Prism",
    "Quarry",
    "Raven",
    "Sable",
    "Tidal",
    "Umber",
    "Vertex",
    "Willow",
    "Zenith",
    "Beacon",
    "Circuit",
    "Signal",
    "Pioneer",
    "Atlas",
]
FIRST_NAMES = [
    "Jonas",
    "Amira",
    "Lena",
    "Tomas",
    "Ines",
    "Karim",
    "Mei",
    "Oskar",
    "Sofia",
    "Ravi",
    "Nadia",
    "Pavel",
    "Elena",
    "Hugo",
    "Aisha",
    "Marek",
    "Yara",
    "Felix",
    "Chiara",
    "Diego",
]
LAST_NAMES = [
    "Weber",
    "Novak",
    "Haddad",
    "Lindqvist",
    "Moreau",
    "Okafor",
    "Tanaka",
    "Kowalski",
    "Rossi",
    "Fernandes",
    "Ibrahim",
    "Jensen",
    "Petrov",
    "Silva",
    "Costa",
    "Brandt",
    "Keller",
    "Dubois",
]

# Label templates per class (ssc: local name): {city}, {region}, {country}, {word}, {first}, {last}.
NAME_TEMPLATES = {
    "CityServicesCompany": [
        "{city} Transit Company",
        "{word} Waste Services",
        "{word} Energy Services",
        "{city} Parking Company",
        "{city} Facility Services",
        "{word} Street Lighting Ltd",
        "{city} Public Housing Company",
        "{word} Mobility Services",
        "{city} Ferries",
    ],
    "UtilityProvider": [
        "{word} Energy",
        "{region} Gas Distribution",
        "{word} District Heating",
        "{word}Grid Electricity",
        "{region} Water Utility",
        "{word} Power and Light",
    ],
    "TelecomOperator": ["{word}Tel Communications", "{word} Mobile", "{word} Fibre Networks"],
    "StartUp": ["{word}Sense Analytics", "Park{word}", "{word} Labs", "{word}Flow", "{word} Robotics"],
    "SoftwareCompany": ["{word} Systems", "{word} GIS", "{word} Software", "{word} Data Platforms"],
    "ICTCompany": ["{word} Data Centres", "{word} IoT Solutions", "{word} Digital Services"],
    "NGO": [
        "Friends of {city} Parks",
        "Digital Inclusion {city}",
        "{city} Housing Rights",
        "{region} Climate Action",
        "{city} Clean Air Coalition",
        "Open Knowledge {city}",
        "{city} Food Bank Network",
        "{region} Rivers Trust",
    ],
    "UNAgency": [
        "UN-Habitat regional office",
        "UNDP country office {country}",
        "UNEP liaison office {country}",
        "ITU regional office",
        "UNESCO field office {country}",
    ],
    "InternationalOrganization": [
        "Continental Investment Bank",
        "{word} Development Bank",
        "World Cities Fund",
        "Global Covenant of Mayors, {country} chapter",
    ],
    "IndustryAssociation": [
        "{city} Chamber of Commerce",
        "{country} Smart City Industry Council",
        "{region} Tech Cluster",
        "{country} Association of Utilities",
        "{region} Builders' Federation",
    ],
    "University": ["University of {city}", "{region} Polytechnic", "{city} Institute of Technology"],
    "ResearchOrganization": [
        "Urban Futures Institute",
        "{country} Energy Research Centre",
        "{word} Institute for Mobility Research",
    ],
    "ConsultingFirm": ["{word} Sustainability Consulting", "{word} Urban Advisory"],
    "AcademiaOrResearchOrganization": ["{city} Applied Sciences Academy"],
    "CitizenGroup": [
        "{city} Residents' Forum",
        "{city} Seniors' Council",
        "{city} Cyclists' Union",
        "{city} Youth Council",
        "{word} Street Neighbourhood Association",
        "{city} Parents' Network",
        "{city} Disability Forum",
        "{city} Tenants' Union",
    ],
    "Citizen": ["{first} {last}"],
    "CitizenOrganization": ["{city} Citizens' Assembly"],
    "UrbanPlanner": [
        "{word} Planning Partners",
        "{region} Metropolitan Planning Agency",
        "{country} Institute of Town Planners, {region} chapter",
        "{word} Urban Design Studio",
    ],
    "StandardsDevelopingOrganization": [
        "{country} National Standards Institute",
        "Open City Standards Forum",
        "{region} Interoperability Consortium",
    ],
}
STAKEHOLDER_COMMENTS = [
    "Took part in the kick-off workshop of the SSC roadmap.",
    "Signed the city's open data charter.",
    "Asked to be consulted before any new sensor deployment.",
    "Co-funds one of the pilot projects.",
    "Meets the stakeholder office every quarter.",
    "Has its own smart-city strategy, to be aligned with the city's.",
    "Joined the steering group in 2025.",
    "Contact made through the mayor's office.",
]
ASSESSMENT_COMMENTS = {
    "Unaware": ["Had not heard of the SSC programme.", "Not yet approached."],
    "Resistant": ["Opposes the planned phase-out of its current service model.", "Fears higher costs."],
    "Neutral": ["Follows the programme without taking a position.", "Waiting for the pilot results."],
    "Supportive": ["Agreed to join a pilot.", "Shares its data with the city platform."],
    "Leading": ["Leads one of the SSC initiatives.", "Chairs a working group of the roadmap."],
}

# How many stakeholders each category gets (min, max, weight for the remainder), and the weight of each of its
# sub-kinds ("" = the category class itself). The government category is built apart (national government,
# regional government, ministries). A category or sub-kind the ontology adds later gets weight 1.
CATEGORY_SIZES = {
    "CityServicesCompany": (2, 7, 3),
    "UtilityProvider": (2, 5, 2),
    "ICTCompany": (3, 10, 4),
    "NGO": (2, 7, 3),
    "InternationalOrganization": (1, 4, 1),
    "IndustryAssociation": (1, 4, 1),
    "AcademiaOrResearchOrganization": (2, 6, 2),
    "CitizenOrganization": (3, 8, 3),
    "UrbanPlanner": (1, 4, 1),
    "StandardsDevelopingOrganization": (1, 3, 1),
}
SUBKIND_WEIGHTS = {
    "ICTCompany": {"TelecomOperator": 3, "StartUp": 3, "SoftwareCompany": 3, "": 1},
    "InternationalOrganization": {"UNAgency": 3, "": 2},
    "AcademiaOrResearchOrganization": {"University": 4, "ResearchOrganization": 3, "ConsultingFirm": 3, "": 0},
    "CitizenOrganization": {"CitizenGroup": 7, "Citizen": 3, "": 0},
}
# Sector of the categories for which Table I.1 states none (class -> choices).
DEFAULT_SECTORS = {
    "NGO": ["NonProfitSector"],
    "InternationalOrganization": ["PublicSector"],
    "IndustryAssociation": ["NonProfitSector"],
    "University": ["PublicSector"],
    "ResearchOrganization": ["PublicSector", "NonProfitSector"],
    "ConsultingFirm": ["PrivateSector"],
    "AcademiaOrResearchOrganization": ["PublicSector"],
    "CitizenOrganization": ["NonProfitSector"],
    "UrbanPlanner": ["PrivateSector", "PublicSector", "NonProfitSector"],
    "StandardsDevelopingOrganization": ["PublicSector", "NonProfitSector"],
}
# Probability of high power and of high interest, by class (then by category).
POWER_INTEREST = {
    "Municipality": (1.0, 1.0),
    "NationalGovernment": (0.9, 0.4),
    "RegionalGovernment": (0.8, 0.7),
    "Ministry": (0.5, 0.5),
    "CityServicesCompany": (0.35, 0.7),
    "UtilityProvider": (0.6, 0.5),
    "TelecomOperator": (0.6, 0.7),
    "StartUp": (0.05, 0.8),
    "SoftwareCompany": (0.3, 0.6),
    "ICTCompany": (0.3, 0.6),
    "NGO": (0.1, 0.8),
    "InternationalOrganization": (0.3, 0.5),
    "IndustryAssociation": (0.1, 0.5),
    "AcademiaOrResearchOrganization": (0.1, 0.7),
    "CitizenOrganization": (0.1, 0.8),
    "Citizen": (0.0, 0.6),
    "UrbanPlanner": (0.3, 0.7),
    "StandardsDevelopingOrganization": (0.05, 0.3),
}
CIVIL = ("NGO", "CitizenOrganization")


# ---------------------------------------------------------------------------------------------- RDF model


def lit(text: str, lang: str | None = None) -> str:
    s = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{s}"@{lang}' if lang else f'"{s}"'


def date_lit(d: dt.date) -> str:
    return f'"{d.isoformat()}"^^xsd:date'


def ssc(name: str) -> str:
    return "ssc:" + name


def nice_title(text: str) -> str:
    """'ministry of energy' -> 'Ministry of Energy' (words already in capitals stay as they are)."""
    small = {"of", "and", "or", "the", "for", "in"}
    words = text.split()
    return " ".join(w if (i and w in small) else w[:1].upper() + w[1:] for i, w in enumerate(words))


class Res:
    """One subject and its properties (predicate -> objects, both already written as Turtle terms)."""

    __slots__ = ("deleted", "props", "subject")

    def __init__(self, subject: str):
        self.subject, self.props, self.deleted = subject, {}, False

    def add(self, p: str, *objs: str) -> Res:
        lst = self.props.setdefault(p, [])
        for o in objs:
            if o not in lst:
                lst.append(o)
        return self

    def set(self, p: str, *objs: str) -> Res:
        self.props.pop(p, None)
        return self.add(p, *objs) if objs else self

    def drop(self, p: str, obj: str | None = None) -> None:
        if obj is None:
            self.props.pop(p, None)
        elif obj in self.props.get(p, []):
            self.props[p].remove(obj)
            if not self.props[p]:
                del self.props[p]

    def get(self, p: str) -> list[str]:
        return list(self.props.get(p, []))

    def count(self) -> int:
        return 0 if self.deleted else sum(len(v) for v in self.props.values())

    def turtle(self) -> str:
        parts = []
        for p, objs in self.props.items():
            if objs:
                sep = ",\n        " if len(objs) > 4 else ", "
                parts.append(("a" if p == "rdf:type" else p) + " " + sep.join(objs))
        return f"{self.subject} " + " ;\n    ".join(parts) + " .\n" if parts else ""


class Cycler:
    """Hands out the variants of each flaw kind in turn, over the whole file."""

    def __init__(self):
        self.next: Counter = Counter()
        self.used: dict[str, Counter] = {}

    def pick(self, kind: str, variants: list[str], ok=lambda v: True) -> str | None:
        n = len(variants)
        for i in range(n):
            v = variants[(self.next[kind] + i) % n]
            if ok(v):
                self.next[kind] += 1
                self.used.setdefault(kind, Counter())[v] += 1
                return v
        return None


# ---------------------------------------------------------------------------------------------- a city


class CityBuilder:
    def __init__(self, onto: Ontology, index: int, width: int, rng: random.Random, flaws: set[str], cyc: Cycler):
        self.o, self.rng, self.flaws, self.cyc = onto, rng, flaws, cyc
        self.num = f"{index:0{width}d}"
        self.prefix = f"c{self.num}"
        self.iri = f"{BASE}{self.num}/"
        self.res: list[Res] = []
        self.by_name: dict[str, Res] = {}
        self.labels_used: set[str] = set()
        self.stakeholders: list[dict] = []  # {name, cls, category, res, sector, ...}
        self.units: dict[str, Res] = {}  # unit class -> the unit
        self.assessments: dict[str, list[Res]] = {}  # stakeholder name -> its assessments, oldest first
        self.touched: set[str] = set()  # stakeholders a flaw already changed
        self.variants: list[str] = []  # "kind:variant" applied

    # -- helpers
    def node(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    def new(self, name: str) -> Res:
        base, i = name, 2
        while name in self.by_name:
            name, i = f"{base}{i}", i + 1
        r = Res(self.node(name))
        self.res.append(r)
        self.by_name[name] = r
        return r

    def date(self, lo: dt.date, hi: dt.date) -> dt.date:
        if hi < lo:
            hi = lo
        return lo + dt.timedelta(days=self.rng.randint(0, (hi - lo).days))

    def fill(self, template: str) -> str:
        r = self.rng
        return template.format(
            city=self.city_name,
            region=self.region,
            country=self.country,
            word=r.choice(WORDS),
            first=r.choice(FIRST_NAMES),
            last=r.choice(LAST_NAMES),
        )

    def label_for(self, cls: str) -> str:
        templates = NAME_TEMPLATES.get(cls) or NAME_TEMPLATES.get(self.o.category_of(cls) or "", [])
        if not templates:
            templates = ["{word} " + self.o.labels.get(cls, cls).title()]
        for _ in range(20):
            label = self.fill(self.rng.choice(templates))
            if label not in self.labels_used:
                break
        else:
            label = f"{label} {len(self.labels_used)}"
        self.labels_used.add(label)
        return label

    @staticmethod
    def slug(label: str) -> str:
        words = re.findall(r"[A-Za-z0-9]+", label)
        s = words[0].lower() + "".join(w[:1].upper() + w[1:] for w in words[1:]) if words else "x"
        return s if s[0].isalpha() else "s" + s

    def register_id(self, kind: str) -> str:
        """The row number of an entry in the city's own register (as in a CSV register's id column)."""
        self.row = getattr(self, "row", 0) + 1
        return f"{self.city_name[:3].upper()}-{kind}-{self.row:04d}"

    def flaw(self, kind: str, variants: list[str], ok=lambda v: True) -> str | None:
        """The next variant of a flaw kind (in turn over the file)."""
        v = self.cyc.pick(kind, variants, ok)
        if v is not None:
            self.variants.append(f"{kind}:{v}")
        return v

    def note(self, kind: str, variant: str) -> None:
        """Record a variant chosen otherwise than in turn (for --stats)."""
        self.cyc.used.setdefault(kind, Counter())[variant] += 1
        self.variants.append(f"{kind}:{variant}")

    # -- the whole city
    def build(self) -> list[Res]:
        r, o = self.rng, self.o
        self.city_name = r.choice(CITY_HEADS) + r.choice(CITY_TAILS)
        self.country = r.choice(COUNTRIES)
        self.region = f"{r.choice(REGION_HEADS)} {r.choice(REGION_TAILS)}"
        population = r.randint(40, 900) * 1000
        self.stale = "stale-assessments" in self.flaws

        # structural decisions taken before anything is built
        self.dropped: list[str] = []
        if "missing-category" in self.flaws:
            self.dropped.append(self.flaw("missing-category", o.categories))
            if r.random() < 0.3:
                extra = r.choice([c for c in o.categories if c not in self.dropped and c != "Municipality"])
                self.dropped.append(extra)
                self.note("missing-category", extra)
        # exclusivity: the city has left out a whole part of society (its stakeholders are not drawn at all, so
        # that the city keeps its size) or offers no offline means of participation
        self.excluded = None
        if "exclusivity" in self.flaws:
            self.excluded = self.flaw("exclusivity", ["CitizenOrganization", "NGO", "OfflineParticipationMeans"])
        self.missing_units: list[str] = []
        if "missing-unit" in self.flaws:
            self.missing_units.append(self.flaw("missing-unit", o.table2_units))
            if r.random() < 0.3:
                extra = r.choice([u for u in o.table2_units if u not in self.missing_units])
                self.missing_units.append(extra)
                self.note("missing-unit", extra)
        # a unit whose function Table 2 allows to hand over (water and sanitation) is delegated in a third of
        # the cities: that is correct data, not a flaw
        self.delegated = {
            u: cats[0]
            for u, cats in o.delegable.items()
            if cats and u not in self.missing_units and cats[0] not in self.dropped and r.random() < 0.35
        }

        self.city = self.new("city")
        self.city.add("rdf:type", ssc("City")).add("rdfs:label", lit(self.city_name))
        about = f"Fictional city of about {population:,} inhabitants in the {self.region} region of {self.country}; "
        self.city.add(
            "dcterms:description",
            lit(about.replace(",", " ") + f"synthetic register number {self.num} of the sscrdf scale benchmark.", "en"),
        )
        self.office = self.new("stakeholderOffice")
        self.office.add("rdf:type", "prov:Agent").add("rdfs:label", lit(f"{self.city_name} SSC Stakeholder Office"))
        self.assessors = [self.office]
        if r.random() < 0.4:
            consultant = self.new("assessmentConsultant")
            consultant.add("rdf:type", "prov:Agent").add("rdfs:label", lit(f"{r.choice(WORDS)} Engagement Consultants"))
            consultant.add("rdfs:comment", lit("Consultants who made part of the engagement assessments.", "en"))
            self.assessors.append(consultant)

        self.build_municipality()
        self.build_stakeholders()
        self.build_units()
        self.assign_responsibilities()
        self.build_collaborations()
        self.build_assessments()
        self.balance_power()
        self.build_city_assets()
        self.build_mechanisms()
        self.apply_flaws()
        self.build_records()
        return self.res

    # -- stakeholders
    def add_stakeholder(
        self,
        cls: str,
        *,
        label: str | None = None,
        sector: str | None = None,
        scale: str | None = None,
        listed: bool = True,
    ) -> dict:
        o, r = self.o, self.rng
        category = o.category_of(cls)
        label = label or self.label_for(cls)
        self.labels_used.add(label)
        res = self.new(self.slug(label))
        res.add("rdf:type", ssc(cls)).add("rdfs:label", lit(label))
        res.add("dcterms:identifier", lit(self.register_id("S")))
        if cls != "Citizen" and r.random() < 0.7:
            res.add("foaf:homepage", f"<https://www.{res.subject.split(':', 1)[1].lower()}.example/>")
        typical = o.typical.get(category, {})
        if scale is None:
            scales = typical.get("scale") or o.scales
            scale = "LocalScale" if cls == "Citizen" else r.choice(scales)
            if r.random() < 0.12:
                scale = r.choice(o.scales)
        if sector is None:
            sectors = (
                DEFAULT_SECTORS.get(cls) or typical.get("sector") or DEFAULT_SECTORS.get(category) or ["PublicSector"]
            )
            sector = r.choice(sectors)
            if cls == "CityServicesCompany" and r.random() < 0.4:
                sector = "PublicSector"  # city-owned companies
        res.add("ssc:scale", ssc(scale)).add("ssc:sector", ssc(sector))
        lfa = typical.get("lfa") or ["Active"]
        value = r.choice(lfa) if r.random() < 0.65 else r.choice(o.lfa_values)
        res.add("ssc:lfaParticipation", ssc(value))
        if typical.get("tech") and r.random() < 0.85:
            res.add("ssc:technologyRole", ssc(r.choice(typical["tech"])))
        if r.random() < 0.7:
            res.add("rdfs:comment", lit(r.choice(STAKEHOLDER_COMMENTS), "en"))
        sh = {
            "name": res.subject.split(":", 1)[1],
            "cls": cls,
            "category": category,
            "res": res,
            "sector": sector,
            "listed": listed,
        }
        self.stakeholders.append(sh)
        if listed:
            self.city.add("ssc:hasStakeholder", res.subject)
        return sh

    def build_municipality(self) -> None:
        label = self.rng.choice(["{city} City Council", "Municipality of {city}", "{city} City Administration"])
        m = self.add_stakeholder(
            "Municipality",
            label=label.format(city=self.city_name),
            scale="LocalScale",
            sector="PublicSector",
            listed="Municipality" not in self.dropped,
        )
        if "Municipality" in self.dropped:
            m["res"].add("rdfs:comment", lit("Keeps the register; not listed among the stakeholders.", "en"))
        self.municipality = m

    def build_stakeholders(self) -> None:
        o, r = self.o, self.rng
        n_total = r.randint(48, 60)
        gov = "NationalOrRegionalGovernment"
        self.national = self.regional = None
        self.ministries: list[dict] = []
        if gov not in self.dropped:
            if "NationalGovernment" in o.subkinds.get(gov, []):
                self.national = self.add_stakeholder(
                    "NationalGovernment",
                    label=f"Government of {self.country}",
                    scale="SupralocalScale",
                    sector="PublicSector",
                )
            if "RegionalGovernment" in o.subkinds.get(gov, []) and r.random() < 0.7:
                self.regional = self.add_stakeholder(
                    "RegionalGovernment",
                    label=f"{self.region} Regional Authority",
                    scale="SupralocalScale",
                    sector="PublicSector",
                )
            k = r.randint(min(4, len(o.table3_ministries)), len(o.table3_ministries))
            chosen = sorted(set(r.sample(o.table3_ministries, k)) | set(o.needed_for), key=o.table3_ministries.index)
            for cls in chosen:
                name = f"{self.country} {nice_title(o.labels.get(cls, cls))}".replace("Information Technology", "IT")
                ms = self.add_stakeholder(cls, label=name, scale="SupralocalScale", sector="PublicSector")
                if self.national:
                    ms["res"].add("org:unitOf", self.national["res"].subject)
                self.ministries.append(ms)
        others = [
            c for c in o.categories if c not in ("Municipality", gov) and c not in self.dropped and c != self.excluded
        ]
        counts = {c: CATEGORY_SIZES.get(c, (1, 3, 1))[0] for c in others}
        remaining = n_total - len(self.stakeholders) - sum(counts.values())
        while remaining > 0:
            open_ = [c for c in others if counts[c] < CATEGORY_SIZES.get(c, (1, 3, 1))[1]] or others
            c = r.choices(open_, weights=[CATEGORY_SIZES.get(x, (1, 3, 1))[2] for x in open_])[0]
            counts[c] += 1
            remaining -= 1
        for c in others:
            kinds = [""] + o.subkinds.get(c, [])
            weights = [SUBKIND_WEIGHTS.get(c, {}).get(k, 1 if k else 2) for k in kinds]
            for i in range(counts[c]):
                if c in self.delegated.values() and i == 0:
                    continue  # the company a function is delegated to is added below
                k = r.choices(kinds, weights=weights)[0] or c
                self.add_stakeholder(k)
        self.delegates: dict[str, dict] = {}
        for unit, cat in sorted(self.delegated.items()):
            what = nice_title(re.sub(r"\s*unit$", "", o.labels.get(unit, unit)))
            sh = self.add_stakeholder(
                cat, label=f"{self.city_name} {what} Company", sector="PublicSector", scale="LocalScale"
            )
            sh["res"].add("ssc:delegatedFunction", ssc(unit))
            sh["res"].add(
                "rdfs:comment",
                lit(
                    f"City-owned company to which the council delegates the {o.labels.get(unit, unit)} function.", "en"
                ),
            )
            self.municipality["res"].add("ssc:delegatesFunctionTo", sh["res"].subject)
            self.delegates[unit] = sh

    # -- units
    def unit_label(self, cls: str) -> str:
        name = nice_title(re.sub(r"\s*unit$", "", self.o.labels.get(cls, cls)))
        return f"{self.city_name} {name} Department"

    def add_unit(self, cls: str, *, attach: bool = True, name: str | None = None) -> Res:
        u = self.new(name or (cls[:1].lower() + cls[1:]))
        u.add("rdf:type", ssc(cls)).add("rdfs:label", lit(self.unit_label(cls)))
        u.add("dcterms:identifier", lit(self.register_id("U")))
        if attach:
            u.add("org:unitOf", self.municipality["res"].subject)
        for resp in self.o.expected.get(cls, []):
            u.add("ssc:hasResponsibility", ssc(resp))
        self.units.setdefault(cls, u)
        return u

    def build_units(self) -> None:
        for cls in self.o.table2_units:
            if cls not in self.missing_units and cls not in self.delegated:
                self.add_unit(cls)
        if "HealthUnit" in self.o.extra_units and self.rng.random() < 0.3:
            # the municipal health unit takes over what Table 3 expects of the national health unit
            u = self.add_unit("HealthUnit")
            for resp in self.o.expected.get("MinistryOfHealth", []):
                u.add("ssc:hasResponsibility", ssc(resp))

    # -- responsibilities
    def holders(self) -> list[Res]:
        return [s["res"] for s in self.stakeholders] + list(self.units.values())

    def assign_responsibilities(self) -> None:
        o, r = self.o, self.rng
        unit_resp = set(o.unit_responsibilities)
        for sh in self.stakeholders:
            cls = sh["cls"]
            pool = sorted({x for c in o.closure(cls) for x in o.expected.get(c, [])} - unit_resp)
            if cls == "Municipality" or cls in o.table3_ministries:
                chosen = pool if cls == "Municipality" else o.expected.get(cls, [])
            else:
                chosen = sorted(r.sample(pool, min(len(pool), r.randint(1, 4)))) if pool else []
            for x in chosen:
                sh["res"].add("ssc:hasResponsibility", ssc(x))
        # every responsibility expected of a class the city has is held by someone (a member of that class)
        held = {x for h in self.holders() for x in h.get("ssc:hasResponsibility")}
        members: dict[str, list[Res]] = {}
        for sh in self.stakeholders:
            for c in o.closure(sh["cls"]):
                members.setdefault(c, []).append(sh["res"])
        for cls, u in self.units.items():
            for c in o.closure(cls):
                members.setdefault(c, []).append(u)
        for c in sorted(members):
            for x in o.expected.get(c, []):
                if ssc(x) not in held:
                    r.choice(members[c]).add("ssc:hasResponsibility", ssc(x))
                    held.add(ssc(x))

    # -- collaborations
    def required_links(self) -> list[tuple[Res, Res]]:
        """The unit pairs the Table 2 collaboration patterns ask for, the lead (or first party) first."""
        out, seen = [], set()
        for _, parties, lead in self.o.patterns:
            present = [c for c in parties if c in self.units]
            for i, c1 in enumerate(present):
                for c2 in present[i + 1 :]:
                    a, b = (c2, c1) if lead == c2 else (c1, c2)
                    key = tuple(sorted((a, b)))
                    if key not in seen:
                        seen.add(key)
                        out.append((self.units[a], self.units[b]))
        return out

    def build_collaborations(self) -> None:
        for a, b in self.required_links():
            a.add("ssc:collaboratesWith", b.subject)

    # -- assessments
    def levels_for(self, high_power: bool) -> tuple[int, int]:
        """(current, desired) ranks, 1 = Unaware .. 5 = Leading."""
        r = self.rng
        desired = r.choice([4, 5]) if high_power else r.choice([3, 3, 4, 4, 5])
        gap = r.choices([0, 1, 2, 3], weights=[50, 30, 15, 5])[0]
        current = max(1, desired - gap)
        if high_power:
            current = max(current, 3)  # a correct city has no powerful stakeholder unaware of or resisting it
        return current, desired

    def build_assessments(self) -> None:
        o, r = self.o, self.rng
        L = o.levels
        for sh in self.stakeholders:
            cls = sh["cls"]
            p_power, p_interest = POWER_INTEREST.get(cls) or POWER_INTEREST.get(sh["category"], (0.2, 0.5))
            if cls in o.table3_ministries:
                p_power, p_interest = POWER_INTEREST["Ministry"]
            high = r.random() < p_power
            interest = "High" if r.random() < p_interest else "Low"
            current, desired = self.levels_for(high)
            if cls == "Municipality":
                current, desired = r.choice([4, 5]), 5
            if self.stale:
                latest = self.date(dt.date(2024, 9, 1), STALE_BEFORE - dt.timedelta(days=21))
            elif cls == "Municipality":
                latest = self.date(dt.date(2026, 1, 5), LAST_DATE)
            else:
                latest = self.date(FRESH_FROM, LAST_DATE)
            dates = [latest]
            if r.random() < 0.92 and (latest - FIRST_DATE).days > 200:
                dates.insert(
                    0, self.date(max(FIRST_DATE, latest - dt.timedelta(days=460)), latest - dt.timedelta(days=150))
                )
            series = []
            for i, d in enumerate(dates):
                last = i == len(dates) - 1
                cur = current if last else max(1, current - r.choice([0, 1, 1, 2]))
                if not last and high:
                    cur = max(cur, 3)
                a = self.new(f"assess-{sh['name']}-{d.year}-{d.month:02d}")
                a.add("rdf:type", ssc("EngagementAssessment"))
                a.add("dcterms:identifier", lit(self.register_id("A")))
                a.add("ssc:assessedStakeholder", sh["res"].subject)
                a.add("ssc:powerLevel", ssc("High" if high else "Low"))
                a.add("ssc:interestLevel", ssc(interest))
                a.add("ssc:currentLevel", ssc(L[cur - 1])).add("ssc:desiredLevel", ssc(L[desired - 1]))
                a.add("dcterms:date", date_lit(d))
                a.add("prov:wasAttributedTo", r.choice(self.assessors).subject)
                if r.random() < 0.55:
                    a.add("rdfs:comment", lit(r.choice(ASSESSMENT_COMMENTS.get(L[cur - 1], ["Assessed."])), "en"))
                series.append(a)
            self.assessments[sh["name"]] = series
            sh["high"] = high
            # the onion layer: stated by the city for most stakeholders, derived by a rule for the others
            if r.random() < 0.65:
                layer = o.onion_of_level.get(L[current - 1])
                if layer:
                    sh["res"].add("ssc:onionLayer", ssc(layer))

    def latest(self, sh: dict) -> Res | None:
        series = [a for a in self.assessments.get(sh["name"], []) if not a.deleted]
        return series[-1] if series else None

    def set_power(self, sh: dict, high: bool) -> None:
        """Give all of a stakeholder's assessments this power level. A stakeholder raised to high power is also
        raised to at least Neutral, as every high-power stakeholder of a correct city is (see levels_for)."""
        L = self.o.levels
        for a in self.assessments.get(sh["name"], []):
            a.set("ssc:powerLevel", ssc("High" if high else "Low"))
            if high:
                cur = L.index(a.get("ssc:currentLevel")[0][4:])
                des = L.index(a.get("ssc:desiredLevel")[0][4:])
                if cur < 2:
                    a.set("ssc:currentLevel", ssc(L[2]))
                    a.set("ssc:desiredLevel", ssc(L[max(des, 2)]))
        sh["high"] = high

    def balance_power(self) -> None:
        """A correct city: clearly fewer than half of its high-power stakeholders are private companies (with a
        margin, so that a flaw that changes one or two assessments does not tip the balance by accident)."""
        listed = [s for s in self.stakeholders if s["listed"]]
        high = [s for s in listed if s["high"]]
        private = [s for s in high if s["sector"] == "PrivateSector"]
        while private and 2 * len(private) > len(high) - 3:
            s = private.pop(self.rng.randrange(len(private)))
            self.set_power(s, False)
            high.remove(s)

    # -- platforms, initiatives, tender, alliance
    def unit_or_municipality(self, *classes: str) -> str:
        for c in classes:
            if c in self.units:
                return self.units[c].subject
        return self.municipality["res"].subject

    def build_city_assets(self) -> None:
        r, c = self.rng, self.city_name
        p = self.new("cityPlatform")
        p.add("rdf:type", ssc("CityPlatform")).add("rdfs:label", lit(f"{c} City Platform"))
        p.add(
            "rdfs:comment",
            lit("Integrated platform bringing together lighting, mobility, water and air-quality data.", "en"),
        )
        p.add("ssc:managedBy", self.unit_or_municipality("UrbanPlanningUnit", "InfrastructureAndICTUnit"))
        self.city.add("ssc:hasPlatform", p.subject)
        if r.random() < 0.8:
            d = self.new("openDataPortal")
            d.add("rdf:type", ssc("OpenDataPlatform")).add("rdfs:label", lit(f"{c} Open Data Portal"))
            d.add("ssc:managedBy", self.unit_or_municipality("InfrastructureAndICTUnit", "UrbanPlanningUnit"))
            self.city.add("ssc:hasPlatform", d.subject)
        initiatives = [
            ("Smart Street Lighting", "Dimmable, remotely managed LED street lights.", "InfrastructureAndICTUnit"),
            (
                "Green Mobility 2030",
                "Smart traffic signals, real-time bus information and cycle lanes.",
                "TransportationUnit",
            ),
            (
                "Flood Resilience Programme",
                "River-level sensors and an early-warning service.",
                "SecurityAndEmergencyUnit",
            ),
            ("Clean Air Parks", "Air-quality sensors in the city's green areas.", "EnvironmentalUnit"),
            ("Smart Water Network", "Leak detection and smart water meters.", "WaterAndSanitationUnit"),
            ("Digital Citizen Services", "Online forms and a city app for residents.", "CitizenServicesUnit"),
        ]
        for i, (label, comment, unit) in enumerate(sorted(r.sample(initiatives, r.randint(2, 4)))):
            x = self.new(f"initiative{i + 1}")
            x.add("rdf:type", ssc("SSCInitiative")).add("rdfs:label", lit(label)).add(
                "rdfs:comment", lit(comment, "en")
            )
            x.add("ssc:managedBy", self.unit_or_municipality(unit, "InfrastructureAndICTUnit"))
            self.city.add("ssc:hasInitiative", x.subject)
        if r.random() < 0.7:
            t = self.new("kpiTender")
            t.add("rdf:type", ssc("KPIBasedTender"))
            t.add(
                "rdfs:label",
                lit(
                    f"{r.choice(['Street lighting', 'Waste collection', 'Public transport'])} "
                    f"performance contract {r.randint(2024, 2026)}"
                ),
            )
            kpis = [
                "energy use per light point below 160 kWh per year",
                "at least 99.5 % of service points working",
                "faults repaired within 48 hours",
                "CO2 emissions reduced by 40 % against 2024",
                "resident satisfaction above 80 %",
            ]
            t.add("ssc:kpi", *[lit(k) for k in sorted(r.sample(kpis, r.randint(2, 4)))])
            self.city.add("ssc:hasTender", t.subject)
        if r.random() < 0.6:
            al = self.new("alliance")
            al.add("rdf:type", ssc("MunicipalAlliance")).add("rdfs:label", lit(f"{self.region} Cities Network"))
            self.city.add("ssc:memberOfAlliance", al.subject)
            self.municipality["res"].add("ssc:memberOfAlliance", al.subject)

    # -- participation mechanisms
    def add_mech(self, name: str, cls: str, label: str, comment: str, prop: str, d: dt.date) -> Res:
        m = self.new(name)
        m.add("rdf:type", ssc(cls)).add("rdfs:label", lit(label)).add("rdfs:comment", lit(comment, "en"))
        m.add(prop, date_lit(d))
        self.city.add("ssc:hasParticipationMechanism", m.subject)
        self.mech[name] = m
        return m

    def add_survey(self) -> Res:
        return self.add_mech(
            "citizenSurvey",
            "Survey",
            f"{self.city_name} citizen survey",
            "City-wide survey, online and on paper.",
            "ssc:startDate",
            self.date(FIRST_DATE, LAST_DATE),
        )

    def build_mechanisms(self) -> None:
        r = self.rng
        self.mech: dict[str, Res] = {}
        grievance_on = self.date(FIRST_DATE, dt.date(2025, 3, 31))
        prior_on = self.date(FIRST_DATE, dt.date(2025, 3, 31))
        start = self.date(max(grievance_on, prior_on) + dt.timedelta(days=14), dt.date(2025, 9, 30))
        self.add_mech(
            "grievanceOffice",
            "GrievanceMechanism",
            "SSC grievance office",
            "Ombudsperson desk handling complaints about SSC projects, in person, by phone or online.",
            "ssc:establishedOn",
            grievance_on,
        )
        self.add_mech(
            "roadmapConsultation",
            "ConsultationProcess",
            f"Public consultation on the {self.city_name} SSC roadmap",
            "Consultation of stakeholders and residents on the draft SSC roadmap.",
            "ssc:startDate",
            start,
        )
        if r.random() < 0.4:
            self.add_mech(
                "mobilityConsultation",
                "ConsultationProcess",
                "Consultation on the mobility plan",
                "Consultation on the smart mobility plan.",
                "ssc:startDate",
                self.date(start + dt.timedelta(days=30), LAST_DATE),
            )
        self.add_mech(
            "consultationDossier",
            "PriorInformationAccess",
            "Roadmap consultation dossier",
            "Draft roadmap, cost estimates and impact studies published before the consultation.",
            "ssc:establishedOn",
            prior_on,
        )
        self.add_mech(
            "feedbackReports",
            "FeedbackChannel",
            '"You said, we did" reports',
            "Quarterly report showing how participants' input changed each decision.",
            "ssc:establishedOn",
            self.date(start, LAST_DATE),
        )
        self.add_mech(
            "neighbourhoodDesks",
            "OfflineParticipationMeans",
            "Neighbourhood desks",
            "Staffed desks in the district libraries for residents without internet access.",
            "ssc:establishedOn",
            self.date(FIRST_DATE, LAST_DATE),
        )
        if r.random() < 0.7:
            self.add_survey()
        if r.random() < 0.5:
            self.add_mech(
                "squareCodesign",
                "ParticipatoryProcess",
                "Market square co-design",
                "Workshops in which residents design the rebuilt market square.",
                "ssc:startDate",
                self.date(FIRST_DATE, LAST_DATE),
            )

    def remove_mechanism(self, name: str) -> None:
        m = self.mech.get(name)
        if m is not None and not m.deleted:
            m.deleted = True
            self.city.drop("ssc:hasParticipationMechanism", m.subject)

    def live_mechanisms(self, names, exclude=()) -> list[str]:
        return [n for n in names if n in self.mech and not self.mech[n].deleted and n not in exclude]

    # ------------------------------------------------------------------------------------------ records
    def latest_values(self, sh: dict) -> dict | None:
        """power, interest, level and date of a stakeholder's latest assessment, or None if it lacks one."""
        a = self.latest(sh)
        if a is None:
            return None
        try:
            v = {
                "power": a.get("ssc:powerLevel")[0][4:],
                "interest": a.get("ssc:interestLevel")[0][4:],
                "level": a.get("ssc:currentLevel")[0][4:],
                "date": dt.date.fromisoformat(a.get("dcterms:date")[0][1:11]),
                "res": a,
            }
        except (IndexError, ValueError):
            return None
        # a flaw may have put a wrong value, or two, in the assessment: leave such a stakeholder alone
        ok = (
            len(a.get("ssc:powerLevel")) == 1
            and v["power"] in self.o.power_levels
            and v["interest"] in self.o.power_levels
            and v["level"] in self.o.levels
        )
        return v if ok else None

    def build_records(self) -> None:
        """Interactions, commitments, a grievance and relations (rules commitment-overdue ... strategy-onion-
        mismatch), made consistent with the final assessments; then the record flaws. Runs after apply_flaws so
        that the consistency holds whatever the other flaws changed."""
        r, o, f = self.rng, self.o, self.flaws
        L = o.levels
        records: dict[str, Res] = {}
        listed = [s for s in self.stakeholders if s["listed"] and s is not self.municipality and not s["res"].deleted]
        values = {s["name"]: self.latest_values(s) for s in listed}
        # a ministry that other stakeholders' work needs (Table 3) is at least neutral, unless that is the flaw
        needing = {m: reqs for m, reqs in o.needed_for.items()}
        for s in listed:
            v = values[s["name"]]
            if s["cls"] in needing and v and L.index(v["level"]) < 2:
                v["res"].set("ssc:currentLevel", ssc("Neutral"))
                des = v["res"].get("ssc:desiredLevel")
                if des and des[0][4:] in L and L.index(des[0][4:]) < 2:
                    v["res"].set("ssc:desiredLevel", ssc("Neutral"))
                v["level"] = "Neutral"
        # onion layers agree with the strategy: manage closely in the core, low power outside it
        for s in listed + [self.municipality]:
            v = values.get(s["name"]) or self.latest_values(s)
            if not v or v["power"] not in ("High", "Low") or v["interest"] not in ("High", "Low"):
                continue
            stated = s["res"].get("ssc:onionLayer")
            layer = stated[0][4:] if stated else o.onion_of_level.get(v["level"])
            if v["power"] == "High" and v["interest"] == "High" and layer != "CoreLayer":
                s["res"].set("ssc:onionLayer", ssc("CoreLayer"))
            elif v["power"] == "Low" and layer == "CoreLayer":
                s["res"].set("ssc:onionLayer", ssc("InteractionLayer"))
        # one steering meeting with the high-power stakeholders, after their assessments
        powerful = [
            s
            for s in listed
            if values[s["name"]] and values[s["name"]]["power"] == "High" and values[s["name"]]["date"] <= AS_OF
        ]
        if "no-interaction" in f and powerful:
            skipped = r.choice(powerful)
            powerful.remove(skipped)
            self.note("no-interaction", "steering-group")
        if powerful:
            last = max(values[s["name"]]["date"] for s in powerful)
            m = self.new("steeringMeeting")
            m.add("rdf:type", ssc("Interaction")).add("rdfs:label", lit(f"{self.city_name} SSC steering group", "en"))
            m.add("ssc:interactionWith", *[s["res"].subject for s in powerful])
            m.add("ssc:interactionKind", ssc("MeetingInteraction"))
            m.add("ssc:conductedBy", self.unit_or_municipality("UrbanPlanningUnit"))
            m.add("dcterms:date", date_lit(self.date(last + dt.timedelta(days=1), AS_OF - dt.timedelta(days=2))))
        # a consultation session with a stakeholder, and the feedback on it
        participant = r.choice(listed) if listed else None
        if participant is not None:
            c = self.new("consultationSession")
            c.add("rdf:type", ssc("Interaction")).add(
                "rdfs:label", lit("Consultation session on the SSC roadmap", "en")
            )
            c.add("ssc:interactionWith", participant["res"].subject)
            c.add("ssc:interactionKind", ssc("ConsultationSession"))
            c.add("dcterms:date", date_lit(self.date(dt.date(2026, 3, 1), dt.date(2026, 6, 30))))
            records["interaction"] = c
            if "no-feedback" in f:
                self.note("no-feedback", "consultation")
            else:
                fb = self.new("consultationFeedback")
                fb.add("rdf:type", ssc("Interaction")).add("rdfs:label", lit("You said, we did: the roadmap", "en"))
                fb.add("ssc:interactionWith", participant["res"].subject)
                fb.add("ssc:interactionKind", ssc("FeedbackGiven")).add("ssc:feedbackOn", c.subject)
                fb.add("dcterms:date", date_lit(self.date(dt.date(2026, 7, 1), dt.date(2026, 8, 31))))
            k = self.new("commitment")
            k.add("rdf:type", ssc("Commitment")).add("rdfs:label", lit("publish the roadmap's open data", "en"))
            k.add("ssc:commitmentTo", participant["res"].subject)
            k.add("ssc:madeBy", self.unit_or_municipality("UrbanPlanningUnit"))
            overdue = "overdue-commitment" in f
            k.add("ssc:dueDate", date_lit(dt.date(2026, 9, 30) if overdue else dt.date(2027, 3, 31)))
            k.add("ssc:commitmentStatus", ssc("OpenStatus"))
            records["commitment"] = k
            if overdue:
                self.note("overdue-commitment", "open-past-due")
        office = self.mech.get("grievanceOffice")
        if office is not None and not office.deleted and listed:
            office.add("ssc:promisedResolutionDays", '"30"^^xsd:integer')
            g = self.new("grievance")
            g.add("rdf:type", ssc("Grievance")).add("rdfs:label", lit("noise from the night works", "en"))
            g.add("ssc:raisedBy", r.choice(listed)["res"].subject).add("ssc:viaMechanism", office.subject)
            records["grievance"] = g
            if "overdue-grievance" in f:
                g.add("ssc:raisedOn", date_lit(dt.date(2026, 9, 1))).add("ssc:grievanceStatus", ssc("OpenStatus"))
                self.note("overdue-grievance", "open")
            else:
                g.add("ssc:raisedOn", date_lit(dt.date(2026, 4, 2))).add("ssc:grievanceStatus", ssc("DoneStatus"))
                g.add("ssc:resolvedOn", date_lit(dt.date(2026, 4, 20)))
        # the interaction map
        if len(listed) > 4:
            for prop in ("ssc:influences", "ssc:dependsOn", "ssc:cooperatesWith", "ssc:represents"):
                a, b = r.sample(listed, 2)
                a["res"].add(prop, b["res"].subject)
        # the other record flaws
        if "engagement-decline" in f:
            for s in listed:
                series = [x for x in self.assessments.get(s["name"], []) if not x.deleted]
                v = values[s["name"]]
                if (
                    len(series) >= 2
                    and v
                    and v["power"] == "Low"
                    and L.index(v["level"]) < 4
                    and s["name"] not in self.touched
                ):
                    series[-2].set("ssc:currentLevel", ssc(L[L.index(v["level"]) + 1]))
                    self.touched.add(s["name"])
                    self.note("engagement-decline", "one-level")
                    break
        if "strategy-onion" in f:
            for s in listed:
                v = values[s["name"]]
                if v and v["power"] == "High" and v["interest"] == "High":
                    s["res"].set("ssc:onionLayer", ssc("OuterLayer"))
                    self.note("strategy-onion", "manage-closely-outer")
                    break
        if "dependency-risk" in f:
            for s in listed:
                v = values[s["name"]]
                if s["cls"] in needing and v and v["power"] == "Low":
                    v["res"].set("ssc:currentLevel", ssc("Unaware"))
                    holder = next((x for x in listed if x["category"] == "UtilityProvider"), None)
                    if holder is not None:
                        for req in needing[s["cls"]]:
                            holder["res"].add("ssc:hasResponsibility", ssc(req))
                    self.note("dependency-risk", "ministry-unaware")
                    break
        if "incomplete-record" in f:
            drops = {
                "commitment-stakeholder": ("commitment", "ssc:commitmentTo"),
                "commitment-date": ("commitment", "ssc:dueDate"),
                "grievance-date": ("grievance", "ssc:raisedOn"),
                "interaction-stakeholder": ("interaction", "ssc:interactionWith"),
            }
            v = self.flaw("incomplete-record", list(drops), lambda v: drops[v][0] in records)
            if v:
                what, prop = drops[v]
                records[what].drop(prop)
        if "unheld-outside-duty" in f:
            own = set(o.unit_responsibilities) | set(o.expected.get("Municipality", []))
            for s in listed:
                duties = [d for d in o.expected.get(s["category"] or "", []) if d not in own]
                if s["category"] not in ("CitizenOrganization", "NGO") and duties:
                    duty = r.choice(duties)
                    for res in self.res:
                        res.drop("ssc:hasResponsibility", ssc(duty))
                    self.note("unheld-outside-duty", s["category"])
                    break

    # ------------------------------------------------------------------------------------------ flaws
    def pick_stakeholder(self, pred=lambda s: True) -> dict | None:
        """A listed stakeholder (not the municipality) no flaw has changed yet, for which ``pred`` holds."""
        pool = [
            s
            for s in self.stakeholders
            if s["name"] not in self.touched and s is not self.municipality and s["listed"] and pred(s)
        ]
        if not pool:
            return None
        s = self.rng.choice(pool)
        self.touched.add(s["name"])
        return s

    def category_size(self, category: str | None) -> int:
        return sum(1 for s in self.stakeholders if s["category"] == category and s["listed"])

    def assessed(self, s: dict) -> bool:
        return self.latest(s) is not None

    def low_power(self, s: dict) -> bool:
        """Changing this stakeholder's assessment cannot tip the city's power balance (pitfall-power-imbalance)."""
        return self.assessed(s) and not s["high"]

    def apply_flaws(self) -> None:
        """Put in the flaws drawn for this city. Each flaw changes stakeholders no earlier flaw has changed, and
        flaws that edit assessments pick low-power stakeholders, so that one flaw does not set off the rules of
        another by accident."""
        r, o, f = self.rng, self.o, self.flaws

        if self.excluded == "OfflineParticipationMeans":
            self.remove_mechanism("neighbourhoodDesks")

        if "missing-responsibility" in f:
            units = [u for u in self.units.values() if len(u.get("ssc:hasResponsibility")) > 1]
            for _ in range(r.randint(1, 3)):
                u = r.choice(units)
                if len(u.get("ssc:hasResponsibility")) > 1:
                    u.drop("ssc:hasResponsibility", r.choice(u.get("ssc:hasResponsibility")))
            self.note("missing-responsibility", "dropped")

        if "responsibility-overlap" in f:
            v = self.flaw("responsibility-overlap", ["company", "second-unit"])
            table2 = [u for c, u in self.units.items() if c in o.table2_units and u.get("ssc:hasResponsibility")]
            unit = r.choice(table2)
            resp = r.choice(unit.get("ssc:hasResponsibility"))
            if v == "company":
                target = r.choice([s for s in self.stakeholders if s["listed"] and s["sector"] == "PrivateSector"])
                target["res"].add("ssc:hasResponsibility", resp)
            else:
                r.choice([u for u in self.units.values() if u is not unit]).add("ssc:hasResponsibility", resp)

        if "unit-without-responsibility" in f:
            v = self.flaw("unit-without-responsibility", ["table2-unit", "extra-unit"])
            if v == "table2-unit":
                r.choice([u for c, u in self.units.items() if c in o.table2_units]).drop("ssc:hasResponsibility")
            else:
                u = self.add_unit("HousingUnit", name="housingUnit")
                u.add("rdfs:comment", lit("Set up in 2026; its tasks are not recorded yet.", "en"))
                u.drop("ssc:hasResponsibility")
                for a, b in self.required_links():  # linked as Table 2 asks: only its tasks are missing
                    if u in (a, b):
                        a.add("ssc:collaboratesWith", b.subject)

        if "missing-collaboration" in f:
            links = [(a, b) for a, b in self.required_links() if b.subject in a.get("ssc:collaboratesWith")]
            for a, b in r.sample(links, min(len(links), r.randint(1, 3))):
                a.drop("ssc:collaboratesWith", b.subject)
            self.note("missing-collaboration", "dropped")

        if "unit-structure" in f:
            v = self.flaw("unit-structure", ["orphan-unit", "two-parents", "collaborates-with-company"])
            if v == "orphan-unit":
                u = self.new("smartBuildingsOffice")
                u.add("rdf:type", ssc("HousingUnit"))
                u.add("rdfs:label", lit(f"{self.city_name} Smart Buildings Office"))
                u.add("rdfs:comment", lit("Recorded without the administration it belongs to.", "en"))
                u.add("ssc:hasResponsibility", ssc(o.expected["Municipality"][0]))
            elif v == "two-parents":
                u = r.choice(list(self.units.values()))
                other = (
                    self.regional
                    or self.national
                    or r.choice([s for s in self.stakeholders if s is not self.municipality and s["listed"]])
                )
                u.add("org:unitOf", other["res"].subject)
            else:
                u = r.choice(list(self.units.values()))
                companies = [
                    s
                    for s in self.stakeholders
                    if s["listed"] and s["category"] in ("ICTCompany", "UtilityProvider", "CityServicesCompany")
                ]
                company = r.choice(companies or [s for s in self.stakeholders if s["listed"]][1:])
                u.add("ssc:collaboratesWith", company["res"].subject)

        if "power-imbalance" in f:
            for s in self.stakeholders:
                if s is not self.municipality and (s["category"] in CIVIL or s["sector"] != "PrivateSector"):
                    self.set_power(s, False)
            private = [
                s for s in self.stakeholders if s["sector"] == "PrivateSector" and s["listed"] and self.assessed(s)
            ]
            for s in r.sample(private, min(len(private), r.randint(4, 7))):
                self.set_power(s, True)
            self.note("power-imbalance", "private-majority")

        if "high-power-unaware" in f:
            imbalance = "power-imbalance" in f
            for _ in range(r.randint(1, 2)):
                sh = self.pick_stakeholder(
                    lambda s: (
                        self.assessed(s)
                        and (s["high"] or (s["sector"] != "PrivateSector" and not imbalance))
                        and s["category"] not in CIVIL
                    )
                )
                if sh is None:
                    break
                v = self.flaw("high-power-unaware", ["Unaware", "Resistant"])
                self.set_power(sh, True)
                a = self.latest(sh)
                a.set("ssc:currentLevel", ssc(v))
                a.set("ssc:desiredLevel", ssc(r.choice(["Supportive", "Leading"])))

        order_target = None
        if "mechanism-order" in f:
            order_target = self.flaw("mechanism-order", ["grievanceOffice", "consultationDossier"])
            start = min(
                dt.date.fromisoformat(m.get("ssc:startDate")[0][1:11])
                for m in self.mech.values()
                if m.get("rdf:type") == [ssc("ConsultationProcess")]
            )
            self.mech[order_target].set(
                "ssc:establishedOn", date_lit(self.date(start + dt.timedelta(days=7), LAST_DATE))
            )

        if "missing-mechanism" in f:
            names = ["grievanceOffice", "consultationDossier", "feedbackReports", "neighbourhoodDesks"]
            live = self.live_mechanisms(names, exclude=(order_target,))
            v = self.flaw("missing-mechanism", names, lambda m: m in live)
            self.remove_mechanism(v)

        if "mechanism-date" in f:
            v = self.flaw(
                "mechanism-date", ["establishedOn-datetime", "establishedOn-twice", "startDate-text", "startDate-twice"]
            )
            if v.startswith("establishedOn"):
                m = self.mech[
                    r.choice(
                        self.live_mechanisms(
                            ["feedbackReports", "neighbourhoodDesks", "consultationDossier", "grievanceOffice"],
                            exclude=(order_target,),
                        )
                    )
                ]
                d = m.get("ssc:establishedOn")[0]
                if v.endswith("datetime"):
                    m.set("ssc:establishedOn", f'"{d[1:11]}T09:00:00"^^xsd:dateTime')
                else:  # a second, earlier date: the mechanism still precedes every consultation
                    first = dt.date.fromisoformat(d[1:11])
                    m.add("ssc:establishedOn", date_lit(first - dt.timedelta(days=r.randint(1, 60))))
            else:
                # never the roadmap consultation, which the mechanism-order checks compare with
                names = self.live_mechanisms(["citizenSurvey", "squareCodesign", "mobilityConsultation"])
                m = self.mech[r.choice(names)] if names else self.add_survey()
                d = dt.date.fromisoformat(m.get("ssc:startDate")[0][1:11])
                if v.endswith("text"):
                    m.set("ssc:startDate", lit(f"{d.day:02d}/{d.month:02d}/{d.year}"))
                else:  # a second, later start: no mechanism comes to follow a consultation by it
                    m.add("ssc:startDate", date_lit(d + dt.timedelta(days=r.randint(1, 60))))

        if "wrong-vocabulary" in f:
            wrong = {
                "powerLevel": "Neutral",
                "interestLevel": "Supportive",
                "currentLevel": "High",
                "desiredLevel": "Low",
                "scale": "PublicSector",
                "sector": "LocalScale",
            }
            for _ in range(r.randint(1, 2)):
                sh = self.pick_stakeholder(self.low_power)
                if sh is None:
                    break
                v = self.flaw("wrong-vocabulary", list(wrong))
                target = sh["res"] if v in ("scale", "sector") else self.latest(sh)
                target.set("ssc:" + v, ssc(wrong[v]))

        if "future-date" in f:
            sh = self.pick_stakeholder(self.low_power)
            if sh is not None:
                self.latest(sh).set("dcterms:date", date_lit(dt.date(FUTURE_YEAR, r.randint(1, 12), r.randint(1, 28))))
                self.note("future-date", "assessment")

        if "two-power-levels" in f:
            sh = self.pick_stakeholder(lambda s: self.assessed(s) and s["high"])
            if sh is not None:  # a high-power one gets Low as well: the power balance stays as it was
                self.latest(sh).add("ssc:powerLevel", ssc("Low"))
                self.note("two-power-levels", "assessment")

        if "incomplete-assessment" in f:
            variants = [
                "no-stakeholder",
                "two-stakeholders",
                "text-stakeholder",
                "no-power",
                "no-interest",
                "no-current",
                "no-desired",
                "no-date",
                "datetime-date",
                "text-date",
                "no-assessor",
            ]
            for _ in range(r.randint(1, 3)):
                sh = self.pick_stakeholder(self.low_power)
                if sh is None:
                    break
                v = self.flaw("incomplete-assessment", variants)
                a = self.latest(sh)
                d = a.get("dcterms:date")[0]
                if v == "no-stakeholder":
                    a.drop("ssc:assessedStakeholder")
                elif v == "two-stakeholders":
                    other = r.choice([s for s in self.stakeholders if s is not sh and s["listed"]])
                    a.add("ssc:assessedStakeholder", other["res"].subject)
                elif v == "text-stakeholder":
                    a.set("ssc:assessedStakeholder", sh["res"].get("rdfs:label")[0])
                elif v == "no-date":
                    a.drop("dcterms:date")
                elif v == "datetime-date":
                    a.set("dcterms:date", f'"{d[1:11]}T10:30:00"^^xsd:dateTime')
                elif v == "text-date":
                    a.set("dcterms:date", lit(f"{d[9:11]}/{d[6:8]}/{d[1:5]}"))
                elif v == "no-assessor":
                    a.drop("prov:wasAttributedTo")
                else:
                    a.drop(
                        {
                            "no-power": "ssc:powerLevel",
                            "no-interest": "ssc:interestLevel",
                            "no-current": "ssc:currentLevel",
                            "no-desired": "ssc:desiredLevel",
                        }[v]
                    )

        if "incomplete-stakeholder" in f:
            variants = ["no-scale", "no-sector", "no-assessment", "no-name", "no-category"]
            for _ in range(r.randint(1, 3)):
                sh = self.pick_stakeholder(
                    lambda s: (
                        self.low_power(s)
                        and self.category_size(s["category"]) > 1
                        and s["category"] != "NationalOrRegionalGovernment"
                        and "ssc:delegatedFunction" not in s["res"].props
                    )
                )
                if sh is None:
                    break
                v = self.flaw("incomplete-stakeholder", variants)
                res = sh["res"]
                if v == "no-scale":
                    res.drop("ssc:scale")
                elif v == "no-sector":
                    res.drop("ssc:sector")
                elif v == "no-assessment":
                    for a in self.assessments.get(sh["name"], []):
                        a.deleted = True
                elif v == "no-name":
                    res.drop("rdfs:label")
                else:  # listed as a stakeholder, but only said to be an organisation
                    res.set("rdf:type", "org:Organization")
                    sh["category"] = None


# ---------------------------------------------------------------------------------------------- rule fixtures
# The flaws for the rules are data, not code: the positive fixture of every rule (tests/fixtures/rules/<id>.pos.ttl,
# which tests/test_rules.py requires) is a small city on which that rule fires, whatever other cities share the
# store (tests/test_rules.py::test_cities_do_not_mix). A city that draws the flaw kind below gets a few of them in
# turn, renamed into its own namespace.

#: the flaw kind drawn (from a random stream of its own) for the rule fixtures
FIXTURE_FLAW = "rule-fixture"
#: every run of this many cities with the flaw holds every fixture once (so fixtures per city = ceil(F / this))
FIXTURE_SPREAD = 10
#: the default --rule-fixtures (a copy of sscrdf without its tests/ folder copies no fixture)
RULE_FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "rules"
#: IRIs under these bases are vocabulary and are kept; every other IRI of a fixture is the fixture's own and renamed
VOCABULARY_BASES = ("https://w3id.org/sscrdf/", "http://www.w3.org/", "http://purl.org/", "http://xmlns.com/")
MASTER_PLAN = SSC + "MasterPlan"


class RuleFixture:
    """One rule's positive fixture: its triples, with the fixture's own IRIs and blank nodes as local names."""

    __slots__ = ("master_plan", "rule", "triples")

    def __init__(self, path: Path):
        import pyoxigraph as ox

        self.rule = path.name[: -len(".pos.ttl")]
        names: dict[str, str] = {}

        def local(key: str, hint: str) -> str:
            if key not in names:
                base = re.sub(r"[^A-Za-z0-9_-]+", "-", hint).strip("-") or "x"
                name, i = base, 2
                while name in names.values():
                    name, i = f"{base}-{i}", i + 1
                names[key] = name
            return names[key]

        def term(t) -> tuple[str, str]:  # ("own", local name) | ("term", N-Triples text)
            if isinstance(t, ox.BlankNode):
                return "own", local("_:" + t.value, f"b{len(names) + 1}")
            if isinstance(t, ox.NamedNode) and not t.value.startswith(VOCABULARY_BASES):
                return "own", local(t.value, re.split(r"[/#]", t.value.rstrip("/#"))[-1])
            return "term", str(t)

        self.triples: list[tuple[tuple[str, str], str, tuple[str, str]]] = []
        self.master_plan = False
        with path.open("rb") as fh:
            for q in ox.parse(fh, format=ox.RdfFormat.TURTLE, base_iri=path.as_uri()):
                self.triples.append((term(q.subject), str(q.predicate), term(q.object)))
                self.master_plan |= q.predicate.value == RDF_TYPE and q.object.value == MASTER_PLAN


def rule_fixtures(directory: Path | None, master_plans: bool) -> list[RuleFixture]:
    """The positive rule fixtures of ``directory``, in file-name order; without ``master_plans`` those that hold a
    master plan are left out (the register benchmark has no master plans)."""
    if directory is None or not directory.is_dir():
        return []
    found = [RuleFixture(p) for p in sorted(directory.glob("*.pos.ttl"))]
    return [f for f in found if master_plans or not f.master_plan]


def transplant(b: CityBuilder, fixture: RuleFixture) -> None:
    """Copy ``fixture`` into the city ``b`` builds, its own IRIs renamed to ``<city>/fixture/<rule>/<name>``."""
    base = f"{b.iri}fixture/{fixture.rule}/"

    def text(t: tuple[str, str]) -> str:
        return f"<{base}{t[1]}>" if t[0] == "own" else t[1]

    by_subject: dict[str, Res] = {}
    for s, p, o in fixture.triples:
        subject = text(s)
        if subject not in by_subject:
            by_subject[subject] = Res(subject)
            b.res.append(by_subject[subject])
        by_subject[subject].add(p, text(o))


def add_rule_fixtures(b: CityBuilder, fixtures: list[RuleFixture], rate: float, seed: int) -> bool:
    """With probability ``rate`` (a random stream of its own, so the rest of the city does not change), give the
    city the next ceil(F / FIXTURE_SPREAD) of the F fixtures, in turn over the file. True when it did."""
    rng = random.Random(f"sscrdf-bench-fx:{seed}:{rate!r}:{b.num}")
    if not fixtures or rng.random() >= rate:
        return False
    by_rule = {f.rule: f for f in fixtures}
    for _ in range(-(-len(fixtures) // FIXTURE_SPREAD)):
        transplant(b, by_rule[b.flaw(FIXTURE_FLAW, list(by_rule))])
    return True


# ---------------------------------------------------------------------------------------------- output

# ---------------------------------------------------------------------------------------------- master plans
# (FG-SSC Master Plan; opt-in with --master-plans, so that the register benchmark stays as it was)

#: kinds of master-plan flaw, each given to a city with probability --flaw-rate (from a random stream of its own,
#: so the register part of the city is the same with or without master plans); each maps to the rule or shape
#: that finds it
MP_FLAWS = {
    "mp-kpi-dimension": "masterplan-kpi-dimension-uncovered",
    "mp-kpi-unmeasured": "masterplan-kpi-not-measured",
    "mp-kpi-target": "sscsh:KPITargetShape",
    "mp-single-funding": "masterplan-single-funding-mechanism",
    "mp-financing-criterion": "masterplan-financing-criterion-missing",
    "mp-committee-outsider": "masterplan-committee-outside-strategic-planning",
    "mp-phase1-skipped": "masterplan-phase1-skipped, masterplan-phase-without-activity",
    "mp-late-approval": "masterplan-approval-before-action-plan",
    "mp-action-element": "sscsh:Action*Shape (one of the five clause 3.3 elements)",
    "mp-service-without-action": "masterplan-planned-area-without-action",
    "mp-owner-not-on-board": "masterplan-action-owner-unaware-or-resistant, plan-masterplan-owner",
    "mp-council-owned-action": "masterplan-area-without-responsible-unit, "
    "masterplan-unfunded-action-of-constrained-owner",
    "mp-plan-element": "sscsh:MasterPlanCurrentPhaseShape, ...GovernanceCommitteeShape, ...FinancingModelShape",
    "mp-outside-register": "sscsh:CommitteeMemberInRegisterShape, EngagementMechanismOfCityShape, "
    "ActionResponsibleInRegisterShape",
    "mp-record": "sscsh:ActivityRecordActivityShape, ActivityRecordDateShape",
    "mp-data": "sscsh:ActionEndsAfterStartShape, KPIDimensionShape, MeasurementDateShape",
}
#: service area -> the Table 2 unit class that owns its actions in a generated plan
MP_AREAS = [
    ("SmartWaterManagement", "WaterAndSanitationUnit"),
    ("SmartTransportationManagement", "TransportationUnit"),
    ("SmartWasteManagement", "EnvironmentalUnit"),
    ("SmartSecurity", "SecurityAndEmergencyUnit"),
    ("SmartBuildings", "UrbanPlanningUnit"),
]
MP_DIMENSIONS = [
    "ICTKPIDimension",
    "EnvironmentalSustainabilityKPIDimension",
    "ProductivityKPIDimension",
    "QualityOfLifeKPIDimension",
    "EquityAndSocialInclusionKPIDimension",
    "PhysicalInfrastructureKPIDimension",
]
MP_ELEMENTS = [
    "ssc:actionStart",
    "ssc:actionEnd",
    "ssc:estimatedCost",
    "ssc:responsibleParty",
    "ssc:progressIndicator",
    "ssc:reportingProcedure",
]


def add_master_plan(b: CityBuilder, rate: float, seed: int) -> list[Res]:
    """A master plan in phase 3 for the city ``b`` has built, complete and correct unless the city draws master-plan
    flaws (MP_FLAWS, each with probability ``rate``). Returns the new resources (added to ``b.res`` as well);
    changes nothing else in the city except its ssc:hasMasterPlan link."""
    rng = random.Random(f"sscrdf-bench-mp:{seed}:{rate!r}:{b.num}")
    flaws = {k for k in MP_FLAWS if rng.random() < rate}
    start = len(b.res)
    listed = set(b.city.get("ssc:hasStakeholder"))
    members = [s["res"].subject for s in b.stakeholders if s["res"].subject in listed and not s["res"].deleted]
    council = b.municipality["res"].subject
    units = {
        cls: u
        for cls, u in b.units.items()  # units of the municipality of the register only
        if not u.deleted and council in listed and council in u.get("org:unitOf")
    }
    areas = [(a, units[c]) for a, c in MP_AREAS if c in units][:3]
    if not members or not areas:
        return []
    plan = b.new("masterPlan")
    b.city.add("ssc:hasMasterPlan", plan.subject)
    plan.add("rdf:type", ssc("MasterPlan")).add("rdfs:label", lit(f"{b.city_name} SSC master plan"))
    plan.add("ssc:currentPhase", ssc("ActionPlanPhase"))
    plan.add("ssc:vision", lit(f"{b.city_name}: a liveable, low-carbon city run on shared data.", "en"))

    def record(name, activity, d, *who):
        r = b.new(name)
        r.add("rdf:type", ssc("ActivityRecord")).add("rdfs:label", lit(f"{activity} ({d.isoformat()})"))
        r.add("ssc:recordedActivity", ssc(activity)).add("dcterms:date", date_lit(d))
        if who:
            r.add("prov:wasAssociatedWith", *who)
        plan.add("ssc:hasActivityRecord", r.subject)

    committee = members[:3]
    outsider = members[3] if "mp-committee-outsider" in flaws and len(members) > 3 else None
    if "mp-phase1-skipped" not in flaws:
        record("mpBaseline", "DefineCityBaseline", dt.date(2025, 1, 20), committee[0])
        record("mpStakeholders", "IdentifySSCStakeholders", dt.date(2025, 2, 10), committee[0])
    record("mpVision", "IdentifySSCVision", dt.date(2025, 4, 15), *committee)
    approval = dt.date(2025, 10, 15) if "mp-late-approval" in flaws else dt.date(2025, 6, 30)
    record("mpApproval", "ObtainPoliticalApproval", approval, committee[0])
    record("mpActionPlan", "DesignImplementationPlan", dt.date(2025, 9, 15), committee[0])

    cm = b.new("steeringCommittee")
    cm.add("rdf:type", ssc("GovernanceCommittee")).add("rdfs:label", lit(f"{b.city_name} SSC steering committee"))
    cm.add("ssc:committeeMember", *(committee + ([outsider] if outsider else [])))
    plan.add("ssc:hasGovernanceCommittee", cm.subject)
    mechanisms = b.city.get("ssc:hasParticipationMechanism")
    if mechanisms:
        plan.add("ssc:engagementMechanism", mechanisms[0])

    dims = list(MP_DIMENSIONS)
    if "mp-kpi-dimension" in flaws:
        dims.remove(b.flaw("mp-kpi-dimension", MP_DIMENSIONS))
    unmeasured = rng.randrange(len(dims)) if "mp-kpi-unmeasured" in flaws else None
    untargeted = rng.randrange(len(dims)) if "mp-kpi-target" in flaws else None
    kpis = []
    for i, dim in enumerate(dims):
        k = b.new(f"kpi{i + 1}")
        k.add("rdf:type", ssc("CityKPI")).add("rdfs:label", lit(f"{b.o.labels.get(dim, dim)} indicator"))
        k.add("ssc:kpiDimension", ssc(dim))
        if i != untargeted:
            k.add("ssc:targetValue", str(rng.randint(50, 100)))
        if i != unmeasured:
            m = b.new(f"kpi{i + 1}Measurement")
            m.add("rdf:type", ssc("KPIMeasurement")).add("rdfs:label", lit(f"measurement of indicator {i + 1}"))
            m.add("ssc:measuredValue", str(rng.randint(10, 90)))
            m.add("dcterms:date", date_lit(b.date(dt.date(2026, 4, 1), dt.date(2026, 10, 31))))
            k.add("ssc:hasMeasurement", m.subject)
        plan.add("ssc:selectedKPI", k.subject)
        kpis.append(k)
    plan.add("ssc:hasBaselineIndicator", kpis[0].subject)

    mechs = ["TaxFunding", "NationalOrMultinationalSubsidies", "PrivateCompanyAgreements"]
    plan_funding = mechs[:1] if "mp-single-funding" in flaws else mechs[:2]
    plan.add("ssc:usesFunding", *(ssc(m) for m in plan_funding))
    fin = b.new("financingModel")
    fin.add("rdf:type", ssc("CityFinancingModel")).add("rdfs:label", lit(f"{b.city_name} financing model"))
    criteria = ["StabilityCriterion", "DiversificationCriterion", "BalanceCriterion", "AdaptabilityCriterion"]
    if "mp-financing-criterion" in flaws:
        criteria.remove(b.flaw("mp-financing-criterion", list(criteria)))
    fin.add("ssc:addressesCriterion", *(ssc(c) for c in criteria))
    plan.add("ssc:hasFinancingModel", fin.subject)
    ev = b.new("evaluationModel")
    ev.add("rdf:type", ssc("CityEvaluationModel")).add("rdfs:label", lit(f"{b.city_name} evaluation model"))
    ev.add("ssc:evaluationScope", ssc("ProjectEvaluation"), ssc("HolisticEvaluation"))
    ev.add("ssc:measurementIntervalMonths", "12")
    plan.add("ssc:hasEvaluationModel", ev.subject)
    comms = b.new("communicationPlan")
    comms.add("rdf:type", ssc("CommunicationPlan")).add("rdfs:label", lit(f"{b.city_name} communication plan"))
    comms.add("ssc:communicationInstrument", ssc("OutreachPublicity"))
    plan.add("ssc:hasCommunicationPlan", comms.subject)

    owner_flaw = None
    if "mp-owner-not-on-board" in flaws:
        for s in b.stakeholders:
            a = b.latest(s)
            if (
                s["res"].subject in listed
                and a is not None
                and set(a.get("ssc:currentLevel")) & {ssc("Unaware"), ssc("Resistant")}
            ):
                owner_flaw = s["res"].subject
                break
    missing_element = b.flaw("mp-action-element", MP_ELEMENTS) if "mp-action-element" in flaws else None
    for i, (area, unit) in enumerate(areas):
        plan.add("ssc:plansService", ssc(area))
        x = b.new(f"action{i + 1}")
        x.add("rdf:type", ssc("MasterPlanAction")).add(
            "rdfs:label", lit(f"{nice_title(b.o.labels.get(area, area))} pilot")
        )
        x.add("ssc:actionStart", date_lit(dt.date(2026, 1 + i, 1))).add("ssc:actionEnd", date_lit(dt.date(2027, 6, 30)))
        x.add("ssc:estimatedCost", str(rng.randint(2, 40) * 50000))
        x.add("ssc:responsibleParty", unit.subject)
        x.add("ssc:progressIndicator", kpis[-1].subject)
        x.add("ssc:reportingProcedure", lit("Quarterly report to the steering committee.", "en"))
        x.add("ssc:deliversServiceArea", ssc(area))
        x.add("ssc:usesFunding", ssc(plan_funding[i % len(plan_funding)]))
        x.add("ssc:actionStatus", ssc("ActionUnderway"))
        if i == 0 and missing_element:
            x.drop(missing_element)
        if i == 0 and owner_flaw:
            x.add("ssc:responsibleParty", owner_flaw)
        plan.add("ssc:hasMasterPlanAction", x.subject)
    if "mp-service-without-action" in flaws:
        used = {a for a, _ in areas}
        extra = [a for a, _ in MP_AREAS if a not in used] + ["SmartHealthcare"]
        plan.add("ssc:plansService", ssc(extra[0]))
    if "mp-council-owned-action" in flaws and council in listed:
        # a retrofit given to the council as a whole (no unit of the Table 2 kind) and without funding, while
        # Table I.1 lists budget constraints for municipalities
        x = b.new("actionRetrofit")
        x.add("rdf:type", ssc("MasterPlanAction")).add("rdfs:label", lit("Energy retrofit of public buildings"))
        x.add("ssc:actionStart", date_lit(dt.date(2026, 3, 1))).add("ssc:actionEnd", date_lit(dt.date(2027, 12, 31)))
        x.add("ssc:estimatedCost", "900000").add("ssc:responsibleParty", council)
        x.add("ssc:progressIndicator", kpis[-1].subject)
        x.add("ssc:reportingProcedure", lit("Yearly report to the council.", "en"))
        x.add("ssc:deliversServiceArea", ssc("SmartBuildings"))
        plan.add("ssc:hasMasterPlanAction", x.subject)
    if "mp-plan-element" in flaws:
        prop = b.flaw("mp-plan-element", ["ssc:currentPhase", "ssc:hasGovernanceCommittee", "ssc:hasFinancingModel"])
        plan.drop(prop)
    if "mp-outside-register" in flaws:
        what = b.flaw("mp-outside-register", ["committee", "mechanism", "owner"])
        outside = b.new("outsideParty")
        if what == "mechanism":
            outside.add("rdf:type", ssc("FeedbackChannel")).add("rdfs:label", lit("Online suggestion box"))
            plan.add("ssc:engagementMechanism", outside.subject)
        else:
            outside.add("rdf:type", ssc("ConsultingFirm")).add("rdfs:label", lit(f"{rng.choice(WORDS)} Advisers"))
            if what == "committee":
                cm.add("ssc:committeeMember", outside.subject)
            else:
                b.by_name["action1"].set("ssc:responsibleParty", outside.subject)
    if "mp-record" in flaws:
        rec = b.by_name["mpActionPlan"]
        rec.drop("ssc:recordedActivity" if b.flaw("mp-record", ["activity", "date"]) == "activity" else "dcterms:date")
    if "mp-data" in flaws:
        what = b.flaw("mp-data", ["action-dates", "kpi-dimension", "measurement-date"])
        if what == "action-dates":
            b.by_name["action1"].set("ssc:actionEnd", date_lit(dt.date(2025, 12, 31)))
        elif what == "kpi-dimension":
            kpis[0].drop("ssc:kpiDimension")
        else:
            m = next(
                (
                    b.by_name[f"kpi{i + 1}Measurement"]
                    for i in range(len(kpis))
                    if f"kpi{i + 1}Measurement" in b.by_name
                ),
                None,
            )
            if m is not None:
                m.drop("dcterms:date")
    for k in sorted(flaws):
        if k not in (
            "mp-kpi-dimension",
            "mp-financing-criterion",
            "mp-action-element",
            "mp-plan-element",
            "mp-outside-register",
            "mp-record",
            "mp-data",
        ):
            b.note(k, "yes")
    return b.res[start:]


def header(n: int, seed: int, rate: float) -> str:
    lines = [
        "# sscrdf scale benchmark: synthetic stakeholder registers of smart sustainable cities.",
        f"# Generated by benchmarks/generate.py --cities {n} --seed {seed} --flaw-rate {rate}",
        "# One named graph per city (<https://bench.sscrdf.example/city/NNNN/graph>). The data is fictional; the",
        "# flaws put in on purpose are described in benchmarks/README.md. Analyse with --as-of 2026-11-21.",
        "",
    ]
    lines += [f"@prefix {p}: <{iri}> ." for p, iri in PREFIXES.items()]
    return "\n".join(lines) + "\n"


def city_text(builder: CityBuilder, resources: list[Res]) -> tuple[str, int]:
    body = "".join(r.turtle() for r in resources if not r.deleted)
    triples = sum(r.count() for r in resources)
    text = f"\n@prefix {builder.prefix}: <{builder.iri}> .\n\n{builder.prefix}:graph {{\n{body}}}\n"
    return text, triples


def generate(
    n: int,
    seed: int,
    rate: float,
    out,
    onto: Ontology | None = None,
    master_plans: bool = False,
    fixtures_dir: Path | None = RULE_FIXTURES,
) -> dict:
    """Write ``n`` cities to the text stream ``out``; return the statistics. With ``master_plans`` each city also
    gets a master plan (add_master_plan). The rule fixtures are read from ``fixtures_dir`` (None: no fixtures)."""
    onto = onto or Ontology()
    fixtures = rule_fixtures(fixtures_dir, master_plans)
    width = max(4, len(str(n)))
    cyc = Cycler()
    flaw_counts: Counter = Counter({k: 0 for k in FLAWS})
    flaw_counts[FIXTURE_FLAW] = 0
    total = 0
    sizes = []
    clean = 0
    out.write(header(n, seed, rate))
    for i in range(1, n + 1):
        rng = random.Random(f"sscrdf-bench:{seed}:{rate!r}:{i}")
        flaws = {k for k in FLAWS if rng.random() < rate}
        for k in flaws:
            flaw_counts[k] += 1
        b = CityBuilder(onto, i, width, rng, flaws, cyc)
        b.build()
        if master_plans:
            add_master_plan(b, rate, seed)
        transplanted = add_rule_fixtures(b, fixtures, rate, seed)
        flaw_counts[FIXTURE_FLAW] += transplanted
        clean += not flaws and not transplanted
        text, triples = city_text(b, b.res)
        out.write(text)
        total += triples
        sizes.append(triples)
    return {
        "cities": n,
        "seed": seed,
        "flaw_rate": rate,
        "triples": total,
        "triples_per_city": {"min": min(sizes), "mean": round(total / n, 1), "max": max(sizes)},
        "cities_without_flaws": clean,
        "flaws": dict(flaw_counts),
        "variants": {k: dict(sorted(v.items())) for k, v in sorted(cyc.used.items())},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Write N synthetic city stakeholder registers (one TriG named graph each) for the sscrdf "
        "scale benchmark."
    )
    ap.add_argument("--cities", type=int, required=True, metavar="N", help="number of cities (one per named graph)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1); same seed and N, same bytes")
    ap.add_argument(
        "--flaw-rate",
        type=float,
        default=0.3,
        metavar="R",
        help="probability that a city gets each kind of flaw, independently (default 0.3; 0 = all "
        "cities complete and correct)",
    )
    ap.add_argument(
        "--master-plans",
        action="store_true",
        help="give every city an FG-SSC master plan in phase 3, with master-plan flaws at --flaw-rate",
    )
    ap.add_argument(
        "--rule-fixtures",
        type=Path,
        default=None,
        metavar="DIR",
        help="where the rule fixtures (<id>.pos.ttl) that the rule-fixture flaw copies in are read "
        "(default: tests/fixtures/rules)",
    )
    ap.add_argument(
        "--stats", action="store_true", help="print per-flaw counts (cities with each flaw) as JSON to standard error"
    )
    ap.add_argument("-o", "--output", required=True, metavar="FILE.trig", help="output file ('-' for stdout)")
    args = ap.parse_args(argv)
    if args.cities < 1:
        ap.error("--cities must be at least 1")
    if not 0.0 <= args.flaw_rate <= 1.0:
        ap.error("--flaw-rate must be between 0 and 1")
    if args.rule_fixtures is None:
        args.rule_fixtures = RULE_FIXTURES if RULE_FIXTURES.is_dir() else None
    elif not args.rule_fixtures.is_dir():
        ap.error(f"--rule-fixtures {args.rule_fixtures}: no such directory")

    started = time.perf_counter()
    onto = Ontology()
    if args.output == "-":
        stats = generate(
            args.cities, args.seed, args.flaw_rate, sys.stdout, onto, args.master_plans, args.rule_fixtures
        )
    else:
        target = Path(args.output)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=target.name + ".", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
                stats = generate(
                    args.cities, args.seed, args.flaw_rate, fh, onto, args.master_plans, args.rule_fixtures
                )
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; give it the usual permissions
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    elapsed = time.perf_counter() - started
    print(f"{stats['cities']} cities, {stats['triples']} triples", file=sys.stderr)
    if args.stats:
        stats["seconds"] = round(elapsed, 2)
        print(json.dumps(stats, indent=2), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
