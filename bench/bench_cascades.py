"""Cascade metrics for a seeded forest and reconstruction over a follow graph, at three sizes.

    python bench/bench_cascades.py [--quick]   # --quick: reconstruction at 10k/100k only

Metrics: a forest of heavy-tailed cascades (10k, 100k, 1M nodes; target 1M in < 10 s) against a
plain per-node Python reference (dicts, breadth-first, one step per node). Reconstruction:
reposts over a random follow graph (10k/100k, 100k/1M, 1M reposts/10M edges) against a plain
per-repost reference (run at the two smaller sizes only: it holds every follow set in Python
dicts). Medians of 3 runs; peak RSS of a fresh process doing the largest size once.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
from _common import median_time, peak_rss_of, report  # noqa: E402

from roi.cascades import cascade_metrics, reconstruct_cascades  # noqa: E402
from roi.cascades._reference import reference_reconstruct, reference_tree_metrics  # noqa: E402


def make_forest(n_nodes: int, seed: int = 0) -> pd.DataFrame:
    """Heavy-tailed cascade sizes (lognormal), star-heavy trees with some long chains."""
    rng = np.random.default_rng(seed)
    sizes = np.maximum(1, rng.lognormal(1.5, 1.6, n_nodes // 4).astype(np.int64))
    sizes = sizes[np.cumsum(sizes) <= n_nodes]
    sizes = np.append(sizes, n_nodes - sizes.sum()) if sizes.sum() < n_nodes else sizes
    cascade = np.repeat(np.arange(len(sizes)), sizes)
    start = np.repeat(np.cumsum(sizes) - sizes, sizes)
    local = np.arange(n_nodes) - start
    # Parent of local node i: uniform over earlier nodes raised to a power (bias towards the source).
    parent_local = np.floor(rng.random(n_nodes) ** 3 * local).astype(np.int64)
    parent = np.where(local == 0, -1, start + parent_local)
    time = local * rng.exponential(2.0, n_nodes)
    time = np.maximum.accumulate(np.where(local == 0, 0.0, time))  # nondecreasing inside a cascade
    return pd.DataFrame({"cascade_id": cascade, "node": np.arange(n_nodes),
                         "parent": pd.arrays.IntegerArray(np.where(parent < 0, 0, parent), parent < 0),
                         "time": time})


def reference_forest_metrics(forest: pd.DataFrame) -> int:
    parents: dict[int, dict] = {}
    for c, node, parent in zip(forest["cascade_id"].tolist(), forest["node"].tolist(),
                               forest["parent"].astype(object).where(forest["parent"].notna(), None).tolist(), strict=False):
        parents.setdefault(c, {})[node] = parent
    return sum(reference_tree_metrics(p)["wiener_index"] for p in parents.values())


def make_world(n_reposts: int, n_edges: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    n_accounts = max(n_edges // 10, 100)
    follows = pd.DataFrame({
        "follower_id": pd.array(rng.integers(0, n_accounts, n_edges).astype(str), dtype="string"),
        "followee_id": pd.array(rng.integers(0, n_accounts, n_edges).astype(str), dtype="string"),
    })
    follows["first_seen"] = pd.Timestamp("2026-01-01", tz="UTC")
    follows["last_seen"] = pd.Timestamp("2026-03-01", tz="UTC")
    n_sources = max(n_reposts // 100, 1)
    src = rng.integers(0, n_sources, n_reposts)
    offsets = rng.integers(1, 10**12, n_reposts)  # microseconds after the source
    posts = pd.DataFrame({
        "post_id": pd.array([f"s{i}" for i in range(n_sources)] + [f"r{i}" for i in range(n_reposts)], dtype="string"),
        "author_id": pd.array(rng.integers(0, n_accounts, n_sources + n_reposts).astype(str), dtype="string"),
        "created_at": pd.Timestamp("2026-01-02", tz="UTC") + pd.to_timedelta(np.concatenate([np.zeros(n_sources, np.int64), offsets]), unit="us"),
        "kind": ["original"] * n_sources + ["repost"] * n_reposts,
        "referenced_id": pd.array([None] * n_sources + [f"s{i}" for i in src], dtype="string"),
    })
    return posts, follows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="reconstruction at 10k and 100k reposts only (metrics still up to the 1M-node forest)")
    quick = parser.parse_args(argv).quick
    rows = []
    metric_sizes = [10_000, 100_000, 1_000_000]
    for n in metric_sizes:
        forest = make_forest(n)
        t_roi, result = median_time(lambda forest=forest: cascade_metrics(forest))
        t_ref, ref_w = median_time(lambda forest=forest: reference_forest_metrics(forest), repeat=1 if n >= 1_000_000 else 3)
        assert int(result["wiener_index"].sum()) == ref_w, "fast and reference metrics disagree"
        rows.append({"task": "metrics", "size": f"{n:,} nodes / {len(result):,} cascades", "roi_s": t_roi,
                     "reference_s": t_ref, "ratio": t_ref / t_roi, "nodes_per_s": n / t_roi})
    biggest = metric_sizes[-1]
    _, peak = peak_rss_of(f"import sys; sys.path.insert(0, 'bench'); from bench_cascades import make_forest; "
                          f"from roi.cascades import cascade_metrics; cascade_metrics(make_forest({biggest}))")
    rows[-1]["peak_rss_mib"] = peak

    recon_sizes = [(10_000, 100_000), (100_000, 1_000_000)] + ([] if quick else [(1_000_000, 10_000_000)])
    for n_reposts, n_edges in recon_sizes:
        posts, follows = make_world(n_reposts, n_edges)
        t_roi, edges = median_time(lambda posts=posts, follows=follows: reconstruct_cascades(posts, follows))
        row = {"task": "reconstruct", "size": f"{n_reposts:,} reposts / {n_edges:,} edges", "roi_s": t_roi,
               "reposts_per_s": n_reposts / t_roi, "follow_share": float((edges["attribution"] == "follow").mean())}
        if n_edges <= 1_000_000:
            t_ref, ref = median_time(lambda posts=posts, follows=follows: reference_reconstruct(posts, follows), repeat=1 if n_edges >= 1_000_000 else 3)
            got = edges.set_index("child_post_id")["parent_post_id"]
            row["agree_with_reference"] = float((got.reindex(list(ref)) == pd.Series(ref, dtype="string")).mean())
            row["reference_s"] = t_ref
            row["ratio"] = t_ref / t_roi
        rows.append(row)
    n_reposts, n_edges = recon_sizes[-1]
    _, peak = peak_rss_of(f"import sys; sys.path.insert(0, 'bench'); from bench_cascades import make_world; "
                          f"from roi.cascades import reconstruct_cascades; p, f = make_world({n_reposts}, {n_edges}); "
                          f"reconstruct_cascades(p, f)")
    rows[-1]["peak_rss_mib"] = peak
    report("cascades", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
