"""Listening on real public X API v2 pages (twarc-csv's brexit.jsonl): invariants that must hold on messy text."""

from __future__ import annotations

import numpy as np
import pytest

import roi
from roi.listening import brand_mentions, complaint_coverage, complaint_topics, score_complaints


@pytest.fixture(scope="module")
def brexit(realdata, tmp_path_factory):
    from roi.io import ingest

    store = tmp_path_factory.mktemp("listen-real") / "store"
    ingest([realdata / "x-api-v2" / "brexit.jsonl"], store)
    return roi.load(store).posts


def test_mentions_of_a_real_handle(brexit):
    # Treat @BBCNews as "the brand": every non-repost post whose mentions hold it is addressed.
    m = brand_mentions(brexit, brand_ids=[], handles=["@BBCNews"])
    has = brexit[(brexit.kind != "repost").to_numpy()]
    expected = {pid for pid, ms in zip(has.post_id, has.mentions) if ms is not None and "bbcnews" in list(ms)}
    assert set(m[m.relation == "addressed"].post_id) == expected and expected
    assert not (set(m.post_id) & set(brexit[brexit.kind == "repost"].post_id))


def test_scoring_reads_every_post_and_never_flags_other_languages(brexit):
    posts = brexit[(brexit.kind != "repost").to_numpy()]
    s = score_complaints(posts)
    assert len(s) == len(posts) and s.sentiment.between(-1, 1).all()
    cov = complaint_coverage(s)
    assert cov.posts.sum() == len(posts)
    assert (cov[~cov.readable].complaints == 0).all()
    assert cov[cov.lang == "en"].complaints.iloc[0] > 0  # "Broken #Brexit" and friends
    # Every complaint has a term or strongly negative sentiment, as the rule says.
    c = s[s.is_complaint]
    assert ((c.complaint_terms.list.len() > 0).to_numpy() | (c.sentiment <= -0.5).to_numpy()).all()
    assert np.allclose(s.complaint_score, s.complaint_terms.list.len().astype(float) - s.sentiment)


def test_topics_of_real_complaints(brexit):
    posts = brexit[(brexit.kind != "repost").to_numpy()]
    s = score_complaints(posts)
    c = posts[s.is_complaint.to_numpy()].assign(complaint_terms=s[s.is_complaint].complaint_terms.to_numpy())
    t = complaint_topics(c)
    assert len(t) == len(c)
    assert set(t.topic_rule) <= {"hashtag", "shared phrase", "first phrase", "complaint term", "none"}
    # Most of these tweets carry #Brexit: without it being a brand term, it is their topic.
    assert (t.topic == "brexit").mean() > 0.3
