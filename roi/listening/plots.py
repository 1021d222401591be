"""Plots for listening: daily volumes with spikes, the weekly content mix, response times.

Each takes a table and an optional ``ax`` and returns the Axes; nothing is saved or shown.
matplotlib is imported inside the functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from roi.plotting import describe, new_axes

if TYPE_CHECKING:  # matplotlib is imported only where a plot is drawn
    from matplotlib.axes import Axes

__all__ = ["plot_daily_volumes", "plot_content_mix", "plot_response_times"]



def plot_daily_volumes(alerts: pd.DataFrame, *, series: str = "complaints", ax=None, highlight=None,
                       highlight_label: str = "burst") -> Axes:
    """Daily counts of one series with its same-weekday baseline, threshold and flagged days.

    Parameters
    ----------
    alerts : DataFrame
        :func:`roi.listening.spike_alerts`.
    series : str, default "complaints"
        Which series to draw (``mentions`` or ``complaints``).
    ax : matplotlib Axes, optional
        Draw here; default: a new figure.
    highlight : (first, last) local days, optional
        Shade these days (e.g. the burst a report sentence names), so text and chart agree.
    highlight_label : str
        Legend label of the shaded days.

    Returns
    -------
    matplotlib Axes
    """
    ax = new_axes(ax, figsize=(9, 3.5))
    if highlight is not None:
        first, last = (pd.Timestamp(d).tz_localize(None) if pd.Timestamp(d).tzinfo else pd.Timestamp(d) for d in highlight)
        ax.axvspan(first - pd.Timedelta(hours=12), last + pd.Timedelta(hours=12), color="#f3d9a4", alpha=0.7,
                   label=highlight_label, zorder=0)
    t = alerts[alerts["series"] == series].sort_values("date")
    x = pd.DatetimeIndex(t["date"])
    ax.bar(x, t["count"].astype(float), color="#9db4cf", label=f"{series} per day")
    ax.plot(x, t["baseline"].astype(float), color="#333333", lw=1.2, label="same-weekday median")
    ax.step(x, t["threshold"].astype(float), where="mid", color="#c0392b", lw=1, ls="--", label="alert threshold")
    flagged = t["flagged"].to_numpy(dtype=bool)
    if flagged.any():
        ax.scatter(x[flagged], t["count"].astype(float).to_numpy()[flagged], color="#c0392b", zorder=3,
                   label="spike")
    ax.set_ylabel(f"{series} per local day")
    ax.set_title(f"Daily {series} against the same weekday's baseline")
    ax.legend(loc="upper left", fontsize="small", frameon=False)
    ax.figure.autofmt_xdate()
    text = (f"Bar chart of {series} per local day from {_day(x.min())} to {_day(x.max())} ({len(t)} days), "
            "with the usual level for each weekday and the alert threshold." if len(t) else f"No {series} to show.")
    spikes = [f"{_day(d)} ({int(c)})" for d, c in zip(x[flagged], t["count"].to_numpy()[flagged], strict=True)]
    text += f" Spikes: {', '.join(spikes)}." if spikes else " No day crossed the threshold."
    if highlight is not None:
        text += f" Shaded: {highlight_label}, {_day(first)} to {_day(last)}."
    describe(ax, text)
    return ax


def _day(t) -> str:
    t = pd.Timestamp(t)
    return f"{t:%a} {t.day} {t:%b}"


def plot_content_mix(weekly: pd.DataFrame, *, ax=None) -> Axes:
    """Stacked weekly shares of original / engagement / promotion, with the one-third lines.

    Parameters
    ----------
    weekly : DataFrame
        :func:`roi.listening.weekly_content_mix`.
    ax : matplotlib Axes, optional
        Draw here; default: a new figure.

    Returns
    -------
    matplotlib Axes
    """
    ax = new_axes(ax, figsize=(8, 3.5))
    wide = weekly.pivot(index="week", columns="content_type", values="share").astype(float).fillna(0.0)
    totals = weekly.drop_duplicates("week").set_index("week")["week_posts"].astype(int)
    colours = {"original": "#4c72b0", "engagement": "#55a868", "promotion": "#dd8452"}
    bottom = np.zeros(len(wide))
    x = np.arange(len(wide))
    for ctype in ("original", "engagement", "promotion"):
        if ctype in wide:
            ax.bar(x, wide[ctype].to_numpy(), bottom=bottom, color=colours[ctype], label=ctype)
            bottom += wide[ctype].to_numpy()
    for y in (1 / 3, 2 / 3):
        ax.axhline(y, color="black", lw=0.8, ls=":", zorder=3)
    ax.set_xticks(x, [f"{w}\nn={totals.get(w, 0)}" for w in wide.index], fontsize="small")
    ax.set_ylim(0, 1)
    ax.set_ylabel("share of the week's brand posts")
    ax.set_title("Content mix against the rule of thirds (dotted lines)")
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1), frameon=False, fontsize="small")
    last = wide.iloc[-1] if len(wide) else None
    describe(ax, f"Stacked bars of the share of original, engagement and promotion posts in each of {len(wide)} weeks, "
                 "with dotted lines at one third and two thirds."
             + (f" Latest week {wide.index[-1]}: " + ", ".join(f"{k} {v:.0%}" for k, v in last.items()) + "."
                if last is not None else ""))
    return ax


def plot_response_times(responses: pd.DataFrame, *, ax=None) -> Axes:
    """Cumulative share of addressed complaints answered by time since the complaint (log hours).

    Parameters
    ----------
    responses : DataFrame
        :func:`roi.listening.response_times`.
    ax : matplotlib Axes, optional
        Draw here; default: a new figure.

    Returns
    -------
    matplotlib Axes
    """
    ax = new_axes(ax, figsize=(6, 3.5))
    n = len(responses)
    hours = np.sort(responses["response_minutes"].astype(float).dropna().to_numpy() / 60.0)
    if n and len(hours):
        ax.step(np.concatenate([[hours[0]], hours]), np.arange(len(hours) + 1) / n, where="post",
                color="#4c72b0")
        ax.set_xscale("log")
    for h, label in ((1, "1 h"), (24, "24 h")):
        ax.axvline(h, color="grey", lw=0.8, ls=":")
        ax.text(h, 1.01, label, ha="center", va="bottom", fontsize="small", transform=ax.get_xaxis_transform())
    ax.set_ylim(0, 1)
    ax.set_xlabel("hours from complaint to the brand's first reply")
    ax.set_ylabel(f"share answered (of {n} addressed)")
    ax.set_title("Response times")
    return ax
