"""The bundled ontology: its modules, their parsed triples, labels and summary counts (`ontology check` is
:mod:`sscrdf.authoring.check`).

Modules are the ``ontology/*.ttl`` files (the ``ssc:`` terms) plus the local W3C vocabulary subsets in
``ontology/vocab/``. Parsing is done once per process and kept as immutable tuples; every public function
returns new graphs, so callers can never change the shared copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox

from .. import cache
from ..convert import triples_to_graph
from ..errors import InputError
from ..namespaces import ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS, SSC

if TYPE_CHECKING:
    from rdflib import Graph
from ..resources import data_dir, files

_OX_TYPE = ox.NamedNode(f"{RDF}type")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Module:
    """One ontology file."""

    name: str
    path: Path
    vocab: bool = False  # a shipped W3C vocabulary subset rather than an ssc: module


def modules(include_vocab: bool = False) -> list[Module]:
    """The ontology modules, ssc: modules first, each sorted by file name."""
    found = [Module(p.stem, p) for p in files("ontology", "*.ttl")]
    if include_vocab:
        found += [Module(p.stem, p, vocab=True) for p in sorted((data_dir("ontology") / "vocab").glob("*.ttl"))]
    return found


def parse_module(path: Path) -> tuple[ox.Triple, ...]:
    """The triples of one Turtle module; a syntax error becomes an InputError with file, line and column."""
    return _parse_cached(Path(path), Path(path).stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _parse_cached(path: Path, _mtime: int) -> tuple[ox.Triple, ...]:
    try:
        with path.open("rb") as fh:
            return tuple(q.triple for q in ox.parse(fh, format=ox.RdfFormat.TURTLE, base_iri=path.resolve().as_uri()))
    except SyntaxError as exc:
        raise InputError(
            f"syntax error in ontology module: {exc.msg}", path=path, line=exc.lineno, column=exc.offset
        ) from None


def ontology_triples(include_vocab: bool = True) -> list[ox.Triple]:
    """All triples of the ontology (and, by default, of the shipped W3C vocabulary subsets)."""
    out: list[ox.Triple] = []
    for m in modules(include_vocab=include_vocab):
        out.extend(parse_module(m.path))
    return out


def ontology_graph(include_vocab: bool = True) -> Graph:
    """A new rdflib Graph holding the ontology; the caller owns it and may change it."""
    return triples_to_graph(ontology_triples(include_vocab))


def module_graph(module: Module) -> Graph:
    """A new rdflib Graph holding one module."""
    return triples_to_graph(parse_module(module.path))


# ---------------------------------------------------------------------------------------------- info


@dataclass(frozen=True)
class ModuleInfo:
    name: str
    file: str
    triples: int
    classes: int
    properties: int
    individuals: int
    concept_schemes: int


@dataclass(frozen=True)
class OntologyInfo:
    iri: str
    version_iri: str | None
    version_info: str | None
    modules: tuple[ModuleInfo, ...]

    @property
    def totals(self) -> dict[str, int]:
        keys = ("triples", "classes", "properties", "individuals", "concept_schemes")
        return {k: sum(getattr(m, k) for m in self.modules) for k in keys}


def _count(g: Graph) -> tuple[int, int, int, int]:
    from rdflib import URIRef  # heavy, and loaded already: ``g`` is an rdflib graph

    property_types = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property}
    classes = {s for s in g.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
    props = {s for t in property_types for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)}
    schemes = {s for s in g.subjects(RDF.type, SKOS.ConceptScheme)} | {s for s in g.subjects(RDF.type, SKOS.Collection)}
    individuals = {s for s in g.subjects(RDF.type, OWL.NamedIndividual)}
    return len(classes), len(props), len(individuals - classes - props), len(schemes)


def info() -> OntologyInfo:
    """Ontology IRI and version, and per-module counts of classes, properties and individuals."""
    from rdflib import Graph, URIRef  # heavy: `sscrdf info` reads the modules with rdflib

    rows = []
    header = Graph()
    for m in modules(include_vocab=True):
        g = module_graph(m)
        if m.name == "core" and not m.vocab:
            header = g
        c, p, i, s = _count(g)
        rows.append(ModuleInfo(("vocab/" if m.vocab else "") + m.name, m.path.name, len(g), c, p, i, s))
    iri = URIRef(ONTOLOGY_IRI)
    vi = header.value(iri, OWL.versionIRI)
    vinfo = header.value(iri, OWL.versionInfo)
    return OntologyInfo(ONTOLOGY_IRI, str(vi) if vi else None, str(vinfo) if vinfo else None, tuple(rows))


#: the sscrdf modules whose code decides what the cached labels and declared terms are (part of their key)
_SUMMARY_CODE = ("knowledge.ontology", "cache")


def _cached(kind: str, include_vocab: bool, build: Callable[[], _T], valid: Callable[[object], bool]) -> _T:
    """``build()``, kept in the cache (sscrdf.cache) under a key made of the ontology files' bytes; an entry that
    is not ``valid`` (damaged) is built and written again."""
    key = cache.key(kind, [m.path for m in modules(include_vocab)] + cache.source_files(*_SUMMARY_CODE))
    data = cache.read_json(key)
    if data is not None and valid(data):
        return data  # type: ignore[return-value]  # ``valid`` checked its shape
    value = build()
    cache.write_json(key, value)
    return value


def _str_dict(data: object) -> bool:
    return isinstance(data, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in data.items())


def _str_list(data: object) -> bool:
    return isinstance(data, list) and all(isinstance(t, str) for t in data)


@lru_cache(maxsize=1)
def ontology_labels() -> dict[str, str]:
    """IRI -> display label of every ontology term (skos:prefLabel, else rdfs:label; English or untagged)."""
    return _cached("labels", True, _ontology_labels, _str_dict)


def _ontology_labels() -> dict[str, str]:
    label: dict[str, str] = {}
    pref: dict[str, str] = {}
    for t in ontology_triples():
        if (
            not isinstance(t.object, ox.Literal)
            or t.object.language not in (None, "en")
            or not isinstance(t.subject, ox.NamedNode)
        ):
            continue
        if t.predicate.value == f"{RDFS}label":
            label.setdefault(t.subject.value, t.object.value)
        elif t.predicate.value == f"{SKOS}prefLabel":
            pref.setdefault(t.subject.value, t.object.value)
    return {**label, **pref}


def declared_terms(include_vocab: bool = False) -> set[str]:
    """IRIs (as strings) of every ssc: term the ontology declares with an rdf:type."""
    stamp = tuple((m.path, m.path.stat().st_mtime_ns) for m in modules(include_vocab))
    return set(_declared_terms(include_vocab, stamp))


@lru_cache(maxsize=4)
def _declared_terms(include_vocab: bool, _stamp: tuple[tuple[Path, int], ...]) -> frozenset[str]:
    """Once per process and state of the files (``_stamp``: their modification times)."""
    kind = "declared-vocab" if include_vocab else "declared"
    return frozenset(_cached(kind, include_vocab, lambda: sorted(_declared(include_vocab)), _str_list))


def _declared(include_vocab: bool) -> set[str]:
    ns = str(SSC)
    out = set()
    for m in modules(include_vocab=include_vocab):
        for t in parse_module(m.path):
            if t.predicate == _OX_TYPE and isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(ns):
                out.add(t.subject.value)
    return out


__all__ = [
    "Module",
    "ModuleInfo",
    "OntologyInfo",
    "declared_terms",
    "info",
    "module_graph",
    "modules",
    "ontology_graph",
    "ontology_labels",
    "ontology_triples",
    "parse_module",
]
