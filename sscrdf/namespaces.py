"""The IRIs of the public contract (the namespaces and graph names listed in the README, "The data model") and of
the reused W3C vocabularies."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from .terms import Literal as _Literal

if TYPE_CHECKING:
    from rdflib.term import URIRef


#: the rdflib namespace behind each Namespace, made on first use
_RDFLIB: dict[str, Any] = {}
#: the W3C namespaces rdflib defines as closed (their terms are checked)
_CLOSED = ("DCTERMS", "OWL", "PROV", "RDF", "RDFS", "SH", "SKOS", "XSD")


class Namespace(str):
    """A namespace IRI (``str(SSC)`` is the IRI) whose terms are rdflib's: ``SSC.City``, ``SSC["City"]`` and
    ``SSC.term("City")`` give the URIRef, as rdflib's namespaces do (the W3C ones, closed in rdflib, refuse
    names they do not define). rdflib is imported on the first such use, so that code which needs only the IRI
    strings (``SSC + "City"``, ``f"{SSC}City"``) runs without it (README, "Conventions the tests enforce")."""

    __slots__ = ()

    def _rdflib(self) -> Any:
        ns = _RDFLIB.get(str(self))
        if ns is None:
            import rdflib.namespace  # heavy: loaded only when a term is asked for as an rdflib term

            closed = {str(n): n for n in (getattr(rdflib.namespace, name) for name in _CLOSED)}
            ns = _RDFLIB[str(self)] = closed.get(str(self)) or rdflib.namespace.Namespace(str(self))
        return ns

    def term(self, name: str) -> URIRef:
        return self._rdflib()[name]  # type: ignore[no-any-return]

    def __getitem__(self, name: str) -> URIRef:  # type: ignore[override]
        return self._rdflib()[name]  # type: ignore[no-any-return]

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):  # copy, pickle and the like ask for dunder attributes: not terms
            raise AttributeError(name)
        return getattr(self._rdflib(), name)  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"Namespace({str.__repr__(self)})"


SSC = Namespace("https://w3id.org/sscrdf/ontology#")
SSCSH = Namespace("https://w3id.org/sscrdf/shapes#")
SSCR = Namespace("https://w3id.org/sscrdf/rules#")
ORG = Namespace("http://www.w3.org/ns/org#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
PROV = Namespace("http://www.w3.org/ns/prov#")
RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
ONTOLOGY_IRI = "https://w3id.org/sscrdf/ontology"
#: graph name under which inferred triples are kept apart from asserted ones
INFERRED_GRAPH = "https://w3id.org/sscrdf/graph/inferred"
#: graph name of the triples the rules derive (findings, plans, strategies); per city: ``…/derived?graph=<G>``
DERIVED_GRAPH = "https://w3id.org/sscrdf/graph/derived"
#: graph name of the ontology in the knowledge store and in what `push` uploads
ONTOLOGY_GRAPH = "https://w3id.org/sscrdf/graph/ontology"
#: the namespace finding rules mint their IRIs in (``IRI(CONCAT(FINDING_NS, SHA1(...)))``)
FINDING_NS = "https://w3id.org/sscrdf/finding/"
#: the JSON schemas of the validation and analysis reports
VALIDATION_SCHEMA = "https://w3id.org/sscrdf/schema/validation/1"
ANALYSIS_SCHEMA = "https://w3id.org/sscrdf/schema/analysis/2"
#: W3C namespaces the SPARQL endpoint answers in: the service description, the format IRIs, the XML results
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
SPARQL_RESULTS = "http://www.w3.org/2005/sparql-results#"
#: the IRIs sscrdf makes up for itself: the default base of a register's ids (``urn:sscrdf:<file>:``), the
#: default city of a CSV register, the node the rules' as-of date hangs off
LOCAL = "urn:sscrdf:"
#: a namespace owlrl adds axioms about (DAML agent ontology); its closure drops them as noise
DAML_AGENT = "http://www.daml.org/2002/03/agents/agent-ont#"

PREFIXES = {
    "ssc": SSC,
    "sscsh": SSCSH,
    "sscr": SSCR,
    "org": ORG,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "sh": SH,
}


def expand(name: str) -> str:
    """The IRI of a prefixed name with one of PREFIXES (``ssc:City``); anything else is returned as it is."""
    prefix, sep, local = name.partition(":")
    return str(PREFIXES[prefix]) + local if sep and prefix in PREFIXES else name


def short(term: object, *, angle: bool = False) -> str:
    """The one compact form of an IRI sscrdf shows people: a prefixed name where one of PREFIXES fits
    (``ssc:Municipality``, ``sh:Violation``), else the IRI itself (in angle brackets with ``angle=True``, as
    messages write it). A literal is shown as its text; None as ""."""
    if term is None:
        return ""
    rdflib = sys.modules.get("rdflib")  # an rdflib Literal can only exist once rdflib is loaded
    if rdflib is not None and isinstance(term, rdflib.Literal):
        return str(term)
    if isinstance(term, _Literal):
        return str(term)
    s = str(term)
    for prefix, ns in PREFIXES.items():
        if s.startswith(str(ns)) and len(s) > len(str(ns)):
            return f"{prefix}:{s[len(str(ns)) :]}"
    return f"<{s}>" if angle else s


__all__ = [
    "ANALYSIS_SCHEMA",
    "DAML_AGENT",
    "DCTERMS",
    "DERIVED_GRAPH",
    "FINDING_NS",
    "FORMATS",
    "INFERRED_GRAPH",
    "LOCAL",
    "ONTOLOGY_GRAPH",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SD",
    "SH",
    "SKOS",
    "SPARQL_RESULTS",
    "SSC",
    "SSCR",
    "SSCSH",
    "VALIDATION_SCHEMA",
    "XSD",
    "expand",
    "short",
]
