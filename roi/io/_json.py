"""Reading JSON exports record by record: JSON Lines, one JSON document, gzip; with line numbers.

Every X reader goes through :func:`iter_json` so that all of them treat bad bytes the same way:

* a line (or document) that is not valid JSON becomes an error item naming its line, never an
  exception that stops the file;
* text that is not valid UTF-8 is decoded as Latin-1 and the item carries a note saying so
  (JSON must be UTF-8, but hand-edited exports saved by old tools are often Latin-1; decoding
  byte-for-byte keeps every character visible instead of dropping the record);
* a file that is one pretty-printed document (an array of tweets, an indented page) is parsed
  whole, and a top-level array yields its elements with their 1-based index as the "line".
"""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from roi.errors import InputError

__all__ = ["JsonItem", "iter_json", "iter_lines", "open_bytes", "LATIN1_NOTE", "raw_text", "MAX_DOCUMENT_BYTES"]

LATIN1_NOTE = "not valid UTF-8; decoded as Latin-1"
# A file whose first line is not JSON is tried as one pretty-printed document up to this size;
# larger files are read as JSON Lines (which streams at any size).
MAX_DOCUMENT_BYTES = 256 << 20
_RECORD_TEXT_LIMIT = 4096
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class JsonItem:
    """One parsed JSON value (or the error met while parsing it) with where it came from."""

    line: int  # 1-based line number, or element index inside a top-level array
    value: Any = None
    error: str | None = None  # one-line reason when the bytes are not JSON
    raw: bytes = b""
    latin1: bool = False


def open_bytes(path: Any) -> IO[bytes]:
    """Open a file (or zip member) for binary reading, transparently un-gzipping it.

    Damaged or truncated gzip data raises :class:`~roi.errors.InputError` naming the file (one
    line, exit 2), never a traceback from the gzip module.
    """
    fh = path.open("rb") if hasattr(path, "open") else open(path, "rb")
    head = fh.read(2)
    if head == _GZIP_MAGIC:
        fh.seek(0)
        return io.BufferedReader(_CheckedGzip(gzip.GzipFile(fileobj=fh), name_of(path)), buffer_size=1 << 20)
    fh.seek(0)
    return fh


class _CheckedGzip(io.RawIOBase):
    """A gzip stream whose read errors (cut short, bad CRC, not gzip) become one-line InputErrors."""

    def __init__(self, gz: gzip.GzipFile, name: str):
        self._gz, self._name = gz, name

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            n = self._gz.readinto(buffer)
        except (EOFError, OSError, zlib.error) as exc:
            raise InputError(f"{self._name}: the gzip data is damaged or cut short ({exc}); nothing was "
                             "stored -- re-download or re-compress the file") from None
        return n

    def close(self) -> None:
        self._gz.close()
        super().close()


def raw_text(raw: bytes | str) -> str:
    """Return the raw text of a record for ``_rejected/`` (truncated so one bad line cannot bloat it)."""
    text = raw if isinstance(raw, str) else raw.decode("utf-8", errors="replace")
    return text if len(text) <= _RECORD_TEXT_LIMIT else text[:_RECORD_TEXT_LIMIT] + "...[truncated]"


# A bare integer of 20 or more digits: orjson reads integers beyond 64 bits as floats
# (12345678901234567890123 -> 1.2345678901234568e+22), which would corrupt an id.
_BIG_INT = re.compile(rb"[\[:,]\s*-?[0-9]{20}")


def loads_exact(raw: bytes | str) -> Any:
    """Parse like ``orjson.loads``, but an integer too long for 64 bits becomes its digits as text.

    Such an integer is an exact id (a count that size is then rejected as one), never a float.

    >>> loads_exact(b'{"id": 12345678901234567890123, "n": 1.5, "k": 7}')
    {'id': '12345678901234567890123', 'n': 1.5, 'k': 7}
    """
    value = orjson.loads(raw)
    if _BIG_INT.search(raw if isinstance(raw, bytes) else raw.encode()):
        value = json.loads(raw, parse_int=_int_or_digits)
    return value


def _int_or_digits(text: str) -> int | str:
    number = int(text)
    return number if -(2**63) <= number < 2**64 else text


def _loads(raw: bytes) -> tuple[Any, bool]:
    """Parse bytes as JSON; fall back to Latin-1 when they are not UTF-8. Returns (value, latin1)."""
    try:
        return loads_exact(raw), False
    except orjson.JSONDecodeError:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            return loads_exact(raw.decode("latin-1")), True
        raise


def _error_text(exc: Exception) -> str:
    msg = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return f"invalid JSON ({msg})"


def iter_json(path: Any) -> Iterator[JsonItem]:
    r"""Yield every JSON record of a file: each line of JSON Lines, else the elements of one document.

    Parameters
    ----------
    path : Path or zipfile.Path
        The file; gzip is detected by its magic bytes.

    Yields
    ------
    JsonItem
        ``value`` set, or ``error`` set with a one-line reason (the caller rejects that record).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.jsonl"
    >>> _ = p.write_bytes(b'{"id": "1"}\n{"id": \n\n[1, 2]\n')
    >>> [(i.line, i.value, i.error) for i in iter_json(p)]
    [(1, {'id': '1'}, None), (2, None, 'invalid JSON (unexpected end of data: line 1 column 7 (char 6))'), (4, [1, 2], None)]
    """
    with open_bytes(path) as fh:
        first = _first_nonblank(fh)
        if first is None:
            return
        lineno, line = first
        stripped = line.strip()
        try:
            value, latin1 = _loads(stripped)
        except orjson.JSONDecodeError as exc:
            after_first = fh.tell()
            document = _try_document(line, fh) if stripped[:1] in (b"[", b"{") else None
            if document is not None:
                yield from document
                return
            # Not one document either: JSON Lines whose first line is broken.
            fh.seek(after_first)
            yield JsonItem(lineno, error=_error_text(exc), raw=stripped)
        else:
            if isinstance(value, list) and lineno == 1 and _rest_is_blank(fh):
                # A plain JSON array on one line: its elements are the records.
                for i, element in enumerate(value, 1):
                    yield JsonItem(i, value=element, latin1=latin1)
                return
            yield JsonItem(lineno, value=value, raw=stripped, latin1=latin1)
        yield from iter_lines(fh, lineno)


def _first_nonblank(fh: IO[bytes]) -> tuple[int, bytes] | None:
    for lineno, line in enumerate(fh, 1):
        if line.strip():
            if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            return lineno, line
    return None


def _rest_is_blank(fh: IO[bytes]) -> bool:
    pos = fh.tell()
    rest = fh.read(4096)
    if rest.strip():
        fh.seek(pos)
        return False
    return not fh.read(1)


def iter_lines(fh: IO[bytes], lines_before: int) -> Iterator[JsonItem]:
    """One item per non-blank line of ``fh``, numbered from ``lines_before + 1``."""
    loads = loads_exact
    for lineno, line in enumerate(fh, lines_before + 1):
        stripped = line.strip()
        if not stripped:
            continue
        try:
            yield JsonItem(lineno, value=loads(stripped), raw=stripped)
        except orjson.JSONDecodeError as exc:
            try:
                value, latin1 = _loads(stripped)
            except orjson.JSONDecodeError:
                yield JsonItem(lineno, error=_error_text(exc), raw=stripped)
            else:
                yield JsonItem(lineno, value=value, raw=stripped, latin1=latin1)


def _try_document(first_line: bytes, fh: IO[bytes]) -> list[JsonItem] | None:
    """Parse the whole file as one JSON document; None if it is not one (or too large to try)."""
    buf = io.BytesIO()
    buf.write(first_line)
    while chunk := fh.read(1 << 20):
        buf.write(chunk)
        if buf.tell() > MAX_DOCUMENT_BYTES:
            return None
    data = buf.getvalue()
    try:
        value, latin1 = _loads(data)
    except orjson.JSONDecodeError:
        return None
    if isinstance(value, list):
        return [JsonItem(i, value=element, latin1=latin1) for i, element in enumerate(value, 1)]
    return [JsonItem(1, value=value, latin1=latin1)]


def name_of(path: Any) -> str:
    """Return a path's display name (works for zip members too)."""
    return str(path) if isinstance(path, (str, Path)) else getattr(path, "at", None) or str(path)
