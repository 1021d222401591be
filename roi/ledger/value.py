"""Value: what the brand's activities returned, week by week, from the values the user sets.

Three sources, each attributed to an activity of the effort log and a week:

* **Conversions the brand's posts brought** (web analytics, utm_content = post id), to the
  activity of the post's content type (:func:`roi.listening.content_mix`: original content ->
  ``content``, engagement -> ``engagement``, promotion -> ``promotion``) and the ISO week of the
  conversion's date. Their value is conversions x ``value_per_conversion`` when it is set, else
  the revenue the export reports, else absent.
* **Engagements**, when the user sets a value per engagement type (likes, reposts, replies,
  quotes, link clicks): the brand's own posts' metrics (reposts excluded: they carry the
  original's metrics) x those values, in the week the post was made (``tz``).
* **Service**: complaints addressed to the brand that it answered (:func:`roi.listening.find_complaints`
  and :func:`roi.listening.response_times`), in the week of the answer, x ``value_per_case`` when
  it is set. Counted either way; valued only when the user says what a case is worth.

A value nobody set is absent (<NA>), never zero and never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from roi.errors import ParameterError
from roi.ledger._weeks import iso_week_labels
from roi.listening import content_mix, find_complaints, response_times
from roi.tables import conform
from roi.timeframe import validate_tz

__all__ = ["ACTIVITY_OF_CONTENT", "ENGAGEMENT_TYPES", "VALUE_COLUMNS", "post_activities", "post_counts", "conversion_value",
           "engagement_value", "service_value", "activity_values"]

#: The effort log's activity for each content type of :func:`roi.listening.content_mix`.
ACTIVITY_OF_CONTENT = {"original": "content", "engagement": "engagement", "promotion": "promotion"}
#: Engagement types a value can be set for (columns of the canonical posts table).
ENGAGEMENT_TYPES = ("likes", "reposts", "replies", "quotes", "link_clicks")
#: Columns of :func:`activity_values`.
VALUE_COLUMNS = ("week", "activity", "posts", "sessions", "conversions", "conversion_value", "engagements",
                 "engagement_value", "answered_cases", "service_value", "value")


def _check_value(name: str, value) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name}={value!r}: expected a number >= 0 (or None: not valued)") from None
    if not np.isfinite(number) or number < 0:
        raise ParameterError(f"{name}={value!r}: expected a number >= 0 (or None: not valued)")
    return number


def post_activities(posts: pd.DataFrame, *, brand_ids: Iterable[str], brand_domains: Iterable[str] = (),
                    tz: str = "UTC") -> pd.DataFrame:
    """Return the brand's posts with their content type and the effort-log activity it belongs to.

    Returns
    -------
    DataFrame
        ``post_id``, ``created_at``, ``week`` (local ISO week of the post), ``kind``,
        ``content_type`` and ``activity``.

    Examples
    --------
    >>> posts = conform("posts", {"platform": ["x"] * 2, "post_id": ["1", "2"], "author_id": ["b"] * 2,
    ...     "kind": ["original"] * 2, "created_at": ["2026-10-05T10:00Z", "2026-10-06T10:00Z"],
    ...     "text": ["How we test knives", "20% off this weekend"]})
    >>> post_activities(posts, brand_ids=["b"])[["post_id", "week", "activity"]].values.tolist()
    [['1', '2026-W41', 'content'], ['2', '2026-W41', 'promotion']]
    """
    mix = content_mix(posts, brand_ids=brand_ids, brand_domains=brand_domains, tz=tz)
    out = mix[["post_id", "created_at", "week", "kind", "content_type"]].copy()
    out["activity"] = out["content_type"].map(ACTIVITY_OF_CONTENT).astype("string")
    return out


def post_counts(activities: pd.DataFrame) -> pd.DataFrame:
    """Count the brand's posts per week and activity (what the team did, before what it returned).

    Examples
    --------
    >>> acts = pd.DataFrame({"post_id": ["1", "2", "3"], "week": ["2026-W41"] * 3,
    ...                      "activity": ["content", "content", "promotion"]})
    >>> post_counts(acts).values.tolist()
    [['2026-W41', 'content', 2], ['2026-W41', 'promotion', 1]]
    """
    out = activities.groupby(["week", "activity"], sort=True).size().rename("posts").reset_index()
    return out.astype({"week": "string", "activity": "string", "posts": "Int64"})


def conversion_value(conversions: pd.DataFrame, activities: pd.DataFrame, *,
                     value_per_conversion: float | None = None) -> pd.DataFrame:
    """Sessions, conversions and their value per week and activity, from the brand's posts' traffic.

    Parameters
    ----------
    conversions : DataFrame
        The canonical ``conversions`` table.
    activities : DataFrame
        :func:`post_activities` of the brand's posts.
    value_per_conversion : float, optional
        When set, value = conversions x it; else the revenue of the rows (absent when none given).

    Returns
    -------
    DataFrame
        ``week`` (of the conversion's date), ``activity``, ``sessions``, ``conversions``,
        ``conversion_value``.

    Examples
    --------
    >>> acts = pd.DataFrame({"post_id": ["1", "2"], "activity": ["content", "promotion"]})
    >>> c = conform("conversions", {"post_id": ["1", "2", None], "date": ["2026-10-05"] * 3,
    ...     "channel": ["social", "social", "email"], "clicks": [40, 10, 99], "conversions": [2, 1, 9],
    ...     "revenue": [100.0, None, 450.0]})
    >>> conversion_value(c, acts).values.tolist()
    [['2026-W41', 'content', 40, 2, 100.0], ['2026-W41', 'promotion', 10, 1, <NA>]]
    >>> conversion_value(c, acts, value_per_conversion=30)["conversion_value"].tolist()
    [60.0, 30.0]
    """
    per = _check_value("value_per_conversion", value_per_conversion)
    conv = conform("conversions", conversions)
    activity_of = activities.drop_duplicates("post_id").set_index(activities.drop_duplicates("post_id")["post_id"]
                                                                  .astype("string"))["activity"]
    mine = conv[conv["post_id"].isin(activity_of.index).fillna(False).to_numpy(dtype=bool)]
    frame = pd.DataFrame({
        "week": iso_week_labels(mine["date"]), "activity": mine["post_id"].map(activity_of).astype("string"),
        "sessions": mine["clicks"].astype("Int64").fillna(0), "conversions": mine["conversions"].astype("Int64").fillna(0),
        "revenue": mine["revenue"].astype("Float64"),
    })
    grouped = frame.groupby(["week", "activity"], sort=True)
    out = grouped[["sessions", "conversions"]].sum()
    if per is None:
        out["conversion_value"] = grouped["revenue"].sum(min_count=1).astype("Float64")
    else:
        out["conversion_value"] = (out["conversions"].astype("Float64") * per)
    return out.reset_index().astype({"week": "string", "activity": "string"})


def engagement_value(activities: pd.DataFrame, posts: pd.DataFrame, *,
                     values: Mapping[str, float]) -> pd.DataFrame:
    """Engagements on the brand's own posts, valued at the user's value per engagement type.

    Parameters
    ----------
    activities : DataFrame
        :func:`post_activities` of the brand's posts (their ``week`` is used).
    posts : DataFrame
        The canonical ``posts`` table (the metrics).
    values : mapping of engagement type -> value
        Keys among :data:`ENGAGEMENT_TYPES`; a type not given is not valued (nor counted).

    Returns
    -------
    DataFrame
        ``week``, ``activity``, ``engagements`` (of the valued types), ``engagement_value``.

    Examples
    --------
    >>> posts = conform("posts", {"platform": ["x"] * 2, "post_id": ["1", "2"], "author_id": ["b"] * 2,
    ...     "kind": ["original", "repost"], "likes": [10, 500], "replies": [2, 50]})
    >>> acts = pd.DataFrame({"post_id": ["1", "2"], "week": ["2026-W41"] * 2, "kind": ["original", "repost"],
    ...     "activity": ["content", "engagement"]})
    >>> engagement_value(acts, posts, values={"likes": 0.1, "replies": 1.0}).values.tolist()
    [['2026-W41', 'content', 12, 3.0]]
    """
    unknown = sorted(set(values) - set(ENGAGEMENT_TYPES))
    if unknown:
        raise ParameterError(f"engagement values: unknown type(s) {', '.join(unknown)}; expected "
                             f"{', '.join(ENGAGEMENT_TYPES)}")
    per = {k: _check_value(f"value of {k}", v) for k, v in values.items()}
    own = activities[(activities["kind"] != "repost").fillna(True).to_numpy(dtype=bool)]
    metrics = posts.drop_duplicates("post_id")[["post_id", *per]].astype({"post_id": "string"})
    frame = own[["post_id", "week", "activity"]].astype({"post_id": "string"}).merge(metrics, on="post_id", how="left")
    counts = frame[list(per)].astype("Float64").fillna(0) if per else pd.DataFrame(index=frame.index)
    frame = frame.assign(engagements=counts.sum(axis=1).astype("Int64") if per else pd.array([0] * len(frame), dtype="Int64"),
                         engagement_value=sum((counts[k] * v for k, v in per.items()),
                                              pd.Series(0.0, index=frame.index, dtype="Float64")))
    out = frame.groupby(["week", "activity"], sort=True)[["engagements", "engagement_value"]].sum().reset_index()
    return out.astype({"week": "string", "activity": "string", "engagement_value": "Float64"})


def service_value(posts: pd.DataFrame, *, brand_ids: Iterable[str], handles: Iterable[str],
                  brand_terms: Iterable[str] = (), value_per_case: float | None = None,
                  tz: str = "UTC") -> pd.DataFrame:
    """Complaints addressed to the brand that it answered, per week of the answer, and their value.

    Parameters
    ----------
    posts : DataFrame
        The canonical ``posts`` table.
    brand_ids, handles, brand_terms
        As in :func:`roi.listening.find_complaints` (``brand_ids`` are the accounts whose replies
        count as answers: the brand's and its customer-service handles).
    value_per_case : float, optional
        What an answered case is worth; unset -> the cases are counted, not valued.
    tz : str
        Weeks are local ISO weeks in this time zone.

    Returns
    -------
    DataFrame
        ``week``, ``activity`` (``customer service``), ``answered_cases``, ``service_value``.
    """
    per = _check_value("value_per_case", value_per_case)
    tz = validate_tz(tz)
    ids = [str(i) for i in brand_ids]
    complaints = find_complaints(posts, brand_ids=ids, handles=handles, brand_terms=brand_terms)
    answered = response_times(complaints, posts, brand_ids=ids)
    answered = answered[answered["answered"].to_numpy(dtype=bool)]
    weeks = iso_week_labels(answered["replied_at"].dt.tz_convert(tz))
    out = weeks.value_counts(sort=False).rename("answered_cases").rename_axis("week").reset_index()
    out = out.sort_values("week", kind="stable").reset_index(drop=True)
    out.insert(1, "activity", pd.array(["customer service"] * len(out), dtype="string"))
    out["answered_cases"] = out["answered_cases"].astype("Int64")
    out["service_value"] = (out["answered_cases"].astype("Float64") * per if per is not None
                            else pd.array([pd.NA] * len(out), dtype="Float64"))
    return out.astype({"week": "string"})


def activity_values(conversion: pd.DataFrame, engagement: pd.DataFrame | None = None,
                    service: pd.DataFrame | None = None, posts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Put the three sources of value side by side per week and activity; ``value`` is their sum.

    ``posts`` (:func:`post_counts`), when given, adds how many posts each activity made.

    ``value`` sums the parts that are valued and is <NA> when none is (a part nobody set a value
    for is left out of the sum, not counted as zero).

    Examples
    --------
    >>> conv = pd.DataFrame({"week": ["2026-W41"], "activity": ["content"], "sessions": [40],
    ...     "conversions": [2], "conversion_value": [100.0]})
    >>> serv = pd.DataFrame({"week": ["2026-W41"], "activity": ["customer service"], "answered_cases": [3],
    ...     "service_value": [pd.NA]})
    >>> activity_values(conv, None, serv)[["activity", "conversions", "answered_cases", "value"]].values.tolist()
    [['content', 2, <NA>, 100.0], ['customer service', <NA>, 3, <NA>]]
    """
    key = ["week", "activity"]
    parts = [p for p in (posts, conversion, engagement, service) if p is not None]
    out = pd.DataFrame({"week": pd.Series([], dtype="string"), "activity": pd.Series([], dtype="string")})
    for part in parts:
        out = out.merge(part.astype({"week": "string", "activity": "string"}), on=key, how="outer")
    for col in VALUE_COLUMNS[2:-1]:
        if col not in out.columns:
            out[col] = pd.NA
    counts = ["posts", "sessions", "conversions", "engagements", "answered_cases"]
    out[counts] = out[counts].astype("Int64")
    valued = ["conversion_value", "engagement_value", "service_value"]
    out[valued] = out[valued].astype("Float64")
    out["value"] = out[valued].sum(axis=1, min_count=1).astype("Float64")
    out = out.sort_values(key, kind="stable").reset_index(drop=True)
    return out[list(VALUE_COLUMNS)]
