"""Confidence intervals over independent simulation replications.

Non-finite values (NaN, ±inf) are dropped before anything is computed, so a
replication that produced no observation does not poison the summary; ``n``
counts the values actually used.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

import numpy as np

_NAN = float("nan")


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


def _t_quantile(level: float, df: float) -> float:
    """Two-sided Student t critical value t_{(1+level)/2, df}."""
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.5 + level / 2.0))


def _interval(
    mean: float, std: float, stderr: float, df: float, level: float, n: int
) -> ConfidenceInterval:
    if stderr == 0.0:
        return ConfidenceInterval(mean, std, mean, mean, n)
    half = _t_quantile(level, df) * stderr
    return ConfidenceInterval(mean, std, mean - half, mean + half, n)


def t_interval(values: Iterable[float], level: float = 0.95) -> ConfidenceInterval:
    """Student t interval for the mean: mean ± t_{n−1}·s/√n with sample std s (ddof=1).

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
    std = 0.0 if np.ptp(data) == 0.0 else float(data.std(ddof=1))  # no rounding noise
    return _interval(mean, std, std / math.sqrt(n), n - 1, level, n)


def paired_difference(
    a: Iterable[float], b: Iterable[float], level: float = 0.95
) -> ConfidenceInterval:
    """t interval of the per-replication differences a_i − b_i.

    For runs sharing seeds (common random numbers), the positive correlation
    between a_i and b_i shrinks the variance of the difference. Pairs with a
    non-finite member are dropped. Raises ValueError when lengths differ.
    """
    first, second = _as_array(a), _as_array(b)
    if first.size != second.size:
        raise ValueError(f"paired samples differ in length: {first.size} != {second.size}")
    with np.errstate(invalid="ignore"):
        return t_interval(first - second, level)


def welch_difference(
    a: Iterable[float], b: Iterable[float], level: float = 0.95
) -> ConfidenceInterval:
    """Unpaired interval for mean(a) − mean(b) with Welch–Satterthwaite degrees of freedom.

    ``std`` is √(s_a² + s_b²), the spread of one independent a − b draw, so it is
    directly comparable with ``paired_difference(...).std``; ``n`` is min(n_a, n_b).
    The interval itself uses the standard error √(s_a²/n_a + s_b²/n_b). Needs at
    least two finite values per sample, else std and interval are NaN.
    """
    level = _check_level(level)
    first, second = _finite_values(a), _finite_values(b)
    n_a, n_b = int(first.size), int(second.size)
    n = min(n_a, n_b)
    if n == 0:
        return ConfidenceInterval(_NAN, _NAN, _NAN, _NAN, 0)
    mean = float(first.mean() - second.mean())
    if n == 1:
        return ConfidenceInterval(mean, _NAN, _NAN, _NAN, 1)
    var_a = 0.0 if np.ptp(first) == 0.0 else float(first.var(ddof=1))
    var_b = 0.0 if np.ptp(second) == 0.0 else float(second.var(ddof=1))
    share_a, share_b = var_a / n_a, var_b / n_b
    stderr = math.sqrt(share_a + share_b)
    if stderr == 0.0:
        return ConfidenceInterval(mean, 0.0, mean, mean, n)
    df = (share_a + share_b) ** 2 / (share_a**2 / (n_a - 1) + share_b**2 / (n_b - 1))
    return _interval(mean, math.sqrt(var_a + var_b), stderr, df, level, n)
