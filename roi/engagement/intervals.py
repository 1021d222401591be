"""95% intervals for the rates roi shows.

Wilson and Beta for proportions, bootstrap and the delta method for ratios of sums.

* A **proportion** counts successes out of trials that could each succeed once: link clicks out
  of impressions, conversions out of web clicks. Wilson's score interval (or the Beta posterior
  under a Jeffreys prior) behaves at 0 and at small counts, where the normal interval fails.
* A **ratio of sums** over posts (engagements / impressions, where one impression can yield
  several engagements and posts differ) gets its uncertainty from the posts: the bootstrap
  resamples posts. Resampling is vectorised: a (reps x posts) matrix of multinomial counts turns
  every replicate into two matrix-vector products. For large cells (and on Dask, where posts are
  not gathered) the delta method on the sums Σy, Σx, Σy², Σx², Σxy gives the same interval to
  first order.

Examples
--------
>>> lo, hi = wilson_interval([0, 5], [10, 10])
>>> [round(float(v), 3) for v in lo], [round(float(v), 3) for v in hi]
([0.0, 0.237], [0.278, 0.763])
>>> lo, hi = bootstrap_ratio([5, 7, 1, 9], [100, 120, 40, 150], seed=1)
>>> bool(lo < 22 / 410 < hi)
True
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from roi.errors import ParameterError

__all__ = [
    "wilson_interval",
    "beta_interval",
    "bootstrap_ratio",
    "delta_ratio_interval",
    "ratio_sums",
]

# Reps x posts cells materialised at once by the bootstrap (bounds its memory to ~400 MB).
_BOOT_CHUNK_CELLS = 50_000_000


def _check_level(level: float) -> float:
    if not 0 < level < 1:
        raise ParameterError(f"level={level!r}: expected a confidence level between 0 and 1, e.g. 0.95")
    return float(level)


def wilson_interval(successes, trials, *, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for successes / trials, element-wise.

    Parameters
    ----------
    successes, trials : array-like of numbers
        Counts; where ``trials`` is 0 or missing the interval is NaN.
    level : float, default 0.95
        Confidence level, between 0 and 1.

    Returns
    -------
    (low, high) : tuple of float arrays

    Raises
    ------
    ParameterError
        If a count is negative or successes exceed trials.

    Examples
    --------
    >>> lo, hi = wilson_interval(2, 8)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.0715, 0.5907)
    """
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    if np.any(k < 0) or np.any(n < 0) or np.any(k > n):
        raise ParameterError("wilson_interval: expected 0 <= successes <= trials")
    z = stats.norm.ppf(0.5 + _check_level(level) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        n = np.where(n > 0, n, np.nan)
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def beta_interval(successes, trials, *, level: float = 0.95, prior: tuple[float, float] = (0.5, 0.5)):
    """Equal-tailed interval of the Beta posterior of a proportion (Jeffreys prior by default).

    Examples
    --------
    >>> lo, hi = beta_interval(2, 8)
    >>> round(float(lo), 3), round(float(hi), 3)
    (0.056, 0.592)
    """
    k = np.asarray(successes, dtype="float64")
    n = np.asarray(trials, dtype="float64")
    if np.any(k < 0) or np.any(k > n):
        raise ParameterError("beta_interval: expected 0 <= successes <= trials")
    tail = (1 - _check_level(level)) / 2
    a, b = k + prior[0], n - k + prior[1]
    with np.errstate(invalid="ignore"):
        lo = np.where(n > 0, stats.beta.ppf(tail, a, b), np.nan)
        hi = np.where(n > 0, stats.beta.ppf(1 - tail, a, b), np.nan)
    return lo, hi


def bootstrap_ratio(numerator, denominator, *, n_boot: int = 2000, level: float = 0.95,
                    seed: int | np.random.Generator = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of Σ numerator / Σ denominator, resampling posts.

    Parameters
    ----------
    numerator, denominator : array-like
        One value per post (e.g. engagements and impressions).
    n_boot : int, default 2000
        Bootstrap replicates.
    level : float, default 0.95
        Confidence level, between 0 and 1.
    seed : int or numpy Generator
        Makes the interval reproducible.

    Returns
    -------
    (low, high) : floats; NaN when there are no posts or the denominator sums to 0.

    Examples
    --------
    >>> bootstrap_ratio([3, 3, 3], [100, 100, 100], seed=0)
    (0.03, 0.03)
    """
    y = np.asarray(numerator, dtype="float64")
    x = np.asarray(denominator, dtype="float64")
    n = len(y)
    if n == 0 or x.sum() <= 0:
        return float("nan"), float("nan")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    tail = (1 - _check_level(level)) / 2
    ratios = np.empty(n_boot)
    chunk = max(1, _BOOT_CHUNK_CELLS // n)
    p = np.full(n, 1.0 / n)
    for start in range(0, n_boot, chunk):  # one pass unless a cell holds tens of thousands of posts
        reps = min(chunk, n_boot - start)
        w = rng.multinomial(n, p, size=reps).astype("float64")
        with np.errstate(invalid="ignore", divide="ignore"):
            ratios[start:start + reps] = (w @ y) / (w @ x)
    lo, hi = np.nanquantile(ratios, [tail, 1 - tail])
    return float(lo), float(hi)


def delta_ratio_interval(sum_y, sum_x, sum_yy, sum_xx, sum_xy, n, *, level: float = 0.95):
    """Compute the normal interval of R = Σy/Σx from the sums, with the ratio estimator's variance.

    Var(R) ≈ n / (n - 1) · Σ (y_i − R x_i)² / (Σx)², computed from Σy², Σx² and Σxy so that it
    can be aggregated anywhere a sum can (e.g. a Dask groupby). Element-wise; the low end is
    clipped at 0.

    Examples
    --------
    >>> lo, hi = delta_ratio_interval(22, 410, 156, 48500, 2730, 4)
    >>> round(float(lo), 4), round(float(hi), 4)
    (0.0446, 0.0627)
    """
    y, x, yy, xx, xy, n = (np.asarray(v, dtype="float64") for v in (sum_y, sum_x, sum_yy, sum_xx, sum_xy, n))
    z = stats.norm.ppf(0.5 + _check_level(level) / 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = y / np.where(x > 0, x, np.nan)
        resid = np.clip(yy - 2 * r * xy + r * r * xx, 0, None)
        se = np.sqrt(np.where(n > 1, n / (n - 1), np.nan) * resid) / x
    return np.clip(r - z * se, 0, None), r + z * se


def ratio_sums(numerator, denominator) -> dict[str, float]:
    """Return the sums :func:`delta_ratio_interval` needs, for one group of posts."""
    y = np.asarray(numerator, dtype="float64")
    x = np.asarray(denominator, dtype="float64")
    return {"sum_y": y.sum(), "sum_x": x.sum(), "sum_yy": (y * y).sum(), "sum_xx": (x * x).sum(),
            "sum_xy": (x * y).sum(), "n": float(len(y))}
