"""Benchmark: X v2 (twarc2 JSONL) ingestion end to end, against bare orjson and DuckDB read_json.

For each size a seeded twarc2 file is generated in three shapes: ``expanded`` -- pages of 100
tweets with their authors and the referenced tweets in ``includes`` (twarc2's default expansions,
about 1.1 KB a tweet) --, ``data-only`` -- the same tweets with the fields roi maps and no
``includes`` (``twarc2 search --expansions ''``, about 0.6 KB a tweet) -- and ``flattened`` -- the
expanded tweets as ``twarc2 flatten`` writes them, a tweet a line with its author and referenced
tweet embedded (about 1.2 KB a tweet). Real twarc2 files with every
field are heavier still (1.6-4 KB a tweet in ../shared/realdata/x-api-v2). Measured side by side,
median of 3 runs each:

* ``roi``: ``roi.io.ingest([file], fresh_store)`` end to end (detect, sha256, parse, build
  canonical columns, dedupe/merge, write partitioned Parquet + manifest);
* ``orjson``: parsing every line with orjson and nothing else (the floor for any Python reader);
* ``duckdb``: DuckDB ``read_json`` producing the flat post table (ids, author, UTC time, kind,
  referenced id, hashtags, mentions, metrics), materialised as Arrow.

Peak RSS (VmHWM) of a fresh process ingesting each file is reported too (streaming: it must not
grow with the input size); ``--peak-only`` measures just that, e.g. for a 2 GB input.
Usage: ``python bench/bench_ingest.py [--small] [--sizes 10000 100000] [--shapes expanded data-only]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, peak_rss_of, report  # noqa: E402

PAGE = 100
WORDS = "brand launch today great service order late thanks love new help support deal price".split()
TAGS = ["sale", "launch", "acme", "support", "deal", "news", "tech", "love"]
ACME = {"id": "1", "username": "acme", "name": "Acme", "location": "New York", "created_at": "2010-01-01T00:00:00.000Z",
        "verified": True, "description": "We make blenders",
        "public_metrics": {"followers_count": 5000, "following_count": 100, "tweet_count": 9000, "listed_count": 3}}


SHAPES = ("expanded", "data-only", "flattened")


def generate(path: Path, n_posts: int, *, seed: int = 0, n_users: int | None = None, shape: str = "expanded") -> int:
    """Write a twarc2 JSONL file of ``n_posts`` tweets; returns its size in bytes.

    ``shape="data-only"`` writes the same tweets without ``includes`` and without the fields roi
    does not map (edit history, sensitivity, reply settings, source); ``shape="flattened"`` writes
    them as ``twarc2 flatten`` does: a tweet a line with its ``author`` and its referenced tweet
    (with that tweet's author) embedded.
    """
    expanded = shape != "data-only"
    rng = np.random.default_rng(seed)
    n_users = n_users or max(100, n_posts // 10)
    base_id = 1_700_000_000_000_000_000
    start = np.datetime64("2024-01-01T00:00:00")
    with path.open("wb") as fh:
        for page_start in range(0, n_posts, PAGE):
            k = min(PAGE, n_posts - page_start)
            authors = rng.integers(1, n_users + 1, k)
            secs = rng.integers(0, 180 * 86400, k)
            kinds = rng.choice(4, k, p=[0.5, 0.3, 0.1, 0.1])  # original, retweet, reply, quote
            metrics = rng.poisson([5, 2, 1, 0.3], (k, 4))
            n_tags = rng.integers(0, 4, k)
            data, ref_tweets = [], []
            for j in range(k):
                pid = str(base_id + page_start + j)
                words = " ".join(rng.choice(WORDS, 12))
                tags = list(rng.choice(TAGS, n_tags[j], replace=False))
                text = words + "".join(f" #{t}" for t in tags) + " @acme"
                ents = {"hashtags": [{"start": 0, "end": 1, "tag": t} for t in tags],
                        "mentions": [{"start": len(text) - 5, "end": len(text), "username": "acme", "id": "1"}],
                        "urls": [{"url": "https://t.co/x", "expanded_url": f"https://acme.example/p/{j}"}]}
                t = {"id": pid, "author_id": str(authors[j]), "conversation_id": pid, "lang": "en",
                     "created_at": str(start + np.timedelta64(int(secs[j]), "s")) + ".000Z",
                     "text": text, "entities": ents, "edit_history_tweet_ids": [pid],
                     "public_metrics": dict(zip(("like_count", "retweet_count", "reply_count", "quote_count"),
                                                map(int, metrics[j]), strict=True))}
                if expanded:
                    t.update(possibly_sensitive=False, reply_settings="everyone", source="Twitter Web App")
                else:
                    del t["edit_history_tweet_ids"]
                if kinds[j]:
                    ref = str(base_id - 1 - int(rng.integers(0, 10 * n_posts)))
                    ref_type = ("retweeted", "replied_to", "quoted")[kinds[j] - 1]
                    t["referenced_tweets"] = [{"type": ref_type, "id": ref}]
                    if kinds[j] == 1:
                        t["text"] = "RT @acme: " + text
                        ents["mentions"].insert(0, {"start": 3, "end": 8, "username": "acme", "id": "1"})
                    # the same referenced id always has the same content (it is the same tweet)
                    ref_tweets.append({"id": ref, "author_id": "1", "text": f"original {ref}",
                                       "created_at": "2023-12-01T00:00:00.000Z",
                                       "public_metrics": t["public_metrics"], "conversation_id": ref})
                data.append(t)
            users = [{"id": str(a), "username": f"user{a}", "name": f"User {a}", "location": "Somewhere",
                      "created_at": "2015-01-01T00:00:00.000Z", "verified": False, "description": "bio",
                      "public_metrics": {"followers_count": int(a % 997), "following_count": 10,
                                         "tweet_count": 100, "listed_count": 0}} for a in sorted(set(authors.tolist()))]
            page = {"data": data, "includes": {"users": users, "tweets": ref_tweets},
                    "meta": {"result_count": k, "newest_id": data[0]["id"], "oldest_id": data[-1]["id"]},
                    "__twarc": {"url": "https://api.twitter.com/2/tweets/search/all?query=acme",
                                "version": "2.14.0", "retrieved_at": "2024-07-01T00:00:00+00:00"}}
            if shape == "flattened":
                by_id = {u["id"]: u for u in users}
                refs = iter(ref_tweets)
                for t in data:
                    flat = dict(t, author=by_id[t["author_id"]], __twarc=page["__twarc"])
                    if "referenced_tweets" in t:
                        ref = next(refs)
                        flat["referenced_tweets"] = [dict(ref, type=t["referenced_tweets"][0]["type"], author=ACME)]
                    fh.write(orjson.dumps(flat))
                    fh.write(b"\n")
                continue
            if not expanded:
                del page["includes"]
            fh.write(orjson.dumps(page))
            fh.write(b"\n")
    return path.stat().st_size


def bare_orjson(path: Path) -> int:
    """Parse every line with orjson; the number of tweets (a page's data, or one flattened tweet)."""
    n = 0
    loads = orjson.loads
    with path.open("rb") as fh:
        for line in fh:
            value = loads(line)
            data = value.get("data")
            n += len(data) if isinstance(data, list) else 1
    return n


DUCKDB_COLUMNS = ("STRUCT(id VARCHAR, author_id VARCHAR, created_at VARCHAR, text VARCHAR, lang VARCHAR, "
                  "conversation_id VARCHAR, referenced_tweets STRUCT(type VARCHAR, id VARCHAR)[], "
                  "entities STRUCT(hashtags STRUCT(tag VARCHAR)[], mentions STRUCT(username VARCHAR, start INTEGER)[], "
                  "urls STRUCT(expanded_url VARCHAR)[]), public_metrics STRUCT(like_count BIGINT, "
                  "retweet_count BIGINT, reply_count BIGINT, quote_count BIGINT))[]")


def duckdb_flat(path: Path, *, flattened: bool = False) -> int:
    import duckdb

    con = duckdb.connect()
    if flattened:  # a tweet a line: the line itself is the tweet struct
        source = (f"SELECT json AS t FROM read_json('{path}', format='newline_delimited', records=false, "
                  f"columns={{json: '{DUCKDB_COLUMNS[:-2]}'}}, maximum_object_size=268435456)")
    else:
        source = (f"SELECT unnest(data) AS t FROM read_json('{path}', format='newline_delimited', "
                  f"columns={{data: '{DUCKDB_COLUMNS}'}}, maximum_object_size=268435456)")
    sql = f"""
    WITH t AS ({source})
    SELECT t.id AS post_id, t.author_id, CAST(t.created_at AS TIMESTAMPTZ) AS created_at,
      CASE WHEN list_contains(list_transform(t.referenced_tweets, lambda r: r.type), 'retweeted') THEN 'repost'
           WHEN list_contains(list_transform(t.referenced_tweets, lambda r: r.type), 'replied_to') THEN 'reply'
           WHEN list_contains(list_transform(t.referenced_tweets, lambda r: r.type), 'quoted') THEN 'quote'
           ELSE 'original' END AS kind,
      t.referenced_tweets[1].id AS referenced_id,
      list_transform(t.entities.hashtags, lambda h: lower(h.tag)) AS hashtags,
      list_transform(list_filter(t.entities.mentions, lambda m: m.start <> 3 OR NOT starts_with(t.text, 'RT @')),
                     lambda m: lower(m.username)) AS mentions,
      t.public_metrics.like_count AS likes, t.public_metrics.retweet_count AS reposts,
      t.public_metrics.reply_count AS replies, t.public_metrics.quote_count AS quotes
    FROM t"""
    table = con.sql(sql).to_arrow_table()
    con.close()
    return table.num_rows


def roi_ingest(path: Path, work: Path) -> int:
    from roi.io import ingest

    store = work / "store"
    shutil.rmtree(store, ignore_errors=True)
    result = ingest([path], store)
    source = result.sources[0]
    assert source.read == source.ingested  # every tweet accounted for, none lost
    return source.ingested


def peak_of(path: Path, work: Path) -> float:
    """Peak RSS (MiB, VmHWM) of a fresh process ingesting ``path`` into a new store."""
    code = (f"import sys, shutil; sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})\n"
            f"from roi.io import ingest\nshutil.rmtree({str(work / 'rss')!r}, ignore_errors=True)\n"
            f"ingest([{str(path)!r}], {str(work / 'rss')!r})")
    _, peak = peak_rss_of(code)
    shutil.rmtree(work / "rss", ignore_errors=True)
    return peak


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="sizes 1k, 10k, 100k (a quick run)")
    parser.add_argument("--sizes", type=int, nargs="+", help="explicit post counts")
    parser.add_argument("--shapes", nargs="+", choices=SHAPES, default=list(SHAPES))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duckdb-max", type=int, default=None,
                        help="skip the DuckDB reference above this many posts (it reads ~15 MB/s here)")
    parser.add_argument("--peak-only", action="store_true", help="only the peak memory of one ingest per size")
    parser.add_argument("--data", type=Path, help="keep the generated files in this folder and reuse them "
                        "(same sizes, shapes and seed give the same file)")
    args = parser.parse_args(argv)
    sizes = args.sizes or ([1_000, 10_000, 100_000] if args.small else [10_000, 100_000, 1_000_000])
    rows = []
    with tempfile.TemporaryDirectory(prefix="roi-bench-ingest-") as tmp:
        work = Path(tmp)
        for shape in args.shapes:
            for n in sizes:
                path = (args.data or work) / f"tweets-{shape}-{n}.jsonl"
                size = path.stat().st_size if args.data and path.exists() else generate(path, n, seed=0, shape=shape)
                row: dict = {"shape": shape, "posts": n, "file_MiB": size / 2**20}
                if args.peak_only:
                    start = time.perf_counter()
                    row["roi_peak_rss_MiB"] = peak_of(path, work)
                    row["roi_s_one_run"] = time.perf_counter() - start
                    rows.append(row)
                    if not args.data:
                        os.unlink(path)
                    continue
                t_roi, rows_roi = median_time(lambda path=path: roi_ingest(path, work), repeat=args.repeat)
                t_json, rows_json = median_time(lambda path=path: bare_orjson(path), repeat=args.repeat)
                assert rows_roi == rows_json == n, (rows_roi, rows_json)
                row.update({"roi_s": t_roi, "roi_posts_per_s": n / t_roi, "roi_MB_per_s": size / 1e6 / t_roi,
                            "orjson_s": t_json, "roi/orjson": t_roi / t_json})
                if args.duckdb_max is None or n <= args.duckdb_max:
                    t_duck, rows_duck = median_time(
                        lambda path=path, shape=shape: duckdb_flat(path, flattened=shape == "flattened"), repeat=args.repeat)
                    assert rows_duck == n, rows_duck
                    row.update({"duckdb_s": t_duck, "roi/duckdb": t_roi / t_duck})
                row["roi_peak_rss_MiB"] = peak_of(path, work)
                rows.append(row)
                if not args.data:
                    os.unlink(path)
    report("ingest-peak" if args.peak_only else "ingest", rows)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
