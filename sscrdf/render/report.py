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

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, TypedDict

import orjson
import pyoxigraph as ox

from .. import __version__, terms
from ..analysis.analyze import section
from ..analysis.model import snake
from ..convert import to_rdflib_term
from ..io.cells import neutralise
from ..namespaces import ANALYSIS_SCHEMA, DCTERMS, PROV, RDF, RDFS, SSC, VALIDATION_SCHEMA, expand, short
from ..resources import data_dir
from ..rules.engine import bundled_rules
from ..shacl.results import Result, severity_rank
from ..shacl.validate import CityReport, ValidationReport
from .vocab import grid_strategies

if TYPE_CHECKING:
    from rdflib import BNode, Graph, Literal
    from rdflib.term import Node

    from ..analysis.model import ActionRow, Analysis, CityAnalysis, Entry, PlanRow
    from ..query.sparql import Table, Value


def json_text(data: object) -> str:
    """``data`` as JSON text indented by two spaces, non-ASCII characters as they are: the text
    ``json.dumps(data, indent=2, ensure_ascii=False)`` gives, written by orjson, which is about twenty times
    faster (the standard library falls back to its pure-Python encoder whenever it indents; a 1,000-city
    analysis took 16 s to write)."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8")


def _value(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, terms.BNode):
        return "(blank node)"
    return short(term)


def _path(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, terms.BNode):
        return "(complex path)"
    return short(term)


def _sorted(results: list[Result]) -> list[Result]:
    return sorted(
        results,
        key=lambda r: (
            severity_rank(r.severity_name),
            str(r.focus),
            r.message,
            str(r.value),
            str(r.shape),
            str(r.component),
        ),
    )


def _group_by_focus(city: CityReport) -> list[tuple[str, list[Result]]]:
    """Results grouped by focus node: the city's own (register-level) results first, then by label."""
    groups: dict[str, list[Result]] = defaultdict(list)
    for r in city.results:
        groups[str(r.focus)].append(r)
    city_iris = set(city.cities)

    def key(focus: str) -> tuple[int, str]:
        return (0 if focus in city_iris else 1, city.labels.get(focus, focus).lower())

    return [(f, _sorted(groups[f])) for f in sorted(groups, key=key)]


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _counts_line(counts: dict[str, int]) -> str:
    return ", ".join(_n(n, name) for name, n in counts.items())


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
            lines.append(f"-- {label} ({short(focus)})" if label else f"-- {short(focus)}")
            for r in results:
                value = f" [value: {_value(r.value)}]" if r.value is not None else ""
                clause = f" ({r.source})" if r.source else ""
                lines.append(f"   {r.severity_name.upper():<9} {r.message}{value}{clause}")
        lines.append("")
    verdict = "conforms" if not report.results else "does not conform"
    lines.append(f"{len(report.cities)} graph(s) validated, {verdict}: {_counts_line(report.counts())}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------- json


def _result_json(r: Result, labels: dict[str, str]) -> dict[str, object]:
    return {
        "severity": r.severity_name,
        "focus": str(r.focus),
        "focusLabel": labels.get(str(r.focus)),
        "path": _path(r.path),
        "value": _value(r.value),
        "message": r.message,
        "shape": str(r.shape),
        "component": str(r.component),
        "clause": r.source,
    }


def validation_json(report: ValidationReport, fail_on: str) -> str:
    data = {
        "schema": VALIDATION_SCHEMA,
        "sscrdf": __version__,
        "conforms": not report.results,
        "failOn": fail_on,
        "failed": report.fails(fail_on),
        "summary": report.counts(),
        "cities": [
            {
                "graph": c.graph,
                "cities": c.cities,
                "label": c.name,
                "summary": _city_counts(c),
                "results": [_result_json(r, c.labels) for r in _sorted(c.results)],
            }
            for c in report.cities
        ],
    }
    return json_text(data)


# ----------------------------------------------------------------------------------------------- ttl


def _copy_path(shapes: Graph, path: BNode, g: Graph, memo: dict[BNode, BNode]) -> BNode:
    """A copy in ``g`` of a blank node of the shapes graph and of the blank nodes it leads to, with fresh blank
    nodes: the structure of a SHACL path (inverse, sequence, alternative, zero-or-more, ... with their RDF
    lists), or a SPARQL constraint. ``memo`` maps the shapes' blank nodes to their copies, so that results
    of the same shape share one copy, as in pySHACL's report."""
    from rdflib import BNode  # heavy: only the RDF report needs rdflib

    def copy(node: BNode) -> BNode:
        if node not in memo:
            memo[node] = BNode()
            for p, o in shapes.predicate_objects(node):
                g.add((memo[node], p, copy(o) if isinstance(o, BNode) else o))
        return memo[node]

    return copy(path)


def _result_path(r: Result, shapes: Graph | None, g: Graph, memo: dict[BNode, BNode]) -> Node | None:
    """The sh:resultPath of ``r`` in ``g``: an IRI as it is, a complex path copied from the shapes graph (the
    result's own path node when the shapes graph holds it, else its shape's sh:path); None when unknown."""
    from rdflib import BNode  # heavy: only the RDF report needs rdflib
    from rdflib.namespace import SH

    if r.path is None or not isinstance(r.path, terms.BNode):
        return None if r.path is None else to_rdflib_term(r.path)
    if shapes is None:
        return None
    path = to_rdflib_term(r.path)
    node = path if (path, None, None) in shapes else shapes.value(to_rdflib_term(r.shape), SH.path)
    return _copy_path(shapes, node, g, memo) if isinstance(node, BNode) else node


def _message(r: Result, shapes: Graph | None) -> Literal:
    """The sh:resultMessage of ``r``: the shape's (or its SPARQL constraint's) sh:message with the same text,
    language tag included; a message built from a template ({?var} filled in) or by the engine is a plain
    string, as pySHACL writes it."""
    from rdflib import Literal  # heavy: only the RDF report needs rdflib
    from rdflib.namespace import SH

    if shapes is not None:
        shape = to_rdflib_term(r.shape)
        for node in (shape, *shapes.objects(shape, SH.sparql)):
            for m in shapes.objects(node, SH.message):
                if isinstance(m, Literal) and str(m) == r.message:
                    return Literal(r.message, lang=m.language)
    return Literal(r.message)


def _template_matches(template: str, message: str) -> bool:
    parts = re.split(r"\{[?$]\w+\}", template)
    return re.fullmatch(".*".join(re.escape(p) for p in parts), message, re.DOTALL) is not None


def _source_constraint(r: Result, shapes: Graph | None, g: Graph, memo: dict[BNode, BNode]) -> Node | None:
    """The sh:sourceConstraint of a SHACL-SPARQL result: the shape's sh:sparql node (the one whose message
    template gives the result's message when the shape has several), copied into ``g`` when it is a blank node."""
    from rdflib import BNode  # heavy: only the RDF report needs rdflib
    from rdflib.namespace import SH

    if shapes is None or r.component != SH.SPARQLConstraintComponent:
        return None
    nodes = list(shapes.objects(to_rdflib_term(r.shape), SH.sparql))
    if len(nodes) > 1:
        nodes = [
            n for n in nodes if any(_template_matches(str(m), r.message) for m in shapes.objects(n, SH.message))
        ] or nodes
    if len(nodes) != 1:
        return None
    return _copy_path(shapes, nodes[0], g, memo) if isinstance(nodes[0], BNode) else nodes[0]


def validation_graph(report: ValidationReport) -> Graph:
    """The standard sh:ValidationReport (all cities in one report; each result also names its clause with
    dcterms:source and its city with ssc:inCity). Complex result paths are copied from the shapes, messages keep
    their language tag, blank-node focus nodes and values are kept as blank nodes."""
    from rdflib import BNode, Graph, Literal, URIRef  # heavy: only the RDF report needs rdflib
    from rdflib.namespace import DCTERMS, RDF, SH

    g = Graph()
    g.bind("sh", SH)
    g.bind("dcterms", DCTERMS)
    g.bind("ssc", SSC)
    rep = BNode()
    g.add((rep, RDF.type, SH.ValidationReport))
    g.add((rep, SH.conforms, Literal(not report.results)))
    copies: dict[BNode, BNode] = {}
    shapes = report.shapes_graph()
    for city in report.cities:
        for r in _sorted(city.results):
            node = BNode()
            g.add((rep, SH.result, node))
            g.add((node, RDF.type, SH.ValidationResult))
            g.add((node, SH.focusNode, to_rdflib_term(r.focus)))
            g.add((node, SH.resultSeverity, to_rdflib_term(r.severity)))
            g.add((node, SH.sourceShape, to_rdflib_term(r.shape)))
            g.add((node, SH.sourceConstraintComponent, to_rdflib_term(r.component)))
            g.add((node, SH.resultMessage, _message(r, shapes)))
            path = _result_path(r, shapes, g, copies)
            if path is not None:
                g.add((node, SH.resultPath, path))
            if r.value is not None:
                g.add((node, SH.value, to_rdflib_term(r.value)))
            constraint = _source_constraint(r, shapes, g, copies)
            if constraint is not None:
                g.add((node, SH.sourceConstraint, constraint))
            if r.source:
                g.add((node, DCTERMS.source, Literal(r.source)))
            for c in city.cities:
                g.add((node, SSC.inCity, URIRef(c)))
    return g


def validation_ttl(report: ValidationReport) -> str:
    return validation_graph(report).serialize(format="turtle")


# ----------------------------------------------------------------------------------------------- md


_MD_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "|": "\\|", "\n": " ", "\r": " "})


def _md(text: object) -> str:
    """Data as the text of a Markdown cell or heading: a formula start neutralised, HTML written as entities (a
    Markdown renderer passes raw HTML through: a label "<script>" would run in a portal's page), no table pipe,
    no line break (a label could otherwise start a heading or a table of its own)."""
    return str(neutralise("" if text is None else text)).translate(_MD_ESCAPES)


def validation_md(report: ValidationReport) -> str:
    lines = [
        "# Stakeholder register validation",
        "",
        f"Result: **{'conforms' if not report.results else 'does not conform'}** — {_counts_line(report.counts())}.",
        "",
    ]
    for city in report.cities:
        lines += [f"## {_md(city.name)}", ""]
        if not city.results:
            lines += ["No results: the register conforms to every shape.", ""]
            continue
        lines += [
            f"{_counts_line(_city_counts(city))}.",
            "",
            "| Severity | Subject | Message | Value | Clause |",
            "|---|---|---|---|---|",
        ]
        for focus, results in _group_by_focus(city):
            subject = city.labels.get(focus) or short(focus)
            for r in results:
                lines.append(
                    f"| {r.severity_name} | {_md(subject)} | {_md(r.message)} | {_md(_value(r.value))} "
                    f"| {_md(r.source)} |"
                )
        lines.append("")
    return "\n".join(lines)


__all__ = [
    "VALIDATION_SCHEMA",
    "short",
    "validation_graph",
    "validation_json",
    "validation_md",
    "validation_text",
    "validation_ttl",
]


# ============================================================================================ analysis
# Analysis JSON schema (``sscrdf analyze --format json``), version 2:
#
#   {"schema": "https://w3id.org/sscrdf/schema/analysis/2", "sscrdf": "<version>", "asOf": "YYYY-MM-DD",
#    "reasoner": "fast|owlrl",
#    "cities": [{
#      "city": "<IRI>", "label": "<name>", "graph": "<named graph IRI>" | null,
#      "summary": {"stakeholders": N, "categoriesPresent": N, "categoriesTotal": 12, "unitsPresent": N,
#                  "unitsDelegated": N, "unitsMissing": N, "assessedStakeholders": N,
#                  "validation": {"violation": N, "warning": N, "info": N},
#                  "findings": {"Gap": N, "Overlap": N, "Risk": N, "Recommendation": N},
#                  "entries": {"Gap": N, "Risk": N, "Overlap": N, "Recommendation": N, "Register": N},
#                  "plannedActions": N},
#      "categories": [{"category": "<IRI>", "label": "...", "stakeholders": N}],
#      "units": [{"unit": "<class IRI>", "label": "...", "status": "present|delegated|missing",
#                 "holder": "<IRI>" | null, "holderLabel": "..." | null}],
#      "grid": [{"stakeholder": "<IRI>", "label": "...", "power": "High|Low", "interest": "High|Low",
#                "strategy": "ManageClosely|KeepSatisfied|KeepInformed|Monitor"}],
#      "engagementGaps": [{"stakeholder": "<IRI>", "label": "...", "current": "<level>", "desired": "<level>",
#                          "gap": N, "nextStep": "<action>", "priority": N}],
#      "plan": [{<the columns of queries/engagement-plan.rq>}],
#      "tableI1": [{<the columns of queries/city-table-i1.rq>}],
#      "masterPlan": null | {"phase": "<phase IRI>", "phaseLabel": "...",
#                    "timeline": [{"phase": "<IRI>", "phaseLabel": "...", "activities": [{"activity": "<IRI>",
#                                  "label": "...", "date": "YYYY-MM-DD" | null}]}],
#                    "overview": {<the columns of queries/masterplan-overview.rq but city and plan>},
#                    "kpis": [{<the columns of queries/masterplan-kpis.rq but city>}],
#                    "kpiCoverage": [{"dimension": "<IRI>", "notation": "D1", "label": "...", "kpis": N}],
#                    "actions": [{"action": "<IRI>", "label": "...", "owner": "<IRI>" | null,
#                                 "ownerLabel": "..." | null, "start": "YYYY-MM-DD" | null, "end": ... | null,
#                                 "cost": number | null, "status": "<IRI>" | null, "statusLabel": "...",
#                                 "initiative": "..." | null, "areas": "..."}]},
#      "entries": [{"kind": "Gap|Risk|Overlap|Recommendation|Register", "severity": "Violation|Warning|Info",
#                   "about": ["<IRI>", ...], "concerns": ["<IRI>", ...], "message": "...",
#                   "clauses": ["Y Suppl. 34, ...", ...], "rules": ["<rule IRI>", ...],
#                   "shapes": ["<shape IRI>", ...], "findings": ["<finding IRI>", ...],
#                   "validation": [<result objects exactly as in the validation schema>]}]
#    }]}
#
# One entry per fact: a fact found by several rules and shapes is ONE entry listing all of them (see
# sscrdf.analysis.analyze.triage); there is no separate list of findings or of validation results.

_ENTRY_TITLES = {
    "Gap": "Gaps the city can fill",
    "Risk": "Risks",
    "Overlap": "Overlaps",
    "Recommendation": "Questions to ask and advice",
    "Register": "Register checks",
}
ORDER_NOTE = (
    "Most serious first: errors in the data (violation), then what is incomplete or at risk "
    "(warning), then advice (info). Each entry is one fact, with every rule and check that found it and "
    "every clause behind it. Gaps are the city's own to fill; duties of governments, ministries, "
    "companies and civil society appear as questions to ask them."
)


def _loc(iri: object) -> str:
    return "" if iri is None else str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _label(ca: CityAnalysis, iri: object) -> str:
    """A readable label for an IRI (data or ontology label), never a raw IRI."""
    if iri is None:
        return ""
    return ca.labels.get(str(iri)) or _loc(iri)


def _entry_json(ca: CityAnalysis, e: Entry) -> dict[str, object]:
    return {
        "kind": e.kind,
        "severity": e.severity,
        "about": e.about,
        "concerns": e.concerns,
        "message": e.message,
        "clauses": e.clauses,
        "rules": e.rules,
        "shapes": e.shapes,
        "findings": e.findings,
        "validation": [_result_json(r, ca.labels) for r in e.results],
    }


# --------------------------------------------------------------------------- master plan (FG-SSC Master Plan)


def _iso(v: object) -> str | None:
    """A date cell as YYYY-MM-DD (query cells may be dates or strings)."""
    return None if v is None else (v.isoformat() if isinstance(v, dt.date) else str(v))


class _Activity(TypedDict):
    activity: Value
    label: Value
    date: str | None


class _Phase(TypedDict):
    phase: Value
    notation: Value
    phaseLabel: Value
    activities: list[_Activity]


def _mp_timeline(ca: CityAnalysis) -> list[_Phase]:
    """Phases up to the current one, each with the activities done in it (rows of masterplan-timeline)."""
    phases: dict[str, _Phase] = {}
    for r in ca.mp_timeline:
        ph = phases.setdefault(
            r.phase, {"phase": r.phase, "notation": r.phase_notation, "phaseLabel": r.phase_label, "activities": []}
        )
        if r.activity:
            ph["activities"].append({"activity": r.activity, "label": r.activity_label, "date": _iso(r.date)})
    return list(phases.values())


def _mp_status(r: ActionRow, as_of: dt.date) -> str:
    """The reported status of an action, or one read from its dates when the city reports none."""
    if r.status_label:
        return str(r.status_label)
    start, end, today = _iso(r.start), _iso(r.end), as_of.isoformat()
    if start and start > today:
        return "not started (by its dates)"
    if end and end < today:
        return "past its end date, status not reported"
    return "underway (by its dates)" if start else "status not reported"


def _mp_json(ca: CityAnalysis, as_of: dt.date) -> dict[str, object] | None:
    if not ca.mp_phase:
        return None
    ph = ca.mp_phase[0]
    ov = ca.mp_overview[0] if ca.mp_overview else None
    return {
        "phase": ph.phase,
        "phaseLabel": ph.phase_label,
        "overview": ov.to_json(exclude=("city", "plan")) if ov else {},
        "kpis": [
            {k: (_iso(v) if k in ("lastDate", "targetDate") else v) for k, v in r.to_json().items()}
            for r in ca.mp_kpi_values
        ],
        "timeline": [
            {"phase": p["phase"], "phaseLabel": p["phaseLabel"], "activities": p["activities"]}
            for p in _mp_timeline(ca)
        ],
        "kpiCoverage": [
            {"dimension": r.dimension, "notation": r.dimension_notation, "label": r.dimension_label, "kpis": r.kpis}
            for r in ca.mp_kpis
        ],
        "actions": [
            {
                "action": r.action,
                "label": r.action_label,
                "owner": r.owner,
                "ownerLabel": r.owner_label,
                "start": _iso(r.start),
                "end": _iso(r.end),
                "cost": _cost(r),
                "status": r.status,
                "statusLabel": _mp_status(r, as_of),
                "initiative": r.initiative,
                "areas": r.areas or "",
            }
            for r in ca.mp_actions
        ],
    }


@lru_cache(maxsize=1)
def _column_titles() -> dict[str, tuple[tuple[str, str], ...]]:
    """Section → (row field, title) of the columns the text and Markdown reports list one per line, in order
    (mappings/report-columns.csv)."""
    out: dict[str, list[tuple[str, str]]] = {}
    with (data_dir("mappings") / "report-columns.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            out.setdefault(r["section"], []).append((snake(r["column"]), r["title"]))
    return {k: tuple(v) for k, v in out.items()}


def _cost(r: ActionRow) -> float | None:
    return None if r.cost is None else float(str(r.cost))


def _mp_cost(r: ActionRow) -> str:
    cost = _cost(r)
    return "" if cost is None else f"{cost:,.0f}"


def _mp_action_line(ca: CityAnalysis, r: ActionRow, as_of: dt.date) -> str:
    owner = r.owner_label or (_label(ca, r.owner) if r.owner else "nobody responsible")
    when = f"{_iso(r.start) or '?'} to {_iso(r.end) or '?'}"
    cost = f", cost {_mp_cost(r)}" if r.cost is not None else ", no cost stated"
    areas = f" [{r.areas}]" if r.areas else ""
    return f"{r.action_label or _label(ca, r.action)}{areas}: {owner}; {when}{cost}; {_mp_status(r, as_of)}"


def _mp_text(ca: CityAnalysis, as_of: dt.date) -> list[str]:
    if not ca.mp_phase:
        return ["", f"{section('mp_phase').heading}: none recorded"]
    out = [
        "",
        f"{section('mp_phase').heading}: now in {ca.mp_phase[0].phase_label}",
    ]
    ov = ca.mp_overview[0] if ca.mp_overview else None
    for key, title in _column_titles()["mp_overview"]:
        out.append(f"  {title}: {getattr(ov, key, None) or 'none stated'}")  # counts of 0 read as none stated
    out.append(f"  {section('mp_timeline').heading}")
    for p in _mp_timeline(ca):
        done = "; ".join(f"{a['label']} ({a['date'] or 'no date'})" for a in p["activities"]) or "no activity recorded"
        out.append(f"    {p['phaseLabel']}: {done}")
    out.append(f"  {section('mp_kpis').heading}")
    for r in ca.mp_kpis:
        mark = "" if r.kpis else "   <- no KPI"
        out.append(f"    {r.dimension_notation} {r.dimension_label:<45}{r.kpis:>3}{mark}")
    out.append(f"  {section('mp_kpi_values').heading}")
    for k in ca.mp_kpi_values:
        last = f"{k.last_value} on {_iso(k.last_date)}" if k.last_date else "never measured"
        target = f"target {k.target}" if k.target is not None else "no target"
        out.append(f"    {k.dimension_notation or '--'} {k.kpi_label or _label(ca, k.kpi)}: {target}; last {last}")
    out.append(f"  {section('mp_actions').heading}")
    out += [f"    {_mp_action_line(ca, a, as_of)}" for a in ca.mp_actions] or ["    none"]
    return out


def _mp_md(ca: CityAnalysis, as_of: dt.date) -> list[str]:
    out = ["", f"## {section('mp_phase').heading}", ""]
    if not ca.mp_phase:
        return out + ["None recorded."]
    ov = ca.mp_overview[0] if ca.mp_overview else None
    out += [
        f"Current phase: **{_md(ca.mp_phase[0].phase_label)}** (clause 3).",
        "",
        "| Element | Stated |",
        "|---|---|",
    ]
    out += [
        f"| {_md(title)} | {_md(str(getattr(ov, key))) if getattr(ov, key, None) else '**none**'} |"
        for key, title in _column_titles()["mp_overview"]
    ]
    out += ["", f"### {section('mp_timeline').heading}", "", "| Phase | Activity | Date |", "|---|---|---|"]
    for p in _mp_timeline(ca):
        if not p["activities"]:
            out.append(f"| {_md(p['phaseLabel'])} | **no activity recorded** | |")
        out += [f"| {_md(p['phaseLabel'])} | {_md(a['label'])} | {_md(a['date'])} |" for a in p["activities"]]
    out += ["", f"### {section('mp_kpis').heading}", "", "| Dimension | KPIs |", "|---|---|"]
    out += [f"| {r.dimension_notation} {_md(r.dimension_label)} | {r.kpis or '**none**'} |" for r in ca.mp_kpis]
    out += ["", "| KPI | Dimension | Target | Last measured |", "|---|---|---|---|"]
    out += [
        f"| {_md(r.kpi_label)} | {r.dimension_notation or ''} "
        f"| {_md(r.target) if r.target is not None else '**none**'} "
        f"| {f'{_md(r.last_value)} ({_md(_iso(r.last_date))})' if r.last_date else '**never**'} |"
        for r in ca.mp_kpi_values
    ]
    out += ["", f"### {section('mp_actions').heading}", ""]
    if ca.mp_actions:
        out += ["| Action | Service areas | Owner | Start | End | Cost | Status |", "|---|---|---|---|---|---|---|"]
        out += [
            f"| {_md(r.action_label or _label(ca, r.action))} | {_md(r.areas or '')} "
            f"| {_md(r.owner_label or (_label(ca, r.owner) if r.owner else '**nobody**'))} "
            f"| {_md(_iso(r.start))} | {_md(_iso(r.end))} "
            f"| {_mp_cost(r)} "
            f"| {_md(_mp_status(r, as_of))} |"
            for r in ca.mp_actions
        ]
    else:
        out.append("None.")
    return out


def _city_json(ca: CityAnalysis, as_of: dt.date) -> dict[str, object]:
    return {
        "city": ca.city,
        "label": ca.label,
        "graph": ca.graph,
        "summary": ca.summary().to_json(),
        "categories": [
            {"category": r.category, "label": r.category_label, "stakeholders": r.stakeholders} for r in ca.categories
        ],
        "units": [
            {
                "unit": r.unit_class,
                "label": r.unit_label,
                "status": r.status,
                "holder": r.holder,
                "holderLabel": r.holder_label,
            }
            for r in ca.units
        ],
        "grid": [
            {
                "stakeholder": r.stakeholder,
                "label": r.stakeholder_label,
                "power": _loc(r.power),
                "interest": _loc(r.interest),
                "strategy": _loc(r.strategy),
            }
            for r in ca.grid
        ],
        "engagementGaps": [
            {
                "stakeholder": r.stakeholder,
                "label": r.stakeholder_label,
                "current": _loc(r.current),
                "desired": _loc(r.desired),
                "gap": r.gap,
                "nextStep": _loc(r.next_step),
                "priority": r.priority,
            }
            for r in ca.engagement_gaps
        ],
        "plan": [r.to_json() for r in ca.plan],
        "tableI1": [r.to_json() for r in ca.profiles],
        "masterPlan": _mp_json(ca, as_of),
        "entries": [_entry_json(ca, e) for e in ca.entries],
    }


def analysis_json_head(as_of: dt.date, reasoner: str, cities: list[object]) -> dict[str, object]:
    """The JSON report's top level, with ``cities`` (JSON objects) as its cities."""
    return {
        "schema": ANALYSIS_SCHEMA,
        "sscrdf": __version__,
        "asOf": as_of.isoformat(),
        "reasoner": reasoner,
        "cities": cities,
    }


def analysis_json(analysis: Analysis) -> str:
    return json_text(
        analysis_json_head(analysis.as_of, analysis.reasoner, [_city_json(c, analysis.as_of) for c in analysis.cities])
    )


def analysis_json_frame(as_of: dt.date, reasoner: str) -> tuple[str, str]:
    """The JSON report around its cities: ``head + ",\\n    ".join(city_json(c) ...) + tail`` is
    ``analysis_json`` of one or more cities, byte for byte (what ``sscrdf analyze`` writes city by city)."""
    head, tail = json_text(analysis_json_head(as_of, reasoner, [None])).rsplit("null", 1)
    return head, tail


def city_json(ca: CityAnalysis, as_of: dt.date) -> str:
    """One city of the JSON report, indented as it stands in the ``cities`` list (see analysis_json_frame)."""
    return json_text(_city_json(ca, as_of)).replace("\n", "\n    ")


def _summary_lines(ca: CityAnalysis) -> list[str]:
    s = ca.summary()
    v, e = s.validation, s.entries
    return [
        f"{s.stakeholders} stakeholders in {s.categories_present} of {s.categories_total} categories; "
        f"units: {s.units_present} present, {s.units_delegated} delegated, {s.units_missing} missing; "
        f"{s.assessed_stakeholders} stakeholders assessed; {_n(s.planned_actions, 'planned action')}.",
        f"{len(ca.entries)} entr{'y' if len(ca.entries) == 1 else 'ies'}: "
        + ", ".join(f"{e[k]} {_ENTRY_TITLES[k].lower()}" for k in e)
        + f" (validation: {_counts_line(v) if v else 'not run'}).",
    ]


def _grid_groups(ca: CityAnalysis) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {g.strategy: [] for g in grid_strategies()}
    for r in ca.grid:
        groups.setdefault(r.strategy, []).append(r.stakeholder_label or _loc(r.stakeholder))
    return [(_label(ca, k), sorted(v, key=str.lower)) for k, v in groups.items()]


def _about(ca: CityAnalysis, e: Entry) -> str:
    return ", ".join(_label(ca, a) for a in e.about)


def compact_clauses(clauses: list[str]) -> str:
    """ "Y Suppl. 34, clause 3.1; clause 5.6; Table I.1": the document named once per run of its clauses."""
    out, last = [], None
    for c in clauses:
        doc, sep, rest = c.partition(", ")
        if sep and doc == last:
            out.append(rest)
        else:
            out.append(c)
            last = doc if sep else None
    return "; ".join(out)


def _found_by(ca: CityAnalysis, e: Entry) -> str:
    parts = [f"rule {_loc(r)}" for r in e.rules] + [f"check '{_label(ca, s)}'" for s in e.shapes]
    return ", ".join(parts)


def _plan_line(ca: CityAnalysis, r: PlanRow) -> str:
    channel = f", via {_label(ca, r.channel)}" if r.channel else ""
    return f"[{r.priority}] due {r.due_date} - {r.owner_label or _label(ca, r.owner)}{channel}: {r.instruction}"


def analysis_text(analysis: Analysis) -> str:
    return "\n".join(city_text(ca, analysis.as_of) for ca in analysis.cities).rstrip("\n")


def city_text(ca: CityAnalysis, as_of: dt.date) -> str:
    """The text report of one city: ``analysis_text`` is these joined by newlines (trailing newlines removed)."""
    out: list[str] = []
    out += [f"sscrdf analysis of {ca.label} ({ca.city}), as of {as_of.isoformat()}", "=" * 78]
    out += _summary_lines(ca) + [""]
    out.append(section("categories").heading)
    for r in ca.categories:
        mark = "" if r.stakeholders else "   <- missing"
        out.append(f"  {r.category_label:<55}{r.stakeholders:>4}{mark}")
    out += ["", section("units").heading]
    for u in ca.units:
        holder = f"  {u.holder_label or _loc(u.holder)}" if u.holder else ""
        out.append(f"  {u.unit_label:<40}{u.status:<11}{holder}")
    out += ["", section("grid").heading]
    for title, names in _grid_groups(ca):
        out.append(f"  {title}: {', '.join(names) if names else '-'}")
    out += ["", section("engagement_gaps").heading]
    if not ca.engagement_gaps:
        out.append("  none")
    for g in ca.engagement_gaps:
        out.append(
            f"  [priority {g.priority}] {g.stakeholder_label}: {_label(ca, g.current)} -> "
            f"{_label(ca, g.desired)} (gap {g.gap}); next step: {_label(ca, g.next_step)}"
        )
    out += ["", section("plan").heading, "  Priority 1 is the most urgent."]
    if not ca.plan:
        out.append("  none")
    out += [f"  {_plan_line(ca, a)}" for a in ca.plan]
    if ca.profiles:
        out += ["", section("profiles").heading]
        for p in ca.profiles:
            out.append(
                f"  {p.stakeholder_label} ({p.category_label}; scale: {p.scale or '-'}; "
                f"sector: {p.sector or '-'}; {p.source})"
            )
            for key, title in _column_titles()["profiles"]:
                if getattr(p, key):
                    out.append(f"      {title}: {getattr(p, key)}")
    out += _mp_text(ca, as_of)
    out += ["", "What to act on", f"  {ORDER_NOTE}"]
    for kind, title in _ENTRY_TITLES.items():
        items = ca.entries_of(kind)
        out += ["", f"{title} ({len(items)})"]
        for e in items:
            out.append(
                f"  {e.severity.upper():<9} {_about(ca, e)}: {e.message} "
                f"({compact_clauses(e.clauses)}; found by {_found_by(ca, e)})"
            )
    out.append("")
    return "\n".join(out)


def analysis_md(analysis: Analysis) -> str:
    return "\n".join(city_md(ca, analysis.as_of) for ca in analysis.cities)


def city_md(ca: CityAnalysis, as_of: dt.date) -> str:
    """The Markdown report of one city: ``analysis_md`` is these joined by newlines."""
    out: list[str] = []
    out += [f"# Stakeholder analysis: {_md(ca.label)}", "", f"As of {as_of.isoformat()}.", ""]
    out += [f"- {line}" for line in _summary_lines(ca)] + [""]
    out += [f"## {section('categories').heading}", "", "| Category | Stakeholders |", "|---|---|"]
    out += [f"| {_md(r.category_label)} | {r.stakeholders or '**none**'} |" for r in ca.categories]
    out += ["", f"## {section('units').heading}", "", "| Unit | Status | Held by |", "|---|---|---|"]
    out += [f"| {_md(r.unit_label)} | {r.status} | {_md(r.holder_label or '')} |" for r in ca.units]
    out += ["", f"## {section('grid').heading}", "", "| Strategy | Stakeholders |", "|---|---|"]
    out += [f"| {_md(t)} | {_md(', '.join(n)) or '-'} |" for t, n in _grid_groups(ca)]
    out += [
        "",
        f"## {section('engagement_gaps').heading}",
        "",
        "| Priority | Stakeholder | Current | Desired | Gap | Next step |",
        "|---|---|---|---|---|---|",
    ]
    out += [
        f"| {r.priority} | {_md(r.stakeholder_label)} | {_md(_label(ca, r.current))} "
        f"| {_md(_label(ca, r.desired))} | {r.gap} | {_md(_label(ca, r.next_step))} |"
        for r in ca.engagement_gaps
    ]
    out += ["", f"## {section('plan').heading}", "", "Priority 1 is the most urgent.", ""]
    if ca.plan:
        out += [
            "| Priority | Due | Action | Stakeholder | Owner | Channel | Instruction |",
            "|---|---|---|---|---|---|---|",
        ]
        out += [
            f"| {r.priority} | {r.due_date} | {_md(_label(ca, r.action_kind))} "
            f"| {_md(r.stakeholder_label)} | {_md(r.owner_label or _label(ca, r.owner))} "
            f"| {_md(_label(ca, r.channel) if r.channel else '')} | {_md(r.instruction)} |"
            for r in ca.plan
        ]
    else:
        out.append("None.")
    if ca.profiles:
        out += [
            "",
            f"## {section('profiles').heading}",
            "",
            "| Stakeholder | Category | Scale | Sector | Aims | Challenges | Potential | Constraints | Role "
            "| Contribution | Source |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        out += [
            "| "
            + " | ".join(
                _md(getattr(r, k))
                for k in (
                    "stakeholder_label",
                    "category_label",
                    "scale",
                    "sector",
                    "aims",
                    "challenges",
                    "potential",
                    "constraints",
                    "role",
                    "contribution",
                    "source",
                )
            )
            + " |"
            for r in ca.profiles
        ]
    out += _mp_md(ca, as_of)
    out += ["", "## What to act on", "", ORDER_NOTE]
    for kind, title in _ENTRY_TITLES.items():
        items = ca.entries_of(kind)
        out += ["", f"### {title} ({len(items)})", ""]
        if items:
            out += ["| Severity | About | Entry | Clauses | Found by |", "|---|---|---|---|---|"]
            out += [
                f"| {e.severity} | {_md(_about(ca, e))} | {_md(e.message)} | {_md(compact_clauses(e.clauses))} "
                f"| {_md(_found_by(ca, e))} |"
                for e in items
            ]
        else:
            out.append("None.")
    out.append("")
    return "\n".join(out)


@dataclass(frozen=True)
class _RdfMapping:
    """A line of mappings/report-rdf.csv: for each row of ``section``, the triple (subject column, property,
    object column); ``subject`` ``other.column`` takes the column of the city's rows of section ``other``."""

    section: str
    subject: str
    property: str
    object: str
    kind: str  # iri | literal


@lru_cache(maxsize=1)
def _rdf_mapping() -> tuple[_RdfMapping, ...]:
    with (data_dir("mappings") / "report-rdf.csv").open(encoding="utf-8", newline="") as f:
        return tuple(
            _RdfMapping(r["section"], r["subject"], expand(r["property"]), r["object"], r["kind"])
            for r in csv.DictReader(f)
        )


def _mapped(ca: CityAnalysis, row: object, column: str) -> list[str]:
    """The subject(s) a mapping line names for ``row``: its own column, or a column of another section's rows."""
    other, _, col = column.rpartition(".")
    if other:
        return [getattr(r, snake(col)) for r in getattr(ca, other)]
    return [getattr(row, snake(col))]


def analysis_quads(analysis: Analysis) -> list[ox.Triple]:
    """The findings and derived facts as RDF (for portals): what the rules derived, plus the rules
    themselves described as prov:Plan with their clause."""

    triples = list(analysis.derivation.triples)
    # what a portal should get next to the findings, copied from the report's sections (mappings/report-rdf.csv):
    # each city's master plan, its current phase, its actions with owner and status
    for ca in analysis.cities:
        for m in _rdf_mapping():
            for row in getattr(ca, m.section):
                for subject in _mapped(ca, row, m.subject):
                    obj = getattr(row, snake(m.object))
                    if subject and obj is not None and obj != "":
                        o = ox.Literal(str(obj)) if m.kind == "literal" else ox.NamedNode(str(obj))
                        triples.append(ox.Triple(ox.NamedNode(subject), ox.NamedNode(m.property), o))
    for rule in bundled_rules():
        node = ox.NamedNode(rule.iri)
        triples.append(ox.Triple(node, ox.NamedNode(f"{RDF}type"), ox.NamedNode(f"{PROV}Plan")))
        triples.append(ox.Triple(node, ox.NamedNode(f"{DCTERMS}source"), ox.Literal(rule.header["clause"])))
        triples.append(ox.Triple(node, ox.NamedNode(f"{RDFS}label"), ox.Literal(rule.id)))
    return triples


# ============================================================================================ tables


def _cell(v: Value) -> str:
    if v is None:
        return ""
    return short(v) if isinstance(v, str) and v.startswith(("http://", "https://", "urn:")) else str(v)


def table_text(table: Table) -> str:
    rows = [[_cell(v) for v in row] for row in table.rows]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(table.columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(table.columns, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)


def table_csv(table: Table) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([neutralise(c) for c in table.columns])
    for row in table.rows:
        w.writerow(["" if v is None else neutralise(v) for v in row])
    return buf.getvalue()


def table_json(table: Table) -> str:
    return json_text({"columns": table.columns, "rows": [dict(zip(table.columns, r, strict=True)) for r in table.rows]})
