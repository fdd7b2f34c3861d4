"""The store client: writing cities to a SPARQL 1.1 store (``sscrdf push``).

Every city is written to its own set of named graphs (README, "The data model", "Graphs in a store"):

- its data: the city's own named graph in a TriG / N-Quads file, else the graph named by its ssc:City IRI
  (or ``--default-graph IRI``);
- its OWL 2 RL entailments: ``https://w3id.org/sscrdf/graph/inferred?graph=<data graph, percent-encoded>``;
- what the rules derive for it: ``https://w3id.org/sscrdf/graph/derived?graph=<data graph, percent-encoded>``;

and the ontology (with its closure) to ``https://w3id.org/sscrdf/graph/ontology``, shared by all cities. So
``--replace`` replaces the graphs of the cities being pushed and nothing else.

Graphs are written with the SPARQL 1.1 Graph Store Protocol (POST adds, PUT replaces) where the store has it,
else with SPARQL 1.1 Update (``INSERT DATA`` in chunks; ``DROP SILENT GRAPH`` first to replace). The HTTP side
(authentication, retries, one-line errors with the server's words) is :mod:`sscrdf.query.remote`.
"""

from __future__ import annotations

import datetime as dt
import time
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pyoxigraph as ox

from ..errors import InputError
from ..parallel import map_batches, workers_for
from ..query.remote import Connection, StoreRefused, check_url, update
from ..reasoning.closure import ontology_closure
from ..reasoning.store import ONTOLOGY_GRAPH, derived_graph, inferred_graph, knowledge_store, split_by_graph
from ..rules.engine import DERIVED_GRAPH, run_rules
from ..shacl.validate import city_iris

#: answers to a Graph Store Protocol request that mean "this URL does not speak GSP" (``--protocol auto``
#: then writes the graphs with SPARQL 1.1 Update to the same URL)
NOT_GSP_STATUSES = (400, 404, 405, 406, 415, 501)
#: the last path segments of SPARQL query/update endpoints: ``--protocol auto`` sends SPARQL Update to them
#: straight away (Virtuoso's /sparql-auth does not answer a Graph Store request at all)
UPDATE_PATHS = ("sparql", "sparql-auth", "update", "query")
PROTOCOLS = ("auto", "gsp", "update")


def _with_param(url: str, param: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{param}"


# ------------------------------------------------------------------------------------------- graphs of a city


@dataclass
class GraphUpload:
    """One graph to write: its IRI, what it holds (data | inferred | derived | ontology), the city graph it
    belongs to (None for the ontology) and its triples."""

    graph: str
    role: str
    city_graph: str | None
    triples: list[ox.Triple]


def city_graphs(
    cities: Iterable[tuple[ox.Store, str | Path | None]],
    *,
    what: str = "all",
    as_of: dt.date | None = None,
    default_graph: str | None = None,
) -> list[GraphUpload]:
    """The graphs ``sscrdf push`` writes for ``cities`` (each a loaded, checked store and the file it came from):
    per city its data, inferred and derived graphs (as far as ``what`` asks: asserted | inferred | all), and the
    ontology graph once (unless ``what`` is asserted).

    A store's named graphs are cities as they are; its default graph is one city, written to the graph named by
    that city's IRI (or to ``default_graph``)."""
    if what not in ("asserted", "inferred", "all"):
        raise ValueError(f"what must be 'asserted', 'inferred' or 'all', not {what!r}")
    uploads: list[GraphUpload] = []
    seen: dict[str, str] = {}
    for store, path in cities:
        names: dict[str | None, str] = {}  # the store's graph (None: default graph) -> the city graph written
        for graph, triples in split_by_graph(store):
            name = graph if graph is not None else default_graph or _city_graph_name(triples, path)
            if name in seen:
                raise InputError(
                    f"the graph <{name}> is also written by {seen[name]}",
                    path=path,
                    hint="push each city once (one file per city, or one named graph per city)",
                )
            seen[name] = str(path or "the data")
            names[graph] = name
            uploads.append(GraphUpload(name, "data", name, triples))
        if what == "asserted":
            continue
        # each city is reasoned on its own; many cities spread over the cores (sscrdf.parallel)
        workers = workers_for(len(names))
        reasoned: dict[str, tuple[list[ox.Triple], list[ox.Triple]]] = {}
        for part in map_batches(
            store,
            partial(_reason_batch, names=names, as_of=as_of, rules=what == "all"),
            batch_size=max(1, -(-len(names) // workers)),
        ):
            reasoned.update(part)
        for name in names.values():
            derived, inferred = reasoned[name]
            uploads.append(GraphUpload(inferred_graph(name).value, "inferred", name, inferred))
            if what == "all":
                uploads.append(GraphUpload(derived_graph(name).value, "derived", name, derived))
    order = {u.graph: i for i, u in enumerate(uploads) if u.role == "data"}  # the cities in the order they came
    uploads.sort(key=lambda u: (order[u.city_graph or ""], ("data", "inferred", "derived").index(u.role)))
    if what != "asserted" and uploads:
        uploads.insert(0, GraphUpload(ONTOLOGY_GRAPH.value, "ontology", None, list(ontology_closure())))
    return uploads


def _city_graph_name(triples: list[ox.Triple], path: str | Path | None) -> str:
    cities = city_iris(triples)
    if len(cities) == 1:
        return cities[0]
    found = "no ssc:City" if not cities else f"{len(cities)} ssc:City nodes ({', '.join(cities[:3])})"
    raise InputError(
        f"the default graph holds {found}, so it has no city graph to go to",
        path=path,
        hint="give --default-graph IRI, or put each city in a named graph of its own (TriG)",
    )


def _reason_batch(
    store: ox.Store, *, names: dict[str | None, str], as_of: dt.date | None, rules: bool
) -> dict[str, tuple[list[ox.Triple], list[ox.Triple]]]:
    """city graph -> (derived, inferred) for the cities of one batch of a store (``names``: store graph -> city
    graph)."""
    return {
        names[graph]: _reason_city(names[graph], triples, as_of, rules=rules)
        for graph, triples in split_by_graph(store)
    }


def _reason_city(
    graph: str, triples: list[ox.Triple], as_of: dt.date | None, *, rules: bool
) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """(derived triples, inferred triples) of one city: its OWL 2 RL entailments and, with ``rules``, what the
    rules derive from it (the analysis date included), computed on a store of its own."""
    data = ox.Store()
    gn = ox.NamedNode(graph)
    data.extend(ox.Quad(t.subject, t.predicate, t.object, gn) for t in triples)
    ks = knowledge_store(data)
    inferred = [q.triple for q in ks.quads_for_pattern(None, None, None, inferred_graph(graph))]
    if not rules:
        return [], inferred
    work = run_rules(ks, as_of=as_of).store
    assert work is not None  # run_rules keeps its working store
    return [q.triple for q in work.quads_for_pattern(None, None, None, DERIVED_GRAPH)], inferred


# ------------------------------------------------------------------------------------------- writing


@dataclass
class PushSummary:
    store: str
    protocol: str  # the protocol used: gsp | update
    replaced: bool
    graphs: list[tuple[str, str, int]] = field(default_factory=list)  # (graph, role, triples written)
    requests: int = 0
    seconds: float = 0.0

    @property
    def triples(self) -> int:
        return sum(n for _, _, n in self.graphs)

    def line(self) -> str:
        return (
            f"{_n(len(self.graphs), 'graph')}, {_n(self.triples, 'triple')} written to {self.store} "
            f"({'Graph Store Protocol' if self.protocol == 'gsp' else 'SPARQL 1.1 Update'}"
            f"{', replaced' if self.replaced else ''}; {_n(self.requests, 'request')})"
        )

    def as_json(self) -> dict[str, object]:
        return {
            "store": self.store,
            "protocol": self.protocol,
            "replaced": self.replaced,
            "graphCount": len(self.graphs),
            "tripleCount": self.triples,
            "requests": self.requests,
            "graphs": [{"graph": g, "role": r, "triples": n} for g, r, n in self.graphs],
        }


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def push(
    uploads: list[GraphUpload],
    store_url: str,
    *,
    replace: bool = False,
    protocol: str = "auto",
    connection: Connection | None = None,
    chunk_size: int = 2000,
) -> PushSummary:
    """Write ``uploads`` to the store at ``store_url`` (a Graph Store Protocol URL, or a SPARQL 1.1 Update
    endpoint with ``protocol="update"``; ``auto`` tries GSP and falls back to Update when the URL does not
    speak it). ``replace``: each graph is replaced, else added to. Returns what was written."""
    if protocol not in PROTOCOLS:
        raise InputError(f"unknown protocol {protocol!r}", hint=f"use one of {', '.join(PROTOCOLS)}")
    check_url(store_url, "--store")
    conn = connection or Connection()
    start = time.perf_counter()
    if protocol == "auto":
        last = urllib.parse.urlparse(store_url).path.rstrip("/").rsplit("/", 1)[-1]
        protocol = "update" if last in UPDATE_PATHS else "auto"
    summary = PushSummary(store_url, "update" if protocol == "update" else "gsp", replace)
    for i, up in enumerate(uploads):
        if summary.protocol == "gsp":
            try:
                _gsp_write(conn, store_url, up, replace)
            except StoreRefused as exc:
                if protocol != "auto" or i > 0 or exc.status not in NOT_GSP_STATUSES:
                    raise
                summary.protocol = "update"  # the URL is no Graph Store: write with SPARQL Update instead
        if summary.protocol == "update":
            _update_write(conn, store_url, up, replace, chunk_size)
        summary.graphs.append((up.graph, up.role, len(up.triples)))
    summary.requests = conn.requests_sent
    summary.seconds = time.perf_counter() - start
    return summary


def _gsp_write(conn: Connection, url: str, up: GraphUpload, replace: bool) -> None:
    target = _with_param(url, "graph=" + urllib.parse.quote(up.graph, safe=""))
    body = ox.serialize(up.triples, format=ox.RdfFormat.N_TRIPLES) if up.triples else b""
    conn.request(
        "PUT" if replace else "POST",
        target,
        data=body,
        headers={"Content-Type": "application/n-triples"},
        what=f"writing graph <{up.graph}> (Graph Store Protocol)",
    )


def _update_write(conn: Connection, url: str, up: GraphUpload, replace: bool, chunk_size: int) -> None:
    g = f"<{up.graph}>"
    chunks = list(_chunks(up.triples, chunk_size))
    for i, chunk in enumerate(chunks or [[]]):
        parts = [f"DROP SILENT GRAPH {g}"] if replace and i == 0 else []
        if chunk:
            nt = (ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
            if any(isinstance(x, ox.BlankNode) for t in chunk for x in (t.subject, t.object)):
                # INSERT DATA may hold blank nodes, but Virtuoso 7 refuses them there ("not allowed in a constant
                # clause"); a template with an empty WHERE inserts the same triples, with fresh blank nodes
                parts.append(f"INSERT {{ GRAPH {g} {{\n{nt}}} }} WHERE {{}}")
            else:
                parts.append(f"INSERT DATA {{ GRAPH {g} {{\n{nt}}} }}")
        if parts:
            update(
                conn,
                url,
                " ;\n".join(parts),
                what=f"writing graph {g} (SPARQL Update, part {i + 1} of {max(len(chunks), 1)})",
            )


def _chunks(triples: list[ox.Triple], size: int) -> Iterator[list[ox.Triple]]:
    """``triples`` in chunks of about ``size``, never splitting the triples that share a blank node (a blank node
    label means one node only within one INSERT DATA request)."""
    parent: dict[ox.BlankNode, ox.BlankNode] = {}

    def find(b: ox.BlankNode) -> ox.BlankNode:
        while parent.setdefault(b, b) != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    groups: dict[ox.BlankNode, list[ox.Triple]] = {}
    plain = []
    for t in triples:
        bnodes = [x for x in (t.subject, t.object) if isinstance(x, ox.BlankNode)]
        if not bnodes:
            plain.append([t])
            continue
        for b in bnodes[1:]:
            ra, rb = find(bnodes[0]), find(b)
            if ra != rb:
                parent[ra] = rb
    for t in triples:
        bnodes = [x for x in (t.subject, t.object) if isinstance(x, ox.BlankNode)]
        if bnodes:
            groups.setdefault(find(bnodes[0]), []).append(t)
    chunk: list[ox.Triple] = []
    for group in [*plain, *groups.values()]:
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    if chunk:
        yield chunk


__all__ = ["GraphUpload", "PushSummary", "city_graphs", "push"]
