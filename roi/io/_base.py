"""The contract between a format reader and the ingest step.

A reader turns one source file into chunks of canonical rows plus the records it could not read.
Accounting per source: ``read == ingested + duplicates + rejected``, where ``read`` counts the
source's *primary records* (a tweet in a page's ``data``, a user in a followers page, an outbox
item, a CSV row, an archive entry). Rows a reader derives as context (authors and referenced
tweets from ``includes``) go into the tables but are not primary records; ingest reports them as
``context`` rows so the totals still add up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from roi.tables import pandas_type

__all__ = ["ReadResult", "Rejected", "observed_time", "as_frame", "in_reading_order", "reading_order"]


def as_frame(rows: pd.DataFrame | pa.Table) -> pd.DataFrame:
    """Return a chunk's table as pandas with the canonical dtypes (readers may yield either).

    >>> as_frame(pa.table({"post_id": ["1"], "likes": pa.array([None], pa.int64())})).dtypes.astype(str).tolist()
    ['string', 'Int64']
    """
    if isinstance(rows, pd.DataFrame):
        return rows
    rows = in_reading_order(rows)

    private = [c for c in rows.column_names if c.startswith("_")]  # _line, _context: plain NumPy
    frame = rows.drop(private).to_pandas(types_mapper=pandas_type)
    for c in private:
        frame[c] = rows.column(c).to_numpy()
    return frame


def in_reading_order(rows: pa.Table) -> pa.Table:
    """Put a reader's Arrow table in reading order.

    A private ``_rank`` column, where a reader gives one (each row's place in reading order), is
    applied and dropped.

    >>> in_reading_order(pa.table({"post_id": ["b", "c", "a"], "_rank": [1, 2, 0]})).column("post_id").to_pylist()
    ['a', 'b', 'c']
    """
    if "_rank" not in rows.column_names:
        return rows
    return rows.drop(["_rank"]).take(pa.array(reading_order(rows.column("_rank").to_numpy())))


def reading_order(rank: np.ndarray) -> np.ndarray:
    """Return the rows' positions in reading order, from each row's place in it (a ``_rank``).

    >>> reading_order(np.array([2, 0, 1])).tolist()
    [1, 2, 0]
    >>> reading_order(np.array([0, 0, 1]))
    Traceback (most recent call last):
    ValueError: _rank is not a permutation of the 3 rows
    """
    n = len(rank)
    rank = np.asarray(rank, dtype=np.int64)
    order = np.full(n, -1, dtype=np.int64)
    if n and (rank.min() < 0 or rank.max() >= n):
        raise ValueError(f"_rank is not a permutation of the {n} rows")
    order[rank] = np.arange(n, dtype=np.int64)
    if (order < 0).any():
        raise ValueError(f"_rank is not a permutation of the {n} rows")
    return order


def observed_time(path: Any, as_of: Any = None) -> pd.Timestamp | None:
    """Return when a source's figures were observed.

    ``as_of`` (naive = UTC) if given, else the file's modification time, else None (the file cannot be
    stat'ed).

    >>> observed_time("no-such-file", "2026-01-05T10:00")
    Timestamp('2026-01-05 10:00:00+0000', tz='UTC')
    >>> observed_time("no-such-file") is None
    True
    """
    if as_of is not None:
        ts = pd.Timestamp(as_of)
        return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    try:
        return pd.Timestamp(Path(str(path)).stat().st_mtime, unit="s", tz="UTC")
    except (OSError, TypeError, ValueError):
        return None


@dataclass
class Rejected:
    """A record that could not be read: where it was and why."""

    line: int | None  # 1-based line number, or record index for formats without lines
    reason: str  # one line: what was wrong and what was expected
    record: str  # the raw text (truncated to a few KB), so nothing is lost

    def as_dict(self) -> dict:
        return {"line": self.line, "reason": self.reason, "record": self.record}


@dataclass
class ReadResult:
    """One chunk read from a source.

    ``tables`` maps a canonical table name to rows accepted by :func:`roi.tables.conform` (a
    DataFrame) or :func:`roi.tables.conform_arrow` (an Arrow table: the fast path's output);
    ``primary`` names the table whose rows are this source's primary records and ``read`` how
    many primary records were read in this chunk (accepted + rejected; duplicates are found by
    ingest). A primary row that is context for another table (e.g. an author as an account)
    is not counted twice.

    Tables may carry private columns: ``_line`` (the row's line or record index), ``_context``
    (True for context rows) and, in Arrow tables whose rows are not stored in reading order,
    ``_rank`` (each row's place in that order; :func:`in_reading_order` applies it).
    """

    tables: dict[str, pd.DataFrame | pa.Table] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    read: int = 0
    primary: str = "posts"
    notes: list[str] = field(default_factory=list)  # one-line remarks for the manifest (e.g. encoding fallback)
