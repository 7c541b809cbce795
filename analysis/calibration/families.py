"""Which distribution the service-time residuals follow: exponential, lognormal or gamma.

Each family is fitted by maximum likelihood to the residual ratios ``time / line`` (all
positive), compared by AIC (``2 x parameters - 2 x log-likelihood``; lowest wins) and checked
with the Kolmogorov-Smirnov statistic (the largest gap between the empirical and the fitted
distribution functions; with fitted parameters the usual KS p-value would be too kind, so
only the statistic is reported). What storesim needs from the winner is its mean (to rescale
the line) and its coefficient of variation (``service.cv``).

The moment functions take a weight matrix, one row per bootstrap replicate, so intervals
come from one vectorised pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

FAMILIES = ("exponential", "lognormal", "gamma")
PARAMETERS = {"exponential": 1, "lognormal": 2, "gamma": 2}


def gamma_shape(s: np.ndarray) -> np.ndarray:
    """Gamma MLE shape from ``s = log(mean) - mean(log x)`` (> 0): Minka's start, then Newton."""
    from scipy.special import digamma, polygamma

    s = np.maximum(np.asarray(s, dtype=float), 1e-12)
    k = (3.0 - s + np.sqrt((s - 3.0) ** 2 + 24.0 * s)) / (12.0 * s)
    for _ in range(8):
        k = np.maximum(k - (np.log(k) - digamma(k) - s) / (1.0 / k - polygamma(1, k)), 1e-8)
    return k


def moments(family: str, ratios: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and cv of ``family`` fitted by weighted ML to each row of ``ratios`` (B x n or n)."""
    total = weights.sum(-1)
    mean = (weights * ratios).sum(-1) / total
    if family == "exponential":
        return mean, np.ones_like(mean)
    logs = np.log(ratios)
    log_mean = (weights * logs).sum(-1) / total
    if family == "gamma":
        return mean, 1.0 / np.sqrt(gamma_shape(np.log(mean) - log_mean))
    log_var = (weights * (logs - log_mean[..., None]) ** 2).sum(-1) / total
    return np.exp(log_mean + log_var / 2), np.sqrt(np.expm1(log_var))


def unit_distribution(family: str, cv: float) -> Any:
    """The frozen scipy distribution of ``family`` with mean 1 and coefficient of variation ``cv``."""
    from scipy import stats

    if family == "exponential":
        return stats.expon()
    if family == "gamma":
        shape = 1.0 / cv**2
        return stats.gamma(shape, scale=1.0 / shape)
    sigma2 = math.log1p(cv**2)
    return stats.lognorm(math.sqrt(sigma2), scale=math.exp(-sigma2 / 2))


@dataclass(frozen=True)
class FamilyFit:
    """One family fitted to the residual ratios."""

    family: str
    mean: float
    cv: float
    log_likelihood: float
    ks_statistic: float

    @property
    def aic(self) -> float:
        return 2 * PARAMETERS[self.family] - 2 * self.log_likelihood

    def as_dict(self) -> dict[str, float]:
        from .estimate import number

        return {"aic": number(self.aic, 10), "log_likelihood": number(self.log_likelihood, 10),
                "ks_statistic": number(self.ks_statistic, 4), "mean": number(self.mean), "cv": number(self.cv)}


def fit_family(family: str, ratios: np.ndarray) -> FamilyFit:
    """Maximum-likelihood fit of ``family`` to ``ratios`` with its AIC and KS statistic."""
    from scipy import stats

    mean, cv = (float(v) for v in moments(family, ratios, np.ones_like(ratios)))
    dist = unit_distribution(family, cv)
    # Scale the data to unit mean: the log-likelihood then drops n x log(mean) (Jacobian).
    unit = ratios / mean
    log_likelihood = float(dist.logpdf(unit).sum() - unit.size * math.log(mean))
    ks = float(stats.kstest(unit, dist.cdf).statistic)
    return FamilyFit(family, mean, cv, log_likelihood, ks)


def fit_families(ratios: np.ndarray) -> dict[str, FamilyFit]:
    """Every family of ``FAMILIES`` fitted to ``ratios``."""
    return {family: fit_family(family, ratios) for family in FAMILIES}


def best_family(fits: dict[str, FamilyFit]) -> str:
    """The family with the lowest AIC."""
    return min(fits, key=lambda name: fits[name].aic)
