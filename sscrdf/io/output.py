"""Writing outputs: atomically (a temporary file in the same folder, then a rename), never half-written."""

from __future__ import annotations

import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, BinaryIO, NoReturn

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import PREFIXES

if TYPE_CHECKING:
    import pyoxigraph as ox


def check_not_an_input(output: str | os.PathLike[str] | None, inputs: Iterable[str | os.PathLike[str]]) -> None:
    """InputError when ``output`` names one of the ``inputs`` (writing there would destroy the input)."""
    if not output:
        return
    out = Path(output)
    for item in inputs:
        if str(item) == "-":
            continue
        try:
            same = out.exists() and Path(item).exists() and os.path.samefile(out, item)
        except OSError:
            same = False
        if same or out.absolute() == Path(item).absolute():
            raise InputError(
                "the output file is also an input file; sscrdf never writes over its input",
                path=output,
                hint="choose another output file name with -o",
            )


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


class _Terminated(BaseException):
    """SIGTERM arrived while an output was being written (the temporary file is removed, then exit 143)."""


def _on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:  # the signal handler API
    raise _Terminated()


@contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """Within the block, SIGTERM ends this process as SystemExit(143) (so that ``finally`` clauses run and
    temporary files go) instead of at once; outside the main thread it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        yield
    except _Terminated:
        raise SystemExit(128 + signal.SIGTERM) from None
    finally:
        signal.signal(signal.SIGTERM, previous)


def _output_mode(path: Path) -> int:
    """The permission bits the output gets (an existing file's own; else ``0666 & ~umask``), after checking that
    ``path`` can be an output file at all (InputError otherwise)."""
    if path.is_dir():
        raise InputError("the output path is a directory; give a file name", path=path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"the output folder {parent} does not exist", path=path)
    if path.exists() and not path.is_file():
        raise InputError("the output path is not a regular file", path=path, hint="write to a regular file")
    try:
        return stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o666 & ~_umask()
    except OSError:
        return 0o666 & ~_umask()


def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the complete new one.

    The temporary file (next to ``path``) is removed on any error, Ctrl-C or SIGTERM. An existing file keeps
    its permission bits; a new one gets the usual ``0666 & ~umask``."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_writer(path) as fh:
        fh.write(raw)


@contextmanager
def atomic_writer(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s new content into, piece by piece; when the block ends without an
    error it replaces ``path`` in one rename (readers see the old file or the complete new one). The temporary
    file, next to ``path``, is removed on any error, Ctrl-C or SIGTERM (then exit 143)."""
    path = Path(path)
    mode = _output_mode(path)
    parent = path.parent if str(path.parent) else Path(".")
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise InputError(f"cannot write the output: {exc.strerror or exc}", path=path) from None
    except _Terminated:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
            tmp = None
        raise SystemExit(128 + signal.SIGTERM) from None
    finally:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


RDF_OUTPUT_FORMATS = {"trig": "TRIG", "nquads": "N_QUADS", "ttl": "TURTLE", "nt": "N_TRIPLES"}


def serialize(quads_or_triples: Iterable[ox.Quad] | Iterable[ox.Triple], fmt: str) -> bytes:
    """Serialise with sscrdf's usual prefixes. Quad formats (trig, nquads) keep graphs; triple formats
    (ttl, nt) merge them."""

    rdf_format = getattr(ox.RdfFormat, RDF_OUTPUT_FORMATS[fmt])
    given: list[ox.Quad | ox.Triple] = list(quads_or_triples)
    items: list[ox.Triple] | list[ox.Quad]
    if fmt in ("ttl", "nt"):
        items = list(dict.fromkeys(q.triple if isinstance(q, ox.Quad) else q for q in given))
    else:
        items = [
            q if isinstance(q, ox.Quad) else ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in given
        ]
    items.sort(key=str)  # deterministic output: same input, same bytes
    prefixes = {k: str(v) for k, v in PREFIXES.items()} if fmt in ("trig", "ttl") else None
    data = ox.serialize(items, format=rdf_format, prefixes=prefixes)
    assert data is not None  # without an output file, pyoxigraph returns the bytes
    return data
