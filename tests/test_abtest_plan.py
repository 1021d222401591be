"""Planning: the sample size against a textbook value and a simulation; the randomised schedule."""

import math

import numpy as np
import pytest
from scipy import stats

from roi.abtest import log_ratio_sd, pairs_needed, parse_slot, plan, schedule
from roi.errors import ParameterError


@pytest.mark.parametrize("effect, expected", [(0.5, 34), (0.8, 15), (0.2, 199)])
def test_pairs_needed_matches_cohen_paired_t_tables(effect, expected):
    # One-sample / paired t-test, two-sided alpha 0.05, power 0.8 (Cohen 1988, Table 2.4.1 and G*Power).
    assert pairs_needed(math.expm1(effect), sd_log_ratio=1.0) == expected


def test_more_power_or_smaller_lift_needs_more_pairs():
    base = plan(0.02, 0.2)["pairs"]
    assert plan(0.02, 0.2, power=0.9)["pairs"] > base
    assert plan(0.02, 0.1)["pairs"] > base
    assert plan(0.02, 0.2, overdispersion=0.3)["pairs"] > base
    assert plan(0.02, 0.2, impressions_per_post=10_000)["pairs"] < base


def test_log_ratio_sd_is_poisson_plus_overdispersion():
    assert log_ratio_sd(0.01, 0.0, impressions_per_post=1000, overdispersion=0.0) == pytest.approx(math.sqrt(0.2))
    assert log_ratio_sd(0.01, 1.0, impressions_per_post=1000, overdispersion=0.1) == pytest.approx(
        math.sqrt(1 / 10 + 1 / 20 + 0.2))


def test_planned_pairs_reach_the_planned_power_in_simulation():
    """Simulate negative-binomial pairs at the planned size; a paired t-test on log ratios
    should reject about `power` of the time."""
    rate, lift, imp, alpha_nb = 0.03, 0.25, 1500, 0.08
    n = plan(rate, lift, impressions_per_post=imp, overdispersion=alpha_nb)["pairs"]
    rng = np.random.default_rng(2024)
    runs = 2000
    content = rng.gamma(3.0, 1 / 3.0, (runs, n))  # shared by both posts of a pair: cancels
    mu_a = rate * imp * content * rng.gamma(1 / alpha_nb, alpha_nb, (runs, n))
    mu_b = rate * (1 + lift) * imp * content * rng.gamma(1 / alpha_nb, alpha_nb, (runs, n))
    ya, yb = rng.poisson(mu_a), rng.poisson(mu_b)
    d = np.log((yb + 0.5) / imp) - np.log((ya + 0.5) / imp)
    t = d.mean(1) / (d.std(1, ddof=1) / math.sqrt(n))
    power = np.mean(np.abs(t) > stats.t.ppf(0.975, n - 1))
    assert 0.72 <= power <= 0.88, (n, power)


@pytest.mark.parametrize("kwargs, fragment", [
    ({"baseline_rate": 0, "min_lift": 0.1}, "baseline_rate"),
    ({"baseline_rate": 0.02, "min_lift": 0}, "min_lift"),
    ({"baseline_rate": 0.02, "min_lift": -1.5}, "min_lift"),
    ({"baseline_rate": 0.02, "min_lift": 0.1, "power": 1.2}, "power"),
    ({"baseline_rate": 0.02, "min_lift": 0.1, "overdispersion": -1}, "overdispersion"),
])
def test_plan_rejects_bad_parameters(kwargs, fragment):
    with pytest.raises(ParameterError, match=fragment):
        plan(**kwargs)


def test_schedule_randomises_order_reproducibly_and_posts_in_the_slots():
    kw = dict(start="2026-10-26", slot_a="09:00-10:00", slot_b="18:00-19:00", tz="America/New_York")
    s = schedule(40, seed=5, **kw)
    assert len(s) == 80 and all(sorted(g) == ["A", "B"] for _, g in s.groupby("pair_id")["arm"])
    first = s[s["order"] == 1]["arm"]
    assert 10 <= (first == "B").sum() <= 30  # a fair coin, not always A first
    assert s.equals(schedule(40, seed=5, **kw))
    assert not s["arm"].equals(schedule(40, seed=6, **kw)["arm"])
    for arm, slot in (("A", "09:00-10:00"), ("B", "18:00-19:00")):
        posts = s[s["arm"] == arm]["post_at"]
        assert parse_slot(slot).contains(posts, tz="America/New_York").all()  # across the DST change
    # pairs follow one another: each pair's first post is after the previous pair's last
    bounds = s.groupby("pair_id")["post_at"].agg(["min", "max"]).sort_index()
    assert (bounds["min"].to_numpy()[1:] > bounds["max"].to_numpy()[:-1]).all()
    assert (bounds["max"] - bounds["min"]).max().days <= 1


def test_schedule_with_weekday_slots():
    s = schedule(4, start="2026-11-02", slot_a="Tue 09:00-10:00", slot_b="Thu 09:00-10:00", tz="UTC", seed=0)
    days = s["post_at"].dt.day_name()
    assert set(days[s["arm"] == "A"]) == {"Tuesday"} and set(days[s["arm"] == "B"]) == {"Thursday"}


def test_schedule_rejects_same_slot_and_bad_start():
    with pytest.raises(ParameterError, match="same slot"):
        schedule(3, start="2026-11-02", slot_a="09:00-10:00", slot_b="09:00-10:00", tz="UTC")
    with pytest.raises(ParameterError, match="start="):
        schedule(3, start="next monday", slot_a="09:00-10:00", slot_b="18:00-19:00", tz="UTC")
    with pytest.raises(ParameterError, match="pairs="):
        schedule(0, start="2026-11-02", slot_a="09:00-10:00", slot_b="18:00-19:00", tz="UTC")


@pytest.mark.parametrize("effect", [0.1, 0.35, 0.5, 1.0, 2.5])
def test_pairs_needed_agrees_with_statsmodels_solver(effect):
    from statsmodels.stats.power import TTestPower

    reference = TTestPower().solve_power(effect_size=effect, alpha=0.05, power=0.8, alternative="two-sided")
    assert pairs_needed(math.expm1(effect), sd_log_ratio=1.0) == max(2, math.ceil(reference))
