"""Who in the audience carries weight: PageRank, k-core, in-degree, two-hop reach, earned engagement.

Follower counts alone rank accounts differently from retweets and mentions (Cha et al., ICWSM
2010), so roi shows every measure side by side and a documented composite:

* ``followers`` -- followers as the platform reports them (``accounts.followers_count``);
* ``in_degree`` -- followers inside the graph analysed (the audience, when ``audience_of`` is given);
* ``pagerank`` -- PageRank (damping 0.85) on the follow graph, edge follower -> followee;
* ``core_number`` -- k-core number on the undirected simple graph (Kitsak et al. 2010);
* ``two_hop_reach`` -- distinct accounts that follow the account or follow one of its followers;
* ``earned_per_post`` -- reposts + replies earned per own post, recency-weighted (half-life
  ``half_life_days``);
* ``composite`` -- weighted mean of the percentile ranks of the measures above (equal weights by
  default; a measure that is unknown for an account is left out of its mean), and ``rank``.

Every graph measure is computed on scipy.sparse arrays, so the same code serves a 40-node
audience and a 1M-node / 10M-edge graph (:func:`influence_from_edges` never builds a networkx graph).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from roi.errors import ParameterError, RoiError

__all__ = [
    "influence",
    "influence_from_edges",
    "pagerank",
    "core_number",
    "engagement_authority",
    "reciprocity",
    "INFLUENCE_COLUMNS",
    "COMPOSITE_WEIGHTS",
    "PageRankNotConverged",
]

INFLUENCE_COLUMNS = [
    "account_id", "handle", "followers", "in_degree", "pagerank", "core_number", "two_hop_reach",
    "posts_counted", "earned_per_post", "composite", "rank",
]
COMPOSITE_WEIGHTS: dict[str, float] = {
    "pagerank": 1.0, "core_number": 1.0, "in_degree": 1.0, "two_hop_reach": 1.0, "earned_per_post": 1.0,
}


class PageRankNotConverged(RoiError):
    """The power iteration did not reach the requested tolerance within ``max_iter`` iterations."""


# --------------------------------------------------------------------------- sparse kernels
def _adjacency(src: np.ndarray, dst: np.ndarray, n: int) -> sp.csr_array:
    """CSR matrix with a 1 at (followee, follower) for every distinct non-self edge."""
    keep = src != dst
    src, dst = src[keep], dst[keep]
    idx = np.int32 if n < 2**31 - 1 else np.int64
    m = sp.coo_array((np.ones(len(src)), (dst.astype(idx), src.astype(idx))), shape=(n, n)).tocsr()
    m.sum_duplicates()
    m.data[:] = 1.0  # duplicates were summed: a follow counts once
    return m


def _pagerank_csr(followers_of: sp.csr_array, *, alpha: float, tol: float, max_iter: int) -> tuple[np.ndarray, int]:
    """Power iteration on the transposed adjacency; dangling mass spread uniformly (as networkx)."""
    n = followers_of.shape[0]
    out_degree = np.bincount(followers_of.indices, minlength=n).astype(np.float64)
    inv_out = np.zeros(n)
    has_out = out_degree > 0
    inv_out[has_out] = 1.0 / out_degree[has_out]
    dangling = ~has_out
    x = np.full(n, 1.0 / n)
    # ||x_k - x*||_1 <= alpha / (1 - alpha) * ||x_k - x_{k-1}||_1, so stopping on this bound
    # guarantees the returned vector is within tol (L1) of the exact PageRank.
    bound = alpha / (1.0 - alpha)
    for iteration in range(1, max_iter + 1):
        y = followers_of @ (x * inv_out)
        y *= alpha
        y += (alpha * x[dangling].sum() + (1.0 - alpha)) / n
        change = np.abs(y - x).sum()
        x = y
        if change * bound < tol:
            return x, iteration
    raise PageRankNotConverged(
        f"PageRank did not converge to tol={tol} in max_iter={max_iter} iterations; raise max_iter"
    )


def _gather(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Concatenated CSR rows ``rows`` without a Python loop."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return indices[:0]
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(total)
    return indices[offsets]


def _core_numbers_csr(sym: sp.csr_array) -> np.ndarray:
    """k-core numbers of an undirected simple graph given as a symmetric CSR without self-loops.

    Level-synchronous peeling: at level k, every node of remaining degree <= k gets core number
    k and is removed (repeatedly, as removals lower neighbours' degrees), then k grows. Same
    result as Batagelj-Zaversnik (and networkx ``core_number``); the work per removed node is
    its neighbour list, done in numpy batches instead of a Python loop per node.
    """
    n = sym.shape[0]
    indptr, indices = sym.indptr.astype(np.int64), sym.indices
    degree = np.diff(indptr)
    core = np.zeros(n, dtype=np.int64)
    alive = np.ones(n, dtype=bool)
    remaining = n
    k = 0
    while remaining:
        k = max(k, int(degree[alive].min()))
        frontier = np.flatnonzero(alive & (degree <= k))
        while frontier.size:
            core[frontier] = k
            alive[frontier] = False
            remaining -= frontier.size
            neighbours = _gather(indptr, indices, frontier)
            neighbours = neighbours[alive[neighbours]]
            if not neighbours.size:
                break
            touched, times = np.unique(neighbours, return_counts=True)
            degree[touched] -= times
            frontier = touched[degree[touched] <= k]
        k += 1
    return core


def _two_hop_csr(followers_of: sp.csr_array, *, chunk_nnz: int = 20_000_000) -> np.ndarray:
    """Distinct accounts at distance 1 or 2 against the edge direction, self excluded, per node."""
    n = followers_of.shape[0]
    out = np.zeros(n, dtype=np.int64)
    if n == 0:
        return out
    in_degree = np.diff(followers_of.indptr)
    # Work for row v is about sum of its followers' in-degrees: chunk rows to bound memory.
    cost = followers_of @ in_degree.astype(np.float64) + in_degree
    bounds = np.searchsorted(np.cumsum(cost), np.arange(chunk_nnz, cost.sum() + chunk_nnz, chunk_nnz))
    start = 0
    for stop in [*np.unique(np.minimum(bounds + 1, n)).tolist(), n]:
        if stop <= start:
            continue
        block = followers_of[start:stop]
        reach = (block @ followers_of + block).tocsr()
        reach.sum_duplicates()
        rows = np.repeat(np.arange(start, stop), np.diff(reach.indptr))
        self_hits = np.bincount(rows[reach.indices == rows] - start, minlength=stop - start)
        out[start:stop] = np.diff(reach.indptr) - self_hits
        start = stop
    return out


# --------------------------------------------------------------------------- graph-level API
def _codes(G: nx.DiGraph) -> tuple[list[Any], np.ndarray, np.ndarray]:
    nodes = list(G)
    index = {node: i for i, node in enumerate(nodes)}
    m = G.number_of_edges()
    src = np.fromiter((index[u] for u, _ in G.edges()), dtype=np.int64, count=m)
    dst = np.fromiter((index[v] for _, v in G.edges()), dtype=np.int64, count=m)
    return nodes, src, dst


def pagerank(G: nx.DiGraph, *, alpha: float = 0.85, tol: float = 1e-6, max_iter: int = 1000) -> dict[Any, float]:
    """PageRank of every node of ``G`` by a scipy.sparse power iteration.

    Same model as :func:`networkx.pagerank` (uniform teleport; dangling nodes' rank spread
    uniformly; self-loops and edge weights ignored, as roi's follow graphs have neither).
    Iteration stops when the L1 change bounds the L1 error to the exact PageRank below ``tol``
    (error <= alpha / (1 - alpha) * change), so ``tol`` is a guarantee, not a heuristic.

    Parameters
    ----------
    G : networkx.DiGraph
        The graph ranked; an edge u -> v passes rank from u to v.
    alpha : float, default 0.85
        Damping factor.
    tol : float, default 1e-6
        Bound on the L1 distance of the result to the exact PageRank.
    max_iter : int, default 1000
        Most power iterations before giving up.

    Returns
    -------
    dict
        node -> PageRank; the values sum to 1.

    Raises
    ------
    PageRankNotConverged
        If ``max_iter`` iterations are not enough.
    ParameterError
        If ``alpha`` is not in (0, 1) or ``tol`` not positive.

    Examples
    --------
    The graph of networkx's own test (Langville & Meyer), whose values are published:

    >>> G = nx.DiGraph([(1, 2), (1, 3), (3, 1), (3, 2), (3, 5), (4, 5), (4, 6), (5, 4), (5, 6), (6, 4)])
    >>> pr = pagerank(G, alpha=0.9, tol=1e-10)
    >>> [round(pr[k], 8) for k in sorted(pr)]
    [0.03721197, 0.05395735, 0.04150565, 0.37508082, 0.20599833, 0.28624589]
    """
    _check_pagerank_options(alpha, tol)
    nodes, src, dst = _codes(G)
    if not nodes:
        return {}
    x, _ = _pagerank_csr(_adjacency(src, dst, len(nodes)), alpha=alpha, tol=tol, max_iter=max_iter)
    return dict(zip(nodes, x.tolist(), strict=True))


def core_number(G: nx.Graph) -> dict[Any, int]:
    """k-core number of every node, on the undirected simple graph of ``G`` without self-loops.

    Gives the same numbers as ``networkx.core_number(nx.Graph(G.to_undirected()))`` with
    self-loops removed (a mutual follow is one undirected edge), via numpy peeling.

    Examples
    --------
    >>> G = nx.DiGraph([(1, 2), (2, 1), (2, 3), (3, 1), (3, 4), (4, 4)])
    >>> core_number(G)
    {1: 2, 2: 2, 3: 2, 4: 1}
    """
    nodes, src, dst = _codes(G)
    if not nodes:
        return {}
    n = len(nodes)
    sym = _adjacency(np.concatenate([src, dst]), np.concatenate([dst, src]), n)
    return dict(zip(nodes, _core_numbers_csr(sym).tolist(), strict=True))


def reciprocity(follower_ids: Any, followee_ids: Any) -> float:
    """Share of follows that are returned: distinct non-self edges whose reverse edge also exists.

    The same number as ``networkx.overall_reciprocity`` (and igraph's ``reciprocity()``), from
    edge arrays; NaN for a graph without edges.

    >>> reciprocity(["a", "b", "a", "c", "c"], ["b", "a", "c", "a", "c"])
    1.0
    >>> reciprocity(["a", "b", "a"], ["b", "a", "c"])
    0.6666666666666666
    """
    src_in, dst_in = np.asarray(follower_ids), np.asarray(followee_ids)
    if src_in.shape != dst_in.shape:
        raise ParameterError("follower_ids and followee_ids differ in length: one entry per follow")
    if not src_in.size:
        return float("nan")
    codes, uniques = _factorize(np.concatenate([src_in, dst_in]))
    m = _adjacency(codes[:src_in.size], codes[src_in.size:], len(uniques))
    if m.nnz == 0:
        return float("nan")
    return float(m.multiply(m.T).nnz / m.nnz)


def _check_pagerank_options(alpha: float, tol: float) -> None:
    if not 0 < alpha < 1:
        raise ParameterError(f"alpha={alpha!r}: expected a damping factor strictly between 0 and 1 (usually 0.85)")
    if not tol > 0:
        raise ParameterError(f"tol={tol!r}: expected a positive tolerance such as 1e-6")


def influence_from_edges(
    follower_ids: Any,
    followee_ids: Any,
    *,
    nodes: Any = None,
    followers: Mapping[Any, Any] | pd.Series | None = None,
    alpha: float = 0.85,
    tol: float = 1e-6,
    max_iter: int = 1000,
    two_hop: bool = True,
) -> pd.DataFrame:
    """Graph influence measures straight from edge arrays (no networkx graph; for large graphs).

    Parameters
    ----------
    follower_ids, followee_ids : array-like
        One entry per follow (follower -> followee). Self-follows and duplicates are ignored.
        Ids may be strings or integers; they come back as strings.
    nodes : array-like, optional
        Extra node ids (accounts without edges); they get in-degree 0 and core number 0.
    followers : mapping or Series, optional
        Platform-reported follower counts by id (the ``followers`` column; <NA> where unknown).
    alpha, tol, max_iter
        PageRank options, as in :func:`pagerank`.
    two_hop : bool, default True
        Compute ``two_hop_reach`` (exact, by sparse matrix products in bounded chunks; costly on
        very large dense graphs, so it can be turned off).

    Returns
    -------
    DataFrame
        account_id, followers, in_degree, pagerank, core_number, two_hop_reach; one row per node,
        in order of first appearance (``nodes`` first), or ascending for non-negative integer
        ids. ``two_hop_reach`` is <NA> when off.

    Examples
    --------
    >>> t = influence_from_edges(["a", "b", "c", "a"], ["b", "c", "a", "a"], nodes=["d"])
    >>> t[["account_id", "in_degree", "core_number", "two_hop_reach"]].values.tolist()
    [['d', 0, 0, 0], ['a', 1, 2, 2], ['b', 1, 2, 2], ['c', 1, 2, 2]]
    """
    _check_pagerank_options(alpha, tol)
    src_in = np.asarray(follower_ids)
    dst_in = np.asarray(followee_ids)
    if src_in.shape != dst_in.shape:
        raise ParameterError(
            f"follower_ids and followee_ids differ in length ({src_in.size} vs {dst_in.size}): one entry per follow"
        )
    extra = np.asarray([] if nodes is None else nodes)
    parts = [p for p in (extra, src_in, dst_in) if p.size]
    if not parts:
        return _empty_graph_table()
    codes, uniques = _factorize(np.concatenate(parts))
    n = len(uniques)
    src = codes[extra.size:extra.size + src_in.size]
    dst = codes[extra.size + src_in.size:]
    ids = pd.array(np.asarray(uniques).astype(str), dtype="string")
    followers_of = _adjacency(src, dst, n)
    rank, _ = _pagerank_csr(followers_of, alpha=alpha, tol=tol, max_iter=max_iter)
    sym = (followers_of + followers_of.T).tocsr()
    sym.sum_duplicates()
    core = _core_numbers_csr(sym)
    table = pd.DataFrame({
        "account_id": ids,
        "followers": _reported(followers, uniques),
        "in_degree": pd.array(np.diff(followers_of.indptr), dtype="Int64"),
        "pagerank": rank,
        "core_number": pd.array(core, dtype="Int64"),
        "two_hop_reach": (pd.array(_two_hop_csr(followers_of), dtype="Int64") if two_hop
                          else pd.array([pd.NA] * n, dtype="Int64")),
    })
    return table


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes 0..n-1 for ids: ascending order for non-negative integer ids, first appearance otherwise."""
    if values.dtype.kind in "iu" and values.size and values.min() >= 0 and values.max() < 4 * values.size:
        # Dense integer ids (e.g. a benchmark or an already-encoded graph): no hashing needed.
        present = np.zeros(int(values.max()) + 1, dtype=bool)
        present[values] = True
        remap = np.cumsum(present) - 1
        return remap[values], np.flatnonzero(present)
    return pd.factorize(values)


def _reported(followers: Mapping[Any, Any] | pd.Series | None, uniques: Any) -> pd.arrays.IntegerArray:
    if followers is None:
        return pd.array([pd.NA] * len(uniques), dtype="Int64")
    series = followers if isinstance(followers, pd.Series) else pd.Series(dict(followers), dtype="object")
    series = pd.to_numeric(series, errors="coerce").astype("Int64")
    series.index = series.index.astype(str)
    return pd.array(series.reindex(pd.Index(np.asarray(uniques).astype(str))).to_numpy(), dtype="Int64")


def _empty_graph_table() -> pd.DataFrame:
    return pd.DataFrame({
        "account_id": pd.Series([], dtype="string"),
        "followers": pd.Series([], dtype="Int64"),
        "in_degree": pd.Series([], dtype="Int64"),
        "pagerank": pd.Series([], dtype="float64"),
        "core_number": pd.Series([], dtype="Int64"),
        "two_hop_reach": pd.Series([], dtype="Int64"),
    })


# --------------------------------------------------------------------------- engagement authority
def engagement_authority(
    posts: pd.DataFrame, *, as_of: Any = None, half_life_days: float = 28.0
) -> pd.DataFrame:
    """Reposts and replies earned per post, recency-weighted, for every author in ``posts``.

    A post's earned engagement is its platform-reported ``reposts + replies`` when both are
    known, otherwise the number of reposts and replies of it present in ``posts``. Reposts
    an author made are not their posts. Each post weighs ``0.5 ** (age_days / half_life_days)``
    with age counted back from ``as_of`` (default: the newest post); posts after ``as_of`` are
    ignored. ``earned_per_post = sum(weight * earned) / sum(weight)``.

    Parameters
    ----------
    posts : DataFrame
        The canonical ``posts`` table.
    as_of : timestamp, optional
        The time ages are counted back from (default: the newest post); later posts are left out.
    half_life_days : float, default 28
        Age in days at which a post counts half.

    Returns
    -------
    DataFrame
        account_id, posts_counted, earned (unweighted total), earned_per_post.

    Examples
    --------
    >>> from roi.tables import conform
    >>> posts = conform("posts", {"platform": ["x"] * 3, "post_id": ["1", "2", "3"],
    ...     "author_id": ["a", "a", "b"], "kind": ["original", "original", "repost"],
    ...     "referenced_id": [None, None, "1"],
    ...     "created_at": ["2026-01-01T00:00Z", "2026-01-29T00:00Z", "2026-01-29T00:00Z"],
    ...     "reposts": [3, None, 3], "replies": [1, None, 1]})
    >>> engagement_authority(posts).values.tolist()   # post 2: 0 known, weighs 1; post 1 weighs 0.5
    [['a', 2, 4, 1.3333333333333333]]
    """
    if half_life_days <= 0:
        raise ParameterError(f"half_life_days={half_life_days!r}: expected a positive number of days")
    columns = ["account_id", "posts_counted", "earned", "earned_per_post"]
    own = posts[(posts["kind"] != "repost") & posts["author_id"].notna() & posts["created_at"].notna()]
    when = own["created_at"].max() if as_of is None else pd.Timestamp(as_of)
    if when is not pd.NaT and when is not None and not pd.isna(when):
        when = when.tz_localize("UTC") if when.tzinfo is None else when
        own = own[own["created_at"] <= when]
    if own.empty:
        return pd.DataFrame({
            "account_id": pd.Series([], dtype="string"), "posts_counted": pd.Series([], dtype="Int64"),
            "earned": pd.Series([], dtype="Int64"), "earned_per_post": pd.Series([], dtype="float64"),
        })[columns]
    reactions = posts[posts["kind"].isin(["repost", "reply"]) & posts["referenced_id"].notna()]
    observed = reactions.groupby("referenced_id", observed=True).size()
    reported = own["reposts"].astype("Float64") + own["replies"].astype("Float64")
    fallback = own["post_id"].map(observed).fillna(0).astype("Float64")
    earned = reported.fillna(fallback).astype(float).to_numpy()
    age_days = ((when - own["created_at"]).dt.total_seconds() / 86400.0).to_numpy()
    weight = 0.5 ** (age_days / half_life_days)
    frame = pd.DataFrame({"account_id": own["author_id"].to_numpy(), "w": weight, "we": weight * earned,
                          "earned": earned})
    g = frame.groupby("account_id", sort=True)
    out = pd.DataFrame({
        "account_id": pd.array(g.size().index.astype(str), dtype="string"),
        "posts_counted": pd.array(g.size().to_numpy(), dtype="Int64"),
        "earned": pd.array(np.rint(g["earned"].sum().to_numpy()).astype(np.int64), dtype="Int64"),
        "earned_per_post": (g["we"].sum() / g["w"].sum()).to_numpy(),
    })
    return out[columns]


# --------------------------------------------------------------------------- the influence table
def _audience(G: nx.DiGraph, audience_of: Any) -> tuple[Any, list[Any]]:
    if audience_of in G:
        node = audience_of
    else:
        wanted = str(audience_of).strip().lstrip("@").casefold()
        matches = [v for v, h in G.nodes(data="handle") if h is not None and str(h).casefold() == wanted]
        if not matches:
            raise ParameterError(
                f"audience_of={audience_of!r}: no such account id or handle in the follower graph "
                f"({G.number_of_nodes()} nodes)"
            )
        node = matches[0]
    return node, [v for v in G.predecessors(node) if v != node]


def influence(
    G: nx.DiGraph,
    *,
    audience_of: Any = None,
    posts: pd.DataFrame | None = None,
    as_of: Any = None,
    half_life_days: float = 28.0,
    weights: Mapping[str, float] | None = None,
    alpha: float = 0.85,
    tol: float = 1e-6,
) -> pd.DataFrame:
    """Build the influence table: every measure side by side, a documented composite and a rank.

    Parameters
    ----------
    G : networkx.DiGraph
        A follower graph (:func:`roi.graph.follower_graph`), edge follower -> followee.
    audience_of : str, optional
        An account id or handle. When given, the table covers that account's followers and every
        graph measure is computed on the subgraph they induce (the account itself left out:
        everyone in it follows the account, which would only add a constant).
    posts : DataFrame, optional
        The canonical ``posts`` table, for ``earned_per_post``; without it that column is <NA>
        and left out of the composite.
    as_of : timestamp, optional
        Reference time for the recency weights (default: the newest post).
    half_life_days : float, default 28
        Recency half-life of earned engagement.
    weights : mapping, optional
        Weights of the composite's components (keys of :data:`COMPOSITE_WEIGHTS`); default equal.
    alpha, tol
        PageRank damping and tolerance (see :func:`pagerank`).

    Returns
    -------
    DataFrame
        Columns :data:`INFLUENCE_COLUMNS`, sorted by ``rank`` (1 = most influential).
        ``composite`` is the weighted mean of the components' percentile ranks (0-1, ties
        averaged), over the components known for that account.

    Raises
    ------
    ParameterError
        Unknown ``audience_of``, unknown weight name, or bad PageRank options.

    Examples
    --------
    >>> G = nx.DiGraph([("b", "a"), ("c", "a"), ("c", "b"), ("d", "b"), ("a", "c")])
    >>> t = influence(G)
    >>> t[["account_id", "in_degree", "core_number", "rank"]].values.tolist()
    [['a', 2, 2, 1], ['b', 2, 2, 2], ['c', 1, 2, 3], ['d', 0, 1, 4]]
    """
    w = dict(COMPOSITE_WEIGHTS if weights is None else weights)
    unknown = sorted(set(w) - set(COMPOSITE_WEIGHTS))
    if unknown:
        raise ParameterError(f"weights: unknown component(s) {unknown}; expected keys of {sorted(COMPOSITE_WEIGHTS)}")
    if audience_of is not None:
        _, members = _audience(G, audience_of)
        H = G.subgraph(members)
    else:
        H = G
    nodes, src, dst = _codes(H)
    ids = np.asarray([str(v) for v in nodes], dtype=object)
    table = influence_from_edges(
        ids[src], ids[dst], nodes=ids,
        followers={str(v): c for v, c in H.nodes(data="followers_count") if c is not None},
        alpha=alpha, tol=tol,
    )
    handles = {str(v): h for v, h in H.nodes(data="handle") if h is not None}
    table.insert(1, "handle", pd.array(table["account_id"].map(handles).astype(object), dtype="string"))
    if posts is not None and len(table):
        auth = engagement_authority(posts, as_of=as_of, half_life_days=half_life_days)
        table = table.merge(auth[["account_id", "posts_counted", "earned_per_post"]], on="account_id", how="left")
        table["posts_counted"] = table["posts_counted"].fillna(0).astype("Int64")
        # An account with no posts in the window has earned nothing we can see: unknown, not zero.
        table["earned_per_post"] = table["earned_per_post"].astype("Float64")
    else:
        table["posts_counted"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["earned_per_post"] = pd.array([pd.NA] * len(table), dtype="Float64")
    table["composite"] = _composite(table, w)
    order = table.sort_values(["composite", "pagerank", "account_id"], ascending=[False, False, True],
                              kind="stable").index
    table = table.loc[order].reset_index(drop=True)
    table["rank"] = pd.array(np.arange(1, len(table) + 1), dtype="Int64")
    table["earned_per_post"] = table["earned_per_post"].astype("Float64")
    return table[INFLUENCE_COLUMNS]


def _composite(table: pd.DataFrame, weights: Mapping[str, float]) -> pd.Series:
    if table.empty:
        return pd.Series([], dtype="float64")
    total = pd.Series(0.0, index=table.index)
    weight_sum = pd.Series(0.0, index=table.index)
    for name, weight in weights.items():
        if weight == 0:
            continue
        values = table[name].astype("Float64")
        pct = values.rank(pct=True, method="average").astype("float64")
        known = pct.notna()
        total[known] += weight * pct[known]
        weight_sum[known] += weight
    return (total / weight_sum.where(weight_sum > 0)).astype("float64")
