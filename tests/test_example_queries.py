"""Every bundled query that the three-city fixture of test_queries.py does not pin is pinned on the example cities.

The queries over the engagement records, the engagement plan and the master plan need data the query fixture does
not hold; here each of them runs on what ``sscrdf analyze`` has for an example city (ontology, data, entailments and
derived facts, with the review date fixed) and must give exactly the rows in
``tests/expected/queries/<example>.<query>.tsv`` (one row a line, cells separated by tabs, rows sorted).

To re-pin after a deliberate change: ``python -m tests.test_example_queries``; review the diff before committing.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

from sscrdf.io.load import load
from sscrdf.query.sparql import bundled_queries, select
from sscrdf.reasoning.store import knowledge_store
from sscrdf.rules.engine import run_rules

from .conftest import EXAMPLES
from .test_queries import EXPECTED as PINNED_ON_FIXTURE

AS_OF = dt.date(2026, 11, 21)
PINS = Path(__file__).resolve().parent / "expected" / "queries"
CITIES = ("riverton", "lakeside")


def example_queries() -> list[str]:
    """The bundled queries pinned here: every one the query fixture does not pin."""
    return sorted(q.id for q in bundled_queries() if q.id not in PINNED_ON_FIXTURE)


@cache
def analysed(city: str) -> ox.Store:
    store = knowledge_store(load([EXAMPLES / f"{city}.ttl"]).store)
    return run_rules(store, as_of=AS_OF).store


def _cell(v) -> str:
    return "" if v is None else str(v).replace("\t", " ").replace("\n", " ")


def observed(city: str, query_id: str) -> list[str]:
    q = next(q for q in bundled_queries() if q.id == query_id)
    table = select(analysed(city), q.text, source=q.path)
    return ["\t".join(table.columns)] + sorted("\t".join(_cell(v) for v in row) for row in table.rows)


def _pin(city: str, query_id: str) -> Path:
    return PINS / f"{city}.{query_id}.tsv"


@pytest.mark.parametrize("city", CITIES)
@pytest.mark.parametrize("query_id", example_queries())
def test_query_gives_the_pinned_rows_on_the_example(query_id, city):
    pin = _pin(city, query_id)
    assert pin.is_file(), f"{pin.name} missing: run python -m tests.test_example_queries and review the rows"
    assert observed(city, query_id) == pin.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("query_id", example_queries())
def test_query_pinned_on_the_examples_answers_something(query_id):
    """A pin of empty tables pins nothing: some example must give the query at least one row."""
    assert any(
        len(_pin(c, query_id).read_text(encoding="utf-8").splitlines()) > 1
        for c in CITIES
        if _pin(c, query_id).is_file()
    )


if __name__ == "__main__":  # re-pin
    PINS.mkdir(parents=True, exist_ok=True)
    for stale in PINS.glob("*.tsv"):
        stale.unlink()
    for qid in example_queries():
        for c in CITIES:
            _pin(c, qid).write_text("\n".join(observed(c, qid)) + "\n", encoding="utf-8")
            print(c, qid, len(observed(c, qid)) - 1, "rows")
