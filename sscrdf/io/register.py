"""The spreadsheet register: a template, import into triples and export back out (XLSX or a folder of CSV files).

What the sheets and columns are and which property each column fills comes from one mapping file,
``mappings/register.csv`` (see its header); the values allowed in a column come from the ontology
(:mod:`sscrdf.io.regvocab`). Nothing about the vocabulary is written here: an ontology extension (a new stakeholder
kind, a new responsibility) and a new mapping row show up in the template, the import and the export at once.

Column kinds: ``id`` (the row's IRI: a local name appended to the base IRI, or a full IRI; with a template in
``values`` an empty id is made from other cells, so the same rows give the same IRIs), ``base`` (the base IRI of the
register, no triple), ``label`` (rdfs:label), ``text`` / ``date`` / ``integer`` (literals), ``type`` (rdf:type:
the root class or a subclass of it, by label), ``term`` (an individual of the class in ``values``, by label),
``ref`` (the id of a row of the sheets in ``values``, or a full IRI). A sheet without an ``id`` column adds its
columns to the node its first ``ref`` column names (one row per relation). A property written ``^p`` links the
cell's node to the row's node.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import LOCAL, RDF, XSD
from ..resources import data_dir
from .encoding import check_utf8
from .limits import input_limit
from .output import write_atomic
from .regvocab import Choices, Vocabulary, compact, expand, key, vocabulary

__all__ = [
    "REGISTER_SUFFIXES",
    "CellError",
    "Column",
    "RegisterError",
    "Sheet",
    "export_register",
    "mapping",
    "read_register",
    "template",
]

_RDF_TYPE = f"{RDF}type"
_XSD = str(XSD)
_LOCAL_RE = re.compile(r"^\w[\w.~-]*$")
_IRI_RE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://\S+|(?:urn|mailto|tag|did|info):\S+)$", re.IGNORECASE)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ABOUT_SHEET = "about"
LISTS_SHEET = "lists"
REGISTER_SUFFIXES = (".xlsx", ".xlsm")
#: in a reference column that has a default (an empty cell means "the register's city"), "-" means no link at all
NO_LINK = "-"
_ROWS_VALIDATED = 1000


# ------------------------------------------------------------------------------------------------- mapping


@dataclass(frozen=True)
class Column:
    sheet: str
    name: str
    kind: str
    prop: str | None
    inverse: bool
    values: str
    required: bool
    multiple: bool
    default: str
    clause: str
    help: str
    sample: str


@dataclass(frozen=True)
class Sheet:
    name: str
    cls: str | None
    clause: str
    help: str
    columns: tuple[Column, ...]

    @property
    def id_column(self) -> Column | None:
        return next((c for c in self.columns if c.kind == "id"), None)

    @property
    def subject_column(self) -> Column | None:
        """For a relation sheet (no id column): the ref column naming the node the row adds to."""
        if self.id_column is not None:
            return None
        return next((c for c in self.columns if c.kind == "ref" and c.prop is None), None)


def _mapping_path() -> Path:
    return data_dir("mappings") / "register.csv"


def mapping(path: Path | None = None) -> tuple[Sheet, ...]:
    """The sheets of the register, in order, from the mapping file."""
    path = path or _mapping_path()
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    heads: dict[str, tuple[str | None, str, str]] = {}  # sheet -> class, clause, help
    columns: dict[str, list[Column]] = {}
    for row in csv.DictReader(lines):
        name, column, kind = row["sheet"].strip(), row["column"].strip(), row["kind"].strip()
        prop = row["property"].strip()
        if kind == "sheet":
            heads[name] = (expand(row["values"].strip()) if row["values"].strip() else None, row["clause"], row["help"])
            columns[name] = []
            continue
        columns[name].append(
            Column(
                sheet=name,
                name=column,
                kind=kind,
                prop=expand(prop.lstrip("^")) if prop else None,
                inverse=prop.startswith("^"),
                values=row["values"].strip(),
                required=row["required"].strip() == "yes",
                multiple=row["multiple"].strip() == "yes",
                default=row["default"].strip(),
                clause=row["clause"],
                help=row["help"],
                sample=row["sample"],
            )
        )
    return tuple(Sheet(n, cls, clause, help_, tuple(columns[n])) for n, (cls, clause, help_) in heads.items())


def _term_choices(col: Column, vocab: Vocabulary) -> Choices:
    """The allowed values of a "type" or "term" column."""
    return vocab.choices(expand(col.values), kind=col.kind)


def _choices(col: Column, vocab: Vocabulary) -> Choices | None:
    if col.kind in ("type", "term"):
        return _term_choices(col, vocab)
    return None


# ------------------------------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class CellError:
    where: str  # file or file[sheet]
    row: int | None
    column: str | None
    value: str | None
    message: str
    allowed: Sequence[str] = ()
    nearest: str | None = None

    def __str__(self) -> str:
        loc = self.where + (f":{self.row}" if self.row else "")
        text = f"{loc}: " + (f"column {self.column!r}: " if self.column else "")
        text += (f"{self.value!r} " if self.value not in (None, "") else "") + self.message
        if self.allowed:
            shown = list(self.allowed)
            text += "; allowed: " + ", ".join(shown[:12]) + (f" … ({len(shown)} in all)" if len(shown) > 12 else "")
        if self.nearest:
            text += f" — did you mean {self.nearest!r}?"
        return text


class RegisterError(InputError):
    """Every error found in a register, one line each."""

    def __init__(self, errors: Sequence[CellError]) -> None:
        self.errors = list(errors)
        super().__init__(f"{len(self.errors)} error(s) in the register")

    def __str__(self) -> str:
        lines = [str(e) for e in self.errors]
        return "\n".join(lines) + f"\n{len(lines)} error(s) in the register; nothing written"

    def __reduce__(self) -> tuple[type[RegisterError], tuple[list[CellError]]]:
        return (RegisterError, (self.errors,))


# ------------------------------------------------------------------------------------------------- reading tables


@dataclass
class _Table:
    where: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _norm(name: str) -> str:
    return re.sub(r"[\s_-]+", " ", name.strip().lower())


def _read_columns(header: Sequence[str]) -> list[tuple[int, str]]:
    """(index, name) of the columns a sheet's rows are read from: of two columns with the same name the first
    counts (the header check reports the second). Worked out once per sheet, not once per row."""
    out: list[tuple[int, str]] = []
    seen: set[str] = set()
    for i, h in enumerate(header):
        if h and _norm(h) not in seen:
            seen.add(_norm(h))
            out.append((i, h))
    return out


def _row(columns: list[tuple[int, str]], cells: Sequence[str]) -> dict[str, str]:
    """Header name -> cell text of one row (a short row lacks its last columns)."""
    return {h: cells[i] for i, h in columns if i < len(cells)}


#: an XLSX file may unpack to at most this many times its own size (beyond the first 10 MiB): a spreadsheet
#: program's workbook unpacks to 4-15 times its size, a zip bomb to hundreds or thousands
XLSX_MAX_RATIO = 50
_XLSX_RATIO_FLOOR = 10 << 20


def _check_unpacked_size(path: Path) -> None:
    """InputError when the workbook at ``path`` would unpack to more than the input limit, or to more than
    :data:`XLSX_MAX_RATIO` times its size (a zip bomb: openpyxl would read it all)."""
    try:
        with zipfile.ZipFile(path) as z:
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # openpyxl reports a damaged file with its own words
    packed = max(path.stat().st_size, 1)
    limit = input_limit()
    mib = 1 << 20
    if limit is not None and unpacked > limit:
        raise InputError(
            f"the workbook unpacks to {unpacked / mib:.1f} MiB, more than the {limit / mib:.1f} MiB input limit",
            path=path,
            hint="split the register, or raise SSCRDF_MAX_INPUT_BYTES",
        )
    if unpacked > _XLSX_RATIO_FLOOR and unpacked > XLSX_MAX_RATIO * packed:
        raise InputError(
            f"the workbook unpacks to {unpacked / mib:.1f} MiB, {unpacked // packed} times its size (at most "
            f"{XLSX_MAX_RATIO} expected): it looks like a zip bomb, not a spreadsheet",
            path=path,
            hint="save the register from the spreadsheet program as .xlsx",
        )


def _tables_xlsx(path: Path) -> dict[str, _Table]:
    import openpyxl  # the spreadsheet library is needed only for XLSX registers

    _check_unpacked_size(path)
    out: dict[str, _Table] = {}
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                it = ws.iter_rows(values_only=True)
                header = [_cell_text(c) for c in next(it, ())]
                table = _Table(f"{path.name}[{ws.title}]", header)
                columns = _read_columns(header)
                for n, cells in enumerate(it, start=2):
                    row = _row(columns, [_cell_text(c) for c in cells])
                    if any(row.values()):
                        table.rows.append((n, row))
                out[_norm(ws.title)] = table
        finally:
            wb.close()
    except Exception as exc:  # openpyxl raises many kinds for a damaged file, when opening and when reading a sheet
        raise InputError(
            f"not a readable XLSX workbook ({type(exc).__name__}: {' '.join(str(exc).split())})",
            path=path,
            hint="save the register from the spreadsheet program as .xlsx",
        ) from None
    return out


def _tables_dir(path: Path) -> dict[str, _Table]:
    out: dict[str, _Table] = {}
    for f in sorted(path.glob("*.csv")):
        data = f.read_bytes()
        check_utf8(data, f, hint="save the sheet as 'CSV UTF-8'")
        reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
        header = [h.strip() for h in next(reader, [])]
        table = _Table(f.name, header)
        columns = _read_columns(header)
        for n, cells in enumerate(reader, start=2):
            row = _row(columns, [c.strip() for c in cells])
            if any(row.values()):
                table.rows.append((n, row))
        out[_norm(f.stem)] = table
    return out


def _tables(path: Path) -> dict[str, _Table]:
    if path.is_dir():
        return _tables_dir(path)
    if not path.exists():
        raise InputError("no such file or folder", path=path)
    if path.suffix.lower() in REGISTER_SUFFIXES:
        return _tables_xlsx(path)
    raise InputError("a register is an .xlsx workbook or a folder of CSV files (one per sheet)", path=path)


# ------------------------------------------------------------------------------------------------- import


def _letters(n: int) -> str:
    """Spreadsheet column letters of the 1-based column ``n`` (1 -> A, 27 -> AA)."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _slug(text: str) -> str:
    return re.sub(r"[^\w.~]+", "-", text.strip().lower()).strip("-")


def _split(value: str, multiple: bool) -> list[str]:
    if not multiple:
        return [value] if value else []
    return [p.strip() for p in value.split(";") if p.strip()]


class _Importer:
    def __init__(self, path: Path, sheets: Sequence[Sheet], vocab: Vocabulary, base: str | None, city: str | None):
        self.path, self.sheets, self.vocab = path, sheets, vocab
        self.base_option, self.city_option = base, city
        self.errors: list[CellError] = []
        self.quads: dict[ox.Quad, None] = {}
        self.generated: dict[tuple[str, str], int] = {}

    def err(
        self,
        table: _Table,
        row: int | None,
        column: str | None,
        value: str | None,
        message: str,
        allowed: Sequence[str] = (),
        nearest: str | None = None,
    ) -> None:
        self.errors.append(CellError(table.where, row, column, value, message, tuple(allowed), nearest))

    def add(self, s: str, p: str, o: ox.NamedNode | ox.Literal) -> None:
        self.quads[ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.DefaultGraph())] = None

    def resolve(self, value: str) -> str | None:
        v = value[1:-1].strip() if value.startswith("<") and value.endswith(">") else value
        if _IRI_RE.match(v):
            iri = v
        elif _LOCAL_RE.match(v):
            iri = self.base + v
        else:
            return None
        try:
            ox.NamedNode(iri)
        except ValueError:
            return None
        return iri

    def run(self, tables: dict[str, _Table]) -> list[ox.Quad]:
        by_sheet: dict[str, _Table] = {}
        known_tables = {_norm(s.name) for s in self.sheets} | {ABOUT_SHEET, LISTS_SHEET}
        for name, t in tables.items():
            if name not in known_tables:
                close = difflib_close(name, [s.name for s in self.sheets])
                self.err(t, None, None, None, f"unknown sheet {name!r}", [s.name for s in self.sheets], close)
        for s in self.sheets:
            table = tables.get(_norm(s.name))
            if table is not None:
                by_sheet[s.name] = table
                self._check_header(s, table)
        self.base = self._base(by_sheet)
        ids = self._ids(by_sheet)
        self.ids = ids
        self.city = self._city(by_sheet, ids)
        for s in self.sheets:
            if s.name in by_sheet:
                self._sheet(s, by_sheet[s.name])
        if self.errors:
            raise RegisterError(self.errors)
        if not self.quads:
            raise InputError(
                "the register has no rows", path=self.path, hint="fill in at least the city and stakeholders sheets"
            )
        return list(self.quads)

    def _check_header(self, s: Sheet, t: _Table) -> None:
        names = {_norm(c.name) for c in s.columns}
        first: dict[str, int] = {}
        for i, h in enumerate(t.header, start=1):
            if not h:
                continue
            if _norm(h) in first:
                self.err(
                    t,
                    1,
                    h,
                    None,
                    f"appears twice in the header (columns {_letters(first[_norm(h)])} and {_letters(i)}); "
                    "the second is not read",
                )
            first.setdefault(_norm(h), i)
        for h in t.header:
            if h and _norm(h) not in names:
                self.err(
                    t,
                    1,
                    h,
                    None,
                    "is not a column of this sheet",
                    [c.name for c in s.columns],
                    difflib_close(h, [c.name for c in s.columns]),
                )
        present = {_norm(h) for h in t.header}
        for c in s.columns:
            if c.required and c.kind != "id" and _norm(c.name) not in present and t.rows:
                self.err(t, 1, c.name, None, "this required column is missing from the header")
            if c.kind == "id" and c.required and _norm(c.name) not in present and t.rows:
                self.err(t, 1, c.name, None, "this required column is missing from the header")

    @staticmethod
    def _cell(row: dict[str, str], col: Column) -> str:
        for h, v in row.items():
            if _norm(h) == _norm(col.name):
                return str(v)
        return ""

    def _base(self, by_sheet: dict[str, _Table]) -> str:
        if self.base_option:
            return self.base_option
        for s in self.sheets:
            for c in s.columns:
                if c.kind == "base" and s.name in by_sheet:
                    for _, row in by_sheet[s.name].rows:
                        if self._cell(row, c):
                            return self._cell(row, c)
        return f"{LOCAL}{_slug(self.path.stem) or 'register'}:"

    def _ids(self, by_sheet: dict[str, _Table]) -> dict[str, dict[str, str]]:
        """Sheet → {id cell → IRI} of every sheet with an id column (duplicates reported)."""
        out: dict[str, dict[str, str]] = {}
        for s in self.sheets:
            col = s.id_column
            if col is None or s.name not in by_sheet:
                continue
            t = by_sheet[s.name]
            seen: dict[str, int] = {}
            ids = out.setdefault(s.name, {})
            for n, row in t.rows:
                value = self._cell(row, col)
                if not value:
                    continue
                if value in seen:
                    self.err(t, n, col.name, value, f"appears twice in this sheet (first on row {seen[value]})")
                    continue
                seen[value] = n
                iri = self.resolve(value)
                if iri is None:
                    self.err(t, n, col.name, value, "is neither a local name (letters, digits, - _ .) nor a full IRI")
                    continue
                ids[value] = iri
        return out

    def _city(self, by_sheet: dict[str, _Table], ids: dict[str, dict[str, str]]) -> str | None:
        city_sheets = [s for s in self.sheets if s.cls == expand("ssc:City")]
        cities = [iri for s in city_sheets for iri in ids.get(s.name, {}).values()]
        if self.city_option:
            city = self.resolve(self.city_option)
            if city is None:
                raise InputError(
                    f"--city {self.city_option!r} is neither a local name (letters, digits, - _ .) nor a full IRI",
                    hint="e.g. --city https://example.org/riverton/city",
                )
            if len(cities) == 1:  # the city row stands for the city given on the command line
                for s in city_sheets:
                    for k in ids.get(s.name, {}):
                        ids[s.name][k] = city
            return city
        return cities[0] if len(cities) == 1 else None

    def _sheet(self, s: Sheet, t: _Table) -> None:
        idc, subj = s.id_column, s.subject_column
        for n, row in t.rows:
            node: str | None = None
            if idc is not None:
                value = self._cell(row, idc)
                if value:
                    node = self.ids.get(s.name, {}).get(value)
                    if node is None:
                        continue  # reported by _ids
                elif idc.values:
                    node = self._generated(s, t, n, row, idc.values)
                    if node is None:
                        continue
                else:
                    self.err(t, n, idc.name, None, "a value is required")
                    continue
                if s.cls and not any(c.kind == "type" for c in s.columns):
                    self.add(node, _RDF_TYPE, ox.NamedNode(s.cls))
            elif subj is not None:
                node = self._ref(t, n, subj, self._cell(row, subj))
                if node is None:
                    continue
            else:
                raise ValueError(f"mapping: sheet {s.name!r} has neither an id column nor a subject column")
            for col in s.columns:
                if col.kind in ("id", "base") or col is subj:
                    continue
                self._column(t, n, row, col, node)

    def _generated(self, s: Sheet, t: _Table, n: int, row: dict[str, str], pattern: str) -> str | None:
        cols = {c.name: c for c in s.columns}
        missing = []

        def fill(m: re.Match[str]) -> str:
            c = cols.get(m.group(1))
            v = self._cell(row, c) if c else ""
            if not v:
                missing.append(m.group(1))
            return _slug(v)

        local = re.sub(r"\{([^}]+)\}", fill, pattern)
        if missing:
            return None  # the missing cells are reported as required
        iri = self.base + local
        k = (s.name, iri)
        count = self.generated.get(k, 0) + 1
        self.generated[k] = count
        return iri if count == 1 else f"{iri}-{count}"

    def _ref(self, t: _Table, n: int, col: Column, value: str) -> str | None:
        if not value:
            if col.default == "city":
                if self.city is None:
                    self.err(
                        t,
                        n,
                        col.name,
                        None,
                        "is empty and the register names no single city "
                        "(fill in the city sheet with one row, or give --city)",
                    )
                return self.city
            if col.required:
                self.err(t, n, col.name, None, "a value is required")
            return None
        targets = col.values.split()
        for sheet in targets:
            if value in self.ids.get(sheet, {}):
                return self.ids[sheet][value]
        v = value[1:-1] if value.startswith("<") else value
        if _IRI_RE.match(v) and self.resolve(v):
            return self.resolve(v)
        pool = [k for sheet in targets for k in self.ids.get(sheet, {})]
        self.err(
            t, n, col.name, value, f"is no id in the sheet(s) {', '.join(targets)}", [], difflib_close(value, pool)
        )
        return None

    def _column(self, t: _Table, n: int, row: dict[str, str], col: Column, node: str) -> None:
        raw = self._cell(row, col)
        if raw == NO_LINK and col.kind == "ref" and col.default:
            return  # "-": deliberately no link (an empty cell would take the default)
        if not raw:
            if col.kind == "ref" and col.default:
                iri = self._ref(t, n, col, raw)
                if iri is not None and col.prop:
                    self._link(node, col.prop, col.inverse, ox.NamedNode(iri))
            elif col.required:
                self.err(t, n, col.name, None, "a value is required")
            return
        for value in _split(raw, col.multiple):
            obj = self._value(t, n, col, value)
            if obj is not None and col.prop:
                self._link(node, col.prop, col.inverse, obj)

    def _link(self, node: str, prop: str, inverse: bool, obj: ox.NamedNode | ox.Literal) -> None:
        if inverse and isinstance(obj, ox.NamedNode):
            self.add(obj.value, prop, ox.NamedNode(node))
        else:
            self.add(node, prop, obj)

    def _value(self, t: _Table, n: int, col: Column, value: str) -> ox.NamedNode | ox.Literal | None:
        if col.kind in ("type", "term"):
            ch = _term_choices(col, self.vocab)
            iri = ch.find(value)
            if iri is None:
                self.err(t, n, col.name, value, "is not an allowed value", ch.shown(), ch.nearest(value))
                return None
            return ox.NamedNode(iri)
        if col.kind == "ref":
            iri = self._ref(t, n, col, value)
            return ox.NamedNode(iri) if iri else None
        if col.kind in ("label", "text"):
            return ox.Literal(value)
        if col.kind == "date":
            try:
                ok = bool(_DATE_RE.match(value)) and dt.date.fromisoformat(value) is not None
            except ValueError:
                ok = False
            if not ok:
                self.err(t, n, col.name, value, "is not a date; allowed: a calendar date YYYY-MM-DD")
                return None
            return ox.Literal(value, datatype=ox.NamedNode(_XSD + "date"))
        if col.kind == "integer":
            if not re.fullmatch(r"[+-]?\d+", value):
                self.err(t, n, col.name, value, "is not a whole number")
                return None
            return ox.Literal(value, datatype=ox.NamedNode(_XSD + "integer"))
        raise ValueError(f"mapping: unknown column kind {col.kind!r} ({col.sheet}/{col.name})")


def difflib_close(word: str, names: Iterable[str]) -> str | None:
    by = {key(n): n for n in names}
    m = difflib.get_close_matches(key(word), list(by), n=1, cutoff=0.6)
    return by[m[0]] if m else None


def read_register(
    path: str | Path,
    *,
    base_iri: str | None = None,
    city_iri: str | None = None,
    vocab: Vocabulary | None = None,
    sheets: Sequence[Sheet] | None = None,
) -> list[ox.Quad]:
    """The triples of a register (an XLSX workbook, or a folder of CSV files named after the sheets).

    :raises RegisterError: listing every bad cell (sheet, row, column, value, allowed values, nearest one).
    """
    path = Path(path)
    imp = _Importer(path, sheets or mapping(), vocab or vocabulary(), base_iri, city_iri)
    return imp.run(_tables(path))


# ------------------------------------------------------------------------------------------------- template / export


def _about_rows(sheets: Sequence[Sheet], vocab: Vocabulary) -> list[list[str]]:
    rows = [["sheet", "column", "required", "allowed values", "what to write", "clause"]]
    for s in sheets:
        rows.append([s.name, "", "", "", s.help, s.clause])
        for c in s.columns:
            ch = _choices(c, vocab)
            if ch is not None:
                allowed = "; ".join(ch.shown())
            elif c.kind == "ref":
                allowed = f"an id from the sheet(s) {', '.join(c.values.split())}, or a full IRI"
            elif c.kind == "date":
                allowed = "a date YYYY-MM-DD"
            elif c.kind == "id":
                allowed = "a local name (letters, digits, - _ .) or a full IRI"
            else:
                allowed = "free text"
            if c.multiple:
                allowed += " (several separated by ;)"
            rows.append([s.name, c.name, "yes" if c.required else "no", allowed, c.help, c.clause])
    return rows


def _sample_rows(s: Sheet, vocab: Vocabulary) -> list[list[str]]:
    if not any(c.sample for c in s.columns):
        return []
    cells = []
    for c in s.columns:
        v = c.sample
        ch = _choices(c, vocab)
        if not v and ch is not None and c.required:
            v = ch.shown()[0]
        cells.append(v)
    return [cells]


def _write_xlsx(path: Path, sheets: Sequence[Sheet], rows: dict[str, list[list[str]]], vocab: Vocabulary) -> None:
    import openpyxl  # the spreadsheet library is needed only for XLSX output
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = openpyxl.Workbook()
    wb.remove(wb.worksheets[0])  # the empty sheet a new workbook starts with
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    list_ranges: dict[tuple[str, str], str] = {}
    n_list = 0
    for s in sheets:
        for c in s.columns:
            ch = _choices(c, vocab)
            if ch is None or (c.values, c.kind) in list_ranges:
                continue
            n_list += 1
            letter = get_column_letter(n_list)
            lists.cell(row=1, column=n_list, value=f"{c.kind} {c.values}")
            for i, label in enumerate(ch.shown(), start=2):
                lists.cell(row=i, column=n_list, value=label)
            list_ranges[(c.values, c.kind)] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(ch.iris) + 1}"
    for s in sheets:
        ws = wb.create_sheet(s.name)
        ws.append([c.name for c in s.columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows.get(s.name, []):
            _check_cells(s, r)
            ws.append(r)
            for cell in ws[ws.max_row]:
                if cell.data_type == "f":  # openpyxl takes text starting with "=" for a formula: data is text
                    cell.data_type = "s"
        for i, c in enumerate(s.columns, start=1):
            letter = get_column_letter(i)
            ws.column_dimensions[letter].width = max(14, min(40, len(c.name) + 6))
            if (c.values, c.kind) in list_ranges:
                dv = DataValidation(
                    type="list",
                    formula1=f"={list_ranges[(c.values, c.kind)]}",
                    allow_blank=not c.required,
                    showDropDown=False,
                )
                dv.error = f"Choose a value from the list (see the sheet '{ABOUT_SHEET}')"
                dv.errorTitle = c.name
                dv.prompt = c.help
                dv.promptTitle = c.name
                # several values in one cell (';') cannot pass a list check: warn instead of refusing
                dv.errorStyle = "warning" if c.multiple else "stop"
                dv.add(f"{letter}2:{letter}{_ROWS_VALIDATED}")
                ws.add_data_validation(dv)
        ws.freeze_panes = "A2"
    about = wb.create_sheet(ABOUT_SHEET)
    for r in _about_rows(sheets, vocab):
        about.append(r)
    for cell in about[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEF", (16, 18, 9, 60, 60, 34), strict=True):
        about.column_dimensions[letter].width = width
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames))
    buf = io.BytesIO()
    wb.save(buf)
    write_atomic(path, buf.getvalue())


def _check_cells(s: Sheet, row: Sequence[str]) -> None:
    """InputError when a cell of ``row`` holds a control character (U+0000-U+001F but tab, line feed and carriage
    return): the XML of an XLSX file cannot hold it."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # openpyxl is loaded only for XLSX output

    for col, value in zip(s.columns, row, strict=False):
        bad = ILLEGAL_CHARACTERS_RE.search(value)
        if bad:
            raise InputError(
                f"sheet '{s.name}', row '{row[0]}', column '{col.name}': {value[:60]!r} holds the control character "
                f"U+{ord(bad.group()):04X}, which an XLSX cell cannot hold",
                hint="remove it from the data, or export CSV sheets (-o a folder)",
            )


def _csv_text(rows: Iterable[Sequence[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow(r)
    return buf.getvalue()


def _write_dir(path: Path, sheets: Sequence[Sheet], rows: dict[str, list[list[str]]], vocab: Vocabulary) -> None:
    if path.exists() and not path.is_dir():
        raise InputError("the output for CSV sheets must be a folder", path=path)
    path.mkdir(parents=True, exist_ok=True)
    for s in sheets:
        write_atomic(path / f"{s.name}.csv", _csv_text([[c.name for c in s.columns], *rows.get(s.name, [])]))
    write_atomic(path / f"{ABOUT_SHEET}.csv", _csv_text(_about_rows(sheets, vocab)))


def _write(
    path: Path, fmt: str | None, sheets: Sequence[Sheet], rows: dict[str, list[list[str]]], vocab: Vocabulary
) -> str:
    fmt = fmt or ("xlsx" if path.suffix.lower() in REGISTER_SUFFIXES else "csv")
    if fmt == "xlsx":
        if path.suffix.lower() not in REGISTER_SUFFIXES:
            if not path.is_dir() and path.suffix:
                raise InputError(
                    f"--format xlsx does not match the output file's extension {path.suffix}",
                    path=path,
                    hint="name the workbook .xlsx, or give a folder for CSV sheets with --format csv",
                )
            path = path / "register.xlsx" if path.is_dir() else path
        _write_xlsx(path, sheets, rows, vocab)
    else:
        _write_dir(path, sheets, rows, vocab)
    return str(path)


def template(
    path: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    vocab: Vocabulary | None = None,
    sheets: Sequence[Sheet] | None = None,
) -> str:
    """Write an empty register with one filled-in sample row per sheet; returns the path written."""
    vocab, sheets = vocab or vocabulary(), sheets or mapping()
    rows = {s.name: _sample_rows(s, vocab) for s in sheets}
    return _write(Path(path), fmt, sheets, rows, vocab)


@dataclass
class ExportResult:
    path: str
    rows: dict[str, int]
    left_out: dict[str, int]  # property (compact) → triples with no column


def _common_base(city: str | None) -> str | None:
    if city is None:
        return None
    m = re.match(r"^(.*[/#:])[^/#:]*$", city)
    return m.group(1) if m else None


def export_register(
    quads: Iterable[ox.Quad],
    path: str | os.PathLike[str],
    fmt: str | None = None,
    *,
    base_iri: str | None = None,
    vocab: Vocabulary | None = None,
    sheets: Sequence[Sheet] | None = None,
) -> ExportResult:
    """Write the register of the city data in ``quads`` (graphs merged); the inverse of :func:`read_register`."""
    vocab, sheets = vocab or vocabulary(), sheets or mapping()
    triples = list(dict.fromkeys(q.triple if isinstance(q, ox.Quad) else q for q in quads))
    by_s: dict[str, list[ox.Triple]] = {}
    by_p: dict[str, list[ox.Triple]] = {}
    types: dict[str, set[str]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            by_s.setdefault(t.subject.value, []).append(t)
        by_p.setdefault(t.predicate.value, []).append(t)
        if (
            t.predicate.value == _RDF_TYPE
            and isinstance(t.object, ox.NamedNode)
            and not isinstance(t.subject, ox.Triple)
        ):
            types.setdefault(t.subject.value, set()).add(t.object.value)
    used: set[ox.Triple] = set()
    members: dict[str, list[str]] = {}
    placed: set[str] = set()
    for s in sheets:
        if s.cls is None or s.id_column is None:
            continue
        classes = vocab.subclasses(s.cls)
        members[s.name] = sorted(n for n, ts in types.items() if ts & classes and n not in placed)
        placed.update(members[s.name])
    cities = members.get(next((s.name for s in sheets if s.cls == expand("ssc:City")), ""), [])
    base = base_iri or _common_base(cities[0] if cities else None) or ""

    def ident(iri: str) -> str:
        if base and iri.startswith(base) and _LOCAL_RE.match(iri[len(base) :]):
            return iri[len(base) :]
        return iri

    def cell(s: Sheet, col: Column, node: str) -> str:
        if col.kind == "id":
            return ident(node)
        if col.kind == "base":
            return base
        values: list[str] = []
        if col.kind == "type":
            ch = _term_choices(col, vocab)
            for t in by_s.get(node, []):
                if t.predicate.value == _RDF_TYPE and isinstance(t.object, ox.NamedNode) and t.object.value in ch:
                    values.append(ch.labels[t.object.value])
                    used.add(t)
            if types.get(node) and s.cls:
                for t in by_s.get(node, []):  # the sheet's own class is implied by the row
                    if t.predicate.value == _RDF_TYPE and t.object == ox.NamedNode(s.cls):
                        used.add(t)
        elif col.inverse:  # an inverse column always has a property (its mapping cell starts with ^)
            for t in by_p.get(col.prop or "", []):
                if t.object == ox.NamedNode(node) and isinstance(t.subject, ox.NamedNode):
                    values.append(ident(t.subject.value))
                    used.add(t)
        else:
            for t in by_s.get(node, []):
                if t.predicate.value != col.prop:
                    continue
                text = _export_value(col, t.object, vocab, ident)
                if text is not None:
                    values.append(text)
                    used.add(t)
        if not values and col.kind == "ref" and col.default:
            return NO_LINK  # an empty cell would be read as the default (e.g. the register's city)
        return "; ".join(sorted(dict.fromkeys(values)))

    rows: dict[str, list[list[str]]] = {}
    for s in sheets:
        if s.id_column is not None:
            out = []
            for node in members.get(s.name, []):
                if s.cls and not any(c.kind == "type" for c in s.columns):
                    used.update(
                        t
                        for t in by_s.get(node, [])
                        if t.predicate.value == _RDF_TYPE
                        and isinstance(t.object, ox.NamedNode)
                        and t.object.value in vocab.subclasses(s.cls)
                    )
                out.append([cell(s, c, node) for c in s.columns])
            rows[s.name] = out
        elif s.subject_column is not None:
            out = []
            for c in s.columns:
                if c is s.subject_column or c.prop is None:
                    continue
                for t in by_p.get(c.prop, []):
                    if not isinstance(t.subject, ox.NamedNode):
                        continue
                    text = _export_value(c, t.object, vocab, ident)
                    if text is None:
                        continue
                    used.add(t)
                    r = ["" for _ in s.columns]
                    r[s.columns.index(s.subject_column)] = ident(t.subject.value)
                    r[s.columns.index(c)] = text
                    out.append(r)
            rows[s.name] = sorted(out)
    left: dict[str, int] = {}
    for t in triples:
        if t not in used:
            k = compact(t.predicate.value)
            left[k] = left.get(k, 0) + 1
    written = _write(Path(path), fmt, sheets, rows, vocab)
    return ExportResult(written, {k: len(v) for k, v in rows.items()}, left)


def _export_value(
    col: Column,
    obj: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple,
    vocab: Vocabulary,
    ident: Callable[[str], str],
) -> str | None:
    if col.kind == "term":
        ch = _term_choices(col, vocab)
        return ch.labels.get(obj.value) if isinstance(obj, ox.NamedNode) else None
    if col.kind == "ref":
        return ident(obj.value) if isinstance(obj, ox.NamedNode) else None
    if col.kind in ("label", "text"):
        return obj.value if isinstance(obj, ox.Literal) else None
    if col.kind == "date":
        return obj.value if isinstance(obj, ox.Literal) and obj.datatype.value == _XSD + "date" else None
    if col.kind == "integer":
        return obj.value if isinstance(obj, ox.Literal) else None
    return None
