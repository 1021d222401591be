"""Week-by-week series for the report's KPI cards and trends: one row per ISO week, raw numbers.

Every rate comes with its numerator and denominator (and an interval where it is estimated), so
the cards, the trend table and the sentences read the same figures.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi.engagement.intervals import bootstrap_ratio
from roi.timeframe import iso_week_of, week_bounds

__all__ = ["report_weeks", "weekly_trends", "TREND_COLUMNS"]

TREND_COLUMNS = [
    "week", "week_start", "week_end", "followers_end", "new", "lost", "posts", "impressions", "engagements",
    "engagement_rate", "engagement_rate_low", "engagement_rate_high", "web_clicks", "conversions",
    "complaints", "addressed", "answered_within_1h", "within_1h_share", "median_response_minutes",
    "impressions_source",
]


def report_weeks(week: str, *, tz: str, count: int = 10) -> list[tuple[str, pd.Timestamp, pd.Timestamp]]:
    """Return the ``count`` ISO weeks ending with ``week``, oldest first, with their UTC bounds.

    >>> [w for w, _, _ in report_weeks("2026-W02", tz="UTC", count=3)]
    ['2025-W52', '2026-W01', '2026-W02']
    """
    out = []
    start, end = week_bounds(week, tz=tz)
    for _ in range(count):
        out.append((week, start, end))
        week = iso_week_of(start - pd.Timedelta(seconds=1), tz=tz)
        start, end = week_bounds(week, tz=tz)
    return out[::-1]


def _week_index(times: pd.Series, weeks: list[tuple[str, pd.Timestamp, pd.Timestamp]]) -> np.ndarray:
    """Position of each timestamp among ``weeks`` (-1 outside them)."""
    edges = np.array([s.value for _, s, _ in weeks] + [weeks[-1][2].value], dtype="int64")
    t = pd.to_datetime(times, utc=True).astype("datetime64[ns, UTC]")
    vals = t.to_numpy(dtype="datetime64[ns]").astype("int64")
    pos = np.searchsorted(edges, vals, side="right") - 1
    ok = (~t.isna().to_numpy()) & (pos >= 0) & (pos < len(weeks))
    return np.where(ok, pos, -1)


def weekly_trends(metrics: pd.DataFrame, weeks: list[tuple[str, pd.Timestamp, pd.Timestamp]], *,
                  growth: pd.DataFrame | None = None, responses: pd.DataFrame | None = None,
                  complaints: pd.DataFrame | None = None, seed: int = 0, trim: bool = True,
                  conversions_known: bool = True) -> pd.DataFrame:
    """Tabulate one row per week: followers, engagement, web clicks, conversions and complaints.

    Engagement comes with a bootstrap interval, complaints with their response times.

    Parameters
    ----------
    metrics : DataFrame
        Per-post metrics of the account (:func:`roi.engagement.post_metrics`): ``created_at``,
        ``impressions``, ``engagements``, and ``web_clicks``/``conversions`` when known.
    weeks : list of (week, start, end)
        From :func:`report_weeks`.
    growth : DataFrame, optional
        :func:`roi.graph.growth_churn` output (week, new, lost, followers_end).
    responses : DataFrame, optional
        :func:`roi.listening.response_times` output for addressed complaints (``created_at``,
        ``answered``, ``within_1h``, ``response_minutes``).
    complaints : DataFrame, optional
        Complaints with ``created_at`` and ``addressed`` (the triage queue over the weeks).
    seed : int
        Seed of the bootstrap.
    trim : bool
        Drop the leading weeks before the first week with posts or a follower count.
    conversions_known : bool
        False when the store has no web-analytics data: web clicks and conversions are then
        unknown, not zero.

    Returns
    -------
    DataFrame
        :data:`TREND_COLUMNS`. Engagement rate = engagements / impressions over posts where
        both are known; its interval resamples posts. Unknown values are missing, not zero.

    Examples
    --------
    >>> m = pd.DataFrame({"created_at": pd.to_datetime(["2026-01-06T10:00Z", "2026-01-07T10:00Z"], utc=True),
    ...                   "impressions": [100, 300], "engagements": [5, 15]})
    >>> t = weekly_trends(m, report_weeks("2026-W02", tz="UTC", count=2), trim=False)
    >>> t[["week", "posts", "engagement_rate"]].values.tolist()
    [['2026-W01', 0, nan], ['2026-W02', 2, 0.05]]
    """
    rows = []
    pos = _week_index(metrics["created_at"], weeks) if len(metrics) else np.array([], dtype=int)
    imp = pd.to_numeric(metrics.get("impressions", pd.Series(dtype=float)), errors="coerce").astype("float64")
    eng = pd.to_numeric(metrics.get("engagements", pd.Series(dtype=float)), errors="coerce").astype("float64")
    both = (imp > 0) & eng.notna()
    # Views and the followers proxy (potential impressions, far above views) are never pooled: the
    # proxy stands in only when no post in the table has views (an archive, Mastodon, Bluesky).
    source = metrics["impressions_source"].astype("string") if "impressions_source" in metrics.columns else None
    proxied = (source == "followers_proxy").fillna(False) if source is not None else pd.Series(False, index=imp.index)
    impressions_source = "followers_proxy" if (both & proxied).any() and not (both & ~proxied).any() else "impressions"
    if impressions_source == "impressions":
        both &= ~proxied
    for i, (week, start, end) in enumerate(weeks):
        inweek = pos == i
        sel = inweek & both.to_numpy()
        e, x = eng.to_numpy()[sel], imp.to_numpy()[sel]
        rate = e.sum() / x.sum() if x.sum() > 0 else np.nan
        lo, hi = bootstrap_ratio(e, x, n_boot=1000, seed=seed) if sel.sum() >= 5 else (np.nan, np.nan)
        row = {"week": week, "week_start": start, "week_end": end, "posts": int(inweek.sum()),
               "impressions": float(x.sum()) if sel.any() else np.nan,
               "engagements": float(e.sum()) if sel.any() else np.nan,
               "engagement_rate": rate, "engagement_rate_low": lo, "engagement_rate_high": hi}
        for col in ("web_clicks", "conversions"):
            values = pd.to_numeric(metrics[col], errors="coerce")[inweek] if col in metrics.columns else pd.Series([])
            row[col] = float(values.sum()) if conversions_known and values.notna().any() else np.nan
        rows.append(row)
    out = pd.DataFrame(rows)
    if growth is not None and len(growth):
        g = growth.set_index(growth["week"].astype(str))
        if {"snapshots", "before_first_snapshot"} <= set(g.columns):
            # a week that ends before the first snapshot has no follower count of its own
            unknown = g["before_first_snapshot"].astype(bool) & (g["snapshots"].fillna(0) == 0)
            g = g.astype({c: "Float64" for c in ("followers_end", "new", "lost") if c in g.columns})
            g.loc[unknown, [c for c in ("followers_end", "new", "lost") if c in g.columns]] = pd.NA
        for col in ("followers_end", "new", "lost"):
            out[col] = out["week"].map(g[col].astype("Float64")).astype("Float64") if col in g else np.nan
    else:
        for col in ("followers_end", "new", "lost"):
            out[col] = np.nan
    out["complaints"] = np.nan
    out["addressed"] = np.nan
    if complaints is not None:
        cpos = _week_index(complaints["created_at"], weeks) if len(complaints) else np.array([], dtype=int)
        out["complaints"] = [float((cpos == i).sum()) for i in range(len(weeks))]
    out["answered_within_1h"] = np.nan
    out["within_1h_share"] = np.nan
    out["median_response_minutes"] = np.nan
    if responses is not None:
        rpos = _week_index(responses["created_at"], weeks) if len(responses) else np.array([], dtype=int)
        for i in range(len(weeks)):
            r = responses[rpos == i]
            n = len(r)
            out.loc[i, "addressed"] = float(n)
            if n:
                ok = r["within_1h"].fillna(False).astype(bool)
                out.loc[i, "answered_within_1h"] = float(ok.sum())
                out.loc[i, "within_1h_share"] = ok.mean()
                minutes = pd.to_numeric(r["response_minutes"], errors="coerce").dropna()
                out.loc[i, "median_response_minutes"] = float(minutes.median()) if len(minutes) else np.nan
    out["impressions_source"] = impressions_source
    out = out[TREND_COLUMNS]
    if trim:  # weeks before the data begins say nothing: start at the first week with posts or followers
        has = (out["posts"] > 0) | out["followers_end"].notna()
        first = int(np.argmax(has.to_numpy())) if has.any() else len(out) - 1
        out = out.iloc[first:].reset_index(drop=True)
    return out
