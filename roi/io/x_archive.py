"""X "Download your data" archive reader: a folder or .zip, or one of its YTD ``.js`` files.

An archive is one source. Its files are JavaScript assignments, ``window.YTD.<name>.partN = [...]``
(large archives split a file into parts: ``tweets.js``, ``tweets-part1.js``...), found under
``data/`` or, when someone kept only the data files, at the top level. What is read:

* the owner, one account: ``account.js``, else ``manifest.js`` ``userInfo`` (accountId, userName,
  displayName), with ``profile.js`` for bio and location; ``owner=`` (``roi ingest --owner``)
  overrides them or provides the owner when neither exists. Without an owner the tweets and
  follow entries are rejected, with that reason, and a note says how to give one;
* ``tweets.js`` / the older ``tweet.js``: v1.1-shaped tweets (``full_text``, ``entities``,
  ``created_at`` like ``Tue Jan 31 10:00:00 +0000 2017``, every number a string) authored by the
  owner. The archive keeps no ``retweeted_status``, so an ``RT @user:`` tweet cannot be told
  from an old manual retweet: it is the owner's own post flagged ``manual_repost`` (never a
  repost of nothing), and its likes and retweets, which X gives as 0 for a native retweet, are
  unknown when both are 0;
* ``note-tweet.js``: the full text of long posts (over 280 characters), which ``tweets.js`` keeps
  cut, ending in an ellipsis or a t.co link. A note names no tweet id: it is the tweet created in
  the same second whose cut text starts it (t.co links, the ellipsis and a reply's leading
  ``@mentions`` aside). Such a tweet gets the note's text, hashtags, mentions and urls. Only
  one-to-one matches count; a note that fits no tweet or several (or a tweet several notes fit)
  changes nothing and is counted in a note. Notes are not records: ``read`` counts tweets;
* ``follower.js`` / ``following.js``: follow edges to / from the owner. They carry no follow
  date, so both ``first_seen`` and ``last_seen`` are the archive's generation time (from
  ``manifest.js``), or ``as_of`` when given.

The source's records are the entries of those files; counts are checked against ``manifest.js``
and any difference is reported as a note. Every other archive file (likes, DMs, ads...) is left
alone; direct messages get a note saying they were not read.

Why one module: who owns the archive (account.js, manifest.js, --owner, a tweet's link to its
own page) decides how every tweet and follow entry is read, and the streaming YTD parser serves
only these files; split apart, the owner rules would be read far from the entries they shape.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from roi.errors import InputError
from roi.io._base import ReadResult, Rejected
from roi.io._json import loads_exact, raw_text
from roi.io._rows import V1_DATE_FORMAT, RowBuffer, iso_to_us
from roi.io.detect import ytd_name
from roi.io.x_v1 import V1_POST_FIELDS, tweet_id, tweet_row
from roi.io.x_v2 import (
    ACCOUNT_FIELDS,
    CHUNK_SIZE,
    FOLLOW_FIELDS,
    MALFORMED_ERRORS,
    superseded_by,
    superseded_reason,
)

__all__ = ["read", "archive_files"]

PLATFORM = "x"
_TWEET_NAMES = ("tweets", "tweet")
_WANTED = ("account", "profile", "tweets", "tweet", "note_tweet", "follower", "following")
_MANIFEST_KEYS = {"tweets": ("tweets", "tweet"), "follower": ("follower",), "following": ("following",)}
_ASSIGN = re.compile(rb"^\s*window\.(?:YTD\.[A-Za-z0-9_]+\.part\d+|__THAR_CONFIG)\s*=\s*")


@dataclass(frozen=True)
class _Member:
    name: str  # path inside the archive, e.g. data/tweets.js
    ytd: str | None  # YTD name, e.g. tweets; None for the manifest


class _Archive:
    """Uniform access to the .js files of an archive folder, zip, or a lone YTD file."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.zip = zipfile.ZipFile(self.path) if self.path.is_file() and zipfile.is_zipfile(self.path) else None
        if self.zip is not None:
            names = [n for n in self.zip.namelist() if n.endswith(".js")]
            _refuse_bombs(self.path, self.zip, names)
        elif self.path.is_dir():
            names = sorted(p.relative_to(self.path).as_posix() for p in self.path.rglob("*.js"))
        else:
            # A lone YTD file: its siblings say who the owner is and when the archive was made.
            names = [self.path.name] + [n for n in ("account.js", "profile.js", "manifest.js", "note-tweet.js")
                                        if n != self.path.name and (self.path.parent / n).is_file()]
            self.path = self.path.parent
        self.members: list[_Member] = []
        for name in sorted(names, key=_part_order):
            head = self.head(name)
            if head.lstrip().startswith(b"window.__THAR_CONFIG"):
                self.members.append(_Member(name, None))
            else:
                ytd = ytd_name(head)
                if ytd is not None:
                    self.members.append(_Member(name, ytd))

    def head(self, name: str) -> bytes:
        if self.zip is not None:
            with self.zip.open(name) as fh:
                return fh.read(200)
        with (self.path / name).open("rb") as fh:
            return fh.read(200)

    def open(self, name: str) -> IO[bytes]:
        """Open a member's bytes as a stream (a zip member is decompressed as it is read)."""
        return self.zip.open(name) if self.zip is not None else (self.path / name).open("rb")

    def load(self, name: str) -> Any:
        data = self.zip.read(name) if self.zip is not None else (self.path / name).read_bytes()
        m = _ASSIGN.match(data)
        if m is None:
            raise ValueError("not a window.YTD assignment")
        end = len(data)
        while end > m.end() and data[end - 1] in b" \t\r\n;":
            end -= 1
        return orjson.loads(memoryview(data)[m.end():end])  # a view: no second copy of the file

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


# --------------------------------------------------------------------------- streaming a YTD array
# From a position: skip what is not structure (blanks, numbers, letters) in one step, then one
# token: a whole string (its closing quote, or the end of what was read if it is cut) or one of
# [ ] { } , -- or the end. Possessive loops: no backtracking over megabytes of blanks.
_TOKEN = re.compile(rb'[^"\[\]{},]*+(?:(?P<s>"[^"\\]*+(?:\\.[^"\\]*+)*+(?P<q>"|\\?\Z))|(?P<c>[\[\]{},])|\Z)',
                    re.DOTALL)
_PRETTY_END = re.compile(rb"\n  (?P<close>\})\s*(?P<sep>[,\]])")
_READ_BYTES = 1 << 22
MAX_ENTRY_BYTES = 64 << 20  # one archive entry (a tweet, a follower) is a few KB


@dataclass
class _Entry:
    """One element of a YTD array: its 1-based index, parsed value (None if unreadable) and error."""

    index: int
    value: Any
    raw: bytes
    error: str | None = None


def iter_ytd(fh: IO[bytes], name: str) -> Iterator[_Entry]:
    """Yield the elements of a ``window.YTD.<x>.partN = [ ... ]`` file one at a time.

    Memory is bounded by one element (not the file): a 1 GiB tweets.js is never held whole.

    An element that is not valid JSON is yielded with its error (a rejected record, the rest is
    read); a file that ends inside an element yields that element with the error and stops.

    Raises
    ------
    ValueError
        If the file does not start with a ``window.YTD`` assignment of an array.

    Examples
    --------
    >>> import io
    >>> [(e.index, e.value, e.error) for e in iter_ytd(io.BytesIO(
    ...     b'window.YTD.tweets.part0 = [ {"a": "x,]}"}, {"b": [1, 2]}, {oops} ]'), "t.js")]
    [(1, {'a': 'x,]}'}, None), (2, {'b': [1, 2]}, None), (3, None, 'invalid JSON (unexpected character, expected a string key)')]
    """
    buf = fh.read(_READ_BYTES)
    m = _ASSIGN.match(buf)
    if m is None:
        raise ValueError("not a window.YTD assignment")
    rest = buf[m.end():].lstrip()
    if not rest.startswith(b"["):
        raise ValueError("the window.YTD value is not an array")
    buf = rest[1:]
    index, depth, start, pos, done = 0, 0, 0, 0, False
    fast, searched = True, 0
    while True:
        cut = False
        while fast:  # X's layout: each entry ends with "\n  }" then "," or "]" (strings hold no raw newline)
            end = _PRETTY_END.search(buf, max(start, searched))
            if end is None:
                searched = max(start, len(buf) - 8)
                if len(buf) - start > 2 * _READ_BYTES:
                    fast = False  # not that layout (or one huge entry): the token scanner takes over
                break
            try:
                value = loads_exact(buf[start:end.end("close")])
            except orjson.JSONDecodeError:
                fast = False  # the cut was not an entry's end after all: scan tokens from here
                break
            index += 1
            yield _Entry(index, value, buf[start:end.end("close")].strip())
            start = pos = searched = end.end()
            if end.group("sep") == b"]":
                return
        while not fast:
            tok = _TOKEN.match(buf, pos)
            if tok.group("s") is not None:
                if tok.group("q") != b'"':  # a string cut by the end of what was read
                    cut = True
                    break
                pos = tok.end()
                continue
            c = tok.group("c")
            if c is None:  # the end of what was read (what was skipped holds no structure)
                pos = tok.end()
                break
            pos = tok.end()
            if c in b"{[":
                depth += 1
            elif c in b"}]" and depth:
                depth -= 1
            elif depth == 0:  # "," or "]" of the array itself: one element ends
                raw = buf[start:tok.start("c")].strip()
                start = pos
                if raw:
                    index += 1
                    yield _parse_entry(index, raw)
                if c == b"]":
                    done = True
                    break
        if done:
            return
        more = fh.read(_READ_BYTES)
        if not more and fast:  # the rest is not in that layout (an empty or one-line array): scan it
            fast, pos = False, start
            continue
        if not more:
            raw = buf[start:].strip()
            if raw:
                index += 1
                yield _Entry(index, None, raw[:4096], f"{name} ends inside entry {index} (the file is truncated)")
            return
        if fast:
            buf, searched, start, pos = buf[start:] + more, max(0, searched - start), 0, 0
        elif depth == 0 and not cut:
            # between values, not inside a string: every token is seen, and blanks do not count
            tail = buf[start:].strip()
            buf, pos, start = tail + more.lstrip(), len(tail), 0
        else:
            buf, pos, start = buf[start:] + more, pos - start, 0
        if len(buf) > MAX_ENTRY_BYTES + _READ_BYTES:
            raise ValueError(f"entry {index + 1} is larger than {MAX_ENTRY_BYTES >> 20} MiB")


def _parse_entry(index: int, raw: bytes) -> _Entry:
    try:
        return _Entry(index, loads_exact(raw), raw)
    except orjson.JSONDecodeError as exc:
        detail = str(exc).split(":")[0] or "unreadable"
        return _Entry(index, None, raw[:4096], f"invalid JSON ({detail})")


# A member that would expand more than MAX_RATIO times, to more than RATIO_FLOOR bytes, is a zip
# bomb, not an export: real tweets.js files compress 5-15 times.
MAX_RATIO = 100
RATIO_FLOOR = 64 << 20


def _refuse_bombs(path: Path, zf: zipfile.ZipFile, names: list[str]) -> None:
    """Raise InputError for a member whose declared size is out of proportion to its bytes.

    zipfile never returns more than the declared size, so the check bounds what is read.
    """
    for name in names:
        info = zf.getinfo(name)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_RATIO:
            raise InputError(
                f"{path}: member {name} would expand {ratio:,.0f} times, from {info.compress_size:,} to "
                f"{info.file_size:,} bytes; refused as a zip bomb (an X archive's files compress far less)")


def _part_order(name: str) -> tuple:
    m = re.search(r"-part(\d+)\.js$", name)
    return (re.sub(r"-part\d+\.js$", ".js", name), int(m.group(1)) if m else 0)


def archive_files(path: Any) -> list[str]:
    """Return the YTD files of an archive roi reads (in reading order).

    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "tweets.js").write_text("window.YTD.tweets.part0 = []")
    >>> _ = (d / "like.js").write_text("window.YTD.like.part0 = []")
    >>> archive_files(d)
    ['tweets.js']
    """
    arch = _Archive(Path(path))
    try:
        return [m.name for m in arch.members if m.ytd in _WANTED]
    finally:
        arch.close()


def read(path: Any, *, as_of: Any = None, owner: str | None = None, chunk_size: int = CHUNK_SIZE
         ) -> Iterator[ReadResult]:
    """Read an X archive (folder, .zip, or one YTD file) as chunks of canonical rows.

    Parameters
    ----------
    path : Path
        The archive folder or .zip, or a single ``window.YTD`` file (its siblings ``account.js``
        and ``manifest.js`` are used when present).
    as_of : Timestamp or datetime, optional
        Time of the follow edges (default: the archive's generation date).
    owner : str, optional
        The archive's owner, as a handle (``@acme`` or ``acme``) or a numeric account id: overrides
        ``account.js`` and ``manifest.js`` (a note says so when they disagree) and provides the
        owner when neither exists. A handle's account id is taken from the archive (``account.js``,
        ``manifest.js``, or a tweet replying to or mentioning that handle).
    chunk_size : int
        Tweets per chunk: bounds the rows held in memory at once.

    Yields
    ------
    ReadResult
        One or more chunks per file kind: ``accounts`` (the owner), ``posts`` (tweets), and
        ``follows`` (follower and following entries).
    """
    path = Path(path)
    arch = _Archive(path)
    single = None if (path.is_dir() or arch.zip is not None) else path.name
    try:
        yield from _read(arch, single, as_of, owner, chunk_size)
    finally:
        arch.close()


def _read(arch: _Archive, single: str | None, as_of: Any, owner_option: str | None, chunk_size: int
          ) -> Iterator[ReadResult]:
    by_name: dict[str, list[_Member]] = {}
    manifest: dict = {}
    for m in arch.members:
        if m.ytd is None:
            try:
                manifest = arch.load(m.name) or {}
            except (ValueError, orjson.JSONDecodeError):
                manifest = {}
        else:
            by_name.setdefault(m.ytd, []).append(m)
    generated = iso_to_us((manifest.get("archiveInfo") or {}).get("generationDate"))
    now = int(dt.datetime.now(dt.UTC).timestamp() * 1_000_000)
    observed = generated if generated is not None else now
    seen_at = iso_to_us(as_of.isoformat()) if as_of is not None else observed
    notes: list[str] = []
    if generated is None:
        notes.append("no manifest.js generation date: follow edges and the owner's profile are dated "
                     + ("--as-of" if as_of is not None else "at the time of reading"))

    partial = str((manifest.get("archiveInfo") or {}).get("isPartialArchive", "")).lower() == "true"
    listed = _list_lengths(arch, by_name) if single is None and not partial else {}
    owner, owner_rows, owner_notes = _owner(arch, by_name, manifest, observed, owner_option, listed)
    notes.extend(owner_notes)
    private = sorted(m.name for ytd, members in by_name.items() if ytd.startswith("direct_message") for m in members)
    if private and (single is None or single in private):
        notes.append(f"direct messages not read ({', '.join(private)}): they are private conversations, not posts")
    wanted = lambda ytd: single is None or any(m.name == single for m in by_name.get(ytd, []))  # noqa: E731

    if owner_rows is not None and (single is None or wanted("account") or owner_rows.read == 0):
        res = owner_rows
        res.notes = list(notes)
        notes = []
        yield res
    counts: dict[str, int] = {}
    tweet_members = [m for ytd in _TWEET_NAMES for m in by_name.get(ytd, []) if single is None or m.name == single]
    long_posts: dict[str, dict] = {}
    if tweet_members and by_name.get("note_tweet"):
        long_posts, note_notes = _long_posts(arch, tweet_members, by_name["note_tweet"])
        notes.extend(note_notes)
    for ytd in _TWEET_NAMES:
        for member in by_name.get(ytd, []):
            if single is not None and member.name != single:
                continue
            for res in _tweets(arch, member, owner, observed, chunk_size, long_posts):
                counts["tweets"] = counts.get("tweets", 0) + res.read
                res.notes = notes
                notes = []
                yield res
    for ytd in ("follower", "following"):
        for member in by_name.get(ytd, []):
            if single is not None and member.name != single:
                continue
            res = _follows(arch, member, ytd, owner, seen_at)
            counts[ytd] = counts.get(ytd, 0) + res.read
            res.notes = notes
            notes = []
            yield res
    check = _check_manifest(manifest, counts, single)
    if check or notes:
        res = ReadResult(tables={}, rejected=[], read=0, primary="posts")
        res.notes = notes + check
        yield res


def _first_entry(arch: _Archive, members: list[_Member], key: str) -> dict:
    """Return the ``key`` object of the first entry of a one-entry YTD file (account.js, ...), or {}.

    One-entry YTD files are account.js and profile.js.
    """
    for member in members:
        try:
            value = (arch.load(member.name)[0] or {}).get(key)
        except (ValueError, orjson.JSONDecodeError, IndexError, AttributeError, TypeError):
            continue
        if isinstance(value, dict):
            return value
    return {}


def _list_lengths(arch: _Archive, by_name: dict[str, list[_Member]]) -> dict[str, int]:
    """Entries of ``follower.js`` and ``following.js`` (all parts), by YTD name; absent if unreadable.

    A whole archive lists every follower and followee of its owner, so these are the owner's
    follower and following counts at the archive's generation date.
    """
    out: dict[str, int] = {}
    for ytd in ("follower", "following"):
        members = by_name.get(ytd, [])
        try:
            entries = [arch.load(m.name) for m in members]
        except (ValueError, orjson.JSONDecodeError):
            continue
        if members and all(isinstance(e, list) for e in entries):
            out[ytd] = sum(len(e) for e in entries)
    return out


def _owner(arch: _Archive, by_name: dict[str, list[_Member]], manifest: dict, observed: int,
           option: str | None, listed: dict[str, int]) -> tuple[str | None, ReadResult | None, list[str]]:
    """Find the owner's account id, its account row (a record of account.js, else a context row) and notes.

    The owner is ``account.js``, else ``manifest.js`` ``userInfo`` (accountId, userName,
    displayName), overridden or provided by ``option``; ``profile.js`` gives bio and location;
    ``listed`` (lengths of the whole follower and following lists) gives the follower and
    following counts.
    """
    account = _first_entry(arch, by_name.get("account", []), "account")
    info = manifest.get("userInfo") if isinstance(manifest.get("userInfo"), dict) else {}
    owner_id = _id_text(account.get("accountId") or info.get("accountId"))
    handle = account.get("username") or info.get("userName")
    name = account.get("accountDisplayName") or info.get("displayName")
    notes: list[str] = []
    if option:
        wanted = str(option).strip().lstrip("@")
        if wanted.isdigit():
            if owner_id is not None and owner_id != wanted:
                notes.append(f"--owner {wanted} overrides the archive's own owner (account {owner_id})")
                handle = name = None
            owner_id = wanted
        elif handle is None or handle.casefold() != wanted.casefold():
            if handle is not None:
                notes.append(f"--owner {wanted} overrides the archive's own owner (@{handle})")
            handle, name = wanted, None
            owner_id = _id_of_handle(arch, by_name, wanted)
            if owner_id is None:
                notes.append(f"--owner {wanted}: the archive does not give this handle's account id; "
                             f"the handle stands in as the id (give --owner with the numeric id to join other exports)")
                owner_id = wanted
    if owner_id is None and not option and (own := _owner_from_own_links(arch, by_name)) is not None:
        handle, tid = own
        owner_id = _id_of_handle(arch, by_name, handle)
        notes.append(f"the archive names no owner (no account.js, no manifest.js userInfo): its tweets are taken as "
                     f"@{handle}'s, as tweet {tid} links to its own page twitter.com/{handle}/status/{tid}"
                     + ("" if owner_id else " (no account id found for it: the handle stands in as the id)")
                     + "; give --owner HANDLE if that is wrong")
        owner_id = owner_id or handle
    if owner_id is None:
        notes.append("the archive names no owner (no account.js, no manifest.js userInfo): its tweets and follow "
                     "entries are rejected; give the owner with --owner HANDLE")
        return None, None, notes
    profile = _first_entry(arch, by_name.get("profile", []), "profile")
    description = profile.get("description") if isinstance(profile.get("description"), dict) else {}
    record = bool(account) and _id_text(account.get("accountId")) == owner_id
    buf = RowBuffer("accounts", ACCOUNT_FIELDS, constants={"platform": PLATFORM}, label="account.js entry")
    buf.rows.append((owner_id, handle, name, description.get("bio"), description.get("location"),
                     account.get("createdAt") if record else None, listed.get("follower"),
                     listed.get("following"), None, None, None, observed, 1, not record, account or info))
    frame, rejected = buf.frame()
    return owner_id, ReadResult(tables={"accounts": frame}, rejected=rejected, read=int(record),
                                primary="accounts"), notes


def _id_text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


_OWN_STATUS = re.compile(r"^https?://(?:mobile\.)?(?:twitter|x)\.com/([A-Za-z0-9_]{1,15})/status/([0-9]+)(?:/|$)")


def _owner_from_own_links(arch: _Archive, by_name: dict[str, list[_Member]]) -> tuple[str, str] | None:
    """(handle, tweet id) from the first tweet whose media link is its own page, ``/<handle>/status/<its id>``.

    X writes a photo or video's ``expanded_url`` as the page of the tweet that carries it, so the
    handle there is the author's; a retweet's media links to the original's page (another id) and
    says nothing. Read entry by entry: memory stays bounded on a large ``tweets.js``.
    """
    for ytd in _TWEET_NAMES:
        for member in by_name.get(ytd, []):
            try:
                with arch.open(member.name) as fh:
                    for e in iter_ytd(fh, member.name):
                        t = e.value.get("tweet", e.value) if isinstance(e.value, dict) else None
                        own = tweet_id(t) if isinstance(t, dict) else None
                        if own is None:
                            continue
                        for key in ("entities", "extended_entities"):
                            media = (t.get(key) or {}).get("media") if isinstance(t.get(key), dict) else None
                            for m in media if isinstance(media, list) else ():
                                hit = _OWN_STATUS.match(str(m.get("expanded_url") or "")) if isinstance(m, dict) else None
                                if hit and hit.group(2) == own:
                                    return hit.group(1), own
            except (ValueError, OSError, zipfile.BadZipFile, EOFError, zlib.error):
                continue
    return None


def _id_of_handle(arch: _Archive, by_name: dict[str, list[_Member]], handle: str) -> str | None:
    """Find the account id of ``handle`` as the archive's tweets give it (a reply or a mention of it)."""
    folded = handle.casefold()
    for ytd in _TWEET_NAMES:
        for member in by_name.get(ytd, []):
            try:
                entries = arch.load(member.name)
            except (ValueError, orjson.JSONDecodeError):
                continue
            for entry in entries if isinstance(entries, list) else []:
                t = entry.get("tweet", entry) if isinstance(entry, dict) else None
                if not isinstance(t, dict):
                    continue
                if str(t.get("in_reply_to_screen_name") or "").casefold() == folded:
                    found = _id_text(t.get("in_reply_to_user_id_str") or t.get("in_reply_to_user_id"))
                    if found:
                        return found
                for m in (t.get("entities") or {}).get("user_mentions") or ():
                    if isinstance(m, dict) and str(m.get("screen_name") or "").casefold() == folded:
                        found = _id_text(m.get("id_str") or m.get("id"))
                        if found and found != "-1":
                            return found
    return None


def _tweets(arch: _Archive, member: _Member, owner: str | None, observed: int, chunk_size: int,
            long_posts: dict[str, dict] | None = None) -> Iterator[ReadResult]:
    label = f"{Path(member.name).name} entry"
    buf = RowBuffer("posts", V1_POST_FIELDS, constants={"platform": PLATFORM}, label=label)
    rejected: list[Rejected] = []
    read = 0
    with arch.open(member.name) as fh:
        entries = iter_ytd(fh, member.name)
        try:
            for e in entries:
                read += 1
                i, entry = e.index, e.value
                t = entry.get("tweet", entry) if isinstance(entry, dict) else None
                if e.error is not None:
                    rejected.append(Rejected(i, f"{label} {i}: {e.error}", raw_text(e.raw)))
                elif not isinstance(t, dict) or not tweet_id(t) or not ("full_text" in t or "text" in t):
                    rejected.append(Rejected(i, f"{label} {i}: not a tweet (expected id_str and full_text)",
                                             raw_text(e.raw)))
                elif owner is None:
                    rejected.append(Rejected(i, f"{label} {i}: the archive owner (the author) is unknown: no "
                                                "account.js or manifest.js userInfo; give --owner HANDLE", raw_text(e.raw)))
                elif (latest := superseded_by(t)) is not None:
                    rejected.append(Rejected(i, f"{label} {i}: {superseded_reason(latest)}", raw_text(e.raw)))
                else:
                    try:
                        note = long_posts.get(tweet_id(t)) if long_posts else None
                        row = tweet_row(_with_note(t, note) if note else t, observed, i, False, author_id=owner)
                        buf.rows.append(_archive_tweet((*row[:-1], t) if note else row))  # the record as read
                    except MALFORMED_ERRORS as exc:
                        rejected.append(Rejected(i, f"{label} {i}: malformed tweet ({type(exc).__name__}: {exc})",
                                                 raw_text(e.raw)))
                if read >= chunk_size:
                    frame, bad = buf.frame()
                    yield ReadResult(tables={"posts": frame}, rejected=rejected + bad, read=read, primary="posts")
                    rejected, read = [], 0
        except (ValueError, OSError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
            # the file itself is unreadable from here on: one rejection for it (what came before is kept)
            rejected.append(Rejected(None if read else 1, f"{member.name}: not a readable window.YTD file ({exc})",
                                     raw_text(arch.head(member.name))))
            read += 1
    if read:
        frame, bad = buf.frame()
        yield ReadResult(tables={"posts": frame}, rejected=rejected + bad, read=read, primary="posts")


# --------------------------------------------------------------------------- long posts (note-tweet.js)
_TCO = re.compile(r"https?://t\.co/\w+")
_LEADING_MENTIONS = re.compile(r"^(?:@\w+\s+)+")
_ELLIPSIS = re.compile(r"(?:\u2026|\.\.\.)\s*$")


def _comparable(text: str) -> str:
    """Reduce a post's text to what a cut tweet and its note share.

    HTML entities unescaped, t.co links dropped (the tweet and the note shorten the same link to
    different t.co ids), a trailing ellipsis dropped, white space collapsed.

    >>> _comparable("R&amp;D is  fast https://t.co/Ab1 and then… https://t.co/Zz9")
    'R&D is fast and then'
    """
    text = _TCO.sub(" ", html.unescape(text))
    text = " ".join(text.split())
    return _ELLIPSIS.sub("", text).rstrip()


def _seconds(created_at: Any) -> int | None:
    """Return a tweet's or note's creation time in whole seconds since the epoch (v1.1 or ISO text)."""
    if not isinstance(created_at, str):
        return None
    try:
        return int(dt.datetime.strptime(created_at, V1_DATE_FORMAT).timestamp())
    except ValueError:
        us = iso_to_us(created_at)
        return None if us is None else us // 1_000_000


def _long_posts(arch: _Archive, tweet_members: list[_Member], note_members: list[_Member]
                ) -> tuple[dict[str, dict], list[str]]:
    """Match the notes of ``note-tweet.js`` (long posts' full text) to their cut tweets.

    A note names no tweet id, so a note and a tweet are the same post when they were created in
    the same second and the tweet's text, cut (an ellipsis, t.co links and a reply's leading
    ``@mentions`` aside), is the start of the note's. Only a one-to-one match counts: a tweet
    that two notes fit, or a note that two tweets fit, is left as it is (never guessed), and so
    is a note that fits no tweet; notes say how many.

    Returns the notes by tweet id, and the notes for the reader.
    """
    notes: list[dict] = []
    unreadable = 0
    for member in note_members:
        try:
            with arch.open(member.name) as fh:
                for e in iter_ytd(fh, member.name):
                    n = e.value.get("noteTweet") if isinstance(e.value, dict) else None
                    core = n.get("core") if isinstance(n, dict) else None
                    second = _seconds(n.get("createdAt")) if isinstance(n, dict) else None
                    if e.error is not None or not isinstance(core, dict) or not isinstance(core.get("text"), str) \
                            or second is None:
                        unreadable += 1
                        continue
                    notes.append({**n, "_second": second, "_text": _comparable(core["text"])})
        except (ValueError, OSError, zipfile.BadZipFile, EOFError, zlib.error):
            unreadable += 1
    by_second: dict[int, list[int]] = {}
    for k, n in enumerate(notes):
        by_second.setdefault(n["_second"], []).append(k)
    fits: dict[str, list[int]] = {}  # tweet id -> notes it fits
    claimed: dict[int, list[str]] = {}  # note -> tweets that fit it
    for member in tweet_members:
        try:
            with arch.open(member.name) as fh:
                for e in iter_ytd(fh, member.name):
                    t = e.value.get("tweet", e.value) if isinstance(e.value, dict) else None
                    if not isinstance(t, dict) or (candidates := by_second.get(_seconds(t.get("created_at")))) is None:
                        continue
                    tid, text = tweet_id(t), t.get("full_text") or t.get("text")
                    if not tid or not isinstance(text, str):
                        continue
                    cut = _comparable(text)
                    cuts = {cut, _comparable(_LEADING_MENTIONS.sub("", html.unescape(text)))} - {""}
                    found = [k for k in candidates if any(notes[k]["_text"].startswith(c) for c in cuts)]
                    if found:
                        fits[tid] = found
                        for k in found:
                            claimed.setdefault(k, []).append(tid)
        except (ValueError, OSError, zipfile.BadZipFile, EOFError, zlib.error):
            pass  # the tweets' own reading reports the damage
    matched = {tid: notes[ks[0]] for tid, ks in fits.items() if len(ks) == 1 and len(claimed[ks[0]]) == 1}
    ambiguous = len({k for ks in fits.values() for k in ks}) - len(matched)
    unmatched = len(notes) - len(matched) - ambiguous
    out = []
    if matched:
        out.append(f"note-tweet.js: {len(matched):,} long post(s) read in full (tweets.js cuts them at 280 characters)")
    if unmatched:
        out.append(f"note-tweet.js: {unmatched:,} long post(s) fit no tweet of tweets.js (same second, same start): "
                   "not read, the archive holds no other record of them")
    if ambiguous:
        out.append(f"note-tweet.js: {ambiguous:,} long post(s) fit more than one tweet, or share a tweet with another "
                   "note: those tweets keep their cut text (not guessed)")
    if unreadable:
        out.append(f"note-tweet.js: {unreadable:,} entr(y/ies) unreadable (no noteTweet core text or createdAt)")
    return matched, out


def _with_note(t: dict, note: dict) -> dict:
    """Return a tweet carrying its note's full text and entities, the way v1.1 carries ``extended_tweet``.

    A reply's leading ``@mentions`` (in the tweet's text, not in the note's) are kept in front.

    >>> t = {"full_text": "@bob I wrote this https://t.co/OLD and…", "entities": {
    ...     "user_mentions": [{"screen_name": "bob", "id_str": "7"}], "hashtags": [], "urls": []}}
    >>> n = {"core": {"text": "I wrote this https://t.co/NEW and more #Long", "hashtags": [{"text": "Long"}],
    ...      "mentions": [], "urls": [{"shortUrl": "https://t.co/NEW", "expandedUrl": "https://e.x/a"}]}}
    >>> ext = _with_note(t, n)["extended_tweet"]
    >>> ext["full_text"], [u["expanded_url"] for u in ext["entities"]["urls"]]
    ('@bob I wrote this https://t.co/NEW and more #Long', ['https://e.x/a'])
    >>> [m["screen_name"] for m in ext["entities"]["user_mentions"]], ext["entities"]["hashtags"]
    (['bob'], [{'text': 'Long'}])
    """
    core = note["core"]
    body = core["text"]
    full = t.get("full_text") or t.get("text") or ""
    lead = _LEADING_MENTIONS.match(full)
    lead = lead.group(0) if lead and not body.startswith(lead.group(0).strip()) else ""
    entities = t.get("entities") or {}
    led = {w.lstrip("@").casefold() for w in lead.split()}
    mentions = [m for m in entities.get("user_mentions") or () if isinstance(m, dict)
                and str(m.get("screen_name") or "").casefold() in led]
    for m in core.get("mentions") or ():
        name = m.get("screenName") or m.get("screen_name") if isinstance(m, dict) else None
        if name and name.casefold() not in {str(x.get("screen_name")).casefold() for x in mentions}:
            mentions.append({"screen_name": name})
    hashtags = [{"text": h.get("text") or h.get("tag")} for h in core.get("hashtags") or ()
                if isinstance(h, dict) and (h.get("text") or h.get("tag"))]
    urls = [{"url": u.get("shortUrl") or u.get("url"), "expanded_url": u.get("expandedUrl") or u.get("expanded_url")}
            for u in core.get("urls") or () if isinstance(u, dict)]
    return {**t, "extended_tweet": {"full_text": lead + body, "entities": {
        "hashtags": hashtags, "user_mentions": mentions, "urls": urls}}}


_LIKES, _REPOSTS = (V1_POST_FIELDS.index(("likes", "count")), V1_POST_FIELDS.index(("reposts", "count")))
_MANUAL = V1_POST_FIELDS.index(("manual_repost", "bool"))


def _archive_tweet(row: tuple) -> tuple:
    """Return an archive tweet's row, with the zero likes and retweets of an ``RT @`` tweet made unknown.

    The archive keeps no ``retweeted_status``: its native retweets look like manual ones (both
    are flagged ``manual_repost``), and X gives a native retweet's own likes and retweets as 0
    (they belong to the original). Zero there is not a measurement, so it is stored as unknown.
    """
    if row[_MANUAL] and str(row[_LIKES]) == "0" and str(row[_REPOSTS]) == "0":
        row = (*row[:_LIKES], None, None, *row[_REPOSTS + 1:])
    return row


def _follows(arch: _Archive, member: _Member, ytd: str, owner: str | None, seen_at: int) -> ReadResult:
    label = f"{Path(member.name).name} entry"
    buf = RowBuffer("follows", FOLLOW_FIELDS, constants={"platform": PLATFORM}, label=label)
    rejected: list[Rejected] = []
    read = 0
    with arch.open(member.name) as fh:
        try:
            for e in iter_ytd(fh, member.name):
                read += 1
                i, entry = e.index, e.value
                inner = entry.get(ytd) if isinstance(entry, dict) else None
                other = inner.get("accountId") if isinstance(inner, dict) else None
                if e.error is not None or not other or owner is None or not isinstance(other, (str, int)):
                    why = e.error or ("no accountId" if not other or not isinstance(other, (str, int)) else (
                        "the archive owner is unknown: no account.js or manifest.js userInfo; give --owner HANDLE"))
                    rejected.append(Rejected(i, f"{label} {i}: {why}", raw_text(e.raw)))
                    continue
                other = str(other)
                pair = (other, owner) if ytd == "follower" else (owner, other)
                buf.rows.append((*pair, seen_at, seen_at, i, False, entry))
        except (ValueError, OSError, zipfile.BadZipFile, EOFError, zlib.error) as exc:
            # the file itself is unreadable from here on: one rejection for it (what came before is kept)
            rejected.append(Rejected(None if read else 1, f"{member.name}: not a readable window.YTD file ({exc})",
                                     raw_text(arch.head(member.name))))
            read += 1
    frame, bad = buf.frame()
    return ReadResult(tables={"follows": frame}, rejected=rejected + bad, read=read, primary="follows")


def _check_manifest(manifest: dict, counts: dict[str, int], single: str | None) -> list[str]:
    types = manifest.get("dataTypes") or {}
    notes = []
    for kind, names in _MANIFEST_KEYS.items():
        stated = 0
        present = False
        for name in names:
            for f in (types.get(name) or {}).get("files") or []:
                present = True
                try:
                    stated += int(f.get("count", 0))
                except (TypeError, ValueError):
                    pass
        if present and single is None and counts.get(kind, 0) != stated:
            notes.append(f"manifest.js states {kind} {stated} but {counts.get(kind, 0)} were read")
    return notes
