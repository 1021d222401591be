"""roi.io.mastodon: outbox / actor / likes of a Mastodon export, every item accounted for."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_csv_posts import collect

from roi.errors import InputError
from roi.io import mastodon

FIXTURES = Path(__file__).parent / "fixtures" / "formats" / "mastodon"
AS_OF = pd.Timestamp("2026-10-05T00:00:00Z")
ACME = "https://social.example/users/acme"


def test_outbox_notes_boosts_and_rejections():
    tables, rejected, read, notes = collect(mastodon.read(FIXTURES / "outbox.json", as_of=AS_OF))
    posts = tables["posts"].set_index("post_id")
    assert read == 5 and len(posts) == 3 and len(rejected) == 2
    note = posts.loc[f"{ACME}/statuses/111"]
    assert note.kind == "original" and note.author_id == ACME and note.lang == "en"
    assert note.text == ("Fall menu is here! #FallMenu thanks @Bob & friends\n"
                         "Menu: https://acme.example/fall?utm_content=111")
    assert list(note.hashtags) == ["fallmenu"] and list(note.mentions) == ["bob@other.example"]
    assert list(note.urls) == ["https://acme.example/fall?utm_content=111"]  # not the tag/mention links
    assert (note.likes, note.reposts) == (17, 4) and pd.isna(note.replies)  # no totalItems: unknown
    assert note.created_at == pd.Timestamp("2026-10-01T13:00:00Z")
    reply = posts.loc[f"{ACME}/statuses/112"]
    assert (reply.kind, reply.referenced_id, reply.lang) == ("reply", "https://social.example/users/carol/statuses/99", "de")
    assert reply.created_at == pd.Timestamp("2026-10-01T13:30:00Z")  # +02:00 -> UTC
    assert list(reply.mentions) == ["carol@social.example"]  # local mention gets the host
    boost = posts.loc[f"{ACME}/statuses/113/activity"]
    assert (boost.kind, boost.referenced_id) == ("repost", "https://other.example/users/Bob/statuses/555")
    assert [(r.line, r.reason) for r in rejected] == [
        (4, "Delete activity is not a post (expected Create or Announce)"),
        (5, "Create whose object is only a URL, not a Note with content")]
    assert notes == ["outbox.json: totalItems says 4 but the collection holds 5 items; all 5 were read"]
    mentioned = tables["accounts"].set_index("account_id")
    assert mentioned.loc["https://other.example/users/Bob", "handle"] == "bob@other.example"
    assert tables["accounts"]._context.all()


def test_actor_becomes_an_account():
    tables, rejected, read, _ = collect(mastodon.read(FIXTURES / "actor.json", as_of=AS_OF))
    (account,) = tables["accounts"].to_dict("records")
    assert read == 1 and not rejected
    assert account["account_id"] == ACME and account["handle"] == "acme@social.example"
    assert account["display_name"] == "Acme Coffee ☕"
    assert account["description"] == "Coffee & pastries.\nHelp: @acmehelp"
    assert account["followers_count"] == 1520 and pd.isna(account["following_count"])  # a URL, not a count
    assert account["created_at"] == pd.Timestamp("2023-01-15T00:00:00Z") and account["observed_at"] == AS_OF


def test_likes_are_counted_in_a_note_not_ingested():
    tables, rejected, read, notes = collect(mastodon.read(FIXTURES / "likes.json"))
    assert read == 0 and not rejected and not tables
    assert notes == ["likes.json: 2 liked/bookmarked post URLs (the account's own, outgoing) not ingested: "
                     "roi keeps no table of them"]


def test_not_json_is_an_input_error(tmp_path):
    path = tmp_path / "outbox.json"
    path.write_text('{"orderedItems": [', encoding="utf-8")
    with pytest.raises(InputError, match=r"outbox\.json: not valid JSON"):
        list(mastodon.read(path))


def test_real_outbox_every_item_accounted_for(realdata):
    tables, rejected, read, notes = collect(mastodon.read(realdata / "mastodon" / "outbox.json"))
    posts = tables["posts"]
    # the items, not totalItems (1557), less the 31 direct messages (addressed only to the other party)
    assert read == 1586 - 31
    assert read == len(posts) + len(rejected)
    kinds = posts.kind.value_counts().to_dict()
    assert kinds["repost"] == 326  # one per Announce
    assert kinds["original"] + kinds["reply"] + len(rejected) == 1586 - 31 - 326  # the Creates
    assert posts.post_id.is_unique and posts.post_id.str.startswith("https://").all()
    assert (posts.platform == "mastodon").all() and posts.created_at.notna().all()
    assert not posts.text[posts.kind != "repost"].str.contains("<p>|&amp;", regex=True).any()
    assert posts.hashtags.list.len().sum() == 127 and posts.mentions.list.len().sum() == 298  # every tag
    assert any("1557" in n and "1586" in n for n in notes)
    assert any("31 direct message(s) skipped" in n for n in notes)


def test_real_actor_and_likes(realdata):
    tables, _, read, _ = collect(mastodon.read(realdata / "mastodon" / "actor.json"))
    assert read == 1 and tables["accounts"].handle.tolist() == ["dealingwith@indieweb.social"]
    _, _, read, notes = collect(mastodon.read(realdata / "mastodon" / "likes.json"))
    assert read == 0 and "1115" in notes[0]


def test_real_export_through_ingest(realdata, tmp_path):
    from roi.io import ingest

    result = ingest([realdata / "mastodon" / "outbox.json"], tmp_path / "store")
    (source,) = result.sources
    assert (source.format, source.read) == ("mastodon", 1586 - 31)  # direct messages are not read
    assert source.read == source.ingested + source.duplicates + source.rejected


SHOP = "https://brand.example/users/shop"


def test_outbox_saved_as_a_bare_array_reads_like_a_collection(tmp_path):
    from roi.io import ingest
    from roi.io.detect import detect

    path = FIXTURES / "outbox_array.json"
    assert detect(path).format == "mastodon"
    tables, rejected, read, notes = collect(mastodon.read(path, as_of=AS_OF))
    posts = tables["posts"].set_index("post_id")
    assert read == 4 and len(posts) == 3 and len(rejected) == 1  # 5 items less 1 direct message
    assert notes == ["1 direct message(s) skipped: private conversations, not posts"]
    assert rejected[0].line == 5 and rejected[0].reason.startswith("Delete activity")
    boost = posts.loc[f"{SHOP}/statuses/305/activity"]
    assert (boost.kind, boost.referenced_id, boost.author_id) == ("repost", "https://other.example/users/Dana/statuses/77", SHOP)
    reply = posts.loc[f"{SHOP}/statuses/304"]
    assert (reply.kind, reply.referenced_id) == ("reply", "https://other.example/users/Dana/statuses/70")
    assert reply.text == "@Dana thanks, fixed now!" and list(reply.mentions) == ["dana@other.example"]
    note = posts.loc[f"{SHOP}/statuses/303"]
    assert note.kind == "original" and list(note.hashtags) == ["router"]
    assert list(note.urls) == ["https://shop.example/fw?utm_content=303"]
    accounts = tables["accounts"].set_index("account_id").handle.to_dict()
    assert accounts == {SHOP: "shop@brand.example", "https://other.example/users/Dana": "dana@other.example"}
    result = ingest([path], tmp_path / "store")
    (source,) = result.sources
    assert (source.format, source.read, source.ingested, source.rejected) == ("mastodon", 4, 3, 1)


def test_a_json_list_that_is_not_activities_is_an_input_error(tmp_path):
    path = tmp_path / "outbox.json"
    path.write_text('[{"id": "1", "text": "hello"}]', encoding="utf-8")
    with pytest.raises(InputError, match=r"outbox\.json: a JSON list, but not of ActivityStreams activities"):
        list(mastodon.read(path))


def test_content_warning_leads_the_text_so_listening_reads_it():
    from roi.listening import score_complaints

    tables, rejected, read, _ = collect(mastodon.read(FIXTURES / "outbox_cw.json", as_of=AS_OF))
    posts = tables["posts"].set_index("post_id")
    assert read == 2 and not rejected
    warned = posts.loc["https://other.example/users/Dana/statuses/901"]
    assert warned.text == ("CW: complaint: parcel two weeks late, cracked lid, want a refund #ShopFail\n\n"
                           "@shop see photos")
    assert list(warned.hashtags) == ["shopfail"] and list(warned.mentions) == ["shop@brand.example"]
    plain = posts.loc["https://other.example/users/Dana/statuses/902"]
    assert plain.text == "RT @shop: autumn sale starts today"  # an empty summary is no warning
    assert bool(plain.manual_repost) and not bool(warned.manual_repost)
    scored = score_complaints(posts.reset_index(), handles=["shop"]).set_index("post_id")
    assert bool(scored.loc[warned.name, "is_complaint"])  # the complaint is in the warning only
    body_only = score_complaints(pd.DataFrame({"post_id": ["b"], "text": ["@shop see photos"]}), handles=["shop"])
    assert not bool(body_only.is_complaint.iloc[0])


def test_a_bare_array_larger_than_the_detection_head_is_still_recognised(tmp_path):
    import orjson

    from roi.io.detect import HEAD_BYTES, detect

    boosts = [{"id": f"{SHOP}/statuses/{i}/activity", "type": "Announce", "actor": SHOP,
               "published": "2026-09-03T09:00:00Z", "object": f"https://other.example/users/dana/statuses/{i}"}
              for i in range(6000)]
    path = tmp_path / "outbox.json"
    path.write_bytes(orjson.dumps(boosts))  # one line, no "activitystreams" anywhere
    assert path.stat().st_size > HEAD_BYTES
    assert detect(path).format == "mastodon"
    _, rejected, read, _ = collect(mastodon.read(path))
    assert read == 6000 and not rejected
