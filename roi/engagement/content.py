"""Content type of a post: original content, engagement or promotion, with the rule that decided.

The "rule of thirds" practitioners use splits a brand's posts into promotion, conversation with
the community and content of value. roi names the three ``promotion``, ``engagement`` and
``original`` and decides with transparent rules, tried in this order (the first that matches
wins, and its name is returned in ``rule`` so an analyst can audit every label):

promotion
    ``link to brand domain``: a URL whose host is one of ``brand_domains`` (or a subdomain);
    ``promotional wording``: sale, discount, % off, promo/coupon code, shop/buy/order now, free
    shipping, limited time, deal, offer.
engagement
    ``reply``: a reply to someone else (a reply to the brand's own post is a thread, not a
    conversation); ``repost or quote``: sharing someone else's post; ``asks a question``: the
    text has ``?``; ``invites a response``: tell us, let us know, reply, comment, vote, share
    your, tag a friend, caption this, who else, what's your; ``mentions someone``.
original
    ``own content``: none of the above.
"""

from __future__ import annotations

from typing import Iterable
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from roi.errors import ParameterError

__all__ = ["classify_content", "CONTENT_TYPES"]

#: The content types, in the order the rules try them.
CONTENT_TYPES = ("promotion", "engagement", "original")

_PROMO = (r"\b(?:sale|sales event|discount\w*|promo(?:tion)?(?: code)?|coupon|voucher|"
          r"(?:shop|buy|order|get yours|book) now|free shipping|limited[- ]time|deals?|offers?|"
          r"save \d+|\d+\s?% off)\b|\d+\s?% off")
_INVITE = (r"\b(?:tell us|let us know|reply|comment (?:below|with)|vote|share your|tag a friend|"
           r"caption this|who else|what'?s your|which (?:one|do you)|drop (?:a|your))\b")


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
        The brand's web domains (``"acme.example"``); a link to one of them is promotion.
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
    ...     "text": ["New colours are in", "20% off this weekend", "Which one do you prefer?",
    ...              "Our new store https://www.acme.example/s"],
    ...     "urls": [[], [], [], ["https://www.acme.example/s?utm_content=4"]],
    ...     "mentions": [[], [], [], []]})
    >>> classify_content(posts, brand_domains=["acme.example"])
      post_id content_type                  rule
    0       1     original           own content
    1       2    promotion   promotional wording
    2       3   engagement       asks a question
    3       4    promotion  link to brand domain
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

    brand_link = np.zeros(n, dtype=bool)
    if domains and "urls" in frame.columns and n:
        urls = frame["urls"].reset_index(drop=True)
        long = urls.explode().dropna()
        if len(long):
            hosts = long.astype(str).map(_host)
            hit = hosts.map(lambda h: any(h == d or h.endswith("." + d) for d in domains))
            brand_link[np.unique(hit[hit].index.to_numpy())] = True

    reply_to_other = (kind == "reply").to_numpy()
    if ids and "referenced_id" in posts.columns and reply_to_other.any():
        authors = posts.dropna(subset=["post_id"]).drop_duplicates("post_id").set_index("post_id")["author_id"]
        parent_author = frame["referenced_id"].astype("string").map(authors.astype("string"))
        reply_to_other &= ~parent_author.isin(ids).fillna(False).to_numpy()
    mentions = (frame["mentions"].list.len().fillna(0).to_numpy() > 0
                if "mentions" in frame.columns and isinstance(frame["mentions"].dtype, pd.ArrowDtype)
                else np.zeros(n, dtype=bool))

    rules = [  # (content_type, rule, mask), first match wins
        ("promotion", "link to brand domain", brand_link),
        ("promotion", "promotional wording", text.str.contains(_PROMO, case=False, regex=True).to_numpy()),
        ("engagement", "reply", reply_to_other),
        ("engagement", "repost or quote", kind.isin(["repost", "quote"]).to_numpy()),
        ("engagement", "asks a question", text.str.contains("?", regex=False).to_numpy()),
        ("engagement", "invites a response", text.str.contains(_INVITE, case=False, regex=True).to_numpy()),
        ("engagement", "mentions someone", mentions),
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
