"""roi.io.effort: the team's effort log -> canonical ``effort``; bad rows rejected with reasons."""

from __future__ import annotations

import pytest
from test_csv_posts import collect

from roi.cli.main import main
from roi.errors import InputError
from roi.io import effort
from roi.io.detect import detect

LOG = """Week,Activity,Hours,Cost
2026-W40,content,10,450
2026-W40,Customer Service,6.5,
2026-10-01,engagement,4,180
2026-W41,lunch,1,10
2026-W41,content,,10
2026-W41,content,-3,10
2026-W41,ads,2,-5
2026-W41,promotion,three,
last week,content,1,1
2026-W40,content,2,90
,content,1,1
2026-W41,Advertising,1.5,300
"""


def test_log_rows_and_rejections(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text(LOG, encoding="utf-8")
    tables, rejected, read, _ = collect(effort.read(path))
    log = tables["effort"]
    assert read == 12
    assert log[["week", "activity"]].values.tolist() == [
        ["2026-W40", "content"], ["2026-W40", "customer service"], ["2026-W40", "engagement"], ["2026-W41", "ads"]]
    assert log.hours.tolist() == [10.0, 6.5, 4.0, 1.5]
    assert log.cost.fillna(-1).tolist() == [450.0, -1, 180.0, 300.0]
    assert [(r.line, r.reason) for r in rejected] == [
        (5, "activity 'lunch' is not one of content, engagement, customer service, promotion, ads"),
        (6, "empty hours; expected the hours spent (a number >= 0)"),
        (7, "hours is negative; expected a number >= 0"),
        (8, "cost is negative; expected a number >= 0"),
        (9, "hours 'three' is not a number"),
        (10, "week 'last week' is neither an ISO week (2026-W40) nor a date (2026-09-28)"),
        (11, "week 2026-W40, activity content is already on line 2; log each week and activity once (sum the hours)"),
        (12, "empty week; expected week,activity,hours[,cost][,person]"),
    ]


def test_a_person_column_allows_one_row_per_person(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("week,activity,person,hours\n2026-W40,content,ana,3\n2026-W40,content,bo,4\n", encoding="utf-8")
    tables, rejected, _, _ = collect(effort.read(path))
    assert not rejected and tables["effort"].person.tolist() == ["ana", "bo"]


def test_missing_column_is_an_input_error(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("week,activity,cost\n2026-W40,content,10\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"log\.csv: missing required column\(s\) hours; expected header"):
        list(effort.read(path))


def test_detected_by_content_not_name(tmp_path):
    path = tmp_path / "export (3).txt"
    path.write_text("week,activity,hours\n2026-W40,content,1\n", encoding="utf-8")
    assert detect(path).format == "effort"


def test_ingest_keeps_rejected_rows_and_accounts_for_every_row(tmp_path):
    import roi
    from roi.io import ingest

    path = tmp_path / "effort.csv"
    path.write_text(LOG, encoding="utf-8")
    result = ingest([path], tmp_path / "store")
    (source,) = result.sources
    assert (source.format, source.read, source.ingested, source.rejected) == ("effort", 12, 4, 8)
    ds = roi.load(tmp_path / "store")
    assert len(ds.effort) == 4 and ds.effort.hours.sum() == pytest.approx(22.0)
    rejected = ds.rejected
    assert len(rejected) == 8 and rejected.line.tolist()[0] == 5 and "lunch" in rejected.record.iloc[0]


def test_cli_missing_column_exits_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "effort.csv"
    path.write_text("week,activity\n2026-W40,content\n", encoding="utf-8")
    code = main(["ingest", str(path), "--store", str(tmp_path / "store"), "--format", "effort"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1
    assert "missing required column(s) hours" in err and "Traceback" not in err


def test_a_log_without_hours_is_skipped_with_the_reason(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("week,activity,cost\n2026-W40,content,10\n", encoding="utf-8")
    found = detect(path)
    assert found.format is None and "no hours column" in found.reason


def test_a_store_without_effort_loads_an_empty_table(tmp_path):
    import roi
    from roi.io import ingest

    path = tmp_path / "e.csv"
    path.write_text("experiment_id,arm,post_id\nx,A,1\n", encoding="utf-8")
    ingest([path], tmp_path / "store")
    assert list(roi.load(tmp_path / "store").effort.columns) == ["week", "activity", "person", "hours", "cost"]


def test_cli_log_without_hours_detected_by_content_exits_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "effort.csv"
    path.write_text("week,activity,cost\n2026-W40,content,10\n", encoding="utf-8")
    code = main(["ingest", str(path), "--store", str(tmp_path / "store")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "no hours column" in err
