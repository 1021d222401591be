"""A negative-binomial model of engagement (and of conversion).

It separates the effects of timing, hashtags, mentions, questions and content type.

Why this model: engagement counts are overdispersed (posts differ far more than Poisson noise
allows), so a Poisson model's intervals are too narrow. roi fits the NB2 model
(Var = μ + α μ²) with ``log(impressions)`` as offset, so every coefficient is a log rate ratio per
impression: ``exp(β)`` is the incidence-rate ratio (IRR) against the reference level. α is
estimated jointly with β by maximum likelihood (``statsmodels.discrete.NegativeBinomial``);
a GLM with a NegativeBinomial family would instead treat α as known, and its intervals would
ignore α's uncertainty. The overdispersion check reports α with its interval, the likelihood-
ratio test of α = 0 (Poisson; the p-value is halved because α = 0 lies on the boundary), and the
Poisson fit's Pearson χ²/df (≈ 1 when Poisson would do).

Terms are named so a reader knows them: ``hour=18`` (or ``hour=0-5`` for a bucket of quiet hours
merged so that every bucket has posts), ``weekday=Tue``, ``hashtags=2`` (``hashtags=4+``),
``mention``, ``question``, ``content=promotion``. Each is an IRR against the ``reference`` shown
beside it (the most-posted single hour, Monday, no hashtags, no mention, no question, original;
a reference level without posts is replaced by the factor's most-posted level), with the posts in
each level, the Wald p-value and the Holm-adjusted p-value within its factor (six weekday terms
make one "significant" term likely by chance alone). A level with no posts is dropped, never
estimated. The fitting rule (NB2, else robust Poisson, said in ``overdispersion["note"]``) is
:func:`roi.engagement.count_regression.fit_negative_binomial`. Definitions: docs/metrics.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from roi.engagement.breakdowns import WEEKDAYS, timed, with_slot
from roi.engagement.count_regression import fit_negative_binomial
from roi.engagement.exposure import exposure_basis
from roi.errors import ParameterError

__all__ = ["CountModel", "fit_engagement_model", "fit_conversion_model", "refit", "hour_buckets", "DAYPARTS",
           "compare_with_planted"]


#: Conventional dayparts (local hours), for coarse hour terms when events are few.
DAYPARTS = {h: ("0-5" if h < 6 else "6-8" if h < 9 else "9-16" if h < 17 else "17-21" if h < 22 else "22-23")
            for h in range(24)}


def hour_buckets(hours, *, min_posts: int = 5, weights=None) -> dict[int, str]:
    """Map each hour 0-23 to a bucket label so that every bucket with posts has enough of them.

    An hour with at least ``min_posts`` posts is its own bucket (``"18"``). Each run of quieter
    hours between them is cut, left to right, into buckets of at least ``min_posts`` posts
    (``"0-5"``); a run with too few posts in all joins the neighbouring bucket that has fewer
    posts. Hours without any post nearby stay in a bucket without posts (no estimate).

    Examples
    --------
    >>> b = hour_buckets([0, 3, 9, 9, 9, 18, 18, 18, 23], min_posts=3)
    >>> b[0], b[9], b[10], b[18], b[23]  # 1-2 posts join a neighbour
    ('0-9', '0-9', '10-17', '18-23', '18-23')
    >>> b = hour_buckets([9] * 5 + [10] + [18] * 6, min_posts=5)
    >>> b[9], b[10], b[18]
    ('9-17', '9-17', '18')
    """
    hours = np.asarray(list(hours), dtype="int64")
    w = None if weights is None else np.asarray(weights, dtype="float64")
    counts = np.bincount(hours, weights=w, minlength=24)[:24]
    groups: list[list[int]] = []
    run: list[int] = []

    def flush() -> None:
        chunks: list[list[int]] = [[]]
        for h in run:
            if chunks[-1] and counts[chunks[-1]].sum() >= min_posts:
                chunks.append([])
            chunks[-1].append(h)
        if len(chunks) > 1 and counts[chunks[-1]].sum() < min_posts:
            chunks[-2].extend(chunks.pop())  # the run's remainder joins the run's last bucket
        groups.extend(c for c in chunks if c)
        run.clear()

    for h in range(24):
        if counts[h] >= min_posts:
            flush()
            groups.append([h])
        else:
            run.append(h)
    flush()
    # a bucket with a few posts (but fewer than min_posts) joins its smaller neighbour
    i = 0
    while i < len(groups) and len(groups) > 1:
        total = counts[groups[i]].sum()
        if 0 < total < min_posts:
            left = counts[groups[i - 1]].sum() if i > 0 else np.inf
            right = counts[groups[i + 1]].sum() if i + 1 < len(groups) else np.inf
            j = i - 1 if left <= right else i + 1
            lo, hi = min(i, j), max(i, j)
            groups[lo:hi + 1] = [groups[lo] + groups[hi]]
            i = 0
            continue
        i += 1
    return {h: (str(g[0]) if len(g) == 1 else f"{g[0]}-{g[-1]}") for g in groups for h in g}


@dataclass(frozen=True)
class _Spec:
    """How a design matrix is built, fixed by the training data (so predictions match).

    ``refs`` holds each factor's reference level: the most-posted single hour; Monday, or the
    most-posted weekday when Monday has no posts; no hashtags, no mention, no question and
    original content unless no post has them (then the most-posted level).
    """

    buckets: dict[int, str]
    hour_ref: str
    weekday: bool
    hashtag_levels: tuple[str, ...]
    mention: bool
    question: bool
    content: bool
    columns: tuple[str, ...] = ()
    refs: tuple[tuple[str, str], ...] = ()

    def ref(self, factor: str, default: str) -> str:
        return dict(self.refs).get(factor, default)


#: The factor of each term, by the term's prefix.
FACTORS = ("hour", "weekday", "hashtags", "mention", "question", "content")
CONTENT_LEVELS = ("original", "engagement", "promotion")


@dataclass(frozen=True)
class CountModel:
    """A fitted count model.

    Attributes
    ----------
    effects : DataFrame
        term, irr, ci_low, ci_high, p_value, reference, posts (posts in that level), factor,
        p_adjusted (Holm within the factor), reference_posts, numerator, denominator.
    overdispersion : dict
        family ("negative binomial (NB2)" or "poisson"), alpha, alpha_ci_low, alpha_ci_high,
        lr_stat, lr_p_value, poisson_pearson_dispersion, poisson_deviance_dispersion, fallback,
        note (the fallback in words, or None).
    posts : int
        Posts in the fit.
    outcome, exposure : str
        What was counted and the offset's column.
    dropped : list of str
        Terms left out because no post (or every post) had them, or no post of the level had
        an event.
    numerator, denominator : str
        What the rates count and divide by (docs/metrics.md), e.g.
        ``"likes+reposts+replies+quotes+link_clicks"`` and ``"impressions"`` or ``"followers_proxy"``.
    basis : dict
        :func:`roi.engagement.exposure_basis`'s account of the posts used and left out.
    """

    effects: pd.DataFrame
    overdispersion: dict[str, Any]
    posts: int
    outcome: str
    exposure: str
    dropped: list[str] = field(default_factory=list)
    spec: _Spec | None = field(default=None, repr=False)
    params: pd.Series | None = field(default=None, repr=False)
    cov: pd.DataFrame | None = field(default=None, repr=False)
    means: pd.Series | None = field(default=None, repr=False)
    numerator: str = ""
    denominator: str = ""
    basis: dict[str, Any] = field(default_factory=dict)
    data: pd.DataFrame | None = field(default=None, repr=False)
    level: float = 0.95
    exposure_column: str = field(default="", repr=False)

    def effects_at(self, level: float) -> pd.DataFrame:
        """``effects`` with intervals at another level (e.g. Bonferroni: ``1 - 0.05 / k``)."""
        z = stats.norm.ppf(0.5 + level / 2)
        terms = self.effects["term"].tolist()
        beta = self.params[terms].to_numpy()
        se = np.sqrt(np.diag(self.cov.loc[terms, terms].to_numpy()))
        return self.effects.assign(ci_low=np.exp(beta - z * se), ci_high=np.exp(beta + z * se))

    def contrast(self, a: str, b: str, *, level: float = 0.95) -> dict[str, float]:
        """Compute the rate ratio of level ``a`` against level ``b``, with its interval.

        Levels are term names, or a reference level such as ``"hour=18"``; the interval comes from the
        model's covariance.

        ``model.contrast("hour=18", "hour=9")`` answers "how much better is 18:00 than 09:00".
        """
        def vector(term: str) -> np.ndarray:
            v = np.zeros(len(self.params))
            if term in self.params.index:
                v[self.params.index.get_loc(term)] = 1.0
            elif term not in set(self.effects["reference"]):
                raise ParameterError(f"term {term!r}: not in the model (terms: {', '.join(self.effects['term'])})")
            return v

        d = vector(a) - vector(b)
        est = float(d @ self.params.to_numpy())
        se = float(np.sqrt(d @ self.cov.to_numpy() @ d))
        z = stats.norm.ppf(0.5 + level / 2)
        return {"irr": float(np.exp(est)), "ci_low": float(np.exp(est - z * se)), "ci_high": float(np.exp(est + z * se))}

    def predict_rate(self, rows: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
        """Predict the rate per unit of exposure, with an interval, for ``rows``.

        ``rows`` has the columns hour, weekday and optionally the covariates; covariates absent are set to
        their mean in the data, i.e. the rate of an average post of this account.
        """
        x = _design(rows, self.spec, fill=self.means)
        beta = self.params[list(self.spec.columns)].to_numpy()
        cov = self.cov.loc[list(self.spec.columns), list(self.spec.columns)].to_numpy()
        eta = x.to_numpy() @ beta
        se = np.sqrt(np.einsum("ij,jk,ik->i", x.to_numpy(), cov, x.to_numpy()))
        z = stats.norm.ppf(0.5 + level / 2)
        return pd.DataFrame({"rate": np.exp(eta), "ci_low": np.exp(eta - z * se),
                             "ci_high": np.exp(eta + z * se)}, index=rows.index)


def _hashtag_label(count: pd.Series, levels: Sequence[str]) -> pd.Series:
    top = len(levels) - 1
    clipped = count.astype("float64").clip(upper=top).astype("int64")
    return clipped.map(dict(enumerate(levels)))


def _labels(frame: pd.DataFrame, spec: _Spec) -> dict[str, pd.Series]:
    """Each factor's level per row (<NA> where the column is absent)."""
    def col(name: str) -> pd.Series | None:
        return frame[name] if name in frame.columns else None

    out: dict[str, pd.Series] = {}
    if (h := col("hour")) is not None:
        out["hour"] = h.map(spec.buckets)
    if spec.weekday and (w := col("weekday")) is not None:
        out["weekday"] = w.map(dict(enumerate(WEEKDAYS)))
    if (c := col("hashtag_count")) is not None:
        out["hashtags"] = _hashtag_label(c, spec.hashtag_levels)
    if spec.mention and (c := col("mention_count")) is not None:
        out["mention"] = pd.Series(np.where(c.astype("float64") > 0, "mention", "no mention"), index=frame.index)
    if spec.question and (q := col("has_question")) is not None:
        out["question"] = pd.Series(np.where(q.astype(bool), "question", "no question"), index=frame.index)
    if spec.content and (c := col("content_type")) is not None:
        out["content"] = c.astype(object)
    return out


def _factor_levels(spec: _Spec) -> list[tuple[str, str, list[str]]]:
    """(factor, reference term, [term, level] ...) in design order."""
    out = []
    hours = list(dict.fromkeys(spec.buckets.values()))
    out.append(("hour", f"hour={spec.hour_ref}", [(f"hour={b}", b) for b in hours if b != spec.hour_ref]))
    if spec.weekday:
        ref = spec.ref("weekday", "Mon")
        out.append(("weekday", f"weekday={ref}", [(f"weekday={d}", d) for d in WEEKDAYS if d != ref]))
    ref = spec.ref("hashtags", spec.hashtag_levels[0])
    out.append(("hashtags", f"hashtags={ref}", [(f"hashtags={k}", k) for k in spec.hashtag_levels if k != ref]))
    if spec.mention:
        out.append(("mention", "no mention", [("mention", "mention")]))
    if spec.question:
        out.append(("question", "no question", [("question", "question")]))
    if spec.content:
        ref = spec.ref("content", "original")
        out.append(("content", f"content={ref}", [(f"content={c}", c) for c in CONTENT_LEVELS if c != ref]))
    return out


def _design(frame: pd.DataFrame, spec: _Spec, *, fill: pd.Series | None = None) -> pd.DataFrame:
    """Build the design matrix; a covariate column absent from ``frame`` is NaN (then ``fill``-ed)."""
    n = len(frame)
    labels = _labels(frame, spec)
    cols: dict[str, np.ndarray] = {"const": np.ones(n)}
    for factor, _, terms in _factor_levels(spec):
        lab = labels.get(factor)
        for term, level in terms:
            cols[term] = ((lab == level).to_numpy(dtype="float64") if lab is not None else np.full(n, np.nan))
    x = pd.DataFrame(cols, index=frame.index)
    if spec.columns:
        x = x.reindex(columns=list(spec.columns))
    if fill is not None:
        x = x.fillna(fill)
    return x


def _holm_within(effects: pd.DataFrame) -> np.ndarray:
    """Holm-adjusted p-values within each factor (statsmodels ``multipletests``)."""
    from statsmodels.stats.multitest import multipletests

    out = np.full(len(effects), np.nan)
    p = effects["p_value"].to_numpy(dtype="float64")
    for factor in effects["factor"].unique():
        idx = np.flatnonzero((effects["factor"] == factor).to_numpy() & np.isfinite(p))
        if len(idx):
            out[idx] = multipletests(p[idx], method="holm")[1]
    return out


def _fit(frame: pd.DataFrame, spec: _Spec, outcome: str, exposure: str, level: float, *,
         numerator: str = "", denominator: str = "", basis: dict[str, Any] | None = None) -> CountModel:
    x_full = _design(frame, spec)
    y_all = frame[outcome].to_numpy(dtype="float64")
    if len(y_all) and not np.nansum(y_all) > 0:
        raise ParameterError(f"none of the {len(y_all):,} posts has any {outcome.replace('_', ' ')}: there is no "
                             "difference between posts to model or rank")
    # A level whose posts have no events at all has an IRR of 0 and no interval: its posts are
    # left out of the fit and the term is reported as dropped, rather than a meaningless 1e-10.
    rows = np.ones(len(frame), dtype=bool)
    dropped: list[str] = []
    for c in x_full.columns[1:]:
        members = x_full[c].to_numpy() == 1
        if members.any() and y_all[members & rows].sum() == 0:
            rows &= ~members
            dropped.append(f"{c} (no {outcome})")
    x_full = x_full[rows]
    # A level with no posts (or with every post) cannot be estimated: its term is dropped, never
    # estimated from nothing.
    keep = [c for c in x_full.columns if c == "const" or 0 < x_full[c].sum() < len(x_full)]
    dropped += [f"{c} (no posts)" if x_full[c].sum() == 0 else f"{c} (every post)"
                for c in x_full.columns if c not in keep and not any(d.startswith(c + " ") for d in dropped)]
    x = x_full[keep]
    y = y_all[rows]
    offset = np.log(frame.loc[rows, exposure].to_numpy(dtype="float64"))
    if len(y) <= len(keep) + 1:
        n, k = len(y), len(keep)
        raise ParameterError(f"only {n} post{'s' if n != 1 else ''} for {k} term{'s' if k != 1 else ''} of the "
                             "model: too few posts to fit it; add history")
    fit = fit_negative_binomial(y, x, offset=offset, level=level)
    z = stats.norm.ppf(0.5 + level / 2)
    terms = [c for c in keep if c != "const"]
    se = fit.bse[terms].to_numpy()
    beta = fit.params[terms].to_numpy()
    factor_of = {t: f for f, _, ts in _factor_levels(spec) for t, _ in ts}
    ref_of = {t: r for _, r, ts in _factor_levels(spec) for t, _ in ts}
    labels = _labels(frame.loc[rows], spec)
    ref_posts = {}
    for f, r, _ in _factor_levels(spec):
        lab = labels.get(f)
        level_name = r.split("=", 1)[1] if "=" in r else r
        ref_posts[r] = int((lab == level_name).sum()) if lab is not None else 0
    effects = pd.DataFrame({
        "term": pd.array(terms, dtype="string"),
        "irr": np.exp(beta),
        "ci_low": np.exp(beta - z * se),
        "ci_high": np.exp(beta + z * se),
        "p_value": fit.pvalues[terms].to_numpy(dtype="float64"),
        "reference": pd.array([ref_of[t] for t in terms], dtype="string"),
        "posts": pd.array([int(x[t].sum()) for t in terms], dtype="Int64"),
        "factor": pd.array([factor_of[t] for t in terms], dtype="string"),
    })
    effects["p_adjusted"] = _holm_within(effects)
    effects["reference_posts"] = pd.array([ref_posts[ref_of[t]] for t in terms], dtype="Int64")
    effects["numerator"] = pd.array([numerator or outcome] * len(terms), dtype="string")
    effects["denominator"] = pd.array([denominator or exposure] * len(terms), dtype="string")
    spec = replace(spec, columns=tuple(keep))
    return CountModel(effects=effects, overdispersion=fit.overdispersion, posts=len(y), outcome=outcome,
                      exposure=denominator or exposure, dropped=dropped, spec=spec, params=fit.params[keep],
                      cov=fit.cov.loc[keep, keep], means=x.mean(), numerator=numerator or outcome,
                      denominator=denominator or exposure, basis=dict(basis or {}),
                      data=frame.loc[rows].reset_index(drop=True), level=level, exposure_column=exposure)


def _prepare(metrics: pd.DataFrame, outcome: str, exposure: str, tz: str, content) -> pd.DataFrame:
    if hasattr(metrics, "dask"):
        raise ParameterError("the model needs a pandas DataFrame of posts; call .compute() on a Dask frame first")
    missing = [c for c in (outcome, exposure, "created_at", "hashtag_count", "mention_count", "has_question")
               if c not in metrics.columns]
    if missing:
        raise ParameterError(f"metrics: missing column(s) {', '.join(missing)}; pass roi.engagement.post_metrics")
    frame = metrics
    if content is not None:
        frame = frame.merge(content[["post_id", "content_type"]].drop_duplicates("post_id"), on="post_id", how="left")
        frame = frame.assign(content_type=frame["content_type"].astype(object).where(
            frame["content_type"].notna(), "original"))
    ok = (frame[outcome].notna() & frame[exposure].notna() & (frame[exposure] > 0) & frame["created_at"].notna()
          & frame["hashtag_count"].notna() & frame["mention_count"].notna() & frame["has_question"].notna())
    frame = timed(frame[ok.fillna(False).astype(bool).to_numpy()])  # hour terms need the time of day
    return with_slot(frame, tz=tz).reset_index(drop=True)


def _most_posted(labels: pd.Series | None, preferred: str) -> str:
    if labels is None or not len(labels):
        return preferred
    counts = labels.value_counts()
    if counts.get(preferred, 0) > 0:
        return preferred
    return str(counts.index[0])


def _spec_for(frame: pd.DataFrame, *, min_hour_posts: int, buckets, weekday: bool, hashtag_levels,
              mention: bool, question: bool, content: bool, weights: str | None = None) -> _Spec:
    if frame.empty:
        raise ParameterError("no posts with a known count and a positive denominator: nothing to model or rank")
    if buckets is None:
        buckets = hour_buckets(frame["hour"], min_posts=min_hour_posts,
                               weights=None if weights is None else frame[weights].astype("float64"))
    else:
        buckets = dict(buckets)
        if sorted(buckets) != list(range(24)):
            raise ParameterError("hour_buckets: expected a label for each hour 0-23")
    counts = frame["hour"].map(buckets).value_counts()
    single = [b for b in counts.index if "-" not in b]
    hour_ref = max(single or list(counts.index), key=lambda b: (counts[b], b))
    spec = _Spec(buckets=buckets, hour_ref=hour_ref, weekday=weekday, hashtag_levels=tuple(hashtag_levels),
                 mention=mention, question=question, content=content)
    labels = _labels(frame, spec)
    refs = (("weekday", _most_posted(labels.get("weekday"), "Mon")),
            ("hashtags", _most_posted(labels.get("hashtags"), hashtag_levels[0])),
            ("content", _most_posted(labels.get("content"), "original")))
    return replace(spec, refs=refs)


def fit_engagement_model(
    metrics: pd.DataFrame,
    *,
    tz: str = "UTC",
    content: pd.DataFrame | None = None,
    min_hour_posts: int = 5,
    hour_buckets: dict[int, str] | None = None,
    weekday: bool = True,
    level: float = 0.95,
    metric: str = "engagements",
    exposure: str = "auto",
    min_impression_posts: int = 30,
) -> CountModel:
    """Fit engagements ~ hour bucket + weekday + hashtags + mention + question + content type.

    NB2 with log(exposure) as offset.

    The exposure is impressions where enough posts have them, else the author's follower count
    for every post (never both pooled): :func:`roi.engagement.exposure_basis`. Definitions of
    every count and denominator: docs/metrics.md.

    Parameters
    ----------
    metrics : DataFrame
        Per-post metrics (:func:`roi.engagement.post_metrics`) of one account's posts.
    tz : str
        The account's IANA time zone: hours and weekdays are local.
    content : DataFrame, optional
        :func:`roi.engagement.classify_content` output; adds the content-type terms.
    min_hour_posts : int, default 5
        Quiet hours are merged with neighbours until each bucket has this many posts.
    hour_buckets : dict hour -> label, optional
        Explicit buckets instead.
    weekday : bool, default True
        Include day-of-week terms.
    level : float, default 0.95
        Confidence level of the effects' intervals.
    metric : str, default "engagements"
        What is counted: one of :data:`roi.engagement.COUNT_METRICS` (engagements with or without
        link clicks, replies, link clicks, conversions).
    exposure : {"auto", "impressions", "followers_proxy"}
        The denominator; "auto" chooses as :func:`roi.engagement.exposure_basis` says.
    min_impression_posts : int, default 30
        Posts with real impressions needed before impressions are the denominator.

    Returns
    -------
    CountModel
        ``.effects`` (term, irr, ci_low, ci_high, p_value, reference, posts, factor, p_adjusted,
        reference_posts, numerator, denominator), ``.overdispersion``, ``.numerator``,
        ``.denominator`` and ``.basis``.

    Raises
    ------
    ParameterError
        Bad tz, missing columns, no usable posts, or too few posts for the terms.
    """
    rows, basis = exposure_basis(metrics, metric=metric, exposure=exposure,
                                 min_impression_posts=min_impression_posts)
    # the count is modelled under the metric's own name (so dropped terms read "no replies")
    rows = rows.assign(**{metric: rows["events"]})
    frame = _prepare(rows, metric, "exposure", tz, content)
    spec = _spec_for(frame, min_hour_posts=min_hour_posts, buckets=hour_buckets, weekday=weekday,
                     hashtag_levels=("0", "1", "2", "3", "4+"), mention=True, question=True,
                     content=content is not None)
    return _fit(frame, spec, metric, "exposure", level, numerator=basis["numerator"],
                denominator=basis["denominator"], basis=basis)


def fit_conversion_model(
    metrics: pd.DataFrame,
    *,
    tz: str = "UTC",
    min_hour_conversions: int = 10,
    hour_buckets: dict[int, str] | None = None,
    level: float = 0.95,
) -> CountModel:
    """Fit conversions ~ hour bucket + hashtag use (``hashtags=1+`` against none), per web click.

    Log(web clicks) is the offset: conversion-rate ratios per web click, NB2 (or robust Poisson when
    NB2 does not converge: :func:`roi.engagement.count_regression.fit_negative_binomial`).

    Conversions are rarer than engagements, so the automatic hour buckets merge neighbouring
    hours until each holds ``min_hour_conversions`` conversions (an hour with none would have an
    IRR of 0 and no interval); pass ``hour_buckets=DAYPARTS`` for conventional dayparts. Only
    posts with web clicks enter. Other arguments as :func:`fit_engagement_model`.
    """
    frame = _prepare(metrics, "conversions", "web_clicks", tz, None)
    spec = _spec_for(frame, min_hour_posts=min_hour_conversions, buckets=hour_buckets, weekday=False,
                     hashtag_levels=("0", "1+"), mention=False, question=False, content=False,
                     weights="conversions")
    basis = {"metric": "conversions", "numerator": "conversions", "denominator": "web_clicks",
             "posts": len(frame), "posts_left_out": len(metrics) - len(frame),
             "reason": "conversions per web click (sessions from the web analytics)"}
    return _fit(frame, spec, "conversions", "web_clicks", level, numerator="conversions",
                denominator="web_clicks", basis=basis)


def refit(model: CountModel, frame: pd.DataFrame) -> CountModel:
    """Fit ``model`` again on other posts: the same terms, reference levels, outcome, exposure and level.

    The design is the one fixed when the model was first fitted (terms are dropped again only
    where the new posts cannot estimate them), so the two models' effects compare like for like,
    e.g. with and without one post (:func:`roi.engagement.timing.influence_check`).

    Parameters
    ----------
    model : CountModel
        A model from :func:`fit_engagement_model` or :func:`fit_conversion_model`.
    frame : DataFrame
        Rows shaped like ``model.data`` (typically a subset of it).

    Returns
    -------
    CountModel

    Raises
    ------
    ParameterError
        If ``model`` holds no design (built by hand) or the posts are too few to fit.
    """
    if model.spec is None or not model.exposure_column:
        raise ParameterError("refit: the model holds no design to refit; fit it with fit_engagement_model")
    return _fit(frame, replace(model.spec, columns=()), model.outcome, model.exposure_column, model.level,
                numerator=model.numerator, denominator=model.denominator, basis=model.basis)


def compare_with_planted(effects: pd.DataFrame, planted: dict[str, float]) -> pd.DataFrame:
    """Planted (true) rate ratios next to the estimates, for data whose truth is known.

    Parameters
    ----------
    effects : DataFrame
        A model's ``.effects`` (or ``.effects_at(level)``).
    planted : dict of str to float
        The true IRR of each term against the same reference.

    Returns
    -------
    DataFrame
        term, planted, irr, ci_low, ci_high, inside (the planted value lies in the interval);
        terms not in the model are listed with <NA> estimates.

    Examples
    --------
    >>> e = pd.DataFrame({"term": ["mention"], "irr": [1.25], "ci_low": [1.05], "ci_high": [1.5]})
    >>> compare_with_planted(e, {"mention": 1.2, "question": 1.4}).inside.tolist()
    [True, <NA>]
    """
    est = effects.set_index("term")
    rows = []
    for term, value in planted.items():
        if term in est.index:
            lo, hi = float(est.loc[term, "ci_low"]), float(est.loc[term, "ci_high"])
            rows.append((term, value, float(est.loc[term, "irr"]), lo, hi, lo <= value <= hi))
        else:
            rows.append((term, value, np.nan, np.nan, np.nan, pd.NA))
    out = pd.DataFrame(rows, columns=["term", "planted", "irr", "ci_low", "ci_high", "inside"])
    return out.astype({"term": "string", "inside": "boolean"})
