"""What happened at the registers in each clock hour of each day.

The same function summarises the store's till log and the replay's simulated
transactions, so the two are compared on exactly the same definitions:

- ``transactions``: transactions that *started* in the hour;
- ``registers``: registers open on average over the hour. A till log does not say when a
  register opened, so a register counts as open from the start of a transaction to the end
  of the next one when the gap between them is under ``REGISTER_GAP_MIN`` (a longer gap
  means it was closed); it is open in between, not before its first or after its last
  transaction of a spell. A register serving the tail of its line after it closed at 18:00
  adds those minutes only, not a whole register, to 18:00-19:00;
- ``busy_min``: register minutes spent serving, each transaction split over the hours it spans;
- ``busy_share``: ``busy_min`` over the register minutes open;
- ``service_mean``, ``service_p90``: of the transactions starting in the hour, in minutes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DAY_TYPES = ("weekday", "saturday", "sunday")
REGISTER_GAP_MIN = 20.0
SATURATED_BUSY_SHARE = 0.85
"""An hour whose registers were busy at least this share of the time is saturated: customers
queued into the next hour (or left), so its transactions understate demand."""


def day_type(dates: pd.Series) -> pd.Series:
    """weekday (Monday-Friday), saturday or sunday for each date."""
    dow = dates.dt.day_of_week.to_numpy()
    return pd.Series(np.array(DAY_TYPES, dtype=object)[np.clip(dow - 4, 0, 2)], index=dates.index)


def clock_hours(stamps: pd.Series, dates: pd.Series) -> np.ndarray:
    """Hours (fractional) since midnight of ``dates``."""
    return ((stamps - dates).dt.total_seconds() / 3600.0).to_numpy()


def with_clock(tx: pd.DataFrame) -> pd.DataFrame:
    """``tx`` with ``date`` (of the start), ``day_type``, ``start_h`` and ``end_h`` added."""
    out = tx.copy()
    out["date"] = tx["start"].dt.normalize()
    out["day_type"] = day_type(out["date"])
    out["start_h"] = clock_hours(tx["start"], out["date"])
    out["end_h"] = clock_hours(tx["end"], out["date"])
    return out


def minutes_per_hour(dates: np.ndarray, start_h: np.ndarray, end_h: np.ndarray) -> pd.Series:
    """Minutes of the intervals ``[start_h, end_h)`` falling in each (date, clock hour)."""
    first = np.floor(start_h)
    spans = int(np.max(np.ceil(end_h) - first, initial=1))
    parts = []
    for k in range(max(spans, 1)):  # the starting hour and the few after it; not a loop over rows
        hour = first + k
        minutes = np.clip(np.minimum(end_h, hour + 1) - np.maximum(start_h, hour), 0.0, None) * 60.0
        keep = minutes > 0
        parts.append(pd.DataFrame({"date": dates[keep], "hour": hour[keep].astype(np.int64), "minutes": minutes[keep]}))
    return pd.concat(parts).groupby(["date", "hour"])["minutes"].sum()


def register_spells(tx: pd.DataFrame) -> pd.DataFrame:
    """Each register's spells of being open: ``date``, ``start_h``, ``end_h`` (see the module docstring)."""
    order = tx.sort_values(["date", "register", "start_h"])
    same = (order["register"].to_numpy()[1:] == order["register"].to_numpy()[:-1]) \
        & (order["date"].to_numpy()[1:] == order["date"].to_numpy()[:-1])
    running_end = order.groupby(["date", "register"])["end_h"].cummax().to_numpy()
    gap = order["start_h"].to_numpy()[1:] - running_end[:-1]
    new = np.concatenate([[True], ~same | (gap * 60.0 > REGISTER_GAP_MIN)])
    spell = np.cumsum(new)
    return order.groupby(spell).agg(date=("date", "first"), start_h=("start_h", "min"), end_h=("end_h", "max"))


def hourly_activity(tx: pd.DataFrame) -> pd.DataFrame:
    """One row per (date, hour) with a transaction starting in it (see the module docstring)."""
    hour = np.floor(tx["start_h"].to_numpy()).astype(np.int64)
    groups = tx.assign(hour=hour).groupby(["date", "hour"])
    table = pd.DataFrame({
        "transactions": groups.size(),
        "service_mean": groups["duration_min"].mean(),
        "service_p90": groups["duration_min"].quantile(0.9),
    })
    spells = register_spells(tx)
    open_min = minutes_per_hour(spells["date"].to_numpy(), spells["start_h"].to_numpy(), spells["end_h"].to_numpy())
    busy = minutes_per_hour(tx["date"].to_numpy(), tx["start_h"].to_numpy(), tx["end_h"].to_numpy())
    table["registers"] = open_min.reindex(table.index).fillna(0.0) / 60.0
    table["busy_min"] = busy.reindex(table.index).fillna(0.0)
    table["busy_share"] = table["busy_min"] / (table["registers"] * 60.0)
    return table.reset_index()


def counts_by_hour(tx: pd.DataFrame, hours: range) -> pd.DataFrame:
    """Transactions starting per day (rows) and opening hour (columns); those starting before
    opening or after closing (a line served after the doors closed) count in the first or last hour."""
    hour = np.clip(np.floor(tx["start_h"].to_numpy()).astype(np.int64), hours.start, hours.stop - 1)
    counts = tx.assign(hour=hour).groupby(["date", "hour"]).size().unstack(fill_value=0)
    return counts.reindex(columns=list(hours), fill_value=0)


def day_by_hour(activity: pd.DataFrame, column: str, hours: range, fill: float = np.nan) -> pd.DataFrame:
    """``column`` as a days x clock-hours matrix over ``hours`` (missing cells ``fill``)."""
    matrix = activity.pivot(index="date", columns="hour", values=column)
    return matrix.reindex(columns=list(hours), fill_value=fill).fillna(fill)
