"""return_on_influence: the whole ledger of one account from a Dataset, with every parameter stated."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from roi.accounts import account_id_for, account_ids_for, normalise_handle
from roi.errors import ParameterError
from roi.ledger.channels import channel_conversions, compare_channels
from roi.ledger.ledger import weekly_ledger
from roi.ledger.value import (
    activity_values,
    conversion_value,
    engagement_value,
    post_activities,
    post_counts,
    service_value,
)
from roi.tables import conform
from roi.timeframe import parse_iso_week, validate_tz

__all__ = ["Ledger", "return_on_influence"]


@dataclass(frozen=True)
class Ledger:
    """Everything the ledger found for one account.

    Attributes
    ----------
    weeks : DataFrame
        :func:`roi.ledger.weekly_ledger` over the weeks shown.
    channels : DataFrame
        :func:`roi.ledger.channel_conversions` over those weeks.
    channels_by_week : DataFrame
        The same, per ISO week.
    comparison : DataFrame
        :func:`roi.ledger.compare_channels`: the brand's posts against each other channel.
    parameters : dict
        Every parameter the figures rest on (values set, or None when not valued).
    notes : tuple of str
        What is missing and what that means (no effort log, nothing valued...).
    """

    weeks: pd.DataFrame
    channels: pd.DataFrame
    channels_by_week: pd.DataFrame
    comparison: pd.DataFrame
    parameters: dict[str, Any]
    notes: tuple[str, ...] = field(default_factory=tuple)


def return_on_influence(
    ds,
    *,
    account: str,
    weeks: int | None = None,
    value_per_conversion: float | None = None,
    value_per_case: float | None = None,
    engagement_values: Mapping[str, float] | None = None,
    service_handles: Iterable[str] = (),
    brand_terms: Iterable[str] = (),
    brand_domains: Iterable[str] = (),
    tz: str = "UTC",
    baseline_weeks: int = 4,
    level: float = 0.95,
) -> Ledger:
    """Build the return-on-influence ledger of ``account``: channels, value, effort and their change.

    Parameters
    ----------
    ds : Dataset
        :func:`roi.load` of a store (pandas engine).
    account : str
        The brand's handle; its posts are the ``social: brand posts`` channel.
    weeks : int, optional
        Only the last ``weeks`` calendar weeks up to the newest week with data (the change still
        compares with the weeks before).
    value_per_conversion : float, optional
        Value of a conversion; unset -> the revenue the web analytics reports.
    value_per_case : float, optional
        Value of an answered complaint; unset -> answered cases are counted, not valued.
    engagement_values : mapping, optional
        Value per engagement type (likes, reposts, replies, quotes, link_clicks); unset -> none.
    service_handles : iterable of str
        Further handles of the brand (customer service) whose mentions are complaints addressed to
        the brand and whose replies answer them.
    brand_terms, brand_domains : iterable of str
        As in :func:`roi.listening.find_complaints` and :func:`roi.listening.content_mix`.
    tz : str, default "UTC"
        The brand's time zone: posts and answers are counted in its local ISO weeks.
    baseline_weeks : int, default 4
        Previous weeks a week is compared with.
    level : float, default 0.95
        Confidence level of every interval.

    Returns
    -------
    Ledger

    Raises
    ------
    ParameterError
        An unknown account, a negative value, a bad option (the message names it).
    """
    tz = validate_tz(tz)
    if weeks is not None and (isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 1):
        raise ParameterError(f"weeks={weeks!r}: expected a positive whole number of weeks")
    brand_id = account_id_for(ds.accounts, account)
    extra = [h for h in service_handles if normalise_handle(h) != normalise_handle(account)]
    service_ids = [brand_id, *account_ids_for(ds.accounts, extra)] if extra else [brand_id]
    handles = [account, *extra]
    posts = ds.posts
    acts = post_activities(posts, brand_ids=[brand_id], brand_domains=brand_domains, tz=tz)
    if acts.empty:
        raise ParameterError(f"account={account!r}: no posts by this account in the store")
    conversions = conform("conversions", ds.conversions)
    effort = conform("effort", getattr(ds, "effort", None) if getattr(ds, "effort", None) is not None else {})
    conv_value = conversion_value(conversions, acts, value_per_conversion=value_per_conversion)
    eng_value = engagement_value(acts, posts, values=engagement_values) if engagement_values else None
    serv = service_value(posts, brand_ids=service_ids, handles=handles, brand_terms=brand_terms,
                         value_per_case=value_per_case, tz=tz)
    values = activity_values(conv_value, eng_value, serv, post_counts(acts))
    valued = value_per_conversion is not None or bool(conversions["revenue"].notna().any())
    priced = (["content", "engagement", "promotion"] if valued or engagement_values else []) + (
        ["customer service"] if value_per_case is not None else [])
    counted = ["answered_cases", *(["conversions"] if len(conversions) else [])]
    table = weekly_ledger(effort, values, valued=priced, counted=counted, baseline_weeks=baseline_weeks, level=level)
    # What was looked for and not found is zero (the change already counts it so); what was not
    # looked for (no web analytics at all) stays absent.
    posting = table["activity"].isin(["content", "engagement", "promotion"]).to_numpy(dtype=bool)
    table.loc[posting, "posts"] = table.loc[posting, "posts"].fillna(0)  # every post of the store was looked at
    if len(conversions):
        table.loc[posting, ["sessions", "conversions"]] = table.loc[posting, ["sessions", "conversions"]].fillna(0)
    service = (table["activity"] == "customer service").to_numpy(dtype=bool)
    table.loc[service, "answered_cases"] = table.loc[service, "answered_cases"].fillna(0)
    channel_weeks = channel_conversions(conversions, brand_post_ids=acts["post_id"], by_week=True, level=level)
    shown = sorted(set(table["week"]) | set(channel_weeks["week"].dropna()))
    if weeks is not None and shown:
        # The last `weeks` calendar weeks up to the newest with data (weeks without data stay out).
        first = pd.Timestamp.fromisocalendar(*parse_iso_week(shown[-1]), 1) - pd.Timedelta(weeks=weeks - 1)
        shown = [w for w in shown if pd.Timestamp.fromisocalendar(*parse_iso_week(w), 1) >= first]
    table = table[table["week"].isin(shown).to_numpy(dtype=bool)].reset_index(drop=True)
    channel_weeks = channel_weeks[channel_weeks["week"].isin(shown).fillna(False).to_numpy(dtype=bool)]
    channels = channel_conversions(conversions, brand_post_ids=acts["post_id"], weeks=shown, level=level)
    comparison = compare_channels(channels, level=level)

    parameters = {
        "account": normalise_handle(account), "service_handles": [normalise_handle(h) for h in extra],
        "weeks": shown, "tz": tz, "level": level, "baseline_weeks": baseline_weeks,
        "value_per_conversion": value_per_conversion,
        "conversion_value_from": ("value_per_conversion" if value_per_conversion is not None
                                  else "revenue in the web analytics" if valued else None),
        "value_per_case": value_per_case,
        "engagement_values": dict(engagement_values or {}),
        "effort_log": bool(len(effort)),
    }
    notes = []
    if not len(effort):
        notes.append("No effort log in the store (ingest an effort.csv: week, activity, hours[, cost]): "
                     "the ledger shows what the activities returned, without hours or cost.")
    if not valued and len(conversions):
        notes.append("Conversions are not valued: the web analytics reports no revenue and no value per "
                     "conversion was set.")
    if value_per_case is None:
        notes.append("Answered complaints are counted but not valued: no value per case was set.")
    if not len(conversions):
        notes.append("No web analytics in the store: no conversions and no channels to compare.")
    elif not (channels["channel"] != "social: brand posts").any():
        notes.append("The web analytics holds only the brand's posts' traffic: no other channel to compare with.")
    notes.append("Ads are not valued: roi has no source for what the ads returned.")
    return Ledger(weeks=table, channels=channels, channels_by_week=channel_weeks.reset_index(drop=True),
                  comparison=comparison, parameters=parameters, notes=tuple(notes))
