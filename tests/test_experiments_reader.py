"""roi.io.experiments: A/B assignments; duplicates and missing values rejected with reasons."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_csv_posts import collect

from roi.errors import InputError
from roi.io import experiments

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def test_assignments_and_rejections():
    tables, rejected, read, _ = collect(experiments.read(FIXTURES / "experiments.csv"))
    exp = tables["experiments"]
    assert read == 6
    assert exp.post_id.tolist() == ["1845310000000000011", "1845310000000000012", "1845310000000000013",
                                    "1845310000000000014"]
    assert exp.arm.tolist() == ["A", "B", "A", "B"]
    assert exp.pair_id.fillna("-").tolist() == ["p1", "p1", "p2", "-"]
    assert [(r.line, r.reason) for r in rejected] == [
        (6, "post 1845310000000000011 is already in experiment slot-test (line 2); a post belongs to one arm once"),
        (7, "empty arm; expected experiment_id,arm,post_id[,pair_id]"),
    ]


def test_missing_column(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("experiment_id,post_id\nx,1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"missing required column\(s\) arm"):
        list(experiments.read(path))


def test_sample_experiments_file(sample_dir, sample_truth):
    tables, rejected, read, _ = collect(experiments.read(sample_dir / "experiments.csv"))
    exp = tables["experiments"]
    assert not rejected and read == len(exp)
    planted = sample_truth["experiment"]
    assert set(exp.experiment_id) == {planted["experiment_id"]}
    assert exp.pair_id.nunique() == planted["pairs"] and len(exp) == 2 * planted["pairs"]
