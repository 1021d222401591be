"""The other side of the ledger: web traffic from every channel, and the team's effort log.

* **Channels** - besides the sessions the brand's posts bring (``conversions.csv``, utm_content =
  post id), the web analytics sees organic search, email, paid search, direct, referral and social
  traffic that no brand post brought. Each channel has sessions a day in proportion to the
  audience (email on its send day, Tuesday, mostly) and a planted conversion rate: every session
  converts with that probability; a conversion's revenue is lognormal like the posts'. Sessions of
  a day are split over three landing pages, as a GA4 exploration export by date, channel and
  landing page has them.
* **Effort** - hours a week per activity (content, engagement, customer service, promotion, ads)
  around planted means, customer service doubled in the complaint burst's week; cost = hours x an
  hourly rate, plus the ad spend for ads.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CHANNEL_RATES", "CHANNEL_SESSIONS", "EFFORT_HOURS", "HOURLY_COST", "AD_SPEND",
           "channel_rows", "effort_rows", "ledger_truth"]

#: Planted conversions per session of each channel (GA4's default channel group names).
CHANNEL_RATES = {"Organic Search": 0.035, "Email": 0.12, "Paid Search": 0.05, "Direct": 0.025,
                 "Referral": 0.02, "Organic Social": 0.015}
#: Mean sessions a day per 1,000 followers of the brand (Email: on an average day of the week).
CHANNEL_SESSIONS = {"Organic Search": 100.0, "Email": 20.0, "Paid Search": 40.0, "Direct": 60.0,
                    "Referral": 15.0, "Organic Social": 12.0}
_EMAIL_WEEKDAY = 1  # Tuesday: the newsletter goes out
_LANDING = ("/", "/sale", "/blog/knife-care")
_LANDING_SHARE = (0.5, 0.3, 0.2)
#: Planted mean hours a week of each activity.
EFFORT_HOURS = {"content": 9.0, "engagement": 5.0, "customer service": 6.0, "promotion": 3.0, "ads": 2.0}
HOURLY_COST = 40.0
AD_SPEND = 250.0  # a week, added to the cost of ads


def channel_rows(rng: np.random.Generator, *, start: str, days: int, followers: int) -> pd.DataFrame:
    """Sessions, conversions and revenue by day, channel and landing page (no utm_content)."""
    dates = pd.date_range(start, periods=days, freq="D")
    rows = []
    for day in dates:
        for channel, rate in CHANNEL_RATES.items():
            mean = CHANNEL_SESSIONS[channel] * followers / 1000
            if channel == "Email":
                mean *= 4.0 if day.weekday() == _EMAIL_WEEKDAY else 0.5
            sessions = rng.multinomial(int(rng.poisson(mean)), _LANDING_SHARE)
            for page, n in zip(_LANDING, sessions, strict=True):
                if n == 0:
                    continue
                conv = int(rng.binomial(int(n), rate))
                revenue = float(np.round(rng.lognormal(np.log(55.0), 0.6, conv), 2).sum())
                rows.append((day.strftime("%Y%m%d"), channel, page, int(n), conv, round(revenue, 2)))
    return pd.DataFrame(rows, columns=["date", "channel", "landing_page", "sessions", "conversions", "revenue"])


def effort_rows(rng: np.random.Generator, *, iso_weeks: tuple[str, ...], burst_week: int) -> pd.DataFrame:
    """One row per week and activity: hours (to the half hour) and cost."""
    rows = []
    for w, week in enumerate(iso_weeks):
        for activity, mean in EFFORT_HOURS.items():
            hours = mean * (2.0 if activity == "customer service" and w == burst_week else 1.0)
            hours = max(0.5, round(float(rng.normal(hours, 0.15 * hours)) * 2) / 2)
            cost = hours * HOURLY_COST + (AD_SPEND if activity == "ads" else 0.0)
            rows.append((week, activity, hours, round(cost, 2)))
    return pd.DataFrame(rows, columns=["week", "activity", "hours", "cost"])


def ledger_truth(*, burst_week: str) -> dict:
    """Return what the ledger's sample plants, for truth.json."""
    return {
        "channel_rates": dict(CHANNEL_RATES),
        "channel_sessions_per_1000_followers_a_day": dict(CHANNEL_SESSIONS),
        "email_send_weekday": _EMAIL_WEEKDAY,
        "model": "every session of a channel converts with its planted rate; the brand's posts bring "
                 "the sessions of conversions.csv (utm_content = post id) and the other channels those of "
                 "web-analytics.csv (no post id)",
        "effort_hours": dict(EFFORT_HOURS), "hourly_cost": HOURLY_COST, "ad_spend_per_week": AD_SPEND,
        "customer_service_doubled_in": burst_week,
    }
