"""The HTML report of ``sscrdf analyze --format html``: one self-contained file, readable offline and printable.

Charts are inline SVG drawn with matplotlib (text kept as text, a colour-blind-safe palette, a text alternative
for each); the findings table filters and sorts with a small inline script; nothing is fetched. What the charts
show beyond the :class:`~sscrdf.analysis.analyze.Analysis` comes from the queries in ``mappings/html/*.rq`` run on the
data, the rules' derived triples and the ontology (for labels). This module imports matplotlib, so it is
imported only for the html format.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import math
import re
import warnings
import zlib
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyoxigraph as ox

from .. import __version__
from ..analysis.analyze import section
from ..analysis.model import Analysis, CityAnalysis, GridRow, R, Row
from ..namespaces import ORG
from ..query.sparql import Value, select
from ..resources import data_dir, files
from .vocab import Style, engagement_levels, flagged, grid_strategies, onion_layers, styles

if TYPE_CHECKING:
    from matplotlib.figure import Figure

UNIT_OF = str(ORG) + "unitOf"
#: the colour and line of what mappings/html/styles.csv gives no style (Okabe-Ito grey and pink)
NO_STYLE = Style("#999999", "-", "")
OTHER_RELATION = Style("#CC79A7", "-", "")
STATUS_COLOURS = {"present": "#009E73", "delegated": "#56B4E9", "missing": "#D55E00"}


def _use_svg() -> None:
    """Set matplotlib up for SVG. Each chart calls it and then imports pyplot: not at module import, because
    importing matplotlib builds a font cache in the user's home folder (and takes a second)."""
    import matplotlib  # heavy (see above): only the HTML report draws charts

    matplotlib.use("Agg")  # no display: SVG only
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "svg.hashsalt": "sscrdf", "font.size": 8, "font.family": "sans-serif"})


def _local(iri: Value) -> str:
    return "" if not iri else re.split(r"[#/:]", str(iri))[-1]


class _Labels:
    """Readable labels: the data's and the ontology's, else the local name split into words (never an IRI)."""

    def __init__(self, *maps: dict[str, str]) -> None:
        self.map: dict[str, str] = {}
        for m in maps:
            self.map.update(m)

    def __call__(self, value: Value) -> str:
        if value is None:
            return ""
        iri = str(value)
        if iri in self.map:
            return self.map[iri]
        local = _local(iri)
        return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).replace("-", " ").lower() or iri


def _svg(fig: Figure, title: str, desc: str) -> str:
    """The figure as inline SVG with a title and a text alternative."""
    _use_svg()
    import matplotlib.pyplot as plt  # heavy: loaded for the HTML report only (see _use_svg)

    buf = io.StringIO()
    with warnings.catch_warnings():  # a label's character the font lacks (an emoji, a tab) is drawn as a box:
        warnings.filterwarnings("ignore", r"Glyph \d+ .* missing from font", UserWarning)  # not worth a warning
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"(?s)<metadata>.*?</metadata>", "", svg)
    n = zlib.crc32(title.encode("utf-8"))
    svg = svg.replace("<svg ", f'<svg role="img" aria-labelledby="t{n} d{n}" ', 1)
    head = f'<title id="t{n}">{html.escape(title)}</title><desc id="d{n}">{html.escape(desc)}</desc>'
    svg = re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + head, svg, count=1)
    return f'<figure class="chart">{svg}<figcaption>{html.escape(title)}</figcaption></figure>'


# ---------------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class AssessmentRow(Row):
    """An engagement assessment of a stakeholder (mappings/html/assessments.rq)."""

    city: str
    stakeholder: str
    date: Value
    power: str
    interest: str
    current: str
    desired: str


@dataclass(frozen=True)
class EdgeRow(Row):
    """A link of the stakeholder interaction map (mappings/html/network.rq)."""

    city: str
    source: str
    relation: str
    target: str


@dataclass(frozen=True)
class OnionRow(Row):
    """A stakeholder's layer of the onion diagram (mappings/html/onion.rq)."""

    city: str
    stakeholder: str
    layer: str


@dataclass(frozen=True)
class PlanActionRow(Row):
    """A planned action of the engagement plan table (mappings/html/plan.rq)."""

    city: str
    action: str
    stakeholder: str
    kind: str | None
    owner: str | None
    due: Value
    priority: int | None
    channel: str | None


@dataclass(frozen=True)
class LabelRow(Row):
    """A label of an IRI (mappings/labels.rq): ``p`` is 0 for a skos:prefLabel, 1 for an rdfs:label."""

    s: str
    l: str  # noqa: E741  (the query's column name)
    p: int


@dataclass(frozen=True)
class _Data:
    """The rows of the HTML report's own queries (mappings/html/*.rq), typed."""

    assessments: list[AssessmentRow]
    network: list[EdgeRow]
    onion: list[OnionRow]
    plan: list[PlanActionRow]


def _queries() -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted((data_dir("mappings") / "html").glob("*.rq"))}


def _store(data: ox.Store, analysis: Analysis) -> ox.Store:
    """A new store: the data, the rules' derived triples and the ontology (the data is not changed)."""
    store = ox.Store()
    store.extend(data)
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in analysis.derivation.triples)
    for p in files("ontology", "*.ttl"):
        store.load(path=str(p), format=ox.RdfFormat.TURTLE)
    return store


def _rows(store: ox.Store, text: str, row_type: type[R]) -> list[R]:
    t = select(store, text)
    return row_type.from_table(t.columns, t.rows)


def _data(store: ox.Store) -> _Data:
    texts = {name.removeprefix("html-"): text for name, text in _queries().items()}
    return _Data(
        _rows(store, texts["assessments"], AssessmentRow),
        _rows(store, texts["network"], EdgeRow),
        _rows(store, texts["onion"], OnionRow),
        _rows(store, texts["plan"], PlanActionRow),
    )


def _labels(store: ox.Store) -> dict[str, str]:
    out: dict[str, str] = {}
    q = (data_dir("mappings") / "labels.rq").read_text(encoding="utf-8")
    for r in sorted(_rows(store, q, LabelRow), key=lambda r: (-r.p, str(r.l))):
        out.setdefault(r.s, str(r.l))  # a prefLabel (short) wins over rdfs:label
    return out


# ---------------------------------------------------------------------------------------------- charts


def _grid_chart(city: CityAnalysis, lab: _Labels) -> str:
    _use_svg()
    import matplotlib.pyplot as plt  # heavy: loaded for the HTML report only (see _use_svg)
    from matplotlib.patches import Rectangle

    fig, ax = plt.subplots(figsize=(7.2, 6.0))
    quads: dict[tuple[str, str], list[GridRow]] = defaultdict(list)
    for r in sorted(city.grid, key=lambda r: r.stakeholder_label or ""):
        quads[(r.power, r.interest)].append(r)
    ax.axhline(1, color="#333", lw=1)
    ax.axvline(1, color="#333", lw=1)
    grid = grid_strategies()
    top_power, top_interest = max(g.power_rank for g in grid), max(g.interest_rank for g in grid)
    for g in grid:
        x0, y0 = (1 if g.interest_rank == top_interest else 0), (1 if g.power_rank == top_power else 0)
        ax.add_patch(Rectangle((x0, y0), 1, 1, color=styles()[g.strategy].colour, alpha=0.12, lw=0))
        ax.text(x0 + 0.5, y0 + 0.97, lab(g.strategy), ha="center", va="top", fontsize=9, weight="bold")
        rows = quads.get((g.power, g.interest), [])
        cols = 2 if len(rows) > 8 else 1
        per = max(1, math.ceil(len(rows) / cols))
        for i, r in enumerate(rows):
            c, k = divmod(i, per)
            x = x0 + 0.04 + c * 0.5
            y = y0 + 0.88 - (k + 0.5) * (0.84 / max(per, 1))
            colour = styles().get(r.strategy, NO_STYLE).colour
            ax.plot(x, y, "o", color=colour, ms=5)
            ax.text(
                x + 0.025,
                y,
                (r.stakeholder_label or lab(r.stakeholder))[: 34 if cols == 1 else 24],
                va="center",
                fontsize=6.5 if per > 10 else 7.5,
            )
    ax.set_xlim(0, 2)
    ax.set_ylim(0, 2)
    ax.set_xticks([0.5, 1.5], ["low interest", "high interest"])
    ax.set_yticks([0.5, 1.5], ["low power", "high power"], rotation=90, va="center")
    ax.set_xlabel("interest")
    ax.set_ylabel("power")
    counts = Counter(r.strategy for r in city.grid)
    desc = "Power/interest grid: " + "; ".join(
        f"{lab(g.strategy)}: {counts.get(g.strategy, 0)} stakeholders" for g in grid
    )
    return _svg(fig, f"Power/interest grid of {city.label} ({section('grid').clause})", desc)


def _onion_chart(city: CityAnalysis, layers: list[OnionRow], lab: _Labels) -> str:
    _use_svg()
    import matplotlib.pyplot as plt  # heavy: loaded for the HTML report only (see _use_svg)
    from matplotlib.patches import Circle

    by_layer: dict[str, list[str]] = defaultdict(list)
    for r in layers:
        by_layer[r.layer].append(lab(r.stakeholder))
    fig, ax = plt.subplots(figsize=(7.2, 7.2))
    radii = {layer: float(rank) for layer, rank in reversed(onion_layers())}  # layer N: the ring of radius N
    for layer, radius in radii.items():
        ax.add_patch(Circle((0, 0), radius, color=styles().get(layer, NO_STYLE).colour, alpha=0.35, lw=1, ec="#333"))
    for layer, radius in radii.items():
        names = sorted(set(by_layer.get(layer, [])))
        ax.text(0, radius - 0.12, f"{lab(layer)} ({len(names)})", ha="center", va="top", fontsize=9, weight="bold")
        ring = radius - 0.5
        n = max(len(names), 1)
        for i, name in enumerate(names):
            angle = math.pi / 2 + 2 * math.pi * (i + 0.5) / n + 0.3
            x, y = ring * math.cos(angle), ring * math.sin(angle) * 0.92
            ax.text(x, y, name[:26], ha="center", va="center", fontsize=5.5 if n > 14 else 6.5)
    outer = max(radii.values(), default=1.0) + 0.1
    ax.set_xlim(-outer, outer)
    ax.set_ylim(-outer, outer)
    ax.set_aspect("equal")
    ax.axis("off")
    desc = "Onion diagram: " + "; ".join(
        f"{lab(layer)}: {', '.join(sorted(set(by_layer.get(layer, [])))) or 'none'}" for layer in radii
    )
    return _svg(fig, f"Onion diagram of {city.label} (Y Suppl. 34, clause 4.1)", desc)


def _level(iri: Value) -> int | None:
    """The position of an engagement level on the chart axis (0 for the lowest), None for anything else."""
    levels = engagement_levels()
    return levels.index(iri) if isinstance(iri, str) and iri in levels else None


def _x(iri: Value) -> float:
    """The position of an engagement level on the chart's axis (not a number when the level is unknown)."""
    level = _level(iri)
    return math.nan if level is None else level


def _gap(r: AssessmentRow) -> int:
    """Levels from the current to the desired engagement level of an assessment (an unknown level counts 0)."""
    return (_level(r.desired) or 0) - (_level(r.current) or 0)


def _engagement_chart(city: CityAnalysis, latest: list[AssessmentRow], lab: _Labels) -> str:
    _use_svg()
    import matplotlib.pyplot as plt  # heavy: loaded for the HTML report only (see _use_svg)

    rows = sorted(latest, key=lambda r: (_gap(r), lab(r.stakeholder)))
    fig, ax = plt.subplots(figsize=(7.2, max(2.0, 0.16 * len(rows) + 0.8)))
    for i, r in enumerate(rows):
        c, d = _x(r.current), _x(r.desired)
        ax.plot([c, d], [i, i], color="#999", lw=1)
        ax.plot(c, i, "o", color="#0072B2", ms=4, label="current" if i == 0 else None)
        ax.plot(d, i, "D", color="#D55E00", ms=4, label="desired" if i == 0 else None)
    ax.set_yticks(range(len(rows)), [lab(r.stakeholder)[:40] for r in rows], fontsize=6)
    ax.set_xticks(range(len(engagement_levels())), [lab(n) for n in engagement_levels()])
    ax.set_xlim(-0.5, len(engagement_levels()) - 0.5)
    ax.set_ylim(-1, len(rows))
    ax.grid(axis="x", color="#ddd")
    if rows:
        ax.legend(loc="lower right", fontsize=7)
    gaps = sum(1 for r in rows if _gap(r) > 0)
    return _svg(
        fig,
        f"Current and desired engagement in {city.label} (Y Suppl. 34, clause 4.2)",
        f"{len(rows)} stakeholders; {gaps} are below their desired level",
    )


def _calendar_day(value: object) -> dt.date | None:
    """The date of an assessment as a chart can place it: None for a date outside years 1-9999 (``-0044-03-15``,
    ``0000-01-01``), which the validation reports when it is not a valid xsd:date."""
    text = str(value)
    try:
        return dt.date.fromisoformat(text[:10]) if re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) else None
    except ValueError:
        return None


def _over_time_chart(city: CityAnalysis, assessments: list[AssessmentRow], lab: _Labels) -> str | None:
    _use_svg()
    import matplotlib.pyplot as plt  # heavy: loaded for the HTML report only (see _use_svg)

    series: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
    for r in assessments:
        level = _level(r.current)
        day = _calendar_day(r.date)
        if level is not None and day is not None:  # no point to plot without a known level and a calendar date
            series[r.stakeholder].append((day, level))
    series = {k: sorted(v) for k, v in series.items() if len({d for d, _ in v}) > 1}
    if not series:
        return None
    fig, ax = plt.subplots(figsize=(7.2, 3.6))
    cycle = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    marks = "os^Dv<>"
    for i, (s, points) in enumerate(sorted(series.items(), key=lambda kv: lab(kv[0]))):
        dates, levels = [d for d, _ in points], [v + (i % 7 - 3) * 0.03 for _, v in points]
        ax.plot(
            dates,  # type: ignore[arg-type]  # matplotlib converts dates; its stubs accept numbers only
            levels,
            marker=marks[i // 7 % 7],
            color=cycle[i % 7],
            lw=1,
            ms=3,
            label=lab(s)[:30],
        )
    ax.set_yticks(range(len(engagement_levels())), [lab(n) for n in engagement_levels()])
    ax.legend(fontsize=5.5, ncol=2, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.autofmt_xdate()
    return _svg(
        fig,
        f"Engagement over time in {city.label}",
        f"{len(series)} stakeholders assessed more than once: " + ", ".join(sorted(lab(s) for s in series)),
    )


def _category_chart(city: CityAnalysis) -> str:
    _use_svg()
    import matplotlib.pyplot as plt  # heavy: loaded for the HTML report only (see _use_svg)

    rows = sorted(city.categories, key=lambda r: r.category_label or "")
    fig, ax = plt.subplots(figsize=(7.2, 0.22 * len(rows) + 0.8))
    ys = range(len(rows))
    counts = [r.stakeholders for r in rows]
    ax.barh(list(ys), counts, color=["#009E73" if c else "#D55E00" for c in counts])
    for y, c in zip(ys, counts, strict=True):
        ax.text(max(c, 0) + 0.1, y, "missing" if c == 0 else str(c), va="center", fontsize=7)
    ax.set_yticks(list(ys), [r.category_label for r in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("stakeholders")
    missing = [r.category_label for r in rows if not r.stakeholders]
    return _svg(
        fig,
        f"Stakeholders by category in {city.label} ({section('categories').clause})",
        f"{len(rows) - len(missing)} of {len(rows)} categories present; missing: {', '.join(missing) or 'none'}",
    )


def _network_chart(city: CityAnalysis, edges: list[EdgeRow], lab: _Labels) -> str | None:
    _use_svg()
    import matplotlib.pyplot as plt  # heavy: loaded for the HTML report only (see _use_svg)

    if not edges:
        return None
    nodes = sorted({e.source for e in edges} | {e.target for e in edges}, key=lab)
    unit_of = {e.source: e.target for e in edges if e.relation == UNIT_OF}
    parents = sorted(set(unit_of.values()), key=lab)
    pos: dict[str, tuple[float, float]] = {}
    for i, p in enumerate(parents):
        pos[p] = (-1.2 + 2.4 * i / max(len(parents) - 1, 1) if len(parents) > 1 else 0.0, 0.0)
    others = [n for n in nodes if n not in pos]
    for i, n in enumerate(others):
        a = 2 * math.pi * i / max(len(others), 1)
        pos[n] = (2.6 * math.cos(a), 2.0 * math.sin(a))
    gaps = [f for f in city.findings if f.rule and "missing-collaboration" in f.rule and len(f.about) == 2]
    overlaps = {a for f in city.findings if f.kind == "Overlap" for a in f.about}
    fig, ax = plt.subplots(figsize=(7.2, 6.0))
    relations = {t: s for t, s in styles().items() if s.line}  # the styled relations, in the order of styles.csv
    for e in edges:
        style = relations.get(e.relation, OTHER_RELATION)
        colour, ls = style.colour, style.line
        (x1, y1), (x2, y2) = pos[e.source], pos[e.target]
        ax.plot([x1, x2], [y1, y2], color=colour, ls=ls, lw=0.8, alpha=0.8)
    for f in gaps:
        first, second = f.about
        if first in pos and second in pos:
            (x1, y1), (x2, y2) = pos[first], pos[second]
            ax.plot([x1, x2], [y1, y2], color="#D55E00", ls=":", lw=1.8)
    for n in nodes:
        x, y = pos[n]
        marker = "s" if n in parents else "o"
        ax.plot(x, y, marker, color="#E69F00" if n in overlaps else "#56B4E9", ms=7, mec="#333")
        ax.text(x, y - 0.13, lab(n)[:30], ha="center", va="top", fontsize=5.5)
    from matplotlib.lines import Line2D  # matplotlib is loaded by _use_svg() only for the HTML report

    handles = [
        Line2D([], [], color=s.colour, ls=s.line, label=lab(k) if k != UNIT_OF else "unit of")
        for k, s in relations.items()
    ]
    handles += [
        Line2D([], [], color="#D55E00", ls=":", lw=1.8, label="missing collaboration"),
        Line2D([], [], color="#E69F00", marker="o", ls="", label="holds an overlapping responsibility"),
    ]
    ax.legend(handles=handles, fontsize=6, loc="lower center", bbox_to_anchor=(0.5, -0.14), ncol=3)
    ax.axis("off")
    ax.set_aspect("equal")
    return _svg(
        fig,
        f"Stakeholder interaction map of {city.label} (Y Suppl. 34, Figure 3)",
        f"{len(nodes)} units and stakeholders, {len(edges)} links, {len(gaps)} missing collaborations, "
        f"{len(overlaps)} holders of overlapping responsibilities",
    )


# ---------------------------------------------------------------------------------------------- html


def _e(text: object) -> str:
    return html.escape("" if text is None else str(text))


def _table(head: Sequence[str], rows: Sequence[Sequence[object]], cls: str = "", tid: str = "") -> str:
    out = [f'<table class="{cls}"' + (f' id="{tid}"' if tid else "") + "><thead><tr>"]
    out += [f'<th scope="col">{_e(h)}</th>' for h in head]
    out.append("</tr></thead><tbody>")
    for r in rows:
        out.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in r) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _latest(assessments: list[AssessmentRow], *, per_city: bool = False) -> list[AssessmentRow]:
    """The latest assessment of each stakeholder (with ``per_city``: of each stakeholder in each city)."""

    def who(r: AssessmentRow) -> tuple[str, str]:
        return (r.city if per_city else "", r.stakeholder)

    best: dict[tuple[str, str], AssessmentRow] = {}
    for r in sorted(assessments, key=lambda r: (str(r.date), who(r))):
        best[who(r)] = r
    return list(best.values())


def _city_section(city: CityAnalysis, idx: int, data: _Data, lab: _Labels) -> str:
    def mine(rows: list[R]) -> list[R]:
        return [r for r in rows if getattr(r, "city", None) == city.city]

    s = city.summary()
    assessments = mine(data.assessments)
    latest = _latest(assessments)
    out = [f'<section class="city" id="city-{idx}"><h2>{_e(city.label)}</h2>']
    out.append(
        f'<p class="summary">{s.stakeholders} stakeholders in {s.categories_present} of '
        f"{s.categories_total} categories; municipal units: {s.units_present} present, "
        f"{s.units_delegated} delegated, {s.units_missing} missing; {s.assessed_stakeholders} assessed. "
        f"Findings: " + ", ".join(f"{n} {k.lower()}{'s' if n != 1 else ''}" for k, n in s.findings.items()) + "</p>"
    )
    out.append(f'<div class="part"><h3>{_e(section("grid").title)}</h3>' + _grid_chart(city, lab) + "</div>")
    out.append('<div class="part"><h3>Onion diagram</h3>' + _onion_chart(city, mine(data.onion), lab) + "</div>")
    net = _network_chart(city, mine(data.network), lab)
    out.append(
        '<div class="part"><h3>Stakeholder interaction map</h3>'
        + (net or "<p>No units, collaborations or relations in the data.</p>")
        + "</div>"
    )
    out.append('<div class="part"><h3>Current and desired engagement</h3>' + _engagement_chart(city, latest, lab))
    rows = [
        (lab(r.stakeholder), r.date, lab(r.power), lab(r.interest), lab(r.current), lab(r.desired), _gap(r))
        for r in sorted(latest, key=lambda r: lab(r.stakeholder).lower())
    ]
    out.append(
        _table(["stakeholder", "assessed on", "power", "interest", "current", "desired", "gap"], rows, "assessments")
        + "</div>"
    )
    over = _over_time_chart(city, assessments, lab)
    if over:
        out.append('<div class="part"><h3>Engagement over time</h3>' + over + "</div>")
    out.append(f'<div class="part"><h3>{_e(section("categories").title)}</h3>' + _category_chart(city))
    units = sorted({(u.unit_label or lab(u.unit_class), u.status, u.holder_label or "") for u in city.units})
    out.append(
        f"<h3>{_e(section('units').heading)}</h3>" + _table(["unit", "status", "held by"], units, "units") + "</div>"
    )
    plan = sorted(mine(data.plan), key=lambda r: (str(r.due or ""), r.priority or 99, lab(r.stakeholder)))
    out.append(f'<div class="part"><h3>{_e(section("plan").title)}</h3>')
    if plan:
        out.append(
            _table(
                ["due", "priority", "stakeholder", "action", "owner", "channel"],
                [(r.due, r.priority, lab(r.stakeholder), lab(r.kind), lab(r.owner), lab(r.channel)) for r in plan],
                "plan",
            )
        )
    else:
        out.append("<p>No engagement plan for this city in the data.</p>")
    out.append("</div>")
    frows = [
        (f.kind, f.severity, "; ".join(lab(a) for a in f.about), f.message, f.clause, _rule_name(f.rule))
        for f in city.findings
    ]
    if city.validation is not None:
        for r in city.validation.results:
            frows.append(
                ("Validation", r.severity_name, lab(str(r.focus)), r.message, r.source or "", _rule_name(str(r.shape)))
            )
    out.append(
        f'<div class="part"><h3>Findings</h3><p class="noprint"><label>Filter: <input type="search" '
        f'class="filter" data-table="findings-{idx}" placeholder="type to filter"></label> '
        f"(click a column heading to sort)</p>"
        + _table(
            ["kind", "severity", "about", "message", "clause", "rule or shape"],
            frows,
            "findings sortable",
            f"findings-{idx}",
        )
        + "</div>"
    )
    out.append("</section>")
    return "\n".join(out)


def _rule_name(iri: str | None) -> str:
    """A rule or shape by its id (the file's id header is the IRI's local name)."""
    return _local(iri)


def _portal(analysis: Analysis, data: _Data, lab: _Labels) -> str:
    rows = []
    for i, c in enumerate(analysis.cities):
        s = c.summary()
        rows.append((s.categories_present / max(s.categories_total, 1), i, c, s))
    rows.sort(key=lambda r: (-r[0], r[2].label.lower()))
    body = [
        f'<tr><td><a href="#city-{i}">{_e(c.label)}</a></td><td>{s.categories_present} of '
        f"{s.categories_total}</td><td>{s.units_missing}</td><td>{s.stakeholders}</td></tr>"
        for _, i, c, s in rows
    ]
    out = [
        '<section id="portal"><h2>Portal overview</h2><h3>Cities by completeness</h3><table><thead><tr>'
        '<th scope="col">city</th><th scope="col">categories present</th><th scope="col">units missing</th>'
        '<th scope="col">stakeholders</th></tr></thead><tbody>' + "".join(body) + "</tbody></table>"
    ]
    missing = Counter(r.category_label for c in analysis.cities for r in c.categories if not r.stakeholders)
    out.append("<h3>Most-missing categories</h3>" + _table(["category", "cities missing it"], missing.most_common()))
    share = []
    latest = _latest(data.assessments, per_city=True)
    per_city: dict[str, list[AssessmentRow]] = defaultdict(list)
    for r in latest:
        per_city[r.city].append(r)
    for c in analysis.cities:
        high = [r for r in per_city.get(c.city, []) if r.power in flagged("high-power")]
        resistant = [r for r in high if r.current in flagged("resistant")]
        share.append((c.label, len(high), len(resistant), f"{len(resistant) / len(high):.0%}" if high else "–"))
    out.append(
        "<h3>Resistant or unaware high-power stakeholders (Y Suppl. 34, clause 4.2)</h3>"
        + _table(["city", "high power", "resistant or unaware", "share"], share)
        + "</section>"
    )
    return "\n".join(out)


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:1.5rem auto;max-width:60rem;
color:#111;line-height:1.4;padding:0 1rem}
h1{font-size:1.6rem}h2{font-size:1.3rem;border-bottom:2px solid #0072B2;padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1.05rem;margin-top:1.4rem}
table{border-collapse:collapse;width:100%;font-size:.8rem;margin:.5rem 0}
th,td{border:1px solid #bbb;padding:.2rem .4rem;text-align:left;vertical-align:top}
th{background:#eef3f8}table.sortable th{cursor:pointer}
figure.chart{margin:.5rem 0}figure.chart svg{max-width:100%;height:auto}
figcaption{font-size:.8rem;color:#333}
nav ul{columns:2}
.summary{background:#f6f6f6;padding:.5rem;border-left:4px solid #0072B2}
@page{size:A4;margin:14mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}
section.city,#portal{break-before:page}.part{break-inside:avoid-page}.noprint{display:none}
figure.chart svg{max-height:230mm;width:100%}a{color:inherit;text-decoration:none}}
"""

_JS = """
document.querySelectorAll('input.filter').forEach(function(input){
  input.addEventListener('input',function(){
    var q=input.value.toLowerCase();
    document.getElementById(input.dataset.table).querySelectorAll('tbody tr').forEach(function(tr){
      tr.style.display=tr.textContent.toLowerCase().indexOf(q)>=0?'':'none';});});});
document.querySelectorAll('table.sortable').forEach(function(table){
  table.querySelectorAll('th').forEach(function(th,i){
    th.addEventListener('click',function(){
      var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);
      var dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir===1?'asc':'desc';
      rows.sort(function(a,b){return dir*a.cells[i].textContent.localeCompare(\
b.cells[i].textContent,undefined,{numeric:true});});
      rows.forEach(function(r){body.appendChild(r);});});});});
"""


def analysis_html(analysis: Analysis, data: ox.Store) -> str:
    """The HTML report of ``analysis`` of the city data ``data`` (which is not changed)."""
    store = _store(data, analysis)
    lab = _Labels(_labels(store), *(c.labels for c in analysis.cities))
    results = _data(store)
    many = len(analysis.cities) > 1
    title = "Stakeholder report: " + (
        f"{len(analysis.cities)} cities" if many else (analysis.cities[0].label if analysis.cities else "no city")
    )
    parts = [
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_CSS}</style></head><body>',
        f"<header><h1>{_e(title)}</h1><p>As of {analysis.as_of.isoformat()}; sscrdf {__version__}; "
        "after ITU-T Y Suppl. 34 (stakeholders of smart sustainable cities).</p></header>",
    ]
    if many:
        parts.append(
            '<nav aria-label="cities"><h2>Cities</h2><ul><li><a href="#portal">Portal overview</a></li>'
            + "".join(f'<li><a href="#city-{i}">{_e(c.label)}</a></li>' for i, c in enumerate(analysis.cities))
            + "</ul></nav>"
        )
        parts.append(_portal(analysis, results, lab))
    if not analysis.cities:
        parts.append("<p>No ssc:City in the data.</p>")
    for i, c in enumerate(analysis.cities):
        parts.append(_city_section(c, i, results, lab))
    parts.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(parts)
