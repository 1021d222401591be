"""The merge: a store's rows and the rows read now, combined by each table's key.

:func:`merge_all` takes what a :class:`roi.store_spill.Spill` holds (the store's rows first, then
the new ones in reading order) and merges table by table, key bucket by key bucket: posts by
platform + post_id (first known content, newest metrics by ``metrics_observed_at``; the same id
with another author, creation time or text is a conflict), accounts by platform + account_id
(the newest observation of each field), follows by platform + follower + followee (earliest
``first_seen``, latest ``last_seen``), other tables by their key (the last read wins). Keys seen
once pass through untouched; only rows of repeated keys are ordered and combined, with Arrow and
NumPy over whole columns. It returns the merged tables (for :meth:`roi.store.Store.write`), the
status of every new record (:data:`INGESTED`, :data:`DUPLICATE`, :data:`CONFLICT`) and the
conflicting records, which :mod:`roi.io.accounting` counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from roi.store import Store
from roi.store_spill import PRIVATE_COLUMNS, PROVENANCE_SCHEMA, Spill
from roi.tables import TABLES, conform_arrow

__all__ = ["merge_all", "PROVENANCE_TABLE", "INGESTED", "DUPLICATE", "CONFLICT", "MERGE_THREADS"]

# Which source first brought each post: lets a later conflicting record name the file.
PROVENANCE_TABLE = "post_sources"
_IMMUTABLE_POST = ("author_id", "created_at", "text")
_POST_METRICS = ("impressions", "likes", "reposts", "replies", "quotes", "link_clicks", "metrics_observed_at")
INGESTED, DUPLICATE, CONFLICT = 0, 1, 2  # the status of a record read now
MERGE_THREADS = 2  # tables, and spilled buckets of a table, merged at once


def _key_codes(table: pa.Table, key: Sequence[str]) -> np.ndarray:
    """Integer codes identifying each row's key, numbered in order of first appearance."""
    parts = []
    for col in key:
        arr = table.column(col)
        if not pa.types.is_string(arr.type):
            arr = arr.cast(pa.string())
        arr = pc.fill_null(arr, "\x00")
        if len(key) > 1 and _constant(arr):
            continue  # one platform only (the usual case): it distinguishes nothing
        parts.append(arr)
    if not parts:
        return np.zeros(table.num_rows, dtype="int64")
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "\x1f")
    if isinstance(joined, pa.ChunkedArray):
        joined = joined.combine_chunks()
    return pc.dictionary_encode(joined).indices.to_numpy().astype("int64")


def _constant(values: pa.Array | pa.ChunkedArray) -> bool:
    """Return True when every value (no nulls here) is the same (one comparison a row: min_max takes two).

    >>> _constant(pa.chunked_array([["x", "x"], ["x"]])), _constant(pa.array(["x", "y"])), _constant(pa.array([], pa.string()))
    (True, False, False)
    """
    return len(values) > 0 and bool(pc.all(pc.equal(values, values[0])).as_py())


def _np(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.to_numpy(zero_copy_only=False)


def merge_all(st: Store, spill: Spill, paths: list[str]
               ) -> tuple[dict[str, Any], dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]],
                          dict[str, list[dict[str, Any]]]]:
    """Merge every table that received rows with the store's rows, one key bucket at a time.

    Parameters
    ----------
    st : roi.store.Store
        The store, held for writing (its rows are queued in ``spill`` as the merge's first rows).
    spill : roi.store_spill.Spill
        The rows read now, tagged with their source index, line, context flag and reading order.
    paths : list of str
        The sources' paths, by source index (to name the file that first brought a post).

    Returns
    -------
    merged : dict
        Per table, what :meth:`roi.store.Store.write` takes: a table, or a generator of spilled parts.
    statuses : dict
        Per table, one (source, line, status) triple of arrays per bucket, for every new record.
    conflicts : dict
        Per table, the records rejected as conflicting content, each with its ``reason``.
    """
    merged: dict[str, Any] = {}
    statuses: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    conflicts: dict[str, list[dict[str, Any]]] = {}

    def merge_table(name: str) -> None:
        spill.add_store_rows(st, name)
        if name == "posts":
            spill.add_store_rows(st, PROVENANCE_TABLE)

        def merge_bucket(b: int) -> tuple[Any, Any, Any, list[dict[str, Any]]]:
            old, new = spill.rows(name, b, old=True), spill.rows(name, b)
            previous = spill.rows(PROVENANCE_TABLE, b, old=True) if name == "posts" else None
            if new is None:
                kept = spill.keep(name, b, old.drop(list(PRIVATE_COLUMNS))) if old is not None else None
                return kept, spill.keep(PROVENANCE_TABLE, b, previous) if previous is not None else None, None, []
            # One chunk per column: a take from a chunked column (the merge makes a few per column)
            # concatenates the whole column first, every time; and the merged rows come out in one
            # chunk, as the Parquet writer wants them, instead of one per spilled batch.
            both = (pa.concat_tables([old, new]) if old is not None else new).combine_chunks()
            del old, new
            table, status, bad, codes = _merge(name, both)
            provenance = None
            if name == "posts":
                fresh = _provenance(previous, both, codes, paths)
                bad = _name_origins(bad, fresh)
                provenance = spill.keep(PROVENANCE_TABLE, b, fresh)
            return spill.keep(name, b, table), provenance, status, bad

        results = _in_threads(merge_bucket, range(spill.buckets))
        merged[name] = spill.parts([r[0] for r in results if r[0] is not None])
        if name == "posts":
            merged[PROVENANCE_TABLE] = spill.parts([r[1] for r in results if r[1] is not None])
        statuses[name] = [r[2] for r in results if r[2] is not None]
        conflicts[name] = [bad for r in results for bad in r[3]]

    # Tables, and the spilled buckets of a table, are independent: two at a time use both cores
    # (Arrow and NumPy release the GIL for the work on whole columns).
    _in_threads(merge_table, spill.names())
    return merged, statuses, conflicts


def _in_threads(fn: Callable[[Any], Any], items: Iterable[Any]) -> list[Any]:
    """``[fn(x) for x in items]``, MERGE_THREADS at a time (in order; the first error is raised)."""
    items = list(items)
    if len(items) < 2:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=MERGE_THREADS, thread_name_prefix="roi-merge") as pool:
        return list(pool.map(fn, items))


def _merge(name: str, both: pa.Table) -> tuple[pa.Table, tuple[np.ndarray, np.ndarray, np.ndarray],
                                              list[dict[str, Any]], np.ndarray]:
    """Merge rows (the store's, then the new ones in reading order) by the table's key.

    Returns the merged table; (source, line, status) of each new primary row; the conflicting
    records (post fields, source and line, the field that differs); the key codes of ``both``.
    Keys seen once -- nearly all, usually -- pass through untouched; only the rows of repeated
    keys are ordered and combined, all with Arrow and NumPy over whole columns.
    """
    spec = TABLES[name]
    data_cols = list(spec.column_names)
    codes = _key_codes(both, spec.key)
    src, ctx = _np(both.column("_src")), _np(both.column("_ctx"))
    is_new = src >= 0
    status = np.full(both.num_rows, INGESTED, dtype="int8")
    repeated = np.bincount(codes)[codes] > 1
    bad: list[dict[str, Any]] = []
    data = both.select(data_cols)
    if repeated.any():
        idx = np.flatnonzero(repeated)
        idx = idx[_key_then_reading_order(codes[idx], _np(both.column("_seq"))[idx])]
        starts, group = _groups(codes[idx])
        sub_ctx, sub_new = ctx[idx], is_new[idx]
        # The first row of a key that is a record (or already in the store) claims it.
        claim = np.flatnonzero(~sub_ctx | ~sub_new)
        first_claim = np.zeros(len(idx), dtype=bool)
        first_claim[claim[np.r_[True, group[claim][1:] != group[claim][:-1]]] if len(claim) else claim] = True
        status[idx[~sub_ctx & sub_new & ~first_claim]] = DUPLICATE
        if name == "posts":
            conflict, field_of = _conflicts(data, idx, idx[starts[group]])
            if conflict.any():
                # A conflicting record is rejected; a conflicting context row (an included copy of
                # a post that differs from the one already kept) is not a record: it is dropped.
                record = conflict & ~sub_ctx
                status[idx[record]] = CONFLICT
                bad = _conflict_rows(both, idx[record], field_of[record])
                idx = idx[~conflict]  # a key's first row never conflicts, so every key keeps a row
        combined = _combine(name, both, idx, codes[idx])
        data = pa.concat_tables([data.filter(pa.array(~repeated)), combined])
    records = np.flatnonzero(is_new & ~ctx)
    status_of = (src[records], _np(both.column("_line"))[records], status[records])
    return data, status_of, bad, codes


def _key_then_reading_order(codes: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """Order rows by key code, then reading order (``seq``); codes are below ``len(codes)``.

    Rows reach the merge in reading order (``seq`` increasing), so a stable sort by code is the
    answer; one unstable SIMD sort of ``code * n + position`` (unique values) gives it faster than
    a two-key lexsort.

    >>> _key_then_reading_order(np.array([2, 0, 2, 1, 0]), np.array([10, 11, 12, 13, 14])).tolist()
    [1, 4, 3, 0, 2]
    >>> _key_then_reading_order(np.array([1, 1, 0]), np.array([5, 4, 3])).tolist()  # seq not increasing
    [2, 1, 0]
    """
    n = len(codes)
    if n < 2 or not (seq[1:] > seq[:-1]).all():
        return np.lexsort((seq, codes))
    return np.argsort(codes.astype(np.int64) * n + np.arange(n, dtype=np.int64))


def _groups(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For sorted codes: the start of each run and each row's run number."""
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.zeros(0, "int64")
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(codes)]))
    return starts, group


def _conflicts(data: pa.Table, rows: np.ndarray, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose author, creation time or text differs from the first row of their key (``base``)."""
    conflict = np.zeros(len(rows), dtype=bool)
    field_of = np.full(len(rows), None, dtype=object)
    take_rows, take_base = pa.array(rows), pa.array(base)
    for col in _IMMUTABLE_POST:
        values = data.column(col)
        cur, first = values.take(take_rows), values.take(take_base)
        differs = pc.and_(pc.and_(pc.is_valid(cur), pc.is_valid(first)), pc.not_equal(cur, first))
        differs = _np(pc.fill_null(differs, False)).astype(bool)
        field_of[differs & ~conflict] = col
        conflict |= differs
    return conflict, field_of


def _conflict_rows(both: pa.Table, rows: np.ndarray, field_of: np.ndarray) -> list[dict[str, Any]]:
    picked = both.select(["platform", "post_id", "author_id", "created_at", "text", "_src", "_line"])
    out = picked.take(pa.array(rows)).to_pylist()
    for row, fld in zip(out, field_of, strict=True):
        row["_base_field"] = fld
    return out


def _first_valid(values: pa.ChunkedArray, starts: np.ndarray, n: int, order: np.ndarray | None = None) -> pa.Array:
    """Per run of rows, its first non-null value (null if none).

    Runs start at ``starts`` in the order ``order`` (positions of the rows in ``values``; None:
    as they are). The run's first row is taken as it is when it has a value -- the usual case -- and the
    column is searched run by run only when some first rows are null.
    """
    picked = values.take(pa.array(starts if order is None else order[starts]))
    if not picked.null_count:
        return picked
    valid = _np(values.is_valid())
    pos = np.where(valid if order is None else valid[order], np.arange(n), n)
    first = np.minimum.reduceat(pos, starts)
    missing = first == n
    rows = np.where(missing, 0, first)
    return values.take(pa.array(rows if order is None else order[rows], mask=missing))


def _last_valid(values: pa.ChunkedArray, starts: np.ndarray, n: int, order: np.ndarray | None = None) -> pa.Array:
    """Per run of rows (as for :func:`_first_valid`), its last non-null value (null if none)."""
    ends = np.r_[starts[1:], n] - 1
    picked = values.take(pa.array(ends if order is None else order[ends]))
    if not picked.null_count:
        return picked
    valid = _np(values.is_valid())
    pos = np.where(valid if order is None else valid[order], np.arange(n), -1)
    last = np.maximum.reduceat(pos, starts)
    missing = last < 0
    rows = np.where(missing, 0, last)
    return values.take(pa.array(rows if order is None else order[rows], mask=missing))


def _extreme(values: pa.ChunkedArray, starts: np.ndarray, order: np.ndarray, lowest: bool) -> pa.Array:
    """Per run of rows, the earliest (``lowest``) or latest non-null timestamp."""
    sentinel = np.iinfo("int64").max if lowest else np.iinfo("int64").min
    filled = _np(pc.fill_null(values.cast(pa.int64()), sentinel))[order]
    out = (np.minimum if lowest else np.maximum).reduceat(filled, starts)
    return pa.array(out, pa.int64(), mask=out == sentinel).cast(values.type)


def _by_time(both: pa.Table, rows: np.ndarray, column: str, codes: np.ndarray,
             then: Sequence[str] = ()) -> np.ndarray:
    """Order ``rows`` by key, then time, then the ``then`` columns, then reading order.

    Unknown times and ``then`` values come first, so the newest comes last.

    ``rows`` come ordered by key, then reading order, and a key's observations are usually read
    oldest first (often all at one time): then they already are in order and no sort is made.
    """
    low = np.iinfo("int64").min
    keys = [_np(pc.fill_null(both.column(c).cast(pa.int64()), low))[rows] for c in (column, *then)]
    same_key = codes[1:] == codes[:-1]
    later_first = np.zeros(len(same_key), dtype=bool)
    tied = same_key.copy()
    for k in keys:
        later_first |= tied & (k[1:] < k[:-1])
        tied &= k[1:] == k[:-1]
    if not later_first.any():
        return rows
    return rows[np.lexsort((*reversed(keys), codes))]  # stable: full ties keep reading order


def _combine(name: str, both: pa.Table, rows: np.ndarray, codes: np.ndarray) -> pa.Table:
    """One row per key from the rows of repeated keys.

    ``rows`` index ``both`` sorted by key, then reading order, and ``codes`` are their keys; values
    are picked from ``both``'s columns by position (no copy of the rows being combined).
    """
    data_cols = list(TABLES[name].column_names)
    n = len(rows)
    if n == 0:
        return conform_arrow(name, both.slice(0, 0))
    starts, _ = _groups(codes)
    out: dict[str, Any] = {}
    if name == "posts":
        for col in data_cols:
            if col not in _POST_METRICS:
                out[col] = _first_valid(both.column(col), starts, n, rows)
        newest_last = _by_time(both, rows, "metrics_observed_at", codes)
        for col in _POST_METRICS:
            out[col] = _last_valid(both.column(col), starts, n, newest_last)
    elif name == "accounts":
        # Snapshots observed at the same time (one retrieval; no time recorded): the one with more
        # posts, then more followers, is taken as the later, whatever order the lines come in.
        newest_last = _by_time(both, rows, "observed_at", codes, then=("posts_count", "followers_count"))
        out = {col: _last_valid(both.column(col), starts, n, newest_last) for col in data_cols}
    elif name == "follows":
        for col in ("platform", "follower_id", "followee_id"):
            out[col] = _first_valid(both.column(col), starts, n, rows)
        out["first_seen"] = _extreme(both.column("first_seen"), starts, rows, lowest=True)
        out["last_seen"] = _extreme(both.column("last_seen"), starts, rows, lowest=False)
    else:
        out = {col: _last_valid(both.column(col), starts, n, rows) for col in data_cols}
    return conform_arrow(name, pa.table({col: out[col] for col in data_cols}))


# ---------------------------------------------------------------------------- provenance
def _provenance(previous: pa.Table | None, both: pa.Table, codes: np.ndarray, paths: list[str]) -> pa.Table:
    """platform, post_id, source: the file that first brought each post (for conflict messages).

    ``both`` holds the store's rows first, then the new ones in reading order, and ``codes``
    number keys in order of first appearance: a row whose code exceeds every earlier code is its
    key's first row. Keys first brought by a file read now are added to the previous provenance.
    """
    running = np.maximum.accumulate(codes) if len(codes) else codes
    first = np.r_[True, running[1:] > running[:-1]] if len(codes) else np.zeros(0, dtype=bool)
    src = _np(both.column("_src"))
    rows = pa.array(np.flatnonzero(first & (src >= 0)))
    fresh = pa.table({"platform": both.column("platform").take(rows), "post_id": both.column("post_id").take(rows),
                      "source": pa.array(paths, pa.string()).take(pa.array(src[rows.to_numpy()]))},
                     schema=PROVENANCE_SCHEMA)
    return pa.concat_tables([previous, fresh]) if previous is not None else fresh


def _name_origins(conflicts: list[dict[str, Any]], provenance: pa.Table) -> list[dict[str, Any]]:
    """Each conflicting record with its message, naming the file that first brought the post."""
    if not conflicts:
        return []
    wanted = provenance.filter(pc.is_in(provenance.column("post_id"),
                                        value_set=pa.array({r["post_id"] for r in conflicts}, pa.string())))
    origin = {(r["platform"], r["post_id"]): r["source"] for r in wanted.to_pylist()}
    out = []
    for r in conflicts:
        source = origin.get((r["platform"], r["post_id"]), "the store")
        record = json.dumps({c: r[c] for c in ("platform", "post_id", "author_id", "created_at", "text")},
                            default=str, ensure_ascii=False)
        out.append({"_src": r["_src"], "_line": r["_line"],
                    "reason": f"conflicting content for post {r['post_id']} (already ingested from file "
                              f"{source}): {r['_base_field']} differs",
                    "record": record})
    return out

