"""Where the bundled knowledge files live.

In an installed wheel they are force-included under ``sscrdf/_data``; in a source checkout (editable
install) they are the top-level folders of the repository. There is one copy of each in git.
"""

from __future__ import annotations

from pathlib import Path

_PKG = Path(__file__).resolve().parent
KINDS = ("ontology", "shapes", "rules", "queries", "mappings")


def data_dir(kind: str) -> Path:
    """The folder holding the bundled ``kind`` files (one of KINDS)."""
    if kind not in KINDS:
        raise ValueError(f"unknown resource kind {kind!r}; expected one of {', '.join(KINDS)}")
    for candidate in (_PKG / "_data" / kind, _PKG.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the bundled {kind}/ folder is missing from the installation (looked in {_PKG})")


def files(kind: str, pattern: str) -> list[Path]:
    """The bundled files of ``kind`` matching ``pattern``, sorted by name so runs are deterministic."""
    return sorted(data_dir(kind).glob(pattern))
