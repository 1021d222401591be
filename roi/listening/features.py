"""The evidence a complaint carries, as named features a person can read.

Sentiment words alone miss most complaints ("@acme your delivery service is a disgrace, two
weeks late" scores only mildly negative) and flag news about sad events. People who complain to
a brand write in recognisable ways; each way is a feature here, found by a transparent pattern,
and each keeps the words that matched so a flagged post can say *why*:

=================== =========================================================================
feature             what it looks for (English)
=================== =========================================================================
addressed           the post is addressed to an account: it starts with an @mention, or it
                    mentions one of the brand's handles
negation            not, no, never, nothing, nobody, can't, won't, didn't ...
persistence         still, again, every single day, no response, no reply, ignored, keeps ...
waiting             waiting time: "two weeks", "45 minutes", "since Monday", "on hold", "all day"
failure             failure words: late, delayed, broke, cancelled, charged, lost, missing,
                    crashed, down, error, wrong, damaged, refused, rude, stuck ...
possession          first-person possession of a product or service: "my order", "my phone", "our flight"
blame_question      questions of blame: "why is ...", "where is my ...", "how come ...",
                    "is anyone ...", "what's the point"
profanity           swearing: wtf, damn, crap, shit ...
anger_emoji         😡 😠 🤬 😤 👎 🙄 😒 🤦 ...
complaint_phrase    a phrase of :data:`roi.listening.COMPLAINT_TERMS` (refund, not working ...)
pile_on             the "me too" of a pile-on: so's mine, same here, anyone else, third one ...
shouting            words in capitals ("AGAIN", "NOT") or "??" / "?!"
sarcasm             praise next to failure: "thanks for losing my bag", "great start ... cracked"
negative_sentiment  VADER's compound below zero, as 0..1 (Hutto & Gilbert 2014)
positive_sentiment  VADER's compound above zero, as 0..1, where no failure word or complaint phrase is present
praise              thanks, love, great, brilliant, well done, 👍 ❤️ ...
plain_question      a question with none of the complaint evidence above
news                news vocabulary: breaking, reports, says, according to, police, minister,
                    announces, live:, shares ... (the brand as a news source, not a service)
=================== =========================================================================

Features are numbers in [0, 1] (1 = present; the sentiment parts are continuous). A linear
model over them (:mod:`roi.listening.detector`) decides, and its positive contributions are
the reasons shown for a flagged post.

**Language.** All patterns and the VADER lexicon are English. :func:`readable_english` says
which posts they can read: the platform's ``lang`` when it is known (``en``, or undetermined
codes such as ``und``), otherwise a check that the text has English function words and is
mostly Latin script. Other posts are *not scored* (neither complaint nor not-complaint).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from roi.listening.complaints import COMPLAINT_TERMS, phrase_regex

__all__ = ["FEATURES", "FEATURE_LABELS", "feature_matrix", "readable_english", "normalise_for_ngrams"]

#: The features, in the order of the model's weight vector.
FEATURES: tuple[str, ...] = (
    "addressed", "negation", "persistence", "waiting", "failure", "possession", "blame_question",
    "profanity", "anger_emoji", "complaint_phrase", "pile_on", "shouting", "sarcasm", "negative_sentiment",
    "positive_sentiment", "praise", "plain_question", "news",
)

#: How each feature is named in a reason ("failure word 'late'").
FEATURE_LABELS: dict[str, str] = {
    "addressed": "addressed to", "negation": "negation", "persistence": "still/again",
    "waiting": "waiting time", "failure": "failure word", "possession": "their own",
    "blame_question": "blame question", "profanity": "profanity", "anger_emoji": "anger emoji",
    "complaint_phrase": "complaint phrase", "pile_on": "me too", "shouting": "shouting", "sarcasm": "sarcasm",
    "negative_sentiment": "negative words", "positive_sentiment": "positive words", "praise": "praise",
    "plain_question": "a question without complaint evidence", "news": "news wording",
}

_NUM = (r"(?:\d+(?:[.,]\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
        r"fifteen|twenty|thirty|forty|fifty|several|few|couple\s+of|a\s+couple\s+of|many|multiple)")
_UNIT = r"(?:mins?|minutes?|hrs?|hours?|days?|weeks?|wks?|months?|years?)"
_DAY = (r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun|"
        r"yesterday|last\s+\w+|january|february|march|april|may|june|july|august|september|october|"
        r"november|december|\d{1,2}(?:st|nd|rd|th)?|the\s+\d{1,2}(?:st|nd|rd|th)?)")

_PATTERNS: dict[str, str] = {
    "negation": r"\b(?:not|no|never|nothing|nobody|noone|none|nowhere|cannot|can't|won't|don't|doesn't|didn't|"
                r"isn't|aren't|wasn't|weren't|haven't|hasn't|hadn't|couldn't|wouldn't|shouldn't|ain't)\b",
    "persistence": r"\b(?:still\s+(?:\w+\s+)?(?:no|not|nothing|nobody|waiting|broken|down|missing|having|getting|being|"
                   r"charging|can't|cannot|won't|doesn't|don't|didn't|isn't|aren't|hasn't|haven't|hadn't|wasn't|"
                   r"on\s+hold|without|unable|stuck|a\s+problem|an\s+issue|the\s+same)|"
                   r"again|yet\s+again|once\s+again|every\s+(?:single\s+)?(?:time|day|week|month|morning|"
                   r"evening|night|visit)|(?:no|zero)\s+(?:response|reply|replies|answer|update|updates|"
                   r"information|info|contact|call\s*back|callback|explanation)|not\s+heard\s+back|"
                   r"ignor(?:e|ed|es|ing)|keeps?\s+\w+ing|kept\s+\w+ing|(?:third|fourth|fifth|\d+(?:st|nd|rd|th))\s+time|"
                   r"(?:twice|three\s+times)|how\s+many\s+times|another\s+(?:day|delay|cancell?ed|outage))\b",
    "waiting": r"\b(?:" + _NUM + r"\s+" + _UNIT + r"|\d+\s*(?:mins?|hrs?|h|d)\b|since\s+" + _DAY +
               r"|for\s+(?:ages|hours|days|weeks|months|an\s+hour|over\s+an?\s+\w+)|on\s+hold|all\s+(?:day|morning|"
               r"night|week|weekend|evening)|over\s+an\s+hour|(?:hours|days|weeks|months)\s+(?:later|now|ago)|"
               r"waiting|waited|wait\s+times?|still\s+no)\b",
    "failure": r"\b(?:late|later than|delay(?:ed|s)?|broke|broken|breaks|cancell?(?:ed|ing|ation)|charged|overcharged|"
               r"lost|loses|losing|missing|missed|split|splitting|crack(?:ing|s)?|dull|blunt|loose|bent|chipped|torn|rust(?:y|ed|ing)|"
               r"(?:can't|cannot|couldn't|unable\s+to)\s+(?:even\s+)?(?:log|login|sign|access|get\s+through|pay|connect|use|"
               r"load|open|book|check\s+in|order|cancel|track|reach|contact|watch|stream|call|stream|download|"
               r"update|transfer|withdraw|top\s+up|find\s+my|get\s+my|get\s+a|speak|talk)|"
               r"won't\s+(?:let|work|load|open|turn|start|charge|connect|accept|refund|respond|reply|answer|send|"
               r"fix|help|pay|honou?r|deliver|give)|crash(?:ed|es|ing)?|"
               r"(?:is|are|was|were|been|went|goes|going|gone)\s+down|down\s+(?:again|for|since|all)|outage|"
               r"fail(?:ed|s|ing|ure)?|error|wrong|damaged|dented|cracked|leak(?:ing|s|ed)?|stuck|declined|"
               r"refused|denied|rude|cold|soggy|expired|mouldy|moldy|dirty|filthy|faulty|defective|locked\s+out|"
               r"cut\s+off|hung\s+up|stranded|never\s+(?:arrived|came|turned\s+up|showed)|not\s+(?:arrived|working|"
               r"received|delivered|fixed|included)|buffering|dropp(?:ed|ing)|disconnect(?:ed|ing|s)?|glitch(?:es|y)?|"
               r"bug(?:s|gy)?|ripped|stain(?:ed)?|flooded|scratched|forgot|deleted|stopped\s+working|doesn't\s+work|"
               r"don't\s+work|didn't\s+work|isn't\s+working|not\s+work(?:ing)?|no\s+(?:signal|service|internet|"
               r"connection|wifi|power|hot\s+water|record)|fell\s+apart|smashed|unusable|unavailable|suspended|"
               r"blocked|overdue|waste(?:d)?|rip\s*off|scam(?:med)?|mess(?:ed)?\s+up|screwed|ruin(?:ed|ing|s)?|"
               r"useless|rubbish|pathetic|disgrace(?:ful)?|shocking|appalling|unacceptable|ridiculous|"
               r"terrible|awful|horrible|worst|joke|shambles|nightmare|fiasco|incompetent)\b",
    "blame_question": r"(?:\bwhy\s+(?:is|are|was|were|do|does|did|would|has|have|had|can't|won't|isn't|aren't|"
                      r"doesn't|don't|didn't|hasn't|haven't|should|on\s+earth|the\s+hell|is\s+it|am\s+i)\b|"
                      r"\bhow\s+(?:come|is\s+(?:it|this|that)\s+(?:acceptable|ok|okay|possible|fair)|hard\s+is\s+it|"
                      r"many\s+times|long\s+(?:does|do|will|is)\s+it)\b|\bwhere(?:'s|\s+is|\s+are)\s+(?:my|our|the)\b|"
                      r"\bwhat(?:'s|\s+is)\s+(?:the\s+point|going\s+on|wrong|happening|the\s+hold\s*up)\b|"
                      r"\bis\s+(?:anyone|anybody|it\s+too\s+much|there\s+anyone)\b|\bare\s+you\s+(?:ever|even|"
                      r"serious|kidding|joking)\b|\bwhen\s+(?:will|are|is)\s+(?:this|it|my|you|the)\b|"
                      r"\bexplain\s+(?:that|this|why)\b|\bwho\s+do\s+i\s+(?:talk|speak|contact)\b)",
    "profanity": r"\b(?:f+u+c+k\w*|fck\w*|fkn|sh[i1]t\w*|crap\w*|damn\w*|wtf|ffs|omfg|bs|bullshit|piss(?:ed|ing)?|"
                 r"arse\w*|ass(?:hole)?s?|sucks?|bloody|hell|bollocks|bastards?|screw\s+(?:you|this))\b",
    "praise": r"\b(?:thanks?|thank\s+you|thx|ty|cheers|love[ds]?|loving|great|brilliant|amazing|awesome|lovely|"
              r"excellent|perfect|fantastic|impressed|recommend(?:ed)?|well\s+done|fair\s+play|kudos|"
              r"appreciate[ds]?|delicious|gorgeous|superb|best|favourite|favorite|congrats|congratulations|"
              r"helpful|wonderful|happy|enjoy(?:ed|ing)?|nice|smooth|cool|legend|reassuring|sorted)\b",
    "news": r"(?:\b(?:breaking|reports?|reported|reporting|according\s+to|says|said|announces?|announced|unveils?|"
            r"minister|president|prime\s+minister|police|government|govt|election|elections|parliament|mps?|"
            r"killed|injured|dead|died|arrested|shares|profits?|merger|summit|protests?|protesters|court|"
            r"inquiry|headlines?|interview(?:ed)?|coverage|confirms?|urges?|warns?|officials?|spokesperson|"
            r"investigation|allegations?|crisis|attack|leaders?|vote|voters|referendum|stocks?|sensex|nifty)\b"
            r"|^\s*(?:live|watch|video|update|opinion|analysis)\s*:)",
}

_ANGER = "😡😠🤬😤👎💩🙄😒😑😩😫😞😣😖😾🖕🤦😕😟🤨"
_ANGER_RE = re.compile("[" + _ANGER + "]")
_PRAISE_EMOJI = re.compile("[👍❤😍🥰🙏👌🎉🥳💯✨😊🙂😀😃😄💜💙💚🧡💛]")
_POSSESSION_RE = re.compile(r"\b(?:my|our)\s+(?:new\s+|brand\s+new\s+|old\s+)?([a-z][a-z0-9'-]+)")
_CAPS_RE = re.compile(r"(?<![@#\w])[A-Z]{3,}(?!\w)")
_ALLOWED_CAPS = frozenset({"USA", "UK", "BBC", "CEO", "MOT", "API", "PDF", "SMS", "ATM", "NHS", "EU", "TV", "DM",
                           "PM", "AM", "RT", "LOL", "OMG", "WiFi", "HQ", "FAQ", "BTS", "NBA", "NFL", "ESPN"})
_PUNCT_RE = re.compile(r"\?\?|\?!|!\?")
_HANDLE_RE = re.compile(r"(?<![\w@])[@\uff20](\w{1,30})")
_LEADING_HANDLE_RE = re.compile(r"^\s*(?:\.?[@\uff20]\w{1,30}[\s,:]*)+")
_URL_RE = re.compile(r"https?://\S+|www\.\S+")
_QUESTION_RE = re.compile(r"\?")
_SARCASM_RE = re.compile(r"\b(?:thanks?|thank\s+you|great\s+(?:job|work|service)|well\s+done|love\s+how|"
                         r"love\s+it\s+when|oh\s+good|brilliant|fantastic|nice\s+one|cheers|really\s+reliable|"
                         r"shout\s*out)\b")

# "No problem" is not a problem: phrases whose negation or failure word praises, read as neutral.
_NOT_A_PROBLEM_RE = re.compile(
    r"\b(?:can(?:'t|not)\s+wait|can(?:'t|not)\s+stop\s+\w+ing|can(?:'t|not)\s+recommend\s+\w+\s+enough|"
    r"never\s+(?:had|have)\s+(?:an?|any|a\s+single)\s+(?:issue|problem|fault|outage|complaint)s?|"
    r"not\s+a\s+single\s+(?:delay|problem|issue|fault)|no\s+(?:complaints|problems?|issues?|worries)|"
    r"never\s+disappoints?|couldn't\s+be\s+happier|no\s+problem(?:\s+at\s+all)?|no\s+questions\s+asked|"
    r"not\s+sponsored|no\s+doubt|not\s+bad)\b", re.IGNORECASE)

_ENGLISH = frozenset("""
the a an to is are was were be been my our your you i we it this that and or but of in on for with at by from
not no have has had do does did can will would should could me us they them their there here what why how
when where who which so just all any some if then than too very again still already been being am im i'm
it's don't can't won't isn't off out up down get got now new today one more like good day time please help
thanks thank order back over about after before only also even really
""".split())
_READABLE_LANGS = frozenset({"en", "und", "zxx", "qme", "qht", "qam", "qst", "art", ""})


@functools.cache
def _regexes() -> dict[str, re.Pattern[str]]:
    out = {name: re.compile(p) for name, p in _PATTERNS.items()}
    out["complaint_phrase"] = phrase_regex(t for group, terms in COMPLAINT_TERMS.items() if group != "pile-on"
                                           for t in terms)
    out["pile_on"] = phrase_regex(COMPLAINT_TERMS["pile-on"])
    return out


@functools.cache
def _product_nouns() -> frozenset[str]:
    from roi.listening.topics import PRODUCT_NOUNS, TOPIC_NOUNS

    return frozenset(PRODUCT_NOUNS | TOPIC_NOUNS) - {"money", "time"}


@functools.cache
def _analyzer():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


_SPACES_RE = re.compile(r"\s+")


def _first(regex: re.Pattern[str], text: str) -> str | None:
    m = regex.search(text)
    return _SPACES_RE.sub(" ", m.group(0)).strip() if m else None


def _looks_english(text: str) -> bool:
    words = re.findall(r"[^\W\d_][^\W\d_'’]*", _URL_RE.sub(" ", _HANDLE_RE.sub(" ", text)))
    if not words:
        return True  # nothing to read: emoji, links, handles; the detector finds no evidence either way
    letters = "".join(words)
    latin = sum(1 for ch in letters if ch.isascii())
    if latin < 0.6 * len(letters):
        return False
    if len(words) < 5:
        return True
    lowered = {w.casefold().replace("’", "'") for w in words}
    return bool(lowered & _ENGLISH)


def readable_english(texts: Sequence[str], langs: Sequence[object] | None = None) -> np.ndarray:
    """Which texts the English patterns and lexicon can read.

    Parameters
    ----------
    texts : sequence of str
        The posts' texts.
    langs : sequence, optional
        The platform's language codes (``lang``); missing values fall back to the text check.

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> readable_english(["my order is late", "mein Paket ist seit zwei Wochen nicht da",
    ...                   "Мой заказ опоздал", "kaputt"], ["en", None, None, "de"]).tolist()
    [True, False, False, False]
    """
    out = np.empty(len(texts), dtype=bool)
    for i, text in enumerate(texts):
        code = None
        if langs is not None:
            value = langs[i]
            if value is not None and value is not pd.NA and not (isinstance(value, float) and np.isnan(value)):
                code = str(value).strip().casefold()
        if code:
            out[i] = code.split("-")[0] in _READABLE_LANGS and (code.startswith("en") or _looks_english(text))
        else:
            out[i] = _looks_english(text)
    return out


def _evidence(text: str, handles: frozenset[str]) -> dict[str, tuple[float, str | None]]:
    """(value, the words that matched) for every feature of one text."""
    rx = _regexes()
    raw = text.replace("’", "'").replace("＠", "@")
    body = _URL_RE.sub(" ", raw)
    lower = body.casefold()
    no_handles = _NOT_A_PROBLEM_RE.sub(" fine ", _HANDLE_RE.sub(" ", lower))
    found: dict[str, tuple[float, str | None]] = {}

    mentioned = [h.casefold() for h in _HANDLE_RE.findall(body)]
    lead = _LEADING_HANDLE_RE.match(body)
    brand_hit = next((h for h in mentioned if h in handles), None)
    if brand_hit:
        found["addressed"] = (1.0, "@" + brand_hit)
    elif lead and not raw.lstrip().startswith("RT @"):
        found["addressed"] = (1.0, lead.group(0).strip().split()[0])
    for name in ("negation", "persistence", "waiting", "failure", "blame_question", "profanity", "praise"):
        hit = _first(rx[name], no_handles)
        if hit:
            found[name] = (1.0, hit)
    news = _first(rx["news"], no_handles)
    if news:
        found["news"] = (1.0, news)
    for name in ("complaint_phrase", "pile_on"):
        phrase = _first(rx[name], no_handles)
        if phrase:
            found[name] = (1.0, phrase)
    nouns = _product_nouns()
    for m in _POSSESSION_RE.finditer(no_handles):
        word = m.group(1)
        if word in nouns or word.rstrip("s") in nouns:
            found["possession"] = (1.0, _SPACES_RE.sub(" ", m.group(0)))
            break
    anger = _ANGER_RE.findall(body)
    if anger:
        found["anger_emoji"] = (1.0, anger[0])
    caps = [w for w in _CAPS_RE.findall(_HANDLE_RE.sub(" ", body)) if w not in _ALLOWED_CAPS]
    punct = _PUNCT_RE.search(body)
    if caps and len(caps) < 0.5 * max(1, len(body.split())) or punct:
        found["shouting"] = (1.0, caps[0] if caps else punct.group(0))
    if "praise" not in found and _PRAISE_EMOJI.search(body):
        found["praise"] = (1.0, _PRAISE_EMOJI.search(body).group(0))
    failure_like = any(k in found for k in ("failure", "complaint_phrase"))
    sarcasm = _first(_SARCASM_RE, no_handles) or (found["praise"][1] if "praise" in found else None)
    if sarcasm and failure_like:
        found["sarcasm"] = (1.0, sarcasm)
    for_vader = _NOT_A_PROBLEM_RE.sub(" fine ", _HANDLE_RE.sub(" ", body))
    compound = _analyzer().polarity_scores(for_vader)["compound"] if for_vader.strip() else 0.0
    found["compound"] = (compound, None)  # VADER's score as it is (not a feature: for the sentiment column)
    if compound < 0:
        found["negative_sentiment"] = (-compound, f"{compound:+.2f}")
    elif compound > 0 and not failure_like:
        # Positive words count against a complaint only where nothing failed: VADER reads
        # "Great start to the week" after "cracked lid", or "expected better", as positive.
        found["positive_sentiment"] = (compound, f"{compound:+.2f}")
    negative = ("negation", "persistence", "waiting", "failure", "blame_question", "profanity", "anger_emoji",
                "complaint_phrase", "pile_on")
    if _QUESTION_RE.search(body) and not any(k in found for k in negative):
        found["plain_question"] = (1.0, "?")
    return found


def feature_matrix(
    texts: Sequence[str],
    *,
    handles: Iterable[str] = (),
) -> tuple[np.ndarray, list[dict[str, tuple[float, str | None]]]]:
    """Compute the feature values of each text, and the words behind them.

    Parameters
    ----------
    texts : sequence of str
        The posts' texts.
    handles : iterable of str
        The brand's handles (with or without ``@``): mentioning one makes a post ``addressed``.

    Returns
    -------
    (ndarray, list of dict)
        A float matrix of shape ``(len(texts), len(FEATURES))`` and, per text, ``{feature:
        (value, matched words)}`` for the features present (plus ``compound``: VADER's score).

    Examples
    --------
    >>> X, ev = feature_matrix(["@acme your delivery service is a disgrace, two weeks late"])
    >>> sorted(ev[0])
    ['addressed', 'compound', 'failure', 'negative_sentiment', 'waiting']
    >>> ev[0]["waiting"][1], ev[0]["failure"][1]
    ('two weeks', 'disgrace')
    """
    wanted = frozenset(str(h).strip().lstrip("@").casefold() for h in handles if str(h).strip())
    cache: dict[str, dict[str, tuple[float, str | None]]] = {}
    evidence = []
    for text in texts:
        t = "" if text is None or text is pd.NA or (isinstance(text, float) and np.isnan(text)) else str(text)
        if t not in cache:
            cache[t] = _evidence(t, wanted)
        evidence.append(cache[t])
    X = np.zeros((len(evidence), len(FEATURES)))
    index = {f: j for j, f in enumerate(FEATURES)}
    for i, found in enumerate(evidence):
        for name, (value, _) in found.items():
            if name in index:
                X[i, index[name]] = value
    return X, evidence


def normalise_for_ngrams(text: str) -> str:
    """Text as the n-gram features see it: casefolded, links, handles and digits generalised.

    >>> normalise_for_ngrams("@Acme order #123 late https://t.co/x")
    '@user order #000 late url'
    """
    t = _URL_RE.sub(" url ", str(text).replace("’", "'")).casefold()
    t = _HANDLE_RE.sub("@user", t)
    return re.sub(r"\s+", " ", re.sub(r"\d", "0", t)).strip()
