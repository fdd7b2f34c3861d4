"""``sscrdf check``: the knowledge engineer's one command, over every kind of knowledge file.

- **ontology**: what ``sscrdf ontology check`` does (parse, meta-shape, declarations, OWL 2 RL consistency);
- **shapes** (``shapes/city/*.ttl`` and extra files): they parse, conform to W3C SHACL-for-SHACL
  (``shapes/meta/shacl-shacl.ttl``), every ``sh:`` term is in the SHACL vocabulary (``shapes/meta/shacl.ttl``);
- **rules** (``rules/*.rq``) and **queries** (``queries/*.rq``): they parse as SPARQL 1.1, have a complete header
  (rules: ``# id``, ``# derives``, ``# clause``, ``# kind`` as the first four lines, then at least two comment lines
  explaining the logic; queries: ``# id``, ``# question``, ``# clause``, ``# columns`` equal to the SELECT
  variables), and finding rules mint their IRIs with ``IRI(CONCAT("https://w3id.org/sscrdf/finding/", SHA1(…)))``;
- in every file: each ``ssc:`` term (also inside SPARQL strings) is declared by the ontology, else a problem with
  the nearest declared term ("did you mean").

Every problem carries its file and line. Nothing here changes a file or a graph it is given.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from ..convert import to_rdflib_term
from ..errors import InputError
from ..knowledge import ontology as onto
from ..knowledge.vocab import SSC, _occurrence_pattern, _suggestion
from ..namespaces import FINDING_NS, RDF, SH, short
from ..query.sparql import REQUIRED_QUERY_KEYS, read_header
from ..reasoning.closure import consistency_problems
from ..resources import data_dir, files
from ..rules.engine import REQUIRED_RULE_KEYS
from ..shacl.results import run_pyshacl
from ..shacl.validate import city_shape_files

if TYPE_CHECKING:
    from rdflib import BNode, Graph, URIRef
    from rdflib.term import Node


def _load_rdflib() -> None:
    """Bind the rdflib names this module uses (as module globals) when a check runs: importing the module (the
    API does) must not load rdflib."""
    global BNode, Graph, URIRef, Node
    from rdflib import BNode, Graph, URIRef  # heavy: only the knowledge checks (`sscrdf check`) need it
    from rdflib.term import Node


CLAUSE_PREFIXES = ("Y Suppl. 34", "FG-SSC Master Plan")
FINDING_IRI = re.compile(r'IRI\(CONCAT\("' + re.escape(FINDING_NS) + r'",\s*SHA1\(')


@dataclass(frozen=True, order=True)
class Issue:
    """One problem in one knowledge file (the ontology checks, ``sscrdf check`` and ``sscrdf ontology check`` all
    report these)."""

    path: str  # as given (bundled files: relative to the current directory when below it)
    line: int | None
    kind: str  # ontology kinds (syntax, meta-shape, undeclared, duplicate, inconsistency), shacl-shacl, sh-term,
    #            ssc-term, header, sparql-syntax, columns, finding-iri
    message: str
    term: str | None = None  # the term the problem is about (ssc:Local), when there is one
    module: str | None = None  # the ontology module, for the ontology's own problems

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.kind}: {self.message}"


@dataclass
class Report:
    """What a check found (``issues``) and what it looked at (``checked``, one line per check)."""

    issues: list[Issue] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.issues

    def by_kind(self) -> Counter[str]:
        return Counter(i.kind for i in self.issues)


def _display(path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


# ------------------------------------------------------------------------------------------- ssc: terms


def ssc_term_issues(path: Path, text: str, known: set[str]) -> list[Issue]:
    """Every ``ssc:`` term written in ``text`` (Turtle or SPARQL, strings included) that ``known`` lacks."""
    out = []
    seen: set[str] = set()
    for m in _occurrence_pattern(text).finditer(text):
        iri = SSC + (m.group(1) or m.group(2))
        if iri in known or iri in seen:
            continue
        seen.add(iri)
        hint = _suggestion(iri, known)
        msg = f"unknown term {short(iri, angle=True)}" + (
            f" — did you mean {short(hint, angle=True)}?" if hint else " — it is not declared by the ontology"
        )
        out.append(Issue(_display(path), _line_of(text, m.start()), "ssc-term", msg))
    return out


# ------------------------------------------------------------------------------------------- ontology


def _locate(text: str, graph: Graph, node: Node) -> int | None:
    """The line of the first place ``node`` (an IRI, or for a blank node the IRI that refers to it) is written."""
    for _ in range(10):
        if not isinstance(node, BNode):
            break
        parent = next(iter(graph.subjects(None, node)), None)
        if parent is None:
            return None
        node = parent
    if not isinstance(node, URIRef):
        return None
    names = [f"<{node}>"]
    for prefix, ns in graph.namespaces():
        if str(node).startswith(str(ns)) and prefix:
            names.append(f"{prefix}:{str(node)[len(str(ns)) :]}")
    best = None
    for name in names:
        m = re.search(r"(?<![\w\-.:/#])" + re.escape(name) + r"(?![\w\-])", text)
        if m and (best is None or m.start() < best):
            best = m.start()
    return _line_of(text, best) if best is not None else None


def _term_line(path: Path | None, term: str | None) -> int | None:
    """The line where ``term`` (``ssc:Local``) is first written in ``path``."""
    if path is None or not term or not term.startswith("ssc:"):
        return None
    text = path.read_text(encoding="utf-8", errors="replace")
    for m in _occurrence_pattern(text).finditer(text):
        if (m.group(1) or m.group(2)) == term[4:]:
            return _line_of(text, m.start())
    return None


def check_ontology(extra: Iterable[Path] = (), report: Report | None = None) -> Report:
    """Every ontology check (``sscrdf ontology check``), with ``extra`` Turtle modules checked as if bundled;
    the problems are added to ``report`` (a new one by default), which is returned.

    Checks: each module parses; the meta-shape (shapes/meta/ontology.ttl) conforms; no ssc: IRI is used
    without being declared and none is declared in two modules; the OWL 2 RL closure of the ontology has no
    inconsistency (no member of owl:Nothing, no clash of disjoint classes or other owlrl error).
    """
    _load_rdflib()
    report = Report() if report is None else report
    extra = [Path(p).resolve() for p in extra]
    known = set(onto.declared_terms())
    mods = onto.modules(include_vocab=True) + [onto.Module(p.stem, p) for p in extra]
    paths = {m.name: m.path for m in mods}

    def problem(kind: str, message: str, term: str | None = None, module: str | None = None) -> None:
        path = paths.get(module or "")
        msg = f"{term}: {message}" if term else message
        if kind == "undeclared" and term and term.startswith("ssc:"):
            hint = _suggestion(SSC + term[4:], known)
            msg += f" — did you mean {short(hint, angle=True)}?" if hint else ""
        report.issues.append(
            Issue(_display(path) if path else "ontology", _term_line(path, term), kind, msg, term, module)
        )

    graphs: dict[onto.Module, Graph] = {}
    for m in mods:
        try:
            graphs[m] = onto.module_graph(m)
        except InputError as exc:
            problem("syntax", str(exc), module=m.name)
    report.checked.append(f"ontology parse: {len(mods)} modules")
    if any(i.kind == "syntax" for i in report.issues):
        return report

    ssc_graph = Graph()
    owner: dict[str, str] = {}
    for m, g in graphs.items():
        if m.vocab:
            continue
        ssc_graph += g
        for s in set(g.subjects(RDF.type, None)):
            if isinstance(s, URIRef) and str(s).startswith(SSC):
                if str(s) in owner and owner[str(s)] != m.name:
                    problem("duplicate", f"declared in both {owner[str(s)]} and {m.name}", short(str(s)), m.name)
                owner.setdefault(str(s), m.name)

    meta = Graph().parse(data_dir("shapes") / "meta" / "ontology.ttl", format="turtle")
    _, results = run_pyshacl(ssc_graph, meta)
    for r in results:
        problem("meta-shape", r.message, short(str(r.focus)), owner.get(str(r.focus)))
    report.checked.append("ontology meta-shape: labels, definitions, sources, deprecations, ranks")

    used: dict[str, str] = {}
    for m, g in graphs.items():
        for t in g:
            for term in t:
                if isinstance(term, URIRef) and str(term).startswith(SSC):
                    used.setdefault(str(term), m.name)
    for iri in sorted(set(used) - set(owner)):
        problem("undeclared", "used but never declared with an rdf:type", short(iri), used[iri])
    report.checked.append("ontology declarations: every ssc: IRI used is declared once")

    full = Graph()
    for g in graphs.values():
        full += g
    for msg in consistency_problems(full):
        problem("inconsistency", msg)
    report.checked.append("ontology consistency: OWL 2 RL closure (owlrl)")
    return report


# ------------------------------------------------------------------------------------------- shapes


def _shacl_terms() -> set[str]:
    _load_rdflib()
    g = Graph().parse(data_dir("shapes") / "meta" / "shacl.ttl", format="turtle")
    return {str(s) for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(str(SH))}


def check_shapes(paths: list[Path], known: set[str], report: Report) -> None:
    _load_rdflib()
    valid_sh = _shacl_terms()
    shsh = Graph().parse(data_dir("shapes") / "meta" / "shacl-shacl.ttl", format="turtle")
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            g = Graph().parse(data=text, format="turtle", publicID=path.resolve().as_uri())
        except Exception as exc:  # rdflib raises several types for syntax errors
            m = re.search(r"line (\d+)", str(exc))
            report.issues.append(
                Issue(_display(path), int(m.group(1)) if m else None, "syntax", re.sub(r"\s+", " ", str(exc))[:200])
            )
            continue
        _, results = run_pyshacl(g, shsh)
        for r in sorted(results, key=str):
            what = r.message or f"violates {r.component}"
            report.issues.append(
                Issue(
                    _display(path),
                    _locate(text, g, to_rdflib_term(r.focus)),
                    "shacl-shacl",
                    f"{_short_node(g, to_rdflib_term(r.focus))}: {what}",
                )
            )
        for m in re.finditer(r"(?<![\w\-.:/#])sh:([A-Za-z_][\w\-]*)", _strip_comments(text)):
            iri = str(SH) + m.group(1)
            if iri not in valid_sh:
                near = difflib.get_close_matches(iri, sorted(valid_sh), n=1, cutoff=0.8)
                report.issues.append(
                    Issue(
                        _display(path),
                        _line_of(text, m.start()),
                        "sh-term",
                        f"sh:{m.group(1)} is not a SHACL term"
                        + (f" — did you mean sh:{near[0][len(str(SH)) :]}?" if near else ""),
                    )
                )
        report.issues.extend(ssc_term_issues(path, text, known))
    report.checked.append(f"shapes: {len(paths)} files (SHACL-SHACL, sh: terms, ssc: terms)")


def _strip_comments(text: str) -> str:
    """``text`` with Turtle comments blanked (same length, so positions still map to lines)."""
    return re.sub(r"(?m)^\s*#.*$", lambda m: " " * len(m.group(0)), text)


def _short_node(g: Graph, node: Node) -> str:
    if isinstance(node, BNode):
        return "a blank node"
    try:
        return g.namespace_manager.normalizeUri(str(node))
    except Exception:  # not an IRI rdflib can shorten
        return str(node)


# ------------------------------------------------------------------------------------------- rules and queries


def _sparql_issues(path: Path, text: str) -> tuple[list[Issue], list[str] | None]:
    """Syntax problems of one SPARQL file, and the SELECT variables (None when it is no SELECT or fails)."""
    try:
        result = ox.Store().query(text)
    except SyntaxError as exc:
        m = re.search(r"error at (\d+):(\d+)", str(exc))
        msg = re.sub(r"\s+", " ", str(exc))
        return [Issue(_display(path), int(m.group(1)) if m else None, "sparql-syntax", msg[:200])], None
    if isinstance(result, ox.QuerySolutions):
        return [], [v.value for v in result.variables]
    return [], None


def _header_issues(path: Path, text: str, keys: tuple[str, ...]) -> list[Issue]:
    header = read_header(text)
    out = []
    missing = [k for k in keys if not header.get(k)]
    if missing:
        out.append(Issue(_display(path), 1, "header", "the header lacks " + ", ".join(f"# {k}:" for k in missing)))
    if header.get("id") and header["id"] != path.stem:
        out.append(Issue(_display(path), 1, "header", f"# id: {header['id']} differs from the file name {path.stem}"))
    clause = header.get("clause")
    if clause and not clause.startswith(CLAUSE_PREFIXES):
        out.append(
            Issue(
                _display(path),
                _key_line(text, "clause"),
                "header",
                f"# clause: should cite {' or '.join(CLAUSE_PREFIXES)}, not {clause!r}",
            )
        )
    return out


def _key_line(text: str, key: str) -> int | None:
    m = re.search(rf"(?mi)^#\s*{key}\s*:", text)
    return _line_of(text, m.start()) if m else None


def check_rules(paths: list[Path], known: set[str], report: Report) -> None:
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        issues = _header_issues(path, text, REQUIRED_RULE_KEYS)
        lines = text.splitlines()
        header = read_header(text)
        if not issues and [ln.split(":")[0] for ln in lines[:4]] != ["# id", "# derives", "# clause", "# kind"]:
            issues.append(
                Issue(
                    _display(path),
                    1,
                    "header",
                    "the first four lines must be # id:, # derives:, # clause:, # kind: in this order",
                )
            )
        if header.get("kind") and header["kind"] not in ("fact", "finding"):
            issues.append(
                Issue(
                    _display(path),
                    _key_line(text, "kind"),
                    "header",
                    f"# kind: must be fact or finding, not {header['kind']!r}",
                )
            )
        if len([ln for ln in lines[4:] if ln.startswith("#")]) < 2:
            issues.append(
                Issue(
                    _display(path),
                    5,
                    "header",
                    "explain the rule's logic in at least two comment lines under the header",
                )
            )
        syntax, _ = _sparql_issues(path, text)
        issues.extend(syntax)
        if not syntax and not re.search(r"(?mi)^\s*CONSTRUCT\s*\{", text):
            issues.append(Issue(_display(path), None, "sparql-syntax", "a rule is one SPARQL CONSTRUCT query"))
        if header.get("kind") == "finding" and not FINDING_IRI.search(text):
            issues.append(
                Issue(
                    _display(path),
                    None,
                    "finding-iri",
                    f'a finding rule mints its IRIs with IRI(CONCAT("{FINDING_NS}", SHA1(...)))',
                )
            )
        issues.extend(ssc_term_issues(path, text, known))
        report.issues.extend(issues)
    report.checked.append(f"rules: {len(paths)} files (header, SPARQL syntax, finding IRIs, ssc: terms)")


def check_queries(paths: list[Path], known: set[str], report: Report) -> None:
    for path in paths:
        text = path.read_text(encoding="utf-8", errors="replace")
        issues = _header_issues(path, text, REQUIRED_QUERY_KEYS)
        header = read_header(text)
        if header.get("question") and "?" not in header["question"]:
            issues.append(
                Issue(
                    _display(path),
                    _key_line(text, "question"),
                    "header",
                    "# question: should be a question (end it with ?)",
                )
            )
        syntax, variables = _sparql_issues(path, text)
        issues.extend(syntax)
        columns = [c.strip() for c in header.get("columns", "").split(",") if c.strip()]
        if variables is not None and columns and columns != variables:
            issues.append(
                Issue(
                    _display(path),
                    _key_line(text, "columns"),
                    "columns",
                    f"# columns: {', '.join(columns)} differ from the SELECT variables {', '.join(variables)}",
                )
            )
        issues.extend(ssc_term_issues(path, text, known))
        report.issues.extend(issues)
    report.checked.append(f"queries: {len(paths)} files (header, SPARQL syntax, columns, ssc: terms)")


# ------------------------------------------------------------------------------------------- all


def _expand(paths: Iterable[Path], pattern: str) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(p.glob(pattern)))
        elif p.is_file():
            out.append(p)
        else:
            raise InputError("no such file or directory", path=p)
    return out


def check_all(
    *,
    ontology: Iterable[Path] = (),
    shapes: Iterable[Path] = (),
    rules: Iterable[Path] = (),
    queries: Iterable[Path] = (),
    bundled: bool = True,
) -> Report:
    """Check the bundled knowledge files (unless ``bundled`` is False) plus the given extra ones."""
    _load_rdflib()
    extra_onto = _expand(ontology, "*.ttl")
    shape_files = (city_shape_files() if bundled else []) + _expand(shapes, "*.ttl")
    rule_files = (files("rules", "*.rq") if bundled else []) + _expand(rules, "*.rq")
    query_files = (files("queries", "*.rq") if bundled else []) + _expand(queries, "*.rq")
    report = Report()
    check_ontology(extra_onto, report)
    known = set(onto.declared_terms())
    for p in extra_onto:
        try:
            g = Graph().parse(p, format="turtle")
        except Exception:  # reported by the ontology check as a syntax problem
            continue
        known |= {str(s) for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(SSC)}
    check_shapes(shape_files, known, report)
    check_rules(rule_files, known, report)
    check_queries(query_files, known, report)
    return report


__all__ = [
    "Issue",
    "Report",
    "check_all",
    "check_ontology",
    "check_queries",
    "check_rules",
    "check_shapes",
    "ssc_term_issues",
]
