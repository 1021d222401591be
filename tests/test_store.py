import json
import os
import subprocess
import sys

import pandas as pd
import pytest

import roi
from roi.errors import StoreError
from roi.store import Store
from roi.tables import TABLES, conform


def _every_table():
    """One small frame per canonical table with nulls, time zones and list columns."""
    t = pd.Timestamp
    return {
        "accounts": conform("accounts", {
            "platform": ["x", "mastodon"], "account_id": ["1234567890123456789", "https://m.social/u/a"],
            "handle": ["acme", None], "display_name": ["Acme", "A ✓"], "description": [None, "<b>bio</b>"],
            "location": ["London", ""], "created_at": [t("2010-01-01T00:00Z"), None],
            "followers_count": [10, None], "following_count": [2, 0], "posts_count": [None, 5],
            "verified": [True, None], "default_profile": [False, True],
            "observed_at": [t("2024-01-01T12:00Z"), t("2024-01-02T12:00Z")],
        }),
        "follows": conform("follows", {
            "platform": ["x"], "follower_id": ["2"], "followee_id": ["1234567890123456789"],
            "first_seen": [t("2024-01-01T00:00Z")], "last_seen": [None],
        }),
        "posts": conform("posts", {
            "platform": ["x", "x", "mastodon"], "post_id": ["1111111111111111111", "2", "https://m/1"],
            "author_id": ["1", "2", "a"],
            "created_at": [t("2024-01-31T23:59:59Z"), t("2024-02-01T00:00Z"), None],
            "text": ["hi #Acme", "RT @acme: hi", None], "lang": ["en", None, "de"],
            "kind": ["original", "repost", "original"], "referenced_id": [None, "1111111111111111111", None],
            "conversation_id": ["1111111111111111111", None, None],
            "hashtags": [["acme"], [], None], "mentions": [[], [], ["bob", "eve"]], "urls": [None, [], []],
            "impressions": [100, None, None], "likes": [3, 3, 0], "reposts": [1, 1, None],
            "replies": [0, None, 2], "quotes": [None, 0, 0], "link_clicks": [5, None, None],
            "metrics_observed_at": [t("2024-02-02T00:00Z"), None, None],
        }),
        "conversions": conform("conversions", {
            "post_id": ["1111111111111111111"], "date": [t("2024-02-01T00:00Z")], "channel": [None],
            "clicks": [10], "conversions": [1], "revenue": [9.99],
        }),
        "experiments": conform("experiments", {
            "experiment_id": ["e1", "e1"], "arm": ["A", "B"], "post_id": ["1", "2"], "pair_id": ["p1", None],
        }),
    }


def _sorted(frame, name):
    return frame.sort_values(list(TABLES[name].key), ignore_index=True)


def test_round_trip_every_table_exactly(tmp_path):
    frames = _every_table()
    store = Store(tmp_path / "s", create=True)
    store.write(frames)
    ds = roi.load(tmp_path / "s")
    for name, frame in frames.items():
        got = ds.table(name)
        assert list(got.dtypes.astype(str)) == list(frame.dtypes.astype(str)), name
        pd.testing.assert_frame_equal(_sorted(got, name), _sorted(frame, name), check_exact=True)


def test_posts_are_partitioned_by_platform_and_month(tmp_path):
    store = Store(tmp_path / "s", create=True)
    store.write({"posts": _every_table()["posts"]})
    parts = sorted(p.relative_to(store.table_path("posts")).parent.as_posix()
                   for p in store.table_path("posts").rglob("*.parquet"))
    assert parts == ["platform=mastodon/month=unknown", "platform=x/month=2024-01", "platform=x/month=2024-02"]


def test_crash_mid_write_leaves_previous_table_intact(tmp_path):
    path = tmp_path / "s"
    store = Store(path, create=True)
    first = _every_table()
    store.write(first)
    # A separate process starts a write of new tables and dies (os._exit) after the Parquet
    # files are written but before the manifest is replaced: exactly a crash mid-write.
    script = f"""
import os, pandas as pd, roi.store as st, roi.store_files as files
s = st.Store({str(path)!r})
def crash(*a, **k):
    os._exit(9)
files.write_json_atomic = crash
s.write({{"experiments": pd.DataFrame({{"experiment_id": ["NEW"], "arm": ["Z"], "post_id": ["9"]}})}})
"""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 9, proc.stderr
    versions = sorted(p.name for p in (path / "tables" / "experiments").iterdir())
    assert len(versions) == 2  # the orphan of the interrupted write exists ...
    ds = roi.load(path)  # ... but is not what the store serves
    pd.testing.assert_frame_equal(_sorted(ds.experiments, "experiments"), _sorted(first["experiments"], "experiments"))
    # the next successful write removes the orphan
    Store(path).write({"experiments": first["experiments"]})
    assert len(list((path / "tables" / "experiments").iterdir())) == 1


def test_crash_while_writing_manifest_keeps_old_manifest(tmp_path, monkeypatch):
    path = tmp_path / "s"
    Store(path, create=True).write(_every_table())
    before = (path / "manifest.json").read_text()
    import roi.store as st

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(st.os, "replace", boom)
    with pytest.raises(OSError):
        Store(path).write({"experiments": _every_table()["experiments"]})
    assert (path / "manifest.json").read_text() == before
    assert not [p for p in path.iterdir() if p.name.endswith(".tmp")]


def test_load_missing_store_says_how_to_fix():
    with pytest.raises(StoreError, match="does not exist; create it with `roi ingest"):
        roi.load("does-not-exist")


def test_load_folder_without_manifest(tmp_path):
    with pytest.raises(StoreError, match="not a roi store"):
        roi.load(tmp_path)


def test_load_empty_store(tmp_path):
    Store(tmp_path / "s", create=True)
    with pytest.raises(StoreError, match="is empty"):
        roi.load(tmp_path / "s")


def test_load_corrupt_manifest(tmp_path):
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(StoreError, match="corrupt manifest"):
        roi.load(tmp_path)


def test_load_corrupt_parquet(tmp_path):
    store = Store(tmp_path / "s", create=True)
    store.write({"experiments": _every_table()["experiments"]})
    for f in store.table_path("experiments").rglob("*.parquet"):
        f.write_bytes(b"garbage")
    with pytest.raises(StoreError, match="corrupt Parquet"):
        roi.load(tmp_path / "s")


def test_manifest_pointing_outside_is_refused(tmp_path):
    store = Store(tmp_path / "s", create=True)
    store.write({"experiments": _every_table()["experiments"]})
    manifest = json.loads((tmp_path / "s" / "manifest.json").read_text())
    manifest["tables"]["experiments"]["path"] = "../../etc"
    (tmp_path / "s" / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StoreError, match="outside the store"):
        roi.load(tmp_path / "s")


def test_rejected_records_round_trip(tmp_path):
    store = Store(tmp_path / "s", create=True)
    store.write_rejected("in.jsonl", [{"line": 3, "reason": "truncated JSON", "record": '{"a":'}], key="abc-in")
    rej = store.read_rejected()
    assert rej.to_dict("records") == [{"source": "in.jsonl", "line": 3, "reason": "truncated JSON", "record": '{"a":'}]


def test_load_does_not_leave_files(tmp_path):
    store = Store(tmp_path / "s", create=True)
    store.write(_every_table())
    before = sorted(os.walk(tmp_path / "s"))
    roi.load(tmp_path / "s")
    assert sorted(os.walk(tmp_path / "s")) == before
