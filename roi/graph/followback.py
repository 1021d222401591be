"""Follow-back, new followers, and weekly growth and churn of one account's followers.

All of it reads the ``follows`` table's snapshots (see :func:`roi.graph.snapshot_times`). A
follow first seen in snapshot *i* was made between snapshots *i-1* and *i*; a follow last seen
in snapshot *i* (not the latest) was dropped between snapshots *i* and *i+1*. Snapshots only
bracket the moment, so roi dates each change at the midpoint of its bracket: with weekly
Monday snapshots, a follow revealed on Monday counts for the week before, when it most likely
happened. Followers present in the first snapshot are the baseline, never "new". Followers at
a moment = baseline + changes dated before it, so for any window
``followers_end = followers_start + new - lost`` exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from roi.accounts import account_id_for
from roi.dask_engine import compute, is_dask
from roi.errors import ParameterError
from roi.graph.build import follow_edges, snapshot_index, snapshot_times, tables_of
from roi.tables import empty
from roi.timeframe import iso_week_of, to_utc, validate_tz, week_bounds

__all__ = [
    "resolve_account",
    "follow_back",
    "follow_back_candidates",
    "new_followers",
    "follower_change",
    "growth_churn",
    "FOLLOW_BACK_COLUMNS",
    "GROWTH_COLUMNS",
]

FOLLOW_BACK_COLUMNS = ["account_id", "handle", "status", "follows_since", "followed_by_since",
                       "days_waiting", "overdue"]
GROWTH_COLUMNS = ["week", "week_start", "week_end", "followers_start", "new", "lost", "net",
                  "followers_end", "churn_rate", "snapshots", "before_first_snapshot"]


def resolve_account(data: Any, account: str) -> str:
    """Return the account id of ``account`` (a handle, with or without @, or an account id).

    Raises ParameterError when neither the accounts table nor the follows table knows it.
    """
    accounts, follows = tables_of(data, "accounts", "follows")
    ids = set(accounts["account_id"].dropna()) | set(follows["follower_id"].dropna()) | set(
        follows["followee_id"].dropna())
    if str(account) in ids:
        return str(account)
    return account_id_for(accounts, str(account))


def _edges_ever(follows: pd.DataFrame) -> pd.DataFrame:
    """Every follow ever seen, one row per pair: earliest first_seen, latest last_seen."""
    f = follows.dropna(subset=["follower_id", "followee_id"])
    f = f[f["follower_id"] != f["followee_id"]]
    g = f.groupby(["follower_id", "followee_id"], observed=True, sort=False)
    return g.agg(first_seen=("first_seen", "min"), last_seen=("last_seen", "max")).reset_index()


def _handles(accounts: pd.DataFrame) -> pd.Series:
    acc = accounts.dropna(subset=["account_id"])
    if "observed_at" in acc:
        acc = acc.sort_values("observed_at", na_position="first", kind="stable")
    acc = acc.drop_duplicates("account_id", keep="last")
    return pd.Series(acc["handle"].to_numpy(), index=acc["account_id"].to_numpy())


def follow_back(data: Any, account: str, *, as_of: Any = None, after_days: float = 90) -> pd.DataFrame:
    """Mutuals, accounts that have not followed back, and followers not followed, for ``account``.

    Parameters
    ----------
    data : Dataset or mapping of tables
        Needs ``follows`` (and ``accounts`` to find a handle).
    account : str
        Handle or account id.
    as_of : timestamp, optional
        Use the follows alive in the latest snapshot at or before this time (default: latest).
    after_days : float, default 90
        A follow not returned for at least this many days is ``overdue``.

    Returns
    -------
    DataFrame
        Columns :data:`FOLLOW_BACK_COLUMNS`. ``status`` is ``mutual``, ``not_followed_back``
        (``account`` follows them, they don't follow it) or ``not_followed`` (they follow
        ``account``, it doesn't follow them). ``days_waiting`` counts days since the unreturned
        follow was first seen (<NA> for mutuals and undated follows); ``overdue`` marks
        ``not_followed_back`` rows waiting ``after_days`` or more.

    Examples
    --------
    >>> from roi.tables import conform
    >>> f = conform("follows", {"platform": ["x"] * 4, "follower_id": ["b", "c", "b", "d"],
    ...     "followee_id": ["a", "a", "c", "c"], "first_seen": ["2026-01-01"] * 4, "last_seen": ["2026-06-01"] * 4})
    >>> t = follow_back({"follows": f}, "c")
    >>> t[["account_id", "status", "days_waiting", "overdue"]].values.tolist()
    [['a', 'not_followed_back', 151, True], ['b', 'not_followed', 151, False], ['d', 'not_followed', 151, False]]
    """
    if not after_days >= 0:
        raise ParameterError(f"after_days={after_days!r}: expected a non-negative number of days")
    accounts, follows = tables_of(data, "accounts", "follows")
    me = resolve_account(data, account)
    edges = follow_edges(follows, as_of=as_of)
    snaps = snapshot_times(follows)
    now = (to_utc(as_of, name="as_of") if as_of is not None else (snaps[-1] if len(snaps) else pd.NaT))
    out_e = edges[edges["follower_id"] == me].set_index("followee_id")["first_seen"]
    in_e = edges[edges["followee_id"] == me].set_index("follower_id")["first_seen"]
    others = pd.Index(out_e.index).union(pd.Index(in_e.index))
    table = pd.DataFrame({"account_id": others.astype(str)})
    table["follows_since"] = out_e.reindex(others).to_numpy()
    table["followed_by_since"] = in_e.reindex(others).to_numpy()
    i_follow = table["account_id"].isin(out_e.index)
    they_follow = table["account_id"].isin(in_e.index)
    table["status"] = np.select([i_follow & they_follow, i_follow], ["mutual", "not_followed_back"],
                                "not_followed")
    since = table["follows_since"].where(table["status"] == "not_followed_back", table["followed_by_since"])
    since = pd.to_datetime(since, utc=True)  # an account that follows nobody leaves an all-null object column
    days = ((now - since).dt.total_seconds() // 86400) if now is not pd.NaT else pd.Series(np.nan, index=table.index)
    table["days_waiting"] = pd.array(days.where(table["status"] != "mutual"), dtype="Int64")
    table["overdue"] = ((table["status"] == "not_followed_back") & (table["days_waiting"] >= after_days)).fillna(False)
    table["overdue"] = table["overdue"].astype(bool)
    table["handle"] = pd.array(table["account_id"].map(_handles(accounts)).astype(object), dtype="string")
    table["account_id"] = table["account_id"].astype("string")
    table["status"] = table["status"].astype("string")
    order = {"not_followed_back": 0, "not_followed": 1, "mutual": 2}
    table = table.sort_values(["status", "days_waiting", "account_id"], key=lambda s: s.map(order) if s.name == "status" else s,
                              ascending=[True, False, True], na_position="last", kind="stable")
    return table[FOLLOW_BACK_COLUMNS].reset_index(drop=True)


def follow_back_candidates(
    data: Any, account: str, *, influence_table: pd.DataFrame | None = None, as_of: Any = None
) -> pd.DataFrame:
    """Followers ``account`` does not follow back, most influential first.

    ``influence_table`` (from :func:`roi.graph.influence`) adds its measures and orders the rows
    by its ``rank``; without it rows are ordered by how long they have followed.
    """
    table = follow_back(data, account, as_of=as_of)
    table = table[table["status"] == "not_followed"].drop(columns=["status", "follows_since", "overdue"])
    if influence_table is not None:
        cols = [c for c in influence_table.columns if c not in ("handle",)]
        table = table.merge(influence_table[cols], on="account_id", how="left")
        table = table.sort_values(["rank", "account_id"], na_position="last", kind="stable")
    return table.reset_index(drop=True)


def _change_masks(edges: pd.DataFrame, snaps: pd.DatetimeIndex) -> tuple[pd.Series, pd.Series]:
    """Return for each edge when it was gained (NaT for the baseline) and lost (NaT if still there).

    Each change is dated at the midpoint between the two snapshots that bracket it.
    """
    first = snapshot_index(edges["first_seen"], snaps)
    last = snapshot_index(edges["last_seen"], snaps)
    first = np.where(first < 0, 0, first)
    last = np.where(last == -2, len(snaps) - 1, np.maximum(last, 0))
    mid = pd.Series(snaps[:-1] + (snaps[1:] - snaps[:-1]) / 2) if len(snaps) > 1 else pd.Series([], dtype=object)
    mid = pd.DatetimeIndex(mid).astype("datetime64[us, UTC]") if len(mid) else pd.DatetimeIndex([], tz="UTC")
    gained = pd.Series(pd.NaT, index=edges.index, dtype="datetime64[us, UTC]")
    lost_at = pd.Series(pd.NaT, index=edges.index, dtype="datetime64[us, UTC]")
    g = first > 0
    gained[g] = mid[first[g] - 1]
    lo = last < len(snaps) - 1
    lost_at[lo] = mid[last[lo]]
    return gained, lost_at


def _count_before(gained: pd.Series, lost_at: pd.Series, when: pd.Timestamp) -> int:
    """Followers just before ``when``: baseline or gained before it, and not lost before it."""
    there = gained.isna() | (gained < when)
    gone = lost_at.notna() & (lost_at < when)
    return int((there & ~gone).sum())


def _dask_follows(data: Any) -> Any:
    """Return the follows table if it is a Dask DataFrame (``roi.load(store, engine="dask")``), else None."""
    frame = data.get("follows") if isinstance(data, Mapping) else getattr(data, "follows", None)
    return frame if is_dask(frame) else None


def _incoming_dask(data: Any, follows: Any, account: str) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """Run :func:`_incoming` on a Dask follows table.

    Only the snapshot times and the account's incoming edges are gathered, never the whole table.
    """
    import dask.dataframe as dd

    accounts = data.get("accounts") if isinstance(data, Mapping) else getattr(data, "accounts", None)
    accounts = compute(accounts[["platform", "account_id", "handle", "observed_at"]]) if accounts is not None \
        else empty("accounts")
    me = str(account)
    if me not in set(accounts["account_id"].dropna()):
        ids = follows[["follower_id", "followee_id"]]
        known = compute(((ids["follower_id"] == me) | (ids["followee_id"] == me)).any())
        me = me if known else account_id_for(accounts, me)
    stamps = compute(dd.concat([follows["first_seen"], follows["last_seen"]]).dropna().unique())
    stamps = pd.Series(stamps, dtype="datetime64[us, UTC]")
    snaps = snapshot_times(pd.DataFrame({"first_seen": stamps, "last_seen": stamps}))
    mine = compute(follows[follows["followee_id"] == me][["platform", "follower_id", "followee_id",
                                                           "first_seen", "last_seen"]])
    edges = _edges_ever(mine)
    return edges.sort_values("follower_id", kind="stable", ignore_index=True), snaps


def _incoming(data: Any, account: str) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    dask_follows = _dask_follows(data)
    if dask_follows is not None:
        return _incoming_dask(data, dask_follows, account)
    _, follows = tables_of(data, "accounts", "follows")
    me = resolve_account(data, account)
    snaps = snapshot_times(follows)
    edges = _edges_ever(follows)
    return edges[edges["followee_id"] == me].reset_index(drop=True), snaps


def new_followers(data: Any, account: str, *, start: Any, end: Any) -> pd.DataFrame:
    """Followers of ``account`` first seen in [start, end) (baseline followers excluded).

    Returns account_id, handle, first_seen (snapshot that revealed the follow), followed_around
    (the midpoint date the change is counted at), still_following (present in the latest snapshot).
    """
    accounts, _ = tables_of(data, "accounts", "follows")
    start, end = to_utc(start, name="start"), to_utc(end, name="end")
    edges, snaps = _incoming(data, account)
    if not len(snaps) or edges.empty:
        return pd.DataFrame({"account_id": pd.Series([], dtype="string"), "handle": pd.Series([], dtype="string"),
                             "first_seen": pd.Series([], dtype="datetime64[us, UTC]"),
                             "followed_around": pd.Series([], dtype="datetime64[us, UTC]"),
                             "still_following": pd.Series([], dtype=bool)})
    gained, lost_at = _change_masks(edges, snaps)
    mask = (gained >= start) & (gained < end)
    table = pd.DataFrame({
        "account_id": edges.loc[mask, "follower_id"].astype("string"),
        "first_seen": edges.loc[mask, "first_seen"],
        "followed_around": gained[mask],
        "still_following": lost_at[mask].isna().to_numpy(),
    })
    table.insert(1, "handle", pd.array(table["account_id"].map(_handles(accounts)).astype(object), dtype="string"))
    return table.sort_values(["first_seen", "account_id"], kind="stable").reset_index(drop=True)


def follower_change(data: Any, account: str, *, start: Any, end: Any) -> pd.DataFrame:
    """Followers of ``account`` at the start and end of [start, end), with new, lost and net.

    Returns one row: start, end, followers_start, new, lost, net, followers_end, snapshots (number
    of snapshots inside the window), before_first_snapshot (True when the window starts before
    the first snapshot: its followers_start is then the first snapshot's baseline), churn_rate
    (= lost / followers_start).

    Examples
    --------
    >>> from roi.tables import conform
    >>> f = conform("follows", {"platform": ["x"] * 3, "follower_id": ["b", "c", "d"], "followee_id": ["a"] * 3,
    ...     "first_seen": ["2026-01-05", "2026-01-05", "2026-01-12"], "last_seen": ["2026-01-19", "2026-01-05", "2026-01-19"]})
    >>> r = follower_change({"follows": f}, "a", start="2026-01-05", end="2026-01-12").iloc[0]
    >>> int(r.followers_start), int(r.new), int(r.lost), int(r.followers_end)   # changes dated 2026-01-08T12:00
    (2, 1, 1, 2)
    """
    start, end = to_utc(start, name="start"), to_utc(end, name="end")
    if not start < end:
        raise ParameterError(f"start={start} is not before end={end}")
    edges, snaps = _incoming(data, account)
    return _window_rows(edges, snaps, [(start, end)])


def _window_rows(edges: pd.DataFrame, snaps: pd.DatetimeIndex, windows: list[tuple[pd.Timestamp, pd.Timestamp]]) -> pd.DataFrame:
    rows = []
    if len(snaps):
        gained, lost_at = _change_masks(edges, snaps)
    for start, end in windows:
        if not len(snaps):
            rows.append({"start": start, "end": end, "followers_start": pd.NA, "new": pd.NA, "lost": pd.NA,
                         "net": pd.NA, "followers_end": pd.NA, "snapshots": 0, "before_first_snapshot": True})
            continue
        new = int(((gained >= start) & (gained < end)).sum())
        lost = int(((lost_at >= start) & (lost_at < end)).sum())
        before = _count_before(gained, lost_at, start)
        after = _count_before(gained, lost_at, end)
        rows.append({"start": start, "end": end, "followers_start": before, "new": new, "lost": lost,
                     "net": new - lost, "followers_end": after,
                     "snapshots": int(((snaps >= start) & (snaps < end)).sum()),
                     "before_first_snapshot": bool(start < snaps[0])})
    table = pd.DataFrame(rows, columns=["start", "end", "followers_start", "new", "lost", "net", "followers_end",
                                        "snapshots", "before_first_snapshot"])
    table["before_first_snapshot"] = table["before_first_snapshot"].astype(bool)
    for c in ("followers_start", "new", "lost", "net", "followers_end", "snapshots"):
        table[c] = table[c].astype("Int64")
    for c in ("start", "end"):
        table[c] = pd.to_datetime(table[c], utc=True).astype("datetime64[us, UTC]")
    fs = table["followers_start"].astype("Float64")
    table["churn_rate"] = (table["lost"].astype("Float64") / fs.where(fs > 0)).astype("Float64")
    return table


def growth_churn(data: Any, account: str, *, tz: str = "UTC", start: Any = None, end: Any = None) -> pd.DataFrame:
    """Count new, lost and net followers of ``account`` per ISO week (weeks counted in local time ``tz``).

    Parameters
    ----------
    data : Dataset or mapping of tables
        Needs ``accounts`` and ``follows`` (the follower snapshots).
    account : str
        Handle or account id.
    tz : str, default "UTC"
        IANA time zone whose Monday-to-Monday weeks are used.
    start, end : timestamp, optional
        Restrict to weeks overlapping [start, end); default: from the week of the first snapshot to
        the week of the last dated change (midpoint of the last two snapshots).

    Returns
    -------
    DataFrame
        Columns :data:`GROWTH_COLUMNS`, one row per week. ``churn_rate = lost / followers_start``.
        Changes are dated at the midpoint between the snapshots that reveal them (module docstring).
    """
    validate_tz(tz)
    edges, snaps = _incoming(data, account)
    if not len(snaps):
        table = _window_rows(edges, snaps, [])
        table.insert(0, "week", pd.Series([], dtype="string"))
        return table.rename(columns={"start": "week_start", "end": "week_end"})[GROWTH_COLUMNS]
    first = snaps[0] if start is None else to_utc(start, name="start")
    # Changes are dated at bracket midpoints, so the last week with any information is the one
    # holding the last midpoint; a week that merely contains the final snapshot has none.
    last_info = snaps[-2] + (snaps[-1] - snaps[-2]) / 2 if len(snaps) > 1 else snaps[-1]
    last = last_info if end is None else to_utc(end, name="end") - pd.Timedelta(microseconds=1)
    weeks = []
    w = iso_week_of(first, tz=tz)
    while True:
        ws, we = week_bounds(w, tz=tz)
        if ws > last:
            break
        weeks.append((w, ws, we))
        w = iso_week_of(we, tz=tz)
    table = _window_rows(edges, snaps, [(ws, we) for _, ws, we in weeks])
    table.insert(0, "week", pd.Series([w for w, _, _ in weeks], dtype="string"))
    table = table.rename(columns={"start": "week_start", "end": "week_end"})
    return table[GROWTH_COLUMNS]
