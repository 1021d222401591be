"""Cascade metrics: against networkx's Wiener index, closed forms, a hand-checked cascade, and a plain reference."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from roi.cascades import cascade_metrics, compare_virality_by_size, node_depths, structural_virality
from roi.cascades._reference import reference_tree_metrics
from roi.errors import ParameterError


def random_parents(rng, n):
    """A random recursive tree on n nodes, relabelled at random (parents need not precede children)."""
    parent = np.array([-1] + [int(rng.integers(0, i)) for i in range(1, n)])
    perm = rng.permutation(n)
    out = np.full(n, -1)
    out[perm[1:]] = perm[parent[1:]]
    return out


def forest_of(parents, cascade="c"):
    return pd.DataFrame({"cascade_id": cascade, "node": np.arange(len(parents)),
                         "parent": pd.array([None if p < 0 else int(p) for p in parents], dtype="Int64")})


@pytest.mark.parametrize("seed", range(8))
def test_virality_matches_networkx_wiener_index(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 60))
    parents = random_parents(rng, n)
    g = nx.Graph([(i, int(p)) for i, p in enumerate(parents) if p >= 0])
    expected_w = nx.wiener_index(g)  # each unordered pair once
    m = cascade_metrics(forest_of(parents)).iloc[0]
    assert int(m["wiener_index"]) == expected_w
    assert float(m["structural_virality"]) == pytest.approx(2 * expected_w / (n * (n - 1)))
    lengths = nx.single_source_shortest_path_length(g, int(np.flatnonzero(parents < 0)[0]))
    assert int(m["depth"]) == max(lengths.values())


def test_whole_forest_equals_each_tree_alone_and_the_reference():
    rng = np.random.default_rng(42)
    trees = [random_parents(rng, int(rng.integers(1, 40))) for _ in range(30)]
    forest = pd.concat([forest_of(p, cascade=f"t{i}") for i, p in enumerate(trees)], ignore_index=True)
    together = cascade_metrics(forest).set_index("cascade_id")
    for i, p in enumerate(trees):
        ref = reference_tree_metrics({j: (None if q < 0 else int(q)) for j, q in enumerate(p)})
        got = together.loc[f"t{i}"]
        for key in ("size", "depth", "max_breadth", "wiener_index"):
            assert int(got[key]) == ref[key], key
        assert float(got["structural_virality"]) == pytest.approx(ref["structural_virality"])


@pytest.mark.parametrize("n", [2, 3, 10, 101])
def test_closed_forms_star_and_path(n):
    star = [-1] + [0] * (n - 1)
    path = list(range(-1, n - 1))
    assert structural_virality(star) == pytest.approx(2 * (n - 1) / n)
    assert structural_virality(path) == pytest.approx((n + 1) / 3)


def test_single_node_has_virality_zero():
    m = cascade_metrics(forest_of([-1])).iloc[0]
    assert (int(m["size"]), int(m["depth"]), float(m["structural_virality"])) == (1, 0, 0.0)
    assert pd.isna(m["duration_minutes"])  # no times given


def hand_cascade():
    # s -> a, b, c (minutes 1, 2, 3); a -> d (4); d -> e (9); 12 more children of b at minutes 10..21.
    nodes = ["s", "a", "b", "c", "d", "e"] + [f"x{i}" for i in range(12)]
    parents = [None, "s", "s", "s", "a", "d"] + ["b"] * 12
    times = [100.0, 101, 102, 103, 104, 109] + [110.0 + i for i in range(12)]
    return pd.DataFrame({"cascade_id": "h", "node": nodes, "parent": parents, "time": times,
                         "account_id": ["S", "A", "B", "C", "D", "E"] + [f"X{i}" for i in range(12)]})


def test_hand_checked_cascade():
    m = cascade_metrics(hand_cascade()).iloc[0]
    assert int(m["size"]) == 18
    assert int(m["depth"]) == 3
    assert int(m["max_breadth"]) == 13  # depth 2: d and 12 x's
    # Time from the source (t=100) to the 10th adopter, the source counted first: 9th child = x3 at 113.
    assert float(m["minutes_to_10"]) == 13.0
    assert pd.isna(m["minutes_to_100"])
    assert float(m["duration_minutes"]) == 21.0
    # W by hand: edges below a (s=3: a,d,e), d (2), e (1), b (13), c (1), 12 leaves x (1 each)
    n = 18
    w = 3 * 15 + 2 * 16 + 1 * 17 + 13 * 5 + 1 * 17 + 12 * 17
    assert int(m["wiener_index"]) == w
    assert float(m["structural_virality"]) == pytest.approx(2 * w / (n * (n - 1)))


def test_timestamps_give_the_same_minutes_as_numbers():
    f = hand_cascade()
    f["time"] = pd.Timestamp("2026-10-05T12:00Z") + pd.to_timedelta(f["time"], unit="min")
    m = cascade_metrics(f).iloc[0]
    assert float(m["minutes_to_10"]) == 13.0 and float(m["duration_minutes"]) == 21.0


def test_reach_from_accounts_and_follows():
    f = hand_cascade().head(4)  # s, a, b, c with accounts S, A, B, C
    accounts = pd.DataFrame({"account_id": ["S", "A", "B", "Z"], "followers_count": [100, 10, 5, 7]})
    follows = pd.DataFrame({"follower_id": ["u1", "u2", "u1", "A", "u3"],
                            "followee_id": ["S", "S", "A", "S", "Z"]})
    m = cascade_metrics(f, accounts=accounts, follows=follows).iloc[0]
    assert int(m["potential_reach"]) == 115  # C has no known count
    assert int(m["unique_reach"]) == 3  # u1, u2, A (u3 follows nobody in the cascade)
    plain = cascade_metrics(f).iloc[0]
    assert pd.isna(plain["potential_reach"]) and pd.isna(plain["unique_reach"])


def test_unreachable_nodes_are_counted_not_measured():
    f = pd.DataFrame({"cascade_id": "u", "node": ["s", "a", "x", "y", "p", "q"],
                      "parent": [None, "s", "missing", "x", "q", "p"]})  # x,y hang from nothing; p,q a cycle
    m = cascade_metrics(f).iloc[0]
    assert (int(m["size"]), int(m["unreachable"])) == (2, 4)
    depths = node_depths(f).set_index("node")["depth"]
    assert depths["a"] == 1 and depths["x"] == -1 and depths["p"] == -1


def test_bad_forests_raise_parameter_errors():
    with pytest.raises(ParameterError, match="exactly one source"):
        cascade_metrics(pd.DataFrame({"cascade_id": "c", "node": ["a", "b"], "parent": [None, None]}))
    with pytest.raises(ParameterError, match="appears twice"):
        cascade_metrics(pd.DataFrame({"cascade_id": "c", "node": ["a", "a"], "parent": [None, "a"]}))
    with pytest.raises(ParameterError, match="missing column"):
        cascade_metrics(pd.DataFrame({"cascade_id": ["c"], "node": ["a"]}))


def test_input_is_not_modified():
    f = hand_cascade()
    before = f.copy()
    cascade_metrics(f)
    pd.testing.assert_frame_equal(f, before)


def test_compare_virality_at_matched_size():
    rng = np.random.default_rng(3)
    rows = []
    # Group "wide" is all stars, group "deep" all paths, at the same sizes: every bin differs.
    for size in rng.integers(3, 40, 60):
        rows.append({"size": int(size), "structural_virality": 2 * (size - 1) / size, "g": "wide"})
        rows.append({"size": int(size), "structural_virality": (size + 1) / 3, "g": "deep"})
    table = compare_virality_by_size(pd.DataFrame(rows), by="g", groups=("wide", "deep"), bins=[1, 5, 10, 20])
    filled = table[(table.n_a > 0)]
    assert (filled["n_a"] == filled["n_b"]).all()
    assert (filled["difference"] > 0).all()
    assert table["n_a"].sum() == 60
    with pytest.raises(ParameterError, match="not found"):
        compare_virality_by_size(pd.DataFrame(rows), by="g", groups=("wide", "nope"))


def _reference_adopter_tree(parents, accounts, times):
    """Plain collapse: each account kept at its node nearest the source (then earliest, then first)."""
    depth = {}
    for i in range(len(parents)):
        d, j = 0, i
        while parents[j] >= 0:
            j, d = parents[j], d + 1
        depth[i] = d
    rep = {}
    for i in sorted(range(len(parents)), key=lambda i: (depth[i], times[i], i)):
        rep.setdefault(accounts[i], i)
    kept = sorted(set(rep.values()))
    return {i: (None if parents[i] < 0 else rep[accounts[parents[i]]]) for i in kept}


@pytest.mark.parametrize("seed", range(6))
def test_repeat_adopters_collapse_like_the_plain_reference(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 50))
    parents = random_parents(rng, n)
    accounts = [f"u{int(a)}" for a in rng.integers(0, max(2, n // 3), n)]
    times = rng.random(n).round(2).tolist()
    forest = forest_of(parents).assign(account_id=accounts, time=times)
    m = cascade_metrics(forest).iloc[0]
    ref = reference_tree_metrics(_reference_adopter_tree(list(parents), accounts, times))
    assert int(m["size"]) == len(set(accounts)) == ref["size"]
    assert int(m["repeat_posts"]) == n - len(set(accounts)) and int(m["unreachable"]) == 0
    for key in ("depth", "max_breadth", "wiener_index"):
        assert int(m[key]) == ref[key], key
