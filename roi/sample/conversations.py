"""Every post of the sample as a spec: the brand's posts, what they drew, and the chatter around it.

A spec is a dict with ``author`` (account index), ``t`` (ms UTC), ``kind`` (original, reply,
quote, repost), ``segments`` (see :func:`roi.sample.texts.compose`), ``lang`` and ``role``, plus
``ref`` / ``reply_to`` links. :func:`assign_ids` gives each a snowflake id in time order and
resolves the links; the writers render specs as X API v2 tweets.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi.sample.engagement import QUOTE, REPLY, REPOST, Events
from roi.sample.population import BRAND, Population, snowflake
from roi.sample.texts import BRAND_HASHTAGS, PRODUCTS, brand_text

__all__ = ["brand_specs", "reaction_specs", "chatter_specs", "spam_specs", "assign_ids"]

_CAMPAIGNS = {"original": "evergreen", "engagement": "community", "promotion": "fall-sale"}
_REPLY_TEXTS = {
    "en": ("Love this!", "Need this in my kitchen 😍", "Where can I buy it?", "Mine arrived yesterday, so good",
           "Does it come in black?", "ok this is genius", "🔥🔥🔥", "Been using mine for years",
           "Is it dishwasher safe?", "Nice one", "Ha, exactly my Sunday", "Take my money"),
    "es": ("¡Me encanta!", "¿Lo venden en México?", "Qué bonito 😍"),
    "de": ("Sieht super aus!", "Gibt es das auch in Deutschland?"),
    "fr": ("Trop bien !", "Disponible en France ?"),
    "pt": ("Amei!", "Vende no Brasil?"),
    "ja": ("欲しい！", "日本でも買えますか？"),
    "ru": ("Классно!", "Где купить?"),
}
_QUOTE_TEXTS = ("This is the one I was telling you about", "Adding to the wishlist", "Yes. Just yes.",
                "Finally someone said it", "My kitchen needs this", "Worth it, trust me")
_PRAISE = ("Shoutout to {b} - my skillet is 10 years old and still perfect",
           "Just made the best pancakes of my life with my {b} pan",
           "Customer for life. {b} replaced my kettle, no questions asked",
           "Unboxing my new blender from {b} 📦✨",
           "Not sponsored, I just really like my {b} knife")
_QUESTIONS = ("{b} do you ship to Canada?", "{b} when is the AirCrisp back in stock?",
              "{b} is the ProBlend jar BPA free?", "Anyone know if {b} has a student discount?",
              "{b} what's the warranty on the pan set?")
_NEUTRAL = ("Saw the {b} pop-up downtown today", "Reading about how {b} makes their knives",
            "{b} ad on the subway again lol", "Comparing {b} and two other brands for a blender")


def _mention(pop: Population, i: int) -> tuple:
    return ("mention", pop.handle[i], pop.account_id[i])


def brand_specs(rng: np.random.Generator, pop: Population, schedule: pd.DataFrame) -> list[dict]:
    """Specify the brand's own posts from its schedule (links get their utm_content once ids exist)."""
    partners = pop.indices("partner")
    specs = []
    pair_product: dict[int, tuple] = {}
    for j, row in enumerate(schedule.itertuples(index=False)):
        if row.pair >= 0 and row.pair in pair_product:
            spec = dict(pair_product[row.pair])
            spec.update(t=int(row.created_ms), brand_j=j, segments=list(spec["segments"]))
            specs.append(spec)
            continue
        product = PRODUCTS[int(rng.integers(len(PRODUCTS)))]
        segs: list[tuple] = [("text", brand_text(rng, content=row.content, product=product,
                                                 question=bool(row.question)))]
        if row.mention:
            segs += [("text", " With "), _mention(pop, int(partners[rng.integers(len(partners))]))]
        if row.link:
            slug = product.lower().replace(" ", "-")
            campaign = "posting-time-test" if row.pair >= 0 else _CAMPAIGNS[row.content]
            segs += [("text", " "), ("link", f"https://www.{BRAND['domain']}/products/{slug}", campaign)]
        tags = rng.choice(BRAND_HASHTAGS, size=int(row.n_hashtags), replace=False)
        for tag in tags:
            # Casing varies as people type it; analyses compare hashtags casefolded.
            shown = tag if rng.random() < 0.8 else str(tag).title()
            segs += [("text", " "), ("tag", shown)]
        spec = {"author": 0, "t": int(row.created_ms), "kind": "original", "segments": segs, "lang": "en",
                "role": "brand", "brand_j": j, "content": row.content}
        if row.pair >= 0:
            pair_product[row.pair] = spec
        specs.append(spec)
    return specs


def reaction_specs(rng: np.random.Generator, pop: Population, events: Events, brand: list[dict],
                   *, horizon_ms: int) -> list[dict]:
    """Reposts, replies and quotes of brand posts by modelled accounts (one spec per event)."""
    sel = np.flatnonzero(np.isin(events.kind, [REPOST, REPLY, QUOTE]) & (events.actor >= 0)
                         & (events.t_ms < horizon_ms))
    specs = []
    for e in sel.tolist():
        actor, j, kind = int(events.actor[e]), int(events.post[e]), int(events.kind[e])
        src = brand[j]
        spec = {"author": actor, "t": int(events.t_ms[e]), "ref_spec": src, "brand_j": -1, "source_j": j,
                "lang": pop.lang[actor], "role": "reaction"}
        if kind == REPOST:
            spec.update(kind="repost", parent_actor=int(events.parent[e]), segments=None)
        elif kind == REPLY:
            lang = pop.lang[actor] if pop.lang[actor] in _REPLY_TEXTS else "en"
            pool = _REPLY_TEXTS[lang]
            spec.update(kind="reply", reply_to_spec=src, lang=lang,
                        segments=[_mention(pop, 0), ("text", " " + pool[int(rng.integers(len(pool)))])])
        else:
            spec.update(kind="quote", lang="en",
                        segments=[("text", _QUOTE_TEXTS[int(rng.integers(len(_QUOTE_TEXTS)))] + " "),
                                  ("quote_link", src)])
        specs.append(spec)
    return specs


def chatter_specs(rng: np.random.Generator, pop: Population, *, t0: int, t1: int, authors: np.ndarray,
                  per_day: float) -> list[dict]:
    """Ordinary posts about the brand: praise, questions (some answered by customer service), mentions."""
    days = (t1 - t0) / 86_400_000
    n = int(rng.poisson(per_day * days))
    specs = []
    for _ in range(n):
        author = int(authors[rng.integers(len(authors))])
        t = int(rng.integers(t0, t1 - 3_600_000))
        kind = rng.choice(["praise", "question", "neutral"], p=[0.45, 0.3, 0.25])
        pool = {"praise": _PRAISE, "question": _QUESTIONS, "neutral": _NEUTRAL}[str(kind)]
        template = pool[int(rng.integers(len(pool)))]
        before, _, after = template.partition("{b}")
        segs = ([("text", before)] if before else []) + [_mention(pop, 0)] + ([("text", after)] if after else [])
        if rng.random() < 0.25:
            segs += [("text", " "), ("tag", "acme")]
        spec = {"author": author, "t": t, "kind": "original", "segments": segs, "lang": "en",
                "role": f"chatter_{kind}"}
        specs.append(spec)
        if kind == "question" and rng.random() < 0.6:
            h = pop.handle[author]
            specs.append({"author": 1, "t": t + int(rng.lognormal(np.log(50 * 60_000), 1.0)) + 60_000,
                          "kind": "reply", "reply_to_spec": spec, "lang": "en", "role": "custserv_reply",
                          "segments": [_mention(pop, author),
                                       ("text", f" Hi @{h}! Happy to help - check your DMs for the details.")]})
    return specs


def spam_specs(rng: np.random.Generator, pop: Population, *, t0: int, t1: int) -> list[dict]:
    """Link spammers mentioning the brand: every post a link to a deals site."""
    specs = []
    for s in pop.indices("link_spam").tolist():
        for _ in range(int(rng.poisson(2.0 * (t1 - t0) / 604_800_000)) + 1):
            t = int(rng.integers(t0, t1 - 60_000))
            url = f"https://deals{int(rng.integers(1, 99))}.example/acme-{int(rng.integers(1000, 9999))}"
            segs = [_mention(pop, 0), ("text", " 🔥 90% OFF kitchen deals TODAY ONLY ➡️ "), ("url", url)]
            specs.append({"author": s, "t": t, "kind": "original", "segments": segs, "lang": "en",
                          "role": "spam"})
    return specs


def assign_ids(rng: np.random.Generator, specs: list[dict]) -> list[dict]:
    """Give every spec a snowflake id from its time (sorted by time), then resolve links."""
    specs = sorted(specs, key=lambda s: (s["t"], s["author"], s.get("brand_j", -1)))
    ids = snowflake(np.array([s["t"] for s in specs], dtype=np.int64), rng)
    for s, i in zip(specs, ids.tolist(), strict=False):
        s["id"] = i
    return specs
