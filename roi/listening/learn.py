"""Learning the complaint detector from a team's labels, and measuring any detector on labels.

The triage queue's CSV export has a ``label`` column; once a team fills it in (1 = complaint,
0 = not), last week's queue is training data. :func:`train_model` fits a logistic regression
(scikit-learn, ``liblinear``, balanced class weights) on the readable features of
:mod:`roi.listening.features` plus hashed word n-grams (1-2) and character n-grams (2-5, within
words) of the normalised text (:func:`roi.listening.features.normalise_for_ngrams`); hashing
means no vocabulary has to be stored, so the model is a short list of numbers saved as JSON
(:func:`roi.listening.detector.save_model`). :func:`cross_validate` gives stratified K-fold
precision, recall and F1 with their spread; :func:`evaluate` scores labelled posts with any
model and returns the confusion counts.

Posts the English features cannot read are left out of training and of the figures, and
counted as ``not_scored``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from roi.errors import InputError, ParameterError
from roi.listening.detector import ComplaintModel, model_from_dict, ngram_matrix, score_texts
from roi.listening.features import FEATURES, feature_matrix, readable_english

__all__ = ["read_labels", "train_model", "cross_validate", "evaluate", "confusion_figures"]

_TRUE = {"1", "1.0", "true", "yes", "y", "complaint"}
_FALSE = {"0", "0.0", "false", "no", "n", "not", "not a complaint"}


def read_labels(path: str | Path) -> pd.DataFrame:
    """Read a labelled CSV: ``text`` and ``label`` (1 = complaint, 0 = not); other columns kept.

    Rows whose label is empty are skipped (a queue export not yet labelled); ``lang`` is used
    when present.

    Raises
    ------
    InputError
        Missing file or columns, a label that is not 0/1 (naming the line), no labelled row.
    """
    p = Path(path)
    try:
        with p.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            fields = [f.strip() for f in (reader.fieldnames or [])]
            missing = [c for c in ("text", "label") if c not in fields]
            if missing:
                raise InputError(f"{p}: missing column(s) {', '.join(missing)}; expected a CSV with text,label "
                                 f"(found {', '.join(fields[:6]) or 'no header'})")
            rows = []
            for row in reader:
                row = {(k or "").strip(): v for k, v in row.items()}
                raw = (row.get("label") or "").strip().casefold()
                if raw == "":
                    continue
                if raw in _TRUE:
                    label = 1
                elif raw in _FALSE:
                    label = 0
                else:
                    raise InputError(f"{p}: line {reader.line_num}: label {row.get('label')!r:.30} is not 1 "
                                     f"(complaint) or 0 (not)")
                rows.append({"text": row.get("text") or "", "label": label,
                             "lang": (row.get("lang") or "").strip() or None})
    except FileNotFoundError:
        raise InputError(f"{p}: no such file") from None
    except UnicodeDecodeError:
        raise InputError(f"{p}: not UTF-8 text; save the CSV as UTF-8") from None
    except csv.Error as exc:
        raise InputError(f"{p}: not a readable CSV ({exc})") from None
    if not rows:
        raise InputError(f"{p}: no labelled rows (fill the label column with 1 for a complaint, 0 for not)")
    return pd.DataFrame(rows).astype({"text": "string", "label": "int64", "lang": "string"})


def _design(texts: Sequence[str], ngrams: dict[str, Any] | None, handles=()):
    from scipy import sparse

    X, _ = feature_matrix(texts, handles=handles)
    if ngrams is None:
        return sparse.csr_matrix(X)
    return sparse.hstack([sparse.csr_matrix(X), ngram_matrix(texts, ngrams)]).tocsr()


def train_model(
    texts: Sequence[str],
    labels: Sequence[int],
    *,
    ngrams: bool = True,
    n_features: int = 2**18,
    C: float = 1.0,
    threshold: float = 0.5,
    langs: Sequence[object] | None = None,
    description: str = "",
) -> ComplaintModel:
    """Fit a logistic-regression complaint model on labelled texts.

    Parameters
    ----------
    texts : sequence of str
        The labelled posts' texts.
    labels : sequence of int
        1 = complaint, 0 = not; both must occur among the readable texts.
    ngrams : bool, default True
        Add hashed word (1-2) and character (2-5) n-grams to the readable features.
    n_features : int, default 2**18
        Hash buckets per n-gram kind.
    C : float, default 1.0
        Inverse regularisation strength.
    threshold : float, default 0.5
        Probability at which a post is a complaint.
    langs : sequence, optional
        Language codes; unreadable texts are left out.
    description : str
        Stored in the model's ``trained`` block.

    Returns
    -------
    ComplaintModel
        Already in the JSON representation: what is saved is exactly what scores.

    Examples
    --------
    >>> texts = ["@a my order is late again", "@a thanks, lovely service", "@a parcel lost, no reply",
    ...          "@a do you open sunday?", "@a refund still missing after 2 weeks", "@a great staff"] * 3
    >>> m = train_model(texts, [1, 0, 1, 0, 1, 0] * 3, ngrams=False)
    >>> score_texts(["@a my parcel is late"], model=m).is_complaint.tolist()
    [True]
    """
    from sklearn.linear_model import LogisticRegression

    texts = ["" if t is None or t is pd.NA else str(t) for t in texts]
    y = np.asarray(labels, dtype=int)
    if len(texts) != len(y):
        raise ParameterError(f"texts ({len(texts)}) and labels ({len(y)}) differ in length")
    if not set(np.unique(y)) <= {0, 1}:
        raise ParameterError("labels: expected 1 (complaint) or 0 (not)")
    keep = readable_english(texts, langs)
    texts = [t for t, k in zip(texts, keep, strict=True) if k]
    y = y[keep]
    if len(set(y.tolist())) < 2 or min(np.bincount(y, minlength=2)) < 2:
        raise ParameterError("labels: need at least two complaints and two non-complaints among readable posts")
    if not (isinstance(n_features, int) and 2**8 <= n_features <= 2**22):
        raise ParameterError(f"n_features={n_features!r}: expected an integer between 256 and 4194304")
    settings = ({"n_features": int(n_features), "word_ngram_range": [1, 2], "char_ngram_range": [2, 5]}
                if ngrams else None)
    X = _design(texts, settings)
    k = len(FEATURES)
    # Fit on the columns that occur (a few thousand of the 2 x 2**18 hash buckets): the same
    # solution, without a solver sweeping over empty columns.
    used = np.union1d(np.arange(k), np.unique(X.indices))
    clf = LogisticRegression(C=float(C), solver="liblinear", class_weight="balanced", max_iter=1000)
    clf.fit(X[:, used], y)
    coef = np.zeros(X.shape[1])
    coef[used] = clf.coef_.ravel()
    doc: dict[str, Any] = {
        "format": "roi-complaint-model", "version": 1, "features": list(FEATURES),
        "feature_weights": [float(w) for w in coef[:k]], "intercept": float(clf.intercept_[0]),
        "threshold": float(threshold), "ngrams": None,
        "trained": {"examples": int(len(y)), "complaints": int(y.sum()), "not_scored": int((~keep).sum()),
                    "C": float(C), "description": description}}
    if settings is not None:
        rest = coef[k:]
        nz = np.flatnonzero(rest)
        doc["ngrams"] = {**settings, "indices": [int(i) for i in nz], "weights": [float(v) for v in rest[nz]]}
    return model_from_dict(doc, source="trained model")


def confusion_figures(labels: Sequence[int], predicted: Sequence[bool]) -> dict[str, Any]:
    """Precision, recall, F1 and the confusion counts (0/0 is reported as NaN, not 0).

    >>> confusion_figures([1, 1, 0, 0, 1], [True, False, True, False, True])
    {'precision': 0.6666666666666666, 'recall': 0.6666666666666666, 'f1': 0.6666666666666666, 'n': 5, 'tp': 2, 'fp': 1, 'fn': 1, 'tn': 1}
    """
    y = np.asarray(labels, dtype=int)
    p = np.asarray(predicted, dtype=bool)
    tp, fp = int(((y == 1) & p).sum()), int(((y == 0) & p).sum())
    fn, tn = int(((y == 1) & ~p).sum()), int(((y == 0) & ~p).sum())
    precision = tp / (tp + fp) if tp + fp else math.nan
    recall = tp / (tp + fn) if tp + fn else math.nan
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else math.nan
    return {"precision": precision, "recall": recall, "f1": f1, "n": int(len(y)), "tp": tp, "fp": fp, "fn": fn,
            "tn": tn}


def evaluate(
    texts: Sequence[str],
    labels: Sequence[int],
    *,
    model: ComplaintModel | None = None,
    langs: Sequence[object] | None = None,
) -> dict[str, Any]:
    """How a detector does on labelled posts.

    Returns
    -------
    dict
        :func:`confusion_figures` over the scored posts, plus ``not_scored`` (posts the English
        features cannot read, left out of every figure) and ``complaints`` (labelled 1, scored).

    Examples
    --------
    >>> r = evaluate(["@acme my order is two weeks late", "@acme love it", "Paket kaputt, seit Montag"],
    ...              [1, 0, 1], langs=[None, None, "de"])
    >>> r["tp"], r["tn"], r["not_scored"], r["n"]
    (1, 1, 1, 2)
    """
    texts = ["" if t is None or t is pd.NA else str(t) for t in texts]
    y = np.asarray(labels, dtype=int)
    s = score_texts(texts, model=model, langs=langs)
    scored = s["scored"].to_numpy(dtype=bool)
    out = confusion_figures(y[scored], s["is_complaint"].to_numpy(dtype=bool)[scored])
    out["complaints"] = int(y[scored].sum())
    out["not_scored"] = int((~scored).sum())
    return out


def cross_validate(
    texts: Sequence[str],
    labels: Sequence[int],
    *,
    k: int = 5,
    seed: int = 0,
    langs: Sequence[object] | None = None,
    **train_options: Any,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Stratified K-fold cross-validation of :func:`train_model`.

    Returns
    -------
    (dict, DataFrame)
        The mean of each figure over the folds with its standard deviation (``f1``,
        ``f1_std``, ...; ``folds``, ``not_scored``), and one row per fold.

    Raises
    ------
    ParameterError
        ``k`` below 2 or above the smaller class.
    """
    from sklearn.model_selection import StratifiedKFold

    texts = ["" if t is None or t is pd.NA else str(t) for t in texts]
    y = np.asarray(labels, dtype=int)
    keep = readable_english(texts, langs)
    idx = np.flatnonzero(keep)
    yk = y[keep]
    smaller = int(min(np.bincount(yk, minlength=2))) if len(yk) else 0
    if not isinstance(k, int) or k < 2 or k > smaller:
        raise ParameterError(f"cv={k!r}: expected an integer from 2 to {smaller} (the smaller class's size)")
    folds = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    rows = []
    for fold, (tr, te) in enumerate(folds.split(idx, yk), start=1):
        model = train_model([texts[i] for i in idx[tr]], yk[tr], **train_options)
        r = evaluate([texts[i] for i in idx[te]], yk[te], model=model)
        rows.append({"fold": fold, **{key: r[key] for key in ("precision", "recall", "f1", "n", "tp", "fp", "fn",
                                                               "tn")}})
    table = pd.DataFrame(rows)
    summary: dict[str, Any] = {"folds": k}
    for key in ("precision", "recall", "f1", "n", "tp", "fp", "fn", "tn"):
        values = table[key].astype(float)
        summary[key] = float(values.mean())
        summary[f"{key}_std"] = float(values.std(ddof=1))
    summary["not_scored"] = int((~keep).sum())
    return summary, table
