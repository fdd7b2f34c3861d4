"""The public Python API: one object, :class:`KnowledgeBase`, in front of the loading, reasoning, rules,
validation and query stages. It gives the same results as the command line::

    from sscrdf import KnowledgeBase
    kb = KnowledgeBase()
    city = kb.load("examples/riverton.ttl")
    report = kb.analyze(city, as_of=datetime.date(2026, 11, 21))
    report.findings, report.validation, report.to_json()

Every method takes what it is given read-only (a :class:`City` is never changed; each result is new). The
vocabulary check is always on: an ``ssc:`` term the ontology does not declare raises :class:`UnknownTermError`
(with file, line and the nearest declared term).
"""
from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .render import report as _report
from .analysis.analyze import Analysis, CityAnalysis, FindingRow, analyze_store
from .errors import InputError
from .io.load import load as _load
from .knowledge.ontology import declared_terms
from .query.sparql import Table, find_query, select
from .rules.engine import run_rules
from .reasoning.store import is_inferred_graph, knowledge_store
from .shacl.validate import ValidationReport, shapes_graph, validate_store
from .knowledge.vocab import UnknownTerm, short, ssc_terms_used, unknown_terms

PathLike = str | os.PathLike[str]


class UnknownTermError(InputError):
    """City data uses ``ssc:`` terms the ontology does not declare. ``terms`` lists each one with the nearest
    declared term and where it is written; the message names the first."""

    def __init__(self, terms: list[UnknownTerm]) -> None:
        first = terms[0]
        more = len(terms) - 1
        message = f"unknown term {short(first.term)}" + (
            f" (and {more} more unknown term{'s' if more > 1 else ''})" if more else "")
        hint = (f"did you mean {short(first.suggestion)}?" if first.suggestion
                else "it is not in the sscrdf ontology: check its spelling and the ssc: namespace IRI")
        super().__init__(message, path=first.path, line=first.line, column=first.column, hint=hint)
        self.terms = terms


@dataclass(frozen=True)
class City:
    """City data loaded by :meth:`KnowledgeBase.load`: its quads (read-only for the API) and their files."""

    store: ox.Store
    sources: tuple[Path, ...] = ()

    @property
    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self.store)


@dataclass(frozen=True)
class AnalysisReport:
    """The result of :meth:`KnowledgeBase.analyze`, renderable as the CLI renders it."""

    analysis: Analysis

    @property
    def cities(self) -> list[CityAnalysis]:
        return self.analysis.cities

    @property
    def findings(self) -> list[FindingRow]:
        """Every finding (gap, overlap, risk, recommendation) of every city."""
        return [f for c in self.analysis.cities for f in c.findings]

    @property
    def validation(self) -> ValidationReport:
        """The SHACL validation results of every city."""
        return ValidationReport([c.validation for c in self.analysis.cities if c.validation is not None])

    def to_json(self) -> str:
        return _report.analysis_json(self.analysis)

    def to_text(self) -> str:
        return _report.analysis_text(self.analysis)

    def to_markdown(self) -> str:
        return _report.analysis_md(self.analysis)


class KnowledgeBase:
    """The bundled ontology, shapes, rules and queries, and the engines that apply them to city data.

    :param reasoner: ``fast`` (default) or ``owlrl`` (the reference).
    :param engine: SHACL engine, ``fast`` (default; falls back to pySHACL for shapes it cannot compile) or
        ``pyshacl``.
    :param extra_shapes: extra SHACL shapes files applied with the bundled ones.
    """

    def __init__(self, *, reasoner: str = "fast", engine: str = "fast", extra_shapes: Iterable[PathLike] = ()):
        if reasoner not in ("fast", "owlrl"):
            raise ValueError(f"reasoner must be 'fast' or 'owlrl', not {reasoner!r}")
        if engine not in ("fast", "pyshacl"):
            raise ValueError(f"engine must be 'fast' or 'pyshacl', not {engine!r}")
        self.reasoner = reasoner
        self.engine = engine
        self.extra_shapes = tuple(Path(p) for p in extra_shapes)

    # ------------------------------------------------------------------ loading
    def load(self, *paths: PathLike, fmt: str | None = None) -> City:
        """Load city data files (Turtle, TriG, N-Quads, N-Triples, JSON-LD, RDF/XML, CSV registers) into a new
        :class:`City`; raises :class:`UnknownTermError` for undeclared ``ssc:`` terms, ``InputError`` for any
        other input it cannot use."""
        loaded = _load(list(paths), fmt=fmt)
        city = City(loaded.store, loaded.sources)
        self._check_terms(city, ssc_terms_used(city.store))
        return city

    def _check_terms(self, city: City, used: set[str]) -> None:
        problems = unknown_terms(None, declared_terms(), city.sources, used=used)
        if problems:
            raise UnknownTermError(problems)

    def _city(self, city: City | ox.Store) -> City:
        if isinstance(city, ox.Store):  # a store built by the caller: checked like loaded data
            city = City(city)
            self._check_terms(city, ssc_terms_used(city.store))
        return city

    # ------------------------------------------------------------------ stages
    def analyze(self, city: City | ox.Store, *, as_of: dt.date | None = None) -> AnalysisReport:
        """Load → infer → rules → validate → queries, for every city in ``city`` (as ``sscrdf analyze``);
        ``as_of`` is the date the review-period rule uses (default today)."""
        c = self._city(city)
        return AnalysisReport(analyze_store(c.store, reasoner=self.reasoner, engine=self.engine, as_of=as_of,
                                            extra_shapes=self.extra_shapes))

    def validate(self, city: City | ox.Store) -> ValidationReport:
        """SHACL validation, city by city (as ``sscrdf validate``)."""
        c = self._city(city)
        return validate_store(c.store, shapes=shapes_graph(self.extra_shapes), reasoner=self.reasoner,
                              engine=self.engine)

    def infer(self, city: City | ox.Store) -> list[ox.Quad]:
        """The OWL 2 RL entailments of ontology + data, each in its inferred graph (as ``sscrdf infer
        --only-inferred``)."""
        c = self._city(city)
        ks = knowledge_store(c.store, reasoner=self.reasoner, with_ontology=False)
        return sorted((q for q in ks if is_inferred_graph(q.graph_name)), key=str)

    def query(self, name: str, city: City | ox.Store, *, rules: bool = True, as_of: dt.date | None = None) -> Table:
        """Run a bundled query (an id from ``sscrdf queries``, or a .rq file) on the data with its entailments
        and, unless ``rules`` is False, what the rules derive (as ``sscrdf query``)."""
        c = self._city(city)
        q = find_query(name)
        store = knowledge_store(c.store, reasoner=self.reasoner)
        if rules:
            derived = run_rules(store, as_of=as_of or dt.date.today()).store
            assert derived is not None  # run_rules returns its working store
            store = derived
        return select(store, q.text, source=q.path)


__all__ = ["KnowledgeBase", "City", "AnalysisReport", "UnknownTermError"]
