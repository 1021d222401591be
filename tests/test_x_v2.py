"""X API v2 reader: mapping of a hand-made page, and the published figures of twarc-csv's test data."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from roi.io import x_v2
from roi.io._base import as_frame


def _read(path, **kw):
    chunks = list(x_v2.read(path, **kw))
    tables = {}
    for c in chunks:
        for name, frame in c.tables.items():
            tables.setdefault(name, []).append(as_frame(frame))
    return chunks, {k: pd.concat(v, ignore_index=True) for k, v in tables.items()}


def _write(tmp_path, *lines, name="p.jsonl"):
    p = tmp_path / name
    p.write_text("".join(json.dumps(x) + "\n" for x in lines))
    return p


PAGE = {
    "data": [
        {"id": "10", "author_id": "1", "created_at": "2024-03-01T14:00:00.000Z", "lang": "en",
         "conversation_id": "10", "text": "Big news #Launch #launch @Bob https://t.co/x",
         "entities": {"hashtags": [{"start": 9, "end": 16, "tag": "Launch"}, {"start": 17, "end": 24, "tag": "launch"}],
                      "mentions": [{"start": 25, "end": 29, "username": "Bob", "id": "2"}],
                      "urls": [{"url": "https://t.co/x", "expanded_url": "https://acme.example/p?utm_content=10"}]},
         "public_metrics": {"like_count": 5, "retweet_count": 2, "reply_count": 1, "quote_count": 0},
         "non_public_metrics": {"impression_count": 400, "url_link_clicks": 12}},
        {"id": "11", "author_id": "2", "created_at": "2024-03-01T15:00:00.000Z",
         "text": "RT @Acme: Big news #Launch", "referenced_tweets": [{"type": "retweeted", "id": "10"}],
         "entities": {"mentions": [{"start": 3, "end": 8, "username": "Acme", "id": "1"}],
                      "hashtags": [{"start": 19, "end": 26, "tag": "Launch"}]},
         "public_metrics": {"like_count": 5, "retweet_count": 2, "reply_count": 1, "quote_count": 0}},
        {"id": "12", "author_id": "3", "created_at": "2024-03-01T16:00:00.000Z", "text": "@Acme where is my order?",
         "referenced_tweets": [{"type": "replied_to", "id": "10"}, {"type": "quoted", "id": "9"}],
         "entities": {"mentions": [{"start": 0, "end": 5, "username": "Acme", "id": "1"}]},
         "public_metrics": {"like_count": 0, "retweet_count": 0, "reply_count": 0, "quote_count": 0}},
        {"id": "13", "author_id": "3", "created_at": "2024-03-01T17:00:00.000Z", "text": "look",
         "referenced_tweets": [{"type": "quoted", "id": "10"}],
         "public_metrics": {"like_count": 0, "retweet_count": 0, "reply_count": 0, "quote_count": 0,
                            "impression_count": 33}},
    ],
    "includes": {"users": [{"id": "1", "username": "Acme", "name": "Acme Inc", "location": "NYC",
                            "public_metrics": {"followers_count": 1000, "following_count": 3, "tweet_count": 50}}],
                 "tweets": [{"id": "9", "author_id": "1", "created_at": "2024-02-01T00:00:00.000Z", "text": "old"}]},
    "meta": {"result_count": 4},
    "__twarc": {"url": "https://api.twitter.com/2/tweets/search/recent?query=acme", "retrieved_at": "2024-03-02T00:00:00+00:00"},
}


def test_page_maps_to_canonical_posts(tmp_path):
    chunks, t = _read(_write(tmp_path, PAGE))
    assert sum(c.read for c in chunks) == 4 and not any(c.rejected for c in chunks)
    posts = t["posts"].set_index("post_id")
    assert list(posts.loc["10", "hashtags"]) == ["launch", "launch"]  # casefolded, as written
    assert list(posts.loc["10", "mentions"]) == ["bob"]
    assert list(posts.loc["10", "urls"]) == ["https://acme.example/p?utm_content=10"]
    assert (posts.loc["10", "impressions"], posts.loc["10", "link_clicks"], posts.loc["10", "likes"]) == (400, 12, 5)
    assert posts.loc["11", "kind"] == "repost" and posts.loc["11", "referenced_id"] == "10"
    assert list(posts.loc["11", "mentions"]) == []  # RT @Acme: is attribution, not a mention
    assert posts.loc["12", "kind"] == "reply" and posts.loc["12", "referenced_id"] == "10"
    assert list(posts.loc["12", "mentions"]) == ["acme"]
    assert posts.loc["13", "kind"] == "quote" and posts.loc["13", "impressions"] == 33
    assert pd.isna(posts.loc["11", "impressions"])  # not reported is unknown, not zero
    assert posts.loc["10", "created_at"] == pd.Timestamp("2024-03-01T14:00:00Z")
    assert (posts["metrics_observed_at"] == pd.Timestamp("2024-03-02T00:00:00Z")).all()
    assert bool(posts.loc["9", "_context"]) and not posts.loc[["10", "11", "12", "13"], "_context"].any()
    acc = t["accounts"].iloc[0]
    assert (acc.account_id, acc.handle, acc.location, acc.followers_count) == ("1", "Acme", "NYC", 1000)
    assert str(t["posts"]["post_id"].dtype) == "string" and str(t["posts"]["likes"].dtype) == "Int64"


def test_pre_december_2022_public_zero_views_are_unknown(tmp_path):
    old = {"id": "1", "author_id": "1", "text": "x", "created_at": "2022-09-01T00:00:00.000Z",
           "public_metrics": {"like_count": 0, "impression_count": 0}}
    new = dict(old, id="2", created_at="2023-01-05T00:00:00.000Z")
    _, t = _read(_write(tmp_path, {"data": [old, new]}))
    assert pd.isna(t["posts"].impressions[0]) and t["posts"].impressions[1] == 0


def test_flattened_tweets_and_arrays(tmp_path):
    flat = dict(PAGE["data"][0], author={"id": "1", "username": "Acme"},
                __twarc={"retrieved_at": "2024-03-02T00:00:00+00:00"})
    chunks, t = _read(_write(tmp_path, flat))
    assert sum(c.read for c in chunks) == 1 and t["accounts"].handle.tolist() == ["Acme"]
    arr = tmp_path / "arr.json"
    arr.write_text(json.dumps(PAGE["data"], indent=2))
    chunks, t = _read(arr)
    assert sum(c.read for c in chunks) == 4 and (~t["posts"]["_context"]).sum() == 4
    assert t["posts"]["_line"].tolist() == [1, 2, 3, 4]  # element index in the array


def test_follower_pages_give_edges_dated_by_retrieval_or_as_of(tmp_path):
    users = [{"id": "5", "username": "e"}, {"id": "6", "username": "f"}]
    page = {"data": users, "__twarc": {"url": "https://api.twitter.com/2/users/1/followers?max_results=1000",
                                        "retrieved_at": "2024-03-02T00:00:00+00:00"}}
    following = {"data": users, "__twarc": {"url": "https://api.twitter.com/2/users/7/following",
                                             "retrieved_at": "2024-03-02T00:00:00+00:00"}}
    chunks, t = _read(_write(tmp_path, page, following))
    assert [c.primary for c in chunks] == ["accounts"] and chunks[0].read == 4
    f = t["follows"]
    assert list(zip(f.follower_id, f.followee_id, strict=True)) == [("5", "1"), ("6", "1"), ("7", "5"), ("7", "6")]
    assert (f.first_seen == pd.Timestamp("2024-03-02T00:00:00Z")).all()
    _, t = _read(_write(tmp_path, page, name="q.jsonl"), as_of=pd.Timestamp("2024-04-01", tz="UTC"))
    assert (t["follows"].last_seen == pd.Timestamp("2024-04-01T00:00:00Z")).all()


def test_chunks_stay_bounded(tmp_path):
    pages = [{"data": [dict(PAGE["data"][0], id=str(i * 10 + j)) for j in range(10)]} for i in range(10)]
    chunks, t = _read(_write(tmp_path, *pages), chunk_size=25)
    assert len(chunks) >= 4 and sum(c.read for c in chunks) == 100 and t["posts"].post_id.nunique() == 100


def test_realdata_brexit_counts(realdata):
    chunks, t = _read(realdata / "x-api-v2" / "brexit.jsonl")
    records = t["posts"][~t["posts"]["_context"]]
    assert sum(c.read for c in chunks) == 100 and len(records) == 100
    assert (records.kind == "repost").sum() == 67
    rts = records[records.kind == "repost"]
    assert rts.referenced_id.notna().all()
    # no retweet keeps its "RT @user:" author as a mention (unless @user appears again in the text)
    for text, mentions in zip(rts.text, rts.mentions, strict=True):
        handle = text[4:text.index(":")].casefold()
        if "@" + handle not in text[len(handle) + 5:].casefold():
            assert handle not in list(mentions), text


def test_realdata_pages_result_count(realdata):
    """Every untrimmed page's meta.result_count equals its data count (withheld.jsonl's last page
    was trimmed to 112 tweets by twarc-csv's authors: its meta still says 500)."""
    for name in ("brexit.jsonl", "kpop.jsonl", "entities_test.jsonl"):
        for line in (realdata / "x-api-v2" / name).read_text().splitlines():
            page = json.loads(line)
            assert page["meta"]["result_count"] == len(page["data"])
        chunks, _ = _read(realdata / "x-api-v2" / name)
        assert sum(c.read for c in chunks) == sum(
            json.loads(line)["meta"]["result_count"] for line in (realdata / "x-api-v2" / name).read_text().splitlines())


def test_realdata_users_file(realdata):
    chunks, t = _read(realdata / "x-api-v2" / "users.jsonl")
    assert [c.primary for c in chunks] == ["accounts"]
    assert sum(c.read for c in chunks) == 96
    records = t["accounts"][~t["accounts"]["_context"]]
    assert len(records) == 96 and records.account_id.nunique() == 91


def test_realdata_every_file_reads_without_rejects(realdata):
    for p in sorted((realdata / "x-api-v2").glob("*.jsonl")):
        chunks, t = _read(p)
        assert not any(c.rejected for c in chunks), p.name
        primary = chunks[0].primary
        assert sum(c.read for c in chunks) == (~t[primary]["_context"]).sum(), p.name


@pytest.fixture(params=["native", "pyarrow"])
def block_parser(request, monkeypatch):
    """Run a fast-path test with each parser of its blocks: the native line scanner, and pyarrow alone.

    Yields the list of tables the native scanner returned (None where it declined a block)."""
    from roi.io import _json_lines, _x_v2_arrow

    scanned = []
    if request.param == "pyarrow":
        monkeypatch.setattr(_x_v2_arrow, "parse_lines", lambda block, schema: None)
    elif not _json_lines.AVAILABLE:
        pytest.skip("the native line scanner (roi.io._linescan) is not built here")
    else:
        real = _json_lines.parse_lines
        monkeypatch.setattr(_x_v2_arrow, "parse_lines", lambda *a: scanned.append(r := real(*a)) or r)
    yield scanned


def _same_both_ways(path):
    """The Arrow block path and the record-by-record path give the same rows, reads and rejections."""
    fast_chunks, fast = _read(path)
    slow_chunks, slow = _read(path, fast=False)
    assert sum(c.read for c in fast_chunks) == sum(c.read for c in slow_chunks)
    assert [r.as_dict() for c in fast_chunks for r in c.rejected] == [r.as_dict() for c in slow_chunks for r in c.rejected]
    assert fast.keys() == slow.keys()
    for name in fast:
        a = fast[name].drop(columns=["metrics_observed_at", "observed_at"], errors="ignore")
        b = slow[name].drop(columns=["metrics_observed_at", "observed_at"], errors="ignore")
        extra = [c for c in a.columns if c not in b.columns]  # canonical columns X never fills (via_id)
        assert a[extra].isna().all().all(), extra
        pd.testing.assert_frame_equal(a.drop(columns=extra), b)
    return fast_chunks, fast


def test_arrow_block_path_matches_the_record_path(tmp_path, monkeypatch, block_parser):
    from roi.io import _x_v2_arrow

    calls = []
    real = _x_v2_arrow.read_block
    monkeypatch.setattr(_x_v2_arrow, "read_block", lambda *a: calls.append(r := real(*a)) or r)
    old = dict(PAGE, data=[{"id": "5", "author_id": "1", "created_at": "2021-05-01T00:00:00.000Z", "text": "old",
                            "public_metrics": {"impression_count": 0, "like_count": 1}}])
    odd = {"data": [{"id": "20", "author_id": "3", "created_at": "2024-03-02T00:00:00Z", "text": "RT @x: @Y hi",
                     "referenced_tweets": [{"type": "quoted", "id": "7"}, {"type": "retweeted", "id": "8"}],
                     "entities": {"mentions": [{"start": 7, "end": 9, "username": "Y"}, {"start": 3, "username": "x"}],
                                  "hashtags": [{"tag": "Straße"}, {"tag": ""}, {"tag": "ΣΊΣΥΦΟΣ"}],
                                  "urls": [{"url": "https://t.co/a", "expanded_url": ""}, {"url": ""}]},
                     "organic_metrics": {"impression_count": 9, "url_link_clicks": 1}}],
           "__twarc": {"retrieved_at": "2024-03-03T00:00:00+00:00"}}
    p = _write(tmp_path, PAGE, old, odd)
    posts = _same_both_ways(p)[1]["posts"]
    assert calls and all(c is not None for c in calls)  # the fast path read it
    assert all(t is not None for t in block_parser)  # natively, where that is the parser
    row = posts.set_index("post_id").loc["20"]
    assert (row.kind, row.referenced_id) == ("repost", "8")
    assert list(row.hashtags) == ["strasse", "σίσυφοσ"] and list(row.mentions) == ["y"]
    assert list(row.urls) == ["https://t.co/a"] and row.impressions == 9
    assert pd.isna(posts.set_index("post_id").loc["5"].impressions)  # a pre-Dec-2022 public 0 is unknown


def test_a_block_with_a_bad_line_is_read_record_by_record(tmp_path, monkeypatch, block_parser):
    from roi.io import _x_v2_arrow

    calls = []
    real = _x_v2_arrow.read_block
    monkeypatch.setattr(_x_v2_arrow, "read_block", lambda *a: calls.append(r := real(*a)) or r)
    p = tmp_path / "bad.jsonl"
    p.write_text(json.dumps(PAGE) + "\n" + '{"data": [{"id": \n' + "\n" + json.dumps(PAGE) + "\n")
    chunks, posts = _same_both_ways(p)
    assert calls == [None]  # declined, so the record path read it
    assert [r.line for c in chunks for r in c.rejected] == [2]
    assert sum(c.read for c in chunks) == 2 * len(PAGE["data"]) + 1


@pytest.mark.parametrize("name", ["brexit.jsonl", "entities_test.jsonl", "withheld.jsonl", "users.jsonl", "kpop.jsonl"])
def test_realdata_same_rows_both_ways(realdata, name, block_parser):
    _same_both_ways(realdata / "x-api-v2" / name)


def _flatten(page):
    """A twarc2 page as ``twarc2 flatten`` writes it: a tweet a line, author and references embedded."""
    users = {u["id"]: u for u in page.get("includes", {}).get("users", [])}
    included = {t["id"]: t for t in page.get("includes", {}).get("tweets", []) + page["data"]}
    lines = []
    for t in page["data"]:
        flat = dict(t, __twarc=page["__twarc"])
        if t.get("author_id") in users:
            flat["author"] = users[t["author_id"]]
        refs = []
        for r in t.get("referenced_tweets", []):
            full = included.get(r["id"])
            ref = dict(full, type=r["type"]) if full else dict(r)
            if full and full.get("author_id") in users:
                ref["author"] = users[full["author_id"]]
            refs.append(ref)
        if refs:
            flat["referenced_tweets"] = refs
        lines.append(flat)
    return lines


def test_flattened_lines_take_the_arrow_path_with_the_same_rows(tmp_path, monkeypatch, block_parser):
    from roi.io import _x_v2_arrow

    calls = []
    real = _x_v2_arrow.read_flat_block
    monkeypatch.setattr(_x_v2_arrow, "read_flat_block", lambda *a: calls.append(r := real(*a)) or r)
    second = {"id": "2", "username": "Bob", "name": "Bob B", "description": "bio", "verified": True,
              "public_metrics": {"followers_count": 7, "following_count": 9, "tweet_count": 1}}
    page = dict(PAGE, includes={**PAGE["includes"], "users": PAGE["includes"]["users"] + [second]})
    lines = _flatten(page)
    lines[1]["__twarc"] = {"retrieved_at": "2024-03-05T00:00:00+00:00"}  # a later observation
    del lines[0]["author"]  # a tweet whose author was not expanded
    p = _write(tmp_path, *lines, name="flat.jsonl")
    chunks, t = _same_both_ways(p)
    assert calls and all(c is not None for c in calls)  # the fast path read it
    assert all(t is not None for t in block_parser)  # natively, where that is the parser
    assert sum(c.read for c in chunks) == 4 and not any(c.rejected for c in chunks)
    # The Arrow rows are not moved into reading order: their _rank says where each one goes.
    raw = chunks[0].tables["posts"]
    assert raw.column("post_id").to_pylist() == ["10", "11", "12", "13", "10", "10", "9", "10"]
    assert raw.column("_rank").to_pylist() == [0, 1, 3, 6, 2, 4, 5, 7]  # line 3 has two references
    posts = t["posts"]
    records = posts[~posts["_context"]]
    assert records.post_id.tolist() == ["10", "11", "12", "13"] and records._line.tolist() == [1, 2, 3, 4]
    context = posts[posts["_context"]]
    assert context.post_id.tolist() == ["10", "10", "9", "10"]  # each line's embedded references, in order
    assert list(posts.set_index("post_id").loc["11"].mentions) == []  # RT @Acme: attribution
    # Per line: the author (if expanded), then the references' authors.
    assert t["accounts"].account_id.tolist() == ["2", "1", "1", "1", "1"]
    assert t["accounts"]._line.tolist() == [2, 2, 3, 3, 4]


def test_flattened_block_with_a_page_or_a_bad_line_is_read_record_by_record(tmp_path, monkeypatch, block_parser):
    from roi.io import _x_v2_arrow

    calls = []
    real = _x_v2_arrow.read_flat_block
    monkeypatch.setattr(_x_v2_arrow, "read_flat_block", lambda *a: calls.append(r := real(*a)) or r)
    lines = _flatten(PAGE)
    p = tmp_path / "mixed.jsonl"
    p.write_text("".join(json.dumps(x) + "\n" for x in lines[:2]) + json.dumps(PAGE) + "\n" + '{"id": \n'
                 + json.dumps(lines[2]) + "\n")
    chunks, _ = _same_both_ways(p)
    assert calls == [None]  # declined, so the record path read it
    assert [r.line for c in chunks for r in c.rejected] == [4]
    assert sum(c.read for c in chunks) == 2 + 4 + 1 + 1


def test_line_rank_is_the_lexsort_of_line_then_run():
    """Each row's place, line by line, a tweet's row before its references' -- by binary search."""
    import numpy as np

    from roi.io._x_v2_arrow import _line_rank

    rng = np.random.default_rng(3)
    for trial in range(2000):
        first = np.sort(rng.integers(0, 1 + rng.integers(0, 30), rng.integers(0, 25)))
        then = np.sort(rng.integers(0, 1 + rng.integers(0, 30), rng.integers(0, 25)))
        if trial % 4 == 0:
            first = rng.permutation(first)  # unsorted input takes the lexsort itself
        order = np.lexsort((np.r_[np.zeros(len(first), "int8"), np.ones(len(then), "int8")], np.r_[first, then]))
        got = _line_rank(first, then)
        if got is None:
            assert (order == np.arange(len(order))).all()
        else:
            assert np.argsort(got).tolist() == order.tolist()


@pytest.mark.parametrize("spill", [False, True], ids=["in-memory", "spilled"])
def test_flattened_file_gives_the_record_paths_store_row_for_row(tmp_path, monkeypatch, spill):
    """Ingest applies the fast path's ranks: the store is the record path's, rows in the same order."""
    import sys

    import pyarrow.parquet as pq

    from roi.io import ingest

    ingest_module = sys.modules["roi.io.ingest"]

    def user(i):
        return {"id": str(i), "username": f"u{i}", "name": f"U {i}", "created_at": "2020-01-01T00:00:00.000Z",
                "public_metrics": {"followers_count": i, "following_count": 1, "tweet_count": 1}}

    def tweet(i, **more):
        return {"id": str(i), "author_id": str(i % 7), "text": f"tweet {i}", "created_at": "2024-03-01T00:00:00.000Z",
                "public_metrics": {"like_count": i}, "author": user(i % 7), **more}

    # Each line: a tweet quoting another one (embedded, seen only there), both in one month, so
    # the record path's order -- tweet, then its reference, line by line -- shows in the files.
    lines = [dict(tweet(10 + i, referenced_tweets=[dict(tweet(100 + i), type="quoted")]),
                  __twarc={"retrieved_at": f"2024-03-0{2 + i % 3}T00:00:00+00:00"}) for i in range(12)]
    p = _write(tmp_path, *lines, name="flat.jsonl")
    if spill:
        monkeypatch.setattr(ingest_module, "SPILL_BYTES", 2_000)
    assert x_v2._fast_shape(p) == "flat" and "_rank" in next(x_v2.read(p)).tables["posts"].column_names
    fast = ingest([p], tmp_path / "fast")
    monkeypatch.setattr(x_v2, "_fast_shape", lambda path: None)
    slow = ingest([p], tmp_path / "slow")
    assert fast.to_dict()["sources"][0] == slow.to_dict()["sources"][0] | {"path": str(p)}
    for name in ("posts", "accounts"):
        a, b = (sorted((tmp_path / s / "tables" / name).rglob("*.parquet")) for s in ("fast", "slow"))
        assert [f.relative_to(tmp_path / "fast") for f in a] == [f.relative_to(tmp_path / "slow") for f in b]
        for fa, fb in zip(a, b, strict=True):
            assert pq.read_table(fa).equals(pq.read_table(fb)), (name, fa)
