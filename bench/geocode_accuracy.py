"""Geocoding accuracy on the hand-labelled real profile locations (tests/data/geo_locations.csv).

    python bench/geocode_accuracy.py [--split tune|holdout|hand|all] [--misses]

Each row of the labelled set carries the country a person reading it would name (or
``unresolvable``), a ``kind`` (``one-country``, ``several`` countries named, ``none``: a joke or
non-place, ``ambiguous``: a name shared by places in several countries) and a ``split``: the real
locations are cut in two by a hash of the string, ``tune`` (looked at while writing rules) and
``holdout`` (only ever scored). Prints, per split:

* placed: one-country locations answered with their country / all one-country locations;
* answered: one-country locations given any country / all one-country locations;
* precision: answers that are right / all answers (every kind with a label);
* non-places answered: ``none`` rows given a country / all ``none`` rows (should be 0).

``--misses`` lists the wrong and missing answers of the chosen split (use it on ``tune`` only).
``--forms`` rewrites every comma form the split places right ("Denver, CO, USA") as people also
write it -- spaced, dotted, lower case, lower case spaced, inside a phrase ("living in ...") --
and scores each rewriting the same way.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LABELLED = ROOT / "tests" / "data" / "geo_locations.csv"


def _spaced(text: str) -> str:
    return " ".join(p.strip() for p in text.split(",") if p.strip())


FORMS = {
    "spaced": _spaced,
    "dotted": lambda t: ". ".join(p.strip() for p in t.split(",") if p.strip()),
    "lower case": str.lower,
    "lower case spaced": lambda t: _spaced(t.lower()),
    "in a phrase": lambda t: "living in " + t,
}


def score(lab, got) -> dict[str, tuple[int, int]]:
    """(numerator, denominator) of each figure for one labelled frame and its answers."""
    exp = lab["expected_country"]
    one = lab["kind"] == "one-country"
    answered = got != "unresolvable"
    labelled = lab["kind"] != "ambiguous"
    none = lab["kind"] == "none"
    return {
        "placed": (int((got[one] == exp[one]).sum()), int(one.sum())),
        "answered": (int(answered[one].sum()), int(one.sum())),
        "precision": (int((got[answered & labelled] == exp[answered & labelled]).sum()),
                      int((answered & labelled).sum())),
        "non-places answered": (int(answered[none].sum()), int(none.sum())),
    }


def main(argv: list[str] | None = None) -> int:
    import pandas as pd

    from roi.geo import geocode

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="all", choices=["tune", "holdout", "hand", "all"])
    ap.add_argument("--misses", action="store_true")
    ap.add_argument("--forms", action="store_true")
    args = ap.parse_args(argv)
    lab = pd.read_csv(LABELLED, dtype=str, keep_default_na=False)
    out = geocode(lab["location"])
    got = out["country_code"].fillna("unresolvable").astype(str)
    splits = ["tune", "holdout", "hand"] if args.split == "all" else [args.split]
    for split in splits:
        rows = lab["split"] == split
        figures = score(lab[rows], got[rows])
        text = ", ".join(f"{name} {n}/{d} = {n / d:.1%}" for name, (n, d) in figures.items() if d)
        print(f"{split:8s} {text}")
    if args.forms:
        for split in splits:
            rows = (lab["split"] == split) & (lab["kind"] == "one-country") & lab["location"].str.contains(",")
            rows &= got == lab["expected_country"]
            for name, form in FORMS.items():
                ans = geocode(lab.loc[rows, "location"].map(form))["country_code"].fillna("unresolvable")
                exp = lab.loc[rows, "expected_country"].to_numpy()
                right, answered = int((ans.to_numpy() == exp).sum()), int((ans != "unresolvable").sum())
                print(f"{split:8s} {name:17s} placed {right}/{rows.sum()} = {right / max(rows.sum(), 1):.1%}, "
                      f"wrong {answered - right}")
    if args.misses:
        rows = lab["split"].isin(splits)
        bad = lab[rows & (got != lab["expected_country"]) & (lab["kind"] != "ambiguous")]
        for r in bad.itertuples():
            o = out.loc[r.Index]
            print(f"  {r.location!r}: expected {r.expected_country} ({r.kind}), got {got[r.Index]} "
                  f"{o['city'] if pd.notna(o['city']) else ''} [{o['method']}, {o['confidence']}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
