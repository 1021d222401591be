"""roi.geo.spread, maps and timezone_check: hand-checked tables and the sample's planted geography."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest

from roi.errors import ParameterError
from roi.geo.spread import (
    followers_at,
    followers_by_city,
    followers_by_country,
    locate_followers,
    spread_change,
    spread_summary,
)
from roi.geo.timezone_check import activity_offsets, timezone_mismatches
from roi.tables import conform

T = pd.to_datetime(["2026-01-05T11:00Z", "2026-01-12T11:00Z"], utc=True)


@pytest.fixture
def tiny():
    accounts = conform("accounts", {
        "platform": ["x"] * 6, "account_id": ["b", "1", "2", "3", "4", "5"],
        "handle": ["brand", "u1", "u2", "u3", "u4", "u5"],
        "location": [None, "Austin, TX", "Paris", "London", "Earth", "NYC"],
        "followers_count": [0, 100, 10, 50, 5, 1000], "observed_at": [T[1]] * 6})
    follows = conform("follows", {
        "platform": ["x"] * 5, "follower_id": ["1", "2", "3", "4", "5"], "followee_id": ["b"] * 5,
        "first_seen": [T[0], T[0], T[0], T[0], T[1]], "last_seen": [T[1], T[1], T[0], T[1], T[1]]})
    return accounts, follows


def test_followers_at_each_snapshot(tiny):
    _, follows = tiny
    assert sorted(followers_at(follows, "b", at=T[0]).follower_id) == ["1", "2", "3", "4"]
    assert sorted(followers_at(follows, "b").follower_id) == ["1", "2", "4", "5"]
    assert followers_at(follows, "b", at="2025-01-01").empty
    with pytest.raises(ParameterError, match="at="):
        followers_at(follows, "b", at="not a date")


def test_tables_name_numerators_and_denominators(tiny):
    accounts, follows = tiny
    loc = locate_followers(accounts, follows, "b")
    by = followers_by_country(loc).set_index("country_code")
    assert by.loc["US", "followers"] == 2 and by.loc["FR", "followers"] == 1
    assert (by["located_followers"] == 3).all() and (by["all_followers"] == 4).all()
    assert by.loc["US", "share"] == pytest.approx(2 / 3)
    assert by.loc["US", "reach"] == 1100 and by.loc["US", "reach_share"] == pytest.approx(1100 / 1110)
    assert by["small"].all()
    assert by.loc["FR", "followers_per_million"] == pytest.approx(1e6 / by.loc["FR", "population"])
    cities = followers_by_city(loc)
    assert set(cities.city) == {"Austin", "Paris", "New York City"}
    assert (cities.city_located_followers == 3).all()
    s = spread_summary(loc, home_country="US").set_index("metric")
    assert s.loc["share_located", "value"] == pytest.approx(3 / 4)
    assert s.loc["countries_reached", "value"] == 2
    assert s.loc["hhi", "value"] == pytest.approx((2 / 3) ** 2 + (1 / 3) ** 2)
    assert s.loc["entropy_bits", "value"] == pytest.approx(-(2 / 3 * np.log2(2 / 3) + 1 / 3 * np.log2(1 / 3)))
    assert s.loc["home_share", ["numerator", "denominator"]].tolist() == [2, 3]
    with pytest.raises(ParameterError, match="home_country"):
        spread_summary(loc, home_country="USA")


def test_spread_change_counts_new_and_lost(tiny):
    accounts, follows = tiny
    ch = spread_change(accounts, follows, "b", start=T[0], end=T[1]).set_index(
        spread_change(accounts, follows, "b", start=T[0], end=T[1])["country_code"].fillna("?"))
    assert ch.loc["GB", ["followers_start", "followers_end", "lost", "net"]].tolist() == [1, 0, 1, -1]
    assert ch.loc["US", ["followers_start", "followers_end", "new", "net"]].tolist() == [1, 2, 1, 1]
    assert ch["followers_end"].sum() == 4 and ch["followers_start"].sum() == 4


def _posts_in(tz: str, author: str, n: int, rng) -> pd.DataFrame:
    from roi.geo.timezone_check import DIURNAL_TEMPLATE

    days = pd.Timestamp("2026-03-02").tz_localize(tz) + pd.to_timedelta(rng.integers(0, 20, n), unit="D")
    local = days + pd.to_timedelta(rng.choice(24, n, p=DIURNAL_TEMPLATE), unit="h")
    return pd.DataFrame({"author_id": author, "created_at": local.tz_convert("UTC")})


def test_timezone_check_flags_a_clock_from_elsewhere():
    rng = np.random.default_rng(3)
    posts = pd.concat([_posts_in("America/Chicago", "a", 60, rng), _posts_in("Asia/Tokyo", "b", 60, rng),
                       _posts_in("Europe/Berlin", "c", 5, rng)])
    act = activity_offsets(posts, min_posts=10).set_index("author_id")
    assert set(act.index) == {"a", "b"}
    assert abs(act.loc["a", "activity_utc_offset"] - (-6)) <= 2
    assert abs(act.loc["b", "activity_utc_offset"] - 9) <= 2
    located = pd.DataFrame({"account_id": ["a", "b", "c"], "location": ["Austin, TX", "Austin, TX", "Berlin"],
                            "country_code": pd.array(["US", "US", "DE"], dtype="string"),
                            "city": pd.array(["Austin", "Austin", "Berlin"], dtype="string")})
    mm = timezone_mismatches(located, posts).set_index("account_id")
    assert bool(mm.loc["b", "mismatch"]) and not bool(mm.loc["a", "mismatch"])
    assert "c" not in mm.index  # too few posts to judge


def test_maps_draw_titles_from_the_table(tiny):
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from roi.geo.maps import plot_city_points, plot_country_choropleth

    accounts, follows = tiny
    loc = locate_followers(accounts, follows, "b")
    ax = plot_country_choropleth(followers_by_country(loc))
    assert ax.get_title() == "3 of 4 followers located (75%)"
    ax2 = plot_country_choropleth(followers_by_country(loc), per_capita=True)
    assert "per million" in ax2.get_title()
    ax3 = plot_city_points(followers_by_city(loc), n_followers=4, top=2)
    assert ax3.get_title().startswith("3 of 4") and len(ax3.texts) == 2
    with pytest.raises(ParameterError):
        plot_country_choropleth(pd.DataFrame({"x": [1]}))
    plt.close("all")


# ---------------------------------------------------------------- the sample's planted geography
def _true_shares(codes) -> pd.Series:
    return pd.Series(codes).value_counts(normalize=True)


def _tvd(a: pd.Series, b: pd.Series) -> float:
    idx = a.index.union(b.index)
    return 0.5 * float(np.abs(a.reindex(idx).fillna(0) - b.reindex(idx).fillna(0)).sum())


def test_sample_country_shares_match_truth(sample_ds, sample_truth):
    brand = sample_truth["brand"]["account_id"]
    loc = locate_followers(sample_ds.accounts, sample_ds.follows, brand)
    by = followers_by_country(loc)
    est = by.set_index(by["country_code"].astype(str))["share"]
    truth = pd.Series(sample_truth["country_shares"])
    located = loc[loc["country_code"].notna()]
    true_country = located["follower_id"].map(lambda i: sample_truth["accounts"].get(i, {}).get("country"))
    # 1. the geocoder's own error: estimated shares vs the true countries of the same followers.
    own = _tvd(est, _true_shares(true_country.dropna()))
    assert own < 0.03, own
    # 2. against truth.country_shares (all followers): that error plus the sampling error of
    #    looking only at the located subset, measured here rather than assumed.
    sampling = _tvd(_true_shares(true_country.dropna()), truth)
    assert _tvd(est, truth) <= sampling + 0.03, (_tvd(est, truth), sampling)
    # 3. per follower, a located country is right (precision beats recall)
    assert (located["country_code"].astype(str) == true_country).mean() >= 0.95
    # 4. honesty about coverage
    share = spread_summary(loc, home_country="US").set_index("metric").loc["share_located"]
    assert 0.4 < share["value"] < 0.95 and share["denominator"] == len(loc)


def test_notebook_02_renders_the_maps_on_the_sample(sample_store, tmp_path):
    import nbformat
    from conftest import run_notebook

    out = run_notebook("02-geo-spread.ipynb", tmp_path, store=str(sample_store), account="acme",
                       tz="America/New_York", home_country="US")
    nb = nbformat.read(out, as_version=4)
    images = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if "image/png" in o.get("data", {})]
    assert len(images) >= 2  # the choropleths and the city map
    text = "".join(str(o.get("data", {}).get("text/plain", "")) for c in nb.cells if c.cell_type == "code"
                   for o in c.get("outputs", []))
    assert "share_located" in text



def test_undated_and_null_follows_and_wholly_null_profiles():
    """A follower list saved without dates, null ids, and profiles with no location or counts at all."""
    accounts = conform("accounts", {"account_id": ["b", "1", "2"], "handle": ["brand", "u1", "u2"]})
    follows = conform("follows", {"follower_id": ["1", "2", None, "3"], "followee_id": ["b", "b", "b", None]})
    assert follows["first_seen"].isna().all() and accounts["location"].isna().all()
    fol = followers_at(follows, "b")
    assert sorted(fol.follower_id) == ["1", "2"] and fol["snapshot"].isna().all()
    loc = locate_followers(accounts, follows, "b")
    assert len(loc) == 2 and loc["country_code"].isna().all()
    assert followers_by_country(loc).empty and followers_by_city(loc).empty
    s = spread_summary(loc, home_country="US").set_index("metric")
    assert s.loc["followers", "value"] == 2 and s.loc["located", "value"] == 0
    assert s.loc["share_located", "value"] == 0  # 0 of 2 located: a share, not unknown
    change = spread_change(accounts, follows, "b", start="2026-01-01", end="2026-02-01")
    assert change[["followers_end", "new", "lost"]].sum().tolist() == [2, 0, 0]
    # an edge dated on one side only: seen first at T[0], never seen gone
    half = conform("follows", {"follower_id": ["1", "2"], "followee_id": ["b", "b"],
                               "first_seen": [T[0], T[1]], "last_seen": [None, T[1]]})
    assert sorted(followers_at(half, "b").follower_id) == ["1", "2"]
    assert sorted(followers_at(half, "b", at=T[0]).follower_id) == ["1"]
