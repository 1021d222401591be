"""Geocoding: gazetteer load time, first-time resolution of distinct strings, and cached lookups.

    python bench/bench_geocode.py [--rows 1000000] [--distinct 100000]

Builds a seeded column of profile locations (``--distinct`` different strings drawn from real
city/country/junk shapes, repeated to ``--rows``), then measures in fresh processes: loading the
gazetteer, geocoding the column cold (each distinct string resolved once), and geocoding it again
warm (every string cached: the repeated-lookup rate). Reference: pandas ``Series.map`` over a
prepared dict of the same answers (the floor for any cached lookup).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import median_time, peak_rss_of, report  # noqa: E402


def make_locations(rows: int, distinct: int, seed: int = 0):
    import numpy as np
    import pandas as pd

    from roi.geo import load_gazetteer

    rng = np.random.default_rng(seed)
    g = load_gazetteer()
    big = g.cities[g.cities["population"] >= 15_000].reset_index(drop=True)
    countries = list(g.country_name.values())
    junk = ["Earth", "everywhere", "she/her", "🌍", "", "in my head", "404", "the internet"]
    shapes = rng.integers(0, 5, distinct)
    city = big.iloc[rng.integers(0, len(big), distinct)]
    out = []
    for k, (shape, name, cc) in enumerate(zip(shapes, city["name"], city["country_code"].astype(str), strict=False)):
        tag = f" {k}" if shape == 4 else ""  # unique junk keeps the distinct count honest
        out.append([name, f"{name}, {g.country_name.get(cc, cc)}", f"{name} {cc}",
                    countries[k % len(countries)], junk[k % len(junk)] + tag][shape])
    uniq = pd.unique(pd.Series(out))
    # every distinct string once, the remaining rows from a long-tailed popularity
    extra = rng.zipf(1.3, max(rows - len(uniq), 0)) % len(uniq)
    values = np.concatenate([uniq, uniq[extra]])
    return pd.Series(values[rng.permutation(len(values))], dtype="string")


def _load_in_fresh_process() -> tuple[float, float]:
    """(seconds to build the gazetteer, seconds to import roi.geo) in a new interpreter."""
    import subprocess

    code = ("import time; t0 = time.perf_counter(); import roi.geo.gazetteer as g; "
            "t1 = time.perf_counter(); g.load_gazetteer(); print(time.perf_counter() - t1, t1 - t0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    load, imp = map(float, out.stdout.split())
    return load, imp


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--distinct", type=int, default=100_000)
    args = ap.parse_args(argv)

    loads = [_load_in_fresh_process() for _ in range(3)]
    load_s = sorted(x[0] for x in loads)[1]
    _, load_mib = peak_rss_of("from roi.geo import load_gazetteer; load_gazetteer()")


    import importlib

    from roi.geo import geocode, load_gazetteer

    mod = importlib.import_module("roi.geo.geocode")
    load_gazetteer()
    locs = make_locations(args.rows, args.distinct)
    n_distinct = locs.nunique(dropna=False)

    def cold():
        mod._resolved.cache_clear()
        return geocode(locs)

    cold_s, out = median_time(cold, repeat=3)
    warm_s, _ = median_time(lambda: geocode(locs), repeat=3)
    answers = dict(zip(locs, out["country_code"], strict=False))
    ref_s, _ = median_time(lambda: locs.map(answers), repeat=3)
    rows = [
        {"step": "gazetteer load (fresh process, after imports; median of 3)", "seconds": load_s,
         "peak_MiB": load_mib, "target": "< 3 s"},
        {"step": f"geocode cold: {len(locs):,} rows, {n_distinct:,} distinct", "seconds": cold_s,
         "per_s": n_distinct / cold_s, "located": float(out["country_code"].notna().mean())},
        {"step": f"geocode warm: {len(locs):,} rows (all cached)", "seconds": warm_s,
         "per_s": len(locs) / warm_s, "target": ">= 100,000 lookups/s"},
        {"step": "reference: Series.map over a prepared dict", "seconds": ref_s, "per_s": len(locs) / ref_s,
         "ratio": warm_s / ref_s},
    ]
    report("geocode", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
