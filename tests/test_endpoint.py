"""`sscrdf serve` as a SPARQL 1.1 Protocol endpoint, checked with real clients on 127.0.0.1 (SPARQLWrapper,
rdflib's SPARQLStore, plain HTTP): content negotiation (every format parsed back and compared with the
embedded store), the service description, HEAD and OPTIONS, CORS only when configured, the bundled queries at
/queries, and the query page at /."""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import warnings

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.query import Result

from sscrdf.convert import to_rdflib_term
from sscrdf.errors import InputError
from sscrdf.query.sparql import bundled_queries
from sscrdf.server.endpoint import check_origins, parse_term, serve_in_thread
from sscrdf.server.formats import GRAPH_FORMATS, RESULT_FORMATS, negotiate

from .conftest import EXAMPLES

AS_OF = "2026-11-21"
LAKESIDE = "https://example.org/lakeside/city"
RIVERTON = "https://example.org/riverton/city"
PORTAL = "https://portal.example.org"
SELECTS = ["findings", "engagement-plan", "stakeholder-relations"]
XSD = "http://www.w3.org/2001/XMLSchema#"
#: literals of every shape a serializer must escape or type: tab, newline, quotes, comma, language tag,
#: non-ASCII, numbers, a date, an IRI, and an unbound cell
TRICKY = r"""SELECT ?x ?y WHERE {
  VALUES (?x ?y) { ("a\tb" 1) ("line\nbreak, with comma" UNDEF) ("say \"hi\""@en-GB 2.5)
                   ("Zürich" "2025-01-01"^^<http://www.w3.org/2001/XMLSchema#date>) (<http://example.org/x> true) }
}"""
TRICKY_ROWS = [
    (Literal("a\tb"), Literal("1", datatype=URIRef(XSD + "integer"))),
    (Literal("line\nbreak, with comma"), None),
    (Literal('say "hi"', lang="en-gb"), Literal("2.5", datatype=URIRef(XSD + "decimal"))),
    (Literal("Zürich"), Literal("2025-01-01", datatype=URIRef(XSD + "date"))),
    (URIRef("http://example.org/x"), Literal("true", datatype=URIRef(XSD + "boolean"))),
]
CONSTRUCTS = [
    'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "https://example.org/lakeside/")) }',
    f"DESCRIBE <{LAKESIDE}>",
]


@pytest.fixture(scope="module")
def store():
    import datetime as dt

    from sscrdf import KnowledgeBase

    kb = KnowledgeBase()
    city = kb.load(EXAMPLES / "riverton.ttl", EXAMPLES / "lakeside.ttl")
    return kb.prepare(city, as_of=dt.date.fromisoformat(AS_OF))


@pytest.fixture(scope="module")
def url(store):
    server, endpoint = serve_in_thread(store)
    yield endpoint
    server.shutdown()
    server.server_close()


@pytest.fixture
def cors_url(store):
    server, endpoint = serve_in_thread(store, cors=(PORTAL,))
    yield endpoint
    server.shutdown()
    server.server_close()


def _http(url, *, method="GET", accept=None, data=None, headers=None):
    """(status, headers with lower-case names, body) of one request (30 s at most)."""
    h = dict(headers or {})
    if accept:
        h["Accept"] = accept
    req = urllib.request.Request(url, data=data, headers=h, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read()


def _q(url, query, **params):
    return url + "?" + urllib.parse.urlencode({"query": query, **params})


def _rows(store, text):
    """The embedded store's rows for ``text``, as rdflib terms (None for unbound)."""
    res = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in res.variables]
    return names, [tuple(_rdflib(sol[n]) for n in names) for sol in res]


def _rdflib(term):
    """An embedded-store term as rdflib has it from a results format (an xsd:string literal is a plain one)."""
    if term is None:
        return None
    if isinstance(term, ox.Literal) and term.datatype.value == XSD + "string":
        return Literal(term.value)
    return to_rdflib_term(term)


def _graph(store, text) -> Graph:
    g = Graph()
    for t in store.query(text, use_default_graph_as_union=True):
        g.add((_rdflib(t.subject), _rdflib(t.predicate), _rdflib(t.object)))
    return g


def _parsed_rows(body: bytes, fmt: str, names: list[str]):
    result = Result.parse(io.BytesIO(body), format=fmt)
    assert [str(v) for v in result.vars] == names
    return [tuple(row) for row in result]


def _csv_cell(term) -> str:
    return "" if term is None else str(term)


# ------------------------------------------------------------------------------------------ negotiation


def test_negotiation_follows_q_values_and_defaults():
    fmt = lambda accept: negotiate(accept, RESULT_FORMATS).name  # noqa: E731
    assert fmt(None) == "json" and fmt("") == "json" and fmt("*/*") == "json"
    assert fmt("text/csv;q=0.5, application/sparql-results+xml;q=0.9") == "xml"
    assert fmt("text/*") == "csv"
    assert fmt("text/*, text/csv;q=0.1") == "tsv"  # the more specific range sets text/csv's quality
    assert fmt("application/sparql-results+json;q=0, */*;q=0.1") == "xml"
    assert fmt("application/json") == "json"
    assert fmt("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8") == "xml"  # a browser
    assert negotiate("image/png", RESULT_FORMATS) is None
    assert negotiate("text/csv;q=0", RESULT_FORMATS) is None
    assert negotiate("text/turtle", GRAPH_FORMATS).name == "turtle"
    assert negotiate("application/sparql-results+xml, application/rdf+xml", GRAPH_FORMATS).name == "rdfxml"
    assert negotiate("application/n-triples;q=0.9, application/ld+json", GRAPH_FORMATS).name == "jsonld"
    assert negotiate("*/*", GRAPH_FORMATS).name == "turtle"


def test_every_results_format_over_http(url, store):
    names, rows = _rows(store, TRICKY)
    assert rows == TRICKY_ROWS  # the embedded store itself
    for accept, ctype, fmt in [
        (None, "application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
        ("text/tab-separated-values", "text/tab-separated-values; charset=utf-8", "tsv"),
    ]:
        status, headers, body = _http(_q(url, TRICKY), accept=accept)
        assert (status, headers["content-type"], headers["vary"]) == (200, ctype, "Accept")
        assert _parsed_rows(body, fmt, names) == TRICKY_ROWS, fmt
    status, headers, body = _http(_q(url, TRICKY), accept="text/csv")
    assert headers["content-type"] == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(body.decode(), newline=""))) == [names] + [
        [_csv_cell(t) for t in row] for row in TRICKY_ROWS
    ]
    assert body.count(b"\r\n") == 1 + len(TRICKY_ROWS)  # CRLF line ends (the newline inside a cell stays LF)


def test_format_parameter_wins_over_accept(url):
    ask = "ASK { <http://example.org/no> ?p ?o }"
    status, headers, body = _http(_q(url, ask, format="tsv"), accept="application/sparql-results+json")
    assert (status, headers["content-type"], body) == (200, "text/tab-separated-values; charset=utf-8", b"false\n")
    status, headers, body = _http(_q(url, "ASK {}", format="application/sparql-results+xml"))
    assert status == 200 and body.endswith(b"<head/><boolean>true</boolean></sparql>\n")


def test_what_cannot_be_given_is_406_in_one_line(url):
    status, headers, body = _http(_q(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1"), accept="text/turtle")
    assert status == 406 and headers["content-type"] == "text/plain; charset=utf-8"
    assert body == (
        b"SELECT answers come as application/sparql-results+json, application/sparql-results+xml, "
        b"text/csv, text/tab-separated-values; Accept: text/turtle asks for none of them\n"
    )
    status, _, body = _http(_q(url, f"DESCRIBE <{LAKESIDE}>", format="csv"))
    assert status == 406 and body == (
        b"DESCRIBE answers come as text/turtle, application/n-triples, "
        b"application/ld+json, application/rdf+xml; format=csv asks for none of them\n"
    )


# ------------------------------------------------------------------------------------------ real clients


@pytest.mark.parametrize("query_id", SELECTS)
def test_sparqlwrapper_every_results_format(url, store, query_id):
    from SPARQLWrapper import CSV, JSON, POST, TSV, XML, SPARQLWrapper

    text = next(q.text for q in bundled_queries() if q.id == query_id)
    names, rows = _rows(store, text)
    assert rows
    for fmt, parser in [(JSON, "json"), (XML, "xml"), (TSV, "tsv"), (CSV, None)]:
        sw = SPARQLWrapper(url)
        sw.setQuery(text)
        sw.setMethod(POST)
        sw.setReturnFormat(fmt)
        sw.setTimeout(30)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # SPARQLWrapper warns when the content type is not the one asked for
            res = sw.query()
            converted = res.convert()
        if fmt == JSON:
            assert converted["head"]["vars"] == names
            body = json.dumps(converted).encode()
        elif fmt == XML:
            body = converted.toxml("utf-8")
        else:
            body = converted
        if parser:
            assert _parsed_rows(body, parser, names) == rows, fmt
        else:
            assert list(csv.reader(io.StringIO(body.decode(), newline=""))) == [names] + [
                [_csv_cell(t) for t in row] for row in rows
            ]


def test_sparqlwrapper_ask(url):
    from SPARQLWrapper import JSON, XML, SPARQLWrapper

    for fmt in (JSON, XML):
        for text, expected in (
            (f"ASK {{ <{LAKESIDE}> ?p ?o }}", True),
            ("ASK { <http://example.org/no> ?p ?o }", False),
        ):
            sw = SPARQLWrapper(url)
            sw.setQuery(text)
            sw.setReturnFormat(fmt)
            sw.setTimeout(30)
            converted = sw.queryAndConvert()
            if fmt == JSON:
                assert converted == {"head": {}, "boolean": expected}
            else:
                assert converted.getElementsByTagName("boolean")[0].firstChild.data == str(expected).lower()


@pytest.mark.parametrize("text", CONSTRUCTS)
def test_sparqlwrapper_every_graph_format(url, store, text):
    from SPARQLWrapper import JSONLD, N3, RDFXML, TURTLE, SPARQLWrapper

    expected = _graph(store, text)
    assert len(expected) > 10
    for fmt, ctype in [
        (TURTLE, "text/turtle"),
        (N3, "text/turtle"),
        (RDFXML, "application/rdf+xml"),
        (JSONLD, "application/ld+json"),
    ]:
        sw = SPARQLWrapper(url)
        sw.setQuery(text)
        sw.setReturnFormat(fmt)
        sw.setTimeout(30)
        res = sw.query()
        assert res.info()["content-type"].split(";")[0] == ctype
        converted = res.convert()
        graph = converted if isinstance(converted, Graph) else Graph().parse(data=converted, format="turtle")
        assert isomorphic(graph, expected), fmt
    status, headers, body = _http(_q(url, text), accept="application/n-triples")
    assert (status, headers["content-type"]) == (200, "application/n-triples")
    assert isomorphic(Graph().parse(data=body, format="nt"), expected)


@pytest.mark.parametrize("return_format", ["xml", "json", "csv", "tsv"])
def test_rdflib_sparqlstore(url, store, return_format):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    g = Graph(store=SPARQLStore(url, returnFormat=return_format, timeout=30))
    text = next(q.text for q in bundled_queries() if q.id == "engagement-plan")
    _, rows = _rows(store, text)
    got = [tuple(r) for r in g.query(text)]
    if return_format == "csv":  # CSV carries no datatypes: compare the plain values
        assert [tuple(None if t is None else str(t) for t in r) for r in got] == [
            tuple(None if t is None else str(t) for t in r) for r in rows
        ]
    else:
        assert got == rows
    if return_format == "xml":  # graphs through the same client (it asks for RDF/XML); with "json" it accepts
        # SPARQL JSON only, which carries no graph (406)
        city = URIRef(LAKESIDE)
        assert set(g.triples((city, None, None))) == set(
            _graph(store, f"CONSTRUCT WHERE {{ <{LAKESIDE}> ?p ?o }}").triples((city, None, None))
        )
        assert isomorphic(g.query(CONSTRUCTS[1]).graph, _graph(store, CONSTRUCTS[1]))


# ------------------------------------------------------------------------------------------ service description

SD = "http://www.w3.org/ns/sparql-service-description#"


def test_service_description(url, store):
    status, headers, body = _http(url)
    assert (status, headers["content-type"], headers["vary"]) == (200, "text/turtle; charset=utf-8", "Accept")
    g = Graph().parse(data=body, format="turtle")
    service = g.value(predicate=URIRef(SD + "endpoint"), object=URIRef(url))
    assert (
        service is not None
        and (service, URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(SD + "Service")) in g
    )
    assert set(g.objects(service, URIRef(SD + "supportedLanguage"))) == {URIRef(SD + "SPARQL11Query")}
    assert set(g.objects(service, URIRef(SD + "feature"))) == {URIRef(SD + "UnionDefaultGraph")}
    assert {str(o).rsplit("/", 1)[1] for o in g.objects(service, URIRef(SD + "resultFormat"))} == {
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    }
    dataset = g.value(service, URIRef(SD + "defaultDataset"))
    names = {str(g.value(n, URIRef(SD + "name"))) for n in g.objects(dataset, URIRef(SD + "namedGraph"))}
    assert (
        names
        == {g.value for g in store.named_graphs()}
        == {
            "https://w3id.org/sscrdf/graph/ontology",
            "https://w3id.org/sscrdf/graph/derived",
            "https://w3id.org/sscrdf/graph/inferred",
        }
    )
    for accept, fmt in [
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-triples", "nt"),
    ]:
        status, headers, other = _http(url, accept=accept)
        assert status == 200 and headers["content-type"] == accept
        assert isomorphic(Graph().parse(data=other, format=fmt), g), accept
    assert _http(url, accept="text/csv")[0] == 406


# ------------------------------------------------------------------------------------------ HEAD, OPTIONS, methods


def _raw(url, method, path, headers=None):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize(
    "path",
    ["/", "/queries", "/queries/findings", "/sparql", "/sparql?query=ASK%7B%7D", "/query?query=SELECT%20*%7B%7D"],
)
def test_head_is_get_without_the_body(url, path):
    g_status, g_headers, g_body = _raw(url, "GET", path)
    h_status, h_headers, h_body = _raw(url, "HEAD", path)
    assert g_status == h_status == 200 and h_body == b"" and g_body
    assert h_headers["content-length"] == g_headers["content-length"] == str(len(g_body))
    assert h_headers["content-type"] == g_headers["content-type"]


@pytest.mark.parametrize(
    "path, allow",
    [
        ("/sparql", "GET, HEAD, POST, OPTIONS"),
        ("/query", "GET, HEAD, POST, OPTIONS"),
        ("/", "GET, HEAD, OPTIONS"),
        ("/queries", "GET, HEAD, OPTIONS"),
        ("/queries/findings", "GET, HEAD, OPTIONS"),
    ],
)
def test_options_lists_the_allowed_methods(url, path, allow):
    status, headers, body = _raw(url, "OPTIONS", path, {"Origin": PORTAL, "Access-Control-Request-Method": "POST"})
    assert (status, headers["allow"], body) == (204, allow, b"")
    assert not any(k.startswith("access-control-") for k in headers)  # no --cors: no CORS headers


def test_other_methods_are_405_and_unknown_paths_404(url):
    status, headers, body = _raw(url, "PUT", "/sparql")
    assert (status, headers["allow"], body) == (
        405,
        "GET, HEAD, POST, OPTIONS",
        b"PUT is not allowed here; allowed: GET, HEAD, POST, OPTIONS\n",
    )
    assert _raw(url, "POST", "/queries")[0] == 405
    assert _raw(url, "GET", "/nothing")[0] == 404
    assert _raw(url, "OPTIONS", "/nothing")[0] == 404


# ------------------------------------------------------------------------------------------ CORS


def test_no_cors_header_without_cors(url):
    status, headers, _ = _http(_q(url, "ASK {}"), headers={"Origin": PORTAL})
    assert status == 200 and not any(k.startswith("access-control-") for k in headers)


def test_cors_only_for_the_configured_origin(cors_url):
    status, headers, _ = _http(_q(cors_url, "ASK {}"), headers={"Origin": PORTAL})
    assert status == 200 and headers["access-control-allow-origin"] == PORTAL
    assert headers["vary"] == "Accept, Origin"
    status, headers, _ = _http(_q(cors_url, "ASK {}"), headers={"Origin": "https://elsewhere.example.org"})
    assert status == 200 and not any(k.startswith("access-control-") for k in headers)
    status, headers, _ = _raw(
        cors_url,
        "OPTIONS",
        "/sparql",
        {"Origin": PORTAL, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"},
    )
    assert status == 204
    assert {k: v for k, v in headers.items() if k.startswith("access-control-")} == {
        "access-control-allow-origin": PORTAL,
        "access-control-allow-methods": "GET, HEAD, POST, OPTIONS",
        "access-control-allow-headers": "Accept, Content-Type",
        "access-control-max-age": "600",
    }
    status, headers, _ = _raw(
        cors_url,
        "OPTIONS",
        "/sparql",
        {"Origin": "https://elsewhere.example.org", "Access-Control-Request-Method": "POST"},
    )
    assert status == 204 and not any(k.startswith("access-control-") for k in headers)


def test_cors_origins_are_checked():
    assert check_origins(["https://Portal.example.org", "http://127.0.0.1:8080", "*"]) == (
        "https://portal.example.org",
        "http://127.0.0.1:8080",
        "*",
    )
    for bad in ("portal.example.org", "https://portal.example.org/", "ftp://x.org", "https://u@x.org"):
        with pytest.raises(InputError, match="is not an origin"):
            check_origins([bad])


def test_cli_refuses_a_bad_cors_origin(runner, cli):
    res = runner.invoke(cli, ["serve", str(EXAMPLES / "lakeside.ttl"), "--port", "0", "--cors", "https://x.org/app"])
    assert res.exit_code == 2
    assert res.output == (
        "error: --cors 'https://x.org/app' is not an origin — give scheme://host[:port], e.g. "
        "https://portal.example.org, or * for any origin\n"
    )


# ------------------------------------------------------------------------------------------ /queries


def test_queries_are_listed(url):
    status, headers, body = _http(url.replace("/sparql", "/queries"))
    assert (status, headers["content-type"]) == (200, "application/json")
    listed = json.loads(body)
    assert [(q["id"], q["question"], q["clause"], q["columns"], q["url"]) for q in listed] == [
        (q.id, q.header["question"], q.header["clause"], q.columns, f"/queries/{q.id}") for q in bundled_queries()
    ]
    status, headers, body = _http(
        url.replace("/sparql", "/queries"), accept="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    )
    assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert re.findall(rb'<a href="/queries/([^"]+)">', body) == [q.id.encode() for q in bundled_queries()]


def test_a_query_by_name_with_parameters(url, store):
    base = url.replace("/sparql", "/queries/")
    text = next(q.text for q in bundled_queries() if q.id == "findings")
    names, rows = _rows(store, text)
    status, headers, body = _http(base + "findings", accept="application/sparql-results+xml")
    assert (status, headers["content-type"]) == (200, "application/sparql-results+xml")
    assert _parsed_rows(body, "xml", names) == rows
    for city in (LAKESIDE, RIVERTON):
        for written in (f"<{city}>", city):
            status, _, body = _http(base + "findings?" + urllib.parse.urlencode({"city": written}))
            assert status == 200
            got = _parsed_rows(body, "json", names)
            assert got == [r for r in rows if r[0] == URIRef(city)] and got
    status, headers, body = _http(base + "cities-without-cert?city=%3Chttps://example.org/riverton/city%3E&format=csv")
    assert (status, body) == (200, b"city,cityLabel\r\n")
    status, _, body = _http(base + "stakeholders-by-category?category=ssc:Municipality&format=csv")
    assert status == 200 and body.decode().splitlines()[1:] == [
        "https://example.org/lakeside/city,https://w3id.org/sscrdf/ontology#Municipality,municipality,1",
        "https://example.org/riverton/city,https://w3id.org/sscrdf/ontology#Municipality,municipality,1",
    ]


def test_every_bundled_query_with_a_city_parameter_gives_that_citys_rows(url, store):
    """A parameter binds the column before the query runs; for the city column that is the same as keeping the
    rows of that city (checked for every bundled query that has one)."""
    base = url.replace("/sparql", "/queries/")
    checked = 0
    for q in bundled_queries():
        if "city" not in q.columns:
            continue
        names, rows = _rows(store, q.text)
        for city in (LAKESIDE, RIVERTON):
            status, _, body = _http(base + q.id + "?city=" + urllib.parse.quote(f"<{city}>"))
            assert status == 200, body
            assert _parsed_rows(body, "json", names) == [r for r in rows if r[names.index("city")] == URIRef(city)], (
                q.id
            )
        checked += 1
    assert checked == 23


def test_a_parameter_keeps_rows_also_for_optional_and_aggregate_columns(url, store):
    """severity is filled by an OPTIONAL in the findings query: only the rows holding the term come back (a value
    bound before evaluation would show up in every row); stakeholders is a COUNT."""
    base = url.replace("/sparql", "/queries/")
    text = next(q.text for q in bundled_queries() if q.id == "findings")
    names, rows = _rows(store, text)
    sh = "http://www.w3.org/ns/shacl#"
    counts = {}
    for severity in ("Info", "Warning", "Violation"):
        status, _, body = _http(base + "findings?severity=sh:" + severity)
        assert status == 200
        got = _parsed_rows(body, "json", names)
        assert got == [r for r in rows if r[names.index("severity")] == URIRef(sh + severity)]
        counts[severity] = len(got)
    assert sum(counts.values()) == len(rows) and counts["Info"] > 0 and counts["Warning"] > 0
    status, _, body = _http(base + "stakeholder-count?stakeholders=12&format=csv")
    assert (status, body) == (200, b"city,cityLabel,stakeholders\r\nhttps://example.org/lakeside/city,Lakeside,12\r\n")
    status, _, body = _http(base + "stakeholder-count?stakeholders=%22012%22%5E%5Exsd:integer&format=csv")
    assert (status, body) == (200, b"city,cityLabel,stakeholders\r\n")  # term equality, not value equality


@pytest.mark.parametrize(
    "query, message",
    [
        (
            "?town=<https://example.org/lakeside/city>",
            b"findings has no parameter 'town'; its parameters are its columns: city, finding, kind, severity, about, "
            b"concerns, message, source, rule\n",
        ),
        (
            "?city=lakeside",
            b"the parameter city='lakeside' is not an RDF term; expected <IRI>, http://..., a prefixed "
            b'name such as ssc:City, or a literal such as "Riverton"\n',
        ),
        (
            "?city=" + urllib.parse.quote("<x> } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o"),
            b"the parameter city='<x> } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o' is not an RDF term; expected <IRI>, "
            b'http://..., a prefixed name such as ssc:City, or a literal such as "Riverton"\n',
        ),
        ("?city=%3Chttps://a%3E&city=%3Chttps://b%3E", b"the parameter 'city' is given 2 times; give it once\n"),
    ],
)
def test_bad_parameters_are_400_in_one_line(url, query, message):
    status, headers, body = _http(url.replace("/sparql", "/queries/findings") + query)
    assert (status, headers["content-type"], body) == (400, "text/plain; charset=utf-8", message)


def test_unknown_query_name_is_404(url):
    status, _, body = _http(url.replace("/sparql", "/queries/finding"))
    assert (status, body) == (404, b"no query named 'finding'; did you mean 'findings'? (/queries lists them)\n")


def test_parse_term():
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert parse_term("<https://e.org/a>") == ox.NamedNode("https://e.org/a")
    assert parse_term("https://e.org/a") == ox.NamedNode("https://e.org/a")
    assert parse_term("ssc:City") == ox.NamedNode("https://w3id.org/sscrdf/ontology#City")
    assert parse_term('"Riverton"') == ox.Literal("Riverton")
    assert parse_term('"x"@en') == ox.Literal("x", language="en")
    assert parse_term('"2025-01-01"^^xsd:date') == ox.Literal("2025-01-01", datatype=ox.NamedNode(xsd + "date"))
    assert parse_term("12") == ox.Literal("12", datatype=ox.NamedNode(xsd + "integer"))
    assert parse_term("true") == ox.Literal("true", datatype=ox.NamedNode(xsd + "boolean"))
    for bad in (
        "",
        "lakeside",
        "[]",
        "_:b",
        "<rel>",
        "ex:a",
        "( 1 2 )",
        '"a", "b"',
        '"a" # c',
        "<a> . <b> <c> <d>",
        '"""x"""',
        "<x> } SERVICE <http://a> {",
    ):
        with pytest.raises(ValueError):
            parse_term(bad)


# ------------------------------------------------------------------------------------------ the guard, every route


def test_the_guard_holds_on_every_route(url, canary):
    service = f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"
    update = f"LOAD <{canary.url}>"
    form = "application/x-www-form-urlencoded"
    cases = [
        _http(_q(url, service)),
        _http(
            url, method="POST", data=urllib.parse.urlencode({"query": service}).encode(), headers={"Content-Type": form}
        ),
        _http(url, method="POST", data=service.encode(), headers={"Content-Type": "application/sparql-query"}),
        _http(_q(url, update)),
        _http(
            url, method="POST", data=urllib.parse.urlencode({"update": update}).encode(), headers={"Content-Type": form}
        ),
        _http(url, method="POST", data=update.encode(), headers={"Content-Type": "application/sparql-update"}),
        _http(
            url.replace("/sparql", "/queries/findings?city=") + urllib.parse.quote(f"<x> }} SERVICE <{canary.url}> {{")
        ),
    ]
    for status, _, body in cases:
        assert status == 400 and body.count(b"\n") == 1, body
    assert [c[2] for c in cases[:3]] == [
        b"the query uses SERVICE; sscrdf never sends requests to other endpoints "
        b"\xe2\x80\x94 query the data locally, without SERVICE\n"
    ] * 3
    assert cases[4][2] == cases[5][2] == b"this endpoint is read-only; SPARQL Update is refused\n"
    assert canary.hits == []


# ------------------------------------------------------------------------------------------ the page


def test_the_page_needs_nothing_from_elsewhere(url):
    status, headers, body = _http(url.replace("/sparql", "/"))
    assert (status, headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert headers["content-security-policy"].startswith("default-src 'none';")
    page = body.decode()
    assert re.findall(r'\b(?:src|href|action)="(?!/)[^"]*"', page) == []  # every link and asset is on this server
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert 'fetch("/sparql"' in page and 'fetch("/queries"' in page


@pytest.mark.browser
def test_the_page_runs_a_query_in_chromium(url, store, tmp_path):
    """Headless Chromium loads /, lists the bundled queries, runs the query typed in the box and shows its rows;
    no console error, and every request goes to the endpoint itself."""
    from .test_html_report import CHROMIUM, _Browser

    if CHROMIUM is None:
        pytest.skip("chromium is not installed (.ci/run installs it)")
    origin = url.removesuffix("/sparql")
    query = next(q.text for q in bundled_queries() if q.id == "stakeholder-count")
    names, rows = _rows(store, query)
    b = _Browser(tmp_path)
    try:
        for domain in ("Page", "Runtime", "Log", "Network"):
            b.call(f"{domain}.enable")
        b.call("Page.navigate", url=origin + "/")
        b.wait_for("Page.loadEventFired")

        def value(expression, until, within=20.0):
            import time

            deadline = time.monotonic() + within
            while True:
                got = b.call("Runtime.evaluate", expression=expression, returnByValue=True)["result"].get("value")
                if until(got) or time.monotonic() > deadline:
                    return got
                time.sleep(0.1)

        listed = value("Array.from(document.querySelectorAll('#queries a')).map(a => a.textContent)", bool)
        assert listed == [q.id for q in bundled_queries()]
        b.call(
            "Runtime.evaluate",
            expression=f"document.getElementById('query').value = {json.dumps(query)};"
            "document.getElementById('run').click()",
        )
        table = value(
            "document.getElementById('table') && Array.from(document.querySelectorAll('#table tr'))"
            ".map(r => Array.from(r.cells).map(c => c.textContent))",
            bool,
        )
        assert table == [names] + [[str(t) for t in row] for row in rows]
        assert value("document.getElementById('status').textContent", bool).startswith(f"{len(rows)} rows in ")
    finally:
        b.close()
    errors = [
        e
        for e in b.events
        if e.get("method") == "Runtime.exceptionThrown"
        or (e.get("method") == "Runtime.consoleAPICalled" and e["params"]["type"] in ("error", "warning"))
        or (e.get("method") == "Log.entryAdded" and e["params"]["entry"]["level"] == "error")
    ]
    assert errors == []
    requests = [e["params"]["request"]["url"] for e in b.events if e.get("method") == "Network.requestWillBeSent"]
    assert all(u.startswith(origin + "/") for u in requests), requests  # nothing from elsewhere
    assert {origin + "/", origin + "/queries", origin + "/sparql"} <= set(requests)
