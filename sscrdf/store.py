"""Building the working store a command queries: ontology + the user's data + their entailments.

The user's store is never changed: a new pyoxigraph store is filled with
- the ontology (with its own closure) in the graph ``ONTOLOGY_GRAPH``,
- the user's quads, in the graphs they came in,
- the OWL 2 RL entailments of each city, in an ``inferred`` graph of its own (see ``inferred_graph``),
so that asserted and inferred facts stay apart and queries over the union see everything.
"""
from __future__ import annotations

from urllib.parse import quote

import pyoxigraph as ox

from .namespaces import INFERRED_GRAPH

ONTOLOGY_GRAPH = ox.NamedNode("https://w3id.org/sscrdf/graph/ontology")


def inferred_graph(graph: str | None) -> ox.NamedNode:
    """The graph holding the entailments of the city in ``graph`` (None: the default graph)."""
    if graph is None:
        return ox.NamedNode(INFERRED_GRAPH)
    return ox.NamedNode(f"{INFERRED_GRAPH}?graph={quote(graph, safe='')}")


def is_inferred_graph(graph_name) -> bool:
    """True for the graphs ``knowledge_store`` puts entailments in."""
    return isinstance(graph_name, ox.NamedNode) and graph_name.value.startswith(INFERRED_GRAPH)


def _gn(graph: str | None):
    return ox.DefaultGraph() if graph is None else ox.NamedNode(graph)


def knowledge_store(data: ox.Store, *, reasoner: str = "fast", with_ontology: bool = True) -> ox.Store:
    """A new store: ontology + ``data`` + entailments, city by city (one named graph each)."""
    from .reason import entail, ontology_closure
    from .validate import split_by_graph

    out = ox.Store()
    if with_ontology:
        out.extend(ox.Quad(t.subject, t.predicate, t.object, ONTOLOGY_GRAPH) for t in ontology_closure())
    for graph, triples in split_by_graph(data):
        _, inferred = entail(triples, reasoner, full=False)
        gn, ig = _gn(graph), inferred_graph(graph)
        out.extend(ox.Quad(t.subject, t.predicate, t.object, gn) for t in triples)
        out.extend(ox.Quad(t.subject, t.predicate, t.object, ig) for t in inferred)
    return out


def graph_of(store: ox.Store, node) -> str | None:
    """The city graph a node belongs to: the graph of a triple about it (as subject, else as object), with
    inferred graphs mapped back to their city graph. None for the default graph."""
    from urllib.parse import unquote

    from .convert import to_ox_term

    term = to_ox_term(node) if not isinstance(node, (ox.NamedNode, ox.BlankNode, ox.Literal)) else node
    patterns = [(term, None, None, None)] if not isinstance(term, ox.Literal) else []
    patterns.append((None, None, term, None))
    for s, p, o, g in patterns:
        for q in store.quads_for_pattern(s, p, o, g):
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
