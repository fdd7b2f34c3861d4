"""Query evaluation in a bounded pool of worker processes, so that a query past its time limit is really stopped.

pyoxigraph cannot cancel a running query, and a query that does all its work before its first row (an
aggregate over a cross product) never returns to Python until it ends. So queries do not run in the server's
threads: each runs in a worker process, and a worker that passes the time limit is killed and replaced.

- At start-up the server forks one *template* process right after the store is loaded, while the server
  has no other thread. The template stays single-threaded and only ever forks workers, so each worker is a
  copy-on-write image of the loaded store (no reload, no second copy in memory) made from a process in which
  no lock can be held by a thread that does not exist in the copy.
- The template hands each new worker's socket to the server over a Unix socket (``SCM_RIGHTS``). A request
  thread takes an idle worker (waiting at most the query time limit, then "busy"), sends it the query and
  waits for the answer until the time limit; past it the worker is killed (SIGKILL, through a pidfd where
  Linux has one) and the template forks a replacement.
- ``sscrdf serve --watch`` changes the data while serving (:mod:`sscrdf.server.watch`): the server sends the
  change (graphs to empty, quads to remove and to add) to the template, which applies all of it to its own copy
  of the store before it forks the next worker, and answers when done. The workers forked before hold the old
  data; each is retired (killed and replaced by a fresh fork) before it would take another query, so a query
  runs on the data as it was or as it is, never on half a change.
- The template exits when the server closes its socket (or dies); workers get SIGKILL when the template
  goes (``PR_SET_PDEATHSIG`` on Linux), so nothing outlives the server. Ctrl-C reaches only the server.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import pickle
import queue
import resource
import signal
import socket
import struct
import tempfile
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import IO, Any

import pyoxigraph as ox

from .formats import Term, serialize_boolean, serialize_graph, serialize_solutions

__all__ = ["Job", "QueryPool", "apply_change", "evaluate", "write_change"]


@dataclass(frozen=True)
class Job:
    """One query for a worker: the checked text, the answer format, the row limit, the rows to keep, the dataset."""

    query: str
    fmt: str  # a format name of sscrdf.server.formats
    max_results: int
    keep: tuple[tuple[str, Term], ...] = ()  # SELECT: only the rows whose column (name) holds this very term
    default_graphs: tuple[str, ...] = ()  # protocol default-graph-uri (empty: the union of all graphs)
    named_graphs: tuple[str, ...] = ()  # protocol named-graph-uri
    prefixes: tuple[tuple[str, str], ...] = ()  # for Turtle answers


def evaluate(store: ox.Store, job: Job) -> tuple[int, bytes]:
    """(HTTP status, body) of ``job`` on ``store``: the serialized answer, or a one-line message."""
    kwargs: dict[str, Any] = {}
    if job.default_graphs or job.named_graphs:
        kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs] or ox.DefaultGraph()
        if job.named_graphs:
            kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    else:
        kwargs["use_default_graph_as_union"] = True
    too_many = (413, f"the result has more than {job.max_results} rows; add a LIMIT, or raise --max-results\n".encode())
    try:
        res = store.query(job.query, **kwargs)
        if isinstance(res, ox.QueryBoolean):
            return 200, serialize_boolean(bool(res), job.fmt)
        if isinstance(res, ox.QuerySolutions):
            names = [v.value for v in res.variables]
            missing = [n for n, _ in job.keep if n not in names]
            if missing:
                return 400, f"the query has no column {missing[0]!r}\n".encode()
            keep = [(names.index(n), t) for n, t in job.keep]
            rows: list[tuple[Term | None, ...]] = []
            for sol in res:
                row = tuple(sol[i] for i in range(len(names)))
                if any(row[i] != t for i, t in keep):
                    continue
                if len(rows) >= job.max_results:
                    return too_many
                rows.append(row)
            return 200, serialize_solutions(names, rows, job.fmt)
        triples: list[ox.Triple] = []
        for t in res:
            if len(triples) >= job.max_results:
                return too_many
            triples.append(t)
        return 200, serialize_graph(triples, job.fmt, dict(job.prefixes))
    except SyntaxError as exc:
        return 400, f"SPARQL syntax error: {exc}".splitlines()[0].encode() + b"\n"
    except (OSError, RuntimeError, ValueError, TypeError) as exc:  # evaluation errors of the store
        return 500, f"the query failed: {exc}".splitlines()[0].encode() + b"\n"


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent goes (no-op elsewhere)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _over(limit: int) -> bool:
    """True when this process holds more than ``limit`` bytes it no longer shares with the template. Cheap
    first: the minor page faults since the fork bound that from above (each copy-on-write copy and each new page
    is one); only past the limit is ``/proc/self/smaps_rollup`` read for the exact figure."""
    if resource.getrusage(resource.RUSAGE_SELF).ru_minflt * resource.getpagesize() <= limit:
        return False
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
            private = sum(
                int(line.split()[1]) * 1024 for line in fh if line.startswith(("Private_Clean:", "Private_Dirty:"))
            )
    except (OSError, ValueError, IndexError):
        return True
    return private > limit


def _worker(store: ox.Store, sock: socket.socket, template: int, memory_limit: int) -> None:
    _die_with_parent()
    if os.getppid() != template:  # the template went before prctl took effect
        return
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    conn = Connection(sock.detach())
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            status, body = evaluate(store, job)
        except Exception as exc:
            status, body = 500, f"the query failed: {type(exc).__name__}\n".encode()
        # reading the store writes reference counts into the pages it visits, so a worker's copy of the store
        # slowly stops being shared; past the limit it asks to be replaced by a fresh fork of the template
        recycle = _over(memory_limit)
        try:
            conn.send((status, body, recycle))
        except OSError:
            return
        if recycle:
            return


def write_change(fh: IO[bytes], graphs: list[str | None], remove: list[ox.Quad], add: list[ox.Quad]) -> None:
    """Write a change of the data for :func:`apply_change` to the open file ``fh`` and rewind it: the graphs to
    empty (None: the default graph), and the quads to remove and to add as N-Quads (blank-node labels kept)."""
    payload = (
        graphs,
        ox.serialize(remove, format=ox.RdfFormat.N_QUADS) or b"",
        ox.serialize(add, format=ox.RdfFormat.N_QUADS) or b"",
    )
    pickle.dump(payload, fh, protocol=pickle.HIGHEST_PROTOCOL)
    fh.flush()
    fh.seek(0)


def apply_change(store: ox.Store, fd: int) -> None:
    """Apply to ``store`` the change :func:`write_change` wrote to the file ``fd`` (closed here); in the template
    process, the file comes from the server process, its parent, which alone writes it."""
    with os.fdopen(fd, "rb") as fh:
        graphs, remove, add = pickle.load(fh)
    for g in graphs:
        if g is None:
            store.clear_graph(ox.DefaultGraph())
        else:
            store.remove_graph(ox.NamedNode(g))
    for q in ox.parse(remove, format=ox.RdfFormat.N_QUADS):
        store.remove(q)
    store.extend(ox.parse(add, format=ox.RdfFormat.N_QUADS))


def _template(store: ox.Store, sock: socket.socket, memory_limit: int) -> None:
    """The single-threaded process that forks workers on request (one byte in, one pid and one socket out) and
    applies changes to its store (``u`` and a file in, a status out; see :meth:`QueryPool.update`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # dead workers are reaped by the kernel
    keep = sock.fileno()
    os.closerange(3, keep)  # the server's listening socket and client connections are not ours to hold
    os.closerange(keep + 1, 1 << 16)
    gc.freeze()  # nothing inherited is ever collected (so no inherited object closes a descriptor)
    me = os.getpid()
    while True:
        try:
            msg, fds, _, _ = socket.recv_fds(sock, 1, 1)
            if not msg:
                return
        except OSError:
            return
        if msg == b"u" and fds:
            try:
                apply_change(store, fds[0])
                status = 0
            except Exception:  # a change this process cannot apply: the server says so and serves on
                status = 1
            try:
                sock.send(struct.pack("i", status))
            except OSError:
                return
            continue
        for fd in fds:
            os.close(fd)
        mine, theirs = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            try:
                sock.close()
                theirs.close()
                _worker(store, mine, me, memory_limit)
            finally:
                os._exit(0)
        mine.close()
        try:
            socket.send_fds(sock, [struct.pack("i", pid)], [theirs.fileno()])
        except OSError:
            return
        finally:
            theirs.close()


class _Worker:
    def __init__(self, pid: int, conn: Connection, generation: int = 0) -> None:
        self.pid = pid
        self.conn = conn
        self.generation = generation  # the data it holds: the pool's generation when it was forked
        self.pidfd: int | None
        try:
            self.pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self.pidfd = None

    def kill(self) -> None:
        try:
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except (OSError, ProcessLookupError):
            pass
        self.conn.close()
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


class QueryPool:
    """``size`` worker processes evaluating queries on copies of ``store`` (see the module docstring); a worker
    whose memory no longer shared with the template passes ``memory_limit`` bytes is replaced after its answer.

    ``store`` must be an in-memory pyoxigraph store. Create the pool before the process starts other threads."""

    def __init__(self, store: ox.Store, size: int, memory_limit: int = 256 << 20) -> None:
        self.size = size
        gc.collect()  # garbage is not inherited by the template (fewer pages to share, none to copy later)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            try:
                ours.close()
                _template(store, theirs, memory_limit)
            finally:
                os._exit(0)
        theirs.close()
        self._template_pid = pid
        self._template = ours
        self._spawn_lock = threading.Lock()
        self._workers: dict[int, _Worker] = {}
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self.recycled = 0  # workers replaced for their memory (for tests and monitoring)
        self.generation = 0  # changes applied to the template's store (QueryPool.update)
        for _ in range(size):
            self._idle.put(self._spawn())

    def _spawn(self) -> _Worker:
        with self._spawn_lock:
            self._template.sendall(b"w")
            msg, fds, _, _ = socket.recv_fds(self._template, 16, 1)
            if len(msg) != 4 or len(fds) != 1:
                raise OSError("the query worker template did not answer")
            worker = _Worker(struct.unpack("i", msg)[0], Connection(fds[0]), self.generation)
            self._workers[worker.pid] = worker
            return worker

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._spawn_lock:
            self._workers.pop(worker.pid, None)
        if not self._closed:
            with contextlib.suppress(OSError):  # the template is gone (the server is closing): the pool shrinks
                self._idle.put(self._spawn())

    def update(self, graphs: list[str | None], remove: list[ox.Quad], add: list[ox.Quad]) -> None:
        """Change the served data: empty ``graphs`` (None: the default graph), then remove ``remove`` and add
        ``add``. The template applies it before it forks another worker; the workers forked before are retired
        (the idle ones now, the busy ones when their query ends). OSError when the template cannot apply it."""
        with tempfile.TemporaryFile() as fh:  # a file, not the socket: a change can be larger than one packet
            write_change(fh, graphs, remove, add)
            with self._spawn_lock:
                socket.send_fds(self._template, [b"u"], [fh.fileno()])
                answer = self._template.recv(16)
                if len(answer) != 4 or struct.unpack("i", answer)[0] != 0:
                    raise OSError("the query worker template could not apply the change")
                self.generation += 1
        for _ in range(self.size):  # the idle workers hold the old data: replace them now
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            if worker.generation != self.generation:
                self._replace(worker)
            else:
                self._idle.put(worker)

    def pids(self) -> list[int]:
        """The process ids of the live workers (for tests and monitoring)."""
        with self._spawn_lock:
            return sorted(self._workers)

    def run(self, job: Job, timeout: float) -> tuple[int, bytes]:
        """(status, body) of ``job``: waits at most ``timeout`` seconds for a free worker (else 503 busy) and
        at most ``timeout`` seconds for its answer (else the worker is killed and replaced, 503)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                worker = self._idle.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return 503, b"the server is busy; try again later\n"
            try:
                gone = worker.conn.poll(0)  # an idle worker says nothing: something to read is its end (EOF)
            except OSError:
                gone = True
            if not gone and worker.generation == self.generation:
                break
            # it died while idle (killed from outside), or it holds data that has changed since it was forked:
            # the job has not run, take another
            self._replace(worker)
        try:
            worker.conn.send(job)
            if worker.conn.poll(timeout):
                status, body, recycle = worker.conn.recv()
                if recycle or worker.generation != self.generation:
                    self.recycled += recycle
                    self._replace(worker)
                else:
                    self._idle.put(worker)
                return status, body
        except (EOFError, OSError):  # the worker died (out of memory, a crash): replace it
            self._replace(worker)
            return 500, b"the query failed: its worker process ended\n"
        except BaseException:
            self._replace(worker)
            raise
        self._replace(worker)
        return 503, (
            f"the query ran longer than {timeout:g} s and was stopped; narrow it, or raise --query-timeout\n"
        ).encode()

    def close(self) -> None:
        """Kill the workers and end the template (idempotent)."""
        if self._closed:
            return
        self._closed = True
        with self._spawn_lock:
            workers = list(self._workers.values())
            self._workers.clear()
        for w in workers:
            w.kill()
        self._template.close()
        deadline = time.monotonic() + 5
        while True:
            try:
                done, _ = os.waitpid(self._template_pid, os.WNOHANG)
            except ChildProcessError:
                break
            if done or time.monotonic() > deadline:
                if not done:
                    os.kill(self._template_pid, signal.SIGKILL)
                    os.waitpid(self._template_pid, 0)
                break
            time.sleep(0.01)
