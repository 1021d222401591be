"""Generic posts CSV: the door for exports of other tools (schedulers, listening tools, BI).

Header (case-insensitive, any order; ``,`` ``;`` tab or ``|`` separated)::

    post_id, author, created_at                       required ("author_id" is accepted for author)
    text, kind, referenced_id, conversation_id, lang, optional
    impressions, likes, reposts, replies, quotes, link_clicks,
    hashtags, mentions, urls, author_followers, author_location, author_name, platform

* ``created_at`` is ISO 8601; a time without an offset is UTC.
* ``kind`` is original, reply, quote or repost (``retweet``/``boost`` mean repost). When the
  column is absent or a cell is empty: a text starting ``RT @user:`` with a ``referenced_id`` is
  a repost, a row without ``referenced_id`` is an original, and any other row *with* a
  ``referenced_id`` is rejected (roi cannot tell a reply from a quote; add a ``kind`` column).
* A text starting ``RT @user:`` that names no ``referenced_id`` (whatever its kind says) is an
  old-style **manual retweet**: the author's own post, kind original (or its reply / quote kind),
  ``manual_repost`` true, its metrics its own and ``@user`` one of its mentions. A repost always
  names what it reposts.
* Every optional column may be absent or wholly empty: its values are unknown (null), and
  hashtags / mentions / URLs are then extracted from ``text`` when there is one.
* ``hashtags`` / ``mentions`` / ``urls`` are space- (or comma-) separated; ``#`` and ``@`` are
  optional; hashtags and handles are casefolded. When a column is absent the entities are
  extracted from ``text`` (twitter-text rules; a repost's ``RT @user:`` is not a mention).
* ``author`` becomes ``author_id`` and an ``accounts`` row (context, not a primary record) with
  ``handle`` = author (a leading ``@`` removed), ``followers_count`` = ``author_followers``,
  ``location`` = ``author_location``; its ``observed_at`` is ``as_of`` if given, else the time
  of that author's latest post in the chunk.
* ``metrics_observed_at`` is ``as_of`` if given, else the file's modification time (when the
  export was written), so a later export's metrics win over an earlier one's.
* ``platform`` defaults to ``csv``.

A missing required column rejects the whole file (:class:`~roi.errors.InputError` naming the file,
the missing columns and the expected header). A row with an unparseable date, a negative,
fractional or non-numeric count, an unknown kind, an empty required cell or the wrong number of
fields is rejected with its line number; the other rows are read. Every value is read as text, so
ids keep every digit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from roi.io._base import ReadResult, observed_time
from roi.io._csv import (
    Problems,
    open_csv,
    parse_counts,
    parse_times,
    split_entities,
    split_urls,
    with_accounting,
)
from roi.tables import POST_KINDS, conform
from roi.text import hashtags_of, mentions_of, retweet_texts, urls_of

__all__ = ["read", "read_block", "EXPECTED_HEADER", "COUNT_COLUMNS"]

EXPECTED_HEADER = (
    "post_id,author,created_at[,text,kind,referenced_id,conversation_id,lang,impressions,likes,"
    "reposts,replies,quotes,link_clicks,hashtags,mentions,urls,author_followers,author_location,"
    "platform]"
)
COUNT_COLUMNS = ("impressions", "likes", "reposts", "replies", "quotes", "link_clicks")
_KIND_ALIASES = {**{k: k for k in POST_KINDS}, "retweet": "repost", "boost": "repost", "rt": "repost",
                 "share": "repost", "quote_tweet": "quote", "post": "original", "tweet": "original"}


def read(path: Path, *, as_of: pd.Timestamp | None = None) -> Iterator[ReadResult]:
    r"""Read a posts CSV in chunks of canonical ``posts`` (primary) and ``accounts`` (context) rows.

    Parameters
    ----------
    path : Path
        The posts CSV.
    as_of : Timestamp, optional
        When the metrics and profiles were observed (default: the file's modification time for
        metrics, the author's latest post for profiles).

    Yields
    ------
    ReadResult
        ``read`` counts the CSV's data rows (ingested + rejected).

    Raises
    ------
    InputError
        A required column is missing (the message names the file, the columns, the expected header).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "posts.csv"
    >>> _ = p.write_text("post_id,author,created_at,text\n1234567890123456789,acme,2026-10-01 09:00,"
    ...                  "Hello #Fall @Bob\n2,acme,yesterday,bad date\n", encoding="utf-8")
    >>> r = next(read(p))
    >>> posts = r.tables["posts"]
    >>> r.read, posts.post_id.tolist(), posts.hashtags.tolist(), posts.mentions.tolist()
    (2, ['1234567890123456789'], [['fall']], [['bob']])
    >>> r.rejected[0].line, r.rejected[0].reason
    (3, "created_at 'yesterday' is not an ISO 8601 time")
    """
    source = open_csv(path)
    if "author" not in source.columns and "author_id" in source.columns:
        author_col = "author_id"
    else:
        author_col = "author"
    source.require(["post_id", author_col, "created_at"], expected_header=EXPECTED_HEADER)
    as_of_ts = None if as_of is None else observed_time(path, as_of)
    metrics_at = observed_time(path, as_of)
    for block in source.blocks():
        yield read_block(source, block, author_col=author_col, as_of=as_of_ts, metrics_at=metrics_at)


def read_block(source, block, *, author_col: str = "author", as_of: pd.Timestamp | None = None,
               metrics_at: pd.Timestamp | None = None, problems: Problems | None = None,
               raw: pd.DataFrame | None = None) -> ReadResult:
    """Read one block of a posts CSV as posts (primary) and accounts (context) rows.

    The block's columns are named as in :data:`EXPECTED_HEADER`; every row is ingested or
    rejected with its reason. Other CSV readers whose columns map onto this header
    (:mod:`roi.io.x_analytics`) rename their block's columns, note their own problems in
    ``problems`` and read the block here, so every posts CSV follows the same rules; ``raw`` is
    the block's rows as the file had them, kept in ``_rejected/`` for a rejected row.
    """
    as_of_ts = as_of
    rows = block.rows
    n = len(rows)
    cols = set(rows.columns)
    problems = problems if problems is not None else Problems(n)

    def col(name: str) -> pd.Series:
        return rows[name] if name in cols else pd.Series(pd.NA, index=rows.index, dtype="string")

    for name in ("post_id", author_col, "created_at"):
        problems.add(rows[name].isna().to_numpy(), f"empty {name}; every row needs post_id, author, created_at")
    created = parse_times(rows["created_at"], "created_at", problems)
    counts = {c: parse_counts(col(c), c, problems) for c in COUNT_COLUMNS}
    followers = parse_counts(col("author_followers"), "author_followers", problems)

    text = col("text")
    referenced = col("referenced_id")
    raw_kind = col("kind").str.lower()
    kind = raw_kind.map(_KIND_ALIASES, na_action="ignore").astype("string")
    unknown = raw_kind.notna().to_numpy() & kind.isna().to_numpy()
    problems.add(unknown, lambda: "kind '" + raw_kind.fillna("") + "' is not one of original, reply, quote, repost")
    retweet = retweet_texts(text)
    missing_kind = kind.isna().to_numpy() & ~unknown
    has_ref = referenced.notna().to_numpy()
    # A repost names what it reposts: "RT @user:" text (or kind repost) without a referenced_id is
    # a manual retweet, the author's own post.
    manual = retweet & ~has_ref & (missing_kind | (kind == "repost").fillna(False).to_numpy(dtype=bool))
    kind = kind.mask(missing_kind & retweet & has_ref, "repost").mask(
        (missing_kind & ~has_ref) | manual, "original")
    problems.add(missing_kind & ~retweet & has_ref,
                 "referenced_id given without a kind: add a kind column (reply, quote or repost)")
    kind_known = kind.notna().to_numpy()
    manual |= retweet & kind_known & (kind != "repost").fillna(False).to_numpy(dtype=bool)
    manual_repost = pd.Series(pd.array(manual, dtype="boolean"), index=rows.index).mask(text.isna() & ~pd.Series(
        (kind == "repost").fillna(False).to_numpy(dtype=bool), index=rows.index))

    # An entity column left wholly empty was not filled in: read the entities from the text instead.
    cols = {c for c in cols if c not in ("hashtags", "mentions", "urls") or rows[c].notna().any()}
    hashtags = split_entities(rows["hashtags"]) if "hashtags" in cols else hashtags_of(text)
    if "mentions" in cols:
        mentions = split_entities(rows["mentions"])
    else:  # a platform repost's "RT @user:" is attribution; a manual retweet's is a mention
        mentions = mentions_of(text).where(~manual, mentions_of(text, retweet_prefix=True))
    if "urls" in cols:
        urls = split_urls(rows["urls"])
    else:
        urls = urls_of(text)
    author = rows[author_col].str.lstrip("@")
    platform = col("platform").fillna("csv").str.lower()

    posts = pd.DataFrame({
        "platform": platform, "post_id": rows["post_id"], "author_id": author, "created_at": created,
        "text": text, "lang": col("lang"), "kind": kind, "referenced_id": referenced,
        "conversation_id": col("conversation_id"), "hashtags": hashtags, "mentions": mentions,
        "urls": urls, "manual_repost": manual_repost, **counts,
        "metrics_observed_at": pd.Series(metrics_at, index=rows.index, dtype="datetime64[us, UTC]"),
    })
    ok = ~problems.mask
    lines = source.lines_of(block.records[ok].tolist())
    good = posts[ok]
    posts_out = with_accounting(conform("posts", good), lines, context=False)

    accounts = pd.DataFrame({
        "platform": platform[ok], "account_id": author[ok], "handle": author[ok],
        "display_name": col("author_name")[ok], "location": col("author_location")[ok],
        "followers_count": followers[ok], "_at": created[ok], "_line": np.asarray(lines),
    })
    accounts = accounts.sort_values("_at", kind="stable").drop_duplicates(["platform", "account_id"], keep="last")
    accounts["observed_at"] = as_of_ts if as_of_ts is not None else accounts["_at"]
    accounts_out = with_accounting(conform("accounts", accounts), accounts["_line"], context=True)

    as_read = block if raw is None else replace(block, rows=raw)
    rejected = block.bad + source.reject_rows(as_read, problems.mask, problems.reason[problems.mask].tolist())
    return source.annotate(ReadResult(tables={"posts": posts_out, "accounts": accounts_out}, rejected=rejected,
                      read=n + len(block.bad), primary="posts"))
