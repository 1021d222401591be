"""Minimal inputs: every documented optional column may be absent or wholly empty, in every reader.

The class (issue 18): an export holding only the required columns, or one whose optional columns
are all blank, ingests with every record accounted for, and the store's columns keep their
canonical dtypes (a wholly null column is not a column of nulls of some other type).
"""

from __future__ import annotations

import json

import pytest

import roi
from roi.io import ingest
from roi.io.csv_posts import COUNT_COLUMNS
from roi.tables import TABLES, dtype_of

POSTS_OPTIONAL = ("text", "kind", "referenced_id", "conversation_id", "lang", *COUNT_COLUMNS, "hashtags",
                  "mentions", "urls", "author_followers", "author_location", "author_name", "platform")
ROWS = [("1234567890123456789", "acme", "2026-10-01T09:00:00Z"), ("2", "@bob", "2026-10-02 10:00")]


def _write_csv(path, header, rows):
    path.write_text("\n".join([",".join(header)] + [",".join(r) for r in rows]) + "\n", encoding="utf-8")
    return path


def _canonical(ds):
    for name in ("posts", "accounts", "follows", "conversions", "experiments"):
        frame = getattr(ds, name)
        for col in TABLES[name].columns:
            assert str(frame[col.name].dtype) == str(dtype_of(col.dtype)), (name, col.name, frame[col.name].dtype)


def _adds_up(result):
    for s in result.sources:
        assert s.read == s.ingested + s.duplicates + s.rejected, s.summary()


def test_posts_csv_with_only_the_required_columns(tmp_path):
    p = _write_csv(tmp_path / "posts.csv", ["post_id", "author", "created_at"], ROWS)
    result = ingest([p], tmp_path / "store")
    _adds_up(result)
    assert (result.sources[0].read, result.sources[0].ingested) == (2, 2)
    ds = roi.load(tmp_path / "store")
    _canonical(ds)
    posts = ds.posts.set_index("post_id")
    assert posts.loc["1234567890123456789", "author_id"] == "acme" and posts.loc["2", "author_id"] == "bob"
    assert (posts.kind == "original").all() and posts.likes.isna().all() and posts.text.isna().all()
    assert posts.manual_repost.isna().all()  # no text: whether it was a manual retweet is unknown


@pytest.mark.parametrize("optional", ["all", *POSTS_OPTIONAL])
def test_posts_csv_with_an_optional_column_wholly_empty(tmp_path, optional):
    extra = list(POSTS_OPTIONAL) if optional == "all" else [optional]
    header = ["post_id", "author", "created_at", *extra]
    p = _write_csv(tmp_path / "posts.csv", header, [r + ("",) * len(extra) for r in ROWS])
    result = ingest([p], tmp_path / "store")
    _adds_up(result)
    assert result.sources[0].ingested == 2 and result.rejected == 0
    ds = roi.load(tmp_path / "store")
    _canonical(ds)
    assert ds.posts.platform.eq("csv").all() and ds.posts.likes.isna().all()


def test_empty_entity_columns_fall_back_to_the_text(tmp_path):
    p = _write_csv(tmp_path / "posts.csv", ["post_id", "author", "created_at", "text", "hashtags", "mentions", "urls"],
                   [("1", "acme", "2026-10-01T09:00:00Z", "Hi @Bob #Fall https://acme.example/a", "", "", "")])
    posts = roi.load(ingest([p], tmp_path / "store").store).posts
    assert list(posts.hashtags[0]) == ["fall"] and list(posts.mentions[0]) == ["bob"]
    assert list(posts.urls[0]) == ["https://acme.example/a"]


@pytest.mark.parametrize("header, rows, table", [
    (["date", "utm_content", "clicks", "conversions", "revenue", "channel"],
     [("2026-10-01", "123", "5", "1", "", ""), ("2026-10-02", "124", "3", "0", "", "")], "conversions"),
    (["follower_id", "followee_id", "as_of", "platform"], [("1", "2", "", ""), ("3", "2", "", "")], "follows"),
    (["experiment_id", "arm", "post_id", "pair_id"], [("e1", "A", "1", ""), ("e1", "B", "2", "")], "experiments"),
    (["date", "utm_content", "clicks", "conversions"], [("2026-10-01", "123", "5", "1")], "conversions"),
    (["follower_id", "followee_id"], [("1", "2")], "follows"),
    (["experiment_id", "arm", "post_id"], [("e1", "A", "1")], "experiments"),
], ids=["conversions-empty", "follows-empty", "experiments-empty", "conversions-minimal", "follows-minimal",
        "experiments-minimal"])
def test_other_csvs_minimal_or_empty_optional_columns(tmp_path, header, rows, table):
    p = _write_csv(tmp_path / f"{table}.csv", header, rows)
    result = ingest([p], tmp_path / "store", as_of="2026-10-05")
    _adds_up(result)
    assert result.sources[0].format == table and result.sources[0].ingested == len(rows)
    ds = roi.load(tmp_path / "store")
    _canonical(ds)
    assert len(getattr(ds, table)) == len(rows)


def test_json_records_lacking_every_optional_field(tmp_path):
    """v2 tweets and users, v1.1 tweets and users with only what identifies them, a time and an author."""
    v2 = tmp_path / "v2.jsonl"
    v2.write_text(json.dumps({"data": [{"id": "1", "text": "hi", "author_id": "9",
                                        "created_at": "2024-01-02T03:04:05.000Z"}],
                              "includes": {"users": [{"id": "9", "username": "acme"}]}}) + "\n"
                  + json.dumps({"id": "2", "text": "flat", "author_id": "9", "created_at": "2024-01-03T00:00:00Z"})
                  + "\n")
    v1 = tmp_path / "v1.jsonl"
    v1.write_text(json.dumps({"id_str": "5", "text": "old", "created_at": "Wed Jan 07 11:06:08 +0000 2015",
                              "user": {"id_str": "8"}}) + "\n")
    result = ingest([v2, v1], tmp_path / "store")
    _adds_up(result)
    assert [s.ingested for s in result.sources] == [2, 1] and result.rejected == 0
    ds = roi.load(tmp_path / "store")
    _canonical(ds)
    assert sorted(ds.posts.post_id) == ["1", "2", "5"] and ds.posts.likes.isna().all()
    assert set(ds.accounts.account_id) == {"8", "9"}
