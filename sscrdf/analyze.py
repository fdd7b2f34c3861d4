"""`sscrdf analyze`: load → infer → rules → validate → queries → one report per city.

The analysis is a plain data structure (``Analysis``); report.py renders it as text, Markdown, JSON or RDF.
Every list in it comes from a query file in ``queries/`` run on the store the rules produced, so the same
questions can be asked of a remote SPARQL store.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from functools import lru_cache

from rdflib import Graph
from rdflib.namespace import RDFS, SH, SKOS

from .ontology import ontology_triples
from .query import Table, find_query, select
from .rules import Derivation, run_rules
from .shacl import Result
from .store import knowledge_store, split_by_graph
from .validate import CityReport, ValidationReport, city_iris, labels_of, shapes_graph, validate_store

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
    def order(self) -> tuple:
        return (SEVERITIES.index(self.severity) if self.severity in SEVERITIES else 9,
                ENTRY_KINDS.index(self.kind) if self.kind in ENTRY_KINDS else 9, self.message)


@dataclass
class CityAnalysis:
    city: str
    label: str
    graph: str | None
    categories: list[dict] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)
    grid: list[dict] = field(default_factory=list)
    engagement_gaps: list[dict] = field(default_factory=list)
    findings: list[FindingRow] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)  # findings and validation results, one entry per fact
    plan: list[dict] = field(default_factory=list)  # the engagement plan's actions (query engagement-plan)
    profiles: list[dict] = field(default_factory=list)  # the city's Table I.1 (query city-table-i1)
    mp_phase: list[dict] = field(default_factory=list)  # its master plan's current phase (one row, or none)
    mp_timeline: list[dict] = field(default_factory=list)  # phases reached and activities done, with dates
    mp_kpis: list[dict] = field(default_factory=list)  # selected KPIs per KPI dimension (D1-D6)
    mp_actions: list[dict] = field(default_factory=list)  # actions of the action plan with owner and status
    mp_overview: list[dict] = field(default_factory=list)  # vision, committee, mechanisms, financing, evaluation
    mp_kpi_values: list[dict] = field(default_factory=list)  # each selected KPI: target, last measured value
    validation: CityReport | None = None
    labels: dict[str, str] = field(default_factory=dict)
    stakeholder_count: int = 0

    def findings_of(self, kind: str) -> list[FindingRow]:
        return [f for f in self.findings if f.kind == kind]

    def entries_of(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    def summary(self) -> dict:
        assessed = {r["stakeholder"] for r in self.grid}
        units = Counter(u["status"] for u in {(u["unitClass"], u["status"]): u for u in self.units}.values())
        return {
            "stakeholders": self.stakeholder_count,
            "categoriesPresent": sum(1 for c in self.categories if c["stakeholders"] > 0),
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
    so that a new shape is triaged without a code change. The query runs on pyoxigraph (rdflib's SPARQL engine
    alone takes longer to import than analysing one small city)."""
    from .convert import to_ox_term

    store = ox.Store()
    store.extend(ox.Quad(to_ox_term(s), to_ox_term(p), to_ox_term(o)) for s, p, o in shapes)
    out: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_SHAPE_CONCERNS):
        out[row["shape"].value].add(row["concern"].value)
    return dict(out)


@lru_cache(maxsize=1)
def ontology_labels() -> dict[str, str]:
    """IRI -> display label of every ontology term (skos:prefLabel, else rdfs:label; English or untagged)."""
    label, pref = {}, {}
    for t in ontology_triples():
        if not isinstance(t.object, ox.Literal) or t.object.language not in (None, "en"):
            continue
        if t.predicate.value == str(RDFS.label):
            label.setdefault(t.subject.value, t.object.value)
        elif t.predicate.value == str(SKOS.prefLabel):
            pref.setdefault(t.subject.value, t.object.value)
    return {**label, **pref}


def _shape_labels(shapes: Graph) -> dict[str, str]:
    return {str(s): str(o) for s, o in shapes.subject_objects(RDFS.label)}


def triage(ca: "CityAnalysis", bodies: set[str], concerns_of_shape: dict[str, set[str]]) -> list[Entry]:
    """One entry per fact: the findings and validation results of one city, merged when they state the same
    fact. A fact is (subject, concerned term): the subject of anything about the city, its municipality or
    a municipal unit is the city itself (one register), otherwise the stakeholder; the concerned term is a
    finding's ssc:concerns, a result's value when it is an ontology term, else what the shape checks for
    (shape_concerns). Sources sharing a fact key are merged (transitively)."""
    own = bodies | {ca.city}
    ssc_ns = "https://w3id.org/sscrdf/ontology#"

    def subject(node: str) -> str:
        return ca.city if node in own else node

    sources: list[tuple[str, object]] = [("finding", f) for f in ca.findings]
    sources += [("result", r) for r in (ca.validation.results if ca.validation else [])]
    parent = list(range(len(sources)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[tuple, int] = {}
    for i, (what, src) in enumerate(sources):
        if what == "finding":
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
        found = sorted((sources[i][1] for i in members if sources[i][0] == "finding"),
                       key=lambda f: (ENTRY_KINDS.index(f.kind) if f.kind in ENTRY_KINDS else 9, f.rule, f.finding))
        results = _sorted_results([sources[i][1] for i in members if sources[i][0] == "result"])
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


def _clause_key(clause: str) -> tuple:
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


def _rows(table: Table) -> list[dict]:
    return [dict(zip(table.columns, row)) for row in table.rows]


def _query(store: ox.Store, name: str) -> list[dict]:
    return _rows(select(store, find_query(name).text))


def analyze_store(data: ox.Store, *, reasoner: str = "fast", engine: str = "fast", as_of: dt.date | None = None,
                  extra_shapes=(), batch_size: int | None = None) -> Analysis:
    """Analyse every city in ``data`` (which is not changed).

    A dataset with many city graphs is analysed in batches of ``batch_size`` graphs on all cores
    (see sscrdf.parallel); the result is the same as analysing it in one go."""
    from functools import partial

    from .parallel import map_batches

    as_of = as_of or dt.date.today()
    parts = map_batches(data, partial(_analyze_batch, reasoner=reasoner, engine=engine, as_of=as_of,
                                      extra_shapes=tuple(extra_shapes)), batch_size=batch_size)
    if len(parts) == 1:
        return parts[0]
    cities = sorted((c for p in parts for c in p.cities), key=lambda c: (c.label.lower(), c.city))
    derivation = Derivation.merged([p.derivation for p in parts])  # parsed only if a report reads it
    timings: dict[str, float] = {}
    for p in parts:
        for k, v in p.timings.items():
            timings[k] = timings.get(k, 0.0) + v
    return Analysis(as_of, reasoner, cities, derivation, set().union(*(p.terms_used for p in parts)), timings)


@lru_cache(maxsize=4)
def _shapes_for(extra_shapes: tuple) -> tuple[Graph, dict[str, str], dict[str, set[str]]]:
    """The shapes graph with ``extra_shapes``, its labels and what each shape checks for: built once per process
    and shared by its batches, which only read them (rebuilding them took about 0.5 s per batch)."""
    shapes = shapes_graph(extra_shapes)
    return shapes, _shape_labels(shapes), shape_concerns(shapes)


def _analyze_batch(data: ox.Store, *, reasoner: str, engine: str, as_of: dt.date, extra_shapes) -> Analysis:
    """Analyse the cities of one store in this process."""
    import time

    clock = [time.perf_counter()]
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        now = time.perf_counter()
        timings[stage] = timings.get(stage, 0.0) + now - clock[0]
        clock[0] = now

    units = split_by_graph(data)
    ks = knowledge_store(data, reasoner=reasoner, units=units)
    lap("reasoning")
    derivation = run_rules(ks, as_of=as_of)
    store = derivation.store
    lap("rules")
    shapes, shape_labels, concerns_of_shape = _shapes_for(tuple(extra_shapes))
    validation = validate_store(data, shapes=shapes, reasoner=reasoner, engine=engine,
                                knowledge=ks, units=units)
    lap("validation")

    labels: dict[str, str] = {}
    city_graph: dict[str, str | None] = {}
    # the validation already read each unit's labels and cities (one CityReport per unit, in unit order):
    # reuse them rather than scanning every triple again
    reported = {c.graph: c for c in validation.cities}
    for graph, triples in units:
        report = reported.get(graph)
        if report is not None and report.labels:
            labels.update(report.labels)
            city_graph.update((c, graph) for c in report.cities)
        else:
            labels.update(labels_of(triples))
            city_graph.update((c, graph) for c in city_iris(triples))
    labels = {**ontology_labels(), **shape_labels, **labels}
    cities = {c: CityAnalysis(c, labels.get(c, _local(c) or c), g, labels=labels) for c, g in city_graph.items()}
    for cr in validation.cities:
        for c in cr.cities:
            if c in cities:
                cities[c].validation = CityReport(cr.graph, [c], cr.results, cr.labels)

    def per_city(rows: list[dict], key: str = "city") -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = defaultdict(list)
        for r in rows:
            out[r[key]].append(r)
        return out

    # report section (attribute of CityAnalysis) <- the query that fills it
    for attr, query_id in REPORT_SECTIONS:
        for c, rows in per_city(_query(store, query_id)).items():
            if c in cities:
                setattr(cities[c], attr, rows)
    grouped: dict[str, dict] = {}
    for r in _query(store, "findings"):
        f = grouped.setdefault(r["finding"], {"row": r, "about": set(), "concerns": set(), "sources": set()})
        if r.get("source"):
            f["sources"].add(r["source"])
        f["about"].add(r["about"])
        if r.get("concerns"):
            f["concerns"].add(r["concerns"])
    for fid, f in sorted(grouped.items()):
        r = f["row"]
        if r["city"] in cities:
            cities[r["city"]].findings.append(FindingRow(
                fid, _local(r["kind"]), _local(r["severity"]), sorted(f["about"]), r["message"], "; ".join(sorted(f["sources"])),
                r["rule"], sorted(f["concerns"])))
    counts = _rows(select(store, find_query("stakeholder-count").text))
    for r in counts:
        if r["city"] in cities:
            cities[r["city"]].stakeholder_count = r["stakeholders"]
    sev = {"Violation": 0, "Warning": 1, "Info": 2}
    for ca in cities.values():
        ca.findings.sort(key=lambda f: (FINDING_KINDS.index(f.kind) if f.kind in FINDING_KINDS else 9,
                                        sev.get(f.severity, 9), f.message))
    bodies: dict[str, set[str]] = defaultdict(set)
    for r in _query(store, "municipal-bodies"):
        bodies[r["city"]].add(r["body"])
    for ca in cities.values():
        ca.entries = triage(ca, bodies.get(ca.city, set()), concerns_of_shape)
    lap("queries")
    used = validation.terms_used  # collected by the validation of this batch
    derivation.store = None  # the working store stays here (it cannot travel between processes)
    return Analysis(as_of, reasoner, sorted(cities.values(), key=lambda c: (c.label.lower(), c.city)), derivation,
                    used, timings)
