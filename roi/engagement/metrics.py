"""Per-post metrics: one row per post (reposts excluded) with every rate's numerator and denominator.

Definitions (docs/metrics.md):

* **impressions** are the platform's view counts where it reports them
  (``impressions_source = "impressions"``). Mastodon and Bluesky publish no views: there the
  author's follower count stands in as *potential impressions*
  (``impressions_source = "followers_proxy"``). roi's accounts table holds followers as last
  observed, not at posting time, so the proxy is the latest follower count known.
* **engagements** = likes + reposts + replies + quotes + link clicks, counting each part the
  platform reports (:data:`ENGAGEMENT_PARTS`); unknown parts count as absent, and a post with no
  part known has unknown engagements.
* **engagement_rate** = engagements / impressions; **click_rate** = link_clicks / impressions;
  **conversion_rate** = conversions / web_clicks, where web clicks (sessions) and conversions come
  from the web-analytics table joined on ``post_id`` (``utm_content``).
* A repost carries the original's metrics: repost rows are dropped here so nothing is summed twice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi.errors import ParameterError
from roi.text import has_question

__all__ = ["post_metrics", "account_metrics", "ENGAGEMENT_PARTS", "POST_METRIC_COLUMNS"]

#: The parts summed into engagements, in order.
ENGAGEMENT_PARTS = ("likes", "reposts", "replies", "quotes", "link_clicks")

#: The columns of :func:`post_metrics`, in order (a stable interface: extend, never rename).
POST_METRIC_COLUMNS = [
    "post_id", "platform", "author_id", "created_at",
    "impressions", "impressions_source",
    "likes", "reposts", "replies", "quotes", "link_clicks",
    "engagements", "engagement_rate", "click_rate",
    "web_clicks", "conversions", "conversion_rate", "revenue",
    "hashtag_count", "mention_count", "has_question", "has_link",
    "kind", "hashtags", "followers", "date_only",
]

_REQUIRED = ("post_id", "platform", "author_id", "created_at", "kind")


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    """Divide ``num`` by ``den`` as Float64, <NA> where the denominator is unknown or zero."""
    num = num.astype("Float64")
    den = den.astype("Float64")
    return (num / den.where(den > 0)).astype("Float64")


def _list_len(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.ArrowDtype):
        return values.list.len().astype("Int64")
    return values.map(lambda v: pd.NA if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                      else len(v)).astype("Int64")


def _questions(text: pd.Series) -> pd.Series:
    """roi.text.has_question per post (a question mark outside URLs); <NA> for unknown text."""
    out = pd.Series(pd.array([False] * len(text), dtype="boolean"), index=text.index)
    maybe = text.str.contains("[?\uff1f\u00bf\u061f\u037e]", regex=True).fillna(False).astype(bool)
    if maybe.any():  # the exact test (URLs excluded) only where a question mark occurs at all
        out[maybe] = text[maybe].map(has_question).astype(bool)
    return out.mask(text.isna())


def post_metrics(
    posts: pd.DataFrame,
    *,
    accounts: pd.DataFrame | None = None,
    conversions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per-post impressions, engagements, clicks and conversions, with their rates.

    Parameters
    ----------
    posts : DataFrame
        The canonical ``posts`` table (or a subset of its rows); a Dask DataFrame gives a Dask
        DataFrame, computed partition by partition.
    accounts : DataFrame, optional
        The canonical ``accounts`` table. Needed for the followers proxy of platforms without
        view counts; without it those posts have unknown impressions.
    conversions : DataFrame, optional
        The canonical ``conversions`` table. Web clicks (sessions) and conversions are summed over
        every day and channel of a post. When given, a post with no row had no web clicks (0);
        when omitted, web clicks and conversions are unknown (<NA>).

    Returns
    -------
    DataFrame
        One row per post that is not a repost, columns :data:`POST_METRIC_COLUMNS`: counts are
        ``Int64`` (<NA> = unknown), rates ``Float64`` (<NA> when the denominator is unknown or 0),
        ``impressions_source`` is ``"impressions"``, ``"followers_proxy"`` or <NA>;
        ``followers`` is the author's follower count (as last observed) for every post, the
        proxy denominator of :func:`roi.engagement.exposure_basis` (docs/metrics.md).

    Raises
    ------
    ParameterError
        If a required column is missing.

    Examples
    --------
    >>> from roi.tables import conform
    >>> posts = conform("posts", {
    ...     "platform": ["x", "x", "mastodon"], "post_id": ["1", "2", "m1"],
    ...     "author_id": ["a", "b", "c"], "kind": ["original", "repost", "original"],
    ...     "created_at": ["2026-10-01T13:00Z"] * 3, "text": ["Ready?", "RT @a: Ready?", "hi"],
    ...     "hashtags": [["x", "y"], [], []], "mentions": [[], ["a"], []], "urls": [[], [], []],
    ...     "impressions": [1000, 1000, None], "likes": [30, 30, 4], "reposts": [5, 5, 1],
    ...     "replies": [3, 3, 0], "quotes": [2, 2, 0], "link_clicks": [10, 10, None]})
    >>> accounts = conform("accounts", {"platform": ["mastodon"], "account_id": ["c"],
    ...                                 "followers_count": [200]})
    >>> conv = conform("conversions", {"post_id": ["1"], "date": ["2026-10-01"],
    ...                                "clicks": [8], "conversions": [2]})
    >>> m = post_metrics(posts, accounts=accounts, conversions=conv)
    >>> m[["post_id", "impressions", "impressions_source", "engagements", "engagement_rate"]]
      post_id  impressions impressions_source  engagements  engagement_rate
    0       1         1000        impressions           50             0.05
    1      m1          200    followers_proxy            5            0.025
    >>> m[["web_clicks", "conversions", "conversion_rate", "hashtag_count", "has_question"]]
       web_clicks  conversions  conversion_rate  hashtag_count  has_question
    0           8            2             0.25              2          True
    1           0            0             <NA>              0         False
    """
    missing = [c for c in _REQUIRED if c not in posts.columns]
    if missing:
        raise ParameterError(f"posts: missing column(s) {', '.join(missing)}; pass the canonical posts table")
    if hasattr(posts, "dask") and hasattr(posts, "map_partitions"):
        # Dask: posts stay partitioned; accounts and conversions (one row per account / post-day)
        # are gathered once and joined to every partition.
        small = {k: (v.compute() if hasattr(v, "dask") else v)
                 for k, v in (("accounts", accounts), ("conversions", conversions))}
        meta = post_metrics(posts._meta, **small)
        return posts.map_partitions(post_metrics, **small, meta=meta)

    own = posts[posts["kind"].astype("string") != "repost"]
    n = len(own)
    col = lambda name, dtype: (own[name] if name in own.columns  # noqa: E731
                               else pd.Series(pd.NA, index=own.index, dtype=dtype))

    parts = {p: col(p, "Int64").astype("Int64") for p in ENGAGEMENT_PARTS}
    known = pd.concat([parts[p].notna() for p in ENGAGEMENT_PARTS], axis=1).any(axis=1)
    engagements = sum(parts[p].fillna(0) for p in ENGAGEMENT_PARTS).astype("Int64").where(known, pd.NA)

    impressions = col("impressions", "Int64").astype("Int64")
    source = pd.Series(pd.array([pd.NA] * n, dtype="string"), index=own.index)
    source = source.mask(impressions.notna(), "impressions")
    followers_all = pd.Series(pd.NA, index=own.index, dtype="Int64")
    if accounts is not None and len(accounts) and "followers_count" in accounts.columns:
        acc = accounts.dropna(subset=["account_id"])
        if "observed_at" in acc.columns:
            acc = acc.sort_values("observed_at", na_position="first", kind="stable")
        acc = acc.drop_duplicates(["platform", "account_id"], keep="last")
        key = pd.MultiIndex.from_frame(acc[["platform", "account_id"]].astype("string"))
        followers = pd.Series(acc["followers_count"].astype("Int64").to_numpy(), index=key)
        lookup = pd.MultiIndex.from_frame(own[["platform", "author_id"]].astype("string"))
        proxy = followers.reindex(lookup)
        proxy = pd.Series(proxy.to_numpy(), index=own.index, dtype="Int64")
        followers_all = proxy
        use_proxy = impressions.isna() & proxy.notna()
        impressions = impressions.where(~use_proxy, proxy)
        source = source.mask(use_proxy, "followers_proxy")

    if conversions is not None:
        conv = (conversions.dropna(subset=["post_id"])
                .assign(post_id=lambda d: d["post_id"].astype("string"))
                .groupby("post_id", observed=True)[["clicks", "conversions", "revenue"]]
                .sum(min_count=1))
        ids = own["post_id"].astype("string")
        web = conv["clicks"].reindex(ids).astype("Int64").fillna(0)
        conv_n = conv["conversions"].reindex(ids).astype("Int64").fillna(0)
        revenue = conv["revenue"].reindex(ids).astype("Float64").fillna(0.0)
        web, conv_n, revenue = (pd.Series(s.to_numpy(), index=own.index, dtype=s.dtype)
                                for s in (web, conv_n, revenue))
    else:
        web = pd.Series(pd.NA, index=own.index, dtype="Int64")
        conv_n = pd.Series(pd.NA, index=own.index, dtype="Int64")
        revenue = pd.Series(pd.NA, index=own.index, dtype="Float64")

    text = col("text", "string").astype("string")
    urls = col("urls", object)
    hashtags = col("hashtags", object)
    link_count = _list_len(urls)
    out = pd.DataFrame({
        "post_id": own["post_id"].astype("string"),
        "platform": own["platform"].astype("string"),
        "author_id": own["author_id"].astype("string"),
        "created_at": own["created_at"],
        "impressions": impressions,
        "impressions_source": source,
        **parts,
        "engagements": engagements,
        "engagement_rate": _ratio(engagements, impressions),
        "click_rate": _ratio(parts["link_clicks"], impressions),
        "web_clicks": web,
        "conversions": conv_n,
        "conversion_rate": _ratio(conv_n, web),
        "revenue": revenue,
        "hashtag_count": _list_len(hashtags),
        "mention_count": _list_len(col("mentions", object)),
        "has_question": _questions(text),
        "has_link": (link_count > 0).astype("boolean"),
        "kind": own["kind"].astype("string"),
        "hashtags": hashtags,
        "followers": followers_all,
        "date_only": col("date_only", "boolean").astype("boolean").fillna(False),
    }, index=own.index)
    return out[POST_METRIC_COLUMNS].reset_index(drop=True)


def account_metrics(ds, account: str, *, platform: str | None = None) -> pd.DataFrame:
    """:func:`post_metrics` of one account's own posts in a loaded store, by handle.

    Parameters
    ----------
    ds : roi.Dataset
        ``roi.load(store)``.
    account : str
        The account's handle (``"acme"`` or ``"@acme"``).
    platform : str, optional
        Restrict to one platform when the handle exists on several.

    Raises
    ------
    ParameterError
        If the handle is not in the store's accounts.
    """
    from roi.accounts import account_id_for

    account_id = account_id_for(ds.accounts, account, platform=platform, posts=ds.posts)
    posts = ds.posts[ds.posts["author_id"].astype("string") == account_id]
    if platform is not None:
        posts = posts[posts["platform"] == platform]
    return post_metrics(posts, accounts=ds.accounts, conversions=ds.conversions)
