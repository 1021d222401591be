r"""Entities in post text: hashtags, mentions, URLs, retweet prefixes, questions, HTML to text.

Where a platform gives no entities (a CSV export, a Mastodon note's HTML, an old tweet), roi reads
them from the text with the rules of twitter-text, the reference every X client follows: the
hashtag and mention extractors here pass every ``hashtags`` and ``mentions`` conformance case of
twitter-text's ``extract.yml`` (tests/test_text.py runs them all).

Two layers:

* ``extract_*`` return entities exactly as written (original case), as the conformance cases
  expect;
* ``hashtags_of`` / ``mentions_of`` / ``urls_of`` work on a whole pandas Series and return the
  canonical form the tables store: an Arrow ``list<string>`` column, hashtags and handles
  casefolded (:func:`normalise_entities`), a null text giving a null list ("unknown"), and the
  ``RT @user:`` prefix of a retweet not counted as a mention (DESIGN.md).

The Unicode classes twitter-text uses (``\p{L}``, ``\p{M}``, ``\p{Nd}``) are not in the
standard :mod:`re` module, so they are built once, lazily, from :mod:`unicodedata`.

Examples
--------
>>> extract_hashtags("Loving the #NewMenu and #café, not #1")
['NewMenu', 'café']
>>> extract_mentions("RT @acme: thanks @Bob_1 (email me@example.com)")
['acme', 'Bob_1']
>>> mentions_of(pd.Series(["RT @acme: thanks @Bob_1", None])).tolist()
[['bob_1'], <NA>]
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterable
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pyarrow as pa

__all__ = [
    "extract_hashtags",
    "extract_mentions",
    "extract_urls",
    "normalise_entities",
    "hashtags_of",
    "mentions_of",
    "urls_of",
    "strip_retweet_prefix",
    "is_retweet_text",
    "retweet_texts",
    "has_question",
    "html_to_text",
]

LIST_OF_STRINGS = pd.ArrowDtype(pa.list_(pa.string()))

# --- Unicode classes -------------------------------------------------------------------------

# Code points that can be letters, marks or decimal digits: planes 0-3 plus the variation
# selectors supplement (plane 14, category Mn). Scanning only these keeps the build ~0.1 s.
_SCAN = (range(0, 0x40000), range(0xE0100, 0xE01F0))


def _ranges(codepoints: Iterable[int]) -> str:
    """Return a regex character-class body (without brackets) for a sorted set of code points."""
    out: list[str] = []
    start = prev = None
    for cp in codepoints:
        if prev is not None and cp == prev + 1:
            prev = cp
            continue
        if start is not None:
            out.append(_span(start, prev))
        start = prev = cp
    if start is not None:
        out.append(_span(start, prev))
    return "".join(out)


def _span(a: int, b: int) -> str:
    esc = lambda c: f"\\U{c:08x}"  # noqa: E731 - escape everything: no metacharacter surprises
    return esc(a) if a == b else f"{esc(a)}-{esc(b)}"


@functools.cache
def _unicode_classes() -> tuple[tuple[str, str], tuple[str, str]]:
    """(letters+marks, decimal digits), each as (BMP, astral) character-class bodies.

    Split in two because :mod:`re` compiles a class of BMP characters to a fast bitmap, but
    falls back to a linear list of ranges as soon as one astral character is in it.
    """
    letters_marks, digits = [], []
    category = unicodedata.category
    for block in _SCAN:
        for cp in block:
            cat = category(chr(cp))
            if cat[0] in "LM":
                letters_marks.append(cp)
            elif cat == "Nd":
                digits.append(cp)
    def split(cps: list[int]) -> tuple[str, str]:
        return _ranges(c for c in cps if c <= 0xFFFF), _ranges(c for c in cps if c > 0xFFFF)

    return split(letters_marks), split(digits)


# --- hashtags (twitter-text: validHashtag, hashtagBoundary, endHashtagMatch) -------------------

# Characters twitter-text allows inside a hashtag besides letters, marks and digits: underscore,
# zero-width (non-)joiners, and a few script-specific punctuation marks (Hebrew geresh, the
# Japanese wave dash and iteration marks, the Tibetan tsheg, the Catalan middle dot...).
_HASHTAG_SPECIAL = (
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)
_HASH_SIGNS = "#\uff03"
_AT_SIGNS = "@\uff20"
_LATIN_ACCENTS = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b"
    "\u0263\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)


@functools.cache
def _hashtag_regexes(astral: bool) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(hash sign + body, one hashtag character) for texts with (or without) astral characters.

    The body regex starts with a literal class, so scanning is fast; the boundary before the
    sign is checked once per candidate. A text made only of BMP characters uses single classes
    (compiled to bitmaps, ~5x faster than the alternation the astral planes need).
    """
    (lm_bmp, lm_astral), (nd_bmp, nd_astral) = _unicode_classes()
    special = re.escape(_HASHTAG_SPECIAL)
    if astral:
        alpha = f"(?:[{lm_bmp}]|[{lm_astral}])"
        alnum = f"(?:[{lm_bmp}{nd_bmp}{special}]|[{lm_astral}{nd_astral}])"
    else:
        alpha, alnum = f"[{lm_bmp}]", f"[{lm_bmp}{nd_bmp}{special}]"
    body = re.compile(f"[{_HASH_SIGNS}](?![\ufe0f\u20e3])({alnum}*{alpha}{alnum}*)")
    return body, re.compile(alnum)


_END_HASHTAG = re.compile(f"(?:[{_HASH_SIGNS}]|://)")


def _hashtag_spans(text: str) -> list[tuple[int, int, str]]:
    body, alnum_char = _hashtag_regexes(not text.isascii() and max(text) > "\uffff")
    spans = []
    for m in body.finditer(text):
        start = m.start()
        if start:
            # twitter-text's boundary: start of text, a variation selector (emoji presentation),
            # or a character that is neither a hashtag character nor '&' (so &#39; is no tag).
            before = text[start - 1]
            if before not in "\ufe0e\ufe0f" and (before == "&" or alnum_char.match(before)):
                continue
        if _END_HASHTAG.match(text, m.end()):
            continue  # "#http://..." or "#tag#tag": not a hashtag
        spans.append((start, m.end(1), m.group(1)))
    return spans


def extract_hashtags(text: str | None) -> list[str]:
    """Hashtags in ``text`` as written (without ``#``), following twitter-text.

    A hashtag needs at least one letter, may use letters and marks of any script, digits and
    ``_``, must not be glued to a preceding letter or digit, and does not count inside a URL.

    Parameters
    ----------
    text : str or None
        A post's text; None or empty gives an empty list.

    Returns
    -------
    list of str
        In order of appearance; an empty list for ``None`` or no hashtags.

    Examples
    --------
    >>> extract_hashtags("#Azərbaycanca #16 see http://x.com/#frag and ＃日本語")
    ['Azərbaycanca', '日本語']
    """
    if not text or ("#" not in text and "\uff03" not in text):
        return []
    tags = _hashtag_spans(text)
    if not tags:
        return []
    urls = _url_spans(text)
    if urls:
        tags = [t for t in tags if not any(u0 < t[1] and t[0] < u1 for u0, u1, _ in urls)]
    return [t[2] for t in tags]


# --- mentions (twitter-text: validMentionOrList, endMentionMatch) -----------------------------

_MENTION = re.compile(
    "(?:^|[^a-zA-Z0-9_!#$%&*@\uff20]|(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?)"
    f"[{_AT_SIGNS}]([a-zA-Z0-9_]{{1,20}})(/[a-zA-Z][a-zA-Z0-9_-]{{0,24}})?"
)
_END_MENTION = re.compile(f"(?:[{_AT_SIGNS}]|[{_LATIN_ACCENTS}]|://)")


def extract_mentions(text: str | None) -> list[str]:
    """Screen names mentioned in ``text`` as written (without ``@``), following twitter-text.

    An e-mail address, ``@user@host``, ``@user/list`` (a list, not a person) and an ``@``
    glued to a preceding letter or symbol are not mentions. ``RT @user:`` *is* extracted here,
    as twitter-text does; :func:`mentions_of` drops it for the canonical tables.

    Parameters
    ----------
    text : str or None
        A post's text; None or empty gives an empty list.

    Returns
    -------
    list of str

    Examples
    --------
    >>> extract_mentions("@alice hi, cc @bob/team and me@example.com")
    ['alice']
    """
    if not text or ("@" not in text and "\uff20" not in text):
        return []
    out = []
    for m in _MENTION.finditer(text):
        if m.group(2) or _END_MENTION.match(text, m.end()):
            continue
        out.append(m.group(1))
    return out


# --- URLs ---------------------------------------------------------------------------------------

# A pragmatic subset of twitter-text's URL rules: any http(s):// URL whose host has a dot and a
# TLD of 2+ letters, plus scheme-less links on common gTLDs and any two-letter ccTLD. Trailing
# sentence punctuation is trimmed; balanced parentheses are kept (Primer_(film)).
_GTLDS = (
    "com|net|org|edu|gov|mil|int|info|biz|name|pro|io|co|me|ly|app|dev|ai|tv|fm|gg|so|xyz|"
    "online|site|store|shop|blog|news|social|tech|page|link|club|live|media|cloud|art|design"
)
_URL_CHARS = r"[^\s<>\"'\u3000-\u30ff\u3400-\u9fff\uac00-\ud7af]"
_HOST_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_URL = re.compile(
    r"(?<![\w@$#./-])(?:"
    rf"https?://(?:{_HOST_LABEL}\.)+[^\W\d_]{{2,}}(?::\d+)?(?:[/?#]{_URL_CHARS}*)?"
    r"|"
    rf"(?:{_HOST_LABEL}\.)+(?:(?:{_GTLDS})|[a-z]{{2}})(?![\w.-]*[\w])(?![\w.+-]*@)(?:/{_URL_CHARS}*)?"
    r")",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?'\"*"


def _trim_url(url: str) -> str:
    while url:
        last = url[-1]
        if last in _TRAILING:
            url = url[:-1]
        elif last == ")" and url.count("(") < url.count(")"):
            url = url[:-1]
        else:
            break
    return url


def _url_spans(text: str) -> list[tuple[int, int, str]]:
    spans = []
    for m in _URL.finditer(text):
        url = _trim_url(m.group(0))
        if url:
            spans.append((m.start(), m.start() + len(url), url))
    return spans


def extract_urls(text: str | None) -> list[str]:
    """URLs in ``text``: http(s) links, and scheme-less links on common domains.

    Sentence punctuation after a URL is not part of it; balanced parentheses are. This is a
    pragmatic subset of twitter-text's rules (it does not carry the full TLD list).

    Parameters
    ----------
    text : str or None
        A post's text; None or empty gives an empty list.

    Returns
    -------
    list of str

    Examples
    --------
    >>> extract_urls("see http://en.wikipedia.org/wiki/Primer_(film). and acme.com/sale!")
    ['http://en.wikipedia.org/wiki/Primer_(film)', 'acme.com/sale']
    """
    if not text or "." not in text:
        return []
    return [u for _, _, u in _url_spans(text)]


# --- retweets, questions ------------------------------------------------------------------------

# "RT @user:" as the platforms write it; hand-typed retweets of 2008-2010 often drop the colon.
_RETWEET_PREFIX = re.compile(r"^\s*RT\s?[@\uff20]([A-Za-z0-9_]{1,20})(?::\s*|\s+|$)", re.IGNORECASE)


def is_retweet_text(text: str | None) -> bool:
    """Whether ``text`` starts like a retweet, ``RT @user:`` (or, typed by hand, ``RT @user text``).

    Examples
    --------
    >>> is_retweet_text("RT @acme: big news"), is_retweet_text("big news, RT @acme: ...")
    (True, False)
    >>> is_retweet_text("rt @acme great post"), is_retweet_text("RT @acme's idea")
    (True, False)
    """
    return bool(text) and _RETWEET_PREFIX.match(text) is not None


def retweet_texts(texts: pd.Series) -> np.ndarray:
    """Which texts of a Series start like a retweet (:func:`is_retweet_text`); null texts do not.

    Examples
    --------
    >>> retweet_texts(pd.Series(["RT @acme: hi", "hi", None], dtype="string")).tolist()
    [True, False, False]
    >>> retweet_texts(pd.Series([None, None], dtype="string")).tolist()  # a wholly empty column
    [False, False]
    """
    values = texts.astype(object).where(texts.notna(), None).tolist()
    return np.fromiter((is_retweet_text(v) for v in values), dtype=bool, count=len(values))


def strip_retweet_prefix(text: str | None) -> str | None:
    """``text`` without a leading ``RT @user:`` (unchanged if there is none).

    Examples
    --------
    >>> strip_retweet_prefix("RT @acme: big news @bob")
    'big news @bob'
    """
    if not text:
        return text
    return _RETWEET_PREFIX.sub("", text, count=1)


_QUESTION_MARKS = re.compile("[?\uff1f\u00bf\u061f\u037e]")


def has_question(text: str | None) -> bool:
    """Whether ``text`` asks a question: a question mark (any script) outside its URLs.

    Examples
    --------
    >>> has_question("What do you think?"), has_question("see https://acme.com/?q=1")
    (True, False)
    """
    if not text or not _QUESTION_MARKS.search(text):
        return False
    for start, end, _ in reversed(_url_spans(text)):
        text = text[:start] + " " + text[end:]
    return _QUESTION_MARKS.search(text) is not None


# --- canonical forms over a Series --------------------------------------------------------------


def normalise_entities(items: Iterable[str] | None) -> list[str] | None:
    """Return the canonical form of hashtags or handles: casefolded, without a leading ``#``/``@``.

    Examples
    --------
    >>> normalise_entities(["#Café", "@ACME", "straße"])
    ['café', 'acme', 'strasse']
    """
    if items is None:
        return None
    return [s.lstrip("#\uff03@\uff20").casefold() for s in items if s]


def _map_unique(series: pd.Series, fn) -> pd.Series:
    """Apply ``fn`` once per distinct non-null text; return an Arrow list<string> Series."""
    values = series.astype("string")
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    per_unique = [fn(u) for u in uniques.tolist()]
    out = [None if c < 0 else per_unique[c] for c in codes.tolist()]
    return pd.Series(pa.array(out, type=pa.list_(pa.string())), index=series.index,
                     dtype=LIST_OF_STRINGS, name=series.name)


def hashtags_of(texts: pd.Series, *, casefold: bool = True) -> pd.Series:
    """Hashtags of every text in a Series, as an Arrow ``list<string>`` Series.

    Parameters
    ----------
    texts : Series of str
        Null texts give null lists (unknown), not empty ones.
    casefold : bool, default True
        Return the canonical casefolded form (the tables' convention).

    Returns
    -------
    Series of list<string>

    Examples
    --------
    >>> hashtags_of(pd.Series(["#Sale #sale", "none", None])).tolist()
    [['sale', 'sale'], [], <NA>]
    """
    fn = (lambda t: normalise_entities(extract_hashtags(t))) if casefold else extract_hashtags
    return _map_unique(texts, fn)


def mentions_of(texts: pd.Series, *, casefold: bool = True, retweet_prefix: bool = False) -> pd.Series:
    """Find the handles mentioned in every text of a Series, the ``RT @user:`` prefix not counted.

    Parameters
    ----------
    texts : Series of str
        Posts' texts (missing values allowed).
    casefold : bool, default True
        Return handles casefolded without ``@`` (:func:`normalise_entities`); else as written.
    retweet_prefix : bool, default False
        Count the handle of a leading ``RT @user:`` too: a manual retweet (a post of its
        author's own, not a platform repost) does mention that user.

    Returns
    -------
    Series of list<string>

    Examples
    --------
    >>> mentions_of(pd.Series(["RT @acme: hi @Bob", "@Carol"])).tolist()
    [['bob'], ['carol']]
    """
    def fn(text: str) -> list[str]:
        found = extract_mentions(text if retweet_prefix else strip_retweet_prefix(text))
        return normalise_entities(found) if casefold else found

    return _map_unique(texts, fn)


def urls_of(texts: pd.Series) -> pd.Series:
    """URLs in every text of a Series (see :func:`extract_urls`), as ``list<string>``.

    Examples
    --------
    >>> urls_of(pd.Series(["go https://acme.com/x.", None])).tolist()
    [['https://acme.com/x'], <NA>]
    """
    return _map_unique(texts, extract_urls)


# --- HTML (Mastodon content) --------------------------------------------------------------------

_BLOCKS = {"p", "div", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def _newlines(self, n: int) -> None:
        if not self.parts:
            return
        tail = "".join(self.parts[-2:])
        have = len(tail) - len(tail.rstrip("\n"))
        if have < n:
            self.parts.append("\n" * (n - have))

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self._newlines(2)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self._newlines(2)

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(markup: str | None) -> str | None:
    r"""Plain text of an HTML fragment (a Mastodon note's ``content``).

    Tags are dropped, entities unescaped, ``<br>`` becomes a line break and paragraphs are
    separated by a blank line. Mastodon hides parts of long links in ``invisible`` spans; their
    text is kept, so a link reads as the full URL.

    Examples
    --------
    >>> html_to_text('<p>Hi &amp; welcome<br>line two</p><p><a href="https://a.b/x">'
    ...              '<span class="invisible">https://</span>a.b/x</a></p>')
    'Hi & welcome\nline two\n\nhttps://a.b/x'
    """
    if markup is None:
        return None
    if "<" not in markup:
        return html.unescape(markup)
    parser = _TextCollector()
    parser.feed(markup)
    parser.close()
    return "".join(parser.parts).strip("\n")
