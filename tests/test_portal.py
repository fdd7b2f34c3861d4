"""`sscrdf push` against real HTTP servers on 127.0.0.1: an Oxigraph server, and small servers started here that
check authentication (basic, digest, bearer) and forward to it, answer 503 before they accept, or answer HTML.

What is checked: one set of named graphs per city (README, "The data model", "Graphs in a store"), ``--replace``
replacing only the pushed cities' graphs, both protocols (Graph Store Protocol and chunked SPARQL Update, blank
nodes intact across chunks), the summary, bounded retries with back-off, and one-line errors carrying the
server's own words.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

from sscrdf.io.load import load
from sscrdf.reasoning.store import derived_graph, inferred_graph

from .conftest import EXAMPLES
from .stores import _started, free_port as _free_port, start_oxigraph, start_virtuoso

pytestmark = pytest.mark.store
AS_OF = "2026-11-21"
RIVERTON, LAKESIDE = EXAMPLES / "riverton.ttl", EXAMPLES / "lakeside.ttl"
RIVERTON_G, LAKESIDE_G = "https://example.org/riverton/city", "https://example.org/lakeside/city"
ONTOLOGY_G = "https://w3id.org/sscrdf/graph/ontology"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    """The base URL of an Oxigraph server of this module's own (tests/stores.py starts it): the tests empty it
    and push to it, which must not disturb the session's shared stores."""
    server = _started(start_oxigraph, tmp_path_factory, "oxigraph")
    yield server.base
    server.stop()


def _clear(base: str) -> None:
    req = urllib.request.Request(
        f"{base}/update", data=b"CLEAR ALL", method="POST", headers={"Content-Type": "application/sparql-update"}
    )
    urllib.request.urlopen(req, timeout=10).read()


def _graph_counts(base: str) -> dict[str, int]:
    q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    req = urllib.request.Request(
        f"{base}/query?query=" + urllib.parse.quote(q), headers={"Accept": "application/sparql-results+json"}
    )
    data = json.loads(urllib.request.urlopen(req, timeout=10).read())
    return {b["g"]["value"]: int(b["n"]["value"]) for b in data["results"]["bindings"]}


def _graph_lines(base: str, graph: str) -> set[str]:
    req = urllib.request.Request(
        f"{base}/store?graph=" + urllib.parse.quote(graph, safe=""), headers={"Accept": "application/n-triples"}
    )
    return set(urllib.request.urlopen(req, timeout=10).read().decode().splitlines())


def _push(runner, cli, *args):
    return runner.invoke(cli, ["push", *map(str, args), "--as-of", AS_OF])


# ------------------------------------------------------------------------------------------- graphs per city


def test_each_city_gets_its_own_graphs_and_the_summary_counts_them(oxigraph, runner, cli):
    _clear(oxigraph)
    r = _push(runner, cli, RIVERTON, LAKESIDE, "--store", f"{oxigraph}/store", "--replace", "--format", "json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    in_store = _graph_counts(oxigraph)
    expected_graphs = {ONTOLOGY_G, RIVERTON_G, LAKESIDE_G}
    for g in (RIVERTON_G, LAKESIDE_G):
        expected_graphs |= {inferred_graph(g).value, derived_graph(g).value}
    assert set(in_store) == expected_graphs
    assert {g["graph"]: g["triples"] for g in summary["graphs"]} == in_store
    assert summary["graphCount"] == 7 and summary["tripleCount"] == sum(in_store.values())
    assert summary["protocol"] == "gsp" and summary["replaced"] is True
    # the data graphs hold the files' triples as they are
    assert in_store[RIVERTON_G] == len(load([RIVERTON]).store)
    assert in_store[LAKESIDE_G] == len(load([LAKESIDE]).store)
    assert derived_graph(RIVERTON_G).value == (
        "https://w3id.org/sscrdf/graph/derived?graph=https%3A%2F%2Fexample.org%2Friverton%2Fcity"
    )


def test_replace_replaces_only_the_cities_pushed(oxigraph, runner, cli, tmp_path):
    """Issue #9: Riverton then Lakeside with --replace leaves both; a changed Riverton leaves Lakeside as it was."""
    _clear(oxigraph)
    for f in (RIVERTON, LAKESIDE):
        r = _push(runner, cli, f, "--store", f"{oxigraph}/store", "--replace")
        assert r.exit_code == 0, r.output
    first = _graph_counts(oxigraph)
    assert {RIVERTON_G, LAKESIDE_G} <= set(first) and len(first) == 7
    lakeside_before = {g: _graph_lines(oxigraph, g) for g in first if "lakeside" in g}
    assert len(lakeside_before) == 3

    changed = tmp_path / "riverton.ttl"
    changed.write_text(
        RIVERTON.read_text(encoding="utf-8")
        + f'\n<{RIVERTON_G}> <http://www.w3.org/2000/01/rdf-schema#comment> "changed" .\n',
        encoding="utf-8",
    )
    r = _push(runner, cli, changed, "--store", f"{oxigraph}/store", "--replace")
    assert r.exit_code == 0, r.output
    after = _graph_counts(oxigraph)
    assert after[RIVERTON_G] == first[RIVERTON_G] + 1
    assert {g: _graph_lines(oxigraph, g) for g in lakeside_before} == lakeside_before

    r = _push(runner, cli, RIVERTON, "--store", f"{oxigraph}/store", "--replace")  # and back: the comment goes
    assert r.exit_code == 0, r.output
    assert _graph_counts(oxigraph) == first


def test_without_replace_a_push_adds(oxigraph, runner, cli, tmp_path):
    _clear(oxigraph)
    assert _push(runner, cli, LAKESIDE, "--store", f"{oxigraph}/store", "--what", "asserted").exit_code == 0
    extra = tmp_path / "extra.ttl"
    extra.write_text(
        f"<{LAKESIDE_G}> a <https://w3id.org/sscrdf/ontology#City> ; "
        f'<http://www.w3.org/2000/01/rdf-schema#comment> "more" .\n',
        encoding="utf-8",
    )
    r = _push(runner, cli, extra, "--store", f"{oxigraph}/store", "--what", "asserted")
    assert r.exit_code == 0, r.output
    assert _graph_counts(oxigraph) == {LAKESIDE_G: len(load([LAKESIDE]).store) + 1}


def test_default_graph_option_names_the_graph(oxigraph, runner, cli):
    _clear(oxigraph)
    r = _push(
        runner,
        cli,
        LAKESIDE,
        "--store",
        f"{oxigraph}/store",
        "--what",
        "inferred",
        "--default-graph",
        "https://example.org/graph/lakeside",
    )
    assert r.exit_code == 0, r.output
    assert set(_graph_counts(oxigraph)) == {
        "https://example.org/graph/lakeside",
        ONTOLOGY_G,
        inferred_graph("https://example.org/graph/lakeside").value,
    }


def test_a_file_without_one_city_needs_a_graph_name(oxigraph, runner, cli, tmp_path):
    two = tmp_path / "two.ttl"
    two.write_text(RIVERTON.read_text(encoding="utf-8") + "\n" + LAKESIDE.read_text(encoding="utf-8"), encoding="utf-8")
    r = _push(runner, cli, two, "--store", f"{oxigraph}/store")
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: {two}: the default graph holds 2 ssc:City nodes ({LAKESIDE_G}, {RIVERTON_G}), so it has no "
        "city graph to go to — give --default-graph IRI, or put each city in a named graph of its own (TriG)"
    ]


# ------------------------------------------------------------------------------------------- SPARQL Update


def test_update_protocol_in_chunks_keeps_blank_nodes_whole(oxigraph, runner, cli, tmp_path):
    """INSERT DATA in chunks of 2 triples: a blank node's triples stay in one request, so each stays one node."""
    _clear(oxigraph)
    trig = tmp_path / "cities.trig"
    trig.write_text(
        """
@prefix ssc: <https://w3id.org/sscrdf/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://example.org/g/a> {
  <https://example.org/a> a ssc:City ; rdfs:label "A" ; ssc:hasStakeholder <https://example.org/a/council> .
  <https://example.org/a/council> a ssc:Municipality ; rdfs:label "A council" .
  [] a ssc:EngagementAssessment ; ssc:assessedStakeholder <https://example.org/a/council> ;
     ssc:powerLevel ssc:High ; ssc:interestLevel ssc:Low .
  [] a ssc:EngagementAssessment ; ssc:assessedStakeholder <https://example.org/a/council> ;
     ssc:powerLevel ssc:Low ; ssc:interestLevel ssc:High .
}
""",
        encoding="utf-8",
    )
    r = _push(
        runner,
        cli,
        trig,
        "--store",
        f"{oxigraph}/update",
        "--protocol",
        "update",
        "--what",
        "asserted",
        "--chunk-size",
        "2",
        "--format",
        "json",
    )
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    assert summary["protocol"] == "update" and summary["graphs"] == [
        {"graph": "https://example.org/g/a", "role": "data", "triples": 13}
    ]
    # 5 plain triples in chunks of 2 (3 requests) and two blank nodes of 4 triples each (one request each)
    assert summary["requests"] == 5
    q = (
        "SELECT ?a (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/sscrdf/ontology#EngagementAssessment> ; ?p ?o }"
        " GROUP BY ?a"
    )
    req = urllib.request.Request(
        f"{oxigraph}/query?query=" + urllib.parse.quote(q), headers={"Accept": "application/sparql-results+json"}
    )
    rows = json.loads(urllib.request.urlopen(req, timeout=10).read())["results"]["bindings"]
    assert sorted(int(b["n"]["value"]) for b in rows) == [4, 4]


def test_auto_protocol_uses_update_on_an_update_url(oxigraph, runner, cli):
    _clear(oxigraph)
    r = _push(runner, cli, LAKESIDE, "--store", f"{oxigraph}/update", "--what", "asserted", "--replace")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == (
        f"1 graph, {len(load([LAKESIDE]).store)} triples written to "
        f"{oxigraph}/update (SPARQL 1.1 Update, replaced; 1 request)"
    )
    assert _graph_counts(oxigraph) == {LAKESIDE_G: len(load([LAKESIDE]).store)}


# ------------------------------------------------------------------------------------------- small HTTP servers


class _Server:
    """A ThreadingHTTPServer on 127.0.0.1 whose requests are answered by ``respond(handler, body)``."""

    def __init__(self, respond):
        outer = self
        self.requests: list[tuple[str, str, dict]] = []

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outer.requests.append((self.command, self.path, dict(self.headers)))
                status, headers, payload = respond(self, body)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_PUT = do_GET = _handle

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def _forward(upstream: str, handler, body: bytes):
    """Pass the request on to the Oxigraph server (path /store...) and hand back its answer."""
    req = urllib.request.Request(
        upstream + handler.path,
        data=body,
        method=handler.command,
        headers={"Content-Type": handler.headers.get("Content-Type", "")},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, {}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {}, exc.read()


USER, PASSWORD, TOKEN, REALM, NONCE = "portal", "s3cret", "tok-123", "sscrdf-test", "0123456789abcdef"


def _digest_ok(header: str, method: str) -> bool:
    """Check an ``Authorization: Digest ...`` header as RFC 7616 (MD5, qop=auth) says a server must."""
    if not header.startswith("Digest "):
        return False
    fields = dict(
        (k.strip(), v.strip().strip('"'))
        for k, v in (part.split("=", 1) for part in header[7:].split(",") if "=" in part)
    )
    md5 = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
    ha1 = md5(f"{USER}:{REALM}:{PASSWORD}")
    ha2 = md5(f"{method}:{fields.get('uri')}")
    expected = md5(f"{ha1}:{NONCE}:{fields.get('nc')}:{fields.get('cnonce')}:{fields.get('qop')}:{ha2}")
    return fields.get("username") == USER and fields.get("nonce") == NONCE and fields.get("response") == expected


def _auth_proxy(upstream: str, scheme: str):
    def respond(handler, body):
        got = handler.headers.get("Authorization", "")
        if scheme == "basic":
            ok = got == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
            challenge = f'Basic realm="{REALM}"'
        elif scheme == "digest":
            ok = _digest_ok(got, handler.command)
            challenge = f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth", algorithm=MD5'
        else:
            ok = got == f"Bearer {TOKEN}"
            challenge = "Bearer"
        if not ok:
            return 401, {"WWW-Authenticate": challenge, "Content-Type": "text/plain"}, b"who are you?\n"
        return _forward(upstream, handler, body)

    return respond


@pytest.mark.parametrize(
    "scheme,flags",
    [
        ("basic", ["--user", USER, "--password", PASSWORD]),
        ("digest", ["--user", USER, "--password", PASSWORD, "--auth", "digest"]),
        ("bearer", ["--token", TOKEN]),
    ],
)
def test_authentication_reaches_the_store(oxigraph, runner, cli, scheme, flags):
    _clear(oxigraph)
    with _Server(_auth_proxy(oxigraph, scheme)) as proxy:
        r = _push(runner, cli, LAKESIDE, "--store", f"{proxy.url}/store", "--what", "asserted", *flags)
        assert r.exit_code == 0, r.output
        assert _graph_counts(oxigraph) == {LAKESIDE_G: len(load([LAKESIDE]).store)}
        statuses = [h.get("Authorization", "").split(" ")[0] for _, _, h in proxy.requests]
        # digest: the first request is answered with the challenge, the second carries the answer
        assert statuses == (["", "Digest"] if scheme == "digest" else [{"basic": "Basic"}.get(scheme, "Bearer")])


def test_wrong_password_is_one_line(oxigraph, runner, cli):
    with _Server(_auth_proxy(oxigraph, "basic")) as proxy:
        r = _push(
            runner,
            cli,
            LAKESIDE,
            "--store",
            f"{proxy.url}/store",
            "--what",
            "asserted",
            "--user",
            USER,
            "--password",
            "wrong",
        )
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: writing graph <{LAKESIDE_G}> (Graph Store Protocol) refused by {proxy.url}/store?graph="
        f"https%3A%2F%2Fexample.org%2Flakeside%2Fcity: HTTP 401 Unauthorized: who are you? — the store did not "
        "accept the credentials (Virtuoso's -auth URLs want --auth digest)"
    ]


def test_retries_after_503_then_succeeds(oxigraph, runner, cli):
    _clear(oxigraph)
    answers = iter([503, 503])

    def respond(handler, body):
        status = next(answers, None)
        if status:
            return status, {"Content-Type": "text/plain"}, b"busy, try later\n"
        return _forward(oxigraph, handler, body)

    with _Server(respond) as flaky:
        r = _push(runner, cli, LAKESIDE, "--store", f"{flaky.url}/store", "--what", "asserted")
        assert r.exit_code == 0, r.output
        assert len(flaky.requests) == 3  # 503, 503, then the store's 204
    assert _graph_counts(oxigraph) == {LAKESIDE_G: len(load([LAKESIDE]).store)}


def test_retries_are_bounded_and_the_error_carries_the_servers_words(runner, cli):
    def respond(handler, body):
        return (
            500,
            {"Content-Type": "text/plain"},
            (b"Virtuoso 37000 Error SP031: SPARQL: not configured to have default graph\n\nSPARQL query:\n..."),
        )

    with _Server(respond) as broken:
        r = _push(runner, cli, LAKESIDE, "--store", f"{broken.url}/store", "--what", "asserted", "--retries", "2")
        assert len(broken.requests) == 3  # the first try and 2 retries
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: writing graph <{LAKESIDE_G}> (Graph Store Protocol) refused by {broken.url}/store?graph="
        "https%3A%2F%2Fexample.org%2Flakeside%2Fcity: HTTP 500 Internal Server Error: Virtuoso 37000 Error SP031: "
        "SPARQL: not configured to have default graph"
    ]


def test_an_endpoint_answering_html_is_one_line(runner, cli):
    page = (
        b"<!DOCTYPE html><html><head><title>Not here</title><style>p{}</style></head><body>"
        b"<h1>Page not found</h1><p>Nothing\nat this address.</p></body></html>"
    )

    def respond(handler, body):
        return 404, {"Content-Type": "text/html; charset=utf-8"}, page

    with _Server(respond) as web:
        r = _push(runner, cli, LAKESIDE, "--store", f"{web.url}/store", "--what", "asserted", "--protocol", "gsp")
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: writing graph <{LAKESIDE_G}> (Graph Store Protocol) refused by {web.url}/store?graph="
        "https%3A%2F%2Fexample.org%2Flakeside%2Fcity: HTTP 404 Not Found: Page not found"
    ]


@pytest.mark.parametrize("url", ["not-a-url", "ftp://example.org/store", "http://"])
def test_a_store_that_is_no_url_is_one_line(runner, cli, url):
    r = _push(runner, cli, LAKESIDE, "--store", url)
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: --store {url!r} is not an http(s) URL — give the store's URL, e.g. http://127.0.0.1:7878/store "
        "(Oxigraph) or http://127.0.0.1:8890/sparql-graph-crud-auth (Virtuoso)"
    ]


def test_an_unreachable_store_is_one_line(runner, cli):
    port = _free_port()
    r = _push(
        runner, cli, LAKESIDE, "--store", f"http://127.0.0.1:{port}/store", "--what", "asserted", "--retries", "0"
    )
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: writing graph <{LAKESIDE_G}> (Graph Store Protocol): cannot reach http://127.0.0.1:{port}/store?"
        "graph=https%3A%2F%2Fexample.org%2Flakeside%2Fcity: Connection refused — is the store running, and is the "
        "URL right?"
    ]


# ------------------------------------------------------------------------------------------- analysis in the store


def _open_order(value):
    """A report with the order SPARQL 1.1 leaves open made canonical: a text holding values joined with "; "
    (GROUP_CONCAT, alone or inside a rule's message) has its phrases sorted; nothing else changes."""
    import re

    if isinstance(value, dict):
        return {k: _open_order(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_open_order(v) for v in value]
    if isinstance(value, str) and "; " in value:  # (in a Markdown table row, cells are split apart too)
        return " | ".join(sorted(re.split(r"; |: |\. |\s*\|\s*", value)))
    return value


@pytest.fixture(scope="module")
def embedded_reports(tmp_path_factory, cli):
    """The embedded analysis of the two example cities, each in the graph push gives it (its city IRI)."""
    from click.testing import CliRunner

    trig = tmp_path_factory.mktemp("embedded") / "cities.trig"
    store = ox.Store()
    for path, g in ((RIVERTON, RIVERTON_G), (LAKESIDE, LAKESIDE_G)):
        store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(g)) for q in load([path]).store)
    trig.write_bytes(ox.serialize(store, format=ox.RdfFormat.TRIG))
    out = {}
    for fmt in ("json", "text", "md"):
        r = CliRunner().invoke(cli, ["analyze", str(trig), "--as-of", AS_OF, "--format", fmt])
        assert r.exit_code == 0, r.output
        out[fmt] = r.output
    return out


def _analyze_in_store(query_url, update_url, connection=None, **kw) -> dict[str, str]:
    """The reports of one analysis inside the store, in the formats `sscrdf analyze` writes (through the API:
    one analysis, three renderings)."""
    import datetime as dt

    from sscrdf.analysis.instore import analyze_endpoint
    from sscrdf.render.report import analysis_json, analysis_md, analysis_text

    analysis, _ = analyze_endpoint(
        query_url, update_url, connection=connection, as_of=dt.date.fromisoformat(AS_OF), **kw
    )
    return {"json": analysis_json(analysis), "text": analysis_text(analysis), "md": analysis_md(analysis)}


def _same_reports(in_store: dict, embedded: dict, *, unordered_sections=()) -> None:
    got, want = _open_order(json.loads(in_store["json"])), _open_order(json.loads(embedded["json"]))
    for section in unordered_sections:  # rows whose order the store gets wrong (see the caller)
        for city in got["cities"] + want["cities"]:
            city[section] = sorted(city[section], key=lambda row: json.dumps(row, sort_keys=True))
    assert got == want
    if not unordered_sections:
        for fmt in ("text", "md"):
            assert _open_order(in_store[fmt].splitlines()) == _open_order(embedded[fmt].splitlines()), fmt


def test_analysis_in_oxigraph_equals_the_embedded_one(oxigraph, runner, cli, embedded_reports):
    _clear(oxigraph)
    r = _push(runner, cli, RIVERTON, LAKESIDE, "--store", f"{oxigraph}/store", "--what", "inferred")
    assert r.exit_code == 0, r.output
    _same_reports(_analyze_in_store(f"{oxigraph}/query", f"{oxigraph}/update"), embedded_reports)
    derived = {g for g in _graph_counts(oxigraph) if g.startswith("https://w3id.org/sscrdf/graph/derived")}
    assert derived == {"https://w3id.org/sscrdf/graph/derived"}


def test_analyze_command_in_oxigraph_graph_per_city(oxigraph, runner, cli, embedded_reports):
    """The command, each city read on its own and derived into its own graph: the same report again."""
    _clear(oxigraph)
    r = _push(runner, cli, RIVERTON, LAKESIDE, "--store", f"{oxigraph}/store", "--what", "inferred")
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        cli,
        [
            "analyze",
            "--endpoint",
            f"{oxigraph}/query",
            "--update-endpoint",
            f"{oxigraph}/update",
            "--graph-per-city",
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
    )
    assert r.exit_code == 0, r.output
    assert _open_order(json.loads(r.output)) == _open_order(json.loads(embedded_reports["json"]))
    derived = {g for g in _graph_counts(oxigraph) if g.startswith("https://w3id.org/sscrdf/graph/derived")}
    assert derived == {derived_graph(RIVERTON_G).value, derived_graph(LAKESIDE_G).value}


def test_derived_facts_in_the_store_equal_the_embedded_ones(oxigraph, runner, cli):
    """What the rules write into the store (findings with their prov:wasGeneratedBy, plan, derived facts) is
    what the embedded engine derives, and what `push --what all` writes."""
    import datetime as dt

    from sscrdf.analysis.instore import RemoteStore
    from sscrdf.reasoning.store import knowledge_store
    from sscrdf.rules.engine import run_rules

    _clear(oxigraph)
    assert _push(runner, cli, RIVERTON, LAKESIDE, "--store", f"{oxigraph}/store", "--what", "all").exit_code == 0
    pushed = {g: _graph_lines(oxigraph, g) for g in (derived_graph(RIVERTON_G).value, derived_graph(LAKESIDE_G).value)}
    remote = RemoteStore(f"{oxigraph}/query", f"{oxigraph}/update", graph_per_city=True)
    derivation = remote.run_rules(as_of=dt.date.fromisoformat(AS_OF))
    for g, lines in pushed.items():  # the rules in the store rewrote the derived graphs push had written
        assert _open_order(sorted(_graph_lines(oxigraph, g))) == _open_order(sorted(lines))
    data = ox.Store()
    for path, g in ((RIVERTON, RIVERTON_G), (LAKESIDE, LAKESIDE_G)):
        data.extend(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(g)) for q in load([path]).store)
    embedded = run_rules(knowledge_store(data), as_of=dt.date.fromisoformat(AS_OF))

    def canonical(triples):
        return sorted(_open_order([str(t) for t in triples]))

    assert canonical(derivation.triples) == canonical(embedded.triples)
    assert len(derivation.triples) == len(embedded.triples)


def test_analysis_in_the_store_needs_the_entailments(oxigraph, runner, cli):
    _clear(oxigraph)
    assert _push(runner, cli, LAKESIDE, "--store", f"{oxigraph}/store", "--what", "asserted").exit_code == 0
    r = runner.invoke(cli, ["analyze", "--endpoint", f"{oxigraph}/query", "--update-endpoint", f"{oxigraph}/update"])
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: the store at {oxigraph}/query has no graph <{ONTOLOGY_G}> (the ontology and the cities' "
        "entailments, which the rules and checks need) — write the cities with `sscrdf push FILE... --what "
        "inferred` (or all)"
    ]


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["examples/lakeside.ttl", "--endpoint", "http://127.0.0.1:9/query"],
            "give either FILES or --endpoint, not both",
        ),
        (
            ["examples/lakeside.ttl", "--graph-per-city"],
            "--update-endpoint, --graph-per-city and --city go with --endpoint",
        ),
        (
            ["examples/lakeside.ttl", "--city", LAKESIDE_G],
            "--update-endpoint, --graph-per-city and --city go with --endpoint",
        ),
        (
            ["--endpoint", "http://127.0.0.1:9/query", "--city", LAKESIDE_G],
            "--city needs --graph-per-city (only then has each city derived graphs of its own to replace)",
        ),
        (
            ["--endpoint", "not-a-url"],
            "--endpoint 'not-a-url' is not an http(s) URL — give the store's URL, e.g. "
            "http://127.0.0.1:7878/query (Oxigraph) or http://127.0.0.1:8890/sparql (Virtuoso)",
        ),
        (
            ["--endpoint", "http://127.0.0.1:9/query", "--update-endpoint", "ftp://x/"],
            "--update-endpoint 'ftp://x/' is not an http(s) URL — give the store's URL, e.g. "
            "http://127.0.0.1:7878/update (Oxigraph) or http://127.0.0.1:8890/sparql-auth (Virtuoso)",
        ),
    ],
)
def test_analyze_endpoint_usage_errors_are_one_line(runner, cli, args, message):
    r = runner.invoke(cli, ["analyze", *args])
    assert r.exit_code == 2
    assert r.output.splitlines() == [f"error: {message}"]


def test_analysis_without_an_update_endpoint_is_one_line(oxigraph, runner, cli):
    _clear(oxigraph)
    assert _push(runner, cli, LAKESIDE, "--store", f"{oxigraph}/store", "--what", "inferred").exit_code == 0
    r = runner.invoke(cli, ["analyze", "--endpoint", f"{oxigraph}/query"])
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        "error: the rules run inside the store: give --update-endpoint URL (the store's SPARQL Update URL, e.g. "
        "http://127.0.0.1:7878/update or Virtuoso's /sparql-auth)"
    ]


# ------------------------------------------------------------------------------------------- one city again


def _embedded_alone(cli, tmp_path, path: Path, graph: str) -> str:
    """The embedded JSON analysis of one city on its own, in the graph push gives it."""
    from click.testing import CliRunner

    trig = tmp_path / "alone.trig"
    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(graph)) for q in load([path]).store)
    trig.write_bytes(ox.serialize(store, format=ox.RdfFormat.TRIG))
    r = CliRunner().invoke(cli, ["analyze", str(trig), "--as-of", AS_OF, "--format", "json"])
    assert r.exit_code == 0, r.output
    return r.output


def _analyze_city(runner, cli, base, *cities):
    return runner.invoke(
        cli,
        [
            "analyze",
            "--endpoint",
            f"{base}/query",
            "--update-endpoint",
            f"{base}/update",
            "--graph-per-city",
            *[a for c in cities for a in ("--city", c)],
            "--as-of",
            AS_OF,
            "--format",
            "json",
        ],
    )


def test_analyze_one_city_replaces_only_its_derived_graph(oxigraph, runner, cli, tmp_path):
    """`--city G`: the report is the embedded analysis of that city alone, its derived graph is rewritten, the
    other city's derived graph is left exactly as it was (here: as `push --what all` wrote it, a day earlier)."""
    _clear(oxigraph)
    r = _push(runner, cli, RIVERTON, LAKESIDE, "--store", f"{oxigraph}/store", "--what", "all")
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        cli,
        ["push", str(LAKESIDE), "--store", f"{oxigraph}/store", "--what", "all", "--replace", "--as-of", "2026-11-20"],
    )
    assert r.exit_code == 0, r.output
    lakeside_before = _graph_lines(oxigraph, derived_graph(LAKESIDE_G).value)
    assert any('"2026-11-20"' in line for line in lakeside_before)
    riverton_pushed = _graph_lines(oxigraph, derived_graph(RIVERTON_G).value)
    # the Riverton derived graph is spoiled: the analysis must replace it, not add to it
    _update(oxigraph, f"INSERT DATA {{ GRAPH <{derived_graph(RIVERTON_G).value}> {{ <urn:x> <urn:y> <urn:z> }} }}")
    r = _analyze_city(runner, cli, oxigraph, RIVERTON_G)
    assert r.exit_code == 0, r.output
    assert _open_order(json.loads(r.output)) == _open_order(
        json.loads(_embedded_alone(cli, tmp_path, RIVERTON, RIVERTON_G))
    )
    assert _graph_lines(oxigraph, derived_graph(LAKESIDE_G).value) == lakeside_before
    assert _open_order(sorted(_graph_lines(oxigraph, derived_graph(RIVERTON_G).value))) == _open_order(
        sorted(riverton_pushed)
    )


def test_analyze_one_city_named_by_its_city_iri(oxigraph, runner, cli, tmp_path):
    """A city pushed to a graph of another name is found by its ssc:City IRI too; naming it twice is once."""
    _clear(oxigraph)
    graph = "https://example.org/graphs/lakeside"
    r = _push(runner, cli, LAKESIDE, "--store", f"{oxigraph}/store", "--what", "inferred", "--default-graph", graph)
    assert r.exit_code == 0, r.output
    r = _push(runner, cli, RIVERTON, "--store", f"{oxigraph}/store", "--what", "inferred")
    assert r.exit_code == 0, r.output
    r = _analyze_city(runner, cli, oxigraph, LAKESIDE_G, graph)
    assert r.exit_code == 0, r.output
    assert _open_order(json.loads(r.output)) == _open_order(json.loads(_embedded_alone(cli, tmp_path, LAKESIDE, graph)))
    derived = {g for g in _graph_counts(oxigraph) if g.startswith("https://w3id.org/sscrdf/graph/derived")}
    assert derived == {derived_graph(graph).value}


@pytest.mark.parametrize(
    "city,message",
    [
        (
            "https://example.org/nowhere/city",
            "--city https://example.org/nowhere/city: the store at {base}/query has no city graph or ssc:City of "
            "that IRI — give a city's data graph IRI or its city IRI (as `sscrdf push` wrote it)",
        ),
        ("not an iri>", "--city 'not an iri>' is not an absolute IRI — e.g. https://example.org/riverton/city"),
    ],
)
def test_analyze_an_unknown_city_is_one_line(oxigraph, runner, cli, city, message):
    _clear(oxigraph)
    assert _push(runner, cli, LAKESIDE, "--store", f"{oxigraph}/store", "--what", "inferred").exit_code == 0
    r = _analyze_city(runner, cli, oxigraph, LAKESIDE_G, city)
    assert r.exit_code == 2
    assert r.output.splitlines() == ["error: " + message.format(base=oxigraph)]


def _update(base: str, text: str) -> None:
    req = urllib.request.Request(
        f"{base}/update", data=text.encode(), method="POST", headers={"Content-Type": "application/sparql-update"}
    )
    urllib.request.urlopen(req, timeout=10).read()


# ------------------------------------------------------------------------------------------- Virtuoso


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    """A Virtuoso 7.2 of this module's own (tests/stores.py writes its virtuoso.ini); user dba, password dba."""
    server = _started(start_virtuoso, tmp_path_factory, "virtuoso")
    yield server.base
    server.stop()


VIRTUOSO_AUTH = ["--user", "dba", "--password", "dba", "--auth", "digest"]


def test_push_to_virtuoso_through_its_graph_store_with_digest(virtuoso, runner, cli):
    r = _push(
        runner,
        cli,
        RIVERTON,
        LAKESIDE,
        "--store",
        f"{virtuoso}/sparql-graph-crud-auth",
        "--what",
        "inferred",
        "--replace",
        "--format",
        "json",
        *VIRTUOSO_AUTH,
    )
    assert r.exit_code == 0, r.output
    written = {g["graph"]: g["triples"] for g in json.loads(r.output)["graphs"]}
    q = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?g { "
        + " ".join(f"<{g}>" for g in written)
        + " } } GROUP BY ?g"
    )
    from sscrdf.query.sparql import select_remote

    assert dict(select_remote(f"{virtuoso}/sparql", q).rows) == written
    assert written[RIVERTON_G] == len(load([RIVERTON]).store)


def test_push_to_virtuoso_with_sparql_update_keeps_blank_nodes(virtuoso, runner, cli, tmp_path):
    trig = tmp_path / "b.trig"
    trig.write_text(
        "<https://example.org/g/b> { <https://example.org/b> a <https://w3id.org/sscrdf/ontology#City> ;"
        " <https://w3id.org/sscrdf/ontology#hasParticipationMechanism> [ a <https://w3id.org/sscrdf/"
        "ontology#Survey> ] . }\n",
        encoding="utf-8",
    )
    r = _push(
        runner, cli, trig, "--store", f"{virtuoso}/sparql-auth", "--what", "asserted", "--replace", *VIRTUOSO_AUTH
    )
    assert r.exit_code == 0, r.output
    from sscrdf.query.sparql import select_remote

    rows = select_remote(
        f"{virtuoso}/sparql",
        "SELECT ?t WHERE { GRAPH <https://example.org/g/b> { <https://example.org/b> ?p ?m . ?m a ?t } }",
    ).rows
    assert rows == [("https://w3id.org/sscrdf/ontology#Survey",)]
    r = _push(
        runner, cli, trig, "--store", f"{virtuoso}/sparql-auth", "--what", "asserted", "--replace", *VIRTUOSO_AUTH
    )  # replaced, not added: still one blank node
    assert select_remote(
        f"{virtuoso}/sparql", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://example.org/g/b> { ?s ?p ?o } }"
    ).rows == [(3,)]
    from sscrdf.server.client import Connection, update

    update(
        Connection(user="dba", password="dba", auth_scheme="digest"),
        f"{virtuoso}/sparql-auth",
        "DROP SILENT GRAPH <https://example.org/g/b>",
        what="cleaning up",
    )


def test_anonymous_update_on_virtuoso_shows_virtuosos_words(virtuoso, runner, cli):
    import re

    r = _push(runner, cli, LAKESIDE, "--store", f"{virtuoso}/sparql", "--what", "asserted", "--retries", "0")
    assert r.exit_code == 2
    lines = r.output.splitlines()
    assert len(lines) == 1
    assert re.fullmatch(
        rf"error: writing graph <{LAKESIDE_G}> \(SPARQL Update, part 1 of 1\) refused by {virtuoso}/sparql: HTTP 500 "
        r"SPARQL Request Failed: Virtuoso 42000 Error SR186:SECURITY: No permission to execute procedure "
        r"DB\.DBA\.SPARQL_INSERT_DICT_CONTENT with user ID \d+, group ID \d+",
        lines[0],
    ), lines[0]


def _push_examples_to_virtuoso(runner, cli, virtuoso):
    """Both examples with their entailments into Virtuoso, replacing what an earlier test left there."""
    r = _push(
        runner,
        cli,
        RIVERTON,
        LAKESIDE,
        "--store",
        f"{virtuoso}/sparql-graph-crud-auth",
        "--what",
        "inferred",
        "--replace",
        *VIRTUOSO_AUTH,
    )
    assert r.exit_code == 0, r.output


def test_analysis_in_virtuoso_equals_the_embedded_one(virtuoso, runner, cli, embedded_reports):
    """The same report from the rules, checks and queries run inside Virtuoso. Virtuoso 7.2 returns the rows of
    stakeholders-by-category in a wrong order (its ORDER BY on LCASE(STR(?label)) does not sort, even through a
    BIND), so that one section is compared as a set; everything else must be equal as it is."""
    _push_examples_to_virtuoso(runner, cli, virtuoso)
    from sscrdf.server.client import Connection

    in_store = _analyze_in_store(
        f"{virtuoso}/sparql", f"{virtuoso}/sparql-auth", Connection(user="dba", password="dba", auth_scheme="digest")
    )
    _same_reports(in_store, embedded_reports, unordered_sections=("categories",))


def test_one_city_in_virtuoso_equals_its_embedded_analysis(virtuoso, runner, cli, tmp_path):
    """`--city` on Virtuoso: the city is found by its graph, the report is that of the city alone (the one
    section Virtuoso 7.2 misorders compared as a set, as above)."""
    _push_examples_to_virtuoso(runner, cli, virtuoso)
    from sscrdf.server.client import Connection

    in_store = _analyze_in_store(
        f"{virtuoso}/sparql",
        f"{virtuoso}/sparql-auth",
        Connection(user="dba", password="dba", auth_scheme="digest"),
        graph_per_city=True,
        cities=[LAKESIDE_G],
    )
    alone = {"json": _embedded_alone(cli, tmp_path, LAKESIDE, LAKESIDE_G)}
    _same_reports(in_store, alone, unordered_sections=("categories",))


# ------------------------------------------------------------------------------------------- the README, as written


def _readme_commands(heading: str) -> list[list[str]]:
    """The `sscrdf` commands of the first ```sh block after ``heading`` in README.md, continuation lines joined."""
    import shlex

    from .conftest import ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split(heading, 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    commands = []
    for line in block.replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "sscrdf":
            commands.append(words[1:])
    return commands


def _run_readme(runner, cli, commands, base_in_readme, base, tmp_path, env=None):
    import os

    cwd = os.getcwd()
    os.chdir(Path(__file__).resolve().parent.parent)  # the README's paths are relative to the checkout
    try:
        outputs = []
        for words in commands:
            words = [w.replace(base_in_readme, base) for w in words]
            words = [str(tmp_path / w) if w.endswith((".md", ".json")) else w for w in words]
            r = runner.invoke(cli, words, env=env)
            assert r.exit_code == 0, (words, r.output)
            outputs.append(r.output)
        return outputs
    finally:
        os.chdir(cwd)


def test_readme_portal_steps_on_oxigraph_work_as_written(oxigraph, runner, cli, tmp_path, embedded_reports):
    _clear(oxigraph)
    commands = _readme_commands("### With Oxigraph (from PyPI)")
    assert [c[0] for c in commands] == ["push", "push", "query", "analyze"]
    outputs = _run_readme(runner, cli, commands, "http://localhost:7878", oxigraph, tmp_path)
    assert outputs[2].splitlines()[-2].split() == [LAKESIDE_G, "Lakeside"]  # the one city without a CERT unit
    assert outputs[2].splitlines()[-1] == "(1 row)"
    assert _open_order((tmp_path / "portal.md").read_text(encoding="utf-8").splitlines()) == _open_order(
        embedded_reports["md"].splitlines()
    )


def test_readme_one_city_steps_on_oxigraph_work_as_written(oxigraph, runner, cli, tmp_path):
    _clear(oxigraph)
    assert _push(runner, cli, RIVERTON, LAKESIDE, "--store", f"{oxigraph}/store", "--what", "all").exit_code == 0
    lakeside = _graph_lines(oxigraph, derived_graph(LAKESIDE_G).value)
    commands = _readme_commands("### Re-analysing one city")
    assert [c[0] for c in commands] == ["push", "analyze"]
    _run_readme(runner, cli, commands, "http://localhost:7878", oxigraph, tmp_path)
    got = json.loads((tmp_path / "riverton.json").read_text(encoding="utf-8"))
    assert _open_order(got) == _open_order(json.loads(_embedded_alone(cli, tmp_path, RIVERTON, RIVERTON_G)))
    assert _graph_lines(oxigraph, derived_graph(LAKESIDE_G).value) == lakeside


def test_readme_portal_steps_on_virtuoso_work_as_written(virtuoso, runner, cli, tmp_path):
    commands = _readme_commands("### With Virtuoso (from Debian)")
    assert [c[0] for c in commands] == ["push", "query", "analyze"]
    outputs = _run_readme(
        runner, cli, commands, "http://localhost:8890", virtuoso, tmp_path, env={"SSCRDF_STORE_PASSWORD": "dba"}
    )
    assert outputs[1].splitlines()[-2].split() == [LAKESIDE_G, "Lakeside"]
    assert outputs[1].splitlines()[-1] == "(1 row)"
    assert (tmp_path / "portal.md").read_text(encoding="utf-8").startswith("# Stakeholder")


# ------------------------------------------------------------------------------------------- more one-line errors


@pytest.mark.parametrize(
    "flags,message",
    [
        (["--token", "t", "--user", "u"], "give either --token or --user/--password, not both"),
        (["--password", "p"], "--password needs --user"),
    ],
)
def test_conflicting_credentials_are_one_line(runner, cli, flags, message):
    r = _push(runner, cli, LAKESIDE, "--store", "http://127.0.0.1:9/store", *flags)
    assert r.exit_code == 2
    assert r.output.splitlines() == [f"error: {message}"]


def test_an_endpoint_answering_an_html_page_is_one_line(runner, cli):
    """analyze --endpoint pointed at a web page that answers 200 with HTML."""

    def respond(handler, body):
        return 200, {"Content-Type": "text/html"}, b"<html><body><h1>Welcome</h1></body></html>"

    with _Server(respond) as web:
        r = runner.invoke(cli, ["analyze", "--endpoint", f"{web.url}/", "--update-endpoint", f"{web.url}/"])
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: the SPARQL endpoint {web.url}/ did not answer with SPARQL JSON results (Content-Type text/html) "
        "— check that --endpoint is the store's SPARQL query URL"
    ]


def test_the_api_pushes_and_analyses_in_the_store(oxigraph, embedded_reports):
    """kb.push (a loaded City and a file path) and kb.analyze_endpoint, as the commands do."""
    import datetime as dt

    from sscrdf import KnowledgeBase

    _clear(oxigraph)
    kb = KnowledgeBase()
    as_of = dt.date.fromisoformat(AS_OF)
    summary = kb.push([kb.load(RIVERTON), LAKESIDE], f"{oxigraph}/store", what="inferred", as_of=as_of)
    assert {g: n for g, _, n in summary.graphs} == _graph_counts(oxigraph)
    assert [role for _, role, _ in summary.graphs] == ["ontology", "data", "inferred", "data", "inferred"]
    report = kb.analyze_endpoint(f"{oxigraph}/query", f"{oxigraph}/update", as_of=as_of)
    assert _open_order(json.loads(report.to_json())) == _open_order(json.loads(embedded_reports["json"]))


def test_auto_protocol_falls_back_to_update_when_the_url_refuses_the_graph_store_protocol(oxigraph, runner, cli):
    """A store URL that answers 405 to Graph Store requests (?graph=) but takes SPARQL Update (forwarded here to
    Oxigraph's /update): push notices it on the first graph and writes everything with Update."""
    _clear(oxigraph)

    def respond(handler, body):
        if "graph=" in handler.path:
            return 405, {"Content-Type": "text/plain"}, b"Method Not Allowed\n"
        req = urllib.request.Request(
            f"{oxigraph}/update",
            data=body,
            method="POST",
            headers={"Content-Type": handler.headers.get("Content-Type", "")},
        )
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, {}, resp.read()

    with _Server(respond) as store:
        r = _push(runner, cli, LAKESIDE, "--store", f"{store.url}/dataset", "--what", "asserted", "--format", "json")
        assert r.exit_code == 0, r.output
        assert [(m, p.split("?")[0]) for m, p, _ in store.requests] == [("POST", "/dataset"), ("POST", "/dataset")]
    summary = json.loads(r.output)
    assert summary["protocol"] == "update" and summary["requests"] == 2
    assert _graph_counts(oxigraph) == {LAKESIDE_G: len(load([LAKESIDE]).store)}


def test_cities_of_one_file_are_reasoned_apart_on_all_cores(oxigraph, runner, cli, monkeypatch):
    """A TriG file of three cities, reasoned in two worker processes: each city's inferred and derived graphs are
    exactly what the embedded engine gives for that city alone."""
    import datetime as dt

    from sscrdf.reasoning.store import knowledge_store
    from sscrdf.rules.engine import DERIVED_GRAPH, run_rules

    from .conftest import FIXTURES

    trig = FIXTURES / "queries" / "cities.trig"
    monkeypatch.setenv("SSCRDF_WORKERS", "2")
    _clear(oxigraph)
    r = _push(runner, cli, trig, "--store", f"{oxigraph}/store")
    assert r.exit_code == 0, r.output
    data = load([trig]).store
    cities = sorted(g.value for g in data.named_graphs())
    assert len(cities) >= 3
    for g in cities:
        alone = ox.Store()
        alone.extend(data.quads_for_pattern(None, None, None, ox.NamedNode(g)))
        ks = knowledge_store(alone)
        work = run_rules(ks, as_of=dt.date.fromisoformat(AS_OF)).store
        for graph, store, source in (
            (inferred_graph(g).value, ks, inferred_graph(g)),
            (derived_graph(g).value, work, DERIVED_GRAPH),
        ):
            want = {q.triple for q in store.quads_for_pattern(None, None, None, source)}
            got = {
                q.triple
                for q in ox.parse("\n".join(_graph_lines(oxigraph, graph)).encode(), format=ox.RdfFormat.N_TRIPLES)
            }
            assert got == want, graph
