"""Rates by posting slot, hashtag use, mention use, question and content type, with intervals.

Every table has the grouping column(s), ``posts`` (posts with a known numerator and a positive
denominator), the numerator and denominator named for what they count, the rate, ``ci_low`` /
``ci_high`` (95% by default), ``ci_method`` and ``sparse`` (fewer than ``min_posts`` posts: shown,
flagged, never dropped). The rate is one of :data:`RATES`:

================== =============== ============= ==========================================
rate               numerator       denominator   interval
================== =============== ============= ==========================================
engagement_rate    engagements     impressions   bootstrap over posts (delta method for
                                                 cells above ``max_boot_posts`` and on Dask)
click_rate         link_clicks     impressions   Wilson
conversion_rate    conversions     web_clicks    Wilson
================== =============== ============= ==========================================

Inputs are the per-post table of :func:`roi.engagement.post_metrics` — a pandas DataFrame, or a
Dask DataFrame with the same columns, in which case the work is done by Dask as group sums and
only the small per-group result is gathered (intervals then use the delta method / Wilson).
Local hours and weekdays come from ``tz_convert`` to the IANA zone ``tz``, so posts on either
side of a DST change land in their true local hour. Weekday 0 is Monday.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from roi.dask_engine import is_dask
from roi.engagement.intervals import bootstrap_ratio, delta_ratio_interval, wilson_interval
from roi.errors import ParameterError
from roi.timeframe import validate_tz

__all__ = [
    "RATES",
    "rate_table",
    "with_slot",
    "timed",
    "engagement_by_slot",
    "engagement_by_hour",
    "engagement_by_weekday",
    "engagement_by_hashtag_count",
    "engagement_by_hashtag",
    "engagement_by_mention",
    "engagement_by_question",
    "engagement_by_content_type",
]

#: rate -> (numerator, denominator, kind); kind "ratio" = ratio of sums, "proportion" = k of n.
RATES = {
    "engagement_rate": ("engagements", "impressions", "ratio"),
    "click_rate": ("link_clicks", "impressions", "proportion"),
    "conversion_rate": ("conversions", "web_clicks", "proportion"),
}

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _check(metrics, rate: str, needed: Sequence[str]) -> tuple[str, str, str]:
    if rate not in RATES:
        raise ParameterError(f"rate={rate!r}: expected one of {', '.join(RATES)}")
    y, x, kind = RATES[rate]
    missing = [c for c in (y, x, *needed) if c not in metrics.columns]
    if missing:
        raise ParameterError(
            f"metrics: missing column(s) {', '.join(missing)}; pass the table from roi.engagement.post_metrics")
    return y, x, kind


def timed(metrics):
    """Keep the rows of ``metrics`` (or posts) whose time of day is known: not ``date_only``.

    An export that gives days, not times (X analytics' content export) sets ``date_only``; such
    posts count in daily and weekly figures and are left out of every hour-of-day analysis.

    >>> m = pd.DataFrame({"post_id": ["a", "b", "c"], "date_only": pd.array([False, True, None], dtype="boolean")})
    >>> timed(m)["post_id"].tolist()
    ['a', 'c']
    """
    if "date_only" not in metrics.columns:
        return metrics
    day_only = metrics["date_only"].astype("boolean").fillna(False)
    if is_dask(metrics):
        return metrics[~day_only]
    return metrics[~day_only.to_numpy(dtype=bool)]


def with_slot(metrics, *, tz: str = "UTC"):
    """``metrics`` with ``weekday`` (0 = Monday) and ``hour`` (0-23) of posting in local time ``tz``.

    Works on pandas and Dask frames; DST-correct (``tz_convert``).

    Examples
    --------
    >>> m = pd.DataFrame({"created_at": pd.to_datetime(["2026-03-07T14:30Z", "2026-03-09T14:30Z"], utc=True)})
    >>> with_slot(m, tz="America/New_York")[["weekday", "hour"]].values.tolist()
    [[5, 9], [0, 10]]
    """
    local = metrics["created_at"].dt.tz_convert(validate_tz(tz))
    if is_dask(metrics):
        return metrics.assign(weekday=local.dt.day_of_week.astype("int64"), hour=local.dt.hour.astype("int64"))
    weekday, hour = _local_slot(local)
    return metrics.assign(weekday=weekday, hour=hour)


def _local_slot(local: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return (weekday, hour) of tz-aware timestamps from their wall-clock integer value.

    One tz pass instead of one per field (the epoch, 1970-01-01, was a Thursday: weekday 3).
    """
    wall = local.dt.tz_localize(None).astype("datetime64[us]").to_numpy().view("int64")
    hour_us, day_us = 3_600_000_000, 86_400_000_000
    return (wall // day_us + 3) % 7, (wall // hour_us) % 24


def _float(values) -> np.ndarray:
    """Convert a numeric column to float64 with NaN for missing (pandas nullable or numpy)."""
    return pd.Series(values).astype("Float64").to_numpy(dtype="float64", na_value=np.nan)


def _factorize(values) -> tuple[np.ndarray, pd.Index]:
    """(codes, uniques) of one key column; small non-negative integers are their own codes."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        encoded = pc.dictionary_encode(values)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        return (encoded.indices.to_numpy(zero_copy_only=False).astype("int64"),
                pd.Index(encoded.dictionary.to_pandas()))
    arr = np.asarray(values) if not isinstance(values, pd.api.extensions.ExtensionArray) else values
    if isinstance(arr, np.ndarray) and arr.dtype.kind in "iu" and len(arr) and arr.min() >= 0 and arr.max() < 1 << 20:
        top = int(arr.max()) + 1
        return arr.astype("int64", copy=False), pd.Index(np.arange(top))
    codes, uniques = pd.factorize(arr, sort=False)
    return codes.astype("int64"), pd.Index(uniques)


def _bincount_sums(key_values: dict, y: np.ndarray, x: np.ndarray, *, squares: bool):
    """Per-group sums by np.bincount on combined key codes; returns (sums frame, row of each post)."""
    names = list(key_values)
    parts = [_factorize(key_values[k]) for k in names]
    dims = [max(len(u), 1) for _, u in parts]
    flat = np.ravel_multi_index([c for c, _ in parts], dims) if len(parts) > 1 else parts[0][0]
    size = int(np.prod(dims))
    if size <= 10_000_000:
        counts = np.bincount(flat, minlength=size)
        present = np.flatnonzero(counts)
        row_of = np.full(size, -1, dtype="int64")
        row_of[present] = np.arange(len(present))
        rows = row_of[flat]
    else:  # very many combinations: compact the codes first
        rows, present = pd.factorize(flat, sort=True)
    n_groups = len(present)
    per_key = np.unravel_index(present, dims) if len(parts) > 1 else (present,)
    out = {name: uniques.take(codes) for name, (_, uniques), codes in zip(names, parts, per_key, strict=True)}
    weights = {"_n": None, "_y": y, "_x": x}
    if squares:
        weights.update(_yy=y * y, _xx=x * x, _xy=x * y)
    for name, w in weights.items():
        out[name] = np.bincount(rows, weights=w, minlength=n_groups).astype("float64")
    return pd.DataFrame({k: (v.to_numpy() if isinstance(v, pd.Index) else v) for k, v in out.items()}), rows


def _single_exposure(metrics, rate: str):
    """Return (metrics, denominator name) with one kind of denominator.

    For a rate per impression: the rows and the one kind of denominator
    :func:`roi.engagement.exposure_basis` chooses (real impressions, or the followers proxy for every
    post), so a table never pools views with followers (docs/metrics.md).
    """
    y, x, _ = RATES[rate]
    if x != "impressions" or is_dask(metrics) or "impressions_source" not in metrics.columns:
        return metrics, x
    from roi.engagement.exposure import exposure_basis

    try:
        rows, basis = exposure_basis(metrics, metric="engagements" if y == "engagements" else y)
    except ParameterError:  # no post has a count and a denominator: an empty table, not an error
        return metrics.iloc[0:0], x
    return rows.assign(impressions=rows["exposure"]).drop(columns=["events", "exposure"]), basis["denominator"]


def _valid(frame, y: str, x: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    yv, xv = _float(frame[y]), _float(frame[x])
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(yv) & np.isfinite(xv) & (xv > 0)
    return ok, yv, xv


def _group_sums(frame, keys: list[str], y: str, x: str, *, squares: bool):
    """Per-group posts and sums (of y, x and, for the delta method, y², x², xy).

    Dask: a groupby-sum (runs on the cluster), then gathered. pandas: np.bincount on key codes.
    Returns (sums frame with the key columns, row of sums for each valid post or None, y, x).
    """
    if is_dask(frame):
        valid = frame[frame[y].notnull() & frame[x].notnull() & (frame[x] > 0)]
        cols = {"_n": 1, "_y": valid[y].astype("float64"), "_x": valid[x].astype("float64")}
        if squares:
            cols.update(_yy=cols["_y"] * cols["_y"], _xx=cols["_x"] * cols["_x"], _xy=cols["_x"] * cols["_y"])
        sums = valid[keys].assign(**cols).groupby(keys, observed=True, sort=False)[list(cols)].sum()
        return sums.compute().reset_index(), None, None, None
    ok, yv, xv = _valid(frame, y, x)
    keyed = {k: (frame[k].array[ok] if isinstance(frame[k].dtype, pd.api.extensions.ExtensionDtype)
                 else frame[k].to_numpy()[ok]) for k in keys}
    sums, rows = _bincount_sums(keyed, yv[ok], xv[ok], squares=squares)
    return sums, rows, yv[ok], xv[ok]


def rate_table(
    metrics,
    by: str | Sequence[str],
    *,
    rate: str = "engagement_rate",
    min_posts: int = 5,
    level: float = 0.95,
    ci: str = "auto",
    n_boot: int = 2000,
    max_boot_posts: int = 20_000,
    seed: int = 0,
    levels: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Compute the rate ``rate`` by the column(s) ``by`` of ``metrics``, with intervals and sparse flags.

    Parameters
    ----------
    metrics : pandas or Dask DataFrame
        Per-post metrics (:func:`roi.engagement.post_metrics`) holding the ``by`` columns.
    by : str or list of str
        Grouping column(s).
    rate : {"engagement_rate", "click_rate", "conversion_rate"}
        The rate per group, its numerator and denominator summed over the group's posts.
    min_posts : int, default 5
        Groups with fewer posts are flagged ``sparse``.
    level : float, default 0.95
        Confidence level of the intervals.
    ci : {"auto", "bootstrap", "delta"}
        For engagement_rate: "auto" bootstraps over posts (pandas input, at most
        ``max_boot_posts`` posts in the group) and uses the delta method otherwise.
    n_boot, max_boot_posts, seed
        Bootstrap replicates, the largest group bootstrapped, the seed (reproducible).
    levels : DataFrame, optional
        Every group to show (columns ``by``): groups without posts appear with posts = 0.

    Returns
    -------
    DataFrame
        ``by`` columns, posts, numerator, denominator, rate, ci_low, ci_high, ci_method, sparse,
        and ``denominator`` naming what the denominator column holds: for a rate per impression
        on a pandas frame with ``impressions_source``, real impressions or the followers proxy
        for every post, never a mix (:func:`roi.engagement.exposure_basis`); the column keeps
        its name ``impressions`` for stability.

    Examples
    --------
    >>> m = pd.DataFrame({"g": ["a", "a", "b"], "link_clicks": [1, 3, 0], "impressions": [100, 100, 50]})
    >>> rate_table(m, "g", rate="click_rate", min_posts=2)[["g", "posts", "link_clicks", "click_rate", "sparse"]]
       g  posts  link_clicks  click_rate  sparse
    0  a      2            4        0.02   False
    1  b      1            0         0.0    True
    """
    keys = [by] if isinstance(by, str) else list(by)
    y, x, kind = _check(metrics, rate, keys)
    if ci not in ("auto", "bootstrap", "delta"):
        raise ParameterError(f"ci={ci!r}: expected 'auto', 'bootstrap' or 'delta'")
    dask = is_dask(metrics)
    if dask and ci == "bootstrap":
        raise ParameterError("ci='bootstrap' needs a pandas DataFrame; Dask input uses the delta method")
    metrics, denominator = _single_exposure(metrics, rate)
    sums, rows, yv, xv = _group_sums(metrics, keys, y, x, squares=kind == "ratio")
    out = _assemble(sums, keys, rows, yv, xv, rate=rate, min_posts=min_posts, level=level, ci=ci,
                    n_boot=n_boot, max_boot_posts=max_boot_posts, seed=seed, levels=levels)
    return out.assign(denominator=pd.array([denominator] * len(out), dtype="string"))


def _assemble(sums, keys, rows, yv, xv, *, rate, min_posts, level, ci, n_boot, max_boot_posts, seed, levels):
    """Rates, intervals and flags from per-group sums (and, for the bootstrap, each post's group)."""
    y, x, kind = RATES[rate]
    if ci not in ("auto", "bootstrap", "delta"):
        raise ParameterError(f"ci={ci!r}: expected 'auto', 'bootstrap' or 'delta'")
    sums = sums.assign(_row=np.arange(len(sums)))
    if levels is not None:
        sums = levels[keys].merge(sums, on=keys, how="left")
    else:
        sums = sums.sort_values(keys, kind="stable", ignore_index=True)
    n = sums["_n"].fillna(0).to_numpy(dtype="int64")
    num = sums["_y"].fillna(0).to_numpy(dtype="float64")
    den = sums["_x"].fillna(0).to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        value = np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)
    method = np.full(len(sums), "wilson" if kind == "proportion" else "delta", dtype=object)
    if kind == "proportion":
        if np.any(num > den):
            raise ParameterError(f"{rate}: {y} exceed {x} in some group; a proportion needs {y} <= {x}")
        lo, hi = wilson_interval(num, den, level=level)
    else:
        lo, hi = delta_ratio_interval(num, den, sums["_yy"].fillna(0), sums["_xx"].fillna(0),
                                      sums["_xy"].fillna(0), n, level=level)
        boot = (n > 0) & (ci != "delta") & (rows is not None) & ((n <= max_boot_posts) | (ci == "bootstrap"))
        if boot.any():
            lo, hi = lo.copy(), hi.copy()
            order = np.argsort(rows, kind="stable")
            bounds = np.searchsorted(rows[order], np.arange(int(rows.max()) + 2))
            y_sorted, x_sorted = yv[order], xv[order]
            rng = np.random.default_rng(seed)
            src = sums["_row"].to_numpy()
            for i in np.flatnonzero(boot):  # one vectorised bootstrap per group
                r = int(src[i])
                s, e = bounds[r], bounds[r + 1]
                lo[i], hi[i] = bootstrap_ratio(y_sorted[s:e], x_sorted[s:e], n_boot=n_boot, level=level, seed=rng)
            method[boot] = "bootstrap"
    out = sums[keys].copy()
    out["posts"] = pd.array(n, dtype="Int64")
    out[y] = pd.array(num.round().astype("int64"), dtype="Int64")
    out[x] = pd.array(den.round().astype("int64"), dtype="Int64")
    out[rate] = pd.array(value, dtype="Float64")
    out["ci_low"] = pd.array(np.where(n > 0, lo, np.nan), dtype="Float64")
    out["ci_high"] = pd.array(np.where(n > 0, hi, np.nan), dtype="Float64")
    out["ci_method"] = pd.array(np.where(n > 0, method, None), dtype="string")
    out["sparse"] = n < min_posts
    return out


def engagement_by_slot(metrics, *, tz: str = "UTC", rate: str = "engagement_rate", **options) -> pd.DataFrame:
    """Compute the rate by local weekday × hour: all 168 slots, those without posts included (posts = 0).

    ``options`` are those of :func:`rate_table` (min_posts, level, ci, n_boot, seed, ...).
    """
    grid = pd.DataFrame([(d, h) for d in range(7) for h in range(24)], columns=["weekday", "hour"])
    return rate_table(with_slot(timed(metrics), tz=tz), ["weekday", "hour"], rate=rate, levels=grid, **options)


def engagement_by_hour(metrics, *, tz: str = "UTC", rate: str = "engagement_rate", **options) -> pd.DataFrame:
    """Compute the rate by local hour of day, 0-23 (hours without posts included)."""
    grid = pd.DataFrame({"hour": np.arange(24)})
    return rate_table(with_slot(timed(metrics), tz=tz), "hour", rate=rate, levels=grid, **options)


def engagement_by_weekday(metrics, *, tz: str = "UTC", rate: str = "engagement_rate", **options) -> pd.DataFrame:
    """Compute the rate by local day of week, 0 = Monday (days without posts included)."""
    grid = pd.DataFrame({"weekday": np.arange(7)})
    return rate_table(with_slot(metrics, tz=tz), "weekday", rate=rate, levels=grid, **options)


def _bucket(values, top: int, labels: Sequence[str]):
    """Integer counts clipped to ``top`` then labelled (works on pandas and Dask series)."""
    clipped = values.astype("float64").clip(upper=top)
    return clipped.map(dict(enumerate(labels)), meta=(values.name, "object")) if is_dask(values) \
        else clipped.map(dict(enumerate(labels)))


def engagement_by_hashtag_count(metrics, *, max_count: int = 4, rate: str = "engagement_rate",
                                **options) -> pd.DataFrame:
    """Compute the rate by number of hashtags: ``"0"`` ... ``"4+"`` (the last bucket is max_count or more).

    Examples
    --------
    >>> m = pd.DataFrame({"hashtag_count": [0, 1, 5], "engagements": [1, 4, 2], "impressions": [100] * 3})
    >>> engagement_by_hashtag_count(m)[["hashtags", "posts", "engagement_rate"]].head(2)
      hashtags  posts  engagement_rate
    0        0      1             0.01
    1        1      1             0.04
    """
    _check(metrics, rate, ["hashtag_count"])
    labels = [str(i) for i in range(max_count)] + [f"{max_count}+"]
    frame = metrics[metrics["hashtag_count"].notnull()]
    frame = frame.assign(hashtags=_bucket(frame["hashtag_count"], max_count, labels))
    return rate_table(frame, "hashtags", rate=rate, levels=pd.DataFrame({"hashtags": labels}), **options)


def engagement_by_mention(metrics, *, rate: str = "engagement_rate", **options) -> pd.DataFrame:
    """Compute the rate by mention use: ``"none"``, ``"1"``, ``"2+"`` accounts mentioned."""
    _check(metrics, rate, ["mention_count"])
    labels = ["none", "1", "2+"]
    frame = metrics[metrics["mention_count"].notnull()]
    frame = frame.assign(mentions=_bucket(frame["mention_count"], 2, labels))
    return rate_table(frame, "mentions", rate=rate, levels=pd.DataFrame({"mentions": labels}), **options)


def engagement_by_question(metrics, *, rate: str = "engagement_rate", **options) -> pd.DataFrame:
    """Compute the rate for posts that ask a question (``question`` True) against those that do not."""
    _check(metrics, rate, ["has_question"])
    frame = metrics[metrics["has_question"].notnull()]
    frame = frame.assign(question=frame["has_question"].astype(bool))
    return rate_table(frame, "question", rate=rate, levels=pd.DataFrame({"question": [False, True]}), **options)


def engagement_by_content_type(metrics, content: pd.DataFrame, *, rate: str = "engagement_rate",
                               **options) -> pd.DataFrame:
    """Compute the rate by content type, from :func:`roi.engagement.classify_content` joined on post_id."""
    if not {"post_id", "content_type"} <= set(content.columns):
        raise ParameterError("content: expected the table of classify_content (post_id, content_type)")
    lookup = content[["post_id", "content_type"]].drop_duplicates("post_id")
    frame = metrics.merge(lookup, on="post_id", how="inner")
    from roi.engagement.content import CONTENT_TYPES

    return rate_table(frame, "content_type", rate=rate,
                      levels=pd.DataFrame({"content_type": list(CONTENT_TYPES)}), **options)


def engagement_by_hashtag(metrics, *, min_support: int = 3, rate: str = "engagement_rate",
                          **options) -> pd.DataFrame:
    """Compute the rate by each hashtag used on at least ``min_support`` posts, most used first.

    A post with several hashtags counts towards each of them, so rows overlap and do not add up
    to the total. Hashtags used on fewer posts are left out (they are noise, not signal); the
    ``sparse`` flag still marks those under ``min_posts``.
    """
    _check(metrics, rate, ["hashtags"])
    y, x, kind = RATES[rate]
    if is_dask(metrics):
        long = metrics[["hashtags", y, x]].explode("hashtags").rename(columns={"hashtags": "hashtag"})
        table = rate_table(long[long["hashtag"].notnull()], "hashtag", rate=rate, **options)
        table["hashtag"] = table["hashtag"].astype("string")  # explode gives Arrow strings; same dtype as pandas
    else:  # unnest with Arrow: the list's values and each value's post, no DataFrame.explode
        metrics, denominator = _single_exposure(metrics, rate)
        ok, yv, xv = _valid(metrics, y, x)
        lists = pa.array(metrics["hashtags"].array) if not isinstance(metrics["hashtags"].dtype, pd.ArrowDtype) \
            else metrics["hashtags"].array._pa_array.combine_chunks()
        flat = pc.list_flatten(lists)
        parent = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
        keep = ok[parent] & ~flat.is_null().to_numpy(zero_copy_only=False)
        idx = np.flatnonzero(keep)
        sums, rows = _bincount_sums({"hashtag": flat.take(pa.array(idx))}, yv[parent[idx]], xv[parent[idx]],
                                    squares=kind == "ratio")
        sums["hashtag"] = sums["hashtag"].astype("string")
        opts = {"min_posts": 5, "level": 0.95, "ci": "auto", "n_boot": 2000, "max_boot_posts": 20_000,
                "seed": 0, "levels": None} | options
        table = _assemble(sums, ["hashtag"], rows, yv[parent[idx]], xv[parent[idx]], rate=rate, **opts)
        table["denominator"] = pd.array([denominator] * len(table), dtype="string")
    table = table[table["posts"] >= min_support]
    return table.sort_values(["posts", "hashtag"], ascending=[False, True], ignore_index=True)
