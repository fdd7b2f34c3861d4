"""The IRIs of the public contract (the namespaces and graph names listed in the README, "The data model") and of
the reused W3C vocabularies."""
from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

SSC = Namespace("https://w3id.org/sscrdf/ontology#")
SSCSH = Namespace("https://w3id.org/sscrdf/shapes#")
SSCR = Namespace("https://w3id.org/sscrdf/rules#")
ORG = Namespace("http://www.w3.org/ns/org#")
ONTOLOGY_IRI = "https://w3id.org/sscrdf/ontology"
#: graph name under which inferred triples are kept apart from asserted ones
INFERRED_GRAPH = "https://w3id.org/sscrdf/graph/inferred"
#: graph name under which the rules' derived facts and findings are kept (per city: ``…/derived?graph=<G>``)
DERIVED_GRAPH = "https://w3id.org/sscrdf/graph/derived"

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

__all__ = ["SSC", "SSCSH", "SSCR", "ORG", "RDF", "RDFS", "OWL", "XSD", "SKOS", "DCTERMS", "PROV", "SH",
           "ONTOLOGY_IRI", "INFERRED_GRAPH", "DERIVED_GRAPH", "PREFIXES"]
