"""Every example city is a test: it loads, uses only declared terms, is consistent under OWL 2 RL, and gives
exactly the expected validation results and findings (pinned in tests/expected/, one line each).

To re-pin after a deliberate change to a shape, rule or example: ``python -m tests.test_examples`` rewrites the
expected files; review the diff before committing it.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import pytest

from sscrdf.analysis.analyze import analyze_store
from sscrdf.analysis.pipeline import load_checked
from sscrdf.io.load import load
from sscrdf.knowledge.ontology import declared_terms, ontology_graph
from sscrdf.knowledge.vocab import unknown_terms
from sscrdf.reasoning.closure import consistency_problems

from .conftest import EXAMPLES

AS_OF = dt.date(2026, 11, 21)
EXPECTED = Path(__file__).resolve().parent / "expected"
CITIES = sorted(EXAMPLES.glob("*.ttl")) + sorted((EXAMPLES / "csv").glob("*.csv"))


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


@cache
def analyzed(path: Path):
    """(the loaded store, its analysis at AS_OF) of an example: analysed once per test process and read by many
    tests (neither is changed by the tests nor by the analysis)."""
    store = load([path]).store
    return store, analyze_store(store, as_of=AS_OF)


def observed(path: Path) -> tuple[list[str], list[str]]:
    findings, results, _ = observed_all(path)
    return findings, results


def observed_plan(path: Path) -> list[str]:
    """The engagement plan, one action a line, in the plan's order (priority, due date, stakeholder)."""
    _, analysis = analyzed(path)
    return [
        f"{r.priority} {r.due_date} {_short(r.action_kind)} about={_short(r.stakeholder)} "
        f"owner={_short(r.owner or '-')} channel={_short(r.channel or '-')}"
        for city in analysis.cities
        for r in city.plan
    ]


def observed_all(path: Path) -> tuple[list[str], list[str], list[str]]:
    """(findings, validation results, triaged entries), one line each, sorted."""
    _, analysis = analyzed(path)
    findings, results, entries = [], [], []
    for city in analysis.cities:
        for e in city.entries:
            entries.append(
                f"{e.kind} {e.severity} about={','.join(map(_short, e.about))} "
                f"concerns={','.join(map(_short, e.concerns)) or '-'} "
                f"by={','.join([_short(r) for r in e.rules] + [_short(x) for x in e.shapes])}"
            )
        for f in city.findings:
            findings.append(
                f"{_short(f.rule)} {f.kind} {f.severity} about={','.join(map(_short, f.about))} "
                f"concerns={','.join(map(_short, f.concerns)) or '-'}"
            )
        for r in city.validation.results if city.validation else []:
            results.append(
                f"{_short(str(r.shape))} {r.severity_name} focus={_short(str(r.focus))} "
                f"value={_short(str(r.value)) if r.value is not None else '-'}"
            )
    return sorted(findings), sorted(results), sorted(entries)


def _expected_file(path: Path, what: str) -> Path:
    return EXPECTED / f"{path.stem}.{what}.txt"


@pytest.mark.parametrize("path", CITIES, ids=lambda p: p.name)
def test_example_loads_with_only_declared_terms(path):
    loaded = load_checked([path])
    assert loaded.triple_count > 50
    assert unknown_terms(loaded.store, declared_terms()) == []


@pytest.mark.slow  # owlrl / pySHACL reference engine
@pytest.mark.parametrize("path", CITIES, ids=lambda p: p.name)
def test_example_is_consistent_under_owl_rl(path):
    g = ontology_graph()
    from sscrdf.convert import triples_to_graph

    triples_to_graph([q.triple for q in load([path]).store], g)
    assert consistency_problems(g) == []


@pytest.mark.parametrize("path", CITIES, ids=lambda p: p.name)
def test_example_gives_exactly_the_expected_findings_and_results(path):
    findings, results, entries = observed_all(path)
    assert findings == _expected_file(path, "findings").read_text().splitlines()
    assert results == _expected_file(path, "validation").read_text().splitlines()
    assert entries == _expected_file(path, "entries").read_text().splitlines()


@pytest.mark.parametrize("path", CITIES, ids=lambda p: p.name)
def test_example_gives_exactly_the_expected_plan(path):
    assert observed_plan(path) == _expected_file(path, "plan").read_text().splitlines()


@pytest.mark.parametrize("path", CITIES, ids=lambda p: p.name)
def test_plan_covers_gaps_and_powerful_stakeholders_and_agrees_with_the_strategy(path):
    """Every stakeholder with an engagement gap and every high-power stakeholder (except the municipality, which
    carries out the plan) has an action with an owner and a due date; a stakeholder to be managed closely is
    never only informed."""
    ssc = "https://w3id.org/sscrdf/ontology#"
    store, analysis = analyzed(path)
    leaders = {
        sol["s"].value
        for sol in store.query(f"SELECT ?s WHERE {{ ?s a <{ssc}Municipality> }}", use_default_graph_as_union=True)
    }
    assert leaders
    for city in analysis.cities:
        planned: dict[str, set[str]] = {}
        for r in city.plan:
            assert r.owner and r.due_date > AS_OF.isoformat() and 1 <= r.priority <= 4, r
            planned.setdefault(r.stakeholder, set()).add(_short(r.action_kind))
        need = {g.stakeholder for g in city.engagement_gaps}
        need |= {g.stakeholder for g in city.grid if g.power == ssc + "High"}
        assert need - leaders <= set(planned), sorted(need - leaders - set(planned))
        for g in city.grid:
            if g.strategy == ssc + "ManageClosely" and g.stakeholder in planned:
                assert planned[g.stakeholder] != {"Inform"}, g


@pytest.mark.parametrize("path", CITIES, ids=lambda p: p.name)
def test_one_entry_per_fact(path):
    """Every finding and every validation result is in exactly one entry, and no two entries share a
    (subject, concern) fact: a fact found by a rule and a shape, or by two rules, is reported once."""
    _, analysis = analyzed(path)
    for city in analysis.cities:
        ids = [f for e in city.entries for f in e.findings]
        assert sorted(ids) == sorted(f.finding for f in city.findings)
        assert sum(len(e.results) for e in city.entries) == len(city.validation.results)
        keys = [(tuple(e.about), c) for e in city.entries for c in e.concerns]
        assert len(keys) == len(set(keys))
        for e in city.entries:
            assert e.clauses and all(c.startswith(("Y Suppl. 34, ", "FG-SSC Master Plan, ")) for c in e.clauses), e


def test_riverton_is_complete_and_lakeside_is_not():
    riv = analyzed(EXAMPLES / "riverton.ttl")[1].cities[0].summary()
    lak = analyzed(EXAMPLES / "lakeside.ttl")[1].cities[0].summary()
    assert riv.categories_present == 12 and riv.units_missing == 0 and riv.stakeholders >= 40
    assert riv.validation["violation"] == 0 and riv.validation["warning"] == 0
    assert lak.categories_present == 7 and lak.units_missing == 6
    assert lak.validation["violation"] == 0  # incomplete, not malformed


if __name__ == "__main__":  # re-pin the expected files
    EXPECTED.mkdir(exist_ok=True)
    for p in CITIES:
        f, r, e = observed_all(p)
        _expected_file(p, "findings").write_text("\n".join(f) + ("\n" if f else ""))
        _expected_file(p, "validation").write_text("\n".join(r) + ("\n" if r else ""))
        _expected_file(p, "entries").write_text("\n".join(e) + ("\n" if e else ""))
        plan = observed_plan(p)
        _expected_file(p, "plan").write_text("\n".join(plan) + ("\n" if plan else ""))
        print(f"{p.name}: {len(f)} findings, {len(r)} validation results")


@pytest.mark.parametrize("fmt", ["text", "md"])
def test_reports_use_readable_labels(fmt):
    """No raw IRI (beyond the city's own in the text heading) and no vocabulary local name in text or Markdown."""
    from sscrdf.render.report import analysis_md, analysis_text

    _, analysis = analyzed(EXAMPLES / "lakeside.ttl")
    out = (analysis_text if fmt == "text" else analysis_md)(analysis)
    body = out.split("\n", 1)[1]
    assert "http://" not in body and "https://" not in body and "ssc:" not in body
    for local in (
        "AddressConcerns",
        "GiveRole",
        "SustainLeadership",
        "ManageClosely",
        "KeepSatisfied",
        "PriorityBlocking",
        "CoreLayer",
        "Unaware",
        "Reassess",
    ):
        assert local not in body, local


def test_two_cities_in_one_graph_each_get_only_their_own_results():
    """Riverton and Lakeside put into one named graph: each city's validation results are exactly those it gets
    alone (a result goes to the city its focus node is nearest to, not to every city of the graph)."""

    def results(store):
        an = analyze_store(store, as_of=dt.date(2026, 11, 21))
        return {
            c.city: sorted((str(r.focus), str(r.shape), str(r.value)) for r in c.validation.results)
            for c in an.cities
            if c.validation
        }

    alone, both = {}, ox.Store()
    graph = ox.NamedNode("https://example.org/two-cities")
    for name in ("riverton", "lakeside"):
        store = load([EXAMPLES / f"{name}.ttl"]).store
        alone.update(results(store))
        both.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in store)
    together = results(both)
    assert set(alone) == {"https://example.org/riverton/city", "https://example.org/lakeside/city"}
    assert together == alone
    assert all(alone.values())  # both cities have results of their own (Riverton 3, Lakeside 36)
