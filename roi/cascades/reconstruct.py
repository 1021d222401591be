"""Who passed a post to whom: cascade edges reconstructed from posts and the follow graph.

The platforms credit every repost to the original (X, Mastodon), so the tree must be rebuilt.
The standard reconstruction (Goel et al. 2016; METRICS.md) makes each reposter's parent the most
recent earlier adopter in the same cascade whom they follow, else the source. Explicit links are
used as given: a reply's parent is the post it replies to, a quote's the post it quotes, and a
repost that names the repost it came through (Bluesky ``via``, in an optional ``via_id`` column)
has that repost as parent. Every edge records how it was attributed.

A parent missing from the store is normal (every real export holds replies to posts outside it).
Such a cascade starts at the oldest post the store holds among those referencing the missing
post; the others that reference it hang under that post (attribution ``missing_parent``) unless a
reposter follows an earlier adopter. :func:`store_cascade_metrics` says how many parents were
missing in each cascade.

Vectorised: reposts are joined to their reposter's follow edges (in chunks that bound memory),
each followee looked up among the cascade's earlier adopters with one ``searchsorted``, and the
most recent one kept per repost; no Python loop runs per repost.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from roi.errors import ParameterError

__all__ = ["reconstruct_cascades", "cascade_forest", "store_cascade_metrics", "top_cascades", "EDGE_COLUMNS", "ATTRIBUTIONS"]

EDGE_COLUMNS = [
    "platform", "cascade_id", "parent_post_id", "child_post_id", "parent_account_id", "child_account_id",
    "created_at", "delay", "attribution",
]
#: How an edge was attributed: ``follow`` (the reposter follows the parent's author, the most recent
#: earlier adopter they follow), ``source_fallback`` (they follow no earlier adopter: the source),
#: ``explicit_reply`` / ``explicit_quote`` (the post names its parent), ``via`` (the repost names the
#: repost it came through) and ``missing_parent`` (the post it references is not in the store: it
#: hangs under the cascade's oldest held post).
ATTRIBUTIONS = ("follow", "source_fallback", "explicit_reply", "explicit_quote", "via", "missing_parent")
_KINDS = ("repost", "quote", "reply")
_NAT = np.iinfo(np.int64).min


def _micros(ts: pd.Series) -> np.ndarray:
    """UTC timestamps as int64 microseconds (NaT -> int64 min)."""
    values = pd.to_datetime(pd.Series(ts), utc=True).astype("datetime64[us, UTC]")
    out = values.to_numpy(dtype="datetime64[us]").astype(np.int64)
    out[values.isna().to_numpy()] = _NAT
    return out


def _factorize(parts: list[pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of the concatenated string values (nulls -> -1) and the distinct values.

    Arrow's hash-based dictionary encoding: several times faster than pandas' factorize on
    Arrow-backed strings for the tens of millions of ids of a large follow graph.
    """
    arrays = [pa.array(pd.Series(s).astype("string"), type=pa.large_string(), from_pandas=True) for s in parts]
    encoded = pa.chunked_array(arrays, type=pa.large_string()).dictionary_encode().combine_chunks()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    codes = np.where(np.isnan(codes), -1, codes).astype(np.int64) if codes.dtype.kind == "f" else codes.astype(np.int64)
    return codes, np.asarray(encoded.dictionary.to_pylist(), dtype=object)


def _alive_bounds(follows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Per edge, from when to when it counts as present.

    Snapshots only say an edge was seen between ``first_seen`` and ``last_seen``. An edge in the
    first snapshot may be older, and one in the last snapshot may still stand, so those ends are
    open; an unknown time is open too.
    """
    undated = pd.Series(pd.NaT, index=follows.index, dtype="datetime64[us, UTC]")
    first = _micros(follows["first_seen"] if "first_seen" in follows else undated)
    last = _micros(follows["last_seen"] if "last_seen" in follows else undated)
    known_first = first[first != _NAT]
    known_last = last[last != _NAT]
    lo = np.where((first == _NAT) | (known_first.size and first == known_first.min()), _NAT, first)
    hi = np.where((last == _NAT) | (known_last.size and last == known_last.max()), np.iinfo(np.int64).max, last)
    return lo, hi


def reconstruct_cascades(
    posts: pd.DataFrame,
    follows: pd.DataFrame | None = None,
    *,
    kinds: Sequence[str] = _KINDS,
    max_join_rows: int = 4_000_000,
) -> pd.DataFrame:
    """Reconstruct cascade edges (parent -> child post) from posts and, if known, the follow graph.

    Parameters
    ----------
    posts : DataFrame
        The posts table (``post_id, author_id, created_at, kind, referenced_id``; ``platform``
        and a non-canonical ``via_id`` are used when present).
    follows : DataFrame, optional
        The follows table (``follower_id, followee_id, first_seen, last_seen``). Without it
        every repost's parent is the source (``source_fallback``).
    kinds : sequence of str, default ("repost", "quote", "reply")
        Which kinds of post join a cascade.
    max_join_rows : int, default 4,000,000
        Reposts are joined to follow edges in chunks of about this many rows (memory bound).

    Returns
    -------
    DataFrame
        One row per child post with :data:`EDGE_COLUMNS`: ``cascade_id`` (the source post id:
        the end of the chain of references or, when that post is not in ``posts``, the oldest
        post of ``posts`` referencing it), ``parent_post_id``, ``child_post_id``, their authors,
        ``created_at`` (the child's), ``delay`` (child minus parent time) and ``attribution``
        (one of :data:`ATTRIBUTIONS`). Every parent is a post of ``posts``. A source is not a
        child: a post with no reactions has no row.

    Raises
    ------
    ParameterError
        If a required column is missing or ``kinds`` names an unknown kind.

    Examples
    --------
    ``b`` follows ``a``, who reposted ``s`` first; ``c`` follows nobody:

    >>> t = pd.Timestamp("2026-10-01", tz="UTC")
    >>> posts = pd.DataFrame({
    ...     "post_id": ["s", "ra", "rb", "rc"], "author_id": ["brand", "a", "b", "c"],
    ...     "created_at": [t, t + pd.Timedelta("5min"), t + pd.Timedelta("9min"), t + pd.Timedelta("12min")],
    ...     "kind": ["original", "repost", "repost", "repost"], "referenced_id": [None, "s", "s", "s"]})
    >>> follows = pd.DataFrame({"follower_id": ["b"], "followee_id": ["a"],
    ...                         "first_seen": [t], "last_seen": [t]})
    >>> reconstruct_cascades(posts, follows)[["child_post_id", "parent_post_id", "attribution"]].to_numpy().tolist()
    [['ra', 's', 'source_fallback'], ['rb', 'ra', 'follow'], ['rc', 's', 'source_fallback']]
    """
    need = ["post_id", "author_id", "created_at", "kind", "referenced_id"]
    missing = [c for c in need if c not in posts.columns]
    if missing:
        raise ParameterError(f"posts: missing column(s) {', '.join(missing)}")
    unknown = [k for k in kinds if k not in _KINDS]
    if unknown:
        raise ParameterError(f"kinds={list(kinds)!r}: unknown kind(s) {unknown}; expected some of {list(_KINDS)}")
    if follows is not None:
        missing = [c for c in ("follower_id", "followee_id") if c not in follows.columns]
        if missing:
            raise ParameterError(f"follows: missing column(s) {', '.join(missing)}")
        follows = follows.dropna(subset=["follower_id", "followee_id"])

    p = posts.dropna(subset=["post_id"]).drop_duplicates("post_id", keep="last").reset_index(drop=True)
    post_id = p["post_id"].astype("string")
    ref = p["referenced_id"].astype("string")
    kind = p["kind"].astype("string").fillna("")
    linked = (kind.isin(list(kinds)) & ref.notna() & (ref != post_id)).to_numpy(dtype=bool)
    # One integer code per post id, and for ids only ever referenced (posts not in the table).
    codes, uniques = _factorize([post_id, ref[linked]])
    n_codes = len(uniques)
    own = codes[: len(p)]
    ref_code = np.full(len(p), -1, dtype=np.int64)
    ref_code[linked] = codes[len(p):]
    t_post = _micros(p["created_at"])
    time_of = np.full(n_codes, _NAT, dtype=np.int64)
    time_of[own] = t_post
    author_codes, accounts = _factorize(
        [p["author_id"], *([follows["follower_id"], follows["followee_id"]] if follows is not None else [])])
    n_acc = max(len(accounts), 1)
    author = author_codes[: len(p)].astype(np.int64)
    author_of = np.full(n_codes, -1, dtype=np.int64)
    author_of[own] = author

    # Cascade root: follow references up to a post that is not itself a linked child.
    up = np.arange(n_codes, dtype=np.int64)
    up[own[linked]] = ref_code[linked]
    for _ in range(64):
        nxt = up[up]
        if np.array_equal(nxt, up):
            break
        up = nxt
    stable = up[up] == up
    held = np.zeros(n_codes, dtype=bool)
    held[own] = True
    member = linked & stable[own]
    # A member whose referenced post is not held points straight at its (missing) root. Of those
    # orphans, the oldest stands in as the cascade's source; the others hang under it.
    orphan = member & ~held[np.maximum(ref_code, 0)]
    source_of = np.where(held, np.arange(n_codes), -1)
    stand_in = _oldest_per_group(ref_code[orphan], t_post[orphan], post_id.to_numpy(dtype=object)[orphan])
    orphan_rows = np.flatnonzero(orphan)
    source_of[ref_code[orphan_rows[stand_in]]] = own[orphan_rows[stand_in]]
    is_stand_in = np.zeros(len(p), dtype=bool)
    is_stand_in[orphan_rows[stand_in]] = True

    child = np.flatnonzero(member & ~is_stand_in)
    child_orphan = orphan[child]
    parent_code = np.where(child_orphan, source_of[np.maximum(ref_code[child], 0)], ref_code[child])
    attribution = np.empty(len(child), dtype=object)
    k = kind.to_numpy(dtype=object)[child]
    attribution[k == "reply"] = "explicit_reply"
    attribution[k == "quote"] = "explicit_quote"
    is_repost = k == "repost"
    if "via_id" in p.columns:
        via = p["via_id"].astype("string").to_numpy(dtype=object, na_value=None)[child]
        has_via = is_repost & pd.notna(via)
        via_codes = pd.Index(uniques).get_indexer(pd.Series(via[has_via], dtype="string"))
        known_via = via_codes >= 0
        idx = np.flatnonzero(has_via)[known_via]
        parent_code[idx] = via_codes[known_via]
        attribution[idx] = "via"
        is_repost &= ~np.isin(np.arange(len(child)), idx)
    attribution[child_orphan & (attribution != "via")] = "missing_parent"
    attribution[is_repost & ~child_orphan] = "source_fallback"
    # Reposts (of a held post, or orphans of a missing one) look for a followed earlier adopter.
    implicit = np.flatnonzero(is_repost)
    if follows is not None and len(implicit) and len(follows):
        best = _most_recent_followed(
            group=ref_code[child[implicit]], account=author[child[implicit]], t=t_post[child[implicit]],
            post=own[child[implicit]], time_of=time_of, author_of=author_of, source_of=source_of,
            follows=follows, account_codes=author_codes[len(p):], n_acc=n_acc, max_join_rows=max_join_rows,
        )
        hit = best >= 0
        parent_code[implicit[hit]] = best[hit]
        attribution[implicit[hit]] = "follow"

    child_code = own[child]
    ids = np.asarray(uniques, dtype=object)
    acc_ids = np.asarray([*accounts, None], dtype=object)  # code -1 (no known author) -> None
    p_author = author_of[parent_code]
    p_time = time_of[parent_code]
    c_time = t_post[child]
    delay = np.where((p_time == _NAT) | (c_time == _NAT), np.iinfo(np.int64).min, c_time - p_time)
    out = pd.DataFrame({
        "platform": (p["platform"].astype("string").to_numpy(dtype=object, na_value=None)[child]
                     if "platform" in p.columns else None),
        "cascade_id": ids[source_of[up[child_code]]],
        "parent_post_id": ids[parent_code],
        "child_post_id": ids[child_code],
        "parent_account_id": acc_ids[p_author],
        "child_account_id": acc_ids[author[child]],
        "delay": pd.to_timedelta(np.where(delay == np.iinfo(np.int64).min, np.nan, delay), unit="us"),
        "attribution": attribution,
    })
    out = out.astype({c: "string" for c in EDGE_COLUMNS if c not in ("created_at", "delay")})
    out["created_at"] = pd.to_datetime(p["created_at"].iloc[child].reset_index(drop=True), utc=True)
    out.attrs["dropped_cyclic"] = int((linked & ~stable[own]).sum())
    return out[EDGE_COLUMNS]


def _oldest_per_group(group: np.ndarray, t: np.ndarray, post_id: np.ndarray) -> np.ndarray:
    """Positions of the oldest row of each group (unknown time last, then the smallest post id)."""
    if not len(group):
        return np.zeros(0, dtype=np.int64)
    when = np.where(t == _NAT, np.iinfo(np.int64).max, t)
    order = np.lexsort((pd.Series(post_id, dtype="string").rank(method="first").to_numpy(), when, group))
    g = group[order]
    first = np.concatenate([[True], g[1:] != g[:-1]])
    return order[first]


def _most_recent_followed(*, group, account, t, post, time_of, author_of, source_of, follows, account_codes, n_acc,
                          max_join_rows):
    """For each repost, the post of the most recent earlier adopter (same group) it follows; -1 if none.

    A group's first adopter is its source (``source_of``: the referenced post itself, or the
    oldest held post standing in for a referenced post that is missing).
    """
    n_follow = len(follows)
    follower = account_codes[:n_follow].astype(np.int64)
    followee = account_codes[n_follow:].astype(np.int64)
    lo, hi = _alive_bounds(follows)
    order = np.argsort(follower, kind="stable")
    follower, followee, lo, hi = follower[order], followee[order], lo[order], hi[order]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(follower, minlength=n_acc))])

    # Adopters of each group: the referenced post's author at its time, and every reposter at the
    # time of their first repost. Keyed by group * n_acc + account, sorted for searchsorted.
    groups = np.unique(group)
    src = source_of[groups]
    src_ok = (src >= 0) & (author_of[np.maximum(src, 0)] >= 0)
    a_group = np.concatenate([groups[src_ok], group])
    a_acc = np.concatenate([author_of[src[src_ok]], account])
    a_time = np.concatenate([time_of[src[src_ok]], t])
    a_post = np.concatenate([src[src_ok], post])
    known = a_acc >= 0  # an adopter without a known author cannot be followed
    a_group, a_acc, a_time, a_post = a_group[known], a_acc[known], a_time[known], a_post[known]
    key = a_group * n_acc + a_acc
    first = np.lexsort((a_time, key))
    key, a_time, a_post = key[first], a_time[first], a_post[first]
    keep = np.concatenate([[True], key[1:] != key[:-1]]) if len(key) else np.zeros(0, bool)
    key, a_time, a_post = key[keep], a_time[keep], a_post[keep]

    best = np.full(len(group), -1, dtype=np.int64)
    # A repost without a known author (-1) follows nobody.
    degree = np.where(account >= 0, indptr[account + 1] - indptr[np.maximum(account, 0)], 0)
    cum = np.cumsum(degree)
    # Chunks of reposts whose follow edges add up to about max_join_rows (memory stays bounded).
    stops = np.searchsorted(cum, np.arange(max_join_rows, int(cum[-1]) + 1, max_join_rows), side="right")
    start = 0
    for stop in np.unique(np.append(stops, len(group))):
        if stop <= start:
            continue
        rows = np.arange(start, stop)
        start = stop
        deg = degree[rows]
        total = int(deg.sum())
        if total == 0:
            continue
        rep = np.repeat(rows, deg)
        offsets = np.arange(total) - np.repeat(np.cumsum(deg) - deg, deg)
        edge = indptr[account[rep]] + offsets
        t_rep = t[rep]
        alive = (lo[edge] <= t_rep) & (hi[edge] >= t_rep) & (t_rep != _NAT)
        look = group[rep] * n_acc + followee[edge]
        pos = np.minimum(np.searchsorted(key, look), len(key) - 1)
        ok = alive & (key[pos] == look) & (a_time[pos] < t_rep) & (a_time[pos] != _NAT)
        if not ok.any():
            continue
        rep, pos = rep[ok], pos[ok]
        # Most recent adopter per repost: sort by (repost, adoption time), keep the last.
        o = np.lexsort((a_time[pos], rep))
        rep, pos = rep[o], pos[o]
        last = np.concatenate([rep[1:] != rep[:-1], [True]])
        best[rep[last]] = a_post[pos[last]]
    return best


def cascade_forest(edges: pd.DataFrame, posts: pd.DataFrame | None = None, *, every_post: bool = False) -> pd.DataFrame:
    """Return the forest (one row per node) of reconstructed edges, ready for ``cascade_metrics``.

    Each cascade gets its source as a node (parent null; its author and time from ``posts``
    when the source post is there) and every child post as a node under its parent.

    Parameters
    ----------
    edges : DataFrame
        Output of :func:`reconstruct_cascades`.
    posts : DataFrame, optional
        The posts table, for the sources' authors and times.
    every_post : bool, default False
        Also make every post of ``posts`` that is not a child in ``edges`` the source of a
        cascade of its own: a post nobody passed on is a cascade of size 1, not a missing one.

    Returns
    -------
    DataFrame
        ``cascade_id, node, parent, time, account_id`` (node and parent are post ids).

    Raises
    ------
    ParameterError
        If ``every_post`` is set without ``posts``.

    Examples
    --------
    >>> e = pd.DataFrame({"cascade_id": ["s", "s"], "parent_post_id": ["s", "r1"],
    ...                   "child_post_id": ["r1", "r2"], "child_account_id": ["a", "b"],
    ...                   "created_at": pd.to_datetime(["2026-10-01 10:00", "2026-10-01 11:00"], utc=True)})
    >>> cascade_forest(e)[["node", "parent"]].to_numpy().tolist()
    [['s', <NA>], ['r1', 's'], ['r2', 'r1']]
    """
    if every_post and posts is None:
        raise ParameterError("every_post=True needs the posts table")
    source_ids = pd.Series(pd.unique(edges["cascade_id"]), dtype="string")
    if every_post:
        held = posts["post_id"].astype("string").drop_duplicates()
        unshared = held[~held.isin(edges["child_post_id"].astype("string")) & ~held.isin(source_ids)]
        source_ids = pd.concat([source_ids, unshared], ignore_index=True)
    sources = pd.DataFrame({"cascade_id": source_ids.to_numpy(), "node": source_ids.to_numpy()})
    if posts is not None and len(sources):
        info = posts.assign(post_id=posts["post_id"].astype("string")).drop_duplicates("post_id", keep="last").set_index("post_id")
        sources["time"] = info["created_at"].reindex(sources["node"].astype("string")).to_numpy()
        sources["account_id"] = info["author_id"].astype("string").reindex(sources["node"].astype("string")).to_numpy()
    else:
        sources["time"] = pd.Series(pd.NaT, index=sources.index, dtype="datetime64[us, UTC]")
        sources["account_id"] = None
    children = pd.DataFrame({
        "cascade_id": edges["cascade_id"].to_numpy(), "node": edges["child_post_id"].to_numpy(),
        "parent": edges["parent_post_id"].to_numpy(), "time": edges["created_at"].to_numpy(),
        "account_id": edges["child_account_id"].to_numpy(),
    })
    sources["parent"] = None
    forest = pd.concat([sources[children.columns], children], ignore_index=True)
    forest["time"] = pd.to_datetime(forest["time"], utc=True).astype("datetime64[us, UTC]")
    return forest.astype({"cascade_id": "string", "node": "string", "parent": "string", "account_id": "string"})


def store_cascade_metrics(
    ds,
    *,
    account: str | None = None,
    start: pd.Timestamp | str | None = None,
    end: pd.Timestamp | str | None = None,
    kinds: Sequence[str] = _KINDS,
) -> pd.DataFrame:
    """Every cascade in a store, reconstructed and measured, with its source post.

    Every post that starts a cascade has a row, including posts nobody passed on (size 1: leaving
    them out would inflate the mean size). A cascade whose true source is not in the store starts
    at the oldest post the store holds that references it; ``missing_parents`` says how many of
    the cascade's posts reference a post the store does not hold.

    Parameters
    ----------
    ds : roi.store.Dataset
        From ``roi.load(store)``.
    account : str, optional
        Keep only cascades whose source was posted by this handle.
    start, end : timestamp, optional
        Keep only sources posted in ``[start, end)`` (UTC).
    kinds : sequence of str
        Kinds of post that join a cascade (see :func:`reconstruct_cascades`).

    Returns
    -------
    DataFrame
        One row per cascade: ``cascade_id`` (the source post), the source's ``platform``,
        ``author_id``, ``created_at``, ``text``, ``kind`` and platform-reported ``reposts``, then
        ``reposts_observed`` (repost rows in the store: the cascade's coverage),
        ``missing_parents`` (posts of the cascade, its source included, whose parent post is not
        in the store; 0 = the cascade is whole as far as references go), the counts per
        attribution (``follow``, ``source_fallback``, ..., see :data:`ATTRIBUTIONS`), and every
        column of :func:`roi.cascades.metrics.cascade_metrics` (``size`` counts distinct
        adopters; reach from the store's accounts and follows). Sorted by size, largest first.

    Raises
    ------
    ParameterError
        If ``account`` is not in the store or the window is invalid.
    """
    from roi.accounts import account_id_for
    from roi.cascades.metrics import METRIC_COLUMNS, cascade_metrics

    posts = ds.posts
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    for name, value in (("start", lo), ("end", hi)):
        if value is not None and value.tzinfo is None:
            raise ParameterError(f"{name}={value!s}: expected a UTC timestamp (with time zone)")
    if lo is not None and hi is not None and not lo < hi:
        raise ParameterError(f"start={lo} is not before end={hi}")
    wanted = account_id_for(ds.accounts, account, posts=ds.posts) if account is not None else None
    edges = reconstruct_cascades(posts, ds.follows, kinds=kinds)
    forest = cascade_forest(edges, posts, every_post=True)
    src_rows = forest[forest["parent"].isna()]
    keep = pd.Series(True, index=src_rows.index)
    # Comparisons with a null author or time are null: fillna(False) so no NA reaches a bool.
    if wanted is not None:
        keep &= (src_rows["account_id"] == wanted).fillna(False)
    if lo is not None:
        keep &= (src_rows["time"] >= lo).fillna(False)
    if hi is not None:
        keep &= (src_rows["time"] < hi).fillna(False)
    kept = src_rows.loc[keep.to_numpy(dtype=bool), "cascade_id"]
    forest = forest[forest["cascade_id"].isin(kept)].reset_index(drop=True)
    edges = edges[edges["cascade_id"].isin(kept)]
    metrics = cascade_metrics(forest, accounts=ds.accounts, follows=ds.follows)

    info = posts.assign(post_id=posts["post_id"].astype("string")).drop_duplicates("post_id", keep="last").set_index("post_id")
    kind = info["kind"].astype("string") if "kind" in info else pd.Series(pd.NA, index=info.index, dtype="string")
    ref = info["referenced_id"].astype("string")
    missing_parent = kind.isin(list(kinds)).to_numpy(dtype=bool) & ~ref.isin(info.index).to_numpy(dtype=bool)
    missing_ids = info.index[missing_parent]
    node_cascade = forest.loc[forest["node"].isin(missing_ids), "cascade_id"]
    missing = node_cascade.value_counts()
    child_kind = kind.reindex(edges["child_post_id"].astype("string")).to_numpy(dtype=object, na_value=None)
    observed = edges.loc[child_kind == "repost", "cascade_id"].value_counts()
    counts = pd.crosstab(edges["cascade_id"], edges["attribution"]).reindex(columns=list(ATTRIBUTIONS), fill_value=0)

    ids = metrics["cascade_id"].astype("string")
    src = info.reindex(ids)
    out = pd.DataFrame({
        "cascade_id": ids.to_numpy(),
        "platform": src["platform"].to_numpy() if "platform" in src else None,
        "author_id": src["author_id"].to_numpy(),
        "created_at": src["created_at"].to_numpy(),
        "text": src["text"].to_numpy() if "text" in src else None,
        "kind": src["kind"].to_numpy() if "kind" in src else None,
        "reposts": src["reposts"].to_numpy() if "reposts" in src else None,
    })
    out["reposts_observed"] = observed.reindex(ids, fill_value=0).to_numpy()
    out["missing_parents"] = missing.reindex(ids, fill_value=0).to_numpy()
    for col in ATTRIBUTIONS:
        out[col] = counts[col].reindex(ids, fill_value=0).to_numpy()
    out = pd.concat([out, metrics.drop(columns="cascade_id").reset_index(drop=True)], axis=1)
    out = out.astype({"cascade_id": "string", "platform": "string", "author_id": "string", "text": "string",
                      "kind": "string", "reposts": "Int64", "reposts_observed": "Int64", "missing_parents": "Int64",
                      **{c: "Int64" for c in ATTRIBUTIONS}})
    out["created_at"] = pd.to_datetime(out["created_at"], utc=True)
    out = out.sort_values(["size", "created_at"], ascending=[False, True], kind="stable", ignore_index=True)
    return out[[*out.columns[:9], *ATTRIBUTIONS, *[c for c in METRIC_COLUMNS if c != "cascade_id"]]]


def top_cascades(ds, *, account: str, start, end, n: int = 10, by: str = "size") -> pd.DataFrame:
    """Return the account's posts of the window ``[start, end)`` with the largest cascades.

    The weekly report's cascade section: per post its text, platform-reported ``reposts`` and
    the reposts observed in the store (coverage), size, depth, structural virality and reach.

    Parameters
    ----------
    ds : roi.store.Dataset
        A loaded store (``roi.load(path)``) with posts and, for reach, follows.
    account : str
        The handle whose posts are ranked.
    start, end : timestamp
        The window in UTC, end exclusive.
    n : int, default 10
        How many cascades.
    by : str, default "size"
        Column to rank by (``size``, ``structural_virality``, ``potential_reach``, ...).

    Returns
    -------
    DataFrame
        Up to ``n`` rows of :func:`store_cascade_metrics`, ranked by ``by`` (largest first).
    """
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise ParameterError(f"n={n!r}: expected a positive integer")
    table = store_cascade_metrics(ds, account=account, start=start, end=end)
    if by not in table.columns:
        raise ParameterError(f"by={by!r}: expected a column of store_cascade_metrics, e.g. 'size'")
    ranked = table.sort_values([by, "created_at"], ascending=[False, True], kind="stable", na_position="last")
    return ranked.head(n).reset_index(drop=True)
