"""Step 2 of ingest: read each source with its format's reader, queueing rows for the merge.

:func:`read_sources` streams each new source's chunks, conforms every table to its canonical
Arrow schema (readers may yield pandas frames or Arrow tables), applies the one date rule of
every reader, tags the rows with their source, line, context flag and place in reading order,
and queues them in a :class:`roi.store_spill.Spill`. It returns what it counted.

Reader convention (beyond :mod:`roi.io._base`): a chunk's tables may carry ``_line`` (the
record's line) and ``_context`` (True for context rows) columns; without ``_context`` every row
of the chunk's primary table is a record and every row of another table is context. A chunk may
carry ``notes`` (a list of one-line remarks, e.g. a Latin-1 fallback) reported with the source.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from roi.errors import InputError, RoiError
from roi.io._base import ReadResult, Rejected, reading_order
from roi.io.accounting import SourceReport
from roi.io.sources import Source, sha256_of, size_of
from roi.store_spill import Spill, tagged
from roi.tables import TABLES, arrow_schema, conform, conform_arrow
from roi.timeframe import EARLIEST, latest

__all__ = ["read_sources", "Reading"]


@dataclass
class Reading:
    """What the read step made: one report per source, and each source's rejected records, in order."""

    reports: list[SourceReport]
    rejected: list[list[Rejected]]


def read_sources(sources: Sequence[Source], readers: Mapping[str, Callable[..., Iterable[ReadResult]]], *,
                 spill: Spill, known: Mapping[str, Any] | None = None, as_of: pd.Timestamp | None = None,
                 progress: Callable[[int, str], None] | None = None) -> Reading:
    """Read every source not already in the store, queueing its rows in ``spill`` and counting its records.

    A source whose size matches a source already seen (same content means same size) is hashed
    first, and not read if its sha256 is known. Any other source is new for certain, so it is
    hashed in a thread while it is read (hashlib releases the GIL), not in a pass of its own.

    Parameters
    ----------
    sources : sequence of Source
        What :func:`roi.io.sources.discover` found, in reading order.
    readers : mapping
        The read function of each format among the sources.
    spill : roi.store_spill.Spill
        Where the rows read go, tagged with their source, line and place in reading order.
    known : mapping, optional
        The store's source entries by sha256: content already ingested is not read again.
    as_of : pandas.Timestamp, optional
        When the exports were taken (passed to the readers).
    progress : callable, optional
        Called as ``progress(records, path)`` after each chunk.

    Returns
    -------
    Reading
        A :class:`~roi.io.accounting.SourceReport` per source (read, rejected by the reader or the
        date rule; ingested and duplicates are counted after the merge) and its rejected records.
    """
    known = dict(known or {})  # sources read in this run join it: a second copy is seen again
    reports: list[SourceReport] = []
    rejected_by_source: list[list[Rejected]] = []
    seq = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="roi-sha256") as hasher:
        for index, source in enumerate(sources):
            size = size_of(source.path)
            maybe_seen = any(entry.get("bytes") in (None, size) for entry in known.values())
            hashing = None if maybe_seen else hasher.submit(sha256_of, source.path)
            sha = sha256_of(source.path) if maybe_seen else ""
            report = SourceReport(path=str(source.path), format=source.format, sha256=sha, bytes=size)
            reports.append(report)
            rejected: list[Rejected] = []
            rejected_by_source.append(rejected)
            if sha in known:
                _seen_again(report, known[sha])
                continue
            for chunk in readers[source.format](source.path, as_of=as_of):
                seq, chunk_rejected = _collect(chunk, index, report, spill, seq)
                rejected += chunk_rejected
                report.notes.extend(chunk.notes)
                if progress is not None:
                    progress(chunk.read, str(source.path))
            if hashing is not None:
                report.sha256 = hashing.result()
            known[report.sha256] = {"path": str(source.path), "bytes": size, "read": 0, "ingested": 0,
                                    "duplicates": 0, "rejected": 0, "ingested_at": "this run", "pending": True}
    return Reading(reports, rejected_by_source)


def _seen_again(report: SourceReport, previous: dict[str, Any]) -> None:
    report.seen_again = True
    report.read = int(previous.get("read", 0))
    report.rejected = int(previous.get("rejected", 0))
    report.duplicates = report.read - report.rejected
    when = previous.get("ingested_at", "earlier")
    report.notes.append(f"identical content (sha256) already ingested from {previous.get('path')} "
                        f"({when}); not read again, no table changed")


def _collect(chunk: ReadResult, index: int, report: SourceReport, spill: Spill,
             seq: int) -> tuple[int, list[Rejected]]:
    """Conform a chunk's tables to Arrow, tag them with source/line/context/order, queue them for the merge.

    Counts the chunk in ``report`` (the source's, being read); returns the next row's place in
    reading order and the chunk's rejected records (its reader's, then the date rule's).
    """
    report.read += chunk.read
    report.rejected += len(chunk.rejected)
    table_counts = report.table(chunk.primary)
    table_counts["read"] += chunk.read
    table_counts["rejected"] += len(chunk.rejected)
    rejected = list(chunk.rejected)
    for name, rows in chunk.tables.items():
        if rows is None or not len(rows):
            continue
        if name not in TABLES:
            raise InputError(f"{report.path}: reader produced an unknown table {name!r}")
        try:
            table = _canonical(name, rows)
        except RoiError as exc:
            raise InputError(f"{report.path}: {exc}") from None
        n = table.num_rows
        lines = _private(rows, "_line")
        lines = np.full(n, np.nan) if lines is None else lines.astype("float64")
        context = _private(rows, "_context")
        context = np.full(n, name != chunk.primary) if context is None else context.astype(bool)
        rank, order = _rank_order(rows, n, report.path)
        if "created_at" in table.column_names:
            keep, too_early_or_late = _date_rule(name, table, lines, context)
            rejected += too_early_or_late
            report.rejected += len(too_early_or_late)
            report.table(name)["rejected"] += len(too_early_or_late)
            if keep is not None:
                table, lines, context, rank = table.filter(keep), lines[keep], context[keep], rank[keep]
                rank = np.argsort(np.argsort(rank, kind="stable"), kind="stable")  # dense again
                order = reading_order(rank) if order is not None else None
                n = table.num_rows
        spill.add(name, tagged(table, index, lines, context, seq + rank), order=order)
        seq += n
        report.context_rows += int(context.sum())
    return seq, rejected


def _date_rule(name: str, table: pa.Table, lines: np.ndarray,
               context: np.ndarray) -> tuple[np.ndarray | None, list[Rejected]]:
    """Apply the one date rule of every reader: a record must be dated from 1990 to tomorrow.

    The bounds are :data:`roi.timeframe.EARLIEST` and :func:`roi.timeframe.latest`: a record dated
    before 1990 or after tomorrow is rejected with its line, as is a post without a date; a context
    row so dated is left out. Returns the rows to keep (None when all are) and the rejected records.
    """
    times = table.column("created_at")
    us = pc.cast(times, pa.int64()).to_numpy(zero_copy_only=False)  # years 0001 and 9999 fit here, not in pandas
    known = pc.is_valid(times).to_numpy(zero_copy_only=False)
    outside = known & ((us < EARLIEST.value // 1000) | (us > latest().value // 1000))
    missing = (pc.is_null(times).to_numpy(zero_copy_only=False) & ~context) if name == "posts" else None
    bad = outside | missing if missing is not None else outside
    if not bad.any():
        return None, []
    rejected = []
    for i in np.flatnonzero(bad & ~context):
        line = None if math.isnan(lines[i]) else int(lines[i])
        where = f"line {line}: " if line is not None else ""
        key = {k: table.column(k)[i].as_py() for k in TABLES[name].key}
        what = ("created_at is missing" if not outside[i] else
                f"created_at {np.datetime64(int(us[i]), 'us')} is outside the dates roi accepts "
                f"({EARLIEST:%Y-%m-%d} to tomorrow)")
        rejected.append(Rejected(line, where + what, json.dumps(key, default=str)))
    return ~bad, rejected


def _rank_order(rows: pd.DataFrame | pa.Table, n: int, path: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Each row's place in reading order, and the rows in that order (None: they already are).

    A reader's Arrow rows may come with a ``_rank`` instead of in reading order (see
    :class:`~roi.io._base.ReadResult`); the rows' order numbers follow it, and the gather that
    puts them in order is the one :meth:`roi.store_spill.Spill.add` makes anyway.

    >>> _rank_order(pa.table({"_rank": [2, 0, 1]}), 3, "f")[1].tolist()
    [1, 2, 0]
    """
    rank = _private(rows, "_rank") if isinstance(rows, pa.Table) else None
    if rank is None:
        return np.arange(n, dtype="int64"), None
    try:
        return rank.astype("int64"), reading_order(rank)
    except ValueError as exc:
        raise InputError(f"{path}: reader gave a bad _rank: {exc}") from None


def _private(rows: pd.DataFrame | pa.Table, column: str) -> np.ndarray | None:
    """Return a reader's private column (``_line``, ``_context``) as NumPy (nulls: NaN / False), or None."""
    if isinstance(rows, pa.Table):
        if column not in rows.column_names:
            return None
        values = rows.column(column)
        if pa.types.is_boolean(values.type):
            values = pc.fill_null(values, False)
        elif values.null_count:
            values = values.cast(pa.float64())
        return values.to_numpy()
    if column not in rows.columns:
        return None
    values = rows[column]
    if values.dtype == bool:
        return values.to_numpy()
    return values.fillna(False).to_numpy(dtype=bool) if column == "_context" else \
        values.to_numpy(dtype="float64", na_value=np.nan)



def _canonical(name: str, rows: pd.DataFrame | pa.Table) -> pa.Table:
    """Convert a reader's rows to the table's canonical Arrow table (no pandas round trip for Arrow input)."""
    if isinstance(rows, pa.Table):
        return conform_arrow(name, rows)
    frame = _conformed(name, rows)
    return pa.Table.from_pandas(frame, schema=arrow_schema(name), preserve_index=False).replace_schema_metadata(None)


_CANONICAL_DTYPES: dict[str, dict[str, Any]] = {}


def _conformed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``conform(name, frame)``, without the casts when the frame already has the table's exact dtypes.

    Readers that build canonical columns already need no second cast (string to string, list to
    list, a copy of every column for nothing). A frame whose columns all have exactly the dtypes
    ``conform`` produces is only reordered (a missing column is filled with nulls, as ``conform`` does).
    """
    dtypes = _CANONICAL_DTYPES.get(name)
    if dtypes is None:
        dtypes = _CANONICAL_DTYPES[name] = dict(conform(name, pd.DataFrame()).dtypes)
    columns = frame.columns
    if not all(c not in columns or frame[c].dtype == d for c, d in dtypes.items()):
        return conform(name, frame)
    n = len(frame)
    out = {c: frame[c].array if c in columns else pd.array([None] * n, dtype=d) for c, d in dtypes.items()}
    return pd.DataFrame(out, copy=False)
