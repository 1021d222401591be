"""X API v1.1 reader: tweet objects a line, in a JSON array, or one object per file.

v1.1 tweets (twarc 1, the premium/enterprise APIs, many old collections) differ from v2:
``id_str`` (use it: the numeric ``id`` overflowed JavaScript and was rounded), the author is an
embedded ``user`` object (which becomes an account: followers_count, friends_count, location...),
``created_at`` looks like ``Wed Jan 07 11:06:08 +0000 2015``, long tweets keep their text in
``extended_tweet.full_text`` (``full_text`` in extended mode), and a retweet or quote embeds the
original in ``retweeted_status`` / ``quoted_status`` (read as context posts).

``kind``: ``retweeted_status`` (or text starting ``RT @`` when it is absent, as in archives) ->
repost; ``in_reply_to_status_id_str`` -> reply; ``quoted_status_id_str`` -> quote. Metrics:
``favorite_count`` -> likes, ``retweet_count`` -> reposts, ``reply_count`` / ``quote_count`` where
the API gave them (null otherwise: unknown, not zero). v1.1 records no retrieval time:
``metrics_observed_at`` is ``as_of`` if given, else the time of reading.

The row builders here are shared with :mod:`roi.io.x_archive`, whose tweets are v1.1-shaped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterator

import orjson

from roi.io._base import ReadResult, Rejected
from roi.io._json import LATIN1_NOTE, iter_json, raw_text
from roi.io._rows import RowBuffer, guarded_row, iso_to_us
from roi.io.x_v2 import ACCOUNT_FIELDS, CHUNK_SIZE, POST_FIELDS

__all__ = ["read", "tweet_row", "user_row", "V1_POST_FIELDS", "V1_ACCOUNT_FIELDS"]

PLATFORM = "x"
V1_POST_FIELDS = tuple((n, "v1" if n == "created_at" else k) for n, k in POST_FIELDS)
V1_ACCOUNT_FIELDS = tuple((n, "v1" if n == "created_at" else k) for n, k in ACCOUNT_FIELDS)
_EMPTY: dict = {}


def _id(t: dict, name: str = "id") -> str | None:
    value = t.get(f"{name}_str")
    if value is None:
        value = t.get(name)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"{name} is {type(value).__name__}, not text or a whole number")


def _has_id(d: dict) -> bool:
    return d.get("id_str") is not None or d.get("id") is not None


@guarded_row(len(V1_POST_FIELDS))
def tweet_row(t: dict, observed: int, line: int, context: bool, *, author_id: str | None = None) -> tuple:
    """One posts row (:data:`V1_POST_FIELDS` order, then line, context, record) from a v1.1 tweet."""
    ext = t.get("extended_tweet") or _EMPTY
    text = ext.get("full_text") or t.get("full_text") or t.get("text")
    ent = ext.get("entities") or t.get("entities") or _EMPTY
    retweeted = t.get("retweeted_status")
    if isinstance(retweeted, dict) or (text or "").startswith("RT @"):
        kind, ref = "repost", _id(retweeted) if isinstance(retweeted, dict) else None
    elif t.get("in_reply_to_status_id_str") or t.get("in_reply_to_status_id"):
        kind, ref = "reply", _id(t, "in_reply_to_status_id")
    elif t.get("quoted_status_id_str") or t.get("quoted_status_id") or isinstance(t.get("quoted_status"), dict):
        quoted = t.get("quoted_status")
        kind, ref = "quote", _id(t, "quoted_status_id") or (_id(quoted) if isinstance(quoted, dict) else None)
    else:
        kind, ref = "original", None
    hashtags = [h["text"].casefold() for h in ent.get("hashtags") or () if h.get("text")]
    ms = ent.get("user_mentions") or ()
    if ms and kind == "repost" and text and text.startswith("RT @"):
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
        t.get("reply_count"), t.get("quote_count"), None, observed, line, context, t,
    )


@guarded_row(len(V1_ACCOUNT_FIELDS))
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

    Yields
    ------
    ReadResult
        ``primary="posts"``; embedded users and retweeted/quoted originals are context rows.
    """
    observed = iso_to_us(as_of.isoformat()) if as_of is not None else int(
        dt.datetime.now(dt.timezone.utc).timestamp() * 1_000_000)
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

    for item in iter_json(path):
        state["read"] += 1
        if item.error is not None:
            state["rejected"].append(Rejected(item.line, f"line {item.line}: {item.error}", raw_text(item.raw)))
            continue
        if item.latin1:
            state["latin1"].append(item.line)
        t = item.value
        if not _is_tweet(t):
            keys = ", ".join(sorted(t)[:6]) if isinstance(t, dict) else type(t).__name__
            state["rejected"].append(Rejected(
                item.line, f"line {item.line}: not a v1.1 tweet (expected id_str and text/full_text; got {keys})",
                raw_text(orjson.dumps(t).decode() if isinstance(t, (dict, list)) else str(t))))
            continue
        posts.rows.append(tweet_row(t, observed, item.line, False))
        _context(t, observed, item.line, posts, accounts)
        if state["read"] >= chunk_size:
            yield flush()
    if state["read"] or len(posts) or len(accounts):
        yield flush()


def _context(t: dict, observed: int, line: int, posts: RowBuffer, accounts: RowBuffer) -> None:
    user = t.get("user")
    if isinstance(user, dict) and _has_id(user):
        accounts.rows.append(user_row(user, observed, line, True))
    for name in ("retweeted_status", "quoted_status"):
        inner = t.get(name)
        if _is_tweet(inner):
            posts.rows.append(tweet_row(inner, observed, line, True))
            inner_user = inner.get("user")
            if isinstance(inner_user, dict) and _has_id(inner_user):
                accounts.rows.append(user_row(inner_user, observed, line, True))
