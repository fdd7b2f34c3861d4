"""Writes the bad-input corpus (tests/corpus/files/* and tests/corpus/cases.json). Run once after editing;
the files and the table are committed, the test (tests/test_corpus.py) reads only them."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
P = (
    "@prefix ssc: <https://w3id.org/sscrdf/ontology#> .\n@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix dcterms: <http://purl.org/dc/terms/> .\n"
    "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix ex: <https://example.org/c/> .\n"
)
CITY = 'ex:city a ssc:City ; rdfs:label "Corpus City" ; ssc:hasStakeholder ex:m .\nex:m a ssc:Municipality ; rdfs:label "Corpus Council" .\n'
GOOD = P + CITY
CANARY = "http://127.0.0.1:{port}/"
cases: list[dict] = []
files: dict[str, bytes] = {}


def f(name: str, data: str | bytes) -> str:
    files[name] = data.encode("utf-8") if isinstance(data, str) else data
    return "{files}/" + name


def case(cid, args, exit, match, *, env=None, lines="one", special=None):
    cases.append(
        {"id": cid, "args": args, "exit": exit, "match": match, "env": env or {}, "lines": lines, "special": special}
    )


good = f("good.ttl", GOOD)
# ---- syntax
for cid, name, data, m in [
    ("ttl-missing-dot", "a.ttl", P + "ex:a a ssc:City", r"syntax error in Turtle"),
    ("ttl-bad-prefix", "b.ttl", "foo:a a foo:B .", r"syntax error in Turtle"),
    ("ttl-unclosed-string", "c.ttl", P + 'ex:a rdfs:label "x .\n', r"syntax error in Turtle"),
    ("ttl-bad-iri", "d.ttl", P + "<http://a b> a ssc:City .", r"syntax error in Turtle"),
    ("ttl-bad-escape", "e.ttl", P + 'ex:a rdfs:label "\\q" .', r"syntax error in Turtle"),
    ("trig-unclosed-graph", "f.trig", P + "ex:g { ex:a a ssc:City .", r"syntax error in TriG"),
    ("nq-too-many-terms", "g.nq", "<urn:a> <urn:b> <urn:c> <urn:d> <urn:e> .\n", r"syntax error in N-Quads"),
    ("nt-prefixed-name", "h.nt", P + "ex:a a ssc:City .\n", r"syntax error in N-Triples"),
    ("jsonld-bad-json", "i.jsonld", '{"@id": "urn:a", ', r"syntax error in JSON-LD"),
    ("jsonld-trailing-comma", "j.jsonld", '{"@id": "urn:a",}', r"syntax error in JSON-LD"),
    (
        "rdfxml-not-closed",
        "k.rdf",
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
        r"syntax error in RDF/XML|no triples",
    ),
    ("rdfxml-not-xml", "l.rdf", "hello", r"syntax error in RDF/XML"),
    ("ttl-literal-subject", "m.ttl", P + '"x" a ssc:City .', r"syntax error in Turtle"),
    (
        "jsonld-deep-nesting",
        "o.jsonld",
        "[" * 100000 + "]" * 100000,
        r"(nested too deeply|syntax error|cannot read|no triples)",
    ),
]:
    case(cid, ["validate", f(name, data)], 2, m)
# ---- encodings
for cid, name, data, m in [
    ("latin1-turtle", "p.ttl", (P + 'ex:a rdfs:label "Caf\xe9" .').encode("latin-1"), r"not valid UTF-8"),
    ("utf16-turtle", "q.ttl", (P + CITY).encode("utf-16"), r"not valid UTF-8"),
    ("nul-bytes", "r.ttl", P.encode() + b"\x00\x00\x00", r"syntax error in Turtle"),
    (
        "rdfxml-iso-8859",
        "s.rdf",
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        r"RDF/XML",
    ),
    (
        "rdfxml-latin1-bytes",
        "t.rdf",
        b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="urn:a"><rdf:value>caf\xe9</rdf:value></rdf:Description></rdf:RDF>',
        r"not valid UTF-8",
    ),
    ("csv-latin1", "u.csv", "id,label,category\nx,Caf\xe9,ssc:NGO\n".encode("latin-1"), r"UTF-8"),
    ("jsonld-latin1", "v.jsonld", '{"@id": "urn:a", "http://x/p": "caf\xe9"}'.encode("latin-1"), r"not valid UTF-8"),
    ("overlong-utf8", "w.ttl", P.encode() + b'ex:a rdfs:label "\xc0\xaf" .', r"not valid UTF-8"),
]:
    case(cid, ["validate", f(name, data)], 2, m)
# ---- special files and empties
case("fifo", ["validate", "{fifo}"], 2, r"named pipe \(FIFO\), not a regular file", special="fifo")
case("dev-zero", ["validate", "/dev/zero", "--input-format", "turtle"], 2, r"is a device")
case("dev-null", ["validate", "/dev/null", "--input-format", "turtle"], 2, r"is a device|no triples|syntax error")
case("dev-urandom", ["validate", "/dev/urandom", "--input-format", "turtle"], 2, r"is a device")
case("directory", ["validate", "{files}"], 2, r"is a directory")
case("missing", ["validate", "{files}/nope.ttl"], 2, r"no such file")
case("unknown-extension", ["validate", f("x.docx", "hello")], 2, r"unsupported file type")
case("no-extension", ["validate", f("noext", GOOD)], 2, r"unsupported file type")
case("empty", ["validate", f("empty.ttl", "")], 2, r"no triples")
case("whitespace", ["validate", f("ws.ttl", "  \n\n\t")], 2, r"no triples")
case("only-prefixes", ["validate", f("pfx.ttl", P)], 2, r"no triples")
case("only-comments", ["validate", f("cmt.nt", "# nothing\n")], 2, r"no triples")
case("socket", ["validate", "{socket}"], 2, r"socket", special="socket")
case("too-large", ["validate", good], 2, r"more than the 0.0 MiB", env={"SSCRDF_MAX_INPUT_BYTES": "10"})
# ---- entities
LOL = (
    '<?xml version="1.0"?>\n<!DOCTYPE r [\n'
    + "".join(f' <!ENTITY l{i} "{f"&l{i - 1};" * 10 if i else "lol"}">\n' for i in range(10))
    + ']>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="urn:a"><rdf:value>&l9;</rdf:value></rdf:Description></rdf:RDF>\n'
)
case("billion-laughs", ["validate", f("lol.rdf", LOL)], 2, r"declares a DTD")
case(
    "external-entity-file",
    [
        "validate",
        f(
            "xxe.rdf",
            '<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY x SYSTEM "file:///etc/passwd"> ]>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="urn:a"><rdf:value>&x;</rdf:value></rdf:Description></rdf:RDF>',
        ),
    ],
    2,
    r"declares a DTD",
)
case(
    "external-dtd-http",
    [
        "validate",
        f(
            "xdtd.rdf",
            '<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "'
            + CANARY
            + 'x.dtd">\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        ),
    ],
    2,
    r"declares a DTD",
)
case(
    "parameter-entity",
    [
        "validate",
        f(
            "pe.rdf",
            '<?xml version="1.0"?>\n<!DOCTYPE r [ <!ENTITY % p SYSTEM "'
            + CANARY
            + 'p"> %p; ]>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
        ),
    ],
    2,
    r"declares a DTD",
)
case(
    "entity-in-owl",
    [
        "validate",
        f(
            "ent.owl",
            '<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY ssc "https://w3id.org/sscrdf/ontology#"> ]>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="urn:a"><rdf:type rdf:resource="&ssc;City"/></rdf:Description></rdf:RDF>',
        ),
    ],
    2,
    r"declares a DTD",
)
# ---- remote contexts and imports
for cid, doc in [
    ("jsonld-remote-context", {"@context": CANARY + "ctx.jsonld", "@id": "urn:a"}),
    ("jsonld-context-array", {"@context": [{"x": "urn:x"}, CANARY + "ctx"], "@id": "urn:a"}),
    ("jsonld-import", {"@context": {"@import": CANARY + "ctx", "@version": 1.1}, "@id": "urn:a"}),
    ("jsonld-nested-context", {"@id": "urn:a", "urn:p": {"@context": CANARY + "n", "@id": "urn:b"}}),
    ("jsonld-local-context-file", {"@context": "ctx.jsonld", "@id": "urn:a"}),
    ("jsonld-scoped-context", {"@context": {"p": {"@id": "urn:p", "@context": CANARY + "s"}}, "p": {"@id": "urn:b"}}),
]:
    case(cid, ["validate", f(cid + ".jsonld", json.dumps(doc))], 2, r"JSON-LD context")
case(
    "ttl-deep-nesting",
    ["validate", f("n.ttl", P + "ex:a ex:p " + "[ ex:p " * 3000 + "1" + " ]" * 3000 + " ."), "--fail-on", "info"],
    0,
    r"graph\(s\) validated",
    lines="any",
)
case(
    "jsonld-huge-integer",
    ["validate", f("huge-int.jsonld", '{"@id": "urn:a", "urn:p": 1' + "0" * 5000 + "}"), "--fail-on", "info"],
    0,
    r"graph\(s\) validated",
    lines="any",
)
case(
    "skos-broader-chain",
    [
        "analyze",
        f(
            "broader-chain.ttl",
            GOOD
            + "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
            + "".join(f"ex:n{i} skos:broader ex:n{i + 1} .\n" for i in range(1500)),
        ),
    ],
    2,
    r"reasoning over the data would infer more than 175,\d{3} triples .*skos:\w+Transitive",
)
ASSESS = (
    "ex:a1 a ssc:EngagementAssessment ; ssc:assessedStakeholder ex:m ; ssc:powerLevel ssc:High ; "
    "ssc:interestLevel ssc:Low ; ssc:currentLevel ssc:Neutral ; ssc:desiredLevel ssc:Leading ; dcterms:date "
)
case(
    "html-assessment-year-minus-44",
    ["analyze", f("year-44.ttl", GOOD + ASSESS + '"-0044-03-15"^^xsd:date .\n'), "--format", "html"],
    0,
    r"<html",
    lines="any",
)
case(
    "html-priority-5000-digits",
    [
        "analyze",
        f(
            "priority-digits.ttl",
            GOOD + 'ex:pa a ssc:PlannedAction ; ssc:about ex:m ; ssc:priority "1' + "0" * 5000 + '"^^xsd:integer .\n',
        ),
        "--format",
        "html",
    ],
    0,
    r"<html",
    lines="any",
)
case(
    "export-xlsx-control-character",
    ["export", f("bell.ttl", GOOD + 'ex:m rdfs:label "a\\u0007b" .\n'), "-o", "{tmp}/out.xlsx"],
    2,
    r"column 'name': .* holds the control character U\+0007, which an XLSX cell cannot hold",
)
case(
    "md-label-html-and-newline",
    [
        "analyze",
        f(
            "html-label.ttl",
            P
            + 'ex:city a ssc:City ; rdfs:label "<script>alert(1)</script>\\n# Pwned" ; ssc:hasStakeholder ex:m .\n'
            + 'ex:m a ssc:Municipality ; rdfs:label "<img src=x onerror=alert(2)>" .\n',
        ),
        "--format",
        "md",
    ],
    0,
    r"^(?![\s\S]*<(script|img))(?![\s\S]*\n# Pwned)# Stakeholder analysis: &lt;script&gt;alert\(1\)&lt;/script&gt; # Pwned\n",
    lines="any",
)
case(
    "owl-imports",
    ["validate", f("imports.ttl", GOOD + f"<urn:o> a owl:Ontology ; owl:imports <{CANARY}onto.ttl> .\n")],
    0,
    r"does not conform|conforms",
    lines="any",
)
case(
    "owl-imports-ok-exit",
    [
        "infer",
        f("imports2.ttl", GOOD + f"<urn:o> owl:imports <{CANARY}o2.ttl> .\n"),
        "--only-inferred",
        "--format",
        "nt",
    ],
    0,
    r".",
    lines="any",
)
case(
    "see-also-remote",
    ["validate", f("seealso.ttl", GOOD + f"ex:m rdfs:seeAlso <{CANARY}more.ttl> .\n")],
    0,
    r"conform",
    lines="any",
)
# ---- vocabulary typos
for cid, body, m in [
    (
        "typo-class",
        'ex:m2 a ssc:Municipalty ; rdfs:label "M2" .',
        r"unknown term ssc:Municipalty.*did you mean ssc:Municipality",
    ),
    (
        "typo-property",
        "ex:city ssc:hasStakholder ex:m .",
        r"unknown term ssc:hasStakholder.*did you mean ssc:hasStakeholder",
    ),
    ("typo-individual", "ex:m ssc:sector ssc:PublicSectr .", r"unknown term ssc:PublicSectr"),
    ("typo-case", "ex:m2 a ssc:municipality .", r"unknown term ssc:municipality"),
    (
        "typo-old-term",
        "ex:u ssc:hasResponsibility ssc:DevelopKPIBasedPartnerships .",
        r"unknown term ssc:DevelopKPIBasedPartnerships",
    ),
    ("typo-in-trig", None, r"unknown term ssc:Cty"),
]:
    name = cid + (".trig" if body is None else ".ttl")
    data = P + ("ex:g { ex:c a ssc:Cty . }" if body is None else CITY + body + "\n")
    case(cid, ["validate", f(name, data)], 2, m)
# ---- bad data that must be a Violation (exit 1), never a traceback
for cid, body, m in [
    ("literal-stakeholder", 'ex:city ssc:hasStakeholder "Acme" .', r"identified by an IRI, not by a text value"),
    ("blank-stakeholder", "ex:city ssc:hasStakeholder [ a ssc:NGO ] .", r"identified by an IRI, not by a blank node"),
    ("redefine-subclass", "ssc:Stakeholder rdfs:subClassOf ssc:Municipality .", r"must not redefine the ontology term"),
    ("redefine-domain", "ssc:hasStakeholder rdfs:domain ssc:NGO .", r"must not redefine the ontology term"),
    ("redefine-equivalent", "ssc:NGO owl:equivalentClass ssc:Municipality .", r"must not redefine the ontology term"),
    ("redefine-type", "ssc:hasStakeholder a owl:TransitiveProperty .", r"must not redefine the ontology term"),
    ("disjoint-types", "ex:m a ssc:EngagementAssessment .", r"declares disjoint"),
    (
        "bad-date",
        'ex:a a ssc:EngagementAssessment ; ssc:assessedStakeholder ex:m ; dcterms:date "2026-13-45"^^xsd:date .',
        r"calendar date",
    ),
    (
        "date-as-string",
        'ex:a a ssc:EngagementAssessment ; ssc:assessedStakeholder ex:m ; dcterms:date "2026-01-01" .',
        r"calendar date",
    ),
    (
        "date-wrong-type",
        'ex:a a ssc:EngagementAssessment ; ssc:assessedStakeholder ex:m ; dcterms:date "yesterday"^^xsd:date .',
        r"calendar date",
    ),
]:
    case(cid, ["validate", f(cid + ".ttl", GOOD + body + "\n")], 1, m, lines="any")
case(
    "bad-date-not-future",
    [
        "validate",
        f(
            "bad-date2.ttl",
            GOOD
            + 'ex:a a ssc:EngagementAssessment ; ssc:assessedStakeholder ex:m ; dcterms:date "9999-99-99"^^xsd:date .\n',
        ),
    ],
    1,
    r"^(?![\s\S]*in the future)[\s\S]*calendar date",
    lines="any",
)
# ---- hostile CSV registers
for cid, data, m in [
    ("csv-empty", "", r"(no triples|empty|header)"),
    ("csv-header-only", "id,label,category\n", r"header lacks the required columns"),
    ("csv-no-id-column", "label,category\nAcme,ngo\n", r"."),
    ("csv-unknown-category", "id,label,category\nacme,Acme,Pirates\n", r"."),
    ("csv-semicolon", "id;label;category\nacme;Acme;NGO\n", r"."),
    ("csv-nul", "id,label,category\nacme,Ac\x00me,NGO\n", r"."),
    ("csv-unbalanced-quote", 'id,label,category\nacme,"Acme,NGO\n', r"."),
    ("csv-huge-field", "id,label,category\nacme," + "A" * 200000 + ",NGO\n", r"."),
]:
    case(cid, ["validate", f(cid + ".csv", data)], 2, m)
# ---- hostile XLSX registers


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():  # fixed dates: running this script again gives the same bytes
            z.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def _saved(wb) -> dict[str, bytes]:
    """The parts of openpyxl workbook ``wb`` as saved, with fixed creation and modification dates."""
    import datetime as dt

    wb.properties.created = wb.properties.modified = dt.datetime(2026, 1, 1)
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(buf)
    parts = {n: src.read(n) for n in src.namelist()}
    # openpyxl stamps the time of saving whatever the properties say
    parts["docProps/core.xml"] = re.sub(
        rb"\d{4}-\d\d-\d\dT[\d:]+Z", b"2026-01-01T00:00:00Z", parts["docProps/core.xml"]
    )
    return parts


def _workbook_with_entity() -> bytes:
    """A one-sheet workbook whose sheet XML uses an entity it does not declare (openpyxl fails in the middle of
    reading the sheet, not when opening the workbook)."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "stakeholders"
    wb.active.append(["id", "name"])
    parts = _saved(wb)
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"<sheetData>", b"<sheetData>&nope;", 1)
    return _zip(parts)


case(
    "xlsx-zip-bomb",
    ["import", f("bomb.xlsx", _zip({"xl/worksheets/sheet1.xml": b" " * (20 << 20)})), "-o", "{tmp}/out.ttl"],
    2,
    r"the workbook unpacks to 20.0 MiB, \d+ times its size .*zip bomb",
)
case(
    "xlsx-entity",
    ["validate", f("entity.xlsx", _workbook_with_entity())],
    2,
    r"not a readable XLSX workbook \(ParseError",
)


def _city_workbook() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "city"
    wb.active.append(["id", "name"])
    wb.active.append(["corpus", "Corpus City"])
    return _zip(_saved(wb))


city_xlsx = f("city.xlsx", _city_workbook())
case(
    "import-city-not-an-iri",
    ["import", city_xlsx, "-o", "{tmp}/out.ttl", "--city", "not an iri"],
    2,
    r"--city 'not an iri' is neither a local name .* nor a full IRI",
)
case(
    "import-city-control-character",
    ["import", city_xlsx, "-o", "{tmp}/out.ttl", "--city", "urn:a\x01b"],
    2,
    r"--city 'urn:a\\x01b' is neither a local name",
)
case("import-base-not-an-iri", ["import", city_xlsx, "-o", "{tmp}/out.ttl", "--base", "not an iri"], 2, r"--base")
case(
    "export-xlsx-to-csv-name",
    ["export", good, "--format", "xlsx", "-o", "{tmp}/out.csv"],
    2,
    r"--format xlsx does not match the output file's extension .csv",
)
case("docs-dev-full", ["docs", "-o", "/dev/full"], 2, r"/dev/full: the output for the documentation must be a folder")
# ---- hostile queries (user .rq files)
for cid, q, m in [
    ("rq-service", "SELECT * WHERE { SERVICE <" + CANARY + "> { ?s ?p ?o } }", r"uses SERVICE"),
    (
        "rq-service-hash",
        "SELECT * WHERE { ?x a <https://w3id.org/sscrdf/ontology#City> . SERVICE <" + CANARY + "> { ?x ?p ?o } }",
        r"uses SERVICE",
    ),
    ("rq-service-quote", "SELECT * WHERE { ?x ?p '\"' . SERVICE <" + CANARY + "> { ?x ?q ?o } }", r"uses SERVICE"),
    ("rq-service-escape", "SELECT * WHERE { \\u0053ERVICE <" + CANARY + "> { ?s ?p ?o } }", r"uses SERVICE"),
    ("rq-service-double-escape", "SELECT * WHERE { \\u005Cu0053ERVICE <" + CANARY + "> { ?s ?p ?o } }", r"escape"),
    (
        "rq-service-variable",
        "SELECT * WHERE { VALUES ?e { <" + CANARY + "> } SERVICE ?e { ?s ?p ?o } }",
        r"uses SERVICE",
    ),
    (
        "rq-service-exists",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <" + CANARY + "> { ?s ?p ?o } } }",
        r"uses SERVICE",
    ),
    ("rq-load", "LOAD <" + CANARY + ">", r"SPARQL Update"),
    ("rq-insert", "INSERT DATA { <urn:a> <urn:b> <urn:c> }", r"SPARQL Update"),
    ("rq-drop", "DROP ALL", r"SPARQL Update"),
    ("rq-syntax", "SELECT * WHERE { ?s ?p ", r"not a SPARQL 1.1 query"),
    ("rq-empty", "", r"the query is empty"),
    ("rq-only-comment", "# SELECT * WHERE { ?s ?p ?o }\n", r"the query is empty"),
    ("rq-ask", "ASK { ?s ?p ?o }", r"not a SELECT query"),
]:
    case(cid, ["query", f(cid + ".rq", q), good, "--no-rules"], 2, m)
case(
    "rq-latin1",
    ["query", f("latin.rq", "SELECT ?x WHERE { BIND('caf\xe9' AS ?x) }".encode("latin-1")), good],
    2,
    r"not UTF-8",
)
case("rq-missing", ["query", "{files}/nope.rq", good], 2, r"no such query file")
case(
    "query-unknown-name",
    ["query", "stakeholder-cont", good],
    2,
    r"no query named 'stakeholder-cont'.*did you mean 'stakeholder-count'",
)
case(
    "shapes-service",
    [
        "validate",
        good,
        "--shapes",
        f(
            "svc-shape.ttl",
            '@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:sparql [ sh:select "SELECT $this WHERE { SERVICE <'
            + CANARY
            + '> { $this ?p ?o } }" ] .\n',
        ),
    ],
    2,
    r"uses SERVICE",
)
case(
    "shapes-update",
    [
        "validate",
        good,
        "--shapes",
        f(
            "upd-shape.ttl",
            '@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> sh:update "LOAD <' + CANARY + '>" .\n',
        ),
    ],
    2,
    r"SPARQL Update",
)
case(
    "shapes-syntax",
    [
        "validate",
        good,
        "--shapes",
        f("bad-shape.ttl", "@prefix sh: <http://www.w3.org/ns/shacl#> .\n<urn:s> a sh:NodeShape ;"),
    ],
    2,
    r"cannot read the shapes file",
)
case("shapes-missing", ["validate", good, "--shapes", "{files}/none.ttl"], 2, r"no such shapes file")
case("shapes-folder", ["validate", good, "--shapes", "{files}"], 2, r"the shapes file is a folder")
case(
    "shapes-fifo", ["validate", good, "--shapes", "{fifo}"], 2, r"the shapes file is not a regular file", special="fifo"
)
# ---- bad flags and environment variables
for cid, args, env, m in [
    ("env-workers-abc", ["validate", good], {"SSCRDF_WORKERS": "abc"}, r"SSCRDF_WORKERS='abc' is not a whole number"),
    (
        "env-workers-negative",
        ["validate", good],
        {"SSCRDF_WORKERS": "-3"},
        r"SSCRDF_WORKERS='-3' is not a whole number >= 0",
    ),
    ("env-batch-abc", ["validate", good], {"SSCRDF_BATCH_SIZE": "abc"}, r"SSCRDF_BATCH_SIZE='abc'"),
    ("env-batch-zero", ["validate", good], {"SSCRDF_BATCH_SIZE": "0"}, r"SSCRDF_BATCH_SIZE='0'"),
    (
        "env-max-input-abc",
        ["validate", good],
        {"SSCRDF_MAX_INPUT_BYTES": "lots"},
        r"SSCRDF_MAX_INPUT_BYTES='lots' is not a whole number",
    ),
    ("env-max-input-zero", ["validate", good], {"SSCRDF_MAX_INPUT_BYTES": "0"}, r"must be a positive number"),
    (
        "env-serve-timeout",
        ["serve", good, "--port", "0"],
        {"SSCRDF_SERVE_QUERY_TIMEOUT": "soon"},
        r"SSCRDF_SERVE_QUERY_TIMEOUT='soon' is not a number",
    ),
    (
        "env-serve-threads",
        ["serve", good, "--port", "0"],
        {"SSCRDF_SERVE_THREADS": "many"},
        r"SSCRDF_SERVE_THREADS='many' is not a number",
    ),
    ("env-serve-negative", ["serve", good, "--port", "0"], {"SSCRDF_SERVE_MAX_BODY": "-1"}, r"must be positive"),
    (
        "env-query-timeout",
        ["query", "stakeholder-count", good],
        {"SSCRDF_QUERY_TIMEOUT": "soon"},
        r"SSCRDF_QUERY_TIMEOUT='soon' is not a number of seconds > 0",
    ),
    ("query-timeout-option-zero", ["query", "stakeholder-count", good, "--timeout", "0"], {}, r"--timeout"),
    ("as-of-bad", ["analyze", good, "--as-of", "yesterday"], {}, r"--as-of 'yesterday' is not a date"),
    ("as-of-impossible", ["analyze", good, "--as-of", "2025-02-30"], {}, r"is not a date"),
    ("format-bad", ["validate", good, "--format", "pdf"], {}, r"Invalid value for '--format'"),
    ("input-format-bad", ["validate", good, "--input-format", "word"], {}, r"Invalid value for '--input-format'"),
    ("fail-on-bad", ["validate", good, "--fail-on", "never"], {}, r"Invalid value for '--fail-on'"),
    ("reasoner-bad", ["validate", good, "--reasoner", "hermit"], {}, r"Invalid value for '--reasoner'"),
    ("port-too-big", ["serve", good, "--port", "99999"], {}, r"99999 is not in the range"),
    ("port-negative", ["serve", good, "--port", "-1"], {}, r"is not in the range"),
    ("port-text", ["serve", good, "--port", "http"], {}, r"is not a valid integer"),
    ("query-timeout-zero", ["serve", good, "--query-timeout", "0"], {}, r"Invalid value for '--query-timeout'"),
    ("threads-zero", ["serve", good, "--threads", "0"], {}, r"Invalid value for '--threads'"),
    ("store-not-url", ["push", good, "--store", "not-a-url"], {}, r"--store 'not-a-url' is not an http\(s\) URL"),
    ("store-ftp", ["push", good, "--store", "ftp://127.0.0.1/x"], {}, r"is not an http\(s\) URL"),
    ("store-file", ["push", good, "--store", "file:///etc/passwd"], {}, r"is not an http\(s\) URL"),
    (
        "endpoint-and-files",
        ["query", "stakeholder-count", good, "--endpoint", CANARY],
        {},
        r"either FILES or --endpoint",
    ),
    ("no-files", ["query", "stakeholder-count"], {}, r"no data files given"),
    (
        "endpoint-html",
        ["query", "stakeholder-count", "--endpoint", "{canary}html"],
        {},
        r"did not answer with SPARQL JSON results|failed",
    ),
    (
        "endpoint-refused",
        ["query", "stakeholder-count", "--endpoint", "http://127.0.0.1:1/sparql"],
        {},
        r"the SPARQL endpoint http://127.0.0.1:1/sparql failed",
    ),
    ("ontology-check-missing", ["ontology", "check", "{files}/no-ext.ttl"], {}, r"no such file"),
    ("infer-ttl-needs-only", ["infer", good, "--format", "ttl"], {}, r"ttl output cannot keep inferred triples apart"),
    ("unknown-command", ["analyse", good], {}, r"No such command 'analyse'"),
]:
    case(cid, args, 2, m, env=env)
# ---- unwritable outputs (and outputs that would lose data)
for cid, args, m in [
    ("out-proc", ["validate", good, "-o", "/proc/sscrdf-out.txt"], r"cannot write the output"),
    ("out-dir", ["validate", good, "-o", "{files}"], r"is a directory"),
    ("out-missing-folder", ["validate", good, "-o", "{tmp}/no/such/out.txt"], r"the output folder .* does not exist"),
    ("out-onto-input", ["validate", "{tmp}/copy.ttl", "-o", "{tmp}/copy.ttl"], r"also an input file"),
    ("out-onto-input-relative", ["analyze", "{tmp}/copy.ttl", "-o", "{tmp}/./copy.ttl"], r"also an input file"),
    ("out-onto-query-file", ["query", "{tmp}/q.rq", "{tmp}/copy.ttl", "-o", "{tmp}/q.rq"], r"also an input file"),
    (
        "out-format-mismatch",
        ["infer", good, "--format", "trig", "-o", "{tmp}/out.nt"],
        r"--format trig does not match the output file's extension .nt",
    ),
    (
        "out-format-mismatch-ttl",
        ["infer", good, "--only-inferred", "--format", "nt", "-o", "{tmp}/out.ttl"],
        r"does not match",
    ),
    ("out-dev-full", ["validate", good, "-o", "/dev/full"], r"not a regular file"),
    ("out-sysfs", ["validate", good, "-o", "/sys/sscrdf-out.txt"], r"cannot write the output"),
]:
    case(cid, args, 2, m)

if __name__ == "__main__":
    FILES.mkdir(exist_ok=True)
    for name, data in files.items():
        (FILES / name).write_bytes(data)
    (HERE / "cases.json").write_text(json.dumps(cases, indent=1) + "\n", encoding="utf-8")
    print(len(cases), "cases,", len(files), "files")
