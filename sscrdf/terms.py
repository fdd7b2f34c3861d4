"""RDF terms without an RDF library: what a validation result (:class:`sscrdf.shacl.results.Result`) holds.

They behave as rdflib's terms do where sscrdf's code and reports use them: each is a ``str`` whose text is the
IRI, the blank node label or the literal's lexical form (``str(term)``), with ``n3()`` and, for a literal,
``language`` and ``datatype``. They exist so that the commands which need no rdflib (README, "Conventions the
tests enforce") do not import it; :func:`sscrdf.convert.to_rdflib_term` and ``from_rdflib_term`` convert where
rdflib is used (pySHACL, the RDF report).
"""

from __future__ import annotations

import pyoxigraph as ox


class IRI(str):
    """An IRI (rdflib: URIRef)."""

    __slots__ = ()

    def n3(self) -> str:
        return f"<{self}>"

    def __repr__(self) -> str:  # as rdflib writes its terms, so that sorting by repr keeps its order
        return f"rdflib.term.URIRef({str.__repr__(self)})"


class BNode(str):
    """A blank node, by its label (rdflib: BNode)."""

    __slots__ = ()

    def n3(self) -> str:
        return f"_:{self}"

    def __repr__(self) -> str:
        return f"rdflib.term.BNode({str.__repr__(self)})"


class Literal(str):
    """A literal: its lexical form, language tag or datatype IRI (None when neither was given)."""

    language: str | None
    datatype: IRI | None

    def __new__(cls, lexical: str, lang: str | None = None, datatype: str | None = None) -> Literal:
        self = super().__new__(cls, lexical)
        self.language = lang or None
        self.datatype = IRI(datatype) if datatype and not lang else None
        return self

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Literal):
            return False
        return str.__eq__(self, other) and self.language == other.language and self.datatype == other.datatype

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash((str(self), self.language, self.datatype))

    def __reduce__(self) -> tuple[object, ...]:  # pickled between worker processes
        return (Literal, (str(self), self.language, self.datatype))

    def n3(self) -> str:
        text = '"' + str(self).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'
        if self.language:
            return f"{text}@{self.language}"
        return f"{text}^^<{self.datatype}>" if self.datatype else text

    def __repr__(self) -> str:
        extra = f", lang={self.language!r}" if self.language else ""
        if self.datatype:
            extra += f", datatype={self.datatype!r}"
        return f"rdflib.term.Literal({str.__repr__(self)}{extra})"


#: one term of a validation result
Term = IRI | BNode | Literal


def from_ox(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Term:
    """One pyoxigraph term as a term of this module (TypeError for an RDF-star triple)."""
    if isinstance(term, ox.NamedNode):
        return IRI(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        return Literal(term.value, datatype=term.datatype.value)
    raise TypeError(f"cannot convert {term!r} (RDF-star triples are not supported)")


def to_ox(term: Term) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """One term of this module as the equal pyoxigraph term."""
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(term.datatype))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))


__all__ = ["IRI", "BNode", "Literal", "Term", "from_ox", "to_ox"]
