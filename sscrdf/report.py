"""Rendering results for people (text, Markdown) and machines (JSON, RDF).

Validation JSON schema (``sscrdf validate --format json``), version 1::

    {
      "schema": "https://w3id.org/sscrdf/schema/validation/1",
      "sscrdf": "<version>",
      "conforms": true|false,            # no result at all
      "failOn": "violation|warning|info",
      "failed": true|false,              # some result at or above failOn (exit code 1)
      "summary": {"violation": N, "warning": N, "info": N},
      "cities": [{
        "graph": "<named graph IRI>" | null,
        "cities": ["<ssc:City IRI>", ...], "label": "<city name>",
        "summary": {"violation": N, "warning": N, "info": N},
        "results": [{
          "severity": "Violation|Warning|Info", "focus": "<IRI>", "focusLabel": "<label>" | null,
          "path": "<IRI or SPARQL path>" | null, "value": "<term>" | null, "message": "<text>",
          "shape": "<shape IRI>", "component": "<constraint component IRI>", "clause": "<Y Suppl. 34, ...>" | null
        }, ...]
      }, ...]
    }
"""
from __future__ import annotations

import json
from collections import defaultdict

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH

from . import __version__
from .namespaces import PREFIXES, SSC
from .shacl import Result
from .validate import CityReport, ValidationReport

VALIDATION_SCHEMA = "https://w3id.org/sscrdf/schema/validation/1"
_SEV_ORDER = {"Violation": 0, "Warning": 1, "Info": 2}


def short(term) -> str:
    """A compact name for an IRI (prefixed where a known prefix fits)."""
    if term is None:
        return ""
    s = str(term)
    if isinstance(term, Literal):
        return s
    for prefix, ns in PREFIXES.items():
        if s.startswith(str(ns)):
            return f"{prefix}:{s[len(str(ns)):]}"
    return s


def _value(term) -> str | None:
    if term is None:
        return None
    if isinstance(term, BNode):
        return "(blank node)"
    return short(term)


def _path(term) -> str | None:
    if term is None:
        return None
    if isinstance(term, BNode):
        return "(complex path)"
    return short(term)


def _sorted(results: list[Result]) -> list[Result]:
    return sorted(results, key=lambda r: (_SEV_ORDER.get(r.severity_name, 9), str(r.focus), r.message, str(r.value)))


def _group_by_focus(city: CityReport) -> list[tuple[str, list[Result]]]:
    """Results grouped by focus node: the city's own (register-level) results first, then by label."""
    groups: dict[str, list[Result]] = defaultdict(list)
    for r in city.results:
        groups[str(r.focus)].append(r)
    city_iris = set(city.cities)

    def key(focus: str):
        return (0 if focus in city_iris else 1, city.labels.get(focus, focus).lower())

    return [(f, _sorted(groups[f])) for f in sorted(groups, key=key)]


def _counts_line(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {name}{'s' if n != 1 else ''}" for name, n in counts.items())


def _city_counts(city: CityReport) -> dict[str, int]:
    return ValidationReport([city]).counts()


# ----------------------------------------------------------------------------------------------- text

def validation_text(report: ValidationReport) -> str:
    lines: list[str] = []
    for city in report.cities:
        lines.append(f"== {city.name}" + (f"  [graph {city.graph}]" if city.graph else ""))
        if not city.results:
            lines.append("   conforms: no results")
        for focus, results in _group_by_focus(city):
            label = city.labels.get(focus)
            lines.append(f"-- {label} ({short(URIRef(focus))})" if label else f"-- {short(URIRef(focus))}")
            for r in results:
                value = f" [value: {_value(r.value)}]" if r.value is not None else ""
                clause = f" ({r.source})" if r.source else ""
                lines.append(f"   {r.severity_name.upper():<9} {r.message}{value}{clause}")
        lines.append("")
    verdict = "conforms" if not report.results else "does not conform"
    lines.append(f"{len(report.cities)} graph(s) validated, {verdict}: {_counts_line(report.counts())}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------- json

def _result_json(r: Result, labels: dict[str, str]) -> dict:
    return {
        "severity": r.severity_name, "focus": str(r.focus), "focusLabel": labels.get(str(r.focus)),
        "path": _path(r.path), "value": _value(r.value), "message": r.message, "shape": str(r.shape),
        "component": str(r.component), "clause": r.source,
    }


def validation_json(report: ValidationReport, fail_on: str) -> str:
    data = {
        "schema": VALIDATION_SCHEMA, "sscrdf": __version__, "conforms": not report.results, "failOn": fail_on,
        "failed": report.fails(fail_on), "summary": report.counts(),
        "cities": [{
            "graph": c.graph, "cities": c.cities, "label": c.name, "summary": _city_counts(c),
            "results": [_result_json(r, c.labels) for r in _sorted(c.results)],
        } for c in report.cities],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


# ----------------------------------------------------------------------------------------------- ttl

def validation_graph(report: ValidationReport) -> Graph:
    """The standard sh:ValidationReport (all cities in one report; each result also names its clause)."""
    g = Graph()
    g.bind("sh", SH)
    g.bind("dcterms", DCTERMS)
    g.bind("ssc", SSC)
    rep = BNode()
    g.add((rep, RDF.type, SH.ValidationReport))
    g.add((rep, SH.conforms, Literal(not report.results)))
    for city in report.cities:
        for r in _sorted(city.results):
            node = BNode()
            g.add((rep, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.focusNode, r.focus))
            g.add((node, SH.resultSeverity, r.severity))
            g.add((node, SH.sourceShape, r.shape))
            g.add((node, SH.sourceConstraintComponent, r.component))
            g.add((node, SH.resultMessage, Literal(r.message)))
            if r.path is not None and not isinstance(r.path, BNode):
                g.add((node, SH.resultPath, r.path))
            if r.value is not None and not isinstance(r.value, BNode):
                g.add((node, SH.value, r.value))
            if r.source:
                g.add((node, DCTERMS.source, Literal(r.source)))
            for c in city.cities:
                g.add((node, SSC.inCity, URIRef(c)))
    return g


def validation_ttl(report: ValidationReport) -> str:
    return validation_graph(report).serialize(format="turtle")


# ----------------------------------------------------------------------------------------------- md

def _md(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def validation_md(report: ValidationReport) -> str:
    lines = ["# Stakeholder register validation", "",
             f"Result: **{'conforms' if not report.results else 'does not conform'}** — "
             f"{_counts_line(report.counts())}.", ""]
    for city in report.cities:
        lines += [f"## {city.name}", ""]
        if not city.results:
            lines += ["No results: the register conforms to every shape.", ""]
            continue
        lines += [f"{_counts_line(_city_counts(city))}.", "",
                  "| Severity | Subject | Message | Value | Clause |", "|---|---|---|---|---|"]
        for focus, results in _group_by_focus(city):
            subject = city.labels.get(focus) or short(URIRef(focus))
            for r in results:
                lines.append(f"| {r.severity_name} | {_md(subject)} | {_md(r.message)} | {_md(_value(r.value))} "
                             f"| {_md(r.source)} |")
        lines.append("")
    return "\n".join(lines)


__all__ = ["short", "validation_text", "validation_json", "validation_ttl", "validation_graph", "validation_md",
           "VALIDATION_SCHEMA"]

