"""The typed analysis model (sscrdf.analysis.model) and the queries that fill it: every report section is filled
by exactly one bundled query (its `# section:` header), whose columns are the section row's fields, in order."""

from __future__ import annotations

import dataclasses

import pytest

from sscrdf.analysis.analyze import report_sections
from sscrdf.analysis.model import CityAnalysis, Row, camel, section_types, snake
from sscrdf.query.sparql import bundled_queries, find_query

SECTIONS = section_types()


def test_every_section_has_exactly_one_query():
    named = [s.name for s in report_sections()]
    assert sorted(named) == sorted(SECTIONS)
    assert len(named) == len(set(named))


@pytest.mark.parametrize("section", report_sections(), ids=lambda s: s.name)
def test_a_section_row_has_the_query_columns(section):
    q = find_query(section.query)
    assert SECTIONS[section.name].columns() == q.columns, f"{q.id}.rq columns differ from the section's row"
    assert q.header.get("title") and "(" not in q.header["title"], "a section query needs a # title: (no clause)"


@pytest.mark.parametrize("row", sorted(SECTIONS.values(), key=lambda t: t.__name__), ids=lambda t: t.__name__)
def test_rows_are_documented_frozen_dataclasses(row):
    assert dataclasses.is_dataclass(row) and row.__dataclass_params__.frozen
    assert row.__doc__ and len(row.__doc__) > 40
    assert all(snake(camel(f.name)) == f.name for f in dataclasses.fields(row))


def test_no_other_query_names_a_section():
    names = {q.id for q in bundled_queries() if q.header.get("section")}
    assert names == {s.query for s in report_sections()}


def test_a_row_round_trips_to_its_columns():
    from sscrdf.analysis.model import CategoryRow

    row = CategoryRow.from_row({"city": "urn:c", "category": "urn:k", "categoryLabel": "K", "stakeholders": 2})
    assert row.category_label == "K" and row.to_json() == {"category": "urn:k", "categoryLabel": "K", "stakeholders": 2}
    assert row.to_json(exclude=()) == {"city": "urn:c", "category": "urn:k", "categoryLabel": "K", "stakeholders": 2}


@pytest.mark.parametrize("row", sorted(SECTIONS.values(), key=lambda t: t.__name__), ids=lambda t: t.__name__)
def test_from_table_types_each_row_as_from_row_does(row):
    """from_table matches columns to fields by name, whatever the column order; a column the query lacks is None."""
    columns = list(reversed(row.columns()))[1:] + ["extra"]  # another order, one column missing, one unknown
    rows = [tuple(f"{c}-{i}" for c in columns) for i in range(3)]
    typed = row.from_table(columns, rows)
    assert typed == [row.from_row(dict(zip(columns, values, strict=True))) for values in rows]
    missing = row.columns()[-1]
    assert all(getattr(r, snake(missing)) is None for r in typed)
    assert [getattr(r, snake(columns[0])) for r in typed] == [f"{columns[0]}-{i}" for i in range(3)]


def test_city_analysis_sections_are_lists_of_rows():
    assert all(issubclass(t, Row) for t in SECTIONS.values())
    assert {f.name for f in dataclasses.fields(CityAnalysis)} >= set(SECTIONS)


def test_report_columns_name_columns_of_their_section():
    """mappings/report-columns.csv titles columns the reports list one per line: each is a column of its section."""
    import csv

    from sscrdf.resources import data_dir

    with (data_dir("mappings") / "report-columns.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for r in rows:
        assert r["column"] in SECTIONS[r["section"]].columns(), r
        assert r["title"].strip(), r


@pytest.mark.parametrize(
    "name, row",
    [("assessments", "AssessmentRow"), ("network", "EdgeRow"), ("onion", "OnionRow"), ("plan", "PlanActionRow")],
)
def test_the_html_report_reads_its_queries_as_typed_rows(name, row):
    """The HTML report's own queries (mappings/html/*.rq) are read into row classes whose fields are their columns."""
    from sscrdf.query.sparql import read_sparql_file
    from sscrdf.render import html
    from sscrdf.resources import data_dir

    q = read_sparql_file(data_dir("mappings") / "html" / f"{name}.rq")
    assert getattr(html, row).columns() == q.columns
