r"""Format detection by content, for every format roi reads, in one place.

A file is recognised by its first bytes and first records, never by its extension: exports get
renamed (``tweets.txt``, ``data.json``, ``export (3).csv``) and the extension says little about
the shape inside. :func:`detect` returns a :class:`Detection` with the format (or None) and a
one-line reason that ingest reports for a skipped file.

Rules, in order:

* 0-byte file: not an export.
* A CAR v1 header (a varint length, then DAG-CBOR ``{version: 1, roots: [...]}``) ->
  ``bluesky-car``: a Bluesky repository export (``repo.car``); a CAR v2 file is named as such. A
  file named ``*.car`` without that header is said to be no CAR (truncated or not an export).
* ``window.YTD.<name>.partN = [`` -> ``x-archive`` (the ``window.__THAR_CONFIG`` manifest is read
  with its archive, not on its own); a folder or .zip holding ``data/tweets.js``, ``data/tweet.js``
  or YTD ``*.js`` files at top level is one ``x-archive`` source (:func:`is_x_archive`).
* JSON (JSON Lines, an array, or one document), judged on the first records that parse:
  twarc2 pages (``data`` + ``includes``/``meta``/``__twarc``), flattened v2 tweets
  (``id`` + ``text`` + ``author_id``/``edit_history_tweet_ids``) and v2 users -> ``x-v2``;
  v1.1 tweets (``id_str`` + ``user`` + ``text``/``full_text``), v1.1 search responses
  (``statuses``) and v1.1 direct-message events (which the reader skips with a note) -> ``x-v1``;
  ActivityStreams (``@context`` / ``orderedItems`` / ``type`` Person...), and a bare array of
  ``Create``/``Announce`` activities (an outbox without its collection) -> ``mastodon``;
  Bluesky responses (``feed``, ``thread``, ``followers``/``follows`` with ``did:`` / ``at://``)
  -> ``bluesky``.
* CSV, by its header: ``Tweet id,Tweet permalink,...,time`` (X analytics' tweet-activity export)
  and ``Post id,Date,Post text,Post Link,...`` (its content export since 2024) -> ``x-analytics``;
  ``experiment_id,arm,post_id`` -> ``experiments``;
  ``week,activity,hours`` -> ``effort``;
  ``follower_id,followee_id`` -> ``follows``; ``date`` + ``utm_content`` or a landing URL
  (``landing_page``, ``landing page + query string``, ``page path + query string``,
  ``page_location``...) -> ``conversions``, and so is ``date`` + a channel (``session default
  channel group``...) + ``sessions``/``clicks`` (channel traffic only); ``post_id`` + ``author`` + ``created_at`` -> ``csv``.
* The one rule by name: an id list called ``followers-of-<id>.txt`` / ``following-of-<id>.txt``
  (one account id a line, no header) -> ``follows``; its name says whose list it is.

Examples
--------
>>> sniff(b'{"data": [{"id": "1", "text": "hi", "author_id": "2"}], "meta": {}}\n').format
'x-v2'
>>> sniff(b'follower_id,followee_id,as_of\n1,2,2026-01-01\n').format
'follows'
>>> sniff(b"\x00\x01\x02garbage").reason
'binary content (not a text export)'
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from roi.io._json import open_bytes
from roi.io.bluesky_car import car_version
from roi.io.follows import ID_LIST_NAME
from roi.io.mastodon import is_activity_list
from roi.io.x_analytics import is_content_export, is_tweet_activity

__all__ = ["FORMATS", "Detection", "detect", "sniff", "is_x_archive", "ytd_name"]

FORMATS = (
    "x-v2", "x-v1", "x-archive", "mastodon", "bluesky", "bluesky-car", "csv", "x-analytics", "conversions",
    "follows", "experiments", "effort",
)
HEAD_BYTES = 1 << 20
_YTD = re.compile(rb"^\s*window\.YTD\.([A-Za-z0-9_]+)\.part(\d+)\s*=")
_ACTIVITY_TYPE = re.compile(r'"type"\s*:\s*"(?:Create|Announce)"')
_THAR = re.compile(rb"^\s*window\.__THAR_CONFIG\s*=")
_V1_DATE = re.compile(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} [+-]\d{4} \d{4}$")
ARCHIVE_TWEET_FILES = ("tweets.js", "tweet.js")
# Header names (lower-cased) of a landing URL carrying utm parameters in web-analytics exports
# (GA4's "Landing page + query string" and "Page path + query string" among them).
LANDING_COLUMNS = frozenset({"landing_page", "landing_url", "landing page", "page_location", "url", "page",
                             "landing page + query string", "page path + query string",
                             "landing_page_+_query_string", "page_path_+_query_string"})

# Header names (lower-cased) of the traffic channel in web-analytics exports.
CHANNEL_COLUMNS = frozenset({"channel", "session default channel group", "session_default_channel_group",
                             "default channel group", "default channel grouping", "default_channel_grouping"})


@dataclass(frozen=True)
class Detection:
    """What a file is: ``format`` (None when no reader claims it) and why, in one line."""

    format: str | None
    reason: str
    detail: str | None = None  # e.g. "users" for twarc2 user pages, the YTD name for archives

    def __bool__(self) -> bool:
        """Return True when a format was recognised."""
        return self.format is not None


def ytd_name(head: bytes) -> str | None:
    """Return the ``<name>`` of a ``window.YTD.<name>.partN = [`` file, or None.

    >>> ytd_name(b"window.YTD.tweets.part0 = [")
    'tweets'
    """
    m = _YTD.match(head.lstrip(b"\xef\xbb\xbf"))
    return m.group(1).decode() if m else None


def detect(path: Any) -> Detection:
    """Detect the format of a file, a folder or a zip by its content.

    Parameters
    ----------
    path : str or Path
        A file, or a folder / .zip that may be an X archive.

    Returns
    -------
    Detection
        ``format`` is one of :data:`FORMATS` or None; ``reason`` says why in one line.
    """
    p = Path(path)
    if p.is_dir():
        if is_x_archive(p):
            return Detection("x-archive", "X archive folder (YTD .js files)")
        return Detection(None, "a folder (walked, not a source)")
    try:
        size = p.stat().st_size
    except OSError as exc:
        return Detection(None, f"cannot be read ({exc.strerror or exc})")
    if size == 0:
        return Detection(None, "empty file (0 bytes)")
    if ID_LIST_NAME.match(p.name):
        return Detection("follows", f"id list named {p.name} (follower snapshot)")
    if zipfile.is_zipfile(p):
        if is_x_archive(p):
            return Detection("x-archive", "X archive .zip")
        return Detection(None, "a .zip that is not an X archive (no data/tweets.js or YTD files)")
    try:
        with open_bytes(p) as fh:
            head = fh.read(HEAD_BYTES)
            if len(head) == HEAD_BYTES:
                # Make sure the first line is whole: a twarc2 page can be several MiB.
                head += fh.readline(64 << 20)
    except OSError as exc:
        return Detection(None, f"cannot be read ({exc.strerror or exc})")
    found = sniff(head)
    if p.suffix.lower() == ".car" and found.format != "bluesky-car" and car_version(head) is None:
        return Detection(None, "named .car but it does not start with a CAR v1 header: truncated, damaged "
                               "or not a Bluesky repository export")
    return found


def sniff(head: bytes) -> Detection:
    """Detect a format from the first bytes of a file (see the module docstring for the rules)."""
    if not head.strip():
        return Detection(None, "blank file (only whitespace)")
    version = car_version(head)
    if version == 1:
        return Detection("bluesky-car", "CAR v1 file (Bluesky repository export)")
    if version == 2:
        return Detection(None, "CAR v2 file: roi reads CAR v1, the format of Bluesky's repository export")
    head = head.removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in head[:8192] or _mostly_control(head[:8192]):
        return Detection(None, "binary content (not a text export)")
    name = ytd_name(head)
    if name is not None:
        return Detection("x-archive", f"X archive file window.YTD.{name}", detail=name)
    if _THAR.match(head):
        return Detection(None, "X archive manifest (read together with its archive folder)")
    first = head.lstrip()[:1]
    if first in (b"{", b"["):
        return _sniff_json(head)
    return _sniff_csv(head)


def _mostly_control(sample: bytes) -> bool:
    if not sample:
        return False
    text_bytes = sum(1 for b in sample if b >= 32 or b in (9, 10, 13))
    return text_bytes / len(sample) < 0.9


def _json_values(head: bytes) -> list[Any]:
    """Return the first few JSON values of a head: whole-document, or line by line."""
    try:
        value = orjson.loads(head)
        return value[:5] if isinstance(value, list) else [value]
    except orjson.JSONDecodeError:
        pass
    values: list[Any] = []
    for line in head.splitlines()[:50]:
        line = line.strip()
        if not line:
            continue
        for candidate in (line, line.decode("latin-1", errors="replace").encode()):
            try:
                value = orjson.loads(candidate)
            except orjson.JSONDecodeError:
                continue
            values.extend(value[:5] if isinstance(value, list) else [value])
            break
        if len(values) >= 5:
            break
    return values


def _sniff_json(head: bytes) -> Detection:
    values = [v for v in _json_values(head) if isinstance(v, dict)]
    if not values:
        if head.lstrip()[:1] in (b"{", b"["):
            # A single document larger than the head: judge by its keys.
            return _sniff_json_keys(head)
        return Detection(None, "JSON, but no object in the first records")
    if head.lstrip()[:1] == b"[" and is_activity_list(values):
        return Detection("mastodon", "ActivityStreams activities (an outbox saved as a bare array)")
    for value in values:
        found = _classify_json(value)
        if found:
            return found
    keys = ", ".join(sorted(values[0])[:8])
    return Detection(None, f"JSON, but not a known export (first object has keys: {keys})")


def _sniff_json_keys(head: bytes) -> Detection:
    text = head[:HEAD_BYTES].decode("utf-8", errors="replace")
    if '"orderedItems"' in text or "activitystreams" in text or (
            text.lstrip().startswith("[") and '"actor"' in text and _ACTIVITY_TYPE.search(text)):
        return Detection("mastodon", "ActivityStreams document")
    if '"id_str"' in text and '"user"' in text:
        return Detection("x-v1", "X API v1.1 tweets")
    if '"data"' in text and ('"includes"' in text or '"author_id"' in text):
        return Detection("x-v2", "X API v2 document")
    if "at://" in text and ('"feed"' in text or '"thread"' in text or '"post"' in text):
        return Detection("bluesky", "Bluesky API response")
    return Detection(None, "JSON that does not parse as any known export in its first MiB")


def _is_v2_tweet(d: dict) -> bool:
    return "id" in d and "text" in d and "id_str" not in d and (
        "author_id" in d or "edit_history_tweet_ids" in d or "public_metrics" in d or "__twarc" in d)


def _is_v2_user(d: dict) -> bool:
    return "id" in d and "username" in d and "text" not in d


def _classify_json(d: dict) -> Detection | None:
    data = d.get("data")
    if isinstance(data, dict):
        data = [data]
    if isinstance(data, list) and ("includes" in d or "meta" in d or "__twarc" in d or data):
        items = [x for x in data[:5] if isinstance(x, dict)]
        if items and all(_is_v2_user(x) for x in items):
            return Detection("x-v2", "twarc2 user pages (X API v2)", detail="users")
        if items and any(_is_v2_tweet(x) or ("id" in x and "text" in x) for x in items):
            return Detection("x-v2", "twarc2 pages (X API v2)", detail="tweets")
        if not items and ("meta" in d or "__twarc" in d):
            return Detection("x-v2", "twarc2 pages (X API v2), first page empty", detail="tweets")
    if isinstance(d.get("statuses"), list) and ("search_metadata" in d or any(
            isinstance(t, dict) and "id_str" in t for t in d["statuses"][:5])):
        return Detection("x-v1", "X API v1.1 search response (statuses)")
    events = d.get("events")
    if isinstance(events, list) and events and all(isinstance(e, dict) and e.get("type") == "message_create"
                                                   for e in events[:5]):
        return Detection("x-v1", "X API v1.1 direct messages (read only to be skipped: private, not posts)")
    if _is_v2_tweet(d):
        return Detection("x-v2", "flattened X API v2 tweets", detail="tweets")
    if _is_v2_user(d) and ("public_metrics" in d or "__twarc" in d):
        return Detection("x-v2", "flattened X API v2 users", detail="users")
    if "id_str" in d and ("text" in d or "full_text" in d) and (
            "user" in d or _V1_DATE.match(str(d.get("created_at", "")))):
        return Detection("x-v1", "X API v1.1 tweets")
    ctx = d.get("@context")
    if ctx is not None and "activitystreams" in orjson.dumps(ctx).decode():
        return Detection("mastodon", f"ActivityStreams {d.get('type', 'document')}")
    if "orderedItems" in d and d.get("type") in ("OrderedCollection", "OrderedCollectionPage"):
        return Detection("mastodon", "ActivityStreams collection")
    if _is_bluesky(d):
        return Detection("bluesky", "Bluesky API response")
    return None


def _is_bluesky(d: dict) -> bool:
    text = orjson.dumps(d)[:20000]
    if b"at://" not in text and b"did:" not in text:
        return False
    return any(k in d for k in ("feed", "thread", "followers", "follows", "posts")) or (
        "uri" in d and "record" in d) or (  # com.atproto.repo.listRecords: records of at:// uri + value
        isinstance(d.get("records"), list) and any(isinstance(r, dict) and str(r.get("uri", "")).startswith("at://")
                                                   and "value" in r for r in d["records"][:5]))


def _sniff_csv(head: bytes) -> Detection:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head.decode("latin-1")
    first_line = text.splitlines()[0] if text.splitlines() else ""
    try:
        dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        header = next(csv.reader(io.StringIO(first_line), delimiter=delimiter))
    except (csv.Error, StopIteration):
        return Detection(None, "neither JSON nor a CSV with a header")
    cols = {c.strip().strip('"').lower() for c in header}
    if len(cols) < 2:
        return Detection(None, "text, but neither JSON nor a CSV export with a known header")
    if is_tweet_activity(cols):
        return Detection("x-analytics", "X analytics tweet-activity export (Tweet id, Tweet permalink, time)")
    if is_content_export(cols):
        return Detection("x-analytics", "X analytics content export (Post id, Date, Post Link)")
    if {"experiment_id", "arm", "post_id"} <= cols:
        return Detection("experiments", "experiments CSV (experiment_id, arm, post_id)")
    if {"week", "activity", "hours"} <= cols:
        return Detection("effort", "effort log CSV (week, activity, hours)")
    if {"week", "activity"} <= cols:
        return Detection(None, "CSV with week and activity but no hours column for an effort log "
                               "(week, activity, hours[, cost])")
    if {"follower_id", "followee_id"} <= cols:
        return Detection("follows", "follows CSV (follower_id, followee_id)")
    landing = cols & LANDING_COLUMNS
    if "date" in cols and ("utm_content" in cols or landing):
        return Detection("conversions", "web-analytics CSV (date + utm_content or landing URL)")
    if "date" in cols and cols & CHANNEL_COLUMNS and cols & {"sessions", "clicks"}:
        return Detection("conversions", "web-analytics CSV by channel (date + channel + sessions)")
    authors = cols & {"author", "author_id"}
    if "post_id" in cols and authors and "created_at" in cols:
        return Detection("csv", "posts CSV (post_id, author, created_at)")
    if "post_id" in cols:
        missing = [c for c in ("author", "created_at") if c not in cols and not (c == "author" and authors)]
        return Detection(None, f"CSV with post_id but missing required column(s) {', '.join(missing)} "
                               "for a posts CSV (post_id, author, created_at)")
    shown = ", ".join(c for c in header[:8])
    return Detection(None, f"CSV with an unknown header ({shown})")


# ---------------------------------------------------------------------------- X archives
def _archive_names(path: Path) -> list[str]:
    if path.is_dir():
        return [p.relative_to(path).as_posix() for p in path.rglob("*.js") if p.is_file()]
    with zipfile.ZipFile(path) as zf:
        return [n for n in zf.namelist() if n.endswith(".js")]


def _archive_head(path: Path, name: str) -> bytes:
    if path.is_dir():
        with (path / name).open("rb") as fh:
            return fh.read(256)
    with zipfile.ZipFile(path) as zf, zf.open(name) as fh:
        return fh.read(256)


def is_x_archive(path: Any) -> bool:
    """Return True for a folder or .zip that is an X "Download your data" archive.

    It must hold ``data/tweets.js`` or ``data/tweet.js`` (possibly under one top folder, as
    when a zip is extracted into a folder of its own name), or YTD ``*.js`` files at its top level.
    """
    p = Path(path)
    try:
        names = _archive_names(p) if (p.is_dir() or zipfile.is_zipfile(p)) else []
    except (OSError, zipfile.BadZipFile):
        return False
    for name in names:
        parts = name.split("/")
        if parts[-1] in ARCHIVE_TWEET_FILES and (len(parts) == 1 or parts[-2] == "data") and len(parts) <= 3:
            if ytd_name(_archive_head(p, name)) is not None:
                return True
    top = [n for n in names if "/" not in n]
    return any(ytd_name(_archive_head(p, n)) in ("tweets", "tweet", "follower", "following", "account")
               for n in top[:50])
