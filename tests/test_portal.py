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
from .test_remote import _free_port

pytestmark = pytest.mark.store
AS_OF = "2026-11-21"
RIVERTON, LAKESIDE = EXAMPLES / "riverton.ttl", EXAMPLES / "lakeside.ttl"
RIVERTON_G, LAKESIDE_G = "https://example.org/riverton/city", "https://example.org/lakeside/city"
ONTOLOGY_G = "https://w3id.org/sscrdf/graph/ontology"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    import shutil
    import subprocess
    import sys
    import time

    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(exe).exists():
        pytest.fail("the oxigraph server is not installed; `pip install oxigraph` (it is in the test extras)")
    port = _free_port()
    proc = subprocess.Popen([exe, "serve", "--location", str(tmp_path_factory.mktemp("oxigraph")),
                             "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"oxigraph did not start: {proc.stderr.read().decode()[:500]}")
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


def _clear(base: str) -> None:
    req = urllib.request.Request(f"{base}/update", data=b"CLEAR ALL", method="POST",
                                 headers={"Content-Type": "application/sparql-update"})
    urllib.request.urlopen(req, timeout=10).read()


def _graph_counts(base: str) -> dict[str, int]:
    q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    req = urllib.request.Request(f"{base}/query?query=" + urllib.parse.quote(q),
                                 headers={"Accept": "application/sparql-results+json"})
    data = json.loads(urllib.request.urlopen(req, timeout=10).read())
    return {b["g"]["value"]: int(b["n"]["value"]) for b in data["results"]["bindings"]}


def _graph_lines(base: str, graph: str) -> set[str]:
    req = urllib.request.Request(f"{base}/store?graph=" + urllib.parse.quote(graph, safe=""),
                                 headers={"Accept": "application/n-triples"})
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
    assert derived_graph(RIVERTON_G).value == ("https://w3id.org/sscrdf/graph/derived?graph="
                                               "https%3A%2F%2Fexample.org%2Friverton%2Fcity")


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
    changed.write_text(RIVERTON.read_text(encoding="utf-8")
                       + f'\n<{RIVERTON_G}> <http://www.w3.org/2000/01/rdf-schema#comment> "changed" .\n',
                       encoding="utf-8")
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
    extra.write_text(f'<{LAKESIDE_G}> a <https://w3id.org/sscrdf/ontology#City> ; '
                     f'<http://www.w3.org/2000/01/rdf-schema#comment> "more" .\n', encoding="utf-8")
    r = _push(runner, cli, extra, "--store", f"{oxigraph}/store", "--what", "asserted")
    assert r.exit_code == 0, r.output
    assert _graph_counts(oxigraph) == {LAKESIDE_G: len(load([LAKESIDE]).store) + 1}


def test_default_graph_option_names_the_graph(oxigraph, runner, cli):
    _clear(oxigraph)
    r = _push(runner, cli, LAKESIDE, "--store", f"{oxigraph}/store", "--what", "inferred",
              "--default-graph", "https://example.org/graph/lakeside")
    assert r.exit_code == 0, r.output
    assert set(_graph_counts(oxigraph)) == {"https://example.org/graph/lakeside", ONTOLOGY_G,
                                            inferred_graph("https://example.org/graph/lakeside").value}


def test_a_file_without_one_city_needs_a_graph_name(oxigraph, runner, cli, tmp_path):
    two = tmp_path / "two.ttl"
    two.write_text(RIVERTON.read_text(encoding="utf-8") + "\n" + LAKESIDE.read_text(encoding="utf-8"),
                   encoding="utf-8")
    r = _push(runner, cli, two, "--store", f"{oxigraph}/store")
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: {two}: the default graph holds 2 ssc:City nodes ({LAKESIDE_G}, {RIVERTON_G}), so it has no "
        "city graph to go to — give --default-graph IRI, or put each city in a named graph of its own (TriG)"]


# ------------------------------------------------------------------------------------------- SPARQL Update

def test_update_protocol_in_chunks_keeps_blank_nodes_whole(oxigraph, runner, cli, tmp_path):
    """INSERT DATA in chunks of 2 triples: a blank node's triples stay in one request, so each stays one node."""
    _clear(oxigraph)
    trig = tmp_path / "cities.trig"
    trig.write_text("""
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
""", encoding="utf-8")
    r = _push(runner, cli, trig, "--store", f"{oxigraph}/update", "--protocol", "update", "--what", "asserted",
              "--chunk-size", "2", "--format", "json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    assert summary["protocol"] == "update" and summary["graphs"] == [
        {"graph": "https://example.org/g/a", "role": "data", "triples": 13}]
    # 5 plain triples in chunks of 2 (3 requests) and two blank nodes of 4 triples each (one request each)
    assert summary["requests"] == 5
    q = ("SELECT ?a (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/sscrdf/ontology#EngagementAssessment> ; ?p ?o }"
         " GROUP BY ?a")
    req = urllib.request.Request(f"{oxigraph}/query?query=" + urllib.parse.quote(q),
                                 headers={"Accept": "application/sparql-results+json"})
    rows = json.loads(urllib.request.urlopen(req, timeout=10).read())["results"]["bindings"]
    assert sorted(int(b["n"]["value"]) for b in rows) == [4, 4]


def test_auto_protocol_uses_update_on_an_update_url(oxigraph, runner, cli):
    _clear(oxigraph)
    r = _push(runner, cli, LAKESIDE, "--store", f"{oxigraph}/update", "--what", "asserted", "--replace")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == (f"1 graph, {len(load([LAKESIDE]).store)} triples written to "
                                         f"{oxigraph}/update (SPARQL 1.1 Update, replaced; 1 request)")
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
    req = urllib.request.Request(upstream + handler.path, data=body, method=handler.command,
                                 headers={"Content-Type": handler.headers.get("Content-Type", "")})
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
    fields = dict((k.strip(), v.strip().strip('"')) for k, v in
                  (part.split("=", 1) for part in header[7:].split(",") if "=" in part))
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


@pytest.mark.parametrize("scheme,flags", [
    ("basic", ["--user", USER, "--password", PASSWORD]),
    ("digest", ["--user", USER, "--password", PASSWORD, "--auth", "digest"]),
    ("bearer", ["--token", TOKEN]),
])
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
        r = _push(runner, cli, LAKESIDE, "--store", f"{proxy.url}/store", "--what", "asserted",
                  "--user", USER, "--password", "wrong")
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: writing graph <{LAKESIDE_G}> (Graph Store Protocol) refused by {proxy.url}/store?graph="
        f"https%3A%2F%2Fexample.org%2Flakeside%2Fcity: HTTP 401 Unauthorized: who are you? — the store did not "
        "accept the credentials (Virtuoso's -auth URLs want --auth digest)"]


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
        return 500, {"Content-Type": "text/plain"}, (
            b"Virtuoso 37000 Error SP031: SPARQL: not configured to have default graph\n\nSPARQL query:\n...")

    with _Server(respond) as broken:
        r = _push(runner, cli, LAKESIDE, "--store", f"{broken.url}/store", "--what", "asserted", "--retries", "2")
        assert len(broken.requests) == 3  # the first try and 2 retries
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: writing graph <{LAKESIDE_G}> (Graph Store Protocol) refused by {broken.url}/store?graph="
        "https%3A%2F%2Fexample.org%2Flakeside%2Fcity: HTTP 500 Internal Server Error: Virtuoso 37000 Error SP031: "
        "SPARQL: not configured to have default graph"]


def test_an_endpoint_answering_html_is_one_line(runner, cli):
    page = (b"<!DOCTYPE html><html><head><title>Not here</title><style>p{}</style></head><body>"
            b"<h1>Page not found</h1><p>Nothing\nat this address.</p></body></html>")

    def respond(handler, body):
        return 404, {"Content-Type": "text/html; charset=utf-8"}, page

    with _Server(respond) as web:
        r = _push(runner, cli, LAKESIDE, "--store", f"{web.url}/store", "--what", "asserted",
                  "--protocol", "gsp")
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: writing graph <{LAKESIDE_G}> (Graph Store Protocol) refused by {web.url}/store?graph="
        "https%3A%2F%2Fexample.org%2Flakeside%2Fcity: HTTP 404 Not Found: Page not found"]


@pytest.mark.parametrize("url", ["not-a-url", "ftp://example.org/store", "http://"])
def test_a_store_that_is_no_url_is_one_line(runner, cli, url):
    r = _push(runner, cli, LAKESIDE, "--store", url)
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: --store {url!r} is not an http(s) URL — give the store's URL, e.g. http://127.0.0.1:7878/store "
        "(Oxigraph) or http://127.0.0.1:8890/sparql-graph-crud-auth (Virtuoso)"]


def test_an_unreachable_store_is_one_line(runner, cli):
    port = _free_port()
    r = _push(runner, cli, LAKESIDE, "--store", f"http://127.0.0.1:{port}/store", "--what", "asserted",
              "--retries", "0")
    assert r.exit_code == 2
    assert r.output.splitlines() == [
        f"error: writing graph <{LAKESIDE_G}> (Graph Store Protocol): cannot reach http://127.0.0.1:{port}/store?"
        "graph=https%3A%2F%2Fexample.org%2Flakeside%2Fcity: Connection refused — is the store running, and is the "
        "URL right?"]
