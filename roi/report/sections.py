"""The weekly report's sections. Each takes a :class:`ReportContext` and returns a Section.

The notebook only calls these (no logic of its own), so every number in the report is computed
here or in the analysis modules, and tested. The page opens with what a manager reads in a minute
(:func:`opening`: KPI cards, the week in five sentences, next week's actions); the detail a
specialist wants sits below, folded into ``<details>`` where it would lengthen the page.
All formatting goes through :mod:`roi.report.format`.

Why one module: every section shares the report context, the formatting layer and the Section
type, and the functions stand in the order of the page, so the file reads as the report does.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from roi.errors import ParameterError
from roi.plotting import description
from roi.report import findings as fnd
from roi.report.cards import cards_html, kpi_cards
from roi.report.context import ReportContext
from roi.report.display import Chart, Section
from roi.report.format import count, format_table, format_value, local_time, percent

__all__ = ["opening", "summary_findings", "trends", "overview", "headline_kpis", "top_posts", "new_followers",
           "geo_spread", "best_time", "effects", "experiments", "listening", "content_mix", "spam", "follow_back",
           "data_quality", "ledger", "summary_heading", "METRIC_DEFINITIONS"]

METRIC_DEFINITIONS = pd.DataFrame(
    [
        ("Engagements", "likes + reposts + replies + quotes + link clicks (where the platform reports them)"),
        ("Engagement rate", "engagements / views (impressions); on Mastodon and Bluesky (no view counts) the "
                            "author's followers stand in as potential views and are labelled so"),
        ("Click-through rate", "link clicks / views"),
        ("Conversion rate", "conversions / web clicks (web-analytics CSV, joined on utm_content = post id)"),
        ("Followers", "accounts following the brand in the follower snapshot that closes the week"),
        ("Followers in the audience", "for another account: how many of the brand's followers follow it"),
        ("Reposts", "carry the original's metrics; never summed again"),
        ("How sure", "from 95% intervals: 'very likely' = excludes no-effect with p < 0.001; 'likely' = excludes "
                     "no-effect; 'not clear' = includes it. Wilson for proportions, bootstrap over posts for "
                     "ratios of sums, negative-binomial model for effects"),
        ("Share located", "followers whose free-text location resolved to a country / all followers"),
        ("Spread (structural virality)", "mean distance between all pairs of accounts in a repost tree "
                                         "(Goel et al. 2016): about 2 for a broadcast"),
    ],
    columns=["metric", "definition"],
)


def _figure(width: float = 8.0, height: float = 4.0):
    """Make a matplotlib Figure not registered with pyplot (so the notebook shows it exactly once)."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _week_span(ctx: ReportContext) -> str:
    first = ctx.start.tz_convert(ctx.tz)
    last = (ctx.end - pd.Timedelta(seconds=1)).tz_convert(ctx.tz)
    if first.month == last.month:
        return f"{first.day}–{last.day} {last:%b %Y}"
    return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"


def _model_or_none(ctx: ReportContext):
    try:
        return ctx.model
    except (ParameterError, ValueError):  # too little history (or no views at all) to fit the model
        return None


def summary_findings(ctx: ReportContext) -> list[fnd.Finding]:
    """List the opening's findings in reading order: engagement, best hour, hashtags, A/B, complaints.

    A sixth -- the brand's posts against another traffic channel -- comes only when that difference is
    clear.
    """
    from roi.abtest import experiments_summary

    model = _model_or_none(ctx)
    effects = model.effects if model is not None else None
    try:
        tests = experiments_summary(ctx.ds, account=ctx.account, tz=ctx.tz)
    except ParameterError:
        tests = None
    history = ctx.complaint_history
    found = [
        fnd.engagement_finding(ctx.trends),
        fnd.best_hour_finding(effects, tz=ctx.tz, model=model),
        fnd.hashtag_finding(effects),
        fnd.experiment_finding(tests),
        fnd.complaint_burst_finding(history["queue"], tz=ctx.tz, start=ctx.trends["week_start"].iloc[0], end=ctx.end),
    ]
    try:
        channels = fnd.channel_finding(ctx.ledger)
    except ParameterError:  # no posts by the account: the ledger has nothing to say
        channels = None
    return found + [channels] if channels is not None else found


def summary_heading(n: int) -> str:
    """Word the summary's heading, true to its number of sentences.

    >>> summary_heading(5), summary_heading(6), summary_heading(1)
    ('This week in five sentences', 'This week in six sentences', 'This week in one sentence')
    """
    words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    return f"This week in {words[n] if n < len(words) else f'{n:,}'} sentence{'' if n == 1 else 's'}"


def _findings_html(items: list[fnd.Finding]) -> str:
    rows = []
    for f in items:
        evidence = f" <span class=\"roi-evidence\">Evidence: {html.escape(f.evidence)}.</span>" if f.evidence else ""
        css = "roi-finding" if f.supported else "roi-finding roi-weak"
        rows.append(f'<li class="{css}">{html.escape(f.sentence)}{evidence}</li>')
    return '<ol class="roi-findings">' + "".join(rows) + "</ol>"


def opening(ctx: ReportContext) -> Section:
    """Build the first screen: account and week, KPI cards with sparklines, five sentences, next week."""
    from roi.graph import influential_new_followers

    cards = kpi_cards(ctx.trends)
    items = summary_findings(ctx)
    week_queue = ctx.complaint_history["queue"]
    week_queue = week_queue[(week_queue["created_at"] >= ctx.start).to_numpy(dtype=bool)]
    topics = week_queue["topic"].dropna().astype(str).value_counts() if "topic" in week_queue else None
    try:
        new = influential_new_followers(ctx.ds, ctx.account, start=ctx.start, end=ctx.end,
                                        influence_table=ctx.influence, top=3)
        handles = new["handle"].dropna().astype(str).tolist() if "handle" in new else []
    except ParameterError:
        handles = []
    todo = fnd.recommendations(items, complaint_topics=topics, new_followers=handles)
    place = ctx.tz.rsplit("/", 1)[-1].replace("_", " ")
    sub = f"ISO week {ctx.week} · times in {place} ({ctx.tz}) · {count(len(ctx.week_posts))} post{'s' if len(ctx.week_posts) != 1 else ''} this week in the store"
    if ctx.snapshot is not None and len(ctx.trends) and pd.notna(ctx.trends["followers_end"].iloc[-1]):
        sub += f" · followers counted on the snapshot of {local_time(ctx.snapshot, tz=ctx.tz)}"
    parts = [f'<p class="roi-sub">{html.escape(sub)}</p>']
    if not ctx.has_data:
        parts.append('<p class="roi-alert">There is no data for this week in the store: ingest this week\'s '
                     "exports with <code>roi ingest</code>, or pick another week.</p>")
    parts.append(cards_html(cards, weeks=len(ctx.trends)))
    parts.append(f'<h2 id="summary">{summary_heading(len(items))}</h2>')
    parts.append(_findings_html(items))
    parts.append('<h2 id="next-week">Next week</h2>')
    if todo:
        parts.append('<ul class="roi-todo">' + "".join(f"<li>{html.escape(t)}</li>" for t in todo) + "</ul>")
    else:
        parts.append('<p class="roi-lead">Too little evidence this week to recommend a change; keep posting and '
                     "collecting data.</p>")
    return Section(title=f"Weekly report: @{ctx.account}, {_week_span(ctx)}", html=parts, level=1, tz=ctx.tz)


def trends(ctx: ReportContext) -> Section:
    """Followers, engagement rate (with interval), clicks and conversions, complaints, week by week."""
    from roi.report.plots import plot_weekly_trend

    t = ctx.trends
    charts, empty = [], []
    series = {"followers": ["new", "lost"], "engagement_rate": ["engagement_rate"],
              "clicks": ["web_clicks", "conversions"], "complaints": ["complaints", "within_1h_share"]}
    words = {"followers": "new or lost followers", "engagement_rate": "engagement rate (no views reported)",
             "clicks": "web clicks or conversions", "complaints": "complaints"}
    for metric in ("followers", "engagement_rate", "clicks", "complaints"):
        values = pd.concat([pd.to_numeric(t[c], errors="coerce") for c in series[metric]])
        if not (values.fillna(0) != 0).any():  # nothing known, or all zero: a sentence, not an empty chart
            empty.append(words[metric])
            continue
        fig = _figure(4.6, 2.6)
        ax = fig.subplots()
        plot_weekly_trend(t, metric, ax=ax)
        charts.append(Chart(fig, description(ax, default=f"{metric} per week"), small=True))
    table = t[["week", "followers_end", "new", "lost", "posts", "engagement_rate", "engagement_rate_low",
               "engagement_rate_high", "web_clicks", "conversions", "complaints", "within_1h_share",
               "median_response_minutes"]].iloc[::-1]
    shown = format_table(table, caption=f"The last {len(t)} weeks, newest first", tz=ctx.tz, max_rows=len(t),
                         headers={"followers_end": "Followers (closing snapshot)", "engagement_rate_low": "ER low (95%)",
                                  "engagement_rate_high": "ER high (95%)", "within_1h_share": "Answered within 1 h",
                                  "median_response_minutes": "Median answer time", "posts": "Posts"})
    notes = [f"The last {len(t)} ISO week{'s' if len(t) != 1 else ''} with data. Engagement rate = engagements / views with a 95% "
             "bootstrap interval over posts; complaints are those the triage found."]
    if empty:
        notes.append(f"Nothing to chart for {', '.join(empty)} in these weeks.")
    return Section(title="Trends", charts=charts, details=[Section(title="Week by week", tables=[shown])],
                   notes=notes, tz=ctx.tz)


def overview(ctx: ReportContext) -> Section:
    """Say what this report covers: account, week, window in local time and UTC, data present."""
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
    return Section(notes=notes, tz=ctx.tz)


def headline_kpis(ctx: ReportContext) -> Section:
    """Followers (start, end, new, lost) and the week's posting KPIs against the week before."""
    from roi.engagement import engagement_kpis
    from roi.graph import follower_change

    this = follower_change(ctx.ds, ctx.account, start=ctx.start, end=ctx.end).iloc[0]
    prev = follower_change(ctx.ds, ctx.account, start=ctx.prev_start, end=ctx.start).iloc[0]
    rows = [
        ("Followers at start", this.followers_start, prev.followers_start, "followers of the account when the week began"),
        ("Followers at end", this.followers_end, prev.followers_end, "followers in the snapshot closing the week"),
        ("New followers", this.new, prev.new, "accounts that started following during the week"),
        ("Lost followers", this.lost, prev.lost, "accounts that stopped following (absent from a later snapshot)"),
    ]
    followers = pd.DataFrame(rows, columns=["kpi", "value", "previous", "definition"])
    kpis = engagement_kpis(ctx.metrics, start=ctx.start, end=ctx.end)
    names = {"posts": "Posts", "impressions": "Views", "engagements": "Engagements", "link_clicks": "Link clicks",
             "web_clicks": "Web clicks", "conversions": "Conversions"}
    rates = {"engagement_rate": "Engagement rate", "click_rate": "Click-through rate", "conversion_rate": "Conversion rate"}
    counts = kpis[kpis["kpi"].isin(list(names))].assign(kpi=lambda k: k["kpi"].map(names))
    table = pd.concat([followers, counts[["kpi", "value", "previous", "definition"]]], ignore_index=True)
    num = pd.to_numeric(table["value"], errors="coerce")
    den = pd.to_numeric(table["previous"], errors="coerce")
    table.insert(3, "change", (num / den.where(den != 0) - 1))
    rate_rows = kpis[kpis["kpi"].isin(list(rates))].copy()
    rate_table = pd.DataFrame({"kpi": rate_rows["kpi"].map(rates), "this_week": rate_rows["value"].map(percent),
                               "last_week": rate_rows["previous"].map(percent), "change": rate_rows["change"],
                               "definition": rate_rows["definition"]})
    notes = []
    if bool(this.before_first_snapshot):
        notes.append("The week starts before the first follower snapshot: followers at start are the first "
                     "snapshot's count.")
    if int(this.snapshots) == 0:
        notes.append("No follower snapshot was taken inside this week, so new and lost followers are dated "
                     "between the surrounding snapshots.")
    return Section(title="This week against last week", notes=notes, tz=ctx.tz, tables=[
        format_table(table, caption="Counts", tz=ctx.tz, max_rows=30),
        format_table(rate_table, caption="Rates", tz=ctx.tz, headers={"this_week": "This week", "last_week": "Last week"})])


def top_posts(ctx: ReportContext, *, n: int = 5) -> Section:
    """Show the week's most engaging posts of the account, with how far each travelled (its cascade)."""
    from roi.cascades import cascade_forest, plot_cascade_tree, reconstruct_cascades, store_cascade_metrics

    m = ctx.metrics
    week = m[(m["created_at"] >= ctx.start) & (m["created_at"] < ctx.end)]
    top = week.sort_values(["engagements", "created_at"], ascending=[False, True], na_position="last").head(n)
    cascades = store_cascade_metrics(ctx.ds, account=ctx.account, start=ctx.start, end=ctx.end)
    shape = [c for c in ("size", "depth", "structural_virality", "minutes_to_10", "potential_reach", "unique_reach")
             if c in cascades.columns]
    joined = top.merge(cascades[["cascade_id", *shape]].rename(columns={"cascade_id": "post_id"}),
                       on="post_id", how="left")
    joined = joined.merge(ctx.ds.posts[["post_id", "platform", "text"]], on="post_id", how="left",
                          suffixes=("_m", ""))
    # Exports without view counts (archives, Mastodon) rate posts per follower: the header says so.
    proxied = (top["impressions_source"].astype("string") == "followers_proxy").fillna(False) \
        if "impressions_source" in top.columns else pd.Series(False, index=top.index)
    views = ("Potential impressions (followers; no view counts)" if len(top) and proxied.all()
             else "Views (followers where the platform gives none)" if proxied.any() else None)
    main = format_table(joined, caption=f"The week's top {len(top)} posts by engagements", tz=ctx.tz,
                        columns=["text", "created_at", "impressions", "engagements", "engagement_rate", "size"],
                        headers={"impressions": views} if views else None)
    spread = format_table(joined, caption="How far they travelled", tz=ctx.tz, columns=["created_at", *shape])
    notes = [f"{len(week):,} posts this week. Accounts reached counts the post and everyone who passed it on."]
    charts = []
    biggest = cascades.sort_values("size", ascending=False).head(1)
    if len(biggest) and int(biggest["size"].iloc[0]) > 1:
        first = biggest["cascade_id"].iloc[0]
        # Only the drawn cascade is needed, and its adopters all post after its source: reconstruct
        # from the posts since the week began rather than the whole store a second time.
        since = ctx.ds.posts[ctx.ds.posts["created_at"] >= ctx.start]
        edges = reconstruct_cascades(since, ctx.ds.follows)
        forest = cascade_forest(edges[edges["cascade_id"] == first], ctx.ds.posts)
        text = ctx.ds.posts.loc[ctx.ds.posts["post_id"] == first, "text"]
        title = str(text.iloc[0]) if len(text) and pd.notna(text.iloc[0]) else f"post {first}"
        fig = _figure(8, 3.6)
        ax = fig.subplots()
        plot_cascade_tree(forest, first, ax=ax, title=title)
        size = int(biggest["size"].iloc[0])
        depth = int(biggest["depth"].iloc[0]) if "depth" in biggest else None
        alt = (f"Tree of the week's largest cascade: the post “{title[:120]}” at the top, reached {size} accounts "
               f"in {depth} step{'s' if depth != 1 else ''} of passing on; each dot is an account, lines join it to "
               "the account it got the post from.")
        charts.append(Chart(fig, alt, caption=f"How the week's largest cascade travelled ({size} accounts)."))
    return Section(title="Top posts", notes=notes, tables=[main], tz=ctx.tz,
                   details=[Section(title="Cascades: how far the top posts travelled", tables=[spread], charts=charts,
                                    notes=["Spread (structural virality) is about 2 for a broadcast and grows with "
                                           "person-to-person passing on. Potential reach = sum of the sharers' "
                                           "followers; unique reach = distinct accounts following a sharer."])])


def new_followers(ctx: ReportContext, *, top: int = 10) -> Section:
    """Show the week's most influential new followers, and the audience's rising voices."""
    from roi.graph import influential_new_followers, rising_voices

    new = influential_new_followers(ctx.ds, ctx.account, start=ctx.start, end=ctx.end,
                                    influence_table=ctx.influence, top=top)
    rising = rising_voices(ctx.ds, start=ctx.start, end=ctx.end, audience_of=ctx.account, top=top)
    new_table = format_table(new, caption="Most influential new followers", tz=ctx.tz,
                             columns=["handle", "followers", "in_degree", "core_number", "rank"],
                             headers={"rank": "Influence rank in the audience"},
                             max_rows=top)
    notes = [f"{len(new):,} new followers ranked by influence in the audience (1 = most influential): "
             "Followers is their platform count; Followers in the audience counts only the brand's followers who "
             "follow them. The measures rank people differently (Cha et al. 2010), so all are shown."]
    return Section(title="New followers worth knowing", notes=notes, tables=[new_table], tz=ctx.tz,
                   details=[Section(title="Rising voices in the audience", tz=ctx.tz, tables=[
                       format_table(rising, caption="Growth in followers and earned engagement", tz=ctx.tz)])])


def best_time(ctx: ReportContext, *, top: int = 5) -> Section:
    """Hour × weekday engagement rate in the account's time zone, and the best hours."""
    from roi.engagement import best_hours, best_slots, engagement_by_slot, timed
    from roi.engagement.plots import plot_slot_heatmap

    slots = engagement_by_slot(ctx.metrics, tz=ctx.tz)
    model = _model_or_none(ctx)
    hours = best_hours(ctx.metrics, tz=ctx.tz, model=model).head(top) if model is not None else pd.DataFrame()
    best = best_slots(ctx.metrics, tz=ctx.tz, model=model).head(8) if model is not None else pd.DataFrame()
    charts = []
    rates = pd.to_numeric(slots["engagement_rate"], errors="coerce") if "engagement_rate" in slots else pd.Series([])
    if len(ctx.metrics) and len(slots) and rates.notna().any():
        fig = _figure(9, 3.8)
        ax = fig.subplots()
        plot_slot_heatmap(slots, ax=ax)
        charts.append(Chart(fig, description(ax, default="Heatmap of engagement rate by weekday and local hour.")))
    place = ctx.tz.rsplit("/", 1)[-1].replace("_", " ")
    timed_posts = len(timed(ctx.metrics))
    day_only = len(ctx.metrics) - timed_posts
    notes = [f"All of the account's posts so far with a time of day ({timed_posts:,}), by local hour in {place}"
             + (f"; {day_only:,} known only by their day are left out" if day_only else "")
             + ". Hours are ranked by the model's expected engagement rate, with 95% intervals."]
    tables = [format_table(hours, caption="Best hours to post", tz=ctx.tz,
                           columns=["rank", "hour", "rate", "ci_low", "ci_high", "posts"],
                           headers={"rate": "Expected engagement rate"})]
    if model is None:
        notes.append("Too few posts with views to rank hours with a model yet"
                     + ("; the heatmap shows the raw rates." if charts else
                        " (this store has no view counts, so no engagement rate can be computed)."))
        tables = []
    details = [Section(title="Best weekday and hour slots", tables=[
        format_table(best, caption="Best slots", tz=ctx.tz, columns=["rank", "day", "hour", "rate", "ci_low", "ci_high", "posts"],
                     headers={"rate": "Expected engagement rate"})])] if len(best) else []
    return Section(title="When to post", notes=notes, charts=charts, tables=tables, details=details, tz=ctx.tz)


def effects(ctx: ReportContext) -> Section:
    """Hashtag, mention, question and content effects as incidence-rate ratios from the NB model."""
    from roi.engagement import engagement_by_hashtag_count, engagement_by_mention
    from roi.engagement.plots import plot_irr_forest

    by_count = engagement_by_hashtag_count(ctx.metrics)
    by_mention = engagement_by_mention(ctx.metrics)
    raw = [format_table(by_count, caption="Engagement rate by number of hashtags", tz=ctx.tz),
           format_table(by_mention, caption="Engagement rate by mention use", tz=ctx.tz)]
    model = _model_or_none(ctx)
    if model is None:
        return Section(title="What in a post works", notes=["Too few posts to separate the effects of hashtags, "
                                                            "mentions and questions; the raw rates are below."],
                       details=[Section(title="Raw rates", tables=raw)], tz=ctx.tz)
    e = model.effects
    content = e[~e["term"].astype(str).str.startswith(("hour=", "weekday="))]
    charts = []
    if len(content):
        fig = _figure(7.5, 3.6)
        ax = fig.subplots()
        plot_irr_forest(content, ax=ax)
        charts.append(Chart(fig, description(ax, default="Effects of post features on engagements per view.")))
    notes = [f"Negative-binomial model of engagements per view, fitted on {model.posts:,} posts. 1.30× means 30% "
             "more engagements per view than the comparison, other things (hour, weekday, content) equal."]
    return Section(title="What in a post works", notes=notes, charts=charts, tz=ctx.tz,
                   details=[Section(title="All effects and raw rates", tables=[
                       format_table(e, caption="Effects (× engagements per view)", tz=ctx.tz, max_rows=60), *raw])])


def experiments(ctx: ReportContext) -> Section:
    """A/B experiments in the store and their verdicts."""
    from roi.abtest import experiments_summary

    summary = experiments_summary(ctx.ds, account=ctx.account, tz=ctx.tz)
    cols = ["experiment_id", "slot_a", "slot_b", "posts_a", "posts_b", "rate_a", "rate_b", "lift", "ci_low",
            "ci_high", "prob_b_better", "verdict"]
    # The lift's interval is a change (+26%), not a rate: name it so the formatting layer signs it.
    table = format_table(summary.rename(columns={"ci_low": "lift_low", "ci_high": "lift_high"}),
                         caption="Posting-time experiments", tz=ctx.tz,
                         columns=[{"ci_low": "lift_low", "ci_high": "lift_high"}.get(c, c) for c in cols])
    notes = [] if len(summary) else ["No A/B experiment in the store."]
    caveats = [f"{r.experiment_id}: {w}" for r in summary.itertuples() for w in
               (r.warnings if isinstance(getattr(r, "warnings", None), list | tuple | np.ndarray) else
                [r.warnings] if isinstance(getattr(r, "warnings", None), str) and r.warnings else [])]
    details = [Section(title="Caveats", notes=caveats)] if caveats else []
    return Section(title="A/B tests", notes=notes, tables=[table] if len(summary) else [], details=details, tz=ctx.tz)


def _channel_name(label: str) -> str:
    from roi.ledger import BRAND_POSTS, NOT_GIVEN, OTHER_SOCIAL

    named = {BRAND_POSTS: "Social: the brand's posts", OTHER_SOCIAL: "Social: other traffic",
             NOT_GIVEN: "Channel not given"}
    return named.get(label, label[:1].upper() + label[1:])


def _other_channels(comparison: pd.DataFrame) -> str:
    """Write one sentence for the channels after the first.

    :func:`roi.ledger.ledger_findings` puts email (else the most significant) first, and the report
    shows that one in full.

    >>> cmp = pd.DataFrame({"channel": ["email", "direct", "referral", "paid search"],
    ...                     "verdict": ["worse", "better", "better", "no clear difference"]})
    >>> _other_channels(cmp.assign(p_value=[0.001, 0.01, 0.02, 0.3]))
    "Against the other channels, the brand's posts convert better than direct and referral; no clear difference from paid search."
    """
    groups: dict[str, list[str]] = {}
    order = comparison.assign(_e=(comparison["channel"] != "email").to_numpy()).sort_values(["_e", "p_value"],
                                                                                          kind="stable")
    for r in order.iloc[1:].itertuples(index=False):
        name = {"Social: other traffic": "other social traffic", "Channel not given": "traffic of no stated channel"
                }.get(_channel_name(str(r.channel)), str(r.channel))
        groups.setdefault(str(r.verdict), []).append(name)

    def _and(items: list[str]) -> str:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    parts = [f"convert {v} than {_and(groups[v])}" for v in ("better", "worse") if groups.get(v)]
    first = f"the brand's posts {'; they '.join(parts)}" if parts else ""
    also = []
    if groups.get("no clear difference"):
        also.append(f"no clear difference from {_and(groups['no clear difference'])}")
    if groups.get("not comparable"):
        also.append(f"too few sessions to compare with {_and(groups['not comparable'])}")
    if not first and not also:
        return ""
    return "Against the other channels, " + "; ".join([first, *also] if first else also) + "."


def ledger(ctx: ReportContext) -> Section:
    """Show the return on influence (issue 22): channels side by side, the brand's posts against each.

    Then the week's effort and returns, and what is missing -- in sentences from
    :func:`roi.ledger.ledger_findings`.
    """
    from roi.ledger import ledger_findings

    try:
        led = ctx.ledger
    except ParameterError:  # the account has no posts in the store: nothing to count returns for
        return Section(title="Return on influence", tz=ctx.tz, notes=[
            f"No posts by @{ctx.account} in the store, so there is no social traffic or effort to weigh."])
    weeks = list(led.parameters.get("weeks") or [])
    found = ledger_findings(led)
    by_topic = {t: found.loc[found["topic"] == t, "finding"].astype(str).tolist() for t in found["topic"].unique()}
    span = (f"{weeks[0]} to {weeks[-1]}" if len(weeks) > 1 else weeks[0]) if weeks else "no week with data"
    channel_lines, effort_lines = by_topic.get("channels", []), by_topic.get("effort", [])
    # The lead: the brand's posts' own rate and the comparison a manager weighs first (email, else the
    # clearest); the other channels in one sentence; the week's effort in total. Per-activity lines
    # sit with the effort table below.
    notes = [f"Traffic and conversions from the web analytics, {span}; each rate with its 95% interval."]
    notes += channel_lines[:2]
    rest = _other_channels(led.comparison) if len(channel_lines) > 1 and len(led.comparison) else ""
    notes += [rest] if rest else []
    totals = [t for t in effort_lines if t.startswith("In ")]
    notes += totals + by_topic.get("data", [])
    tables, details = [], []
    channels = led.channels
    if len(channels) and int(channels["sessions"].sum()):
        shown = channels.assign(channel=channels["channel"].astype(str).map(_channel_name))
        tables.append(format_table(shown, caption=f"Conversion rate by channel, {span}", tz=ctx.tz,
                                   columns=["channel", "sessions", "conversions", "rate", "ci_low", "ci_high"],
                                   headers={"rate": "Conversion rate"}, max_rows=len(shown)))
    if len(led.comparison):
        cmp = led.comparison.assign(channel=led.comparison["channel"].astype(str).map(_channel_name))
        cmp = cmp.rename(columns={"ci_low": "ratio_low", "ci_high": "ratio_high"}).assign(
            verdict=cmp["verdict"].astype(str).replace({"better": "brand posts convert better",
                                                        "worse": "brand posts convert worse"}))
        details.append(Section(title="The brand's posts against each channel", tz=ctx.tz, tables=[format_table(
            cmp, caption="Brand posts' conversion rate ÷ the channel's (1.00× = the same)", tz=ctx.tz,
            columns=["channel", "brand_rate", "rate", "ratio", "ratio_low", "ratio_high", "p_holm", "verdict"],
            headers={"rate": "Channel's rate"}, max_rows=len(cmp))], notes=["p-values adjusted together (Holm), since every channel is read at once."]))
    if len(led.weeks):
        week = led.weeks.assign(value=led.weeks["value"].astype("Float64"))
        details.append(Section(title="Effort and returns, week by week", tz=ctx.tz, tables=[format_table(
            week.iloc[::-1], caption=f"Hours, cost and what each activity returned, {span}, newest first", tz=ctx.tz,
            columns=["week", "activity", "hours", "cost", "value", "value_per_hour", "posts", "sessions",
                     "conversions", "answered_cases"], headers={"value": "Returned"}, max_rows=len(week))],
            notes=[t for t in effort_lines if t not in totals] + by_topic.get("parameters", [])))
    return Section(title="Return on influence", notes=notes, tables=tables, details=details, tz=ctx.tz)


def spam(ctx: ReportContext, *, top: int = 15) -> Section:
    """Followers that trip the transparent spam rules, with the rules each tripped."""
    from roi.graph import rule_table, spam_suspects

    suspects = spam_suspects(ctx.ds, audience_of=ctx.account, as_of=ctx.snapshot)
    cols = ["handle", "followers_count", "following_count", "posts_count", "link_share", "age_days", "rules"]
    return Section(title="Possible spam followers", tz=ctx.tz, notes=[
        f"{len(suspects):,} of the account's followers trip at least one spam rule. A flag is a reason to look, "
        "not a verdict."], details=[Section(title="Suspects and the rules", tables=[
            format_table(suspects, caption="Spam suspects", tz=ctx.tz, columns=cols, max_rows=top),
            format_table(rule_table(), caption="The rules", tz=ctx.tz)])])


def follow_back(ctx: ReportContext, *, top: int = 10) -> Section:
    """Followers the account does not follow back, most influential first; full export to CSV and Excel."""
    from roi.graph import export_table, follow_back_candidates

    candidates = follow_back_candidates(ctx.ds, ctx.account, influence_table=ctx.influence, as_of=ctx.snapshot)
    notes = [f"{len(candidates):,} followers are not followed back."]
    if ctx.export_dir:
        from pathlib import Path

        base = Path(ctx.export_dir) / "follow-back"
        paths = [export_table(candidates, base.with_suffix(ext)) for ext in (".csv", ".xlsx")]
        notes.append("Every candidate with every column, for sorting and filtering: "
                     + " and ".join(Path(p).name for p in paths) + " beside this report.")
    cols = ["handle", "followed_by_since", "days_waiting", "followers", "rank"]
    return Section(title="Follow-back", notes=notes, tz=ctx.tz, details=[Section(title="Top candidates", tables=[
        format_table(candidates, caption="Top follow-back candidates", tz=ctx.tz, columns=cols, max_rows=top)])])


def geo_spread(ctx: ReportContext, *, top: int = 10) -> Section:
    """Where the followers are at the week's closing snapshot: map, table, coverage and change."""
    from roi.geo import (
        followers_by_country,
        locate_followers,
        plot_country_choropleth,
        spread_change,
        spread_summary,
    )

    located = locate_followers(ctx.ds.accounts, ctx.ds.follows, ctx.account_id, at=ctx.snapshot)
    by_country = followers_by_country(located)
    n_all = int(by_country["all_followers"].iloc[0]) if len(by_country) else len(located)
    n_loc = int(by_country["located_followers"].iloc[0]) if len(by_country) else 0
    table = format_table(by_country, caption="Followers by country", tz=ctx.tz, max_rows=top,
                         columns=["country", "followers", "share", "followers_per_million"],
                         headers={"share": "Share of located"})
    charts = []
    if len(located) and len(by_country):
        fig = _figure(9, 4.2)
        ax = fig.subplots()
        plot_country_choropleth(by_country, ax=ax)
        charts.append(Chart(fig, description(ax, default="World map of followers by country.")))
    details = []
    if ctx.home_country:
        details.append(Section(title="Home market and concentration", tables=[
            format_table(spread_summary(located, home_country=ctx.home_country), caption="Spread summary", tz=ctx.tz)]))
    last_instant = ctx.end - pd.Timedelta(microseconds=1)
    change = spread_change(ctx.ds.accounts, ctx.ds.follows, ctx.account_id, start=ctx.start, end=last_instant)
    details.append(Section(title="Change over the week by country", tables=[
        format_table(change, caption="Followers by country at the start and end of the week", tz=ctx.tz, max_rows=top,
                     columns=["country", "followers_start", "followers_end", "new", "lost", "share_change"])]))
    snap = local_time(ctx.snapshot, tz=ctx.tz) if ctx.snapshot is not None else "—"
    notes = [f"{count(n_loc)} of {count(n_all)} followers (snapshot of {snap}) have a profile location roi could "
             "place in a country; shares are among those. Locations are free text, resolved offline."]
    return Section(title="Where the followers are", notes=notes, charts=charts, tables=[table], details=details,
                   tz=ctx.tz)


def listening(ctx: ReportContext, *, top: int = 15) -> Section:
    """Complaints needing attention this week: the triage queue, response times and the daily trend."""
    from roi.listening import complaints_needing_attention
    from roi.listening.plots import plot_daily_volumes

    att = complaints_needing_attention(ctx.ds, handles=[ctx.account, *ctx.service_handles], start=ctx.start,
                                       end=ctx.end, tz=ctx.tz, brand_terms=[ctx.account])
    queue = format_table(att["queue"], caption="This week's complaints, most urgent first", tz=ctx.tz, max_rows=top,
                         columns=["text", "author", "topic", "action", "addressed", "created_at", "author_followers",
                                  "reason"])
    history = ctx.complaint_history["alerts"]
    charts = []
    complaints_series = history[history["series"] == "complaints"] if len(history) else history
    burst = fnd.complaint_burst_finding(ctx.complaint_history["queue"], tz=ctx.tz, start=ctx.trends["week_start"].iloc[0],
                                        end=ctx.end)
    if len(complaints_series):
        fig = _figure(8, 2.8)
        ax = fig.subplots()
        # The burst the sentence names is shaded on the same chart, from the same complaints.
        shade = (burst.numbers["first"], burst.numbers["last"]) if burst.supported else None
        plot_daily_volumes(history, series="complaints", ax=ax, highlight=shade,
                           highlight_label=f"burst: {burst.numbers.get('topic')}" if shade else "burst")
        charts.append(Chart(fig, description(ax, default="Complaints per day against the usual level.")))
    notes = _complaint_notes(att, handles=[ctx.account, *ctx.service_handles])
    mention_spikes = att["spikes"]
    mention_spikes = mention_spikes[mention_spikes["series"] == "mentions"] if len(mention_spikes) else mention_spikes
    if len(mention_spikes):
        notes.append("Brand mentions (all, not only complaints) were far above the usual on "
                     + ", ".join(f"{pd.Timestamp(d):%a} {pd.Timestamp(d).day} {pd.Timestamp(d):%b}"
                                 for d in mention_spikes["date"]) + ".")
    notes.append(burst.sentence)
    return Section(title="Complaints", notes=notes, charts=charts, tables=[queue], tz=ctx.tz, details=[
        Section(title="Response times and unanswered complaints", tables=[
            format_table(att["response_summary"], caption="Response times to addressed complaints", tz=ctx.tz,
                         columns=["addressed", "answered", "within_1h", "within_24h", "median_minutes", "unanswered"],
                         headers={"addressed": "Addressed to the brand", "answered": "Answered",
                                  "within_1h": "Within 1 h", "within_24h": "Within 24 h"}),
            format_table(att["unanswered"], caption="Unanswered addressed complaints", tz=ctx.tz,
                         columns=["text", "author", "topic", "created_at"])]),
        Section(title="Spike days and actions", tables=[
            format_table(att["spikes"], caption="Days far above the usual", tz=ctx.tz,
                         columns=["date", "series", "count", "baseline", "threshold"]),
            format_table(att["actions"], caption="Complaints per action", tz=ctx.tz)])])


def _complaint_notes(att: dict, *, handles: list[str]) -> list[str]:
    """Write the week's complaints and answers in sentences, from the same tables the section shows."""
    queue, summary = att["queue"], att["response_summary"]
    n = len(queue)
    addressed = int(queue["addressed"].fillna(False).astype(bool).sum()) if "addressed" in queue else 0
    names = " or ".join(f"@{h}" for h in handles)
    notes = [f"{n:,} complaint{'s' if n != 1 else ''} this week: {addressed:,} addressed to {names}, "
             f"{n - addressed:,} only tagging the brand." if n else "No complaints found this week."]
    if len(summary) and addressed:
        s = summary.iloc[0]
        ok, w1 = int(s.get("answered", 0)), int(s.get("within_1h", 0))
        notes.append(f"{ok:,} of {addressed:,} addressed complaints answered, {w1:,} within an hour"
                     + (f"; median answer time {format_value(s.get('median_minutes'), 'minutes')}." if ok else "."))
    actions = att.get("actions")
    if actions is not None and len(actions):
        todo = [f"{format_value(r.action, 'action')}: {int(r.complaints)}" for r in actions.itertuples() if int(r.complaints)]
        if todo:
            notes.append("Suggested handling — " + "; ".join(todo) + ".")
    notes.extend(x for x in att.get("notes", []) if "English only" in x)
    return notes


def content_mix(ctx: ReportContext) -> Section:
    """Show the account's posts this week against the rule of thirds (original, engagement, promotion)."""
    from roi.listening import content_mix_for_week
    from roi.listening.plots import plot_content_mix

    mix = content_mix_for_week(ctx.ds, account=ctx.account, start=ctx.start, end=ctx.end, tz=ctx.tz,
                               brand_domains=ctx.brand_domains)
    charts = []
    if len(mix["weekly"]):
        fig = _figure(7, 2.8)
        ax = fig.subplots()
        plot_content_mix(mix["weekly"], ax=ax)
        charts.append(Chart(fig, description(ax, default="Share of original, engagement and promotion posts per week.")))
    rules = mix["posts"].groupby(["content_type", "rule"], observed=True).size().rename("posts").reset_index()
    return Section(title="Content mix", notes=list(mix["notes"]), tz=ctx.tz, tables=[
        format_table(mix["week"], caption="This week", tz=ctx.tz)], details=[
        Section(title="Recent weeks and the rules", charts=charts, tables=[
            format_table(mix["weekly"], caption="Recent weeks", tz=ctx.tz),
            format_table(rules, caption="Which rule decided each type", tz=ctx.tz)])])


def data_quality(ctx: ReportContext) -> Section:
    """Show the sources ingested with their accounting, rejected records, warnings, metric definitions."""
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
    notes.extend(ctx.warnings)
    if not ctx.warnings:
        notes.append("No calculation raised a warning while this report was computed.")
    return Section(title="Data quality and definitions", notes=notes, tz=ctx.tz, details=[
        Section(title="Sources and rejected records", tables=[
            format_table(sources, caption="Sources", tz=ctx.tz, max_rows=30),
            format_table(by_reason, caption="Rejected records by reason", tz=ctx.tz)]),
        Section(title="How every number is defined", tables=[
            format_table(METRIC_DEFINITIONS, caption="Definitions", tz=ctx.tz, max_rows=30)])])
