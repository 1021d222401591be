"""How reposts travel: over follow edges, with heavy-tailed delays, from adopter to adopter.

A follower of an adopter sees the repost with a probability set by how active they are at that
moment, after a delay that is usually minutes and sometimes days; having seen it, they engage at
the post's planted per-impression rate, and a repost makes them an adopter in turn. Each repost's
true parent is the adopter whose repost they saw first (or the source, for those who saw the
brand's post itself). The usual reconstruction (most recent earlier adopter whom the reposter
follows, else the source) recovers most of these parents but not all: a follower of the brand who
also follows an earlier adopter, or who follows two adopters, is where it goes wrong.
"""

from __future__ import annotations

import heapq

import numpy as np

__all__ = ["delays_ms", "spread"]

SEE_REPOST = 0.3  # chance that an active follower sees an adopter's repost


def delays_ms(rng: np.random.Generator, size: int) -> np.ndarray:
    """Time from exposure to seeing/acting: mostly minutes, a long tail of days.

    95% lognormal around 18 minutes, 5% lognormal around 20 hours (people catching up later).
    """
    fast = rng.lognormal(np.log(18 * 60_000), 1.25, size)
    slow = rng.lognormal(np.log(20 * 3_600_000), 0.9, size)
    return np.where(rng.random(size) < 0.95, fast, slow).astype(np.int64) + 5_000


def spread(rng, *, adopters, adopt_ms, seen, indptr, followers, can_view, see_prob, decide, horizon_ms):
    """Propagate reposts from the first adopters of one post over the follow graph.

    Parameters
    ----------
    adopters, adopt_ms : int arrays
        The first-generation adopters (they saw the source) and when they reposted.
    rng : numpy Generator
        The sample's random stream (seeded: the same seed writes the same sample).
    seen : bool array over accounts
        Who has seen the post; updated in place (a private per-post scratch array).
    indptr, followers : int arrays
        CSR of who follows each account.
    can_view : bool array
        Accounts that view at all (not bots, not the brand).
    see_prob : callable(accounts, t_ms)
        The probability of seeing a repost at time t.
    decide : callable(accounts, n, via_repost=True)
        Engagement kind codes of the viewers (0 = none).
    horizon_ms : int
        Nothing after this time happens.

    Returns
    -------
    (viewers, view_ms, kinds, parents): every new viewer reached through reposts, when they saw
    it, what they did, and the adopter whose repost they saw.
    """
    heap: list[tuple[int, int, int]] = []
    out_v, out_t, out_k, out_p = [], [], [], []

    def expose(a: int, t_a: int) -> None:
        f = followers[indptr[a]:indptr[a + 1]]
        f = f[can_view[f] & ~seen[f]]
        if len(f) == 0:
            return
        hit = f[rng.random(len(f)) < see_prob(f, t_a)]
        if len(hit) == 0:
            return
        t = t_a + delays_ms(rng, len(hit))
        for acc, tt in zip(hit.tolist(), t.tolist(), strict=False):
            if tt < horizon_ms:
                heapq.heappush(heap, (tt, acc, a))

    for a, t_a in sorted(zip(adopters.tolist(), adopt_ms.tolist(), strict=False), key=lambda x: (x[1], x[0])):
        expose(a, t_a)
    while heap:
        t, acc, parent = heapq.heappop(heap)
        if seen[acc]:
            continue
        seen[acc] = True
        kind = int(decide(np.array([acc]), 1, via_repost=True)[0])
        out_v.append(acc)
        out_t.append(t)
        out_k.append(kind)
        out_p.append(parent)
        if kind == REPOST:
            expose(acc, t + 1000)
    return (np.array(out_v, dtype=np.int64), np.array(out_t, dtype=np.int64),
            np.array(out_k, dtype=np.int8), np.array(out_p, dtype=np.int64))


REPOST = 3
