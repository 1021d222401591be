"""Benchmark: roi.abtest.compare on large paired and unpaired tests, and its vectorised
permutation test against a plain per-permutation Python loop (the reference).

    python bench/bench_abtest.py [--pairs 50 1000 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, own_peak_mib, report  # noqa: E402

from roi.abtest import compare  # noqa: E402
from roi.abtest.compare import _permutation_unpaired  # noqa: E402


def frame(pairs: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 2 * pairs
    x = np.round(np.exp(rng.normal(7.5, 0.6, n))).astype(int)
    content = np.repeat(rng.gamma(2.0, 0.5, pairs), 2)
    arm = np.tile(["A", "B"], pairs)
    y = rng.poisson(0.02 * x * content * rng.gamma(10, 0.1, n) * np.where(arm == "B", 1.1, 1.0))
    return pd.DataFrame({"post_id": [str(i) for i in range(n)], "arm": arm, "impressions": x, "engagements": y,
                         "pair_id": np.repeat([f"p{i}" for i in range(pairs)], 2)})


def loop_permutation(y, x, is_b, n_perm, seed=0):
    rng = np.random.default_rng(seed)
    out = np.empty(n_perm)
    for k in range(n_perm):
        lab = rng.permutation(is_b)
        out[k] = np.log(y[lab].sum() / x[lab].sum()) - np.log(y[~lab].sum() / x[~lab].sum())
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, nargs="+", default=[50, 1_000, 10_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rows = []
    for pairs in args.pairs:
        f = frame(pairs)
        for design, data in (("paired", f), ("unpaired", f.drop(columns="pair_id"))):
            t, _ = median_time(partial(compare, data, seed=0), repeat=args.repeat)
            rows.append({"case": f"compare {design}", "posts": len(f), "roi_s": t, "reference_s": None,
                         "ratio": None, "peak_mib": own_peak_mib()})
        y, x = f["engagements"].to_numpy(float), f["impressions"].to_numpy(float)
        is_b = (f["arm"] == "B").to_numpy()
        t_roi, _ = median_time(lambda y=y, x=x, is_b=is_b: _permutation_unpaired(np.random.default_rng(0), y, x, is_b, 5000),
                               repeat=args.repeat)
        t_ref, _ = median_time(partial(loop_permutation, y, x, is_b, 5000), repeat=args.repeat)
        rows.append({"case": "permutation test, 5000 shuffles", "posts": len(f), "roi_s": t_roi,
                     "reference_s": t_ref, "ratio": t_ref / t_roi, "peak_mib": own_peak_mib()})
    report("abtest", rows)


if __name__ == "__main__":
    main()
