"""SHACL validation with pySHACL (the reference engine), normalised into plain result records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..convert import from_rdflib_term
from ..errors import InputError
from ..terms import IRI, Term

if TYPE_CHECKING:
    from rdflib import Graph, URIRef
    from rdflib.term import Node

#: the SHACL severities by name, most severe first: the one place the order is written (validation, triage and
#: the reports derive theirs from it)
SEVERITY_ORDER = ("Violation", "Warning", "Info")


def severity_rank(name: str) -> int:
    """0 for the most severe (Violation), 1, 2; 9 for a name that is not a SHACL severity."""
    return SEVERITY_ORDER.index(name) if name in SEVERITY_ORDER else 9


@dataclass(frozen=True, order=True)
class Result:
    """One SHACL validation result, engine-independent. Its terms are :mod:`sscrdf.terms` terms (strings whose
    text is the IRI, blank node label or lexical form; no rdflib needed)."""

    focus: Term
    shape: Term
    severity: IRI
    component: IRI
    path: Term | None
    value: Term | None
    message: str
    source: str | None = None  # the clause behind the shape (its dcterms:source)

    @property
    def severity_name(self) -> str:
        return str(self.severity).rsplit("#", 1)[-1]


def _node(report: Graph, result: Node, prop: URIRef) -> Term:
    """The value of ``prop`` (which SHACL requires exactly once) on ``result``; ValueError when it is missing."""
    value = report.value(result, prop)
    if value is None:
        raise ValueError(f"a validation result without {prop.n3()}")
    return from_rdflib_term(value)


def _iri(report: Graph, result: Node, prop: URIRef) -> IRI:
    value = _node(report, result, prop)
    if not isinstance(value, IRI):
        raise ValueError(f"a validation result whose {prop.n3()} is not an IRI: {value!r}")
    return value


def _optional(report: Graph, result: Node, prop: URIRef) -> Term | None:
    value = report.value(result, prop)
    return None if value is None else from_rdflib_term(value)


def results_from_report(report: Graph) -> list[Result]:
    """The results of a sh:ValidationReport graph, sorted."""
    from rdflib import Literal  # heavy: the report graph comes from pySHACL, which loaded rdflib
    from rdflib.namespace import SH

    out = []
    for r in report.subjects(SH.resultSeverity, None):
        msgs = sorted(str(m) for m in report.objects(r, SH.resultMessage) if isinstance(m, Literal))
        en = [
            str(m) for m in report.objects(r, SH.resultMessage) if isinstance(m, Literal) and m.language in (None, "en")
        ]
        out.append(
            Result(
                focus=_node(report, r, SH.focusNode),
                shape=_node(report, r, SH.sourceShape),
                severity=_iri(report, r, SH.resultSeverity),
                component=_iri(report, r, SH.sourceConstraintComponent),
                path=_optional(report, r, SH.resultPath),
                value=_optional(report, r, SH.value),
                message=(sorted(en) or msgs or [""])[0],
            )
        )
    return sorted(
        out, key=lambda r: (str(r.focus), str(r.shape), str(r.path), str(r.value), r.message, str(r.component))
    )


def run_pyshacl(
    data: Graph, shapes: Graph, *, ont: Graph | None = None, inference: str = "none", advanced: bool = False
) -> tuple[bool, list[Result]]:
    """Validate ``data`` against ``shapes`` with pySHACL. Neither graph is changed (pySHACL works on a copy
    whenever it would mix graphs or infer)."""
    import pyshacl  # the reference engine (~1 s to import): only the fallback and --engine pyshacl need it
    from rdflib import Graph  # heavy, as pySHACL itself

    shapes_copy = Graph()  # pySHACL adds a few RDFS axioms to the shapes graph it is given
    shapes_copy += shapes
    conforms, report, text = pyshacl.validate(
        data,
        shacl_graph=shapes_copy,
        ont_graph=ont,
        inference=inference,
        advanced=advanced,
        allow_warnings=True,
        inplace=False,
        abort_on_first=False,
    )
    if not isinstance(report, Graph):  # pySHACL could not evaluate the shapes (it returns a ValidationFailure)
        first = next((ln.strip() for ln in str(text or report).splitlines() if ln.strip()), "unknown failure")
        raise InputError(f"the shapes could not be evaluated by pySHACL: {first}")
    return bool(conforms), results_from_report(report)


def shape_sources(shapes: Graph) -> dict[Term, str]:
    """Each shape's clause (dcterms:source); a property shape without one inherits its node shape's. Keyed by
    :mod:`sscrdf.terms` terms, as the results name their shapes."""
    from rdflib.namespace import DCTERMS, SH  # heavy: the shapes graph is rdflib's, so rdflib is loaded

    own = {
        from_rdflib_term(s): "; ".join(sorted(str(o) for o in shapes.objects(s, DCTERMS.source)))
        for s in set(shapes.subjects(DCTERMS.source, None))
    }
    out = dict(own)
    for node, prop in shapes.subject_objects(SH.property):
        n, p = from_rdflib_term(node), from_rdflib_term(prop)
        if p not in out and n in own:
            out[p] = own[n]
    return out
