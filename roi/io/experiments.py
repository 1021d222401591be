"""A/B test assignments: CSV ``experiment_id,arm,post_id[,pair_id]``.

One row per post in a test. A row with an empty ``experiment_id``, ``arm`` or ``post_id`` is
rejected, and so is a post listed twice in the same experiment (the second row is rejected and
its reason names the line of the first: a post cannot be in two arms). ``pair_id`` is optional and
pairs the same content posted in both arms (paired design).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from roi.io._base import ReadResult
from roi.io._csv import Problems, open_csv, with_accounting
from roi.tables import conform

__all__ = ["read", "EXPECTED_HEADER"]

EXPECTED_HEADER = "experiment_id,arm,post_id[,pair_id]"


def read(path: Path, *, as_of: pd.Timestamp | None = None) -> Iterator[ReadResult]:
    r"""Read an experiments CSV in chunks of canonical ``experiments`` rows.

    Parameters
    ----------
    path : Path
        The experiments CSV (experiment_id, arm, post_id, pair_id).
    as_of : Timestamp, optional
        Ignored (assignments have no observation time); accepted for the reader contract.

    Yields
    ------
    ReadResult

    Raises
    ------
    InputError
        A required column is missing.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "experiments.csv"
    >>> _ = p.write_text("experiment_id,arm,post_id\nslots,A,101\nslots,B,102\nslots,B,101\n")
    >>> r = next(read(p))
    >>> r.read, r.tables["experiments"].post_id.tolist(), r.rejected[0].line
    (3, ['101', '102'], 4)
    """
    source = open_csv(path)
    source.require(["experiment_id", "arm", "post_id"], expected_header=EXPECTED_HEADER)
    first_line: dict[tuple[str, str], int] = {}  # across chunks: a file's assignments are few
    for block in source.blocks():
        rows = block.rows
        problems = Problems(len(rows))
        for name in ("experiment_id", "arm", "post_id"):
            problems.add(rows[name].isna().to_numpy(), f"empty {name}; expected {EXPECTED_HEADER}")
        lines = np.asarray(source.lines_of(block.records.tolist()), dtype="int64")
        keys = list(zip(rows["experiment_id"].fillna("").tolist(), rows["post_id"].fillna("").tolist(), strict=True))
        dup_reason = np.full(len(rows), None, dtype=object)
        for i, key in enumerate(keys):  # a dict lookup per row: experiments files are small
            if problems.reason[i] is not None:
                continue
            if key in first_line:
                dup_reason[i] = (f"post {key[1]} is already in experiment {key[0]} (line "
                                 f"{first_line[key]}); a post belongs to one arm once")
            else:
                first_line[key] = int(lines[i])
        problems.add(pd.notna(dup_reason), dup_reason)
        ok = ~problems.mask
        frame = with_accounting(conform("experiments", rows[ok]), lines[ok], context=False)
        rejected = block.bad + source.reject_rows(block, problems.mask, problems.reason[problems.mask].tolist())
        yield source.annotate(ReadResult(tables={"experiments": frame}, rejected=rejected,
                         read=len(rows) + len(block.bad), primary="experiments"))
