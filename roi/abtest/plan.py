"""Planning an A/B test of two posting slots: how many pairs of posts, and when to post them.

The design is *paired*: each pair is the same content posted once in slot A and once in slot
B, so content quality cancels out of the comparison. The analysis (:func:`roi.abtest.compare`)
works on the pair-level log ratio ``d = log(rate_B) - log(rate_A)``.

Sample size (method)
--------------------
For a post with ``mu`` expected events (``baseline_rate * impressions_per_post``) whose counts
are negative binomial with overdispersion ``alpha`` (variance ``mu + alpha * mu**2``), the delta
method gives ``var(log rate) ~ 1/mu + alpha``, so for a pair

    var(d) = 1/mu_A + 1/mu_B + 2 * alpha,        mu_B = mu_A * (1 + min_lift).

The number of pairs is then the one-sample (paired) t-test sample size for the standardised
effect ``log(1 + min_lift) / sd(d)`` at the given two-sided ``alpha`` and power (solved exactly
with the noncentral t distribution). ``alpha`` here is the
post-to-post noise that pairing does *not* remove (squared coefficient of variation of a post's
rate around its expectation: 0.1 means roughly +/-32 % from post to post). The test
``tests/test_abtest_plan.py`` checks the power by simulating negative-binomial pairs.

Examples
--------
>>> p = plan(0.02, 0.2, impressions_per_post=1000, overdispersion=0.1)
>>> p["pairs"], round(p["sd_log_ratio"], 3)
(71, 0.54)
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from roi.abtest.slots import Slot, parse_slot
from roi.errors import ParameterError
from roi.timeframe import validate_tz

__all__ = ["log_ratio_sd", "pairs_needed", "plan", "schedule", "PLAN_METHOD", "MAX_SCHEDULE_PAIRS"]

#: The longest schedule written: about two and a half years of one pair a day.
MAX_SCHEDULE_PAIRS = 1000

PLAN_METHOD = (
    "paired log-ratio: var(d) = 1/mu_A + 1/mu_B + 2*overdispersion (negative binomial, delta method); "
    "pairs from the paired t-test power (noncentral t, two-sided)"
)


def _check_fraction(name: str, value: float, *, low: float = 0.0, high: float = 1.0) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={value!r}: expected a number between {low} and {high}") from None
    if not (low < v < high) or math.isnan(v):
        raise ParameterError(f"{name}={value!r}: expected a number strictly between {low} and {high}")
    return v


def log_ratio_sd(baseline_rate: float, min_lift: float, *, impressions_per_post: float = 1000,
                 overdispersion: float = 0.1) -> float:
    """Compute the standard deviation of a pair's log ratio ``log(rate_B / rate_A)`` in the planning model.

    Parameters
    ----------
    baseline_rate : float
        Expected events per exposure in slot A (e.g. engagements per impression, 0.02).
    min_lift : float
        Relative lift of B over A (0.2 = +20 %); > -1.
    impressions_per_post : float, keyword-only
        Typical exposure of one post (impressions; clicks for a conversion rate).
    overdispersion : float, keyword-only
        Negative-binomial ``alpha`` left after pairing (>= 0).

    Returns
    -------
    float

    Examples
    --------
    >>> round(log_ratio_sd(0.02, 0.0, impressions_per_post=1000, overdispersion=0.0), 4)
    0.3162
    """
    rate = _check_fraction("baseline_rate", baseline_rate)
    lift = float(min_lift)
    if not lift > -1:
        raise ParameterError(f"min_lift={min_lift!r}: expected a relative lift above -1 (0.2 = +20%)")
    if not impressions_per_post or float(impressions_per_post) <= 0:
        raise ParameterError(f"impressions_per_post={impressions_per_post!r}: expected a positive number")
    if float(overdispersion) < 0 or math.isnan(float(overdispersion)):
        raise ParameterError(f"overdispersion={overdispersion!r}: expected a number >= 0 (negative binomial alpha)")
    mu_a = rate * float(impressions_per_post)
    mu_b = mu_a * (1 + lift)
    return math.sqrt(1 / mu_a + 1 / mu_b + 2 * float(overdispersion))


def pairs_needed(min_lift: float, *, sd_log_ratio: float, power: float = 0.8, alpha: float = 0.05) -> int:
    """Pairs needed to detect ``min_lift`` with a two-sided paired t-test on log ratios.

    Parameters
    ----------
    min_lift : float
        The smallest relative lift worth detecting (0.1 = +10 %); not 0.
    sd_log_ratio : float, keyword-only
        Standard deviation of one pair's log ratio (planned, or observed in a running test).
    power, alpha : float, keyword-only
        Power and two-sided significance level.

    Returns
    -------
    int
        At least 2.

    Examples
    --------
    Cohen's table: a standardised effect of 0.5 needs 34 pairs at power 0.8, alpha 0.05.

    >>> pairs_needed(math.expm1(0.5), sd_log_ratio=1.0)
    34
    """
    power = _check_fraction("power", power)
    alpha = _check_fraction("alpha", alpha)
    if not float(min_lift) > -1 or float(min_lift) == 0:
        raise ParameterError(f"min_lift={min_lift!r}: expected a non-zero relative lift above -1 (0.1 = +10%)")
    if not sd_log_ratio > 0:
        raise ParameterError(f"sd_log_ratio={sd_log_ratio!r}: expected a positive standard deviation")
    effect = abs(math.log1p(float(min_lift))) / float(sd_log_ratio)
    z_a, z_b = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    # Start from the normal approximation with Guenther's correction, then step to the exact
    # smallest n whose noncentral-t power reaches the target (one or two evaluations).
    n = max(2, math.ceil(((z_a + z_b) / effect) ** 2 + z_a ** 2 / 2))
    while n > 2 and _paired_t_power(n - 1, effect, alpha) >= power:
        n -= 1
    while _paired_t_power(n, effect, alpha) < power:
        n += 1
    return n


def _paired_t_power(n: int, effect: float, alpha: float) -> float:
    """Power of the two-sided one-sample t-test with n observations and standardised effect."""
    df = n - 1
    crit = stats.t.ppf(1 - alpha / 2, df)
    nc = effect * math.sqrt(n)
    return float(stats.nct.sf(crit, df, nc) + stats.nct.cdf(-crit, df, nc))


def plan(baseline_rate: float, min_lift: float, *, power: float = 0.8, alpha: float = 0.05,
         impressions_per_post: float = 1000, overdispersion: float = 0.1) -> dict:
    """Pairs of posts needed to detect ``min_lift`` over ``baseline_rate``, with the assumptions.

    Returns
    -------
    dict
        ``pairs`` (pairs of posts), ``posts`` (2 x pairs), ``sd_log_ratio``, ``method`` and every
        input, so the plan can be printed next to the numbers it rests on.

    Examples
    --------
    >>> plan(0.02, 0.5, overdispersion=0.05)["pairs"]
    11
    """
    sd = log_ratio_sd(baseline_rate, min_lift, impressions_per_post=impressions_per_post,
                      overdispersion=overdispersion)
    pairs = pairs_needed(min_lift, sd_log_ratio=sd, power=power, alpha=alpha)
    return {
        "pairs": pairs,
        "posts": 2 * pairs,
        "baseline_rate": float(baseline_rate),
        "min_lift": float(min_lift),
        "power": float(power),
        "alpha": float(alpha),
        "impressions_per_post": float(impressions_per_post),
        "overdispersion": float(overdispersion),
        "sd_log_ratio": sd,
        "method": PLAN_METHOD,
    }


def schedule(pairs: int, *, start: str | pd.Timestamp, slot_a: str | Slot, slot_b: str | Slot,
             tz: str, seed: int = 0, experiment_id: str | None = None) -> pd.DataFrame:
    """Make a posting schedule for ``pairs`` pairs: which slot goes first is randomised per pair.

    Posting the same content twice favours whichever copy goes first (the second reaches people
    who already saw it), so the order within each pair is a seeded coin flip. A pair starts at
    the first slot start on or after the local day after the previous pair ended, and each post
    is scheduled at its slot's start.

    Parameters
    ----------
    pairs : int
        Number of pairs (see :func:`plan`).
    start : str or Timestamp, keyword-only
        First local day (``"2026-11-02"``) or an aware timestamp.
    slot_a, slot_b : str or Slot, keyword-only
        The two slots, e.g. ``"09:00-10:00"`` and ``"18:00-19:00"``.
    tz : str, keyword-only
        The brand's time zone; slots are local times there.
    seed : int, keyword-only
        Seed of the order coin flips.
    experiment_id : str, optional
        Written in the ``experiment_id`` column (default ``"ab-<start>"``).

    Returns
    -------
    DataFrame
        One row per post: experiment_id, pair_id, arm (A/B), slot, order (1 or 2), post_at (UTC),
        post_at_local (ISO text in ``tz``). experiment_id, arm, post_id and pair_id are the
        columns of ``experiments.csv`` once the post ids are known.

    Examples
    --------
    >>> s = schedule(3, start="2026-11-02", slot_a="09:00-10:00", slot_b="18:00-19:00", tz="UTC", seed=1)
    >>> print(s[["pair_id", "arm", "order", "post_at_local"]].to_string(index=False))
    pair_id arm  order             post_at_local
    pair-01   A      1 2026-11-02T09:00:00+00:00
    pair-01   B      2 2026-11-02T18:00:00+00:00
    pair-02   A      1 2026-11-03T09:00:00+00:00
    pair-02   B      2 2026-11-03T18:00:00+00:00
    pair-03   B      1 2026-11-04T18:00:00+00:00
    pair-03   A      2 2026-11-05T09:00:00+00:00
    """
    validate_tz(tz)
    a, b = parse_slot(slot_a), parse_slot(slot_b)
    if a == b:
        raise ParameterError(f"slot_a and slot_b are the same slot ({a}); compare two different slots")
    try:
        n = int(pairs)
    except (TypeError, ValueError):
        raise ParameterError(f"pairs={pairs!r}: expected a positive whole number") from None
    if n < 1 or n != pairs:
        raise ParameterError(f"pairs={pairs!r}: expected a positive whole number")
    if n > MAX_SCHEDULE_PAIRS:
        raise ParameterError(f"pairs={n:,}: more than {MAX_SCHEDULE_PAIRS:,} pairs (years of posting) is not a "
                             "test anyone can run; plan for a larger minimum lift")
    try:
        first = pd.Timestamp(start)
    except (TypeError, ValueError):
        raise ParameterError(f"start={start!r}: expected a date like '2026-11-02'") from None
    if first is pd.NaT:
        raise ParameterError(f"start={start!r}: expected a date like '2026-11-02'")
    first = first.tz_localize(tz, nonexistent="shift_forward", ambiguous=True) if first.tzinfo is None \
        else first.tz_convert(tz)
    rng = np.random.default_rng(seed)
    b_first = rng.random(n) < 0.5
    eid = experiment_id or f"ab-{first.strftime('%Y-%m-%d')}"
    width = max(2, len(str(n)))
    rows = []
    anchor = first.tz_convert("UTC")
    for i in range(n):  # a loop over pairs (tens to hundreds), not over data rows
        order = [("B", b), ("A", a)] if b_first[i] else [("A", a), ("B", b)]
        t = anchor
        for k, (arm, slot) in enumerate(order, start=1):
            t = slot.next_start(t, tz=tz)
            rows.append({"experiment_id": eid, "pair_id": f"pair-{i + 1:0{width}d}", "arm": arm,
                         "slot": str(slot), "order": k, "post_at": t,
                         "post_at_local": t.tz_convert(tz).isoformat()})
            t = t + pd.Timedelta(minutes=1)
        anchor = _local_midnight(t.tz_convert(tz).tz_localize(None).normalize() + pd.Timedelta(days=1), tz)
    out = pd.DataFrame(rows)
    out["post_at"] = pd.to_datetime(out["post_at"], utc=True).astype("datetime64[us, UTC]")
    for col in ("experiment_id", "pair_id", "arm", "slot", "post_at_local"):
        out[col] = out[col].astype("string")
    out["order"] = out["order"].astype("Int64")
    return out


def _local_midnight(day: pd.Timestamp, tz: str) -> pd.Timestamp:
    """Midnight of a naive local ``day`` in ``tz``, as UTC (DST-safe)."""
    return day.tz_localize(tz, nonexistent="shift_forward", ambiguous=True).tz_convert("UTC")
