"""KPI cards for the report's opening.

This week's value, the change against last week, and a sparkline of the recent weeks (inline SVG,
so the page stays self-contained and sharp on phones).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi.report.format import MISSING, count, percent, signed_percent

__all__ = ["Card", "sparkline_svg", "kpi_cards", "cards_html"]


@dataclass(frozen=True)
class Card:
    """One KPI card: label, value, change line, the weekly series and what it measures."""

    label: str
    value: str
    change: str
    series: tuple[float, ...]
    meaning: str
    trend: str = "flat"  # up / down / flat / unknown: colours the change line


def sparkline_svg(values, *, width: int = 120, height: int = 28, label: str = "") -> str:
    """Draw a small line of the values (missing weeks leave gaps); the last point is marked.

    >>> svg = sparkline_svg([1, 2, None, 4, 5], label="demo")
    >>> svg.startswith("<svg") and 'aria-label="demo"' in svg and svg.count("<polyline") == 2
    True
    """
    v = np.array([np.nan if x is None or pd.isna(x) else float(x) for x in values], dtype=float)
    aria = f' role="img" aria-label="{html.escape(label, quote=True)}"' if label else ' aria-hidden="true"'
    head = f'<svg class="roi-spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}"{aria}>'
    if not np.isfinite(v).any():
        return head + "</svg>"
    lo, hi = np.nanmin(v), np.nanmax(v)
    span = hi - lo if hi > lo else 1.0
    n = len(v)
    xs = np.linspace(2, width - 4, n) if n > 1 else np.array([width / 2])
    ys = height - 3 - (v - lo) / span * (height - 6)
    parts, run = [], []
    for x, y in zip(xs, ys, strict=True):
        if np.isfinite(y):
            run.append(f"{x:.1f},{y:.1f}")
        elif run:
            parts.append(run)
            run = []
    if run:
        parts.append(run)
    lines = "".join(f'<polyline points="{" ".join(p)}" fill="none" stroke="#3b6ea8" stroke-width="1.6"/>'
                    for p in parts if len(p) > 1)
    last = np.where(np.isfinite(ys))[0][-1]
    dot = f'<circle cx="{xs[last]:.1f}" cy="{ys[last]:.1f}" r="2.5" fill="#1d4f86"/>'
    return head + lines + dot + "</svg>"


def _change(now: float, before: float, fmt: Callable[[float], str], *, relative: bool = True) -> tuple[str, str]:
    if not (np.isfinite(now) and np.isfinite(before)):
        return "no comparison with last week", "unknown"
    if relative:
        if before == 0:
            return f"last week {fmt(before)}", "unknown"
        text = f"{signed_percent(now / before - 1)} vs last week ({fmt(before)})"
    else:
        diff = now - before
        text = f"{'+' if diff >= 0 else '−'}{fmt(abs(diff))} vs last week"
    return text, "up" if now > before else "down" if now < before else "flat"


def kpi_cards(trends: pd.DataFrame) -> list[Card]:
    """Make the five opening cards from :func:`roi.report.trends.weekly_trends` (last row = this week).

    Examples
    --------
    >>> t = pd.DataFrame({"followers_end": [4993, 5004], "new": [128, 42], "lost": [55, 31],
    ...     "engagement_rate": [0.0375, 0.0505], "engagement_rate_low": [0.03, 0.045], "engagement_rate_high": [0.04, 0.056],
    ...     "web_clicks": [178, 406], "conversions": [7, 23], "addressed": [3, 2], "answered_within_1h": [1, 2],
    ...     "within_1h_share": [1 / 3, 1.0]})
    >>> [(c.label, c.value) for c in kpi_cards(t)][:2]
    [('Followers', '5,004'), ('Engagement rate', '5.0%')]
    >>> kpi_cards(t)[4].value, kpi_cards(t)[4].change
    ('2 of 2', '+67 points vs last week (33.3%)')
    """
    def col(name):
        return pd.to_numeric(trends[name], errors="coerce").astype("float64").to_numpy() if name in trends else np.full(len(trends), np.nan)

    def last2(a):
        return (a[-1] if len(a) else np.nan), (a[-2] if len(a) > 1 else np.nan)

    cards = []
    f = col("followers_end")
    now, before = last2(f)
    new, lost = last2(col("new"))[0], last2(col("lost"))[0]
    change = (f"{'+' if new - lost >= 0 else '−'}{count(abs(new - lost))} this week ({count(new)} new, {count(lost)} lost)"
              if np.isfinite(new) and np.isfinite(lost) else "no change known")
    cards.append(Card("Followers", count(now), change, tuple(f), "accounts following the brand at the week's closing snapshot",
                      "up" if np.isfinite(new - lost) and new > lost else "down" if np.isfinite(new - lost) and new < lost else "flat"))
    er = col("engagement_rate")
    now, before = last2(er)
    text, trend = _change(now, before, percent)
    lo, hi = last2(col("engagement_rate_low"))[0], last2(col("engagement_rate_high"))[0]
    if np.isfinite(lo) and np.isfinite(hi):
        text += f"; 95% interval {percent(lo)}–{percent(hi)}"
    proxy = "impressions_source" in trends.columns and len(trends) and trends["impressions_source"].iloc[-1] == "followers_proxy"
    cards.append(Card("Engagement rate", percent(now), text, tuple(er),
                      "engagements / potential impressions (followers; no view counts)" if proxy
                      else "engagements / views", trend))
    for name, label, meaning in (("web_clicks", "Web clicks", "sessions the web analytics credits to the posts"),
                                 ("conversions", "Conversions", "conversions the web analytics credits to the posts")):
        s = col(name)
        now, before = last2(s)
        text, trend = _change(now, before, count)
        cards.append(Card(label, count(now), text, tuple(s), meaning, trend))
    share = col("within_1h_share")
    n, ok = last2(col("addressed"))[0], last2(col("answered_within_1h"))[0]
    now, before = last2(share)
    if np.isfinite(n) and n > 0:
        value = f"{count(ok)} of {count(n)}"
        if np.isfinite(before):
            diff = round((now - before) * 100)
            text = f"{'+' if diff >= 0 else '−'}{abs(diff)} points vs last week ({percent(before)})"
        else:
            text = f"{percent(now)} of addressed complaints"
    else:
        value, text = MISSING, "no complaint addressed to the brand this week"
    cards.append(Card("Complaints answered within 1 h", value, text, tuple(share),
                      "addressed complaints with a brand reply within an hour / addressed complaints",
                      "up" if np.isfinite(now - before) and now > before else "down" if np.isfinite(now - before) and now < before else "flat"))
    return cards


def cards_html(cards: list[Card], *, weeks: int) -> str:
    """Render the cards as an escaped HTML grid; each sparkline is labelled with what it shows."""
    items = []
    for c in cards:
        label = f"{c.label}, last {weeks} weeks: " + ", ".join(
            "—" if not np.isfinite(v) else (percent(v) if "rate" in c.label.lower() or "within" in c.label else count(v))
            for v in c.series)
        items.append(
            f'<div class="roi-card"><div class="roi-card-label">{html.escape(c.label)}</div>'
            f'<div class="roi-card-value">{html.escape(c.value)}</div>'
            f'<div class="roi-card-change roi-{c.trend}">{html.escape(c.change)}</div>'
            f"{sparkline_svg(c.series, label=label)}"
            f'<div class="roi-card-meaning">{html.escape(c.meaning)}</div></div>')
    return '<div class="roi-cards">' + "".join(items) + "</div>"
