"""Progress and chatter on standard error: a progress bar (tqdm) only when standard error is a terminal,
status lines unless ``--quiet``, stage details with ``--verbose``. Set once by the command line."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_STATE = {"quiet": False, "verbose": False}


def configure(*, quiet: bool = False, verbose: bool = False) -> None:
    _STATE.update(quiet=quiet, verbose=verbose and not quiet)


def quiet() -> bool:
    return _STATE["quiet"]


def verbose() -> bool:
    return _STATE["verbose"]


def bar_enabled() -> bool:
    return not _STATE["quiet"] and sys.stderr.isatty()


def bar(items: Iterable[T], *, total: int | None = None, desc: str = "") -> Iterator[T]:
    """``items``, with a progress bar on standard error when it is a terminal (and not --quiet)."""
    if not bar_enabled():
        yield from items
        return
    from tqdm import tqdm  # only on a terminal

    try:
        width = os.get_terminal_size(sys.stderr.fileno()).columns
    except OSError:
        width = 0
    yield from tqdm(items, total=total, desc=desc, file=sys.stderr, leave=False, unit="", ncols=width or 80)


def info(message: str) -> None:
    """A status line on standard error, unless --quiet."""
    if not _STATE["quiet"]:
        print(message, file=sys.stderr)


def detail(message: str) -> None:
    """A line on standard error with --verbose only."""
    if _STATE["verbose"]:
        print(message, file=sys.stderr)
