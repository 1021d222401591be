r"""X (Twitter) analytics exports: the per-post CSVs X's analytics pages give an account.

``tweet_activity_metrics_<handle>_<start>_<end>_<lang>.csv`` ("Export data" on the Tweets tab of
X analytics, 2014 to 2024) is what most social teams hold for their past years: one row per
tweet of the period, with its impressions, which no API gives for old tweets. Header (quoted)::

    Tweet id, Tweet permalink, Tweet text, time, impressions, engagements, engagement rate,
    retweets, replies, likes, user profile clicks, url clicks, hashtag clicks, detail expands,
    permalink clicks, app opens, app installs, follows, email tweet, dial phone, media views,
    media engagements, promoted impressions, ... promoted media engagements

Rows become canonical posts of ``platform`` ``x`` (so they merge with the same tweets read from
the API or the archive, by tweet id), read by the posts CSV rules of :mod:`roi.io.csv_posts`:

* ``post_id`` = ``Tweet id``; ``created_at`` = ``time`` (``2021-11-30 16:00 +0000``: minutes, UTC);
  ``text`` = ``Tweet text``.
* ``author``: the handle in ``Tweet permalink`` (``https://twitter.com/<handle>/status/<id>``);
  the export names no numeric account id, so the handle is the account's id (a store that also
  holds the account's API data then knows two ids for one handle: roi warns and binds the handle
  to the account authoring most posts, as for a renamed account). A row whose permalink names no
  handle is rejected with the reason.
* ``impressions``, ``likes``, ``replies``, ``reposts`` = ``retweets``, ``link_clicks`` =
  ``url clicks``; ``quotes`` is not in the export (unknown). X's own ``engagements`` and
  ``engagement rate`` count clicks on the profile, hashtags, media and "detail expands" too, so
  they are not roi's engagements (METRICS.md) and are not read; the other columns neither.
  ``-`` (X's "not applicable", in the promoted columns) is an unknown value.
* ``kind``: the export does not say which tweets are replies. A tweet whose text starts with
  ``@handle`` is a reply (X wrote replies so; the parent is unknown, ``referenced_id`` empty);
  an ``RT @user:`` text is a manual retweet, as in any posts CSV; everything else is original.
* ``metrics_observed_at``: ``as_of`` if given, else the file's modification time (when it was
  downloaded); a later export's figures win over an earlier one's for the same tweet.

``account_analytics_content_<start>_<end>.csv`` (X's analytics page since 2024, "Export" on the
content tab) holds the same per-post figures with a date instead of a time::

    Post id, Date, Post text, Post Link, Impressions, Likes, Engagements, Bookmarks, Shares,
    New follows, Replies, Reposts, Profile visits, Detail Expands, URL Clicks, Hashtag Clicks,
    Permalink Clicks

read the same way (``Post id``, ``Post text``, ``Post Link``, ``Reposts``, ``URL Clicks``; numbers
may carry thousands separators, ``1,234``). ``Date`` (``Tue, Jul 14, 2026``) gives the day only:
``created_at`` is that day at 12:00 UTC, so the day is the same in every time zone from UTC-11
to UTC+11, and the post is flagged ``date_only``: it counts in daily and weekly figures, and
hour-of-day analyses (best hours, A/B slots, response times) leave it out and say so.

Examples
--------
>>> import tempfile
>>> p = Path(tempfile.mkdtemp()) / "tweet_activity_metrics_acme_20211101_20211201_en.csv"
>>> _ = p.write_text('"Tweet id","Tweet permalink","Tweet text","time","impressions","retweets","replies",'
...                  '"likes","url clicks"\n"1465712230054432768","https://twitter.com/Acme/status/'
...                  '1465712230054432768","@bob thanks!","2021-11-30 16:00 +0000","1777.0","0.0","1.0",'
...                  '"2.0","-"\n', encoding="utf-8")
>>> posts = next(read(p)).tables["posts"]
>>> posts[["platform", "post_id", "author_id", "kind", "impressions", "likes"]].values.tolist()
[['x', '1465712230054432768', 'Acme', 'reply', 1777, 2]]
>>> str(posts["created_at"].iloc[0]), posts["link_clicks"].isna().iloc[0]
('2021-11-30 16:00:00+00:00', np.True_)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pandas as pd

from roi.io._base import ReadResult, observed_time
from roi.io._csv import Problems, open_csv
from roi.io.csv_posts import read_block

__all__ = ["read", "TWEET_ACTIVITY_COLUMNS", "CONTENT_COLUMNS", "is_tweet_activity", "is_content_export"]

#: The columns that identify a tweet-activity export (lower-cased), and what they become.
TWEET_ACTIVITY_COLUMNS = {"tweet id": "post_id", "tweet text": "text", "time": "created_at",
                          "impressions": "impressions", "likes": "likes", "replies": "replies",
                          "retweets": "reposts", "url clicks": "link_clicks"}
#: The same for the content export of X's analytics page since 2024 (dates, not times).
CONTENT_COLUMNS = {"post id": "post_id", "post text": "text", "date": "created_at", "impressions": "impressions",
                   "likes": "likes", "replies": "replies", "reposts": "reposts", "url clicks": "link_clicks"}
_REQUIRED = ("tweet id", "tweet permalink", "time")
_CONTENT_REQUIRED = ("post id", "post link", "date")
_COUNTS = ("impressions", "likes", "replies", "reposts", "link_clicks")
_PERMALINK = re.compile(r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/([A-Za-z0-9_]{1,50})/status(?:es)?/\d+")
# "2021-11-30 16:00 +0000": a space before the offset, which ISO 8601 parsing does not take.
_SPACED_OFFSET = re.compile(r"\s+([+-]\d{2}):?(\d{2})$")


def is_tweet_activity(columns: set[str]) -> bool:
    """Whether a CSV header (lower-cased names) is an X analytics tweet-activity export.

    >>> is_tweet_activity({"tweet id", "tweet permalink", "tweet text", "time", "impressions"})
    True
    """
    return set(_REQUIRED) <= columns


def is_content_export(columns: set[str]) -> bool:
    """Whether a CSV header (lower-cased names) is the content export of X's analytics page (2024-).

    >>> is_content_export({"post id", "date", "post text", "post link", "impressions", "likes"})
    True
    """
    return set(_CONTENT_REQUIRED) <= columns


def _day_at_noon(values: pd.Series) -> pd.Series:
    """``Tue, Jul 14, 2026`` (or ``2026-07-14``) as ``2026-07-14T12:00:00+00:00`` text; else as it was.

    >>> _day_at_noon(pd.Series(["Tue, Jul 14, 2026", "Jul 16, 2026", "2026-07-15", "soon"], dtype="string")).tolist()
    ['2026-07-14T12:00:00+00:00', '2026-07-16T12:00:00+00:00', '2026-07-15T12:00:00+00:00', 'soon']
    """
    day = pd.to_datetime(values, format="%a, %b %d, %Y", errors="coerce")
    for form in ("%b %d, %Y", "%Y-%m-%d"):  # without the weekday; ISO
        day = day.fillna(pd.to_datetime(values, format=form, errors="coerce"))
    noon = (day + pd.Timedelta(hours=12)).dt.strftime("%Y-%m-%dT%H:%M:%S+00:00")
    return noon.astype("string").where(day.notna(), values)


def read(path: Path, *, as_of: pd.Timestamp | None = None) -> Iterator[ReadResult]:
    """Read a tweet-activity export in chunks of canonical ``posts`` and ``accounts`` rows.

    Parameters
    ----------
    path : Path
        The CSV as X analytics wrote it.
    as_of : Timestamp, optional
        When the figures were observed (default: the file's modification time).

    Yields
    ------
    ReadResult
        ``read`` counts the CSV's data rows (ingested + rejected).

    Raises
    ------
    InputError
        A column that identifies the export is missing (the message names the file and them).
    """
    source = open_csv(path)
    content = is_content_export(set(source.columns))
    if content:
        required, columns, link_name = _CONTENT_REQUIRED, CONTENT_COLUMNS, "post link"
        expected = "Post id,Date,Post text,Post Link,Impressions,Likes,...,URL Clicks,... (X analytics)"
    else:
        required, columns, link_name = _REQUIRED, TWEET_ACTIVITY_COLUMNS, "tweet permalink"
        expected = '"Tweet id","Tweet permalink","Tweet text","time","impressions",...,"url clicks",... (X analytics)'
    source.require(list(required), expected_header=expected)
    link_label = "Post Link" if content else "Tweet permalink"
    as_of_ts = None if as_of is None else observed_time(path, as_of)
    metrics_at = observed_time(path, as_of)
    for block in source.blocks():
        rows = block.rows
        problems = Problems(len(rows))
        link = rows[link_name]
        author = link.str.extract(_PERMALINK, expand=False).astype("string")
        problems.add((author.isna() & link.notna()).to_numpy(dtype=bool),
                     lambda link=link: f"{link_label} '" + link.fillna("") + "' names no account "
                     "(expected https://x.com/<handle>/status/<id>)")
        problems.add(link.isna().to_numpy(dtype=bool), f"empty {link_label}: the export's only word on who wrote it")
        mapped = {new: rows[old] for old, new in columns.items() if old in rows.columns}
        for name in _COUNTS:
            if name in mapped:  # "-" is X's "not applicable"; "1,234" its thousands
                mapped[name] = mapped[name].mask(mapped[name] == "-").str.replace(",", "", regex=False)
        if content:
            mapped["created_at"] = _day_at_noon(mapped["created_at"])
        else:
            mapped["created_at"] = mapped["created_at"].str.replace(_SPACED_OFFSET, r"\1:\2", regex=True)
        text = mapped.get("text", pd.Series(pd.NA, index=rows.index, dtype="string"))
        reply = text.str.match(r"@[A-Za-z0-9_]").fillna(False).to_numpy(dtype=bool)
        kind = pd.Series(pd.array([pd.NA] * len(rows), dtype="string"), index=rows.index).mask(reply, "reply")
        # "?" stands in for a missing author: those rows are rejected above, with the reason.
        frame = pd.DataFrame({**mapped, "author": author.fillna("?"), "kind": kind,
                              "platform": pd.Series("x", index=rows.index, dtype="string")})
        result = read_block(source, replace(block, rows=frame), as_of=as_of_ts, metrics_at=metrics_at,
                            problems=problems, raw=rows)
        posts = result.tables["posts"]
        posts["date_only"] = pd.array([content] * len(posts), dtype="boolean")
        yield result
