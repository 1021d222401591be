"""Transparent spam and bot heuristics: a rule table, and each suspect with the rules it tripped.

No black-box score: every rule is a plain comparison with its threshold a parameter, and an
account is flagged when it trips a *decisive* rule (one that alone describes a known spam
pattern) or at least ``min_weak_rules`` of the weaker signals.

==================  ========  ==========================================================================
rule                decisive  trips when
==================  ========  ==========================================================================
``follow_farm``     yes       followers >= ``min_followers``, following >= ``following_multiple`` x
                              followers, and zero posts (reported ``posts_count``)
``silent_mass_follow`` yes   zero posts and following >= ``min_following_silent`` (follows a crowd, never speaks)
``link_spam``       yes       at least ``min_posts`` posts seen and a share >= ``link_share`` of them carry
                              a link or an ad hashtag (``AD_HASHTAGS``)
``follow_ratio``    no        following >= ``min_following`` and following / followers >= ``follow_ratio``
``new_account``     no        created less than ``max_age_days`` before ``as_of``
``default_profile`` no        the profile was never customised (platform flag)
==================  ========  ==========================================================================
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from roi.errors import ParameterError
from roi.graph.build import follow_edges, tables_of
from roi.timeframe import to_utc

__all__ = ["spam_rules", "spam_suspects", "rule_table", "AD_HASHTAGS", "SPAM_COLUMNS", "RULES"]

AD_HASHTAGS = frozenset({"ad", "ads", "sponsored", "promo", "promotion", "giveaway", "deal", "deals", "discount"})
RULES = ("follow_farm", "silent_mass_follow", "link_spam", "follow_ratio", "new_account", "default_profile")
DECISIVE = ("follow_farm", "silent_mass_follow", "link_spam")
SPAM_COLUMNS = ["account_id", "handle", "followers_count", "following_count", "posts_count", "posts_seen",
                "link_posts", "link_share", "follow_ratio", "age_days", "default_profile", "rules", "n_rules",
                "flagged"]


def rule_table(
    *, min_followers: int = 1000, following_multiple: float = 2.0, min_following_silent: int = 1000,
    min_posts: int = 5, link_share: float = 0.9,
    min_following: int = 500, follow_ratio: float = 10.0, max_age_days: float = 30, min_weak_rules: int = 2,
) -> pd.DataFrame:
    """Return the rules with the thresholds in force, for showing next to the suspects.

    >>> rule_table().rule.tolist()
    ['follow_farm', 'silent_mass_follow', 'link_spam', 'follow_ratio', 'new_account', 'default_profile']
    """
    return pd.DataFrame({
        "rule": list(RULES),
        "decisive": [r in DECISIVE for r in RULES],
        "trips_when": [
            f"followers >= {min_followers:,}, following >= {following_multiple:g} x followers, zero posts",
            f"zero posts and following >= {min_following_silent:,}",
            f">= {min_posts} posts seen and >= {link_share:.0%} of them carry a link or an ad hashtag",
            f"following >= {min_following:,} and following / followers >= {follow_ratio:g}",
            f"account younger than {max_age_days:g} days",
            "profile never customised (default image/theme)",
        ],
        "flags_alone": [r in DECISIVE for r in RULES],
    }).assign(note=f"flagged: any decisive rule, or >= {min_weak_rules} other rules")


def spam_rules(
    data: Any,
    *,
    audience_of: str | None = None,
    as_of: Any = None,
    min_followers: int = 1000,
    following_multiple: float = 2.0,
    min_following_silent: int = 1000,
    min_posts: int = 5,
    link_share: float = 0.9,
    min_following: int = 500,
    follow_ratio: float = 10.0,
    max_age_days: float = 30,
    min_weak_rules: int = 2,
) -> pd.DataFrame:
    """Every account that trips at least one rule, with the rules it tripped and the evidence.

    Parameters
    ----------
    data : Dataset or mapping of tables
        Needs ``accounts``; ``posts`` for ``link_spam``; ``follows`` when ``audience_of`` is given.
    audience_of : str, optional
        Handle or id: check only the accounts following it (at ``as_of``).
    as_of : timestamp, optional
        Reference time for account age and the audience (default: newest ``observed_at``).
    min_followers, following_multiple, min_following_silent : number
        Thresholds of ``follow_farm`` and ``silent_mass_follow`` (see the module docstring and
        :func:`rule_table`).
    min_posts, link_share : number
        Thresholds of ``link_spam``.
    min_following, follow_ratio, max_age_days : number
        Thresholds of ``follow_ratio`` and ``new_account``.
    min_weak_rules : int, default 2
        Non-decisive rules needed to flag an account.

    Returns
    -------
    DataFrame
        Columns :data:`SPAM_COLUMNS`: the evidence (reported counts, posts seen in the store and
        how many carry links or ad hashtags, ratio, age), ``rules`` ("; "-joined names),
        ``n_rules`` and ``flagged``; flagged accounts first, most rules first.

    Examples
    --------
    >>> from roi.tables import conform
    >>> acc = conform("accounts", {"platform": ["x"] * 2, "account_id": ["1", "2"], "handle": ["farm", "ok"],
    ...     "followers_count": [1200, 300], "following_count": [2600, 280], "posts_count": [0, 900],
    ...     "default_profile": [True, False], "created_at": ["2020-01-01"] * 2, "observed_at": ["2026-01-01"] * 2})
    >>> spam_rules({"accounts": acc})[["handle", "rules", "flagged"]].values.tolist()
    [['farm', 'follow_farm; silent_mass_follow; default_profile', True]]
    """
    for name, value in {"min_followers": min_followers, "following_multiple": following_multiple,
                        "min_following_silent": min_following_silent,
                        "min_posts": min_posts, "min_following": min_following, "follow_ratio": follow_ratio,
                        "max_age_days": max_age_days}.items():
        if not value >= 0:
            raise ParameterError(f"{name}={value!r}: expected a non-negative number")
    if not 0 < link_share <= 1:
        raise ParameterError(f"link_share={link_share!r}: expected a share in (0, 1]")
    accounts, posts, follows = tables_of(data, "accounts", "posts", "follows")
    acc = accounts.dropna(subset=["account_id"])
    acc = acc.sort_values("observed_at", na_position="first", kind="stable").drop_duplicates("account_id", keep="last")
    if audience_of is not None:
        from roi.graph.followback import resolve_account

        me = resolve_account(data, audience_of)
        edges = follow_edges(follows, as_of=as_of)
        members = edges.loc[edges["followee_id"] == me, "follower_id"]
        acc = acc[acc["account_id"].isin(members)]
    now = to_utc(as_of, name="as_of") if as_of is not None else acc["observed_at"].max()
    acc = acc.reset_index(drop=True)

    own = posts[(posts["kind"] != "repost") & posts["author_id"].isin(acc["account_id"])]
    has_url = own["urls"].list.len().fillna(0).to_numpy() > 0
    tags = own["hashtags"].explode()
    ad_tag = tags.isin(AD_HASHTAGS).groupby(level=0).any().reindex(own.index, fill_value=False).to_numpy()
    per_author = pd.DataFrame({"account_id": own["author_id"].to_numpy(), "link": has_url | ad_tag})
    counts = per_author.groupby("account_id")["link"].agg(["size", "sum"])
    posts_seen = acc["account_id"].map(counts["size"]).fillna(0).astype("Int64")
    link_posts = acc["account_id"].map(counts["sum"]).fillna(0).astype("Int64")

    followers = acc["followers_count"].astype("Int64")
    following = acc["following_count"].astype("Int64")
    reported_posts = acc["posts_count"].astype("Int64")
    ratio = (following.astype("Float64") / followers.astype("Float64").where(followers > 0)).astype("Float64")
    age = ((now - acc["created_at"]).dt.total_seconds() / 86400.0).astype("Float64") if now is not pd.NaT else (
        pd.Series(pd.NA, index=acc.index, dtype="Float64"))
    share = (link_posts.astype("Float64") / posts_seen.astype("Float64").where(posts_seen > 0)).astype("Float64")

    tripped = {
        "follow_farm": (followers >= min_followers) & (following >= following_multiple * followers) & (reported_posts == 0),
        "silent_mass_follow": (reported_posts == 0) & (following >= min_following_silent),
        "link_spam": (posts_seen >= max(min_posts, 1)) & (share >= link_share),
        "follow_ratio": (following >= min_following) & ((ratio >= follow_ratio) | (followers == 0)),
        "new_account": age < max_age_days,
        "default_profile": acc["default_profile"].astype("boolean"),
    }
    hits = pd.DataFrame({k: v.fillna(False).astype(bool).to_numpy() for k, v in tripped.items()})
    names = np.array(RULES, dtype=object)
    rules = [("; ".join(names[row])) for row in hits[list(RULES)].to_numpy()]
    n_rules = hits.sum(axis=1)
    weak = hits[[r for r in RULES if r not in DECISIVE]].sum(axis=1)
    flagged = hits[list(DECISIVE)].any(axis=1) | (weak >= min_weak_rules)
    table = pd.DataFrame({
        "account_id": acc["account_id"].astype("string"),
        "handle": acc["handle"].astype("string"),
        "followers_count": followers,
        "following_count": following,
        "posts_count": reported_posts,
        "posts_seen": posts_seen,
        "link_posts": link_posts,
        "link_share": share,
        "follow_ratio": ratio,
        "age_days": age.round(1),
        "default_profile": acc["default_profile"].astype("boolean"),
        "rules": pd.array(rules, dtype="string"),
        "n_rules": pd.array(n_rules.to_numpy(), dtype="Int64"),
        "flagged": flagged.to_numpy(),
    })
    table = table[table["n_rules"] > 0]
    table = table.sort_values(["flagged", "n_rules", "account_id"], ascending=[False, False, True], kind="stable")
    return table[SPAM_COLUMNS].reset_index(drop=True)


def spam_suspects(data: Any, **options: Any) -> pd.DataFrame:
    """Only the flagged rows of :func:`spam_rules` (same options)."""
    table = spam_rules(data, **options)
    return table[table["flagged"]].reset_index(drop=True)
