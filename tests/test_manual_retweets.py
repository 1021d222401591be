"""Old-style manual retweets: "RT @user: ..." text that the platform records no repost for.

The class (issue 18): such a post is its author's own -- kind original (or reply / quote when it
replies or quotes), ``manual_repost`` true, its own metrics, ``@user`` among its mentions -- and
never "a repost of nothing" (kind repost without a referenced_id). A post with
``in_reply_to_status_id`` is a reply whatever its text. Checked in every reader that sees such
text: X v1.1, X v2 (record path and Arrow fast path alike), the posts CSV, Mastodon.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

import roi
from roi.engagement.metrics import post_metrics
from roi.io import ingest, x_v1, x_v2
from roi.io._base import as_frame

USER = {"id_str": "1", "screen_name": "fan", "followers_count": 10}
MANUAL = {"id_str": "201", "created_at": "Tue Mar 02 10:00:00 +0000 2010", "user": USER,
          "text": "RT @acme: our new blender is out", "favorite_count": 4, "retweet_count": 1,
          "entities": {"user_mentions": [{"screen_name": "acme", "id_str": "9", "indices": [3, 8]}]}}
MANUAL_REPLY = {"id_str": "202", "created_at": "Tue Mar 02 11:00:00 +0000 2010", "user": USER,
                "text": "RT @acme: so is mine broken?", "in_reply_to_status_id_str": "150", "favorite_count": 0,
                "retweet_count": 0, "entities": {"user_mentions": [{"screen_name": "acme", "indices": [3, 8]}]}}
NATIVE = {"id_str": "203", "created_at": "Tue Mar 02 12:00:00 +0000 2010", "user": USER,
          "text": "RT @acme: hello", "retweeted_status": {
              "id_str": "150", "created_at": "Tue Mar 02 09:00:00 +0000 2010", "text": "hello",
              "user": {"id_str": "9", "screen_name": "acme"}, "favorite_count": 30, "retweet_count": 8},
          "favorite_count": 30, "retweet_count": 8,
          "entities": {"user_mentions": [{"screen_name": "acme", "indices": [3, 8]}]}}


def _no_repost_of_nothing(posts):
    assert not ((posts.kind == "repost") & posts.referenced_id.isna()).any()


def test_v1_manual_retweet_is_the_authors_own_post(tmp_path):
    p = tmp_path / "v1.jsonl"
    p.write_text("".join(json.dumps(t) + "\n" for t in (MANUAL, MANUAL_REPLY, NATIVE)))
    posts = pd.concat([as_frame(c.tables["posts"]) for c in x_v1.read(p)]).set_index("post_id")
    _no_repost_of_nothing(posts)
    m = posts.loc["201"]
    assert (m.kind, m.manual_repost, m.likes, list(m.mentions)) == ("original", True, 4, ["acme"])
    assert pd.isna(m.referenced_id)
    r = posts.loc["202"]  # a reply whatever its text
    assert (r.kind, r.referenced_id, r.manual_repost) == ("reply", "150", True)
    n = posts[~posts._context].loc["203"]  # a native retweet stays a repost of its original
    assert (n.kind, n.referenced_id, n.manual_repost, list(n.mentions)) == ("repost", "150", False, [])


def test_manual_retweets_engagement_counts_for_its_author(tmp_path):
    p = tmp_path / "v1.jsonl"
    p.write_text("".join(json.dumps(t) + "\n" for t in (MANUAL, NATIVE)))
    ds = roi.load(ingest([p], tmp_path / "store").store)
    m = post_metrics(ds.posts[ds.posts.author_id == "1"], accounts=ds.accounts)
    assert set(m.post_id) == {"201"}  # the native retweet's metrics are the original's, never summed again
    assert int(m.set_index("post_id").loc["201", "likes"]) == 4


V2_MANUAL = {"id": "301", "author_id": "1", "created_at": "2024-03-01T10:00:00.000Z",
             "text": "RT @Acme: Big news", "entities": {"mentions": [{"start": 3, "end": 8, "username": "Acme"}]},
             "public_metrics": {"like_count": 2, "retweet_count": 0, "reply_count": 0, "quote_count": 0}}
V2_NATIVE = {"id": "302", "author_id": "1", "created_at": "2024-03-01T11:00:00.000Z", "text": "RT @Acme: Big news",
             "referenced_tweets": [{"type": "retweeted", "id": "300"}],
             "entities": {"mentions": [{"start": 3, "end": 8, "username": "Acme"}]}}
V2_PLAIN = {"id": "303", "author_id": "1", "created_at": "2024-03-01T12:00:00.000Z", "text": "Start @Acme: hi"}


@pytest.mark.parametrize("fast", [True, False], ids=["arrow", "records"])
@pytest.mark.parametrize("shape", ["pages", "flat"])
def test_v2_manual_retweet_same_on_both_paths(tmp_path, monkeypatch, fast, shape):
    from roi.io import _x_v2_arrow

    blocks = []
    name = "read_block" if shape == "pages" else "read_flat_block"
    real = getattr(_x_v2_arrow, name)
    monkeypatch.setattr(_x_v2_arrow, name, lambda *a: blocks.append(r := real(*a)) or r)
    tweets = [V2_MANUAL, V2_NATIVE, V2_PLAIN]
    lines = [{"data": tweets, "__twarc": {"retrieved_at": "2024-03-02T00:00:00+00:00"}}] if shape == "pages" else tweets
    p = tmp_path / "v2.jsonl"
    p.write_text("".join(json.dumps(x) + "\n" for x in lines))
    posts = pd.concat([as_frame(c.tables["posts"]) for c in x_v2.read(p, fast=fast)]).set_index("post_id")
    _no_repost_of_nothing(posts)
    assert blocks and all(b is not None for b in blocks) if fast else not blocks  # the path under test read it
    assert posts.manual_repost.tolist() == [True, False, False]
    assert posts.kind.tolist() == ["original", "repost", "original"]
    assert list(posts.loc["301", "mentions"]) == ["acme"] and list(posts.loc["302", "mentions"]) == []


def test_csv_manual_retweets(tmp_path):
    p = tmp_path / "posts.csv"
    p.write_text("post_id,author,created_at,text,kind,referenced_id,likes\n"
                 "1,fan,2010-03-02T10:00:00Z,RT @acme: new blender,,,4\n"          # no kind: manual
                 "2,fan,2010-03-02T11:00:00Z,RT @acme: new blender,repost,,0\n"    # says repost, names nothing
                 "3,fan,2010-03-02T12:00:00Z,RT @acme: hi,,50,9\n"                 # names its original: a repost
                 "4,fan,2010-03-02T13:00:00Z,RT @acme: mine too,reply,40,1\n"      # a reply whatever its text
                 "5,fan,2010-03-02T14:00:00Z,plain text,,,1\n")
    ds = roi.load(ingest([p], tmp_path / "store").store)
    posts = ds.posts.set_index("post_id")
    _no_repost_of_nothing(posts)
    assert posts.kind.tolist() == ["original", "original", "repost", "reply", "original"]
    assert posts.manual_repost.tolist() == [True, True, False, True, False]
    assert list(posts.loc["1", "mentions"]) == ["acme"] and list(posts.loc["3", "mentions"]) == []
    assert posts.loc["1", "likes"] == 4


def test_mastodon_note_starting_rt_is_a_manual_repost(tmp_path):
    outbox = {"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection", "orderedItems": [
        {"type": "Create", "id": "https://m.s/users/a/statuses/1/activity", "actor": "https://m.s/users/a",
         "published": "2023-01-01T00:00:00Z",
         "object": {"type": "Note", "id": "https://m.s/users/a/statuses/1", "attributedTo": "https://m.s/users/a",
                    "published": "2023-01-01T00:00:00Z", "content": "<p>RT @bob: so good</p>", "tag": []}},
        {"type": "Announce", "id": "https://m.s/users/a/statuses/2/activity", "actor": "https://m.s/users/a",
         "published": "2023-01-02T00:00:00Z", "object": "https://other.s/users/c/statuses/9"}]}
    p = tmp_path / "outbox.json"
    p.write_text(json.dumps(outbox))
    posts = roi.load(ingest([p], tmp_path / "store").store).posts.sort_values("created_at")
    assert posts.manual_repost.tolist() == [True, False] and posts.kind.tolist() == ["original", "repost"]


def test_stores_written_before_the_column_read_it_as_unknown(tmp_path):
    import pyarrow.parquet as pq

    p = tmp_path / "v1.jsonl"
    p.write_text(json.dumps(MANUAL) + "\n")
    store = ingest([p], tmp_path / "store").store
    for f in (store).rglob("*.parquet"):  # rewrite the posts files as an older roi wrote them
        table = pq.read_table(f)
        if "manual_repost" in table.column_names:
            pq.write_table(table.drop(["manual_repost"]), f)
    posts = roi.load(store).posts
    assert "manual_repost" in posts.columns and posts.manual_repost.isna().all()
    assert str(posts.manual_repost.dtype) == "boolean"
