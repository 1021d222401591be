"""Format detection by content: every format, the non-exports, and extension-blindness."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from roi.io.detect import detect, is_x_archive, sniff

FIXTURES = Path(__file__).parent / "fixtures" / "io"


@pytest.mark.parametrize("head, expected", [
    (b'{"data": [{"id": "1", "text": "hi", "author_id": "2"}], "includes": {}}\n', "x-v2"),
    (b'{"data": [{"id": "1", "username": "a", "name": "A"}], "__twarc": {}}\n', "x-v2"),
    (b'{"id": "1", "text": "hi", "author_id": "2", "author": {"id": "2"}}\n', "x-v2"),
    (b'[{"id": "1", "text": "hi", "author_id": "2"}]', "x-v2"),
    (b'{"id": 1, "id_str": "1", "text": "x", "user": {"id_str": "2"}, '
     b'"created_at": "Wed Jan 07 11:06:08 +0000 2015"}\n', "x-v1"),
    (b'{"id_str": "1", "full_text": "x", "created_at": "Wed Jan 07 11:06:08 +0000 2015"}\n', "x-v1"),
    (b'window.YTD.tweets.part0 = [ {', "x-archive"),
    (b'{"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection", '
     b'"orderedItems": []}', "mastodon"),
    (b'{"feed": [{"post": {"uri": "at://did:plc:abc/app.bsky.feed.post/1"}}]}', "bluesky"),
    (b'{"followers": [{"did": "did:plc:x", "handle": "a.bsky.social"}], "subject": {"did": "did:plc:y"}}', "bluesky"),
    (b"post_id,author,created_at,text\n1,a,2024-01-01,hi\n", "csv"),
    (b"date,utm_source,utm_content,sessions,conversions\n2024-01-01,x,1,3,1\n", "conversions"),
    (b"date,landing_page,sessions\n2024-01-01,https://a.com/?utm_content=1,3\n", "conversions"),
    (b"follower_id,followee_id\n1,2\n", "follows"),
    (b"experiment_id,arm,post_id,pair_id\ne,A,1,p\n", "experiments"),
])
def test_sniff_recognises_each_format(head, expected):
    assert sniff(head).format == expected


@pytest.mark.parametrize("head, reason", [
    (b"\x00\x01\x02\x03binary", "binary"),
    (b"# Sample\nThis folder holds...\n", "neither JSON nor a CSV"),
    (b'{"seed": 7, "brand": {"handle": "acme"}}', "not a known export"),
    (b"window.__THAR_CONFIG = {", "manifest"),
    (b"post_id,author,text\n1,a,hi\n", "missing required column(s) created_at"),
])
def test_sniff_refuses_non_exports_with_a_reason(head, reason):
    found = sniff(head)
    assert found.format is None and reason in found.reason


def test_detection_ignores_the_extension(tmp_path):
    p = tmp_path / "export (3).txt"
    p.write_text(json.dumps({"data": [{"id": "1", "text": "x", "author_id": "2"}], "meta": {}}) + "\n")
    assert detect(p).format == "x-v2"


def test_bad_input_fixtures(tmp_path):
    assert detect(FIXTURES / "empty.json").reason == "empty file (0 bytes)"
    assert "binary" in detect(FIXTURES / "garbage.bin").reason
    assert detect(FIXTURES / "latin1.jsonl").format == "x-v2"
    assert detect(FIXTURES / "truncated.jsonl").format == "x-v2"
    assert "created_at" in detect(FIXTURES / "posts_missing_created_at.csv").reason


def test_first_line_truncated_still_detected(tmp_path):
    good = json.dumps({"data": [{"id": "1", "text": "x", "author_id": "2"}], "meta": {}})
    p = tmp_path / "t.jsonl"
    p.write_text(good[:20] + "\n" + good + "\n")
    assert detect(p).format == "x-v2"


def test_gzip_is_read_through(tmp_path):
    import gzip

    p = tmp_path / "pages.jsonl.gz"
    p.write_bytes(gzip.compress(b'{"data": [{"id": "1", "text": "x", "author_id": "2"}], "meta": {}}\n'))
    assert detect(p).format == "x-v2"


def test_x_archive_folder_zip_and_loose_files(tmp_path):
    data = tmp_path / "arch" / "data"
    data.mkdir(parents=True)
    (data / "tweets.js").write_text("window.YTD.tweets.part0 = []")
    assert is_x_archive(tmp_path / "arch") and detect(tmp_path / "arch").format == "x-archive"
    z = tmp_path / "arch.zip"
    with zipfile.ZipFile(z, "w") as zf:
        zf.write(data / "tweets.js", "data/tweets.js")
    assert detect(z).format == "x-archive"
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "follower.js").write_text("window.YTD.follower.part0 = []")
    assert is_x_archive(loose)
    other = tmp_path / "other"
    other.mkdir()
    (other / "a.js").write_text("console.log(1)")
    assert not is_x_archive(other)


def test_realdata_files(realdata):
    v2 = realdata / "x-api-v2"
    for name in ("brexit.jsonl", "kpop.jsonl", "withheld.jsonl", "entities_test.jsonl", "edited.jsonl",
                 "geo_tweets.jsonl"):
        assert detect(v2 / name).format == "x-v2", name
    assert detect(v2 / "users.jsonl").detail == "users"
    assert detect(realdata / "x-archive").format == "x-archive"
    assert detect(realdata / "mastodon" / "outbox.json").format == "mastodon"
    assert detect(realdata / "mastodon" / "actor.json").format == "mastodon"
