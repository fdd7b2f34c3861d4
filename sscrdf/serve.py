"""Serving and pushing: a read-only SPARQL 1.1 Protocol endpoint over the embedded store, and uploading
city data (with its entailments and findings) to any SPARQL 1.1 store through the Graph Store Protocol.

The endpoint answers ``GET /sparql?query=...`` and ``POST /sparql`` (``application/sparql-query`` or a form
with ``query=``) with SPARQL JSON results (SELECT, ASK) or N-Triples/Turtle (CONSTRUCT, DESCRIBE). Updates,
``SERVICE`` and ``LOAD`` are refused: the endpoint never reaches out to the network.
"""
from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox

from .errors import InputError
from .guard import QueryRefused, check_query


def _term_json(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    out = {"type": "literal", "value": t.value}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype and t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = t.datatype.value
    return out


def answer(store: ox.Store, query: str) -> tuple[int, str, bytes]:
    """(HTTP status, content type, body) for one SPARQL query on ``store`` (union default graph)."""
    try:
        query = check_query(query)
    except QueryRefused as exc:
        return 400, "text/plain; charset=utf-8", f"{exc}\n".encode()
    try:
        res = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as exc:
        return 400, "text/plain; charset=utf-8", f"SPARQL syntax error: {exc}\n".encode()
    if isinstance(res, ox.QuerySolutions):
        names = [v.value for v in res.variables]
        rows = [{n: _term_json(sol[n]) for n in names if sol[n] is not None} for sol in res]
        body = {"head": {"vars": names}, "results": {"bindings": rows}}
        return 200, "application/sparql-results+json", json.dumps(body).encode()
    if isinstance(res, ox.QueryBoolean):
        return 200, "application/sparql-results+json", json.dumps({"head": {}, "boolean": bool(res)}).encode()
    return 200, "application/n-triples", ox.serialize(res, format=ox.RdfFormat.N_TRIPLES)


def make_server(store: ox.Store, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """An HTTP server (not yet serving) exposing ``store`` at /sparql."""

    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802 (http.server API)
            url = urllib.parse.urlparse(self.path)
            if url.path not in ("/sparql", "/query"):
                return self._reply(404, "text/plain", b"the SPARQL endpoint is /sparql\n")
            q = urllib.parse.parse_qs(url.query).get("query")
            if not q:
                return self._reply(400, "text/plain", b"missing query parameter\n")
            self._reply(*answer(store, q[0]))

        def do_POST(self):  # noqa: N802
            url = urllib.parse.urlparse(self.path)
            if url.path not in ("/sparql", "/query"):
                return self._reply(404, "text/plain", b"the SPARQL endpoint is /sparql\n")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if ctype == "application/sparql-query":
                query = body
            else:
                query = (urllib.parse.parse_qs(body).get("query") or [""])[0]
            if not query:
                return self._reply(400, "text/plain", b"missing query\n")
            self._reply(*answer(store, query))

        def log_message(self, fmt, *args):  # quiet by default
            pass

    return ThreadingHTTPServer((host, port), Handler)


def serve_in_thread(store: ox.Store, host: str = "127.0.0.1", port: int = 0) -> tuple[ThreadingHTTPServer, str]:
    """Start serving in a daemon thread; returns the server and the endpoint URL (for tests and embedding)."""
    server = make_server(store, host, port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    h, p = server.server_address[:2]
    return server, f"http://{h}:{p}/sparql"


# ------------------------------------------------------------------------------------------ push

def push(quads, store_url: str, *, replace: bool = False, timeout: float = 60) -> dict[str, int]:
    """Upload ``quads`` to a SPARQL 1.1 Graph Store Protocol endpoint (e.g. Oxigraph's ``/store``,
    Fuseki's ``/ds/data``), one request per graph: POST adds, PUT (``replace``) replaces the graph.
    Returns the triple count per graph ("" for the default graph)."""
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in quads:
        key = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        by_graph.setdefault(key, []).append(q.triple)
    counts = {}
    for graph, triples in sorted(by_graph.items()):
        param = "default" if graph == "" else "graph=" + urllib.parse.quote(graph, safe="")
        url = f"{store_url}{'&' if '?' in store_url else '?'}{param}"
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        req = urllib.request.Request(url, data=body, method="PUT" if replace else "POST",
                                     headers={"Content-Type": "application/n-triples"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                resp.read()
        except (urllib.error.URLError, OSError) as exc:
            raise InputError(f"the store at {store_url} refused the upload of graph {graph or '(default)'}: {exc}")
        counts[graph] = len(triples)
    return counts
