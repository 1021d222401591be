"""The weekly report's sections. Each takes a :class:`ReportContext` and returns a Section.

The notebook only calls these (no logic of its own), so every number in the report is computed
here or in the analysis modules, and tested.
"""

from __future__ import annotations

import pandas as pd

from roi.errors import ParameterError
from roi.report.context import ReportContext
from roi.report.display import Section

__all__ = ["overview", "headline_kpis", "top_posts", "new_followers", "geo_spread", "best_time", "effects", "experiments",
           "listening", "content_mix", "spam", "follow_back", "data_quality", "METRIC_DEFINITIONS"]

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


def _figure(width: float = 8.0, height: float = 4.0):
    """A matplotlib Figure not registered with pyplot (so the notebook shows it exactly once)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _pct(value) -> str:
    return "–" if pd.isna(value) else f"{value:+.0%}"


def headline_kpis(ctx: ReportContext) -> Section:
    """Followers (start, end, new, lost) and the week's posting KPIs against the week before."""
    from roi.engagement import engagement_kpis
    from roi.graph import follower_change

    this = follower_change(ctx.ds, ctx.account, start=ctx.start, end=ctx.end).iloc[0]
    prev = follower_change(ctx.ds, ctx.account, start=ctx.prev_start, end=ctx.start).iloc[0]
    rows = [
        ("followers at start", this.followers_start, prev.followers_start, "followers of the account when the week began"),
        ("followers at end", this.followers_end, prev.followers_end, "followers when the week ended"),
        ("new followers", this.new, prev.new, "accounts that started following during the week"),
        ("lost followers", this.lost, prev.lost, "accounts that stopped following (absent from a later snapshot)"),
        ("churn rate", this.churn_rate, prev.churn_rate, "lost followers / followers at start"),
    ]
    followers = pd.DataFrame(rows, columns=["kpi", "value", "previous", "definition"])
    kpis = engagement_kpis(ctx.metrics, start=ctx.start, end=ctx.end)
    table = pd.concat([followers, kpis[["kpi", "value", "previous", "definition"]]], ignore_index=True)
    num = pd.to_numeric(table["value"], errors="coerce")
    den = pd.to_numeric(table["previous"], errors="coerce")
    table.insert(3, "change", (num / den.where(den != 0) - 1).map(_pct))
    notes = []
    if bool(this.before_first_snapshot):
        notes.append("The week starts before the first follower snapshot: followers at start are the first "
                     "snapshot's count.")
    if int(this.snapshots) == 0:
        notes.append("No follower snapshot was taken inside this week, so new and lost followers are dated "
                     "between the surrounding snapshots.")
    return Section(notes=notes, tables=[("This week against last week", table)], max_rows=30)


def top_posts(ctx: ReportContext, *, n: int = 5) -> Section:
    """The week's most engaging posts of the account, with how far each travelled (its cascade)."""
    from roi.cascades import cascade_forest, plot_cascade_tree, reconstruct_cascades, store_cascade_metrics

    m = ctx.metrics
    week = m[(m["created_at"] >= ctx.start) & (m["created_at"] < ctx.end)]
    top = week.sort_values(["engagements", "created_at"], ascending=[False, True], na_position="last").head(n)
    cascades = store_cascade_metrics(ctx.ds, account=ctx.account, start=ctx.start, end=ctx.end)
    shape = ["size", "depth", "max_breadth", "structural_virality", "minutes_to_10", "potential_reach", "unique_reach"]
    joined = top.merge(cascades[["cascade_id", *shape]].rename(columns={"cascade_id": "post_id"}),
                       on="post_id", how="left")
    joined = joined.merge(ctx.ds.posts[["post_id", "text"]], on="post_id", how="left")
    shown = joined[["created_at", "text", "impressions", "engagements", "engagement_rate", "reposts", *shape]].copy()
    shown["created_at"] = shown["created_at"].dt.tz_convert(ctx.tz).dt.strftime("%a %d %b %H:%M")
    shown["text"] = shown["text"].str.slice(0, 90)
    notes = [f"{len(week):,} posts this week; the top {len(top)} by engagements. size counts the post and everyone "
             "who passed it on (reposts, quotes, replies); depth is the longest chain; structural virality is "
             "about 2 for a broadcast and grows with person-to-person spread. Potential reach = sum of the "
             "adopters' followers; unique reach = distinct accounts following at least one adopter."]
    fig = None
    biggest = cascades.sort_values("size", ascending=False).head(1)
    if len(biggest) and int(biggest["size"].iloc[0]) > 1:
        first = biggest["cascade_id"].iloc[0]
        # Only the drawn cascade is needed, and its adopters all post after its source: reconstruct
        # from the posts since the week began rather than the whole store a second time.
        since = ctx.ds.posts[ctx.ds.posts["created_at"] >= ctx.start]
        edges = reconstruct_cascades(since, ctx.ds.follows)
        forest = cascade_forest(edges[edges["cascade_id"] == first], ctx.ds.posts)
        fig = _figure(8, 3.5)
        ax = fig.subplots()
        plot_cascade_tree(forest, first, ax=ax)
        ax.set_title(f"How the week's largest cascade travelled ({int(biggest['size'].iloc[0])} accounts)")
    return Section(notes=notes, tables=[("Top posts", shown)], figure=fig)


def new_followers(ctx: ReportContext, *, top: int = 10) -> Section:
    """The week's most influential new followers, and the audience's rising voices."""
    from roi.graph import influential_new_followers, rising_voices

    new = influential_new_followers(ctx.ds, ctx.account, start=ctx.start, end=ctx.end,
                                    influence_table=ctx.influence, top=top)
    rising = rising_voices(ctx.ds, start=ctx.start, end=ctx.end, audience_of=ctx.account, top=top)
    new_cols = ["handle", "followers", "in_degree", "pagerank", "core_number", "two_hop_reach",
                "earned_per_post", "rank"]
    notes = ["Influence measures shown side by side (Cha et al. 2010: they rank people differently). "
             "in_degree counts followers inside the audience; rank orders the composite (mean percentile of "
             "every measure), 1 = most influential in the audience."]
    return Section(notes=notes, tables=[("Influential new followers", new[[c for c in new_cols if c in new.columns]]),
                                        ("Rising voices (growth in followers and earned engagement)", rising)])


def best_time(ctx: ReportContext, *, top: int = 8) -> Section:
    """Hour × weekday engagement rate in the account's time zone, and the best slots."""
    from roi.engagement import best_slots, engagement_by_slot

    slots = engagement_by_slot(ctx.metrics, tz=ctx.tz)
    try:
        best = best_slots(ctx.metrics, tz=ctx.tz, model=ctx.model).head(top)
    except ParameterError:  # too little history to fit the model and rank slots
        best = pd.DataFrame()
    fig = None
    try:
        from roi.engagement.plots import plot_slot_heatmap
    except ImportError:  # pragma: no cover - plots arrive with the engagement module
        plot_slot_heatmap = None
    if plot_slot_heatmap is not None and len(ctx.metrics):
        fig = _figure(9, 4)
        plot_slot_heatmap(slots, ax=fig.subplots())
    notes = [f"All of the account's posts so far ({len(ctx.metrics):,}), by local time in {ctx.tz}. "
             "Slots are ranked by the model's expected engagement rate, with 95% intervals."]
    if best.empty:
        notes.append("Too few posts to rank slots with a model yet; the heatmap shows the raw rates.")
    return Section(notes=notes, tables=[("Best slots to post", best)], figure=fig)


def effects(ctx: ReportContext) -> Section:
    """Hashtag, mention and question effects as incidence-rate ratios from the NB model."""
    from roi.engagement import engagement_by_hashtag_count, engagement_by_mention

    by_count = engagement_by_hashtag_count(ctx.metrics)
    by_mention = engagement_by_mention(ctx.metrics)
    try:
        model = ctx.model
    except ParameterError as exc:  # too little history to separate the effects: say so, show the raw rates
        return Section(notes=[f"The effects model could not be fitted: {exc}."],
                       tables=[("Engagement rate by number of hashtags", by_count),
                               ("Engagement rate by mention use", by_mention)])
    notes = [f"Negative-binomial model of engagements with log(impressions) as offset, fitted on "
             f"{model.posts:,} posts. An IRR of 1.3 means 30% more engagements per impression than the "
             f"reference level, other things equal."]
    fig = None
    try:
        from roi.engagement.plots import plot_irr_forest
    except ImportError:  # pragma: no cover
        plot_irr_forest = None
    if plot_irr_forest is not None and len(model.effects):
        fig = _figure(7, 4)
        plot_irr_forest(model.effects, ax=fig.subplots())
    return Section(notes=notes, tables=[("Effects (incidence-rate ratios)", model.effects),
                                        ("Engagement rate by number of hashtags", by_count),
                                        ("Engagement rate by mention use", by_mention)], figure=fig, max_rows=40)


def experiments(ctx: ReportContext) -> Section:
    """A/B experiments in the store and their verdicts."""
    from roi.abtest import experiments_summary

    summary = experiments_summary(ctx.ds, account=ctx.account, tz=ctx.tz)
    cols = ["experiment_id", "design", "slot_a", "slot_b", "posts_a", "posts_b", "rate_a", "rate_b", "lift",
            "ci_low", "ci_high", "prob_b_better", "verdict", "warnings"]
    return Section(tables=[("Experiments", summary[[c for c in cols if c in summary.columns]])])


def spam(ctx: ReportContext, *, top: int = 15) -> Section:
    """Followers that trip the transparent spam rules, with the rules each tripped."""
    from roi.graph import rule_table, spam_suspects

    suspects = spam_suspects(ctx.ds, audience_of=ctx.account, as_of=ctx.snapshot)
    cols = ["handle", "followers_count", "following_count", "posts_count", "link_share", "age_days", "rules"]
    notes = [f"{len(suspects):,} of the account's followers flagged. A flag is a reason to look, not a verdict."]
    return Section(notes=notes, tables=[("Spam suspects", suspects[[c for c in cols if c in suspects.columns]].head(top)),
                                        ("The rules", rule_table())], max_rows=top)


def follow_back(ctx: ReportContext, *, top: int = 10) -> Section:
    """Followers the account does not follow back, most influential first; full export to CSV and Excel."""
    from roi.graph import export_table, follow_back_candidates

    candidates = follow_back_candidates(ctx.ds, ctx.account, influence_table=ctx.influence, as_of=ctx.snapshot)
    notes = [f"{len(candidates):,} followers are not followed back."]
    if ctx.export_dir:
        from pathlib import Path

        base = Path(ctx.export_dir) / "follow-back"
        paths = [export_table(candidates, base.with_suffix(ext)) for ext in (".csv", ".xlsx")]
        notes.append("Every column of every candidate, for sorting and filtering: "
                     + ", ".join(Path(p).name for p in paths) + f" in {Path(ctx.export_dir).name}/.")
    cols = ["handle", "followed_by_since", "days_waiting", "followers", "pagerank", "core_number", "rank"]
    return Section(notes=notes, tables=[("Top follow-back candidates", candidates[[c for c in cols if c in candidates.columns]].head(top))])


def geo_spread(ctx: ReportContext, *, top: int = 12) -> Section:
    """Where the followers are at the end of the week: map, table, coverage and concentration."""
    from roi.geo import (
        followers_by_country,
        locate_followers,
        plot_country_choropleth,
        spread_change,
        spread_summary,
    )

    last_instant = ctx.end - pd.Timedelta(microseconds=1)
    located = locate_followers(ctx.ds.accounts, ctx.ds.follows, ctx.account_id, at=last_instant)
    by_country = followers_by_country(located)
    tables = [("Followers by country", by_country.head(top))]
    if ctx.home_country:
        tables.insert(0, ("Spread summary", spread_summary(located, home_country=ctx.home_country)))
    change = spread_change(ctx.ds.accounts, ctx.ds.follows, ctx.account_id, start=ctx.start, end=last_instant)
    tables.append(("Change over the week", change.head(top)))
    fig = None
    if len(located):
        fig = _figure(9, 4.5)
        plot_country_choropleth(by_country, ax=fig.subplots())
    notes = ["Locations are the followers' own free-text profile locations, resolved offline; shares are among "
             "located followers, and the map's title says how many that is."]
    return Section(notes=notes, tables=tables, figure=fig)


def listening(ctx: ReportContext, *, top: int = 15) -> Section:
    """Complaints needing attention this week: the triage queue, spikes and response times."""
    from roi.listening import complaints_needing_attention
    from roi.listening.plots import plot_daily_volumes

    att = complaints_needing_attention(ctx.ds, handles=[ctx.account, *ctx.service_handles], start=ctx.start,
                                       end=ctx.end, tz=ctx.tz, brand_terms=[ctx.account])
    queue_cols = ["created_at", "author", "author_followers", "addressed", "topic", "complaint_terms",
                  "other_authors_in_window", "action", "reason", "text"]
    queue = att["queue"]
    queue = queue[[c for c in queue_cols if c in queue.columns]].copy()
    if "created_at" in queue:
        queue["created_at"] = queue["created_at"].dt.tz_convert(ctx.tz).dt.strftime("%a %d %b %H:%M")
    if "text" in queue:
        queue["text"] = queue["text"].str.slice(0, 100)
    fig = None
    if len(att["alerts"]):
        fig = _figure(8, 3)
        plot_daily_volumes(att["alerts"], series="complaints", ax=fig.subplots())
    flagged = att["spikes"]
    return Section(notes=list(att["notes"]), tables=[
        ("Triage queue (escalate first)", queue), ("Actions", att["actions"]),
        ("Response times to addressed complaints", att["response_summary"]),
        ("Unanswered addressed complaints", att["unanswered"][[c for c in ("created_at", "author", "topic", "text")
                                                                if c in att["unanswered"].columns]]),
        ("Spike days", flagged)], figure=fig, max_rows=top)


def content_mix(ctx: ReportContext) -> Section:
    """The account's posts this week against the rule of thirds (original, engagement, promotion)."""
    from roi.listening import content_mix_for_week
    from roi.listening.plots import plot_content_mix

    mix = content_mix_for_week(ctx.ds, account=ctx.account, start=ctx.start, end=ctx.end, tz=ctx.tz,
                               brand_domains=ctx.brand_domains)
    fig = None
    if len(mix["weekly"]):
        fig = _figure(7, 3)
        plot_content_mix(mix["weekly"], ax=fig.subplots())
    rules = mix["posts"].groupby(["content_type", "rule"], observed=True).size().rename("posts").reset_index()
    return Section(notes=list(mix["notes"]), tables=[("This week", mix["week"]), ("Recent weeks", mix["weekly"]),
                                                     ("Which rule decided each type", rules)], figure=fig)
