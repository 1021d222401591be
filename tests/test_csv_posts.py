"""roi.io.csv_posts: the generic posts CSV, every row accounted for, ids exact, lines exact."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from roi.errors import InputError
from roi.io import csv_posts
from roi.tables import TABLES

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def collect(results):
    """All chunks of a reader: (primary table rows concatenated, other tables, rejected, read, notes)."""
    tables, rejected, read, notes = {}, [], 0, []
    for r in results:
        for name, frame in r.tables.items():
            tables.setdefault(name, []).append(frame)
        rejected += r.rejected
        read += r.read
        notes += getattr(r, "notes", None) or []
    return {k: pd.concat(v, ignore_index=True) for k, v in tables.items()}, rejected, read, notes


def test_fixture_rows_kinds_ids_and_times():
    tables, rejected, read, _ = collect(csv_posts.read(FIXTURES / "posts.csv", as_of=pd.Timestamp("2026-10-05")))
    posts = tables["posts"]
    assert read == 9 and len(posts) + len(rejected) == read
    assert posts.post_id.tolist() == [f"184531000000000000{i}" for i in (1, 2, 3, 4)]
    assert posts.kind.tolist() == ["original", "reply", "repost", "original"]  # row 4 has no kind, no reference
    assert posts.created_at.dt.strftime("%Y-%m-%d %H:%M").tolist() == [
        "2026-10-01 13:15", "2026-10-01 14:00", "2026-10-01 15:00", "2026-10-02 13:00"]  # -04:00 -> UTC; naive = UTC
    assert str(posts.created_at.dtype) == "datetime64[us, UTC]"
    assert posts.hashtags.tolist()[0] == ["fallmenu", "coffee"]
    assert posts.mentions.tolist()[0] == ["baristabob"]
    assert posts.mentions.tolist()[2] == []  # "RT @acme:" is not a mention
    assert posts.text.tolist()[3] == "New hours:\nopen till 9pm #news"
    assert posts.likes.fillna(-1).tolist() == [40, 2, -1, 12]  # empty cell = unknown, not zero
    assert posts.impressions.fillna(-1).tolist() == [1200, -1, -1, 800]
    assert (posts.metrics_observed_at == pd.Timestamp("2026-10-05", tz="UTC")).all()
    assert posts._line.tolist() == [2, 3, 4, 5]


def test_rejected_rows_have_lines_and_reasons():
    _, rejected, _, _ = collect(csv_posts.read(FIXTURES / "posts.csv"))
    by_line = {r.line: r.reason for r in rejected}
    # row 4's text spans lines 5-6, so the rows after it sit one line lower than their record
    assert by_line == {
        7: "created_at 'not a date' is not an ISO 8601 time",
        8: "likes '-3' is negative; expected a count >= 0",
        9: "kind 'story' is not one of original, reply, quote, repost",
        10: "expected 14 fields, found 15",
        11: "impressions 'ten' is not a number",
    }
    assert all(r.record for r in rejected)


def test_accounts_from_authors():
    tables, _, _, _ = collect(csv_posts.read(FIXTURES / "posts.csv"))
    accounts = tables["accounts"].set_index("account_id")
    assert set(accounts.index) == {"acme", "fan_ana"}
    assert accounts.loc["fan_ana", "followers_count"] == 320  # the latest post's figure
    assert accounts.loc["acme", "location"] == "Brooklyn, NY"
    assert accounts.loc["fan_ana", "observed_at"] == pd.Timestamp("2026-10-01T15:00:00Z")
    assert tables["accounts"]._context.all() and not tables["posts"]._context.any()


def test_missing_required_column_rejects_file(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("post_id,text\n1,hello\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        list(csv_posts.read(path))
    message = str(err.value)
    assert str(path) in message and "author, created_at" in message and "expected header: post_id,author" in message
    assert "\n" not in message


def test_entities_extracted_when_columns_absent_and_ids_keep_digits(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("post_id,author_id,created_at,text\n"
                    "0012345678901234567890,@Acme,2026-10-01,\"#Sale ＃NEW @Bob, mail me@x.org http://acme.com/a.\"\n",
                    encoding="utf-8")
    posts = collect(csv_posts.read(path))[0]["posts"]
    assert posts.post_id.tolist() == ["0012345678901234567890"]
    assert posts.author_id.tolist() == ["Acme"]
    assert posts.hashtags.tolist() == [["sale", "new"]] and posts.mentions.tolist() == [["bob"]]
    assert posts.urls.tolist() == [["http://acme.com/a"]]
    assert posts.platform.tolist() == ["csv"]


def test_bom_semicolons_and_latin1_fallback(tmp_path):
    bom = tmp_path / "bom.csv"
    bom.write_bytes("\ufeffpost_id;author;created_at;text\n1;ana;2026-10-01T10:00:00Z;olá\n".encode("utf-8"))
    tables, rejected, read, notes = collect(csv_posts.read(bom))
    assert read == 1 and not rejected and not notes and tables["posts"].text.tolist() == ["olá"]
    latin = tmp_path / "latin.csv"
    latin.write_bytes("post_id,author,created_at,text\n1,jos\xe9,2026-10-01,caf\xe9 cr\xe8me\n".encode("latin-1"))
    tables, rejected, read, notes = collect(csv_posts.read(latin))
    assert tables["posts"].text.tolist() == ["café crème"] and tables["posts"].author_id.tolist() == ["josé"]
    assert len(notes) == 1 and "not valid UTF-8" in notes[0] and str(latin) in notes[0]


def test_referenced_id_without_kind_is_rejected(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("post_id,author,created_at,referenced_id,text\n"
                    "1,a,2026-10-01,9,hello\n2,a,2026-10-01,9,RT @b: hi\n3,a,2026-10-01,,plain\n", encoding="utf-8")
    tables, rejected, read, _ = collect(csv_posts.read(path))
    assert tables["posts"].kind.tolist() == ["repost", "original"]
    assert [(r.line, r.reason.split(":")[0]) for r in rejected] == [(2, "referenced_id given without a kind")]


def test_many_chunks_keep_exact_lines(tmp_path, monkeypatch):
    monkeypatch.setattr("roi.io._csv.BLOCK_BYTES", 16384)
    rows = [f'{i},u{i % 7},2026-10-01T00:00:{i % 60:02d}Z,"text {i}\nsecond line",,{i % 5}' for i in range(2000)]
    rows[1500] = rows[1500].replace("2026-10-01", "2026-13-01")
    path = tmp_path / "big.csv"
    path.write_text("post_id,author,created_at,text,kind,likes\n" + "\n".join(rows) + "\n", encoding="utf-8")
    chunks = list(csv_posts.read(path))
    assert len(chunks) > 3  # streamed, not one block
    tables, rejected, read, _ = collect(chunks)
    assert read == 2000 and len(tables["posts"]) == 1999
    assert [r.line for r in rejected] == [2 + 2 * 1500]  # each row takes two lines
    assert tables["posts"]._line.iloc[-1] == 2 + 2 * 1999


def test_columns_are_canonical():
    tables, _, _, _ = collect(csv_posts.read(FIXTURES / "posts.csv"))
    posts = tables["posts"]
    assert [c for c in posts.columns if not c.startswith("_")] == TABLES["posts"].column_names
    assert str(posts.hashtags.dtype) == "list<item: string>[pyarrow]"
    assert str(posts.post_id.dtype) == "string"


def test_ingest_accounting_adds_up(tmp_path):
    from roi.io import ingest

    result = ingest([FIXTURES / "posts.csv"], tmp_path / "store")
    (source,) = [s for s in result.sources if s.path.endswith("posts.csv")]
    assert source.format == "csv"
    assert (source.read, source.rejected) == (9, 5)
    assert source.read == source.ingested + source.duplicates + source.rejected


def test_created_at_as_x_writes_it(tmp_path):
    """CSVs made from v1.1 tweets or archives keep X's own time format: read, not rejected."""
    p = tmp_path / "posts.csv"
    p.write_text("post_id,author,created_at\n1,acme,Wed Jan 07 11:06:08 +0000 2015\n2,acme,2015-01-07 11:06 +0100\n"
                 "3,acme,07/01/2015\n")
    tables, rejected, read, _ = collect(csv_posts.read(p))
    assert tables["posts"].created_at.tolist() == [pd.Timestamp("2015-01-07T11:06:08Z"),
                                                   pd.Timestamp("2015-01-07T10:06:00Z")]
    assert read == 3 and rejected[0].line == 4  # day/month order is ambiguous: rejected, not guessed
