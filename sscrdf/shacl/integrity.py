"""Integrity checks of city data that SHACL over the entailed graph cannot make, each a Violation with its clause:

- ``StakeholderIsIRIShape``: the object of ``ssc:hasStakeholder`` is an IRI (a literal or blank node cannot be
  identified, reached or engaged; Y Suppl. 34, clause 3.1);
- ``NoOntologyRedefinitionShape``: city data does not state schema axioms (``rdfs:subClassOf``, ``rdfs:domain``,
  ``owl:equivalentClass``, ...) about ``ssc:`` terms: the categories and their meaning are fixed by the
  Supplement (Y Suppl. 34, clause 3.2), and rewiring them would silently change every check;
- ``DisjointClassesShape``: no individual belongs to two classes the ontology declares disjoint
  (``owl:disjointWith``, after subclass, domain and range entailment; OWL 2 RL rule cax-dw).

The checks read the city's *asserted* triples (the ontology is known separately), so they work the same with
either reasoner and either SHACL engine. The shape IRIs are in the ``sscsh:`` namespace; they are reported like
SHACL results.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pyoxigraph as ox

from ..namespaces import OWL, RDF, RDFS, SH, SSC, SSCSH
from ..reasoning.closure import (
    SUPPORTED_AXIOMS,
    Schema,
    ontology_closure,
    ontology_disjoint,
    ontology_schema,
    per_schema,
)
from ..terms import IRI, from_ox
from .results import Result

_RDF = str(RDF)
_RDFS = str(RDFS)
_OWL = str(OWL)
_TYPE = _RDF + "type"
_Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
_HAS_STAKEHOLDER = str(SSC) + "hasStakeholder"
#: predicates that state schema axioms; with an ssc: subject in city data they redefine the ontology
SCHEMA_PREDICATES = SUPPORTED_AXIOMS | frozenset(
    {
        _OWL + "propertyDisjointWith",
        _OWL + "unionOf",
        _OWL + "intersectionOf",
        _OWL + "complementOf",
        _OWL + "oneOf",
        _OWL + "sameAs",
        _OWL + "propertyChainAxiom",
        _OWL + "hasKey",
        _OWL + "disjointUnionOf",
    }
)  # the axioms the fast reasoner reads, and the rest of OWL's class and property axioms
#: rdf:type objects that declare a term (a class or property) rather than type an individual
SCHEMA_TYPES = frozenset(
    {
        _OWL + "Class",
        _RDFS + "Class",
        _RDF + "Property",
        _OWL + "ObjectProperty",
        _OWL + "DatatypeProperty",
        _OWL + "AnnotationProperty",
        _OWL + "TransitiveProperty",
        _OWL + "SymmetricProperty",
        _OWL + "FunctionalProperty",
        _OWL + "InverseFunctionalProperty",
        _OWL + "Restriction",
    }
)


def _label(iri: str) -> str:
    return _labels(ontology_closure()).get(iri, iri.rsplit("#", 1)[-1])


@lru_cache(maxsize=1)
def _labels(closure: frozenset[ox.Triple]) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in closure:
        if (
            t.predicate.value == _RDFS + "label"
            and isinstance(t.object, ox.Literal)
            and t.object.language in (None, "en")
            and isinstance(t.subject, ox.NamedNode)
        ):
            out.setdefault(t.subject.value, t.object.value)
    return out


def _redefinition(subject: ox.NamedNode, p: str, value: _Term) -> Result:
    return _violation(
        "NoOntologyRedefinitionShape",
        subject,
        p,
        value,
        f"City data must not redefine the ontology term {_label(subject.value)} (it states "
        f"{p.rsplit('#', 1)[-1]} about it); define your own term in your own namespace instead.",
        "Y Suppl. 34, clause 3.2",
        "SPARQLConstraintComponent",
    )


def _violation(
    shape: str, focus: _Term, path: str | None, value: _Term | None, message: str, source: str, component: str
) -> Result:
    return Result(
        focus=from_ox(focus),
        shape=IRI(str(SSCSH) + shape),
        severity=IRI(f"{SH}Violation"),
        component=IRI(str(SH) + component),
        path=IRI(path) if path else None,
        value=from_ox(value) if value is not None else None,
        message=message,
        source=source,
    )


_ClassMap = dict[str, frozenset[str]]


@per_schema
def _typing(schema: Schema) -> tuple[_ClassMap, _ClassMap, _ClassMap, _ClassMap]:
    """(class -> its superclasses, predicate -> the superclasses of its domains, predicate -> those of its ranges,
    class -> the classes the ontology declares disjoint with it), the first three kept to the classes some
    disjointness axiom names (no other class can clash) and to non-empty sets: most triples then need no work at
    all. Made once per schema, so a batch of cities looks at the ontology files once, not once a city."""
    disjoint = ontology_disjoint()
    keys = frozenset(disjoint)

    def close(classes: Iterable[str]) -> frozenset[str]:
        out: set[str] = set()
        for c in classes:
            out |= schema.superclasses.get(c, {c})
        return frozenset(out & keys)

    by_class = {c: close([c]) for c in schema.superclasses}
    domain = {p: close(cs) for p, cs in schema.domain.items()}
    rng = {p: close(cs) for p, cs in schema.range.items()}
    return (
        {c: v for c, v in by_class.items() if v},
        {p: v for p, v in domain.items() if v},
        {p: v for p, v in rng.items() if v},
        disjoint,
    )


def integrity_results(triples: Iterable[ox.Triple], schema: Schema | None = None) -> list[Result]:
    """The integrity Violations of one city's asserted ``triples`` (see the module docstring), sorted.
    ``schema``: :func:`~sscrdf.reasoning.closure.ontology_schema` when the caller already has it."""
    by_class, by_domain, by_range, disjoint = _typing(ontology_schema() if schema is None else schema)
    ssc = str(SSC)
    out: list[Result] = []
    types: dict[_Term, set[str]] = {}
    for t in triples:
        predicate = t.predicate
        p = predicate.value
        subject = t.subject
        if p == _HAS_STAKEHOLDER and not isinstance(t.object, ox.NamedNode):
            kind = "a text value" if isinstance(t.object, ox.Literal) else "a blank node"
            out.append(
                _violation(
                    "StakeholderIsIRIShape",
                    subject,
                    p,
                    t.object,
                    f"A stakeholder in the register must be identified by an IRI, not by {kind}; give the "
                    "stakeholder its own IRI and describe it there.",
                    "Y Suppl. 34, clause 3.1",
                    "NodeKindConstraintComponent",
                )
            )
        if p == _TYPE:
            obj = t.object
            if isinstance(obj, ox.NamedNode):
                cls = obj.value
                if cls in SCHEMA_TYPES and isinstance(subject, ox.NamedNode) and subject.value.startswith(ssc):
                    out.append(_redefinition(subject, p, obj))
                of_class = by_class.get(cls)
                if of_class:
                    types.setdefault(subject, set()).update(of_class)
            continue
        if p in SCHEMA_PREDICATES and isinstance(subject, ox.NamedNode) and subject.value.startswith(ssc):
            out.append(_redefinition(subject, p, t.object))
        of_domain = by_domain.get(p)
        if of_domain:
            types.setdefault(subject, set()).update(of_domain)
        of_range = by_range.get(p)
        if of_range and not isinstance(t.object, ox.Literal):
            types.setdefault(t.object, set()).update(of_range)
    for node, classes in types.items():
        for a in sorted(classes):
            clash = sorted(b for b in disjoint.get(a, ()) if b in classes and a < b)
            for b in clash:
                out.append(
                    _violation(
                        "DisjointClassesShape",
                        node,
                        _TYPE,
                        ox.NamedNode(b),
                        f"This individual is both {_label(a)} and {_label(b)}, which the ontology declares "
                        "disjoint: nothing can be both; keep the one type that is right.",
                        "Y Suppl. 34, clause 3.2; OWL 2 RL rule cax-dw",
                        "ClassConstraintComponent",
                    )
                )
    return sorted(set(out), key=lambda r: (str(r.focus), str(r.shape), str(r.value)))
