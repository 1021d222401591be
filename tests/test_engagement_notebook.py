"""Notebook 04 renders on the sample store and shows the recovery of the planted effects."""

from __future__ import annotations

import json

import nbformat
import pytest
from conftest import run_notebook

NOTEBOOK = "04-timing-and-conversion.ipynb"


def test_notebook_renders_on_sample(sample_store, sample_dir, tmp_path):
    out = run_notebook(NOTEBOOK, tmp_path, store=str(sample_store), account="acme", tz="America/New_York",
                       truth=str(sample_dir / "truth.json"))
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(o.get("text", "") if o.get("output_type") == "stream" else json.dumps(o.get("data", {}))
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "planted best hour" in text and "inside their interval" in text
    assert sum("image/png" in o.get("data", {}) for c in nb.cells for o in c.get("outputs", [])) >= 5


def test_notebook_rejects_unknown_account(sample_store, tmp_path):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError, match="nobody"):
        run_notebook(NOTEBOOK, tmp_path, store=str(sample_store), account="nobody")
