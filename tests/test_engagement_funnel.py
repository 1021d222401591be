"""Funnel, channel split, KPIs and audience hours: sums and rates checked by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from roi.engagement import (
    audience_active_hours,
    conversion_funnel,
    conversions_by_channel,
    engagement_kpis,
    post_metrics,
)
from roi.errors import ParameterError
from roi.tables import conform


@pytest.fixture()
def metrics():
    posts = conform("posts", {
        "platform": ["x"] * 4, "post_id": ["1", "2", "3", "4"], "author_id": ["b"] * 4,
        "kind": ["original"] * 4,
        "created_at": ["2026-10-05T13:00Z", "2026-10-05T13:30Z", "2026-10-06T22:00Z", "2026-10-07T13:00Z"],
        "text": ["a", "b", "c", "no link"], "hashtags": [["x"], ["x", "y"], [], []], "mentions": [[]] * 4,
        "urls": [["https://acme.example/1"], ["https://acme.example/2"], ["https://acme.example/3"], []],
        "impressions": [1000, 2000, 500, 800], "likes": [10, 20, 5, 8], "link_clicks": [20, 30, 10, 0]})
    conv = conform("conversions", {
        "post_id": ["1", "2", "3", "1"], "date": ["2026-10-05"] * 3 + ["2026-10-06"],
        "channel": ["social"] * 4, "clicks": [15, 30, 10, 3], "conversions": [1, 3, 0, 1], "revenue": [10, 30, 0, 10]})
    return post_metrics(posts, conversions=conv)


def test_overall_funnel(metrics):
    f = conversion_funnel(metrics).iloc[0]
    assert (f.posts, f.impressions, f.link_clicks, f.web_clicks, f.conversions) == (3, 3500, 60, 58, 5)
    assert f.click_rate == pytest.approx(60 / 3500) and f.landing_rate == pytest.approx(58 / 60)
    assert f.conversion_rate == pytest.approx(5 / 58)
    assert f.conversion_ci_low < f.conversion_rate < f.conversion_ci_high
    assert conversion_funnel(metrics, links_only=False).iloc[0].posts == 4


def test_funnel_by_hour_and_hashtag(metrics):
    h = conversion_funnel(metrics, by="hour", tz="America/New_York").set_index("hour")
    assert h.loc[9, "posts"] == 2 and h.loc[9, "conversions"] == 5 and h.loc[18, "web_clicks"] == 10
    t = conversion_funnel(metrics, by="hashtag").set_index("hashtag")
    assert t.loc["x", "web_clicks"] == 48 and t.loc["y", "conversions"] == 3
    p = conversion_funnel(metrics, by="post")
    assert p.post_id.iloc[0] == "2"  # most conversions first
    with pytest.raises(ParameterError, match="by="):
        conversion_funnel(metrics, by="colour")


def test_channels():
    c = conform("conversions", {"post_id": ["1", "n", "m"], "date": ["2026-10-01"] * 3,
                                "channel": ["social", "email", None], "clicks": [10, 40, 5], "conversions": [1, 4, 0]})
    t = conversions_by_channel(c).set_index("channel")
    assert t.loc["email", "channel_group"] == "other" and t.loc["(not given)", "channel_group"] == "unknown"
    assert t.loc["all social", "conversions"] == 1 and t.loc["all other", "web_clicks"] == 40
    assert t.loc["email", "share_of_conversions"] == pytest.approx(0.8)


def test_kpis_against_previous_week(metrics):
    k = engagement_kpis(metrics, start="2026-10-06", end="2026-10-08").set_index("kpi")
    assert k.loc["posts", "value"] == 2 and k.loc["posts", "previous"] == 2
    assert k.loc["impressions", "value"] == 1300 and k.loc["impressions", "previous"] == 3000
    assert k.loc["conversion_rate", "previous"] == pytest.approx(5 / 48)
    assert k.loc["web_clicks", "value"] == 10
    with pytest.raises(ParameterError, match="after start"):
        engagement_kpis(metrics, start="2026-10-08", end="2026-10-06")


def test_audience_hours_in_own_zones():
    follows = conform("follows", {"platform": ["x"] * 3, "follower_id": ["f1", "f2", "f3"],
                                  "followee_id": ["b", "b", "other"]})
    posts = conform("posts", {"platform": ["x"] * 4, "post_id": ["1", "2", "3", "4"],
                              "author_id": ["f1", "f1", "f2", "f3"], "kind": ["original", "repost", "reply", "original"],
                              "created_at": ["2026-07-01T12:00Z"] * 4})
    t = audience_active_hours(posts, follows, account_id="b", tz="UTC",
                              account_tz=pd.Series({"f1": "Asia/Tokyo"})).set_index("hour")
    assert t.loc[21, "posts"] == 2 and t.loc[21, "active_followers"] == 1 and t.loc[21, "own_tz_posts"] == 2
    assert t.loc[12, "posts"] == 1  # f2's zone is unknown: the account's clock
    assert t.posts.sum() == 3 and t.share.sum() == pytest.approx(1.0)
    with pytest.raises(ParameterError, match="tz="):
        audience_active_hours(posts, follows, account_id="b", tz="UTC", account_tz=pd.Series({"f1": "Mars/X"}))


def test_real_mastodon_outbox_unknown_stays_unknown(realdata, tmp_path):
    """A real Mastodon export has no views, no counts and no follower number: every rate is
    unknown (<NA>), never a zero or a made-up proxy; and no post claims real impressions."""
    import roi
    from roi.io import ingest

    store = tmp_path / "store"
    ingest([realdata / "mastodon"], store)
    ds = roi.load(store)
    m = post_metrics(ds.posts, accounts=ds.accounts, conversions=ds.conversions)
    assert len(m) > 1000
    assert not (m.impressions_source == "impressions").any()
    proxied = m.impressions_source == "followers_proxy"
    assert m.loc[~proxied.fillna(False), "impressions"].isna().all()
    assert m.engagement_rate.isna().all() and m.engagements.isna().all()
