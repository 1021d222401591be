"""Geocode free-text profile locations offline: country first, precision before recall.

A location resolves only when the whole string, or one whole part of it, names a place the
gazetteer knows (see :mod:`roi.geo.gazetteer`); otherwise it stays unresolved with a reason.
A wrong country is worse than none, so jokes ("Earth", "somewhere over the rainbow"), pronouns,
URLs and continents are never guessed.

How a string is read, in order:

1. coordinates ("51.5,-0.12", "ÜT: 40.7,-74.0", N 41°24' E 2°11') -> the country whose Natural
   Earth polygon contains the point, else the nearest city within 100 km;
2. the text is cut into alternatives at ``/ | • ; + & and`` and " - ": the first part that
   resolves wins ("London / NYC" -> London);
3. inside a part, commas separate a place from its qualifiers: "Portland, OR", "Santiago,
   Spain", "Brooklyn, New York, USA". A qualifier that is a country or subdivision restricts
   the place; subdivisions only qualify, they never outrank a city of the same name;
4. a part is looked up as a nickname (NYC, SoCal, PNW), a country (in any language pycountry
   ships), a major subdivision (US state, Canadian province, ...), a city (the most populous of
   that name, 15,000+ people unless qualified), another subdivision; without a comma the last
   one to three words may qualify the rest ("Austin TX", "Auckland NZ", "Berlin Germany");
5. flag emoji (regional-indicator pairs) name a country when the text alone does not.

Examples
--------
>>> out = geocode(pd.Series(["NYC", "München", "Santiago", "Santiago, Spain", "Earth", None]))
>>> out[["country_code", "city", "method"]]
  country_code                    city    method
0           US           New York City  nickname
1           DE                  Munich      city
2           CL                Santiago      city
3           ES  Santiago de Compostela      city
4         <NA>                    <NA>      <NA>
5         <NA>                    <NA>      <NA>
>>> out["reason"].tolist()[4:]
['not a place (joke or generic)', 'empty']
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from roi.errors import ParameterError
from roi.geo.gazetteer import AMBIGUOUS_CODES, COUNTRY_ALIASES, Gazetteer, Subdivision, load_gazetteer, normalise

_ALPHA3 = {"USA": "US", "IND": "IN", "AUS": "AU", "GBR": "GB", "DEU": "DE", "ITA": "IT",
           "ESP": "ES", "FRA": "FR", "BRA": "BR", "MEX": "MX", "CAN": "CA", "JPN": "JP",
           "CHN": "CN", "ARG": "AR", "NZL": "NZ", "ZAF": "ZA", "PAK": "PK", "NGA": "NG"}

__all__ = ["geocode", "geocode_one", "GEOCODE_COLUMNS", "reverse_geocode"]

GEOCODE_COLUMNS = ["location", "country_code", "country", "admin1", "city", "lat", "lon",
                   "confidence", "method", "reason"]

# Smallest town a bare name may resolve to; a qualified name ("Marfa, TX") may name any town.
MIN_BARE_POPULATION = 15_000

# Nicknames: key -> (country, admin1, city name to look up in that country or None).
NICKNAMES: dict[str, tuple[str, str | None, str | None]] = {
    "nyc": ("US", "NY", "New York City"), "new york city": ("US", "NY", "New York City"),
    "ny ny": ("US", "NY", "New York City"), "big apple": ("US", "NY", "New York City"),
    "the big apple": ("US", "NY", "New York City"), "manhattan": ("US", "NY", "Manhattan"),
    "la": ("US", "CA", "Los Angeles"), "los angeles": ("US", "CA", "Los Angeles"),
    "sf": ("US", "CA", "San Francisco"), "san fran": ("US", "CA", "San Francisco"),
    "frisco": ("US", "CA", "San Francisco"), "sin city": ("US", "NV", "Las Vegas"),
    "vegas": ("US", "NV", "Las Vegas"), "bay area": ("US", "CA", None),
    "sf bay area": ("US", "CA", None), "san francisco bay area": ("US", "CA", None),
    "the bay": ("US", "CA", None), "silicon valley": ("US", "CA", None),
    "socal": ("US", "CA", None), "so cal": ("US", "CA", None), "norcal": ("US", "CA", None),
    "southern california": ("US", "CA", None), "northern california": ("US", "CA", None),
    "pnw": ("US", None, None), "pacific northwest": ("US", None, None),
    "dmv": ("US", "DC", None), "nova": ("US", "VA", None), "dfw": ("US", "TX", None),
    "atx": ("US", "TX", "Austin"), "htx": ("US", "TX", "Houston"), "h town": ("US", "TX", "Houston"),
    "atl": ("US", "GA", "Atlanta"), "chi town": ("US", "IL", "Chicago"), "chitown": ("US", "IL", "Chicago"),
    "philly": ("US", "PA", "Philadelphia"), "phila": ("US", "PA", "Philadelphia"),
    "nola": ("US", "LA", "New Orleans"), "stl": ("US", "MO", "St. Louis"),
    "washington dc": ("US", "DC", "Washington, D.C."), "dc": ("US", "DC", "Washington, D.C."),
    "washington d c": ("US", "DC", "Washington, D.C."), "motor city": ("US", "MI", "Detroit"),
    "south jersey": ("US", "NJ", None), "north jersey": ("US", "NJ", None),
    "jersey shore": ("US", "NJ", None), "new england": ("US", None, None),
    "midwest": ("US", None, None), "the midwest": ("US", None, None),
    "upstate ny": ("US", "NY", None), "upstate new york": ("US", "NY", None),
    "brum": ("GB", "ENG", "Birmingham"), "the north east": ("GB", "ENG", None),
    "home counties": ("GB", "ENG", None), "east midlands": ("GB", "ENG", None),
    "west midlands": ("GB", "ENG", None), "east anglia": ("GB", "ENG", None),
    "kl": ("MY", None, "Kuala Lumpur"), "cdmx": ("MX", None, "Mexico City"),
    "bsas": ("AR", None, "Buenos Aires"), "bs as": ("AR", None, "Buenos Aires"),
    "sampa": ("BR", None, "São Paulo"), "rio": ("BR", None, "Rio de Janeiro"),
    "dilli": ("IN", None, "Delhi"), "bombay": ("IN", None, "Mumbai"), "ncr": ("IN", None, None),
    "delhi ncr": ("IN", None, "Delhi"), "ldn": ("GB", "ENG", "London"), "the 6ix": ("CA", "08", "Toronto"),
    "the six": ("CA", "08", "Toronto"), "t dot": ("CA", "08", "Toronto"), "indy": ("US", "IN", "Indianapolis"),
}

# Never places by themselves (a town that happens to be called "Earth" needs a qualifier).
NOT_PLACES = {
    "earth", "planet earth", "the earth", "world", "the world", "worldwide", "world wide",
    "global", "globe", "everywhere", "anywhere", "nowhere", "somewhere", "here", "there",
    "home", "at home", "my house", "heaven", "hell", "paradise", "utopia", "moon", "the moon",
    "mars", "space", "outer space", "the universe", "universe", "internet", "the internet",
    "online", "cyberspace", "ciberespacio", "twitter", "remote", "wonderland", "neverland",
    "narnia", "hogwarts", "mordor", "gotham", "atlantis", "camelot", "shangri la", "eden",
    "the void", "void", "mondo", "terra", "pianeta terra", "zuhause", "nationwide",
    "international", "multiverse", "metaverse", "dreamland", "la la land", "tatooine",
    "liberty city", "central perk", "lemuria", "nowhereland", "valhalla", "olympus", "bikini bottom",
    "kings landing", "winterfell", "the shire", "middle earth", "gallifrey", "wakanda",
    "vulcan", "krypton", "asgard", "hyrule", "westeros", "pandora", "sherwood", "oz land",
    "la terra", "el mundo", "il mondo", "die welt", "le monde", "bed", "my bed", "your heart",
    "in your heart", "your mind", "dreams", "nirvana", "limbo", "purgatory",
    "nord est", "nord ovest", "north east", "north west", "south east", "south west",
    "northeast", "northwest", "southeast", "southwest", "up north", "down south", "the north",
    "the south", "nord", "sud", "norte", "sur", "north", "south", "east", "west", "est",
    "ovest", "paraiso", "paradiso", "paradis", "el paraiso",
}
CONTINENTS = {
    "europe", "asia", "africa", "north america", "south america", "latin america", "oceania",
    "antarctica", "middle east", "scandinavia", "the caribbean", "caribbean", "balkans",
    "european union", "eu", "the americas", "americas", "the west", "east asia",
    "southeast asia", "south east asia", "western europe", "eastern europe", "central america",
    "the middle east", "africa", "europa", "mena", "emea", "apac", "latam",
}
# Leading/trailing words that do not change the place: "near London", "Greater Manchester".
_PREFIXES = ("born in ", "born and raised in ", "raised in ", "near ", "outside of ", "outside ", "based in ", "living in ", "live in ", "from ",
             "in ", "greater ", "metro ", "downtown ", "uptown ", "north ", "south ", "east ",
             "west ", "northern ", "southern ", "eastern ", "western ", "central ", "upstate ",
             "rural ", "somewhere in ", "the city of ", "city of ", "the ", "eastside ",
             "westside ", "sunny ", "beautiful ", "lovely ", "currently ", "originally ",
             "proud ", "de ", "nord ", "sud ")
_SUFFIXES = (" area", " metro area", " metro", " region", " suburbs", " city centre",
             " born and bred", " born & bred", " based", " ish", " mostly", " sometimes")

_FILLER_WORDS = {"the", "of", "in", "near", "north", "south", "east", "west", "central", "rural",
                 "upstate", "downstate", "northern", "southern", "eastern", "western"}
_POSTCODE = re.compile(r"(?<![\w.])\d{4,6}(?![\w.])")
_URL = re.compile(r"(https?://|www\.|\S+\.(com|net|org|io|co|me|ly|info|biz|tv)\b|\S+@\S+\.\w+)", re.I)
_IPV4 = re.compile(r"^\s*\d{1,3}(\.\d{1,3}){3}\s*$")
_PRONOUNS = re.compile(
    r"\b(she|he|they|it|xe|ze|any)\s*[/|%]\s*(her|him|them|they|she|he|it|xem|zir|all|hers|his|theirs)"
    r"(\s*[/|%]\s*(her|him|them|they|she|he|hers|his|theirs))?\b", re.I)
_COORD = re.compile(r"(?<![\d.])([-+]?\d{1,2}\.\d+)\s*[,;\s]\s*([-+]?\d{1,3}\.\d+)(?![\d.])")
_DMS = re.compile(
    r"([NS])\s*(\d{1,2})\s*°\s*(\d{1,2})?\s*['′]?\s*(\d{1,2}(?:\.\d+)?)?\s*(?:''|\"|″)?"
    r"[\s,/]+([EW])\s*(\d{1,3})\s*°\s*(\d{1,2})?\s*['′]?\s*(\d{1,2}(?:\.\d+)?)?", re.I)
_FLAG = re.compile("([\U0001F1E6-\U0001F1FF])([\U0001F1E6-\U0001F1FF])")
_SUBFLAG = re.compile("\U0001F3F4([\U000E0061-\U000E007A]{2})([\U000E0061-\U000E007A]{1,3})\U000E007F")
_ALTERNATIVES = re.compile(r"\s*(?:[/|•·;+\n\\→>✈↔]|<->|->|\s&\s|\sand\s|\sor\s|\sy\s|\s[-–—]\s|[–—]|\s-|-\s|\bvia\b)\s*", re.I)
_TRIM = " \t.,:;!?-–—*'\"“”‘’()[]{}~_"


def _result(**kw: Any) -> dict[str, Any]:
    base = dict.fromkeys(GEOCODE_COLUMNS[1:])
    base.update(kw)
    return base


def _unresolved(reason: str) -> dict[str, Any]:
    return _result(reason=reason)


class _Resolver:
    """Resolves one distinct location string against a :class:`Gazetteer`."""

    def __init__(self, gaz: Gazetteer):
        self.g = gaz
        self.cities = gaz.cities
        self.names = gaz.cities["name"].to_numpy(dtype=object)
        self.cc = gaz.cities["country_code"].astype(str).to_numpy(dtype=object)
        self.admin1 = gaz.cities["admin1"].astype(str).to_numpy(dtype=object)
        self.pop = gaz.cities["population"].to_numpy()
        self.lat = gaz.cities["lat"].to_numpy(dtype=float)
        self.lon = gaz.cities["lon"].to_numpy(dtype=float)
        self.us_codes = {code for (cc, code) in gaz.subdivision_codes if cc == "US"}

    # ------------------------------------------------------------------ outputs
    def country(self, cc: str, method: str, confidence: float, admin1: str | None = None) -> dict:
        return _result(country_code=cc, country=self.g.country_name.get(cc, cc), admin1=admin1,
                       confidence=confidence, method=method)

    def city(self, row: int, method: str, confidence: float) -> dict:
        cc = self.cc[row]
        return _result(country_code=cc, country=self.g.country_name.get(cc, cc),
                       admin1=self.g.admin1_name.get((cc, self.admin1[row])),
                       city=self.names[row], lat=round(self.lat[row], 4), lon=round(self.lon[row], 4),
                       confidence=confidence, method=method)

    # ------------------------------------------------------------------ pieces
    def find_city(self, key: str, *, cc: str | None = None, admin1: str | None = None,
                  bare: bool = False, hint_cc: str | None = None) -> tuple[int, float] | None:
        if bare and key.isascii() and len(key) < 4:
            return None  # "sur", "i", "dm": short bare strings match too many alternate names
        rows, primary = self.g.city_matches(key)
        if not len(rows):
            return None
        keep = np.ones(len(rows), dtype=bool)
        if cc is not None:
            keep &= self.cc[rows] == cc
            if admin1 is not None:
                keep &= self.admin1[rows] == admin1
        elif bare:
            keep &= self.pop[rows] >= MIN_BARE_POPULATION
        rows, primary = rows[keep], primary[keep]
        if not len(rows):
            return None
        if hint_cc is not None:
            hinted = rows[self.cc[rows] == hint_cc]
            if len(hinted):
                return int(hinted[0]), 0.9
        best = 0
        if not primary[0] and primary.any():
            # A place's own name beats another place's alternate name ("Salem" is not
            # Jerusalem) unless the other place is ten times larger ("Washington" -> D.C.).
            first_primary = int(np.argmax(primary))
            if self.pop[rows[0]] < 10 * self.pop[rows[first_primary]]:
                best = first_primary
        pops = self.pop[rows].astype(float)
        # Confidence: the chosen place's share of the population of every same-named place.
        share = pops[best] / pops.sum() if pops.sum() > 0 else 1.0 / len(rows)
        return int(rows[best]), round(0.5 + 0.45 * share, 3)

    def containers(self, part: str) -> list[tuple[str, str | None, str | None, bool]]:
        """What a qualifier can mean: [(country, GeoNames admin1, admin1 name, is_country)],
        most likely first ("WA" is Washington state, then Western Australia)."""
        key = normalise(part)
        raw = part.strip(_TRIM)
        out: list[tuple[str, str | None, str | None, bool]] = []
        if key in self.g.countries and not (len(key) <= 3 and key in AMBIGUOUS_CODES):
            out.append((self.g.countries[key], None, None, True))
        code = raw.replace(".", "")
        if code.isupper() and 2 <= len(code) <= 3 and code.isalpha():
            if code in self.us_codes:
                sub = self.g.subdivision_codes[("US", code)]
                out.append(("US", sub.admin1, sub.name, False))
            if len(code) == 2 and code in self.g.country_name:
                out.append((code, None, None, True))
            if code in _ALPHA3:
                out.append((_ALPHA3[code], None, None, True))
            for cc in ("CA", "AU", "GB"):
                sub = self.g.subdivision_codes.get((cc, code))
                if sub is not None and sub.admin1:
                    out.append((cc, sub.admin1, sub.name, False))
        subs = self.g.subdivisions.get(key)
        if subs and not out:
            majors = [s for s in subs if s.major] or subs
            if len({s.country_code for s in majors}) == 1:
                s = majors[0]
                out.append((s.country_code, s.admin1, s.name, False))
        return out

    def place(self, part: str, *, cc: str | None = None, admin1: str | None = None,
              qualified: bool = False, hint_cc: str | None = None) -> dict | None:
        """Resolve one comma-free part (optionally inside a country/subdivision)."""
        key = normalise(part)
        if not key:
            return None
        raw = part.strip(_TRIM).replace(".", "")
        if key in NICKNAMES and not (qualified and len(key) <= 3):
            n_cc, n_admin1, n_city = NICKNAMES[key]
            if cc is None or cc == n_cc:
                if n_city:
                    hit = self.find_city(normalise(n_city), cc=n_cc, admin1=n_admin1)
                    if hit:
                        return self.city(hit[0], "nickname", 0.95)
                sub = self.g.subdivision_codes.get((n_cc, n_admin1)) if n_admin1 else None
                return self.country(n_cc, "nickname", 0.9, sub.name if sub else None)
        if key in NOT_PLACES and not qualified:
            return _unresolved("not a place (joke or generic)")
        if key in CONTINENTS:
            return _unresolved("continent or region larger than a country")
        if key in self.g.countries and (cc is None or self.g.countries[key] == cc):
            if not (len(key) <= 3 and key in AMBIGUOUS_CODES):
                return self.country(self.g.countries[key], "country", 0.95)
        # upper-case codes standing alone: "UK", "BR", "TX", "NSW"; ambiguous ones refused
        if cc is None and raw.isupper() and raw.isalpha() and len(raw) == 2:
            if raw.lower() in AMBIGUOUS_CODES and raw.lower() not in self.us_only_codes:
                return _unresolved("ambiguous code (a country and a US state, or a word)")
            found = self.containers(raw)
            if found:
                # a country code first ("BR"), unless it is a US state code people use ("NC")
                f = found[0] if raw.lower() in self.us_only_codes else sorted(found, key=lambda c: not c[3])[0]
                return self.country(f[0], "country" if f[3] else "admin1", 0.85, f[2])
        subs = self.g.subdivisions.get(key)
        majors = [s for s in (subs or []) if s.major and (cc is None or s.country_code == cc)]
        if majors and len({s.country_code for s in majors}) == 1:
            # a city of that very name in the same country says more ("Berlin", "Delhi")
            m_cc = majors[0].country_code
            rows, primary = self.g.city_matches(key)
            big = self.pop[rows] >= MIN_BARE_POPULATION
            same = rows[(self.cc[rows] == m_cc) & big & (primary | (self.pop[rows] >= 100_000))]
            if len(same):
                return self.city(int(same[0]), "city", 0.9)
            if key == "washington" and cc in (None, "US") and admin1 == "DC":
                pass
            else:
                return self.country(m_cc, "admin1", 0.9, majors[0].name)
        hit = self.find_city(key, cc=cc, admin1=admin1, bare=not qualified, hint_cc=hint_cc)
        if hit:
            return self.city(hit[0], "city", hit[1] if cc is None else 0.9)
        if subs and (qualified or len(key) >= 5):
            inside = [s for s in subs if cc is None or s.country_code == cc]
            if inside and len({s.country_code for s in inside}) == 1:
                return self.country(inside[0].country_code, "admin1", 0.8, inside[0].name)
        return None

    @functools.cached_property
    def us_only_codes(self) -> set[str]:
        # two-letter US state codes that are not also a country code or a common word
        return {c.lower() for c in self.us_codes if c.lower() not in AMBIGUOUS_CODES
                or c.lower() in {"tx", "ny", "fl", "nj", "nv", "az", "ut", "wi", "ks", "ia",
                                 "ri", "nh", "vt", "wv", "wy", "nm", "ak", "ct", "oh", "ky",
                                 "wa", "mi", "dc", "nc", "sc", "va", "md", "ma", "ga", "mn",
                                 "tn", "pa", "il", "ms", "mo", "mt", "ne", "sd"}}

    def part(self, text: str, *, hint_cc: str | None = None) -> dict | None:
        """Resolve one alternative: "City, Region, Country", "City ST", "near London"."""
        pieces = [p.strip(_TRIM) for p in text.split(",")]
        pieces = [p for p in pieces if p and normalise(p)]
        if not pieces:
            return None
        quals = [self.containers(p) for p in pieces[1:]]
        named = {q[0][0] for q in quals if q and all(c[3] for c in q) and len({c[0] for c in q}) == 1}
        if len(named) > 1:
            quals = [[] for _ in quals]  # "London, Dubai, Singapore, US": a list, not a hierarchy
            named = set()
        # readings of the qualifiers in order (the most specific first, each qualifier's likelier
        # reading first: "AZ" is Arizona before Azerbaijan); a country named outright restricts
        options: list[tuple[str, str | None, str | None]] = []
        for q in quals:
            for c in q:
                opt = (c[0], None, None) if c[3] else (c[0], c[1], c[2])
                if opt not in options and (not named or c[0] in named):
                    options.append(opt)
        n_heads = next((i + 1 for i, q in enumerate(quals) if q), len(pieces))
        for head in pieces[:n_heads]:
            for o_cc, o_admin1, _ in options:
                res = self.words(head, cc=o_cc, admin1=o_admin1, qualified=True, hint_cc=None)
                if res is not None and res.get("reason") is None:
                    return res
            if not options:
                res = self.words(head, cc=None, admin1=None, qualified=False, hint_cc=hint_cc)
                if res is not None:
                    if res.get("reason") is None and res.get("city") is not None:
                        res = self.checked_against_later(res, head, pieces[1:])
                    return res
        if options:
            if not named and any(self.g.city_rows(normalise(p)).size for p in pieces[1:]):
                # "Madrid, Génova, Santiago": subdivisions that are also cities -- a list of
                # cities, so the first one that resolves by itself wins
                bare = self.words(pieces[0], cc=None, admin1=None, qualified=False, hint_cc=hint_cc)
                if bare is not None and bare.get("reason") is None:
                    return bare
            # the head is unknown but its qualifier is not: "Hogwarts, Scotland" -> GB. A bare
            # two-letter country code is too weak for that ("Passo di Treia (MC)" is Macerata,
            # not Monaco); a US state code is not ("Obscurity, WA").
            o_cc, _, o_name = options[0]
            weak = all(len(p.strip(_TRIM).replace(".", "")) == 2 and normalise(p) not in COUNTRY_ALIASES
                       for p, q in zip(pieces[1:], quals) if q)
            if weak and not (o_cc == "US" and o_name):
                for head in pieces[:n_heads]:
                    res = self.words(head, cc=None, admin1=None, qualified=False, hint_cc=hint_cc)
                    if res is not None and res.get("reason") is None:
                        return res
                return None
            return self.country(o_cc, "admin1" if o_name else "country", 0.85, o_name)
        return None

    def checked_against_later(self, res: dict, head: str, later: list[str]) -> dict:
        """"Charlton, London": a small head in another country than a much larger later city
        is read inside that city's country (else the later city itself)."""
        for piece in later:
            other = self.place(piece)
            if other is None or other.get("reason") is not None or other.get("city") is None:
                continue
            if other["country_code"] == res["country_code"]:
                return res
            head_pop = self.pop_of(res)
            if head_pop * 5 < self.pop_of(other):
                inside = self.words(head, cc=other["country_code"], admin1=None, qualified=True, hint_cc=None)
                return inside if inside is not None and inside.get("reason") is None else other
            return res
        return res

    def pop_of(self, res: dict) -> int:
        rows = self.g.city_rows(normalise(res["city"]))
        rows = rows[self.cc[rows] == res["country_code"]]
        return int(self.pop[rows[0]]) if len(rows) else 0

    def words(self, text: str, *, cc: str | None, admin1: str | None, qualified: bool,
              hint_cc: str | None) -> dict | None:
        """A comma-free piece: whole, then with fillers stripped, then split "head TAIL"."""
        res = self.place(text, cc=cc, admin1=admin1, qualified=qualified, hint_cc=hint_cc)
        if res is not None:
            return res
        key = normalise(text)
        stripped = key
        for _ in range(3):
            before = stripped
            for p in _PREFIXES:
                if stripped.startswith(p) and len(stripped) > len(p):
                    stripped = stripped[len(p):]
            for s in _SUFFIXES:
                if stripped.endswith(s) and len(stripped) > len(s):
                    stripped = stripped[: -len(s)]
            if stripped == before:
                break
        if stripped != key:
            res = self.place(stripped, cc=cc, admin1=admin1, qualified=qualified, hint_cc=hint_cc)
            if res is not None and res.get("reason") is None:
                return res
        tokens = text.split()
        for k in (1, 2, 3):
            if len(tokens) <= k:
                break
            # "Austin TX", "Auckland NZ", "Berlin Germany" -- and "日本 京都" (country first)
            for head, tail in ((" ".join(tokens[:-k]), " ".join(tokens[-k:])),
                               (" ".join(tokens[k:]), " ".join(tokens[:k]))):
                for f_cc, f_admin1, f_name, _ in self.containers(tail):
                    if cc is not None and f_cc != cc:
                        continue
                    inner = self.place(head, cc=f_cc, admin1=f_admin1, qualified=True)
                    if inner is not None and inner.get("reason") is None:
                        return inner
                    head_words = normalise(head).split()
                    if all(w + " " in _PREFIXES or w in _FILLER_WORDS for w in head_words):
                        return self.country(f_cc, "admin1" if f_name else "country", 0.85, f_name)
        return None

    # ------------------------------------------------------------------ entry point
    def resolve(self, raw: str) -> dict:
        text = unicodedata.normalize("NFKC", raw).strip()
        if not text:
            return _unresolved("empty")
        coords = _coordinates(text)
        if coords is not None:
            return self.from_coordinates(*coords)
        if _URL.search(text):
            return _unresolved("url or e-mail address")
        if _IPV4.match(text):
            return _unresolved("ip address")
        flags = [chr(ord(a) - 0x1F1E6 + 65) + chr(ord(b) - 0x1F1E6 + 65) for a, b in _FLAG.findall(text)]
        flags += ["GB" for _ in _SUBFLAG.findall(text)]
        flags = [f for f in flags if f in self.g.country_name]  # EU, UN: not countries
        text = _FLAG.sub(" ", text)
        text = _SUBFLAG.sub(" ", text)
        text = _PRONOUNS.sub(" | ", text)
        text = text.replace("#", " | ").replace("@", " ")
        text = _POSTCODE.sub(" ", text)  # ZIP and PIN codes: "Knightstown, IN 46148"
        text = text.replace("(", ", ").replace(")", " ")  # "Concepción (Chile)" = "Concepción, Chile"
        # symbols and emoji separate alternatives ("Brooklyn ✈️ ATL"); letters, marks, digits stay
        text = "".join(ch if unicodedata.category(ch)[0] in "LMNZ" or ch in ",.'’-/|&;()" else "|"
                       for ch in text)
        hint = flags[0] if flags else None
        had_letters = any(unicodedata.category(ch)[0] == "L" for ch in text)
        first_reason = None
        for alt in _ALTERNATIVES.split(text):
            alt = alt.strip(_TRIM + " |")
            if not alt or not any(unicodedata.category(ch)[0] == "L" for ch in alt):
                continue
            res = self.part(alt, hint_cc=hint)
            if res is None:
                continue
            if res.get("reason") is None:
                return res
            first_reason = first_reason or res["reason"]
        if "-" in text and first_reason is None:  # "Ferrara-Paris-Stanford": a list
            for piece in text.split("-"):
                piece = piece.strip(_TRIM + " |")
                res = self.part(piece, hint_cc=hint) if len(piece) > 3 else None
                if res is not None and res.get("method") == "city":
                    return res
        if flags:
            return self.country(flags[0], "flag", 0.85)
        if first_reason:
            return _unresolved(first_reason)
        if _PRONOUNS.search(raw) and not had_letters:
            return _unresolved("pronouns, not a place")
        if _PRONOUNS.search(raw):
            return _unresolved("pronouns, not a place")
        if not had_letters:
            return _unresolved("no place name (symbols, emoji or digits only)")
        return _unresolved("no match in the gazetteer")

    def from_coordinates(self, lat: float, lon: float) -> dict:
        cc, method_conf = reverse_geocode(lat, lon, gazetteer=self.g)
        if cc is None:
            return _result(lat=lat, lon=lon, reason="coordinates outside every country (sea?)")
        out = self.country(cc, "coordinates", method_conf)
        out.update(lat=round(lat, 5), lon=round(lon, 5))
        return out


def _coordinates(text: str) -> tuple[float, float] | None:
    m = _COORD.search(text)
    if m:
        lat, lon = float(m.group(1)), float(m.group(2))
        if -90 <= lat <= 90 and -180 <= lon <= 180 and not (lat == 0 and lon == 0):
            return lat, lon
    m = _DMS.search(text)
    if m:
        ns, d1, m1, s1, ew, d2, m2, s2 = m.groups()
        lat = int(d1) + int(m1 or 0) / 60 + float(s1 or 0) / 3600
        lon = int(d2) + int(m2 or 0) / 60 + float(s2 or 0) / 3600
        lat, lon = (-lat if ns.upper() == "S" else lat), (-lon if ew.upper() == "W" else lon)
        if lat <= 90 and lon <= 180:
            return lat, lon
    return None


@functools.lru_cache(maxsize=1)
def _boundaries_index():
    import shapely

    from roi.geo.maps import load_boundaries

    world = load_boundaries()
    geoms = world.geometry.to_numpy()
    return shapely.STRtree(geoms), world["iso_a2"].to_numpy(dtype=object), geoms


def reverse_geocode(lat: float, lon: float, *, gazetteer: Gazetteer | None = None,
                    max_km: float = 100.0) -> tuple[str | None, float]:
    """The country at a point: the Natural Earth polygon containing it, else the nearest city.

    Returns ``(alpha-2, confidence)``; ``(None, 0.0)`` when no polygon contains the point and no
    city lies within ``max_km`` (the 1:110m coastlines are coarse, so coastal points fall back
    to the nearest city).

    >>> reverse_geocode(51.5, -0.12)
    ('GB', 0.98)
    >>> reverse_geocode(0.0, -140.0)
    (None, 0.0)
    """
    import shapely

    tree, codes, _ = _boundaries_index()
    hits = tree.query(shapely.Point(lon, lat), predicate="intersects")
    g = gazetteer or load_gazetteer()
    lat_r, lon_r = np.radians(g.cities["lat"].to_numpy(dtype=float)), np.radians(g.cities["lon"].to_numpy(dtype=float))
    φ, λ = math.radians(lat), math.radians(lon)
    d = 2 * 6371.0 * np.arcsin(np.sqrt(np.sin((lat_r - φ) / 2) ** 2
                                       + np.cos(φ) * np.cos(lat_r) * np.sin((lon_r - λ) / 2) ** 2))
    big = g.cities["population"].to_numpy() >= 15_000
    i = int(np.argmin(np.where(big, d, np.inf)))
    near_cc = str(g.cities["country_code"].iloc[i])
    if len(hits) == 1:
        # 1:110m borders are coarse: a town of 15,000+ within 15 km knows its country better
        # (Singapore lies inside Malaysia's 110m polygon)
        if d[i] <= 15 and near_cc != str(codes[hits[0]]):
            return near_cc, 0.9
        return str(codes[hits[0]]), 0.98
    j = int(np.argmin(d))
    if d[j] <= max_km:
        return str(g.cities["country_code"].iloc[j]), 0.8
    return None, 0.0


@functools.lru_cache(maxsize=1)
def _resolver() -> _Resolver:
    return _Resolver(load_gazetteer())


# Results of every normalised string seen in this process: each distinct string is resolved once.
_CACHE: dict[str, dict] = {}


def _cache_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def geocode_one(location: str | None) -> dict[str, Any]:
    """Geocode one string; a dict with the :data:`GEOCODE_COLUMNS`.

    >>> geocode_one("Austin TX")["city"], geocode_one("she/her")["reason"]
    ('Austin', 'pronouns, not a place')
    """
    if location is None or (isinstance(location, float) and math.isnan(location)) or location is pd.NA:
        return {"location": location, **_unresolved("empty")}
    key = _cache_key(str(location))
    if key not in _CACHE:
        _CACHE[key] = _resolver().resolve(key)
    return {"location": location, **_CACHE[key]}


def geocode(locations: pd.Series) -> pd.DataFrame:
    """Geocode profile locations (free text) to countries and cities, offline.

    Each distinct string is resolved once (and remembered for the rest of the process), then
    mapped back to every row, so a million followers with 100,000 distinct strings is quick.

    Parameters
    ----------
    locations : Series of str
        Raw profile locations; nulls and empty strings are allowed (unresolved, reason "empty").

    Returns
    -------
    DataFrame
        One row per input row, same index: ``location`` (the input), ``country_code`` (ISO 3166
        alpha-2, null when unresolved), ``country``, ``admin1``, ``city``, ``lat``, ``lon``
        (the city's, or the coordinates given; null for country-level answers), ``confidence``
        (0-1), ``method`` (coordinates, flag, nickname, country, admin1, city) and ``reason``
        (why a row is unresolved; null when resolved).

    Raises
    ------
    ParameterError
        If ``locations`` is not a pandas Series.

    Examples
    --------
    >>> geocode(pd.Series(["Portland, OR", "🇯🇵", "ÜT: 40.7,-74.0"]))[["country_code", "admin1", "method"]]
      country_code  admin1       method
    0           US  Oregon         city
    1           JP    <NA>         flag
    2           US    <NA>  coordinates
    """
    if not isinstance(locations, pd.Series):
        raise ParameterError(f"locations: expected a pandas Series of strings, got {type(locations).__name__}")
    values = locations.astype("string")
    filled = values.fillna("")
    uniques = pd.unique(filled.to_numpy(dtype=object))
    keys = [_cache_key(u) for u in uniques]
    res = _resolver()
    for k in set(keys):
        if k not in _CACHE:
            _CACHE[k] = res.resolve(k)
    table = pd.DataFrame([_CACHE[k] for k in keys], columns=GEOCODE_COLUMNS[1:])
    pos = pd.Index(uniques).get_indexer(filled.to_numpy(dtype=object))
    out = table.take(pos).reset_index(drop=True)
    out.index = locations.index
    out.insert(0, "location", values)
    return out.astype({
        "country_code": "string", "country": "string", "admin1": "string", "city": "string",
        "lat": "Float64", "lon": "Float64", "confidence": "Float64", "method": "string",
        "reason": "string",
    })
