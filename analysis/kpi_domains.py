"""Which values each KPI can take: the one place a KPI's domain is decided.

A KPI's interval over replications is clipped to its domain (``analysis.stats``), so a
share never reads below 0 or above 1 and a count, time or cost never below 0. Domains
follow name patterns (the KPI names of ``sim/kpis.py``), with explicit exceptions first:

- shares in [0, 1]: ``*_rate``, ``*_share``, ``*_fraction``, ``*service_level``,
  ``utilization_*``, ``manager_utilization``, ``attendant_utilization``, ``csat`` and ``csat_<segment>``, ``courtesy_mean``
  (friendliness 0..1);
- satisfaction scores in [1, 5]: ``satisfaction_mean`` and ``satisfaction_mean_<segment>``;
- non-negative: counts (``customers_*``, ``floor_customers_*``, ``role_switches``, ``jockeys``,
  ``moves_per_customer``, ``overtakes_per_customer``, ``kiosk_customers``, ``kiosk_interventions``,
  ``kiosk_cross_attended``), ``kiosk_hold_mean``,
  times in minutes (``wait_*``, ``*time_*``, ``queue_len_*``, ``*_min``) and
  money (``*_cost``, ``lost_sales``, ``lost_sales_refused``);
- runs of several days: ``households_*``, ``revenue`` and ``clv`` non-negative, ``retention`` a
  share; ``future_income_lost`` (and ``_per_day``) and so ``total_cost`` unbounded (a customer base that grew is
  income gained).

A name matching none of them has no domain (``domain_of`` returns None, and its interval is
left unclipped); ``tests/test_stats.py`` checks that every KPI the default day and
``experiment=mmc`` report has one. Differences between plans (``sweep_comparison.csv``) are
not KPIs and are never clipped.
"""

from __future__ import annotations

import re

from .stats import NON_NEGATIVE, SHARE, UNBOUNDED, Domain

SCORE = Domain("score", 1.0, 5.0)
"""A customer's satisfaction score, and its mean (docs/satisfaction.md)."""

EXPLICIT: dict[str, Domain] = {
    "courtesy_mean": SHARE,  # mean friendliness of the serving employee, 0..1
    "lost_sales": NON_NEGATIVE,
    "role_switches": NON_NEGATIVE,
    "breaks_skipped": NON_NEGATIVE,
    "jockeys": NON_NEGATIVE,  # customers who moved to another line
    "moves_per_customer": NON_NEGATIVE,
    "overtakes_per_customer": NON_NEGATIVE,  # later arrivals served first, per served customer
    "manager_utilization": SHARE,  # managers' time on calls and duties over their time on duty
    "lost_sales_refused": NON_NEGATIVE,  # money, the part of lost_sales due to wrong refusals
    "kiosk_customers": NON_NEGATIVE,  # arrivals who chose the self-checkout kiosks
    "kiosk_interventions": NON_NEGATIVE,  # kiosk transactions that needed an attendant
    "kiosk_cross_attended": NON_NEGATIVE,  # of those, answered by a cross-trained floor employee
    "kiosk_hold_mean": NON_NEGATIVE,  # minutes a kiosk held for its attendant
    "attendant_utilization": SHARE,  # attendants' time on interventions over their time on duty
    # Runs of several days (run.days > 1, sim/days.py):
    "households_active": NON_NEGATIVE,  # households shopping here at the run's end
    "households_new": NON_NEGATIVE,
    "households_lost": NON_NEGATIVE,
    "retention": SHARE,  # share of the day-1 households still shopping here at the end
    "revenue": NON_NEGATIVE,  # money a day
    "clv": NON_NEGATIVE,  # customer lifetime value, money
    "future_income_lost": UNBOUNDED,  # negative when the customer base grew
    "future_income_lost_per_day": UNBOUNDED,  # the same over run.days, the part of total_cost
    "total_cost": UNBOUNDED,  # includes future_income_lost / run.days, so it may be negative
}
"""Exceptions to the name patterns, looked up first."""

PATTERNS: tuple[tuple[re.Pattern[str], Domain], ...] = (
    (re.compile(r"^satisfaction_mean(_\w+)?$"), SCORE),
    (re.compile(r"(_rate|_share|_fraction|service_level)$|^utilization_|^csat(_\w+)?$"), SHARE),
    (re.compile(r"^(floor_)?customers_|wait_|(^|_)time_|^queue_len_|_min$|_cost$"), NON_NEGATIVE),
)
"""Name pattern -> domain, the first match wins."""


def domain_of(name: str) -> Domain | None:
    """The domain of KPI ``name``, or None when no rule covers it."""
    if name in EXPLICIT:
        return EXPLICIT[name]
    for pattern, domain in PATTERNS:
        if pattern.search(name):
            return domain
    return None
