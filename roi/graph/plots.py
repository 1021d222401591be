"""Plots of the follower graph's tables: each takes a table and an optional Axes and returns the Axes.

matplotlib is imported inside the functions, so importing roi.graph never loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from roi.errors import ParameterError
from roi.plotting import new_axes

if TYPE_CHECKING:  # matplotlib is imported only where a plot is drawn
    from matplotlib.axes import Axes

__all__ = ["plot_followers_vs_pagerank", "plot_community_sizes", "plot_growth_churn"]



def _need(table: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ParameterError(f"{what}: table lacks column(s) {', '.join(missing)}")


def plot_followers_vs_pagerank(table: pd.DataFrame, *, ax: Any = None, label_top: int = 5,
                               followers: str = "followers") -> Axes:
    """Scatter of follower count (log) against PageRank (log), the top accounts by rank labelled.

    ``table`` is an influence table. ``followers`` names the x column: ``"followers"``
    (platform-reported) or ``"in_degree"`` (inside the graph). Accounts with an unknown or zero
    value cannot sit on a log axis and are left out; the title says how many are shown.
    """
    _need(table, [followers, "pagerank"], "plot_followers_vs_pagerank")
    ax = new_axes(ax, figsize=(7, 4.5))
    x = pd.to_numeric(table[followers], errors="coerce").astype(float)
    y = table["pagerank"].astype(float)
    shown = (x > 0) & (y > 0)
    ax.scatter(x[shown], y[shown], s=14, alpha=0.6, color="#3b6ea8", edgecolors="none")
    if "rank" in table and label_top:
        best = table[shown].sort_values("rank").head(label_top)
        for _, row in best.iterrows():
            name = row.get("handle") if pd.notna(row.get("handle", pd.NA)) else row["account_id"]
            ax.annotate(str(name), (float(row[followers]), float(row["pagerank"])), fontsize=8,
                        xytext=(3, 3), textcoords="offset points")
    if shown.any():
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel("followers (platform-reported)" if followers == "followers" else "followers in the graph")
    ax.set_ylabel("PageRank")
    ax.set_title(f"Followers vs PageRank ({int(shown.sum())} of {len(table)} accounts)")
    return ax


def plot_community_sizes(table: pd.DataFrame, *, ax: Any = None, top: int = 15) -> Axes:
    """Horizontal bars of community sizes (largest first), labelled by their top hashtags/locations."""
    _need(table, ["community", "size"], "plot_community_sizes")
    ax = new_axes(ax, figsize=(7, 4.5))
    t = table.sort_values("size", ascending=False).head(top).iloc[::-1]
    labels = []
    for _, row in t.iterrows():
        name = row.get("label")
        if name is None or pd.isna(name) or not str(name):
            hint = row.get("top_hashtags") or ""
            name = str(hint).split(" (")[0] if pd.notna(hint) and hint else f"community {row['community']}"
        labels.append(f"{name} ({int(row['size'])})")
    ax.barh(range(len(labels)), t["size"].astype(int), color="#5a9e6f")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("accounts")
    ax.set_title(f"Community sizes (top {min(top, len(table))} of {len(table)})")
    return ax


def plot_growth_churn(table: pd.DataFrame, *, ax: Any = None) -> Axes:
    """Weekly bars of new (up) and lost (down) followers, with net as a line."""
    _need(table, ["week", "new", "lost", "net"], "plot_growth_churn")
    ax = new_axes(ax, figsize=(7, 4.5))
    x = range(len(table))
    new = table["new"].astype("Float64").fillna(0).astype(float)
    lost = table["lost"].astype("Float64").fillna(0).astype(float)
    net = table["net"].astype("Float64").fillna(0).astype(float)
    ax.bar(x, new, color="#5a9e6f", label="new")
    ax.bar(x, -lost, color="#c0504d", label="lost")
    ax.plot(list(x), net, color="black", marker="o", label="net")
    ax.axhline(0, color="grey", linewidth=0.8)
    ax.set_xticks(list(x))
    ax.set_xticklabels(table["week"].astype(str), rotation=45, ha="right")
    ax.set_ylabel("followers")
    ax.set_title("Follower growth and churn per week")
    ax.legend(loc="best", fontsize=8)
    return ax
