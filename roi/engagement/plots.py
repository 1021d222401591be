"""Plots of the engagement tables. Each takes a table and an optional ``ax`` and returns the Axes;
nothing is saved or shown. matplotlib is imported only here, inside the functions."""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi.engagement.breakdowns import RATES, WEEKDAYS
from roi.errors import ParameterError

__all__ = ["plot_slot_heatmap", "plot_rate_by", "plot_rate_by_hashtag_count", "plot_irr_forest", "plot_funnel",
           "plot_audience_hours"]


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(8, 4))
    return ax


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
                      cmap: str = "viridis"):
    """Weekday × hour heatmap of a rate, each cell annotated with its number of posts.

    ``table`` is :func:`roi.engagement.engagement_by_slot`'s output. Cells flagged sparse are
    hatched; cells without posts are blank.
    """
    ax = _axes(ax)
    col = _rate_column(table, rate)
    grid = np.full((7, 24), np.nan)
    posts = np.zeros((7, 24), dtype=int)
    sparse = np.zeros((7, 24), dtype=bool)
    wd = table["weekday"].to_numpy(dtype=int)
    hr = table["hour"].to_numpy(dtype=int)
    grid[wd, hr] = table[col].astype("float64").to_numpy()
    posts[wd, hr] = table["posts"].fillna(0).to_numpy(dtype=int)
    if "sparse" in table.columns:
        sparse[wd, hr] = table["sparse"].to_numpy(dtype=bool)
    image = ax.imshow(np.ma.masked_invalid(grid), aspect="auto", cmap=cmap, interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label=col.replace("_", " "), fraction=0.03, pad=0.01)
    ax.set_xticks(range(24))
    ax.set_xticklabels([str(h) for h in range(24)], fontsize=7)
    ax.set_yticks(range(7))
    ax.set_yticklabels(WEEKDAYS)
    ax.set_xlabel("local hour of posting")
    if annotate:
        for d in range(7):
            for h in range(24):
                if posts[d, h]:
                    ax.text(h, d, str(posts[d, h]), ha="center", va="center", fontsize=6,
                            color="white" if sparse[d, h] else "black", alpha=0.9)
    ax.set_title(f"{col.replace('_', ' ')} by weekday and hour (numbers: posts; white: sparse)")
    return ax


def plot_rate_by(table: pd.DataFrame, by: str, *, ax=None, rate: str | None = None, color: str = "C0"):
    """Rate per group with its interval as error bars; sparse groups drawn hollow."""
    ax = _axes(ax)
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


def plot_rate_by_hashtag_count(table: pd.DataFrame, *, ax=None, rate: str | None = None):
    """Rate by number of hashtags with interval bars (:func:`engagement_by_hashtag_count`)."""
    ax = plot_rate_by(table, "hashtags", ax=ax, rate=rate)
    ax.set_title("rate by number of hashtags")
    return ax


def plot_irr_forest(effects: pd.DataFrame, *, ax=None, planted: dict[str, float] | None = None):
    """Forest plot of incidence-rate ratios with their intervals on a log axis.

    ``effects`` is a model's ``.effects``; ``planted`` (term -> true IRR), if given, is drawn as
    crosses (for generated data whose truth is known).
    """
    ax = _axes(ax)
    if not {"term", "irr", "ci_low", "ci_high"} <= set(effects.columns):
        raise ParameterError("effects: expected columns term, irr, ci_low, ci_high")
    e = effects.iloc[::-1].reset_index(drop=True)
    y = np.arange(len(e))
    irr = e["irr"].to_numpy(dtype=float)
    ax.errorbar(irr, y, xerr=[irr - e["ci_low"].to_numpy(dtype=float), e["ci_high"].to_numpy(dtype=float) - irr],
                fmt="o", color="C0", capsize=2, label="estimate (95% interval)")
    if planted:
        py = [i for i, t in enumerate(e["term"]) if t in planted]
        ax.scatter([planted[e["term"][i]] for i in py], py, marker="x", color="C3", zorder=4, label="planted")
    ax.axvline(1.0, color="grey", lw=1, ls="--")
    ax.set_xscale("log")
    ax.set_yticks(y)
    labels = [f"{t}  (vs {r})" if "reference" in e.columns else t
              for t, r in zip(e["term"], e.get("reference", e["term"]), strict=False)]
    ax.set_yticklabels(labels, fontsize=7)
    ax.set_xlabel("incidence-rate ratio (log scale)")
    ax.legend(fontsize=8, loc="lower right")
    return ax


def plot_funnel(funnel: pd.DataFrame, *, ax=None, row: int = 0):
    """Horizontal funnel: impressions -> link clicks -> web clicks -> conversions (log scale),
    each bar labelled with its count and the step rate."""
    ax = _axes(ax)
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


def plot_audience_hours(active: pd.DataFrame, *, slots: pd.DataFrame | None = None, ax=None):
    """Share of followers' posts by hour (bars), optionally with the account's expected engagement
    rate by hour (:func:`best_hours`) on a second axis."""
    ax = _axes(ax)
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
