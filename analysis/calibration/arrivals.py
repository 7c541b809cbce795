"""The checkout arrival profile per day type, the observed staffing, and conversion.

Arrivals at checkout are estimated by transactions starting in each clock hour, averaged
over the days of a day type (weekday, Saturday, Sunday) with a t interval across days.
Choices, all documented in ``docs/calibration.md``:

- Opening hours: the clock hours, first to last, whose mean count reaches
  ``OPEN_HOUR_SHARE`` of the busiest hour's; transactions before opening or after closing
  (customers served after the doors closed) count in the first or last opening hour.
- Outlier days (holidays, half days): a day whose total lies more than ``OUTLIER_Z``
  robust z-scores (median and MAD) from its day type's median, when the type has at least
  ``OUTLIER_MIN_DAYS`` days. They are reported and left out of every hourly estimate.
- Saturation: an hour is flagged when its registers were busy at least
  ``SATURATED_BUSY_SHARE`` of the time on average; its count understates demand.
- Conversion: transactions / entries per hour, a ratio of sums over the days with both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .estimate import Estimate, mean_estimate, number, ratio_estimate
from .hours import DAY_TYPES, SATURATED_BUSY_SHARE, counts_by_hour, day_by_hour, day_type

OPEN_HOUR_SHARE = 0.10
OUTLIER_Z = 3.5
OUTLIER_MIN_DAYS = 5


@dataclass
class HourEstimate:
    """One clock hour of one day type."""

    hour: int
    transactions: Estimate
    """Transactions starting in the hour (the checkout arrival rate per hour)."""
    registers: Estimate
    """Registers open (with a transaction starting in the hour)."""
    busy_share: float
    saturated: bool
    conversion: Estimate | None = None

    def as_dict(self) -> dict:
        return {"hour": self.hour, "transactions_per_hour": self.transactions.as_dict(),
                "registers_open": self.registers.as_dict(), "busy_share": number(self.busy_share),
                "saturated": self.saturated,
                "conversion": self.conversion.as_dict() if self.conversion is not None else None}


@dataclass
class DayTypeProfile:
    """Everything hourly about one day type."""

    day_type: str
    open_hour: int
    close_hour: int
    hours: list[HourEstimate]
    counts: pd.DataFrame
    """Transactions per day (rows, outliers excluded) and clock hour (columns)."""
    outlier_days: list[dict]
    transactions_per_day: Estimate

    @property
    def days(self) -> int:
        return len(self.counts)

    def profile(self) -> list[float]:
        """Checkout arrivals per hour for each opening hour (``arrivals.rate_per_hour``)."""
        return [h.transactions.estimate for h in self.hours]

    def staffing(self, lanes: int) -> list[int]:
        """Registers open per hour, rounded, within 1..``lanes`` (``staffing.cashiers``)."""
        return [int(min(max(round(h.registers.estimate), 1), lanes)) for h in self.hours]

    def saturated_hours(self) -> list[int]:
        return [h.hour for h in self.hours if h.saturated]

    def peak_window(self) -> tuple[int, int]:
        """The busiest two consecutive opening hours (one if the store opens for one)."""
        rates = np.asarray(self.profile())
        if rates.size < 2:
            return self.open_hour, self.close_hour
        first = int(np.argmax(rates[:-1] + rates[1:]))
        return self.open_hour + first, self.open_hour + first + 2

    def as_dict(self) -> dict:
        return {"days": self.days, "open_hour": self.open_hour, "close_hour": self.close_hour,
                "transactions_per_day": self.transactions_per_day.as_dict(),
                "saturated_hours": self.saturated_hours(), "outlier_days": self.outlier_days,
                "hours": [h.as_dict() for h in self.hours]}


def opening_hours(counts: pd.DataFrame) -> range:
    """Clock hours first to last whose mean count reaches ``OPEN_HOUR_SHARE`` of the busiest
    (``counts``: days x all 24 clock hours)."""
    means = counts.mean()
    busy = np.flatnonzero(means.to_numpy() >= OPEN_HOUR_SHARE * means.max())
    return range(int(busy[0]), int(busy[-1]) + 1)


def outlier_days(totals: pd.Series) -> pd.DataFrame:
    """Days whose total is more than ``OUTLIER_Z`` robust z-scores from the median."""
    if len(totals) < OUTLIER_MIN_DAYS:
        return pd.DataFrame({"transactions": [], "robust_z": []})
    median = totals.median()
    mad = (totals - median).abs().median()
    scale = 1.4826 * mad if mad > 0 else totals.std(ddof=1)
    z = (totals - median) / scale if scale > 0 else totals * 0.0
    out = pd.DataFrame({"transactions": totals, "robust_z": z})
    return out[out["robust_z"].abs() > OUTLIER_Z]


def _conversion(counts: pd.DataFrame, footfall: pd.DataFrame, hours: range) -> list[Estimate]:
    entries = footfall.pivot_table(index="date", columns="hour", values="entries", aggfunc="sum")
    entries = entries.reindex(index=counts.index, columns=list(hours))
    out = []
    for hour in hours:
        both = entries[hour].notna().to_numpy() & (entries[hour].to_numpy() > 0)
        out.append(ratio_estimate(counts[hour].to_numpy(float)[both], entries[hour].to_numpy(float)[both]))
    return out


def day_type_profile(kind: str, tx: pd.DataFrame, activity: pd.DataFrame,
                     footfall: pd.DataFrame | None = None) -> DayTypeProfile:
    """The hourly estimates of one day type from its transactions and their hourly activity."""
    hours = opening_hours(counts_by_hour(tx, range(24)))
    counts = counts_by_hour(tx, hours)
    outliers = outlier_days(counts.sum(axis=1))
    counts = counts.drop(index=outliers.index)
    used = activity[activity["date"].isin(counts.index)]
    registers = day_by_hour(used, "registers", hours, fill=0.0).reindex(counts.index, fill_value=0.0)
    busy = day_by_hour(used, "busy_share", hours)
    conversion = _conversion(counts, footfall, hours) if footfall is not None else [None] * len(hours)
    estimates = []
    for k, h in enumerate(hours):
        share = float(busy[h].mean()) if busy[h].notna().any() else float("nan")
        estimates.append(HourEstimate(h, mean_estimate(counts[h].to_numpy(float)),
                                      mean_estimate(registers[h].to_numpy(float)), share,
                                      bool(share >= SATURATED_BUSY_SHARE), conversion[k]))
    reported = [{"date": d.strftime("%Y-%m-%d"), "transactions": int(row.transactions),
                 "robust_z": number(row.robust_z, 3)} for d, row in outliers.iterrows()]
    return DayTypeProfile(kind, hours.start, hours.stop, estimates, counts, reported,
                          mean_estimate(counts.sum(axis=1).to_numpy(float)))


def estimate_profiles(tx: pd.DataFrame, activity: pd.DataFrame,
                      footfall: pd.DataFrame | None = None) -> dict[str, DayTypeProfile]:
    """``day_type_profile`` for every day type present in the data (``tx`` from ``with_clock``)."""
    kinds = activity.assign(day_type=day_type(activity["date"]))
    return {kind: day_type_profile(kind, tx[tx["day_type"] == kind], kinds[kinds["day_type"] == kind], footfall)
            for kind in DAY_TYPES if (tx["day_type"] == kind).any()}
