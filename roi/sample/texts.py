"""Post texts with their entities, composed from segments so the offsets are always right.

A text is a list of segments: plain text, a hashtag, a mention, a link. :func:`compose` joins them
and computes the v2 ``entities`` (hashtags with ``tag``, mentions with ``username`` and ``id``,
urls with the t.co ``url``, ``expanded_url`` and ``display_url``), counting offsets in code points
as the X API does.
"""

from __future__ import annotations

import numpy as np

__all__ = ["compose", "tco", "BRAND_HASHTAGS", "PRODUCTS", "brand_text", "retweet_text"]

BRAND_HASHTAGS = ("acme", "kitchentips", "homecooking", "recipe", "giveaway", "foodie",
                  "cookingathome", "baking", "mealprep", "sustainableliving")
PRODUCTS = ("ProBlend blender", "cast-iron skillet", "ChefEdge knife", "PourOver kettle",
            "StackSmart containers", "AirCrisp fryer", "X2 blender", "Everyday pan set")

_ORIGINAL = (
    "Behind the scenes: how we temper every {p} by hand.",
    "Five minutes, one {p}, dinner sorted.",
    "Our test kitchen spent the week with the {p}. Here is what we learned.",
    "Sharp tip of the day: let your {p} do the work.",
    "Meet the team that designs the {p}.",
)
_ENGAGEMENT = (
    "What is the first thing you would cook with a new {p}",
    "Caption this: our {p} after a long Sunday",
    "Team crispy or team soft? Tell us how you use your {p}",
    "Fill in the blank: my {p} is perfect for ____",
    "Which recipe should we film next with the {p}",
)
_PROMOTION = (
    "The {p} is 20% off this week only.",
    "Back in stock: the {p}. Free shipping over $50.",
    "New colours just dropped for the {p}.",
    "Gift guide pick: the {p}, now with a 10-year warranty.",
)
_QUESTION_TAILS = ("?", " - what do you think?", "? Reply and tell us!", "?")


def tco(rng: np.random.Generator) -> str:
    """Make a t.co short link, as X rewrites every URL."""
    alphabet = np.array(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"))
    return "https://t.co/" + "".join(alphabet[rng.integers(0, len(alphabet), 10)])


def compose(segments: list[tuple]) -> tuple[str, dict]:
    """Join segments into (text, entities).

    Segments: ``("text", s)``, ``("tag", tag)``, ``("mention", handle, account_id)``,
    ``("url", tco_url, expanded_url)``.

    >>> text, ent = compose([("mention", "acme", "1"), ("text", " love it "), ("tag", "Acme")])
    >>> text, ent["hashtags"][0]["start"], ent["mentions"][0]["username"]
    ('@acme love it #Acme', 14, 'acme')
    """
    text, ent = "", {"hashtags": [], "mentions": [], "urls": []}
    for seg in segments:
        kind = seg[0]
        start = len(text)
        if kind == "text":
            text += seg[1]
        elif kind == "tag":
            text += "#" + seg[1]
            ent["hashtags"].append({"start": start, "end": len(text), "tag": seg[1]})
        elif kind == "mention":
            text += "@" + seg[1]
            ent["mentions"].append({"start": start, "end": len(text), "username": seg[1], "id": seg[2]})
        elif kind == "url":
            text += seg[1]
            display = seg[2].split("://", 1)[-1]
            display = display if len(display) <= 26 else display[:25] + "…"
            ent["urls"].append({"start": start, "end": len(text), "url": seg[1], "expanded_url": seg[2],
                                "display_url": display})
        else:  # pragma: no cover - a programming error, not user input
            raise ValueError(f"unknown segment kind {kind!r}")
    return text, {k: v for k, v in ent.items() if v}


def brand_text(rng: np.random.Generator, *, content: str, product: str, question: bool) -> str:
    """Write the prose of a brand post (without hashtags, mentions or links)."""
    pool = {"original": _ORIGINAL, "engagement": _ENGAGEMENT, "promotion": _PROMOTION}[content]
    s = pool[int(rng.integers(len(pool)))].format(p=product)
    if question:
        s = s.rstrip(".") + _QUESTION_TAILS[int(rng.integers(len(_QUESTION_TAILS)))]
    elif content == "engagement":
        s = s.rstrip("?") + "!"
    return s


def retweet_text(author_handle: str, text: str) -> str:
    """``RT @author: text``, cut at 140 characters with an ellipsis as the API returns it."""
    rt = f"RT @{author_handle}: {text}"
    return rt if len(rt) <= 140 else rt[:139] + "…"
