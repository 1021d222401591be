"""Benchmark: generating the sample brand (roi.sample.write_sample).

Measures the whole generator at the test size (2,000 followers, 6 weeks) and the default size
(5,000 followers, 8 weeks; target < 30 s on 2 cores), with peak memory of a fresh process, and
two references: copying the generated files (the I/O floor) and the exposure step written as a
plain Python loop over followers x brand posts (what the vectorised numpy draw replaces).

    python bench/bench_sample.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, peak_rss_of, report  # noqa: E402

from roi.sample import write_sample  # noqa: E402

SIZES = [("test", 2000, 6), ("default", 5000, 8)]


def exposure_numpy(rng, active, p_see):
    return rng.random(active.shape) < p_see * active


def exposure_loop(rng, active, p_see):
    out = np.zeros(active.shape, dtype=bool)
    for j in range(active.shape[0]):
        for i in range(active.shape[1]):
            out[j, i] = rng.random() < p_see * active[j, i]
    return out


def main() -> None:
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="bench-sample-"))
    try:
        for name, followers, weeks in SIZES:
            out = tmp / name
            seconds, _ = median_time(lambda out=out, f=followers, w=weeks: write_sample(out, seed=0, followers=f, weeks=w))
            files = [p for p in out.rglob("*") if p.is_file()]
            size_mb = sum(p.stat().st_size for p in files) / 1e6
            wall, peak = peak_rss_of(
                f"from roi.sample import write_sample; write_sample({str(tmp / (name + '-rss'))!r}, "
                f"seed=0, followers={followers}, weeks={weeks})")
            copy_s, _ = median_time(lambda out=out: (shutil.rmtree(tmp / "copy", ignore_errors=True),
                                                     shutil.copytree(out, tmp / "copy")))
            rows.append({"case": f"write_sample {name} ({followers} followers, {weeks} weeks)",
                         "seconds": seconds, "files": len(files), "MB": size_mb,
                         "peak_MiB": peak, "reference": "copy the same files (I/O floor)",
                         "ref_seconds": copy_s, "ratio": seconds / copy_s})
        # The hot path the generator vectorises: who of 5,000 followers sees each of ~400 posts.
        rng = np.random.default_rng(0)
        active = rng.gamma(2.0, 0.5, (400, 5000))
        np_s, _ = median_time(lambda: exposure_numpy(np.random.default_rng(1), active, 0.1))
        loop_s, _ = median_time(lambda: exposure_loop(np.random.default_rng(1), active, 0.1), repeat=3)
        rows.append({"case": "exposure draw 400 posts x 5000 followers (numpy)", "seconds": np_s,
                     "reference": "plain Python loop", "ref_seconds": loop_s, "ratio": np_s / loop_s})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report("sample", rows)


if __name__ == "__main__":
    main()
