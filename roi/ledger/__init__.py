"""The return-on-influence ledger: what the social effort returned, against other channels and its cost."""

from roi.ledger.channels import (
    BRAND_POSTS,
    CHANNEL_COLUMNS,
    COMPARISON_COLUMNS,
    NOT_GIVEN,
    OTHER_SOCIAL,
    channel_conversions,
    channel_labels,
    compare_channels,
)

__all__ = [
    "channel_conversions", "channel_labels", "compare_channels",
    "BRAND_POSTS", "OTHER_SOCIAL", "NOT_GIVEN", "CHANNEL_COLUMNS", "COMPARISON_COLUMNS",
]
