"""Validation of city stakeholder graphs against the SHACL shapes in ``shapes/city/``.

Flow per city: the city's triples (one named graph each in a dataset, or the whole default graph) plus
the ontology are closed under OWL 2 RL (the fast reasoner by default, owlrl on request) into a new graph,
which pySHACL validates. The user's data is never changed; the entailments exist only in that new graph.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph
from rdflib.namespace import RDF, SH

from .convert import triples_to_graph
from .errors import InputError
from .namespaces import SSC
from .resources import data_dir
from .store import split_by_graph
from .vocab import ssc_terms_used
import dataclasses

from .shacl import Result, run_pyshacl, shape_sources

SEVERITIES = ("violation", "warning", "info")
SEVERITY_IRI = {"violation": SH.Violation, "warning": SH.Warning, "info": SH.Info}
SEVERITY_RANK = {SH.Violation: 3, SH.Warning: 2, SH.Info: 1}


def city_shape_files() -> list[Path]:
    """The bundled shapes applied to city data (``shapes/city/*.ttl``; the meta-shapes are not among them)."""
    return sorted((data_dir("shapes") / "city").glob("*.ttl"))


@lru_cache(maxsize=8)
def _parse_shapes(paths: tuple[Path, ...]) -> tuple:
    g = Graph()
    for p in paths:
        try:
            g.parse(p, format="turtle")
        except Exception as exc:  # rdflib raises several types for syntax errors
            raise InputError(f"cannot read the shapes file: {exc}", path=p) from None
    return tuple(g)


def shapes_graph(extra: tuple[Path, ...] = ()) -> Graph:
    """A new graph with the bundled city shapes plus ``extra`` shapes files."""
    for p in extra:
        if not Path(p).is_file():
            raise InputError("no such shapes file", path=p)
    from .guard import check_shapes

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


def validate_triples(triples, shapes: Graph, *, reasoner: str = "fast",
                     sources: dict | None = None) -> list[Result]:
    """Validate one city's triples (with the ontology and their entailments) against ``shapes``.

    ``sources`` maps shapes to their clauses (computed from ``shapes`` when not given)."""
    from .reason import entail

    full, _ = entail(triples, reasoner)
    _, results = run_pyshacl(triples_to_graph(full), shapes)
    sources = shape_sources(shapes) if sources is None else sources
    return [dataclasses.replace(r, source=sources.get(r.shape)) for r in results]


def city_iris(triples) -> list[str]:
    """The ssc:City IRIs among ``triples`` (sorted)."""
    city = ox.NamedNode(str(SSC.City))
    return sorted(t.subject.value for t in triples
                  if t.object == city and t.predicate.value == str(RDF.type) and isinstance(t.subject, ox.NamedNode))


def labels_of(triples) -> dict[str, str]:
    """IRI -> display label (rdfs:label, else skos:prefLabel) for the subjects of ``triples``."""
    label, pref = {}, {}
    for t in triples:
        if isinstance(t.object, ox.Literal) and isinstance(t.subject, ox.NamedNode):
            if t.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label":
                label.setdefault(t.subject.value, t.object.value)
            elif t.predicate.value == "http://www.w3.org/2004/02/skos/core#prefLabel":
                pref.setdefault(t.subject.value, t.object.value)
    return {**pref, **label}


ENGINES = ("fast", "pyshacl")


def validate_store(store: ox.Store, *, shapes: Graph | None = None, reasoner: str = "fast", engine: str = "fast",
                   knowledge: ox.Store | None = None, batch_size: int | None = None,
                   units: list | None = None) -> ValidationReport:
    """Validate every city in ``store`` (which is not changed).

    ``engine`` ``fast`` compiles the shapes to SPARQL and runs them once over all cities (falling back to
    pySHACL, city by city, for shapes it cannot compile); ``pyshacl`` is the reference. ``knowledge`` is the
    store ``knowledge_store(store, reasoner=reasoner)`` when the caller already built it."""
    sg = shapes if shapes is not None else shapes_graph()
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r}")
    if knowledge is None:
        from functools import partial

        from .parallel import map_batches

        parts = map_batches(store, partial(_validate_batch, shapes=sg, reasoner=reasoner, engine=engine),
                            batch_size=batch_size)
        return ValidationReport([c for p in parts for c in p.cities], set().union(*(p.terms_used for p in parts)))
    return _validate_batch(store, shapes=sg, reasoner=reasoner, engine=engine, knowledge=knowledge, units=units)


def _validate_batch(store: ox.Store, *, shapes: Graph, reasoner: str, engine: str,
                    knowledge: ox.Store | None = None, units: list | None = None) -> ValidationReport:
    sg = shapes
    units = split_by_graph(store) if units is None else units
    if engine == "fast":
        checks, sources = _compiled(sg)
        if checks is not None:
            report = _validate_fast(store, units, checks, sources, reasoner, knowledge)
            report.terms_used = ssc_terms_used(store)
            return _with_integrity(report, units)
    sources = shape_sources(sg)
    reports = []
    for graph, triples in units:
        reports.append(CityReport(graph, city_iris(triples),
                                  validate_triples(triples, sg, reasoner=reasoner, sources=sources),
                                  labels_of(triples)))
    return _with_integrity(ValidationReport(reports, ssc_terms_used(store)), units)


#: compiled checks and clauses of recently used shapes graphs, keyed by their triples (a batch of cities
#: validated with the same shapes does not compile them again; compiling takes longer than checking 40 cities)
_COMPILED: dict[frozenset, tuple] = {}


def _compiled(shapes: Graph) -> tuple[list | None, dict]:
    """(the compiled checks of ``shapes``, or None when fastshacl cannot compile them; each shape's clause)."""
    from .fastshacl import Unsupported, compile_shapes

    key = frozenset(shapes)
    if key not in _COMPILED:
        try:
            checks = compile_shapes(shapes)
        except Unsupported:
            checks = None
        if len(_COMPILED) >= 4:
            _COMPILED.clear()
        _COMPILED[key] = (checks, shape_sources(shapes))
    return _COMPILED[key]


def _with_integrity(report: ValidationReport, units: list) -> ValidationReport:
    """``report`` with the integrity Violations of each city (:mod:`sscrdf.integrity`) added to its results."""
    from .integrity import integrity_results

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


def _validate_fast(store: ox.Store, units: list, checks, sources: dict, reasoner: str,
                   knowledge: ox.Store | None) -> ValidationReport:
    from .fastshacl import run_checks
    from .store import graph_of, knowledge_store

    ks = knowledge if knowledge is not None else knowledge_store(store, reasoner=reasoner, units=units)
    reports: dict[str | None, CityReport] = {}
    for graph, triples in units:
        reports[graph] = CityReport(graph, city_iris(triples), [], labels_of(triples))
    for r in run_checks(ks, checks):
        graph = graph_of(ks, r.focus)
        if graph not in reports:
            graph = next(iter(reports)) if len(reports) == 1 else graph
        reports.setdefault(graph, CityReport(graph, [], [], {})).results.append(
            dataclasses.replace(r, source=sources.get(r.shape)))
    return ValidationReport(list(reports.values()))


__all__ = ["SEVERITIES", "city_shape_files", "shapes_graph", "CityReport", "ValidationReport", "split_by_graph",
           "validate_triples", "validate_store", "labels_of"]

