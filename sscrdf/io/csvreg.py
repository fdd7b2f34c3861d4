"""The CSV stakeholder register: a spreadsheet a city keeps, read as the same triples a Turtle register gives.

Format
======

A UTF-8 CSV file (a UTF-8 byte-order mark, as spreadsheet programs write, is fine). The delimiter is the comma,
or the semicolon or tab when the header row uses that instead. The first row (line 1) names the columns, in any
order; names are matched case-insensitively, and spaces or hyphens in them count as ``_`` (``Current level`` is
``current_level``). Every further row is one stakeholder assessment; blank rows and rows whose first cell starts
with ``#`` are skipped.

Required columns:

``id``
    the stakeholder's identifier: a local name (letters, digits, ``-``, ``_``, ``.``), made an IRI with the base
    IRI (default ``urn:sscrdf:<file stem>:``), or a full IRI (``https://…``, ``urn:…``).
``name``
    its name, written as ``rdfs:label``.
``category``
    the ``ssc:`` class: one of the 12 stakeholder categories of Y Suppl. 34 clause 3.1 (``Municipality``,
    ``NationalOrRegionalGovernment``, ``CityServicesCompany``, ``UtilityProvider``, ``ICTCompany``, ``NGO``,
    ``InternationalOrganization``, ``IndustryAssociation``, ``AcademiaOrResearchOrganization``,
    ``CitizenOrganization``, ``UrbanPlanner``, ``StandardsDevelopingOrganization``), a subclass of one (e.g.
    ``University``, a ministry such as ``MinistryOfEnergy``), or a municipal unit class of Table 2 (e.g.
    ``FinanceUnit``). Several are separated by ``;``. The ``ssc:`` prefix, case and spaces do not matter
    (``ict company`` is ``ICTCompany``).
``scale``
    ``local`` / ``supralocal`` (or ``LocalScale`` / ``SupralocalScale``).
``sector``
    ``public`` / ``private`` / ``non-profit`` (or ``PublicSector`` / ``PrivateSector`` / ``NonProfitSector``).
``power``, ``interest``
    ``High`` / ``Low`` (Y Suppl. 34, Figure 4).
``current_level``, ``desired_level``
    ``Unaware`` / ``Resistant`` / ``Neutral`` / ``Supportive`` / ``Leading`` (clause 4.2).
``assessed_on``
    the date of the assessment, ``YYYY-MM-DD``.
``assessed_by``
    who assessed: an IRI, or a name (then the agent gets the IRI ``<base>agent-<name in lower case>`` and the
    name as its label).

Optional columns:

``responsibilities``
    ``ssc:`` responsibility individuals the stakeholder or unit actually holds, separated by ``;``.
``unit_of``
    for a municipal unit: the id of its municipality. The row's category is then the unit class.
``city``
    the city (an IRI or a local name); default: the ``city_iri`` given to the reader, else
    ``urn:sscrdf:city:<file stem>``.
``city_name``
    the city's name, written as its ``rdfs:label`` (the reports head the city with it). Every row that names
    the same city must give the same name or none.

Other columns (notes, contact details …) are ignored, unless their name looks like a misspelt one of the above.

Rules: every value is matched case-insensitively. ``scale`` and ``sector`` must be filled for a stakeholder; the
six assessment columns (``power`` … ``assessed_by``) are all filled or all empty (a stakeholder identified but not
yet assessed). Several rows with the same ``id`` are several dated assessments of one stakeholder: later rows may
leave name, category, scale, sector, ``unit_of``, ``city`` and ``city_name`` empty (they are taken from the first
row), and must agree with it where they fill them; their responsibilities add up. The same assessment twice is
an error. A municipal unit is not a stakeholder: its row leaves scale, sector and the assessment columns empty and
names its municipality in ``unit_of``.

Triples
=======

For a stakeholder ``?s`` of city ``?city``::

    ?city a ssc:City ; ssc:hasStakeholder ?s ; rdfs:label "city_name" .
    ?s a ssc:<Category> ; rdfs:label "name" ; ssc:scale ssc:LocalScale ; ssc:sector ssc:PublicSector ;
       ssc:hasResponsibility ssc:<Responsibility> .
    ?a a ssc:EngagementAssessment ; ssc:assessedStakeholder ?s ; ssc:powerLevel ssc:High ;
       ssc:interestLevel ssc:Low ; ssc:currentLevel ssc:Neutral ; ssc:desiredLevel ssc:Supportive ;
       dcterms:date "2025-03-14"^^xsd:date ; prov:wasAttributedTo ?agent .

The assessment IRI is ``<base>assessment-<id>-<date>`` (with ``-2``, ``-3`` … for further ones of the same day).
For a municipal unit ``?u``: ``?u a ssc:<Unit> ; rdfs:label "name" ; org:unitOf ?municipality`` (no
``ssc:hasStakeholder``).

Every bad value is an :class:`~sscrdf.errors.InputError` naming the file, the CSV line (the header is line 1),
the column, the value and the values allowed.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import LOCAL, OWL, PROV, RDF, RDFS, SSC as _SSC, XSD, expand, short
from ..resources import data_dir
from .encoding import check_utf8
from .regvocab import vocabulary

if TYPE_CHECKING:
    from .regvocab import Choices, Vocabulary

__all__ = ["OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "Catalogue", "catalogue", "read_csv"]

SSC = str(_SSC)
_RDF = str(RDF)
_RDFS = str(RDFS)
_OWL = str(OWL)
_XSD = str(XSD)
_PROV = str(PROV)

REQUIRED_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "category",
    "scale",
    "sector",
    "power",
    "interest",
    "current_level",
    "desired_level",
    "assessed_on",
    "assessed_by",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("responsibilities", "unit_of", "city", "city_name")
_ASSESSMENT_COLUMNS = ("power", "interest", "current_level", "desired_level", "assessed_on", "assessed_by")


@dataclass(frozen=True)
class _Column:
    """What mappings/csv-register.csv says of a column: the property its values are written with and the
    ontology classes its values come from (matched by local name, label or notation; see sscrdf.io.regvocab)."""

    property: str
    values: tuple[str, ...]


@lru_cache(maxsize=1)
def _columns() -> dict[str, _Column]:
    """Column (or node) name → its property and value classes, from mappings/csv-register.csv."""
    with (data_dir("mappings") / "csv-register.csv").open(encoding="utf-8", newline="") as f:
        return {
            r["column"]: _Column(expand(r["property"]), tuple(expand(v) for v in r["values"].split()))
            for r in csv.DictReader(f)
        }


def _prop(column: str) -> str:
    return _columns()[column].property


def _values(column: str, index: int = 0) -> str:
    return _columns()[column].values[index]


_SCHEMES = ("http", "https", "urn", "mailto", "tag", "did", "file", "ftp", "info")
_IRI_RE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://\S+|(?:" + "|".join(_SCHEMES) + r"):\S+)$", re.IGNORECASE)
_LOCAL_RE = re.compile(r"^\w[\w.~-]*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ------------------------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Catalogue:
    """The ssc: names a register may use, as local names, all read from the ontology: stakeholder categories
    (subclasses of ssc:Stakeholder), municipal unit classes (subclasses of ssc:MunicipalUnit), every ssc: class
    (for suggestions), the responsibility individuals, and the allowed values of the term columns."""

    stakeholder_classes: frozenset[str]
    unit_classes: frozenset[str]
    classes: frozenset[str]
    vocabulary: Vocabulary  # the one it was made from
    responsibilities: frozenset[str] = frozenset()

    def choices(self, cls: str) -> Choices:
        return self.vocabulary.choices(cls, kind="term")


def catalogue(paths: Sequence[Path] | None = None) -> Catalogue:
    """The catalogue of the bundled ontology modules (or of the Turtle files ``paths``)."""
    return _catalogue_of(vocabulary(paths))


@lru_cache(maxsize=4)
def _catalogue_of(vocab: Vocabulary) -> Catalogue:
    classes = {s for s, ts in vocab.types.items() if _OWL + "Class" in ts} | set(vocab.parents)
    return Catalogue(
        stakeholder_classes=frozenset(_locals(vocab.subclasses(_values("category", 0)))),
        unit_classes=frozenset(_locals(vocab.subclasses(_values("category", 1)))),
        classes=frozenset(_locals(classes)),
        responsibilities=frozenset(_locals(vocab.individuals(_values("responsibilities")))),
        vocabulary=vocab,
    )


def _locals(iris: Iterable[str]) -> set[str]:
    return {i[len(SSC) :] for i in iris if i.startswith(SSC) and len(i) > len(SSC)}


# ------------------------------------------------------------------------------------------- values


def _key(value: str) -> str:
    """A value as compared: lower case, without an ``ssc:`` prefix, spaces, hyphens or underscores."""
    v = value.strip().lower()
    if v.startswith("ssc:"):
        v = v[4:]
    return re.sub(r"[\s_-]+", "", v)


def _closest(word: str, names: Iterable[str]) -> str | None:
    """The name in ``names`` closest to ``word`` (compared by :func:`_key`), or None."""
    by_key = {_key(n): n for n in names}
    match = difflib.get_close_matches(_key(word), list(by_key), n=1, cutoff=0.6)
    return by_key[match[0]] if match else None


@dataclass(frozen=True)
class _Ctx:
    """Where a value was read: file, CSV line and column name."""

    path: Path
    line: int
    column: str

    def error(self, message: str, hint: str | None = None) -> InputError:
        return InputError(f"column {self.column}: {message}", path=self.path, line=self.line, hint=hint)

    def bad_value(self, value: str, what: str, allowed: Iterable[str], suggestion: str | None = None) -> InputError:
        hint = f"did you mean {suggestion}?" if suggestion else None
        return self.error(f"{value!r} is not {what}; allowed: {', '.join(allowed)}", hint)


def _choice(value: str, ctx: _Ctx, cat: Catalogue, cls: str, what: str) -> str:
    """The ssc: local name of the individual of ``cls`` that ``value`` names (by local name, label or notation);
    InputError naming the allowed values by label."""
    choices = cat.choices(cls)
    found = choices.find(value)
    if found is None or not found.startswith(SSC):
        raise ctx.bad_value(value, what, choices.shown(), choices.nearest(value))
    return found[len(SSC) :]


_CtxFor = Callable[[str], _Ctx]


def _required(row: Mapping[str, str], ctx_for: _CtxFor, column: str, why: str = "") -> str:
    """The cell of ``column``; InputError when it is empty."""
    value = row.get(column, "")
    if not value:
        raise ctx_for(column).error(f"a value is required{why}")
    return value


def _is_iri(value: str) -> bool:
    return bool(_IRI_RE.match(value))


def _resolve(value: str, base: str, ctx: _Ctx) -> str:
    """An id cell as an IRI: a full IRI as is, a local name appended to ``base``."""
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1].strip()
    if _is_iri(value):
        iri = value
    elif _LOCAL_RE.match(value):
        iri = base + value
    else:
        raise ctx.error(
            f"{value!r} is neither a local name nor a full IRI",
            hint="use letters, digits, '-', '_' and '.' only (e.g. city-council), or a full IRI "
            "such as https://data.example.org/city-council",
        )
    try:
        ox.NamedNode(iri)
    except ValueError as exc:
        raise ctx.error(f"{value!r} does not make a valid IRI ({exc})") from None
    return iri


def _date(value: str, ctx: _Ctx) -> str:
    try:
        valid = bool(_DATE_RE.match(value)) and date.fromisoformat(value) is not None
    except ValueError:
        valid = False
    if not valid:
        raise ctx.error(f"{value!r} is not a date; allowed: a calendar date written YYYY-MM-DD (e.g. 2025-03-14)")
    return value


def _slug(text: str) -> str:
    return re.sub(r"[^\w.~]+", "-", text.strip().lower()).strip("-")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


# ------------------------------------------------------------------------------------------- rows


@dataclass(frozen=True)
class _Assessment:
    line: int
    power: str
    interest: str
    current: str
    desired: str
    on: str
    by: str  # an IRI
    by_label: str | None  # the name, when the agent IRI was made from it


@dataclass(frozen=True)
class _Entity:
    """A stakeholder or unit, merged from all rows with its id."""

    iri: str
    line: int
    name: str
    categories: tuple[str, ...]
    is_unit: bool
    scale: str | None
    sector: str | None
    unit_of: str | None
    city: str | None
    city_name: str | None = None
    responsibilities: tuple[str, ...] = ()
    assessments: tuple[_Assessment, ...] = ()


@dataclass(frozen=True)
class _Settings:
    path: Path
    base: str
    city: str
    catalogue: Catalogue


def _categories(value: str, ctx: _Ctx, cat: Catalogue) -> tuple[tuple[str, ...], bool]:
    """The category classes of a cell and whether they are municipal unit classes."""
    known = {_key(n): n for n in cat.stakeholder_classes | cat.unit_classes}
    allowed = [
        f"stakeholder categories {', '.join(sorted(cat.stakeholder_classes))}",
        f"municipal units {', '.join(sorted(cat.unit_classes))}",
    ]
    names = []
    for word in _split(value):
        name = known.get(_key(word))
        if name is None:
            other = {_key(n): n for n in cat.classes}.get(_key(word))
            if other is not None:
                raise ctx.error(
                    f"ssc:{other} is not a stakeholder category or a municipal unit class; "
                    f"allowed: {'; '.join(allowed)}"
                )
            raise ctx.bad_value(
                word,
                "a known stakeholder category or municipal unit class",
                ["; ".join(allowed)],
                _closest(word, cat.stakeholder_classes | cat.unit_classes | cat.classes),
            )
        names.append(name)
    if not names:
        raise ctx.error("a value is required")
    units = [n for n in names if n in cat.unit_classes]
    if units and len(units) != len(names):
        raise ctx.error(
            f"{value!r} mixes municipal unit classes and stakeholder categories",
            hint="a municipal unit is not a stakeholder: give it a row of its own",
        )
    return tuple(dict.fromkeys(names)), bool(units)


def _responsibilities(value: str, ctx: _Ctx, cat: Catalogue) -> list[str]:
    out = []
    known = {_key(n): n for n in cat.responsibilities}
    for word in _split(value):
        local = word[4:] if word.lower().startswith("ssc:") else word
        if known:
            name = known.get(_key(local))
            if name is None:
                raise ctx.bad_value(
                    word,
                    "a responsibility of the ontology",
                    [f"ssc: names of {short(_values('responsibilities'))} individuals (ontology/*.ttl)"],
                    _closest(local, cat.responsibilities),
                )
            out.append(name)
        elif _LOCAL_RE.match(local):
            out.append(local)
        else:
            raise ctx.error(f"{word!r} is not an ssc: local name")
    return out


def _agent(value: str, base: str, ctx: _Ctx) -> tuple[str, str | None]:
    """The agent IRI of an ``assessed_by`` cell and, when made from a name, that name."""
    if _is_iri(value):
        return _resolve(value, base, ctx), None
    slug = _slug(value)
    if not slug:
        raise ctx.error(f"{value!r} is neither an IRI nor a name")
    return _resolve(f"{base}agent-{slug}", base, ctx), value


def _assessment(
    row: Mapping[str, str], line: int, ctx_for: _CtxFor, settings: _Settings, is_unit: bool
) -> _Assessment | None:
    """The assessment a row holds, None when its assessment columns are empty."""
    filled = [c for c in _ASSESSMENT_COLUMNS if row.get(c)]
    if is_unit:
        if filled:
            raise ctx_for(filled[0]).error(
                "municipal units are not stakeholders and are not assessed; leave the assessment columns empty"
            )
        return None
    if not filled:
        return None
    missing = [c for c in _ASSESSMENT_COLUMNS if not row.get(c)]
    if missing:
        raise ctx_for(missing[0]).error(
            f"a value is required when the row holds an assessment "
            f"({', '.join(_ASSESSMENT_COLUMNS)} are filled together or left empty)"
        )
    cat = settings.catalogue
    by, by_label = _agent(row["assessed_by"], settings.base, ctx_for("assessed_by"))
    return _Assessment(
        line=line,
        power=_choice(row["power"], ctx_for("power"), cat, _values("power"), "a power level"),
        interest=_choice(row["interest"], ctx_for("interest"), cat, _values("interest"), "an interest level"),
        current=_choice(
            row["current_level"], ctx_for("current_level"), cat, _values("current_level"), "an engagement level"
        ),
        desired=_choice(
            row["desired_level"], ctx_for("desired_level"), cat, _values("desired_level"), "an engagement level"
        ),
        on=_date(row["assessed_on"], ctx_for("assessed_on")),
        by=by,
        by_label=by_label,
    )


def _entity(row: Mapping[str, str], line: int, settings: _Settings) -> _Entity:
    """The stakeholder or unit one row describes, with the row's assessment (if any)."""
    path, base, cat = settings.path, settings.base, settings.catalogue

    def ctx_for(column: str) -> _Ctx:
        return _Ctx(path, line, column)

    iri = _resolve(_required(row, ctx_for, "id"), base, ctx_for("id"))
    categories, is_unit = _categories(_required(row, ctx_for, "category"), ctx_for("category"), cat)
    scale = sector = unit_of = None
    if is_unit:
        for column in ("scale", "sector"):
            if row.get(column):
                raise ctx_for(column).error(
                    "municipal units are not stakeholders and have no scale or sector; leave it empty"
                )
        unit_of = _resolve(
            _required(
                row, ctx_for, "unit_of", f" for the municipal unit ssc:{categories[0]}: the id of its municipality"
            ),
            base,
            ctx_for("unit_of"),
        )
    else:
        if row.get("unit_of"):
            raise ctx_for("unit_of").error(
                "only municipal units (e.g. FinanceUnit) belong to a municipality; "
                f"ssc:{categories[0]} is a stakeholder category",
                hint="leave unit_of empty, or give the unit class as the category",
            )
        scale = _choice(_required(row, ctx_for, "scale"), ctx_for("scale"), cat, _values("scale"), "a scale")
        sector = _choice(_required(row, ctx_for, "sector"), ctx_for("sector"), cat, _values("sector"), "a sector")
    city = _resolve(row["city"], base, ctx_for("city")) if row.get("city") and not is_unit else None
    city_name = (row.get("city_name") or None) if not is_unit else None
    name = _required(row, ctx_for, "name")
    responsibilities = _responsibilities(row.get("responsibilities", ""), ctx_for("responsibilities"), cat)
    assessment = _assessment(row, line, ctx_for, settings, is_unit)
    return _Entity(
        iri=iri,
        line=line,
        name=name,
        categories=categories,
        is_unit=is_unit,
        scale=scale,
        sector=sector,
        unit_of=unit_of,
        city=city,
        city_name=city_name,
        responsibilities=tuple(responsibilities),
        assessments=(assessment,) if assessment is not None else (),
    )


_MERGED = (
    ("name", "name"),
    ("categories", "category"),
    ("scale", "scale"),
    ("sector", "sector"),
    ("unit_of", "unit_of"),
    ("city", "city"),
    ("city_name", "city_name"),
)


def _shown(value: object) -> str:
    return ";".join(sorted(value)) if isinstance(value, tuple) else str(value)


def _merge(first: _Entity, later: _Entity, path: Path) -> _Entity:
    """A new entity: ``first`` with what a later row of the same id adds; InputError when the rows disagree."""
    changes: dict[str, Any] = {}  # attribute -> new value; the attributes have different types
    for attr, column in _MERGED:
        old, new = getattr(first, attr), getattr(later, attr)
        same = set(old) == set(new) if attr == "categories" else old == new
        if new and old and not same:
            raise InputError(
                f"column {column}: {_shown(new)!r} differs from {_shown(old)!r} given for the same id "
                f"on line {first.line}",
                path=path,
                line=later.line,
                hint="rows with the same id are assessments of one stakeholder; "
                "leave the cell empty or give the same value",
            )
        if new and not old:
            changes[attr] = new
    for a in later.assessments:
        for b in first.assessments:
            if _assessment_key(a) == _assessment_key(b):
                raise InputError(
                    f"the same assessment as line {b.line} (same id, date, assessor and levels)",
                    path=path,
                    line=a.line,
                    hint="delete the repeated row",
                )
    responsibilities = tuple(dict.fromkeys(first.responsibilities + later.responsibilities))
    return replace(
        first, **changes, responsibilities=responsibilities, assessments=first.assessments + later.assessments
    )


def _assessment_key(a: _Assessment) -> tuple[str, ...]:
    return (a.power, a.interest, a.current, a.desired, a.on, a.by)


# ------------------------------------------------------------------------------------------- reading


def _text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("no such file", path=path, hint="check the path and the spelling of the file name") from None
    except IsADirectoryError:
        raise InputError("is a directory, not a file", path=path) from None
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", path=path) from None
    check_utf8(data, path, hint="save the spreadsheet as 'CSV UTF-8'")
    return data.decode("utf-8-sig")


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _column_name(raw: str) -> str:
    return re.sub(r"[\s-]+", "_", raw.strip().lower())


def _header(cells: list[str], path: Path) -> list[str]:
    """The normalised column names; InputError on a duplicate, a missing required or a misspelt column."""
    names = [_column_name(c) for c in cells]
    known = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
    for i, name in enumerate(names):
        if name and name in names[:i]:
            raise InputError(f"column {name!r} appears twice in the header", path=path, line=1, column=None)
    for name in names:
        if name and name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.8)
            if close and close[0] not in names:
                raise InputError(
                    f"unknown column {name!r}; columns: {', '.join(known)}",
                    path=path,
                    line=1,
                    hint=f"did you mean {close[0]}?",
                )
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise InputError(
            f"the header lacks the required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
            path=path,
            line=1,
            hint=f"a register's columns are {', '.join(REQUIRED_COLUMNS)} (required) and "
            f"{', '.join(OPTIONAL_COLUMNS)} (optional), separated by commas",
        )
    return names


def _rows(text: str, path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for every data row, with cells stripped and keyed by column name."""
    if not text.strip():
        raise InputError(
            "the CSV register contains no triples: the file is empty, it has no header row",
            path=path,
            hint=f"the first row names the columns: {', '.join(REQUIRED_COLUMNS)}",
        )
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    header: list[str] | None = None
    previous_end = 0
    try:
        for cells in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if header is None:
                if not any(c.strip() for c in cells):
                    continue
                header = _header(cells, path)
                continue
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                raise InputError(
                    f"the row has {len(cells)} cells but the header names {len(header)} columns",
                    path=path,
                    line=line,
                    hint="put values that contain the delimiter in double quotes",
                )
            yield line, {name: cell.strip() for name, cell in zip(header, cells, strict=False) if name}
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None


def _check_units(entities: Mapping[str, _Entity], path: Path) -> None:
    """A unit_of naming a row of this file must name a municipality."""
    for e in entities.values():
        target = entities.get(e.unit_of) if e.unit_of else None
        if target is not None and _values("unit_of")[len(SSC) :] not in target.categories:
            raise InputError(
                f"column unit_of: {e.unit_of!r} is not a municipality (its row on line {target.line} "
                f"has category {';'.join(target.categories)})",
                path=path,
                line=e.line,
                hint="a municipal unit belongs to a row whose category is Municipality",
            )


def _check_city_names(entities: Mapping[str, _Entity], settings: _Settings) -> None:
    """Every row that names a city's name gives the same one (rows of one id are merged and checked already)."""
    named: dict[str, _Entity] = {}
    for e in entities.values():
        if not e.city_name:
            continue
        city = e.city or settings.city
        first = named.setdefault(city, e)
        if first.city_name != e.city_name:
            raise InputError(
                f"column city_name: {e.city_name!r} differs from {first.city_name!r} given on line {first.line} "
                f"for the same city {city}",
                path=settings.path,
                line=e.line,
                hint="give a city one name (or leave city_name empty on all but one row)",
            )


def _quads(entities: Iterable[_Entity], settings: _Settings) -> list[ox.Quad]:
    """The default-graph quads of the register, without repeats, in the order of the rows."""
    out: dict[ox.Quad, None] = {}

    def add(s: str, p: str, o: ox.NamedNode | ox.Literal) -> None:
        out[ox.Quad(ox.NamedNode(s), ox.NamedNode(p), o, ox.DefaultGraph())] = None

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    day_counts: dict[tuple[str, str], int] = {}
    for e in entities:
        for c in e.categories:
            add(e.iri, _prop("category"), iri(SSC + c))
        add(e.iri, _prop("name"), ox.Literal(e.name))
        if e.is_unit:
            add(e.iri, _prop("unit_of"), iri(e.unit_of or ""))
        else:
            city = e.city or settings.city
            add(city, _RDF + "type", iri(SSC + "City"))
            add(city, SSC + "hasStakeholder", iri(e.iri))
            if e.city_name:
                add(city, _prop("city_name"), ox.Literal(e.city_name))
            add(e.iri, _prop("scale"), iri(SSC + (e.scale or "")))
            add(e.iri, _prop("sector"), iri(SSC + (e.sector or "")))
        for r in e.responsibilities:
            add(e.iri, _prop("responsibilities"), iri(SSC + r))
        for a in e.assessments:
            key = (_assessment_slug(e, settings.base), a.on)
            day_counts[key] = day_counts.get(key, 0) + 1
            suffix = f"-{day_counts[key]}" if day_counts[key] > 1 else ""
            _assessment_quads(add, e, a, f"{settings.base}assessment-{key[0]}-{a.on}{suffix}")
    return list(out)


_Add = Callable[[str, str, ox.NamedNode | ox.Literal], None]


def _assessment_slug(e: _Entity, base: str) -> str:
    """The part of an assessment IRI that names its stakeholder."""
    local = e.iri[len(base) :] if e.iri.startswith(base) else re.split(r"[#/:]", e.iri)[-1]
    return _slug(local) or "stakeholder"


def _assessment_quads(add: _Add, e: _Entity, a: _Assessment, node: str) -> None:
    """The triples of one assessment ``node`` of ``e``."""
    add(node, _prop("assessment"), ox.NamedNode(_values("assessment")))
    add(node, _prop("assessment_of"), ox.NamedNode(e.iri))
    add(node, _prop("power"), ox.NamedNode(SSC + a.power))
    add(node, _prop("interest"), ox.NamedNode(SSC + a.interest))
    add(node, _prop("current_level"), ox.NamedNode(SSC + a.current))
    add(node, _prop("desired_level"), ox.NamedNode(SSC + a.desired))
    add(node, _prop("assessed_on"), ox.Literal(a.on, datatype=ox.NamedNode(_XSD + "date")))
    add(node, _prop("assessed_by"), ox.NamedNode(a.by))
    if a.by_label is not None:
        add(a.by, _RDF + "type", ox.NamedNode(_PROV + "Agent"))
        add(a.by, _RDFS + "label", ox.Literal(a.by_label))


def _row_iri(row: Mapping[str, str], line: int, settings: _Settings) -> str:
    """The IRI of a row's ``id`` cell."""
    ctx = _Ctx(settings.path, line, "id")
    if not row.get("id"):
        raise ctx.error("a value is required")
    return _resolve(row["id"], settings.base, ctx)


_DESCRIPTIVE = ("name", "category", "scale", "sector", "unit_of", "city", "city_name")


def _inherit(row: Mapping[str, str], first: Mapping[str, str]) -> dict[str, str]:
    """A new row: ``row`` with its empty descriptive cells taken from the first row of the same id."""
    out = dict(row)
    for column in _DESCRIPTIVE:
        if not out.get(column) and first.get(column):
            out[column] = first[column]
    return out


def _settings(path: Path, base_iri: str | None, city_iri: str | None, cat: Catalogue | None = None) -> _Settings:
    stem = quote(path.stem, safe="-._~")
    base = base_iri if base_iri is not None else f"{LOCAL}{stem}:"
    try:
        ox.NamedNode(base + "x")
    except ValueError as exc:
        raise InputError(f"the base IRI {base!r} is not a valid IRI ({exc})", path=path) from None
    city_ctx = _Ctx(path, 0, "city")
    try:
        city = _resolve(city_iri, base, city_ctx) if city_iri else f"{LOCAL}city:{stem}"
    except InputError as exc:
        raise InputError(
            f"the city {city_iri!r} is neither a local name nor a full IRI", path=path, hint=exc.hint
        ) from None
    return _Settings(path=path, base=base, city=city, catalogue=cat or catalogue())


def read_csv(
    path: str | Path,
    *,
    base_iri: str | None = None,
    city_iri: str | None = None,
    ontology: Sequence[Path] | None = None,
) -> list[ox.Quad]:
    """The triples (as default-graph quads) of a CSV stakeholder register; see the module docstring for the format.

    :param path: the CSV file.
    :param base_iri: the IRI local-name ids are appended to; default ``urn:sscrdf:<file stem>:``.
    :param city_iri: the city of rows without a ``city`` cell (an IRI or a local name); default
        ``urn:sscrdf:city:<file stem>``.
    :param ontology: the Turtle files whose classes and values are allowed (default: the bundled ontology).
    :raises InputError: for an unreadable file or any bad row, with the CSV line and the column.
    """
    path = Path(path)
    settings = _settings(path, base_iri, city_iri, catalogue(ontology) if ontology is not None else None)
    entities: dict[str, _Entity] = {}
    first_rows: dict[str, Mapping[str, str]] = {}
    for line, row in _rows(_text(path), path):
        iri = _row_iri(row, line, settings)
        first = first_rows.setdefault(iri, row)
        entity = _entity(_inherit(row, first), line, settings)
        known = entities.get(iri)
        entities[iri] = _merge(known, entity, path) if known is not None else entity
    if not entities:
        raise InputError(
            "the CSV register contains no stakeholder rows, only a header",
            path=path,
            hint="add one row per stakeholder assessment below the header",
        )
    _check_units(entities, path)
    _check_city_names(entities, settings)
    return _quads(entities.values(), settings)
