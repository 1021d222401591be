"""The listening sections of the weekly report, as tables and one-line notes.

Two calls give everything for a week window ``[start, end)`` (UTC):

* :func:`complaints_needing_attention` — the triage queue of the week (most urgent first), the
  count per action, spike alerts on the week's days, response times of the week's addressed
  complaints with their summary and the unanswered list;
* :func:`content_mix_for_week` — the brand's posts of the week with their content type and rule,
  and the weekly mix against a third each (the week and the weeks before it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from roi.accounts import account_ids_for
from roi.errors import ParameterError
from roi.listening.complaints import score_complaints
from roi.listening.mentions import brand_mentions
from roi.listening.mix import content_mix, weekly_content_mix
from roi.listening.response import response_summary, response_times
from roi.listening.spikes import daily_volumes, spike_alerts
from roi.listening.triage import ACTIONS, brand_handles, triage_queue
from roi.timeframe import validate_tz

__all__ = ["complaints_needing_attention", "content_mix_for_week"]

_URGENCY = {a: i for i, a in enumerate(reversed(ACTIONS))}  # escalate first, monitor last


def _window(start: Any, end: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    try:
        lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    except (TypeError, ValueError):
        raise ParameterError(f"start={start!r}, end={end!r}: expected timestamps (UTC)") from None
    lo = lo.tz_localize("UTC") if lo.tzinfo is None else lo.tz_convert("UTC")
    hi = hi.tz_localize("UTC") if hi.tzinfo is None else hi.tz_convert("UTC")
    if not lo < hi:
        raise ParameterError(f"start={start!r}, end={end!r}: start must be before end")
    return lo, hi


def complaints_needing_attention(
    data: Any,
    *,
    handles: Iterable[str],
    start: Any,
    end: Any,
    tz: str = "UTC",
    brand_terms: Iterable[str] = (),
    vocabulary: Iterable[str] = (),
    window_hours: float = 72.0,
    follower_threshold: int = 10_000,
    pagerank_top: float = 0.01,
    spike_weeks: int = 4,
    model: Any = None,
) -> dict[str, Any]:
    """Return the week's complaints with actions, spikes and response times, for the weekly report.

    Parameters
    ----------
    data : Dataset or mapping of tables
        ``roi.load(store)``.
    handles : iterable of str
        The brand's handles (the account and its customer-service handle).
    start, end : timestamp
        The week window ``[start, end)`` in UTC (e.g. :func:`roi.timeframe.week_bounds`).
    tz : str
        The brand's time zone (days for the spike baseline are local days).
    brand_terms, vocabulary, window_hours, follower_threshold, pagerank_top
        As in :func:`roi.listening.triage_queue`.
    spike_weeks : int, default 4
        Same weekdays in the spike baseline.
    model : ComplaintModel, optional
        The complaint detector (default: the one shipped with roi).

    Returns
    -------
    dict
        ``queue`` (the week's triage queue, escalate first, then take_private, reply_public,
        monitor, each in time order), ``actions`` (action, complaints), ``alerts`` (every
        local day of the store with baselines; for the plot), ``spikes`` (the week's flagged
        days), ``responses`` (the week's addressed complaints and their first brand reply),
        ``response_summary`` (one row), ``unanswered`` (the week's addressed complaints with no
        brand reply) and ``notes`` (sentences for the reader).
    """
    tz = validate_tz(tz)
    lo, hi = _window(start, end)
    handles = list(handles)
    posts = data["posts"] if isinstance(data, dict) else data.posts
    accounts = data["accounts"] if isinstance(data, dict) else data.accounts
    known = brand_handles(accounts, handles)
    ids = known["account_id"].dropna().astype(str).tolist()
    everything = triage_queue(data, handles=handles, brand_terms=brand_terms, vocabulary=vocabulary, until=hi,
                              window_hours=window_hours, follower_threshold=follower_threshold,
                              pagerank_top=pagerank_top, model=model)
    week = everything[(everything["created_at"] >= lo).to_numpy(dtype=bool)]
    queue = (week.assign(_u=week["action"].map(_URGENCY))
             .sort_values(["_u", "created_at", "post_id"], kind="stable").drop(columns="_u").reset_index(drop=True))
    actions = (queue["action"].value_counts().reindex(list(reversed(ACTIONS)), fill_value=0)
               .rename_axis("action").rename("complaints").reset_index())

    mentions = brand_mentions(posts, brand_ids=ids, handles=handles, brand_terms=brand_terms)
    mentions = mentions[(mentions["created_at"] < hi).to_numpy(dtype=bool)]
    end_day = (hi - pd.Timedelta(microseconds=1)).tz_convert(tz).tz_localize(None).normalize()
    daily = daily_volumes(mentions, everything, tz=tz, end=end_day)
    alerts = spike_alerts(daily, weeks=spike_weeks, min_history=min(2, spike_weeks))
    first_day = lo.tz_convert(tz).tz_localize(None).normalize()
    spikes = alerts[(alerts["date"] >= first_day).to_numpy(dtype=bool) & alerts["flagged"].to_numpy(dtype=bool)]

    responses = response_times(week, posts, brand_ids=ids)
    summary = response_summary(responses, as_of=hi)
    unanswered = responses[~responses["answered"].to_numpy(dtype=bool)].merge(
        week[["post_id", "author", "topic", "text"]], on="post_id", how="left")

    s = {k: summary[k].iloc[0] for k in summary.columns}
    n, ok, w1, w24 = (int(s[k]) for k in ("addressed", "answered", "within_1h", "within_24h"))
    notes = [
        f"{len(queue)} complaint(s) this week ({int(queue['addressed'].sum())} addressed to "
        f"@{', @'.join(h.lstrip('@') for h in handles)}, {int((~queue['addressed']).sum())} only tagging the brand): "
        + ", ".join(f"{r.action} {r.complaints}" for r in actions.itertuples()) + ".",
        (f"Answered: {ok} of {n} addressed complaints; within 1 h {w1} of {n}, within 24 h {w24} of {n}"
         + (f"; median {s['median_minutes']:.0f} min." if ok else ".")
         if n else "No complaint was addressed to the brand's handles this week."),
        (f"Spike days: {', '.join(f'{r.date:%a %d %b} ({r.series} {r.count} vs baseline {r.baseline:g})' for r in spikes.itertuples())}."
         if len(spikes) else "No day this week was far above its weekday baseline."),
        _coverage_note(mentions[(mentions["created_at"] >= lo).to_numpy(dtype=bool)], posts, handles, model),
    ] + [f"@{h} has no profile in the store: its mentions are matched by the handle's text."
         for h in known.loc[~known["has_profile"], "handle"].astype(str)]
    return {"queue": queue, "actions": actions, "alerts": alerts, "spikes": spikes.reset_index(drop=True),
            "responses": responses, "response_summary": summary, "unanswered": unanswered, "notes": notes}


def _coverage_note(mentions: pd.DataFrame, posts: pd.DataFrame, handles: list[str], model: Any = None) -> str:
    """One sentence: how many of the week's mentions the English detector could not read."""
    if not len(mentions):
        return "Complaint detection reads English only; there were no brand mentions this week."
    with_lang = mentions.merge(posts[["post_id", "lang"]].drop_duplicates("post_id"), on="post_id", how="left") \
        if "lang" in posts.columns else mentions
    scored = score_complaints(with_lang, handles=handles, model=model)
    k = int((~scored["scored"].to_numpy(dtype=bool)).sum())
    if not k:
        return f"Complaint detection reads English only; all {len(mentions):,} brand mentions this week were scored."
    return (f"Complaint detection reads English only: {k:,} of {len(mentions):,} brand mentions this week were not scored "
            "(other languages), neither complaints nor not.")


def content_mix_for_week(
    data: Any,
    *,
    account: str,
    start: Any,
    end: Any,
    tz: str = "UTC",
    brand_domains: Iterable[str] = (),
    weeks_before: int = 3,
) -> dict[str, Any]:
    """Return the account's content mix of the week, against a third each, with the weeks before.

    Parameters
    ----------
    data : Dataset or mapping of tables
        Needs ``accounts`` and ``posts``.
    account : str
        The brand account's handle (its posts are classified).
    start, end : timestamp
        The week window ``[start, end)`` in UTC.
    tz : str
        Weeks are ISO weeks in this time zone.
    brand_domains : iterable of str
        The brand's web domains (links to sale pages are promotion).
    weeks_before : int, default 3
        Earlier weeks shown in ``weekly`` for comparison.

    Returns
    -------
    dict
        ``posts`` (the week's posts: content type and deciding rule), ``weekly`` (mix per week:
        counts, shares, target, gap, sparse, for the week and ``weeks_before`` earlier weeks),
        ``week`` (the week's three rows) and ``notes``.
    """
    tz = validate_tz(tz)
    lo, hi = _window(start, end)
    accounts = data["accounts"] if isinstance(data, dict) else data.accounts
    posts = data["posts"] if isinstance(data, dict) else data.posts
    ids = account_ids_for(accounts, [account])
    earlier = lo - pd.Timedelta(days=7 * int(weeks_before))
    window_posts = posts[((posts["created_at"] >= earlier) & (posts["created_at"] < hi)).fillna(False).to_numpy(dtype=bool)]
    mix = content_mix(window_posts, brand_ids=ids, brand_domains=brand_domains, tz=tz)
    weekly = weekly_content_mix(mix)
    in_week = (mix["created_at"] >= lo).to_numpy(dtype=bool)
    week_posts = mix[in_week].reset_index(drop=True)
    week_name = week_posts["week"].iloc[0] if len(week_posts) else None
    week = weekly[weekly["week"] == week_name].reset_index(drop=True) if week_name else weekly.iloc[:0]
    if len(week):
        parts = ", ".join(f"{r.content_type} {r.posts} ({r.share:.0%})" for r in week.itertuples())
        off = week.loc[week["gap"].abs().idxmax()]
        notes = [f"{int(week['week_posts'].iloc[0])} posts by @{account.lstrip('@')} this week: {parts}; target a third each.",
                 f"Furthest from a third: {off.content_type} ({off.share:.0%}, {100 * off.gap:+.0f} points)."
                 + (" Few posts: read the shares with care." if bool(week['sparse'].iloc[0]) else "")]
    else:
        notes = [f"@{account.lstrip('@')} posted nothing this week."]
    return {"posts": week_posts, "weekly": weekly, "week": week, "notes": notes}
