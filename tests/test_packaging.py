"""The install story: pyproject, environment.yml, constraints and the Makefile agree."""

import re
import subprocess
import tomllib

import pytest
import yaml
from conftest import REPO

CONDA_NAMES = {"dask[dataframe]": "dask"}


def _name(req: str) -> str:
    return re.split(r"[<>=!~ ;]", req, maxsplit=1)[0].strip().lower()


def _pyproject():
    return tomllib.loads((REPO / "pyproject.toml").read_text())


def _pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, ver = line.partition("==")
            pins[name.lower().replace("_", "-")] = ver
    return pins


def test_environment_yml_pins_the_runtime_dependencies_at_the_constraints_versions():
    pins = _pins()
    wanted = {}
    for req in _pyproject()["project"]["dependencies"]:
        name = _name(req)
        wanted[CONDA_NAMES.get(name, name.split("[")[0])] = pins[name.split("[")[0].replace("_", "-")]
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    conda_side = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and _name(dep) not in {"python", "pip"}:
            name, _, version = dep.partition("==")
            assert version, f"environment.yml: {dep} is not pinned with =="
            conda_side[name.strip().lower()] = version.strip()
    assert conda_side == wanted
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def test_make_uses_an_active_conda_environment(tmp_path):
    out = subprocess.run(["make", "-s", "-n", "setup"], cwd=REPO, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "CONDA_PREFIX": str(tmp_path / "env"),
                              "CONDA_DEFAULT_ENV": "roi"}).stdout
    assert f"{tmp_path}/env/bin/python -m pip install" in out
    assert "ipykernel install" in out
    plain = subprocess.run(["make", "-s", "-n", "setup"], cwd=REPO, capture_output=True, text=True,
                           env={"PATH": "/usr/bin:/bin"}).stdout
    assert ".venv/bin/python -m pip install" in plain or plain == ""


def test_constraints_pin_every_dependency():
    pins = _pins()
    project = _pyproject()["project"]
    for req in project["dependencies"] + project["optional-dependencies"]["dev"]:
        name = _name(req).split("[")[0].replace("_", "-")
        assert name in pins, f"{name} is not pinned in constraints.txt"


def test_make_help_lists_every_target_with_a_description():
    out = subprocess.run(["make", "-s", "help"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    for target in ["setup", "weekly-report", "test", "lint", "sanitize", "wheel-check", "lab", "bench", "clean"]:
        assert re.search(rf"\b{target}\b\s+\S", out), f"make help does not describe {target}"


def test_gitignored_data_folders_keep_their_readme():
    for folder in ["data/raw", "data/processed", "reports"]:
        assert (REPO / folder / "README.md").exists()
    ignored = (REPO / ".gitignore").read_text()
    assert "data/raw/*" in ignored and "data/processed/*" in ignored and "reports/*" in ignored


def test_a_built_wheel_ships_every_tracked_data_file(tmp_path):
    """Every non-Python file under roi/ that git tracks is in the wheel (package-data globs miss nothing).

    The wheel is built from a copy of the package's files, so neither setuptools' build/lib (which keeps
    files from earlier builds) nor the checkout's own folders take part. Installing that wheel alone and
    using it is `make wheel-check`, which CI runs (see the next test)."""
    import shutil
    import sys
    import zipfile

    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "roi", "pyproject.toml", "setup.py",
                            "README.md"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    src = tmp_path / "src"
    for name in files:
        if (REPO / name).is_file():
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, src / name)
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", str(src), "-w", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    if proc.returncode != 0 and ("Could not find a version" in proc.stderr or "NewConnectionError" in proc.stderr):
        pytest.skip("building the wheel needs setuptools>=77 from the package index, which is unreachable")
    assert proc.returncode == 0, proc.stderr[-2000:]
    names = set(zipfile.ZipFile(next(tmp_path.glob("roi-*.whl"))).namelist())
    tracked = subprocess.run(["git", "ls-files", "roi"], cwd=REPO, capture_output=True, text=True, check=True).stdout.split()
    data = [f for f in tracked if not f.endswith((".py", ".c")) and (REPO / f).exists()]
    assert "roi/report/weekly-report.ipynb" in data and "roi/geo/data/naturalearth-admin0-110m.parquet" in data
    assert not [f for f in data if f not in names], "data files missing from the wheel"


def test_ci_installs_the_wheel_alone_in_a_fresh_venv_and_uses_it_offline():
    """`make wheel-check` (run by .ci/run): a venv without system site-packages, only the built wheel installed
    with the pinned dependencies, then .ci/wheel-smoke geocodes, ingests and renders a report from it."""
    plan = subprocess.run(["make", "-s", "-n", "wheel-check"], cwd=REPO, capture_output=True, text=True, check=True,
                          env={"PATH": "/usr/bin:/bin"}).stdout
    steps = [line for line in plan.splitlines() if line.strip()]
    venv = next(line for line in steps if " -m venv " in line)
    assert venv.endswith("-m venv build/wheel-check/venv"), venv  # no --system-site-packages
    assert "build/wheel-check/venv/bin/python -m pip wheel --quiet --no-deps -w build/wheel-check/dist ." in steps
    assert ("build/wheel-check/venv/bin/python -m pip install --quiet --no-compile -c constraints.txt "
            "build/wheel-check/dist/roi-*.whl") in steps
    assert steps[-1] == ".ci/wheel-smoke build/wheel-check/venv"
    assert "build/lib.*" in steps[0]  # stale setuptools output would hide a file package-data misses
    ci = [line.strip() for line in (REPO / ".ci" / "run").read_text().splitlines()]
    assert "make wheel-check" in ci
    smoke = (REPO / ".ci" / "wheel-smoke").read_text()
    for step in ["roi geocode", "python -m roi.geo._build_index", "roi sample", "roi ingest", "roi report",
                 "unshare -rn", "env -i"]:
        assert step in smoke, f".ci/wheel-smoke does not run {step}"
