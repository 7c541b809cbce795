"""Exception shares and the extra lane time each kind takes (``exceptions.*``).

The share of each kind has a Wilson interval. Its extra time is the mean, over the
transactions of that kind, of the time beyond the fitted mean time for the basket (the
cashier's speed already divided out), with a t interval.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .estimate import Estimate, mean_estimate, proportion_estimate

KINDS = ("price_match", "returns", "coupon")


def exception_estimates(kinds: pd.Series, extra_min: np.ndarray) -> dict[str, dict[str, object]]:
    """Kind -> transactions, share and extra minutes, from each row's kind and time beyond the line."""
    n = len(kinds)
    out: dict[str, dict[str, object]] = {}
    for kind in KINDS:
        mask = (kinds == kind).to_numpy()
        extra = mean_estimate(extra_min[mask]) if mask.any() else Estimate(0.0, 0.0, 0.0)
        out[kind] = {"transactions": int(mask.sum()), "share": proportion_estimate(int(mask.sum()), n),
                     "extra_min": extra}
    return out


def exceptions_as_dict(estimates: dict[str, dict[str, object]]) -> dict:
    return {kind: {"transactions": e["transactions"], "share": e["share"].as_dict(),
                   "extra_min": e["extra_min"].as_dict()} for kind, e in estimates.items()}
