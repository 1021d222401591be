"""Geocode free-text profile locations offline: country first, precision before recall.

A location resolves only when the string, one part of it, or a place inside a phrase of filler
words names a place the gazetteer knows (see :mod:`roi.geo.gazetteer`); otherwise it stays
unresolved with a reason. A wrong country is worse than none, so jokes ("Earth", "Plague
Island"), pronouns, URLs and continents are never guessed.

How a string is read, in order:

1. coordinates ("51.5,-0.12", "ÜT: 40.7,-74.0", N 41°24' E 2°11') -> the country whose Natural
   Earth polygon contains the point, else the nearest city within 100 km;
2. the text is cut into alternatives at ``/ | • ; + & and`` and " - "; a full stop after a word
   of three or more letters separates like a comma ("Lyon.France", "Potomac Falls. VA");
3. inside a part, commas separate a place from its qualifiers: "Portland, OR", "Santiago,
   Spain", "Brooklyn, New York, USA". A qualifier that is a country or subdivision restricts
   the place; subdivisions only qualify, they never outrank a city of the same name;
4. a part is looked up as a nickname (NYC, SoCal, PNW), a country (in any language pycountry
   ships), a major subdivision (US state, Canadian province, ...), a city, another subdivision
   or region ("Fife", "pays basque", "Cook County"); without commas, trailing (or, for "日本
   京都", leading) words that name a country or subdivision qualify the rest, one after another,
   in any case: "Denver Colorado USA" and "denver co" read like "Denver, Colorado, USA";
5. a part that is a phrase resolves when every word is a filler ("in", "living", "born", "vivo",
   ...) or part of a place: "mostly in Osaka", "That Manchester" (confidence at most 0.8);
6. a part that matches nothing may be a one-letter typo of a city of 100,000+ ("mumbbai";
   rapidfuzz, optimal string alignment distance 1, confidence 0.6), or two letters of a country's
   name swapped ("Germnay"); a country name with a letter changed or added is a pun or a first
   name ("Twitzerland", "Georgina") and text in capitals is a stylised name ("LALISA"): no typo;
7. flag emoji (regional-indicator pairs) name a country when the text alone does not.

Bare names. A name with no qualifier means the most populous place of 15,000+ people so called,
its confidence that place's share of the population of every place so called. A smaller place
(GeoNames ``cities500``: towns of 500+ and quarters such as Brixton) answers a bare name only
when every place so called lies in one country, at confidence 0.5; a small place's own name
beats a bigger place's alternate name unless that place is ten times larger ("Williams
Landing" is the Melbourne suburb, not an old name of Greenwood, Mississippi).

Two-letter codes follow one rule. A code's readings are: a US state (USPS), an ISO 3166
country, a Canadian or Australian state code and an English word (IN, IT, OK, HI, ME, ...).
After a place name the place decides ("Atlanta, GA", "Perth, WA", "Medellín, CO"; in any case,
"denver co"). Standing alone, the code resolves only when it has exactly one reading ("TX",
"BR"); "CA", "GA", "PA", "IN", "DE", "WA", "IT" stay unresolved as ambiguous unless a flag in
the same string names one of the readings ("CA 🇨🇦"). After a place roi does not know, an
upper-case US state code names the state ("Potomac Falls, VA"); a country code there is not
enough (Italian and Spanish province codes look like country codes: "Passo di Treia (MC)").

Several countries. A string naming places in more than one country ("Oslo/Madrid", "🇵🇱🇻🇪")
resolves to the first place named, with the others' alpha-2 codes in ``other_countries``
(comma-separated) and confidence at most 0.5, so a map can count it or leave it out.

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

Why one module: the rules are one ordered cascade over one lookup state (the resolver), and
their order decides every answer; split across files, that order would be hidden.
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
from roi.geo.gazetteer import COUNTRY_ALIASES, WORD_CODES, Gazetteer, Subdivision, load_gazetteer, normalise

_ALPHA3 = {"USA": "US", "IND": "IN", "AUS": "AU", "GBR": "GB", "DEU": "DE", "ITA": "IT",
           "ESP": "ES", "FRA": "FR", "BRA": "BR", "MEX": "MX", "CAN": "CA", "JPN": "JP",
           "CHN": "CN", "ARG": "AR", "NZL": "NZ", "ZAF": "ZA", "PAK": "PK", "NGA": "NG"}

__all__ = ["geocode", "geocode_one", "GEOCODE_COLUMNS", "reverse_geocode"]

GEOCODE_COLUMNS = ["location", "country_code", "country", "admin1", "city", "lat", "lon",
                   "confidence", "method", "reason", "other_countries"]

# A bare name resolves to the most populous place of 15,000+ so called; a smaller place only when
# every place so called lies in one country, and then at SMALL_PLACE_CONFIDENCE. A qualified name
# ("Marfa, TX") may name any town.
MIN_BARE_POPULATION = 15_000
SMALL_PLACE_CONFIDENCE = 0.5
# A bare name that is a region (county, province) in one country and a town in another means the
# region unless the town has this many people.
REGION_BEATS_TOWN = 200_000
# A bare name made only of English words ("Beach", "University") names no place under this size.
COMMON_WORD_MAX_POPULATION = 100_000
# One-letter typos ("mumbbai") are matched against cities of this size and countries.
TYPO_MIN_POPULATION = 100_000
TYPO_CONFIDENCE = 0.6
# A string naming places in several countries ("Oslo/Madrid") resolves to the first, flagged.
SEVERAL_COUNTRIES_CONFIDENCE = 0.5
# Distinct strings whose answers are kept (least recently used dropped first).
CACHE_SIZE = 2**18

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
    "ovest", "paraiso", "paradiso", "paradis", "el paraiso", "paradise city", "zion",
}
CONTINENTS = {
    "europe", "asia", "africa", "north america", "south america", "latin america", "oceania",
    "antarctica", "middle east", "scandinavia", "the caribbean", "caribbean", "balkans",
    "european union", "eu", "the americas", "americas", "the west", "east asia",
    "southeast asia", "south east asia", "western europe", "eastern europe", "central america",
    "the middle east", "europa", "mena", "emea", "apac", "latam",
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
# A full stop after a word of three or more letters, before another word, separates like a comma
# ("Lyon.France", "Potomac Falls. VA"); "St. Louis", "D.C." and "Bs.As." keep theirs.
_SENTENCE_DOT = re.compile(r"([^\W\d_]{3,})\.(?=\s*[^\W\d_])")
_ABBREVIATIONS = {"ste", "sta", "sto", "mrs", "ave", "mte", "pte", "fort", "mont", "apt", "blvd"}
# Words a place may stand among in a phrase ("mostly in Osaka", "That Manchester", "vivo a Roma").
_PHRASE_FILLERS = {
    "a", "an", "the", "in", "at", "on", "of", "to", "by", "near", "from", "and", "my", "our", "this",
    "that", "its", "it", "is", "i", "im", "am", "we", "are", "live", "lives", "living", "lived", "based",
    "mostly", "mainly", "still", "currently", "now", "originally", "born", "bred", "raised", "proud",
    "proudly", "just", "outside", "somewhere", "around", "between", "moved", "sweet", "home", "city",
    "town", "area", "greater", "metro", "downtown", "uptown", "north", "south", "east", "west",
    "northern", "southern", "eastern", "western", "central", "rural", "upstate", "suburbs", "suburban",
    "usually", "sometimes", "often", "part", "time", "parttime", "ish", "here",
    "en", "de", "del", "la", "el", "los", "las", "desde", "vivo", "viviendo", "ciudad", "cerca",
    "di", "da", "nel", "nella", "nei", "dal", "dalla", "vicino", "citta", "il", "lo", "le",
    "du", "des", "pres", "ville", "habite", "aus", "bei", "nahe", "wohne", "lebe", "der",
    "die", "das", "em", "no", "na", "do", "dos", "perto", "moro", "vivendo",
}


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
        """Find the city ``key`` names, with a confidence; ``bare`` when nothing qualifies it."""
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
        rows, primary = rows[keep], primary[keep]
        if not len(rows):
            return None
        if bare and self.pop[rows[0]] < COMMON_WORD_MAX_POPULATION and all(w in self.common_words for w in key.split()):
            return None  # "Beach", "Snow", "University", "Sleepy Hollow": words before they are towns
        if bare:
            big = self.pop[rows] >= MIN_BARE_POPULATION
            own_small = rows[primary & ~big]
            small_wins = (big.any() and not primary[big].any() and len(own_small) > 0
                          and self.pop[rows[big][0]] < 10 * max(int(self.pop[own_small[0]]), 1))
            if big.any() and not small_wins:
                rows, primary = rows[big], primary[big]
            else:
                # Only small places (or a big place's alternate name against a small place's own
                # name: "Williams Landing" is the Melbourne suburb, not Greenwood, Mississippi):
                # a bare name names a small place only when every place so called lies in one
                # country, and then with low confidence.
                if not len(own_small) or len(set(self.cc[rows[primary]])) > 1:
                    return None
                return int(own_small[0]), SMALL_PLACE_CONFIDENCE
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
        conf = round(0.5 + 0.45 * share, 3)
        if self.pop[rows[best]] < MIN_BARE_POPULATION:
            conf = min(conf, SMALL_PLACE_CONFIDENCE)
        return int(rows[best]), conf

    def containers(self, part: str, *, lower_ok: bool = False) -> list[tuple[str, str | None, str | None, bool]]:
        """Return what a qualifier can mean: [(country, GeoNames admin1, admin1 name, is_country)].

        Most likely first ("WA" is Washington state, then Western Australia). Codes count in upper case
        ("TX", "N.S.W."), in lower case only with ``lower_ok`` (the place before them must then lie
        inside: "denver co").
        """
        key = normalise(part)
        raw = part.strip(_TRIM)
        out: list[tuple[str, str | None, str | None, bool]] = []
        if key in self.g.countries:
            out.append((self.g.countries[key], None, None, True))
        code = raw.replace(".", "")
        if lower_ok and len(code) == 2 and code.isalpha() and not code.isupper():
            code = code.upper()  # "co", "Tx"
        if code.isupper() and 2 <= len(code) <= 3 and code.isalpha():
            if code in self.us_codes:
                sub = self.g.subdivision_codes[("US", code)]
                out.append(("US", sub.admin1, sub.name, False))
            if len(code) == 2 and code in self.g.country_name and (code, None, None, True) not in out:
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
                out.append((s.country_code, s.admin1, self.subdivision_name(s), False))
        return out

    @functools.cached_property
    def common_words(self) -> frozenset[str]:
        """English words that small towns are also called (roi/geo/data, see _build_index)."""
        from importlib.resources import files

        text = (files("roi.geo") / "data" / "english-words-in-place-names.txt").read_text(encoding="utf-8")
        return frozenset(w for w in text.splitlines() if w and not w.startswith("#"))

    @functools.cached_property
    def full_names(self) -> set[str]:
        """Return countries' English names and aliases and major subdivisions' names (US states, ...).

        Written out at the end of a phrase, they say where the phrase is.
        """
        names = {normalise(n) for n in self.g.country_name.values()} | set(COUNTRY_ALIASES)
        names |= {k for k, subs in self.g.subdivisions.items() if any(s.major for s in subs)}
        # names in other scripts (ประเทศไทย, 日本) cannot be mistaken for an English word; names in
        # other languages written in Latin letters can ("Island" is Iceland in German)
        names |= {k for k in self.g.countries if not k.isascii()}
        return {n for n in names if len(n) >= 3 or n == "uk"}

    def subdivision_name(self, sub: Subdivision) -> str:
        """Return the first-level name to report: a US county reports its state."""
        if not sub.major and sub.admin1 and sub.country_code == "US":
            return self.g.admin1_name.get(("US", sub.admin1), sub.name)
        return sub.name

    def code_readings(self, raw: str) -> list[tuple[str, str | None, str | None, bool]] | None:
        """Return the readings of a two-letter upper-case code standing alone, or None if ``raw`` is not one.

        Two-letter codes, one rule: a code is a US state (USPS), an ISO 3166 country, a Canadian or
        Australian state code, or an English word (IN, OK, IT, ...); standing alone (or after a place roi
        does not know) it resolves only when it has exactly one reading.
        """
        if not (len(raw) == 2 and raw.isalpha() and raw.isupper()):
            return None
        readings = self.containers(raw)
        if raw.lower() in WORD_CODES:
            readings.append(("", None, None, False))  # the word
        return readings

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
            return self.country(self.g.countries[key], "country", 0.95)
        readings = self.code_readings(raw) if cc is None else None
        if readings is not None:
            # "TX", "BR", "UK": one reading; "CA", "GA", "IN", "WA", "IT": several -- unless a
            # flag in the same string names one of them ("CA 🇨🇦")
            hinted = [r for r in readings if hint_cc and r[0] == hint_cc]
            if len(readings) > 1 and not hinted:
                return _unresolved("ambiguous code (a US state, a country or a word)")
            if readings:
                f = (hinted or readings)[0]
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
        if hit and subs and cc is None and len(key) >= 4:
            # a region and a town of the same name in another country: the region, unless the
            # town is a city of REGION_BEATS_TOWN people or more ("Fife" is the Scottish council
            # area, not Fife, WA; "Cornwall" is not Cornwall, Ontario; "Durham" is Durham, NC)
            sub_cc = {s.country_code for s in subs}
            if self.cc[hit[0]] not in sub_cc and len(sub_cc) == 1 and self.pop[hit[0]] < REGION_BEATS_TOWN:
                hit = None
        if hit:
            return self.city(hit[0], "city", hit[1] if cc is None else 0.9)
        if subs and (qualified or len(key) >= 4):
            inside = [s for s in subs if (cc is None or s.country_code == cc)
                      and (admin1 is None or s.major or s.admin1 in (None, admin1))]
            if inside and len({s.country_code for s in inside}) == 1:
                names = {self.subdivision_name(s) for s in inside}  # "Cook County": IL, GA or MN
                return self.country(inside[0].country_code, "admin1", 0.8, names.pop() if len(names) == 1 else None)
        return None

    def part(self, text: str, *, hint_cc: str | None = None) -> dict | None:
        """Resolve one alternative: "City, Region, Country", "City ST", "near London"."""
        pieces = [p.strip(_TRIM) for p in text.split(",")]
        pieces = [p for p in pieces if p and normalise(p)]
        if not pieces:
            return None
        quals = [self.containers(p, lower_ok=True) for p in pieces[1:]]
        named = {q[0][0] for q in quals if q and all(c[3] for c in q) and len({c[0] for c in q}) == 1}
        listed: set[str] = set()
        if len(named) > 1:
            quals = [[] for _ in quals]  # "London, Dubai, Singapore, US": a list, not a hierarchy
            listed, named = named, set()
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
                    other = sorted(listed - {res.get("country_code")}) if res.get("reason") is None else []
                    if other:
                        res = {**res, "other_countries": ",".join(other),
                               "confidence": min(float(res["confidence"]), SEVERAL_COUNTRIES_CONFIDENCE)}
                    return res
        if options:
            if not named and any(self.g.city_rows(normalise(p)).size for p in pieces[1:]):
                # "Madrid, Génova, Santiago": subdivisions that are also cities -- a list of
                # cities, so the first one that resolves by itself wins
                bare = self.words(pieces[0], cc=None, admin1=None, qualified=False, hint_cc=hint_cc)
                if bare is not None and bare.get("reason") is None and bare["confidence"] > SMALL_PLACE_CONFIDENCE:
                    # (a small town elsewhere is no reading of "Hawkins, Indiana")
                    return self.checked_against_later(bare, pieces[0], pieces[1:])
            # the head is unknown but its qualifier is not: "Hogwarts, Scotland" -> GB. A code
            # follows the two-letter rule: after a place roi does not know, an upper-case US
            # state code names the state ("Potomac Falls, VA"); a country code alone is too weak
            # ("Passo di Treia (MC)" is Macerata, not Monaco), and so is one in lower case.
            o_cc, _, o_name = options[0]
            codes = [p.strip(_TRIM).replace(".", "") for p, q in zip(pieces[1:], quals, strict=False) if q]
            weak = all(len(c) == 2 and normalise(c) not in COUNTRY_ALIASES for c in codes)
            upper = all(c.isupper() for c in codes)
            if weak and not (upper and o_cc == "US" and o_name):
                for head in pieces[:n_heads]:
                    res = self.words(head, cc=None, admin1=None, qualified=False, hint_cc=hint_cc)
                    if res is not None and res.get("reason") is None:
                        return res
                return None
            return self.country(o_cc, "admin1" if o_name else "country", 0.85, o_name)
        return None

    def checked_against_later(self, res: dict, head: str, later: list[str]) -> dict:
        """Read "Charlton, London"-like pairs: a small head in another country than a larger later city.

        Such a head is read inside that much larger later city's country (else the later city itself).
        """
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
            if other["confidence"] <= SMALL_PLACE_CONFIDENCE:
                return res
            # "Paris, Rome": a list of cities in two countries -- the first, flagged
            return {**res, "other_countries": other["country_code"],
                    "confidence": min(float(res["confidence"]), SEVERAL_COUNTRIES_CONFIDENCE)}
        return res

    def pop_of(self, res: dict) -> int:
        rows = self.g.city_rows(normalise(res["city"]))
        rows = rows[self.cc[rows] == res["country_code"]]
        return int(self.pop[rows[0]]) if len(rows) else 0

    def words(self, text: str, *, cc: str | None, admin1: str | None, qualified: bool,
              hint_cc: str | None, depth: int = 0) -> dict | None:
        """Read a comma-free piece: whole, then with fillers stripped, then split "head TAIL".

        TAIL (one to three words, at the end or, for "日本 京都", at the start) is a country or subdivision
        the head must lie in. Tails peel off one after another, so "Denver Colorado USA" reads like
        "Denver, Colorado, USA" and "denver co" like "Denver, CO".
        """
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
        if depth > 2 or len(tokens) > 8:
            return None
        for k in (3, 2, 1):
            tail = normalise(" ".join(tokens[-k:]))
            if len(tokens) > k and (tail in CONTINENTS or tail in NOT_PLACES):
                # "Lyon France Europe", "... Argentina South America": a continent adds nothing
                return self.words(" ".join(tokens[:-k]), cc=cc, admin1=admin1, qualified=qualified,
                                  hint_cc=hint_cc, depth=depth)  # (fewer words: it ends)
        splits = [(" ".join(tokens[:-k]), " ".join(tokens[-k:]), True) for k in (3, 2, 1) if len(tokens) > k]
        splits += [(" ".join(tokens[k:]), " ".join(tokens[:k]), False) for k in (3, 2, 1) if len(tokens) > k]
        readings = [(head, tail, at_end, self.containers(tail, lower_ok=at_end)) for head, tail, at_end in splits]
        for head, _tail, _, found in readings:  # the longest tail first: "Belfast Northern Ireland"
            for f_cc, f_admin1, _, _ in found:
                if (cc is not None and f_cc != cc) or (admin1 is not None and f_admin1 not in (None, admin1)):
                    continue
                inner = self.words(head, cc=f_cc, admin1=f_admin1 or admin1, qualified=True,
                                   hint_cc=None, depth=depth + 1)
                if inner is not None and inner.get("reason") is None:
                    return inner
        for head, tail, at_end, found in readings:
            code = tail.strip(_TRIM).replace(".", "")
            if not found or (len(code) == 2 and not code.isupper() and normalise(code) not in self.g.countries):
                continue  # "co", "in": words, unless the head lies inside them
            f_cc, _, f_name, _ = found[0]
            if cc is not None and f_cc != cc:
                continue
            if all(w + " " in _PREFIXES or w in _FILLER_WORDS for w in normalise(head).split()):
                return self.country(f_cc, "admin1" if f_name else "country", 0.85, f_name)
            if depth == 0 and cc is None and at_end and normalise(tail) in self.full_names \
                    and not any(w[:1].islower() for w in head.split()):
                # "Villa Bosch Bs As Argentina": an unknown place (written like a name, not "I
                # love Japan"), then a country or a major subdivision written out in full
                return self.country(f_cc, "admin1" if f_name else "country", 0.7, f_name)
        return None

    # ------------------------------------------------------------------ entry point
    def phrase(self, text: str, *, hint_cc: str | None = None) -> dict | None:
        """Find a place inside a phrase: "mostly in Osaka", "That Manchester", "Still living in Boston".

        The words are cut into spans of one to four words; spans that name a place (a country,
        subdivision, nickname or a city of 15,000+ people) or a non-place ("Earth", "Europe")
        cover their words. The phrase resolves only when every other word is a filler ("in",
        "living", "born", "the", "vivo", "nel", ...): "The Vancouver Model" and "Nice to meet you"
        stay unresolved. Among the places found the most specific wins (a city over its region
        over its country); confidence is at most 0.8.
        """
        tokens = [t for t in re.split(r"[\s,]+", text) if normalise(t)]
        if not 1 < len(tokens) <= 10:
            return None
        norm = [normalise(t) for t in tokens]
        filler = [n in _PHRASE_FILLERS or n.isdigit() for n in norm]  # "Paris 75", "Marseille 13"
        covered = list(filler)
        hits: list[tuple[int, dict]] = []
        for size in range(min(4, len(tokens)), 0, -1):
            for i in range(len(tokens) - size + 1):
                if all(covered[i:i + size]) or any(covered[j] and not filler[j] for j in range(i, i + size)):
                    continue
                r = self.place(" ".join(tokens[i:i + size]), hint_cc=hint_cc)
                if r is None:
                    continue
                if r.get("reason") is None:
                    span = " ".join(tokens[i:i + size])
                    if r.get("city") is not None and (
                            r["confidence"] <= SMALL_PLACE_CONFIDENCE
                            or (normalise(r["city"]) != normalise(span) and r["method"] == "city"
                                and (self.pop_of(r) < TYPO_MIN_POPULATION or span.islower()))):
                        continue  # a small town's name, or a town's other name in lower case ("on tour")
                    hits.append((i, r))
                elif not r["reason"].startswith(("not a place", "continent")):
                    continue
                covered[i:i + size] = [True] * size
        if not hits or not all(covered):
            return None
        hits.sort(key=lambda h: h[0])
        rank = {"city": 0, "nickname": 0, "admin1": 1, "country": 2}
        countries = [r["country_code"] for _, r in hits]
        best = min((r for _, r in hits), key=lambda r: (rank.get(r["method"], 3), countries.index(r["country_code"])))
        out = dict(best)
        out["confidence"] = min(float(out["confidence"]), 0.8)
        return out

    @functools.cached_property
    def typo_choices(self) -> tuple[list[str], list[tuple[str, int]]]:
        """Return the names a one-letter typo may aim at, with what each names.

        The names are cities of 100,000+ (their own names), and countries (names of six letters or more)
        which block it; each comes with what it names: ("city", row) or ("country", cc).
        """
        names: dict[str, tuple[str, int | str]] = {}
        for row in np.flatnonzero(self.pop >= TYPO_MIN_POPULATION):
            k = normalise(self.names[row])
            if len(k) >= 6:
                names.setdefault(k, ("city", int(row)))
        for k, cc in self.g.countries.items():
            if len(k) >= 6 and k.isascii():
                names.setdefault(k, ("country", cc))
        return list(names), list(names.values())

    def typo(self, text: str) -> dict | None:
        """Correct one-letter typos of large cities and swapped letters of countries ("mumbbai", "Germnay").

        "mumbbai", "Vododara": one letter added, dropped, changed or two swapped in the name of a city of
        100,000+, or two letters of a country's name swapped ("Germnay"), when every name that close lies
        in one country; a country's name with a letter changed or added is a pun or a first name
        ("Twitzerland", "Georgina"), so nothing is answered.
        """
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        key = normalise(text)
        if len(key) < 6 or not key.replace(" ", "").isalpha() or key.count(" ") > 2 or key in NOT_PLACES:
            return None
        letters = [c for c in text if c.isalpha()]
        if letters and all(c.isupper() for c in letters):
            return None  # "LALISA", "TWITZERLAND": shouted names and puns, not slips of the finger
        if all(w in self.common_words for w in key.split()):
            return None  # "Normal" is a word, not a typo of Norman
        choices, targets = self.typo_choices
        hits = process.extract(key, choices, scorer=OSA.distance, score_cutoff=1, limit=10)
        if not hits:
            return None
        found = []
        for name, _, i in hits:
            kind, target = targets[i]
            if kind == "country" and sorted(name) != sorted(key):
                return None  # a letter changed or added in a country's name: a pun or a first name
            found.append((kind, target))
        ccs = {self.cc[t] if kind == "city" else t for kind, t in found}
        if len(ccs) != 1:
            return None
        kind, target = min(found, key=lambda f: (f[0] != "city", -self.pop[f[1]] if f[0] == "city" else 0))
        if kind == "city":
            return self.city(int(target), "typo", TYPO_CONFIDENCE)
        return self.country(str(target), "typo", TYPO_CONFIDENCE)

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
        text = _SENTENCE_DOT.sub(_dot_to_comma, text)  # "Lyon.France", "Potomac Falls. VA"
        # symbols and emoji separate alternatives ("Brooklyn ✈️ ATL"); letters, marks, digits stay
        text = "".join(ch if unicodedata.category(ch)[0] in "LMNZ" or ch in ",.'’-/|&;()" else "|"
                       for ch in text)
        hint = flags[0] if flags else None
        had_letters = any(unicodedata.category(ch)[0] == "L" for ch in text)
        alts = [a.strip(_TRIM + " |") for a in _ALTERNATIVES.split(text)]
        alts = [a for a in alts if a and any(unicodedata.category(ch)[0] == "L" for ch in a)]
        first_reason = None
        found: dict | None = None
        others: list[str] = []
        for alt in alts:
            res = self.part(alt, hint_cc=hint)
            if res is None:
                res = self.phrase(alt, hint_cc=hint)
            if res is None:
                continue
            if res.get("reason") is not None:
                first_reason = first_reason or res["reason"]
            elif found is None:
                found = res
            elif res["confidence"] > SMALL_PLACE_CONFIDENCE and not _is_code(alt):
                # (a code after a place qualifies it: "Belo Horizonte - MG" is Minas Gerais)
                others.append(res["country_code"])
        if found is None and "-" in text and first_reason is None:  # "Ferrara-Paris-Stanford": a list
            for piece in text.split("-"):
                piece = piece.strip(_TRIM + " |")
                res = self.part(piece, hint_cc=hint) if len(piece) > 3 else None
                if res is not None and res.get("method") == "city":
                    found = res
                    break
        if found is None and first_reason is None:
            for alt in alts:
                found = next((r for r in map(self.typo, alt.split(",")) if r is not None), None)
                if found is not None:
                    break
        if found is None and flags:
            found = self.country(flags[0], "flag", 0.85)
        if found is not None:
            other = sorted({*others, *flags} - {found["country_code"]})
            if other:
                # "Oslo/Madrid": the first place named wins, flagged with the others' countries
                found = {**found, "other_countries": ",".join(other),
                         "confidence": min(float(found["confidence"]), SEVERAL_COUNTRIES_CONFIDENCE)}
            return found
        if first_reason:
            return _unresolved(first_reason)
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


def _is_code(text: str) -> bool:
    code = text.strip(_TRIM).replace(".", "")
    return len(code) == 2 and code.isalpha() and code.isupper()


def _dot_to_comma(m: re.Match) -> str:
    return m.group(0) if m.group(1).casefold() in _ABBREVIATIONS else m.group(1) + ","


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

    from roi.geo.boundaries import load_boundaries

    world = load_boundaries()
    geoms = world.geometry.to_numpy()
    return shapely.STRtree(geoms), world["iso_a2"].to_numpy(dtype=object), geoms


def reverse_geocode(lat: float, lon: float, *, gazetteer: Gazetteer | None = None,
                    max_km: float = 100.0) -> tuple[str | None, float]:
    """Return the country at a point: the Natural Earth polygon containing it, else the nearest city.

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


def _cache_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


@functools.lru_cache(maxsize=CACHE_SIZE)
def _resolved(key: str) -> tuple:
    """Return the answer for one normalised string as a tuple of :data:`GEOCODE_COLUMNS` [1:].

    Kept for the :data:`CACHE_SIZE` most recently used strings (a tuple: immutable and compact).
    """
    res = _resolver().resolve(key)
    return tuple(res.get(c) for c in GEOCODE_COLUMNS[1:])


def geocode_one(location: str | None) -> dict[str, Any]:
    """Geocode one string; a dict with the :data:`GEOCODE_COLUMNS`.

    >>> geocode_one("Austin TX")["city"], geocode_one("she/her")["reason"]
    ('Austin', 'pronouns, not a place')
    >>> geocode_one("Denver Colorado USA")["city"], geocode_one("mostly in Osaka")["city"]
    ('Denver', 'Osaka')
    >>> geocode_one("GA")["reason"]
    'ambiguous code (a US state, a country or a word)'
    """
    if location is None or (isinstance(location, float) and math.isnan(location)) or location is pd.NA:
        return {"location": location, **_unresolved("empty")}
    answer = _resolved(_cache_key(str(location)))
    return {"location": location, **dict(zip(GEOCODE_COLUMNS[1:], answer, strict=True))}


def geocode(locations: pd.Series) -> pd.DataFrame:
    """Geocode profile locations (free text) to countries and cities, offline.

    Each distinct string is resolved once (the answers of the :data:`CACHE_SIZE` most recently
    used strings are kept for the rest of the process), then mapped back to every row, so a
    million followers with 100,000 distinct strings is quick.

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
        (0-1), ``method`` (coordinates, flag, nickname, country, admin1, city, typo),
        ``reason`` (why a row is unresolved; null when resolved) and ``other_countries`` (the
        alpha-2 codes, comma-separated, of other countries the string also names; null when it
        names one).

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
    >>> geocode(pd.Series(["Oslo/Madrid"]))[["country_code", "other_countries", "confidence"]]
      country_code other_countries  confidence
    0           NO              ES         0.5
    """
    if not isinstance(locations, pd.Series):
        raise ParameterError(f"locations: expected a pandas Series of strings, got {type(locations).__name__}")
    values = locations.astype("string")
    filled = values.fillna("")
    uniques = pd.unique(filled.to_numpy(dtype=object))
    table = pd.DataFrame([_resolved(_cache_key(u)) for u in uniques], columns=GEOCODE_COLUMNS[1:])
    pos = pd.Index(uniques).get_indexer(filled.to_numpy(dtype=object))
    out = table.take(pos).reset_index(drop=True)
    out.index = locations.index
    out.insert(0, "location", values)
    return out.astype({
        "country_code": "string", "country": "string", "admin1": "string", "city": "string",
        "lat": "Float64", "lon": "Float64", "confidence": "Float64", "method": "string",
        "reason": "string", "other_countries": "string",
    })
