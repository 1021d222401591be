"""The return-on-influence ledger: what the social effort returned, against other channels and its cost.

The usual path (see notebook 07)::

    led = return_on_influence(ds, account="acme", service_handles=["acmecustserv"],
                              value_per_case=20, tz="America/New_York")
    led.channels, led.comparison      # conversion rate per channel; brand posts / each channel
    led.weeks                         # hours, cost, value, value per hour, change, per week x activity
    ledger_findings(led)              # the same in sentences, with the numbers behind each

Steps are plain functions too: :func:`channel_conversions`, :func:`compare_channels`,
:func:`post_activities`, :func:`conversion_value`, :func:`engagement_value`,
:func:`service_value`, :func:`activity_values`, :func:`weekly_ledger`.
"""

from roi.ledger.build import Ledger, return_on_influence
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
from roi.ledger.findings import FINDING_COLUMNS, ledger_findings
from roi.ledger.ledger import LEDGER_COLUMNS, weekly_ledger
from roi.ledger.value import (
    ACTIVITY_OF_CONTENT,
    ENGAGEMENT_TYPES,
    VALUE_COLUMNS,
    activity_values,
    conversion_value,
    engagement_value,
    post_activities,
    post_counts,
    service_value,
)

__all__ = [
    # the whole ledger
    "return_on_influence", "Ledger", "ledger_findings", "FINDING_COLUMNS",
    # channels
    "channel_conversions", "channel_labels", "compare_channels",
    "BRAND_POSTS", "OTHER_SOCIAL", "NOT_GIVEN", "CHANNEL_COLUMNS", "COMPARISON_COLUMNS",
    # value and effort
    "post_activities", "post_counts", "conversion_value", "engagement_value", "service_value", "activity_values",
    "weekly_ledger", "ACTIVITY_OF_CONTENT", "ENGAGEMENT_TYPES", "VALUE_COLUMNS", "LEDGER_COLUMNS",
]
