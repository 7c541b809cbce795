"""The service-time model fitted to the till log: ``service.fixed_min``, ``per_item_min``,
``distribution`` and ``cv``, each with a bootstrap confidence interval.

Steps: a Huber line through time against items (``service_regression``), the residual
ratios ``time / line`` fitted by each family (``families``), the family with the lowest AIC
kept, and the line rescaled by that family's mean so that ``fixed + per_item x items`` is
the *mean* time of a basket, as storesim reads it. The bootstrap (Poisson row weights,
``estimate.BOOTSTRAP_REPLICATES`` replicates) repeats the line, the rescaling and the cv.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .estimate import Estimate, bootstrap_estimate, bootstrap_weight_chunks, exact, number
from .families import FamilyFit, best_family, fit_families, moments
from .service_regression import huber_line, replicate_lines


@dataclass
class ServiceModel:
    """The fitted service-time model and what it was chosen from."""

    fixed_min: Estimate
    per_item_min: Estimate
    distribution: str
    cv: Estimate
    fits: dict[str, FamilyFit]
    residuals: np.ndarray
    """Unit-mean residual ratios ``time / mean time`` of the fitted rows (for the Q-Q plot)."""
    huber_scale: float

    def mean_time(self, items: np.ndarray) -> np.ndarray:
        """Mean service time (minutes) of baskets of ``items``."""
        return self.fixed_min.estimate + self.per_item_min.estimate * np.asarray(items, dtype=float)

    def as_dict(self) -> dict:
        return {"fixed_min": self.fixed_min.as_dict(), "per_item_min": self.per_item_min.as_dict(),
                "distribution": self.distribution, "cv": self.cv.as_dict(),
                "rows": int(self.residuals.size), "regression": "Huber M-estimator on relative residuals, "
                f"k=1.345, scale {number(self.huber_scale, 4)}; line rescaled by the fitted family's mean",
                "families": {name: fit.as_dict() for name, fit in self.fits.items()}}


def point_line(items: np.ndarray, times: np.ndarray) -> np.ndarray:
    """The Huber line ``(fixed, per_item)`` alone (not rescaled, no interval)."""
    return huber_line(items, times)[0]


def fit_service(items: np.ndarray, times: np.ndarray) -> ServiceModel:
    """Fit the service model to transactions with ``items`` and ``times`` (minutes, > 0)."""
    items, times = np.asarray(items, dtype=float), np.asarray(times, dtype=float)
    coef, scale = huber_line(items, times)
    ratios = times / (coef[0] + coef[1] * items)
    fits = fit_families(ratios)
    family = best_family(fits)
    mean, cv = fits[family].mean, fits[family].cv
    replicates = []
    for weights in bootstrap_weight_chunks(times.size):
        lines = replicate_lines(items, times, weights, coef, scale)
        rep_ratios = times / (lines[:, :1] + lines[:, 1:] * items)
        rep_mean, rep_cv = moments(family, rep_ratios, weights)
        replicates.append(np.column_stack([lines[:, 0] * rep_mean, lines[:, 1] * rep_mean, rep_cv]))
    reps = np.vstack(replicates)
    cv_estimate = exact(1.0) if family == "exponential" else bootstrap_estimate(cv, reps[:, 2])
    return ServiceModel(bootstrap_estimate(coef[0] * mean, reps[:, 0]),
                        bootstrap_estimate(coef[1] * mean, reps[:, 1]),
                        family, cv_estimate, fits, ratios / mean, scale)
