"""roi.graph.communities: seeded Louvain with labels."""

from __future__ import annotations

import networkx as nx
import pytest

from roi.errors import ParameterError
from roi.graph import communities, community_membership, follower_graph
from roi.tables import conform


@pytest.fixture
def two_cliques():
    G = nx.DiGraph()
    G.add_edges_from((u, v) for u in "abcde" for v in "abcde" if u != v)
    G.add_edges_from((u, v) for u in "vwxyz" for v in "vwxyz" if u != v)
    G.add_edge("e", "v")
    for v in "abcde":
        G.nodes[v].update(location="Lyon, France" if v != "e" else " lyon,  france ", handle=v.upper())
    G.nodes["v"]["location"] = "Osaka"
    return G


def test_two_cliques_are_two_labelled_communities(two_cliques):
    posts = conform("posts", {"platform": ["x"] * 4, "post_id": ["1", "2", "3", "4"],
                              "author_id": ["a", "b", "v", "w"], "kind": ["original", "original", "original", "repost"],
                              "hashtags": [["baking"], ["baking", "bread"], ["ramen"], ["ignored"]]})
    t = communities(two_cliques, posts=posts, seed=3)
    assert t["size"].tolist() == [5, 5] and t["share"].tolist() == [0.5, 0.5]
    first = t.iloc[0]
    assert first["top_locations"] == "lyon, france (5)" and first["members_located"] == 5
    assert first["top_hashtags"] == "baking (2), bread (1)" and first["members_posting"] == 2
    assert first["top_members"] == "A, B, C"  # in-degree inside is 4 for all five: ties go by id
    assert t.iloc[1]["top_hashtags"] == "ramen (1)"  # reposts are not the member's own hashtags


def test_seed_makes_it_reproducible():
    G = nx.gnp_random_graph(300, 0.03, seed=4, directed=True)
    a = community_membership(G, seed=11)
    b = community_membership(G, seed=11)
    assert a.equals(b)
    assert a["community"].value_counts().is_monotonic_decreasing  # numbered from the largest


def test_empty_graph_and_bad_options():
    t = communities(nx.DiGraph())
    assert len(t) == 0 and list(t.columns)[:2] == ["community", "size"]
    with pytest.raises(ParameterError, match="resolution"):
        community_membership(nx.DiGraph([(1, 2)]), resolution=0)


def test_sample_communities_cover_the_audience(sample_ds):
    G = follower_graph(sample_ds)
    t = communities(G, posts=sample_ds.posts, seed=0)
    assert t["size"].sum() == G.number_of_nodes()
    assert t["share"].sum() == pytest.approx(1.0)
    assert (t["top_members"].str.len() > 0).all()


def test_labels_name_distinctive_hashtags_and_members_never_the_brand_or_a_bio_fragment():
    import pandas as pd

    from roi.tables import conform

    # two groups: {a, b, c} talk #baking, {d, e, f} talk #running; everyone uses #acme and follows acme
    G = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "a"), ("d", "e"), ("e", "f"), ("f", "d"), ("c", "d")])
    G.add_edges_from((x, "acme") for x in "abcdef")
    nx.set_node_attributes(G, {v: v for v in G}, "handle")
    nx.set_node_attributes(G, {v: "she/her" for v in G}, "location")
    posts = conform("posts", {
        "platform": ["x"] * 12, "post_id": [str(i) for i in range(12)], "author_id": list("abcdef") * 2,
        "kind": ["original"] * 12, "created_at": ["2026-10-05T10:00Z"] * 12,
        "hashtags": [["acme", "baking"]] * 3 + [["acme", "running"]] * 3 + [["acme", "baking"]] * 3
        + [["acme", "running"]] * 3})
    membership = pd.DataFrame({"account_id": list("abcdef") + ["acme"], "community": [0, 0, 0, 1, 1, 1, 0]})
    t = communities(G, posts=posts, membership=membership, exclude=["acme"]).set_index("community")
    assert t.loc[0, "label"].startswith("#baking") and t.loc[1, "label"].startswith("#running")
    assert not t["label"].str.contains("acme|she/her").any()
