"""Engagement from exposure: who sees each brand post, who engages, clicks and converts.

For each brand post, each current follower sees it with a probability set by how active they are
at that local hour; every impression (direct, through a repost, or from a broadcaster's wider
audience) engages with the post's planted per-impression rate (see :mod:`roi.sample.effects`);
an engagement is a like, link click, repost, reply or quote. Reposts spread further
(:mod:`roi.sample.cascades`). Link clicks convert with the planted conversion rate.
Impressions therefore always exceed engaged accounts, and every count is as of a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi.sample import effects
from roi.sample.activity import Clock, activity
from roi.sample.cascades import REPOST, SEE_REPOST, delays_ms, spread
from roi.sample.graph import FollowGraph
from roi.sample.population import Population

__all__ = ["Events", "simulate_engagement", "NONE", "LIKE", "CLICK", "REPOST", "REPLY", "QUOTE"]

NONE, LIKE, CLICK, REPLY, QUOTE = 0, 1, 2, 4, 5
KIND_CODES = {"like": LIKE, "link_click": CLICK, "repost": REPOST, "reply": REPLY, "quote": QUOTE}
SEE_DIRECT = 0.10  # chance that a follower at average activity sees a brand post
BROADCAST_REACH = 0.006  # share of a broadcaster's own followers who see its repost
REPOST_BOOST = 5.0  # reposts are this much more of the engagements of those who saw a repost
PROPENSITY_SIGMA = 0.9  # accounts differ in how much they engage (lognormal, mean 1)


@dataclass
class Events:
    """Every impression of a brand post and what came of it (one row per viewer per post)."""

    post: np.ndarray  # index into the brand schedule
    t_ms: np.ndarray  # when it was seen (and acted on)
    kind: np.ndarray  # NONE, LIKE, CLICK, REPOST, REPLY, QUOTE
    actor: np.ndarray  # account index, -1 for viewers outside the modelled population
    parent: np.ndarray  # reposts: the adopter whose repost was seen (-1: the source itself)
    converted: np.ndarray  # clicks: the click became a conversion
    revenue: np.ndarray  # revenue of a conversion (0 otherwise)


def engagement_rate(schedule: pd.DataFrame) -> np.ndarray:
    """Return the planted per-impression engagement probability of each brand post."""
    return np.clip(
        effects.ENGAGEMENT_BASE_RATE
        * np.asarray(effects.HOUR_RR)[schedule["local_hour"].to_numpy()]
        * np.asarray(effects.HASHTAGS_RR)[np.minimum(schedule["n_hashtags"].to_numpy(), 4)]
        * np.where(schedule["mention"].to_numpy(), effects.MENTION_RR, 1.0)
        * np.where(schedule["question"].to_numpy(), effects.QUESTION_RR, 1.0)
        * schedule["content"].map(effects.CONTENT_RR).to_numpy(dtype=float)
        * schedule["frailty"].to_numpy(),
        0, 0.9,
    )


def conversion_rate(schedule: pd.DataFrame) -> np.ndarray:
    """Return the planted conversions-per-click probability of each brand post."""
    return np.clip(
        effects.CONVERSION_BASE_RATE
        * np.asarray(effects.CONVERSION_HOUR_RR)[schedule["local_hour"].to_numpy()]
        * np.where(schedule["n_hashtags"].to_numpy() > 0, effects.CONVERSION_HASHTAG_RR["1+"],
                   effects.CONVERSION_HASHTAG_RR["0"]),
        0, 1,
    )


def _mix(link: bool, *, via_repost: bool) -> tuple[np.ndarray, np.ndarray]:
    mix = dict(effects.ENGAGEMENT_MIX["link" if link else "nolink"])
    if via_repost:
        # Who sees a post because a friend reposted it passes it on more readily (social proof).
        mix["repost"] *= REPOST_BOOST
    codes = np.array([KIND_CODES[k] for k in mix], dtype=np.int8)
    probs = np.array(list(mix.values()))
    return codes, probs / probs.sum()


def _decider(rng, p: float, link: bool, propensity: np.ndarray):
    direct = _mix(link, via_repost=False)
    shared = _mix(link, via_repost=True)

    def decide(accounts: np.ndarray | None, n: int, *, via_repost: bool = False) -> np.ndarray:
        scale = 1.0 if accounts is None else propensity[accounts]
        engaged = rng.random(n) < np.minimum(p * scale, 0.95)
        codes, probs = shared if via_repost else direct
        kinds = codes[rng.choice(len(codes), size=n, p=probs)]
        return np.where(engaged, kinds, NONE).astype(np.int8)

    return decide


def simulate_engagement(rng: np.random.Generator, pop: Population, graph: FollowGraph, clock: Clock,
                        schedule: pd.DataFrame, *, broadcast_posts: np.ndarray, horizon_ms: int) -> Events:
    """Impressions, engagements, reposts (with cascades), clicks and conversions of every brand post.

    Parameters
    ----------
    rng : numpy Generator
        The sample's random stream (seeded: the same seed writes the same sample).
    pop : Population
        The simulated accounts (:func:`roi.sample.population.build_population`).
    graph : FollowGraph
        Who follows whom (:func:`roi.sample.graph.build_graph`).
    clock : Clock
        Local hours of every account (:class:`roi.sample.activity.Clock`).
    schedule : DataFrame
        The brand's posts (time, content, hashtags) whose engagement is simulated.
    broadcast_posts : int array
        Brand posts that a high-follower account (a hub) reposts: the broadcast hits.
    horizon_ms : int
        Nothing after this time is simulated (the last collection).
    """
    n = len(pop)
    indptr, followers = graph.followers_csr(n)
    can_view = np.isin(pop.role, ["audience", "outer", "partner"]) & (pop.spam_type == None)  # noqa: E711
    hubs = np.flatnonzero(pop.hub)
    p_eng = engagement_rate(schedule)
    # Some people engage with everything, most rarely: a lognormal propensity with mean 1 over
    # the viewers, independent of post features, so the planted rate ratios are untouched.
    propensity = np.exp(PROPENSITY_SIGMA * rng.standard_normal(n))
    propensity /= propensity[can_view].mean()
    p_conv = conversion_rate(schedule)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("post", "t", "kind", "actor", "parent")}

    def see_repost(acc, t):
        return np.clip(SEE_REPOST * activity(clock, pop.chronotype, np.full(len(acc), t), acc), 0, 0.9)

    def add(j, t, kind, actor, parent):
        cols["post"].append(np.full(len(t), j, dtype=np.int64))
        cols["t"].append(np.asarray(t, dtype=np.int64))
        cols["kind"].append(np.asarray(kind, dtype=np.int8))
        cols["actor"].append(np.asarray(actor, dtype=np.int64))
        cols["parent"].append(np.asarray(parent, dtype=np.int64))

    broadcast = set(np.asarray(broadcast_posts).tolist())
    for j, row in enumerate(schedule.itertuples(index=False)):
        t0 = int(row.created_ms)
        decide = _decider(rng, float(p_eng[j]), bool(row.link), propensity)
        seen = np.zeros(n, dtype=bool)
        seen[:2] = True
        # Direct impressions among the brand's current followers.
        fol = graph.brand_followers_at(t0)
        fol = fol[can_view[fol]]
        p_see = np.clip(SEE_DIRECT * activity(clock, pop.chronotype, np.full(len(fol), t0), fol), 0, 0.9)
        viewers = fol[rng.random(len(fol)) < p_see]
        t_view = t0 + delays_ms(rng, len(viewers))
        ok = t_view < horizon_ms
        viewers, t_view = viewers[ok], t_view[ok]
        kinds = decide(viewers, len(viewers))
        seen[viewers] = True
        add(j, t_view, kinds, viewers, np.full(len(viewers), -1))
        adopters, adopt_t = viewers[kinds == REPOST], t_view[kinds == REPOST]
        if j in broadcast:
            cand = hubs[~seen[hubs]]
            if len(cand):
                hub = int(cand[rng.integers(len(cand))])
                t_hub = t0 + int(rng.lognormal(np.log(40 * 60_000), 0.8))
                if t_hub < horizon_ms:
                    seen[hub] = True
                    add(j, [t_hub], [REPOST], [hub], [-1])
                    adopters = np.append(adopters, hub)
                    adopt_t = np.append(adopt_t, t_hub)
                    # The broadcaster's wider audience (outside the modelled population).
                    n_ext = rng.poisson(pop.followers_count[hub] * BROADCAST_REACH)
                    t_ext = t_hub + delays_ms(rng, n_ext)
                    t_ext = t_ext[t_ext < horizon_ms]
                    k_ext = decide(None, len(t_ext))
                    # Outsiders' replies, reposts and quotes are not modelled as posts: count them as likes.
                    k_ext = np.where(np.isin(k_ext, [REPOST, REPLY, QUOTE]), LIKE, k_ext).astype(np.int8)
                    add(j, t_ext, k_ext, np.full(len(t_ext), -1), np.full(len(t_ext), -1))
        v, tv, kv, pv = spread(rng, adopters=adopters, adopt_ms=adopt_t, seen=seen, indptr=indptr,
                               followers=followers, can_view=can_view, see_prob=see_repost,
                               decide=decide, horizon_ms=horizon_ms)
        add(j, tv, kv, v, pv)

    post = np.concatenate(cols["post"])
    t = np.concatenate(cols["t"])
    kind = np.concatenate(cols["kind"])
    actor = np.concatenate(cols["actor"])
    parent = np.concatenate(cols["parent"])
    order = np.lexsort((actor, t, post))
    post, t, kind, actor, parent = post[order], t[order], kind[order], actor[order], parent[order]
    click = kind == CLICK
    converted = click & (rng.random(len(kind)) < p_conv[post])
    revenue = np.where(converted, np.round(rng.lognormal(np.log(55.0), 0.6, len(kind)), 2), 0.0)
    return Events(post=post, t_ms=t, kind=kind, actor=actor, parent=parent, converted=converted, revenue=revenue)
