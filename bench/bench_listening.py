"""Benchmark: roi.listening on large synthetic streams of brand mentions.

brand_mentions (vectorised list/regex matching), score_complaints (VADER + complaint phrases once per
distinct text) against a plain per-post reference (VADER and the phrase regex on every row, as
``df.text.apply`` would do), and triage_queue end to end.

    python bench/bench_listening.py
"""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import median_time, own_peak_mib, report  # noqa: E402

from roi.listening import brand_mentions, score_complaints, triage_queue  # noqa: E402
from roi.listening.complaints import _analyzer, _complaint_regex, _terms  # noqa: E402
from roi.tables import conform  # noqa: E402

PRODUCTS = ["X2 blender", "PourOver kettle", "ChefEdge knife", "pan set", "AirCrisp fryer", "app"]
TEMPLATES = ["@acme my {p} is broken after {n} days", "Love my {p} from @acme, day {n}!",
             "{p} lid cracked again #acme ({n})", "@acmecustserv still waiting on a refund, order {n}",
             "Saw the @acme {p} ad on the subway, take {n}", "so's mine, {p} leaking #acme #{n}x",
             "Anyone tried the {p}? #acme {n}"]


def stream(n: int, *, distinct: float = 0.3, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """n posts by 0.2 n authors; about ``distinct`` of the texts are distinct (pile-ons and spam repeat)."""
    rng = np.random.default_rng(seed)
    k = max(1, int(n * distinct))
    pool = np.array([TEMPLATES[rng.integers(len(TEMPLATES))].format(p=PRODUCTS[rng.integers(len(PRODUCTS))],
                                                                      n=int(i)) for i in range(k)], dtype=object)
    text = pool[rng.integers(0, k, n)]
    authors = rng.integers(0, max(2, n // 5), n).astype(str)
    created = pd.Timestamp("2026-09-28", tz="UTC") + pd.to_timedelta(np.sort(rng.integers(0, 56 * 86400, n)), unit="s")
    s = pd.Series(text)
    mentions = s.str.findall(r"@(\w+)").map(lambda v: [x.casefold() for x in v])
    hashtags = s.str.findall(r"#(\w+)").map(lambda v: [x.casefold() for x in v])
    posts = conform("posts", {"platform": "x", "post_id": np.arange(n).astype(str), "author_id": authors,
                              "created_at": created, "text": text, "kind": "original", "lang": "en",
                              "mentions": mentions, "hashtags": hashtags})
    accounts = conform("accounts", {"platform": "x", "account_id": ["b", "cs"] + [str(i) for i in range(max(2, n // 5))],
                                    "handle": ["acme", "acmecustserv"] + [f"user{i}" for i in range(max(2, n // 5))],
                                    "followers_count": rng.integers(0, 20_000, 2 + max(2, n // 5))})
    return posts, accounts


def reference_scores(posts: pd.DataFrame) -> pd.Series:
    analyzer, regex = _analyzer(), _complaint_regex()
    return posts["text"].apply(lambda t: (analyzer.polarity_scores(t)["compound"], _terms(t, regex)))


def main() -> None:
    rows = []
    for n in (10_000, 100_000, 1_000_000):
        posts, accounts = stream(n)
        t_m, m = median_time(lambda posts=posts: brand_mentions(posts, brand_ids=["b", "cs"], handles=["acme", "acmecustserv"],
                                                    brand_terms=["acme"]), repeat=3)
        rows.append({"case": "brand_mentions", "posts": n, "roi_s": round(t_m, 3), "reference_s": None,
                     "ratio": None, "peak_mib": round(own_peak_mib())})
        t_s, _ = median_time(partial(score_complaints, m), repeat=1 if n >= 1_000_000 else 3)
        ref = None
        if n <= 100_000:
            ref, _ = median_time(partial(reference_scores, m), repeat=1)
        rows.append({"case": "score_complaints", "posts": len(m), "roi_s": round(t_s, 3),
                     "reference_s": None if ref is None else round(ref, 3),
                     "ratio": None if ref is None else round(ref / t_s, 1), "peak_mib": round(own_peak_mib())})
        if n <= 100_000:
            t_q, q = median_time(lambda posts=posts, accounts=accounts: triage_queue({"posts": posts, "accounts": accounts},
                                                      handles=["acme", "acmecustserv"], brand_terms=["acme"]), repeat=1)
            rows.append({"case": f"triage_queue ({len(q):,} complaints)", "posts": n, "roi_s": round(t_q, 3),
                         "reference_s": None, "ratio": None, "peak_mib": round(own_peak_mib())})
    report("listening", rows)


if __name__ == "__main__":
    main()
