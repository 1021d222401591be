"""The ledger: per week and activity, the hours and cost spent against the value returned.

* **value per hour** = value / hours (absent when either is);
* **change**: each week's count behind the value (conversions the posts brought, or complaints
  answered) per hour, against the pooled previous ``baseline_weeks`` weeks of the same activity:
  ``count_change`` = rate ratio - 1, with an interval from statsmodels ``confint_poisson_2indep``
  (``compare="ratio"``, the MOVER method, which stays sensible when a week counts zero) - the
  uncertainty of counts as rates. Without an effort
  log the exposure is a week instead of an hour, so the change is in counts a week.
  ``value_per_hour_change`` is the change of value per hour as a point figure (the value of a
  conversion, e.g. its revenue, varies in ways a count interval does not cover).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from statsmodels.stats.rates import confint_poisson_2indep

from roi.errors import ParameterError
from roi.io.effort import ACTIVITIES
from roi.tables import conform

__all__ = ["weekly_ledger", "LEDGER_COLUMNS"]

#: Columns of :func:`weekly_ledger`.
LEDGER_COLUMNS = ("week", "activity", "hours", "cost", "value", "value_per_hour", "posts", "sessions", "conversions",
                  "conversion_value", "engagements", "engagement_value", "answered_cases", "service_value",
                  "count", "count_name", "count_per_hour", "count_change", "change_ci_low", "change_ci_high",
                  "baseline_weeks", "value_per_hour_change")

_COUNT_OF = {"content": "conversions", "engagement": "conversions", "promotion": "conversions",
             "customer service": "answered_cases"}


def _effort_by_week(effort: pd.DataFrame) -> pd.DataFrame:
    log = conform("effort", effort)
    grouped = log.groupby(["week", "activity"], sort=True)
    out = pd.DataFrame({"hours": grouped["hours"].sum(min_count=1), "cost": grouped["cost"].sum(min_count=1)})
    return out.reset_index().astype({"week": "string", "activity": "string", "hours": "Float64", "cost": "Float64"})


def weekly_ledger(effort: pd.DataFrame, values: pd.DataFrame, *, valued: Iterable[str] = (),
                  counted: Iterable[str] = ("conversions", "answered_cases"), baseline_weeks: int = 4,
                  level: float = 0.95) -> pd.DataFrame:
    """Hours, cost, value and value per hour for every week and activity, with the change.

    Parameters
    ----------
    effort : DataFrame
        The canonical ``effort`` table (may be empty: then hours and cost are absent).
    values : DataFrame
        :func:`roi.ledger.activity_values`.
    valued : iterable of str
        Activities whose value was measured and priced: a week where they returned nothing is
        worth 0 (for the others an absent value stays absent: nobody set what it is worth).
    counted : iterable of str, default both
        The counts that were measured: ``conversions`` only when the store holds web analytics,
        ``answered_cases`` when listening ran. A count measured and absent in a week is 0 that week;
        a count not measured stays absent, and so do its rate and change.
    baseline_weeks : int, default 4
        How many previous weeks (of the table, up to this many) a week is compared with.
    level : float, default 0.95
        Confidence level of the change's interval.

    Returns
    -------
    DataFrame
        :data:`LEDGER_COLUMNS`: one row per week and activity (the five activities of the log for
        every week that has effort or value), in week then activity order. ``count`` is the number
        the change rests on (``count_name``: conversions or answered_cases; absent for ads);
        ``count_per_hour`` its rate (per week without an effort log).

    Raises
    ------
    ParameterError
        ``baseline_weeks`` < 1 or ``level`` outside (0, 1).

    Examples
    --------
    >>> effort = pd.DataFrame({"week": ["2026-W40", "2026-W41"], "activity": ["content"] * 2, "hours": [10.0, 10.0],
    ...                        "cost": [400.0, 400.0]})
    >>> values = pd.DataFrame({"week": ["2026-W40", "2026-W41"], "activity": ["content"] * 2,
    ...     "conversions": [20, 40], "value": [1000.0, 2000.0]})
    >>> led = weekly_ledger(effort, values, valued=["content"])
    >>> led = led[led["activity"] == "content"]
    >>> led[["week", "hours", "value", "value_per_hour", "count_change"]].values.tolist()
    [['2026-W40', 10.0, 1000.0, 100.0, <NA>], ['2026-W41', 10.0, 2000.0, 200.0, 1.0]]
    >>> lo, hi = led.iloc[1][["change_ci_low", "change_ci_high"]]
    >>> bool(0.1 < lo < 1.0 < hi < 2.5)
    True
    """
    if isinstance(baseline_weeks, bool) or not isinstance(baseline_weeks, (int, np.integer)) or baseline_weeks < 1:
        raise ParameterError(f"baseline_weeks={baseline_weeks!r}: expected a positive whole number of weeks")
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r}: expected a confidence level between 0 and 1, e.g. 0.95")
    hours = _effort_by_week(effort)
    has_effort = len(hours) > 0
    vals = values.astype({"week": "string", "activity": "string"})
    weeks = sorted(set(hours["week"].dropna()) | set(vals["week"].dropna()))
    grid = pd.DataFrame([(w, a) for w in weeks for a in ACTIVITIES], columns=["week", "activity"]).astype("string")
    out = grid.merge(hours, on=["week", "activity"], how="left").merge(vals, on=["week", "activity"], how="left")
    for col in LEDGER_COLUMNS:
        if col not in out.columns:
            out[col] = pd.NA
    for col in ("hours", "cost", "value", "conversion_value", "engagement_value", "service_value"):
        out[col] = out[col].astype("Float64")
    for col in ("posts", "sessions", "conversions", "engagements", "answered_cases"):
        out[col] = out[col].astype("Int64")
    priced = out["activity"].isin(set(valued)).to_numpy(dtype=bool)
    out.loc[priced, "value"] = out.loc[priced, "value"].fillna(0.0)
    h = out["hours"].to_numpy(dtype="float64", na_value=np.nan)
    v = out["value"].to_numpy(dtype="float64", na_value=np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["value_per_hour"] = pd.array(np.where(h > 0, v / h, np.nan), dtype="Float64")
    name = out["activity"].map(_COUNT_OF)
    count = np.full(len(out), np.nan)
    for activity_count in set(counted) & {"conversions", "answered_cases"}:
        pick = (name == activity_count).to_numpy()
        count[pick] = out.loc[pick, activity_count].to_numpy(dtype="float64", na_value=0.0)
    exposure = h if has_effort else np.ones(len(out))
    out["count"] = pd.array(np.where(np.isnan(count), np.nan, count), dtype="Float64").astype("Int64")
    out["count_name"] = name.astype("string")
    with np.errstate(invalid="ignore", divide="ignore"):
        out["count_per_hour"] = pd.array(np.where(exposure > 0, count / exposure, np.nan), dtype="Float64")
    change = np.full((len(out), 3), np.nan)
    used = np.zeros(len(out), dtype="int64")
    vph_change = np.full(len(out), np.nan)
    vph = out["value_per_hour"].to_numpy(dtype="float64", na_value=np.nan)
    for _, rows in out.groupby("activity", sort=False).groups.items():
        idx = np.asarray(sorted(rows, key=lambda i: out.at[i, "week"]))
        for j in range(1, len(idx)):
            i, prev = idx[j], idx[max(0, j - baseline_weeks):j]
            ok = ~np.isnan(count[prev]) & (exposure[prev] > 0)
            prev = prev[ok]
            used[i] = len(prev)
            if not len(prev) or np.isnan(count[i]) or not exposure[i] > 0:
                continue
            c0, e0 = count[prev].sum(), exposure[prev].sum()
            prev_vph = np.nansum(v[prev]) / h[prev].sum() if has_effort and h[prev].sum() > 0 else np.nan
            if prev_vph > 0 and not np.isnan(vph[i]):
                vph_change[i] = vph[i] / prev_vph - 1
            if c0 <= 0:
                continue
            ratio = (count[i] / exposure[i]) / (c0 / e0)
            lo, hi = confint_poisson_2indep(int(count[i]), float(exposure[i]), int(c0), float(e0),
                                            method="mover", compare="ratio", alpha=1 - level)
            change[i] = (ratio - 1, lo - 1, hi - 1)
    out["count_change"] = pd.array(change[:, 0], dtype="Float64")
    out["change_ci_low"] = pd.array(change[:, 1], dtype="Float64")
    out["change_ci_high"] = pd.array(change[:, 2], dtype="Float64")
    out["baseline_weeks"] = pd.array(used, dtype="Int64")
    out["value_per_hour_change"] = pd.array(vph_change, dtype="Float64")
    return out[list(LEDGER_COLUMNS)].reset_index(drop=True)
