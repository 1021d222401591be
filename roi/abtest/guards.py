"""Guard rails: the reasons a comparison of two posting slots can mislead, as plain warnings.

Each function takes the per-post table of a comparison (one row per post with an ``arm`` column
holding ``"A"`` or ``"B"``) and returns a list of one-line warnings (empty when all is well).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["too_few_posts", "content_mix_differs", "dominant_posts", "repeated_looks", "not_randomised",
           "CONTENT_FEATURES"]

#: Content features compared between arms: (description, how to compute it from post metrics).
CONTENT_FEATURES = {
    "posts with hashtags": lambda m: m["hashtag_count"].astype("Float64") > 0,
    "posts with a question": lambda m: m["has_question"].astype("boolean"),
    "posts with a link": lambda m: m["has_link"].astype("boolean"),
    "posts mentioning someone": lambda m: m["mention_count"].astype("Float64") > 0,
}
_FEATURE_COLUMNS = {"posts with hashtags": "hashtag_count", "posts with a question": "has_question",
                    "posts with a link": "has_link", "posts mentioning someone": "mention_count"}


def too_few_posts(posts: pd.DataFrame, *, min_posts: int) -> list[str]:
    """Return a warning when an arm has fewer than ``min_posts`` posts (no winner is declared then).

    >>> too_few_posts(pd.DataFrame({"arm": ["A", "A", "B"]}), min_posts=2)
    ['B has 1 post, fewer than the 2 per arm needed before a winner is declared']
    """
    counts = posts["arm"].value_counts()
    out = []
    for arm in ("A", "B"):
        n = int(counts.get(arm, 0))
        if n < min_posts:
            out.append(f"{arm} has {n} post{'s' if n != 1 else ''}, fewer than the {min_posts} per arm "
                       "needed before a winner is declared")
    return out


def content_mix_differs(posts: pd.DataFrame, *, threshold: float = 0.2) -> list[str]:
    """Warnings when the arms differ in content mix by at least ``threshold`` (share of posts).

    Hashtags, questions, links and mentions change engagement on their own, so a slot that got
    more of them can look better for reasons that have nothing to do with the time of day.

    >>> m = pd.DataFrame({"arm": ["A", "A", "B", "B"], "hashtag_count": [0, 0, 2, 1]})
    >>> content_mix_differs(m)
    ['content mix differs: posts with hashtags are 0% of A and 100% of B; part of the lift may be the content, not the slot']
    """
    out = []
    for name, feature in CONTENT_FEATURES.items():
        if _FEATURE_COLUMNS[name] not in posts.columns:
            continue
        flag = feature(posts).astype("Float64")
        share = flag.groupby(posts["arm"].to_numpy()).mean()
        a, b = share.get("A", pd.NA), share.get("B", pd.NA)
        if pd.isna(a) or pd.isna(b):
            continue
        if abs(float(b) - float(a)) >= threshold:
            out.append(f"content mix differs: {name} are {float(a):.0%} of A and {float(b):.0%} of B; "
                       "part of the lift may be the content, not the slot")
    return out


def dominant_posts(posts: pd.DataFrame, *, events: str, share: float = 0.5) -> list[str]:
    """Warnings when one post (one cascade) holds more than ``share`` of an arm's events.

    With few posts one of them always holds a large share, so a post is only flagged when its
    share is also more than twice its fair share (2/n of the arm's n posts).

    >>> m = pd.DataFrame({"arm": ["A", "A", "A", "B", "B", "B"], "post_id": list("123456"),
    ...                   "engagements": [10, 12, 11, 90, 5, 5]})
    >>> dominant_posts(m, events="engagements")
    ['one post dominates B: post 4 has 90 of 100 engagements (90%); a single viral post can decide the comparison']
    """
    out = []
    for arm in ("A", "B"):
        rows = posts[posts["arm"] == arm]
        total = float(rows[events].astype("Float64").sum())
        if len(rows) < 2 or total <= 0:
            continue
        top = rows[events].astype("Float64").idxmax()
        top_events = float(rows.loc[top, events])
        if top_events / total > max(share, 2 / len(rows)):
            out.append(f"one post dominates {arm}: post {rows.loc[top, 'post_id']} has {top_events:,.0f} of "
                       f"{total:,.0f} {events} ({top_events / total:.0%}); a single viral post can decide "
                       "the comparison")
    return out


def repeated_looks(*, always_valid_p: float | None, planned_pairs: int | None, pairs: int) -> list[str]:
    """Return the peeking warning: a p-value is valid for one look at a sample size fixed in advance.

    >>> repeated_looks(always_valid_p=None, planned_pairs=20, pairs=20)
    []
    >>> repeated_looks(always_valid_p=0.2, planned_pairs=20, pairs=8)[0][:45]
    'interim look: 8 of 20 planned pairs so far; s'
    """
    if planned_pairs is not None and pairs >= planned_pairs:
        return []
    seq = ("" if always_valid_p is None else
           f"; the always-valid p (mixture SPRT), which allows any number of looks, is {always_valid_p:.3g}")
    if planned_pairs is not None:
        return [f"interim look: {pairs} of {planned_pairs} planned pairs so far; stopping now because p "
                f"looks small inflates false positives{seq}"]
    return ["repeated looks: p_value and the interval assume one look at a sample size fixed in advance; "
            f"checking repeatedly and stopping when it looks good inflates false positives{seq}"]


def not_randomised() -> list[str]:
    """Return the warning for an ad hoc comparison of existing posts (no randomised assignment)."""
    return ["ad hoc comparison of existing posts: slots were not assigned at random, so content, week or "
            "audience differences can explain the lift; confirm with a paired test (`roi ab plan`)"]
