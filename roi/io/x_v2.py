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
  ``as_of`` (else the page's ``__twarc.retrieved_at``). A page saved without ``__twarc`` (a raw
  API response) names no followee: ``followee=`` (``roi ingest --followee``) or a file named
  ``followers-of-<id or handle>.json(l)`` gives it, else the users are read without edges and a
  note says so;
* direct-message events (``dm_events``) are skipped with a note: they are not posts.

A tweet without ``created_at`` or an author, or with an id that is not text or an integer, is
rejected with the reason (an included copy of one is left out); so is a tweet of unexpected shape.

Mapping: ``kind`` from ``referenced_tweets`` (retweeted -> repost, replied_to -> reply,
quoted -> quote; a reply that also quotes is a reply, its thread parent); metrics from
``public_metrics``; impressions and link clicks from ``non_public_metrics`` (else
``organic_metrics``, else the public ``impression_count``, which X only counts for tweets from
December 2022 on: an earlier tweet's public 0 is unknown, not zero); hashtags, mentions and
expanded URLs from ``entities`` (a retweet's leading ``RT @user:`` is not a mention; ``RT @user:``
text with no retweet reference is a manual retweet, ``manual_repost``, whose mentions count);
``metrics_observed_at`` from ``__twarc.retrieved_at``, else ``as_of``, else the file's modification
time.

Why one module: one reader knows every X API v2 shape and refuses an unknown one (as twarc's
``ensure_flattened`` does), so the shapes are checked in one place; the Arrow fast path for the
bulk of large files lives beside it in :mod:`roi.io._x_v2_arrow`.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow.compute as pc

from roi.io._base import ReadResult, Rejected, in_reading_order, observed_time
from roi.io._json import LATIN1_NOTE, JsonItem, iter_json, iter_lines, raw_text
from roi.io._rows import RowBuffer, iso_to_us
from roi.text import is_retweet_text

__all__ = ["read", "missing_fields", "superseded_by", "is_direct_message", "row_or_reason", "MALFORMED_ERRORS", "POST_FIELDS",
           "ACCOUNT_FIELDS", "FOLLOW_FIELDS", "CHUNK_SIZE"]

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
    ("metrics_observed_at", "us"), ("manual_repost", "bool"),
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
    """Return an id as text: a string, or an integer's digits; None for anything else.

    A float gets None too: it has lost its digits.
    """
    if isinstance(value, str):
        return value
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else None


# What a record of unexpected shape raises while its row is built (a list where text was expected...).
MALFORMED_ERRORS = (TypeError, AttributeError, KeyError, ValueError, IndexError)


def row_or_reason(build: Callable[..., tuple], *args: Any) -> tuple[tuple | None, str | None]:
    """``build(*args)``, or (None, why) when the record is not of the shape the API documents."""
    try:
        return build(*args), None
    except MALFORMED_ERRORS as exc:
        return None, f"malformed record ({type(exc).__name__}: {exc})"


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
    # "RT @user:" text the API records no retweet for: a manual retweet, the author's own post.
    manual = kind != "repost" and is_retweet_text(text)
    return (
        _id(t.get("id")), _author_id(t), t.get("created_at"), text, t.get("lang"), kind, _id(ref),
        _id(t.get("conversation_id")), hashtags, mentions, urls, impressions, pm.get("like_count"),
        pm.get("retweet_count"), pm.get("reply_count"), pm.get("quote_count"), link_clicks, observed,
        manual, line, context, t,
    )


def is_direct_message(d: Any) -> bool:
    """Whether a JSON object is a direct message (v1.1 DM, v1.1 DM event or v2 ``dm_events`` item).

    >>> is_direct_message({"type": "message_create", "id": "1"}), is_direct_message({"id_str": "1", "text": "hi"})
    (True, False)
    """
    if not isinstance(d, dict):
        return False
    return (d.get("type") == "message_create" or "message_create" in d or "dm_conversation_id" in d
            or d.get("event_type") in ("MessageCreate", "ParticipantsJoin", "ParticipantsLeave")
            or ("recipient_id" in d and "sender_id" in d) or ("recipient" in d and "sender" in d))


def _author_id(t: dict) -> str | None:
    author = t.get("author_id")
    if author is None and isinstance(t.get("author"), dict):
        author = t["author"].get("id")
    return _id(author)


def missing_fields(t: dict) -> str | None:
    """Why a v2 tweet cannot be stored (no ``created_at`` or no author), or None when it can.

    >>> missing_fields({"id": "1", "text": "hi"})
    'no created_at and no author_id (request them: tweet.fields=created_at,author_id)'
    >>> missing_fields({"id": "1", "text": "hi", "created_at": "2021-01-01T00:00:00Z", "author": {"id": "9"}}) is None
    True
    """
    if _id(t.get("id")) is None:
        return (f"id {t.get('id')!r} is not an exact id (text or an integer; a number saved as a float "
                "has lost digits)")
    missing = [name for name, value in (("created_at", t.get("created_at")), ("author_id", _author_id(t)))
               if value is None or value == ""]
    if not missing:
        return None
    return f"no {' and no '.join(missing)} (request them: tweet.fields=created_at,author_id)"


def superseded_by(t: dict) -> str | None:
    """Return the id of a later version of an edited tweet; None for its latest version (or unedited).

    X keeps every version of an edited post under its own id, each listing the whole chain oldest
    first: v2 ``edit_history_tweet_ids``, v1.1 ``edit_controls.edit_tweet_ids``, the archive's
    ``edit_info`` (``initial.editTweetIds``, or ``edit.editControlInitial.editTweetIds`` on a later
    version). Only the latest version is one post; counting the others too would count an edited
    post once per version, most of them with none of its likes.

    >>> superseded_by({"id": "1", "edit_history_tweet_ids": ["1", "2"]})
    '2'
    >>> superseded_by({"id": "2", "edit_history_tweet_ids": ["1", "2"]}) is None
    True
    >>> superseded_by({"id_str": "1", "edit_info": {"initial": {"editTweetIds": ["1", "5"]}}})
    '5'
    """
    chain = t.get("edit_history_tweet_ids")
    if not isinstance(chain, list):
        controls = t.get("edit_controls")
        chain = controls.get("edit_tweet_ids") if isinstance(controls, dict) else None
    if not isinstance(chain, list):
        info = t.get("edit_info")
        if isinstance(info, dict):
            first = info.get("initial")
            if not isinstance(first, dict) and isinstance(info.get("edit"), dict):
                first = info["edit"].get("editControlInitial")
            chain = first.get("editTweetIds") if isinstance(first, dict) else None
    if not isinstance(chain, list) or len(chain) < 2:
        return None
    latest, own = _id(chain[-1]), _id(t.get("id_str")) or _id(t.get("id"))
    return latest if latest is not None and own is not None and latest != own else None


def superseded_reason(latest: str) -> str:
    """Why an earlier version of an edited post is not stored (see :func:`superseded_by`)."""
    return f"an earlier version of a post edited later: only its latest version ({latest}) is counted"


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
        self.direct_messages = 0

    def result(self, notes: list[str]) -> ReadResult:
        tables, rejected = {}, list(self.rejected)
        for name in ("posts", "accounts", "follows"):
            buf = getattr(self, name)
            if len(buf):
                tables[name], bad = buf.frame()
                rejected.extend(bad)
        if self.direct_messages:
            notes = [*notes, f"{self.direct_messages:,} direct message event(s) skipped: private conversations, "
                             "not posts"]
        res = ReadResult(tables=tables, rejected=sorted(rejected, key=lambda r: r.line or 0),
                         read=self.read, primary=self.primary, notes=list(notes))
        self.read, self.rejected, self.direct_messages = 0, [], 0
        return res


def read(path: Any, *, as_of: Any = None, followee: str | None = None,
         resolve_handle: Callable[[str], str | None] | None = None, chunk_size: int = CHUNK_SIZE,
         fast: bool = True) -> Iterator[ReadResult]:
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
    followee : str, optional
        For user pages saved without ``__twarc`` (raw API responses): the account whose followers
        they list, as a numeric id or a handle that the file's own users or tweets resolve.
        Without it, a file named ``followers-of-<id or handle>.json(l)`` (or ``following-of-``)
        says it; else such pages give accounts and no edges, and a note says why.
    resolve_handle : callable, optional
        ``resolve_handle(handle) -> account id or None`` for a followee given by handle that the
        file does not resolve (ingest looks it up in the store's accounts).

    Yields
    ------
    ReadResult
        ``primary`` is ``"posts"`` for tweets and ``"accounts"`` for user pages.
    """
    now_us = int(dt.datetime.now(dt.UTC).timestamp() * 1_000_000)
    as_of_us = iso_to_us(as_of.isoformat()) if as_of is not None else None
    file_time = observed_time(path) if isinstance(path, (str, Path)) else None
    # No retrieval time in a record: as_of, else when the file was saved, else now.
    fallback_us = as_of_us if as_of_us is not None else (
        int(file_time.value // 1000) if file_time is not None else now_us)
    observed_cache: dict[str, int] = {}
    follow = _follow_target(path, followee)
    if follow.account_id is None and follow.who and resolve_handle is not None:
        follow.account_id = resolve_handle(follow.who)
    shape = _fast_shape(path) if fast else None
    if shape is not None:
        yield from _read_blocks(path, fallback_us, as_of_us, observed_cache, chunk_size, flat=shape == "flat",
                                follow=follow)
    else:
        yield from _read_items(iter_json(path), fallback_us, as_of_us, observed_cache, chunk_size, follow=follow)
    yield from follow.finish()


_FOLLOW_NAME = re.compile(r"^(followers|following)-of-@?([A-Za-z0-9_]+)\.(?:json|jsonl|ndjson)(?:\.gz)?$",
                          re.IGNORECASE)


class _FollowTarget:
    """Whose follower (or following) list the user pages of a file are, when no ``__twarc.url`` says.

    ``direction`` is ``followers`` / ``following`` (None: nothing names a target); ``who`` a
    numeric id or a handle, whose id is taken from the first user or author of the file with
    that handle. Edges wait in ``held`` until the id is known; :meth:`finish` emits them, or a
    note saying why no edges were made.
    """

    def __init__(self, direction: str | None, who: str | None, origin: str):
        self.direction, self.who, self.origin = direction, (who or "").lstrip("@"), origin
        self.account_id = self.who if self.who.isdigit() else None
        self.held: list[tuple[str, int, int]] = []  # (user id, seen, line)
        self.pages_without_target = 0

    def edge(self, uid: str, seen: int, line: int, rows: list) -> None:
        if self.direction is None:
            return
        if self.account_id is None:
            self.held.append((uid, seen, line))
        else:
            rows.append((*self._pair(uid), seen, seen, line, True, None))

    def _pair(self, uid: str) -> tuple[str, str]:
        return (uid, self.account_id) if self.direction == "followers" else (self.account_id, uid)

    def saw_user(self, u: dict) -> None:
        if self.account_id is None and self.who and str(u.get("username") or "").casefold() == self.who.casefold():
            self.account_id = _id(u.get("id"))

    def finish(self) -> Iterator[ReadResult]:
        if self.direction is None:
            if self.pages_without_target:
                yield ReadResult(read=0, primary="accounts", notes=[
                    f"{self.pages_without_target:,} page(s) of users without __twarc.url: if they list someone's "
                    "followers, no follow edges were made; give --followee ID, or name the file "
                    "followers-of-<id>.jsonl"])
            return
        if not self.held:
            return
        if self.account_id is None:
            yield ReadResult(read=0, primary="accounts", notes=[
                f"{len(self.held):,} follow edge(s) not made: {self.origin} names @{self.who}, whose account id "
                "neither this file nor the store gives; give --followee with the numeric id"])
            return
        buf = RowBuffer("follows", FOLLOW_FIELDS, constants={"platform": PLATFORM})
        buf.rows.extend((*self._pair(uid), seen, seen, line, True, None) for uid, seen, line in self.held)
        frame, _ = buf.frame()
        yield ReadResult(tables={"follows": frame}, read=0, primary="accounts")


def _follow_target(path: Any, followee: str | None) -> _FollowTarget:
    """Return the follow target given by ``followee``, else by the file name, else none.

    >>> _follow_target("followers-of-acme.jsonl", None).who, _follow_target("x.json", "@42").account_id
    ('acme', '42')
    """
    if followee:
        return _FollowTarget("followers", str(followee), f"--followee {followee}")
    name = Path(str(path)).name
    m = _FOLLOW_NAME.match(name)
    if m:
        return _FollowTarget(m.group(1).lower(), m.group(2), f"the file name {name}")
    return _FollowTarget(None, None, "")


def _fast_shape(path: Any) -> str | None:
    """Return ``"pages"`` or ``"flat"`` for a plain JSON Lines file of twarc2 pages or flattened tweets.

    The file must not be gzipped, and its first line must be a twarc2 page with a data list or a
    flattened tweet; None for anything else (read record by record).
    """
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
                 chunk_size: int, *, flat: bool = False, follow: _FollowTarget | None = None) -> Iterator[ReadResult]:
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
                yield from _read_items(iter_lines(io.BytesIO(block), line - 1), fallback_us, as_of_us, cache,
                                       chunk_size, follow=follow)
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
    """Split a block's rows (Arrow tables) into chunks of about ``chunk_size`` records.

    Chunks are cut between lines (pages).
    """
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
                chunk_size: int, *, follow: _FollowTarget | None = None) -> Iterator[ReadResult]:
    follow = follow if follow is not None else _FollowTarget(None, None, "")
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
                _record(element, line, tweets, users, fallback_us, as_of_us, observed_cache, follow)
        else:
            _record(value, line, tweets, users, fallback_us, as_of_us, observed_cache, follow)
        if tweets.posts.primary >= chunk_size or tweets.read >= chunk_size:
            yield tweets.result(_latin1_notes(latin1_lines, notes))
        if users.accounts.primary >= chunk_size:
            yield users.result(_latin1_notes(latin1_lines, notes))
    if tweets.read or len(tweets.posts) or len(tweets.accounts) or tweets.direct_messages:
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
    if not retrieved or not isinstance(retrieved, str):
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
            as_of_us: int | None, cache: dict[str, int], follow: _FollowTarget) -> None:
    if not isinstance(value, dict):
        tweets.read += 1
        tweets.rejected.append(Rejected(line, f"line {line}: expected a JSON object (a tweet, user or "
                                              f"twarc2 page), got {type(value).__name__}", raw_text(str(value))))
        return
    observed = _observed(value, fallback, cache)
    if "data" in value:
        _page(value, line, tweets, users, observed, as_of_us, follow)
    elif _is_tweet(value):
        _flat_tweet(value, line, tweets, observed)
    elif "id" in value and _is_user(value):
        users.read += 1
        row, why = row_or_reason(user_row, value, observed, line, False) if _id(value["id"]) else (None, "no usable id")
        if why is not None:
            users.rejected.append(Rejected(line, f"line {line}: user: {why}", raw_text(_short(value))))
            return
        users.accounts.rows.append(row)
        users.accounts.primary += 1
        follow.saw_user(value)
        meta = value.get("__twarc")
        if not (isinstance(meta, dict) and _FOLLOW_URL.search(meta.get("url") or "")):
            follow.edge(_id(value["id"]), as_of_us if as_of_us is not None else observed, line, users.follows.rows)
    elif is_direct_message(value):
        tweets.direct_messages += 1
    elif "errors" in value and not value.get("data"):
        pass  # an API page holding only errors (e.g. all requested ids deleted): no records
    else:
        tweets.read += 1
        keys = ", ".join(sorted(value)[:6])
        tweets.rejected.append(Rejected(
            line, f"line {line}: JSON object is not a tweet, user or twarc2 page (keys: {keys})",
            raw_text(_short(value))))


def _short(value: Any) -> str:
    import orjson

    return orjson.dumps(value).decode()


def _page(page: dict, line: int, tweets: _Buffers, users: _Buffers, observed: int, as_of_us: int | None,
          follow: _FollowTarget) -> None:
    data = page.get("data")
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        tweets.read += 1
        tweets.rejected.append(Rejected(line, f"line {line}: 'data' is neither a list nor an object",
                                        raw_text(_short(page))))
        return
    includes = page.get("includes") or _EMPTY
    is_user_page = bool(data) and all(isinstance(d, dict) and _is_user(d) for d in data)
    target = users if is_user_page else tweets
    if is_user_page:
        meta = page.get("__twarc")
        url = meta.get("url", "") if isinstance(meta, dict) else ""
        m = _FOLLOW_URL.search(url or "")
        seen = as_of_us if as_of_us is not None else observed
        if not isinstance(meta, dict) and follow.direction is None:  # a raw API response: no __twarc.url
            follow.pages_without_target += 1
        account_rows, follow_rows = users.accounts.rows, users.follows.rows
        for u in data:
            uid = _id(u.get("id"))
            users.read += 1
            if uid is None:
                users.rejected.append(Rejected(line, f"line {line}: user without an id", raw_text(_short(u))))
                continue
            row, why = row_or_reason(user_row, u, observed, line, False)
            if why is not None:
                users.rejected.append(Rejected(line, f"line {line}: user {uid}: {why}", raw_text(_short(u))))
                continue
            account_rows.append(row)
            users.accounts.primary += 1
            follow.saw_user(u)
            if m is not None:
                uid = _id(uid)
                pair = (uid, m.group(1)) if m.group(2) == "followers" else (m.group(1), uid)
                follow_rows.append((*pair, seen, seen, line, True, None))
            else:
                follow.edge(_id(uid), seen, line, follow_rows)
    else:
        post_rows = tweets.posts.rows
        for t in data:
            if is_direct_message(t):
                tweets.direct_messages += 1  # private, not a post: not a record of this source
                continue
            tweets.read += 1
            if not isinstance(t, dict) or t.get("id") is None or not ("text" in t or "author_id" in t):
                tweets.rejected.append(Rejected(
                    line, f"line {line}: an item of 'data' is not a tweet (no id/text)", raw_text(_short(t))))
                continue
            row, why = _tweet_record(t, observed, line)
            if why is not None:
                tweets.rejected.append(Rejected(line, f"line {line}: tweet {_id(t.get('id'))}: {why}",
                                                raw_text(_short(t))))
                continue
            post_rows.append(row)
            tweets.posts.primary += 1
    # Context rows (not records of the source): one that is malformed or lacks its time or author
    # is not stored, and not counted as rejected.
    for u in _items(includes, "users"):
        if isinstance(u, dict) and _id(u.get("id")) is not None:
            row, _ = row_or_reason(user_row, u, observed, line, True)
            if row is not None:
                target.accounts.rows.append(row)
                follow.saw_user(u)
    for t in _items(includes, "tweets"):
        if (isinstance(t, dict) and _id(t.get("id")) is not None and missing_fields(t) is None
                and superseded_by(t) is None):
            row, _ = row_or_reason(tweet_row, t, observed, line, True)
            if row is not None:
                target.posts.rows.append(row)


def _tweet_record(t: dict, observed: int, line: int) -> tuple[tuple | None, str | None]:
    """Return a tweet record's row, or why it cannot be stored.

    A record cannot be stored with no time or author, a bad id, or a malformed shape.
    """
    why = missing_fields(t)
    if why is None and (latest := superseded_by(t)) is not None:
        why = superseded_reason(latest)
    return (None, why) if why is not None else row_or_reason(tweet_row, t, observed, line, False)


def _items(includes: Any, name: str) -> list:
    """``includes[name]`` when it is a list, else nothing (an expansion of unexpected shape is skipped)."""
    items = includes.get(name) if isinstance(includes, dict) else None
    return items if isinstance(items, list) else []


def _flat_tweet(t: dict, line: int, tweets: _Buffers, observed: int) -> None:
    tweets.read += 1
    row, why = _tweet_record(t, observed, line)
    if why is not None:
        tweets.rejected.append(Rejected(line, f"line {line}: tweet {_id(t.get('id'))}: {why}", raw_text(_short(t))))
        return
    tweets.posts.rows.append(row)
    tweets.posts.primary += 1
    context: list[tuple[RowBuffer, Callable[..., tuple], dict]] = []
    author = t.get("author")
    if isinstance(author, dict) and _id(author.get("id")) is not None:
        context.append((tweets.accounts, user_row, author))
    refs = t.get("referenced_tweets")
    for ref in refs if isinstance(refs, list) else ():
        if (isinstance(ref, dict) and "text" in ref and _id(ref.get("id")) is not None and missing_fields(ref) is None
                and superseded_by(ref) is None):
            context.append((tweets.posts, tweet_row, ref))
            ref_author = ref.get("author")
            if isinstance(ref_author, dict) and _id(ref_author.get("id")) is not None:
                context.append((tweets.accounts, user_row, ref_author))
    for buf, build, value in context:  # context rows: a malformed one is left out, not rejected
        row, _ = row_or_reason(build, value, observed, line, True)
        if row is not None:
            buf.rows.append(row)
