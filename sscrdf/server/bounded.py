"""A bounded HTTP server: every resource a client can make the server spend has a limit.

- connections wait in a listen backlog of ``backlog`` (not Python's default 5);
- an accepted connection costs no thread until it sends something: one selector thread watches the idle
  ones and closes those silent for ``idle_timeout`` seconds (at most ``max_connections`` are kept open);
- requests are handled by a fixed pool of ``threads`` threads; each socket read or write waits at most
  ``read_timeout`` seconds;
- :class:`Limits` also carries the limits of the endpoint (:mod:`sscrdf.server.endpoint`) and its query
  workers (:mod:`sscrdf.server.workers`): query time, result rows, request body size, worker processes and
  their unshared memory.

Each limit has a command-line flag on ``sscrdf serve`` and an environment variable (see :data:`ENV`).
"""

from __future__ import annotations

import os
import selectors
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

from ..errors import InputError

__all__ = ["ENV", "BoundedHTTPServer", "Limits"]

#: what socketserver hands a server: a connection (TCP) or a datagram and its socket (UDP)
_Request = socket.socket | tuple[bytes, socket.socket]


@dataclass(frozen=True)
class Limits:
    """The limits of one server (defaults are safe for a public portal on a small machine)."""

    query_timeout: float = 10.0  # seconds a query may run; then its worker process is killed and replaced
    max_results: int = 100_000  # rows (or triples) one answer may hold
    max_body: int = 1 << 20  # bytes of a POST body
    read_timeout: float = 10.0  # seconds any socket read/write may wait
    idle_timeout: float = 30.0  # seconds a connection may stay silent before its request
    threads: int = 16  # request-handling threads
    backlog: int = 128  # listen backlog
    max_connections: int = 1024  # open connections (idle ones included)
    max_concurrent_queries: int = 4  # worker processes (queries evaluated at once); others wait, then 503
    worker_memory: int = 256  # MiB a worker may stop sharing with the loaded store before it is replaced

    @classmethod
    def from_env(cls, **overrides: float | None) -> Limits:
        """Defaults, then ``$SSCRDF_SERVE_*`` variables, then ``overrides`` that are not None."""
        values: dict[str, Any] = {}  # field -> value, each of its field's type (int or float)
        for f in fields(cls):
            raw = os.environ.get(ENV[f.name], "").strip()
            if raw:
                values[f.name] = _number(ENV[f.name], raw, f.type)
        values.update({k: v for k, v in overrides.items() if v is not None})
        for k, v in values.items():
            if v <= 0:
                raise InputError(f"the {k.replace('_', ' ')} limit must be positive, not {v}")
            if not v <= MAX_SECONDS:  # inf or NaN: a socket or a wait cannot hold it (the request went unanswered)
                raise InputError(f"the {k.replace('_', ' ')} limit must be at most {MAX_SECONDS:.0f}, not {v}")
        return cls(**values)


#: the longest wait the standard library can arm (threading.TIMEOUT_MAX, about 292 years): the upper bound of a
#: limit in seconds
MAX_SECONDS = threading.TIMEOUT_MAX

#: limit name -> environment variable
ENV = {f.name: "SSCRDF_SERVE_" + f.name.upper() for f in fields(Limits)}


def _number(name: str, raw: str, typ: object) -> float | int:
    try:
        return int(raw) if typ in (int, "int") else float(raw)
    except ValueError:
        raise InputError(
            f"{name}={raw!r} is not a number", hint=f"set {name} to a positive number, or unset it"
        ) from None


class BoundedHTTPServer(HTTPServer):
    """An HTTPServer with a pool of threads, idle connections parked in a selector, and timeouts."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], limits: Limits) -> None:
        self.limits = limits
        self.request_queue_size = limits.backlog
        handler.timeout = limits.read_timeout  # BaseHTTPRequestHandler applies it to the socket
        super().__init__(address, handler)
        self._pool = ThreadPoolExecutor(max_workers=limits.threads, thread_name_prefix="sscrdf-http")
        self._selector = selectors.DefaultSelector()
        self._parked: dict[socket.socket, tuple[float, object]] = {}  # connection -> (parked at, client address)
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = socket.socketpair()
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._stopping = False
        self._watcher = threading.Thread(target=self._watch, name="sscrdf-http-idle", daemon=True)
        self._watcher.start()

    # an accepted connection is parked until it is readable
    def process_request(self, request: _Request, client_address: object) -> None:  # the socketserver API
        assert isinstance(request, socket.socket)  # a TCP server's requests are its connections
        with self._lock:
            if len(self._parked) >= self.limits.max_connections:
                self.shutdown_request(request)
                return
            self._parked[request] = (time.monotonic(), client_address)
            self._selector.register(request, selectors.EVENT_READ)
        self._wake_w.send(b"x")

    def _watch(self) -> None:
        while not self._stopping:
            events = self._selector.select(timeout=1.0)
            now = time.monotonic()
            ready = []
            with self._lock:
                for key, _ in events:
                    sock = key.fileobj
                    if sock is self._wake_r:
                        try:
                            self._wake_r.recv(4096)
                        except OSError:
                            pass
                        continue
                    if sock in self._parked:
                        ready.append((sock, self._parked.pop(sock)[1]))
                        self._selector.unregister(sock)
                expired = [s for s, (t, _) in self._parked.items() if now - t > self.limits.idle_timeout]
                for s in expired:
                    del self._parked[s]
                    self._selector.unregister(s)
            for s in expired:
                self.shutdown_request(s)
            for sock, addr in ready:
                try:
                    self._pool.submit(self._handle, sock, addr)
                except RuntimeError:  # the pool is shut down
                    self.shutdown_request(sock)

    def _handle(self, request: socket.socket, client_address: object) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # one bad connection must not end the server
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def handle_error(
        self, request: _Request, client_address: object
    ) -> None:  # quiet: a client that misbehaves is not news
        pass

    def server_close(self) -> None:
        if not hasattr(self, "_watcher"):  # the socket could not be bound: nothing of ours was started
            super().server_close()
            return
        self._stopping = True
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass
        self._watcher.join(timeout=5)
        with self._lock:
            for s in list(self._parked):
                self.shutdown_request(s)
            self._parked.clear()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()
        super().server_close()
