"""Bluesky (AT Protocol) API responses saved as JSON: feeds, threads, followers, repo records.

A file holds one response, a JSON array of them, or one response a line (pages of a paginated
call). Each response is recognised by its keys:

* ``feed`` - ``app.bsky.feed.getAuthorFeed`` (also ``getTimeline``, ``getFeed``,
  ``getActorLikes``): each ``feedViewPost`` is a primary record. Without a ``reason`` its
  ``post`` is the record. With ``reason.$type == app.bsky.feed.defs#reasonRepost`` the record is a
  **repost row**: ``author_id`` = ``reason.by.did``, ``created_at`` = ``reason.indexedAt``,
  ``referenced_id`` = the post's URI, ``post_id`` = ``reason.uri`` (the repost record) when the
  response has it, else ``repost:<by did>:<post uri>`` (one repost per account and post, so the
  id is stable across exports); the reposted post itself is a context row. ``reply.root`` and
  ``reply.parent`` posts are context rows too.
* ``thread`` - ``app.bsky.feed.getPostThread``: every post of the nested ``threadViewPost``
  tree (the anchor, its ``parent`` chain and all ``replies``) is a primary record; a
  ``notFoundPost`` / ``blockedPost`` node is a record that is rejected with its reason.
* ``posts`` - ``app.bsky.feed.getPosts``: each ``postView`` is a primary record.
* ``followers`` / ``follows`` with ``subject`` - ``app.bsky.graph.getFollowers`` / ``getFollows``:
  each listed profile is a primary record (an ``accounts`` row) and gives a follow edge to
  (from) the subject (``follows`` context rows). Edges are seen at ``as_of`` if given, else at
  the file's modification time (when the response was saved): the API gives no follow date.
* ``records`` - ``com.atproto.repo.listRecords`` of ``app.bsky.feed.post`` or
  ``app.bsky.feed.repost``: a post record becomes a post (no metrics: records carry none); a
  repost record a repost row whose ``referenced_id`` is ``subject.uri``. A repost record's
  ``via`` (the repost through which the account saw the post) is kept as ``via_id``, which
  :func:`roi.tables.conform` drops until the posts table has such a column.

Post rows: ``post_id`` = the ``at://`` URI, ``author_id`` = the author's DID, ``created_at`` =
``record.createdAt`` (else ``indexedAt``), ``text`` = ``record.text``, ``lang`` = the first of
``record.langs``; ``kind`` reply when ``record.reply`` (``referenced_id`` = parent URI,
``conversation_id`` = root URI), quote when the record embeds a record
(``app.bsky.embed.record`` / ``recordWithMedia``), else original (its own URI is its
conversation). Entities come from the record's ``facets`` (``#tag`` features and outline
``tags`` -> hashtags, casefolded; ``#mention`` -> the handle as written at the facet's UTF-8
byte range, else the handle known from the response's profiles, else the DID; ``#link`` and an
external embed -> urls). Metrics ``likeCount``, ``repostCount``, ``replyCount``, ``quoteCount``
(Bluesky publishes no view counts: ``impressions`` stays unknown). Every profile seen
(authors, reposters, followers, subjects) becomes an ``accounts`` row (context unless it is
the record), with ``followersCount`` / ``followsCount`` / ``postsCount`` where the response
has them (``profileViewDetailed``). Observations are at ``as_of``, else the file's mtime.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pandas as pd

from roi.io._base import ReadResult, Rejected, observed_time
from roi.io._csv import with_accounting
from roi.io._json import iter_json, raw_text
from roi.tables import conform
from roi.text import retweet_texts

__all__ = ["read", "CHUNK_RECORDS", "post_fields", "manual_reposts"]

PLATFORM = "bluesky"
CHUNK_RECORDS = 20_000
REASON_REPOST = "app.bsky.feed.defs#reasonRepost"
_TAG = "app.bsky.richtext.facet#tag"
_MENTION = "app.bsky.richtext.facet#mention"
_LINK = "app.bsky.richtext.facet#link"
_POST = "app.bsky.feed.post"
_REPOST = "app.bsky.feed.repost"


def _raw(value: Any) -> str:
    return raw_text(orjson.dumps(value))


class _Chunk:
    """Rows of one chunk: posts, accounts, follows with their record index and context flag."""

    def __init__(self, observed):
        self.observed = observed
        self.posts: list[dict] = []
        self.accounts: list[dict] = []
        self.follows: list[dict] = []
        self.rejected: list[Rejected] = []
        self.read = 0
        self.primary = "posts"
        self.handles: dict[str, str] = {}

    # -- accounts
    def account(self, profile: Any, record: int, *, context: bool = True) -> str | None:
        if not isinstance(profile, dict) or not profile.get("did"):
            return None
        did = profile["did"]
        if profile.get("handle"):
            self.handles[did] = profile["handle"]
        self.accounts.append({
            "platform": PLATFORM, "account_id": did, "handle": profile.get("handle"),
            "display_name": profile.get("displayName"), "description": profile.get("description"),
            "created_at": profile.get("createdAt"), "followers_count": profile.get("followersCount"),
            "following_count": profile.get("followsCount"), "posts_count": profile.get("postsCount"),
            "observed_at": self.observed, "_line": record, "_context": context,
        })
        return did

    # -- posts
    def post_view(self, view: Any, record: int, *, context: bool) -> bool:
        """Add a postView; False (and nothing added) when it lacks the required fields."""
        if not isinstance(view, dict) or not view.get("uri"):
            return False
        author = self.account(view.get("author"), record)
        rec = view.get("record") if isinstance(view.get("record"), dict) else {}
        created = rec.get("createdAt") or view.get("indexedAt")
        if not (author and created):
            return False
        row = post_fields(view["uri"], rec, self.handles, embed_view=view.get("embed"))
        row.update({
            "author_id": author, "created_at": created,
            "likes": view.get("likeCount"), "reposts": view.get("repostCount"),
            "replies": view.get("replyCount"), "quotes": view.get("quoteCount"),
            "metrics_observed_at": self.observed, "_line": record, "_context": context,
        })
        self.posts.append(row)
        return True

    def _times_checked(self, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Reject a post whose time is not a time, with the value (one record, not the file).

        An account's unreadable ``createdAt`` is left unknown.
        """
        if "created_at" not in frame.columns or not len(frame):
            return frame
        raw = frame["created_at"]
        parsed = pd.to_datetime(raw, utc=True, format="ISO8601", errors="coerce")
        bad = (raw.notna() & parsed.isna()).to_numpy(dtype=bool)
        if not bad.any():
            return frame
        if name != "posts":
            return frame.assign(created_at=raw.where(~bad, None))
        for _, row in frame[bad].iterrows():
            if not row["_context"]:
                self.rejected.append(Rejected(int(row["_line"]), f"createdAt {row['created_at']!r} is not a time",
                                              _raw({"uri": row.get("post_id"), "createdAt": row["created_at"]})))
        return frame[~bad].reset_index(drop=True)

    def result(self) -> ReadResult:
        tables = {}
        for name, rows in (("posts", self.posts), ("accounts", self.accounts), ("follows", self.follows)):
            frame = pd.DataFrame(rows) if rows else pd.DataFrame({"_line": [], "_context": []})
            frame = self._times_checked(name, frame)
            lines = frame["_line"].to_numpy()
            context = frame["_context"].to_numpy(dtype=bool)
            if name == "posts" and len(frame):
                frame = frame.assign(manual_repost=manual_reposts(frame))
            table = conform(name, frame.assign(platform=PLATFORM) if len(frame) else frame)
            if "via_id" in frame.columns and name == "posts":
                table["via_id"] = frame["via_id"].astype("string").to_numpy()
            tables[name] = with_accounting(table, lines, context=False).assign(_context=context)
        return ReadResult(tables=tables, rejected=self.rejected, read=self.read, primary=self.primary)


def manual_reposts(posts: pd.DataFrame) -> np.ndarray:
    """Which posts are manual reposts: "RT @user:" text on a post that is not a platform repost.

    Parameters
    ----------
    posts : DataFrame
        Post rows with ``text`` and ``kind`` (either may be missing).

    Returns
    -------
    ndarray of bool
        One flag a row (see ``manual_repost`` in :mod:`roi.tables`).

    Examples
    --------
    >>> manual_reposts(pd.DataFrame({"text": ["RT @a: hi", "hi"], "kind": ["original", "original"]})).tolist()
    [True, False]
    """
    text = posts["text"].astype("string") if "text" in posts else pd.Series(pd.NA, index=posts.index, dtype="string")
    kind = posts["kind"].astype("string") if "kind" in posts else pd.Series(pd.NA, index=posts.index, dtype="string")
    return retweet_texts(text) & (kind != "repost").fillna(True).to_numpy(dtype=bool)


def post_fields(uri: str, rec: dict, handles: dict[str, str], *, embed_view: Any = None) -> dict:
    """Return the post columns an ``app.bsky.feed.post`` record gives (see the module docstring).

    Parameters
    ----------
    uri : str
        The post's ``at://`` URI (its ``post_id``).
    rec : dict
        The record: ``text``, ``facets``, ``tags``, ``embed``, ``reply``, ``langs``.
    handles : dict
        Handles known by DID, for mentions whose text does not spell the handle.
    embed_view : optional
        The API's embed view (unused: the record's ``embed`` says what is quoted).

    Returns
    -------
    dict
        ``post_id``, ``text``, ``lang``, ``kind``, ``referenced_id``, ``conversation_id``,
        ``hashtags``, ``mentions``, ``urls`` (no author, date or metrics).

    Examples
    --------
    >>> row = post_fields("at://did:plc:a/app.bsky.feed.post/1", {"text": "hi", "langs": ["en", "de"],
    ...     "reply": {"parent": {"uri": "at://p"}, "root": {"uri": "at://r"}}}, {})
    >>> row["kind"], row["referenced_id"], row["conversation_id"], row["lang"]
    ('reply', 'at://p', 'at://r', 'en')
    """
    text = rec.get("text")
    hashtags, mentions, urls = [], [], []
    encoded = text.encode("utf-8") if isinstance(text, str) else b""
    for facet in rec.get("facets") or []:
        index = facet.get("index") or {}
        for feature in facet.get("features") or []:
            kind = feature.get("$type")
            if kind == _TAG and feature.get("tag"):
                hashtags.append(str(feature["tag"]).lstrip("#").casefold())
            elif kind == _MENTION and feature.get("did"):
                written = encoded[index.get("byteStart", 0):index.get("byteEnd", 0)].decode("utf-8", "replace")
                handle = written.lstrip("@") if written.startswith("@") and len(written) > 1 else None
                mentions.append((handle or handles.get(feature["did"]) or feature["did"]).casefold())
            elif kind == _LINK and feature.get("uri"):
                urls.append(feature["uri"])
    hashtags += [str(t).lstrip("#").casefold() for t in rec.get("tags") or [] if t]
    embed = rec.get("embed") if isinstance(rec.get("embed"), dict) else {}
    etype = embed.get("$type", "")
    quoted = None
    if etype == "app.bsky.embed.record":
        quoted = (embed.get("record") or {}).get("uri")
    elif etype == "app.bsky.embed.recordWithMedia":
        quoted = ((embed.get("record") or {}).get("record") or {}).get("uri")
    elif etype == "app.bsky.embed.external":
        ext = (embed.get("external") or {}).get("uri")
        if ext and ext not in urls:
            urls.append(ext)
    reply = rec.get("reply") if isinstance(rec.get("reply"), dict) else None
    if reply:
        kind, referenced = "reply", (reply.get("parent") or {}).get("uri")
        conversation = (reply.get("root") or {}).get("uri") or referenced
    elif quoted:
        kind, referenced, conversation = "quote", quoted, uri
    else:
        kind, referenced, conversation = "original", None, uri
    langs = rec.get("langs") or []
    return {"post_id": uri, "text": text, "lang": langs[0] if langs else None, "kind": kind,
            "referenced_id": referenced, "conversation_id": conversation,
            "hashtags": hashtags, "mentions": mentions, "urls": urls}


def read(path: Path, *, as_of: pd.Timestamp | None = None) -> Iterator[ReadResult]:
    """Read saved Bluesky API responses in chunks of canonical rows.

    Parameters
    ----------
    path : Path
        Saved API responses: one response, a JSON array of them, or one response a line.
    as_of : Timestamp, optional
        When profiles, metrics and follow edges were observed (default: the file's mtime).

    Yields
    ------
    ReadResult
        Feeds, threads, posts and repo records: ``posts`` primary; followers/follows:
        ``accounts`` primary with ``follows`` as context.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "followers.json"
    >>> _ = p.write_bytes(orjson.dumps({"subject": {"did": "did:plc:brand", "handle": "acme.com"},
    ...     "followers": [{"did": "did:plc:a", "handle": "a.bsky.social"}]}))
    >>> r = next(read(p, as_of=pd.Timestamp("2026-10-05")))
    >>> r.read, r.tables["follows"][["follower_id", "followee_id"]].values.tolist()
    (1, [['did:plc:a', 'did:plc:brand']])
    """
    observed = observed_time(path, as_of)
    chunk = _Chunk(observed)
    counter = [0]

    def next_record() -> int:
        counter[0] += 1
        return counter[0]

    for item in iter_json(path):
        if item.error is not None:
            chunk.read += 1
            chunk.rejected.append(Rejected(next_record(), f"line {item.line}: {item.error}", raw_text(item.raw)))
            continue
        page = item.value
        primary = "accounts" if isinstance(page, dict) and (
            isinstance(page.get("followers"), list) or isinstance(page.get("follows"), list)) else "posts"
        if primary != chunk.primary:
            if chunk.read:
                yield chunk.result()
                handles, chunk = chunk.handles, _Chunk(observed)
                chunk.handles = handles
            chunk.primary = primary
        if not isinstance(page, dict):
            chunk.read += 1
            chunk.rejected.append(Rejected(next_record(), "not a Bluesky API response object", _raw(page)))
        elif isinstance(page.get("feed"), list):
            for entry in page["feed"]:
                _feed_item(chunk, entry, next_record())
        elif "thread" in page:
            _thread(chunk, page["thread"], next_record)
        elif isinstance(page.get("posts"), list):
            for view in page["posts"]:
                record = next_record()
                chunk.read += 1
                if not chunk.post_view(view, record, context=False):
                    chunk.rejected.append(Rejected(record, "postView without uri, author or createdAt", _raw(view)))
        elif isinstance(page.get("followers"), list) or isinstance(page.get("follows"), list):
            _graph(chunk, page, next_record)
        elif isinstance(page.get("records"), list):
            for entry in page["records"]:
                _repo_record(chunk, entry, next_record())
        else:
            chunk.read += 1
            chunk.rejected.append(Rejected(next_record(), "JSON object with none of feed, thread, posts, "
                                           "followers, follows, records: not a Bluesky response", _raw(page)))
        if chunk.read >= CHUNK_RECORDS:
            yield chunk.result()
            handles, chunk = chunk.handles, _Chunk(observed)
            chunk.handles = handles
    yield chunk.result()


def _feed_item(chunk: _Chunk, entry: Any, record: int) -> None:
    chunk.read += 1
    if not isinstance(entry, dict) or not isinstance(entry.get("post"), dict):
        chunk.rejected.append(Rejected(record, "feed item without a post", _raw(entry)))
        return
    reply = entry.get("reply") if isinstance(entry.get("reply"), dict) else {}
    for key in ("root", "parent"):
        if isinstance(reply.get(key), dict) and reply[key].get("author"):
            chunk.post_view(reply[key], record, context=True)
    reason = entry.get("reason") if isinstance(entry.get("reason"), dict) else None
    if reason and reason.get("$type") == REASON_REPOST:
        post = entry["post"]
        by = chunk.account(reason.get("by"), record)
        if not (by and post.get("uri") and reason.get("indexedAt")):
            chunk.rejected.append(Rejected(record, "reasonRepost without by.did, indexedAt or post uri", _raw(entry)))
            return
        chunk.post_view(post, record, context=True)
        chunk.posts.append({
            "post_id": reason.get("uri") or f"repost:{by}:{post['uri']}", "author_id": by,
            "created_at": reason["indexedAt"], "kind": "repost", "referenced_id": post["uri"],
            "hashtags": [], "mentions": [], "urls": [], "_line": record, "_context": False,
        })
        return
    if not chunk.post_view(entry["post"], record, context=False):
        chunk.rejected.append(Rejected(record, "postView without uri, author or createdAt", _raw(entry)))


def _thread(chunk: _Chunk, node: Any, next_record) -> None:
    """Walk a threadViewPost: the parent chain upwards, then the node, then replies depth-first."""
    stack, parents = [node], []
    parent = node.get("parent") if isinstance(node, dict) else None
    while isinstance(parent, dict):
        parents.append(parent)
        parent = parent.get("parent")
    for p in reversed(parents):
        _thread_node(chunk, p, next_record())
    while stack:
        current = stack.pop()
        _thread_node(chunk, current, next_record())
        if isinstance(current, dict):
            stack.extend(reversed([r for r in current.get("replies") or []]))


def _thread_node(chunk: _Chunk, node: Any, record: int) -> None:
    chunk.read += 1
    if isinstance(node, dict) and node.get("notFound"):
        chunk.rejected.append(Rejected(record, f"post not found (deleted?): {node.get('uri')}", _raw(node)))
    elif isinstance(node, dict) and node.get("blocked"):
        chunk.rejected.append(Rejected(record, f"post blocked for the viewer: {node.get('uri')}", _raw(node)))
    elif not (isinstance(node, dict) and chunk.post_view(node.get("post"), record, context=False)):
        light = {k: v for k, v in node.items() if k not in ("replies", "parent")} if isinstance(node, dict) else node
        chunk.rejected.append(Rejected(record, "thread node without a readable post", _raw(light)))


def _graph(chunk: _Chunk, page: dict, next_record) -> None:
    followers = isinstance(page.get("followers"), list)
    people = page["followers"] if followers else page["follows"]
    subject_did = None
    for profile in people:
        record = next_record()
        if subject_did is None:  # the subject is context, listed with the first record
            subject_did = chunk.account(page.get("subject"), record)
        chunk.read += 1
        did = chunk.account(profile, record, context=False)
        if did is None:
            chunk.rejected.append(Rejected(record, "profile without a did", _raw(profile)))
            continue
        if subject_did is None or did == subject_did:
            continue  # no subject (no edge to draw) or an account listed as its own follower
        edge = (did, subject_did) if followers else (subject_did, did)
        chunk.follows.append({"follower_id": edge[0], "followee_id": edge[1], "first_seen": chunk.observed,
                              "last_seen": chunk.observed, "_line": record, "_context": True})


def _repo_record(chunk: _Chunk, entry: Any, record: int) -> None:
    chunk.read += 1
    value = entry.get("value") if isinstance(entry, dict) else None
    uri = entry.get("uri") if isinstance(entry, dict) else None
    if not (isinstance(value, dict) and isinstance(uri, str) and uri.startswith("at://")):
        chunk.rejected.append(Rejected(record, "repo record without an at:// uri and a value", _raw(entry)))
        return
    author = uri[len("at://"):].split("/", 1)[0]
    rtype = value.get("$type")
    if rtype == _POST and value.get("createdAt"):
        row = post_fields(uri, value, chunk.handles)
        row.update({"author_id": author, "created_at": value["createdAt"], "_line": record, "_context": False})
        chunk.posts.append(row)
    elif rtype == _REPOST and isinstance(value.get("subject"), dict) and value.get("createdAt"):
        subject = value["subject"].get("uri")
        via = value.get("via") if isinstance(value.get("via"), dict) else {}
        chunk.posts.append({"post_id": uri, "author_id": author, "created_at": value["createdAt"],
                            "kind": "repost", "referenced_id": subject, "hashtags": [], "mentions": [],
                            "urls": [], "via_id": via.get("uri"), "_line": record, "_context": False})
    else:
        chunk.rejected.append(Rejected(record, f"repo record of type {rtype!r} is not a post or repost "
                                       "(or lacks createdAt)", _raw(entry)))
