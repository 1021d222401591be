"""Rebuild roi's default complaint detector from the development labels (run by hand, not at run time).

    python -m roi.listening._build_default_model [data/labels/complaints-dev.csv]

Fits a logistic regression over the readable features only (no n-grams: every weight has a
name a person can read), picks the probability threshold that gives the best F1 on the
development labels with precision at least 0.7, and writes
``roi/listening/data/complaint_model.json``. The evaluation labels
(``data/labels/complaints-eval.csv``) are never read here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from roi.listening.detector import model_from_dict, save_model, score_texts
from roi.listening.learn import confusion_figures, read_labels, train_model

_HERE = Path(__file__).resolve().parent
_REPO = _HERE.parent.parent


def build(labels_path: Path) -> dict:
    labels = read_labels(labels_path)
    texts, y, langs = labels["text"].tolist(), labels["label"].to_numpy(), labels["lang"].tolist()
    model = train_model(texts, y, ngrams=False, C=0.5, langs=langs,
                        description=f"default detector: readable features only, fitted on {labels_path.name}")
    s = score_texts(texts, model=model, langs=langs)
    ok = s["scored"].to_numpy(dtype=bool)
    prob = s["probability"].to_numpy()[ok]
    gate = (s["rule"] == "model").to_numpy()[ok]
    best = (0.5, -1.0)
    for t in np.arange(0.30, 0.80, 0.01):
        r = confusion_figures(y[ok], gate & (prob >= t))
        if r["precision"] >= 0.7 and r["f1"] > best[1]:
            best = (round(float(t), 2), r["f1"])
    doc = model.to_dict()
    doc["threshold"] = best[0]
    doc["trained"]["threshold_rule"] = "best F1 on the development labels with precision >= 0.7"
    return doc


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else _REPO / "data" / "labels" / "complaints-dev.csv"
    doc = build(path)
    out = save_model(model_from_dict(doc, source="built"), _HERE / "data" / "complaint_model.json")
    print(f"wrote {out} (threshold {doc['threshold']})")
