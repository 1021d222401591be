"""Notebook 07 renders on the sample store and reads the ledger in words."""

from __future__ import annotations

import json

import nbformat
import pytest

from tests.conftest import run_notebook

NAME = "07-return-on-influence.ipynb"


def test_notebook_runs_on_the_sample(sample_store, sample_truth, tmp_path):
    brand = sample_truth["brand"]
    out = run_notebook(NAME, tmp_path, store=str(sample_store), account=brand["handle"],
                       service_handles=brand["custserv_handle"], tz=brand["tz"], value_per_case=15.0,
                       engagement_values="likes=0.05")
    text = json.dumps(nbformat.read(out, as_version=4).dict())
    assert "converts" in text and "social: brand posts" in text
    assert "an answered complaint = 15.00" in text and "a like = 0.05" in text
    assert "&lt;NA&gt;" not in text and "<NA>" not in text


def test_notebook_rejects_a_bad_parameter(sample_store, tmp_path):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError, match="engagement_values"):
        run_notebook(NAME, tmp_path, store=str(sample_store), engagement_values="likes")


def test_notebook_runs_on_a_real_archive_without_web_analytics_or_effort(realdata, tmp_path):
    from roi.io import ingest

    ingest([realdata / "x-archive"], tmp_path / "store")
    out = run_notebook(NAME, tmp_path, store=str(tmp_path / "store"), account="andreruffert", service_handles="",
                       brand_terms="", brand_domains="", tz="UTC", weeks=8)
    text = json.dumps(nbformat.read(out, as_version=4).dict())
    assert "No web analytics in the store" in text and "No effort log" in text
