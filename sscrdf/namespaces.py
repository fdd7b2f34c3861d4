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
            return f"{prefix}:{s[len(str(ns)):]}"
    return f"<{s}>" if angle else s


__all__ = ["short", "SSC", "SSCSH", "SSCR", "ORG", "RDF", "RDFS", "OWL", "XSD", "SKOS", "DCTERMS", "PROV", "SH",
           "ONTOLOGY_IRI", "INFERRED_GRAPH", "PREFIXES"]
