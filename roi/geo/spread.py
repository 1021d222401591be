"""Geographic spread of an account's followers: where they are, how concentrated, how it changes.

Definitions (METRICS.md, Geography): share located = followers with a resolved country /
followers; country shares are among *located* followers (never extrapolated to the rest);
concentration is the Herfindahl-Hirschman index HHI = Σ s_i² over country shares (1 = one
country, 1/k = k equal countries) and Shannon entropy H = -Σ s_i log2 s_i in bits; reach-weighted
figures weight each follower by their own follower count. Every table carries its numerator and
denominator columns.

Examples
--------
>>> located = pd.DataFrame({"follower_id": ["1", "2", "3", "4"],
...                         "followers_count": pd.array([10, 30, 0, 5], dtype="Int64"),
...                         "country_code": pd.array(["US", "US", "GB", None], dtype="string"),
...                         "country": pd.array(["United States", "United States", "United Kingdom", None], dtype="string")})
>>> by_country = followers_by_country(located)
>>> by_country[["country_code", "followers", "located_followers", "share"]]
  country_code  followers  located_followers     share
0           US          2                  3  0.666667
1           GB          1                  3  0.333333
>>> s = spread_summary(located, home_country="US").set_index("metric")
>>> round(float(s.loc["hhi", "value"]), 4), s.loc["share_located", ["numerator", "denominator"]].tolist()
(0.5556, [3.0, 4.0])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from roi.dask_engine import is_dask
from roi.errors import ParameterError
from roi.timeframe import to_utc

__all__ = ["followers_at", "locate_followers", "followers_by_country", "followers_by_city",
           "spread_summary", "spread_change", "SMALL_CELL"]

#: Cells with fewer followers than this are flagged ``small`` (shown, not dropped).
SMALL_CELL = 5


def _snapshot_at(edges: pd.DataFrame, at: pd.Timestamp | None) -> pd.Timestamp | None:
    """Return the newest follower snapshot of these edges at or before ``at`` (None: the newest)."""
    times = pd.concat([edges["first_seen"], edges["last_seen"]]).dropna()
    if times.empty:
        return None
    if at is None:
        return times.max()
    times = times[times <= at]
    return times.max() if len(times) else None


def followers_at(follows: pd.DataFrame, account_id: str, *, at=None) -> pd.DataFrame:
    """Followers of ``account_id`` in the newest snapshot at or before ``at``.

    A follow edge is present in snapshot ``t`` when ``first_seen <= t <= last_seen`` (the
    follows table records the first and last snapshot that contained it). An unknown
    ``first_seen`` means "since before any snapshot", an unknown ``last_seen`` "still there", so
    undated edges (a follower list saved without dates) count in every snapshot, as in
    :func:`roi.graph.alive_at`.

    Parameters
    ----------
    follows : DataFrame
        The canonical follows table, pandas or Dask (``roi.load(store, engine="dask")``: only
        this account's edges are gathered).
    account_id : str
        The followed account.
    at : timestamp-like, optional
        Naive values are UTC. Default: the newest snapshot.

    Returns
    -------
    DataFrame
        ``follower_id``, ``first_seen``, ``snapshot`` (the snapshot used; null when no edge is
        dated), one row per follower.

    Examples
    --------
    >>> t = pd.to_datetime(["2026-01-05", "2026-01-12"], utc=True)
    >>> f = pd.DataFrame({"follower_id": ["a", "b"], "followee_id": ["x", "x"],
    ...                   "first_seen": [t[0], t[1]], "last_seen": [t[0], t[1]]})
    >>> followers_at(f, "x").follower_id.tolist(), followers_at(f, "x", at="2026-01-06").follower_id.tolist()
    (['b'], ['a'])
    """
    at = to_utc(at, name="at")
    edges = follows[follows["followee_id"].eq(str(account_id)).fillna(False)]
    if is_dask(edges):  # a Dask follows table: only this account's edges are gathered
        edges = edges[["follower_id", "first_seen", "last_seen"]].compute()
    edges = edges.dropna(subset=["follower_id"])
    snap = _snapshot_at(edges, at)
    first, last = edges["first_seen"], edges["last_seen"]
    if snap is None:  # no dated edge, or ``at`` before the first snapshot: only undated edges stand
        present = first.isna() & last.isna()
    else:
        present = (first.isna() | (first <= snap)) & (last.isna() | (last >= snap))
    out = edges.loc[present.to_numpy(dtype=bool), ["follower_id", "first_seen"]]
    out = out.drop_duplicates("follower_id").reset_index(drop=True)
    out = out.astype({"follower_id": "string", "first_seen": "datetime64[us, UTC]"})
    out["snapshot"] = pd.Series(snap if snap is not None else pd.NaT, index=out.index, dtype="datetime64[us, UTC]")
    return out


def _latest_accounts(accounts: pd.DataFrame) -> pd.DataFrame:
    if "observed_at" in accounts:
        accounts = accounts.sort_values("observed_at", na_position="first", kind="stable")
    return accounts.drop_duplicates("account_id", keep="last")


def locate_followers(accounts: pd.DataFrame, follows: pd.DataFrame, account_id: str, *,
                     at=None) -> pd.DataFrame:
    """Followers of ``account_id`` at a snapshot, with their profile and geocoded location.

    ``accounts`` and ``follows`` may be pandas or Dask tables (from ``roi.load(store,
    engine="dask")``): on Dask only this account's edges and its followers' profiles are
    gathered, and the result (one row per follower) is the same pandas table.

    Returns
    -------
    DataFrame
        ``follower_id``, ``followers_count`` (their own followers, for reach weighting),
        ``snapshot`` and every :data:`roi.geo.GEOCODE_COLUMNS` column. Followers with no
        profile in ``accounts`` have an empty location (unresolved, reason "empty").
    """
    from roi.geo.geocode import geocode

    fol = followers_at(follows, account_id, at=at)
    if is_dask(accounts):  # gather only the followers' profiles (a join on the workers)
        cols = [c for c in ("account_id", "location", "followers_count", "observed_at") if c in accounts.columns]
        ids = pd.DataFrame({"account_id": fol["follower_id"].astype("string").unique()})
        accounts = accounts[cols].merge(ids, on="account_id", how="inner").compute()
    prof = _latest_accounts(accounts)[["account_id", "location", "followers_count"]]
    merged = fol.merge(prof, left_on="follower_id", right_on="account_id", how="left")
    geo = geocode(merged["location"].astype("string"))
    out = pd.concat([merged[["follower_id", "followers_count", "snapshot"]].reset_index(drop=True),
                     geo.reset_index(drop=True)], axis=1)
    return out


def _check_located(located: pd.DataFrame, *, need: tuple[str, ...] = ("country_code",)) -> None:
    missing = [c for c in need if c not in located.columns]
    if missing:
        raise ParameterError(f"located: missing column(s) {', '.join(missing)}; pass the output of "
                             "locate_followers() or geocode()")


def followers_by_country(located: pd.DataFrame) -> pd.DataFrame:
    """Followers per country, with shares among located followers and per-capita figures.

    Parameters
    ----------
    located : DataFrame
        One row per follower with ``country_code`` (null = unresolved), e.g. from
        :func:`locate_followers`; ``followers_count`` is used for the reach columns if present.

    Returns
    -------
    DataFrame
        ``country_code``, ``country``, ``followers`` (numerator), ``located_followers`` (the
        denominator of ``share``), ``all_followers`` (located or not), ``share``, ``reach`` (sum of
        these followers' own followers), ``located_reach``, ``reach_share``, ``population`` (Natural
        Earth estimate), ``followers_per_million`` and ``small`` (fewer than :data:`SMALL_CELL`
        followers). Most followers first.
    """
    _check_located(located)
    n_all = len(located)
    res = located[located["country_code"].notna()]
    n_loc = len(res)
    reach = (res["followers_count"].astype("Float64").fillna(0) if "followers_count" in res
             else pd.Series(0.0, index=res.index))
    names = res["country"] if "country" in res else res["country_code"]
    grouped = (pd.DataFrame({"country_code": res["country_code"].astype(str), "country": names.astype(str),
                             "reach": reach.astype(float)})
               .groupby("country_code", sort=False)
               .agg(country=("country", "first"), followers=("reach", "size"), reach=("reach", "sum"))
               .reset_index())
    total_reach = float(grouped["reach"].sum())
    pop = _populations()
    out = grouped.assign(
        located_followers=n_loc, all_followers=n_all,
        share=grouped["followers"] / n_loc if n_loc else np.nan,
        located_reach=total_reach,
        reach_share=grouped["reach"] / total_reach if total_reach else np.nan,
        population=grouped["country_code"].map(pop).astype("Int64"),
    )
    out["followers_per_million"] = (out["followers"] / out["population"].astype("Float64") * 1e6).astype("Float64")
    out["small"] = out["followers"] < SMALL_CELL
    out = out.sort_values(["followers", "country_code"], ascending=[False, True], ignore_index=True)
    out["country_code"] = out["country_code"].astype("string")
    out["country"] = out["country"].astype("string")
    return out[["country_code", "country", "followers", "located_followers", "all_followers", "share",
                "reach", "located_reach", "reach_share", "population", "followers_per_million", "small"]]


def _populations() -> dict[str, int]:
    from roi.geo.boundaries import load_boundaries

    world = load_boundaries()
    pops = dict(zip(world["iso_a2"], world["pop_est"].astype("int64"), strict=True))
    from roi.geo.gazetteer import load_gazetteer

    for cc, p in load_gazetteer().country_population.items():  # small states Natural Earth omits
        pops.setdefault(cc, int(p))
    return pops


def followers_by_city(located: pd.DataFrame) -> pd.DataFrame:
    """Followers per city (only followers resolved to a city), with coordinates for maps.

    Returns
    -------
    DataFrame
        ``city``, ``admin1``, ``country_code``, ``lat``, ``lon``, ``followers`` (numerator),
        ``city_located_followers`` (followers resolved to any city: the denominator of
        ``share``), ``located_followers`` (resolved to a country), ``small``. Most followers first.
    """
    _check_located(located, need=("country_code", "city", "lat", "lon"))
    n_loc = int(located["country_code"].notna().sum())
    res = located[located["city"].notna() & located["country_code"].notna()]
    key = res[["city", "admin1", "country_code"]].astype(object).fillna("")
    grouped = (pd.DataFrame({"city": key["city"], "admin1": key["admin1"], "country_code": key["country_code"],
                             "lat": res["lat"].astype(float), "lon": res["lon"].astype(float)})
               .groupby(["city", "admin1", "country_code"], sort=False)
               .agg(lat=("lat", "first"), lon=("lon", "first"), followers=("lat", "size"))
               .reset_index())
    out = grouped.assign(city_located_followers=len(res), located_followers=n_loc)
    out["share"] = out["followers"] / len(res) if len(res) else np.nan
    out["small"] = out["followers"] < SMALL_CELL
    out = out.sort_values(["followers", "city"], ascending=[False, True], ignore_index=True)
    for c in ("city", "admin1", "country_code"):
        out[c] = out[c].replace("", None).astype("string")
    return out


def _hhi_entropy(counts: np.ndarray) -> tuple[float, float]:
    total = counts.sum()
    if total <= 0:
        return float("nan"), float("nan")
    s = counts / total
    s = s[s > 0]
    return float((s ** 2).sum()), float(-(s * np.log2(s)).sum())


def spread_summary(located: pd.DataFrame, *, home_country: str) -> pd.DataFrame:
    """One row per spread metric with its value, numerator and denominator.

    Metrics: ``followers`` (M), ``located`` (N), ``share_located`` (N/M), ``countries_reached``,
    ``hhi`` (Σ s_i² over country shares among located followers), ``effective_countries`` (1/HHI),
    ``entropy_bits``, ``home_share`` (located followers in ``home_country`` / N), and the
    reach-weighted ``reach_hhi`` and ``reach_home_share`` (each follower weighted by their own
    followers).

    Raises
    ------
    ParameterError
        If ``home_country`` is not a two-letter country code.
    """
    if not (isinstance(home_country, str) and len(home_country) == 2 and home_country.isalpha()):
        raise ParameterError(f"home_country={home_country!r}: expected an ISO 3166 alpha-2 code such as 'US'")
    home = home_country.upper()
    _check_located(located)
    m = len(located)
    by = followers_by_country(located)
    n = int(by["followers"].sum())
    counts = by["followers"].to_numpy(dtype=float)
    reach = by["reach"].to_numpy(dtype=float)
    hhi, ent = _hhi_entropy(counts)
    r_hhi, _ = _hhi_entropy(reach)
    home_n = int(by.loc[by["country_code"] == home, "followers"].sum())
    home_r = float(by.loc[by["country_code"] == home, "reach"].sum())
    rows = [
        ("followers", m, m, np.nan, "followers in the snapshot"),
        ("located", n, n, np.nan, "followers whose profile location resolved to a country"),
        ("share_located", n / m if m else np.nan, n, m, "located / followers"),
        ("countries_reached", len(by), len(by), np.nan, "countries with at least one located follower"),
        ("hhi", hhi, np.nan, n, "sum of squared country shares among located followers (1 = one country)"),
        ("effective_countries", 1 / hhi if hhi and hhi == hhi else np.nan, np.nan, n, "1 / HHI"),
        ("entropy_bits", ent, np.nan, n, "Shannon entropy of country shares, bits"),
        ("home_share", home_n / n if n else np.nan, home_n, n, f"located followers in {home} / located"),
        ("reach_hhi", r_hhi, np.nan, float(reach.sum()), "HHI with each follower weighted by their followers"),
        ("reach_home_share", home_r / reach.sum() if reach.sum() else np.nan, home_r, float(reach.sum()),
         f"followers-of-followers in {home} / all located followers-of-followers"),
    ]
    out = pd.DataFrame(rows, columns=["metric", "value", "numerator", "denominator", "definition"])
    return out.astype({"value": "float64", "numerator": "float64", "denominator": "float64"})


def _keyed_by_country(located: pd.DataFrame) -> pd.DataFrame:
    """Unresolved followers as one country "?" so that counts add up."""
    return located.assign(country_code=located["country_code"].astype(object).fillna("?"),
                          country=located["country"].astype(object).fillna("(not located)"))


def spread_change(accounts: pd.DataFrame, follows: pd.DataFrame, account_id: str, *, start, end) -> pd.DataFrame:
    """Week-over-week (or any period) change of followers by country between two snapshots.

    Uses the newest snapshot at or before ``start`` and the newest at or before ``end``; a
    follower in the second but not the first is ``new``, in the first but not the second
    ``lost``. Shares are among located followers of each snapshot.

    Returns
    -------
    DataFrame
        ``country_code``, ``country``, ``followers_start``, ``followers_end``, ``new``, ``lost``,
        ``net``, ``located_start``, ``located_end`` (the share denominators), ``share_start``,
        ``share_end``, ``share_change`` (percentage points / 100), ``small``. Unresolved
        followers appear as one row with a null ``country_code``, so the counts add up.
    """
    a = locate_followers(accounts, follows, account_id, at=start)
    b = locate_followers(accounts, follows, account_id, at=end)
    if len(a) and len(b) and a["snapshot"].iloc[0] == b["snapshot"].iloc[0]:
        a = a.iloc[0:0]  # no earlier snapshot: everything is new
    a, b = _keyed_by_country(a), _keyed_by_country(b)
    ids_a, ids_b = set(a["follower_id"]), set(b["follower_id"])
    new = b[~b["follower_id"].isin(ids_a)].groupby("country_code").size()
    lost = a[~a["follower_id"].isin(ids_b)].groupby("country_code").size()
    fa = a.groupby("country_code").size()
    fb = b.groupby("country_code").size()
    names = pd.concat([a, b]).drop_duplicates("country_code").set_index("country_code")["country"]
    codes = sorted(set(fa.index) | set(fb.index))
    out = pd.DataFrame({"country_code": codes})
    out["country"] = out["country_code"].map(names)
    for col, s in [("followers_start", fa), ("followers_end", fb), ("new", new), ("lost", lost)]:
        out[col] = out["country_code"].map(s).fillna(0).astype("int64")
    out["net"] = out["followers_end"] - out["followers_start"]
    loc_a = int(fa.drop("?", errors="ignore").sum())
    loc_b = int(fb.drop("?", errors="ignore").sum())
    out["located_start"], out["located_end"] = loc_a, loc_b
    located = out["country_code"] != "?"
    out["share_start"] = np.where(located, out["followers_start"] / loc_a if loc_a else np.nan, np.nan)
    out["share_end"] = np.where(located, out["followers_end"] / loc_b if loc_b else np.nan, np.nan)
    out["share_change"] = out["share_end"] - out["share_start"]
    out["small"] = out[["followers_start", "followers_end"]].max(axis=1) < SMALL_CELL
    out["country_code"] = out["country_code"].replace("?", None).astype("string")
    out["country"] = out["country"].astype("string")
    return out.sort_values(["followers_end", "country_code"], ascending=[False, True],
                           ignore_index=True, na_position="last")
