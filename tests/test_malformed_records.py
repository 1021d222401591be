"""One malformed record never stops an ingest (issue 18): it is rejected with its line and reason,
or -- when it is only context (an embedded user, an included tweet) -- left out, and the rest of
the file is read. Each case puts a value of the wrong type where a real export has another.
"""

from __future__ import annotations

import json

import pytest

import roi
from roi.io import ingest
from roi.store import Store

V1 = {"id_str": "1", "created_at": "Wed Jan 07 11:06:08 +0000 2015", "text": "hello #a @b",
      "user": {"id_str": "9", "screen_name": "acme"},
      "entities": {"hashtags": [{"text": "a"}], "user_mentions": [{"screen_name": "b", "indices": [9, 11]}]},
      "retweeted_status": None}
V2 = {"data": [{"id": "1", "author_id": "9", "created_at": "2024-01-01T00:00:00Z", "text": "hello #a", "lang": "en",
                "entities": {"hashtags": [{"tag": "a"}]}, "referenced_tweets": [{"type": "quoted", "id": "5"}]}],
      "includes": {"users": [{"id": "9", "username": "acme"}],
                   "tweets": [{"id": "5", "author_id": "8", "created_at": "2023-01-01T00:00:00Z", "text": "q"}]},
      "__twarc": {"retrieved_at": "2024-01-02T00:00:00+00:00"}}


def _set(record, path, value):
    out = json.loads(json.dumps(record))
    node = out
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return out


CASES = [
    ("v1", ("text",), ["a list"], "rejected"),
    ("v1", ("entities", "hashtags"), 5, "rejected"),
    ("v1", ("entities", "user_mentions", 0, "screen_name"), {"x": 1}, "rejected"),
    ("v1", ("id_str",), ["1"], "rejected"),
    ("v1", ("retweeted_status",), {"id_str": [1], "text": "x", "created_at": "Wed Jan 07 11:06:08 +0000 2015",
                                   "user": {"id_str": "3"}}, "repost of a malformed original"),
    ("v1", ("user", "screen_name"), 12, "context: handle unknown"),
    ("v2", ("data", 0, "lang"), 7, "rejected"),
    ("v2", ("data", 0, "entities"), "not an object", "rejected"),
    ("v2", ("data", 0, "referenced_tweets", 0, "type"), ["quoted"], "rejected"),
    ("v2", ("data", 0, "id"), 1.0e18, "rejected"),
    ("v2", ("includes", "users"), 3, "context left out"),
    ("v2", ("includes", "tweets", 0, "text"), {"x": 1}, "context left out"),
    ("v2", ("__twarc", "retrieved_at"), ["2024"], "read"),
]


@pytest.mark.parametrize("fmt, path, value, outcome", CASES, ids=[f"{c[0]}-{'.'.join(map(str, c[1]))}" for c in CASES])
def test_a_malformed_record_is_rejected_or_left_out_never_raised(tmp_path, fmt, path, value, outcome):
    good = V1 if fmt == "v1" else V2
    bad = _set(good, path, value)
    if fmt == "v1":
        good = dict(good, id_str="2")
    else:
        good = _set(good, ("data", 0, "id"), "2")
    p = tmp_path / f"{fmt}.jsonl"
    p.write_text(json.dumps(bad) + "\n" + json.dumps(good) + "\n")
    result = ingest([p], tmp_path / "store")
    s = result.sources[0]
    assert s.read == s.ingested + s.duplicates + s.rejected == 2, s.summary()
    rejected = Store(tmp_path / "store").read_rejected()
    if outcome == "rejected":
        assert s.rejected == 1 and rejected.reason[0].startswith("line 1"), rejected.reason.tolist()
    else:
        assert s.rejected == 0
    posts = roi.load(tmp_path / "store").posts
    assert "2" in set(posts.post_id) and posts.post_id.notna().all()
