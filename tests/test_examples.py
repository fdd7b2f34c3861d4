"""Every example city is a test: it loads, uses only declared terms, is consistent under OWL 2 RL, and gives
exactly the expected validation results and findings (pinned in tests/expected/, one line each).

To re-pin after a deliberate change to a shape, rule or example: ``python -m tests.test_examples`` rewrites the
expected files; review the diff before committing it.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sscrdf.analyze import analyze_store
from sscrdf.load import load
from sscrdf.ontology import declared_terms, ontology_graph
from sscrdf.pipeline import load_checked
from sscrdf.reason import consistency_problems
from sscrdf.vocab import unknown_terms

from .conftest import EXAMPLES

AS_OF = dt.date(2026, 11, 21)
EXPECTED = Path(__file__).resolve().parent / "expected"
CITIES = sorted(EXAMPLES.glob("*.ttl")) + sorted((EXAMPLES / "csv").glob("*.csv"))


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def observed(path: Path) -> tuple[list[str], list[str]]:
    analysis = analyze_store(load([path]).store, as_of=AS_OF)
    findings, results = [], []
    for city in analysis.cities:
        for f in city.findings:
            findings.append(f"{_short(f.rule)} {f.kind} {f.severity} about={','.join(map(_short, f.about))} "
                            f"concerns={','.join(map(_short, f.concerns)) or '-'}")
        for r in city.validation.results if city.validation else []:
            results.append(f"{_short(str(r.shape))} {r.severity_name} focus={_short(str(r.focus))} "
                           f"value={_short(str(r.value)) if r.value is not None else '-'}")
    return sorted(findings), sorted(results)


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
    findings, results = observed(path)
    assert findings == _expected_file(path, "findings").read_text().splitlines()
    assert results == _expected_file(path, "validation").read_text().splitlines()


def test_riverton_is_complete_and_lakeside_is_not():
    riv = analyze_store(load([EXAMPLES / "riverton.ttl"]).store, as_of=AS_OF).cities[0].summary()
    lak = analyze_store(load([EXAMPLES / "lakeside.ttl"]).store, as_of=AS_OF).cities[0].summary()
    assert riv["categoriesPresent"] == 12 and riv["unitsMissing"] == 0 and riv["stakeholders"] >= 40
    assert riv["validation"]["violation"] == 0 and riv["validation"]["warning"] == 0
    assert lak["categoriesPresent"] == 7 and lak["unitsMissing"] == 6
    assert lak["validation"]["violation"] == 0  # incomplete, not malformed


if __name__ == "__main__":  # re-pin the expected files
    EXPECTED.mkdir(exist_ok=True)
    for p in CITIES:
        f, r = observed(p)
        _expected_file(p, "findings").write_text("\n".join(f) + ("\n" if f else ""))
        _expected_file(p, "validation").write_text("\n".join(r) + ("\n" if r else ""))
        print(f"{p.name}: {len(f)} findings, {len(r)} validation results")
