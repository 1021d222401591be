"""Spike alerts: daily mention and complaint volumes against a baseline that respects the weekday.

Mondays are not Saturdays, so a day is compared with the **same weekday** of the previous
``weeks`` weeks (default 4), counted in local days of the brand's time zone:

* ``baseline`` = median of those days (robust to an earlier spike);
* ``mad`` = 1.4826 x median absolute deviation around it (a robust standard deviation);
* ``threshold`` = the larger of ``baseline + k * mad`` (default k = 3) and the Poisson upper
  quantile: the smallest count whose upper tail probability under a Poisson with mean
  ``max(baseline, floor)`` is at most ``alpha`` (default 0.01, floor 0.5). The MAD part follows
  overdispersed busy series; the Poisson part stops a quiet series (0, 0, 0) from flagging one
  post, since its MAD is 0.

A day is ``flagged`` when its count exceeds the threshold and at least ``min_history`` same
weekdays (default 2) are known; with less history the baseline is <NA> and nothing is flagged
(the first weeks of a store cannot have alerts). ``excess`` = count - baseline is the size.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from roi.errors import ParameterError
from roi.timeframe import validate_tz

__all__ = ["daily_volumes", "spike_alerts"]


def _local_days(created_at: pd.Series, tz: str) -> pd.Series:
    return created_at.dt.tz_convert(tz).dt.tz_localize(None).dt.normalize()


def daily_volumes(
    mentions: pd.DataFrame,
    complaints: pd.DataFrame | None = None,
    *,
    tz: str = "UTC",
    start=None,
    end=None,
) -> pd.DataFrame:
    """Count posts per local day: brand mentions and complaints, days without posts counted as 0.

    Parameters
    ----------
    mentions : DataFrame
        Brand mentions with ``created_at`` (:func:`roi.listening.brand_mentions`).
    complaints : DataFrame, optional
        Complaints with ``created_at`` (:func:`roi.listening.find_complaints` or the triage queue).
    tz : str, default "UTC"
        The brand's time zone: days are local days.
    start, end : date-like, optional
        First and last local day to include (default: the first and last day with a post).

    Returns
    -------
    DataFrame
        ``date`` (local day, naive), ``weekday`` (0 = Monday), ``mentions``, ``complaints``.

    Examples
    --------
    >>> m = pd.DataFrame({"created_at": pd.to_datetime(["2026-10-05T12:00Z", "2026-10-07T03:00Z"])})
    >>> daily_volumes(m, m.iloc[:1], tz="America/New_York").values.tolist()
    [[Timestamp('2026-10-05 00:00:00'), 0, 1, 1], [Timestamp('2026-10-06 00:00:00'), 1, 1, 0]]
    """
    tz = validate_tz(tz)
    series = {"mentions": mentions, "complaints": complaints if complaints is not None else mentions.iloc[:0]}
    counts = {}
    for name, frame in series.items():
        if "created_at" not in frame.columns:
            raise ParameterError(f"{name}: missing column 'created_at'")
        counts[name] = _local_days(frame["created_at"], tz).value_counts()
    days = pd.concat([c.index.to_series() for c in counts.values()])
    lo = pd.Timestamp(start).normalize() if start is not None else (days.min() if len(days) else None)
    hi = pd.Timestamp(end).normalize() if end is not None else (days.max() if len(days) else None)
    if lo is None or hi is None or lo > hi:
        return pd.DataFrame({"date": pd.Series([], dtype="datetime64[ns]"), "weekday": pd.Series([], dtype="Int64"),
                             "mentions": pd.Series([], dtype="Int64"), "complaints": pd.Series([], dtype="Int64")})
    index = pd.date_range(lo, hi, freq="D")
    out = pd.DataFrame({"date": index, "weekday": pd.array(index.day_of_week, dtype="Int64")})
    for name, c in counts.items():
        out[name] = pd.array(c.reindex(index, fill_value=0).to_numpy(dtype=np.int64), dtype="Int64")
    return out


def spike_alerts(
    daily: pd.DataFrame,
    *,
    weeks: int = 4,
    k: float = 3.0,
    alpha: float = 0.01,
    floor: float = 0.5,
    min_history: int = 2,
    series: tuple[str, ...] = ("mentions", "complaints"),
) -> pd.DataFrame:
    """Every day of every series against its same-weekday baseline, with the spikes flagged.

    Parameters
    ----------
    daily : DataFrame
        :func:`daily_volumes` (consecutive days, one row each).
    weeks : int, default 4
        Same weekdays looked back at.
    k : float, default 3
        MADs above the median for the robust threshold.
    alpha : float, default 0.01
        Upper tail probability of the Poisson threshold.
    floor : float, default 0.5
        Smallest Poisson mean used (a baseline of 0 would make any post a spike).
    min_history : int, default 2
        Same weekdays needed before a day can be judged.
    series : tuple of str
        Count columns of ``daily`` to judge.

    Returns
    -------
    DataFrame
        Long format: ``series``, ``date``, ``weekday``, ``count``, ``history`` (same weekdays
        known), ``baseline``, ``mad``, ``threshold``, ``excess``, ``flagged``.

    Raises
    ------
    ParameterError
        Bad options, missing columns or days that are not consecutive.

    Examples
    --------
    >>> days = pd.date_range("2026-09-07", periods=28, freq="D")
    >>> counts = [2] * 21 + [2, 2, 9, 2, 2, 2, 2]
    >>> d = pd.DataFrame({"date": days, "weekday": days.day_of_week, "complaints": counts})
    >>> a = spike_alerts(d, series=("complaints",))
    >>> a[a.flagged][["date", "count", "baseline", "threshold"]].values.tolist()
    [[Timestamp('2026-09-30 00:00:00'), 9, 2.0, 6.0]]
    """
    if int(weeks) < 1 or int(min_history) < 1 or int(min_history) > int(weeks):
        raise ParameterError(f"weeks={weeks!r}, min_history={min_history!r}: expected 1 <= min_history <= weeks")
    if not 0 < float(alpha) < 1:
        raise ParameterError(f"alpha={alpha!r}: expected a probability between 0 and 1")
    if float(k) < 0 or float(floor) <= 0:
        raise ParameterError(f"k={k!r}, floor={floor!r}: expected k >= 0 and floor > 0")
    missing = [c for c in ("date", *series) if c not in daily.columns]
    if missing:
        raise ParameterError(f"daily: missing column(s) {', '.join(missing)}; pass daily_volumes(...)")
    dates = pd.DatetimeIndex(daily["date"])
    if len(dates) > 1 and not (np.diff(dates.asi8) == np.diff(dates.asi8)[0]).all() or (
            len(dates) > 1 and dates[1] - dates[0] != pd.Timedelta(days=1)):
        raise ParameterError("daily: expected one row per consecutive day (use daily_volumes)")
    parts = []
    for name in series:
        counts = daily[name].astype("float64").to_numpy()
        n = len(counts)
        hist = np.full((n, int(weeks)), np.nan)
        for w in range(1, int(weeks) + 1):
            lag = 7 * w
            if lag < n:
                hist[lag:, w - 1] = counts[:-lag]
        known = (~np.isnan(hist)).sum(axis=1)
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                base = np.nanmedian(hist, axis=1)
                mad = 1.4826 * np.nanmedian(np.abs(hist - base[:, None]), axis=1)
        ok = known >= int(min_history)
        base = np.where(ok, base, np.nan)
        mad = np.where(ok, mad, np.nan)
        lam = np.maximum(np.nan_to_num(base, nan=float(floor)), float(floor))
        poisson = stats.poisson.isf(float(alpha), lam)
        threshold = np.where(ok, np.maximum(base + float(k) * mad, poisson), np.nan)
        flagged = ok & (counts > threshold)
        parts.append(pd.DataFrame({
            "series": name, "date": dates, "weekday": pd.array(dates.day_of_week, dtype="Int64"),
            "count": pd.array(counts.astype(np.int64), dtype="Int64"),
            "history": pd.array(known, dtype="Int64"),
            "baseline": pd.array(base, dtype="Float64"), "mad": pd.array(mad, dtype="Float64"),
            "threshold": pd.array(threshold, dtype="Float64"),
            "excess": pd.array(np.where(ok, counts - base, np.nan), dtype="Float64"),
            "flagged": flagged,
        }))
    return pd.concat(parts, ignore_index=True).astype({"series": "string"})
