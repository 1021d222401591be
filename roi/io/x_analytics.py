r"""X (Twitter) analytics exports: the per-tweet CSV that analytics.twitter.com gave every account.

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

__all__ = ["read", "TWEET_ACTIVITY_COLUMNS", "is_tweet_activity"]

#: The columns that identify a tweet-activity export (lower-cased), and what they become.
TWEET_ACTIVITY_COLUMNS = {"tweet id": "post_id", "tweet text": "text", "time": "created_at",
                          "impressions": "impressions", "likes": "likes", "replies": "replies",
                          "retweets": "reposts", "url clicks": "link_clicks"}
_REQUIRED = ("tweet id", "tweet permalink", "time")
_PERMALINK = re.compile(r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/([A-Za-z0-9_]{1,50})/status(?:es)?/\d+")
# "2021-11-30 16:00 +0000": a space before the offset, which ISO 8601 parsing does not take.
_SPACED_OFFSET = re.compile(r"\s+([+-]\d{2}):?(\d{2})$")


def is_tweet_activity(columns: set[str]) -> bool:
    """Whether a CSV header (lower-cased names) is an X analytics tweet-activity export.

    >>> is_tweet_activity({"tweet id", "tweet permalink", "tweet text", "time", "impressions"})
    True
    """
    return set(_REQUIRED) <= columns


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
    source.require(list(_REQUIRED), expected_header='"Tweet id","Tweet permalink","Tweet text","time",'
                                                    '"impressions",...,"url clicks",... (X analytics)')
    as_of_ts = None if as_of is None else observed_time(path, as_of)
    metrics_at = observed_time(path, as_of)
    for block in source.blocks():
        rows = block.rows
        problems = Problems(len(rows))
        link = rows["tweet permalink"]
        author = link.str.extract(_PERMALINK, expand=False).astype("string")
        problems.add((author.isna() & link.notna()).to_numpy(dtype=bool),
                     lambda link=link: "Tweet permalink '" + link.fillna("") + "' names no account "
                     "(expected https://twitter.com/<handle>/status/<id>)")
        problems.add(link.isna().to_numpy(dtype=bool), "empty Tweet permalink: the export's only word on who wrote it")
        mapped = {new: rows[old] for old, new in TWEET_ACTIVITY_COLUMNS.items() if old in rows.columns}
        for name in ("impressions", "likes", "replies", "reposts", "link_clicks"):
            if name in mapped:
                mapped[name] = mapped[name].mask(mapped[name] == "-")
        mapped["created_at"] = mapped["created_at"].str.replace(_SPACED_OFFSET, r"\1:\2", regex=True)
        text = mapped.get("text", pd.Series(pd.NA, index=rows.index, dtype="string"))
        reply = text.str.match(r"@[A-Za-z0-9_]").fillna(False).to_numpy(dtype=bool)
        kind = pd.Series(pd.array([pd.NA] * len(rows), dtype="string"), index=rows.index).mask(reply, "reply")
        frame = pd.DataFrame({**mapped, "author": author.fillna("").where(author.notna(), "?"), "kind": kind,
                              "platform": pd.Series("x", index=rows.index, dtype="string")})
        frame["author"] = frame["author"].astype("string")
        yield read_block(source, replace(block, rows=frame), as_of=as_of_ts, metrics_at=metrics_at,
                         problems=problems, raw=rows)
