"""Step 5 of ingest: the accounting of every source, ``read == ingested + duplicates + rejected``.

A :class:`SourceReport` is started by the read step (records read, rejected by their reader or
by the date rule) and completed by :func:`account` with what the merge found (new records,
duplicates, conflicting content).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from roi.io._base import Rejected
from roi.store_merge import DUPLICATE, INGESTED

__all__ = ["SourceReport", "account"]


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
        """Return the figures ``roi ingest --json`` prints for this source."""
        return {k: getattr(self, k) for k in ("path", "format", "read", "ingested", "duplicates", "rejected")}

    def table(self, name: str) -> dict[str, int]:
        """Return the counts of one table (read, ingested, duplicates, rejected), started at zero."""
        return self.by_table.setdefault(name, {"read": 0, "ingested": 0, "duplicates": 0, "rejected": 0})

    def copy(self) -> SourceReport:
        """Return a copy whose notes and per-table counts are its own."""
        return replace(self, notes=list(self.notes), by_table={k: dict(v) for k, v in self.by_table.items()})



def account(reports: list[SourceReport], rejected: list[list[Rejected]],
            statuses: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]],
            conflicts: dict[str, list[dict[str, Any]]]) -> tuple[list[SourceReport], list[list[Rejected]]]:
    """Return the reports and rejected records of the read step, completed with what the merge found.

    Parameters
    ----------
    reports, rejected : list
        One report, and one list of rejected records, per source, in reading order.
    statuses : dict
        Per table, (source, line, status) arrays of every new record (:func:`roi.store_merge.merge_all`).
    conflicts : dict
        Per table, the records the merge rejected as conflicting content, with their reason.

    Returns
    -------
    reports, rejected : list
        New lists: each report with its ingested and duplicate records counted and each
        conflicting record added to the rejected (the inputs are not changed).
    """
    reports = [r.copy() for r in reports]
    rejected = [list(r) for r in rejected]
    for name, parts in statuses.items():
        if parts:
            src = np.concatenate([p[0] for p in parts]).astype("int64")
            status = np.concatenate([p[2] for p in parts]).astype("int64")
            counts = np.bincount(src * 3 + status, minlength=3 * len(reports)).reshape(-1, 3)
            for i, report in enumerate(reports):
                for code, attr in ((INGESTED, "ingested"), (DUPLICATE, "duplicates")):
                    n = int(counts[i, code])
                    if n:
                        setattr(report, attr, getattr(report, attr) + n)
                        report.table(name)[attr] += n
        for r in conflicts.get(name, []):
            report = reports[int(r["_src"])]
            line = None if r["_line"] is None or math.isnan(r["_line"]) else int(r["_line"])
            where = f"line {line}: " if line is not None else ""
            rejected[int(r["_src"])].append(Rejected(line, where + r["reason"], r["record"]))
            report.rejected += 1
            report.table(name)["rejected"] += 1
    return reports, rejected
