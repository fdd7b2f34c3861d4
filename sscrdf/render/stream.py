"""The outputs of many cities written city by city, never held whole in memory: the analysis report of
``sscrdf analyze`` (below) and the entailments of ``sscrdf infer`` (at the end).

The workers that analyse the batches of city graphs (see :func:`sscrdf.analysis.analyze.analyze_batches`) also
render each city of their batch and write the pieces into one file per batch, in a temporary folder beside the
output; only where each piece lies travels back. When every batch is done (and the vocabulary check has
passed), the pieces are copied into the output in the report's order (by label, then IRI), between the head
and tail of the report, through a temporary file that replaces the output in one rename at the end. The bytes
are those of the in-memory renderers (``analysis_json``, ``analysis_text``, ``analysis_md``) of the same
cities: ``tests/test_stream.py`` compares them.

Formats that need every city at once (``ttl``: one sorted graph; ``html``: one page with charts across
cities) are not streamed.
"""

from __future__ import annotations

import datetime as dt
import heapq
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from ..analysis.analyze import analyze_batches
from ..analysis.model import Analysis, CityAnalysis
from ..analysis.pipeline import check_terms, infer_batches
from ..io.output import RDF_OUTPUT_FORMATS, atomic_writer, sigterm_as_exit
from ..namespaces import PREFIXES
from ..reasoning.store import is_inferred_graph
from .report import analysis_json_frame, analysis_json_head, city_json, city_md, city_text, json_text

__all__ = ["STREAMED_FORMATS", "StreamSummary", "write_inferred", "write_report"]

#: the report formats written city by city
STREAMED_FORMATS = ("json", "text", "md")


@dataclass(frozen=True)
class _Layout:
    """How a format's report is made of its cities: head, the cities joined by ``sep``, tail; ``strip`` takes
    the trailing newlines off the last city (the text report ends with its last line)."""

    city: Callable[[CityAnalysis, dt.date], str]
    sep: str
    strip: bool


_LAYOUTS = {
    "json": _Layout(city_json, ",\n    ", False),
    "text": _Layout(city_text, "\n", True),
    "md": _Layout(city_md, "\n", False),
}


@dataclass(frozen=True)
class _Piece:
    key: tuple[str, str]  # the report's order: label (case-folded), city IRI
    part: str  # the batch's file
    offset: int
    length: int


@dataclass(frozen=True)
class _Batch:
    """What a worker sends back for one batch: where its cities' pieces are, the ssc: terms it used, times."""

    pieces: list[_Piece]
    terms_used: set[str]
    timings: dict[str, float]


@contextmanager
def _scratch(output: str | os.PathLike[str] | None) -> Iterator[str]:
    """A new temporary folder beside ``output`` (same file system, and the space the output needs is there),
    removed at the end of the block, also on an error, Ctrl-C or SIGTERM."""
    with sigterm_as_exit():
        folder = tempfile.mkdtemp(prefix=".sscrdf-", dir=None if output is None else Path(output).parent)
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _write_pieces(analysis: Analysis, *, fmt: str, folder: str) -> _Batch:
    """Runs in the worker: every city of the batch rendered and written to one new file in ``folder``."""
    layout = _LAYOUTS[fmt]
    pieces = []
    fd, part = tempfile.mkstemp(prefix="batch-", suffix=".part", dir=folder)
    with os.fdopen(fd, "wb") as fh:
        offset = 0
        for ca in analysis.cities:
            data = layout.city(ca, analysis.as_of).encode("utf-8")
            fh.write(data)
            pieces.append(_Piece((ca.label.lower(), ca.city), part, offset, len(data)))
            offset += len(data)
    return _Batch(pieces, analysis.terms_used, analysis.timings)


@dataclass
class StreamSummary:
    """What :func:`write_report` did: the number of cities and the seconds per stage, summed over batches."""

    cities: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def _empty(fmt: str, as_of: dt.date, reasoner: str) -> str:
    return json_text(analysis_json_head(as_of, reasoner, [])) if fmt == "json" else ""


def write_report(
    batches: Iterable[bytes],
    output: str | os.PathLike[str] | None,
    *,
    fmt: str,
    as_of: dt.date,
    reasoner: str = "fast",
    engine: str = "fast",
    extra_shapes: Sequence[str | Path] = (),
    sources: Sequence[str | os.PathLike[str]] = (),
) -> StreamSummary:
    """Analyse ``batches`` (N-Quads documents of whole city graphs) and write the report in ``fmt`` (one of
    :data:`STREAMED_FORMATS`) to ``output`` (standard output when None) as ``sscrdf analyze`` writes it.
    Raises what reading the batches raises (nothing is written then), and UnknownTermError (naming the files
    ``sources``) when the data uses an undeclared ssc: term."""
    layout = _LAYOUTS[fmt]
    summary = StreamSummary()
    with _scratch(output) as folder:
        done = list(
            analyze_batches(
                batches,
                partial(_write_pieces, fmt=fmt, folder=folder),
                reasoner=reasoner,
                engine=engine,
                as_of=as_of,
                extra_shapes=extra_shapes,
            )
        )
        check_terms([Path(s) for s in sources], set().union(*(b.terms_used for b in done)))
        pieces = sorted((p for b in done for p in b.pieces), key=lambda p: p.key)
        for b in done:
            for k, v in b.timings.items():
                summary.timings[k] = summary.timings.get(k, 0.0) + v
        summary.cities = len(pieces)
        if output is None:
            _copy(pieces, layout, fmt, as_of, reasoner, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            with atomic_writer(output) as fh:
                _copy(pieces, layout, fmt, as_of, reasoner, fh)
    return summary


def _copy(pieces: list[_Piece], layout: _Layout, fmt: str, as_of: dt.date, reasoner: str, out: BinaryIO) -> None:
    """The report: head, the pieces in order, tail, one final newline (as the command writes it)."""
    if not pieces:
        text = _empty(fmt, as_of, reasoner)
        out.write((text if text.endswith("\n") else text + "\n").encode("utf-8"))
        return
    head, tail = analysis_json_frame(as_of, reasoner) if fmt == "json" else ("", "")
    out.write(head.encode("utf-8"))
    files: dict[str, BinaryIO] = {}
    last = b""
    try:
        for i, piece in enumerate(pieces):
            fh = files.get(piece.part)
            if fh is None:
                fh = files[piece.part] = open(piece.part, "rb")  # noqa: SIM115  # closed below, with the others
            fh.seek(piece.offset)
            data = fh.read(piece.length)
            if i:
                out.write(layout.sep.encode("utf-8"))
            if i == len(pieces) - 1 and layout.strip:
                data = data.rstrip(b"\n")
            out.write(data)
            last = data
    finally:
        for fh in files.values():
            fh.close()
    out.write(tail.encode("utf-8"))
    if not (tail.encode("utf-8") if tail else last).endswith(b"\n"):
        out.write(b"\n")


# ------------------------------------------------------------------------------------------- infer
# ``sscrdf infer`` writes every quad sorted (the same input gives the same bytes): each worker writes its batch's
# quads sorted, in N-Quads, and the parent merges these sorted runs into the serializer, one quad at a time.


@dataclass(frozen=True)
class _Run:
    """A worker's sorted run of the inferred output: its file (N-Quads or N-Triples) and its counts."""

    path: str
    written: int  # quads (before the triple formats merge equal triples of several graphs, as infer counts)
    inferred: int
    terms_used: set[str]  # the ssc: terms of the batch's data, for the vocabulary check


def _write_run(store: ox.Store, terms: set[str], *, folder: str, only_inferred: bool, triples: bool) -> _Run:
    """Runs in the worker: the output quads (or triples) of a batch whose knowledge store is ``store`` and whose
    data uses the ssc: ``terms``, sorted as ``serialize`` sorts them, in a file."""
    quads = [q for q in store if not only_inferred or is_inferred_graph(q.graph_name)]
    inferred = sum(1 for q in quads if is_inferred_graph(q.graph_name))
    items: list[ox.Quad] | list[ox.Triple] = (
        sorted(dict.fromkeys(q.triple for q in quads), key=str) if triples else sorted(quads, key=str)
    )
    fd, path = tempfile.mkstemp(prefix="batch-", suffix=".nt" if triples else ".nq", dir=folder)
    with os.fdopen(fd, "wb") as fh:
        ox.serialize(items, fh, ox.RdfFormat.N_TRIPLES if triples else ox.RdfFormat.N_QUADS)
    return _Run(path, len(quads), inferred, terms)


def _merged(runs: list[_Run], triples: bool) -> Iterator[ox.Quad | ox.Triple]:
    """The items of the sorted ``runs`` in one sorted stream (triples seen in several runs once)."""
    fmt = ox.RdfFormat.N_TRIPLES if triples else ox.RdfFormat.N_QUADS
    streams = [
        (q.triple if triples else q for q in ox.parse(path=r.path, format=fmt, rename_blank_nodes=False)) for r in runs
    ]
    last: ox.Quad | ox.Triple | None = None
    for item in heapq.merge(*streams, key=str):
        if item != last:
            yield item
        last = item


def write_inferred(
    batches: Iterable[bytes],
    output: str | os.PathLike[str] | None,
    *,
    fmt: str,
    only_inferred: bool,
    reasoner: str = "fast",
    sources: Sequence[str | os.PathLike[str]] = (),
) -> tuple[int, int]:
    """The entailments of ``batches`` (N-Quads documents of whole city graphs) in ``fmt`` (trig, nquads, ttl,
    nt; the triple formats only with ``only_inferred``), with the data's quads unless ``only_inferred``, written
    to ``output`` (standard output when None): the same bytes as :func:`sscrdf.io.output.serialize` of all of
    them, made from one sorted run per batch merged at the end. Returns (items written, inferred quads).
    UnknownTermError (naming the files ``sources``) when the data uses an undeclared ssc: term."""
    triples = fmt in ("ttl", "nt")
    with _scratch(output) as folder:
        runs = list(
            infer_batches(
                batches,
                partial(_write_run, folder=folder, only_inferred=only_inferred, triples=triples),
                reasoner=reasoner,
            )
        )
        check_terms([Path(s) for s in sources], set().union(*(r.terms_used for r in runs)))
        rdf_format = getattr(ox.RdfFormat, RDF_OUTPUT_FORMATS[fmt])
        prefixes = {k: str(v) for k, v in PREFIXES.items()} if fmt in ("trig", "ttl") else None
        if output is None:
            ox.serialize(_merged(runs, triples), sys.stdout.buffer, rdf_format, prefixes=prefixes)  # type: ignore[arg-type]  # all quads or all triples
            sys.stdout.buffer.flush()
        else:
            with atomic_writer(output) as fh:
                ox.serialize(_merged(runs, triples), fh, rdf_format, prefixes=prefixes)  # type: ignore[arg-type]  # all quads or all triples
    return sum(r.written for r in runs), sum(r.inferred for r in runs)
