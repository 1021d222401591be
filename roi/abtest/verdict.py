"""The verdict of a comparison in plain words, for a community manager rather than a statistician.

Five cases, decided in this order:

1. too few posts in an arm  -> "too early to call ... about N more pairs needed";
2. B wins (p < alpha and the interval above 0)   -> "B beats A by +18% (95% CI ...): post at B";
3. A wins (p < alpha and the interval below 0)   -> "A beats B by ...: post at A";
4. the interval lies inside +/- min_lift          -> "no meaningful difference ...: either slot is fine";
5. otherwise                                     -> "not enough evidence yet ...; about N more pairs needed".

When A wins, the lift is turned round (A/B - 1, interval inverted) so the sentence always states
how much better the winner is.
"""

from __future__ import annotations

import math

__all__ = ["verdict_text", "format_lift", "format_probability"]


def format_lift(x: float) -> str:
    """``0.184`` -> ``'+18%'``; ``-0.05`` -> ``'-5%'``.

    >>> format_lift(0.184), format_lift(-0.05), format_lift(0.0004)
    ('+18%', '-5%', '+0%')
    """
    if x is None or math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "+inf%" if x > 0 else "-inf%"
    pct = round(100 * x)
    return f"{'+' if pct >= 0 else '-'}{abs(pct)}%"


def format_probability(p: float) -> str:
    """Two decimals, never 0.00 or 1.00 from a finite simulation.

    >>> format_probability(0.9996), format_probability(0.734), format_probability(0.0)
    ('> 0.99', '0.73', '< 0.01')
    """
    if p is None or not math.isfinite(p):
        return "n/a"
    if p > 0.995:
        return "> 0.99"
    if p < 0.005:
        return "< 0.01"
    return f"{p:.2f}"


def _label(arm: str, slot: str | None) -> str:
    return f"{arm} ({slot})" if slot else arm


def verdict_text(*, lift: float, ci_low: float, ci_high: float, prob_b_better: float, p_value: float,
                 posts_a: int, posts_b: int, min_posts: int, alpha: float = 0.05, min_lift: float = 0.1,
                 more_needed: int | None = None, unit: str = "pairs", slot_a: str | None = None,
                 slot_b: str | None = None, confidence: float = 0.95) -> tuple[str, str | None]:
    """The verdict sentence and the winner (``"A"``, ``"B"`` or None).

    Parameters
    ----------
    lift, ci_low, ci_high : float
        B/A - 1 and its interval.
    prob_b_better, p_value : float
        P(B > A) (Bayesian) and the test's p-value.
    posts_a, posts_b, min_posts : int
        Posts per arm and the minimum per arm before any winner is declared.
    alpha, min_lift : float
        Significance level; the smallest lift that matters (defines "no meaningful difference").
    more_needed : int, optional
        Further pairs (or posts per arm) needed to detect ``min_lift`` at power 0.8; 0 or less
        when the test is already that large; None when unknown.
    unit : {"pairs", "posts per arm"}
    slot_a, slot_b : str, optional
        Slot descriptions shown next to the winner.

    Returns
    -------
    (str, str or None)

    Examples
    --------
    >>> verdict_text(lift=0.18, ci_low=0.06, ci_high=0.31, prob_b_better=0.993, p_value=0.004,
    ...              posts_a=20, posts_b=20, min_posts=10, slot_b="18:00-19:00")
    ('B beats A by +18% (95% CI +6% to +31%), P(B>A) = 0.99: post at B (18:00-19:00)', 'B')
    >>> verdict_text(lift=0.05, ci_low=-0.08, ci_high=0.2, prob_b_better=0.76, p_value=0.4,
    ...              posts_a=20, posts_b=20, min_posts=10, more_needed=31)[0]
    'not enough evidence yet: B vs A +5% (95% CI -8% to +20%), P(B>A) = 0.76; about 31 more pairs needed to detect a 10% difference'
    """
    level = f"{round(confidence * 100)}% CI"
    size = f"{round(100 * min_lift)}% difference"
    if more_needed is None:
        more = "more data needed"
    elif more_needed > 0:
        more = f"about {more_needed} more {unit} needed to detect a {size}"
    else:
        more = f"the test already has the {unit} needed to detect a {size}, so a real difference is likely smaller"
    if min(posts_a, posts_b) < min_posts:
        return (f"too early to call: A has {posts_a} and B has {posts_b} posts (at least {min_posts} per arm "
                f"before declaring a winner); {more}", None)
    significant = p_value < alpha
    if significant and ci_low > 0:
        return (f"B beats A by {format_lift(lift)} ({level} {format_lift(ci_low)} to {format_lift(ci_high)}), "
                f"P(B>A) = {format_probability(prob_b_better)}: post at {_label('B', slot_b)}", "B")
    if significant and ci_high < 0:
        inv, inv_low, inv_high = (1 / (1 + lift) - 1, 1 / (1 + ci_high) - 1, 1 / (1 + ci_low) - 1)
        return (f"A beats B by {format_lift(inv)} ({level} {format_lift(inv_low)} to {format_lift(inv_high)}), "
                f"P(A>B) = {format_probability(1 - prob_b_better)}: post at {_label('A', slot_a)}", "A")
    summary = (f"B vs A {format_lift(lift)} ({level} {format_lift(ci_low)} to {format_lift(ci_high)}), "
               f"P(B>A) = {format_probability(prob_b_better)}")
    if ci_low > -min_lift and ci_high < min_lift and (1 + ci_low) * (1 + min_lift) > 1:
        return (f"no meaningful difference: {summary}; the interval lies within +/-{round(100 * min_lift)}%, "
                "so either slot is fine", None)
    return f"not enough evidence yet: {summary}; {more}", None
