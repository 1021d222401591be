"""Ingest: find the sources, read them with their format's reader, merge into the store, account.

``ingest(paths, store)`` is the one entry point (``roi ingest`` is a thin shell around it):

1. **Find sources.** Files given explicitly must be recognised (else an :class:`InputError`
   naming the file, before anything is read). Folders are walked in sorted order; an X archive
   folder or .zip is one source; a file inside a folder that no detector claims (README.md,
   truth.json, .DS_Store...) is *skipped* and reported with the reason.
2. **Read.** Each source's sha256 is computed first: a source whose content is already in the
   store's manifest is not read again (its entry notes it was seen again and no table changes).
   Readers stream chunks of canonical rows; nothing holds a whole file in memory.
3. **Merge** with the store, vectorised, by each table's key: posts by platform + post_id (the
   newest metrics win, by ``metrics_observed_at``; the same id with a different author,
   creation time or text is rejected as conflicting content), accounts by platform + account_id
   (the newest observation of each field wins), follows by platform + follower + followee
   (``first_seen`` = earliest, ``last_seen`` = latest snapshot, so an edge missing from a later
   snapshot keeps an older ``last_seen``: an unfollow), other tables by their key (the last read
   wins).
4. **Account and write.** For every source ``read = ingested + duplicates + rejected`` over its
   primary records (context rows such as authors from ``includes`` are counted apart). Rejected
   records go to ``_rejected/``; all changed tables and the new source entries are written in one
   atomic :meth:`roi.store.Store.write`.

Everything from a chunk on is Arrow: each chunk's rows are conformed to the table's Arrow schema
(readers may yield pandas frames or, like the X v2 fast path, canonical Arrow tables), merged with
Arrow compute and NumPy over whole columns -- keys seen once pass through untouched, only rows of
repeated keys are ordered and combined -- and written to Parquet as they are. Inputs larger than
:data:`SPILL_BYTES` are merged in key buckets spilled to disk, so memory follows a bucket, not the
input.

Reader convention (beyond :mod:`roi.io._base`): a chunk's tables may carry ``_line`` (the
record's line) and ``_context`` (True for context rows) columns; without ``_context`` every row
of the chunk's primary table is a record and every row of another table is context. A chunk may
carry ``notes`` (a list of one-line remarks, e.g. a Latin-1 fallback) reported with the source.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib
import json
import math
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from roi._version import __version__
from roi.errors import InputError, ParameterError, RoiError
from roi.io._base import ReadResult, Rejected, reading_order
from roi.io._json_lines import string_hashes
from roi.io.detect import FORMATS, detect, is_x_archive
from roi.store import WAIT_SECONDS, Store
from roi.tables import TABLES, arrow_schema, conform, conform_arrow
from roi.timeframe import EARLIEST, latest

__all__ = ["ingest", "IngestResult", "SourceReport", "READERS", "PROVENANCE_TABLE", "discover", "Source"]

READERS = {
    "x-v2": "roi.io.x_v2",
    "x-v1": "roi.io.x_v1",
    "x-archive": "roi.io.x_archive",
    "mastodon": "roi.io.mastodon",
    "bluesky": "roi.io.bluesky",
    "csv": "roi.io.csv_posts",
    "conversions": "roi.io.conversions",
    "follows": "roi.io.follows",
    "experiments": "roi.io.experiments",
    "effort": "roi.io.effort",
}
# Which source first brought each post: lets a later conflicting record name the file.
PROVENANCE_TABLE = "post_sources"
_IMMUTABLE_POST = ("author_id", "created_at", "text")
_POST_METRICS = ("impressions", "likes", "reposts", "replies", "quotes", "link_clicks", "metrics_observed_at")
_INGESTED, _DUPLICATE, _CONFLICT = 0, 1, 2
# Inputs larger than this are merged in key buckets of about this many input bytes, spilled to disk.
SPILL_BYTES = 256 << 20
MERGE_THREADS = 2  # tables, and spilled buckets of a table, merged at once


@dataclass(frozen=True)
class Source:
    """A source found by :func:`discover`: what to read and as which format."""

    path: Path
    format: str
    reason: str = ""


@dataclass
class SourceReport:
    """The accounting of one source: ``read == ingested + duplicates + rejected``."""

    path: str
    format: str
    sha256: str
    bytes: int | None = None
    read: int = 0
    ingested: int = 0
    duplicates: int = 0
    rejected: int = 0
    context_rows: int = 0
    seen_again: bool = False
    notes: list[str] = field(default_factory=list)
    by_table: dict[str, dict[str, int]] = field(default_factory=dict)
    rejected_file: str | None = None

    def summary(self) -> dict[str, Any]:
        """The figures ``roi ingest --json`` prints for this source."""
        return {k: getattr(self, k) for k in ("path", "format", "read", "ingested", "duplicates", "rejected")}


@dataclass
class IngestResult:
    """What :func:`ingest` did: every source's accounting, what was skipped, table sizes after."""

    store: Path
    sources: list[SourceReport]
    skipped: list[dict[str, str]]
    tables: dict[str, int]

    @property
    def rejected(self) -> int:
        return sum(s.rejected for s in self.sources)

    def to_dict(self) -> dict[str, Any]:
        """``{"sources": [...], "tables": {...}, "skipped": [...]}`` as ``roi ingest --json`` prints it."""
        return {"sources": [s.summary() for s in self.sources], "tables": dict(self.tables),
                "skipped": list(self.skipped)}


# ---------------------------------------------------------------------------- discovery
def _hidden(p: Path) -> bool:
    return p.name.startswith(".")


def discover(paths: Sequence[str | Path], *, format: str = "auto") -> tuple[list[Source], list[dict[str, str]]]:
    """The sources under ``paths`` and the files skipped with their reasons.

    Raises
    ------
    InputError
        A path that does not exist, an explicit file no detector claims, or a folder with
        nothing readable (one line naming it and why).
    """
    sources: list[Source] = []
    skipped: list[dict[str, str]] = []
    for raw in paths:
        if not str(raw).strip():
            raise InputError("an empty path was given; name a file or folder")
        p = Path(raw)
        if not p.exists():
            raise InputError(f"{p}: no such file or folder")
        if p.is_dir():
            if is_x_archive(p):
                _check_forced(p, "x-archive", format)
                sources.append(Source(p, "x-archive", "X archive folder"))
                continue
            before, skipped_before = len(sources), len(skipped)
            _walk(p, format, sources, skipped, root=p.resolve())
            if len(sources) == before:
                shown = "; ".join(f"{Path(s['path']).name}: {s['reason']}" for s in skipped[skipped_before:][:5])
                raise InputError(f"{p}: nothing readable in this folder"
                                 + (f" (skipped {len(skipped) - skipped_before}: {shown})" if shown else " (it is empty)"))
            continue
        if format != "auto":
            sources.append(Source(p, format, "--format"))
            continue
        found = detect(p)
        if not found:
            raise InputError(f"{p}: {found.reason}; not an export roi reads "
                             f"(formats: {', '.join(FORMATS)}; use --format to force one)")
        sources.append(Source(p, found.format, found.reason))
    return sources, skipped


def _check_forced(p: Path, detected: str, forced: str) -> None:
    if forced not in ("auto", detected):
        raise InputError(f"{p}: is {detected}, not --format {forced}")


def _walk(folder: Path, forced: str, sources: list[Source], skipped: list[dict[str, str]], *, root: Path) -> None:
    """Walk ``folder`` in sorted order. Symbolic links to folders are not followed (a loop would
    list a file forever, a link to /etc would read the system), nor links to files outside ``root``."""
    for p in sorted(folder.iterdir(), key=lambda q: q.name):
        if _hidden(p):
            skipped.append({"path": str(p), "reason": "hidden file or folder"})
        elif p.is_symlink() and p.is_dir():
            skipped.append({"path": str(p), "reason": "symbolic link to a folder (not followed; name the folder itself)"})
        elif p.is_symlink() and root not in p.resolve().parents:
            skipped.append({"path": str(p), "reason": "symbolic link to a file outside the folder (not followed)"})
        elif p.is_dir():
            if is_x_archive(p):
                sources.append(Source(p, "x-archive", "X archive folder"))
            else:
                _walk(p, forced, sources, skipped, root=root)
        else:
            found = detect(p)
            if not found:
                skipped.append({"path": str(p), "reason": found.reason})
            elif forced not in ("auto", found.format):
                skipped.append({"path": str(p), "reason": f"detected as {found.format}, not --format {forced}"})
            else:
                sources.append(Source(p, found.format, found.reason))


def _reader(fmt: str) -> Callable[..., Iterable[ReadResult]]:
    module_name = READERS[fmt]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            raise InputError(f"format {fmt!r}: its reader ({module_name}) is not available in this "
                             f"version of roi") from None
        raise
    return module.read


# ---------------------------------------------------------------------------- hashing
def sha256_of(path: Path) -> str:
    """sha256 of a file, or of an archive (every member's name and bytes, in sorted order)."""
    h = hashlib.sha256()
    if path.is_dir():
        for member in sorted(q for q in path.rglob("*") if q.is_file() and not _hidden(q)):
            h.update(member.relative_to(path).as_posix().encode() + b"\0")
            _update_file(h, member)
        return h.hexdigest()
    _update_file(h, path)
    return h.hexdigest()


def _update_file(h: Any, path: Path) -> None:
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)


# ---------------------------------------------------------------------------- parameters
def _as_of(value: Any) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ParameterError(f"--as-of {value!r}: expected a date like 2026-10-05 or an ISO 8601 time") from None
    if ts is pd.NaT:
        raise ParameterError(f"--as-of {value!r}: expected a date like 2026-10-05 or an ISO 8601 time")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------- ingest
def ingest(
    paths: Sequence[str | Path] | str | Path,
    store: str | Path,
    *,
    format: str = "auto",
    as_of: Any = None,
    strict: bool = False,
    progress: Callable[[int, str], None] | None = None,
    wait: float = WAIT_SECONDS,
    owner: str | None = None,
    followee: str | None = None,
) -> IngestResult:
    """Read export files into a store, keeping count of every record.

    Parameters
    ----------
    paths : path or sequence of paths
        Files, folders (walked in sorted order) and X archive folders / .zip files.
    store : path
        The store directory; created when it does not exist.
    format : str, default "auto"
        ``auto`` detects each file by content; one of :data:`roi.io.detect.FORMATS` forces the
        format of files named explicitly (files found in a folder must still be detected as it).
    as_of : date, datetime or ISO string, optional
        When the exports were taken: the snapshot time of follower lists without one of their own
        (and of metrics whose file records no retrieval time). Naive times are UTC.
    strict : bool, default False
        If any record would be rejected, raise :class:`InputError` and leave the store unchanged.
    progress : callable, optional
        Called as ``progress(records, path)`` after each chunk (the CLI shows a progress bar).
    owner : str, optional
        The owner (handle or account id) of X archives that name none, or to override the one
        they name (see :func:`roi.io.x_archive.read`).
    followee : str, optional
        Whose followers X v2 user pages saved without twarc's ``__twarc`` block list (handle or
        account id; see :func:`roi.io.x_v2.read`).
    wait : float, default 5
        Seconds to wait for another process writing the same store to finish (one writer at a
        time: see :meth:`roi.store.Store.writing`).

    Returns
    -------
    IngestResult

    Raises
    ------
    ParameterError
        Unknown ``format`` or a bad ``as_of``.
    InputError
        A path that does not exist or is not an export; a folder with nothing readable; with
        ``strict``, any rejected record.
    StoreError
        The store cannot be written, or another process is still writing it after ``wait`` seconds.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> page = {"data": [{"id": "1", "author_id": "9", "text": "hi #Roi", "created_at": "2024-01-02T03:04:05.000Z",
    ...                   "entities": {"hashtags": [{"tag": "Roi"}]}, "public_metrics": {"like_count": 2}}],
    ...         "__twarc": {"retrieved_at": "2024-01-03T00:00:00+00:00"}}
    >>> _ = (d / "tweets.jsonl").write_text(json.dumps(page) + "\\n")
    >>> result = ingest([d / "tweets.jsonl"], d / "store")
    >>> result.to_dict()["sources"][0]["read"], result.tables["posts"]
    (1, 1)
    >>> ingest([d / "tweets.jsonl"], d / "store").sources[0].seen_again
    True
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if format not in ("auto", *FORMATS):
        raise ParameterError(f"--format {format!r}: expected one of auto, {', '.join(FORMATS)}")
    as_of_dt = _as_of(as_of)
    if isinstance(wait, bool) or not isinstance(wait, (int, float)) or not 0 <= wait < math.inf:
        raise ParameterError(f"--wait {wait!r}: expected a number of seconds, 0 or more")
    sources, skipped = discover(list(paths), format=format)
    readers = {s.format: _reader(s.format) for s in sources}  # fail before reading anything

    st = Store(store, create=True, wait=wait)
    # Reader options: an archive's owner; whose followers raw v2 user pages list (a handle is
    # looked up in the store's accounts when the file itself does not give its id).
    options = {"x-archive": {"owner": owner},
               "x-v2": {"followee": followee, "resolve_handle": functools.partial(_id_in_store, st)}}
    readers = {fmt: functools.partial(r, **options[fmt]) if fmt in options else r for fmt, r in readers.items()}
    # One writer at a time, from reading the manifest this run builds on to writing the next one.
    with st.writing(wait=wait):
        known = {}
        # A source read before without --owner / --followee is read again with them (its rows then
        # come out as duplicates or new), so following the note that asked for them changes the store.
        again = {fmt for fmt, given in (("x-archive", owner), ("x-v2", followee)) if given}
        for entry in st.sources:
            if entry.get("sha256") and not entry.get("seen_again") and entry.get("format") not in again:
                known.setdefault(entry["sha256"], entry)
        reports: list[SourceReport] = []
        total = sum(_size_of(src.path) for src in sources)
        pending = _Pending(st.path / f".ingest-{os.getpid()}", max(1, math.ceil(total / SPILL_BYTES)))
        rejected_by_source: list[list[Rejected]] = []
        try:
            _read_all(sources, readers, st, known, as_of_dt, pending, reports, rejected_by_source, progress)
            _finish(st, pending, sources, reports, rejected_by_source, strict)
        finally:
            pending.close()
    tables = {name: int(st.manifest["tables"].get(name, {}).get("rows", 0)) for name in TABLES}
    return IngestResult(store=st.path, sources=reports, skipped=skipped, tables=tables)


def _id_in_store(st: Store, handle: str) -> str | None:
    """The X account id of ``handle`` in the store's accounts, or None."""
    from roi.accounts import account_id_for

    try:
        return account_id_for(st.read("accounts", columns=["platform", "account_id", "handle", "observed_at"]),
                              handle, platform="x")
    except RoiError:
        return None


def _read_all(sources: list[Source], readers: dict[str, Callable[..., Iterable[ReadResult]]], st: Store,
              known: dict[str, Any], as_of_dt: pd.Timestamp | None, pending: _Pending,
              reports: list[SourceReport], rejected_by_source: list[list[Rejected]],
              progress: Callable[[int, str], None] | None) -> None:
    """Read every source not already in the store, queueing its rows and counting its records.

    A source whose size matches a source already seen (same content means same size) is hashed
    first, and not read if its sha256 is known. Any other source is new for certain, so it is
    hashed in a thread while it is read (hashlib releases the GIL), not in a pass of its own.
    """
    seq = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="roi-sha256") as hasher:
        for index, source in enumerate(sources):
            size = _size_of(source.path)
            maybe_seen = any(entry.get("bytes") in (None, size) for entry in known.values())
            hashing = None if maybe_seen else hasher.submit(sha256_of, source.path)
            sha = sha256_of(source.path) if maybe_seen else ""
            report = SourceReport(path=str(source.path), format=source.format, sha256=sha, bytes=size)
            reports.append(report)
            rejected_by_source.append([])
            if sha in known:
                _seen_again(report, known[sha])
                continue
            for chunk in readers[source.format](source.path, as_of=as_of_dt):
                seq = _collect(chunk, index, report, pending, rejected_by_source[index], seq)
                report.notes.extend(chunk.notes)
                if progress is not None:
                    progress(chunk.read, str(source.path))
            if hashing is not None:
                report.sha256 = hashing.result()
            known[report.sha256] = {"path": str(source.path), "bytes": size, "read": 0, "ingested": 0,
                                    "duplicates": 0, "rejected": 0, "ingested_at": "this run", "pending": True}


def _finish(st: Store, pending: _Pending, sources: list[Source], reports: list[SourceReport],
            rejected_by_source: list[list[Rejected]], strict: bool) -> None:
    merged, statuses, conflicts = _merge_all(st, pending, sources)
    _account(reports, rejected_by_source, statuses, conflicts)

    if strict and any(r.rejected for r in reports):
        first = next((i, rej) for i, rs in enumerate(rejected_by_source) for rej in rs)
        raise InputError(f"--strict: {sum(r.rejected for r in reports)} record(s) rejected, store left "
                         f"unchanged; first: {sources[first[0]].path}: {first[1].reason}")

    ingested_at = _now()
    entries = []
    for report, rejected in zip(reports, rejected_by_source, strict=True):
        if rejected:
            key = f"{Path(report.path).name}-{report.sha256[:12]}"
            written = st.write_rejected(report.path, [r.as_dict() for r in rejected], key=key, commit=False)
            report.rejected_file = written.relative_to(st.path).as_posix() if written else None
        entry = asdict(report)
        entry.update(roi_version=__version__, ingested_at=ingested_at)
        entries.append(entry)
    st.write(merged, sources=entries)


def _seen_again(report: SourceReport, previous: dict[str, Any]) -> None:
    report.seen_again = True
    report.read = int(previous.get("read", 0))
    report.rejected = int(previous.get("rejected", 0))
    report.duplicates = report.read - report.rejected
    when = previous.get("ingested_at", "earlier")
    report.notes.append(f"identical content (sha256) already ingested from {previous.get('path')} "
                        f"({when}); not read again, no table changed")


def _collect(chunk: ReadResult, index: int, report: SourceReport, pending: _Pending,
             rejected: list[Rejected], seq: int) -> int:
    """Conform a chunk's tables to Arrow, tag them with source/line/context/order, queue them for the merge."""
    report.read += chunk.read
    report.rejected += len(chunk.rejected)
    table_counts = report.by_table.setdefault(chunk.primary, _zero_counts())
    table_counts["read"] += chunk.read
    table_counts["rejected"] += len(chunk.rejected)
    rejected.extend(chunk.rejected)
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
            keep = _date_rule(name, table, lines, context, report, rejected)
            if keep is not None:
                table, lines, context, rank = table.filter(keep), lines[keep], context[keep], rank[keep]
                rank = np.argsort(np.argsort(rank, kind="stable"), kind="stable")  # dense again
                order = reading_order(rank) if order is not None else None
                n = table.num_rows
        pending.add(name, _tagged(table, index, lines, context, seq + rank), order=order)
        seq += n
        report.context_rows += int(context.sum())
    return seq


def _date_rule(name: str, table: pa.Table, lines: np.ndarray, context: np.ndarray, report: SourceReport,
               rejected: list[Rejected]) -> np.ndarray | None:
    """One date rule for every reader (:data:`roi.timeframe.EARLIEST` to :func:`roi.timeframe.latest`): a record dated before
    1990 or after tomorrow is rejected with its line, as is a post without a date; a context row
    so dated is left out. Returns the rows to keep, or None when all are."""
    times = table.column("created_at")
    us = pc.cast(times, pa.int64()).to_numpy(zero_copy_only=False)  # years 0001 and 9999 fit here, not in pandas
    known = pc.is_valid(times).to_numpy(zero_copy_only=False)
    outside = known & ((us < EARLIEST.value // 1000) | (us > latest().value // 1000))
    missing = (pc.is_null(times).to_numpy(zero_copy_only=False) & ~context) if name == "posts" else None
    bad = outside | missing if missing is not None else outside
    if not bad.any():
        return None
    for i in np.flatnonzero(bad & ~context):
        line = None if math.isnan(lines[i]) else int(lines[i])
        where = f"line {line}: " if line is not None else ""
        key = {k: table.column(k)[i].as_py() for k in TABLES[name].key}
        what = ("created_at is missing" if not outside[i] else
                f"created_at {np.datetime64(int(us[i]), 'us')} is outside the dates roi accepts "
                f"({EARLIEST:%Y-%m-%d} to tomorrow)")
        rejected.append(Rejected(line, where + what, json.dumps(key, default=str)))
        report.rejected += 1
        report.by_table.setdefault(name, _zero_counts())["rejected"] += 1
    return ~bad


def _rank_order(rows: pd.DataFrame | pa.Table, n: int, path: str) -> tuple[np.ndarray, np.ndarray | None]:
    """Each row's place in reading order, and the rows in that order (None: they already are).

    A reader's Arrow rows may come with a ``_rank`` instead of in reading order (see
    :class:`~roi.io._base.ReadResult`); the rows' order numbers follow it, and the gather that
    puts them in order is the one :meth:`_Pending.add` makes anyway.

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
    """A reader's private column (``_line``, ``_context``) as NumPy (nulls: NaN / False), or None."""
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


_PRIVATE = ("_src", "_line", "_ctx", "_seq")


def _tagged(table: pa.Table, src: int, lines: np.ndarray, context: np.ndarray, seq: np.ndarray) -> pa.Table:
    """A canonical table with the private columns the merge needs: source, line, context, order."""
    n = table.num_rows
    private = [pa.array(np.full(n, src, dtype="int32")), pa.array(lines, pa.float64()),
               pa.array(context, pa.bool_()), pa.array(seq, pa.int64())]
    return pa.Table.from_arrays([*table.columns, *private], names=[*table.column_names, *_PRIVATE])


def _canonical(name: str, rows: pd.DataFrame | pa.Table) -> pa.Table:
    """A reader's rows as the table's canonical Arrow table (no pandas round trip for Arrow input)."""
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


def _zero_counts() -> dict[str, int]:
    return {"read": 0, "ingested": 0, "duplicates": 0, "rejected": 0}


# ---------------------------------------------------------------------------- spilling
def _size_of(path: Path) -> int:
    try:
        return sum(q.stat().st_size for q in path.rglob("*") if q.is_file()) if path.is_dir() else path.stat().st_size
    except OSError:
        return 0


_PROVENANCE_SCHEMA = pa.schema([("platform", pa.string()), ("post_id", pa.string()), ("source", pa.string())])
_OLD_SEQ = -(1 << 62)  # the store's rows come before every row read now


def _key_of(name: str) -> list[str]:
    return list(TABLES[name].key) if name in TABLES else ["platform", "post_id"]


class _Pending:
    """The rows read so far, by table, as Arrow, waiting for the merge (with the store's rows).

    With one bucket (inputs up to :data:`SPILL_BYTES`) they stay in memory. Larger inputs are
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
        """Queue rows; ``order`` (positions of the rows in reading order, None: as they are) is
        applied in the one gather that also groups them by bucket."""
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
                table = _tagged(table, -1, np.full(n, np.nan), np.ones(n, dtype=bool),
                                np.arange(start, start + n, dtype="int64"))
                start += n
            else:
                table = table.select(_PROVENANCE_SCHEMA.names).cast(_PROVENANCE_SCHEMA)
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
        """The queued rows of a table's bucket (``old``: the store's), in order; None if there are none."""
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
        """What Store.write takes for a table: one table, or a generator of the spilled parts."""
        if self.buckets == 1:
            return kept[0]
        return (_read_ipc(p) for p in kept)

    def close(self) -> None:
        for _, writer, sink in self.writers.values():
            try:
                writer.close()
                sink.close()
            except (OSError, pa.ArrowException):
                pass
        self.writers.clear()
        shutil.rmtree(self.root, ignore_errors=True)


def _spill_sink(path: Path) -> pa.NativeFile:
    """A spill file opened for writing through a 4 MiB buffer: an Arrow IPC writer otherwise makes
    a write (and a seek) per buffer -- 76,000 writes and 13,000 seeks for 1M tweets."""
    return pa.BufferedOutputStream(pa.OSFile(str(path), "wb"), buffer_size=4 << 20)


def _read_ipc(path: Path) -> pa.Table:
    """An Arrow IPC file, memory-mapped (the pages are the file's, read as they are touched)."""
    with pa.memory_map(str(path)) as source:
        return pa.ipc.open_file(source).read_all()


def _string_hash(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A 64-bit hash of each string (nulls hash as ""), to spread keys over spill buckets.

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
    """A hash of each row's key columns (the bucket of a row: every row of a key lands in the same one)."""
    h = np.zeros(table.num_rows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in key:
            h = h * np.uint64(0x9E3779B97F4A7C15) + _string_hash(table.column(col))
    return h


# ---------------------------------------------------------------------------- merge
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
    """True when every value (no nulls here) is the same (one comparison a row: min_max takes two).

    >>> _constant(pa.chunked_array([["x", "x"], ["x"]])), _constant(pa.array(["x", "y"])), _constant(pa.array([], pa.string()))
    (True, False, False)
    """
    return len(values) > 0 and bool(pc.all(pc.equal(values, values[0])).as_py())


def _np(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return values.to_numpy(zero_copy_only=False)


def _merge_all(st: Store, pending: _Pending, sources: list[Source]
               ) -> tuple[dict[str, Any], dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]],
                          dict[str, list[dict[str, Any]]]]:
    """Merge every pending table with the store's rows, one key bucket at a time (one bucket when it fits)."""
    paths = [str(s.path) for s in sources]
    merged: dict[str, Any] = {}
    statuses: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}
    conflicts: dict[str, list[dict[str, Any]]] = {}

    def merge_table(name: str) -> None:
        pending.add_store_rows(st, name)
        if name == "posts":
            pending.add_store_rows(st, PROVENANCE_TABLE)

        def merge_bucket(b: int) -> tuple[Any, Any, Any, list[dict[str, Any]]]:
            old, new = pending.rows(name, b, old=True), pending.rows(name, b)
            previous = pending.rows(PROVENANCE_TABLE, b, old=True) if name == "posts" else None
            if new is None:
                kept = pending.keep(name, b, old.drop(list(_PRIVATE))) if old is not None else None
                return kept, pending.keep(PROVENANCE_TABLE, b, previous) if previous is not None else None, None, []
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
                provenance = pending.keep(PROVENANCE_TABLE, b, fresh)
            return pending.keep(name, b, table), provenance, status, bad

        results = _in_threads(merge_bucket, range(pending.buckets))
        merged[name] = pending.parts([r[0] for r in results if r[0] is not None])
        if name == "posts":
            merged[PROVENANCE_TABLE] = pending.parts([r[1] for r in results if r[1] is not None])
        statuses[name] = [r[2] for r in results if r[2] is not None]
        conflicts[name] = [bad for r in results for bad in r[3]]

    # Tables, and the spilled buckets of a table, are independent: two at a time use both cores
    # (Arrow and NumPy release the GIL for the work on whole columns).
    _in_threads(merge_table, pending.names())
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
    status = np.full(both.num_rows, _INGESTED, dtype="int8")
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
        status[idx[~sub_ctx & sub_new & ~first_claim]] = _DUPLICATE
        if name == "posts":
            conflict, field_of = _conflicts(data, idx, idx[starts[group]])
            if conflict.any():
                # A conflicting record is rejected; a conflicting context row (an included copy of
                # a post that differs from the one already kept) is not a record: it is dropped.
                record = conflict & ~sub_ctx
                status[idx[record]] = _CONFLICT
                bad = _conflict_rows(both, idx[record], field_of[record])
                idx = idx[~conflict]  # a key's first row never conflicts, so every key keeps a row
        combined = _combine(name, both, idx, codes[idx])
        data = pa.concat_tables([data.filter(pa.array(~repeated)), combined])
    records = np.flatnonzero(is_new & ~ctx)
    status_of = (src[records], _np(both.column("_line"))[records], status[records])
    return data, status_of, bad, codes


def _key_then_reading_order(codes: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """The order of rows by key code, then reading order (``seq``); codes are below ``len(codes)``.

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
    """``rows`` ordered by key, then time (unknown first), then the ``then`` columns (unknown
    first), then reading order: the newest comes last.

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
                     schema=_PROVENANCE_SCHEMA)
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


# ---------------------------------------------------------------------------- accounting
def _account(reports: list[SourceReport], rejected: list[list[Rejected]],
             statuses: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]],
             conflicts: dict[str, list[dict[str, Any]]]) -> None:
    for name, parts in statuses.items():
        if parts:
            src = np.concatenate([p[0] for p in parts]).astype("int64")
            status = np.concatenate([p[2] for p in parts]).astype("int64")
            counts = np.bincount(src * 3 + status, minlength=3 * len(reports)).reshape(-1, 3)
            for i, report in enumerate(reports):
                for code, attr in ((_INGESTED, "ingested"), (_DUPLICATE, "duplicates")):
                    n = int(counts[i, code])
                    if n:
                        setattr(report, attr, getattr(report, attr) + n)
                        report.by_table.setdefault(name, _zero_counts())[attr] += n
        for r in conflicts.get(name, []):
            report = reports[int(r["_src"])]
            line = None if r["_line"] is None or math.isnan(r["_line"]) else int(r["_line"])
            where = f"line {line}: " if line is not None else ""
            rejected[int(r["_src"])].append(Rejected(line, where + r["reason"], r["record"]))
            report.rejected += 1
            report.by_table.setdefault(name, _zero_counts())["rejected"] += 1
