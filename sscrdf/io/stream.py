"""Reading TriG and N-Quads files graph by graph, without holding the whole dataset in memory.

A dataset of many cities (one named graph each) is read as a stream of quads and cut into batches of whole
graphs as it is read: each batch is handed on as N-Quads bytes (small, quick to pass to a worker process and
to load into a store there). A graph is complete when the stream moves on to another graph, which holds only
when every graph's quads are contiguous in the files; when a graph comes back after another one started,
:class:`NotContiguous` is raised and the caller reads the data the ordinary way (:func:`sscrdf.io.load.load`,
one store). :func:`contiguous` tells it beforehand, at the cost of one more parse.

The errors are those of :func:`sscrdf.io.load.load`, with the same messages: missing file, not UTF-8, syntax
error (file, line, column), a file without triples. The whole-dataset size limit does not apply here: nothing
holds the whole dataset.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from .encoding import check_utf8
from .load import _DISPLAY, _RDF_FORMATS, STDIN, _check_file, _no_triples, _paths, _syntax_error, detect_format

__all__ = ["NotContiguous", "contiguous", "graph_batches", "streamable"]

#: the formats that can be read graph by graph (the ones that name graphs)
STREAM_FORMATS = ("trig", "nquads")

_CHUNK = 1 << 24


class NotContiguous(Exception):
    """A graph's quads are not all in one run of the input: it cannot be cut into batches as it is read."""


def streamable(paths: Sequence[str | os.PathLike[str]], fmt: str | None = None) -> bool:
    """True when every input is a regular TriG or N-Quads file (by extension or ``fmt``), none is standard input
    and none starts with a byte order mark; False for anything else (those are read the ordinary way, which also
    reports their errors)."""
    files = _paths(paths)
    if not files:
        return False
    for path in files:
        if str(path) == STDIN:
            return False
        try:
            if detect_format(path, fmt) not in STREAM_FORMATS or not stat.S_ISREG(path.stat().st_mode):
                return False  # (a FIFO is never opened: that could wait forever; load() refuses it)
            with open(path, "rb") as fh:
                if fh.read(3) == codecs.BOM_UTF8:
                    return False
        except (InputError, OSError):
            return False
    return True


def _check_utf8_file(path: Path) -> None:
    """check_utf8 of a file read in chunks; on an error, the whole file is read to report its position."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        check_utf8(path.read_bytes(), path)  # raises InputError with line and column
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=path) from None


def _quads(files: list[Path], fmt: str | None) -> Iterator[ox.Quad]:
    """Every quad of ``files`` in file order, with load()'s checks and error messages."""
    plan = []
    for path in files:
        _check_file(path)
        plan.append((path, detect_format(path, fmt)))
    for path, file_fmt in plan:
        _check_utf8_file(path)
        count = 0
        try:
            # several files: their blank nodes are renamed apart, as load() does
            for quad in ox.parse(
                path=str(path),
                format=_RDF_FORMATS[file_fmt],
                base_iri=path.resolve().as_uri(),
                rename_blank_nodes=len(plan) > 1,
            ):
                count += 1
                yield quad
        except SyntaxError as exc:
            raise _syntax_error(exc, file_fmt, b"", path) from None
        except OSError as exc:
            raise InputError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
        except (InputError, NotContiguous, GeneratorExit):
            raise
        except Exception as exc:  # the contract: nothing but InputError leaves the reader
            raise InputError(f"cannot read the {_DISPLAY[file_fmt]} file: {exc}", path=path) from exc
        if count == 0:
            raise _no_triples(path, file_fmt)


def graph_batches(
    paths: Sequence[str | os.PathLike[str]], *, fmt: str | None = None, batch_size: int
) -> Iterator[bytes]:
    """The quads of ``paths`` as N-Quads documents of at most ``batch_size`` whole graphs each, in the order
    the graphs first appear (the default graph counts as one). Raises :class:`NotContiguous` as soon as a graph
    comes back after another one started, and InputError for input it cannot use."""
    files = _paths(paths)
    if not files:
        raise InputError("no input files were given", hint="name one or more city data files")
    done: set[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = set()
    batch: list[ox.Quad] = []
    graphs_in_batch = 0
    current: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None
    for quad in _quads(files, fmt):
        graph = quad.graph_name
        if graph != current:
            if graph in done:
                raise NotContiguous(graph)
            if current is not None:
                done.add(current)
            if graphs_in_batch == batch_size:
                yield ox.serialize(batch, format=ox.RdfFormat.N_QUADS) or b""
                batch, graphs_in_batch = [], 0
            current = graph
            graphs_in_batch += 1
        batch.append(quad)
    if batch:
        yield ox.serialize(batch, format=ox.RdfFormat.N_QUADS) or b""


def contiguous(paths: Sequence[str | os.PathLike[str]], *, fmt: str | None = None) -> bool:
    """True when every graph of ``paths`` is one run of quads (one parse, nothing kept but the graph names);
    InputError for input it cannot use."""
    files = _paths(paths)
    done: set[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = set()
    current: ox.NamedNode | ox.BlankNode | ox.DefaultGraph | None = None
    for quad in _quads(files, fmt):
        graph = quad.graph_name
        if graph != current:
            if graph in done:
                return False
            if current is not None:
                done.add(current)
            current = graph
    return True
