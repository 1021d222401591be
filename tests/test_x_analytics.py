"""X analytics' tweet-activity export (the per-tweet CSV of analytics.twitter.com): read as X posts
with their impressions, by the posts CSV rules, every row accounted for."""

from __future__ import annotations

import csv
import json
import os
import shutil

import pandas as pd
import pytest

import roi
from roi.cli.main import main
from roi.io import ingest
from roi.io.detect import detect
from roi.io.x_analytics import read

FIXTURE = "tweet_activity_metrics_AcmeKitchen_20211101_20211201_en.csv"
HEADER = ["Tweet id", "Tweet permalink", "Tweet text", "time", "impressions", "engagements", "engagement rate",
          "retweets", "replies", "likes", "user profile clicks", "url clicks", "hashtag clicks", "detail expands",
          "permalink clicks", "app opens", "app installs", "follows", "email tweet", "dial phone", "media views",
          "media engagements", "promoted impressions", "promoted engagements"]


@pytest.fixture
def export(tmp_path):
    from conftest import REPO

    path = tmp_path / FIXTURE
    shutil.copy(REPO / "tests" / "fixtures" / "x_analytics" / FIXTURE, path)
    return path


def test_detected_by_its_header_whatever_the_name(export, tmp_path):
    renamed = tmp_path / "export (3).csv"
    shutil.copy(export, renamed)
    assert detect(renamed).format == "x-analytics" and detect(export).format == "x-analytics"


def test_rows_become_x_posts_with_impressions(export):
    result = next(read(export))
    posts = result.tables["posts"].set_index("post_id")
    assert result.read == 8 and len(posts) == 6 and len(result.rejected) == 2
    first = posts.loc["1465712230054432768"]
    assert (first.platform, first.author_id, first.kind) == ("x", "AcmeKitchen", "original")
    assert first.created_at == pd.Timestamp("2021-11-30T16:00Z")
    assert (first.impressions, first.likes, first.reposts, first.replies, first.link_clicks) == (1777, 2, 0, 0, 0)
    assert pd.isna(first.quotes)  # not in the export: unknown, never 0
    news = posts.loc["1465591708847116289"]
    assert news.text.startswith("November news 💌 #Recipes\n\n") and list(news.hashtags) == ["recipes"]
    assert news.link_clicks == 10
    assert '"press twice"' in posts.loc["1463901542470279170"].text  # doubled quotes read as one
    reply = posts.loc["1461026337884311556"]
    assert reply.kind == "reply" and pd.isna(reply.referenced_id)
    assert sorted(reply.mentions) == ["chlorophileb", "djburnette"]
    manual = posts.loc["1460000000000000001"]
    assert manual.kind == "original" and bool(manual.manual_repost) and "homechefdaily" in list(manual.mentions)
    dotted = posts.loc["1460000000000000004"]  # ".@name" was X's way to start a post that is not a reply
    assert dotted.kind == "original"
    accounts = result.tables["accounts"]
    assert accounts[["platform", "account_id", "handle"]].values.tolist() == [["x", "AcmeKitchen", "AcmeKitchen"]]


def test_rows_without_author_or_time_are_rejected_with_their_line(export):
    rejected = next(read(export)).rejected
    by_line = {r.line: r.reason for r in rejected}
    assert by_line == {15: "empty Tweet permalink: the export's only word on who wrote it",
                       16: "created_at 'last Tuesday' is not an ISO 8601 time"}
    assert all("Tweet" not in r.record or "," in r.record for r in rejected)


def test_a_permalink_naming_no_account_is_rejected(tmp_path):
    path = tmp_path / "t.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL)
        w.writerow(HEADER[:12])
        w.writerow(["1", "https://example.com/post/1", "hi", "2021-11-30 16:00 +0000", "10.0", "1.0", "0.1", "0.0",
                    "0.0", "1.0", "0.0", "0.0"])
    result = next(read(path))
    assert result.tables["posts"].empty and "names no account" in result.rejected[0].reason


def test_a_later_export_updates_the_figures_of_the_same_tweets(export, tmp_path):
    later = tmp_path / "later" / "tweet_activity_metrics_AcmeKitchen_20211115_20211215_en.csv"
    later.parent.mkdir()
    text = export.read_text(encoding="utf-8").replace('"1777.0"', '"2500.0"')
    later.write_text(text, encoding="utf-8")
    os.utime(export, (1_640_000_000, 1_640_000_000))
    os.utime(later, (1_650_000_000, 1_650_000_000))
    ingest([export, later], tmp_path / "store")
    ds = roi.load(tmp_path / "store")
    assert len(ds.posts) == 6
    assert int(ds.posts.set_index("post_id").loc["1465712230054432768", "impressions"]) == 2500


def _year_of_exports(folder, *, n=120, seed=3):
    """Monthly exports for a year of tweets; tweets at 18:00 UTC get twice the likes per view."""
    import numpy as np

    rng = np.random.default_rng(seed)
    folder.mkdir()
    start = pd.Timestamp("2021-01-04T09:00Z")
    rows = []
    for i in range(n):
        hour = [9, 13, 18][i % 3]
        when = start + pd.Timedelta(days=3 * i) + pd.Timedelta(hours=hour - 9, minutes=int(rng.integers(0, 50)))
        views = int(rng.integers(800, 3000))
        likes = int(rng.binomial(views, 0.02 if hour == 18 else 0.01))
        rows.append([str(1_400_000_000_000_000_000 + i), f"https://twitter.com/AcmeKitchen/status/{i}",
                     f"Tip {i}: a recipe #cooking", when.strftime("%Y-%m-%d %H:%M +0000"), f"{views}.0",
                     f"{likes + 3}.0", "0.01", "1.0", "0.0", f"{likes}.0", "0.0", "2.0"])
    for month, group in pd.DataFrame(rows).groupby(pd.to_datetime(pd.DataFrame(rows)[3].str[:7])):
        path = folder / f"tweet_activity_metrics_AcmeKitchen_{month:%Y%m}01_en.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, quoting=csv.QUOTE_ALL)
            w.writerow(HEADER[:12])
            w.writerows(group.values.tolist())
    return folder


def test_timing_reads_the_exports_impressions(tmp_path, capsys):
    """Twelve monthly exports: roi ingests them as one account's timeline, the timing analysis uses
    the exports' impressions as its denominator and finds the planted best hour (18:00 UTC)."""
    raw = _year_of_exports(tmp_path / "exports")
    assert main(["ingest", str(raw), "--store", str(tmp_path / "store")]) == 0
    capsys.readouterr()
    assert main(["timing", "--store", str(tmp_path / "store"), "--account", "AcmeKitchen", "--tz", "UTC",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["denominator"] == "impressions"
    assert out["best_slots"][0]["hour"] == 18


CONTENT = "account_analytics_content_2026-06-01_2026-06-30.csv"


@pytest.fixture
def content_export(tmp_path):
    from conftest import REPO

    path = tmp_path / CONTENT
    shutil.copy(REPO / "tests" / "fixtures" / "x_analytics" / CONTENT, path)
    return path


def test_the_content_export_gives_days_not_times(content_export):
    assert detect(content_export).format == "x-analytics"
    result = next(read(content_export))
    posts = result.tables["posts"].set_index("post_id")
    assert result.read == 5 and len(posts) == 3
    menu = posts.loc["2074000000000000001"]
    assert menu.impressions == 12978 and menu.reposts == 21 and menu.link_clicks == 66  # "12,978"
    assert menu.created_at == pd.Timestamp("2026-06-30T12:00Z") and bool(menu.date_only)
    assert posts["date_only"].all() and posts.loc["2074000000000000002"].kind == "reply"
    assert posts.loc["2074000000000000003"].text == "Which knife should we test next?\nReply below 👇"
    reasons = {r.line: r.reason for r in result.rejected}
    assert reasons == {6: "empty Post Link: the export's only word on who wrote it",
                       7: "created_at 'someday' is not an ISO 8601 time"}


@pytest.mark.parametrize("tz", ["Pacific/Honolulu", "America/Los_Angeles", "UTC", "Asia/Tokyo", "Asia/Kolkata"])
def test_a_day_stays_the_same_day_in_the_readers_time_zone(content_export, tz):
    posts = next(read(content_export)).tables["posts"]
    local = posts["created_at"].dt.tz_convert(tz).dt.strftime("%a %d %b").tolist()
    assert local == ["Tue 30 Jun", "Mon 29 Jun", "Mon 29 Jun"]


def test_hour_analyses_leave_day_only_posts_out(tmp_path, capsys, content_export):
    """A year of tweet-activity exports (times) plus a content export (days): timing ranks hours on
    the timed posts and says how many it left out; an A/B slot never holds a day-only post; with
    only day-only posts timing says there is no hour to rank, in one line."""
    from roi.abtest import slot_posts
    from roi.engagement import account_metrics, engagement_by_hour

    only_days = tmp_path / "days"
    assert main(["ingest", str(content_export), "--store", str(only_days)]) == 0
    capsys.readouterr()
    assert main(["timing", "--store", str(only_days), "--account", "AcmeKitchen", "--tz", "UTC"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "date but no time of day" in err and "Traceback" not in err

    raw = _year_of_exports(tmp_path / "exports")
    shutil.copy(content_export, raw / CONTENT)
    assert main(["ingest", str(raw), "--store", str(tmp_path / "both")]) == 0
    capsys.readouterr()
    assert main(["timing", "--store", str(tmp_path / "both"), "--account", "AcmeKitchen", "--tz", "UTC",
                 "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert any("3 post(s) have a date but no time of day" in n for n in out["notes"])
    ds = roi.load(tmp_path / "both")
    metrics = account_metrics(ds, "AcmeKitchen")
    assert int(metrics["date_only"].sum()) == 3 and len(metrics) == 123
    by_hour = engagement_by_hour(metrics, tz="UTC")
    assert int(by_hour["posts"].sum()) == 120 and 12 not in set(by_hour.loc[by_hour["posts"] > 0, "hour"])
    assert "2074000000000000001" not in set(slot_posts(metrics, "11:00-13:00", "17:00-19:00", tz="UTC")["post_id"])
