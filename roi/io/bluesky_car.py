r"""Bluesky repository exports: the ``repo.car`` of Settings -> Privacy and security -> Export my data.

A Bluesky account's data is its *repository*, and the export is that repository as a CAR v1 file
(content-addressed archive): a varint-prefixed DAG-CBOR header ``{version: 1, roots: [commit]}``,
then blocks, each a varint length, a CID and the block's DAG-CBOR bytes. The root is the signed
commit (``did``: the account, ``data``: the root of the Merkle Search Tree, ``rev``). MST nodes
are ``{l: left subtree | null, e: [{p, k, v, t}]}``: each entry's key ``collection/rkey`` is the
previous key of the node cut to ``p`` bytes plus the suffix ``k``, ``v`` is the record's CID and
``t`` the subtree of keys after it. :func:`read` walks the tree in key order and turns records
into rows with the conventions of :mod:`roi.io.bluesky`, so the API responses and the CAR export
of one account merge in one store (same ``at://`` post ids, DIDs as account ids, kinds):

* ``app.bsky.feed.post`` -> a post (:func:`roi.io.bluesky.post_fields`: original / reply /
  quote by the record's shape, entities from facets at UTF-8 byte ranges, ``lang`` = first of
  ``langs``); ``post_id`` = ``at://<did>/app.bsky.feed.post/<rkey>``. A repo holds no metrics:
  likes, reposts, replies stay unknown (an API response of the same posts fills them in).
* ``app.bsky.feed.repost`` -> a repost row: ``post_id`` = the repost record's URI,
  ``referenced_id`` = ``subject.uri`` (``via`` kept as ``via_id``, as for API records).
* ``app.bsky.graph.follow`` -> a follow edge owner -> ``subject`` (a DID). ``first_seen`` is the
  record's ``createdAt`` (when the follow was made), ``last_seen`` when the export was taken
  (``as_of``, else the file's modification time). A repo lists whom the account follows, never
  its followers.
* ``app.bsky.actor.profile/self`` -> the owner's ``accounts`` row (``displayName``,
  ``description``; a repo has no follower counts). A repo names no handle: ``owner=`` (``roi
  ingest --owner HANDLE``) gives it, else the row has the DID only and a note says to ingest
  again with ``--owner`` (``roi report`` names accounts by handle; ``roi timing --account`` takes
  the DID too). Without a profile record the owner still gets an accounts row (context).
* Every other collection (likes, blocks, lists, list items, thread gates...) is counted, not
  read: a note per collection says how many were skipped and why ("skipped 1,234 likes
  (app.bsky.feed.like): roi has no likes table"). Skipped records are not records of this source
  for the ``read = ingested + duplicates + rejected`` accounting.

A record is rejected with its reason (and its key, CID and bytes) when its block is missing from
the file, does not match its CID's sha2-256 digest, does not decode as DAG-CBOR, or lacks what
its row needs (a post or repost without ``createdAt``, a follow whose subject is not a DID). An
MST node that cannot be read is one rejected record: the records under it cannot be listed.
A file that is not a CAR, whose header or commit cannot be read, or that ends inside a block
(a truncated download) raises :class:`~roi.errors.InputError`: one line naming the file.

Library: ``libipld`` (the Rust DAG-CBOR / CID codec the atproto Python SDK is built on) decodes
each block: it reads CID links (CBOR tag 42) as CID bytes and refuses what is not valid DAG-CBOR,
where ``cbor2`` would leave tag 42 and CIDs to hand-written code. Its ``decode_car`` is not used:
it decodes the whole file at once and fails on one bad block, so the CAR framing (a varint, a
CID, the bytes) is read here block by block and a bad block costs one record, not the file.
Pinned at 3.1.1, a version both PyPI and conda-forge carry (``environment.yml`` installs it from
conda-forge); 3.5.0 passes the same tests.

Examples
--------
>>> car_version(bytes([10]) + b"\xa1gversion\x02")  # a CAR v2 pragma
2
>>> car_version(b'{"feed": []}') is None
True
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import libipld
import orjson
import pandas as pd

from roi.errors import InputError
from roi.io._base import ReadResult, Rejected, observed_time
from roi.io._csv import with_accounting
from roi.io._json import raw_text
from roi.io.bluesky import manual_reposts, post_fields
from roi.tables import conform

__all__ = ["read", "car_version", "CHUNK_RECORDS", "FORMAT"]

FORMAT = "bluesky-car"
PLATFORM = "bluesky"
CHUNK_RECORDS = 20_000
_SHA2_256 = 0x12
_POST = "app.bsky.feed.post"
_REPOST = "app.bsky.feed.repost"
_FOLLOW = "app.bsky.graph.follow"
_PROFILE = "app.bsky.actor.profile"
_NO_TABLE = "roi has no table for them"
# Collections roi does not read: what to call their records, and why they are skipped.
_SKIPPED = {
    "app.bsky.feed.like": ("like", "likes", "roi has no likes table"),
    "app.bsky.graph.block": ("block", "blocks", "roi has no blocks table"),
    "app.bsky.graph.list": ("list", "lists", _NO_TABLE),
    "app.bsky.graph.listitem": ("list membership", "list memberships", _NO_TABLE),
    "app.bsky.graph.listblock": ("list block", "list blocks", _NO_TABLE),
    "app.bsky.graph.starterpack": ("starter pack", "starter packs", _NO_TABLE),
    "app.bsky.feed.threadgate": ("thread gate (who may reply)", "thread gates (who may reply)",
                                 "reply settings are not analysed"),
    "app.bsky.feed.postgate": ("post gate (who may quote)", "post gates (who may quote)",
                               "quote settings are not analysed"),
    "app.bsky.feed.generator": ("feed generator", "feed generators", _NO_TABLE),
    "chat.bsky.actor.declaration": ("chat setting", "chat settings", "private settings, not posts"),
}
_RAW_LIMIT = 4096


class _Truncated(Exception):
    """The data ends inside a varint."""


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """Read an unsigned LEB128 varint at ``pos``: (value, position after it)."""
    value = shift = 0
    while True:
        if pos >= len(data):
            raise _Truncated
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint longer than 9 bytes")


def _header(data: bytes) -> tuple[Any, int]:
    """Read the CAR header (decoded) and where the first block starts; ValueError if there is none."""
    try:
        length, pos = _varint(data, 0)
    except _Truncated:
        raise ValueError("ends inside the header length") from None
    if not 0 < length <= 1 << 20 or pos + length > len(data):
        raise ValueError("no header of a plausible length")
    return libipld.decode_dag_cbor(bytes(data[pos:pos + length])), pos + length


def car_version(head: bytes) -> int | None:
    r"""Return the CAR version a file's first bytes declare, or None when they are not a CAR header.

    Parameters
    ----------
    head : bytes
        The first bytes of a file (the header is a few dozen bytes).

    Returns
    -------
    int or None
        1 for a CAR v1 header with ``roots`` (what Bluesky exports), 2 for a CAR v2 pragma.

    Examples
    --------
    >>> header = libipld.encode_dag_cbor({"version": 1, "roots": []})
    >>> car_version(bytes([len(header)]) + header)
    1
    >>> car_version(b"\x00\x01garbage") is None
    True
    """
    try:
        header, _ = _header(head)
    except (ValueError, TypeError, OverflowError, RecursionError):
        return None
    if not isinstance(header, dict) or isinstance(header.get("version"), bool):
        return None
    if header.get("version") == 1 and isinstance(header.get("roots"), list):
        return 1
    return 2 if header.get("version") == 2 and set(header) == {"version"} else None


def _cid_text(cid: Any) -> str:
    try:
        return libipld.encode_cid(cid)
    except (ValueError, TypeError):
        return repr(cid)[:80]


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):
        try:
            return {"$link": libipld.encode_cid(value)}
        except ValueError:
            return {"$bytes": value[:_RAW_LIMIT].hex()}
    raise TypeError


def _raw(value: Any) -> str:
    try:
        return raw_text(orjson.dumps(value, default=_json_default, option=orjson.OPT_NON_STR_KEYS))
    except TypeError:
        return repr(value)[:_RAW_LIMIT]


class _Blocks:
    """A CAR file's blocks by CID: framed once, each decoded (and its digest checked) when used."""

    def __init__(self, data: bytes, path: Path):
        self.data = data
        self.spans: dict[bytes, tuple[int, int]] = {}
        self.bad_frames = 0
        try:
            header, pos = _header(data)
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            raise InputError(f"{path}: not a CAR file (a Bluesky repo export starts with a CAR v1 header): "
                             f"{exc}") from None
        if not (isinstance(header, dict) and header.get("version") == 1 and header.get("roots")):
            raise InputError(f"{path}: a CAR header without version 1 and a root: not a Bluesky repo export")
        self.root = header["roots"][0]
        end = len(data)
        while pos < end:
            at = pos
            try:
                length, pos = _varint(data, pos)
            except (_Truncated, ValueError):
                raise InputError(f"{path}: truncated CAR file: it ends inside the block length at byte {at:,}; "
                                 "export the repository again") from None
            stop = pos + length
            if stop > end:
                raise InputError(f"{path}: truncated CAR file: the block at byte {at:,} needs {length:,} bytes, "
                                 f"{end - pos:,} remain; export the repository again")
            cid_end = self._cid_end(pos, stop)
            if cid_end is None:
                self.bad_frames += 1
            else:
                self.spans.setdefault(bytes(data[pos:cid_end]), (cid_end, stop))
            pos = stop

    def _cid_end(self, pos: int, stop: int) -> int | None:
        """Where the CID that starts a block ends (None: it is not a CID)."""
        data = self.data
        if stop - pos >= 34 and data[pos] == _SHA2_256 and data[pos + 1] == 0x20:
            return pos + 34  # CIDv0: a bare sha2-256 multihash
        try:
            version, p = _varint(data, pos)
            _codec, p = _varint(data, p)
            _code, p = _varint(data, p)
            size, p = _varint(data, p)
        except (_Truncated, ValueError):
            return None
        return p + size if version == 1 and p + size <= stop else None

    def get(self, cid: Any) -> tuple[Any, str | None, bytes]:
        """Return (decoded block, None) or (None, why it cannot be read); and the block's bytes."""
        span = self.spans.get(cid) if isinstance(cid, bytes) else None
        if span is None:
            return None, f"block {_cid_text(cid)} is missing from the file", b""
        body = bytes(self.data[span[0]:span[1]])
        try:
            digest = libipld.decode_cid(cid)["hash"]
        except (ValueError, KeyError, TypeError):
            digest = {}
        if digest.get("code") == _SHA2_256 and hashlib.sha256(body).digest() != digest.get("digest"):
            return None, f"block {_cid_text(cid)} does not match its sha2-256 digest (corrupt)", body
        try:
            return libipld.decode_dag_cbor(body), None, body
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            return None, f"block {_cid_text(cid)} does not decode as DAG-CBOR ({exc})", body


def _walk(blocks: _Blocks, root: Any) -> Iterator[tuple[str | None, Any, str | None, bytes]]:
    """Walk the MST's entries in key order: (key, record CID, None, b"") or (None, node CID, why, bytes)."""
    seen: set[bytes] = set()
    stack: list[tuple[bool, Any]] = [(False, root)]
    while stack:
        leaf, item = stack.pop()
        if leaf:
            yield item
            continue
        if isinstance(item, bytes) and item in seen:
            yield None, item, f"MST node {_cid_text(item)} is linked twice (a loop); read once", b""
            continue
        seen.add(item if isinstance(item, bytes) else b"")
        node, error, body = blocks.get(item)
        if error is None and not (isinstance(node, dict) and isinstance(node.get("e"), list)):
            error = f"block {_cid_text(item)} is not an MST node (no entry list)"
        if error is not None:
            yield None, item, f"MST node: {error}; the records under it cannot be listed", body
            continue
        items: list[tuple[bool, Any]] = [(False, node["l"])] if node.get("l") is not None else []
        previous = b""
        for entry in node["e"]:
            try:
                key = previous[:entry["p"]] + entry["k"]
                text = key.decode("ascii")
            except (KeyError, TypeError, UnicodeDecodeError):
                items.append((True, (None, item, f"MST node {_cid_text(item)}: an entry without a readable key "
                                                  "(p, k); the rest of this node cannot be listed", body)))
                break
            previous = key
            items.append((True, (text, entry.get("v"), None, b"")))
            if entry.get("t") is not None:
                items.append((False, entry["t"]))
        stack.extend(reversed(items))


class _Rows:
    """Rows of one table with their record index and context flag."""

    def __init__(self, name: str):
        self.name = name
        self.rows: list[dict] = []
        self.rejected: list[Rejected] = []
        self.read = 0

    def result(self, notes: list[str] | None = None) -> ReadResult:
        frame = pd.DataFrame(self.rows) if self.rows else pd.DataFrame({"_line": [], "_context": []})
        lines = frame["_line"].to_numpy()
        context = frame["_context"].to_numpy(dtype=bool)
        if self.name == "posts" and len(frame):
            frame = frame.assign(manual_repost=manual_reposts(frame))
        table = conform(self.name, frame.assign(platform=PLATFORM) if len(frame) else frame)
        if self.name == "posts" and "via_id" in frame.columns:
            table["via_id"] = frame["via_id"].astype("string").to_numpy()
        table = with_accounting(table, lines, context=False).assign(_context=context)
        result = ReadResult(tables={self.name: table}, rejected=self.rejected, read=self.read, primary=self.name)
        result.notes.extend(notes or [])
        return result


def _owner_handle(owner: str | None, did: str, path: Path) -> str | None:
    if owner is None or not str(owner).strip():
        return None
    owner = str(owner).strip().lstrip("@")
    if owner.startswith("did:"):
        if owner != did:
            raise InputError(f"{path}: --owner {owner} is not this repository's account ({did})")
        return None
    return owner


def read(path: Path, *, as_of: Any = None, owner: str | None = None) -> Iterator[ReadResult]:
    r"""Read a Bluesky repository export (``repo.car``) in chunks of canonical rows.

    Parameters
    ----------
    path : Path
        The CAR file (Settings -> Privacy and security -> Export my data).
    as_of : Timestamp, optional
        When the export was taken: the profile's observation time and every follow edge's
        ``last_seen`` (default: the file's modification time).
    owner : str, optional
        The account's handle (``@acme.com`` or ``acme.com``): a repo names none. The repo's own
        DID is accepted too (then the account keeps no handle).

    Yields
    ------
    ReadResult
        ``posts`` chunks (posts and reposts), then ``follows`` (whom the owner follows), then
        ``accounts`` (the owner's profile; a context row when the repo has none). Notes say
        which collections were skipped and how many records each had.

    Raises
    ------
    InputError
        Not a CAR v1 file, a truncated one, a header or commit that cannot be read, or an
        ``owner`` DID that is not the repository's.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "repo.car"
    >>> _ = p.write_bytes(b"\x05hello")
    >>> next(read(p))
    Traceback (most recent call last):
    roi.errors.InputError: ...repo.car: not a CAR file (a Bluesky repo export starts with a CAR v1 header): ...
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    blocks = _Blocks(data, path)
    commit, error, _ = blocks.get(blocks.root)
    if error is not None:
        raise InputError(f"{path}: the repository's commit cannot be read: {error}")
    did = commit.get("did") if isinstance(commit, dict) else None
    if not (isinstance(did, str) and did.startswith("did:") and commit.get("data") is not None):
        raise InputError(f"{path}: the root block is not a repository commit (no did and data): "
                         "not a Bluesky repo export")
    observed = observed_time(path, as_of)
    handle = _owner_handle(owner, did, path)
    posts, follows, accounts = _Rows("posts"), _Rows("follows"), _Rows("accounts")
    tables = {_POST: posts, _REPOST: posts, _FOLLOW: follows, _PROFILE: accounts}
    skipped: Counter[str] = Counter()
    record = 0
    for key, cid, problem, body in _walk(blocks, commit["data"]):
        record += 1
        if key is None:  # an MST node that cannot be read: one record, its contents unknown
            posts.read += 1
            posts.rejected.append(Rejected(record, problem, _raw({"cid": cid, "block": body})))
            continue
        collection, _, rkey = key.partition("/")
        table = tables.get(collection)
        if table is None:
            skipped[collection] += 1
            continue
        table.read += 1
        uri = f"at://{did}/{key}"
        value, error, body = blocks.get(cid)
        if error is not None:
            table.rejected.append(Rejected(record, f"{uri}: {error}", _raw({"uri": uri, "cid": cid, "block": body})))
            continue
        why = _record(table, value, collection=collection, uri=uri, did=did, rkey=rkey, record=record,
                      observed=observed, handle=handle)
        if why is not None:
            table.rejected.append(Rejected(record, f"{uri}: {why}", _raw({"uri": uri, "value": value})))
        if len(posts.rows) >= CHUNK_RECORDS:
            yield posts.result()
            posts = tables[_POST] = tables[_REPOST] = _Rows("posts")
    if not accounts.rows:
        accounts.rows.append(_account(did, handle, None, observed, record=0, context=True))
    notes = _notes(skipped, blocks.bad_frames, did, handle)
    yield posts.result()
    yield follows.result()
    yield accounts.result(notes)


def _record(table: _Rows, value: Any, *, collection: str, uri: str, did: str, rkey: str, record: int,
            observed: Any, handle: str | None) -> str | None:
    """Add the row a record gives to ``table``; return why it cannot be read (None: added)."""
    if not isinstance(value, dict):
        return "the record is not a map"
    created = value.get("createdAt")
    if collection == _PROFILE:
        if rkey != "self":
            return "a profile record not named self (a repo has one profile: app.bsky.actor.profile/self)"
        table.rows.append(_account(did, handle, value, observed, record=record, context=False))
        return None
    if not isinstance(created, str) or not created:
        return "no createdAt"
    when = _when(created)
    if when is None:
        return f"createdAt {created[:64]!r} is not a date"
    if collection == _FOLLOW:
        subject = value.get("subject")
        if not (isinstance(subject, str) and subject.startswith("did:")):
            return "a follow whose subject is not a DID"
        if subject == did:
            return "the account follows itself"
        # Made at createdAt, there when the export was taken (a follow dated later is seen then).
        first = min(when, observed) if observed is not None else when
        table.rows.append({"follower_id": did, "followee_id": subject, "first_seen": first,
                           "last_seen": observed if observed is not None else when, "_line": record, "_context": False})
        return None
    if collection == _REPOST:
        subject = value.get("subject")
        target = subject.get("uri") if isinstance(subject, dict) else None
        if not (isinstance(target, str) and target.startswith("at://")):
            return "a repost without subject.uri"
        via = value.get("via") if isinstance(value.get("via"), dict) else {}
        table.rows.append({"post_id": uri, "author_id": did, "created_at": when, "kind": "repost",
                           "referenced_id": target, "hashtags": [], "mentions": [], "urls": [],
                           "via_id": via.get("uri"), "_line": record, "_context": False})
        return None
    try:
        row = post_fields(uri, value, {})
    except (AttributeError, TypeError, ValueError) as exc:
        return f"a post whose text, facets, embed or reply cannot be read ({type(exc).__name__}: {exc})"
    row.update({"author_id": did, "created_at": when, "_line": record, "_context": False})
    table.rows.append(row)
    return None


def _when(text: str) -> pd.Timestamp | None:
    """Parse an ISO 8601 ``createdAt`` as a UTC time (naive = UTC), or None when it is not a date.

    Parsed here, record by record, so one bad date is one rejected record (not a failed file);
    dates outside the years roi accepts are left to ingest's one date rule.

    >>> _when("2026-10-01T13:05:00.000Z"), _when("2026-10-01T15:05:00+02:00") == _when("2026-10-01T13:05Z")
    (Timestamp('2026-10-01 13:05:00+0000', tz='UTC'), True)
    >>> _when("2024-02-30T10:00:00Z") is None, _when("0000-01-01T00:00:00Z") is None, _when("last tuesday") is None
    (True, True, True)
    """
    try:
        parsed = dt.datetime.fromisoformat(text)
        return pd.Timestamp(parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC))
    except (ValueError, TypeError, OverflowError):
        if text[:4] == "0000":  # no year 0: pandas would read one as some other year
            return None
        when = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
        return None if pd.isna(when) else when


def _account(did: str, handle: str | None, profile: dict | None, observed: Any, *, record: int,
             context: bool) -> dict:
    profile = profile or {}
    text = {k: profile.get(k) if isinstance(profile.get(k), str) else None for k in ("displayName", "description")}
    return {"account_id": did, "handle": handle, "display_name": text["displayName"],
            "description": text["description"], "observed_at": observed, "_line": record, "_context": context}


def _notes(skipped: Counter[str], bad_frames: int, did: str, handle: str | None) -> list[str]:
    notes = []
    for collection, n in sorted(skipped.items(), key=lambda kv: (-kv[1], kv[0])):
        one, many, why = _SKIPPED.get(collection, ("record", "records", "not a post, repost, follow or profile"))
        notes.append(f"skipped {n:,} {one if n == 1 else many} ({collection}): {why}")
    if bad_frames:
        notes.append(f"{bad_frames:,} block(s) without a readable CID ignored (no record can refer to them)")
    if handle is None:
        notes.append(f"the repository names no handle: its account is {did}, without one; ingest it again "
                     "with --owner HANDLE so roi report / roi timing --account HANDLE find it")
    notes.append("a repository holds no metrics (likes, reposts, replies of posts) and no followers: "
                 "ingest API responses for those")
    return notes
