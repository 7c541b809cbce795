"""``households.*``: the store's customers as a population of households over several days.

Used only when ``run.days`` > 1 (``sim/days.py``, ``sim/households.py``). Each weight's source,
or its label as an assumption, is in its docstring and in docs/satisfaction.md ("Relationships
over weeks").
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Optional

from ..checks import MAX_CV, MAX_MONEY, Problems, bounded

WEEK = 7
"""Days in a week: ``weekday_factors`` has one value per day, the run starting on the first."""
FEEDBACK_ONLY = ("memory_weight", "loyalty_weeks", "defection_base", "defection_per_point", "new_per_week",
                 "tells_delighted", "tells_dissatisfied", "told_conversion", "recognised_after_visits",
                 "recognition_share", "personal_service_points")
"""The keys of the experiences' consequences (memory, defection, word of mouth, recognition):
with ``households.feedback`` false none acts."""


@dataclass
class HouseholdParams:
    """Households: how often they shop, what they remember, when they stop coming, who they tell."""

    feedback: bool = True
    """Experiences have consequences: memory, defection, word of mouth and recognition at the
    lane. False: every household keeps shopping at its own frequency, nobody defects and no new
    household comes, so the days are independent draws from one population (the validation
    switch; docs/satisfaction.md)."""
    count: Optional[int] = bounded(None, 1, 200_000, whole=True)
    """Households shopping at the store on day 1. Null: as many as make the default day's
    demand, the day's arrivals (``arrivals.rate_per_hour`` summed) x 7 / ``visits_per_week``."""
    prospects: float = bounded(1.0, 0, 4)
    """Households of the catchment not yet shopping here, per household of day 1: new households
    are drawn from them (none come once they are used up). Assumption."""
    visits_per_week: float = bounded(2.0, 0.01, 7)
    """Mean shopping trips a week of a household (the day-1 population is scaled to this mean
    exactly). A household shops at most once a day. Assumption (a typical figure for the main
    grocery store; calibrate from loyalty-card data)."""
    visits_per_week_cv: float = bounded(0.5, 0, MAX_CV)
    """Spread (coefficient of variation, gamma) of the households' visit frequencies, 0: all alike;
    a frequency is capped at 7 a week. Assumption."""
    weekday_factors: list[float] = bounded(low=0, high=WEEK, per_hour=True, per="day of the week",
                                           default_factory=lambda: [1.0] * WEEK)
    """Each day of the week's demand against the mean day (a household's chance of shopping that
    day is its visits_per_week / 7 times this, at most 1); one number is the same every day. The
    default store has no day-of-week shape, so all are 1 (assumption); they must average 1 so the
    mean day stays the default's."""
    tenure_mean_weeks: float = bounded(104.0, 0, 5200)
    """Mean time the day-1 households have shopped here (exponential). Assumption."""
    memory_weight: float = bounded(0.2, 0, 1, what="a share")
    """Weight of a visit's score in a new household's memory (an exponentially weighted mean of the
    scores, 1..5, starting at ``satisfaction.base``): recent visits count most. A visit scoring below
    the memory (a loss against what the household is used to) weighs ``satisfaction.loss_aversion``
    times more, at most 1 (loss aversion: Anderson and Sullivan 1993). Cumulative satisfaction
    updated by each experience follows Bolton 1998; the exponential form and 0.2 are assumptions."""
    loyalty_weeks: Optional[float] = bounded(52.0, 0.1, 5200, optional=True)
    """Tenure at which a household weighs a new experience half as much as a new household does,
    and defects half as often: long-standing customers are more tolerant (Bolton 1998: customers
    with longer experience weigh prior cumulative satisfaction more and new experiences less) and
    less likely to defect (habit; the halving tenure is an assumption). Null: tenure changes
    nothing."""
    defection_base: float = bounded(0.003, 0, 1, what="a probability")
    """Chance a new household whose memory is at ``satisfaction.base`` does not come back after a
    visit (moving, a rival opening). Assumption (about a fifth of new households a year at two
    visits a week)."""
    defection_per_point: float = bounded(0.05, 0, 1, what="a probability per point")
    """Added chance of not coming back per point the memory lies below ``satisfaction.base``.
    Assumption; that retention follows satisfaction is in Bolton 1998, and why it matters for
    profit in Reichheld and Sasser 1990."""
    new_per_week: Optional[float] = bounded(None, 0, 1_000_000)
    """New households a week before word of mouth. Null: the day-1 population's expected departures
    at its baseline defection (so a store whose customers stay at ``satisfaction.base`` keeps its
    size). Assumption."""
    tells_delighted: float = bounded(1.0, 0, 100)
    """People a delighted customer tells about the visit. Assumption."""
    tells_dissatisfied: float = bounded(2.0, 0, 100)
    """People a dissatisfied customer (an abandoner too) tells: more than a delighted one (Anderson
    1998: dissatisfied customers engage in more word of mouth; the ratio 2 is an assumption)."""
    told_conversion: float = bounded(0.02, 0, 1, what="a probability")
    """Chance that a person told about a delighted visit becomes a household the next day, and
    that one told about a dissatisfied visit does not come when they would have. Assumption."""
    recognised_after_visits: int = bounded(10, 0, 100_000)
    """Visits after which a household is a regular the staff may know. Assumption."""
    recognition_share: float = bounded(0.3, 0, 1, what="a probability")
    """Chance a regular is recognised at a staffed lane on a visit. Assumption."""
    personal_service_points: float = bounded(0.5, 0, 4, what="a number of points")
    """Points a recognised regular's score gains (personal service), toward delight. Assumption."""
    margin_share: float = bounded(1.0, 0, 1, what="a share")
    """Share of a basket's value (``customers.value_per_item`` per item) that is income. 1 counts a
    basket at its full value, as ``lost_sales`` does; set the store's gross margin for income net of
    the goods' cost."""
    value_weeks: float = bounded(52.0, 0, 5200)
    """Weeks of future visits a household still active at the end of a run is worth, undiscounted,
    in ``future_income_lost``. Assumption (a year)."""
    discount_rate: float = bounded(0.1, 0, 10, low_open=True, what="a rate a year")
    """Yearly discount rate of the customer lifetime value (``clv``). Assumption."""

    def problems(self, p: Problems, days: int | None = None, prefix: str = "households") -> None:
        """``feedback`` true or false; the weekday factors (each in range) seven, averaging 1; given
        ``run.days`` 1 (a single day), every key left at its default, as none of them acts then;
        with ``feedback`` false, the keys of the consequences (``FEEDBACK_ONLY``) too."""
        p.flag(prefix, self, "feedback")
        if days == 1:
            why = "acts only over several days: set run.days above 1 (a single day has no households)"
            p.unused(prefix, self, tuple(f.name for f in dataclasses.fields(self) if f.name != "weekday_factors"), why)
            key = f"{prefix}.weekday_factors"
            p.need(not p.clear(key) or self.weekday_factors in (1, 1.0, [1.0] * WEEK), key, why, self.weekday_factors)
        elif self.feedback is False:
            p.unused(prefix, self, FEEDBACK_ONLY, f"acts only with {prefix}.feedback=true (experiences with "
                     "consequences); with feedback off drop {key}")
        key, f = f"{prefix}.weekday_factors", self.weekday_factors
        if not p.clear(key):
            return
        factors = list(f) if isinstance(f, (list, tuple)) else [f] * WEEK
        p.need(len(factors) == WEEK, key, f"needs one value per day of the week ({WEEK} values)", f)
        if len(factors) == WEEK:
            p.need(abs(sum(factors) / WEEK - 1.0) < 1e-6, key,
                   "must average 1 (the mean day is the default store's day)", f)

    def weekday_factor(self, day: int) -> float:
        """The demand factor of ``day`` (0-based; the run starts on the first day of the week)."""
        f = self.weekday_factors
        return float(f[day % WEEK]) if isinstance(f, (list, tuple)) else float(f)
