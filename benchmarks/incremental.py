#!/usr/bin/env python3
"""Re-analysing one changed city of a portal: does it take the time of one city, or of the portal?

    python benchmarks/incremental.py [--cities 1000] [--json out.json]

generates N cities (benchmarks/generate.py, seed 1, flaw rate 0.3), starts an Oxigraph server on 127.0.0.1
(tests/stores.py, ``--union-default-graph``, a fresh database) and measures, through sscrdf's Python API in this
one process (imports and the ontology closure already warm; analysis date 2026-11-21):

1. **portal**: ``push`` of all N cities with ``what="all"`` (each city reasoned and its rules run on its own,
   spread over the cores, then its data, inferred and derived graphs written with the Graph Store Protocol);
2. **one city in the portal**: one city changed (its label; one stakeholder dropped from the register), then
   ``push --replace --what inferred`` of that city alone and ``analyze --endpoint … --graph-per-city --city G``;
3. **one city alone**: the same changed city pushed and analysed in the same way in a second, empty server.

Steps 2 and 3 are each run ``--repeat`` times (default 3) and the median is printed; their JSON reports must
be equal (the script stops if not), and the other cities' derived graphs must be untouched by step 2.

    python benchmarks/incremental.py --serve [--cities 200]

measures ``sscrdf serve --watch`` instead: the N cities written one TriG file each, the command started on
127.0.0.1 (time until it serves), then the changed city's file replaced (renamed over the old one) and the time
until a query answers with the city's new label, ``--repeat`` times (the label changed each time).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout: the sscrdf and tests next to this script

import pyoxigraph as ox  # noqa: E402

from sscrdf.api import Connection, KnowledgeBase  # noqa: E402
from sscrdf.reasoning.store import derived_graph  # noqa: E402
from tests import stores  # noqa: E402

AS_OF = dt.date(2026, 11, 21)
SSC = "https://w3id.org/sscrdf/ontology#"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


def generate(cities: int, workdir: Path) -> Path:
    data = workdir / f"cities-{cities}.trig"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--cities", str(cities), "-o", str(data)],
        check=True,
        capture_output=True,
    )
    return data


def changed_city(data: Path, workdir: Path) -> tuple[Path, str]:
    """The middle city of ``data``, changed (its label, and one stakeholder less in its register), as a TriG file
    of its own in the same named graph; and that graph's IRI."""
    store = ox.Store()
    store.bulk_load(path=str(data), format=ox.RdfFormat.TRIG)
    graphs = sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    graph = ox.NamedNode(graphs[len(graphs) // 2])
    quads = list(store.quads_for_pattern(None, None, None, graph))
    city = next(q.subject for q in quads if q.predicate.value.endswith("#type") and q.object.value == SSC + "City")
    has = [q for q in quads if q.subject == city and q.predicate.value == SSC + "hasStakeholder"]
    drop = {has[-1]}
    out = []
    for q in quads:
        if q in drop:
            continue
        if q.subject == city and q.predicate == RDFS_LABEL and isinstance(q.object, ox.Literal):
            q = ox.Quad(q.subject, q.predicate, ox.Literal(q.object.value + " (changed)", language="en"), graph)
        out.append(q)
    path = workdir / "changed.trig"
    path.write_bytes(ox.serialize(out, format=ox.RdfFormat.TRIG) or b"")
    return path, graph.value


def graph_lines(base: str, graph: str) -> set[str]:
    req = urllib.request.Request(
        f"{base}/store?graph=" + urllib.parse.quote(graph, safe=""), headers={"Accept": "application/n-triples"}
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return set(resp.read().decode().splitlines())


def one_city(kb: KnowledgeBase, base: str, path: Path, graph: str) -> tuple[float, float, str, int]:
    """(seconds to push the city with --replace, seconds to analyse it in the store, the JSON report, the HTTP
    requests both sent)."""
    conn = Connection()
    t0 = time.perf_counter()
    kb.push([path], f"{base}/store", what="inferred", replace=True, as_of=AS_OF, connection=conn)
    t1 = time.perf_counter()
    report = kb.analyze_endpoint(
        f"{base}/query", f"{base}/update", as_of=AS_OF, graph_per_city=True, cities=[graph], connection=conn
    )
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, report.to_json(), conn.requests_sent


def serve_watch(data: Path, workdir: Path, repeat: int) -> dict[str, object]:
    """Time ``sscrdf serve --watch`` over one file per city: start-up, and each reload of one changed city."""
    store = ox.Store()
    store.bulk_load(path=str(data), format=ox.RdfFormat.TRIG)
    graphs = sorted(g for g in store.named_graphs() if isinstance(g, ox.NamedNode))
    files = []
    for i, g in enumerate(graphs):
        path = workdir / f"city-{i:04d}.trig"
        path.write_bytes(ox.serialize(store.quads_for_pattern(None, None, None, g), format=ox.RdfFormat.TRIG) or b"")
        files.append(path)
    middle = len(graphs) // 2
    graph, path = graphs[middle], files[middle]
    quads = list(store.quads_for_pattern(None, None, None, graph))
    city = next(q.subject for q in quads if q.predicate.value.endswith("#type") and q.object.value == SSC + "City")
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sscrdf.cli",
            "-q",
            "serve",
            *map(str, files),
            "--watch",
            "--watch-interval",
            "0.5",
            "--port",
            "0",
            "--as-of",
            AS_OF.isoformat(),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        start_s = time.perf_counter() - t0
        url = first.split(" on ", 1)[1].split(" ", 1)[0]
        label_query = f"SELECT ?l WHERE {{ <{city.value}> <{RDFS_LABEL.value}> ?l }}"
        reloads, logged = [], []
        for i in range(repeat):
            label = f"Changed city {i + 1}"
            changed = [
                ox.Quad(q.subject, q.predicate, ox.Literal(label, language="en"), q.graph_name)
                if q.subject == city and q.predicate == RDFS_LABEL
                else q
                for q in quads
            ]
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(ox.serialize(changed, format=ox.RdfFormat.TRIG) or b"")
            t0 = time.perf_counter()
            os.replace(tmp, path)
            while True:
                body = urllib.parse.urlencode({"query": label_query}).encode()
                req = urllib.request.Request(url, data=body, headers={"Accept": "text/csv"})
                with urllib.request.urlopen(req, timeout=60) as resp:
                    if label in resp.read().decode():
                        break
                if time.perf_counter() - t0 > 300:
                    raise SystemExit("error: the change was not served within 300 s")
                time.sleep(0.05)
            reloads.append(time.perf_counter() - t0)
            logged.append(proc.stderr.readline().strip())
            print(f"reload {i + 1}: {reloads[-1]:.2f} s ({logged[-1]})", file=sys.stderr)
        return {"start_s": start_s, "reload_s": reloads, "log": logged}
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cities", type=int, default=1000, help="cities in the portal (default 1000)")
    ap.add_argument("--repeat", type=int, default=3, help="runs of the one-city steps (median printed)")
    ap.add_argument("--json", help="also write the figures as JSON to this file")
    ap.add_argument("--serve", action="store_true", help="measure `sscrdf serve --watch` instead (see above)")
    args = ap.parse_args(argv)
    if args.cities < 2 or args.repeat < 1:
        ap.error("--cities must be at least 2 and --repeat at least 1")
    workdir = Path(tempfile.mkdtemp(prefix="sscrdf-incremental-"))
    kb = KnowledgeBase()
    servers: list[stores.OxigraphServer] = []
    try:
        data = generate(args.cities, workdir)
        if args.serve:
            (workdir / "files").mkdir()
            out = serve_watch(data, workdir / "files", args.repeat)
            reload_s = statistics.median(out["reload_s"])  # type: ignore[arg-type]
            print(
                f"`sscrdf serve --watch` of {args.cities} cities (one file each): serving after "
                f"{out['start_s']:.1f} s; one changed city served after {reload_s:.2f} s (median)"
            )
            if args.json:
                Path(args.json).write_text(json.dumps({"cities": args.cities, **out}, indent=2), encoding="utf-8")
            return 0
        path, graph = changed_city(data, workdir)
        (workdir / "portal").mkdir()
        (workdir / "alone").mkdir()
        portal = stores.start_oxigraph(workdir / "portal")
        servers.append(portal)
        alone = stores.start_oxigraph(workdir / "alone")
        servers.append(alone)

        t0 = time.perf_counter()
        summary = kb.push([data], f"{portal.base}/store", what="all", as_of=AS_OF)
        full_s = time.perf_counter() - t0
        print(f"portal: {args.cities} cities, {summary.triples} triples pushed in {full_s:.1f} s", file=sys.stderr)
        others = [g for g, role, _ in summary.graphs if role == "derived" and g != derived_graph(graph).value]
        watched = others[:: max(1, len(others) // 5)]
        before = {g: graph_lines(portal.base, g) for g in watched}

        in_portal, by_itself = [], []
        reports, requests = set(), set()
        for i in range(args.repeat):  # alternated, so that both see the same load on the shared machine
            push_s, analyze_s, report, sent = one_city(kb, portal.base, path, graph)
            in_portal.append((push_s, analyze_s))
            reports.add(report)
            requests.add(("portal", sent))
            push_s, analyze_s, report, sent = one_city(kb, alone.base, path, graph)
            by_itself.append((push_s, analyze_s))
            reports.add(report)
            requests.add(("alone", sent))
            print(f"run {i + 1}: in the portal {in_portal[-1]}, alone {by_itself[-1]}", file=sys.stderr)
        if len(reports) != 1:
            print("error: the city's report in the portal differs from its report alone", file=sys.stderr)
            return 1
        if {g: graph_lines(portal.base, g) for g in watched} != before:
            print("error: analysing one city changed another city's derived graph", file=sys.stderr)
            return 1

        def median(runs: list[tuple[float, float]], i: int | None = None) -> float:
            return statistics.median(sum(r) if i is None else r[i] for r in runs)

        machine = f"{platform.machine()}, {shutil.os.cpu_count()} cores, Python {platform.python_version()}"  # type: ignore[attr-defined]
        out = {
            "cities": args.cities,
            "triples": summary.triples,
            "date": dt.date.today().isoformat(),
            "machine": machine,
            "portal_push_all_s": full_s,
            "one_city_in_portal": {"push_s": median(in_portal, 0), "analyze_s": median(in_portal, 1)},
            "one_city_alone": {"push_s": median(by_itself, 0), "analyze_s": median(by_itself, 1)},
            "runs": {"in_portal": in_portal, "alone": by_itself},
            "requests": sorted(requests),
        }
        print(f"Machine: {machine}; {args.cities} cities, {summary.triples:,} triples\n")
        print("| step | push | analyse | total |")
        print("|---|---:|---:|---:|")
        print(
            f"| whole portal, `push --what all` of {args.cities} cities | {full_s:.1f} s | (at push) | {full_s:.1f} s |"
        )
        for name, runs in (("one changed city in the portal", in_portal), ("the same city alone", by_itself)):
            print(f"| {name} | {median(runs, 0):.2f} s | {median(runs, 1):.2f} s | {median(runs):.2f} s |")
        print(f"\nHTTP requests of one push + analysis (where, count): {sorted(requests)}")
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=2), encoding="utf-8")
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
