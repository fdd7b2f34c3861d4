"""Tests of the CSV stakeholder register reader (sscrdf.io.csvreg)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from sscrdf.errors import InputError
from sscrdf.io import csvreg
from sscrdf.io.csvreg import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, read_csv
from sscrdf.io.load import load

SSC = "https://w3id.org/sscrdf/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ORG_UNIT_OF = "http://www.w3.org/ns/org#unitOf"
PROV_ATTR = "http://www.w3.org/ns/prov#wasAttributedTo"
DCT_DATE = "http://purl.org/dc/terms/date"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "csv" / "riverton-register.csv"
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

COUNCIL = {
    "id": "council",
    "name": "Riverton City Council",
    "category": "Municipality",
    "scale": "local",
    "sector": "public",
    "power": "High",
    "interest": "High",
    "current_level": "Supportive",
    "desired_level": "Leading",
    "assessed_on": "2025-01-15",
    "assessed_by": "Maria Okafor",
    "responsibilities": "DecideSSCRoadmapAndSolutions",
    "unit_of": "",
    "city": "",
}
FINANCE = {
    "id": "finance",
    "name": "Finance Department",
    "category": "FinanceUnit",
    "unit_of": "council",
    "responsibilities": "UseICTForEfficientFinancialProcesses",
}


def write_register(
    tmp_path: Path,
    rows: list[dict[str, str]],
    *,
    name: str = "reg.csv",
    columns: tuple[str, ...] = COLUMNS,
    delimiter: str = ",",
) -> Path:
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(columns), delimiter=delimiter, extrasaction="ignore", lineterminator="\n"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in columns})
    path = tmp_path / name
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def spo(quads) -> set[tuple[str, str, str]]:
    return {(q.subject.value, q.predicate.value, q.object.value) for q in quads}


def objects(quads, subject: str, predicate: str) -> set[str]:
    return {o for s, p, o in spo(quads) if s == subject and p == predicate}


def bad(tmp_path: Path, rows: list[dict[str, str]], **kwargs) -> InputError:
    path = write_register(tmp_path, rows, **kwargs)
    with pytest.raises(InputError) as info:
        read_csv(path)
    assert info.value.path == path
    return info.value


# ------------------------------------------------------------------------------------------- triples


def test_same_triples_as_a_turtle_register(tmp_path):
    path = write_register(tmp_path, [COUNCIL, FINANCE], name="riverton.csv")
    turtle = f"""
@prefix ssc: <{SSC}> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix org: <http://www.w3.org/ns/org#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix r: <urn:sscrdf:riverton:> .
<urn:sscrdf:city:riverton> a ssc:City ; ssc:hasStakeholder r:council .
r:council a ssc:Municipality ; rdfs:label "Riverton City Council" ; ssc:scale ssc:LocalScale ;
    ssc:sector ssc:PublicSector ; ssc:hasResponsibility ssc:DecideSSCRoadmapAndSolutions .
r:assessment-council-2025-01-15 a ssc:EngagementAssessment ; ssc:assessedStakeholder r:council ;
    ssc:powerLevel ssc:High ; ssc:interestLevel ssc:High ; ssc:currentLevel ssc:Supportive ;
    ssc:desiredLevel ssc:Leading ; dcterms:date "2025-01-15"^^xsd:date ; prov:wasAttributedTo r:agent-maria-okafor .
r:agent-maria-okafor a prov:Agent ; rdfs:label "Maria Okafor" .
r:finance a ssc:FinanceUnit ; rdfs:label "Finance Department" ; org:unitOf r:council ;
    ssc:hasResponsibility ssc:UseICTForEfficientFinancialProcesses .
"""
    expected = set(ox.parse(turtle, ox.RdfFormat.TURTLE))
    got = read_csv(path)
    assert all(isinstance(q, ox.Quad) and q.graph_name == ox.DefaultGraph() for q in got)
    assert set(got) == expected
    assert len(got) == len(set(got))


def test_the_riverton_example(tmp_path):
    quads = read_csv(EXAMPLE)
    triples = spo(quads)
    city = "https://data.riverton.example/id/city/riverton"
    base = "urn:sscrdf:riverton-register:"
    stakeholders = objects(quads, city, SSC + "hasStakeholder")
    assert len(stakeholders) == 12
    assert base + "riverton-finance" not in stakeholders  # units are not stakeholders
    assert "https://data.example.gov/id/ministry-of-energy" in stakeholders  # a full IRI id
    units = {s for s, p, o in triples if p == ORG_UNIT_OF}
    assert units == {base + "riverton-finance", base + "riverton-ict-office", base + "riverton-cert"}
    assert objects(quads, base + "rivertel", RDF_TYPE) == {SSC + "ICTCompany", SSC + "TelecomOperator"}
    assessments = {s for s, p, o in triples if p == SSC + "assessedStakeholder"}
    assert len(assessments) == 13  # 17 rows: 3 units, 1 stakeholder not yet assessed
    council_assessments = {
        s for s, p, o in triples if p == SSC + "assessedStakeholder" and o == base + "riverton-city-council"
    }
    assert len(council_assessments) == 2
    forum = {s for s, p, o in triples if p == SSC + "assessedStakeholder" and o == base + "riverton-residents-forum"}
    assert {next(iter(objects(quads, a, SSC + "currentLevel"))) for a in forum} == {SSC + "Unaware", SSC + "Neutral"}
    # identified but not yet assessed
    assert not {s for s, p, o in triples if o == base + "national-standards-body" and p == SSC + "assessedStakeholder"}
    assert objects(quads, base + "national-standards-body", SSC + "sector") == {SSC + "NonProfitSector"}
    # an agent given by IRI gets no made-up label
    assert not objects(quads, "https://data.riverton.example/id/person/j-lindqvist", RDFS_LABEL)
    assert objects(quads, base + "riverton-water", RDFS_LABEL) == {"Riverton Water, Sewer and Drainage Co."}
    assert objects(quads, city, RDFS_LABEL) == {"Riverton"}  # city_name, given on its first row


def test_example_loads_through_load():
    loaded = load([EXAMPLE])
    assert loaded.triple_count == len(read_csv(EXAMPLE))
    assert loaded.named_graphs == ()


def test_dates_are_typed(tmp_path):
    quads = read_csv(write_register(tmp_path, [COUNCIL]))
    dates = [q.object for q in quads if q.predicate.value == DCT_DATE]
    assert [(d.value, d.datatype.value) for d in dates] == [("2025-01-15", XSD_DATE)]


def test_default_base_and_city_come_from_the_file_stem(tmp_path):
    quads = read_csv(write_register(tmp_path, [COUNCIL], name="my city.csv"))
    assert ("urn:sscrdf:city:my%20city", SSC + "hasStakeholder", "urn:sscrdf:my%20city:council") in spo(quads)


def test_base_iri_and_city_iri_parameters(tmp_path):
    path = write_register(tmp_path, [COUNCIL])
    quads = read_csv(path, base_iri="https://data.riverton.example/id/", city_iri="https://data.riverton.example/city")
    assert (
        "https://data.riverton.example/city",
        SSC + "hasStakeholder",
        "https://data.riverton.example/id/council",
    ) in spo(quads)
    # a city given as a local name is made an IRI with the base
    quads = read_csv(path, city_iri="riverton")
    assert ("urn:sscrdf:reg:riverton", SSC + "hasStakeholder", "urn:sscrdf:reg:council") in spo(quads)


def test_city_column_beats_the_parameter(tmp_path):
    path = write_register(tmp_path, [{**COUNCIL, "city": "https://example.org/city/a"}])
    quads = read_csv(path, city_iri="https://example.org/city/b")
    assert objects(quads, "https://example.org/city/a", SSC + "hasStakeholder") == {"urn:sscrdf:reg:council"}
    assert not objects(quads, "https://example.org/city/b", SSC + "hasStakeholder")


def test_city_name_labels_the_city(tmp_path):
    ngo = {**COUNCIL, "id": "friends", "name": "Friends of the River", "category": "NGO", "sector": "non-profit"}
    other = {**ngo, "id": "elsewhere", "city": "https://example.org/city/b", "city_name": "Lakeside"}
    path = write_register(tmp_path, [{**COUNCIL, "city_name": "Riverton"}, ngo, other])
    quads = read_csv(path)
    assert objects(quads, "urn:sscrdf:city:reg", RDFS_LABEL) == {"Riverton"}  # named on one of its rows
    assert objects(quads, "https://example.org/city/b", RDFS_LABEL) == {"Lakeside"}
    assert objects(quads, "urn:sscrdf:reg:council", RDFS_LABEL) == {"Riverton City Council"}


def test_one_city_one_name(tmp_path):
    ngo = {**COUNCIL, "id": "friends", "name": "Friends of the River", "category": "NGO", "city_name": "Riverside"}
    err = bad(tmp_path, [{**COUNCIL, "city_name": "Riverton"}, ngo])
    assert err.line == 3
    assert err.message == (
        "column city_name: 'Riverside' differs from 'Riverton' given on line 2 for the same city urn:sscrdf:city:reg"
    )
    later = {**COUNCIL, "assessed_on": "2025-06-30", "city_name": "Riverside"}  # two rows of one id: merged first
    err = bad(tmp_path, [{**COUNCIL, "city_name": "Riverton"}, later])
    assert err.line == 3 and "column city_name" in err.message and "line 2" in err.message


def test_values_are_matched_case_insensitively(tmp_path):
    row = {
        **COUNCIL,
        "id": "rivertel",
        "category": "ict company; ssc:telecomoperator",
        "scale": "Supra-Local",
        "sector": "PRIVATESECTOR",
        "power": "high",
        "interest": "LOW",
        "current_level": "neutral",
        "desired_level": "SUPPORTIVE",
        "responsibilities": "ssc:providestandardictinfrastructure",
    }
    quads = read_csv(write_register(tmp_path, [row]))
    s = "urn:sscrdf:reg:rivertel"
    assert objects(quads, s, RDF_TYPE) == {SSC + "ICTCompany", SSC + "TelecomOperator"}
    assert objects(quads, s, SSC + "scale") == {SSC + "SupralocalScale"}
    assert objects(quads, s, SSC + "sector") == {SSC + "PrivateSector"}
    assert objects(quads, s, SSC + "hasResponsibility") == {SSC + "ProvideStandardICTInfrastructure"}
    a = "urn:sscrdf:reg:assessment-rivertel-2025-01-15"
    assert objects(quads, a, SSC + "interestLevel") == {SSC + "Low"}
    assert objects(quads, a, SSC + "desiredLevel") == {SSC + "Supportive"}


def test_header_names_are_forgiving_and_extra_columns_ignored(tmp_path):
    text = (
        "ID,Name,Category,Scale,Sector,Power,Interest,Current level,Desired-Level,Assessed on,Assessed by,Notes\n"
        "council,Council,Municipality,local,public,High,High,Neutral,Leading,2025-01-15,Maria,call back in May\n"
    )
    path = tmp_path / "reg.csv"
    path.write_text(text, encoding="utf-8")
    quads = read_csv(path)
    assert objects(quads, "urn:sscrdf:reg:council", RDFS_LABEL) == {"Council"}
    assert not any("call back" in q.object.value for q in quads)


def test_semicolon_delimiter_and_byte_order_mark(tmp_path):
    path = write_register(tmp_path, [{**COUNCIL, "category": "Municipality"}], delimiter=";")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    quads = read_csv(path)
    assert objects(quads, "urn:sscrdf:reg:council", RDF_TYPE) == {SSC + "Municipality"}


def test_several_assessments_of_one_stakeholder(tmp_path):
    later = {
        "id": "council",
        "power": "High",
        "interest": "High",
        "current_level": "Leading",
        "desired_level": "Leading",
        "assessed_on": "2025-06-30",
        "assessed_by": "Maria Okafor",
        "responsibilities": "LeadKPIBasedTendering",
    }
    same_day = {**later, "assessed_on": "2025-01-15", "assessed_by": "Ahmed Haddad"}
    quads = read_csv(write_register(tmp_path, [COUNCIL, later, same_day]))
    s = "urn:sscrdf:reg:council"
    assessments = {q.subject.value for q in quads if q.predicate.value == SSC + "assessedStakeholder"}
    assert assessments == {
        "urn:sscrdf:reg:assessment-council-2025-01-15",
        "urn:sscrdf:reg:assessment-council-2025-06-30",
        "urn:sscrdf:reg:assessment-council-2025-01-15-2",
    }
    assert objects(quads, s, RDFS_LABEL) == {"Riverton City Council"}  # one label, from the first row
    assert objects(quads, s, SSC + "hasResponsibility") == {
        SSC + "DecideSSCRoadmapAndSolutions",
        SSC + "LeadKPIBasedTendering",
    }


def test_stakeholder_without_assessment(tmp_path):
    row = {
        **COUNCIL,
        **{c: "" for c in ("power", "interest", "current_level", "desired_level", "assessed_on", "assessed_by")},
    }
    quads = read_csv(write_register(tmp_path, [row]))
    assert not [q for q in quads if q.predicate.value == SSC + "assessedStakeholder"]
    assert objects(quads, "urn:sscrdf:city:reg", SSC + "hasStakeholder") == {"urn:sscrdf:reg:council"}


def test_assessor_given_as_iri(tmp_path):
    quads = read_csv(write_register(tmp_path, [{**COUNCIL, "assessed_by": "mailto:maria@riverton.example"}]))
    assessment = "urn:sscrdf:reg:assessment-council-2025-01-15"
    assert objects(quads, assessment, PROV_ATTR) == {"mailto:maria@riverton.example"}


def test_comment_and_blank_rows_are_skipped(tmp_path):
    path = write_register(tmp_path, [COUNCIL])
    text = path.read_text(encoding="utf-8")
    header, row = text.splitlines()
    path.write_text(f"{header}\n# rows below were checked on 2025-01-20\n\n{row}\n,,,,,,,,,,,,,\n", encoding="utf-8")
    assert len(read_csv(path)) == len(read_csv(write_register(tmp_path, [COUNCIL], name="other.csv")))


def _ontology_without(tmp_path, subject: str) -> list:
    """Copies of the bundled ontology modules with every statement about ``subject`` (a Turtle block) removed."""
    import re

    from sscrdf.io.regvocab import ontology_paths

    out = []
    for p in ontology_paths():
        text = p.read_text(encoding="utf-8")
        text = re.sub(rf"(?ms)^{re.escape(subject)} a .*?\.\n\n", "", text)
        target = tmp_path / "onto" / p.relative_to(p.parents[1] if p.parent.name == "vocab" else p.parent)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        out.append(target)
    return out


def test_a_class_removed_from_the_ontology_is_no_longer_accepted(tmp_path):
    reg = write_register(tmp_path, [{**COUNCIL, "id": "uni", "category": "University"}])
    assert objects(read_csv(reg), "urn:sscrdf:reg:uni", RDF_TYPE) == {SSC + "University"}
    smaller = _ontology_without(tmp_path, "ssc:University")
    assert "University" not in csvreg.catalogue(smaller).stakeholder_classes
    with pytest.raises(InputError, match="University"):
        read_csv(reg, ontology=smaller)


def test_a_value_removed_from_the_ontology_is_no_longer_accepted(tmp_path):
    reg = write_register(tmp_path, [{**COUNCIL, "sector": "non-profit"}])
    read_csv(reg)
    with pytest.raises(InputError, match="non-profit"):
        read_csv(reg, ontology=_ontology_without(tmp_path, "ssc:NonProfitSector"))


def test_catalogue_reads_the_ontology():
    cat = csvreg.catalogue()
    assert {"Municipality", "University", "MinistryOfEnergy", "NGO"} <= cat.stakeholder_classes
    assert {"FinanceUnit", "CERTUnit"} <= cat.unit_classes
    assert "City" in cat.classes and "City" not in cat.stakeholder_classes


def test_read_csv_returns_a_new_list_each_time(tmp_path):
    path = write_register(tmp_path, [COUNCIL])
    first = read_csv(path)
    first.clear()
    assert read_csv(path)


# ------------------------------------------------------------------------------------------- bad rows


@pytest.mark.parametrize(
    "column, value, words, hint",
    [
        ("category", "Municipalty", ["Municipalty", "ICTCompany", "Municipality"], "did you mean Municipality?"),
        ("category", "Municipality;Universty", ["Universty"], "did you mean University?"),
        ("category", "City", ["ssc:City is not a stakeholder category"], None),
        ("scale", "regional", ["'regional'", "local", "supra-local"], None),
        ("sector", "govt", ["'govt'", "public", "private", "non-profit"], None),
        ("power", "Hgh", ["'Hgh'", "low, high"], "did you mean high?"),
        ("interest", "medium", ["'medium'", "low, high"], None),
        (
            "current_level",
            "Resistent",
            ["'Resistent'", "unaware, resistant, neutral, supportive, leading"],
            "did you mean resistant?",
        ),
        ("desired_level", "Champion", ["'Champion'", "unaware, resistant, neutral, supportive, leading"], None),
        ("assessed_on", "15/01/2025", ["'15/01/2025'", "YYYY-MM-DD"], None),
        ("assessed_on", "2025-13-01", ["'2025-13-01'", "YYYY-MM-DD"], None),
        ("assessed_by", "", ["required", "assessment"], None),
        ("power", "", ["required", "assessment"], None),
        ("scale", "", ["required"], None),
        ("name", "", ["required"], None),
        ("id", "", ["required"], None),
        ("id", "City Council", ["'City Council'", "local name", "IRI"], None),
        (
            "responsibilities",
            "DecideSSCRoadmap",
            ["'DecideSSCRoadmap'", "responsibility"],
            "did you mean DecideSSCRoadmapAndSolutions?",
        ),
        ("unit_of", "council", ["only municipal units"], None),
    ],
)
def test_bad_value(tmp_path, column, value, words, hint):
    rows = [{**COUNCIL, "id": "water", "category": "UtilityProvider"}, {**COUNCIL, column: value}]
    err = bad(tmp_path, rows)
    assert err.line == 3  # header = 1, then the good row, then the bad one
    assert f"column {column}" in err.message
    for word in words:
        assert word in err.message
    if hint:
        assert err.hint == hint
    assert str(err).startswith(f"{err.path}:3: column {column}")


def test_line_numbers_count_quoted_line_breaks(tmp_path):
    rows = [{**COUNCIL, "id": "water", "name": "Water\nand\nSewer"}, {**COUNCIL, "power": "huge"}]
    err = bad(tmp_path, rows)
    assert err.line == 5


@pytest.mark.parametrize(
    "row, column, words",
    [
        ({**FINANCE, "unit_of": ""}, "unit_of", ["required", "FinanceUnit", "municipality"]),
        ({**FINANCE, "power": "High"}, "power", ["not stakeholders"]),
        ({**FINANCE, "scale": "local"}, "scale", ["not stakeholders"]),
        ({**FINANCE, "category": "FinanceUnit;Municipality"}, "category", ["mixes"]),
    ],
)
def test_bad_unit_row(tmp_path, row, column, words):
    err = bad(tmp_path, [COUNCIL, row])
    assert err.line == 3
    assert f"column {column}" in err.message
    for word in words:
        assert word in err.message


def test_unit_of_must_name_a_municipality(tmp_path):
    water = {**COUNCIL, "id": "water", "category": "UtilityProvider"}
    err = bad(tmp_path, [COUNCIL, water, {**FINANCE, "unit_of": "water"}])
    assert err.line == 4
    assert "unit_of" in err.message and "not a municipality" in err.message and "line 3" in err.message


def test_unit_of_another_file_is_accepted(tmp_path):
    quads = read_csv(write_register(tmp_path, [{**FINANCE, "unit_of": "https://example.org/city-hall"}]))
    assert objects(quads, "urn:sscrdf:reg:finance", ORG_UNIT_OF) == {"https://example.org/city-hall"}


def test_rows_of_one_id_must_agree(tmp_path):
    later = {**COUNCIL, "name": "Riverton Town Hall", "assessed_on": "2025-06-30"}
    err = bad(tmp_path, [COUNCIL, later])
    assert err.line == 3
    assert "column name" in err.message and "Riverton Town Hall" in err.message and "line 2" in err.message


def test_repeated_assessment_row(tmp_path):
    err = bad(tmp_path, [COUNCIL, COUNCIL])
    assert err.line == 3
    assert "same assessment as line 2" in err.message


def test_missing_required_column(tmp_path):
    columns = tuple(c for c in COLUMNS if c not in ("power", "assessed_by"))
    err = bad(tmp_path, [COUNCIL], columns=columns)
    assert err.line == 1
    assert "power" in err.message and "assessed_by" in err.message and "required" in err.message


def test_misspelt_column(tmp_path):
    columns = tuple("responsibilites" if c == "responsibilities" else c for c in COLUMNS)
    err = bad(tmp_path, [COUNCIL], columns=columns)
    assert err.line == 1
    assert "responsibilites" in err.message
    assert err.hint == "did you mean responsibilities?"


def test_duplicate_column(tmp_path):
    err = bad(tmp_path, [COUNCIL], columns=(*COLUMNS, "name"))
    assert err.line == 1 and "twice" in err.message and "name" in err.message


def test_row_with_too_many_cells(tmp_path):
    path = write_register(tmp_path, [COUNCIL])
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + ",surplus\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_csv(path)
    assert info.value.line == 2 and "cells" in info.value.message


@pytest.mark.parametrize("content, words", [(b"", "contains no"), (b"\n \n", "contains no")])
def test_empty_register(tmp_path, content, words):
    path = tmp_path / "reg.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_csv(path)
    assert info.value.path == path and words in info.value.message


def test_header_only(tmp_path):
    err = bad(tmp_path, [])
    assert "no stakeholder rows" in err.message


def test_not_utf8(tmp_path):
    path = write_register(tmp_path, [{**COUNCIL, "name": "Café de la Ville"}])
    data = path.read_text(encoding="utf-8").encode("cp1252")
    path.write_bytes(data)
    with pytest.raises(InputError) as info:
        read_csv(path)
    err = info.value
    assert err.path == path and err.line == 2
    offset = data.index(bytes([0xE9]))
    assert f"byte offset {offset}" in err.message
    assert "CSV UTF-8" in err.hint


def test_missing_csv_file(tmp_path):
    with pytest.raises(InputError) as info:
        read_csv(tmp_path / "nope.csv")
    assert "no such file" in info.value.message


def test_bad_base_iri(tmp_path):
    with pytest.raises(InputError) as info:
        read_csv(write_register(tmp_path, [COUNCIL]), base_iri="not an iri ")
    assert "base IRI" in info.value.message


def test_bad_city_parameter(tmp_path):
    with pytest.raises(InputError) as info:
        read_csv(write_register(tmp_path, [COUNCIL]), city_iri="Riverton City")
    assert "city" in info.value.message
