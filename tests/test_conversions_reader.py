"""roi.io.conversions: web-analytics CSVs (utm_content column or landing URL) -> conversions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_csv_posts import collect

from roi.errors import InputError
from roi.io import conversions

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def test_utm_content_rows():
    tables, rejected, read, _ = collect(conversions.read(FIXTURES / "conversions.csv"))
    conv = tables["conversions"]
    assert read == 5 and len(conv) == 3
    # The email row has no post id: it is channel traffic, kept for the ledger with a null post_id.
    assert conv.post_id.fillna("-").tolist() == ["1845310000000000001", "1845310000000000001", "-"]
    assert conv.date.tolist() == [pd.Timestamp("2026-10-01", tz="UTC"), pd.Timestamp("2026-10-02", tz="UTC"),
                                  pd.Timestamp("2026-10-02", tz="UTC")]
    assert conv.clicks.tolist() == [120, 30, 55] and conv.conversions.tolist() == [6, 1, 4]
    assert conv.revenue.iloc[0] == pytest.approx(89.70) and pd.isna(conv.revenue.iloc[1])
    assert conv.channel.tolist() == ["social", "social", "email"]
    assert [(r.line, r.reason) for r in rejected] == [
        (5, "date '02/10/2026' is not an ISO 8601 date (YYYY-MM-DD)"),
        (6, "sessions '-2' is negative; expected a count >= 0"),
    ]


def test_ga4_landing_page_export():
    tables, rejected, read, _ = collect(conversions.read(FIXTURES / "ga4_landing.csv"))
    conv = tables["conversions"]
    assert conv.post_id.fillna("-").tolist() == ["1845310000000000001", "-", "1845310000000000004"]
    assert conv.date.dt.strftime("%Y-%m-%d").tolist() == ["2026-10-01", "2026-10-01", "2026-10-02"]
    assert conv.channel.tolist() == ["Organic Social", "Direct", "Organic Social"]
    assert conv.landing_page.fillna("-").tolist() == ["-", "/", "-"]  # kept only where no post id
    assert conv.clicks.tolist() == [90, 400, 12] and conv.conversions.tolist() == [3, 10, 1]
    assert conv.revenue.tolist() == pytest.approx([45.5, 200, 9.99])
    assert not rejected and read == 3


def test_row_with_neither_post_id_nor_channel_is_rejected(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("date,landing_page,channel,sessions,conversions\n"
                    "2026-10-01,/about,,5,0\n2026-10-01,/about,Email,7,1\n", encoding="utf-8")
    tables, rejected, read, _ = collect(conversions.read(path))
    assert tables["conversions"].channel.tolist() == ["Email"]
    assert [(r.line, r.reason) for r in rejected] == [(2, "no utm_content (post id) in the row or its landing URL")]


def test_channel_rows_of_one_day_on_different_pages_are_all_kept(tmp_path):
    from roi.io import ingest

    path = tmp_path / "ga.csv"
    path.write_text("Date,Session default channel group,Landing page + query string,Sessions,Key events\n"
                    "20261001,Email,/,10,1\n20261001,Email,/sale,20,3\n20261001,Organic Search,/,30,2\n",
                    encoding="utf-8")
    ingest([path], tmp_path / "store")
    again = ingest([path], tmp_path / "store")  # re-ingesting the same file changes nothing
    import roi

    conv = roi.load(tmp_path / "store").conversions
    assert len(conv) == 3 and conv.clicks.sum() == 60 and conv.conversions.sum() == 6
    assert again.sources[0].duplicates == 3


def test_utm_content_is_url_decoded(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("date,landing_page,clicks,conversions\n"
                    "2026-10-01T23:30:00-04:00,https://acme.com/x?utm_content=post%20A&utm_source=x,5,1\n",
                    encoding="utf-8")
    conv = collect(conversions.read(path))[0]["conversions"]
    assert conv.post_id.tolist() == ["post A"]
    assert conv.date.tolist() == [pd.Timestamp("2026-10-02", tz="UTC")]  # 03:30 UTC on the 2nd


def test_missing_columns_name_file_and_header(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("date,utm_content,conversions\n2026-10-01,1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"c\.csv: missing required column\(s\) clicks or sessions; expected header"):
        list(conversions.read(path))


def test_ingest_accounting_adds_up(tmp_path):
    from roi.io import ingest

    result = ingest([FIXTURES / "conversions.csv"], tmp_path / "store")
    (source,) = result.sources
    assert (source.format, source.read, source.rejected) == ("conversions", 5, 2)
    assert source.read == source.ingested + source.duplicates + source.rejected


def test_sample_conversions_file(sample_dir):
    tables, rejected, read, _ = collect(conversions.read(sample_dir / "conversions.csv"))
    conv = tables["conversions"]
    raw = pd.read_csv(sample_dir / "conversions.csv", dtype=str)
    assert not rejected and read == len(raw) == len(conv)
    assert conv.post_id.tolist() == raw.utm_content.tolist()  # 19-digit ids, exact
    assert conv.clicks.sum() == raw.sessions.astype(int).sum()
    assert conv.conversions.sum() == raw.conversions.astype(int).sum()
    assert (conv.date == conv.date.dt.floor("D")).all()


def test_channel_only_export_is_detected_and_kept_as_channel_traffic(tmp_path):
    from roi.io.detect import detect

    path = tmp_path / "traffic acquisition.csv"
    path.write_text("Date,Session default channel group,Sessions,Key events,Total revenue\n"
                    "20261001,Email,120,9,450\n20261001,Organic Search,300,6,\n", encoding="utf-8")
    assert detect(path).format == "conversions"
    tables, rejected, read, _ = collect(conversions.read(path))
    conv = tables["conversions"]
    assert not rejected and read == 2
    assert conv.post_id.isna().all() and conv.channel.tolist() == ["Email", "Organic Search"]
    assert conv.clicks.tolist() == [120, 300] and conv.conversions.tolist() == [9, 6]
