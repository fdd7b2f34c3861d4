"""The store client: uploading quads to a SPARQL 1.1 store (``sscrdf push``)."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable

import pyoxigraph as ox

from ..errors import InputError


def push(quads: Iterable[ox.Quad], store_url: str, *, replace: bool = False, timeout: float = 60) -> dict[str, int]:
    """Upload ``quads`` to a SPARQL 1.1 Graph Store Protocol endpoint (e.g. Oxigraph's ``/store``,
    Fuseki's ``/ds/data``), one request per graph: POST adds, PUT (``replace``) replaces the graph.
    Returns the triple count per graph ("" for the default graph)."""
    by_graph: dict[str, list[ox.Triple]] = {}
    for q in quads:
        key = "" if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        by_graph.setdefault(key, []).append(q.triple)
    counts = {}
    for graph, triples in sorted(by_graph.items()):
        param = "default" if graph == "" else "graph=" + urllib.parse.quote(graph, safe="")
        url = f"{store_url}{'&' if '?' in store_url else '?'}{param}"
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        req = urllib.request.Request(url, data=body, method="PUT" if replace else "POST",
                                     headers={"Content-Type": "application/n-triples"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                resp.read()
        except (urllib.error.URLError, OSError) as exc:
            raise InputError(f"the store at {store_url} refused the upload of graph {graph or '(default)'}: {exc}") \
                from None
        counts[graph] = len(triples)
    return counts
