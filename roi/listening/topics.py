"""The topic of a complaint: what it is about, by three transparent rules tried in order.

1. ``vocabulary``: a phrase from a list the analyst gives (the product catalogue: "X2 blender",
   "PourOver kettle"), longest match first. The most reliable: use it when you can.
2. ``hashtag``: the first hashtag that is not a brand term (``#x2blender``).
3. ``shared phrase``: the phrase of 1-3 consecutive content words that the most *distinct
   complainants* in the analysed set used; ties go to the longer phrase, then to the one that
   comes first in the post. Content words are words of at least two characters that are not
   English stop words, not complaint terms (:data:`roi.listening.COMPLAINT_TERMS`), not brand
   terms or handles, and not plain numbers (complaint words that name a thing, such as "refund"
   or "replacement", may be topics: :data:`TOPIC_NOUNS`). So "the lid on my X2 blender cracked", "Lid of the
   X2 blender split" and "Is anyone else's X2 blender lid cracking?" all get "x2 blender": it
   is used by as many people as "lid" or "blender" and is longer. A lone complaint gets its
   first longest phrase (``first phrase``).
4. ``complaint term``: a post with no content word at all ("waited 50 minutes on hold") is
   about its first complaint term ("on hold").

Rule 3 is computed over the complaints passed in together, so a complaint's topic can depend on
the others in the same set (a weekly report re-reads the week's complaints as a whole). Topics
are casefolded. The stop words and phrases are English: see the language limits in
:mod:`roi.listening.complaints`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Iterable

import numpy as np
import pandas as pd

from roi.accounts import normalise_handle
from roi.errors import ParameterError
from roi.listening.complaints import COMPLAINT_TERMS

__all__ = ["complaint_topics", "STOP_WORDS", "TOPIC_NOUNS"]

#: English function words and filler that never make a topic on their own.
STOP_WORDS = frozenset("""
a about above after again against all already also am an and any anyone anything are aren't around as at
be because been before being below between both but by can can't cannot could couldn't day days did didn't
do does doesn't doing don't down during each else else's even ever every few for from further get gets got
great had hasn't have haven't having he her here hers herself him himself his how i i'm i've if in into is
isn't it it's its itself just last let like ll me mine month months more most much must my myself new no
nor not now of off ok on once one only or other our ours ourselves out over own please really same second
she should so so's some still such than thanks that the their theirs them themselves then there these they
this those three through to today too two under until up us very was wasn't we week weeks were weren't
what when where which while who whom why will with won't would wouldn't yesterday yet you your yours
yourself yourselves hi hello hey lol ugh omg want wants need needs tried try time times already back
due ago since got made arrived waited minute minutes hour hours monday tuesday wednesday thursday friday
saturday sunday tonight morning evening
""".split())

#: Complaint words that also name what a complaint is about, so they may be a topic.
TOPIC_NOUNS = frozenset({"refund", "replacement", "delivery", "item", "quality", "money", "order"})

_WORD = re.compile(r"[\w][\w'\u2019-]*")


def _complaint_words() -> frozenset[str]:
    return frozenset(w for terms in COMPLAINT_TERMS.values() for t in terms for w in t.split()) - TOPIC_NOUNS


def _phrases(text: str, skip: frozenset[str], max_words: int) -> list[tuple[str, int]]:
    """(phrase, position) for every run of 1..max_words consecutive content words."""
    text = re.sub(r"https?://\S+|[@#\uff20\uff03]\w+", " | ", text.casefold())
    out: list[tuple[str, int]] = []
    run: list[str] = []
    pos = 0

    def flush() -> None:
        for i in range(len(run)):
            for n in range(1, max_words + 1):
                if i + n <= len(run):
                    out.append((" ".join(run[i:i + n]), pos - len(run) + i))

    for piece in re.split(r"([.,;:!?()\"|/…]+)", text):
        if re.fullmatch(r"[.,;:!?()\"|/…]+", piece or "x"):
            flush()
            run = []
            continue
        for w in _WORD.findall(piece):
            w = w.replace("\u2019", "'").strip("'-")
            pos += 1
            if len(w) < 2 or w in skip or w.isdigit():
                flush()
                run = []
            else:
                run.append(w)
    flush()
    return out


def complaint_topics(
    complaints: pd.DataFrame,
    *,
    vocabulary: Iterable[str] = (),
    brand_terms: Iterable[str] = (),
    max_words: int = 3,
) -> pd.DataFrame:
    """The topic of each complaint and the rule that gave it.

    Parameters
    ----------
    complaints : DataFrame
        ``post_id``, ``author_id``, ``text``, and optionally ``hashtags`` and
        ``complaint_terms`` (lists) of the complaints.
    vocabulary : iterable of str
        Known topics (product names); matched casefolded as whole words, longest first.
    brand_terms : iterable of str
        Brand names, hashtags and handles: never a topic.
    max_words : int, default 3
        Longest shared phrase considered.

    Returns
    -------
    DataFrame
        ``post_id``, ``topic`` (string; <NA> when a post has no content word at all) and
        ``topic_rule`` (``vocabulary``, ``hashtag``, ``shared phrase``, ``first phrase``,
        ``complaint term`` or ``none``), in the input's order.

    Raises
    ------
    ParameterError
        Missing columns or ``max_words`` below 1.

    Examples
    --------
    >>> c = pd.DataFrame({"post_id": ["1", "2", "3"], "author_id": ["u", "v", "w"],
    ...     "text": ["the lid on my X2 blender cracked #acme", "Is anyone else's X2 blender lid cracking?",
    ...              "my kettle is leaking"], "hashtags": [["acme"], [], []]})
    >>> complaint_topics(c, brand_terms=["acme"]).values.tolist()
    [['1', 'x2 blender', 'shared phrase'], ['2', 'x2 blender', 'shared phrase'], ['3', 'kettle', 'first phrase']]
    >>> complaint_topics(c, vocabulary=["Kettle", "X2 Blender"]).topic.tolist()
    ['x2 blender', 'x2 blender', 'kettle']
    """
    missing = [c for c in ("post_id", "author_id", "text") if c not in complaints.columns]
    if missing:
        raise ParameterError(f"complaints: missing column(s) {', '.join(missing)}")
    if int(max_words) < 1:
        raise ParameterError(f"max_words={max_words!r}: expected at least 1")
    brand = {normalise_handle(t) for t in brand_terms if str(t).strip()}
    vocab = sorted({str(v).strip().casefold() for v in vocabulary if str(v).strip()}, key=len, reverse=True)
    vocab_re = (re.compile(r"(?<!\w)(" + "|".join(re.escape(v).replace("\\ ", r"\s+") for v in vocab) + r")(?!\w)")
                if vocab else None)
    skip = STOP_WORDS | _complaint_words() | frozenset(brand)
    texts = complaints["text"].astype("string").fillna("").tolist()
    authors = complaints["author_id"].astype("string").fillna("").tolist()
    tags = (complaints["hashtags"].tolist() if "hashtags" in complaints.columns else [None] * len(texts))

    n = len(texts)
    topic: list[object] = [pd.NA] * n
    rule = ["none"] * n
    pending: dict[int, list[tuple[str, int]]] = {}
    phrase_cache: dict[str, list[tuple[str, int]]] = {}
    support: dict[str, set[str]] = defaultdict(set)
    for i, text in enumerate(texts):
        if vocab_re is not None:
            m = vocab_re.search(text.casefold())
            if m:
                topic[i], rule[i] = re.sub(r"\s+", " ", m.group(1)), "vocabulary"
                continue
        own_tags = [str(t).casefold() for t in _as_list(tags[i])]
        other = [t for t in own_tags if t not in brand]
        if other:
            topic[i], rule[i] = other[0], "hashtag"
            continue
        if text not in phrase_cache:
            phrase_cache[text] = _phrases(text, skip, int(max_words))
        phrases = phrase_cache[text]
        pending[i] = phrases
        for p in {p for p, _ in phrases}:
            support[p].add(authors[i])
    terms = (complaints["complaint_terms"].tolist() if "complaint_terms" in complaints.columns else [None] * n)
    for i, phrases in pending.items():
        if not phrases:
            own_terms = _as_list(terms[i])
            if own_terms:
                topic[i], rule[i] = str(own_terms[0]), "complaint term"
            continue
        best = min(phrases, key=lambda pp: (-len(support[pp[0]]), -len(pp[0].split()), pp[1]))
        topic[i] = best[0]
        rule[i] = "shared phrase" if len(support[best[0]]) > 1 else "first phrase"
    return pd.DataFrame({
        "post_id": complaints["post_id"].astype("string").to_numpy(),
        "topic": pd.array(topic, dtype="string"),
        "topic_rule": pd.array(rule, dtype="string"),
    })


def _as_list(value) -> list:
    """A list cell as a Python list; a null cell (None, NA, NaN) as an empty one."""
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return []
    return list(value)
