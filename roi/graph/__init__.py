"""Follower graph and audience: influence, communities, rising voices, follow-back, churn, spam.

Build the graph once with :func:`follower_graph` (or go straight from edge arrays with
:func:`influence_from_edges` for graphs too large for networkx); every other function returns a
new DataFrame. Plots live in :mod:`roi.graph.plots` (imported lazily: matplotlib is not loaded
by ``import roi.graph``).

Examples
--------
>>> import roi.graph
>>> G = roi.graph.follower_graph({"follows": roi.tables.conform("follows",
...     {"platform": ["x", "x"], "follower_id": ["2", "3"], "followee_id": ["1", "1"]})})
>>> roi.graph.influence(G)[["account_id", "in_degree"]].values.tolist()
[['1', 2], ['2', 0], ['3', 0]]
"""

from roi.graph.build import alive_at, follow_edges, follower_graph, snapshot_for, snapshot_times
from roi.graph.communities import communities, community_membership
from roi.graph.export import export_table, graph_for_export, write_gexf, write_graphml
from roi.graph.followback import (
    follow_back,
    follow_back_candidates,
    follower_change,
    growth_churn,
    new_followers,
    resolve_account,
)
from roi.graph.influence import (
    COMPOSITE_WEIGHTS,
    INFLUENCE_COLUMNS,
    PageRankNotConverged,
    core_number,
    engagement_authority,
    influence,
    influence_from_edges,
    pagerank,
    reciprocity,
)
from roi.graph.rising import earned_engagement, influential_new_followers, rising_voices
from roi.graph.spam import rule_table, spam_rules, spam_suspects

__all__ = [
    # building the graph
    "follower_graph", "follow_edges", "alive_at", "snapshot_times", "snapshot_for",
    # influence
    "influence", "influence_from_edges", "pagerank", "core_number", "reciprocity", "engagement_authority",
    "INFLUENCE_COLUMNS", "COMPOSITE_WEIGHTS", "PageRankNotConverged",
    # who is rising
    "rising_voices", "influential_new_followers", "earned_engagement",
    # communities
    "communities", "community_membership",
    # follow-back, growth and churn
    "follow_back", "follow_back_candidates", "new_followers", "follower_change", "growth_churn",
    "resolve_account",
    # spam
    "spam_rules", "spam_suspects", "rule_table",
    # exports
    "write_gexf", "write_graphml", "graph_for_export", "export_table",
]
