"""roi.io.follows: follower snapshots as CSV edges or id lists, with snapshot times."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pandas as pd
import pytest
from test_csv_posts import collect

from roi.errors import InputError
from roi.io import follows

FIXTURES = Path(__file__).parent / "fixtures" / "formats"
AS_OF = pd.Timestamp("2026-10-12T00:00:00Z")


def test_csv_edges_and_snapshot_times():
    tables, rejected, read, _ = collect(follows.read(FIXTURES / "follows.csv", as_of=AS_OF))
    edges = tables["follows"]
    assert read == 6
    assert list(zip(edges.follower_id, edges.followee_id, strict=True)) == [("1001", "42"), ("1002", "42"), ("42", "1001")]
    # own as_of cell first, the parameter for an empty cell
    assert edges.first_seen.tolist() == [pd.Timestamp("2026-10-05", tz="UTC"), AS_OF, pd.Timestamp("2026-10-05", tz="UTC")]
    assert (edges.first_seen == edges.last_seen).all() and (edges.platform == "x").all()
    assert [(r.line, r.reason.split(";")[0]) for r in rejected] == [
        (5, "self-follow: 1003 follows itself"), (6, "empty follower_id"),
        (7, "as_of 'someday' is not an ISO 8601 time")]


def test_file_mtime_is_the_snapshot_time_without_as_of(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("follower_id,followee_id\n1,2\n", encoding="utf-8")
    stamp = pd.Timestamp("2026-09-01T12:00:00Z").timestamp()
    os.utime(path, (stamp, stamp))
    edges = collect(follows.read(path))[0]["follows"]
    assert edges.first_seen.tolist() == [pd.Timestamp("2026-09-01T12:00:00Z")]


def test_id_lists_named_by_direction():
    tables, rejected, read, _ = collect(follows.read(FIXTURES / "followers-of-42.txt", as_of=AS_OF))
    edges = tables["follows"]
    assert list(zip(edges.follower_id, edges.followee_id, strict=True)) == [("1001", "42"), ("1002", "42"), ("1005", "42")]
    assert edges._line.tolist() == [2, 3, 7]
    assert read == 5 and [(r.line, r.reason) for r in rejected] == [
        (5, "self-follow: 42 follows itself"), (6, "expected one account id a line")]
    out = collect(follows.read(FIXTURES / "following-of-42.txt", as_of=AS_OF))[0]["follows"]
    assert list(zip(out.follower_id, out.followee_id, strict=True)) == [("42", "1001"), ("42", "1002")]


def test_unknown_shape_is_an_input_error(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing required column"):
        list(follows.read(path))


def test_two_snapshots_make_an_unfollow(tmp_path):
    import roi
    from roi.io import ingest

    first, second = tmp_path / "week1.csv", tmp_path / "week2.csv"
    first.write_text("follower_id,followee_id,as_of\n1,42,2026-10-05\n2,42,2026-10-05\n", encoding="utf-8")
    second.write_text("follower_id,followee_id,as_of\n1,42,2026-10-12\n", encoding="utf-8")
    result = ingest([first, second], tmp_path / "store")
    assert all(s.read == s.ingested + s.duplicates + s.rejected for s in result.sources)
    edges = roi.load(tmp_path / "store").follows.set_index("follower_id")
    assert edges.loc["1", "last_seen"] == pd.Timestamp("2026-10-12", tz="UTC")
    assert edges.loc["2", "last_seen"] == pd.Timestamp("2026-10-05", tz="UTC")  # gone by week 2


def test_sample_snapshots_recover_planted_follows_and_unfollows(sample_dir, sample_truth):
    """Consecutive audience snapshots, read edge by edge, give each week's planted new/lost followers."""
    brand = sample_truth["brand"]["account_id"]
    snapshots = []
    for path in sorted((sample_dir / "follows").glob("audience-*.csv")):
        tables, rejected, read, _ = collect(follows.read(path))
        edges = tables["follows"]
        assert not rejected and read == len(edges)
        assert edges.first_seen.nunique() == 1  # the file's own as_of column
        snapshots.append((edges.first_seen.iloc[0], set(edges.follower_id[edges.followee_id == brand])))
    assert len(snapshots) >= 3
    for (when, before), (_, after) in itertools.pairwise(snapshots):
        week = sample_truth["followers_by_week"][f"{when.isocalendar().year}-W{when.isocalendar().week:02d}"]
        assert (len(after - before), len(before - after)) == (week["new"], week["lost"])
