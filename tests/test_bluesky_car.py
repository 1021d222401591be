"""roi.io.bluesky_car: Bluesky repository exports (repo.car), built here per the AT Protocol repository
spec (no real CAR is in realdata and nothing downloads): DAG-CBOR blocks with CIDv1 (dag-cbor, sha2-256)
links, a Merkle Search Tree with keys on several layers and prefix-compressed keys, a signed-commit
shaped root, all framed as CAR v1."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import libipld
import orjson
import pandas as pd
import pytest
from test_csv_posts import collect

import roi
from roi.cli.main import main
from roi.errors import InputError
from roi.io import bluesky_car, detect, ingest
from roi.io.detect import FORMATS

ACME = "did:plc:acmeb7xq4rw2kz5m3n6p7s2tuv"
ALICE = "did:plc:alice3v5kq2m7x4p6r2s3t4u5w"
BOB = "did:plc:bob6w2e4r5t7y2u3i4o5p6a7sd"
ALICE_POST = f"at://{ALICE}/app.bsky.feed.post/3l6nq2xk7ab2c"
BOB_ROOT = f"at://{BOB}/app.bsky.feed.post/3l6p2bobroot1"
BOB_PARENT = f"at://{BOB}/app.bsky.feed.post/3l6p2bobrep02"
AS_OF = pd.Timestamp("2026-11-30T12:00:00Z")
EMOJI_TEXT = "Café ☕ time: #FallMenu with @alice.bsky.social 🍂 acme.com/fall"
N_FILLERS = 30
N_FOLLOWS = 5
N_LIKES = 7


# ---------------------------------------------------------------------------- the fixture builder
def cid_for(block: bytes) -> bytes:
    """CIDv1, dag-cbor (0x71), sha2-256 multihash (0x12, 32 bytes) of a block."""
    return bytes([0x01, 0x71, 0x12, 0x20]) + hashlib.sha256(block).digest()


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def layer_of(key: str) -> int:
    """A key's MST layer: leading zero bits of its sha256, counted in pairs (fanout 4)."""
    zeros = 0
    for byte in hashlib.sha256(key.encode()).digest():
        if byte == 0:
            zeros += 8
            continue
        zeros += 8 - byte.bit_length()
        break
    return zeros // 2


class RepoBuilder:
    """Records in, a CAR v1 repository export out. ``blocks`` maps CID -> bytes in writing order."""

    def __init__(self, did: str):
        self.did = did
        self.records: dict[str, bytes] = {}  # key -> record CID
        self.blocks: dict[bytes, bytes] = {}
        self.nodes: dict[bytes, dict] = {}

    def block(self, value) -> bytes:
        data = libipld.encode_dag_cbor(value)
        cid = cid_for(data)
        self.blocks[cid] = data
        return cid

    def add(self, collection: str, rkey: str, value: dict) -> bytes:
        cid = self.block({"$type": collection, **value})
        self.records[f"{collection}/{rkey}"] = cid
        return cid

    def add_raw(self, collection: str, rkey: str, data: bytes, *, cid: bytes | None = None) -> bytes:
        cid = cid or cid_for(data)
        self.blocks[cid] = data
        self.records[f"{collection}/{rkey}"] = cid
        return cid

    def link_missing(self, collection: str, rkey: str) -> None:
        self.records[f"{collection}/{rkey}"] = cid_for(b"a block that is not in the file")

    def _node(self, items: list[tuple[str, bytes]], layer: int) -> bytes | None:
        if not items:
            return None
        left: list[tuple[str, bytes]] = []
        entries: list[list] = []  # [key, value, keys after it]
        for key, value in items:
            if layer_of(key) == layer:
                entries.append([key, value, []])
            else:
                (entries[-1][2] if entries else left).append((key, value))
        node_entries, previous = [], b""
        for key, value, after in entries:
            k = key.encode()
            p = 0
            while p < min(len(k), len(previous)) and k[p] == previous[p]:
                p += 1
            node_entries.append({"p": p, "k": k[p:], "v": value, "t": self._node(after, layer - 1)})
            previous = k
        node = {"l": self._node(left, layer - 1), "e": node_entries}
        cid = self.block(node)
        self.nodes[cid] = node
        return cid

    def car(self, *, drop: set[bytes] = frozenset(), tamper: set[bytes] = frozenset()) -> bytes:
        items = sorted(self.records.items())
        top = max(layer_of(k) for k, _ in items)
        self.root = self._node(items, top)
        commit = self.block({"did": self.did, "version": 3, "data": self.root, "rev": "3l7abcdefgh22",
                             "prev": None, "sig": b"\x00" * 64})
        header = libipld.encode_dag_cbor({"version": 1, "roots": [commit]})
        out = bytearray(varint(len(header)) + header)
        for cid, data in [(commit, self.blocks[commit]), *((c, d) for c, d in self.blocks.items() if c != commit)]:
            if cid in drop:
                continue
            if cid in tamper:
                data = data.replace(b"Daily", b"Dairy")
            out += varint(len(cid) + len(data)) + cid + data
        return bytes(out)


def _byte_range(text: str, part: str) -> dict:
    start = text.encode().index(part.encode())
    return {"byteStart": start, "byteEnd": start + len(part.encode())}


def _at(day: int, hour: int) -> str:
    return f"2026-{10 + (day - 1) // 30:02d}-{(day - 1) % 30 + 1:02d}T{hour:02d}:15:00.000Z"


def build_repo(did: str = ACME) -> tuple[RepoBuilder, dict]:
    """The acme repository: what it holds, and the keys of the records planted to fail."""
    repo = RepoBuilder(did)
    post = "app.bsky.feed.post"
    repo.add("app.bsky.actor.profile", "self", {"displayName": "Acme Coffee", "description": "Coffee & more ☕",
                                                 "createdAt": "2023-04-12T15:20:01.000Z"})
    repo.add(post, "3l6oveex3ii2l", {
        "text": EMOJI_TEXT, "createdAt": "2026-10-01T13:05:00.000Z", "langs": ["en"],
        "facets": [
            {"index": _byte_range(EMOJI_TEXT, "#FallMenu"),
             "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "FallMenu"}]},
            {"index": _byte_range(EMOJI_TEXT, "@alice.bsky.social"),
             "features": [{"$type": "app.bsky.richtext.facet#mention", "did": ALICE}]},
            {"index": _byte_range(EMOJI_TEXT, "acme.com/fall"),
             "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://acme.com/fall?utm_content=x"}]},
        ]})
    repo.add(post, "3l6p3acmerep1", {"text": "Thanks Bob!", "createdAt": "2026-10-02T14:00:00.000Z", "langs": ["en"],
                                     "reply": {"root": {"uri": BOB_ROOT, "cid": "bafyreibob"},
                                               "parent": {"uri": BOB_PARENT, "cid": "bafyreibob2"}}})
    repo.add(post, "3l6q4acmequo1", {"text": "Look at this", "createdAt": "2026-10-03T09:30:00.000Z",
                                     "embed": {"$type": "app.bsky.embed.record",
                                               "record": {"uri": ALICE_POST, "cid": "bafyreialice"}}})
    repo.add(post, "3l6r5acmebil1", {"text": "Kaffee und Kuchen / coffee and cake",
                                     "createdAt": "2026-10-04T16:00:00.000Z", "langs": ["de", "en"]})
    for i in range(N_FILLERS):
        repo.add(post, f"3l7f{i:09d}", {"text": f"Daily special {i}", "createdAt": _at(5 + i, 8 + i % 10),
                                        "langs": ["en"]})
    repo.add(post, "3l8nodate0001", {"text": "a post without a date", "langs": ["en"]})
    bad = {
        "undecodable": repo.add_raw(post, "3l8garbage001", b"\xa2\x64text"),
        "tampered": repo.add(post, "3l8tamper0001", {"text": "Daily tampered", "createdAt": _at(40, 9)}),
    }
    repo.link_missing(post, "3l8missing001")
    for i in range(2):
        repo.add("app.bsky.feed.repost", f"3l9r{i:09d}", {"subject": {"uri": ALICE_POST, "cid": "bafyreialice"},
                                                           "createdAt": _at(10 + i, 12)})
    for i in range(N_FOLLOWS):
        repo.add("app.bsky.graph.follow", f"3laf{i:09d}", {"subject": f"did:plc:friend{i:020d}",
                                                            "createdAt": f"2025-0{i + 1}-15T10:00:00.000Z"})
    repo.add("app.bsky.graph.follow", "3lafbaddate01", {"subject": BOB, "createdAt": "last tuesday"})
    for i in range(N_LIKES):
        repo.add("app.bsky.feed.like", f"3lal{i:09d}", {"subject": {"uri": ALICE_POST, "cid": "bafyreialice"},
                                                         "createdAt": _at(20 + i, 10)})
    repo.add("app.bsky.graph.block", "3lab000000001", {"subject": BOB, "createdAt": _at(3, 3)})
    repo.add("app.bsky.feed.threadgate", "3l6p3acmerep1", {"post": f"at://{did}/{post}/3l6p3acmerep1",
                                                            "createdAt": _at(2, 14), "allow": []})
    return repo, bad


@pytest.fixture(scope="module")
def car(tmp_path_factory) -> Path:
    repo, bad = build_repo()
    path = tmp_path_factory.mktemp("car") / "repo.car"
    path.write_bytes(repo.car(tamper={bad["tampered"]}))
    return path


@pytest.fixture(scope="module")
def read_car(car):
    return collect(bluesky_car.read(car, as_of=AS_OF, owner="@acme.com"))


# ---------------------------------------------------------------------------- the builder is a real MST
def test_the_fixture_is_a_multi_level_mst_with_compressed_keys():
    repo, _ = build_repo()
    repo.car()
    root = repo.nodes[repo.root]
    assert root["l"] is not None and any(e["t"] is not None for e in root["e"])  # left and right subtrees
    depth = max(layer_of(k) for k in repo.records)
    assert depth >= 2 and len(repo.records) >= 40
    assert any(e["p"] > 0 for node in repo.nodes.values() for e in node["e"])  # prefix-compressed keys


# ---------------------------------------------------------------------------- rows
def test_posts_kinds_and_accounting(read_car):
    tables, rejected, read, _ = read_car
    posts = tables["posts"]
    n_posts = 4 + N_FILLERS
    assert read == (n_posts + 4 + 2) + (N_FOLLOWS + 1) + 1  # posts + failing posts + reposts, follows, the profile
    assert len(posts) == n_posts + 2 and not posts._context.any()
    assert posts.kind.value_counts().to_dict() == {"original": N_FILLERS + 2, "reply": 1, "quote": 1, "repost": 2}
    assert (posts.author_id == ACME).all() and posts.likes.isna().all()
    assert posts.post_id.str.startswith(f"at://{ACME}/app.bsky.feed.").all()
    assert len(rejected) + len(posts) + len(tables["follows"]) + len(tables["accounts"]) == read


def test_reply_quote_repost_and_languages(read_car):
    posts = read_car[0]["posts"].set_index("post_id")
    reply = posts.loc[f"at://{ACME}/app.bsky.feed.post/3l6p3acmerep1"]
    assert (reply.kind, reply.referenced_id, reply.conversation_id) == ("reply", BOB_PARENT, BOB_ROOT)
    quote = posts.loc[f"at://{ACME}/app.bsky.feed.post/3l6q4acmequo1"]
    assert (quote.kind, quote.referenced_id) == ("quote", ALICE_POST)
    repost = posts.loc[f"at://{ACME}/app.bsky.feed.repost/3l9r000000000"]
    assert (repost.kind, repost.referenced_id) == ("repost", ALICE_POST)
    assert repost.created_at == pd.Timestamp("2026-10-10T12:15:00Z")
    assert posts.loc[f"at://{ACME}/app.bsky.feed.post/3l6r5acmebil1", "lang"] == "de"  # first of ["de", "en"]


def test_facets_over_text_with_emoji_use_utf8_byte_ranges(read_car):
    post = read_car[0]["posts"].set_index("post_id").loc[f"at://{ACME}/app.bsky.feed.post/3l6oveex3ii2l"]
    assert post.text == EMOJI_TEXT and post.created_at == pd.Timestamp("2026-10-01T13:05:00Z")
    assert list(post.hashtags) == ["fallmenu"]
    assert list(post.mentions) == ["alice.bsky.social"]  # the handle as written at the byte range
    assert list(post.urls) == ["https://acme.com/fall?utm_content=x"]
    assert post.conversation_id == post.name


def test_follows_are_dated_by_their_record_and_the_export(read_car):
    follows = read_car[0]["follows"].sort_values("followee_id")
    assert len(follows) == N_FOLLOWS and (follows.follower_id == ACME).all()
    assert follows.followee_id.iloc[0] == "did:plc:friend" + "0" * 20
    assert follows.first_seen.iloc[0] == pd.Timestamp("2025-01-15T10:00:00Z")
    assert (follows.last_seen == AS_OF).all()


def test_profile_is_the_owners_account_with_the_handle_given(read_car):
    accounts = read_car[0]["accounts"]
    assert len(accounts) == 1
    row = accounts.iloc[0]
    assert (row.account_id, row.handle, row.display_name, row.description) == (
        ACME, "acme.com", "Acme Coffee", "Coffee & more ☕")
    assert pd.isna(row.followers_count) and row.observed_at == AS_OF


def test_rejected_records_say_why_and_the_rest_is_read(read_car):
    rejected = {r.reason.split(": ", 1)[0].rsplit("/", 1)[1]: r for r in read_car[1]}
    assert set(rejected) == {"3l8nodate0001", "3l8garbage001", "3l8tamper0001", "3l8missing001", "3lafbaddate01"}
    assert rejected["3lafbaddate01"].reason.endswith("createdAt 'last tuesday' is not a date")
    assert rejected["3l8nodate0001"].reason.endswith("no createdAt")
    assert "does not decode as DAG-CBOR" in rejected["3l8garbage001"].reason
    assert "does not match its sha2-256 digest" in rejected["3l8tamper0001"].reason
    assert "missing from the file" in rejected["3l8missing001"].reason
    assert "a post without a date" in rejected["3l8nodate0001"].record  # nothing is lost
    assert all(isinstance(r.line, int) for r in rejected.values())


def test_skipped_collections_are_counted_in_notes(read_car):
    notes = read_car[3]
    assert f"skipped {N_LIKES} likes (app.bsky.feed.like): roi has no likes table" in notes
    assert "skipped 1 block (app.bsky.graph.block): roi has no blocks table" in notes
    assert any(n.startswith("skipped 1 thread gate (who may reply)") for n in notes)
    assert not any("names no handle" in n for n in notes)  # --owner gave it


def test_without_owner_the_account_has_the_did_and_a_note_says_so(car):
    tables, _, _, notes = collect(bluesky_car.read(car, as_of=AS_OF))
    assert tables["accounts"].handle.isna().all() and tables["accounts"].account_id.tolist() == [ACME]
    assert any("names no handle" in n and "--owner" in n for n in notes)
    with pytest.raises(InputError, match="is not this repository's account"):
        list(bluesky_car.read(car, owner="did:plc:someoneelse"))


def test_a_did_names_its_account_when_the_repo_gave_no_handle(car, tmp_path):
    from roi.accounts import account_id_for

    store = tmp_path / "store"
    ingest([car], store, as_of=AS_OF)
    accounts = roi.load(store).accounts
    assert accounts.handle.isna().all()
    assert account_id_for(accounts, ACME) == ACME and account_id_for(accounts, ACME.upper()) == ACME
    with pytest.raises(roi.errors.ParameterError, match="not found"):
        account_id_for(accounts, "did:plc:nobody")
    again = ingest([car], store, as_of=AS_OF, owner="acme.com")  # what the note asks: read again, with the handle
    assert not again.sources[0].seen_again and again.sources[0].ingested == 0
    assert account_id_for(roi.load(store).accounts, "acme.com") == ACME


def test_chunks_of_a_large_repo_add_up(car, monkeypatch):
    whole = collect(bluesky_car.read(car, as_of=AS_OF))
    monkeypatch.setattr(bluesky_car, "CHUNK_RECORDS", 7)
    chunks = list(bluesky_car.read(car, as_of=AS_OF))
    assert len(chunks) > 3 and all(len(c.tables.get("posts", [])) <= 7 for c in chunks)
    tables, rejected, read, notes = collect(chunks)
    assert read == whole[2] and len(rejected) == len(whole[1]) and notes == whole[3]
    assert tables["posts"].post_id.tolist() == whole[0]["posts"].post_id.tolist()


def test_a_repo_without_profile_still_names_its_owner(tmp_path):
    repo = RepoBuilder(ACME)
    for i in range(3):
        repo.add("app.bsky.feed.post", f"3l7f{i:09d}", {"text": "hi", "createdAt": _at(5 + i, 9)})
    path = tmp_path / "repo.car"
    path.write_bytes(repo.car())
    tables, rejected, read, _ = collect(bluesky_car.read(path, as_of=AS_OF, owner="acme.com"))
    assert read == 3 and not rejected and len(tables["posts"]) == 3
    accounts = tables["accounts"]
    assert accounts._context.all() and accounts.handle.tolist() == ["acme.com"]


def test_an_unreadable_mst_node_is_one_rejected_record(tmp_path):
    repo, _ = build_repo()
    repo.car()
    child = repo.nodes[repo.root]["l"]
    path = tmp_path / "repo.car"
    path.write_bytes(repo.car(drop={child}))
    tables, rejected, read, _ = collect(bluesky_car.read(path, as_of=AS_OF))
    assert sum("MST node" in r.reason and "cannot be listed" in r.reason for r in rejected) == 1
    rows = sum(int((~t._context).sum()) for t in tables.values())
    assert 0 < rows < (4 + N_FILLERS + 1) + 2 + N_FOLLOWS + 1  # the records under the node are not listed
    assert read == rows + len(rejected)


def test_each_bad_date_is_one_rejected_record_not_a_failed_file(tmp_path):
    repo = RepoBuilder(ACME)
    dates = {"good-offset": "2026-10-01T15:05:00+02:00", "good-naive": "2026-10-01 10:00:00",
             "good-nanos": "2026-10-01T13:05:00.123456789Z", "feb-30": "2026-02-30T10:00:00Z",
             "year-0000": "0000-01-01T00:00:00.000Z", "words": "yesterday", "year-9999": "9999-01-01T00:00:00Z"}
    for rkey, created in dates.items():
        repo.add("app.bsky.feed.post", rkey, {"text": rkey, "createdAt": created})
    path = tmp_path / "repo.car"
    path.write_bytes(repo.car())
    result = ingest([path], tmp_path / "store")
    source = result.sources[0]
    assert (source.read, source.ingested, source.rejected) == (7, 3, 4)
    reasons = [json.loads(line)["reason"] for line in (tmp_path / "store" / source.rejected_file).open()]
    assert sum("is not a date" in r for r in reasons) == 3 and sum("outside the dates" in r for r in reasons) == 1
    posts = roi.load(tmp_path / "store").posts.set_index("text")
    assert posts.loc["good-offset", "created_at"] == pd.Timestamp("2026-10-01T13:05:00Z")
    assert posts.loc["good-naive", "created_at"] == pd.Timestamp("2026-10-01T10:00:00Z")  # naive = UTC


# ---------------------------------------------------------------------------- bad files
def test_detection_by_content_not_name(car, tmp_path):
    renamed = tmp_path / "export.bin"
    renamed.write_bytes(car.read_bytes())
    assert detect(renamed).format == "bluesky-car" and detect(car).format == "bluesky-car"
    garbage = tmp_path / "repo.car"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(200))
    assert not detect(garbage) and "named .car" in detect(garbage).reason
    v2 = tmp_path / "v2.car"
    v2.write_bytes(bytes([10]) + libipld.encode_dag_cbor({"version": 2}) + bytes(40))
    assert "CAR v2" in detect(v2).reason
    assert "bluesky-car" in FORMATS


def test_a_truncated_file_is_one_line_naming_it(car, tmp_path):
    cut = tmp_path / "cut.car"
    cut.write_bytes(car.read_bytes()[:-25])
    with pytest.raises(InputError, match=r"cut\.car: truncated CAR file") as caught:
        list(bluesky_car.read(cut))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n" + bytes(100), "truncated"])
def test_cli_bad_car_is_exit_2_and_one_line(car, tmp_path, capsys, content):
    path = tmp_path / "repo.car"
    path.write_bytes(car.read_bytes()[:len(car.read_bytes()) // 2] if content == "truncated" else content)
    assert main(["ingest", str(path), "--store", str(tmp_path / "store")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "repo.car" in err[0] and "Traceback" not in err[0]


# ---------------------------------------------------------------------------- ingest, CLI, analyses
def _api_feed() -> dict:
    """getAuthorFeed of the same account (bluesky.py's format): two of the CAR's posts, with metrics."""
    author = {"did": ACME, "handle": "acme.com", "displayName": "Acme", "createdAt": "2023-04-12T15:20:01.000Z"}
    feed = []
    for rkey, created, likes in (("3l6oveex3ii2l", "2026-10-01T13:05:00.000Z", 31),
                                 (f"3l7f{0:09d}", _at(5, 8), 4)):
        uri = f"at://{ACME}/app.bsky.feed.post/{rkey}"
        text = EMOJI_TEXT if rkey == "3l6oveex3ii2l" else "Daily special 0"
        feed.append({"post": {"uri": uri, "cid": "bafyreix", "author": author,
                              "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": created},
                              "likeCount": likes, "repostCount": 1, "replyCount": 0, "quoteCount": 0,
                              "indexedAt": created}})
    return {"feed": feed}


def test_api_response_and_car_of_one_account_merge_without_duplicates(car, tmp_path):
    api = tmp_path / "author_feed.json"
    api.write_bytes(orjson.dumps(_api_feed()))
    store = tmp_path / "store"
    first = ingest([api], store, as_of="2026-11-01")
    second = ingest([car], store, as_of=AS_OF)
    for result in (first, second):
        for s in result.sources:
            assert s.read == s.ingested + s.duplicates + s.rejected, s.summary()
    car_source = second.sources[0]
    assert car_source.format == "bluesky-car" and car_source.rejected == 5
    assert car_source.by_table["posts"]["duplicates"] == 2  # the two posts the API response had
    assert car_source.by_table["accounts"]["duplicates"] == 1  # the profile: the API's author too
    ds = roi.load(store)
    assert ds.posts.post_id.is_unique and len(ds.posts) == 4 + N_FILLERS + 2
    emoji = ds.posts.set_index("post_id").loc[f"at://{ACME}/app.bsky.feed.post/3l6oveex3ii2l"]
    assert emoji.likes == 31  # the API's metrics survive the metric-less repo row
    acme = ds.accounts[ds.accounts.account_id == ACME]
    assert len(acme) == 1 and acme.handle.iloc[0] == "acme.com"  # the API named the handle


def test_cli_ingest_then_timing_and_report_sections(car, tmp_path, capsys):
    store = tmp_path / "store"
    assert main(["ingest", str(car), "--store", str(store), "--owner", "acme.com", "--json",
                 "--as-of", "2026-11-30T12:00:00Z"]) == 0
    out = capsys.readouterr()
    source = json.loads(out.out)["sources"][0]
    assert (source["format"], source["read"], source["rejected"]) == ("bluesky-car", 4 + N_FILLERS + 4 + 2
                                                                      + N_FOLLOWS + 1 + 1, 5)
    assert f"skipped {N_LIKES} likes" in out.err
    for account in ("acme.com", ACME):  # the handle --owner gave, or the DID
        # A repo has no metrics: timing finds the account, then says in one line it has nothing to rank.
        assert main(["timing", "--store", str(store), "--account", account, "--tz", "Europe/Berlin"]) in (0, 2)
        timing = capsys.readouterr()
        assert "not found" not in timing.err and len(timing.err.strip().splitlines()) <= 1

    import IPython.display

    from roi.report import prepare, sections, show

    ctx = prepare(store, account="acme.com", tz="Europe/Berlin", week="2026-W44")
    pages = []
    display = IPython.display.display
    IPython.display.display = lambda obj: pages.append(obj.data)
    try:
        for name in ("opening", "trends", "top_posts", "best_time", "content_mix", "data_quality"):
            show(getattr(sections, name), ctx)
    finally:
        IPython.display.display = display
    assert len(pages) == 6 and "@acme.com" in "\n".join(pages)
    assert not any("could not be computed" in w for w in ctx.warnings), ctx.warnings


def test_report_takes_the_did_of_a_repo_ingested_without_owner(car, tmp_path, capsys):
    """A repo without --owner names its account only by DID: the report takes the DID too, in a
    folder without ':' (it was refused as 'expected a handle')."""
    from roi.report import prepare, safe_output_dir

    store = tmp_path / "store"
    assert main(["ingest", str(car), "--store", str(store), "--as-of", "2026-11-30T12:00:00Z"]) == 0
    capsys.readouterr()
    ctx = prepare(store, account=ACME, tz="Europe/Berlin", week="2026-W44")
    assert ctx.account_id == ACME
    assert safe_output_dir(tmp_path / "out", ACME, "2026-W44").parent.name == ACME.replace(":", "-")
