"""An estimate with its confidence interval, and the ways calibration computes them.

Every interval is two-sided at ``LEVEL``. Bootstrap replicates use Poisson(1) row weights
(the Poisson bootstrap), so that all replicates are computed at once as a weight matrix.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..stats import t_interval

LEVEL = 0.95
BOOTSTRAP_REPLICATES = 200
BOOTSTRAP_CHUNK = 50
"""Replicates computed together (a chunk x rows weight matrix)."""
BOOTSTRAP_SEED = 20240304


def number(value: float | None, digits: int = 6) -> float | None:
    """A JSON-ready float rounded to ``digits`` significant digits; NaN and inf become None."""
    if value is None or not math.isfinite(value):
        return None
    return float(f"{float(value):.{digits}g}")


def z_value(level: float = LEVEL) -> float:
    """Two-sided standard normal critical value."""
    from scipy.special import ndtri

    return float(ndtri(0.5 + level / 2))


@dataclass(frozen=True)
class Estimate:
    """A point estimate and its confidence interval (NaN bounds when undefined)."""

    estimate: float
    ci_low: float
    ci_high: float

    def covers(self, value: float) -> bool:
        """Whether ``value`` lies in the interval."""
        return self.ci_low <= value <= self.ci_high

    def scaled(self, factor: float) -> Estimate:
        """The estimate of ``factor`` x the quantity (``factor`` > 0)."""
        return Estimate(self.estimate * factor, self.ci_low * factor, self.ci_high * factor)

    def as_dict(self) -> dict[str, Any]:
        return {"estimate": number(self.estimate), "ci_low": number(self.ci_low), "ci_high": number(self.ci_high)}


def exact(value: float) -> Estimate:
    """A quantity known without error (e.g. the cv of an exponential, 1)."""
    return Estimate(value, value, value)


def mean_estimate(values: np.ndarray) -> Estimate:
    """Mean with a Student t interval (NaN interval for fewer than two values)."""
    ci = t_interval(values, LEVEL)
    return Estimate(ci.mean, ci.ci_low, ci.ci_high)


def normal_estimate(value: float, standard_error: float, df: float = math.inf) -> Estimate:
    """``value`` +- q x ``standard_error``, q the normal (or Student t with ``df``) critical value."""
    from scipy.special import stdtrit

    q = z_value() if math.isinf(df) else float(stdtrit(df, 0.5 + LEVEL / 2))
    half = q * standard_error
    return Estimate(value, value - half, value + half)


def bootstrap_estimate(value: float, replicates: np.ndarray) -> Estimate:
    """``value`` with a normal interval from the bootstrap replicates' standard deviation."""
    finite = replicates[np.isfinite(replicates)]
    se = float(finite.std(ddof=1)) if finite.size > 1 else math.nan
    return normal_estimate(value, se)


def proportion_estimate(successes: int, n: int) -> Estimate:
    """A share ``successes / n`` with its Wilson score interval at ``LEVEL`` (good for small
    shares; ``scipy.stats.binomtest``); NaN when ``n`` is 0."""
    if n == 0:
        return Estimate(math.nan, math.nan, math.nan)
    from scipy.stats import binomtest

    ci = binomtest(successes, n).proportion_ci(confidence_level=LEVEL, method="wilson")
    return Estimate(successes / n, float(ci.low), float(ci.high))


def ratio_estimate(y: np.ndarray, x: np.ndarray) -> Estimate:
    """sum(y) / sum(x) with its linearised (delta method) interval, pairs assumed independent
    (Student t with n - 1 degrees of freedom, as the pairs are often days: few of them)."""
    n = y.size
    if n == 0 or x.sum() == 0:
        return Estimate(math.nan, math.nan, math.nan)
    ratio = float(y.sum() / x.sum())
    if n < 2:
        return Estimate(ratio, math.nan, math.nan)
    se = float(np.std(y - ratio * x, ddof=1) / (math.sqrt(n) * x.mean()))
    return normal_estimate(ratio, se, df=n - 1)


def bootstrap_weight_chunks(n: int, seed: int = BOOTSTRAP_SEED):
    """Yield Poisson(1) weight matrices (chunk x n) that add up to ``BOOTSTRAP_REPLICATES`` rows."""
    rng = np.random.default_rng(seed)
    left = BOOTSTRAP_REPLICATES
    while left > 0:
        size = min(BOOTSTRAP_CHUNK, left)
        left -= size
        yield rng.poisson(1.0, (size, n)).astype(float)
