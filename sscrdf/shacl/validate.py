"""Validation of city stakeholder graphs against the SHACL shapes in ``shapes/city/``.

Flow per city: the city's triples (one named graph each in a dataset, or the whole default graph) plus
the ontology are closed under OWL 2 RL (the fast reasoner by default, owlrl on request) into a new graph,
which pySHACL validates. The user's data is never changed; the entailments exist only in that new graph.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .. import cache
from ..convert import term_from_json, term_to_json, to_rdflib_term, triples_to_graph
from ..errors import InputError
from ..knowledge.vocab import ssc_terms_used
from ..namespaces import RDF, RDFS, SH, SKOS, SSC
from ..parallel import map_batches
from ..query.guard import check_shapes
from ..reasoning.closure import entail, ontology_schema
from ..reasoning.store import Unit, graph_of, knowledge_store, split_by_graph
from ..resources import data_dir
from ..terms import IRI, Term
from .compiler import Check, Unsupported, compile_shapes, run_checks
from .integrity import integrity_results
from .results import SEVERITY_ORDER, Result, run_pyshacl, shape_sources

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

#: the --fail-on levels, most severe first (SEVERITY_ORDER in lower case)
SEVERITIES = tuple(s.lower() for s in SEVERITY_ORDER)
SEVERITY_IRI = {s.lower(): IRI(f"{SH}{s}") for s in SEVERITY_ORDER}
#: a severity IRI's weight: the higher, the more severe
SEVERITY_RANK = {IRI(f"{SH}{s}"): len(SEVERITY_ORDER) - i for i, s in enumerate(SEVERITY_ORDER)}


def city_shape_files() -> list[Path]:
    """The bundled shapes applied to city data (``shapes/city/*.ttl``; the meta-shapes are not among them)."""
    return sorted((data_dir("shapes") / "city").glob("*.ttl"))


@lru_cache(maxsize=8)
def _parse_shapes(paths: tuple[Path, ...]) -> tuple[tuple[Node, Node, Node], ...]:
    from rdflib import Graph  # heavy: the shapes are parsed with rdflib only when they are not in the cache

    g = Graph()
    for p in paths:
        try:
            g.parse(p, format="turtle")
        except Exception as exc:  # rdflib raises several types for syntax errors
            raise InputError(f"cannot read the shapes file: {exc}", path=p) from None
    return tuple(g)


def shapes_graph(extra: tuple[str | Path, ...] = ()) -> Graph:
    """A new graph with the bundled city shapes plus ``extra`` shapes files."""
    from rdflib import Graph  # heavy: see _parse_shapes

    _check_extra(extra)
    g = Graph()
    for t in _parse_shapes(tuple(city_shape_files()) + tuple(Path(p) for p in extra)):
        g.add(t)
    return g


def _check_extra(extra: tuple[str | Path, ...]) -> None:
    from rdflib import Graph  # heavy: see _parse_shapes

    for p in extra:
        if not Path(p).is_file():
            what = "a folder" if Path(p).is_dir() else "not a regular file" if Path(p).exists() else None
            raise InputError(
                f"the shapes file is {what}" if what else "no such shapes file",
                path=p,
                hint="give a Turtle file of SHACL shapes with --shapes" if what else None,
            )
    for p in extra:  # user shapes: their SHACL-SPARQL must not reach the network (bundled ones are tested)
        user = Graph()
        for t in _parse_shapes((Path(p),)):
            user.add(t)
        check_shapes(user, source=p)


class CompiledShapes:
    """A shapes graph with what the fast engine and the reports need from it, computed once: the compiled
    checks (None when the shapes use a feature the fast engine does not compile), each shape's clause and
    label. :func:`compiled_shapes` reads it from the cache (:mod:`sscrdf.cache`) when it can; the graph itself
    is then rebuilt only if something asks for it (pySHACL, the RDF report), with the same blank nodes."""

    def __init__(
        self,
        triples: list[list[object]] | None,  # the graph's triples as term_to_json wrote them
        checks: tuple[Check, ...] | None,
        sources: dict[Term, str],
        labels: dict[str, str],
        graph: Graph | None = None,
        key: str | None = None,
    ):
        self._triples = triples
        self._graph = graph
        self.checks = checks
        self.sources = sources
        self.labels = labels
        self.key = key  # the cache key (None when built from a graph the caller gave)

    @property
    def graph(self) -> Graph:
        """The shapes graph (shared: callers must not change it)."""
        if self._graph is None:
            from rdflib import Graph  # heavy: only pySHACL and the RDF report need the graph itself

            g = Graph()
            dec = term_from_json
            for s, p, o in self._triples or ():
                g.add((to_rdflib_term(dec(s)), to_rdflib_term(dec(p)), to_rdflib_term(dec(o))))
            self._graph = g
        return self._graph

    @classmethod
    def of(cls, shapes: Graph, key: str | None = None) -> CompiledShapes:
        """Compile ``shapes`` here (no cache)."""
        checks: tuple[Check, ...] | None
        try:
            checks = tuple(compile_shapes(shapes))
        except Unsupported:
            checks = None
        labels = {str(s): str(o) for s, o in shapes.subject_objects(RDFS.label)}
        return cls(None, checks, shape_sources(shapes), labels, graph=shapes, key=key)

    def to_json(self) -> dict[str, object]:
        enc = term_to_json
        return {
            "triples": [[enc(s), enc(p), enc(o)] for s, p, o in self.graph],
            "checks": None
            if self.checks is None
            else [
                [
                    c.query,
                    enc(c.shape),
                    enc(c.severity),
                    enc(c.component),
                    None if c.path is None else enc(c.path),
                    c.message,
                    c.value_var,
                    list(c.extra),
                ]
                for c in self.checks
            ],
            "sources": [[enc(k), v] for k, v in self.sources.items()],
            "labels": self.labels,
        }

    @classmethod
    def from_json(cls, data: object, key: str | None = None) -> CompiledShapes:
        """What :meth:`to_json` wrote; ValueError, TypeError or KeyError for a damaged entry."""
        if not isinstance(data, dict):
            raise ValueError("not a compiled shapes entry")
        dec = term_from_json
        triples = data["triples"]
        if not isinstance(triples, list) or not all(isinstance(t, list) and len(t) == 3 for t in triples):
            raise ValueError("not a compiled shapes entry")
        checks = None
        if data["checks"] is not None:
            checks = tuple(
                Check(
                    str(q),
                    dec(shape),
                    _iri(dec(sev)),
                    _iri(dec(comp)),
                    None if path is None else dec(path),
                    str(msg),
                    None if var is None else str(var),
                    tuple(str(x) for x in extra),
                )
                for q, shape, sev, comp, path, msg, var, extra in data["checks"]
            )
        sources = {dec(k): str(v) for k, v in data["sources"]}
        labels = {str(k): str(v) for k, v in dict(data["labels"]).items()}
        return cls(triples, checks, sources, labels, key=key)  # the triples are decoded if the graph is asked for


def _iri(term: Term) -> IRI:
    if not isinstance(term, IRI):
        raise ValueError(f"not an IRI: {term!r}")
    return term


#: the sscrdf modules whose code decides what a compiled shapes entry holds (part of its cache key)
_SHAPES_CODE = ("shacl.compiler", "shacl.validate", "shacl.results", "convert", "cache")


@lru_cache(maxsize=8)
def compiled_shapes(extra: tuple[str | Path, ...] = ()) -> CompiledShapes:
    """The bundled city shapes plus ``extra`` shapes files, compiled: from the cache when an entry for the same
    file contents exists, else built (and stored there). Once per process; callers only read it."""
    files = tuple(city_shape_files()) + tuple(Path(p) for p in extra)
    key = (
        None
        if any(not Path(p).is_file() for p in extra)
        else cache.key("shapes", [*files, *cache.source_files(*_SHAPES_CODE)])
    )
    data = cache.read_json(key)
    if data is not None:
        try:
            return CompiledShapes.from_json(data, key)
        except Exception:  # a damaged entry, whatever its damage: rebuild it (the cache is only an optimisation)
            pass
    built = CompiledShapes.of(shapes_graph(extra), key)
    cache.write_json(key, built.to_json())
    return built


@dataclass
class CityReport:
    """The validation results of one city (one named graph, or the default graph)."""

    graph: str | None  # the named graph, None for the default graph
    cities: list[str]  # the ssc:City IRIs in it
    results: list[Result] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # IRI -> label, from the city's own data

    @property
    def name(self) -> str:
        names = [self.labels.get(c, c) for c in self.cities]
        return ", ".join(names) or self.graph or "(default graph)"

    @property
    def conforms(self) -> bool:
        return not self.results


@dataclass
class ValidationReport:
    cities: list[CityReport]
    terms_used: set[str] = field(default_factory=set)  # ssc: IRIs the data uses (for the vocabulary check)
    # the shapes validated against: the RDF report copies complex result paths and message languages from them
    # (``shapes``, or else the graph of ``compiled``, which is rebuilt only when asked for)
    shapes: Graph | None = None
    compiled: CompiledShapes | None = None

    def shapes_graph(self) -> Graph | None:
        """The shapes graph validated against (None when unknown)."""
        if self.shapes is not None:
            return self.shapes
        return self.compiled.graph if self.compiled is not None else None

    @property
    def results(self) -> list[Result]:
        return [r for c in self.cities for r in c.results]

    def counts(self) -> dict[str, int]:
        c = Counter(r.severity for r in self.results)
        return {name: c.get(iri, 0) for name, iri in SEVERITY_IRI.items()}

    def fails(self, fail_on: str) -> bool:
        """True when some result is at or above the severity ``fail_on`` (violation | warning | info)."""
        threshold = SEVERITY_RANK[SEVERITY_IRI[fail_on]]
        return any(SEVERITY_RANK.get(r.severity, 3) >= threshold for r in self.results)


def validate_triples(
    triples: Iterable[ox.Triple], shapes: Graph, *, reasoner: str = "fast", sources: dict[Term, str] | None = None
) -> list[Result]:
    """Validate one city's triples (with the ontology and their entailments) against ``shapes``.

    ``sources`` maps shapes to their clauses (computed from ``shapes`` when not given)."""
    full, _ = entail(triples, reasoner)
    _, results = run_pyshacl(triples_to_graph(full), shapes)
    sources = shape_sources(shapes) if sources is None else sources
    return [dataclasses.replace(r, source=sources.get(r.shape)) for r in results]


def city_iris(triples: Iterable[ox.Triple]) -> list[str]:
    """The ssc:City IRIs among ``triples`` (sorted)."""
    city = ox.NamedNode(f"{SSC}City")
    rdf_type = f"{RDF}type"
    return sorted(
        t.subject.value
        for t in triples
        if t.object == city and t.predicate.value == rdf_type and isinstance(t.subject, ox.NamedNode)
    )


def labels_of(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """IRI -> display label (rdfs:label, else skos:prefLabel) for the subjects of ``triples``."""
    label: dict[str, str] = {}
    pref: dict[str, str] = {}
    rdfs_label, skos_pref = f"{RDFS}label", f"{SKOS}prefLabel"
    for t in triples:
        p = t.predicate.value
        if (p in (rdfs_label, skos_pref)) and isinstance(t.object, ox.Literal) and isinstance(t.subject, ox.NamedNode):
            (label if p == rdfs_label else pref).setdefault(t.subject.value, t.object.value)
    return {**pref, **label}


ENGINES = ("fast", "pyshacl")


def validate_store(
    store: ox.Store,
    *,
    shapes: Graph | CompiledShapes | None = None,
    reasoner: str = "fast",
    engine: str = "fast",
    knowledge: ox.Store | None = None,
    batch_size: int | None = None,
    units: list[Unit] | None = None,
    terms_used: set[str] | None = None,
) -> ValidationReport:
    """Validate every city in ``store`` (which is not changed).

    ``engine`` ``fast`` compiles the shapes to SPARQL and runs them once over all cities (falling back to
    pySHACL, city by city, for shapes it cannot compile); ``pyshacl`` is the reference. ``shapes``: a shapes
    graph, or shapes already compiled (default: the bundled ones, :func:`compiled_shapes`). ``knowledge`` is
    the store ``knowledge_store(store, reasoner=reasoner)`` when the caller already built it, ``terms_used``
    ``ssc_terms_used(store)`` when the caller already has it (e.g. from the N-Quads the batch came as)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}")
    given = None if shapes is None or isinstance(shapes, CompiledShapes) else shapes  # an rdflib Graph
    if shapes is None:
        compiled = compiled_shapes()
    elif isinstance(shapes, CompiledShapes):
        compiled = shapes
    else:
        compiled = CompiledShapes.of(shapes)
    if knowledge is None:
        parts = map_batches(
            store, partial(_validate_batch, shapes=compiled, reasoner=reasoner, engine=engine), batch_size=batch_size
        )
        return ValidationReport(
            [c for p in parts for c in p.cities],
            set().union(*(p.terms_used for p in parts)),
            shapes=given,
            compiled=compiled,
        )
    report = _validate_batch(
        store, shapes=compiled, reasoner=reasoner, engine=engine, knowledge=knowledge, units=units, terms=terms_used
    )
    return dataclasses.replace(report, shapes=given, compiled=compiled)


def _validate_batch(
    store: ox.Store,
    *,
    shapes: CompiledShapes,
    reasoner: str,
    engine: str,
    knowledge: ox.Store | None = None,
    units: list[Unit] | None = None,
    terms: set[str] | None = None,
) -> ValidationReport:
    units = split_by_graph(store) if units is None else units
    terms = ssc_terms_used(store) if terms is None else terms
    sources = shapes.sources
    if engine == "fast" and shapes.checks is not None:
        report = _validate_fast(store, units, list(shapes.checks), sources, reasoner, knowledge)
        report.terms_used = terms
        return _with_integrity(report, units)
    sg = shapes.graph
    reports: list[CityReport] = []
    for graph, triples in units:
        reports.append(
            CityReport(
                graph,
                city_iris(triples),
                validate_triples(triples, sg, reasoner=reasoner, sources=sources),
                labels_of(triples),
            )
        )
    return _with_integrity(ValidationReport(reports, terms), units)


def _with_integrity(report: ValidationReport, units: list[Unit]) -> ValidationReport:
    """``report`` with the integrity Violations of each city (:mod:`sscrdf.shacl.integrity`) added to its results."""
    by_graph = {c.graph: c for c in report.cities}
    schema = ontology_schema()
    for graph, triples in units:
        extra = integrity_results(triples, schema)
        if extra:
            city = by_graph.get(graph)
            if city is None:
                city = by_graph[graph] = CityReport(graph, city_iris(triples), [], labels_of(triples))
                report.cities.append(city)
            city.results.extend(extra)
    return report


def _validate_fast(
    store: ox.Store,
    units: list[Unit],
    checks: list[Check],
    sources: dict[Term, str],
    reasoner: str,
    knowledge: ox.Store | None,
) -> ValidationReport:
    ks = knowledge if knowledge is not None else knowledge_store(store, reasoner=reasoner, units=units)
    reports: dict[str | None, CityReport] = {}
    for graph, triples in units:
        reports[graph] = CityReport(graph, city_iris(triples), [], labels_of(triples))
    for r in run_checks(ks, checks):
        graph = graph_of(ks, r.focus)
        if graph not in reports:
            graph = next(iter(reports)) if len(reports) == 1 else graph
        reports.setdefault(graph, CityReport(graph, [], [], {})).results.append(
            dataclasses.replace(r, source=sources.get(r.shape))
        )
    return ValidationReport(list(reports.values()))


__all__ = [
    "SEVERITIES",
    "CityReport",
    "CompiledShapes",
    "ValidationReport",
    "city_shape_files",
    "compiled_shapes",
    "labels_of",
    "shapes_graph",
    "split_by_graph",
    "validate_store",
    "validate_triples",
]
