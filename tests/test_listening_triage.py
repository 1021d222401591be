"""Hand-made triage cases: every rule of roi.listening.triage with an answer known in advance."""

from __future__ import annotations

import pandas as pd
import pytest

from roi.errors import ParameterError
from roi.listening import ACTIONS, author_influence, find_complaints, triage_queue, triage_rules
from roi.tables import conform

T0 = pd.Timestamp("2026-10-05T09:00Z")

ACCOUNTS = conform("accounts", {
    "platform": ["x"] * 8,
    "account_id": ["b", "cs", "u1", "u2", "u3", "big", "u4", "u5"],
    "handle": ["acme", "acmecustserv", "ann", "bo", "cy", "star", "dee", "eve"],
    "followers_count": [50_000, 3_000, 40, 55, 70, 120_000, 12, 30],
})


def _posts(rows: list[dict]) -> pd.DataFrame:
    """rows: author, hours after T0, text, mentions, hashtags, [kind, referenced_id]."""
    data = {"platform": [], "post_id": [], "author_id": [], "created_at": [], "text": [], "kind": [],
            "referenced_id": [], "conversation_id": [], "mentions": [], "hashtags": [], "lang": []}
    for i, r in enumerate(rows, start=1):
        pid = str(100 + i)
        data["platform"].append("x")
        data["post_id"].append(pid)
        data["author_id"].append(r["author"])
        data["created_at"].append(T0 + pd.Timedelta(hours=r["h"]))
        data["text"].append(r["text"])
        data["kind"].append(r.get("kind", "original"))
        data["referenced_id"].append(r.get("ref"))
        data["conversation_id"].append(r.get("conv", pid))
        data["mentions"].append(r.get("mentions", []))
        data["hashtags"].append(r.get("hashtags", []))
        data["lang"].append("en")
    return conform("posts", data)


def _queue(rows, **kw):
    data = {"posts": _posts(rows), "accounts": ACCOUNTS}
    return triage_queue(data, handles=["acme", "acmecustserv"], brand_terms=["acme"], **kw)


def _action(q, post_id):
    return q.set_index("post_id").at[post_id, "action"]


def test_addressed_complaint_is_answered_in_public():
    q = _queue([{"author": "u1", "h": 0, "text": "@acmecustserv my PourOver kettle is leaking from the base",
                 "mentions": ["acmecustserv"]}])
    assert q[["post_id", "addressed", "action"]].values.tolist() == [["101", True, "reply_public"]]
    assert "addressed to the brand (mention)" in q.reason[0]


def test_addressed_complaint_needing_account_details_goes_private():
    q = _queue([{"author": "u1", "h": 0, "text": "@acmecustserv still waiting on a refund for order 5521",
                 "mentions": ["acmecustserv"]}])
    assert _action(q, "101") == "take_private"
    assert "refund" in q.reason[0] and "order" in q.reason[0]


def test_reply_to_a_brand_post_is_addressed():
    q = _queue([{"author": "b", "h": 0, "text": "New kettle day"},
                {"author": "u1", "h": 1, "text": "mine is leaking already", "kind": "reply", "ref": "101",
                 "conv": "101"}])
    assert q[["post_id", "addressed", "via", "action"]].values.tolist() == [
        ["102", True, "reply to brand", "reply_public"]]


def test_tagged_complaint_alone_is_monitored():
    q = _queue([{"author": "u1", "h": 0, "text": "my X2 blender lid cracked #acme", "hashtags": ["acme"]}])
    assert q[["addressed", "action"]].values.tolist() == [[False, "monitor"]]


def test_second_distinct_complainant_escalates_at_that_post():
    q = _queue([
        {"author": "u1", "h": 0, "text": "my X2 blender lid cracked #acme", "hashtags": ["acme"]},
        {"author": "u2", "h": 30, "text": "so's mine, X2 blender lid split in two #acme", "hashtags": ["acme"]},
        {"author": "u3", "h": 40, "text": "@acme third one this week, X2 blender broken", "mentions": ["acme"]},
    ])
    assert q["action"].tolist() == ["monitor", "escalate", "escalate"]
    assert q["other_authors_in_window"].tolist() == [0, 1, 2]
    assert q["topic"].nunique() == 1
    assert "@ann" in q.reason[1] and "#2" in q.reason[1]


def test_same_author_twice_is_not_a_second_complainant():
    q = _queue([
        {"author": "u1", "h": 0, "text": "my X2 blender lid cracked #acme", "hashtags": ["acme"]},
        {"author": "u1", "h": 5, "text": "still cracked, X2 blender lid useless #acme", "hashtags": ["acme"]},
    ])
    assert q["action"].tolist() == ["monitor", "monitor"]
    assert q["earlier_complaints"].tolist() == [0, 1]
    assert "complained 1 time(s) before" in q.reason[1]


def test_outside_the_window_is_not_a_second_complainant():
    rows = [{"author": "u1", "h": 0, "text": "my X2 blender lid cracked #acme", "hashtags": ["acme"]},
            {"author": "u2", "h": 73, "text": "X2 blender lid split #acme", "hashtags": ["acme"]}]
    assert _queue(rows)["action"].tolist() == ["monitor", "monitor"]
    # ... and inside a wider window it is.
    assert _queue(rows, window_hours=96)["action"].tolist() == ["monitor", "escalate"]


def test_different_topics_do_not_escalate():
    q = _queue([{"author": "u1", "h": 0, "text": "my PourOver kettle is leaking #acme", "hashtags": ["acme"]},
                {"author": "u2", "h": 2, "text": "the ChefEdge knife arrived dull #acme", "hashtags": ["acme"]}])
    assert q["action"].tolist() == ["monitor", "monitor"]
    assert q["topic"].tolist() == ["pourover kettle", "chefedge knife"]


def test_influential_tagged_complainant_gets_a_public_reply():
    q = _queue([{"author": "big", "h": 0, "text": "my X2 blender lid cracked #acme", "hashtags": ["acme"]}])
    assert q[["author", "influential", "action"]].values.tolist() == [["star", True, "reply_public"]]
    assert "120,000 followers >= 10,000" in q.reason[0]
    # Below a higher threshold the same post is only watched.
    assert _queue([{"author": "big", "h": 0, "text": "my X2 blender lid cracked #acme",
                    "hashtags": ["acme"]}], follower_threshold=200_000)["action"].tolist() == ["monitor"]


def test_pagerank_makes_an_author_influential_when_the_graph_is_known():
    follows = conform("follows", {"platform": ["x"] * 4, "follower_id": ["u1", "u2", "u3", "u5"],
                                  "followee_id": ["u4", "u4", "u4", "u4"]})
    posts = _posts([{"author": "u4", "h": 0, "text": "my X2 blender lid cracked #acme", "hashtags": ["acme"]}])
    q = triage_queue({"posts": posts, "accounts": ACCOUNTS, "follows": follows}, handles=["acme"],
                     pagerank_top=0.2)
    assert q[["author", "author_followers", "pagerank_percentile", "action"]].values.tolist() == [
        ["dee", 12, 1.0, "reply_public"]]
    assert "PageRank in the top 20%" in q.reason[0]
    without = triage_queue({"posts": posts, "accounts": ACCOUNTS}, handles=["acme"], pagerank_top=0.2)
    assert without["action"].tolist() == ["monitor"] and without["author_pagerank"].isna().all()


def test_brand_posts_praise_and_reposts_are_not_complaints():
    q = _queue([
        {"author": "cs", "h": 0, "text": "@ann sorry your kettle is leaking, DM us", "mentions": ["ann"]},
        {"author": "u1", "h": 1, "text": "Love my new kettle #acme", "hashtags": ["acme"]},
        {"author": "u2", "h": 2, "text": "RT @ann: my kettle is leaking #acme", "kind": "repost", "ref": "1",
         "hashtags": ["acme"]},
        {"author": "u3", "h": 3, "text": "my kettle is leaking", "hashtags": []},  # not about the brand
    ])
    assert q.empty


def test_since_until_keep_earlier_complaints_in_the_window():
    rows = [{"author": "u1", "h": 0, "text": "my X2 blender lid cracked #acme", "hashtags": ["acme"]},
            {"author": "u2", "h": 30, "text": "X2 blender lid split #acme", "hashtags": ["acme"]},
            {"author": "u3", "h": 200, "text": "X2 blender lid split #acme", "hashtags": ["acme"]}]
    q = _queue(rows, since=T0 + pd.Timedelta(hours=24), until=T0 + pd.Timedelta(hours=48))
    assert q[["post_id", "action"]].values.tolist() == [["102", "escalate"]]


def test_rule_table_names_every_action():
    rules = triage_rules()
    assert set(rules["action"]) == set(ACTIONS)
    assert rules["step"].tolist() == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("kw, message", [
    ({"handles": []}, "handles"),
    ({"handles": ["acme"], "window_hours": 0}, "window_hours"),
    ({"handles": ["acme"], "since": "not a date"}, "since"),
    ({"handles": ["acme"], "pagerank_top": 2}, "pagerank_top"),
    ({"handles": ["acme"], "since": "2026-10-06", "until": "2026-10-05"}, "since must be before"),
])
def test_bad_parameters_raise_one_line(kw, message):
    with pytest.raises(ParameterError, match=message) as info:
        triage_queue({"posts": _posts([]), "accounts": ACCOUNTS}, **kw)
    assert "\n" not in str(info.value)


def test_a_handle_without_an_account_row_is_matched_by_its_text():
    # A customer-service handle that is only ever mentioned has no profile (issue 18).
    accounts = ACCOUNTS[ACCOUNTS.handle != "acmecustserv"]
    posts = _posts([{"author": "u1", "h": 0, "text": "@acmecustserv my order is two weeks late, no reply to my emails",
                     "mentions": ["acmecustserv"]},
                    {"author": "u2", "h": 1, "text": "@AcmeCustServ where is my refund??", "mentions": []}])
    q = triage_queue({"posts": posts, "accounts": accounts}, handles=["acme", "acmecustserv"])
    assert q[["post_id", "addressed"]].values.tolist() == [["101", True], ["102", True]]
    assert q.attrs["handles_without_profile"] == ["acmecustserv"]
    # No account row at all for the brand: still works, by handle text alone.
    alone = triage_queue({"posts": posts, "accounts": ACCOUNTS.iloc[:0]}, handles=["acmecustserv"])
    assert len(alone) == 2 and alone.attrs["handles_without_profile"] == ["acmecustserv"]


def test_replies_to_missing_parents_and_authors_without_profiles():
    # Real exports hold replies whose parent is not in the store and authors with no account row:
    # no pandas NA may reach a Python `if` (issue 18).
    posts = _posts([{"author": "ghost", "h": 0, "text": "@acme my parcel is lost, third time", "kind": "reply",
                     "ref": "999", "conv": None, "mentions": ["acme"]},
                    {"author": "ghost", "h": 1, "text": "@acme still no reply about my lost parcel", "kind": "reply",
                     "ref": None, "conv": None, "mentions": ["acme"]}])
    posts["lang"] = pd.array([None, None], dtype="string")
    q = triage_queue({"posts": posts, "accounts": ACCOUNTS}, handles=["acme"])
    assert len(q) == 2 and q.author.isna().all() and q.author_followers.isna().all()
    assert q.earlier_complaints.tolist() == [0, 1] and "@ghost complained 1 time(s) before" in q.reason[1]


def test_find_complaints_does_not_mutate_its_input():
    posts = _posts([{"author": "u1", "h": 0, "text": "my X2 blender lid cracked #acme", "hashtags": ["acme"]}])
    before = posts.copy()
    find_complaints(posts, brand_ids=["b"], handles=["acme"])
    pd.testing.assert_frame_equal(posts, before)


def test_author_influence_without_follows_has_no_pagerank():
    t = author_influence(ACCOUNTS, None, account_ids=["u1", "zz"])
    assert t["followers"].tolist() == [40, pd.NA] or t["followers"].isna().tolist() == [False, True]
    assert t["pagerank"].isna().all()


def test_the_weekly_section_with_dangling_replies_and_a_handle_without_profile():
    # Issue 18: replies to posts outside the store, brand replies whose parent is missing, authors
    # without account rows, a service handle with no profile: the weekly section still works.
    from roi.listening import complaints_needing_attention

    posts = _posts([
        {"author": "ghost", "h": 0, "text": "@acmecustserv my parcel is lost, third time", "kind": "reply",
         "ref": "999", "conv": None, "mentions": ["acmecustserv"]},
        {"author": "b", "h": 1, "text": "@ghost sorry, DM us", "kind": "reply", "ref": "101", "conv": None,
         "mentions": ["ghost"]},
        {"author": "b", "h": 2, "text": "@nobody thanks!", "kind": "reply", "ref": "12345", "conv": None,
         "mentions": ["nobody"]},
        {"author": "u1", "h": 3, "text": "@acmecustserv still no refund, two weeks now", "kind": "quote",
         "ref": "777", "conv": None, "mentions": ["acmecustserv"]},
    ])
    accounts = ACCOUNTS[ACCOUNTS.handle != "acmecustserv"]
    r = complaints_needing_attention({"posts": posts, "accounts": accounts}, handles=["acme", "acmecustserv"],
                                     start=T0 - pd.Timedelta(days=1), end=T0 + pd.Timedelta(days=6))
    assert set(r["queue"].post_id) == {"101", "104"}
    assert any("@acmecustserv has no profile" in n for n in r["notes"])
    assert r["response_summary"].iloc[0].addressed == 2 and r["response_summary"].iloc[0].answered == 1
