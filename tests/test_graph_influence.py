"""roi.graph.influence: PageRank, k-core, two-hop reach, earned engagement and the influence table."""

from __future__ import annotations

import json

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import roi
import roi.io
from roi.errors import ParameterError
from roi.graph import (
    INFLUENCE_COLUMNS,
    core_number,
    engagement_authority,
    follower_graph,
    influence,
    influence_from_edges,
    pagerank,
    reciprocity,
)
from roi.graph.influence import PageRankNotConverged
from roi.tables import conform


def _networkx_pagerank(G, *, alpha=0.85, tol=1e-6):
    # The plain reference, fully converged: networkx stops at L1 change < N * tol.
    return nx.pagerank(G, alpha=alpha, tol=1e-15, max_iter=10_000)


def _roi_pagerank(G, *, alpha=0.85, tol=1e-6):
    return pagerank(G, alpha=alpha, tol=tol)


def _roi_pagerank_from_edges(G, *, alpha=0.85, tol=1e-6):
    src = [str(u) for u, _ in G.edges()]
    dst = [str(v) for _, v in G.edges()]
    t = influence_from_edges(src, dst, nodes=[str(v) for v in G], alpha=alpha, tol=tol)
    by_id = dict(zip(t["account_id"], t["pagerank"], strict=True))
    return {v: by_id[str(v)] for v in G}


PAGERANKS = pytest.mark.parametrize("pr", [_roi_pagerank, _roi_pagerank_from_edges, _networkx_pagerank],
                                    ids=["roi", "roi-edges", "networkx"])


def _random_digraphs():
    for seed, (n, p) in enumerate([(30, 0.1), (200, 0.02), (500, 0.004)]):
        yield nx.gnp_random_graph(n, p, seed=seed, directed=True)  # sparse: has dangling nodes


@PAGERANKS
def test_pagerank_matches_published_values(pr):
    # Langville & Meyer's example, networkx's own test_pagerank (alpha 0.9, node 2 dangling).
    G = nx.DiGraph([(1, 2), (1, 3), (3, 1), (3, 2), (3, 5), (4, 5), (4, 6), (5, 4), (5, 6), (6, 4)])
    published = [0.03721197, 0.05395735, 0.04150565, 0.37508082, 0.20599833, 0.28624589]
    got = pr(G, alpha=0.9, tol=1e-10)
    np.testing.assert_allclose([got[k] for k in sorted(got)], published, atol=5e-9)


@PAGERANKS
@pytest.mark.parametrize("G", list(_random_digraphs()), ids=["n30", "n200", "n500"])
def test_pagerank_agrees_with_a_fully_converged_reference(pr, G):
    assert any(G.out_degree(v) == 0 for v in G)  # dangling nodes are exercised
    ref = _networkx_pagerank(G)
    got = pr(G)
    l1 = sum(abs(got[v] - ref[v]) for v in G)
    assert l1 < 1e-6
    assert max(abs(got[v] - ref[v]) for v in G) < 1e-6
    assert sum(got.values()) == pytest.approx(1.0, abs=1e-9)


def test_pagerank_tolerance_is_a_bound_on_the_error_not_on_the_last_step():
    G = nx.gnp_random_graph(300, 0.02, seed=3, directed=True)
    ref = _networkx_pagerank(G)
    for tol in (1e-3, 1e-5, 1e-8):
        got = pagerank(G, tol=tol)
        assert sum(abs(got[v] - ref[v]) for v in G) < tol


def test_pagerank_reports_non_convergence_and_bad_options():
    G = nx.gnp_random_graph(50, 0.1, seed=1, directed=True)
    with pytest.raises(PageRankNotConverged, match="max_iter"):
        pagerank(G, max_iter=2)
    with pytest.raises(ParameterError, match="alpha"):
        pagerank(G, alpha=1.0)
    assert pagerank(nx.DiGraph()) == {}


def _networkx_core(G):
    U = nx.Graph(G.to_undirected())
    U.remove_edges_from(nx.selfloop_edges(U))
    return nx.core_number(U)


@pytest.mark.parametrize("core", [core_number, _networkx_core], ids=["roi", "networkx"])
def test_core_number_hand_checked(core):
    # A 4-clique (core 3) with a triangle hanging off it (core 2), a pendant (1), an isolate (0);
    # mutual follows and a self-follow must not raise degrees.
    G = nx.DiGraph()
    G.add_edges_from((u, v) for u in "abcd" for v in "abcd" if u != v)
    G.add_edges_from([("d", "e"), ("e", "f"), ("f", "d"), ("f", "g"), ("g", "g")])
    G.add_node("h")
    assert core(G) == {"a": 3, "b": 3, "c": 3, "d": 3, "e": 2, "f": 2, "g": 1, "h": 0}


@pytest.mark.parametrize("seed", range(5))
def test_core_number_equals_networkx_on_random_graphs(seed):
    G = nx.gnp_random_graph(400, 0.015 * (seed + 1), seed=seed, directed=True)
    G.add_edges_from([(0, 0), (1, 1)])
    assert core_number(G) == _networkx_core(G)


def _two_hop_brute_force(G):
    out = {}
    for v in G:
        first = set(G.predecessors(v))
        second = {w for u in first for w in G.predecessors(u)}
        out[str(v)] = len((first | second) - {v})
    return out


def test_sparse_path_equals_the_graph_path_and_brute_force():
    G = nx.gnp_random_graph(300, 0.02, seed=11, directed=True)
    G = nx.relabel_nodes(G, {v: f"u{v}" for v in G})
    table = influence(G).set_index("account_id")
    edges = influence_from_edges([u for u, _ in G.edges()], [v for _, v in G.edges()], nodes=list(G))
    edges = edges.set_index("account_id").loc[table.index]
    for col in ("in_degree", "core_number", "two_hop_reach"):
        assert table[col].tolist() == edges[col].tolist()
    np.testing.assert_allclose(table["pagerank"], edges["pagerank"], atol=1e-12)
    assert table["two_hop_reach"].to_dict() == _two_hop_brute_force(G)
    assert table["in_degree"].to_dict() == {str(v): d for v, d in G.in_degree()}


def test_two_hop_reach_in_small_chunks_is_the_same():
    from roi.graph.influence import _adjacency, _two_hop_csr

    G = nx.gnp_random_graph(200, 0.05, seed=2, directed=True)
    src, dst = np.array([u for u, _ in G.edges()]), np.array([v for _, v in G.edges()])
    A = _adjacency(src, dst, 200)
    np.testing.assert_array_equal(_two_hop_csr(A, chunk_nnz=50), _two_hop_csr(A))


def test_self_follows_duplicates_and_integer_ids_are_handled():
    t = influence_from_edges([1, 1, 2, 3, 3], [2, 2, 2, 1, 2])
    assert t["account_id"].tolist() == ["1", "2", "3"]
    assert t["in_degree"].tolist() == [1, 2, 0]
    assert t["pagerank"].sum() == pytest.approx(1.0)
    with pytest.raises(ParameterError, match="differ in length"):
        influence_from_edges([1, 2], [3])


def test_empty_graph_gives_empty_tables_with_the_right_columns():
    assert list(influence(nx.DiGraph()).columns) == INFLUENCE_COLUMNS
    assert len(influence(nx.DiGraph())) == 0
    t = influence_from_edges([], [])
    assert list(t.columns) == ["account_id", "followers", "in_degree", "pagerank", "core_number", "two_hop_reach"]
    assert np.isnan(reciprocity([], []))


def test_engagement_authority_recency_weighting_by_hand():
    posts = conform("posts", {
        "platform": ["x"] * 5, "post_id": ["p1", "p2", "p3", "r1", "r2"],
        "author_id": ["a", "a", "b", "c", "c"],
        "kind": ["original", "original", "reply", "repost", "reply"],
        "referenced_id": [None, None, None, "p2", "p2"],
        "created_at": ["2026-01-01T00:00Z", "2026-01-15T00:00Z", "2026-01-15T00:00Z",
                       "2026-01-15T01:00Z", "2026-01-15T02:00Z"],
        "reposts": [6, None, 0, 6, 0], "replies": [2, None, 1, 2, 0],
    })
    t = engagement_authority(posts, as_of="2026-01-15T00:00Z", half_life_days=14).set_index("account_id")
    # a: p1 earned 6 + 2 = 8 and is 14 days old (weight 0.5); p2's metrics are unknown, so the two
    # reactions to it in the table count (weight 1): (0.5 * 8 + 1 * 2) / 1.5 = 4.
    assert t.loc["a", "earned_per_post"] == pytest.approx(4.0)
    assert t.loc["b", "earned_per_post"] == pytest.approx(1.0)
    assert "c" not in t.index  # c's repost is not c's post; c's reply comes after as_of


def test_composite_is_the_documented_mean_of_percentile_ranks():
    G = nx.gnp_random_graph(60, 0.08, seed=5, directed=True)
    t = influence(G, weights={"pagerank": 2.0, "in_degree": 1.0, "core_number": 0, "two_hop_reach": 0,
                              "earned_per_post": 0})
    expected = (2 * t["pagerank"].rank(pct=True) + t["in_degree"].astype(float).rank(pct=True)) / 3
    np.testing.assert_allclose(t["composite"], expected)
    assert t["rank"].tolist() == list(range(1, 61))
    assert t["composite"].is_monotonic_decreasing
    with pytest.raises(ParameterError, match="unknown component"):
        influence(G, weights={"followers_squared": 1})


def test_audience_of_restricts_to_followers_and_excludes_the_account():
    G = nx.DiGraph([("b", "a"), ("c", "a"), ("c", "b"), ("d", "c"), ("a", "b")])
    G.nodes["a"]["handle"] = "Acme"
    t = influence(G, audience_of="@acme")
    assert sorted(t["account_id"]) == ["b", "c"]
    assert t.set_index("account_id")["in_degree"].to_dict() == {"b": 1, "c": 0}
    with pytest.raises(ParameterError, match="audience_of"):
        influence(G, audience_of="nobody")


# ----------------------------------------------------------------------------- real data
@pytest.fixture(scope="module")
def hershey(realdata, tmp_path_factory):
    """hersheycareers.json written as a follows CSV and read through roi's follows path."""
    raw = json.loads((realdata / "follower-graphs" / "hersheycareers.json").read_text())
    tmp = tmp_path_factory.mktemp("hershey")
    csv = tmp / "hershey-follows.csv"
    pd.DataFrame(raw["edges"], columns=["follower_id", "followee_id"]).assign(
        as_of="2026-01-05T00:00:00Z").to_csv(csv, index=False)
    store = tmp / "store"
    roi.io.ingest([csv], store)
    return raw, roi.load(store)


def test_realdata_follower_graph_loads_every_edge(hershey):
    raw, ds = hershey
    edges = {(str(a), str(b)) for a, b in raw["edges"] if a != b}
    G = follower_graph(ds)
    assert set(G.edges()) == edges
    assert len(raw["labels"]) == 3726  # the published node count


def test_realdata_core_number_and_reciprocity_agree_with_networkx_and_igraph(hershey):
    ig = pytest.importorskip("igraph")
    raw, ds = hershey
    G = follower_graph(ds)
    table = influence(G).set_index("account_id")
    assert table["core_number"].to_dict() == _networkx_core(G)
    nodes = list(G)
    index = {v: i for i, v in enumerate(nodes)}
    g = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in G.edges()], directed=True)
    coreness = g.as_undirected(mode="collapse").coreness()
    assert [int(table.loc[v, "core_number"]) for v in nodes] == coreness
    edges = follow_edges_of(ds)
    assert reciprocity(edges["follower_id"], edges["followee_id"]) == pytest.approx(nx.overall_reciprocity(G), abs=1e-12)
    assert reciprocity(edges["follower_id"], edges["followee_id"]) == pytest.approx(g.reciprocity(), abs=1e-12)


def follow_edges_of(ds):
    return roi.graph.follow_edges(ds.follows)


def test_realdata_pagerank_agrees_with_igraph_prpack(hershey):
    ig = pytest.importorskip("igraph")
    _, ds = hershey
    edges = follow_edges_of(ds)
    t = influence_from_edges(edges["follower_id"], edges["followee_id"])
    ids = t["account_id"].tolist()
    index = {v: i for i, v in enumerate(ids)}
    g = ig.Graph(n=len(ids), edges=list(zip(edges["follower_id"].map(index), edges["followee_id"].map(index), strict=True)),
                 directed=True)
    prpack = np.array(g.pagerank(damping=0.85, implementation="prpack"))
    assert np.abs(t["pagerank"].to_numpy() - prpack).max() < 1e-6
    assert np.abs(t["pagerank"].to_numpy() - prpack).sum() < 1e-6
