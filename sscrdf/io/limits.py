"""The size limit of one input: how many bytes of data the loaders accept (README, "Limits and safety").

Its own module because both the RDF loader (:mod:`sscrdf.io.load`) and the register reader
(:mod:`sscrdf.io.register`, which the loader also calls) apply it."""

from __future__ import annotations

import os

from ..errors import InputError

_ENV_LIMIT = "SSCRDF_MAX_INPUT_BYTES"


def _mem_available() -> int | None:
    """Bytes of memory available to new processes (MemAvailable), or None when it cannot be told."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def input_limit(max_bytes: int | None = None) -> int | None:
    """The largest input (bytes) :func:`load` accepts: ``max_bytes``, else ``$SSCRDF_MAX_INPUT_BYTES``, else
    an eighth of the available memory; None when no limit can be determined."""
    if max_bytes is not None:
        return max_bytes
    env = os.environ.get(_ENV_LIMIT)
    if env is not None and env.strip():
        try:
            value = int(env.strip())
        except ValueError:
            raise InputError(
                f"{_ENV_LIMIT}={env!r} is not a whole number of bytes",
                hint=f"set {_ENV_LIMIT} to an integer such as 2147483648, or unset it",
            ) from None
        if value <= 0:
            raise InputError(
                f"{_ENV_LIMIT}={env!r} must be a positive number of bytes",
                hint=f"set {_ENV_LIMIT} to an integer such as 2147483648, or unset it",
            )
        return value
    available = _mem_available()
    return available // 8 if available else None
