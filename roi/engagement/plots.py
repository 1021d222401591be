"""Plots of the engagement tables.

Each takes a table and an optional ``ax`` and returns the Axes; nothing is saved or shown.
matplotlib is imported only here, inside the functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from roi.engagement.breakdowns import RATES, WEEKDAYS
from roi.errors import ParameterError
from roi.plotting import describe, new_axes

if TYPE_CHECKING:  # matplotlib is imported only where a plot is drawn
    from matplotlib.axes import Axes

__all__ = ["plot_slot_heatmap", "plot_rate_by", "plot_rate_by_hashtag_count", "plot_irr_forest", "plot_funnel",
           "plot_audience_hours"]



def _rate_column(table: pd.DataFrame, rate: str | None) -> str:
    if rate is not None:
        if rate not in table.columns:
            raise ParameterError(f"rate={rate!r}: not a column of the table")
        return rate
    found = [c for c in RATES if c in table.columns] or [c for c in ("rate",) if c in table.columns]
    if not found:
        raise ParameterError("table: expected a rate column (engagement_rate, click_rate, conversion_rate or rate)")
    return found[0]


def plot_slot_heatmap(table: pd.DataFrame, *, ax=None, rate: str | None = None, annotate: bool = True,
                      cmap: str = "viridis", min_posts: int | None = None) -> Axes:
    """Weekday × hour heatmap of a rate, each cell annotated with its number of posts.

    ``table`` is :func:`roi.engagement.engagement_by_slot`'s output. Cells with too few posts
    (flagged ``sparse``, or under ``min_posts`` when given) are drawn grey and left out of the
    colour scale, so the brightest colour always rests on enough posts; cells without posts are
    blank. The chart's description (alt text) names the best well-supported cell.

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.colors import ListedColormap

    ax = new_axes(ax, figsize=(8, 4))
    col = _rate_column(table, rate)
    grid = np.full((7, 24), np.nan)
    posts = np.zeros((7, 24), dtype=int)
    sparse = np.zeros((7, 24), dtype=bool)
    wd = table["weekday"].to_numpy(dtype=int)
    hr = table["hour"].to_numpy(dtype=int)
    grid[wd, hr] = table[col].astype("float64").to_numpy()
    posts[wd, hr] = table["posts"].fillna(0).to_numpy(dtype=int)
    if min_posts is not None:
        sparse = (posts > 0) & (posts < min_posts)
    elif "sparse" in table.columns:
        sparse[wd, hr] = table["sparse"].fillna(False).to_numpy(dtype=bool)
    sparse &= posts > 0  # a cell without posts stays blank, not grey
    threshold = min_posts if min_posts is not None else (
        int(posts[~sparse & (posts > 0)].min()) if (~sparse & (posts > 0)).any() else None)
    solid = np.where(sparse, np.nan, grid)
    ax.imshow(np.where(sparse, 1.0, np.nan), aspect="auto", cmap=ListedColormap(["#d9d9d9"]), vmin=0, vmax=1,
              interpolation="nearest")
    if np.isfinite(solid).any():  # no colour scale without a cell to colour (it would run -10%..10%)
        image = ax.imshow(np.ma.masked_invalid(solid), aspect="auto", cmap=cmap, interpolation="nearest")
        bar = ax.figure.colorbar(image, ax=ax, fraction=0.03, pad=0.01)
        bar.set_label(col.replace("_", " "))
        bar.ax.yaxis.set_major_formatter(_percent_formatter())
    ax.set_xticks(range(0, 24, 3))
    ax.set_xticklabels([f"{h:02d}:00" for h in range(0, 24, 3)], fontsize=8)
    ax.set_yticks(range(7))
    ax.set_yticklabels(WEEKDAYS)
    ax.set_xlabel("local hour of posting")
    if annotate:
        for d in range(7):
            for h in range(24):
                if posts[d, h]:
                    ax.text(h, d, str(posts[d, h]), ha="center", va="center", fontsize=6,
                            color="#444444" if sparse[d, h] else "white", alpha=0.9)
    few = f"grey: fewer than {threshold} posts" if threshold else "grey: too few posts"
    ax.set_title(f"{col.replace('_', ' ').capitalize()} by weekday and hour (numbers: posts; {few})")
    text = f"Heatmap of {col.replace('_', ' ')} by weekday (rows) and local hour (columns), {int(posts.sum())} posts."
    if np.isfinite(solid).any():
        d, h = np.unravel_index(np.nanargmax(solid), solid.shape)
        text += (f" The best cell with enough posts is {WEEKDAYS[d]} {h:02d}:00 at {solid[d, h]:.1%} "
                 f"({posts[d, h]} posts).")
    text += f" {int(sparse.sum())} cells are grey ({few.split(': ', 1)[1]}) and not coloured."
    describe(ax, text)
    return ax


def _percent_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _: f"{v:.0%}" if v >= 0.1 else f"{v:.1%}")


def plot_rate_by(table: pd.DataFrame, by: str, *, ax=None, rate: str | None = None, color: str = "C0") -> Axes:
    """Rate per group with its interval as error bars; sparse groups drawn hollow."""
    ax = new_axes(ax, figsize=(8, 4))
    col = _rate_column(table, rate)
    if by not in table.columns:
        raise ParameterError(f"by={by!r}: not a column of the table")
    y = table[col].astype("float64").to_numpy()
    lo = table["ci_low"].astype("float64").to_numpy()
    hi = table["ci_high"].astype("float64").to_numpy()
    x = np.arange(len(table))
    sparse = table["sparse"].to_numpy(dtype=bool) if "sparse" in table.columns else np.zeros(len(x), bool)
    err = np.vstack([np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)])
    ax.errorbar(x, y, yerr=np.nan_to_num(err), fmt="none", ecolor=color, capsize=3)
    ax.scatter(x[~sparse], y[~sparse], color=color, zorder=3, label="rate (95% interval)")
    if sparse.any():
        ax.scatter(x[sparse], y[sparse], facecolors="none", edgecolors=color, zorder=3, label="sparse")
    ax.set_xticks(x)
    ax.set_xticklabels([f"{v}\n(n={p})" for v, p in zip(table[by].astype(str), table["posts"].fillna(0), strict=False)], fontsize=8)
    ax.set_xlabel(by.replace("_", " "))
    ax.set_ylabel(col.replace("_", " "))
    ax.legend(fontsize=8)
    return ax


def plot_rate_by_hashtag_count(table: pd.DataFrame, *, ax=None, rate: str | None = None) -> Axes:
    """Rate by number of hashtags with interval bars (:func:`engagement_by_hashtag_count`)."""
    ax = plot_rate_by(table, "hashtags", ax=ax, rate=rate)
    ax.set_title("rate by number of hashtags")
    return ax


def _term_label(term: str, reference: str | None) -> str:
    """'hashtags=2' vs 'hashtags=0' -> '2 hashtags (vs none)'; 'hour=18' -> '18:00 (vs 09:00)'."""
    import re

    def one(t: str) -> str:
        t = str(t)
        m = re.fullmatch(r"hashtags=(\d+)(\+?)", t)
        if m:
            n = int(m.group(1))
            return "no hashtags" if n == 0 and not m.group(2) else f"{n}{'+' if m.group(2) else ''} hashtag{'s' if n != 1 or m.group(2) else ''}"
        m = re.fullmatch(r"hour=(\d+)(?:-(\d+))?", t)
        if m:
            return f"{int(m.group(1)):02d}:00" + (f"–{int(m.group(2)):02d}:59" if m.group(2) else "")
        m = re.fullmatch(r"(\w+)=(.+)", t)
        if m:
            return f"{m.group(2)} {m.group(1)}" if m.group(1) == "content" else m.group(2)
        return t

    label = one(term)
    if reference:
        ref = one(reference).replace("no hashtags", "none")
        label += f" (vs {ref})"
    return label


def plot_irr_forest(effects: pd.DataFrame, *, ax=None, planted: dict[str, float] | None = None) -> Axes:
    """Forest plot of incidence-rate ratios with their intervals on a log axis.

    ``effects`` is a model's ``.effects``; ``planted`` (term -> true IRR), if given, is drawn as
    crosses (for generated data whose truth is known). The log axis reads 0.5×, 1×, 2×; terms read
    as words ("2 hashtags (vs none)"). The description (alt text) names the strongest effects.

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    ax = new_axes(ax, figsize=(8, 4))
    if not {"term", "irr", "ci_low", "ci_high"} <= set(effects.columns):
        raise ParameterError("effects: expected columns term, irr, ci_low, ci_high")
    e = effects.iloc[::-1].reset_index(drop=True)
    y = np.arange(len(e))
    irr = e["irr"].to_numpy(dtype=float)
    lo, hi = e["ci_low"].to_numpy(dtype=float), e["ci_high"].to_numpy(dtype=float)
    clear = (lo > 1) | (hi < 1)
    ax.errorbar(irr[clear], y[clear], xerr=[irr[clear] - lo[clear], hi[clear] - irr[clear]], fmt="o", color="C0",
                capsize=2, label="estimate, 95% interval (clear effect)")
    if (~clear).any():
        ax.errorbar(irr[~clear], y[~clear], xerr=[irr[~clear] - lo[~clear], hi[~clear] - irr[~clear]], fmt="o",
                    color="0.6", capsize=2, label="interval includes 1× (no clear effect)")
    if planted:
        py = [i for i, t in enumerate(e["term"]) if t in planted]
        ax.scatter([planted[e["term"][i]] for i in py], py, marker="x", color="C3", zorder=4, label="planted")
    ax.axvline(1.0, color="grey", lw=1, ls="--")
    ax.set_xscale("log")
    finite = np.concatenate([lo[np.isfinite(lo)], hi[np.isfinite(hi)], [1.0]])
    left, right = max(finite.min() * 0.9, 1e-3), finite.max() * 1.1
    ticks = [t for t in (0.1, 0.2, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 10.0) if left <= t <= right]
    ax.set_xlim(left, right)
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
    ax.set_yticks(y)
    refs = e["reference"] if "reference" in e.columns else [None] * len(e)
    ax.set_yticklabels([_term_label(t, r) for t, r in zip(e["term"], refs, strict=False)], fontsize=8)
    ax.set_xlabel("engagements per view, relative to the comparison (log scale)")
    ax.legend(fontsize=7, loc="best")
    order = np.argsort(-np.abs(np.log(np.where(irr > 0, irr, 1.0))))
    strongest = [f"{_term_label(e['term'][i], refs[i])} {irr[i]:.2f}× ({lo[i]:.2f}–{hi[i]:.2f})"
                 for i in order if clear[i]][:3]
    describe(ax, f"Forest plot of {len(e)} effects on engagements per view, on a log scale around 1× (no effect)."
             + (f" Strongest clear effects: {'; '.join(strongest)}." if strongest else " No effect is clear."))
    return ax


def plot_funnel(funnel: pd.DataFrame, *, ax=None, row: int = 0) -> Axes:
    """Plot the funnel horizontally: impressions -> link clicks -> web clicks -> conversions (log scale).

    Each bar is labelled with its count and the step rate.
    """
    ax = new_axes(ax, figsize=(8, 4))
    stages = ["impressions", "link_clicks", "web_clicks", "conversions"]
    missing = [s for s in stages if s not in funnel.columns]
    if missing:
        raise ParameterError(f"funnel: missing {', '.join(missing)}; pass roi.engagement.conversion_funnel output")
    r = funnel.iloc[row]
    values = [float(r[s]) for s in stages]
    ax.barh(range(4)[::-1], values, color=["C0", "C1", "C2", "C3"])
    steps = ["", f"click rate {r.get('click_rate', np.nan):.2%}", f"landing {r.get('landing_rate', np.nan):.0%}",
             f"conversion rate {r.get('conversion_rate', np.nan):.2%}"]
    for i, (v, s) in enumerate(zip(values, steps, strict=False)):
        ax.text(max(v, 1), 3 - i, f" {v:,.0f}  {s}", va="center", fontsize=8)
    ax.set_xscale("log")
    ax.set_yticks(range(4)[::-1])
    ax.set_yticklabels([s.replace("_", " ") for s in stages])
    ax.set_xlabel("count (log scale)")
    ax.set_title("conversion funnel")
    return ax


def plot_audience_hours(active: pd.DataFrame, *, slots: pd.DataFrame | None = None, ax=None) -> Axes:
    """Plot the share of followers' posts by hour (bars), optionally with the account's expected rate.

    The account's expected engagement rate by hour (:func:`best_hours`) goes on a second axis.
    """
    ax = new_axes(ax, figsize=(8, 4))
    ax.bar(active["hour"], active["share"].astype(float), color="C7", label="followers' posts (share)")
    ax.set_xlabel("local hour")
    ax.set_ylabel("share of followers' posts")
    ax.set_xticks(range(0, 24, 2))
    if slots is not None:
        s = slots.sort_values("hour")
        twin = ax.twinx()
        rate = s["rate"].astype(float).to_numpy()
        twin.errorbar(s["hour"], rate, yerr=np.nan_to_num([rate - s["ci_low"].astype(float).to_numpy(),
                                                           s["ci_high"].astype(float).to_numpy() - rate]),
                      fmt="o-", color="C0", capsize=2, label="expected engagement rate")
        twin.set_ylabel("expected engagement rate")
        twin.legend(loc="upper right", fontsize=8)
    ax.legend(loc="upper left", fontsize=8)
    return ax
