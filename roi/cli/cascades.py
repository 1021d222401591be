"""``roi cascades``: cascade metrics from tree files or from a store."""

from __future__ import annotations

import argparse

from roi.errors import ParameterError
from roi.timeframe import to_utc

NAME = "cascades"


def register(subparsers) -> None:
    """Add ``roi cascades`` and its options to ``subparsers``."""
    parser = subparsers.add_parser(
        NAME, help="cascade size, depth, structural virality and reach",
        description="Measure retweet cascades: from Twitter15/16 tree files (.txt, folders, the .tgz) "
        "or a cascade_id,parent,child,time CSV (--trees), or reconstructed from a store (--store).",
    )
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument("--trees", nargs="+", metavar="PATH", help="tree .txt files, folders, .tgz archives or CSVs")
    src.add_argument("--store", metavar="DIR", help="a store written by `roi ingest`")
    parser.add_argument("--account", help="with --store: only cascades of this handle's posts")
    parser.add_argument("--start", help="with --store: sources posted at or after this UTC time (ISO 8601)")
    parser.add_argument("--end", help="with --store: sources posted before this UTC time (ISO 8601)")
    parser.add_argument("--json", action="store_true", help="print a JSON list of objects")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``roi cascades`` with the parsed ``args``; return the exit code."""
    from roi.cli._output import print_json, print_table, records

    if args.trees:
        if args.account or args.start or args.end:
            raise ParameterError("--account/--start/--end apply to --store only")
        from roi.cascades.trees import tree_metrics

        table = tree_metrics(args.trees)
        brief = ["cascade_id", "label", "size", "depth", "max_breadth", "structural_virality", "duration_minutes",
                 "dropped_self_loops", "dropped_duplicates", "reparented", "negative_delays", "unreachable",
                 "repeat_posts"]
    else:
        import roi
        from roi.cascades.reconstruct import store_cascade_metrics

        ds = roi.load(args.store)
        table = store_cascade_metrics(ds, account=args.account, start=to_utc(args.start, name="start"),
                                      end=to_utc(args.end, name="end"))
        brief = ["cascade_id", "created_at", "reposts", "reposts_observed", "size", "depth", "max_breadth",
                 "structural_virality", "potential_reach", "unique_reach", "follow", "source_fallback",
                 "missing_parents"]
    if args.json:
        print_json(records(table))
    else:
        shown = table[brief].copy()
        shown["structural_virality"] = shown["structural_virality"].round(3)
        print_table(shown)
        print(f"{len(table)} cascades")
        if "missing_parents" in table.columns and len(table):
            broken = int((table["missing_parents"] > 0).sum())
            if broken:
                refs = int(table["missing_parents"].sum())
                print(f"{broken} of them {'starts' if broken == 1 else 'start'} at the oldest post the store holds, "
                      f"as {'its' if broken == 1 else 'their'} source is not in the store ({refs} "
                      f"{'post references' if refs == 1 else 'posts reference'} a post the store does not hold)")
    return 0
