"""Robust regression of service time on basket size: ``time = (fixed + per_item x items) x U``.

storesim's service model is multiplicative: a customer's mean ``fixed_min + per_item_min x
items`` times a unit-mean variate ``U``. The fit is a Huber M-estimator on the *relative*
residual ``time / line - 1`` (iteratively reweighted least squares with weights
``psi(z)/z / line^2``), so slow outliers (a till left open, a voided sale) weigh little
and long baskets, whose times spread more, do not dominate. Huber's estimate is the line
through a robust centre of ``U`` rather than its mean; both coefficients are off by the same
factor, which ``service.rescale`` removes with the mean of the fitted residual family.

The iterations start from a line that one wild row cannot move: Siegel's repeated-medians
line (``scipy.stats.siegelslopes``, breakdown point 50%) through the median time of each
basket size. Started from least squares instead, a single transaction a year long dragged
the Huber line to 33.5 min + 2.43 min per item (truth: 0.8 + 0.06), a fixed point far from
the data that the reweighting never left.

Bootstrap replicates run on a matrix of row weights, one row per replicate, so every
replicate is solved at once.
"""

from __future__ import annotations

import numpy as np

HUBER_K = 1.345
"""Huber's tuning constant (95% efficiency under normal residuals)."""
MAX_ITERATIONS = 100
TOLERANCE = 1e-10
REPLICATE_STEPS = 4
"""IRLS steps of a bootstrap replicate, started from the point fit (the k-step bootstrap:
replicates differ from the point fit by O(1/sqrt(n)), and IRLS converges fast from there)."""


def _solve(weights: np.ndarray, design: np.ndarray) -> np.ndarray:
    """Weighted least squares for each row of ``weights`` (B x n): (B, 2) lines.

    ``design`` holds the columns ``1, items, items^2, times, items x times``; one matrix
    product gives every replicate's normal equations.
    """
    s0, s1, s2, t0, t1 = (weights @ design).T
    det = s0 * s2 - s1 * s1
    return np.column_stack([(s2 * t0 - s1 * t1) / det, (s0 * t1 - s1 * t0) / det])


def robust_start(items: np.ndarray, times: np.ndarray) -> np.ndarray:
    """Siegel's repeated-medians line ``(fixed, per_item)`` through the median time per basket size
    (least squares when there are fewer than three sizes)."""
    import pandas as pd
    from scipy.stats import siegelslopes

    medians = pd.Series(times).groupby(items).median()
    sizes, middle = medians.index.to_numpy(float), medians.to_numpy(float)
    if sizes.size < 3:
        return np.polyfit(sizes, middle, 1)[::-1] if sizes.size == 2 else np.array([middle[0], 0.0])
    fit = siegelslopes(middle, sizes)
    return np.array([fit.intercept, fit.slope])


def relative_scale(items: np.ndarray, times: np.ndarray, coef: np.ndarray) -> float:
    """Robust scale (1.4826 x MAD) of the relative residuals around ``coef``'s line."""
    residual = times / (coef[0] + coef[1] * items) - 1.0
    return float(1.4826 * np.median(np.abs(residual - np.median(residual))))


def _step(coef: np.ndarray, weights: np.ndarray, items: np.ndarray, times: np.ndarray, design: np.ndarray,
          scale: float) -> np.ndarray:
    """One IRLS step from ``coef`` (B x 2) for each row of ``weights``."""
    floor = max(float(times.mean()) * 1e-3, 1e-9)
    line = np.maximum(coef[:, :1] + coef[:, 1:] * items, floor)
    z = np.abs(times / line - 1.0) / max(scale, 1e-12)
    psi_over_z = np.minimum(1.0, HUBER_K / np.maximum(z, 1e-12))
    return _solve(weights * psi_over_z / (line * line), design)


def huber_line(items: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, float]:
    """The point fit: ``(fixed, per_item)`` iterated to convergence, and the final scale."""
    items, times = np.asarray(items, dtype=float), np.asarray(times, dtype=float)
    design = np.column_stack([np.ones_like(items), items, items * items, times, items * times])
    ones = np.ones((1, items.size))
    coef = robust_start(items, times)[None, :]
    for _ in range(MAX_ITERATIONS):
        new = _step(coef, ones, items, times, design, relative_scale(items, times, coef[0]))
        done = np.max(np.abs(new - coef)) < TOLERANCE * max(1.0, float(np.max(np.abs(coef))))
        coef = new
        if done:
            break
    return coef[0], relative_scale(items, times, coef[0])


def replicate_lines(items: np.ndarray, times: np.ndarray, weights: np.ndarray, point: np.ndarray,
                    scale: float) -> np.ndarray:
    """Bootstrap lines (B x 2) for the row weights (B x n), each ``REPLICATE_STEPS`` IRLS steps
    from the point fit with the point fit's scale."""
    items, times = np.asarray(items, dtype=float), np.asarray(times, dtype=float)
    design = np.column_stack([np.ones_like(items), items, items * items, times, items * times])
    coef = np.tile(point, (weights.shape[0], 1))
    for _ in range(REPLICATE_STEPS):
        coef = _step(coef, weights, items, times, design, scale)
    return coef
