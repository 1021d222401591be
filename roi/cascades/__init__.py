"""Retweet cascades: reconstruction, shape and reach (Goel et al. 2016; Vosoughi et al. 2018).

Platforms credit every repost to the original, so roi rebuilds who passed a post to whom
(:func:`reconstruct_cascades`), reads explicit trees (:func:`read_trees`, Twitter15/16 and a
``cascade_id,parent,child,time`` CSV), and measures each cascade (:func:`cascade_metrics`): size,
depth, breadth, structural virality, speed and reach. Definitions are in METRICS.md.
"""

from roi.cascades.metrics import (
    FOREST_COLUMNS,
    METRIC_COLUMNS,
    cascade_metrics,
    compare_virality_by_size,
    node_depths,
    structural_virality,
)
from roi.cascades.plots import (
    plot_adoption_over_time,
    plot_cascade_tree,
    plot_ccdf,
    plot_size_vs_virality,
    tree_layout,
)
from roi.cascades.reconstruct import (
    ATTRIBUTIONS,
    EDGE_COLUMNS,
    cascade_forest,
    reconstruct_cascades,
    store_cascade_metrics,
    top_cascades,
)
from roi.cascades.trees import PROBLEM_COLUMNS, TREE_COLUMNS, read_trees, tree_metrics

__all__ = [
    "reconstruct_cascades",
    "cascade_forest",
    "cascade_metrics",
    "node_depths",
    "structural_virality",
    "compare_virality_by_size",
    "store_cascade_metrics",
    "top_cascades",
    "read_trees",
    "tree_metrics",
    "tree_layout",
    "plot_cascade_tree",
    "plot_ccdf",
    "plot_size_vs_virality",
    "plot_adoption_over_time",
    "ATTRIBUTIONS",
    "EDGE_COLUMNS",
    "FOREST_COLUMNS",
    "METRIC_COLUMNS",
    "PROBLEM_COLUMNS",
    "TREE_COLUMNS",
]
