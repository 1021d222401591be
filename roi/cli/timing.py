"""``roi timing``: the best times to post for an account, and the model's effects."""

from __future__ import annotations

import argparse

NAME = "timing"

_METRICS = ("engagements", "engagements_without_clicks", "replies", "link_clicks", "conversions")


def register(subparsers) -> None:
    """Add ``roi timing`` and its options to ``subparsers``."""
    parser = subparsers.add_parser(
        NAME, help="best times to post and the effects of hour, hashtags, mentions and questions",
        description="Rank (weekday, hour) slots by the expected rate of an average post of the account "
        "(negative-binomial model, 95% intervals) and print the model's incidence-rate ratios. The rate is "
        "the --metric per impression where enough posts have impressions, else per follower (a proxy for "
        "potential impressions, said in the output); the two are never pooled. Only slots with at least "
        "--min-posts posts are ranked. Weekday 0 is Monday; hours are local to --tz.",
    )
    parser.add_argument("--store", required=True, metavar="DIR", help="a store written by `roi ingest`")
    parser.add_argument("--account", required=True, metavar="HANDLE", help="the account's handle, e.g. acme")
    parser.add_argument("--tz", default="UTC", help="the account's IANA time zone (default UTC), "
                        "e.g. America/New_York")
    parser.add_argument("--metric", default="engagements", choices=_METRICS,
                        help="what is counted: engagements (likes+reposts+replies+quotes+link_clicks, the default), "
                        "engagements_without_clicks, replies, link_clicks or conversions (per web click)")
    parser.add_argument("--exposure", default="auto", choices=("auto", "impressions", "followers_proxy"),
                        help="the denominator (default auto: impressions when at least 30 posts have them, "
                        "else the author's follower count for every post)")
    parser.add_argument("--min-posts", type=int, default=5, metavar="N",
                        help="posts a slot needs to be ranked (default 5)")
    parser.add_argument("--include-sparse", action="store_true",
                        help="rank slots with fewer than --min-posts posts too (flagged sparse)")
    parser.add_argument("--top", type=int, default=10, metavar="N", help="slots to print (default 10; JSON has all "
                        "ranked slots)")
    parser.add_argument("--domain", action="append", default=[], metavar="DOMAIN",
                        help="the brand's web domain (repeatable): a link to its sale pages marks promotion")
    parser.add_argument("--json", action="store_true",
                        help='print {"numerator", "denominator", "best_slots": [...], "effects": [...], ...} as JSON')
    parser.set_defaults(func=run)


_PER = {"impressions": "impression", "followers_proxy": "follower (a proxy for potential impressions, not views)",
        "web_clicks": "web click"}


def _pct(v) -> str:
    return "—" if v is None or v != v else f"{float(v):.2%}"


def _p(v) -> str:
    if v is None or v != v:
        return "—"
    return "< 0.001" if v < 0.001 else f"{v:.3f}"


def run(args: argparse.Namespace) -> int:
    """Run ``roi timing`` with the parsed ``args``; return the exit code."""
    import roi
    from roi.accounts import account_id_for
    from roi.cli._output import print_json, print_table, records
    from roi.engagement import account_metrics, classify_content, timing_analysis
    from roi.errors import ParameterError
    from roi.timeframe import validate_tz

    tz = validate_tz(args.tz)
    if args.top < 1:
        raise ParameterError(f"--top {args.top}: expected a positive number of slots")
    if args.min_posts < 1:
        raise ParameterError(f"--min-posts {args.min_posts}: expected a positive number of posts")
    ds = roi.load(args.store)
    metrics = account_metrics(ds, args.account)
    if metrics.empty:
        raise ParameterError(f"--account {args.account!r}: no posts by this account in the store")
    account_id = account_id_for(ds.accounts, args.account, posts=ds.posts)
    content = classify_content(ds.posts, brand_domains=args.domain, brand_ids=[account_id])
    result = timing_analysis(metrics, tz=tz, content=content, metric=args.metric, exposure=args.exposure,
                             min_posts=args.min_posts, include_sparse=args.include_sparse)
    model, slots = result.model, result.best_slots
    if args.json:
        out = result.to_dict()
        out["best_slots"] = records(slots)
        out["effects"] = records(model.effects)
        print_json(out)
        return 0
    per = _PER.get(model.denominator, model.denominator)
    print(f"Best times to post for @{args.account.lstrip('@')} ({tz}): expected {model.numerator} per {per} of an "
          f"average post, 95% interval; {result.slots['ranked']} slot(s) with at least {args.min_posts} posts ranked, "
          f"from {model.posts} posts.")
    shown = slots.head(args.top)[["rank", "day", "hour", "rate", "ci_low", "ci_high", "posts"]].copy()
    shown["hour"] = shown["hour"].map(lambda h: f"{int(h):02d}:00")
    for c in ("rate", "ci_low", "ci_high"):
        shown[c] = shown[c].map(_pct)
    print_table(shown.rename(columns={"ci_low": "low", "ci_high": "high"}))
    for note in result.notes:
        print(f"note: {note}")
    print(f"\nEffects: rate ratio against the reference level (1 = no difference); p adjusted by Holm within "
          f"each factor; {model.numerator} per {per}:")
    eff = model.effects[["term", "irr", "ci_low", "ci_high", "reference", "posts", "p_value", "p_adjusted"]].copy()
    for c in ("irr", "ci_low", "ci_high"):
        eff[c] = eff[c].astype(float).map(lambda v: f"{v:.2f}")
    for c in ("p_value", "p_adjusted"):
        eff[c] = eff[c].astype(float).map(_p)
    print_table(eff.rename(columns={"irr": "ratio", "ci_low": "low", "ci_high": "high", "p_value": "p",
                                    "p_adjusted": "p (Holm)"}), max_rows=100)
    od = model.overdispersion
    if od.get("fallback"):
        print(f"\nModel: Poisson with robust errors (the negative-binomial fit did not converge); Poisson "
              f"chi2/df = {od['poisson_pearson_dispersion']:.2f} (1 = no overdispersion).")
    else:
        print(f"\nModel: negative binomial, overdispersion alpha = {od['alpha']:.3f}; a Poisson model would have "
              f"chi2/df = {od['poisson_pearson_dispersion']:.2f} (1 = Poisson would do).")
    if model.dropped:
        print(f"Terms left out (no posts, or no {model.outcome}): {', '.join(model.dropped)}")
    return 0
