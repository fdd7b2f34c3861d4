"""Against real SPARQL 1.1 stores on 127.0.0.1: an Oxigraph server (from PyPI) and sscrdf's own endpoint.

The same queries/*.rq run unchanged on the embedded store and on the remote ones and give the same rows;
`sscrdf push` uploads through the Graph Store Protocol.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from sscrdf.errors import InputError
from sscrdf.io.load import load
from sscrdf.query.sparql import bundled_queries, select, select_remote
from sscrdf.reasoning.store import knowledge_store
from sscrdf.rules.engine import run_rules
from sscrdf.server.endpoint import serve_in_thread

from .conftest import EXAMPLES

pytestmark = pytest.mark.store
AS_OF = "2026-11-21"
FILES = [EXAMPLES / "riverton.ttl", EXAMPLES / "lakeside.ttl"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory):
    exe = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(exe).exists():
        pytest.fail("the oxigraph server is not installed; `pip install oxigraph` (it is in the test extras)")
    port = _free_port()
    proc = subprocess.Popen(
        [
            exe,
            "serve",
            "--location",
            str(tmp_path_factory.mktemp("oxigraph")),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail(f"oxigraph did not start: {proc.stderr.read().decode()[:500]}")
            time.sleep(0.2)
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def embedded():
    data = load(FILES).store
    return run_rules(knowledge_store(data), as_of=dt.date.fromisoformat(AS_OF)).store


@pytest.fixture(scope="module")
def pushed(oxigraph_server):
    from click.testing import CliRunner

    from sscrdf.cli import cli

    r = CliRunner().invoke(
        cli, ["push", *map(str, FILES), "--store", f"{oxigraph_server}/store", "--as-of", AS_OF, "--replace"]
    )
    assert r.exit_code == 0, r.output
    return oxigraph_server


def _normalise(rows):
    """Floats rounded; values joined with "; " (GROUP_CONCAT, whose order SPARQL 1.1 leaves open) sorted."""
    out = []
    for row in rows:
        out.append(
            tuple(
                round(v, 6)
                if isinstance(v, float)
                else "; ".join(sorted(v.split("; ")))
                if isinstance(v, str) and "; " in v
                else v
                for v in row
            )
        )
    return out


QUERY_IDS = [q.id for q in bundled_queries()]


@pytest.mark.parametrize("query_id", QUERY_IDS)
def test_every_query_gives_the_same_rows_on_oxigraph_server(pushed, embedded, query_id):
    q = next(q for q in bundled_queries() if q.id == query_id)
    local = select(embedded, q.text)
    remote = select_remote(f"{pushed}/query", q.text)
    assert remote.columns == local.columns
    assert _normalise(remote.rows) == _normalise(local.rows)


def test_push_counts_graphs(pushed, embedded):
    q = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/sscrdf/ontology#Finding> }"
    body = urllib.request.urlopen(f"{pushed}/query?query=" + urllib.parse.quote(q), timeout=10).read()
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    expected = Path(__file__).resolve().parent / "expected"
    pinned = sum(
        len((expected / f"{c}.findings.txt").read_text(encoding="utf-8").splitlines()) for c in ("riverton", "lakeside")
    )
    assert n == pinned  # Riverton's and Lakeside's findings, as pinned in tests/expected
    assert n == select(embedded, q).rows[0][0]  # the same as the embedded store


def test_cli_query_against_the_endpoint(pushed, runner, cli):
    r = runner.invoke(cli, ["query", "cities-without-cert", "--endpoint", f"{pushed}/query", "--format", "csv"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == ["city,cityLabel", "https://example.org/lakeside/city,Lakeside"]


def test_unreachable_endpoint_exits_2(runner, cli):
    r = runner.invoke(cli, ["query", "findings", "--endpoint", f"http://127.0.0.1:{_free_port()}/query"])
    assert r.exit_code == 2 and "failed" in r.output


def test_own_endpoint_answers_like_the_embedded_store(embedded):
    server, url = serve_in_thread(embedded)
    try:
        for q in bundled_queries():
            assert _normalise(select_remote(url, q.text).rows) == _normalise(select(embedded, q.text).rows), q.id
        with pytest.raises(InputError):
            select_remote(url, "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }")
    finally:
        server.shutdown()
        server.server_close()


def test_serve_command_serves_until_stopped():
    exe = str(Path(sys.executable).parent / "sscrdf")
    proc = subprocess.Popen(
        [exe, "serve", str(FILES[1]), "--port", "0", "--as-of", AS_OF],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stderr.readline()
        assert "SPARQL endpoint on http://127.0.0.1:" in line, line
        url = line.split(" on ", 1)[1].split(" ", 1)[0]
        rows = select_remote(url, next(q for q in bundled_queries() if q.id == "cities-without-cert").text).rows
        assert rows == [("https://example.org/lakeside/city", "Lakeside")]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_serve_on_a_busy_port_exits_2(runner, cli):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = runner.invoke(cli, ["serve", str(FILES[1]), "--port", str(port)])
    assert r.exit_code == 2 and "cannot listen" in r.output
