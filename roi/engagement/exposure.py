"""What a model counts and what it divides by: the numerator and the denominator, named as data.

Definitions are in docs/metrics.md ("Engagement", "Denominators"). In short:

* The **numerator** is one of :data:`COUNT_METRICS`: engagements with link clicks (roi's
  definition), engagements without link clicks (comparable with tools that count only likes,
  reposts, replies and quotes), replies, link clicks, or web-analytics conversions. Its label
  names the parts summed, e.g. ``"likes+reposts+replies+quotes+link_clicks"``.
* The **denominator** is ``"impressions"`` (views the platform reported), ``"followers_proxy"``
  (the author's follower count standing in for potential impressions where a platform publishes
  no views) or, for conversions, ``"web_clicks"``.
* The two kinds of exposure are **never pooled**: when at least ``min_impression_posts`` posts
  have real impressions (or every post with a count has them), the model and the ranking use
  only posts with impressions (the others are left out and counted); otherwise every post is
  measured against the followers proxy (its own impressions, where it has them, are not used),
  and the result says so.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from roi.errors import ParameterError

__all__ = ["COUNT_METRICS", "exposure_basis"]

#: metric -> (parts summed into the numerator, denominator kind). ``"exposure"`` means
#: impressions, or the followers proxy when too few posts have impressions.
COUNT_METRICS: dict[str, tuple[tuple[str, ...], str]] = {
    "engagements": (("likes", "reposts", "replies", "quotes", "link_clicks"), "exposure"),
    "engagements_without_clicks": (("likes", "reposts", "replies", "quotes"), "exposure"),
    "replies": (("replies",), "exposure"),
    "link_clicks": (("link_clicks",), "exposure"),
    "conversions": (("conversions",), "web_clicks"),
}

_EXPOSURES = ("auto", "impressions", "followers_proxy")


def _numerator(metrics: pd.DataFrame, metric: str) -> pd.Series:
    """Sum the metric per post from its parts, <NA> when no part is known."""
    parts, _ = COUNT_METRICS[metric]
    if metric == "engagements" and "engagements" in metrics.columns:
        return metrics["engagements"].astype("Float64")
    present = [p for p in parts if p in metrics.columns]
    if not present:
        raise ParameterError(f"metric={metric!r}: the metrics table has none of {', '.join(parts)}")
    cols = pd.concat([metrics[p].astype("Float64") for p in present], axis=1)
    return cols.sum(axis=1, min_count=1).astype("Float64")


def _followers(metrics: pd.DataFrame) -> pd.Series:
    if "followers" in metrics.columns:
        return metrics["followers"].astype("Float64")
    if "impressions_source" in metrics.columns:  # older tables: the proxy is only where it was used
        proxy = metrics["impressions_source"].astype("string") == "followers_proxy"
        return metrics["impressions"].astype("Float64").where(proxy.fillna(False).astype(bool))
    return pd.Series(np.nan, index=metrics.index, dtype="Float64")


def _real_impressions(metrics: pd.DataFrame) -> pd.Series:
    imp = metrics["impressions"].astype("Float64") if "impressions" in metrics.columns \
        else pd.Series(np.nan, index=metrics.index, dtype="Float64")
    if "impressions_source" in metrics.columns:
        real = (metrics["impressions_source"].astype("string") == "impressions").fillna(False).astype(bool)
        imp = imp.where(real)
    return imp


def exposure_basis(
    metrics: pd.DataFrame,
    *,
    metric: str = "engagements",
    exposure: str = "auto",
    min_impression_posts: int = 30,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Return the posts a count model uses, with the numerator and denominator it divides.

    Parameters
    ----------
    metrics : DataFrame
        Per-post metrics (:func:`roi.engagement.post_metrics`).
    metric : str, default "engagements"
        One of :data:`COUNT_METRICS`.
    exposure : {"auto", "impressions", "followers_proxy"}
        "auto" applies the rule of this module; the others force one denominator. Ignored for
        conversions (always web clicks).
    min_impression_posts : int, default 30
        Posts with real impressions needed to use impressions (under "auto") when other posts
        have only a follower count.

    Returns
    -------
    (DataFrame, dict)
        The rows used, with two added columns: ``events`` (the numerator, float) and
        ``exposure`` (the denominator, float, > 0); and the basis: metric, numerator (parts
        joined by "+"), denominator ("impressions", "followers_proxy" or "web_clicks"),
        posts (used), posts_with_impressions, posts_with_followers_only, posts_left_out and
        reason (a sentence).

    Raises
    ------
    ParameterError
        Unknown metric or exposure, or no post with both a known numerator and a denominator.

    Examples
    --------
    >>> m = pd.DataFrame({"likes": [5, 8, 3], "reposts": [1, 0, 0], "replies": [0, 2, 1],
    ...                   "quotes": [0, 0, 0], "link_clicks": [2, None, None],
    ...                   "impressions": [500, 400, 900],
    ...                   "impressions_source": ["impressions", "followers_proxy", "followers_proxy"],
    ...                   "followers": [900, 400, 900]})
    >>> rows, basis = exposure_basis(m, metric="engagements_without_clicks")
    >>> basis["numerator"], basis["denominator"], basis["posts"], rows["exposure"].tolist()
    ('likes+reposts+replies+quotes', 'followers_proxy', 3, [900.0, 400.0, 900.0])
    >>> exposure_basis(m, min_impression_posts=1)[1]["denominator"]
    'impressions'
    """
    if metric not in COUNT_METRICS:
        raise ParameterError(f"metric={metric!r}: expected one of {', '.join(COUNT_METRICS)}")
    if exposure not in _EXPOSURES:
        raise ParameterError(f"exposure={exposure!r}: expected one of {', '.join(_EXPOSURES)}")
    if int(min_impression_posts) != min_impression_posts or min_impression_posts < 1:
        raise ParameterError(f"min_impression_posts={min_impression_posts!r}: expected a positive whole number")
    parts, kind = COUNT_METRICS[metric]
    y = _numerator(metrics, metric)
    known = y.notna().fillna(False).astype(bool)
    total = len(metrics)
    if kind == "web_clicks":
        if "web_clicks" not in metrics.columns:
            raise ParameterError("metric='conversions' needs web clicks: pass conversions to post_metrics")
        x = metrics["web_clicks"].astype("Float64")
        denominator, reason = "web_clicks", "conversions per web click (sessions from the web analytics)"
        real_n, proxy_n = 0, 0
    else:
        real = _real_impressions(metrics)
        followers = _followers(metrics)
        has_real = (known & (real > 0).fillna(False).astype(bool))
        has_followers = (known & (followers > 0).fillna(False).astype(bool))
        real_n = int(has_real.sum())
        proxy_n = int((has_followers & ~has_real).sum())
        # Too few posts with impressions while others lack them: the proxy for all. Impressions
        # stay when enough posts have them, when no post lacks them (nothing would be pooled), or
        # when no post has a follower count (the proxy cannot be formed).
        use_real = exposure == "impressions" or (
            exposure == "auto" and (real_n >= min_impression_posts or proxy_n == 0
                                    or int(has_followers.sum()) == 0))
        if use_real:
            x, denominator = real, "impressions"
            reason = (f"{real_n} of {total} posts have impressions reported by the platform; the rates are "
                      "per impression, on those posts only"
                      + ("" if real_n >= min_impression_posts or exposure == "impressions" or proxy_n == 0
                         else " (no post has a follower count to use as a proxy)"))
        else:
            x, denominator = followers, "followers_proxy"
            why = ("asked for" if exposure != "auto" else "no post has impressions" if real_n == 0 else
                   f"only {real_n} of {total} posts have impressions (fewer than {min_impression_posts})")
            reason = (f"{why}, so every post is measured against its author's follower count as a proxy for "
                      "potential impressions (per follower, not per view)")
    ok = known & (x > 0).fillna(False).astype(bool)
    used = int(ok.sum())
    if used == 0:
        if kind == "web_clicks":
            why = f"none of the {total} posts has both known conversions and web clicks"
        elif real_n == 0 and proxy_n == 0:
            why = (f"none of the {total} posts has impressions with a known {'+'.join(parts)}, and no author "
                   "follower count is known to stand in for them")
        else:
            what = "impressions" if denominator == "impressions" else "an author follower count"
            why = f"none of the {total} posts has both a known {'+'.join(parts)} and {what}"
        raise ParameterError(f"{why}; there is nothing to rank")
    rows = metrics[ok.to_numpy()].assign(events=y[ok].astype("float64").to_numpy(),
                                         exposure=x[ok].astype("float64").to_numpy())
    basis = {
        "metric": metric, "numerator": "+".join(parts), "denominator": denominator,
        "posts": used, "posts_with_impressions": real_n, "posts_with_followers_only": proxy_n,
        "posts_left_out": total - used, "reason": reason,
    }
    return rows, basis
