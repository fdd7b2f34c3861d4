"""sscrdf: a knowledge base and rules engine for the stakeholders of smart sustainable cities.

The knowledge (ontology, shapes, rules, queries) lives in data files; this package loads, reasons,
validates, queries and reports. The public API is :class:`KnowledgeBase` (``from sscrdf import KnowledgeBase``;
see the README, "Python API"). Importing the package has no side effects and imports no RDF library: the API
is imported on first use.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .resources import data_dir


def _read_version() -> str:
    """The version: ``owl:versionInfo`` of the bundled ``ontology/core.ttl``, the one source the build reads it
    from too (pyproject.toml, ``[tool.hatch.version]``), so it equals the installed package's; read from the
    file, since importing importlib.metadata cost a sixth of a small command's run."""
    try:
        text = (data_dir("ontology") / "core.ttl").read_text(encoding="utf-8")
    except (OSError, ValueError):  # a damaged installation
        text = ""
    m = re.search(r'owl:versionInfo "(?P<version>[^"]+)"', text)
    return m.group("version") if m else "0+unknown"


__version__ = _read_version()

if TYPE_CHECKING:
    from .api import AnalysisReport, City, KnowledgeBase, UnknownTermError

__all__ = ["AnalysisReport", "City", "KnowledgeBase", "UnknownTermError", "__version__"]
_API = frozenset(__all__) - {"__version__"}


def __getattr__(name: str) -> Any:
    """The API names, imported from :mod:`sscrdf.api` on first use (PEP 562), so that ``import sscrdf`` stays
    light."""
    if name in _API:
        from . import api  # deferred: rdflib, pyoxigraph and the engines load only when the API is used

        return getattr(api, name)
    raise AttributeError(f"module 'sscrdf' has no attribute {name!r}")
