"""The fast path of the X v2 reader: a block of twarc2 page lines parsed natively, columns by Arrow.

:func:`read_block` takes a block of whole lines of a twarc2 JSONL file and, when every line of it
is a well-formed page of tweets, returns the same canonical rows the per-record Python path of
:mod:`roi.io.x_v2` builds (same columns, same order of rows: each page's ``data`` tweets, then its
``includes`` users and tweets -- where rows are not stored in that order, a private ``_rank`` column
gives each row's place in it), with no Python loop over tweets: roi's native line scanner
(:mod:`roi.io._json_lines`) parses the block against an explicit schema -- or, where it declines or
is not built, pyarrow's JSON reader, which gives the same table -- in the calling thread (the reader
parses several blocks at once), and every field mapping (``kind`` from
``referenced_tweets``, hashtags/mentions/URLs from ``entities``, impressions from
``non_public_metrics`` / ``organic_metrics`` / ``public_metrics``) is an Arrow or NumPy operation
over whole columns. The rows come back as Arrow tables in the canonical schema, which ingest
writes to Parquet without a round trip through pandas.

It returns None -- and the caller reads the block record by record instead, so every record
stays accounted for with its line and reason -- whenever the block holds anything the fast path
does not reproduce exactly: a line that is not valid UTF-8 JSON, a blank line, a value of an
unexpected type (numeric ids, a ``data`` object instead of a list), a line that is not a page of
tweets (user pages, flattened tweets, error pages), a tweet without an id or without text and
author, a long-form ``note_tweet``, an unparseable timestamp or a negative count.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from roi.io._json_lines import parse_lines
from roi.tables import conform_arrow
from roi.text import is_retweet_text

__all__ = ["read_block", "read_flat_block", "count_lines", "PAGE_SCHEMA", "FLAT_SCHEMA"]

_S, _I = pa.string(), pa.int64()
_TS = pa.timestamp("us", tz="UTC")
_LIST = pa.list_(pa.string())
_TWEET = pa.struct([
    ("id", _S), ("author_id", _S), ("created_at", _S), ("text", _S), ("lang", _S), ("conversation_id", _S),
    ("username", _S), ("note_tweet", pa.struct([("text", _S)])), ("edit_history_tweet_ids", _LIST),
    ("referenced_tweets", pa.list_(pa.struct([("type", _S), ("id", _S)]))),
    ("entities", pa.struct([
        ("hashtags", pa.list_(pa.struct([("tag", _S)]))),
        ("mentions", pa.list_(pa.struct([("username", _S), ("start", _I)]))),
        ("urls", pa.list_(pa.struct([("url", _S), ("expanded_url", _S)]))),
    ])),
    ("public_metrics", pa.struct([("like_count", _I), ("retweet_count", _I), ("reply_count", _I),
                                  ("quote_count", _I), ("impression_count", _I)])),
    ("non_public_metrics", pa.struct([("impression_count", _I), ("url_link_clicks", _I)])),
    ("organic_metrics", pa.struct([("impression_count", _I), ("url_link_clicks", _I)])),
])
_USER = pa.struct([
    ("id", _S), ("username", _S), ("name", _S), ("description", _S), ("location", _S), ("created_at", _S),
    ("verified", pa.bool_()),
    ("public_metrics", pa.struct([("followers_count", _I), ("following_count", _I), ("tweet_count", _I)])),
])
PAGE_SCHEMA = pa.schema([
    ("data", pa.list_(_TWEET)),
    ("includes", pa.struct([("users", pa.list_(_USER)), ("tweets", pa.list_(_TWEET))])),
    ("__twarc", pa.struct([("retrieved_at", _S)])),
])
# ``twarc2 flatten``: a tweet a line, with its ``author`` and its referenced tweets (each with its
# own ``author``) embedded in ``referenced_tweets``.
_REFERENCED = pa.struct([*_TWEET, ("type", _S), ("author", _USER)])
FLAT_SCHEMA = pa.schema([
    *[fld for fld in _TWEET if fld.name != "referenced_tweets"],
    ("referenced_tweets", pa.list_(_REFERENCED)),
    ("author", _USER),
    ("data", _S),  # present only on lines that are pages, not tweets: the fast path declines them
    ("__twarc", pa.struct([("retrieved_at", _S)])),
])
_PARSE = pajson.ParseOptions(explicit_schema=PAGE_SCHEMA, unexpected_field_behavior="ignore")
_PARSE_FLAT = pajson.ParseOptions(explicit_schema=FLAT_SCHEMA, unexpected_field_behavior="ignore")
# One block is parsed in one thread (the caller parses blocks in parallel); block_size only has to
# exceed a block (x_v2.BLOCK_BYTES plus the rest of its last line) so it is parsed in one piece.
_READ = pajson.ReadOptions(block_size=64 << 20, use_threads=False)
_KINDS = pa.array(["original", "repost", "reply", "quote"])
_PLATFORM = pa.scalar("x", _S)  # repeated, not built from a NumPy object array (1 ms a block, 20x slower)
_VIEWS_COUNTED_FROM = "2022-12"


class _Fallback(Exception):
    """The block holds something the fast path does not reproduce exactly."""


def read_block(block: bytes, first_line: int, n_lines: int | None, observed_of: Callable[[str | None], int]
               ) -> tuple[dict[str, pa.Table], int, int] | None:
    """Canonical posts and accounts of a block of twarc2 page lines, or None to read it record by record.

    Parameters
    ----------
    block : bytes
        Whole lines (the last one may lack its newline).
    first_line : int
        The 1-based line number of the block's first line.
    n_lines : int or None
        How many lines the block holds (a blank line makes the fast path decline); None: count
        them if needed (the native scanner needs no count: it declines blank lines itself).
    observed_of : callable
        Maps a page's ``__twarc.retrieved_at`` (or None) to microseconds UTC, as the Python path does.

    Returns
    -------
    (tables, read, n_lines) or None
        ``tables`` as a :class:`~roi.io._base.ReadResult` carries them, as Arrow tables with the
        canonical schema plus ``_line`` and ``_context``, and ``_rank`` when the rows are not in
        reading order (ingest writes them with no pandas round trip); ``read`` the number of
        tweets in the pages' ``data`` (the records); ``n_lines`` the block's lines.
    """
    return _parse(block, first_line, n_lines, observed_of, _PARSE, _columns)


def _parse(block: bytes, first_line: int, n_lines: int | None, observed_of: Callable[[str | None], int],
           options: pajson.ParseOptions, columns: Callable[..., tuple[dict[str, pa.Table], int]]
           ) -> tuple[dict[str, pa.Table], int, int] | None:
    """Parse a block against a schema and map it with ``columns``; None whenever it cannot be exact."""
    # The native scan gives pyarrow's table about three times faster, or declines (None) whenever
    # it cannot be sure to: then pyarrow parses the block, as it always did.
    table = parse_lines(block, options.explicit_schema)  # a row a line when it reads the block
    if table is None:
        try:
            table = pajson.read_json(pa.BufferReader(block), read_options=_READ, parse_options=options)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
            return None
        if table.num_rows != (count_lines(block) if n_lines is None else n_lines):
            return None  # blank lines (pyarrow skips them): row i would no longer be line first_line + i
    elif n_lines is not None and table.num_rows != n_lines:
        return None
    try:
        return (*columns(table, first_line, observed_of), table.num_rows)
    except _Fallback:
        return None


def count_lines(block: bytes) -> int:
    r"""Lines in a block: its newlines, plus a last line without one.

    >>> count_lines(b"a\nb\n"), count_lines(b"a\nb"), count_lines(b"")
    (2, 2, 0)
    """
    return int(np.count_nonzero(np.frombuffer(block, dtype=np.uint8) == 10)) + (bool(block) and not block.endswith(b"\n"))


def _columns(table: pa.Table, first_line: int, observed_of: Callable[[str | None], int]
             ) -> tuple[dict[str, pa.Table], int]:
    data = _column(table, "data")
    if data.null_count:
        raise _Fallback("a line without a data list")
    page_observed = _observed(table, observed_of)
    lines = np.arange(first_line, first_line + table.num_rows, dtype="int64")

    includes = _column(table, "includes")
    inc_tweets = pc.struct_field(includes, "tweets")
    inc_users = pc.struct_field(includes, "users")

    d_page = pc.list_parent_indices(data).to_numpy()
    d_rows = data.flatten()
    n_read = len(d_rows)
    _require_tweets(d_rows)
    user_like = pc.and_(pc.is_valid(pc.struct_field(d_rows, "username")), pc.is_null(pc.struct_field(d_rows, "text")))
    if n_read and pc.any(user_like).as_py():
        raise _Fallback("a user page")

    i_page, i_rows = _valid_items(inc_tweets)
    if len(i_rows):  # an included tweet without its time or author is not stored (as on the record path)
        storable = _storable(i_rows)
        i_page, i_rows = i_page[storable], _kept(i_rows, storable)
    u_page, u_rows = _valid_items(inc_users)

    posts = pa.concat_tables([_posts(d_rows, d_page, lines, page_observed, False),
                              _posts(i_rows, i_page, lines, page_observed, True)])
    # The Python path's order: each page's data tweets, then its included tweets (as ranks).
    posts = _ranked(posts, _line_rank(d_page, i_page))
    return _tables(posts, _accounts(u_rows, u_page, lines, page_observed)), n_read


def read_flat_block(block: bytes, first_line: int, n_lines: int | None, observed_of: Callable[[str | None], int]
                    ) -> tuple[dict[str, pa.Table], int, int] | None:
    """Canonical rows of a block of flattened tweets (``twarc2 flatten``), or None to read it record by record.

    The same contract as :func:`read_block`: each line's tweet is a record; its ``author`` and its
    embedded referenced tweets (those carrying their text) with their authors are context rows, in
    the order the record-by-record path gives them (per line: the tweet, then its references;
    the author, then the references' authors).
    """
    return _parse(block, first_line, n_lines, observed_of, _PARSE_FLAT, _flat_columns)


def _flat_columns(table: pa.Table, first_line: int, observed_of: Callable[[str | None], int]
                  ) -> tuple[dict[str, pa.Table], int]:
    n = table.num_rows
    if table.column("data").null_count != n:
        raise _Fallback("a page among flattened tweets")
    page_observed = _observed(table, observed_of)
    lines = np.arange(first_line, first_line + n, dtype="int64")
    line_of = np.arange(n, dtype="int64")
    tweets = pa.StructArray.from_arrays([_column(table, f.name) for f in _TWEET],
                                        names=[f.name for f in _TWEET])
    _require_tweets(tweets)

    refs = _column(table, "referenced_tweets")
    r_line = pc.list_parent_indices(refs).to_numpy() if len(refs) else np.zeros(0, "int64")
    r_rows = refs.flatten()
    if len(r_rows):
        embedded = pc.and_(pc.is_valid(pc.struct_field(r_rows, "id")), pc.is_valid(pc.struct_field(r_rows, "text")))
        mask = _np_bool(embedded) & _storable(r_rows)
        r_line, r_rows = r_line[mask], _kept(r_rows, mask)
    r_tweets = pa.StructArray.from_arrays([pc.struct_field(r_rows, f.name) for f in _TWEET],
                                          names=[f.name for f in _TWEET]) if len(r_rows) else pa.array([], _TWEET)

    posts = pa.concat_tables([_posts(tweets, line_of, lines, page_observed, False),
                              _posts(r_tweets, r_line, lines, page_observed, True)])
    posts = _ranked(posts, _line_rank(line_of, r_line))

    # Accounts: each line's author, then its references' authors.
    authors = _column(table, "author")
    a_valid = _np_bool(pc.is_valid(pc.struct_field(authors, "id")))
    r_authors = pc.struct_field(r_rows, "author") if len(r_rows) else pa.array([], _USER)
    ra_valid = _np_bool(pc.is_valid(pc.struct_field(r_authors, "id"))) if len(r_authors) else np.zeros(0, bool)
    users = pa.concat_arrays([_kept(authors, a_valid), _kept(r_authors, ra_valid)])
    u_line = np.r_[line_of[a_valid], r_line[ra_valid]]
    accounts = _ranked(_accounts(users, u_line, lines, page_observed),
                       _line_rank(line_of[a_valid], r_line[ra_valid]))
    return _tables(posts, accounts), n


def _kept(values: pa.Array, mask: np.ndarray) -> pa.Array:
    """Return the values where mask is True (no copy when it is True everywhere, as it nearly always is)."""
    return values if mask.all() else values.filter(pa.array(mask))


def _column(table: pa.Table, name: str) -> pa.Array:
    """Return a column as one array: its chunk when it has one (``combine_chunks`` would copy it)."""
    col = table.column(name)
    return col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()


def _require_tweets(rows: pa.Array) -> None:
    """Decline the block unless every row is a tweet with a creation time and an author.

    A tweet has an id and a text or an author; the record path rejects a tweet without a creation time
    or an author, with the reason.
    """
    has_body = pc.or_(pc.is_valid(pc.struct_field(rows, "text")), pc.is_valid(pc.struct_field(rows, "author_id")))
    if len(rows) and (pc.struct_field(rows, "id").null_count or not pc.all(has_body).as_py()):
        raise _Fallback("an item that is not a tweet")
    if len(rows) and not _storable(rows).all():
        raise _Fallback("a tweet without created_at or author_id")


def _storable(rows: pa.Array) -> np.ndarray:
    """Mark the tweets that can be stored.

    A stored tweet carries a creation time and an author and is not an earlier version of an
    edited tweet (:func:`roi.io.x_v2.superseded_by`).
    """
    return (_nonblank(pc.struct_field(rows, "created_at")) & _nonblank(pc.struct_field(rows, "author_id"))
            & ~_superseded(rows))


def _superseded(rows: pa.Array) -> np.ndarray:
    """Which tweets name a later version of themselves last in ``edit_history_tweet_ids``."""
    chains = pc.struct_field(rows, "edit_history_tweet_ids")
    edited = np.flatnonzero(pc.fill_null(pc.list_value_length(chains), 0).to_numpy(zero_copy_only=False) > 1)
    out = np.zeros(len(rows), dtype=bool)
    if len(edited):  # edits are rare: the few edited tweets are checked one by one
        ids = pc.struct_field(rows, "id")
        for i in edited:
            out[i] = chains[int(i)].as_py()[-1] != ids[int(i)].as_py()
    return out


def _line_rank(first: np.ndarray, then: np.ndarray) -> np.ndarray | None:
    """Rank rows so that, line by line, the rows of ``first`` come before those of ``then``.

    Each is given by its line index, both concatenated; None when they already are in that order.

    Both come sorted by line (list items are in their lines' order), so this is the merge of two
    sorted runs: each row's place is found by a binary search in the other run, with no sort.

    >>> _line_rank(np.array([0, 1, 2]), np.array([0, 0, 2])).tolist()
    [0, 3, 4, 1, 2, 5]
    >>> _line_rank(np.array([0, 1]), np.array([1, 1])) is None, _line_rank(np.array([1, 0]), np.array([0])).tolist()
    (True, [2, 0, 1])
    """
    if (np.diff(first) < 0).any() or (np.diff(then) < 0).any():
        order = np.lexsort((np.r_[np.zeros(len(first), "int8"), np.ones(len(then), "int8")], np.r_[first, then]))
        place = np.empty(len(order), dtype=np.int64)
        place[order] = np.arange(len(order), dtype=np.int64)
    else:
        place = np.r_[np.arange(len(first)) + np.searchsorted(then, first, side="left"),
                      np.arange(len(then)) + np.searchsorted(first, then, side="right")].astype(np.int64)
    return None if (place == np.arange(len(place))).all() else place


def _ranked(table: pa.Table, rank: np.ndarray | None) -> pa.Table:
    """Add the rows' places in reading order to the table as a ``_rank`` column (none: in order).

    Rows are not moved here: ingest moves every row once anyway (into its spill buckets, or into
    reading order in memory) and applies the ranks in that same gather, and
    :func:`roi.io._base.as_frame` applies them for everyone else. A gather of a block's posts
    and accounts here cost 7 ms of a 16 MB block's ~60 ms of parsing and mapping.
    """
    return table if rank is None else table.append_column("_rank", pa.array(rank, pa.int64()))


def _tables(posts: pa.Table, accounts: pa.Table) -> dict[str, pa.Table]:
    tables = {"posts": _canonical("posts", posts)}
    if accounts.num_rows:
        tables["accounts"] = _canonical("accounts", accounts)
    return tables


def _observed(table: pa.Table, observed_of: Callable[[str | None], int]) -> np.ndarray:
    """Each line's observation time (microseconds UTC) from its ``__twarc.retrieved_at``."""
    retrieved = pc.struct_field(_column(table, "__twarc"), "retrieved_at")
    encoded = pc.dictionary_encode(retrieved)
    per_value = np.array([observed_of(v) for v in encoded.dictionary.to_pylist()] or [0], dtype="int64")
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    return np.where(pc.is_null(encoded.indices).to_numpy(zero_copy_only=False),
                    observed_of(None), per_value[np.nan_to_num(codes, nan=0).astype("int64")])


def _valid_items(lists: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Page index and rows of the non-null-id items of a list<struct> column."""
    page = pc.list_parent_indices(lists).to_numpy() if len(lists) else np.zeros(0, "int64")
    rows = lists.flatten()
    if not len(rows):
        return page, rows
    valid = pc.is_valid(pc.struct_field(rows, "id"))
    if not pc.all(valid).as_py():
        mask = valid.to_numpy(zero_copy_only=False)
        return page[mask], rows.filter(valid)
    return page, rows


def _field(arr: pa.Array, *path: str) -> pa.Array:
    out = arr
    for name in path:
        out = pc.struct_field(out, name)
    return out


def _np_bool(arr: pa.Array) -> np.ndarray:
    return pc.fill_null(arr, False).to_numpy(zero_copy_only=False)


def _casefold(values: pa.Array) -> pa.Array:
    """str.casefold of every value: Arrow's lower-casing for ASCII, Python's for the rest."""
    lower = pc.utf8_lower(values)
    ascii_ = pc.string_is_ascii(values)
    if pc.all(ascii_).as_py() is not False:
        return lower
    mask = pc.invert(ascii_)
    fixed = [s.casefold() for s in values.filter(mask).to_pylist()]
    return pc.replace_with_mask(lower, mask, pa.array(fixed, pa.string()))


def _lists(n: int, parent: np.ndarray, values: pa.Array, keep: np.ndarray, *, casefold: bool = True) -> pa.Array:
    """Build a list<string> column of n rows from flat values, their parent row and which to keep."""
    counts = np.bincount(parent[keep], minlength=n) if n else np.zeros(0, "int64")
    offsets = np.zeros(n + 1, dtype="int32")
    np.cumsum(counts, out=offsets[1:])
    kept = values.filter(pa.array(keep)) if not keep.all() else values
    return pa.ListArray.from_arrays(pa.array(offsets), _casefold(kept) if casefold else kept)


def _nonblank(arr: pa.Array) -> np.ndarray:
    return _np_bool(pc.and_(pc.is_valid(arr), pc.not_equal(arr, "")))


def _posts(rows: pa.Array, page: np.ndarray, lines: np.ndarray, observed: np.ndarray, context: bool) -> pa.Table:
    n = len(rows)
    if n and pc.any(pc.is_valid(pc.struct_field(rows, "note_tweet"))).as_py():
        raise _Fallback("a long-form note_tweet")
    text = _field(rows, "text")
    created_str = _field(rows, "created_at")
    try:
        created = created_str.cast(_TS)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _Fallback("a timestamp pyarrow does not parse") from None

    # kind and referenced id: retweeted > replied_to > quoted (the last reference of a type wins).
    refs = _field(rows, "referenced_tweets")
    kind = np.zeros(n, dtype="int8")
    ref_at = np.full(n, -1, dtype="int64")
    if n and refs.null_count < n:
        r_parent = pc.list_parent_indices(refs).to_numpy()
        r_flat = refs.flatten()
        r_type = pc.struct_field(r_flat, "type")
        for code, name in ((3, "quoted"), (2, "replied_to"), (1, "retweeted")):
            m = _np_bool(pc.equal(r_type, name))
            if m.any():
                where = np.flatnonzero(m)
                kind[r_parent[where]] = code
                ref_at[r_parent[where]] = where
        ref_id = pc.take(pc.struct_field(r_flat, "id"), pa.array(ref_at, mask=ref_at < 0))
    else:
        ref_id = pa.nulls(n, _S)

    ents = _field(rows, "entities")
    hashtags_l = pc.struct_field(ents, "hashtags")
    tags_parent = pc.list_parent_indices(hashtags_l).to_numpy()
    tags = pc.struct_field(hashtags_l.flatten(), "tag")
    hashtags = _lists(n, tags_parent, tags, _nonblank(tags))

    mentions_l = pc.struct_field(ents, "mentions")
    m_parent = pc.list_parent_indices(mentions_l).to_numpy()
    m_flat = mentions_l.flatten()
    m_name = pc.struct_field(m_flat, "username")
    keep = _nonblank(m_name)
    if len(m_parent):
        # A retweet's leading "RT @user:" is attribution: the mention at position 3 (else the first).
        rt = (kind == 1) & _np_bool(pc.starts_with(text, "RT @"))
        if rt.any():
            at3 = _np_bool(pc.equal(pc.struct_field(m_flat, "start"), 3))
            has3 = np.zeros(n, dtype=bool)
            has3[m_parent[at3]] = True
            first = np.r_[True, m_parent[1:] != m_parent[:-1]]
            drop = rt[m_parent] & np.where(has3[m_parent], at3, first)
            keep &= ~drop
    mentions = _lists(n, m_parent, m_name, keep)

    urls_l = pc.struct_field(ents, "urls")
    u_parent = pc.list_parent_indices(urls_l).to_numpy()
    u_flat = urls_l.flatten()
    expanded = pc.struct_field(u_flat, "expanded_url")
    url = pc.if_else(pa.array(_nonblank(expanded)), expanded, pc.struct_field(u_flat, "url"))
    urls = _lists(n, u_parent, url, _nonblank(url), casefold=False)

    pm = _field(rows, "public_metrics")
    private, organic = _field(rows, "non_public_metrics"), _field(rows, "organic_metrics")
    impressions = pc.coalesce(pc.struct_field(private, "impression_count"), pc.struct_field(organic, "impression_count"))
    public_views = pc.struct_field(pm, "impression_count")
    before_views = pc.fill_null(pc.less(created_str, _VIEWS_COUNTED_FROM), True)
    public_views = pc.if_else(pc.and_(pc.equal(public_views, 0), before_views), pa.scalar(None, _I), public_views)
    impressions = pc.coalesce(impressions, public_views)
    link_clicks = pc.coalesce(pc.struct_field(private, "url_link_clicks"), pc.struct_field(organic, "url_link_clicks"))
    counts = {"impressions": impressions, "likes": pc.struct_field(pm, "like_count"),
              "reposts": pc.struct_field(pm, "retweet_count"), "replies": pc.struct_field(pm, "reply_count"),
              "quotes": pc.struct_field(pm, "quote_count"), "link_clicks": link_clicks}
    for arr in counts.values():
        if n and pc.any(pc.less(arr, 0)).as_py():
            raise _Fallback("a negative count")

    return pa.table({
        "platform": pa.repeat(_PLATFORM, n),
        "post_id": _field(rows, "id"), "author_id": _field(rows, "author_id"), "created_at": created,
        "text": text, "lang": _field(rows, "lang"), "kind": pc.take(_KINDS, pa.array(kind)),
        "referenced_id": ref_id, "conversation_id": _field(rows, "conversation_id"),
        "hashtags": hashtags, "mentions": mentions, "urls": urls, **counts,
        "metrics_observed_at": pa.array(observed[page], pa.int64()).cast(_TS),
        "manual_repost": pa.array(_manual_reposts(text, kind)),
        "_line": pa.array(lines[page], pa.int64()), "_context": pa.array(np.full(n, context)),
    })


def _manual_reposts(text: pa.Array, kind: np.ndarray) -> np.ndarray:
    """Which tweets are manual retweets: ``RT @user:`` text with no retweet reference (kind code 1).

    Arrow picks the few candidates (an "RT @" near the start); roi.text's rule decides, exactly
    as on the record path.
    """
    out = np.zeros(len(text), dtype=bool)
    if not len(text):
        return out
    head = pc.utf8_slice_codeunits(text, 0, 32)
    candidate = _np_bool(pc.match_substring_regex(head, r"RT\s?[@\x{FF20}]", ignore_case=True)) & (kind != 1)
    if candidate.any():
        where = np.flatnonzero(candidate)
        out[where] = [is_retweet_text(t) for t in text.take(pa.array(where)).to_pylist()]
    return out


def _accounts(rows: pa.Array, page: np.ndarray, lines: np.ndarray, observed: np.ndarray) -> pa.Table:
    n = len(rows)
    try:
        created = _field(rows, "created_at").cast(_TS)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise _Fallback("an account timestamp pyarrow does not parse") from None
    pm = _field(rows, "public_metrics")
    counts = {"followers_count": pc.struct_field(pm, "followers_count"),
              "following_count": pc.struct_field(pm, "following_count"),
              "posts_count": pc.struct_field(pm, "tweet_count")}
    for arr in counts.values():
        if n and pc.any(pc.less(arr, 0)).as_py():
            raise _Fallback("a negative count")
    return pa.table({
        "platform": pa.repeat(_PLATFORM, n),
        "account_id": _field(rows, "id"), "handle": _field(rows, "username"), "display_name": _field(rows, "name"),
        "description": _field(rows, "description"), "location": _field(rows, "location"), "created_at": created,
        **counts, "verified": _field(rows, "verified"), "default_profile": pa.nulls(n, pa.bool_()),
        "observed_at": pa.array(observed[page], pa.int64()).cast(_TS),
        "_line": pa.array(lines[page], pa.int64()), "_context": pa.array(np.ones(n, dtype=bool)),
    })


def _canonical(name: str, table: pa.Table) -> pa.Table:
    """Return the table's canonical columns (declared order and types).

    ``_line``, ``_context`` (and ``_rank``) follow them.
    """
    out = conform_arrow(name, table)
    for private in ("_line", "_context", "_rank"):
        if private in table.column_names:
            out = out.append_column(private, table.column(private))
    return out
