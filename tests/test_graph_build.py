"""roi.graph.build: the follower graph from accounts and follows snapshots."""

from __future__ import annotations

import pandas as pd
import pytest

from roi.errors import ParameterError
from roi.graph import alive_at, follow_edges, follower_graph
from roi.tables import conform, empty

T0, T1, T2 = "2026-01-05T12:00Z", "2026-01-12T12:00Z", "2026-01-19T12:00Z"


@pytest.fixture
def tables():
    accounts = conform("accounts", {
        "platform": ["x", "x", "x"], "account_id": ["1", "2", "3"], "handle": ["acme", "bob", "cat"],
        "location": ["NYC", None, "Paris"], "followers_count": [10, None, 3],
        "created_at": ["2020-01-01", None, None], "observed_at": [T2] * 3,
    })
    follows = conform("follows", {
        "platform": ["x"] * 7,
        # 2->1 always; 3->1 until T0 only (unfollowed at T1); 9->1 from T1 (9 is unknown);
        # a self-follow, a duplicate, and an edge seen only at T2.
        "follower_id": ["2", "3", "9", "2", "2", "1", "3"],
        "followee_id": ["1", "1", "1", "2", "1", "3", "2"],
        "first_seen": [T0, T0, T1, T0, T0, T2, T2],
        "last_seen": [T2, T0, T2, T2, T2, T2, T2],
    })
    return {"accounts": accounts, "follows": follows}


def test_latest_graph_has_attributes_id_only_nodes_and_no_self_or_duplicate_edges(tables):
    G = follower_graph(tables)
    assert sorted(G.edges()) == [("1", "3"), ("2", "1"), ("3", "2"), ("9", "1")]
    assert G.nodes["1"]["handle"] == "acme" and G.nodes["1"]["followers_count"] == 10
    assert "followers_count" not in G.nodes["2"] and "location" not in G.nodes["2"]  # unknown is absent, not None
    assert G.nodes["9"] == {}  # known only as an id
    assert G.edges["2", "1"]["first_seen"] == pd.Timestamp(T0)


@pytest.mark.parametrize("as_of, expected", [
    ("2026-01-05T12:00Z", [("2", "1"), ("3", "1")]),          # first snapshot
    ("2026-01-10", [("2", "1"), ("3", "1")]),                 # between snapshots: latest before
    ("2026-01-12T12:00Z", [("2", "1"), ("9", "1")]),          # 3 unfollowed, 9 followed
    ("2026-01-01", []),                                       # before any snapshot: nothing known
])
def test_as_of_uses_the_latest_snapshot_at_or_before(tables, as_of, expected):
    G = follower_graph(tables, as_of=as_of)
    assert sorted(e for e in G.edges() if e[1] == "1") == expected


def test_every_account_is_a_node_even_without_edges(tables):
    G = follower_graph(tables, as_of="2026-01-01")
    assert set(G) == {"1", "2", "3"}


def test_empty_tables_give_an_empty_graph():
    G = follower_graph({"accounts": empty("accounts"), "follows": empty("follows")})
    assert G.number_of_nodes() == 0 and G.number_of_edges() == 0
    assert follower_graph({}).number_of_nodes() == 0


def test_bad_inputs_say_what_was_expected(tables):
    with pytest.raises(ParameterError, match="as_of"):
        follower_graph(tables, as_of="not a date")
    with pytest.raises(ParameterError, match="Dataset"):
        follower_graph(42)


def test_undated_edges_are_alive_throughout():
    f = conform("follows", {"platform": ["x", "x"], "follower_id": ["1", "2"], "followee_id": ["2", "1"]})
    assert alive_at(f, "2020-01-01").all() and len(follow_edges(f)) == 2


def test_input_is_not_modified(tables):
    before = {k: v.copy() for k, v in tables.items()}
    follower_graph(tables, as_of=T1)
    for k in tables:
        pd.testing.assert_frame_equal(tables[k], before[k])


def test_every_graph_analysis_runs_on_tables_full_of_nulls():
    """Real exports leave platform, handle, dates, counts and references null; no NA may reach a bool."""
    from pathlib import Path

    import roi.graph as g
    from roi.store import Dataset

    t, w = pd.Timestamp(T0), pd.Timedelta("7D")
    accounts = conform("accounts", {
        "platform": [None, "x", "x", None, "x"], "account_id": ["1", "2", "3", "4", "5"],
        "handle": ["brand", None, "c", "d", "e"], "location": [None, "Paris", None, "London", "Berlin, Germany"],
        "followers_count": [100, None, 5, None, 2000], "following_count": [None, None, 5000, None, None],
        "created_at": [None, t, None, None, t], "observed_at": [None, t, None, t, None]})
    # 2->1 and 3->2 over both snapshots, 4->1 from the second, 2->3 in the first only; 3->1 and 5->1 undated
    follows = conform("follows", {
        "platform": ["x", None, "x", "x", None, "x"], "follower_id": ["2", "3", "4", "5", "2", "3"],
        "followee_id": ["1", "1", "1", "1", "3", "2"],
        "first_seen": [t, None, t + w, None, t, t], "last_seen": [t + w, None, t + w, None, t, t + w]})
    posts = conform("posts", {
        "platform": [None, "x", "x", None], "post_id": ["p1", "p2", "p3", "p4"], "author_id": ["1", "2", "3", "1"],
        "created_at": [t + pd.Timedelta(hours=h) for h in range(4)],
        "kind": ["original", "reply", "repost", "reply"], "referenced_id": [None, "p1", "gone", "gone2"]})
    ds = Dataset(path=Path("."), accounts=accounts, follows=follows, posts=posts,
                 conversions=empty("conversions"), experiments=empty("experiments"))
    start, end = t - w, t + 2 * w
    G = follower_graph(ds)
    assert sorted(G.edges()) == [("2", "1"), ("3", "1"), ("3", "2"), ("4", "1"), ("5", "1")]
    table = g.influence(G, posts=posts).set_index("account_id")
    assert int(table.loc["1", "in_degree"]) == 4
    back = g.follow_back(ds, "brand")
    assert sorted(back["account_id"]) == ["2", "3", "4", "5"] and set(back["status"]) == {"not_followed"}
    assert len(g.follow_back_candidates(ds, "brand")) == 4
    assert g.earned_engagement(posts, start=start, end=end).to_dict() == {"1": 1}  # p2 replies to p1
    spam = g.spam_rules(ds).set_index("account_id")
    assert "follow_ratio" in spam.loc["3", "rules"]  # 5,000 following / 5 followers; posts_count unknown
    for result in (g.communities(G, posts=posts), g.new_followers(ds, "brand", start=start, end=end),
                   g.follower_change(ds, "brand", start=start, end=end), g.growth_churn(ds, "brand"),
                   g.rising_voices(ds, start=start, end=end, audience_of="brand"),
                   g.influential_new_followers(ds, "brand", start=start, end=end),
                   g.engagement_authority(posts), g.spam_suspects(ds, audience_of="brand")):
        assert isinstance(result, pd.DataFrame)
