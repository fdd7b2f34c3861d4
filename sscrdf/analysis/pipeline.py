"""The flow every command shares, assembled here and only here: load city data, check its vocabulary, build the
knowledge store (ontology + data + OWL 2 RL entailments), run the rules. ``analysis.analyze`` adds validation
and the queries, city batch by city batch; :mod:`sscrdf.api` puts a public face on all of it.

Nothing here changes the store it is given: each step returns a new one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Protocol, TypeVar

import pyoxigraph as ox

from ..io.load import Loaded, load
from ..knowledge.ontology import declared_terms
from ..knowledge.vocab import check_vocabulary, ssc_terms_in_nquads
from ..parallel import map_stream
from ..reasoning.store import Unit, knowledge_store
from ..rules.engine import Derivation, run_rules


def check_terms(sources: Iterable[str | Path], used: set[str]) -> None:
    """The vocabulary check for data whose ``ssc:`` terms were already collected (e.g. batch by batch while it
    was validated): :class:`~sscrdf.knowledge.vocab.UnknownTermError` for the first undeclared term."""
    check_vocabulary(None, declared_terms(), sources, used=used)


def check_store(store: ox.Store, sources: Iterable[str | Path] = ()) -> None:
    """The vocabulary check of every ``ssc:`` term in ``store`` (one scan of it)."""
    check_vocabulary(store, declared_terms(), sources)


def load_checked(paths: Sequence[str | Path], *, fmt: str | None = None) -> Loaded:
    """Load city data files and refuse unknown ssc: terms (UnknownTermError with file, line and "did you
    mean")."""
    loaded = load(paths, fmt=fmt)
    check_store(loaded.store, loaded.sources)
    return loaded


class Place(Protocol):
    """Where the rules run when not on a new embedded store: a SPARQL store that already holds the data, its
    entailments and the ontology (``sscrdf.analysis.instore.RemoteStore``). It stands in for a pyoxigraph store
    where the analysis only runs SELECTs (``query``) and looks quads up (``quads_for_pattern``)."""

    def run_rules(self, *, as_of: dt.date | None = None) -> Derivation: ...

    def knowledge(self) -> ox.Store: ...


@dataclass(frozen=True)
class Derived:
    """What :func:`derive` built: the knowledge store (ontology, data, entailments) and, when the rules ran,
    their derivation; ``store`` is the one to query (the rules' output when they ran, else the knowledge)."""

    knowledge: ox.Store
    derivation: Derivation | None

    @property
    def store(self) -> ox.Store:
        if self.derivation is None or self.derivation.store is None:
            return self.knowledge
        return self.derivation.store


def derive(
    data: ox.Store,
    *,
    reasoner: str = "fast",
    as_of: dt.date | None = None,
    rules: bool = True,
    with_ontology: bool = True,
    units: list[Unit] | None = None,
    on_stage: Callable[[str], None] | None = None,
    place: Place | None = None,
    before_rules: Callable[[ox.Store], None] | None = None,
) -> Derived:
    """The knowledge store of ``data`` (the ontology unless ``with_ontology`` is False, the data, its OWL 2 RL
    entailments) and, unless ``rules`` is False, what the rules derive from it on ``as_of`` (default today).
    ``units`` is ``split_by_graph(data)`` when the caller already has it; ``on_stage(name)`` is called as each
    stage ends ("reasoning", "rules"), for timings.

    ``place``: a SPARQL store already holding ``data``, its entailments and the ontology
    (``sscrdf.analysis.instore.RemoteStore``); the rules then run inside it, into its derived graphs, and the
    knowledge is the store seen without them.

    ``before_rules(knowledge)``: called with the knowledge store once it is built and before the rules run; when
    given, the rules run in place (no copy of the knowledge store, which this function built and owns), so
    ``Derived.knowledge`` then also holds the derived graph. The analysis validates there."""
    if place is not None:
        derivation = place.run_rules(as_of=as_of or dt.date.today()) if rules else None
        if on_stage and rules:
            on_stage("rules")
        return Derived(place.knowledge(), derivation)
    ks = knowledge_store(data, reasoner=reasoner, with_ontology=with_ontology, units=units)
    if on_stage:
        on_stage("reasoning")
    if before_rules is not None:
        before_rules(ks)
    derivation = run_rules(ks, as_of=as_of or dt.date.today(), in_place=before_rules is not None) if rules else None
    if on_stage and rules:
        on_stage("rules")
    return Derived(ks, derivation)


T = TypeVar("T")


def load_batch(data: bytes) -> tuple[ox.Store, set[str]]:
    """A batch of city graphs (an N-Quads document, see :func:`sscrdf.io.stream.graph_batches`) in a new store,
    and the ssc: terms it uses for the vocabulary check, found in one pass over the bytes
    (:func:`~sscrdf.knowledge.vocab.ssc_terms_in_nquads`) instead of four scans of the store."""
    store = ox.Store()
    store.load(data, ox.RdfFormat.N_QUADS)
    return store, ssc_terms_in_nquads(data, store)


def infer_batches(
    batches: Iterable[bytes], then: Callable[[ox.Store, set[str]], T], *, reasoner: str = "fast"
) -> Iterator[T]:
    """``then(knowledge, terms)`` of each batch: its knowledge store (data and entailments, no ontology: what
    ``sscrdf infer`` writes) and the ssc: terms its data uses, in the order of ``batches`` (N-Quads documents
    of whole city graphs, see :func:`sscrdf.io.stream.graph_batches`), computed in worker processes as the
    batches are read; ``then`` runs there too (see :func:`sscrdf.parallel.map_stream`)."""
    return map_stream(batches, partial(_infer_nquads, then=then, reasoner=reasoner))


def _infer_nquads(data: bytes, *, then: Callable[[ox.Store, set[str]], T], reasoner: str) -> T:
    store, terms = load_batch(data)
    return then(derive(store, reasoner=reasoner, rules=False, with_ontology=False).store, terms)
