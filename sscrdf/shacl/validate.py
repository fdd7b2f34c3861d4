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
from rdflib import Graph
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from ..convert import triples_to_graph
from ..errors import InputError
from ..knowledge.vocab import ssc_terms_used
from ..namespaces import RDFS, SKOS, SSC
from ..parallel import map_batches
from ..query.guard import check_shapes
from ..reasoning.closure import entail
from ..reasoning.store import Unit, graph_of, knowledge_store, split_by_graph
from ..resources import data_dir
from .compiler import Unsupported, compile_shapes, run_checks
from .integrity import integrity_results
from .results import SEVERITY_ORDER, Result, run_pyshacl, shape_sources

if TYPE_CHECKING:
    from .compiler import Check

#: the --fail-on levels, most severe first (SEVERITY_ORDER in lower case)
SEVERITIES = tuple(s.lower() for s in SEVERITY_ORDER)
SEVERITY_IRI = {s.lower(): SH[s] for s in SEVERITY_ORDER}
#: a severity IRI's weight: the higher, the more severe
SEVERITY_RANK = {SH[s]: len(SEVERITY_ORDER) - i for i, s in enumerate(SEVERITY_ORDER)}


def city_shape_files() -> list[Path]:
    """The bundled shapes applied to city data (``shapes/city/*.ttl``; the meta-shapes are not among them)."""
    return sorted((data_dir("shapes") / "city").glob("*.ttl"))


@lru_cache(maxsize=8)
def _parse_shapes(paths: tuple[Path, ...]) -> tuple[tuple[Node, Node, Node], ...]:
    g = Graph()
    for p in paths:
        try:
            g.parse(p, format="turtle")
        except Exception as exc:  # rdflib raises several types for syntax errors
            raise InputError(f"cannot read the shapes file: {exc}", path=p) from None
    return tuple(g)


def shapes_graph(extra: tuple[str | Path, ...] = ()) -> Graph:
    """A new graph with the bundled city shapes plus ``extra`` shapes files."""
    for p in extra:
        if not Path(p).is_file():
            raise InputError("no such shapes file", path=p)
    for p in extra:  # user shapes: their SHACL-SPARQL must not reach the network (bundled ones are tested)
        user = Graph()
        for t in _parse_shapes((Path(p),)):
            user.add(t)
        check_shapes(user, source=p)
    g = Graph()
    for t in _parse_shapes(tuple(city_shape_files()) + tuple(Path(p) for p in extra)):
        g.add(t)
    return g


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
    shapes: Graph | None = None

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
    triples: Iterable[ox.Triple], shapes: Graph, *, reasoner: str = "fast", sources: dict[Node, str] | None = None
) -> list[Result]:
    """Validate one city's triples (with the ontology and their entailments) against ``shapes``.

    ``sources`` maps shapes to their clauses (computed from ``shapes`` when not given)."""
    full, _ = entail(triples, reasoner)
    _, results = run_pyshacl(triples_to_graph(full), shapes)
    sources = shape_sources(shapes) if sources is None else sources
    return [dataclasses.replace(r, source=sources.get(r.shape)) for r in results]


def city_iris(triples: Iterable[ox.Triple]) -> list[str]:
    """The ssc:City IRIs among ``triples`` (sorted)."""
    city = ox.NamedNode(str(SSC.City))
    return sorted(
        t.subject.value
        for t in triples
        if t.object == city and t.predicate.value == str(RDF.type) and isinstance(t.subject, ox.NamedNode)
    )


def labels_of(triples: Iterable[ox.Triple]) -> dict[str, str]:
    """IRI -> display label (rdfs:label, else skos:prefLabel) for the subjects of ``triples``."""
    label: dict[str, str] = {}
    pref: dict[str, str] = {}
    rdfs_label, skos_pref = str(RDFS.label), str(SKOS.prefLabel)
    for t in triples:
        p = t.predicate.value
        if (p in (rdfs_label, skos_pref)) and isinstance(t.object, ox.Literal) and isinstance(t.subject, ox.NamedNode):
            (label if p == rdfs_label else pref).setdefault(t.subject.value, t.object.value)
    return {**pref, **label}


ENGINES = ("fast", "pyshacl")


def validate_store(
    store: ox.Store,
    *,
    shapes: Graph | None = None,
    reasoner: str = "fast",
    engine: str = "fast",
    knowledge: ox.Store | None = None,
    batch_size: int | None = None,
    units: list[Unit] | None = None,
) -> ValidationReport:
    """Validate every city in ``store`` (which is not changed).

    ``engine`` ``fast`` compiles the shapes to SPARQL and runs them once over all cities (falling back to
    pySHACL, city by city, for shapes it cannot compile); ``pyshacl`` is the reference. ``knowledge`` is the
    store ``knowledge_store(store, reasoner=reasoner)`` when the caller already built it."""
    sg = shapes if shapes is not None else shapes_graph()
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}")
    if knowledge is None:
        parts = map_batches(
            store, partial(_validate_batch, shapes=sg, reasoner=reasoner, engine=engine), batch_size=batch_size
        )
        return ValidationReport(
            [c for p in parts for c in p.cities], set().union(*(p.terms_used for p in parts)), shapes=sg
        )
    report = _validate_batch(store, shapes=sg, reasoner=reasoner, engine=engine, knowledge=knowledge, units=units)
    return dataclasses.replace(report, shapes=sg)


def _validate_batch(
    store: ox.Store,
    *,
    shapes: Graph,
    reasoner: str,
    engine: str,
    knowledge: ox.Store | None = None,
    units: list[Unit] | None = None,
) -> ValidationReport:
    sg = shapes
    units = split_by_graph(store) if units is None else units
    sources = shape_sources(sg)
    if engine == "fast":
        checks: list[Check] | None
        try:
            checks = compile_shapes(sg)
        except Unsupported:
            checks = None
        if checks is not None:
            report = _validate_fast(store, units, checks, sources, reasoner, knowledge)
            report.terms_used = ssc_terms_used(store)
            return _with_integrity(report, units)
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
    return _with_integrity(ValidationReport(reports, ssc_terms_used(store)), units)


def _with_integrity(report: ValidationReport, units: list[Unit]) -> ValidationReport:
    """``report`` with the integrity Violations of each city (:mod:`sscrdf.shacl.integrity`) added to its results."""
    by_graph = {c.graph: c for c in report.cities}
    for graph, triples in units:
        extra = integrity_results(triples)
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
    sources: dict[Node, str],
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
    "ValidationReport",
    "city_shape_files",
    "labels_of",
    "shapes_graph",
    "split_by_graph",
    "validate_store",
    "validate_triples",
]
