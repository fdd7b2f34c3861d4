"""Conversion between pyoxigraph terms/quads (the fast store), rdflib terms/graphs (the reference tools) and
sscrdf's own terms (:mod:`sscrdf.terms`, what validation results hold).

pyoxigraph parses and queries; rdflib, owlrl and pySHACL are the reference implementations. These helpers
move data between them without touching the source object. rdflib is imported by the helpers that make or
read rdflib objects, when they are called: the commands that need no rdflib do not load it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import pyoxigraph as ox

from . import terms

if TYPE_CHECKING:
    from rdflib import Dataset, Graph
    from rdflib.term import Node


def to_rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | terms.Term) -> Node:
    """One pyoxigraph term, or a term of :mod:`sscrdf.terms`, as the equal rdflib term."""
    from rdflib import BNode, Literal, URIRef  # heavy: only the reference engines and the RDF report need it

    if isinstance(term, terms.Literal):
        return Literal(str(term), lang=term.language, datatype=URIRef(term.datatype) if term.datatype else None)
    if isinstance(term, terms.BNode):
        return BNode(str(term))
    if isinstance(term, terms.IRI):
        return URIRef(str(term))
    return to_rdflib_term(terms.from_ox(term))  # a pyoxigraph term (TypeError for an RDF-star triple)


def to_ox_term(term: Node | terms.Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """One rdflib term, or a term of :mod:`sscrdf.terms`, as the equal pyoxigraph term."""
    if isinstance(term, (terms.IRI, terms.BNode, terms.Literal)):
        return terms.to_ox(term)
    from rdflib import BNode, Literal, URIRef  # an rdflib term was given, so rdflib is loaded already

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


def from_rdflib_term(term: Node) -> terms.Term:
    """One rdflib term as a term of :mod:`sscrdf.terms` (TypeError for a variable or a graph)."""
    from rdflib import BNode, Literal, URIRef  # an rdflib term was given, so rdflib is loaded already

    if isinstance(term, URIRef):
        return terms.IRI(str(term))
    if isinstance(term, BNode):
        return terms.BNode(str(term))
    if isinstance(term, Literal):
        return terms.Literal(str(term), term.language, str(term.datatype) if term.datatype is not None else None)
    raise TypeError(f"cannot convert {term!r}")


def triples_to_graph(triples: Iterable[ox.Triple | ox.Quad], graph: Graph | None = None) -> Graph:
    """A new rdflib Graph (or ``graph``, which the caller owns) holding ``triples``; graph names are dropped."""
    from rdflib import Graph  # heavy: only the reference engines need rdflib graphs

    g = graph if graph is not None else Graph()
    g.addN((to_rdflib_term(t.subject), to_rdflib_term(t.predicate), to_rdflib_term(t.object), g) for t in triples)
    return g


def store_to_dataset(store: ox.Store) -> Dataset:
    """A new rdflib Dataset with every quad of ``store`` (default graph and named graphs)."""
    from rdflib import BNode, Dataset, URIRef  # heavy: only the reference engines need rdflib graphs

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


#: one term as JSON (for the cache, :mod:`sscrdf.cache`): ``"<iri>"``, ``"_:id"`` or a literal as
#: ``[lexical form, language or null, datatype IRI or null]``
JsonTerm = str | list[str | None]


def term_to_json(term: Node | terms.Term) -> JsonTerm:
    """``term`` (rdflib's or :mod:`sscrdf.terms`') as JSON (see ``JsonTerm``); a blank node keeps its label."""
    t = term if isinstance(term, (terms.IRI, terms.BNode, terms.Literal)) else from_rdflib_term(term)
    if isinstance(t, terms.Literal):
        return [str(t), t.language, t.datatype]
    return f"_:{t}" if isinstance(t, terms.BNode) else f"<{t}>"


def term_from_json(value: object) -> terms.Term:
    """The term (of :mod:`sscrdf.terms`) ``term_to_json`` wrote; ValueError for anything else (a damaged cache
    entry)."""
    if isinstance(value, str) and value.startswith("<") and value.endswith(">"):
        return terms.IRI(value[1:-1])
    if isinstance(value, str) and value.startswith("_:"):
        return terms.BNode(value[2:])
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        lang, dt = value[1], value[2]
        if not (lang is None or isinstance(lang, str)) or not (dt is None or isinstance(dt, str)):
            raise ValueError(f"not a cached literal: {value!r}")
        return terms.Literal(value[0], lang, dt)
    raise ValueError(f"not a cached term: {value!r}")
