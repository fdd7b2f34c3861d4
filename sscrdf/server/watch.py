"""Serving files that change: ``sscrdf serve --watch`` re-derives only the cities of a changed file.

The served dataset is kept as *units*, one per graph of the input (a named graph of a TriG / N-Quads file, or
the default graph that the plain-triple files share), exactly as ``sscrdf serve`` without ``--watch`` builds
it: per unit its data, its OWL 2 RL entailments (``…/inferred?graph=G``) and what the rules derive from it (the
shared ``…/graph/derived``); the ontology once. Every unit is reasoned and its rules run on a store of its own,
as ``sscrdf push`` does, so that one unit can be derived again without the others.

A thread polls the files' modification times and sizes every ``interval`` seconds. When a file changed it is
loaded and checked on its own; the units whose triples in it changed (one city of a TriG file of many, say) are
derived again from all the files' data; the difference (graphs to empty, quads to remove, quads to add) goes
to the query workers' template process (:meth:`sscrdf.server.workers.QueryPool.update`), which applies all of
it before it forks another worker; the workers forked before are retired. So a query sees a city either as it
was or as it is now, never half of each. A triple of the shared derived graph is counted per unit that derives
it and removed only when no unit derives it any more. A file that no longer loads (a syntax error, an unknown
``ssc:`` term, gone) keeps the data it had; one line says why.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from ..errors import SscrdfError
from ..io.load import load
from ..knowledge.ontology import declared_terms
from ..knowledge.vocab import check_vocabulary
from ..parallel import map_batches, workers_for
from ..reasoning.store import ONTOLOGY_GRAPH, inferred_graph, knowledge_store, split_by_graph
from ..rules.engine import run_rules

__all__ = ["Change", "WatchedFiles"]

#: a unit's key: its graph IRI, or None for the default graph
Key = str | None


def _graph(key: Key) -> ox.NamedNode | ox.DefaultGraph:
    return ox.DefaultGraph() if key is None else ox.NamedNode(key)


@dataclass
class Change:
    """What the served store must do for one reload: empty ``graphs`` (None: the default graph), remove
    ``remove``, add ``add``; ``files`` and ``units`` say what was reloaded and derived again."""

    graphs: list[Key] = field(default_factory=list)
    remove: list[ox.Quad] = field(default_factory=list)
    add: list[ox.Quad] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    units: int = 0
    owned: int = 0  # how many of ``add`` go to the emptied graphs (the rest: to the shared derived graph)


@dataclass
class _Unit:
    owned: list[Key]  # the graphs only this unit writes: its data graph and its inferred graph
    own: list[ox.Quad]  # its quads in them
    shared: list[ox.Quad]  # its quads in graphs other units write too (the derived graph)


class WatchedFiles:
    """The input files of ``sscrdf serve --watch`` and the dataset built from them (see the module docstring).

    ``fmt`` forces an input format; ``rules`` False leaves the rules' output out; ``as_of`` is the date the rules
    use (fixed when serving starts, so every unit is derived for the same day)."""

    def __init__(
        self, paths: Sequence[str | os.PathLike[str]], *, fmt: str | None = None, rules: bool = True, as_of: dt.date
    ) -> None:
        self.paths = [str(p) for p in dict.fromkeys(paths)]
        self.fmt = fmt
        self.rules = rules
        self.as_of = as_of
        self._stat: dict[str, tuple[int, int] | None] = {p: _stat(p) for p in self.paths}
        self._data: dict[str, dict[Key, list[ox.Triple]]] = {p: self._load(p) for p in self.paths}
        # every unit derived on its own store; many units spread over the cores (sscrdf.parallel)
        keys = self._keys()
        everything = ox.Store()
        for key in keys:
            everything.extend(self._unit_data(key))
        self._units: dict[Key, _Unit] = {}
        for part in map_batches(
            everything,
            partial(_derive_units, rules=rules, as_of=as_of),
            batch_size=max(1, -(-len(keys) // workers_for(len(keys)))),
        ):
            self._units.update(part)
        self._count: Counter[ox.Quad] = Counter()
        for unit in self._units.values():
            self._count.update(unit.shared)

    # ------------------------------------------------------------------------------ the dataset

    def store(self) -> ox.Store:
        """A new store holding the whole dataset now: the ontology and every unit."""
        out = knowledge_store(ox.Store())  # the ontology
        for unit in self._units.values():
            out.extend(unit.own)
        out.extend(self._count)
        return out

    def graphs(self) -> list[str]:
        """The named graphs of the dataset now (for the service description)."""
        names = {ONTOLOGY_GRAPH.value}
        for unit in self._units.values():
            names.update(g for g in unit.owned if g is not None)
        names.update(q.graph_name.value for q in self._count if isinstance(q.graph_name, ox.NamedNode))
        return sorted(names)

    def _keys(self) -> list[Key]:
        keys: set[Key] = set()
        for data in self._data.values():
            keys.update(data)
        return sorted(keys, key=lambda k: "" if k is None else "\x00" + k)

    def _load(self, path: str) -> dict[Key, list[ox.Triple]]:
        """The file's triples by graph, loaded and checked on its own; its blank nodes made fresh, so that two
        files never share one (as when ``sscrdf serve`` loads them together)."""
        loaded = load([path], fmt=self.fmt)
        check_vocabulary(loaded.store, declared_terms(), loaded.sources)
        fresh: dict[ox.BlankNode, ox.BlankNode] = {}

        def term(t: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> ox.NamedNode | ox.BlankNode | ox.Literal:
            if isinstance(t, ox.BlankNode):
                return fresh.setdefault(t, ox.BlankNode())
            assert not isinstance(t, ox.Triple)  # the loader refuses RDF-star
            return t

        out: dict[Key, list[ox.Triple]] = {}
        for q in loaded.store:
            key = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else None
            s = term(q.subject)
            assert not isinstance(s, ox.Literal)
            out.setdefault(key, []).append(ox.Triple(s, q.predicate, term(q.object)))
        return out

    def _unit_data(self, key: Key) -> list[ox.Quad]:
        """The quads all files hold in the unit's graph."""
        g = _graph(key)
        return [ox.Quad(t.subject, t.predicate, t.object, g) for d in self._data.values() for t in d.get(key, ())]

    def _derive(self, key: Key) -> _Unit:
        """One unit derived from the data all files hold in its graph: data, entailments, the rules' output."""
        data = ox.Store()
        data.extend(self._unit_data(key))
        return _derive_units(data, rules=self.rules, as_of=self.as_of)[key]

    # ------------------------------------------------------------------------------ changes

    def changed(self) -> list[str]:
        """The files whose modification time or size differs from when they were last looked at."""
        return [p for p in self.paths if _stat(p) != self._stat[p]]

    def reload(self, paths: Iterable[str], log: Callable[[str], None]) -> Change:
        """Load ``paths`` again and derive their units again; the change the served store must make. A file
        that does not load keeps its old data (``log`` gets one line)."""
        change = Change()
        keys: set[Key] = set()
        derived: dict[Key, _Unit] = {}
        for path in paths:
            self._stat[path] = _stat(path)
            try:
                data = self._load(path)
            except SscrdfError as exc:
                log(f"{exc}; the data it had is served on")
                continue
            before = self._data[path]
            # only the graphs whose triples changed (a graph with blank nodes always has: they are new on each load)
            touched = {k for k in {*before, *data} if set(before.get(k, ())) != set(data.get(k, ()))}
            self._data[path] = data
            try:  # derived here, with the file's new data, so that data the reasoner refuses is not taken
                derived.update({k: self._derive(k) for k in touched if any(k in d for d in self._data.values())})
            except SscrdfError as exc:
                self._data[path] = before
                log(f"{path}: {exc}; the data it had is served on")
                continue
            keys.update(touched)
            change.files.append(path)
        for key in sorted(keys, key=lambda k: "" if k is None else "\x00" + k):
            old = self._units.pop(key, None)
            if old is not None:
                change.graphs += [k for k in old.owned if k not in change.graphs]
                for q in old.shared:
                    self._count[q] -= 1
                    if self._count[q] == 0:
                        del self._count[q]
                        change.remove.append(q)
            if not any(key in d for d in self._data.values()):
                continue  # no file holds this graph any more
            self._units[key] = unit = derived[key]
            change.units += 1
            change.add += unit.own
            change.owned += len(unit.own)
            for q in unit.shared:
                if self._count[q] == 0:
                    change.add.append(q)
                self._count[q] += 1
        both = set(change.remove).intersection(change.add)  # a shared quad removed and added again: it stays
        change.remove = [q for q in change.remove if q not in both]
        change.add = [q for q in change.add if q not in both]
        return change

    def watch(
        self,
        apply: Callable[[Change, list[str]], None],
        log: Callable[[str], None],
        interval: float = 1.0,
    ) -> threading.Event:
        """Poll the files every ``interval`` seconds in a daemon thread; for each change, ``apply(change, graphs)``
        (graphs: the named graphs after it) and ``log`` one line. Set the returned event to stop."""
        stop = threading.Event()

        def run() -> None:
            while not stop.wait(interval):
                paths = self.changed()
                if not paths:
                    continue
                start = time.perf_counter()
                change = self.reload(paths, log)
                if change.files:
                    apply(change, self.graphs())
                    log(
                        f"reloaded {', '.join(change.files)}: {change.units} "
                        f"{'city' if change.units == 1 else 'cities'} derived again ({len(change.graphs)} graphs "
                        f"rewritten with {change.owned} quads; derived graph: {len(change.remove)} quads removed, "
                        f"{len(change.add) - change.owned} added) in {time.perf_counter() - start:.2f} s"
                    )

        threading.Thread(target=run, name="sscrdf-watch", daemon=True).start()
        return stop


def _derive_units(data: ox.Store, *, rules: bool, as_of: dt.date) -> dict[Key, _Unit]:
    """Each unit of ``data`` (one a graph) derived on a store of its own: its data, entailments and, with
    ``rules``, what the rules derive from it."""
    out: dict[Key, _Unit] = {}
    for key, triples in split_by_graph(data):
        one = ox.Store()
        g = _graph(key)
        one.extend(ox.Quad(t.subject, t.predicate, t.object, g) for t in triples)
        ks = knowledge_store(one)
        work = run_rules(ks, as_of=as_of).store if rules else ks
        assert work is not None  # run_rules keeps its working store
        owned: list[Key] = [key, inferred_graph(key).value]
        mine = {_graph(k) for k in owned}
        own: list[ox.Quad] = []
        shared: list[ox.Quad] = []
        for q in work:
            if q.graph_name != ONTOLOGY_GRAPH:
                (own if q.graph_name in mine else shared).append(q)
        out[key] = _Unit(owned, own, shared)
    return out


def _stat(path: str) -> tuple[int, int] | None:
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size
