"""The report's opening in words: findings recover what the sample planted (read from truth.json),
and say "too little data" where the evidence is not there."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_report import tiny_store

from roi.report import findings as fnd
from roi.report import prepare, sections


@pytest.fixture(scope="module")
def sample_ctx(sample_store, sample_truth):
    brand = sample_truth["brand"]
    return prepare(sample_store, account=brand["handle"], week=sample_truth["weeks"]["last"], tz=brand["tz"],
                   home_country=brand["home_country"], brand_domain=brand["domain"],
                   service_handles=brand["custserv_handle"])


@pytest.fixture(scope="module")
def sample_findings(sample_ctx):
    return {f.topic: f for f in sections.summary_findings(sample_ctx)}


def test_best_hour_is_the_planted_one_with_its_interval(sample_findings, sample_truth):
    f = sample_findings["best hour"]
    assert f.supported and f.numbers["hour"] == sample_truth["engagement"]["best_hour"]
    assert f.numbers["ci_low"] > 1 and "95% interval" in f.sentence
    assert f"{sample_truth['engagement']['best_hour']:02d}:00" in f.sentence and "New York" in f.sentence


def test_hashtag_effect_is_the_planted_optimum(sample_findings, sample_truth):
    f = sample_findings["hashtags"]
    assert f.supported and f.numbers["better"] == sample_truth["engagement"]["hashtag_optimum"]
    assert "95% interval" in f.sentence and "no better than none" in f.sentence


def test_ab_result_names_the_planted_slots_and_covers_the_planted_lift(sample_findings, sample_truth):
    f, truth = sample_findings["experiment"], sample_truth["experiment"]
    assert f.supported and f.numbers["slot_a"] == truth["slot_a"] and f.numbers["slot_b"] == truth["slot_b"]
    assert f.numbers["ci_low"] <= truth["lift"] <= f.numbers["ci_high"]
    assert f"{f.numbers['lift']:+.0%}"[1:] in f.sentence and "95% interval" in f.sentence


def test_complaint_burst_is_the_planted_one(sample_findings, sample_truth):
    f, truth = sample_findings["complaints"], sample_truth["complaints"]
    assert f.supported and f.numbers["topic"]
    planted_words = set(truth["topic"].lower().split())
    assert set(f.numbers["topic"].lower().split()) <= planted_words
    days = pd.to_datetime([p["created_at"] for p in truth["posts"]], utc=True).tz_convert(sample_truth["brand"]["tz"])
    busiest = pd.Series(days.normalize().tz_localize(None)).value_counts().index[0]
    assert f.numbers["first"] <= busiest <= f.numbers["last"]


def test_recommendations_follow_from_the_findings(sample_ctx, sample_findings, sample_truth):
    todo = fnd.recommendations(list(sample_findings.values()))
    assert 2 <= len(todo) <= 4
    assert any(f"{sample_truth['engagement']['best_hour']:02d}:00" in t for t in todo)


def test_opening_names_account_week_cards_and_sentences(sample_ctx, sample_truth):
    html = sections.opening(sample_ctx)._repr_html_()
    assert f"@{sample_truth['brand']['handle']}" in html and "<h1>" in html
    assert html.count('class="roi-card"') == 5 and html.count("<svg") == 5
    assert "This week in six sentences" in html and "Next week" in html  # five + the channel comparison
    assert "<NA>" not in html and "nan" not in html.lower().replace("nanosecond", "")


def test_a_store_with_too_little_data_says_so(tmp_path):
    ctx = prepare(tiny_store(tmp_path / "store"), account="acme", week="2026-W47", tz="America/New_York")
    found = sections.summary_findings(ctx)
    for f in found:
        if f.topic in ("best hour", "hashtags", "experiment", "complaints"):
            assert not f.supported, f.sentence
            assert "too little data" in f.sentence or "none in the store" in f.sentence
    assert fnd.recommendations(found) == []
    assert "Too little evidence" in sections.opening(ctx)._repr_html_()


def test_an_hour_without_enough_posts_is_not_named():
    effects = pd.DataFrame({"term": ["hour=18", "hour=3"], "irr": [1.1, 3.0], "ci_low": [0.9, 1.5],
                            "ci_high": [1.3, 6.0], "p_value": [0.3, 0.001], "reference": ["hour=9"] * 2,
                            "posts": [40, 2]})
    f = fnd.best_hour_finding(effects, tz="UTC")
    assert not f.supported and "too little data" in f.sentence


def test_an_inconclusive_ab_test_is_called_so():
    s = pd.DataFrame({"experiment_id": ["e"], "slot_a": ["09:00-10:00"], "slot_b": ["18:00-19:00"], "posts_a": [5],
                      "posts_b": [5], "lift": [0.1], "ci_low": [-0.2], "ci_high": [0.5]})
    f = fnd.experiment_finding(s)
    assert not f.supported and "no clear winner" in f.sentence


def test_engagement_with_too_few_posts_has_no_interval_claim():
    t = pd.DataFrame({"week": ["a", "b"], "engagement_rate": [0.03, 0.05], "engagement_rate_low": [np.nan, np.nan],
                      "engagement_rate_high": [np.nan, np.nan], "engagements": [3, 5], "impressions": [100, 100]})
    f = fnd.engagement_finding(t)
    assert f.confidence == "too little data to say" and "too few posts" in f.sentence


def test_without_web_analytics_clicks_and_conversions_are_unknown_not_zero(tmp_path):
    ctx = prepare(tiny_store(tmp_path / "store"), account="acme", week="2026-W47", tz="America/New_York")
    assert ctx.trends[["web_clicks", "conversions"]].isna().all().all()
    cards = {c.label: c.value for c in sections.kpi_cards(ctx.trends)} if hasattr(sections, "kpi_cards") else None
    assert cards is None or (cards["Web clicks"] == "—" and cards["Conversions"] == "—")


def test_ledger_section_compares_channels_and_names_what_is_missing(sample_ctx, sample_truth):
    """The sample plants email converting far above social: the section and the summary say so in words."""
    import re

    html = sections.ledger(sample_ctx)._repr_html_()
    text = re.sub(r"<[^>]+>", " ", html)
    assert "Return on influence" in html and "Conversion rate by channel" in html
    assert "converts worse than email" in text  # the planted comparison, in words
    assert "Social: the brand&#x27;s posts" in html
    assert "no value per case was set" in text  # what is missing, said plainly
    assert not re.search(r"<NA>|\bNaN\b|\bnan\b|\bTrue\b|\bFalse\b|\d[eE]-0\d|_", text.replace("&#x27;", "'"))
    f = {x.topic: x for x in sections.summary_findings(sample_ctx)}["channels"]
    truth = sample_truth["ledger"]["channel_rates"]
    assert f.supported and f.numbers["channel"] == "email" and f.numbers["verdict"] == "worse"
    assert f.numbers["ci_high"] < 1  # brand posts / email, clearly below 1
    assert f.numbers["conversions"] / f.numbers["sessions"] > truth["Organic Social"]  # email's rate, not social's
    from roi.report.format import percent
    assert percent(f.numbers["brand_conversions"] / f.numbers["brand_sessions"]) in text  # rate shown as a percentage
    opening = sections.opening(sample_ctx)._repr_html_()
    assert "This week in six sentences" in opening and opening.count('<li class="roi-finding') == 6


def test_ledger_section_without_web_analytics_is_one_sentence_no_table(tmp_path):
    ctx = prepare(tiny_store(tmp_path / "store"), account="acme", week="2026-W47", tz="America/New_York")
    html = sections.ledger(ctx)._repr_html_()
    assert "No web analytics in the store" in html and "<table" not in html.split("<details")[0]
    assert "No effort log" in html
    assert not any(f.topic == "channels" for f in sections.summary_findings(ctx))
    assert "This week in five sentences" in sections.opening(ctx)._repr_html_()


def test_ledger_section_for_an_account_without_posts_is_one_sentence(tmp_path):
    ctx = prepare(tiny_store(tmp_path / "store"), account="bob", week="2026-W47", tz="America/New_York")
    html = sections.ledger(ctx)._repr_html_()
    assert "No posts by @bob in the store" in html and "<table" not in html


def test_best_hour_is_set_against_the_usual_hour_it_beats(tmp_path):
    """Two adjacent evening hours are both best and the model's reference is one of them: the
    sentence must still say the evening beat the usual morning hour (it said "too little data")."""
    from test_x_analytics import _year_of_exports

    from roi.cli.main import main
    from roi.report import prepare
    from roi.report.findings import best_hour_finding

    assert main(["ingest", str(_year_of_exports(tmp_path / "exports")), "--store", str(tmp_path / "s")]) == 0
    ctx = prepare(tmp_path / "s", account="AcmeKitchen", tz="Europe/London")
    found = best_hour_finding(None, tz="Europe/London", model=ctx.model)
    assert found.supported and found.numbers["hour"] in (18, 19), found.sentence
    assert found.numbers["reference"] in ("09:00", "10:00", "13:00", "14:00")
    assert 1.5 < found.numbers["irr"] < 2.6 and found.numbers["ci_low"] > 1  # planted: 2x likes per view
    assert "not clearly behind it" in found.sentence
    # effects alone (no covariance): the old comparison with the reference, which says less
    assert not best_hour_finding(ctx.model.effects, tz="Europe/London").supported


def test_a_model_without_hashtag_or_hour_terms_is_not_called_unfitted():
    import pandas as pd

    from roi.report.findings import best_hour_finding, hashtag_finding

    e = pd.DataFrame({"term": ["weekday=Tue"], "irr": [1.1], "ci_low": [0.9], "ci_high": [1.3], "p_value": [0.3],
                      "reference": ["weekday=Mon"], "posts": [40]})
    assert "too few different numbers of hashtags" in hashtag_finding(e).sentence
    assert "too few different hours" in best_hour_finding(e, tz="UTC").sentence
    assert "no engagement model could be fitted" in hashtag_finding(None).sentence
