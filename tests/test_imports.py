"""The package's import graph, read from the source with ast (nothing is imported): no cycles, intra-package
imports at module top, and the layering README "The package" states: a stage imports only the stages before it
and the top-level helpers; the API imports the stages; the CLI imports only the API and the helpers; nothing
imports the CLI."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from .conftest import ROOT

PACKAGE = ROOT / "sscrdf"

#: the stages, in the order of the flow: a module of a stage may import its own stage and the ones before it
STAGES = ("io", "knowledge", "query", "reasoning", "rules", "shacl", "analysis", "render", "server", "authoring")
#: the top-level helpers: any module may import them; they import only each other
HELPERS = (
    "sscrdf",
    "sscrdf.errors",
    "sscrdf.namespaces",
    "sscrdf.resources",
    "sscrdf.progress",
    "sscrdf.convert",
    "sscrdf.parallel",
    "sscrdf.cache",
    "sscrdf.terms",
)
#: libraries heavy enough to be imported inside the function that needs them (each such import carries a comment
#: saying why), so that commands which do not use them start faster: third-party ones, and the standard library's
#: multiprocessing and ctypes, which only more than one batch of cities (worker processes) needs
HEAVY = (
    "multiprocessing",
    "ctypes",
    "rdflib",
    "pyshacl",
    "owlrl",
    "matplotlib",
    "openpyxl",
    "tqdm",
    "SPARQLWrapper",
    "pyparsing",
    "requests",
    "urllib3",
)
#: the deliberate deferred intra-package imports (README "The package", "Deferred imports"), each for one reason:
#: ``import sscrdf`` stays light and loads the API on first use; the API loads the modules that only some commands
#: use (the server, the HTML page, the authoring checks, the registers, the remote store client, the documentation)
#: in the methods that use them, so that analyze, validate and infer of a city start without them; and the loader
#: loads the register readers only for a CSV register or a workbook
API_DEFERRED = (
    "sscrdf.analysis.instore",
    "sscrdf.authoring.check",
    "sscrdf.authoring.usage",
    "sscrdf.io.csvreg",
    "sscrdf.io.register",
    "sscrdf.knowledge.docs",
    "sscrdf.query.remote",
    "sscrdf.render.html",
    "sscrdf.server.bounded",
    "sscrdf.server.client",
    "sscrdf.server.endpoint",
    "sscrdf.server.watch",
)
LAZY = (
    {("sscrdf", "sscrdf.api")}
    | {("sscrdf.api", m) for m in API_DEFERRED}
    | {("sscrdf.io.load", "sscrdf.io.csvreg"), ("sscrdf.io.load", "sscrdf.io.register")}
)


@dataclass(frozen=True)
class Import:
    source: str  # the importing module
    target: str  # the imported module (``from .x import y`` names module x, or x.y when y is a module)
    line: int
    top: bool  # a statement of the module body (not inside a function or class)
    comment: bool  # a comment on the same line or the line above


def _module_name(path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _has_reason(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, on another import of the same group of lines, or just above the group."""
    i = lineno - 1
    while i >= 0:
        line = lines[i].strip()
        if "#" in line:
            return True
        if not line.startswith(("import ", "from ")):
            return False
        i -= 1
    return False


def _imports() -> list[Import]:
    out = []
    for name, path in sorted(MODULES.items()):
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        tree = ast.parse(text)
        # the module body, including ``if TYPE_CHECKING:`` blocks and other module-level ifs/trys
        top = set()
        todo = list(tree.body)
        while todo:
            n = todo.pop()
            top.add(id(n))
            if isinstance(n, (ast.If, ast.Try)):
                todo += (
                    n.body
                    + n.orelse
                    + getattr(n, "finalbody", [])
                    + [s for h in getattr(n, "handlers", []) for s in h.body]
                )
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            comment = _has_reason(lines, node.lineno)
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
                targets = [f"{mod}.{a.name}" if f"{mod}.{a.name}" in MODULES else mod for a in node.names]
            else:
                targets = [node.module or ""]
            out += [Import(name, t, node.lineno, id(node) in top, comment) for t in targets]
    return out


IMPORTS = _imports()
INTERNAL = [i for i in IMPORTS if i.target == "sscrdf" or i.target.startswith("sscrdf.")]


def _layer(module: str) -> tuple[str, int]:
    if module in HELPERS:
        return "helper", -1
    if module == "sscrdf.api":
        return "api", len(STAGES)
    if module == "sscrdf.cli":
        return "cli", len(STAGES) + 1
    stage = module.split(".")[1]
    assert stage in STAGES, f"{module} is in no stage of STAGES and is not a helper: add it to README and here"
    return stage, STAGES.index(stage)


def test_every_module_has_a_layer():
    for name in MODULES:
        _layer(name)


def test_intra_package_imports_are_at_the_top():
    inner = [
        f"{i.source}:{i.line} imports {i.target}" for i in INTERNAL if not i.top and (i.source, i.target) not in LAZY
    ]
    assert inner == []


def test_imports_inside_functions_are_heavy_libraries_with_a_reason():
    bad = [
        f"{i.source}:{i.line} imports {i.target}{'' if i.comment else ' (no comment saying why)'}"
        for i in IMPORTS
        if not i.top and (i.source, i.target) not in LAZY and (i.target.split(".")[0] not in HEAVY or not i.comment)
    ]
    assert bad == []


def test_no_import_cycle():
    graph: dict[str, set[str]] = {}
    for i in INTERNAL:
        if i.target in MODULES and i.target != i.source and (i.source, i.target) not in LAZY:
            graph.setdefault(i.source, set()).add(i.target)
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(path[path.index(nxt) :] + [node, nxt]) if nxt in path else f"{node}->{nxt}")
            elif nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    assert cycles == []


def _violation(imp: Import) -> str | None:
    src, src_rank = _layer(imp.source)
    dst, dst_rank = _layer(imp.target) if imp.target in MODULES else ("helper", -1)
    if src == "helper" and dst != "helper":
        return f"the helper {imp.source} imports the {dst} module {imp.target}"
    if src == "cli" and dst not in ("helper", "api"):
        return f"the CLI reaches {imp.target} without the API"
    if dst == "cli":
        return f"{imp.source} imports the CLI"
    if dst_rank > src_rank:
        return f"{imp.source} ({src}) imports {imp.target} ({dst}), a later stage"
    return None


def test_layering():
    bad = [f"{i.source}:{i.line}: {v}" for i in INTERNAL if (i.source, i.target) not in LAZY and (v := _violation(i))]
    assert bad == []


def test_nothing_imports_the_cli():
    assert [i.source for i in INTERNAL if i.target == "sscrdf.cli"] == []
