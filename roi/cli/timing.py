"""``roi timing``: the best times to post for an account, and the model's effects."""

from __future__ import annotations

import argparse

NAME = "timing"


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        NAME, help="best times to post and the effects of hour, hashtags, mentions and questions",
        description="Rank (weekday, hour) slots by the expected engagement rate of an average post of the "
        "account (negative-binomial model with log impressions as offset, 95%% intervals) and print the "
        "model's incidence-rate ratios. Weekday 0 is Monday; hours are local to --tz.",
    )
    parser.add_argument("--store", required=True, metavar="DIR", help="a store written by `roi ingest`")
    parser.add_argument("--account", required=True, metavar="HANDLE", help="the account's handle, e.g. acme")
    parser.add_argument("--tz", default="UTC", help="the account's IANA time zone (default UTC), "
                        "e.g. America/New_York")
    parser.add_argument("--top", type=int, default=10, metavar="N", help="slots to print (default 10; JSON has all "
                        "estimable slots)")
    parser.add_argument("--domain", action="append", default=[], metavar="DOMAIN",
                        help="the brand's web domain (repeatable): a link to its sale pages marks promotion")
    parser.add_argument("--json", action="store_true",
                        help='print {"best_slots": [...], "effects": [...]} as JSON')
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import roi
    from roi.accounts import account_id_for
    from roi.cli._output import print_json, print_table, records
    from roi.engagement import account_metrics, best_slots, classify_content, fit_engagement_model
    from roi.errors import ParameterError
    from roi.timeframe import validate_tz

    tz = validate_tz(args.tz)
    if args.top < 1:
        raise ParameterError(f"--top {args.top}: expected a positive number of slots")
    ds = roi.load(args.store)
    metrics = account_metrics(ds, args.account)
    if metrics.empty:
        raise ParameterError(f"--account {args.account!r}: no posts by this account in the store")
    account_id = account_id_for(ds.accounts, args.account, posts=ds.posts)
    content = classify_content(ds.posts, brand_domains=args.domain, brand_ids=[account_id])
    model = fit_engagement_model(metrics, tz=tz, content=content)
    slots = best_slots(metrics, tz=tz, model=model)
    slots = slots[slots["rate"].notna()]
    effects = model.effects
    if args.json:
        print_json({
            "best_slots": records(slots[["weekday", "hour", "rate", "ci_low", "ci_high", "posts"]]),
            "effects": records(effects[["term", "irr", "ci_low", "ci_high"]]),
        })
        return 0
    od = model.overdispersion
    print(f"Best times to post for @{args.account.lstrip('@')} ({tz}; {model.posts} posts; "
          "expected engagements per impression of an average post, 95% interval):")
    shown = slots.head(args.top)[["rank", "day", "hour", "rate", "ci_low", "ci_high", "posts"]].copy()
    for c in ("rate", "ci_low", "ci_high"):
        shown[c] = shown[c].astype(float).map(lambda v: f"{v:.2%}")
    print_table(shown)
    print("\nEffects (incidence-rate ratio against the reference; 1 = no effect):")
    eff = effects[["term", "irr", "ci_low", "ci_high", "reference", "posts"]].copy()
    for c in ("irr", "ci_low", "ci_high"):
        eff[c] = eff[c].astype(float).round(2)
    print_table(eff, max_rows=100)
    print(f"\nOverdispersion: {od['family']}, alpha = {od.get('alpha', float('nan')):.3f}; "
          f"Poisson Pearson chi2/df = {od['poisson_pearson_dispersion']:.2f} (1 = Poisson would do)")
    return 0
