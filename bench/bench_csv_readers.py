"""CSV readers: posts/s of the generic posts CSV reader, edges/s of the follows reader.

Usage: .venv/bin/python bench/bench_csv_readers.py [--rows N]
Files are generated in a temporary folder (multi-line quoted text, 19-digit ids, a few bad rows),
read with the readers alone (no store), median of 3 runs; peak memory is measured in a fresh
process to show that the read streams.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median_time, peak_rss_of, report  # noqa: E402


def write_posts(path: Path, n: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    ids = 1845310000000000000 + np.arange(n)
    authors = rng.integers(0, n // 20 + 1, n)
    secs = rng.integers(0, 86400 * 60, n)
    tags = np.array(["#fall", "#Coffee #news", "", "#sale"])[rng.integers(0, 4, n)]
    with path.open("w", encoding="utf-8") as fh:
        fh.write("post_id,author,created_at,text,kind,impressions,likes,reposts,replies\n")
        for i in range(n):
            ts = np.datetime64("2026-09-01T00:00:00") + np.timedelta64(int(secs[i]), "s")
            text = f'"post {i} {tags[i]} @user{authors[i] % 97}\nsecond line"' if i % 3 else f"post {i} {tags[i]}"
            likes = -1 if i % 100_000 == 7 else int(secs[i] % 50)
            fh.write(f"{ids[i]},user{authors[i]},{ts}Z,{text},original,{secs[i] % 5000},{likes},{i % 7},{i % 3}\n")


def write_follows(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("follower_id,followee_id,as_of\n")
        for i in range(n):
            fh.write(f"{1000000000 + i},{2000000000 + i % 5000},2026-10-05T00:00:00Z\n")


def count(reader, path) -> tuple[int, int]:
    read = rejected = 0
    for chunk in reader(path):
        read += chunk.read
        rejected += len(chunk.rejected)
    return read, rejected


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=500_000)
    args = parser.parse_args()
    from roi.io import csv_posts, follows

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        posts_path, follows_path = Path(tmp) / "posts.csv", Path(tmp) / "follows.csv"
        write_posts(posts_path, args.rows)
        write_follows(follows_path, args.rows)
        for name, reader, path in (("csv_posts", csv_posts.read, posts_path),
                                   ("follows", follows.read, follows_path)):
            seconds, (read, rejected) = median_time(partial(count, reader, path))
            _, peak = peak_rss_of(f"from roi.io import {name} as m\n"
                                  f"for c in m.read(__import__('pathlib').Path({str(path)!r})): pass")
            rows.append({"reader": name, "rows": read, "rejected": rejected, "seconds": seconds,
                         "rows_per_s": read / seconds, "file_mib": path.stat().st_size / 2**20,
                         "peak_rss_mib": peak})
    report("csv_readers", rows)


if __name__ == "__main__":
    main()
