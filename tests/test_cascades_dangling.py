"""Cascades on exports as people have them: parents outside the file, repeat adopters, empty columns.

The fixture ``fixtures/cascades/dangling.csv`` holds, hand-checked:

* post 1 (brand) reposted by ann twice (posts 2 and 8): one cascade of 2 adopters, not 3;
* posts 3 (bob, 10:06) and 10 (fay, 10:10) reply to post 999, which the file does not hold;
  brand replies to 3. The cascade starts at 3, the oldest held post; 10 hangs under it;
* post 5 (cat) reposts 888, not in the file: a cascade of 1 with its parent missing;
* post 6 (dan) quotes 777 (a quote outside the file); eve quotes 6;
* post 7 (brand): nobody reacted, a cascade of size 1, not a missing one.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import roi
from roi.cascades import (
    cascade_forest,
    cascade_metrics,
    reconstruct_cascades,
    store_cascade_metrics,
    tree_metrics,
)
from roi.cli.main import main
from roi.store import Dataset
from roi.tables import conform

FIXTURE = Path(__file__).parent / "fixtures" / "cascades" / "dangling.csv"


@pytest.fixture(scope="module")
def dangling_store(tmp_path_factory) -> Path:
    from roi.io import ingest

    store = tmp_path_factory.mktemp("dangling") / "store"
    ingest([FIXTURE], store)
    return store


def test_every_cascade_starts_at_a_held_post_and_counts_missing_parents(dangling_store):
    table = store_cascade_metrics(roi.load(dangling_store)).set_index("cascade_id")
    got = {cid: (int(r["size"]), int(r["missing_parents"]), int(r["repeat_posts"]), int(r["depth"]))
           for cid, r in table.iterrows()}
    assert got == {"1": (2, 0, 1, 1), "3": (3, 2, 0, 1), "5": (1, 1, 0, 0), "6": (2, 1, 0, 1), "7": (1, 0, 0, 0)}
    assert table["author_id"].notna().all() and table["created_at"].notna().all()
    assert table.loc["3", "kind"] == "reply" and int(table.loc["3", "missing_parent"]) == 1
    assert int(table.loc["1", "reposts_observed"]) == 2  # both of ann's reposts are in the store
    assert int(table.loc["1", "potential_reach"]) == 120  # brand 100 + ann 20, ann counted once


def test_account_filter_and_mean_size_include_posts_nobody_shared(dangling_store):
    table = store_cascade_metrics(roi.load(dangling_store), account="brand")
    assert sorted(table["cascade_id"]) == ["1", "7"]
    assert float(table["size"].mean()) == 1.5  # (2 + 1) / 2: post 7 is a cascade of size 1


def test_edges_never_point_at_a_missing_post(dangling_store):
    posts = roi.load(dangling_store).posts
    edges = reconstruct_cascades(posts).set_index("child_post_id")
    assert set(edges["parent_post_id"]) <= set(posts["post_id"])
    assert edges.loc["10", ["parent_post_id", "attribution"]].tolist() == ["3", "missing_parent"]
    assert edges.loc["4", ["parent_post_id", "attribution"]].tolist() == ["3", "explicit_reply"]
    assert edges.loc["9", ["parent_post_id", "attribution"]].tolist() == ["6", "explicit_quote"]
    assert edges["delay"].notna().all() and edges["parent_account_id"].notna().all()


def test_cli_with_dangling_references(dangling_store, capsys):
    assert main(["cascades", "--store", str(dangling_store), "--account", "brand", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [r["cascade_id"] for r in out] == ["1", "7"]
    assert main(["cascades", "--store", str(dangling_store)]) == 0
    printed = capsys.readouterr().out
    assert "5 cascades" in printed
    assert "3 of them start at the oldest post the store holds" in printed and "(4 posts reference" in printed
    assert main(["cascades", "--store", str(dangling_store), "--account", "nobody"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_wholly_null_nullable_columns():
    t = pd.Timestamp("2026-10-01", tz="UTC")
    posts = conform("posts", pd.DataFrame({
        "post_id": ["s", "r1", "r2", "q"], "author_id": ["brand", "a", "b", "c"],
        "created_at": [t, t + pd.Timedelta("1min"), t + pd.Timedelta("2min"), t + pd.Timedelta("3min")],
        "kind": ["original", "repost", "repost", "quote"], "referenced_id": [None, "s", "gone", "gone2"]}))
    accounts = conform("accounts", pd.DataFrame({"account_id": ["brand", "a"], "handle": ["brand", "a"]}))
    follows = conform("follows", pd.DataFrame({"follower_id": ["b"], "followee_id": ["a"]}))
    for table in (posts, accounts, follows):
        assert table.shape[1] > 4  # the canonical columns are there, most of them wholly null
    ds = Dataset(path=Path("."), accounts=accounts, follows=follows, posts=posts,
                 conversions=conform("conversions", {}), experiments=conform("experiments", {}))
    table = store_cascade_metrics(ds).set_index("cascade_id")
    assert sorted(table.index) == ["q", "r2", "s"]
    assert table["size"].tolist() == [2, 1, 1] and table["missing_parents"].tolist() == [0, 1, 1]
    assert table["potential_reach"].isna().all()  # no follower counts known: unknown, not 0
    assert table["reposts"].isna().all()
    brand = store_cascade_metrics(ds, account="brand", start=t, end=t + pd.Timedelta("1D"))
    assert brand["cascade_id"].tolist() == ["s"]
    # every post in one table, whatever its nulls: the forest has no missing parent
    forest = cascade_forest(reconstruct_cascades(posts, follows), posts, every_post=True)
    assert len(forest) == len(posts) and int(cascade_metrics(forest)["unreachable"].sum()) == 0


def test_same_adopter_count_from_store_and_trees(tmp_path):
    """--store and --trees count size the same way: distinct adopters."""
    forest = pd.DataFrame({"cascade_id": "k", "node": ["p1", "p2", "p3", "p4"], "parent": [None, "p1", "p2", "p1"],
                           "account_id": ["brand", "ann", "bob", "ann"], "time": [0.0, 5.0, 6.0, 6.0]})
    m = cascade_metrics(forest).iloc[0]
    assert (int(m["size"]), int(m["repeat_posts"]), int(m["depth"])) == (3, 1, 2)
    # a tree file where ann (uid 2) retweets twice under two tweet ids
    tree = tmp_path / "55.txt"
    tree.write_text("['ROOT', 'ROOT', '0.0']->['1', '55', '0.0']\n['1', '55', '0.0']->['2', '55', '5.0']\n"
                    "['2', '55', '5.0']->['3', '55', '6.0']\n['1', '55', '0.0']->['2', '56', '6.0']\n", encoding="utf-8")
    t = tree_metrics([tree]).iloc[0]
    assert (int(t["size"]), int(t["repeat_posts"])) == (3, 1)
    assert int(t["size"]) + int(t["unreachable"]) + int(t["repeat_posts"]) == int(t["edges"]) + 1


def test_brexit_v2_reconstruction_accounts_for_every_post(realdata, tmp_path):
    """Real twarc2 pages: 100 tweets of which 67 retweets (twarc-csv's own figures), plus includes."""
    from roi.io import ingest

    ingest([realdata / "x-api-v2" / "brexit.jsonl"], tmp_path / "store")
    ds = roi.load(tmp_path / "store")
    assert int((ds.posts["kind"] == "repost").sum()) == 67
    edges = reconstruct_cascades(ds.posts, ds.follows)
    reposts = edges[edges["child_post_id"].isin(ds.posts.loc[ds.posts["kind"] == "repost", "post_id"])]
    # No follow graph in a search export: every retweet hangs under the tweet it retweets, and says so.
    assert len(reposts) == 67 and (reposts["attribution"] == "source_fallback").all()
    referenced = ds.posts.set_index("post_id")["referenced_id"]
    assert (reposts["parent_post_id"].to_numpy() == referenced[reposts["child_post_id"]].to_numpy()).all()
    assert set(edges["parent_post_id"]) <= set(ds.posts["post_id"])
    table = store_cascade_metrics(ds)
    # every post is an adopter of exactly one cascade, a repeat post of one, or unreachable (none)
    assert int(table["size"].sum() + table["repeat_posts"].sum() + table["unreachable"].sum()) == len(ds.posts)
    assert int(table["unreachable"].sum()) == 0 and (table["size"] >= 1).all()
    assert int((table["missing_parents"] > 0).sum()) == int((table["kind"] != "original").sum())


def test_nulls_in_ids_authors_times_and_labels():
    t = pd.Timestamp("2026-10-01", tz="UTC")
    posts = pd.DataFrame({
        "post_id": ["s", "r1", "r2", "r3", None], "author_id": ["brand", "a", None, "c", "d"],
        "created_at": [t, t + pd.Timedelta("1min"), t + pd.Timedelta("2min"), pd.NaT, t],
        "kind": ["original", "repost", "repost", "repost", "repost"], "referenced_id": [None, "s", "s", "s", "s"],
    }).astype({"post_id": "string", "author_id": "string", "kind": "string", "referenced_id": "string"})
    follows = pd.DataFrame({"follower_id": pd.array(["c", None, "a"], dtype="string"),
                            "followee_id": pd.array(["a", "a", None], dtype="string")})
    edges = reconstruct_cascades(posts, follows).set_index("child_post_id")
    assert sorted(edges.index) == ["r1", "r2", "r3"]  # the post without an id is not a post
    assert edges.loc["r2", "attribution"] == "source_fallback"  # no author: follows nobody
    assert edges.loc["r3", "attribution"] == "source_fallback"  # no time: cannot be placed after a
    m = cascade_metrics(cascade_forest(edges.reset_index(), posts), follows=follows).iloc[0]
    assert int(m["size"]) == 4 and int(m["unique_reach"]) == 1  # c follows a; the null follower is nobody


def test_compare_by_size_ignores_null_labels():
    from roi.cascades import compare_virality_by_size

    m = pd.DataFrame({"size": [3, 3, 3, 3, 3], "structural_virality": [1.0, 1.5, 2.0, 1.2, 9.0],
                      "label": pd.array(["x", "x", "y", None, "y"], dtype="string")})
    row = compare_virality_by_size(m, by="label", groups=("x", "y"), bins=[1, 10]).iloc[0]
    assert (row["n_a"], row["n_b"]) == (2, 2) and row["difference"] == pytest.approx(5.5 - 1.25)
