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

Reader convention (beyond :mod:`roi.io._base`): a chunk's frames may carry ``_line`` (the
record's line) and ``_context`` (True for context rows) columns; without ``_context`` every row
of the chunk's primary table is a record and every row of another table is context. A chunk may
carry ``notes`` (a list of one-line remarks, e.g. a Latin-1 fallback) reported with the source.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib
import json
import math
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.feather as feather

from roi import __version__
from roi.errors import InputError, ParameterError, RoiError
from roi.io._base import ReadResult, Rejected
from roi.io.detect import FORMATS, detect, is_x_archive
from roi.store import Store
from roi.store import _types_mapper as _store_types
from roi.tables import TABLES, conform

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
}
# Which source first brought each post: lets a later conflicting record name the file.
PROVENANCE_TABLE = "post_sources"
_IMMUTABLE_POST = ("author_id", "created_at", "text")
_POST_METRICS = ("impressions", "likes", "reposts", "replies", "quotes", "link_clicks", "metrics_observed_at")
_INGESTED, _DUPLICATE, _CONFLICT = 0, 1, 2
# Inputs larger than this are merged in key buckets of about this many input bytes, spilled to disk.
SPILL_BYTES = 256 << 20


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
        p = Path(raw)
        if not p.exists():
            raise InputError(f"{p}: no such file or folder")
        if p.is_dir():
            if is_x_archive(p):
                _check_forced(p, "x-archive", format)
                sources.append(Source(p, "x-archive", "X archive folder"))
                continue
            before, skipped_before = len(sources), len(skipped)
            _walk(p, format, sources, skipped)
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


def _walk(folder: Path, forced: str, sources: list[Source], skipped: list[dict[str, str]]) -> None:
    for p in sorted(folder.iterdir(), key=lambda q: q.name):
        if _hidden(p):
            skipped.append({"path": str(p), "reason": "hidden file or folder"})
        elif p.is_dir():
            if is_x_archive(p):
                sources.append(Source(p, "x-archive", "X archive folder"))
            else:
                _walk(p, forced, sources, skipped)
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
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------- ingest
def ingest(
    paths: Sequence[str | Path] | str | Path,
    store: str | Path,
    *,
    format: str = "auto",
    as_of: Any = None,
    strict: bool = False,
    progress: Callable[[int, str], None] | None = None,
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
    sources, skipped = discover(list(paths), format=format)
    readers = {s.format: _reader(s.format) for s in sources}  # fail before reading anything

    st = Store(store, create=True)
    known = {}
    for entry in st.sources:
        if entry.get("sha256") and not entry.get("seen_again"):
            known.setdefault(entry["sha256"], entry)
    reports: list[SourceReport] = []
    total = sum(_size_of(src.path) for src in sources)
    pending = _Pending(st.path / f".ingest-{os.getpid()}", max(1, math.ceil(total / SPILL_BYTES)))
    rejected_by_source: list[list[Rejected]] = []
    seq = 0
    for index, source in enumerate(sources):
        sha = sha256_of(source.path)
        report = SourceReport(path=str(source.path), format=source.format, sha256=sha)
        reports.append(report)
        rejected_by_source.append([])
        if sha in known:
            _seen_again(report, known[sha])
            continue
        known[sha] = {"path": str(source.path), "read": 0, "ingested": 0, "duplicates": 0, "rejected": 0,
                      "ingested_at": "this run", "pending": True}
        for chunk in readers[source.format](source.path, as_of=as_of_dt):
            seq = _collect(chunk, index, report, pending, rejected_by_source[index], seq)
            report.notes.extend(chunk.notes)
            if progress is not None:
                progress(chunk.read, str(source.path))

    try:
        _finish(st, pending, sources, reports, rejected_by_source, strict)
    finally:
        pending.close()
    tables = {name: int(st.manifest["tables"].get(name, {}).get("rows", 0)) for name in TABLES}
    return IngestResult(store=st.path, sources=reports, skipped=skipped, tables=tables)


def _finish(st: Store, pending: "_Pending", sources: list[Source], reports: list[SourceReport],
            rejected_by_source: list[list[Rejected]], strict: bool) -> None:
    merged, statuses = _merge_all(st, pending, sources)
    _account(reports, rejected_by_source, statuses, sources)

    if strict and any(r.rejected for r in reports):
        first = next((i, rej) for i, rs in enumerate(rejected_by_source) for rej in rs)
        raise InputError(f"--strict: {sum(r.rejected for r in reports)} record(s) rejected, store left "
                         f"unchanged; first: {sources[first[0]].path}: {first[1].reason}")

    ingested_at = _now()
    entries = []
    for report, rejected in zip(reports, rejected_by_source):
        if rejected:
            key = f"{Path(report.path).name}-{report.sha256[:12]}"
            written = st.write_rejected(report.path, [r.as_dict() for r in rejected], key=key)
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


def _collect(chunk: ReadResult, index: int, report: SourceReport, pending: "_Pending",
             rejected: list[Rejected], seq: int) -> int:
    """Conform a chunk's frames, tag them with source/order/context, and queue them for the merge."""
    report.read += chunk.read
    report.rejected += len(chunk.rejected)
    table_counts = report.by_table.setdefault(chunk.primary, _zero_counts())
    table_counts["read"] += chunk.read
    table_counts["rejected"] += len(chunk.rejected)
    rejected.extend(chunk.rejected)
    for name, frame in chunk.tables.items():
        if frame is None or not len(frame):
            continue
        if name not in TABLES:
            raise InputError(f"{report.path}: reader produced an unknown table {name!r}")
        try:
            rows = _conformed(name, frame)
        except RoiError as exc:
            raise InputError(f"{report.path}: {exc}") from None
        n = len(rows)
        lines = frame["_line"].to_numpy(dtype="float64", na_value=np.nan) if "_line" in frame else np.full(n, np.nan)
        if "_context" in frame:
            context = frame["_context"].fillna(False).to_numpy(dtype=bool)
        else:
            context = np.full(n, name != chunk.primary)
        rows["_src"] = np.int32(index)
        rows["_line"] = lines
        rows["_ctx"] = context
        rows["_seq"] = np.arange(seq, seq + n, dtype="int64")
        seq += n
        report.context_rows += int(context.sum())
        pending.add(name, rows)
    return seq


_CANONICAL_DTYPES: dict[str, dict[str, Any]] = {}


def _conformed(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``conform(name, frame)``, without the casts when the frame already has the table's exact dtypes.

    The Arrow fast path of the X v2 reader builds canonical columns already; casting them again
    (string to string, list to list) costs a copy of every column for nothing. A frame whose
    columns all have exactly the dtypes ``conform`` produces is only reordered (a missing column is
    filled with nulls, as ``conform`` does).
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


class _Pending:
    """The conformed rows read so far, by table, waiting for the merge.

    With one bucket (inputs up to :data:`SPILL_BYTES`) they stay in memory. Larger inputs are
    split by a hash of each table's key into ``buckets`` and spilled chunk by chunk to Arrow IPC
    files in a folder inside the store; the merge then handles one bucket at a time (every row of
    a key is in the same bucket, so per-bucket merges are the whole merge) and spills its result,
    which :meth:`roi.store.Store.write` writes part by part. Memory so follows one bucket, not the
    input.
    """

    def __init__(self, root: Path, buckets: int):
        self.root, self.buckets = root, buckets
        self.frames: dict[str, list[pd.DataFrame]] = {}
        self.files: dict[tuple[str, int], list[Path]] = {}
        self.count = 0

    def names(self) -> list[str]:
        return list(dict.fromkeys([*self.frames, *(name for name, _ in self.files)]))

    def _bucket_of(self, name: str, frame: pd.DataFrame) -> np.ndarray:
        key = list(TABLES[name].key) if name in TABLES else ["platform", "post_id"]
        return (pd.util.hash_pandas_object(frame[key], index=False).to_numpy() % np.uint64(self.buckets)).astype("int64")

    def add(self, name: str, rows: pd.DataFrame) -> None:
        if self.buckets == 1:
            self.frames.setdefault(name, []).append(rows)
            return
        bucket = self._bucket_of(name, rows)
        # One conversion to Arrow, then each bucket's rows (in reading order) taken from it.
        table = pa.Table.from_pandas(rows, preserve_index=False)
        order = np.argsort(bucket, kind="stable")
        bounds = np.searchsorted(bucket[order], np.arange(self.buckets + 1))
        for b in range(self.buckets):
            if bounds[b + 1] > bounds[b]:
                part = table.take(pa.array(order[bounds[b]:bounds[b + 1]]))
                self.files.setdefault((name, b), []).append(self._spill_table(part))

    def _spill(self, frame: pd.DataFrame) -> Path:
        return self._spill_table(pa.Table.from_pandas(frame, preserve_index=False))

    def _spill_table(self, table: pa.Table) -> Path:
        self.root.mkdir(exist_ok=True)
        self.count += 1
        path = self.root / f"{self.count:08d}.arrow"
        feather.write_feather(table, path, compression="lz4")
        return path

    def split(self, name: str, frame: pd.DataFrame) -> list[pd.DataFrame]:
        """A frame (the store's current rows) split into the buckets."""
        if self.buckets == 1:
            return [frame]
        bucket = self._bucket_of(name, frame)
        return [frame[bucket == b].reset_index(drop=True) for b in range(self.buckets)]

    def frame(self, name: str, b: int) -> pd.DataFrame | None:
        """All pending rows of a table's bucket (None if there are none)."""
        if self.buckets == 1:
            frames = self.frames.pop(name, [])
            return None if not frames else (pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0])
        paths = self.files.pop((name, b), [])
        if not paths:
            return None
        frames = [_read_spill(p) for p in paths]
        for p in paths:
            p.unlink()
        return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]

    def keep(self, name: str, b: int, table: pd.DataFrame) -> Any:
        """Hold a merged bucket until the write: in memory, or spilled."""
        return table if self.buckets == 1 else self._spill(table)

    def parts(self, kept: list[Any]) -> Any:
        """What Store.write takes for a table: one frame, or a generator of the spilled parts."""
        if self.buckets == 1:
            return kept[0]
        return (_read_spill(p) for p in kept)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def _read_spill(path: Path) -> pd.DataFrame:
    table = feather.read_table(path)
    private = {c: table.column(c).to_numpy() for c in ("_src", "_line", "_ctx", "_seq") if c in table.column_names}
    frame = table.drop(list(private)).to_pandas(types_mapper=_store_types, ignore_metadata=True)
    for c, values in private.items():
        frame[c] = values
    return frame


# ---------------------------------------------------------------------------- merge
def _key_codes(frame: pd.DataFrame, key: Sequence[str]) -> np.ndarray:
    """Integer codes identifying each row's key (vectorised: one join + one factorize)."""
    parts = []
    for col in key:
        values = frame[col]
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            arr = pa.array(values.astype("int64") if values.notna().all() else
                           values.dt.strftime("%Y-%m-%dT%H:%M:%S.%f"), from_pandas=True).cast(pa.string())
        else:
            arr = pa.array(values.astype("string"), from_pandas=True).cast(pa.string())
        parts.append(pc.fill_null(arr, "\x00"))
    joined = parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "\x1f")
    codes, _ = pd.factorize(pd.Series(joined, dtype=pd.StringDtype()))
    return codes


def _merge_all(st: Store, pending: "_Pending", sources: list[Source]
               ) -> tuple[dict[str, Any], dict[str, pd.DataFrame]]:
    """Merge every pending table with the store, one key bucket at a time (one bucket when it fits)."""
    merged: dict[str, Any] = {}
    statuses: dict[str, pd.DataFrame] = {}
    for name in pending.names():
        old_all = st.read(name)
        old_parts = pending.split(name, old_all)
        del old_all
        if name == "posts":
            previous = st.read(PROVENANCE_TABLE) if st.has_table(PROVENANCE_TABLE) else pd.DataFrame(
                {"platform": pd.Series([], dtype="string"), "post_id": pd.Series([], dtype="string"),
                 "source": pd.Series([], dtype="string")})
            previous_parts = pending.split("posts", previous)
        tables, provenances, status_parts = [], [], []
        for b in range(pending.buckets):
            new = pending.frame(name, b)
            old = old_parts[b]
            if new is None:
                tables.append(pending.keep(name, b, old))
                if name == "posts":
                    provenances.append(pending.keep(PROVENANCE_TABLE, b, previous_parts[b]))
                continue
            table, status, conflicts = _merge(name, old, new)
            if name == "posts":
                provenance = _provenance(previous_parts[b], new, sources)
                provenances.append(pending.keep(PROVENANCE_TABLE, b, provenance))
                conflicts = _name_origins(conflicts, provenance)
            tables.append(pending.keep(name, b, table))
            status_parts.append(pd.concat([status, conflicts], ignore_index=True) if len(conflicts) else status)
            del new, old, table
        merged[name] = pending.parts(tables)
        if name == "posts":
            merged[PROVENANCE_TABLE] = pending.parts(provenances)
        statuses[name] = pd.concat(status_parts, ignore_index=True) if status_parts else pd.DataFrame(
            {"_src": [], "_line": [], "status": [], "post_id": []})
    return merged, statuses


def _merge(name: str, old: pd.DataFrame, new: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Merge new rows into a table by its key.

    Returns (table, status of each new primary row [_src, _line, status], conflicting rows).
    """
    spec = TABLES[name]
    key = list(spec.key)
    n_old = len(old)
    if n_old:
        old = old.assign(_src=np.int32(-1), _line=np.nan, _ctx=True,
                         _seq=np.arange(-n_old, 0, dtype="int64"))
        both = pd.concat([old, new], ignore_index=True)
    else:
        both = new.reset_index(drop=True)
    codes = _key_codes(both, key)
    counts = np.bincount(codes)
    repeated = counts[codes] > 1
    is_new = both["_src"].to_numpy() >= 0
    is_record = is_new & ~both["_ctx"].to_numpy()
    status = np.full(len(both), _INGESTED, dtype="int8")
    keep = np.ones(len(both), dtype=bool)
    conflict_rows = both.iloc[0:0]

    if repeated.any():
        multi_idx = np.flatnonzero(repeated)
        sub = both.iloc[multi_idx].assign(_code=codes[multi_idx]).sort_values(["_code", "_seq"], kind="stable")
        # The first row of a key that is a record (or already in the store) claims it.
        claims = sub[(~sub["_ctx"].to_numpy()) | (sub["_src"].to_numpy() < 0)]
        first_claim = claims.index[~claims["_code"].duplicated().to_numpy()]
        dup_records = sub.index[(~sub["_ctx"].to_numpy()) & (sub["_src"].to_numpy() >= 0)].difference(first_claim)
        status[dup_records] = _DUPLICATE
        if name == "posts":
            conflict = _conflicts(sub)
            if conflict.any():
                # A conflicting record is rejected; a conflicting context row (an included copy of
                # a post that differs from the one already kept) is not a record: it is dropped.
                record = conflict & ~sub["_ctx"].to_numpy()
                bad = sub.index[record]
                status[bad] = _CONFLICT
                conflict_rows = both.loc[bad].assign(_base_src=sub["_base_src"].to_numpy()[record],
                                                     _base_field=sub["_base_field"].to_numpy()[record])
                sub = sub[~conflict]
        combined = _combine(name, sub)
        keep[multi_idx] = False
        table = pd.concat([both[keep], combined], ignore_index=True)
    else:
        table = both
    table = table.drop(columns=[c for c in table.columns if c.startswith("_")])
    recs = np.flatnonzero(is_record)
    status_frame = pd.DataFrame({"_src": both["_src"].to_numpy()[recs], "_line": both["_line"].to_numpy()[recs],
                                 "status": status[recs], "post_id": _first_key_values(both, key, recs)})
    return table, status_frame, conflict_rows


def _first_key_values(frame: pd.DataFrame, key: list[str], rows: np.ndarray) -> np.ndarray:
    col = key[1] if len(key) > 1 and key[0] == "platform" else key[0]
    return frame[col].to_numpy(dtype=object, na_value=None)[rows]


def _conflicts(sub: pd.DataFrame) -> np.ndarray:
    """Rows whose author, creation time or text differs from the first row of their key."""
    first = ~sub["_code"].duplicated().to_numpy()
    base_pos = np.maximum.accumulate(np.where(first, np.arange(len(sub)), 0))
    conflict = np.zeros(len(sub), dtype=bool)
    field_of = np.full(len(sub), None, dtype=object)
    for col in _IMMUTABLE_POST:
        values = sub[col]
        base = values.iloc[base_pos].reset_index(drop=True)
        cur = values.reset_index(drop=True)
        differs = (cur.notna() & base.notna() & (cur != base).fillna(False)).to_numpy(dtype=bool)
        field_of[differs & ~conflict] = col
        conflict |= differs
    sub["_base_src"] = sub["_src"].to_numpy()[base_pos]
    sub["_base_field"] = field_of
    return conflict


def _combine(name: str, sub: pd.DataFrame) -> pd.DataFrame:
    """One row per key from several rows of it (sorted by key then reading order)."""
    data_cols = [c for c in TABLES[name].column_names]
    if name == "posts":
        immutable = [c for c in data_cols if c not in _POST_METRICS]
        first = sub.groupby("_code", sort=False)[immutable].first()
        by_time = sub.sort_values(["_code", "metrics_observed_at", "_seq"], kind="stable", na_position="first")
        metrics = by_time.groupby("_code", sort=False)[list(_POST_METRICS)].last()
        out = first.join(metrics)
    elif name == "accounts":
        by_time = sub.sort_values(["_code", "observed_at", "_seq"], kind="stable", na_position="first")
        out = by_time.groupby("_code", sort=False)[data_cols].last()
    elif name == "follows":
        g = sub.groupby("_code", sort=False)
        out = g[["platform", "follower_id", "followee_id"]].first()
        out["first_seen"] = g["first_seen"].min()
        out["last_seen"] = g["last_seen"].max()
    else:
        out = sub.groupby("_code", sort=False)[data_cols].last()
    return out.reset_index(drop=True)[data_cols]


# ---------------------------------------------------------------------------- provenance
def _provenance(previous: pd.DataFrame, new: pd.DataFrame, sources: list[Source]) -> pd.DataFrame:
    """platform, post_id, source: the file that first brought each post (for conflict messages)."""
    paths = pd.array([str(s.path) for s in sources], dtype="string")
    key = ["platform", "post_id"]
    both = pd.concat([previous[key], new[key]], ignore_index=True) if len(previous) else new[key]
    # First row of each key, in reading order (drop_duplicates(keep="first") without hashing strings twice).
    _, first = np.unique(_key_codes(both, key), return_index=True)
    first.sort()
    n_prev = len(previous)
    from_prev, from_new = first[first < n_prev], first[first >= n_prev] - n_prev
    fresh = pd.DataFrame({"platform": new["platform"].array.take(from_new).astype("string"),
                          "post_id": new["post_id"].array.take(from_new).astype("string"),
                          "source": paths.take(new["_src"].to_numpy()[from_new])})
    if not n_prev:
        return fresh
    return pd.concat([previous.iloc[from_prev].astype("string"), fresh], ignore_index=True)


def _name_origins(conflicts: pd.DataFrame, provenance: pd.DataFrame) -> pd.DataFrame:
    if not len(conflicts):
        return pd.DataFrame(columns=["_src", "_line", "status", "post_id", "reason", "record"])
    wanted = provenance[provenance["post_id"].isin(conflicts["post_id"].unique())]
    origin = {(a, b): c for a, b, c in zip(wanted["platform"].tolist(), wanted["post_id"].tolist(),
                                           wanted["source"].tolist())}
    rows = []
    for r in conflicts.to_dict("records"):
        source = origin.get((r["platform"], r["post_id"]), "the store")
        record = json.dumps({c: r[c] for c in ("platform", "post_id", "author_id", "created_at", "text")},
                            default=str, ensure_ascii=False)
        rows.append({"_src": r["_src"], "_line": r["_line"], "status": _CONFLICT, "post_id": r["post_id"],
                     "reason": f"conflicting content for post {r['post_id']} (already ingested from file "
                               f"{source}): {r['_base_field']} differs",
                     "record": record})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------- accounting
def _account(reports: list[SourceReport], rejected: list[list[Rejected]], statuses: dict[str, pd.DataFrame],
             sources: list[Source]) -> None:
    for name, status in statuses.items():
        plain = status[status["status"] != _CONFLICT] if "reason" in status else status
        counts = plain.groupby(["_src", "status"]).size()
        for (src, code), n in counts.items():
            if code == _CONFLICT:
                continue
            report = reports[int(src)]
            table_counts = report.by_table.setdefault(name, _zero_counts())
            if code == _INGESTED:
                report.ingested += int(n)
                table_counts["ingested"] += int(n)
            else:
                report.duplicates += int(n)
                table_counts["duplicates"] += int(n)
        if "reason" in status:
            for r in status[(status["status"] == _CONFLICT) & status["reason"].notna()].to_dict("records"):
                report = reports[int(r["_src"])]
                line = None if pd.isna(r["_line"]) else int(r["_line"])
                where = f"line {line}: " if line is not None else ""
                rejected[int(r["_src"])].append(Rejected(line, where + r["reason"], r["record"]))
                report.rejected += 1
                report.by_table.setdefault(name, _zero_counts())["rejected"] += 1
