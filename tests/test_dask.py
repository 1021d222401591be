"""The table-level analyses on Dask give the same numbers as on pandas (roi.dask_engine).

The sample store is read twice — ``roi.load(store)`` and ``roi.load(store, engine="dask")`` —
and every analysis that accepts Dask input runs on a ``distributed.LocalCluster`` (2 workers,
1 thread each, 127.0.0.1 only, no dashboard). Counts must be equal, rates and intervals equal
to 1e-9 (pandas uses the same delta-method intervals, ``ci="delta"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import roi
from roi.accounts import account_id_for
from roi.dask_engine import compute, is_dask, local_client, read_table
from roi.errors import ParameterError
from roi.store import Store
from roi.tables import TABLES

pytest.importorskip("distributed")

TZ = "America/New_York"


@pytest.fixture(scope="module")
def client():
    with local_client(2, threads_per_worker=1, processes=False) as c:
        yield c


@pytest.fixture(scope="module")
def both(sample_store, client):
    """(pandas Dataset, Dask Dataset) of the same store."""
    return roi.load(sample_store), roi.load(sample_store, engine="dask")


@pytest.fixture(scope="module")
def brand(both):
    return account_id_for(both[0].accounts, "acme")


def _metrics(both, brand):
    from roi.engagement import post_metrics

    ds, dds = both
    pandas_m = post_metrics(ds.posts[ds.posts["author_id"] == brand], accounts=ds.accounts,
                            conversions=ds.conversions)
    dask_m = post_metrics(dds.posts[dds.posts["author_id"] == brand], accounts=dds.accounts,
                          conversions=dds.conversions)
    return pandas_m, dask_m


@pytest.fixture(scope="module")
def metrics(both, brand):
    """Per-post metrics, pandas and Dask; the Dask frame is persisted on the workers once (the
    path from the store through post_metrics is tested lazily on its own below)."""
    pandas_m, dask_m = _metrics(both, brand)
    return pandas_m, dask_m.persist()


def assert_same(expected: pd.DataFrame, got: pd.DataFrame, *, sort: list[str] | str | None = None) -> None:
    """Same columns and dtypes; integers, strings, booleans and times equal; floats to rtol 1e-9."""
    assert isinstance(got, pd.DataFrame) and not is_dask(got)
    if sort is not None:
        expected = expected.sort_values(sort, ignore_index=True, kind="stable")
        got = got.sort_values(sort, ignore_index=True, kind="stable")
    assert list(got.columns) == list(expected.columns)
    assert len(got) == len(expected)
    for c in expected.columns:
        e, g = expected[c].reset_index(drop=True), got[c].reset_index(drop=True)
        assert g.dtype == e.dtype, f"{c}: {g.dtype} != {e.dtype}"
        if pd.api.types.is_float_dtype(e.dtype):
            ev, gv = e.astype("float64").to_numpy(na_value=np.nan), g.astype("float64").to_numpy(na_value=np.nan)
            np.testing.assert_allclose(gv, ev, rtol=1e-9, atol=0, equal_nan=True, err_msg=c)
        else:
            pd.testing.assert_series_equal(g, e, check_exact=True, obj=c)


# ----------------------------------------------------------------------------- reading the store
def test_load_dask_reads_every_table_with_canonical_dtypes(both):
    ds, dds = both
    for name in TABLES:
        frame = dds.table(name)
        assert is_dask(frame), name
        got = compute(frame)
        expected = ds.table(name)
        key = list(TABLES[name].column_names[:3])
        assert_same(expected, got, sort=key)


def test_posts_partitions_follow_the_store_layout(sample_store, both):
    ds, dds = both
    files = sorted((Store(sample_store).table_path("posts")).rglob("*.parquet"))
    assert dds.posts.npartitions == len(files) > 1  # one per platform and month here
    months = ds.posts["created_at"].dt.strftime("%Y-%m").nunique()
    assert len(files) == months


def test_partition_filter_with_pruned_columns(both):
    # dd.read_parquet pushed this filter on a partition column down to pyarrow, which then failed
    # on the files' pandas metadata naming the list columns the projection had left out
    ds, dds = both
    posts = dds.posts
    got = compute(posts[posts["platform"] == "x"][["post_id", "created_at"]])
    expected = ds.posts[ds.posts["platform"] == "x"][["post_id", "created_at"]]
    assert len(expected) > 100
    assert_same(expected, got, sort="post_id")
    assert int(posts[posts["platform"] == "x"].shape[0].compute()) == len(expected)


def test_read_table_columns_and_errors(sample_store):
    store = Store(sample_store)
    frame = read_table(store, "follows", columns=["follower_id", "followee_id"])
    assert list(frame.columns) == ["follower_id", "followee_id"]
    assert len(compute(frame)) == len(store.read("follows"))
    with pytest.raises(ParameterError, match="not in table 'follows'"):
        read_table(store, "follows", columns=["follower_id", "nope"])
    with pytest.raises(ParameterError, match="unknown table"):
        read_table(store, "tweets")


def test_local_client_is_loopback_only(client):
    info = client.scheduler_info()
    assert client.scheduler.address.startswith("tcp://127.0.0.1:")
    assert len(info["workers"]) == 2
    assert all(addr.startswith("tcp://127.0.0.1:") for addr in info["workers"])
    with pytest.raises(ParameterError, match="n_workers=0"):
        with local_client(0):
            pass


# ----------------------------------------------------------------------------- engagement
def test_post_metrics_on_dask_equal_pandas(metrics):
    pandas_m, dask_m = metrics
    assert is_dask(dask_m)
    got = compute(dask_m)
    assert len(got) == len(pandas_m) > 100
    assert_same(pandas_m, got, sort="post_id")


def test_from_the_store_to_a_rate_lazily(both, brand, client):
    """Store -> post_metrics -> engagement_by_hour as one lazy Dask graph run on the cluster."""
    import distributed

    from roi.engagement import engagement_by_hour

    pandas_m, dask_m = _metrics(both, brand)
    with distributed.get_task_stream(client) as stream:
        got = engagement_by_hour(dask_m, tz=TZ)
    assert stream.data, "the Dask input was not computed on the cluster"
    assert_same(engagement_by_hour(pandas_m, tz=TZ, ci="delta"), got)


@pytest.mark.parametrize(("name", "rate"), [
    ("engagement_by_hour", "engagement_rate"), ("engagement_by_hour", "click_rate"),
    ("engagement_by_weekday", "engagement_rate"), ("engagement_by_slot", "conversion_rate"),
])
def test_rates_by_local_time(metrics, client, name, rate):
    import distributed

    import roi.engagement as eng

    fn = getattr(eng, name)
    pandas_m, dask_m = metrics
    expected = fn(pandas_m, tz=TZ, rate=rate, ci="delta")
    with distributed.get_task_stream(client) as stream:
        got = fn(dask_m, tz=TZ, rate=rate)
    assert stream.data, "the Dask input was not computed on the cluster"
    assert_same(expected, got)
    assert int(got["posts"].sum()) > 100


@pytest.mark.parametrize("name", ["engagement_by_hashtag", "engagement_by_hashtag_count", "engagement_by_mention"])
def test_rates_by_hashtag_and_mention(metrics, name):
    import roi.engagement as eng

    fn = getattr(eng, name)
    pandas_m, dask_m = metrics
    options = {"min_support": 1} if name == "engagement_by_hashtag" else {}
    expected = fn(pandas_m, ci="delta", **options)
    got = fn(dask_m, **options)
    assert len(expected) > 1
    assert_same(expected, got)


@pytest.mark.parametrize("by", [None, "hour", "hashtag"])
def test_conversion_funnel(metrics, by):
    from roi.engagement import conversion_funnel

    pandas_m, dask_m = metrics
    expected = conversion_funnel(pandas_m, by=by, tz=TZ)
    got = conversion_funnel(dask_m, by=by, tz=TZ)
    assert int(expected["conversions"].sum()) > 0
    assert_same(expected, got)


# ----------------------------------------------------------------------------- followers
def test_growth_churn_and_follower_change(both, sample_truth):
    from roi.graph import follower_change, growth_churn

    ds, dds = both
    expected = growth_churn(ds, "acme", tz=TZ)
    got = growth_churn(dds, "acme", tz=TZ)
    assert len(expected) >= 5
    assert_same(expected, got)
    first = sample_truth["weeks"]["first"]
    week = expected[expected["week"] > first].iloc[0]
    window = {"start": week["week_start"], "end": week["week_end"]}
    assert_same(follower_change(ds, "acme", **window), follower_change(dds, "acme", **window))


def test_growth_churn_by_account_id_and_unknown_handle(both, brand):
    from roi.graph import growth_churn

    ds, dds = both
    assert_same(growth_churn(ds, brand), growth_churn(dds, brand))
    with pytest.raises(ParameterError, match="not found"):
        growth_churn(dds, "no-such-brand")


def test_followers_by_country(both, brand):
    from roi.geo.spread import followers_by_country, locate_followers, spread_summary

    ds, dds = both
    expected = locate_followers(ds.accounts, ds.follows, brand)
    got = locate_followers(dds.accounts, dds.follows, brand)
    assert_same(expected, got, sort="follower_id")
    by_country = followers_by_country(got)
    assert_same(followers_by_country(expected), by_country)
    assert int(by_country["followers"].sum()) == int(by_country["located_followers"].iloc[0]) > 100
    assert_same(spread_summary(expected, home_country="US"), spread_summary(got, home_country="US"))
