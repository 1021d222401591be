"""Complaint detection, offline: the lexicons, and :func:`score_complaints` for a table of posts.

Each post is judged by the complaint detector of :mod:`roi.listening.detector`: a linear model
over readable features (:mod:`roi.listening.features`: addressed to the brand, negation,
still/again/no response, waiting time, failure words, "my order", blame questions, profanity,
anger emoji, the complaint phrases below, VADER sentiment; against: praise, plain questions,
news wording). Reposts and quotations of another account's post, and news wording with no
first-person experience, are never complaints. Every post keeps its ``reasons``.

``sentiment``
    VADER's compound score in [-1, 1] (Hutto & Gilbert, ICWSM 2014; the ``vaderSentiment``
    package ships its lexicon, so nothing is downloaded).
``complaint_terms``
    the complaint phrases of :data:`COMPLAINT_TERMS` found in the text (casefolded, whole
    words): product failure (broken, cracked, leaking, not working...), service failure
    (refund, still waiting, on hold...), verdicts (unreliable, disgusting, avoid...) and the
    "me too" of a pile-on ("so's mine", "third one", "anyone else").
``complaint_score``
    the model's log-odds, which orders complaints by strength; ``probability`` is its
    logistic transform and the model's threshold decides.

Language limits: the features and the VADER lexicon are **English**. Posts in other languages
are **not scored** (``scored`` is False): they are neither complaints nor non-complaints, and
:func:`complaint_coverage` counts them so an analyst can see how many posts were out of reach.
Complaints in images are missed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

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

_COLUMNS = ["post_id", "lang", "sentiment", "complaint_terms", "complaint_score", "probability", "scored", "rule",
            "evidence", "reasons", "is_complaint"]


def phrase_regex(phrases: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any of ``phrases`` casefolded, as whole words (' matches ' or ’).

    >>> phrase_regex(["not working"]).findall("it's NOT  working".casefold())
    ['not  working']
    """
    alts = []
    for p in sorted({p.casefold() for p in phrases}, key=len, reverse=True):
        alts.append(re.escape(p).replace("'", "['\u2019]").replace("\\ ", r"\s+"))
    return re.compile(r"(?<![\w'])(?:" + "|".join(alts) + r")(?![\w'])")


@functools.cache
def _complaint_regex() -> re.Pattern[str]:
    return phrase_regex(t for terms in COMPLAINT_TERMS.values() for t in terms)


@functools.cache
def _private_regex() -> re.Pattern[str]:
    return phrase_regex(PRIVATE_TERMS)


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
    """Return the :data:`PRIVATE_TERMS` in ``text`` (casefolded, whole words, each once).

    >>> private_terms_in("Please DM your Order number; no refund yet")
    ['order number', 'refund']
    """
    return _terms(text or "", _private_regex())


def score_complaints(
    posts: pd.DataFrame,
    *,
    model=None,
    handles: Iterable[str] = (),
    echo: Iterable[bool] | None = None,
) -> pd.DataFrame:
    """Decide for every post whether it is a complaint, with its probability and reasons.

    Parameters
    ----------
    posts : DataFrame
        Any table with ``post_id`` and ``text`` (``lang`` is used when present), e.g. the
        output of :func:`roi.listening.brand_mentions`.
    model : ComplaintModel, optional
        A model from :func:`roi.listening.load_model`; default :func:`roi.listening.default_model`.
    handles : iterable of str
        The brand's handles (mentioning one is evidence of a customer-service case).
    echo : iterable of bool, optional
        Per post: it repeats the brand's own post (never a complaint).

    Returns
    -------
    DataFrame
        ``post_id``, ``lang``, ``sentiment`` (VADER compound), ``complaint_terms`` (the
        :data:`COMPLAINT_TERMS` found), ``complaint_score`` (the model's log-odds: orders
        complaints by strength), ``probability``, ``scored`` (False: not English, so not
        judged), ``rule``, ``evidence`` (a complaint feature beyond tone is present),
        ``reasons`` (list of str) and ``is_complaint`` (bool), in the
        input's order. See :func:`roi.listening.detector.score_texts`.

    Raises
    ------
    ParameterError
        Missing columns.

    Examples
    --------
    >>> posts = pd.DataFrame({"post_id": ["1", "2", "3", "4", "5"], "text": [
    ...     "@acmecustserv my X2 blender lid cracked. I want a refund",
    ...     "so's mine! cracked after a week #acme", "Love my new kettle #acme",
    ...     "@acme your delivery service is a disgrace, two weeks late", "@acme 🔥🔥🔥"]})
    >>> t = score_complaints(posts, handles=["acme", "acmecustserv"])
    >>> t[["post_id", "is_complaint"]].values.tolist()
    [['1', True], ['2', True], ['3', False], ['4', True], ['5', False]]
    >>> t.complaint_terms.tolist()[:2]
    [['cracked', 'refund'], ["so's mine", 'cracked']]
    >>> t.reasons[3][:3]
    ["failure word 'disgrace'", "waiting time 'two weeks'", 'addressed to @acme']
    """
    from roi.listening.detector import score_texts

    missing = [c for c in ("post_id", "text") if c not in posts.columns]
    if missing:
        raise ParameterError(f"posts: missing column(s) {', '.join(missing)}; expected post_id and text")
    text = posts["text"].astype("string").fillna("")
    lang = (posts["lang"].astype("string") if "lang" in posts.columns
            else pd.Series(pd.NA, index=posts.index, dtype="string"))
    # Score each distinct (text, language) once: pile-ons and spam repeat the same words.
    key = pd.MultiIndex.from_arrays([text, lang.fillna("")])
    codes, uniques = pd.factorize(key)
    u_text = [t for t, _ in uniques]
    u_lang = [lg or None for _, lg in uniques]
    u_echo = None
    if echo is not None:
        flags = np.asarray(list(echo), dtype=bool)
        u_echo = np.zeros(len(uniques), dtype=bool)
        np.logical_or.at(u_echo, codes, flags)
    s = score_texts(u_text, model=model, handles=handles, langs=u_lang, echo=u_echo)
    sent_u = s["sentiment"].to_numpy()
    regex = _complaint_regex()
    terms_u = [_terms(_URL.sub(" ", t), regex) for t in u_text]
    terms = [terms_u[c] for c in codes]
    return pd.DataFrame({
        "post_id": posts["post_id"].astype("string").to_numpy(),
        "lang": lang.to_numpy(),
        "sentiment": sent_u[codes] if len(codes) else np.zeros(0),
        "complaint_terms": pd.Series(pa.array(terms, type=pa.list_(pa.string())),
                                     dtype=pd.ArrowDtype(pa.list_(pa.string()))).to_numpy(),
        "complaint_score": s["logit"].to_numpy()[codes] if len(codes) else np.zeros(0),
        "probability": s["probability"].to_numpy()[codes] if len(codes) else np.zeros(0),
        "scored": s["scored"].to_numpy()[codes] if len(codes) else np.zeros(0, dtype=bool),
        "rule": s["rule"].to_numpy()[codes] if len(codes) else np.zeros(0, dtype=object),
        "evidence": s["evidence"].to_numpy()[codes] if len(codes) else np.zeros(0, dtype=bool),
        "reasons": [list(s["reasons"].iat[c]) for c in codes],
        "is_complaint": s["is_complaint"].to_numpy()[codes] if len(codes) else np.zeros(0, dtype=bool),
    }, columns=_COLUMNS).astype({"lang": "string", "post_id": "string", "rule": "string",
                                 "complaint_terms": pd.ArrowDtype(pa.list_(pa.string()))})


def complaint_coverage(scored: pd.DataFrame) -> pd.DataFrame:
    """How many posts the English detector could read: posts by language, complaints, not scored.

    Parameters
    ----------
    scored : DataFrame
        The output of :func:`score_complaints`.

    Returns
    -------
    DataFrame
        ``lang`` (``und`` when unknown), ``posts``, ``complaints``, ``not_scored`` (posts the
        detector could not read: neither complaint nor not) and ``readable`` (True when every
        post of that language was scored), most posts first.

    Examples
    --------
    >>> s = score_complaints(pd.DataFrame({"post_id": ["1", "2"], "lang": ["en", "de"],
    ...     "text": ["@acme my kettle is broken again", "@acme mein Wasserkocher ist schon wieder kaputt"]}))
    >>> complaint_coverage(s).values.tolist()
    [['de', 1, 0, 1, False], ['en', 1, 1, 0, True]]
    """
    lang = scored["lang"].astype("string").fillna("und")
    not_scored = (~scored["scored"].astype(bool)).astype(int) if "scored" in scored.columns else 0
    out = (pd.DataFrame({"lang": lang, "complaint": scored["is_complaint"].astype(int), "not_scored": not_scored})
           .groupby("lang", sort=True).agg(posts=("complaint", "size"), complaints=("complaint", "sum"),
                                           not_scored=("not_scored", "sum"))
           .reset_index())
    out["readable"] = out["not_scored"] == 0
    out = out.sort_values(["posts", "lang"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return out.astype({"posts": "Int64", "complaints": "Int64", "not_scored": "Int64", "readable": "boolean"})
