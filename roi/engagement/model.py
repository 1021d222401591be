"""A negative-binomial model that separates the effects of timing, hashtags, mentions, questions
and content type on engagement (and on conversion).

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
beside it (the most-posted single hour, Monday, no hashtags, no mention, no question, original).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from roi.engagement.breakdowns import WEEKDAYS, with_slot
from roi.errors import ParameterError

__all__ = ["CountModel", "fit_engagement_model", "fit_conversion_model", "hour_buckets", "DAYPARTS",
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
    """How a design matrix is built, fixed by the training data (so predictions match)."""

    buckets: dict[int, str]
    hour_ref: str
    weekday: bool
    hashtag_levels: tuple[str, ...]
    mention: bool
    question: bool
    content: bool
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class CountModel:
    """A fitted count model.

    Attributes
    ----------
    effects : DataFrame
        term, irr, ci_low, ci_high, p_value, reference, posts (posts in that level).
    overdispersion : dict
        family ("negative binomial (NB2)" or "poisson"), alpha, alpha_ci_low, alpha_ci_high,
        lr_stat, lr_p_value, poisson_pearson_dispersion, poisson_deviance_dispersion.
    posts : int
        Posts in the fit.
    outcome, exposure : str
        What was counted and the offset's column.
    dropped : list of str
        Terms left out because no post (or every post) had them.
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

    def effects_at(self, level: float) -> pd.DataFrame:
        """``effects`` with intervals at another level (e.g. Bonferroni: ``1 - 0.05 / k``)."""
        z = stats.norm.ppf(0.5 + level / 2)
        terms = self.effects["term"].tolist()
        beta = self.params[terms].to_numpy()
        se = np.sqrt(np.diag(self.cov.loc[terms, terms].to_numpy()))
        return self.effects.assign(ci_low=np.exp(beta - z * se), ci_high=np.exp(beta + z * se))

    def contrast(self, a: str, b: str, *, level: float = 0.95) -> dict[str, float]:
        """Rate ratio of level ``a`` against level ``b`` (term names, or a reference level such as
        ``"hour=18"``), with its interval from the model's covariance.

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
        """Expected rate per unit of exposure, with an interval, for ``rows`` (columns hour,
        weekday and optionally the covariates; covariates absent are set to their mean in the
        data, i.e. the rate of an average post of this account)."""
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


def _design(frame: pd.DataFrame, spec: _Spec, *, fill: pd.Series | None = None) -> pd.DataFrame:
    """The design matrix; a covariate column absent from ``frame`` is NaN (then ``fill``-ed)."""
    n = len(frame)
    cols: dict[str, np.ndarray] = {"const": np.ones(n)}

    def add(name: str, column: str, indicator) -> None:
        cols[name] = (indicator(frame[column]).to_numpy(dtype="float64") if column in frame.columns
                      else np.full(n, np.nan))

    for label in dict.fromkeys(spec.buckets.values()):
        if label != spec.hour_ref:
            add(f"hour={label}", "hour", lambda h, label=label: h.map(spec.buckets) == label)
    if spec.weekday:
        for d in range(1, 7):
            add(f"weekday={WEEKDAYS[d]}", "weekday", lambda w, d=d: w == d)
    for level in spec.hashtag_levels[1:]:
        add(f"hashtags={level}", "hashtag_count",
            lambda c, level=level: _hashtag_label(c, spec.hashtag_levels) == level)
    if spec.mention:
        add("mention", "mention_count", lambda c: c > 0)
    if spec.question:
        add("question", "has_question", lambda q: q.astype(bool))
    if spec.content:
        for ctype in ("engagement", "promotion"):
            add(f"content={ctype}", "content_type", lambda c, ctype=ctype: c == ctype)
    x = pd.DataFrame(cols, index=frame.index)
    if spec.columns:
        x = x.reindex(columns=list(spec.columns))
    if fill is not None:
        x = x.fillna(fill)
    return x


def _fit(frame: pd.DataFrame, spec: _Spec, outcome: str, exposure: str, level: float) -> CountModel:
    import statsmodels.api as sm
    from statsmodels.discrete.discrete_model import NegativeBinomial
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

    x_full = _design(frame, spec)
    y_all = frame[outcome].to_numpy(dtype="float64")
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
    keep = [c for c in x_full.columns if c == "const" or 0 < x_full[c].sum() < len(x_full)]
    dropped += [c for c in x_full.columns if c not in keep and not any(d.startswith(c + " ") for d in dropped)]
    x = x_full[keep]
    y = y_all[rows]
    offset = np.log(frame.loc[rows, exposure].to_numpy(dtype="float64"))
    if len(y) <= len(keep) + 1:
        raise ParameterError(f"{len(y)} posts for {len(keep)} model terms: too few posts to fit the model")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ConvergenceWarning, HessianInversionWarning, RuntimeWarning))
        poisson = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit()
        nb, family = None, "poisson"
        for method in ("newton", "bfgs"):
            try:
                fit = NegativeBinomial(y, x, loglike_method="nb2", offset=offset).fit(
                    method=method, maxiter=300, disp=0)
            except (np.linalg.LinAlgError, ValueError):
                continue
            if fit.mle_retvals.get("converged", False) and np.all(np.isfinite(fit.bse)):
                nb, family = fit, "negative binomial (NB2)"
                break
    z = stats.norm.ppf(0.5 + level / 2)
    dof = poisson.df_resid
    od: dict[str, Any] = {
        "family": family,
        "poisson_pearson_dispersion": float(poisson.pearson_chi2 / dof) if dof > 0 else float("nan"),
        "poisson_deviance_dispersion": float(poisson.deviance / dof) if dof > 0 else float("nan"),
    }
    if nb is not None:
        params, cov, pvalues = nb.params, nb.cov_params(), nb.pvalues
        alpha, se_alpha = float(params["alpha"]), float(nb.bse["alpha"])
        lr = max(0.0, 2 * (nb.llf - poisson.llf))
        od.update(alpha=alpha,
                  alpha_ci_low=float(alpha * np.exp(-z * se_alpha / alpha)) if alpha > 0 else 0.0,
                  alpha_ci_high=float(alpha * np.exp(z * se_alpha / alpha)) if alpha > 0 else float("nan"),
                  lr_stat=float(lr), lr_p_value=float(0.5 * stats.chi2.sf(lr, 1)))
    else:  # NB did not converge (typically α ≈ 0): Poisson with robust (sandwich) errors
        robust = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset).fit(cov_type="HC0")
        params, cov, pvalues = robust.params, robust.cov_params(), robust.pvalues
        od.update(alpha=0.0, alpha_ci_low=float("nan"), alpha_ci_high=float("nan"),
                  lr_stat=float("nan"), lr_p_value=float("nan"))
    terms = [c for c in keep if c != "const"]
    se = np.sqrt(np.diag(cov.loc[terms, terms].to_numpy()))
    beta = params[terms].to_numpy()
    refs = {"hour": f"hour={spec.hour_ref}", "weekday": "weekday=Mon", "hashtags": "hashtags=0",
            "mention": "no mention", "question": "no question", "content": "content=original"}
    effects = pd.DataFrame({
        "term": pd.array(terms, dtype="string"),
        "irr": np.exp(beta),
        "ci_low": np.exp(beta - z * se),
        "ci_high": np.exp(beta + z * se),
        "p_value": pvalues[terms].to_numpy(dtype="float64"),
        "reference": pd.array([refs[t.split("=")[0]] for t in terms], dtype="string"),
        "posts": pd.array([int(x[t].sum()) for t in terms], dtype="Int64"),
    })
    spec = _Spec(**{**spec.__dict__, "columns": tuple(keep)})
    return CountModel(effects=effects, overdispersion=od, posts=len(y), outcome=outcome, exposure=exposure,
                      dropped=dropped, spec=spec, params=params[keep], cov=cov.loc[keep, keep],
                      means=x.mean())


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
    frame = frame[frame[outcome].notna() & frame[exposure].notna() & (frame[exposure] > 0)
                  & frame["hashtag_count"].notna() & frame["mention_count"].notna() & frame["has_question"].notna()]
    return with_slot(frame, tz=tz).reset_index(drop=True)


def _spec_for(frame: pd.DataFrame, *, min_hour_posts: int, buckets, weekday: bool, hashtag_levels,
              mention: bool, question: bool, content: bool, weights: str | None = None) -> _Spec:
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
    return _Spec(buckets=buckets, hour_ref=hour_ref, weekday=weekday, hashtag_levels=tuple(hashtag_levels),
                 mention=mention, question=question, content=content)


def fit_engagement_model(
    metrics: pd.DataFrame,
    *,
    tz: str = "UTC",
    content: pd.DataFrame | None = None,
    min_hour_posts: int = 5,
    hour_buckets: dict[int, str] | None = None,
    weekday: bool = True,
    level: float = 0.95,
) -> CountModel:
    """Fit engagements ~ hour bucket + weekday + hashtags + mention + question + content type,
    NB2 with log(impressions) as offset.

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

    Returns
    -------
    CountModel
        ``.effects`` (term, irr, ci_low, ci_high, p_value, reference, posts) and
        ``.overdispersion``.

    Raises
    ------
    ParameterError
        Bad tz, missing columns, or too few posts for the terms.
    """
    frame = _prepare(metrics, "engagements", "impressions", tz, content)
    spec = _spec_for(frame, min_hour_posts=min_hour_posts, buckets=hour_buckets, weekday=weekday,
                     hashtag_levels=("0", "1", "2", "3", "4+"), mention=True, question=True,
                     content=content is not None)
    return _fit(frame, spec, "engagements", "impressions", level)


def fit_conversion_model(
    metrics: pd.DataFrame,
    *,
    tz: str = "UTC",
    min_hour_conversions: int = 10,
    hour_buckets: dict[int, str] | None = None,
    level: float = 0.95,
) -> CountModel:
    """Fit conversions ~ hour bucket + hashtag use (``hashtags=1+`` against none), with
    log(web clicks) as offset: conversion-rate ratios per web click, NB2 (or robust Poisson when
    the data show no overdispersion and NB2 does not converge).

    Conversions are rarer than engagements, so the automatic hour buckets merge neighbouring
    hours until each holds ``min_hour_conversions`` conversions (an hour with none would have an
    IRR of 0 and no interval); pass ``hour_buckets=DAYPARTS`` for conventional dayparts. Only
    posts with web clicks enter. Other arguments as :func:`fit_engagement_model`.
    """
    frame = _prepare(metrics, "conversions", "web_clicks", tz, None)
    spec = _spec_for(frame, min_hour_posts=min_hour_conversions, buckets=hour_buckets, weekday=False,
                     hashtag_levels=("0", "1+"), mention=False, question=False, content=False,
                     weights="conversions")
    return _fit(frame, spec, "conversions", "web_clicks", level)


def compare_with_planted(effects: pd.DataFrame, planted: dict[str, float]) -> pd.DataFrame:
    """Planted (true) rate ratios next to the estimates, for data whose truth is known.

    Parameters
    ----------
    effects : DataFrame
        A model's ``.effects`` (or ``.effects_at(level)``).
    planted : dict term -> true IRR against the same reference.

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
