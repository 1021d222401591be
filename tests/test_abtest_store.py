"""compare_store / experiments_summary / `roi ab` on a hand-made store and on the sample brand
(planted lift from truth.json), and notebook 05."""

import json
import math

import pandas as pd
import pytest

from roi.abtest import compare_store, experiments_summary
from roi.cli.main import main
from roi.errors import ParameterError
from roi.store import Store
from roi.tables import conform

NY = "America/New_York"


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory):
    """Six pairs of posts by @brand at 09:xx (A) and 18:xx (B) New York time, B engaging twice as
    often; one unrelated account's post at 18:30 that must not be compared."""
    rows, exp = [], []
    for i in range(6):
        day = f"2026-10-{5 + i:02d}"
        for arm, hour_utc, eng in (("A", 13, 10 + i), ("B", 22, 2 * (10 + i))):
            pid = f"{i}{arm}"
            rows.append({"platform": "x", "post_id": pid, "author_id": "1", "kind": "original",
                         "created_at": f"{day}T{hour_utc}:15:00Z", "text": "Same content", "hashtags": ["acme"],
                         "mentions": [], "urls": [], "impressions": 1000, "likes": eng, "reposts": 0,
                         "replies": 0, "quotes": 0, "link_clicks": 0})
            exp.append({"experiment_id": "timing-1", "arm": arm, "post_id": pid, "pair_id": f"p{i}"})
    rows.append({"platform": "x", "post_id": "other", "author_id": "2", "kind": "original",
                 "created_at": "2026-10-05T22:30:00Z", "text": "x", "hashtags": [], "mentions": [], "urls": [],
                 "impressions": 50, "likes": 40})
    path = tmp_path_factory.mktemp("ab") / "store"
    Store(path, create=True).write({
        "posts": conform("posts", pd.DataFrame(rows)),
        "accounts": conform("accounts", {"platform": ["x", "x"], "account_id": ["1", "2"],
                                         "handle": ["Brand", "someone"]}),
        "experiments": conform("experiments", pd.DataFrame(exp)),
    })
    return path


@pytest.fixture(scope="module")
def tiny_ds(tiny_store):
    import roi

    return roi.load(tiny_store)


def test_experiment_from_a_store(tiny_ds):
    r = compare_store(tiny_ds, experiment="timing-1", tz=NY, min_posts=3, seed=0)
    assert r.design == "paired"
    assert r.arms["posts"].tolist() == [6, 6]
    assert r.arms["engagements"].tolist() == [75, 150]
    assert r.lift["mantel_haenszel"] == pytest.approx(1.0)  # equal impressions: MH ratio = 150 / 75
    d = [math.log((2 * (10 + i) + 0.5) / (10 + i + 0.5)) for i in range(6)]
    assert r.lift["estimate"] == pytest.approx(math.expm1(sum(d) / 6))
    assert r.arms["slot"].tolist() == ["09:00-10:00", "18:00-19:00"]
    assert r.winner == "B" and "post at B (18:00-19:00)" in r.verdict


def test_ad_hoc_slots_use_only_the_accounts_posts(tiny_ds):
    r = compare_store(tiny_ds, slot_a="09:00-10:00", slot_b="18:00-19:00", account="@brand", tz=NY,
                      min_posts=3, seed=0)
    assert r.design == "unpaired" and r.arms["posts"].tolist() == [6, 6]
    assert any(w.startswith("ad hoc comparison") for w in r.warnings)


@pytest.mark.parametrize("kwargs, fragment", [
    ({}, "either an experiment id"),
    ({"experiment": "timing-1", "slot_a": "09:00-10:00", "slot_b": "18:00-19:00"}, "not both"),
    ({"experiment": "nope"}, "known: timing-1"),
    ({"slot_a": "09:00-10:00", "slot_b": "18:00-19:00", "tz": NY}, "needs account="),
    ({"slot_a": "09:00-10:00", "slot_b": "18:00-19:00", "account": "brand"}, "needs tz="),
    ({"slot_a": "09:00-10:00", "slot_b": "09:30-10:30", "account": "brand", "tz": NY}, "overlap"),
    ({"experiment": "timing-1", "account": "ghost"}, "not found"),
])
def test_store_errors(tiny_ds, kwargs, fragment):
    with pytest.raises(ParameterError, match=fragment):
        compare_store(tiny_ds, **kwargs)


def test_analyses_take_a_dataset_not_a_path(tiny_store):
    """Issue 23: an analysis never reads a store itself; the caller loads it."""
    for function in (compare_store, experiments_summary):
        with pytest.raises(ParameterError, match="roi.load"):
            function(str(tiny_store), experiment="timing-1") if function is compare_store else function(tiny_store)


def test_cli_json_shape(tiny_store, capsys):
    assert main(["ab", "--store", str(tiny_store), "--experiment", "timing-1", "--tz", NY,
                 "--min-posts", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["arms"]) == {"A", "B"}
    assert {"posts", "impressions", "events", "rate"} <= set(out["arms"]["A"])
    assert set(out["lift"]) >= {"estimate", "ci_low", "ci_high"}
    assert {"p_value", "prob_b_better", "verdict", "warnings", "glm", "paired", "bayes"} <= set(out)
    assert out["arms"]["B"]["events"] == 150 and out["winner"] == "B"


def test_cli_bad_slot_is_one_line_exit_2(tiny_store, capsys):
    code = main(["ab", "--store", str(tiny_store), "--account", "brand", "--tz", NY, "--a", "9am", "--b", "18:00-19:00"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "slot '9am'" in err


def test_cli_plan_json_and_schedule_csv(tmp_path, capsys):
    out_csv = tmp_path / "schedule.csv"
    assert main(["ab", "plan", "--baseline-rate", "0.03", "--min-lift", "0.3", "--start", "2026-11-02",
                 "--slot-a", "09:00-10:00", "--slot-b", "18:00-19:00", "--tz", NY, "--seed", "3",
                 "--out", str(out_csv), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["pairs"] >= 2 and len(out["schedule"]) == 2 * out["pairs"]
    csv = pd.read_csv(out_csv, dtype=str)
    assert {"experiment_id", "arm", "pair_id", "post_id"} <= set(csv.columns)
    assert main(["ab", "plan", "--baseline-rate", "0.03"]) == 2


def test_cli_list(tiny_store, capsys):
    assert main(["ab", "list", "--store", str(tiny_store), "--min-posts", "3", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)["experiments"]
    assert [r["experiment_id"] for r in rows] == ["timing-1"] and rows[0]["winner"] == "B"


# --------------------------------------------------------------------------- the sample brand
def test_sample_planted_lift_detected_and_covered(sample_ds, sample_truth):
    planted = sample_truth["experiment"]
    r = compare_store(sample_ds, experiment=planted["experiment_id"], tz=sample_truth["brand"]["tz"],
                      metric=planted["metric"], seed=0)
    assert r.design == "paired"
    assert r.lift["estimate"] > 0 and r.lift["ci_low"] < planted["lift"] < r.lift["ci_high"]
    assert r.glm["ci_low"] < 1 + planted["lift"] < r.glm["ci_high"]
    assert r.arms["slot"].tolist() == [planted["slot_a"], planted["slot_b"]]
    assert r.prob_b_better > 0.5


def test_sample_ad_hoc_slots_have_the_planted_sign(sample_ds, sample_truth):
    hour_rr = sample_truth["engagement"]["hour_rr"]
    r = compare_store(sample_ds, slot_a="09:00-10:00", slot_b="18:00-19:00", account="acme",
                      tz=sample_truth["brand"]["tz"], seed=0, n_boot=1000, n_perm=1000)
    planted = hour_rr["18"] / hour_rr["9"] - 1
    assert r.lift["estimate"] > 0 and r.lift["ci_low"] < planted < r.lift["ci_high"]


def test_sample_experiments_summary(sample_ds, sample_truth):
    table = experiments_summary(sample_ds, account="acme", tz=sample_truth["brand"]["tz"], seed=0)
    assert table["experiment_id"].tolist() == [sample_truth["experiment"]["experiment_id"]]
    assert table["lift"].iloc[0] > 0 and table["verdict"].iloc[0]


def test_notebook_renders_on_the_sample(sample_store, sample_truth, tmp_path):
    import nbformat
    from conftest import run_notebook

    out = run_notebook("05-ab-timing.ipynb", tmp_path, store=str(sample_store), account="acme",
                       tz=sample_truth["brand"]["tz"])
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(str(o.get("text", "")) + json.dumps(o.get("data", {}))
                     for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert sample_truth["experiment"]["experiment_id"] in text
    assert "beats" in text or "evidence" in text
    # the methods table names each method as roi computed it: the lift's interval is a t interval on log rates
    assert "lift (bootstrap)" not in text and "t interval" in text


def test_cli_text_names_the_followers_proxy_and_prints_percentages(tmp_path, capsys):
    """Posts without impressions, measured per follower: the arms table says "followers (proxy)",
    rates are percentages, and no column code (engagement_rate, small, followers_proxy) is printed."""
    import json as _json

    from roi.cli.main import main
    from roi.io import ingest

    data = tmp_path / "archive"
    data.mkdir()
    ytd = lambda name, entries: f"window.YTD.{name}.part0 = " + _json.dumps(entries)  # noqa: E731
    (data / "account.js").write_text(ytd("account", [{"account": {"accountId": "42", "username": "acme"}}]))
    tweets = [{"tweet": {"id_str": str(i), "full_text": f"post {i}", "favorite_count": str(i % 4),
                         "retweet_count": "0", "created_at": f"Tue Jan {3 + i % 20:02d} {10 if i % 2 else 19}:00:00 +0000 2017"}}
              for i in range(40)]
    (data / "tweets.js").write_text(ytd("tweets", tweets))
    (data / "follower.js").write_text(ytd("follower", [{"follower": {"accountId": str(k)}} for k in range(50)]))
    ingest([data], tmp_path / "store")
    assert main(["ab", "--store", str(tmp_path / "store"), "--account", "acme", "--tz", "UTC",
                 "--a", "09:00-12:00", "--b", "18:00-21:00"]) == 0
    out = capsys.readouterr().out
    assert "followers (proxy)" in out and "per follower of the author" in out and "%" in out
    for code in ("engagement_rate", "followers_proxy", " small", "a known engagements"):
        assert code not in out.split("warning:")[0], code
