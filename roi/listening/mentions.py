"""Brand mentions: posts addressed to the brand's handles, and posts about it that do not address it.

A post is **addressed** to the brand when its mentions contain one of the brand's handles
(``@acme``, ``@acmecustserv``), or its text does (a handle with no account row, an export
without parsed mentions), or it is a reply to a post by a brand account: the author expects
an answer, so it is a customer-service case. A post is **about** the brand when it carries a
brand hashtag (``#acme``) or says a brand term ("acme", as a whole word, casefolded) without
addressing it: it is watched, not owed a reply. The brand's own posts are not mentions, and
reposts are left out (a repost repeats someone else's words; it is amplification, measured by
roi.cascades, not conversation).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from roi.accounts import normalise_handle
from roi.errors import ParameterError

__all__ = ["brand_mentions", "MENTION_COLUMNS"]

#: Columns of :func:`brand_mentions`.
MENTION_COLUMNS = ["post_id", "author_id", "created_at", "kind", "text", "referenced_id", "conversation_id",
                   "relation", "via"]

_NEEDED = ("post_id", "author_id", "created_at", "text", "kind", "referenced_id", "conversation_id",
           "hashtags", "mentions")


def _has_any(lists: pd.Series, wanted: set[str]) -> np.ndarray:
    """Tell row-wise whether the Arrow list<string> column contains any of ``wanted`` (nulls: False)."""
    if not wanted or lists.empty:
        return np.zeros(len(lists), dtype=bool)
    long = lists.reset_index(drop=True).explode()
    hit = long.astype("string").str.casefold().isin(wanted).fillna(False).to_numpy(dtype=bool)
    out = np.zeros(len(lists), dtype=bool)
    out[np.unique(long.index.to_numpy()[hit])] = True
    return out


def brand_mentions(
    posts: pd.DataFrame,
    *,
    brand_ids: Iterable[str],
    handles: Iterable[str],
    brand_terms: Iterable[str] = (),
) -> pd.DataFrame:
    """Find posts addressed to the brand, and posts about it without addressing it.

    Parameters
    ----------
    posts : DataFrame
        The canonical ``posts`` table.
    brand_ids : iterable of str
        Account ids of the brand's handles; their own posts are excluded, and a reply to one of
        their posts is addressed to the brand.
    handles : iterable of str
        The brand's handles (with or without ``@``, any case), e.g. ``["acme", "acmecustserv"]``.
    brand_terms : iterable of str
        Words and hashtags that name the brand (``"acme"``); the handles are always included.
        Matched casefolded, as whole words in the text or as whole hashtags.

    Returns
    -------
    DataFrame
        :data:`MENTION_COLUMNS`, one row per mention in time order. ``relation`` is
        ``"addressed"`` or ``"about"``; ``via`` says why: ``mention``, ``reply to brand``,
        ``hashtag`` or ``term``.

    Raises
    ------
    ParameterError
        If no handle is given or a column is missing.

    Examples
    --------
    >>> from roi.tables import conform
    >>> posts = conform("posts", {"platform": ["x"] * 5, "post_id": list("12345"),
    ...     "author_id": ["b", "u", "v", "w", "z"], "kind": ["original", "reply", "original", "original", "original"],
    ...     "referenced_id": [None, "1", None, None, None],
    ...     "created_at": pd.date_range("2026-10-05", periods=5, freq="h", tz="UTC"),
    ...     "text": ["our news", "nice", "@Acme help", "love #acme", "acmecorp is not acme-related?"],
    ...     "mentions": [[], [], ["acme"], [], []], "hashtags": [[], [], [], ["acme"], []]})
    >>> brand_mentions(posts, brand_ids=["b"], handles=["acme"])[["post_id", "relation", "via"]]
      post_id   relation              via
    0       2  addressed  reply to brand
    1       3  addressed          mention
    2       4      about          hashtag
    3       5      about             term
    """
    missing = [c for c in _NEEDED if c not in posts.columns]
    if missing:
        raise ParameterError(f"posts: missing column(s) {', '.join(missing)}; pass the canonical posts table")
    handle_set = {normalise_handle(h) for h in handles if str(h).strip()}
    if not handle_set:
        raise ParameterError("handles: expected at least one brand handle, e.g. 'acme'")
    ids = {str(i) for i in brand_ids}
    terms = handle_set | {normalise_handle(t) for t in brand_terms if str(t).strip()}

    author = posts["author_id"].astype("string")
    own = author.isin(ids).fillna(False).to_numpy(dtype=bool)
    kind = posts["kind"].astype("string").fillna("")
    frame = posts[~own & (kind != "repost").to_numpy()]

    by_mention = _has_any(frame["mentions"], handle_set)
    # Also by the handle's text: exports without parsed mentions (a CSV, an old archive) still
    # say "@acmecustserv", and a handle with no account row is only ever text.
    at_handle = r"(?<![\w@])[@\uff20](?:" + "|".join(re.escape(h) for h in sorted(handle_set, key=len, reverse=True)) + r")(?!\w)"
    by_mention |= frame["text"].astype("string").str.casefold().str.contains(at_handle, regex=True).fillna(False).to_numpy(dtype=bool)
    brand_posts = set(posts.loc[own, "post_id"].astype(str))
    is_reply = frame["kind"].astype("string").isin(["reply"]).fillna(False).to_numpy(dtype=bool)
    to_brand = is_reply & frame["referenced_id"].astype("string").isin(brand_posts).fillna(False).to_numpy(dtype=bool)
    by_tag = _has_any(frame["hashtags"], terms)
    pattern = r"(?<![\w@#])(?:" + "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)) + r")(?![\w@])"
    by_term = frame["text"].astype("string").str.casefold().str.contains(pattern, regex=True).fillna(False).to_numpy(dtype=bool)

    addressed = by_mention | to_brand
    about = ~addressed & (by_tag | by_term)
    via = np.select([by_mention, to_brand, by_tag, by_term], ["mention", "reply to brand", "hashtag", "term"], "")
    keep = addressed | about
    out = frame.loc[keep, MENTION_COLUMNS[:7]].copy()
    out["relation"] = pd.array(np.where(addressed[keep], "addressed", "about"), dtype="string")
    out["via"] = pd.array(via[keep], dtype="string")
    out = out.sort_values(["created_at", "post_id"], kind="stable").reset_index(drop=True)
    return out[MENTION_COLUMNS]
