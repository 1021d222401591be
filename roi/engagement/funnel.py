"""The conversion funnel: impressions -> link clicks -> web clicks (sessions) -> conversions.

Each step's rate names its numerator and denominator:

* ``click_rate`` = link_clicks / impressions (the platform's count of clicks on the post's link);
* ``landing_rate`` = web_clicks / link_clicks (sessions the web analytics attributes to the post
  per platform click: below 1 when visitors block tracking or leave before the page loads, above
  1 when the link is shared elsewhere with the same UTM tags);
* ``conversion_rate`` = conversions / web_clicks.

Proportions get Wilson intervals; ``landing_rate`` is a ratio of two counts from different
systems and gets none. Works on pandas and on Dask frames (group sums, then rates on the small
result).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from roi.dask_engine import is_dask
from roi.engagement.breakdowns import timed, with_slot
from roi.engagement.intervals import wilson_interval
from roi.errors import ParameterError

__all__ = ["conversion_funnel", "conversions_by_channel", "FUNNEL_STAGES", "SOCIAL_CHANNELS"]

#: The funnel's stages, in order.
FUNNEL_STAGES = ("impressions", "link_clicks", "web_clicks", "conversions")

#: Channel names (casefolded) counted as social; any channel containing "social" is social too.
SOCIAL_CHANNELS = ("social", "organic social", "paid social", "x", "twitter", "mastodon", "bluesky",
                   "facebook", "instagram", "linkedin", "tiktok")

_BY = ("post", "hour", "weekday", "hashtag", "hashtag_count")


def _rates(frame: pd.DataFrame, *, level: float, min_posts: int) -> pd.DataFrame:
    imp = frame["impressions"].to_numpy(dtype="float64")
    clicks = frame["link_clicks"].to_numpy(dtype="float64")
    web = frame["web_clicks"].to_numpy(dtype="float64")
    conv = frame["conversions"].to_numpy(dtype="float64")
    out = frame.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        out["click_rate"] = pd.array(np.where(imp > 0, clicks / imp, np.nan), dtype="Float64")
        lo, hi = wilson_interval(np.minimum(clicks, imp), imp, level=level)
        out["click_ci_low"], out["click_ci_high"] = pd.array(lo, dtype="Float64"), pd.array(hi, dtype="Float64")
        out["landing_rate"] = pd.array(np.where(clicks > 0, web / clicks, np.nan), dtype="Float64")
        out["conversion_rate"] = pd.array(np.where(web > 0, conv / web, np.nan), dtype="Float64")
        lo, hi = wilson_interval(np.minimum(conv, web), web, level=level)
        out["conversion_ci_low"], out["conversion_ci_high"] = pd.array(lo, dtype="Float64"), pd.array(hi, dtype="Float64")
    out["sparse"] = out["posts"].to_numpy() < min_posts
    return out


def conversion_funnel(
    metrics,
    *,
    by: str | None = None,
    tz: str = "UTC",
    links_only: bool = True,
    min_posts: int = 5,
    level: float = 0.95,
) -> pd.DataFrame:
    """Funnel totals and step rates, overall or by post, local hour, weekday, hashtag or hashtag count.

    Parameters
    ----------
    metrics : pandas or Dask DataFrame
        Per-post metrics (:func:`roi.engagement.post_metrics`, built with the conversions table).
    by : {None, "post", "hour", "weekday", "hashtag", "hashtag_count"}
        None gives one row for all posts.
    tz : str
        Time zone for ``hour`` / ``weekday``.
    links_only : bool, default True
        Only posts with a link (the funnel starts at a link).
    min_posts : int, default 5
        Rows with fewer posts are flagged ``sparse``.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        The ``by`` column, posts, impressions, link_clicks, web_clicks, conversions, revenue,
        click_rate (+ click_ci_low/high), landing_rate, conversion_rate
        (+ conversion_ci_low/high), sparse. Only posts whose four stages are all known count.

    Examples
    --------
    >>> m = pd.DataFrame({"post_id": ["1", "2"], "created_at": pd.to_datetime(["2026-10-01T13:00Z"] * 2),
    ...     "has_link": [True, True], "impressions": [1000, 3000], "link_clicks": [20, 40],
    ...     "web_clicks": [18, 30], "conversions": [2, 1], "revenue": [40.0, 20.0]})
    >>> f = conversion_funnel(m)
    >>> f[["posts", "impressions", "link_clicks", "web_clicks", "conversions"]].values.tolist()
    [[2, 4000, 60, 48, 3]]
    >>> round(float(f.click_rate[0]), 3), round(float(f.conversion_rate[0]), 4)
    (0.015, 0.0625)
    """
    if by is not None and by not in _BY:
        raise ParameterError(f"by={by!r}: expected None or one of {', '.join(_BY)}")
    missing = [c for c in FUNNEL_STAGES if c not in metrics.columns]
    if missing:
        raise ParameterError(f"metrics: missing {', '.join(missing)}; build post_metrics with conversions=")
    frame = metrics
    if links_only and "has_link" in frame.columns:
        frame = frame[frame["has_link"].fillna(False).astype(bool)]
    known = frame[list(FUNNEL_STAGES)].notnull().all(axis=1)
    frame = frame[known]
    if by in ("hour", "weekday"):
        frame = with_slot(timed(frame) if by == "hour" else frame, tz=tz)
        keys = [by]
    elif by == "post":
        keys = ["post_id"]
    elif by == "hashtag":
        frame = frame.explode("hashtags").rename(columns={"hashtags": "hashtag"})
        frame = frame[frame["hashtag"].notnull()]
        keys = ["hashtag"]
    elif by == "hashtag_count":
        keys = ["hashtag_count"]
    else:
        frame = frame.assign(_all=1)
        keys = ["_all"]
    values = {c: frame[c].astype("float64") for c in FUNNEL_STAGES}
    values["revenue"] = (frame["revenue"].astype("float64").fillna(0) if "revenue" in frame.columns
                         else frame["impressions"].astype("float64") * 0)
    values["posts"] = 1
    sums = frame[keys].assign(**values).groupby(keys, observed=True, sort=True)[
        ["posts", *FUNNEL_STAGES, "revenue"]].sum()
    if is_dask(sums):
        sums = sums.compute().sort_index()
    sums = sums.reset_index()
    if by is None:
        sums = sums.drop(columns="_all")
        if sums.empty:
            sums = pd.DataFrame([{c: 0 for c in ["posts", *FUNNEL_STAGES, "revenue"]}])
    for c in ["posts", *FUNNEL_STAGES]:
        sums[c] = pd.array(sums[c].to_numpy().round().astype("int64"), dtype="Int64")
    sums["revenue"] = sums["revenue"].astype("Float64")
    out = _rates(sums, level=level, min_posts=min_posts)
    if by == "post":
        out = out.sort_values("conversions", ascending=False, kind="stable", ignore_index=True)
    return out


def conversions_by_channel(conversions: pd.DataFrame, *, level: float = 0.95,
                           social: Sequence[str] = SOCIAL_CHANNELS) -> pd.DataFrame:
    """Web clicks (sessions), conversions and conversion rate by traffic channel, social or other.

    Parameters
    ----------
    conversions : DataFrame
        The canonical conversions table (channel, clicks, conversions, revenue).
    level : float, default 0.95
        Confidence level of the intervals.
    social : sequence of str
        Channel names counted as social (casefolded); any channel containing "social" is too.

    Returns
    -------
    DataFrame
        channel, channel_group ("social", "other" or "unknown" when the CSV had no channel),
        web_clicks, conversions, conversion_rate, ci_low, ci_high (Wilson), revenue,
        share_of_conversions; one row per channel, then one per group (channel = "all social",
        "all other").

    Examples
    --------
    >>> from roi.tables import conform
    >>> c = conform("conversions", {"post_id": ["1", "2", "n"], "date": ["2026-10-01"] * 3,
    ...     "channel": ["social", "Paid Social", "email"], "clicks": [100, 50, 200], "conversions": [5, 1, 20]})
    >>> conversions_by_channel(c)[["channel", "channel_group", "web_clicks", "conversions"]]
           channel channel_group  web_clicks  conversions
    0        email         other         200           20
    1  paid social        social          50            1
    2       social        social         100            5
    3   all social        social         150            6
    4    all other         other         200           20
    """
    if not {"clicks", "conversions"} <= set(conversions.columns):
        raise ParameterError("conversions: expected the canonical conversions table (clicks, conversions)")
    social_set = {s.casefold() for s in social}
    channel = (conversions["channel"].astype("string").str.strip().str.casefold()
               if "channel" in conversions.columns else pd.Series(pd.NA, index=conversions.index, dtype="string"))
    group = np.where(channel.isna(), "unknown",
                     np.where(channel.isin(social_set).fillna(False) | channel.str.contains("social").fillna(False),
                              "social", "other"))
    frame = pd.DataFrame({
        "channel": channel.fillna("(not given)"), "channel_group": group,
        "web_clicks": conversions["clicks"].astype("float64").fillna(0),
        "conversions": conversions["conversions"].astype("float64").fillna(0),
        "revenue": (conversions["revenue"].astype("float64").fillna(0) if "revenue" in conversions.columns else 0.0),
    })
    per_channel = frame.groupby(["channel", "channel_group"], sort=True)[["web_clicks", "conversions", "revenue"]].sum()
    per_group = frame.groupby("channel_group", sort=True)[["web_clicks", "conversions", "revenue"]].sum()
    per_group = per_group[per_group.index != "unknown"]
    per_group.index = pd.MultiIndex.from_arrays([[f"all {g}" for g in per_group.index], per_group.index],
                                                names=["channel", "channel_group"])
    per_group = per_group.sort_index(level="channel_group", ascending=False)
    out = pd.concat([per_channel, per_group]).reset_index()
    web, conv = out["web_clicks"].to_numpy(), out["conversions"].to_numpy()
    lo, hi = wilson_interval(np.minimum(conv, web), web, level=level)
    total = frame["conversions"].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        out = out.assign(
            web_clicks=pd.array(web.round().astype("int64"), dtype="Int64"),
            conversions=pd.array(conv.round().astype("int64"), dtype="Int64"),
            conversion_rate=pd.array(np.where(web > 0, conv / web, np.nan), dtype="Float64"),
            ci_low=pd.array(lo, dtype="Float64"), ci_high=pd.array(hi, dtype="Float64"),
            revenue=out["revenue"].astype("Float64"),
            share_of_conversions=pd.array(conv / total if total else np.full(len(out), np.nan), dtype="Float64"),
        )
    out["channel"] = out["channel"].astype("string")
    out["channel_group"] = out["channel_group"].astype("string")
    return out[["channel", "channel_group", "web_clicks", "conversions", "conversion_rate", "ci_low",
                "ci_high", "revenue", "share_of_conversions"]]
