"""The KPIs a manager reads, in plain words, and each plan's change from the baseline plan.

A change is a paired difference when both runs used the same seed and replications (common
random numbers: replication k saw the same customers under both plans), else Welch's
unpaired difference (``analysis/comparison.py``). Either way it carries its 95% confidence
interval.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..comparison import compare
from ..kpi_domains import domain_of
from ..number_text import money_text, money_unit, share_text
from ..stats import ConfidenceInterval
from .runs import PlanRun

MINUTES, SHARE, MONEY, PEOPLE = "min", "share", "money", "people"


@dataclass(frozen=True)
class KpiSpec:
    """How a KPI is named, shown and judged in the report.

    Attributes:
        name: the KPI's name in ``summary.json``.
        label: what it means, in a manager's words.
        unit: ``min``, ``share`` (shown in %), ``money`` or ``people``.
        better: ``lower`` or ``higher``: which way is an improvement.
    """

    name: str
    label: str
    unit: str
    better: str

    def title(self, target_wait_min: float, currency: str | None = None, several_days: bool = False) -> str:
        """The label, with the target wait and the parts of total cost filled in (future income
        lost among them for runs of several days); money says what it is counted in."""
        label = self.label.format(target=f"{target_wait_min:g}", cost_parts=cost_parts(several_days))
        return f"{label} ({money_unit(currency)})" if self.unit == MONEY else label

    def format(self, value: float, target: float | None = None, currency: str | None = None,
               unit: bool = True) -> str:
        """The value with its unit: ``3.2 min``, ``84%``, ``7,120 EUR``, ``4.1``.

        A share compared with a ``target`` gets the decimals it needs to read on the right side
        of it (``79.8%`` against 80%); ``unit=False`` leaves the currency off an amount.
        """
        if value != value:
            return "–"
        if self.unit == SHARE:
            return share_text(value, target)
        if self.unit == MINUTES:
            return f"{value:.1f} min"
        if self.unit == MONEY:
            return money_text(value, currency) if unit else f"{value:,.0f}"
        return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"

    def format_range(self, low: float, high: float, between: str = " to ", currency: str | None = None,
                     unit: bool = True) -> str:
        """``1.6 to 3.0 min``, ``52% to 70%``, ``6,900 to 7,300 EUR``: an interval with its unit
        once (minutes, money) or on both (shares)."""
        if self.unit == MINUTES:
            return f"{low:.1f}{between}{self.format(high)}"
        if self.unit == MONEY:
            if not unit:
                return f"{low:,.0f}{between}{high:,.0f}"
            return f"{money_text(low, currency).replace(' ' + money_unit(currency), '')}{between}" \
                   f"{money_text(high, currency)}"
        return f"{self.format(low)}{between}{self.format(high)}"

    def format_change(self, value: float, unit: bool = True, currency: str | None = None, finer: bool = False) -> str:
        """A difference with its sign: ``−5.9 min``, ``+13 pts``, ``+412 EUR`` (``unit=False``: no unit;
        ``finer``: a share or a time with one more decimal)."""
        if value != value:
            return "–"
        sign = "+" if value > 0 else "−" if value < 0 else "±"
        size = abs(value)
        if self.unit == SHARE:
            text, suffix = (f"{size * 100:.{finer:d}f}" if size >= 0.005 else f"{size * 100:.{1 + finer}f}"), " pts"
        elif self.unit == MINUTES:
            text, suffix = (f"{size:.{1 + finer}f}" if size >= 0.05 else f"{size:.{2 + finer}f}"), " min"
        elif self.unit == MONEY:
            return money_text(value, currency, sign=True) if unit else f"{sign}{size:,.0f}"
        else:
            text, suffix = (f"{size:,.0f}" if size >= 100 else f"{size:.1f}"), ""
        return sign + text + (suffix if unit else "")


KPIS: dict[str, KpiSpec] = {spec.name: spec for spec in (
    KpiSpec("service_level", "customers served within {target} min", SHARE, "higher"),
    KpiSpec("wait_mean", "average wait in line", MINUTES, "lower"),
    KpiSpec("wait_p90", "p90 wait (9 in 10 customers wait less)", MINUTES, "lower"),
    KpiSpec("peak_wait_p90", "p90 wait at the evening peak", MINUTES, "lower"),
    KpiSpec("peak_service_level", "served within {target} min at the evening peak", SHARE, "higher"),
    KpiSpec("queue_len_mean", "people waiting in line (time average)", PEOPLE, "lower"),
    KpiSpec("abandon_rate", "customers who left without being served", SHARE, "lower"),
    KpiSpec("staffed_wait_mean", "average wait for a staffed lane (self-checkout customers apart)", MINUTES, "lower"),
    KpiSpec("kiosk_wait_mean", "average wait for a self-checkout kiosk", MINUTES, "lower"),
    KpiSpec("staffed_service_level", "staffed-lane customers served within {target} min", SHARE, "higher"),
    KpiSpec("kiosk_service_level", "kiosk customers served within {target} min", SHARE, "higher"),
    KpiSpec("kiosk_hold_mean", "minutes a kiosk waits for help with an intervention", MINUTES, "lower"),
    KpiSpec("csat", "customers satisfied or delighted", SHARE, "higher"),
    KpiSpec("delighted_share", "customers delighted", SHARE, "higher"),
    KpiSpec("utilization_checkout", "cashiers' time spent serving", SHARE, "higher"),
    KpiSpec("labor_cost", "labour cost per day", MONEY, "lower"),
    KpiSpec("attendant_labor_cost", "of which self-checkout attendants", MONEY, "lower"),
    KpiSpec("lost_sales", "sales lost to customers leaving", MONEY, "lower"),
    KpiSpec("discount_cost", "discounts given", MONEY, "lower"),
    KpiSpec("total_cost", "total cost per day ({cost_parts})", MONEY, "lower"),
    # Runs of several days (run.days > 1; docs/kpis.md):
    KpiSpec("households_active", "households shopping here at the end", PEOPLE, "higher"),
    KpiSpec("retention", "first-day households who still shop here", SHARE, "higher"),
    KpiSpec("revenue", "revenue per day", MONEY, "higher"),
    KpiSpec("future_income_lost", "future income lost with the households who left (whole run)", MONEY, "lower"),
    KpiSpec("future_income_lost_per_day", "future income lost per day (part of total cost)", MONEY, "lower"),
)}
"""The KPI table's rows, in order."""


def cost_parts(several_days: bool) -> str:
    """What total cost counts (``docs/kpis.md``): ``labour, discounts, lost sales``, and for
    runs of several days (``run.days`` > 1) also the future income lost with households."""
    return "labour, discounts, lost sales" + (", future income lost" if several_days else "")


def several_days(plans: Sequence[PlanRun]) -> bool:
    """Whether any of the report's plans is a run of several days (its total cost then holds
    future income lost): it reports ``future_income_lost_per_day``."""
    return any(p.kpi("future_income_lost_per_day") == p.kpi("future_income_lost_per_day") for p in plans)


@dataclass(frozen=True)
class Change:
    """A plan's KPI against the baseline plan's: both means and the difference's 95% CI."""

    spec: KpiSpec
    baseline: float
    value: float
    difference: ConfidenceInterval
    paired: bool

    @property
    def clear(self) -> bool:
        """Whether the 95% interval of the difference excludes zero."""
        d = self.difference
        if d.mean != d.mean or d.mean == 0:
            return False
        if d.ci_low != d.ci_low:  # one replication: no interval
            return False
        return d.ci_low > 0 or d.ci_high < 0

    @property
    def improved(self) -> bool:
        """A clear change in the better direction."""
        return self.clear and (self.difference.mean < 0) == (self.spec.better == "lower")

    @property
    def relative(self) -> float:
        """The change as a fraction of the baseline (NaN for a zero baseline)."""
        return self.difference.mean / self.baseline if self.baseline else math.nan

    def interval_text(self, currency: str | None = None, unit: bool = True) -> str:
        """``95% CI −6.8 to −5.0 min`` (with one more decimal when the usual ones would show both ends
        the same); empty when the difference has no spread worth showing."""
        d = self.difference
        if d.ci_low != d.ci_low:
            return ""
        finer = self.spec.format_change(d.ci_low) == self.spec.format_change(d.ci_high)  # a narrow interval:
        if finer and self.spec.format_change(d.ci_low, finer=True) == self.spec.format_change(d.ci_high, finer=True):
            return ""  # one more decimal shows its width, unless even that cannot
        high = self.spec.format_change(d.ci_high, unit, currency, finer)
        if self.spec.unit == MONEY and unit and not money_unit(currency)[-1].isalpha():
            return f"95% CI {self.spec.format_change(d.ci_low, True, currency)} to {high}"  # $ on both
        return f"95% CI {self.spec.format_change(d.ci_low, unit=False, finer=finer)} to {high}"


def level_text(level: float, required: float | None) -> str:
    """A service level in %, with the decimals it needs to fall on the right side of the
    required level (79.8% against 80%, never "80%"): :func:`share_text`."""
    return share_text(level, required)


STANDARDS = {"service_level": "service_level", "csat": "min_csat", "abandon_rate": "max_abandon_rate"}
"""KPIs checked against a standard, and the ``standards.*`` key that sets it."""


def standard_of(plan: PlanRun, name: str) -> float | None:
    """The standard KPI ``name`` is held to in ``plan``'s run (``standards.min_csat`` for
    ``csat``), or None."""
    key = STANDARDS.get(name)
    value = plan.setting(f"standards.{key}") if key else None
    return None if value is None else float(value)


def interval(plan: PlanRun, name: str) -> tuple[float, float]:
    """The 95% interval of a KPI's mean, cut to the values the KPI can take (shares in
    0..1, nothing below zero unless its domain says otherwise: ``future_income_lost``): a t
    interval over few replications can overshoot them."""
    low, high = plan.kpi(name, "ci_low"), plan.kpi(name, "ci_high")
    top = 1.0 if name in KPIS and KPIS[name].unit == SHARE else math.inf
    domain = domain_of(name)
    floor = domain.low if domain is not None else 0.0
    return max(low, floor) if low == low else low, min(high, top) if high == high else high


def defined(plan: PlanRun, name: str) -> bool:
    """Whether ``plan`` reports a finite mean for KPI ``name``."""
    return math.isfinite(plan.kpi(name))


def change(plan: PlanRun, baseline: PlanRun, name: str) -> Change:
    """``plan`` minus ``baseline`` for KPI ``name``, paired under common random numbers
    (``analysis.comparison``)."""
    c = compare(plan.job, baseline.job, name)
    return Change(KPIS[name], c.baseline_mean, c.mean, c.difference, c.paired)


def table_kpis(plans: list[PlanRun]) -> list[KpiSpec]:
    """The table's KPIs that at least one plan reports."""
    return [spec for spec in KPIS.values() if any(defined(p, spec.name) for p in plans)]
