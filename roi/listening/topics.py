"""The topic of a complaint: the product or service it is about, by transparent rules tried in order.

1. ``vocabulary``: a phrase from a list the analyst gives (the product catalogue: "X2 blender",
   "PourOver kettle"), longest match first. The most reliable: use it when you can.
2. ``hashtag``: the first hashtag that is not a brand term and names a product or service: it
   is in the vocabulary, the brand itself uses it (``brand_hashtags``), or it contains a
   product or service noun (``#x2blender`` holds "blender").
3. ``shared phrase``: the phrase of 1-3 consecutive content words **holding a product or
   service noun** (:data:`PRODUCT_NOUNS`) that the most *distinct complainants* in the analysed
   set used; ties go to the longer phrase, then to the one that comes first in the post. Content
   words are words of at least two characters that are not English stop words, not stop-like
   words that say nothing about a product (:data:`STOP_WORDS`: "people", "say", "thing",
   "everyone", weekdays...), not complaint terms, not brand terms or handles, and not plain
   numbers. So "the lid on my X2 blender cracked", "Lid of the X2 blender split" and "Is anyone
   else's X2 blender lid cracking?" all get "x2 blender": it is used by as many people as "lid"
   or "blender" and is longer. A lone complaint gets its first longest phrase (``first phrase``).
   A word such as "paris" or "people" alone is never a topic: a phrase needs a product or
   service noun.
4. ``complaint term``: a post with no such phrase is about its first complaint term when that
   names a service ("on hold", "refund", "late delivery"); otherwise it has no topic (``none``).

Rule 3 is computed over the complaints passed in together, so a complaint's topic can depend on
the others in the same set (a weekly report re-reads the week's complaints as a whole). Topics
are casefolded. The word lists are English: see the language limits in
:mod:`roi.listening.complaints`.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

import pandas as pd

from roi.accounts import normalise_handle
from roi.errors import ParameterError
from roi.listening.complaints import COMPLAINT_TERMS
from roi.tables import list_items

__all__ = ["complaint_topics", "STOP_WORDS", "TOPIC_NOUNS", "PRODUCT_NOUNS"]

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
saturday sunday tonight morning evening people person persons everyone everybody someone somebody guy guys
man men woman women thing things stuff say says said saying tell told think thought know knew see seen look
looking feel felt way lot lots world life news day daily weekly year years place places today tomorrow
always never often usually sometimes constantly continually repeatedly forever anymore literally actually
seriously honestly totally completely absolutely simply basically apparently obviously clearly probably
maybe perhaps almost quite rather extremely
""".split())

#: Complaint words that also name what a complaint is about, so they may be a topic.
TOPIC_NOUNS = frozenset({"refund", "replacement", "delivery", "item", "quality", "money", "order", "on hold",
                         "late delivery", "charged twice", "overcharged", "wrong item", "cancel my order"})

#: Products, services and the parts of a customer's dealings with a company, across industries
#: (retail, food, travel, telecoms, banking, energy, software, electronics, cars, homeware).
#: A topic phrase must hold one of these (or be in the vocabulary).
PRODUCT_NOUNS = frozenset("""
account accounts app apps application update updates upgrade version software website site page login password
email emails notification notifications feature features bug bugs error screen display battery charger cable
phone phones handset sim signal network coverage data roaming contract plan tariff bill bills billing invoice
payment payments card cards debit credit loan mortgage overdraft transfer transfers fee fees charge charges
interest savings branch atm cash cheque statement pin fraud broadband internet wifi router connection speed
speeds fibre line landline engineer installation install tv box remote channel channels subscription
subscriptions streaming stream show shows episode episodes series film films movie music playlist podcast
flight flights plane airline airport gate boarding luggage baggage bag bags suitcase seat seats seating
ticket tickets booking bookings reservation check-in checkin lounge crew pilot train trains rail railway
station platform carriage coach bus buses tram taxi driver drivers route routes timetable journey trip fare
fares railcard parking car cars vehicle engine tyre tyres brake brakes service servicing garage repair
repairs mot warranty insurance claim policy premium quote courier parcel parcels package packages
delivery deliveries shipping shipment postage tracking collection return returns exchange refund refunds
replacement order orders item items product products stock size sizes fit colour color fabric jeans jacket
coat dress shirt shoes boots trainers clothes trousers dress zip stitching store shop shops checkout till
queue basket receipt voucher vouchers discount code codes coupon price prices pricing offer offers sale
deal deals loyalty points membership food meal meals burger burgers pizza pizzas chips fries sandwich
coffee tea drink drinks milk bread fruit vegetables veg salad chicken meat breakfast lunch dinner menu
restaurant takeaway kitchen grocery groceries recipe portion portions room rooms hotel hotels bed beds
shower toilet bathroom reception housekeeping checkout aircon heating boiler heater meter energy gas
electricity electric power supply tariff water blender kettle toaster oven microwave fridge freezer
washing dishwasher vacuum hoover lid lids handle handles blade blades knife knives pan pans pot pots
lamp sofa chair table mattress furniture laptop laptops computer tablet console controller headphones
earbuds speaker camera printer watch tv television keyboard mouse charger customer support helpline
chat agent agents staff manager complaint complaints callback call calls wait hold queue
""".split())

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
    brand_hashtags: Iterable[str] = (),
    max_words: int = 3,
) -> pd.DataFrame:
    """Return the topic of each complaint and the rule that gave it.

    Parameters
    ----------
    complaints : DataFrame
        ``post_id``, ``author_id``, ``text``, and optionally ``hashtags`` and
        ``complaint_terms`` (lists) of the complaints.
    vocabulary : iterable of str
        Known topics (product names); matched casefolded as whole words, longest first.
    brand_terms : iterable of str
        Brand names, hashtags and handles: never a topic.
    brand_hashtags : iterable of str
        Hashtags the brand itself uses (its own terms: ``#x2blender``); they may be topics.
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
    >>> p = pd.DataFrame({"post_id": ["1", "2"], "author_id": ["u", "v"],
    ...     "text": ["People in Paris say it is awful", "people say Paris is a disgrace #paris"]})
    >>> complaint_topics(p).values.tolist()
    [['1', <NA>, 'none'], ['2', <NA>, 'none']]
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
    own_tags_of_brand = {str(t).lstrip("#").casefold() for t in brand_hashtags if str(t).strip()}
    vocab_words = {w for v in vocab for w in v.split()}
    nouns = (PRODUCT_NOUNS | TOPIC_NOUNS | vocab_words) - STOP_WORDS
    long_nouns = [n for n in nouns if len(n) >= 4]

    def names_a_product(phrase: str) -> bool:
        return any(w in nouns or w.rstrip("s") in nouns for w in phrase.split())

    def product_tag(tag: str) -> bool:
        return (tag in own_tags_of_brand or tag in vocab or tag in nouns
                or any(n in tag for n in long_nouns))
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
        own_tags = [str(t).casefold() for t in list_items(tags[i])]
        other = [t for t in own_tags if t not in brand and product_tag(t)]
        if other:
            topic[i], rule[i] = other[0], "hashtag"
            continue
        if text not in phrase_cache:
            phrase_cache[text] = [(p, at) for p, at in _phrases(text, skip, int(max_words)) if names_a_product(p)]
        phrases = phrase_cache[text]
        pending[i] = phrases
        for p in {p for p, _ in phrases}:
            support[p].add(authors[i])
    terms = (complaints["complaint_terms"].tolist() if "complaint_terms" in complaints.columns else [None] * n)
    for i, phrases in pending.items():
        if not phrases:
            own_terms = [str(t) for t in list_items(terms[i]) if str(t) in TOPIC_NOUNS]
            if own_terms:
                topic[i], rule[i] = own_terms[0], "complaint term"
            continue
        best = min(phrases, key=lambda pp: (-len(support[pp[0]]), -len(pp[0].split()), pp[1]))
        topic[i] = best[0]
        rule[i] = "shared phrase" if len(support[best[0]]) > 1 else "first phrase"
    return pd.DataFrame({
        "post_id": complaints["post_id"].astype("string").to_numpy(),
        "topic": pd.array(topic, dtype="string"),
        "topic_rule": pd.array(rule, dtype="string"),
    })


