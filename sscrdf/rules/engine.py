"""The rule engine: ``rules/*.rq`` SPARQL CONSTRUCT rules run to a fixpoint over ontology + data + entailments.

Each rule file holds one standard SPARQL 1.1 CONSTRUCT query and a header::

    # id: strategy-from-latest-assessment
    # derives: ssc:recommendedStrategy
    # clause: Y Suppl. 34, clause 4.2; Figure 4; Table 1
    # kind: fact            (fact | finding)

The engine runs every rule, adds what is new, and repeats until a round adds nothing. It records
``prov:wasGeneratedBy <rule IRI>`` on every ssc:Finding a rule creates, and remembers which rule derived each
fact. Rules read the analysis date from ``<urn:sscrdf:analysis> ssc:asOfDate ?today`` so that results do not
depend on the clock. Rule files are found by globbing, so adding one needs no Python change.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .. import __version__, cache
from ..errors import InputError
from ..namespaces import DERIVED_GRAPH as _DERIVED_GRAPH, LOCAL, PROV, RDF, SSC, XSD
from ..query.sparql import SparqlFile, read_sparql_file
from ..resources import files
from .patterns import Feeds, RulePatterns, Unreadable, read_patterns

REQUIRED_RULE_KEYS = ("id", "derives", "clause", "kind")
DERIVED_GRAPH = ox.NamedNode(_DERIVED_GRAPH)
ANALYSIS = ox.NamedNode(LOCAL + "analysis")
AS_OF = ox.NamedNode(str(SSC) + "asOfDate")
_TYPE = ox.NamedNode(f"{RDF}type")
_FINDING = ox.NamedNode(str(SSC) + "Finding")
_GENERATED_BY = ox.NamedNode(f"{PROV}wasGeneratedBy")
_XSD_DATE = ox.NamedNode(f"{XSD}date")


def bundled_rules(extra_dirs: tuple[Path, ...] = ()) -> list[SparqlFile]:
    """The bundled rule files plus those in ``extra_dirs``, in file-name order."""
    rules = [read_sparql_file(p, REQUIRED_RULE_KEYS) for p in files("rules", "*.rq")]
    rules += [
        read_sparql_file(p, REQUIRED_RULE_KEYS, guard=True) for d in extra_dirs for p in sorted(Path(d).glob("*.rq"))
    ]
    for r in rules:
        if r.header["kind"] not in ("fact", "finding"):
            raise InputError(f"rule kind must be 'fact' or 'finding', not {r.header['kind']!r}", path=r.path, line=1)
    seen: dict[str, Path] = {}
    for r in rules:
        if r.id in seen:
            raise InputError(f"rule id {r.id!r} is also used by {seen[r.id]}", path=r.path, line=1)
        seen[r.id] = r.path
    return rules


class Derivation:
    """What the rules derived: new triples, and for each the rule that first derived it.

    ``triples`` (in the order derived) and ``by_rule`` (rule id -> its triples) are plain lists. Pickled (a
    worker process sends it back to the parent), it travels as N-Triples bytes, which pyoxigraph writes and
    reads about twenty times faster than pickling term objects; the parent parses them again only when
    something reads ``triples`` or ``by_rule`` (the JSON and text reports never do). ``store`` (the working
    store) does not travel."""

    def __init__(
        self,
        triples: list[ox.Triple] | None = None,
        by_rule: dict[str, list[ox.Triple]] | None = None,
        rounds: int = 0,
        store: ox.Store | None = None,
    ) -> None:
        self._triples: list[ox.Triple] = [] if triples is None else triples
        self._by_rule: dict[str, list[ox.Triple]] = {} if by_rule is None else by_rule
        self._rule_of: list[str] | None = [] if triples is None and by_rule is None else None
        #: packed parts not read yet: (N-Triples bytes, [(rule id, number of triples), ...] in order)
        self._packed: list[tuple[bytes, list[tuple[str, int]]]] = []
        self.rounds = rounds
        self.store = store
        #: rule id -> seconds spent running it (query and reading its result), summed over the rounds
        self.seconds: dict[str, float] = {}
        #: rule id -> how many times it ran
        self.runs: dict[str, int] = {}

    def _add(self, t: ox.Triple, rule_id: str) -> None:
        self._triples.append(t)
        self._by_rule.setdefault(rule_id, []).append(t)
        if self._rule_of is not None:
            self._rule_of.append(rule_id)

    def _pack(self) -> list[tuple[bytes, list[tuple[str, int]]]]:
        if not self._triples:
            return list(self._packed)
        if self._rule_of is None or len(self._rule_of) != len(self._triples):
            rule_of = {t: rid for rid, ts in self._by_rule.items() for t in ts}
            self._rule_of = [rule_of.get(t, "") for t in self._triples]
        runs: list[tuple[str, int]] = []
        for rid in self._rule_of:
            if runs and runs[-1][0] == rid:
                runs[-1] = (rid, runs[-1][1] + 1)
            else:
                runs.append((rid, 1))
        data = ox.serialize(self._triples, format=ox.RdfFormat.N_TRIPLES) or b""
        return [*self._packed, (data, runs)]

    def _unpack(self) -> None:
        for data, runs in self._packed:
            parsed = [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
            i = 0
            for rid, n in runs:
                for t in parsed[i : i + n]:
                    self._add(t, rid)
                i += n
        self._packed = []

    @property
    def triples(self) -> list[ox.Triple]:
        if self._packed:
            self._unpack()
        return self._triples

    @triples.setter
    def triples(self, value: list[ox.Triple]) -> None:
        self._triples, self._packed, self._rule_of = value, [], None

    @property
    def by_rule(self) -> dict[str, list[ox.Triple]]:
        if self._packed:
            self._unpack()
        return self._by_rule

    @by_rule.setter
    def by_rule(self, value: dict[str, list[ox.Triple]]) -> None:
        self._by_rule, self._packed, self._rule_of = value, [], None

    def __getstate__(self) -> dict[str, object]:
        return {"packed": self._pack(), "rounds": self.rounds, "seconds": self.seconds, "runs": self.runs}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._triples, self._by_rule, self._rule_of = [], {}, []
        self.store = None
        self.rounds = state["rounds"]
        self._packed = state["packed"]
        self.seconds = state.get("seconds", {})
        self.runs = state.get("runs", {})

    @classmethod
    def merged(cls, parts: list[Derivation]) -> Derivation:
        """One derivation holding the triples of ``parts`` in order (without parsing packed parts)."""
        out = cls(rounds=max((p.rounds for p in parts), default=0))
        out._packed = [chunk for p in parts for chunk in p._pack()]
        for p in parts:
            for rid, sec in p.seconds.items():
                out.seconds[rid] = out.seconds.get(rid, 0.0) + sec
            for rid, n in p.runs.items():
                out.runs[rid] = out.runs.get(rid, 0) + n
        return out

    def findings(self) -> list[ox.NamedNode | ox.BlankNode | ox.Triple]:
        return sorted({t.subject for t in self.triples if t.predicate == _TYPE and t.object == _FINDING}, key=str)


_PREFIX = re.compile(r"PREFIX\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", re.I)
_IRI = re.compile(r"<([^>\s]+)>")
_PNAME = re.compile(r"(?<![\w<?$])([A-Za-z][\w-]*)?:([A-Za-z_][\w-]*)")


def _iris(text: str, prefixes: dict[str, str]) -> set[str]:
    out = set(_IRI.findall(text))
    for pfx, local in _PNAME.findall(re.sub(r'"[^"]*"', '""', text)):
        if pfx in prefixes:
            out.add(prefixes[pfx] + local)
    return out


def rule_io(rule: SparqlFile) -> tuple[set[str], set[str]]:
    """(IRIs the rule's WHERE clause mentions, IRIs its CONSTRUCT template mentions): a conservative
    over-approximation of what a rule reads and writes, used to skip rules whose inputs did not change."""
    body = re.sub(r"(?m)^\s*#.*$", "", rule.text)  # comment lines (IRIs contain # too)
    prefixes = {m.group(1) or "": m.group(2) for m in _PREFIX.finditer(body)}
    body = _PREFIX.sub("", body)
    m = re.search(r"\bWHERE\b", body, re.I)
    template, where = (body[: m.start()], body[m.end() :]) if m else ("", body)
    return _iris(where, prefixes), _iris(template, prefixes)


def _ordered(rules: list[SparqlFile], io: dict[str, tuple[set[str], set[str]]]) -> list[SparqlFile]:
    """Producers before consumers where the dependencies allow (a stable topological order); ``io`` maps each
    rule id to its ``rule_io``."""
    order = []
    pending = [(r.id, r) for r in rules]  # ids read once (SparqlFile.id is a property)
    while pending:
        for rid, r in pending:  # noqa: B007  (r is the rule taken when the loop breaks)
            reads, writes = io[rid]
            blockers = [o for o, _ in pending if o != rid and io[o][1] & reads and not (writes & io[o][0])]
            if not blockers:
                break
        else:  # a cycle: keep file order for the rest
            rid, r = pending[0]
        order.append(r)
        pending.remove((rid, r))
    return order


def run_rules(
    store: ox.Store,
    rules: list[SparqlFile] | None = None,
    *,
    as_of: dt.date | None = None,
    max_rounds: int = 25,
    in_place: bool = False,
    exact: bool = True,
) -> Derivation:
    """Run ``rules`` (default: the bundled ones) to a fixpoint over ``store``.

    ``store`` is not changed: the rules run over a working copy of it, unless ``in_place`` is True, which the
    caller passes only for a store it built itself and hands over (the pipeline's knowledge store of one batch;
    copying it cost a tenth of the rules' time). Returns the derived triples.
    Rules run producers-first; after the first round a rule runs again only if a triple derived since it last
    ran can feed it: it matches one of the rule's positive triple patterns, constants and one-step joins
    included (:mod:`sscrdf.rules.patterns`). ``exact=False`` re-runs a rule whenever a predicate or class its
    WHERE clause names was derived (the coarse test, also used for a rule the pattern reader cannot follow);
    both reach the same fixpoint, the exact test with fewer runs."""
    rules, inputs = _plan(bundled_rules() if rules is None else rules, exact)
    if in_place:
        work = store
    else:
        work = ox.Store()
        work.bulk_extend(store)
    inputs.store = work
    today = as_of or dt.date.today()
    work.add(ox.Quad(ANALYSIS, AS_OF, ox.Literal(today.isoformat(), datatype=_XSD_DATE), DERIVED_GRAPH))
    result = Derivation(store=work)
    seen: set[ox.Triple] = set()
    for rnd in range(1, max_rounds + 1):
        added = 0
        for rule in rules:
            rid = rule.id  # a property: read it once, not once per derived triple
            runs = 0
            # a rule runs in the first round, and again whenever something new can feed it; one that feeds
            # itself runs again at once, so the rules after it read its complete output
            while (rnd == 1 and runs == 0) or inputs.fed(rid):
                runs += 1
                if runs > max_rounds:
                    break
                inputs.inbox.pop(rid, None)  # what it was given so far, it reads now
                started = time.perf_counter()
                try:
                    res = work.query(rule.text, use_default_graph_as_union=True)
                except SyntaxError as exc:
                    raise InputError(f"SPARQL syntax error in rule {rule.id}: {exc}", path=rule.path) from None
                if not isinstance(res, ox.QueryTriples):
                    raise InputError(f"rule {rule.id} is not a CONSTRUCT query", path=rule.path, line=1)
                # new triples in the order the rule gave them, each once (a CONSTRUCT may repeat a triple)
                fresh: dict[ox.Triple, None] = {}
                for t in res:
                    if t not in seen and t not in fresh and not _in_any_graph(work, t):
                        fresh[t] = None
                result.seconds[rid] = result.seconds.get(rid, 0.0) + time.perf_counter() - started
                result.runs[rid] = result.runs.get(rid, 0) + 1
                if not fresh:
                    continue
                rule_node = ox.NamedNode(rule.iri)
                for t in [t for t in fresh if t.predicate == _TYPE and t.object == _FINDING]:
                    prov = ox.Triple(t.subject, _GENERATED_BY, rule_node)
                    if prov not in seen:
                        fresh[prov] = None
                for t in fresh:
                    seen.add(t)
                    result._add(t, rid)
                work.extend(ox.Quad(t.subject, t.predicate, t.object, DERIVED_GRAPH) for t in fresh)
                added += len(fresh)
                inputs.derived(fresh)
        result.rounds = rnd
        if not added:
            return result
    raise InputError(
        f"the rules did not reach a fixpoint in {max_rounds} rounds; a rule keeps creating new "
        "nodes (use IRIs computed from the match, not fresh blank nodes)"
    )


class _Inputs:
    """What each rule has been given to read since it last ran: the derived triples whose predicate (or, for
    ``rdf:type``, class) it reads, kept until the rule's turn comes; then :meth:`fed` tells whether one of them
    can feed it (:mod:`sscrdf.rules.patterns`; the coarse test: whether there is any)."""

    def __init__(self, feeds: Feeds, coarse: dict[str, set[str]]) -> None:
        self.feeds = feeds
        self.coarse = coarse
        self.store: ox.Store | None = None
        #: predicate (or class) IRI -> the rules that read it; "" -> the rules that read every predicate
        self.readers: dict[str, list[str]] = {}
        for rid, (predicates, classes) in feeds.reads.items():
            for iri in (predicates or {""}) | {_CLASS + c for c in classes}:
                self.readers.setdefault(iri, []).append(rid)
        for rid, iris in coarse.items():
            for iri in iris | {_CLASS + i for i in iris}:
                self.readers.setdefault(iri, []).append(rid)
        self.inbox: dict[str, list[list[ox.Triple]]] = {}

    def derived(self, fresh: Iterable[ox.Triple]) -> None:
        """Offer ``fresh`` to the rules that read them, in batches of one predicate (one class for rdf:type)."""
        by_key: dict[str, list[ox.Triple]] = {}
        for t in fresh:
            if t.predicate == _TYPE and isinstance(t.object, ox.NamedNode):
                by_key.setdefault(_CLASS + t.object.value, []).append(t)
            else:
                by_key.setdefault(t.predicate.value, []).append(t)
        every = self.readers.get("", [])
        of_type = self.readers.get(_TYPE.value, [])
        for key, triples in by_key.items():
            readers = self.readers.get(key, [])
            if key.startswith(_CLASS):
                readers = readers + of_type
            for rid in dict.fromkeys(readers + every):
                self.inbox.setdefault(rid, []).append(triples)

    def fed(self, rid: str) -> bool:
        batches = self.inbox.pop(rid, None)
        if not batches:
            return False
        if rid in self.coarse:
            return True
        store = self.store
        assert store is not None

        def exists(s: ox.NamedNode | None, p: ox.NamedNode | None, o: ox.NamedNode | None) -> bool:
            for _ in store.quads_for_pattern(s, p, o, None):
                return True
            return False

        feeds = self.feeds
        for batch in batches:
            for pattern in feeds.patterns(rid, batch[0]):  # the same for the whole batch
                if feeds.feeds_any(pattern, batch, exists):
                    return True
        return False


#: the key under which the rdf:type triples of a class wait for the rules that read that class
_CLASS = "class "


#: (rule id, text) of each rule, exact -> the rules' order (as positions) and their read tests; a few rule sets per
#: process at most (bundled, bundled + an extra directory)
_PLANS: dict[tuple[tuple[tuple[str, str], ...], bool], tuple[list[int], Feeds, dict[str, set[str]]]] = {}
#: the sscrdf modules whose code decides what a cached plan holds (part of its cache key)
_PLAN_CODE = ("rules.engine", "rules.patterns", "cache")


def _plan(rules: list[SparqlFile], exact: bool) -> tuple[list[SparqlFile], _Inputs]:
    """The rules producers first (:func:`_ordered`) and a fresh :class:`_Inputs` for one run: the exact test for
    every rule the pattern reader follows (unless not ``exact``), the coarse test (the IRIs its WHERE names, see
    :func:`rule_io`) for the others. What does not depend on the run is worked out once per rule set (it took
    about 20 ms, once per batch of cities) and kept in the cache (sscrdf.cache; reading the 42 rules' patterns
    took a tenth of a one-city run)."""
    key = (tuple((r.id, r.text) for r in rules), exact)
    plan = _PLANS.get(key)
    if plan is None:
        entry = plan_key(rules, exact)
        plan = _plan_from_json(cache.read_json(entry), [r.id for r in rules])
        if plan is None:
            plan = _build_plan(rules, exact)
            cache.write_json(entry, _plan_json(plan))
        if len(_PLANS) >= 8:
            _PLANS.clear()
        _PLANS[key] = plan
    order, feeds, coarse = plan
    return [rules[i] for i in order], _Inputs(feeds, coarse)


def plan_key(rules: list[SparqlFile], exact: bool) -> str | None:
    """The cache key of the plan of ``rules``: their ids and texts in order, ``exact``, the sscrdf version and
    the code that builds the plan."""
    texts = [f"{r.id}\n{r.text}" for r in rules]
    return cache.key("rules", cache.source_files(*_PLAN_CODE), __version__, str(exact), *texts)


def _build_plan(rules: list[SparqlFile], exact: bool) -> tuple[list[int], Feeds, dict[str, set[str]]]:
    io = {r.id: rule_io(r) for r in rules}
    position = {id(r): i for i, r in enumerate(rules)}
    patterns: dict[str, RulePatterns] = {}
    coarse: dict[str, set[str]] = {}
    for r in rules:
        try:
            if not exact:
                raise Unreadable("the coarse test was asked for")
            patterns[r.id] = read_patterns(r.text)
        except Unreadable:
            coarse[r.id] = io[r.id][0]
    return [position[id(r)] for r in _ordered(rules, io)], Feeds(patterns), coarse


def _plan_json(plan: tuple[list[int], Feeds, dict[str, set[str]]]) -> dict[str, object]:
    order, feeds, coarse = plan
    return {"order": order, "coarse": {rid: sorted(iris) for rid, iris in coarse.items()}, "feeds": feeds.to_json()}


def _plan_from_json(data: object, ids: list[str]) -> tuple[list[int], Feeds, dict[str, set[str]]] | None:
    """The plan of a cache entry for the rules ``ids``, or None (no entry, or a damaged one: the caller rebuilds
    it)."""
    if not isinstance(data, dict):
        return None
    try:
        order = [int(i) for i in data["order"]]
        coarse = {str(rid): {str(i) for i in iris} for rid, iris in dict(data["coarse"]).items()}
        feeds = Feeds.from_json(data["feeds"])
    except Exception:  # a damaged entry, whatever its damage: rebuild it (the cache is only an optimisation)
        return None
    if sorted(order) != list(range(len(ids))) or sorted([*feeds.reads, *coarse]) != sorted(ids):
        return None
    return order, feeds, coarse


def _in_any_graph(store: ox.Store, t: ox.Triple) -> bool:
    for _ in store.quads_for_pattern(t.subject, t.predicate, t.object, None):
        return True
    return False
