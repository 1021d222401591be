"""``roi geocode TEXT... [--json]``: geocode profile locations offline and print the columns."""

from __future__ import annotations

import argparse

from roi.cli._output import print_json, records


def register(subparsers) -> None:
    """Add ``roi geocode`` and its options to ``subparsers``."""
    p = subparsers.add_parser(
        "geocode", help="geocode free-text profile locations to countries and cities (offline)",
        description="Geocode profile locations offline (GeoNames cities, pycountry countries and "
                    "subdivisions, Natural Earth shapes). Unresolvable text stays unresolved with a reason.")
    p.add_argument("text", nargs="+", metavar="TEXT", help="one or more locations, e.g. 'Austin TX' NYC München")
    p.add_argument("--json", action="store_true", help="print a JSON list of objects (country_code null when unresolved)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``roi geocode`` with the parsed ``args``; return the exit code."""
    import pandas as pd

    from roi.geo import geocode

    out = geocode(pd.Series(list(args.text), dtype="string"))
    if args.json:
        print_json(records(out))
    else:
        for row in records(out):
            print(_sentence(row))
    return 0


def _sentence(row: dict) -> str:
    """One geocoded location as a line a person reads: the place, how sure, what else it names."""
    import pycountry

    text = row["location"] or "(empty)"
    if row["country_code"] is None:
        return f"{text}: not placed, {row['reason'] or 'no match'}"
    place = ", ".join(dict.fromkeys(p for p in (row["city"], row["admin1"], row["country"]) if p))
    line = f"{text}: {place} ({row['confidence']:.0%} sure, by {_METHOD.get(row['method'], row['method'])}"
    if row["lat"] is not None:
        line += f"; {row['lat']:.2f}, {row['lon']:.2f}"
    line += ")"
    if row["other_countries"]:
        names = [getattr(pycountry.countries.get(alpha_2=c), "name", c) for c in row["other_countries"].split(",")]
        line += f"; also names {', '.join(names)}"
    return line


#: how a location was placed (the ``method`` column), in words.
_METHOD = {"city": "city name", "flag": "flag emoji", "country": "country name", "admin1": "state or region name",
           "coordinates": "coordinates", "nickname": "nickname", "typo": "a close spelling"}
