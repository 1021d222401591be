"""X API v1.1 reader: tweet objects a line, in a JSON array, or one object per file.

v1.1 tweets (twarc 1, the premium/enterprise APIs, many old collections) differ from v2:
``id_str`` (use it: the numeric ``id`` overflowed JavaScript and was rounded), the author is an
embedded ``user`` object (which becomes an account: followers_count, friends_count, location...),
``created_at`` looks like ``Wed Jan 07 11:06:08 +0000 2015``, long tweets keep their text in
``extended_tweet.full_text`` (``full_text`` in extended mode), and a retweet or quote embeds the
original in ``retweeted_status`` / ``quoted_status`` (read as context posts).

``kind``: ``retweeted_status`` -> repost; ``in_reply_to_status_id_str`` -> reply (whatever the
text); ``quoted_status_id_str`` -> quote. Text starting ``RT @user:`` without a ``retweeted_status``
is an old-style manual retweet: the author's own post (kind by the rules above, its metrics and
its mentions, the ``RT @user`` one included, its own), flagged ``manual_repost``. Metrics:
``favorite_count`` -> likes, ``retweet_count`` -> reposts, ``reply_count`` / ``quote_count`` where
the API gave them (null otherwise: unknown, not zero). v1.1 records no retrieval time:
``metrics_observed_at`` is ``as_of`` if given, else the time of reading.

The row builders here are shared with :mod:`roi.io.x_archive`, whose tweets are v1.1-shaped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import orjson

from roi.io._base import ReadResult, Rejected
from roi.io._json import LATIN1_NOTE, iter_json, raw_text
from roi.io._rows import V1_DATE_FORMAT, RowBuffer, iso_to_us
from roi.io.x_v2 import (
    ACCOUNT_FIELDS,
    CHUNK_SIZE,
    MALFORMED_ERRORS,
    POST_FIELDS,
    is_direct_message,
    row_or_reason,
    superseded_by,
    superseded_reason,
)
from roi.text import is_retweet_text

__all__ = ["read", "tweet_id", "tweet_row", "user_row", "V1_POST_FIELDS", "V1_ACCOUNT_FIELDS"]

PLATFORM = "x"
V1_POST_FIELDS = tuple((n, "v1" if n == "created_at" else k) for n, k in POST_FIELDS)
V1_ACCOUNT_FIELDS = tuple((n, "v1" if n == "created_at" else k) for n, k in ACCOUNT_FIELDS)
_EMPTY: dict = {}


def _id(t: dict, name: str = "id") -> str | None:
    """Return the ``<name>_str`` id, else ``<name>`` as text; None for a float (its digits are lost)."""
    value = t.get(f"{name}_str")
    if value is None:
        value = t.get(name)
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else None


def tweet_id(t: dict) -> str | None:
    """Return a v1.1 tweet's id as text (``id_str``, else ``id``); None when absent or a float (digits lost).

    >>> tweet_id({"id": 1234567890123456789}), tweet_id({"id": 1.2345678901234568e18})
    ('1234567890123456789', None)
    """
    return _id(t)


def tweet_row(t: dict, observed: int, line: int, context: bool, *, author_id: str | None = None) -> tuple:
    """One posts row (:data:`V1_POST_FIELDS` order, then line, context, record) from a v1.1 tweet."""
    ext = t.get("extended_tweet") or _EMPTY
    text = ext.get("full_text") or t.get("full_text") or t.get("text")
    ent = ext.get("entities") or t.get("entities") or _EMPTY
    retweeted = t.get("retweeted_status")
    if isinstance(retweeted, dict):
        kind, ref = "repost", _id(retweeted)
    elif t.get("in_reply_to_status_id_str") or t.get("in_reply_to_status_id"):
        kind, ref = "reply", _id(t, "in_reply_to_status_id")
    elif t.get("quoted_status_id_str") or t.get("quoted_status_id") or isinstance(t.get("quoted_status"), dict):
        quoted = t.get("quoted_status")
        kind, ref = "quote", _id(t, "quoted_status_id") or (_id(quoted) if isinstance(quoted, dict) else None)
    else:
        kind, ref = "original", None
    # "RT @user:" text with no retweeted_status: a manual retweet, the author's own post.
    manual = kind != "repost" and is_retweet_text(text)
    whole = _retweet_text(t, retweeted, text) if kind == "repost" else None
    if whole is not None:  # a retweet cut at 140 characters: its text and entities from the original
        text, inner_ext = whole, retweeted.get("extended_tweet") or _EMPTY
        ent = inner_ext.get("entities") or retweeted.get("entities") or _EMPTY
    hashtags = [h["text"].casefold() for h in ent.get("hashtags") or () if h.get("text")]
    ms = ent.get("user_mentions") or ()
    if ms and whole is None and kind == "repost" and text and text.startswith("RT @"):
        # The retweeted author at offset 3 is attribution, not a mention.
        ms = [m for m in ms if str((m.get("indices") or [None])[0]) != "3"]
    mentions = [m["screen_name"].casefold() for m in ms if m.get("screen_name")]
    urls = [u.get("expanded_url") or u.get("url") for u in ent.get("urls") or () if u.get("expanded_url") or u.get("url")]
    user = t.get("user")
    if isinstance(user, dict):
        author_id = _id(user)
    return (
        _id(t), author_id, t.get("created_at"), text, t.get("lang"), kind, ref, None,
        hashtags, mentions, urls, None, t.get("favorite_count"), t.get("retweet_count"),
        t.get("reply_count"), t.get("quote_count"), None, observed, manual, line, context, t,
    )


def _retweet_text(t: dict, retweeted: dict, text: str | None) -> str | None:
    """Rebuild ``RT @author: <the original's whole text>`` when a retweet's own text was cut.

    The v1.1 compatibility mode truncates it with an ellipsis; None when the text was not cut.
    """
    if not (t.get("truncated") or (text or "").endswith("\u2026")):
        return None
    inner_ext = retweeted.get("extended_tweet") or _EMPTY
    inner = inner_ext.get("full_text") or retweeted.get("full_text") or retweeted.get("text")
    author = (retweeted.get("user") or _EMPTY).get("screen_name")
    return f"RT @{author}: {inner}" if inner and author else None


def user_row(u: dict, observed: int, line: int, context: bool) -> tuple:
    """One accounts row (:data:`V1_ACCOUNT_FIELDS` order, then line, context, record) from a v1.1 user."""
    return (
        _id(u), u.get("screen_name"), u.get("name"), u.get("description"), u.get("location"),
        u.get("created_at"), u.get("followers_count"), u.get("friends_count"), u.get("statuses_count"),
        u.get("verified"), u.get("default_profile"), observed, line, context, u,
    )


def _is_tweet(d: Any) -> bool:
    return isinstance(d, dict) and ("id_str" in d or "id" in d) and (
        "text" in d or "full_text" in d or "extended_tweet" in d)


def read(path: Any, *, as_of: Any = None, chunk_size: int = CHUNK_SIZE) -> Iterator[ReadResult]:
    """Read X API v1.1 tweets (see the module docstring) as chunks of canonical rows.

    Parameters
    ----------
    path : Path
        JSON Lines (optionally gzipped), a JSON array, or one tweet object.
    as_of : Timestamp or datetime, optional
        When the tweets were collected: their ``metrics_observed_at`` and the authors' ``observed_at``.
    chunk_size : int
        Tweets per chunk: bounds the rows held in memory at once.

    Yields
    ------
    ReadResult
        ``primary="posts"``; embedded users and retweeted/quoted originals are context rows.
    """
    observed = iso_to_us(as_of.isoformat()) if as_of is not None else int(
        dt.datetime.now(dt.UTC).timestamp() * 1_000_000)
    posts = RowBuffer("posts", V1_POST_FIELDS, constants={"platform": PLATFORM})
    accounts = RowBuffer("accounts", V1_ACCOUNT_FIELDS, constants={"platform": PLATFORM})
    state = {"read": 0, "rejected": [], "latin1": []}

    def flush() -> ReadResult:
        tables, rejected = {}, list(state["rejected"])
        for name, buf in (("posts", posts), ("accounts", accounts)):
            if len(buf):
                tables[name], bad = buf.frame()
                rejected.extend(bad)
        res = ReadResult(tables=tables, rejected=sorted(rejected, key=lambda r: r.line or 0),
                         read=state["read"], primary="posts")
        lines = state["latin1"]
        res.notes = [f"line(s) {', '.join(map(str, lines[:5]))}{' and more' if len(lines) > 5 else ''}: "
                     f"{LATIN1_NOTE}"] if lines else []
        state.update(read=0, rejected=[], latin1=[])
        return res

    skipped_dms = 0
    for item in iter_json(path):
        if item.error is not None:
            state["read"] += 1
            state["rejected"].append(Rejected(item.line, f"line {item.line}: {item.error}", raw_text(item.raw)))
            continue
        if item.latin1:
            state["latin1"].append(item.line)
        for where, t in _records(item.value, item.line):
            if is_direct_message(t):
                skipped_dms += 1  # private, not a post: not a record of this source
                continue
            state["read"] += 1
            if not _is_tweet(t):
                keys = ", ".join(sorted(t)[:6]) if isinstance(t, dict) else type(t).__name__
                state["rejected"].append(Rejected(
                    item.line, f"{where}: not a v1.1 tweet (expected id_str and text/full_text; got {keys})",
                    raw_text(orjson.dumps(t).decode() if isinstance(t, (dict, list)) else str(t))))
                continue
            if _id(t) is None:
                state["rejected"].append(Rejected(item.line, f"{where}: id {t.get('id')!r} is not an exact id (a "
                                                             "number saved as a float has lost digits; use id_str)",
                                                  raw_text(orjson.dumps(t).decode())))
                continue
            user = t.get("user")
            if not (isinstance(user, dict) and _id(user) is not None) or not t.get("created_at"):
                missing = " and no ".join(n for n, ok in (("created_at", t.get("created_at")),
                                                          ("user", isinstance(user, dict) and _id(user))) if not ok)
                state["rejected"].append(Rejected(item.line, f"{where}: tweet {_id(t)}: no {missing} (a tweet needs "
                                                             "its time and its author)", raw_text(orjson.dumps(t).decode())))
                continue
            latest = superseded_by(t)
            row, why = (None, superseded_reason(latest)) if latest is not None else row_or_reason(
                tweet_row, t, observed, item.line, False)
            if why is not None:
                state["rejected"].append(Rejected(item.line, f"{where}: tweet {_id(t)}: {why}",
                                                  raw_text(orjson.dumps(t).decode())))
                continue
            posts.rows.append(row)
            try:
                _context(t, observed, _created_us(t.get("created_at"), observed), item.line, posts, accounts)
            except MALFORMED_ERRORS:
                pass  # an embedded user or tweet of unexpected shape is context, not a record: left out
        if state["read"] >= chunk_size:
            yield flush()
    if state["read"] or len(posts) or len(accounts) or skipped_dms:
        res = flush()
        if skipped_dms:
            res.notes.append(f"{skipped_dms:,} direct message(s) skipped: private conversations, not posts")
        yield res


def _records(value: Any, line: int) -> Iterator[tuple[str, Any]]:
    """Yield the tweets of one JSON value with where each is.

    A value is a tweet, or a saved search response's ``statuses``, or the ``events`` of a
    direct-messages response.
    """
    if isinstance(value, dict) and isinstance(value.get("statuses"), list):
        for i, t in enumerate(value["statuses"]):
            yield f"line {line}, statuses[{i}]", t
    elif isinstance(value, dict) and isinstance(value.get("events"), list) and all(
            is_direct_message(e) for e in value["events"]):
        for e in value["events"]:
            yield f"line {line}", e
    elif isinstance(value, list):
        for i, t in enumerate(value):
            yield f"line {line}, item {i}", t
    else:
        yield f"line {line}", value


def _created_us(value: Any, default: int) -> int:
    """Microseconds UTC of a v1.1 ``created_at`` (or an ISO 8601 one), else ``default``."""
    if isinstance(value, str):
        try:
            return int(dt.datetime.strptime(value, V1_DATE_FORMAT).timestamp() * 1_000_000)
        except ValueError:
            pass
    us = iso_to_us(value) if isinstance(value, str) else None
    return default if us is None else us


def _context(t: dict, observed: int, seen: int, line: int, posts: RowBuffer, accounts: RowBuffer,
             depth: int = 0) -> None:
    """Return the embedded users and tweets of a record as context rows.

    A user embedded in a tweet is a snapshot taken when that tweet was made (or collected): it is
    dated ``seen``, the record's ``created_at``, so the newest snapshot of an account wins
    whatever the order of the lines. Retweeted and quoted tweets are read to two levels (the
    quote inside a retweet of a quote tweet).
    """
    user = t.get("user")
    if isinstance(user, dict) and _id(user) is not None:
        accounts.rows.append(user_row(user, seen, line, True))
    for name in ("retweeted_status", "quoted_status"):
        inner = t.get(name)
        if _is_tweet(inner) and _id(inner) is not None and inner.get("created_at") and isinstance(
                inner.get("user"), dict) and superseded_by(inner) is None:
            posts.rows.append(tweet_row(inner, observed, line, True))
            if depth < 1:
                _context(inner, observed, seen, line, posts, accounts, depth + 1)
            elif _id(inner["user"]) is not None:
                accounts.rows.append(user_row(inner["user"], seen, line, True))
