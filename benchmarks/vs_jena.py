#!/usr/bin/env python3
"""The whole `sscrdf analyze` against Apache Jena's SHACL validation alone, on the same data, in one run.

    python benchmarks/run.py --vs-jena [--sizes 100,1000] [--reference-max 10] [--seed 1] [--jena-xmx 8g]

(or `python benchmarks/vs_jena.py` with the same options). For each N, on the generated file of N cities
(benchmarks/generate.py, cached in benchmarks/out/):

1. Jena's input is written first and not timed as Jena's: one N-Triples file holding what sscrdf itself validates,
   the ontology with its own entailments once, then each city's triples and the entailments of the fast reasoner
   for that city (`sscrdf.reasoning.closure.entail`, the function `sscrdf infer` and the validator use), and the
   bundled city shapes (`shapes/city/*.ttl`) as one Turtle file.
2. Timed, one after the other, each as a whole process (wall time, CPU time of the process tree, peak resident
   memory of the process tree sampled every 20 ms: `run.run_measured`):
   (a) `sscrdf analyze FILE --as-of 2026-11-21 --format json -o analysis.json`;
   (b) Jena's own command line `shacl.shacl validate --shapes shapes.ttl --data data.nt` (jena-cmds), report
       written as Turtle to a file: JVM start, parsing, validation and writing the report all count. The class
       path and the Xerces message files come from tests/stores.py (`jena_classpath`). The heap is fixed with
       `-Xmx` (`--jena-xmx`); the JVM logs its collections (`-Xlog:gc`) and the table shows the largest heap left
       after a collection (a lower bound of what Jena keeps live: with much room it collects rarely).
3. Compared exactly, not timed: Jena's sh:ValidationResults against sscrdf's (`validate_store`, the default fast
   engine, as `analyze` runs it), each result as (focus, path, shape, severity, constraint component, value),
   as multisets. IRIs are compared as IRIs, literals by lexical form, datatype and language (a plain literal is an
   xsd:string), blank nodes by their content (a complex path is compared by its structure; a blank node with
   no properties in its graph is `[]`). Messages are not compared (Jena writes an IRI filled into a message
   template as `<IRI>`). sscrdf's integrity checks (shapes that are not in the shapes graph, such as
   `sscsh:StakeholderIsIRIShape`) are left out and counted. The results listed in the analysis JSON of run (a)
   are also checked to be the same multiset, in the JSON's spelling (prefixed names, literal text); the JSON
   lists a graph's results under each ssc:City of the graph, so each graph is counted once.
   For N up to --reference-max the reference path (owlrl closure + pySHACL, one batch) is compared the same way.

Writes benchmarks/out/vs-jena.json and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # run from a checkout: the sscrdf and tests next to this script

import pyoxigraph as ox  # noqa: E402
from rdflib import BNode, Graph, Literal, URIRef  # noqa: E402
from rdflib.namespace import RDF, SH, XSD  # noqa: E402

from sscrdf import terms  # noqa: E402
from sscrdf.convert import to_rdflib_term  # noqa: E402
from sscrdf.io.load import load  # noqa: E402
from sscrdf.namespaces import short  # noqa: E402
from sscrdf.reasoning.closure import entail, ontology_closure  # noqa: E402
from sscrdf.reasoning.store import split_by_graph  # noqa: E402
from sscrdf.shacl.results import Result  # noqa: E402
from sscrdf.shacl.validate import shapes_graph, validate_store  # noqa: E402
from tests.stores import JAVA_DIR, StoreUnavailable, jena_classpath  # noqa: E402

# run.py (measuring a process, the cached datasets) loaded by its path: benchmarks/ is not a package
_spec = importlib.util.spec_from_file_location("sscrdf_benchmarks_run", HERE / "run.py")
assert _spec is not None and _spec.loader is not None
_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_run)
AS_OF, OUT, dataset, run_measured = _run.AS_OF, _run.OUT, _run.dataset, _run.run_measured

Key = tuple[str, str | None, str, str, str, str | None]  # focus, path, shape, severity, component, value


# ----------------------------------------------------------------------------------------------- inputs


def write_inputs(store: ox.Store, workdir: Path) -> dict[str, Any]:
    """Jena's data file (ontology closure once, then each city's triples and entailments) and shapes file."""
    workdir.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    data, shapes = workdir / "data.nt", workdir / "shapes.ttl"
    count = 0
    tmp = data.with_suffix(".nt.part")
    with tmp.open("wb") as out:
        onto = ontology_closure()
        out.write(ox.serialize(onto, format=ox.RdfFormat.N_TRIPLES))
        count += len(onto)
        for _graph, triples in split_by_graph(store):
            _, inferred = entail(triples, "fast", full=False)
            # a city's triples that are already ontology triples are written once, as the ontology's
            own = [t for t in triples if t not in onto]
            out.write(ox.serialize(own, format=ox.RdfFormat.N_TRIPLES))
            out.write(ox.serialize(inferred - onto, format=ox.RdfFormat.N_TRIPLES))
            count += len(own) + len(inferred - onto)
    tmp.replace(data)
    shapes_graph().serialize(shapes, format="turtle")
    return {"data": data, "shapes": shapes, "triples": count, "seconds": time.perf_counter() - t0}


# ----------------------------------------------------------------------------------------------- Jena


def jena_version() -> str:
    """The version in Debian's jena-shacl jar (its Maven pom.properties), and the Java runtime's version."""
    with zipfile.ZipFile(JAVA_DIR / "jena-shacl.jar") as z:
        props = z.read("META-INF/maven/org.apache.jena/jena-shacl/pom.properties").decode("utf-8", "replace")
    version = next((line.split("=", 1)[1].strip() for line in props.splitlines() if line.startswith("version=")), "?")
    java = subprocess.run(["java", "-version"], capture_output=True, text=True, timeout=60, check=False)
    return f"Apache Jena {version} (Debian libapache-jena-java), {java.stderr.splitlines()[0]}"


def jena_command(workdir: Path, shapes: Path, data: Path, xmx: str) -> list[str]:
    """Jena's own SHACL command line, its heap fixed to ``xmx``, collections logged to workdir/gc.log."""
    return [
        "java",
        f"-Xmx{xmx}",
        f"-Xlog:gc:file={workdir / 'gc.log'}",
        "-cp",
        jena_classpath(workdir),
        "shacl.shacl",
        "validate",
        "--shapes",
        str(shapes),
        "--data",
        str(data),
    ]


def heap_after_gc_mib(gc_log: Path) -> int | None:
    """The largest heap occupancy right after a collection (G1 logs `... 1234M->567M(2048M) ...`)."""
    peak = None
    for line in gc_log.read_text(encoding="utf-8", errors="replace").splitlines():
        for word in line.split():
            if "->" in word and word.endswith(")") and "(" in word:
                after = word.split("->", 1)[1].split("(", 1)[0]
                if after.endswith("M") and after[:-1].isdigit():
                    peak = max(peak or 0, int(after[:-1]))
    return peak


# ----------------------------------------------------------------------------------------------- results


def node_key(g: Graph, node: object, seen: frozenset[object] = frozenset()) -> str | None:
    """A term as comparable text: <IRI>, a literal as lexical form + datatype (plain = xsd:string) or language,
    a blank node as its content in ``g`` (sorted predicate/object pairs; `[]` when it has none)."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        if node.language:
            return f"{json.dumps(str(node))}@{node.language.lower()}"
        return f"{json.dumps(str(node))}^^<{node.datatype or XSD.string}>"
    if isinstance(node, BNode):
        if node in seen:
            return "[cycle]"
        pairs = sorted(f"<{p}> {node_key(g, o, seen | {node})}" for p, o in g.predicate_objects(node))
        return "[" + " ; ".join(pairs) + "]"
    raise TypeError(f"unexpected term {node!r}")


def _key(g: Graph, focus: object, path: object, shape: object, severity: object, component: object, value: object):
    return (
        node_key(g, focus),
        node_key(g, path),
        node_key(g, shape),
        node_key(g, severity),
        node_key(g, component),
        node_key(g, value),
    )


def result_key(g: Graph, r: Any) -> Key:
    """The comparable key of the sh:ValidationResult ``r`` of the report graph ``g``."""
    return _key(
        g,
        g.value(r, SH.focusNode),
        g.value(r, SH.resultPath),
        g.value(r, SH.sourceShape),
        g.value(r, SH.resultSeverity),
        g.value(r, SH.sourceConstraintComponent),
        g.value(r, SH.value),
    )


def jena_results(report: Path) -> tuple[Counter[Key], bool]:
    """Jena's results (as keys) and its sh:conforms."""
    g = Graph().parse(report, format="turtle")
    keys: Counter[Key] = Counter()
    for r in g.subjects(RDF.type, SH.ValidationResult):
        keys[result_key(g, r)] += 1
    conforms = g.value(g.value(None, RDF.type, SH.ValidationReport), SH.conforms)
    return keys, bool(conforms is not None and conforms.toPython())


def sscrdf_results(store: ox.Store, reasoner: str = "fast", engine: str = "fast", **kw: Any) -> dict[str, Any]:
    """sscrdf's SHACL results of every city of ``store`` (as keys; results of shapes that are not in the shapes
    graph, i.e. the integrity checks, left out and counted) and the results themselves."""
    t0 = time.perf_counter()
    report = validate_store(store, reasoner=reasoner, engine=engine, **kw)
    took = time.perf_counter() - t0
    sg = report.shapes_graph() or shapes_graph()  # the graph the results' blank nodes (complex paths) come from
    kept: list[Result] = []
    integrity = 0
    for r in report.results:
        if (to_rdflib_term(r.shape), None, None) in sg:
            kept.append(r)
        else:
            integrity += 1

    def rdflib(term: Any) -> Any:  # results hold sscrdf.terms terms; the shapes graph and _key are rdflib's
        return None if term is None else to_rdflib_term(term)

    keys: Counter[Key] = Counter(
        _key(sg, *(rdflib(t) for t in (r.focus, r.path, r.shape, r.severity, r.component, r.value))) for r in kept
    )
    return {"keys": keys, "results": kept, "integrity": integrity, "seconds": took, "shapes": sg}


def json_spelling(results: Iterable[Result]) -> Counter[tuple[object, ...]]:
    """Results as the analysis JSON writes them (sscrdf.render.report._result_json)."""

    def term(t: object, blank: str) -> str | None:  # results hold sscrdf.terms terms
        return None if t is None else blank if isinstance(t, (BNode, terms.BNode)) else short(t)

    return Counter(
        (
            r.severity_name,
            str(r.focus),
            term(r.path, "(complex path)"),
            term(r.value, "(blank node)"),
            str(r.shape),
            str(r.component),
        )
        for r in results
    )


def analysis_json_results(path: Path, shapes: Graph) -> tuple[Counter[tuple[object, ...]], int]:
    """The validation results listed in an analysis JSON (entries → validation), integrity checks left out, and
    the number of named graphs holding more than one ssc:City (a generated city with copied rule fixtures holds
    several). Each city of such a graph lists the results whose focus is nearest to it, and a result no city
    reaches under every city, so a graph's results are the union of its cities' (the larger count of each)."""
    data = json.loads(path.read_bytes())
    shape_iris = {str(s) for s in shapes.subjects() if isinstance(s, URIRef)}
    by_graph: dict[object, Counter[tuple[object, ...]]] = {}
    shared = set()
    for city in data["cities"]:
        results = Counter(
            (v["severity"], v["focus"], v["path"], v["value"], v["shape"], v["component"])
            for entry in city["entries"]
            for v in entry["validation"]
            if v["shape"] in shape_iris
        )
        graph = city["graph"]
        if graph in by_graph:
            shared.add(graph)
            results |= by_graph[graph]
        by_graph[graph] = results
    return sum(by_graph.values(), Counter()), len(shared)


def difference(a: Counter[Any], b: Counter[Any], limit: int = 10) -> dict[str, Any]:
    """Equal or not, and up to ``limit`` examples of what only one side has (with their counts)."""
    only_a, only_b = a - b, b - a
    return {
        "equal": not only_a and not only_b,
        "only_first": sum(only_a.values()),
        "only_second": sum(only_b.values()),
        "examples_only_first": [[*k, n] for k, n in sorted(only_a.items(), key=str)[:limit]],
        "examples_only_second": [[*k, n] for k, n in sorted(only_b.items(), key=str)[:limit]],
    }


def compare(store: ox.Store, jena_report: Path, analysis_json: Path | None = None) -> dict[str, Any]:
    """Jena's results against sscrdf's (and, when given, the analysis JSON's against sscrdf's)."""
    ours = sscrdf_results(store)
    theirs, conforms = jena_results(jena_report)
    out: dict[str, Any] = {
        "sscrdf_results": sum(ours["keys"].values()),
        "jena_results": sum(theirs.values()),
        "jena_conforms": conforms,
        "integrity_results_left_out": ours["integrity"],
        "complex_paths": sum(n for k, n in ours["keys"].items() if k[1] is not None and k[1].startswith("[")),
        "validate_inprocess_s": round(ours["seconds"], 2),
        "sscrdf_vs_jena": difference(ours["keys"], theirs),
    }
    if analysis_json is not None:
        listed, shared = analysis_json_results(analysis_json, ours["shapes"])
        out["analysis_json_vs_sscrdf"] = difference(listed, json_spelling(ours["results"]))
        out["graphs_with_several_cities"] = shared
    out["_keys"] = ours["keys"]
    return out


# ----------------------------------------------------------------------------------------------- run


def measure(n: int, seed: int, xmx: str, reference_max: int) -> dict[str, Any]:
    path = dataset(n, seed)
    workdir = OUT / f"vs-jena-{n}-seed{seed}"
    t0 = time.perf_counter()
    loaded = load([path])
    inputs = write_inputs(loaded.store, workdir)
    prep_s = time.perf_counter() - t0
    sscrdf = str(Path(sys.executable).parent / "sscrdf")
    analysis = workdir / "analysis.json"
    load_before = os.getloadavg()[0]
    a_wall, a_peak, a_code, a_cpu = run_measured(
        [sscrdf, "analyze", str(path), "--as-of", AS_OF, "--format", "json", "-o", str(analysis)]
    )
    report = workdir / "jena-report.ttl"
    gc_log = workdir / "gc.log"
    gc_log.unlink(missing_ok=True)
    j_wall, j_peak, j_code, j_cpu = run_measured(
        jena_command(workdir, inputs["shapes"], inputs["data"], xmx), stdout=report
    )
    load_after = os.getloadavg()[0]
    if j_code != 0:
        raise SystemExit(f"Jena SHACL exited with {j_code} at N={n}")
    row: dict[str, Any] = {
        "cities": n,
        "triples": loaded.triple_count,
        "jena_input_triples": inputs["triples"],
        "prepare_jena_input_s": round(prep_s, 1),
        "analyze_wall_s": round(a_wall, 2),
        "analyze_cpu_s": round(a_cpu, 1),
        "analyze_peak_mib": round(a_peak),
        "analyze_exit": a_code,
        "jena_wall_s": round(j_wall, 2),
        "jena_cpu_s": round(j_cpu, 1),
        "jena_peak_mib": round(j_peak),
        "jena_heap_after_gc_max_mib": heap_after_gc_mib(gc_log) if gc_log.exists() else None,
        "jena_xmx": xmx,
        "wall_ratio_jena_over_analyze": round(j_wall / a_wall, 2),
        "cpu_ratio_jena_over_analyze": round(j_cpu / a_cpu, 2),
        "load_average_before_after": [round(load_before, 2), round(load_after, 2)],
    }
    cmp = compare(loaded.store, report, analysis)
    keys = cmp.pop("_keys")
    row.update(cmp)
    if n <= reference_max:
        ref = sscrdf_results(loaded.store, reasoner="owlrl", engine="pyshacl", batch_size=10**9)
        theirs, _ = jena_results(report)
        row.update(
            reference_validate_s=round(ref["seconds"], 2),
            reference_vs_jena=difference(ref["keys"], theirs),
            reference_vs_sscrdf=difference(ref["keys"], keys),
        )
    return row


def table(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| cities | triples | Jena's input | `sscrdf analyze` wall / CPU / peak | Jena SHACL wall / CPU / peak "
        "(heap after GC, max) | Jena ÷ analyze, wall (CPU) | results sscrdf / Jena | same as Jena | "
        "reference (owlrl + pySHACL) |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in rows:
        same = "yes" if r["sscrdf_vs_jena"]["equal"] else "**NO**"
        if "analysis_json_vs_sscrdf" in r and not r["analysis_json_vs_sscrdf"]["equal"]:
            same += " (analysis JSON differs)"
        ref = "—"
        if "reference_vs_jena" in r:
            ref = ("same" if r["reference_vs_jena"]["equal"] else "**differs**") + f", {r['reference_validate_s']} s"
        heap = r["jena_heap_after_gc_max_mib"]
        lines.append(
            f"| {r['cities']:,} | {r['triples']:,} | {r['jena_input_triples']:,} | "
            f"{r['analyze_wall_s']} s / {r['analyze_cpu_s']} s / {r['analyze_peak_mib']:,} MiB | "
            f"{r['jena_wall_s']} s / {r['jena_cpu_s']} s / {r['jena_peak_mib']:,} MiB "
            f"({'?' if heap is None else f'{heap:,}'} MiB, -Xmx{r['jena_xmx']}) | "
            f"{r['wall_ratio_jena_over_analyze']}× ({r['cpu_ratio_jena_over_analyze']}×) | "
            f"{r['sscrdf_results']:,} / {r['jena_results']:,} | {same} | {ref} |"
        )
    return "\n".join(lines)


def run(sizes: list[int], reference_max: int, seed: int, xmx: str) -> dict[str, Any]:
    try:
        version = jena_version()
        jena_classpath(OUT)
    except (StoreUnavailable, FileNotFoundError, KeyError) as exc:
        raise SystemExit(f"Apache Jena is needed for --vs-jena: {exc}") from None
    rows = []
    for n in sizes:
        rows.append(measure(n, seed, xmx, reference_max))
        print(json.dumps(rows[-1]), file=sys.stderr)
    machine = (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"pyoxigraph {ox.__version__}; {version}"
    )
    result = {"machine": machine, "date": dt.date.today().isoformat(), "seed": seed, "rows": rows}
    OUT.mkdir(exist_ok=True)
    (OUT / "vs-jena.json").write_text(json.dumps(result, indent=2))
    print(f"Machine: {machine}\n\n{table(rows)}")
    return result


def jena_only(sizes: list[int], seed: int, xmx: str) -> list[dict[str, Any]]:
    """Jena alone again, on the inputs an earlier run wrote (to see what the heap limit changes)."""
    rows = []
    for n in sizes:
        workdir = OUT / f"vs-jena-{n}-seed{seed}"
        shapes, data = workdir / "shapes.ttl", workdir / "data.nt"
        if not data.exists() or not shapes.exists():
            raise SystemExit(f"{data}: no input for N={n}; run --vs-jena --sizes {n} first")
        (workdir / "gc.log").unlink(missing_ok=True)
        wall, peak, code, cpu = run_measured(
            jena_command(workdir, shapes, data, xmx), stdout=workdir / f"jena-report-{xmx}.ttl"
        )
        if code != 0:
            raise SystemExit(f"Jena SHACL exited with {code} at N={n} with -Xmx{xmx}")
        theirs, _ = jena_results(workdir / f"jena-report-{xmx}.ttl")
        first, _ = jena_results(workdir / "jena-report.ttl")
        rows.append(
            {
                "cities": n,
                "jena_xmx": xmx,
                "jena_wall_s": round(wall, 2),
                "jena_cpu_s": round(cpu, 1),
                "jena_peak_mib": round(peak),
                "jena_heap_after_gc_max_mib": heap_after_gc_mib(workdir / "gc.log"),
                "same_results_as_first_run": theirs == first,
                "load_average": round(os.getloadavg()[0], 2),
            }
        )
        print(json.dumps(rows[-1]))
    return rows


def arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument(
        "--jena-xmx",
        default="8g",
        help="Jena's JVM heap limit (-Xmx; default 8g: Jena keeps far less live, see benchmarks/README.md)",
    )
    ap.add_argument(
        "--jena-only",
        action="store_true",
        help="with --vs-jena: only Jena again, on the inputs of an earlier run (e.g. with another --jena-xmx)",
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100,1000")
    ap.add_argument("--reference-max", type=int, default=10, help="largest N to also run the reference path on")
    ap.add_argument("--seed", type=int, default=1)
    arguments(ap)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.jena_only:
        jena_only(sizes, args.seed, args.jena_xmx)
    else:
        run(sizes, args.reference_max, args.seed, args.jena_xmx)


if __name__ == "__main__":
    main()
