"""sscrdf: a knowledge base and rules engine for the stakeholders of smart sustainable cities.

The knowledge (ontology, shapes, rules, queries) lives in data files; this package loads, reasons,
validates, queries and reports. Importing it has no side effects.
"""
from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("sscrdf")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["__version__"]
