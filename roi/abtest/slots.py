"""Posting-time slots such as ``"Tue 09:00-11:00"`` or ``"18:00-20:00"``, in local time.

A slot is a half-open window of local wall-clock time ``[start, end)``, optionally on one
weekday. A window whose end is before its start runs past midnight (``"22:00-02:00"``); with a
weekday, the weekday is the day the window starts. Local time is the brand's time zone, so a
slot means the same wall-clock hour on both sides of a daylight-saving change.

Examples
--------
>>> slot = parse_slot("tue 09:00-11:00")
>>> str(slot), slot.weekday, slot.minutes
('Tue 09:00-11:00', 1, 120)
>>> import pandas as pd
>>> ts = pd.Series(pd.to_datetime(["2026-10-06T13:30Z", "2026-10-06T15:30Z", "2026-10-07T13:30Z"], utc=True))
>>> slot.contains(ts, tz="America/New_York").tolist()   # 09:30 Tue, 11:30 Tue, 09:30 Wed (EDT)
[True, False, False]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi.errors import ParameterError
from roi.timeframe import validate_tz

__all__ = ["Slot", "parse_slot", "WEEKDAYS"]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SLOT = re.compile(
    r"^\s*(?:(?P<day>[A-Za-z]+)\.?\s+)?(?P<h1>\d{1,2}):(?P<m1>\d{2})\s*-\s*(?P<h2>\d{1,2}):(?P<m2>\d{2})\s*$"
)
_EXPECTED = "expected a local time window like '18:00-20:00' or 'Tue 09:00-11:00'"


@dataclass(frozen=True)
class Slot:
    """A local time window ``[start, end)`` in minutes after midnight, optionally on one weekday.

    Attributes
    ----------
    start, end : int
        Minutes after local midnight; ``end`` may be 1440 (24:00). ``end < start`` wraps past
        midnight.
    weekday : int or None
        0 = Monday ... 6 = Sunday; None means every day.
    """

    start: int
    end: int
    weekday: int | None = None

    @property
    def minutes(self) -> int:
        """Length of the window in minutes."""
        return (self.end - self.start) % 1440 or 1440

    @property
    def wraps(self) -> bool:
        """True when the window runs past midnight."""
        return self.end <= self.start

    def __str__(self) -> str:
        """Return the slot as written: ``"18:00-20:00"`` or ``"Tue 09:00-11:00"``."""

        def hm(m: int) -> str:
            return f"{m // 60:02d}:{m % 60:02d}"

        window = f"{hm(self.start)}-{hm(self.end)}"
        return window if self.weekday is None else f"{WEEKDAYS[self.weekday]} {window}"

    def contains(self, created_at: pd.Series, *, tz: str) -> pd.Series:
        """Boolean Series: which UTC timestamps fall in this slot in local time ``tz``.

        Missing timestamps are never in a slot.
        """
        validate_tz(tz)
        ts = pd.Series(created_at)
        if ts.empty:
            return pd.Series([], index=ts.index, dtype=bool)
        local = pd.to_datetime(ts, utc=True).dt.tz_convert(tz)
        minute = (local.dt.hour * 60 + local.dt.minute).to_numpy(dtype=float, na_value=np.nan)
        day = local.dt.day_of_week.to_numpy(dtype=float, na_value=np.nan)
        if not self.wraps:
            inside = (minute >= self.start) & (minute < self.end)
            on_day = day == self.weekday if self.weekday is not None else np.isfinite(day)
            mask = inside & on_day
        else:
            late = minute >= self.start           # evening part, on the slot's day
            early = minute < self.end             # after midnight, on the next day
            if self.weekday is None:
                mask = (late | early) & np.isfinite(day)
            else:
                mask = (late & (day == self.weekday)) | (early & (day == (self.weekday + 1) % 7))
        return pd.Series(mask, index=ts.index, dtype=bool)

    def overlaps(self, other: Slot) -> bool:
        """Return True when some local minute of the week lies in both slots.

        >>> parse_slot("09:00-10:00").overlaps(parse_slot("Mon 09:30-11:00"))
        True
        >>> parse_slot("Tue 09:00-10:00").overlaps(parse_slot("Wed 09:00-10:00"))
        False
        """
        week = pd.Series(pd.date_range("2024-01-01", periods=7 * 1440, freq="min", tz="UTC"))  # a Monday
        return bool((self.contains(week, tz="UTC") & other.contains(week, tz="UTC")).any())

    def next_start(self, after: pd.Timestamp, *, tz: str) -> pd.Timestamp:
        """Return the first local start of this slot at or after ``after`` (returned in UTC).

        >>> s = parse_slot("Wed 18:00-19:00")
        >>> s.next_start(pd.Timestamp("2026-10-05T00:00Z"), tz="UTC").isoformat()
        '2026-10-07T18:00:00+00:00'
        """
        validate_tz(tz)
        local = pd.Timestamp(after).tz_convert(tz)
        day = local.normalize().tz_localize(None)
        for offset in range(0, 9):
            candidate_day = day + pd.Timedelta(days=offset)
            if self.weekday is not None and candidate_day.day_of_week != self.weekday:
                continue
            wall = candidate_day + pd.Timedelta(minutes=self.start)
            # A start inside a DST gap moves forward; an ambiguous one takes the first instant.
            start = wall.tz_localize(tz, nonexistent="shift_forward", ambiguous=True)
            if start >= local:
                return start.tz_convert("UTC")
        raise AssertionError("unreachable: every slot starts within 8 days")  # pragma: no cover


def _minutes(h: str, m: str, text: str, *, end: bool) -> int:
    hours, mins = int(h), int(m)
    if mins > 59 or hours > 24 or (hours == 24 and (mins or not end)):
        raise ParameterError(f"slot {text!r}: {h}:{m} is not a time of day; {_EXPECTED}")
    return hours * 60 + mins


def parse_slot(text: str | Slot) -> Slot:
    """Parse ``"18:00-20:00"`` or ``"Tue 09:00-11:00"`` into a :class:`Slot`.

    Weekdays are names or three-letter abbreviations, in any case.

    Parameters
    ----------
    text : str or Slot
        The slot; a Slot is returned unchanged.

    Returns
    -------
    Slot

    Raises
    ------
    ParameterError
        One line naming the slot and the expected form.

    Examples
    --------
    >>> parse_slot("Saturday 22:00-02:00")
    Slot(start=1320, end=120, weekday=5)
    >>> parse_slot("9-11")
    Traceback (most recent call last):
    ...
    roi.errors.ParameterError: slot '9-11': expected a local time window like '18:00-20:00' or 'Tue 09:00-11:00'
    >>> parse_slot("Tue 09:00-09:00")
    Traceback (most recent call last):
    ...
    roi.errors.ParameterError: slot 'Tue 09:00-09:00': the window is empty (start equals end)
    """
    if isinstance(text, Slot):
        return text
    if not isinstance(text, str):
        raise ParameterError(f"slot {text!r}: {_EXPECTED}")
    m = _SLOT.match(text)
    if not m:
        raise ParameterError(f"slot {text!r}: {_EXPECTED}")
    weekday = None
    if m.group("day"):
        name = m.group("day").casefold()
        matches = [i for i, full in enumerate(_FULL) if len(name) >= 3 and full.startswith(name)]
        if len(matches) != 1:
            raise ParameterError(
                f"slot {text!r}: {m.group('day')!r} is not a weekday (use Mon, Tue, Wed, Thu, Fri, Sat or Sun)"
            )
        weekday = matches[0]
    start = _minutes(m.group("h1"), m.group("m1"), text, end=False)
    end = _minutes(m.group("h2"), m.group("m2"), text, end=True)
    if start == end:
        raise ParameterError(f"slot {text!r}: the window is empty (start equals end)")
    return Slot(start=start, end=end, weekday=weekday)
