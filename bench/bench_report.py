"""Benchmark: the weekly report on the default sample.

Measures, on this machine: generating the default sample (data/sample/config.json), ingesting it,
and rendering the report (papermill + nbconvert), median of 3 renders — the target is
`make weekly-report` with the environment set up in under 60 s. The reference is the bare cost of
starting a kernel and executing an empty notebook with papermill, measured side by side.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, report  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import papermill as pm

    from roi.io import ingest
    from roi.report import render_report
    from roi.sample import write_sample

    config = json.loads((REPO / "data" / "sample" / "config.json").read_text())
    work = Path(tempfile.mkdtemp(prefix="roi-bench-report-"))
    start = time.perf_counter()
    write_sample(work / "raw", **config)
    t_sample = time.perf_counter() - start
    start = time.perf_counter()
    ingest([work / "raw"], work / "store")
    t_ingest = time.perf_counter() - start

    t_render, html = median_time(lambda: render_report(work / "store", account="acme", tz="America/New_York",
                                                       out=work / "reports"), repeat=args.repeat)
    empty = work / "empty.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("1")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, empty)
    t_empty, _ = median_time(lambda: pm.execute_notebook(str(empty), str(work / "out.ipynb"), kernel_name="python3",
                                                         progress_bar=False), repeat=args.repeat)
    cold = t_sample + t_ingest + t_render
    report("report", [
        {"step": "sample (default config)", "seconds": t_sample},
        {"step": "ingest sample", "seconds": t_ingest},
        {"step": "render report (median)", "seconds": t_render, "vs empty notebook": t_render / t_empty},
        {"step": "reference: empty notebook via papermill", "seconds": t_empty},
        {"step": "cold total (no store yet)", "seconds": cold, "target_s": 60, "met": cold < 60},
    ])
    print(f"report: {html}")


if __name__ == "__main__":
    main()
