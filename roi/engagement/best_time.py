"""Best time to post: (weekday, hour) slots ranked by the expected engagement rate of a post.

The rate is that of an average post of the account, with intervals, shown next to the hours when
the audience is active.

Why model-based ranking: a raw slot average ranks the slot with one lucky post first. roi ranks
slots by the negative-binomial model's prediction (:func:`roi.engagement.fit_engagement_model`):
hour and weekday effects are additive on the log scale, so a slot's estimate borrows strength
from every post at that hour and every post on that weekday (partial pooling through the model's
structure), content differences are held fixed (hashtags, mentions, questions and content type
at the account's average mix), and the interval comes from the model's covariance.

What is never ranked: a slot without posts (the model could extrapolate a rate there, but the
account never measured it) and, unless asked, a slot with fewer than ``min_posts`` posts (default
5); how many were left out is in the table's ``attrs``. Every rate names its numerator and
denominator (impressions, or the followers proxy when too few posts have impressions:
docs/metrics.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi.engagement.breakdowns import WEEKDAYS
from roi.engagement.model import CountModel, fit_engagement_model
from roi.errors import ParameterError
from roi.timeframe import validate_tz

__all__ = ["best_slots", "best_hours", "audience_active_hours"]


def _observed(model: CountModel, keys: list[str]) -> pd.Series:
    """Count the posts of the model's data per slot (the posts with the model's denominator, nothing else)."""
    return model.data.groupby(keys).size()


def _model(metrics, tz, model, content, min_hour_posts, metric="engagements", exposure="auto") -> CountModel:
    if model is not None:
        return model
    return fit_engagement_model(metrics, tz=tz, content=content, min_hour_posts=min_hour_posts, metric=metric,
                                exposure=exposure)


def _estimable(model: CountModel, hours: pd.Series) -> np.ndarray:
    cols = set(model.spec.columns)
    label = hours.map(model.spec.buckets)
    return ((label == model.spec.hour_ref) | ("hour=" + label).isin(cols)).to_numpy()


def _check_min_posts(min_posts: int) -> None:
    if int(min_posts) != min_posts or min_posts < 1:
        raise ParameterError(f"min_posts={min_posts!r}: expected a positive whole number of posts per slot")


def _ranked(grid: pd.DataFrame, model: CountModel, posts: np.ndarray, *, level: float, min_posts: int,
            include_sparse: bool) -> pd.DataFrame:
    """Predict ``grid`` rows and rank them.

    Rows without posts (or under ``min_posts`` unless ``include_sparse``) are left out and counted in
    ``attrs``.
    """
    pred = model.predict_rate(grid, level=level)
    ok = _estimable(model, grid["hour"])
    out = grid.assign(
        rate=pd.array(np.where(ok, pred["rate"], np.nan), dtype="Float64"),
        ci_low=pd.array(np.where(ok, pred["ci_low"], np.nan), dtype="Float64"),
        ci_high=pd.array(np.where(ok, pred["ci_high"], np.nan), dtype="Float64"),
        posts=pd.array(posts, dtype="Int64"),
        hour_bucket=pd.array(grid["hour"].map(model.spec.buckets), dtype="string"),
        sparse=posts < min_posts,
        numerator=pd.array([model.numerator] * len(grid), dtype="string"),
        denominator=pd.array([model.denominator] * len(grid), dtype="string"),
    )
    without = int((posts == 0).sum())
    sparse = int(((posts > 0) & (posts < min_posts)).sum())
    keep = ok & (posts > 0) & ((posts >= min_posts) | include_sparse)
    out = out[keep].sort_values(["rate", "posts"], ascending=[False, False], kind="stable", ignore_index=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    out.attrs.update(min_posts=int(min_posts), without_posts=without,
                     excluded_sparse=0 if include_sparse else sparse,
                     not_estimable=int((~ok & (posts > 0)).sum()))
    return out


def best_slots(
    metrics: pd.DataFrame,
    *,
    tz: str = "UTC",
    model: CountModel | None = None,
    content: pd.DataFrame | None = None,
    min_hour_posts: int = 5,
    level: float = 0.95,
    min_posts: int = 5,
    include_sparse: bool = False,
    metric: str = "engagements",
    exposure: str = "auto",
) -> pd.DataFrame:
    """(weekday, hour) slots that hold posts, ranked by expected rate, best first.

    A slot is ranked only when it holds at least ``min_posts`` of the model's posts (or any
    post, with ``include_sparse``); a slot with no post is never ranked: the model could give it
    a rate from its hour and weekday, but nothing the account did was measured there.

    Parameters
    ----------
    metrics : DataFrame
        Per-post metrics of one account (:func:`roi.engagement.post_metrics`).
    tz : str
        The account's IANA time zone (slots are local).
    model : CountModel, optional
        A fitted engagement model (fitted here when omitted, with ``content``,
        ``min_hour_posts``, ``metric`` and ``exposure``).
    content : DataFrame, optional
        :func:`roi.engagement.classify_content` output; adds content-type terms to the model fitted here.
    min_hour_posts : int, default 5
        Quiet hours are merged with neighbours until each bucket has this many posts (model fitted here).
    level : float, default 0.95
        Confidence level of the intervals.
    min_posts : int, default 5
        Posts a slot needs to be ranked; slots under it are left out and counted.
    include_sparse : bool, default False
        Rank slots under ``min_posts`` too (flagged ``sparse``).
    metric, exposure : str
        As :func:`roi.engagement.fit_engagement_model`, when the model is fitted here.

    Returns
    -------
    DataFrame
        rank, weekday (0 = Monday), day (Mon..Sun), hour, rate (``numerator`` per
        ``denominator`` of an average post), ci_low, ci_high, posts (the model's posts in that
        slot), hour_bucket, sparse (posts < min_posts), numerator, denominator. ``attrs`` holds
        min_posts, without_posts (slots with no post), excluded_sparse (slots left out for
        having fewer than min_posts) and not_estimable.

    Raises
    ------
    ParameterError
        Bad tz or min_posts, or no post to model.
    """
    validate_tz(tz)
    _check_min_posts(min_posts)
    model = _model(metrics, tz, model, content, min_hour_posts, metric, exposure)
    grid = pd.DataFrame([(d, h) for d in range(7) for h in range(24)], columns=["weekday", "hour"])
    posts = _observed(model, ["weekday", "hour"]).reindex(pd.MultiIndex.from_frame(grid), fill_value=0).to_numpy()
    out = _ranked(grid.assign(day=pd.array([WEEKDAYS[d] for d in grid["weekday"]], dtype="string")), model,
                  posts, level=level, min_posts=min_posts, include_sparse=include_sparse)
    columns = ["rank", "weekday", "day", "hour", "rate", "ci_low", "ci_high", "posts", "hour_bucket", "sparse",
               "numerator", "denominator"]
    return out[columns]


def best_hours(
    metrics: pd.DataFrame,
    *,
    tz: str = "UTC",
    model: CountModel | None = None,
    content: pd.DataFrame | None = None,
    min_hour_posts: int = 5,
    level: float = 0.95,
    min_posts: int = 5,
    include_sparse: bool = False,
) -> pd.DataFrame:
    """Rank local hours by expected rate (weekday at the account's own mix).

    Hours with fewer than ``min_posts`` posts are left out unless ``include_sparse`` (never hours
    without posts).

    Returns rank, hour, rate, ci_low, ci_high, posts, hour_bucket, sparse, numerator,
    denominator, as :func:`best_slots`.
    """
    validate_tz(tz)
    _check_min_posts(min_posts)
    model = _model(metrics, tz, model, content, min_hour_posts)
    grid = pd.DataFrame({"hour": np.arange(24)})
    posts = _observed(model, ["hour"]).reindex(np.arange(24), fill_value=0).to_numpy()
    return _ranked(grid, model, posts, level=level, min_posts=min_posts, include_sparse=include_sparse)


def audience_active_hours(
    posts: pd.DataFrame,
    follows: pd.DataFrame,
    *,
    account_id: str,
    tz: str = "UTC",
    account_tz: pd.Series | None = None,
) -> pd.DataFrame:
    """When the account's followers post, by hour of day.

    Parameters
    ----------
    posts : DataFrame
        The canonical posts table (every kind: a repost is activity too).
    follows : DataFrame
        The canonical follows table; followers are the ``follower_id`` of edges to ``account_id``.
    account_id : str
        The brand's account.
    tz : str
        The clock for followers whose own time zone is unknown (the brand's, or "UTC").
    account_tz : Series, optional
        IANA time zone by account_id (e.g. from resolved profile locations). Followers listed
        there are counted in their own local time; the rest in ``tz``.

    Returns
    -------
    DataFrame
        hour (0-23), posts (by followers at that hour), active_followers (distinct authors),
        share (posts / all follower posts), own_tz_posts (of those, counted in the author's own
        time zone).

    Examples
    --------
    >>> from roi.tables import conform
    >>> follows = conform("follows", {"platform": ["x"] * 2, "follower_id": ["f1", "f2"],
    ...                               "followee_id": ["brand"] * 2})
    >>> posts = conform("posts", {"platform": ["x"] * 3, "post_id": ["1", "2", "3"],
    ...     "author_id": ["f1", "f2", "other"], "kind": ["original"] * 3,
    ...     "created_at": ["2026-10-01T22:00Z", "2026-10-01T22:30Z", "2026-10-01T22:00Z"]})
    >>> t = audience_active_hours(posts, follows, account_id="brand", tz="UTC",
    ...                           account_tz=pd.Series({"f2": "Europe/Berlin"}))
    >>> t[t.posts > 0][["hour", "posts", "own_tz_posts"]].values.tolist()
    [[0, 1, 1], [22, 1, 0]]
    """
    validate_tz(tz)
    if not {"follower_id", "followee_id"} <= set(follows.columns):
        raise ParameterError("follows: expected the canonical follows table (follower_id, followee_id)")
    followers = follows.loc[follows["followee_id"].astype("string") == str(account_id), "follower_id"]
    mine = posts[posts["author_id"].astype("string").isin(set(followers.astype(str)))
                 & posts["created_at"].notna()]
    hour = mine["created_at"].dt.tz_convert(tz).dt.hour.to_numpy().copy()
    own = np.zeros(len(mine), dtype=bool)
    if account_tz is not None and len(mine):
        zone = mine["author_id"].astype("string").map(account_tz.dropna().astype(str))
        for name in zone.dropna().unique():  # one conversion per distinct zone, not per post
            validate_tz(name)
            sel = (zone == name).fillna(False).to_numpy()
            hour[sel] = mine.loc[sel, "created_at"].dt.tz_convert(name).dt.hour.to_numpy()
            own |= sel
    counts = np.bincount(hour, minlength=24)
    own_counts = np.bincount(hour[own], minlength=24)
    authors = pd.Series(mine["author_id"].astype("string").to_numpy()).groupby(hour).nunique()
    total = counts.sum()
    return pd.DataFrame({
        "hour": np.arange(24),
        "posts": pd.array(counts, dtype="Int64"),
        "active_followers": pd.array(authors.reindex(np.arange(24), fill_value=0).to_numpy(), dtype="Int64"),
        "share": pd.array(counts / total if total else np.full(24, np.nan), dtype="Float64"),
        "own_tz_posts": pd.array(own_counts, dtype="Int64"),
    })
