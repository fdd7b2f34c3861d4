#!/usr/bin/env python3
"""Load time and query time of the packaged queries on each SPARQL store, for a portal choosing one.

    python benchmarks/stores.py --cities 100 [--stores embedded,oxigraph,virtuoso,jena] [--json out.json]

generates N cities (benchmarks/generate.py, seed 1, flaw rate 0.3), prepares what `sscrdf push` uploads
(ontology closure + the cities, one named graph each + their entailments + the rules' derived facts, as of
2026-11-21), then for each store measures

- load: the embedded store: bulk-loading the quads into a new pyoxigraph store; Oxigraph server: one HTTP POST of
  N-Quads to /store; Virtuoso 7.2: writing one N-Triples file per graph and isql-vt's bulk loader (ld_add,
  rdf_loader_run, checkpoint); Jena ARQ: reading the N-Triples union into an in-memory model (inside the JVM);
- queries: every packaged query (queries/*.rq) once, one after the other, answers read in full (over HTTP for
  the servers, SPARQL JSON results). Jena's figure is the sum of its per-query times inside one JVM (JVM start
  and compiling tests/jena/RunQueries.java excluded; they are printed apart).

Every answer is also compared with the embedded store's (tests/stores.py: same rows modulo row order, blank-node
labels and numeric datatype spelling); the table says how many differ. The stores are started and stopped by
tests/stores.py, on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout: the sscrdf and tests next to this script

import pyoxigraph as ox  # noqa: E402

from sscrdf.io.load import load  # noqa: E402
from sscrdf.query.sparql import bundled_queries  # noqa: E402
from sscrdf.reasoning.store import knowledge_store  # noqa: E402
from sscrdf.rules.engine import run_rules  # noqa: E402
from tests import stores  # noqa: E402

AS_OF = dt.date(2026, 11, 21)
STORES = ("embedded", "oxigraph", "virtuoso", "jena")


def prepare(cities: int, workdir: Path) -> tuple[ox.Store, float]:
    data = workdir / f"cities-{cities}.trig"
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "generate.py"), "--cities", str(cities), "-o", str(data)],
        check=True,
        capture_output=True,
    )
    t0 = time.perf_counter()
    pushed = run_rules(knowledge_store(load([data]).store), as_of=AS_OF).store
    return pushed, time.perf_counter() - t0


def run_embedded(quads, queries):
    t0 = time.perf_counter()
    store = ox.Store()
    store.bulk_extend(quads)
    load_s = time.perf_counter() - t0
    answers, times = {}, {}
    for qid, text in queries.items():
        t = time.perf_counter()
        answers[qid] = stores.embedded_select(store, text)
        times[qid] = time.perf_counter() - t
    return store, load_s, answers, times, {}


def run_server(server, quads, queries):
    try:
        load_s = server.load(quads)
        answers, times = {}, {}
        for qid, text in queries.items():
            t = time.perf_counter()
            try:
                answers[qid] = server.select(text)
            except Exception as exc:  # a timeout or an error of the store: reported in the table
                answers[qid] = f"error: {exc}"
            times[qid] = time.perf_counter() - t
        return load_s, answers, times
    finally:
        server.stop()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cities", type=int, default=100)
    ap.add_argument("--stores", default=",".join(STORES), help="comma-separated, from " + ", ".join(STORES))
    ap.add_argument("--json", help="also write the figures as JSON to this file")
    args = ap.parse_args(argv)
    chosen = [s.strip() for s in args.stores.split(",") if s.strip()]
    unknown = set(chosen) - set(STORES)
    if unknown or "embedded" not in chosen:
        ap.error(f"--stores takes some of {', '.join(STORES)}, embedded included")
    workdir = Path(tempfile.mkdtemp(prefix="sscrdf-stores-"))
    try:
        pushed, prep_s = prepare(args.cities, workdir)
        quads = list(pushed)
        print(
            f"{args.cities} cities: {len(quads)} quads in {len(list(pushed.named_graphs()))} graphs "
            f"(load + reasoning + rules: {prep_s:.1f} s)",
            file=sys.stderr,
        )
        queries = {q.id: q.text for q in bundled_queries()}
        rows = {}
        _, load_s, ref, times, _ = run_embedded(quads, queries)
        rows["embedded"] = (load_s, times, ref)
        for name in chosen[1:] if chosen[0] == "embedded" else [c for c in chosen if c != "embedded"]:
            d = workdir / name
            d.mkdir()
            print(f"{name} ...", file=sys.stderr)
            if name == "oxigraph":
                load_s, answers, times = run_server(stores.start_oxigraph(d), quads, queries)
            elif name == "virtuoso":
                load_s, answers, times = run_server(stores.start_virtuoso(d), quads, queries)
            else:
                jena = stores.Jena(d)
                t0 = time.perf_counter()
                jena.load(quads)
                write_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                answers = jena.run(queries)
                wall = time.perf_counter() - t0
                times = {qid: jena.timings.get(f"q{i:04d}.rq", float("nan")) for i, qid in enumerate(queries)}
                load_s = jena.timings.get("load", float("nan"))
                print(
                    f"jena: writing N-Triples {write_s:.1f} s; whole JVM run (start, compile, load, queries) "
                    f"{wall:.1f} s",
                    file=sys.stderr,
                )
            rows[name] = (load_s, times, answers)
        machine = f"{platform.machine()}, {shutil.os.cpu_count()} cores, Python {platform.python_version()}"
        out = {
            "cities": args.cities,
            "quads": len(quads),
            "date": dt.date.today().isoformat(),
            "machine": machine,
            "stores": {},
        }
        print(
            f"| store | load (s) | all {len(queries)} queries (s) | slowest query (s) "
            "| answers differing from embedded |"
        )
        print("|---|---:|---:|---|---:|")
        for name, (load_s, times, answers) in rows.items():
            differ = sorted(q for q in queries if answers[q] != ref[q])
            slowest = max(times, key=lambda q: times[q])
            print(
                f"| {name} | {load_s:.1f} | {sum(times.values()):.1f} | {slowest} {times[slowest]:.1f} | "
                f"{len(differ)}{' (' + ', '.join(differ) + ')' if differ else ''} |"
            )
            out["stores"][name] = {
                "load_s": load_s,
                "query_s": sum(times.values()),
                "per_query_s": times,
                "differ": differ,
            }
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=2), encoding="utf-8")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
