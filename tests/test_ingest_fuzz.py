"""Type confusion: every field of an X v2 / v1.1 / CSV record replaced by a value of the wrong
type is one rejected record with its line (or, where the value is harmless, an ingested one) --
never an exception out of ingest, never a lost record."""

from __future__ import annotations

import copy
import csv
import json

import pytest

import roi
from roi.io import ingest

WRONG = [5, -3, 1.5, "x", "", [1, "a"], [], {"a": 1}, {}, None, True, 2**70]

V2_TWEET = {
    "id": "1000", "author_id": "9", "text": "hi #Acme @bob https://t.co/x", "created_at": "2024-01-02T03:04:05.000Z",
    "lang": "en", "conversation_id": "1000", "referenced_tweets": [{"type": "replied_to", "id": "999"}],
    "entities": {"hashtags": [{"tag": "Acme", "start": 3}], "mentions": [{"username": "bob", "start": 9}],
                 "urls": [{"url": "https://t.co/x", "expanded_url": "https://acme.example"}]},
    "public_metrics": {"like_count": 1, "retweet_count": 2, "reply_count": 0, "quote_count": 0,
                       "impression_count": 50},
    "non_public_metrics": {"impression_count": 60, "url_link_clicks": 3},
    "note_tweet": {"text": "hi #Acme long", "entities": {"hashtags": [{"tag": "Acme"}]}},
}
V2_USER = {"id": "9", "username": "acme", "name": "Acme", "description": "bio", "location": "NYC",
           "created_at": "2010-01-01T00:00:00.000Z", "verified": False,
           "public_metrics": {"followers_count": 10, "following_count": 2, "tweet_count": 5}}
V1_TWEET = {
    "id_str": "2000", "id": 2000, "full_text": "hello #Acme @bob", "created_at": "Wed Jan 07 11:06:08 +0000 2015",
    "lang": "en", "in_reply_to_status_id_str": "1999", "favorite_count": 1, "retweet_count": 2,
    "entities": {"hashtags": [{"text": "Acme", "indices": [6, 11]}],
                 "user_mentions": [{"screen_name": "bob", "indices": [12, 16]}],
                 "urls": [{"url": "https://t.co/y", "expanded_url": "https://acme.example"}]},
    "extended_tweet": {"full_text": "hello #Acme @bob long"},
    "user": {"id_str": "9", "screen_name": "acme", "name": "Acme", "followers_count": 10,
             "created_at": "Wed Jan 07 11:06:08 +0000 2010", "verified": False},
}


def _paths(value, prefix=()):
    """Every path to a field in a nested record (dicts and the first element of lists)."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list) and value:
        yield (*prefix, 0)
        yield from _paths(value[0], (*prefix, 0))


def _replaced(record, path, new):
    out = copy.deepcopy(record)
    target = out
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = new
    return out


def _cases(record):
    return [(path, wrong) for path in _paths(record) for wrong in WRONG]


def _lines(records, wrap):
    return "".join(json.dumps(wrap(r)) + "\n" for r in records)


def _check(tmp_path, src, n_lines):
    result = ingest([src], tmp_path / "store")
    (s,) = result.sources
    assert s.read == s.ingested + s.duplicates + s.rejected
    ds = roi.load(tmp_path / "store")
    rej = ds.rejected
    assert rej.line.notna().all() and rej.line.between(1, n_lines).all()
    for line, reason in zip(rej.line, rej.reason, strict=True):
        assert reason.startswith(f"line {line}:") and "\n" not in reason and "Traceback" not in reason, reason
    return s, ds


V2_SHAPES = {
    "page": (lambda t: {"data": [t], "includes": {"users": [V2_USER]}}),
    "flat": (lambda t: {**t, "author": V2_USER}),
}


@pytest.mark.parametrize("shape", sorted(V2_SHAPES))
def test_x_v2_records_with_wrong_types(tmp_path, shape):
    wrap = V2_SHAPES[shape]
    cases = _cases(V2_TWEET)
    records = [V2_TWEET] + [_replaced(V2_TWEET, path, wrong) for path, wrong in cases]
    for i, r in enumerate(records):  # distinct ids so no record is a duplicate of another
        if isinstance(r.get("id"), str):
            r["id"] = str(10_000 + i)
    src = tmp_path / "tweets.jsonl"
    src.write_text(_lines(records, wrap))
    s, ds = _check(tmp_path, src, len(records))
    assert s.read == len(records) and s.rejected >= 1
    assert "10000" in set(ds.posts.post_id)  # the good record is there
    # a text or id of the wrong type is a rejected record, not a post with a made-up value
    assert not ds.posts.text.isin(["5", "-3", "1.5", "True", "[1, 'a']"]).any()


def test_x_v2_page_level_wrong_types(tmp_path):
    pages = [{"data": [V2_TWEET], "includes": {"users": [V2_USER]}}]
    pages += [{"data": [{**V2_TWEET, "id": str(3000 + i)}], "includes": wrong} for i, wrong in enumerate(WRONG)]
    pages += [{"data": [{**V2_TWEET, "id": str(4000 + i)}], "includes": {"users": wrong, "tweets": wrong}}
              for i, wrong in enumerate(WRONG)]
    pages += [{"data": [{**V2_TWEET, "id": "5000"}], "__twarc": wrong} for wrong in WRONG]
    src = tmp_path / "pages.jsonl"
    src.write_text(_lines(pages, lambda p: p))
    s, _ = _check(tmp_path, src, len(pages))
    assert s.read == len(pages)


def test_x_v1_records_with_wrong_types(tmp_path):
    cases = _cases(V1_TWEET)
    records = [V1_TWEET] + [_replaced(V1_TWEET, path, wrong) for path, wrong in cases]
    for i, r in enumerate(records):
        if isinstance(r.get("id_str"), str):
            r["id_str"] = str(20_000 + i)
    src = tmp_path / "v1.jsonl"
    src.write_text(_lines(records, lambda r: r))
    s, ds = _check(tmp_path, src, len(records))
    assert s.read == len(records) and "20000" in set(ds.posts.post_id)


CSV_ROW = {"post_id": "1", "author": "acme", "created_at": "2024-01-02T03:04:05Z", "text": "hi #acme",
           "kind": "original", "lang": "en", "impressions": "100", "likes": "3", "reposts": "1", "replies": "0",
           "quotes": "0", "link_clicks": "2", "hashtags": "acme", "author_followers": "10"}
CSV_WRONG = ["5", "-3", "1.5", "x", "", "[1, 2]", '{"a": 1}', "null", "inf", "nan", "1e300", str(2**63),
             "9223372036854775807", "=cmd|' /C calc'!A0", "9999-12-31T00:00:00Z", "0001-01-01"]


def test_csv_rows_with_wrong_values(tmp_path):
    rows = [dict(CSV_ROW)]
    for column in CSV_ROW:
        for wrong in CSV_WRONG:
            rows.append({**CSV_ROW, column: wrong, "post_id": str(len(rows) + 1) if column != "post_id" else wrong})
    src = tmp_path / "posts.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(CSV_ROW))
        writer.writeheader()
        writer.writerows(rows)
    result = ingest([src], tmp_path / "store")
    (s,) = result.sources
    assert s.read == len(rows) == s.ingested + s.duplicates + s.rejected
    posts = roi.load(tmp_path / "store").posts
    counts = posts[["impressions", "likes", "reposts", "replies", "quotes", "link_clicks"]]
    assert (counts.fillna(0) >= 0).all().all()  # no count wrapped round to -9223372036854775808
    assert (counts.fillna(0) < 2**63).all().all()


# ------------------------------------------------------------------ numbers stay numbers, one date rule
def test_a_23_digit_numeric_id_stays_exact(tmp_path):
    good = {"id": "1", "author_id": "9", "text": "a", "created_at": "2024-01-02T03:04:05.000Z"}
    src = tmp_path / "t.jsonl"
    src.write_text(json.dumps({"data": [good]}) + "\n"
                   + '{"data": [{"id": 12345678901234567890123, "author_id": 98765432109876543210987, '
                     '"text": "b", "created_at": "2024-01-02T03:04:05.000Z"}]}\n')
    ingest([src], tmp_path / "s")
    posts = roi.load(tmp_path / "s").posts.set_index("post_id")
    assert posts.loc["12345678901234567890123", "author_id"] == "98765432109876543210987"


def test_csv_counts_exact_or_rejected_with_the_reason(tmp_path):
    src = tmp_path / "posts.csv"
    src.write_text("post_id,author,created_at,likes\n"
                   f"1,acme,2024-01-02T03:04:05Z,{2**53 + 1}\n"
                   f"2,acme,2024-01-02T03:04:05Z,{2**63}\n"
                   "3,acme,2024-01-02T03:04:05Z,inf\n"
                   "4,acme,2024-01-02T03:04:05Z,1e300\n"
                   f"5,acme,2024-01-02T03:04:05Z,{2**63 - 1}\n")
    s = ingest([src], tmp_path / "s").sources[0]
    assert (s.read, s.ingested, s.rejected) == (5, 2, 3)
    ds = roi.load(tmp_path / "s")
    assert dict(zip(ds.posts.post_id, ds.posts.likes, strict=True)) == {"1": 2**53 + 1, "5": 2**63 - 1}
    reasons = ds.rejected.sort_values("line").reason.tolist()
    assert "too large for a count" in reasons[0] and "not a finite number" in reasons[1]
    assert "too large for a count" in reasons[2]


@pytest.mark.parametrize("created_at", ["0001-01-01T00:00:00.000Z", "9999-12-31T00:00:00.000Z",
                                        "1989-12-31T23:59:59Z", None])
def test_one_date_rule_for_x_v2_and_csv(tmp_path, created_at):
    good = {"id": "1", "author_id": "9", "text": "a", "created_at": "2024-01-02T03:04:05.000Z"}
    bad = {**good, "id": "2", "created_at": created_at}
    v2 = tmp_path / "t.jsonl"
    v2.write_text(json.dumps({"data": [good]}) + "\n" + json.dumps({"data": [bad]}) + "\n")
    csv_src = tmp_path / "p.csv"
    csv_src.write_text(f"post_id,author,created_at\n1,acme,2024-01-02T03:04:05Z\n2,acme,{created_at or ''}\n")
    for src in (v2, csv_src):
        s = ingest([src], tmp_path / src.stem).sources[0]
        assert (s.read, s.ingested, s.rejected) == (2, 1, 1), src
        rej = roi.load(tmp_path / src.stem).rejected
        assert rej.line.tolist() == [2 if src is v2 else 3]
        assert "created_at" in rej.reason[0] and (src is csv_src or rej.reason[0].startswith("line 2:"))


def test_weeks_outside_the_date_rule_are_parameter_errors():
    from roi.errors import ParameterError
    from roi.timeframe import last_complete_week, week_bounds

    for week in ("0000-W01", "9999-W01", "1989-W52", "2263-W01"):
        with pytest.raises(ParameterError, match="expected a year from 1990 to 2200"):
            week_bounds(week)
    import pandas as pd

    times = pd.Series(pd.to_datetime(["2026-11-20T10:00Z"], utc=True))
    far = pd.Series([pd.Timestamp("9999-12-31", tz="UTC")], dtype="datetime64[us, UTC]")
    assert last_complete_week(pd.concat([times, far]).astype("datetime64[us, UTC]")) == "2026-W46"


@pytest.mark.parametrize("damage", ["cut", "crc", "not-gzip"])
@pytest.mark.parametrize("size", [50, 20_000])  # the damage in the part detection reads, or after it
def test_a_damaged_gz_is_one_line_and_exit_2(tmp_path, damage, size, capsys):
    import gzip

    from roi.cli.main import main

    lines = "".join(json.dumps({"data": [{**V2_TWEET, "id": str(i)}]}) + "\n" for i in range(size))
    data = gzip.compress(lines.encode(), compresslevel=1)
    if damage == "cut":
        data = data[: len(data) * 3 // 4]
    elif damage == "crc":
        data = data[:-8] + bytes(8)
    else:
        data = b"\x1f\x8b" + b"garbage" * 10
    src = tmp_path / "tweets.jsonl.gz"
    src.write_bytes(data)
    assert main(["ingest", str(src), "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "tweets.jsonl.gz: the gzip data is damaged or cut short" in err, err
