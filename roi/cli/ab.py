"""`roi ab`: plan an A/B test of two posting times, analyse one, or list the store's experiments.

Usage::

    roi ab plan --baseline-rate 0.02 --min-lift 0.15 [--start 2026-11-02 --slot-a 09:00-10:00 --slot-b 18:00-19:00 --tz ...]
    roi ab --store DIR --experiment ID [--tz TZ] [--metric engagement_rate] [--json]
    roi ab --store DIR --account acme --tz America/New_York --a "Tue 09:00-11:00" --b "Tue 18:00-20:00"
    roi ab list --store DIR [--account acme] [--tz TZ]
"""

from __future__ import annotations

import argparse

from roi.cli._output import print_json, print_table, records
from roi.errors import ParameterError


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``roi ab`` and its options to ``subparsers``."""
    p = subparsers.add_parser(
        "ab", help="A/B test of posting times: plan one, analyse one, list the store's experiments",
        description="Compare two posting slots. `roi ab plan` says how many pairs of posts a test needs and "
        "writes a schedule that randomises which slot goes first in each pair; `roi ab --experiment ID` "
        "analyses an experiment of the store (paired when it has pair ids); `roi ab --a SLOT --b SLOT` "
        "compares an account's existing posts in two local-time slots such as 'Tue 09:00-11:00' or "
        "'18:00-20:00'; `roi ab list` gives one verdict per experiment.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("action", nargs="?", default="compare", choices=["compare", "plan", "list"],
                   help="compare (default), plan or list")
    g = p.add_argument_group("compare and list")
    g.add_argument("--store", help="store directory written by `roi ingest`")
    g.add_argument("--experiment", help="experiment_id of the store's experiments table")
    g.add_argument("--a", dest="slot_a_cmp", metavar="SLOT", help="slot A for an ad hoc comparison, e.g. '09:00-10:00'")
    g.add_argument("--b", dest="slot_b_cmp", metavar="SLOT", help="slot B, e.g. 'Tue 18:00-20:00'")
    g.add_argument("--account", help="handle whose posts are compared (required with --a/--b)")
    g.add_argument("--tz", help="the brand's IANA time zone; slots are local times there")
    g.add_argument("--metric", default="engagement_rate",
                   choices=["engagement_rate", "click_rate", "conversion_rate"], help="default engagement_rate")
    g.add_argument("--min-posts", type=int, default=10, help="no winner below this many posts per arm (default 10)")
    g.add_argument("--planned-pairs", type=int, default=None, help="planned size, to flag interim looks")
    g = p.add_argument_group("plan")
    g.add_argument("--baseline-rate", type=float, help="expected rate in slot A, e.g. 0.02 engagements per impression")
    g.add_argument("--min-lift", type=float, default=None,
                   help="smallest lift worth detecting (0.15 = +15%%); compare default 0.10")
    g.add_argument("--power", type=float, default=0.8, help="default 0.8")
    g.add_argument("--impressions-per-post", type=float, default=1000, help="typical impressions of a post (default 1000)")
    g.add_argument("--overdispersion", type=float, default=0.1,
                   help="negative-binomial alpha left after pairing (post-to-post noise; default 0.1)")
    g.add_argument("--start", help="first local day of the schedule, e.g. 2026-11-02")
    g.add_argument("--slot-a", help="slot A of the schedule")
    g.add_argument("--slot-b", help="slot B of the schedule")
    g.add_argument("--experiment-id", help="experiment_id written in the schedule")
    g.add_argument("--out", help="also write the schedule as CSV to this file")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default 0.05)")
    p.add_argument("--seed", type=int, default=0, help="seed of resampling and of the schedule (default 0)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``roi ab`` with the parsed ``args``; return the exit code."""
    if args.action == "plan":
        return _plan(args)
    if args.action == "list":
        return _list(args)
    return _compare(args)


def _plan(args: argparse.Namespace) -> int:
    from roi.abtest import plan, schedule
    from roi.abtest.plan import MAX_SCHEDULE_PAIRS

    if args.baseline_rate is None or args.min_lift is None:
        raise ParameterError("roi ab plan needs --baseline-rate (e.g. 0.02) and --min-lift (e.g. 0.15)")
    result = plan(args.baseline_rate, args.min_lift, power=args.power, alpha=args.alpha,
                  impressions_per_post=args.impressions_per_post, overdispersion=args.overdispersion)
    if result["pairs"] > MAX_SCHEDULE_PAIRS:
        raise ParameterError(
            f"--min-lift {args.min_lift:g}: detecting it needs {result['pairs']:,} pairs of posts, more than "
            f"{MAX_SCHEDULE_PAIRS:,} (years of daily posting); choose a larger --min-lift, e.g. 0.1")
    wanted = [args.start, args.slot_a, args.slot_b]
    table = None
    if any(wanted):
        if not all(wanted) or not args.tz:
            raise ParameterError("a schedule needs --start, --slot-a, --slot-b and --tz together")
        table = schedule(result["pairs"], start=args.start, slot_a=args.slot_a, slot_b=args.slot_b,
                         tz=args.tz, seed=args.seed, experiment_id=args.experiment_id)
        if args.out:
            table.assign(post_id="").to_csv(args.out, index=False)
    if args.json:
        print_json({**result, "schedule": records(table) if table is not None else None})
        return 0
    print(f"{result['pairs']} pairs ({result['posts']} posts) to detect {args.min_lift:+.0%} over a baseline "
          f"rate of {args.baseline_rate:g} with power {args.power:g} at alpha {args.alpha:g}")
    print(f"assumes {args.impressions_per_post:g} impressions per post and overdispersion {args.overdispersion:g} "
          f"(sd of a pair's log ratio {result['sd_log_ratio']:.3f})")
    print(f"method: {result['method']}")
    if table is not None:
        first, last = table["post_at_local"].iloc[0], table["post_at_local"].iloc[-1]
        b_first = int(((table["order"] == 1) & (table["arm"] == "B")).sum())
        print(f"\nschedule: {len(table)} posts in {result['pairs']} pairs from {first[:16].replace('T', ' ')} to "
              f"{last[:16].replace('T', ' ')} ({args.tz}); B goes first in {b_first} pairs (coin flips, seed "
              f"{args.seed})")
        print_table(table[["pair_id", "arm", "slot", "order", "post_at_local"]].head(4))
        if args.out:
            print(f"all {len(table)} rows written to {args.out} (fill in post_id once posted; it becomes "
                  "experiments.csv)")
        else:
            print("add --out FILE to write every row as CSV (or --json to print them)")
    return 0


def _need_store(args: argparse.Namespace) -> None:
    if not args.store:
        raise ParameterError(f"roi ab {args.action} needs --store DIR")


def _load(args: argparse.Namespace):
    import roi

    return roi.load(args.store)


#: what a rate is per, by the result's exposure (its denominator), in words.
_PER = {"impressions": "impression", "followers_proxy": "follower of the author (a proxy for potential "
        "impressions, not views)", "web_clicks": "web click"}
_PER_RATE = {"engagement_rate": "of the engagement rate", "click_rate": "of the click rate",
             "conversion_rate": "of the conversion rate"}
#: column headings of the arms table by exposure.
_EXPOSURE_HEADING = {"impressions": "impressions", "followers_proxy": "followers (proxy)", "web_clicks": "web clicks"}


def _arms_table(result):
    """Return the arms as a manager reads them: the denominator named for what it holds, rates in percent."""
    arms = result.arms
    exposure = result.exposure or result.denominator
    shown = arms[["arm", "slot", "posts"]].copy()
    shown[_EXPOSURE_HEADING.get(exposure, exposure)] = arms[result.denominator].map("{:,}".format)
    shown[result.numerator] = arms[result.numerator].map("{:,}".format)
    shown["rate"] = arms[result.metric].map(lambda v: "—" if v is None or v != v else f"{v:.2%}")
    shown["too few posts"] = arms["small"].map({True: "yes", False: ""})
    return shown


def _compare(args: argparse.Namespace) -> int:
    from roi.abtest import compare_store
    from roi.abtest.verdict import probability_phrase

    _need_store(args)
    if args.experiment is None and (args.slot_a_cmp or args.slot_b_cmp):
        if not args.account:
            raise ParameterError("an ad hoc comparison of slots needs --account (whose posts to compare)")
        if not args.tz:
            raise ParameterError("an ad hoc comparison of slots needs --tz: slots are local times "
                                 "(e.g. America/New_York)")
    if args.experiment is None and not (args.slot_a_cmp and args.slot_b_cmp):
        raise ParameterError("give an experiment id (--experiment) or two slots (--a and --b)")
    if args.experiment is not None and (args.slot_a_cmp or args.slot_b_cmp):
        raise ParameterError("give either --experiment or --a/--b, not both")
    result = compare_store(
        _load(args), experiment=args.experiment, slot_a=args.slot_a_cmp, slot_b=args.slot_b_cmp,
        account=args.account, tz=args.tz, metric=args.metric, min_posts=args.min_posts,
        min_lift=0.1 if args.min_lift is None else args.min_lift, alpha=args.alpha, seed=args.seed,
        planned_pairs=args.planned_pairs)
    if args.json:
        print_json(result.to_dict())
        return 0
    print(result.verdict)
    print()
    print_table(_arms_table(result))
    lift = result.lift
    print(f"\nrate = {result.numerator} per {_PER[result.exposure or result.denominator]}")
    print(f"lift B/A - 1: {lift['estimate']:+.1%} ({lift['confidence']:.0%} CI {lift['ci_low']:+.1%} to "
          f"{lift['ci_high']:+.1%}; {lift['method']}); ratio of the arms' summed rates {lift['ratio_of_rates']:+.1%}")
    print(f"permutation p = {result.p_value:.3g}; {probability_phrase('P(B>A)', result.prob_b_better)}; "
          f"expected loss of choosing B = {100 * result.expected_loss_b:.3g} percentage points "
          f"{_PER_RATE[result.metric]}")
    if result.paired:
        pr = result.paired
        print(f"paired ({pr['pairs']} pairs): geometric-mean lift {pr['lift']:+.1%} "
              f"(CI {pr['ci_low']:+.1%} to {pr['ci_high']:+.1%}), t-test p = {pr['p_value']:.3g}")
    if result.glm:
        gl = result.glm
        spread = gl.get("overdispersion")
        model = (f"negative binomial GLM: IRR {gl['irr']:.3f} (CI {gl['ci_low']:.3f} to {gl['ci_high']:.3f}), "
                 f"p = {gl['p_value']:.3g}")
        if spread is not None and spread == spread:
            model += f", overdispersion {spread:.3g}"
        elif gl.get("family") == "poisson":  # the negative binomial did not converge: say what was fitted
            model = "Poisson" + model[len("negative binomial"):] + " (the negative binomial did not converge)"
        print(model)
    if result.sequential:
        print(f"always-valid p (mixture SPRT): {result.sequential['always_valid_p']:.3g}")
    for w in result.warnings:
        print(f"warning: {w}")
    return 0


def _list(args: argparse.Namespace) -> int:
    from roi.abtest import experiments_summary

    _need_store(args)
    table = experiments_summary(_load(args), account=args.account, tz=args.tz, metric=args.metric,
                                min_posts=args.min_posts, alpha=args.alpha, seed=args.seed,
                                min_lift=0.1 if args.min_lift is None else args.min_lift)
    if args.json:
        print_json({"experiments": records(table)})
        return 0
    if table.empty:
        print("(no experiments in the store)")
        return 0
    for row in table.to_dict("records"):
        print(f"{row['experiment_id']}: {row['verdict']}")
    print()
    print_table(table.drop(columns=["verdict", "warnings"]))
    return 0
