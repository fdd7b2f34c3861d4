"""The IRIs of the public contract (the namespaces and graph names listed in the README, "The data model") and of
the reused W3C vocabularies."""

from rdflib import Literal, Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

SSC = Namespace("https://w3id.org/sscrdf/ontology#")
SSCSH = Namespace("https://w3id.org/sscrdf/shapes#")
SSCR = Namespace("https://w3id.org/sscrdf/rules#")
ORG = Namespace("http://www.w3.org/ns/org#")
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
    if isinstance(term, Literal):
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
