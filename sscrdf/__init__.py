"""sscrdf: a knowledge base and rules engine for the stakeholders of smart sustainable cities.

The knowledge (ontology, shapes, rules, queries) lives in data files; this package loads, reasons,
validates, queries and reports. The public API is :class:`KnowledgeBase` (``from sscrdf import KnowledgeBase``;
see the README, "Python API"). Importing the package has no side effects and imports no RDF library: the API
is imported on first use.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as _version
from typing import TYPE_CHECKING, Any

try:
    __version__ = _version("sscrdf")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

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
