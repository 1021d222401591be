"""The NB2 model: recovers known IRRs from data simulated with them, names terms as a reader
would, checks overdispersion both ways, buckets hours, and ranks slots by its predictions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from roi.engagement import best_hours, best_slots, fit_engagement_model, hour_buckets, post_metrics
from roi.errors import ParameterError
from roi.tables import conform

NY = "America/New_York"
HOUR_RR = {h: 1.0 for h in range(24)} | {9: 1.2, 12: 0.8, 18: 1.6, 21: 0.7}
HASHTAGS_RR = [1.0, 1.35, 1.3, 0.85, 0.7]


def simulate(n=800, *, alpha=0.3, seed=0, hours=(9, 12, 15, 18, 21)):
    """Posts whose engagements are NB2 with the rate ratios above (local hours in New York)."""
    rng = np.random.default_rng(seed)
    hour = rng.choice(hours, n)
    day = pd.Timestamp("2026-10-05") + pd.to_timedelta(rng.integers(0, 56, n), unit="D")  # spans the DST end
    local = (day + pd.to_timedelta(hour, unit="h") + pd.to_timedelta(rng.integers(0, 60, n), unit="min"))
    created = local.tz_localize(NY).tz_convert("UTC")
    nh = rng.choice(5, n, p=[.3, .25, .2, .15, .1])
    mention = rng.random(n) < .3
    question = rng.random(n) < .25
    imp = rng.integers(2000, 20000, n)
    mu = (imp * 0.03 * np.array([HOUR_RR[h] for h in hour]) * np.array(HASHTAGS_RR)[nh]
          * np.where(mention, 1.2, 1) * np.where(question, 1.4, 1))
    lam = mu * (rng.gamma(1 / alpha, alpha, n) if alpha > 0 else 1.0)
    eng = rng.poisson(lam)
    posts = conform("posts", {
        "platform": ["x"] * n, "post_id": [str(i) for i in range(n)], "author_id": ["b"] * n,
        "kind": ["original"] * n, "created_at": created,
        "text": [("Is it? " if q else "Now. ") + ("@bob" if m else "") for q, m in zip(question, mention, strict=False)],
        "hashtags": [[f"t{j}" for j in range(k)] for k in nh],
        "mentions": [["bob"] if m else [] for m in mention], "urls": [[]] * n,
        "impressions": imp, "likes": eng, "reposts": 0, "replies": 0, "quotes": 0})
    return post_metrics(posts)


@pytest.fixture(scope="module")
def simulated():
    m = simulate()
    return m, fit_engagement_model(m, tz=NY)


def test_terms_are_named_for_readers(simulated):
    _, model = simulated
    e = model.effects
    assert {"hashtags=1", "hashtags=4+", "mention", "question", "weekday=Tue"} <= set(e.term)
    hour_terms = {t for t in e.term if t.startswith("hour=")}
    reference = e.loc[e.term.str.startswith("hour="), "reference"].unique().tolist()
    assert len(reference) == 1  # every hour is compared with the same, most-posted hour
    assert hour_terms | set(reference) == {f"hour={h}" for h in (9, 12, 15, 18, 21)}
    assert set(e.set_index("term").loc[["hashtags=1", "mention"], "reference"]) == {"hashtags=0", "no mention"}


def test_recovers_planted_irrs(simulated):
    _, model = simulated
    e = model.effects.set_index("term")
    ref = int(e.loc["hour=9", "reference"].split("=")[1])
    truth = {f"hour={h}": HOUR_RR[h] / HOUR_RR[ref] for h in (9, 12, 15, 18, 21) if h != ref}
    truth |= {f"hashtags={k}": HASHTAGS_RR[i] for i, k in enumerate(["0", "1", "2", "3", "4+"]) if i}
    truth |= {"mention": 1.2, "question": 1.4} | {f"weekday={d}": 1.0 for d in ["Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}
    inside = {t: e.loc[t, "ci_low"] <= v <= e.loc[t, "ci_high"] for t, v in truth.items()}
    assert sum(inside.values()) >= len(truth) - 1, inside  # 95% intervals: at most one miss of 16


def test_overdispersion_check_both_ways(simulated):
    _, model = simulated
    od = model.overdispersion
    assert od["family"] == "negative binomial (NB2)"
    assert od["alpha_ci_low"] < 0.3 < od["alpha_ci_high"]
    assert od["lr_p_value"] < 1e-6 and od["poisson_pearson_dispersion"] > 5
    poisson = fit_engagement_model(simulate(alpha=0, seed=1), tz=NY).overdispersion
    assert 0.7 < poisson["poisson_pearson_dispersion"] < 1.3
    assert poisson["alpha"] < 0.01


def test_best_hour_and_slots(simulated):
    m, model = simulated
    hours = best_hours(m, tz=NY, model=model)
    assert hours.iloc[0].hour == 18
    assert 3 not in set(hours.hour)  # no posts at 03:00: never ranked
    slots = best_slots(m, tz=NY, model=model)
    assert slots.iloc[0].hour == 18 and (slots.posts >= 5).all() and not slots["sparse"].any()
    top = slots.iloc[0]
    assert top.ci_low < top.rate < top.ci_high
    assert set(slots.numerator) == {"likes+reposts+replies+quotes+link_clicks"}
    assert set(slots.denominator) == {"impressions"}
    every = best_slots(m, tz=NY, model=model, include_sparse=True)
    assert every.posts.sum() == len(m) and (every.posts > 0).all()
    assert slots.attrs["without_posts"] == 168 - len(every)


def test_hour_buckets_merge_quiet_hours():
    b = hour_buckets([9] * 6 + [10] + [11] * 6, min_posts=5)
    assert b[9] != b[11] and b[10] in (b[9], b[11])
    assert len(set(hour_buckets(range(24), min_posts=1).values())) == 24


def test_level_without_events_is_dropped_not_zero():
    m = simulate(200, seed=3)
    late = m.created_at.dt.tz_convert(NY).dt.hour == 21
    m.loc[late, ["likes", "engagements"]] = 0
    model = fit_engagement_model(m, tz=NY, weekday=False)
    assert "hour=21 (no engagements)" in model.dropped
    assert model.effects.irr.min() > 0.1


def test_errors():
    m = simulate(20, seed=4)
    with pytest.raises(ParameterError, match="too few posts"):
        fit_engagement_model(m.head(8), tz=NY)
    with pytest.raises(ParameterError, match="tz="):
        fit_engagement_model(m, tz="Nowhere/Land")
    with pytest.raises(ParameterError, match="missing"):
        fit_engagement_model(m.drop(columns="hashtag_count"), tz=NY)
