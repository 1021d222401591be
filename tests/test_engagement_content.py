"""classify_content: each rule by hand, its order, the brand filter, and the input left alone."""

from __future__ import annotations

import pandas as pd
import pytest

from roi.engagement import CONTENT_TYPES, classify_content
from roi.errors import ParameterError
from roi.tables import conform


def _posts(rows):
    n = len(rows)
    return conform("posts", {
        "platform": ["x"] * n, "post_id": [r[0] for r in rows], "author_id": [r[1] for r in rows],
        "kind": [r[2] for r in rows], "text": [r[3] for r in rows], "urls": [r[4] for r in rows],
        "referenced_id": [r[5] for r in rows], "mentions": [[] for _ in rows]})


@pytest.fixture()
def posts():
    return _posts([
        ("1", "b", "original", "How we temper a skillet by hand.", [], None),
        ("2", "b", "original", "The kettle is 20% off this week only.", [], None),
        ("3", "b", "original", "Back in stock: the blender.", [], None),
        ("4", "b", "original", "Our kettle, made to last", ["https://www.acme.example/k?utm_campaign=fall-sale"], None),
        ("5", "b", "original", "Read our story", ["https://acme.example/about?utm_campaign=evergreen"], None),
        ("6", "b", "original", "Caption this: our fryer after a long Sunday!", [], None),
        ("7", "b", "reply", "@fan thanks, glad you like it", [], "99"),
        ("8", "b", "reply", "2/ and then we add the salt", [], "1"),
        ("9", "b", "quote", "Love this recipe", [], "98"),
        ("10", "b", "original", "Is the skillet the best pan?", [], None),
        ("11", "b", "original", "Tell us: 20% off or free shipping?", [], None),
        ("12", "b", "original", "Sale on https://other.example/sale", ["https://other.example/sale"], None),
        ("13", "fan", "original", "20% off everything at my shop", [], None),
    ])


def test_each_rule(posts):
    c = classify_content(posts, brand_domains=["acme.example"], brand_ids=["b"]).set_index("post_id")
    expected = {
        "1": ("original", "own content"),
        "2": ("promotion", "promotional wording"),
        "3": ("promotion", "promotional wording"),
        "4": ("promotion", "link to a brand sale page"),
        "5": ("original", "own content"),  # a brand link that is not a sale page is content
        "6": ("engagement", "invites a response"),
        "7": ("engagement", "reply"),
        "8": ("original", "own content"),  # replying to its own post is a thread
        "9": ("engagement", "repost or quote"),
        "10": ("original", "own content"),  # a question alone is the question effect, not a type
        "11": ("promotion", "promotional wording"),  # promotion is tried first
        "12": ("promotion", "promotional wording"),
    }
    got = {i: (c.loc[i, "content_type"], c.loc[i, "rule"]) for i in expected}
    assert got == expected
    assert "13" not in c.index  # not the brand's post
    assert set(c.content_type) <= set(CONTENT_TYPES)


def test_without_brand_filter_every_post_is_classified(posts):
    c = classify_content(posts)
    assert len(c) == len(posts) and c.post_id.tolist() == posts.post_id.tolist()
    assert c.set_index("post_id").loc["4", "content_type"] == "original"  # no brand domain given


def test_input_not_mutated_and_errors(posts):
    before = posts.copy()
    classify_content(posts, brand_domains=["acme.example"], brand_ids=["b"])
    pd.testing.assert_frame_equal(posts, before)
    with pytest.raises(ParameterError, match="text"):
        classify_content(posts.drop(columns="text"))


def test_real_archive_tweets(realdata, tmp_path):
    """Runs over a real account's archive (1,986 tweets) and labels every one with a rule."""
    import roi
    from roi.io import ingest

    store = tmp_path / "store"
    ingest([realdata / "x-archive"], store)
    ds = roi.load(store)
    c = classify_content(ds.posts)
    assert len(c) == len(ds.posts) and c.rule.notna().all()
    assert (c.content_type == "engagement").sum() > 0  # the archive holds replies
