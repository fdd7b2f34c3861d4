"""The UTF-8 check every reader of text input shares (RDF files, CSV registers, CSV sheets)."""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import InputError


def check_utf8(data: bytes, path: Path, hint: str | None = None) -> None:
    """InputError naming the byte offset (and line and column) of the first bytes of ``data`` that are not UTF-8.

    Decodes in chunks so that a large file is never held twice in memory.
    """
    chunk = 1 << 20
    start = 0
    while start < len(data):
        end = start + chunk
        try:
            _, consumed = codecs.utf_8_decode(data[start:end], "strict", end >= len(data))
        except UnicodeDecodeError as exc:
            raise _not_utf8(data, start + exc.start, path, hint) from None
        if consumed == 0:  # pragma: no cover - a chunk always holds at least one whole character
            break
        start += consumed


def _not_utf8(data: bytes, offset: int, path: Path, hint: str | None) -> InputError:
    line = data.count(b"\n", 0, offset) + 1
    line_start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[line_start:offset].decode("utf-8", errors="replace")) + 1
    return InputError(
        f"the file is not valid UTF-8: undecodable byte 0x{data[offset]:02x} at byte offset {offset}",
        path=path,
        line=line,
        column=column,
        hint=hint or "save the file with UTF-8 encoding",
    )
