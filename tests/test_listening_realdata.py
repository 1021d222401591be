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
    expected = {pid for pid, ms in zip(has.post_id, has.mentions, strict=True) if ms is not None and "bbcnews" in list(ms)}
    assert set(m[m.relation == "addressed"].post_id) == expected and expected
    assert not (set(m.post_id) & set(brexit[brexit.kind == "repost"].post_id))


def test_scoring_reads_every_post_and_never_flags_other_languages(brexit):
    posts = brexit[(brexit.kind != "repost").to_numpy()]
    s = score_complaints(posts)
    assert len(s) == len(posts) and s.sentiment.between(-1, 1).all()
    cov = complaint_coverage(s)
    assert cov.posts.sum() == len(posts)
    # Posts in other languages are not scored: never complaints, and counted.
    other = ~posts["lang"].astype("string").fillna("und").isin(["en", "und", "zxx", "qme"]).to_numpy()
    assert not s.is_complaint[other].any() and (~s.scored[other]).all()
    assert cov.not_scored.sum() == int((~s.scored).sum()) >= int(other.sum())
    # Every complaint says why, and has a probability at or above the model's threshold.
    c = s[s.is_complaint]
    assert len(c) and all(len(r) > 0 for r in c.reasons)
    assert (c.probability >= 0.5).all() and np.isfinite(s.complaint_score).all()


def test_topics_of_real_complaints_are_never_stop_like_words(brexit):
    from roi.listening import PRODUCT_NOUNS, STOP_WORDS

    posts = brexit[(brexit.kind != "repost").to_numpy()]
    s = score_complaints(posts)
    c = posts[s.is_complaint.to_numpy()].assign(complaint_terms=s[s.is_complaint].complaint_terms.to_numpy())
    t = complaint_topics(c)
    assert len(t) == len(c)
    assert set(t.topic_rule) <= {"hashtag", "shared phrase", "first phrase", "complaint term", "none"}
    # Political news talk: "#Brexit" or "people" is no product, so it is never a topic here.
    topics = t.topic.dropna().tolist()
    assert "brexit" not in topics and not set(topics) & STOP_WORDS
    phrases = t[t.topic_rule.isin(["shared phrase", "first phrase"])].topic.tolist()
    assert all(any(w in PRODUCT_NOUNS or w.rstrip("s") in PRODUCT_NOUNS for w in tp.split()) for tp in phrases)
    tags = t[t.topic_rule == "hashtag"].topic.tolist()  # e.g. #energycrisis: holds "energy"
    assert all(any(n in tg for n in PRODUCT_NOUNS if len(n) >= 4) for tg in tags)
