"""Every estimate from the checked inputs, in one object: :func:`calibrate`.

Service times are fitted on ordinary transactions (no exception, positive duration). When the
log names cashiers, their speed multipliers come from a first Huber line (far outliers left
out, ``service.far_outliers``) and every duration
is divided by its cashier's multiplier before the final fit, so that the service model is
that of the log's average cashier and its cv leaves out the spread between cashiers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .arrivals import DayTypeProfile, estimate_profiles
from .baskets import Baskets, estimate_baskets
from .cashiers import cashier_speeds, speed_per_row, speeds_as_dict
from .data import Checked, DataError
from .estimate import Estimate
from .exceptions import exception_estimates, exceptions_as_dict
from .hours import hourly_activity, with_clock
from .service import ServiceModel, far_outliers, fit_service, point_line

MIN_SERVICE_ROWS = 30
"""Ordinary transactions (no exception, positive duration) needed to fit service times."""


@dataclass
class Calibration:
    """What the data say about the store."""

    transactions: Checked
    footfall: Checked | None
    tx: pd.DataFrame
    """The transactions with clock columns (``hours.with_clock``)."""
    activity: pd.DataFrame
    """Observed ``hours.hourly_activity``."""
    profiles: dict[str, DayTypeProfile]
    service: ServiceModel
    baskets: Baskets
    exceptions: dict[str, dict[str, object]] | None
    cashiers: dict[str, tuple[int, Estimate]] | None
    registers: list[str]

    @property
    def lanes(self) -> int:
        """Registers seen in the log (``store.lanes``)."""
        return len(self.registers)

    def as_dict(self) -> dict:
        """The estimates in ``calibration.json``'s shape (without the replay and file names)."""
        tx, ff = self.transactions, self.footfall
        usable = self.tx["duration_min"] > 0
        return {
            "inputs": {
                "transactions": {"file": str(tx.path), "rows_read": tx.rows_read, "rows_dropped": tx.rows_dropped,
                                 "dropped": tx.dropped, "rows_left_out": tx.rows_left_out, "left_out": tx.left_out,
                                 "warnings": tx.warnings, "first_day": self.tx["date"].min().strftime("%Y-%m-%d"),
                                 "last_day": self.tx["date"].max().strftime("%Y-%m-%d"),
                                 "zero_duration_rows": int((~usable).sum())},
                "footfall": None if ff is None else {"file": str(ff.path), "rows_read": ff.rows_read,
                                                     "rows_dropped": ff.rows_dropped, "dropped": ff.dropped,
                                                     "rows_left_out": ff.rows_left_out, "left_out": ff.left_out,
                                                     "warnings": ff.warnings},
            },
            "store": {"registers": self.registers},
            "arrivals": {kind: profile.as_dict() for kind, profile in self.profiles.items()},
            "service": self.service.as_dict(),
            "customers": self.baskets.as_dict(),
            "exceptions": exceptions_as_dict(self.exceptions) if self.exceptions is not None else None,
            "cashiers": speeds_as_dict(self.cashiers) if self.cashiers is not None else None,
        }


def calibrate(transactions: Checked, footfall: Checked | None = None,
              on_step: Callable[[int, int], None] | None = None) -> Calibration:
    """Estimate the store's arrivals, staffing, service, baskets, exceptions and cashiers.

    ``on_step(done, total)`` is called after each estimation step (hourly activity, arrival
    profiles, cashier speeds, service times, exceptions, baskets; the cashier and exception
    steps only when the log has those columns), for progress."""
    tx = with_clock(transactions.frame)
    total, done = 4 + ("cashier" in tx) + ("exception" in tx), 0

    def step() -> None:
        nonlocal done
        done += 1
        if on_step is not None:
            on_step(done, total)

    activity = hourly_activity(tx)
    step()
    profiles = estimate_profiles(tx, activity, footfall.frame if footfall is not None else None)
    step()
    kinds = tx["exception"] if "exception" in tx else pd.Series("none", index=tx.index)
    items, times = tx["items"].to_numpy(float), tx["duration_min"].to_numpy()
    plain = ((kinds == "none").to_numpy()) & (times > 0)
    if plain.sum() < MIN_SERVICE_ROWS or np.unique(items[plain]).size < 2:
        raise DataError(f"{transactions.path}: too little data to fit service times: needs at least "
                        f"{MIN_SERVICE_ROWS} transactions without exception, with end after start and baskets "
                        f"of at least two sizes (found {int(plain.sum())})")
    speeds = None
    if "cashier" in tx:
        line = point_line(items[plain], times[plain])
        ratios = times / (line[0] + line[1] * items)
        usual = plain.copy()
        usual[plain] = ~far_outliers(ratios[plain])  # a till left open says nothing about its cashier's speed
        speeds = cashier_speeds(tx["cashier"][usual], ratios[usual])
        times = times * speed_per_row(tx["cashier"], speeds)
        step()
    service = fit_service(items[plain], times[plain], tx["line"].to_numpy()[plain] if "line" in tx else None)
    step()
    exceptions = None
    if "exception" in tx:
        exceptions = exception_estimates(kinds, times - service.mean_time(items))
        step()
    baskets = estimate_baskets(tx["items"].to_numpy(), tx["amount"].to_numpy(), (kinds != "returns").to_numpy())
    step()
    registers = sorted(tx["register"].unique().tolist())
    return Calibration(transactions, footfall, tx, activity, profiles, service, baskets, exceptions, speeds, registers)
