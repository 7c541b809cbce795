"""The service-time model fitted to the till log: ``service.fixed_min``, ``per_item_min``,
``distribution`` and ``cv``, each with a bootstrap confidence interval.

Steps: a Huber line through time against items (``service_regression``), the residual
ratios ``time / line`` fitted by each family (``families``), the family with the lowest AIC
kept, and the line rescaled by that family's mean so that ``fixed + per_item x items`` is
the *mean* time of a basket, as storesim reads it. The bootstrap (Poisson row weights,
``estimate.BOOTSTRAP_REPLICATES`` replicates) repeats the line, the rescaling and the cv.

The Huber line bounds the pull of a wild row, but the family's maximum-likelihood fit does
not: ratios whose log lies more than ``FENCE`` robust scales (1.4826 x MAD) from the median
log ratio are *far outliers* (a till left open for half an hour on a two-minute basket),
left out of the family fit, the rescaling and the cv, and listed by file line. Under the
families themselves such ratios are rarer than one in a thousand.

Residual checks (``ResidualChecks``), on the ratios ``time / fitted mean time``, each with
the limit beyond which the model is in doubt:

- ``far_outliers``: the share of rows beyond the fence (limit ``FAR_OUTLIER_LIMIT``);

- ``downweighted_share``: rows the Huber fit gave less than full weight (``|ratio - 1|``
  over ``HUBER_K`` robust scales); about 10-20% for lognormal times, more means many slow
  outliers; the ``largest`` ratios are listed with their file lines;
- ``trend_with_items``: the largest gap between the median ratio of a basket-size band
  (``BANDS`` bands of equal count) and the overall median, relative; near 0 when the mean
  time is linear in items, whatever the shape of a misfit (limit ``TREND_LIMIT``);
- ``spread_with_items``: the same for the robust spread (MAD) of the log ratio; storesim's
  multiplicative model has the same relative spread for every basket (limit ``SPREAD_LIMIT``);
- ``ks_statistic`` of the chosen family (limit ``KS_LIMIT``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .estimate import Estimate, bootstrap_estimate, bootstrap_weight_chunks, exact, number
from .families import FamilyFit, best_family, fit_families, moments
from .service_regression import HUBER_K, huber_line, replicate_lines

TREND_LIMIT = 0.1
"""Largest acceptable relative gap between a basket-size band's median ratio and the overall one."""
SPREAD_LIMIT = 0.25
"""Largest acceptable relative gap between a band's spread of log ratios and the overall one."""
BANDS = 5
KS_LIMIT = 0.05
"""Largest acceptable Kolmogorov-Smirnov statistic of the chosen family."""
DOWNWEIGHTED_LIMIT = 0.25
"""Largest acceptable share of rows the Huber fit down-weights."""
LARGEST_SHOWN = 5
FENCE = 5.0
"""Robust scales of log ratio beyond which a row is a far outlier, left out of the family fit."""
FAR_OUTLIER_LIMIT = 0.01
"""Largest acceptable share of far outliers."""


def far_outliers(ratios: np.ndarray) -> np.ndarray:
    """Mask of ratios whose log lies more than ``FENCE`` robust scales from the median log."""
    logs = np.log(np.maximum(ratios, 1e-300))
    middle = np.median(logs)
    scale = 1.4826 * float(np.median(np.abs(logs - middle)))
    return np.abs(logs - middle) > FENCE * scale if scale > 0 else np.zeros(ratios.size, dtype=bool)


@dataclass
class ResidualChecks:
    """How well the fitted service model describes its own rows (see the module docstring)."""

    downweighted_share: float
    far_outliers: int
    far_outlier_share: float
    trend_with_items: float
    spread_with_items: float
    ks_statistic: float
    largest: list[dict]
    """The ``LARGEST_SHOWN`` largest ratios: ``{"line", "items", "minutes", "ratio"}``."""

    def failed(self) -> list[str]:
        """The checks beyond their limit, in words (empty when the fit looks right)."""
        out = []
        if self.far_outlier_share > FAR_OUTLIER_LIMIT:
            out.append(f"{self.far_outlier_share:.1%} of rows are far outliers (limit {FAR_OUTLIER_LIMIT:.0%}), "
                       "left out of the family fit")
        if self.downweighted_share > DOWNWEIGHTED_LIMIT:
            out.append(f"{self.downweighted_share:.0%} of rows down-weighted as outliers (limit "
                       f"{DOWNWEIGHTED_LIMIT:.0%})")
        if abs(self.trend_with_items) > TREND_LIMIT:
            out.append(f"residuals drift with basket size (a band's median off by {self.trend_with_items:.0%}, "
                       f"limit {TREND_LIMIT:.0%}): time is not linear in items")
        if abs(self.spread_with_items) > SPREAD_LIMIT:
            out.append(f"residual spread changes with basket size (a band's spread off by "
                       f"{self.spread_with_items:.0%}, limit {SPREAD_LIMIT:.0%}): variation is not proportional "
                       "to the mean")
        if self.ks_statistic > KS_LIMIT:
            out.append(f"the chosen family fits poorly (KS {self.ks_statistic:.3f}, limit {KS_LIMIT})")
        return out

    def summary(self) -> str:
        """One line for the end-of-run summary."""
        verdict = "; ".join(self.failed()) or "all within limits"
        return (f"{self.far_outliers} far outliers left out, {self.downweighted_share:.1%} down-weighted, "
                f"trend with items {self.trend_with_items:.1%}, spread with items {self.spread_with_items:.1%}, "
                f"KS {self.ks_statistic:.3f}: {verdict}")

    def as_dict(self) -> dict:
        return {"far_outliers": {"rows": self.far_outliers, "share": number(self.far_outlier_share, 4),
                                 "limit": FAR_OUTLIER_LIMIT, "fence": f"|log ratio - median| > {FENCE} robust scales"},
                "downweighted_share": {"value": number(self.downweighted_share, 4), "limit": DOWNWEIGHTED_LIMIT},
                "trend_with_items": {"value": number(self.trend_with_items, 4), "limit": TREND_LIMIT,
                                     "statistic": f"largest |median ratio of a basket-size band / overall median "
                                                  f"- 1| over {BANDS} bands"},
                "spread_with_items": {"value": number(self.spread_with_items, 4), "limit": SPREAD_LIMIT,
                                      "statistic": f"largest |MAD of log ratio in a band / overall MAD - 1| over "
                                                   f"{BANDS} bands"},
                "ks_statistic": {"value": number(self.ks_statistic, 4), "limit": KS_LIMIT},
                "passed": not self.failed(), "problems": self.failed(), "largest_ratios": self.largest}


def residual_checks(items: np.ndarray, times: np.ndarray, ratios: np.ndarray, z: np.ndarray, far: np.ndarray,
                    ks: float, file_lines: np.ndarray | None) -> ResidualChecks:
    """The checks of unit-mean ``ratios`` (``z``: the Huber-standardised relative residuals;
    ``far``: the far outliers, left out of the correlations)."""
    import pandas as pd

    kept, x = ratios[~far], items[~far]
    logs = pd.Series(np.log(kept))
    band = pd.qcut(pd.Series(x).rank(method="first"), min(BANDS, x.size), labels=False)
    middle = np.median(kept)
    trend = float(np.max(np.abs(pd.Series(kept).groupby(band).median() / middle - 1.0)))
    deviation = (logs - logs.median()).abs()
    spread = float(np.max(np.abs(deviation.groupby(band).median() / deviation.median() - 1.0)))
    top = np.argsort(ratios)[::-1][:LARGEST_SHOWN]
    line_of = file_lines if file_lines is not None else np.arange(ratios.size) + 2
    largest = [{"line": int(line_of[k]), "items": int(items[k]), "minutes": number(times[k], 4),
                "ratio": number(ratios[k], 4), "far_outlier": bool(far[k])} for k in top]
    return ResidualChecks(float(np.mean(z > HUBER_K)), int(far.sum()), float(far.mean()), trend, spread, ks,
                          largest)


@dataclass
class ServiceModel:
    """The fitted service-time model and what it was chosen from."""

    fixed_min: Estimate
    per_item_min: Estimate
    distribution: str
    cv: Estimate
    fits: dict[str, FamilyFit]
    residuals: np.ndarray
    """Unit-mean residual ratios ``time / mean time`` of the fitted rows, far outliers left out
    (for the Q-Q plot)."""
    huber_scale: float
    checks: ResidualChecks

    @property
    def rows(self) -> int:
        """Transactions the line was fitted to (far outliers included)."""
        return int(self.residuals.size + self.checks.far_outliers)

    def mean_time(self, items: np.ndarray) -> np.ndarray:
        """Mean service time (minutes) of baskets of ``items``."""
        return self.fixed_min.estimate + self.per_item_min.estimate * np.asarray(items, dtype=float)

    def as_dict(self) -> dict:
        return {"fixed_min": self.fixed_min.as_dict(), "per_item_min": self.per_item_min.as_dict(),
                "distribution": self.distribution, "cv": self.cv.as_dict(),
                "rows": self.rows, "regression": "Huber M-estimator on relative residuals, "
                f"k={HUBER_K}, scale {number(self.huber_scale, 4)}, started from Siegel's repeated-medians line; "
                "line rescaled by the fitted family's mean",
                "families": {name: fit.as_dict() for name, fit in self.fits.items()},
                "residual_checks": self.checks.as_dict()}


def point_line(items: np.ndarray, times: np.ndarray) -> np.ndarray:
    """The Huber line ``(fixed, per_item)`` alone (not rescaled, no interval)."""
    return huber_line(items, times)[0]


def fit_service(items: np.ndarray, times: np.ndarray, file_lines: np.ndarray | None = None) -> ServiceModel:
    """Fit the service model to transactions with ``items`` and ``times`` (minutes, > 0);
    ``file_lines`` (their lines in the file) name the largest residuals."""
    items, times = np.asarray(items, dtype=float), np.asarray(times, dtype=float)
    coef, scale = huber_line(items, times)
    ratios = times / (coef[0] + coef[1] * items)
    z = np.abs(ratios - 1.0) / max(scale, 1e-12)
    far = far_outliers(ratios)
    keep = (~far).astype(float)
    fits = fit_families(ratios[~far])
    family = best_family(fits)
    mean, cv = fits[family].mean, fits[family].cv
    replicates = []
    for weights in bootstrap_weight_chunks(times.size):
        lines = replicate_lines(items, times, weights, coef, scale)
        rep_ratios = times / (lines[:, :1] + lines[:, 1:] * items)
        rep_mean, rep_cv = moments(family, rep_ratios, weights * keep)
        replicates.append(np.column_stack([lines[:, 0] * rep_mean, lines[:, 1] * rep_mean, rep_cv]))
    reps = np.vstack(replicates)
    cv_estimate = exact(1.0) if family == "exponential" else bootstrap_estimate(cv, reps[:, 2])
    checks = residual_checks(items, times, ratios / mean, z, far, fits[family].ks_statistic, file_lines)
    return ServiceModel(bootstrap_estimate(coef[0] * mean, reps[:, 0]),
                        bootstrap_estimate(coef[1] * mean, reps[:, 1]),
                        family, cv_estimate, fits, ratios[~far] / mean, scale, checks)
