"""The vocabulary check: city data may use only the ``ssc:`` terms the ontology knows.

A misspelt term (``ssc:Municipalty``) would otherwise pass silently and make a stakeholder vanish from every rule
and query, so an unknown ``ssc:`` IRI is an input error, reported with the closest known term and the place in
the source file where it is written::

    riverton.ttl:14: unknown term ssc:Municipalty (and 2 more unknown terms) — did you mean ssc:Municipality?
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import SSC as _SSC_NS, short

__all__ = [
    "SSC",
    "UnknownTerm",
    "UnknownTermError",
    "check_vocabulary",
    "short",
    "ssc_terms_in_nquads",
    "ssc_terms_used",
    "unknown_terms",
]

SSC = str(_SSC_NS)  # the namespace as a plain string (the vocabulary check compares strings)

_NAME_CHARS = r"[\w\-]"  # characters of a prefixed name's local part (after its first one)
_LOCAL = r"([A-Za-z_]" + _NAME_CHARS + r"*(?:\." + _NAME_CHARS + r"+)*)"
_PREFIX_DECLS = (
    re.compile(r"@?prefix\s+([A-Za-z][\w.\-]*)?:\s*<" + re.escape(SSC) + ">", re.IGNORECASE),  # Turtle, SPARQL
    re.compile(r"xmlns:([A-Za-z_][\w.\-]*)\s*=\s*[\"']" + re.escape(SSC) + "[\"']"),  # RDF/XML
    re.compile(r"\"([A-Za-z_][\w.\-]*)\"\s*:\s*\"" + re.escape(SSC) + '"'),  # JSON-LD context
)


@dataclass(frozen=True)
class UnknownTerm:
    """An ``ssc:`` IRI the data uses that the ontology does not know.

    ``suggestion`` is the closest known IRI (or None); ``path``/``line``/``column`` the first place it is written
    in the sources (None when it cannot be found, e.g. in a CSV register or a relative IRI).
    """

    term: str
    suggestion: str | None
    path: Path | None
    line: int | None
    column: int | None = None


# ------------------------------------------------------------------------------------------- terms used


def _iris(term: object) -> Iterator[str]:
    """The IRIs in one RDF term (a quoted triple's too; a literal's datatype)."""
    if isinstance(term, ox.NamedNode):
        yield term.value
    elif isinstance(term, ox.Literal):
        yield term.datatype.value
    elif isinstance(term, ox.Triple):
        for part in (term.subject, term.predicate, term.object):
            yield from _iris(part)


def ssc_terms_used(store: ox.Store) -> set[str]:
    """Every IRI of the ssc: namespace used as subject, predicate or object (hence also as an rdf:type value) or
    as a literal's datatype, in the default graph and all named graphs of ``store``.

    Done with DISTINCT queries in the store's engine: a Python loop over every quad costs ~2 µs a quad."""
    seen: set[str] = set()
    ns = f'STRSTARTS(STR(?t), "{SSC}")'  # only ssc: IRIs come back to Python (converting a row costs more)
    queries = (
        f"SELECT DISTINCT ?t WHERE {{ ?t ?p ?o FILTER(isIRI(?t) && {ns}) }}",
        f"SELECT DISTINCT ?t WHERE {{ ?s ?t ?o FILTER({ns}) }}",
        f"SELECT DISTINCT ?t WHERE {{ ?s ?p ?t FILTER(isIRI(?t) && {ns}) }}",
        "SELECT DISTINCT (DATATYPE(?o) AS ?t) WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }",
    )
    for q in queries:
        solutions = store.query(q, use_default_graph_as_union=True)
        assert isinstance(solutions, ox.QuerySolutions)  # a SELECT query
        for sol in solutions:
            t = sol["t"]
            if isinstance(t, ox.NamedNode) and t.value.startswith(SSC) and len(t.value) > len(SSC):
                seen.add(t.value)
    return seen


#: an ssc: IRI as N-Quads writes it (``<...>``); also matches such text inside a literal, hence the check below
_NQ_SSC_IRI = re.compile(rb"<" + re.escape(bytes(SSC, "utf-8")) + rb"([^>\s]+)>")


def ssc_terms_in_nquads(data: bytes, store: ox.Store) -> set[str]:
    """:func:`ssc_terms_used` of ``store`` when ``data`` is the N-Quads document it was loaded from (a batch of
    city graphs): the ssc: IRIs written in ``data``, found by one regular-expression pass over its bytes (about
    five times faster than the four queries). N-Quads writes every IRI as ``<...>``; a match can also be text
    inside a literal, so each candidate is confirmed in ``store`` by index lookups as subject, predicate or
    object, and only the ones that are none of these go through the literal-datatype scan."""
    found: set[str] = set()
    for local in {m.decode("utf-8", "replace") for m in _NQ_SSC_IRI.findall(data)}:
        iri = SSC + local
        node = ox.NamedNode(iri)
        if (
            any(True for _ in store.quads_for_pattern(node, None, None, None))
            or any(True for _ in store.quads_for_pattern(None, node, None, None))
            or any(True for _ in store.quads_for_pattern(None, None, node, None))
            or store.query(
                f"ASK {{ ?s ?p ?o FILTER(isLiteral(?o) && DATATYPE(?o) = <{iri}>) }}", use_default_graph_as_union=True
            )
        ):
            found.add(iri)
    return found


# ------------------------------------------------------------------------------------------- suggestions


def _suggestion(term: str, known: Iterable[str]) -> str | None:
    """The known ssc: IRI whose local name is closest to ``term``'s (case-insensitive), or None."""
    by_local: dict[str, str] = {}
    for iri in sorted(known):
        if iri.startswith(SSC):
            by_local.setdefault(iri[len(SSC) :].lower(), iri)
    match = difflib.get_close_matches(term[len(SSC) :].lower(), list(by_local), n=1, cutoff=0.6)
    return by_local[match[0]] if match else None


# ------------------------------------------------------------------------------------------- locations


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return None


def _occurrence_pattern(text: str) -> re.Pattern[str]:
    """A pattern matching ``ssc:Local`` (and other prefixes bound to the namespace in ``text``) or the full IRI;
    group 1 or 2 is the local name."""
    prefixes = {"ssc"}
    for decl in _PREFIX_DECLS:
        prefixes.update(m.group(1) or "" for m in decl.finditer(text))
    names = "|".join(sorted((re.escape(p) for p in prefixes), key=len, reverse=True))
    prefixed = r"(?<![\w\-.:/#])(?:" + names + r"):" + _LOCAL + r"(?![\w\-])"
    full = re.escape(SSC) + r"([^\s<>\"'{}|^`\\#]+?)(?=[\s<>\"'{}|^`\\,;)\]]|$)"
    return re.compile(prefixed + "|" + full)


def _first_occurrences(text: str, wanted: set[str]) -> dict[str, tuple[int, int]]:
    """Line and column (1-based) of the first occurrence of each wanted local name in ``text``."""
    found: dict[str, tuple[int, int]] = {}
    for m in _occurrence_pattern(text).finditer(text):
        local = m.group(1) or m.group(2)
        if local in wanted and local not in found:
            line = text.count("\n", 0, m.start()) + 1
            column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            found[local] = (line, column)
            if len(found) == len(wanted):
                break
    return found


def _locations(terms: set[str], sources: Iterable[str | Path]) -> dict[str, tuple[Path, int, int]]:
    """For each term (full IRI), the first source file, line and column where it is written."""
    wanted = {t[len(SSC) :] for t in terms}
    out: dict[str, tuple[Path, int, int]] = {}
    for source in sources:
        missing = {w for w in wanted if SSC + w not in out}
        if not missing:  # before reading the file: a dataset of 10,000 cities is about 900 MB of text
            break
        path = Path(source)
        text = _read_text(path)
        if text is None:
            continue
        for local, (line, column) in _first_occurrences(text, missing).items():
            out[SSC + local] = (path, line, column)
    return out


# ------------------------------------------------------------------------------------------- the check


def unknown_terms(
    store: ox.Store | None, known: set[str], sources: Iterable[str | Path] = (), used: set[str] | None = None
) -> list[UnknownTerm]:
    """The ssc: terms ``store`` uses that are not in ``known``, each with a suggestion and a source location.

    Ordered as a reader meets them: by source file (in the order given) and line, then the ones not found in
    any source, by IRI. ``used`` is ``ssc_terms_used(store)`` when the caller already computed it.
    """
    sources = [Path(s) for s in sources]
    if used is None:
        if store is None:
            raise TypeError("unknown_terms needs the store or the terms it uses")
        used = ssc_terms_used(store)
    unknown = used - set(known)
    located = _locations(unknown, sources)
    order = {path: i for i, path in enumerate(sources)}

    def sort_key(term: str) -> tuple[int, int, int, str]:
        if term in located:
            path, line, column = located[term]
            return (order.get(path, len(sources)), line, column, term)
        return (len(sources) + 1, 0, 0, term)

    result = []
    for term in sorted(unknown, key=sort_key):
        path, line, column = located.get(term, (None, None, None))
        result.append(UnknownTerm(term=term, suggestion=_suggestion(term, known), path=path, line=line, column=column))
    return result


class UnknownTermError(InputError):
    """City data uses ``ssc:`` terms the ontology does not declare. ``terms`` lists each one (in reading order)
    with the nearest declared term and where it is written; the message names the first and counts the rest."""

    def __init__(self, terms: list[UnknownTerm]) -> None:
        first = terms[0]
        more = len(terms) - 1
        message = f"unknown term {short(first.term, angle=True)}"
        if more:
            message += f" (and {more} more unknown term{'s' if more > 1 else ''})"
        if first.suggestion:
            hint = f"did you mean {short(first.suggestion, angle=True)}?"
        else:
            hint = "it is not in the sscrdf ontology: check its spelling and the ssc: namespace IRI " + SSC
        super().__init__(message, path=first.path, line=first.line, column=first.column, hint=hint)
        self.terms = terms

    def __reduce__(self) -> tuple[type[UnknownTermError], tuple[list[UnknownTerm]]]:  # picklable (raised in workers)
        return (type(self), (self.terms,))


def check_vocabulary(
    store: ox.Store | None, known: set[str], sources: Iterable[str | Path] = (), used: set[str] | None = None
) -> None:
    """:class:`UnknownTermError` for the unknown ssc: terms in ``store`` (the message names the first, with a
    "did you mean", and how many more there are); nothing when every ssc: term is known. ``used`` replaces the
    scan of ``store`` when already known."""
    problems = unknown_terms(store, known, sources, used)
    if problems:
        raise UnknownTermError(problems)
