"""Building the working store a command queries: ontology + the user's data + their entailments.

The user's store is never changed: a new pyoxigraph store is filled with
- the ontology (with its own closure) in the graph ``ONTOLOGY_GRAPH``,
- the user's quads, in the graphs they came in,
- the OWL 2 RL entailments of each city, in an ``inferred`` graph of its own (see ``inferred_graph``),
so that asserted and inferred facts stay apart and queries over the union see everything.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

import pyoxigraph as ox

from ..convert import to_ox_term
from ..namespaces import DERIVED_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH as _ONTOLOGY_GRAPH
from .closure import (
    GraphBase,
    Schema,
    entail,
    ontology_closure,
    ontology_closure_ntriples,
    ontology_schema,
    ontology_state,
)

if TYPE_CHECKING:
    from rdflib.term import Node

    from ..terms import Term

ONTOLOGY_GRAPH = ox.NamedNode(_ONTOLOGY_GRAPH)
#: what is processed separately: a graph (its IRI, None for the default graph) and its triples
Unit = tuple[str | None, list[ox.Triple]]


def inferred_graph(graph: str | None) -> ox.NamedNode:
    """The graph holding the entailments of the city in ``graph`` (None: the default graph)."""
    if graph is None:
        return ox.NamedNode(INFERRED_GRAPH)
    return ox.NamedNode(f"{INFERRED_GRAPH}?graph={quote(graph, safe='')}")


def derived_graph(graph: str | None) -> ox.NamedNode:
    """The graph ``sscrdf push`` writes what the rules derived for the city in ``graph`` to (None: the shared
    derived graph of ``sscrdf.rules.engine``)."""
    if graph is None:
        return ox.NamedNode(DERIVED_GRAPH)
    return ox.NamedNode(f"{DERIVED_GRAPH}?graph={quote(graph, safe='')}")


def split_by_graph(store: ox.Store) -> list[Unit]:
    """The units processed separately: each named graph (a city each), and the default graph if not empty,
    as (graph IRI or None, its triples). Default-graph triples of a dataset that also has named graphs are
    a unit of their own."""
    units: list[Unit] = []
    default = [q.triple for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())]
    if default:
        units.append((None, default))
    for g in sorted(store.named_graphs(), key=lambda n: n.value if hasattr(n, "value") else str(n)):
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, g)]
        if triples:
            units.append((g.value if isinstance(g, ox.NamedNode) else str(g), triples))
    return units


def is_inferred_graph(graph_name: ox.NamedNode | ox.BlankNode | ox.DefaultGraph) -> bool:
    """True for the graphs ``knowledge_store`` puts entailments in."""
    return isinstance(graph_name, ox.NamedNode) and graph_name.value.startswith(INFERRED_GRAPH)


#: up to this many city graphs, the reasoner reads the ontology from the store's graph (GraphBase); beyond it,
#: from the closure as a Python set, parsed once per process (measured on Riverton: 11 ms to parse the set, 3 ms
#: more per city for the lookups in the store)
_SMALL = 2


def knowledge_store(
    data: ox.Store, *, reasoner: str = "fast", with_ontology: bool = True, units: list[Unit] | None = None
) -> ox.Store:
    """A new store: ontology + ``data`` + entailments, city by city (one named graph each).

    ``units`` is ``split_by_graph(data)`` when the caller already has it (it must be that: the data's quads are
    copied from ``data`` itself)."""
    out = ox.Store()
    if with_ontology:
        _add_ontology(out)
    out.extend(data)  # the data's quads as they are (making new quad objects from the units cost more)
    units = split_by_graph(data) if units is None else units
    ontology: tuple[Schema, frozenset[ox.Triple] | GraphBase]
    if (
        with_ontology
        and len(units) <= _SMALL
        and next(data.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH), None) is None
    ):
        # the reasoner looks the ontology's triples up in the store's ontology graph, which holds exactly them:
        # parsing them into a Python set (once per process) cost more than a city or two's lookups there
        ontology = (ontology_schema(), GraphBase(out, ONTOLOGY_GRAPH))
    else:
        ontology = ontology_state()
    for graph, triples in units:
        _, inferred = entail(triples, reasoner, full=False, ontology=ontology)
        ig = inferred_graph(graph)
        out.extend(ox.Quad(t.subject, t.predicate, t.object, ig) for t in inferred)
    return out


def _add_ontology(store: ox.Store) -> None:
    """Add the ontology closure to ``store`` (a new store this module built), in ``ONTOLOGY_GRAPH``: pyoxigraph
    loads its N-Triples (which pyoxigraph wrote, so they are loaded without checking them again); a closure with
    blank nodes is added as quads instead, since Store.load would rename them and the ontology's triples in the
    store must be those of :func:`ontology_closure`."""
    nt = ontology_closure_ntriples()
    if b"_:" in nt:  # perhaps a blank node (or just text that reads so in a literal): the safe way
        store.extend(_ontology_quads(ontology_closure()))
    else:
        store.load(nt, format=ox.RdfFormat.N_TRIPLES, to_graph=ONTOLOGY_GRAPH, lenient=True)


@lru_cache(maxsize=4)
def _ontology_quads(closure: frozenset[ox.Triple]) -> tuple[ox.Quad, ...]:
    """The ontology closure as quads of the ontology graph, made once per closure (making the 9,620 quad objects
    took half the time of a small city's knowledge store)."""
    return tuple(ox.Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH) for t in closure)


def graph_of(store: ox.Store, node: Node | Term | ox.NamedNode | ox.BlankNode | ox.Literal) -> str | None:
    """The city graph a node belongs to: the graph of a triple about it (as subject, else as object), with
    inferred graphs mapped back to their city graph. None for the default graph."""

    term = to_ox_term(node) if not isinstance(node, (ox.NamedNode, ox.BlankNode, ox.Literal)) else node
    as_subject: Iterator[ox.Quad] = (
        iter(()) if isinstance(term, ox.Literal) else store.quads_for_pattern(term, None, None, None)
    )
    for q in itertools.chain(as_subject, store.quads_for_pattern(None, None, term, None)):
        gn = q.graph_name
        if gn == ONTOLOGY_GRAPH:
            continue
        if isinstance(gn, ox.DefaultGraph):
            return None
        if gn.value.startswith(INFERRED_GRAPH):
            _, _, rest = gn.value.partition("?graph=")
            return unquote(rest) if rest else None
        return gn.value
    return None
