"""roi.geo.geocode: hand-checked cases, the labelled set (accuracy and precision), real profiles."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from roi.errors import ParameterError
from roi.geo import GEOCODE_COLUMNS, geocode, geocode_one, load_gazetteer, reverse_geocode

LABELLED = Path(__file__).parent / "data" / "geo_locations.csv"


@pytest.mark.parametrize("text, country, city", [
    ("Austin, TX", "US", "Austin"), ("Austin TX", "US", "Austin"), ("Auckland NZ", "NZ", "Auckland"),
    ("NYC", "US", "New York City"), ("SF", "US", "San Francisco"), ("LA", "US", "Los Angeles"),
    ("München", "DE", "Munich"), ("東京", "JP", "Tokyo"), ("Москва", "RU", "Moscow"),
    ("São Paulo", "BR", "São Paulo"), ("Santiago", "CL", "Santiago"),
    ("Birmingham, AL", "US", "Birmingham"), ("Perth, WA", "AU", "Perth"), ("Paris, TX", "US", "Paris"),
    ("London / NYC", "GB", "London"), ("near London", "GB", "London"),
])
def test_places_resolve_to_the_expected_city(text, country, city):
    r = geocode_one(text)
    assert (r["country_code"], r["city"]) == (country, city), r


@pytest.mark.parametrize("text, country, method", [
    ("Texas", "US", "admin1"), ("Bay Area", "US", "nickname"), ("SoCal", "US", "nickname"),
    ("PNW", "US", "nickname"), ("🇯🇵", "JP", "flag"), ("🇪🇸 ✨", "ES", "flag"), ("Deutschland", "DE", "country"),
    ("51.5,-0.12", "GB", "coordinates"), ("ÜT: 40.7,-74.0", "US", "coordinates"), ("BR", "BR", "country"),
    ("Scotland", "GB", "country"), ("Hogwarts, Scotland", "GB", "country"),
])
def test_countries_states_nicknames_flags_and_coordinates(text, country, method):
    r = geocode_one(text)
    assert (r["country_code"], r["method"]) == (country, method), r


@pytest.mark.parametrize("text, reason_part", [
    ("Earth", "not a place"), ("everywhere", "not a place"), ("127.0.0.1", "ip address"),
    ("somewhere over the rainbow", "no match"), ("she/her", "pronouns"), ("https://acme.example", "url"),
    ("✨🌙", "no place name"), ("", "empty"), ("Europe", "continent"), ("CA", "ambiguous"),
    ("🇪🇺", "no place name"),
])
def test_junk_stays_unresolved_with_a_reason(text, reason_part):
    r = geocode_one(text)
    assert r["country_code"] is None and reason_part in r["reason"], r


def test_output_contract_index_and_nulls():
    s = pd.Series(["Paris", None, "Earth", "Paris"], index=[10, 11, 12, 13])
    out = geocode(s)
    assert list(out.columns) == GEOCODE_COLUMNS
    assert list(out.index) == [10, 11, 12, 13]
    assert out["country_code"].tolist() == ["FR", pd.NA, pd.NA, "FR"]
    assert str(out["country_code"].dtype) == "string" and str(out["lat"].dtype) == "Float64"
    assert out["reason"].notna().tolist() == [False, True, True, False]
    assert s.tolist()[0] == "Paris" and s.isna().sum() == 1  # input untouched


def test_each_distinct_string_is_resolved_once(monkeypatch):
    import importlib

    mod = importlib.import_module("roi.geo.geocode")

    calls = []
    real = mod._Resolver.resolve
    monkeypatch.setattr(mod, "_CACHE", {})
    monkeypatch.setattr(mod._Resolver, "resolve", lambda self, t: calls.append(t) or real(self, t))
    out = geocode(pd.Series(["Oslo", " Oslo ", "Oslo", "Bergen"] * 50))
    assert sorted(calls) == ["Bergen", "Oslo"]  # whitespace-normalised, then unique
    assert (out["country_code"] == "NO").all()


def test_geocode_refuses_a_list():
    with pytest.raises(ParameterError, match="pandas Series"):
        geocode(["Paris"])


def test_reverse_geocode_polygon_and_nearest_city():
    assert reverse_geocode(48.85, 2.35)[0] == "FR"
    assert reverse_geocode(59.91, 10.75)[0] == "NO"  # Norway's -99 code fixed
    assert reverse_geocode(1.29, 103.85)[0] == "SG"  # too small for 1:110m: nearest city
    assert reverse_geocode(-30.0, -140.0) == (None, 0.0)  # open Pacific


def test_gazetteer_holds_other_scripts_and_country_translations():
    g = load_gazetteer()
    assert g.countries["deutschland"] == "DE" and g.countries["日本"] == "JP"
    assert g.cities.loc[g.city_rows("москва")[0], "country_code"] == "RU"


def test_labelled_set_accuracy_and_precision():
    lab = pd.read_csv(LABELLED, dtype=str, keep_default_na=False)
    assert len(lab) >= 150 and (lab["source"] == "realdata x-api-v2").sum() >= 100
    out = geocode(lab["location"])
    got = out["country_code"].fillna("unresolvable").astype(str)
    exp = lab["expected_country"]
    resolvable = exp != "unresolvable"
    answered = got != "unresolvable"
    accuracy = (got[resolvable] == exp[resolvable]).mean()
    precision = (got[answered] == exp[answered]).mean()
    wrong = lab.assign(got=got)[got != exp]
    confusion = "\n".join(f"  {r.location!r}: expected {r.expected_country}, got {r.got}" for r in wrong.itertuples())
    msg = f"accuracy {accuracy:.3f} (n={resolvable.sum()}), precision {precision:.3f} (n={answered.sum()})\n{confusion}"
    assert accuracy >= 0.90, msg
    assert precision >= 0.95, msg


def _profiles(folder: Path) -> list[str]:
    out = []
    for f in sorted(folder.glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            try:
                page = json.loads(line)
            except ValueError:
                continue
            users = (page.get("includes") or {}).get("users", []) if isinstance(page, dict) else []
            out += [u["location"] for u in users if u.get("location")]
    return out


def test_real_profile_locations_are_answered_honestly(realdata):
    locs = pd.Series(_profiles(realdata / "x-api-v2"), dtype="string")
    assert len(locs) > 500
    out = geocode(locs)
    located = out["country_code"].notna().mean()
    # TweepsMap found 10-30% of locations unresolvable; these profiles are messier than most
    assert 0.5 < located < 0.95, located
    assert out.loc[out["country_code"].isna(), "reason"].notna().all()
    assert out.loc[out["country_code"].notna(), "reason"].isna().all()
