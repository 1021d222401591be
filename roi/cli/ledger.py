"""``roi ledger``: what the social effort returned, against other channels and its cost."""

from __future__ import annotations

import argparse

NAME = "ledger"


def _engagement_value(text: str) -> tuple[str, float]:
    from roi.errors import ParameterError

    name, sep, number = text.partition("=")
    try:
        value = float(number) if sep else None
    except ValueError:
        value = None
    if value is None:
        raise ParameterError(f"--value {text!r}: expected TYPE=NUMBER, e.g. likes=0.05")
    return name.strip(), value


def _formatted(values, fmt: str):
    return values.astype("Float64").map(fmt.format, na_action="ignore").astype(object).fillna("—")


def register(subparsers) -> None:
    """Add ``roi ledger`` and its options to ``subparsers``."""
    parser = subparsers.add_parser(
        NAME, help="the return-on-influence ledger: channels, value and the team's hours",
        description="Compare the conversion rate of the brand's posts with every other web-analytics channel "
        "(Wilson intervals; ratio of rates with its interval), and put the team's effort log (hours and cost "
        "per week and activity) against the value the activities returned: the posts' conversions (at "
        "--value-per-conversion, else the revenue reported), answered complaints (at --value-per-case) and "
        "engagements (at --value TYPE=X). Nothing is valued unless you say what it is worth.",
    )
    parser.add_argument("--store", required=True, metavar="DIR", help="a store written by `roi ingest`")
    parser.add_argument("--account", required=True, metavar="HANDLE", help="the brand's handle, e.g. acme")
    parser.add_argument("--weeks", type=int, default=None, metavar="N",
                        help="only the last N weeks, up to the newest week with data")
    parser.add_argument("--value-per-conversion", type=float, default=None, metavar="X",
                        help="value of one conversion (default: the revenue the web analytics reports)")
    parser.add_argument("--value-per-case", type=float, default=None, metavar="X",
                        help="value of one answered complaint (default: counted, not valued)")
    parser.add_argument("--value", action="append", default=[], metavar="TYPE=X",
                        help="value of one engagement of TYPE (likes, reposts, replies, quotes, link_clicks); "
                        "repeatable")
    parser.add_argument("--service-handle", action="append", default=[], metavar="HANDLE",
                        help="another handle of the brand that answers complaints (repeatable), e.g. acmecustserv")
    parser.add_argument("--brand-term", action="append", default=[], metavar="TERM",
                        help="a brand or product name that marks a mention (repeatable)")
    parser.add_argument("--domain", action="append", default=[], metavar="DOMAIN",
                        help="the brand's web domain (repeatable): a link to its sale pages marks promotion")
    parser.add_argument("--tz", default="UTC", help="the brand's IANA time zone (default UTC)")
    parser.add_argument("--json", action="store_true",
                        help='print {"weeks": [...], "channels": [...], "comparison": [...], ...} as JSON')
    parser.set_defaults(func=run)


_TEXT_WEEKS = 12  # weeks the text table shows when --weeks is not given


def run(args: argparse.Namespace) -> int:
    """Run ``roi ledger`` with the parsed ``args``; return the exit code."""
    import roi
    from roi.cli._output import print_json, print_table, records
    from roi.errors import ParameterError
    from roi.ledger import ledger_findings, return_on_influence

    if args.weeks is not None and args.weeks < 1:
        raise ParameterError(f"--weeks {args.weeks}: expected a positive number of weeks")
    for name in ("value_per_conversion", "value_per_case"):
        value = getattr(args, name)
        if value is not None and not value >= 0:
            raise ParameterError(f"--{name.replace('_', '-')} {value}: expected a number >= 0")
    values = dict(_engagement_value(v) for v in args.value)
    ds = roi.load(args.store)
    led = return_on_influence(ds, account=args.account, weeks=args.weeks,
                              value_per_conversion=args.value_per_conversion, value_per_case=args.value_per_case,
                              engagement_values=values or None, service_handles=args.service_handle,
                              brand_terms=args.brand_term, brand_domains=args.domain, tz=args.tz)
    findings = ledger_findings(led)
    if args.json:
        print_json({
            "parameters": led.parameters,
            "notes": list(led.notes),
            "weeks": records(led.weeks),
            "channels": records(led.channels),
            "channels_by_week": records(led.channels_by_week),
            "comparison": records(led.comparison),
            "findings": records(findings),
        })
        return 0
    weeks = led.parameters["weeks"]
    span = f"{weeks[0]} to {weeks[-1]}" if weeks else "no weeks"
    print(f"Return on influence for @{led.parameters['account']} ({span}; weeks in {led.parameters['tz']})")
    print()
    for sentence in findings["finding"]:
        print(f"- {sentence}")
    if led.channels.empty:
        print("\nChannels: none to compare (no web analytics in the store).")
    else:
        print("\nChannels (conversion rate = conversions / sessions, 95% Wilson interval):")
        shown = led.channels.copy()
        for c in ("rate", "ci_low", "ci_high"):
            shown[c] = _formatted(shown[c], "{:,.2%}")
        shown["revenue"] = _formatted(shown["revenue"], "{:,.2f}")
        print_table(shown, max_rows=100)
    table = led.weeks[["week", "activity", "posts", "hours", "cost", "value", "value_per_hour"]].copy()
    # A row with no posts, hours, cost or value says nothing: left out of the printed table (JSON keeps it).
    said = table[["hours", "cost", "value"]].notna().any(axis=1) | (table["posts"].fillna(0) > 0)
    table = table[said.to_numpy(dtype=bool)]
    shown_weeks = sorted(table["week"].unique())
    if args.weeks is None and len(shown_weeks) > _TEXT_WEEKS:
        table = table[table["week"].isin(shown_weeks[-_TEXT_WEEKS:])]
        print(f"\nLedger of the newest {_TEXT_WEEKS} of {len(shown_weeks)} weeks with activity (--weeks N for "
              "more, --json for all; value per hour = value / hours):")
    else:
        print("\nLedger (per week and activity; value per hour = value / hours):")
    table["posts"] = table["posts"].astype(object).fillna("—")
    for c in ("hours", "cost", "value", "value_per_hour"):
        table[c] = _formatted(table[c], "{:,.2f}")
    if table.empty:
        print("no posts, hours or value in these weeks")
    else:
        print_table(table, max_rows=500)
    return 0
