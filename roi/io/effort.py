"""The team's effort log: CSV ``week,activity,hours[,cost][,person]`` -> canonical ``effort``.

One row per week and activity (or per week, activity and person when a ``person`` column says
who). Header names are case-insensitive; spaces count as underscores.

* ``week`` - an ISO week (``2026-W40``, ``2026W40``, ``2026-W40-1``) or any date in it
  (``2026-09-28``, ``20260928``); stored as the ISO week ``2026-W40``.
* ``activity`` - one of content, engagement, customer service, promotion, ads (the content-mix
  categories of :mod:`roi.listening.mix` plus the two kinds of work that are not posts); case and
  ``_``/``-`` do not matter, and a few usual names are read as these (``customer care`` and
  ``support`` as customer service, ``advertising`` as ads...).
* ``hours`` - hours spent (a number >= 0, required); ``cost`` - optional, in the log's currency
  (``spend`` and ``amount`` are read as cost).

A row with an empty or unreadable week, an unknown activity or a missing, negative or non-numeric
hours (or cost) is rejected with its line and reason, and so is a second row for the same week,
activity and person in one file (its reason names the first row's line: log the sum once).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from roi.errors import ParameterError
from roi.io._base import ReadResult
from roi.io._csv import Problems, open_csv, parse_floats, with_accounting
from roi.tables import conform
from roi.timeframe import parse_iso_week

__all__ = ["read", "EXPECTED_HEADER", "ACTIVITIES", "activity_name", "iso_week"]

EXPECTED_HEADER = "week,activity,hours[,cost][,person]"
#: The activities of the log, in the ledger's order.
ACTIVITIES = ("content", "engagement", "customer service", "promotion", "ads")
_ALIASES = {
    "original": "content", "original content": "content", "posts": "content", "posting": "content",
    "community": "engagement", "community management": "engagement", "replies": "engagement",
    "service": "customer service", "customer care": "customer service", "support": "customer service",
    "customer support": "customer service", "care": "customer service",
    "promotions": "promotion", "promo": "promotion", "promotional": "promotion",
    "ad": "ads", "advertising": "ads", "paid": "ads", "paid social": "ads", "ad spend": "ads",
}
_COST = ("cost", "spend", "amount")
_ISO_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{2})(?:-?[1-7])?\s*$", re.IGNORECASE)


def activity_name(value: object) -> str | None:
    """Return the canonical activity for a name as a team writes it, or None when it is not one.

    >>> activity_name("Customer_Service"), activity_name("Advertising"), activity_name("lunch")
    ('customer service', 'ads', None)
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    name = " ".join(re.sub(r"[_\-]+", " ", str(value)).split()).casefold()
    if name in ACTIVITIES:
        return name
    return _ALIASES.get(name)


def iso_week(value: object) -> str | None:
    """Return the ISO week (``YYYY-Www``) of an ISO week or a date, or None when it is neither.

    >>> iso_week("2026-w40"), iso_week("2026-10-01"), iso_week("20260928"), iso_week("2027-W01-7")
    ('2026-W40', '2026-W40', '2026-W40', '2027-W01')
    >>> iso_week("2026-W54"), iso_week("last week")
    (None, None)
    """
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip()
    m = _ISO_WEEK.match(text)
    if m:
        label = f"{m.group(1)}-W{m.group(2)}"
        try:
            parse_iso_week(label)
        except ParameterError:
            return None
        return label
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
        return None
    try:
        day = pd.Timestamp(text[:10])
    except ValueError:
        return None
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _quoted_reason(values: pd.Series, template: str) -> np.ndarray:
    """One reason per row, the cell (clipped to 40 characters) put into ``template``."""
    return np.asarray([template.format(str(v)[:40]) for v in values.tolist()], dtype=object)


def read(path: Path, *, as_of: pd.Timestamp | None = None) -> Iterator[ReadResult]:
    r"""Read an effort log in chunks of canonical ``effort`` rows.

    Parameters
    ----------
    path : Path
        The effort log (CSV).
    as_of : Timestamp, optional
        Ignored (each row carries its week); accepted for the reader contract.

    Yields
    ------
    ReadResult

    Raises
    ------
    InputError
        A required column (week, activity, hours) is missing, or the file has no header.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "effort.csv"
    >>> _ = p.write_text("week,activity,hours,cost\n2026-W40,Content,10,450\n"
    ...                  "2026-09-30,customer_service,6.5,\n2026-W40,lunch,1,\n2026-W40,content,2,90\n")
    >>> r = next(read(p))
    >>> r.tables["effort"][["week", "activity", "hours", "cost"]].values.tolist()
    [['2026-W40', 'content', 10.0, 450.0], ['2026-W40', 'customer service', 6.5, <NA>]]
    >>> [(x.line, x.reason) for x in r.rejected]  # doctest: +NORMALIZE_WHITESPACE
    [(4, "activity 'lunch' is not one of content, engagement, customer service, promotion, ads"),
     (5, 'week 2026-W40, activity content is already on line 2; log each week and activity once (sum the hours)')]
    """
    source = open_csv(path)
    source.require(["week", "activity", "hours"], expected_header=EXPECTED_HEADER)
    columns = [c.replace(" ", "_") for c in source.columns]
    cost = next((c for c in _COST if c in columns), None)
    first_line: dict[tuple[str, str, str], int] = {}  # across chunks: an effort log is small
    for block in source.blocks():
        rows = block.rows.set_axis(columns, axis=1)
        problems = Problems(len(rows))
        week = rows["week"].map(iso_week, na_action="ignore").astype("string")
        problems.add(rows["week"].isna().to_numpy(), f"empty week; expected {EXPECTED_HEADER}")
        problems.add((rows["week"].notna() & week.isna()).to_numpy(), _quoted_reason(
            rows["week"], "week '{}' is neither an ISO week (2026-W40) nor a date (2026-09-28)"))
        activity = rows["activity"].map(activity_name, na_action="ignore").astype("string")
        problems.add(rows["activity"].isna().to_numpy(), f"empty activity; expected one of {', '.join(ACTIVITIES)}")
        problems.add((rows["activity"].notna() & activity.isna()).to_numpy(), _quoted_reason(
            rows["activity"], "activity '{}' is not one of " + ", ".join(ACTIVITIES)))
        problems.add(rows["hours"].isna().to_numpy(), "empty hours; expected the hours spent (a number >= 0)")
        hours = parse_floats(rows["hours"], "hours", problems)
        problems.add((hours < 0).fillna(False).to_numpy(dtype=bool), "hours is negative; expected a number >= 0")
        money = parse_floats(rows[cost], cost, problems) if cost else pd.Series(pd.NA, index=rows.index, dtype="Float64")
        problems.add((money < 0).fillna(False).to_numpy(dtype=bool), f"{cost} is negative; expected a number >= 0")
        person = rows["person"] if "person" in columns else pd.Series(pd.NA, index=rows.index, dtype="string")
        lines = np.asarray(source.lines_of(block.records.tolist()), dtype="int64")
        dup_reason = np.full(len(rows), None, dtype=object)
        keys = zip(week.fillna("").tolist(), activity.fillna("").tolist(), person.fillna("").tolist(), strict=True)
        for i, key in enumerate(keys):  # a dict lookup per row: an effort log has a few rows a week
            if problems.reason[i] is not None:
                continue
            if key in first_line:
                who = f", person {key[2]}" if key[2] else ""
                dup_reason[i] = (f"week {key[0]}, activity {key[1]}{who} is already on line {first_line[key]}; "
                                 "log each week and activity once (sum the hours)")
            else:
                first_line[key] = int(lines[i])
        problems.add(pd.notna(dup_reason), dup_reason)
        ok = ~problems.mask
        frame = pd.DataFrame({"week": week, "activity": activity, "person": person, "hours": hours, "cost": money})
        out = with_accounting(conform("effort", frame[ok]), lines[ok], context=False)
        rejected = block.bad + source.reject_rows(block, problems.mask, problems.reason[problems.mask].tolist())
        yield source.annotate(ReadResult(tables={"effort": out}, rejected=rejected,
                                         read=len(rows) + len(block.bad), primary="effort"))
