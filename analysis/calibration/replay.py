"""The replay check: the calibrated store's simulated days beside the till log.

The application composes the calibrated preset exactly as ``storesim --config-dir DIR
experiment=NAME`` composes it and runs it (``storesim.scenarios.calibrate_cli``); here each
replication is one simulated day, whose served customers become transactions (lane =
register) and go through the same ``hours.hourly_activity`` as the log, so both sides use
one set of definitions. Per opening hour: transactions, registers open, register busy
share, service time mean and p90, each a mean with a t interval over observed days and over
simulated days.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..simulated import SimulatedScenario
from .arrivals import DayTypeProfile
from .estimate import Estimate, mean_estimate
from .hours import counts_by_hour, day_by_hour, hourly_activity

METRICS = ("transactions", "registers", "busy_share", "service_mean", "service_p90")
LABELS = {"transactions": "transactions per hour", "registers": "registers open",
          "busy_share": "register busy share", "service_mean": "service time mean (min)",
          "service_p90": "service time p90 (min)"}


@dataclass
class Replay:
    """Observed against simulated, per opening hour and per day."""

    day_type: str
    replications: int
    hours: list[int]
    observed: dict[str, list[Estimate]]
    simulated: dict[str, list[Estimate]]
    daily: dict[str, Estimate]
    """transactions_observed, transactions_simulated, arrivals_simulated, abandon_rate_simulated."""
    saturated: list[int]

    def as_dict(self) -> dict:
        return {
            "day_type": self.day_type, "simulated_days": self.replications,
            "hours": [{"hour": h, **{m: {"observed": self.observed[m][k].as_dict(),
                                         "simulated": self.simulated[m][k].as_dict()} for m in METRICS}}
                      for k, h in enumerate(self.hours)],
            "daily": {name: est.as_dict() for name, est in self.daily.items()},
        }


def simulated_transactions(result: SimulatedScenario, open_hour: float) -> pd.DataFrame:
    """Served customers of every replication as till-log rows (replication k on day k)."""
    frames = []
    for k, rep in enumerate(result.replications):  # one frame per simulated day
        c = rep.customers
        served = c["outcome"] == "served"
        start_h = open_hour + (c["arrived_at_min"][served] + c["wait_min"][served]) / 60.0
        service = c["service_min"][served]
        frames.append(pd.DataFrame({"date": pd.Timestamp("2000-01-01") + pd.Timedelta(days=k),
                                    "register": c["lane"][served], "start_h": start_h,
                                    "end_h": start_h + service / 60.0, "duration_min": service}))
    return pd.concat(frames, ignore_index=True)


def _per_hour(counts: pd.DataFrame, activity: pd.DataFrame, hours: range) -> dict[str, list[Estimate]]:
    """Each metric's mean and t interval over days (rows of ``counts``), per hour."""
    days = counts.index
    matrices = {"transactions": counts}
    for metric in METRICS[1:]:
        fill = 0.0 if metric == "registers" else np.nan
        matrices[metric] = day_by_hour(activity, metric, hours, fill).reindex(days, fill_value=fill)
    return {m: [mean_estimate(matrices[m][h].to_numpy(float)) for h in hours] for m in METRICS}


def replay(profile: DayTypeProfile, observed_activity: pd.DataFrame, result: SimulatedScenario) -> Replay:
    """The simulated days of ``result`` (one per replication, customers recorded) beside the
    observed days of ``profile``'s day type."""
    params = result.params
    hours = range(profile.open_hour, profile.close_hour)
    sim_tx = simulated_transactions(result, params.store.open_hour)
    sim_counts = counts_by_hour(sim_tx, hours)
    simulated = _per_hour(sim_counts, hourly_activity(sim_tx), hours)
    observed = _per_hour(profile.counts, observed_activity[observed_activity["date"].isin(profile.counts.index)],
                         hours)
    daily = {
        "transactions_observed": profile.transactions_per_day,
        "transactions_simulated": mean_estimate(sim_counts.sum(axis=1).to_numpy(float)),
        "arrivals_simulated": mean_estimate(np.array(result.kpi_values("customers_arrived"))),
        "abandon_rate_simulated": mean_estimate(np.array(result.kpi_values("abandon_rate"))),
    }
    return Replay(profile.day_type, len(result.replications), list(hours), observed, simulated, daily,
                  profile.saturated_hours())
