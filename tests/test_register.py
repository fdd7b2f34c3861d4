"""The spreadsheet register: template, import (every error at once), export, round trip, XLSX drop-downs."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from sscrdf.errors import InputError
from sscrdf.io.load import load
from sscrdf.io.register import LISTS_SHEET, RegisterError, export_register, mapping, read_register, template
from sscrdf.io.regvocab import Vocabulary, expand, ontology_paths, vocabulary

ROOT = Path(__file__).resolve().parents[1]
SSC = "https://w3id.org/sscrdf/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
BASE = "https://data.example.org/riverton/"


def _graph(quads) -> Graph:
    g = Graph()
    g.parse(data=ox.serialize([q.triple for q in quads], format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    return g


def _sheets(path: Path) -> dict[str, list[list[str]]]:
    return {f.stem: list(csv.reader(f.open(encoding="utf-8"))) for f in path.glob("*.csv")}


def _write_sheets(path: Path, sheets: dict[str, list[list[str]]]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for f in path.glob("*.csv"):
        f.unlink()
    for name, rows in sheets.items():
        with (path / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows(rows)
    return path


# ------------------------------------------------------------------------------------------- template


def test_template_has_a_sheet_per_mapping_sheet_and_imports_cleanly(tmp_path):
    written = template(tmp_path / "t.xlsx")
    wb = openpyxl.load_workbook(written)
    assert wb.sheetnames == [s.name for s in mapping()] + ["about", LISTS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    quads = read_register(written)
    g = _graph(quads)
    council = ox.NamedNode(BASE + "city-council")
    assert ox.Triple(council, ox.NamedNode(expand("rdf:type")), ox.NamedNode(SSC + "Municipality")) in {
        q.triple for q in quads
    }
    assert len(g) == len(quads) == 25


def _validation_lists(wb) -> dict[tuple[str, str], list[str]]:
    """(sheet, column header) → the labels its drop-down offers, read back from the workbook."""
    lists = wb[LISTS_SHEET]
    out = {}
    for ws in wb.worksheets:
        if ws.title in (LISTS_SHEET, "about"):
            continue
        headers = [c.value for c in ws[1]]
        for dv in ws.data_validations.dataValidation:
            assert dv.type == "list"
            ref = dv.formula1.lstrip("=").split("!", 1)[1].replace("$", "")
            values = [c.value for row in lists[ref] for c in row]
            col = str(dv.sqref).split(":")[0].rstrip("0123456789")
            header = headers[openpyxl.utils.column_index_from_string(col) - 1]
            assert str(dv.sqref) == f"{col}2:{col}1000"
            out[(ws.title, header)] = values
    return out


def test_xlsx_drop_downs_list_the_ontology_labels(tmp_path):
    wb = openpyxl.load_workbook(template(tmp_path / "t.xlsx"))
    lists = _validation_lists(wb)
    assert lists[("stakeholders", "scale")] == ["local", "supra-local"]
    assert lists[("stakeholders", "sector")] == ["non-profit", "private", "public"]
    assert lists[("assessments", "power")] == ["low", "high"]
    assert lists[("assessments", "current level")] == ["unaware", "resistant", "neutral", "supportive", "leading"]
    cats = lists[("stakeholders", "category")]
    assert {"municipality", "ICT company", "university", "ministry of energy"} <= set(cats)
    assert not any(v.startswith(("http", "ssc:")) for v in cats)
    assert "finance unit" in lists[("units", "unit type")]
    assert len(lists[("responsibilities", "responsibility")]) == len(vocabulary().individuals(SSC + "Responsibility"))
    assert set(lists) == {(s.name, c.name) for s in mapping() for c in s.columns if c.kind in ("type", "term")}


def test_about_sheet_gives_every_column_its_clause(tmp_path):
    wb = openpyxl.load_workbook(template(tmp_path / "t.xlsx"))
    rows = list(wb["about"].iter_rows(values_only=True))
    assert rows[0] == ("sheet", "column", "required", "allowed values", "what to write", "clause")
    described = {(r[0], r[1]): r for r in rows[1:] if r[1]}
    for s in mapping():
        for c in s.columns:
            assert described[(s.name, c.name)][5], (s.name, c.name)
    assert described[("assessments", "power")][5] == "Y Suppl. 34, Figure 4"


def test_an_ontology_extension_shows_up_in_the_template(tmp_path):
    ext = tmp_path / "ext.ttl"
    ext.write_text(
        "@prefix ssc: <https://w3id.org/sscrdf/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'ssc:DroneOperator rdfs:subClassOf ssc:ICTCompany ; rdfs:label "drone operator"@en .\n',
        encoding="utf-8",
    )
    vocab = Vocabulary.read(ontology_paths([ext]))
    wb = openpyxl.load_workbook(template(tmp_path / "t.xlsx", vocab=vocab))
    assert "drone operator" in _validation_lists(wb)[("stakeholders", "category")]
    out = tmp_path / "csv"
    template(out, "csv", vocab=vocab)
    rows = _sheets(out)
    rows["stakeholders"].append(["drones", "Sky Drones", "drone operator", "", "local", "private"])
    quads = read_register(_write_sheets(out, rows), vocab=vocab)
    assert (
        ox.Quad(
            ox.NamedNode(BASE + "drones"),
            ox.NamedNode(expand("rdf:type")),
            ox.NamedNode(SSC + "DroneOperator"),
            ox.DefaultGraph(),
        )
        in quads
    )
    with pytest.raises(RegisterError, match="drone operator"):
        read_register(out)  # the bundled ontology alone does not know it


def test_csv_template_folder(tmp_path):
    template(tmp_path / "reg", "csv")
    sheets = _sheets(tmp_path / "reg")
    assert set(sheets) == {s.name for s in mapping()} | {"about"}
    assert sheets["assessments"][0] == [c.name for c in next(s for s in mapping() if s.name == "assessments").columns]
    assert sheets["assessments"][1][2:6] == ["high", "high", "supportive", "leading"]


# ------------------------------------------------------------------------------------------- import


def test_import_gives_stable_iris(tmp_path):
    template(tmp_path / "reg", "csv")
    first = read_register(tmp_path / "reg")
    again = read_register(tmp_path / "reg")
    assert set(first) == set(again)
    assessments = {q.subject.value for q in first if q.object == ox.NamedNode(SSC + "EngagementAssessment")}
    assert assessments == {BASE + "assessment-city-council-2025-03-14"}


def _bad(tmp_path, edit) -> RegisterError:
    template(tmp_path / "reg", "csv")
    sheets = _sheets(tmp_path / "reg")
    edit(sheets)
    _write_sheets(tmp_path / "reg", sheets)
    out = tmp_path / "out.ttl"
    with pytest.raises(RegisterError) as info:
        read_register(tmp_path / "reg")
    assert not out.exists()
    return info.value


def _cell(sheets, sheet, column, value, row=1):
    header = sheets[sheet][0]
    sheets[sheet][row][header.index(column)] = value


@pytest.mark.parametrize(
    "sheet, column, value, words",
    [
        (
            "stakeholders",
            "scale",
            "regional",
            ["stakeholders.csv:2", "column 'scale'", "'regional'", "allowed: local, supra-local"],
        ),
        ("stakeholders", "category", "municipalty", ["'municipalty'", "did you mean 'municipality'?"]),
        ("assessments", "power", "hgh", ["assessments.csv:2", "allowed: low, high", "did you mean 'high'?"]),
        ("assessments", "current level", "resistent", ["did you mean 'resistant'?"]),
        ("assessments", "assessed on", "14/03/2025", ["'14/03/2025'", "YYYY-MM-DD"]),
        (
            "assessments",
            "stakeholder",
            "city-counsil",
            ["no id in the sheet(s) stakeholders", "did you mean 'city-council'?"],
        ),
        ("assessments", "assessed by", "", ["column 'assessed by'", "a value is required"]),
        ("stakeholders", "name", "", ["column 'name'", "required"]),
        ("stakeholders", "id", "City Council", ["'City Council'", "neither a local name"]),
        ("units", "unit type", "finance", ["'finance'", "did you mean 'finance unit'?"]),
        ("responsibilities", "responsibility", "decide the roadmap", ["'decide the roadmap'", "allowed:"]),
    ],
)
def test_import_error(tmp_path, sheet, column, value, words):
    err = _bad(tmp_path, lambda s: _cell(s, sheet, column, value))
    text = str(err)
    for w in words:
        assert w in text
    assert text.endswith("error(s) in the register; nothing written")


def test_import_reports_every_error_at_once(tmp_path):
    def edit(s):
        _cell(s, "stakeholders", "scale", "regional")
        _cell(s, "assessments", "power", "huge")
        _cell(s, "assessments", "desired level", "champion")

    err = _bad(tmp_path, edit)
    assert [(e.where, e.row, e.column) for e in err.errors] == [
        ("stakeholders.csv", 2, "scale"),
        ("assessments.csv", 2, "power"),
        ("assessments.csv", 2, "desired level"),
    ]


def test_import_duplicate_id(tmp_path):
    err = _bad(tmp_path, lambda s: s["stakeholders"].append(list(s["stakeholders"][1])))
    assert "stakeholders.csv:3: column 'id': 'city-council' appears twice in this sheet (first on row 2)" in str(err)


def test_import_unknown_sheet_and_column(tmp_path):
    def edit(s):
        s["stakholders"] = s.pop("stakeholders")
        s["units"][0][1] = "nmae"

    err = _bad(tmp_path, edit)
    text = str(err)
    assert "unknown sheet 'stakholders'" in text and "did you mean 'stakeholders'?" in text
    assert "column 'nmae': is not a column of this sheet" in text and "did you mean 'name'?" in text


def test_import_duplicate_column(tmp_path):
    """A column named twice is one error on the header, not a cascade of 'a value is required' from the second,
    empty, copy overriding the first."""

    def edit(s):
        s["stakeholders"][0].append("Name")
        for row in s["stakeholders"][1:]:
            row.append("")

    err = _bad(tmp_path, edit)
    assert [str(e) for e in err.errors] == [
        "stakeholders.csv:1: column 'Name': appears twice in the header (columns B and L); the second is not read"
    ]


def test_import_no_city(tmp_path):
    err = _bad(tmp_path, lambda s: s["city"].pop(1))
    assert "register names no single city" in str(err)


def test_import_cli_writes_nothing_on_error(tmp_path, runner, cli):
    template(tmp_path / "reg", "csv")
    sheets = _sheets(tmp_path / "reg")
    _cell(sheets, "assessments", "power", "huge")
    _write_sheets(tmp_path / "reg", sheets)
    out = tmp_path / "city.ttl"
    r = runner.invoke(cli, ["import", str(tmp_path / "reg"), "-o", str(out)])
    assert r.exit_code == 2
    assert not out.exists()
    assert "assessments.csv:2: column 'power': 'huge' is not an allowed value; allowed: low, high" in r.output
    assert "Traceback" not in r.output


def test_import_city_option(tmp_path):
    template(tmp_path / "reg", "csv")
    quads = read_register(tmp_path / "reg", city_iri="https://example.org/city/riverton")
    city = ox.NamedNode("https://example.org/city/riverton")
    assert (
        ox.Quad(city, ox.NamedNode(SSC + "hasStakeholder"), ox.NamedNode(BASE + "city-council"), ox.DefaultGraph())
        in quads
    )


# ------------------------------------------------------------------------------------------- export / round trip


@pytest.mark.parametrize("example", ["riverton", "lakeside"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip(tmp_path, example, fmt):
    original = list(load([ROOT / "examples" / f"{example}.ttl"]).store)
    target = tmp_path / ("r1.xlsx" if fmt == "xlsx" else "r1")
    export_register(original, target, fmt)
    g1 = read_register(target)
    target2 = tmp_path / ("r2.xlsx" if fmt == "xlsx" else "r2")
    export_register(g1, target2, fmt)
    g2 = read_register(target2)
    assert isomorphic(_graph(g1), _graph(g2))
    # what the register carries is the example's own data: same IRIs, nothing invented
    orig = {q.triple for q in original}
    resources = [t for t in (q.triple for q in g1) if not isinstance(t.object, ox.Literal)]
    assert resources and all(t in orig for t in resources)
    assessments = {t.subject for t in orig if t.object == ox.NamedNode(SSC + "EngagementAssessment")}
    assert assessments == {q.subject for q in g1 if q.object == ox.NamedNode(SSC + "EngagementAssessment")}


def test_export_lists_what_it_leaves_out(tmp_path, runner, cli):
    r = runner.invoke(cli, ["export", str(ROOT / "examples" / "lakeside.ttl"), "-o", str(tmp_path / "r.xlsx")])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output and "12 stakeholders" in r.output
    assert "left out (no column in the register): " in r.output and "ssc:hasPlatform (1)" in r.output


def _city_with_label(label: str) -> list[ox.Quad]:
    city, m = ox.NamedNode(BASE + "city"), ox.NamedNode(BASE + "m")
    rdf_type, label_p = ox.NamedNode(RDF_TYPE), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    return [
        ox.Quad(city, rdf_type, ox.NamedNode(SSC + "City")),
        ox.Quad(city, label_p, ox.Literal("Formula City")),
        ox.Quad(city, ox.NamedNode(SSC + "hasStakeholder"), m),
        ox.Quad(m, rdf_type, ox.NamedNode(SSC + "Municipality")),
        ox.Quad(m, label_p, ox.Literal(label)),
    ]


def test_export_writes_text_that_looks_like_a_formula_as_text(tmp_path):
    """A label "=cmd|' /C calc'!A0" is a string cell in the workbook, never a formula (DDE injection), and reads
    back unchanged."""
    label = "=cmd|' /C calc'!A0"
    export_register(_city_with_label(label), tmp_path / "r.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "r.xlsx")["stakeholders"]["B2"]
    assert (cell.data_type, cell.value) == ("s", label)
    assert ox.Literal(label) in {q.object for q in read_register(tmp_path / "r.xlsx")}


def test_export_refuses_a_control_character_xlsx_cannot_hold(tmp_path):
    with pytest.raises(InputError) as info:
        export_register(_city_with_label("a\x07b"), tmp_path / "r.xlsx")
    assert str(info.value) == (
        "sheet 'stakeholders', row 'm', column 'name': 'a\\x07b' holds the control character U+0007, which an XLSX "
        "cell cannot hold — remove it from the data, or export CSV sheets (-o a folder)"
    )
    assert list(tmp_path.iterdir()) == []


def test_validate_and_analyze_read_xlsx(tmp_path, runner, cli):
    export_register(list(load([ROOT / "examples" / "lakeside.ttl"]).store), tmp_path / "r.xlsx")
    r = runner.invoke(cli, ["analyze", str(tmp_path / "r.xlsx"), "--format", "json", "--as-of", "2026-06-01"])
    assert r.exit_code == 0, r.output
    assert '"label": "Lakeside"' in r.output
    r = runner.invoke(cli, ["validate", str(tmp_path / "r.xlsx")])
    assert r.exit_code in (0, 1) and "graph(s) validated" in r.output
