"""Bad arguments and inputs for every command: exit 2 and exactly one line on stderr, never a
traceback (exit 1). One table per command; rows that fail in another helper's area are marked
xfail(strict=True) with the reason, so they turn red the day they are fixed."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from roi.cli.main import main
from roi.io import ingest


@pytest.fixture(scope="module")
def paths(tmp_path_factory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("bad-input")
    tweets = root / "t.jsonl"
    tweets.write_text(json.dumps({
        "data": [{"id": "1", "author_id": "9", "text": "hi @acme", "created_at": "2024-01-02T03:04:05Z"}],
        "includes": {"users": [{"id": "9", "username": "acme"}]}}) + "\n")
    ingest([tweets], root / "store")
    damaged = root / "damaged"
    ingest([tweets], damaged)
    (damaged / "_rejected" / "x.jsonl").write_text("{not json\n\x00\x01\n")
    manifest = json.loads((damaged / "manifest.json").read_text())
    manifest["rejected_files"] = ["_rejected/x.jsonl"]
    (damaged / "manifest.json").write_text(json.dumps(manifest))
    (root / "a-file.txt").write_text("x")
    (root / "not-json.ipynb").write_text("{nope")
    (root / "config.json").write_text("[1, 2]")
    return {"root": str(root), "tweets": str(tweets), "store": str(root / "store"), "damaged": str(damaged),
            "file": str(root / "a-file.txt"), "notjson": str(root / "not-json.ipynb"),
            "config": str(root / "config.json"), "new": str(root / "new")}


SLOTS = ["--start", "2026-11-02", "--slot-a", "09:00-10:00", "--slot-b", "18:00-19:00", "--tz", "UTC"]
NOT_MINE = "belongs to another area; reported to the lead"

CASES = [
    # ingest
    ("ingest", ["{tweets}", "--store", "/dev/null"], "is a file, not a folder"),
    ("ingest", ["{tweets}", "--store", ""], "--store is an empty path"),
    ("ingest", ["{tweets}", "--store", "{file}"], "is a file, not a folder"),
    ("ingest", ["{tweets}", "--store", "{file}/store"], "cannot be created"),
    ("ingest", ["", "--store", "{new}"], "PATH is an empty path"),
    ("ingest", ["{root}/missing.jsonl", "--store", "{new}"], "no such file or folder"),
    ("ingest", ["{file}", "--store", "{new}"], "not an export roi reads"),
    ("ingest", ["{tweets}", "--store", "{new}", "--as-of", "yesterday-ish"], "--as-of"),
    ("ingest", ["{tweets}", "--store", "{new}", "--wait", "-1"], "--wait"),
    ("ingest", ["{tweets}", "--store", "{new}", "--wait", "nan"], "--wait"),
    ("ingest", ["{tweets}", "--store", "{new}", "--format", "nope"], "invalid choice"),
    # report
    ("report", ["--store", "/dev/null", "--account", "acme"], "not a roi store"),
    ("report", ["--store", "", "--account", "acme"], "--store is an empty path"),
    ("report", ["--store", "{store}", "--account", "acme", "--week", "0000-W01"], "expected a year from 1990"),
    ("report", ["--store", "{store}", "--account", "acme", "--week", "2026-W99"], "no ISO week 99"),
    ("report", ["--store", "{store}", "--account", "acme", "--tz", "Mars/Olympus"], "not an IANA time zone"),
    ("report", ["--store", "{store}", "--account", "acme", "--week", "2024-W01", "--out", "{file}"], "is a file"),
    ("report", ["--store", "{store}", "--account", "acme", "--week", "2024-W01", "--notebook", "{root}/no.ipynb"],
     "no such notebook"),
    ("report", ["--store", "{store}", "--account", "acme", "--week", "2024-W01", "--notebook", "{notjson}"],
     "not a notebook"),
    ("report", ["--store", "{store}", "--account", "nobody", "--week", "2024-W01", "--out", "{new}"], "not found"),
    # timing
    ("timing", ["--store", "/dev/null", "--account", "acme"], "not a roi store"),
    ("timing", ["--store", "{store}", "--account", "acme", "--tz", "Mars/Olympus"], "not an IANA time zone"),
    ("timing", ["--store", "{store}", "--account", "acme", "--top", "-1"], "--top"),
    ("timing", ["--store", "{store}", "--account", "nobody"], "not found"),
    ("timing", ["--store", "{damaged}", "--account", "nobody"], "not found"),  # a damaged _rejected file loads
    # ab
    ("ab", ["plan", "--baseline-rate", "2", "--min-lift", "0.1", *SLOTS], "--baseline-rate 2.0: expected"),
    ("ab", ["plan", "--baseline-rate", "0.03", "--min-lift", "0.001", *SLOTS], "--min-lift 0.001: detecting it needs"),
    ("ab", ["--store", "{store}", "--experiment", "nope", "--tz", "UTC"], "not in the store"),
    ("ab", ["--store", "/dev/null", "--experiment", "nope"], "not a roi store"),
    ("ab", ["--store", "{store}", "--a", "Xyz", "--b", "Tue 18:00-20:00", "--account", "acme", "--tz", "UTC"],
     "expected a local time window"),
    # listen
    ("listen", ["--store", "/dev/null", "--handles", "acme"], "not a roi store"),
    ("listen", ["--store", "{store}", "--handles", ""], "--handles"),
    ("listen", ["--store", "{store}", "--handles", "acme", "--since", "not-a-date"], "since"),
    ("listen", ["--store", "{store}", "--handles", "acme", "--window-hours", "-1"], "--window-hours -1"),
    # cascades
    ("cascades", ["--trees", "{root}/missing.tgz"], "no such file"),
    ("cascades", ["--trees", "/dev/null"], "expected a tree"),
    ("cascades", ["--trees", ""], "--trees is an empty path"),
    ("cascades", ["--trees", "{file}"], "tree"),
    ("cascades", ["--store", "/dev/null"], "not a roi store"),
    ("cascades", ["--store", "{store}", "--start", "bad"], "--start"),
    # sample
    ("sample", ["/dev/null"], "not empty"),
    ("sample", [""], "OUT_DIR is an empty path"),
    ("sample", ["{file}"], "not empty"),
    ("sample", ["{new}/s", "--weeks", "0"], "weeks"),
    ("sample", ["{new}/s", "--followers", "-5"], "followers"),
    ("sample", ["{new}/s", "--config", "{root}/missing.json"], "file not found"),
    ("sample", ["{new}/s", "--config", "{notjson}"], "not valid JSON"),
    ("sample", ["{new}/s", "--config", "{config}"], "expected a JSON object"),
]


@pytest.mark.parametrize("command,args,expected", CASES)
def test_bad_input_is_one_line_and_exit_2(paths, capsys, command, args, expected):
    argv = [command, *(a.format(**paths) for a in args)]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    assert expected in lines[0], lines[0]


def test_folder_walk_does_not_follow_directory_symlinks(tmp_path, paths):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "t.jsonl").write_text(Path(paths["tweets"]).read_text())
    os.symlink(folder, folder / "loop")
    os.symlink("/etc", folder / "etc")
    os.symlink("/etc/hostname", folder / "hostname")
    result = ingest([folder], tmp_path / "store")
    assert [s.path for s in result.sources] == [str(folder / "t.jsonl")]
    reasons = {Path(s["path"]).name: s["reason"] for s in result.skipped}
    assert reasons["loop"].startswith("symbolic link to a folder") and reasons["etc"].startswith("symbolic link")
    assert reasons["hostname"] == "symbolic link to a file outside the folder (not followed)"
