"""Intervals: Wilson and Jeffreys against published values and statsmodels; bootstrap and delta."""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.stats.proportion import proportion_confint

from roi.engagement.intervals import (
    beta_interval,
    bootstrap_ratio,
    delta_ratio_interval,
    ratio_sums,
    wilson_interval,
)
from roi.errors import ParameterError


def test_wilson_matches_newcombe_1998():
    # Newcombe (Stat Med 1998), table I: 81/263 -> 0.2553 to 0.3662; 0/10 -> 0 to 0.2775
    lo, hi = wilson_interval([81, 0], [263, 10])
    assert lo == pytest.approx([0.2553, 0.0], abs=5e-5)
    assert hi == pytest.approx([0.3662, 0.2775], abs=5e-5)


def test_wilson_and_jeffreys_match_statsmodels():
    rng = np.random.default_rng(3)
    n = rng.integers(1, 5000, 50)
    k = rng.binomial(n, 0.03)
    for ours, method in ((wilson_interval, "wilson"), (beta_interval, "jeffreys")):
        lo, hi = ours(k, n)
        ref_lo, ref_hi = proportion_confint(k, n, method=method)
        inner = (k > 0) & (k < n)  # statsmodels' Jeffreys clips the ends to 0/1
        assert lo[inner] == pytest.approx(ref_lo[inner], rel=1e-9)
        assert hi[inner] == pytest.approx(ref_hi[inner], rel=1e-9)


def test_wilson_zero_trials_is_nan_and_bad_counts_raise():
    lo, hi = wilson_interval([0], [0])
    assert np.isnan(lo[0]) and np.isnan(hi[0])
    with pytest.raises(ParameterError):
        wilson_interval([5], [3])
    with pytest.raises(ParameterError, match="level"):
        wilson_interval([1], [3], level=95)


def test_bootstrap_is_seeded_and_agrees_with_delta_method():
    rng = np.random.default_rng(0)
    x = rng.integers(500, 5000, 400).astype(float)
    y = rng.poisson(x * 0.03 * rng.gamma(2, 0.5, 400))
    a = bootstrap_ratio(y, x, seed=11)
    assert a == bootstrap_ratio(y, x, seed=11)
    assert a != bootstrap_ratio(y, x, seed=12)
    d_lo, d_hi = delta_ratio_interval(**ratio_sums(y, x))
    assert a[0] < y.sum() / x.sum() < a[1]
    # with 400 posts the two intervals agree to a few percent of their width
    assert abs(a[0] - d_lo) < 0.1 * (d_hi - d_lo) and abs(a[1] - d_hi) < 0.1 * (d_hi - d_lo)


def test_bootstrap_large_group_chunks_without_changing_answer_shape():
    y = np.ones(30_000)
    x = np.full(30_000, 50.0)
    assert bootstrap_ratio(y, x, n_boot=50, seed=0) == (0.02, 0.02)


def test_delta_matches_direct_formula():
    rng = np.random.default_rng(5)
    x = rng.integers(100, 1000, 30).astype(float)
    y = rng.poisson(x * 0.05).astype(float)
    r = y.sum() / x.sum()
    se = np.sqrt(30 / 29 * ((y - r * x) ** 2).sum()) / x.sum()
    lo, hi = delta_ratio_interval(**ratio_sums(y, x))
    assert (lo, hi) == pytest.approx((r - 1.959964 * se, r + 1.959964 * se), rel=1e-6)


def test_empty_inputs():
    assert all(np.isnan(bootstrap_ratio([], [])))
    assert all(np.isnan(bootstrap_ratio([1], [0])))
