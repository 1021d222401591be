"""The spill: rows read for a store, queued by table (and key bucket) until the merge writes them.

:class:`Spill` holds what ingest read -- in memory when it fits, else split by a hash of each
table's key into buckets appended to Arrow IPC files inside the store -- together with the
store's own rows, so :mod:`roi.store_merge` can merge one bucket at a time and
:meth:`roi.store.Store.write` write the result part by part. Rows carry the private columns of
:data:`PRIVATE_COLUMNS` (:func:`tagged`): which source, which line, context or record, and their
place in reading order.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from roi.store import Store
from roi.tables import TABLES

__all__ = ["Spill", "tagged", "PRIVATE_COLUMNS", "PROVENANCE_SCHEMA"]


PRIVATE_COLUMNS = ("_src", "_line", "_ctx", "_seq")  # source index, line, context row?, reading order


def tagged(table: pa.Table, src: int, lines: np.ndarray, context: np.ndarray, seq: np.ndarray) -> pa.Table:
    """Return a canonical table with the private columns the merge needs: source, line, context, order."""
    n = table.num_rows
    private = [pa.array(np.full(n, src, dtype="int32")), pa.array(lines, pa.float64()),
               pa.array(context, pa.bool_()), pa.array(seq, pa.int64())]
    return pa.Table.from_arrays([*table.columns, *private], names=[*table.column_names, *PRIVATE_COLUMNS])


PROVENANCE_SCHEMA = pa.schema([("platform", pa.string()), ("post_id", pa.string()), ("source", pa.string())])
_OLD_SEQ = -(1 << 62)  # the store's rows come before every row read now


def _key_of(name: str) -> list[str]:
    return list(TABLES[name].key) if name in TABLES else ["platform", "post_id"]


class Spill:
    """The rows read so far, by table, as Arrow, waiting for the merge (with the store's rows).

    With one bucket (inputs up to :data:`roi.io.ingest.SPILL_BYTES`) they stay in memory. Larger inputs are
    split by a hash of each table's key into ``buckets`` and appended, chunk by chunk, to one
    uncompressed Arrow IPC file per table and bucket in a folder inside the store (the store's
    current rows go to files of their own, so each bucket reads back in order: the store's rows,
    then the new ones in reading order). The merge then handles one bucket at a time -- every
    row of a key is in the same bucket, so per-bucket merges are the whole merge -- reading it
    back memory-mapped, and spills its result, which :meth:`roi.store.Store.write` writes part
    by part. Memory so follows one bucket, not the input.
    """

    def __init__(self, root: Path, buckets: int):
        self.root, self.buckets = root, buckets
        self.tables: dict[tuple[str, bool], list[pa.Table]] = {}
        self.writers: dict[tuple[str, bool, int], tuple[Path, Any, Any]] = {}  # path, IPC writer, sink
        self.order: list[str] = []

    def names(self) -> list[str]:
        """Tables that received new rows, in the order they first did."""
        return list(self.order)

    def add(self, name: str, table: pa.Table, *, old: bool = False, order: np.ndarray | None = None) -> None:
        """Queue rows, to be grouped by bucket.

        ``order`` (positions of the rows in reading order, None: as they are) is applied in the one gather
        that also groups them by bucket.
        """
        if not old and name not in self.order:
            self.order.append(name)
        if self.buckets == 1:
            self.tables.setdefault((name, old), []).append(table if order is None else table.take(pa.array(order)))
            return
        # (buckets fit 16 bits up to a 16 TB input: NumPy's stable sort of them is a radix sort)
        bucket = (_key_hash(table, _key_of(name)) % np.uint64(self.buckets)).astype(
            "uint8" if self.buckets <= 256 else "uint16" if self.buckets <= 65536 else "int64")
        # One gather puts the rows in bucket order (stable: each bucket keeps reading order), then
        # each bucket is a zero-copy slice -- not one filter pass over every column per bucket.
        order = np.argsort(bucket, kind="stable") if order is None else order[np.argsort(bucket[order], kind="stable")]
        bounds = np.searchsorted(bucket[order], np.arange(self.buckets + 1))
        grouped = table.take(pa.array(order))
        for b in range(self.buckets):
            if bounds[b + 1] > bounds[b]:
                self._writer(name, old, b, table.schema).write_table(grouped.slice(bounds[b], bounds[b + 1] - bounds[b]))

    def add_store_rows(self, st: Store, name: str) -> None:
        """Queue the store's current rows of a table (streamed in batches) as the merge's first rows."""
        start = _OLD_SEQ  # per table: tables are merged in threads of their own
        for table in st.scan(name):
            if name in TABLES:
                n = table.num_rows
                table = tagged(table, -1, np.full(n, np.nan), np.ones(n, dtype=bool),
                                np.arange(start, start + n, dtype="int64"))
                start += n
            else:
                table = table.select(PROVENANCE_SCHEMA.names).cast(PROVENANCE_SCHEMA)
            self.add(name, table, old=True)

    def _writer(self, name: str, old: bool, b: int, schema: pa.Schema) -> Any:
        got = self.writers.get((name, old, b))
        if got is None:
            self.root.mkdir(exist_ok=True)
            path = self.root / f"{name}-{'store' if old else 'new'}-{b:04d}.arrow"
            sink = _spill_sink(path)
            got = self.writers[(name, old, b)] = (path, pa.ipc.new_file(sink, schema), sink)
        return got[1]

    def rows(self, name: str, b: int, *, old: bool = False) -> pa.Table | None:
        """Return the queued rows of a table's bucket (``old``: the store's), in order; None if none."""
        if self.buckets == 1:
            parts = self.tables.pop((name, old), [])
            return None if not parts else pa.concat_tables(parts) if len(parts) > 1 else parts[0]
        got = self.writers.pop((name, old, b), None)
        if got is None:
            return None
        path, writer, sink = got
        writer.close()
        sink.close()
        table = _read_ipc(path)
        path.unlink()
        return table

    def keep(self, name: str, b: int, table: pa.Table) -> Any:
        """Hold a table's merged bucket until the write: in memory, or spilled."""
        if self.buckets == 1:
            return table
        self.root.mkdir(exist_ok=True)
        path = self.root / f"merged-{name}-{b:04d}.arrow"
        with _spill_sink(path) as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)
        return path

    def parts(self, kept: list[Any]) -> Any:
        """Return what Store.write takes for a table: one table, or a generator of the spilled parts."""
        if self.buckets == 1:
            return kept[0]
        return (_read_ipc(p) for p in kept)

    def close(self) -> None:
        """Close every open spill file; closing twice is harmless."""
        for _, writer, sink in self.writers.values():
            try:
                writer.close()
                sink.close()
            except (OSError, pa.ArrowException):
                pass
        self.writers.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def _spill_sink(path: Path) -> pa.NativeFile:
    """Open a spill file for writing through a 4 MiB buffer.

    An Arrow IPC writer otherwise makes a write (and a seek) per buffer -- 76,000 writes and 13,000
    seeks for 1M tweets.
    """
    return pa.BufferedOutputStream(pa.OSFile(str(path), "wb"), buffer_size=4 << 20)


def _read_ipc(path: Path) -> pa.Table:
    """Read an Arrow IPC file, memory-mapped (the pages are the file's, read as they are touched)."""
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_all()


def _string_hash(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Hash each string to 64 bits (nulls hash as ""), to spread keys over spill buckets.

    Equal strings always get equal hashes, which is all correctness needs. The native extension
    hashes whole strings without the GIL (:func:`roi.io._json_lines.string_hashes`); without it,
    :func:`_numpy_string_hash` hashes each string's length and first and last 8 bytes. One process
    uses one of the two for every row, so a key's rows always share a bucket.

    >>> h = _string_hash(pa.array(["1700000000000000001", "1700000000000000002", None, "", "1700000000000000001"]))
    >>> bool(h[0] == h[4]), bool(h[0] != h[1]), bool(h[2] == h[3])
    (True, True, True)
    >>> _string_hash(pa.chunked_array([], pa.string())).tolist(), _string_hash(pa.array([1, 1])).tolist()[0] != 0
    ([], True)
    """
    from roi.io._json_lines import string_hashes  # the native extension lives with the line scanner

    arr = values if pa.types.is_string(values.type) else values.cast(pa.string())
    chunks = arr.chunks if isinstance(arr, pa.ChunkedArray) else [arr]
    native = [string_hashes(chunk) for chunk in chunks]
    if not native:
        return np.zeros(0, dtype=np.uint64)
    if all(h is not None for h in native):
        return np.concatenate(native) if len(native) != 1 else native[0]
    return _numpy_string_hash(arr)


def _numpy_string_hash(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """_string_hash with NumPy: a hash of each string's length and its first and last 8 bytes.

    Hashing a few bytes a string (gathered for all rows at once) keeps it cheap, and ids --
    numbers, URLs ending in numbers, handles -- differ within those bytes.

    >>> h = _numpy_string_hash(pa.array(["1700000000000000001", "1700000000000000002", None, "", "1700000000000000001"]))
    >>> bool(h[0] == h[4]), bool(h[0] != h[1]), bool(h[2] == h[3])
    (True, True, True)
    """
    arr = pc.fill_null(values, "")
    arr = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32, count=n + 1, offset=arr.offset * 4).astype(np.int64)
    data_buf = arr.buffers()[2]
    if n == 0 or data_buf is None or offsets[-1] == offsets[0]:
        return np.zeros(n, dtype=np.uint64)
    # The first and the last 8 bytes of each string as two unaligned little-endian words (two
    # gathers for all rows), with the bytes of neighbouring strings masked out of short ones.
    raw = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0]:offsets[-1]]
    padded = np.zeros(len(raw) + 16, dtype=np.uint8)
    padded[8:8 + len(raw)] = raw
    words = np.ndarray(shape=(len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
    starts, ends = offsets[:-1] - offsets[0] + 8, offsets[1:] - offsets[0] + 8
    lengths = (ends - starts).astype(np.uint64)
    short = lengths < 8
    head, tail = words[starts], words[ends - 8]
    missing = np.where(short, (np.uint64(8) - lengths) * np.uint64(8), np.uint64(0))
    head = np.where(short, head & ((np.uint64(1) << (lengths * np.uint64(8) % np.uint64(64))) - np.uint64(1)), head)
    tail = np.where(short, (tail >> np.minimum(missing, np.uint64(63))) >> (missing - np.minimum(missing, np.uint64(63))),
                    tail)
    with np.errstate(over="ignore"):
        h = lengths * np.uint64(0x9E3779B97F4A7C15)
        for word in (head, tail):
            h = (h ^ word) * np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(31)
    return h


def _key_hash(table: pa.Table, key: Sequence[str]) -> np.ndarray:
    """Hash each row's key columns (the bucket of a row: every row of a key lands in the same one)."""
    h = np.zeros(table.num_rows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in key:
            h = h * np.uint64(0x9E3779B97F4A7C15) + _string_hash(table.column(col))
    return h

