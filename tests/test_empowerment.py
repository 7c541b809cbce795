"""Empowerment as a decision with errors and costs (issue 22, point 1): wrong decisions at
the stated rate, training paid, wrong refusals costing satisfaction and sometimes the sale.
The managers' freed time is checked in tests/test_policies.py."""

from __future__ import annotations

import math

import pytest
from scipy.stats import binomtest

from storesim.sim.customer import Customer
from storesim.sim.records import ReplicationResult
from storesim.sim.roster import build_roster
from storesim.sim.store import Store

from .conftest import scenario

EMPOWERED = "policy/empowerment=empowered"
EVERY_CUSTOMER_AN_EXCEPTION = ("exceptions.price_match.share=0.5", "exceptions.returns.share=0.2",
                               "exceptions.coupon.share=0.3", "policy.empowerment.value_limit=1e9")
LEVEL = 0.999


def _day(*overrides: str, seed: int = 7) -> tuple[Store, ReplicationResult]:
    store = Store(scenario(*overrides, "output.customers=false"), seed)
    return store, store.run()


@pytest.mark.parametrize("hours", [0.0, 16.0])
def test_cashiers_decide_wrong_at_the_stated_rate(hours):
    """Every cashier of the standard profile was hired 365 days ago, so each decision is
    right with accuracy_max - (accuracy_max - decision_accuracy) * exp(-hours/scale - 365/365)."""
    store, _ = _day(EMPOWERED, *EVERY_CUSTOMER_AN_EXCEPTION, f"policy.empowerment.training_hours={hours}")
    policy, hiring = store.params.policy.empowerment, store.params.policy.hiring
    assert policy.experience_scale_days == 365.0
    accuracy = policy.accuracy_max - (policy.accuracy_max - hiring.decision_accuracy) * math.exp(
        -hours / policy.training_scale_hours - 1.0)
    handling = store.exceptions
    assert handling.decisions > 1000
    wrong = handling.wrong_grants + handling.wrong_refusals
    interval = binomtest(wrong, handling.decisions).proportion_ci(LEVEL)
    assert interval.low <= 1.0 - accuracy <= interval.high, (wrong, handling.decisions, 1.0 - accuracy)
    # Wrong refusals are of requests that should be granted (share approve_share), wrong grants of the rest.
    refusals = binomtest(handling.wrong_refusals, wrong).proportion_ci(LEVEL)
    assert refusals.low <= policy.approve_share <= refusals.high


def test_training_is_paid_hours_times_wage_over_the_horizon_per_lane_capable_employee():
    """With a value limit of 0 every exception still goes to a manager, so the day is exactly
    manager approval's, and labour cost rises by exactly the training's daily share."""
    _, approval = _day()
    store, trained = _day(EMPOWERED, "policy.empowerment.value_limit=0", "policy.empowerment.training_hours=10",
                          "policy.empowerment.training_horizon_days=50")
    cashiers = [s for s in build_roster(store.params) if s.home_role == "checkout"]
    expected = sum(10 * s.wage_per_hour / 50 for s in cashiers)
    assert len(cashiers) >= 5 and expected > 0
    assert trained.kpis["training_cost"] == pytest.approx(expected, rel=1e-12)
    assert trained.kpis["labor_cost"] - approval.kpis["labor_cost"] == pytest.approx(expected, rel=1e-9)
    assert approval.kpis["training_cost"] == 0.0
    same = {k for k in approval.kpis if k not in ("labor_cost", "training_cost", "total_cost")}
    assert {k: trained.kpis[k] for k in same} == pytest.approx({k: approval.kpis[k] for k in same}, nan_ok=True)


def test_cross_trained_floor_employees_are_trained_too():
    overrides = (EMPOWERED, "staffing=lean", "policy/cross_training=threshold")
    _, untrained = _day(*overrides, "policy.empowerment.training_hours=0")
    store, trained = _day(*overrides)
    policy = store.params.policy.empowerment
    deciding = [s for s in build_roster(store.params) if s.home_role == "checkout" or s.cross_trained]
    assert any(s.home_role == "floor" for s in deciding)
    assert trained.kpis["training_cost"] == pytest.approx(
        sum(policy.training_hours * s.wage_per_hour / policy.training_horizon_days for s in deciding))
    assert untrained.kpis["training_cost"] == 0.0


def _scripted(draws: list[float], items: int = 20) -> tuple[Store, ReplicationResult]:
    """One cashier, no wait: one price match worth 1 every 10 minutes with these approval draws."""
    params = scenario(EMPOWERED, "run.horizon_min=60", "arrivals.rate_per_hour=60", "staffing.cashiers=1",
                      "staffing.floor_staff=0", "floor.rate_per_hour=0", "output.customers=true",
                      "satisfaction.base=2.5")  # no score reaches the clamp at 5
    customers = [Customer(k, 10.0 * k, items, 1.0, math.inf, 4.0, exception=1, exception_value=1.0, approval_draw=u)
                 for k, u in enumerate(draws)]
    store = Store(params, 0, script=customers)
    return store, store.run()


def test_a_wrong_refusal_lowers_the_customers_score_and_sometimes_loses_the_sale():
    """The draw below approve_share g says "grant"; its position u/g in that part decides the
    cashier right (below the accuracy a) or wrong, and a wrong refusal's position
    (u/g - a)/(1 - a) decides the lost sale (below wrong_refusal_lost_sale)."""
    store, _ = _scripted([0.0])
    g = store.params.policy.empowerment.approve_share
    a = store.exceptions.accuracy(store.employees[0])
    lost = store.params.policy.empowerment.wrong_refusal_lost_sale
    right_grant = g * a / 2
    wrong_refusal_sale_lost = g * (a + (1 - a) * lost / 2)
    wrong_refusal_sale_kept = g * (a + (1 - a) * (1 + lost) / 2)
    store, result = _scripted([right_grant, wrong_refusal_sale_lost, wrong_refusal_sale_kept])
    scores = result.customers["satisfaction"].tolist()
    p = store.params.satisfaction
    assert scores[1] == scores[2] == pytest.approx(scores[0] - (p.resolved_at_once - p.unresolved))
    assert store.exceptions.wrong_refusals == 2 and store.exceptions.wrong_grants == 0
    assert result.kpis["lost_sales_refused"] == 20 * store.params.customers.value_per_item
    assert result.kpis["lost_sales"] == result.kpis["lost_sales_refused"]
    assert result.kpis["exceptions_wrong_share"] == pytest.approx(2 / 3)


def test_a_wrong_grant_gives_the_value_away():
    store, _ = _scripted([0.0])
    g = store.params.policy.empowerment.approve_share
    a = store.exceptions.accuracy(store.employees[0])
    right_refusal = g + (1 - g) * a / 2
    wrong_grant = g + (1 - g) * (a + (1 - a) / 2)
    store, result = _scripted([right_refusal, wrong_grant])
    assert store.exceptions.wrong_grants == 1 and store.exceptions.wrong_refusals == 0
    assert result.kpis["discount_cost"] == 1.0
    assert result.kpis["exceptions_unresolved_share"] == 0.5


def test_wrong_refusals_lose_the_sale_at_the_stated_rate():
    """Over many wrong refusals, the baskets left behind are wrong_refusal_lost_sale of them."""
    store, result = _day(EMPOWERED, *EVERY_CUSTOMER_AN_EXCEPTION, "policy.empowerment.training_hours=0")
    handling, p = store.exceptions, store.params
    assert handling.wrong_refusals > 100
    interval = binomtest(handling.sales_lost, handling.wrong_refusals).proportion_ci(LEVEL)
    assert interval.low <= p.policy.empowerment.wrong_refusal_lost_sale <= interval.high
    assert result.kpis["lost_sales_refused"] == handling.lost_items * p.customers.value_per_item > 0
