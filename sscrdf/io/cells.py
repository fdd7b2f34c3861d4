"""Cell text that is safe to open in a spreadsheet.

A CSV or Markdown cell whose text starts with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) is read
as a formula by spreadsheet programs; data from a city file could then run a formula on the reader's machine
("CSV injection"). :func:`neutralise` prefixes such text with an apostrophe, which spreadsheets show as text.
Numbers (int, float) are left alone: ``-5`` as a number is not a formula.
"""

from __future__ import annotations

from typing import TypeVar

_V = TypeVar("_V")

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: _V) -> _V | str:
    """``value`` with an apostrophe before it when it is text a spreadsheet would take for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
