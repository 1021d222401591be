"""Reading a store's tables as Dask DataFrames over the same partitioned Parquet.

``roi.load(store, engine="dask")`` uses this. Point it at a remote cluster by creating a
``distributed.Client("tcp://scheduler:8786")`` before calling analyses; Dask uses the active
client. The store path must then be readable by the workers (a shared file system or object
store path).
"""

from __future__ import annotations

import pandas as pd

from roi.store import Store, _types_mapper
from roi.tables import TABLES, empty

__all__ = ["read_table"]


def read_table(store: Store, name: str):
    """A lazy Dask DataFrame of table ``name`` with the canonical columns and dtypes."""
    import dask.dataframe as dd

    path = store.table_path(name)
    columns = TABLES[name].column_names
    if path is None:
        return dd.from_pandas(empty(name), npartitions=1)
    frame = dd.read_parquet(str(path), dataset={"partitioning": "hive"},
                            arrow_to_pandas={"types_mapper": _types_mapper})
    frame = frame[[c for c in columns if c in frame.columns]]
    meta = empty(name)[list(frame.columns)]
    # partition columns come back as categoricals: give every column its canonical dtype
    return frame.astype({c: meta[c].dtype for c in frame.columns if frame[c].dtype != meta[c].dtype})


def compute(frame) -> pd.DataFrame:
    """``frame.compute()`` for Dask objects, the object itself for pandas (so analyses accept both)."""
    return frame.compute() if hasattr(frame, "dask") else frame
