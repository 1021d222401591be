"""The complaint detector: a linear model over readable features, stored as plain JSON.

A post's score is ``logit = intercept + sum(weight_f * value_f)`` over the features of
:mod:`roi.listening.features` (plus, for a model trained on a team's labels, hashed word and
character n-grams); ``probability = 1 / (1 + exp(-logit))`` and the post is a complaint when the
probability reaches the model's ``threshold``. The features with the largest positive
contributions are the post's **reasons** ("waiting time 'two weeks'", "failure word 'late'").

Three rules come before the model, because no weight should overturn them:

* **not scored**: a post the English patterns cannot read (:func:`roi.listening.features.readable_english`)
  is neither a complaint nor a non-complaint; it is counted as *not scored*;
* **an echo**: a repost (``RT @...``) or a quotation of another account's post ("“@bbc: ...”")
  repeats someone else's words, so it is not the author's complaint;
* **news**: news wording about events ("police say", "reports", "minister") with no first-person
  word (I, my, we, our, me, us) is the brand as a news source, not a customer's experience.

The default model ships with roi as data (``roi/listening/data/complaint_model.json``, built by
``python -m roi.listening._build_default_model`` from the labelled set in ``data/labels``) and
is never trained at run time. A model file is JSON and is validated on load: unknown keys,
unknown features, non-finite numbers or out-of-range settings are refused with one line naming
the file (:class:`roi.errors.InputError`). A model file is data; it cannot run code.
"""

from __future__ import annotations

import importlib.resources
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from roi.errors import InputError
from roi.listening.features import (
    FEATURE_LABELS,
    FEATURES,
    feature_matrix,
    normalise_for_ngrams,
    readable_english,
)

__all__ = ["ComplaintModel", "default_model", "load_model", "save_model", "model_from_dict", "score_texts",
           "model_weights", "MODEL_FORMAT", "EVIDENCE_FEATURES"]

#: The ``format`` value of every model file.
MODEL_FORMAT = "roi-complaint-model"
_VERSION = 1
_KEYS = {"format", "version", "features", "feature_weights", "intercept", "threshold", "ngrams", "trained"}
_NGRAM_KEYS = {"n_features", "word_ngram_range", "char_ngram_range", "indices", "weights"}
_MAX_BYTES = 200 * 2**20

#: Features that are evidence of a complaint by themselves (not only tone): a topic escalates only
#: on complaints that carry one of them.
EVIDENCE_FEATURES = ("failure", "waiting", "persistence", "complaint_phrase", "pile_on", "blame_question",
                     "profanity", "anger_emoji", "sarcasm")

_ECHO_RE = re.compile(r"^\s*(?:RT\s+[@\uff20]\w+|[\"“']\s*[@\uff20]\w+\s*:)", re.IGNORECASE)
_FIRST_PERSON_RE = re.compile(r"\b(?:i|i'm|im|i've|i'd|i'll|me|my|mine|we|we're|we've|our|ours|us)\b")


@dataclass(frozen=True)
class ComplaintModel:
    """A linear complaint model: weights of named features, optional hashed n-grams, a threshold.

    Build one with :func:`model_from_dict`, :func:`load_model`, :func:`default_model` or
    :func:`roi.listening.learn.train_model`; :meth:`to_dict` gives the JSON document.
    """

    features: tuple[str, ...]
    feature_weights: tuple[float, ...]
    intercept: float
    threshold: float = 0.5
    ngrams: dict[str, Any] | None = None
    trained: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the model as a JSON-ready dict (the format :func:`model_from_dict` reads)."""
        return {"format": MODEL_FORMAT, "version": _VERSION, "features": list(self.features),
                "feature_weights": [float(w) for w in self.feature_weights], "intercept": float(self.intercept),
                "threshold": float(self.threshold),
                "ngrams": None if self.ngrams is None else {
                    "n_features": int(self.ngrams["n_features"]),
                    "word_ngram_range": list(self.ngrams["word_ngram_range"]),
                    "char_ngram_range": list(self.ngrams["char_ngram_range"]),
                    "indices": [int(i) for i in self.ngrams["indices"]],
                    "weights": [float(w) for w in self.ngrams["weights"]]},
                "trained": dict(self.trained)}


def _bad(source: str, what: str) -> InputError:
    return InputError(f"{source}: not a usable roi complaint model: {what}")


def _number(value: Any, source: str, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise _bad(source, f"{name} must be a finite number, got {value!r:.40}")
    return float(value)


def _range(value: Any, source: str, name: str, lo: int, hi: int) -> tuple[int, int]:
    if (not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool)
                                                                  for v in value)
            or not lo <= value[0] <= value[1] <= hi):
        raise _bad(source, f"ngrams.{name} must be [low, high] with {lo} <= low <= high <= {hi}")
    return int(value[0]), int(value[1])


def model_from_dict(document: Any, *, source: str = "model") -> ComplaintModel:
    """Validate a model document (parsed JSON) and build the model.

    Parameters
    ----------
    document : Any
        The parsed JSON.
    source : str
        Named in error messages (the file name).

    Returns
    -------
    ComplaintModel

    Raises
    ------
    InputError
        Anything unexpected: a missing or unknown key, another format or version, an unknown
        feature, a non-finite weight, a threshold outside (0, 1), n-gram settings out of range.

    Examples
    --------
    >>> m = model_from_dict({"format": "roi-complaint-model", "version": 1, "features": ["failure"],
    ...     "feature_weights": [2.0], "intercept": -1.0, "threshold": 0.5, "ngrams": None, "trained": {}})
    >>> m.feature_weights
    (2.0,)
    >>> model_from_dict({"format": "roi-complaint-model", "version": 1, "features": ["os.system"],
    ...     "feature_weights": [2.0], "intercept": -1.0, "threshold": 0.5, "ngrams": None, "trained": {}},
    ...     source="m.json")
    Traceback (most recent call last):
    roi.errors.InputError: m.json: not a usable roi complaint model: unknown feature 'os.system' (known: addressed, ...)
    """
    if not isinstance(document, dict):
        raise _bad(source, f"expected a JSON object, got {type(document).__name__}")
    missing = sorted(_KEYS - set(document))
    extra = sorted(set(document) - _KEYS)
    if missing or extra:
        raise _bad(source, "; ".join(([f"missing key(s) {', '.join(missing)}"] if missing else [])
                                     + ([f"unexpected key(s) {', '.join(map(str, extra))}"] if extra else [])))
    if document["format"] != MODEL_FORMAT:
        raise _bad(source, f"format is {document['format']!r:.40}, expected {MODEL_FORMAT!r}")
    if document["version"] != _VERSION:
        raise _bad(source, f"version {document['version']!r:.20} (this roi reads version {_VERSION})")
    feats, weights = document["features"], document["feature_weights"]
    if not isinstance(feats, list) or not isinstance(weights, list) or len(feats) != len(weights):
        raise _bad(source, "features and feature_weights must be lists of the same length")
    for f in feats:
        if f not in FEATURES:
            raise _bad(source, f"unknown feature {str(f)!r:.40} (known: {', '.join(FEATURES[:1])}, ...)")
    if len(set(feats)) != len(feats):
        raise _bad(source, "a feature is listed twice")
    fw = tuple(_number(w, source, "a feature weight") for w in weights)
    intercept = _number(document["intercept"], source, "intercept")
    threshold = _number(document["threshold"], source, "threshold")
    if not 0 < threshold < 1:
        raise _bad(source, f"threshold must be a probability between 0 and 1, got {threshold}")
    trained = document["trained"]
    if not isinstance(trained, dict) or not all(isinstance(v, (str, int, float, bool, type(None)))
                                                for v in trained.values()):
        raise _bad(source, "trained must be an object of plain values")
    ngrams = document["ngrams"]
    if ngrams is not None:
        if not isinstance(ngrams, dict) or set(ngrams) != _NGRAM_KEYS:
            raise _bad(source, f"ngrams must be null or an object with exactly {', '.join(sorted(_NGRAM_KEYS))}")
        n = ngrams["n_features"]
        if isinstance(n, bool) or not isinstance(n, int) or not 2**8 <= n <= 2**22:
            raise _bad(source, "ngrams.n_features must be an integer between 256 and 4194304")
        word = _range(ngrams["word_ngram_range"], source, "word_ngram_range", 1, 3)
        char = _range(ngrams["char_ngram_range"], source, "char_ngram_range", 1, 6)
        idx, w = ngrams["indices"], ngrams["weights"]
        if not isinstance(idx, list) or not isinstance(w, list) or len(idx) != len(w):
            raise _bad(source, "ngrams.indices and ngrams.weights must be lists of the same length")
        if not all(isinstance(i, int) and not isinstance(i, bool) and 0 <= i < 2 * n for i in idx):
            raise _bad(source, f"ngrams.indices must be integers in [0, {2 * n})")
        if len(set(idx)) != len(idx):
            raise _bad(source, "ngrams.indices repeat an index")
        ngrams = {"n_features": n, "word_ngram_range": word, "char_ngram_range": char,
                  "indices": np.asarray(idx, dtype=np.int64),
                  "weights": np.asarray([_number(v, source, "an n-gram weight") for v in w], dtype=float)}
    return ComplaintModel(features=tuple(feats), feature_weights=fw, intercept=intercept, threshold=threshold,
                          ngrams=ngrams, trained=dict(trained))


def load_model(path: str | Path) -> ComplaintModel:
    """Read and validate a model file written by :func:`save_model` (JSON; never pickle).

    Raises
    ------
    InputError
        The file is missing, too large, not JSON, or not a valid model (see :func:`model_from_dict`).
    """
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(f"{p}: cannot read the model file ({exc.strerror or exc})") from None
    if size > _MAX_BYTES:
        raise InputError(f"{p}: {size:,} bytes is too large for a complaint model (limit {_MAX_BYTES:,})")
    try:
        text = p.read_text(encoding="utf-8")
        document = json.loads(text)
    except UnicodeDecodeError:
        raise InputError(f"{p}: not a roi complaint model (not UTF-8 JSON text; model files are JSON, never pickle)") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{p}: not a roi complaint model (invalid JSON at line {exc.lineno}: {exc.msg})") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read the model file ({exc.strerror or exc})") from None
    return model_from_dict(document, source=str(p))


def save_model(model: ComplaintModel, path: str | Path) -> Path:
    """Write ``model`` as JSON to ``path`` (the parent folder must exist); returns the path."""
    p = Path(path)
    if not p.parent.is_dir():
        raise InputError(f"{p}: folder {p.parent} does not exist")
    p.write_text(json.dumps(model.to_dict(), indent=1, allow_nan=False) + "\n", encoding="utf-8")
    return p


_DEFAULT: list[ComplaintModel] = []


def default_model() -> ComplaintModel:
    """Return the detector shipped with roi (features only; weights in ``roi/listening/data``).

    >>> m = default_model()
    >>> m.ngrams is None and m.features == tuple(m.features) and 0 < m.threshold < 1
    True
    """
    if not _DEFAULT:
        text = importlib.resources.files("roi.listening").joinpath("data/complaint_model.json").read_text("utf-8")
        _DEFAULT.append(model_from_dict(json.loads(text), source="roi/listening/data/complaint_model.json"))
    return _DEFAULT[0]


def model_weights(model: ComplaintModel | None = None) -> pd.DataFrame:
    """Return the model's feature weights as a table, strongest first (for printing).

    >>> w = model_weights()
    >>> list(w.columns)
    ['feature', 'meaning', 'weight']
    """
    model = model or default_model()
    out = pd.DataFrame({"feature": list(model.features),
                        "meaning": [FEATURE_LABELS[f] for f in model.features],
                        "weight": list(model.feature_weights)})
    out = out.reindex(out["weight"].abs().sort_values(ascending=False).index).reset_index(drop=True)
    return pd.concat([out, pd.DataFrame({"feature": ["(intercept)"], "meaning": ["baseline"],
                                         "weight": [model.intercept]})], ignore_index=True)


def _ngram_vectorizers(ngrams: dict[str, Any]):
    from sklearn.feature_extraction.text import HashingVectorizer

    common = {"n_features": int(ngrams["n_features"]), "alternate_sign": False, "norm": "l2", "binary": True,
              "lowercase": False, "preprocessor": normalise_for_ngrams}
    word = HashingVectorizer(analyzer="word", ngram_range=tuple(ngrams["word_ngram_range"]),
                             token_pattern=r"(?u)[@#]?\b\w[\w']*\b", **common)
    char = HashingVectorizer(analyzer="char_wb", ngram_range=tuple(ngrams["char_ngram_range"]), **common)
    return word, char


def ngram_matrix(texts: Sequence[str], ngrams: dict[str, Any]):
    """Hash the word and character n-grams of ``texts`` into a sparse matrix, word block first."""
    from scipy import sparse

    word, char = _ngram_vectorizers(ngrams)
    texts = ["" if t is None or t is pd.NA else str(t) for t in texts]
    return sparse.hstack([word.transform(texts), char.transform(texts)]).tocsr()


def _ngram_weight_vector(model: ComplaintModel) -> np.ndarray:
    n = int(model.ngrams["n_features"])
    w = np.zeros(2 * n)
    w[model.ngrams["indices"]] = model.ngrams["weights"]
    return w


def _strongest_words(text: str, analyze, n: int, w: np.ndarray, sign: int, top: int = 3) -> list[str]:
    """Return the word n-grams of ``text`` that pushed hardest towards ``sign`` (for reasons)."""
    from sklearn.utils import murmurhash3_32

    seen = {}
    for gram in analyze(text):
        j = abs(murmurhash3_32(gram, seed=0)) % n
        if sign * w[j] > 0:
            seen[gram] = sign * w[j]
    return [g for g, _ in sorted(seen.items(), key=lambda kv: -kv[1])[:top]]


def score_texts(
    texts: Sequence[str],
    *,
    model: ComplaintModel | None = None,
    handles: Iterable[str] = (),
    langs: Sequence[object] | None = None,
    echo: Sequence[bool] | None = None,
) -> pd.DataFrame:
    """Score texts with a complaint model: probability, decision, and the reasons for it.

    Parameters
    ----------
    texts : sequence of str
        The posts' texts.
    model : ComplaintModel, optional
        Default: :func:`default_model`.
    handles : iterable of str
        The brand's handles: mentioning one is the ``addressed`` feature.
    langs : sequence, optional
        Platform language codes; posts the English features cannot read are not scored.
    echo : sequence of bool, optional
        Posts known to repeat the brand's own post (a quote or copy of it): never complaints.

    Returns
    -------
    DataFrame
        ``scored`` (bool), ``evidence`` (bool: one of :data:`EVIDENCE_FEATURES` is present),
        ``sentiment`` (VADER's compound), ``probability`` (float; NaN when not scored), ``logit`` (float),
        ``is_complaint`` (bool; False when not scored), ``rule`` (``model``, ``not scored``,
        ``echo`` or ``news``) and ``reasons`` (list of str: for a complaint, the features that
        pushed towards it, strongest first; otherwise what held it back), in the input's order.

    Examples
    --------
    >>> s = score_texts(["@acme your delivery service is a disgrace, two weeks late",
    ...                  "@acme thanks, my parcel arrived early!", "RT @acme: 20% off kettles today",
    ...                  "Police say two people were injured near the station, reports @acme",
    ...                  "Mein Paket ist seit zwei Wochen nicht angekommen"], handles=["acme"])
    >>> s[["is_complaint", "rule"]].values.tolist()
    [[True, 'model'], [False, 'model'], [False, 'echo'], [False, 'news'], [False, 'not scored']]
    >>> s.reasons[0][:2]
    ["failure word 'disgrace'", "waiting time 'two weeks'"]
    """
    model = model or default_model()
    texts = ["" if t is None or t is pd.NA or (isinstance(t, float) and np.isnan(t)) else str(t) for t in texts]
    n = len(texts)
    X, evidence = feature_matrix(texts, handles=handles)
    index = [FEATURES.index(f) for f in model.features]
    weights = np.asarray(model.feature_weights, dtype=float)
    contrib = X[:, index] * weights if n else np.zeros((0, len(index)))
    logit = model.intercept + contrib.sum(axis=1)
    ngram_w = analyze = None
    if model.ngrams is not None and n:
        ngram_w = _ngram_weight_vector(model)
        logit = logit + ngram_matrix(texts, model.ngrams) @ ngram_w
        analyze = _ngram_vectorizers(model.ngrams)[0].build_analyzer()
    with np.errstate(over="ignore"):
        prob = 1.0 / (1.0 + np.exp(-logit))
    readable = readable_english(texts, langs)
    is_echo = np.array([bool(_ECHO_RE.match(t)) for t in texts], dtype=bool)
    if echo is not None:
        is_echo |= np.asarray(echo, dtype=bool)
    news_col = FEATURES.index("news")
    is_news = np.array([X[i, news_col] > 0 and not _FIRST_PERSON_RE.search(texts[i].replace("’", "'").casefold())
                        for i in range(n)], dtype=bool)
    rule = np.where(is_echo, "echo", np.where(~readable, "not scored", np.where(is_news, "news", "model")))
    complaint = (rule == "model") & (prob >= model.threshold)
    reasons: list[list[str]] = []
    for i in range(n):
        if rule[i] == "not scored":
            code = langs[i] if langs is not None else None
            known = code is not None and code is not pd.NA and not (isinstance(code, float) and np.isnan(code))
            reasons.append([f"not scored: language {code!r} is not English" if known
                            else "not scored: the text does not read as English"])
            continue
        if rule[i] == "echo":
            reasons.append(["repeats another account's post (a repost or quotation), not the author's complaint"])
            continue
        if rule[i] == "news":
            reasons.append([f"news wording '{evidence[i]['news'][1]}' with no first-person experience"])
            continue
        sign = 1 if complaint[i] else -1
        order = [j for j in np.argsort(-sign * contrib[i]) if sign * contrib[i, j] > 0]
        out = []
        for j in order:
            name = model.features[j]
            value, words = evidence[i].get(name, (0.0, None))
            label = FEATURE_LABELS[name]
            out.append(f"{label} {words}" if name == "addressed" else
                       f"{label} ({words})" if name.endswith("sentiment") else
                       label if name == "plain_question" else f"{label} '{words}'")
        if ngram_w is not None:
            words = _strongest_words(texts[i], analyze, int(model.ngrams["n_features"]), ngram_w, sign)
            if words:
                out.append("words " + ", ".join(f"'{w}'" for w in words))
        if not out:
            out.append(f"too little complaint evidence ({prob[i]:.0%} < {model.threshold:.0%})")
        reasons.append(out)
    readable = readable | is_echo  # an echo is judged (not the author's complaint) in any language
    strong = [FEATURES.index(f) for f in EVIDENCE_FEATURES]
    evidence_present = (X[:, strong] > 0).any(axis=1) if n else np.zeros(0, dtype=bool)
    sentiment = np.array([ev.get("compound", (0.0, None))[0] for ev in evidence], dtype=float)
    return pd.DataFrame({"scored": readable, "evidence": evidence_present, "sentiment": sentiment, "probability": np.where(readable, prob, np.nan), "logit": logit,
                         "is_complaint": complaint, "rule": pd.array(rule, dtype="string"),
                         "reasons": reasons})
