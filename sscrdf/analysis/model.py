"""The analysis result model: typed, documented rows, one class per report section.

Each section row is filled from one query of ``queries/`` (the query names the section it fills in its
``# section:`` header). A row's fields are the query's result columns, in the same order, with the column
names in snake_case (``categoryLabel`` → ``category_label``); ``tests/test_model.py`` checks that the two
agree. Values are plain Python values (str for IRIs and text, int, float, bool, ``datetime.date``) or None when
the query leaves a column unbound. Renderers read these attributes, never SPARQL variable names; the JSON report
writes a row back with :meth:`Row.to_json` under the column names.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import typing
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, ClassVar, TypeVar

from ..rules.engine import Derivation
from ..shacl.results import SEVERITY_ORDER, Result
from ..shacl.validate import CityReport, ValidationReport

#: the kinds of findings the rules derive (the object of ssc:findingKind), in the order a report lists them
FINDING_KINDS = ("Gap", "Overlap", "Risk", "Recommendation")
#: the order of the kinds of triaged entries (see Entry): the finding kinds, then register checks that no rule
#: also found
ENTRY_KINDS = ("Gap", "Risk", "Overlap", "Recommendation", "Register")
#: severity names, most severe first (the one order; see sscrdf.shacl.results.SEVERITY_ORDER)
SEVERITIES = SEVERITY_ORDER

R = TypeVar("R", bound="Row")


def snake(column: str) -> str:
    """The field name of a query column: ``categoryLabel`` → ``category_label``."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", column).lower()


@cache
def camel(name: str) -> str:
    """The query column of a field name: ``category_label`` → ``categoryLabel``."""
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


class Row:
    """A row of a query result, typed. Subclasses are frozen dataclasses whose fields are the query's columns."""

    #: the fields, which @dataclass sets on each subclass (declared here so that dataclasses.fields() takes a Row)
    __dataclass_fields__: ClassVar[dict[str, dataclasses.Field[Any]]]

    @classmethod
    def columns(cls) -> list[str]:
        """The query columns this row holds, in order."""
        return [camel(f.name) for f in dataclasses.fields(cls)]

    @classmethod
    def from_row(cls: type[R], row: Mapping[str, Any]) -> R:
        """The row from a query solution (column name → value; a missing column is None)."""
        return cls(**{f.name: row.get(camel(f.name)) for f in dataclasses.fields(cls)})

    @classmethod
    def from_table(cls: type[R], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[R]:
        """The rows of a query result (``columns`` and value tuples in that order), typed: what
        :meth:`from_row` gives for each, with the columns matched to the fields once, not once a row."""
        position = {c: i for i, c in enumerate(columns)}
        where = [position.get(camel(f.name)) for f in dataclasses.fields(cls)]
        return [cls(*[None if i is None else values[i] for i in where]) for values in rows]

    def to_json(self, exclude: tuple[str, ...] = ("city",)) -> dict[str, Any]:
        """Column name → value, in column order, without the columns in ``exclude`` (the city, by default, which
        the JSON report gives once per city)."""
        return {camel(f.name): getattr(self, f.name) for f in dataclasses.fields(self) if camel(f.name) not in exclude}


Value = str | int | float | bool | dt.date | None


# ------------------------------------------------------------------------------------ Y Suppl. 34 sections


@dataclass(frozen=True)
class CategoryRow(Row):
    """A stakeholder category (clause 3.1, clauses 5.1-5.12) and how many of the city's stakeholders are in it."""

    city: str
    category: str  #: the category class IRI
    category_label: str
    stakeholders: int  #: 0 when the category is missing


@dataclass(frozen=True)
class UnitRow(Row):
    """A municipal unit of Table 2 and whether the municipality has it (``present``), leaves it to another
    body (``delegated``) or lacks it (``missing``)."""

    city: str
    municipality: str | None
    unit_class: str  #: the unit class IRI
    unit_label: str
    status: str  #: present | delegated | missing
    holder: str | None  #: the unit or body holding it
    holder_label: str | None


@dataclass(frozen=True)
class GridRow(Row):
    """An assessed stakeholder's place in the power/interest grid and its strategy (clause 4.2, Figure 4)."""

    city: str
    stakeholder: str
    stakeholder_label: str | None
    power: str  #: ssc:High or ssc:Low
    interest: str  #: ssc:High or ssc:Low
    strategy: str  #: the recommended strategy (ssc:ManageClosely, ...)


@dataclass(frozen=True)
class EngagementGapRow(Row):
    """A stakeholder whose current engagement level is below the desired one, with the next step (clause 4.2)."""

    city: str
    stakeholder: str
    stakeholder_label: str | None
    current: str  #: the current engagement level
    desired: str  #: the desired engagement level
    gap: int  #: how many levels apart
    next_step: str  #: the engagement level to reach next
    priority: int  #: 1 = most urgent


@dataclass(frozen=True)
class PlanRow(Row):
    """A planned action of the city's engagement plan: who does what about whom, by when (clause 4.2, Table 1)."""

    city: str
    action: str  #: the planned action
    stakeholder: str  #: whom it is about
    stakeholder_label: str | None
    action_kind: str  #: the ssc:EngagementAction
    priority: int  #: 1 = most urgent
    due_date: Value  #: the date it is due
    owner: str | None  #: the unit or stakeholder responsible
    owner_label: str | None
    channel: str | None  #: the participation mechanism to use
    instruction: str  #: what to do, in words


@dataclass(frozen=True)
class ProfileRow(Row):
    """A stakeholder's row of the city's summary table (clause 6, step 3; Table I.1)."""

    city: str
    stakeholder: str
    stakeholder_label: str | None
    category: str | None
    category_label: str | None
    scale: str | None
    sector: str | None
    aims: str | None
    challenges: str | None
    potential: str | None
    constraints: str | None
    role: str | None
    contribution: str | None
    source: str | None  #: where the row comes from (the city's own statement or the category's typical profile)


# ------------------------------------------------------------------------------------ FG-SSC Master Plan sections


@dataclass(frozen=True)
class PhaseRow(Row):
    """The current phase of the city's master plan (FG-SSC Master Plan, clause 3)."""

    phase: str
    phase_notation: str | None
    phase_label: str
    city: str
    city_label: str | None
    plan: str  #: the master plan


@dataclass(frozen=True)
class TimelineRow(Row):
    """A phase reached and, when there is one, an activity done in it, with its date (clauses 3.1-3.4)."""

    city: str
    current_phase: str | None
    phase: str
    phase_notation: str | None
    phase_label: str
    activity: str | None
    activity_notation: str | None
    activity_label: str | None
    date: Value


@dataclass(frozen=True)
class KpiCoverageRow(Row):
    """How many KPIs the city selected in one KPI dimension (clause 3.3, Table 1)."""

    city: str
    dimension: str
    dimension_notation: str
    dimension_label: str
    kpis: int


@dataclass(frozen=True)
class ActionRow(Row):
    """An action of the master plan's action plan, with its owner, dates, cost and status (clauses 3.3, 3.4)."""

    city: str
    action: str
    action_label: str | None
    owner: str | None
    owner_label: str | None
    start: Value
    end: Value
    cost: Value
    status: str | None
    status_label: str | None
    initiative: str | None
    areas: str | None  #: the service areas, as text


@dataclass(frozen=True)
class OverviewRow(Row):
    """What the master plan states: vision, committee, mechanisms, financing, evaluation (clauses 3.1-3.4)."""

    city: str
    plan: str
    vision: str | None
    committee: str | None
    members: Value
    mechanisms: Value
    baseline: Value
    financing_model: str | None
    criteria: Value
    evaluation_scopes: Value
    interval: Value
    instruments: Value


@dataclass(frozen=True)
class KpiValueRow(Row):
    """A selected KPI with its target and its latest measurement (clauses 3.3, 3.4)."""

    city: str
    kpi: str
    kpi_label: str | None
    dimension_notation: str | None
    dimension_label: str | None
    target: Value
    target_date: Value
    measurements: int | None
    last_date: Value
    last_value: Value


# ------------------------------------------------------------------------------------ findings and entries


@dataclass
class FindingRow:
    """A finding one rule derived (ssc:Finding), for one city."""

    finding: str  #: the finding's IRI
    kind: str  #: Gap | Overlap | Risk | Recommendation (the local name of its ssc:findingKind)
    severity: str  #: Violation | Warning | Info
    about: list[str]  #: what it is about (ssc:about), sorted
    message: str
    clause: str  #: the clauses it cites (dcterms:source), "; "-joined
    rule: str  #: the rule that derived it
    concerns: list[str] = field(default_factory=list)  #: the ontology terms it concerns (ssc:concerns)


@dataclass
class Entry:
    """One fact, however many rules and shapes found it (the triaged view of findings + validation results).

    ``kind`` is the most important kind among its findings (ENTRY_KINDS order), or "Register" for a fact only a
    shape found; ``severity`` the most severe of its sources; ``message`` the message of its first finding (or
    of its shape); ``clauses`` every clause any of its sources cites; ``rules``/``shapes`` every rule and shape
    that found it."""

    kind: str
    severity: str
    about: list[str]
    concerns: list[str]
    message: str
    clauses: list[str]
    rules: list[str] = field(default_factory=list)
    shapes: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)

    @property
    def order(self) -> tuple[int, int, str]:
        return (
            SEVERITIES.index(self.severity) if self.severity in SEVERITIES else 9,
            ENTRY_KINDS.index(self.kind) if self.kind in ENTRY_KINDS else 9,
            self.message,
        )


@dataclass(frozen=True)
class Summary:
    """The counts at the head of a city's report (``summary`` in the JSON report)."""

    stakeholders: int
    categories_present: int
    categories_total: int
    units_present: int
    units_delegated: int
    units_missing: int
    assessed_stakeholders: int
    validation: dict[str, int]  #: results by severity (violation, warning, info); empty when validation did not run
    findings: dict[str, int]  #: findings by kind (FINDING_KINDS)
    entries: dict[str, int]  #: entries by kind (ENTRY_KINDS)
    planned_actions: int

    def to_json(self) -> dict[str, Any]:
        return {camel(f.name): getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass
class CityAnalysis:
    """Everything the report says about one city. The list attributes typed with a :class:`Row` class are the
    report's sections; ``queries/`` says which query fills which (``# section:``)."""

    city: str  #: the ssc:City IRI
    label: str
    graph: str | None  #: the named graph it came in (None: the default graph)
    categories: list[CategoryRow] = field(default_factory=list)
    units: list[UnitRow] = field(default_factory=list)
    grid: list[GridRow] = field(default_factory=list)
    engagement_gaps: list[EngagementGapRow] = field(default_factory=list)
    findings: list[FindingRow] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)  #: findings and validation results, one entry per fact
    plan: list[PlanRow] = field(default_factory=list)  #: the engagement plan's actions
    profiles: list[ProfileRow] = field(default_factory=list)  #: the city's Table I.1
    mp_phase: list[PhaseRow] = field(default_factory=list)  #: its master plan's current phase (one row, or none)
    mp_timeline: list[TimelineRow] = field(default_factory=list)  #: phases reached and activities done
    mp_kpis: list[KpiCoverageRow] = field(default_factory=list)  #: selected KPIs per KPI dimension (D1-D6)
    mp_actions: list[ActionRow] = field(default_factory=list)  #: actions of the action plan, owner and status
    mp_overview: list[OverviewRow] = field(default_factory=list)  #: vision, committee, mechanisms, financing
    mp_kpi_values: list[KpiValueRow] = field(default_factory=list)  #: each selected KPI: target, last value
    validation: CityReport | None = None
    labels: dict[str, str] = field(default_factory=dict)  #: IRI → display label (data, shapes, ontology)
    stakeholder_count: int = 0

    def findings_of(self, kind: str) -> list[FindingRow]:
        return [f for f in self.findings if f.kind == kind]

    def entries_of(self, kind: str) -> list[Entry]:
        return [e for e in self.entries if e.kind == kind]

    def summary(self) -> Summary:
        units = Counter(u.status for u in {(u.unit_class, u.status): u for u in self.units}.values())
        return Summary(
            stakeholders=self.stakeholder_count,
            categories_present=sum(1 for c in self.categories if c.stakeholders > 0),
            categories_total=len(self.categories),
            units_present=units.get("present", 0),
            units_delegated=units.get("delegated", 0),
            units_missing=units.get("missing", 0),
            assessed_stakeholders=len({r.stakeholder for r in self.grid}),
            validation=ValidationReport([self.validation]).counts() if self.validation else {},
            findings={k: len(self.findings_of(k)) for k in FINDING_KINDS},
            entries={k: len(self.entries_of(k)) for k in ENTRY_KINDS},
            planned_actions=len(self.plan),
        )


def section_types() -> dict[str, type[Row]]:
    """CityAnalysis attribute → the Row class of its items, for every report section."""
    hints = typing.get_type_hints(CityAnalysis)
    out = {}
    for f in dataclasses.fields(CityAnalysis):
        args = typing.get_args(hints[f.name])
        if args and isinstance(args[0], type) and issubclass(args[0], Row):
            out[f.name] = args[0]
    return out


@dataclass
class Analysis:
    """The result of analysing a dataset: one :class:`CityAnalysis` per city, sorted by label."""

    as_of: dt.date
    reasoner: str
    cities: list[CityAnalysis]
    derivation: Derivation
    terms_used: set[str] = field(default_factory=set)  #: ssc: IRIs the data uses (for the vocabulary check)
    #: seconds spent per stage (reasoning, rules, validation, queries), summed over batches and workers
    timings: dict[str, float] = field(default_factory=dict)
