"""roi.graph.spam: each rule by hand, thresholds as parameters, precision and recall on the sample."""

from __future__ import annotations

import pytest

from roi.errors import ParameterError
from roi.graph import rule_table, spam_rules, spam_suspects
from roi.tables import conform


@pytest.fixture
def data():
    accounts = conform("accounts", {
        "platform": ["x"] * 6,
        "account_id": ["farm", "silent", "links", "ratio_new", "person", "tiny_farm"],
        "handle": ["farm", "silent", "links", "ratio_new", "person", "tiny_farm"],
        "followers_count": [1000, 40, 300, 20, 500, 999],
        "following_count": [2000, 1500, 400, 900, 450, 2500],
        "posts_count": [0, 0, 9000, 3, 1200, 0],
        "default_profile": [True, True, False, True, False, False],
        "created_at": ["2020-01-01", "2020-01-01", "2020-01-01", "2026-01-20", "2015-01-01", "2020-01-01"],
        "observed_at": ["2026-02-01"] * 6,
    })
    n = 10
    posts = conform("posts", {
        "platform": ["x"] * (2 * n), "post_id": [f"l{i}" for i in range(n)] + [f"p{i}" for i in range(n)],
        "author_id": ["links"] * n + ["person"] * n, "kind": ["original"] * (2 * n),
        "created_at": ["2026-01-25T12:00Z"] * (2 * n),
        # 9 of links' 10 posts carry a URL, one an #ad hashtag; person posts one link in ten
        "urls": [["https://deal.example"]] * 9 + [[]] + [["https://blog.example"]] + [[]] * (n - 1),
        "hashtags": [[]] * 9 + [["ad"]] + [[]] * n,
    })
    return {"accounts": accounts, "posts": posts}


def test_each_rule_trips_as_documented(data):
    t = spam_rules(data).set_index("account_id")
    assert t.loc["farm", "rules"] == "follow_farm; silent_mass_follow; default_profile"
    assert t.loc["silent", "rules"] == "silent_mass_follow; follow_ratio; default_profile"
    assert t.loc["links", "rules"] == "link_spam"
    assert (t.loc["links", "posts_seen"], t.loc["links", "link_posts"]) == (10, 10)
    assert t.loc["ratio_new", "rules"] == "follow_ratio; new_account; default_profile"
    assert t.loc["tiny_farm", "rules"] == "silent_mass_follow"  # 999 < 1,000 followers; ratio 2.5 < 10
    assert "person" not in t.index
    assert t["flagged"].to_dict() == {"farm": True, "silent": True, "links": True, "ratio_new": True,
                                      "tiny_farm": True}


def test_thresholds_are_parameters(data):
    t = spam_rules(data, min_followers=900, min_following_silent=5000, min_weak_rules=3).set_index("account_id")
    assert t.loc["tiny_farm", "rules"] == "follow_farm"
    assert "silent_mass_follow" not in t.loc["farm", "rules"]
    assert bool(t.loc["ratio_new", "flagged"])            # three weak rules
    t = spam_rules(data, link_share=1.0, min_following_silent=5000, min_weak_rules=4).set_index("account_id")
    assert t.loc["links", "rules"] == "link_spam"          # 10 of 10 are links or ads
    assert not bool(t.loc["silent", "flagged"])
    assert len(rule_table(min_followers=5)) == 6 and "5" in rule_table(min_followers=5).trips_when[0]
    with pytest.raises(ParameterError, match="link_share"):
        spam_rules(data, link_share=0)


def test_no_accounts_gives_an_empty_table(data):
    empty = {"accounts": data["accounts"].iloc[:0]}
    assert len(spam_rules(empty)) == 0 and "rules" in spam_rules(empty)


def _precision_recall(flagged: set, truth: set) -> tuple[float, float]:
    tp = len(flagged & truth)
    return (tp / len(flagged) if flagged else float("nan")), tp / len(truth)


def test_sample_spam_precision_and_recall_against_truth(sample_ds, sample_truth):
    truth = set(sample_truth["spam_accounts"])
    suspects = spam_suspects(sample_ds)
    assert (suspects["rules"].str.len() > 0).all()  # every suspect carries its reasons
    precision, recall = _precision_recall(set(suspects["account_id"]), truth)
    print(f"sample spam rules: precision {precision:.3f}, recall {recall:.3f}, truth {len(truth)}")
    assert recall >= 0.9 and precision >= 0.8
    # Every planted type is caught by the rule written for it.
    kinds = {a: sample_truth["accounts"][a]["spam_type"] for a in truth}
    by_id = suspects.set_index("account_id")["rules"]
    for account, kind in kinds.items():
        if account in by_id.index:
            assert ("link_spam" in by_id[account]) == (kind == "link_spam")


def test_sample_audience_scope(sample_ds, sample_truth):
    from roi.graph import follow_edges

    brand = sample_truth["brand"]["account_id"]
    edges = follow_edges(sample_ds.follows)
    audience = set(edges.loc[edges["followee_id"] == brand, "follower_id"])
    truth = set(sample_truth["spam_accounts"]) & audience
    flagged = set(spam_suspects(sample_ds, audience_of="acme")["account_id"])
    assert flagged <= audience
    precision, recall = _precision_recall(flagged, truth)
    assert recall >= 0.9 and precision >= 0.8
