"""Conversion between pyoxigraph terms/quads (the fast store) and rdflib terms/graphs (the reference tools).

pyoxigraph parses and queries; rdflib, owlrl and pySHACL are the reference implementations. These helpers
move data between them without touching the source object.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node


def to_rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Node:
    """One pyoxigraph term as the equal rdflib term."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=URIRef(term.datatype.value))
    raise TypeError(f"cannot convert {term!r} (RDF-star triples are not supported)")


def to_ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """One rdflib term as the equal pyoxigraph term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"cannot convert {term!r}")


def to_ox_triple(s: Node, p: Node, o: Node) -> ox.Triple:
    """One rdflib triple as the equal pyoxigraph triple (TypeError for a literal subject or a non-IRI predicate)."""
    subject, predicate = to_ox_term(s), to_ox_term(p)
    if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
        raise TypeError(f"cannot convert the triple {s!r} {p!r} {o!r} (literal subject or non-IRI predicate)")
    return ox.Triple(subject, predicate, to_ox_term(o))


def triples_to_graph(triples: Iterable[ox.Triple | ox.Quad], graph: Graph | None = None) -> Graph:
    """A new rdflib Graph (or ``graph``, which the caller owns) holding ``triples``; graph names are dropped."""
    g = graph if graph is not None else Graph()
    g.addN((to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object), g) for t in triples)
    return g


def store_to_dataset(store: ox.Store) -> Dataset:
    """A new rdflib Dataset with every quad of ``store`` (default graph and named graphs)."""
    ds = Dataset()
    for q in store:
        name = q.graph_name
        if isinstance(name, ox.DefaultGraph):
            ctx = ds.default_context
        else:
            ctx = ds.graph(URIRef(name.value) if isinstance(name, ox.NamedNode) else BNode(name.value))
        ctx.add((to_rdflib_term(q.subject), to_rdflib_term(q.predicate), to_rdflib_term(q.object)))
    return ds


def graph_to_quads(graph: Graph, graph_name: ox.NamedNode | ox.DefaultGraph | None = None) -> Iterator[ox.Quad]:
    """The triples of an rdflib graph as pyoxigraph quads in ``graph_name`` (default graph when None)."""
    gn = graph_name if graph_name is not None else ox.DefaultGraph()
    for s, p, o in graph:
        subject, predicate = to_ox_term(s), to_ox_term(p)
        if isinstance(subject, ox.Literal) or not isinstance(predicate, ox.NamedNode):
            raise TypeError(f"cannot convert the triple {s!r} {p!r} {o!r} (literal subject or non-IRI predicate)")
        yield ox.Quad(subject, predicate, to_ox_term(o), gn)


#: one rdflib term as JSON (for the cache, :mod:`sscrdf.cache`): ``"<iri>"``, ``"_:id"`` or a literal as
#: ``[lexical form, language or null, datatype IRI or null]``
JsonTerm = str | list[str | None]


def term_to_json(term: Node) -> JsonTerm:
    """``term`` as JSON (see ``JsonTerm``); the blank node keeps its label."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        return [str(term), term.language, str(term.datatype) if term.datatype is not None else None]
    raise TypeError(f"cannot convert {term!r}")


def term_from_json(value: object) -> Node:
    """The term ``term_to_json`` wrote; ValueError for anything else (a damaged cache entry)."""
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        return URIRef(value[1:-1])
    if isinstance(value, str) and value.startswith("_:"):
        return BNode(value[2:])
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        lang, dt = value[1], value[2]
        if not (lang is None or isinstance(lang, str)) or not (dt is None or isinstance(dt, str)):
            raise ValueError(f"not a cached literal: {value!r}")
        return Literal(value[0], lang=lang, datatype=URIRef(dt) if dt is not None and not lang else None)
    raise ValueError(f"not a cached term: {value!r}")
