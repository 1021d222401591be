"""Content type of a post: original content, engagement or promotion, with the rule that decided.

The "rule of thirds" practitioners use splits a brand's posts into promotion, conversation with
the community and content of value. roi names the three ``promotion``, ``engagement`` and
``original`` and decides with transparent rules, tried in this order (the first that matches
wins, and its name is returned in ``rule`` so an analyst can audit every label):

promotion
    ``promotional wording``: % off, sale, discount, promo/coupon code, free shipping, back in
    stock, just dropped, new arrival, gift guide, shop/buy/order now, limited time, deal, offer;
    ``link to a brand sale page``: a URL on one of ``brand_domains`` whose path or UTM tags name
    a sale, promo, offer, deal, discount, shop or checkout (e.g. ``utm_campaign=fall-sale``).
engagement
    ``reply``: a reply to someone else (a reply to the brand's own post is a thread, not a
    conversation); ``repost or quote``: sharing someone else's post; ``invites a response``:
    tell us, let us know, caption this, fill in the blank, vote, tag a friend, share your,
    which ... should we, what is the first thing, what would you, who else, team X or team Y.
original
    ``own content``: none of the above.

Asking a question and mentioning an account are *not* content-type rules: they are measured as
their own effects (``question``, ``mention``), and folding them into the type would confound
the two in the engagement model.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from roi.errors import ParameterError

__all__ = ["classify_content", "CONTENT_TYPES"]

#: The content types, in the order the rules try them.
CONTENT_TYPES = ("promotion", "engagement", "original")

_PROMO = (r"\d+\s?% off|\b(?:on sale|sale|sales event|discount\w*|promo(?:tion)? code|coupon|voucher|"
          r"(?:shop|buy|order) now|get yours|free shipping|back in stock|just dropped|new arrivals?|"
          r"gift guide|limited[- ]time|deals?|special offer|offer ends|save \d+)\b")
_INVITE = (r"\b(?:tell us|let us know|caption this|fill in the blank|vote|tag a friend|share your|"
           r"which \w+(?: \w+)? should we|what is the first thing|what would you|who else|"
           r"team \w+ or team|what'?s your|drop (?:a|your)|comment below)\b")
_SALE_LINK = r"sale|promo|offer|deal|discount|coupon|shop|checkout|cart|black-?friday|cyber"


def _host(url: str) -> str:
    try:
        host = urlsplit(url if "://" in url else "//" + url).hostname or ""
    except ValueError:
        return ""
    return host.casefold().removeprefix("www.")


def classify_content(
    posts: pd.DataFrame,
    *,
    brand_domains: Iterable[str] = (),
    brand_ids: Iterable[str] = (),
) -> pd.DataFrame:
    """Label each post original content, engagement or promotion, naming the deciding rule.

    Parameters
    ----------
    posts : DataFrame
        The canonical ``posts`` table (text, kind, urls, mentions, referenced_id are used).
    brand_domains : iterable of str
        The brand's web domains (``"acme.example"``); a link to a sale or shop page on one of
        them is promotion.
    brand_ids : iterable of str
        The brand's account ids. When given, only their posts are classified, and a reply to
        one of their own posts counts as a thread continuation rather than a conversation.

    Returns
    -------
    DataFrame
        ``post_id``, ``content_type`` (one of :data:`CONTENT_TYPES`) and ``rule``, one row per
        classified post, in the input's order.

    Raises
    ------
    ParameterError
        If a required column is missing.

    Examples
    --------
    >>> from roi.tables import conform
    >>> posts = conform("posts", {
    ...     "platform": ["x"] * 4, "post_id": ["1", "2", "3", "4"], "author_id": ["b"] * 4,
    ...     "kind": ["original"] * 4,
    ...     "text": ["How we test knives", "20% off this weekend", "Caption this!",
    ...              "Our kettle https://t.co/x"],
    ...     "urls": [[], [], [], ["https://www.acme.example/k?utm_campaign=fall-sale&utm_content=4"]],
    ...     "mentions": [[], [], [], []]})
    >>> classify_content(posts, brand_domains=["acme.example"])
      post_id content_type                       rule
    0       1     original                own content
    1       2    promotion        promotional wording
    2       3   engagement         invites a response
    3       4    promotion  link to a brand sale page
    """
    missing = [c for c in ("post_id", "text") if c not in posts.columns]
    if missing:
        raise ParameterError(f"posts: missing column(s) {', '.join(missing)}; pass the canonical posts table")
    domains = tuple(d.casefold().removeprefix("www.").strip(".") for d in brand_domains if d)
    ids = {str(i) for i in brand_ids}
    frame = posts
    if ids and "author_id" in frame.columns:
        frame = frame[frame["author_id"].astype("string").isin(ids).fillna(False).to_numpy()]
    n = len(frame)
    text = frame["text"].astype("string").fillna("")
    kind = (frame["kind"].astype("string") if "kind" in frame.columns
            else pd.Series(pd.NA, index=frame.index, dtype="string")).fillna("")

    sale_link = np.zeros(n, dtype=bool)
    if domains and "urls" in frame.columns and n:
        long = frame["urls"].reset_index(drop=True).explode().dropna().astype(str)
        if len(long):
            hosts = long.map(_host)
            on_brand = hosts.map(lambda h: any(h == d or h.endswith("." + d) for d in domains))
            tail = long.str.split(r"://[^/]+", n=1, regex=True).str[-1]
            hit = on_brand & tail.str.contains(_SALE_LINK, case=False, regex=True)
            sale_link[np.unique(hit[hit].index.to_numpy())] = True

    reply_to_other = (kind == "reply").to_numpy()
    if ids and "referenced_id" in posts.columns and reply_to_other.any():
        authors = posts.dropna(subset=["post_id"]).drop_duplicates("post_id").set_index("post_id")["author_id"]
        parent_author = frame["referenced_id"].astype("string").map(authors.astype("string"))
        reply_to_other &= ~parent_author.isin(ids).fillna(False).to_numpy()

    rules = [  # (content_type, rule, mask), first match wins
        ("promotion", "promotional wording", text.str.contains(_PROMO, case=False, regex=True).to_numpy()),
        ("promotion", "link to a brand sale page", sale_link),
        ("engagement", "reply", reply_to_other),
        ("engagement", "repost or quote", kind.isin(["repost", "quote"]).to_numpy()),
        ("engagement", "invites a response", text.str.contains(_INVITE, case=False, regex=True).to_numpy()),
    ]
    content = np.full(n, "original", dtype=object)
    rule = np.full(n, "own content", dtype=object)
    for ctype, name, mask in reversed(rules):  # later assignments win, so apply in reverse order
        mask = np.asarray(mask, dtype=bool)
        content[mask] = ctype
        rule[mask] = name
    return pd.DataFrame({
        "post_id": frame["post_id"].astype("string").to_numpy(),
        "content_type": pd.array(content, dtype="string"),
        "rule": pd.array(rule, dtype="string"),
    })
