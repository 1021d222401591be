"""Follower snapshots: who follows whom at a date.

Two shapes are read:

* **CSV** ``follower_id,followee_id[,as_of][,platform]`` - one edge a row. The snapshot time of
  a row is its ``as_of`` cell (ISO 8601, naive = UTC); when the column or the cell is empty, the
  ``as_of`` parameter (``roi ingest --as-of``); when that is absent too, the file's modification
  time (when the snapshot was saved). ``platform`` defaults to ``x``.
* **id lists** - one account id a line, the other end of every edge given by the file name:
  ``followers-of-<id>.txt`` (each line follows ``<id>``) or ``following-of-<id>.txt`` (``<id>``
  follows each line); ``.csv`` / ``.ids`` / no extension also work, and an optional first line
  ``id``/``user_id``/``account_id`` is a header. The snapshot time is the ``as_of`` parameter,
  else the file's modification time; the platform is ``x``.

Every edge gets ``first_seen = last_seen = `` its snapshot time; ingest merges snapshots, so an
edge missing from a later snapshot keeps an older ``last_seen`` (an unfollow). A self-follow, an
empty id or an unparseable ``as_of`` is rejected with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from roi.io._base import ReadResult, Rejected, observed_time
from roi.io._csv import Problems, open_csv, parse_times, with_accounting
from roi.tables import conform

__all__ = ["read", "EXPECTED_HEADER", "ID_LIST_NAME"]

EXPECTED_HEADER = "follower_id,followee_id[,as_of,platform]"
ID_LIST_NAME = re.compile(r"^(followers|following)-of-([^./\\]+)(?:\.(?:txt|csv|ids|lst))?$", re.IGNORECASE)
_ID_HEADERS = {"id", "user_id", "account_id", "ids", "follower_id", "followee_id"}
CHUNK_LINES = 200_000


def read(path: Path, *, as_of: pd.Timestamp | None = None) -> Iterator[ReadResult]:
    r"""Read a follower snapshot in chunks of canonical ``follows`` rows.

    Parameters
    ----------
    path : Path
        A follows CSV, or an id list named ``followers-of-<id>.txt`` / ``following-of-<id>.txt``.
    as_of : Timestamp, optional
        Snapshot time for rows without their own ``as_of`` (default: the file's modification time).

    Yields
    ------
    ReadResult

    Raises
    ------
    InputError
        Neither a follows CSV header nor an id-list file name.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "followers-of-42.txt").write_text("7\n8\n42\n")
    >>> r = next(read(d / "followers-of-42.txt", as_of=pd.Timestamp("2026-10-05")))
    >>> r.tables["follows"][["follower_id", "followee_id"]].values.tolist()
    [['7', '42'], ['8', '42']]
    >>> r.read, r.rejected[0].line, r.rejected[0].reason
    (3, 3, 'self-follow: 42 follows itself')
    """
    name = Path(str(path)).name
    match = ID_LIST_NAME.match(name)
    source = open_csv(path)
    if {"follower_id", "followee_id"} <= set(source.columns):
        yield from _read_csv(source, path, as_of)
    elif match:
        yield from _read_id_list(path, match.group(1).lower(), match.group(2), as_of)
    else:
        source.require(["follower_id", "followee_id"],
                       expected_header=EXPECTED_HEADER + " (or an id list named followers-of-<id>.txt)")


def _read_csv(source, path, as_of) -> Iterator[ReadResult]:
    default_time = None
    for block in source.blocks():
        rows = block.rows
        problems = Problems(len(rows))
        for col in ("follower_id", "followee_id"):
            problems.add(rows[col].isna().to_numpy(), f"empty {col}; expected {EXPECTED_HEADER}")
        problems.add((rows["follower_id"] == rows["followee_id"]).fillna(False).to_numpy(),
                     lambda rows=rows: "self-follow: " + rows["follower_id"].fillna("") + " follows itself")
        if "as_of" in rows.columns:
            seen = parse_times(rows["as_of"], "as_of", problems)
        else:
            seen = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[us, UTC]")
        if seen.isna().any():
            default_time = default_time or observed_time(path, as_of)
            seen = seen.fillna(default_time)
        platform = rows["platform"].fillna("x") if "platform" in rows.columns else "x"
        frame = pd.DataFrame({"platform": platform, "follower_id": rows["follower_id"],
                              "followee_id": rows["followee_id"], "first_seen": seen, "last_seen": seen})
        ok = ~problems.mask
        lines = np.asarray(source.lines_of(block.records[ok].tolist()), dtype="int64")
        out = with_accounting(conform("follows", frame[ok]), lines, context=False)
        rejected = block.bad + source.reject_rows(block, problems.mask, problems.reason[problems.mask].tolist())
        yield source.annotate(ReadResult(tables={"follows": out}, rejected=rejected, read=len(rows) + len(block.bad),
                         primary="follows"))


def _read_id_list(path, direction: str, subject: str, as_of) -> Iterator[ReadResult]:
    when = observed_time(path, as_of)
    with Path(str(path)).open("rb") as fh:
        lineno = 0
        while True:
            ids, lines, rejected = [], [], []
            for raw in fh:
                lineno += 1
                try:
                    value = raw.decode("utf-8-sig" if lineno == 1 else "utf-8").strip()
                except UnicodeDecodeError:
                    rejected.append(Rejected(lineno, "not valid UTF-8; expected one account id a line",
                                             raw.decode("latin-1")[:200]))
                    continue
                if not value or (lineno == 1 and value.lower() in _ID_HEADERS):
                    continue
                if len(value.split()) != 1 or "," in value:
                    rejected.append(Rejected(lineno, "expected one account id a line", value[:200]))
                elif value == subject:
                    rejected.append(Rejected(lineno, f"self-follow: {value} follows itself", value))
                else:
                    ids.append(value)
                    lines.append(lineno)
                if len(ids) + len(rejected) >= CHUNK_LINES:
                    break
            if not ids and not rejected:
                return
            others = pd.Series(ids, dtype="string")
            fixed = pd.Series(subject, index=others.index, dtype="string")
            follower, followee = (others, fixed) if direction == "followers" else (fixed, others)
            frame = conform("follows", {"platform": "x", "follower_id": follower, "followee_id": followee,
                                        "first_seen": pd.Series(when, index=others.index),
                                        "last_seen": pd.Series(when, index=others.index)})
            yield ReadResult(tables={"follows": with_accounting(frame, lines, context=False)},
                             rejected=rejected, read=len(ids) + len(rejected), primary="follows")
