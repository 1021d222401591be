"""What every benchmark shares: timing medians, peak memory of a child process, the results file."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def median_time(fn: Callable[[], Any], *, repeat: int = 3) -> tuple[float, Any]:
    """Median wall time of ``repeat`` calls of fn (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peak_rss_of(code: str, *, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Run Python ``code`` in a fresh process; return (wall seconds, peak RSS in MiB)."""
    start = time.perf_counter()
    # ru_maxrss survives fork+exec on Linux (it would include this process's own peak), so the child
    # reports its own high-water mark from /proc (VmHWM, in KiB).
    report_peak = ("\nprint('PEAK', next(l.split()[1] for l in open('/proc/self/status') "
                   "if l.startswith('VmHWM')))")
    proc = subprocess.run([sys.executable, "-c", code + report_peak],
                          capture_output=True, text=True, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(proc.stderr[-2000:])
    peak_kib = int(proc.stdout.strip().splitlines()[-1].split()[1])
    return wall, peak_kib / 1024


def own_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def report(name: str, rows: list[dict[str, Any]]) -> None:
    """Print rows as a table and save them to bench/results/<name>.json."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps({"machine": machine(), "rows": rows}, indent=2))
    if not rows:
        return
    keys = list(dict.fromkeys(k for r in rows for k in r))
    widths = {k: max(len(k), *(len(_fmt(r.get(k))) for r in rows)) for k in keys}
    print("  ".join(k.ljust(widths[k]) for k in keys))
    for r in rows:
        print("  ".join(_fmt(r.get(k)).ljust(widths[k]) for k in keys))


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return "" if v is None else str(v)
