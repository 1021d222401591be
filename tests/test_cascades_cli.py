"""roi cascades (trees and store), the plots, the report helper, and notebook 03 on the sample store."""

from __future__ import annotations

import json

import matplotlib
import pandas as pd
import pytest

from roi.cascades import (
    plot_adoption_over_time,
    plot_cascade_tree,
    plot_ccdf,
    plot_size_vs_virality,
    top_cascades,
)
from roi.cli.main import main
from tests.conftest import run_notebook

matplotlib.use("Agg")

TREE = "['ROOT', 'ROOT', '0.0']->['1', '55', '0.0']\n['1', '55', '0.0']->['2', '55', '2.0']\n['2', '55', '2.0']->['3', '55', '4.0']\n"


def test_cli_trees_json(tmp_path, capsys):
    (tmp_path / "55.txt").write_text(TREE)
    assert main(["cascades", "--trees", str(tmp_path / "55.txt"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out[0]["cascade_id"] == "55"
    assert (out[0]["size"], out[0]["depth"], out[0]["structural_virality"]) == (3, 2, pytest.approx(4 / 3))
    for key in ("max_breadth", "minutes_to_10", "duration_minutes", "potential_reach", "unique_reach", "label"):
        assert key in out[0]


def test_cli_bad_input_is_one_line_exit_2(tmp_path, capsys):
    assert main(["cascades", "--trees", str(tmp_path / "missing.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing.txt" in err


def test_cli_store_and_report_helper(sample_store, sample_ds, sample_truth, capsys):
    assert main(["cascades", "--store", str(sample_store), "--account", "acme", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    brand = sample_truth["brand"]["account_id"]
    assert out and all(r["author_id"] == brand for r in out)
    assert all(r["size"] == r["reposts_observed"] + r["explicit_reply"] + r["explicit_quote"] + 1 for r in out)
    first = pd.Timestamp(out[-1]["created_at"])
    start, end = first - pd.Timedelta(days=3), first + pd.Timedelta(days=4)
    top = top_cascades(sample_ds, account="acme", start=start, end=end, n=3)
    assert 1 <= len(top) <= 3 and top["size"].is_monotonic_decreasing
    assert top["created_at"].between(start, end, inclusive="left").all()
    assert main(["cascades", "--store", str(sample_store), "--account", "nobody"]) == 2


def test_plots_return_axes():
    import matplotlib.pyplot as plt

    forest = pd.DataFrame({"cascade_id": ["a"] * 4 + ["b"] * 2, "node": [0, 1, 2, 3, 0, 1],
                           "parent": pd.array([None, 0, 0, 1, None, 0], dtype="Int64"),
                           "time": [0.0, 1, 2, 5, 0, 3]})
    metrics = pd.DataFrame({"size": [4, 2, 10], "structural_virality": [1.5, 1.0, 2.2], "g": ["x", "y", "x"]})
    for ax in (plot_cascade_tree(forest, "a"), plot_ccdf(metrics, column="size", by="g"),
               plot_ccdf(metrics, column="structural_virality"), plot_size_vs_virality(metrics, by="g"),
               plot_adoption_over_time(forest)):
        assert isinstance(ax, matplotlib.axes.Axes)
    plt.close("all")


def test_notebook_03_runs_on_the_sample(sample_store, tmp_path, realdata):
    out = run_notebook("03-cascades.ipynb", tmp_path, store=str(sample_store), account="acme",
                       trees=str(realdata / "cascades" / "twitter15.tgz"))
    import nbformat

    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
