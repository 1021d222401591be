"""The complaint detector, its JSON models, training and evaluation (issue 21), on hand-written posts."""

from __future__ import annotations

import csv
import json
import re

import numpy as np
import pandas as pd
import pytest

from roi.cli.main import main
from roi.errors import InputError
from roi.listening import (
    FEATURES,
    STOP_WORDS,
    complaint_topics,
    default_model,
    evaluate,
    find_complaints,
    load_model,
    model_weights,
    save_model,
    score_texts,
    train_model,
)
from roi.listening.detector import model_from_dict
from roi.tables import conform

# Hand-written complaints, each with a reason it must give (the words behind a feature).
COMPLAINTS = [
    ("@acme your delivery service is a disgrace, two weeks late", "waiting time 'two weeks'"),
    ("@acme still waiting for my refund since Monday", "waiting time"),
    ("@acme why is my order not here yet?", "blame question 'why is'"),
    ("@acme where is my parcel?? ordered 10 days ago", "their own 'my parcel'"),
    ("@acme the app has been down all morning and I can't log in", "failure word"),
    ("@acme no reply to my emails for 3 weeks", "complaint phrase 'no reply'"),
    ("@acme wtf, charged twice for one order 😡", "complaint phrase 'charged twice'"),
    ("Thanks @acme for losing my luggage AGAIN", "sarcasm"),
    ("so's mine, the X2 blender lid split after a week #acme", "me too 'so's mine'"),
    ("my X2 blender lid cracked #acme", "failure word 'cracked'"),
]
NOT_COMPLAINTS = [
    ("@acme thanks, my parcel arrived a day early!", "praise"),
    ("@acme do you deliver on Sundays?", "a question without complaint evidence"),
    ("@acme love the new kettle, best purchase this year", "positive words"),
    ("Happy Friday everyone!", "positive words"),
    ("@acme never had a single problem with my broadband, top service", "positive words"),
    ("RT @acme: Our new X2 blender is here", "repeats another account's post"),
    ("Police say two people were injured near the station, reports @acme", "news wording 'police'"),
    ("Customer for life. @acme replaced my kettle, no questions asked", ""),
]


@pytest.mark.parametrize("text, reason", COMPLAINTS)
def test_hand_written_complaints_are_flagged_with_their_reasons(text, reason):
    s = score_texts([text], handles=["acme"])
    assert bool(s.is_complaint[0]), (text, s.probability[0], s.reasons[0])
    assert any(r.startswith(reason) for r in s.reasons[0]), s.reasons[0]
    assert s.probability[0] >= default_model().threshold and bool(s.evidence[0])


@pytest.mark.parametrize("text, reason", NOT_COMPLAINTS)
def test_hand_written_non_complaints_are_not_flagged_and_say_why(text, reason):
    s = score_texts([text], handles=["acme"])
    assert not bool(s.is_complaint[0]), (text, s.probability[0], s.reasons[0])
    assert s.reasons[0] and any(r.startswith(reason) for r in s.reasons[0]), s.reasons[0]


def test_other_languages_are_not_scored_and_counted():
    texts = ["@acme mein Paket ist seit zwei Wochen nicht angekommen", "@acme 注文した商品がまだ届きません",
             "@acme my parcel is two weeks late"]
    s = score_texts(texts)
    assert s.scored.tolist() == [False, False, True] and s.rule.tolist()[:2] == ["not scored"] * 2
    assert not s.is_complaint[:2].any() and s.probability[:2].isna().all()
    assert evaluate(texts, [1, 1, 1])["not_scored"] == 2
    # The platform's language code wins when it is known.
    assert score_texts(["kaputt"], langs=["de"]).reasons[0] == ["not scored: language 'de' is not English"]


def test_default_weights_are_named_and_shipped_as_data():
    m = default_model()
    assert m.ngrams is None and set(m.features) == set(FEATURES)
    w = model_weights(m).set_index("feature")["weight"]
    # The directions a person would expect: failure and waiting push up, praise and news push down.
    assert w["failure"] > 0 and w["waiting"] > 0 and w["praise"] < 0 and w["news"] < 0
    assert w["plain_question"] < 0 and w["positive_sentiment"] < 0


# --- quoting the brand, topics ------------------------------------------------------------------

T0 = pd.Timestamp("2026-10-05T09:00Z")


def _posts(rows):
    n = len(rows)
    return conform("posts", {
        "platform": ["x"] * n, "post_id": [str(100 + i) for i in range(n)], "author_id": [r[0] for r in rows],
        "created_at": [T0 + pd.Timedelta(hours=i) for i in range(n)], "text": [r[1] for r in rows],
        "kind": [r[2] if len(r) > 2 else "original" for r in rows],
        "referenced_id": [r[3] if len(r) > 3 else None for r in rows],
        "mentions": [["bbcnews"] if "@bbcnews" in r[1].casefold() else [] for r in rows],
        "hashtags": [[] for _ in rows], "lang": ["en"] * n})


def test_quoting_the_brands_headline_is_not_a_complaint():
    headline = "Two people killed and dozens injured in Paris attack, police say https://t.co/abc"
    posts = _posts([
        ("bbc", headline),
        ("u1", "@BBCNews Two people killed and dozens injured in Paris attack, police say. Awful"),
        ("u2", "RT @BBCNews: Two people killed and dozens injured in Paris attack, police say"),
        ("u3", "Horrible. Two people killed and dozens injured in Paris attack @BBCNews", "quote", "100"),
        ("u4", "@BBCNews why is your live stream down again? been buffering for an hour"),
    ])
    c = find_complaints(posts, brand_ids=["bbc"], handles=["bbcnews"], include_all=True)
    by_id = c.set_index("post_id")
    assert not by_id.loc[["101", "102", "103"], "is_complaint"].any()
    assert (by_id.loc[["101", "102", "103"], "rule"] == "echo").all()
    assert bool(by_id.at["104", "is_complaint"]) and by_id.at["104", "topic"] == "live stream"


def test_stop_like_words_never_become_topics():
    c = pd.DataFrame({"post_id": list("12345"), "author_id": list("uvwxy"), "text": [
        "People in Paris say this is awful", "people say Paris is a disgrace", "Everyone says the same thing",
        "So many people in Paris, terrible day", "What people say about Paris is awful #paris"],
        "hashtags": [[], [], [], [], ["paris"]]})
    t = complaint_topics(c)
    assert t.topic.isna().all() and set(t.topic_rule) == {"none"}
    assert {"people", "say", "says", "everyone", "thing"} <= STOP_WORDS
    # A product noun next to them still makes a topic.
    c2 = c.assign(text=c.text + " and my train ticket was cancelled")
    assert set(complaint_topics(c2).topic) == {"train ticket"}


# --- trained models: JSON round trip, validation ------------------------------------------------

TRAIN = [(t, 1) for t, _ in COMPLAINTS] + [(t, 0) for t, _ in NOT_COMPLAINTS] + [
    ("@shop my order is late again", 1), ("@shop lovely staff, thank you", 0), ("@bank app crashed, can't pay", 1),
    ("@bank what are your opening hours?", 0), ("@rail train cancelled, no announcement", 1),
    ("@rail great journey today", 0)]


@pytest.fixture(scope="module")
def trained():
    texts, labels = zip(*TRAIN, strict=True)
    return train_model(list(texts), list(labels), n_features=2**12, description="test")


def test_trained_model_round_trips_through_json_and_scores_identically(trained, tmp_path):
    path = save_model(trained, tmp_path / "model.json")
    again = load_model(path)
    probe = [t for t, _ in TRAIN] + ["@acme my refund is three weeks late", "@acme cheers for the quick fix"]
    a, b = score_texts(probe, model=trained), score_texts(probe, model=again)
    assert np.array_equal(a.probability.to_numpy(), b.probability.to_numpy())
    assert a.is_complaint.tolist() == b.is_complaint.tolist() and a.reasons.tolist() == b.reasons.tolist()
    doc = json.loads(path.read_text())
    assert doc["format"] == "roi-complaint-model" and doc["ngrams"]["n_features"] == 2**12
    assert len(doc["ngrams"]["indices"]) == len(doc["ngrams"]["weights"]) > 0
    # On its own training posts the model is right (a sanity check, not a score).
    assert (a.is_complaint.to_numpy()[: len(TRAIN)] == np.array([y for _, y in TRAIN], dtype=bool)).mean() > 0.9


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d.pop("intercept"), "missing key(s) intercept"),
    (lambda d: d.update(payload="__import__('os')"), "unexpected key(s) payload"),
    (lambda d: d.update(format="sklearn-pickle"), "format is 'sklearn-pickle'"),
    (lambda d: d["features"].__setitem__(0, "eval"), "unknown feature 'eval'"),
    (lambda d: d["feature_weights"].__setitem__(0, "1e999"), "finite number"),
    (lambda d: d.update(threshold=1.5), "threshold"),
    (lambda d: d["ngrams"].update(n_features=3), "n_features"),
    (lambda d: d["ngrams"]["indices"].append(10**9), "indices"),
])
def test_a_model_file_with_unexpected_content_is_refused(trained, tmp_path, mutate, message):
    doc = trained.to_dict()
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match=re.escape(message)) as info:
        load_model(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)


def test_a_pickle_or_broken_file_is_refused_in_one_line(tmp_path, capsys):
    import pickle

    pkl = tmp_path / "model.json"
    pkl.write_bytes(pickle.dumps({"format": "roi-complaint-model"}))
    with pytest.raises(InputError, match="never pickle"):
        load_model(pkl)
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ')
    labels = tmp_path / "l.csv"
    labels.write_text("text,label\n@a late again,1\n@a thanks,0\n")
    assert main(["listen", "evaluate", "--labels", str(labels), "--model", str(broken)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "invalid JSON at line 1" in err
    with pytest.raises(InputError):
        model_from_dict([1, 2, 3])


# --- the commands -------------------------------------------------------------------------------

def _labels_csv(path, rows):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text", "label", "note"])
        for i, (text, label) in enumerate(rows):
            w.writerow([i, text, label, "extra column, ignored"])
    return path


def test_evaluate_prints_the_confusion_counts(tmp_path, capsys):
    path = _labels_csv(tmp_path / "labels.csv", TRAIN + [("", "")])
    assert main(["listen", "evaluate", "--labels", str(path), "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    assert set(r) >= {"precision", "recall", "f1", "n", "tp", "fp", "fn", "tn", "not_scored"}
    assert r["n"] == len(TRAIN) == r["tp"] + r["fp"] + r["fn"] + r["tn"]
    assert r["precision"] == pytest.approx(r["tp"] / (r["tp"] + r["fp"]))
    assert main(["listen", "evaluate", "--labels", str(path)]) == 0
    assert "precision" in capsys.readouterr().out


def test_train_with_cv_reports_spread_and_writes_a_loadable_model(tmp_path, capsys):
    path = _labels_csv(tmp_path / "labels.csv", TRAIN * 2)
    out = tmp_path / "model.json"
    assert main(["listen", "train", "--labels", str(path), "--out", str(out), "--cv", "3", "--json"]) == 0
    r = json.loads(capsys.readouterr().out)
    for key in ("precision", "recall", "f1", "n", "tp", "fp", "fn", "tn"):
        assert key in r and f"{key}_std" in r
    assert r["folds"] == 3 and 0 <= r["f1"] <= 1
    assert load_model(out).ngrams is not None
    assert main(["listen", "evaluate", "--labels", str(path), "--model", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == 2 * len(TRAIN)


@pytest.mark.parametrize("content, message", [
    ("words,label\nx,1\n", "missing column(s) text"),
    ("text,label\nx,maybe\n", "line 2: label 'maybe'"),
    ("text,label\nx,\n", "no labelled rows"),
])
def test_bad_label_files_are_one_line_errors(tmp_path, capsys, content, message):
    path = tmp_path / "labels.csv"
    path.write_text(content)
    assert main(["listen", "evaluate", "--labels", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_train_refuses_too_few_labels_and_bad_cv(tmp_path, capsys):
    path = _labels_csv(tmp_path / "labels.csv", TRAIN)
    assert main(["listen", "train", "--labels", str(path), "--out", str(tmp_path / "m.json"), "--cv", "50"]) == 2
    assert "--cv 50" in capsys.readouterr().err
    assert main(["listen", "train", "--labels", str(path), "--out", str(tmp_path / "m.pkl")]) == 2
    assert ".json" in capsys.readouterr().err


def test_the_queue_export_has_a_label_column_to_fill_in(sample_store, tmp_path, capsys):
    out = tmp_path / "queue.csv"
    assert main(["listen", "--store", str(sample_store), "--handles", "acme,acmecustserv", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    queue = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert "label" in queue.columns and (queue["label"] == "").all() and len(queue)
    assert {"text", "reasons", "action", "post_id"} <= set(queue.columns)
    assert f"Wrote {len(queue)} row(s)" in printed and "not scored" in printed
    # The filled-in export is training data as it is.
    filled = queue.assign(label=["1"] * (len(queue) - 2) + ["0", "0"])
    filled.to_csv(out, index=False)
    assert main(["listen", "evaluate", "--labels", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n"] == len(queue)


def test_the_terminal_table_shows_the_complaint_text(sample_store, capsys):
    assert main(["listen", "--store", str(sample_store), "--handles", "acme,acmecustserv", "--limit", "5"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert any(line.strip().startswith("\u201c") for line in out)  # the complaint's own words
    assert any(line.strip().startswith("why: ") for line in out) and any("do: " in line for line in out)
    assert max(len(line) for line in out) <= 160
    assert out[-1].startswith("... and ") and "more" in out[-1]


def test_the_terminal_table_with_authors_without_profiles(tmp_path, capsys):
    # Authors with no account row (followers unknown) and a reply to a missing parent: no NA in an `if`.
    import roi.io

    posts = tmp_path / "posts.csv"
    posts.write_text("post_id,author,created_at,text,in_reply_to\n"
                     "1,ghost,2026-10-05T10:00:00Z,@acme my parcel is two weeks late,999\n"
                     "2,ghost2,2026-10-05T11:00:00Z,@acme still no refund for my order,\n")
    store = tmp_path / "store"
    roi.io.ingest([posts], store)
    assert main(["listen", "--store", str(store), "--handles", "acme"]) == 0
    out = capsys.readouterr().out
    assert "two weeks late" in out and "@acme has no profile" in out


def test_the_terminal_table_never_cuts_a_follower_count_and_speaks_in_words():
    """A long handle with a big audience: the count is printed whole (the handle is shortened), and
    the actions read as words (reply in public), not codes (reply_public)."""
    from roi.cli.listen import _ACTION_WORDS, _compact

    queue = pd.DataFrame({
        "author": ["averyveryverylonghandle"], "author_id": ["1"], "author_followers": [219373],
        "created_at": [pd.Timestamp("2021-09-21T20:19Z")], "action": ["reply_public"], "topic": [None],
        "text": ["broken again"], "reasons": [["failure word 'broken'"]], "reason": ["influential"]})
    line = _compact(queue, width=110, limit=5)[2]
    assert "(219,373)" in line and "@averyvery" in line and "2021-09-21" in line
    assert "reply in public" in line and "reply_public" not in line and "(no topic)" not in line
    assert set(_ACTION_WORDS) == {"escalate", "take_private", "reply_public", "monitor"}
