"""Analysis inside a SPARQL 1.1 store (``sscrdf analyze --endpoint QUERY_URL --update-endpoint UPDATE_URL``).

The store does the work: the rules run in it as ``INSERT { GRAPH … } … WHERE { … }`` to a fixpoint, the compiled
SHACL constraints (sscrdf.shacl.compiler) run in it as SELECTs, and so do the report queries. What comes back is
small: the rows of those SELECTs, and the cities' own (asserted) triples, which the report needs for labels and the
integrity checks (sscrdf.shacl.integrity) read. A portal on Virtuoso's cluster or GraphDB thus scales with its
store, not with sscrdf.

``RemoteStore`` is the seam: it stands where the embedded pipeline (sscrdf.analysis.analyze) has its pyoxigraph
store. Its ``query`` runs a SELECT on the endpoint; its ``quads_for_pattern`` reads the cities' asserted triples
read back once. Everything after that (validation results per city, findings, triage, report) is the embedded
code, so the text, Markdown and JSON reports are the embedded ones (tests/test_portal.py compares them).

The store must hold what ``sscrdf push --what inferred`` (or ``all``) writes: one data graph per city, its
``…/graph/inferred?graph=<G>`` and the ontology graph (README, "Graphs in a store"); the OWL 2 RL closure is
computed at push time, city by city. Before the rules run, every ``…/graph/derived…`` graph is dropped, so old
results (another ``--as-of``, or the rules of an older release) do not linger.

With ``cities`` (``--graph-per-city --city G``) only those cities are analysed: they are looked up by IRI, only
their derived graphs are dropped and written, and every query names only their graphs as its dataset, so the
work does not grow with the other cities in the store (README, "Re-analysing one city").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, cast

import pyoxigraph as ox

from ..errors import InputError
from ..namespaces import DERIVED_GRAPH, INFERRED_GRAPH, PROV, RDF, SSC, XSD
from ..query.guard import _TOKENS
from ..query.remote import Connection, check_url, update
from ..query.sparql import SparqlFile
from ..reasoning.store import ONTOLOGY_GRAPH, derived_graph, inferred_graph
from ..rules.engine import ANALYSIS, AS_OF, Derivation, _ordered, bundled_rules, rule_io
from .analyze import Analysis, _analyze_batch

_SSC = str(SSC)
_FINDING = re.compile(
    r"([?$][\w]+)\s+(?:a|rdf:type|<" + re.escape(f"{RDF}type") + r">)\s+"
    r"(?:ssc:Finding|<" + re.escape(_SSC + "Finding") + r">)(?![\w:-])"
)
_ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]+$")
_GRAPHS_PREFIX = INFERRED_GRAPH.rsplit("/", 1)[0] + "/"  # every graph sscrdf names itself


class _Solution(dict[str, Any]):
    """One row of a SELECT: ``row["var"]`` is a pyoxigraph term, or None when unbound."""

    def __missing__(self, key: str) -> None:
        return None


class _Solutions(list[_Solution]):
    """The rows of a SELECT, shaped like pyoxigraph's QuerySolutions (``variables`` and iteration)."""

    def __init__(self, variables: list[str], rows: Iterable[_Solution]):
        super().__init__(rows)
        self.variables = [ox.Variable(v) for v in variables]


def _bnode(label: str) -> ox.BlankNode:
    """A store's blank-node label as a pyoxigraph blank node; the same label always gives the same node (Oxigraph
    and Virtuoso keep labels stable between queries; Virtuoso's ``nodeID://b123`` is no valid label itself)."""
    return ox.BlankNode("r" + hashlib.sha1(label.encode("utf-8")).hexdigest()[:24])


def _term(binding: dict[str, str] | None) -> ox.NamedNode | ox.BlankNode | ox.Literal | None:
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return _bnode(value)
    if binding.get("xml:lang"):
        return ox.Literal(value, language=binding["xml:lang"])
    if binding.get("datatype"):
        return ox.Literal(value, datatype=ox.NamedNode(binding["datatype"]))
    return ox.Literal(value)


class RemoteStore:
    """A SPARQL 1.1 store holding cities as ``sscrdf push`` writes them, where the analysis runs.

    ``graphs`` is the dataset every query sees (sent as ``default-graph-uri``, so that a store's own system
    graphs stay out): the ontology graph and each city's data, inferred and derived graphs."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None,
        connection: Connection | None = None,
        *,
        graph_per_city: bool = False,
        cities: Sequence[str] = (),
        _city_graphs: list[str] | None = None,
        _mirror: ox.Store | None = None,
        _with_derived: bool = True,
    ):
        self.query_url = check_url(query_url, "--endpoint")
        self.update_url = check_url(update_url, "--update-endpoint") if update_url else None
        self.conn = connection or Connection()
        self.graph_per_city = graph_per_city
        self.with_derived = _with_derived
        #: True when only some of the store's cities are analysed (``cities``): the rules then touch only their
        #: derived graphs, and queries always name the dataset (the store's default graph holds other cities)
        self.selected = bool(cities)
        self._plain: bool | None = False if cities else None
        if cities and not graph_per_city:
            raise InputError(
                "--city needs --graph-per-city (only then has each city derived graphs of its own to replace)"
            )
        if _city_graphs is not None:
            self.city_graphs = _city_graphs
        else:
            self.city_graphs = self._select_cities(cities) if cities else self._find_cities()
        self.mirror = self._read_cities() if _mirror is None else _mirror

    # --------------------------------------------------------------------------------------- the dataset

    def derived_graphs(self) -> list[str]:
        if self.graph_per_city:
            return [derived_graph(g).value for g in self.city_graphs]
        return [DERIVED_GRAPH]

    def city_dataset(self, graph: str) -> list[str]:
        """The graphs the rules read for the city in ``graph`` (with --graph-per-city)."""
        return [ONTOLOGY_GRAPH.value, graph, inferred_graph(graph).value, derived_graph(graph).value]

    @property
    def graphs(self) -> list[str]:
        out = [ONTOLOGY_GRAPH.value]
        for g in self.city_graphs:
            out += [g, inferred_graph(g).value]
        return out + (self.derived_graphs() if self.with_derived else [])

    def knowledge(self) -> ox.Store:
        """The same store seen without the derived graphs: ontology, data and entailments (what the SHACL checks
        run on, as on the embedded store, where validation does not see the rules' output)."""
        view = RemoteStore(
            self.query_url,
            self.update_url,
            self.conn,
            graph_per_city=self.graph_per_city,
            _city_graphs=self.city_graphs,
            _mirror=self.mirror,
            _with_derived=False,
        )
        view.selected = self.selected
        if self.selected:
            view._plain = False
        return cast(ox.Store, view)  # it stands in for a pyoxigraph store (see pipeline.Place)

    # --------------------------------------------------------------------------------------- reading

    def _select(self, text: str, dataset: list[str] | None) -> _Solutions:
        form = [("query", text)] + [("default-graph-uri", g) for g in (dataset or [])]
        resp = self.conn.request(
            "POST",
            self.query_url,
            data=form,
            what="a query",
            headers={"Accept": "application/sparql-results+json"},
            ok=(200,),
        )
        try:
            data = json.loads(resp.content)
            variables = data["head"]["vars"]
            rows = [_Solution({v: _term(b.get(v)) for v in variables if v in b}) for b in data["results"]["bindings"]]
        except (ValueError, KeyError, TypeError):
            raise InputError(
                f"the SPARQL endpoint {self.query_url} did not answer with SPARQL JSON results "
                f"(Content-Type {resp.headers.get('Content-Type', 'none')})",
                hint="check that --endpoint is the store's SPARQL query URL",
            ) from None
        return _Solutions(variables, rows)

    def query(self, text: str, use_default_graph_as_union: bool = True) -> _Solutions:
        """Run a SELECT on the store over ``graphs`` (the analysis runs SELECTs only)."""
        return self._select(text, None if self._default_is_dataset() else self.graphs)

    def _default_is_dataset(self) -> bool:
        """True when the store's own default graph holds exactly the triples of ``graphs`` (a store whose default
        graph is the union of its graphs, holding nothing else, e.g. ``oxigraph serve --union-default-graph``):
        then queries go without a dataset, which such a store evaluates about three times faster. Asked once
        per view (the derived graphs are written before the first query)."""
        if self._plain is None:
            count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
            own, ours = (int(self._select(count, ds)[0]["n"].value) for ds in (None, self.graphs))
            self._plain = own == ours
        return self._plain

    def quads_for_pattern(self, s: Any, p: Any, o: Any, g: Any = None) -> Iterator[ox.Quad]:
        """The cities' asserted quads matching the pattern (read back from the store once)."""
        return self.mirror.quads_for_pattern(s, p, o, g)

    def _find_cities(self) -> list[str]:
        rows = self._select(
            f"""SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?c a <{_SSC}City> }}
                                FILTER(!STRSTARTS(STR(?g), "{_GRAPHS_PREFIX}")) }}""",
            None,
        )
        graphs = sorted(r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode))
        if not graphs:
            raise InputError(
                f"the store at {self.query_url} holds no city graph (a named graph with an ssc:City)",
                hint="write the cities with `sscrdf push FILE... --what inferred` first",
            )
        self._check_ontology()
        return graphs

    def _check_ontology(self) -> None:
        ontology = self._select(f"SELECT ?s WHERE {{ GRAPH <{ONTOLOGY_GRAPH.value}> {{ ?s ?p ?o }} }} LIMIT 1", None)
        if not ontology:
            raise InputError(
                f"the store at {self.query_url} has no graph <{ONTOLOGY_GRAPH.value}> (the ontology "
                "and the cities' entailments, which the rules and checks need)",
                hint="write the cities with `sscrdf push FILE... --what inferred` (or all)",
            )

    def _select_cities(self, cities: Sequence[str]) -> list[str]:
        """The data graphs of ``cities`` (each a city data graph IRI or a city IRI), looked up one by one (the
        time does not grow with the other cities in the store); InputError naming the first one not there."""
        wanted = list(dict.fromkeys(cities))
        values = " ".join(f"<{_iri(c)}>" for c in wanted)
        rows = self._select(
            f"""SELECT DISTINCT ?x ?g WHERE {{
                  {{ VALUES ?x {{ {values} }} GRAPH ?x {{ ?c a <{_SSC}City> }} BIND(?x AS ?g) }}
                  UNION {{ VALUES ?x {{ {values} }} GRAPH ?g {{ ?x a <{_SSC}City> }} }}
                  FILTER(!STRSTARTS(STR(?g), "{_GRAPHS_PREFIX}")) }}""",
            None,
        )
        found: dict[str, set[str]] = {}
        for r in rows:
            if isinstance(r["g"], ox.NamedNode) and isinstance(r["x"], ox.NamedNode):
                found.setdefault(r["x"].value, set()).add(r["g"].value)
        for c in wanted:
            if c not in found:
                raise InputError(
                    f"--city {c}: the store at {self.query_url} has no city graph or ssc:City of that IRI",
                    hint="give a city's data graph IRI or its city IRI (as `sscrdf push` wrote it)",
                )
        self._check_ontology()
        return sorted({g for c in wanted for g in found[c]})

    def _read_cities(self) -> ox.Store:
        """The cities' own triples, each in its graph (labels, the city IRIs and the integrity checks need them)."""
        store = ox.Store()
        for i in range(0, len(self.city_graphs), 50):
            batch = self.city_graphs[i : i + 50]
            rows = self._select(
                "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?g { "
                + " ".join(f"<{g}>" for g in batch)
                + " } }",
                None,
            )
            store.extend(ox.Quad(r["s"], r["p"], r["o"], r["g"]) for r in rows)
        return store

    # --------------------------------------------------------------------------------------- the rules

    def _update(self, text: str, what: str, using: Sequence[str] = ()) -> None:
        if not self.update_url:
            raise InputError(
                "the rules run inside the store: give --update-endpoint URL (the store's SPARQL "
                "Update URL, e.g. http://127.0.0.1:7878/update or Virtuoso's /sparql-auth)"
            )
        update(self.conn, self.update_url, text, what=what, using=using)

    def _count_derived(self) -> int:
        rows = self._select(
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } VALUES ?g { "
            + " ".join(f"<{g}>" for g in self.derived_graphs())
            + " } }",
            None,
        )
        return int(rows[0]["n"].value)

    def run_rules(
        self, rules: list[SparqlFile] | None = None, *, as_of: dt.date | None = None, max_rounds: int = 25
    ) -> Derivation:
        """Run ``rules`` (default: the bundled ones) in the store to a fixpoint: each rule's CONSTRUCT template
        becomes an INSERT into the derived graph(s), with ``prov:wasGeneratedBy`` the rule on every
        ssc:Finding it creates (as the embedded engine records it). A round runs every rule once, in the
        embedded engine's order (and, as there, only if what it reads has changed); the rules stop when a round
        adds no triple. Returns what they derived."""
        rules = bundled_rules() if rules is None else rules
        io = {r.id: rule_io(r) for r in rules}
        rules = _ordered(rules, io)
        today = (as_of or dt.date.today()).isoformat()
        if self.selected:  # only these cities' derived graphs are replaced; the other cities' stay as they are
            old = self.derived_graphs()
        else:
            rows = self._select(
                f"""SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }}
                                   FILTER(STRSTARTS(STR(?g), "{DERIVED_GRAPH}")) }}""",
                None,
            )
            old = [r["g"].value for r in rows if isinstance(r["g"], ox.NamedNode)]
        drops = [f"DROP SILENT GRAPH <{g}>" for g in old]
        date = f'<{ANALYSIS.value}> <{AS_OF.value}> "{today}"^^<{XSD}date>'
        inserts = [f"INSERT DATA {{ GRAPH <{g}> {{ {date} }} }}" for g in self.derived_graphs()]
        self._update(" ;\n".join(drops + inserts), "clearing the derived graphs")
        templates = [(r, _insert_parts(r)) for r in rules]
        reads = {rid: r_w[0] for rid, r_w in io.items()}
        changed: dict[str, set[str]] = {r.id: set() for r in rules}
        count = self._count_derived()
        result = Derivation()
        for rnd in range(1, max_rounds + 1):
            added = False
            for rule, (prologue, template, where) in templates:
                # as in the embedded engine: after the first round a rule runs again only if a rule that wrote
                # something since it last ran writes a term it reads (here: a term in that rule's template)
                if rnd > 1 and not (changed[rule.id] & reads[rule.id]):
                    continue
                changed[rule.id] = set()
                if self.graph_per_city:
                    for g in self.city_graphs:
                        self._update(
                            _insert(prologue, template, where, derived_graph(g).value, rule.iri),
                            f"rule {rule.id}",
                            using=self.city_dataset(g),
                        )
                else:
                    self._update(
                        _insert(prologue, template, where, DERIVED_GRAPH, rule.iri),
                        f"rule {rule.id}",
                        using=[] if self._default_is_dataset() else self.graphs,
                    )
                now = self._count_derived()
                if now != count:
                    added, count = True, now
                    for other in changed.values():
                        other |= io[rule.id][1]
            result.rounds = rnd
            if not added:
                result.triples = self._derived_triples()
                # where the report queries run: the store with the derived graphs (it stands in for a pyoxigraph
                # store, see pipeline.Place)
                result.store = cast(ox.Store, self)
                return result
        raise InputError(
            f"the rules did not reach a fixpoint in the store in {max_rounds} rounds; a rule keeps "
            "creating new nodes (use IRIs computed from the match, not fresh blank nodes)"
        )

    def _derived_triples(self) -> list[ox.Triple]:
        """What the rules derived: the derived graphs' triples not also asserted or entailed elsewhere, without the
        analysis date (the embedded engine's ``Derivation.triples``)."""
        others = [g for g in self.graphs if g not in self.derived_graphs()]
        rows = self._select(
            "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?d { ?s ?p ?o } VALUES ?d { "
            + " ".join(f"<{g}>" for g in self.derived_graphs())
            + " } "
            + f"FILTER(?s != <{ANALYSIS.value}>) "
            + "FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } VALUES ?g { "
            + " ".join(f"<{g}>" for g in others)
            + " } } }",
            None,
        )
        return sorted((ox.Triple(r["s"], r["p"], r["o"]) for r in rows), key=str)


def _iri(value: str) -> str:
    """``value`` if it can stand between ``<`` and ``>`` in a query as an absolute IRI, else a one-line error."""
    if not _ABSOLUTE_IRI.match(value):
        raise InputError(f"--city {value!r} is not an absolute IRI", hint="e.g. https://example.org/riverton/city")
    return value


def _insert_parts(rule: SparqlFile) -> tuple[str, str, str]:
    """(prologue, CONSTRUCT template, WHERE and the rest) of a rule file's text."""
    start = body = end = None
    depth = 0
    for m in _TOKENS.finditer(rule.text):
        if start is None:
            if m.lastgroup == "name" and m.group().upper() == "CONSTRUCT":
                start = m.start()
            continue
        if m.lastgroup != "other":
            continue
        if m.group() == "{":
            depth += 1
            if body is None:
                body = m.end()
        elif m.group() == "}":
            depth -= 1
            if depth == 0:
                end = m.start()
                break
    if start is None or body is None or end is None:
        raise InputError(f"rule {rule.id} is not a CONSTRUCT query with a template", path=rule.path, line=1)
    rest = rule.text[end + 1 :]
    if not re.match(r"\s*WHERE\b", rest, re.I):
        raise InputError(
            f"rule {rule.id}: the short form CONSTRUCT WHERE cannot run in a store",
            path=rule.path,
            line=1,
            hint="write the template and the WHERE clause apart",
        )
    return rule.text[:start], rule.text[body:end], rest


def _insert(prologue: str, template: str, where: str, graph: str, rule_iri: str) -> str:
    """The rule as a SPARQL 1.1 Update: its template (and the provenance of its findings) into ``graph``."""
    provenance = "".join(
        f"\n  {v} <{PROV}wasGeneratedBy> <{rule_iri}> ."
        for v in dict.fromkeys(m.group(1) for m in _FINDING.finditer(template))
    )
    return f"{prologue}INSERT {{ GRAPH <{graph}> {{ {template}{provenance}\n}} }}\n{where}"


def analyze_endpoint(
    query_url: str,
    update_url: str | None,
    *,
    connection: Connection | None = None,
    as_of: dt.date | None = None,
    graph_per_city: bool = False,
    cities: Sequence[str] = (),
    extra_shapes: tuple[str | Path, ...] = (),
) -> tuple[Analysis, ox.Store]:
    """Analyse the cities in the store at ``query_url`` inside the store (see the module's docstring); returns the
    same ``Analysis`` the embedded ``analyze_store`` gives, and the store the cities' triples were read into.

    ``cities`` (with ``graph_per_city``): analyse only these (data graph IRIs or city IRIs): their derived graphs
    are replaced and every query reads only their graphs, so the time does not grow with the other cities."""
    remote = RemoteStore(query_url, update_url, connection, graph_per_city=graph_per_city, cities=cities)
    analysis = _analyze_batch(
        remote.mirror,
        reasoner="fast",
        engine="fast",
        as_of=as_of or dt.date.today(),
        extra_shapes=tuple(extra_shapes),
        place=remote,
    )
    return analysis, remote.mirror


__all__ = ["RemoteStore", "analyze_endpoint"]
