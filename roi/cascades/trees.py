"""Explicit cascade trees from files: Twitter15/16 tree files and a ``cascade_id,parent,child,time`` CSV.

Twitter15/16 (Ma, Gao & Wong, ACL 2017) store one tree per file ``tree/<source_id>.txt``, one
edge a line::

    ['ROOT', 'ROOT', '0.0']->['14293310', '693785810311778304', '0.0']
    ['14293310', '693785810311778304', '0.0']->['3949994313', '693785810311778304', '0.53']

and labels in ``label.txt`` (``label:source_id``). Real files are messy, so the rules are fixed:

* a node is the whole ``(uid, tweet_id, delay)`` triple (most retweets repeat the source's id);
* ``ROOT`` is not a node; the source is the child of the first ``ROOT`` line (other ``ROOT``
  lines are dropped and counted in ``extra_roots``);
* self-loops and duplicate lines are dropped (``dropped_self_loops``, ``dropped_duplicates``);
* a node that is the child of more than one parent keeps the parent of its first line; each
  discarded edge is counted in ``reparented`` (the source always keeps ``ROOT``);
* negative delays are kept and counted (``negative_delays``, nodes), as are edges whose child is
  stamped before its parent (``children_before_parent``);
* lines that are not edges are counted in ``malformed_lines``; nodes that cannot be reached from
  the source (their parent never reached) are kept out of the metrics and counted in ``unreachable``.

Every tree read is in the output, whatever its problems.
"""

from __future__ import annotations

import io
import os
import re
import tarfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from roi.cascades.metrics import METRIC_COLUMNS, cascade_metrics
from roi.errors import InputError, ParameterError

__all__ = ["read_trees", "tree_metrics", "TREE_COLUMNS", "PROBLEM_COLUMNS"]

PROBLEM_COLUMNS = [
    "dropped_self_loops", "dropped_duplicates", "reparented", "negative_delays",
    "children_before_parent", "extra_roots", "malformed_lines",
]
#: One row per tree read.
TREE_COLUMNS = ["cascade_id", "source_account_id", "source_post_id", "label", "path", "lines", "edges",
                *PROBLEM_COLUMNS]

_EDGE = re.compile(r"^\s*\[([^\]]*)\]\s*->\s*\[([^\]]*)\]\s*$")
_FIELDS = r"^\s*'([^']*)'\s*,\s*'([^']*)'\s*,\s*'([^']*)'\s*$"
_SEP = "\x1f"
_NOT_TREES = {"label.txt", "source_tweets.txt", "readme.txt"}


def _looks_like_tree(text: str) -> bool:
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    return bool(_EDGE.match(first))


def _decode(raw: bytes, where: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _iter_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[tuple[str, str, str]]:
    """Yield (kind, where, text) with kind in {"tree", "labels", "csv"} for every input file."""
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError(f"{path}: no such file or folder")
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            for f in files:
                name = f.name.lower()
                if name == "label.txt":
                    yield "labels", str(f), _decode(f.read_bytes(), str(f))
                elif name.endswith(".csv"):
                    yield "csv", str(f), _decode(f.read_bytes(), str(f))
                elif name.endswith(".txt") and name not in _NOT_TREES:
                    text = _decode(f.read_bytes(), str(f))
                    if f.parent.name == "tree" or _looks_like_tree(text):
                        yield "tree", str(f), text
            continue
        name = path.name.lower()
        if name.endswith((".tgz", ".tar.gz", ".tar", ".tar.bz2", ".tar.xz")):
            try:
                with tarfile.open(path, "r:*") as tar:
                    for member in tar:
                        if not member.isfile():
                            continue
                        base = member.name.rsplit("/", 1)[-1].lower()
                        where = f"{path}:{member.name}"
                        if not (base.endswith(".txt") or base.endswith(".csv")) or base in _NOT_TREES - {"label.txt"}:
                            continue
                        fh = tar.extractfile(member)
                        text = _decode(fh.read() if fh else b"", where)
                        if base == "label.txt":
                            yield "labels", where, text
                        elif base.endswith(".csv"):
                            yield "csv", where, text
                        elif "/tree/" in f"/{member.name}" or _looks_like_tree(text):
                            yield "tree", where, text
            except tarfile.TarError as exc:
                raise InputError(f"{path}: not a readable tar archive ({exc})") from None
        elif name == "label.txt":
            yield "labels", str(path), _decode(path.read_bytes(), str(path))
        elif name.endswith(".csv"):
            yield "csv", str(path), _decode(path.read_bytes(), str(path))
        elif name.endswith(".txt"):
            text = _decode(path.read_bytes(), str(path))
            if not _LINE.search(text):
                raise InputError(f"{path}: no tree edge in this file; expected lines like "
                                 "['uid', 'tweet_id', 'delay']->['uid', 'tweet_id', 'delay']")
            yield "tree", str(path), text
        else:
            raise InputError(f"{path}: expected a tree .txt file, a folder of them, a .tgz, label.txt or a .csv")


def _parse_labels(text: str, where: str) -> dict[str, str]:
    labels = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        label, sep, source = line.strip().partition(":")
        if not sep or not source.strip():
            raise InputError(f"{where}:{lineno}: expected 'label:source_id', got {line.strip()[:60]!r}")
        labels[source.strip()] = label.strip()
    return labels


def _stem(where: str) -> str:
    base = where.rsplit("/", 1)[-1]
    return base[:-4] if base.lower().endswith(".txt") else base


_LINE = re.compile(
    r"^[ \t]*\[[ \t]*'([^'\n]*)'[ \t]*,[ \t]*'([^'\n]*)'[ \t]*,[ \t]*'([^'\n]*)'[ \t]*\][ \t]*->"
    r"[ \t]*\[[ \t]*'([^'\n]*)'[ \t]*,[ \t]*'([^'\n]*)'[ \t]*,[ \t]*'([^'\n]*)'[ \t]*\][ \t]*\r?$",
    re.MULTILINE,
)


def _to_float(values: list[str]) -> np.ndarray:
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype="float64")


def _tree_lines(trees: list[tuple[str, str]]) -> dict:
    """Parse every edge line of every tree file into flat arrays (file order kept)."""
    names, per_tree, nonempty, rows = [], [], [], []
    for where, text in trees:
        found = _LINE.findall(text)
        names.append(_stem(where))
        per_tree.append(len(found))
        nonempty.append(sum(1 for ln in text.splitlines() if ln.strip()))
        rows.extend(found)
    casc = np.repeat(np.arange(len(names)), per_tree)
    p_uid, p_tid, p_delay, c_uid, c_tid, c_delay = (list(col) for col in zip(*rows, strict=False)) if rows else ([],) * 6
    p_time, c_time = _to_float(p_delay), _to_float(c_delay)
    is_root = np.array([u == "ROOT" and t == "ROOT" for u, t in zip(p_uid, p_tid, strict=False)], dtype=bool)
    # A delay that is not a number makes the line malformed (ROOT's own delay is ignored).
    bad = np.isnan(c_time) | (np.isnan(p_time) & ~is_root)
    lines = np.asarray(nonempty, dtype=np.int64)
    return {
        "names": names, "cascade": casc, "is_root": is_root, "bad": bad, "lines": lines,
        "p_key": [f"{c}{_SEP}{u}{_SEP}{t}{_SEP}{d}" for c, u, t, d in zip(casc.tolist(), p_uid, p_tid, p_delay, strict=False)],
        "c_key": [f"{c}{_SEP}{u}{_SEP}{t}{_SEP}{d}" for c, u, t, d in zip(casc.tolist(), c_uid, c_tid, c_delay, strict=False)],
        "p_uid": p_uid, "p_tid": p_tid, "c_uid": c_uid, "c_tid": c_tid, "p_time": p_time, "c_time": c_time,
    }


def _edges_from_lines(parsed: dict) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the tree rules to parsed lines: (forest, per-tree counts). Integer work throughout."""
    names = parsed["names"]
    n_tree = len(names)
    casc = parsed["cascade"]
    malformed = (parsed["lines"] - np.bincount(casc, minlength=n_tree)) + np.bincount(casc[parsed["bad"]], minlength=n_tree)
    keep = ~parsed["bad"]
    casc, is_root = casc[keep], parsed["is_root"][keep]
    keys = np.concatenate([np.asarray(parsed["p_key"], dtype=object)[keep], np.asarray(parsed["c_key"], dtype=object)[keep]])
    uid = np.concatenate([np.asarray(parsed["p_uid"], dtype=object)[keep], np.asarray(parsed["c_uid"], dtype=object)[keep]])
    tid = np.concatenate([np.asarray(parsed["p_tid"], dtype=object)[keep], np.asarray(parsed["c_tid"], dtype=object)[keep]])
    when = np.concatenate([parsed["p_time"][keep], parsed["c_time"][keep]])
    codes, uniques = pd.factorize(keys)
    m = int(keep.sum())
    p, c = codes[:m].astype(np.int64), codes[m:].astype(np.int64)
    n_nodes = len(uniques)
    node_uid = np.empty(n_nodes, dtype=object)
    node_tid = np.empty(n_nodes, dtype=object)
    node_time = np.empty(n_nodes)
    # Assigned in reverse so that a node's first appearance wins (CSV nodes may repeat with other times).
    node_uid[codes[::-1]], node_tid[codes[::-1]], node_time[codes[::-1]] = uid[::-1], tid[::-1], when[::-1]
    node_casc = np.empty(n_nodes, dtype=np.int64)
    node_casc[codes] = np.concatenate([casc, casc])

    def per_tree(mask: np.ndarray) -> np.ndarray:
        return np.bincount(casc[mask], minlength=n_tree)

    counts = {"lines": parsed["lines"], "malformed_lines": malformed}
    # The source: the child of the first ROOT line (else the parent of the first edge).
    source = np.full(n_tree, -1, dtype=np.int64)
    first_any = np.unique(casc, return_index=True)
    source[first_any[0]] = p[first_any[1]]
    root_idx = np.flatnonzero(is_root)
    first_root = np.unique(casc[root_idx], return_index=True)
    source[first_root[0]] = c[root_idx[first_root[1]]]
    counts["extra_roots"] = np.maximum(per_tree(is_root) - 1, 0)
    live = ~is_root
    self_loop = live & (p == c)
    counts["dropped_self_loops"] = per_tree(self_loop)
    live &= ~self_loop
    pair = pd.Series(p * n_nodes + c)
    dup = live & pair.where(live).duplicated(keep="first").to_numpy() & live
    counts["dropped_duplicates"] = per_tree(dup)
    live &= ~dup
    seen_child = pd.Series(np.where(live, c, -1 - np.arange(m))).duplicated(keep="first").to_numpy()
    second = live & (seen_child | (c == source[casc]))
    counts["reparented"] = per_tree(second)
    live &= ~second
    counts["children_before_parent"] = per_tree(live & (parsed["c_time"][keep] < parsed["p_time"][keep]))
    counts["edges"] = per_tree(live)

    parent = np.full(n_nodes, -3, dtype=np.int64)  # -3: not a node of the forest
    has_tree = source >= 0
    parent[c[live]] = p[live]
    parent[source[has_tree]] = -1
    # Parents that are nobody's child (and not the source) are nodes with an unknown parent:
    # they and everything below them are unreachable and are counted so by the metrics.
    orphan = np.zeros(n_nodes, dtype=bool)
    orphan[p[live]] = True
    orphan &= parent == -3
    parent[orphan] = -2
    nodes = np.flatnonzero(parent != -3)
    nodes = nodes[np.argsort(node_casc[nodes], kind="stable")]
    par = parent[nodes]
    name_arr = np.asarray(names, dtype=object)
    forest = pd.DataFrame({
        "cascade_id": pd.array(name_arr[node_casc[nodes]], dtype="string"),
        "node": nodes,
        "parent": pd.array(np.where(par >= 0, par, np.where(par == -2, n_nodes, 0)), dtype="Int64"),
        "account_id": pd.array(node_uid[nodes], dtype="string"),
        "post_id": pd.array(node_tid[nodes], dtype="string"),
        "time": node_time[nodes],
    })
    forest.loc[par == -1, "parent"] = pd.NA
    counts["negative_delays"] = np.bincount(node_casc[nodes][node_time[nodes] < 0], minlength=n_tree)
    table = pd.DataFrame(counts, index=pd.Index(names, name="cascade_id"))
    uid_or_none = np.append(node_uid, None)  # index -1 (no source: no edge read) -> None
    tid_or_none = np.append(node_tid, None)
    table["source_account_id"] = uid_or_none[np.where(has_tree, source, -1)]
    table["source_post_id"] = tid_or_none[np.where(has_tree, source, -1)]
    return forest, table


def _csv_lines(text: str, where: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Forest from a ``cascade_id,parent,child,time`` CSV (same rules as the tree files).

    A row with an empty parent (or ``ROOT``) names the source; without one, the source is the
    parent of the cascade's first row. ``time`` is minutes since the source when numeric, else
    ISO 8601 timestamps (converted to minutes since the source's own time, or the earliest).
    """
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"{where}: not a readable CSV ({exc})") from None
    table.columns = [str(c).strip().lower() for c in table.columns]
    missing = [c for c in ("cascade_id", "parent", "child", "time") if c not in table.columns]
    if missing:
        raise InputError(f"{where}: missing column(s) {', '.join(missing)}; expected cascade_id,parent,child,time")
    table = table.astype(object)
    for c in ("cascade_id", "parent", "child", "time"):
        table[c] = table[c].str.strip()
    is_root_row = table["parent"].isin(["", "ROOT"]).to_numpy()
    times = table["time"].replace("", None)
    minutes = pd.to_numeric(times, errors="coerce").to_numpy(dtype="float64")
    if (np.isnan(minutes) & times.notna().to_numpy()).any():
        stamps = pd.to_datetime(times, utc=True, errors="coerce", format="ISO8601")
        bad = stamps.isna().to_numpy() & times.notna().to_numpy()
        if bad.any():
            line = int(np.flatnonzero(bad)[0])
            raise InputError(f"{where}:{line + 2}: time {times.iloc[line]!r} is neither minutes nor an ISO 8601 timestamp")
        absolute = stamps.astype("datetime64[us, UTC]").to_numpy(dtype="datetime64[us]").astype("int64") / 60e6
        absolute[stamps.isna().to_numpy()] = np.nan
        cid = table["cascade_id"].to_numpy()
        origin = pd.Series(np.where(is_root_row, absolute, np.nan)).groupby(cid).min()
        origin = origin.fillna(pd.Series(absolute).groupby(cid).min())
        minutes = absolute - pd.Series(cid).map(origin).to_numpy(dtype="float64")
    ids, cascade = np.unique(table["cascade_id"].to_numpy(dtype=object), return_inverse=True)
    first_seen = pd.unique(table["cascade_id"])
    order = pd.Index(first_seen).get_indexer(ids)
    cascade = order[cascade]
    child_time = pd.Series(minutes).groupby([cascade, table["child"].to_numpy()]).first()
    parent_time = child_time.reindex(pd.MultiIndex.from_arrays([cascade, table["parent"].to_numpy()])).to_numpy()
    blank = (table["child"] == "").to_numpy() | (table["cascade_id"] == "").to_numpy()
    p_uid = np.where(is_root_row, "ROOT", table["parent"].to_numpy()).tolist()
    c_uid = table["child"].tolist()
    parsed = {
        "names": list(first_seen), "cascade": cascade.astype(np.int64), "is_root": is_root_row,
        "bad": blank, "lines": np.bincount(cascade, minlength=len(first_seen)),
        "p_key": [f"{c}{_SEP}{u}" for c, u in zip(cascade.tolist(), p_uid, strict=False)],
        "c_key": [f"{c}{_SEP}{u}" for c, u in zip(cascade.tolist(), c_uid, strict=False)],
        "p_uid": p_uid, "p_tid": ["ROOT" if r else "" for r in is_root_row], "c_uid": c_uid, "c_tid": [""] * len(c_uid),
        "p_time": np.where(is_root_row, 0.0, parent_time), "c_time": minutes,
    }
    # A CSV child without a time is still a node: time is an attribute, not part of its identity.
    forest, counts = _edges_from_lines(parsed)
    forest["post_id"] = forest["account_id"]
    counts["source_post_id"] = counts["source_account_id"]
    counts["negative_delays"] = forest[forest["time"] < 0].groupby("cascade_id").size().reindex(counts.index, fill_value=0).to_numpy()
    return forest, counts


def read_trees(paths: Iterable[str | os.PathLike[str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    r"""Read cascade trees from Twitter15/16 tree files and ``cascade_id,parent,child,time`` CSVs.

    Parameters
    ----------
    paths : iterable of str or Path
        Tree ``.txt`` files, folders of them (searched recursively; a ``label.txt`` beside them
        gives labels), Twitter15/16 archives (``.tgz``, read directly without extracting), or
        CSV files with columns ``cascade_id,parent,child,time``.

    Returns
    -------
    forest : DataFrame
        One row per node: ``cascade_id`` (the tree file's stem), ``node`` (the whole
        ``uid, tweet_id, delay`` triple), ``parent`` (null for the source), ``account_id`` (uid),
        ``post_id`` (tweet id) and ``time`` (minutes as given in the file).
    trees : DataFrame
        One row per tree with :data:`TREE_COLUMNS`: the source, the label (null when none),
        the input path, lines read, edges kept and every problem count.

    Raises
    ------
    InputError
        If a path does not exist or cannot be read, or two inputs hold the same cascade id.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "42.txt"
    >>> _ = p.write_text("['ROOT', 'ROOT', '0.0']->['1', '42', '0.0']\n"
    ...                  "['1', '42', '0.0']->['2', '42', '1.5']\n"
    ...                  "['1', '42', '0.0']->['2', '42', '1.5']\n")
    >>> forest, trees = read_trees([p])
    >>> len(forest), int(trees.dropped_duplicates.iloc[0])
    (2, 1)
    """
    trees: list[tuple[str, str]] = []
    labels: dict[str, str] = {}
    parts: list[tuple[pd.DataFrame, pd.DataFrame]] = []
    seen: dict[str, str] = {}
    for kind, where, text in _iter_sources(paths):
        if kind == "labels":
            labels.update(_parse_labels(text, where))
        elif kind == "csv":
            parts.append(_csv_lines(text, where))
            for cid in parts[-1][1].index:
                if cid in seen:
                    raise InputError(f"{where}: cascade {cid!r} already read from {seen[cid]}")
                seen[cid] = where
            parts[-1][1]["path"] = where
        else:
            cid = _stem(where)
            if cid in seen:
                raise InputError(f"{where}: cascade {cid!r} already read from {seen[cid]}; read the collections separately")
            seen[cid] = where
            trees.append((where, text))
    if trees:
        forest, counts = _edges_from_lines(_tree_lines(trees))
        counts["path"] = counts.index.map(dict((_stem(w), w) for w, _ in trees))
        parts.insert(0, (forest, counts))
    if not parts:
        raise InputError(f"no tree files or cascade CSVs found in {', '.join(map(str, paths))}")
    forest = pd.concat([p[0] for p in parts], ignore_index=True)
    counts = pd.concat([p[1] for p in parts])
    counts["label"] = counts.index.map(labels)
    table = counts.reset_index()
    for c in ("lines", "edges", *PROBLEM_COLUMNS):
        table[c] = table[c].astype("int64").astype("Int64")
    table = table.astype({"cascade_id": "string", "source_account_id": "string", "source_post_id": "string",
                          "label": "string", "path": "string"})
    return forest, table[TREE_COLUMNS]


def tree_metrics(paths: Iterable[str | os.PathLike[str]]) -> pd.DataFrame:
    """Metrics of every tree in ``paths``: :func:`read_trees` then :func:`cascade_metrics`.

    Returns one row per tree: ``cascade_id``, ``label``, the metrics of
    :data:`roi.cascades.metrics.METRIC_COLUMNS` (potential and unique reach are null: tree files
    carry no follower counts) and the tree's problem counts. Nothing is dropped: a tree with
    problems still has a row.
    """
    paths = list(paths)
    if not paths:
        raise ParameterError("no paths given; expected tree files, folders, a .tgz or a CSV")
    forest, trees = read_trees(paths)
    metrics = cascade_metrics(forest)
    out = trees.merge(metrics, on="cascade_id", how="left", validate="one_to_one")
    first = ["cascade_id", "label", *[c for c in METRIC_COLUMNS if c != "cascade_id"]]
    return out[first + [c for c in TREE_COLUMNS if c not in first]]
