"""The W3C SHACL test suite (``../shared/w3c-shacl-tests/``) run against sscrdf's two SHACL engines.

Every ``sht:Validate`` entry of ``core/`` and ``sparql/`` is run

- on the **fast engine** (``sscrdf.shacl.compiler``): the shapes are compiled to SPARQL and run on a pyoxigraph store
  holding the data graph. When the compiler raises ``Unsupported`` the test is marked ``fallback``: sscrdf then
  validates with pySHACL, so the effective outcome is pySHACL's;
- on **pySHACL** (the reference engine, ``sscrdf.shacl.results.run_pyshacl``).

Reports are compared as the suite prescribes, ignoring ``sh:resultMessage`` (and ``sh:detail``): ``sh:conforms``
must agree, and the multiset of results (focus node, path, value, severity, source shape, source constraint
component) must be equal. Paths are compared by their structure; other blank nodes match any blank node. A test
whose expected result is ``sht:Failure`` passes when the engine refuses the shapes.

Run ``python -m tests.w3c_shacl`` from the repository root for the per-test table (markdown);
``tests/test_w3c_shacl.py`` asserts it.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from sscrdf.convert import to_rdflib_term
from sscrdf.shacl.compiler import Unsupported, compile_shapes, run_checks
from sscrdf.shacl.results import Result, run_pyshacl

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
REPO = Path(__file__).resolve().parent.parent


def _shared_dir(repo: Path = REPO) -> Path:
    """``shared/`` beside the repository (how CI lays it out); for a git worktree, beside its main checkout."""
    here = repo.parent / "shared"
    git = repo / ".git"
    if not here.is_dir() and git.is_file():  # a worktree: ".git" holds "gitdir: MAIN/.git/worktrees/NAME"
        gitdir = Path(git.read_text().split(":", 1)[1].strip())
        if gitdir.parent.name == "worktrees" and gitdir.parent.parent.name == ".git":
            return gitdir.parent.parent.parent.parent / "shared"
    return here


SUITE = _shared_dir() / "w3c-shacl-tests"
SECTIONS = ("core", "sparql")


@dataclass(frozen=True)
class SuiteTest:
    name: str  # e.g. core/property/minCount-001
    label: str
    data: Path
    shapes: Path
    expect_failure: bool  # mf:result sht:Failure: the engine must refuse the shapes
    expected: tuple[bool, Counter] | None  # (conforms, results) otherwise


@dataclass(frozen=True)
class Outcome:
    test: SuiteTest
    fast: str  # pass | fail | fallback
    fast_effective: str  # pass | fail: what sscrdf's fast engine does, pySHACL's outcome when it falls back
    pyshacl: str  # pass | fail
    reason: str  # why the compiler fell back, or what differed


def _file_of(uri: Node, base: Path) -> Path:
    s = str(uri)
    return Path(s[len("file://") :]) if s.startswith("file://") else base / s


def discover(suite: Path = SUITE) -> list[SuiteTest]:
    """Every sht:Validate test in the suite's core/ and sparql/ manifests, in manifest order."""
    out: list[SuiteTest] = []
    todo = [suite / s / "manifest.ttl" for s in SECTIONS]
    while todo:
        manifest = todo.pop(0)
        g = Graph().parse(manifest, format="turtle", publicID=manifest.as_uri())
        for inc in g.objects(None, MF.include):
            todo.append(_file_of(inc, manifest.parent))
        for entries in g.objects(None, MF.entries):
            for t in Collection(g, entries):
                if (t, RDF.type, SHT.Validate) not in g:
                    continue
                action = g.value(t, MF.action)
                result = g.value(t, MF.result)
                data = _file_of(g.value(action, SHT.dataGraph), manifest.parent)
                shapes = _file_of(g.value(action, SHT.shapesGraph), manifest.parent)
                expected = None
                if result != SHT.Failure:
                    conforms = g.value(result, SH.conforms) == Literal(True)
                    expected = (conforms, Counter(_key(g, r, g) for r in g.objects(result, SH.result)))
                name = str(manifest.relative_to(suite).parent / str(t).rsplit("/", 1)[-1].split("#")[-1])
                out.append(
                    SuiteTest(name, str(g.value(t, RDFS.label) or ""), data, shapes, result == SHT.Failure, expected)
                )
    return out


def _path_text(g: Graph, p: Node | None) -> str:
    """A path node as text, by structure (so that two copies of ``[ sh:inversePath ex:p ]`` are equal)."""
    if p is None:
        return "-"
    if isinstance(p, URIRef):
        return f"<{p}>"
    if (p, RDF.first, None) in g:
        return "(" + " / ".join(_path_text(g, x) for x in Collection(g, p)) + ")"
    for key in (SH.inversePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath, SH.alternativePath):
        inner = g.value(p, key)
        if inner is not None:
            return f"{key.fragment}({_path_text(g, inner)})"
    return "_:"


def _term(t: Node | None) -> str:
    if t is None:
        return "-"
    if isinstance(t, BNode):
        return "_:"
    if isinstance(t, Literal):  # by lexical form (rdflib's n3() rewrites ill-formed ones, e.g. "none"^^xsd:boolean)
        lex = '"' + str(t).replace("\\", "\\\\").replace('"', '\\"') + '"'
        if t.language:
            return f"{lex}@{t.language.lower()}"
        # RDF 1.1: "a" and "a"^^xsd:string are one term
        return lex if t.datatype in (None, XSD.string) else f"{lex}^^<{t.datatype}>"
    return t.n3()


def _key(report: Graph, r: Node, shapes: Graph) -> tuple[str, ...]:
    return (
        _term(report.value(r, SH.focusNode)),
        _path_text(report, report.value(r, SH.resultPath)),
        _term(report.value(r, SH.value)),
        _term(report.value(r, SH.resultSeverity)),
        _term(report.value(r, SH.sourceShape)),
        _term(report.value(r, SH.sourceConstraintComponent)),
    )


def _result_key(r: Result, shapes: Graph) -> tuple[str, ...]:
    def rd(t: object) -> Node | None:  # a Result holds sscrdf.terms terms: as rdflib's, to read the shapes graph
        return None if t is None else to_rdflib_term(t)  # type: ignore[arg-type]

    return (
        _term(rd(r.focus)),
        _path_text(shapes, rd(r.path)),
        _term(rd(r.value)),
        _term(rd(r.severity)),
        _term(rd(r.shape)),
        _term(rd(r.component)),
    )


def _graphs(test: SuiteTest) -> tuple[Graph, Graph]:
    data = Graph().parse(test.data, format="turtle", publicID=test.data.as_uri())
    shapes = (
        data if test.shapes == test.data else Graph().parse(test.shapes, format="turtle", publicID=test.shapes.as_uri())
    )
    return data, shapes


def _compare(test: SuiteTest, conforms: bool, keys: Counter) -> str:
    """'' when the report matches the expected one, else what differs."""
    assert test.expected is not None
    exp_conforms, exp = test.expected
    if conforms != exp_conforms or keys != exp:
        missing, extra = exp - keys, keys - exp
        return f"conforms {conforms} (expected {exp_conforms}); missing {sorted(missing)}; unexpected {sorted(extra)}"
    return ""


def run_fast(test: SuiteTest) -> tuple[str, str]:
    """(pass | fail | fallback, detail) of the fast engine on one test."""
    _, shapes = _graphs(test)
    try:
        checks = compile_shapes(shapes, closed=False)
    except Unsupported as exc:
        return "fallback", str(exc)
    if test.expect_failure:
        return "fail", "compiled shapes the suite requires an engine to refuse"
    store = ox.Store()  # parsed by pyoxigraph, as sscrdf loads data (rdflib rewrites some ill-formed literals)
    store.load(path=str(test.data), format=ox.RdfFormat.TURTLE, base_iri=test.data.as_uri())
    try:
        results = run_checks(store, checks)
    except (SyntaxError, OSError, ValueError) as exc:  # a compiled query pyoxigraph rejects
        return "fail", f"query error: {exc}"
    diff = _compare(test, not results, Counter(_result_key(r, shapes) for r in results))
    return ("fail", diff) if diff else ("pass", "")


def run_reference(test: SuiteTest) -> tuple[str, str]:
    """(pass | fail, detail) of pySHACL on one test."""
    data, shapes = _graphs(test)
    try:
        conforms, results = run_pyshacl(data, shapes)
    except Exception as exc:  # pySHACL reports malformed shapes with several exception types
        return ("pass", "") if test.expect_failure else ("fail", f"{type(exc).__name__}: {exc}")
    if test.expect_failure:
        return "fail", "accepted shapes the suite requires an engine to refuse"
    diff = _compare(test, conforms, Counter(_result_key(r, shapes) for r in results))
    return ("fail", diff) if diff else ("pass", "")


def run(test: SuiteTest) -> Outcome:
    fast, why = run_fast(test)
    ref, ref_why = run_reference(test)
    return Outcome(test, fast, ref if fast == "fallback" else fast, ref, why or ref_why)


def table(outcomes: list[Outcome]) -> str:
    """The conformance table (markdown): one row per test, then the totals."""
    lines = ["| test | fast engine | pySHACL | note |", "|---|---|---|---|"]
    for o in outcomes:
        fast = "fallback → " + o.fast_effective if o.fast == "fallback" else o.fast
        note = o.reason.replace("|", "\\|").replace("\n", " ")
        note = note if len(note) < 90 else note[:87] + "..."
        lines.append(f"| {o.test.name} | {fast} | {o.pyshacl} | {note} |")
    c = Counter(o.fast for o in outcomes)
    eff = Counter(o.fast_effective for o in outcomes)
    ref = Counter(o.pyshacl for o in outcomes)
    lines.append("")
    lines.append(
        f"{len(outcomes)} tests. Fast engine: {c['pass']} pass compiled, {c['fallback']} fall back to "
        f"pySHACL, {c['fail']} fail; with the fallback {eff['pass']} pass. pySHACL: {ref['pass']} pass, "
        f"{ref['fail']} fail."
    )
    return "\n".join(lines)


if __name__ == "__main__":
    if not SUITE.is_dir():
        sys.exit(f"the W3C SHACL test suite is not at {SUITE}")
    print(table([run(t) for t in discover()]))
