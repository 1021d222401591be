"""roi.ledger on tiny hand-checked tables: channels, comparison, value, the weekly ledger, findings."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from roi.errors import ParameterError
from roi.ledger import (
    BRAND_POSTS,
    NOT_GIVEN,
    OTHER_SOCIAL,
    channel_conversions,
    compare_channels,
    conversion_value,
    ledger_findings,
    return_on_influence,
    service_value,
    weekly_ledger,
)
from roi.tables import conform, empty


def _conversions():
    return conform("conversions", {
        "post_id": ["p1", "p2", None, None, "camp", None, None],
        "date": ["2026-10-05", "2026-10-12", "2026-10-05", "2026-10-12", "2026-10-05", "2026-10-05", "2026-10-05"],
        "channel": ["social", "Organic Social", "Email", "email ", "Paid Social", None, "Organic Search"],
        "clicks": [100, 100, 50, 50, 40, 10, 0],
        "conversions": [5, 3, 6, 4, 1, 0, 0],
        "revenue": [50.0, None, 60.0, 40.0, None, None, None],
        "landing_page": [None, None, "/", "/sale", None, "/", "/"],
    })


def test_channels_split_social_and_name_numerator_and_denominator():
    t = channel_conversions(_conversions(), brand_post_ids=["p1", "p2"])
    assert t["channel"].tolist() == [BRAND_POSTS, "email", OTHER_SOCIAL, NOT_GIVEN, "organic search"]
    assert t["sessions"].tolist() == [200, 100, 40, 10, 0]
    assert t["conversions"].tolist() == [8, 10, 1, 0, 0]
    assert t["rate"].iloc[0] == pytest.approx(0.04) and pd.isna(t["rate"].iloc[-1])
    # Wilson 95% for 10 of 100 (published: 0.0552 to 0.1744)
    assert t.loc[1, ["ci_low", "ci_high"]].astype(float).round(4).tolist() == [0.0552, 0.1744]
    assert t["revenue"].iloc[0] == pytest.approx(50.0) and pd.isna(t["revenue"].iloc[2])  # none given is not 0


def test_channels_by_week_and_week_filter():
    t = channel_conversions(_conversions(), brand_post_ids=["p1", "p2"], by_week=True)
    assert t[["week", "channel", "sessions"]].values.tolist()[:2] == [["2026-W41", BRAND_POSTS, 100],
                                                                      ["2026-W41", "email", 50]]
    only = channel_conversions(_conversions(), brand_post_ids=["p1", "p2"], weeks=["2026-W42"])
    assert only["sessions"].tolist() == [100, 50]


def test_comparison_ratio_interval_and_verdicts():
    c = conform("conversions", {"post_id": ["b", None, None, None], "channel": ["social", "email", "direct", "referral"],
                                "date": ["2026-10-05"] * 4, "clicks": [1000, 1000, 1000, 500],
                                "conversions": [50, 100, 48, 0]})
    cmp = compare_channels(channel_conversions(c, brand_post_ids=["b"])).set_index("channel")
    assert cmp.loc["email", "ratio"] == pytest.approx(0.5)
    assert cmp.loc["email", "ci_low"] < 0.5 < cmp.loc["email", "ci_high"] < 1
    assert cmp.loc["email", "verdict"] == "worse"
    assert cmp.loc["direct", "verdict"] == "no clear difference"
    assert cmp.loc["direct", "ci_low"] < 1 < cmp.loc["direct", "ci_high"]
    assert cmp.loc["referral", "verdict"] == "not comparable" and pd.isna(cmp.loc["referral", "ratio"])
    assert (cmp["p_holm"].dropna() >= cmp["p_value"].dropna()).all()


def test_comparison_without_brand_sessions_is_empty():
    c = conform("conversions", {"post_id": [None], "channel": ["email"], "date": ["2026-10-05"], "clicks": [9],
                                "conversions": [1]})
    assert compare_channels(channel_conversions(c, brand_post_ids=["b"])).empty


def test_conversion_value_uses_the_set_value_else_revenue_never_a_guess():
    acts = pd.DataFrame({"post_id": ["p1", "p2"], "activity": ["content", "promotion"]})
    by_revenue = conversion_value(_conversions(), acts)
    assert by_revenue.values.tolist() == [["2026-W41", "content", 100, 5, 50.0], ["2026-W42", "promotion", 100, 3, pd.NA]]
    set_value = conversion_value(_conversions(), acts, value_per_conversion=10)
    assert set_value["conversion_value"].tolist() == [50.0, 30.0]
    with pytest.raises(ParameterError, match="value_per_conversion=-1"):
        conversion_value(_conversions(), acts, value_per_conversion=-1)


def _service_posts():
    return conform("posts", {
        "platform": ["x"] * 5, "post_id": ["c1", "r1", "c2", "c3", "b1"],
        "author_id": ["u1", "cs", "u2", "u3", "brand"],
        "kind": ["original", "reply", "original", "original", "original"],
        "referenced_id": [None, "c1", None, None, None], "conversation_id": ["c1", "c1", "c2", "c3", "b1"],
        "created_at": ["2026-10-05T10:00Z", "2026-10-05T11:00Z", "2026-10-06T10:00Z", "2026-10-12T10:00Z",
                       "2026-10-05T09:00Z"],
        "text": ["@acmecare my kettle is broken and leaking, terrible", "@u1 so sorry, DM us",
                 "@acme the lid is broken, awful service", "@acme love it", "How we test knives"],
        "mentions": [["acmecare"], ["u1"], ["acme"], ["acme"], []], "hashtags": [[]] * 5,
    })


def test_service_value_counts_answered_complaints_and_values_them_only_when_asked():
    posts = _service_posts()
    counted = service_value(posts, brand_ids=["brand", "cs"], handles=["acme", "acmecare"])
    assert counted[["week", "activity", "answered_cases"]].values.tolist() == [["2026-W41", "customer service", 1]]
    assert counted["service_value"].isna().all()
    valued = service_value(posts, brand_ids=["brand", "cs"], handles=["acme", "acmecare"], value_per_case=12.5)
    assert valued["service_value"].tolist() == [12.5]


def test_weekly_ledger_without_effort_keeps_returns_and_rates_per_week():
    values = pd.DataFrame({"week": ["2026-W40", "2026-W41"], "activity": ["content"] * 2,
                           "conversions": [4, 8], "value": [40.0, 80.0]})
    led = weekly_ledger(empty("effort"), values, valued=["content"])
    content = led[led["activity"] == "content"]
    assert content["hours"].isna().all() and content["value_per_hour"].isna().all()
    assert content["count_per_hour"].tolist() == [4.0, 8.0]  # a week is the exposure without a log
    assert content["count_change"].iloc[1] == pytest.approx(1.0)
    # Every activity of the log appears for every week; unpriced ones stay absent, not zero.
    assert led["activity"].tolist()[:5] == ["content", "engagement", "customer service", "promotion", "ads"]
    assert led.loc[led["activity"] == "ads", "value"].isna().all()


def test_weekly_ledger_value_per_hour_and_zero_for_priced_weeks_without_returns():
    effort = conform("effort", {"week": ["2026-W40", "2026-W41", "2026-W41"], "activity": ["content", "content", "ads"],
                                "hours": [10.0, 0.0, 2.0], "cost": [400.0, 0.0, 330.0]})
    values = pd.DataFrame({"week": ["2026-W40"], "activity": ["content"], "conversions": [5], "value": [250.0]})
    led = weekly_ledger(effort, values, valued=["content"]).set_index(["week", "activity"])
    assert led.loc[("2026-W40", "content"), "value_per_hour"] == pytest.approx(25.0)
    assert led.loc[("2026-W41", "content"), "value"] == 0.0  # priced, and nothing came back
    assert pd.isna(led.loc[("2026-W41", "content"), "value_per_hour"])  # 0 hours: no rate
    assert led.loc[("2026-W41", "ads"), "cost"] == 330.0 and pd.isna(led.loc[("2026-W41", "ads"), "value"])
    with pytest.raises(ParameterError, match="baseline_weeks=0"):
        weekly_ledger(effort, values, baseline_weeks=0)


def test_change_interval_covers_the_rate_ratio_and_handles_a_zero_week():
    effort = conform("effort", {"week": ["2026-W40", "2026-W41", "2026-W42"], "activity": ["content"] * 3,
                                "hours": [10.0, 10.0, 5.0]})
    values = pd.DataFrame({"week": ["2026-W40", "2026-W41", "2026-W42"], "activity": ["content"] * 3,
                           "conversions": [30, 4, 0], "value": [300.0, 40.0, 0.0]})
    led = weekly_ledger(effort, values, valued=["content"], baseline_weeks=1)
    w41, w42 = led[led["activity"] == "content"].iloc[1], led[led["activity"] == "content"].iloc[2]
    assert w41["count_change"] == pytest.approx(4 / 30 - 1)
    assert w41["change_ci_low"] < 4 / 30 - 1 < w41["change_ci_high"] < 0  # a clear fall
    assert w42["count_change"] == pytest.approx(-1.0) and w42["change_ci_low"] == pytest.approx(-1.0)
    # 0 in 5 hours after 4 in 10: 2 expected, and P(0 of 4 fall in the 5 hours) = (2/3)^4 = 0.2
    assert w42["change_ci_high"] > 0
    assert int(w42["baseline_weeks"]) == 1


def _tiny_dataset(effort=None):
    accounts = conform("accounts", {"platform": ["x", "x"], "account_id": ["brand", "cs"], "handle": ["acme", "acmecare"]})
    return SimpleNamespace(accounts=accounts, posts=_service_posts(), conversions=conform("conversions", {
        "post_id": ["b1", None], "date": ["2026-10-05", "2026-10-05"], "channel": ["social", "email"],
        "clicks": [200, 100], "conversions": [4, 10]}), effort=effort if effort is not None else empty("effort"))


def test_return_on_influence_says_what_is_missing_and_values_nothing_unset():
    led = return_on_influence(_tiny_dataset(), account="acme", service_handles=["acmecare"])
    assert any("No effort log" in n for n in led.notes)
    assert any("not valued" in n for n in led.notes)
    assert led.weeks["hours"].isna().all() and led.weeks["value"].isna().all()
    cs = led.weeks[led.weeks["activity"] == "customer service"]
    assert cs["count"].tolist() == [1]
    assert led.parameters["value_per_case"] is None and led.parameters["effort_log"] is False
    text = " ".join(ledger_findings(led)["finding"])
    assert "converts worse than email" in text and "answered 1 complaint (not valued)" in text
    assert "<NA>" not in text and "nan" not in text


def test_return_on_influence_with_effort_and_values():
    effort = conform("effort", {"week": ["2026-W41"] * 2, "activity": ["content", "customer service"],
                                "hours": [8.0, 2.0], "cost": [320.0, 80.0]})
    led = return_on_influence(_tiny_dataset(effort), account="acme", service_handles=["acmecare"],
                              value_per_conversion=25, value_per_case=10)
    w = led.weeks.set_index("activity")
    assert w.loc["content", "value"] == 100.0 and w.loc["content", "value_per_hour"] == pytest.approx(12.5)
    assert w.loc["customer service", "value"] == 10.0 and w.loc["customer service", "value_per_hour"] == 5.0
    sentences = ledger_findings(led)
    assert sentences["topic"].tolist()[0] == "channels"
    assert "Values used: a conversion = 25.00; an answered complaint = 10.00" in sentences["finding"].iloc[-1]
    service = sentences[sentences["finding"].str.startswith("Customer service in")]["finding"].iloc[0]
    assert "answered 1 complaint, returned 10.00" in service  # valued: the count is still said
    numbers = sentences[sentences["finding"].str.startswith("Content in")]["numbers"].iloc[0]
    assert numbers["value"] == 100.0 and numbers["hours"] == 8.0


def test_without_web_analytics_conversions_are_unknown_not_zero():
    """No web analytics: nothing says how many conversions the posts brought, so the count, its
    rate and its change are absent (they read 0 before); posts are counted (0 where none)."""
    ds = _tiny_dataset()
    ds.conversions = empty("conversions")
    led = return_on_influence(ds, account="acme", service_handles=["acmecare"], value_per_conversion=25)
    posting = led.weeks[led.weeks["activity"].isin(["content", "engagement", "promotion"])]
    assert posting["conversions"].isna().all() and posting["count"].isna().all()
    assert posting["count_per_hour"].isna().all() and posting["count_change"].isna().all()
    assert posting["posts"].notna().all() and (posting["posts"] >= 0).all()
    cs = led.weeks[led.weeks["activity"] == "customer service"]
    assert cs["count"].tolist() == [1]  # listening ran: answered cases are counted
    # measured counts missing in a week are 0 that week
    values = pd.DataFrame({"week": ["2026-W40", "2026-W41"], "activity": ["content", "engagement"],
                           "conversions": [3, 2]})
    led2 = weekly_ledger(empty("effort"), values).set_index(["week", "activity"])
    assert led2.loc[("2026-W41", "content"), "count"] == 0 and led2.loc[("2026-W40", "engagement"), "count"] == 0
    led3 = weekly_ledger(empty("effort"), values, counted=["answered_cases"]).set_index(["week", "activity"])
    assert pd.isna(led3.loc[("2026-W40", "content"), "count"])


def test_an_activity_nobody_did_returns_no_sentence():
    """Priced activities get a value of 0 in weeks without returns, but a sentence "Promotion in
    2026-W41: returned 0.00" for an activity with no post, hour or answered case says nothing."""
    effort = conform("effort", {"week": ["2026-W41"], "activity": ["content"], "hours": [8.0]})
    led = return_on_influence(_tiny_dataset(effort), account="acme", service_handles=["acmecare"],
                              value_per_conversion=25, value_per_case=10)
    w = led.weeks.set_index("activity")
    assert w.loc["promotion", "value"] == 0.0 and w.loc["promotion", "posts"] == 0
    said = ledger_findings(led)["finding"]
    assert not said.str.startswith("Promotion in").any()
    assert said.str.startswith("Content in 2026-W41").any()


@pytest.mark.parametrize("x", [0.0, 0.00123, 0.0062, 0.05046, 0.148, 0.1549, 0.9996, 1.0, 2.345])
def test_ledger_sentences_write_rates_and_changes_as_the_report_tables_do(x):
    from roi.ledger import findings
    from roi.report import format as fmt

    assert findings.percent(x) == fmt.percent(x)
    assert findings._signed(x) == fmt.signed_percent(x) and findings._signed(-x) == fmt.signed_percent(-x)


def test_unknown_account_and_bad_options_are_parameter_errors():
    with pytest.raises(ParameterError, match="'nobody' not found"):
        return_on_influence(_tiny_dataset(), account="nobody")
    with pytest.raises(ParameterError, match="weeks=0"):
        return_on_influence(_tiny_dataset(), account="acme", weeks=0)
    with pytest.raises(ParameterError, match="unknown type"):
        return_on_influence(_tiny_dataset(), account="acme", engagement_values={"hearts": 1.0})


def test_a_store_written_before_landing_page_existed_still_loads(tmp_path):
    import pyarrow.parquet as pq

    import roi
    from roi.io import ingest

    path = tmp_path / "c.csv"
    path.write_text("date,utm_content,channel,sessions,conversions\n2026-10-05,b1,social,20,2\n", encoding="utf-8")
    ingest([path], tmp_path / "store")
    for part in (tmp_path / "store").rglob("*.parquet"):
        table = pq.read_table(part)
        if "landing_page" in table.column_names:
            pq.write_table(table.drop(["landing_page"]), part)
    ds = roi.load(tmp_path / "store")
    assert ds.conversions["landing_page"].isna().all() and len(ds.effort) == 0  # old files: the column reads as null
    t = channel_conversions(ds.conversions, brand_post_ids=["b1"])
    assert t[["channel", "sessions", "conversions"]].values.tolist() == [[BRAND_POSTS, 20, 2]]
    assert np.isclose(float(t["rate"].iloc[0]), 0.1)


def test_real_archive_without_web_analytics_or_effort(realdata, tmp_path):
    """A real X archive: no web analytics, no effort log. The ledger runs and says what is missing."""
    import roi
    from roi.io import ingest

    ingest([realdata / "x-archive"], tmp_path / "store")
    ds = roi.load(tmp_path / "store")
    led = return_on_influence(ds, account="andreruffert", weeks=8)
    assert led.channels.empty and led.comparison.empty
    assert any(n.startswith("No web analytics") for n in led.notes) and any("No effort log" in n for n in led.notes)
    assert led.weeks["week"].nunique() >= 1 and led.weeks["posts"].sum() >= 1
    newest = led.weeks["week"].max()
    assert newest == ds.posts["created_at"].max().strftime("%G-W%V")
    text = " ".join(ledger_findings(led)["finding"])
    assert "<NA>" not in text and "nan" not in text and "post" in text


def _long_store(tmp_path, weeks=30):
    """A posts CSV with only the required columns, one post a fortnight: no effort, no web analytics."""
    from roi.io import ingest

    rows = [f"p{i},acme,{(pd.Timestamp('2025-01-06') + pd.Timedelta(weeks=2 * i)).date()}T10:00:00Z"
            for i in range(weeks)]
    path = tmp_path / "posts.csv"
    path.write_text("post_id,author,created_at\n" + "\n".join(rows) + "\n", encoding="utf-8")
    ingest([path], tmp_path / "store")
    return tmp_path / "store"


def test_cli_text_names_the_week_of_its_sentences_and_hides_empty_rows(tmp_path, capsys):
    """Years of weekly history: the summary says which week it describes, the table shows only the
    newest weeks and no row without posts, hours, cost or value, and no web analytics is said once."""
    from roi.cli.main import main

    store = _long_store(tmp_path)
    assert main(["ledger", "--store", str(store), "--account", "acme"]) == 0
    out = capsys.readouterr().out
    newest = (pd.Timestamp("2025-01-06") + pd.Timedelta(weeks=58)).strftime("%G-W%V")
    assert f"- Content in {newest}: 1 post." in out
    table = out.split("\nLedger")[1].splitlines()[2:]
    rows = [line for line in table if line[:4].isdigit()]
    assert 0 < len(rows) <= 12 and all("content" in r for r in rows)  # no all-dash rows
    assert "--weeks" in out and "(no rows)" not in out
    assert main(["ledger", "--store", str(store), "--account", "acme", "--json"]) == 0
    weeks = {w["week"] for w in __import__("json").loads(capsys.readouterr().out)["weeks"]}
    assert len(weeks) == 30  # JSON keeps every week
