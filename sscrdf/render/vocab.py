"""The ontology's ordered vocabularies and the chart styles, as the renderers need them, read from data:
``mappings/grid-strategies.rq``, ``engagement-levels.rq`` and ``onion-layers.rq`` run on the ontology, and
``mappings/html/styles.csv`` (term → colour, line style, flag). No term is spelt out here."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from ..knowledge.ontology import ontology_triples
from ..namespaces import expand
from ..query.sparql import Value, as_int, as_str, select
from ..resources import data_dir


@dataclass(frozen=True)
class GridStrategy:
    """A strategy of the power/interest grid and the levels it is for (most power and interest first)."""

    strategy: str
    power: str
    interest: str
    power_rank: int
    interest_rank: int


@dataclass(frozen=True)
class Style:
    """How the charts draw a term: its colour, line style (matplotlib) and flag ("" when none)."""

    colour: str
    line: str
    flag: str


def _ontology_rows(name: str) -> list[tuple[Value, ...]]:
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in ontology_triples())
    text = (data_dir("mappings") / f"{name}.rq").read_text(encoding="utf-8")
    return list(select(store, text).rows)


@lru_cache(maxsize=1)
def grid_strategies() -> tuple[GridStrategy, ...]:
    """The strategies of the power/interest grid, most power and interest first (Y Suppl. 34, Figure 4)."""
    return tuple(
        GridStrategy(as_str(s), as_str(p), as_str(i), as_int(pr), as_int(ir))
        for s, p, i, pr, ir in _ontology_rows("grid-strategies")
    )


@lru_cache(maxsize=1)
def engagement_levels() -> tuple[str, ...]:
    """The engagement levels, lowest first (Y Suppl. 34, clause 4.2)."""
    return tuple(as_str(level) for level, _ in _ontology_rows("engagement-levels"))


@lru_cache(maxsize=1)
def onion_layers() -> tuple[tuple[str, int], ...]:
    """The onion diagram's layers with their rank, the core (rank 1) first (Y Suppl. 34, clause 4.1)."""
    return tuple((as_str(layer), as_int(rank)) for layer, rank in _ontology_rows("onion-layers"))


@lru_cache(maxsize=1)
def styles() -> dict[str, Style]:
    """Term IRI → its chart style, in the order of ``mappings/html/styles.csv``."""
    with (data_dir("mappings") / "html" / "styles.csv").open(encoding="utf-8", newline="") as f:
        return {expand(r["term"]): Style(r["colour"], r["line"], r["flag"]) for r in csv.DictReader(f)}


def flagged(flag: str) -> frozenset[str]:
    """The terms ``styles.csv`` gives this flag."""
    return frozenset(term for term, s in styles().items() if s.flag == flag)
