"""Shapes met in real exports nobody here wrote (found by running roi over public archives).

Each fixture is hand-written in the export's own shape, with the repository where the shape was
seen named beside it; none is a copy of anyone's data.
"""

from __future__ import annotations

import json

import pytest

import roi
from roi.io import _x_v2_arrow, ingest


def _ytd(name, entries):
    return f"window.YTD.{name}.part0 = " + json.dumps(entries, indent=2, separators=(",", " : "))


def _archive_tweet(tid, text, likes, edit_info, created="Thu Jul 28 15:37:55 +0000 2022"):
    return {"tweet": {"edit_info": edit_info, "retweeted": False, "entities": {
        "hashtags": [], "symbols": [], "user_mentions": [], "urls": []}, "favorite_count": likes, "id_str": tid,
        "retweet_count": "0", "id": tid, "created_at": created, "favorited": False, "full_text": text, "lang": "en"}}


def _initial(*ids):
    return {"initial": {"editTweetIds": list(ids), "editableUntil": "2022-07-28T16:07:55.000Z",
                        "editsRemaining": "4", "isEditEligible": True}}


def _later(first, *ids):
    return {"edit": {"initialTweetId": first, "editControlInitial": {
        "editTweetIds": list(ids), "editableUntil": "2022-07-28T16:07:55.000Z", "editsRemaining": "4",
        "isEditEligible": True}}}


# --- edited posts: X keeps every version under its own id (archives since late 2022, API v2, v1.1)

def test_archive_counts_an_edited_tweet_once_its_latest_version(tmp_path):
    # seen in milahu/twitter-milahu104 and smithjd/twitter_archive: every tweet carries edit_info
    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text(_ytd("account", [{"account": {"accountId": "42", "username": "acme"}}]))
    (data / "tweets.js").write_text(_ytd("tweets", [
        _archive_tweet("300", "new phone is out", "5", _later("100", "100", "200", "300")),
        _archive_tweet("200", "new phone is ot", "0", _later("100", "100", "200", "300")),
        _archive_tweet("100", "new phne is ot", "1", _initial("100", "200", "300")),
        _archive_tweet("50", "unedited", "2", _initial("50")),
    ]))
    result = ingest([tmp_path / "archive"], tmp_path / "store")
    posts = result.sources[0].by_table["posts"]
    assert (posts["read"], posts["ingested"], posts["rejected"]) == (4, 2, 2)
    ds = roi.load(tmp_path / "store")
    assert sorted(ds.posts.post_id) == ["300", "50"]
    assert ds.posts.set_index("post_id").likes["300"] == 5
    assert set(ds.rejected.reason.str.extract(r"latest version \((\d+)\)")[0]) == {"300"}


def _v2_tweet(tid, chain, likes, text="hey"):
    return {"id": tid, "text": text, "author_id": "9", "created_at": "2022-10-03T17:57:11.000Z",
            "edit_history_tweet_ids": chain, "conversation_id": chain[0],
            "public_metrics": {"like_count": likes, "retweet_count": 0, "reply_count": 0, "quote_count": 0}}


_TWARC = {"url": "https://api.twitter.com/2/tweets/search/recent", "version": "2.12.0",
          "retrieved_at": "2022-10-04T00:00:00+00:00"}


def test_v2_page_keeps_the_latest_version_of_an_edited_tweet(tmp_path):
    # the shape of twarc-csv's test-data/edited.jsonl: both versions, each listing the whole chain
    old, new = _v2_tweet("1", ["1", "2"], 0, "hey :("), _v2_tweet("2", ["1", "2"], 27, "hey :)")
    page = {"data": [new, old, _v2_tweet("5", ["5"], 3)], "includes": {"users": [{"id": "9", "username": "a"}]},
            "meta": {"result_count": 3}, "__twarc": _TWARC}
    path = tmp_path / "edited.jsonl"
    path.write_text(json.dumps(page) + "\n")
    result = ingest([path], tmp_path / "store")
    posts = result.sources[0].by_table["posts"]
    assert (posts["read"], posts["ingested"], posts["rejected"]) == (3, 2, 1)
    ds = roi.load(tmp_path / "store")
    assert sorted(ds.posts.post_id) == ["2", "5"]
    assert "only its latest version (2) is counted" in ds.rejected.reason[0]


def test_v2_fast_path_leaves_out_an_included_earlier_version(tmp_path):
    # the earlier version only as context (includes.tweets): never stored, the block stays on the fast path
    page = {"data": [_v2_tweet("2", ["1", "2"], 27)],
            "includes": {"tweets": [_v2_tweet("1", ["1", "2"], 0)], "users": [{"id": "9", "username": "a"}]},
            "__twarc": _TWARC}
    block = (json.dumps(page) + "\n").encode()
    out = _x_v2_arrow.read_block(block, 1, 1, lambda _: 0)
    assert out is not None
    tables, read, _ = out
    assert read == 1 and tables["posts"].column("post_id").to_pylist() == ["2"]
    path = tmp_path / "p.jsonl"
    path.write_bytes(block)
    ingest([path], tmp_path / "store")
    assert list(roi.load(tmp_path / "store").posts.post_id) == ["2"]


def test_v2_flattened_edited_tweet_counts_once(tmp_path):
    lines = [dict(_v2_tweet(t, ["1", "2"], n), author={"id": "9", "username": "a"}, __twarc=_TWARC)
             for t, n in (("1", 0), ("2", 27))]
    path = tmp_path / "flat.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    result = ingest([path], tmp_path / "store")
    assert result.sources[0].by_table["posts"]["rejected"] == 1
    assert list(roi.load(tmp_path / "store").posts.post_id) == ["2"]


def test_v1_edit_controls_keep_the_latest_version(tmp_path):
    def v1(tid, likes):
        return {"id_str": tid, "id": int(tid), "full_text": "x", "created_at": "Mon Oct 03 17:57:11 +0000 2022",
                "user": {"id_str": "9", "screen_name": "a"}, "favorite_count": likes, "retweet_count": 0,
                "edit_controls": {"edit_tweet_ids": ["1", "2"], "editable_until_ms": 1, "is_edit_eligible": True,
                                  "edits_remaining": 4}}
    path = tmp_path / "v1.json"
    path.write_text(json.dumps({"statuses": [v1("1", 0), v1("2", 27)]}))
    result = ingest([path], tmp_path / "store")
    assert result.sources[0].format == "x-v1"
    assert list(roi.load(tmp_path / "store").posts.post_id) == ["2"]


@pytest.mark.parametrize("chain", [[], ["7"], None])
def test_an_unedited_tweet_is_kept_whatever_its_history_field(tmp_path, chain):
    t = _v2_tweet("7", ["7"], 1)
    if chain is None:
        del t["edit_history_tweet_ids"]
    else:
        t["edit_history_tweet_ids"] = chain
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps({"data": [t], "__twarc": _TWARC}) + "\n")
    ingest([path], tmp_path / "store")
    assert list(roi.load(tmp_path / "store").posts.post_id) == ["7"]


# --- an archive copied without account.js and manifest.js (smithjd/twitter_archive: tweets.js,
# following.js and like.js only)

def _media(handle, tid):
    return [{"expanded_url": f"https://twitter.com/{handle}/status/{tid}/photo/1", "type": "photo",
             "url": "https://t.co/abc", "id_str": "1" + tid, "indices": ["10", "33"]}]


def _owner_less(tmp_path, tweets):
    data = tmp_path / "twitter_archive" / "data"
    data.mkdir(parents=True)
    (data / "tweets.js").write_text(_ytd("tweets", tweets))
    (data / "following.js").write_text(_ytd("following", [{"following": {"accountId": "77", "userLink": "x"}}]))
    return tmp_path / "twitter_archive"


def test_owner_is_read_from_a_tweets_link_to_its_own_page(tmp_path):
    rt = _archive_tweet("20", "RT @bob: look", "0", _initial("20"))
    rt["tweet"]["entities"]["media"] = _media("bob", "19")  # a retweet's media: the original's page, not the owner
    own = _archive_tweet("30", "our stand https://t.co/abc", "4", _initial("30"))
    own["tweet"]["entities"]["media"] = _media("AcmeCo", "30")
    own["tweet"]["extended_entities"] = {"media": _media("AcmeCo", "30")}
    self_reply = _archive_tweet("40", "and more", "1", _initial("40"))
    self_reply["tweet"].update(in_reply_to_status_id_str="30", in_reply_to_user_id_str="5838",
                               in_reply_to_screen_name="AcmeCo")
    path = _owner_less(tmp_path, [rt, own, self_reply])
    result = ingest([path], tmp_path / "store")
    s = result.sources[0]
    assert (s.rejected, s.by_table["posts"]["ingested"]) == (0, 3)
    assert any("@AcmeCo's, as tweet 30 links to its own page" in n for n in s.notes)
    ds = roi.load(tmp_path / "store")
    assert set(ds.posts.author_id) == {"5838"}  # the id from the self-reply, not the handle
    assert ds.accounts.set_index("account_id").handle["5838"] == "AcmeCo"
    assert set(zip(ds.follows.follower_id, ds.follows.followee_id, strict=True)) == {("5838", "77")}


def test_owner_less_archive_without_own_links_still_asks_for_owner(tmp_path):
    rt = _archive_tweet("20", "RT @bob: look", "0", _initial("20"))
    rt["tweet"]["entities"]["media"] = _media("bob", "19")
    path = _owner_less(tmp_path, [rt, _archive_tweet("21", "hello", "1", _initial("21"))])
    result = ingest([path], tmp_path / "store")
    s = result.sources[0]
    assert s.by_table["posts"]["rejected"] == 2
    assert any("give the owner with --owner HANDLE" in n for n in s.notes)


def test_an_archive_owner_found_by_link_without_an_id_uses_the_handle(tmp_path):
    own = _archive_tweet("30", "our stand", "4", _initial("30"))
    own["tweet"]["entities"]["media"] = _media("AcmeCo", "30")
    result = ingest([_owner_less(tmp_path, [own])], tmp_path / "store")
    assert any("the handle stands in as the id" in n for n in result.sources[0].notes)
    assert list(roi.load(tmp_path / "store").posts.author_id) == ["AcmeCo"]


# --- cascades of a store with no follow graph (a Mastodon export, an archive without follower.js)

def test_unique_reach_is_unknown_without_a_follow_graph():
    import pandas as pd

    from roi.cascades.metrics import cascade_metrics

    forest = pd.DataFrame({"cascade_id": "c", "node": ["s", "a"], "parent": [None, "s"],
                           "account_id": ["1", "2"], "time": [0.0, 1.0]})
    empty = pd.DataFrame({"follower_id": pd.Series([], dtype="string"), "followee_id": pd.Series([], dtype="string")})
    assert pd.isna(cascade_metrics(forest, follows=empty)["unique_reach"].iloc[0])
    one = pd.DataFrame({"follower_id": ["9"], "followee_id": ["2"]}, dtype="string")
    assert int(cascade_metrics(forest, follows=one)["unique_reach"].iloc[0]) == 1


# --- the report's engagement rate on exports without view counts (archives, Mastodon): the followers
# proxy is named as such and never pooled with views

def _metrics(sources, impressions, engagements):
    import pandas as pd

    return pd.DataFrame({"created_at": pd.to_datetime(["2026-01-06T12:00Z"] * len(sources)),
                         "impressions": impressions, "engagements": engagements,
                         "impressions_source": pd.array(sources, dtype="string")})


def test_trends_never_pool_views_with_the_followers_proxy():
    from roi.report.trends import report_weeks, weekly_trends

    weeks = report_weeks("2026-W02", tz="UTC", count=1)
    mixed = weekly_trends(_metrics(["impressions", "followers_proxy"], [100, 5000], [10, 1]), weeks, trim=False)
    assert (mixed.impressions.iloc[0], mixed.engagements.iloc[0]) == (100, 10)
    assert mixed.impressions_source.iloc[0] == "impressions"
    proxy = weekly_trends(_metrics(["followers_proxy"] * 2, [10, 10], [2, 1]), weeks, trim=False)
    assert (proxy.impressions.iloc[0], proxy.impressions_source.iloc[0]) == (20, "followers_proxy")


def test_report_names_the_followers_proxy_not_views():
    from roi.report.cards import kpi_cards
    from roi.report.findings import engagement_finding
    from roi.report.trends import report_weeks, weekly_trends

    t = weekly_trends(_metrics(["followers_proxy"] * 2, [10, 10], [2, 1]), report_weeks("2026-W02", tz="UTC", count=1),
                      trim=False)
    sentence = engagement_finding(t).sentence
    assert "3 engagements / 20 potential impressions" in sentence and "views)" not in sentence
    assert "potential impressions" in kpi_cards(t)[1].meaning


def test_top_posts_header_names_followers_when_the_export_has_no_views(tmp_path):
    from roi.report.context import prepare
    from roi.report.sections import top_posts

    data = tmp_path / "archive" / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text(_ytd("account", [{"account": {"accountId": "42", "username": "acme"}}]))
    (data / "follower.js").write_text(_ytd("follower", [{"follower": {"accountId": str(i), "userLink": "x"}}
                                                         for i in (7, 8)]))
    (data / "tweets.js").write_text(_ytd("tweets", [
        _archive_tweet(str(100 + i), f"post {i}", str(i), _initial(str(100 + i)),
                       created=f"Tue Jan {6 + i:02d} 12:00:00 +0000 2026") for i in range(3)]))
    ingest([tmp_path / "archive"], tmp_path / "store")
    section = top_posts(prepare(tmp_path / "store", account="acme", week="2026-W02"))
    assert "Potential impressions (followers; no view counts)" in section.tables[0].html
    assert ">Views<" not in section.tables[0].html


# --- Mastodon's export holds the account's direct messages too (hikurry/Mastodon-archive holds
# followers-only posts: those are posts, kept)

def _masto_note(n, to, cc):
    actor = "https://o3o.example/users/rain"
    sid = f"{actor}/statuses/{n}"
    return {"id": sid + "/activity", "type": "Create", "actor": actor, "published": "2021-03-28T02:57:55Z",
            "to": to, "cc": cc, "object": {"id": sid, "type": "Note", "attributedTo": actor, "to": to, "cc": cc,
                                           "published": "2021-03-28T02:57:55Z", "content": f"<p>note {n}</p>",
                                           "contentMap": {"en": f"<p>note {n}</p>"}, "tag": []}}


def test_mastodon_direct_messages_are_skipped_with_a_note(tmp_path):
    actor = "https://o3o.example/users/rain"
    items = [_masto_note(1, ["https://www.w3.org/ns/activitystreams#Public"], [actor + "/followers"]),
             _masto_note(2, [actor + "/followers"], []),  # followers-only: a post
             _masto_note(3, ["https://other.example/users/bob"], [])]  # direct: a conversation
    (tmp_path / "outbox.json").write_text(json.dumps({"@context": "https://www.w3.org/ns/activitystreams",
                                                      "type": "OrderedCollection", "totalItems": 3,
                                                      "orderedItems": items}))
    result = ingest([tmp_path / "outbox.json"], tmp_path / "store")
    s = result.sources[0]
    assert (s.read, s.ingested, s.rejected) == (2, 2, 0)
    assert any("1 direct message(s) skipped" in n for n in s.notes)
    assert sorted(roi.load(tmp_path / "store").posts.text) == ["note 1", "note 2"]
