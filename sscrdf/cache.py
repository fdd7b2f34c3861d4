"""A cache, on disk, of what every run would otherwise rebuild from the bundled data files: the compiled
shapes, the ontology's closure and labels (README, "The cache").

An entry is keyed by a hash of the bytes of every file it is built from (the data files, and the sscrdf
modules whose code builds it; the version number is ``owl:versionInfo`` of ``ontology/core.ttl``, one of those
files), so an edited ``.ttl`` file or a new sscrdf never meets a stale entry. Entries are JSON or N-Triples
text (nothing in them can run code), written atomically. The cache is an optimisation only: an entry that is
missing, truncated, corrupt or unreadable, and a cache folder that cannot be written, are ignored silently and
the caller rebuilds what it needs.

Where: ``$SSCRDF_CACHE_DIR``, else ``$XDG_CACHE_HOME/sscrdf``, else ``~/.cache/sscrdf``.
``SSCRDF_CACHE_DIR=off`` (or ``0``, ``no``, ``false``, ``none``, or empty) turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

#: bumped when the layout of an entry changes
FORMAT = "1"
_OFF = {"", "0", "off", "no", "false", "none"}


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is turned off."""
    env = os.environ.get("SSCRDF_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in _OFF else Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg:
        return Path(xdg) / "sscrdf"
    try:
        return Path.home() / ".cache" / "sscrdf"
    except RuntimeError:  # no home folder to be found
        return None


def key(kind: str, paths: Iterable[str | os.PathLike[str]], *extra: str) -> str | None:
    """The key of a ``kind`` entry built from the files ``paths`` (their names and bytes, in this order) and
    the strings ``extra``; None when a file cannot be read (the caller then builds without the cache)."""
    h = hashlib.sha256(f"sscrdf-cache {FORMAT} {kind}\n".encode())
    try:
        for p in paths:
            data = Path(p).read_bytes()
            h.update(f"{Path(p).name} {len(data)}\n".encode())
            h.update(data)
    except OSError:
        return None
    for e in extra:
        h.update(f"\n{len(e)} {e}".encode())
    return f"{kind}-{h.hexdigest()[:32]}"


def _path(entry: str, suffix: str) -> Path | None:
    d = cache_dir()
    return None if d is None else d / f"{entry}.{suffix}"


def read_text(entry: str | None, suffix: str) -> str | None:
    """The text of the cache entry, or None (no entry, cache off, unreadable, not UTF-8)."""
    path = _path(entry, suffix) if entry else None
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, ValueError):
        return None


def read_bytes(entry: str | None, suffix: str) -> bytes | None:
    """The bytes of the cache entry, or None (no entry, cache off, unreadable)."""
    path = _path(entry, suffix) if entry else None
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def write_text(entry: str | None, suffix: str, text: str) -> None:
    """Store ``text`` as the cache entry, atomically (a temporary file renamed into place); any failure (a
    read-only or full disk, a cache path that is a file) is ignored."""
    path = _path(entry, suffix) if entry else None
    if path is None:
        return
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def read_json(entry: str | None) -> object | None:
    """The JSON value of the cache entry, or None (missing, off, unreadable, not valid JSON)."""
    text = read_text(entry, "json")
    if text is None:
        return None
    try:
        value: object = json.loads(text)
    except ValueError:
        return None
    return value


def write_json(entry: str | None, value: object) -> None:
    """Store ``value`` (JSON-serialisable) as the cache entry (see :func:`write_text`)."""
    write_text(entry, "json", json.dumps(value, ensure_ascii=False, separators=(",", ":")))


def source_files(*modules: str) -> list[Path]:
    """The source files of the sscrdf modules ``modules`` (dotted names under sscrdf, e.g. ``shacl.compiler``):
    part of a key, so that a changed sscrdf never reads an entry its older code wrote."""
    root = Path(__file__).resolve().parent
    return [root.joinpath(*m.split(".")).with_suffix(".py") for m in modules]


__all__ = [
    "FORMAT",
    "cache_dir",
    "key",
    "read_bytes",
    "read_json",
    "read_text",
    "source_files",
    "write_json",
    "write_text",
]
