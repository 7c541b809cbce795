"""The store's customers as a finite population of households: who shops on a day, what they
remember of their visits, who stops coming, and who comes new.

Each household has a visit frequency (trips a week), a tenure (since it first shopped here), a
count of its visits and a memory: an exponentially weighted mean of its visits' scores (1..5),
starting at ``satisfaction.base``. After each visit (``households.*``, docs/satisfaction.md):

    loyalty    = 1 / (1 + tenure_weeks / loyalty_weeks)                 (1 when loyalty_weeks is null)
    weight     = memory_weight * loyalty, times satisfaction.loss_aversion when the score is
                 below the memory (at most 1)
    memory    += weight * (score - memory)
    defection  = (defection_base + defection_per_point * max(0, satisfaction.base - memory)) * loyalty

and the household does not come back with chance ``defection`` (at most 1). New households
arrive each day, a Poisson number with mean ``new_per_week / 7`` plus word of mouth:
``told_conversion * (tells_delighted * delighted - tells_dissatisfied * dissatisfied)`` of the
day before (at least 0), taken in order from the catchment's prospects.

Common random numbers: the population has a fixed number of places (the day-1 households, then
the prospects, in order), and every day draws one uniform per place for each decision (visit,
time of day, recognition, defection) and the visit's customer draws (``CustomerSource.draws``),
all in place order from the day's own streams, before the variable-length draw of the new
households' count. So household h on day d draws the same numbers under every plan; it shops
that day under two plans alike unless its frequency or membership differs between them.
"""

from __future__ import annotations

import math

import numpy as np

from .params import ScenarioParams

DAY = 7
"""Days in a week."""


class Households:
    """The population of one replication, as arrays with one entry per place.

    Args:
        params: the scenario (``households.*``, ``satisfaction.base`` and ``loss_aversion``, the
            arrival profile for the default household count).
        rng: the replication's ``households`` stream (frequencies and day-1 tenures).

    Attributes:
        frequency: visits a week per place.
        active: whether the place holds a household that shops here now.
        joined_day: day it first shopped here (negative for the day-1 households' tenure).
        visits: its visits so far.
        memory: its remembered score, 1..5.
        initial: the number of day-1 households (places ``0 .. initial-1``).
    """

    def __init__(self, params: ScenarioParams, rng: np.random.Generator) -> None:
        hp = params.households
        self.hp, self.base = hp, params.satisfaction.base
        self.loss_aversion = params.satisfaction.loss_aversion
        n0 = hp.count if hp.count is not None else max(1, round(daily_arrivals(params) * DAY / hp.visits_per_week))
        places = n0 + int(round(hp.prospects * n0))
        self.initial, self.places = n0, places
        if hp.visits_per_week_cv > 0:
            shape = 1.0 / hp.visits_per_week_cv ** 2
            raw = rng.gamma(shape, 1.0 / shape, places)
            raw *= 1.0 / raw[:n0].mean()  # the day-1 population's mean is the setting's exactly
        else:
            raw = np.ones(places)
        self.frequency = np.minimum(DAY, hp.visits_per_week * raw)
        tenure_days = rng.exponential(hp.tenure_mean_weeks * DAY, n0) if hp.tenure_mean_weeks > 0 else np.zeros(n0)
        self.joined_day = np.zeros(places)
        self.joined_day[:n0] = -tenure_days
        self.visits = np.zeros(places)
        self.visits[:n0] = np.floor(tenure_days / DAY * self.frequency[:n0])
        self.memory = np.full(places, self.base)
        self.active = np.zeros(places, dtype=bool)
        self.active[:n0] = True
        self.next_prospect = n0
        if hp.new_per_week is not None:
            self.new_per_day = hp.new_per_week / DAY
        else:
            start = self.loyalty(0)[:n0]
            self.new_per_day = float(np.sum(np.minimum(1.0, self.frequency[:n0] / DAY) * hp.defection_base * start))

    def loyalty(self, day: int) -> np.ndarray:
        """Per place: 1 / (1 + tenure in weeks / ``loyalty_weeks``) on ``day`` (1 without loyalty)."""
        weeks = self.hp.loyalty_weeks
        if weeks is None:
            return np.ones(self.places)
        tenure = np.maximum(0.0, day - self.joined_day) / DAY
        return 1.0 / (1.0 + tenure / weeks)

    def shoppers(self, day: int, u_visit: np.ndarray) -> np.ndarray:
        """Places of the households shopping on ``day`` (ascending), given one uniform per place:
        each active household with chance ``frequency / 7 * weekday_factors[day % 7]``, at most 1."""
        chance = np.minimum(1.0, self.frequency * (self.hp.weekday_factor(day) / DAY))
        return np.flatnonzero(self.active & (u_visit < chance))

    def recognised(self, places: np.ndarray, u: np.ndarray) -> np.ndarray:
        """Which of the shoppers ``places`` are regulars recognised at a lane today (uniforms ``u`` per place)."""
        hp = self.hp
        return (self.visits[places] >= hp.recognised_after_visits) & (u[places] < hp.recognition_share)

    def remember(self, day: int, places: np.ndarray, scores: np.ndarray, u_defect: np.ndarray) -> int:
        """The shoppers ``places`` scored ``scores`` on ``day``: update their memory and let each
        defect with its chance (uniforms ``u_defect`` per place). Returns how many defected."""
        loyalty = self.loyalty(day)[places]
        memory = self.memory[places]
        weight = self.hp.memory_weight * loyalty * np.where(scores < memory, self.loss_aversion, 1.0)
        memory = memory + np.minimum(1.0, weight) * (scores - memory)
        self.memory[places] = memory
        self.visits[places] += 1
        leaving = places[u_defect[places] < self.defection_chance(day, places)]
        self.active[leaving] = False
        return int(leaving.size)

    def defection_chance(self, day: int, places: np.ndarray) -> np.ndarray:
        """Chance that each household ``places`` does not come back after a visit on ``day``, given its memory."""
        hp = self.hp
        shortfall = np.maximum(0.0, self.base - self.memory[places])
        return np.minimum(1.0, (hp.defection_base + hp.defection_per_point * shortfall) * self.loyalty(day)[places])

    def count_visits(self, places: np.ndarray) -> None:
        """The shoppers ``places`` visited (without feedback: only the count moves)."""
        self.visits[places] += 1

    def new_rate(self, delighted: int, dissatisfied: int) -> float:
        """Expected new households tomorrow after a day with these counts (word of mouth)."""
        hp = self.hp
        told = hp.tells_delighted * delighted - hp.tells_dissatisfied * dissatisfied
        return max(0.0, self.new_per_day + hp.told_conversion * told)

    def join(self, day: int, count: int) -> int:
        """Up to ``count`` prospects become households, first shopping from ``day``; returns how many."""
        count = min(count, self.places - self.next_prospect)
        new = slice(self.next_prospect, self.next_prospect + count)
        self.active[new] = True
        self.joined_day[new] = day
        self.next_prospect += count
        return count

    def weekly_visits(self) -> float:
        """Expected visits a week of the active households (the mean week's frequencies)."""
        return float(self.frequency[self.active].sum())


def _profile(params: ScenarioParams) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per opening hour: its arrival rate, its start (minutes) and its open minutes."""
    rates = np.asarray(params.arrivals_per_hour(), dtype=float)
    starts = np.arange(rates.size) * 60.0
    return rates, starts, np.minimum(60.0, params.horizon_min - starts)


def daily_arrivals(params: ScenarioParams) -> float:
    """Expected checkout arrivals of one default day: the hourly rates times the open hours."""
    rates, _, lengths = _profile(params)
    return float(np.sum(rates * lengths) / 60.0)


def day_times(params: ScenarioParams, u: np.ndarray) -> np.ndarray:
    """Arrival minutes since opening from uniforms ``u``: the inverse distribution function of the
    day's hourly arrival profile (``arrivals.rate_per_hour``, constant within each hour; the last
    hour cut at ``run.horizon_min``), so the shoppers' times follow the default store's shape."""
    rates, starts, lengths = _profile(params)
    horizon = params.horizon_min
    mass = rates * lengths
    edges = np.concatenate(([0.0], np.cumsum(mass)))
    total = edges[-1]
    if total <= 0:
        return u * horizon
    target = u * total
    hour = np.minimum(np.searchsorted(edges, target, side="right") - 1, rates.size - 1)
    hour = np.maximum(hour, 0)
    within = (target - edges[hour]) / np.where(rates[hour] > 0, rates[hour], math.inf)
    return np.minimum(starts[hour] + within, np.nextafter(horizon, 0.0))
