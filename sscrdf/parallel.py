"""Many cities: split a dataset into batches of city graphs and process the batches in worker processes.

Every stage of sscrdf works city by city (rules and shapes are anchored on one city), so a dataset of many
cities is cut into batches of named graphs; each batch gets its own small store, which keeps the work per
city constant (pyoxigraph's query plans grow worse than linearly on one very large store) and lets the batches
run on all cores. Workers are forked, so they read the parent's already-parsed store without copying it
through a pipe; only the (small) results travel back.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import pyoxigraph as ox

from .errors import InputError
from .progress import bar

if TYPE_CHECKING:
    from multiprocessing.pool import AsyncResult

T = TypeVar("T")
A = TypeVar("A")
_END: Any = object()

#: cities per batch; small enough for linear behaviour, large enough to amortise the per-store setup
#: (``$SSCRDF_BATCH_SIZE`` overrides it, read when a dataset is split, see :func:`default_batch_size`).
#: Measured in one process, batches alternated: 13.7 CPU-s per 160 generated cities in batches of 20, 14.3 in
#: batches of 40 and 14.1 in batches of 10 (some queries and the sorting of results grow faster than the batch)
BATCH_SIZE = 20


def _env_int(name: str, default: int, minimum: int) -> int:
    """The whole number in the environment variable ``name`` (``default`` when unset); InputError otherwise."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise InputError(
            f"{name}={raw!r} is not a whole number >= {minimum}",
            hint=f"set {name} to a number such as {max(default, minimum)}, or unset it",
        )
    return value


def default_batch_size() -> int:
    """Cities per batch: ``$SSCRDF_BATCH_SIZE`` or :data:`BATCH_SIZE`."""
    return _env_int("SSCRDF_BATCH_SIZE", BATCH_SIZE, 1)


_SHARED: dict[str, Any] = {}


def graph_units(store: ox.Store) -> list[ox.NamedNode | ox.DefaultGraph]:
    """The graphs of ``store`` to process: the default graph (if it holds triples) and every named graph."""
    units: list[ox.NamedNode | ox.DefaultGraph] = []
    for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        units.append(ox.DefaultGraph())
        break
    named = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)
    return units + named


def sub_store(store: ox.Store, graphs: Iterable[ox.NamedNode | ox.DefaultGraph]) -> ox.Store:
    """A new store holding only ``graphs`` of ``store`` (graph names kept)."""
    out = ox.Store()
    for g in graphs:
        out.extend(store.quads_for_pattern(None, None, None, g))
    return out


def workers_for(n_batches: int) -> int:
    wanted = _env_int("SSCRDF_WORKERS", 0, 0) or (os.cpu_count() or 1)
    return max(1, min(wanted, n_batches))


def _run_batch(args: tuple[int, list[ox.NamedNode | ox.DefaultGraph]]) -> tuple[int, Any]:  # fn's result
    index, graphs = args
    fn = _SHARED["fn"]
    return index, fn(sub_store(_SHARED["store"], graphs))


def map_batches(store: ox.Store, fn: Callable[[ox.Store], T], *, batch_size: int | None = None) -> list[T]:
    """``fn`` applied to sub-stores of ``store`` holding at most ``batch_size`` city graphs each, in order.

    With one batch, ``fn`` runs in this process on ``store`` itself (it must not change it). With more, the
    batches run in forked worker processes (``SSCRDF_WORKERS`` caps them; default: one per core)."""
    size = batch_size or default_batch_size()
    units = graph_units(store)
    workers_for(1)  # a bad $SSCRDF_WORKERS is an error even when one batch needs no worker
    batches = [units[i : i + size] for i in range(0, len(units), size)] or [[]]
    if len(batches) == 1:
        return [fn(store)]
    n = workers_for(len(batches))
    import multiprocessing as mp  # about 10 ms to import; one city (one batch) runs without it

    if n == 1 or "fork" not in mp.get_all_start_methods():
        return [fn(sub_store(store, b)) for b in bar(batches, total=len(batches), desc="city batches")]
    _SHARED.update(store=store, fn=fn)
    try:
        with mp.get_context("fork").Pool(n, initializer=_default_sigterm, initargs=(os.getpid(),)) as pool:
            results = dict(
                bar(pool.imap_unordered(_run_batch, enumerate(batches)), total=len(batches), desc="city batches")
            )
    finally:
        _SHARED.clear()
    return [results[i] for i in range(len(batches))]


def _default_sigterm(parent: int | None = None) -> None:
    """In a worker: SIGTERM ends it at once (the pool ends its workers so), whatever the parent installed; and
    the worker ends when its parent does, even one killed outright (a killed ``sscrdf analyze`` left its workers
    running on)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform.startswith("linux"):
        import ctypes  # only a worker needs it (3 ms to import)

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # no prctl: the worker then lives until the pool ends it
            pass
    if parent is not None and os.getppid() != parent:  # the parent (pid ``parent``) died before the call
        os._exit(1)


def _run_item(item: Any) -> Any:  # fn's result
    return _SHARED["stream_fn"](item)


def map_stream(items: Iterable[A], fn: Callable[[A], T], *, desc: str = "city batches") -> Iterator[T]:
    """``fn`` applied to each of ``items``, results in the order of ``items``, while ``items`` is still being
    produced: at most two items per worker are taken ahead of the results handed out, so that neither the
    items nor the results pile up in this process (a pool's own ``imap`` would draw every item at once).

    With one item, or one worker, ``fn`` runs in this process. Otherwise the workers are forked when the second
    item arrives (``SSCRDF_WORKERS`` caps them; default: one per core) and get ``fn`` by the fork. An exception
    from ``items`` or ``fn`` ends the workers and is raised here."""
    it = iter(items)
    first = next(it, _END)
    if first is _END:
        return
    second = next(it, _END)
    if second is _END:
        yield fn(first)
        return
    n = workers_for(1 << 30)  # the number of items is not known yet
    import multiprocessing as mp  # about 10 ms to import; a single item runs without it

    if n == 1 or "fork" not in mp.get_all_start_methods():
        yield fn(first)
        yield fn(second)
        yield from bar((fn(x) for x in it), desc=desc)
        return
    _SHARED.update(stream_fn=fn)
    try:
        with mp.get_context("fork").Pool(n, initializer=_default_sigterm, initargs=(os.getpid(),)) as pool:
            pending: deque[AsyncResult[T]] = deque()
            for item in bar(itertools.chain([first, second], it), desc=desc):
                pending.append(pool.apply_async(_run_item, (item,)))
                while len(pending) >= 2 * n:
                    yield pending.popleft().get()
            while pending:
                yield pending.popleft().get()
    finally:
        _SHARED.pop("stream_fn", None)
