"""The query guard: sscrdf never lets a SPARQL text reach out to the network or change a store.

Every SPARQL text that comes from outside the package's own code — a query sent to ``sscrdf serve``, a user
``.rq`` file given to ``query``, a rule file, a SHACL-SPARQL constraint in ``--shapes`` — is checked here
*on its parsed form* (rdflib's SPARQL 1.1 grammar), not on its text:

- ``SERVICE`` anywhere in the query (federation would make the engine send HTTP requests) is refused;
- any SPARQL Update (``LOAD``, ``INSERT``, ``DELETE``, ``CLEAR``, ``DROP``, ...) is refused;
- a text that does not parse as a SPARQL 1.1 query is refused (what cannot be checked does not run).

Words such as ``service`` or ``load`` inside IRIs, strings, comments or variable names are harmless and
accepted. SPARQL's ``\\uXXXX`` escapes are expanded here exactly once (by the SPARQL 1.1 rules, before parsing),
and the *expanded* text is what the engines run, so the checked text and the executed text are the same;
an escape that would still be there after the expansion (``\\u005Cu0053ERVICE``) is refused.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..namespaces import LOCAL

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = ["QueryRefused", "check_query", "check_query_form", "check_shapes"]

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: rdflib parse-tree nodes that reach the network
_REMOTE = {"ServiceGraphPattern": "SERVICE"}
#: rdflib's (pyparsing) grammar is not thread-safe; the server checks queries from many threads
_PARSER_LOCK = threading.Lock()


class QueryRefused(InputError):
    """A SPARQL text the guard does not let run (federation, update, or not checkable)."""


def _expand(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise ValueError(m.group(0))
        return chr(code)

    return _ESCAPE.sub(one, text)


def _nodes(tree: object) -> Iterator[str]:
    """The names of every parse-tree node (rdflib CompValue) in ``tree``, iteratively (deep queries)."""
    # loaded with rdflib's SPARQL parser (see check_query), only on the paths that check queries
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack: list[object] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node.name
            stack.extend(node.values())
        elif isinstance(node, (ParseResults, list, tuple)):
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())


#: SPARQL 1.1 lexical tokens that can hide a word: IRIs, the four string forms, comments (grammar section 19.8)
_TOKENS = re.compile(
    r"""
    (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<str>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'\'\'(?:[^'\\]|\\.|'(?!''))*\'\'\'
           |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<comment>\#[^\n\r]*)
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)
  | (?P<name>[A-Za-z_][\w.\-]*(?::[\w.\-:%]*)?|:[\w.\-:%]*)
  | (?P<other>.)
""",
    re.X | re.S,
)


def code_and_keywords(text: str) -> tuple[str, set[str]]:
    """``text`` with its IRIs, strings and comments each blanked to ``""`` (so no word inside them counts), and the
    upper-cased words that stand as names in it (keywords and prefixed names, not variables)."""
    code, words = [], set()
    for m in _TOKENS.finditer(text):
        kind = m.lastgroup
        code.append('""' if kind in ("iri", "str", "comment") else m.group())
        if kind == "name":
            words.add(m.group().upper())
    return "".join(code), words


def _has_service_keyword(text: str) -> bool:
    """True when the word SERVICE stands as a keyword in ``text`` (outside IRIs, strings, comments, variables
    and prefixed names). A second, lexical line of defence next to the parse: where the two would disagree,
    the query is refused."""
    return any(m.lastgroup == "name" and m.group().upper() == "SERVICE" for m in _TOKENS.finditer(text))


def check_query(text: str, *, source: str | Path | None = None, what: str = "query") -> str:
    """The text to run for ``text`` (its ``\\u`` escapes expanded); QueryRefused when it would use SERVICE,
    is an update, or cannot be parsed as a SPARQL 1.1 query. ``source`` names where the text came from."""
    return check_query_form(text, source=source, what=what)[0]


#: rdflib's parse-tree name of each query form
_FORMS = {"SelectQuery": "SELECT", "AskQuery": "ASK", "ConstructQuery": "CONSTRUCT", "DescribeQuery": "DESCRIBE"}


def check_query_form(text: str, *, source: str | Path | None = None, what: str = "query") -> tuple[str, str]:
    """As :func:`check_query`, and the query's form from the same parse: (text to run, "SELECT" | "ASK" |
    "CONSTRUCT" | "DESCRIBE")."""
    # rdflib's parser is imported here, not at module level: it costs ~0.3 s and only checked paths need it
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        expanded = _expand(text)
    except ValueError as exc:
        raise QueryRefused(f"the {what} has an invalid escape {exc}", path=source) from None
    if _ESCAPE.search(expanded):
        raise QueryRefused(f"the {what} hides an escape inside an escape; write the characters themselves", path=source)
    if not expanded.strip() or all(
        m.lastgroup == "comment" or not m.group().strip() for m in _TOKENS.finditer(expanded)
    ):
        raise QueryRefused(f"the {what} is empty", path=source)
    if _has_service_keyword(expanded):
        raise QueryRefused(
            f"the {what} uses SERVICE; sscrdf never sends requests to other endpoints",
            path=source,
            hint="query the data locally, without SERVICE",
        )
    try:
        with _PARSER_LOCK:
            tree = parseQuery(expanded)
    except ParseException as exc:
        try:
            with _PARSER_LOCK:
                parseUpdate(expanded)
        except (ParseException, RecursionError, ValueError):
            raise QueryRefused(
                f"the {what} is not a SPARQL 1.1 query: {exc.msg} at line {exc.lineno} column {exc.col}", path=source
            ) from None
        raise QueryRefused(
            f"the {what} is a SPARQL Update (LOAD, INSERT, DELETE, ...); sscrdf runs read-only queries only",
            path=source,
        ) from None
    except (RecursionError, ValueError) as exc:
        raise QueryRefused(f"the {what} cannot be checked ({type(exc).__name__})", path=source) from None
    for name in _nodes(tree):
        if name in _REMOTE:
            raise QueryRefused(
                f"the {what} uses {_REMOTE[name]}; sscrdf never sends requests to other endpoints",
                path=source,
                hint="query the data locally, without SERVICE",
            )
    form = next((_FORMS[n] for n in (getattr(part, "name", None) for part in tree) if n in _FORMS), "SELECT")
    return expanded, form


#: SHACL / SHACL-AF properties whose values are SPARQL texts
_SPARQL_PROPERTIES = ("select", "ask", "construct", "update")
#: SHACL-SPARQL pre-bound variables that are not SPARQL syntax in every position ($PATH is a path)
_PREBOUND_PATH = re.compile(r"\$PATH\b")


def check_shapes(shapes: Graph, source: str | Path | None = None) -> None:
    """QueryRefused when a SPARQL text in the SHACL shapes graph ``shapes`` (rdflib Graph) would use SERVICE or
    is an update (every sh:select, sh:ask, sh:construct, sh:update value is checked)."""
    from rdflib import Literal  # heavy, and loaded already: the shapes graph given is rdflib's
    from rdflib.namespace import SH

    for prop in _SPARQL_PROPERTIES:
        for shape, value in shapes.subject_objects(SH[prop]):
            if not isinstance(value, Literal):
                continue
            text = _PREBOUND_PATH.sub(f"<{LOCAL}path>", str(value))
            if prop == "update":
                raise QueryRefused(
                    "a SHACL shape holds a SPARQL Update (sh:update); sscrdf runs read-only queries only", path=source
                )
            check_query(text, source=source, what=f"sh:{prop} of shape {shape.n3()}")
