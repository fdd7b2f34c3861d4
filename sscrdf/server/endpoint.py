"""Serving: a read-only SPARQL 1.1 Protocol endpoint over the embedded store (uploading to a store is
:mod:`sscrdf.server.client`).

Routes (every one answers GET, HEAD and OPTIONS):

- ``/sparql`` (and ``/query``): ``GET ?query=``, ``POST`` as ``application/sparql-query`` or a form with
  ``query=``; the optional protocol parameters ``default-graph-uri`` / ``named-graph-uri``, and ``format=``.
  The answer is negotiated on ``Accept`` (:mod:`sscrdf.server.formats`). Without a query, ``GET /sparql``
  answers the SPARQL 1.1 Service Description of the endpoint.
- ``/queries``: the bundled queries (JSON, or HTML for a browser); ``/queries/NAME?COLUMN=VALUE``: one of them,
  keeping the rows whose columns hold the given RDF terms (the query text is never edited).
- ``/``: a small self-contained HTML page to type a query and see a table.

Updates, ``SERVICE`` and ``LOAD`` are refused (:mod:`sscrdf.query.guard`): the endpoint never reaches out to
the network. Queries run in worker processes (:mod:`sscrdf.server.workers`) so that a runaway one is stopped.
CORS headers are sent only for the origins given to :func:`make_server` (``sscrdf serve --cors ORIGIN``).
"""

from __future__ import annotations

import difflib
import html
import json
import re
import threading
import urllib.parse
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import cast

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import FORMATS, PREFIXES, RDF, RDFS, SD
from ..query.guard import QueryRefused, check_query_form
from ..query.sparql import SparqlFile, bundled_queries
from .bounded import BoundedHTTPServer, Limits
from .formats import FORMAT_IRIS, GRAPH_FORMATS, RESULT_FORMATS, Format, Term, by_name, negotiate, serialize_graph
from .watch import Change, WatchedFiles
from .workers import Job, QueryPool

__all__ = ["check_origins", "make_server", "parse_term", "serve_in_thread", "watch_files"]

_TEXT = "text/plain; charset=utf-8"
_PAGE = Path(__file__).resolve().parent / "page.html"
_PREFIXES = tuple((k, str(v)) for k, v in PREFIXES.items())
_SPARQL_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
_READ_METHODS = ("GET", "HEAD", "OPTIONS")


@dataclass
class _Answer:
    status: int
    ctype: str
    body: bytes
    vary: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)


def _text(status: int, message: str, *, vary: tuple[str, ...] = ()) -> _Answer:
    return _Answer(status, _TEXT, (" ".join(message.split()) + "\n").encode(), vary)


# ------------------------------------------------------------------------------------------ RDF terms

_TERM = re.compile(
    r"""
    <[^<>"{}|^`\\\x00-\x20]*>                                          # an IRI
  | [A-Za-z][\w\-]*:[\w\-.]*                                           # a prefixed name (sscrdf's prefixes)
  | (?:"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')                    # a string
    (?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^(?:<[^<>"{}|^`\\\x00-\x20]*>|[A-Za-z][\w\-]*:[\w\-.]*))?
  | [+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)         # a number
  | true | false
""",
    re.X,
)
_BARE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://[^<>\"{}|^`\\\x00-\x20]+")
_TURTLE_PREFIXES = "".join(f"@prefix {k}: <{v}> .\n" for k, v in _PREFIXES)


def parse_term(value: str) -> ox.NamedNode | ox.Literal:
    """The RDF term (pyoxigraph) written in ``value``: ``<IRI>`` or a bare ``http://...`` IRI, a prefixed name
    with one of sscrdf's prefixes (``ssc:City``), a literal in Turtle syntax (``"Riverton"``, ``"x"@en``,
    ``"2025-01-01"^^xsd:date``), a number, ``true`` / ``false``. ValueError for anything else (a blank node,
    a list, two terms, text around the term)."""
    v = value.strip()
    if _BARE_IRI.fullmatch(v) and not v.startswith(tuple(p + ":" for p, _ in _PREFIXES)):
        return ox.NamedNode(v)
    if not _TERM.fullmatch(v):
        raise ValueError(value)
    try:
        triples = list(
            ox.parse((_TURTLE_PREFIXES + f"<urn:x:s> <urn:x:p> {v} .\n").encode(), format=ox.RdfFormat.TURTLE)
        )
    except SyntaxError:
        raise ValueError(value) from None
    if len(triples) != 1 or not isinstance(triples[0].object, (ox.NamedNode, ox.Literal)):
        raise ValueError(value)
    obj = triples[0].object
    assert isinstance(obj, (ox.NamedNode, ox.Literal))
    return obj


def check_origins(origins: Iterable[str]) -> tuple[str, ...]:
    """The CORS origins as given (``*``, or ``scheme://host[:port]``); InputError for anything else."""
    out = []
    for o in origins:
        if o == "*":
            out.append(o)
            continue
        u = urllib.parse.urlsplit(o)
        if u.scheme not in ("http", "https") or not u.netloc or u.path or u.query or u.fragment or "@" in u.netloc:
            raise InputError(
                f"--cors {o!r} is not an origin",
                hint="give scheme://host[:port], e.g. https://portal.example.org, or * for any origin",
            )
        out.append(f"{u.scheme}://{u.netloc}".lower())
    return tuple(out)


# ------------------------------------------------------------------------------------------ the service


class _Service:
    """What every request thread shares: the store, the worker pool, the limits, the bundled queries."""

    def __init__(self, store: ox.Store, limits: Limits, cors: tuple[str, ...]) -> None:
        self.store = store
        self.limits = limits
        self.cors = cors
        self._lock = threading.Lock()
        self._queries: dict[str, SparqlFile] | None = None
        # read before the fork: reading the store later in this process would copy the pages it touches
        self._graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
        self.pool = QueryPool(store, limits.max_concurrent_queries, limits.worker_memory << 20)

    def queries(self) -> dict[str, SparqlFile]:
        with self._lock:
            if self._queries is None:
                self._queries = {q.id: q for q in bundled_queries()}
            return self._queries

    def graphs(self) -> list[str]:
        return self._graphs

    def update(self, change: Change, graphs: list[str]) -> None:
        """Swap a change of the data in (``sscrdf serve --watch``): the workers answer from the new data as soon
        as this returns; ``graphs`` are the named graphs after it (for the service description)."""
        self.pool.update(change.graphs, change.remove, change.add)
        self._graphs = graphs

    # -- SPARQL

    def sparql(
        self,
        query: str,
        accept: str | None,
        fmt_param: str | None,
        *,
        keep: Sequence[tuple[str, Term]] = (),
        default_graphs: Sequence[str] = (),
        named_graphs: Sequence[str] = (),
    ) -> _Answer:
        vary = ("Accept",)
        try:
            text, form = check_query_form(query)
        except QueryRefused as exc:
            return _text(400, str(exc), vary=vary)
        offers = RESULT_FORMATS if form in ("SELECT", "ASK") else GRAPH_FORMATS
        fmt = _pick(offers, accept, fmt_param)
        if not isinstance(fmt, Format):
            return _text(
                406,
                f"{form} answers come as {', '.join(f.media_type for f in offers)}; {fmt} asks for none of them",
                vary=vary,
            )
        job = Job(
            text,
            fmt.name,
            self.limits.max_results,
            tuple(keep),
            tuple(default_graphs),
            tuple(named_graphs),
            _PREFIXES,
        )
        status, body = self.pool.run(job, self.limits.query_timeout)
        return _Answer(status, fmt.content_type if status == 200 else _TEXT, body, vary)

    def description(self, endpoint: str, accept: str | None, fmt_param: str | None) -> _Answer:
        """The SPARQL 1.1 Service Description of this endpoint (Turtle unless negotiated otherwise)."""
        fmt = _pick(GRAPH_FORMATS, accept, fmt_param)
        if not isinstance(fmt, Format):
            return _text(
                406,
                f"the service description comes as "
                f"{', '.join(f.media_type for f in GRAPH_FORMATS)}; {fmt} asks for none of them",
                vary=("Accept",),
            )
        sd = SD
        rdf_type = ox.NamedNode(f"{RDF}type")
        service, dataset, default = ox.BlankNode("service"), ox.BlankNode("dataset"), ox.BlankNode("default")
        t: list[ox.Triple] = []

        def add(s: ox.BlankNode, p: str | ox.NamedNode, o: ox.NamedNode | ox.BlankNode | ox.Literal) -> None:
            t.append(ox.Triple(s, ox.NamedNode(p) if isinstance(p, str) else p, o))

        add(service, rdf_type, ox.NamedNode(sd + "Service"))
        add(service, sd + "endpoint", ox.NamedNode(endpoint))
        add(service, sd + "supportedLanguage", ox.NamedNode(sd + "SPARQL11Query"))
        add(service, sd + "feature", ox.NamedNode(sd + "UnionDefaultGraph"))
        for f in (*RESULT_FORMATS, *GRAPH_FORMATS):
            add(service, sd + "resultFormat", ox.NamedNode(FORMAT_IRIS[f.name]))
        add(
            service,
            f"{RDFS}comment",
            ox.Literal(
                "sscrdf: a read-only SPARQL 1.1 endpoint over smart-sustainable-city stakeholder data, its "
                "OWL 2 RL entailments and the rules' findings; the default graph is the union of all graphs; "
                "SERVICE, LOAD and updates are refused"
            ),
        )
        add(service, sd + "defaultDataset", dataset)
        add(dataset, rdf_type, ox.NamedNode(sd + "Dataset"))
        add(dataset, sd + "defaultGraph", default)
        add(default, rdf_type, ox.NamedNode(sd + "Graph"))
        for i, g in enumerate(self.graphs()):
            named = ox.BlankNode(f"g{i}")
            add(dataset, sd + "namedGraph", named)
            add(named, rdf_type, ox.NamedNode(sd + "NamedGraph"))
            add(named, sd + "name", ox.NamedNode(g))
        prefixes = {
            "sd": sd,
            "rdfs": str(RDFS),
            "formats": FORMATS,
        }
        return _Answer(200, fmt.content_type, serialize_graph(t, fmt.name, prefixes), ("Accept",))

    # -- /queries

    def query_list(self, accept: str | None) -> _Answer:
        items = [
            {
                "id": q.id,
                "iri": q.iri,
                "question": q.header.get("question", ""),
                "clause": q.header.get("clause", ""),
                "columns": q.columns,
                "parameters": q.columns,
                "url": f"/queries/{urllib.parse.quote(q.id)}",
                "query": q.text,
            }
            for q in self.queries().values()
        ]
        offers = (Format("json", "application/json"), Format("html", "text/html"))
        fmt = negotiate(accept, offers)
        if fmt is None:
            return _text(406, "the query list comes as application/json or text/html", vary=("Accept",))
        if fmt.name == "json":
            return _Answer(
                200, "application/json", json.dumps(items, indent=1, ensure_ascii=False).encode(), ("Accept",)
            )
        rows = "".join(
            f'<tr><td><a href="/queries/{html.escape(urllib.parse.quote(q.id))}">{html.escape(q.id)}</a></td>'
            f"<td>{html.escape(q.header.get('question', ''))}</td><td>{html.escape(q.header.get('clause', ''))}</td>"
            f"<td>{html.escape(', '.join(q.columns))}</td></tr>"
            for q in self.queries().values()
        )
        page = (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>sscrdf queries</title>'
            "</head><body><h1>The bundled queries</h1><p>Run one with <code>/queries/ID</code>; bind a result "
            "column with <code>?COLUMN=VALUE</code> (an IRI or a literal in Turtle syntax).</p><table>"
            "<tr><th>id</th><th>question</th><th>clause</th><th>columns</th></tr>"
            f'{rows}</table><p><a href="/">query page</a></p></body></html>'
        )
        return _Answer(200, "text/html; charset=utf-8", page.encode(), ("Accept",), _PAGE_HEADERS)

    def named_query(self, name: str, params: dict[str, list[str]], accept: str | None) -> _Answer:
        q = self.queries().get(name)
        if q is None:
            close = difflib.get_close_matches(name, list(self.queries()), n=1)
            return _text(
                404,
                f"no query named {name!r}"
                + (f"; did you mean {close[0]!r}?" if close else "")
                + " (/queries lists them)",
            )
        fmt_param = _single(params.pop("format", None))
        keep: list[tuple[str, Term]] = []
        for key, values in sorted(params.items()):
            if key not in q.columns:
                return _text(
                    400, f"{name} has no parameter {key!r}; its parameters are its columns: {', '.join(q.columns)}"
                )
            if len(values) != 1:
                return _text(400, f"the parameter {key!r} is given {len(values)} times; give it once")
            try:
                keep.append((key, parse_term(values[0])))
            except ValueError:
                return _text(
                    400,
                    f"the parameter {key}={values[0]!r} is not an RDF term; expected <IRI>, "
                    f'http://..., a prefixed name such as ssc:City, or a literal such as "Riverton"',
                )
        return self.sparql(q.text, accept, fmt_param, keep=keep)


_PAGE_HEADERS = {
    # the page needs nothing from elsewhere; the browser is told so
    "Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


def _single(values: list[str] | None) -> str | None:
    return values[0] if values else None


def _pick(offers: tuple[Format, ...], accept: str | None, fmt_param: str | None) -> Format | str:
    """The format named by ``format=`` (it wins over Accept) or negotiated on Accept; else what was asked."""
    if fmt_param:
        return by_name(fmt_param, offers) or f"format={fmt_param}"
    return negotiate(accept, offers) or f"Accept: {accept}"


_HOST = re.compile(r"[A-Za-z0-9.\-]+(?::\d{1,5})?|\[[0-9A-Fa-f:.]+\](?::\d{1,5})?")


def make_server(
    store: ox.Store, host: str = "127.0.0.1", port: int = 0, limits: Limits | None = None, cors: tuple[str, ...] = ()
) -> BoundedHTTPServer:
    """An HTTP server (not yet serving) exposing ``store``, bounded by ``limits`` (see
    :mod:`sscrdf.server.bounded`); CORS headers for the ``cors`` origins only. Its query workers are forked
    here, before any server thread starts; ``server_close()`` ends them."""
    lim = limits or Limits()
    cors = check_origins(cors)
    service = _Service(store, lim, cors)

    class Handler(BaseHTTPRequestHandler):
        server_version = "sscrdf"

        # -- plumbing

        def _route(self) -> tuple[str, tuple[str, ...]]:
            path = urllib.parse.urlsplit(self.path).path
            if path in ("/sparql", "/query"):
                return "sparql", _SPARQL_METHODS
            if path in ("/", "/index.html"):
                return "page", _READ_METHODS
            if path == "/queries" or path.startswith("/queries/"):
                return "queries", _READ_METHODS
            return "", _READ_METHODS

        def _cors(self) -> dict[str, str]:
            origin = self.headers.get("Origin")
            if not cors or not origin:
                return {}
            if "*" in cors:
                return {"Access-Control-Allow-Origin": "*"}
            if origin.lower() in cors:
                return {"Access-Control-Allow-Origin": origin}
            return {}

        def _send(self, a: _Answer, body: bool = True) -> None:
            self.send_response(a.status)
            self.send_header("Content-Type", a.ctype)
            self.send_header("Content-Length", str(len(a.body)))
            vary = list(a.vary) + (["Origin"] if cors and "*" not in cors else [])
            if vary:
                self.send_header("Vary", ", ".join(vary))
            for k, v in {**a.headers, **self._cors()}.items():
                self.send_header(k, v)
            self.end_headers()
            if body:
                self.wfile.write(a.body)

        def _host_url(self) -> str:
            h = (self.headers.get("Host") or "").strip()
            if not _HOST.fullmatch(h):
                address = self.server.server_address
                assert isinstance(address, tuple)  # an IP socket
                a, p = str(address[0]), address[1]
                h = f"[{a}]:{p}" if ":" in a else f"{a}:{p}"
            return f"http://{h}"

        # -- methods

        def do_OPTIONS(self) -> None:
            route, methods = self._route()
            headers = {"Allow": ", ".join(methods)}
            cors_headers = self._cors()
            if cors_headers and self.headers.get("Access-Control-Request-Method"):  # a CORS preflight
                headers.update(cors_headers)
                headers["Access-Control-Allow-Methods"] = ", ".join(methods)
                headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
                headers["Access-Control-Max-Age"] = "600"
            self.send_response(204 if route or self.path == "*" else 404)
            for k, v in headers.items():
                self.send_header(k, v)
            if cors and "*" not in cors:
                self.send_header("Vary", "Origin")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            self._send(self._get())

        def do_HEAD(self) -> None:
            self._send(self._get(), body=False)

        def do_POST(self) -> None:
            route, methods = self._route()
            if route != "sparql":
                return self._refuse_method(methods)
            self._send(self._post())

        def _refuse_method(self, methods: tuple[str, ...]) -> None:
            a = _text(405, f"{self.command} is not allowed here; allowed: {', '.join(methods)}")
            a.headers["Allow"] = ", ".join(methods)
            self._send(a, body=self.command != "HEAD")

        def do_PUT(self) -> None:
            self._refuse_method(self._route()[1])

        do_DELETE = do_PATCH = do_PUT

        def _get(self) -> _Answer:
            route, _ = self._route()
            url = urllib.parse.urlsplit(self.path)
            try:
                params = urllib.parse.parse_qs(url.query, keep_blank_values=True, strict_parsing=False, errors="strict")
            except UnicodeDecodeError:
                return _text(400, "the query string is not UTF-8")
            accept = self.headers.get("Accept")
            if route == "page":
                return _Answer(200, "text/html; charset=utf-8", _PAGE.read_bytes(), (), dict(_PAGE_HEADERS))
            if route == "queries":
                name = urllib.parse.unquote(url.path[len("/queries/") :]) if url.path != "/queries" else ""
                if not name:
                    return service.query_list(accept)
                return service.named_query(name, params, accept)
            if route != "sparql":
                return _text(404, "nothing here; the SPARQL endpoint is /sparql, the query page is /")
            return self._protocol(params, accept)

        def _post(self) -> _Answer:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if length < 0:
                return _text(400, "bad Content-Length")
            if length > lim.max_body:
                self.close_connection = True
                return _text(413, f"the request body is larger than {lim.max_body} bytes; raise --max-body")
            try:
                body = self.rfile.read(length).decode("utf-8")
                params = urllib.parse.parse_qs(
                    urllib.parse.urlsplit(self.path).query, keep_blank_values=True, errors="strict"
                )
            except UnicodeDecodeError:
                return _text(400, "the request is not UTF-8")
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/sparql-query":
                if "query" in params:
                    return _text(400, "a query in the body and another in the URL; give one")
                params["query"] = [body]
            elif ctype in ("application/x-www-form-urlencoded", ""):
                try:
                    form = urllib.parse.parse_qs(body, keep_blank_values=True, errors="strict")
                except UnicodeDecodeError:
                    return _text(400, "the request body is not UTF-8")
                for k, v in form.items():
                    params.setdefault(k, []).extend(v)
            elif ctype == "application/sparql-update":
                return _text(400, "this endpoint is read-only; SPARQL Update is refused")
            else:
                return _text(
                    415,
                    f"a POST body of type {ctype} is not a query; send application/sparql-query "
                    f"or a form (application/x-www-form-urlencoded) with query=",
                )
            if "query" not in params and "update" not in params:
                return _text(400, "missing query")
            return self._protocol(params, self.headers.get("Accept"))

        def _protocol(self, params: dict[str, list[str]], accept: str | None) -> _Answer:
            if "update" in params:
                return _text(400, "this endpoint is read-only; SPARQL Update is refused")
            fmt_param = _single(params.get("format"))
            queries = params.get("query")
            if queries is None:
                if self.command == "POST":
                    return _text(400, "missing query")
                return service.description(self._host_url() + urllib.parse.urlsplit(self.path).path, accept, fmt_param)
            if len(queries) != 1:
                return _text(400, "give exactly one query parameter")
            if not queries[0].strip():
                return _text(400, "missing query")
            graphs: dict[str, list[str]] = {}
            for key in ("default-graph-uri", "named-graph-uri"):
                graphs[key] = []
                for g in params.get(key, []):
                    if not _BARE_IRI.fullmatch(g):
                        return _text(400, f"{key}={g!r} is not an absolute IRI")
                    graphs[key].append(g)
            return service.sparql(
                queries[0],
                accept,
                fmt_param,
                default_graphs=graphs["default-graph-uri"],
                named_graphs=graphs["named-graph-uri"],
            )

        def log_message(self, fmt: str, *args: object) -> None:  # quiet by default
            pass

    try:
        server = _Server((host, port), Handler, lim)
    except BaseException:
        service.pool.close()
        raise
    server.service = service
    return server


class _Server(BoundedHTTPServer):
    """The bounded server that also ends the query workers when it is closed."""

    service: _Service

    def server_close(self) -> None:
        try:
            super().server_close()
        finally:
            if hasattr(self, "service"):
                self.service.pool.close()


def serve_in_thread(
    store: ox.Store, host: str = "127.0.0.1", port: int = 0, limits: Limits | None = None, cors: tuple[str, ...] = ()
) -> tuple[BoundedHTTPServer, str]:
    """Start serving in a daemon thread; returns the server and the endpoint URL (for tests and embedding).
    Call ``server.shutdown()`` and ``server.server_close()`` when done."""
    server = make_server(store, host, port, limits, cors)
    # shutdown() waits for the serving loop to look at its flag, every poll_interval (0.5 s by default); a
    # short one ends an embedded server (each test's) at once
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    h, p = server.server_address[:2]
    return server, f"http://{h!s}:{p}/sparql"


def watch_files(
    server: BoundedHTTPServer, files: WatchedFiles, log: Callable[[str], None], interval: float = 2.0
) -> threading.Event:
    """Serve ``files`` as they change (``sscrdf serve --watch``): ``server`` (from :func:`make_server` over
    ``files.store()``) swaps in each change :class:`WatchedFiles` finds, polling every ``interval`` seconds;
    ``log`` gets one line per reload or per file that no longer loads. Set the returned event to stop watching."""
    service = cast(_Server, server).service

    def apply(change: Change, graphs: list[str]) -> None:
        try:
            service.update(change, graphs)
        except OSError as exc:
            log(f"the change of {', '.join(change.files)} could not be served: {exc}")

    return files.watch(apply, log, interval)
