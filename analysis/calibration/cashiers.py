"""Per-cashier speed multipliers: how much faster than the store's average cashier.

A cashier's multiplier is the mean residual ratio (``time / fitted mean time``) of all
ordinary transactions over the cashier's own mean ratio, so that storesim's ``speed``
(service time = standard time / speed) reproduces them. They are normalised so that the
transaction-weighted mean of ``1 / speed`` is 1: the fitted service times are those of the
average cashier of the log. The interval comes from the t interval of the cashier's mean ratio.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .estimate import Estimate, mean_estimate


def cashier_speeds(cashiers: pd.Series, ratios: np.ndarray) -> dict[str, tuple[int, Estimate]]:
    """Cashier -> (transactions, speed multiplier) from the residual ratios of their transactions."""
    overall = float(np.mean(ratios))
    frame = pd.DataFrame({"cashier": cashiers.to_numpy(), "ratio": ratios})
    out = {}
    for cashier, group in frame.groupby("cashier", sort=True)["ratio"]:  # one pass per cashier, not per row
        mean = mean_estimate(group.to_numpy())
        out[str(cashier)] = (int(group.size), Estimate(overall / mean.estimate, overall / mean.ci_high,
                                                       overall / mean.ci_low))
    return out


def speed_per_row(cashiers: pd.Series, speeds: dict[str, tuple[int, Estimate]]) -> np.ndarray:
    """Each transaction's cashier speed multiplier (1 for a cashier without an estimate)."""
    table = pd.Series({name: est.estimate for name, (_, est) in speeds.items()}, dtype=float)
    return cashiers.map(table).fillna(1.0).to_numpy()


def speeds_as_dict(speeds: dict[str, tuple[int, Estimate]]) -> dict:
    return {name: {"transactions": n, "speed": est.as_dict()} for name, (n, est) in speeds.items()}
