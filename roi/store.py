"""The store: one Parquet dataset per canonical table, ``manifest.json`` and ``_rejected/``.

Layout of a store directory::

    manifest.json                  which version of each table is current, every ingested source
    tables/<table>/v000001/...     Parquet dataset (posts partitioned by platform and month)
    _rejected/<source>.jsonl       every record that could not be read: file, line, reason, record

Writes are atomic. A table is written to a new version folder; only when every table of the
write is complete is ``manifest.json`` replaced (write to a temporary file, fsync, rename).
A crash at any point leaves the previous manifest, and so the previous tables, intact; folders
from an interrupted write are never referenced and are removed by the next successful write.

One writer at a time: a writer holds an advisory lock on ``write.lock`` (beside
``manifest.json``) from the moment it reads the manifest it builds on until the new manifest is
in place; a second writer waits for it (:meth:`Store.writing`), then gives up with a
:class:`~roi.errors.StoreError` naming the PID that holds it. The operating system releases the
lock when a writer dies, however it dies. Readers (:func:`load`) hold a shared lock on
``read.lock`` while they read; a writer removes the versions it replaced only when no reader holds
it (otherwise the next write removes them), so a reader never sees a version vanish mid-read.
Rejected records and spill folders of a write that never committed are likewise removed by the
next write: ``_rejected/`` files count only once the manifest lists them.

Why one module of about 660 lines: nearly all of it is the :class:`Store` class, and its methods
share one invariant -- the manifest names the only versions that exist -- that locking, reading,
writing, rejected files and clean-up each uphold; split across modules, each part would need
the others' private state. What does not depend on it lives beside it: the file-system
primitives in :mod:`roi.store_files`, the spill and the key merge ingest feeds the store with in
:mod:`roi.store_spill` and :mod:`roi.store_merge`, the Arrow-to-pandas dtypes in :mod:`roi.tables`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

import roi.store_files  # write_json_atomic is called through its module: a test replaces it to crash a commit
from roi._version import __version__
from roi.errors import ParameterError, StoreError
from roi.store_files import (
    LOCKS,
    pid_alive,
    try_lock,
    unlock,
    wait_for_shared_lock,
)
from roi.tables import TABLES, arrow_schema, conform, conform_arrow, empty, pandas_type

__all__ = ["Store", "Dataset", "load", "MANIFEST", "REJECTED_COLUMNS"]

MANIFEST = "manifest.json"
WRITE_LOCK = "write.lock"
READ_LOCK = "read.lock"
WAIT_SECONDS = 5.0  # how long a second writer waits by default for the first to finish
STORE_FORMAT = 1
REJECTED_COLUMNS = ["source", "line", "reason", "record"]
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _plain(name: str, table: pa.Table) -> pa.Table:
    """Drop the ``month`` partition column and dictionaries from a table as read from its dataset."""
    if "month" in table.column_names and name in TABLES and "month" not in TABLES[name].column_names:
        table = table.drop(["month"])
    for i, fld in enumerate(table.schema):
        if pa.types.is_dictionary(fld.type):
            table = table.set_column(i, fld.name, table.column(i).cast(fld.type.value_type))
    return table


def _months(times: pa.ChunkedArray | pa.Array) -> pa.DictionaryArray:
    """``YYYY-MM`` of each UTC timestamp ("unknown" for a null), as a dictionary array.

    Computed on the integer timestamps (Arrow's strftime formats every row through the C
    library: seconds for a million rows); only the few distinct months become strings.

    >>> _months(pa.array([0, None, 2_700_000_000_000_000], pa.timestamp("us", tz="UTC"))).to_pylist()
    ['1970-01', 'unknown', '2055-07']
    """
    if isinstance(times, pa.ChunkedArray):
        times = times.combine_chunks()
    values = times.cast(pa.int64()).to_numpy(zero_copy_only=False)
    known = times.is_valid().to_numpy(zero_copy_only=False)
    months = np.where(known, values, 0).astype("datetime64[us]").astype("datetime64[M]").astype("int64")
    distinct, codes = np.unique(months[known], return_inverse=True)
    labels = [str(m) for m in distinct.astype("datetime64[M]")] + ["unknown"]
    indices = np.full(len(values), len(distinct), dtype="int32")
    indices[known] = codes
    return pa.DictionaryArray.from_arrays(pa.array(indices), pa.array(labels, pa.string()))


# Parquet options: no dictionary for free text, ids and times that are (nearly) all distinct -- the
# writer would build one and give up -- and statistics only where a filter may use them.
_NO_DICTIONARY = {"text", "description", "display_name", "post_id", "urls", "conversation_id", "referenced_id",
                  "created_at"}
_NO_STATISTICS = {"text", "description", "display_name", "location", "urls", "hashtags", "mentions"}


def _parquet_options(schema: pa.Schema) -> dict[str, Any]:
    names = [n for n in schema.names if n != "month"]
    return {"use_dictionary": [n for n in names if n not in _NO_DICTIONARY],
            "write_statistics": [n for n in names if n not in _NO_STATISTICS]}


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Hold a shared lock on a store's ``read.lock`` (nothing when the store is read-only)."""
    try:
        fd = os.open(path / READ_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:
        yield
        return
    try:
        wait_for_shared_lock(fd)
        yield
    finally:
        os.close(fd)


class Store:
    """A store directory. Create one with ``Store(path, create=True)``.

    Parameters
    ----------
    path : str or Path
        The store directory.
    create : bool, default False
        Create an empty store when ``path`` does not hold one.

    Raises
    ------
    StoreError
        If ``path`` is not a store (and ``create`` is false) or its manifest is corrupt.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> s = Store(tempfile.mkdtemp() + "/store", create=True)
    >>> s.write({"experiments": pd.DataFrame({"experiment_id": ["e"], "arm": ["A"], "post_id": ["1"]})})
    >>> s.read("experiments").arm.tolist()
    ['A']
    >>> s.read("posts").shape[0]
    0
    """

    def __init__(self, path: str | os.PathLike[str], *, create: bool = False, wait: float = WAIT_SECONDS) -> None:
        if not str(path).strip():
            raise StoreError("store path is empty; name the store's folder (e.g. --store data/processed/mybrand)")
        self.path = Path(path)
        self._lock_fd: int | None = None
        self._lock_depth = 0
        manifest = self.path / MANIFEST
        if not manifest.exists() and create:
            if self.path.exists() and not self.path.is_dir():
                raise StoreError(f"store {str(self.path)!r} is a file, not a folder; choose a folder for the store")
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"store {str(self.path)!r} cannot be created ({exc.strerror or exc})") from None
            with self.writing(wait=wait, reload=False):
                self._create(manifest)
        elif not manifest.exists():
            if not self.path.exists():
                raise StoreError(
                    f"store {str(self.path)!r} does not exist; create it with "
                    "`roi ingest FILES --store DIR` (or `make weekly-report` for the sample)"
                )
            raise StoreError(
                f"{str(self.path)!r} is not a roi store (no {MANIFEST}); "
                "create it with `roi ingest FILES --store DIR`"
            )
        self.manifest = self._read_manifest()

    def _create(self, manifest: Path) -> None:
        """Write an empty store (under the write lock: another writer may have created it meanwhile)."""
        if manifest.exists():
            return
        try:
            (self.path / "tables").mkdir(exist_ok=True)
            (self.path / "_rejected").mkdir(exist_ok=True)
            (self.path / READ_LOCK).touch()
            roi.store_files.write_json_atomic(
                manifest,
                {"store_format": STORE_FORMAT, "roi_version": __version__, "created_at": _now(),
                 "tables": {}, "sources": [], "rejected_files": []},
            )
        except OSError as exc:
            raise StoreError(f"store {str(self.path)!r} cannot be written ({exc.strerror or exc})") from None

    # ------------------------------------------------------------------ the writer's lock
    @contextmanager
    def writing(self, *, wait: float = WAIT_SECONDS, reload: bool = True) -> Iterator[Store]:
        """Be the store's one writer for the duration of the ``with`` block.

        Takes the advisory lock on ``write.lock``, waiting up to ``wait`` seconds for another
        writer, then re-reads the manifest (what the block builds on is what is on disk) and
        removes the spill folders of ingests that died. Re-entrant within one Store object.

        Parameters
        ----------
        wait : float, default 5
            Seconds to wait for another writer to finish; 0 gives up at once.
        reload : bool, default True
            Re-read the manifest once the lock is held (another writer may have changed it).

        Raises
        ------
        StoreError
            If another process still holds the lock after ``wait`` seconds (the message names its
            PID), or the store's folder cannot be written.

        Examples
        --------
        >>> import tempfile
        >>> s = Store(tempfile.mkdtemp() + "/store", create=True)
        >>> with s.writing(wait=0):
        ...     (s.path / "write.lock").read_text() == str(os.getpid())
        True
        """
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield self
            finally:
                self._lock_depth -= 1
            return
        if not (isinstance(wait, (int, float)) and math.isfinite(wait) and wait >= 0):
            raise ParameterError(f"wait={wait!r}: expected a number of seconds, 0 or more")
        try:
            fd = os.open(self.path / WRITE_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"store {str(self.path)!r} cannot be written ({exc.strerror or exc})") from None
        try:
            deadline = time.monotonic() + wait
            while not try_lock(fd):
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
                    raise StoreError(
                        f"store {str(self.path)!r} is being written by PID {holder} (waited {wait:g} s); "
                        "run again when it has finished, or wait longer with --wait SECONDS"
                    )
                time.sleep(min(0.1, max(0.0, deadline - time.monotonic())))
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            self._lock_fd, self._lock_depth = fd, 1
            if reload:
                self.manifest = self._read_manifest()
            self._remove_stale_spills()
            yield self
        finally:
            if self._lock_fd == fd:
                self._lock_fd, self._lock_depth = None, 0
                try:
                    os.ftruncate(fd, 0)
                except OSError:
                    pass
                unlock(fd)
            os.close(fd)

    def _remove_stale_spills(self) -> None:
        """Remove ``.ingest-<pid>`` spill folders whose ingest is dead.

        We hold the write lock, so no other ingest of this store is running; a live PID may be one reused
        since.
        """
        for folder in self.path.glob(".ingest-*"):
            pid = folder.name.removeprefix(".ingest-")
            if pid.isdigit() and int(pid) != os.getpid() and (LOCKS or not pid_alive(int(pid))):
                shutil.rmtree(folder, ignore_errors=True)

    # ------------------------------------------------------------------ manifest
    def _read_manifest(self) -> dict[str, Any]:
        path = self.path / MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise StoreError(
                f"{path}: corrupt manifest ({exc.__class__.__name__}); rebuild the store with "
                "`roi ingest` from the raw files"
            ) from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("tables"), dict):
            raise StoreError(f"{path}: not a roi manifest (no 'tables' object); rebuild the store")
        manifest.setdefault("sources", [])
        return manifest

    @property
    def sources(self) -> list[dict[str, Any]]:
        """Every ingested source as recorded in the manifest (path, sha256, format, counts...)."""
        return list(self.manifest.get("sources", []))

    def has_table(self, name: str) -> bool:
        """Whether the store holds a version of table ``name``."""
        return name in self.manifest["tables"]

    def table_path(self, name: str) -> Path | None:
        """Folder of the current version of ``name``, or None if it was never written."""
        entry = self.manifest["tables"].get(name)
        if entry is None:
            return None
        path = (self.path / entry["path"]).resolve()
        if self.path.resolve() not in path.parents:
            raise StoreError(f"{self.path / MANIFEST}: table {name!r} points outside the store")
        return path

    # ------------------------------------------------------------------ reading
    def read(self, name: str, *, columns: list[str] | None = None) -> pd.DataFrame:
        """Read a table as a pandas DataFrame with its canonical dtypes.

        A canonical table never written reads as an empty table with the right columns.
        """
        path = self.table_path(name)
        if path is None:
            if name in TABLES:
                frame = empty(name)
                return frame[columns] if columns else frame
            raise StoreError(f"{self.path}: no table {name!r} in this store")
        dataset = self._dataset(name, path)
        try:
            wanted = columns
            if wanted is not None:
                wanted = [c for c in wanted if c in dataset.schema.names]
            table = dataset.to_table(columns=wanted)
        except (OSError, pa.ArrowInvalid) as exc:
            raise StoreError(f"{path}: corrupt Parquet in table {name!r} ({exc}); rebuild the store") from None
        frame = _plain(name, table).to_pandas(types_mapper=pandas_type)
        if name in TABLES:
            # A column declared after the store was written reads as unknown (null), never as absent.
            blank = empty(name)
            for c in TABLES[name].column_names:
                if c not in frame.columns and (columns is None or c in columns):
                    frame[c] = pd.Series(pd.array([None] * len(frame), dtype=blank[c].dtype), index=frame.index)
            order = [c for c in TABLES[name].column_names if c in frame.columns]
            frame = frame[order]
            if TABLES[name].partition_by:
                frame = frame.sort_values(list(TABLES[name].key), kind="stable", ignore_index=True)
        return frame

    def scan(self, name: str, *, batch_rows: int = 1 << 18) -> Iterator[pa.Table]:
        """Stream the current rows of a table as Arrow tables of at most ``batch_rows`` rows.

        Canonical tables come with their exact canonical schema (:func:`roi.tables.conform_arrow`);
        a table never written yields nothing. Ingest merges new rows with these, a batch at a
        time, so a store larger than memory can still be added to.
        """
        path = self.table_path(name)
        if path is None:
            return
        dataset = self._dataset(name, path)
        try:
            for batch in dataset.to_batches(batch_size=batch_rows):
                table = _plain(name, pa.Table.from_batches([batch]))
                yield conform_arrow(name, table) if name in TABLES else table
        except (OSError, pa.ArrowInvalid) as exc:
            raise StoreError(f"{path}: corrupt Parquet in table {name!r} ({exc}); rebuild the store") from None

    def _dataset(self, name: str, path: Path) -> pads.Dataset:
        if not path.exists():
            raise StoreError(
                f"{path}: table {name!r} is listed in the manifest but missing on disk; "
                "rebuild the store with `roi ingest`"
            )
        try:
            return pads.dataset(path, format="parquet", partitioning="hive")
        except (OSError, pa.ArrowInvalid) as exc:
            raise StoreError(f"{path}: corrupt Parquet in table {name!r} ({exc}); rebuild the store") from None

    def read_rejected(self) -> pd.DataFrame:
        """Every rejected record of every source: source, line, reason, record (raw text).

        Only files the manifest lists count (a crashed ingest's leftovers do not). A damaged line
        of such a file is kept as a row of its own whose reason says so, never an error.
        """
        rows: list[dict[str, Any]] = []
        for path in self._rejected_files():
            rows.extend(_rejected_rows(path))
        frame = pd.DataFrame(rows, columns=REJECTED_COLUMNS)
        return frame.astype({"source": "string", "line": "Int64", "reason": "string", "record": "string"})

    # ------------------------------------------------------------------ writing
    def _next_version(self, name: str) -> str:
        folder = self.path / "tables" / name
        folder.mkdir(parents=True, exist_ok=True)
        versions = [int(p.name[1:]) for p in folder.glob("v*") if p.name[1:].isdigit()]
        return f"v{max(versions, default=0) + 1:06d}"

    def _arrow(self, name: str, frame: pd.DataFrame | pa.Table) -> pa.Table:
        table_def = TABLES.get(name)
        if isinstance(frame, pa.Table):
            arrow = conform_arrow(name, frame) if table_def is not None else frame
            if table_def is not None:
                nulls = [k for k in table_def.required if arrow.column(k).null_count]
                if nulls:
                    raise StoreError(f"table {name!r}: key column(s) {', '.join(nulls)} contain nulls")
        elif table_def is not None:
            frame = conform(name, frame)
            nulls = [k for k in table_def.required if frame[k].isna().any()]
            if nulls:
                raise StoreError(f"table {name!r}: key column(s) {', '.join(nulls)} contain nulls")
            # The Arrow schema says everything about a canonical table; pandas' own metadata (which
            # names list columns' inner fields) only trips up other Parquet readers such as Dask.
            arrow = pa.Table.from_pandas(frame, schema=arrow_schema(name), preserve_index=False)
            arrow = arrow.replace_schema_metadata(None)
        else:
            arrow = pa.Table.from_pandas(frame, preserve_index=False)
        if table_def is None and not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ParameterError(f"table name {name!r}: use lower-case letters, digits and _ only")
        partition_by = list(table_def.partition_by) if table_def else []
        if "month" in partition_by:
            arrow = arrow.append_column("month", _months(arrow.column("created_at")))
        return arrow

    def _write_table(self, name: str, frame: pd.DataFrame | pa.Table | Iterable[pd.DataFrame | pa.Table]
                     ) -> tuple[str, int]:
        """Write a table (one frame, or parts of it as an iterable of frames) to a new version folder."""
        table_def = TABLES.get(name)
        partition_by = list(table_def.partition_by) if table_def else []
        rel = Path("tables") / name / self._next_version(name)
        target = self.path / rel
        if isinstance(frame, (pd.DataFrame, pa.Table)) and not len(frame):
            parts: Iterable[pd.DataFrame | pa.Table] = ()
            empty_frame = frame
        else:
            parts = [frame] if isinstance(frame, (pd.DataFrame, pa.Table)) else frame
            empty_frame = None
        rows, written = 0, 0
        for i, part in enumerate(parts):
            arrow = self._arrow(name, part)
            if not arrow.num_rows:
                continue
            options = _parquet_options(arrow.schema)
            if partition_by and arrow.num_rows:
                pads.write_dataset(
                    arrow.combine_chunks(), target, format="parquet", partitioning=partition_by,
                    partitioning_flavor="hive", existing_data_behavior="overwrite_or_ignore" if written else "error",
                    basename_template=f"part-{i}-{{i}}.parquet" if i else "part-{i}.parquet",
                    file_options=pads.ParquetFileFormat().make_write_options(**options),
                )
            else:
                target.mkdir(parents=True, exist_ok=bool(written))
                pq.write_table(arrow.drop(["month"]) if "month" in arrow.column_names else arrow,
                               target / f"part-{i}.parquet", **options)
            rows += arrow.num_rows
            written += 1
        if not written:  # no rows: one empty Parquet file with the table's schema
            if empty_frame is None:
                empty_frame = empty(name) if table_def else pd.DataFrame()
            arrow = self._arrow(name, empty_frame)
            target.mkdir(parents=True)
            pq.write_table(arrow.drop(["month"]) if "month" in arrow.column_names else arrow, target / "part-0.parquet")
        return rel.as_posix(), rows

    def write(
        self,
        tables: Mapping[str, pd.DataFrame | pa.Table | Iterable[pd.DataFrame | pa.Table]],
        *,
        sources: Iterable[Mapping[str, Any]] = (),
        wait: float = WAIT_SECONDS,
    ) -> None:
        """Replace whole tables and record sources, atomically, as the store's one writer.

        A table is a DataFrame or an Arrow table, or an iterable of them holding its parts (written
        one at a time into the same version, so a table larger than memory can be written part by
        part). Arrow tables are written as they are once cast to the canonical schema.
        Either every table given and every source record becomes visible, or (after a crash or an
        exception raised while producing a part) none does and the store is exactly as before.
        A source entry's ``rejected_file`` (written by :meth:`write_rejected` with
        ``commit=False``) becomes part of the store with it. Waits up to ``wait`` seconds for
        another writer (see :meth:`writing`).
        """
        with self.writing(wait=wait):
            self._write(tables, sources=sources)

    def _write(self, tables: Mapping[str, Any], *, sources: Iterable[Mapping[str, Any]]) -> None:
        new_entries = {}
        # Tables go to folders of their own: two are written at once (Parquet encoding releases the GIL).
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="roi-write") as pool:
            futures = {name: pool.submit(self._write_table, name, frame) for name, frame in tables.items()}
            for name, future in futures.items():
                rel, rows = future.result()
                new_entries[name] = {"path": rel, "rows": rows, "written_at": _now()}
        manifest = dict(self.manifest)
        manifest["tables"] = {**self.manifest["tables"], **new_entries}
        manifest["sources"] = [*self.manifest.get("sources", []), *map(dict, sources)]
        manifest["rejected_files"] = list(self.manifest.get("rejected_files", []))
        manifest["roi_version"] = __version__
        manifest["updated_at"] = _now()
        self._commit(manifest)

    def _commit(self, manifest: dict[str, Any]) -> None:
        roi.store_files.write_json_atomic(self.path / MANIFEST, manifest)
        self.manifest = manifest
        self._remove_unreferenced()

    def write_rejected(self, source: str, rows: pd.DataFrame | list[dict[str, Any]], *, key: str,
                       commit: bool = True, wait: float = WAIT_SECONDS) -> Path | None:
        """Write the rejected records of one source to ``_rejected/<key>.jsonl``; None if none.

        With ``commit`` (the default) the manifest lists the file at once; without it, the file
        counts only once a source entry naming it as ``rejected_file`` is written by
        :meth:`write` (so a crash in between leaves nothing :meth:`read_rejected` would show).
        """
        records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
        if not records:
            return None
        path = self.path / "_rejected" / (_SAFE_NAME.sub("_", key) + ".jsonl")
        with self.writing(wait=wait):
            path.parent.mkdir(exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".rejected.", dir=path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    for r in records:
                        fh.write(json.dumps({"source": source, "line": r.get("line"), "reason": r.get("reason"),
                                             "record": r.get("record")}, ensure_ascii=False, default=str))
                        fh.write("\n")
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            rel = path.relative_to(self.path).as_posix()
            if commit and rel not in self.manifest.get("rejected_files", []):
                manifest = dict(self.manifest)
                manifest["rejected_files"] = [*self.manifest.get("rejected_files", []), rel]
                self._commit(manifest)
        return path

    def _rejected_files(self) -> list[Path]:
        """Return the ``_rejected/`` files the manifest lists.

        Every file, for a store written before manifests listed them.
        """
        listed = [e.get("rejected_file") for e in self.manifest.get("sources", [])]
        listed += list(self.manifest.get("rejected_files", []))
        if "rejected_files" not in self.manifest and not any("rejected_file" in e for e in self.manifest["sources"]):
            return sorted((self.path / "_rejected").glob("*.jsonl"))
        root = (self.path / "_rejected").resolve()
        files = {(self.path / f).resolve() for f in listed if isinstance(f, str) and f}
        return sorted(f for f in files if f.parent == root and f.is_file())

    def _remove_unreferenced(self) -> None:
        """Remove what no manifest lists.

        That is table versions (only while no reader holds ``read.lock``), and rejected files and temporary
        files of writes that never committed.
        """
        if "rejected_files" in self.manifest:
            keep = set(self._rejected_files())
            for f in (self.path / "_rejected").glob("*"):
                if f.is_file() and (f.name.startswith(".rejected.") or (f.suffix == ".jsonl" and f.resolve() not in keep)):
                    f.unlink(missing_ok=True)
        try:
            fd = os.open(self.path / READ_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            return
        try:
            if not try_lock(fd):
                return  # a reader is reading older versions: the next write removes them
            referenced = {(self.path / e["path"]).resolve() for e in self.manifest["tables"].values()}
            for version in (self.path / "tables").glob("*/v*"):
                if version.resolve() not in referenced:
                    shutil.rmtree(version, ignore_errors=True)
        finally:
            os.close(fd)


def _rejected_rows(path: Path) -> Iterator[dict[str, Any]]:
    """Read the rows of one ``_rejected/`` file; a line that is not such a row becomes one saying so."""
    try:
        fh = path.open(encoding="utf-8", errors="replace")
    except OSError as exc:
        yield {"source": str(path), "line": None, "reason": f"unreadable rejected-records file ({exc.strerror})",
               "record": None}
        return
    with fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError:
                row = None
            if (isinstance(row, dict) and isinstance(row.get("reason"), str)
                    and (row.get("line") is None or (isinstance(row.get("line"), int) and not isinstance(row.get("line"), bool)))):
                yield {c: (row.get(c) if c == "line" or row.get(c) is None else str(row.get(c))) for c in REJECTED_COLUMNS}
            else:
                yield {"source": str(path), "line": number, "record": line.rstrip("\n")[:4096],
                       "reason": f"{path.name} line {number}: damaged entry in the store's rejected-records file"}


@dataclass
class Dataset:
    """The canonical tables of a store, as DataFrames (pandas, or Dask with ``engine='dask'``).

    Attributes are named for the tables: ``accounts``, ``follows``, ``posts``, ``conversions``,
    ``experiments``, ``effort``; ``sources`` lists what was ingested and ``rejected`` what could
    not be read.
    """

    path: Path
    accounts: Any
    follows: Any
    posts: Any
    conversions: Any
    experiments: Any
    effort: Any = field(default_factory=lambda: empty("effort"))  # the team's effort log (roi.ledger)
    sources: list[dict[str, Any]] = field(default_factory=list)
    rejected: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REJECTED_COLUMNS))

    def table(self, name: str) -> Any:
        """Table ``name`` (a key of :data:`roi.tables.TABLES`); ParameterError if unknown."""
        if name not in TABLES:
            raise ParameterError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}")
        return getattr(self, name)

    def __repr__(self) -> str:
        """Return the store path and the row count of each table."""
        sizes = ", ".join(f"{n}={len(getattr(self, n)) if hasattr(getattr(self, n), '__len__') else '?'}"
                          for n in TABLES)
        return f"Dataset({str(self.path)!r}: {sizes})"


def load(store: str | os.PathLike[str], *, engine: str = "pandas") -> Dataset:
    """Load every canonical table of a store.

    Parameters
    ----------
    store : str or Path
        A store directory written by ``roi ingest``.
    engine : {"pandas", "dask"}
        ``"dask"`` returns lazy Dask DataFrames over the same Parquet files.

    Returns
    -------
    Dataset

    Raises
    ------
    StoreError
        If the store is missing, empty or corrupt; the message says how to fix it.

    Examples
    --------
    >>> load("does-not-exist")
    Traceback (most recent call last):
    ...
    roi.errors.StoreError: store 'does-not-exist' does not exist; create it with `roi ingest FILES --store DIR` (or `make weekly-report` for the sample)
    """
    if engine not in ("pandas", "dask"):
        raise ParameterError(f"engine={engine!r}: expected 'pandas' or 'dask'")
    s = Store(store)
    with _reading(s.path):
        s.manifest = s._read_manifest()  # the manifest of the versions read under the lock
        if not s.manifest["tables"]:
            raise StoreError(f"store {str(s.path)!r} is empty; add data with `roi ingest FILES --store {s.path}`")
        if engine == "dask":
            from roi.dask_engine import read_table as read_dask

            frames = {name: read_dask(s, name) for name in TABLES}
        else:
            frames = {name: s.read(name) for name in TABLES}
        return Dataset(path=s.path, sources=s.sources, rejected=s.read_rejected(), **frames)
