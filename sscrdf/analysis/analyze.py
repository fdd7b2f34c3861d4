"""`sscrdf analyze`: load → infer → rules → validate → queries → one report per city.

The analysis is a typed data structure (``Analysis``, see :mod:`sscrdf.analysis.model`); render/ renders it as
text, Markdown, JSON, RDF or HTML. Every list in it comes from a query file in ``queries/`` run on the store the
rules produced, so the same questions can be asked of a remote SPARQL store; which query fills which report
section is written in the query's ``# section:`` header.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar, overload

import pyoxigraph as ox

from .. import cache
from ..convert import to_ox_term
from ..errors import InputError
from ..knowledge.ontology import ontology_labels
from ..namespaces import SSC
from ..parallel import map_batches, map_stream
from ..query.sparql import bundled_queries, find_query, select
from ..reasoning.store import split_by_graph
from ..resources import data_dir
from ..rules.engine import Derivation
from ..shacl.results import Result, severity_rank
from ..shacl.validate import (
    CityReport,
    CompiledShapes,
    ValidationReport,
    city_iris,
    compiled_shapes,
    labels_of,
    validate_store,
)
from .model import (
    ENTRY_KINDS,
    FINDING_KINDS,
    SEVERITIES,
    Analysis,
    CityAnalysis,
    Entry,
    FindingRow,
    R,
    Row,
    section_types,
)
from .pipeline import Place, derive, load_batch

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = [
    "ENTRY_KINDS",
    "FINDING_KINDS",
    "SEVERITIES",
    "Analysis",
    "CityAnalysis",
    "Entry",
    "FindingRow",
    "Section",
    "analyze_batches",
    "analyze_store",
    "normalise_clauses",
    "report_sections",
    "section",
    "shape_concerns",
    "triage",
]


@dataclass(frozen=True)
class FindingSolution(Row):
    """A solution of the ``findings`` query: one (finding, about, concerns, source) combination."""

    city: str
    finding: str
    kind: str
    severity: str
    about: str
    concerns: str | None
    message: str
    source: str | None
    rule: str


@dataclass(frozen=True)
class CountRow(Row):
    """A solution of ``stakeholder-count``: how many stakeholders a city has."""

    city: str
    city_label: str | None
    stakeholders: int


@dataclass(frozen=True)
class BodyRow(Row):
    """A solution of ``municipal-bodies``: the municipality or a municipal unit of a city."""

    city: str
    body: str


@overload
def _local(iri: str) -> str: ...
@overload
def _local(iri: None) -> None: ...
def _local(iri: str | None) -> str | None:
    return None if iri is None else iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def shape_concerns(shapes: Graph) -> dict[str, set[str]]:
    """shape IRI -> the ontology terms it checks for (the sh:class or sh:hasValue of its qualified value
    shapes: the category, unit or mechanism a register-completeness shape looks for). Read from the shapes,
    so that a new shape is triaged without a code change. The query runs on pyoxigraph (rdflib's SPARQL engine
    alone takes longer to import than analysing one small city)."""
    store = ox.Store()
    store.extend(ox.Quad(to_ox_term(s), to_ox_term(p), to_ox_term(o)) for s, p, o in shapes)  # type: ignore[arg-type]  # a shapes graph has no literal subjects
    out: dict[str, set[str]] = defaultdict(set)
    solutions = store.query((data_dir("mappings") / "shape-concerns.rq").read_text(encoding="utf-8"))
    assert isinstance(solutions, ox.QuerySolutions)  # the mapping query is a SELECT
    for row in solutions:
        shape, concern = row["shape"], row["concern"]
        if shape is not None and concern is not None:
            out[shape.value].add(concern.value)
    return dict(out)


def triage(ca: CityAnalysis, bodies: set[str], concerns_of_shape: dict[str, set[str]]) -> list[Entry]:
    """One entry per fact: the findings and validation results of one city, merged when they state the same
    fact. A fact is (subject, concerned term): the subject of anything about the city, its municipality or
    a municipal unit is the city itself (one register), otherwise the stakeholder; the concerned term is a
    finding's ssc:concerns, a result's value when it is an ontology term, else what the shape checks for
    (shape_concerns). Sources sharing a fact key are merged (transitively)."""
    own = bodies | {ca.city}
    ssc_ns = str(SSC)

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
        found = sorted(
            (f for i in members if isinstance(f := sources[i], FindingRow)),
            key=lambda f: (ENTRY_KINDS.index(f.kind) if f.kind in ENTRY_KINDS else 9, f.rule, f.finding),
        )
        results = _sorted_results([r for i in members if isinstance(r := sources[i], Result)])
        severity = min([f.severity for f in found] + [r.severity_name for r in results], key=severity_rank)
        clauses = normalise_clauses([f.clause for f in found] + [r.source for r in results if r.source])
        about = sorted({a for f in found for a in f.about} | {str(r.focus) for r in results})
        concerns = sorted(
            {c for f in found for c in f.concerns}
            | {str(r.value) for r in results if r.value is not None and str(r.value).startswith(ssc_ns)}
        )
        entries.append(
            Entry(
                kind=found[0].kind if found else "Register",
                severity=severity,
                about=about,
                concerns=concerns,
                message=found[0].message if found else results[0].message,
                clauses=clauses,
                rules=sorted({f.rule for f in found}),
                shapes=sorted({str(r.shape) for r in results}),
                findings=[f.finding for f in found],
                results=results,
            )
        )
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
    return list(_normalised(tuple(sources)))


@lru_cache(maxsize=4096)
def _normalised(sources: tuple[str, ...]) -> tuple[str, ...]:  # few distinct source lists: each is worked once
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
    return tuple(sorted(out, key=_clause_key))


def _sorted_results(results: list[Result]) -> list[Result]:
    return sorted(results, key=lambda r: (severity_rank(r.severity_name), str(r.focus), str(r.shape), str(r.value)))


def _query(store: ox.Store, name: str, row_type: type[R]) -> list[R]:
    """The rows of the bundled query ``name`` on ``store``, typed."""
    table = select(store, find_query(name).text)
    return row_type.from_table(table.columns, table.rows)


@dataclass(frozen=True)
class Section:
    """A report section as the bundled query that fills it declares it: the CityAnalysis attribute
    (``# section:``), the query id, the heading (``# title:``) and the clauses it rests on (``# clause:``)."""

    name: str
    query: str
    title: str
    clause: str

    @property
    def heading(self) -> str:
        """The section's heading in the reports: its title and its clauses."""
        return f"{self.title} ({self.clause})"


@lru_cache(maxsize=1)
def report_sections() -> tuple[Section, ...]:
    """Every report section, from the bundled queries with a ``# section:`` header, in query order."""
    out = []
    types = section_types()
    for q in bundled_queries():
        name = q.header.get("section")
        if name:
            if name not in types:
                raise InputError(
                    f"# section: {name} is not a report section", path=q.path, hint="one of " + ", ".join(sorted(types))
                )
            out.append(Section(name, q.id, q.header.get("title") or q.header["question"], q.header["clause"]))
    return tuple(out)


def section(name: str) -> Section:
    """The report section ``name`` (a CityAnalysis attribute)."""
    return next(s for s in report_sections() if s.name == name)


def analyze_store(
    data: ox.Store,
    *,
    reasoner: str = "fast",
    engine: str = "fast",
    as_of: dt.date | None = None,
    extra_shapes: Iterable[str | Path] = (),
    batch_size: int | None = None,
) -> Analysis:
    """Analyse every city in ``data`` (which is not changed).

    A dataset with many city graphs is analysed in batches of ``batch_size`` graphs on all cores
    (see sscrdf.parallel); the result is the same as analysing it in one go."""

    as_of = as_of or dt.date.today()
    parts = map_batches(
        data,
        partial(_analyze_batch, reasoner=reasoner, engine=engine, as_of=as_of, extra_shapes=tuple(extra_shapes)),
        batch_size=batch_size,
    )
    if len(parts) == 1:
        return parts[0]
    cities = sorted((c for p in parts for c in p.cities), key=lambda c: (c.label.lower(), c.city))
    derivation = Derivation.merged([p.derivation for p in parts])  # parsed only if a report reads it
    timings: dict[str, float] = {}
    for p in parts:
        for k, v in p.timings.items():
            timings[k] = timings.get(k, 0.0) + v
    return Analysis(as_of, reasoner, cities, derivation, set().union(*(p.terms_used for p in parts)), timings)


def nearest_city(triples: Iterable[ox.Triple], cities: list[str]) -> dict[str, str]:
    """node -> the city of ``cities`` nearest to it through ``triples`` (either direction; ties go to the city
    first in ``cities``), for a graph that holds several cities: each validation result then goes to the city
    its focus node belongs to, not to every city of the graph. Ontology terms (shared by every city) are
    reached but not gone through; a node no city reaches is in no entry (its results go to every city)."""
    links: dict[str, list[str]] = defaultdict(list)
    for t in triples:
        if isinstance(t.object, ox.Literal) or isinstance(t.subject, ox.Triple) or isinstance(t.object, ox.Triple):
            continue
        s, o = str(t.subject.value), str(t.object.value)
        links[s].append(o)
        links[o].append(s)
    owner = {c: c for c in cities}
    frontier = list(cities)
    ssc = str(SSC)
    while frontier:
        nxt = []
        for node in frontier:
            if node.startswith(ssc):
                continue
            for other in links.get(node, ()):
                if other not in owner:
                    owner[other] = owner[node]
                    nxt.append(other)
        frontier = nxt
    return owner


T = TypeVar("T")


def analyze_batches(
    batches: Iterable[bytes],
    then: Callable[[Analysis], T],
    *,
    reasoner: str = "fast",
    engine: str = "fast",
    as_of: dt.date | None = None,
    extra_shapes: Iterable[str | Path] = (),
) -> Iterator[T]:
    """``then`` of the analysis of each batch, in the order of ``batches`` (N-Quads documents of whole city
    graphs, e.g. from :func:`sscrdf.io.stream.graph_batches`), while they are still being read: the batches
    run in worker processes (see :func:`sscrdf.parallel.map_stream`) and ``then`` runs there too, so that what
    travels back is only what ``then`` returns (e.g. where it wrote the batch's report)."""
    fn = partial(
        _analyze_nquads,
        then=then,
        reasoner=reasoner,
        engine=engine,
        as_of=as_of or dt.date.today(),
        extra_shapes=tuple(extra_shapes),
    )
    return map_stream(batches, fn)


def _analyze_nquads(data: bytes, *, then: Callable[[Analysis], T], **options: object) -> T:
    store, terms = load_batch(data)
    return then(_analyze_batch(store, terms_used=terms, **options))  # type: ignore[arg-type]  # analyze_batches' options


@lru_cache(maxsize=4)
def _shapes_for(extra_shapes: tuple[str | Path, ...]) -> tuple[CompiledShapes, dict[str, str], dict[str, set[str]]]:
    """The compiled shapes with ``extra_shapes``, their labels and what each shape checks for: built once per
    process and shared by its batches, which only read them; kept in the cache (sscrdf.cache) next to the
    compiled shapes, under a key that adds the mapping query's bytes to theirs."""
    shapes = compiled_shapes(extra_shapes)
    mapping = data_dir("mappings") / "shape-concerns.rq"
    key = cache.key("concerns", [mapping], shapes.key) if shapes.key else None
    data = cache.read_json(key)
    if isinstance(data, dict) and all(isinstance(v, list) for v in data.values()):
        concerns = {str(k): {str(x) for x in v} for k, v in data.items()}
    else:
        concerns = shape_concerns(shapes.graph)
        cache.write_json(key, {k: sorted(v) for k, v in sorted(concerns.items())})
    return shapes, shapes.labels, concerns


def _analyze_batch(
    data: ox.Store,
    *,
    reasoner: str,
    engine: str,
    as_of: dt.date,
    extra_shapes: tuple[str | Path, ...],
    place: Place | None = None,
    terms_used: set[str] | None = None,
) -> Analysis:
    """Analyse the cities of one store in this process.

    ``place`` is where the rules, checks and queries run: None for a new embedded store built here, or a
    ``sscrdf.analysis.instore.RemoteStore`` (a SPARQL store already holding ``data``, its entailments and the
    ontology; ``data`` is then the cities' triples read back from it). ``terms_used``: the ssc: terms of
    ``data`` when the caller already has them."""
    clock = [time.perf_counter()]
    timings: dict[str, float] = {}

    def lap(stage: str) -> None:
        now = time.perf_counter()
        timings[stage] = timings.get(stage, 0.0) + now - clock[0]
        clock[0] = now

    units = split_by_graph(data)
    shapes, shape_labels, concerns_of_shape = _shapes_for(tuple(extra_shapes))
    validated: list[ValidationReport] = []

    def validate(ks: ox.Store) -> None:
        validated.append(
            validate_store(
                data,
                shapes=shapes,
                reasoner=reasoner,
                engine=engine,
                knowledge=ks,
                units=units,
                terms_used=terms_used,
            )
        )
        lap("validation")

    derived = derive(
        data,
        reasoner=reasoner,
        as_of=as_of,
        units=units,
        on_stage=lap,  # laps reasoning, rules
        place=place,
        before_rules=validate if place is None else None,  # embedded: validate first, then the rules in place
    )
    derivation, store = derived.derivation, derived.store
    assert derivation is not None  # derive ran the rules
    if not validated:
        validate(derived.knowledge)
    validation = validated[0]

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
    unit_triples = dict(units)
    for cr in validation.cities:
        owner = nearest_city(unit_triples.get(cr.graph, []), cr.cities) if len(cr.cities) > 1 else {}
        for c in cr.cities:
            if c in cities:
                own = [r for r in cr.results if owner.get(str(r.focus), c) == c]
                cities[c].validation = CityReport(cr.graph, [c], own, cr.labels)

    # report section (attribute of CityAnalysis) <- the query whose `# section:` header names it
    types = section_types()
    for sec in report_sections():
        by_city: dict[str, list[Row]] = defaultdict(list)
        for row in _query(store, sec.query, types[sec.name]):
            by_city[row.city].append(row)  # type: ignore[attr-defined]  # every section's query has a city column
        for c, rows in by_city.items():
            if c in cities:
                setattr(cities[c], sec.name, rows)
    grouped: dict[str, tuple[FindingSolution, set[str], set[str], set[str]]] = {}  # row, about, concerns, sources
    for r in _query(store, "findings", FindingSolution):
        _, about, concerns, sources = grouped.setdefault(r.finding, (r, set(), set(), set()))
        if r.source:
            sources.add(r.source)
        about.add(r.about)
        if r.concerns:
            concerns.add(r.concerns)
    for fid, (r, about, concerns, sources) in sorted(grouped.items()):
        if r.city in cities:
            cities[r.city].findings.append(
                FindingRow(
                    fid,
                    _local(r.kind),
                    _local(r.severity),
                    sorted(about),
                    r.message,
                    "; ".join(sorted(sources)),
                    r.rule,
                    sorted(concerns),
                )
            )
    for count in _query(store, "stakeholder-count", CountRow):
        if count.city in cities:
            cities[count.city].stakeholder_count = count.stakeholders
    for ca in cities.values():
        ca.findings.sort(
            key=lambda f: (
                FINDING_KINDS.index(f.kind) if f.kind in FINDING_KINDS else 9,
                severity_rank(f.severity),
                f.message,
            )
        )
    bodies: dict[str, set[str]] = defaultdict(set)
    for body in _query(store, "municipal-bodies", BodyRow):
        bodies[body.city].add(body.body)
    for ca in cities.values():
        ca.entries = triage(ca, bodies.get(ca.city, set()), concerns_of_shape)
    lap("queries")
    used = validation.terms_used  # collected by the validation of this batch
    derivation.store = None  # the working store stays here (it cannot travel between processes)
    return Analysis(
        as_of, reasoner, sorted(cities.values(), key=lambda c: (c.label.lower(), c.city)), derivation, used, timings
    )
