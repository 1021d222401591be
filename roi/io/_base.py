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

import pandas as pd

__all__ = ["ReadResult", "Rejected", "observed_time"]


def observed_time(path: Any, as_of: Any = None) -> pd.Timestamp | None:
    """When a source's figures were observed: ``as_of`` (naive = UTC) if given, else the file's
    modification time, else None (the file cannot be stat'ed).

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

    ``tables`` maps a canonical table name to rows accepted by :func:`roi.tables.conform`;
    ``primary`` names the table whose rows are this source's primary records and ``read`` how
    many primary records were read in this chunk (accepted + rejected; duplicates are found by
    ingest). A primary row that is context for another table (e.g. an author as an account)
    is not counted twice.
    """

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    rejected: list[Rejected] = field(default_factory=list)
    read: int = 0
    primary: str = "posts"
    notes: list[str] = field(default_factory=list)  # one-line remarks for the manifest (e.g. encoding fallback)
