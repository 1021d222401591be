"""``roi sample OUT_DIR``: write the sample brand's raw exports and truth.json."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from roi.cli._output import print_json
from roi.errors import ParameterError

NAME = "sample"


def register(subparsers) -> None:
    """Add ``roi sample`` and its options to ``subparsers``."""
    p = subparsers.add_parser(
        NAME, help="write a realistic sample brand's raw exports (with truth.json)",
        description="Write the sample brand's raw exports (X API v2 pages as twarc2 writes them, "
        "follower snapshots, follow edges, web-analytics and experiment CSVs) and truth.json, "
        "which records every planted effect. Read them with `roi ingest OUT_DIR`. Options not "
        "given come from --config, then from the defaults (seed 0, 5000 followers, 8 weeks "
        "from 2026-09-28).",
    )
    p.add_argument("out_dir", metavar="OUT_DIR", help="folder to write (new, empty, or an earlier sample)")
    p.add_argument("--seed", type=int, help="random seed (same seed, same bytes)")
    p.add_argument("--followers", type=int, help="followers at the last snapshot (>= 50)")
    p.add_argument("--weeks", type=int, help="weeks of activity (>= 2)")
    p.add_argument("--start", help="first Monday, ISO date (e.g. 2026-09-28)")
    p.add_argument("--config", type=Path, help="JSON file with any of seed, followers, weeks, start")
    p.add_argument("--json", action="store_true", help="print a JSON summary")
    p.set_defaults(func=run)


def _read_config(path: Path) -> dict:
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ParameterError(f"--config {path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"--config {path}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise ParameterError(f"--config {path}: line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(config, dict):
        raise ParameterError(f"--config {path}: expected a JSON object with seed, followers, weeks, start")
    unknown = sorted(set(config) - {"seed", "followers", "weeks", "start"})
    if unknown:
        raise ParameterError(f"--config {path}: unknown key(s) {', '.join(unknown)}; "
                             "expected seed, followers, weeks, start")
    return config


def run(args: argparse.Namespace) -> int:
    """Run ``roi sample`` with the parsed ``args``; return the exit code."""
    from roi.sample import DEFAULTS, validate_options, write_sample

    options = dict(DEFAULTS)
    if args.config is not None:
        options.update(_read_config(args.config))
    for key in ("seed", "followers", "weeks", "start"):
        if getattr(args, key) is not None:
            options[key] = getattr(args, key)
    options = validate_options(**options)
    began = time.perf_counter()
    out = write_sample(args.out_dir, **options)
    seconds = time.perf_counter() - began
    files = sorted(p for p in out.rglob("*") if p.is_file())
    summary = {"out_dir": str(out), **options, "files": len(files),
               "bytes": sum(p.stat().st_size for p in files), "seconds": round(seconds, 2)}
    if args.json:
        print_json(summary)
    else:
        print(f"wrote {summary['files']} files ({summary['bytes'] / 1e6:.1f} MB) to {out} in {seconds:.1f} s "
              f"(seed {options['seed']}, {options['followers']} followers, {options['weeks']} weeks from "
              f"{options['start']}); next: roi ingest {out}")
    return 0
