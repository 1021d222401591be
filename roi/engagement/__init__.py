"""Engagement and conversion by time of day, hashtag and mention use; the best time to post.

Every rate comes with its numerator, denominator, number of posts and a 95% interval; small
cells are flagged (``sparse``) in the breakdowns, and never ranked as a best slot. Definitions
are in docs/metrics.md.

The usual path::

    m = post_metrics(ds.posts[ds.posts.author_id == brand], accounts=ds.accounts,
                     conversions=ds.conversions)
    engagement_by_slot(m, tz=tz)                # heatmap table
    model = fit_engagement_model(m, tz=tz, content=classify_content(...))
    model.effects, model.overdispersion         # IRRs with intervals
    best_slots(m, tz=tz, model=model)           # ranked (weekday, hour) slots with posts
    timing_analysis(m, tz=tz, content=...)      # all of it, with the influence check (roi timing)
    conversion_funnel(m, by="hour", tz=tz)
"""

from roi.engagement.best_time import audience_active_hours, best_hours, best_slots
from roi.engagement.breakdowns import (
    RATES,
    engagement_by_content_type,
    engagement_by_hashtag,
    engagement_by_hashtag_count,
    engagement_by_hour,
    engagement_by_mention,
    engagement_by_question,
    engagement_by_slot,
    engagement_by_weekday,
    rate_table,
    timed,
    with_slot,
)
from roi.engagement.content import CONTENT_TYPES, classify_content
from roi.engagement.count_regression import CountFit, fit_negative_binomial
from roi.engagement.exposure import COUNT_METRICS, exposure_basis
from roi.engagement.funnel import FUNNEL_STAGES, conversion_funnel, conversions_by_channel
from roi.engagement.intervals import beta_interval, bootstrap_ratio, delta_ratio_interval, wilson_interval
from roi.engagement.kpis import engagement_kpis
from roi.engagement.metrics import ENGAGEMENT_PARTS, POST_METRIC_COLUMNS, account_metrics, post_metrics
from roi.engagement.model import (
    DAYPARTS,
    CountModel,
    compare_with_planted,
    fit_conversion_model,
    fit_engagement_model,
    hour_buckets,
    refit,
)
from roi.engagement.timing import TimingAnalysis, influence_check, timing_analysis

__all__ = [
    # per post
    "post_metrics",
    "account_metrics",
    "ENGAGEMENT_PARTS",
    "POST_METRIC_COLUMNS",
    "classify_content",
    "CONTENT_TYPES",
    # rates with intervals
    "RATES",
    "rate_table",
    "with_slot",
    "timed",
    "engagement_by_slot",
    "engagement_by_hour",
    "engagement_by_weekday",
    "engagement_by_hashtag_count",
    "engagement_by_hashtag",
    "engagement_by_mention",
    "engagement_by_question",
    "engagement_by_content_type",
    "engagement_kpis",
    # intervals
    "wilson_interval",
    "beta_interval",
    "bootstrap_ratio",
    "delta_ratio_interval",
    # model and best time
    "CountModel",
    "fit_engagement_model",
    "fit_conversion_model",
    "refit",
    "hour_buckets",
    "DAYPARTS",
    "compare_with_planted",
    "best_slots",
    "best_hours",
    "audience_active_hours",
    "timing_analysis",
    "TimingAnalysis",
    "influence_check",
    # numerators, denominators and the one count-model fitting rule
    "COUNT_METRICS",
    "exposure_basis",
    "fit_negative_binomial",
    "CountFit",
    # conversion
    "FUNNEL_STAGES",
    "conversion_funnel",
    "conversions_by_channel",
]
