"""The planted effects: every number the generator builds in, and that truth.json records.

The effects are multiplicative rate ratios on a base rate, so an analysis that fits a log-linear
model (negative binomial GLM with log(impressions) as offset) should recover them as IRRs.
They are large enough to be recovered from the test-size sample (2,000 followers, 6 weeks) but
of the size practitioners report (an evening hour beating a night hour by ~3x, one or two
hashtags beating none by ~30%, more than two hashtags hurting).
"""

from __future__ import annotations

__all__ = [
    "ENGAGEMENT_BASE_RATE", "HOUR_RR", "HASHTAGS_RR", "MENTION_RR", "QUESTION_RR", "CONTENT_RR",
    "CONVERSION_BASE_RATE", "CONVERSION_HOUR_RR", "CONVERSION_HASHTAG_RR",
    "ENGAGEMENT_MIX", "EXPERIMENT_SLOTS", "engagement_truth", "conversion_truth",
]

#: Engagements (likes + reposts + replies + quotes + link clicks) per impression of a post with
#: every multiplier at 1 (posted at a reference hour, no hashtag, no mention, no question, original).
ENGAGEMENT_BASE_RATE = 0.032

#: Rate ratio by the brand's local hour of posting. Best at 18:00; the small hours are poor.
HOUR_RR = (
    0.55, 0.50, 0.48, 0.50, 0.55, 0.65,   # 00-05
    0.80, 0.95, 1.05, 1.15, 1.10, 1.05,   # 06-11
    1.10, 1.05, 1.00, 1.00, 1.10, 1.30,   # 12-17
    1.60, 1.45, 1.30, 1.15, 0.95, 0.70,   # 18-23
)

#: Rate ratio by the number of hashtags (4 means 4 or more): optimum at 1-2.
HASHTAGS_RR = (1.0, 1.35, 1.3, 0.85, 0.7)
MENTION_RR = 1.2
QUESTION_RR = 1.4
CONTENT_RR = {"original": 1.0, "engagement": 1.25, "promotion": 0.7}

#: How an engagement splits into its parts; a post without a link gets no link clicks.
ENGAGEMENT_MIX = {
    "link": {"link_click": 0.45, "like": 0.38, "repost": 0.08, "reply": 0.06, "quote": 0.03},
    "nolink": {"like": 0.70, "repost": 0.14, "reply": 0.10, "quote": 0.06},
}

#: Conversions per link click (a click lands as one web-analytics session).
CONVERSION_BASE_RATE = 0.07
CONVERSION_HOUR_RR = tuple(
    0.6 if h < 6 else 0.8 if h < 9 else 1.0 if h < 17 else 1.8 if h < 22 else 1.0 for h in range(24)
)
CONVERSION_HASHTAG_RR = {"0": 1.0, "1+": 0.5}

#: A/B experiment slots in the brand's local time: [start hour, end hour).
EXPERIMENT_SLOTS = {"A": (9, 10), "B": (18, 19)}


def engagement_truth() -> dict:
    """Return the engagement block of truth.json."""
    return {
        "model": (
            "engagements (likes + reposts + replies + quotes + link clicks) per impression = "
            "base_rate * hour_rr[brand-local hour of posting] * hashtags_rr[min(n_hashtags, 4)] "
            "* (mention_rr if the post mentions an account) * (question_rr if it asks a question) "
            "* content_rr[content type] * a post-level gamma frailty with mean 1 (shared by the two "
            "posts of an experiment pair); every impression engages at most once; an engagement "
            "is a link click (posts with a link only), like, repost, reply or quote in the "
            "proportions of `mix`"
        ),
        "base_rate": ENGAGEMENT_BASE_RATE,
        "hour_rr": {str(h): rr for h, rr in enumerate(HOUR_RR)},
        "best_hour": max(range(24), key=lambda h: HOUR_RR[h]),
        "hashtags_rr": {str(n): rr for n, rr in enumerate(HASHTAGS_RR)},
        "hashtag_optimum": [1, 2],
        "mention_rr": MENTION_RR,
        "question_rr": QUESTION_RR,
        "content_rr": dict(CONTENT_RR),
        "mix": {k: dict(v) for k, v in ENGAGEMENT_MIX.items()},
    }


def conversion_truth() -> dict:
    """Return the conversion block of truth.json."""
    return {
        "model": (
            "conversions per link click = base_rate * hour_rr[brand-local hour of posting] "
            "* hashtag_rr['1+' if the post has any hashtag else '0']; each link click is one "
            "web-analytics session (sessions column of conversions.csv, dated by the brand-local "
            "day of the click)"
        ),
        "base_rate": CONVERSION_BASE_RATE,
        "hour_rr": {str(h): rr for h, rr in enumerate(CONVERSION_HOUR_RR)},
        "hashtag_rr": dict(CONVERSION_HASHTAG_RR),
    }
