"""Real SPARQL stores for tests and benchmarks: an Oxigraph server, Virtuoso 7.2 and Apache Jena ARQ.

Everything runs on this machine and talks over 127.0.0.1 only; nothing is mocked.

- ``start_oxigraph(dir)``: the ``oxigraph`` server from PyPI, ``--union-default-graph`` (the default graph of a
  query is the union of all graphs, as on the embedded store).
- ``start_virtuoso(dir)``: Debian's ``virtuoso-t`` in the foreground with a ``virtuoso.ini`` generated in ``dir``
  (free ports bound to 127.0.0.1, a fresh database in ``dir``, ``DirsAllowed`` = ``dir``). ``load`` writes one
  N-Triples file per graph into ``dir`` and bulk-loads them with ``isql-vt`` (``ld_add`` + ``rdf_loader_run``).
  Queries go to ``/sparql`` without a dataset: Virtuoso's default graph is then the union of all its graphs,
  as on the embedded store. Its own system graphs (``virtrdf:``, ``ldp:``, ...) are in that union too but hold no
  ssc: terms, so the packaged queries do not see them. Naming the loaded graphs instead (one
  ``default-graph-uri`` each) gives the same rows but makes Virtuoso 7.2 pick bad join orders: the plan-owner
  rule took more than 60 s on eight cities instead of 0.05 s.
- ``Jena``: Debian's ``libapache-jena-java`` jars on a hand-picked class path (see ``jena_classpath``), the data
  as one N-Triples file (the union of all graphs) read into an in-memory model, every query run in ONE JVM by
  ``tests/jena/RunQueries.java`` (Java's single-file source launcher; it needs the ``jdk.compiler`` module).
  Without a compiler each query runs in its own ``arq.sparql`` JVM (about 1.5 s each).

Both servers have ``load(quads)`` (the store then holds exactly these quads, besides Virtuoso's system graphs),
``select(text)`` and ``construct(text)``; results come back in the canonical form of ``canonical_rows`` /
``canonical_graph`` so that rows from different engines compare with ``==`` modulo row order, blank-node labels
and numeric datatype spelling.

As pytest fixtures (session scope; registered in tests/conftest.py through ``pytest_plugins``):
``oxigraph_store``, ``virtuoso_store``, ``jena_arq``. A fixture skips its tests only when the store is not
installed at all; a store that is installed but does not start fails them. The terminal summary ends with a line
such as ``stores: oxigraph ✓  virtuoso ✓  jena ✓``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox
import pytest

HERE = Path(__file__).resolve().parent
JAVA_DIR = Path("/usr/share/java")
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {
    XSD + n
    for n in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "decimal",
        "double",
        "float",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    )
}
START_TIMEOUT = 120.0  # seconds a server may take to answer its first query (a shared machine can be slow)
QUERY_TIMEOUT = 120.0


class StoreUnavailable(Exception):
    """The store is not installed on this machine (tests skip)."""


class StoreFailed(Exception):
    """The store is installed but did not start or did not load (tests fail)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------- canonical results


def canonical_term(kind: str, value: str, datatype: str | None = None, lang: str | None = None):
    """One RDF term as a comparable tuple. Blank nodes lose their label; numbers of any numeric datatype
    become ("number", value) with the value rounded to 9 significant digits; a text with ``GROUP_CONCAT``
    output in it (values joined with "; ", in an order SPARQL leaves open) has its phrases sorted."""
    if kind == "bnode":
        return ("bnode",)
    if kind == "iri":
        return ("iri", value)
    if datatype in NUMERIC:
        try:
            d = Decimal(value)
            return ("number", float(f"{d:.9g}")) if d.is_finite() else ("number", str(d))
        except InvalidOperation:
            pass
    if lang:
        return ("literal", _sorted_concat(value), "", lang.lower())
    if datatype in (None, XSD + "string"):
        datatype = XSD + "string"
    return ("literal", _sorted_concat(value), datatype, "")


def _sorted_concat(value: str) -> str:
    """A text holding a list joined with "; " (GROUP_CONCAT, alone or inside a message): its phrases (split at
    "; ", ": " and ". ") sorted, so that the same items in another order compare equal."""
    if "; " not in value:
        return value
    return " | ".join(sorted(re.split(r"; |: |\. ", value)))


def ox_term(term):
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return canonical_term("bnode", term.value)
    if isinstance(term, ox.NamedNode):
        return canonical_term("iri", term.value)
    if isinstance(term, ox.Literal):
        return canonical_term("literal", term.value, term.datatype.value if term.datatype else None, term.language)
    raise TypeError(f"unexpected term {term!r}")


def json_term(binding: dict | None):
    if binding is None:
        return None
    kind = binding["type"]
    if kind == "uri":
        return canonical_term("iri", binding["value"])
    if kind == "bnode":
        return canonical_term("bnode", binding["value"])
    return canonical_term("literal", binding["value"], binding.get("datatype"), binding.get("xml:lang"))


def canonical_rows(columns: list[str], rows) -> tuple[list[str], list[tuple]]:
    """(columns, rows sorted) from rows of canonical terms."""
    return list(columns), sorted(rows, key=repr)


def rows_from_json(data: dict) -> tuple[list[str], list[tuple]]:
    cols = data["head"]["vars"]
    return canonical_rows(cols, [tuple(json_term(b.get(c)) for c in cols) for b in data["results"]["bindings"]])


def embedded_select(store: ox.Store, text: str) -> tuple[list[str], list[tuple]]:
    """The rows of ``text`` on the embedded store (default graph = union of all graphs)."""
    res = store.query(text, use_default_graph_as_union=True)
    cols = [v.value for v in res.variables]
    return canonical_rows(cols, [tuple(ox_term(sol[c]) for c in cols) for sol in res])


def canonical_graph(triples) -> Counter:
    """A graph as a multiset of canonical triples (blank nodes unlabelled); ``triples`` are pyoxigraph triples,
    each counted once."""
    return Counter((ox_term(t.subject), ox_term(t.predicate), ox_term(t.object)) for t in set(triples))


def embedded_construct(store: ox.Store, text: str) -> Counter:
    return canonical_graph(store.query(text, use_default_graph_as_union=True))


def parse_ntriples(data: bytes) -> list[ox.Triple]:
    return [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def by_graph(quads) -> dict[str | None, list[ox.Triple]]:
    out: dict[str | None, list[ox.Triple]] = {}
    for q in quads:
        g = None if isinstance(q.graph_name, ox.DefaultGraph) else q.graph_name.value
        out.setdefault(g, []).append(q.triple)
    return out


# ------------------------------------------------------------------------------- HTTP SPARQL servers


def _wait_http(url: str, proc: subprocess.Popen, what: str, log: Path | None = None) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                r.read()
            return
        except (OSError, urllib.error.HTTPError):
            if proc.poll() is not None or time.monotonic() > deadline:
                _stop(proc)
                detail = log.read_text(errors="replace")[-800:] if log and log.exists() else ""
                raise StoreFailed(
                    f"{what} did not start within {START_TIMEOUT:.0f} s (exit code {proc.returncode}): {detail}"
                ) from None
            time.sleep(0.2)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


class SparqlServer:
    """A store process answering the SPARQL 1.1 Protocol at ``query_url``."""

    name = "sparql"

    def __init__(self, proc: subprocess.Popen, base: str, query_url: str, workdir: Path):
        self.proc, self.base, self.query_url, self.workdir = proc, base, query_url, workdir
        self.graphs: list[str] = []

    def dataset_params(self) -> list[tuple[str, str]]:
        """Protocol parameters that make the default graph the union of the loaded graphs (none by default)."""
        return []

    def _post(self, text: str, accept: str) -> bytes:
        body = urllib.parse.urlencode([("query", text), *self.dataset_params()]).encode()
        req = urllib.request.Request(
            self.query_url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
        )
        try:
            with urllib.request.urlopen(req, timeout=QUERY_TIMEOUT) as r:
                return r.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{self.name}: HTTP {exc.code}: {exc.read()[:600].decode(errors='replace')}") from None

    def select(self, text: str) -> tuple[list[str], list[tuple]]:
        return rows_from_json(json.loads(self._post(text, "application/sparql-results+json")))

    def construct(self, text: str) -> Counter:
        return canonical_graph(parse_ntriples(self._post(text, "application/n-triples")))

    def load(self, quads) -> float:
        """Make the store hold exactly ``quads``; returns the seconds the upload took."""
        raise NotImplementedError

    def stop(self) -> None:
        _stop(self.proc)


class OxigraphServer(SparqlServer):
    name = "oxigraph"

    def load(self, quads) -> float:
        t0 = time.perf_counter()
        self._update("CLEAR ALL")
        body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        req = urllib.request.Request(
            f"{self.base}/store", data=body, method="POST", headers={"Content-Type": "application/n-quads"}
        )
        with urllib.request.urlopen(req, timeout=QUERY_TIMEOUT) as r:
            r.read()
        self.graphs = sorted(g for g in by_graph(quads) if g is not None)
        return time.perf_counter() - t0

    def _update(self, text: str) -> None:
        req = urllib.request.Request(
            f"{self.base}/update",
            data=text.encode(),
            method="POST",
            headers={"Content-Type": "application/sparql-update"},
        )
        with urllib.request.urlopen(req, timeout=QUERY_TIMEOUT) as r:
            r.read()


def oxigraph_executable() -> str:
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(exe).exists():
        raise StoreUnavailable("the oxigraph server is not installed (`pip install oxigraph`, in the test extras)")
    return exe


def start_oxigraph(workdir: Path) -> OxigraphServer:
    exe = oxigraph_executable()
    port = free_port()
    log = workdir / "oxigraph.log"
    proc = subprocess.Popen(
        [exe, "serve", "--location", str(workdir / "db"), "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
    )
    base = f"http://127.0.0.1:{port}"
    _wait_http(f"{base}/query?query=ASK%7B%7D", proc, "the oxigraph server", log)
    return OxigraphServer(proc, base, f"{base}/query", workdir)


VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
Striping           = 0

[Parameters]
ServerPort               = 127.0.0.1:{sql_port}
DisableUnixSocket        = 1
DisableTcpSocket         = 0
DirsAllowed              = {d}
NumberOfBuffers          = 20000
MaxDirtyBuffers          = 15000
CheckpointInterval       = 0
ThreadsPerQuery          = 2
AsyncQueueMaxThreads     = 4
MaxQueryMem              = 1G

[HTTPServer]
ServerPort                  = 127.0.0.1:{http_port}
ServerRoot                  = {d}
ServerThreads               = 4
MaxClientConnections        = 4
EnabledDavVSP               = 0

[SPARQL]
ResultSetMaxRows           = 10000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime      = 0
"""


class VirtuosoServer(SparqlServer):
    name = "virtuoso"

    def __init__(self, proc, base, query_url, workdir, sql_port: int):
        super().__init__(proc, base, query_url, workdir)
        self.sql_port = sql_port
        self._loads = 0

    def isql(self, script: str) -> str:
        """Run SQL statements (each ending with ';') through isql-vt as dba; raises on any error."""
        isql = shutil.which("isql-vt") or shutil.which("isql")
        r = subprocess.run(
            [
                isql,
                f"127.0.0.1:{self.sql_port}",
                "dba",
                "dba",
                "VERBOSE=OFF",
                "BANNER=OFF",
                "PROMPT=OFF",
                "ERRORS=STDOUT",
            ],
            input=script,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        out = r.stdout + r.stderr
        if r.returncode != 0 or "*** Error" in out:
            raise StoreFailed(f"isql-vt failed (exit code {r.returncode}): {out[-1500:]}")
        return out

    def load(self, quads) -> float:
        t0 = time.perf_counter()
        graphs = by_graph(quads)
        if None in graphs:
            raise ValueError("Virtuoso has no separate default graph: put every triple in a named graph")
        self._loads += 1
        lines = [f"SPARQL CLEAR GRAPH <{g}>;" for g in self.graphs]
        lines.append("DELETE FROM DB.DBA.LOAD_LIST;")
        for i, (g, triples) in enumerate(sorted(graphs.items())):
            path = self.workdir / f"load{self._loads}-{i}.nt"
            path.write_bytes(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
            lines.append(f"ld_add('{path}', '{g}');")
        lines += [
            "rdf_loader_run();",
            "checkpoint;",
            "SELECT 'LOAD-ERRORS', COUNT(*) FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL OR ll_state <> 2;",
        ]
        out = self.isql("\n".join(lines) + "\n")
        count_line = [ln for ln in out.splitlines() if ln.startswith("LOAD-ERRORS")]
        if not count_line or count_line[0].split()[-1] != "0":
            errors = self.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
            raise StoreFailed(f"Virtuoso's bulk loader failed: {errors[-1500:]}")
        self.graphs = sorted(graphs)
        for p in self.workdir.glob(f"load{self._loads}-*.nt"):
            p.unlink()
        return time.perf_counter() - t0


def virtuoso_executable() -> str:
    exe = shutil.which("virtuoso-t")
    if not exe or not (shutil.which("isql-vt") or shutil.which("isql")):
        raise StoreUnavailable("Virtuoso is not installed (`apt-get install virtuoso-opensource`: virtuoso-t, isql-vt)")
    return exe


def start_virtuoso(workdir: Path) -> VirtuosoServer:
    exe = virtuoso_executable()
    workdir = workdir.resolve()
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    ini = workdir / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=workdir, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    log = workdir / "virtuoso.log"
    proc = subprocess.Popen(
        [exe, "-f", "-c", str(ini)], cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{http_port}"
    _wait_http(f"{base}/sparql?query=ASK%7B%7D", proc, "virtuoso-t", log)
    return VirtuosoServer(proc, base, f"{base}/sparql", workdir, sql_port)


# ------------------------------------------------------------------------------- Apache Jena ARQ

# Debian's /usr/share/java holds both log4j-over-slf4j and slf4j-log4j12 (a loop), so the class path is picked
# by hand: Jena's own jars, what they need, and one SLF4J binding (nop).
JENA_JARS = (
    "jena-base",
    "jena-core",
    "jena-arq",
    "jena-iri",
    "jena-cmds",
    "jena-shacl",
    "slf4j-api",
    "slf4j-nop",
    "commons-lang3",
    "commons-io",
    "commons-codec",
    "commons-compress",
    "commons-csv",
    "commons-cli",
    "dexx.collection",
    "gson",
    "guava",
    "jackson-core",
    "jackson-databind",
    "jackson-annotations",
    "jsonld-java",
    "httpclient",
    "httpcore",
    "titanium-json-ld",
    "jakarta.json-api",
    "protobuf",
    "thrift",
)


def _xerces_messages(workdir: Path) -> Path:
    """Debian's jena-core moves Jena's shaded Xerces to the package ``xerces`` but leaves its message files
    under ``org/apache/jena/ext/xerces``. The regex parser behind XSD pattern facets loads its messages when it
    is created, so without them ``SchemaDVFactory`` fails to initialise ("internal error") as soon as Jena
    touches an XSD datatype. Copy the ``.properties`` files to where the relocated classes look for them."""
    out = workdir / "xerces-messages"
    if (out / "xerces").exists():
        return out
    prefix = "org/apache/jena/ext/xerces/"
    with zipfile.ZipFile(JAVA_DIR / "jena-core.jar") as z:
        for name in z.namelist():
            if name.startswith(prefix) and name.endswith(".properties"):
                target = out / "xerces" / name[len(prefix) :]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(z.read(name))
    return out


def jena_classpath(workdir: Path) -> str:
    if not shutil.which("java"):
        raise StoreUnavailable("no Java runtime (`apt-get install default-jre-headless`)")
    jars = [JAVA_DIR / f"{n}.jar" for n in JENA_JARS]
    missing = [j.name for j in jars[:6] if not j.exists()]
    if missing:
        raise StoreUnavailable(
            f"Apache Jena is not installed (`apt-get install libapache-jena-java`; missing {', '.join(missing)})"
        )
    return os.pathsep.join([str(_xerces_messages(workdir)), *(str(j) for j in jars if j.exists())])


def _has_java_compiler() -> bool:
    r = subprocess.run(["java", "--list-modules"], capture_output=True, text=True, timeout=60, check=False)
    return any(line.startswith("jdk.compiler@") for line in r.stdout.splitlines())


class Jena:
    """Apache Jena ARQ over an in-memory model read from one N-Triples file."""

    name = "jena"

    def __init__(self, workdir: Path):
        self.workdir = workdir.resolve()
        self.classpath = jena_classpath(self.workdir)
        self.batch = _has_java_compiler()
        self.data: Path | None = None

    def load(self, quads) -> float:
        """Write the union of all graphs as N-Triples (Jena reads it when queries run)."""
        t0 = time.perf_counter()
        self.data = self.workdir / "data.nt"
        self.data.write_bytes(ox.serialize({q.triple for q in quads}, format=ox.RdfFormat.N_TRIPLES))
        return time.perf_counter() - t0

    def shacl_reports(self, shapes: Path, data: list[Path]) -> list[Path]:
        """Jena SHACL's validation report (Turtle) of each data file against ``shapes``, all in one JVM
        (``tests/jena/ShaclReports.java``; it needs the JDK's compiler)."""
        reports = [d.with_suffix(".jena-report.ttl") for d in data]
        if self.batch:
            args = [a for pair in zip(data, reports, strict=True) for a in (str(pair[0]), str(pair[1]))]
            runs = [self.java(str(HERE / "jena" / "ShaclReports.java"), str(shapes), *args)]
        else:  # one JVM per file: Jena's own command line
            runs = []
            for d, rep in zip(data, reports, strict=True):
                runs.append(self.java("shacl.shacl", "validate", "--shapes", str(shapes), "--data", str(d)))
                rep.write_text(runs[-1].stdout, encoding="utf-8")
        for r in runs:
            if r.returncode != 0:
                raise StoreFailed(f"Jena SHACL failed: {(r.stderr or r.stdout)[-1500:]}")
        return reports

    def java(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["java", "-Xshare:auto", "-XX:+UseSerialGC", "-cp", self.classpath, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.workdir,
            check=False,
        )

    def run(self, queries: dict[str, str]) -> dict[str, object]:
        """Run SELECT and CONSTRUCT queries (name -> text) over the loaded data. Returns name -> rows (SELECT),
        Counter (CONSTRUCT) or an error string; ``self.timings`` holds the load and per-query seconds Jena
        reported (batch mode only)."""
        assert self.data is not None, "load() first"
        qdir = self.workdir / "queries"
        shutil.rmtree(qdir, ignore_errors=True)
        qdir.mkdir()
        files = {}
        for i, (name, text) in enumerate(queries.items()):
            files[name] = qdir / f"q{i:04d}.rq"
            files[name].write_text(text, encoding="utf-8")
        self.timings: dict[str, float] = {}
        if self.batch:
            r = self.java(
                str(HERE / "jena" / "RunQueries.java"), str(self.data), str(qdir), *(str(p) for p in files.values())
            )
            if r.returncode != 0:
                raise StoreFailed(f"Jena (RunQueries.java) failed: {(r.stderr or r.stdout)[-1500:]}")
            for line in r.stdout.splitlines():
                key, _, seconds = line.partition("\t")
                if seconds:
                    self.timings[key] = float(seconds)
        else:
            for name, path in files.items():
                out = path.with_suffix(".out")
                kind = "nt" if _is_construct(queries[name]) else "json"
                r = self.java("arq.sparql", "--data", str(self.data), "--query", str(path), f"--results={kind}")
                (
                    out.write_text(r.stdout, encoding="utf-8")
                    if r.returncode == 0
                    else path.with_suffix(".err").write_text(r.stderr or r.stdout, encoding="utf-8")
                )
        results: dict[str, object] = {}
        for name, path in files.items():
            out, err = path.with_suffix(".out"), path.with_suffix(".err")
            if err.exists():
                results[name] = "error: " + err.read_text(encoding="utf-8")[-1500:]
            elif _is_construct(queries[name]):
                results[name] = canonical_graph(parse_ntriples(out.read_bytes()))
            else:
                results[name] = rows_from_json(json.loads(out.read_bytes()))
        return results


def _is_construct(text: str) -> bool:
    body = re.sub(r"(?m)^\s*#.*$", "", text)
    return re.search(r"\bCONSTRUCT\b", body, re.IGNORECASE) is not None


# ------------------------------------------------------------------------------- pytest fixtures

_STORE_FIXTURES = {"oxigraph_store": "oxigraph", "virtuoso_store": "virtuoso", "jena_arq": "jena"}


def _started(factory, tmp_path_factory, name):
    try:
        return factory(tmp_path_factory.mktemp(name))
    except StoreUnavailable as exc:
        pytest.skip(f"{name}: {exc}")
    except StoreFailed as exc:
        pytest.fail(f"{name}: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def oxigraph_store(tmp_path_factory):
    server = _started(start_oxigraph, tmp_path_factory, "oxigraph")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso_store(tmp_path_factory):
    server = _started(start_virtuoso, tmp_path_factory, "virtuoso")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def jena_arq(tmp_path_factory):
    return _started(Jena, tmp_path_factory, "jena")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    for fixture, store in _STORE_FIXTURES.items():
        if fixture in getattr(item, "fixturenames", ()):
            report.user_properties.append(("store", store))


def pytest_terminal_summary(terminalreporter):
    status: dict[str, set[str]] = {}
    for reports in terminalreporter.stats.values():
        for rep in reports:
            for key, store in getattr(rep, "user_properties", ()):
                if key == "store" and getattr(rep, "when", None) in ("setup", "call"):
                    status.setdefault(store, set()).add(rep.outcome)
    if not status:
        return
    marks = []
    for store in ("oxigraph", "virtuoso", "jena"):
        if store in status:
            s = status[store]
            marks.append(f"{store} " + ("✗" if "failed" in s else "✓" if "passed" in s else "skipped"))
    terminalreporter.write_line("stores: " + "  ".join(marks))
