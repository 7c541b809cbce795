"""Cashier staffing over the day: a constant count or one count per opening hour."""

from __future__ import annotations

import simpy

from .checkout import CheckoutArea
from .customer import ProcessGenerator
from .params import ScenarioParams


def cashiers_by_hour(params: ScenarioParams) -> list[int]:
    """Cashiers on duty in each opening hour."""
    staffing = params.staffing
    if staffing.hourly is not None:
        return list(staffing.hourly)
    return [staffing.cashiers] * params.hours


class CashierSchedule:
    """Tells the checkout area how many lanes to keep open, hour by hour."""

    def __init__(self, env: simpy.Environment, counts: list[int], area: CheckoutArea) -> None:
        self.env = env
        self.counts = counts
        self.area = area
        area.staff(counts[0])
        self.process = env.process(self.follow_plan()) if len(set(counts)) > 1 else None

    def follow_plan(self) -> ProcessGenerator:
        """At each hour where the count changes, open or close lanes."""
        for hour in range(1, len(self.counts)):
            if self.counts[hour] != self.counts[hour - 1]:
                yield self.env.timeout(hour * 60.0 - self.env.now)
                self.area.staff(self.counts[hour])
