"""The report's one formatting layer: every kind of raw value an analysis returns reads as words."""

from __future__ import annotations

import re
from html import unescape

import numpy as np
import pandas as pd

from roi.report.format import MISSING, format_table, header


def _cells(html: str) -> list[str]:
    return [unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", html)]


def test_raw_values_never_reach_the_page():
    frame = pd.DataFrame({
        "post_id": ["2104436832206188735"], "platform": ["x"], "created_at": [pd.Timestamp("2026-11-16T23:42Z")],
        "text": ["a post with <b>markup</b> and a long tail " * 3], "engagement_rate": [0.05046],
        "lift": [-8.655e-05], "likes": pd.array([pd.NA], dtype="Int64"), "sparse": pd.array([True], dtype="boolean"),
        "flagged": [np.bool_(False)], "impressions": [1234567.0], "p_value": [2.5e-8],
        "brand_new_metric_share": [0.123], "author_id": ["99"]})
    t = format_table(frame, caption="c", tz="America/New_York")
    cells = _cells(t.html)
    text = " ".join(cells)
    assert not re.search(r"<NA>|NaN|\bnan\b|True|False|e-0\d|\+00:00", text), text
    assert "Mon 16 Nov 18:42" in cells and "5.0%" in cells and "1,234,567" in cells and "< 0.001" in cells
    assert MISSING in cells and t.has_missing and "yes" in cells and "no" in cells
    assert "12.3%" in cells  # an unknown *_share column added by an analysis is still a percentage
    assert "99" not in cells and "2104436832206188735" not in text  # ids are links, not columns
    assert 'href="https://x.com/i/web/status/2104436832206188735"' in t.html
    assert "&lt;b&gt;markup" in t.html and "<b>markup" not in t.html
    assert frame["text"].iloc[0] in cells  # the full text, not cut mid-word


def test_headers_come_from_the_declarations_and_fall_back_to_words():
    assert header("in_degree") == "Followers in the audience"
    assert header("followers") == "Followers"
    assert header("minutes_to_first_reply") == "Minutes to first reply"


def test_an_empty_or_column_less_table_says_none():
    assert "none" in format_table(pd.DataFrame(columns=["handle"]), caption="Spam").html
    t = format_table(pd.DataFrame({"handle": ["acme"]}), columns=["handle", "not_there"])
    assert _cells(t.html) == ["@acme"]


def test_hostile_or_foreign_handles_link_only_where_safe():
    t = format_table(pd.DataFrame({"handle": ["<script>", "ana@mastodon.social", "bob"],
                                   "platform": ["x", "mastodon", "bluesky"]}))
    assert "&lt;script&gt;" in t.html and 'href="https://x.com/<' not in t.html
    assert 'href="https://mastodon.social/@ana"' in t.html
    assert 'href="https://bsky.app/profile/bob"' in t.html


def test_long_tables_say_how_many_rows_are_hidden():
    t = format_table(pd.DataFrame({"posts": range(40)}), max_rows=15)
    assert "Showing 15 of 40 rows." in t.html and t.rows == 15


def test_a_column_of_measurements_reads_alike():
    """Per-capita figures 4.46 and 5.0 used to print as "4.46" and "5" in one column; three
    significant figures keep "5.00". A float column of whole hours prints as counts."""
    t = format_table(pd.DataFrame({"country": ["US", "CA", "IN"], "followers_per_million": [4.46, 5.0, 0.109],
                                   "hours": [8.0, 12.0, None]})).html
    assert ">4.46<" in t and ">5.00<" in t and ">0.109<" in t
    assert ">8<" in t and ">12<" in t and ">8.00<" not in t


def test_a_post_known_by_its_day_shows_no_time():
    t = format_table(pd.DataFrame({"created_at": pd.to_datetime(["2026-06-30T12:00Z", "2026-06-30T17:05Z"], utc=True),
                                   "date_only": pd.array([True, False], dtype="boolean")}), tz="Europe/London").html
    assert "Tue 30 Jun 18:05" in t and "13:00" not in t and "Tue 30 Jun" in t
