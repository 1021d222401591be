"""ISO week labels of many timestamps at once (roi.timeframe.iso_week_of does one)."""

from __future__ import annotations

import pandas as pd


def iso_week_labels(times: pd.Series) -> pd.Series:
    """``YYYY-Www`` of each timestamp (in its own time zone), <NA> where it is missing.

    >>> iso_week_labels(pd.Series(pd.to_datetime(["2026-01-01", None], utc=True))).tolist()
    ['2026-W01', <NA>]
    """
    iso = times.dt.isocalendar()
    text = iso["year"].astype("string") + "-W" + iso["week"].astype("string").str.zfill(2)
    return text.where(times.notna()).astype("string")
