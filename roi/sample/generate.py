"""write_sample: validate the options, run each step with its own seeded generator, write the files."""

from __future__ import annotations

import datetime as dt
import shutil
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from roi.errors import ParameterError
from roi.sample import effects
from roi.sample.activity import Clock, brand_schedule, build_calendar
from roi.sample.complaints import complaint_specs
from roi.sample.conversations import assign_ids, brand_specs, chatter_specs, reaction_specs, spam_specs
from roi.sample.engagement import CLICK, LIKE, QUOTE, REPLY, REPOST, simulate_engagement
from roi.sample.graph import build_graph, follower_flows
from roi.sample.ledger import channel_rows, effort_rows, ledger_truth
from roi.sample.population import BRAND, CUSTSERV, build_population
from roi.sample.writers import (
    README,
    iso_ms,
    render_tweets,
    write_conversions,
    write_effort,
    write_experiments,
    write_follower_pages,
    write_follows,
    write_json,
    write_tweet_pages,
    write_web_analytics,
)

__all__ = ["write_sample", "validate_options", "DEFAULTS"]

DEFAULTS = {"seed": 0, "followers": 5000, "weeks": 8, "start": "2026-09-28"}
EXPERIMENT_ID = "posting-time-2026"
_GENERATED = ("x-v2", "follows", "conversions.csv", "web-analytics.csv", "effort.csv", "experiments.csv",
              "truth.json", "README.md")


def validate_options(*, seed, followers, weeks, start) -> dict:
    """Check the options of :func:`write_sample`; ParameterError names the one at fault.

    >>> validate_options(seed=1, followers=100, weeks=2, start="2026-09-28")["start"]
    '2026-09-28'
    >>> validate_options(seed=1, followers=100, weeks=2, start="2026-09-29")
    Traceback (most recent call last):
    ...
    roi.errors.ParameterError: start='2026-09-29': expected an ISO date that is a Monday (2026-09-29 is a Tuesday)
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError(f"seed={seed!r}: expected a non-negative integer")
    if isinstance(followers, bool) or not isinstance(followers, (int, np.integer)) or followers < 50:
        raise ParameterError(f"followers={followers!r}: expected an integer >= 50")
    if followers > 2_000_000:
        raise ParameterError(f"followers={followers!r}: expected at most 2,000,000")
    if isinstance(weeks, bool) or not isinstance(weeks, (int, np.integer)) or not 2 <= weeks <= 104:
        raise ParameterError(f"weeks={weeks!r}: expected an integer from 2 to 104")
    try:
        day = dt.date.fromisoformat(str(start))
    except ValueError:
        raise ParameterError(f"start={start!r}: expected an ISO date such as '2026-09-28'") from None
    if day.weekday() != 0:
        raise ParameterError(f"start={start!r}: expected an ISO date that is a Monday "
                             f"({day.isoformat()} is a {day.strftime('%A')})")
    return {"seed": int(seed), "followers": int(followers), "weeks": int(weeks), "start": day.isoformat()}


def _rng(seed: int, step: str) -> np.random.Generator:
    """One generator per step, so changing one step does not reshuffle the others."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, zlib.crc32(step.encode())])))


def looks_like_sample(out: Path) -> bool:
    """Return True when ``out`` holds an earlier sample (its truth.json says so) or is empty/absent."""
    if not out.exists():
        return True
    if not out.is_dir():
        return False
    entries = [p.name for p in out.iterdir()]
    if not entries:
        return True
    truth = out / "truth.json"
    if not truth.is_file():
        return False
    try:
        head = truth.read_text(encoding="utf-8")[:400]
    except OSError:
        return False
    return '"generated_with"' in head and set(entries) <= set(_GENERATED)


def _clear(out: Path) -> None:
    for name in _GENERATED:
        p = out / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()


def write_sample(out_dir, *, seed: int = 0, followers: int = 5000, weeks: int = 8,
                 start: str = "2026-09-28") -> Path:
    """Write the sample brand's raw exports and truth.json into ``out_dir``.

    Parameters
    ----------
    out_dir : path
        Created if absent. If it is not empty it must hold an earlier sample, which is replaced.
    seed : int
        Everything is drawn from numpy PCG64 generators seeded from it: the same seed gives
        byte-identical files.
    followers : int
        Followers of the brand at the last weekly snapshot (>= 50).
    weeks : int
        Weeks of activity (>= 2), starting Monday ``start`` in the brand's time zone.
    start : str
        ISO date of a Monday.

    Returns
    -------
    Path of ``out_dir``.

    Raises
    ------
    ParameterError
        A bad option, or ``out_dir`` not empty and not an earlier sample.

    Examples
    --------
    >>> import json, tempfile
    >>> out = write_sample(tempfile.mkdtemp(), seed=1, followers=60, weeks=2)
    >>> truth = json.loads((out / "truth.json").read_text())
    >>> truth["brand"]["handle"], truth["weeks"]
    ('acme', {'first': '2026-W40', 'last': '2026-W41'})
    """
    opts = validate_options(seed=seed, followers=followers, weeks=weeks, start=start)
    out = Path(out_dir)
    if not looks_like_sample(out):
        raise ParameterError(f"out_dir={str(out)!r}: not empty and not an earlier sample; "
                             "choose an empty or new folder")
    seed, followers, weeks = opts["seed"], opts["followers"], opts["weeks"]
    cal = build_calendar(opts["start"], weeks, BRAND["tz"])
    retrieved = cal.snapshots_ms[1:] + 15 * 60_000  # each week's search runs Monday 06:15 after it
    horizon = int(retrieved[-1])

    new, lost = follower_flows(_rng(seed, "flows"), followers=followers, weeks=weeks)
    pop = build_population(_rng(seed, "population"), audience=followers + int(lost.sum()),
                           outer=max(20, int(0.3 * followers)), link_spammers=max(4, followers // 400),
                           now_ms=cal.t0)
    graph = build_graph(_rng(seed, "graph"), pop, new=new, lost=lost, snapshots_ms=cal.snapshots_ms)
    clock = Clock(pop.tz, cal.t0, horizon)
    schedule = brand_schedule(_rng(seed, "schedule"), cal)
    rng_b = _rng(seed, "broadcast")
    regular = np.flatnonzero(schedule["pair"].to_numpy() < 0)
    broadcast = np.sort(rng_b.choice(regular, size=min(len(regular), max(2, weeks // 2)), replace=False))
    events = simulate_engagement(_rng(seed, "engagement"), pop, graph, clock, schedule,
                                 broadcast_posts=broadcast, horizon_ms=horizon)

    # --- every post ----------------------------------------------------------------------------
    rng_t = _rng(seed, "texts")
    brand = brand_specs(rng_t, pop, schedule)
    reactions = reaction_specs(rng_t, pop, events, brand, horizon_ms=cal.t_end)
    talkers = np.flatnonzero(np.isin(pop.role, ["audience", "outer"]) & (pop.spam_type == None) & ~pop.hub)  # noqa: E711
    burst_week = weeks // 2
    complaints, complaint_truth = complaint_specs(_rng(seed, "complaints"), pop, week_starts_ms=cal.week_starts_ms,
                                                  burst_week=burst_week, authors=talkers)
    chatter = chatter_specs(_rng(seed, "chatter"), pop, t0=cal.t0, t1=cal.t_end, authors=talkers,
                            per_day=max(2.0, followers / 600))
    spam = spam_specs(_rng(seed, "spam"), pop, t0=cal.t0, t1=cal.t_end)
    specs = assign_ids(_rng(seed, "ids"), brand + reactions + complaints + chatter + spam)
    specs = [s for s in specs if s["t"] < cal.t_end]
    render_tweets(_rng(seed, "render"), pop, specs)

    # --- files ---------------------------------------------------------------------------------
    out.mkdir(parents=True, exist_ok=True)
    _clear(out)
    (out / "x-v2").mkdir()
    (out / "follows").mkdir()
    n_posts = len(schedule)

    def counts_at(t_ms: int) -> dict[str, np.ndarray]:
        m = events.t_ms <= t_ms
        per = np.bincount(events.post[m] * 6 + events.kind[m], minlength=n_posts * 6).reshape(n_posts, 6)
        return {"impressions": np.bincount(events.post[m], minlength=n_posts), "likes": per[:, LIKE],
                "clicks": per[:, CLICK], "reposts": per[:, REPOST], "replies": per[:, REPLY],
                "quotes": per[:, QUOTE]}

    for w in range(weeks):
        counts = counts_at(int(retrieved[w]))
        has_link = schedule["link"].to_numpy()

        def metrics_of(s, counts=counts, has_link=has_link):
            j = s["brand_j"] if s["author"] == 0 else s.get("source_j", -1) if s["kind"] == "repost" else -1
            if j < 0:
                return {"public_metrics": dict(s["static_metrics"])}
            pub = {"retweet_count": int(counts["reposts"][j]), "reply_count": int(counts["replies"][j]),
                   "like_count": int(counts["likes"][j]), "quote_count": int(counts["quotes"][j]),
                   "impression_count": int(counts["impressions"][j])}
            if s["author"] != 0:  # a repost carries the original's public metrics (an X quirk)
                return {"public_metrics": pub}
            npm = {"impression_count": pub["impression_count"],
                   "user_profile_clicks": int(pub["impression_count"] * 0.004)}
            org = {"impression_count": pub["impression_count"], "like_count": pub["like_count"],
                   "reply_count": pub["reply_count"], "retweet_count": pub["retweet_count"],
                   "user_profile_clicks": npm["user_profile_clicks"]}
            if has_link[j]:
                npm["url_link_clicks"] = org["url_link_clicks"] = int(counts["clicks"][j])
            return {"public_metrics": pub, "non_public_metrics": npm, "organic_metrics": org}

        day = pd.Timestamp(cal.start_date) + pd.Timedelta(days=7 * w)
        followers_then = len(graph.brand_followers_at(int(retrieved[w])))
        write_tweet_pages(out / "x-v2" / f"tweets-{day.date().isoformat()}.jsonl", specs, pop=pop,
                          metrics_of=metrics_of, retrieved_ms=int(retrieved[w]),
                          start_ms=int(cal.week_starts_ms[w]), end_ms=int(cal.week_starts_ms[w + 1]),
                          brand_followers=followers_then)

    counts_by_snapshot = []
    for s_i, snap in enumerate(cal.snapshots_ms):
        day = (pd.Timestamp(cal.start_date) + pd.Timedelta(days=7 * s_i)).date().isoformat()
        fol = graph.brand_followers_at(int(snap))
        counts_by_snapshot.append(len(fol))
        write_follower_pages(out / "x-v2" / f"followers-{day}.jsonl", fol, graph.join_ms, pop=pop,
                             retrieved_ms=int(snap))
        alive = (graph.first_snap <= s_i) & (graph.last_snap >= s_i)
        src = np.concatenate([graph.src[alive], fol])
        dst = np.concatenate([graph.dst[alive], np.zeros(len(fol), dtype=np.int64)])
        write_follows(out / "follows" / f"audience-{day}.csv", src, dst, pop=pop, as_of_ms=int(snap))

    id_of_brand = {s["brand_j"]: s for s in specs if s["author"] == 0 and s.get("brand_j", -1) >= 0}
    write_conversions(out / "conversions.csv", _conversion_rows(events, schedule, id_of_brand, cal, horizon))
    write_web_analytics(out / "web-analytics.csv", channel_rows(
        _rng(seed, "channels"), start=cal.start_date, days=7 * weeks, followers=followers))
    write_effort(out / "effort.csv", effort_rows(_rng(seed, "effort"), iso_weeks=cal.iso_weeks,
                                                 burst_week=burst_week))
    pairs = _experiment_rows(schedule, id_of_brand)
    write_experiments(out / "experiments.csv", pairs)
    truth = _truth(opts, cal, pop, graph, schedule, specs, complaint_truth, pairs, counts_by_snapshot,
                   broadcast, id_of_brand)
    truth["ledger"] = ledger_truth(burst_week=cal.iso_weeks[burst_week])
    write_json(out / "truth.json", truth)
    (out / "README.md").write_text(README.format(
        seed=seed, followers=followers, weeks=weeks, start=opts["start"], brand=BRAND["handle"],
        custserv=CUSTSERV["handle"]), encoding="utf-8")
    return out


def _conversion_rows(events, schedule, id_of_brand, cal, horizon) -> pd.DataFrame:
    click = (events.kind == CLICK) & (events.t_ms <= horizon)
    if not click.any():
        return pd.DataFrame(columns=["date", "campaign", "post_id", "sessions", "conversions", "revenue"])
    t = pd.to_datetime(events.t_ms[click], unit="ms", utc=True).tz_convert(cal.tz)
    df = pd.DataFrame({
        "date": t.strftime("%Y-%m-%d"), "j": events.post[click],
        "sessions": 1, "conversions": events.converted[click].astype(int), "revenue": events.revenue[click],
    })
    g = df.groupby(["date", "j"], sort=True).agg(sessions=("sessions", "sum"), conversions=("conversions", "sum"),
                                                  revenue=("revenue", "sum")).reset_index()
    g["post_id"] = [str(id_of_brand[j]["id"]) for j in g["j"]]
    g["campaign"] = [id_of_brand[j]["utm"]["campaign"] for j in g["j"]]
    g["revenue"] = g["revenue"].round(2)
    return g.sort_values(["date", "post_id"], kind="stable")[["date", "campaign", "post_id", "sessions",
                                                               "conversions", "revenue"]]


def _experiment_rows(schedule, id_of_brand) -> list[tuple[str, str, str, str]]:
    rows = []
    exp = schedule[schedule["pair"] >= 0]
    for j, r in exp.sort_values(["pair", "experiment_arm"], kind="stable").iterrows():
        rows.append((EXPERIMENT_ID, str(r["experiment_arm"]), str(id_of_brand[j]["id"]), f"pair-{int(r['pair']) + 1:02d}"))
    return rows


def _r(x: float) -> float:
    return round(float(x), 6)


def _truth(opts, cal, pop, graph, schedule, specs, complaint_truth, pairs, counts, broadcast, id_of_brand) -> dict:
    weeks = opts["weeks"]
    followers_by_week = {}
    for w in range(weeks):
        lo, hi = cal.snapshots_ms[w], cal.snapshots_ms[w + 1]
        followers_by_week[cal.iso_weeks[w]] = {
            "start": counts[w], "end": counts[w + 1],
            "new": int(((graph.join_ms > lo) & (graph.join_ms <= hi)).sum()),
            "lost": int(((graph.leave_ms > lo) & (graph.leave_ms <= hi)).sum()),
        }
    last = graph.brand_followers_at(int(cal.snapshots_ms[-1]))
    codes, n_c = np.unique(pop.country[last].astype(str), return_counts=True)
    shares = {str(c): _r(k / len(last)) for c, k in zip(codes, n_c, strict=False)}
    accounts = {}
    for i in range(len(pop)):
        accounts[pop.account_id[i]] = {
            "handle": pop.handle[i], "role": pop.role[i], "country": pop.country[i],
            "location": pop.location[i], "tz": pop.tz[i], "spam": pop.spam_type[i] is not None,
            "spam_type": pop.spam_type[i], "hub": bool(pop.hub[i]),
        }
    true_parent = {str(s["id"]): str(s["true_parent"]) for s in specs if s["kind"] == "repost"}
    burst = sorted((s for s in specs if s.get("role") == "complaint" and s.get("topic") == complaint_truth["topic"]),
                   key=lambda s: s["id"])
    posts, authors_seen = [], []
    for k, s in enumerate(burst):
        posts.append({"post_id": str(s["id"]), "author_id": s["author_id"], "created_at": iso_ms(s["t"]),
                      "addressed": bool(s["addressed"]), "order": k + 1})
        if s["author_id"] not in authors_seen:
            authors_seen.append(s["author_id"])
    escalation = next(p["post_id"] for p in posts if p["author_id"] == authors_seen[1])
    responses = [{"complaint_post_id": str(s["reply_to_spec"]["id"]), "reply_post_id": str(s["id"]),
                  "delay_seconds": int((s["t"] - s["reply_to_spec"]["t"]) // 1000)}
                 for s in specs if s.get("role") == "custserv_reply" and s["reply_to_spec"].get("role") == "complaint"]
    content_mix = schedule["content"].value_counts()
    lift = effects.HOUR_RR[effects.EXPERIMENT_SLOTS["B"][0]] / effects.HOUR_RR[effects.EXPERIMENT_SLOTS["A"][0]] - 1
    a, b = effects.EXPERIMENT_SLOTS["A"], effects.EXPERIMENT_SLOTS["B"]
    return {
        "seed": opts["seed"],
        "generated_with": {"followers": opts["followers"], "weeks": weeks, "start": opts["start"]},
        "brand": {"handle": BRAND["handle"], "account_id": pop.account_id[0], "custserv_handle": CUSTSERV["handle"],
                  "custserv_account_id": pop.account_id[1], "tz": BRAND["tz"], "home_country": BRAND["home_country"],
                  "domain": BRAND["domain"]},
        "weeks": {"first": cal.iso_weeks[0], "last": cal.iso_weeks[-1]},
        "snapshots": [iso_ms(t) for t in cal.snapshots_ms],
        "accounts": accounts,
        "followers_by_week": followers_by_week,
        "country_shares": shares,
        "engagement": effects.engagement_truth(),
        "conversion": effects.conversion_truth(),
        "experiment": {"experiment_id": EXPERIMENT_ID, "metric": "engagement_rate",
                       "slot_a": f"{a[0]:02d}:00-{a[1]:02d}:00", "slot_b": f"{b[0]:02d}:00-{b[1]:02d}:00",
                       "lift": _r(lift), "pairs": len(pairs) // 2},
        "cascades": {"true_parent": true_parent,
                     "broadcast_posts": [str(id_of_brand[int(j)]["id"]) for j in broadcast]},
        "spam_accounts": sorted(pop.account_id[pop.spam_type != None].tolist()),  # noqa: E711
        "complaints": {"week": cal.iso_weeks[complaint_truth["week_index"]], "topic": complaint_truth["topic"],
                       "posts": posts, "escalation_post_id": escalation, "responses": responses},
        "content_mix": {k: int(content_mix.get(k, 0)) for k in ("original", "engagement", "promotion")},
        "content_type": {str(id_of_brand[j]["id"]): str(c) for j, c in enumerate(schedule["content"])},
    }
