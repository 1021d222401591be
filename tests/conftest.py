"""Shared fixtures: real public data (ROI_REALDATA) and a small sample store built once per worker."""

from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]

# The sample used by the analysis tests: small enough to build in seconds, large enough that
# the planted effects are recoverable. Analyses test against truth.json, never against constants.
SAMPLE_TEST_KW = {"seed": 7, "followers": 2000, "weeks": 6}


def realdata_dir() -> Path:
    return Path(os.environ.get("ROI_REALDATA", REPO.parent / "shared" / "realdata"))


@pytest.fixture(scope="session")
def realdata() -> Path:
    """The folder of real public data; tests using it skip with the reason when it is absent."""
    path = realdata_dir()
    if not (path / "README.md").exists():
        pytest.skip(f"real data not found at {path} (set ROI_REALDATA to ../shared/realdata)")
    return path


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory) -> Path:
    """Raw files of a small generated sample (the formats `roi ingest` reads) plus truth.json."""
    from roi.sample import write_sample

    out = tmp_path_factory.mktemp("sample-raw")
    write_sample(out, **SAMPLE_TEST_KW)
    return out


@pytest.fixture(scope="session")
def sample_truth(sample_dir) -> dict:
    return json.loads((sample_dir / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def sample_store(sample_dir, tmp_path_factory) -> Path:
    """A store ingested from the sample's raw files."""
    from roi.io import ingest

    store = tmp_path_factory.mktemp("sample-store") / "store"
    ingest([sample_dir], store)
    return store


@pytest.fixture(scope="session")
def sample_ds(sample_store):
    import roi

    return roi.load(sample_store)


def run_notebook(name: str, tmp_path: Path, **parameters) -> Path:
    """Execute notebooks/<name> with papermill (cwd notebooks/) and return the executed copy."""
    import papermill as pm

    out = tmp_path / name
    pm.execute_notebook(
        str(REPO / "notebooks" / name), str(out), parameters=parameters,
        cwd=str(REPO / "notebooks"), kernel_name="python3", progress_bar=False,
    )
    return out
