"""Do the rules grow linearly with the number of cities? `python benchmarks/rules_scale.py [--small 10] [--large 40]`

Each rule's positive fixture (tests/fixtures/rules/<id>.pos.ttl) is a small city. The benchmark loads --small and
--large renamed copies of all of them (about 30 cities per copy), closes each store with the ontology and the
latest assessments, and times every rule's CONSTRUCT on both (the best of --repeat runs, rule by rule). Four
times the cities should cost about four times as much, not sixteen: a rule that joins on its city or stakeholder
grows linearly, one that joins across cities grows with the square.

It prints one line per rule (seconds on each store, the ratio, the derived triples) and exits with 1 when a rule
grows more than --bound times for --large/--small times the cities (default 8 for 4x: a quadratic rule shows a
ratio far above 8 at these sizes), or when a rule's output does not grow exactly with the copies. Timings depend
on the machine and on its load; run it on a quiet machine.

The tests check the part that does not depend on time (tests/test_rules.py::test_rule_output_grows_with_the_copies:
two copies give exactly twice the output of one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout: the sscrdf next to this script

from sscrdf.reasoning.store import knowledge_store  # noqa: E402
from sscrdf.rules.engine import bundled_rules, run_rules  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "rules"
AS_OF = dt.date(2026, 11, 21)  # the date the fixtures are written for
SSC = "https://w3id.org/sscrdf/ontology#"


def many_cities(copies: int, fixtures: Path = FIXTURES) -> ox.Store:
    """``copies`` renamed copies of all positive rule fixtures, closed with the ontology, plus the latest
    assessments (which several rules read) and the analysis date."""
    texts = [p.read_text(encoding="utf-8") for p in sorted(fixtures.glob("*.pos.ttl"))]
    data = ox.Store()
    for i in range(copies):
        for text in texts:
            data.load(text.replace("http://example.org/", f"http://example.org/copy{i}/"), format=ox.RdfFormat.TURTLE)
    ks = knowledge_store(data)
    latest = run_rules(ks, [r for r in bundled_rules() if r.id == "latest-assessment"], as_of=AS_OF)
    ks.extend(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in latest.triples)
    ks.add(
        ox.Quad(
            ox.NamedNode("urn:sscrdf:analysis"),
            ox.NamedNode(SSC + "asOfDate"),
            ox.Literal(AS_OF.isoformat(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
        )
    )
    return ks


def timed(store: ox.Store, text: str, repeat: int) -> tuple[float, int]:
    """(best seconds over ``repeat`` runs, triples derived) of one CONSTRUCT on ``store``."""
    best, count = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        count = sum(1 for _ in store.query(text, use_default_graph_as_union=True))
        best = min(best, time.perf_counter() - start)
    return best, count


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Time every rule on N and M copies of the rule fixtures.")
    ap.add_argument("--small", type=int, default=10, help="copies of the fixtures in the small store (default 10)")
    ap.add_argument("--large", type=int, default=40, help="copies in the large store (default 40)")
    ap.add_argument("--repeat", type=int, default=2, help="runs per rule and store; the best counts (default 2)")
    ap.add_argument(
        "--bound",
        type=float,
        default=8.0,
        help="largest time ratio allowed (default 8, for 4x the cities); plus 0.05 s of slack",
    )
    args = ap.parse_args(argv)
    if not 1 <= args.small < args.large or args.repeat < 1:
        ap.error("need 1 <= --small < --large and --repeat >= 1")
    factor = args.large / args.small
    small, large = many_cities(args.small), many_cities(args.large)
    print(f"{'rule':<50} {'small s':>8} {'large s':>8} {'ratio':>6} {'triples':>8}")
    bad = []
    for rule in sorted(bundled_rules(), key=lambda r: r.id):
        t_small, n_small = timed(small, rule.text, args.repeat)
        t_large, n_large = timed(large, rule.text, args.repeat)
        ratio = t_large / t_small if t_small else float("inf")
        print(f"{rule.id:<50} {t_small:8.3f} {t_large:8.3f} {ratio:6.1f} {n_small:8d}")
        if n_large != n_small * args.large // args.small:
            bad.append(f"{rule.id}: {n_small} triples on {args.small} copies but {n_large} on {args.large}")
        elif t_large > args.bound * t_small + 0.05:
            bad.append(f"{rule.id}: {t_small:.3f} s -> {t_large:.3f} s for {factor:g}x the cities")
    for line in bad:
        print("NOT LINEAR:", line, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
