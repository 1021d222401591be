"""Rising voices and influential new followers: who is gaining weight in the audience this week."""

from __future__ import annotations

from typing import Any

import pandas as pd

from roi.errors import ParameterError
from roi.graph.build import follow_edges, follower_graph, snapshot_for, tables_of
from roi.graph.followback import new_followers, resolve_account
from roi.graph.influence import influence
from roi.timeframe import to_utc

__all__ = ["rising_voices", "influential_new_followers", "earned_engagement", "RISING_COLUMNS"]

RISING_COLUMNS = ["account_id", "handle", "followers_start", "followers_end", "follower_growth",
                  "follower_growth_rate", "earned_before", "earned_week", "engagement_growth", "score"]


def earned_engagement(posts: pd.DataFrame, *, start: Any, end: Any) -> pd.Series:
    """Reposts, replies and quotes received in [start, end), by the author of the post reacted to.

    Only reactions present in ``posts`` count (so it is a weekly count, unlike the platform's
    cumulative metrics); reacting to oneself does not count. Index: account_id.
    """
    start, end = to_utc(start, name="start"), to_utc(end, name="end")
    author_of = posts.dropna(subset=["post_id"]).drop_duplicates("post_id").set_index("post_id")["author_id"]
    reactions = posts[posts["kind"].isin(["repost", "reply", "quote"]) & posts["referenced_id"].notna()
                      & (posts["created_at"] >= start) & (posts["created_at"] < end)]
    target = reactions["referenced_id"].map(author_of)
    keep = target.notna() & (target != reactions["author_id"])
    return target[keep].value_counts().rename("earned").rename_axis("account_id")


def _in_degree_at(follows: pd.DataFrame, when: pd.Timestamp) -> pd.Series:
    """Followers per account as counted at ``when`` (the snapshot :func:`snapshot_for` picks)."""
    edges = follow_edges(follows, as_of=snapshot_for(follows, when))
    return edges["followee_id"].value_counts()


def rising_voices(
    data: Any, *, start: Any, end: Any, audience_of: str | None = None, top: int | None = None
) -> pd.DataFrame:
    """Accounts whose followers and earned engagement grew most in [start, end) over the week before.

    Parameters
    ----------
    data : Dataset or mapping of tables
        Needs ``follows`` and ``posts`` (and ``accounts`` for handles).
    start, end : timestamp
        The window (usually one ISO week, UTC bounds); the comparison period is the same length
        immediately before it.
    audience_of : str, optional
        Handle or id: only that account's followers (at ``end``), the account itself excluded.
    top : int, optional
        Keep the first ``top`` rows.

    Returns
    -------
    DataFrame
        Columns :data:`RISING_COLUMNS`; rows with growth in followers or in earned engagement,
        best first. Followers are counted in the follow snapshots that hold the state at ``start``
        and at ``end`` (:func:`roi.graph.snapshot_for`), ``follower_growth_rate = follower_growth / followers_start``;
        earned engagement is reposts + replies + quotes received (:func:`earned_engagement`);
        ``score`` = mean of the percentile ranks of ``follower_growth`` and ``engagement_growth``.
    """
    start, end = to_utc(start, name="start"), to_utc(end, name="end")
    if not start < end:
        raise ParameterError(f"start={start} is not before end={end}")
    accounts, follows, posts = tables_of(data, "accounts", "follows", "posts")
    before = _in_degree_at(follows, start)
    after = _in_degree_at(follows, end)
    earned_now = earned_engagement(posts, start=start, end=end)
    earned_then = earned_engagement(posts, start=start - (end - start), end=start)
    ids = before.index.union(after.index).union(earned_now.index).union(earned_then.index)
    if audience_of is not None:
        me = resolve_account(data, audience_of)
        edges = follow_edges(follows, as_of=snapshot_for(follows, end))
        members = pd.Index(edges.loc[edges["followee_id"] == me, "follower_id"].unique())
        ids = ids.intersection(members).difference([me])
    table = pd.DataFrame({"account_id": ids.astype(str)})
    table["followers_start"] = table["account_id"].map(before).fillna(0).astype("Int64")
    table["followers_end"] = table["account_id"].map(after).fillna(0).astype("Int64")
    table["follower_growth"] = table["followers_end"] - table["followers_start"]
    fs = table["followers_start"].astype("Float64")
    table["follower_growth_rate"] = (table["follower_growth"].astype("Float64") / fs.where(fs > 0)).astype("Float64")
    table["earned_before"] = table["account_id"].map(earned_then).fillna(0).astype("Int64")
    table["earned_week"] = table["account_id"].map(earned_now).fillna(0).astype("Int64")
    table["engagement_growth"] = table["earned_week"] - table["earned_before"]
    table = table[(table["follower_growth"] > 0) | (table["engagement_growth"] > 0)].copy()
    pct_f = table["follower_growth"].astype(float).rank(pct=True)
    pct_e = table["engagement_growth"].astype(float).rank(pct=True)
    table["score"] = ((pct_f + pct_e) / 2).astype("float64")
    handles = accounts.dropna(subset=["account_id"]).drop_duplicates("account_id", keep="last").set_index("account_id")["handle"]
    table["handle"] = pd.array(table["account_id"].map(handles).astype(object), dtype="string")
    table["account_id"] = table["account_id"].astype("string")
    table = table.sort_values(["score", "follower_growth", "engagement_growth", "account_id"],
                              ascending=[False, False, False, True], kind="stable")
    table = table[RISING_COLUMNS].reset_index(drop=True)
    return table if top is None else table.head(top)


def influential_new_followers(
    data: Any, account: str, *, start: Any, end: Any, influence_table: pd.DataFrame | None = None,
    top: int | None = 10,
) -> pd.DataFrame:
    """Followers ``account`` gained in [start, end), with their influence measures, best first.

    Without ``influence_table`` the audience influence table is computed on the follower graph
    as it stands at ``end`` (the snapshot :func:`roi.graph.snapshot_for` picks, which holds the
    week's new followers) with ``audience_of=account`` and the store's posts.

    Returns
    -------
    DataFrame
        new_followers' columns (account_id, handle, first_seen, still_following) followed by the
        influence table's measures, ordered by its ``rank``.
    """
    new = new_followers(data, account, start=start, end=end)
    if influence_table is None:
        (posts,) = tables_of(data, "posts")
        (follows,) = tables_of(data, "follows")
        as_of = snapshot_for(follows, end)
        G = follower_graph(data, as_of=as_of)
        # Earned engagement counts posts up to the end of the window, not up to the snapshot.
        influence_table = influence(G, audience_of=resolve_account(data, account), posts=posts,
                                    as_of=to_utc(end, name="end"))
    cols = [c for c in influence_table.columns if c != "handle"]
    table = new.merge(influence_table[cols], on="account_id", how="left")
    table = table.sort_values(["rank", "account_id"], na_position="last", kind="stable").reset_index(drop=True)
    return table if top is None else table.head(top)
