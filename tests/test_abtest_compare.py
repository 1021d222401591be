"""compare(): the arm table and lift by hand, each method on planted effects, A/A calibration,
guard rails, and inputs left untouched."""

import math

import numpy as np
import pandas as pd
import pytest

from roi.abtest import compare
from roi.errors import ParameterError

FAST = dict(n_boot=1000, n_perm=1000, n_draws=4000)


def hand_unpaired():
    return pd.DataFrame({
        "post_id": list("abcdefgh"), "arm": list("AAAABBBB"),
        "impressions": [1000, 2000, 1000, 1000, 1000, 1000, 2000, 1000],
        "engagements": [20, 50, 30, 20, 35, 25, 60, 30]})


def hand_paired():
    return pd.DataFrame({
        "post_id": ["a1", "b1", "a2", "b2", "a3", "b3"], "arm": ["A", "B"] * 3,
        "pair_id": ["p1", "p1", "p2", "p2", "p3", "p3"],
        "created_at": pd.to_datetime(["2026-10-01T13:00Z", "2026-10-01T22:00Z", "2026-10-02T13:00Z",
                                      "2026-10-02T22:00Z", "2026-10-03T13:00Z", "2026-10-03T22:00Z"], utc=True),
        "impressions": [1000] * 6, "engagements": [10, 20, 20, 30, 30, 60]})


def synthetic(rng, *, pairs, lift, paired=True, content_shape=2.0, noise_shape=10.0, rate=0.02):
    """Overdispersed counts from a known model: rate * content frailty (shared within a pair)
    * post noise * (1 + lift) in arm B, impressions lognormal."""
    n = 2 * pairs
    content = rng.gamma(content_shape, 1 / content_shape, pairs)
    content = np.repeat(content, 2) if paired else rng.gamma(content_shape, 1 / content_shape, n)
    x = np.round(np.exp(rng.normal(7.5, 0.6, n))).astype(int)
    arm = np.tile(["A", "B"], pairs)
    mu = rate * x * content * rng.gamma(noise_shape, 1 / noise_shape, n) * np.where(arm == "B", 1 + lift, 1)
    frame = pd.DataFrame({"post_id": [f"t{i}" for i in range(n)], "arm": arm, "impressions": x,
                          "engagements": rng.poisson(mu)})
    if paired:
        frame["pair_id"] = np.repeat([f"p{i:03d}" for i in range(pairs)], 2)
    return frame


def test_arm_table_and_lift_by_hand():
    r = compare(hand_unpaired(), min_posts=3, seed=0, **FAST)
    arms = r.arms.set_index("arm")
    assert arms.loc["A", ["posts", "impressions", "engagements"]].tolist() == [4, 5000, 120]
    assert arms.loc["B", ["posts", "impressions", "engagements"]].tolist() == [4, 5000, 150]
    assert arms.loc["A", "engagement_rate"] == pytest.approx(0.024)
    assert arms.loc["B", "engagement_rate"] == pytest.approx(0.030)
    assert r.lift["ratio_of_rates"] == pytest.approx(0.25)
    # the lift is the ratio of geometric-mean rates, log((y + 0.5) / x) per post
    la = [math.log((y + 0.5) / x) for y, x in ((20, 1000), (50, 2000), (30, 1000), (20, 1000))]
    lb = [math.log((y + 0.5) / x) for y, x in ((35, 1000), (25, 1000), (60, 2000), (30, 1000))]
    assert r.lift["estimate"] == pytest.approx(math.expm1(sum(lb) / 4 - sum(la) / 4))
    assert r.lift["ci_low"] < r.lift["estimate"] < r.lift["ci_high"]
    assert r.design == "unpaired" and r.paired is None
    d = r.to_dict()
    assert d["arms"]["B"]["events"] == 150 and d["arms"]["B"]["exposure"] == 5000
    assert d["arms"]["B"]["rate"] == pytest.approx(0.03)
    assert set(d) >= {"arms", "lift", "p_value", "prob_b_better", "verdict", "warnings"}


def test_paired_analysis_by_hand():
    r = compare(hand_paired(), min_posts=2, seed=0, n_boot=1000, n_perm=20000, n_draws=4000)
    assert r.design == "paired"
    d = [math.log(20.5 / 10.5), math.log(30.5 / 20.5), math.log(60.5 / 30.5)]
    mean = sum(d) / 3
    assert r.paired["mean_log_ratio"] == pytest.approx(mean)
    assert r.paired["lift"] == pytest.approx(math.expm1(mean))
    # the lift is the paired analysis; Mantel-Haenszel with equal impressions is the ratio of summed events
    assert r.lift["estimate"] == pytest.approx(math.expm1(mean))
    assert (r.lift["ci_low"], r.lift["ci_high"]) == pytest.approx((r.paired["ci_low"], r.paired["ci_high"]))
    assert r.lift["mantel_haenszel"] == pytest.approx(110 / 60 - 1)
    assert r.lift["ratio_of_rates"] == pytest.approx(110 / 60 - 1)
    # Of the 8 equally likely within-pair swaps, only "none" and "all" give |log ratio| >= observed.
    assert r.permutation["p_value"] == pytest.approx(2 / 8, abs=0.02)
    # paired t interval with 2 degrees of freedom, by hand
    sd = (sum((v - mean) ** 2 for v in d) / 2) ** 0.5
    assert r.lift["ci_low"] == pytest.approx(math.expm1(mean - 4.302652729911275 * sd / 3 ** 0.5))


def test_planted_lift_is_detected_and_covered_paired():
    r = compare(synthetic(np.random.default_rng(11), pairs=40, lift=0.35), seed=3)
    assert r.winner == "B" and r.verdict.startswith("B beats A by +")
    assert r.lift["ci_low"] < 0.35 < r.lift["ci_high"] and r.lift["ci_low"] > 0
    assert r.paired["ci_low"] < 0.35 < r.paired["ci_high"]
    assert r.glm["ci_low"] < 1.35 < r.glm["ci_high"] and r.glm["ci_low"] > 1
    assert r.p_value < 0.01 and r.prob_b_better > 0.95
    assert r.expected_loss_b < r.bayes["expected_loss_a"]


def test_reversed_labels_make_a_the_winner():
    frame = synthetic(np.random.default_rng(11), pairs=40, lift=0.35)
    r = compare(frame.assign(arm=frame["arm"].map({"A": "B", "B": "A"})), seed=3)
    assert r.winner == "A" and r.verdict.startswith("A beats B by +")
    assert r.lift["ci_high"] < 0 and r.prob_b_better < 0.05


def test_glm_irr_is_the_rate_ratio_without_overdispersion():
    rng = np.random.default_rng(4)
    x = rng.integers(500, 5000, 60)
    arm = np.repeat(["A", "B"], 30)
    y = rng.poisson(0.02 * x * np.where(arm == "B", 1.5, 1.0))
    r = compare(pd.DataFrame({"post_id": [str(i) for i in range(60)], "arm": arm, "impressions": x,
                              "engagements": y}), seed=0, **FAST)
    assert r.glm["irr"] == pytest.approx(1 + r.lift["ratio_of_rates"], rel=0.03)
    assert r.bayes["design_effect_a"] < 2 and r.bayes["design_effect_b"] < 2


def test_overdispersion_widens_the_bayesian_answer():
    r = compare(synthetic(np.random.default_rng(8), pairs=15, lift=0.15, paired=False, content_shape=1.5),
                seed=0, **FAST)
    assert r.bayes["design_effect_a"] > 3
    naive = r.bayes["prob_b_better_ignoring_overdispersion"]
    assert abs(r.prob_b_better - 0.5) < abs(naive - 0.5)


def _aa_unpaired(seed):
    """One slot's posts (overdispersed counts from a known model), split into random halves."""
    rng = np.random.default_rng(10_000 + seed)
    frame = synthetic(rng, pairs=20, lift=0.0, paired=False, content_shape=2.0)
    return frame.assign(arm=rng.permutation(frame["arm"].to_numpy()))


def _aa_paired(seed):
    rng = np.random.default_rng(30_000 + seed)
    frame = synthetic(rng, pairs=20, lift=0.0)
    swap = np.repeat(rng.random(20) < 0.5, 2)
    return frame.assign(arm=np.where(swap, frame["arm"].map({"A": "B", "B": "A"}), frame["arm"]))


@pytest.mark.parametrize("make", [_aa_unpaired, _aa_paired], ids=["random-halves", "random-pairs"])
def test_aa_calibration_false_positives_near_alpha(make):
    """No real difference: over 200 seeded A/A splits a winner is declared about alpha = 5% of the time."""
    winners = p_small = 0
    for seed in range(200):
        r = compare(make(seed), seed=seed, glm=False, n_boot=600, n_perm=600, n_draws=2000)
        winners += r.winner is not None
        p_small += r.p_value < 0.05
    assert 0.02 <= winners / 200 <= 0.09, winners
    assert 0.02 <= p_small / 200 <= 0.09, p_small


def test_no_winner_below_min_posts_even_with_a_big_effect():
    frame = synthetic(np.random.default_rng(2), pairs=6, lift=1.5, noise_shape=200, content_shape=50)
    r = compare(frame, seed=0, min_posts=10, **FAST)
    assert r.winner is None and r.verdict.startswith("too early to call")
    assert any("fewer than the 10 per arm" in w for w in r.warnings)
    assert compare(frame, seed=0, min_posts=5, **FAST).winner == "B"


def test_content_mix_and_dominant_post_warnings():
    frame = hand_unpaired().assign(
        hashtag_count=[0, 0, 0, 0, 2, 1, 1, 3], has_question=[False] * 8,
        has_link=[True] * 8, mention_count=[0] * 8)
    frame.loc[6, "engagements"] = 900
    r = compare(frame, min_posts=3, seed=0, **FAST)
    assert any(w.startswith("content mix differs: posts with hashtags are 0% of A and 100% of B") for w in r.warnings)
    assert any("one post dominates B: post g" in w for w in r.warnings)
    assert not any("questions" in w for w in r.warnings)


def test_peeking_warning_and_sequential_p():
    frame = synthetic(np.random.default_rng(11), pairs=40, lift=0.35)
    r = compare(frame, seed=3, planned_pairs=60, **FAST)
    assert any(w.startswith("interim look: 40 of 60 planned pairs") for w in r.warnings)
    assert 0 < r.sequential["always_valid_p"] <= 1
    assert r.sequential["always_valid_p"] >= r.paired["p_value"]  # the price of looking any time
    done = compare(frame, seed=3, planned_pairs=40, **FAST)
    assert not any("look" in w for w in done.warnings)
    assert any(w.startswith("repeated looks") for w in compare(frame, seed=3, **FAST).warnings)


def test_incomplete_pairs_and_unknown_denominators_are_left_out_and_said():
    frame = hand_paired()
    frame.loc[0, "impressions"] = None  # pair p1 loses its A post
    frame["impressions"] = frame["impressions"].astype("Int64")
    r = compare(frame, min_posts=2, seed=0, **FAST)
    assert r.arms["posts"].tolist() == [2, 2]
    assert any("1 post left out: engagements unknown, or no impressions" in w for w in r.warnings)
    assert any("1 pair without a usable post in both arms" in w for w in r.warnings)


def test_reproducible_and_input_untouched():
    frame = synthetic(np.random.default_rng(1), pairs=12, lift=0.2)
    before = frame.copy()
    a, b = compare(frame, seed=9, **FAST), compare(frame, seed=9, **FAST)
    pd.testing.assert_frame_equal(frame, before)
    assert a.to_dict() == b.to_dict()


@pytest.mark.parametrize("kwargs, fragment", [
    ({"metric": "likes_rate"}, "metric="),
    ({"min_posts": 1}, "min_posts="),
    ({"alpha": 1.5}, "alpha="),
])
def test_bad_options(kwargs, fragment):
    with pytest.raises(ParameterError, match=fragment):
        compare(hand_unpaired(), **kwargs)


def test_missing_columns_and_empty_arm():
    with pytest.raises(ParameterError, match="link_clicks"):
        compare(hand_unpaired(), metric="click_rate")
    with pytest.raises(ParameterError, match="arm B has no posts"):
        compare(hand_unpaired().assign(arm="A"))
    with pytest.raises(ParameterError, match="arm must be 'A' or 'B'"):
        compare(hand_unpaired().assign(arm="C"))


def test_impressions_and_followers_proxy_are_never_pooled():
    frame = synthetic(np.random.default_rng(3), pairs=12, lift=0.2, paired=False)
    mixed = frame.assign(impressions_source=["followers_proxy" if i % 4 == 0 else "impressions"
                                             for i in range(len(frame))])
    r = compare(mixed, seed=0, **FAST)
    assert int(r.arms["posts"].sum()) == int((mixed["impressions_source"] == "impressions").sum())
    assert r.exposure == "impressions" and any("never pooled" in w for w in r.warnings)
    proxy = compare(frame.assign(impressions_source="followers_proxy"), seed=0, **FAST)
    assert proxy.exposure == "followers_proxy" and proxy.to_dict()["exposure"] == "followers_proxy"
    assert int(proxy.arms["posts"].sum()) == len(frame)


def test_missing_values_in_any_column_never_reach_an_if():
    """Real exports: unknown impressions, counts and content flags, a pair id missing."""
    frame = pd.DataFrame({
        "post_id": list("abcdefgh"), "arm": ["A"] * 4 + ["B"] * 4,
        "pair_id": ["p1", None, "p3", "p4", "p1", "p2", "p3", "p4"],
        "impressions": pd.array([100, None, 120, 130, 110, 90, 100, 95], dtype="Int64"),
        "engagements": pd.array([5, 3, None, 6, 8, 7, 9, 8], dtype="Int64"),
        "hashtag_count": pd.array([None, 1, 2, 0, None, 1, 0, 0], dtype="Int64"),
        "has_question": pd.array([None, True, False, True, None, False, True, False], dtype="boolean"),
        "has_link": pd.array([None] * 8, dtype="boolean"),
        "mention_count": pd.array([None] * 8, dtype="Int64")})
    unpaired = compare(frame.drop(columns="pair_id"), min_posts=2, seed=0, **FAST)
    assert unpaired.arms["posts"].tolist() == [2, 4]
    assert any("2 posts left out: engagements unknown" in w for w in unpaired.warnings)
    paired = compare(frame, min_posts=2, seed=0, paired=True, **FAST)
    assert paired.arms["posts"].tolist() == [2, 2] and paired.design == "paired"
