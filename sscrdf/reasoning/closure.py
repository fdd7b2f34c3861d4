"""Reasoning: the OWL 2 RL closure of ontology + data.

The reference engine is owlrl (a complete OWL 2 RL implementation in pure Python). It is slow on large
graphs, so the pipeline only uses it where completeness matters more than speed (``ontology check``,
``infer --reasoner owlrl``, and the reference path that the fast path is tested against).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Set as AbstractSet
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from .. import cache
from ..convert import to_ox_triple, triples_to_graph
from ..errors import InputError
from ..knowledge.ontology import modules, ontology_triples
from ..namespaces import DAML_AGENT, OWL, RDF, RDFS, short

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

_RdflibTriple = tuple["Node", "Node", "Node"]
ERRNS = DAML_AGENT


def owlrl_closure(graph: Graph) -> Graph:
    """A new graph: ``graph`` plus its OWL 2 RL closure computed by owlrl. ``graph`` is not changed.

    The closure of the same triples is computed once per process (the whole ontology takes seconds, and
    ``ontology check``, ``sscrdf check`` and the tests ask for it repeatedly); every call gets its own graph."""
    from rdflib import Graph  # heavy: only the reference reasoner (owlrl) needs it

    g = Graph()
    for prefix, ns in graph.namespaces():
        g.bind(prefix, ns, override=False)
    for t in _owlrl_closure_of(frozenset(graph)):
        g.add(t)
    return g


@lru_cache(maxsize=8)
def _owlrl_closure_of(triples: frozenset[_RdflibTriple]) -> tuple[_RdflibTriple, ...]:
    import owlrl  # heavy, and only the reference path needs it
    from rdflib import Graph

    g = Graph()
    for t in triples:
        g.add(t)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(g)
    return tuple(g)


def consistency_problems(graph: Graph, closure: Graph | None = None) -> list[str]:
    """Readable inconsistencies of the OWL 2 RL closure of ``graph``: members of owl:Nothing and owlrl's errors
    (clashes of disjoint classes, different-from violations, ...). Empty when consistent."""
    from rdflib import Literal, URIRef  # heavy, and loaded already: ``graph`` is an rdflib graph

    closed = closure if closure is not None else owlrl_closure(graph)
    problems = []
    for s in sorted(s for s in closed.subjects(RDF.type, OWL.Nothing) if isinstance(s, URIRef)):
        if s != OWL.Nothing:
            problems.append(f"{s} is a member of owl:Nothing (it belongs to classes that cannot share members)")
    for err in closed.subjects(RDF.type, URIRef(ERRNS + "ErrorMessage")):
        for msg in closed.objects(err, URIRef(ERRNS + "error")):
            if isinstance(msg, Literal):
                problems.append(" ".join(str(msg).split()))
    return sorted(set(problems))


# ------------------------------------------------------------------------------------------ fast path
# The fast reasoner computes the part of the OWL 2 RL closure that the ontology's axioms can produce on
# instance data: rules cax-sco, cax-eqc1/2, prp-spo1, prp-eqp1/2, prp-inv1/2, prp-symp, prp-trp, prp-dom,
# prp-rng (with scm-sco, scm-spo, scm-eqc, scm-eqp, scm-dom2, scm-rng2 on the schema). Disjointness (cax-dw)
# is not checked here: `ontology check` and the tests check consistency with owlrl. The schema part is computed
# once per schema; instance data is closed with a work list.
# ``SUPPORTED_AXIOMS`` lists what it understands; a test checks the ontology uses nothing else.

from dataclasses import dataclass as _dataclass  # noqa: E402

import pyoxigraph as ox  # noqa: E402  (kept below the reference engine, which does not need it)

_RDF = str(RDF)
_RDFS = str(RDFS)
_OWL = str(OWL)
TYPE = ox.NamedNode(_RDF + "type")
_Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

SUPPORTED_AXIOMS = frozenset(
    {
        _RDFS + "subClassOf",
        _RDFS + "subPropertyOf",
        _RDFS + "domain",
        _RDFS + "range",
        _OWL + "equivalentClass",
        _OWL + "equivalentProperty",
        _OWL + "inverseOf",
        _OWL + "disjointWith",  # entails nothing new; consistency is checked with owlrl
    }
)
SUPPORTED_PROPERTY_TYPES = frozenset({_OWL + "SymmetricProperty", _OWL + "TransitiveProperty"})
#: OWL vocabulary whose rules the fast reasoner does not implement; the ontology must not use it.
UNSUPPORTED_AXIOMS = frozenset(
    {
        _OWL + p
        for p in (
            "intersectionOf",
            "unionOf",
            "someValuesFrom",
            "allValuesFrom",
            "hasValue",
            "propertyChainAxiom",
            "hasKey",
            "sameAs",
            "oneOf",
            "complementOf",
            "maxCardinality",
            "maxQualifiedCardinality",
            "cardinality",
            "propertyDisjointWith",
            "disjointUnionOf",
        )
    }
    | {
        _OWL + t
        for t in (
            "FunctionalProperty",
            "InverseFunctionalProperty",
            "IrreflexiveProperty",
            "AsymmetricProperty",
            "ReflexiveProperty",
        )
    }
)


def _closure(pairs: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """Reflexive-transitive closure of a relation given as node -> direct successors."""
    out: dict[str, frozenset[str]] = {}

    def visit(n: str) -> frozenset[str]:
        if n in out:
            return out[n]
        seen, stack = {n}, [n]
        while stack:
            for m in pairs.get(stack.pop(), ()):
                if m not in seen:
                    seen.add(m)
                    stack.append(m)
        out[n] = frozenset(seen)
        return out[n]

    for n in list(pairs):
        visit(n)
    return out


@_dataclass(frozen=True)
class Schema:
    """The closed schema the fast reasoner applies: everything keyed by IRI string."""

    superclasses: dict[str, frozenset[str]]
    superproperties: dict[str, frozenset[str]]
    inverse: dict[str, frozenset[str]]
    symmetric: frozenset[str]
    transitive: frozenset[str]
    domain: dict[str, frozenset[str]]
    range: dict[str, frozenset[str]]

    @classmethod
    def from_triples(cls, triples: Iterable[ox.Triple]) -> Schema:
        sub: dict[str, set[str]] = {}
        subp: dict[str, set[str]] = {}
        inv: dict[str, set[str]] = {}
        dom: dict[str, set[str]] = {}
        rng: dict[str, set[str]] = {}
        sym: set[str] = set()
        trans: set[str] = set()
        for t in triples:
            subject, p, obj = t.subject, t.predicate.value, t.object
            if not isinstance(subject, ox.NamedNode) or not isinstance(obj, ox.NamedNode):
                continue
            s, o = subject.value, obj.value
            if p == _RDFS + "subClassOf":
                sub.setdefault(s, set()).add(o)
            elif p == _OWL + "equivalentClass":
                sub.setdefault(s, set()).add(o)
                sub.setdefault(o, set()).add(s)
            elif p == _RDFS + "subPropertyOf":
                subp.setdefault(s, set()).add(o)
            elif p == _OWL + "equivalentProperty":
                subp.setdefault(s, set()).add(o)
                subp.setdefault(o, set()).add(s)
            elif p == _OWL + "inverseOf":
                inv.setdefault(s, set()).add(o)
                inv.setdefault(o, set()).add(s)
            elif p == _RDFS + "domain":
                dom.setdefault(s, set()).add(o)
            elif p == _RDFS + "range":
                rng.setdefault(s, set()).add(o)
            elif p == _RDF + "type" and o == _OWL + "SymmetricProperty":
                sym.add(s)
            elif p == _RDF + "type" and o == _OWL + "TransitiveProperty":
                trans.add(s)
        supc = _closure(sub)
        supp = _closure(subp)
        # scm-dom1/scm-rng1: domains and ranges widen along superclasses; scm-dom2/scm-rng2: a subproperty
        # inherits them — both are covered at use time, since every inferred (s q o) is widened to q's
        # superproperties and every inferred type to its superclasses.
        return cls(
            superclasses=supc,
            superproperties=supp,
            inverse={k: frozenset(v) for k, v in inv.items()},
            symmetric=frozenset(sym),
            transitive=frozenset(trans),
            domain={k: frozenset(v) for k, v in dom.items()},
            range={k: frozenset(v) for k, v in rng.items()},
        )


def fast_closure(
    triples: Iterable[ox.Triple], schema: Schema, base: frozenset[ox.Triple] | GraphBase = frozenset()
) -> set[ox.Triple]:
    """The entailments of ``triples`` (together with ``base``) under ``schema`` that neither already holds.

    ``base`` is a set of triples already closed under ``schema`` (the ontology's own closure): it is used for
    lookups but never walked again, so closing one city costs time in proportion to the city alone.
    Returns a new set of triples; the inputs are not changed. Literals are never typed (as in owlrl, which
    only types them through datatype axioms sscrdf switches off)."""
    have: set[ox.Triple] = {t for t in triples if t not in base}
    new: set[ox.Triple] = set()
    work = list(have)
    # bounded: a chain of a transitive property (or a deep subproperty hierarchy the data declares) entails a
    # triple for every pair it links, so a small file could otherwise take minutes and gigabytes
    limit = INFERRED_PER_TRIPLE * len(have) + INFERRED_FLOOR
    steps = 0
    sup_c, sup_p, dom, rng, inv = _nodes(schema)
    sym, trans = schema.symmetric, schema.transitive
    #: the triples of transitive properties met so far (given or inferred), by property: the transitive step
    #: looks only at these and at the ontology's own (precomputed), never at every triple again
    trans_edges: dict[str, list[ox.Triple]] = {}
    by_trp: set[ox.Triple] = set()

    def add(t: ox.Triple) -> None:
        if t not in have and t not in base:
            if len(new) >= limit:
                _too_many(limit, len(have) - len(new), t.predicate)
            have.add(t)
            new.add(t)
            work.append(t)

    while True:
        while work:
            t = work.pop()
            s, p, o = t.subject, t.predicate, t.object
            if p == TYPE:
                if isinstance(o, ox.NamedNode):
                    for cn in sup_c.get(o.value, ()):
                        add(ox.Triple(s, TYPE, cn))
                continue
            pv = p.value
            if pv in trans and t not in by_trp:  # a triple the transitive step made is implied by the others
                trans_edges.setdefault(pv, []).append(t)
            for q, qn in sup_p.get(pv, ((pv, p),)):
                if q != pv:
                    add(ox.Triple(s, qn, o))
                for cn in dom.get(q, ()):
                    add(ox.Triple(s, TYPE, cn))
                if isinstance(o, ox.Literal):
                    continue
                for cn in rng.get(q, ()):
                    add(ox.Triple(o, TYPE, cn))
                if q in sym:
                    add(ox.Triple(o, qn, s))
                for rn in inv.get(q, ()):
                    add(ox.Triple(o, rn, s))
        # prp-trp: close each transitive property the data uses (``base`` is closed already, so a property
        # without data triples adds nothing), then go round again if that added anything
        before = len(new)
        base_succ = _transitive_successors(base, trans) if trans_edges else {}
        for q, edges in trans_edges.items():
            qn = ox.NamedNode(q)
            succ: dict[_Term, set[_Term]] = {a: set(bs) for a, bs in base_succ.get(q, {}).items()}
            for t in edges:
                succ.setdefault(t.subject, set()).add(t.object)
            for a in list(succ):
                seen: set[_Term] = set()
                stack = list(succ[a])
                while stack:
                    b = stack.pop()
                    if b in seen:
                        continue
                    seen.add(b)
                    nexts = succ.get(b, ())
                    steps += len(nexts)
                    if steps > STEPS_PER_INFERRED * limit:
                        _too_many(limit, len(have) - len(new), qn)
                    stack.extend(nexts)
                for b in seen:
                    if not isinstance(a, ox.Literal):
                        made = ox.Triple(a, qn, b)
                        if made not in have and made not in base:
                            by_trp.add(made)
                        add(made)
        if len(new) == before:
            return new


#: the fast reasoner stops with an InputError past this many inferred triples per given triple, plus the floor
INFERRED_PER_TRIPLE = 50
INFERRED_FLOOR = 100_000
#: ... or past this many steps of the transitive closure per triple it may infer
STEPS_PER_INFERRED = 20


def _too_many(limit: int, given: int, predicate: ox.NamedNode) -> None:
    raise InputError(
        f"reasoning over the data would infer more than {limit:,} triples from {given:,} (the last ones "
        f"for {short(predicate.value)}): a long chain of a transitive property (such as skos:broader, whose "
        "skos:broaderTransitive is transitive) or a deep hierarchy of subproperties declared in the data entails "
        "a triple for every pair of nodes it links",
        hint=f"shorten the chain or the hierarchy; the limit is {INFERRED_PER_TRIPLE} inferred triples per given "
        f"triple plus {INFERRED_FLOOR:,}",
    )


_Nodes = tuple[
    dict[str, tuple[ox.NamedNode, ...]],
    dict[str, tuple[tuple[str, ox.NamedNode], ...]],
    dict[str, tuple[ox.NamedNode, ...]],
    dict[str, tuple[ox.NamedNode, ...]],
    dict[str, tuple[ox.NamedNode, ...]],
]
T = TypeVar("T")


def per_schema(build: Callable[[Schema], T]) -> Callable[[Schema], T]:
    """``build`` made once per schema object (a Schema holds dicts, so it cannot be a cache key itself: it is kept
    by identity, with the schema, so that a new schema object never meets another's result)."""
    made: dict[int, tuple[Schema, T]] = {}

    def get(schema: Schema) -> T:
        hit = made.get(id(schema))
        if hit is None or hit[0] is not schema:
            hit = made[id(schema)] = (schema, build(schema))
        return hit[1]

    return get


@per_schema
def _nodes(schema: Schema) -> _Nodes:
    """``schema``'s maps with their IRIs as ready-made nodes (made once per schema, not once per inference):
    class -> its strict superclasses; property -> (IRI, node) of itself and its superproperties; property ->
    its domains, its ranges, its inverses."""

    def nodes(m: dict[str, frozenset[str]]) -> dict[str, tuple[ox.NamedNode, ...]]:
        return {k: tuple(ox.NamedNode(v) for v in sorted(vs)) for k, vs in m.items()}

    sup_c = {c: tuple(ox.NamedNode(d) for d in sorted(ds) if d != c) for c, ds in schema.superclasses.items()}
    sup_p = {p: tuple((q, ox.NamedNode(q)) for q in sorted(qs)) for p, qs in schema.superproperties.items()}
    return (sup_c, sup_p, nodes(schema.domain), nodes(schema.range), nodes(schema.inverse))


class GraphBase:
    """The ontology closure as a graph of a store holds it, as :func:`fast_closure` looks it up (``t in base``,
    the triples of the transitive properties), without a Python set of its triples: parsing the closure's 9,620
    triples into one cost about 11 ms of a one-city run, more than all the lookups of a small city. ``graph``
    must hold exactly :func:`ontology_closure` (``sscrdf.reasoning.store.knowledge_store`` loads it there)."""

    def __init__(self, store: ox.Store, graph: ox.NamedNode) -> None:
        self.store = store
        self.graph = graph

    def __contains__(self, t: object) -> bool:
        return isinstance(t, ox.Triple) and ox.Quad(t.subject, t.predicate, t.object, self.graph) in self.store

    def of_property(self, iri: str) -> Iterator[ox.Triple]:
        return (q.triple for q in self.store.quads_for_pattern(None, ox.NamedNode(iri), None, self.graph))


def _transitive_successors(
    base: frozenset[ox.Triple] | GraphBase, transitive: frozenset[str]
) -> dict[str, dict[_Term, set[_Term]]]:
    """property IRI -> subject -> objects, for the triples of ``base`` whose property is in ``transitive``."""
    if not isinstance(base, GraphBase):
        return _transitive_successors_of_set(base, transitive)
    out: dict[str, dict[_Term, set[_Term]]] = {}
    for iri in sorted(transitive):
        for t in base.of_property(iri):
            out.setdefault(iri, {}).setdefault(t.subject, set()).add(t.object)
    return out


@lru_cache(maxsize=4)
def _transitive_successors_of_set(
    base: frozenset[ox.Triple], transitive: frozenset[str]
) -> dict[str, dict[_Term, set[_Term]]]:
    out: dict[str, dict[_Term, set[_Term]]] = {}
    for t in base:
        if t.predicate.value in transitive:
            out.setdefault(t.predicate.value, {}).setdefault(t.subject, set()).add(t.object)
    return out


def ontology_schema() -> Schema:
    """The closed schema of the bundled ontology (parsed once per process)."""
    return _ontology_by_key(_ontology_key())[0]


def ontology_closure() -> frozenset[ox.Triple]:
    """The bundled ontology plus its own entailments under the fast reasoner (computed once per process)."""
    return _closure_by_key(_ontology_key())


def ontology_state() -> tuple[Schema, frozenset[ox.Triple]]:
    """:func:`ontology_schema` and :func:`ontology_closure` together, for a caller that hands them to many
    calls (one look at the ontology files instead of one per call: a batch of 40 cities made 121)."""
    key = _ontology_key()
    return _ontology_by_key(key)[0], _closure_by_key(key)


def ontology_disjoint() -> dict[str, frozenset[str]]:
    """class IRI -> the classes :func:`ontology_closure` declares disjoint with it (``owl:disjointWith``, both
    directions), kept in the cache entry so that a run does not parse the closure to find them."""
    return _ontology_by_key(_ontology_key())[2]


def ontology_closure_ntriples() -> bytes:
    """:func:`ontology_closure` as N-Triples (the cache entry's own bytes when it came from the cache), for
    pyoxigraph to load into a store itself (Store.load of these bytes took half the time of building the quads
    in Python and adding them). Valid N-Triples: pyoxigraph wrote them (and the cache entry's checksum says they
    are those bytes), so they can be loaded without checking them again (``lenient=True``)."""
    return _ontology_by_key(_ontology_key())[1]


def _ontology_key() -> tuple[tuple[object, int], ...]:
    """The ontology files and their modification times: a cheap key for the caches below (hashing the
    ontology's triples again on every call cost more than closing a small city)."""
    return tuple((m.path, m.path.stat().st_mtime_ns) for m in modules(include_vocab=True))


#: the sscrdf modules whose code decides what the cached closure holds (part of its cache key)
_CLOSURE_CODE = ("reasoning.closure", "knowledge.ontology", "cache")


_Disjoint = dict[str, frozenset[str]]


@lru_cache(maxsize=4)
def _ontology_by_key(
    _key: tuple[tuple[object, int], ...],
) -> tuple[Schema, bytes, _Disjoint, frozenset[ox.Triple] | None]:
    """The schema of the ontology, its closure as N-Triples, the closure's disjoint classes, and the closure
    itself when it was computed here (None when it came from the cache: :func:`_closure_by_key` parses it when
    asked). From the cache (sscrdf.cache) when it holds them for the same ontology files, else computed (and
    stored there). The entry is two files: the JSON one holds the schema, the disjoint classes and the SHA-256
    of the N-Triples file, so that a damaged closure (even one cut at a line end, which still parses) is never
    read."""
    key = cache.key("closure", [p for p, _ in _key if isinstance(p, Path)] + cache.source_files(*_CLOSURE_CODE))
    cached = _from_cache(key)
    if cached is not None:
        return (*cached, None)
    triples = tuple(ontology_triples())
    schema, closure = _schema_for(triples), _ontology_closure_for(triples)
    disjoint = _disjoint_of(closure)
    nt = ox.serialize(closure, format=ox.RdfFormat.N_TRIPLES) or b""
    cache.write_text(key, "nt", nt.decode("utf-8"))
    cache.write_json(
        key,
        {
            "schema": _schema_json(schema),
            "disjoint": {k: sorted(v) for k, v in sorted(disjoint.items())},
            "ntriples_sha256": hashlib.sha256(nt).hexdigest(),
        },
    )
    return schema, nt, disjoint, closure


@lru_cache(maxsize=4)
def _closure_by_key(_key: tuple[tuple[object, int], ...]) -> frozenset[ox.Triple]:
    _, nt, _, closure = _ontology_by_key(_key)
    if closure is not None:
        return closure
    # the bytes pyoxigraph wrote (the entry's checksum says so): read without checking them again
    return frozenset(q.triple for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES, lenient=True))


def _disjoint_of(closure: Iterable[ox.Triple]) -> _Disjoint:
    pairs: dict[str, set[str]] = {}
    for t in closure:
        if (
            t.predicate.value == _OWL + "disjointWith"
            and isinstance(t.subject, ox.NamedNode)
            and isinstance(t.object, ox.NamedNode)
        ):
            pairs.setdefault(t.subject.value, set()).add(t.object.value)
            pairs.setdefault(t.object.value, set()).add(t.subject.value)
    return {k: frozenset(v) for k, v in pairs.items()}


def _schema_json(schema: Schema) -> dict[str, object]:
    return {
        name: sorted(value) if isinstance(value, frozenset) else {k: sorted(v) for k, v in sorted(value.items())}
        for name, value in vars(schema).items()
    }


def _from_cache(key: str | None) -> tuple[Schema, bytes, _Disjoint] | None:
    """The cached schema, closure (its N-Triples) and disjoint classes, or None (no entry, or a damaged one: the
    caller rebuilds them)."""
    data, nt = cache.read_json(key), cache.read_bytes(key, "nt")
    if not isinstance(data, dict) or nt is None or data.get("ntriples_sha256") != hashlib.sha256(nt).hexdigest():
        return None
    try:
        fields: dict[str, object] = {}
        for name, value in dict(data["schema"]).items():
            if isinstance(value, list):
                fields[name] = frozenset(str(v) for v in value)
            else:
                fields[name] = {str(k): frozenset(str(x) for x in v) for k, v in dict(value).items()}
        schema = Schema(**fields)  # type: ignore[arg-type]  # checked by the field names and types above
        disjoint = {str(k): frozenset(str(x) for x in v) for k, v in dict(data["disjoint"]).items()}
    except Exception:  # a damaged entry, whatever its damage: rebuild it (the cache is only an optimisation)
        return None
    return schema, nt, disjoint


@lru_cache(maxsize=4)
def _schema_for(triples: tuple[ox.Triple, ...]) -> Schema:
    return Schema.from_triples(triples)


@lru_cache(maxsize=4)
def _ontology_closure_for(triples: tuple[ox.Triple, ...]) -> frozenset[ox.Triple]:
    schema = _schema_for(triples)
    # scm-sco / scm-spo: the schema's own subclass and subproperty hierarchies, closed transitively
    sco, spo = ox.NamedNode(_RDFS + "subClassOf"), ox.NamedNode(_RDFS + "subPropertyOf")
    hier = {ox.Triple(ox.NamedNode(c), sco, ox.NamedNode(d)) for c, ds in schema.superclasses.items() for d in ds}
    hier |= {ox.Triple(ox.NamedNode(p), spo, ox.NamedNode(q)) for p, qs in schema.superproperties.items() for q in qs}
    return frozenset(triples) | frozenset(fast_closure(triples, schema)) | frozenset(hier)


def entail(
    data_triples: Iterable[ox.Triple],
    reasoner: str = "fast",
    *,
    full: bool = True,
    ontology: tuple[Schema, frozenset[ox.Triple] | GraphBase] | None = None,
) -> tuple[AbstractSet[ox.Triple], set[ox.Triple]]:
    """The ontology-plus-data graph a check runs on, as (all triples, inferred-only triples).

    ``reasoner`` is ``fast`` (sscrdf's schema-driven OWL 2 RL subset; the default) or ``owlrl`` (the
    complete reference). Inferred-only excludes the ontology's own triples and the data as given. With
    ``full=False`` the first element is empty (for callers that only need the inferred triples).
    ``ontology``: :func:`ontology_state` when the caller already has it."""
    data = set(data_triples)
    base_schema, given = ontology_state() if ontology is None else ontology
    # a GraphBase serves the fast reasoner's lookups; the rest needs the closure as a set
    onto = ontology_closure() if isinstance(given, GraphBase) and (reasoner != "fast" or full) else given
    if reasoner == "owlrl":
        assert isinstance(onto, frozenset)
        from rdflib import Literal  # heavy: only the reference reasoner needs it

        closed = owlrl_closure(triples_to_graph(list(onto | data)))
        everything = {
            to_ox_triple(s, p, o)
            for s, p, o in closed
            if not isinstance(s, Literal) and not _is_owlrl_noise(s, p, o, closed)
        }
        return everything, everything - data - onto
    if reasoner != "fast":
        raise ValueError(f"unknown reasoner {reasoner!r}; expected 'fast' or 'owlrl'")
    schema = base_schema
    extra = [
        t
        for t in data
        if t.predicate.value in SUPPORTED_AXIOMS
        or (t.predicate == TYPE and isinstance(t.object, ox.NamedNode) and t.object.value in SUPPORTED_PROPERTY_TYPES)
    ]
    if extra:  # the data brings schema axioms of its own: close them together with the ontology's
        schema = Schema.from_triples(list(ontology_triples()) + extra)
    if not extra:
        inferred = fast_closure(data, schema, base=onto)
    else:
        closure = ontology_closure() if isinstance(onto, GraphBase) else onto
        inferred = fast_closure(closure | data, schema) - closure
    if full:
        assert isinstance(onto, frozenset)
        return onto | data | inferred, inferred - data
    return set(), inferred - data


def _is_owlrl_noise(s: Node, p: Node, o: Node, g: Graph) -> bool:
    from rdflib import BNode, URIRef  # heavy, and loaded already: ``g`` is an rdflib graph

    if p == OWL.sameAs and s == o:
        return True
    return isinstance(s, BNode) and (s, RDF.type, URIRef(ERRNS + "ErrorMessage")) in g
