"""X archive reader: the real archive's manifest counts, zips, several parts, string numbers."""

from __future__ import annotations

import json
import os
import zipfile

import pandas as pd
import pytest

import roi
from roi.io import ingest, x_archive
from roi.store import Store


def _ytd(name, part, entries):
    return f"window.YTD.{name}.part{part} = " + json.dumps(entries, indent=2)


def _tweet(i, text="hello #Brand", **extra):
    t = {"id_str": str(i), "id": str(i), "full_text": text, "created_at": "Tue Jan 31 10:00:00 +0000 2017",
         "favorite_count": "3", "retweet_count": "1", "lang": "en",
         "entities": {"hashtags": [{"text": "Brand", "indices": ["6", "12"]}], "user_mentions": [], "urls": []}}
    t.update(extra)
    return {"tweet": t}


@pytest.fixture
def archive(tmp_path):
    data = tmp_path / "twitter-2023" / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text(_ytd("account", 0, [{"account": {
        "accountId": "42", "username": "acme", "accountDisplayName": "Acme", "createdAt": "2010-02-09T17:10:05.000Z"}}]))
    (data / "profile.js").write_text(_ytd("profile", 0, [{"profile": {"description": {"bio": "We make things",
                                                                                        "location": "Boston"}}}]))
    (data / "manifest.js").write_text("window.__THAR_CONFIG = " + json.dumps({
        "archiveInfo": {"generationDate": "2023-05-01T12:00:00.000Z"},
        "dataTypes": {"tweets": {"files": [{"fileName": "data/tweets.js", "count": "2"},
                                           {"fileName": "data/tweets-part1.js", "count": "2"}]},
                      "follower": {"files": [{"fileName": "data/follower.js", "count": "2"}]},
                      "following": {"files": [{"fileName": "data/following.js", "count": "1"}]}}}))
    (data / "tweets.js").write_text(_ytd("tweets", 0, [_tweet(1), _tweet(2, "RT @bob: nice", favorite_count="0", retweet_count="0", entities={
        "hashtags": [], "user_mentions": [{"screen_name": "bob", "indices": ["3", "7"]}], "urls": []})]))
    (data / "tweets-part1.js").write_text(_ytd("tweets", 1, [_tweet(3, in_reply_to_status_id_str="77"),
                                                             _tweet(4, favorite_count="-2")]))
    (data / "follower.js").write_text(_ytd("follower", 0, [{"follower": {"accountId": "7", "userLink": "x"}},
                                                           {"follower": {"accountId": "8", "userLink": "x"}}]))
    (data / "following.js").write_text(_ytd("following", 0, [{"following": {"accountId": "7", "userLink": "x"}}]))
    (data / "like.js").write_text(_ytd("like", 0, [{"like": {"tweetId": "5"}}]))
    return tmp_path / "twitter-2023"


def test_archive_folder(archive, tmp_path):
    result = ingest([archive], tmp_path / "store")
    s = result.sources[0]
    assert s.format == "x-archive" and (s.read, s.ingested, s.rejected) == (4 + 3 + 1, 7, 1)
    assert s.by_table["posts"] == {"read": 4, "ingested": 3, "duplicates": 0, "rejected": 1}
    assert "negative likes (-2)" in roi.load(tmp_path / "store").rejected.reason[0]
    assert s.notes == []  # manifest counts agree (the rejected tweet was read)
    ds = roi.load(tmp_path / "store")
    posts = ds.posts.set_index("post_id")
    assert (posts.author_id == "42").all() and posts.loc["1", "likes"] == 3
    assert posts.loc["1", "created_at"] == pd.Timestamp("2017-01-31T10:00:00Z")
    # An archive's "RT @" tweet: the owner's own post flagged manual_repost (the archive names no
    # original), its mention kept, its 0/0 counts unknown (X keeps a retweet's engagement on the original).
    assert posts.loc["2", "kind"] == "original" and pd.isna(posts.loc["2", "referenced_id"])
    assert posts.loc["2", "manual_repost"] and list(posts.loc["2", "mentions"]) == ["bob"]
    assert pd.isna(posts.loc["2", "likes"]) and pd.isna(posts.loc["2", "reposts"])
    assert not posts.loc["1", "manual_repost"]
    assert posts.loc["3", "kind"] == "reply" and posts.loc["3", "referenced_id"] == "77"
    owner = ds.accounts.iloc[0]
    assert (owner.account_id, owner.handle, owner.location, owner.description) == ("42", "acme", "Boston", "We make things")
    edges = set(zip(ds.follows.follower_id, ds.follows.followee_id, strict=True))
    assert edges == {("7", "42"), ("8", "42"), ("42", "7")}
    assert (ds.follows.first_seen == pd.Timestamp("2023-05-01T12:00:00Z")).all()


def test_archive_zip_is_the_same_source_content(archive, tmp_path):
    z = tmp_path / "archive.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in sorted(archive.rglob("*.js")):
            zf.write(f, f.relative_to(archive).as_posix())
    result = ingest([z], tmp_path / "store")
    s = result.sources[0]
    assert s.format == "x-archive" and s.read == 8 and s.ingested == 7
    assert x_archive.archive_files(z) == ["data/account.js", "data/follower.js", "data/following.js",
                                          "data/profile.js", "data/tweets.js", "data/tweets-part1.js"]


def test_manifest_mismatch_is_a_note(archive, tmp_path):
    (archive / "data" / "following.js").write_text(_ytd("following", 0, []))
    result = ingest([archive], tmp_path / "store")
    assert result.sources[0].notes == ["manifest.js states following 1 but 0 were read"]


def test_realdata_archive(realdata):
    chunks = list(x_archive.read(realdata / "x-archive"))
    read = {}
    for c in chunks:
        read[c.primary] = read.get(c.primary, 0) + c.read
        assert not c.rejected
    assert read == {"accounts": 1, "posts": 1986, "follows": 420 + 295}
    assert not [n for c in chunks for n in getattr(c, "notes", [])]
    follows = pd.concat([c.tables["follows"] for c in chunks if "follows" in c.tables])
    assert (follows.followee_id == "112769581").sum() == 420 and (follows.follower_id == "112769581").sum() == 295
    posts = pd.concat([c.tables["posts"] for c in chunks if "posts" in c.tables])
    assert posts.post_id.is_unique and (posts.author_id == "112769581").all()
    assert len(posts) == 1986  # manifest.js: tweets 1986
    # 643 tweets start "RT @" (the archive keeps no retweeted_status): none is a repost of nothing.
    manual = posts.manual_repost.to_numpy(dtype=bool)
    assert manual.sum() == 643 and not ((posts.kind == "repost") & posts.referenced_id.isna()).any()
    assert posts.created_at.notna().all() and posts.likes[~manual].notna().all() and posts.likes[manual].isna().all()
    owner = pd.concat([c.tables["accounts"] for c in chunks if "accounts" in c.tables]).iloc[0]
    assert (owner.account_id, owner.handle, owner.location) == ("112769581", "andreruffert", "Berlin, Germany")


def _manifest_only(archive):
    """The archive as some people publish it: account.js removed, manifest.js userInfo kept."""
    (archive / "data" / "account.js").unlink()
    manifest = archive / "data" / "manifest.js"
    doc = json.loads(manifest.read_text().split("=", 1)[1])
    doc["userInfo"] = {"accountId": "42", "userName": "acme", "displayName": "Acme Inc"}
    manifest.write_text("window.__THAR_CONFIG = " + json.dumps(doc))
    return archive


def test_owner_from_manifest_user_info(archive, tmp_path):
    result = ingest([_manifest_only(archive)], tmp_path / "store")
    s = result.sources[0]
    assert (s.read, s.ingested, s.rejected) == (4 + 3, 6, 1)  # no account.js record; the owner is context
    ds = roi.load(tmp_path / "store")
    assert (ds.posts.author_id == "42").all() and len(ds.posts) == 3
    owner = ds.accounts.set_index("account_id").loc["42"]
    assert (owner.handle, owner.display_name, owner.location, owner.description) == (
        "acme", "Acme Inc", "Boston", "We make things")
    assert {("7", "42"), ("8", "42"), ("42", "7")} == set(zip(ds.follows.follower_id, ds.follows.followee_id, strict=True))


def test_no_owner_rejects_with_the_reason_and_owner_option_provides_it(archive, tmp_path):
    (archive / "data" / "account.js").unlink()
    result = ingest([archive], tmp_path / "store")
    s = result.sources[0]
    assert s.read == s.ingested + s.duplicates + s.rejected and s.ingested == 0
    assert any("names no owner" in n and "--owner" in n for n in s.notes)
    assert "owner (the author) is unknown" in Store(tmp_path / "store").read_rejected().reason[0]
    # Following the note: the same archive, into the same store, with --owner, is read again.
    again = ingest([archive], tmp_path / "store", owner="42").sources[0]
    assert not again.seen_again and again.ingested == 3 + 3
    assert len(roi.load(tmp_path / "store").posts) == 3
    # --owner by handle: the id comes from the archive itself (a tweet mentioning the handle).
    tweets = archive / "data" / "tweets.js"
    tweets.write_text(tweets.read_text().replace('"screen_name": "bob"', '"screen_name": "acme", "id_str": "42"'))
    result = ingest([archive], tmp_path / "store2", owner="@Acme")
    ds = roi.load(tmp_path / "store2")
    assert result.sources[0].rejected == 1 and (ds.posts.author_id == "42").all()
    assert ds.accounts.set_index("account_id").loc["42", "handle"] == "Acme"


def test_owner_option_by_id_overrides_with_a_note(archive, tmp_path):
    chunks = list(x_archive.read(archive, owner="99"))
    notes = [n for c in chunks for n in c.notes]
    assert any("overrides the archive's own owner (account 42)" in n for n in notes)
    posts = pd.concat([c.tables["posts"] for c in chunks if "posts" in c.tables])
    assert (posts.author_id == "99").all()


def test_direct_messages_are_noted_never_posts(archive, tmp_path):
    (archive / "data" / "direct-messages.js").write_text(_ytd("direct_messages", 0, [{"dmConversation": {
        "conversationId": "1-2", "messages": [{"messageCreate": {"id": "5", "text": "private"}}]}}]))
    result = ingest([archive], tmp_path / "store")
    assert any("direct messages not read" in n for n in result.sources[0].notes)
    assert "private" not in set(roi.load(tmp_path / "store").posts.text)


def test_owner_follower_count_is_the_follower_list_length(archive, tmp_path):
    """An archive's accounts row carries no counts, but follower.js / following.js list them all:
    their lengths are the owner's follower and following counts at the archive's generation date
    (so timing can use the followers proxy on an archive)."""
    ingest([archive], tmp_path / "store")
    owner = roi.load(tmp_path / "store").accounts.iloc[0]
    assert (owner.followers_count, owner.following_count) == (2, 1)
    assert owner.observed_at == pd.Timestamp("2023-05-01T12:00:00Z")


def test_partial_archive_or_lone_file_gives_no_follower_count(archive, tmp_path):
    manifest = archive / "data" / "manifest.js"
    text = manifest.read_text()
    manifest.write_text(text.replace('"generationDate"', '"isPartialArchive": true, "generationDate"'))
    ingest([archive], tmp_path / "store")
    assert pd.isna(roi.load(tmp_path / "store").accounts.iloc[0].followers_count)
    ingest([archive / "data" / "tweets.js"], tmp_path / "lone")
    assert roi.load(tmp_path / "lone").accounts.followers_count.isna().all()


# The subprocess's own peak RSS in KiB: VmHWM belongs to the process image (ru_maxrss would carry
# over the pytest worker's peak through fork and exec).
_PEAK_RSS_KIB = ("[int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM')][0]")


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="peak RSS is read from Linux's /proc")
def test_a_zip_bomb_is_refused_in_bounded_memory(archive, tmp_path):
    """A 256 MiB tweets.js that compresses to about a megabyte: one line, exit 2, peak RSS far below
    the member's size (measured in a subprocess of its own)."""
    import subprocess
    import sys
    from pathlib import Path

    z = tmp_path / "bomb.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name in ("account.js", "manifest.js"):
            zf.write(archive / "data" / name, f"data/{name}")
        with zf.open("data/tweets.js", "w", force_zip64=True) as fh:
            fh.write(b"window.YTD.tweets.part0 = [ ")
            block = b" " * (1 << 24)
            for _ in range(16):  # 256 MiB of blanks: refused before a byte of it is read
                fh.write(block)
            fh.write(b"]")
    assert z.stat().st_size < 16 << 20
    code = ("import sys; from roi.cli.main import main; rc = main(sys.argv[1:]); "
            f"print({_PEAK_RSS_KIB}); sys.exit(rc)")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    run = subprocess.run([sys.executable, "-c", code, "ingest", str(z), "--store", str(tmp_path / "s")],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 2, run.stderr
    assert run.stderr.count("\n") == 1 and "refused as a zip bomb" in run.stderr
    peak_kib = int(run.stdout.split()[-1])
    assert peak_kib < 1 << 20, f"peak RSS {peak_kib} KiB"  # < 1 GiB


def test_a_truncated_or_damaged_tweets_js_keeps_what_is_readable(archive, tmp_path):
    tweets = archive / "data" / "tweets.js"
    tweets.write_text(_ytd("tweets", 0, [_tweet(1), _tweet(2)]).replace('"full_text"', '"full_text"', 1)
                      [:-40])  # cut inside the second entry
    (archive / "data" / "tweets-part1.js").write_text(
        "window.YTD.tweets.part1 = [ " + json.dumps(_tweet(3)) + ", {oops}, " + json.dumps(_tweet(4)) + " ]")
    result = ingest([archive], tmp_path / "store")
    ds = roi.load(tmp_path / "store")
    assert sorted(ds.posts.post_id) == ["1", "3", "4"]
    reasons = sorted(ds.rejected.reason)
    assert any("tweets.js entry 2: data/tweets.js ends inside entry 2 (the file is truncated)" in r for r in reasons)
    assert any(r.startswith("tweets-part1.js entry 2: invalid JSON") for r in reasons)
    s = result.sources[0]
    assert s.read == s.ingested + s.duplicates + s.rejected


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="peak RSS is read from Linux's /proc")
def test_a_1_gib_member_is_streamed_in_bounded_memory(archive, tmp_path):
    """Ratio check lifted: a 1 GiB tweets.js (two tweets and blanks between them) is read as a
    stream, never whole; peak RSS measured in a subprocess of its own."""
    import subprocess
    import sys
    from pathlib import Path

    z = tmp_path / "big.zip"
    with zipfile.ZipFile(z, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name in ("account.js", "manifest.js"):
            zf.write(archive / "data" / name, f"data/{name}")
        with zf.open("data/tweets.js", "w", force_zip64=True) as fh:
            fh.write(b"window.YTD.tweets.part0 = [ " + json.dumps(_tweet(1)).encode())
            block = b" " * (1 << 24)
            for _ in range(64):  # 1 GiB of blanks between the two entries
                fh.write(block)
            fh.write(b", " + json.dumps(_tweet(2)).encode() + b" ]")
    code = ("import sys; from roi.io import x_archive; x_archive.MAX_RATIO = float('inf'); "
            "from roi.io import ingest; r = ingest([sys.argv[1]], sys.argv[2]); "
            f"print(r.tables['posts'], {_PEAK_RSS_KIB})")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    run = subprocess.run([sys.executable, "-c", code, str(z), str(tmp_path / "s")],
                         capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    ingested, peak_kib = map(int, run.stdout.split()[-2:])
    assert ingested == 2
    assert peak_kib < 1 << 20, f"peak RSS {peak_kib} KiB"  # < 1 GiB (it was 3.3 GB when read whole)


# A long post (X Premium, since 2023): tweets.js keeps its text cut, ending in an ellipsis and a
# t.co link to the post; note-tweet.js holds the whole text with its own entities and no tweet id.
LONG = ("Our spring update is here and it is a big one, so grab a coffee. We rebuilt the checkout from "
        "scratch after hearing from so many of you that it was slow on phones, we added the order "
        "tracking page you asked for, and we finally fixed the bug that sent two confirmation emails "
        "for one order. Details and the full changelog: https://t.co/NEWa #SpringUpdate thanks @helpdesk")
REPLY = ("I wrote about exactly this last year https://t.co/NEWb and the short version is that the "
         "refund takes five working days because the bank holds it, not us; we have asked them to "
         "shorten it and will tell you the moment they do. Sorry it took this long, and thank you for "
         "your patience with us while we sort it out properly #RefundHelp")


def _note(text, created, **core):
    entry = {"noteTweetId": str(1_765_000_000_000_000_000 + len(text)), "createdAt": created, "updatedAt": created,
             "lifecycle": {"value": "1", "name": "Active"},
             "core": {"text": text, "mentions": [], "hashtags": [], "urls": [], "cashtags": [], "styletags": []}}
    entry["core"].update(core)
    return {"noteTweet": entry}


@pytest.fixture
def long_posts(tmp_path):
    data = tmp_path / "twitter-2024" / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text(_ytd("account", 0, [{"account": {"accountId": "42", "username": "acme"}}]))
    no_entities = {"hashtags": [], "user_mentions": [], "urls": []}
    cut = LONG[:270] + "\u2026 https://t.co/self1"
    reply_cut = "@stranger " + REPLY.replace("NEWb", "OLDb")[:260] + "\u2026 https://t.co/self2"
    (data / "tweets.js").write_text(_ytd("tweets", 0, [
        _tweet(10, cut, created_at="Tue Mar 05 09:30:00 +0000 2024", entities={**no_entities, "urls": [
            {"url": "https://t.co/self1", "expanded_url": "https://twitter.com/acme/status/10"}]}),
        _tweet(11, reply_cut, created_at="Wed Mar 06 10:00:00 +0000 2024", in_reply_to_status_id_str="900",
               in_reply_to_screen_name="stranger", entities={**no_entities, "user_mentions": [
                   {"screen_name": "stranger", "id_str": "900900"}], "urls": [
                   {"url": "https://t.co/OLDb", "expanded_url": "https://acme.example/refunds"}]}),
        _tweet(12, "Two notes start like this one and both were posted in the same second\u2026",
               created_at="Thu Mar 07 08:00:00 +0000 2024", entities=no_entities),
        _tweet(13, "a short post, no note", created_at="Fri Mar 08 08:00:00 +0000 2024", entities=no_entities)]))
    (data / "note-tweet.js").write_text(_ytd("note_tweet", 0, [
        _note(LONG, "2024-03-05T09:30:00.000Z",
              urls=[{"shortUrl": "https://t.co/NEWa", "expandedUrl": "https://acme.example/changelog",
                     "displayUrl": "acme.example/changelog", "fromIndex": "313", "toIndex": "336"}],
              hashtags=[{"text": "SpringUpdate", "fromIndex": "337", "toIndex": "350"}],
              mentions=[{"screenName": "helpdesk", "fromIndex": "358", "toIndex": "367"}]),
        _note("A different long post written in the same second, which no tweet starts with at all",
              "2024-03-05T09:30:00.000Z"),  # same instant as tweet 10, other text: must not be matched
        _note(REPLY, "2024-03-06T10:00:00.000Z", hashtags=[{"text": "RefundHelp"}],
              urls=[{"shortUrl": "https://t.co/NEWb", "expandedUrl": "https://acme.example/refunds"}]),
        _note("Two notes start like this one and both were posted in the same second, version A",
              "2024-03-07T08:00:00.000Z"),
        _note("Two notes start like this one and both were posted in the same second, version B",
              "2024-03-07T08:00:00.000Z"),
        _note("A long post whose tweet is not in this archive", "2024-01-01T00:00:00.000Z")]))
    return tmp_path / "twitter-2024"


def test_long_posts_get_their_full_text_from_note_tweet_js(long_posts):
    chunks = list(x_archive.read(long_posts))
    posts = pd.concat([c.tables["posts"] for c in chunks if "posts" in c.tables]).set_index("post_id")
    read = sum(c.read for c in chunks if c.primary == "posts")
    assert read == 4 and len(posts) == 4 and not [r for c in chunks for r in c.rejected]  # notes are not records
    long = posts.loc["10"]
    assert long.text == LONG and len(long.text) > 280
    assert list(long.hashtags) == ["springupdate"] and list(long.mentions) == ["helpdesk"]
    assert list(long.urls) == ["https://acme.example/changelog"]
    reply = posts.loc["11"]
    assert reply.text == "@stranger " + REPLY  # the reply's leading mention kept in front
    assert list(reply.mentions) == ["stranger"] and list(reply.hashtags) == ["refundhelp"]
    assert (reply.kind, reply.referenced_id) == ("reply", "900")
    assert posts.loc["12"].text.endswith("same second\u2026")  # two notes fit it: not guessed
    assert posts.loc["13"].text == "a short post, no note"
    notes = [n for c in chunks for n in c.notes]
    assert "note-tweet.js: 2 long post(s) read in full (tweets.js cuts them at 280 characters)" in notes
    assert any(n.startswith("note-tweet.js: 2 long post(s) fit no tweet of tweets.js") for n in notes)
    assert any(n.startswith("note-tweet.js: 2 long post(s) fit more than one tweet") for n in notes)


def test_lone_tweets_js_reads_its_sibling_note_tweet_js(long_posts, tmp_path):
    result = ingest([long_posts / "data" / "tweets.js"], tmp_path / "store")
    (source,) = result.sources
    assert (source.read, source.ingested, source.rejected) == (4, 4, 0)
    texts = roi.load(tmp_path / "store").posts.set_index("post_id").text
    assert texts["10"] == LONG
