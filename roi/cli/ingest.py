"""``roi ingest PATH... --store DIR``: read exports into a store and account for every record."""

from __future__ import annotations

import argparse
import sys

from roi.cli._output import print_json, print_table
from roi.io.detect import FORMATS

NAME = "ingest"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``roi ingest`` and its options to ``subparsers``."""
    parser = subparsers.add_parser(
        NAME,
        help="read export files into a store (X v2/v1.1/archive, Mastodon, Bluesky API or repo.car, CSV...)",
        description="Read export files and folders into a store of canonical tables. Formats are "
        "detected by content; folders are walked (files that are not exports are reported as "
        "skipped); every source is accounted for: read = ingested + duplicates + rejected, with "
        "each rejected record kept in the store's _rejected/ folder with its file, line and reason.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, folders, X archive folders or .zip files")
    parser.add_argument("--store", required=True, metavar="DIR", help="store directory (created if missing)")
    parser.add_argument("--format", default="auto", choices=("auto", *FORMATS),
                        help="force the format of files named explicitly (default: detect by content)")
    parser.add_argument("--as-of", metavar="DATE", default=None,
                        help="when the exports were taken (snapshot time of follower lists that carry none)")
    parser.add_argument("--owner", metavar="HANDLE", default=None,
                        help="owner of an X archive that names none (no account.js or manifest.js userInfo), "
                             "or to override the one it names: a handle or a numeric account id; the "
                             "handle of a Bluesky repo.car export (a repository names none)")
    parser.add_argument("--followee", metavar="HANDLE", default=None,
                        help="whose followers X API v2 user pages saved without twarc's __twarc block list "
                             "(a numeric id, or a handle whose account is in the files or the store); "
                             "a file named followers-of-<id or handle>.jsonl says it too")
    parser.add_argument("--strict", action="store_true",
                        help="exit 2 and leave the store unchanged if any record would be rejected")
    parser.add_argument("--wait", type=float, default=5.0, metavar="SECONDS",
                        help="wait this long for another ingest into the same store to finish (default 5)")
    parser.add_argument("--json", action="store_true", help="print the accounting as JSON")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``roi ingest`` with the parsed ``args``; return the exit code."""
    from roi.io import ingest

    bar = _progress_bar()
    try:
        result = ingest(args.paths, args.store, format=args.format, as_of=args.as_of, strict=args.strict,
                        wait=args.wait, owner=args.owner, followee=args.followee, progress=(lambda n, path: bar.update(n)) if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    for skipped in result.skipped:
        print(f"roi ingest: skipped {skipped['path']}: {skipped['reason']}", file=sys.stderr)
    for source in result.sources:
        for note in source.notes:
            print(f"roi ingest: {source.path}: {note}", file=sys.stderr)
    if args.json:
        print_json(result.to_dict())
    else:
        import pandas as pd

        print_table(pd.DataFrame([s.summary() for s in result.sources]))
        print("tables: " + ", ".join(f"{k} {v:,}" for k, v in result.tables.items()))
        if result.rejected:
            print(f"{result.rejected:,} record(s) rejected: see {result.store}/_rejected/")
    return 0


def _progress_bar():
    """Make a records counter on stderr, shown only when the ingest takes more than a second."""
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is a dependency
        return None
    return tqdm(unit=" records", unit_scale=True, file=sys.stderr, delay=1.0, leave=False,
                desc="ingest", disable=None)
