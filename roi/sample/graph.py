"""Who follows whom: follow edges among the population and the brand's follower timeline.

Edges are drawn the way preferential attachment leaves a network: a new follow goes to an
account with probability proportional to a power of its popularity, boosted for accounts in the
same country (homophily); a share of follows is returned (reciprocity 0.2-0.4). Follow farms
follow at random and are followed by nobody in the audience. The brand's followers join and leave
week by week (growth and churn), observed at weekly snapshots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from roi.sample.population import Population

__all__ = ["FollowGraph", "follower_flows", "build_graph", "HOMOPHILY", "RECIPROCATION"]

HOMOPHILY = 4.0  # a same-country account is this many times likelier to be followed
RECIPROCATION = 0.2  # share of follows that are followed back
ATTRACTION_EXPONENT = 0.65  # popularity ** exponent: how strongly popular accounts attract follows
EDGES_PER_FOLLOWING = 0.02  # share of an account's followings that fall inside the population


@dataclass
class FollowGraph:
    """Edges (indices into the population) with the snapshots in which each is present."""

    src: np.ndarray  # follower
    dst: np.ndarray  # followee
    first_snap: np.ndarray
    last_snap: np.ndarray
    join_ms: np.ndarray  # per account: when it followed the brand (int64 max: never)
    leave_ms: np.ndarray  # per account: when it unfollowed the brand (int64 max: never)
    snapshots_ms: np.ndarray

    def brand_followers_at(self, t_ms: int) -> np.ndarray:
        """Return the indices of accounts following the brand at time t."""
        return np.flatnonzero((self.join_ms <= t_ms) & (self.leave_ms > t_ms))

    def followers_csr(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """(indptr, followers) so that followers[indptr[j]:indptr[j+1]] follow account j."""
        order = np.argsort(self.dst, kind="stable")
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.dst, minlength=n), out=indptr[1:])
        return indptr, self.src[order]


def follower_flows(rng: np.random.Generator, *, followers: int, weeks: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw new and lost followers per week, such that the last snapshot counts ``followers``.

    Growth ~1.5% and churn ~0.8% a week, with week-to-week variation (a good week, a bad week).
    """
    growth = rng.gamma(4.0, 0.015 / 4.0, weeks)
    churn = rng.gamma(6.0, 0.008 / 6.0, weeks)
    new = rng.poisson(followers * growth)
    lost = rng.poisson(followers * churn)
    return new.astype(np.int64), lost.astype(np.int64)


def _draw_targets(rng, sources, k, attract, groups, source_group, homophily):
    """For each source, k[source] targets drawn by attractiveness, boosted within its group."""
    src_all, dst_all = [], []
    for g in np.unique(source_group[sources]):
        s = sources[source_group[sources] == g]
        kk = k[s]
        if kk.sum() == 0:
            continue
        w = attract * np.where(groups == g, homophily, 1.0)
        cdf = np.cumsum(w)
        u = rng.random(int(kk.sum())) * cdf[-1]
        dst_all.append(np.searchsorted(cdf, u, side="right"))
        src_all.append(np.repeat(s, kk))
    return np.concatenate(src_all), np.concatenate(dst_all)


def build_graph(rng: np.random.Generator, pop: Population, *, new: np.ndarray, lost: np.ndarray,
                snapshots_ms: np.ndarray) -> FollowGraph:
    """Follow edges among the population and the brand's follower timeline.

    Parameters
    ----------
    rng : numpy Generator
        The sample's random stream (seeded: the same seed writes the same sample).
    pop : Population
        The simulated accounts (:func:`roi.sample.population.build_population`).
    new, lost : int arrays
        Followers gained and lost in each week (between snapshot w and w + 1).
    snapshots_ms : int array
        Snapshot times (weeks + 1 of them), milliseconds UTC.
    """
    n = len(pop)
    weeks = len(new)
    never = np.iinfo(np.int64).max

    # --- the brand's followers over time -------------------------------------------------------
    aud = pop.indices("audience")
    initial_first = pop.hub[aud] | (pop.spam_type[aud] == "follow_farm")
    order = np.concatenate([aud[initial_first], rng.permutation(aud[~initial_first])])
    n0 = len(aud) - int(new.sum())
    join = np.full(n, never, dtype=np.int64)
    leave = np.full(n, never, dtype=np.int64)
    join[order[:n0]] = snapshots_ms[0] - rng.integers(1, 3000, n0) * 86400000
    pos = n0
    for w in range(weeks):
        lo, hi = snapshots_ms[w], snapshots_ms[w + 1]
        joiners = order[pos:pos + new[w]]
        pos += new[w]
        join[joiners] = rng.integers(lo + 60000, hi - 60000, len(joiners))
        present = np.flatnonzero((join <= lo) & (leave == never) & ~pop.hub)
        leavers = rng.choice(present, size=min(int(lost[w]), len(present)), replace=False)
        leave[leavers] = rng.integers(lo + 60000, hi - 60000, len(leavers))

    # --- follows among the population ----------------------------------------------------------
    people = np.flatnonzero(np.isin(pop.role, ["audience", "outer", "link_spam", "partner"]))
    farm = pop.spam_type == "follow_farm"
    linkspam = pop.spam_type == "link_spam"
    attract = np.zeros(n)
    attract[people] = np.maximum(pop.followers_count[people], 1) ** ATTRACTION_EXPONENT
    attract[farm | linkspam] *= 0.01
    k = np.zeros(n, dtype=np.int64)
    k[people] = rng.poisson(np.minimum(pop.following_count[people], 5000) * EDGES_PER_FOLLOWING)
    k[linkspam] //= 3
    groups = pop.country.astype(object).copy()
    source_group = groups.copy()
    source_group[farm] = "__farm"  # farms follow at random, no homophily
    src, dst = _draw_targets(rng, people, k, attract, groups, source_group, HOMOPHILY)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    # Reciprocity: some follows are returned (never by a brand-like account to a farm).
    back = (rng.random(len(src)) < RECIPROCATION) & ~farm[dst]
    src, dst = np.concatenate([src, dst[back]]), np.concatenate([dst, src[back]])
    key = np.unique(src.astype(np.int64) * n + dst)
    src, dst = (key // n).astype(np.int64), (key % n).astype(np.int64)

    # Customer service, partners and the brand's own follows.
    cs_fans = aud[rng.random(len(aud)) < 0.08]
    partner = pop.indices("partner")
    extra_src = np.concatenate([cs_fans, [0, 1, 0, 0, 0], partner])
    extra_dst = np.concatenate([np.full(len(cs_fans), 1), [1, 0, *partner], np.zeros(len(partner), dtype=np.int64)])
    key = np.unique(np.concatenate([src * n + dst, extra_src * n + extra_dst]))
    src, dst = (key // n).astype(np.int64), (key % n).astype(np.int64)

    # A little churn among the edges too: a few appear after the first snapshot or vanish.
    s = len(snapshots_ms)
    first = np.where(rng.random(len(src)) < 0.04, rng.integers(1, s, len(src)), 0)
    last = np.where(rng.random(len(src)) < 0.03, rng.integers(0, s - 1, len(src)), s - 1)
    last = np.maximum(last, first)
    return FollowGraph(src=src, dst=dst, first_snap=first, last_snap=last, join_ms=join,
                       leave_ms=leave, snapshots_ms=np.asarray(snapshots_ms, dtype=np.int64))
