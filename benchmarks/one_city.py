#!/usr/bin/env python3
"""One city: a city with many stakeholders (the within-city scaling benchmark), and the time of one small city
as a whole process (the one-city target).

    python benchmarks/one_city.py --stakeholders 16000 -o big-city.nt

copies the non-municipal stakeholders of examples/riverton.ttl (with their dated assessments and everything
said about them) until the city lists about N stakeholders; the municipality, its units and the city's other
facts stay single. Deterministic (same N, same bytes). Time ``sscrdf analyze`` on the result to see whether the
cost grows linearly with the size of one city (benchmarks/README.md has the figures).

    python benchmarks/one_city.py --time [--runs 7] [--before /path/to/other/checkout]

times ``sscrdf analyze`` (JSON), ``validate`` and ``infer`` on examples/riverton.ttl as whole processes
(imports included), cold (the cache off, ``SSCRDF_CACHE_DIR=off``) and warm (a cache folder filled by one run
first), and prints the median wall and CPU time of the runs. With ``--before``, the sscrdf of that checkout is
timed in the same loop, its runs shuffled with this one's (the machine's load then weighs on both alike).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

SSC = "https://w3id.org/sscrdf/ontology#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
HAS = ox.NamedNode(SSC + "hasStakeholder")
ASSESSED = ox.NamedNode(SSC + "assessedStakeholder")
MUNICIPAL = {SSC + "Municipality"}


def build(n: int, source: Path) -> list[ox.Triple]:
    triples = [q.triple for q in ox.parse(path=str(source), format=ox.RdfFormat.TURTLE)]
    city = next(t.subject for t in triples if t.predicate == HAS)
    muni = {t.subject for t in triples if t.predicate == RDF_TYPE and t.object.value in MUNICIPAL}
    people = sorted({t.object for t in triples if t.predicate == HAS and t.subject == city} - muni, key=str)
    assessments = {t.subject for t in triples if t.predicate == ASSESSED and t.object in set(people)}
    movable = set(people) | assessments
    about = [t for t in triples if t.subject in movable]
    out = [t for t in triples]
    copies = max(0, -(-(n - len(people) - len(muni)) // len(people)))
    for k in range(1, copies + 1):

        def m(term, copy=k):
            return ox.NamedNode(f"{term.value}-copy{copy}") if term in movable else term

        out.extend(ox.Triple(m(t.subject), t.predicate, m(t.object)) for t in about)
        out.extend(ox.Triple(city, HAS, m(p)) for p in people)
    return out


ROOT = Path(__file__).resolve().parent.parent


def _commands(source: Path, out: Path) -> dict[str, list[str]]:
    return {
        "analyze": ["analyze", str(source), "--as-of", "2026-11-21", "--format", "json", "-o", str(out)],
        "validate": ["validate", str(source), "--format", "json"],
        "infer": ["infer", str(source)],
    }


def _run(checkout: Path, cache: str, argv: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of ``sscrdf ARGV`` run from ``checkout`` with SSCRDF_CACHE_DIR=``cache``; CPU is the
    process's user + system time, which varies much less than wall time on a shared machine."""
    import resource  # Unix only, and only --time needs it

    env = {**os.environ, "SSCRDF_CACHE_DIR": cache, "PYTHONPATH": str(checkout)}
    # the bytecode written as an installed package has it: a run that compiles every module again times the
    # compiler (about a third of the imports), not sscrdf
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    # -P and cwd: sscrdf comes from PYTHONPATH, not from the folder the benchmark was started in
    done = subprocess.run(
        [sys.executable, "-P", "-m", "sscrdf.cli", *argv], env=env, capture_output=True, cwd=tempfile.gettempdir()
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        sys.exit(f"sscrdf {' '.join(argv)} failed ({checkout}):\n{done.stderr.decode(errors='replace')}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def time_one_city(source: Path, runs: int, before: Path | None) -> None:
    """Print a Markdown table: median wall time per command, cold and warm (and for ``before``)."""
    checkouts = {"after": ROOT} if before is None else {"before": before.resolve(), "after": ROOT}
    with tempfile.TemporaryDirectory() as tmp:
        commands = _commands(source, Path(tmp) / "out.json")
        caches = {name: str(Path(tmp) / f"cache-{name}") for name in checkouts}
        for name, checkout in checkouts.items():  # fill each cache, and the bytecode of each checkout
            for argv in commands.values():
                _run(checkout, caches[name], argv)
        times: dict[tuple[str, str, str], list[tuple[float, float]]] = {}
        order = random.Random(1)  # the runs of one round in a shuffled order: no run always follows another
        for _ in range(runs):
            for command, argv in commands.items():
                combos = [(n, m, c) for n in checkouts for m, c in (("cold", "off"), ("warm", caches[n]))]
                order.shuffle(combos)
                for name, mode, cache in combos:
                    times.setdefault((command, name, mode), []).append(_run(checkouts[name], cache, argv))
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"median of {runs} runs of the whole process, wall (CPU) seconds; load average {load:.1f}")
    print("| command | " + " | ".join(f"{n} cold | {n} warm" for n in checkouts) + " |")
    print("|---|" + "---:|---:|" * len(checkouts))
    for command in commands:
        cells = []
        for n in checkouts:
            for m in ("cold", "warm"):
                runs_ = times[(command, n, m)]
                wall, cpu = statistics.median(w for w, _ in runs_), statistics.median(c for _, c in runs_)
                cells.append(f"{wall:.2f} s ({cpu:.2f} s)")
        print(f"| `{command}` | " + " | ".join(cells) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stakeholders", type=int, metavar="N")
    ap.add_argument("--source", type=Path, default=ROOT / "examples" / "riverton.ttl")
    ap.add_argument("-o", "--output")
    ap.add_argument("--time", action="store_true", help="time analyze, validate and infer on --source")
    ap.add_argument("--runs", type=int, default=5, help="runs per measurement (--time); the median is shown")
    ap.add_argument("--before", type=Path, help="another sscrdf checkout to time in the same loop (--time)")
    args = ap.parse_args()
    if args.time:
        time_one_city(args.source.resolve(), args.runs, args.before)
        return
    if args.stakeholders is None or not args.output:
        ap.error("--stakeholders and -o are required (or --time)")
    data = ox.serialize(sorted(build(args.stakeholders, args.source), key=str), format=ox.RdfFormat.N_TRIPLES)
    Path(args.output).write_bytes(data)
    lines = data.count(b"\n")
    print(f"wrote {args.output}: {lines} triples", file=sys.stderr)


if __name__ == "__main__":
    main()
