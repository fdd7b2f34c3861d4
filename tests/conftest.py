"""Shared pytest fixtures."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# sscrdf's cache (sscrdf/cache.py) lives in a folder of this test session, never in the user's ~/.cache; the
# processes the tests start inherit it. Each pytest worker has its own, removed at its end.
CACHE_DIR = Path(tempfile.mkdtemp(prefix="sscrdf-test-cache-"))
os.environ["SSCRDF_CACHE_DIR"] = str(CACHE_DIR)
atexit.register(shutil.rmtree, CACHE_DIR, ignore_errors=True)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def cli():
    from sscrdf.cli import cli as command

    return command


@pytest.fixture
def canary():
    """A local HTTP server that must never be reached (``canary.hits`` lists what reached it)."""
    from tests.canary import Canary

    with Canary() as c:
        yield c


def pytest_collection_modifyitems(items):
    """Tests that start a store server or a browser are slow: `make test-fast` (-m "not slow") leaves them out."""
    for item in items:
        if item.get_closest_marker("store") or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


# Real SPARQL stores (Oxigraph server, Virtuoso, Jena ARQ) as session fixtures, and the "stores: ..." line of the
# terminal summary: see tests/stores.py.
from .stores import jena_arq, oxigraph_store, pytest_runtest_makereport, pytest_terminal_summary, virtuoso_store  # noqa: E402,F401
