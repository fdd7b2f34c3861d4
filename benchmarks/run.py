"""The scale benchmark: `python benchmarks/run.py [--sizes 1,10,100,1000] [--reference-max 10] [--seed 1]`
(`--sizes 1000,10000 --stages-max 1000` for the streaming figures: 10,000 cities, 18M triples, about a quarter
of an hour on 2 cores; `--before DIR` also runs the CLI of another source tree, e.g. an older commit extracted
with `git archive`, on the same files, alternating with this one).

For each N it generates (once, cached in benchmarks/out/) a TriG file of N synthetic cities and measures:

- the whole `sscrdf analyze` CLI process (interpreter start and imports included): wall time, CPU time (user +
  system, the process and its workers: on a machine shared with other jobs the wall time varies with their
  load, the CPU time much less) and peak memory, summed over the process and its worker processes (sampled
  from /proc every 20 ms);
- the stages inside it: load (parse) in the parent, then reasoning, rules, validation, queries and the
  vocabulary check, summed over batches and workers (so on 2 cores they can add up to more than the wall time);
- the CLI reads TriG graph by graph and writes the JSON report city by city (README, "Many cities"), so its
  peak memory stays flat as N grows; the in-process stage times (load + analyze_store, the whole dataset in one
  store) are measured only for N up to --stages-max;
- for N up to --reference-max: the reference path (owlrl closure + pySHACL, one process, no batches) on the
  same data, and whether its findings and validation results equal the fast path's.

It prints a Markdown table (the README shows it) and writes benchmarks/out/results.json.

`--vs-jena` measures instead the whole analysis against Apache Jena's SHACL validation alone on the same data
(benchmarks/vs_jena.py; default sizes there 100,1000).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
AS_OF = "2026-11-21"


def _tree_rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (Linux /proc)."""
    total, stack, seen = 0, [pid], set()
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                children = (task / "children").read_text().split()
                stack.extend(int(c) for c in children)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def run_measured(
    cmd: list[str], stdout: Path | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[float, float, int, float]:
    """(wall seconds, peak MiB of the process tree, exit code, CPU seconds of the process tree); the command's
    standard output goes to the file ``stdout`` when given, else nowhere; ``env`` and ``cwd`` as for Popen."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = stdout.open("wb") if stdout is not None else subprocess.DEVNULL
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.PIPE, env=env, cwd=cwd)
        peak = 0
        while proc.poll() is None:
            peak = max(peak, _tree_rss_kib(proc.pid))
            time.sleep(0.02)
        wall = time.perf_counter() - start
    finally:
        if stdout is not None:
            out.close()  # type: ignore[union-attr]
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the workers are waited for by the CLI process
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if proc.returncode not in (0, 1):
        sys.stderr.write(proc.stderr.read().decode())
    return wall, peak / 1024, proc.returncode, cpu


def dataset(n: int, seed: int) -> Path:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"cities-{n}-seed{seed}.trig"
    if not path.exists():  # generated once, under another name until complete
        part = path.with_suffix(".part")
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "--cities", str(n), "--seed", str(seed), "-o", str(part)],
            check=True,
            stderr=subprocess.DEVNULL,
        )
        part.rename(path)
    return path


def _digest(path: Path) -> str:
    """SHA-256 of a file, read in pieces (the report of 10,000 cities is several GB)."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 24):
            h.update(chunk)
    return h.hexdigest()


def triple_count(path: Path) -> int:
    """The quads of ``path``, counted as they are parsed (nothing kept)."""
    import pyoxigraph as ox

    return sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.TRIG))


def stages(path: Path) -> dict[str, float]:
    """Stage times of the fast path (same code as the CLI), measured in this process."""
    from sscrdf.analysis.analyze import analyze_store
    from sscrdf.io.load import load

    t = time.perf_counter()
    loaded = load([path])
    parse = time.perf_counter() - t
    analysis = analyze_store(loaded.store, as_of=dt.date.fromisoformat(AS_OF))
    return {"load": parse, **analysis.timings, "triples": loaded.triple_count}


def answers(path: Path, reasoner: str, engine: str) -> tuple[list[str], list[str], float]:
    """Findings and validation results (as comparable strings) and the time taken."""
    from sscrdf.analysis.analyze import analyze_store
    from sscrdf.io.load import load

    t = time.perf_counter()
    analysis = analyze_store(
        load([path]).store, reasoner=reasoner, engine=engine, as_of=dt.date.fromisoformat(AS_OF), batch_size=10**9
    )
    took = time.perf_counter() - t
    findings = sorted(
        f"{f.rule} {f.kind} {f.severity} {f.about} {f.concerns} {f.message}"
        for c in analysis.cities
        for f in c.findings
    )
    results = sorted(
        f"{r.focus} {r.shape} {r.severity} {r.component} {r.value}"
        for c in analysis.cities
        for r in (c.validation.results if c.validation else [])
    )
    return findings, results, took


def main() -> None:
    # imported here: it loads sscrdf and rdflib, and it imports this module (run_measured, dataset)
    import vs_jena

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default=None, help="default 1,10,100,1000 (with --vs-jena: 100,1000)")
    ap.add_argument("--reference-max", type=int, default=10, help="largest N to also run the reference path on")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--stages-max", type=int, default=1000, help="largest N to also time the stages in-process")
    ap.add_argument("--before", type=Path, help="a source tree whose CLI runs too, on the same files (before/after)")
    ap.add_argument("--before-max", type=int, default=1000, help="largest N to run --before on")
    ap.add_argument(
        "--vs-jena",
        action="store_true",
        help="instead: the whole analysis against Apache Jena's SHACL validation alone (benchmarks/vs_jena.py)",
    )
    vs_jena.arguments(ap)
    args = ap.parse_args()
    sizes = [int(s) for s in (args.sizes or ("100,1000" if args.vs_jena else "1,10,100,1000")).split(",")]
    if args.vs_jena and args.jena_only:
        vs_jena.jena_only(sizes, args.seed, args.jena_xmx)
        return
    if args.vs_jena:
        vs_jena.run(sizes, args.reference_max, args.seed, args.jena_xmx)
        return
    rows = []
    for n in sizes:
        path = dataset(n, args.seed)
        report = OUT / f"analysis-{n}.json"  # a real file: the report is written as a user gets it
        runs = [("after", HERE.parent)] + ([("before", args.before)] if args.before and n <= args.before_max else [])
        measured, digests = {}, {}
        for label, tree in runs:  # one after the other on the same file, so that they share the machine's load
            wall, peak, code, cpu = run_measured(
                [sys.executable, "-m", "sscrdf.cli", "analyze", str(path), "--as-of", AS_OF, "--format", "json"]
                + ["-o", str(report)],
                env={**os.environ, "PYTHONPATH": str(tree)},
                cwd=tree,  # `python -m` puts the working folder first on the path
            )
            measured[label] = (wall, peak, code, cpu)
            digests[label] = _digest(report) if report.exists() else None
            report.unlink(missing_ok=True)
        wall, peak, code, cpu = measured["after"]
        st = stages(path) if n <= args.stages_max else {"triples": triple_count(path)}
        row = {
            "cities": n,
            "triples": st.pop("triples"),
            "cli_wall_s": round(wall, 2),
            "cli_cpu_s": round(cpu, 1),
            "cli_peak_mib": round(peak),
            "exit": code,
            **{k: round(v, 2) for k, v in st.items()},
        }
        if "before" in measured:
            b_wall, b_peak, b_code, b_cpu = measured["before"]
            row.update(
                before_wall_s=round(b_wall, 2),
                before_cpu_s=round(b_cpu, 1),
                before_peak_mib=round(b_peak),
                before_exit=b_code,
                same_report=digests["before"] == digests["after"],
            )
        if n <= args.reference_max:
            f_fast, r_fast, t_fast = answers(path, "fast", "fast")
            f_ref, r_ref, t_ref = answers(path, "owlrl", "pyshacl")
            row.update(
                reference_s=round(t_ref, 2),
                fast_inprocess_s=round(t_fast, 2),
                same_findings=f_fast == f_ref,
                same_validation=r_fast == r_ref,
                findings=len(f_fast),
                validation_results=len(r_fast),
            )
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    by_n = {r["cities"]: r for r in rows}
    ratio = (by_n[1000]["cli_wall_s"] / by_n[100]["cli_wall_s"]) if 1000 in by_n and 100 in by_n else None
    ratio_10k = (by_n[10000]["cli_wall_s"] / by_n[1000]["cli_wall_s"]) if 10000 in by_n and 1000 in by_n else None
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    result = {
        "machine": machine,
        "date": dt.date.today().isoformat(),
        "rows": rows,
        "ratio_1000_over_100": ratio,
        "ratio_10000_over_1000": ratio_10k,
    }
    (OUT / "results.json").write_text(json.dumps(result, indent=2))

    print(f"Machine: {machine}\n")
    print(
        "| cities | triples | `sscrdf analyze` wall | CPU | peak memory | load | reasoning | rules | validation | "
        "queries | reference (owlrl + pySHACL) | same answers |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")

    def secs(r: dict[str, Any], key: str) -> str:  # a stage not timed (N above --stages-max) shows as a dash
        return f"{r[key]} s" if key in r else "—"

    for r in rows:
        ref = f"{r['reference_s']} s" if "reference_s" in r else "—"
        same = ("yes" if r["same_findings"] and r["same_validation"] else "**NO**") if "reference_s" in r else "—"
        print(
            f"| {r['cities']} | {r['triples']:,} | {r['cli_wall_s']} s | {r['cli_cpu_s']} s | "
            f"{r['cli_peak_mib']} MiB | {secs(r, 'load')} | {secs(r, 'reasoning')} | {secs(r, 'rules')} | "
            f"{secs(r, 'validation')} | {secs(r, 'queries')} | {ref} | {same} |"
        )
    if ratio:
        print(f"\nTime at N=1000 / time at N=100: {ratio:.1f}x")
    if ratio_10k:
        cpu_10k = by_n[10000]["cli_cpu_s"] / by_n[1000]["cli_cpu_s"]
        print(f"Time at N=10000 / time at N=1000: {ratio_10k:.1f}x (CPU time {cpu_10k:.1f}x)")
    before = [r for r in rows if "before_wall_s" in r]
    if before:
        print(f"\nThe CLI of {args.before} on the same files (before), and this one (after):\n")
        print("| cities | before: wall | CPU | peak memory | after: wall | CPU | peak memory | same report |")
        print("|---:|---:|---:|---:|---:|---:|---:|---|")
        for r in before:
            print(
                f"| {r['cities']} | {r['before_wall_s']} s | {r['before_cpu_s']} s | {r['before_peak_mib']} MiB | "
                f"{r['cli_wall_s']} s | {r['cli_cpu_s']} s | {r['cli_peak_mib']} MiB | "
                f"{'yes' if r['same_report'] else '**NO**'} |"
            )


if __name__ == "__main__":
    main()
