"""`sscrdf serve --watch`: a changed input file is served again without a restart, only its cities derived again,
on a real server on 127.0.0.1 (the command in a process of its own, and the API in this one).

What is checked: after each change the served dataset (every named graph, and the union) is exactly what
`sscrdf serve` of the new files serves (`KnowledgeBase.prepare`), through every query worker; the log line says
one city was derived again; a file that no longer loads keeps its old data and logs one line; the service
description lists the graphs after a change."""

from __future__ import annotations

import datetime as dt
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from sscrdf import KnowledgeBase
from sscrdf.io.load import load

from .conftest import EXAMPLES

AS_OF = "2026-11-21"
RIVERTON_G, LAKESIDE_G = "https://example.org/riverton/city", "https://example.org/lakeside/city"
NAMED = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
UNION = "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }"
LABEL = f"SELECT ?l WHERE {{ <{LAKESIDE_G}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
WAIT = 90  # seconds a reload may take on a loaded machine


def _select(url: str, text: str) -> set[tuple[str, ...]]:
    req = urllib.request.Request(
        url,
        data=urllib.parse.urlencode({"query": text}).encode(),
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        data = json.loads(resp.read())
    cols = data["head"]["vars"]
    return {
        tuple("|".join((b[c]["type"], b[c]["value"], b[c].get("datatype", ""), b[c].get("xml:lang", ""))) for c in cols)
        for b in data["results"]["bindings"]
    }


def _embedded(store: ox.Store, text: str) -> set[tuple[str, ...]]:
    out = set()
    for sol in store.query(text, use_default_graph_as_union=True):  # type: ignore[union-attr]
        row = []
        for term in sol:
            if isinstance(term, ox.Literal):
                lang = term.language or ""
                dtype = "" if lang or term.datatype.value.endswith("#string") else term.datatype.value
                row.append("|".join(("literal", term.value, dtype, lang)))
            else:
                row.append("|".join(("uri", term.value, "", "")))
        out.add(tuple(row))
    return out


def _expected(*paths: Path) -> ox.Store:
    kb = KnowledgeBase()
    return kb.prepare(kb.load(*paths), as_of=dt.date.fromisoformat(AS_OF))


def _same_as(url: str, store: ox.Store) -> None:
    for text in (NAMED, UNION):
        assert _select(url, text) == _embedded(store, text)


def _city_trig(src: Path, graph: str, dest: Path, *, edit=None) -> None:
    """``src`` written to ``dest`` as a TriG file with one named graph ``graph``; ``edit`` changes the triples."""
    triples = [q.triple for q in load([src]).store]
    if edit:
        triples = edit(triples)
    data = ox.serialize(
        [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph)) for t in triples], format=ox.RdfFormat.TRIG
    )
    tmp = dest.with_suffix(".tmp")
    tmp.write_bytes(data or b"")
    os.replace(tmp, dest)  # the watcher never sees half a file


def _renamed(triples: list[ox.Triple]) -> list[ox.Triple]:
    """Lakeside renamed, and its first stakeholder dropped from the register."""
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    has = sorted((t for t in triples if t.predicate.value.endswith("#hasStakeholder")), key=str)[0]
    out = []
    for t in triples:
        if t == has:
            continue
        if t.subject.value == LAKESIDE_G and t.predicate.value == label:
            t = ox.Triple(t.subject, t.predicate, ox.Literal("Lakeside (renamed)", language="en"))
        out.append(t)
    return out


def _graph_names(url: str) -> set[str]:
    """The named graphs the service description lists."""
    req = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
    with urllib.request.urlopen(req, timeout=30) as resp:
        triples = ox.parse(resp.read(), format=ox.RdfFormat.N_TRIPLES)
        return {
            t.object.value
            for t in triples
            if t.predicate.value == "http://www.w3.org/ns/sparql-service-description#name"
        }


class _Serve:
    """`sscrdf serve --watch` in a process of its own; its standard error lines read in a thread."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sscrdf.cli", "-q", "serve", *args, "--port", "0", "--as-of", AS_OF],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        first = self.line()
        m = re.search(r"on (http://127\.0\.0\.1:\d+/sparql)", first)
        assert m, first
        self.url = m.group(1)

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def line(self, timeout: float = WAIT) -> str:
        return self.lines.get(timeout=timeout)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=20)


@pytest.fixture
def cities(tmp_path):
    riverton, lakeside = tmp_path / "riverton.trig", tmp_path / "lakeside.trig"
    _city_trig(EXAMPLES / "riverton.ttl", RIVERTON_G, riverton)
    _city_trig(EXAMPLES / "lakeside.ttl", LAKESIDE_G, lakeside)
    return riverton, lakeside


@pytest.mark.slow  # a server process, four reloads one after the other: about 13 s
def test_serve_watch_reloads_a_changed_city_only(cities, tmp_path):
    riverton, lakeside = cities
    server = _Serve(str(riverton), str(lakeside), "--watch", "--watch-interval", "0.2")
    try:
        _same_as(server.url, _expected(riverton, lakeside))

        _city_trig(EXAMPLES / "lakeside.ttl", LAKESIDE_G, lakeside, edit=_renamed)
        line = server.line()
        assert re.fullmatch(
            rf"reloaded {re.escape(str(lakeside))}: 1 city derived again \(2 graphs rewritten with \d+ quads; "
            r"derived graph: \d+ quads removed, \d+ added\) in \d+\.\d\d s",
            line,
        ), line
        changed = _expected(riverton, lakeside)
        _same_as(server.url, changed)
        for _ in range(8):  # twice the query workers: every one of them answers from the new data
            assert _select(server.url, LABEL) == {("literal|Lakeside (renamed)||en",)}

        lakeside.write_text("@prefix ssc: <https://w3id.org/sscrdf/ontology#> .\n<urn:a> ssc:label .\n")
        line = server.line()
        assert line.startswith(f"{lakeside}:2:"), line
        assert line.endswith("; the data it had is served on"), line
        _same_as(server.url, changed)

        lakeside.write_text("@prefix ssc: <https://w3id.org/sscrdf/ontology#> .\n<urn:a> a ssc:Municipalty .\n")
        line = server.line()
        assert line.startswith(f"{lakeside}:2:") and "ssc:Municipalty" in line and "ssc:Municipality" in line, line
        _same_as(server.url, changed)

        moved = "https://example.org/graphs/lakeside"  # the city moves to another graph: the old ones go
        _city_trig(EXAMPLES / "lakeside.ttl", moved, lakeside)
        line = server.line()
        assert line.startswith(f"reloaded {lakeside}: 1 city derived again"), line
        _same_as(server.url, _expected(riverton, lakeside))
        assert _graph_names(server.url) == {
            "https://w3id.org/sscrdf/graph/ontology",
            "https://w3id.org/sscrdf/graph/derived",
            RIVERTON_G,
            moved,
            "https://w3id.org/sscrdf/graph/inferred?graph=" + urllib.parse.quote(RIVERTON_G, safe=""),
            "https://w3id.org/sscrdf/graph/inferred?graph=" + urllib.parse.quote(moved, safe=""),
        }
        assert server.proc.poll() is None
    finally:
        server.stop()


def test_watch_through_the_api_with_files_sharing_the_default_graph(tmp_path):
    """Two Turtle files are one unit (the default graph, as `sscrdf serve` merges them): changing one derives
    that unit again from both; the service description lists the graphs after a change."""
    from sscrdf.server.endpoint import serve_in_thread, watch_files

    riverton, lakeside = tmp_path / "riverton.ttl", tmp_path / "lakeside.ttl"
    shutil.copy(EXAMPLES / "riverton.ttl", riverton)
    shutil.copy(EXAMPLES / "lakeside.ttl", lakeside)
    kb = KnowledgeBase()
    files = kb.watched_files(riverton, lakeside, as_of=dt.date.fromisoformat(AS_OF))
    server, url = serve_in_thread(files.store())
    lines: queue.Queue[str] = queue.Queue()
    stop = watch_files(server, files, lines.put, interval=0.2)
    try:
        _same_as(url, _expected(riverton, lakeside))
        extra = tmp_path / "extra.trig"
        _city_trig(EXAMPLES / "lakeside.ttl", LAKESIDE_G, extra, edit=_renamed)
        triples = [q.triple for q in load([extra]).store]
        lakeside.write_bytes(ox.serialize(triples, format=ox.RdfFormat.TURTLE) or b"")
        line = lines.get(timeout=WAIT)
        assert line.startswith(f"reloaded {lakeside}: 1 city derived again"), line
        _same_as(url, _expected(riverton, lakeside))
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def test_a_change_with_blank_nodes_is_applied_exactly(tmp_path):
    """The change a reload sends to the query workers' template, written and applied as the template does, turns
    the old store into the new dataset quad for quad, blank nodes (and what the rules derive about them)
    included."""
    import tempfile

    from sscrdf.server.watch import WatchedFiles
    from sscrdf.server.workers import apply_change, write_change

    city = tmp_path / "lakeside.ttl"
    extra = (
        "\n<https://example.org/lakeside/city> <https://w3id.org/sscrdf/ontology#hasStakeholder> "
        '[ a <https://w3id.org/sscrdf/ontology#NGO> ; <http://www.w3.org/2000/01/rdf-schema#label> "{}"@en ] .\n'
    )
    text = (EXAMPLES / "lakeside.ttl").read_text(encoding="utf-8")
    city.write_text(text + extra.format("Friends of the Lake"), encoding="utf-8")
    files = WatchedFiles([city], as_of=dt.date.fromisoformat(AS_OF))
    store = files.store()
    bnodes = {q for q in store if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode)}
    assert any(
        q.graph_name.value == "https://w3id.org/sscrdf/graph/derived"
        for q in bnodes
        if q.graph_name != ox.DefaultGraph()
    )

    city.write_text(text + extra.format("Lake Friends"), encoding="utf-8")
    os.utime(city, ns=(0, 0))  # another modification time even within the file system's clock resolution
    lines: list[str] = []
    change = files.reload(files.changed(), lines.append)
    assert lines == [] and change.files == [str(city)] and change.units == 1
    with tempfile.TemporaryFile() as fh:
        write_change(fh, change.graphs, change.remove, change.add)
        apply_change(store, os.dup(fh.fileno()))
    assert set(store) == set(files.store())
    assert not any(isinstance(q.subject, ox.BlankNode) and "Friends of the Lake" in str(q) for q in store)


def test_only_the_changed_city_of_a_file_of_many_is_derived_again(tmp_path):
    """A TriG file with two cities, one of them changed: one unit is derived again, and the dataset is what
    `serve` of the new file serves."""
    from sscrdf.server.watch import WatchedFiles

    both = tmp_path / "cities.trig"

    def write(edit=None):
        riverton, lakeside = tmp_path / "r.trig", tmp_path / "l.trig"
        _city_trig(EXAMPLES / "riverton.ttl", RIVERTON_G, riverton)
        _city_trig(EXAMPLES / "lakeside.ttl", LAKESIDE_G, lakeside, edit=edit)
        both.write_bytes(riverton.read_bytes() + lakeside.read_bytes())

    write()
    files = WatchedFiles([both], as_of=dt.date.fromisoformat(AS_OF))
    write(_renamed)
    os.utime(both, ns=(0, 0))
    lines: list[str] = []
    change = files.reload(files.changed(), lines.append)
    assert lines == [] and change.units == 1
    assert sorted(g for g in change.graphs if g) == [
        LAKESIDE_G,
        "https://w3id.org/sscrdf/graph/inferred?graph=" + urllib.parse.quote(LAKESIDE_G, safe=""),
    ]
    assert set(files.store()) == set(_expected(both))


def test_a_change_the_reasoner_refuses_keeps_the_old_data_and_the_watch_alive(tmp_path):
    """A file changed into data the reasoner refuses (a long skos:broader chain: InputError) is logged in one line
    and its old data served on, as for a file that no longer parses; the next good change is taken (the watch
    thread used to die with a traceback)."""
    city = tmp_path / "city.ttl"
    shutil.copy(EXAMPLES / "lakeside.ttl", city)
    files = KnowledgeBase().watched_files(city, as_of=dt.date.fromisoformat(AS_OF))
    before = set(files.store())
    chain = "".join(f"<urn:n{i}> <http://www.w3.org/2004/02/skos/core#broader> <urn:n{i + 1}> .\n" for i in range(1500))
    city.write_text((EXAMPLES / "lakeside.ttl").read_text(encoding="utf-8") + chain, encoding="utf-8")
    lines: list[str] = []
    change = files.reload([str(city)], lines.append)
    assert change.files == [] and change.add == [] and change.remove == []
    assert len(lines) == 1 and lines[0].startswith(f"{city}: reasoning over the data would infer more than"), lines
    assert lines[0].endswith("; the data it had is served on")
    assert set(files.store()) == before
    city.write_text((EXAMPLES / "lakeside.ttl").read_text(encoding="utf-8").replace('"Lakeside"', '"Lakeshore"'))
    assert files.reload([str(city)], lines.append).files == [str(city)]
