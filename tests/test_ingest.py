"""Ingest: accounting (read = ingested + duplicates + rejected), bad input, merging, CLI."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import roi
from roi.cli.main import main
from roi.errors import InputError, ParameterError
from roi.io import ingest
from roi.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "io"


def _adds_up(result):
    for s in result.sources:
        assert s.read == s.ingested + s.duplicates + s.rejected, s


def _one(tmp_path, name, **kw):
    result = ingest([FIXTURES / name], tmp_path / "store", **kw)
    _adds_up(result)
    return result.sources[0], roi.load(tmp_path / "store")


def test_truncated_line_is_rejected_and_the_rest_ingested(tmp_path):
    s, ds = _one(tmp_path, "truncated.jsonl")
    assert (s.read, s.ingested, s.rejected) == (4, 3, 1)
    assert sorted(ds.posts.post_id) == ["101", "102", "104"]
    rej = ds.rejected
    assert rej.line.tolist() == [2] and rej.reason[0].startswith("line 2: invalid JSON")
    assert rej.source[0].endswith("truncated.jsonl")


def test_valid_json_that_is_not_a_post(tmp_path):
    s, ds = _one(tmp_path, "not_a_post.jsonl")
    assert (s.read, s.ingested, s.rejected) == (4, 2, 2)
    reasons = ds.rejected.sort_values("line").reason.tolist()
    assert "line 2: JSON object is not a tweet" in reasons[0] and "line 3:" in reasons[1]


def test_latin1_file_is_decoded_with_a_note(tmp_path):
    s, ds = _one(tmp_path, "latin1.jsonl")
    assert s.ingested == 1 and ds.posts.text[0] == "café #Brand @Acme"
    assert any("Latin-1" in n for n in s.notes)
    assert any("Latin-1" in n for n in Store(tmp_path / "store").sources[0]["notes"])


def test_unparseable_date_and_negative_count(tmp_path):
    s, ds = _one(tmp_path, "bad_date.jsonl")
    assert (s.read, s.ingested, s.rejected) == (2, 1, 1)
    assert "created_at 'yesterday' is not a timestamp" in ds.rejected.reason[0]
    s, ds = _one(tmp_path / "n", "negative.jsonl")
    assert (s.read, s.ingested, s.rejected) == (2, 1, 1)
    assert ds.rejected.reason[0] == "line 1: negative likes (-5)"
    assert ds.posts.post_id.tolist() == ["502"]


def test_explicit_unreadable_files_are_one_line_errors(tmp_path):
    for name, words in (("empty.json", "empty file (0 bytes)"), ("garbage.bin", "binary content")):
        with pytest.raises(InputError, match=re.escape(words)) as err:
            ingest([FIXTURES / name], tmp_path / "store")
        assert name in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(InputError, match="no such file"):
        ingest([tmp_path / "nope.jsonl"], tmp_path / "store")


def test_forced_format_reads_garbage_as_rejected_records(tmp_path):
    result = ingest([FIXTURES / "garbage.bin"], tmp_path / "store", format="x-v2")
    _adds_up(result)
    s = result.sources[0]
    assert s.read == s.rejected >= 1 and s.ingested == 0
    assert Store(tmp_path / "store").read_rejected().reason.str.contains("invalid JSON").all()


def test_unknown_format_and_bad_as_of(tmp_path):
    with pytest.raises(ParameterError, match="format='tweets'"):
        ingest([FIXTURES / "truncated.jsonl"], tmp_path / "s", format="tweets")
    with pytest.raises(ParameterError, match="as_of='someday'"):
        ingest([FIXTURES / "truncated.jsonl"], tmp_path / "s", as_of="someday")


def test_folder_walk_skips_non_exports_with_reasons(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(FIXTURES / "truncated.jsonl", raw / "b.jsonl")
    (raw / "README.md").write_text("# what is here\n")
    (raw / "truth.json").write_text(json.dumps({"seed": 1}))
    (raw / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (raw / "empty.json").write_bytes(b"")
    result = ingest([raw], tmp_path / "store")
    assert [Path(s.path).name for s in result.sources] == ["b.jsonl"]
    reasons = {Path(s["path"]).name: s["reason"] for s in result.skipped}
    assert set(reasons) == {"README.md", "truth.json", ".DS_Store", "empty.json"}
    assert reasons["empty.json"] == "empty file (0 bytes)"


def test_folder_with_nothing_readable(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "notes.txt").write_text("hello\n")
    with pytest.raises(InputError, match=r"raw: nothing readable in this folder \(skipped 1: notes.txt"):
        ingest([raw], tmp_path / "store")
    assert main(["ingest", str(raw), "--store", str(tmp_path / "store")]) == 2


def test_same_id_newer_metrics_win_and_conflicts_are_rejected(tmp_path):
    store = tmp_path / "store"
    ingest([FIXTURES / "conflict_a.jsonl"], store)
    result = ingest([FIXTURES / "conflict_b.jsonl"], store)
    _adds_up(result)
    s = result.sources[0]
    assert (s.read, s.ingested, s.duplicates, s.rejected) == (2, 0, 1, 1)
    ds = roi.load(store)
    post = ds.posts.set_index("post_id").loc["601"]
    assert post.likes == 7 and post.text == "hello #Brand @Acme"
    assert post.metrics_observed_at == pd.Timestamp("2024-03-05T00:00:00Z")
    reason = ds.rejected.reason[0]
    assert reason == (f"line 2: conflicting content for post 601 (already ingested from file "
                      f"{FIXTURES / 'conflict_a.jsonl'}): text differs")


def test_older_metrics_do_not_overwrite_newer(tmp_path):
    store = tmp_path / "store"
    ingest([FIXTURES / "conflict_b.jsonl"], store)
    ingest([FIXTURES / "conflict_a.jsonl"], store)  # older retrieval, read later
    assert roi.load(store).posts.set_index("post_id").loc["601"].likes == 7


def test_reingest_identical_file_changes_nothing(tmp_path):
    store = tmp_path / "store"
    first = ingest([FIXTURES / "truncated.jsonl"], store)
    before = dict(Store(store).manifest["tables"])
    again = ingest([FIXTURES / "truncated.jsonl"], store)
    _adds_up(again)
    s = again.sources[0]
    assert s.seen_again and (s.read, s.ingested, s.duplicates, s.rejected) == (4, 0, 3, 1)
    assert Store(store).manifest["tables"] == before
    assert len(Store(store).sources) == 2 and Store(store).sources[1]["seen_again"]
    assert first.tables == again.tables


def test_manifest_entry_fields(tmp_path):
    ingest([FIXTURES / "truncated.jsonl"], tmp_path / "store")
    entry = Store(tmp_path / "store").sources[0]
    for key in ("path", "sha256", "format", "read", "ingested", "duplicates", "rejected", "context_rows",
                "roi_version", "ingested_at"):
        assert key in entry
    assert entry["context_rows"] == 1 and entry["rejected_file"].startswith("_rejected/")


def test_strict_leaves_store_unchanged(tmp_path):
    with pytest.raises(InputError, match=r"--strict: 1 record\(s\) rejected.*line 2: invalid JSON"):
        ingest([FIXTURES / "truncated.jsonl"], tmp_path / "store", strict=True)
    assert not Store(tmp_path / "store").manifest["tables"]
    assert main(["ingest", str(FIXTURES / "truncated.jsonl"), "--store", str(tmp_path / "s2"), "--strict"]) == 2


def _users_page(ids, followee, when):
    return json.dumps({"data": [{"id": i, "username": f"u{i}"} for i in ids],
                       "__twarc": {"url": f"https://api.twitter.com/2/users/{followee}/followers",
                                   "retrieved_at": when}}) + "\n"


def test_follower_snapshots_give_first_and_last_seen(tmp_path):
    (tmp_path / "followers-1.jsonl").write_text(_users_page(["1", "2"], "9", "2024-01-01T00:00:00+00:00"))
    (tmp_path / "followers-2.jsonl").write_text(_users_page(["2", "3"], "9", "2024-01-08T00:00:00+00:00"))
    store = tmp_path / "store"
    r1 = ingest([tmp_path / "followers-1.jsonl"], store)
    r2 = ingest([tmp_path / "followers-2.jsonl"], store)
    assert (r2.sources[0].ingested, r2.sources[0].duplicates) == (1, 1)  # user 2 seen again
    f = roi.load(store).follows.set_index("follower_id")
    t1, t2 = pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-01-08", tz="UTC")
    assert (f.loc["1", "first_seen"], f.loc["1", "last_seen"]) == (t1, t1)  # unfollowed: gone in snapshot 2
    assert (f.loc["2", "first_seen"], f.loc["2", "last_seen"]) == (t1, t2)
    assert (f.loc["3", "first_seen"], f.loc["3", "last_seen"]) == (t2, t2)
    assert r1.tables["follows"] == 2 and r2.tables["follows"] == 3


def test_cli_json_shape(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(FIXTURES / "truncated.jsonl", raw)
    (raw / "README.md").write_text("hi\n")
    assert main(["ingest", str(raw), "--store", str(tmp_path / "store"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["sources"] == [{"path": str(raw / "truncated.jsonl"), "format": "x-v2", "read": 4,
                               "ingested": 3, "duplicates": 0, "rejected": 1}]
    assert out["tables"]["posts"] == 3 and out["tables"]["accounts"] == 1
    assert out["skipped"][0]["path"].endswith("README.md")


def test_cli_unknown_format_and_unreadable_file(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["ingest", str(FIXTURES / "truncated.jsonl"), "--store", str(tmp_path / "s"), "--format", "nope"])
    assert exit_.value.code == 2
    assert main(["ingest", str(FIXTURES / "empty.json"), "--store", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("roi ingest: error: ") and "empty.json" in err[-1]


def test_realdata_x_v2_folder(realdata, tmp_path):
    result = ingest([realdata / "x-api-v2"], tmp_path / "store")
    _adds_up(result)
    by_name = {Path(s.path).name: s for s in result.sources}
    assert (by_name["users.jsonl"].ingested, by_name["users.jsonl"].duplicates) == (91, 5)
    assert by_name["brexit.jsonl"].read == 100 and not result.rejected
    assert "empty.json" in {Path(s["path"]).name for s in result.skipped}
    ds = roi.load(tmp_path / "store")
    assert ds.posts.post_id.is_unique and ds.accounts.account_id.is_unique


def test_realdata_archive_counts_match_manifest(realdata, tmp_path):
    result = ingest([realdata / "x-archive"], tmp_path / "store")
    _adds_up(result)
    s = result.sources[0]
    assert s.by_table["posts"]["read"] == 1986 and s.by_table["follows"]["read"] == 420 + 295
    assert not s.notes  # manifest.js counts agree


def test_sample_ingests_with_accounting(tmp_path):
    sample = pytest.importorskip("roi.sample")
    if not hasattr(sample, "write_sample"):
        pytest.skip("roi.sample.write_sample has not landed yet")
    raw = sample.write_sample(tmp_path / "raw", seed=3, followers=300, weeks=2)
    truth = json.loads((Path(raw) / "truth.json").read_text())
    result = ingest([raw], tmp_path / "store")
    _adds_up(result)
    assert not result.rejected
    assert {Path(s["path"]).name for s in result.skipped} >= {"README.md", "truth.json"}
    ds = roi.load(tmp_path / "store")
    brand = ds.accounts[ds.accounts.handle == truth["brand"]["handle"]]
    assert brand.account_id.tolist() == [truth["brand"]["account_id"]]
    # Follower snapshots (x-v2 followers pages) against the planted growth: edges present in the
    # last snapshot = followers at the end; edges whose last_seen is older = unfollows.
    ingest([Path(raw) / "x-v2"], tmp_path / "x-only")
    follows = roi.load(tmp_path / "x-only").follows
    to_brand = follows[follows.followee_id == truth["brand"]["account_id"]]
    weeks = [truth["followers_by_week"][w] for w in sorted(truth["followers_by_week"])]
    assert (to_brand.last_seen == to_brand.last_seen.max()).sum() == weeks[-1]["end"]
    assert (to_brand.last_seen < to_brand.last_seen.max()).sum() == sum(w["lost"] for w in weeks)
    assert len(to_brand) == weeks[0]["start"] + sum(w["new"] for w in weeks)


def test_conflicting_context_copies_are_not_rejected_records(tmp_path):
    def page(pid, included_text):
        return json.dumps({"data": [{"id": pid, "author_id": "1", "text": "quoting", "created_at": "2024-01-01T00:00:00Z",
                                     "referenced_tweets": [{"type": "quoted", "id": "900"}]}],
                           "includes": {"tweets": [{"id": "900", "author_id": "2", "text": included_text,
                                                        "created_at": "2023-12-31T00:00:00Z"}]}}) + "\n"
    p = tmp_path / "t.jsonl"
    p.write_text(page("1", "the original") + page("2", "an edited copy"))
    result = ingest([p], tmp_path / "store")
    _adds_up(result)
    assert (result.sources[0].ingested, result.sources[0].rejected) == (2, 0)
    assert roi.load(tmp_path / "store").posts.set_index("post_id").loc["900", "text"] == "the original"


@pytest.mark.parametrize("folder", ["x-api-v2", "x-archive", "mastodon"])
def test_every_realdata_file_ingests_with_accounting(realdata, tmp_path, folder):
    """Every file of the folder is either ingested with read = ingested + duplicates + rejected or
    skipped with a reason (licences, the 0-byte file, the archive's manifest read with its archive)."""
    result = ingest([realdata / folder], tmp_path / "store")
    _adds_up(result)
    files = {p.name for p in (realdata / folder).iterdir()}
    if folder == "x-archive":
        assert len(result.sources) == 1 and result.sources[0].format == "x-archive"
    else:
        seen = {Path(s.path).name for s in result.sources} | {Path(s["path"]).name for s in result.skipped}
        assert seen == files
        assert all(s.read > 0 or s.notes for s in result.sources), [s.summary() for s in result.sources]
    ds = roi.load(tmp_path / "store")
    assert ds.posts.set_index(["platform", "post_id"]).index.is_unique
    if folder == "mastodon":
        by_name = {Path(s.path).name: s for s in result.sources}
        assert {n: s.format for n, s in by_name.items()} == dict.fromkeys(files, "mastodon")
        outbox = by_name["outbox.json"]
        # 1,586 items, 31 of them direct messages (skipped, not read)
        assert outbox.read == 1555 and outbox.ingested + outbox.duplicates + outbox.rejected == 1555
        assert by_name["actor.json"].ingested == 1
        assert (ds.posts.platform == "mastodon").sum() >= outbox.ingested


def test_ga4_landing_header_and_id_lists_are_detected(tmp_path):
    from roi.io.detect import detect

    for header in ("Date,Landing page + query string,Sessions,Conversions",
                   "date,page path + query string,sessions,conversions"):
        p = tmp_path / "ga4.csv"
        p.write_text(header + "\n20261001,/sale?utm_source=x&utm_content=123,10,2\n")
        assert detect(p).format == "conversions", header
    ids = tmp_path / "followers-of-42.txt"
    ids.write_text("7\n8\n")
    (tmp_path / "following-of-42.txt").write_text("9\n")
    assert detect(ids).format == "follows"
    result = ingest([tmp_path / "followers-of-42.txt", tmp_path / "following-of-42.txt"], tmp_path / "store",
                    as_of="2026-10-05")
    _adds_up(result)
    follows = roi.load(tmp_path / "store").follows
    assert sorted(zip(follows.follower_id, follows.followee_id, strict=True)) == [("42", "9"), ("7", "42"), ("8", "42")]


def test_spilled_bucket_merge_equals_the_in_memory_merge(tmp_path, monkeypatch):
    """Above SPILL_BYTES the merge runs per key bucket on disk: same tables, same accounting."""
    import sys

    ingest_module = sys.modules["roi.io.ingest"]
    files = [FIXTURES / n for n in sorted(p.name for p in FIXTURES.iterdir()) if n.endswith(".jsonl")]
    whole = ingest(files, tmp_path / "memory")
    monkeypatch.setattr(ingest_module, "SPILL_BYTES", 2_000)  # several buckets even for tiny fixtures
    spilled = ingest(files, tmp_path / "spilled")
    _adds_up(spilled)
    assert [s.summary() for s in spilled.sources] == [s.summary() for s in whole.sources]
    assert spilled.tables == whole.tables
    a, b = roi.load(tmp_path / "memory"), roi.load(tmp_path / "spilled")
    for name in ("posts", "accounts", "follows"):
        key = list(roi.tables.TABLES[name].key)
        x = getattr(a, name).sort_values(key, ignore_index=True)
        y = getattr(b, name).sort_values(key, ignore_index=True)
        pd.testing.assert_frame_equal(x, y)
    assert not list((tmp_path / "spilled").glob(".ingest-*"))  # the spill folder is removed
    again = ingest(files[:1], tmp_path / "spilled")  # merging into an existing store, in buckets
    assert again.sources[0].seen_again


@pytest.mark.parametrize("spill", [False, True])
def test_repeated_keys_combine_field_by_field(tmp_path, monkeypatch, spill):
    """Accounts: newest non-null value of each field; posts: first known content, newest known metrics."""
    import sys

    if spill:
        monkeypatch.setattr(sys.modules["roi.io.ingest"], "SPILL_BYTES", 500)
    user = {"id": "1", "username": "acme", "name": "Acme", "location": "NYC", "description": "old bio",
            "public_metrics": {"followers_count": 10, "following_count": 1, "tweet_count": 5}}
    tweet = {"id": "5", "author_id": "1", "created_at": "2024-03-01T00:00:00.000Z", "text": "hi"}

    def page(retrieved, data, users, tweets=()):
        return {"data": data, "includes": {"users": users, "tweets": list(tweets)},
                "__twarc": {"retrieved_at": retrieved}}

    reply = {"id": "6", "author_id": "2", "created_at": "2024-03-02T00:00:00.000Z", "text": "@acme hey",
             "referenced_tweets": [{"type": "replied_to", "id": "5"}]}
    lines = [
        # t1: tweet 5 only as context (no lang, 3 likes); the user with location and old bio.
        page("2024-03-10T00:00:00+00:00", [reply], [user], [dict(tweet, public_metrics={"like_count": 3})]),
        # t2 (newest): tweet 5 as a record (lang known, no metrics); the user without location, new bio.
        page("2024-03-20T00:00:00+00:00", [dict(tweet, lang="en")],
             [dict(user, location=None, description="new bio", public_metrics={"followers_count": 30})]),
        # t0 (oldest, read last): another location, more likes -- older, so neither wins.
        page("2024-03-01T00:00:00+00:00", [], [dict(user, location="LA", followers_count=None)],
             [dict(tweet, public_metrics={"like_count": 9})]),
    ]
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = ingest([path], tmp_path / "store")
    _adds_up(result)
    assert (result.sources[0].read, result.sources[0].ingested) == (2, 2)
    ds = roi.load(tmp_path / "store")
    acc = ds.accounts.set_index("account_id").loc["1"]
    assert (acc.description, acc.location, acc.followers_count) == ("new bio", "NYC", 30)
    assert acc.observed_at == pd.Timestamp("2024-03-20T00:00:00Z")
    post = ds.posts.set_index("post_id").loc["5"]
    assert (post.text, post.lang, post.likes) == ("hi", "en", 3)  # lang from the record, likes from t1
    assert post.metrics_observed_at == pd.Timestamp("2024-03-20T00:00:00Z")


def test_merge_orders_are_those_of_the_lexsorts_they_replace():
    """Key then reading order by one SIMD sort; by time only when a key's times go back."""
    import sys

    import numpy as np
    import pyarrow as pa

    ingest_module = sys.modules["roi.store_merge"]
    rng = np.random.default_rng(5)
    for trial in range(300):
        n = int(rng.integers(0, 60))
        codes = rng.integers(0, 1 + int(rng.integers(0, 12)), n)
        seq = np.cumsum(rng.integers(1, 4, n)) if trial % 3 else rng.permutation(n)
        order = ingest_module._key_then_reading_order(codes, seq)
        assert order.tolist() == np.lexsort((seq, codes)).tolist()
        times = rng.integers(0, 3, n) * 1_000_000 if trial % 2 else np.zeros(n, "int64")
        both = pa.table({"t": pa.array(times, pa.int64()).cast(pa.timestamp("us", tz="UTC")),
                         "_seq": pa.array(np.arange(n), pa.int64())})
        rows = np.arange(n)[np.lexsort((np.arange(n), codes))]  # by key, then reading order
        got = ingest_module._by_time(both, rows, "t", codes[rows])
        assert got.tolist() == rows[np.lexsort((rows, times[rows], codes[rows]))].tolist()


def test_a_reader_rank_that_is_not_a_permutation_is_an_error():
    import sys

    import pyarrow as pa

    rank_order = sys.modules["roi.io.reading"]._rank_order
    assert rank_order(pa.table({"x": [1, 2]}), 2, "f")[1] is None  # no _rank: rows as they are
    for bad in ([0, 0, 1], [0, 1, 3], [-1, 0, 1]):
        with pytest.raises(InputError, match="f: reader gave a bad _rank: _rank is not a permutation of the 3 rows"):
            rank_order(pa.table({"_rank": bad}), 3, "f")
