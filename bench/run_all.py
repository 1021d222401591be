"""Run every benchmark script in bench/ (``bench_*.py``) one after another and print its figures.

Each script is standalone (``python bench/bench_ingest.py --help``), generates its own seeded data
at the stated sizes, measures roi and the reference side by side in the same run, prints a
table with medians of >= 3 runs, peak memory and the ratio to the reference, and writes its
figures as JSON to ``bench/results/<name>.json``. ``bench/README.md`` keeps the latest table.

    python bench/run_all.py [--quick | --full] [NAME ...]

Three plans (the arguments each script gets are in :data:`PLANS`):

* default (``make bench``): three sizes per hot path chosen so the whole run stays under 15
  minutes on a 2-core machine; the largest size of each is stated in its table;
* ``--quick``: smaller sizes, a few minutes, to check that everything still runs;
* ``--full``: every script's own defaults (the issue's target sizes: 1M posts ingested, 10M
  aggregated rows, 1M-node graphs, 100M Dask rows); this takes hours on 2 cores.

Wall time per script is printed and saved with the plan to ``bench/results/run_all.json``.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

#: script name -> arguments, per plan; a script missing from a plan runs with its defaults.
PLANS: dict[str, dict[str, list[str]]] = {
    "default": {
        "abtest": ["--pairs", "50", "1000", "4000"],
        "aggregation": ["--sizes", "100000,1000000,10000000"],
        "cascades": ["--quick"],
        "csv_readers": ["--rows", "200000"],
        "dask": ["--sizes", "1000000,2000000,5000000"],
        "geocode": ["--rows", "300000", "--distinct", "30000"],
        "influence": ["--sizes", "10000", "100000", "1000000", "--nx-max", "10000"],
        "ingest": ["--sizes", "10000", "30000", "100000", "--duckdb-max", "10000"],
        "report": ["--repeat", "3"],
        "sample": [],
    },
    "quick": {
        "abtest": ["--pairs", "50", "500", "2000"],
        "aggregation": ["--quick"],
        "cascades": ["--quick"],
        "csv_readers": ["--rows", "50000"],
        "dask": ["--sizes", "200000,500000,1000000", "--partition-rows", "250000"],
        "geocode": ["--rows", "100000", "--distinct", "10000"],
        "influence": ["--sizes", "1000", "10000", "100000", "--nx-max", "10000"],
        "ingest": ["--sizes", "1000", "10000", "100000", "--duckdb-max", "10000"],
        "report": ["--repeat", "3"],
        "sample": [],
    },
    "full": {},
}


def main(argv: list[str]) -> int:
    plan = "full" if "--full" in argv else "quick" if "--quick" in argv else "default"
    only = {a for a in argv if not a.startswith("--")}
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not only or p.stem.removeprefix("bench_") in only)
    failed, walls = [], []
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"plan {plan}; {platform.machine()}, {os.cpu_count()} cores; load average {load}", flush=True)
    begin = time.perf_counter()
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        args = PLANS[plan].get(name, [])
        print(f"\n=== {script.stem} {' '.join(args)} ===", flush=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(script), *args], cwd=HERE.parent)
        wall = time.perf_counter() - start
        print(f"--- {script.stem}: {wall:.1f} s, exit {proc.returncode}", flush=True)
        walls.append({"script": script.stem, "args": args, "seconds": round(wall, 1), "exit": proc.returncode})
        if proc.returncode:
            failed.append(script.stem)
    total = time.perf_counter() - begin
    print(f"\ntotal {total:.0f} s ({total / 60:.1f} min), plan {plan}")
    results = HERE / "results"
    results.mkdir(exist_ok=True)
    (results / "run_all.json").write_text(json.dumps(
        {"plan": plan, "total_s": round(total, 1), "load_average_at_start": load, "scripts": walls}, indent=2))
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
