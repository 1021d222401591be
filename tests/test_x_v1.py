"""X API v1.1 reader: a hand-made retweet, reply, quote and extended tweet."""

from __future__ import annotations

import json

import pandas as pd

import roi
from roi.io import ingest, x_v1

USER = {"id": 1, "id_str": "1", "screen_name": "Acme", "name": "Acme", "location": "Boston, MA",
        "followers_count": 120, "friends_count": 4, "statuses_count": 9, "verified": False,
        "default_profile": True, "created_at": "Wed Jan 07 11:06:08 +0000 2015"}
ORIGINAL = {"id": 100, "id_str": "100", "created_at": "Thu Mar 07 09:00:00 +0000 2024", "user": USER,
            "truncated": True, "text": "short...", "favorite_count": 4, "retweet_count": 2,
            "extended_tweet": {"full_text": "The long text #Sale @Bob",
                               "entities": {"hashtags": [{"text": "Sale", "indices": [14, 19]}],
                                            "user_mentions": [{"screen_name": "Bob", "id_str": "2", "indices": [20, 24]}],
                                            "urls": []}},
            "entities": {"hashtags": [], "user_mentions": [], "urls": []}}
FAN = {"id_str": "3", "screen_name": "fan", "followers_count": 7}
RETWEET = {"id_str": "101", "created_at": "Thu Mar 07 10:00:00 +0000 2024", "user": FAN,
           "text": "RT @Acme: The long text #Sale @Bob", "retweeted_status": ORIGINAL,
           "favorite_count": 0, "retweet_count": 2,
           "entities": {"hashtags": [{"text": "Sale"}],
                        "user_mentions": [{"screen_name": "Acme", "indices": [3, 8]},
                                          {"screen_name": "Bob", "indices": [31, 35]}],
                        "urls": [{"url": "https://t.co/a", "expanded_url": "https://acme.example/?utm_content=100"}]}}
REPLY = {"id_str": "102", "created_at": "Thu Mar 07 11:00:00 +0000 2024", "user": FAN,
         "full_text": "@Acme broken again", "in_reply_to_status_id_str": "100", "favorite_count": 1,
         "retweet_count": 0, "entities": {"user_mentions": [{"screen_name": "Acme", "indices": [0, 5]}]}}
QUOTE = {"id_str": "103", "created_at": "Thu Mar 07 12:00:00 +0000 2024", "user": FAN, "text": "so true",
         "quoted_status_id_str": "100", "quoted_status": ORIGINAL, "favorite_count": 0, "retweet_count": 0}


def test_v1_objects_map_to_canonical_rows(tmp_path):
    p = tmp_path / "v1.jsonl"
    p.write_text("".join(json.dumps(t) + "\n" for t in (ORIGINAL, RETWEET, REPLY, QUOTE)))
    chunks = list(x_v1.read(p, as_of=pd.Timestamp("2024-03-08", tz="UTC")))
    assert sum(c.read for c in chunks) == 4 and not chunks[0].rejected
    posts = chunks[0].tables["posts"]
    records = posts[~posts._context].set_index("post_id")
    assert records.loc["100", "text"] == "The long text #Sale @Bob"
    assert list(records.loc["100", "hashtags"]) == ["sale"] and list(records.loc["100", "mentions"]) == ["bob"]
    assert records.loc["100", "created_at"] == pd.Timestamp("2024-03-07T09:00:00Z")
    assert (records.loc["101", "kind"], records.loc["101", "referenced_id"]) == ("repost", "100")
    assert list(records.loc["101", "mentions"]) == ["bob"]  # RT @Acme: is not a mention
    assert (records.loc["102", "kind"], records.loc["102", "referenced_id"]) == ("reply", "100")
    assert (records.loc["103", "kind"], records.loc["103", "referenced_id"]) == ("quote", "100")
    assert pd.isna(records.loc["100", "replies"])  # v1.1 standard API gives no reply_count: unknown
    accounts = chunks[0].tables["accounts"]
    acme = accounts[accounts.account_id == "1"].iloc[0]
    assert (acme.handle, acme.location, acme.followers_count, acme.following_count) == ("Acme", "Boston, MA", 120, 4)
    assert acme.created_at == pd.Timestamp("2015-01-07T11:06:08Z")


def test_v1_ingest_accounts_and_dedupes_embedded_originals(tmp_path):
    p = tmp_path / "v1.json"
    p.write_text(json.dumps([ORIGINAL, RETWEET, REPLY, QUOTE, {"id_str": "9", "hello": 1}], indent=1))
    result = ingest([p], tmp_path / "store")
    s = result.sources[0]
    assert s.format == "x-v1" and (s.read, s.ingested, s.duplicates, s.rejected) == (5, 4, 0, 1)
    ds = roi.load(tmp_path / "store")
    assert sorted(ds.posts.post_id) == ["100", "101", "102", "103"]  # the embedded original once
    assert "record 5" in ds.rejected.reason[0] or "line 5" in ds.rejected.reason[0]


def test_v1_bad_date_is_rejected(tmp_path):
    p = tmp_path / "v1.jsonl"
    p.write_text(json.dumps(dict(REPLY, created_at="2024/03/07")) + "\n" + json.dumps(QUOTE) + "\n")
    chunks = list(x_v1.read(p))
    assert chunks[0].read == 2 and len(chunks[0].rejected) == 1
    assert "created_at '2024/03/07' is not a timestamp" in chunks[0].rejected[0].reason


def test_v1_real_world_shapes(tmp_path):
    """What real v1.1 collections do that hand-made ones do not: a retweet cut at 140 characters
    (its whole text is in the original's extended_tweet), a retweet of a quote tweet (the quote
    inside the retweeted status), numeric ids only, ISO 8601 times, a float id (digits lost)."""
    cut = dict(RETWEET, id_str="104", text="RT @Acme: The long te\u2026", truncated=True,
               entities={"hashtags": [], "user_mentions": [{"screen_name": "Acme", "indices": [3, 8]}]})
    inner_quote = dict(QUOTE, id_str="105", quoted_status=ORIGINAL)
    rt_of_quote = {"id_str": "106", "created_at": "Thu Mar 07 13:00:00 +0000 2024", "user": FAN, "text": "RT @fan: so true",
                   "retweeted_status": inner_quote}
    numeric = {"id": 1234567890123456789, "created_at": "2024-03-07T14:00:00.000Z", "text": "ids as numbers",
               "user": {"id": 4, "screen_name": "num"}}
    floated = {"id": 1.2345678901234568e18, "created_at": "Thu Mar 07 15:00:00 +0000 2024", "text": "lost digits",
               "user": {"id_str": "4"}}
    p = tmp_path / "v1.jsonl"
    p.write_text("".join(json.dumps(t) + "\n" for t in (cut, rt_of_quote, numeric, floated)))
    result = ingest([p], tmp_path / "store")
    s = result.sources[0]
    assert (s.read, s.ingested, s.rejected) == (4, 3, 1)
    ds = roi.load(tmp_path / "store")
    posts = ds.posts.set_index("post_id")
    assert posts.loc["104", "text"] == "RT @Acme: The long text #Sale @Bob"
    assert list(posts.loc["104", "hashtags"]) == ["sale"] and list(posts.loc["104", "mentions"]) == ["bob"]
    assert (posts.loc["106", "kind"], posts.loc["106", "referenced_id"]) == ("repost", "105")
    assert (posts.loc["105", "kind"], posts.loc["105", "referenced_id"]) == ("quote", "100")
    assert "100" in posts.index  # the quoted original, two levels down, is a context row
    assert posts.loc["1234567890123456789", "created_at"] == pd.Timestamp("2024-03-07T14:00:00Z")
    assert "not an exact id" in ds.rejected.reason[0]
