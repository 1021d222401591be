"""Run every benchmark script in bench/ (``bench_*.py``) one after another and print its figures.

Each script is standalone (``python bench/bench_ingest.py --help``), generates its own seeded data
at the stated sizes, measures roi and the reference side by side in the same run, prints a
table with medians of >= 3 runs, peak memory and the ratio to the reference, and writes its
figures as JSON to ``bench/results/<name>.json``. ``bench/README.md`` keeps the latest table.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    only = set(argv)
    scripts = sorted(p for p in HERE.glob("bench_*.py") if not only or p.stem.removeprefix("bench_") in only)
    failed = []
    for script in scripts:
        print(f"\n=== {script.stem} ===", flush=True)
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"--- {script.stem}: {time.perf_counter() - start:.1f} s, exit {proc.returncode}", flush=True)
        if proc.returncode:
            failed.append(script.stem)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
