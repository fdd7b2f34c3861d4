#!/usr/bin/env python3
"""One city with many stakeholders, for the within-city scaling benchmark.

    python benchmarks/one_city.py --stakeholders 16000 -o big-city.nt

copies the non-municipal stakeholders of examples/riverton.ttl (with their dated assessments and everything
said about them) until the city lists about N stakeholders; the municipality, its units and the city's other
facts stay single. Deterministic (same N, same bytes). Time ``sscrdf analyze`` on the result to see whether the
cost grows linearly with the size of one city (benchmarks/README.md has the figures).
"""

from __future__ import annotations

import argparse
import sys
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stakeholders", type=int, required=True, metavar="N")
    ap.add_argument("--source", type=Path, default=Path(__file__).resolve().parent.parent / "examples" / "riverton.ttl")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    data = ox.serialize(sorted(build(args.stakeholders, args.source), key=str), format=ox.RdfFormat.N_TRIPLES)
    Path(args.output).write_bytes(data)
    lines = data.count(b"\n")
    print(f"wrote {args.output}: {lines} triples", file=sys.stderr)


if __name__ == "__main__":
    main()
