"""Self-checkout kiosks with attendants (``store.self_checkout_kiosks``, ``sim/self_checkout.py``):
off by default, who goes to the kiosks, the bank as an M/M/c queue, interventions holding the
kiosk for the attendant, attendant utilisation, and reproducibility."""

from __future__ import annotations

import math

import numpy as np
import pytest

from storesim.analysis.kpi_domains import domain_of
from storesim.analysis.stats import t_interval, welch_difference
from storesim.analysis.theory import mmc_metrics
from storesim.scenarios.runner import run_scenario
from storesim.sim.customer import Customer
from storesim.sim.hiring import onboarding_cost_per_day
from storesim.sim.kpis import labor_cost
from storesim.sim.params import (AbandonmentParams, ArrivalParams, ExceptionKind, ExceptionParams, FloorParams,
                                 RunParams, ScenarioParams, SelfCheckoutParams, StaffingParams, StoreParams)
from storesim.sim import validation
from storesim.sim.self_checkout import KioskBank
from storesim.sim.store import Store, run_replication

from .conftest import scenario

NO_EXCEPTIONS = ExceptionParams(ExceptionKind(0.0), ExceptionKind(0.0), ExceptionKind(0.0))


def kiosk_params(kiosks=2, attendants=1, walk=0.5, **self_checkout) -> ScenarioParams:
    """One cashier at one lane, ``kiosks`` kiosks, no floor work, no exceptions, no abandonment."""
    return ScenarioParams(store=StoreParams(lanes=1, express_lanes=0, self_checkout_kiosks=kiosks),
                          arrivals=ArrivalParams(rate_per_hour=60.0),
                          abandonment=AbandonmentParams(balking=False, reneging=False),
                          staffing=StaffingParams(cashiers=1, floor_staff=0, attendants=attendants),
                          floor=FloorParams(rate_per_hour=0.0), exceptions=NO_EXCEPTIONS,
                          self_checkout=SelfCheckoutParams(attendant_walk_min=walk, **self_checkout),
                          run=RunParams(horizon_min=60.0))


def kiosk_customer(cid, at, work, intervention=0.0, items=3):
    """A customer who prefers kiosks, with kiosk time ``work`` and an intervention of that length."""
    return Customer(cid, at, items, 1.0, math.inf, 1.0, prefers_kiosk=True, kiosk_work_min=work,
                    intervention_min=intervention)


def test_without_kiosks_the_customers_draws_are_those_of_before():
    """The kiosk stream is the last one and untouched without kiosks: the default day's
    customers (and so its numbers, ``tests/test_numbers_hold.py``) are the same; with kiosks
    only the kiosk draws are added (the expected wait is left out: it is formed at arrival from
    the lines the customer sees, which kiosks shorten)."""
    plain = run_replication(ScenarioParams(), 7)
    params = ScenarioParams()
    params.store.self_checkout_kiosks = 6
    with_kiosks = run_replication(params, 7)
    assert not [name for name in plain.kpis if "kiosk" in name or "attendant" in name]
    assert plain.customers["kiosk"].sum() == 0
    assert with_kiosks.kpis["kiosk_customers"] > 0
    assert all(domain_of(name) is not None for name in with_kiosks.kpis), "a kiosk KPI without a domain"
    a, b = plain.customers, with_kiosks.customers
    for column in ("customer_id", "arrived_at_min", "items", "exception", "segment"):
        assert np.array_equal(a[column], b[column]), column


def test_baskets_above_the_limit_and_exceptions_never_use_kiosks():
    params = ScenarioParams()
    params.store.self_checkout_kiosks = 6
    params.self_checkout.max_items = 8
    params.self_checkout.preference_share = 1.0
    cols = run_replication(params, 3).customers
    kiosk = cols["kiosk"] == 1
    assert kiosk.any() and (cols["items"][kiosk] <= 8).all()
    assert (cols["exception"][kiosk] == "none").all()
    small = (cols["items"] <= 8) & (cols["exception"] == "none")
    assert (kiosk == small).all()  # everybody prefers kiosks: every basket that fits goes there
    assert (cols["lane"][kiosk] == -1).all()


def test_customers_without_a_preference_go_to_the_kiosks_only_when_they_expect_a_shorter_wait():
    params = kiosk_params(kiosks=1, intervention_prob=0.0, preference_share=0.0)
    # Customer 0 takes the lane, 1 finds the kiosk free (expected 0 < one ahead), 2 finds both
    # busy: a line of 1 ahead x 1.0 min at the lane against (0 + 1) / 1 x kiosk mean at the kiosk.
    script = [Customer(i, 0.0, 3, 5.0, math.inf, 1.0, kiosk_work_min=5.0) for i in range(3)]
    store = Store(params, 0, script=script)
    store.run()
    cols = store.log.columns()
    kiosk_mean = params.self_checkout.fixed_min + params.self_checkout.per_item_min * params.customers.basket_mean_items
    assert cols["kiosk"].tolist() == [0, 1, int(kiosk_mean < params.mean_service_min)]


def test_the_kiosk_holds_until_the_attendant_has_come_and_handled_the_intervention():
    """Two kiosks, one attendant walking 0.5 min: both customers scan 2 min and need help (1
    and 3 min); the second call waits for the attendant to finish the first."""
    params = kiosk_params(kiosks=2, attendants=1, walk=0.5)
    script = [kiosk_customer(0, 0.0, 2.0, intervention=1.0), kiosk_customer(1, 0.0, 2.0, intervention=3.0),
              kiosk_customer(2, 0.1, 1.0)]
    store = Store(params, 0, script=script)
    result = store.run()
    cols = result.customers
    # 0: scan 0-2, attendant walks 2-2.5, handles 2.5-3.5. 1: scan 0-2, attendant free at 3.5,
    # walks 3.5-4, handles 4-7. 2: waits for the first kiosk free (3.5), scans 3.5-4.5.
    assert cols["left_at_min"].tolist() == pytest.approx([3.5, 7.0, 4.5])
    assert cols["hold_min"].tolist() == pytest.approx([0.5, 2.0, 0.0])
    assert cols["wait_min"].tolist() == pytest.approx([0.0, 0.0, 3.4])
    assert cols["kiosk"].tolist() == [1, 1, 1]
    kpis = result.kpis
    assert kpis["kiosk_interventions"] == 2 and kpis["kiosk_hold_mean"] == pytest.approx(1.25)
    # attendant busy 0.5 + 1 + 0.5 + 3 = 5 min of the day (60 min, then 7 min of no one left)
    assert kpis["attendant_utilization"] == pytest.approx(5.0 / result.ended_at)


def test_no_attendant_no_courtesy():
    """Satisfaction counts courtesy only for kiosk customers an attendant helped."""
    params = kiosk_params(kiosks=2, attendants=1)
    store = Store(params, 0, script=[kiosk_customer(0, 0.0, 2.0), kiosk_customer(1, 0.0, 2.0, intervention=1.0)])
    store.run()
    assert store.satisfaction.courtesy_n == 1
    assert store.satisfaction.courtesy_sum == pytest.approx(params.staffing.friendliness)


def test_attendant_utilisation_is_intervention_time_over_attendant_time():
    """Attendants are employees A1, A2 with shifts: their utilisation is their time at kiosks over
    their time at the bank (from the staff timeline), and they are paid like cashiers."""
    params = ScenarioParams()
    params.store.self_checkout_kiosks = 6
    params.staffing.attendants = 2
    store = Store(params, 11)
    result = store.run()
    at_bank = {"attending": 0.0, "kiosk_idle": 0.0}
    for employee, state, start, end in result.staff_timeline:
        if employee.startswith("A"):
            assert state in (*at_bank, "off"), state
            if state != "off":
                at_bank[state] += end - start
    assert at_bank["attending"] == pytest.approx(store.kiosks.handling_min)
    expected = at_bank["attending"] / (at_bank["attending"] + at_bank["kiosk_idle"])
    assert result.kpis["attendant_utilization"] == pytest.approx(expected, rel=1e-9)
    assert result.kpis["kiosk_interventions"] == (result.customers["hold_min"][result.customers["kiosk"] == 1] > 0).sum()
    # their labour is in labor_cost: each attendant's wage from shift start until they left
    attendants = [e for e in store.employees if e.spec.home_role == "attendant"]
    assert [e.spec.employee_id for e in attendants] == ["A1", "A2"]
    paid = sum(at_bank.values()) / 60 * params.staffing.attendant_wage_per_hour
    store.employees = [e for e in store.employees if e not in attendants]
    # attendants are hires like any other: their positions' onboarding is paid too (labor_cost only)
    onboarding = onboarding_cost_per_day(params.policy.hiring, [e.spec for e in attendants])
    assert onboarding > 0
    assert result.kpis["labor_cost"] - labor_cost(store, result.ended_at) == pytest.approx(paid + onboarding, rel=1e-9)
    assert result.kpis["attendant_labor_cost"] == pytest.approx(paid, rel=1e-9)


def test_same_seed_same_day():
    params = ScenarioParams()
    params.store.self_checkout_kiosks = 6
    a, b = run_replication(params, 5), run_replication(params, 5)
    assert a.kpis == pytest.approx(b.kpis, nan_ok=True)
    for name in a.customers:
        assert np.array_equal(a.customers[name], b.customers[name], equal_nan=a.customers[name].dtype == float), name


@pytest.mark.parametrize("extra", [(), ("staffing.attendants=0", "policy/cross_training=threshold"),
                                   ("queue.jockey_diff=2", "queue.discipline=per_lane")])
def test_a_free_kiosk_taking_the_arrival_at_once_gives_a_process_day(monkeypatch, extra):
    """A free kiosk starts serving within the arrival's event; a kiosk process would start at
    an event of its own at the same minute, after any other event due then: the same day."""
    params = scenario("self_checkout=six_kiosks", "run.replications=1", *extra)
    at_once = run_replication(params, 3)

    def at_own_event(bank, now):
        bank._idle -= 1
        bank.env.timeout(0).callbacks.append(lambda _: bank._serve_next(bank.env.now))

    monkeypatch.setattr(KioskBank, "_take", at_own_event)
    as_process = run_replication(params, 3)
    assert at_once.kpis == pytest.approx(as_process.kpis, rel=0, abs=0, nan_ok=True)
    for name in at_once.customers:
        np.testing.assert_array_equal(at_once.customers[name], as_process.customers[name])


def test_only_kiosks_is_an_mmc_queue():
    """Everyone prefers kiosks, every basket fits, no interventions, exponential kiosk time of
    mean 1 min: the kiosk bank is M/M/c, so the mean kiosk wait agrees with Erlang C (95%
    interval over 20 replications)."""
    kiosks, load = 4, 0.8
    params = scenario("experiment=mmc", "staffing.cashiers=1", f"store.self_checkout_kiosks={kiosks}",
                      f"arrivals.rate_per_hour={kiosks * load * 60}", "self_checkout.preference_share=1",
                      "self_checkout.max_items=1000", "self_checkout.intervention_prob=0",
                      "self_checkout.distribution=exponential", "self_checkout.fixed_min=1.0",
                      "self_checkout.per_item_min=0", "run.horizon_min=3000", "run.warmup_min=300",
                      "run.replications=20", "run.jobs=2", "output.customers=false")
    result = run_scenario(params)
    assert result.kpi_values("kiosk_customers") == result.kpi_values("customers_arrived")
    theory = mmc_metrics(kiosks * load, 1.0, kiosks)
    wait = t_interval(result.kpi_values("kiosk_wait_mean"), 0.95)
    assert wait.ci_low <= theory.wait_mean <= wait.ci_high, (wait, theory.wait_mean)


def test_bad_attendants_are_named():
    """Nobody to answer the kiosks' calls (no attendant, no cross-training) is refused before
    any simulation, naming the hours; without interventions no attendant is needed."""
    params = kiosk_params(kiosks=4, attendants=0, intervention_prob=0.1)
    found = validation.problems(params)
    assert len(found) == 1 and found[0].startswith("staffing.attendants: needs an attendant"), found
    assert "08:00-09:00" in found[0]
    assert not validation.problems(kiosk_params(kiosks=4, attendants=0, walk=0.25, intervention_prob=0.0))


def ciw_mean_waits(servers: int, arrival_rate: float, mu: float, sigma: float, horizon: float, warmup: float,
                   reps: int) -> list[float]:
    """Mean wait of customers arriving after ``warmup`` in Ciw's M/G/c with lognormal(mu, sigma)
    service, one value per replication (Ciw's own seeds)."""
    import ciw

    means = []
    for rep in range(reps):
        ciw.seed(1000 + rep)
        network = ciw.create_network(arrival_distributions=[ciw.dists.Exponential(arrival_rate)],
                                     service_distributions=[ciw.dists.Lognormal(mu, sigma)],
                                     number_of_servers=[servers])
        sim = ciw.Simulation(network)
        sim.simulate_until_max_time(horizon)
        waits = [r.waiting_time for r in sim.get_all_records() if r.arrival_date >= warmup]
        means.append(float(np.mean(waits)))
    return means


@pytest.mark.slow
def test_only_kiosks_with_lognormal_times_agrees_with_ciw():
    """The kiosk bank with lognormal kiosk times (mean 1 min, cv 0.8) is M/G/c: its mean wait
    agrees with Ciw's for the same queue (95% Welch interval of the difference holds 0)."""
    kiosks, load, cv, horizon, warmup, reps = 4, 0.85, 0.8, 3000.0, 300.0, 20
    params = scenario("experiment=mmc", "staffing.cashiers=1", f"store.self_checkout_kiosks={kiosks}",
                      f"arrivals.rate_per_hour={kiosks * load * 60}", "self_checkout.preference_share=1",
                      "self_checkout.max_items=1000", "self_checkout.intervention_prob=0",
                      "self_checkout.distribution=lognormal", f"self_checkout.cv={cv}", "self_checkout.fixed_min=1.0",
                      "self_checkout.per_item_min=0", f"run.horizon_min={horizon}", f"run.warmup_min={warmup}",
                      f"run.replications={reps}", "run.jobs=2", "output.customers=false")
    ours = run_scenario(params).kpi_values("kiosk_wait_mean")
    sigma2 = math.log1p(cv**2)
    theirs = ciw_mean_waits(kiosks, kiosks * load, -sigma2 / 2, math.sqrt(sigma2), horizon, warmup, reps)
    difference = welch_difference(ours, theirs)
    assert difference.ci_low <= 0.0 <= difference.ci_high, (difference, np.mean(ours), np.mean(theirs))


def test_every_customer_is_accounted_for_in_each_channel():
    """Conservation per channel on a busy day (two kiosks, everyone preferring them, abandonment
    on): each arrival leaves by exactly one channel and one outcome, and the kiosk KPIs count
    the kiosk rows of customers.csv."""
    params = ScenarioParams()
    params.store.self_checkout_kiosks = 2
    params.self_checkout.preference_share = 1.0
    params.self_checkout.max_items = 1000
    result = run_replication(params, 4)
    cols, kpis = result.customers, result.kpis
    kiosk = cols["kiosk"] == 1
    assert len(cols["customer_id"]) == kpis["customers_arrived"]
    assert kiosk.sum() == kpis["kiosk_customers"]
    left = np.isin(cols["outcome"], ["balked", "reneged"])
    assert (left & kiosk).sum() == pytest.approx(kpis["kiosk_abandon_rate"] * kpis["kiosk_customers"])
    assert (left & kiosk).sum() > 0, "the day is meant to be busy enough for kiosk customers to give up"
    assert ((cols["outcome"] == "served") & kiosk).sum() + (left & kiosk).sum() == kiosk.sum()
    served = cols["outcome"] == "served"
    assert served.sum() == kpis["customers_served"]
    assert (cols["lane"][served & ~kiosk] >= 0).all() and (cols["lane"][kiosk] == -1).all()
