"""Cross-check profile locations against posting hours: whether the clock agrees with the place.

People post on a daily rhythm in their own local time: little between 02:00 and 06:00, most in
the afternoon and evening. For an account with enough posts, :func:`activity_offsets` finds the
UTC offset that best lines its UTC posting hours up with that rhythm (maximum likelihood over
whole-hour offsets under :data:`DIURNAL_TEMPLATE`); :func:`timezone_mismatches` compares it with
the UTC offsets of the time zones of the geocoded location (the city's, or every zone of the
country) and flags a gap larger than ``tolerance_hours``. Individual chronotypes vary by an hour
or two, hence the default tolerance of 4 hours; a flag is a prompt to look, not a verdict.

Examples
--------
>>> hours = [13, 14, 15, 17, 18, 19, 19, 20, 21, 22, 23, 0, 1, 2, 18, 20]  # UTC
>>> posts = pd.DataFrame({"author_id": ["a"] * 16,
...     "created_at": pd.to_datetime([f"2026-03-02T{h:02d}:30Z" for h in hours])})
>>> activity_offsets(posts, min_posts=10)[["author_id", "posts", "activity_utc_offset"]]
  author_id  posts  activity_utc_offset
0         a     16                   -3
"""

from __future__ import annotations

import zoneinfo

import numpy as np
import pandas as pd

from roi.errors import ParameterError

__all__ = ["DIURNAL_TEMPLATE", "activity_offsets", "location_offsets", "timezone_mismatches"]

#: Typical share of posts by local hour (0-23): a night trough at 03-05, rising through the
#: morning, highest in the evening (the shape reported for Twitter by Golder & Macy, Science 2011).
DIURNAL_TEMPLATE = np.array([0.9, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.0, 1.3, 1.4, 1.4, 1.5,
                             1.6, 1.5, 1.4, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 1.8, 1.6, 1.3])
DIURNAL_TEMPLATE = DIURNAL_TEMPLATE / DIURNAL_TEMPLATE.sum()

_OFFSETS = np.arange(-11, 15)  # whole-hour UTC offsets tried


def activity_offsets(posts: pd.DataFrame, *, min_posts: int = 10) -> pd.DataFrame:
    """Per author, the UTC offset whose local day best explains their posting hours.

    Parameters
    ----------
    posts : DataFrame
        Needs ``author_id`` and ``created_at`` (UTC). Reposts count: they are activity too.
    min_posts : int
        Authors with fewer posts are left out (too few to place a daily rhythm).

    Returns
    -------
    DataFrame
        ``author_id``, ``posts``, ``activity_utc_offset`` (hours), ``margin`` (log-likelihood
        of the best offset minus that of the best offset more than 4 hours away, per post: near 0
        means the hours do not pin a time zone down), ``night_share`` (share of posts between
        01:00 and 05:59 at the inferred offset).
    """
    if min_posts < 1:
        raise ParameterError(f"min_posts={min_posts!r}: expected a positive integer")
    missing = {"author_id", "created_at"} - set(posts.columns)
    if missing:
        raise ParameterError(f"posts: missing column(s) {', '.join(sorted(missing))}")
    p = posts.dropna(subset=["author_id", "created_at"])
    hours = p["created_at"].dt.tz_convert("UTC").dt.hour.to_numpy()
    codes, authors = pd.factorize(p["author_id"].astype(str))
    counts = np.zeros((len(authors), 24))
    np.add.at(counts, (codes, hours), 1)
    n = counts.sum(axis=1)
    keep = n >= min_posts
    counts, authors, n = counts[keep], authors[keep], n[keep]
    log_t = np.log(DIURNAL_TEMPLATE)
    # local hour = (utc hour + offset) % 24 -> log-likelihood of every author under every offset
    shifted = np.stack([np.roll(log_t, -o) for o in _OFFSETS])  # [offset, utc hour]
    ll = counts @ shifted.T  # [author, offset]
    best = ll.argmax(axis=1)
    far = np.abs(((_OFFSETS[None, :] - _OFFSETS[best][:, None]) + 12) % 24 - 12) > 4
    margin = (ll.max(axis=1) - np.where(far, ll, -np.inf).max(axis=1)) / np.maximum(n, 1)
    offset = _OFFSETS[best]
    night = np.array([counts[i, [(h - offset[i]) % 24 for h in range(1, 6)]].sum() for i in range(len(n))])
    return pd.DataFrame({
        "author_id": pd.array(authors, dtype="string"), "posts": n.astype("int64"),
        "activity_utc_offset": offset.astype("int64"), "margin": margin,
        "night_share": night / np.maximum(n, 1),
    })


def _offsets_of(zones: list[str], at: pd.Timestamp) -> list[float]:
    out = []
    for z in zones:
        try:
            off = at.tz_convert(zoneinfo.ZoneInfo(z)).utcoffset()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
        out.append(off.total_seconds() / 3600)
    return sorted(set(out))


def location_offsets(located: pd.DataFrame, *, at) -> pd.Series:
    """Return the UTC offsets (hours, at ``at``) a geocoded location allows.

    Its city's time zone, or every time zone of its country (the US spans -10 to -4). Unresolved
    rows get ``[]``.
    """
    from roi.geo.gazetteer import load_gazetteer, normalise

    g = load_gazetteer()
    at = pd.Timestamp(at)
    at = at.tz_localize("UTC") if at.tzinfo is None else at
    cities = g.cities
    out = []
    for cc, city in zip(located["country_code"], located["city"], strict=True):
        if cc is pd.NA or cc is None:
            out.append([])
            continue
        zones = []
        if city is not pd.NA and city is not None:
            rows = g.city_rows(normalise(str(city)))
            rows = rows[cities["country_code"].to_numpy()[rows] == cc]
            if len(rows):
                zones = [str(cities["timezone"].iloc[int(rows[0])])]
        out.append(_offsets_of(zones or g.country_timezones.get(str(cc), []), at))
    return pd.Series(out, index=located.index, dtype=object)


def timezone_mismatches(located: pd.DataFrame, posts: pd.DataFrame, *, min_posts: int = 10,
                        tolerance_hours: float = 4.0, min_margin: float = 0.05) -> pd.DataFrame:
    """Accounts whose posting rhythm disagrees with the time zone of their stated location.

    Parameters
    ----------
    located : DataFrame
        One row per account with ``follower_id`` or ``account_id`` and the geocode columns
        (e.g. :func:`roi.geo.locate_followers`).
    posts : DataFrame
        The posts table (``author_id``, ``created_at``).
    min_posts, tolerance_hours, min_margin : see :func:`activity_offsets`; accounts whose hours
        do not pin down a time zone (``margin < min_margin``) are never flagged.

    Returns
    -------
    DataFrame
        One row per located account with at least ``min_posts`` posts: ``account_id``,
        ``location``, ``country_code``, ``city``, ``posts``, ``activity_utc_offset``,
        ``location_utc_offsets`` (text), ``gap_hours`` (to the nearest allowed offset),
        ``margin``, ``mismatch`` (bool). Mismatches first.
    """
    id_col = "account_id" if "account_id" in located.columns else "follower_id"
    if id_col not in located.columns or "country_code" not in located.columns:
        raise ParameterError("located: expected account_id (or follower_id) and the geocode columns")
    act = activity_offsets(posts, min_posts=min_posts)
    loc = located[located["country_code"].notna()].drop_duplicates(id_col)
    loc = loc.assign(account_id=loc[id_col].astype("string"))
    m = loc.merge(act, left_on="account_id", right_on="author_id", how="inner")
    if m.empty:
        return pd.DataFrame(columns=["account_id", "location", "country_code", "city", "posts",
                                     "activity_utc_offset", "location_utc_offsets", "gap_hours",
                                     "margin", "mismatch"])
    at = posts["created_at"].dropna().median()
    allowed = location_offsets(m, at=at)
    gaps = []
    for off, allow in zip(m["activity_utc_offset"], allowed, strict=True):
        if not allow:
            gaps.append(np.nan)
            continue
        d = np.abs((np.asarray(allow) - off + 12) % 24 - 12)
        gaps.append(float(d.min()))
    m["location_utc_offsets"] = [", ".join(f"{o:+g}" for o in a) for a in allowed]
    m["gap_hours"] = gaps
    m["mismatch"] = (m["gap_hours"] > tolerance_hours) & (m["margin"] >= min_margin)
    cols = ["account_id", "location", "country_code", "city", "posts", "activity_utc_offset",
            "location_utc_offsets", "gap_hours", "margin", "mismatch"]
    return m[cols].sort_values(["mismatch", "gap_hours"], ascending=[False, False], ignore_index=True)
