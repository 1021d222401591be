"""The install story: pyproject, environment.yml, constraints and the Makefile agree."""

import re
import subprocess
import tomllib

import yaml

from conftest import REPO

CONDA_NAMES = {"vadersentiment": "vadersentiment", "duckdb": "python-duckdb", "igraph": "python-igraph",
               "dask[dataframe]": "dask"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~ ;]", req, maxsplit=1)[0].strip().lower()


def _pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = _pyproject()["project"]
    pip_side = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    pip_side = {CONDA_NAMES.get(n, n) for n in pip_side}
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda_side = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda_side == pip_side
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def test_constraints_pin_every_dependency():
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, ver = line.partition("==")
            pins[name.lower().replace("_", "-")] = ver
    project = _pyproject()["project"]
    for req in project["dependencies"] + project["optional-dependencies"]["dev"]:
        name = _name(req).split("[")[0].replace("_", "-")
        assert name in pins, f"{name} is not pinned in constraints.txt"


def test_make_help_lists_every_target_with_a_description():
    out = subprocess.run(["make", "-s", "help"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    for target in ["setup", "weekly-report", "test", "lab", "bench", "clean"]:
        assert re.search(rf"\b{target}\b\s+\S", out), f"make help does not describe {target}"


def test_gitignored_data_folders_keep_their_readme():
    for folder in ["data/raw", "data/processed", "reports"]:
        assert (REPO / folder / "README.md").exists()
    ignored = (REPO / ".gitignore").read_text()
    assert "data/raw/*" in ignored and "data/processed/*" in ignored and "reports/*" in ignored
