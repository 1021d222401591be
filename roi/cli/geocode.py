"""``roi geocode TEXT... [--json]``: geocode profile locations offline and print the columns."""

from __future__ import annotations

import argparse

from roi.cli._output import print_json, print_table, records


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "geocode", help="geocode free-text profile locations to countries and cities (offline)",
        description="Geocode profile locations offline (GeoNames cities, pycountry countries and "
                    "subdivisions, Natural Earth shapes). Unresolvable text stays unresolved with a reason.")
    p.add_argument("text", nargs="+", metavar="TEXT", help="one or more locations, e.g. 'Austin TX' NYC München")
    p.add_argument("--json", action="store_true", help="print a JSON list of objects (country_code null when unresolved)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import pandas as pd

    from roi.geo import geocode

    out = geocode(pd.Series(list(args.text), dtype="string"))
    if args.json:
        print_json(records(out))
    else:
        print_table(out)
    return 0
