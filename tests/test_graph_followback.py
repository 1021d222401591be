"""roi.graph.followback and rising: follow-back, new followers, weekly growth and churn, rising voices."""

from __future__ import annotations

import pandas as pd
import pytest

from roi.errors import ParameterError
from roi.graph import (
    follow_back,
    follow_back_candidates,
    follower_change,
    growth_churn,
    influential_new_followers,
    new_followers,
    rising_voices,
)
from roi.tables import conform
from roi.timeframe import week_bounds

# Snapshots every Monday 10:00 UTC; the brand is "a".
S = ["2026-01-05T10:00Z", "2026-01-12T10:00Z", "2026-01-19T10:00Z", "2026-01-26T10:00Z"]


@pytest.fixture
def data():
    accounts = conform("accounts", {"platform": ["x"] * 3, "account_id": ["a", "b", "c"],
                                    "handle": ["Acme", "bob", "cat"], "observed_at": [S[-1]] * 3})
    rows = [
        # follower, followee, first_seen, last_seen
        ("b", "a", S[0], S[3]),   # baseline follower, mutual
        ("a", "b", S[0], S[3]),
        ("c", "a", S[0], S[1]),   # baseline, lost between S1 and S2 (dated 2026-01-15T22:00)
        ("d", "a", S[1], S[3]),   # gained between S0 and S1 (2026-01-08T22:00)
        ("e", "a", S[2], S[2]),   # gained (01-15) and lost (01-22)
        ("a", "f", S[0], S[3]),   # acme follows f since S0; f never follows back
        ("a", "g", S[3], S[3]),   # acme follows g only since the last snapshot
        ("a", "a", S[0], S[3]),   # a self-follow is ignored
    ]
    follows = conform("follows", {"platform": ["x"] * len(rows),
                                  **dict(zip(["follower_id", "followee_id", "first_seen", "last_seen"],
                                             map(list, zip(*rows, strict=True)), strict=True))})
    return {"accounts": accounts, "follows": follows}


def test_follow_back_statuses_and_overdue_by_hand(data):
    t = follow_back(data, "@acme", after_days=14).set_index("account_id")
    assert t["status"].to_dict() == {"f": "not_followed_back", "g": "not_followed_back", "b": "mutual",
                                     "d": "not_followed"}
    assert t.loc["f", "days_waiting"] == 21 and bool(t.loc["f", "overdue"])
    assert t.loc["g", "days_waiting"] == 0 and not bool(t.loc["g", "overdue"])
    assert pd.isna(t.loc["b", "days_waiting"]) and t.loc["b", "handle"] == "bob"
    assert not bool(follow_back(data, "acme").set_index("account_id").loc["f", "overdue"])  # default 90 days
    with pytest.raises(ParameterError, match="after_days"):
        follow_back(data, "acme", after_days=-1)
    with pytest.raises(ParameterError, match="not found"):
        follow_back(data, "nobody")


def test_follow_back_as_of_an_earlier_snapshot(data):
    t = follow_back(data, "a", as_of="2026-01-06").set_index("account_id")
    assert t["status"].to_dict() == {"f": "not_followed_back", "b": "mutual", "c": "not_followed"}


def test_candidates_take_influence_order(data):
    table = pd.DataFrame({"account_id": ["d"], "handle": ["dd"], "pagerank": [0.5], "rank": [1]})
    c = follow_back_candidates(data, "acme", influence_table=table)
    assert c["account_id"].tolist() == ["d"] and c["rank"].tolist() == [1]


def test_weekly_growth_and_churn_by_hand(data):
    t = growth_churn(data, "acme", tz="UTC").set_index("week")
    # Changes dated at bracket midpoints: d +01-08 (W02), c -01-15, e +01-15 (W03), e -01-22 (W04).
    assert t.index.tolist() == ["2026-W02", "2026-W03", "2026-W04"]
    assert t[["followers_start", "new", "lost", "net", "followers_end"]].values.tolist() == [
        [2, 1, 0, 1, 3], [3, 1, 1, 0, 3], [3, 0, 1, -1, 2]]
    assert t.loc["2026-W03", "churn_rate"] == pytest.approx(1 / 3)
    assert bool(t.loc["2026-W02", "before_first_snapshot"])


def test_one_window_new_followers_and_identity(data):
    r = follower_change(data, "acme", start="2026-01-12", end="2026-01-19").iloc[0]
    assert (r.followers_start, r.new, r.lost, r.followers_end) == (3, 1, 1, 3)
    n = new_followers(data, "acme", start="2026-01-05", end="2026-01-19")
    assert n["account_id"].tolist() == ["d", "e"] and n["still_following"].tolist() == [True, False]
    with pytest.raises(ParameterError, match="not before"):
        follower_change(data, "acme", start="2026-01-19", end="2026-01-12")


def test_no_follows_gives_empty_tables_with_columns():
    acc = conform("accounts", {"platform": ["x"], "account_id": ["a"], "handle": ["acme"]})
    data = {"accounts": acc, "follows": conform("follows", {"platform": [], "follower_id": [], "followee_id": []})}
    assert len(growth_churn(data, "acme")) == 0 and "churn_rate" in growth_churn(data, "acme")
    assert len(follow_back(data, "acme")) == 0
    assert len(new_followers(data, "acme", start="2026-01-01", end="2026-01-08")) == 0


# ----------------------------------------------------------------------------- on the sample
def test_sample_weekly_new_and_lost_match_truth(sample_ds, sample_truth):
    tz = sample_truth["brand"]["tz"]
    t = growth_churn(sample_ds, sample_truth["brand"]["handle"], tz=tz).set_index("week")
    truth = sample_truth["followers_by_week"]
    assert list(t.index) == list(truth)
    for week, w in truth.items():
        assert (t.loc[week, "new"], t.loc[week, "lost"]) == (w["new"], w["lost"]), week
        # The store also counts followers the truth leaves out of its audience figure (the brand's
        # partners and customer-service account); the change over the week is the same.
        assert t.loc[week, "followers_end"] - t.loc[week, "followers_start"] == w["end"] - w["start"]
    others = [a for a, v in sample_truth["accounts"].items() if v.get("role") in ("partner", "custserv")]
    fb = follow_back(sample_ds, "acme")
    following_brand = fb[fb["status"].isin(["mutual", "not_followed"])]
    audience_only = (~following_brand["account_id"].isin(others)).sum()
    assert audience_only == truth[list(truth)[-1]]["end"]


def test_sample_rising_voices_and_new_followers(sample_ds, sample_truth):
    week = sample_truth["weeks"]["last"]
    start, end = week_bounds(week, tz=sample_truth["brand"]["tz"])
    new = new_followers(sample_ds, "acme", start=start, end=end)
    assert len(new) == sample_truth["followers_by_week"][week]["new"]
    inf = influential_new_followers(sample_ds, "acme", start=start, end=end, top=None)
    assert set(inf["account_id"]) == set(new["account_id"])
    assert inf["rank"].dropna().is_monotonic_increasing
    r = rising_voices(sample_ds, start=start, end=end, audience_of="acme")
    assert len(r) and (r["follower_growth"] == r["followers_end"] - r["followers_start"]).all()
    assert ((r["follower_growth"] > 0) | (r["engagement_growth"] > 0)).all()
    assert r["score"].is_monotonic_decreasing
    assert sample_truth["brand"]["account_id"] not in set(r["account_id"])


def test_follow_back_of_an_account_that_follows_nobody():
    from roi.graph import follow_back
    from roi.tables import conform

    f = conform("follows", {"platform": ["x", "x"], "follower_id": ["b", "c"], "followee_id": ["a", "a"],
                            "first_seen": ["2026-01-01", "2026-01-08"], "last_seen": ["2026-02-01", "2026-02-01"]})
    t = follow_back({"follows": f}, "a")
    assert t["status"].tolist() == ["not_followed", "not_followed"]
    assert t["days_waiting"].tolist() == [31, 24]
