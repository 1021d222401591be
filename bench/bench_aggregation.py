"""Engagement aggregated by local hour × weekday and by hashtag: roi (pandas/numpy) against DuckDB
SQL on the same Parquet file, side by side, at three sizes.

    python bench/bench_aggregation.py [--quick] [--sizes 100000,1000000,10000000]

Data (seeded): one row per post-metrics record — created_at (UTC, a year, so both DST changes
are crossed), engagements, impressions and 0-4 hashtags drawn from 2,000 (Zipf-like), written to
Parquet. Each side reads the Parquet file and computes, in the America/New_York time zone:

* by slot: posts, Σ engagements, Σ impressions and the delta-method sums (Σy², Σx², Σxy) per
  (weekday, hour), then the rate and its 95% interval (``engagement_by_slot(ci="delta")``);
* by hashtag: the same per hashtag after unnesting the list (``engagement_by_hashtag``).

DuckDB runs the same sums as SQL (``AT TIME ZONE``, ``unnest``) with its default threads (2 here);
rates and intervals on its small result are not timed. Times are medians of 3 runs in one
process (read + aggregate); peak RSS is of a fresh process doing one run of the largest size
(its own high-water mark, see :func:`peak_mib`).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, report  # noqa: E402

TZ = "America/New_York"
COLUMNS = ["created_at", "engagements", "impressions", "hashtags"]


def make_parquet(n: int, path: Path, *, seed: int = 0) -> Path:
    """Write n seeded post rows to ``path`` (Parquet, row groups of 1M)."""
    rng = np.random.default_rng(seed)
    start = np.datetime64("2026-01-01T00:00:00", "us").astype("int64")
    created = pa.array(start + rng.integers(0, 365 * 86400 * 10**6, n), type=pa.timestamp("us", tz="UTC"))
    impressions = rng.lognormal(7, 1.2, n).astype("int64") + 1
    engagements = rng.binomial(impressions, 0.03)
    vocab = np.array([f"tag{i}" for i in range(2000)], dtype=object)
    counts = rng.choice(5, n, p=[0.3, 0.3, 0.2, 0.12, 0.08])
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype("int32")
    tags = vocab[np.minimum(rng.zipf(1.6, offsets[-1]) - 1, 1999)]
    hashtags = pa.ListArray.from_arrays(pa.array(offsets), pa.array(tags, type=pa.string()))
    table = pa.table({"created_at": created, "engagements": pa.array(engagements), "impressions": pa.array(impressions),
                      "hashtags": hashtags})
    pq.write_table(table, path, row_group_size=1_000_000)
    return path


def roi_read(path: Path) -> pd.DataFrame:
    table = pq.read_table(path, columns=COLUMNS)
    return table.to_pandas(types_mapper=lambda t: pd.ArrowDtype(t) if pa.types.is_list(t) else None)


def roi_aggregate(frame: pd.DataFrame):
    from roi.engagement import engagement_by_hashtag, engagement_by_slot

    slots = engagement_by_slot(frame, tz=TZ, ci="delta")
    tags = engagement_by_hashtag(frame, min_support=1, ci="delta")
    return slots, tags


def roi_run(path: Path):
    return roi_aggregate(roi_read(path))


SLOT_SQL = f"""
SELECT isodow(created_at AT TIME ZONE '{TZ}') - 1 AS weekday, hour(created_at AT TIME ZONE '{TZ}') AS hour,
       count(*) AS posts, sum(engagements::DOUBLE) AS y, sum(impressions::DOUBLE) AS x,
       sum(engagements::DOUBLE * engagements) AS yy, sum(impressions::DOUBLE * impressions) AS xx,
       sum(engagements::DOUBLE * impressions) AS xy
FROM read_parquet('{{path}}') WHERE impressions > 0 GROUP BY ALL ORDER BY weekday, hour
"""
TAG_SQL = """
SELECT hashtag, count(*) AS posts, sum(engagements::DOUBLE) AS y, sum(impressions::DOUBLE) AS x,
       sum(engagements::DOUBLE * engagements) AS yy, sum(impressions::DOUBLE * impressions) AS xx,
       sum(engagements::DOUBLE * impressions) AS xy
FROM (SELECT unnest(hashtags) AS hashtag, engagements, impressions FROM read_parquet('{path}') WHERE impressions > 0)
GROUP BY hashtag ORDER BY posts DESC
"""


def duckdb_run(path: Path):
    import duckdb

    con = duckdb.connect()
    slots = con.sql(SLOT_SQL.format(path=path)).df()
    tags = con.sql(TAG_SQL.format(path=path)).df()
    con.close()
    return slots, tags


def check_same(path: Path) -> None:
    """The two sides must agree before their speed is compared."""
    slots, tags = roi_run(path)
    d_slots, d_tags = duckdb_run(path)
    merged = slots[slots.posts > 0].merge(d_slots, on=["weekday", "hour"])
    assert len(merged) == len(d_slots), "slot cells differ"
    assert (merged["posts_x"].astype(int) == merged["posts_y"].astype(int)).all()
    assert np.allclose(merged["engagements"].astype(float), merged["y"])
    t = tags.merge(d_tags, on="hashtag")
    assert len(t) == len(d_tags) and (t["posts_x"].astype(int) == t["posts_y"].astype(int)).all()
    assert np.allclose(t["impressions"].astype(float), t["x"])


def peak_mib(code: str) -> float:
    """Peak RSS (MiB) of a fresh process running ``code``.

    Linux carries the parent's high-water mark into a forked child (ru_maxrss and VmHWM start at
    the parent's RSS), which made a child look as big as this process; so the child resets its
    own mark (``/proc/self/clear_refs`` = 5) first and reports VmHWM at the end.
    """
    import subprocess

    prologue = "open('/proc/self/clear_refs', 'w').write('5')\n"
    epilogue = ("\nprint('PEAK', [l.split()[1] for l in open('/proc/self/status') "
                "if l.startswith('VmHWM')][0])")
    proc = subprocess.run([sys.executable, "-c", prologue + code + epilogue], capture_output=True, text=True)
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    return int(proc.stdout.strip().splitlines()[-1].split()[1]) / 1024


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 10k, 100k, 1M")
    parser.add_argument("--sizes", help="comma-separated row counts (default 100k, 1M, 10M)")
    args = parser.parse_args(argv)
    sizes = ([int(s) for s in args.sizes.split(",")] if args.sizes
             else [10_000, 100_000, 1_000_000] if args.quick else [100_000, 1_000_000, 10_000_000])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = make_parquet(n, Path(tmp) / f"posts-{n}.parquet")
            check_same(path)
            t_roi, _ = median_time(lambda p=path: roi_run(p))
            frame = roi_read(path)
            t_agg, _ = median_time(lambda f=frame: roi_aggregate(f))
            del frame
            t_duck, _ = median_time(lambda p=path: duckdb_run(p))
            row = {"rows": n, "roi_s": t_roi, "roi_aggregate_only_s": t_agg, "duckdb_s": t_duck,
                   "ratio_roi/duckdb": t_roi / t_duck, "roi_rows_per_s": n / t_roi}
            if n == max(sizes):
                setup = (f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
                         f"from pathlib import Path; import bench_aggregation as b; p = Path({str(path)!r})\n")
                row["roi_peak_mib"] = peak_mib(setup + "b.roi_run(p)")
                row["duckdb_peak_mib"] = peak_mib(setup + "b.duckdb_run(p)")
            rows.append(row)
    report("aggregation", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
