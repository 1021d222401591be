"""roi.text: twitter-text conformance for hashtags and mentions, canonical forms, HTML, questions."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pytest
import yaml
from conftest import realdata_dir

from roi.text import (
    extract_hashtags,
    extract_mentions,
    extract_urls,
    has_question,
    hashtags_of,
    html_to_text,
    is_retweet_text,
    mentions_of,
    normalise_entities,
    strip_retweet_prefix,
    urls_of,
)

EXTRACT_YML = realdata_dir() / "twitter-text" / "extract.yml"


def _cases(group: str) -> list:
    """Conformance cases of one group, one pytest param each (id = the case's description)."""
    if not EXTRACT_YML.exists():
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"{EXTRACT_YML} absent (set ROI_REALDATA)"))]
    tests = yaml.safe_load(EXTRACT_YML.read_text(encoding="utf-8"))["tests"]
    return [pytest.param(case, id=f"{group}-{i}-{case['description'][:60]}")
            for i, case in enumerate(tests[group])]


@pytest.mark.parametrize("case", _cases("hashtags") + _cases("hashtags_from_astral"))
def test_hashtags_conformance(case):
    assert extract_hashtags(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", _cases("hashtags_with_indices"))
def test_hashtags_with_indices_conformance(case):
    assert extract_hashtags(case["text"]) == [h["hashtag"] for h in case["expected"]]


@pytest.mark.parametrize("case", _cases("mentions"))
def test_mentions_conformance(case):
    assert extract_mentions(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", _cases("mentions_with_indices"))
def test_mentions_with_indices_conformance(case):
    assert extract_mentions(case["text"]) == [m["screen_name"] for m in case["expected"]]


@pytest.mark.parametrize("case", _cases("mentions_or_lists_with_indices"))
def test_lists_are_not_mentions(case):
    expected = [m["screen_name"] for m in case["expected"] if not m["list_slug"]]
    assert extract_mentions(case["text"]) == expected


def test_canonical_lists_casefold_and_keep_unknown_as_null():
    texts = pd.Series(["#Sale and #SALE @ACME", "", None, "#Straße"], index=[10, 11, 12, 13])
    tags = hashtags_of(texts)
    assert tags.dtype == pd.ArrowDtype(pa.list_(pa.string()))
    assert list(tags.index) == [10, 11, 12, 13]
    assert tags.tolist() == [["sale", "sale"], [], pd.NA, ["strasse"]]
    assert tags.list.len().tolist()[:2] == [2, 0]
    assert mentions_of(texts).tolist() == [["acme"], [], pd.NA, []]
    assert hashtags_of(texts, casefold=False).tolist()[0] == ["Sale", "SALE"]


def test_retweet_prefix_is_not_a_mention():
    text = "RT @Acme: thanks @bob and @carol"
    assert is_retweet_text(text) and not is_retweet_text("thanks, RT @acme: x")
    assert strip_retweet_prefix(text) == "thanks @bob and @carol"
    assert strip_retweet_prefix("no prefix @x") == "no prefix @x"
    assert extract_mentions(text) == ["Acme", "bob", "carol"]  # twitter-text's raw view
    assert mentions_of(pd.Series([text])).tolist() == [["bob", "carol"]]


def test_normalise_entities_strips_sigils():
    assert normalise_entities(["#Café", "＃Tag", "@Bob", "@alice@Mastodon.Social"]) == [
        "café", "tag", "bob", "alice@mastodon.social"]
    assert normalise_entities(None) is None


@pytest.mark.parametrize("text, expected", [
    ("see http://en.wikipedia.org/wiki/Primer_(film) now", ["http://en.wikipedia.org/wiki/Primer_(film)"]),
    ("go to https://acme.com/sale?utm_content=123.", ["https://acme.com/sale?utm_content=123"]),
    ("(http://twitter.com)", ["http://twitter.com"]),
    ("t.co/abcde bit.ly/abcde", ["t.co/abcde", "bit.ly/abcde"]),
    ("mail name@acme.com please", []),
    ("version 1.2 of file.txt", []),
    ("", []),
])
def test_extract_urls(text, expected):
    assert extract_urls(text) == expected


def test_hashtag_inside_url_is_not_a_hashtag():
    assert extract_hashtags("http://twitter.com/#hashtag and #real") == ["real"]


def test_urls_of_series():
    assert urls_of(pd.Series(["a https://x.org/p!", None])).tolist() == [["https://x.org/p"], pd.NA]


@pytest.mark.parametrize("text, expected", [
    ("What do you think?", True),
    ("¿Qué tal", True),
    ("本当？", True),
    ("read https://acme.com/faq?id=1", False),
    ("no question here.", False),
    (None, False),
])
def test_has_question(text, expected):
    assert has_question(text) is expected


def test_html_to_text_mastodon_content():
    content = ('<p>As Twitter crashes &amp; burns, two articles.</p><p><a href="https://daniel.industries/'
               '2022/11/07/less-twitter/" rel="nofollow"><span class="invisible">https://</span><span '
               'class="ellipsis">daniel.industries/2022/11/07/l</span><span class="invisible">ess-twitter/'
               '</span></a></p><p>line one<br />line two</p>')
    assert html_to_text(content) == (
        "As Twitter crashes & burns, two articles.\n\n"
        "https://daniel.industries/2022/11/07/less-twitter/\n\n"
        "line one\nline two")
    assert html_to_text("plain &lt;text&gt;") == "plain <text>"
    assert html_to_text(None) is None


def test_conformance_file_is_real(realdata):
    tests = yaml.safe_load((realdata / "twitter-text" / "extract.yml").read_text(encoding="utf-8"))["tests"]
    assert len(tests["hashtags"]) >= 60 and len(tests["mentions"]) >= 20
