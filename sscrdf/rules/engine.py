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
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import DERIVED_GRAPH as _DERIVED_GRAPH
from ..namespaces import LOCAL, PROV, RDF, SSC, XSD
from ..query.sparql import SparqlFile, read_sparql_file
from ..resources import files

REQUIRED_RULE_KEYS = ("id", "derives", "clause", "kind")
DERIVED_GRAPH = ox.NamedNode(_DERIVED_GRAPH)
ANALYSIS = ox.NamedNode(LOCAL + "analysis")
AS_OF = ox.NamedNode(str(SSC) + "asOfDate")
_TYPE = ox.NamedNode(str(RDF.type))
_FINDING = ox.NamedNode(str(SSC) + "Finding")
_GENERATED_BY = ox.NamedNode(str(PROV.wasGeneratedBy))
_XSD_DATE = ox.NamedNode(str(XSD.date))


def bundled_rules(extra_dirs: tuple[Path, ...] = ()) -> list[SparqlFile]:
    """The bundled rule files plus those in ``extra_dirs``, in file-name order."""
    rules = [read_sparql_file(p, REQUIRED_RULE_KEYS) for p in files("rules", "*.rq")]
    rules += [read_sparql_file(p, REQUIRED_RULE_KEYS, guard=True) for d in extra_dirs for p in sorted(Path(d).glob("*.rq"))]
    for r in rules:
        if r.header["kind"] not in ("fact", "finding"):
            raise InputError(f"rule kind must be 'fact' or 'finding', not {r.header['kind']!r}", path=r.path, line=1)
    seen: dict[str, Path] = {}
    for r in rules:
        if r.id in seen:
            raise InputError(f"rule id {r.id!r} is also used by {seen[r.id]}", path=r.path, line=1)
        seen[r.id] = r.path
    return rules


@dataclass
class Derivation:
    """What the rules derived: new triples, and for each the rule that first derived it."""

    triples: list[ox.Triple] = field(default_factory=list)
    by_rule: dict[str, list[ox.Triple]] = field(default_factory=dict)
    rounds: int = 0
    store: ox.Store | None = None  # the working store: input + derived triples (in DERIVED_GRAPH)

    def findings(self) -> list[ox.NamedNode | ox.BlankNode | ox.Triple]:
        return sorted({t.subject for t in self.triples if t.predicate == _TYPE and t.object == _FINDING},
                      key=str)


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
    template, where = (body[:m.start()], body[m.end():]) if m else ("", body)
    return _iris(where, prefixes), _iris(template, prefixes)


def _ordered(rules: list[SparqlFile], io: dict[str, tuple[set[str], set[str]]]) -> list[SparqlFile]:
    """Producers before consumers where the dependencies allow (a stable topological order); ``io`` maps each
    rule id to its ``rule_io``."""
    order = []
    pending = list(rules)
    while pending:
        for r in pending:
            reads = io[r.id][0]
            blockers = [o for o in pending if o is not r and io[o.id][1] & reads and not (io[r.id][1] & io[o.id][0])]
            if not blockers:
                break
        else:  # a cycle: keep file order for the rest
            r = pending[0]
        order.append(r)
        pending.remove(r)
    return order


def run_rules(store: ox.Store, rules: list[SparqlFile] | None = None, *, as_of: dt.date | None = None,
              max_rounds: int = 25) -> Derivation:
    """Run ``rules`` (default: the bundled ones) to a fixpoint over ``store``.

    ``store`` is not changed: the rules run over a working copy of it. Returns the derived triples.
    Rules run producers-first; after the first round a rule runs again only if something it reads (a
    predicate or class its WHERE clause names) was derived since it last ran."""
    rules = bundled_rules() if rules is None else rules
    io = {r.id: rule_io(r) for r in rules}
    rules = _ordered(rules, io)
    reads = {rid: r_w[0] for rid, r_w in io.items()}
    changed: dict[str, set[str]] = {r.id: set() for r in rules}
    work = ox.Store()
    work.bulk_extend(store)
    today = as_of or dt.date.today()
    work.add(ox.Quad(ANALYSIS, AS_OF, ox.Literal(today.isoformat(), datatype=_XSD_DATE), DERIVED_GRAPH))
    result = Derivation(store=work)
    seen: set[ox.Triple] = set()
    for rnd in range(1, max_rounds + 1):
        added = 0
        for rule in rules:
            if rnd > 1 and not (changed[rule.id] & reads[rule.id]):
                continue
            changed[rule.id] = set()
            try:
                res = work.query(rule.text, use_default_graph_as_union=True)
            except SyntaxError as exc:
                raise InputError(f"SPARQL syntax error in rule {rule.id}: {exc}", path=rule.path) from None
            if not isinstance(res, ox.QueryTriples):
                raise InputError(f"rule {rule.id} is not a CONSTRUCT query", path=rule.path, line=1)
            fresh = []
            for t in res:
                if t not in seen and not _in_any_graph(work, t):
                    fresh.append(t)
            if not fresh:
                continue
            rule_node = ox.NamedNode(rule.iri)
            for t in list(fresh):
                if t.predicate == _TYPE and t.object == _FINDING:
                    fresh.append(ox.Triple(t.subject, _GENERATED_BY, rule_node))
            for t in fresh:
                if t in seen:
                    continue
                seen.add(t)
                produced = {t.predicate.value}
                if t.predicate == _TYPE and isinstance(t.object, ox.NamedNode):
                    produced.add(t.object.value)
                for other in changed.values():
                    other |= produced
                result.triples.append(t)
                result.by_rule.setdefault(rule.id, []).append(t)
                work.add(ox.Quad(t.subject, t.predicate, t.object, DERIVED_GRAPH))
                added += 1
        result.rounds = rnd
        if not added:
            return result
    raise InputError(f"the rules did not reach a fixpoint in {max_rounds} rounds; a rule keeps creating new "
                     "nodes (use IRIs computed from the match, not fresh blank nodes)")


def _in_any_graph(store: ox.Store, t: ox.Triple) -> bool:
    for _ in store.quads_for_pattern(t.subject, t.predicate, t.object, None):
        return True
    return False
