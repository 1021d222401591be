import json
import subprocess
import sys

import roi
from roi.cli.main import main, subcommand_modules


def run_roi(*args):
    return subprocess.run([sys.executable, "-m", "roi", *args], capture_output=True, text=True)


def test_version():
    proc = run_roi("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"roi {roi.__version__}"


def test_help_lists_every_subcommand():
    proc = run_roi("--help")
    assert proc.returncode == 0
    for name in subcommand_modules():
        assert name in proc.stdout


def test_unknown_subcommand_is_one_line_exit_2():
    proc = run_roi("frobnicate")
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) <= 3  # argparse prints usage + the one-line reason


def test_no_subcommand_is_usage_error(capsys):
    assert main([]) == 2


def test_console_script_installed():
    import shutil
    from pathlib import Path

    exe = Path(sys.executable).with_name("roi")
    script = str(exe) if exe.exists() else shutil.which("roi")
    assert script, "the `roi` console script is not installed in this environment"
    proc = subprocess.run([script, "--help"], capture_output=True, text=True)
    assert proc.returncode == 0 and "usage: roi" in proc.stdout


def test_ingest_owner_and_followee_options(tmp_path):
    """--owner gives an archive that names no owner its author; --followee links raw follower pages."""
    archive = tmp_path / "archive"
    archive.mkdir()
    tweet = {"tweet": {"id_str": "1", "full_text": "hi", "created_at": "Tue Jan 31 10:00:00 +0000 2017"}}
    (archive / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps([tweet]))
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"data": [{"id": "7", "username": "fan"}], "meta": {"result_count": 1}}) + "\n")
    store = tmp_path / "store"
    proc = run_roi("ingest", str(archive), str(page), "--store", str(store), "--owner", "42", "--followee", "42",
                   "--json")
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [s["ingested"] for s in out["sources"]] == [1, 1] and out["tables"]["follows"] == 1
    proc = run_roi("ingest", str(archive), "--store", str(tmp_path / "other"))
    assert proc.returncode == 0 and "names no owner" in proc.stderr and "--owner" in proc.stderr
