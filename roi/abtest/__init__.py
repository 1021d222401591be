"""A/B comparison of posting times: plan a paired test, analyse it honestly, say what to do.

Plan (:mod:`roi.abtest.plan`): :func:`plan` gives the pairs of posts needed for a minimum lift,
:func:`schedule` a posting schedule with the order of the slots randomised in each pair.
Analyse (:mod:`roi.abtest.compare`): :func:`compare` on a per-post table with arms, or
:func:`compare_store` on a loaded store's experiment or two slots of an account's posts;
:func:`experiments_summary` gives one row per experiment for the weekly report.
Slots are parsed by :func:`parse_slot` (``"Tue 09:00-11:00"``, ``"18:00-20:00"``).
"""

from roi.abtest.compare import (
    METRICS,
    ABResult,
    compare,
    compare_store,
    experiment_posts,
    experiments_summary,
    lift_interval,
    slot_posts,
)
from roi.abtest.plan import PLAN_METHOD, log_ratio_sd, pairs_needed, plan, schedule
from roi.abtest.slots import Slot, parse_slot
from roi.abtest.verdict import verdict_text

__all__ = [
    "compare",
    "compare_store",
    "experiments_summary",
    "experiment_posts",
    "slot_posts",
    "ABResult",
    "lift_interval",
    "METRICS",
    "plan",
    "pairs_needed",
    "log_ratio_sd",
    "schedule",
    "PLAN_METHOD",
    "Slot",
    "parse_slot",
    "verdict_text",
]
