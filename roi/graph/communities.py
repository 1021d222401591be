"""Communities in the audience: seeded Louvain, each labelled by hashtags, locations and top members."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import networkx as nx
import numpy as np
import pandas as pd

from roi.errors import ParameterError

__all__ = ["community_membership", "communities", "COMMUNITY_COLUMNS"]

COMMUNITY_COLUMNS = ["community", "size", "share", "top_members", "top_hashtags", "top_locations",
                     "members_posting", "members_located", "label"]


def community_membership(G: nx.Graph, *, seed: int = 0, resolution: float = 1.0) -> pd.DataFrame:
    """Louvain communities of the undirected simple graph of ``G`` (a mutual follow is one edge).

    Parameters
    ----------
    G : networkx graph
        The follow graph; direction and parallel edges are ignored.
    seed : int, default 0
        Louvain visits nodes in random order: the seed makes the result reproducible.
    resolution : float, default 1.0
        Above 1 favours smaller communities, below 1 larger ones.

    Returns
    -------
    DataFrame
        account_id, community: communities numbered 0, 1, ... from the largest (ties by smallest
        member id). Isolated accounts form their own one-member communities.

    Examples
    --------
    >>> G = nx.DiGraph([(1, 2), (2, 3), (3, 1), (4, 5), (5, 6), (6, 4), (3, 4)])
    >>> community_membership(G, seed=1).groupby("community").account_id.apply(list).tolist()
    [['1', '2', '3'], ['4', '5', '6']]
    """
    if not resolution > 0:
        raise ParameterError(f"resolution={resolution!r}: expected a positive number (1.0 is standard Louvain)")
    U = nx.Graph()
    U.add_nodes_from(G)
    U.add_edges_from((u, v) for u, v in G.edges() if u != v)
    if U.number_of_nodes() == 0:
        return pd.DataFrame({"account_id": pd.Series([], dtype="string"), "community": pd.Series([], dtype="Int64")})
    parts = nx.community.louvain_communities(U, seed=seed, resolution=resolution)
    parts = sorted((sorted(map(str, p)) for p in parts), key=lambda p: (-len(p), p[0]))
    rows = [(member, i) for i, p in enumerate(parts) for member in p]
    table = pd.DataFrame(rows, columns=["account_id", "community"])
    return table.astype({"account_id": "string", "community": "Int64"})


def _top(counter: Counter, top: int) -> str:
    return ", ".join(f"{k} ({n})" for k, n in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:top])


def _distinctive(tags: dict[int, Counter], *, exclude: set[str], min_count: int = 2, top: int = 2) -> dict[int, list[str]]:
    """Per community, the hashtags most over-represented against the whole audience.

    Score = count in the community × log(share in the community / share overall): frequent and
    specific beats merely frequent (a hashtag everyone uses, like the brand's own, scores 0).
    """
    overall = Counter()
    for counter in tags.values():
        overall.update(counter)
    n_all = sum(overall.values()) or 1
    out = {}
    for c, counter in tags.items():
        n_c = sum(counter.values()) or 1
        scored = []
        for tag, k in counter.items():
            if k < min_count or str(tag).casefold() in exclude:
                continue
            lift = (k / n_c) / (overall[tag] / n_all)
            if lift > 1.0:
                scored.append((-k * np.log(lift), str(tag)))
        out[c] = [t for _, t in sorted(scored)[:top]]
    return out


def communities(
    G: nx.Graph,
    *,
    posts: pd.DataFrame | None = None,
    seed: int = 0,
    resolution: float = 1.0,
    top: int = 3,
    membership: pd.DataFrame | None = None,
    exclude: Iterable[str] = (),
) -> pd.DataFrame:
    """Community sizes and labels: most common hashtags, locations and best-connected members.

    Parameters
    ----------
    G : networkx graph
        A follower graph whose nodes may carry ``handle`` and ``location`` attributes.
    posts : DataFrame, optional
        Canonical posts: hashtags used by members (reposts excluded) label each community.
    seed, resolution
        Passed to :func:`community_membership` (ignored when ``membership`` is given).
    top : int, default 3
        How many hashtags, locations and members to list.
    membership : DataFrame, optional
        A precomputed :func:`community_membership` table.
    exclude : iterable of str
        Handles and hashtags never used in a ``label`` (the brand itself: it is in every community).

    Returns
    -------
    DataFrame
        Columns :data:`COMMUNITY_COLUMNS`. ``share`` = size / accounts in the graph;
        ``top_members`` are handles (or ids) by in-degree inside the community; labels read
        ``"value (count)"``; ``members_posting`` and ``members_located`` say how many members the
        hashtag and location labels rest on. ``label`` names the community for people: its most
        distinctive hashtags (over-represented against the whole audience) and its best-connected
        member, never an excluded handle or a free-text location (locations are often bio
        fragments such as pronouns).

    Examples
    --------
    >>> G = nx.DiGraph([(1, 2), (2, 3), (3, 1), (4, 5), (5, 6), (6, 4), (3, 4)])
    >>> nx.set_node_attributes(G, {1: "Paris", 2: "paris ", 4: "Lima"}, "location")
    >>> communities(G, seed=1)[["community", "size", "top_locations"]].values.tolist()
    [[0, 3, 'paris (2)'], [1, 3, 'lima (1)']]
    """
    if top < 1:
        raise ParameterError(f"top={top!r}: expected a positive number of labels")
    members = community_membership(G, seed=seed, resolution=resolution) if membership is None else membership
    if members.empty:
        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in zip(
            COMMUNITY_COLUMNS, ["Int64", "Int64", "float64", "string", "string", "string", "Int64", "Int64", "string"],
            strict=True)})
    by_id = {str(v): v for v in G}
    community_of = dict(zip(members["account_id"], members["community"], strict=True))
    tags: dict[int, Counter] = {}
    posting: dict[int, set] = {}
    if posts is not None and len(posts):
        own = posts[(posts["kind"] != "repost") & posts["author_id"].isin(community_of)]
        exploded = own[["author_id", "hashtags"]].explode("hashtags").dropna(subset=["hashtags"])
        for author, tag in zip(exploded["author_id"], exploded["hashtags"], strict=True):
            tags.setdefault(community_of[author], Counter())[tag] += 1
        for author in own["author_id"].unique():
            posting.setdefault(community_of[author], set()).add(author)
    skip = {str(x).casefold().lstrip("@#") for x in exclude}
    distinctive = _distinctive(tags, exclude=skip)
    rows = []
    n_total = len(members)
    for c, group in members.groupby("community", sort=True):
        ids = group["account_id"].tolist()
        nodes = [by_id[i] for i in ids if i in by_id]
        sub = G.subgraph(nodes)
        degree = sub.in_degree() if sub.is_directed() else sub.degree()
        best = sorted(nodes, key=lambda v: (-degree[v], str(v)))[:top]
        names = [str(G.nodes[v].get("handle") or v) for v in best]
        ranked = sorted(nodes, key=lambda v: (-degree[v], str(v)))
        leader = next((str(G.nodes[v].get("handle")) for v in ranked
                       if G.nodes[v].get("handle") and str(G.nodes[v].get("handle")).casefold() not in skip
                       and str(v) not in skip), None)
        words = [f"#{t}" for t in distinctive.get(c, [])] + ([f"@{leader}"] if leader else [])
        locations = Counter(
            " ".join(str(loc).split()).casefold()
            for v in nodes if (loc := G.nodes[v].get("location")) and str(loc).strip()
        )
        rows.append({
            "community": c, "size": len(ids), "share": len(ids) / n_total,
            "top_members": ", ".join(names), "top_hashtags": _top(tags.get(c, Counter()), top),
            "top_locations": _top(locations, top), "members_posting": len(posting.get(c, ())),
            "members_located": sum(locations.values()),
            "label": " · ".join(words) if words else f"community {c}",
        })
    table = pd.DataFrame(rows, columns=COMMUNITY_COLUMNS)
    return table.astype({"community": "Int64", "size": "Int64", "share": "float64", "top_members": "string",
                         "top_hashtags": "string", "top_locations": "string", "members_posting": "Int64",
                         "members_located": "Int64", "label": "string"})
