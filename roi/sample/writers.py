"""Writing the sample as the files people actually have.

* ``x-v2/tweets-YYYY-MM-DD.jsonl``: one file per week, one X API v2 search response a line, as
  ``twarc2 search`` writes them (``data``, ``includes.users``, ``includes.tweets``, ``meta``,
  ``__twarc``), newest first, 100 tweets a page; metrics as of the page's retrieval.
* ``x-v2/followers-YYYY-MM-DD.jsonl``: the brand's followers as ``twarc2 followers`` writes them,
  1,000 users a page, newest follower first; ``__twarc.retrieved_at`` is the snapshot time.
* ``follows/audience-YYYY-MM-DD.csv``: follow edges among the modelled accounts (and to the brand)
  present at each snapshot.
* ``conversions.csv`` (web analytics by day and UTM), ``web-analytics.csv`` (the other channels, as a
  GA4 export by date, channel and landing page), ``effort.csv`` (the team's hours),
  ``experiments.csv``, ``truth.json``, ``README.md``.

Everything is written deterministically: fixed key order, floats rounded, no wall-clock times.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd

from roi.sample.population import Population
from roi.sample.texts import compose, retweet_text, tco

__all__ = ["render_tweets", "write_tweet_pages", "write_follower_pages", "write_follows",
           "write_conversions", "write_web_analytics", "write_effort", "write_experiments", "write_json", "iso_ms", "TWARC_VERSION"]

TWARC_VERSION = "2.14.0"
_API = "https://api.twitter.com/2"
_USER_FIELDS = "created_at,description,entities,id,location,name,pinned_tweet_id,profile_image_url,protected,public_metrics,url,username,verified,withheld"
_TWEET_FIELDS = "attachments,author_id,context_annotations,conversation_id,created_at,entities,geo,id,in_reply_to_user_id,lang,non_public_metrics,organic_metrics,public_metrics,referenced_tweets,reply_settings,source"
_EXPANSIONS = "author_id,in_reply_to_user_id,referenced_tweets.id,referenced_tweets.id.author_id,entities.mentions.username"
QUERY = "(@acme OR @acmecustserv OR #acme OR from:acme OR from:acmecustserv OR to:acme OR to:acmecustserv OR url:\"twitter.com/acme\")"
_DEFAULT_IMAGE = "https://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"
_SOURCES = ("Twitter for iPhone", "Twitter for Android", "Twitter Web App", "Twitter for iPad")


def iso_ms(ms: int) -> str:
    """``2026-10-05T13:07:21.000Z`` (the v2 API's timestamp format)."""
    return str(np.datetime64(int(ms), "ms").astype("datetime64[s]")) + ".000Z"


def _iso_s(ms: int) -> str:
    return str(np.datetime64(int(ms), "ms").astype("datetime64[s]")) + "+00:00"


def write_json(path: Path, payload) -> None:
    """Write ``payload`` to ``path`` as indented UTF-8 JSON."""
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _jsonl(path: Path, pages: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for page in pages:
            fh.write(json.dumps(page))  # twarc2 writes json.dumps defaults: ASCII escapes
            fh.write("\n")


def user_object(pop: Population, i: int, *, followers_count: int | None = None) -> dict:
    """Make a v2 user object (location omitted when blank, as the API does)."""
    u = {"id": pop.account_id[i], "name": pop.name[i], "username": pop.handle[i],
         "created_at": iso_ms(pop.created_ms[i]), "description": pop.description[i]}
    if pop.location[i]:
        u["location"] = pop.location[i]
    u["protected"] = False
    u["verified"] = bool(pop.verified[i])
    u["profile_image_url"] = (_DEFAULT_IMAGE if pop.default_profile[i] else
                              f"https://pbs.twimg.com/profile_images/{int(pop.created_ms[i]) * 7 % 10**18}/p{i}_normal.jpg")
    u["url"] = f"https://t.co/{pop.handle[i][:5]}{i % 997:03d}ab" if i < 5 else ""
    u["public_metrics"] = {
        "followers_count": int(pop.followers_count[i] if followers_count is None else followers_count),
        "following_count": int(pop.following_count[i]), "tweet_count": int(pop.posts_count[i]),
        "listed_count": int(pop.listed_count[i]),
    }
    return u


def render_tweets(rng: np.random.Generator, pop: Population, specs: list[dict]) -> None:
    """Fill each spec's ``text``, ``entities``, links and static metrics (in id order)."""
    handle_index = {h: i for i, h in enumerate(pop.handle)}
    repost_of: dict[tuple[int, int], dict] = {}
    for s in specs:
        if s["kind"] == "repost":
            repost_of[(s["source_j"], s["author"])] = s
    for s in specs:
        s["author_id"] = pop.account_id[s["author"]]
        s["source"] = _SOURCES[int(rng.integers(len(_SOURCES)))] if s["author"] > 1 else "Sprout Social"
        if s["kind"] == "repost":
            src = s["ref_spec"]
            text = retweet_text(pop.handle[src["author"]], src["text"])
            shift = len(f"RT @{pop.handle[src['author']]}: ")
            limit = len(text) - (1 if text.endswith("…") and len(text) == 140 else 0)
            ent: dict = {"mentions": [{"start": 3, "end": shift - 2, "username": pop.handle[src["author"]],
                                       "id": src["author_id"]}]}
            for key in ("hashtags", "mentions", "urls"):
                for e in src["entities"].get(key, []):
                    if e["end"] + shift <= limit:
                        ent.setdefault(key, []).append({**e, "start": e["start"] + shift, "end": e["end"] + shift})
            s["text"], s["entities"] = text, ent
            s["ref"], s["ref_type"], s["conversation"] = src["id"], "retweeted", s["id"]
            parent = s.get("parent_actor", -1)
            s["true_parent"] = src["id"] if parent < 0 else repost_of[(s["source_j"], parent)]["id"]
            continue
        segs = []
        for seg in s["segments"]:
            if seg[0] == "mention" and seg[2] is None:
                seg = ("mention", seg[1], pop.account_id[handle_index[seg[1]]])
            elif seg[0] == "link":
                url = (f"{seg[1]}?utm_source=twitter&utm_medium=social&utm_campaign={seg[2]}"
                       f"&utm_content={s['id']}")
                s["utm"] = {"campaign": seg[2], "url": url}
                seg = ("url", tco(rng), url)
            elif seg[0] == "url":
                seg = ("url", tco(rng), seg[1])
            elif seg[0] == "quote_link":
                seg = ("url", tco(rng), f"https://twitter.com/{pop.handle[seg[1]['author']]}/status/{seg[1]['id']}")
            segs.append(seg)
        s["text"], s["entities"] = compose(segs)
        if s["kind"] == "reply":
            target = s["reply_to_spec"]
            s["ref"], s["ref_type"] = target["id"], "replied_to"
            s["conversation"] = target.get("conversation", target["id"])
            s["in_reply_to"] = target["author_id"]
        elif s["kind"] == "quote":
            src = s["ref_spec"]
            s["ref"], s["ref_type"], s["conversation"] = src["id"], "quoted", s["id"]
        else:
            s["conversation"] = s["id"]
        if s["author"] > 1 and s["kind"] != "repost":
            likes = int(rng.poisson(0.6))
            views = likes + int(rng.poisson(max(3.0, 0.04 * pop.followers_count[s["author"]])))
            s["static_metrics"] = {"retweet_count": int(rng.poisson(0.05)), "reply_count": 0,
                                   "like_count": likes, "quote_count": 0, "impression_count": views}
        elif s["author"] == 1:
            s["static_metrics"] = {"retweet_count": 0, "reply_count": 0, "like_count": int(rng.poisson(0.3)),
                                   "quote_count": 0, "impression_count": int(rng.poisson(40))}


def _tweet(s: dict, metrics_of) -> dict:
    t = {"id": str(s["id"]), "text": s["text"], "author_id": s["author_id"], "created_at": iso_ms(s["t"]),
         "conversation_id": str(s["conversation"]), "lang": s["lang"]}
    if s.get("in_reply_to"):
        t["in_reply_to_user_id"] = s["in_reply_to"]
    if s.get("ref"):
        t["referenced_tweets"] = [{"type": s["ref_type"], "id": str(s["ref"])}]
    if s["entities"]:
        t["entities"] = s["entities"]
    t.update(metrics_of(s))
    t["edit_history_tweet_ids"] = [str(s["id"])]
    t["reply_settings"] = "everyone"
    t["possibly_sensitive"] = False
    t["source"] = s["source"]
    return t


def write_tweet_pages(path: Path, specs: list[dict], *, pop: Population, metrics_of, retrieved_ms: int,
                      start_ms: int, end_ms: int, brand_followers: int) -> int:
    """One week of search results as twarc2 writes them; returns the number of tweets."""
    week = sorted((s for s in specs if start_ms <= s["t"] < end_ms), key=lambda s: -s["id"])
    pages = []
    base = (f"{_API}/tweets/search/all?expansions={quote(_EXPANSIONS, safe='')}"
            f"&tweet.fields={quote(_TWEET_FIELDS, safe='')}&user.fields={quote(_USER_FIELDS, safe='')}"
            f"&query={quote(QUERY, safe='')}&start_time={quote(iso_ms(start_ms))}&end_time={quote(iso_ms(end_ms))}"
            f"&max_results=100")
    n_pages = max(1, (len(week) + 99) // 100)
    for p in range(n_pages):
        chunk = week[p * 100:(p + 1) * 100]
        users, tweets = [], []
        seen_users: set[int] = set()
        seen_tweets: set[int] = set()

        def add_user(i: int, seen_users=seen_users, users=users) -> None:
            if i not in seen_users:
                seen_users.add(i)
                users.append(user_object(pop, i, followers_count=brand_followers if i == 0 else None))

        for s in chunk:
            add_user(s["author"])
            for m in s["entities"].get("mentions", []):
                add_user(int(pop_index(pop, m["id"])))
        for s in chunk:
            ref = s.get("ref_spec") or s.get("reply_to_spec")
            if ref is not None and ref["id"] not in seen_tweets:
                seen_tweets.add(ref["id"])
                tweets.append(_tweet(ref, metrics_of))
                add_user(ref["author"])
        page = {"data": [_tweet(s, metrics_of) for s in chunk], "includes": {"users": users}}
        if tweets:
            page["includes"]["tweets"] = tweets
        meta = {"result_count": len(chunk)}
        if chunk:
            meta = {"newest_id": str(chunk[0]["id"]), "oldest_id": str(chunk[-1]["id"]), **meta}
        token = f"b26v89c19zqg8o3f{p + 1:04d}{start_ms % 10**9:09d}"
        if p < n_pages - 1:
            meta["next_token"] = token
        if not chunk:
            page = {"meta": meta}
        page["meta"] = meta
        url = base if p == 0 else f"{base}&next_token=b26v89c19zqg8o3f{p:04d}{start_ms % 10**9:09d}"
        page["__twarc"] = {"url": url, "version": TWARC_VERSION, "retrieved_at": _iso_s(retrieved_ms + 2000 * p)}
        pages.append(page)
    _jsonl(path, pages)
    return len(week)


_ID_INDEX: dict[int, dict[str, int]] = {}


def pop_index(pop: Population, account_id: str) -> int:
    key = id(pop)
    if key not in _ID_INDEX:
        _ID_INDEX.clear()
        _ID_INDEX[key] = {a: i for i, a in enumerate(pop.account_id)}
    return _ID_INDEX[key][account_id]


def write_follower_pages(path: Path, followers: np.ndarray, join_ms: np.ndarray, *, pop: Population,
                         retrieved_ms: int) -> None:
    """Write the brand's followers at one snapshot, newest follower first, 1,000 a page."""
    order = followers[np.lexsort((followers, -join_ms[followers]))]
    base = (f"{_API}/users/{pop.account_id[0]}/followers?max_results=1000"
            f"&user.fields={quote(_USER_FIELDS, safe='')}")
    pages = []
    n_pages = max(1, (len(order) + 999) // 1000)
    for p in range(n_pages):
        chunk = order[p * 1000:(p + 1) * 1000]
        meta = {"result_count": len(chunk)}
        if p < n_pages - 1:
            meta["next_token"] = f"F{p + 1:03d}{retrieved_ms % 10**9:09d}"
        url = base if p == 0 else f"{base}&pagination_token=F{p:03d}{retrieved_ms % 10**9:09d}"
        pages.append({"data": [user_object(pop, int(i)) for i in chunk], "meta": meta,
                      "__twarc": {"url": url, "version": TWARC_VERSION, "retrieved_at": _iso_s(retrieved_ms + 3000 * p)}})
    _jsonl(path, pages)


def write_follows(path: Path, src: np.ndarray, dst: np.ndarray, *, pop: Population, as_of_ms: int) -> None:
    """follower_id,followee_id,as_of for the edges present at one snapshot."""
    ids = pop.account_id
    order = np.lexsort((dst, src))
    stamp = iso_ms(as_of_ms).replace(".000Z", "Z")
    lines = ["follower_id,followee_id,as_of"]
    lines += [f"{a},{b},{stamp}" for a, b in zip(ids[src[order]], ids[dst[order]], strict=False)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_conversions(path: Path, rows: pd.DataFrame) -> None:
    """Web-analytics export: one row per day and UTM-tagged post."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["date", "utm_source", "utm_medium", "utm_campaign", "utm_content", "channel", "sessions",
                "conversions", "revenue"])
    for r in rows.itertuples(index=False):
        w.writerow([r.date, "twitter", "social", r.campaign, r.post_id, "social", int(r.sessions),
                    int(r.conversions), f"{r.revenue:.2f}"])
    path.write_text(buf.getvalue(), encoding="utf-8")


def write_web_analytics(path: Path, rows: pd.DataFrame) -> None:
    """GA4 exploration export: sessions by date, default channel group and landing page."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Date", "Session default channel group", "Landing page + query string", "Sessions",
                "Key events", "Total revenue"])
    for r in rows.itertuples(index=False):
        w.writerow([r.date, r.channel, r.landing_page, int(r.sessions), int(r.conversions), f"{r.revenue:.2f}"])
    path.write_text(buf.getvalue(), encoding="utf-8")


def write_effort(path: Path, rows: pd.DataFrame) -> None:
    """Write the team's effort log: week, activity, hours, cost."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["week", "activity", "hours", "cost"])
    for r in rows.itertuples(index=False):
        w.writerow([r.week, r.activity, f"{r.hours:g}", f"{r.cost:.2f}"])
    path.write_text(buf.getvalue(), encoding="utf-8")


def write_experiments(path: Path, rows: list[tuple[str, str, str, str]]) -> None:
    """Write the experiments CSV (experiment_id, arm, post_id, pair_id) to ``path``.

    Parameters
    ----------
    path : Path
        The file written.
    rows : list of (experiment_id, arm, post_id, pair_id)
        One row per post assigned to an arm.
    """
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["experiment_id", "arm", "post_id", "pair_id"])
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


README = """# Sample brand: raw exports

Generated by `roi sample` (seed {seed}, {followers} followers, {weeks} weeks from {start}). Nothing
here is real: it is a synthetic brand ("@{brand}", customer service "@{custserv}") whose effects
are planted and recorded in `truth.json`. Read it into a store with `roi ingest <this folder>`.

| path | what |
|---|---|
| `x-v2/tweets-YYYY-MM-DD.jsonl` | X API v2 search pages (twarc2), one file per week starting that Monday |
| `x-v2/followers-YYYY-MM-DD.jsonl` | the brand's followers at each weekly snapshot (twarc2 followers) |
| `follows/audience-YYYY-MM-DD.csv` | follow edges among the audience (and to the brand) at each snapshot |
| `conversions.csv` | web analytics: sessions, conversions and revenue by day and UTM (utm_content = post id) |
| `web-analytics.csv` | web analytics of the other channels (search, email, paid, direct, referral, other social) by date and landing page |
| `effort.csv` | the team's effort log: hours and cost a week per activity |
| `experiments.csv` | the A/B test of posting times: experiment, arm, post, pair |
| `truth.json` | every planted parameter and effect (not an export; ingest skips it) |
"""
