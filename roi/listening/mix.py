"""The brand's content mix against the rule of thirds, week by week.

Each brand post (originals, and the brand's replies, quotes and reposts) is classified by
:func:`roi.engagement.classify_content` — the one classifier roi has — as ``original``,
``engagement`` or ``promotion``, with the rule that decided it. The weekly mix shows counts and
shares against the practitioners' target of a third each; ``gap`` = share - 1/3. Weeks with
fewer than ``min_posts`` posts are flagged ``sparse`` (a share of 2 posts out of 3 says little).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from roi.engagement import CONTENT_TYPES, classify_content
from roi.errors import ParameterError
from roi.timeframe import validate_tz

__all__ = ["content_mix", "weekly_content_mix", "THIRDS"]

#: The rule of thirds: a third of the posts of each content type.
THIRDS = {t: 1 / 3 for t in ("original", "engagement", "promotion")}


def content_mix(
    posts: pd.DataFrame,
    *,
    brand_ids: Iterable[str],
    brand_domains: Iterable[str] = (),
    tz: str = "UTC",
) -> pd.DataFrame:
    """Every brand post with its content type, the deciding rule and its local ISO week.

    Parameters
    ----------
    posts : DataFrame
        The canonical ``posts`` table.
    brand_ids : iterable of str
        The brand accounts whose posts are classified.
    brand_domains : iterable of str
        The brand's web domains (a link to their sale pages is promotion).
    tz : str, default "UTC"
        Weeks are ISO weeks in this time zone.

    Returns
    -------
    DataFrame
        ``post_id``, ``author_id``, ``created_at``, ``week``, ``kind``, ``content_type``,
        ``rule``, in time order.

    Examples
    --------
    >>> from roi.tables import conform
    >>> posts = conform("posts", {"platform": ["x"] * 3, "post_id": ["1", "2", "3"], "author_id": ["b"] * 3,
    ...     "kind": ["original", "original", "repost"], "referenced_id": [None, None, "9"],
    ...     "created_at": ["2026-10-05T10:00Z", "2026-10-06T10:00Z", "2026-10-12T10:00Z"],
    ...     "text": ["How we test knives", "20% off this weekend", "RT @x: wow"]})
    >>> content_mix(posts, brand_ids=["b"])[["post_id", "week", "content_type", "rule"]].values.tolist()
    [['1', '2026-W41', 'original', 'own content'], ['2', '2026-W41', 'promotion', 'promotional wording'], ['3', '2026-W42', 'engagement', 'repost or quote']]
    """
    tz = validate_tz(tz)
    ids = [str(i) for i in brand_ids]
    if not ids:
        raise ParameterError("brand_ids: expected at least one brand account id")
    labels = classify_content(posts, brand_domains=brand_domains, brand_ids=ids)
    own = posts[posts["author_id"].astype("string").isin(ids).fillna(False).to_numpy(dtype=bool)]
    own = own[["post_id", "author_id", "created_at", "kind"]].astype({"post_id": "string"})
    out = own.merge(labels, on="post_id", how="left").drop_duplicates("post_id")
    iso = out["created_at"].dt.tz_convert(tz).dt.isocalendar()
    out["week"] = pd.array([f"{y}-W{w:02d}" for y, w in zip(iso["year"], iso["week"], strict=True)], dtype="string")
    out = out.sort_values(["created_at", "post_id"], kind="stable").reset_index(drop=True)
    return out[["post_id", "author_id", "created_at", "week", "kind", "content_type", "rule"]]


def weekly_content_mix(mix: pd.DataFrame, *, min_posts: int = 9) -> pd.DataFrame:
    """Compute the counts and shares of each content type per week, against a third each.

    Parameters
    ----------
    mix : DataFrame
        :func:`content_mix`.
    min_posts : int, default 9
        Weeks with fewer brand posts are flagged ``sparse``.

    Returns
    -------
    DataFrame
        ``week``, ``content_type``, ``posts`` (numerator), ``week_posts`` (denominator),
        ``share``, ``target`` (1/3), ``gap`` (share - target), ``sparse``; every type appears
        in every week (0 when absent).

    Examples
    --------
    >>> mix = pd.DataFrame({"week": ["2026-W41"] * 3, "content_type": ["original", "original", "promotion"]})
    >>> weekly_content_mix(mix)[["content_type", "posts", "week_posts", "share"]].values.tolist()
    [['original', 2, 3, 0.6666666666666666], ['engagement', 0, 3, 0.0], ['promotion', 1, 3, 0.3333333333333333]]
    """
    missing = [c for c in ("week", "content_type") if c not in mix.columns]
    if missing:
        raise ParameterError(f"mix: missing column(s) {', '.join(missing)}; pass content_mix(...)")
    order = [t for t in ("original", "engagement", "promotion") if t in CONTENT_TYPES]
    weeks = sorted(mix["week"].dropna().astype(str).unique())
    if not weeks:
        return pd.DataFrame({
            "week": pd.Series([], dtype="string"), "content_type": pd.Series([], dtype="string"),
            "posts": pd.Series([], dtype="Int64"), "week_posts": pd.Series([], dtype="Int64"),
            "share": pd.Series([], dtype="float64"), "target": pd.Series([], dtype="float64"),
            "gap": pd.Series([], dtype="float64"), "sparse": pd.Series([], dtype=bool)})
    counts = mix.groupby(["week", "content_type"], observed=True).size()
    index = pd.MultiIndex.from_product([weeks, order], names=["week", "content_type"])
    table = counts.reindex(index, fill_value=0).rename("posts").reset_index()
    table["week_posts"] = table.groupby("week")["posts"].transform("sum")
    table["share"] = np.where(table["week_posts"] > 0, table["posts"] / table["week_posts"].where(table["week_posts"] > 0), np.nan)
    table["target"] = table["content_type"].map(THIRDS)
    table["gap"] = table["share"] - table["target"]
    table["sparse"] = (table["week_posts"] < int(min_posts)).to_numpy(dtype=bool)
    return table.astype({"week": "string", "content_type": "string", "posts": "Int64", "week_posts": "Int64"})
