"""Loading city data files into one in-memory pyoxigraph store.

Supported inputs (chosen by file extension, or forced with ``fmt``):

=================  ==========  ==========================================================
extension          format      notes
=================  ==========  ==========================================================
``.ttl``           turtle
``.trig``          trig        named graphs are kept
``.nq``            nquads      named graphs are kept
``.nt``            ntriples
``.jsonld .json``  json-ld     the ``@context`` must be inline: remote contexts are refused
``.rdf .owl .xml`` rdf-xml     UTF-8 only
``.csv``           csv         the stakeholder register, see :mod:`sscrdf.io.csvreg`
=================  ==========  ==========================================================

Every problem with the input is raised as :class:`~sscrdf.errors.InputError` with the file and, where it can
be known, the line and column; no other exception type leaves :func:`load`. Nothing is fetched from the
network, and the ontology is not needed here (the vocabulary check is :mod:`sscrdf.knowledge.vocab`).
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat

import pyoxigraph as ox

from ..errors import InputError
from ..progress import bar
from .encoding import check_utf8
from .limits import _ENV_LIMIT, input_limit

__all__ = [
    "FORMATS",
    "FORMAT_NAMES",
    "Loaded",
    "check_jsonld_contexts",
    "check_utf8",
    "detect_format",
    "input_limit",
    "load",
]

#: file extension (lower case, with the dot) → format name
FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nq": "nquads",
    ".nt": "ntriples",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "rdf-xml",
    ".owl": "rdf-xml",
    ".xml": "rdf-xml",
    ".csv": "csv",
    ".xlsx": "xlsx",
}

#: the format names :func:`detect_format` and :func:`load` accept as ``forced``/``fmt``
FORMAT_NAMES: tuple[str, ...] = ("turtle", "trig", "nquads", "ntriples", "json-ld", "rdf-xml", "csv", "xlsx")

_RDF_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdf-xml": ox.RdfFormat.RDF_XML,
}

_DISPLAY = {
    "turtle": "Turtle",
    "trig": "TriG",
    "nquads": "N-Quads",
    "ntriples": "N-Triples",
    "json-ld": "JSON-LD",
    "rdf-xml": "RDF/XML",
    "csv": "CSV",
    "xlsx": "XLSX register",
}

#: other spellings accepted for a forced format (case-insensitive)
_ALIASES = {
    "ttl": "turtle",
    "nq": "nquads",
    "n-quads": "nquads",
    "nt": "ntriples",
    "n-triples": "ntriples",
    "jsonld": "json-ld",
    "json": "json-ld",
    "rdfxml": "rdf-xml",
    "rdf/xml": "rdf-xml",
    "xml": "rdf-xml",
    "rdf": "rdf-xml",
    "owl": "rdf-xml",
}

_MIB = 1024 * 1024
_BOM = codecs.BOM_UTF8


@dataclass(frozen=True)
class Loaded:
    """The result of :func:`load`: a new store and what went into it.

    ``store`` holds the quads exactly as in the files (default-graph triples in the default graph, named graphs
    kept). ``named_graphs`` are the IRIs of its named graphs, sorted (a graph named by a blank node is in the
    store but not listed); ``triple_count`` is the number of distinct quads in all graphs.
    """

    store: ox.Store
    sources: tuple[Path, ...]
    named_graphs: tuple[str, ...]
    triple_count: int


# ------------------------------------------------------------------------------------------- formats


def _supported_extensions() -> str:
    return ", ".join(FORMATS)


def _normalise_format(name: str) -> str:
    """The canonical format name for a forced ``name``; InputError when unknown."""
    key = name.strip().lower().lstrip(".")
    key = _ALIASES.get(key, key)
    if key not in FORMAT_NAMES:
        raise InputError(f"unknown input format {name!r}", hint=f"use one of {', '.join(FORMAT_NAMES)}")
    return key


def detect_format(path: str | os.PathLike[str], forced: str | None = None) -> str:
    """The format name of ``path``: ``forced`` if given (checked), else from the file extension.

    Raises InputError for an unknown forced name or an unsupported extension.
    """
    if forced is not None:
        return _normalise_format(forced)
    suffix = Path(path).suffix.lower()
    if suffix in FORMATS:
        return FORMATS[suffix]
    what = f"extension {suffix!r}" if suffix else "no extension"
    raise InputError(
        f"unsupported file type ({what}); supported extensions: {_supported_extensions()}",
        path=path,
        hint=f"to read it anyway, force a format with --input-format NAME, NAME one of {', '.join(FORMAT_NAMES)}",
    )


# ------------------------------------------------------------------------------------------- limits


def _mib(n: int) -> str:
    return f"{n / _MIB:.1f} MiB"


def _limit_hint() -> str:
    return (
        f"split the data into smaller files, or raise the limit with the environment variable {_ENV_LIMIT} "
        f"if the machine has the memory"
    )


# ------------------------------------------------------------------------------------------- checks


def _check_file(path: Path) -> int:
    """The size of ``path`` in bytes; InputError when it is missing, not a regular file or unreadable.

    ``-`` (standard input) is let through with size 0: reading it is the caller's business."""
    if str(path) == "-":
        return 0
    try:
        st = path.stat()
    except FileNotFoundError:
        raise InputError("no such file", path=path, hint="check the path and the spelling of the file name") from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    if path.is_dir():
        raise InputError(
            "is a directory, not a file",
            path=path,
            hint=f"name the files inside it, e.g. {path.as_posix().rstrip('/')}/*.ttl",
        )
    if not stat.S_ISREG(st.st_mode):
        kind = (
            "a named pipe (FIFO)"
            if stat.S_ISFIFO(st.st_mode)
            else "a device"
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "a socket"
            if stat.S_ISSOCK(st.st_mode)
            else "not a regular file"
        )
        raise InputError(
            f"is {kind}, not a regular file; sscrdf reads only regular files",
            path=path,
            hint="save the data to a file first",
        )
    return st.st_size


def _check_size(path: Path, size: int, limit: int | None) -> None:
    if limit is not None and size > limit:
        raise InputError(
            f"file is {_mib(size)}, more than the {_mib(limit)} sscrdf may load into memory",
            path=path,
            hint=_limit_hint(),
        )


def _read(path: Path, limit: int | None = None) -> bytes:
    """The bytes of ``path``, never more than ``limit`` + 1 read (a file can grow, or lie about its size)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read() if limit is None else fh.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    if limit is not None and len(data) > limit:
        raise InputError(
            f"file is more than the {_mib(limit)} sscrdf may load into memory", path=path, hint=_limit_hint()
        )
    return data


_DTD_DECL = re.compile(rb"<!(ENTITY|DOCTYPE)\b")


def check_no_dtd(data: bytes, path: Path) -> None:
    """InputError when RDF/XML ``data`` declares a DTD or entities: their expansion is unbounded (a 1 KB
    "billion laughs" file expands to gigabytes) and external ones would be fetched; sscrdf accepts neither."""
    m = _DTD_DECL.search(data)
    if m:
        line = data.count(b"\n", 0, m.start()) + 1
        raise InputError(
            f"the RDF/XML declares a DTD (<!{m.group(1).decode()}); sscrdf does not expand XML entities",
            path=path,
            line=line,
            column=m.start() - data.rfind(b"\n", 0, m.start()),
            hint="remove the DOCTYPE and write the entity references (&name;) out in full",
        )


def _strip_bom(data: bytes) -> bytes:
    return data[len(_BOM) :] if data.startswith(_BOM) else data


# ------------------------------------------------------------------------------------------- JSON-LD


def _json_document(data: bytes, path: Path) -> Any:
    """The parsed JSON of a JSON-LD file; InputError with line and column on a JSON syntax error. Numbers are read
    as floats: only the ``@context`` values matter here, and an integer of thousands of digits would exceed
    Python's limit on converting text to int (a ValueError)."""
    try:
        return json.loads(data.decode("utf-8"), parse_int=float)
    except json.JSONDecodeError as exc:
        raise InputError(f"syntax error in JSON-LD: {exc.msg}", path=path, line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise InputError("the JSON-LD document is nested too deeply to read", path=path) from None


def _context_references(doc: Any) -> Iterator[str]:
    """Every context document ``doc`` references by IRI: string values of ``@context`` (also inside arrays and
    nested/scoped contexts) and of ``@import``, in document order."""
    stack: list[Any] = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "@context" in node:
                yield from _references_in_context(node["@context"])
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _references_in_context(ctx: Any) -> Iterator[str]:
    """The IRIs a single ``@context`` value references (strings, strings in arrays, ``@import``)."""
    items = ctx if isinstance(ctx, list) else [ctx]
    for item in items:
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict) and isinstance(item.get("@import"), str):
            yield item["@import"]


def _locate(data: bytes, needle: str) -> tuple[int | None, int | None]:
    """1-based line and column of the first ``"needle"`` (as a JSON string) in ``data``."""
    encoded = json.dumps(needle, ensure_ascii=False).encode("utf-8")
    at = data.find(encoded)
    if at < 0:
        return None, None
    line = data.count(b"\n", 0, at) + 1
    line_start = data.rfind(b"\n", 0, at) + 1
    return line, len(data[line_start:at].decode("utf-8", errors="replace")) + 1


def check_jsonld_contexts(data: bytes, path: Path) -> None:
    """InputError when the JSON-LD in ``data`` references a context document instead of inlining it.

    sscrdf never fetches remote contexts (no network at run time), and does not read context files either.
    """
    for ref in _context_references(_json_document(data, path)):
        line, column = _locate(data, ref)
        remote = re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", ref) is not None
        kind = "remote JSON-LD context" if remote else "external JSON-LD context document"
        raise InputError(
            f"the @context references the {kind} {ref!r}; sscrdf never fetches remote contexts "
            f"(nor reads context files)",
            path=path,
            line=line,
            column=column,
            hint="inline the context: replace the reference with the context object itself",
        )


# ------------------------------------------------------------------------------------------- parsing

_POSITION = re.compile(
    r"^Parser error (?:at line \d+ (?:column \d+|between columns \d+ and \d+)"
    r"|between line \d+ column \d+ and line \d+ column \d+): "
)
_TRAILING_LINE = re.compile(r" \(line \d+\)$")


def _syntax_message(exc: SyntaxError) -> str:
    """pyoxigraph's message without the position prefix and suffix it repeats."""
    text = exc.msg if isinstance(exc.msg, str) else str(exc)
    return _TRAILING_LINE.sub("", _POSITION.sub("", text))


def _xml_position(data: bytes) -> tuple[int | None, int | None]:
    """Line and column of an XML well-formedness error in ``data`` (RDF/XML errors come without a position)."""
    parser = expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        return exc.lineno, exc.offset + 1
    return None, None


def _syntax_error(exc: SyntaxError, fmt: str, data: bytes, path: Path) -> InputError:
    line, column = exc.lineno, exc.offset
    if line is None and fmt == "rdf-xml":
        line, column = _xml_position(data)
    hint = None
    if fmt == "rdf-xml" and "UTF-8" in _syntax_message(exc):
        hint = 'save the file as UTF-8 and declare encoding="UTF-8" (or no encoding) in the XML declaration'
    return InputError(
        f"syntax error in {_DISPLAY[fmt]}: {_syntax_message(exc)}", path=path, line=line, column=column, hint=hint
    )


def _counted(quads: Iterable[ox.Quad], counter: list[int]) -> Iterator[ox.Quad]:
    for quad in quads:
        counter[0] += 1
        yield quad


def _parse_rdf(data: bytes, fmt: str, path: Path) -> Iterator[ox.Quad]:
    """The quads of one RDF file; blank nodes get fresh identifiers so that files never share one."""
    return ox.parse(data, _RDF_FORMATS[fmt], base_iri=path.resolve().as_uri(), rename_blank_nodes=True)


def _no_triples(path: Path, fmt: str) -> InputError:
    return InputError(
        f"the file contains no triples ({_DISPLAY[fmt]})",
        path=path,
        hint="check that this is the file you meant; it is empty or holds only prefixes and comments",
    )


def _is_blank(data: bytes) -> bool:
    return not data.strip()


def _add_rdf(store: ox.Store, data: bytes, fmt: str, path: Path, only: bool = False) -> None:
    if fmt == "json-ld":
        check_jsonld_contexts(data, path)
    counter = [0]
    try:
        if only:  # the only file: no blank node can clash, so let the store parse it natively (~35% faster)
            store.load(data, _RDF_FORMATS[fmt], base_iri=path.resolve().as_uri())
            counter[0] = len(store)
        else:
            store.extend(_counted(_parse_rdf(data, fmt, path), counter))
    except SyntaxError as exc:
        raise _syntax_error(exc, fmt, data, path) from None
    except InputError:
        raise
    except Exception as exc:  # the contract: nothing but InputError leaves load()
        raise InputError(f"cannot read the {_DISPLAY[fmt]} file: {exc}", path=path) from exc
    if counter[0] == 0:
        raise _no_triples(path, fmt)


def _add_csv(store: ox.Store, path: Path, base_iri: str | None, city_iri: str | None) -> None:
    from .csvreg import read_csv  # deferred: only CSV input needs the register reader (README "The package")

    try:
        quads = read_csv(path, base_iri=base_iri, city_iri=city_iri)
    except InputError:
        raise
    except Exception as exc:  # the contract: nothing but InputError leaves load()
        raise InputError(f"cannot read the CSV register: {exc}", path=path) from exc
    if not quads:
        raise _no_triples(path, "csv")
    store.extend(quads)


def _add_xlsx(store: ox.Store, path: Path, base_iri: str | None, city_iri: str | None) -> None:
    from .register import read_register  # deferred: only a workbook or a folder of sheets needs it

    store.extend(read_register(path, base_iri=base_iri, city_iri=city_iri))


#: the input name that stands for standard input (read as Turtle unless a format is forced)
STDIN = "-"


def _read_stdin(limit: int | None) -> bytes:
    data = sys.stdin.buffer.read(limit + 1 if limit else -1)
    if limit is not None and len(data) > limit:
        raise InputError(
            f"standard input is more than the {_mib(limit)} sscrdf may load into memory", path=STDIN, hint=_limit_hint()
        )
    return data


def _paths(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str]) -> list[Path]:
    """The input paths as a list without repeats (a single path is accepted too)."""
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    out: list[Path] = []
    seen: set[Path] = set()
    for item in items:
        p = Path(item)
        key = p.resolve() if p.exists() else p
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _prepare(paths: list[Path], fmt: str | None, limit: int | None) -> list[tuple[Path, str]]:
    """Check every input before reading any: existence, format and size (each file and all together)."""
    plan = []
    total = 0
    for path in paths:
        if str(path) == STDIN:
            stdin_fmt = detect_format("-.ttl", fmt)
            if stdin_fmt in ("csv", "xlsx"):
                raise InputError(
                    f"a {_DISPLAY[stdin_fmt]} cannot be read from standard input",
                    path=path,
                    hint="name the register file instead of -",
                )
            plan.append((path, stdin_fmt))
            continue
        size = _check_file(path)
        plan.append((path, detect_format(path, fmt)))
        _check_size(path, size, limit)
        total += size
    if limit is not None and total > limit:
        raise InputError(
            f"the {len(paths)} input files are {_mib(total)} together, more than the {_mib(limit)} "
            f"sscrdf may load into memory",
            hint=_limit_hint(),
        )
    return plan


def load(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    fmt: str | None = None,
    max_bytes: int | None = None,
    base_iri: str | None = None,
    city_iri: str | None = None,
) -> Loaded:
    """Parse city data files into one new in-memory store.

    :param paths: the files (a single path is accepted too); the same file named twice is read once.
    :param fmt: force this format for every file (one of :data:`FORMAT_NAMES`) instead of the extensions.
    :param max_bytes: the largest input accepted, per file and in total; default ``$SSCRDF_MAX_INPUT_BYTES``,
        else an eighth of the available memory.
    :param base_iri: for CSV registers only: the base IRI of their ids (see :func:`sscrdf.io.csvreg.read_csv`).
    :param city_iri: for CSV registers only: the city their stakeholders belong to.
    :raises InputError: for any input the tool cannot use; no other exception type is raised.
    """
    files = _paths(paths)
    if not files:
        raise InputError("no input files were given", hint="name one or more city data files")
    limit = input_limit(max_bytes)
    plan = _prepare(files, fmt, limit)
    store = ox.Store()
    for path, file_fmt in bar(plan, total=len(plan), desc="loading") if len(plan) > 1 else plan:
        if file_fmt == "csv":
            _add_csv(store, path, base_iri, city_iri)
            continue
        if file_fmt == "xlsx":
            _add_xlsx(store, path, base_iri, city_iri)
            continue
        data = _read_stdin(limit) if str(path) == STDIN else _read(path, limit)
        check_utf8(data, path)
        data = _strip_bom(data)
        if file_fmt == "rdf-xml":
            check_no_dtd(data, path)
        if _is_blank(data):
            raise _no_triples(path, file_fmt)
        _add_rdf(store, data, file_fmt, path, only=len(plan) == 1)
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    return Loaded(store=store, sources=tuple(files), named_graphs=tuple(graphs), triple_count=len(store))
