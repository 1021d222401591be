"""Plots of the report's weekly trends (:func:`roi.report.trends.weekly_trends`).

Each takes the trend table and an optional ``ax`` and returns the Axes; nothing is saved or shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from roi.errors import ParameterError
from roi.plotting import describe, new_axes

if TYPE_CHECKING:  # matplotlib is imported only where a plot is drawn
    from matplotlib.axes import Axes

__all__ = ["plot_weekly_trend", "TREND_METRICS"]

TREND_METRICS = ("followers", "engagement_rate", "clicks", "complaints")


def _f(trends: pd.DataFrame, column: str) -> np.ndarray:
    if column not in trends.columns:
        return np.full(len(trends), np.nan)
    return pd.to_numeric(trends[column], errors="coerce").astype("float64").to_numpy()


def plot_weekly_trend(trends: pd.DataFrame, metric: str, *, ax=None) -> Axes:
    """One small chart of a weekly trend.

    Parameters
    ----------
    trends : DataFrame
        :func:`roi.report.trends.weekly_trends` output (one row per week, oldest first).
    metric : {"followers", "engagement_rate", "clicks", "complaints"}
        ``followers``: new (up) and lost (down) bars per week; ``engagement_rate``: the rate with its
        95% interval band; ``clicks``: web clicks and conversions; ``complaints``: complaints per week
        and the share of addressed ones answered within an hour.
    ax : matplotlib Axes, optional
        Where to draw; a new figure's Axes when None.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> t = pd.DataFrame({"week": ["2026-W46", "2026-W47"], "new": [128, 42], "lost": [55, 31]})
    >>> ax = plot_weekly_trend(t, "followers", ax=Figure().subplots())
    >>> ax.get_title()
    'New and lost followers'
    """
    from matplotlib.ticker import FuncFormatter, PercentFormatter

    if metric not in TREND_METRICS:
        raise ParameterError(f"metric={metric!r}: expected one of {', '.join(TREND_METRICS)}")
    ax = new_axes(ax, figsize=(5, 2.5))
    weeks = trends["week"].astype(str).str.replace(r"^\d{4}-", "", regex=True).tolist()
    x = np.arange(len(weeks))
    if metric == "followers":
        new, lost = _f(trends, "new"), _f(trends, "lost")
        ax.bar(x, np.nan_to_num(new), color="#4c9a6a", label="new")
        ax.bar(x, -np.nan_to_num(lost), color="#c0504d", label="lost")
        ax.axhline(0, color="0.3", lw=0.8)
        ax.set_title("New and lost followers")
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):,.0f}"))
        text = f"new {np.nansum(new):,.0f} and lost {np.nansum(lost):,.0f} in all"
    elif metric == "engagement_rate":
        rate, lo, hi = _f(trends, "engagement_rate"), _f(trends, "engagement_rate_low"), _f(trends, "engagement_rate_high")
        ax.fill_between(x, lo, hi, color="#3b6ea8", alpha=0.2, label="95% interval")
        ax.plot(x, rate, marker="o", color="#3b6ea8", label="engagement rate")
        ax.set_title("Engagement rate (engagements / views)")
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))  # enough decimals to tell the ticks apart
        text = (f"from {rate[np.isfinite(rate)][0]:.1%} to {rate[np.isfinite(rate)][-1]:.1%}"
                if np.isfinite(rate).any() else "no rate known")
    elif metric == "clicks":
        clicks, conv = _f(trends, "web_clicks"), _f(trends, "conversions")
        ax.bar(x, np.nan_to_num(clicks), color="#9db4cf", label="web clicks")
        twin = ax.twinx()
        twin.plot(x, conv, marker="o", color="#dd8452", label="conversions")
        twin.set_ylim(bottom=0)
        twin.tick_params(labelsize=7)
        ax.set_title("Web clicks (bars) and conversions (line)")
        text = f"web clicks {np.nansum(clicks):,.0f} and conversions {np.nansum(conv):,.0f} in all"
    else:
        comp, share = _f(trends, "complaints"), _f(trends, "within_1h_share")
        ax.bar(x, np.nan_to_num(comp), color="#c9a0a0", label="complaints")
        twin = ax.twinx()
        twin.plot(x, share, marker="o", color="#6b3e75", label="answered within 1 h")
        twin.set_ylim(0, 1.05)
        twin.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        twin.tick_params(labelsize=7)
        ax.set_title("Complaints (bars), share answered within 1 h (line)")
        text = f"{np.nansum(comp):,.0f} complaints in all"
    ax.set_xticks(x[:: max(1, len(x) // 5)], [weeks[i] for i in x[:: max(1, len(x) // 5)]], fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.title.set_fontsize(9)
    describe(ax, f"{ax.get_title()} per week over {len(weeks)} weeks: {text}.")
    return ax
