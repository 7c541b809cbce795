"""Random variates used by the model, drawn from numpy generators in batches.

Every distribution here is described by its mean and coefficient of variation, exposes
``mean`` and ``variance`` (so theory can use the very objects the model samples), and
draws whole arrays at once: per-customer Python work then reduces to reading a list.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

BATCH = 4096
"""Values drawn per call; customer ``i`` always gets value ``i`` of each stream."""

NEGLIGIBLE_ARRIVALS = 1e-12
"""Expected arrivals over the whole horizon below which a Poisson stream is taken to bring none
(a rate of 1e-300 an hour would otherwise put its first arrival past any float)."""

TINY_CV = 1e-6
"""Below this cv a gamma variate is its mean (its shape 1/cv^2 would overflow for cv near 1e-154;
the settings' ranges keep cv >= 0.01 anyway)."""


@dataclass(frozen=True)
class Distribution:
    """A positive random variable given by its family, mean and coefficient of variation.

    ``exponential`` has cv 1 whatever ``cv`` says; ``deterministic`` has cv 0.
    """

    family: str
    mean: float
    cv: float = 1.0

    def __post_init__(self) -> None:
        if self.family not in ("exponential", "lognormal", "gamma", "deterministic"):
            raise ValueError(f"unknown distribution family {self.family!r}")
        if not (self.mean > 0 and math.isfinite(self.mean)):
            raise ValueError(f"distribution mean must be > 0, got {self.mean!r}")
        if self.family in ("lognormal", "gamma") and not self.cv > 0:
            raise ValueError(f"{self.family} needs cv > 0, got {self.cv!r}")

    @property
    def scv(self) -> float:
        """Squared coefficient of variation."""
        return {"exponential": 1.0, "deterministic": 0.0}.get(self.family, self.cv**2)

    @property
    def variance(self) -> float:
        return self.scv * self.mean**2

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values."""
        if self.family == "exponential":
            return rng.exponential(self.mean, n)
        if self.family == "lognormal":
            sigma2 = math.log1p(self.cv**2)
            return rng.lognormal(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2), n)
        if self.family == "gamma" and self.cv >= TINY_CV:
            shape = 1.0 / self.cv**2
            return rng.gamma(shape, self.mean / shape, n)
        return np.full(n, self.mean)  # deterministic, or a gamma spread too small to draw


def draw_basket_sizes(rng: np.random.Generator, mean_items: float, cv: float, n: int) -> np.ndarray:
    """Items per basket: one plus a negative binomial (Poisson when too little spread).

    The extra items have mean ``mean_items - 1`` and, where possible, the variance that
    gives the whole basket coefficient of variation ``cv``.
    """
    extra = mean_items - 1.0
    if extra <= 0:
        return np.ones(n, dtype=np.int64)
    variance = (cv * mean_items) ** 2
    if variance <= extra * (1 + 1e-9):
        return 1 + rng.poisson(extra, n)
    size = extra**2 / (variance - extra)
    return 1 + rng.negative_binomial(size, size / (size + extra), n)


def arrival_times(rng: np.random.Generator, rates_per_min: list[float], horizon: float, period: float = 60.0):
    """Yield arrays of arrival times of a piecewise-constant Poisson process on [0, horizon).

    ``rates_per_min[k]`` holds on ``[k*period, (k+1)*period)``. Candidates come from a
    homogeneous process at the peak rate and each is kept with probability
    rate(t)/peak (thinning, Lewis and Shedler), a batch at a time.
    """
    peak = max(rates_per_min, default=0.0)
    if peak * horizon < NEGLIGIBLE_ARRIVALS:  # also a rate so small that 1/rate overflows
        return
    rates = np.asarray(rates_per_min, dtype=float) / peak
    t = 0.0
    while t < horizon:
        gaps = rng.exponential(1.0 / peak, BATCH)
        keep = rng.random(BATCH)
        times = t + np.cumsum(gaps)
        t = float(times[-1])
        inside = times < horizon  # only these become hours: times far past the horizon overflow an int
        times, keep = times[inside], keep[inside]
        hour = np.minimum((times // period).astype(np.int64), len(rates) - 1)
        accepted = times[keep < rates[hour]]
        if accepted.size:
            yield accepted
