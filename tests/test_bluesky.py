"""roi.io.bluesky: hand-made responses following the app.bsky lexicons (no real Bluesky file exists in
realdata): feeds with reposts, threads, followers/follows, repo records with ``via``."""

from __future__ import annotations

from pathlib import Path

import orjson
import pandas as pd
from test_csv_posts import collect

from roi.io import bluesky

FIXTURES = Path(__file__).parent / "fixtures" / "formats" / "bluesky"
AS_OF = pd.Timestamp("2026-10-05T00:00:00Z")
ACME = "did:plc:acmeb7xq4rw2kz5m3n6p7s2tuv"
ALICE = "did:plc:alice3v5kq2m7x4p6r2s3t4u5w"
CAROL = "did:plc:carol2z3x4c5v6b7n2m3q4w5e6r"
ACME_POST = f"at://{ACME}/app.bsky.feed.post/3l6oveex3ii2l"
ALICE_POST = f"at://{ALICE}/app.bsky.feed.post/3l6nq2xk7ab2c"
BOB_POST = "at://did:plc:bob6w2e4r5t7y2u3i4o5p6a7sd/app.bsky.feed.post/3l6p2bobroot1"


def _feed():
    return collect(bluesky.read(FIXTURES / "author_feed.json", as_of=AS_OF))


def test_feed_records_and_context():
    tables, rejected, read, _ = _feed()
    posts = tables["posts"]
    primary = posts[~posts._context]
    assert read == 6 and len(primary) + len(rejected) == read
    assert primary.kind.tolist() == ["original", "repost", "reply", "quote", "repost"]
    assert [(r.line, r.reason) for r in rejected] == [(5, "feed item without a post")]
    # context: the reposted post (twice) and the replied-to post (as root and parent)
    assert sorted(posts[posts._context].post_id.unique()) == sorted([ALICE_POST, BOB_POST])


def test_post_fields_from_record_and_facets():
    posts = _feed()[0]["posts"].drop_duplicates("post_id").set_index("post_id")
    post = posts.loc[ACME_POST]
    assert post.author_id == ACME and post.created_at == pd.Timestamp("2026-10-01T13:05:00Z")
    assert list(post.hashtags) == ["fallmenu"]
    assert list(post.mentions) == ["alice.bsky.social"]  # byte range after "Café ☕" (multi-byte)
    assert list(post.urls) == ["https://acme.com/fall?utm_content=3l6oveex3ii2l"]
    assert (post.likes, post.reposts, post.replies, post.quotes) == (31, 5, 2, 1)
    assert pd.isna(post.impressions) and post.lang == "en" and post.conversation_id == ACME_POST
    assert post.metrics_observed_at == AS_OF
    quote = posts.loc[f"at://{ACME}/app.bsky.feed.post/3l6q4acmequo1"]
    assert quote.referenced_id == ALICE_POST and list(quote.hashtags) == ["autumn", "autumn", "seasonal"]
    reply = posts.loc[f"at://{ACME}/app.bsky.feed.post/3l6p3acmerep1"]
    assert reply.referenced_id == BOB_POST and reply.conversation_id == BOB_POST
    bob = posts.loc[BOB_POST]
    assert bob.created_at == pd.Timestamp("2026-10-02T13:00:00Z") and list(bob.mentions) == ["acme.com"]


def test_reposts_by_reason():
    posts = _feed()[0]["posts"]
    reposts = posts[posts.kind == "repost"].set_index("author_id")
    assert reposts.loc[ACME, "post_id"] == f"at://{ACME}/app.bsky.feed.repost/3l6o2rpst0001"  # reason.uri
    assert reposts.loc[ACME, "created_at"] == pd.Timestamp("2026-10-01T16:30:00Z")  # reason.indexedAt
    assert reposts.loc[CAROL, "post_id"] == f"repost:{CAROL}:{ALICE_POST}"  # no reason.uri: stable id
    assert (reposts.referenced_id == ALICE_POST).all()
    assert reposts.likes.isna().all()  # a repost has no metrics of its own


def test_thread_walk_and_not_found():
    tables, rejected, read, _ = collect(bluesky.read(FIXTURES / "post_thread.json", as_of=AS_OF))
    posts = tables["posts"]
    assert read == 5 and len(posts) == 4 and not posts._context.any()
    assert posts.kind.tolist() == ["original", "reply", "reply", "reply"]
    assert rejected[0].reason.startswith("post not found (deleted?): at://did:plc:carol")


def test_followers_and_follows_pages():
    tables, rejected, read, _ = collect(bluesky.read(FIXTURES / "followers.json", as_of=AS_OF))
    assert read == 4 and [r.reason for r in rejected] == ["profile without a did"]
    edges = tables["follows"]
    assert (edges.followee_id == ACME).all() and len(edges) == 3
    assert (edges.first_seen == AS_OF).all() and (edges.platform == "bluesky").all()
    accounts = tables["accounts"].set_index("account_id")
    assert accounts.loc[ACME, "followers_count"] == 1520 and accounts.loc[ACME, "_context"]
    assert not accounts.loc[ALICE, "_context"] and accounts.loc[ALICE, "description"] == "gardener"
    tables, _, read, _ = collect(bluesky.read(FIXTURES / "follows.json", as_of=AS_OF))
    assert read == 2 and (tables["follows"].follower_id == ACME).all()


def test_repo_records_keep_via():
    tables, rejected, read, _ = collect(bluesky.read(FIXTURES / "repo_records.json"))
    posts = tables["posts"].set_index("post_id")
    assert read == 4 and len(posts) == 3 and "app.bsky.feed.like" in rejected[0].reason
    via = posts[posts.kind == "repost"].via_id.dropna().tolist()
    assert via == [f"at://{CAROL}/app.bsky.feed.repost/3l6r1rpstc001"]
    assert (posts[posts.kind == "repost"].referenced_id == ACME_POST).all()


def test_pages_one_a_line_and_bad_lines(tmp_path):
    feed = orjson.loads((FIXTURES / "author_feed.json").read_bytes())
    lines = [orjson.dumps({"feed": feed["feed"][:2]}), b'{"feed": [', orjson.dumps({"feed": feed["feed"][2:4]})]
    path = tmp_path / "pages.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    tables, rejected, read, _ = collect(bluesky.read(path))
    assert read == 5 and len(tables["posts"][~tables["posts"]._context]) == 4
    assert rejected[0].reason.startswith("line 2: invalid JSON")


def test_ingest_accounting(tmp_path):
    from roi.io import ingest

    result = ingest([FIXTURES / "author_feed.json"], tmp_path / "store", format="bluesky")
    (source,) = result.sources
    assert (source.read, source.rejected) == (6, 1)
    assert source.read == source.ingested + source.duplicates + source.rejected


def test_a_post_whose_time_is_not_a_time_is_one_rejected_record(tmp_path):
    """One createdAt that is not a time used to fail the whole file with a multi-line pandas error."""
    def item(n, created):
        return {"post": {"uri": f"at://{ACME}/app.bsky.feed.post/{n}", "cid": "c", "indexedAt": created,
                         "author": {"did": ACME, "handle": "acme.bsky.social"}, "likeCount": 1,
                         "record": {"$type": "app.bsky.feed.post", "text": f"post {n}", "createdAt": created}}}

    path = tmp_path / "feed.json"
    path.write_bytes(orjson.dumps({"feed": [item(1, "2026-10-01T10:00:00.000Z"), item(2, "yesterday"),
                                            item(3, "2026-10-02T10:00:00Z")]}))
    tables, rejected, read, _ = collect(bluesky.read(path, as_of=AS_OF))
    assert read == 3 and sorted(tables["posts"].post_id.str[-1]) == ["1", "3"]
    assert [r.reason for r in rejected] == ["createdAt 'yesterday' is not a time"]


def test_a_saved_list_records_response_is_recognised(tmp_path):
    from roi.io.detect import detect

    path = tmp_path / "records.json"
    path.write_bytes(orjson.dumps({"records": [{"uri": f"at://{ACME}/app.bsky.feed.post/9", "cid": "q", "value": {
        "$type": "app.bsky.feed.post", "text": "hi", "createdAt": "2026-10-03T10:00:00.000Z"}}]}))
    assert detect(path).format == "bluesky"
    assert collect(bluesky.read(path, as_of=AS_OF))[0]["posts"].post_id.tolist() == [f"at://{ACME}/app.bsky.feed.post/9"]


def test_conform_names_the_value_that_is_not_a_time_in_one_line():
    import pytest

    from roi.errors import ParameterError
    from roi.tables import conform

    with pytest.raises(ParameterError) as err:
        conform("posts", {"post_id": ["1", "2", "3"], "created_at": ["2026-01-01", "yesterday", "soon"]})
    assert str(err.value) == "column 'created_at': 'yesterday' is not an ISO 8601 timestamp (2 such values)"
