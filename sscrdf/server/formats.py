"""What the endpoint can answer in, and how a client's ``Accept`` header picks one (SPARQL 1.1 Protocol, section
2.1; HTTP content negotiation with q-values).

- SELECT and ASK results: SPARQL JSON (the default), SPARQL XML, CSV and TSV (W3C SPARQL 1.1 Query Results formats);
- CONSTRUCT and DESCRIBE graphs, and the service description: Turtle (the default), N-Triples, JSON-LD, RDF/XML.

The serializers here take rows that were already cut at the result-size limit (a list), so what is written is
bounded; they are used by the query workers (:mod:`sscrdf.server.workers`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ..namespaces import FORMATS, SPARQL_RESULTS, XSD

#: an RDF term in an answer (a triple term is RDF 1.2, which pyoxigraph can produce)
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

__all__ = [
    "FORMAT_IRIS",
    "GRAPH_FORMATS",
    "RESULT_FORMATS",
    "Format",
    "Term",
    "by_name",
    "negotiate",
    "serialize_boolean",
    "serialize_graph",
    "serialize_solutions",
]


@dataclass(frozen=True)
class Format:
    """One answer format: its name, the media type sent, other media types that ask for it, and other words a
    ``format=`` parameter may use for it (those SPARQLWrapper sends, among others)."""

    name: str
    media_type: str
    aliases: tuple[str, ...] = ()
    words: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        return self.media_type + ("; charset=utf-8" if self.media_type.startswith("text/") else "")

    @property
    def names(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


RESULT_FORMATS = (
    Format("json", "application/sparql-results+json", ("application/json",)),
    Format("xml", "application/sparql-results+xml", ("application/xml", "text/xml")),
    Format("csv", "text/csv"),
    Format("tsv", "text/tab-separated-values"),
)
GRAPH_FORMATS = (
    Format("turtle", "text/turtle", ("application/turtle", "application/x-turtle"), ("ttl", "n3")),
    Format("ntriples", "application/n-triples", (), ("nt", "n-triples")),
    Format("jsonld", "application/ld+json", ("application/x-json+ld",), ("json-ld", "json")),
    Format("rdfxml", "application/rdf+xml", ("application/xml", "text/xml"), ("rdf+xml", "rdf", "xml")),
)
_XSD_STRING = f"{XSD}string"
#: the W3C format IRIs (http://www.w3.org/ns/formats/) of each format, for the service description
FORMAT_IRIS = {
    "json": FORMATS + "SPARQL_Results_JSON",
    "xml": FORMATS + "SPARQL_Results_XML",
    "csv": FORMATS + "SPARQL_Results_CSV",
    "tsv": FORMATS + "SPARQL_Results_TSV",
    "turtle": FORMATS + "Turtle",
    "ntriples": FORMATS + "N-Triples",
    "jsonld": FORMATS + "JSON-LD",
    "rdfxml": FORMATS + "RDF_XML",
}
_RDF_FORMAT = {"turtle": "TURTLE", "ntriples": "N_TRIPLES", "jsonld": "JSON_LD", "rdfxml": "RDF_XML"}


def _ranges(accept: str) -> list[tuple[str, float]]:
    """The media ranges of an Accept header with their q-values (a range with a malformed q-value is dropped)."""
    out = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
        if 0.0 <= q <= 1.0:
            out.append((media, q))
    return out


def _quality(fmt: Format, ranges: list[tuple[str, float]]) -> float:
    """The q-value the most specific matching range gives ``fmt`` (exact type > type/* > */*); 0 if none."""
    best = (-1, 0.0)  # (specificity, q)
    major = fmt.media_type.split("/")[0]
    for media, q in ranges:  # an alias counts when named exactly; wildcards match the main media type only
        spec = 2 if media in fmt.names else 1 if media == major + "/*" else 0 if media == "*/*" else -1
        if spec > best[0] or (spec == best[0] and spec >= 0 and q > best[1]):
            best = (spec, q)
    return best[1] if best[0] >= 0 else 0.0


def negotiate(accept: str | None, offers: tuple[Format, ...]) -> Format | None:
    """The format of ``offers`` an ``Accept`` header asks for: the highest q-value wins, ties go to the order of
    ``offers`` (its first is the default, also for a missing or empty header and for ``*/*``); None when the
    header accepts none of them (HTTP 406)."""
    if not accept or not accept.strip():
        return offers[0]
    ranges = _ranges(accept)
    if not ranges:
        return offers[0]
    scored = [(_quality(f, ranges), -i, f) for i, f in enumerate(offers)]
    q, _, fmt = max(scored, key=lambda s: (s[0], s[1]))
    return fmt if q > 0 else None


def by_name(name: str, offers: tuple[Format, ...]) -> Format | None:
    """The format a ``format=`` parameter names (its name, one of its words or media types), or None."""
    name = name.strip().lower()
    return next((f for f in offers if name == f.name or name in f.words or name in f.names), None)


# ------------------------------------------------------------------------------------------ serializers


def _term_json(t: Term) -> dict[str, Any]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Triple):  # RDF 1.2 quoted triple (pyoxigraph can produce them)
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(t.subject),
                "predicate": _term_json(t.predicate),
                "object": _term_json(t.object),
            },
        }
    out = {"type": "literal", "value": t.value}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype and t.datatype.value != _XSD_STRING:
        out["datatype"] = t.datatype.value
    return out


def _term_xml(t: Term) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
        if t.datatype and t.datatype.value != _XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
        return f"<literal>{escape(t.value)}</literal>"
    return f"<literal>{escape(str(t))}</literal>"


def _term_csv(t: Term | None) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        return "_:" + t.value
    return t.value if isinstance(t, (ox.NamedNode, ox.Literal)) else str(t)


def _term_tsv(t: Term | None) -> str:
    # pyoxigraph writes a term in N-Triples syntax (a valid Turtle term) with \n, \r, " and \ escaped
    return "" if t is None else str(t).replace("\t", "\\t")


def serialize_solutions(names: list[str], rows: Sequence[Sequence[Term | None]], fmt: str) -> bytes:
    """SELECT results (``rows``: tuples of terms or None, in the order of ``names``) in the format named ``fmt``."""
    if fmt == "json":
        bindings = [{n: _term_json(t) for n, t in zip(names, row, strict=True) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False).encode()
    if fmt == "xml":
        out = [
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{SPARQL_RESULTS}"><head>',
            *(f"<variable name={quoteattr(n)}/>" for n in names),
            "</head><results>",
        ]
        for row in rows:
            out.append("<result>")
            out.extend(
                f"<binding name={quoteattr(n)}>{_term_xml(t)}</binding>"
                for n, t in zip(names, row, strict=True)
                if t is not None
            )
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode()
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(names)
        writer.writerows([_term_csv(t) for t in row] for row in rows)
        return buf.getvalue().encode()
    if fmt == "tsv":
        lines = ["\t".join("?" + n for n in names)]
        lines.extend("\t".join(_term_tsv(t) for t in row) for row in rows)
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"unknown results format {fmt!r}")


def serialize_boolean(value: bool, fmt: str) -> bytes:
    """An ASK result in the format named ``fmt`` (CSV and TSV: the word true or false, as Oxigraph writes it)."""
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="{SPARQL_RESULTS}">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n"
        ).encode()
    if fmt in ("csv", "tsv"):
        return b"true\n" if value else b"false\n"
    raise ValueError(f"unknown results format {fmt!r}")


def serialize_graph(triples: Sequence[ox.Triple], fmt: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples in the graph format named ``fmt`` (Turtle with ``prefixes``)."""
    rdf_format = getattr(ox.RdfFormat, _RDF_FORMAT[fmt])
    out = ox.serialize(triples, format=rdf_format, prefixes=prefixes if fmt == "turtle" and prefixes else None)
    assert out is not None  # no output file given: pyoxigraph returns the bytes
    return out
