"""Web-analytics CSV: clicks (sessions) and conversions per post, channel and day.

Columns (header case-insensitive; spaces count as underscores, so GA's "Landing page" works):

* ``date`` - ISO date or datetime, or ``YYYYMMDD`` as GA4 exports it; stored as that day at
  midnight UTC (a datetime with an offset is converted to UTC first);
* the post id: ``utm_content``, else the ``utm_content`` query parameter of a landing URL column
  (``landing_page``, ``landing_url``, ``page_location``, ``url`` or ``page``); a channel-only
  export (date, channel, sessions, conversions: GA4's traffic acquisition by day) has none;
* ``clicks``, else ``sessions`` -> ``clicks`` (required);
* ``conversions``, else ``goal_completions``, ``transactions`` or ``key_events`` (required);
* optional ``revenue`` (or ``purchase_revenue``/``transaction_revenue``) and ``channel`` (or
  ``session_default_channel_group``, ``default_channel_grouping``, ``utm_medium``).

A row whose post id cannot be found (no ``utm_content`` and none in its landing URL) is kept as
channel traffic when it names its channel (email, organic search...): ``post_id`` is null, its
landing page (if any) is kept in ``landing_page``, and :mod:`roi.ledger` compares the channels.
Without a channel either it is rejected with the reason "no utm_content (post id)": it can be
attributed neither to a post nor to a channel. Rows with an unparseable date
or a negative / non-numeric count are rejected with their line. Several rows for the same post,
day and channel are kept as they come; ingest keeps the latest.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from roi.errors import InputError
from roi.io._base import ReadResult
from roi.io._csv import Problems, open_csv, parse_counts, parse_floats, parse_times, with_accounting
from roi.tables import conform

__all__ = ["read", "EXPECTED_HEADER"]

EXPECTED_HEADER = "date,utm_content|landing_page|channel,clicks|sessions,conversions[,revenue,channel]"
_LANDING = ("landing_page", "landing_url", "landing_page_+_query_string", "page_location",
            "page_path_+_query_string", "url", "page")
_CLICKS = ("clicks", "sessions")
_CONVERSIONS = ("conversions", "goal_completions", "transactions", "key_events")
_REVENUE = ("revenue", "purchase_revenue", "transaction_revenue", "total_revenue")
_CHANNEL = ("channel", "session_default_channel_group", "default_channel_group",
            "default_channel_grouping", "utm_medium")
_UTM_CONTENT = r"[?&#]utm_content=([^&#]*)"


def _first(columns: list[str], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in columns), None)


def _utm_content(urls: pd.Series) -> pd.Series:
    """Return the (URL-decoded) utm_content parameter of each URL, or <NA>."""
    found = urls.str.extract(_UTM_CONTENT, expand=False)
    return found.map(urllib.parse.unquote_plus, na_action="ignore").astype("string").replace("", pd.NA)


def _dates(values: pd.Series, problems: Problems) -> pd.Series:
    compact = values.str.fullmatch(r"\d{8}").fillna(False).to_numpy()
    iso = values.mask(compact, values.str.slice(0, 4) + "-" + values.str.slice(4, 6) + "-" + values.str.slice(6, 8))
    return parse_times(iso, "date", problems, date_only=True).dt.floor("D")


def read(path: Path, *, as_of: pd.Timestamp | None = None) -> Iterator[ReadResult]:
    r"""Read a web-analytics CSV in chunks of canonical ``conversions`` rows.

    Parameters
    ----------
    path : Path
        The web-analytics CSV.
    as_of : Timestamp, optional
        Ignored (each row carries its date); accepted for the reader contract.

    Yields
    ------
    ReadResult

    Raises
    ------
    InputError
        No date, post-id, clicks/sessions or conversions column.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "ga.csv"
    >>> _ = p.write_text("Date,Landing page,Sessions,Conversions\n"
    ...                  "20261001,/sale?utm_source=x&utm_content=1234567890123456789,10,2\n"
    ...                  "20261001,/about,5,0\n")
    >>> r = next(read(p))
    >>> r.tables["conversions"][["post_id", "date", "clicks"]].values.tolist()
    [['1234567890123456789', Timestamp('2026-10-01 00:00:00+0000', tz='UTC'), 10]]
    >>> r.rejected[0].line, r.rejected[0].reason
    (3, 'no utm_content (post id) in the row or its landing URL')
    """
    source = open_csv(path)
    columns = [c.replace(" ", "_") for c in source.columns]
    landing = _first(columns, _LANDING)
    clicks, conversions = _first(columns, _CLICKS), _first(columns, _CONVERSIONS)
    channel = _first(columns, _CHANNEL)
    missing = [what for what, ok in (("date", "date" in columns),
                                     ("utm_content, a landing URL or a channel",
                                      "utm_content" in columns or landing or channel),
                                     ("clicks or sessions", clicks), ("conversions", conversions)) if not ok]
    if not source.header:
        source.require(["date"], expected_header=EXPECTED_HEADER)
    if missing:
        raise InputError(f"{path}: missing required column(s) {', '.join(missing)}; "
                         f"expected header: {EXPECTED_HEADER}")
    revenue = _first(columns, _REVENUE)
    for block in source.blocks():
        rows = block.rows.set_axis(columns, axis=1)
        problems = Problems(len(rows))
        problems.add(rows["date"].isna().to_numpy(), "empty date")
        date = _dates(rows["date"], problems)
        post_id = rows["utm_content"] if "utm_content" in columns else pd.Series(pd.NA, index=rows.index, dtype="string")
        if landing:
            post_id = post_id.fillna(_utm_content(rows[landing]))
        channel_of = rows[channel] if channel else pd.Series(pd.NA, index=rows.index, dtype="string")
        problems.add((post_id.isna() & channel_of.isna()).to_numpy(),
                     "no utm_content (post id) in the row or its landing URL")
        frame = pd.DataFrame({
            "post_id": post_id, "date": date, "channel": channel_of,
            "landing_page": rows[landing].where(post_id.isna()) if landing else None,
            "clicks": parse_counts(rows[clicks], clicks, problems),
            "conversions": parse_counts(rows[conversions], conversions, problems),
            "revenue": parse_floats(rows[revenue], revenue, problems) if revenue else None,
        })
        ok = ~problems.mask
        lines = np.asarray(source.lines_of(block.records[ok].tolist()), dtype="int64")
        out = with_accounting(conform("conversions", frame[ok]), lines, context=False)
        rejected = block.bad + source.reject_rows(block, problems.mask, problems.reason[problems.mask].tolist())
        yield source.annotate(ReadResult(tables={"conversions": out}, rejected=rejected,
                         read=len(rows) + len(block.bad), primary="conversions"))
