"""Best time to post: (weekday, hour) slots ranked by the expected engagement rate of an average
post of the account, with intervals, next to the hours when the audience is active.

Why model-based ranking: a raw slot average ranks the slot with one lucky post first. roi ranks
slots by the negative-binomial model's prediction (:func:`roi.engagement.fit_engagement_model`):
hour and weekday effects are additive on the log scale, so a slot's estimate borrows strength
from every post at that hour and every post on that weekday (partial pooling through the model's
structure), content differences are held fixed (hashtags, mentions, questions and content type
at the account's average mix), and the interval comes from the model's covariance. Slots whose
hour has no posts in its bucket cannot be estimated from the account's history: their rate is
<NA> and they are ranked last.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi.engagement.breakdowns import WEEKDAYS, with_slot
from roi.engagement.model import CountModel, fit_engagement_model
from roi.errors import ParameterError
from roi.timeframe import validate_tz

__all__ = ["best_slots", "best_hours", "audience_active_hours"]


def _observed(metrics: pd.DataFrame, tz: str, keys: list[str]) -> pd.Series:
    valid = metrics[metrics["engagements"].notna() & (metrics["impressions"].fillna(0) > 0)]
    return with_slot(valid, tz=tz).groupby(keys).size()


def _model(metrics, tz, model, content, min_hour_posts) -> CountModel:
    if model is not None:
        return model
    return fit_engagement_model(metrics, tz=tz, content=content, min_hour_posts=min_hour_posts)


def _estimable(model: CountModel, hours: pd.Series) -> np.ndarray:
    cols = set(model.spec.columns)
    label = hours.map(model.spec.buckets)
    return ((label == model.spec.hour_ref) | ("hour=" + label).isin(cols)).to_numpy()


def best_slots(
    metrics: pd.DataFrame,
    *,
    tz: str = "UTC",
    model: CountModel | None = None,
    content: pd.DataFrame | None = None,
    min_hour_posts: int = 5,
    level: float = 0.95,
) -> pd.DataFrame:
    """All 168 (weekday, hour) slots ranked by expected engagement rate, best first.

    Parameters
    ----------
    metrics : DataFrame
        Per-post metrics of one account (:func:`roi.engagement.post_metrics`).
    tz : str
        The account's IANA time zone (slots are local).
    model : CountModel, optional
        A fitted engagement model (fitted here when omitted, with ``content`` and
        ``min_hour_posts``).
    level : float, default 0.95

    Returns
    -------
    DataFrame
        rank, weekday (0 = Monday), day (Mon..Sun), hour, rate (engagements per impression of an
        average post), ci_low, ci_high, posts (the account's posts in that slot), hour_bucket.
    """
    validate_tz(tz)
    model = _model(metrics, tz, model, content, min_hour_posts)
    grid = pd.DataFrame([(d, h) for d in range(7) for h in range(24)], columns=["weekday", "hour"])
    pred = model.predict_rate(grid, level=level)
    ok = _estimable(model, grid["hour"])
    posts = _observed(metrics, tz, ["weekday", "hour"]).reindex(
        pd.MultiIndex.from_frame(grid), fill_value=0).to_numpy()
    out = grid.assign(
        day=pd.array([WEEKDAYS[d] for d in grid["weekday"]], dtype="string"),
        rate=pd.array(np.where(ok, pred["rate"], np.nan), dtype="Float64"),
        ci_low=pd.array(np.where(ok, pred["ci_low"], np.nan), dtype="Float64"),
        ci_high=pd.array(np.where(ok, pred["ci_high"], np.nan), dtype="Float64"),
        posts=pd.array(posts, dtype="Int64"),
        hour_bucket=pd.array(grid["hour"].map(model.spec.buckets), dtype="string"),
    )
    out = out.sort_values(["rate", "posts"], ascending=[False, False], na_position="last", kind="stable",
                          ignore_index=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out[["rank", "weekday", "day", "hour", "rate", "ci_low", "ci_high", "posts", "hour_bucket"]]


def best_hours(
    metrics: pd.DataFrame,
    *,
    tz: str = "UTC",
    model: CountModel | None = None,
    content: pd.DataFrame | None = None,
    min_hour_posts: int = 5,
    level: float = 0.95,
) -> pd.DataFrame:
    """Local hours 0-23 ranked by expected engagement rate (weekday at the account's own mix).

    Returns rank, hour, rate, ci_low, ci_high, posts, hour_bucket, as :func:`best_slots`.
    """
    validate_tz(tz)
    model = _model(metrics, tz, model, content, min_hour_posts)
    grid = pd.DataFrame({"hour": np.arange(24)})
    pred = model.predict_rate(grid, level=level)  # weekday terms at their mean (average week)
    ok = _estimable(model, grid["hour"])
    posts = _observed(metrics, tz, ["hour"]).reindex(np.arange(24), fill_value=0).to_numpy()
    out = grid.assign(
        rate=pd.array(np.where(ok, pred["rate"], np.nan), dtype="Float64"),
        ci_low=pd.array(np.where(ok, pred["ci_low"], np.nan), dtype="Float64"),
        ci_high=pd.array(np.where(ok, pred["ci_high"], np.nan), dtype="Float64"),
        posts=pd.array(posts, dtype="Int64"),
        hour_bucket=pd.array(grid["hour"].map(model.spec.buckets), dtype="string"),
    ).sort_values(["rate", "posts"], ascending=[False, False], na_position="last", kind="stable",
                  ignore_index=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


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
