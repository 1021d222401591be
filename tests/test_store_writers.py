"""One writer at a time, and what crashed writes leave behind (roi.store's lock and clean-up)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import roi
from roi.errors import StoreError
from roi.io import ingest
from roi.store import Store

ENV = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}


def _page(path: Path, first: int, n: int) -> Path:
    """A twarc2-style page of n tweets with ids first..first+n-1."""
    tweets = [{"id": str(i), "author_id": "9", "text": f"post {i}", "created_at": "2024-01-02T03:04:05.000Z",
               "public_metrics": {"like_count": 1}} for i in range(first, first + n)]
    path.write_text(json.dumps({"data": tweets, "__twarc": {"retrieved_at": "2024-01-03T00:00:00+00:00"}}) + "\n")
    return path


def _roi(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "roi", *args], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kw)


def test_two_concurrent_ingests_both_land_or_one_is_refused(tmp_path):
    a, b = _page(tmp_path / "a.jsonl", 1000, 300), _page(tmp_path / "b.jsonl", 5000, 300)
    store = tmp_path / "store"
    runs = [_roi("ingest", str(a), "--store", str(store), "--wait", "60"),
            _roi("ingest", str(b), "--store", str(store), "--wait", "60")]
    outcomes = [(p.wait(timeout=240), p.stderr.read()) for p in runs]
    for p in runs:
        p.stdout.close()
        p.stderr.close()
    landed = [path for path, (code, _) in zip((a, b), outcomes, strict=True) if code == 0]
    for code, err in outcomes:
        assert code == 0 or (code == 2 and "is being written by PID" in err and err.count("\n") == 1), err
    ds = roi.load(store)  # loads: no version of one writer deleted by the other
    assert sorted(s["path"] for s in ds.sources) == sorted(map(str, landed))
    expected = {str(i) for p in landed for i in range(1000 if p == a else 5000, (1000 if p == a else 5000) + 300)}
    assert set(ds.posts.post_id) == expected
    assert landed == [a, b] or len(landed) == 1  # with --wait 60 both land in practice


def test_second_writer_waits_then_names_the_holder(tmp_path):
    st = Store(tmp_path / "store", create=True)
    src = _page(tmp_path / "a.jsonl", 1, 2)
    with st.writing(wait=0):
        run = _roi("ingest", str(src), "--store", str(st.path), "--wait", "0.3")
        out, err = run.communicate(timeout=120)
        assert run.returncode == 2, err
        assert err.strip() == (f"roi ingest: error: store {str(st.path)!r} is being written by PID {os.getpid()} "
                               "(waited 0.3 s); run again when it has finished, or wait longer with --wait SECONDS")
        with pytest.raises(StoreError, match=f"being written by PID {os.getpid()}"):
            ingest([src], st.path, wait=0)  # the same process, another Store object: refused as well
    assert ingest([src], st.path, wait=0).tables["posts"] == 2  # free again once released


def test_the_lock_dies_with_its_holder(tmp_path):
    store = tmp_path / "store"
    Store(store, create=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from roi.store import Store; "
         f"s = Store({str(store)!r}); c = s.writing(wait=0); c.__enter__(); print('held', flush=True); time.sleep(120)"],
        env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreError, match=f"PID {holder.pid}"):
            Store(store).write({}, wait=0)
    finally:
        holder.kill()  # SIGKILL: no clean-up code runs
        holder.wait()
        holder.stdout.close()
    Store(store).write({}, wait=5)  # the OS released it


def test_a_crashed_ingest_leaves_nothing_behind(tmp_path):
    store = tmp_path / "store"
    ingest([_page(tmp_path / "a.jsonl", 1, 2)], store)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    spill = store / f".ingest-{dead.pid}"
    (spill / "posts").mkdir(parents=True)
    (spill / "posts" / "bucket-0.arrow").write_bytes(b"x" * 1000)
    orphan = store / "_rejected" / "b.jsonl-0123456789ab.jsonl"  # written, manifest never updated
    orphan.write_text(json.dumps({"source": "b.jsonl", "line": 1, "reason": "x", "record": "{"}) + "\n")
    assert roi.load(store).rejected.empty  # the manifest does not list it: not part of the store
    ingest([_page(tmp_path / "c.jsonl", 10, 2)], store)
    assert not spill.exists() and not orphan.exists()
    assert sorted(roi.load(store).posts.post_id) == ["1", "10", "11", "2"]


def test_rejected_records_are_committed_with_their_source(tmp_path):
    store = tmp_path / "store"
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"data": [{"id": "1", "author_id": "9", "text": "ok", "created_at": "2024-01-02T03:04:05Z"}]}\n'
                   '{"data": [{"id": "2", "author_id": "9", "text": "x", "created_at": "yesterday"}]}\n')
    ingest([bad], store)
    manifest = json.loads((store / "manifest.json").read_text())
    assert manifest["sources"][0]["rejected_file"].startswith("_rejected/")
    assert roi.load(store).rejected.line.tolist() == [2]
    ingest([_page(tmp_path / "c.jsonl", 10, 2)], store)  # a later write keeps it
    assert roi.load(store).rejected.line.tolist() == [2]


def test_a_damaged_rejected_file_is_read_line_by_line(tmp_path):
    st = Store(tmp_path / "s", create=True)
    path = st.write_rejected("in.jsonl", [{"line": 3, "reason": "truncated JSON", "record": '{"a":'}], key="k")
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"source": "in.jsonl", "line": "three"}\n\x00\x01 not json\n[1, 2]\n')
    rej = Store(st.path).read_rejected()
    assert len(rej) == 4 and rej.line.tolist() == [3, 2, 3, 4]
    assert rej.reason[1:].str.contains("damaged entry in the store's rejected-records file").all()


def test_readers_never_see_a_version_removed_under_them(tmp_path):
    store = tmp_path / "store"
    ingest([_page(tmp_path / "a.jsonl", 1, 2)], store)
    first = Store(store).table_path("posts")
    reader = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, os, sys, time; "
         f"fd = os.open({str(store / 'read.lock')!r}, os.O_RDWR); fcntl.flock(fd, fcntl.LOCK_SH); "
         "print('reading', flush=True); time.sleep(120)"], env=ENV, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "reading"
        ingest([_page(tmp_path / "b.jsonl", 10, 2)], store)
        assert first.exists()  # the reader's version stays while it reads
    finally:
        reader.kill()
        reader.wait()
        reader.stdout.close()
    ingest([_page(tmp_path / "c.jsonl", 20, 2)], store)
    assert not first.exists()  # and goes with the next write
    assert len(roi.load(store).posts) == 6


@pytest.mark.parametrize("path", ["", "  "])
def test_an_empty_store_path_is_refused(tmp_path, path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError, match="store path is empty"):
        ingest([_page(tmp_path / "a.jsonl", 1, 1)], path)
    assert not (tmp_path / "manifest.json").exists()


def test_wait_must_be_a_number_of_seconds(tmp_path):
    from roi.errors import ParameterError

    for bad in (-1, float("nan"), float("inf"), "5"):
        with pytest.raises(ParameterError, match="wait="):
            ingest([_page(tmp_path / "a.jsonl", 1, 1)], tmp_path / "s", wait=bad)
    assert not (tmp_path / "s").exists()
