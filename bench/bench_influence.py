"""Influence table (PageRank + k-core + in-degree + followers) on seeded power-law-ish follower graphs.

roi's path is :func:`roi.graph.influence_from_edges` (scipy.sparse power iteration + numpy k-core
peeling; no networkx graph). References, measured side by side in the same run on the same edges:

* igraph: PageRank (PRPACK) + coreness of the collapsed undirected graph. Its graph is built
  first and the build is timed separately; the ratio uses igraph's compute time only, which is
  the strictest comparison for roi (roi's figure includes turning ids into a sparse matrix).
* networkx: ``pagerank`` with the tolerance that gives the same accuracy as roi (L1 change below
  ~1.8e-7, i.e. ``tol = 1.8e-7 / N`` in networkx's N·tol rule) + ``core_number`` on the
  undirected graph, including building the DiGraph. Only up to ``--nx-max`` nodes; the 1M figure
  is extrapolated linearly from the largest measured size and marked as such.

Graph: node i (1 <= i < N) picks followees among older nodes, ``dst = floor(src * U**2)``, so old
nodes gather many followers (heavy-tailed in-degree, a few hubs), like accounts that joined early.

    python bench/bench_influence.py                 # 10k, 100k, 1M nodes (10 edges per node)
    python bench/bench_influence.py --sizes 10000 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import inspect
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import median_time, peak_rss_of, report  # noqa: E402

from roi.graph import influence_from_edges  # noqa: E402


def follower_edges(n, m, seed=0):
    """Seeded edges: node i follows older nodes, dst = floor(src * U**2)."""
    rng = np.random.default_rng(seed)
    src = rng.integers(1, n, m)
    dst = np.floor(src * rng.random(m) ** 2).astype(np.int64)
    return src, dst


GENERATE = "import numpy as np\n" + inspect.getsource(follower_edges)  # the same generator in the child


def roi_table(src, dst, followers):
    return influence_from_edges(src, dst, followers=followers, two_hop=False)


def igraph_build(src, dst, n):
    import igraph as ig

    g = ig.Graph(n=n, edges=np.column_stack([src, dst]).tolist(), directed=True)
    g.simplify(multiple=True, loops=True)
    return g


def igraph_compute(g):
    pr = g.pagerank(damping=0.85, implementation="prpack")
    core = g.as_undirected(mode="collapse").coreness()
    return np.asarray(pr), np.asarray(core)


def networkx_table(src, dst, n):
    import networkx as nx

    G = nx.DiGraph()
    G.add_nodes_from(range(n))
    G.add_edges_from(zip(src.tolist(), dst.tolist(), strict=True))
    G.remove_edges_from(nx.selfloop_edges(G))
    pr = nx.pagerank(G, alpha=0.85, tol=1.8e-7 / n, max_iter=1000)
    core = nx.core_number(nx.Graph(G.to_undirected(as_view=True)))
    return pr, core


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--edges-per-node", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--nx-max", type=int, default=100_000, help="largest size networkx is run at")
    args = parser.parse_args(argv)

    rows = []
    nx_rate = None
    for n in args.sizes:
        m = n * args.edges_per_node
        src, dst = follower_edges(n, m)
        followers = dict(enumerate(np.random.default_rng(1).integers(0, 10_000, n).tolist()))
        t_roi, table = median_time(lambda s=src, d=dst, f=followers: roi_table(s, d, f), repeat=args.repeat)
        _, rss_roi = peak_rss_of(
            GENERATE + f"\nfrom roi.graph import influence_from_edges\nsrc, dst = follower_edges({n}, {m})\n"
            "influence_from_edges(src, dst, two_hop=False)")
        rows.append({"size": f"{n:,} nodes / {m:,} edges", "impl": "roi (scipy.sparse + numpy k-core)",
                     "seconds": t_roi, "peak_MiB": rss_roi, "note": f"median of {args.repeat}"})

        import igraph  # noqa: F401  (imported before timing the build)

        t_build = time.perf_counter()
        g = igraph_build(src, dst, n)
        t_build = time.perf_counter() - t_build
        t_ig, (pr_ig, core_ig) = median_time(lambda g=g: igraph_compute(g), repeat=args.repeat)
        order = table["account_id"].astype(int).to_numpy()
        pr_diff = float(np.abs(table["pagerank"].to_numpy() - pr_ig[order]).max())
        core_same = bool((table["core_number"].to_numpy(dtype=np.int64) == core_ig[order]).all())
        rows.append({"size": f"{n:,} nodes / {m:,} edges", "impl": "igraph (PRPACK + coreness)",
                     "seconds": t_ig, "note": f"compute only; graph build {t_build:.1f} s; "
                     f"max |PR diff| {pr_diff:.1e}; k-core identical: {core_same}"})
        del g

        if n <= args.nx_max:
            t_nx, (pr_nx, core_nx) = median_time(lambda s=src, d=dst, k=n: networkx_table(s, d, k), repeat=1)
            nx_rate = t_nx / m
            diff = max(abs(pr_nx.get(i, 0.0) - p) for i, p in zip(order.tolist(), table["pagerank"].tolist(), strict=True))
            rows.append({"size": f"{n:,} nodes / {m:,} edges", "impl": "networkx (pagerank + core_number)",
                         "seconds": t_nx, "note": f"1 run incl. DiGraph build; max |PR diff| {diff:.1e}"})
        elif nx_rate is not None:
            rows.append({"size": f"{n:,} nodes / {m:,} edges", "impl": "networkx (pagerank + core_number)",
                         "seconds": nx_rate * m, "note": "EXTRAPOLATED linearly from the largest measured size"})
        fastest = min(r["seconds"] for r in rows if r["size"].startswith(f"{n:,} ") and "EXTRA" not in r.get("note", ""))
        for r in rows:
            if r["size"].startswith(f"{n:,} "):
                r["ratio_to_fastest"] = r["seconds"] / fastest
        print(f"... {n:,} nodes done", flush=True)
    report("influence", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
