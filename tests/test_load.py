"""Tests of sscrdf.io.load (and the error type of sscrdf.errors): every format, merging, and every bad input."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pyoxigraph as ox
import pytest

from sscrdf.errors import InputError, SscrdfError
from sscrdf.io import limits as limits_mod, load as load_mod
from sscrdf.io.load import FORMAT_NAMES, FORMATS, Loaded, detect_format, input_limit, load

SSC = "https://w3id.org/sscrdf/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
EX = "http://example.org/"

# the same three triples in every format
EXPECTED = {
    (EX + "riverton", RDF_TYPE, SSC + "City"),
    (EX + "riverton", SSC + "hasStakeholder", EX + "council"),
    (EX + "council", RDFS_LABEL, "Riverton Council"),
}

TURTLE = f"""@prefix ssc: <{SSC}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <{EX}> .

ex:riverton a ssc:City ;
    ssc:hasStakeholder ex:council .
ex:council rdfs:label "Riverton Council" .
"""

TRIG = f"""@prefix ssc: <{SSC}> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <{EX}> .

ex:register {{
    ex:riverton a ssc:City ;
        ssc:hasStakeholder ex:council .
    ex:council rdfs:label "Riverton Council" .
}}
"""

NTRIPLES = f"""<{EX}riverton> <{RDF_TYPE}> <{SSC}City> .
<{EX}riverton> <{SSC}hasStakeholder> <{EX}council> .
<{EX}council> <{RDFS_LABEL}> "Riverton Council" .
"""

NQUADS = f"""<{EX}riverton> <{RDF_TYPE}> <{SSC}City> <{EX}register> .
<{EX}riverton> <{SSC}hasStakeholder> <{EX}council> <{EX}register> .
<{EX}council> <{RDFS_LABEL}> "Riverton Council" .
"""

JSONLD = json.dumps(
    {
        "@context": {
            "ssc": SSC,
            "ex": EX,
            "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
            "hasStakeholder": {"@id": "ssc:hasStakeholder", "@type": "@id"},
        },
        "@graph": [
            {"@id": "ex:riverton", "@type": "ssc:City", "hasStakeholder": "ex:council"},
            {"@id": "ex:council", "rdfs:label": "Riverton Council"},
        ],
    },
    indent=2,
)

RDFXML = f"""<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:rdfs="http://www.w3.org/2000/01/rdf-schema#"
         xmlns:ssc="{SSC}">
  <ssc:City rdf:about="{EX}riverton">
    <ssc:hasStakeholder rdf:resource="{EX}council"/>
  </ssc:City>
  <rdf:Description rdf:about="{EX}council">
    <rdfs:label>Riverton Council</rdfs:label>
  </rdf:Description>
</rdf:RDF>
"""


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def plain(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
    return term.value


def triples(loaded: Loaded) -> set[tuple[str, str, str]]:
    return {(plain(q.subject), plain(q.predicate), plain(q.object)) for q in loaded.store}


def raises_input_error(*args, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        load(*args, **kwargs)
    return info.value


# ------------------------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    "name, content",
    [
        ("riverton.ttl", TURTLE),
        ("riverton.trig", TRIG),
        ("riverton.nt", NTRIPLES),
        ("riverton.nq", NQUADS),
        ("riverton.jsonld", JSONLD),
        ("riverton.json", JSONLD),
        ("riverton.rdf", RDFXML),
        ("riverton.owl", RDFXML),
        ("riverton.xml", RDFXML),
    ],
)
def test_every_format_gives_the_same_triples(tmp_path, name, content):
    path = write(tmp_path, name, content)
    loaded = load([path])
    assert isinstance(loaded.store, ox.Store)
    assert triples(loaded) == EXPECTED
    assert loaded.triple_count == 3
    assert loaded.sources == (path,)


def test_trig_keeps_the_named_graph(tmp_path):
    loaded = load([write(tmp_path, "riverton.trig", TRIG)])
    assert loaded.named_graphs == (EX + "register",)
    in_graph = list(loaded.store.quads_for_pattern(None, None, None, ox.NamedNode(EX + "register")))
    assert len(in_graph) == 3
    assert not list(loaded.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))


def test_nquads_keeps_default_and_named_graphs_apart(tmp_path):
    loaded = load([write(tmp_path, "riverton.nq", NQUADS)])
    assert loaded.named_graphs == (EX + "register",)
    assert len(list(loaded.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 1
    assert len(list(loaded.store.quads_for_pattern(None, None, None, ox.NamedNode(EX + "register")))) == 2


def test_turtle_triples_go_to_the_default_graph(tmp_path):
    loaded = load([write(tmp_path, "riverton.ttl", TURTLE)])
    assert loaded.named_graphs == ()
    assert len(list(loaded.store.quads_for_pattern(None, None, None, ox.DefaultGraph()))) == 3


def test_csv_register_is_loaded(tmp_path):
    header = "id,name,category,scale,sector,power,interest,current_level,desired_level,assessed_on,assessed_by\n"
    path = write(
        tmp_path,
        "reg.csv",
        header + "council,Riverton Council,Municipality,local,public,High,High,"
        "Neutral,Supportive,2025-01-15,Maria Okafor\n",
    )
    loaded = load([path], city_iri=EX + "riverton")
    assert (EX + "riverton", SSC + "hasStakeholder", "urn:sscrdf:reg:council") in triples(loaded)
    assert loaded.triple_count == len(list(loaded.store))


def test_relative_iris_resolve_against_the_file(tmp_path):
    path = write(tmp_path, "rel.ttl", '<council> <http://www.w3.org/2000/01/rdf-schema#label> "x" .\n')
    ((s, _, _),) = triples(load([path]))
    assert s == (tmp_path / "council").resolve().as_uri()


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    path = write(tmp_path, "bom.ttl", b"\xef\xbb\xbf" + TURTLE.encode("utf-8"))
    assert triples(load([path])) == EXPECTED


def test_forced_format_overrides_the_extension(tmp_path):
    path = write(tmp_path, "riverton.txt", TURTLE)
    assert triples(load([path], fmt="turtle")) == EXPECTED
    assert triples(load([path], fmt="TTL")) == EXPECTED


def test_a_single_path_is_accepted(tmp_path):
    path = write(tmp_path, "riverton.ttl", TURTLE)
    assert load(path).triple_count == 3
    assert load(str(path)).triple_count == 3


# ------------------------------------------------------------------------------------------- detect_format


@pytest.mark.parametrize("ext, expected", sorted(FORMATS.items()))
def test_detect_format_by_extension(ext, expected):
    assert detect_format(Path("data" + ext)) == expected
    assert detect_format(Path("DATA" + ext.upper())) == expected


@pytest.mark.parametrize("forced", FORMAT_NAMES)
def test_detect_format_accepts_every_forced_name(forced):
    assert detect_format("whatever.bin", forced) == forced


def test_detect_format_rejects_an_unknown_forced_name():
    with pytest.raises(InputError) as info:
        detect_format("a.ttl", "n3")
    assert "unknown input format" in str(info.value)
    assert "turtle" in str(info.value)


# ------------------------------------------------------------------------------------------- merging


def test_two_files_are_merged(tmp_path):
    a = write(tmp_path, "a.ttl", TURTLE)
    b = write(tmp_path, "b.nt", f'<{EX}water> <{RDFS_LABEL}> "Water Co." .\n')
    loaded = load([a, b])
    assert loaded.sources == (a, b)
    assert loaded.triple_count == 4
    assert (EX + "water", RDFS_LABEL, "Water Co.") in triples(loaded)


def test_the_same_file_twice_is_read_once(tmp_path):
    a = write(tmp_path, "a.ttl", TURTLE)
    assert load([a, a]).sources == (a,)


def test_blank_nodes_of_different_files_never_merge(tmp_path):
    data = f'_:b1 <{RDFS_LABEL}> "one" .\n_:b1 <{SSC}sector> <{SSC}PublicSector> .\n'
    a = write(tmp_path, "a.ttl", data)
    b = write(tmp_path, "b.ttl", data)
    loaded = load([a, b])
    subjects = {q.subject for q in loaded.store}
    assert all(isinstance(s, ox.BlankNode) for s in subjects)
    assert len(subjects) == 2  # one per file: _:b1 of a is not _:b1 of b
    assert loaded.triple_count == 4
    # within one file the label still names one node
    assert len({q.subject for q in load([a]).store}) == 1


def test_loading_twice_gives_independent_stores(tmp_path):
    a = write(tmp_path, "a.ttl", TURTLE)
    first, second = load([a]), load([a])
    first.store.remove(next(iter(first.store)))
    assert second.triple_count == 3 and len(second.store) == 3


# ------------------------------------------------------------------------------------------- bad input


def test_missing_file(tmp_path):
    path = tmp_path / "nope.ttl"
    err = raises_input_error([path])
    assert err.path == path
    assert "no such file" in err.message


def test_no_files():
    assert "no input files" in raises_input_error([]).message


def test_directory(tmp_path):
    err = raises_input_error([tmp_path])
    assert err.path == tmp_path
    assert "directory" in err.message


@pytest.mark.parametrize(
    "name, content",
    [
        ("empty.ttl", b""),
        ("blank.ttl", b"  \n\t\n"),
        ("comments.ttl", b"# nothing here yet\n@prefix ssc: <https://w3id.org/sscrdf/ontology#> .\n"),
        ("empty.nt", b""),
        ("comments.nq", b"# a comment\n"),
        ("empty.trig", b"@prefix ex: <http://example.org/> .\nex:g { }\n"),
        ("empty.jsonld", b""),
        ("empty-object.jsonld", b"{}"),
        ("blank.rdf", b"\n\n"),
        ("empty-rdf.rdf", b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>'),
    ],
)
def test_empty_file(tmp_path, name, content):
    path = write(tmp_path, name, content)
    err = raises_input_error([path])
    assert err.path == path
    assert "contains no triples" in err.message


def test_empty_csv(tmp_path):
    path = write(tmp_path, "empty.csv", b"")
    err = raises_input_error([path])
    assert err.path == path
    assert "contains no" in err.message


@pytest.mark.parametrize("name", ["register.docx", "register.n3", "register"])
def test_unsupported_extension(tmp_path, name):
    path = write(tmp_path, name, TURTLE)
    err = raises_input_error([path])
    assert err.path == path
    assert "unsupported" in err.message
    for ext in (".ttl", ".trig", ".nq", ".nt", ".jsonld", ".json", ".rdf", ".owl", ".xml", ".csv"):
        assert ext in err.message
    assert "--input-format NAME" in err.hint


@pytest.mark.parametrize(
    "name, content, line, column, words",
    [
        (
            "bad.ttl",
            '@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:a ex:b "unterminated .\n',
            3,
            11,
            "Turtle",
        ),
        ("bad2.ttl", "@prefix ex: <http://example.org/> .\n\nex:a ex:b ex:c ;\n    ex:d .\n", 4, 10, "Turtle"),
        ("bad.nt", f"<{EX}a> <{EX}b> <{EX}c> .\n<a> <b> <c> .\n", 2, 1, "N-Triples"),
        ("bad.nq", f"<{EX}a> <{EX}b> <{EX}c> .\n<{EX}a> <{EX}b> <{EX}c> <{EX}g> <{EX}h> .\n", 2, None, "N-Quads"),
        ("bad.trig", "@prefix ex: <http://example.org/> .\nex:g {\n  ex:a ex:b ex:c .\n", 4, None, "TriG"),
        ("bad.jsonld", '{\n  "@id": "http://example.org/a",\n  "http://example.org/b": x\n}\n', 3, 27, "JSON-LD"),
        (
            "bad.rdf",
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '  <rdf:Description rdf:about="http://example.org/a">\n'
            "  </rdf:Descriptio>\n</rdf:RDF>\n",
            3,
            None,
            "RDF/XML",
        ),
    ],
)
def test_syntax_error_has_file_line_and_column(tmp_path, name, content, line, column, words):
    path = write(tmp_path, name, content)
    err = raises_input_error([path])
    assert err.path == path
    assert err.line == line
    if column is not None:
        assert err.column == column
    assert "syntax error" in err.message and words in err.message
    assert "Parser error" not in err.message  # the position is in the location, not repeated in the message
    assert str(err).startswith(f"{path}:{line}:")


def test_jsonld_semantic_error_names_the_file(tmp_path):
    path = write(tmp_path, "bad-id.jsonld", '{"@id": 5, "http://example.org/p": "x"}')
    err = raises_input_error([path])
    assert err.path == path
    assert "syntax error in JSON-LD" in err.message and "@id" in err.message


def _context_doc(context) -> str:
    return json.dumps({"@context": context, "@id": "http://example.org/a", "name": "x"}, indent=2)


@pytest.mark.parametrize(
    "document, iri",
    [
        (_context_doc("https://schema.org/"), "https://schema.org/"),
        (
            _context_doc(["https://w3id.org/sscrdf/context.jsonld", {"name": "http://schema.org/name"}]),
            "https://w3id.org/sscrdf/context.jsonld",
        ),
        (
            _context_doc({"@import": "http://example.org/ctx.jsonld", "name": "http://schema.org/name"}),
            "http://example.org/ctx.jsonld",
        ),
        (
            json.dumps(
                {
                    "@context": {"name": "http://schema.org/name"},
                    "@graph": [
                        {
                            "@id": "http://example.org/a",
                            "http://example.org/p": {
                                "@context": ["http://example.org/nested.jsonld"],
                                "@id": "http://example.org/b",
                            },
                        }
                    ],
                },
                indent=2,
            ),
            "http://example.org/nested.jsonld",
        ),
        (
            _context_doc({"term": {"@id": "http://example.org/term", "@context": "https://example.org/scoped"}}),
            "https://example.org/scoped",
        ),
        (_context_doc("context.jsonld"), "context.jsonld"),
    ],
)
def test_jsonld_remote_context_is_refused_before_parsing(tmp_path, monkeypatch, document, iri):
    def no_parse(*args, **kwargs):  # the refusal must come before pyoxigraph is asked
        raise AssertionError("parsed a document with a remote context")

    monkeypatch.setattr(load_mod.ox, "parse", no_parse)
    path = write(tmp_path, "remote.jsonld", document)
    err = raises_input_error([path])
    assert err.path == path
    assert iri in err.message
    assert "never fetches remote contexts" in err.message
    assert "inline" in err.hint
    assert err.line is not None and err.line > 1
    line_text = document.splitlines()[err.line - 1]
    assert iri in line_text


@pytest.mark.parametrize("size, limit", [(2 * 1024 * 1024, 1024 * 1024)])
def test_too_large_file_is_refused_up_front(tmp_path, monkeypatch, size, limit):
    path = write(tmp_path, "big.nt", b"#" * size)
    monkeypatch.setattr(load_mod, "_read", lambda p: pytest.fail("read a file over the limit"))
    err = raises_input_error([path], max_bytes=limit)
    assert err.path == path
    assert "2.0 MiB" in err.message and "1.0 MiB" in err.message
    assert "SSCRDF_MAX_INPUT_BYTES" in err.hint


def test_input_limit_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SSCRDF_MAX_INPUT_BYTES", "100")
    assert input_limit() == 100
    assert input_limit(5000) == 5000  # the argument wins
    path = write(tmp_path, "riverton.ttl", TURTLE)
    err = raises_input_error([path])
    assert err.path == path and "MiB" in err.message


def test_input_limit_defaults_to_an_eighth_of_available_memory(monkeypatch):
    monkeypatch.delenv("SSCRDF_MAX_INPUT_BYTES", raising=False)
    monkeypatch.setattr(limits_mod, "_mem_available", lambda: 8000)
    assert input_limit() == 1000


def test_input_limit_reads_meminfo(monkeypatch):
    monkeypatch.delenv("SSCRDF_MAX_INPUT_BYTES", raising=False)
    limit = input_limit()
    if Path("/proc/meminfo").exists():
        assert limit is not None and limit > 0


@pytest.mark.parametrize("value", ["lots", "-5", "0"])
def test_bad_limit_in_the_environment(monkeypatch, tmp_path, value):
    monkeypatch.setenv("SSCRDF_MAX_INPUT_BYTES", value)
    err = raises_input_error([write(tmp_path, "riverton.ttl", TURTLE)])
    assert "SSCRDF_MAX_INPUT_BYTES" in err.message


def test_files_too_large_together(tmp_path):
    a = write(tmp_path, "a.ttl", TURTLE)
    b = write(tmp_path, "b.ttl", TURTLE)
    err = raises_input_error([a, b], max_bytes=len(TURTLE.encode()) + 10)
    assert "together" in err.message and "MiB" in err.message


@pytest.mark.parametrize("name", ["latin1.ttl", "latin1.nt", "latin1.jsonld", "latin1.rdf"])
def test_undecodable_bytes(tmp_path, name):
    content = {
        "latin1.ttl": '@prefix ex: <http://example.org/> .\nex:a ex:label "Café" .\n',
        "latin1.nt": '<http://example.org/a> <http://example.org/label> "Café" .\n',
        "latin1.jsonld": '{\n"@id": "http://example.org/a",\n"http://example.org/label": "Café"}\n',
        "latin1.rdf": '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="http://example.org/">\n<rdf:Description rdf:about="http://example.org/a">'
        "<ex:label>Café</ex:label></rdf:Description></rdf:RDF>\n",
    }[name]
    data = content.encode("latin-1")
    path = write(tmp_path, name, data)
    err = raises_input_error([path])
    offset = data.index(b"\xe9")
    assert err.path == path
    assert f"byte offset {offset}" in err.message
    assert "UTF-8" in err.message
    assert err.line == data[:offset].count(b"\n") + 1
    assert err.column == offset - data.rfind(b"\n", 0, offset)


def test_undecodable_bytes_past_the_first_chunk(tmp_path):
    data = (f'<{EX}a> <{EX}b> "{"x" * 100}" .\n' * 12000).encode() + b'<http://e/a> <http://e/b> "\xff" .\n'
    assert len(data) > 1 << 20
    path = write(tmp_path, "long.nt", data)
    err = raises_input_error([path])
    assert f"byte offset {data.index(bytes([0xFF]))}" in err.message
    assert err.line == 12001


@pytest.mark.parametrize(
    "name, content",
    [
        ("garbage.ttl", b"\x00\x01 not rdf at all {{{"),
        ("garbage.jsonld", b"[1, 2, 3]"),
        ("garbage2.jsonld", b'{"@context": 5}'),
        ("garbage.rdf", b"<html><body>not rdf</body></html>"),
        ("garbage.nq", b"this is not n-quads\n"),
        ("garbage.trig", b"{ { {"),
        ("garbage.csv", b"a,b,c\n1,2,3\n"),
        ("nul.nt", b'<http://e/a> <http://e/b> "\x00" .'),
    ],
)
def test_nothing_but_input_error_escapes(tmp_path, name, content):
    path = write(tmp_path, name, content)
    try:
        load([path])
    except InputError as err:
        assert err.path == path
    else:  # accepted is fine too, as long as no other exception escapes
        pass


def test_errors_are_checked_before_any_file_is_parsed(tmp_path, monkeypatch):
    good = write(tmp_path, "good.ttl", TURTLE)
    monkeypatch.setattr(load_mod, "_add_rdf", lambda *a: pytest.fail("parsed before checking all inputs"))
    err = raises_input_error([good, tmp_path / "missing.ttl"])
    assert err.path == tmp_path / "missing.ttl"


# ------------------------------------------------------------------------------------------- the error type


def test_error_renders_one_line_with_location_and_hint():
    err = InputError(
        "unknown term ssc:Municipalty", path="city.ttl", line=12, column=5, hint="did you mean ssc:Municipality?"
    )
    assert str(err) == "city.ttl:12:5: unknown term ssc:Municipalty — did you mean ssc:Municipality?"
    assert isinstance(err, SscrdfError) and isinstance(err, Exception)
    assert err.exit_code == 2


@pytest.mark.parametrize(
    "kwargs, expected",
    [
        ({}, "bad thing"),
        ({"path": "a.ttl"}, "a.ttl: bad thing"),
        ({"path": "a.ttl", "line": 3}, "a.ttl:3: bad thing"),
        ({"path": "a.ttl", "column": 3}, "a.ttl: bad thing"),
        ({"hint": "fix it"}, "bad thing — fix it"),
    ],
)
def test_error_omits_unknown_parts(kwargs, expected):
    assert str(SscrdfError("bad thing", **kwargs)) == expected


def test_error_is_one_line_and_survives_pickling():
    err = InputError("two\nlines", path="a.ttl", line=1, column=2, hint="a\nhint")
    assert "\n" not in str(err)
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is InputError and str(copy) == str(err) and copy.line == 1
