"""Formatting for people, in one place: every table and number the report shows passes through here.

Analyses return raw numbers (rates as fractions, UTC timestamps, ids, booleans, nullable counts).
This module turns them into what a manager reads: human headers taken from the declarations
below, percentages, thousands separators, dates and times in the report's time zone, handles
linking to profiles, posts linking to their URL with their full text, booleans as words, and a
"—" for anything unknown (explained once, in a footnote). Columns it does not know are still
formatted by their dtype, so analyses may add columns without breaking the report.

Every value is HTML-escaped here; links are built only from ids and handles that match strict
patterns.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from roi.figures import MISSING, is_missing, percent, signed_percent

__all__ = ["COLUMNS", "ColumnFormat", "MISSING", "MISSING_NOTE", "format_value", "format_table", "percent",
           "signed_percent", "count", "ratio", "local_time", "profile_url", "post_url", "header"]

MISSING_NOTE = "— means not known: the platform did not report it, or there was too little data to compute it."


@dataclass(frozen=True)
class ColumnFormat:
    """How one report column is shown: its header, its kind of value and what it means."""

    header: str
    kind: str  # count, number, percent, change, points, ratio, minutes, datetime, date, bool, handle, text, list, id, label
    meaning: str = ""


def _c(header: str, kind: str, meaning: str = "") -> ColumnFormat:
    return ColumnFormat(header, kind, meaning)


# The report's vocabulary. "Followers" is always the platform's count of an account's followers;
# "followers in the audience" counts only followers who also follow the brand (in-degree).
COLUMNS: dict[str, ColumnFormat] = {
    # posts and engagement
    "created_at": _c("Posted", "datetime", "local time in the report's time zone"),
    "text": _c("Post", "text"),
    "impressions": _c("Views", "count", "impressions reported by the platform"),
    "engagements": _c("Engagements", "count", "likes + reposts + replies + quotes + link clicks"),
    "engagement_rate": _c("Engagement rate", "percent", "engagements / views"),
    "click_rate": _c("Click-through rate", "percent", "link clicks / views"),
    "conversion_rate": _c("Conversion rate", "percent", "conversions / web clicks"),
    "likes": _c("Likes", "count"), "reposts": _c("Reposts", "count"), "replies": _c("Replies", "count"),
    "quotes": _c("Quotes", "count"), "link_clicks": _c("Link clicks", "count"),
    "web_clicks": _c("Web clicks", "count"), "conversions": _c("Conversions", "count"),
    "posts": _c("Posts", "count"), "rate": _c("Rate", "percent"), "ci_low": _c("Low (95%)", "percent"),
    "ci_high": _c("High (95%)", "percent"), "hour": _c("Hour", "hour"), "day": _c("Day", "label"),
    "weekday": _c("Weekday", "weekday"), "rank": _c("Rank", "count"), "sparse": _c("Few posts", "bool"),
    "hour_bucket": _c("Hours pooled", "label"),
    # cascades
    "size": _c("Accounts reached", "count", "the post and everyone who passed it on"),
    "depth": _c("Longest chain", "count"), "max_breadth": _c("Widest step", "count"),
    "structural_virality": _c("Spread (virality)", "number", "about 2 for a broadcast; higher = person-to-person"),
    "minutes_to_10": _c("Minutes to 10 accounts", "minutes"),
    "potential_reach": _c("Potential reach", "count", "sum of the sharers' followers"),
    "unique_reach": _c("Unique reach", "count", "distinct accounts following a sharer"),
    # accounts and influence
    "handle": _c("Account", "handle"), "author": _c("Author", "handle"),
    "followers": _c("Followers", "count", "the account's followers on the platform"),
    "followers_count": _c("Followers", "count", "the account's followers on the platform"),
    "author_followers": _c("Author's followers", "count"),
    "following_count": _c("Following", "count"), "posts_count": _c("Posts (all time)", "count"),
    "in_degree": _c("Followers in the audience", "count", "of the brand's followers, how many follow this account"),
    "pagerank": _c("PageRank", "number"), "core_number": _c("k-core", "count"),
    "two_hop_reach": _c("Two-hop reach", "count"), "earned_per_post": _c("Earned per post", "number"),
    "followed_by_since": _c("Following the brand since", "date"), "days_waiting": _c("Days waiting", "count"),
    "link_share": _c("Posts with links", "percent"), "age_days": _c("Account age (days)", "count"),
    "rules": _c("Rules tripped", "list"),
    # geography
    "country": _c("Country", "label"), "country_code": _c("Code", "label"), "share": _c("Share", "percent"),
    "located": _c("Located", "count"), "share_located": _c("Share located", "percent"),
    # listening
    "addressed": _c("Addressed to the brand", "bool"), "topic": _c("Topic", "label"),
    "complaint_terms": _c("Complaint words", "list"), "other_authors_in_window": _c("Others on the topic", "count"),
    "action": _c("Action", "action"), "reason": _c("Why", "label"), "complaints": _c("Complaints", "count"),
    "response_minutes": _c("Answered after", "minutes"), "answered": _c("Answered", "bool"),
    "within_1h": _c("Within 1 h", "bool"), "within_24h": _c("Within 24 h", "bool"),
    "median_minutes": _c("Median answer time", "minutes"), "answered_share": _c("Answered", "percent"),
    "within_1h_share": _c("Answered within 1 h", "percent"), "within_24h_share": _c("Answered within 24 h", "percent"),
    "unanswered": _c("Unanswered", "count"), "open_under_24h": _c("Open, under 24 h", "count"),
    "date": _c("Day", "date"), "count": _c("Count", "count"), "baseline": _c("Usual for that weekday", "number"),
    "series": _c("Series", "label"), "flagged": _c("Spike", "bool"), "threshold": _c("Spike above", "number"),
    # experiments
    "experiment_id": _c("Experiment", "label"), "design": _c("Design", "label"), "slot_a": _c("Slot A", "label"),
    "slot_b": _c("Slot B", "label"), "posts_a": _c("Posts A", "count"), "posts_b": _c("Posts B", "count"),
    "rate_a": _c("Rate A", "percent"), "rate_b": _c("Rate B", "percent"), "lift": _c("Lift B vs A", "change"),
    "prob_b_better": _c("Chance B is better", "percent"), "verdict": _c("Verdict", "label"),
    "warnings": _c("Caveats", "list"), "p_value": _c("p-value", "pvalue"),
    # effects
    "term": _c("Factor", "label"), "irr": _c("Effect (× engagements per view)", "ratio"),
    "reference": _c("Compared with", "label"),
    # KPIs and trends
    "kpi": _c("Measure", "label"), "value": _c("This week", "number"), "previous": _c("Last week", "number"),
    "change": _c("Change", "change"), "definition": _c("Definition", "label"),
    "week": _c("Week", "label"), "new": _c("New followers", "count"), "lost": _c("Lost followers", "count"),
    "net": _c("Net", "count"), "followers_start": _c("Followers at start", "count"),
    "followers_end": _c("Followers at end", "count"), "churn_rate": _c("Churn", "percent"),
    # data quality
    "path": _c("File", "label"), "format": _c("Format", "label"), "read": _c("Read", "count"),
    "ingested": _c("Ingested", "count"), "duplicates": _c("Duplicates", "count"), "rejected": _c("Rejected", "count"),
    "records": _c("Records", "count"), "metric": _c("Measure", "label"),
    "content_type": _c("Content type", "label"), "rule": _c("Rule", "label"),
    "week_posts": _c("Posts that week", "count"), "target": _c("Target share", "percent"),
    "gap": _c("Gap to target", "points"), "share_change": _c("Change in share", "points"),
    "followers_per_million": _c("Followers per million people", "number"),
    "lift_low": _c("Lift low (95%)", "change"), "lift_high": _c("Lift high (95%)", "change"),
    # return on influence (roi.ledger)
    "channel": _c("Channel", "label"), "sessions": _c("Sessions", "count", "visits the web analytics counted"),
    "activity": _c("Activity", "label"), "hours": _c("Hours", "number", "from the team's effort log"),
    "cost": _c("Cost", "number", "from the effort log, in its currency"),
    "value_per_hour": _c("Returned per hour", "number"), "answered_cases": _c("Complaints answered", "count"),
    "brand_rate": _c("Brand posts' rate", "percent", "conversions / sessions of the brand's posts"),
    "ratio": _c("Brand posts ÷ channel", "ratio", "ratio of the two conversion rates"),
    "ratio_low": _c("Low (95%)", "ratio"), "ratio_high": _c("High (95%)", "ratio"),
    "p_holm": _c("p-value (adjusted)", "pvalue", "Holm-adjusted over every channel compared"),
}

_HANDLE = re.compile(r"^@?([A-Za-z0-9_]{1,50})(?:@([A-Za-z0-9.-]+\.[A-Za-z]{2,}))?$")
_POST_ID = re.compile(r"^[A-Za-z0-9_.:/-]{1,120}$")
_WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def header(column: str) -> str:
    """Return the human header of a column: declared in :data:`COLUMNS`, else the name in words.

    >>> header("engagement_rate"), header("minutes_to_first_reply")
    ('Engagement rate', 'Minutes to first reply')
    """
    if column in COLUMNS:
        return COLUMNS[column].header
    return column.replace("_", " ").strip().capitalize()


def count(value: Any) -> str:
    """Format a count with thousands separators; "—" when unknown.

    >>> count(26912), count(None), count(3.0)
    ('26,912', '—', '3')
    """
    return MISSING if is_missing(value) else f"{round(float(value)):,}"


def ratio(value: Any) -> str:
    """Format a multiplicative effect: "1.40×".

    >>> ratio(1.4037), ratio(None)
    ('1.40×', '—')
    """
    return MISSING if is_missing(value) else f"{float(value):.2f}×"


def _number(value: Any) -> str:
    """Format a measurement to three significant figures, trailing zeros kept so a column reads alike.

    >>> [_number(v) for v in (4.46, 5.0, 0.109, 0.5, 12.345, 99.96, 1234.5, 0.0004, 0)]
    ['4.46', '5.00', '0.109', '0.500', '12.3', '100', '1,234', '< 0.001', '0']
    """
    if is_missing(value):
        return MISSING
    v = float(value)
    if not np.isfinite(v):
        return MISSING
    if v == 0:
        return "0"
    if abs(v) < 0.001:
        return "< 0.001"
    text = f"{v:#.3g}"
    if "e" in text or abs(float(text)) >= 100:
        return f"{v:,.0f}"
    return text.rstrip(".")


def _whole_numbers(values: pd.Series) -> bool:
    """Whether every known value of a float column is a whole number (hours 8.0, 12.0)."""
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    v = v[np.isfinite(v)]
    return bool(len(v)) and bool((v == np.round(v)).all())


def _minutes(value: Any) -> str:
    if is_missing(value):
        return MISSING
    m = float(value)
    if m < 90:
        return f"{m:.0f} min"
    if m < 48 * 60:
        return f"{m / 60:.1f} h"
    return f"{m / 1440:.1f} days"


def local_time(value: Any, *, tz: str, date_only: bool = False) -> str:
    """Format a timestamp in the report's time zone: "Mon 16 Nov 18:42" (naive values are UTC).

    >>> local_time(pd.Timestamp("2026-11-16T23:42Z"), tz="America/New_York")
    'Mon 16 Nov 18:42'
    >>> local_time(pd.Timestamp("2026-11-16T23:42Z"), tz="America/New_York", date_only=True)
    'Mon 16 Nov'
    """
    if is_missing(value):
        return MISSING
    t = pd.Timestamp(value)
    if t.tzinfo is None:
        t = t.tz_localize("UTC")
    t = t.tz_convert(tz)
    return f"{t:%a} {t.day} {t:%b}" + ("" if date_only else f" {t:%H:%M}")


def _day(value: Any) -> str:
    if is_missing(value):
        return MISSING
    t = pd.Timestamp(value)
    return f"{t:%a} {t.day} {t:%b}"


def profile_url(handle: str, *, platform: str = "x") -> str | None:
    """Return the public profile page of a handle, or None when the handle is not a plain handle.

    >>> profile_url("acme"), profile_url("ana@mastodon.social", platform="mastodon")
    ('https://x.com/acme', 'https://mastodon.social/@ana')
    >>> profile_url("bob.bsky.social", platform="bluesky"), profile_url("<script>")
    ('https://bsky.app/profile/bob.bsky.social', None)
    """
    if not isinstance(handle, str):
        return None
    if platform == "bluesky":
        return f"https://bsky.app/profile/{handle}" if re.fullmatch(r"[A-Za-z0-9.-]{1,253}", handle) else None
    m = _HANDLE.match(handle)
    if not m:
        return None
    if m.group(2):
        return f"https://{m.group(2)}/@{m.group(1)}"
    return f"https://x.com/{m.group(1)}" if platform in ("x", "", None) else None


def post_url(post_id: Any, *, platform: str = "x", handle: str | None = None) -> str | None:
    """Return the public page of a post (X only: other platforms' URLs need the instance or DID).

    >>> post_url("2104436832206188735")
    'https://x.com/i/web/status/2104436832206188735'
    >>> post_url("12", platform="mastodon") is None
    True
    """
    if is_missing(post_id) or not isinstance(post_id, str) or not _POST_ID.match(post_id):
        return None
    if platform in ("x", "", None) and post_id.isdigit():
        return f"https://x.com/i/web/status/{post_id}"
    return None


def _link(url: str | None, text: str) -> str:
    body = html.escape(text)
    return f'<a href="{html.escape(url, quote=True)}" rel="noopener">{body}</a>' if url else body


def format_value(value: Any, kind: str, *, tz: str = "UTC") -> str:
    """One value as text (not escaped) for a column of ``kind``; "—" when unknown.

    >>> format_value(True, "bool"), format_value(0.3456, "change"), format_value(18, "hour")
    ('yes', '+35%', '18:00')
    >>> format_value(["dull", "refund"], "list"), format_value("reply_public", "action")
    ('dull, refund', 'reply in public')
    """
    if kind == "list":
        if value is None or (np.ndim(value) == 0 and is_missing(value)):
            return MISSING
        items = [str(v) for v in (value if np.ndim(value) else [value]) if not is_missing(v)]
        return ", ".join(items) if items else "none"
    if is_missing(value):
        return MISSING
    if kind == "count":
        return count(value)
    if kind == "percent":
        return percent(value)
    if kind == "change":
        return signed_percent(value)
    if kind == "ratio":
        return ratio(value)
    if kind == "points":
        v = round(float(value) * 100)
        return "±0 pts" if v == 0 else f"+{v} pts" if v > 0 else f"−{-v} pts"
    if kind == "minutes":
        return _minutes(value)
    if kind == "datetime":
        return local_time(value, tz=tz)
    if kind == "date":
        return _day(value) if not getattr(pd.Timestamp(value), "tzinfo", None) else local_time(value, tz=tz, date_only=True)
    if kind == "bool":
        return "yes" if bool(value) else "no"
    if kind == "hour":
        return f"{int(value):02d}:00"
    if kind == "weekday":
        return _WEEKDAYS[int(value) % 7] if isinstance(value, int | np.integer) else str(value)
    if kind == "pvalue":
        return "< 0.001" if float(value) < 0.001 else f"{float(value):.3f}"
    if kind == "action":
        return str(value).replace("_", " ").replace("reply public", "reply in public")
    if kind == "handle":
        return "@" + str(value).lstrip("@")
    if kind in ("number",):
        return _number(value)
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp):
        return local_time(value, tz=tz)
    if isinstance(value, float | np.floating):
        return _number(value)
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    return str(value)


def _kind(column: str, series: pd.Series) -> str:
    if column in COLUMNS:
        return COLUMNS[column].kind
    if column.endswith(("_rate", "_share")):
        return "percent"
    if column.endswith("_minutes"):
        return "minutes"
    if column.endswith("_id"):
        return "id"
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if pd.api.types.is_bool_dtype(dtype):
        return "bool"
    if pd.api.types.is_integer_dtype(dtype):
        return "count"
    if pd.api.types.is_float_dtype(dtype):
        return "number"
    return "label"


@dataclass
class FormattedTable:
    """A table ready for the page: its caption, HTML and whether it showed a "—"."""

    caption: str
    html: str
    has_missing: bool
    rows: int


def format_table(frame: pd.DataFrame, *, caption: str = "", tz: str = "UTC", columns: list[str] | None = None,
                 headers: dict[str, str] | None = None, max_rows: int = 15, link_posts: bool = True,
                 total_rows: int | None = None) -> FormattedTable:
    """Render a DataFrame as an accessible, escaped HTML table in a scrolling frame.

    Parameters
    ----------
    frame : DataFrame
        Any analysis output. Columns named in :data:`COLUMNS` get their header and format; others
        are formatted by dtype. ``*_id`` columns are used for links (``post_id`` links the text,
        ``platform`` picks the site) and not shown unless listed in ``columns``.
    caption : str
        The table's caption (``<caption>``), read by screen readers and shown above the table.
    tz : str
        The report's time zone for timestamps.
    columns : list of str, optional
        Columns to show, in order (missing ones are skipped: analyses may change).
    headers : dict, optional
        Header overrides for this table.
    max_rows : int
        Rows shown; a note says how many more there are.
    link_posts : bool
        Link post text to the post's page and handles to profiles.
    total_rows : int, optional
        The size of the full table when ``frame`` is already a head of it.

    Returns
    -------
    FormattedTable

    Examples
    --------
    >>> t = format_table(pd.DataFrame({"handle": ["acme"], "engagement_rate": [0.0504], "addressed": [True],
    ...                                "likes": pd.array([None], dtype="Int64")}), caption="Demo")
    >>> "Engagement rate" in t.html and "5.0%" in t.html and ">yes<" in t.html and t.has_missing
    True
    >>> 'href="https://x.com/acme"' in t.html
    True
    """
    headers = headers or {}
    total = len(frame) if total_rows is None else total_rows
    shown = frame.head(max_rows)
    if columns is None:
        columns = [c for c in shown.columns if _kind(c, shown[c]) != "id" and c != "platform"]
    else:
        columns = [c for c in columns if c in shown.columns]
    platform = shown["platform"].astype("string").fillna("x").tolist() if "platform" in shown.columns else ["x"] * len(shown)
    post_ids = shown["post_id"].tolist() if "post_id" in shown.columns else [None] * len(shown)
    has_missing = False
    numeric = ("count", "number", "percent", "change", "ratio", "minutes", "pvalue", "points")
    num_th = ' class="roi-num"'
    head = "".join(f'<th scope="col"{num_th if _kind(c, shown[c]) in numeric else ""}>'
                   f"{html.escape(headers.get(c, header(c)))}</th>" for c in columns)
    # A column of measurements in whole numbers (hours 8, 12) reads as counts, not "8.00".
    kinds = {c: "count" if _kind(c, shown[c]) == "number" and _whole_numbers(shown[c]) else _kind(c, shown[c])
             for c in columns}
    # A post known only by its day (``date_only``: an export that gives days) shows its day, no time.
    day_only = (shown["date_only"].astype("boolean").fillna(False).to_numpy(dtype=bool) if "date_only" in shown.columns
                else np.zeros(len(shown), dtype=bool))
    body_rows = []
    for i in range(len(shown)):
        cells = []
        for c in columns:
            kind = "date" if kinds[c] == "datetime" and day_only[i] else kinds[c]
            value = shown[c].iloc[i]
            text = format_value(value, kind, tz=tz)
            has_missing |= text == MISSING
            css = ""
            if kind == "handle" and link_posts and text != MISSING:
                cell = _link(profile_url(str(value).lstrip("@"), platform=platform[i]), text)
            elif kind == "text":
                css = ' class="roi-text"'
                cell = _link(post_url(post_ids[i], platform=platform[i]) if link_posts else None, text)
            else:
                cell = html.escape(text)
                if kind in numeric:
                    css = ' class="roi-num"'
                elif kind in ("datetime", "date", "hour"):
                    css = ' class="roi-date"'
            cells.append(f"<td{css}>{cell}</td>")
        body_rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    table = (f'<div class="roi-scroll" role="region" tabindex="0" aria-label="{html.escape(caption or "table")}">'
             f'<table class="roi-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body_rows)}</tbody>'
             "</table></div>")
    if not len(shown):
        table = (f'<p class="roi-note"><strong>{html.escape(caption)}</strong>: none.</p>' if caption
                 else '<p class="roi-note">None.</p>')
    elif total > len(shown):
        table += f'<p class="roi-note">Showing {len(shown):,} of {total:,} rows.</p>'
    return FormattedTable(caption=caption, html=table, has_missing=has_missing, rows=len(shown))
