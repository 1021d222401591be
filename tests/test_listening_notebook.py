"""Notebook 06 renders on the sample store and shows the planted escalation."""

from __future__ import annotations

import json

import nbformat
import pytest

from tests.conftest import run_notebook


def test_notebook_runs_on_the_sample(sample_store, sample_truth, tmp_path):
    out = run_notebook("06-listening.ipynb", tmp_path, store=str(sample_store),
                       week=sample_truth["complaints"]["week"], tz=sample_truth["brand"]["tz"])
    text = json.dumps(nbformat.read(out, as_version=4).dict())
    assert sample_truth["complaints"]["escalation_post_id"] in text
    assert "Spike days" in text and "take_private" in text


def test_notebook_rejects_an_unknown_account(sample_store, tmp_path):
    import papermill as pm

    with pytest.raises(pm.PapermillExecutionError, match="not found"):
        run_notebook("06-listening.ipynb", tmp_path, store=str(sample_store), account="nobody_here")


POSTS_CSV = """post_id,author,created_at,text,kind,referenced_id,impressions,likes,reposts,replies,quotes,link_clicks
101,acme,2026-11-16T14:00:00Z,"New flavours this week #acme",original,,1000,20,2,1,0,5
102,cara,2026-11-17T15:00:00Z,"@acmecustserv my order is still missing after two weeks and nobody answers. Where is my refund?",original,,,0,0,0,0,
103,dan,2026-11-18T16:00:00Z,"@acmecustserv the app crashed again and charged me twice, this is broken",original,,,1,0,0,0,
104,acme,2026-11-18T17:00:00Z,"@dan sorry about that, we are on it",reply,103,300,1,0,0,0,0
"""


def test_notebook_runs_when_a_service_handle_has_no_profile(tmp_path):
    """A store from a posts CSV where @acmecustserv is only ever mentioned (no account row): the
    notebook matches its mentions by text and says so, instead of stopping at the handle."""
    from roi.io import ingest

    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "posts.csv").write_text(POSTS_CSV, encoding="utf-8")
    store = tmp_path / "store"
    ingest([raw], store)
    import roi

    assert "acmecustserv" not in set(roi.load(store).accounts["handle"].astype(str))  # the class of input
    out = run_notebook("06-listening.ipynb", tmp_path, store=str(store), account="acme",
                       handles="acme,acmecustserv", week="2026-W47", tz="UTC", brand_domains="")
    text = json.dumps(nbformat.read(out, as_version=4).dict())
    assert "@acmecustserv has no profile in the store" in text
    assert "<td>102</td>" in text and "<td>103</td>" in text  # the complaints addressed to the service handle are in the queue
