"""Planted-effect recovery on the generated sample brand (fixed seed): the analysis finds what
truth.json says was built in — the best hour, the hashtag optimum, every engagement rate ratio
inside its 95% interval, and the identifiable conversion effects."""

from __future__ import annotations

import json

import pytest

from roi.cli.main import main
from roi.engagement import (
    DAYPARTS,
    account_metrics,
    best_hours,
    classify_content,
    conversion_funnel,
    conversions_by_channel,
    engagement_by_hashtag_count,
    engagement_kpis,
    fit_conversion_model,
    fit_engagement_model,
)
from roi.timeframe import week_bounds


@pytest.fixture(scope="module")
def brand(sample_ds, sample_truth):
    b = sample_truth["brand"]
    metrics = account_metrics(sample_ds, b["handle"])
    content = classify_content(sample_ds.posts, brand_domains=[b["domain"]], brand_ids=[b["account_id"]])
    model = fit_engagement_model(metrics, tz=b["tz"], content=content)
    return metrics, content, model


def test_best_hour_is_in_top_three(brand, sample_truth):
    metrics, _, model = brand
    top3 = best_hours(metrics, tz=sample_truth["brand"]["tz"], model=model).hour.head(3).tolist()
    assert sample_truth["engagement"]["best_hour"] in top3


def test_hashtag_optimum_found(brand, sample_truth):
    _, _, model = brand
    e = model.effects.set_index("term")
    best = max(["1", "2", "3", "4+"], key=lambda k: e.loc[f"hashtags={k}", "irr"])
    assert int(best) in sample_truth["engagement"]["hashtag_optimum"]
    assert e.loc[f"hashtags={best}", "ci_low"] > 1  # and it beats no hashtags
    raw = engagement_by_hashtag_count(metrics := brand[0]).set_index("hashtags")  # noqa: F841
    assert raw.loc["1", "engagement_rate"] > raw.loc["0", "engagement_rate"]


def _outside(effects, planted):
    e = effects.set_index("term")
    return {t: (round(v, 3), round(float(e.loc[t, "ci_low"]), 3), round(float(e.loc[t, "ci_high"]), 3))
            for t, v in planted.items() if not e.loc[t, "ci_low"] <= v <= e.loc[t, "ci_high"]}


def test_each_planted_rate_ratio_inside_its_interval(brand, sample_truth):
    _, _, model = brand
    truth = sample_truth["engagement"]
    planted = {f"hashtags={k if k != '4' else '4+'}": v for k, v in truth["hashtags_rr"].items() if k != "0"}
    planted |= {"mention": truth["mention_rr"], "question": truth["question_rr"]}
    planted |= {f"content={k}": v / truth["content_rr"]["original"] for k, v in truth["content_rr"].items()
                if k != "original"}
    assert not _outside(model.effects, planted), _outside(model.effects, planted)


def test_hour_ratios_inside_their_intervals(brand, sample_truth):
    _, _, model = brand
    hour_rr = sample_truth["engagement"]["hour_rr"]
    e = model.effects
    ref = e.loc[e.term.str.startswith("hour="), "reference"].iloc[0].split("=")[1]
    assert "-" not in ref  # the reference is a single, well-posted hour
    # the ratio that matters for scheduling: the planted best hour against the A/B test's morning slot
    best = sample_truth["engagement"]["best_hour"]
    morning = int(sample_truth["experiment"]["slot_a"][:2])
    c = model.contrast(f"hour={best}", f"hour={morning}")
    assert c["ci_low"] <= hour_rr[str(best)] / hour_rr[str(morning)] <= c["ci_high"]
    # every single-hour term at once: with ~19 hour terms, 95% intervals each would miss about one
    # by chance, so the family is checked with simultaneous (Bonferroni) 95% intervals
    single = e.term[e.term.str.match(r"^hour=\d+$")].tolist()
    assert len(single) >= 12
    planted = {t: hour_rr[t.split("=")[1]] / hour_rr[ref] for t in single}
    family = model.effects_at(1 - 0.05 / len(single))
    assert not _outside(family, planted), _outside(family, planted)


def test_overdispersion_reported(brand):
    od = brand[2].overdispersion
    assert od["family"] == "negative binomial (NB2)"
    assert od["alpha"] > 0 and od["lr_p_value"] < 0.05  # the sample's gamma frailty is found


def test_conversion_effects_where_identifiable(brand, sample_truth):
    metrics = brand[0]
    truth = sample_truth["conversion"]
    model = fit_conversion_model(metrics, tz=sample_truth["brand"]["tz"], hour_buckets=DAYPARTS)
    e = model.effects.set_index("term")
    hashtag = truth["hashtag_rr"]["1+"] / truth["hashtag_rr"]["0"]
    assert e.loc["hashtags=1+", "ci_low"] <= hashtag <= e.loc["hashtags=1+", "ci_high"]
    assert e.loc["hashtags=1+", "ci_high"] < 1  # hashtags hurt conversion, as planted
    ref = e.loc["hashtags=1+", "reference"]  # hours are compared with daytime 9-16
    assert e.loc["hour=17-21", "reference"] == "hour=9-16" and ref == "hashtags=0"
    evening = truth["hour_rr"]["18"] / truth["hour_rr"]["12"]
    assert e.loc["hour=17-21", "ci_low"] <= evening <= e.loc["hour=17-21", "ci_high"]


def test_funnel_totals_match_the_conversions_table(brand, sample_ds):
    metrics = brand[0]
    f = conversion_funnel(metrics, links_only=False).iloc[0]
    mine = sample_ds.conversions[sample_ds.conversions.post_id.isin(metrics.post_id)]
    assert f.web_clicks == mine.clicks.sum() and f.conversions == mine.conversions.sum()
    by_hour = conversion_funnel(metrics, by="hour", tz="America/New_York", links_only=False)
    assert by_hour.conversions.sum() == f.conversions
    channels = conversions_by_channel(sample_ds.conversions)
    assert channels.set_index("channel").loc["all social", "conversions"] <= sample_ds.conversions.conversions.sum()


def test_kpis_for_a_week(brand, sample_truth):
    metrics = brand[0]
    start, end = week_bounds(sample_truth["weeks"]["last"], tz=sample_truth["brand"]["tz"])
    k = engagement_kpis(metrics, start=start, end=end).set_index("kpi")
    in_week = metrics[(metrics.created_at >= start) & (metrics.created_at < end)]
    assert k.loc["posts", "value"] == len(in_week) and k.loc["posts", "previous"] > 0
    assert k.loc["engagement_rate", "value"] == pytest.approx(
        in_week.engagements.sum() / in_week.impressions.sum())


def test_cli_json_shape(sample_store, capsys):
    assert main(["timing", "--store", str(sample_store), "--account", "acme", "--tz", "America/New_York",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"best_slots", "effects", "numerator", "denominator", "basis", "influence"} <= set(out)
    assert out["numerator"] == "likes+reposts+replies+quotes+link_clicks" and out["denominator"] == "impressions"
    assert {"weekday", "hour", "rate", "ci_low", "ci_high", "posts", "sparse", "denominator"} <= set(out["best_slots"][0])
    assert {"term", "irr", "ci_low", "ci_high", "reference", "posts", "p_value", "p_adjusted"} <= set(out["effects"][0])
    assert all(s["posts"] >= 5 for s in out["best_slots"])
    rates = [s["rate"] for s in out["best_slots"]]
    assert rates == sorted(rates, reverse=True)
    assert all(0 <= s["weekday"] <= 6 and 0 <= s["hour"] <= 23 for s in out["best_slots"])


def test_cli_text_and_errors(sample_store, capsys):
    assert main(["timing", "--store", str(sample_store), "--account", "@ACME", "--tz", "America/New_York"]) == 0
    assert "Best times to post" in capsys.readouterr().out
    assert main(["timing", "--store", str(sample_store), "--account", "nobody"]) == 2
    err = capsys.readouterr().err
    assert "nobody" in err and len(err.strip().splitlines()) == 1
    assert main(["timing", "--store", str(sample_store), "--account", "acme", "--tz", "Mars/Base"]) == 2
    assert "Mars/Base" in capsys.readouterr().err


def test_content_mix_close_to_planted(brand, sample_truth):
    content = brand[1]
    counts = content.content_type.value_counts()
    planted = sample_truth["content_mix"]
    assert counts.get("promotion", 0) == planted["promotion"]
    total = sum(planted.values())
    assert sum(counts) == total
    # originals whose question tail says "reply and tell us" read as invitations: a few percent
    assert abs(counts.get("engagement", 0) - planted["engagement"]) <= 0.05 * total
