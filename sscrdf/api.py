"""The public Python API: one object, :class:`KnowledgeBase`, in front of the loading, reasoning, rules,
validation, query, register and server stages. The command line is built on it and nothing else, so it gives
the same results as the commands::

    from sscrdf import KnowledgeBase
    kb = KnowledgeBase()
    city = kb.load("examples/riverton.ttl")
    report = kb.analyze(city, as_of=datetime.date(2026, 11, 21))
    report.findings, report.validation, report.to_json()

Every method takes what it is given read-only (a :class:`City` is never changed; each result is new). The
vocabulary check is always on: an ``ssc:`` term the ontology does not declare raises :class:`UnknownTermError`
(with file, line and the nearest declared term).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from .analysis.analyze import analyze_batches, analyze_store
from .analysis.model import Analysis, CityAnalysis, FindingRow
from .analysis.pipeline import check_store, check_terms, derive
from .errors import InputError
from .io.load import load as _load
from .io.output import check_not_an_input, serialize, write_atomic
from .io.stream import NotContiguous, contiguous, graph_batches, streamable
from .knowledge import ontology as _ontology
from .knowledge.vocab import UnknownTermError
from .parallel import default_batch_size
from .query.sparql import SparqlFile, Table, bundled_queries, find_query, select, select_remote
from .reasoning.store import is_inferred_graph
from .render import report as _report
from .render.stream import STREAMED_FORMATS, StreamSummary, write_inferred as _write_inferred, write_report
from .shacl.validate import CompiledShapes, ValidationReport, compiled_shapes, validate_store

if TYPE_CHECKING:
    # imported when first used (README "The package", "Deferred imports"): the methods that use them import
    # them, and the names below, which the API also offers, come from __getattr__ at the end of this module
    from .authoring.check import Report as CheckReport
    from .authoring.usage import UsageReport
    from .io.register import ExportResult
    from .query.remote import Connection
    from .server.bounded import BoundedHTTPServer, Limits
    from .server.client import PushSummary
    from .server.endpoint import check_origins
    from .server.watch import WatchedFiles

PathLike = str | os.PathLike[str]
REASONERS = ("fast", "owlrl")
ENGINES = ("fast", "pyshacl")


@dataclass(frozen=True)
class City:
    """City data loaded by :meth:`KnowledgeBase.load`: its quads (read-only for the API) and their files.

    ``checked`` is False only for data loaded with ``check="deferred"``: its vocabulary is then checked by the
    first method that processes it (by :meth:`KnowledgeBase.analyze` and :meth:`KnowledgeBase.validate` on the
    terms they collect anyway, batch by batch, which spares a scan of a large dataset)."""

    store: ox.Store
    sources: tuple[Path, ...] = ()
    checked: bool = True

    @property
    def named_graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self.store)


class Validation(ValidationReport):
    """The result of :meth:`KnowledgeBase.validate`: a :class:`~sscrdf.shacl.validate.ValidationReport`
    (``.cities``, ``.results``, ``.counts()``, ``.fails(level)``) that renders itself as ``sscrdf validate`` does."""

    def to_text(self) -> str:
        return _report.validation_text(self)

    def to_json(self, fail_on: str = "violation") -> str:
        return _report.validation_json(self, fail_on)

    def to_turtle(self) -> str:
        return _report.validation_ttl(self)

    def to_markdown(self) -> str:
        return _report.validation_md(self)


class QueryResult(Table):
    """The result of :meth:`KnowledgeBase.query`: a :class:`~sscrdf.query.sparql.Table` (``.columns``,
    ``.rows``) that renders itself as ``sscrdf query`` does."""

    def to_text(self) -> str:
        return _report.table_text(self)

    def to_csv(self) -> str:
        return _report.table_csv(self)

    def to_json(self) -> str:
        return _report.table_json(self)


def _result(table: Table) -> QueryResult:
    return QueryResult(table.columns, table.rows)


@dataclass(frozen=True)
class AnalysisReport:
    """The result of :meth:`KnowledgeBase.analyze`, renderable as the CLI renders it."""

    analysis: Analysis
    city: City | None = None  # the analysed data (the HTML report draws on it)
    shapes: CompiledShapes | None = None  # the shapes validated against (the RDF report copies complex paths)

    @property
    def cities(self) -> list[CityAnalysis]:
        return self.analysis.cities

    @property
    def findings(self) -> list[FindingRow]:
        """Every finding (gap, overlap, risk, recommendation) of every city."""
        return [f for c in self.analysis.cities for f in c.findings]

    @property
    def validation(self) -> Validation:
        """The SHACL validation results of every city."""
        return Validation(
            [c.validation for c in self.analysis.cities if c.validation is not None], compiled=self.shapes
        )

    @property
    def timings(self) -> dict[str, float]:
        """Seconds spent per stage (reasoning, rules, validation, queries), summed over batches."""
        return self.analysis.timings

    def to_json(self) -> str:
        return _report.analysis_json(self.analysis)

    def to_text(self) -> str:
        return _report.analysis_text(self.analysis)

    def to_markdown(self) -> str:
        return _report.analysis_md(self.analysis)

    def to_turtle(self) -> str:
        """The findings and derived facts as RDF (Turtle), for portals."""
        return serialize(_report.analysis_quads(self.analysis), "ttl").decode("utf-8")

    def to_html(self) -> str:
        """One self-contained, printable HTML page with charts."""
        from .render.html import analysis_html  # deferred (see the top); matplotlib loads only to draw a page

        return analysis_html(self.analysis, self.city.store if self.city else ox.Store())


def as_date(value: str | dt.date | None, what: str = "--as-of") -> dt.date:
    """``value`` as a date (today when None); InputError for a string that is not YYYY-MM-DD."""
    if value is None:
        return dt.date.today()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InputError(f"{what} {value!r} is not a date", hint="use YYYY-MM-DD") from None


def inferred_only(quads: Iterable[ox.Quad]) -> list[ox.Quad]:
    """The quads of ``quads`` that sit in an inferred graph (what the reasoner added)."""
    return [q for q in quads if is_inferred_graph(q.graph_name)]


class KnowledgeBase:
    """The bundled ontology, shapes, rules and queries, and the engines that apply them to city data.

    :param reasoner: ``fast`` (default) or ``owlrl`` (the reference).
    :param engine: SHACL engine, ``fast`` (default; falls back to pySHACL for shapes it cannot compile) or
        ``pyshacl``.
    :param extra_shapes: extra SHACL shapes files applied with the bundled ones.
    """

    def __init__(self, *, reasoner: str = "fast", engine: str = "fast", extra_shapes: Iterable[PathLike] = ()):
        if reasoner not in REASONERS:
            raise ValueError(f"reasoner must be 'fast' or 'owlrl', not {reasoner!r}")
        if engine not in ENGINES:
            raise ValueError(f"engine must be 'fast' or 'pyshacl', not {engine!r}")
        self.reasoner = reasoner
        self.engine = engine
        self.extra_shapes = tuple(Path(p) for p in extra_shapes)

    # ------------------------------------------------------------------ the knowledge itself
    @staticmethod
    def info() -> _ontology.OntologyInfo:
        """The ontology IRI, version and per-module counts (``sscrdf info``)."""
        return _ontology.info()

    @staticmethod
    def usage() -> UsageReport:
        """The declared terms no rule, shape or query uses (``sscrdf info --usage``)."""
        from .authoring.usage import usage_report  # deferred (see the top)

        return usage_report()

    @staticmethod
    def check_ontology(extra: Iterable[PathLike] = ()) -> CheckReport:
        """The ontology checks (``sscrdf ontology check``), with ``extra`` Turtle modules added."""
        from .authoring.check import check_ontology  # deferred (see the top)

        paths = [Path(p) for p in extra]
        for p in paths:
            if not p.is_file():
                raise InputError("no such file", path=p)
        return check_ontology(paths)

    @staticmethod
    def check(
        *,
        ontology: Iterable[PathLike] = (),
        shapes: Iterable[PathLike] = (),
        rules: Iterable[PathLike] = (),
        queries: Iterable[PathLike] = (),
    ) -> CheckReport:
        """Every knowledge file checked (``sscrdf check``): the bundled ones plus the given extra ones."""
        from .authoring.check import check_all  # deferred (see the top)

        return check_all(
            ontology=[Path(p) for p in ontology],
            shapes=[Path(p) for p in shapes],
            rules=[Path(p) for p in rules],
            queries=[Path(p) for p in queries],
        )

    @staticmethod
    def write_docs(out_dir: PathLike) -> Path:
        """Write the HTML documentation of the ontology into ``out_dir`` (``sscrdf docs``); returns the page."""
        from .knowledge.docs import write_docs  # deferred (see the top)

        return write_docs(out_dir)

    @staticmethod
    def queries() -> list[SparqlFile]:
        """The bundled queries (``sscrdf queries``)."""
        return bundled_queries()

    @staticmethod
    def find_query(name: str | SparqlFile) -> SparqlFile:
        """The query ``name``: an id from ``sscrdf queries``, or a .rq file (InputError with the nearest id)."""
        return name if isinstance(name, SparqlFile) else find_query(name)

    # ------------------------------------------------------------------ loading
    def load(self, *paths: PathLike, fmt: str | None = None, check: str = "now") -> City:
        """Load city data files (Turtle, TriG, N-Quads, N-Triples, JSON-LD, RDF/XML, CSV registers) into a new
        :class:`City`; raises :class:`UnknownTermError` for undeclared ``ssc:`` terms, ``InputError`` for any
        other input it cannot use. ``check="deferred"`` leaves the vocabulary check to the first method that
        processes the data (the same error, raised there)."""
        if check not in ("now", "deferred"):
            raise ValueError(f"check must be 'now' or 'deferred', not {check!r}")
        loaded = _load(list(paths), fmt=fmt)
        city = City(loaded.store, loaded.sources, checked=False)
        return self._checked(city) if check == "now" else city

    @staticmethod
    def _checked(city: City) -> City:
        if not city.checked:
            check_store(city.store, city.sources)
        return City(city.store, city.sources)

    def _city(self, city: City | ox.Store) -> City:
        if isinstance(city, ox.Store):  # a store built by the caller: checked like loaded data
            city = City(city, checked=False)
        return self._checked(city)

    # ------------------------------------------------------------------ stages
    def analyze(self, city: City | ox.Store, *, as_of: dt.date | None = None) -> AnalysisReport:
        """Load → infer → rules → validate → queries, for every city in ``city`` (as ``sscrdf analyze``);
        ``as_of`` is the date the review-period rule uses (default today)."""
        c = city if isinstance(city, City) else City(city, checked=False)
        analysis = analyze_store(
            c.store, reasoner=self.reasoner, engine=self.engine, as_of=as_of, extra_shapes=self.extra_shapes
        )
        if not c.checked:
            check_terms(c.sources, analysis.terms_used)
        return AnalysisReport(analysis, City(c.store, c.sources), compiled_shapes(self.extra_shapes))

    def analyze_stream(
        self, *paths: PathLike, as_of: dt.date | None = None, fmt: str | None = None
    ) -> Iterator[CityAnalysis]:
        """The analysis of the cities in the files ``paths``, city by city, without loading them all at once:
        TriG and N-Quads files whose graphs are each one run of quads are read graph by graph and analysed in
        batches of city graphs on all cores (``$SSCRDF_BATCH_SIZE``); each batch's cities come out (sorted by
        label) as soon as the batch is done, the batches in the order their graphs appear in the files. Other
        input (other formats, graphs split across the files) is loaded whole first and its cities come out
        sorted by label. The vocabulary check runs on each batch before its cities come out
        (:class:`UnknownTermError`)."""
        as_of = as_of or dt.date.today()
        if streamable(paths, fmt) and contiguous(paths, fmt=fmt):
            batches = graph_batches(paths, fmt=fmt, batch_size=default_batch_size())
            results = analyze_batches(
                batches,
                _cities_and_terms,
                reasoner=self.reasoner,
                engine=self.engine,
                as_of=as_of,
                extra_shapes=self.extra_shapes,
            )
            for cities, used in results:
                check_terms([Path(p) for p in paths], used)
                yield from cities
            return
        report = self.analyze(self.load(*paths, fmt=fmt, check="deferred"), as_of=as_of)
        yield from report.cities

    def write_analysis(
        self,
        *paths: PathLike,
        output: PathLike | None,
        report_format: str = "json",
        as_of: dt.date | None = None,
        fmt: str | None = None,
    ) -> StreamSummary:
        """Analyse the files ``paths`` and write the report (``json``, ``text`` or ``md``) to ``output``
        (standard output when None), the same bytes as ``sscrdf analyze`` writes: TriG and N-Quads input is
        read graph by graph and the report written city by city, so that neither the dataset nor the report is
        ever held whole in memory (a dataset whose graphs are not each one run of quads is loaded whole, as
        :meth:`analyze` does). ``output`` must not be one of the inputs; it is replaced in one rename at the
        end, and nothing is written when the input cannot be used."""
        if report_format not in STREAMED_FORMATS:
            raise ValueError(f"report_format must be one of {', '.join(STREAMED_FORMATS)}, not {report_format!r}")
        check_not_an_input(output, paths)
        as_of = as_of or dt.date.today()
        if streamable(paths, fmt):
            batches = graph_batches(paths, fmt=fmt, batch_size=default_batch_size())
            try:
                return write_report(
                    batches,
                    output,
                    fmt=report_format,
                    as_of=as_of,
                    reasoner=self.reasoner,
                    engine=self.engine,
                    extra_shapes=self.extra_shapes,
                    sources=paths,
                )
            except NotContiguous:
                pass  # a graph in several runs: loaded whole below
        report = self.analyze(self.load(*paths, fmt=fmt, check="deferred"), as_of=as_of)
        text = {"json": report.to_json, "text": report.to_text, "md": report.to_markdown}[report_format]()
        if output is None:
            sys.stdout.write(text.rstrip("\n") + "\n")
        else:
            write_output(output, text if text.endswith("\n") else text + "\n", paths)
        return StreamSummary(len(report.cities), report.timings)

    def validate(self, city: City | ox.Store) -> Validation:
        """SHACL validation, city by city (as ``sscrdf validate``)."""
        c = city if isinstance(city, City) else City(city, checked=False)
        report = validate_store(
            c.store, shapes=compiled_shapes(self.extra_shapes), reasoner=self.reasoner, engine=self.engine
        )
        if not c.checked:
            check_terms(c.sources, report.terms_used)
        return Validation(report.cities, report.terms_used, shapes=report.shapes, compiled=report.compiled)

    def infer(self, city: City | ox.Store, *, only_inferred: bool = True) -> list[ox.Quad]:
        """The OWL 2 RL entailments of ontology + data, each in its inferred graph (as ``sscrdf infer
        --only-inferred``); with ``only_inferred=False`` the data's own quads too (as ``sscrdf infer``)."""
        c = self._city(city)
        quads = list(derive(c.store, reasoner=self.reasoner, rules=False, with_ontology=False).store)
        return sorted(inferred_only(quads) if only_inferred else quads, key=str)

    def write_inferred(
        self,
        *paths: PathLike,
        output: PathLike | None,
        out_format: str = "trig",
        only_inferred: bool = False,
        fmt: str | None = None,
    ) -> tuple[int, int]:
        """Write what :meth:`infer` gives for the files ``paths`` to ``output`` (standard output when None) in
        ``out_format`` (trig, nquads, ttl, nt), the same bytes as ``sscrdf infer``; returns (triples written,
        inferred ones). TriG and N-Quads input is read graph by graph and reasoned over in batches of city
        graphs on all cores, and the output merged from sorted runs, so that neither is held whole in memory
        (input whose graphs are not each one run of quads is loaded whole). Nothing is written when the data
        uses an undeclared ssc: term (:class:`UnknownTermError`)."""
        check_not_an_input(output, paths)
        if streamable(paths, fmt):
            try:
                batches = graph_batches(paths, fmt=fmt, batch_size=default_batch_size())
                return _write_inferred(
                    batches,
                    output,
                    fmt=out_format,
                    only_inferred=only_inferred,
                    reasoner=self.reasoner,
                    sources=paths,
                )
            except NotContiguous:
                pass  # a graph in several runs: loaded whole below
        everything = self.infer(self.load(*paths, fmt=fmt), only_inferred=False)
        inferred = inferred_only(everything)
        data = serialize(inferred if only_inferred else everything, out_format)
        if output is None:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        else:
            write_output(output, data)
        return len(inferred if only_inferred else everything), len(inferred)

    def prepare(self, city: City | ox.Store, *, rules: bool = True, as_of: dt.date | None = None) -> ox.Store:
        """A new store with the ontology, the data, its entailments and (unless ``rules`` is False) everything
        the rules derive on ``as_of``: what ``sscrdf query`` asks, ``sscrdf serve`` serves and ``sscrdf push
        --what all`` uploads."""
        c = self._city(city)
        return derive(c.store, reasoner=self.reasoner, as_of=as_of, rules=rules).store

    def query(
        self, name: str | SparqlFile, city: City | ox.Store, *, rules: bool = True, as_of: dt.date | None = None
    ) -> QueryResult:
        """Run a bundled query (an id from ``sscrdf queries``, or a .rq file) on the data with its entailments
        and, unless ``rules`` is False, what the rules derive (as ``sscrdf query``)."""
        q = self.find_query(name)
        return self.run_query(q, self.prepare(city, rules=rules, as_of=as_of))

    def run_query(self, name: str | SparqlFile, store: ox.Store) -> QueryResult:
        """Run a bundled query (or a .rq file) on ``store`` as it is, e.g. a store from :meth:`prepare`."""
        q = self.find_query(name)
        return _result(select(store, q.text, source=q.path))

    @staticmethod
    def query_endpoint(name: str | SparqlFile, endpoint: str) -> QueryResult:
        """Run a bundled query unchanged on a SPARQL 1.1 endpoint (``sscrdf query NAME --endpoint URL``)."""
        return _result(select_remote(endpoint, KnowledgeBase.find_query(name).text))

    # ------------------------------------------------------------------ serving and uploading
    @staticmethod
    def server(
        store: ox.Store,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: Limits | None = None,
        cors: tuple[str, ...] = (),
    ) -> BoundedHTTPServer:
        """A read-only SPARQL 1.1 endpoint over ``store`` at /sparql, not yet serving (``sscrdf serve``); call
        ``serve_forever()`` on it, and ``server_close()`` at the end, which also ends the query worker processes
        forked here (create the server before the process starts other threads); ``cors``: the origins sent
        CORS headers (none by default). InputError when the address cannot be bound."""
        from .server.endpoint import make_server  # deferred (see the top)

        try:
            return make_server(store, host, port, limits, cors)
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None

    @staticmethod
    def watched_files(
        *paths: PathLike, fmt: str | None = None, rules: bool = True, as_of: dt.date | None = None
    ) -> WatchedFiles:
        """``paths`` loaded for serving as they change (``sscrdf serve --watch``): ``.store()`` is the dataset to
        give :meth:`server`, then :meth:`watch` swaps each change of a file in."""
        from .server.watch import WatchedFiles  # deferred (see the top)

        return WatchedFiles(paths, fmt=fmt, rules=rules, as_of=as_of or dt.date.today())

    @staticmethod
    def watch(
        server: BoundedHTTPServer, files: WatchedFiles, log: Callable[[str], None], interval: float = 2.0
    ) -> threading.Event:
        """Poll ``files`` every ``interval`` seconds and swap each change into ``server`` (built over
        ``files.store()``), deriving again only the cities of the changed files; ``log`` gets one line per
        reload. Set the returned event to stop."""
        from .server.endpoint import watch_files  # deferred (see the top)

        return watch_files(server, files, log, interval)

    def push(
        self,
        cities: City | ox.Store | PathLike | Iterable[City | ox.Store | PathLike],
        store_url: str,
        *,
        what: str = "all",
        replace: bool = False,
        as_of: dt.date | None = None,
        protocol: str = "auto",
        connection: Connection | None = None,
        default_graph: str | None = None,
        fmt: str | None = None,
        chunk_size: int = 2000,
    ) -> PushSummary:
        """Write cities to a SPARQL 1.1 store, one set of named graphs per city (``sscrdf push``; README,
        "Running a portal"). ``cities``: loaded data or files (each file loaded on its own, ``fmt`` forcing its
        format); ``what`` is ``asserted`` (the data as it is), ``inferred`` (with entailments and the ontology)
        or ``all`` (also the rules' output, per city); ``replace`` replaces the graphs written instead of adding
        to them; ``protocol`` ``gsp``, ``update`` or ``auto``; ``connection`` carries authentication, retries
        and the timeout. Returns what was written."""
        from .server.client import city_graphs, push as _push  # deferred (see the top)

        items = [cities] if isinstance(cities, (City, ox.Store, str, os.PathLike)) else list(cities)
        loaded: list[tuple[ox.Store, str | Path | None]] = []
        for item in items:
            if isinstance(item, (str, os.PathLike)):
                city = self.load(item, fmt=fmt)
                loaded.append((city.store, city.sources[0] if city.sources else Path(item)))
            else:
                city = self._city(item)
                loaded.append((city.store, city.sources[0] if len(city.sources) == 1 else None))
        uploads = city_graphs(loaded, what=what, as_of=as_of, default_graph=default_graph)
        return _push(
            uploads, store_url, replace=replace, protocol=protocol, connection=connection, chunk_size=chunk_size
        )

    def analyze_endpoint(
        self,
        query_url: str,
        update_url: str | None,
        *,
        as_of: dt.date | None = None,
        graph_per_city: bool = False,
        cities: Sequence[str] = (),
        connection: Connection | None = None,
    ) -> AnalysisReport:
        """Analyse the cities of a SPARQL store inside the store (``sscrdf analyze --endpoint``): the rules run
        there as SPARQL Update into its derived graphs, the compiled checks and the report queries as SELECTs;
        the report equals :meth:`analyze` of the same cities. The store must hold what :meth:`push` writes with
        ``what="inferred"`` or ``"all"``; ``update_url`` is its SPARQL Update URL. ``cities`` (with
        ``graph_per_city``): only these cities (data graph or city IRIs), their derived graphs replaced, the
        others untouched (README, "Re-analysing one city")."""
        from .analysis.instore import analyze_endpoint  # deferred (see the top)

        if self.reasoner != "fast" or self.engine != "fast":
            raise InputError(
                "--reasoner and --engine choose embedded engines; with --endpoint the store runs "
                "the rules and checks (the entailments were computed by `sscrdf push`)"
            )
        analysis, data = analyze_endpoint(
            query_url,
            update_url,
            connection=connection,
            as_of=as_of,
            graph_per_city=graph_per_city,
            cities=cities,
            extra_shapes=self.extra_shapes,
        )
        return AnalysisReport(analysis, City(data), compiled_shapes(self.extra_shapes))

    # ------------------------------------------------------------------ registers
    @staticmethod
    def template(output: PathLike, fmt: str | None = None) -> str:
        """Write an empty stakeholder register (``sscrdf template``); returns the path written."""
        from .io.register import template  # deferred (see the top)

        return template(output, fmt)

    @staticmethod
    def import_register(path: PathLike, *, base_iri: str | None = None, city_iri: str | None = None) -> list[ox.Quad]:
        """The triples of a register: an .xlsx workbook, a folder of CSV sheets or a single-sheet CSV register
        (``sscrdf import``)."""
        from .io.csvreg import read_csv  # deferred (see the top)
        from .io.register import read_register

        path = Path(path)
        if path.suffix.lower() == ".csv" and path.is_file():
            return read_csv(path, base_iri=base_iri, city_iri=city_iri)
        return read_register(path, base_iri=base_iri, city_iri=city_iri)

    @staticmethod
    def export_register(
        city: City | ox.Store, output: PathLike, fmt: str | None = None, *, base_iri: str | None = None
    ) -> ExportResult:
        """Write the stakeholder register of ``city`` as a spreadsheet (``sscrdf export``). Triples no column
        holds are counted in the result's ``left_out``, by property."""
        from .io.register import export_register  # deferred (see the top)

        store = city.store if isinstance(city, City) else city
        return export_register(list(store), output, fmt, base_iri=base_iri)


def __getattr__(name: str) -> Any:
    """The names this module offers from the modules it imports when first used (PEP 562; see the top)."""
    if name == "CheckReport":
        from .authoring.check import Report

        return Report
    if name == "UsageReport":
        from .authoring.usage import UsageReport

        return UsageReport
    if name == "ExportResult":
        from .io.register import ExportResult

        return ExportResult
    if name == "Connection":
        from .query.remote import Connection

        return Connection
    if name in ("BoundedHTTPServer", "Limits"):
        from .server import bounded

        return getattr(bounded, name)
    if name == "PushSummary":
        from .server.client import PushSummary

        return PushSummary
    if name == "check_origins":
        from .server.endpoint import check_origins

        return check_origins
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _cities_and_terms(analysis: Analysis) -> tuple[list[CityAnalysis], set[str]]:
    """What a worker of :meth:`KnowledgeBase.analyze_stream` sends back: the cities and the terms they use."""
    return analysis.cities, analysis.terms_used


def write_output(path: PathLike, data: str | bytes, inputs: Sequence[PathLike] = ()) -> None:
    """Write ``data`` to ``path`` atomically, refusing to overwrite one of ``inputs``."""
    check_not_an_input(path, inputs)
    write_atomic(path, data)


__all__ = [
    "ENGINES",
    "REASONERS",
    "AnalysisReport",
    "CheckReport",
    "City",
    "Connection",
    "ExportResult",
    "KnowledgeBase",
    "Limits",
    "PushSummary",
    "QueryResult",
    "StreamSummary",
    "UnknownTermError",
    "UsageReport",
    "Validation",
    "as_date",
    "check_not_an_input",
    "check_origins",
    "inferred_only",
    "serialize",
    "write_output",
]
