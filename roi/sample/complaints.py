"""Complaints: a low baseline every week, and one week with a burst about one product.

In the burst, some complaints are addressed to @acmecustserv (customer-service cases), some only
tag #acme (watched); a second and a third distinct complainant on the same topic follow the
first, which is the signal to intervene. @acmecustserv answers some addressed complaints after a
realistic delay (minutes to hours), so response times can be measured.
"""

from __future__ import annotations

import numpy as np

from roi.sample.population import Population

__all__ = ["BURST_TOPIC", "complaint_specs"]

BURST_TOPIC = "x2 blender lid cracking"
_BURST_ADDRESSED = (
    "the lid on my X2 blender cracked after two weeks. Not ok.",
    "my X2 blender lid has a crack right along the seam. How do I get a replacement?",
    "second X2 blender lid cracked in a month. I want a refund.",
    "X2 blender lid cracked while blending ice, smoothie everywhere. Please help",
)
_BURST_TAGGED = (
    "Is anyone else's X2 blender lid cracking? Mine just did",
    "Lid of the X2 blender split down the side on day 10. Expected better",
    "Cracked lid on the brand new X2 blender. Great start to the week",
    "Three months in and the X2 blender lid cracked. Avoid",
)
#: Baseline complaint topics (none of them about the X2 blender's lid).
_BASELINE = {
    "late delivery": "my order was due last Tuesday and still hasn't shipped",
    "refund not received": "still waiting on a refund from three weeks ago",
    "app login": "the app won't let me log in since the update",
    "missing parts": "the pan set arrived missing a handle",
    "promo code": "the discount code from your email doesn't work at checkout",
    "phone support": "waited 50 minutes on hold and got cut off",
    "kettle leak": "my PourOver kettle is leaking from the base",
    "dull knife": "the ChefEdge knife arrived dull, disappointing",
}
_REPLIES = (
    "Sorry to hear this, {h}. Please DM us your order number and we'll sort it out.",
    "Hi {h}, that's not the experience we want for you. Sending you a DM now.",
    "Thanks for flagging, {h}. Could you DM us a photo and your order number?",
)


def _delay(rng) -> int:
    """Customer-service response delay: median ~45 minutes, sometimes many hours."""
    return int(rng.lognormal(np.log(45 * 60_000), 1.0)) + 60_000


def complaint_specs(rng: np.random.Generator, pop: Population, *, week_starts_ms: np.ndarray,
                    burst_week: int, authors: np.ndarray) -> tuple[list[dict], dict]:
    """Complaint posts and customer-service replies, plus the ``complaints`` block of truth.json.

    Returns
    -------
    (specs, truth): post specs (see :mod:`roi.sample.conversations`) without ids, and the truth.
    """
    specs: list[dict] = []
    weeks = len(week_starts_ms) - 1
    topics = sorted(_BASELINE)
    # Baseline: 2-4 lone complaints a week on distinct topics.
    for w in range(weeks):
        k = int(rng.integers(2, 5))
        for topic in rng.choice(topics, size=k, replace=False):
            author = int(authors[rng.integers(len(authors))])
            t = int(rng.integers(week_starts_ms[w] + 3_600_000, week_starts_ms[w + 1] - 3 * 3_600_000))
            addressed = bool(rng.random() < 0.6)
            specs.append(_complaint(author, t, _BASELINE[str(topic)], addressed, str(topic)))
    # The burst: 7-10 distinct complainants over ~3 days, some posting twice.
    lo = int(week_starts_ms[burst_week] + 86_400_000 + rng.integers(0, 86_400_000))
    n_people = int(rng.integers(7, 11))
    people = rng.choice(authors, size=n_people, replace=False)
    burst = []
    t = lo
    for i, author in enumerate(people):
        t += int(rng.lognormal(np.log(3 * 3_600_000), 0.8)) if i else 0
        repeats = 2 if rng.random() < 0.3 else 1
        for r in range(repeats):
            tt = t + r * int(rng.integers(2, 20)) * 3_600_000
            addressed = bool(rng.random() < 0.55) if i else True
            pool = _BURST_ADDRESSED if addressed else _BURST_TAGGED
            text = pool[int(rng.integers(len(pool)))]
            burst.append(_complaint(int(author), tt, text, addressed, BURST_TOPIC))
    burst.sort(key=lambda s: s["t"])
    end = week_starts_ms[burst_week + 1]
    burst = [b for b in burst if b["t"] < end - 60_000]
    specs.extend(burst)
    # Customer service answers ~70% of addressed complaints.
    replies = []
    for s in specs:
        if s["addressed"] and rng.random() < 0.7:
            h = "@" + pop.handle[s["author"]]
            replies.append({
                "author": 1, "t": s["t"] + _delay(rng), "kind": "reply", "reply_to_spec": s,
                "segments": [("mention", pop.handle[s["author"]], pop.account_id[s["author"]]),
                             ("text", " " + _REPLIES[int(rng.integers(len(_REPLIES)))].format(h=h))],
                "lang": "en", "role": "custserv_reply",
            })
    truth = {"week_index": burst_week, "topic": BURST_TOPIC, "burst": burst}
    return specs + replies, truth


def _complaint(author: int, t: int, text: str, addressed: bool, topic: str) -> dict:
    if addressed:
        segments = [("mention", "acmecustserv", None), ("text", " " + text)]
    else:
        segments = [("text", text + " "), ("tag", "acme")]
    return {"author": author, "t": t, "kind": "original", "segments": segments, "lang": "en",
            "role": "complaint", "topic": topic, "addressed": addressed}
