"""The store client: writing cities to a SPARQL 1.1 store (``sscrdf push``) and talking to a remote store.

Every city is written to its own set of named graphs (README, "The data model", "Graphs in a store"):

- its data: the city's own named graph in a TriG / N-Quads file, else the graph named by its ssc:City IRI
  (or ``--default-graph IRI``);
- its OWL 2 RL entailments: ``https://w3id.org/sscrdf/graph/inferred?graph=<data graph, percent-encoded>``;
- what the rules derive for it: ``https://w3id.org/sscrdf/graph/derived?graph=<data graph, percent-encoded>``;

and the ontology (with its closure) to ``https://w3id.org/sscrdf/graph/ontology``, shared by all cities. So
``--replace`` replaces the graphs of the cities being pushed and nothing else.

Graphs are written with the SPARQL 1.1 Graph Store Protocol (POST adds, PUT replaces) where the store has it,
else with SPARQL 1.1 Update (``INSERT DATA`` in chunks; ``DROP SILENT GRAPH`` first to replace). HTTP goes
through ``requests``: HTTP basic or digest authentication, bearer tokens, bounded retries with exponential
back-off on 5xx answers, lost connections and timeouts. A failure is one line with the server's own words.
"""
from __future__ import annotations

import datetime as dt
import html
import re
import time
import urllib.parse
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..errors import InputError

#: HTTP statuses retried with back-off (the request is sent again, at most ``retries`` times)
RETRY_STATUSES = (500, 502, 503, 504)
#: answers to a Graph Store Protocol request that mean "this URL does not speak GSP" (``--protocol auto``
#: then writes the graphs with SPARQL 1.1 Update to the same URL)
NOT_GSP_STATUSES = (400, 404, 405, 406, 415, 501)
#: the last path segments of SPARQL query/update endpoints: ``--protocol auto`` sends SPARQL Update to them
#: straight away (Virtuoso's /sparql-auth does not answer a Graph Store request at all)
UPDATE_PATHS = ("sparql", "sparql-auth", "update", "query")
PROTOCOLS = ("auto", "gsp", "update")
AUTH_SCHEMES = ("basic", "digest")


# ------------------------------------------------------------------------------------------- HTTP

def server_says(response) -> str:
    """The first line of what the server said in an error answer, trimmed (HTML reduced to its text)."""
    text = response.text or ""
    ctype = response.headers.get("Content-Type", "")
    if "html" in ctype or re.match(r"\s*<(!doctype|html)", text, re.I):
        title = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.I | re.S)
        body = re.sub(r"(?is)<(script|style|head)\b.*?</\1>", " ", text)
        parts = [m.group(1) for m in (heading, title) if m] + [re.sub(r"<[^>]+>", "\n", body)]
        text = "\n".join(html.unescape(re.sub(r"<[^>]+>", "", p)) for p in parts)
    for line in text.splitlines():
        line = " ".join(line.split())
        if line:
            return line[:300] + ("…" if len(line) > 300 else "")
    return ""


@dataclass
class Connection:
    """HTTP to one store: authentication, timeouts and bounded retries with exponential back-off."""

    user: str | None = None
    password: str | None = None
    auth_scheme: str = "basic"
    token: str | None = None
    retries: int = 3
    backoff: float = 0.5
    timeout: float = 60
    requests_sent: int = 0
    _session: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        if self.token and self.user:
            raise InputError("give either --token or --user/--password, not both")
        if self.password is not None and not self.user:
            raise InputError("--password needs --user")
        if self.auth_scheme not in AUTH_SCHEMES:
            raise InputError(f"unknown authentication scheme {self.auth_scheme!r}",
                             hint=f"use one of {', '.join(AUTH_SCHEMES)}")
        s = requests.Session()
        s.trust_env = False  # no proxies or .netrc from the environment: the URL given is the store
        retry = Retry(total=self.retries, connect=self.retries, read=self.retries, status=self.retries,
                      other=0, status_forcelist=RETRY_STATUSES, allowed_methods=None,
                      backoff_factor=self.backoff, backoff_max=30, raise_on_status=False,
                      respect_retry_after_header=False)
        adapter = HTTPAdapter(max_retries=retry)
        s.mount("http://", adapter)
        s.mount("https://", adapter)
        if self.user:
            from requests.auth import HTTPBasicAuth, HTTPDigestAuth

            cls = HTTPDigestAuth if self.auth_scheme == "digest" else HTTPBasicAuth
            s.auth = cls(self.user, self.password or "")
        elif self.token:
            s.headers["Authorization"] = f"Bearer {self.token}"
        self._session = s

    def request(self, method: str, url: str, *, what: str, ok=(200, 201, 204), **kwargs):
        """Send one request (retried as configured); returns the answer, or raises a one-line InputError naming
        ``what`` was being done and what the server said. Statuses outside ``ok`` are errors."""
        import requests

        self.requests_sent += 1
        try:
            resp = self._session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.exceptions.RetryError as exc:
            raise InputError(f"{what} failed at {url} after {self.retries} retries: {_reason(exc)}") from None
        except requests.exceptions.Timeout:
            raise InputError(f"{what}: {url} did not answer within {self.timeout:g} s "
                             f"({self.retries} retries)") from None
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc):
                raise InputError(f"{what}: {url} did not answer within {self.timeout:g} s "
                                 f"({self.retries} retries)") from None
            raise InputError(f"{what}: cannot reach {url}: {_reason(exc)}",
                             hint="is the store running, and is the URL right?") from None
        except requests.exceptions.RequestException as exc:
            raise InputError(f"{what} failed at {url}: {_reason(exc)}") from None
        if resp.status_code not in ok:
            raise StoreRefused(what, url, resp)
        return resp


def _reason(exc: Exception) -> str:
    """The innermost reason of a requests/urllib3 exception, in a few words."""
    text = str(exc)
    m = re.search(r"\[Errno[^\]]*\]\s*([^'\")]+)", text) or re.search(r"Caused by \w+\('?(.*?)'?\)\)?$", text)
    return " ".join((m.group(1) if m else text).split())[:200]


class StoreRefused(InputError):
    """The store answered a request with an error status."""

    def __init__(self, what: str, url: str, response) -> None:
        self.status = response.status_code
        said = server_says(response)
        reason = f"HTTP {response.status_code}" + (f" {response.reason}" if response.reason else "")
        hint = None
        if self.status in (401, 403):
            authorised = "Authorization" in response.request.headers
            hint = ("the store did not accept the credentials (Virtuoso's -auth URLs want --auth digest)"
                    if authorised else
                    "give --user/--password (HTTP basic, or digest with --auth digest) or --token for the store")
        super().__init__(f"{what} refused by {url}: {reason}" + (f": {said}" if said else ""), hint=hint)


#: option -> (Oxigraph URL, Virtuoso URL), the examples an error about a bad URL gives
_URL_EXAMPLES = {"--store": ("http://127.0.0.1:7878/store", "http://127.0.0.1:8890/sparql-graph-crud-auth"),
                 "--endpoint": ("http://127.0.0.1:7878/query", "http://127.0.0.1:8890/sparql"),
                 "--update-endpoint": ("http://127.0.0.1:7878/update", "http://127.0.0.1:8890/sparql-auth")}


def check_url(url: str, option: str) -> str:
    """``url`` if it is an http(s) URL, else a one-line error naming ``option`` with an example of each store."""
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        ox_url, virtuoso_url = _URL_EXAMPLES.get(option, _URL_EXAMPLES["--store"])
        raise InputError(f"{option} {url!r} is not an http(s) URL",
                         hint=f"give the store's URL, e.g. {ox_url} (Oxigraph) or {virtuoso_url} (Virtuoso)")
    return url


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
    triples: list


def city_graphs(files, *, what: str = "all", as_of: dt.date | None = None, input_format: str | None = None,
                default_graph: str | None = None) -> list[GraphUpload]:
    """The graphs ``sscrdf push`` writes for ``files``: per city its data, inferred and derived graphs (as far as
    ``what`` asks: asserted | inferred | all), and the ontology graph once (unless ``what`` is asserted).

    Each file is loaded on its own; its named graphs are cities as they are; its default graph is one city,
    written to the graph named by that city's IRI (or to ``default_graph``)."""
    from ..analysis.pipeline import load_checked
    from ..reasoning.store import ONTOLOGY_GRAPH, derived_graph, inferred_graph, split_by_graph
    from ..shacl.validate import city_iris

    uploads: list[GraphUpload] = []
    seen: dict[str, str] = {}
    for path in files:
        loaded = load_checked([path], fmt=input_format)
        for graph, triples in split_by_graph(loaded.store):
            if graph is None:
                graph = default_graph or _city_graph_name(triples, path, city_iris)
            if graph in seen:
                raise InputError(f"the graph <{graph}> is also written by {seen[graph]}", path=path,
                                 hint="push each city once (one file per city, or one named graph per city)")
            seen[graph] = str(path)
            uploads.append(GraphUpload(graph, "data", graph, triples))
            if what == "asserted":
                continue
            derived, inferred = _reason_city(graph, triples, as_of, rules=(what == "all"))
            uploads.append(GraphUpload(inferred_graph(graph).value, "inferred", graph, inferred))
            if what == "all":
                uploads.append(GraphUpload(derived_graph(graph).value, "derived", graph, derived))
    if what != "asserted" and uploads:
        from ..reasoning.closure import ontology_closure

        uploads.insert(0, GraphUpload(ONTOLOGY_GRAPH.value, "ontology", None, list(ontology_closure())))
    return uploads


def _city_graph_name(triples, path, city_iris) -> str:
    cities = city_iris(triples)
    if len(cities) == 1:
        return cities[0]
    found = "no ssc:City" if not cities else f"{len(cities)} ssc:City nodes ({', '.join(cities[:3])})"
    raise InputError(f"the default graph holds {found}, so it has no city graph to go to", path=path,
                     hint="give --default-graph IRI, or put each city in a named graph of its own (TriG)")


def _reason_city(graph: str, triples: list, as_of: dt.date | None, *, rules: bool) -> tuple[list, list]:
    """(derived triples, inferred triples) of one city: its OWL 2 RL entailments and, with ``rules``, what the
    rules derive from it (the analysis date included), computed on a store of its own."""
    from ..reasoning.store import inferred_graph, knowledge_store
    from ..rules.engine import DERIVED_GRAPH, run_rules

    data = ox.Store()
    gn = ox.NamedNode(graph)
    data.extend(ox.Quad(t.subject, t.predicate, t.object, gn) for t in triples)
    ks = knowledge_store(data)
    inferred = [q.triple for q in ks.quads_for_pattern(None, None, None, inferred_graph(graph))]
    if not rules:
        return [], inferred
    work = run_rules(ks, as_of=as_of).store
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
        return (f"{_n(len(self.graphs), 'graph')}, {_n(self.triples, 'triple')} written to {self.store} "
                f"({'Graph Store Protocol' if self.protocol == 'gsp' else 'SPARQL 1.1 Update'}"
                f"{', replaced' if self.replaced else ''}; {_n(self.requests, 'request')})")

    def as_json(self) -> dict:
        return {"store": self.store, "protocol": self.protocol, "replaced": self.replaced,
                "graphCount": len(self.graphs), "tripleCount": self.triples, "requests": self.requests,
                "graphs": [{"graph": g, "role": r, "triples": n} for g, r, n in self.graphs]}


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def push(uploads: list[GraphUpload], store_url: str, *, replace: bool = False, protocol: str = "auto",
         connection: Connection | None = None, chunk_size: int = 2000) -> PushSummary:
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
    conn.request("PUT" if replace else "POST", target, data=body,
                 headers={"Content-Type": "application/n-triples"},
                 what=f"writing graph <{up.graph}> (Graph Store Protocol)")


def _update_write(conn: Connection, url: str, up: GraphUpload, replace: bool, chunk_size: int) -> None:
    g = f"<{up.graph}>"
    chunks = list(_chunks(up.triples, chunk_size))
    for i, chunk in enumerate(chunks or [[]]):
        parts = [f"DROP SILENT GRAPH {g}"] if replace and i == 0 else []
        if chunk:
            nt = ox.serialize(chunk, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
            if any(isinstance(x, ox.BlankNode) for t in chunk for x in (t.subject, t.object)):
                # INSERT DATA may hold blank nodes, but Virtuoso 7 refuses them there ("not allowed in a constant
                # clause"); a template with an empty WHERE inserts the same triples, with fresh blank nodes
                parts.append(f"INSERT {{ GRAPH {g} {{\n{nt}}} }} WHERE {{}}")
            else:
                parts.append(f"INSERT DATA {{ GRAPH {g} {{\n{nt}}} }}")
        if parts:
            update(conn, url, " ;\n".join(parts), what=f"writing graph {g} (SPARQL Update, part {i + 1} of "
                                                     f"{max(len(chunks), 1)})")


def update(conn: Connection, url: str, text: str, *, what: str, using: list[str] = ()):
    """Send one SPARQL 1.1 Update request (form-encoded ``update=``, which every store accepts); ``using``: the
    graphs its WHERE clause reads (``using-graph-uri``; stores refuse USING in the text when their default graph
    is the union of all graphs, as with ``oxigraph serve --union-default-graph``, but take the parameter)."""
    form = [("update", text)] + [("using-graph-uri", g) for g in using]
    return conn.request("POST", url, data=form, what=what,
                        headers={"Accept": "text/plain, application/sparql-results+json, */*;q=0.1"})


def _chunks(triples: list, size: int):
    """``triples`` in chunks of about ``size``, never splitting the triples that share a blank node (a blank node
    label means one node only within one INSERT DATA request)."""
    parent: dict = {}

    def find(b):
        while parent.setdefault(b, b) != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        return b

    groups: dict = {}
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
    chunk: list = []
    for group in [*plain, *groups.values()]:
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    if chunk:
        yield chunk


__all__ = ["Connection", "GraphUpload", "PushSummary", "StoreRefused", "city_graphs", "push", "update",
           "server_says", "check_url"]
