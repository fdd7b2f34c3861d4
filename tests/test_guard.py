"""The query guard: SERVICE, LOAD and updates are refused from the parsed query wherever a SPARQL text comes
from outside (served queries, user .rq files, rule files, SHACL-SPARQL in --shapes); harmless queries that
merely contain the words run. A local canary server proves that no request ever leaves."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from sscrdf.query.guard import QueryRefused, check_query
from sscrdf.query.sparql import bundled_queries
from sscrdf.rules.engine import bundled_rules

from .conftest import EXAMPLES

SSC = "https://w3id.org/sscrdf/ontology#"
P = f"PREFIX ssc: <{SSC}>\n"

#: (name, query with {url} for the canary); every one of them would make an unguarded engine send a request
HOSTILE = [
    ("plain", "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }"),
    ("lower-case", "select * where { service <{url}> { ?s ?p ?o } }"),
    ("silent", "SELECT * WHERE { SERVICE SILENT <{url}> { ?s ?p ?o } }"),
    ("hash-in-iri", "SELECT * WHERE { ?x a <https://w3id.org/sscrdf/ontology#City> . SERVICE <{url}> { ?x ?p ?o } }"),
    ("quote-literal", "SELECT * WHERE { ?x ?p '\"' . SERVICE <{url}> { ?x ?q ?o } }"),
    ("triple-quoted", 'SELECT * WHERE { BIND("""a " b""" AS ?z) SERVICE <{url}> { ?s ?p ?o } }'),
    ("comment-between", "SELECT * WHERE { SERVICE#comment\n<{url}> { ?s ?p ?o } }"),
    ("unicode-escape", "SELECT * WHERE { \\u0053ERVICE <{url}> { ?s ?p ?o } }"),
    ("escaped-iri", "SELECT * WHERE { SERVICE <\\u0068ttp://127.0.0.1:{port}/> { ?s ?p ?o } }"),
    ("double-escape", "SELECT * WHERE { \\u005Cu0053ERVICE <{url}> { ?s ?p ?o } }"),
    ("variable", "SELECT * WHERE { VALUES ?e { <{url}> } SERVICE ?e { ?s ?p ?o } }"),
    ("optional", "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <{url}> { ?s ?q ?v } } }"),
    ("union", "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <{url}> { ?s ?p ?o } } }"),
    ("minus", "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <{url}> { ?s ?p ?o } } }"),
    ("filter-exists", "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <{url}> { ?s ?p ?o } } }"),
    ("subquery", "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <{url}> { ?s ?p ?o } } } }"),
    ("graph", "SELECT * WHERE { GRAPH ?g { SERVICE <{url}> { ?s ?p ?o } } }"),
    ("ask", "ASK { SERVICE <{url}> { ?s ?p ?o } }"),
    ("construct", "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }"),
    ("describe", "DESCRIBE ?s WHERE { SERVICE <{url}> { ?s ?p ?o } }"),
    ("prefixed", "PREFIX e: <{url}>\nSELECT * WHERE { SERVICE e: { ?s ?p ?o } }"),
    ("load", "LOAD <{url}>"),
    ("load-silent-into", "LOAD SILENT <{url}> INTO GRAPH <urn:g>"),
    ("insert-data", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
    ("update-sequence", "CLEAR ALL ; LOAD <{url}>"),
    ("delete-where", "DELETE WHERE { ?s ?p ?o }"),
    ("drop", "DROP ALL"),
    ("not-sparql", "SELECT * WHERE { ?s ?p ?o "),
]

#: harmless queries that contain the words; each runs and returns its expected row count on Riverton
HARMLESS = [
    ("iri-add", "SELECT ?s WHERE { ?s ?p <http://example.org/add> }", 0),
    ("variable-service", P + "SELECT ?service WHERE { ?service a ssc:Municipality }", 1),
    ("literal-service", 'SELECT ?x WHERE { BIND("SERVICE <http://127.0.0.1:1/>" AS ?x) }', 1),
    ("comment-service", "# SERVICE <http://127.0.0.1:1/> LOAD\nSELECT ?x WHERE { BIND(1 AS ?x) }", 1),
    ("local-name-load", "PREFIX e: <http://example.org/>\nSELECT ?x WHERE { ?x e:load e:service }", 0),
    ("from-canary", "SELECT ?s FROM <{url}> WHERE { ?s ?p ?o } LIMIT 3", None),  # FROM is never fetched
]


def _q(template: str, url: str) -> str:
    port = url.rsplit(":", 1)[1].strip("/")
    return template.replace("{url}", url).replace("{port}", port)


@pytest.mark.parametrize("name,template", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_guard_refuses(name, template, canary):
    with pytest.raises(QueryRefused):
        check_query(_q(template, canary.url))
    assert canary.hits == []


@pytest.mark.parametrize("name,template,rows", HARMLESS, ids=[h[0] for h in HARMLESS])
def test_guard_accepts_harmless(name, template, rows, canary):
    assert check_query(_q(template, canary.url))


# rdflib's SPARQL grammar (pyparsing) takes about 7 CPU-s over the 69 files; the fast tier still parses each
# one with pyoxigraph (test_check.py) and runs every query and rule on its fixtures
@pytest.mark.slow
def test_guard_passes_every_bundled_query_and_rule():
    for f in bundled_queries() + bundled_rules():
        check_query(f.text, source=f.path)


@pytest.fixture(scope="module")
def endpoint():
    from sscrdf import KnowledgeBase
    from sscrdf.server.endpoint import serve_in_thread

    kb = KnowledgeBase()
    server, url = serve_in_thread(kb.prepare(kb.load(EXAMPLES / "riverton.ttl"), rules=False))
    yield url
    server.shutdown()
    server.server_close()


def _post(url: str, query: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, data=query.encode(), headers={"Content-Type": "application/sparql-query"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.parametrize("name,template", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_served_hostile_query_never_reaches_the_network(name, template, endpoint, canary):
    status, body = _post(endpoint, _q(template, canary.url))
    assert status == 400, body
    assert body.count(b"\n") == 1 and (
        b"SERVICE" in body or b"Update" in body or b"not a SPARQL" in body or b"escape" in body
    )
    get = endpoint + "?query=" + urllib.parse.quote(_q(template, canary.url))
    try:
        urllib.request.urlopen(get, timeout=30)
        raise AssertionError("GET was answered")
    except urllib.error.HTTPError as exc:
        assert exc.code == 400
    assert canary.hits == []


@pytest.mark.parametrize("name,template,rows", HARMLESS, ids=[h[0] for h in HARMLESS])
def test_served_harmless_query_runs(name, template, rows, endpoint, canary):
    status, body = _post(endpoint, _q(template, canary.url))
    assert status == 200, body
    if rows is not None:
        assert len(json.loads(body)["results"]["bindings"]) == rows
    assert canary.hits == []


@pytest.mark.parametrize("name,template", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_user_query_file_is_guarded(name, template, runner, cli, tmp_path, canary):
    rq = tmp_path / "mine.rq"
    rq.write_text(_q(template, canary.url), encoding="utf-8")
    res = runner.invoke(cli, ["query", str(rq), str(EXAMPLES / "riverton.ttl"), "--no-rules"])
    assert res.exit_code == 2, res.output
    assert res.output.count("\n") == 1 and res.output.startswith(f"error: {rq}: ")
    assert canary.hits == []


def test_user_query_file_harmless_runs(runner, cli, tmp_path, canary):
    rq = tmp_path / "mine.rq"
    rq.write_text(HARMLESS[1][1], encoding="utf-8")
    res = runner.invoke(cli, ["query", str(rq), str(EXAMPLES / "riverton.ttl"), "--no-rules", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0] == "service"


def test_extra_rule_file_is_guarded(tmp_path, canary):
    (tmp_path / "r.rq").write_text(
        "# id: remote\n# derives: ssc:x\n# clause: none\n# kind: fact\n"
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}\n",
        encoding="utf-8",
    )
    with pytest.raises(QueryRefused):
        bundled_rules(extra_dirs=(tmp_path,))
    assert canary.hits == []


_SHAPE = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ssc: <https://w3id.org/sscrdf/ontology#> .
<urn:shape> a sh:NodeShape ; sh:targetClass ssc:Stakeholder ;
  sh:sparql [ sh:select \"\"\"{select}\"\"\" ; sh:message "remote" ] .
"""


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
@pytest.mark.parametrize(
    "select",
    [
        "SELECT $this WHERE { SERVICE <{url}> { $this ?p ?o } }",
        "SELECT $this WHERE { $this ?p ?o . FILTER EXISTS { SERVICE <{url}> { ?a ?b ?c } } }",
        "SELECT $this WHERE { $this $PATH ?v . SERVICE <{url}> { ?v ?b ?c } }",
    ],
    ids=["service", "exists", "path"],
)
def test_shacl_sparql_in_shapes_is_guarded(select, engine, runner, cli, tmp_path, canary):
    shapes = tmp_path / "remote.ttl"
    shapes.write_text(_SHAPE.replace("{select}", _q(select, canary.url)), encoding="utf-8")
    res = runner.invoke(cli, ["validate", str(EXAMPLES / "riverton.ttl"), "--shapes", str(shapes), "--engine", engine])
    assert res.exit_code == 2, res.output
    assert res.output.count("\n") == 1 and "SERVICE" in res.output
    assert canary.hits == []


def test_shacl_sparql_harmless_runs(runner, cli, tmp_path):
    shapes = tmp_path / "ok.ttl"
    shapes.write_text(
        _SHAPE.replace("{select}", "SELECT $this ?service WHERE { $this a ?service FILTER(false) }"), encoding="utf-8"
    )
    res = runner.invoke(cli, ["validate", str(EXAMPLES / "riverton.ttl"), "--shapes", str(shapes)])
    assert res.exit_code in (0, 1), res.output
    assert "remote" not in res.output


def test_checked_text_is_the_text_that_runs():
    store = ox.Store()
    text = check_query('SELECT ?x WHERE { BIND("caf\\u00e9" AS ?x) }')
    assert [s["x"].value for s in store.query(text)] == ["café"]
