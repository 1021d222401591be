"""notebooks/01-followers.ipynb runs top to bottom on the sample store and rejects bad parameters."""

from __future__ import annotations

import json

import nbformat
import pytest
from conftest import run_notebook


def test_notebook_runs_on_the_sample(sample_store, sample_dir, tmp_path):
    out = run_notebook("01-followers.ipynb", tmp_path, store=str(sample_store),
                       truth=str(sample_dir / "truth.json"), export_dir=str(tmp_path / "exports"))
    nb = nbformat.read(out, as_version=4)
    text = json.dumps([c.get("outputs", []) for c in nb.cells])
    assert "precision" in text and "recall" in text
    written = sorted(p.suffix for p in (tmp_path / "exports").iterdir())
    assert written == [".csv", ".gexf", ".graphml", ".xlsx", ".xlsx"]


def test_notebook_rejects_bad_parameters(sample_store, tmp_path):
    import papermill as pm

    # Both parameters are checked by roi in the first cell; one kernel run shows it stops there.
    with pytest.raises(pm.PapermillExecutionError, match="tz='Mars/Base'"):
        run_notebook("01-followers.ipynb", tmp_path, store=str(sample_store), account="nobody", tz="Mars/Base")
