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

from .query import Table, find_query, select
from .rules import Derivation, run_rules
from .store import knowledge_store, split_by_graph
from .validate import CityReport, ValidationReport, city_iris, labels_of, shapes_graph, validate_store

FINDING_KINDS = ("Gap", "Overlap", "Risk", "Recommendation")


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
class CityAnalysis:
    city: str
    label: str
    graph: str | None
    categories: list[dict] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)
    grid: list[dict] = field(default_factory=list)
    engagement_gaps: list[dict] = field(default_factory=list)
    findings: list[FindingRow] = field(default_factory=list)
    validation: CityReport | None = None
    labels: dict[str, str] = field(default_factory=dict)
    stakeholder_count: int = 0

    def findings_of(self, kind: str) -> list[FindingRow]:
        return [f for f in self.findings if f.kind == kind]

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
    validation = validate_store(data, shapes=shapes_graph(tuple(extra_shapes)), reasoner=reasoner, engine=engine,
                                knowledge=ks, units=units)
    lap("validation")

    labels: dict[str, str] = {}
    city_graph: dict[str, str | None] = {}
    for graph, triples in units:
        labels.update(labels_of(triples))
        city_graph.update((c, graph) for c in city_iris(triples))
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
    for attr, query_id in (("categories", "stakeholders-by-category"), ("units", "unit-coverage"),
                           ("grid", "strategies"), ("engagement_gaps", "engagement-gaps")):
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
    lap("queries")
    used = validation.terms_used  # collected by the validation of this batch
    derivation.store = None  # the working store stays here (it cannot travel between processes)
    return Analysis(as_of, reasoner, sorted(cities.values(), key=lambda c: (c.label.lower(), c.city)), derivation,
                    used, timings)
