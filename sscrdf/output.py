"""Writing outputs: atomically (a temporary file in the same folder, then a rename), never half-written."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the complete new one."""
    path = Path(path)
    if path.is_dir():
        raise InputError("the output path is a directory; give a file name", path=path)
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"the output folder {parent} does not exist", path=path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


RDF_OUTPUT_FORMATS = {"trig": "TRIG", "nquads": "N_QUADS", "ttl": "TURTLE", "nt": "N_TRIPLES"}


def serialize(quads_or_triples, fmt: str) -> bytes:
    """Serialise with sscrdf's usual prefixes. Quad formats (trig, nquads) keep graphs; triple formats
    (ttl, nt) merge them."""
    import pyoxigraph as ox

    from .namespaces import PREFIXES

    rdf_format = getattr(ox.RdfFormat, RDF_OUTPUT_FORMATS[fmt])
    items = list(quads_or_triples)
    if fmt in ("ttl", "nt"):
        items = list(dict.fromkeys(q.triple if isinstance(q, ox.Quad) else q for q in items))
    elif items and isinstance(items[0], ox.Triple):
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in items]
    items.sort(key=str)  # deterministic output: same input, same bytes
    prefixes = {k: str(v) for k, v in PREFIXES.items()} if fmt in ("trig", "ttl") else None
    return ox.serialize(items, format=rdf_format, prefixes=prefixes)
