"""Turning many parsed records into one canonical DataFrame per chunk, vectorised.

The X readers walk the JSON once and append one tuple per row to a :class:`RowBuffer` (the
cheapest thing Python can do per record); :meth:`RowBuffer.frame` then builds each column with a
single pyarrow call, validates whole columns at once (timestamps, non-negative counts) and
returns the canonical rows plus a :class:`~roi.io._base.Rejected` for every primary record that
failed. A context row (an author from ``includes``) that fails a check keeps its other values
and gets a null in the bad field instead: it is not a record of the source and must not be
counted as rejected.

Besides the canonical columns every frame carries ``_line`` (the record's line / index) and
``_context`` (True for context rows), which ingest uses for accounting and drops before writing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import orjson
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from roi.io._base import Rejected
from roi.io._json import raw_text
from roi.tables import TABLES, pandas_type

__all__ = ["RowBuffer", "V1_DATE_FORMAT", "iso_to_us"]

V1_DATE_FORMAT = "%a %b %d %H:%M:%S %z %Y"  # "Wed Jan 07 11:06:08 +0000 2015"
_TS = pa.timestamp("us", tz="UTC")
_LIST = pa.list_(pa.string())
_COUNT_LIMIT = 2**62


def iso_to_us(value: str | None) -> int | None:
    """Microseconds since the epoch for one ISO 8601 string (None if absent or unparseable).

    >>> iso_to_us("1970-01-01T00:00:01+00:00")
    1000000
    """
    if not value:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    if ts is pd.NaT:
        return None
    if ts.tzinfo is None:
        ts = ts.tz_localize("UTC")
    return int(ts.tz_convert("UTC").value // 1000)


class RowBuffer:
    """Rows of one canonical table, appended as tuples and built into a DataFrame in one go.

    Parameters
    ----------
    table : str
        Canonical table name.
    fields : sequence of (column, kind)
        The columns each appended tuple holds, in order, then ``line, context, record``.
        Kinds: ``str``, ``list`` (list of str), ``count`` (non-negative int, also from digit
        strings), ``bool``, ``us`` (int microseconds UTC), ``iso`` (ISO 8601 string) and
        ``v1`` (``Wed Jan 07 11:06:08 +0000 2015``).
    constants : mapping
        Columns with one value for every row (e.g. ``platform``).
    label : str
        How a rejection names a row's position: ``"line"`` -> "line 12: ...".
    """

    def __init__(self, table: str, fields: Sequence[tuple[str, str]], *, constants: dict[str, Any] | None = None,
                 label: str = "line"):
        self.table = table
        self.label = label
        self.fields = list(fields)
        self.constants = dict(constants or {})
        self.rows: list[tuple] = []
        self.primary = 0

    def __len__(self) -> int:
        return len(self.rows)

    def frame(self, *, source: str = "") -> tuple[pd.DataFrame, list[Rejected]]:
        """Build the chunk; reset the buffer. Returns (rows with _line/_context, rejected)."""
        rows, self.rows, self.primary = self.rows, [], 0
        n = len(rows)
        width = len(self.fields)
        columns = list(zip(*rows, strict=True)) if n else [()] * (width + 3)
        lines = np.asarray(columns[width], dtype="int64") if n else np.zeros(0, "int64")
        context = np.asarray(columns[width + 1], dtype=bool) if n else np.zeros(0, bool)
        bad = np.zeros(n, dtype=bool)
        label = self.label
        reasons: dict[int, str] = {}

        def flag(mask: np.ndarray, reason_of) -> None:
            for i in np.flatnonzero(mask & ~bad):
                if not context[i]:
                    reasons[i] = reason_of(i)
            bad[mask & ~context] = True

        out: dict[str, Any] = {}
        for j, (name, kind) in enumerate(self.fields):
            values = columns[j]
            if kind in ("str", "list", "bool"):
                arr, failed = _typed(values, kind)
                if failed.any():
                    what = {"str": "text", "list": "a list of text", "bool": "true or false"}[kind]
                    flag(failed, lambda i, v=values, c=name, w=what: f"{label} {lines[i]}: {c} {_short(v[i])} is not {w}")
                out[name] = arr
            elif kind == "us":
                out[name] = pa.array(values, pa.int64()).cast(_TS)
            elif kind in ("iso", "v1"):
                arr, failed = _timestamps(values, kind)
                if failed.any():
                    flag(failed, lambda i, v=values, c=name, k=kind: (
                        f"{label} {lines[i]}: {c} {str(v[i])!r} is not a timestamp (expected "
                        + ("ISO 8601 like 2021-09-22T16:37:29.000Z)" if k == "iso"
                           else "like 'Wed Jan 07 11:06:08 +0000 2015' or ISO 8601)")))
                    arr = pc.if_else(pa.array(failed), pa.scalar(None, _TS), arr)
                out[name] = arr
            elif kind == "count":
                arr, failed, negative = _counts(values)
                if failed.any():
                    flag(failed, lambda i, v=values, c=name: f"{label} {lines[i]}: {c} {v[i]!r} is not a count")
                if negative.any():
                    flag(negative, lambda i, v=values, c=name: f"{label} {lines[i]}: negative {c} ({v[i]})")
                if failed.any() or negative.any():
                    arr = pc.if_else(pa.array(failed | negative), pa.scalar(None, pa.int64()), arr)
                out[name] = arr
            else:  # pragma: no cover - a programming error
                raise ValueError(f"unknown kind {kind!r}")
        table = pa.table(out)
        frame = table.to_pandas(types_mapper=pandas_type)
        for name, value in self.constants.items():
            frame.insert(0, name, pd.Series([value] * n, dtype=pd.StringDtype()))
        frame["_line"] = lines
        frame["_context"] = context
        rejected = [Rejected(int(lines[i]), reasons[i], raw_text(_dump(columns[width + 2][i])))
                    for i in sorted(reasons)]
        if bad.any():
            frame = frame[~bad].reset_index(drop=True)
        order = [c for c in TABLES[self.table].column_names if c in frame.columns] + ["_line", "_context"]
        return frame[order], rejected


_ARROW_TYPES = {"str": pa.string(), "list": _LIST, "bool": pa.bool_()}


def _valid(value: Any, kind: str) -> bool:
    if value is None:
        return True
    if kind == "str":
        return isinstance(value, str)
    if kind == "bool":
        return isinstance(value, bool)
    return isinstance(value, list) and all(isinstance(x, str) for x in value)


def _typed(values: Sequence[Any], kind: str) -> tuple[pa.Array, np.ndarray]:
    """Return a column of text, lists of text or booleans, and which values were of another type (made null).

    >>> arr, failed = _typed(["a", 5, None], "str")
    >>> arr.to_pylist(), failed.tolist()
    (['a', None, None], [False, True, False])
    """
    try:
        return pa.array(values, _ARROW_TYPES[kind]), np.zeros(len(values), dtype=bool)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError):
        pass
    failed = np.fromiter((not _valid(v, kind) for v in values), dtype=bool, count=len(values))
    kept = [None if bad else v for v, bad in zip(values, failed, strict=True)]
    return pa.array(kept, _ARROW_TYPES[kind]), failed


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _dump(record: Any) -> str:
    if isinstance(record, (bytes, str)):
        return raw_text(record)
    try:
        return orjson.dumps(record).decode()
    except TypeError:
        return str(record)


def _timestamps(values: Sequence[Any], kind: str) -> tuple[pa.Array, np.ndarray]:
    """Parse a column of timestamp strings; return (timestamp[us, UTC] array, failed mask)."""
    try:
        strings = pa.array(values, pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        strings = pa.array([None if v is None else str(v) for v in values], pa.string())
    if kind == "iso":
        try:
            return strings.cast(_TS), np.zeros(len(values), dtype=bool)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        parsed = pd.to_datetime(pd.Series(strings, dtype=object), utc=True, format="ISO8601", errors="coerce")
        if parsed.isna().sum() > pd.isna(pd.Series(values, dtype=object)).sum():
            # ISO8601 with mixed precision/offsets: parse each on its own, strictly.
            parsed = pd.Series([_one_iso(v) for v in values], dtype="datetime64[us, UTC]")
    else:
        parsed = pd.to_datetime(pd.Series(strings, dtype=object), utc=True, format=V1_DATE_FORMAT, errors="coerce")
        retry = parsed.isna().to_numpy() & pd.Series(strings, dtype=object).str.match(
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}").fillna(False).to_numpy(dtype=bool)
        if retry.any():  # v1.1-shaped tweets re-saved by other tools often carry ISO 8601 times
            parsed = parsed.astype("datetime64[us, UTC]")
            iso = pd.to_datetime(pd.Series(np.asarray(values, dtype=object)[retry], dtype=object).astype(str),
                                 utc=True, format="ISO8601", errors="coerce")
            parsed[retry] = iso.astype("datetime64[us, UTC]").to_numpy()
    parsed = parsed.astype("datetime64[us, UTC]")
    failed = (parsed.isna() & pd.notna(pd.Series(values, dtype=object))).to_numpy()
    return pa.array(parsed), failed


def _one_iso(value: Any):
    if value is None:
        return pd.NaT
    try:
        ts = pd.Timestamp(str(value))
    except (ValueError, TypeError):
        return pd.NaT
    if ts is pd.NaT:
        return pd.NaT
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _counts(values: Sequence[Any]) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Convert counts to int64 with masks (not a number, negative). Accepts ints and digit strings."""
    n = len(values)
    try:
        arr = pa.array(values, pa.int64())
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        series = pd.Series(values, dtype=object)
        numeric = pd.to_numeric(series, errors="coerce")
        present = series.notna().to_numpy()
        ok = numeric.notna().to_numpy() & (numeric.fillna(0) % 1 == 0).to_numpy() & (
            numeric.abs().fillna(0) < _COUNT_LIMIT).to_numpy()
        failed = present & ~ok
        ints = pd.array(numeric.where(ok).astype("Float64"), dtype="Int64")
        arr = pa.array(ints, pa.int64(), from_pandas=True)
        negative = (pd.Series(ints).fillna(0) < 0).to_numpy() & ~failed
        return arr, failed, negative
    if arr.null_count == n:
        return arr, np.zeros(n, bool), np.zeros(n, bool)
    negative = pc.fill_null(pc.less(arr, 0), False).to_numpy(zero_copy_only=False)
    return arr, np.zeros(n, bool), negative
