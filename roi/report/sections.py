"""The weekly report's sections. Each takes a :class:`ReportContext` and returns a Section.

The notebook only calls these (no logic of its own), so every number in the report is computed
here or in the analysis modules, and tested.
"""

from __future__ import annotations

import pandas as pd

from roi.report.context import ReportContext
from roi.report.display import Section

__all__ = ["overview", "data_quality", "METRIC_DEFINITIONS"]

METRIC_DEFINITIONS = pd.DataFrame(
    [
        ("Engagements", "likes + reposts + replies + quotes + link clicks (where the platform reports them)"),
        ("Engagement rate", "engagements / impressions; on Mastodon and Bluesky (no view counts) the author's "
                            "followers stand in as potential impressions and are labelled so"),
        ("Click-through rate", "link clicks / impressions"),
        ("Conversion rate", "conversions / web clicks (web-analytics CSV, joined on utm_content = post id)"),
        ("Reposts", "carry the original's metrics; never summed again"),
        ("Intervals", "95%: Wilson for proportions, bootstrap over posts for ratios of sums, "
                      "negative-binomial GLM for effects (incidence-rate ratios)"),
        ("Share located", "followers whose free-text location resolved to a country / all followers"),
        ("Structural virality", "mean distance between all pairs of nodes of a repost tree (Goel et al. 2016)"),
    ],
    columns=["metric", "definition"],
)


def overview(ctx: ReportContext) -> Section:
    """What this report covers: account, week, window in local time and UTC, data present."""
    local = ctx.start.tz_convert(ctx.tz), (ctx.end - pd.Timedelta(seconds=1)).tz_convert(ctx.tz)
    notes = [
        f"Account @{ctx.account} (id {ctx.account_id}), ISO week {ctx.week}: "
        f"{local[0]:%a %d %b %Y} to {local[1]:%a %d %b %Y} in {ctx.tz}.",
        f"{len(ctx.week_posts):,} posts in the store fall in this week "
        f"({len(ctx.ds.posts):,} posts in the whole store).",
    ]
    if not ctx.has_data:
        notes.append("There is no data for this week in the store: the sections below are empty. "
                     "Ingest this week's exports with `roi ingest`, or pick another --week.")
    return Section(notes=notes)


def data_quality(ctx: ReportContext) -> Section:
    """Sources ingested with their accounting, rejected records by reason, metric definitions."""
    sources = pd.DataFrame(ctx.ds.sources)
    cols = ["path", "format", "read", "ingested", "duplicates", "rejected"]
    if sources.empty:
        sources = pd.DataFrame(columns=cols)
    sources = sources[[c for c in cols if c in sources.columns]].copy()
    if "path" in sources:
        sources["path"] = sources["path"].map(lambda p: str(p).rsplit("/", 2)[-1] if p else p)
    rejected = ctx.ds.rejected
    by_reason = (rejected.groupby("reason", dropna=False).size().rename("records").reset_index()
                 .sort_values("records", ascending=False)) if len(rejected) else pd.DataFrame(columns=["reason", "records"])
    total_read = int(pd.to_numeric(sources.get("read", pd.Series(dtype=float)), errors="coerce").sum())
    notes = [f"{len(sources):,} source files ingested, {total_read:,} records read, "
             f"{len(rejected):,} rejected (kept in the store's _rejected/ with file, line and reason)."]
    return Section(notes=notes, tables=[("Sources", sources), ("Rejected records by reason", by_reason),
                                        ("Metric definitions", METRIC_DEFINITIONS)], max_rows=30)
