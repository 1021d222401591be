"""Tree files: the rules for messy real data, the CSV form, and all of Twitter15 accounted for."""

from __future__ import annotations

import tarfile

import pandas as pd
import pytest

from roi.cascades import read_trees, tree_metrics
from roi.errors import InputError

MESSY = """\
['7', '100', '-2.0']->['7', '100', '-2.0']
['ROOT', 'ROOT', '0.0']->['7', '100', '-2.0']
['7', '100', '-2.0']->['8', '100', '1.0']
['7', '100', '-2.0']->['8', '100', '1.0']
['7', '100', '-2.0']->['9', '100', '3.0']
['8', '100', '1.0']->['9', '100', '3.0']
['8', '100', '1.0']->['10', '101', '0.5']
['9', '100', '3.0']->['7', '100', '-2.0']
['9', '100', '3.0']->['11', '100', '4.0']
['9', '100', '5.0']->['12', '100', '6.0']
this line is not an edge
"""


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_messy_tree_follows_every_rule(tmp_path):
    forest, trees = read_trees([write(tmp_path, "100.txt", MESSY)])
    t = trees.iloc[0]
    assert t["cascade_id"] == "100" and t["source_account_id"] == "7"
    assert int(t["dropped_self_loops"]) == 1
    assert int(t["dropped_duplicates"]) == 1
    # 9 already has parent 7 (first line); 7 is the source and keeps ROOT
    assert int(t["reparented"]) == 2
    assert int(t["malformed_lines"]) == 1
    assert int(t["negative_delays"]) == 1  # the source's own delay is -2.0
    assert int(t["children_before_parent"]) == 1  # 10 at 0.5 under 8 at 1.0
    # (9, 100, 5.0) is a different node from (9, 100, 3.0): it has no parent, so it and 12 are unreachable
    m = tree_metrics([tmp_path / "100.txt"]).iloc[0]
    assert (int(m["size"]), int(m["unreachable"])) == (5, 2)  # 7, 8, 9, 10, 11 in; (9,100,5.0) and 12 out
    assert int(m["depth"]) == 2
    assert float(m["duration_minutes"]) == 6.0  # 11 at 4.0 minus the source at -2.0


def test_cascade_csv_matches_the_same_tree(tmp_path):
    csv = write(tmp_path, "c.csv", "cascade_id,parent,child,time\n"
                "k,,s,0\nk,s,a,1.5\nk,s,b,2\nk,a,c,10\nk,a,c,10\nk,c,c,11\n"
                "j,,r,0\n")
    forest, trees = read_trees([csv])
    by = trees.set_index("cascade_id")
    assert int(by.loc["k", "dropped_duplicates"]) == 1 and int(by.loc["k", "dropped_self_loops"]) == 1
    m = tree_metrics([csv]).set_index("cascade_id")
    assert int(m.loc["k", "size"]) == 4 and int(m.loc["k", "depth"]) == 2
    assert float(m.loc["k", "duration_minutes"]) == 10.0
    assert int(m.loc["j", "size"]) == 1 and float(m.loc["j", "structural_virality"]) == 0.0


def test_csv_with_timestamps_counts_minutes_from_the_source(tmp_path):
    csv = write(tmp_path, "t.csv", "cascade_id,parent,child,time\n"
                "k,,s,2026-10-01T10:00:00Z\nk,s,a,2026-10-01T10:30:00Z\nk,a,b,2026-10-01T12:00:00Z\n")
    m = tree_metrics([csv]).iloc[0]
    assert float(m["duration_minutes"]) == 120.0


def test_labels_folder_and_tgz_give_the_same_result(tmp_path):
    folder = tmp_path / "coll"
    (folder / "tree").mkdir(parents=True)
    write(folder / "tree", "100.txt", MESSY)
    write(folder / "tree", "200.txt", "['ROOT', 'ROOT', '0.0']->['1', '200', '0.0']\n")
    write(folder, "label.txt", "false:100\ntrue:200\n")
    archive = tmp_path / "coll.tgz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(folder, arcname="coll")
    a = tree_metrics([folder])
    b = tree_metrics([archive])
    assert a["label"].tolist() == ["false", "true"] or sorted(a["label"]) == ["false", "true"]
    pd.testing.assert_frame_equal(a.drop(columns="path"), b.drop(columns="path"))


def test_errors_name_the_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_trees([tmp_path / "nope.txt"])
    bad = write(tmp_path, "x.csv", "a,b\n1,2\n")
    with pytest.raises(InputError, match="x.csv: missing column"):
        read_trees([bad])
    one = write(tmp_path, "100.txt", MESSY)
    with pytest.raises(InputError, match="already read"):
        read_trees([one, one])


def test_twitter15_every_tree_processed(realdata):
    path = realdata / "cascades" / "twitter15.tgz"
    metrics = tree_metrics([path])
    with tarfile.open(path) as tar:
        stems = {m.name.rsplit("/", 1)[-1][:-4] for m in tar if "/tree/" in m.name and m.isfile()}
    assert len(metrics) == 1490 and set(metrics["cascade_id"]) == stems
    assert metrics["label"].value_counts().to_dict() == {"non-rumor": 374, "false": 370, "true": 372, "unverified": 374}
    assert metrics["size"].notna().all() and (metrics["size"] >= 1).all()
    # Every line is accounted for: kept edges + the ROOT line + every dropped kind.
    dropped = metrics[["dropped_self_loops", "dropped_duplicates", "reparented", "extra_roots", "malformed_lines"]].sum(axis=1)
    assert (metrics["lines"] == metrics["edges"] + 1 + dropped).all()
    # and every node is an adopter in the tree, a repeat post of one, or counted as unreachable
    assert (metrics["size"] + metrics["repeat_posts"] + metrics["unreachable"] == metrics["edges"] + 1).all()
    assert metrics["dropped_duplicates"].sum() > 0 and metrics["negative_delays"].sum() > 0
    assert (metrics["structural_virality"] >= 1.0).all() or (metrics["size"] < 3).any()
