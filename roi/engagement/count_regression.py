"""One negative-binomial fitting rule for every count model roi fits (engagement, conversion, A/B).

Why one helper: the timing model and the A/B test's GLM used to fit NB2 in two different ways,
with different convergence checks and fallbacks; a reader could not tell which intervals to
trust. The rule (docs/metrics.md, "Count models"):

1. Fit NB2 (Var = μ + α μ²) by maximum likelihood, α estimated jointly with β
   (``statsmodels.discrete.NegativeBinomial``), Newton first, then BFGS.
2. The fit is accepted when the optimiser converged, every standard error is finite and α is
   finite. Its Wald intervals use model-based errors, or cluster-robust errors by ``groups``.
3. Otherwise (typically α ≈ 0, or a design that cannot carry the model): Poisson GLM with
   robust (sandwich) errors, cluster-robust by ``groups`` when given. The fallback is said in
   ``note``, with the Poisson Pearson χ²/df so the reader sees how overdispersed the data were.

Always reported: the Poisson fit's Pearson χ²/df (≈ 1 when Poisson would do) and, for NB2, α
with the likelihood-ratio test of α = 0 (halved p-value: α = 0 lies on the boundary).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from roi.errors import ParameterError

__all__ = ["CountFit", "fit_negative_binomial", "NB_FAMILY", "POISSON_FALLBACK"]

#: ``CountFit.family`` of an accepted NB2 fit.
NB_FAMILY = "negative binomial (NB2)"
#: ``CountFit.family`` when NB2 could not be fitted.
POISSON_FALLBACK = "poisson"


@dataclass(frozen=True)
class CountFit:
    """The result of :func:`fit_negative_binomial`.

    Attributes
    ----------
    params, bse, pvalues : Series
        Coefficients (log rate ratios) by column name, their standard errors and Wald p-values.
    cov : DataFrame
        Their covariance.
    family : str
        :data:`NB_FAMILY` or :data:`POISSON_FALLBACK`.
    overdispersion : dict
        family, alpha, alpha_ci_low, alpha_ci_high, lr_stat, lr_p_value,
        poisson_pearson_dispersion, poisson_deviance_dispersion, fallback (bool), note (str or
        None: the fallback said in words).
    notes : list of str
        Sentences about the fit (fallback, convergence).
    """

    params: pd.Series
    bse: pd.Series
    pvalues: pd.Series
    cov: pd.DataFrame
    family: str
    overdispersion: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def interval(self, term: str, *, level: float = 0.95) -> tuple[float, float, float]:
        """(rate ratio, low, high) of one coefficient at ``level``."""
        z = stats.norm.ppf(0.5 + level / 2)
        b, s = float(self.params[term]), float(self.bse[term])
        return math.exp(b), math.exp(b - z * s), math.exp(b + z * s)


def _cov_options(groups) -> dict[str, Any]:
    if groups is None:
        return {}
    return {"cov_type": "cluster", "cov_kwds": {"groups": np.asarray(pd.factorize(np.asarray(groups))[0])}}


def fit_negative_binomial(y, design: pd.DataFrame, *, offset, groups=None, level: float = 0.95) -> CountFit:
    """Fit counts ``y`` on ``design`` with ``offset`` (log exposure) by the rule above.

    Parameters
    ----------
    y : array-like
        Non-negative counts.
    design : DataFrame
        The design matrix, a ``const`` column included; column names become term names.
    offset : array-like
        log(exposure) of each row.
    groups : array-like, optional
        Cluster labels (e.g. the pair of a paired A/B test): cluster-robust errors.
    level : float, default 0.95
        Level of α's interval.

    Returns
    -------
    CountFit

    Raises
    ------
    ParameterError
        When neither NB2 nor Poisson can be fitted to these rows.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = pd.DataFrame({"const": 1.0, "b": np.repeat([0.0, 1.0], 200)})
    >>> mu = 1000 * 0.02 * np.where(x["b"] == 1, 1.5, 1.0)
    >>> y = rng.poisson(mu * rng.gamma(5, 1 / 5, 400))
    >>> fit = fit_negative_binomial(y, x, offset=np.log(np.full(400, 1000.0)))
    >>> irr, low, high = fit.interval("b")
    >>> fit.family, round(irr, 2), bool(low < 1.5 < high)  # the planted ratio is inside
    ('negative binomial (NB2)', 1.51, True)
    """
    import statsmodels.api as sm
    from statsmodels.discrete.discrete_model import NegativeBinomial
    from statsmodels.tools.sm_exceptions import (
        ConvergenceWarning,
        HessianInversionWarning,
        PerfectSeparationWarning,
    )

    y = np.asarray(y, dtype="float64")
    offset = np.asarray(offset, dtype="float64")
    names = list(design.columns)
    z = stats.norm.ppf(0.5 + level / 2)
    cov_opts = _cov_options(groups)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", (ConvergenceWarning, HessianInversionWarning, RuntimeWarning,
                                         PerfectSeparationWarning))
        try:
            poisson = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit()
        except (np.linalg.LinAlgError, ValueError) as exc:
            raise ParameterError(f"the count model cannot be fitted to these {len(y)} posts: too few posts, "
                                 "or too alike, for its terms; add history") from exc
        nb = None
        for method in ("newton", "bfgs"):
            try:
                fit = NegativeBinomial(y, design, loglike_method="nb2", offset=offset).fit(
                    method=method, maxiter=300, disp=0, **cov_opts)
            except (np.linalg.LinAlgError, ValueError):
                continue
            if (fit.mle_retvals.get("converged", False) and np.all(np.isfinite(fit.bse))
                    and math.isfinite(float(fit.params["alpha"]))):
                nb = fit
                break
        dof = poisson.df_resid
        od: dict[str, Any] = {
            "family": NB_FAMILY if nb is not None else POISSON_FALLBACK,
            "poisson_pearson_dispersion": float(poisson.pearson_chi2 / dof) if dof > 0 else float("nan"),
            "poisson_deviance_dispersion": float(poisson.deviance / dof) if dof > 0 else float("nan"),
            "fallback": nb is None, "note": None,
        }
        notes: list[str] = []
        if nb is not None:
            params, cov, bse, pvalues = nb.params[names], nb.cov_params().loc[names, names], nb.bse[names], \
                nb.pvalues[names]
            alpha, se_alpha = float(nb.params["alpha"]), float(nb.bse["alpha"])
            lr = max(0.0, 2 * (nb.llf - poisson.llf))
            with np.errstate(over="ignore"):
                high = float(alpha * np.exp(z * se_alpha / alpha)) if alpha > 0 else float("nan")
            od.update(alpha=alpha,
                      alpha_ci_low=float(alpha * np.exp(-z * se_alpha / alpha)) if alpha > 0 else 0.0,
                      alpha_ci_high=high if math.isfinite(high) else float("nan"),
                      lr_stat=float(lr), lr_p_value=float(0.5 * stats.chi2.sf(lr, 1)))
        else:
            robust = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit(
                **(cov_opts or {"cov_type": "HC0"}))
            params, cov, bse, pvalues = robust.params, robust.cov_params(), robust.bse, robust.pvalues
            # NB2 fails to converge mostly when alpha's MLE sits on its boundary 0: with a Poisson
            # Pearson chi2/df near 1 that is the answer (alpha = 0); otherwise alpha is unknown.
            near_poisson = od["poisson_pearson_dispersion"] <= 1.5
            od.update(alpha=0.0 if near_poisson else float("nan"), alpha_ci_low=float("nan"),
                      alpha_ci_high=float("nan"), lr_stat=float("nan"), lr_p_value=float("nan"))
            od["note"] = ("the negative-binomial model did not converge, so a Poisson model with robust "
                          f"(sandwich) errors was used instead; Poisson Pearson chi2/df = "
                          f"{od['poisson_pearson_dispersion']:.3g} (1 would mean no overdispersion)")
            notes.append(od["note"])
    params = pd.Series(np.asarray(params, dtype="float64"), index=names)
    bse = pd.Series(np.asarray(bse, dtype="float64"), index=names)
    pvalues = pd.Series(np.asarray(pvalues, dtype="float64"), index=names)
    cov = pd.DataFrame(np.asarray(cov, dtype="float64"), index=names, columns=names)
    if not np.all(np.isfinite(bse)):
        raise ParameterError(f"the count model cannot be fitted to these {len(y)} posts: some terms have no "
                             "finite standard error (too few posts for its terms)")
    return CountFit(params=params, bse=bse, pvalues=pvalues, cov=cov, family=od["family"],
                    overdispersion=od, notes=notes)
