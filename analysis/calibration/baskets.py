"""Basket size (``customers.basket_mean_items``, ``basket_cv``) and basket value
(``customers.value_per_item``).

Size: mean and cv over all transactions, the mean with a t interval and the cv with a
bootstrap interval. storesim draws a basket as one item plus a negative binomial with that
mean and cv (``basket_pmf`` gives its probabilities, for the histogram). Value: the spend
per item of sales (transactions with items and a non-negative amount, returns excluded) as a
ratio of sums, and the mean and cv of a sale's amount.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .estimate import (Estimate, bootstrap_estimate, bootstrap_weight_chunks, mean_estimate, number,
                       ratio_estimate)


@dataclass
class Baskets:
    """Basket size and value estimates."""

    mean_items: Estimate
    cv: Estimate
    value_per_item: Estimate
    sale_mean: Estimate
    sale_cv: float
    items: np.ndarray
    """Items of every transaction (for the histogram)."""

    def as_dict(self) -> dict:
        return {"basket_mean_items": self.mean_items.as_dict(), "basket_cv": self.cv.as_dict(),
                "value_per_item": self.value_per_item.as_dict(), "sale_amount_mean": self.sale_mean.as_dict(),
                "sale_amount_cv": number(self.sale_cv)}


def cv_of(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Coefficient of variation of ``values`` under each row of ``weights``."""
    total = weights.sum(-1)
    mean = weights @ values / total
    var = weights @ (values * values) / total - mean * mean
    return np.sqrt(np.maximum(var, 0.0)) / mean


def basket_pmf(mean_items: float, cv: float, k: np.ndarray) -> np.ndarray:
    """P(basket = k) under storesim's basket law: 1 + negative binomial (Poisson if too little spread)."""
    from scipy import stats

    extra = mean_items - 1.0
    k = np.asarray(k)
    if extra <= 0:
        return (k == 1).astype(float)
    variance = (cv * mean_items) ** 2
    if variance <= extra * (1 + 1e-9):
        return stats.poisson(extra).pmf(k - 1)
    size = extra**2 / (variance - extra)
    return stats.nbinom(size, size / (size + extra)).pmf(k - 1)


def estimate_baskets(items: np.ndarray, amount: np.ndarray, sale: np.ndarray) -> Baskets:
    """Basket estimates from every transaction's ``items`` and ``amount``; ``sale`` marks sales."""
    x = np.asarray(items, dtype=float)
    cv = float(cv_of(x, np.ones(x.size)))
    reps = np.concatenate([cv_of(x, w) for w in bootstrap_weight_chunks(x.size)])
    sales = sale & (x > 0) & (amount >= 0)
    spend = amount[sales]
    sale_cv = float(spend.std(ddof=1) / spend.mean()) if spend.size > 1 and spend.mean() > 0 else math.nan
    return Baskets(mean_estimate(x), bootstrap_estimate(cv, reps), ratio_estimate(spend, x[sales]),
                   mean_estimate(spend), sale_cv, np.asarray(items))
