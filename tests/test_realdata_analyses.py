"""The analyses' ANSWERS on real exports nobody here wrote: true, and readable by a manager.

tests/test_realdata_cli.py checks exit codes of every command; this module checks what timing,
ab, listen, ledger and geocode SAY on the real X archive, X API v2 pages and Mastodon export:
which denominator they used and that they say so, what is missing and that they say so, and
that no code (<NA>, nan, snake_case actions, column names) leaks into their sentences.
Each store is built once per module; skipped with the reason when ROI_REALDATA is absent.
"""

from __future__ import annotations

import json
import re

import pytest

from roi.cli.main import main
from roi.io import ingest

LEAKS = re.compile(r"<NA>|\bnan\b|\bNaN\b|reply_public|take_private|followers_proxy|engagement_rate")


@pytest.fixture(scope="module")
def stores(realdata, tmp_path_factory):
    root = tmp_path_factory.mktemp("realdata-stores")
    built = {}
    for name, paths in {"archive": [realdata / "x-archive"], "brexit": [realdata / "x-api-v2" / "brexit.jsonl"],
                        "mastodon": [realdata / "mastodon"]}.items():
        ingest(paths, root / name)
        built[name] = str(root / name)
    return built


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_archive_timing_uses_the_followers_proxy_and_says_so(stores, capsys):
    """The archive has no impressions; its follower.js (420 entries) gives the owner's follower
    count, so timing ranks per follower, says it is a proxy, and leaves out the 643 "RT @" tweets
    whose counts X keeps on the original."""
    code, out, err = _run(capsys, "timing", "--store", stores["archive"], "--account", "andreruffert", "--json")
    assert code == 0 and err == ""
    basis = json.loads(out)["basis"]
    assert basis["denominator"] == "followers_proxy" and basis["posts_with_impressions"] == 0
    assert (basis["posts"], basis["posts_left_out"]) == (1986 - 643, 643)
    code, out, _ = _run(capsys, "timing", "--store", stores["archive"], "--account", "andreruffert")
    assert code == 0 and "per follower (a proxy for potential impressions, not views)" in out
    assert "<NA>" not in out and " nan" not in out
    ranked = [line for line in out.splitlines() if re.match(r"\s+\d+ (Mon|Tue|Wed|Thu|Fri|Sat|Sun) ", line)]
    assert ranked and all(int(line.split()[-1]) >= 5 for line in ranked)  # no "best" slot without posts


def test_archive_ab_names_the_proxy_in_its_table(stores, capsys):
    code, out, _ = _run(capsys, "ab", "--store", stores["archive"], "--account", "andreruffert", "--tz", "UTC",
                        "--a", "09:00-12:00", "--b", "18:00-21:00")
    assert code == 0 and "followers (proxy)" in out and "per follower of the author" in out
    assert not LEAKS.search(out.split("warning:")[0])


def test_archive_ledger_without_web_analytics_or_effort_says_so(stores, capsys):
    code, out, _ = _run(capsys, "ledger", "--store", stores["archive"], "--account", "andreruffert")
    assert code == 0 and "No web analytics in the store" in out and "No effort log" in out
    assert "Channels: none to compare" in out and "(no rows)" not in out
    assert "Content in 2022-W44: 1 post." in out  # the newest week, named
    rows = [line for line in out.split("\nLedger")[1].splitlines() if re.match(r"\d{4}-W\d\d ", line)]
    assert 0 < len({r.split()[0] for r in rows}) <= 12 and not LEAKS.search(out)
    code, out, _ = _run(capsys, "ledger", "--store", stores["archive"], "--account", "andreruffert", "--json")
    payload = json.loads(out)
    assert code == 0 and payload["channels"] == [] and payload["parameters"]["effort_log"] is False


def test_brexit_listen_escalates_no_stop_word_topic_and_speaks_in_words(stores, capsys):
    from roi.listening.topics import STOP_WORDS

    args = ("listen", "--store", stores["brexit"], "--handles", "theresa_may", "--brand-terms", "brexit")
    code, out, _ = _run(capsys, *args, "--json")
    assert code == 0
    queue = json.loads(out)
    assert queue  # the #Brexit complaints are found
    for row in queue:
        if row["topic"]:
            assert not set(row["topic"].split()) & STOP_WORDS, row["topic"]
        if row["action"] == "escalate":
            assert row["topic"], row
    code, out, _ = _run(capsys, *args, "--limit", "50")
    assert code == 0 and not LEAKS.search(out)
    assert f"{len(queue)} complaint(s) about @theresa_may" in out
    for line in out.splitlines():  # every follower count printed whole
        m = re.search(r"\((\d[\d,]*)\)\s", line)
        if m and line.lstrip()[:1].isdigit():
            assert re.fullmatch(r"\d{1,3}(,\d{3})*", m.group(1)), line


def test_mastodon_timing_says_what_is_missing_in_one_line(stores, capsys):
    """A Mastodon export has neither view counts nor the account's follower count: timing cannot
    rank, and says why in one line (exit 2), never a traceback."""
    code, out, err = _run(capsys, "timing", "--store", stores["mastodon"], "--account", "dealingwith@indieweb.social")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "no author follower count is known" in err


def test_geocode_of_real_profile_locations_reads_as_sentences(capsys):
    """The location strings of the realdata README: resolved or not, with a reason, never <NA>."""
    places = ["London", "UK", "near London", "Plague Island", "Earth", "https://example.com", ""]
    code, out, _ = _run(capsys, "geocode", *places)
    lines = out.splitlines()
    assert code == 0 and len(lines) == len(places) and not LEAKS.search(out)
    assert lines[0].startswith("London: London, England, United Kingdom")
    assert lines[3].startswith("Plague Island: not placed") and lines[4].startswith("Earth: not placed")
