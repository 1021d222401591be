"""Shape and reach of cascades: size, depth, breadth, structural virality, speed, reach.

A cascade is a tree of adopters rooted at the source post. Every metric is computed for a whole
forest at once with array operations (no per-node Python loop, no all-pairs shortest paths):

* nodes are put in breadth-first order from a virtual super-root (``scipy.sparse.csgraph``,
  O(n) in C), so every parent precedes its children;
* depth solves ``d = A d + 1`` and subtree size ``s = Aᵀ s + 1`` (A = child -> parent adjacency),
  two sparse triangular solves, O(n) each;
* the Wiener index of a tree is ``W = Σ_edges s·(n − s)`` (s = nodes below the edge), so
  structural virality ``2W / (n(n − 1))`` is O(n) (Goel, Anderson, Hofman & Watts 2016).

Definitions are in METRICS.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order
from scipy.sparse.linalg import spsolve_triangular

from roi.errors import ParameterError

__all__ = [
    "as_minutes",
    "FOREST_COLUMNS",
    "METRIC_COLUMNS",
    "MILESTONES",
    "cascade_metrics",
    "node_depths",
    "structural_virality",
    "compare_virality_by_size",
]

#: Columns of a forest (one row per node). ``parent`` is null for the source, exactly one per
#: cascade; ``time`` is minutes (float) or a UTC timestamp; ``account_id`` is optional.
FOREST_COLUMNS = ["cascade_id", "node", "parent", "time", "account_id"]

#: Adopter counts whose arrival time is reported (``minutes_to_<N>``).
MILESTONES = (10, 100, 1000)

METRIC_COLUMNS = [
    "cascade_id", "size", "depth", "max_breadth", "structural_virality", "wiener_index",
    *[f"minutes_to_{n}" for n in MILESTONES], "duration_minutes",
    "potential_reach", "unique_reach", "unreachable", "repeat_posts",
]


def as_minutes(time: pd.Series) -> np.ndarray:
    """Convert times to float minutes (timestamps: minutes since the epoch; numbers as given)."""
    if isinstance(time.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(time.dtype):
        values = time.astype("datetime64[us, UTC]") if isinstance(time.dtype, pd.DatetimeTZDtype) else time
        us = values.to_numpy(dtype="datetime64[us]").astype("int64").astype("float64")
        us[time.isna().to_numpy()] = np.nan
        return us / 60e6
    try:
        return pd.to_numeric(time, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    except (ValueError, TypeError):
        raise ParameterError("forest column 'time': expected minutes (numbers) or timestamps") from None


def _encode(forest: pd.DataFrame) -> dict[str, np.ndarray]:
    """Integer arrays of a forest: cascade code, parent index (-1 source, -2 unknown), times."""
    missing = [c for c in ("cascade_id", "node", "parent") if c not in forest.columns]
    if missing:
        raise ParameterError(f"forest: missing column(s) {', '.join(missing)}; expected {FOREST_COLUMNS}")
    casc_code, casc_names = pd.factorize(forest["cascade_id"], sort=False)
    if (casc_code < 0).any():
        raise ParameterError("forest column 'cascade_id' has nulls")
    # A node is identified by (cascade, node): the same id may appear in two cascades.
    node_code, node_uniques = pd.factorize(forest["node"], sort=False)
    if (node_code < 0).any():
        raise ParameterError("forest column 'node' has nulls")
    width = max(len(node_uniques), 1)
    key = casc_code.astype(np.int64) * width + node_code
    if pd.Index(key).has_duplicates:
        dup = forest.loc[pd.Index(key).duplicated(), ["cascade_id", "node"]].iloc[0]
        raise ParameterError(f"forest: node {dup['node']!r} appears twice in cascade {dup['cascade_id']!r}")
    is_source = forest["parent"].isna().to_numpy()
    parent_code = pd.Index(node_uniques).get_indexer(forest["parent"].where(~forest["parent"].isna()))
    parent_key = np.where(parent_code >= 0, casc_code.astype(np.int64) * width + parent_code, -1)
    pos = pd.Index(key).get_indexer(parent_key)  # -1 where the parent is not a node of this cascade
    parent = np.where(is_source, -1, np.where(pos >= 0, pos, -2)).astype(np.int64)
    n_sources = np.bincount(casc_code[is_source], minlength=len(casc_names))
    if (n_sources != 1).any():
        bad = int(np.flatnonzero(n_sources != 1)[0])
        raise ParameterError(
            f"forest: cascade {casc_names[bad]!r} has {n_sources[bad]} nodes without a parent; "
            "expected exactly one source (parent null)"
        )
    return {"cascade": casc_code.astype(np.int64), "names": np.asarray(casc_names, dtype=object),
            "parent": parent}


def _tree_arrays(parent: np.ndarray) -> dict[str, np.ndarray]:
    """Reachability, depth and subtree size of every node of a forest given parent indices.

    ``parent`` holds -1 for sources and -2 for a parent that is not in the forest. Nodes not
    reachable from their source (unknown parent, or a cycle) get depth -1 and size 0.
    """
    n = len(parent)
    child = np.flatnonzero(parent >= 0)
    sources = np.flatnonzero(parent == -1)
    # Adjacency parent -> child, plus a super-root (index n) -> every source.
    rows = np.concatenate([parent[child], np.full(len(sources), n)])
    cols = np.concatenate([child, sources])
    adj = sp.csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(n + 1, n + 1))
    order = breadth_first_order(adj, n, directed=True, return_predecessors=False)[1:]
    reach = np.zeros(n, dtype=bool)
    reach[order] = True
    m = len(order)
    pos = np.full(n, -1, dtype=np.int64)
    pos[order] = np.arange(m)
    # In breadth-first order every parent precedes its children: (I - A) is unit lower triangular.
    p_ord = parent[order]
    has_p = p_ord >= 0
    r = np.flatnonzero(has_p)
    c = pos[p_ord[has_p]]
    diag = np.arange(m)
    mat = sp.csr_matrix(
        (np.concatenate([np.ones(m), -np.ones(len(r))]), (np.concatenate([diag, r]), np.concatenate([diag, c]))),
        shape=(m, m),
    )
    depth = np.full(n, -1, dtype=np.int64)
    size = np.zeros(n, dtype=np.int64)
    if m:
        d = spsolve_triangular(mat, has_p.astype(np.float64), lower=True, unit_diagonal=True)
        s = spsolve_triangular(mat.T.tocsr(), np.ones(m), lower=False, unit_diagonal=True)
        depth[order] = np.rint(d).astype(np.int64)
        size[order] = np.rint(s).astype(np.int64)
    return {"reach": reach, "depth": depth, "subtree": size}


def _adopter_tree(forest: pd.DataFrame, enc: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, dict | None]:
    """Collapse each account's posts in a cascade into one adopter.

    Return the nodes kept, their parent indices, and the tree arrays when nothing was collapsed
    (else None).

    An account that posts twice in a cascade (reposts twice, or replies again further down a
    thread) is one adopter. It is kept at its node with the fewest hops from the source (then the
    earliest, then the first listed); its other nodes are dropped and their children hang under
    the kept one. Every new parent is strictly closer to the source than its child was, so no
    cycle can form. Nodes without an account, and nodes the source does not reach, are kept as
    they are.
    """
    parent = enc["parent"]
    n = len(parent)
    if "account_id" not in forest.columns or n == 0:
        return np.ones(n, dtype=bool), parent, None
    arrays = _tree_arrays(parent)
    acc_code, acc_names = pd.factorize(forest["account_id"], sort=False)
    candidate = arrays["reach"] & (acc_code >= 0)
    idx = np.flatnonzero(candidate)
    times = as_minutes(forest["time"]) if "time" in forest.columns else np.zeros(n)
    when = np.where(np.isnan(times), np.inf, times)
    key = enc["cascade"][idx] * max(len(acc_names), 1) + acc_code[idx]
    order = idx[np.lexsort((idx, when[idx], arrays["depth"][idx], key))]
    key_sorted = enc["cascade"][order] * max(len(acc_names), 1) + acc_code[order]
    first = np.concatenate([[True], key_sorted[1:] != key_sorted[:-1]]) if len(order) else np.zeros(0, bool)
    group = np.cumsum(first) - 1
    rep = np.arange(n, dtype=np.int64)
    rep[order] = order[first][group]
    kept = rep == np.arange(n)
    if kept.all():
        return kept, parent, arrays
    moved = np.where(parent >= 0, rep[np.maximum(parent, 0)], parent)
    new_index = np.cumsum(kept) - 1
    new_parent = np.where(moved >= 0, new_index[np.maximum(moved, 0)], moved)
    return kept, new_parent[kept].astype(np.int64), None


def node_depths(forest: pd.DataFrame) -> pd.DataFrame:
    """Depth and subtree size of every node of a forest (-1 / 0 when not reachable).

    Parameters
    ----------
    forest : DataFrame
        One row per node with ``cascade_id``, ``node`` and ``parent`` (null for the source).

    Returns
    -------
    DataFrame
        ``cascade_id, node, parent, depth, subtree_size`` in the forest's row order.

    Examples
    --------
    >>> f = pd.DataFrame({"cascade_id": "c", "node": ["s", "a", "b", "c"], "parent": [None, "s", "a", "a"]})
    >>> node_depths(f)[["node", "depth", "subtree_size"]].to_numpy().tolist()
    [['s', 0, 4], ['a', 1, 3], ['b', 2, 1], ['c', 2, 1]]
    """
    enc = _encode(forest)
    arrays = _tree_arrays(enc["parent"])
    return pd.DataFrame({
        "cascade_id": forest["cascade_id"].to_numpy(), "node": forest["node"].to_numpy(),
        "parent": forest["parent"].to_numpy(), "depth": arrays["depth"], "subtree_size": arrays["subtree"],
    })


def structural_virality(parents: Sequence[int]) -> float:
    """Structural virality of one tree given each node's parent index (-1 for the source).

    The mean shortest-path distance over ordered pairs of distinct nodes, ``2W / (n(n − 1))``;
    0 for a single node.

    Examples
    --------
    A star of 5 nodes: 2(n − 1)/n; a path of 5 nodes: (n + 1)/3.

    >>> structural_virality([-1, 0, 0, 0, 0])
    1.6
    >>> structural_virality([-1, 0, 1, 2, 3])
    2.0
    """
    parent = np.asarray(parents, dtype=np.int64)
    forest = pd.DataFrame({"cascade_id": 0, "node": np.arange(len(parent)),
                           "parent": pd.array(np.where(parent < 0, -1, parent), dtype="Int64")})
    forest.loc[parent < 0, "parent"] = pd.NA
    return float(cascade_metrics(forest)["structural_virality"].iloc[0])


def _per_cascade_time(cascade: np.ndarray, time: np.ndarray, is_source: np.ndarray, n_casc: int) -> dict[str, np.ndarray]:
    """Minutes from the source to the N-th adopter (source counted first) and the duration."""
    source_time = np.full(n_casc, np.nan)
    source_time[cascade[is_source]] = time[is_source]
    rel = time - source_time[cascade]
    rel = np.where(is_source, -np.inf, rel)  # the source is the first adopter whatever its stamp
    order = np.lexsort((rel, cascade))  # NaN times sort last within a cascade
    c_sorted = cascade[order]
    starts = np.searchsorted(c_sorted, np.arange(n_casc))
    rank = np.arange(len(order)) - starts[c_sorted]
    counts = np.bincount(cascade, minlength=n_casc)
    out: dict[str, np.ndarray] = {}
    rel_sorted = rel[order]
    for milestone in MILESTONES:
        value = np.full(n_casc, np.nan)
        hit = rank == milestone - 1
        value[c_sorted[hit]] = rel_sorted[hit]
        out[f"minutes_to_{milestone}"] = value
    finite = np.where(np.isfinite(rel) & ~is_source, rel, -np.inf)
    last = np.full(n_casc, -np.inf)
    np.maximum.at(last, cascade, finite)
    duration = np.where(np.isfinite(last), last, np.where(counts == 1, 0.0, np.nan))
    duration[np.isnan(source_time)] = np.nan
    out["duration_minutes"] = duration
    return out


def cascade_metrics(
    forest: pd.DataFrame,
    *,
    accounts: pd.DataFrame | None = None,
    follows: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Size, depth, breadth, structural virality, speed and reach of every cascade of a forest.

    Parameters
    ----------
    forest : DataFrame
        One row per node: ``cascade_id``, ``node`` (unique within its cascade), ``parent``
        (the parent's ``node``; null for the source, exactly one per cascade), and optionally
        ``time`` (minutes as numbers, or UTC timestamps) and ``account_id`` (the adopter).
        A node whose parent is not in its cascade, or that sits on a cycle, cannot be reached
        from the source: it is left out of every metric and counted in ``unreachable``.
        With ``account_id``, an account with several nodes in a cascade is one adopter: kept
        at its node closest to the source, its other nodes counted in ``repeat_posts`` and
        their children moved under the kept node. Without it every node is an adopter.
    accounts : DataFrame, optional
        The accounts table (``account_id``, ``followers_count``): gives ``potential_reach``.
    follows : DataFrame, optional
        The follows table (``follower_id``, ``followee_id``): gives ``unique_reach``.

    Returns
    -------
    DataFrame
        One row per cascade, in order of first appearance, with :data:`METRIC_COLUMNS`:
        ``size`` (distinct adopters, the source included), ``depth``, ``max_breadth``, ``structural_virality``
        (2W/(n(n−1)), 0 for a single node), ``wiener_index`` (W), ``minutes_to_10/100/1000``
        (from the source to the N-th adopter, the source counted as the first; null when the
        cascade never got that big or times are unknown), ``duration_minutes`` (source to last
        adopter), ``potential_reach`` (sum of ``followers_count`` over distinct adopter
        accounts with a known count; null without ``accounts``), ``unique_reach`` (distinct
        accounts following at least one adopter; null without ``follows``), ``unreachable``
        and ``repeat_posts`` (nodes of an account already counted).

    Raises
    ------
    ParameterError
        If a column is missing, a node is repeated in a cascade, or a cascade has no single source.

    Examples
    --------
    A source ``s`` reposted by ``a`` and ``b``; ``c`` reposted from ``a``:

    >>> f = pd.DataFrame({"cascade_id": "c1", "node": ["s", "a", "b", "c"],
    ...                   "parent": [None, "s", "s", "a"], "time": [0.0, 5.0, 7.0, 30.0]})
    >>> m = cascade_metrics(f)
    >>> [int(m[c].iloc[0]) for c in ("size", "depth", "max_breadth", "wiener_index")]
    [4, 2, 2, 10]
    >>> float(m.duration_minutes.iloc[0]), float(m.minutes_to_10.isna().iloc[0])
    (30.0, 1.0)
    >>> round(float(m.structural_virality.iloc[0]), 4)  # 2 * 10 / (4 * 3)
    1.6667

    The same account reposting twice is one adopter:

    >>> f["account_id"] = ["brand", "ann", "bob", "ann"]
    >>> m = cascade_metrics(f)
    >>> int(m["size"].iloc[0]), int(m["repeat_posts"].iloc[0]), int(m["depth"].iloc[0])
    (3, 1, 1)
    """
    enc = _encode(forest)
    n_casc = len(enc["names"])
    kept, parent, arrays = _adopter_tree(forest, enc)
    repeat_posts = np.bincount(enc["cascade"][~kept], minlength=n_casc)
    forest = forest[kept]
    cascade = enc["cascade"][kept]
    arrays = _tree_arrays(parent) if arrays is None else arrays
    reach = arrays["reach"]
    depth, subtree = arrays["depth"], arrays["subtree"]

    size = np.bincount(cascade[reach], minlength=n_casc)
    unreachable = np.bincount(cascade[~reach], minlength=n_casc)
    max_depth = np.zeros(n_casc, dtype=np.int64)
    np.maximum.at(max_depth, cascade[reach], depth[reach])
    # Breadth: nodes per (cascade, depth); the key packs both into one integer.
    level_key = cascade[reach] * (int(depth.max(initial=0)) + 1) + depth[reach]
    levels, level_counts = np.unique(level_key, return_counts=True)
    max_breadth = np.zeros(n_casc, dtype=np.int64)
    np.maximum.at(max_breadth, levels // (int(depth.max(initial=0)) + 1), level_counts)
    # W = Σ over edges (every reachable non-source node) of s·(n − s), exactly in int64.
    edge = reach & (parent >= 0)
    contrib = subtree[edge] * (size[cascade[edge]] - subtree[edge])
    wiener = np.zeros(n_casc, dtype=np.int64)
    np.add.at(wiener, cascade[edge], contrib)
    pairs = size.astype(np.float64) * (size - 1)
    virality = np.divide(2.0 * wiener, pairs, out=np.zeros(n_casc), where=pairs > 0)

    out = pd.DataFrame({
        "cascade_id": enc["names"], "size": size, "depth": max_depth, "max_breadth": max_breadth,
        "structural_virality": virality, "wiener_index": wiener,
    })
    if "time" in forest.columns:
        times = as_minutes(forest["time"])
        timed = _per_cascade_time(cascade[reach], times[reach], parent[reach] == -1, n_casc)
    else:
        timed = {f"minutes_to_{m}": np.full(n_casc, np.nan) for m in MILESTONES}
        timed["duration_minutes"] = np.full(n_casc, np.nan)
    for name, values in timed.items():
        out[name] = pd.array(values, dtype="Float64")
        out.loc[np.isnan(values), name] = pd.NA
    out["potential_reach"] = _potential_reach(forest, cascade, reach, n_casc, accounts)
    out["unique_reach"] = _unique_reach(forest, cascade, reach, n_casc, follows)
    out["unreachable"] = unreachable
    out["repeat_posts"] = repeat_posts
    out = out.astype({"size": "Int64", "depth": "Int64", "max_breadth": "Int64", "wiener_index": "Int64",
                      "unreachable": "Int64", "repeat_posts": "Int64", "structural_virality": "Float64"})
    out["cascade_id"] = out["cascade_id"].astype(forest["cascade_id"].dtype if
                                                 isinstance(forest["cascade_id"].dtype, pd.StringDtype) else object)
    return out[METRIC_COLUMNS]


def _adopters(forest: pd.DataFrame, cascade: np.ndarray, reach: np.ndarray) -> pd.DataFrame | None:
    if "account_id" not in forest.columns:
        return None
    frame = pd.DataFrame({"cascade": cascade[reach], "account_id": forest["account_id"].to_numpy()[reach]})
    frame = frame.dropna(subset=["account_id"])
    frame["account_id"] = frame["account_id"].astype("string")
    return frame.drop_duplicates()


def _potential_reach(forest, cascade, reach, n_casc, accounts) -> pd.arrays.IntegerArray:
    result = pd.array([pd.NA] * n_casc, dtype="Int64")
    adopters = _adopters(forest, cascade, reach)
    if accounts is None or adopters is None:
        return result
    counts = (accounts.dropna(subset=["followers_count"])
              .astype({"account_id": "string"})
              .drop_duplicates("account_id", keep="last")[["account_id", "followers_count"]])
    joined = adopters.merge(counts, on="account_id", how="inner")
    sums = joined.groupby("cascade")["followers_count"].sum()
    result[sums.index.to_numpy()] = sums.to_numpy(dtype="int64")
    return result


def _unique_reach(forest, cascade, reach, n_casc, follows) -> pd.arrays.IntegerArray:
    result = pd.array([pd.NA] * n_casc, dtype="Int64")
    adopters = _adopters(forest, cascade, reach)
    if follows is None or adopters is None or follows.empty:  # no follow graph: unknown, not 0
        return result
    edges = follows[["follower_id", "followee_id"]].astype("string").dropna().drop_duplicates()
    joined = adopters.merge(edges, left_on="account_id", right_on="followee_id", how="inner")
    distinct = joined[["cascade", "follower_id"]].drop_duplicates()
    counts = np.bincount(distinct["cascade"].to_numpy(), minlength=n_casc)
    # A cascade with adopters but no known follower edge reaches 0 known accounts.
    return pd.array(counts, dtype="Int64")


def compare_virality_by_size(
    metrics: pd.DataFrame,
    *,
    by: str,
    groups: tuple[str, str] | None = None,
    bins: Sequence[int] = (1, 2, 5, 10, 20, 50, 100, 1000, 10_000),
    min_count: int = 5,
) -> pd.DataFrame:
    """Compare structural virality between two groups within bins of cascade size.

    Larger cascades are mechanically more viral, so a raw comparison of two groups whose sizes
    differ confounds shape with size (Juul & Ugander, PNAS 2021). This compares the groups only
    within the same size bin.

    Parameters
    ----------
    metrics : DataFrame
        Output of :func:`cascade_metrics` plus the grouping column ``by``.
    by : str
        Column holding the group label (e.g. ``label`` for Twitter15).
    groups : (str, str), optional
        The two groups to compare (A, B); default the two most frequent.
    bins : sequence of int
        Left edges of the size bins; the last bin is open-ended.
    min_count : int, default 5
        Bins where either group has fewer cascades are flagged ``sparse`` (not dropped).

    Returns
    -------
    DataFrame
        One row per size bin: ``size_bin``, ``n_a``, ``n_b``, ``median_virality_a``,
        ``median_virality_b``, ``mean_virality_a``, ``mean_virality_b``, ``difference`` (mean B
        − mean A), ``p_value`` (two-sided Mann–Whitney U; null when a group is empty), ``sparse``.

    Examples
    --------
    >>> m = pd.DataFrame({"size": [3, 3, 3, 3], "structural_virality": [1.33, 1.33, 1.33, 1.33],
    ...                   "g": ["x", "x", "y", "y"]})
    >>> compare_virality_by_size(m, by="g", bins=[1, 10])[["size_bin", "n_a", "n_b", "difference"]].to_numpy().tolist()
    [['1-9', 2, 2, 0.0], ['10+', 0, 0, nan]]
    """
    from scipy.stats import mannwhitneyu

    for col in (by, "size", "structural_virality"):
        if col not in metrics.columns:
            raise ParameterError(f"metrics: no column {col!r} (expected cascade_metrics output plus {by!r})")
    edges = sorted(int(b) for b in bins)
    if not edges or edges[0] < 1:
        raise ParameterError(f"bins={list(bins)!r}: expected increasing sizes starting at 1 or more")
    labels_present = metrics[by].dropna()
    if groups is None:
        top = labels_present.value_counts()
        if len(top) < 2:
            raise ParameterError(f"column {by!r} has fewer than two groups to compare")
        groups = (top.index[0], top.index[1])
    a, b = groups
    for g in groups:
        if not (labels_present == g).any():
            raise ParameterError(f"group {g!r} not found in column {by!r}")
    names = [f"{lo}-{hi - 1}" if hi - 1 > lo else f"{lo}" for lo, hi in zip(edges, edges[1:], strict=False)] + [f"{edges[-1]}+"]
    size = metrics["size"].to_numpy(dtype="float64", na_value=np.nan)
    which = np.searchsorted(np.asarray(edges), size, side="right") - 1
    vir = metrics["structural_virality"].to_numpy(dtype="float64", na_value=np.nan)
    # Series comparisons: a null label is in neither group (numpy would call bool() on pd.NA).
    is_a = metrics[by].eq(a).fillna(False).to_numpy(dtype=bool)
    is_b = metrics[by].eq(b).fillna(False).to_numpy(dtype=bool)
    rows = []
    for i, name in enumerate(names):
        in_bin = which == i
        va = vir[in_bin & is_a]
        vb = vir[in_bin & is_b]
        p = np.nan
        if len(va) and len(vb):
            p = float(mannwhitneyu(va, vb, alternative="two-sided").pvalue) if np.ptp(np.concatenate([va, vb])) > 0 else 1.0
        rows.append({
            "size_bin": name, "n_a": len(va), "n_b": len(vb),
            "median_virality_a": np.median(va) if len(va) else np.nan,
            "median_virality_b": np.median(vb) if len(vb) else np.nan,
            "mean_virality_a": va.mean() if len(va) else np.nan,
            "mean_virality_b": vb.mean() if len(vb) else np.nan,
            "difference": (vb.mean() - va.mean()) if len(va) and len(vb) else np.nan,
            "p_value": p, "sparse": bool(min(len(va), len(vb)) < min_count),
        })
    out = pd.DataFrame(rows)
    out.attrs["groups"] = (a, b)
    return out
