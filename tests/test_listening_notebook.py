"""Notebook 06 renders on the sample store and shows the planted escalation."""

from __future__ import annotations

import json

import nbformat
import pytest

from tests.conftest import REPO, run_notebook


def test_notebook_is_committed_clean():
    nb = nbformat.read(REPO / "notebooks" / "06-listening.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert "parameters" in code[0].metadata.get("tags", [])
    assert not any(line.lstrip().startswith(("def ", "class ")) for c in code for line in c.source.splitlines())
    assert nb.metadata["kernelspec"]["name"] == "roi"


def test_notebook_runs_on_the_sample(sample_store, sample_truth, tmp_path):
    out = run_notebook("06-listening.ipynb", tmp_path, store=str(sample_store),
                       week=sample_truth["complaints"]["week"], tz=sample_truth["brand"]["tz"])
    text = json.dumps(nbformat.read(out, as_version=4).dict())
    assert sample_truth["complaints"]["escalation_post_id"] in text
    assert "Spike days" in text and "take_private" in text


def test_notebook_rejects_an_unknown_handle(sample_store, tmp_path):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError, match="not found"):
        run_notebook("06-listening.ipynb", tmp_path, store=str(sample_store), handles="acme,nobody_here")
