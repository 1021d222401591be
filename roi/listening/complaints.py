"""Complaint detection, offline: VADER sentiment plus a lexicon of complaint phrases.

Each post gets

``sentiment``
    VADER's compound score in [-1, 1] (Hutto & Gilbert, ICWSM 2014; the ``vaderSentiment``
    package ships its lexicon, so nothing is downloaded). VADER handles negation ("not good"),
    intensifiers, capitals, "!" and emoji, but it does not know that "cracked" or "still
    waiting" is bad news about a product, and it reads "Please help" or sarcasm ("Great start
    to the week") as positive. Hence the second part:
``complaint_terms``
    the complaint phrases of :data:`COMPLAINT_TERMS` found in the text (casefolded, whole
    words): product failure (broken, cracked, leaking, not working...), service failure
    (refund, still waiting, on hold...), verdicts (unreliable, disgusting, avoid...) and the
    "me too" of a pile-on ("so's mine", "third one", "anyone else").

The rule, in this order:

1. at least one complaint term and ``sentiment < positive_cutoff`` (0.7): a complaint — a
   clearly enthusiastic post that happens to say "broken" (an "unbreakable" deal, a record
   "broken") is not;
2. no complaint term but ``sentiment <= negative_cutoff`` (-0.5) and at least two words
   besides handles, hashtags and links: a complaint (strongly negative words about the brand).
   Emoji-only posts are not judged: VADER reads 🔥 as "fire", which is negative;
3. otherwise not.

``complaint_score = len(complaint_terms) - sentiment`` orders complaints by severity (more
distinct complaint terms, more negative words); it is for ranking, the rule above decides.

Language limits: both the VADER lexicon and the complaint phrases are **English**. Posts in
other languages get sentiment 0 and no terms, so they are never complaints; the ``lang``
column is passed through so an analyst can see how many posts were out of reach
(:func:`complaint_coverage`). Sarcasm without a complaint term and complaints in images are
missed; a thank-you that mentions a refund ("refund arrived, thanks") is a false positive
unless its sentiment reaches the positive cutoff.
"""

from __future__ import annotations

import functools
import re
from typing import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

from roi.errors import ParameterError

__all__ = ["COMPLAINT_TERMS", "PRIVATE_TERMS", "score_complaints", "complaint_coverage", "private_terms_in"]

#: Complaint phrases (English), grouped by what they signal. Matched casefolded as whole words;
#: an apostrophe matches ' or ’.
COMPLAINT_TERMS: dict[str, tuple[str, ...]] = {
    "product failure": (
        "broken", "broke", "breaks", "not working", "stopped working", "doesn't work", "does not work",
        "don't work", "won't work", "isn't working", "won't turn on", "cracked", "crack", "cracking",
        "split", "leaking", "leaks", "leak", "missing", "dull", "defective", "faulty", "damaged",
        "fell apart", "falling apart", "rusted", "rusting", "burnt out", "melted", "smoke", "sparking",
    ),
    "service failure": (
        "refund", "still waiting", "still hasn't", "hasn't shipped", "never arrived", "not arrived",
        "hasn't arrived", "wrong item", "charged twice", "overcharged", "on hold", "cut off", "hung up",
        "no response", "no reply", "ignored", "won't let me", "can't log in", "cannot log in",
        "replacement", "return it", "cancel my order", "late delivery", "delayed",
    ),
    "verdict": (
        "disgusting", "unreliable", "terrible", "awful", "useless", "worst", "rip off", "ripoff", "scam",
        "disappointed", "disappointing", "unacceptable", "not ok", "not okay", "avoid", "expected better",
        "never again", "poor quality", "waste of money", "fix this",
    ),
    "pile-on": (
        "so's mine", "so is mine", "mine too", "mine just did", "me too", "same here", "same problem",
        "same issue", "third one", "second one", "anyone else", "happened to me",
    ),
}

#: Words that mean a reply needs account details, so it belongs in a private channel:
#: orders, refunds and payments, accounts and logins, personal contact data.
PRIVATE_TERMS: tuple[str, ...] = (
    "order", "order number", "refund", "replacement", "payment", "charged", "charge", "card", "invoice",
    "receipt", "account", "login", "log in", "password", "address", "phone", "email", "e-mail",
    "personal data", "warranty",
)

_COLUMNS = ["post_id", "lang", "sentiment", "complaint_terms", "complaint_score", "is_complaint"]


def _phrase_regex(phrases: Iterable[str]) -> re.Pattern[str]:
    alts = []
    for p in sorted({p.casefold() for p in phrases}, key=len, reverse=True):
        alts.append(re.escape(p).replace("'", "['\u2019]").replace("\\ ", r"\s+"))
    return re.compile(r"(?<![\w'])(?:" + "|".join(alts) + r")(?![\w'])")


@functools.cache
def _complaint_regex() -> re.Pattern[str]:
    return _phrase_regex(t for terms in COMPLAINT_TERMS.values() for t in terms)


@functools.cache
def _private_regex() -> re.Pattern[str]:
    return _phrase_regex(PRIVATE_TERMS)


@functools.cache
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


_URL = re.compile(r"https?://\S+")
_WORDS = re.compile(r"(?<![@#\w])[^\W\d_]{2,}")


def _terms(text: str, regex: re.Pattern[str]) -> list[str]:
    found = [re.sub(r"\s+", " ", m.group(0)).replace("\u2019", "'") for m in regex.finditer(text.casefold())]
    return list(dict.fromkeys(found))


def private_terms_in(text: str | None) -> list[str]:
    """The :data:`PRIVATE_TERMS` in ``text`` (casefolded, whole words, each once).

    >>> private_terms_in("Please DM your Order number; no refund yet")
    ['order number', 'refund']
    """
    return _terms(text or "", _private_regex())


def score_complaints(
    posts: pd.DataFrame,
    *,
    positive_cutoff: float = 0.7,
    negative_cutoff: float = -0.5,
) -> pd.DataFrame:
    """Sentiment, complaint terms, a score and the complaint decision for every post.

    Parameters
    ----------
    posts : DataFrame
        Any table with ``post_id`` and ``text`` (``lang`` is passed through when present),
        e.g. the output of :func:`roi.listening.brand_mentions`.
    positive_cutoff : float, default 0.7
        A post with complaint terms is not a complaint when VADER's compound reaches this.
    negative_cutoff : float, default -0.5
        A post without complaint terms is a complaint when the compound is at or below this.

    Returns
    -------
    DataFrame
        ``post_id``, ``lang``, ``sentiment`` (float), ``complaint_terms`` (list<string>),
        ``complaint_score`` (float) and ``is_complaint`` (bool), in the input's order.

    Raises
    ------
    ParameterError
        Missing columns or cutoffs outside [-1, 1].

    Examples
    --------
    >>> posts = pd.DataFrame({"post_id": ["1", "2", "3", "4"], "text": [
    ...     "@acmecustserv my X2 blender lid cracked. I want a refund",
    ...     "so's mine! #acme", "Love my new kettle #acme", "Horrible, hateful people"]})
    >>> t = score_complaints(posts)
    >>> t[["post_id", "is_complaint"]].values.tolist()
    [['1', True], ['2', True], ['3', False], ['4', True]]
    >>> bool(score_complaints(pd.DataFrame({"post_id": ["5"], "text": ["@acme 🔥🔥🔥"]})).is_complaint[0])
    False
    >>> t.complaint_terms.tolist()[:2]
    [['cracked', 'refund'], ["so's mine"]]
    """
    missing = [c for c in ("post_id", "text") if c not in posts.columns]
    if missing:
        raise ParameterError(f"posts: missing column(s) {', '.join(missing)}; expected post_id and text")
    for name, value in (("positive_cutoff", positive_cutoff), ("negative_cutoff", negative_cutoff)):
        if not -1.0 <= float(value) <= 1.0:
            raise ParameterError(f"{name}={value!r}: expected a VADER compound score between -1 and 1")
    text = posts["text"].astype("string").fillna("")
    # Score each distinct text once: pile-ons and spam repeat the same words.
    codes, uniques = pd.factorize(text)
    analyzer, regex = _analyzer(), _complaint_regex()
    sent_u = np.empty(len(uniques))
    words_u = np.empty(len(uniques), dtype=np.int64)
    terms_u: list[list[str]] = []
    for k, t in enumerate(uniques.tolist()):
        clean = _URL.sub(" ", t)
        words_u[k] = len(_WORDS.findall(clean))
        sent_u[k] = analyzer.polarity_scores(clean)["compound"] if clean.strip() else 0.0
        terms_u.append(_terms(clean, regex))
    sentiment = sent_u[codes] if len(codes) else np.zeros(0)
    words = words_u[codes] if len(codes) else np.zeros(0, dtype=np.int64)
    terms = [terms_u[c] for c in codes]
    n_terms = np.fromiter((len(t) for t in terms), dtype=float, count=len(terms))
    is_complaint = ((n_terms > 0) & (sentiment < positive_cutoff)) | (
        (n_terms == 0) & (sentiment <= negative_cutoff) & (words >= 2))
    lang = posts["lang"].astype("string") if "lang" in posts.columns else pd.Series(pd.NA, index=posts.index, dtype="string")
    return pd.DataFrame({
        "post_id": posts["post_id"].astype("string").to_numpy(),
        "lang": lang.to_numpy(),
        "sentiment": sentiment,
        "complaint_terms": pd.Series(pa.array(terms, type=pa.list_(pa.string())),
                                     dtype=pd.ArrowDtype(pa.list_(pa.string()))).to_numpy(),
        "complaint_score": n_terms - sentiment,
        "is_complaint": is_complaint,
    }, columns=_COLUMNS).astype({"lang": "string", "post_id": "string",
                                 "complaint_terms": pd.ArrowDtype(pa.list_(pa.string()))})


def complaint_coverage(scored: pd.DataFrame) -> pd.DataFrame:
    """How many posts the English lexicons could read: posts by language, with complaints found.

    Parameters
    ----------
    scored : DataFrame
        The output of :func:`score_complaints`.

    Returns
    -------
    DataFrame
        ``lang``, ``posts``, ``complaints``, ``readable`` (True for English or unknown language),
        most posts first.

    Examples
    --------
    >>> s = score_complaints(pd.DataFrame({"post_id": ["1", "2"], "text": ["broken!", "kaputt!"],
    ...                                    "lang": ["en", "de"]}))
    >>> complaint_coverage(s).values.tolist()
    [['de', 1, 0, False], ['en', 1, 1, True]]
    """
    lang = scored["lang"].astype("string").fillna("und")
    out = (pd.DataFrame({"lang": lang, "complaint": scored["is_complaint"].astype(int)})
           .groupby("lang", sort=True).agg(posts=("complaint", "size"), complaints=("complaint", "sum"))
           .reset_index())
    out["readable"] = out["lang"].str.casefold().str.startswith("en") | out["lang"].isin(["und", "zxx", "qme"])
    out = out.sort_values(["posts", "lang"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return out.astype({"posts": "Int64", "complaints": "Int64", "readable": "boolean"})
