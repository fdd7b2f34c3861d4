"""Tests of the vocabulary check (sscrdf.knowledge.vocab): unknown ssc: terms, suggestions and their place in the
sources."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from sscrdf.errors import InputError
from sscrdf.io.load import load
from sscrdf.knowledge.vocab import (
    UnknownTerm,
    check_vocabulary,
    short,
    ssc_terms_in_nquads,
    ssc_terms_used,
    unknown_terms,
)
from sscrdf.resources import files

SSC = "https://w3id.org/sscrdf/ontology#"
KNOWN = {
    SSC + name
    for name in (
        "City",
        "hasStakeholder",
        "Municipality",
        "ICTCompany",
        "Resistant",
        "Neutral",
        "currentLevel",
        "EngagementAssessment",
        "assessedStakeholder",
        "scale",
        "LocalScale",
    )
}
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

CITY = f"""@prefix ssc: <{SSC}> .
@prefix ex: <http://example.org/> .

ex:riverton a ssc:City ;
    ssc:hasStakeholder ex:council, ex:rivertel .

ex:council a ssc:Municipalty ;
    ssc:scale ssc:LocalScale .

ex:rivertel a ssc:ICTCompany .

ex:a1 a ssc:EngagementAssessment ;
    ssc:assessedStakeholder ex:rivertel ;
    ssc:currentLevel ssc:Resistent .
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def store_of(*quads: ox.Quad) -> ox.Store:
    store = ox.Store()
    store.extend(quads)
    return store


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# ------------------------------------------------------------------------------------------- ssc_terms_used


def test_terms_used_in_every_position_and_graph():
    n = ox.NamedNode
    store = store_of(
        ox.Quad(n(SSC + "Subj"), n("http://example.org/p"), n("http://example.org/o"), ox.DefaultGraph()),
        ox.Quad(n("http://example.org/s"), n(SSC + "pred"), ox.Literal("x"), ox.DefaultGraph()),
        ox.Quad(
            n("http://example.org/s"),
            n("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            n(SSC + "Type"),
            n("http://example.org/g"),
        ),
        ox.Quad(
            ox.BlankNode(),
            n("http://example.org/p"),
            ox.Literal("1", datatype=n(SSC + "dt")),
            n("http://example.org/g2"),
        ),
        ox.Quad(
            n("http://example.org/g"),
            n("http://example.org/p"),
            n("https://w3id.org/sscrdf/ontology"),
            ox.DefaultGraph(),
        ),
    )
    assert ssc_terms_used(store) == {SSC + "Subj", SSC + "pred", SSC + "Type", SSC + "dt"}


def test_terms_in_nquads_equal_the_store_scan_and_skip_text_in_literals():
    n = ox.NamedNode
    quads = [
        ox.Quad(n(SSC + "Subj"), n("http://example.org/p"), n("http://example.org/o"), ox.DefaultGraph()),
        ox.Quad(n("http://example.org/s"), n(SSC + "pred"), ox.Literal("x"), ox.DefaultGraph()),
        ox.Quad(n("http://example.org/s"), n("http://example.org/p"), n(SSC + "Obj"), n("http://example.org/g")),
        ox.Quad(ox.BlankNode(), n("http://example.org/p"), ox.Literal("1", datatype=n(SSC + "dt")), ox.DefaultGraph()),
        # an IRI written inside a literal is text, not a use of the term
        ox.Quad(
            n("http://example.org/s"), n("http://example.org/p"), ox.Literal(f"see <{SSC}Nowhere>"), ox.DefaultGraph()
        ),
        ox.Quad(n("http://example.org/s"), n("http://example.org/p"), n(SSC), ox.DefaultGraph()),
    ]
    store = store_of(*quads)
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert (
        ssc_terms_in_nquads(data, store)
        == ssc_terms_used(store)
        == {SSC + "Subj", SSC + "pred", SSC + "Obj", SSC + "dt"}
    )


@pytest.mark.parametrize("name", ["riverton.ttl", "lakeside.ttl"])
def test_terms_in_nquads_of_the_examples(name):
    store = load([EXAMPLES / name]).store
    assert ssc_terms_in_nquads(store.dump(format=ox.RdfFormat.N_QUADS), store) == ssc_terms_used(store)


def test_terms_used_of_a_loaded_file(tmp_path):
    loaded = load([write(tmp_path, "city.ttl", CITY)])
    used = ssc_terms_used(loaded.store)
    assert SSC + "Municipalty" in used and SSC + "Resistent" in used and SSC + "City" in used
    assert all(iri.startswith(SSC) for iri in used)


# ------------------------------------------------------------------------------------------- unknown_terms


def test_misspelt_class_gets_suggestion_and_line(tmp_path):
    path = write(tmp_path, "city.ttl", CITY)
    loaded = load([path])
    problems = unknown_terms(loaded.store, KNOWN, loaded.sources)
    assert [p.term for p in problems] == [SSC + "Municipalty", SSC + "Resistent"]  # in file order
    first, second = problems
    assert first == UnknownTerm(
        term=SSC + "Municipalty",
        suggestion=SSC + "Municipality",
        path=path,
        line=line_of(CITY, "ssc:Municipalty"),
        column=first.column,
    )
    assert first.column == CITY.splitlines()[first.line - 1].index("ssc:Municipalty") + 1
    assert second.suggestion == SSC + "Resistant"
    assert second.path == path and second.line == line_of(CITY, "ssc:Resistent")


def test_suggestion_ignores_case_and_needs_resemblance():
    n = ox.NamedNode
    store = store_of(
        ox.Quad(n("http://example.org/a"), n("http://example.org/p"), n(SSC + "ictcompany"), ox.DefaultGraph()),
        ox.Quad(n("http://example.org/a"), n("http://example.org/p"), n(SSC + "Xyzzy"), ox.DefaultGraph()),
    )
    by_term = {p.term: p for p in unknown_terms(store, KNOWN)}
    assert by_term[SSC + "ictcompany"].suggestion == SSC + "ICTCompany"
    assert by_term[SSC + "Xyzzy"].suggestion is None
    assert by_term[SSC + "Xyzzy"].path is None and by_term[SSC + "Xyzzy"].line is None


def test_full_iri_and_other_prefix_are_located(tmp_path):
    text = (
        f"@prefix s: <{SSC}> .\n"
        f"<http://example.org/a> a <{SSC}Municipalty> .\n"
        f"<http://example.org/b> s:currentLevel s:Resistent .\n"
    )
    path = write(tmp_path, "other.ttl", text)
    loaded = load([path])
    by_term = {p.term: p for p in unknown_terms(loaded.store, KNOWN, loaded.sources)}
    assert (by_term[SSC + "Municipalty"].path, by_term[SSC + "Municipalty"].line) == (path, 2)
    assert (by_term[SSC + "Resistent"].path, by_term[SSC + "Resistent"].line) == (path, 3)


def test_prefix_match_respects_name_boundaries(tmp_path):
    text = (
        f"@prefix ssc: <{SSC}> .\n"
        f"<http://example.org/a> a ssc:MunicipaltyGroup .\n"
        f"<http://example.org/b> a ssc:Municipalty .\n"
    )
    path = write(tmp_path, "bounds.ttl", text)
    loaded = load([path])
    by_term = {p.term: p for p in unknown_terms(loaded.store, KNOWN, loaded.sources)}
    assert by_term[SSC + "Municipalty"].line == 3
    assert by_term[SSC + "MunicipaltyGroup"].line == 2


def test_located_in_jsonld_and_in_the_right_file(tmp_path):
    good = write(tmp_path, "good.ttl", f"<http://example.org/a> a <{SSC}Municipality> .\n")
    doc = {
        "@context": {"ssc": SSC},
        "@id": "http://example.org/b",
        "@type": "ssc:Municipalty",
        "ssc:currentLevel": {"@id": "ssc:Neutral"},
    }
    text = json.dumps(doc, indent=2)
    bad = write(tmp_path, "bad.jsonld", text)
    loaded = load([good, bad])
    (problem,) = unknown_terms(loaded.store, KNOWN, loaded.sources)
    assert problem.path == bad
    assert problem.line == line_of(text, "ssc:Municipalty")


def test_unknown_term_not_in_any_source_has_no_location(tmp_path):
    path = write(tmp_path, "clean.ttl", f"<http://example.org/a> a <{SSC}Municipality> .\n")
    n = ox.NamedNode
    store = store_of(
        ox.Quad(n("http://example.org/a"), n("http://example.org/p"), n(SSC + "Municipalty"), ox.DefaultGraph())
    )
    (problem,) = unknown_terms(store, KNOWN, [path])
    assert problem.path is None and problem.line is None
    assert problem.suggestion == SSC + "Municipality"


def test_nothing_unknown(tmp_path):
    loaded = load([write(tmp_path, "ok.ttl", f"<http://example.org/a> a <{SSC}Municipality> .\n")])
    assert unknown_terms(loaded.store, KNOWN, loaded.sources) == []


# ------------------------------------------------------------------------------------------- check_vocabulary


def test_check_vocabulary_reports_the_first_problem(tmp_path):
    path = write(tmp_path, "city.ttl", CITY)
    loaded = load([path])
    before = loaded.triple_count
    with pytest.raises(InputError) as info:
        check_vocabulary(loaded.store, KNOWN, loaded.sources)
    err = info.value
    assert err.path == path
    assert err.line == line_of(CITY, "ssc:Municipalty")
    assert err.message == "unknown term ssc:Municipalty (and 1 more unknown term)"
    assert err.hint == "did you mean ssc:Municipality?"
    assert str(err).startswith(f"{path}:{err.line}:")
    assert len(loaded.store) == before  # the store is not changed


def test_check_vocabulary_single_problem_without_suggestion(tmp_path):
    text = f"@prefix ssc: <{SSC}> .\n<http://example.org/a> a ssc:Qwxz .\n"
    path = write(tmp_path, "one.ttl", text)
    loaded = load([path])
    with pytest.raises(InputError) as info:
        check_vocabulary(loaded.store, KNOWN, loaded.sources)
    assert info.value.message == "unknown term ssc:Qwxz"
    assert info.value.line == 2
    assert "not in the sscrdf ontology" in info.value.hint


def test_check_vocabulary_passes_clean_data(tmp_path):
    text = f"@prefix ssc: <{SSC}> .\n<http://example.org/a> a ssc:Municipality .\n"
    loaded = load([write(tmp_path, "ok.ttl", text)])
    assert check_vocabulary(loaded.store, KNOWN, loaded.sources) is None


def test_known_set_is_not_changed(tmp_path):
    known = set(KNOWN)
    loaded = load([write(tmp_path, "city.ttl", CITY)])
    unknown_terms(loaded.store, known, loaded.sources)
    assert known == KNOWN


def test_short():
    assert short(SSC + "Municipality") == "ssc:Municipality"
    assert short("http://example.org/x", angle=True) == "<http://example.org/x>"
    assert short("http://example.org/x") == "http://example.org/x"


def test_example_register_uses_only_ontology_terms():
    ontology = load(files("ontology", "*.ttl"))
    known = ssc_terms_used(ontology.store)
    example = load([EXAMPLES / "csv" / "riverton-register.csv"])
    check_vocabulary(example.store, known, example.sources)
