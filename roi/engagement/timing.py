"""The timing analysis behind ``roi timing``.

The model, the ranked slots, what was left out, and whether one post decides the answer.

:func:`timing_analysis` returns a :class:`TimingAnalysis` holding raw numbers with their
numerator and denominator named (docs/metrics.md); the command line and the report format them.
:func:`influence_check` refits the model without the single post with the most events and says
whether that changes the top slot or moves an effect outside its interval: one viral post can
otherwise set the recommended weekday on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from roi.engagement.best_time import best_slots
from roi.engagement.breakdowns import timed
from roi.engagement.model import CountModel, fit_engagement_model, refit
from roi.errors import ParameterError

__all__ = ["TimingAnalysis", "timing_analysis", "influence_check"]


def _slot(table: pd.DataFrame) -> dict[str, Any] | None:
    if table.empty:
        return None
    top = table.iloc[0]
    return {"weekday": int(top["weekday"]), "day": str(top["day"]), "hour": int(top["hour"]),
            "rate": float(top["rate"]), "ci_low": float(top["ci_low"]), "ci_high": float(top["ci_high"]),
            "posts": int(top["posts"])}


def influence_check(model: CountModel, *, min_posts: int = 5, include_sparse: bool = False) -> dict[str, Any]:
    """Refit ``model`` without its post with the most events and compare.

    Parameters
    ----------
    model : CountModel
        A model from :func:`roi.engagement.fit_engagement_model`.
    min_posts, include_sparse
        As :func:`roi.engagement.best_slots`, for the top slot with and without the post.

    Returns
    -------
    dict
        post_id, events (of that post), share_of_events (of all the model's events),
        top_slot_with, top_slot_without (weekday, day, hour, rate, ci_low, ci_high, posts, or
        None), top_slot_changed (the best slot differs and the old one, without the post, falls
        by at least one standard error of its estimate or is no longer ranked: a swap of two
        near-equal slots does not count), old_top_rate_without, old_top_drop_in_se,
        moved_effects (terms whose estimate without the post lies
        outside the interval with it: term, irr, ci_low, ci_high, irr_without, ci_low_without,
        ci_high_without), influential (bool) and warning (a sentence, or None).

    Raises
    ------
    ParameterError
        When the model holds no data to refit (a model built by hand).
    """
    data = model.data
    if data is None or data.empty or not model.exposure_column:
        raise ParameterError("influence_check: the model holds no posts to refit; fit it with fit_engagement_model")
    events = data[model.outcome].to_numpy(dtype="float64")
    top = int(np.argmax(events))
    post_id = str(data["post_id"].iloc[top]) if "post_id" in data.columns else str(top)
    result: dict[str, Any] = {
        "post_id": post_id, "events": float(events[top]),
        "share_of_events": float(events[top] / events.sum()) if events.sum() > 0 else float("nan"),
        "top_slot_with": None, "top_slot_without": None, "top_slot_changed": False, "moved_effects": [],
        "influential": False, "warning": None,
    }
    try:
        without = refit(model, data.drop(index=data.index[top]).reset_index(drop=True))
    except ParameterError as exc:
        result["warning"] = f"the model could not be refitted without post {post_id} ({exc})"
        result["influential"] = True
        return result
    with_slots = best_slots(None, model=model, min_posts=min_posts, include_sparse=include_sparse, level=model.level)
    without_slots = best_slots(None, model=without, min_posts=min_posts, include_sparse=include_sparse,
                               level=model.level)
    a, b = _slot(with_slots), _slot(without_slots)
    result["top_slot_with"], result["top_slot_without"] = a, b
    changed = a is not None and b is not None and (a["weekday"], a["hour"]) != (b["weekday"], b["hour"])
    if changed:
        # Two near-equal slots swap places when almost any post is dropped (in seeded calm stores
        # the old best slot then fell by ~0.6 of its standard error); the answer is the post's
        # when, without it, the old best slot falls by at least one standard error of its
        # estimate (1.2-1.6 for one post with 10x the usual engagement) or is no longer ranked.
        old = without_slots[(without_slots["weekday"] == a["weekday"]) & (without_slots["hour"] == a["hour"])]
        if old.empty:
            changed = True
        else:
            rate_without = float(old["rate"].iloc[0])
            se = (np.log(a["ci_high"]) - np.log(a["ci_low"])) / (2 * stats.norm.ppf(0.5 + model.level / 2))
            drop = float((np.log(a["rate"]) - np.log(rate_without)) / se) if se > 0 else float("inf")
            result["old_top_rate_without"] = rate_without
            result["old_top_drop_in_se"] = drop
            changed = drop >= 1.0
    result["top_slot_changed"] = bool(changed)
    merged = model.effects.merge(without.effects[["term", "irr", "ci_low", "ci_high"]], on="term",
                                 suffixes=("", "_without"))
    moved = merged[(merged["irr_without"] < merged["ci_low"]) | (merged["irr_without"] > merged["ci_high"])]
    result["moved_effects"] = [
        {k: (str(v) if k == "term" else float(v)) for k, v in row.items()}
        for row in moved[["term", "irr", "ci_low", "ci_high", "irr_without", "ci_low_without",
                          "ci_high_without"]].to_dict("records")]
    result["influential"] = bool(result["top_slot_changed"] or result["moved_effects"])
    if result["influential"]:
        parts = []
        if result["top_slot_changed"]:
            parts.append(f"the best slot changes from {a['day']} {a['hour']:02d}:00 to {b['day']} {b['hour']:02d}:00")
        if result["moved_effects"]:
            terms = ", ".join(m["term"] for m in result["moved_effects"])
            parts.append(f"{len(result['moved_effects'])} effect(s) move outside their interval ({terms})")
        result["warning"] = (f"one post decides part of this answer: without post {post_id} "
                             f"({events[top]:,.0f} {model.outcome}, {result['share_of_events']:.0%} of all) "
                             + " and ".join(parts))
    return result


@dataclass
class TimingAnalysis:
    """Everything ``roi timing`` reports; ``to_dict()`` is its ``--json`` output.

    Attributes
    ----------
    model : CountModel
    best_slots : DataFrame
        :func:`roi.engagement.best_slots` (ranked slots only).
    basis : dict
        numerator, denominator, posts used and left out, and why (:func:`exposure_basis`).
    slots : dict
        min_posts, ranked, without_posts, excluded_sparse, not_estimable.
    influence : dict or None
        :func:`influence_check`.
    notes : list of str
        Sentences a reader needs: the denominator, posts left out, fallback, influence.
    """

    model: CountModel
    best_slots: pd.DataFrame
    basis: dict[str, Any]
    slots: dict[str, Any]
    influence: dict[str, Any] | None
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: numerator, denominator, basis, best_slots, slots, effects, model, influence, notes."""
        od = self.model.overdispersion
        return {
            "numerator": self.model.numerator, "denominator": self.model.denominator, "basis": dict(self.basis),
            "best_slots": self.best_slots.to_dict("records"),
            "slots": dict(self.slots),
            "effects": self.model.effects.to_dict("records"),
            "model": {"posts": self.model.posts, "family": od.get("family"), "fallback": bool(od.get("fallback")),
                      "alpha": od.get("alpha"), "poisson_pearson_dispersion": od.get("poisson_pearson_dispersion"),
                      "note": od.get("note"), "dropped": list(self.model.dropped), "level": self.model.level},
            "influence": self.influence, "notes": list(self.notes),
        }


def timing_analysis(
    metrics: pd.DataFrame,
    *,
    tz: str = "UTC",
    content: pd.DataFrame | None = None,
    metric: str = "engagements",
    exposure: str = "auto",
    min_posts: int = 5,
    include_sparse: bool = False,
    min_impression_posts: int = 30,
    level: float = 0.95,
    influence: bool = True,
) -> TimingAnalysis:
    """Fit the timing model, rank the slots and check the answer's robustness.

    Parameters
    ----------
    metrics : DataFrame
        Per-post metrics of one account (:func:`roi.engagement.post_metrics`).
    tz : str
        The account's IANA time zone.
    content : DataFrame, optional
        :func:`roi.engagement.classify_content` output (content-type terms).
    metric, exposure, min_impression_posts
        What is counted and divided by: :func:`roi.engagement.exposure_basis`.
    min_posts, include_sparse
        Slots ranked: :func:`roi.engagement.best_slots`.
    level : float, default 0.95
        Confidence level of the intervals.
    influence : bool, default True
        Run :func:`influence_check` (one more model fit).

    Returns
    -------
    TimingAnalysis

    Raises
    ------
    ParameterError
        No usable posts, too few posts for the model, or no slot to rank (the message says
        which and how many posts there are).
    """
    day_only = int(len(metrics) - len(timed(metrics)))
    if day_only and day_only == len(metrics):
        raise ParameterError(f"all {day_only:,} posts have a date but no time of day (an export that gives days, "
                             "such as X analytics' content export): there is no hour to rank; ingest the posts "
                             "from the API or the archive for their times")
    model = fit_engagement_model(metrics, tz=tz, content=content, metric=metric, exposure=exposure,
                                 min_impression_posts=min_impression_posts, level=level)
    slots = best_slots(metrics, tz=tz, model=model, min_posts=min_posts, include_sparse=include_sparse, level=level)
    info = {"min_posts": int(min_posts), "ranked": len(slots), **{k: int(v) for k, v in slots.attrs.items()
                                                                 if k != "min_posts"}}
    if slots.empty:
        raise ParameterError(
            f"no posting slot has {min_posts} or more posts (of {model.posts} posts with a known "
            f"{model.numerator} and {model.denominator}); nothing to rank - lower --min-posts or add history")
    basis = model.basis
    per = {"impressions": "impression", "followers_proxy": "follower (proxy)", "web_clicks": "web click"}
    notes = [f"Rates are {model.numerator} per {per.get(model.denominator, model.denominator)}: "
             f"{basis.get('reason', '')}."]
    if basis.get("posts_left_out"):
        notes.append(f"{basis['posts_left_out']} post(s) left out for an unknown count or denominator.")
    if day_only:
        notes.append(f"{day_only:,} post(s) have a date but no time of day (an export that gives days): they "
                     "are left out of the hours ranked here and count in daily and weekly figures.")
    if info.get("excluded_sparse"):
        notes.append(f"{info['excluded_sparse']} slot(s) with posts but fewer than {min_posts} are not ranked.")
    if model.overdispersion.get("note"):
        notes.append(model.overdispersion["note"][0].upper() + model.overdispersion["note"][1:] + ".")
    check = influence_check(model, min_posts=min_posts, include_sparse=include_sparse) if influence else None
    if check and check.get("warning"):
        notes.append(check["warning"][0].upper() + check["warning"][1:] + ".")
    return TimingAnalysis(model=model, best_slots=slots, basis=dict(basis), slots=info, influence=check,
                          notes=notes)
