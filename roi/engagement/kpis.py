"""Headline engagement KPIs of a time window, beside the window just before it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi.engagement.exposure import exposure_basis
from roi.errors import ParameterError

__all__ = ["engagement_kpis"]

_DEFINITIONS = {
    "posts": "posts published in the window (reposts excluded)",
    "impressions": "views of those posts (followers proxy where a platform has no views)",
    "engagements": "likes + reposts + replies + quotes + link clicks",
    "engagement_rate": "engagements / impressions",
    "link_clicks": "clicks on the posts' links, as the platform counts them",
    "click_rate": "link_clicks / impressions",
    "web_clicks": "sessions the web analytics attributes to the posts (utm_content)",
    "conversions": "conversions the web analytics attributes to the posts",
    "conversion_rate": "conversions / web_clicks",
}


def _one_exposure(metrics: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Return ``metrics`` with ``impressions`` holding one kind of denominator for every post, and its name.

    Real impressions, or the followers proxy for all (never both: docs/metrics.md).
    """
    if "impressions_source" not in metrics.columns or "engagements" not in metrics.columns:
        return metrics, "impressions"
    try:
        rows, basis = exposure_basis(metrics, metric="engagements")
    except ParameterError:
        return metrics.iloc[0:0], "impressions"
    return rows.assign(impressions=rows["exposure"]), basis["denominator"]


_PARTS = {"engagement_rate": "likes+reposts+replies+quotes+link_clicks", "click_rate": "link_clicks"}
_PER = {"impressions": "impressions", "followers_proxy": "followers (a proxy for potential impressions, not views)"}


def _totals(frame: pd.DataFrame) -> dict[str, float]:
    def total(col: str) -> float:
        return float(frame[col].sum()) if col in frame.columns and frame[col].notna().any() else np.nan

    rate_base = frame[(frame["engagements"].notna() & (frame["impressions"].fillna(0) > 0)).fillna(False)]
    click_base = frame[(frame["link_clicks"].notna() & (frame["impressions"].fillna(0) > 0)).fillna(False)]
    out = {
        "posts": float(len(frame)),
        "impressions": total("impressions"),
        "engagements": total("engagements"),
        "link_clicks": total("link_clicks"),
        "web_clicks": total("web_clicks"),
        "conversions": total("conversions"),
    }
    with np.errstate(invalid="ignore", divide="ignore"):
        # rates over the posts where both parts are known, so the ratio is of like with like
        out["engagement_rate"] = (rate_base["engagements"].sum() / rate_base["impressions"].sum()
                                  if len(rate_base) else np.nan)
        out["click_rate"] = (click_base["link_clicks"].sum() / click_base["impressions"].sum()
                             if len(click_base) else np.nan)
        out["conversion_rate"] = (out["conversions"] / out["web_clicks"]
                                  if out["web_clicks"] and out["web_clicks"] > 0 else np.nan)
    return out


def engagement_kpis(metrics: pd.DataFrame, *, start, end) -> pd.DataFrame:
    """Compute posts, impressions, engagements, rates, clicks and conversions in [start, end) and before.

    "Before" is the window of the same length just before [start, end).

    Parameters
    ----------
    metrics : DataFrame
        Per-post metrics of one account (:func:`roi.engagement.post_metrics`).
    start, end : timestamp-like
        The window in UTC, start inclusive, end exclusive (e.g. from
        :func:`roi.timeframe.week_bounds`).

    Returns
    -------
    DataFrame
        kpi, value, previous, change (value / previous - 1; for rates too, so a rate going
        from 2.0% to 2.5% is +25%), definition (numerator and denominator in words), numerator
        and denominator of the two rates as data: the denominator is "impressions", or
        "followers_proxy" for both windows when too few posts have impressions (never a mix:
        :func:`roi.engagement.exposure_basis`, docs/metrics.md).

    Examples
    --------
    >>> m = pd.DataFrame({"created_at": pd.to_datetime(["2026-10-01T10:00Z", "2026-10-08T10:00Z"], utc=True),
    ...     "impressions": [1000, 2000], "engagements": [20, 50], "link_clicks": [5, 10],
    ...     "web_clicks": [4, 8], "conversions": [1, 1]})
    >>> k = engagement_kpis(m, start="2026-10-05", end="2026-10-12").set_index("kpi")
    >>> k.loc["engagement_rate", ["value", "previous"]].tolist(), round(float(k.loc["engagement_rate", "change"]), 2)
    ([0.025, 0.02], 0.25)
    """
    s, e = pd.Timestamp(start), pd.Timestamp(end)
    s = s.tz_localize("UTC") if s.tzinfo is None else s.tz_convert("UTC")
    e = e.tz_localize("UTC") if e.tzinfo is None else e.tz_convert("UTC")
    if e <= s:
        raise ParameterError(f"window: end {e.isoformat()} must be after start {s.isoformat()}")
    ts = metrics["created_at"]
    now = _totals(metrics[((ts >= s) & (ts < e)).fillna(False)])
    before = _totals(metrics[((ts >= s - (e - s)) & (ts < s)).fillna(False)])
    # the rates use one denominator for both windows, chosen on both together, so the change
    # never compares a rate per view with a rate per follower
    both = metrics[((ts >= s - (e - s)) & (ts < e)).fillna(False)]
    rated, denominator = _one_exposure(both)
    rts = rated["created_at"]
    for totals, window in ((now, (rts >= s) & (rts < e)), (before, (rts >= s - (e - s)) & (rts < s))):
        part = _totals(rated[window.fillna(False)])
        totals["engagement_rate"], totals["click_rate"] = part["engagement_rate"], part["click_rate"]
    per = _PER[denominator]
    rows = []
    for kpi in ("posts", "impressions", "engagements", "engagement_rate", "link_clicks", "click_rate",
                "web_clicks", "conversions", "conversion_rate"):
        v, p = now[kpi], before[kpi]
        change = v / p - 1 if np.isfinite(v) and np.isfinite(p) and p > 0 else np.nan
        definition = _DEFINITIONS[kpi]
        if kpi in ("engagement_rate", "click_rate"):
            definition = definition.replace("/ impressions", f"/ {per}")
        rows.append({"kpi": kpi, "value": v, "previous": p, "change": change, "definition": definition,
                     "numerator": _PARTS.get(kpi), "denominator": denominator if kpi in _PARTS else None})
    out = pd.DataFrame(rows)
    out["kpi"] = out["kpi"].astype("string")
    out["definition"] = out["definition"].astype("string")
    out["numerator"] = out["numerator"].astype("string")
    out["denominator"] = out["denominator"].astype("string")
    return out.astype({"value": "Float64", "previous": "Float64", "change": "Float64"})
