"""Knowledge lives in data files (ontology/, shapes/, rules/, queries/, mappings/), not in Python.

The Python code of ``sscrdf/`` is read with ``ast`` (docstrings and comments are prose and are not read) and
every ``ssc:`` term it names is collected: written ``ssc:Name`` or as a full IRI in a string, built as
``SSC + "name"`` / ``f"{SSC}name"`` / ``SSC.name`` / ``SSC["name"]``, or given as a bare string equal to the
local name of a declared class or individual (``"ManageClosely"``). Only the engine contract may appear: the
terms the engine itself must know to run at all (README, "Knowledge only in data files"). A module that still
held knowledge would be listed in KNOWN_DEBT with the terms it uses, so that the list could only shrink (it is
empty).
"""

from __future__ import annotations

import ast
import itertools
import re
from collections import defaultdict

from sscrdf.knowledge.ontology import declared_terms
from sscrdf.namespaces import SSC

from .conftest import ROOT

NS = str(SSC)
#: the terms the engine itself must know (README, "Knowledge only in data files")
ENGINE_CONTRACT = {
    # a city and its stakeholders: loading, validation and every query work city by city
    "City",
    "hasStakeholder",
    # findings, which the rules derive and the engine triages and reports
    "Finding",
    "findingKind",
    "about",
    "concerns",
    "severity",
    "inCity",
    "Gap",
    "Overlap",
    "Risk",
    "Recommendation",
    # the date the rules run on, which the engine states before running them
    "asOfDate",
    # the order of an ordered vocabulary (with skos:notation)
    "rank",
}
#: modules that still spell out ontology terms, and exactly which ones (to be moved into mappings/)
KNOWN_DEBT: dict[str, set[str]] = {}

_PREFIXED = re.compile(r"(?<![\w/#])ssc:([A-Za-z_][\w-]*)")
_FULL = re.compile(re.escape(NS) + r"([A-Za-z_][\w-]*)")


def _is_namespace(node: ast.AST) -> bool:
    """A name or attribute that holds the ssc: namespace (SSC, _SSC, namespaces.SSC, str(SSC))."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str" and node.args:
        return _is_namespace(node.args[0])
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return name.lstrip("_") == "SSC"


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def terms_in_code() -> dict[str, dict[str, list[int]]]:
    """file → ssc: local name → the lines where the code names it."""
    declared = {t[len(NS) :] for t in declared_terms()}
    capitalised = {t for t in declared if t[:1].isupper()}  # classes and individuals
    found: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted((ROOT / "sscrdf").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            names: set[str] = set()
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                names |= set(_PREFIXED.findall(node.value)) | set(_FULL.findall(node.value))
                if node.value in capitalised:
                    names.add(node.value)
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and _is_namespace(node.left):
                if isinstance(node.right, ast.Constant) and isinstance(node.right.value, str):
                    names.add(node.right.value)
            elif isinstance(node, ast.JoinedStr):
                parts = node.values
                for a, b in itertools.pairwise(parts):
                    if isinstance(a, ast.FormattedValue) and _is_namespace(a.value) and isinstance(b, ast.Constant):
                        m = re.match(r"[A-Za-z_][\w-]*", str(b.value))
                        if m:
                            names.add(m.group(0))
            elif isinstance(node, ast.Attribute) and _is_namespace(node.value):
                names.add(node.attr)
            elif (
                isinstance(node, ast.Subscript)
                and _is_namespace(node.value)
                and isinstance(node.slice, ast.Constant)
                and isinstance(node.slice.value, str)
            ):
                names.add(node.slice.value)
            for name in names:
                found[rel][name].append(node.lineno)
    return found


FOUND = terms_in_code()


def test_python_names_only_the_engine_contract():
    bad = [
        f"{path}:{lines[0]}: ssc:{name}"
        for path, names in FOUND.items()
        for name, lines in sorted(names.items())
        if name not in ENGINE_CONTRACT and name not in KNOWN_DEBT.get(path, set())
    ]
    assert bad == [], "knowledge in Python: move it to ontology/, queries/ or mappings/ (or argue it into the contract)"


def test_the_known_debt_is_exact():
    """An entry of KNOWN_DEBT that is no longer needed must go (the list only shrinks)."""
    for path, names in KNOWN_DEBT.items():
        assert names <= set(FOUND.get(path, {})), f"{path}: {sorted(names - set(FOUND.get(path, {})))} no longer used"


def test_the_contract_is_declared_and_written_in_the_readme():
    declared = {t[len(NS) :] for t in declared_terms()}
    assert declared >= ENGINE_CONTRACT
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Knowledge only in data files") :]
    assert all(f"`ssc:{name}`" in section for name in ENGINE_CONTRACT | set().union(set(), *KNOWN_DEBT.values()))


def test_the_scanner_sees_every_way_of_writing_a_term(tmp_path):
    code = 'A = SSC + "Municipality"\nB = f"{SSC}Gap"\nC = "ssc:Monitor"\nD = SSC.scale\nE = "ManageClosely"\n'
    tree = ast.parse(code)
    seen = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp) and _is_namespace(node.left):
            seen.add(node.right.value)
        elif isinstance(node, ast.Attribute) and _is_namespace(node.value):
            seen.add(node.attr)
    assert seen == {"Municipality", "scale"}
    assert _PREFIXED.findall('x = "ssc:Monitor"') == ["Monitor"]
    assert _FULL.findall(NS + "Leading") == ["Leading"]


#: the namespaces whose IRIs only sscrdf/namespaces.py may write out
_NAMESPACE_IRI = re.compile(r"https?://(?:www\.w3\.org|w3id\.org|purl\.org|www\.daml\.org)/|urn:sscrdf:")


def test_iri_strings_go_through_namespaces():
    """Every IRI of a vocabulary, a graph, a schema or a made-up urn:sscrdf: node comes from sscrdf.namespaces."""
    bad = []
    for path in sorted((ROOT / "sscrdf").rglob("*.py")):
        if path.name == "namespaces.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docs
                and _NAMESPACE_IRI.search(node.value)
            ):
                bad.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}")
    assert bad == []
