"""The sample brand: layout and truth contract, determinism, and each realism property.

Properties are checked on the test-size sample (``sample_dir``: seed 7, 2,000 followers, 6 weeks)
and its truth.json, never against constants chosen after looking at the output.
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from roi.errors import ParameterError
from roi.sample import write_sample

TRUTH_KEYS = {"seed", "generated_with", "brand", "weeks", "accounts", "followers_by_week", "country_shares",
              "engagement", "experiment", "cascades", "spam_accounts", "complaints", "content_mix", "conversion"}


# --- helpers ---------------------------------------------------------------------------------------

def _pages(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def tweets(sample_dir) -> pd.DataFrame:
    """Every tweet of the weekly search files, with its page's retrieval time."""
    rows = []
    for f in sorted((sample_dir / "x-v2").glob("tweets-*.jsonl")):
        for page in _pages(f):
            for t in page.get("data", []):
                rows.append({"entities": {}, **t, "_retrieved": page["__twarc"]["retrieved_at"], "_file": f.name})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def includes(sample_dir) -> dict:
    users, tws = {}, {}
    for f in sorted((sample_dir / "x-v2").glob("tweets-*.jsonl")):
        for page in _pages(f):
            for u in page.get("includes", {}).get("users", []):
                users[u["id"]] = u
            for t in page.get("includes", {}).get("tweets", []):
                tws[(f.name, t["id"])] = t
    return {"users": users, "tweets": tws}


@pytest.fixture(scope="module")
def snapshots(sample_dir) -> dict[str, list[dict]]:
    return {f.name: [u for p in _pages(f) for u in p["data"]]
            for f in sorted((sample_dir / "x-v2").glob("followers-*.jsonl"))}


@pytest.fixture(scope="module")
def brand_posts(tweets, sample_truth) -> pd.DataFrame:
    b = tweets[tweets.author_id == sample_truth["brand"]["account_id"]].copy()
    pm = pd.DataFrame(b.public_metrics.tolist(), index=b.index)
    npm = pd.DataFrame(b.non_public_metrics.tolist(), index=b.index)
    b = b.join(pm).join(npm.drop(columns=["impression_count"]))
    b["created"] = pd.to_datetime(b.created_at, utc=True)
    b["local_hour"] = b.created.dt.tz_convert(sample_truth["brand"]["tz"]).dt.hour
    ent = b.entities.apply(lambda e: e if isinstance(e, dict) else {})
    b["n_hashtags"] = ent.apply(lambda e: len(e.get("hashtags", [])))
    b["mention"] = ent.apply(lambda e: len(e.get("mentions", [])) > 0)
    b["question"] = b.text.str.contains("?", regex=False)
    b["has_link"] = ent.apply(lambda e: any("utm_content" in u["expanded_url"] for u in e.get("urls", [])))
    b["url_link_clicks"] = b["url_link_clicks"].fillna(0)
    b["engagements"] = b[["like_count", "retweet_count", "reply_count", "quote_count", "url_link_clicks"]].sum(axis=1)
    return b


def _sha_tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


# --- determinism, options, CLI -------------------------------------------------------------------

def test_same_seed_gives_identical_bytes_and_other_seeds_differ(tmp_path):
    a = _sha_tree(write_sample(tmp_path / "a", seed=3, followers=200, weeks=2))
    b = _sha_tree(write_sample(tmp_path / "b", seed=3, followers=200, weeks=2))
    c = _sha_tree(write_sample(tmp_path / "c", seed=4, followers=200, weeks=2))
    assert a == b
    assert set(a) == set(c)
    assert all(a[k] != c[k] for k in a if k.endswith((".jsonl", ".json")) or k.startswith("follows"))


def test_rewriting_an_earlier_sample_replaces_it(tmp_path):
    write_sample(tmp_path, seed=1, followers=100, weeks=3)
    write_sample(tmp_path, seed=1, followers=100, weeks=2)
    assert len(list((tmp_path / "x-v2").glob("tweets-*.jsonl"))) == 2


@pytest.mark.parametrize("kw, match", [
    ({"followers": 49}, "followers=49"), ({"weeks": 1}, "weeks=1"), ({"start": "2026-09-29"}, "Monday"),
    ({"start": "next week"}, "ISO date"), ({"seed": -1}, "seed=-1"), ({"followers": 100.0}, "followers"),
])
def test_bad_options_are_refused_with_the_option_named(tmp_path, kw, match):
    with pytest.raises(ParameterError, match=match):
        write_sample(tmp_path / "x", **{"followers": 100, "weeks": 2, **kw})


def test_refuses_a_folder_that_is_not_a_sample(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ParameterError, match="not empty and not an earlier sample"):
        write_sample(tmp_path, followers=100, weeks=2)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_cli_config_flags_override_and_errors_are_one_line(tmp_path, capsys):
    from roi.cli.main import main

    def _roi(*args):
        code = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, code, out, err)

    cfg = tmp_path / "c.json"
    cfg.write_text(json.dumps({"seed": 5, "followers": 120, "weeks": 3}))
    r = _roi("sample", str(tmp_path / "out"), "--config", str(cfg), "--weeks", "2", "--json")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert (summary["seed"], summary["followers"], summary["weeks"]) == (5, 120, 2)
    truth = json.loads((tmp_path / "out" / "truth.json").read_text())
    assert truth["generated_with"] == {"followers": 120, "weeks": 2, "start": "2026-09-28"}
    cfg.write_text('{"seed": 5, "colour": "red"}')
    r = _roi("sample", str(tmp_path / "o2"), "--config", str(cfg))
    assert r.returncode == 2 and "colour" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = _roi("sample", str(tmp_path / "o3"), "--followers", "10")
    assert r.returncode == 2 and "--followers 10" in r.stderr


def test_committed_default_config_is_valid():
    from roi.sample import validate_options

    cfg = json.loads((Path(__file__).resolve().parents[1] / "data/sample/config.json").read_text())
    assert validate_options(**cfg)["followers"] == cfg["followers"]


# --- layout and truth contract ---------------------------------------------------------------------

def test_layout_and_truth_keys(sample_dir, sample_truth):
    weeks = sample_truth["generated_with"]["weeks"]
    assert TRUTH_KEYS <= set(sample_truth)
    assert len(list((sample_dir / "x-v2").glob("tweets-*.jsonl"))) == weeks
    assert len(list((sample_dir / "x-v2").glob("followers-*.jsonl"))) == weeks + 1
    assert len(list((sample_dir / "follows").glob("audience-*.csv"))) == weeks + 1
    for name in ("conversions.csv", "experiments.csv", "README.md"):
        assert (sample_dir / name).is_file()
    assert pd.read_csv(sample_dir / "conversions.csv", nrows=1).columns.tolist() == [
        "date", "utm_source", "utm_medium", "utm_campaign", "utm_content", "channel", "sessions", "conversions", "revenue"]
    assert pd.read_csv(sample_dir / "experiments.csv", nrows=1).columns.tolist() == ["experiment_id", "arm", "post_id", "pair_id"]
    b = sample_truth["brand"]
    assert (b["handle"], b["custserv_handle"], b["tz"], b["home_country"]) == ("acme", "acmecustserv", "America/New_York", "US")
    assert set(sample_truth["engagement"]["hour_rr"]) == {str(h) for h in range(24)}
    assert set(sample_truth["engagement"]["hashtags_rr"]) == {"0", "1", "2", "3", "4"}
    assert len(sample_truth["followers_by_week"]) == weeks
    assert all(isinstance(k, str) and k.isdigit() for k in sample_truth["accounts"])


def test_pages_have_the_twarc2_shape(sample_dir):
    page = _pages(sorted((sample_dir / "x-v2").glob("tweets-*.jsonl"))[0])[0]
    assert {"data", "includes", "meta", "__twarc"} <= set(page)
    assert {"url", "version", "retrieved_at"} == set(page["__twarc"])
    assert page["meta"]["result_count"] == len(page["data"])
    t = page["data"][0]
    assert isinstance(t["id"], str) and isinstance(t["author_id"], str)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z", t["created_at"])
    fpage = _pages(sorted((sample_dir / "x-v2").glob("followers-*.jsonl"))[0])[0]
    assert re.search(r"/2/users/\d+/followers", fpage["__twarc"]["url"])
    assert {"id", "username", "public_metrics", "created_at"} <= set(fpage["data"][0])


def test_ingests_with_zero_rejected_and_accounting_that_adds_up(sample_ds):
    assert sample_ds.rejected.empty
    sources = sample_ds.sources
    rows = sources if isinstance(sources, list) else list(sources.values())
    assert len(rows) >= 4
    for s in rows:
        assert s["read"] == s["ingested"] + s["duplicates"] + s["rejected"], s["path"]
        assert s["rejected"] == 0


# --- accounts, graph, geography ----------------------------------------------------------------------

def test_follower_counts_are_heavy_tailed(snapshots):
    users = list(snapshots.values())[-1]
    fc = np.array([u["public_metrics"]["followers_count"] for u in users])
    assert 100 <= np.median(fc) < 1000
    assert 1 <= (fc > 100_000).sum() <= 0.01 * len(fc)
    fo = np.array([u["public_metrics"]["following_count"] for u in users])
    assert 50 <= np.median(fo) < 1000


def test_follow_graph_reciprocity_homophily_and_preferential_attachment(sample_dir, sample_truth):
    edges = pd.read_csv(sorted((sample_dir / "follows").glob("audience-*.csv"))[-1], dtype=str)
    brand_ids = {sample_truth["brand"]["account_id"], sample_truth["brand"]["custserv_account_id"]}
    e = edges[~edges.followee_id.isin(brand_ids) & ~edges.follower_id.isin(brand_ids)]
    pairs = set(zip(e.follower_id, e.followee_id, strict=False))
    reciprocity = sum((b, a) in pairs for a, b in pairs) / len(pairs)
    assert 0.2 <= reciprocity <= 0.4
    country = {k: v["country"] for k, v in sample_truth["accounts"].items()}
    cf, ct = e.follower_id.map(country), e.followee_id.map(country)
    same = (cf == ct).mean()
    shares = ct.value_counts(normalize=True)
    expected = float((cf.map(shares)).mean())  # same-country share if targets ignored country
    assert same > expected + 0.1
    indeg = e.followee_id.value_counts()
    assert indeg.max() > 10 * indeg.median()


def test_brand_follows_the_snapshots(sample_dir, sample_truth, snapshots):
    counts = [len(v) for v in snapshots.values()]
    fbw = sample_truth["followers_by_week"]
    assert [w["start"] for w in fbw.values()] == counts[:-1]
    assert [w["end"] for w in fbw.values()] == counts[1:]
    for w in fbw.values():
        assert w["end"] == w["start"] + w["new"] - w["lost"] and w["new"] > 0 and w["lost"] > 0
    assert counts[-1] == sample_truth["generated_with"]["followers"]
    last = list(snapshots.values())[-1]
    c = Counter(sample_truth["accounts"][u["id"]]["country"] for u in last)
    for code, share in sample_truth["country_shares"].items():
        assert share == pytest.approx(c[code] / len(last), abs=1e-6)
    assert sample_truth["country_shares"]["US"] == max(sample_truth["country_shares"].values())


def test_locations_are_written_as_people_write_them(sample_truth):
    acc = [a for a in sample_truth["accounts"].values() if a["role"] == "audience" and not a["spam"]]
    locs = [a["location"] for a in acc]
    assert 0.25 <= sum(not s for s in locs) / len(locs) <= 0.35
    written = set(locs)
    assert any(re.search(r"[\u0400-\u04FF]", s) for s in written)  # Cyrillic
    assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", s) for s in written)  # Japanese/Chinese
    assert len(written & {"NYC", "UK", "LA", "SF", "USA", "CDMX", "LDN", "DC"}) >= 3
    assert len(written & {"Earth", "somewhere", "🌍", "everywhere", "the internet", "Planet Earth", "here"}) >= 2
    assert any(re.fullmatch(r"[^,]+, [A-Z]{2}", s) for s in written)  # City, ST
    assert any(re.fullmatch(r"[A-Z][^,]+, [A-Z][a-z]+( [A-Z][a-z]+)?", s) for s in written)  # City, Country
    assert all(a["country"] for a in acc)
    assert len({a["tz"] for a in acc}) >= 10


# --- activity, posts, engagement ---------------------------------------------------------------------

def test_brand_posts_3_to_10_a_day_at_varied_hours_with_features(brand_posts, sample_truth):
    local_day = brand_posts.created.dt.tz_convert(sample_truth["brand"]["tz"]).dt.date
    per_day = local_day.value_counts()
    assert per_day.min() >= 3 and per_day.max() <= 10
    assert len(per_day) == 7 * sample_truth["generated_with"]["weeks"]
    assert brand_posts.local_hour.nunique() >= 20
    assert set(brand_posts.n_hashtags) == {0, 1, 2, 3, 4}
    assert brand_posts.mention.mean() > 0.1 and brand_posts.question.mean() > 0.1
    assert sum(sample_truth["content_mix"].values()) == len(brand_posts)
    links = [u["expanded_url"] for e in brand_posts.entities for u in e.get("urls", [])]
    ids = set(brand_posts.id)
    utm = [re.search(r"utm_content=(\d+)", u).group(1) for u in links if "utm_source=twitter" in u]
    assert utm and set(utm) <= ids and len(utm) == len(set(utm))


def test_other_accounts_post_on_a_diurnal_curve_in_local_time(tweets, sample_truth):
    others = tweets[~tweets.author_id.isin([sample_truth["brand"]["account_id"]])]
    tz = others.author_id.map(lambda a: sample_truth["accounts"][a]["tz"])
    created = pd.to_datetime(others.created_at, utc=True)
    hours = np.array([c.tz_convert(z).hour for c, z in zip(created, tz, strict=False)])
    night = np.isin(hours, [2, 3, 4, 5]).mean() / 4
    evening = np.isin(hours, [18, 19, 20, 21]).mean() / 4
    assert evening > 2.5 * night


def test_impressions_cover_engagements_and_reposts_carry_the_originals_metrics(tweets, brand_posts, includes):
    assert (brand_posts.impression_count >= brand_posts.engagements).all()
    assert brand_posts.loc[~brand_posts.has_link, "url_link_clicks"].eq(0).all()
    rts = tweets[tweets.text.str.startswith("RT @")]
    assert len(rts) > 50
    by_id = {}
    for (fname, tid), t in includes["tweets"].items():
        by_id[(fname, tid)] = t
    for _, r in rts.head(200).iterrows():
        assert r.referenced_tweets[0]["type"] == "retweeted"
        src = by_id[(r._file, r.referenced_tweets[0]["id"])]
        assert r.public_metrics == src["public_metrics"]
        assert r.text.startswith("RT @acme: ")


def _glm(df, formula):
    import statsmodels.api as sm
    import statsmodels.formula.api as smf

    return smf.glm(formula, data=df, family=sm.families.NegativeBinomial(alpha=0.15),
                   offset=np.log(df["impression_count"])).fit()


def test_planted_engagement_effects_are_recoverable(brand_posts, sample_truth):
    eng = sample_truth["engagement"]
    d = brand_posts.assign(
        log_hour_rr=np.log(brand_posts.local_hour.astype(str).map(eng["hour_rr"]).astype(float)),
        tags=brand_posts.n_hashtags.clip(upper=4).astype(str),
        mention=brand_posts.mention.astype(int), question=brand_posts.question.astype(int),
        content=brand_posts.id.map(sample_truth["content_type"]),
    )
    fit = _glm(d, "engagements ~ log_hour_rr + C(tags) + mention + question + C(content, Treatment('original'))")
    # The whole hour profile in one number: the slope on log(planted hour_rr) is ~1.
    lo, hi = fit.conf_int().loc["log_hour_rr"]
    assert lo < 1 < hi and fit.params["log_hour_rr"] > 0.5
    # Each planted ratio lies inside the estimate's 99% interval...
    ci = fit.conf_int(alpha=0.01)
    planted = {f"C(tags)[T.{k}]": eng["hashtags_rr"][k] for k in ("1", "2", "3", "4")}
    planted |= {"mention": eng["mention_rr"], "question": eng["question_rr"]}
    for name, rr in planted.items():
        assert ci.loc[name, 0] < np.log(rr) < ci.loc[name, 1], (name, fit.params[name], np.log(rr))
    # ...and the effects that matter point the right way: 1-2 hashtags beat none and beat 3+.
    few = fit.params[["C(tags)[T.1]", "C(tags)[T.2]"]].mean()
    many = fit.params[["C(tags)[T.3]", "C(tags)[T.4]"]].mean()
    assert few > 0 and few > many and fit.params["question"] > 0


def test_conversions_follow_clicks_with_the_planted_hashtag_effect(sample_dir, brand_posts, sample_truth):
    conv = pd.read_csv(sample_dir / "conversions.csv", dtype={"utm_content": str})
    by_post = conv.groupby("utm_content")[["sessions", "conversions"]].sum()
    assert set(by_post.index) <= set(brand_posts.id)
    d = brand_posts.set_index("id").join(by_post, how="inner")
    truth = sample_truth["conversion"]
    # Observed over expected-without-hashtag-effect, so the planted hour effect cannot confound.
    d["expected"] = d.sessions * truth["base_rate"] * d.local_hour.astype(str).map(truth["hour_rr"]).astype(float)
    g = d.groupby(d.n_hashtags > 0)[["conversions", "expected"]].sum()
    oe = g.conversions / g.expected
    assert abs(oe[False] - 1) < 3 / np.sqrt(g.conversions[False])
    log_ratio, se = np.log(oe[True] / oe[False]), np.sqrt(1 / g.conversions[True] + 1 / g.conversions[False])
    assert abs(log_ratio - np.log(truth["hashtag_rr"]["1+"])) < 3 * se
    assert (conv.conversions <= conv.sessions).all() and (conv.revenue[conv.conversions == 0] == 0).all()


def test_experiment_pairs_identical_posts_in_two_slots_with_the_planted_lift(sample_dir, brand_posts, sample_truth):
    exp = pd.read_csv(sample_dir / "experiments.csv", dtype=str)
    ex = sample_truth["experiment"]
    assert exp.pair_id.value_counts().eq(2).all() and len(exp) == 2 * ex["pairs"]
    d = exp.merge(brand_posts, left_on="post_id", right_on="id")
    assert (d[d.arm == "A"].local_hour == int(ex["slot_a"][:2])).all()
    assert (d[d.arm == "B"].local_hour == int(ex["slot_b"][:2])).all()
    strip = d.assign(body=d.text.str.replace(r"https://t\.co/\w+", "", regex=True))
    assert strip.groupby("pair_id").body.nunique().eq(1).all()
    rates = d.assign(rate=d.engagements / d.impression_count).pivot(index="pair_id", columns="arm", values="rate")
    lift = np.exp(np.log(rates.B / rates.A).mean()) - 1
    assert lift > 0 and abs(np.log1p(lift) - np.log1p(ex["lift"])) < 0.3


# --- cascades, spam, complaints, listening -------------------------------------------------------------

def test_cascades_follow_the_graph_with_heavy_tailed_delays(tweets, sample_dir, sample_truth):
    parent = sample_truth["cascades"]["true_parent"]
    rts = tweets[tweets.text.str.startswith("RT @")].set_index("id")
    assert set(rts.index) == set(parent)
    created = pd.to_datetime(tweets.set_index("id").created_at, utc=True)
    src_of = rts.referenced_tweets.map(lambda r: r[0]["id"])
    for rid, pid in parent.items():
        assert created[pid] < created[rid]
        assert pid == src_of[rid] or src_of[pid] == src_of[rid]
    delay = np.array([(created[r] - created[p]).total_seconds() for r, p in parent.items()])
    assert np.median(delay) < 3600 and delay.max() > 86400
    # The standard reconstruction recovers most parents, not all.
    edges = pd.read_csv(sorted((sample_dir / "follows").glob("audience-*.csv"))[-1], dtype=str)
    follows = set(zip(edges.follower_id, edges.followee_id, strict=False))
    author = tweets.set_index("id").author_id
    right = 0
    for src, group in rts.assign(t=created[rts.index]).groupby(src_of):
        adopters = []  # (time, id, author) of earlier reposts
        for rid, row in group.sort_values("t").iterrows():
            cand = [a for a in adopters if (author[rid], a[2]) in follows]
            guess = max(cand)[1] if cand else src
            right += guess == parent[rid]
            adopters.append((row.t, rid, author[rid]))
    share = right / len(parent)
    assert 0.6 <= share < 1.0
    depth = {}
    for r in parent:
        d, x = 0, r
        while x in parent:
            x, d = parent[x], d + 1
        depth[r] = d
    sizes = Counter(src_of)
    assert max(depth.values()) >= 2 and max(sizes.values()) >= 5 and len(set(sizes.values())) >= 3


def test_broadcast_hits_come_from_high_follower_accounts(tweets, sample_truth, includes):
    accounts = sample_truth["accounts"]
    rts = tweets[tweets.text.str.startswith("RT @")]
    hubs = rts[rts.author_id.map(lambda a: accounts[a]["hub"])]
    assert len(hubs) >= 1
    assert all(includes["users"][a]["public_metrics"]["followers_count"] > 100_000 for a in hubs.author_id)
    src = set(hubs.referenced_tweets.map(lambda r: r[0]["id"]))
    broadcast = set(sample_truth["cascades"]["broadcast_posts"])
    assert len(src & broadcast) >= max(1, len(broadcast) // 2)


def test_spam_accounts_look_like_spam(sample_truth, snapshots, tweets, includes):
    acc = sample_truth["accounts"]
    spam = set(sample_truth["spam_accounts"])
    assert spam == {k for k, v in acc.items() if v["spam"]}
    farms = [u for u in list(snapshots.values())[-1] if acc[u["id"]]["spam_type"] == "follow_farm"]
    assert len(farms) >= 5
    for u in farms:
        pm = u["public_metrics"]
        assert 700 <= pm["followers_count"] <= 1300 and 1500 <= pm["following_count"] <= 2600
        assert pm["tweet_count"] == 0 and "default_profile" in u["profile_image_url"]
    linkers = tweets[tweets.author_id.map(lambda a: acc[a]["spam_type"] == "link_spam")]
    assert len(linkers) >= 4
    assert linkers.entities.map(lambda e: bool(e.get("urls"))).all()
    assert all(includes["users"][a]["public_metrics"]["tweet_count"] >= 2000 for a in set(linkers.author_id))


def test_a_week_with_a_burst_of_complaints(tweets, sample_truth):
    c = sample_truth["complaints"]
    byid = tweets.set_index("id")
    posts = c["posts"]
    assert [p["order"] for p in posts] == list(range(1, len(posts) + 1))
    authors = list(dict.fromkeys(p["author_id"] for p in posts))
    assert len(authors) >= 3
    assert c["escalation_post_id"] == next(p["post_id"] for p in posts if p["author_id"] == authors[1])
    weeks = {pd.Timestamp(p["created_at"]).tz_convert(sample_truth["brand"]["tz"]).isocalendar()[:2] for p in posts}
    assert len(weeks) == 1 and c["week"] == "{}-W{:02d}".format(*weeks.pop())
    addressed = [p for p in posts if p["addressed"]]
    tagged = [p for p in posts if not p["addressed"]]
    assert addressed and tagged
    for p in addressed:
        assert byid.loc[p["post_id"], "text"].startswith("@acmecustserv")
    for p in tagged:
        e = byid.loc[p["post_id"], "entities"]
        assert "acme" in [h["tag"].casefold() for h in e["hashtags"]] and not e.get("mentions")
    # Customer service answers some addressed complaints, minutes to hours later.
    cs = tweets[tweets.author_id == sample_truth["brand"]["custserv_account_id"]]
    answered = {r[0]["id"] for r in cs.referenced_tweets if isinstance(r, list)}
    assert answered & {p["post_id"] for p in addressed}
    assert all(r["delay_seconds"] > 0 for r in c["responses"])
    assert {r["complaint_post_id"] for r in c["responses"]} <= answered


def test_there_is_ordinary_chatter_about_the_brand(tweets, sample_truth):
    originals = tweets[tweets.referenced_tweets.isna() & (tweets.author_id != sample_truth["brand"]["account_id"])]
    mentions_acme = originals.entities.map(lambda e: any(m["username"] == "acme" for m in e.get("mentions", [])))
    assert mentions_acme.sum() >= 30
    assert originals.text.str.contains("?", regex=False).sum() >= 5
