"""X API v2 reader: twarc2 pages, flattened tweets, plain JSON arrays, and user pages.

Shapes read (detected per record, so a file may mix them):

* a twarc2 page a line: ``{"data": [tweets], "includes": {"users", "tweets"}, "meta", "__twarc"}``.
  The tweets of ``data`` are the source's records; ``includes.users`` become accounts and
  ``includes.tweets`` (the replied-to, quoted and retweeted originals) become posts too, as
  context rows;
* a flattened tweet a line (``twarc2 flatten``): the tweet with its ``author`` and its referenced
  tweets embedded;
* a JSON array of tweets, or of pages;
* user pages (``twarc2 users``, ``followers``, ``following``): the users are the records and become
  accounts; for ``followers`` / ``following`` pages, whose ``__twarc.url`` is
  ``.../2/users/<id>/followers``, each user also gives a follow edge to (from) ``<id>``, seen at
  ``as_of`` (else the page's ``__twarc.retrieved_at``).

Mapping: ``kind`` from ``referenced_tweets`` (retweeted -> repost, replied_to -> reply,
quoted -> quote; a reply that also quotes is a reply, its thread parent); metrics from
``public_metrics``; impressions and link clicks from ``non_public_metrics`` (else
``organic_metrics``, else the public ``impression_count``, which X only counts for tweets from
December 2022 on: an earlier tweet's public 0 is unknown, not zero); hashtags, mentions and
expanded URLs from ``entities`` (a retweet's leading ``RT @user:`` is not a mention);
``metrics_observed_at`` from ``__twarc.retrieved_at``, else ``as_of``, else the time of reading.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow.compute as pc

from roi.io._base import ReadResult, Rejected, in_reading_order
from roi.io._json import LATIN1_NOTE, JsonItem, _iter_lines, iter_json, raw_text
from roi.io._rows import RowBuffer, guarded_row, iso_to_us

__all__ = ["read", "POST_FIELDS", "ACCOUNT_FIELDS", "FOLLOW_FIELDS", "CHUNK_SIZE"]

CHUNK_SIZE = 50_000
BLOCK_BYTES = 16 << 20  # bytes of whole lines per block of the fast path (about 15,000 tweets)
# Blocks parsed at once by the fast path, each in a thread of its own (the native scanner and
# pyarrow's JSON reader release the GIL; one block in one thread beats one block split over threads,
# measured: 8.8 s vs 11.2 s for 1M tweets). One more than the two cores: the reading thread's own
# work on each block (queueing its rows for the merge) then overlaps parsing -- 2M expanded tweets in
# 16.7 s instead of 19.7 s, peak memory unchanged (1.26 vs 1.28 GB). Memory holds at most this many
# blocks (and their parsed tables) beyond the current one.
PARSE_THREADS = 3
PLATFORM = "x"
POST_FIELDS = (
    ("post_id", "str"), ("author_id", "str"), ("created_at", "iso"), ("text", "str"), ("lang", "str"),
    ("kind", "str"), ("referenced_id", "str"), ("conversation_id", "str"), ("hashtags", "list"),
    ("mentions", "list"), ("urls", "list"), ("impressions", "count"), ("likes", "count"),
    ("reposts", "count"), ("replies", "count"), ("quotes", "count"), ("link_clicks", "count"),
    ("metrics_observed_at", "us"),
)
ACCOUNT_FIELDS = (
    ("account_id", "str"), ("handle", "str"), ("display_name", "str"), ("description", "str"),
    ("location", "str"), ("created_at", "iso"), ("followers_count", "count"),
    ("following_count", "count"), ("posts_count", "count"), ("verified", "bool"),
    ("default_profile", "bool"), ("observed_at", "us"),
)
FOLLOW_FIELDS = (("follower_id", "str"), ("followee_id", "str"), ("first_seen", "us"), ("last_seen", "us"))

_EMPTY: dict = {}
_FOLLOW_URL = re.compile(r"/2/users/([0-9]+)/(followers|following)\b")
_VIEWS_COUNTED_FROM = "2022-12"  # X started counting views (public impression_count) in Dec 2022


def _id(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise TypeError(f"an id is {type(value).__name__}, not text or a whole number")


@guarded_row(len(POST_FIELDS))
def tweet_row(t: dict, observed: int, line: int, context: bool) -> tuple:
    """One posts row (in :data:`POST_FIELDS` order, then line, context, record) from a v2 tweet."""
    refs = t.get("referenced_tweets")
    kind, ref = "original", None
    if refs:
        by_type = {r.get("type"): r.get("id") for r in refs if isinstance(r, dict)}
        if "retweeted" in by_type:
            kind, ref = "repost", by_type["retweeted"]
        elif "replied_to" in by_type:
            kind, ref = "reply", by_type["replied_to"]
        elif "quoted" in by_type:
            kind, ref = "quote", by_type["quoted"]
    note = t.get("note_tweet")
    text = note.get("text") if note else t.get("text")
    ent = (note.get("entities") if note else None) or t.get("entities")
    if ent:
        hashtags = [h["tag"].casefold() for h in ent.get("hashtags", ()) if h.get("tag")]
        ms = ent.get("mentions") or ()
        if ms and kind == "repost" and text and text.startswith("RT @"):
            # The retweeted author at position 3 is attribution, not a mention.
            ms = [m for m in ms if m.get("start") != 3] if any(m.get("start") == 3 for m in ms) else ms[1:]
        mentions = [m["username"].casefold() for m in ms if m.get("username")]
        urls = [u.get("expanded_url") or u.get("url") for u in ent.get("urls", ()) if u.get("expanded_url") or u.get("url")]
    else:
        hashtags, mentions, urls = [], [], []
    pm = t.get("public_metrics") or _EMPTY
    private = t.get("non_public_metrics") or _EMPTY
    organic = t.get("organic_metrics") or _EMPTY
    impressions = private.get("impression_count", organic.get("impression_count"))
    if impressions is None:
        impressions = pm.get("impression_count")
        if impressions == 0 and (t.get("created_at") or "") < _VIEWS_COUNTED_FROM:
            impressions = None
    link_clicks = private.get("url_link_clicks", organic.get("url_link_clicks"))
    return (
        _id(t.get("id")), _id(t.get("author_id")), t.get("created_at"), text, t.get("lang"), kind, _id(ref),
        _id(t.get("conversation_id")), hashtags, mentions, urls, impressions, pm.get("like_count"),
        pm.get("retweet_count"), pm.get("reply_count"), pm.get("quote_count"), link_clicks, observed,
        line, context, t,
    )


@guarded_row(len(ACCOUNT_FIELDS))
def user_row(u: dict, observed: int, line: int, context: bool) -> tuple:
    """One accounts row (in :data:`ACCOUNT_FIELDS` order, then line, context, record) from a v2 user."""
    pm = u.get("public_metrics") or _EMPTY
    return (
        _id(u.get("id")), u.get("username"), u.get("name"), u.get("description"), u.get("location"),
        u.get("created_at"), pm.get("followers_count"), pm.get("following_count"), pm.get("tweet_count"),
        u.get("verified"), None, observed, line, context, u,
    )


class _Buffers:
    """The rows of one kind of chunk: tweets as records (posts primary) or users (accounts primary)."""

    def __init__(self, primary: str):
        self.primary = primary
        self.posts = RowBuffer("posts", POST_FIELDS, constants={"platform": PLATFORM})
        self.accounts = RowBuffer("accounts", ACCOUNT_FIELDS, constants={"platform": PLATFORM})
        self.follows = RowBuffer("follows", FOLLOW_FIELDS, constants={"platform": PLATFORM})
        self.read = 0
        self.rejected: list[Rejected] = []

    def result(self, notes: list[str]) -> ReadResult:
        tables, rejected = {}, list(self.rejected)
        for name in ("posts", "accounts", "follows"):
            buf = getattr(self, name)
            if len(buf):
                tables[name], bad = buf.frame()
                rejected.extend(bad)
        res = ReadResult(tables=tables, rejected=sorted(rejected, key=lambda r: r.line or 0),
                         read=self.read, primary=self.primary, notes=list(notes))
        self.read, self.rejected = 0, []
        return res


def read(path: Any, *, as_of: Any = None, chunk_size: int = CHUNK_SIZE, fast: bool = True) -> Iterator[ReadResult]:
    """Read an X API v2 file (see the module docstring) as chunks of canonical rows.

    A plain JSON Lines file of twarc2 pages (or of flattened tweets) is read in blocks of whole
    lines; a block whose every line is a well-formed page of tweets (a flattened tweet) is parsed
    and mapped by Arrow (:mod:`roi.io._x_v2_arrow`), any other block record by record in Python,
    with the same rows, lines and rejections either way.

    Parameters
    ----------
    path : Path
        A JSON Lines file (optionally gzipped) or a JSON document.
    as_of : Timestamp or datetime, optional
        When the export was taken: the time of follow edges from follower pages (overriding
        ``__twarc.retrieved_at``), and of metrics where no ``retrieved_at`` is recorded.
    chunk_size : int
        Records per chunk (of the record-by-record path).
    fast : bool, default True
        Use the Arrow path for blocks it can read exactly (False: always record by record).

    Yields
    ------
    ReadResult
        ``primary`` is ``"posts"`` for tweets and ``"accounts"`` for user pages.
    """
    now_us = int(dt.datetime.now(dt.UTC).timestamp() * 1_000_000)
    as_of_us = iso_to_us(as_of.isoformat()) if as_of is not None else None
    fallback_us = as_of_us if as_of_us is not None else now_us
    observed_cache: dict[str, int] = {}
    shape = _fast_shape(path) if fast else None
    if shape is not None:
        yield from _read_blocks(path, fallback_us, as_of_us, observed_cache, chunk_size, flat=shape == "flat")
    else:
        yield from _read_items(iter_json(path), fallback_us, as_of_us, observed_cache, chunk_size)


def _fast_shape(path: Any) -> str | None:
    """``"pages"`` or ``"flat"`` for a plain (not gzipped) JSON Lines file whose first line is a twarc2
    page with a data list or a flattened tweet; None for anything else (read record by record)."""
    if not isinstance(path, (str, Path)) or not Path(path).is_file():
        return None
    with open(path, "rb") as fh:
        first = fh.readline(BLOCK_BYTES)
    if not first.startswith(b"{") or not first.endswith(b"\n"):
        return None
    try:
        value = orjson.loads(first)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("data"), list):
        return "pages"
    if "data" not in value and _is_tweet(value):
        return "flat"
    return None


def _read_blocks(path: Any, fallback_us: int, as_of_us: int | None, cache: dict[str, int],
                 chunk_size: int, *, flat: bool = False) -> Iterator[ReadResult]:
    from roi.io import _x_v2_arrow

    def observed_of(value: str | None) -> int:
        return _observed({"__twarc": {"retrieved_at": value}}, fallback_us, cache)

    def blocks() -> Iterator[bytes]:
        with open(path, "rb") as fh:
            while block := fh.read(BLOCK_BYTES):
                if not block.endswith(b"\n"):
                    block += fh.readline()
                yield block

    def parse(block: bytes) -> tuple[int, Any]:
        # In a worker: parse the block with lines numbered from 1 (the reading thread shifts them
        # once it knows where the block starts); its lines are counted there only when needed.
        read = _x_v2_arrow.read_flat_block if flat else _x_v2_arrow.read_block
        got = read(block, 1, None, observed_of)
        if got is None:
            return _x_v2_arrow.count_lines(block), None
        tables, n, n_lines = got
        return n_lines, (tables, n)

    # Blocks are parsed ahead in threads and handled in file order, so rows, lines and
    # rejections come out exactly as from one block at a time.
    line = 1
    with ThreadPoolExecutor(max_workers=PARSE_THREADS, thread_name_prefix="roi-x-v2") as pool:
        in_flight: deque = deque()
        source = blocks()
        exhausted = False
        while True:
            while not exhausted and len(in_flight) < PARSE_THREADS:
                block = next(source, None)
                if block is None:
                    exhausted = True
                else:
                    in_flight.append((block, pool.submit(parse, block)))
            if not in_flight:
                break
            block, future = in_flight.popleft()
            n_lines, got = future.result()
            if got is None:
                yield from _read_items(_iter_lines(io.BytesIO(block), line - 1), fallback_us, as_of_us, cache,
                                       chunk_size)
            else:
                tables, n = got
                for chunk, count in _split({name: _shift_lines(t, line - 1) for name, t in tables.items()}, n,
                                           chunk_size):
                    yield ReadResult(tables=chunk, read=count, primary="posts")
            line += n_lines
            del block, got


def _shift_lines(table: Any, by: int) -> Any:
    if not by:
        return table
    i = table.column_names.index("_line")
    return table.set_column(i, "_line", pc.add(table.column("_line"), by))


def _split(tables: dict[str, Any], n: int, chunk_size: int) -> Iterator[tuple[dict[str, Any], int]]:
    """A block's rows (Arrow tables) as chunks of about ``chunk_size`` records, cut between lines (pages)."""
    if n <= chunk_size:
        yield tables, n
        return
    tables = {name: in_reading_order(table) for name, table in tables.items()}  # cut by line: in line order
    posts = tables["posts"]
    records = ~posts.column("_context").to_numpy()
    ends = np.unique(posts.column("_line").to_numpy()[records][chunk_size - 1::chunk_size])
    cuts = {name: np.r_[0, np.searchsorted(table.column("_line").to_numpy(), ends, side="right"), table.num_rows]
            for name, table in tables.items()}
    for i in range(len(ends) + 1):
        part = {name: table.slice(cuts[name][i], cuts[name][i + 1] - cuts[name][i]) for name, table in tables.items()}
        count = int(records[cuts["posts"][i]:cuts["posts"][i + 1]].sum())
        if count or any(t.num_rows for t in part.values()):
            yield {k: v for k, v in part.items() if v.num_rows}, count


def _read_items(items: Iterable[JsonItem], fallback_us: int, as_of_us: int | None, observed_cache: dict[str, int],
                chunk_size: int) -> Iterator[ReadResult]:
    tweets, users = _Buffers("posts"), _Buffers("accounts")
    notes: list[str] = []
    latin1_lines: list[int] = []
    for item in items:
        line = item.line
        if item.error is not None:
            tweets.read += 1
            tweets.rejected.append(Rejected(line, f"line {line}: {item.error}", raw_text(item.raw)))
            continue
        if item.latin1:
            latin1_lines.append(line)
        value = item.value
        if isinstance(value, list):
            for element in value:  # an array of tweets or pages on one line
                _record(element, line, tweets, users, fallback_us, as_of_us, observed_cache)
        else:
            _record(value, line, tweets, users, fallback_us, as_of_us, observed_cache)
        if tweets.posts.primary >= chunk_size or tweets.read >= chunk_size:
            yield tweets.result(_latin1_notes(latin1_lines, notes))
        if users.accounts.primary >= chunk_size:
            yield users.result(_latin1_notes(latin1_lines, notes))
    if tweets.read or len(tweets.posts) or len(tweets.accounts):
        yield tweets.result(_latin1_notes(latin1_lines, notes))
    if users.read or len(users.accounts):
        yield users.result(_latin1_notes(latin1_lines, notes))


def _latin1_notes(lines: list[int], notes: list[str]) -> list[str]:
    if not lines:
        return []
    shown = ", ".join(map(str, lines[:5])) + (f" and {len(lines) - 5} more" if len(lines) > 5 else "")
    out = [f"line(s) {shown}: {LATIN1_NOTE}"]
    lines.clear()
    return out


def _observed(page: dict, fallback: int, cache: dict[str, int]) -> int:
    meta = page.get("__twarc")
    retrieved = meta.get("retrieved_at") if isinstance(meta, dict) else None
    if not retrieved:
        return fallback
    us = cache.get(retrieved)
    if us is None:
        us = iso_to_us(retrieved)
        us = fallback if us is None else us
        cache[retrieved] = us
    return us


def _is_tweet(d: dict) -> bool:
    return "id" in d and ("text" in d or "author_id" in d)


def _is_user(d: dict) -> bool:
    return "username" in d and "text" not in d


def _record(value: Any, line: int, tweets: _Buffers, users: _Buffers, fallback: int,
            as_of_us: int | None, cache: dict[str, int]) -> None:
    if not isinstance(value, dict):
        tweets.read += 1
        tweets.rejected.append(Rejected(line, f"line {line}: expected a JSON object (a tweet, user or "
                                              f"twarc2 page), got {type(value).__name__}", raw_text(str(value))))
        return
    observed = _observed(value, fallback, cache)
    if "data" in value:
        _page(value, line, tweets, users, observed, as_of_us)
    elif _is_tweet(value):
        _flat_tweet(value, line, tweets, observed)
    elif "id" in value and _is_user(value):
        users.read += 1
        users.accounts.rows.append(user_row(value, observed, line, False))
        users.accounts.primary += 1
    elif "errors" in value and not value.get("data"):
        pass  # an API page holding only errors (e.g. all requested ids deleted): no records
    else:
        tweets.read += 1
        keys = ", ".join(sorted(value)[:6])
        tweets.rejected.append(Rejected(
            line, f"line {line}: JSON object is not a tweet, user or twarc2 page (keys: {keys})",
            raw_text(_short(value))))


def _list(value: Any) -> list:
    """A list field, or nothing when it is absent or of the wrong type (the record is still read)."""
    return value if isinstance(value, list) else []


def _short(value: Any) -> str:
    import orjson

    return orjson.dumps(value).decode()


def _page(page: dict, line: int, tweets: _Buffers, users: _Buffers, observed: int, as_of_us: int | None) -> None:
    data = page.get("data")
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        tweets.read += 1
        tweets.rejected.append(Rejected(line, f"line {line}: 'data' is neither a list nor an object",
                                        raw_text(_short(page))))
        return
    includes = page.get("includes")
    includes = includes if isinstance(includes, dict) else _EMPTY
    is_user_page = bool(data) and all(isinstance(d, dict) and _is_user(d) for d in data)
    target = users if is_user_page else tweets
    if is_user_page:
        meta = page.get("__twarc")
        url = meta.get("url", "") if isinstance(meta, dict) else ""
        m = _FOLLOW_URL.search(url or "")
        seen = as_of_us if as_of_us is not None else observed
        account_rows, follow_rows = users.accounts.rows, users.follows.rows
        for u in data:
            uid = u.get("id")
            users.read += 1
            if uid is None:
                users.rejected.append(Rejected(line, f"line {line}: user without an id", raw_text(_short(u))))
                continue
            account_rows.append(user_row(u, observed, line, False))
            users.accounts.primary += 1
            if m is not None:
                uid = _id(uid)
                pair = (uid, m.group(1)) if m.group(2) == "followers" else (m.group(1), uid)
                follow_rows.append((*pair, seen, seen, line, True, None))
    else:
        post_rows = tweets.posts.rows
        for t in data:
            tweets.read += 1
            if not isinstance(t, dict) or t.get("id") is None or not ("text" in t or "author_id" in t):
                tweets.rejected.append(Rejected(
                    line, f"line {line}: an item of 'data' is not a tweet (no id/text)", raw_text(_short(t))))
                continue
            post_rows.append(tweet_row(t, observed, line, False))
            tweets.posts.primary += 1
    for u in _list(includes.get("users")):
        if isinstance(u, dict) and u.get("id") is not None:
            target.accounts.rows.append(user_row(u, observed, line, True))
    for t in _list(includes.get("tweets")):
        if isinstance(t, dict) and t.get("id") is not None:
            target.posts.rows.append(tweet_row(t, observed, line, True))


def _flat_tweet(t: dict, line: int, tweets: _Buffers, observed: int) -> None:
    tweets.read += 1
    tweets.posts.rows.append(tweet_row(t, observed, line, False))
    tweets.posts.primary += 1
    author = t.get("author")
    if isinstance(author, dict) and author.get("id") is not None:
        tweets.accounts.rows.append(user_row(author, observed, line, True))
    for ref in _list(t.get("referenced_tweets")):
        if isinstance(ref, dict) and "text" in ref and ref.get("id") is not None:
            tweets.posts.rows.append(tweet_row(ref, observed, line, True))
            ref_author = ref.get("author")
            if isinstance(ref_author, dict) and ref_author.get("id") is not None:
                tweets.accounts.rows.append(user_row(ref_author, observed, line, True))
