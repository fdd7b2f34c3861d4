"""The errors sscrdf reports to its users.

Every error the tool means to show a person is an :class:`SscrdfError`: it carries where the problem is
(file, line, column), what is wrong (the message) and what to do about it (the hint), and renders as one line::

    data/riverton.ttl:12:5: unknown term ssc:Municipalty — did you mean ssc:Municipality?

The command line prints ``str(error)`` and exits with ``error.exit_code``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["InputError", "SscrdfError"]


def _one_line(text: str) -> str:
    """``text`` with its line breaks and runs of blanks folded into single spaces."""
    return " ".join(text.split())


class SscrdfError(Exception):
    """An error with a location and a hint, meant for the person running sscrdf.

    :param message: what is wrong, in a short human sentence (no location, no advice).
    :param path: the file the problem is in, if any.
    :param line: 1-based line in ``path``, if known.
    :param column: 1-based column in ``line``, if known (shown only together with a line).
    :param hint: what the user can do about it, if there is advice to give.
    """

    #: the process exit status the command line uses for this kind of error
    exit_code: int = 2

    def __init__(
        self,
        message: str,
        *,
        path: str | os.PathLike[str] | None = None,
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column
        self.hint = hint

    @property
    def location(self) -> str:
        """``FILE:LINE:COL``, ``FILE:LINE``, ``FILE`` or ``""``, as far as the location is known."""
        if self.path is None:
            return ""
        parts = [str(self.path)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        text = _one_line(self.message)
        if self.location:
            text = f"{self.location}: {text}"
        if self.hint:
            text = f"{text} — {_one_line(self.hint)}"
        return text

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self._fields().items() if value is not None)
        return f"{type(self).__name__}({self.message!r}{', ' if fields else ''}{fields})"

    def _fields(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column, "hint": self.hint}

    def __reduce__(self) -> tuple[Any, ...]:
        # keyword-only fields would be lost by the default Exception pickling (multiprocessing, pytest-xdist)
        return (_rebuild, (type(self), self.message, self._fields()))


def _rebuild(cls: type[SscrdfError], message: str, fields: dict[str, Any]) -> SscrdfError:
    """Unpickle an :class:`SscrdfError` with its keyword fields."""
    return cls(message, **fields)


class InputError(SscrdfError):
    """Input that sscrdf cannot use: a missing, empty, malformed, oversized or unsupported file, or a bad value in
    it."""
