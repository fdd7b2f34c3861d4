"""The server's bounds: query time and result size, request body, idle connections, thread pool, backlog;
and a bounded loopback load test (slow)."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from sscrdf.server.bounded import Limits
from sscrdf.server.endpoint import serve_in_thread

from .conftest import EXAMPLES

CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
#: all its work comes before its first (and only) row: nothing to check between rows
COUNT_CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?t }"


@pytest.fixture(scope="module")
def store():
    from sscrdf import KnowledgeBase

    kb = KnowledgeBase()
    return kb.prepare(kb.load(EXAMPLES / "riverton.ttl"), rules=False)


def _get(url, query, timeout=30):
    try:
        with urllib.request.urlopen(url + "?query=" + urllib.parse.quote(query), timeout=timeout) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture
def served(store):
    servers = []

    def start(**limits):
        server, url = serve_in_thread(store, limits=Limits(**limits))
        servers.append(server)
        return server, url

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def test_runaway_query_is_stopped_while_others_are_answered(served):
    # no practical row limit: on a fast machine the cross product would reach the default one (413) within the
    # time limit, and this test is about the time limit
    _, url = served(query_timeout=1.5, max_concurrent_queries=2, max_results=10**12)
    with ThreadPoolExecutor(2) as ex:
        runaway = ex.submit(_get, url, CROSS)
        time.sleep(0.2)
        status, body = _get(url, COUNT)
        assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] != "0"
        status, body = runaway.result()
    assert status == 503 and b"longer than 1.5 s" in body and body.count(b"\n") == 1
    assert _get(url, COUNT)[0] == 200  # the slot it held is free again


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists and has not ended (a zombie waiting for its parent to reap it has ended)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _gone(pid: int, within: float = 5.0) -> bool:
    """True once process ``pid`` has ended (polled for at most ``within`` seconds)."""
    deadline = time.monotonic() + within
    while _running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_runaway_aggregate_is_killed_while_others_are_answered(store):
    """A COUNT over a four-way cross product never yields a row before it ends; its worker process is killed at
    the time limit and replaced, while a cheap query sent meanwhile is answered."""
    threads_before = threading.active_count()
    server, url = serve_in_thread(store, limits=Limits(query_timeout=1.0, max_concurrent_queries=2))
    pool = server.service.pool
    workers = pool.pids()
    assert len(workers) == 2 and all(_running(p) for p in workers)
    with ThreadPoolExecutor(1) as ex:
        started = time.monotonic()
        runaway = ex.submit(_get, url, COUNT_CROSS)
        time.sleep(0.2)
        status, body = _get(url, COUNT)
        assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0
        assert time.monotonic() - started < 1.0  # answered while the runaway runs
        status, body = runaway.result()
        took = time.monotonic() - started
    assert status == 503 and took < 2.0, took
    assert body == b"the query ran longer than 1 s and was stopped; narrow it, or raise --query-timeout\n"
    after = pool.pids()
    assert len(after) == 2 and len(set(after) - set(workers)) == 1  # one replaced, the other kept
    killed = (set(workers) - set(after)).pop()
    assert _gone(killed)
    assert _get(url, COUNT)[0] == 200
    template = pool._template_pid
    server.shutdown()
    server.server_close()
    assert all(_gone(p) for p in [template, *after])  # nothing outlives the server
    time.sleep(0.2)
    assert threading.active_count() <= threads_before


def test_a_worker_killed_from_outside_is_replaced(served):
    server, url = served(max_concurrent_queries=1)
    [pid] = server.service.pool.pids()
    os.kill(pid, signal.SIGKILL)
    assert _gone(pid)
    status, _ = _get(url, COUNT)  # the dead worker is noticed before the query is given to it
    assert status == 200
    [new] = server.service.pool.pids()
    assert new != pid


def test_a_worker_past_its_memory_limit_is_replaced_after_answering(served):
    server, url = served(max_concurrent_queries=1, worker_memory=1)
    pool = server.service.pool
    [first] = pool.pids()
    status, body = _get(url, COUNT)  # any query makes a worker fault in more than 1 MiB of its own
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) > 0
    [second] = pool.pids()
    assert second != first and pool.recycled == 1 and _gone(first)
    assert _get(url, COUNT) == (status, body)  # the fresh worker answers the same


def test_result_size_limit(served):
    _, url = served(max_results=10)
    status, body = _get(url, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 413 and b"more than 10 rows" in body
    assert _get(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 10")[0] == 200


def test_request_body_limit(served):
    _, url = served(max_body=100)
    req = urllib.request.Request(
        url, data=b"query=" + b"x" * 200, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(req, timeout=10)
    assert exc.value.code == 413


def test_bad_content_length(served):
    server, _ = served()
    with socket.create_connection(server.server_address, timeout=10) as s:
        s.sendall(b"POST /sparql HTTP/1.0\r\nContent-Length: -5\r\n\r\n")
        assert s.recv(100).startswith(b"HTTP/1.0 400")


def test_idle_connections_hold_no_thread_and_are_closed(served):
    before = threading.active_count()
    server, url = served(idle_timeout=1.0, threads=4)
    started = threading.active_count()
    idle = [socket.create_connection(server.server_address, timeout=10) for _ in range(60)]
    assert _get(url, COUNT)[0] == 200  # answered although 60 connections sit idle and there are 4 threads
    assert threading.active_count() <= started + 4
    time.sleep(2.5)
    assert all(s.recv(10) == b"" for s in idle)  # closed by the server
    for s in idle:
        s.close()
    server.shutdown()
    server.server_close()
    time.sleep(0.2)
    assert threading.active_count() <= before


def test_slow_header_is_cut_by_the_read_timeout(served):
    server, _ = served(read_timeout=0.5)
    with socket.create_connection(server.server_address, timeout=10) as s:
        s.sendall(b"GET /sparql?query=ASK")  # never finishes the request line
        t = time.monotonic()
        s.recv(100)
        assert time.monotonic() - t < 5


def test_backlog_is_configured(served):
    server, _ = served(backlog=256)
    assert server.request_queue_size == 256


def test_bad_limit_environment_variable(runner, cli, monkeypatch):
    monkeypatch.setenv("SSCRDF_SERVE_QUERY_TIMEOUT", "soon")
    res = runner.invoke(cli, ["serve", str(EXAMPLES / "riverton.ttl"), "--port", "0"])
    assert res.exit_code == 2
    assert (
        res.output == "error: SSCRDF_SERVE_QUERY_TIMEOUT='soon' is not a number — set SSCRDF_SERVE_QUERY_TIMEOUT to "
        "a positive number, or unset it\n"
    )


@pytest.mark.parametrize("value", ["inf", "nan"])
def test_limit_in_seconds_a_socket_cannot_hold(runner, cli, monkeypatch, value):
    """An infinite read timeout left every request unanswered (the socket cannot hold it); refused at start."""
    monkeypatch.setenv("SSCRDF_SERVE_READ_TIMEOUT", value)
    res = runner.invoke(cli, ["serve", str(EXAMPLES / "riverton.ttl"), "--port", "0"])
    assert res.exit_code == 2
    assert res.output == f"error: the read timeout limit must be at most 9223372036, not {value}\n"


def _rss_kib() -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))


@pytest.mark.slow
def test_load_2000_requests_50_clients_100_idle(served):
    """2,000 requests from 50 concurrent clients while 100 connections sit idle: no error, and threads and
    memory back to (about) their baseline afterwards."""
    before_threads = threading.active_count()
    server, url = served(idle_timeout=60)
    for _ in range(20):  # warm up (allocator, query caches) before the memory baseline
        _get(url, COUNT)
    base_rss = _rss_kib()
    idle = [socket.create_connection(server.server_address, timeout=60) for _ in range(100)]
    queries = [COUNT, "ASK { ?s ?p ?o }", "SELECT ?s WHERE { ?s a ?t } LIMIT 20"]

    def client(i):
        errors = 0
        for j in range(40):
            status, _ = _get(url, queries[(i + j) % 3], timeout=60)
            errors += status != 200
        return errors

    with ThreadPoolExecutor(50) as ex:
        errors = sum(ex.map(client, range(50)))
    assert errors == 0
    for s in idle:
        s.close()
    server.shutdown()
    server.server_close()
    time.sleep(0.5)
    assert threading.active_count() <= before_threads + 1
    assert _rss_kib() - base_rss < 64 * 1024  # less than 64 MiB left over


def _descendants(pid: int) -> list[int]:
    """The processes below ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("how", ["Ctrl-C", "SIGTERM", "SIGKILL"])
def test_no_worker_outlives_the_serve_command(how):
    """`sscrdf serve` stopped with Ctrl-C (SIGINT to its process group), SIGTERM or SIGKILL leaves no template
    or worker process behind."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "sscrdf.cli", "serve", str(EXAMPLES / "lakeside.ttl"), "--port", "0", "--no-rules"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert "SPARQL endpoint on http://127.0.0.1:" in proc.stderr.readline()
        below = _descendants(proc.pid)
        assert len(below) == 1 + Limits().max_concurrent_queries  # the template and its workers
        if how == "Ctrl-C":
            os.killpg(proc.pid, signal.SIGINT)
        else:
            os.kill(proc.pid, getattr(signal, how))
        proc.wait(timeout=20)
        assert all(_gone(p) for p in below)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=20)
