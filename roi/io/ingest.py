"""Ingest: find the sources, read them, merge them into the store, write, account.

``ingest(paths, store)`` is the one entry point (``roi ingest`` is a thin shell around it). It
runs five steps, each a function returning what it makes:

1. **Discover** (:func:`roi.io.sources.discover`). Files given explicitly must be recognised
   (else an :class:`InputError` naming the file, before anything is read). Folders are walked in
   sorted order; an X archive folder or .zip is one source; a file inside a folder that no
   detector claims (README.md, truth.json, .DS_Store...) is *skipped* and reported with the reason.
2. **Read** (:func:`roi.io.reading.read_sources`). A source whose content (sha256) is already in
   the store's manifest is not read again (its entry notes it was seen again and no table
   changes). Readers stream chunks of canonical rows into a :class:`roi.store_spill.Spill`;
   nothing holds a whole file in memory, and inputs larger than :data:`SPILL_BYTES` are split
   into key buckets spilled to disk, so memory follows a bucket, not the input.
3. **Merge** (:func:`roi.store_merge.merge_all`) with the store's rows, vectorised, by each
   table's key: posts by platform + post_id (the newest metrics win, by ``metrics_observed_at``;
   the same id with a different author, creation time or text is rejected as conflicting
   content), accounts by platform + account_id (the newest observation of each field wins),
   follows by platform + follower + followee (``first_seen`` = earliest, ``last_seen`` = latest
   snapshot, so an edge missing from a later snapshot keeps an older ``last_seen``: an unfollow),
   other tables by their key (the last read wins).
4. **Account** (:func:`roi.io.accounting.account`). For every source ``read = ingested +
   duplicates + rejected`` over its primary records (context rows such as authors from
   ``includes`` are counted apart).
5. **Write** (:func:`_write`). Rejected records go to ``_rejected/``; all changed tables and the
   new source entries are written in one atomic :meth:`roi.store.Store.write`.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from roi._version import __version__
from roi.errors import InputError, ParameterError, RoiError
from roi.io._base import ReadResult, Rejected
from roi.io.accounting import SourceReport, account
from roi.io.detect import FORMATS
from roi.io.reading import read_sources
from roi.io.sources import Source, discover, sha256_of, size_of
from roi.store import WAIT_SECONDS, Store
from roi.store_merge import PROVENANCE_TABLE, merge_all
from roi.store_spill import Spill
from roi.tables import TABLES
from roi.timeframe import to_utc

__all__ = ["ingest", "IngestResult", "SourceReport", "READERS", "PROVENANCE_TABLE", "discover", "Source",
           "sha256_of"]

READERS = {
    "x-v2": "roi.io.x_v2",
    "x-v1": "roi.io.x_v1",
    "x-archive": "roi.io.x_archive",
    "mastodon": "roi.io.mastodon",
    "bluesky": "roi.io.bluesky",
    "bluesky-car": "roi.io.bluesky_car",
    "csv": "roi.io.csv_posts",
    "x-analytics": "roi.io.x_analytics",
    "conversions": "roi.io.conversions",
    "follows": "roi.io.follows",
    "experiments": "roi.io.experiments",
    "effort": "roi.io.effort",
}
# Inputs larger than this are merged in key buckets of about this many input bytes, spilled to disk.
SPILL_BYTES = 256 << 20


@dataclass
class IngestResult:
    """What :func:`ingest` did: every source's accounting, what was skipped, table sizes after."""

    store: Path
    sources: list[SourceReport]
    skipped: list[dict[str, str]]
    tables: dict[str, int]

    @property
    def rejected(self) -> int:
        """Records set aside in ``_rejected/`` over every source."""
        return sum(s.rejected for s in self.sources)

    def to_dict(self) -> dict[str, Any]:
        """Return the dict ``roi ingest --json`` prints.

        Its shape: ``{"sources": [...], "tables": {...}, "skipped": [...]}``.
        """
        return {"sources": [s.summary() for s in self.sources], "tables": dict(self.tables),
                "skipped": list(self.skipped)}


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
    r"""Read export files into a store, keeping count of every record.

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
        they name (see :func:`roi.io.x_archive.read`); the handle of a Bluesky repository export
        (``repo.car`` names none: see :func:`roi.io.bluesky_car.read`).
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
    >>> _ = (d / "tweets.jsonl").write_text(json.dumps(page) + "\n")
    >>> result = ingest([d / "tweets.jsonl"], d / "store")
    >>> result.to_dict()["sources"][0]["read"], result.tables["posts"]
    (1, 1)
    >>> ingest([d / "tweets.jsonl"], d / "store").sources[0].seen_again
    True
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if format not in ("auto", *FORMATS):
        raise ParameterError(f"format={format!r}: expected one of auto, {', '.join(FORMATS)}")
    as_of_dt = to_utc(as_of, name="as_of")
    if isinstance(wait, bool) or not isinstance(wait, (int, float)) or not 0 <= wait < math.inf:
        raise ParameterError(f"wait={wait!r}: expected a number of seconds, 0 or more")
    sources, skipped = discover(list(paths), format=format)
    readers = {s.format: _reader(s.format) for s in sources}  # fail before reading anything

    st = Store(store, create=True, wait=wait)
    # Reader options: an archive's owner; whose followers raw v2 user pages list (a handle is
    # looked up in the store's accounts when the file itself does not give its id).
    options = {"x-archive": {"owner": owner}, "bluesky-car": {"owner": owner},
               "x-v2": {"followee": followee, "resolve_handle": functools.partial(_id_in_store, st)}}
    readers = {fmt: functools.partial(r, **options[fmt]) if fmt in options else r for fmt, r in readers.items()}
    # One writer at a time, from reading the manifest this run builds on to writing the next one.
    with st.writing(wait=wait):
        known = {}
        # A source read before without --owner / --followee is read again with them (its rows then
        # come out as duplicates or new), so following the note that asked for them changes the store.
        again = {fmt for fmt, given in (("x-archive", owner), ("bluesky-car", owner), ("x-v2", followee)) if given}
        for entry in st.sources:
            if entry.get("sha256") and not entry.get("seen_again") and entry.get("format") not in again:
                known.setdefault(entry["sha256"], entry)
        total = sum(size_of(src.path) for src in sources)
        spill = Spill(st.path / f".ingest-{os.getpid()}", max(1, math.ceil(total / SPILL_BYTES)))
        try:
            reading = read_sources(sources, readers, spill=spill, known=known, as_of=as_of_dt, progress=progress)
            merged, statuses, conflicts = merge_all(st, spill, [str(s.path) for s in sources])
            reports, rejected = account(reading.reports, reading.rejected, statuses, conflicts)
            if strict and any(r.rejected for r in reports):
                first = next((i, rej) for i, rs in enumerate(rejected) for rej in rs)
                raise InputError(f"--strict: {sum(r.rejected for r in reports)} record(s) rejected, store left "
                                 f"unchanged; first: {sources[first[0]].path}: {first[1].reason}")
            reports = _write(st, merged, reports, rejected)
        finally:
            spill.close()
    tables = {name: int(st.manifest["tables"].get(name, {}).get("rows", 0)) for name in TABLES}
    return IngestResult(store=st.path, sources=reports, skipped=skipped, tables=tables)



def _id_in_store(st: Store, handle: str) -> str | None:
    """Return the X account id of ``handle`` in the store's accounts, or None."""
    from roi.accounts import account_id_for

    try:
        return account_id_for(st.read("accounts", columns=["platform", "account_id", "handle", "observed_at"]),
                              handle, platform="x")
    except RoiError:
        return None


def _write(st: Store, merged: dict[str, Any], reports: list[SourceReport],
           rejected: list[list[Rejected]]) -> list[SourceReport]:
    """Write each source's rejected records, then the merged tables and the source entries, at once.

    Returns the reports with the file of their rejected records named.
    """
    ingested_at = _now()
    entries, written_reports = [], []
    for report, rejects in zip(reports, rejected, strict=True):
        if rejects:
            key = f"{Path(report.path).name}-{report.sha256[:12]}"
            written = st.write_rejected(report.path, [r.as_dict() for r in rejects], key=key, commit=False)
            report = replace(report, rejected_file=written.relative_to(st.path).as_posix() if written else None)
        entry = asdict(report)
        entry.update(roi_version=__version__, ingested_at=ingested_at)
        entries.append(entry)
        written_reports.append(report)
    st.write(merged, sources=entries)
    return written_reports
