"""The ledger in plain words: sentences a manager acts on, each with the numbers it rests on.

:func:`ledger_findings` turns a :class:`roi.ledger.Ledger` into rows of ``topic``, ``finding``
(one sentence) and ``numbers`` (the raw figures behind it, numerator and denominator named). A
sentence that the data cannot support is not emitted: no comparison without sessions on both
sides, no "per hour" without hours, no value where nobody set one.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from roi.figures import percent, signed_percent
from roi.ledger.channels import BRAND_POSTS, NOT_GIVEN, OTHER_SOCIAL

__all__ = ["ledger_findings", "FINDING_COLUMNS"]

#: Columns of :func:`ledger_findings`.
FINDING_COLUMNS = ("topic", "finding", "numbers")


def _whole(x: float) -> str:
    v = round(abs(100 * x))
    return f"{v:,}%" if v else "less than 1%"


def _signed(x: float) -> str:
    return signed_percent(x) if math.isfinite(x) else "unbounded"


def _name(channel: str) -> str:
    return {OTHER_SOCIAL: "other social traffic", NOT_GIVEN: "traffic of no stated channel"}.get(channel, channel)


def _money(x: float) -> str:
    return f"{x:,.2f}"


def _hours(x: float) -> str:
    return f"{x:g} hour" + ("" if x == 1 else "s")


def _known(x: Any) -> bool:
    return x is not None and x is not pd.NA and not (isinstance(x, float) and math.isnan(x))


def _channel_findings(ledger, level: int) -> list[tuple[str, str, dict]]:
    out = []
    ch = ledger.channels
    brand = ch[ch["channel"] == BRAND_POSTS]
    if brand.empty or int(brand["sessions"].iloc[0]) == 0:
        if len(ch):
            out.append(("channels", "No session in the web analytics carries the id of one of the brand's posts "
                        "(utm_content), so social cannot be compared with the other channels.",
                        {"channels": int(len(ch))}))
        return out
    b = brand.iloc[0]
    out.append(("channels", f"The brand's posts brought {int(b['sessions']):,} sessions, of which "
                f"{percent(float(b['rate']))} converted ({int(b['conversions']):,} conversions; {level}% interval "
                f"{percent(float(b['ci_low']))} to {percent(float(b['ci_high']))}).",
                {"conversions": int(b["conversions"]), "sessions": int(b["sessions"]), "rate": float(b["rate"]),
                 "ci_low": float(b["ci_low"]), "ci_high": float(b["ci_high"])}))
    cmp = ledger.comparison
    if cmp.empty:
        return out
    email_first = cmp.assign(_e=(cmp["channel"] != "email").to_numpy()).sort_values(["_e", "p_value"], kind="stable")
    for r in email_first.itertuples(index=False):
        numbers = {"channel": r.channel, "brand_conversions": int(r.brand_conversions),
                   "brand_sessions": int(r.brand_sessions), "conversions": int(r.conversions),
                   "sessions": int(r.sessions)}
        if r.verdict == "not comparable":
            out.append(("channels", f"{_name(r.channel).capitalize()} cannot be compared with the brand's posts: "
                        f"{int(r.conversions)} conversions in {int(r.sessions):,} sessions.", numbers))
            continue
        numbers.update(ratio=float(r.ratio), ci_low=float(r.ci_low), ci_high=float(r.ci_high),
                       p_holm=float(r.p_holm))
        span = f"{level}% interval {float(r.ci_low):.2f} to {float(r.ci_high):.2f}"
        theirs = f"{percent(float(r.rate))} of {int(r.sessions):,} sessions"
        if r.verdict == "no clear difference":
            text = (f"The brand's posts and {_name(r.channel)} convert at rates roi cannot tell apart "
                    f"({percent(float(r.brand_rate))} against {theirs}; ratio {float(r.ratio):.2f}, {span}).")
        else:
            text = (f"Social from the brand's posts converts {r.verdict} than {_name(r.channel)}: "
                    f"{percent(float(r.brand_rate))} against {theirs}, {float(r.ratio):.2f} times its rate ({span}).")
        out.append(("channels", text, numbers))
    return out


def _week_findings(ledger, level: int) -> list[tuple[str, str, dict]]:
    weeks = ledger.weeks
    if weeks.empty:
        return []
    last = weeks["week"].max()
    rows = weeks[weeks["week"] == last]
    out = []
    hours = rows["hours"].astype("Float64")
    if hours.notna().any():
        total_h = float(hours.sum())
        cost = rows["cost"].astype("Float64")
        valued = rows["value"].astype("Float64")
        text = f"In {last} the team logged {_hours(total_h)}"
        if cost.notna().any():
            text += f" costing {_money(float(cost.sum()))}"
        if valued.notna().any():
            text += f"; the activities that are valued returned {_money(float(valued.sum()))}"
        out.append(("effort", text + ".", {"week": last, "hours": total_h,
                                           "cost": float(cost.sum()) if cost.notna().any() else None,
                                           "value": float(valued.sum()) if valued.notna().any() else None}))
    for r in rows.itertuples(index=False):
        numbers: dict[str, Any] = {"week": last, "activity": r.activity}
        parts = []
        if _known(r.posts) and int(r.posts):
            parts.append(f"{int(r.posts)} post" + ("" if int(r.posts) == 1 else "s"))
            numbers["posts"] = int(r.posts)
        if _known(r.hours):
            numbers["hours"] = float(r.hours)
            parts.append(_hours(float(r.hours)) + (f" ({_money(float(r.cost))})" if _known(r.cost) else ""))
        answered = _known(r.count) and r.count_name == "answered_cases"
        done = bool(parts) or (answered and int(r.count) > 0) or (_known(r.value) and float(r.value) > 0)
        if _known(r.value) and done:  # an activity nobody did that week "returned 0.00" says nothing
            numbers["value"] = float(r.value)
            if answered:  # the value says what was returned; the count says for what
                parts.append(f"answered {int(r.count)} complaint" + ("" if int(r.count) == 1 else "s"))
            parts.append(f"returned {_money(float(r.value))}")
            if _known(r.value_per_hour):
                numbers["value_per_hour"] = float(r.value_per_hour)
                parts.append(f"{_money(float(r.value_per_hour))} an hour")
        elif answered and not _known(r.value):
            parts.append(f"answered {int(r.count)} complaint" + ("" if int(r.count) == 1 else "s") + " (not valued)")
        if not parts:
            continue
        text = f"{r.activity.capitalize()} in {last}: " + ", ".join(parts)
        if _known(r.count_change) and _known(r.change_ci_low):
            what = {"conversions": "conversions", "answered_cases": "answered complaints"}[r.count_name]
            per = "per hour" if _known(r.hours) else "a week"
            lo, hi, ch = float(r.change_ci_low), float(r.change_ci_high), float(r.count_change)
            numbers.update(count=int(r.count), count_change=ch, change_ci_low=lo, change_ci_high=hi,
                           baseline_weeks=int(r.baseline_weeks))
            direction = "rose" if ch > 0 else "fell"
            sure = ("a clear change" if lo > 0 or hi < 0 else "no clear change")
            text += (f"; {what} {per} {direction} {_whole(ch)} against the previous {int(r.baseline_weeks)} "
                     f"week{'s' if int(r.baseline_weeks) != 1 else ''} ({level}% interval {_signed(lo)} to "
                     f"{_signed(hi)}: {sure})")
        out.append(("effort", text + ".", numbers))
    return out


def _parameter_finding(ledger) -> tuple[str, str, dict]:
    p = ledger.parameters
    conv = (f"a conversion = {_money(p['value_per_conversion'])}" if p.get("value_per_conversion") is not None
            else "a conversion = the revenue the web analytics reports" if p.get("conversion_value_from")
            else "conversions not valued")
    case = (f"an answered complaint = {_money(p['value_per_case'])}" if p.get("value_per_case") is not None
            else "answered complaints not valued")
    eng = ("; ".join(f"a {k.rstrip('s').replace('_', ' ')} = {_money(v)}" for k, v in p["engagement_values"].items())
           if p.get("engagement_values") else "engagements not valued")
    return ("parameters", f"Values used: {conv}; {case}; {eng}.", dict(p))


def ledger_findings(ledger) -> pd.DataFrame:
    """Write the ledger's findings as sentences, each with the numbers it rests on.

    Parameters
    ----------
    ledger : Ledger
        :func:`roi.ledger.return_on_influence`.

    Returns
    -------
    DataFrame
        ``topic`` (channels, effort, data, parameters), ``finding`` (one sentence), ``numbers``
        (dict of the figures behind it); channels first (email first among the comparisons), then
        the last week's effort and returns, then what is missing, then the values used.

    Examples
    --------
    >>> from roi.ledger import Ledger, channel_conversions, compare_channels
    >>> from roi.tables import conform
    >>> c = conform("conversions", {"post_id": ["9", None], "channel": ["social", "Email"],
    ...     "date": ["2026-10-01"] * 2, "clicks": [1000, 1000], "conversions": [20, 60]})
    >>> ch = channel_conversions(c, brand_post_ids=["9"])
    >>> led = Ledger(weeks=pd.DataFrame(columns=["week"]), channels=ch, channels_by_week=ch,
    ...     comparison=compare_channels(ch), parameters={"level": 0.95}, notes=())
    >>> for s in ledger_findings(led)["finding"]:
    ...     print(s)
    The brand's posts brought 1,000 sessions, of which 2.0% converted (20 conversions; 95% interval 1.3% to 3.1%).
    Social from the brand's posts converts worse than email: 2.0% against 6.0% of 1,000 sessions, 0.33 times its rate (95% interval 0.20 to 0.55).
    Values used: conversions not valued; answered complaints not valued; engagements not valued.
    """
    level = round(100 * float(ledger.parameters.get("level", 0.95)))
    rows = _channel_findings(ledger, level) + _week_findings(ledger, level)
    rows += [("data", note, {}) for note in ledger.notes]
    rows.append(_parameter_finding(ledger))
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS)).astype({"topic": "string", "finding": "string"})
