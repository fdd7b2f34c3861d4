"""`sscrdf analyze`: load → infer → rules → validate → queries → one report per city.

The analysis is a plain data structure (``Analysis``); report.py renders it as text, Markdown, JSON or RDF.
Every list in it comes from a query file in ``queries/`` run on the store the rules produced, so the same
questions can be asked of a remote SPARQL store.
"""
from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from dataclasses import dataclass, field
from functools import partial
from typing import TypedDict, overload

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDFS
from rdflib.query import ResultRow

from ..knowledge.ontology import ontology_labels
from ..parallel import map_batches
from ..query.sparql import Row, Table, as_int, as_str, find_query, select
from ..reasoning.store import split_by_graph
from ..rules.engine import Derivation
from ..shacl.results import Result
from ..shacl.validate import CityReport, ValidationReport, city_iris, labels_of, shapes_graph, validate_store
from .pipeline import Place, derive

FINDING_KINDS = ("Gap", "Overlap", "Risk", "Recommendation")
#: the order of the kinds of triaged entries (see Entry): the finding kinds, then register checks that no rule
#: also found
ENTRY_KINDS = ("Gap", "Risk", "Overlap", "Recommendation", "Register")
SEVERITIES = ("Violation", "Warning", "Info")
#: report section (attribute of CityAnalysis) <- the query in queries/ that fills it, one row per item
REPORT_SECTIONS = (("categories", "stakeholders-by-category"), ("units", "unit-coverage"), ("grid", "strategies"),
                   ("engagement_gaps", "engagement-gaps"), ("plan", "engagement-plan"),
                   ("profiles", "city-table-i1"),
                   # the master-plan section (FG-SSC Master Plan): phase, timeline, KPI coverage, actions
                   ("mp_phase", "masterplan-cities-by-phase"), ("mp_timeline", "masterplan-timeline"),
                   ("mp_kpis", "masterplan-kpi-coverage"), ("mp_actions", "masterplan-actions"),
                   ("mp_overview", "masterplan-overview"), ("mp_kpi_values", "masterplan-kpis"))


@overload
def _local(iri: str) -> str: ...
@overload
def _local(iri: None) -> None: ...
def _local(iri: str | None) -> str | None:
    return None if iri is None else iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@dataclass
class FindingRow:
    finding: str
    kind: str
    severity: str
    about: list[str]
    message: str
    clause: str
    rule: str
    concerns: list[str] = field(default_factory=list)


@dataclass
class Entry:
    """One fact, however many rules and shapes found it (the triaged view of findings + validation results).

    ``kind`` is the most important kind among its findings (ENTRY_KINDS order), or "Register" for a fact only a
    shape found; ``severity`` the most severe of its sources; ``message`` the message of its first finding (or
    of its shape); ``clauses`` every clause any of its sources cites; ``rules``/``shapes`` every rule and shape
    that found it."""

    kind: str
    severity: str
    about: list[str]
    concerns: list[str]
    message: str
    clauses: list[str]
    rules: list[str] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)

    @property
    def order(self) -> tuple[int, int, str]:
        return (SEVERITIES.index(self.severity) if self.severity in SEVERITIES else 9,
                ENTRY_KINDS.index(self.kind) if self.kind in ENTRY_KINDS else 9, self.message)


class Summary(TypedDict):
    """The counts of one city's analysis (the "summary" object of the analysis JSON)."""

    stakeholders: int
    categoriesPresent: int
    categoriesTotal: int
    unitsPresent: int
    unitsDelegated: int
    unitsMissing: int
    assessedStakeholders: int
    validation: dict[str, int]
    findings: dict[str, int]
    entries: dict[str, int]
    plannedActions: int


@dataclass
class CityAnalysis:
    city: str
    label: str
    graph: str | None
    categories: list[Row] = field(default_factory=list)
    units: list[Row] = field(default_factory=list)
    grid: list[Row] = field(default_factory=list)
    engagement_gaps: list[Row] = field(default_factory=list)
    findings: list[FindingRow] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)  # findings and validation results, one entry per fact
    plan: list[Row] = field(default_factory=list)  # the engagement plan's actions (query engagement-plan)
    profiles: list[Row] = field(default_factory=list)  # the city's Table I.1 (query city-table-i1)
    mp_phase: list[Row] = field(default_factory=list)  # its master plan's current phase (one row, or none)
    mp_timeline: list[Row] = field(default_factory=list)  # phases reached and activities done, with dates
    mp_kpis: list[Row] = field(default_factory=list)  # selected KPIs per KPI dimension (D1-D6)
    mp_actions: list[Row] = field(default_factory=list)  # actions of the action plan with owner and status
    mp_overview: list[Row] = field(default_factory=list)  # vision, committee, mechanisms, financing, evaluation
    mp_kpi_values: list[Row] = field(default_factory=list)  # each selected KPI: target, last measured value
    validation: CityReport | None = None
    labels: dict[str, str] = field(default_factory=dict)
    stakeholder_count: int = 0

    def findings_of(self, kind: str) -> list[FindingRow]:
        return [f for f in self.findings if f.kind == kind]

    def entries_of(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    def summary(self) -> Summary:
        assessed = {r["stakeholder"] for r in self.grid}
        units = Counter(u["status"] for u in {(u["unitClass"], u["status"]): u for u in self.units}.values())
        return {
            "stakeholders": self.stakeholder_count,
            "categoriesPresent": sum(1 for c in self.categories if as_int(c["stakeholders"]) > 0),
            "categoriesTotal": len(self.categories),
            "unitsPresent": units.get("present", 0),
            "unitsDelegated": units.get("delegated", 0),
            "unitsMissing": units.get("missing", 0),
            "assessedStakeholders": len(assessed),
            "validation": ValidationReport([self.validation]).counts() if self.validation else {},
            "findings": {k: len(self.findings_of(k)) for k in FINDING_KINDS},
            "entries": {k: len(self.entries_of(k)) for k in ENTRY_KINDS},
            "plannedActions": len(self.plan),
        }


@dataclass
class Analysis:
    as_of: dt.date
    reasoner: str
    cities: list[CityAnalysis]
    derivation: Derivation
    terms_used: set[str] = field(default_factory=set)  # ssc: IRIs the data uses (for the vocabulary check)
    #: seconds spent per stage (reasoning, rules, validation, queries), summed over batches and workers
    timings: dict[str, float] = field(default_factory=dict)


_SHAPE_CONCERNS = """
PREFIX sh:  <http://www.w3.org/ns/shacl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT DISTINCT ?shape ?concern WHERE {
  ?shape (sh:property|sh:or|sh:and|sh:xone|sh:node|rdf:first|rdf:rest)* ?part .
  ?part sh:qualifiedValueShape ?q .
  { ?q sh:class ?concern } UNION { ?q sh:hasValue ?concern }
  FILTER(isIRI(?shape))
}"""


def shape_concerns(shapes: Graph) -> dict[str, set[str]]:
    """shape IRI -> the ontology terms it checks for (the sh:class or sh:hasValue of its qualified value
    shapes: the category, unit or mechanism a register-completeness shape looks for). Read from the shapes,
    so that a new shape is triaged without a code change."""
    out: dict[str, set[str]] = defaultdict(set)
    for row in shapes.query(_SHAPE_CONCERNS):
        if isinstance(row, ResultRow):  # a SELECT gives rows
            out[str(row.shape)].add(str(row.concern))
    return dict(out)


def _shape_labels(shapes: Graph) -> dict[str, str]:
    return {str(s): str(o) for s, o in shapes.subject_objects(RDFS.label)}


def triage(ca: CityAnalysis, bodies: set[str], concerns_of_shape: dict[str, set[str]]) -> list[Entry]:
    """One entry per fact: the findings and validation results of one city, merged when they state the same
    fact. A fact is (subject, concerned term): the subject of anything about the city, its municipality or
    a municipal unit is the city itself (one register), otherwise the stakeholder; the concerned term is a
    finding's ssc:concerns, a result's value when it is an ontology term, else what the shape checks for
    (shape_concerns). Sources sharing a fact key are merged (transitively)."""
    own = bodies | {ca.city}
    ssc_ns = "https://w3id.org/sscrdf/ontology#"

    def subject(node: str) -> str:
        return ca.city if node in own else node

    sources: list[FindingRow | Result] = [*ca.findings, *(ca.validation.results if ca.validation else [])]
    parent = list(range(len(sources)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple[str, str], int] = {}
    for i, src in enumerate(sources):
        if isinstance(src, FindingRow):
            keys = [(subject(a), c) for a in src.about for c in src.concerns]
        else:
            value = str(src.value) if src.value is not None else ""
            terms = {value} if value.startswith(ssc_ns) else concerns_of_shape.get(str(src.shape), set())
            keys = [(subject(str(src.focus)), c) for c in sorted(terms)]
        for k in keys:
            if k in first:
                parent[find(i)] = find(first[k])
            else:
                first[k] = i
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(sources)):
        groups[find(i)].append(i)
    entries = []
    for members in groups.values():
        found = sorted((f for i in members if isinstance(f := sources[i], FindingRow)),
                       key=lambda f: (ENTRY_KINDS.index(f.kind) if f.kind in ENTRY_KINDS else 9, f.rule, f.finding))
        results = _sorted_results([r for i in members if isinstance(r := sources[i], Result)])
        severity = min([f.severity for f in found] + [r.severity_name for r in results],
                       key=lambda s: SEVERITIES.index(s) if s in SEVERITIES else 9)
        clauses = normalise_clauses([f.clause for f in found] + [r.source for r in results if r.source])
        about = sorted({a for f in found for a in f.about} | {str(r.focus) for r in results})
        concerns = sorted({c for f in found for c in f.concerns}
                          | {str(r.value) for r in results if r.value is not None and str(r.value).startswith(ssc_ns)})
        entries.append(Entry(
            kind=found[0].kind if found else "Register", severity=severity, about=about, concerns=concerns,
            message=found[0].message if found else results[0].message, clauses=clauses,
            rules=sorted({f.rule for f in found}), shapes=sorted({str(r.shape) for r in results}),
            findings=[f.finding for f in found], results=results))
    return sorted(entries, key=lambda e: e.order)


_DOCUMENTS = ("Y Suppl. 34", "FG-SSC Master Plan")


def _clause_key(clause: str) -> tuple[int, str, bool, str, tuple[tuple[int, int, str], ...]]:
    doc, _, rest = clause.partition(", ")
    kind, _, num = rest.partition(" ")
    parts = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in num.split("."))
    return (_DOCUMENTS.index(doc) if doc in _DOCUMENTS else 9, doc, kind != "clause", kind, parts)


def normalise_clauses(sources: list[str]) -> list[str]:
    """Every clause named in ``sources`` once, in document order, each with its document: "Y Suppl. 34, clause
    4.2; clause 5.10" gives "Y Suppl. 34, clause 4.2" and "Y Suppl. 34, clause 5.10"."""
    out: set[str] = set()
    for source in sources:
        doc = ""
        for part in (p.strip() for p in source.split(";")):
            if not part:
                continue
            if part.startswith(_DOCUMENTS):
                doc = part.split(",", 1)[0]
                out.add(part)
            elif doc:
                out.add(f"{doc}, {part}")
            else:
                out.add(part)
    return sorted(out, key=_clause_key)


def _sorted_results(results: list[Result]) -> list[Result]:
    return sorted(results, key=lambda r: (SEVERITIES.index(r.severity_name) if r.severity_name in SEVERITIES else 9,
                                          str(r.focus), str(r.shape), str(r.value)))


def _rows(table: Table) -> list[Row]:
    return [dict(zip(table.columns, row, strict=True)) for row in table.rows]


def _query(store: ox.Store, name: str) -> list[Row]:
    return _rows(select(store, find_query(name).text))


def analyze_store(data: ox.Store, *, reasoner: str = "fast", engine: str = "fast", as_of: dt.date | None = None,
                  extra_shapes: Iterable[str | Path] = (), batch_size: int | None = None) -> Analysis:
    """Analyse every city in ``data`` (which is not changed).

    A dataset with many city graphs is analysed in batches of ``batch_size`` graphs on all cores
    (see sscrdf.parallel); the result is the same as analysing it in one go."""

    as_of = as_of or dt.date.today()
    parts = map_batches(data, partial(_analyze_batch, reasoner=reasoner, engine=engine, as_of=as_of,
                                      extra_shapes=tuple(extra_shapes)), batch_size=batch_size)
    if len(parts) == 1:
        return parts[0]
    cities = sorted((c for p in parts for c in p.cities), key=lambda c: (c.label.lower(), c.city))
    derivation = Derivation(triples=[t for p in parts for t in p.derivation.triples],
                            rounds=max(p.derivation.rounds for p in parts))
    for p in parts:
        for rule, triples in p.derivation.by_rule.items():
            derivation.by_rule.setdefault(rule, []).extend(triples)
    timings: dict[str, float] = {}
    for p in parts:
        for k, v in p.timings.items():
            timings[k] = timings.get(k, 0.0) + v
    return Analysis(as_of, reasoner, cities, derivation, set().union(*(p.terms_used for p in parts)), timings)


def _analyze_batch(data: ox.Store, *, reasoner: str, engine: str, as_of: dt.date,
                   extra_shapes: tuple[str | Path, ...], place: Place | None = None) -> Analysis:
    """Analyse the cities of one store in this process.

    ``place`` is where the rules, checks and queries run: None for a new embedded store built here, or a
    ``sscrdf.analysis.instore.RemoteStore`` (a SPARQL store already holding ``data``, its entailments and the
    ontology; ``data`` is then the cities' triples read back from it)."""
    clock = [time.perf_counter()]
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        now = time.perf_counter()
        timings[stage] = timings.get(stage, 0.0) + now - clock[0]
        clock[0] = now

    units = split_by_graph(data)
    derived = derive(data, reasoner=reasoner, as_of=as_of, units=units, on_stage=lap,  # laps reasoning, rules
                     place=place)
    ks, derivation, store = derived.knowledge, derived.derivation, derived.store
    assert derivation is not None  # derive ran the rules
    shapes = shapes_graph(tuple(extra_shapes))
    validation = validate_store(data, shapes=shapes, reasoner=reasoner, engine=engine,
                                knowledge=ks, units=units)
    lap("validation")

    labels: dict[str, str] = {}
    city_graph: dict[str, str | None] = {}
    for graph, triples in units:
        labels.update(labels_of(triples))
        city_graph.update((c, graph) for c in city_iris(triples))
    labels = {**ontology_labels(), **_shape_labels(shapes), **labels}
    cities = {c: CityAnalysis(c, labels.get(c, _local(c) or c), g, labels=labels) for c, g in city_graph.items()}
    for cr in validation.cities:
        for c in cr.cities:
            if c in cities:
                cities[c].validation = CityReport(cr.graph, [c], cr.results, cr.labels)

    def per_city(rows: list[Row], key: str = "city") -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = defaultdict(list)
        for r in rows:
            out[as_str(r[key])].append(r)
        return out

    # report section (attribute of CityAnalysis) <- the query that fills it
    for attr, query_id in REPORT_SECTIONS:
        for c, rows in per_city(_query(store, query_id)).items():
            if c in cities:
                setattr(cities[c], attr, rows)
    grouped: dict[str, tuple[Row, set[str], set[str], set[str]]] = {}  # finding -> row, about, concerns, sources
    for r in _query(store, "findings"):
        _, about, concerns, sources = grouped.setdefault(as_str(r["finding"]), (r, set(), set(), set()))
        if r.get("source"):
            sources.add(as_str(r["source"]))
        about.add(as_str(r["about"]))
        if r.get("concerns"):
            concerns.add(as_str(r["concerns"]))
    for fid, (r, about, concerns, sources) in sorted(grouped.items()):
        if r["city"] in cities:
            cities[as_str(r["city"])].findings.append(FindingRow(
                fid, _local(as_str(r["kind"])), _local(as_str(r["severity"])), sorted(about), as_str(r["message"]),
                "; ".join(sorted(sources)), as_str(r["rule"]), sorted(concerns)))
    counts = _rows(select(store, find_query("stakeholder-count").text))
    for r in counts:
        if r["city"] in cities:
            cities[as_str(r["city"])].stakeholder_count = as_int(r["stakeholders"])
    sev = {"Violation": 0, "Warning": 1, "Info": 2}
    for ca in cities.values():
        ca.findings.sort(key=lambda f: (FINDING_KINDS.index(f.kind) if f.kind in FINDING_KINDS else 9,
                                        sev.get(f.severity, 9), f.message))
    bodies: dict[str, set[str]] = defaultdict(set)
    for r in _query(store, "municipal-bodies"):
        bodies[as_str(r["city"])].add(as_str(r["body"]))
    concerns_of_shape = shape_concerns(shapes)
    for ca in cities.values():
        ca.entries = triage(ca, bodies.get(ca.city, set()), concerns_of_shape)
    lap("queries")
    used = validation.terms_used  # collected by the validation of this batch
    derivation.store = None  # the working store stays here (it cannot travel between processes)
    return Analysis(as_of, reasoner, sorted(cities.values(), key=lambda c: (c.label.lower(), c.city)), derivation,
                    used, timings)
