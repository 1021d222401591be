"""Engagement and conversion by time of day, hashtag and mention use; the best time to post.

Every rate comes with its numerator, denominator, number of posts and a 95% interval; small
cells are flagged (``sparse``), never dropped. Definitions are in METRICS.md.
"""

from roi.engagement.metrics import ENGAGEMENT_PARTS, POST_METRIC_COLUMNS, post_metrics

__all__ = [
    "post_metrics",
    "ENGAGEMENT_PARTS",
    "POST_METRIC_COLUMNS",
]
