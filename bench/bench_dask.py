"""Engagement by local hour × weekday and by hashtag with roi's functions on Dask, over rows generated
on the fly across partitions, at three sizes: does the cost grow linearly?

    python bench/bench_dask.py [--quick] [--sizes 1000000,10000000,100000000] [--repeat 3]

Data (seeded, the same distribution as bench_aggregation.py): each Dask partition draws
``--partition-rows`` post-metrics rows from ``numpy.random.default_rng([seed, partition])`` —
created_at (UTC, over a year, both DST changes crossed), impressions (lognormal), engagements
(binomial, 3%), 0-4 hashtags from a Zipf-like vocabulary of 2,000 — so nothing is materialised on
the client and the input never exists on disk. The cluster is a ``distributed.LocalCluster`` on
127.0.0.1 with 2 worker processes × 1 thread (no dashboard).

Measured at each size (median of ``--repeat`` runs):

* ``generate``: a pass that only generates and counts the rows (the floor: no aggregation);
* ``roi on dask``: ``engagement_by_slot(frame, tz="America/New_York")`` and
  ``engagement_by_hashtag(frame, min_support=1)`` on the Dask frame (group sums on the workers,
  rates and delta-method intervals on the gathered 168 + 2,000 rows), generation included;
* ``reference``: the same roi calls on the same rows as one in-memory pandas frame (single
  process, ``ci="delta"``, generation not included), at sizes up to ``--pandas-max`` rows.

Both sides must give the same posts and sums before their speed is compared. Peak memory is the
largest resident set of any worker process (ru_maxrss, read on each worker after the run) and of
the client process.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine, median_time, own_peak_mib, report  # noqa: E402

TZ = "America/New_York"
VOCAB = pa.array([f"tag{i}" for i in range(2000)], type=pa.string())
#: Zipf(1.6) over the 2,000 tags (truncated), drawn by inverse CDF: much faster than rng.zipf
TAG_CDF = np.cumsum(np.arange(1, 2001) ** -1.6) / np.sum(np.arange(1, 2001) ** -1.6)
START_US = np.datetime64("2026-01-01T00:00:00", "us").astype("int64")


def generate_partition(partition: int, *, rows: int, seed: int = 0) -> pd.DataFrame:
    """``rows`` seeded post-metrics rows of one partition (the columns roi's breakdowns read)."""
    rng = np.random.default_rng([seed, partition])
    created = pd.to_datetime(START_US + rng.integers(0, 365 * 86400 * 10**6, rows), unit="us", utc=True)
    impressions = rng.lognormal(7, 1.2, rows).astype("int64") + 1
    engagements = rng.binomial(impressions, 0.03)
    counts = rng.choice(5, rows, p=[0.3, 0.3, 0.2, 0.12, 0.08])
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype("int32")
    tags = VOCAB.take(np.minimum(np.searchsorted(TAG_CDF, rng.random(int(offsets[-1]))), len(VOCAB) - 1))
    hashtags = pa.ListArray.from_arrays(pa.array(offsets), tags)
    return pd.DataFrame({
        "created_at": created.astype("datetime64[us, UTC]"),
        "engagements": pd.array(engagements, dtype="Int64"),
        "impressions": pd.array(impressions, dtype="Int64"),
        "hashtags": pd.Series(pd.arrays.ArrowExtensionArray(hashtags)),
    })


def dask_frame(n_rows: int, *, partition_rows: int, seed: int = 0):
    """A lazy Dask frame of ``n_rows`` rows generated partition by partition (last one shorter)."""
    import dask.dataframe as dd

    sizes = [partition_rows] * (n_rows // partition_rows) + ([n_rows % partition_rows] if n_rows % partition_rows else [])
    meta = generate_partition(0, rows=0, seed=seed)
    return dd.from_map(lambda part: generate_partition(part[0], rows=part[1], seed=seed),
                       list(enumerate(sizes)), meta=meta, label="generate-posts", enforce_metadata=False)


def roi_aggregate(frame, **options):
    from roi.engagement import engagement_by_hashtag, engagement_by_slot

    return (engagement_by_slot(frame, tz=TZ, **options),
            engagement_by_hashtag(frame, min_support=1, **options))


def check_same(dask_result, pandas_result) -> None:
    """Posts exact, sums and rates to 1e-9: the Dask run must match the in-memory one."""
    for d, p in zip(dask_result, pandas_result, strict=True):
        key = "hashtag" if "hashtag" in d.columns else ["weekday", "hour"]
        d = d.sort_values(key, ignore_index=True)
        p = p.sort_values(key, ignore_index=True)
        assert (d["posts"].to_numpy() == p["posts"].to_numpy()).all(), "posts differ"
        for c in ("engagements", "impressions", "engagement_rate", "ci_low", "ci_high"):
            assert np.allclose(d[c].astype(float), p[c].astype(float), rtol=1e-9, equal_nan=True), c


def worker_peak_mib(client) -> float:
    """Largest peak RSS of the cluster's worker processes (MiB)."""
    import resource

    peaks = client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
    return max(peaks.values()) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="sizes 1M, 3M, 10M")
    parser.add_argument("--sizes", help="comma-separated row counts (default 1M, 10M, 100M)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--partition-rows", type=int, default=1_000_000)
    parser.add_argument("--pandas-max", type=int, default=10_000_000,
                        help="largest size the in-memory pandas reference runs at")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    sizes = ([int(s) for s in args.sizes.split(",")] if args.sizes
             else [1_000_000, 3_000_000, 10_000_000] if args.quick else [1_000_000, 10_000_000, 100_000_000])

    from distributed import Client, LocalCluster

    rows = []
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, memory_limit="8GiB") as cluster, Client(cluster) as client:
        client.run(lambda: __import__("roi.engagement"))  # imports are not part of the timing
        for n in sizes:
            frame = dask_frame(n, partition_rows=args.partition_rows)
            reps = args.repeat if n < 100_000_000 else max(1, min(args.repeat, 3))
            gen_s, counted = median_time(lambda f=frame: int(f.map_partitions(len).sum().compute()), repeat=reps)
            assert counted == n
            roi_s, result = median_time(lambda f=frame: roi_aggregate(f), repeat=reps)
            row = {"rows": n, "partitions": frame.npartitions, "generate_s": gen_s, "roi_dask_s": roi_s,
                   "aggregate_only_s": roi_s - gen_s, "rows_per_s": n / roi_s,
                   "worker_peak_MiB": worker_peak_mib(client)}
            if n <= args.pandas_max:
                local = frame.compute(scheduler="synchronous")
                ref_s, ref = median_time(lambda f=local: roi_aggregate(f, ci="delta"), repeat=args.repeat)
                check_same(result, ref)
                row.update({"pandas_s": ref_s, "ratio_dask/pandas": roi_s / ref_s, "same_numbers": True})
                del local, ref
            rows.append(row)
            print(f"  {n:,} rows: {roi_s:.2f} s ({n / roi_s:,.0f} rows/s)", flush=True)
    base = rows[0]
    for r in rows:
        # linear growth: time per row stays flat, so this ratio stays near 1
        r["s_per_row_vs_smallest"] = (r["roi_dask_s"] / r["rows"]) / (base["roi_dask_s"] / base["rows"])
    rows.append({"rows": "client", "worker_peak_MiB": None, "note": f"client peak {own_peak_mib():,.0f} MiB; {machine()}; "
                 f"{args.workers} workers x 1 thread, {args.partition_rows:,} rows/partition; "
                 f"median of {args.repeat} (100M: of {min(args.repeat, 3)})"})
    report("dask", rows)
    return 0


if __name__ == "__main__":
    start = time.perf_counter()
    code = main()
    print(f"total {time.perf_counter() - start:.0f} s")
    sys.exit(code)
