"""Plots of cascades: one tree, CCDFs of size and virality, size vs virality, adoption over time.

Each takes a table and an optional ``ax`` and returns the Axes; nothing is saved or shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from roi.cascades.metrics import node_depths
from roi.errors import ParameterError
from roi.plotting import describe, new_axes

if TYPE_CHECKING:  # matplotlib is imported only where a plot is drawn
    from matplotlib.axes import Axes

__all__ = ["tree_layout", "plot_cascade_tree", "plot_ccdf", "plot_size_vs_virality", "plot_adoption_over_time"]



def tree_layout(forest: pd.DataFrame, cascade_id) -> pd.DataFrame:
    """Lay out one cascade in layers: ``y`` = −depth, ``x`` = position among its layer's nodes.

    Nodes of a layer are ordered by their parent's position, then by time, so subtrees stay
    together and edges rarely cross; each layer is centred. Unreachable nodes are left out.

    Returns
    -------
    DataFrame
        ``node, parent, depth, x, y`` for every reachable node of the cascade.

    Examples
    --------
    >>> f = pd.DataFrame({"cascade_id": "c", "node": ["s", "a", "b"], "parent": [None, "s", "s"]})
    >>> tree_layout(f, "c")[["node", "depth", "x"]].to_numpy().tolist()
    [['s', 0, 0.0], ['a', 1, -0.5], ['b', 1, 0.5]]
    """
    one = forest[forest["cascade_id"] == cascade_id]
    if one.empty:
        raise ParameterError(f"cascade_id={cascade_id!r}: not in the forest")
    nodes = node_depths(one)
    if "time" in one.columns:
        nodes["time"] = one["time"].to_numpy()
    nodes = nodes[nodes["depth"] >= 0].reset_index(drop=True)
    x = pd.Series(0.0, index=nodes["node"].to_numpy())
    rank = pd.Series(0, index=nodes["node"].to_numpy())
    nodes["x"] = 0.0
    for d in range(1, int(nodes["depth"].max()) + 1):  # one step per layer, not per node
        layer = nodes[nodes["depth"] == d].copy()
        layer["_p"] = rank.reindex(layer["parent"].to_numpy()).to_numpy()
        layer = layer.sort_values(["_p", "time"] if "time" in layer else ["_p"], kind="stable")
        pos = np.arange(len(layer), dtype=float) - (len(layer) - 1) / 2
        x[layer["node"].to_numpy()] = pos
        rank[layer["node"].to_numpy()] = np.arange(len(layer))
    nodes["x"] = x.reindex(nodes["node"].to_numpy()).to_numpy()
    nodes["y"] = -nodes["depth"].astype(float)
    return nodes[["node", "parent", "depth", "x", "y"]]


def plot_cascade_tree(forest: pd.DataFrame, cascade_id, *, ax=None, node_size: float = 12.0,
                      title: str | None = None) -> Axes:
    """Draw one cascade as a tree, source at the top, one row per depth.

    Parameters
    ----------
    forest : DataFrame
        :func:`roi.cascades.cascade_forest` output.
    cascade_id
        The cascade to draw.
    ax : matplotlib Axes, optional
        Draw here; default: a new figure.
    node_size : float
        Marker area of an account.
    title : str, optional
        The post's text (shortened to one line); default names the cascade by id.

    Returns
    -------
    matplotlib Axes
    """
    import textwrap

    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D

    ax = new_axes(ax, figsize=(7, 4.5))
    layout = tree_layout(forest, cascade_id)
    where = layout.set_index("node")[["x", "y"]]
    edges = layout.dropna(subset=["parent"])
    start = where.reindex(edges["parent"].to_numpy()).to_numpy()
    end = edges[["x", "y"]].to_numpy()
    ax.add_collection(LineCollection(np.stack([start, end], axis=1), colors="0.6", linewidths=0.6))
    depth = int(layout["depth"].max())
    others = layout[layout["depth"] > 0]
    ax.scatter(others["x"], others["y"], s=node_size * 2, c="#3b6ea8", zorder=3)
    ax.scatter([0], [0], s=node_size * 6, c="crimson", zorder=4)
    ax.set_yticks(-np.arange(depth + 1))
    ax.set_yticklabels([str(d) for d in range(depth + 1)])
    ax.set_ylabel("steps from the post")
    ax.set_xticks([])
    handles = [Line2D([], [], marker="o", ls="", color="crimson", markersize=7, label="the brand's post"),
               Line2D([], [], marker="o", ls="", color="#3b6ea8", markersize=5, label="an account that passed it on"),
               Line2D([], [], color="0.6", lw=1, label="got it from (line up)")]
    ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=False)
    heading = textwrap.shorten(" ".join(str(title).split()), 90, placeholder="…") if title else f"cascade {cascade_id}"
    ax.set_title(f"“{heading}”: {len(layout)} accounts" if title else f"{heading}: {len(layout)} accounts", fontsize=9)
    ax.autoscale_view()
    ax.margins(x=0.05, y=0.15)
    describe(ax, f"Tree of a repost cascade: the post{' “' + heading + '”' if title else ''} at the top, "
                 f"{len(layout) - 1} accounts that passed it on below it, up to {depth} "
                 f"step{'s' if depth != 1 else ''} away; each line joins an account to the one it got the post from.")
    return ax


def plot_ccdf(metrics: pd.DataFrame, *, column: str = "size", by: str | None = None, ax=None, logx: bool | None = None) -> Axes:
    """Complementary CDF P(X ≥ x) of a cascade metric (``size`` or ``structural_virality``), per group."""
    if column not in metrics.columns:
        raise ParameterError(f"column={column!r}: not in the metrics table")
    ax = new_axes(ax, figsize=(7, 4.5))
    groups = [(None, metrics)] if by is None else list(metrics.groupby(by, sort=True))
    for name, part in groups:
        values = np.sort(part[column].dropna().to_numpy(dtype=float))
        if not len(values):
            continue
        ccdf = 1.0 - np.arange(len(values)) / len(values)
        ax.step(values, ccdf, where="post", label=None if name is None else f"{name} (n={len(values)})")
    if logx if logx is not None else column == "size":
        ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(column.replace("_", " "))
    ax.set_ylabel("share of cascades ≥ x")
    if by is not None:
        ax.legend(fontsize="small")
    return ax


def plot_size_vs_virality(metrics: pd.DataFrame, *, by: str | None = None, ax=None) -> Axes:
    """Scatter of cascade size (log) against structural virality, optionally coloured by group."""
    ax = new_axes(ax, figsize=(7, 4.5))
    groups = [(None, metrics)] if by is None else list(metrics.groupby(by, sort=True))
    for name, part in groups:
        ax.scatter(part["size"].to_numpy(dtype=float), part["structural_virality"].to_numpy(dtype=float),
                   s=8, alpha=0.5, label=None if name is None else str(name))
    ax.set_xscale("log")
    ax.set_xlabel("size (adopters, source included)")
    ax.set_ylabel("structural virality")
    if by is not None:
        ax.legend(fontsize="small", markerscale=2)
    return ax


def plot_adoption_over_time(forest: pd.DataFrame, *, cascade_ids=None, ax=None, max_lines: int = 10) -> Axes:
    """Cumulative adopters against minutes since the source, one line per cascade."""
    from roi.cascades.metrics import as_minutes

    ax = new_axes(ax, figsize=(7, 4.5))
    if "time" not in forest.columns:
        raise ParameterError("forest has no 'time' column")
    ids = list(pd.unique(forest["cascade_id"]))[:max_lines] if cascade_ids is None else list(cascade_ids)
    for cid in ids:
        one = forest[forest["cascade_id"] == cid]
        t = as_minutes(one["time"])
        source = one["parent"].isna().to_numpy()
        if not source.any() or np.isnan(t[source][0]):
            continue
        rel = np.sort(t[~source & ~np.isnan(t)] - t[source][0])
        ax.step(np.concatenate([[0.0], rel]), np.arange(1, len(rel) + 2), where="post", label=str(cid))
    ax.set_xlabel("minutes since the source post")
    ax.set_ylabel("adopters (source included)")
    if len(ids) <= 10:
        ax.legend(fontsize="x-small")
    return ax
