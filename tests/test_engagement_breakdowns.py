"""Rates by slot, hashtag, mention, question and content type: hand-checked sums, DST, sparse
flags, seeded intervals, and the same numbers from a Dask DataFrame as from pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from roi.engagement import (
    classify_content,
    conversion_funnel,
    engagement_by_content_type,
    engagement_by_hashtag,
    engagement_by_hashtag_count,
    engagement_by_hour,
    engagement_by_mention,
    engagement_by_question,
    engagement_by_slot,
    post_metrics,
    rate_table,
)
from roi.errors import ParameterError
from roi.tables import conform

NY = "America/New_York"


def _posts(rows):
    cols = ["post_id", "created_at", "text", "hashtags", "mentions", "impressions", "likes", "link_clicks"]
    data = {c: [r[i] for r in rows] for i, c in enumerate(cols)}
    n = len(rows)
    return conform("posts", {**data, "platform": ["x"] * n, "author_id": ["brand"] * n,
                             "kind": ["original"] * n, "urls": [[] for _ in range(n)],
                             "reposts": [0] * n, "replies": [0] * n, "quotes": [0] * n})


@pytest.fixture()
def metrics():
    rows = [
        # DST in New York begins 2026-03-08: 14:30Z is 09:30 on the Saturday before, 10:30 after
        ("1", "2026-03-07T14:30Z", "hi", ["a"], [], 1000, 20, 0),  # Sat 09
        ("2", "2026-03-09T14:30Z", "hi?", ["a", "b"], ["x"], 1000, 40, 0),  # Mon 10
        ("3", "2026-03-09T14:50Z", "hi", [], ["x", "y"], 3000, 30, 0),  # Mon 10
        ("4", "2026-11-02T15:10Z", "why?", ["b"], [], 2000, 10, 0),  # Mon 10 (EST again)
        ("5", "2026-11-02T15:20Z", "no views", ["a"], [], None, 5, 0),  # unknown impressions
    ]
    return post_metrics(_posts(rows))


def test_hour_is_local_and_dst_correct(metrics):
    t = engagement_by_hour(metrics, tz=NY).set_index("hour")
    assert len(t) == 24
    assert t.loc[9, "posts"] == 1 and t.loc[10, "posts"] == 3
    assert t.loc[10, "engagements"] == 80 and t.loc[10, "impressions"] == 6000
    assert t.loc[10, "engagement_rate"] == pytest.approx(80 / 6000)
    assert t.loc[3, "posts"] == 0 and pd.isna(t.loc[3, "engagement_rate"])  # shown, not dropped
    assert t.loc[10, "sparse"] and t.loc[3, "sparse"]  # under 5 posts
    utc = engagement_by_hour(metrics, tz="UTC").set_index("hour")
    assert utc.loc[14, "posts"] == 3 and utc.loc[15, "posts"] == 1


def test_slot_grid(metrics):
    t = engagement_by_slot(metrics, tz=NY, min_posts=3)
    assert len(t) == 168 and t.posts.sum() == 4  # the post without impressions is not in a rate
    mon10 = t[(t.weekday == 0) & (t.hour == 10)].iloc[0]
    assert mon10.posts == 3 and not mon10["sparse"]
    assert mon10.ci_low <= mon10.engagement_rate <= mon10.ci_high
    assert mon10.ci_method == "bootstrap"


def test_bootstrap_seeded(metrics):
    a = engagement_by_hour(metrics, tz=NY, seed=1)
    b = engagement_by_hour(metrics, tz=NY, seed=1)
    pd.testing.assert_frame_equal(a, b)
    d = engagement_by_hour(metrics, tz=NY, ci="delta")
    assert (d.ci_method.dropna() == "delta").all()


def test_hashtag_count_mention_question(metrics):
    h = engagement_by_hashtag_count(metrics).set_index("hashtags")
    assert h.index.tolist() == ["0", "1", "2", "3", "4+"]
    assert h.loc["1", "posts"] == 2 and h.loc["1", "engagements"] == 30
    assert h.loc["4+", "posts"] == 0
    m = engagement_by_mention(metrics).set_index("mentions")
    assert m.posts.tolist() == [2, 1, 1]
    q = engagement_by_question(metrics).set_index("question")
    assert q.loc[True, "engagements"] == 50 and q.loc[True, "impressions"] == 3000


def test_each_hashtag_with_support(metrics):
    t = engagement_by_hashtag(metrics, min_support=1).set_index("hashtag")
    assert t.loc["a", "posts"] == 2 and t.loc["a", "engagements"] == 60  # post 2 counts for a and b
    assert t.loc["b", "posts"] == 2 and t.loc["b", "impressions"] == 3000
    assert engagement_by_hashtag(metrics, min_support=3).empty


def test_click_rate_uses_wilson_and_proportion_check():
    m = pd.DataFrame({"g": [1, 1, 2], "link_clicks": [3, 5, 0], "impressions": [100, 100, 10]})
    t = rate_table(m, "g", rate="click_rate")
    assert t.click_rate.tolist() == [0.04, 0.0] and (t.ci_method == "wilson").all()
    with pytest.raises(ParameterError, match="rate="):
        rate_table(m, "g", rate="ctr")
    with pytest.raises(ParameterError, match="missing"):
        rate_table(m, "nope")


def test_content_type(metrics):
    posts = _posts([("1", "2026-03-07T14:30Z", "20% off", [], [], 100, 1, 0),
                    ("2", "2026-03-07T15:30Z", "Caption this!", [], [], 100, 5, 0)])
    m = post_metrics(posts)
    t = engagement_by_content_type(m, classify_content(posts)).set_index("content_type")
    assert t.loc["promotion", "engagements"] == 1 and t.loc["engagement", "engagements"] == 5
    assert t.loc["original", "posts"] == 0


def test_input_not_mutated(metrics):
    before = metrics.copy()
    engagement_by_slot(metrics, tz=NY)
    engagement_by_hashtag(metrics)
    pd.testing.assert_frame_equal(metrics, before)


def _random_metrics(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2026-09-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 120 * 86400, n), unit="s")
    tags = [[f"t{j}" for j in rng.choice(12, k, replace=False)] for k in rng.integers(0, 4, n)]
    imp = rng.integers(100, 10_000, n)
    clicks = rng.binomial(imp, 0.01)
    posts = conform("posts", {
        "platform": ["x"] * n, "post_id": [str(i) for i in range(n)], "author_id": ["b"] * n,
        "kind": ["original"] * n, "created_at": created, "text": np.where(rng.random(n) < .3, "q?", "s"),
        "hashtags": tags, "mentions": [["m"] * k for k in rng.integers(0, 3, n)],
        "urls": [["https://acme.example"]] * n, "impressions": imp, "likes": rng.poisson(imp * 0.02),
        "reposts": 0, "replies": 0, "quotes": 0, "link_clicks": clicks})
    conv = conform("conversions", {"post_id": [str(i) for i in range(n)], "date": ["2026-10-01"] * n,
                                   "clicks": clicks, "conversions": rng.binomial(clicks, 0.05)})
    return post_metrics(posts, conversions=conv)


def test_dask_gives_the_same_numbers_as_pandas():
    dask = pytest.importorskip("dask")
    import dask.dataframe as dd

    m = _random_metrics()
    d = dd.from_pandas(m, npartitions=4)
    calls = [
        lambda f: engagement_by_slot(f, tz=NY, ci="delta"),
        lambda f: engagement_by_hour(f, tz=NY, ci="delta", rate="click_rate"),
        lambda f: engagement_by_hashtag(f, ci="delta"),
        lambda f: engagement_by_hashtag_count(f, ci="delta"),
        lambda f: engagement_by_mention(f, ci="delta"),
        lambda f: engagement_by_question(f, ci="delta"),
        lambda f: conversion_funnel(f, by="hour", tz=NY),
        lambda f: conversion_funnel(f, by="hashtag"),
        lambda f: conversion_funnel(f),
    ]
    with dask.config.set(scheduler="synchronous"):
        for call in calls:
            expected = call(m)
            got = call(d)
            pd.testing.assert_frame_equal(got.reset_index(drop=True), expected.reset_index(drop=True),
                                          check_dtype=False, rtol=1e-9)
    with pytest.raises(ParameterError, match="bootstrap"):
        engagement_by_hour(d, ci="bootstrap")


def test_dask_store_end_to_end(sample_store):
    """roi.load(engine="dask") -> post_metrics -> rates: the numbers pandas gives."""
    dask = pytest.importorskip("dask")
    import roi

    pdf = roi.load(sample_store)
    ddf = roi.load(sample_store, engine="dask")
    with dask.config.set(scheduler="synchronous"):
        expected = post_metrics(pdf.posts, accounts=pdf.accounts, conversions=pdf.conversions)
        got = post_metrics(ddf.posts, accounts=ddf.accounts, conversions=ddf.conversions)
        for call in (lambda f: engagement_by_slot(f, tz=NY, ci="delta"),
                     lambda f: engagement_by_hashtag(f, ci="delta"),
                     lambda f: conversion_funnel(f, by="hour", tz=NY)):
            pd.testing.assert_frame_equal(call(got).reset_index(drop=True), call(expected).reset_index(drop=True),
                                          check_dtype=False, rtol=1e-9)
