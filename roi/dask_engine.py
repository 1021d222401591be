"""Reading a store's tables as Dask DataFrames over the same partitioned Parquet.

``roi.load(store, engine="dask")`` uses this. The table-level analyses (engagement and
conversion by hour, weekday, hashtag and mention; the conversion funnel; follower growth and
churn; followers by country) accept the Dask tables it returns and give the same numbers as on
pandas: they reduce the big frame with group sums and counts on Dask, gather the small result
with :func:`compute`, and compute rates and intervals on that.

Point roi at a remote cluster by creating a ``distributed.Client("tcp://scheduler:8786")``
before calling analyses; Dask uses the active client. The store path must then be readable by
every worker under the same name (a shared file system or an object-store URL). For a cluster on
this machine, :func:`local_client` starts one on the loopback interface only.

Examples
--------
>>> import pandas as pd, dask.dataframe as dd
>>> frame = dd.from_pandas(pd.DataFrame({"g": ["a", "b", "a"], "n": [1, 2, 3]}), npartitions=2)
>>> is_dask(frame), is_dask(compute(frame))
(True, False)
>>> compute(frame.groupby("g")["n"].sum()).to_dict()
{'a': 4, 'b': 2}
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from roi.errors import ParameterError
from roi.tables import TABLES, empty, pandas_type

if TYPE_CHECKING:  # a type only: roi.store imports this module (load(engine="dask")), not the reverse
    from roi.store import Store

__all__ = ["read_table", "compute", "is_dask", "local_client"]


def is_dask(obj: Any) -> bool:
    """Return True for a Dask collection (DataFrame, Series, Scalar), False for pandas and all else."""
    return hasattr(obj, "dask") and hasattr(obj, "__dask_graph__")


#: Row groups are gathered into Dask partitions of about this many rows.
PARTITION_ROWS = 1_000_000


class _ParquetPieces:
    """Reader of one piece (file, row groups, partition values) of a table's Parquet dataset.

    A piece is read as a canonical pandas frame.

    ``columns=`` in the call lets Dask prune the columns an analysis does not use. The files'
    pandas metadata is ignored, the canonical dtypes come from :mod:`roi.tables` (pyarrow fails
    on pandas metadata naming a list column that a projection left out).
    """

    def __init__(self, name: str, columns: list[str]) -> None:
        self.name = name
        self.all_columns = list(columns)

    def __call__(self, piece: tuple[str, tuple[int, ...], tuple[tuple[str, str], ...]],
                 columns: Sequence[str] | None = None) -> pd.DataFrame:
        import pyarrow.parquet as pq

        path, row_groups, partition = piece
        keys = dict(partition)
        wanted = self.all_columns if columns is None else [c for c in self.all_columns if c in set(columns)]
        meta = empty(self.name)[wanted]
        pf = pq.ParquetFile(path)
        physical = [c for c in wanted if c not in keys and c in pf.schema_arrow.names]
        table = pf.read_row_groups(list(row_groups), columns=physical).replace_schema_metadata(None)
        frame = table.to_pandas(types_mapper=pandas_type)
        if not physical:  # no stored column needed (a row count, partition values): keep the rows
            frame = pd.DataFrame(index=pd.RangeIndex(sum(pf.metadata.row_group(i).num_rows for i in row_groups)))
        for column in wanted:
            if column in keys:
                frame[column] = keys[column]
            elif column not in frame.columns:
                frame[column] = pd.Series(pd.NA, index=frame.index)
        return frame[wanted].astype(meta.dtypes.to_dict())


def _pieces(path, *, partition_rows: int) -> list[tuple[str, tuple[int, ...], tuple[tuple[str, str], ...]]]:
    """(file, row groups, hive partition values) for every Parquet file under ``path``."""
    import pyarrow.parquet as pq

    out = []
    for file in sorted(path.rglob("*.parquet")):
        partition = tuple(tuple(part.split("=", 1)) for part in file.relative_to(path).parts[:-1] if "=" in part)
        md = pq.ParquetFile(file).metadata
        group, rows = [], 0
        for i in range(md.num_row_groups):
            group.append(i)
            rows += md.row_group(i).num_rows
            if rows >= partition_rows:
                out.append((str(file), tuple(group), partition))
                group, rows = [], 0
        if group or md.num_row_groups == 0:
            out.append((str(file), tuple(group), partition))
    return out


def read_table(store: Store, name: str, *, columns: Sequence[str] | None = None,
               partition_rows: int = PARTITION_ROWS):
    """Return a lazy Dask DataFrame of table ``name`` with the canonical columns and dtypes.

    One Dask partition per Parquet file of the table's current version (``posts`` has one per
    platform and month), large files split at row-group boundaries into pieces of about
    ``partition_rows`` rows. Only the columns an analysis uses are read.

    Parameters
    ----------
    store : Store
        An open store (``roi.store.Store(path)``).
    name : str
        A canonical table name (``posts``, ``follows``, ...).
    columns : sequence of str, optional
        Only these canonical columns (default: all).
    partition_rows : int
        Target rows per Dask partition when a file has several row groups.

    Returns
    -------
    dask.dataframe.DataFrame
        Its ``_meta`` has exactly the dtypes of ``store.read(name)``.

    Raises
    ------
    ParameterError
        If ``name`` is not a canonical table or a column is not one of its columns.
    """
    import dask.dataframe as dd

    if name not in TABLES:
        raise ParameterError(f"unknown table {name!r}; expected one of {', '.join(TABLES)}")
    canonical = TABLES[name].column_names
    wanted = list(canonical) if columns is None else list(columns)
    unknown = [c for c in wanted if c not in canonical]
    if unknown:
        raise ParameterError(f"columns: {', '.join(unknown)} not in table {name!r} "
                             f"(expected some of {', '.join(canonical)})")
    path = store.table_path(name)
    pieces = _pieces(path, partition_rows=partition_rows) if path is not None else []
    if not pieces:
        return dd.from_pandas(empty(name)[wanted], npartitions=1)
    return dd.from_map(_ParquetPieces(name, wanted), pieces, meta=empty(name)[wanted],
                       label=f"roi-read-{name}", enforce_metadata=False)


def compute(frame):
    """``frame.compute()`` for Dask objects, the object itself for pandas (so analyses accept both)."""
    return frame.compute() if is_dask(frame) else frame


@contextlib.contextmanager
def local_client(n_workers: int = 2, *, threads_per_worker: int = 1, processes: bool = False,
                 memory_limit: str | int = "auto") -> Iterator[Any]:
    """Start a ``distributed`` cluster on this machine, listening on 127.0.0.1 only; return it and its Client.

    No dashboard is started and nothing listens on an outside interface. While the block runs
    the client is the default, so every Dask computation (``roi.load(store, engine="dask")``
    tables included) runs on it; both are closed at the end.

    Parameters
    ----------
    n_workers, threads_per_worker : int
        Workers and threads per worker (2 × 1 on a 2-core machine).
    processes : bool, default False
        Workers as separate processes (True: no shared GIL, data pickled between them) or as
        threads of this process (False: quick to start, what the tests use).
    memory_limit : str or int
        Per worker, as ``distributed.LocalCluster`` takes it.

    Examples
    --------
    >>> import dask.dataframe as dd, pandas as pd
    >>> with local_client(1) as client:
    ...     total = dd.from_pandas(pd.DataFrame({"n": range(10)}), npartitions=2)["n"].sum().compute()
    >>> int(total)
    45
    """
    from distributed import Client, LocalCluster

    if n_workers < 1 or threads_per_worker < 1:
        raise ParameterError(f"n_workers={n_workers}, threads_per_worker={threads_per_worker}: expected >= 1")
    with LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker, processes=processes, protocol="tcp",
                      host="127.0.0.1", dashboard_address=None, memory_limit=memory_limit) as cluster, \
            Client(cluster) as client:
        yield client
