"""Listening on the sample store, checked against the planted complaints in truth.json."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from roi.accounts import account_ids_for
from roi.cli.main import main
from roi.listening import (
    brand_mentions,
    content_mix,
    daily_volumes,
    find_complaints,
    response_summary,
    response_times,
    spike_alerts,
    triage_queue,
    weekly_content_mix,
)
from roi.timeframe import week_bounds

HANDLES = ["acme", "acmecustserv"]


@pytest.fixture(scope="module")
def queue(sample_ds):
    return triage_queue(sample_ds, handles=HANDLES, brand_terms=["acme"])


@pytest.fixture(scope="module")
def brand_ids(sample_ds):
    return account_ids_for(sample_ds.accounts, HANDLES)


def test_the_planted_burst_is_found_as_one_topic(queue, sample_truth):
    burst = [p["post_id"] for p in sample_truth["complaints"]["posts"]]
    found = queue.set_index("post_id")
    assert set(burst) <= set(found.index), "every planted burst complaint is detected"
    topics = found.loc[burst, "topic"]
    assert topics.nunique() == 1
    # The topic is what the planted one is about (truth says "x2 blender lid cracking").
    assert topics.iloc[0] in sample_truth["complaints"]["topic"]
    # No unrelated complaint shares the topic.
    assert set(queue[queue.topic == topics.iloc[0]].post_id) == set(burst)
    addressed = {p["post_id"]: p["addressed"] for p in sample_truth["complaints"]["posts"]}
    assert found.loc[burst, "addressed"].tolist() == [addressed[p] for p in burst]


def test_escalation_fires_at_the_second_distinct_complainant(queue, sample_truth):
    truth = sample_truth["complaints"]
    burst = queue[queue.post_id.isin([p["post_id"] for p in truth["posts"]])]
    first_escalation = burst[burst.action == "escalate"].iloc[0]
    assert first_escalation.post_id == truth["escalation_post_id"]
    first = burst.iloc[0]
    assert first.action != "escalate" and first.author_id == truth["posts"][0]["author_id"]
    # Everything in the burst after the escalation post is escalated too (within 72 h of others).
    after = burst[burst.created_at >= first_escalation.created_at]
    assert (after.action == "escalate").all()


def test_baseline_complaints_are_not_escalated_by_the_burst(queue, sample_truth):
    burst = {p["post_id"] for p in sample_truth["complaints"]["posts"]}
    others = queue[~queue.post_id.isin(burst)]
    assert len(others) >= sample_truth["generated_with"]["weeks"] * 2 - 2  # 2-4 planted a week, some chatter
    assert set(others.action) <= {"monitor", "reply_public", "take_private", "escalate"}
    assert (others[others.addressed].action != "monitor").all()


def test_response_times_match_the_custserv_replies(sample_ds, queue, brand_ids, sample_truth):
    r = response_times(queue, sample_ds.posts, brand_ids=brand_ids)
    planted = {x["complaint_post_id"]: x for x in sample_truth["complaints"]["responses"]}
    answered = r[r.answered].set_index("post_id")
    assert set(answered.index) == set(planted)
    for pid, x in planted.items():
        assert answered.at[pid, "reply_post_id"] == x["reply_post_id"]
        # The API's created_at has whole seconds; truth counts milliseconds: agree within a second.
        assert answered.at[pid, "response_minutes"] == pytest.approx(x["delay_seconds"] / 60, abs=1 / 60)
    s = response_summary(r).iloc[0]
    delays = pd.Series([x["delay_seconds"] / 60 for x in planted.values()])
    assert s.addressed == int(queue.addressed.sum()) and s.answered == len(planted)
    assert s.within_1h == int((delays <= 60).sum()) and s.within_24h == int((delays <= 1440).sum())
    assert s.median_minutes == pytest.approx(delays.median(), abs=1 / 60)
    assert s.unanswered == s.addressed - s.answered


def test_spikes_flag_the_burst_week(sample_ds, brand_ids, sample_truth):
    tz = sample_truth["brand"]["tz"]
    m = brand_mentions(sample_ds.posts, brand_ids=brand_ids, handles=HANDLES, brand_terms=["acme"])
    c = find_complaints(sample_ds.posts, brand_ids=brand_ids, handles=HANDLES, brand_terms=["acme"])
    alerts = spike_alerts(daily_volumes(m, c, tz=tz))
    flagged = alerts[alerts.flagged & (alerts.series == "complaints")]
    assert len(flagged) >= 1
    start, end = week_bounds(sample_truth["complaints"]["week"], tz=tz)
    local = (start.tz_convert(tz).tz_localize(None), end.tz_convert(tz).tz_localize(None))
    assert ((flagged.date >= local[0]) & (flagged.date < local[1])).all()
    # Each flagged day holds burst complaints (the planted posts, by local day).
    burst_days = {pd.Timestamp(p["created_at"]).tz_convert(tz).tz_localize(None).normalize()
                  for p in sample_truth["complaints"]["posts"]}
    assert set(flagged.date) <= burst_days


def test_content_mix_of_the_brand_uses_the_engagement_classifier(sample_ds, sample_truth):
    brand = sample_truth["brand"]
    mix = content_mix(sample_ds.posts, brand_ids=[brand["account_id"]], brand_domains=[brand["domain"]],
                      tz=brand["tz"])
    weekly = weekly_content_mix(mix)
    assert weekly.drop_duplicates("week")["week_posts"].sum() == len(mix) == sum(sample_truth["content_mix"].values())
    planted = mix.post_id.map(sample_truth["content_type"])
    assert (mix.content_type == planted).mean() >= 0.9
    totals = weekly.groupby("content_type")["posts"].sum()
    for ctype, n in sample_truth["content_mix"].items():
        assert abs(int(totals[ctype]) - n) <= 0.1 * len(mix)
    assert set(weekly.week) == set(mix.week)


def test_cli_json_on_the_sample(sample_store, sample_truth, capsys):
    start, end = week_bounds(sample_truth["complaints"]["week"], tz="UTC")
    code = main(["listen", "--store", str(sample_store), "--handles", "acme,acmecustserv", "--brand-terms", "acme",
                 "--since", start.isoformat(), "--until", end.isoformat(), "--json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    for key in ("post_id", "author", "action", "reason", "topic", "addressed", "author_followers"):
        assert all(key in r for r in rows)
    by_id = {r["post_id"]: r for r in rows}
    esc = by_id[sample_truth["complaints"]["escalation_post_id"]]
    assert esc["action"] == "escalate" and "within 72 h" in esc["reason"]
    assert {r["action"] for r in rows} <= {"monitor", "reply_public", "take_private", "escalate"}


def test_cli_prints_the_queue_and_one_line_errors(sample_store, capsys):
    assert main(["listen", "--store", str(sample_store), "--handles", "acme,acmecustserv"]) == 0
    out = capsys.readouterr().out
    assert "complaint(s) about @acme, @acmecustserv" in out and "escalate" in out
    # A handle with no profile (a service handle only ever mentioned) works, with a note (issue 18).
    assert main(["listen", "--store", str(sample_store), "--handles", "acme,nosuchbrand"]) == 0
    assert "@nosuchbrand has no profile in the store" in capsys.readouterr().out
    assert main(["listen", "--store", str(sample_store)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--handles" in err
    assert main(["listen", "--store", str(sample_store), "--handles", "acme", "--window-hours", "-1"]) == 2
    assert "--window-hours -1" in capsys.readouterr().err


def test_report_sections_for_the_burst_week(sample_ds, sample_truth):
    from roi.listening import complaints_needing_attention, content_mix_for_week

    tz = sample_truth["brand"]["tz"]
    start, end = week_bounds(sample_truth["complaints"]["week"], tz=tz)
    r = complaints_needing_attention(sample_ds, handles=HANDLES, brand_terms=["acme"], start=start, end=end, tz=tz)
    q = r["queue"]
    assert ((q.created_at >= start) & (q.created_at < end)).all()
    assert q.action.iloc[0] == "escalate"  # most urgent first
    assert sample_truth["complaints"]["escalation_post_id"] in set(q[q.action == "escalate"].post_id)
    assert r["actions"].complaints.sum() == len(q)
    assert len(r["spikes"]) >= 1 and (r["spikes"].series == "complaints").any()
    s = r["response_summary"].iloc[0]
    assert s.addressed == int(q.addressed.sum()) == len(r["responses"])
    assert len(r["unanswered"]) == s.unanswered
    assert any("Spike days" in n for n in r["notes"]) and any("English" in n for n in r["notes"])

    c = content_mix_for_week(sample_ds, account="acme", start=start, end=end, tz=tz,
                             brand_domains=[sample_truth["brand"]["domain"]])
    assert c["week"].week.unique().tolist() == [sample_truth["complaints"]["week"]]
    assert c["week"].posts.sum() == len(c["posts"]) > 0
    assert c["weekly"].week.nunique() == 4  # the week and three before it


def test_report_sections_for_an_empty_week(sample_ds):
    from roi.listening import complaints_needing_attention, content_mix_for_week

    start, end = week_bounds("2030-W01", tz="UTC")
    r = complaints_needing_attention(sample_ds, handles=HANDLES, start=start, end=end)
    assert r["queue"].empty and r["spikes"].empty and r["response_summary"].addressed[0] == 0
    c = content_mix_for_week(sample_ds, account="acme", start=start, end=end)
    assert c["posts"].empty and c["notes"] == ["@acme posted nothing this week."]
