"""``roi listen``: the complaint triage queue for a brand's handles."""

from __future__ import annotations

import argparse

NAME = "listen"

_JSON_KEYS = ["post_id", "author", "action", "reason", "topic", "addressed", "author_followers",
              "created_at", "author_id", "author_pagerank", "pagerank_percentile", "influential", "via",
              "topic_rule", "complaint_terms", "sentiment", "earlier_complaints", "other_authors_in_window",
              "needs_private", "text"]


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME, help="complaints about a brand with a recommended action (triage queue)",
        description="Find complaints addressed to or tagging the brand (English lexicons: VADER plus complaint "
        "phrases), give each a topic and a recommended action - monitor, reply_public, take_private or "
        "escalate - with the reason in words. Escalate fires at a second distinct author on the same topic "
        "within --window-hours.",
    )
    parser.add_argument("--store", required=True, metavar="DIR", help="a store written by `roi ingest`")
    parser.add_argument("--handles", required=True, metavar="H1,H2",
                        help="the brand's handles, comma-separated, e.g. acme,acmecustserv")
    parser.add_argument("--brand-terms", default="", metavar="T1,T2",
                        help="words and hashtags that name the brand, comma-separated (the handles always count)")
    parser.add_argument("--topics", default="", metavar="P1,P2",
                        help="known topics (product names), comma-separated; otherwise topics are the phrases "
                        "complainants share")
    parser.add_argument("--since", default=None, metavar="DATE", help="first day/time to report (UTC)")
    parser.add_argument("--until", default=None, metavar="DATE", help="report complaints before this (UTC)")
    parser.add_argument("--window-hours", type=float, default=72.0, metavar="H",
                        help="escalation window: another author on the same topic within H hours (default 72)")
    parser.add_argument("--follower-threshold", type=int, default=10_000, metavar="N",
                        help="followers at which a tagged-only complainant is influential (default 10000)")
    parser.add_argument("--pagerank-top", type=float, default=0.01, metavar="SHARE",
                        help="top share of PageRank on the follow graph that is influential (default 0.01)")
    parser.add_argument("--json", action="store_true",
                        help='print a list of {"post_id","author","action","reason","topic","addressed",'
                        '"author_followers",...}')
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import roi
    from roi.cli._output import print_json, print_table, records
    from roi.errors import ParameterError
    from roi.listening import triage_queue

    handles = _split(args.handles)
    if not handles:
        raise ParameterError("--handles: expected the brand's handles, e.g. acme,acmecustserv")
    ds = roi.load(args.store)
    queue = triage_queue(ds, handles=handles, brand_terms=_split(args.brand_terms), vocabulary=_split(args.topics),
                         since=args.since, until=args.until, window_hours=args.window_hours,
                         follower_threshold=args.follower_threshold, pagerank_top=args.pagerank_top)
    if args.json:
        out = queue[_JSON_KEYS].copy()
        out["complaint_terms"] = [list(v) if v is not None else [] for v in out["complaint_terms"].tolist()]
        print_json(records(out))
        return 0
    counts = queue["action"].value_counts()
    summary = ", ".join(f"{a} {int(counts.get(a, 0))}" for a in ("escalate", "take_private", "reply_public", "monitor"))
    print(f"{len(queue)} complaint(s) about @{', @'.join(h.lstrip('@') for h in handles)}: {summary}")
    shown = queue[["created_at", "author", "author_followers", "addressed", "topic", "action", "reason"]].copy()
    shown["created_at"] = shown["created_at"].dt.strftime("%Y-%m-%d %H:%M")
    with_width = shown.assign(reason=shown["reason"].str.slice(0, 90))
    print_table(with_width, max_rows=200)
    return 0
