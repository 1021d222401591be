"""Mastodon account export (ActivityStreams JSON): ``outbox.json``, ``actor.json``, ``likes.json``.

Each file is read on its own (ingest hands them over one by one) and recognised by content:

* **outbox** (an ``OrderedCollection`` of activities) - primary records are its ``orderedItems``,
  *all* of them (the real export this was built on lists 1,586 items while ``totalItems`` says
  1557; a note reports such a mismatch):

  - ``Create`` of a ``Note`` (also ``Question``, ``Article``, ``Page``) -> a post: ``post_id`` the
    note's id URL, ``author_id`` its ``attributedTo`` (the actor's id URL), ``text`` from the HTML
    ``content`` (:func:`roi.text.html_to_text`), ``lang`` the ``contentMap`` key, ``kind`` reply
    when ``inReplyTo`` is set (``referenced_id`` = that URL), quote when a ``quote``/``quoteUri``
    is set, else original; a **content warning** (the note's ``summary``, shown before the
    post and often the very words a complaint is in: "late delivery, again") leads the text as
    ``"CW: <warning>"`` and a blank line, then the body - Mastodon's own search reads the warning
    with the body, and so do listening, topics and the report; hashtags written in the warning
    count too; ``conversation_id`` Mastodon's ``conversation`` thread URI (an opaque
    thread id, not a post id); hashtags and mentions from the note's ``tag`` list (``Hashtag``
    ``#Name`` -> ``name``; ``Mention`` ``@user@host`` -> ``user@host``, casefolded: the canonical
    Mastodon handle, unambiguous across servers); ``urls`` the ``<a href>`` links of the content
    that are not mention or hashtag links; ``likes``/``reposts``/``replies`` from the ``likes``,
    ``shares`` and ``replies`` collections' ``totalItems`` where the export has them (else
    unknown, never zero);
  - ``Announce`` (a boost) -> a ``repost`` row: ``post_id`` the activity id, ``author_id`` the
    actor, ``referenced_id`` the boosted post's URL (``object``), no text, no metrics;
  - anything else (``Delete``, ``Update``, a ``Create`` whose object is only a URL, ...) is
    rejected with its index and reason;
  - a direct message (a note addressed neither to the public nor to followers: the export holds
    them too) is skipped, counted in a note, never read as a post.

  Mentioned accounts, and the owner (the activities' ``actor``), become ``accounts`` context rows
  (id URL + ``user@host`` handle; the owner's taken from its URL when no actor file is read).
* **bare outbox** - the same activities saved as a JSON array, without the collection around them
  (some tools and hand-saved outboxes do this): recognised by content (its first objects are
  ``Create``/``Announce`` activities by an actor, see :func:`is_activity_list`) and read exactly
  like an outbox's ``orderedItems``.
* **actor** (``Person``/``Service``/...) - one ``accounts`` row: id URL, handle
  ``preferredUsername@host``, ``name``, ``summary`` as text, ``published``, and follower /
  following / post counts when they are given as collections with ``totalItems``.
* **likes** (and **bookmarks**): a collection of post URLs the account liked. These are the
  account's *outgoing* likes; roi has no table for them, so nothing is ingested and ``read`` is
  0; the chunk's note says how many were skipped.

``observed_at`` / ``metrics_observed_at`` are ``as_of`` if given, else the file's modification
time (when the export was written). Record indices are 1-based positions in ``orderedItems``.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import pandas as pd

from roi.errors import InputError
from roi.io._base import ReadResult, Rejected, observed_time
from roi.io._csv import with_accounting
from roi.tables import conform
from roi.text import extract_hashtags, html_to_text, retweet_texts

__all__ = ["read", "mention_handle", "content_warning", "CW_PREFIX", "is_activity", "is_activity_list", "CHUNK_ITEMS"]

PLATFORM = "mastodon"
CHUNK_ITEMS = 20_000
_NOTE_TYPES = {"Note", "Question", "Article", "Page"}
_PUBLIC = {"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"}
_ACTOR_TYPES = {"Person", "Service", "Application", "Group", "Organization"}
_RECORD_LIMIT = 4096
CW_PREFIX = "CW: "  # how a content warning leads a post's text


def mention_handle(name: str | None, href: str | None = None) -> str | None:
    """Return the canonical handle of a Mastodon mention: ``user@host``, casefolded.

    A local mention written ``@user`` takes its host from the account URL.

    Examples
    --------
    >>> mention_handle("@Mcg@Social.lol")
    'mcg@social.lol'
    >>> mention_handle("@bob", "https://indieweb.social/users/bob")
    'bob@indieweb.social'
    """
    if not name:
        return None
    handle = name.lstrip("@")
    if "@" not in handle and href:
        host = urlsplit(href).hostname
        if host:
            handle = f"{handle}@{host}"
    return handle.casefold()


def is_activity(item: Any) -> bool:
    """Whether a JSON value is an ActivityStreams post activity: a ``Create`` or ``Announce`` by an actor.

    A ``Create`` must carry its object (with ``attributedTo`` or ``published``); an ``Announce``
    (a boost) names the boosted post by URL or object and has its own ``published`` time.

    Examples
    --------
    >>> is_activity({"type": "Announce", "actor": "https://m.s/users/a", "published": "2024-01-01T00:00:00Z",
    ...              "object": "https://x.y/users/b/statuses/1"})
    True
    >>> is_activity({"type": "Create", "actor": "https://m.s/users/a", "object": "https://m.s/notes/1"})
    False
    """
    if not isinstance(item, dict) or not isinstance(item.get("actor"), str | dict):
        return False
    obj = item.get("object")
    if item.get("type") == "Create":
        return isinstance(obj, dict) and ("attributedTo" in obj or "published" in obj)
    if item.get("type") == "Announce":
        return bool(obj) and "published" in item
    return False


def is_activity_list(items: Any) -> bool:
    """Whether a JSON value is a list of activities: an outbox saved without its collection wrapper.

    Judged on the first few objects: most are Create/Announce activities (:func:`is_activity`);
    the others may be any activity (a ``Delete``...), which the reader then rejects one by one.

    Examples
    --------
    >>> is_activity_list([{"type": "Create", "actor": "https://m.s/users/a",
    ...                    "object": {"type": "Note", "attributedTo": "https://m.s/users/a"}}])
    True
    >>> is_activity_list([{"id": "1", "text": "hi"}]), is_activity_list([])
    (False, False)
    """
    if not isinstance(items, list):
        return False
    head = [i for i in items[:10] if isinstance(i, dict)]
    posts = sum(is_activity(i) for i in head)
    return posts > 0 and posts * 2 >= len(head) and all("type" in i for i in head)


def content_warning(obj: dict) -> str | None:
    """Return a note's content warning as plain text (its ``summary``), or None when it has none.

    Mastodon sends the CW (``spoiler_text``) as the note's ``summary``, in ``summaryMap`` per
    language too; an empty or blank one is no warning.

    Examples
    --------
    >>> content_warning({"summary": "complaint about delivery", "content": "<p>late again</p>"})
    'complaint about delivery'
    >>> content_warning({"summary": None}), content_warning({"summary": "  "})
    (None, None)
    >>> content_warning({"summaryMap": {"de": "Lieferung &amp; Ärger"}})
    'Lieferung & Ärger'
    """
    summary = obj.get("summary")
    if not isinstance(summary, str):
        summary_map = obj.get("summaryMap")
        summary = next((v for v in summary_map.values() if isinstance(v, str)), None) \
            if isinstance(summary_map, dict) else None
    text = html_to_text(summary) if summary else None
    return text.strip() or None if text else None


def _actor_handle(actor_id: str | None, username: str | None = None) -> str | None:
    if not actor_id:
        return None
    parts = urlsplit(actor_id)
    if username is None:
        path = [p for p in parts.path.split("/") if p]
        username = path[-1].lstrip("@") if path else None
    return f"{username}@{parts.hostname}" if username and parts.hostname else None


class _Links(HTMLParser):
    """Hrefs of a note's links that are not mentions or hashtags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag != "a":
            return
        attrs = dict(attrs)
        href, classes, rel = attrs.get("href"), (attrs.get("class") or "").split(), attrs.get("rel") or ""
        if not href or "mention" in classes or "hashtag" in classes or "tag" in rel.split():
            return
        self.urls.append(href)


def _links(content: str | None, tag_hrefs: set[str]) -> list[str]:
    if not content or "<a" not in content:
        return []
    parser = _Links()
    parser.feed(content)
    return [u for u in parser.urls if u not in tag_hrefs]


def _total(value: Any) -> int | None:
    if isinstance(value, dict):
        total = value.get("totalItems")
        if isinstance(total, int) and total >= 0:
            return total
    return None


def _raw(item: Any) -> str:
    text = orjson.dumps(item).decode()
    return text if len(text) <= _RECORD_LIMIT else text[:_RECORD_LIMIT] + "...[truncated]"


def _load(path: Path) -> Any:
    with Path(str(path)).open("rb") as fh:
        data = fh.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({str(exc).splitlines()[0]}); "
                         "expected a Mastodon export file (outbox.json, actor.json, likes.json)") from None


def read(path: Path, *, as_of: pd.Timestamp | None = None) -> Iterator[ReadResult]:
    """Read one file of a Mastodon export (outbox, actor or likes), in chunks.

    Parameters
    ----------
    path : Path
        An outbox, actor or likes JSON file of the export.
    as_of : Timestamp, optional
        When profiles and metrics were observed (default: the file's modification time).

    Yields
    ------
    ReadResult
        outbox: ``posts`` (primary) + ``accounts`` (mentioned accounts, context);
        actor: ``accounts`` (primary); likes: nothing, ``read`` 0, with a note.

    Raises
    ------
    InputError
        The file is not JSON or not an ActivityStreams outbox/actor/collection.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "outbox.json"
    >>> _ = p.write_bytes(orjson.dumps({"type": "OrderedCollection", "orderedItems": [
    ...     {"type": "Announce", "id": "https://m.s/users/a/statuses/2/activity",
    ...      "actor": "https://m.s/users/a", "published": "2024-01-02T00:00:00Z",
    ...      "object": "https://x.y/users/b/statuses/1"},
    ...     {"type": "Delete", "id": "https://m.s/users/a#delete"}]}))
    >>> r = next(read(p))
    >>> r.read, r.tables["posts"][["kind", "referenced_id"]].values.tolist(), r.rejected[0].line
    (2, [['repost', 'https://x.y/users/b/statuses/1']], 2)
    """
    doc = _load(path)
    if isinstance(doc, list):  # an outbox saved as the bare array of its activities
        if not is_activity_list(doc):
            raise InputError(f"{path}: a JSON list, but not of ActivityStreams activities (Create / Announce "
                             "with an actor); expected a Mastodon outbox, actor or likes collection")
        doc = {"type": "OrderedCollection", "orderedItems": doc}
    if not isinstance(doc, dict):
        raise InputError(f"{path}: a JSON {type(doc).__name__}, not a Mastodon export object")
    kind = doc.get("type")
    items = doc.get("orderedItems", doc.get("items"))
    observed = observed_time(path, as_of)
    if kind in _ACTOR_TYPES:
        yield _actor(doc, observed)
    elif isinstance(items, list) and items and all(isinstance(i, str) for i in items):
        name = Path(str(path)).name
        result = ReadResult(read=0, primary="posts")
        result.notes = [f"{name}: {len(items)} liked/bookmarked post URLs (the account's own, outgoing) "
                        "not ingested: roi keeps no table of them"]
        yield result
    elif isinstance(items, list):
        total = doc.get("totalItems")
        for start in range(0, max(len(items), 1), CHUNK_ITEMS):
            result = _outbox_chunk(items[start:start + CHUNK_ITEMS], start, observed)
            if start == 0 and isinstance(total, int) and total != len(items):
                result.notes = [f"{Path(str(path)).name}: totalItems says {total} but the collection "
                                f"holds {len(items)} items; all {len(items)} were read", *result.notes]
            yield result
    else:
        raise InputError(f"{path}: ActivityStreams {kind or 'object'} without orderedItems; expected "
                         "a Mastodon outbox, actor or likes collection")


def _actor(doc: dict, observed) -> ReadResult:
    actor_id = doc.get("id")
    if not actor_id:
        return ReadResult(read=1, primary="accounts",
                          rejected=[Rejected(1, "actor without an id", _raw(doc))])
    row = {
        "platform": PLATFORM, "account_id": actor_id,
        "handle": _actor_handle(actor_id, doc.get("preferredUsername")),
        "display_name": doc.get("name"), "description": html_to_text(doc.get("summary")),
        "created_at": doc.get("published"),
        "followers_count": _total(doc.get("followers")), "following_count": _total(doc.get("following")),
        "posts_count": _total(doc.get("outbox")), "observed_at": observed,
    }
    frame = conform("accounts", pd.DataFrame([row]))
    return ReadResult(tables={"accounts": with_accounting(frame, [1], context=False)}, read=1,
                      primary="accounts")


def _is_direct(obj: dict, item: dict) -> bool:
    """Whether a note is a direct message: addressed, but neither to the public nor to followers.

    Mastodon's export holds every status of the account, direct ones included; their ``to`` and
    ``cc`` name only the people in the conversation. A note without any addressing is not called
    direct (nothing says so).

    >>> _is_direct({"to": ["https://m.s/users/bob"], "cc": []}, {})
    True
    >>> _is_direct({"to": ["https://m.s/users/a/followers"], "cc": []}, {})
    False
    >>> _is_direct({"to": ["https://www.w3.org/ns/activitystreams#Public"]}, {})
    False
    """
    if obj.get("directMessage") is True:  # Pleroma / Akkoma say it outright
        return True
    audience = []
    for holder in (obj, item):
        for key in ("to", "cc"):
            value = holder.get(key)
            audience += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] \
                if isinstance(value, list) else []
    if not audience:
        return False
    return not any(a in _PUBLIC or a.endswith("/followers") for a in audience)


def _outbox_chunk(items: list, offset: int, observed) -> ReadResult:
    posts, lines, mentioned, rejected = [], [], {}, []
    owners: dict[str, str | None] = {}  # the activities' actor: the account whose outbox this is
    direct = 0
    for i, item in enumerate(items, offset + 1):
        if not isinstance(item, dict):
            rejected.append(Rejected(i, "outbox item is not an object", _raw(item)))
            continue
        if isinstance(item.get("actor"), str) and item["actor"] not in owners:
            owners[item["actor"]] = _actor_handle(item["actor"])
        activity = item.get("type")
        obj = item.get("object")
        if activity == "Announce":
            target = obj.get("id") if isinstance(obj, dict) else obj
            if not (item.get("id") and item.get("actor") and target and item.get("published")):
                rejected.append(Rejected(i, "Announce without id, actor, object or published", _raw(item)))
                continue
            posts.append({"post_id": item["id"], "author_id": item["actor"], "created_at": item["published"],
                          "kind": "repost", "referenced_id": target})
            lines.append(i)
        elif activity == "Create" and isinstance(obj, dict) and obj.get("type") in _NOTE_TYPES and _is_direct(obj, item):
            direct += 1  # a private conversation, not a post: not a record of this source
        elif activity == "Create" and isinstance(obj, dict) and obj.get("type") in _NOTE_TYPES:
            row = _note(obj, item, mentioned)
            if row is None:
                rejected.append(Rejected(i, f"{obj.get('type')} without id, author or published time", _raw(item)))
                continue
            posts.append(row)
            lines.append(i)
        elif activity == "Create":
            what = "only a URL" if isinstance(obj, str) else f"a {obj.get('type') if isinstance(obj, dict) else type(obj).__name__}"
            rejected.append(Rejected(i, f"Create whose object is {what}, not a Note with content", _raw(item)))
        else:
            rejected.append(Rejected(i, f"{activity or 'untyped'} activity is not a post (expected Create or Announce)",
                                     _raw(item)))
    frame = pd.DataFrame(posts) if posts else pd.DataFrame({"post_id": []})
    frame["platform"] = PLATFORM
    frame["metrics_observed_at"] = observed
    if len(frame):  # a note whose text starts "RT @user:" is a manual retweet (a boost is a repost)
        # judged on the body: a "CW: ..." line in front must not hide an "RT @user:" post
        text = frame["_body"].astype("string") if "_body" in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
        frame["manual_repost"] = retweet_texts(text) & (frame["kind"].astype("string") != "repost").fillna(
            True).to_numpy(dtype=bool)
    frame = frame.drop(columns=["_body"], errors="ignore")
    try:
        posts_out = conform("posts", frame)
    except Exception:  # one malformed timestamp: find it, reject it, keep the rest
        posts_out, lines, bad = _conform_rowwise(frame, lines)
        rejected.extend(bad)
    known = {**owners, **mentioned}  # a mention's handle is the canonical one (``@user@host``)
    accounts = conform("accounts", pd.DataFrame(
        [{"platform": PLATFORM, "account_id": href, "handle": handle, "observed_at": observed}
         for href, handle in known.items()]) if known else {"platform": []})
    result = ReadResult(
        tables={"posts": with_accounting(posts_out, lines, context=False),
                "accounts": with_accounting(accounts, [0] * len(accounts), context=True)},
        rejected=rejected, read=len(items) - direct, primary="posts")
    if direct:
        result.notes = [f"{direct:,} direct message(s) skipped: private conversations, not posts"]
    return result


def _conform_rowwise(frame: pd.DataFrame, lines: list[int]):
    good, good_lines, bad = [], [], []
    for (_, row), line in zip(frame.iterrows(), lines, strict=True):
        try:
            good.append(conform("posts", row.to_frame().T))
            good_lines.append(line)
        except Exception as exc:  # noqa: BLE001 - reported as the record's reason
            bad.append(Rejected(line, f"unreadable value: {str(exc).splitlines()[0]}", _raw(row.to_dict())))
    out = pd.concat(good, ignore_index=True) if good else conform("posts", {"post_id": []})
    return out, good_lines, bad


def _note(obj: dict, item: dict, mentioned: dict) -> dict | None:
    post_id = obj.get("id")
    author = obj.get("attributedTo") or item.get("actor")
    if isinstance(author, list):
        author = next((a if isinstance(a, str) else a.get("id") for a in author), None)
    published = obj.get("published") or item.get("published")
    if not (post_id and author and published):
        return None
    content_map = obj.get("contentMap") or {}
    content = obj.get("content")
    if content is None and content_map:
        content = next(iter(content_map.values()))
    hashtags, mentions, tag_hrefs = [], [], set()
    for tag in obj.get("tag") or []:
        if not isinstance(tag, dict):
            continue
        if tag.get("href"):
            tag_hrefs.add(tag["href"])
        if tag.get("type") == "Hashtag" and tag.get("name"):
            hashtags.append(tag["name"].lstrip("#").casefold())
        elif tag.get("type") == "Mention" and tag.get("name"):
            handle = mention_handle(tag["name"], tag.get("href"))
            mentions.append(handle)
            if tag.get("href"):
                mentioned.setdefault(tag["href"], handle)
    reply_to = obj.get("inReplyTo")
    quote = obj.get("quote") or obj.get("quoteUri") or obj.get("quoteUrl") or obj.get("_misskey_quote")
    if isinstance(reply_to, dict):
        reply_to = reply_to.get("id")
    if isinstance(quote, dict):
        quote = quote.get("id")
    kind, referenced = ("reply", reply_to) if reply_to else (("quote", quote) if quote else ("original", None))
    body = html_to_text(content)
    warning = content_warning(obj)
    if warning:  # its words are the post's too: listening, topics and the report read them
        hashtags += [t.casefold() for t in extract_hashtags(warning) if t.casefold() not in hashtags]
    return {
        "post_id": post_id, "author_id": author, "created_at": published,
        "text": f"{CW_PREFIX}{warning}\n\n{body or ''}".rstrip() if warning else body,
        "_body": body, "lang": next(iter(content_map), None) if content_map else None,
        "kind": kind, "referenced_id": referenced, "conversation_id": obj.get("conversation"),
        "hashtags": hashtags, "mentions": mentions, "urls": _links(content, tag_hrefs),
        "likes": _total(obj.get("likes")), "reposts": _total(obj.get("shares")),
        "replies": _total(obj.get("replies")),
    }
