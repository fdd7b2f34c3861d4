"""Serving: a read-only SPARQL 1.1 Protocol endpoint over the embedded store (uploading to a store is
:mod:`sscrdf.server.client`).

The endpoint answers ``GET /sparql?query=...`` and ``POST /sparql`` (``application/sparql-query`` or a form
with ``query=``) with SPARQL JSON results (SELECT, ASK) or N-Triples/Turtle (CONSTRUCT, DESCRIBE). Updates,
``SERVICE`` and ``LOAD`` are refused: the endpoint never reaches out to the network.
"""
from __future__ import annotations

import json
import threading
import urllib.parse
import time
from http.server import BaseHTTPRequestHandler

import pyoxigraph as ox

from .bounded import BoundedHTTPServer, Limits
from ..errors import InputError
from ..namespaces import XSD
from ..query.guard import QueryRefused, check_query


def _term_json(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    out = {"type": "literal", "value": t.value}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype and t.datatype.value != str(XSD.string):
        out["datatype"] = t.datatype.value
    return out


_TEXT = "text/plain; charset=utf-8"


class _LimitHit(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _bounded(items, limits: Limits, deadline: float):
    """``items`` (a lazy result iterator) cut off at the time limit and the result-size limit."""
    for i, item in enumerate(items):
        if i >= limits.max_results:
            raise _LimitHit(413, f"the result has more than {limits.max_results} rows; add a LIMIT, or raise "
                                 f"--max-results")
        if time.monotonic() > deadline:
            raise _LimitHit(503, f"the query ran longer than {limits.query_timeout:g} s and was stopped; "
                                 f"narrow it, or raise --query-timeout")
        yield item


def answer(store: ox.Store, query: str, limits: Limits | None = None,
           slots: threading.Semaphore | None = None) -> tuple[int, str, bytes]:
    """(HTTP status, content type, body) for one SPARQL query on ``store`` (union default graph).

    The query must pass the guard (no SERVICE, no update); its results are produced lazily and stopped at
    ``limits.query_timeout`` seconds or ``limits.max_results`` rows; ``slots`` bounds concurrent queries."""
    limits = limits or Limits()
    try:
        query = check_query(query)
    except QueryRefused as exc:
        return 400, _TEXT, f"{exc}\n".encode()
    if slots is not None and not slots.acquire(timeout=limits.query_timeout):
        return 503, _TEXT, b"the server is busy; try again later\n"
    deadline = time.monotonic() + limits.query_timeout
    try:
        res = store.query(query, use_default_graph_as_union=True)
        if isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            rows = [{n: _term_json(sol[n]) for n in names if sol[n] is not None}
                    for sol in _bounded(res, limits, deadline)]
            body = json.dumps({"head": {"vars": names}, "results": {"bindings": rows}}).encode()
            return 200, "application/sparql-results+json", body
        if isinstance(res, ox.QueryBoolean):
            return 200, "application/sparql-results+json", json.dumps({"head": {}, "boolean": bool(res)}).encode()
        triples = list(_bounded(res, limits, deadline))
        return 200, "application/n-triples", ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    except SyntaxError as exc:
        return 400, _TEXT, f"SPARQL syntax error: {exc}\n".encode()
    except _LimitHit as exc:
        return exc.status, _TEXT, f"{exc}\n".encode()
    except (OSError, RuntimeError, ValueError) as exc:  # evaluation errors of the store
        return 500, _TEXT, f"the query failed: {exc}\n".encode()
    finally:
        res = None  # drop the result iterator in this thread (pyoxigraph objects are thread-bound)
        if slots is not None:
            slots.release()


def make_server(store: ox.Store, host: str = "127.0.0.1", port: int = 0,
                limits: Limits | None = None) -> BoundedHTTPServer:
    """An HTTP server (not yet serving) exposing ``store`` at /sparql, bounded by ``limits`` (see
    :mod:`sscrdf.server.bounded`)."""
    limits = limits or Limits()
    slots = threading.Semaphore(limits.max_concurrent_queries)

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
            self._reply(*answer(store, q[0], limits, slots))

        def do_POST(self):  # noqa: N802
            url = urllib.parse.urlparse(self.path)
            if url.path not in ("/sparql", "/query"):
                return self._reply(404, "text/plain", b"the SPARQL endpoint is /sparql\n")
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0:
                return self._reply(400, _TEXT, b"bad Content-Length\n")
            if length > limits.max_body:
                self.close_connection = True
                return self._reply(413, _TEXT, f"the request body is larger than {limits.max_body} bytes; "
                                               f"raise --max-body\n".encode())
            try:
                body = self.rfile.read(length).decode("utf-8")
            except UnicodeDecodeError:
                return self._reply(400, _TEXT, b"the request body is not UTF-8\n")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip()
            if ctype == "application/sparql-query":
                query = body
            else:
                query = (urllib.parse.parse_qs(body).get("query") or [""])[0]
            if not query:
                return self._reply(400, "text/plain", b"missing query\n")
            self._reply(*answer(store, query, limits, slots))

        def log_message(self, fmt, *args):  # quiet by default
            pass

    return BoundedHTTPServer((host, port), Handler, limits)


def serve_in_thread(store: ox.Store, host: str = "127.0.0.1", port: int = 0,
                    limits: Limits | None = None) -> tuple[BoundedHTTPServer, str]:
    """Start serving in a daemon thread; returns the server and the endpoint URL (for tests and embedding)."""
    server = make_server(store, host, port, limits)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    h, p = server.server_address[:2]
    return server, f"http://{h}:{p}/sparql"


# ------------------------------------------------------------------------------------------ push
