"""`roi report`: render the weekly report for an account and ISO week."""

from __future__ import annotations

import argparse

from roi.cli._output import print_json


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``roi report`` and its options to the ``roi`` command."""
    p = subparsers.add_parser(
        "report", help="render the weekly report (papermill) to reports/<account>/<week>/",
        description="Execute the report notebook (roi/report/weekly-report.ipynb) with papermill for one account and ISO week, "
        "and write report.ipynb, a self-contained report.html (opens offline, shows no code) and the "
        "figures as PNG. Prints the HTML path.")
    p.add_argument("--store", required=True, help="store directory written by `roi ingest`")
    p.add_argument("--account", required=True, help="the brand's handle, e.g. acme")
    p.add_argument("--week", default="", help="ISO week like 2026-W47 (default: last complete week in the store)")
    p.add_argument("--tz", default="America/New_York", help="the account's time zone (IANA name)")
    p.add_argument("--home-country", default="", help="ISO alpha-2 code of the home market, e.g. US")
    p.add_argument("--brand-domain", default="", help="the brand's web domain, e.g. acme.example (promotion = links there)")
    p.add_argument("--service-handles", default="",
                   help="the brand's customer-service handles, comma-separated (e.g. acmecustserv)")
    p.add_argument("--out", default="reports", help="output folder (default: reports)")
    p.add_argument("--notebook", default=None, help="report notebook (default: the one shipped with roi)")
    p.add_argument("--pdf", action="store_true", help="also print report.pdf with headless Chromium (must be installed)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument("--json", action="store_true", help='print {"html": PATH, "folder": DIR}')
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate the options, render the report, print where it is; 0 on success."""
    from roi.report import render_report

    _check_paths(args)
    html = render_report(args.store, account=args.account, week=args.week or None, tz=args.tz,
                         out=args.out, notebook=args.notebook, home_country=args.home_country or None,
                         brand_domain=args.brand_domain, service_handles=args.service_handles,
                         progress=not args.no_progress, pdf=args.pdf)
    if args.json:
        print_json({"html": str(html), "folder": str(html.parent)})
    else:
        print(html)
    return 0


def _check_paths(args: argparse.Namespace) -> None:
    """--out must be a folder (or not yet exist); --notebook an existing notebook (JSON)."""
    import json
    from pathlib import Path

    from roi.errors import ParameterError

    if args.out and Path(args.out).exists() and not Path(args.out).is_dir():
        raise ParameterError(f"--out {args.out}: is a file; name a folder for the reports")
    if args.notebook:
        path = Path(args.notebook)
        if not path.is_file():
            raise ParameterError(f"--notebook {args.notebook}: no such notebook file")
        try:
            json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise ParameterError(f"--notebook {args.notebook}: not a notebook (not JSON: "
                                 f"{str(exc).splitlines()[0][:80]})") from None
