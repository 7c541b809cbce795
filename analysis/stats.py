"""Confidence intervals over independent simulation replications.

Non-finite values (NaN, ±inf) are dropped before anything is computed, so a
replication that produced no observation does not poison the summary; ``n``
counts the values actually used.

A quantity with a known domain (a share in [0, 1], a count or cost >= 0) gets its
t interval clipped to that domain (``t_interval(..., domain=SHARE)``): the true mean
lies in the domain, so clipping removes only impossible values and the interval
covers the mean exactly when the unclipped one does. Intervals from fewer than
``ROUGH_BELOW`` replications are rough (``rough_intervals``).

The intervals are scipy.stats': ``t.interval`` for one sample and for paired differences,
``ttest_ind(equal_var=False)`` for Welch's; this module adds the handling of non-finite
values, degenerate samples and domains.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Iterable

import numpy as np

_NAN = float("nan")

ROUGH_BELOW = 5
"""Intervals from fewer replications than this are rough: the t quantile is large
(2.78 at 5, 12.7 at 2 replications) and they lean on normality."""


def rough_intervals(replications: int) -> bool:
    """Whether intervals over ``replications`` replications are rough (fewer than ``ROUGH_BELOW``)."""
    return replications < ROUGH_BELOW


def rough_note(replications: int, key: str = "run.replications") -> str | None:
    """One line saying the intervals are rough (naming ``key`` to raise), or None when they are not."""
    if not rough_intervals(replications):
        return None
    what = "1 replication gives no intervals" if replications < 2 else f"{replications} replications give rough intervals"
    return (f"note: {what}; "
            f"set {key}={ROUGH_BELOW} or more for usable 95% intervals")


@dataclass(frozen=True)
class Domain:
    """The values a quantity can take: ``low <= x <= high`` (either end may be infinite)."""

    name: str
    low: float = -math.inf
    high: float = math.inf

    def __post_init__(self) -> None:
        if not self.low < self.high:
            raise ValueError(f"domain {self.name!r}: low must be below high, got [{self.low}, {self.high}]")

    def contains(self, value: float) -> bool:
        """Whether ``value`` lies in the domain (NaN does not)."""
        return bool(self.low <= value <= self.high)

    def clip(self, ci: ConfidenceInterval) -> ConfidenceInterval:
        """``ci`` with its ends moved into the domain (NaN ends stay NaN; mean and std unchanged)."""
        low = ci.ci_low if math.isnan(ci.ci_low) else min(max(ci.ci_low, self.low), self.high)
        high = ci.ci_high if math.isnan(ci.ci_high) else min(max(ci.ci_high, self.low), self.high)
        return ConfidenceInterval(ci.mean, ci.std, low, high, ci.n)


UNBOUNDED = Domain("unbounded")
"""Any real number, e.g. a paired difference."""
NON_NEGATIVE = Domain("non-negative", 0.0)
"""Counts, times and costs."""
SHARE = Domain("share", 0.0, 1.0)
"""Shares and probabilities."""


@dataclass(frozen=True)
class ConfidenceInterval:
    """Mean with a two-sided confidence interval; ``n`` is the number of values used."""

    mean: float
    std: float
    ci_low: float
    ci_high: float
    n: int

    @property
    def half_width(self) -> float:
        """Half the interval width (NaN when the interval is undefined)."""
        return (self.ci_high - self.ci_low) / 2.0

    def as_dict(self) -> dict[str, float]:
        """The JSON shape written by the app: mean, std, ci_low, ci_high as plain floats."""
        return {
            "mean": float(self.mean),
            "std": float(self.std),
            "ci_low": float(self.ci_low),
            "ci_high": float(self.ci_high),
        }


def _as_array(values: Iterable[float]) -> np.ndarray:
    if not isinstance(values, (np.ndarray, list, tuple)):
        values = list(values)  # e.g. generators
    return np.asarray(values, dtype=float).ravel()


def _finite_values(values: Iterable[float]) -> np.ndarray:
    array = _as_array(values)
    return array[np.isfinite(array)]


def _check_level(level: float) -> float:
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    return level


def _sample_std(data: np.ndarray) -> float:
    """Sample standard deviation (ddof=1) of two or more values; exactly 0 for a constant sample."""
    return 0.0 if np.ptp(data) == 0.0 else float(data.std(ddof=1))


def _scipy_stats():
    from scipy import stats  # imported when first needed: it takes a while

    return stats


def _t_test(name: str, first: np.ndarray, second: np.ndarray, **options):
    """``scipy.stats.<name>(first, second)``, without its "precision loss" warning: it comes for
    samples that are constant or nearly so, whose interval is still right."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return getattr(_scipy_stats(), name)(first, second, **options)


def _from_test(result, level: float, mean: float, std: float, n: int) -> ConfidenceInterval:
    """The interval of a scipy t-test ``result`` at ``level``, reported around ``mean``."""
    low, high = result.confidence_interval(level)
    return ConfidenceInterval(mean, std, float(low), float(high), n)


def t_interval(
    values: Iterable[float], level: float = 0.95, domain: Domain = UNBOUNDED
) -> ConfidenceInterval:
    """Student t interval for the mean: mean ± t_{n−1}·s/√n with sample std s (ddof=1),
    clipped to ``domain`` (the default, ``UNBOUNDED``, leaves it as it is). The quantile
    is ``scipy.stats.t``'s.

    With no finite values everything is NaN; with one value std and the interval
    are NaN (undefined); a constant sample gives a zero-width interval.
    """
    level = _check_level(level)
    data = _finite_values(values)
    n = int(data.size)
    if n == 0:
        return ConfidenceInterval(_NAN, _NAN, _NAN, _NAN, 0)
    mean = float(data.mean())
    if n == 1:
        return ConfidenceInterval(mean, _NAN, _NAN, _NAN, 1)
    std = _sample_std(data)
    if std == 0.0:  # constant, or a spread that underflows: zero width
        return domain.clip(ConfidenceInterval(mean, std, mean, mean, n))
    low, high = _scipy_stats().t.interval(level, n - 1, loc=mean, scale=std / math.sqrt(n))
    return domain.clip(ConfidenceInterval(mean, std, float(low), float(high), n))


def paired_difference(
    a: Iterable[float], b: Iterable[float], level: float = 0.95
) -> ConfidenceInterval:
    """t interval of the per-replication differences a_i − b_i: the paired t interval, which
    is ``t_interval`` of the differences (the statistic of ``scipy.stats.ttest_rel``, at a third
    of its cost per call, which counts in a sweep's table of every KPI of every plan).

    For runs sharing seeds (common random numbers), the positive correlation
    between a_i and b_i shrinks the variance of the difference. Pairs with a
    non-finite member are dropped; fewer than two pairs, or a constant difference,
    as in ``t_interval``. Raises ValueError when lengths differ.
    """
    first, second = _as_array(a), _as_array(b)
    if first.size != second.size:
        raise ValueError(f"paired samples differ in length: {first.size} != {second.size}")
    with np.errstate(invalid="ignore"):
        return t_interval(first - second, level)


def welch_difference(
    a: Iterable[float], b: Iterable[float], level: float = 0.95
) -> ConfidenceInterval:
    """Unpaired interval for mean(a) − mean(b) with Welch–Satterthwaite degrees of freedom
    (``scipy.stats.ttest_ind(..., equal_var=False)``).

    ``std`` is √(s_a² + s_b²), the spread of one independent a − b draw, so it is
    directly comparable with ``paired_difference(...).std``; ``n`` is min(n_a, n_b).
    The interval itself uses the standard error √(s_a²/n_a + s_b²/n_b). Needs at
    least two finite values per sample, else std and interval are NaN; two constant
    samples give a zero-width interval.
    """
    level = _check_level(level)
    first, second = _finite_values(a), _finite_values(b)
    n = min(first.size, second.size)
    if n == 0:
        return ConfidenceInterval(_NAN, _NAN, _NAN, _NAN, 0)
    mean = float(first.mean() - second.mean())
    if n == 1:
        return ConfidenceInterval(mean, _NAN, _NAN, _NAN, 1)
    var_a, var_b = _sample_std(first) ** 2, _sample_std(second) ** 2
    if var_a / first.size + var_b / second.size == 0.0:  # both constant (or spreads that underflow)
        return ConfidenceInterval(mean, math.sqrt(var_a + var_b), mean, mean, n)
    result = _t_test("ttest_ind", first, second, equal_var=False)
    return _from_test(result, level, mean, math.sqrt(var_a + var_b), n)
