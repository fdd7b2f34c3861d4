"""Which ontology terms the checks use: the rules (``rules/*.rq``), the city shapes (``shapes/city/*.ttl``) and
the queries (``queries/*.rq``).

A term is *named* by a check when its IRI appears in the check's text (a rule's WHERE clause or the template
of what it derives, a query, any triple of a shape). A term is *used* when it is named, or reached from a named
term through the ontology:

- it is an instance of a named class, or a subclass (transitively) of one;
- it is the subject or the object of an ontology triple whose predicate is named and specific (not one of the
  labelling, documentation and typing predicates in GENERIC), e.g. every responsibility a class lists with
  ``ssc:expectedResponsibility``, which the rules read;
- it is a member (``skos:member``) of a named collection;
- it is the rdfs:domain or rdfs:range of a named property.

``unused_terms()`` lists the declared ``ssc:`` terms that are not used: knowledge the ontology holds that no
check puts to work (``sscrdf info --usage``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from ..knowledge.ontology import declared_terms, modules, ontology_labels, parse_module
from ..namespaces import DCTERMS, OWL, RDF, RDFS, SH, SKOS, SSC
from ..query.sparql import bundled_queries
from ..rules.engine import _iris, bundled_rules, rule_io
from ..shacl.validate import _parse_shapes, city_shape_files

RDF_TYPE = f"{RDF}type"
SH_SELECT = f"{SH}select"
SUBCLASS = f"{RDFS}subClassOf"
SKOS_MEMBER = f"{SKOS}member"
RDFS_DOMAIN = f"{RDFS}domain"
RDFS_RANGE = f"{RDFS}range"
#: predicates that label, document or organise terms; naming one of them does not put the terms it links to work
GENERIC = {
    RDF_TYPE,
    SUBCLASS,
    SKOS_MEMBER,
    f"{RDFS}label",
    f"{RDFS}comment",
    f"{RDFS}domain",
    f"{RDFS}range",
    f"{RDFS}seeAlso",
    f"{RDFS}subPropertyOf",
    f"{DCTERMS}source",
    f"{OWL}inverseOf",
    f"{OWL}disjointWith",
    f"{OWL}equivalentClass",
} | {
    f"{SKOS}{p}"
    for p in (
        "prefLabel",
        "altLabel",
        "definition",
        "scopeNote",
        "editorialNote",
        "example",
        "notation",
        "inScheme",
        "topConceptOf",
        "hasTopConcept",
        "related",
        "broader",
        "narrower",
    )
}

_IRI = re.compile(r"<([^>\s]+)>")


@dataclass(frozen=True)
class Check:
    kind: str  # rule | query | shape
    name: str
    named: frozenset[str]


def _query_iris(text: str) -> set[str]:
    """The IRIs a query names, prefixed names expanded as the rule engine expands them."""
    body = re.sub(r"(?m)^\s*#.*$", "", text)
    prefixes = {
        m.group(1) or "": m.group(2) for m in re.finditer(r"PREFIX\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", body, re.I)
    }
    body = re.sub(r"PREFIX\s+([A-Za-z][\w-]*)?:\s*<([^>]*)>", "", body, flags=re.I)
    return _iris(body, prefixes)


@lru_cache(maxsize=1)
def checks() -> tuple[Check, ...]:
    """Every rule, query and city shape, with the IRIs it names."""
    out = [Check("rule", r.id, frozenset(set().union(*rule_io(r)))) for r in bundled_rules()]
    out += [Check("query", q.id, frozenset(_query_iris(q.text))) for q in bundled_queries()]
    for path in city_shape_files():
        named: set[str] = set()
        for t in _parse_shapes((path,)):
            named.update(str(x) for x in t if not hasattr(x, "language") and str(x).startswith("http"))
            if str(t[1]) == SH_SELECT:  # the ssc: terms a SHACL-SPARQL constraint's query names
                named.update(str(SSC) + local for local in re.findall(r"\bssc:([A-Za-z_][\w-]*)", str(t[2])))
        out.append(Check("shape", path.stem, frozenset(named)))
    return tuple(out)


def named_terms() -> set[str]:
    """The ssc: IRIs some check names."""
    ns = str(SSC)
    return {i for c in checks() for i in c.named if i.startswith(ns)}


def used_terms() -> set[str]:
    """The ssc: terms a check names or reaches through the ontology (see the module docstring)."""
    named = {i for c in checks() for i in c.named}
    triples = [t for m in modules() for t in parse_module(m.path)]
    used = set(named)
    changed = True
    while changed:
        changed = False
        for t in triples:
            s, p, o = (
                t.subject.value if hasattr(t.subject, "value") else str(t.subject),
                t.predicate.value,
                getattr(t.object, "value", None),
            )
            new = set()
            if p in (RDF_TYPE, SUBCLASS) and o in used:
                new.add(s)
            elif (p == SKOS_MEMBER and s in used and o) or (p in (RDFS_DOMAIN, RDFS_RANGE) and s in used and o):
                new.add(o)
            elif p not in GENERIC and p in used:
                new.add(s)
                if o and not hasattr(t.object, "language") and o.startswith("http"):
                    new.add(o)
            if new - used:
                used |= new
                changed = True
    return {i for i in used if i.startswith(str(SSC))}


ORGANISING = {f"{SKOS}ConceptScheme", f"{SKOS}Collection"}


def unused_terms() -> list[str]:
    """Declared ssc: terms no rule, shape or query uses, sorted (concept schemes and collections, which only
    organise other terms, are left out)."""
    organising = {
        t.subject.value
        for m in modules()
        for t in parse_module(m.path)
        if isinstance(t.subject, ox.NamedNode)
        and t.predicate.value == RDF_TYPE
        and getattr(t.object, "value", None) in ORGANISING
    }
    return sorted(declared_terms() - used_terms() - organising)


def undeclared_named_terms() -> dict[str, list[str]]:
    """check name -> the ssc: IRIs it names that the ontology does not declare (should be empty)."""
    known = declared_terms()
    ns = str(SSC)
    out = {}
    for c in checks():
        bad = sorted(i for i in c.named if i.startswith(ns) and i not in known)
        if bad:
            out[f"{c.kind} {c.name}"] = bad
    return out


@dataclass(frozen=True)
class UnusedTerm:
    """A declared ``ssc:`` term no check uses: its IRI, display label and the ontology module declaring it."""

    term: str
    label: str | None
    module: str | None


@dataclass(frozen=True)
class UsageReport:
    """What ``sscrdf info --usage`` shows: how many terms are declared, how many checks there are, and the unused
    terms (sorted by IRI)."""

    declared: int
    checks: int
    unused: list[UnusedTerm]


def usage_report() -> UsageReport:
    """The declared terms no rule, shape or query uses, each with its label and module."""
    module_of: dict[str, str] = {}
    for m in modules():
        for t in parse_module(m.path):
            module_of.setdefault(t.subject.value if hasattr(t.subject, "value") else "", m.name)
    labels = ontology_labels()
    return UsageReport(
        len(declared_terms()), len(checks()), [UnusedTerm(t, labels.get(t), module_of.get(t)) for t in unused_terms()]
    )
