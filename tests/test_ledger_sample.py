"""roi.ledger and `roi ledger` on the sample: planted channel rates and effort recovered."""

from __future__ import annotations

import dataclasses
import json

import pandas as pd
import pytest

from roi.cli.main import main
from roi.ledger import BRAND_POSTS, OTHER_SOCIAL, channel_conversions, ledger_findings, return_on_influence
from roi.tables import empty


@pytest.fixture(scope="module")
def sample_ledger(sample_ds, sample_truth):
    brand = sample_truth["brand"]
    return return_on_influence(sample_ds, account=brand["handle"], service_handles=[brand["custserv_handle"]],
                               value_per_case=15.0, tz=brand["tz"])


def _label(ga_name: str) -> str:
    return OTHER_SOCIAL if "social" in ga_name.casefold() else ga_name.casefold()


def test_planted_channel_rates_are_within_their_intervals(sample_ds, sample_truth):
    ids = sample_ds.posts.loc[sample_ds.posts["author_id"] == sample_truth["brand"]["account_id"], "post_id"]
    table = channel_conversions(sample_ds.conversions, brand_post_ids=ids, level=0.99).set_index("channel")
    planted = sample_truth["ledger"]["channel_rates"]
    assert len(planted) == 6
    for name, rate in planted.items():
        row = table.loc[_label(name)]
        assert row["ci_low"] <= rate <= row["ci_high"], (name, rate, row.to_dict())
        assert row["sessions"] > 500  # the sample gives every channel enough sessions to say something


def test_brand_posts_channel_is_exactly_the_posts_traffic(sample_dir, sample_ledger):
    raw = pd.read_csv(sample_dir / "conversions.csv", dtype={"utm_content": str})
    brand = sample_ledger.channels.set_index("channel").loc[BRAND_POSTS]
    assert brand["sessions"] == raw["sessions"].sum() and brand["conversions"] == raw["conversions"].sum()


def test_email_comparison_matches_what_was_planted(sample_ledger, sample_truth):
    cmp = sample_ledger.comparison.set_index("channel")
    brand_rate = float(cmp["brand_rate"].iloc[0])
    email = cmp.loc["email"]
    planted_ratio = brand_rate / sample_truth["ledger"]["channel_rates"]["Email"]
    assert email["ci_low"] <= planted_ratio <= email["ci_high"]
    expected = "worse" if planted_ratio < 1 else "better"
    assert email["verdict"] in (expected, "no clear difference")
    first = ledger_findings(sample_ledger)
    email_sentence = first[first["finding"].str.contains("email")]["finding"].iloc[0]
    assert "email" in email_sentence and "interval" in email_sentence


def test_effort_log_reaches_the_ledger(sample_dir, sample_ledger, sample_truth):
    log = pd.read_csv(sample_dir / "effort.csv")
    weeks = sample_ledger.weeks
    merged = weeks.merge(log, on=["week", "activity"], suffixes=("", "_log"))
    assert len(merged) == len(log)
    assert (merged["hours"].astype(float) == merged["hours_log"]).all()
    assert (merged["cost"].astype(float).round(2) == merged["cost_log"]).all()
    cs = weeks[weeks["activity"] == "customer service"].set_index("week")["hours"].astype(float)
    assert cs.idxmax() == sample_truth["ledger"]["customer_service_doubled_in"]
    assert sample_ledger.parameters["effort_log"] is True
    # The complaint burst is answered in its week: more answered cases than any other week.
    answered = weeks[weeks["activity"] == "customer service"].set_index("week")["count"].astype(int)
    assert answered.idxmax() == sample_truth["complaints"]["week"]


def test_without_an_effort_log_the_ledger_says_so(sample_ds, sample_truth):
    ds = dataclasses.replace(sample_ds, effort=empty("effort"))
    led = return_on_influence(ds, account=sample_truth["brand"]["handle"])
    assert led.notes[0].startswith("No effort log")
    assert led.weeks["hours"].isna().all() and led.weeks["value"].notna().any()


def test_cli_json_shape(sample_store, sample_truth, capsys):
    code = main(["ledger", "--store", str(sample_store), "--account", sample_truth["brand"]["handle"],
                 "--weeks", "3", "--value-per-conversion", "40", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert {"weeks", "channels", "comparison", "parameters", "notes", "findings"} <= set(out)
    assert len({w["week"] for w in out["weeks"]}) == 3
    assert {"week", "activity", "hours", "cost", "value", "value_per_hour"} <= set(out["weeks"][0])
    assert {"channel", "sessions", "conversions", "rate", "ci_low", "ci_high", "revenue"} <= set(out["channels"][0])
    assert out["channels"][0]["channel"] == BRAND_POSTS
    assert {"channel", "ratio", "ci_low", "ci_high", "verdict"} <= set(out["comparison"][0])
    assert out["parameters"]["value_per_conversion"] == 40.0
    content = [w for w in out["weeks"] if w["activity"] == "content"]
    assert all(w["value"] == 40.0 * w["conversions"] for w in content)


def test_cli_text_and_bad_input(sample_store, sample_truth, capsys):
    assert main(["ledger", "--store", str(sample_store), "--account", sample_truth["brand"]["handle"]]) == 0
    text = capsys.readouterr().out
    assert "converts" in text and "Channels" in text and "<NA>" not in text
    assert main(["ledger", "--store", str(sample_store), "--account", "acme", "--value", "hearts=1"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown type(s) hearts" in err
