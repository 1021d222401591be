"""The follower graph: edges follower -> followee alive at a moment, nodes carrying account attributes.

Follow edges come from snapshots: an edge was present from its ``first_seen`` snapshot to its
``last_seen`` snapshot, and absent from any later one (unfollowed). "Alive at ``as_of``" means
present in the latest snapshot taken at or before ``as_of``. Edges with no dates (e.g. from an
archive, which records no follow dates) are treated as alive throughout.

Everything here also works on plain arrays for graphs too big for networkx: see
:func:`follow_edges`, which the sparse influence path uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx
import numpy as np
import pandas as pd

from roi.errors import ParameterError
from roi.tables import conform, empty
from roi.timeframe import to_utc

__all__ = ["follower_graph", "follow_edges", "snapshot_times", "snapshot_index", "snapshot_for", "alive_at", "tables_of"]

# Node attributes copied from the accounts table (everything but the key).
NODE_ATTRIBUTES = (
    "platform", "handle", "display_name", "description", "location", "created_at",
    "followers_count", "following_count", "posts_count", "verified", "default_profile", "observed_at",
)


def tables_of(data: Any, *names: str) -> list[pd.DataFrame]:
    """Return the canonical tables ``names`` of a Dataset, a mapping of tables, or (follows) a DataFrame.

    Missing tables come back empty with the canonical columns, so callers never special-case them.
    """
    out = []
    for name in names:
        if isinstance(data, pd.DataFrame):
            frame = data if name == "follows" else None
        elif isinstance(data, Mapping):
            frame = data.get(name)
        elif hasattr(data, name):
            frame = getattr(data, name)
        else:
            raise ParameterError(
                f"expected a roi Dataset (roi.load(store)) or a mapping of tables, got {type(data).__name__}"
            )
        if frame is None:
            frame = empty(name)
        elif hasattr(frame, "compute") and not isinstance(frame, pd.DataFrame):
            frame = frame.compute()  # a Dask table: graphs are built in memory
        out.append(conform(name, frame) if set(frame.columns) != set(empty(name).columns) else frame)
    return out


SNAPSHOT_TOLERANCE = pd.Timedelta("1h")


def snapshot_times(follows: pd.DataFrame, *, tolerance: Any = SNAPSHOT_TOLERANCE) -> pd.DatetimeIndex:
    """Sorted snapshot times seen in ``follows`` (its first_seen and last_seen values).

    Times less than ``tolerance`` after the previous one belong to the same snapshot (a crawl
    writes the followers list and the audience's follow CSV seconds apart); a snapshot is
    represented by its earliest time.

    >>> f = conform("follows", {"platform": ["x"] * 3, "follower_id": ["1", "2", "3"], "followee_id": ["9"] * 3,
    ...     "first_seen": ["2026-01-05T10:00:00Z", "2026-01-12T10:00:00Z", "2026-01-12T10:00:03Z"],
    ...     "last_seen": ["2026-01-19T10:00:03Z"] * 3})
    >>> [t.isoformat() for t in snapshot_times(f)]
    ['2026-01-05T10:00:00+00:00', '2026-01-12T10:00:00+00:00', '2026-01-19T10:00:03+00:00']
    """
    stamps = pd.concat([follows["first_seen"], follows["last_seen"]], ignore_index=True).dropna()
    times = pd.DatetimeIndex(stamps.unique()).sort_values()
    if len(times) < 2:
        return times
    gap = np.diff(times.asi8) >= pd.Timedelta(tolerance).value / _per(times)
    return times[np.concatenate([[True], gap])]


def _per(times: pd.DatetimeIndex) -> int:
    """Nanoseconds per tick of the index's unit (asi8 counts ticks)."""
    return {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}[times.unit]


def snapshot_index(values: pd.Series, snapshots: pd.DatetimeIndex) -> np.ndarray:
    """For each timestamp, the position of the snapshot it belongs to (-1 before the first; NaT -> -2)."""
    out = np.full(len(values), -2, dtype=np.int64)
    known = values.notna().to_numpy()
    if known.any():
        out[known] = snapshots.searchsorted(pd.DatetimeIndex(values[known]), side="right") - 1
    return out


def snapshot_for(follows: pd.DataFrame, when: Any) -> pd.Timestamp | None:
    """Return the snapshot whose follows are the ones counted at ``when``; None without dated follows.

    A change between two snapshots is dated at their midpoint (see :mod:`roi.graph.followback`),
    so the state at ``when`` is the last snapshot whose bracket midpoint lies before ``when``:
    with Monday-morning snapshots, the state at the end of a week is the following Monday's.

    >>> f = conform("follows", {"platform": ["x"], "follower_id": ["1"], "followee_id": ["9"],
    ...     "first_seen": ["2026-01-05T10:00Z"], "last_seen": ["2026-01-12T10:00Z"]})
    >>> snapshot_for(f, "2026-01-12T05:00Z").isoformat()
    '2026-01-12T10:00:00+00:00'
    """
    snaps = snapshot_times(follows)
    if not len(snaps):
        return None
    mids = snaps[:-1] + (snaps[1:] - snaps[:-1]) / 2
    return snaps[int(mids.searchsorted(to_utc(when, name="when"), side="left"))]


def alive_at(follows: pd.DataFrame, when: Any = None, *, snapshots: pd.DatetimeIndex | None = None) -> pd.Series:
    """Boolean mask of edges present in the latest snapshot taken at or before ``when``.

    ``when=None`` means the latest snapshot. Undated edges are alive throughout. Before the
    first snapshot nothing dated is known to be alive.

    >>> f = conform("follows", {"platform": ["x"] * 3, "follower_id": ["1", "2", "3"], "followee_id": ["9"] * 3,
    ...                         "first_seen": ["2026-01-05", "2026-01-12", None],
    ...                         "last_seen": ["2026-01-12", "2026-01-19", None]})
    >>> alive_at(f, "2026-01-15").tolist(), alive_at(f).tolist()
    ([True, True, True], [False, True, True])
    """
    snaps = snapshot_times(follows) if snapshots is None else snapshots
    if len(snaps) == 0:  # no dated edge at all: every edge is undated, so alive
        return pd.Series(True, index=follows.index)
    pos = len(snaps) - 1 if when is None else int(snaps.searchsorted(to_utc(when, name="as_of"), side="right")) - 1
    first = snapshot_index(follows["first_seen"], snaps)
    last = snapshot_index(follows["last_seen"], snaps)
    first = np.where(first == -2, 0, first)
    last = np.where(last == -2, len(snaps) - 1, last)
    return pd.Series((first <= pos) & (last >= pos) & (pos >= 0) | (
        follows["first_seen"].isna() & follows["last_seen"].isna()).to_numpy(), index=follows.index)


def follow_edges(follows: pd.DataFrame, *, as_of: Any = None, platform: str | None = None) -> pd.DataFrame:
    """Clean follow edges alive at ``as_of``: one row per (follower_id, followee_id), no self-follows.

    Parameters
    ----------
    follows : DataFrame
        The canonical ``follows`` table.
    as_of : timestamp, optional
        Keep edges present in the latest snapshot at or before this time (default: the latest).
    platform : str, optional
        Keep one platform's edges only.

    Returns
    -------
    DataFrame
        Columns follower_id, followee_id, first_seen, last_seen (string ids, UTC timestamps).

    Examples
    --------
    >>> f = conform("follows", {"platform": ["x"] * 3, "follower_id": ["1", "1", "2"],
    ...                         "followee_id": ["2", "2", "2"]})
    >>> follow_edges(f)[["follower_id", "followee_id"]].values.tolist()
    [['1', '2']]
    """
    edges = follows
    if platform is not None:
        edges = edges[edges["platform"] == platform]
    edges = edges[alive_at(edges, as_of).to_numpy()]
    edges = edges.dropna(subset=["follower_id", "followee_id"])
    edges = edges[edges["follower_id"] != edges["followee_id"]]
    edges = (edges.sort_values("first_seen", na_position="last", kind="stable")
             .drop_duplicates(["follower_id", "followee_id"], keep="first"))
    cols = ["follower_id", "followee_id", "first_seen", "last_seen"]
    return edges[cols].reset_index(drop=True)


def _clean_value(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes, pd.Timestamp)):
        return value.item()
    return value


def follower_graph(data: Any, *, as_of: Any = None, platform: str | None = None) -> nx.DiGraph:
    """Build the follower graph: an edge follower -> followee for every follow alive at ``as_of``.

    Parameters
    ----------
    data : Dataset or mapping of tables
        Anything with ``accounts`` and ``follows`` tables (``roi.load(store)``, or a dict).
    as_of : timestamp, optional
        Use the follows present in the latest snapshot at or before this time (default: latest).
    platform : str, optional
        One platform's accounts and follows only.

    Returns
    -------
    networkx.DiGraph
        Nodes are account ids (strings) with the accounts table's columns as attributes
        (missing values left out, never None); accounts known only as ids in ``follows`` are
        id-only nodes. Every account in ``accounts`` is a node even without edges. Edge
        attributes: ``first_seen``, ``last_seen``. Self-follows and duplicates are dropped.

    Raises
    ------
    ParameterError
        If ``data`` holds no tables or ``as_of`` is not a timestamp.

    Examples
    --------
    >>> accounts = conform("accounts", {"platform": ["x"], "account_id": ["1"], "handle": ["acme"]})
    >>> follows = conform("follows", {"platform": ["x", "x", "x"], "follower_id": ["2", "3", "2"],
    ...                               "followee_id": ["1", "1", "2"]})
    >>> G = follower_graph({"accounts": accounts, "follows": follows})
    >>> sorted(G.edges()), G.nodes["1"]["handle"], G.nodes["2"]
    ([('2', '1'), ('3', '1')], 'acme', {})
    """
    accounts, follows = tables_of(data, "accounts", "follows")
    if platform is not None:
        accounts = accounts[accounts["platform"] == platform]
    edges = follow_edges(follows, as_of=as_of, platform=platform)
    G = nx.DiGraph()
    accounts = accounts.dropna(subset=["account_id"])
    if "observed_at" in accounts:
        accounts = accounts.sort_values("observed_at", na_position="first", kind="stable")
    accounts = accounts.drop_duplicates("account_id", keep="last")
    attrs = [c for c in NODE_ATTRIBUTES if c in accounts.columns]
    for row in accounts[["account_id", *attrs]].itertuples(index=False, name=None):
        G.add_node(row[0], **{k: v for k, v in zip(attrs, map(_clean_value, row[1:]), strict=True) if v is not None})
    G.add_nodes_from(pd.unique(pd.concat([edges["follower_id"], edges["followee_id"]])).tolist())
    for u, v, first, last in edges.itertuples(index=False, name=None):
        data_ = {}
        if first is not pd.NaT and not pd.isna(first):
            data_["first_seen"] = first
        if last is not pd.NaT and not pd.isna(last):
            data_["last_seen"] = last
        G.add_edge(u, v, **data_)
    return G
