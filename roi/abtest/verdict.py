"""The verdict of a comparison in plain words, for a community manager rather than a statistician.

Six cases, decided in this order:

1. too few posts in an arm  -> "too early to call ... about N more pairs needed";
2. B wins (p < alpha and the interval above 0) and the whole interval is at least ``min_lift``
   -> "B beats A by +18% (95% CI +12% to +25%; P(B>A) > 0.99): post at B";
3. B wins but the interval reaches below ``min_lift`` (a wide interval: the gain may be too small
   to matter) -> "B is probably better than A ...: favour B, but the gain may be as small as +2%";
   never a categorical "post at B";
4. A wins: the same two sentences with A and B swapped;
5. the interval lies inside +/- min_lift          -> "no meaningful difference ...: either slot is fine";
6. otherwise                                     -> "not enough evidence yet ...; about N more pairs needed".

When A wins, the lift is turned round (A/B - 1, interval inverted) so the sentence always states
how much better the winner is. Once a winner is declared no "more needed" figure is given.
"""

from __future__ import annotations

import math

__all__ = ["verdict_text", "format_lift", "format_probability", "probability_phrase"]


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


def probability_phrase(label: str, p: float) -> str:
    """``"P(B>A) = 0.97"``, or ``"P(B>A) > 0.99"`` at the ends (never ``"= > 0.99"``).

    >>> probability_phrase("P(B>A)", 0.9996), probability_phrase("P(B>A)", 0.97)
    ('P(B>A) > 0.99', 'P(B>A) = 0.97')
    """
    text = format_probability(p)
    return f"{label} {text}" if text[:1] in "<>" else f"{label} = {text}"


def _win(winner: str, loser: str, lift: float, low: float, high: float, prob: float, *, level: str,
         min_lift: float, slot: str | None) -> str:
    interval = f"{level} {format_lift(low)} to {format_lift(high)}"
    sure = probability_phrase(f"P({winner}>{loser})", prob)
    if low >= min_lift:
        return f"{winner} beats {loser} by {format_lift(lift)} ({interval}; {sure}): post at {_label(winner, slot)}"
    return (f"{winner} is probably better than {loser}: {format_lift(lift)} ({interval}; {sure}); favour "
            f"{_label(winner, slot)}, but the gain may be as small as {format_lift(low)}, under the "
            f"{round(100 * min_lift)}% that matters")


def verdict_text(*, lift: float, ci_low: float, ci_high: float, prob_b_better: float, p_value: float,
                 posts_a: int, posts_b: int, min_posts: int, alpha: float = 0.05, min_lift: float = 0.1,
                 more_needed: int | None = None, unit: str = "pairs", slot_a: str | None = None,
                 slot_b: str | None = None, confidence: float = 0.95) -> tuple[str, str | None]:
    """Return the verdict sentence and the winner (``"A"``, ``"B"`` or None).

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
        What ``more_needed`` counts: pairs for a paired test, posts per arm otherwise.
    slot_a, slot_b : str, optional
        Slot descriptions shown next to the winner.
    confidence : float, default 0.95
        The level of the lift's interval, named in the text ("95% CI").

    Returns
    -------
    (str, str or None)

    Examples
    --------
    >>> verdict_text(lift=0.25, ci_low=0.12, ci_high=0.39, prob_b_better=0.9993, p_value=0.001,
    ...              posts_a=20, posts_b=20, min_posts=10, slot_b="18:00-19:00")
    ('B beats A by +25% (95% CI +12% to +39%; P(B>A) > 0.99): post at B (18:00-19:00)', 'B')
    >>> verdict_text(lift=0.18, ci_low=0.02, ci_high=0.36, prob_b_better=0.97, p_value=0.03,
    ...              posts_a=20, posts_b=20, min_posts=10, slot_b="18:00-19:00")[0]
    'B is probably better than A: +18% (95% CI +2% to +36%; P(B>A) = 0.97); favour B (18:00-19:00), but the gain may be as small as +2%, under the 10% that matters'
    >>> verdict_text(lift=0.05, ci_low=-0.08, ci_high=0.2, prob_b_better=0.76, p_value=0.4,
    ...              posts_a=20, posts_b=20, min_posts=10, more_needed=31)[0]
    'not enough evidence yet: B vs A +5% (95% CI -8% to +20%), P(B>A) = 0.76; about 31 more pairs needed to detect a 10% difference'
    """
    level = f"{round(confidence * 100)}% CI"
    size = f"{round(100 * min_lift)}% difference"
    if more_needed is None:
        more = "more data needed"
    elif more_needed > 0:
        shown = unit if more_needed != 1 else {"pairs": "pair", "posts per arm": "post per arm"}.get(unit, unit)
        more = f"about {more_needed} more {shown} needed to detect a {size}"
    else:
        more = f"the test already has the {unit} needed to detect a {size}, so a real difference is likely smaller"
    if min(posts_a, posts_b) < min_posts:
        return (f"too early to call: A has {posts_a} and B has {posts_b} posts (at least {min_posts} per arm "
                f"before declaring a winner); {more}", None)
    significant = p_value < alpha
    if significant and ci_low > 0:
        return _win("B", "A", lift, ci_low, ci_high, prob_b_better, level=level, min_lift=min_lift,
                    slot=slot_b), "B"
    if significant and ci_high < 0:
        inv, inv_low, inv_high = (1 / (1 + lift) - 1, 1 / (1 + ci_high) - 1, 1 / (1 + ci_low) - 1)
        return _win("A", "B", inv, inv_low, inv_high, 1 - prob_b_better, level=level, min_lift=min_lift,
                    slot=slot_a), "A"
    summary = (f"B vs A {format_lift(lift)} ({level} {format_lift(ci_low)} to {format_lift(ci_high)}), "
               f"{probability_phrase('P(B>A)', prob_b_better)}")
    if ci_low > -min_lift and ci_high < min_lift and (1 + ci_low) * (1 + min_lift) > 1:
        return (f"no meaningful difference: {summary}; the interval lies within +/-{round(100 * min_lift)}%, "
                "so either slot is fine", None)
    return f"not enough evidence yet: {summary}; {more}", None
