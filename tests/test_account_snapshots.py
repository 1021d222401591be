"""Account snapshots by observation time: the newest observation of an account wins, not the last
line read, so a shuffled file gives the same accounts table (issue 18).

A v1.1 tweet's embedded user is dated by the tweet's created_at; v2 user objects by the page's
retrieval time (else the file's), and snapshots observed at one time are ordered by the
account's own counters (more posts = later); a CSV author by the time of their latest post.
"""

from __future__ import annotations

import json
import random

import pandas as pd
import pytest

import roi
from roi.io import ingest


def _v1(i, day, followers, statuses, location):
    user = {"id_str": "7", "screen_name": "fan", "followers_count": followers, "statuses_count": statuses,
            "location": location, "friends_count": 3}
    return {"id_str": str(i), "created_at": f"Wed Jan {day:02d} 11:06:08 +0000 2015", "text": f"t{i}", "user": user}


def _v2_raw(i, tweets, followers):
    """A page as someone saves the API response: no __twarc, so no retrieval time."""
    return {"data": [{"id": str(i), "author_id": "8", "created_at": f"2024-01-{i:02d}T00:00:00.000Z", "text": "x"}],
            "includes": {"users": [{"id": "8", "username": "acme", "public_metrics": {
                "followers_count": followers, "following_count": 1, "tweet_count": tweets}}]}}


FILES = {
    "v1.jsonl": [_v1(i, day, f, s, loc) for i, day, f, s, loc in
                 [(1, 5, 100, 10, "Paris"), (2, 9, 130, 14, "Lyon"), (3, 7, 120, 12, None), (4, 2, 90, 8, "Nice")]],
    "v2.jsonl": [_v2_raw(1, 50, 1000), _v2_raw(2, 52, 990), _v2_raw(3, 51, 1005)],
}
CSV_ROWS = [("1", "2026-10-03T09:00:00Z", "300", "Oslo"), ("2", "2026-10-09T09:00:00Z", "320", "Bergen"),
            ("3", "2026-10-01T09:00:00Z", "280", "")]


def _ingest(tmp_path, name, lines, seed):
    folder = tmp_path / f"run{seed}"
    folder.mkdir(exist_ok=True)
    lines = list(lines)
    if seed:
        random.Random(seed).shuffle(lines)
    p = folder / name
    if name.endswith(".csv"):
        p.write_text("post_id,author,created_at,author_followers,author_location\n"
                     + "".join(f"{i},fan,{t},{f},{loc}\n" for i, t, f, loc in lines))
    else:
        p.write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = ingest([p], folder / "store", as_of="2026-11-01" if name.startswith("v2") else None)
    return roi.load(result.store).accounts.sort_values(["platform", "account_id"], ignore_index=True)


@pytest.mark.parametrize("name", [*FILES, "posts.csv"])
def test_shuffled_file_gives_the_same_accounts(tmp_path, name):
    lines = FILES.get(name, CSV_ROWS)
    first = _ingest(tmp_path, name, lines, 0)
    for seed in (1, 2, 3):
        shuffled = _ingest(tmp_path, name, lines, seed)
        pd.testing.assert_frame_equal(first, shuffled)


def test_the_newest_observation_wins(tmp_path):
    v1 = _ingest(tmp_path, "v1.jsonl", FILES["v1.jsonl"], 1).set_index("account_id").loc["7"]
    assert (v1.followers_count, v1.posts_count, v1.location) == (130, 14, "Lyon")  # Jan 9, whatever the order
    assert v1.observed_at == pd.Timestamp("2015-01-09T11:06:08Z")
    v2 = _ingest(tmp_path, "v2.jsonl", FILES["v2.jsonl"], 2).set_index("account_id").loc["8"]
    assert (v2.posts_count, v2.followers_count) == (52, 990)  # one retrieval time: the most posts is latest
    csv = _ingest(tmp_path, "posts.csv", CSV_ROWS, 3).set_index("account_id").loc["fan"]
    assert (csv.followers_count, csv.location) == (320, "Bergen")
