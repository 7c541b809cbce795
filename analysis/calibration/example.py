"""A small synthetic store with known parameters, to show (and test) the calibration round trip.

``storesim-calibrate --example DIR`` writes ``DIR/transactions.csv``, ``DIR/footfall.csv``
and ``DIR/truth.json`` (the parameters below). The store, by construction:

- Four registers (R1-R4), four weeks from Monday 4 March 2024. Weekdays and Saturdays open
  08:00-21:00, Sundays 10:00-18:00. Friday 29 March (Good Friday) has 45% of the usual
  demand: an outlier day.
- Door entries per hour are Poisson with mean ``profile / conversion``; each entering
  customer buys with probability ``conversion`` = 0.72, so checkout arrivals per hour are
  Poisson with mean ``profile`` (``PROFILES``), uniform within the hour.
- Registers open per hour: ``REGISTERS``. Arrivals are dealt to the open registers in turn,
  and each register serves its customers first come, first served. At 18:00 on weekdays only
  two registers serve 72 customers an hour (105% of what they can serve): a saturated hour.
- Basket: 1 + negative binomial items, mean 14, cv 0.8. Price per item lognormal, mean 2.50,
  cv 0.3; a return's amount is negative.
- Service time of a cashier of speed 1: ``(0.8 + 0.06 x items) x U`` minutes, ``U`` lognormal
  with mean 1 and cv 0.45; an exception adds an exponential extra time: price match 3% of
  transactions (mean 1.5 min), return 2% (2.5 min), coupon 5% (0.4 min).
- Six cashiers, C1-C6, with time factors ``1 / speed`` = 0.85, 0.9, 1.0, 1.0, 1.1, 1.15
  (whole service time multiplied); register r on day d is worked by cashier (r + d) mod 6.
  Calibration reports times of the log's average cashier, so the fitted fixed and per-item
  times and extra times are the values above times the transaction-weighted mean time
  factor (about 1.0), and the speed multipliers are ``1 / factor`` divided by that mean.

Baskets, service times, extra times and prices are drawn with the model's own distributions
(``storesim.sim.dists``): a simulated customer's basket size, and the unit service time of
family ``distribution`` with ``cv``. Everything comes from one numpy seed, vectorised. The
first-come-first-served registers use Lindley's recursion in closed form,
``end_i = C_i + max_{j<=i}(A_j - C_{j-1})`` with ``C`` the cumulative service time and ``A``
the arrival times of a register's day.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...sim.dists import Distribution, draw_basket_sizes
from .hours import DAY_TYPES, day_type

OPEN_HOURS = {"weekday": (8, 21), "saturday": (8, 21), "sunday": (10, 18)}
PROFILES = {
    "weekday": [18, 26, 34, 40, 52, 46, 36, 34, 44, 62, 72, 42, 24],
    "saturday": [22, 34, 48, 60, 68, 66, 60, 52, 46, 44, 38, 28, 18],
    "sunday": [30, 44, 52, 56, 50, 44, 36, 24],
}
REGISTERS = {
    "weekday": [1, 2, 2, 2, 3, 3, 2, 2, 2, 3, 2, 2, 1],
    "saturday": [1, 2, 2, 3, 4, 4, 3, 3, 2, 2, 2, 2, 1],
    "sunday": [2, 2, 3, 3, 3, 2, 2, 1],
}
SATURATED = {"weekday": [18], "saturday": [], "sunday": []}
"""Clock hours whose registers are saturated by construction."""


@dataclass(frozen=True)
class ExampleStore:
    """The synthetic store's parameters (see the module docstring)."""

    start_date: str = "2024-03-04"
    weeks: int = 4
    seed: int = 2024
    conversion: float = 0.72
    basket_mean_items: float = 14.0
    basket_cv: float = 0.8
    price_mean: float = 2.5
    price_cv: float = 0.3
    fixed_min: float = 0.8
    per_item_min: float = 0.06
    distribution: str = "lognormal"
    cv: float = 0.45
    exceptions: dict[str, tuple[float, float]] = field(default_factory=lambda: {
        "price_match": (0.03, 1.5), "return": (0.02, 2.5), "coupon": (0.05, 0.4)})
    """Kind -> (share of transactions, mean extra minutes)."""
    time_factors: tuple[float, ...] = (0.85, 0.9, 1.0, 1.0, 1.1, 1.15)
    outlier_day: str = "2024-03-29"
    outlier_demand: float = 0.45


def _hour_grid(store: ExampleStore) -> pd.DataFrame:
    """One row per (date, opening hour): expected arrivals and registers open."""
    dates = pd.Series(pd.date_range(store.start_date, periods=7 * store.weeks, freq="D"))
    days = pd.DataFrame({"date": dates, "day_type": day_type(dates), "day_index": np.arange(len(dates))})
    plan = pd.concat([pd.DataFrame({"day_type": kind, "hour": np.arange(*OPEN_HOURS[kind]),
                                    "rate": np.asarray(PROFILES[kind], dtype=float), "registers": REGISTERS[kind]}) for kind in DAY_TYPES])
    grid = days.merge(plan, on="day_type").sort_values(["date", "hour"], ignore_index=True)
    grid.loc[grid["date"] == pd.Timestamp(store.outlier_day), "rate"] *= store.outlier_demand
    return grid


def _serve_in_turn(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Start and end minutes of FCFS registers (Lindley's recursion in closed form, per register-day)."""
    keys = [frame["date"], frame["register"]]
    total = frame["service"].groupby(keys).cumsum()
    slack = (frame["arrival"] - total + frame["service"]).groupby(keys).cummax()
    end = (total + slack).to_numpy()
    return end - frame["service"].to_numpy(), end


def generate(store: ExampleStore = ExampleStore()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The store's till log and door counts, as they would be exported (text timestamps)."""
    rng = np.random.default_rng(store.seed)
    grid = _hour_grid(store)
    entries = rng.poisson(grid["rate"].to_numpy() / store.conversion)
    buyers = rng.binomial(entries, store.conversion)
    footfall = pd.DataFrame({"date": grid["date"].dt.strftime("%Y-%m-%d"), "hour": grid["hour"], "entries": entries})
    tx = grid.loc[np.repeat(grid.index.to_numpy(), buyers)].reset_index(drop=True)
    n = len(tx)
    tx["arrival"] = (tx["hour"] + rng.random(n)) * 60.0
    tx = tx.sort_values(["date", "arrival"], ignore_index=True)
    tx["register"] = tx.groupby(["date", "hour"]).cumcount() % tx["registers"]
    tx["items"] = draw_basket_sizes(rng, store.basket_mean_items, store.basket_cv, n)
    kinds = list(store.exceptions)
    shares = np.cumsum([store.exceptions[k][0] for k in kinds])
    pick = np.searchsorted(shares, rng.random(n), side="right")
    tx["exception"] = np.array(kinds + ["none"], dtype=object)[pick]
    extra_means = np.array([store.exceptions[k][1] for k in kinds] + [0.0])
    tx["cashier"] = (tx["register"] + tx["day_index"]) % len(store.time_factors)
    factor = np.asarray(store.time_factors)[tx["cashier"].to_numpy()]
    work = (store.fixed_min + store.per_item_min * tx["items"]) * Distribution(store.distribution, 1.0, store.cv).draw(rng, n)
    tx["service"] = (work + Distribution("exponential", 1.0).draw(rng, n) * extra_means[pick]) * factor
    amount = tx["items"] * Distribution("lognormal", store.price_mean, store.price_cv).draw(rng, n)
    tx["amount"] = np.round(np.where(tx["exception"] == "return", -amount, amount), 2)
    tx = tx.sort_values(["date", "register", "arrival"], ignore_index=True)
    start, end = _serve_in_turn(tx)
    start_at = tx["date"] + pd.to_timedelta(np.round(start * 60), unit="s")
    end_at = np.maximum(tx["date"] + pd.to_timedelta(np.round(end * 60), unit="s"), start_at + pd.Timedelta(1, "s"))
    log = pd.DataFrame({
        "register": "R" + (tx["register"] + 1).astype(str), "cashier": "C" + (tx["cashier"] + 1).astype(str),
        "start": start_at, "end": end_at, "items": tx["items"], "amount": tx["amount"], "exception": tx["exception"],
    }).sort_values("start", ignore_index=True)
    for column in ("start", "end"):
        log[column] = log[column].dt.strftime("%Y-%m-%dT%H:%M:%S")
    return log, footfall


def truth(store: ExampleStore = ExampleStore()) -> dict:
    """The parameters the data were drawn from, as written to ``truth.json``."""
    return {**asdict(store), "open_hours": OPEN_HOURS, "profiles": PROFILES, "registers": REGISTERS,
            "saturated_hours": SATURATED}


def write_example(out_dir: Path, store: ExampleStore = ExampleStore()) -> list[Path]:
    """Write the example's transactions.csv, footfall.csv and truth.json into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    log, footfall = generate(store)
    paths = [out_dir / "transactions.csv", out_dir / "footfall.csv", out_dir / "truth.json"]
    log.to_csv(paths[0], index=False)
    footfall.to_csv(paths[1], index=False)
    paths[2].write_text(json.dumps(truth(store), indent=2) + "\n")
    return paths
