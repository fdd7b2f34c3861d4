"""SPARQL query files (``queries/*.rq``): their headers, and running them on the embedded store or a remote
SPARQL 1.1 endpoint.

Each file holds one standard SPARQL 1.1 query and a comment header::

    # id: missing-categories
    # question: Which of the 12 stakeholder categories has the city not identified?
    # clause: Y Suppl. 34, clause 3.1
    # columns: city, category, categoryLabel

The same text runs unchanged on the embedded pyoxigraph store and on any SPARQL 1.1 endpoint.
"""

from __future__ import annotations

import difflib
import os
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeAlias

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import SSCR
from ..resources import data_dir
from .guard import check_query

_HEADER = re.compile(r"^#\s*(id|question|clause|columns|kind|derives|severity|title|section)\s*:\s*(.*?)\s*$", re.I)
REQUIRED_QUERY_KEYS = ("id", "question", "clause", "columns")


@dataclass(frozen=True)
class SparqlFile:
    """A query or rule file with its header."""

    path: Path
    text: str
    header: dict[str, str]

    @property
    def id(self) -> str:
        return self.header.get("id", self.path.stem)

    @property
    def iri(self) -> str:
        return str(SSCR) + self.id

    @property
    def columns(self) -> list[str]:
        return [c.strip() for c in self.header.get("columns", "").split(",") if c.strip()]


def read_header(text: str) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a query or rule file (continuation lines start with ``#   ``)."""
    header: dict[str, str] = {}
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        m = _HEADER.match(line)
        if m:
            last = m.group(1).lower()
            header[last] = m.group(2)
        elif last and line.startswith("#   "):
            header[last] += " " + line[1:].strip()
    return header


def read_sparql_file(path: Path, required: tuple[str, ...] = (), *, guard: bool = False) -> SparqlFile:
    """A query or rule file; with ``guard`` (files not bundled with sscrdf) its text must pass
    :func:`sscrdf.query.guard.check_query` (no SERVICE, no update), and the checked text is what runs."""
    path = Path(path)
    if not path.is_file():
        raise InputError("no such query file", path=path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text (byte {exc.start})", path=path) from None
    header = read_header(text)
    if guard:
        text = check_query(text, source=path)
    missing = [k for k in required if not header.get(k)]
    if missing:
        raise InputError(
            f"the header lacks {', '.join('# ' + k + ':' for k in missing)}",
            path=path,
            line=1,
            hint="see the header of any bundled file in queries/",
        )
    return SparqlFile(path, text, header)


def bundled_queries(extra_dirs: tuple[Path, ...] = ()) -> list[SparqlFile]:
    """The bundled query files (and those in ``extra_dirs``), sorted by id."""
    folder = data_dir("queries")
    own = list(_bundled(folder, _modified(folder)))
    extra = [
        read_sparql_file(p, REQUIRED_QUERY_KEYS, guard=True) for d in extra_dirs for p in sorted(Path(d).glob("*.rq"))
    ]
    return sorted(own + extra, key=lambda q: q.id)


def _modified(folder: Path) -> tuple[tuple[str, int], ...]:
    """The names of the .rq files in ``folder``, sorted, with their modification times: from one scan of the
    folder (an analysis looks up each report query by id, and globbing and stat-ing the folder through pathlib
    for each lookup took as long as two of the queries)."""
    with os.scandir(folder) as entries:
        return tuple(sorted((e.name, e.stat().st_mtime_ns) for e in entries if e.name.endswith(".rq")))


@lru_cache(maxsize=4)
def _bundled(folder: Path, key: tuple[tuple[str, int], ...]) -> tuple[SparqlFile, ...]:
    """The bundled query files, read once per process for the same files and modification times (``analyze``
    looks up a dozen queries by id, and reading every file for each took longer than running them)."""
    return tuple(read_sparql_file(folder / name, REQUIRED_QUERY_KEYS) for name, _ in key)


def find_query(name: str, extra_dirs: tuple[Path, ...] = ()) -> SparqlFile:
    """A query by id or file stem, or a path to a ``.rq`` file."""
    p = Path(name)
    if p.suffix == ".rq" and (p.is_file() or "/" in name):
        return read_sparql_file(p, guard=True)
    queries = bundled_queries(extra_dirs)
    for q in queries:
        if name in (q.id, q.path.stem):
            return q
    close = difflib.get_close_matches(name, [q.id for q in queries], n=1)
    raise InputError(
        f"no query named {name!r}",
        hint=(f"did you mean {close[0]!r}? " if close else "") + "`sscrdf queries` lists them",
    )


#: one cell of a :class:`Table`: a plain value, None when the variable is unbound
Value: TypeAlias = str | int | float | bool | None
#: one row of a :class:`Table` as column -> value
Row: TypeAlias = dict[str, Value]


def as_str(value: Value) -> str:
    """The value of a column a query always binds to an IRI or a string; TypeError for anything else."""
    if not isinstance(value, str):
        raise TypeError(f"expected an IRI or a string from the query, got {value!r}")
    return value


def as_int(value: Value) -> int:
    """The value of a column a query always binds to an integer (a COUNT, a rank); TypeError otherwise."""
    if not isinstance(value, int):
        raise TypeError(f"expected an integer from the query, got {value!r}")
    return value


@dataclass(frozen=True)
class Table:
    """A SELECT result: column names and rows of plain values (str/int/float/bool or None)."""

    columns: list[str]
    rows: list[tuple[Value, ...]]


_INTEGERS = ("integer", "int", "long", "nonNegativeInteger", "positiveInteger")


def _literal_value(lexical: str, datatype: str | None) -> Value:
    """A literal as a plain Python value: numbers and booleans typed, everything else its lexical form."""
    return _converter(datatype or "string")(lexical)


#: the literal conversion of ``_literal_value`` by datatype, for the datatypes met so far (a query gives few)
_BY_DATATYPE: dict[ox.NamedNode, Callable[[str], Value]] = {}


def _number(kind: Callable[[str], Value]) -> Callable[[str], Value]:
    """``kind`` (int or float) of a lexical form, or the lexical form itself when it is not one (user data may say
    ``"x"^^xsd:integer``, or give an integer of more digits than Python converts): the validation reports it."""

    def convert(lexical: str) -> Value:
        try:
            return kind(lexical)
        except ValueError:
            return lexical

    return convert


_INT, _FLOAT = _number(int), _number(float)


def _converter(datatype: str) -> Callable[[str], Value]:
    """How a literal of ``datatype`` becomes a plain Python value (see ``_literal_value``)."""
    dt = datatype.rsplit("#", 1)[-1]
    if dt in _INTEGERS:
        return _INT
    if dt in ("decimal", "double", "float"):
        return _FLOAT
    if dt == "boolean":
        return "true".__eq__
    return str


def _py(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> Value:
    if term is None:
        return None
    kind = type(term)
    if kind is ox.Literal:
        datatype = term.datatype  # type: ignore[union-attr]  # a Literal
        convert = _BY_DATATYPE.get(datatype)
        if convert is None:
            convert = _BY_DATATYPE[datatype] = _converter(datatype.value)
        return convert(term.value)  # type: ignore[union-attr]  # a Literal
    return str(term) if kind is ox.Triple else term.value  # type: ignore[union-attr]  # an IRI or blank node


def select(store: ox.Store, text: str, *, union: bool = True, source: str | Path | None = None) -> Table:
    """Run a SELECT query on ``store`` (default graph = union of all graphs unless ``union`` is False)."""
    try:
        res = store.query(text, use_default_graph_as_union=union)
    except SyntaxError as exc:
        raise InputError(f"SPARQL syntax error: {exc}", path=source) from None
    if isinstance(res, (ox.QueryBoolean, ox.QueryTriples)):  # (a remote store's SELECT rows pass, see analysis.instore)
        raise InputError("not a SELECT query (ASK and CONSTRUCT are not tables)", path=source)
    cols = [v.value for v in res.variables]
    rows = [tuple([_py(sol[c]) for c in cols]) for sol in res]  # by name: a remote store's rows have no index
    return Table(cols, rows)


def select_remote(endpoint: str, text: str, *, timeout: int = 60) -> Table:
    """Run a SELECT query on a SPARQL 1.1 endpoint (SPARQL 1.1 Protocol, JSON results) with SPARQLWrapper."""
    from SPARQLWrapper import JSON, POST, SPARQLWrapper  # only `query --endpoint` talks to a remote store

    sw = SPARQLWrapper(endpoint)
    sw.setMethod(POST)
    sw.setReturnFormat(JSON)
    sw.setTimeout(timeout)
    sw.setQuery(text)
    try:
        with warnings.catch_warnings():  # SPARQLWrapper warns (on stderr) about unexpected content types
            warnings.simplefilter("ignore")
            data: Any = sw.queryAndConvert()  # parsed JSON, checked below
    except Exception as exc:  # network errors, HTTP errors, bad responses
        raise InputError(f"the SPARQL endpoint {endpoint} failed: {exc}".splitlines()[0]) from None
    try:
        cols = data["head"]["vars"]
        rows = [tuple(_json_value(b.get(c)) for c in cols) for b in data["results"]["bindings"]]
    except (TypeError, KeyError, ValueError, AttributeError):
        raise InputError(
            f"the SPARQL endpoint {endpoint} did not answer with SPARQL JSON results (got {type(data).__name__})",
            hint="check that the URL is a SPARQL endpoint",
        ) from None
    return Table(cols, rows)


def _json_value(binding: dict[str, str] | None) -> Value:
    """One value of SPARQL JSON results, converted like the embedded store's (see ``_py``)."""
    if binding is None:
        return None
    if binding["type"] in ("literal", "typed-literal"):
        return _literal_value(binding["value"], binding.get("datatype"))
    return binding["value"]
