"""post_metrics: per-post figures checked by hand on a tiny table, and on real X v2 data."""

from __future__ import annotations

import pandas as pd
import pytest

from roi.engagement import POST_METRIC_COLUMNS, post_metrics
from roi.errors import ParameterError
from roi.tables import conform


@pytest.fixture()
def posts():
    return conform("posts", {
        "platform": ["x", "x", "x", "mastodon", "x"],
        "post_id": ["1111111111111111111", "2", "3", "m1", "5"],
        "author_id": ["brand", "fan", "brand", "masto", "brand"],
        "kind": ["original", "repost", "reply", "original", "original"],
        "referenced_id": [None, "1111111111111111111", None, None, None],
        "created_at": ["2026-10-01T13:00Z"] * 5,
        "text": ["Which one? #a #b", "RT @brand: Which one?", "thanks @fan", "hello", "no metrics"],
        "hashtags": [["a", "b"], ["a", "b"], [], [], None],
        "mentions": [[], [], ["fan", "x"], [], []],
        "urls": [["https://acme.example/x"], [], [], [], []],
        "impressions": [1000, 1000, 0, None, None],
        "likes": [30, 30, 1, 4, None],
        "reposts": [5, 5, 0, 1, None],
        "replies": [3, 3, 0, 0, None],
        "quotes": [2, 2, 0, None, None],
        "link_clicks": [10, 10, None, None, None],
    })


def test_columns_and_reposts_dropped(posts):
    m = post_metrics(posts)
    assert list(m.columns) == POST_METRIC_COLUMNS
    assert m.post_id.tolist() == ["1111111111111111111", "3", "m1", "5"]  # the repost is not counted again
    assert str(m.post_id.dtype) == "string" and str(m.engagements.dtype) == "Int64"


def test_engagements_sum_known_parts_and_rates(posts):
    m = post_metrics(posts).set_index("post_id")
    assert m.loc["1111111111111111111", "engagements"] == 30 + 5 + 3 + 2 + 10
    assert m.loc["1111111111111111111", "engagement_rate"] == pytest.approx(0.05)
    assert m.loc["1111111111111111111", "click_rate"] == pytest.approx(0.01)
    assert m.loc["m1", "engagements"] == 5  # quotes and link clicks unknown: not counted
    assert pd.isna(m.loc["5", "engagements"])  # nothing known: unknown, not zero
    assert pd.isna(m.loc["3", "engagement_rate"])  # zero impressions: no rate
    assert pd.isna(m.loc["m1", "impressions"])  # no accounts given: no proxy


def test_followers_proxy_is_labelled(posts):
    accounts = conform("accounts", {"platform": ["mastodon", "mastodon"], "account_id": ["masto", "masto"],
                                    "followers_count": [100, 250],
                                    "observed_at": ["2026-09-01T00:00Z", "2026-10-01T00:00Z"]})
    m = post_metrics(posts, accounts=accounts).set_index("post_id")
    assert m.loc["m1", "impressions"] == 250  # the newest observation
    assert m.loc["m1", "impressions_source"] == "followers_proxy"
    assert m.loc["1111111111111111111", "impressions_source"] == "impressions"
    assert m.loc["m1", "engagement_rate"] == pytest.approx(5 / 250)


def test_conversions_joined_on_post_id(posts):
    conv = conform("conversions", {"post_id": ["1111111111111111111"] * 2 + ["campaign"],
                                   "date": ["2026-10-01", "2026-10-02", "2026-10-01"],
                                   "channel": ["social", "social", "email"],
                                   "clicks": [6, 2, 50], "conversions": [1, 1, 9]})
    m = post_metrics(posts, conversions=conv).set_index("post_id")
    assert m.loc["1111111111111111111", "web_clicks"] == 8
    assert m.loc["1111111111111111111", "conversion_rate"] == pytest.approx(2 / 8)
    assert m.loc["3", "web_clicks"] == 0 and pd.isna(m.loc["3", "conversion_rate"])
    assert post_metrics(posts).web_clicks.isna().all()  # no table: unknown


def test_counts_flags(posts):
    m = post_metrics(posts).set_index("post_id")
    assert m.loc["1111111111111111111", ["hashtag_count", "mention_count"]].tolist() == [2, 0]
    assert m.loc["3", "mention_count"] == 2
    assert bool(m.loc["1111111111111111111", "has_question"]) and not bool(m.loc["3", "has_question"])
    assert bool(m.loc["1111111111111111111", "has_link"]) and not bool(m.loc["m1", "has_link"])
    assert pd.isna(m.loc["5", "hashtag_count"])  # unknown list stays unknown


def test_input_not_mutated(posts):
    before = posts.copy()
    post_metrics(posts)
    pd.testing.assert_frame_equal(posts, before)


def test_missing_column_is_one_line_error(posts):
    with pytest.raises(ParameterError, match="missing column"):
        post_metrics(posts.drop(columns=["kind"]))
