"""When things happen: the calendar of the sample, local clocks, diurnal activity, the brand's schedule.

Every account is active on a diurnal curve in its own local time (time zone from its city, shifted
by a personal chronotype of up to two hours). The brand posts 3-10 times a day at varied local
times, with a content mix of original, engagement and promotion posts, 0-4 hashtags, mentions,
questions and UTM-tagged links, plus an A/B experiment of identical posts in two time slots.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from roi.sample.effects import EXPERIMENT_SLOTS

__all__ = ["Calendar", "Clock", "DIURNAL", "build_calendar", "brand_schedule"]

HOUR_MS = 3_600_000
DAY_MS = 86_400_000

#: Relative activity by local hour (mean 1): asleep at night, lunch and evening peaks.
_CURVE = np.array([0.35, 0.2, 0.12, 0.08, 0.07, 0.1, 0.3, 0.7, 1.05, 1.15, 1.15, 1.2,
                   1.45, 1.35, 1.15, 1.1, 1.15, 1.3, 1.55, 1.7, 1.8, 1.75, 1.45, 0.85])
DIURNAL = _CURVE / _CURVE.mean()

#: How the brand's social team spreads posts over its local day (night posts are scheduled ones).
_BRAND_HOURS = np.array([0.3, 0.2, 0.15, 0.15, 0.2, 0.35, 0.7, 1.1, 1.4, 1.4, 1.3, 1.3,
                         1.4, 1.3, 1.2, 1.2, 1.3, 1.4, 1.4, 1.4, 1.3, 1.1, 0.8, 0.5])


@dataclass(frozen=True)
class Calendar:
    """The sample's weeks in the brand's time zone, as UTC milliseconds."""

    tz: str
    week_starts_ms: np.ndarray  # weeks + 1 local Monday midnights
    snapshots_ms: np.ndarray  # weeks + 1 follower snapshots (Monday 06:00 local)
    iso_weeks: tuple[str, ...]
    start_date: str

    @property
    def t0(self) -> int:
        """The first local Monday midnight, UTC milliseconds."""
        return int(self.week_starts_ms[0])

    @property
    def t_end(self) -> int:
        """The Monday midnight after the last week, UTC milliseconds."""
        return int(self.week_starts_ms[-1])

    @property
    def weeks(self) -> int:
        """How many weeks the sample spans."""
        return len(self.iso_weeks)


def build_calendar(start: str, weeks: int, tz: str) -> Calendar:
    """Build the calendar of ``weeks`` weeks from the Monday ``start`` in time zone ``tz``.

    Parameters
    ----------
    start : str
        The first Monday, a local date such as ``"2026-09-07"``.
    weeks : int
        How many weeks.
    tz : str
        The brand's IANA time zone: weeks begin at its Monday midnight.

    Returns
    -------
    Calendar
        Week starts and follower snapshots (Monday 06:00 local) in UTC milliseconds, and the
        ISO week labels.
    """
    monday = pd.Timestamp(start)
    local = [monday + pd.Timedelta(days=7 * w) for w in range(weeks + 1)]
    starts = np.array([pd.Timestamp(d).tz_localize(tz).value // 1_000_000 for d in local], dtype=np.int64)
    snaps = np.array([(pd.Timestamp(d) + pd.Timedelta(hours=6)).tz_localize(tz).value // 1_000_000
                      for d in local], dtype=np.int64)
    iso = tuple(f"{d.isocalendar().year}-W{d.isocalendar().week:02d}" for d in local[:-1])
    return Calendar(tz=tz, week_starts_ms=starts, snapshots_ms=snaps, iso_weeks=iso, start_date=start)


class Clock:
    """UTC milliseconds -> local hour for many time zones at once (DST-correct to the hour)."""

    def __init__(self, tz_names: np.ndarray, t0_ms: int, t1_ms: int):
        self.names, self.tz_index = np.unique(tz_names.astype(str), return_inverse=True)
        self.t0 = (t0_ms // HOUR_MS - 48) * HOUR_MS
        hours = int((t1_ms - self.t0) // HOUR_MS) + 24 * 30
        utc = pd.date_range(pd.Timestamp(self.t0, unit="ms", tz="UTC"), periods=hours, freq="h")
        naive = utc.tz_localize(None)
        self.offsets = np.stack([
            ((utc.tz_convert(name).tz_localize(None) - naive).to_numpy().astype("timedelta64[ms]").astype(np.int64))
            for name in self.names
        ])

    def local_ms(self, t_ms: np.ndarray, accounts: np.ndarray) -> np.ndarray:
        """Local wall time (as ms since the epoch, naive) of accounts at times t (broadcast)."""
        t_ms = np.asarray(t_ms, dtype=np.int64)
        h = np.clip((t_ms - self.t0) // HOUR_MS, 0, self.offsets.shape[1] - 1)
        return t_ms + self.offsets[self.tz_index[accounts], h]

    def local_hour(self, t_ms: np.ndarray, accounts: np.ndarray) -> np.ndarray:
        """Local hour of day (0-23) of accounts at times t (broadcast)."""
        return (self.local_ms(t_ms, accounts) // HOUR_MS) % 24


def activity(clock: Clock, chronotype: np.ndarray, t_ms: np.ndarray, accounts: np.ndarray) -> np.ndarray:
    """Relative activity (mean 1 over a day) of accounts at times t."""
    hour = clock.local_hour(t_ms, accounts)
    return DIURNAL[(hour - chronotype[accounts]) % 24]


def _local_to_utc_ms(local_ms: np.ndarray, tz: str) -> np.ndarray:
    idx = pd.DatetimeIndex(np.asarray(local_ms, dtype="datetime64[ms]"))
    aware = idx.tz_localize(tz, ambiguous=np.zeros(len(idx), dtype=bool), nonexistent="shift_forward")
    return (aware.tz_convert("UTC").tz_localize(None).to_numpy().astype("datetime64[ms]").astype(np.int64))


def brand_schedule(rng: np.random.Generator, cal: Calendar, *, pairs_per_week: int = 3) -> pd.DataFrame:
    """Plan the brand's posts: when, what kind, with which features; experiment pairs included.

    Returns
    -------
    DataFrame with columns created_ms, local_hour, content, n_hashtags, mention, question, link,
    frailty, experiment_arm (None, "A", "B"), pair (int, -1 when not in the experiment).
    """
    start_local = pd.Timestamp(cal.start_date).value // 1_000_000
    days = 7 * cal.weeks
    rows_local, arm, pair = [], [], []
    # The experiment: pairs of identical posts, one in each slot, on the same or adjacent days.
    exp_days: dict[int, int] = {}
    n_pairs = 0
    for w in range(cal.weeks):
        ds = np.sort(rng.choice(np.arange(7 * w, 7 * w + 6), size=pairs_per_week, replace=False))
        for d in ds:
            p = n_pairs
            n_pairs += 1
            gap = int(rng.integers(0, 2))
            first_a = bool(rng.random() < 0.5)
            for a, day in (("A", d if first_a else d + gap), ("B", d + gap if first_a else d)):
                lo, hi = EXPERIMENT_SLOTS[a]
                minute = int(rng.integers(lo * 60, hi * 60))
                rows_local.append(start_local + day * DAY_MS + minute * 60000)
                arm.append(a)
                pair.append(p)
                exp_days[day] = exp_days.get(day, 0) + 1
    for day in range(days):
        weekday = day % 7
        n = int(rng.integers(3, 7)) if weekday >= 5 else int(rng.integers(4, 11))
        n = max(1, n - exp_days.get(day, 0))
        p = _BRAND_HOURS / _BRAND_HOURS.sum()
        hours = rng.choice(24, size=n, p=p)
        minutes = rng.integers(0, 60, n)
        for h, m in zip(hours, minutes, strict=False):
            rows_local.append(start_local + day * DAY_MS + (int(h) * 60 + int(m)) * 60000 + int(rng.integers(0, 60)) * 1000)
            arm.append(None)
            pair.append(-1)
    local = np.array(rows_local, dtype=np.int64)
    n = len(local)
    content = rng.choice(["original", "engagement", "promotion"], size=n, p=[0.5, 0.3, 0.2]).astype(object)
    n_hashtags = rng.choice(5, size=n, p=[0.26, 0.28, 0.22, 0.14, 0.10])
    mention = rng.random(n) < 0.22
    q_prob = np.select([content == "engagement", content == "promotion"], [0.55, 0.1], 0.2)
    question = rng.random(n) < q_prob
    l_prob = np.select([content == "promotion", content == "engagement"], [1.0, 0.25], 0.55)
    link = rng.random(n) < l_prob
    content_frailty = rng.gamma(8.0, 1 / 8.0, n)
    pair_arr = np.array(pair, dtype=np.int64)
    in_exp = pair_arr >= 0
    # Both posts of a pair are the same content: same features, same content frailty.
    content[in_exp] = "original"
    n_hashtags[in_exp] = 1
    mention[in_exp] = False
    question[in_exp] = False
    link[in_exp] = True
    for p in np.unique(pair_arr[in_exp]):
        members = np.flatnonzero(pair_arr == p)
        content_frailty[members] = content_frailty[members[0]]
    frailty = content_frailty * rng.gamma(40.0, 1 / 40.0, n)
    created = _local_to_utc_ms(local, cal.tz)
    df = pd.DataFrame({
        "created_ms": created, "local_hour": (local // 3_600_000) % 24, "content": content,
        "n_hashtags": n_hashtags, "mention": mention, "question": question, "link": link,
        "frailty": frailty, "experiment_arm": np.array(arm, dtype=object), "pair": pair_arr,
    })
    return df.sort_values("created_ms", kind="stable").reset_index(drop=True)
