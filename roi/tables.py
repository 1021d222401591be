"""The canonical tables: the contract between readers and analyses, declared once.

Every reader produces exactly these columns with exactly these dtypes, and every analysis may
rely on them. Conventions (see DESIGN.md):

* timestamps are timezone-aware UTC (``datetime64[us, UTC]``);
* ids are strings (``string`` dtype): X ids have 19 digits and must never pass through float64;
* counts are nullable integers (``Int64``): unknown is ``<NA>``, not zero;
* ``hashtags``, ``mentions`` and ``urls`` are Arrow list-of-string columns: an empty list means
  "none", a null means "unknown". Hashtags are stored casefolded, without ``#``; mentions are
  handles casefolded, without ``@``.

Examples
--------
>>> posts = empty("posts")
>>> list(posts.columns[:4])
['platform', 'post_id', 'author_id', 'created_at']
>>> str(posts["likes"].dtype)
'Int64'
>>> conform("experiments", {"experiment_id": ["e1"], "arm": ["A"], "post_id": [123]}).post_id.tolist()
['123']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from roi.errors import ParameterError

__all__ = [
    "Column",
    "Table",
    "TABLES",
    "POST_KINDS",
    "empty",
    "conform",
    "arrow_schema",
    "pandas_type",
    "conform_arrow",
    "dtype_of",
    "list_items",
]

TIMESTAMP = "datetime64[us, UTC]"
STRING = "string"
COUNT = "Int64"
FLOAT = "Float64"
BOOL = "boolean"
STRING_LIST = "list<string>"

POST_KINDS = ("original", "reply", "quote", "repost")


@dataclass(frozen=True)
class Column:
    """One column of a canonical table: its name, dtype and meaning."""

    name: str
    dtype: str
    meaning: str


@dataclass(frozen=True)
class Table:
    """A canonical table: its columns, the key that identifies a row, and how it is partitioned."""

    name: str
    one_row_per: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    partition_by: tuple[str, ...] = ()
    nullable_key: tuple[str, ...] = ()  # key columns that may be null (e.g. an unknown channel)

    @property
    def required(self) -> tuple[str, ...]:
        """Columns that must never be null."""
        return tuple(k for k in self.key if k not in self.nullable_key)

    @property
    def column_names(self) -> list[str]:
        """The table's column names, in declared order."""
        return [c.name for c in self.columns]


def _cols(*specs: tuple[str, str, str]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in specs)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "accounts",
            "account as last observed",
            _cols(
                ("platform", STRING, "x, mastodon, bluesky or the name a CSV export gives"),
                ("account_id", STRING, "the platform's id of the account"),
                ("handle", STRING, "screen name / username without @, as written"),
                ("display_name", STRING, "the profile's display name"),
                ("description", STRING, "the profile's bio"),
                ("location", STRING, "the profile's free-text location, raw"),
                ("created_at", TIMESTAMP, "when the account was created"),
                ("followers_count", COUNT, "followers as reported by the platform"),
                ("following_count", COUNT, "accounts it follows, as reported"),
                ("posts_count", COUNT, "posts it has made, as reported"),
                ("verified", BOOL, "verified badge"),
                ("default_profile", BOOL, "profile never customised (default image/theme)"),
                ("observed_at", TIMESTAMP, "when these figures were observed"),
            ),
            key=("platform", "account_id"),
        ),
        Table(
            "follows",
            "follower -> followee edge",
            _cols(
                ("platform", STRING, "platform of both accounts"),
                ("follower_id", STRING, "account that follows"),
                ("followee_id", STRING, "account being followed"),
                ("first_seen", TIMESTAMP, "first snapshot in which the edge was present"),
                ("last_seen", TIMESTAMP, "last snapshot in which the edge was present"),
            ),
            key=("platform", "follower_id", "followee_id"),
        ),
        Table(
            "posts",
            "post",
            _cols(
                ("platform", STRING, "platform of the post"),
                ("post_id", STRING, "the platform's id (a URL for Mastodon)"),
                ("author_id", STRING, "account_id of the author"),
                ("created_at", TIMESTAMP, "when it was posted"),
                ("text", STRING, "plain text (HTML removed)"),
                ("lang", STRING, "language tag if the platform gives one"),
                ("kind", STRING, "original, reply, quote or repost"),
                ("referenced_id", STRING, "replied-to, quoted or reposted post"),
                ("conversation_id", STRING, "thread root"),
                ("via_id", STRING, "the repost through which this repost was seen (Bluesky via)"),
                ("manual_repost", BOOL, "an old-style manual retweet: text starts 'RT @user:' but the platform "
                 "records no repost, so it is the author's own post (kind original, reply or quote; no "
                 "referenced_id unless it replies or quotes), its metrics and mentions its own; null: unknown"),
                ("date_only", BOOL, "the source gave the day, not the time (X analytics' content export): "
                 "created_at is that day at 12:00 UTC, so its local date holds from UTC-11 to UTC+11; "
                 "hour-of-day analyses leave the post out; null or false: a full time"),
                ("hashtags", STRING_LIST, "casefolded, without #"),
                ("mentions", STRING_LIST, "casefolded handles, without @; RT @x: is not a mention"),
                ("urls", STRING_LIST, "expanded URLs"),
                ("impressions", COUNT, "views, where the platform reports them"),
                ("likes", COUNT, "likes / favourites"),
                ("reposts", COUNT, "retweets / boosts / reposts"),
                ("replies", COUNT, "replies"),
                ("quotes", COUNT, "quotes"),
                ("link_clicks", COUNT, "URL link clicks (non-public metrics)"),
                ("metrics_observed_at", TIMESTAMP, "when the metrics were observed"),
            ),
            key=("platform", "post_id"),
            partition_by=("platform", "month"),
        ),
        Table(
            "conversions",
            "post (or campaign), channel and day",
            _cols(
                ("post_id", STRING, "post id from utm_content (or a campaign name); null for "
                 "channel traffic that no post brought"),
                ("date", TIMESTAMP, "the day, as midnight UTC"),
                ("channel", STRING, "traffic channel (social, email, ...) if given"),
                ("clicks", COUNT, "clicks or sessions"),
                ("conversions", COUNT, "conversions"),
                ("revenue", FLOAT, "revenue, if given"),
                ("landing_page", STRING, "landing page of channel traffic without a post id (it "
                 "tells such rows of one day and channel apart); null on a post's rows"),
            ),
            key=("post_id", "date", "channel", "landing_page"),
            nullable_key=("post_id", "channel", "landing_page"),
        ),
        Table(
            "experiments",
            "post in an A/B test",
            _cols(
                ("experiment_id", STRING, "experiment name"),
                ("arm", STRING, "arm label, e.g. A or B"),
                ("post_id", STRING, "post in that arm"),
                ("pair_id", STRING, "pairs identical content across arms (paired design)"),
            ),
            key=("experiment_id", "post_id"),
        ),
        Table(
            "effort",
            "week, activity and person of the team's effort log",
            _cols(
                ("week", STRING, "ISO week of the effort, e.g. 2026-W40"),
                ("activity", STRING, "content, engagement, customer service, promotion or ads"),
                ("person", STRING, "who logged the hours, if the log says"),
                ("hours", FLOAT, "hours spent"),
                ("cost", FLOAT, "cost of those hours (and spend), in the log's currency, if given"),
            ),
            key=("week", "activity", "person"),
            nullable_key=("person",),
        ),
    )
}


def _table(name: str) -> Table:
    try:
        return TABLES[name]
    except KeyError:
        raise ParameterError(
            f"unknown table {name!r}; expected one of {', '.join(TABLES)}"
        ) from None


def dtype_of(dtype: str) -> Any:
    """Return the pandas dtype object for a declared dtype string."""
    if dtype == STRING_LIST:
        return pd.ArrowDtype(pa.list_(pa.string()))
    if dtype == STRING:
        return pd.StringDtype()
    return pd.api.types.pandas_dtype(dtype)


def _arrow_type(dtype: str) -> pa.DataType:
    return {
        TIMESTAMP: pa.timestamp("us", tz="UTC"),
        STRING: pa.string(),
        COUNT: pa.int64(),
        FLOAT: pa.float64(),
        BOOL: pa.bool_(),
        STRING_LIST: pa.list_(pa.string()),
    }[dtype]


def pandas_type(t: pa.DataType) -> Any:
    """Return the pandas dtype a canonical Arrow column reads as (``types_mapper`` of ``Table.to_pandas``).

    Strings become ``string``, int64 ``Int64``, booleans ``boolean``, float64 ``Float64`` and
    lists ``ArrowDtype`` lists (Parquet names list items "element", the canonical dtype "item");
    None leaves pyarrow's default (timestamps).

    Parameters
    ----------
    t : pyarrow.DataType
        An Arrow column's type.

    Returns
    -------
    pandas dtype or None

    Examples
    --------
    >>> pandas_type(pa.int64()), pandas_type(pa.timestamp("us", tz="UTC"))
    (Int64Dtype(), None)
    >>> pa.table({"n": pa.array([1, None])}).to_pandas(types_mapper=pandas_type).n.tolist()
    [1, <NA>]
    """
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pd.StringDtype()
    if pa.types.is_int64(t):
        return pd.Int64Dtype()
    if pa.types.is_boolean(t):
        return pd.BooleanDtype()
    if pa.types.is_float64(t):
        return pd.Float64Dtype()
    if pa.types.is_list(t):
        return pd.ArrowDtype(pa.list_(t.value_type))
    return None


def arrow_schema(name: str) -> pa.Schema:
    """Return the Arrow schema of a canonical table (used by the store to write Parquet)."""
    return pa.schema([pa.field(c.name, _arrow_type(c.dtype)) for c in _table(name).columns])


def conform_arrow(name: str, table: pa.Table) -> pa.Table:
    """Build the Arrow table of ``name`` from an Arrow table holding (some of) its columns.

    Columns are put in the declared order and cast to the declared types; a missing column is
    all nulls and any other column is dropped. This is :func:`conform` for data already in Arrow
    (the store writes it as it is, with no round trip through pandas).

    Raises
    ------
    ParameterError
        If a column cannot be cast (the message names it).

    Examples
    --------
    >>> t = conform_arrow("experiments", pa.table({"post_id": ["1"], "experiment_id": ["e"], "x": [1]}))
    >>> t.column_names, t.column("arm").null_count
    (['experiment_id', 'arm', 'post_id', 'pair_id'], 1)
    """
    schema = arrow_schema(name)
    n = table.num_rows
    columns = []
    for fld in schema:
        if fld.name not in table.column_names:
            columns.append(pa.chunked_array([pa.nulls(n, fld.type)], fld.type))
            continue
        column = table.column(fld.name)
        if column.type != fld.type:
            try:
                column = column.cast(fld.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
                raise ParameterError(f"column {fld.name!r} of {name}: cannot be read as {fld.type} ({exc})") from None
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def empty(name: str) -> pd.DataFrame:
    """Return an empty DataFrame with the columns and dtypes of table ``name``."""
    t = _table(name)
    return pd.DataFrame({c.name: pd.Series([], dtype=dtype_of(c.dtype)) for c in t.columns})


def _to_timestamp(values: pd.Series, column: str) -> pd.Series:
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").astype(TIMESTAMP)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        return values.dt.tz_localize("UTC").astype(TIMESTAMP)
    try:
        out = pd.to_datetime(values, utc=True, format="ISO8601")
    except (ValueError, TypeError):
        parsed = pd.to_datetime(values, utc=True, format="ISO8601", errors="coerce")
        bad = pd.Series(values)[pd.Series(values).notna().to_numpy() & pd.isna(parsed)]
        first = bad.iloc[0] if len(bad) else None
        raise ParameterError(f"column {column!r}: {first!r} is not an ISO 8601 timestamp"
                             + (f" ({len(bad):,} such values)" if len(bad) > 1 else "")) from None
    return out.astype(TIMESTAMP)


def _to_string(values: pd.Series, column: str) -> pd.Series:
    if pd.api.types.is_float_dtype(values.dtype) and values.notna().any():
        # A float id has already lost digits: refuse rather than store a wrong id.
        raise ParameterError(
            f"column {column!r}: ids arrived as floats; read them as strings (dtype=str)"
        )
    if isinstance(values.dtype, pd.StringDtype):
        return values.astype(pd.StringDtype())
    mask = values.isna()
    out = values.astype(object).where(mask, values.astype(str))
    return pd.Series(out, index=values.index, dtype=pd.StringDtype())


def list_items(cell: Any) -> list:
    """Return the items of one ``list<string>`` cell (hashtags, mentions, urls); a null cell has none.

    >>> list_items(["acme", "help"]), list_items(None), list_items(pd.NA), list_items(float("nan"))
    (['acme', 'help'], [], [], [])
    """
    if cell is None or cell is pd.NA or (isinstance(cell, float) and np.isnan(cell)):
        return []
    return list(cell)


def _to_list(values: pd.Series) -> pd.Series:
    target = dtype_of(STRING_LIST)
    if values.dtype == target:
        return values
    items = [
        None if (v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA) else [str(x) for x in v]
        for v in values.tolist()
    ]
    return pd.Series(pa.array(items, type=pa.list_(pa.string())), index=values.index, dtype=target)


def conform(name: str, data: pd.DataFrame | Mapping[str, Any]) -> pd.DataFrame:
    """Return a new DataFrame with exactly the columns and dtypes of table ``name``.

    Missing columns are filled with nulls; unknown columns are dropped; values are cast to the
    declared dtypes. The input is not modified.

    Parameters
    ----------
    name : str
        A key of :data:`TABLES`.
    data : DataFrame or mapping of column -> values
        The rows to conform (not modified).

    Returns
    -------
    DataFrame

    Raises
    ------
    ParameterError
        If the table is unknown or a column cannot be cast (the message names the column).

    Examples
    --------
    >>> df = conform("follows", {"platform": ["x"], "follower_id": ["1"], "followee_id": ["2"]})
    >>> df.first_seen.isna().all(), str(df.first_seen.dtype)
    (np.True_, 'datetime64[us, UTC]')
    """
    t = _table(name)
    df = data if isinstance(data, pd.DataFrame) else pd.DataFrame(dict(data))
    n = len(df)
    out: dict[str, pd.Series] = {}
    for col in t.columns:
        if col.name not in df.columns:
            out[col.name] = pd.Series([None] * n, index=df.index, dtype=object)
            values = out[col.name]
        else:
            values = df[col.name]
        try:
            if col.dtype == TIMESTAMP:
                out[col.name] = _to_timestamp(values, col.name) if values.notna().any() else (
                    pd.Series(pd.NaT, index=df.index, dtype=TIMESTAMP))
            elif col.dtype == STRING:
                out[col.name] = _to_string(values, col.name)
            elif col.dtype == STRING_LIST:
                out[col.name] = _to_list(values)
            elif col.dtype == COUNT:
                out[col.name] = pd.to_numeric(values, errors="raise").astype(COUNT) if len(values) else values.astype(COUNT)
            else:
                out[col.name] = values.astype(dtype_of(col.dtype))
        except ParameterError:
            raise
        except (ValueError, TypeError) as exc:
            raise ParameterError(f"column {col.name!r} of {name}: cannot be read as {col.dtype} ({exc})") from None
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)
