"""The bundled ontology: its modules, their parsed triples, summary counts, and `ontology check`.

Modules are the ``ontology/*.ttl`` files (the ``ssc:`` terms) plus the local W3C vocabulary subsets in
``ontology/vocab/``. Parsing is done once per process and kept as immutable tuples; every public function
returns new graphs, so callers can never change the shared copy.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from ..convert import triples_to_graph
from ..errors import InputError
from ..namespaces import ONTOLOGY_IRI, SSC
from ..resources import data_dir, files

_OX_TYPE = ox.NamedNode(str(RDF.type))


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
        raise InputError(f"syntax error in ontology module: {exc.msg}", path=path,
                         line=exc.lineno, column=exc.offset) from None


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


_PROPERTY_TYPES = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property}


def _count(g: Graph) -> tuple[int, int, int, int]:
    classes = {s for s in g.subjects(RDF.type, OWL.Class) if isinstance(s, URIRef)}
    props = {s for t in _PROPERTY_TYPES for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)}
    schemes = {s for s in g.subjects(RDF.type, SKOS.ConceptScheme)} | {s for s in g.subjects(RDF.type, SKOS.Collection)}
    individuals = {s for s in g.subjects(RDF.type, OWL.NamedIndividual)}
    return len(classes), len(props), len(individuals - classes - props), len(schemes)


def info() -> OntologyInfo:
    """Ontology IRI and version, and per-module counts of classes, properties and individuals."""
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


def declared_terms(include_vocab: bool = False) -> set[str]:
    """IRIs (as strings) of every ssc: term the ontology declares with an rdf:type."""
    ns = str(SSC)
    out = set()
    for m in modules(include_vocab=include_vocab):
        for t in parse_module(m.path):
            if t.predicate == _OX_TYPE and isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(ns):
                out.add(t.subject.value)
    return out


# ---------------------------------------------------------------------------------------------- check

@dataclass(frozen=True)
class Problem:
    """One thing wrong with the ontology."""

    kind: str  # syntax | meta-shape | inconsistency | undeclared | duplicate
    message: str
    term: str | None = None
    module: str | None = None

    def __str__(self) -> str:
        where = f"[{self.module}] " if self.module else ""
        what = f"{self.term}: " if self.term else ""
        return f"{self.kind}: {where}{what}{self.message}"


@dataclass
class CheckReport:
    problems: list[Problem] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def by_kind(self) -> Counter[str]:
        return Counter(p.kind for p in self.problems)


def check(extra_modules: list[Path] | None = None) -> CheckReport:
    """Run every ontology check; ``extra_modules`` are additional Turtle files checked as if bundled.

    Checks: each module parses; the meta-shape (shapes/meta/ontology.ttl) conforms; no ssc: IRI is used
    without being declared and none is declared in two modules; the OWL 2 RL closure of the ontology has no
    inconsistency (no member of owl:Nothing, no clash of disjoint classes or other owlrl error).
    """
    from ..reasoning.closure import consistency_problems  # heavy import only when checking
    from ..shacl.results import run_pyshacl

    report = CheckReport()
    mods = modules(include_vocab=True) + [Module(Path(p).stem, Path(p)) for p in (extra_modules or [])]
    graphs: dict[Module, Graph] = {}
    for m in mods:
        try:
            graphs[m] = module_graph(m)
        except InputError as exc:
            report.problems.append(Problem("syntax", str(exc), module=m.name))
    report.checks.append(f"parse: {len(mods)} modules")
    if any(p.kind == "syntax" for p in report.problems):
        return report

    ssc_graph = Graph()
    owner: dict[str, str] = {}
    for m, g in graphs.items():
        if m.vocab:
            continue
        ssc_graph += g
        for s in set(g.subjects(RDF.type, None)):
            if isinstance(s, URIRef) and str(s).startswith(str(SSC)):
                if str(s) in owner and owner[str(s)] != m.name:
                    report.problems.append(Problem("duplicate", f"declared in both {owner[str(s)]} and {m.name}",
                                                   term=_short(s), module=m.name))
                owner.setdefault(str(s), m.name)

    # meta-shape
    meta = Graph().parse(data_dir("shapes") / "meta" / "ontology.ttl", format="turtle")
    conforms, results = run_pyshacl(ssc_graph, meta)
    for r in results:
        report.problems.append(Problem("meta-shape", r.message, term=_short(r.focus), module=owner.get(str(r.focus))))
    report.checks.append("meta-shape: labels, definitions, sources, deprecations, ranks")

    # undeclared ssc: IRIs
    used: dict[str, str] = {}
    for m, g in graphs.items():
        for t in g:
            for term in t:
                if isinstance(term, URIRef) and str(term).startswith(str(SSC)):
                    used.setdefault(str(term), m.name)
    for iri in sorted(set(used) - set(owner)):
        report.problems.append(Problem("undeclared", "used but never declared with an rdf:type",
                                       term=_short(URIRef(iri)), module=used[iri]))
    report.checks.append("declarations: every ssc: IRI used is declared once")

    # consistency
    full = Graph()
    for g in graphs.values():
        full += g
    for msg in consistency_problems(full):
        report.problems.append(Problem("inconsistency", msg))
    report.checks.append("consistency: OWL 2 RL closure (owlrl)")
    return report


def _short(term: object) -> str:
    s = str(term)
    return "ssc:" + s[len(str(SSC)):] if s.startswith(str(SSC)) else s


__all__ = ["Module", "modules", "parse_module", "ontology_triples", "ontology_graph", "module_graph", "info",
           "OntologyInfo", "ModuleInfo", "declared_terms", "Problem", "CheckReport", "check"]

