"""Findings in words: the report's summary sentences and recommendations, computed from analyses.

Each function takes an analysis result (a table roi computed) and returns a :class:`Finding`: the
sentence, the evidence it rests on (the numbers with their numerator and denominator), how sure
roi is in plain words, and the raw numbers. When the evidence is not there the finding is
``supported=False`` and its sentence says so ("too little data to say") instead of inventing one.
Nothing here is canned: change the data and the sentences change.

How sure, in words (from 95% intervals; see docs/metrics.md):

* "very likely" -- the interval excludes "no effect" and p < 0.001;
* "likely" -- the interval excludes "no effect";
* "not clear" -- the interval includes "no effect" (the sentence then says no clear difference).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from roi.report.format import count, format_value, local_time, percent, signed_percent

__all__ = ["Finding", "how_sure", "best_hour_finding", "hashtag_finding", "experiment_finding",
           "complaint_burst_finding", "engagement_finding", "followers_finding", "channel_finding", "recommendations"]

TOO_LITTLE = "too little data to say"


@dataclass(frozen=True)
class Finding:
    """One sentence of the summary with what it rests on."""

    topic: str
    sentence: str
    evidence: str = ""
    confidence: str = TOO_LITTLE
    supported: bool = False
    numbers: dict[str, Any] = field(default_factory=dict)


def how_sure(low: float, high: float, *, null: float = 1.0, p_value: float | None = None) -> str:
    """Plain words for a 95% interval around an effect whose "no effect" value is ``null``.

    >>> how_sure(1.13, 1.87), how_sure(1.2, 1.8, p_value=1e-5), how_sure(0.9, 1.4), how_sure(np.nan, 2)
    ('likely', 'very likely', 'not clear', 'too little data to say')
    """
    if not (np.isfinite(low) and np.isfinite(high)):
        return TOO_LITTLE
    if low > null or high < null:
        return "very likely" if p_value is not None and np.isfinite(p_value) and p_value < 0.001 else "likely"
    return "not clear"


def _interval(low: float, high: float) -> str:
    """Write a ratio interval as changes: '+13% to +87%'."""
    return f"{signed_percent(low - 1)} to {signed_percent(high - 1)}"


def _place(tz: str) -> str:
    return tz.rsplit("/", 1)[-1].replace("_", " ") if "/" in tz else tz


def _terms(effects: pd.DataFrame | None, prefix: str) -> pd.DataFrame:
    if effects is None or not len(effects) or not {"term", "irr", "ci_low", "ci_high"} <= set(effects.columns):
        return pd.DataFrame(columns=["term", "irr", "ci_low", "ci_high", "p_value", "reference", "posts"])
    e = effects[effects["term"].astype(str).str.startswith(prefix)].copy()
    for c in ("irr", "ci_low", "ci_high", "p_value", "p_adjusted", "posts"):
        if c in e.columns:
            e[c] = pd.to_numeric(e[c], errors="coerce").astype("float64")
    return e


def _hour_label(term: str) -> str:
    """'hour=18' -> '18:00'; 'hour=1-4' -> '01:00–04:59'."""
    m = re.fullmatch(r"hour=(\d+)(?:-(\d+))?", str(term))
    if not m:
        return str(term)
    a = int(m.group(1))
    return f"{a:02d}:00" if m.group(2) is None else f"{a:02d}:00–{int(m.group(2)):02d}:59"


def _and(items: list[str]) -> str:
    """Join items as 'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _hour_posts(model) -> dict[str, int]:
    """Count posts per hour term of a fitted model (the reference hour included), from its data."""
    spec, data = getattr(model, "spec", None), getattr(model, "data", None)
    if spec is None or data is None or "hour" not in data.columns:
        return {}
    labels = data["hour"].map(spec.buckets)
    return {f"hour={k}": int(v) for k, v in labels.value_counts().items()}


def best_hour_finding(effects: pd.DataFrame | None, *, tz: str, min_posts: int = 10, model=None) -> Finding:
    """Find the hour of day whose posts earn the most engagements per view, from the model's effects.

    Parameters
    ----------
    effects : DataFrame or None
        A fitted engagement model's ``effects`` (term ``hour=H`` against a reference hour, with
        ``irr``, ``ci_low``, ``ci_high``, ``p_value``, ``posts``); None when no model could be fitted.
        Ignored when ``model`` is given (its effects are used).
    tz : str
        The report's time zone (hours are local hours there).
    min_posts : int
        An hour needs this many posts to be named.
    model : CountModel, optional
        The fitted model itself. With it the best hour (the reference hour included) is set against
        the hour the account posts at most, whichever the model's reference is, by the model's
        covariance (:meth:`roi.engagement.CountModel.contrast`): when the two best hours are close, the
        sentence still says how far they beat the usual time. Without it, against the reference.

    Returns
    -------
    Finding
        Supported when an hour with enough posts has an interval above 1 against the reference.

    Examples
    --------
    >>> e = pd.DataFrame({"term": ["hour=18", "hour=12"], "irr": [1.45, 1.02], "ci_low": [1.13, 0.8],
    ...                   "ci_high": [1.87, 1.3], "p_value": [0.003, 0.8], "reference": ["hour=9"] * 2,
    ...                   "posts": [30, 25]})
    >>> best_hour_finding(e, tz="America/New_York").sentence
    'Posts at 18:00 (New York time) earned 45% more engagements per view than posts at 09:00 (likely: 95% interval +13% to +87%).'
    >>> best_hour_finding(None, tz="UTC").sentence
    'Best time to post: too little data to say (no engagement model could be fitted).'
    """
    if model is not None:
        effects = model.effects
    hours = _terms(effects, "hour=")
    if not len(hours):
        why = ("no engagement model could be fitted" if effects is None or not len(effects)
               else "the posts went out at too few different hours to compare")
        return Finding("best hour", f"Best time to post: too little data to say ({why}).")
    # The best of ~20 hours is picked after looking: where the model adjusts p-values for the many
    # comparisons (p_adjusted), "very likely" rests on the adjusted one.
    reference = str(hours["reference"].iloc[0]) if "reference" in hours.columns else None
    posts = hours["posts"].fillna(0) if "posts" in hours.columns else pd.Series(min_posts, index=hours.index)
    enough = hours[posts >= min_posts]
    # The model compares every hour with a reference hour (irr 1 by definition). The best hour is the
    # highest of those; its contrast is with the reference, or -- when the reference itself is best --
    # with the busiest other hour (the interval of 1 / irr is the inverted interval).
    top = enough.sort_values("irr", ascending=False).head(1)
    if reference and (not len(top) or float(top["irr"].iloc[0]) < 1):
        other = enough.sort_values("posts", ascending=False).head(1) if len(enough) else enough
        if not len(other):
            return Finding("best hour", f"Best time to post: too little data to say (no hour has {min_posts}+ posts).")
        o = other.iloc[0]
        best = {"term": reference, "irr": 1 / o["irr"], "ci_low": 1 / o["ci_high"], "ci_high": 1 / o["ci_low"],
                "p_value": o.get("p_adjusted", o.get("p_value")), "versus": o["term"], "posts": None}
    elif len(top):
        b = top.iloc[0]
        best = {"term": b["term"], "irr": b["irr"], "ci_low": b["ci_low"], "ci_high": b["ci_high"],
                "p_value": b.get("p_adjusted", b.get("p_value")), "versus": reference, "posts": b.get("posts")}
    else:
        return Finding("best hour", f"Best time to post: too little data to say (no hour has {min_posts}+ posts).")
    counts = _hour_posts(model) if model is not None else {}
    if counts and reference:
        irr = {**dict(zip(hours["term"].astype(str), hours["irr"], strict=True)), reference: 1.0}
        eligible = {t: v for t, v in irr.items() if counts.get(t, 0) >= min_posts}
        if len(eligible) >= 2:
            # The best hour against every other: an hour it beats even at the Bonferroni level
            # (the best was picked after looking) is "beaten"; the rest are about as good.
            top_term = max(eligible, key=lambda t: (eligible[t], counts[t]))
            others = [t for t in eligible if t != top_term]
            strict = 1 - 0.05 / len(others)
            beaten = [t for t in others if model.contrast(top_term, t, level=strict)["ci_low"] > 1]
            # Set against the most-used hour it beats (ties: the better one, the cautious claim).
            usual = max(beaten or others, key=lambda t: (counts[t], eligible[t]))
            c = model.contrast(top_term, usual)
            se = (np.log(c["ci_high"]) - np.log(c["ci_low"])) / (2 * 1.959963984540054)
            p = min(1.0, 2 * stats.norm.sf(abs(np.log(c["irr"])) / se) * len(others)) if se > 0 else None
            best = {"term": top_term, "irr": c["irr"], "ci_low": c["ci_low"], "ci_high": c["ci_high"],
                    "p_value": p, "versus": usual, "posts": counts[top_term],
                    "close": sorted((t for t in others if t not in beaten), key=lambda t: -eligible[t])}
    if not best["ci_low"] > 1:
        return Finding("best hour", f"Best time to post: too little data to say — no hour with {min_posts}+ posts "
                                    "clearly beat the others.",
                       evidence=f"{len(hours)} hours compared in the engagement model", confidence="not clear")
    p = float(best["p_value"]) if best["p_value"] is not None and pd.notna(best["p_value"]) else None
    sure = how_sure(best["ci_low"], best["ci_high"], p_value=p)
    label, ref = _hour_label(best["term"]), _hour_label(str(best["versus"]))
    sentence = (f"Posts at {label} ({_place(tz)} time) earned {signed_percent(best['irr'] - 1).lstrip('+')} more "
                f"engagements per view than posts at {ref} ({sure}: 95% interval "
                f"{_interval(best['ci_low'], best['ci_high'])})"
                + (f"; {_and([_hour_label(t) for t in best['close']])} {'was' if len(best['close']) == 1 else 'were'} "
                   "not clearly behind it." if best.get("close") else "."))
    n = int(best["posts"]) if best["posts"] is not None and pd.notna(best["posts"]) else None
    evidence = "negative-binomial model of engagements per view (hour, weekday, hashtags, mentions, content)"
    if n:
        evidence += f"; {count(n)} posts at {label}"
    m = re.match(r"hour=(\d+)", str(best["term"]))
    return Finding("best hour", sentence, evidence, sure, True,
                   {"hour": int(m.group(1)) if m else None, "label": label, "reference": ref,
                    "irr": float(best["irr"]), "ci_low": float(best["ci_low"]), "ci_high": float(best["ci_high"]),
                    "posts": n})


def _hashtag_n(term: str) -> int:
    m = re.match(r"hashtags=(\d+)", str(term))
    return int(m.group(1)) if m else -1


def _range(ns: list[int], top: int) -> str:
    ns = sorted(ns)
    if ns and ns[-1] == top and len(ns) > 1 and ns == list(range(ns[0], top + 1)):
        return f"{ns[0]} or more"
    if len(ns) > 1 and ns == list(range(ns[0], ns[-1] + 1)):
        return f"{ns[0]}–{ns[-1]}"
    return ", ".join(str(n) for n in ns)


def hashtag_finding(effects: pd.DataFrame | None) -> Finding:
    """How the number of hashtags changes engagements per view, against posts with none.

    Parameters
    ----------
    effects : DataFrame or None
        A fitted engagement model's ``effects`` with terms ``hashtags=N`` (the top level may be
        ``hashtags=4+``) against ``hashtags=0``.

    Returns
    -------
    Finding
        Names the counts that clearly beat none (interval above 1) and the counts that did not.

    Examples
    --------
    >>> e = pd.DataFrame({"term": ["hashtags=1", "hashtags=2", "hashtags=3", "hashtags=4+"],
    ...                   "irr": [1.40, 1.29, 0.88, 0.78], "ci_low": [1.23, 1.12, 0.74, 0.64],
    ...                   "ci_high": [1.60, 1.49, 1.05, 0.94], "p_value": [1e-7, 4e-4, 0.16, 0.01]})
    >>> print(hashtag_finding(e).sentence)
    Posts with 1–2 hashtags earned 40% and 29% more engagements per view than posts with none (very likely: 95% intervals +23% to +60% and +12% to +49%); posts with 3 or more did no better than none (−12% and −22%).
    """
    tags = _terms(effects, "hashtags=")
    if not len(tags):
        why = ("no engagement model could be fitted" if effects is None or not len(effects)
               else "the posts carried too few different numbers of hashtags to compare")
        return Finding("hashtags", f"Hashtags: too little data to say ({why}).")
    tags = tags.assign(n=tags["term"].map(_hashtag_n)).sort_values("n")
    top = int(tags["n"].max())
    better = tags[tags["ci_low"] > 1]
    rest = tags[~(tags["ci_low"] > 1)]
    if not len(better):
        worse = tags[tags["ci_high"] < 1]
        if len(worse):
            sentence = (f"Posts with {_range(worse['n'].tolist(), top)} hashtags earned fewer engagements per view "
                        f"than posts with none ({' and '.join(signed_percent(v - 1) for v in worse['irr'])}; "
                        f"likely: 95% intervals {' and '.join(_interval(a, b) for a, b in zip(worse['ci_low'], worse['ci_high'], strict=True))}).")
            return Finding("hashtags", sentence, "negative-binomial model, against posts without hashtags", "likely",
                           True, {"better": [], "worse": worse["n"].tolist()})
        return Finding("hashtags", "Hashtags: too little data to say — no number of hashtags clearly changed "
                                   "engagements per view.", confidence="not clear")
    p_values = better["p_value"].tolist() if "p_value" in better.columns else [None]
    sure = min((how_sure(a, b, p_value=p) for a, b, p in zip(better["ci_low"], better["ci_high"], p_values * len(better), strict=False)),
               key=["likely", "very likely"].index)
    ns = better["n"].tolist()
    sentence = (f"Posts with {_range(ns, top)} hashtag{'s' if ns != [1] else ''} earned "
                f"{' and '.join(signed_percent(v - 1).lstrip('+') for v in better['irr'])} more engagements per view "
                f"than posts with none ({sure}: 95% interval{'s' if len(better) > 1 else ''} "
                f"{' and '.join(_interval(a, b) for a, b in zip(better['ci_low'], better['ci_high'], strict=True))})")
    if len(rest):
        sentence += (f"; posts with {_range(rest['n'].tolist(), top)} did no better than none "
                     f"({' and '.join(signed_percent(v - 1) for v in rest['irr'])})")
    posts = int(tags["posts"].sum()) if "posts" in tags.columns and tags["posts"].notna().any() else None
    return Finding("hashtags", sentence + ".",
                   "negative-binomial model, against posts without hashtags"
                   + (f"; {count(posts)} posts with hashtags" if posts else ""), sure, True,
                   {"better": ns, "no_better": rest["n"].tolist(), "irr": better["irr"].tolist(),
                    "ci_low": better["ci_low"].tolist(), "ci_high": better["ci_high"].tolist()})


def experiment_finding(summary: pd.DataFrame | None) -> Finding:
    """Report the A/B test of posting times with the most posts: its lift and interval.

    Parameters
    ----------
    summary : DataFrame or None
        :func:`roi.abtest.experiments_summary` output (slot_a, slot_b, posts_a, posts_b, lift,
        ci_low, ci_high, optional p_value, prob_b_better).

    Returns
    -------
    Finding

    Examples
    --------
    >>> s = pd.DataFrame({"experiment_id": ["t"], "slot_a": ["09:00-10:00"], "slot_b": ["18:00-19:00"],
    ...     "posts_a": [24], "posts_b": [24], "lift": [0.39], "ci_low": [0.26], "ci_high": [0.56], "p_value": [0.0002]})
    >>> experiment_finding(s).sentence
    'A/B test “t”: posts at 18:00-19:00 earned 39% more engagements per view than at 09:00-10:00 (very likely: 95% interval +26% to +56%; 24 + 24 posts).'
    """
    if summary is None or not len(summary) or not {"lift", "ci_low", "ci_high"} <= set(summary.columns):
        return Finding("experiment", "A/B tests: none in the store yet.")
    s = summary.copy()
    s["_n"] = pd.to_numeric(s.get("posts_a", 0), errors="coerce").fillna(0) + pd.to_numeric(s.get("posts_b", 0), errors="coerce").fillna(0)
    row = s.sort_values("_n", ascending=False).iloc[0]
    lift, lo, hi = (float(row[c]) if pd.notna(row[c]) else np.nan for c in ("lift", "ci_low", "ci_high"))
    name = f"A/B test “{row.get('experiment_id', '')}”"
    n = f"{count(row.get('posts_a'))} + {count(row.get('posts_b'))} posts"
    if not np.isfinite(lift):
        return Finding("experiment", f"{name}: {TOO_LITTLE} ({n}).")
    p = float(row["p_value"]) if "p_value" in row and pd.notna(row["p_value"]) else None
    sure = how_sure(lo, hi, null=0.0, p_value=p)
    a, b = row.get("slot_a", "A"), row.get("slot_b", "B")
    if sure == TOO_LITTLE:
        return Finding("experiment", f"{name}: {TOO_LITTLE} ({n}).")
    if sure == "not clear":
        sentence = (f"{name}: no clear winner yet between {b} and {a} ({signed_percent(lift)}, 95% interval "
                    f"{signed_percent(lo)} to {signed_percent(hi)}; {n}).")
    else:
        more = "more" if lift > 0 else "fewer"
        sentence = (f"{name}: posts at {b} earned {signed_percent(abs(lift)).lstrip('+')} {more} engagements per "
                    f"view than at {a} ({sure}: 95% interval {signed_percent(lo)} to {signed_percent(hi)}; {n}).")
    return Finding("experiment", sentence, f"{n}; lift = rate B / rate A − 1", sure, sure != "not clear",
                   {"slot_a": a, "slot_b": b, "lift": lift, "ci_low": lo, "ci_high": hi})


def complaint_burst_finding(complaints: pd.DataFrame | None, *, tz: str, start: Any = None, end: Any = None,
                            window_hours: float = 72.0, min_complaints: int = 4) -> Finding:
    """Report the largest burst of complaints on one topic, tested against the period's usual rate.

    A burst is the most complaints on one topic inside any ``window_hours`` window. How sure roi
    is comes from a Poisson test: the chance of at least that many complaints (of any topic) in
    such a window if complaints arrived at the period's average rate.

    Parameters
    ----------
    complaints : DataFrame or None
        Complaints with ``created_at`` (UTC), ``topic`` and ``author_id`` (the triage queue).
    tz : str
        The report's time zone, for the days named.
    start, end : timestamp-like, optional
        The period the rate is measured over (default: first to last complaint).
    window_hours : float
        Width of the burst window.
    min_complaints : int
        Fewer complaints than this on one topic is never called a burst.

    Returns
    -------
    Finding
        Supported when the burst has ``min_complaints`` or more complaints from two or more people
        and p < 0.05.

    Examples
    --------
    >>> t = pd.to_datetime(["2026-10-01T10:00Z", "2026-10-08T10:00Z", "2026-10-20T09:00Z", "2026-10-20T15:00Z",
    ...                     "2026-10-21T08:00Z", "2026-10-21T20:00Z", "2026-10-22T01:00Z"], utc=True)
    >>> c = pd.DataFrame({"created_at": t, "topic": ["app", "order"] + ["x2 blender"] * 5,
    ...                   "author_id": ["a", "b", "c", "d", "e", "f", "c"]})
    >>> f = complaint_burst_finding(c, tz="UTC", start="2026-09-28", end="2026-11-02")
    >>> f.supported, f.numbers["complaints"], f.numbers["topic"], f.numbers["authors"]
    (True, 5, 'x2 blender', 4)
    """
    from scipy.stats import poisson

    if complaints is None or not len(complaints) or "created_at" not in complaints.columns:
        return Finding("complaints", "Complaint bursts: too little data to say (no complaints found).")
    c = complaints.dropna(subset=["created_at"]).copy()
    if len(c) < min_complaints:
        return Finding("complaints", f"Complaint bursts: too little data to say ({len(c)} complaint"
                                     f"{'s' if len(c) != 1 else ''} in the period).")
    c["created_at"] = pd.to_datetime(c["created_at"], utc=True)
    c["topic"] = c["topic"].astype("string").fillna("(no topic)") if "topic" in c.columns else "(no topic)"
    lo = pd.Timestamp(start) if start is not None else c["created_at"].min()
    hi = pd.Timestamp(end) if end is not None else c["created_at"].max()
    lo = lo.tz_localize("UTC") if lo.tzinfo is None else lo
    hi = hi.tz_localize("UTC") if hi.tzinfo is None else hi
    window = pd.Timedelta(hours=window_hours)
    best = None
    for topic, part in c.sort_values("created_at").groupby("topic", sort=True):
        times = part["created_at"].to_numpy(dtype="datetime64[ns]")
        upto = np.searchsorted(times, times + np.timedelta64(int(window.value), "ns"), side="left")
        counts = upto - np.arange(len(times))
        i = int(np.argmax(counts))
        if best is None or counts[i] > best[1]:
            best = (topic, int(counts[i]), part.iloc[i:upto[i]])
    topic, k, inside = best
    span = max((hi - lo) / window, 1.0)
    rate = len(c) / span  # complaints of any topic per window, on average
    p = float(poisson.sf(k - 1, rate))
    authors = int(inside["author_id"].nunique()) if "author_id" in inside.columns else None
    first = inside["created_at"].min().tz_convert(tz)
    last = inside["created_at"].max().tz_convert(tz)
    days = f"{first:%a} {first.day} {first:%b}" + (
        "" if last.normalize() == first.normalize() else f"–{last:%a} {last.day} {last:%b}")
    numbers = {"topic": str(topic), "complaints": k, "authors": authors, "first": first.tz_localize(None).normalize(),
               "last": last.tz_localize(None).normalize(), "usual_per_window": rate, "p_value": p}
    if k < min_complaints or (authors is not None and authors < 2) or p >= 0.05:
        return Finding("complaints", f"No burst of complaints on one topic this period ({len(c):,} complaints in "
                                     f"all; at most {k} on “{topic}” within {window_hours:g} hours).",
                       f"{len(c):,} complaints", "not clear", False, numbers)
    sure = "very likely" if p < 0.001 else "likely"
    sentence = (f"Complaint burst: {k} complaints about “{topic}” from {authors} people on {days}, against a usual "
                f"{rate:.1f} complaints of any kind per {window_hours:g} hours ({sure} a real burst: "
                f"chance alone gives {k} or more with probability {format_value(p, 'pvalue')}).")
    return Finding("complaints", sentence, f"{len(c):,} complaints in the period; Poisson test against the "
                   "average rate", sure, True, numbers)


def engagement_finding(trends: pd.DataFrame) -> Finding:
    """Compare this week's engagement rate with last week's, with this week's interval.

    ``trends`` is :func:`roi.report.trends.weekly_trends` output; the last row is this week.

    >>> t = pd.DataFrame({"week": ["W1", "W2"], "engagement_rate": [0.037, 0.050], "engagement_rate_low": [0.033, 0.045],
    ...                   "engagement_rate_high": [0.041, 0.056], "engagements": [778, 1358], "impressions": [20747, 26912]})
    >>> engagement_finding(t).sentence
    'Engagement rate was 5.0% this week (1,358 engagements / 26,912 views), up from 3.7% last week (likely a real change: 95% interval 4.5% to 5.6%).'
    """
    if len(trends) < 1 or not np.isfinite(float(trends["engagement_rate"].iloc[-1])):
        return Finding("engagement", "Engagement rate: too little data to say (no post with known views this week).")
    now, before = trends.iloc[-1], trends.iloc[-2] if len(trends) > 1 else None
    rate, lo, hi = (float(now[c]) for c in ("engagement_rate", "engagement_rate_low", "engagement_rate_high"))
    proxy = "impressions_source" in trends.columns and now["impressions_source"] == "followers_proxy"
    per = (" potential impressions (the author's followers for each post: the export gives no view counts)"
           if proxy else " views")
    base = (f"Engagement rate was {percent(rate)} this week ({count(now['engagements'])} engagements / "
            f"{count(now['impressions'])}{per})")
    denominator = "engagements / potential impressions (followers)" if proxy else "engagements / views"
    if before is None or not np.isfinite(float(before["engagement_rate"])):
        return Finding("engagement", base + ".", denominator, "measured", True, {"rate": rate})
    prev = float(before["engagement_rate"])
    if not (np.isfinite(lo) and np.isfinite(hi)):
        sure = TOO_LITTLE
        tail = f", against {percent(prev)} last week (too few posts to tell a real change from chance)."
    elif lo > prev or hi < prev:
        sure = "likely"
        tail = (f", {'up' if rate > prev else 'down'} from {percent(prev)} last week (likely a real change: 95% "
                f"interval {percent(lo)} to {percent(hi)}).")
    else:
        sure = "not clear"
        tail = (f", against {percent(prev)} last week (within this week's 95% interval {percent(lo)} to "
                f"{percent(hi)}: no clear change).")
    return Finding("engagement", base + tail, f"{denominator} over the account's posts; bootstrap over posts",
                   sure, True, {"rate": rate, "low": lo, "high": hi, "previous": prev})


def followers_finding(trends: pd.DataFrame, *, snapshot: Any = None, tz: str = "UTC") -> Finding:
    """Followers at the week's closing snapshot with new and lost followers.

    >>> t = pd.DataFrame({"followers_end": [4993, 5004], "new": [128, 42], "lost": [55, 31]})
    >>> followers_finding(t).sentence
    'Followers: 5,004 (+11 this week: 42 new, 31 lost).'
    """
    if not len(trends) or "followers_end" not in trends or pd.isna(trends["followers_end"].iloc[-1]):
        return Finding("followers", "Followers: too little data to say (no follower snapshot).")
    now = trends.iloc[-1]
    new, lost = now.get("new"), now.get("lost")
    net = (float(new) - float(lost)) if pd.notna(new) and pd.notna(lost) else np.nan
    when = f" on the snapshot of {local_time(snapshot, tz=tz)}" if snapshot is not None else ""
    change = f" ({'+' if net >= 0 else '−'}{count(abs(net))} this week: {count(new)} new, {count(lost)} lost)" if np.isfinite(net) else ""
    return Finding("followers", f"Followers: {count(now['followers_end'])}{when}{change}.",
                   "accounts following the brand in the snapshot", "counted", True,
                   {"followers": float(now["followers_end"]), "new": new, "lost": lost})


def recommendations(findings: list[Finding], *, complaint_topics: pd.Series | None = None,
                    new_followers: list[str] | None = None, maximum: int = 4) -> list[str]:
    """Two to four things to do next week, each following from a supported finding.

    Parameters
    ----------
    findings : list of Finding
        The summary's findings.
    complaint_topics : Series, optional
        This week's complaint count per topic (most first); a topic needs two or more complaints
        to be worth a briefing.
    new_followers : list of str, optional
        Handles of this week's most influential new followers.
    maximum : int
        At most this many recommendations.

    Returns
    -------
    list of str
        Empty when nothing is supported; never padded with generic advice.

    Examples
    --------
    >>> f = Finding("best hour", "", supported=True, confidence="likely", numbers={"label": "18:00", "reference": "09:00"})
    >>> recommendations([f])
    ['Schedule next week’s main posts at 18:00 rather than 09:00 (the model finds it better; see above).']
    """
    by = {f.topic: f for f in findings if f.supported}
    out: list[str] = []
    hour, test = by.get("best hour"), by.get("experiment")
    if hour:
        agree = test and str(test.numbers.get("slot_b", "")).startswith(hour.numbers.get("label", "?")[:2])
        out.append(f"Schedule next week’s main posts at {hour.numbers['label']} rather than "
                   f"{hour.numbers['reference']} ({'the A/B test agrees' if agree else 'the model finds it better; see above'}).")
    elif test and test.confidence in ("likely", "very likely"):
        out.append(f"Move posts from {test.numbers['slot_a']} to {test.numbers['slot_b']}, as the A/B test found.")
    elif "experiment" in {f.topic for f in findings}:
        f = next(f for f in findings if f.topic == "experiment")
        if f.numbers:
            out.append(f"Keep the A/B test of {f.numbers['slot_a']} against {f.numbers['slot_b']} running: "
                       "it has no clear winner yet.")
    tags = by.get("hashtags")
    if tags and tags.numbers.get("better"):
        best = tags.numbers["better"]
        out.append(f"Use {_range(best, max(best) + 1) if len(best) > 1 else best[0]} hashtag"
                   f"{'s' if best != [1] else ''} per post"
                   + (f"; avoid {min(tags.numbers['no_better'])} or more." if tags.numbers.get("no_better")
                      and min(tags.numbers["no_better"]) > max(best) else "."))
    if complaint_topics is not None and len(complaint_topics) and int(complaint_topics.iloc[0]) >= 2:
        topic, n = complaint_topics.index[0], int(complaint_topics.iloc[0])
        out.append(f"Brief the service team on “{topic}”: {n} complaint{'s' if n != 1 else ''} this week.")
    elif by.get("complaints") and by["complaints"].numbers.get("topic"):
        out.append(f"Check that “{by['complaints'].numbers['topic']}” is resolved: it caused the largest "
                   "complaint burst in the period.")
    if new_followers:
        out.append("Thank this week’s most influential new followers: "
                   + ", ".join(f"@{h}" for h in new_followers[:3]) + ".")
    return out[:maximum]


def channel_finding(ledger: Any) -> Finding | None:
    """Compare the brand's posts' conversion rate with one other channel, when the difference is clear.

    Email is read first (the channel a manager weighs social against), then the clearest
    difference; the interval is of the ratio of the two rates and its p-value Holm-adjusted over
    all channels compared (:func:`roi.ledger.compare_channels`).

    Parameters
    ----------
    ledger : Ledger
        :func:`roi.ledger.return_on_influence` (or the report's :attr:`ReportContext.ledger`).

    Returns
    -------
    Finding or None
        None when no channel differs clearly from the brand's posts (nothing to add to the summary).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> cmp = pd.DataFrame({"channel": ["email"], "brand_sessions": [443], "brand_conversions": [32],
    ...     "brand_rate": [32 / 443], "sessions": [1131], "conversions": [167], "rate": [167 / 1131],
    ...     "ratio": [0.49], "ci_low": [0.35], "ci_high": [0.71], "p_value": [5e-5], "p_holm": [2e-4],
    ...     "verdict": ["worse"]})
    >>> led = SimpleNamespace(comparison=cmp, parameters={"weeks": ["2026-W42", "2026-W45"]})
    >>> channel_finding(led).sentence
    'Visits from the brand’s posts converted at 7.2% against 14.8% from email in 2026-W42 to 2026-W45: half its rate (very likely: 95% interval 0.35× to 0.71×).'
    """
    cmp = ledger.comparison
    if cmp is None or not len(cmp):
        return None
    clear = cmp[cmp["verdict"].isin(["better", "worse"]).to_numpy(dtype=bool)]
    if not len(clear):
        return None
    clear = clear.assign(_e=(clear["channel"] != "email").to_numpy()).sort_values(["_e", "p_holm"], kind="stable")
    r = clear.iloc[0]
    lo, hi, ratio_ = float(r["ci_low"]), float(r["ci_high"]), float(r["ratio"])
    sure = how_sure(lo, hi, p_value=float(r["p_holm"]))
    weeks = list(ledger.parameters.get("weeks") or [])
    span = f" in {weeks[0]} to {weeks[-1]}" if len(weeks) > 1 else f" in {weeks[0]}" if weeks else ""
    channel = {"social: other": "other social traffic", "(channel not given)": "traffic of no stated channel"}.get(
        str(r["channel"]), str(r["channel"]))
    times = ("half" if 0.45 <= ratio_ < 0.55 else f"{ratio_:.1f} times" if ratio_ >= 1.05
             else f"{percent(ratio_)} of")
    sentence = (f"Visits from the brand’s posts converted at {percent(r['brand_rate'])} against "
                f"{percent(r['rate'])} from {channel}{span}: {times} its rate ({sure}: 95% interval "
                f"{format_value(lo, 'ratio')} to {format_value(hi, 'ratio')}).")
    evidence = (f"{count(r['brand_conversions'])} conversions / {count(r['brand_sessions'])} sessions from the "
                f"brand’s posts; {count(r['conversions'])} / {count(r['sessions'])} from {channel}")
    return Finding("channels", sentence, evidence, sure, True,
                   {"channel": str(r["channel"]), "ratio": ratio_, "ci_low": lo, "ci_high": hi,
                    "brand_conversions": int(r["brand_conversions"]), "brand_sessions": int(r["brand_sessions"]),
                    "conversions": int(r["conversions"]), "sessions": int(r["sessions"]), "verdict": str(r["verdict"])})
