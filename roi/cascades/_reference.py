"""Plain per-node reference implementations: slow on purpose, for tests and benchmarks only.

They follow the definitions literally (dicts, one Python step per node or repost) so the fast
vectorised code in :mod:`roi.cascades.metrics` and :mod:`roi.cascades.reconstruct` can be
checked against them and timed against them.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd


def reference_tree_metrics(parents: dict) -> dict:
    """size, depth, max_breadth, wiener_index of one tree {node: parent or None}."""
    children = defaultdict(list)
    root = None
    for node, parent in parents.items():
        if parent is None:
            root = node
        else:
            children[parent].append(node)
    depth = {root: 0}
    order = [root]
    for node in order:  # breadth-first
        for c in children[node]:
            depth[c] = depth[node] + 1
            order.append(c)
    size = {}
    for node in reversed(order):
        size[node] = 1 + sum(size[c] for c in children[node])
    n = len(order)
    breadth = defaultdict(int)
    for d in depth.values():
        breadth[d] += 1
    wiener = sum(size[v] * (n - size[v]) for v in order if v != root)
    return {"size": n, "depth": max(depth.values()), "max_breadth": max(breadth.values()),
            "wiener_index": wiener, "structural_virality": 2 * wiener / (n * (n - 1)) if n > 1 else 0.0}


def reference_reconstruct(posts: pd.DataFrame, follows: pd.DataFrame) -> dict:
    """{repost post_id: parent post_id} for reposts: most recent earlier followed adopter, else source.

    Follow edges are taken as present at every time (as in the benchmark's static graph).
    """
    followees = defaultdict(set)
    for a, b in zip(follows["follower_id"], follows["followee_id"], strict=False):
        followees[a].add(b)
    by_id = {pid: (author, t) for pid, author, t in zip(posts["post_id"], posts["author_id"], posts["created_at"], strict=False)}
    adopters = defaultdict(list)  # source -> [(time, account, post)]
    for pid, author, t, kind, ref in zip(posts["post_id"], posts["author_id"], posts["created_at"],
                                         posts["kind"], posts["referenced_id"], strict=False):
        if kind == "repost":
            adopters[ref].append((t, author, pid))
    parents = {}
    for source, reposts in adopters.items():
        seen: dict = {}
        if source in by_id:
            author, t = by_id[source]
            seen[author] = (t, source)
        for t, author, pid in sorted(reposts):
            best = None
            for followee in followees[author]:
                if followee in seen and seen[followee][0] < t and (best is None or seen[followee][0] > best[0]):
                    best = seen[followee]
            parents[pid] = best[1] if best else source
            seen.setdefault(author, (t, pid))
    return parents
