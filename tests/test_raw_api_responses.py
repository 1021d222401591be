"""Raw API responses people save by hand (no twarc): every record accounted for, nothing invented.

Classes (issue 18): a v1.1 search response (``{"statuses": [...], "search_metadata"}``); v2
follower/following pages without twarc's ``__twarc`` block (the followee from ``--followee`` or
the file name, else a note -- never silently no edges); v2 tweets without ``created_at`` or
``author_id`` (rejected with the reason, never stored); direct messages in every shape (skipped
with a note, never posts).
"""

from __future__ import annotations

import json

import pytest

import roi
from roi.io import ingest
from roi.io.detect import detect
from roi.store import Store


def _adds_up(result):
    for s in result.sources:
        assert s.read == s.ingested + s.duplicates + s.rejected, s.summary()


def _v1(i, user="1", **extra):
    return {"id": int(i), "id_str": str(i), "created_at": "Wed Jan 07 11:06:08 +0000 2015", "text": f"tweet {i}",
            "user": {"id": int(user), "id_str": user, "screen_name": f"u{user}"}, **extra}


def test_v1_search_response(tmp_path):
    p = tmp_path / "search.json"
    p.write_text(json.dumps({"statuses": [_v1(11), _v1(12, user="2"), {"id_str": "13", "hello": 1}],
                             "search_metadata": {"count": 3, "query": "acme"}}, indent=2))
    assert detect(p).format == "x-v1"
    result = ingest([p], tmp_path / "store")
    _adds_up(result)
    s = result.sources[0]
    assert (s.read, s.ingested, s.rejected) == (3, 2, 1)
    ds = roi.load(tmp_path / "store")
    assert sorted(ds.posts.post_id) == ["11", "12"] and sorted(ds.accounts.account_id) == ["1", "2"]
    assert "statuses[2]" in ds.rejected.reason[0]


def _user(i):
    return {"id": str(i), "username": f"f{i}", "name": f"F {i}", "public_metrics": {"followers_count": i}}


@pytest.mark.parametrize("name, followee, edges", [
    ("followers-of-42.json", None, {("7", "42"), ("8", "42")}),
    ("following-of-42.jsonl", None, {("42", "7"), ("42", "8")}),
    ("page.json", "42", {("7", "42"), ("8", "42")}),
    ("followers-of-acme.json", None, {("7", "42"), ("8", "42")}),  # the handle's id from the store
])
def test_v2_follower_pages_without_twarc(tmp_path, name, followee, edges):
    store = tmp_path / "store"
    prior = tmp_path / "acme.jsonl"
    prior.write_text(json.dumps({"data": [{"id": "42", "username": "Acme"}]}) + "\n")
    ingest([prior], store)
    p = tmp_path / name
    p.write_text(json.dumps({"data": [_user(7), _user(8)], "meta": {"result_count": 2}}) + "\n")
    result = ingest([p], store, followee=followee, as_of="2026-10-05")
    _adds_up(result)
    assert result.sources[0].ingested == 2
    ds = roi.load(store)
    assert set(zip(ds.follows.follower_id, ds.follows.followee_id, strict=True)) == edges


def test_v2_follower_pages_with_no_followee_say_so(tmp_path):
    p = tmp_path / "page.json"
    p.write_text(json.dumps({"data": [_user(7)], "meta": {"result_count": 1}}) + "\n")
    result = ingest([p], tmp_path / "store")
    assert result.sources[0].ingested == 1 and result.tables["follows"] == 0
    assert any("--followee" in n for n in result.sources[0].notes)
    # A handle nothing resolves: no edges, and the note says why.
    q = tmp_path / "followers-of-nobody.json"
    q.write_text(json.dumps({"data": [_user(8)], "meta": {"result_count": 1}}) + "\n")
    result = ingest([q], tmp_path / "store")
    assert any("@nobody" in n and "numeric id" in n for n in result.sources[0].notes)


@pytest.mark.parametrize("fast", [True, False], ids=["arrow", "records"])
def test_v2_tweets_without_time_or_author_are_rejected(tmp_path, fast):
    from roi.io import x_v2

    good = {"id": "1", "author_id": "9", "created_at": "2024-01-01T00:00:00Z", "text": "ok"}
    page = {"data": [good, {"id": "2", "text": "no time", "author_id": "9"},
                     {"id": "3", "text": "no author", "created_at": "2024-01-01T00:00:00Z"},
                     {"id": "4", "text": "bare"}],
            "includes": {"tweets": [{"id": "5", "text": "bare context"}]}}
    p = tmp_path / "t.jsonl"
    p.write_text(json.dumps(page) + "\n")
    chunks = list(x_v2.read(p, fast=fast))
    reasons = [r.reason for c in chunks for r in c.rejected]
    assert sum(c.read for c in chunks) == 4 and len(reasons) == 3
    assert "no created_at" in reasons[0] and "no author_id" in reasons[1]
    assert "no created_at and no author_id" in reasons[2]
    result = ingest([p], tmp_path / "store")
    _adds_up(result)
    ds = roi.load(tmp_path / "store")
    assert ds.posts.post_id.tolist() == ["1"]  # the bare context tweet is not stored either
    assert ds.posts.created_at.notna().all() and ds.posts.author_id.notna().all()


DMS = {
    "v2-dm-events.jsonl": json.dumps({"data": [
        {"id": "1", "event_type": "MessageCreate", "text": "my order number is 123", "sender_id": "5",
         "dm_conversation_id": "5-9", "created_at": "2024-01-01T00:00:00.000Z"}], "meta": {"result_count": 1}}) + "\n",
    "v1-dm-events.json": json.dumps({"events": [
        {"type": "message_create", "id": "2", "created_timestamp": "1704067200000",
         "message_create": {"sender_id": "5", "target": {"recipient_id": "9"},
                            "message_data": {"text": "my order number is 123"}}}]}),
    "v1-direct-messages.jsonl": json.dumps({"id": 3, "id_str": "3", "text": "my order number is 123",
                                            "created_at": "Wed Jan 07 11:06:08 +0000 2015", "sender": {"id_str": "5"},
                                            "recipient": {"id_str": "9"}, "sender_id": 5, "recipient_id": 9}) + "\n",
}


@pytest.mark.parametrize("name", list(DMS))
def test_direct_messages_are_skipped_with_a_note(tmp_path, name):
    p = tmp_path / name
    p.write_text(DMS[name])
    tweet = tmp_path / "tweet.jsonl"
    tweet.write_text(json.dumps(_v1(50)) + "\n")
    result = ingest([p, tweet], tmp_path / "store")
    _adds_up(result)
    s = result.sources[0]
    assert (s.read, s.ingested, s.rejected) == (0, 0, 0)
    assert any("direct message" in n for n in s.notes), s.notes
    posts = roi.load(tmp_path / "store").posts
    assert posts.post_id.tolist() == ["50"]
    assert Store(tmp_path / "store").read_rejected().empty


def test_v2_float_id_is_rejected_not_rounded(tmp_path):
    p = tmp_path / "t.jsonl"
    p.write_text(json.dumps({"id": 1.2345678901234568e18, "author_id": "9", "created_at": "2024-01-01T00:00:00Z",
                             "text": "flat"}) + "\n")
    result = ingest([p], tmp_path / "store")
    _adds_up(result)
    assert result.sources[0].rejected == 1
    assert "not an exact id" in Store(tmp_path / "store").read_rejected().reason[0]
