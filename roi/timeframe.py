"""Time zones and ISO weeks, validated once for every analysis, CLI option and report parameter.

Examples
--------
>>> start, end = week_bounds("2026-W47", tz="Europe/London")
>>> start.isoformat(), end.isoformat()
('2026-11-16T00:00:00+00:00', '2026-11-23T00:00:00+00:00')
>>> week_bounds("2026-W14", tz="America/New_York")[0].isoformat()
'2026-03-30T04:00:00+00:00'
>>> iso_week_of(pd.Timestamp("2026-01-01T12:00Z"), tz="UTC")
'2026-W01'
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

import numpy as np
import pandas as pd

from roi.errors import ParameterError

__all__ = ["validate_tz", "parse_iso_week", "week_bounds", "iso_week_of", "last_complete_week", "to_local",
           "to_utc", "EARLIEST", "latest", "outside_dates"]

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")

# The one date range every reader's records must fall in: no social post, account or snapshot
# roi reads is older than 1990, and none is from later than tomorrow (a clock a day ahead).
EARLIEST = pd.Timestamp("1990-01-01", tz="UTC")
_LAST_WEEK_YEAR = 2200  # a week to plan or report may lie ahead; pandas' times end in 2262


def latest() -> pd.Timestamp:
    """Return the latest time a record may carry: now plus one day (UTC)."""
    return pd.Timestamp.now(tz="UTC") + pd.Timedelta(days=1)


def outside_dates(times: pd.Series) -> np.ndarray:
    """Which (UTC) times fall outside ``EARLIEST`` .. :func:`latest` (a null is not outside).

    >>> outside_dates(pd.Series(pd.to_datetime(["1989-12-31", "2024-05-01", None], utc=True))).tolist()
    [True, False, False]
    """
    times = pd.Series(times)
    return ((times < EARLIEST) | (times > latest())).fillna(False).to_numpy(dtype=bool)


def validate_tz(tz: str) -> str:
    """Return ``tz`` if it is an IANA time-zone name, else raise ParameterError naming it.

    >>> validate_tz("Mars/Olympus")
    Traceback (most recent call last):
    ...
    roi.errors.ParameterError: tz='Mars/Olympus': not an IANA time zone (e.g. 'Europe/London', 'America/New_York', 'UTC')
    """
    if not isinstance(tz, str) or not tz:
        raise ParameterError(f"tz={tz!r}: expected an IANA time-zone name such as 'Europe/London'")
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ParameterError(
            f"tz={tz!r}: not an IANA time zone (e.g. 'Europe/London', 'America/New_York', 'UTC')"
        ) from None
    return tz


def parse_iso_week(week: str) -> tuple[int, int]:
    """``"2026-W47"`` -> ``(2026, 47)``; anything else raises ParameterError.

    >>> parse_iso_week("2025-W53")
    Traceback (most recent call last):
    ...
    roi.errors.ParameterError: week='2025-W53': 2025 has no ISO week 53
    """
    m = _WEEK.match(week) if isinstance(week, str) else None
    if not m:
        raise ParameterError(f"week={week!r}: expected an ISO week like '2026-W47'")
    year, num = int(m.group(1)), int(m.group(2))
    if not EARLIEST.year <= year <= _LAST_WEEK_YEAR:
        raise ParameterError(f"week={week!r}: expected a year from {EARLIEST.year} to {_LAST_WEEK_YEAR}")
    weeks_in_year = pd.Timestamp(year=year, month=12, day=28).isocalendar().week
    if not 1 <= num <= weeks_in_year:
        raise ParameterError(f"week={week!r}: {year} has no ISO week {num}")
    return year, num


def week_bounds(week: str, *, tz: str = "UTC") -> tuple[pd.Timestamp, pd.Timestamp]:
    """UTC start (inclusive) and end (exclusive) of ISO ``week`` counted in local time ``tz``."""
    year, num = parse_iso_week(week)
    validate_tz(tz)
    monday = pd.Timestamp.fromisocalendar(year, num, 1)
    start = monday.tz_localize(tz)
    end = (monday + pd.Timedelta(days=7)).tz_localize(tz)
    return start.tz_convert("UTC"), end.tz_convert("UTC")


def iso_week_of(ts: pd.Timestamp, *, tz: str = "UTC") -> str:
    """Return the ISO week (``"YYYY-Www"``) that contains ``ts`` in local time ``tz``."""
    local = ts.tz_convert(validate_tz(tz))
    iso = local.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def last_complete_week(timestamps: pd.Series, *, tz: str = "UTC") -> str:
    """Return the last ISO week that ends at or before the newest timestamp, in local time ``tz``.

    Raises ParameterError when there are no timestamps.

    >>> ts = pd.Series(pd.to_datetime(["2026-11-20T10:00Z", "2026-11-25T10:00Z"], utc=True))
    >>> last_complete_week(ts, tz="UTC")
    '2026-W47'
    """
    ts = pd.Series(timestamps).dropna()
    ts = ts[~outside_dates(ts)]  # a post dated 9999 would name a week no calendar can hold
    if ts.empty:
        raise ParameterError("no dated posts in the store, so there is no complete week to report")
    newest = ts.max().tz_convert(validate_tz(tz))
    week = iso_week_of(newest, tz=tz)
    start, end = week_bounds(week, tz=tz)
    if newest.tz_convert("UTC") + pd.Timedelta(microseconds=1) >= end:
        return week
    return iso_week_of(start - pd.Timedelta(seconds=1), tz=tz)


def to_utc(value: Any, *, name: str = "time") -> pd.Timestamp | None:
    """One point in time, in UTC: a time without an offset is UTC; ``None`` stays ``None``.

    The one place roi turns a user's date or time (a parameter, a bound) into a timestamp.

    Parameters
    ----------
    value : str, datetime, Timestamp or None
        ``"2026-10-05"``, ``"2026-10-05T14:00+02:00"``, a datetime, ...
    name : str
        The parameter's name, for the error message.

    Returns
    -------
    Timestamp (tz UTC) or None

    Raises
    ------
    ParameterError
        If ``value`` is not a date or time (``name`` names it).

    Examples
    --------
    >>> to_utc("2026-10-05")
    Timestamp('2026-10-05 00:00:00+0000', tz='UTC')
    >>> to_utc("2026-10-05T14:00+02:00")
    Timestamp('2026-10-05 12:00:00+0000', tz='UTC')
    >>> to_utc(None) is None
    True
    >>> to_utc("someday", name="as_of")
    Traceback (most recent call last):
    ...
    roi.errors.ParameterError: as_of='someday': expected a date or time such as 2026-10-05 or 2026-10-05T14:00Z
    """
    if value is None:
        return None
    problem = f"{name}={value!r}: expected a date or time such as 2026-10-05 or 2026-10-05T14:00Z"
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError):
        raise ParameterError(problem) from None
    if ts is pd.NaT:
        raise ParameterError(problem)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def to_local(ts: pd.Series, tz: str) -> pd.Series:
    """UTC timestamps converted to local wall time in ``tz`` (DST-correct)."""
    return ts.dt.tz_convert(validate_tz(tz))
