"""Listening and social customer service.

Brand mentions, complaints, triage, spikes, response times, content mix.

The usual path (see notebook 06)::

    queue = triage_queue(ds, handles=["acme", "acmecustserv"], brand_terms=["acme"],
                         since=start, until=end)            # action + reason per complaint
    mentions = brand_mentions(ds.posts, brand_ids=ids, handles=handles, brand_terms=terms)
    alerts = spike_alerts(daily_volumes(mentions, queue_all, tz=tz))
    responses = response_times(queue, ds.posts, brand_ids=ids); response_summary(responses)
    weekly_content_mix(content_mix(ds.posts, brand_ids=[acme_id], brand_domains=[...], tz=tz))

Complaints are found by a linear model over readable features (:mod:`roi.listening.features`,
:mod:`roi.listening.detector`); a team's labels train a better one (:mod:`roi.listening.learn`),
saved as JSON. The features are English: other posts are counted as not scored.
Plots live in :mod:`roi.listening.plots` (matplotlib is imported only there).
"""

from roi.listening.complaints import (
    COMPLAINT_TERMS,
    PRIVATE_TERMS,
    complaint_coverage,
    private_terms_in,
    score_complaints,
)
from roi.listening.detector import (
    ComplaintModel,
    default_model,
    load_model,
    model_weights,
    save_model,
    score_texts,
)
from roi.listening.features import FEATURES, feature_matrix, readable_english
from roi.listening.learn import cross_validate, evaluate, read_labels, train_model
from roi.listening.mentions import MENTION_COLUMNS, brand_mentions
from roi.listening.mix import THIRDS, content_mix, weekly_content_mix
from roi.listening.response import response_summary, response_times
from roi.listening.spikes import daily_volumes, spike_alerts
from roi.listening.topics import PRODUCT_NOUNS, STOP_WORDS, TOPIC_NOUNS, complaint_topics
from roi.listening.triage import (
    ACTIONS,
    QUEUE_COLUMNS,
    author_influence,
    brand_echoes,
    brand_handles,
    find_complaints,
    triage_queue,
    triage_rules,
)
from roi.listening.weekly import complaints_needing_attention, content_mix_for_week

__all__ = [
    # mentions and complaints
    "brand_mentions", "MENTION_COLUMNS",
    "score_complaints", "complaint_coverage", "private_terms_in", "COMPLAINT_TERMS", "PRIVATE_TERMS",
    "complaint_topics", "STOP_WORDS", "TOPIC_NOUNS", "PRODUCT_NOUNS",
    # the detector and learning from labels
    "FEATURES", "feature_matrix", "readable_english", "ComplaintModel", "default_model", "load_model",
    "save_model", "model_weights", "score_texts", "train_model", "cross_validate", "evaluate", "read_labels",
    # triage
    "find_complaints", "brand_echoes", "brand_handles", "author_influence", "triage_queue", "triage_rules", "ACTIONS", "QUEUE_COLUMNS",
    # volumes and responses
    "daily_volumes", "spike_alerts", "response_times", "response_summary",
    # content mix
    "content_mix", "weekly_content_mix", "THIRDS",
    # the weekly report's sections
    "complaints_needing_attention", "content_mix_for_week",
]
