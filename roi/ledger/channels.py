"""Channels side by side: sessions, conversions and conversion rate of every traffic channel.

The web-analytics table (canonical ``conversions``) holds two kinds of rows: a brand post's
traffic (``post_id`` = utm_content) and channel traffic no post brought (``post_id`` null).
Each row gets one channel label:

* ``social: brand posts`` - the row's post id is one of the brand's posts, whatever its channel;
* ``social: other`` - any other row of a social channel (others sharing the site, paid social...);
* the channel as the export names it, casefolded (``email``, ``organic search``...), or
  ``(channel not given)`` when the export has none.

**Conversion rate** = conversions / sessions (the export's sessions or clicks), with a Wilson
score interval (statsmodels ``proportion_confint``). Channels are compared with the brand's posts
by the **ratio of their rates** (brand posts / channel) and its interval (statsmodels
``confint_proportions_2indep``, ``compare="ratio"``, log-adjusted method); the p-values of the
comparisons are Holm-adjusted together (``multipletests``), since several are read at once.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    test_proportions_2indep,
)

from roi.engagement.funnel import SOCIAL_CHANNELS
from roi.errors import ParameterError
from roi.ledger._weeks import iso_week_labels
from roi.tables import conform

__all__ = ["BRAND_POSTS", "OTHER_SOCIAL", "NOT_GIVEN", "channel_labels", "channel_conversions",
           "compare_channels", "CHANNEL_COLUMNS", "COMPARISON_COLUMNS"]

BRAND_POSTS = "social: brand posts"
OTHER_SOCIAL = "social: other"
NOT_GIVEN = "(channel not given)"
#: Columns of :func:`channel_conversions` (``week`` first when by week).
CHANNEL_COLUMNS = ("channel", "sessions", "conversions", "rate", "ci_low", "ci_high", "revenue")
#: Columns of :func:`compare_channels`.
COMPARISON_COLUMNS = ("channel", "brand_sessions", "brand_conversions", "brand_rate", "sessions", "conversions",
                      "rate", "ratio", "ci_low", "ci_high", "p_value", "p_holm", "verdict")


def channel_labels(conversions: pd.DataFrame, *, brand_post_ids: Iterable[str],
                   social: Iterable[str] = SOCIAL_CHANNELS) -> pd.Series:
    """Return the ledger's channel label of each web-analytics row (see the module docstring).

    Parameters
    ----------
    conversions : DataFrame
        The canonical ``conversions`` table.
    brand_post_ids : iterable of str
        Ids of the brand's posts (a row with one of them is the brand's social traffic).
    social : iterable of str
        Channel names (casefolded) that are social; any channel containing "social" is too.

    Returns
    -------
    Series of string, aligned with ``conversions``.

    Examples
    --------
    >>> c = conform("conversions", {"post_id": ["9", None, "camp", None], "channel": ["social", "Email",
    ...     "Organic Social", None], "date": ["2026-10-01"] * 4})
    >>> channel_labels(c, brand_post_ids=["9"]).tolist()
    ['social: brand posts', 'email', 'social: other', '(channel not given)']
    """
    ids = {str(i) for i in brand_post_ids}
    social_set = {s.casefold() for s in social}
    channel = conversions["channel"].astype("string").str.strip().str.casefold()
    channel = channel.where(channel != "")
    is_social = (channel.isin(social_set) | channel.str.contains("social", regex=False)).fillna(False)
    brand = conversions["post_id"].astype("string").isin(ids).fillna(False)
    out = channel.fillna(NOT_GIVEN).mask(is_social, OTHER_SOCIAL).mask(brand, BRAND_POSTS)
    return out.astype("string").rename("channel")


def _rates(table: pd.DataFrame, level: float) -> pd.DataFrame:
    n = table["sessions"].to_numpy(dtype="float64")
    k = np.minimum(table["conversions"].to_numpy(dtype="float64"), n)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, k / n, np.nan)
        lo, hi = proportion_confint(k, np.where(n > 0, n, 1), alpha=1 - level, method="wilson")
    lo, hi = np.where(n > 0, lo, np.nan), np.where(n > 0, hi, np.nan)
    return table.assign(rate=pd.array(rate, dtype="Float64"), ci_low=pd.array(lo, dtype="Float64"),
                        ci_high=pd.array(hi, dtype="Float64"))


def channel_conversions(
    conversions: pd.DataFrame,
    *,
    brand_post_ids: Iterable[str],
    by_week: bool = False,
    weeks: Iterable[str] | None = None,
    level: float = 0.95,
    social: Iterable[str] = SOCIAL_CHANNELS,
) -> pd.DataFrame:
    """Sessions, conversions, conversion rate (Wilson interval) and revenue of each channel.

    Parameters
    ----------
    conversions : DataFrame
        The canonical ``conversions`` table (stores written before ``landing_page`` existed work).
    brand_post_ids : iterable of str
        Ids of the brand's posts: their rows are ``social: brand posts``.
    by_week : bool, default False
        One row per ISO week (of the row's date) and channel instead of per channel.
    weeks : iterable of str, optional
        Only these ISO weeks (``2026-W40``...).
    level : float, default 0.95
        Confidence level of the intervals.
    social : iterable of str
        Social channel names (see :func:`channel_labels`).

    Returns
    -------
    DataFrame
        [``week``,] ``channel``, ``sessions`` (the denominator), ``conversions`` (the numerator),
        ``rate`` = conversions / sessions, ``ci_low``, ``ci_high``, ``revenue`` (<NA> when the export
        gives none for the channel); the brand's posts first, then by sessions, most first.

    Raises
    ------
    ParameterError
        ``level`` outside (0, 1).

    Examples
    --------
    >>> c = conform("conversions", {"post_id": ["9", None], "channel": ["social", "Email"],
    ...     "date": ["2026-10-01"] * 2, "clicks": [200, 100], "conversions": [4, 10]})
    >>> t = channel_conversions(c, brand_post_ids=["9"])
    >>> t[["channel", "sessions", "conversions", "rate"]].values.tolist()
    [['social: brand posts', 200, 4, 0.02], ['email', 100, 10, 0.1]]
    >>> [round(float(x), 4) for x in t.loc[1, ["ci_low", "ci_high"]]]
    [0.0552, 0.1744]
    """
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r}: expected a confidence level between 0 and 1, e.g. 0.95")
    conv = conform("conversions", conversions)
    wanted = None if weeks is None else {str(w) for w in weeks}
    frame = pd.DataFrame({
        "week": iso_week_labels(conv["date"]),
        "channel": channel_labels(conv, brand_post_ids=brand_post_ids, social=social),
        "sessions": conv["clicks"].astype("Int64").fillna(0),
        "conversions": conv["conversions"].astype("Int64").fillna(0),
        "revenue": conv["revenue"].astype("Float64"),
    })
    if wanted is not None:
        frame = frame[frame["week"].isin(wanted).fillna(False).to_numpy(dtype=bool)]
    keys = ["week", "channel"] if by_week else ["channel"]
    grouped = frame.groupby(keys, sort=True, dropna=False)
    table = grouped[["sessions", "conversions"]].sum()
    table["revenue"] = grouped["revenue"].sum(min_count=1).astype("Float64")
    table = _rates(table.reset_index(), level)
    order = np.lexsort((-table["sessions"].to_numpy(dtype="int64"),
                        (table["channel"] != BRAND_POSTS).to_numpy(dtype=bool),
                        *( [table["week"].astype(str).to_numpy()] if by_week else [])))
    table = table.iloc[order].reset_index(drop=True)
    columns = (["week"] if by_week else []) + list(CHANNEL_COLUMNS)
    return table[columns].astype({"sessions": "Int64", "conversions": "Int64", "channel": "string"})


def compare_channels(channels: pd.DataFrame, *, reference: str = BRAND_POSTS, level: float = 0.95) -> pd.DataFrame:
    """Compare the brand's posts with every other channel: the ratio of conversion rates, with its interval.

    Parameters
    ----------
    channels : DataFrame
        The output of :func:`channel_conversions` (not by week).
    reference : str, default "social: brand posts"
        The channel compared with each of the others.
    level : float, default 0.95
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        ``channel``; ``brand_sessions``, ``brand_conversions``, ``brand_rate`` of the reference;
        ``sessions``, ``conversions``, ``rate`` of the channel; ``ratio`` = brand_rate / rate with
        ``ci_low``/``ci_high``; ``p_value`` (score test of equal rates) and ``p_holm`` (Holm-adjusted
        over the comparisons); ``verdict``: "better" / "worse" when the interval excludes 1 and the
        Holm-adjusted p-value is below 1 - level, else "no clear difference", or "not comparable" when a rate rests on no session or no conversion.
        Empty when the reference channel has no sessions.

    Examples
    --------
    >>> c = conform("conversions", {"post_id": ["9", None], "channel": ["social", "Email"],
    ...     "date": ["2026-10-01"] * 2, "clicks": [1000, 1000], "conversions": [20, 60]})
    >>> cmp = compare_channels(channel_conversions(c, brand_post_ids=["9"]))
    >>> row = cmp.iloc[0]
    >>> row["channel"], round(float(row["ratio"]), 3), row["verdict"]
    ('email', 0.333, 'worse')
    >>> bool(row["ci_low"] < 1 / 3 < row["ci_high"] < 1)
    True
    """
    if "week" in channels.columns:
        raise ParameterError("channels: expected the table of channel_conversions(by_week=False)")
    ref = channels[channels["channel"] == reference]
    if ref.empty or int(ref["sessions"].iloc[0]) == 0:
        return pd.DataFrame({c: pd.Series([], dtype="object") for c in COMPARISON_COLUMNS})
    k1, n1 = int(ref["conversions"].iloc[0]), int(ref["sessions"].iloc[0])
    rows = []
    for r in channels[channels["channel"] != reference].itertuples(index=False):
        k2, n2 = int(r.conversions), int(r.sessions)
        ratio = lo = hi = p = np.nan
        comparable = n2 > 0 and k2 > 0 and k1 > 0
        if comparable:
            ratio = (k1 / n1) / (k2 / n2)
            lo, hi = confint_proportions_2indep(k1, n1, k2, n2, compare="ratio", method="log-adjusted",
                                                alpha=1 - level)
            p = test_proportions_2indep(k1, n1, k2, n2, compare="ratio", method="score").pvalue
        rows.append({"channel": r.channel, "brand_sessions": n1, "brand_conversions": k1, "brand_rate": k1 / n1,
                     "sessions": n2, "conversions": k2, "rate": (k2 / n2) if n2 else np.nan,
                     "ratio": ratio, "ci_low": lo, "ci_high": hi, "p_value": p})
    out = pd.DataFrame(rows, columns=[c for c in COMPARISON_COLUMNS if c not in ("p_holm", "verdict")])
    tested = out["p_value"].notna().to_numpy()
    holm = np.full(len(out), np.nan)
    if tested.any():
        holm[tested] = multipletests(out["p_value"].to_numpy()[tested], method="holm")[1]
    out["p_holm"] = holm
    # A verdict needs the interval to exclude 1 and the Holm-adjusted p-value to agree: several
    # channels are compared at once, and one of six would cross the line by chance.
    clear = holm < 1 - level
    out["verdict"] = np.select([~tested, clear & (out["ci_low"].to_numpy() > 1), clear & (out["ci_high"].to_numpy() < 1)],
                               ["not comparable", "better", "worse"], "no clear difference")
    for c in ("brand_rate", "rate", "ratio", "ci_low", "ci_high", "p_value", "p_holm"):
        out[c] = pd.array(out[c].to_numpy(dtype="float64"), dtype="Float64")
    for c in ("brand_sessions", "brand_conversions", "sessions", "conversions"):
        out[c] = out[c].astype("Int64")
    return out.astype({"channel": "string", "verdict": "string"})
