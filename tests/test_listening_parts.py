"""Mentions, complaint scoring, topics, response times, spikes, content mix and plots on hand-made data."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from roi.errors import ParameterError
from roi.listening import (
    brand_mentions,
    complaint_coverage,
    complaint_topics,
    content_mix,
    daily_volumes,
    response_summary,
    response_times,
    score_complaints,
    spike_alerts,
    weekly_content_mix,
)
from roi.tables import conform

matplotlib.use("Agg")

T0 = pd.Timestamp("2026-10-05T12:00Z")


def _posts(**cols) -> pd.DataFrame:
    n = len(cols["post_id"])
    cols.setdefault("platform", ["x"] * n)
    cols.setdefault("kind", ["original"] * n)
    cols.setdefault("created_at", [T0 + pd.Timedelta(minutes=i) for i in range(n)])
    return conform("posts", cols)


# --- mentions ------------------------------------------------------------------------------------

def test_addressed_versus_about():
    posts = _posts(
        post_id=["1", "2", "3", "4", "5", "6", "7", "8"],
        author_id=["b", "u", "u", "u", "u", "u", "u", "u"],
        kind=["original", "reply", "original", "original", "original", "repost", "original", "quote"],
        referenced_id=[None, "1", None, None, None, "1", None, "1"],
        text=["brand news", "great", "@AcmeCustServ help", "#Acme rocks", "bought acme pans", "RT @acme: brand news",
              "acmeville is lovely", "Acme, this is great"],
        mentions=[[], [], ["acmecustserv"], [], [], [], [], []],
        hashtags=[[], [], [], ["acme"], [], [], [], []])
    m = brand_mentions(posts, brand_ids=["b"], handles=["@Acme", "acmecustserv"])
    assert m[["post_id", "relation", "via"]].values.tolist() == [
        ["2", "addressed", "reply to brand"], ["3", "addressed", "mention"], ["4", "about", "hashtag"],
        ["5", "about", "term"], ["8", "about", "term"]]


def test_mentions_need_a_handle():
    with pytest.raises(ParameterError, match="handles"):
        brand_mentions(_posts(post_id=["1"], author_id=["u"], text=["x"]), brand_ids=[], handles=[])


# --- complaints (the detector's own tests are in test_listening_detector.py) ------------------------

def test_coverage_counts_languages_and_not_scored():
    s = score_complaints(pd.DataFrame({"post_id": list("123"), "lang": ["en", "de", "de"], "text": [
        "@acme my kettle is broken again", "@acme mein Wasserkocher ist kaputt", "@acme toujours cassé"]}))
    cov = complaint_coverage(s)
    assert cov.values.tolist() == [["de", 2, 0, 2, False], ["en", 1, 1, 0, True]]
    assert not s.scored[1] and not s.is_complaint[1] and s.probability.isna()[1]


# --- topics --------------------------------------------------------------------------------------

def test_shared_phrase_beats_words_and_vocabulary_beats_both():
    c = pd.DataFrame({"post_id": list("1234"), "author_id": list("uvwx"), "text": [
        "the lid on my X2 blender cracked", "Lid of the X2 blender split", "Is anyone else's X2 blender lid cracking?",
        "waited 50 minutes on hold and got cut off"], "complaint_terms": [[], [], [], ["on hold", "cut off"]]})
    t = complaint_topics(c)
    assert t["topic"].tolist() == ["x2 blender", "x2 blender", "x2 blender", "on hold"]
    assert t["topic_rule"].tolist() == ["shared phrase"] * 3 + ["complaint term"]
    v = complaint_topics(c, vocabulary=["lid"])
    assert v["topic"].tolist()[:3] == ["lid"] * 3 and set(v["topic_rule"][:3]) == {"vocabulary"}


def test_same_author_does_not_make_a_phrase_shared():
    c = pd.DataFrame({"post_id": ["1", "2", "3"], "author_id": ["u", "u", "v"],
                      "text": ["pan handle loose", "pan handle loose again", "kettle lid loose"]})
    t = complaint_topics(c)
    # "loose" is used by two people but names no product; "pan handle" is one author's, twice.
    assert t["topic"].tolist() == ["pan handle loose", "pan handle loose", "kettle lid loose"]
    assert t["topic_rule"].tolist() == ["first phrase"] * 3


def test_adverbs_of_frequency_and_degree_never_join_a_topic():
    """"delivery always late", "app never works", "support constantly useless": the adverb says how
    often, not what about; the topic is the product or service alone."""
    c = pd.DataFrame({"post_id": list("1234"), "author_id": list("uvwx"), "text": [
        "Why is @acme delivery always late?", "@acme delivery always late again", "@acme app never loads",
        "@acme app literally never loads"]})
    assert complaint_topics(c, brand_terms=["acme"])["topic"].tolist() == ["delivery", "delivery", "app", "app"]


def test_hashtag_topic_skips_brand_tags():
    c = pd.DataFrame({"post_id": ["1"], "author_id": ["u"], "text": ["broken #acme #X2Blender"],
                      "hashtags": [["acme", "x2blender"]]})
    assert complaint_topics(c, brand_terms=["acme"]).values.tolist() == [["1", "x2blender", "hashtag"]]


# --- response times ------------------------------------------------------------------------------

def test_first_brand_reply_counts_direct_or_in_thread():
    posts = _posts(
        post_id=["1", "2", "3", "4", "5", "6", "7"],
        author_id=["u", "u", "cs", "b", "v", "cs", "w"],
        kind=["original", "reply", "reply", "reply", "original", "reply", "original"],
        referenced_id=[None, "1", "2", "1", None, "9", None],
        conversation_id=["1", "1", "1", "1", "5", "5", "7"],
        created_at=[T0, T0 + pd.Timedelta(minutes=10), T0 + pd.Timedelta(minutes=90),
                    T0 + pd.Timedelta(hours=3), T0, T0 + pd.Timedelta(minutes=5), T0],
        text=["a", "b", "c", "d", "e", "f", "g"])
    complaints = pd.DataFrame({"post_id": ["1", "5", "7"], "author_id": ["u", "v", "w"],
                               "created_at": [T0] * 3, "conversation_id": ["1", "5", "7"],
                               "addressed": [True, True, False]})
    r = response_times(complaints, posts, brand_ids=["b", "cs"])
    # Complaint 1: the custserv reply to the complainant's follow-up (90 min) comes before the brand's
    # direct reply (3 h). Complaint 5: a brand reply in the thread but to someone else's post is not an
    # answer. Complaint 7 was not addressed: not owed a reply, not counted.
    assert r[["post_id", "reply_post_id", "response_minutes"]].astype(object).values.tolist() == [
        ["1", "3", 90.0], ["5", pd.NA, pd.NA]]
    s = response_summary(r, as_of=T0 + pd.Timedelta(hours=30)).iloc[0]
    assert (s.addressed, s.answered, s.within_1h, s.within_24h, s.unanswered, s.open_under_24h) == (2, 1, 0, 1, 1, 0)
    assert s.within_24h_share == 0.5 and s.median_minutes == 90.0
    assert response_summary(r, as_of=T0 + pd.Timedelta(hours=2)).open_under_24h[0] == 1


def test_a_reply_before_the_complaint_is_not_an_answer():
    posts = _posts(post_id=["1", "2"], author_id=["cs", "u"], kind=["reply", "original"],
                   referenced_id=["2", None], conversation_id=["2", "2"],
                   created_at=[T0 - pd.Timedelta(minutes=1), T0], text=["x", "y"])
    c = pd.DataFrame({"post_id": ["2"], "author_id": ["u"], "created_at": [T0], "conversation_id": ["2"],
                      "addressed": [True]})
    assert not response_times(c, posts, brand_ids=["cs"]).answered.any()


# --- spikes --------------------------------------------------------------------------------------

def test_daily_volumes_are_local_days_with_zeros():
    m = pd.DataFrame({"created_at": pd.to_datetime(["2026-10-05T03:00Z", "2026-10-07T12:00Z"], utc=True)})
    d = daily_volumes(m, m.iloc[1:], tz="America/New_York")
    assert d["date"].dt.strftime("%m-%d").tolist() == ["10-04", "10-05", "10-06", "10-07"]
    assert d["mentions"].tolist() == [1, 0, 0, 1] and d["complaints"].tolist() == [0, 0, 0, 1]
    assert d["weekday"].tolist() == [6, 0, 1, 2]


def test_spike_respects_the_weekday():
    days = pd.date_range("2026-09-07", periods=35, freq="D")
    # Saturdays are always busy (20); weekdays quiet (2). A busy Saturday is no spike, a busy Tuesday is.
    counts = np.where(days.day_of_week == 5, 20, 2)
    counts[days.get_loc(pd.Timestamp("2026-10-06"))] = 20
    d = pd.DataFrame({"date": days, "weekday": days.day_of_week, "complaints": counts})
    a = spike_alerts(d, series=("complaints",))
    flagged = a[a.flagged]
    assert flagged["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-10-06"]
    row = flagged.iloc[0]
    assert (row["count"], row["baseline"], row["excess"]) == (20, 2.0, 18.0)
    # The first two weeks have too little history to judge.
    assert a["baseline"].isna().sum() == 14


def test_a_single_post_on_a_quiet_day_is_no_spike():
    days = pd.date_range("2026-09-07", periods=35, freq="D")
    counts = np.zeros(35, dtype=int)
    counts[-1] = 1
    counts[-2] = 4
    a = spike_alerts(pd.DataFrame({"date": days, "complaints": counts}), series=("complaints",))
    assert a[a.flagged]["count"].tolist() == [4]


def test_spike_options_are_checked():
    d = pd.DataFrame({"date": pd.date_range("2026-09-07", periods=3, freq="D"), "complaints": [1, 2, 3]})
    with pytest.raises(ParameterError, match="min_history"):
        spike_alerts(d, series=("complaints",), weeks=1, min_history=2)
    with pytest.raises(ParameterError, match="consecutive"):
        spike_alerts(d.iloc[[0, 2]], series=("complaints",))


# --- content mix ---------------------------------------------------------------------------------

def test_weekly_mix_counts_shares_and_gaps():
    posts = _posts(
        post_id=list("123456"), author_id=["b", "b", "b", "cs", "u", "b"],
        kind=["original", "original", "reply", "reply", "original", "original"],
        referenced_id=[None, None, "5", "5", None, None],
        created_at=pd.to_datetime(["2026-10-05T12:00Z", "2026-10-06T12:00Z", "2026-10-07T12:00Z",
                                   "2026-10-07T13:00Z", "2026-10-07T11:00Z", "2026-10-13T12:00Z"]),
        text=["How we test knives", "20% off this weekend", "thanks!", "DM us", "love it", "Meet the team"])
    mix = content_mix(posts, brand_ids=["b"], tz="UTC")
    assert mix[["post_id", "content_type", "rule"]].values.tolist() == [
        ["1", "original", "own content"], ["2", "promotion", "promotional wording"], ["3", "engagement", "reply"],
        ["6", "original", "own content"]]
    w = weekly_content_mix(mix, min_posts=3)
    first = w[w.week == "2026-W41"].set_index("content_type")
    assert first["posts"].to_dict() == {"original": 1, "engagement": 1, "promotion": 1}
    assert (first["week_posts"] == 3).all() and np.allclose(first["gap"], 0.0)
    second = w[w.week == "2026-W42"].set_index("content_type")
    assert second.loc["original", "share"] == 1.0 and second["sparse"].all()
    assert second.loc["promotion", "posts"] == 0


def test_weekly_mix_of_nothing_is_empty_with_the_columns():
    w = weekly_content_mix(pd.DataFrame({"week": pd.Series([], dtype="string"),
                                         "content_type": pd.Series([], dtype="string")}))
    assert w.empty and list(w.columns) == ["week", "content_type", "posts", "week_posts", "share", "target", "gap",
                                           "sparse"]


# --- plots ---------------------------------------------------------------------------------------

def test_plots_return_axes():
    from roi.listening.plots import plot_content_mix, plot_daily_volumes, plot_response_times

    days = pd.date_range("2026-09-07", periods=21, freq="D")
    a = spike_alerts(pd.DataFrame({"date": days, "complaints": [1] * 20 + [9]}), series=("complaints",))
    ax = plot_daily_volumes(a)
    assert ax.get_ylabel() == "complaints per local day"
    w = weekly_content_mix(pd.DataFrame({"week": ["2026-W41"] * 2, "content_type": ["original", "promotion"]}))
    ax = plot_content_mix(w)
    assert len(ax.patches) == 3
    r = pd.DataFrame({"response_minutes": pd.array([30.0, None], dtype="Float64")})
    ax = plot_response_times(r)
    assert "of 2 addressed" in ax.get_ylabel()
    import matplotlib.pyplot as plt

    plt.close("all")
