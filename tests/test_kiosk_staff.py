"""Self-checkout staffing (issue 18): attendants planned per hour like cashiers, cross-trained
floor employees answering the kiosks' calls, and the settings of a feature that is off refused
rather than ignored."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storesim.sim.customer import Customer
from storesim.sim import validation
from storesim.sim.params import SelfCheckoutParams
from storesim.sim.roster import build_roster
from storesim.analysis.stats import t_interval
from storesim.sim.store import Store, run_replication

from .conftest import scenario
from .test_properties import FINISHING, small_stores

SELF_CHECKOUT_KEYS = [(f.name, value) for f, value in zip(
    dataclasses.fields(SelfCheckoutParams),
    (3, 0.9, "gamma", 2.0, 0.2, 0.5, 0.3, 2.0, 1.0, 2))]


@pytest.mark.parametrize("name,value", SELF_CHECKOUT_KEYS)
def test_a_self_checkout_key_without_kiosks_is_refused(name, value):
    assert len(SELF_CHECKOUT_KEYS) == len(dataclasses.fields(SelfCheckoutParams)), "a key without a test value"
    assert value != getattr(SelfCheckoutParams(), name)
    with pytest.raises(ValueError) as error:
        scenario(f"self_checkout.{name}={value}")
    lines = str(error.value).splitlines()
    assert lines == [f"self_checkout.{name}: acts only with self-checkout kiosks, and store.self_checkout_kiosks is 0: "
                     f"set store.self_checkout_kiosks (e.g. self_checkout=six_kiosks), or drop self_checkout.{name}, "
                     f"got {value!r}"]
    scenario(f"self_checkout.{name}={value}", "store.self_checkout_kiosks=6")  # with kiosks it is fine


@pytest.mark.parametrize("override", ["staffing.attendants=1", "staffing.attendants=0",
                                      "staffing.attendant_wage_per_hour=20"])
def test_an_attendant_key_without_kiosks_is_refused(override):
    key = override.split("=")[0]
    with pytest.raises(ValueError) as error:
        scenario(override)
    lines = str(error.value).splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{key}: acts only with self-checkout kiosks"), lines


def test_a_jockeying_walk_without_jockeying_is_refused():
    with pytest.raises(ValueError) as error:
        scenario("queue.jockey_walk_min=0.5")
    assert str(error.value).splitlines() == [
        "queue.jockey_walk_min: acts only when customers move, and queue.jockey_diff is null: set queue.jockey_diff "
        "(an integer from 2), or drop queue.jockey_walk_min, got 0.5"]
    scenario("queue.jockey_walk_min=0.5", "queue.jockey_diff=2")


def test_jockey_diff_zero_suggests_null():
    with pytest.raises(ValueError) as error:
        scenario("queue.jockey_diff=0")
    assert "or null: nobody moves" in str(error.value)


def attend_params(attendants, cross_training="threshold", walk=2.0, **staffing):
    """One lane and its cashier, two kiosks, one floor employee with no floor work (so it is
    free), no abandonment, one hour (the customers are scripted)."""
    return scenario("store.lanes=1", "store.express_lanes=0", "store.self_checkout_kiosks=2",
                    "arrivals.rate_per_hour=60", "staffing.cashiers=1",
                    "staffing.floor_staff=1", "floor.rate_per_hour=0", f"staffing.attendants={attendants}",
                    f"policy.cross_training.policy={cross_training}", f"policy.cross_training.walk_min={walk}",
                    "abandonment.balking=false", "abandonment.reneging=false", "run.horizon_min=60",
                    *(f"staffing.{k}={v}" for k, v in staffing.items()))


def kiosk_customer(cid, at, work, intervention=0.0):
    return Customer(cid, at, 3, 1.0, math.inf, 1.0, prefers_kiosk=True, kiosk_work_min=work,
                    intervention_min=intervention)


def test_with_no_attendant_a_cross_trained_floor_employee_answers_and_the_kiosk_holds_longer():
    """No attendant: the free cross-trained floor employee F1 walks 2 min to the bank and 0.25
    min to the kiosk (hold 2.25 min), handles the intervention, and walks back to the floor.
    With an attendant at the bank the hold is only the attendant's walk, 0.25 min."""
    script = lambda: [kiosk_customer(0, 0.0, 2.0, intervention=1.0)]
    store = Store(attend_params(0), 0, script=script())
    result = store.run()
    assert result.customers["hold_min"].tolist() == pytest.approx([2.25])
    assert result.customers["left_at_min"].tolist() == pytest.approx([5.25])
    assert result.kpis["kiosk_interventions"] == 1 and result.kpis["kiosk_cross_attended"] == 1
    f1 = [(state, start, end) for who, state, start, end in result.staff_timeline if who == "F1"]
    assert [s for s, _, _ in f1][:5] == ["floor", "walking", "attending", "walking", "floor"]
    assert f1[1][1:] == pytest.approx((2.0, 4.0)) and f1[2][1:] == pytest.approx((4.0, 5.25))
    assert not any(who.startswith("A") for who, *_ in result.staff_timeline)  # no attendant on the plan

    with_attendant = Store(attend_params(1), 0, script=script()).run()
    assert with_attendant.customers["hold_min"].tolist() == pytest.approx([0.25])
    assert with_attendant.kpis["kiosk_cross_attended"] == 0


def test_a_busy_attendant_sends_for_a_floor_employee_and_whoever_reaches_the_call_first_takes_it():
    """One attendant, two calls at minute 2 (interventions of 5 and 1 min): the attendant takes
    the first; F1 is sent for the second and takes it at 4.25, long before the attendant is free."""
    store = Store(attend_params(1), 0, script=[kiosk_customer(0, 0.0, 2.0, intervention=5.0),
                                                kiosk_customer(1, 0.0, 2.0, intervention=1.0)])
    result = store.run()
    assert result.customers["hold_min"].tolist() == pytest.approx([0.25, 2.25])
    assert result.kpis["kiosk_cross_attended"] == 1


def test_without_cross_training_nobody_else_answers():
    """Cross-training off: F1 never leaves the floor, the second call waits for the attendant."""
    store = Store(attend_params(1, cross_training="none"), 0,
                  script=[kiosk_customer(0, 0.0, 2.0, intervention=5.0), kiosk_customer(1, 0.0, 2.0, intervention=1.0)])
    result = store.run()
    assert result.customers["hold_min"].tolist() == pytest.approx([0.25, 5.5])
    assert result.kpis["kiosk_cross_attended"] == 0
    assert {state for who, state, *_ in result.staff_timeline if who == "F1"} <= {"floor", "off"}


def test_cross_trained_staff_make_zero_attendants_valid_and_the_day_ends():
    """The default day with six kiosks, no attendant and cross-training: every intervention is
    answered by floor staff, the floor's own customers wait longer than with an attendant, and
    the day ends (the floor staff stay after closing for the kiosks' last customers)."""
    base = ("self_checkout=six_kiosks", "policy/cross_training=threshold", "run.replications=1")
    alone = Store(scenario(*base, "staffing.attendants=0"), 3).run()
    helped = Store(scenario(*base), 3).run()
    assert alone.kpis["kiosk_interventions"] > 0
    assert alone.kpis["kiosk_cross_attended"] == alone.kpis["kiosk_interventions"]
    assert alone.kpis["kiosk_hold_mean"] > helped.kpis["kiosk_hold_mean"]
    assert alone.kpis["floor_wait_mean"] > helped.kpis["floor_wait_mean"]
    assert math.isnan(alone.kpis["attendant_utilization"])
    served = (alone.customers["kiosk"] == 1) & (alone.customers["outcome"] == "served")
    assert served.sum() > 0 and np.isfinite(alone.customers["left_at_min"][served]).all()


def test_attendants_follow_the_hourly_plan():
    """``staffing.attendants`` per hour becomes stacked shifts A1, A2 like the cashiers', whose
    hours are paid at the attendant wage."""
    plan = [1] * 9 + [2, 2, 2, 1, 1]
    params = scenario("self_checkout=six_kiosks", f"staffing.attendants={plan}".replace(" ", ""))
    specs = [s for s in build_roster(params) if s.home_role == "attendant"]
    assert [(s.employee_id, s.shift.start, s.shift.end) for s in specs] == [("A1", 0.0, 840.0), ("A2", 540.0, 720.0)]
    assert all(s.wage_per_hour == params.staffing.attendant_wage_per_hour and s.skills == {"attendant"}
               for s in specs)
    on_duty = [sum(s.shift.start <= h * 60 < s.shift.end for s in specs) for h in range(params.hours)]
    assert on_duty == plan
    with pytest.raises(ValueError, match=r"staffing.attendants: needs one value per opening hour \(14 values\)"):
        scenario("self_checkout=six_kiosks", "staffing.attendants=[1,2]")
    with pytest.raises(ValueError, match=r"staffing.attendants: needs an attendant .*'08:00-10:00'"):
        scenario("self_checkout=six_kiosks", "staffing.attendants=[0,0,1,1,1,1,1,1,1,1,1,1,1,1]")


def test_a_roster_names_its_attendants():
    roster = ("[{id:C1,start_hour:8,end_hour:22},"
              "{id:K1,home_role:attendant,skills:[attendant],start_hour:8,end_hour:22}]")
    params = scenario("self_checkout=six_kiosks", "staffing=roster", f"staffing.roster={roster}", "store.lanes=2",
                      "store.express_lanes=0")
    assert [s.employee_id for s in build_roster(params) if s.home_role == "attendant"] == ["K1"]
    with pytest.raises(ValueError, match="staffing.attendants: must be null while staffing.roster"):
        scenario("self_checkout=six_kiosks", "staffing=roster", f"staffing.roster={roster}", "store.lanes=2",
                 "store.express_lanes=0", "staffing.attendants=1")


def test_the_staffed_channel_is_the_checkout_less_the_kiosks():
    """``staffed_wait_mean`` and ``staffed_service_level`` are those of the customers.csv rows of
    customers who did not choose the kiosks."""
    params = scenario("self_checkout=six_kiosks", "run.replications=1", "output.customers=true")
    result = Store(params, 5).run()
    c, kpis = result.customers, result.kpis
    lanes = c["kiosk"] == 0
    served = lanes & (c["outcome"] == "served")
    assert kpis["staffed_wait_mean"] == pytest.approx(c["wait_min"][served].mean(), rel=1e-9)
    on_target = served & (c["wait_min"] <= params.standards.target_wait_min)
    assert kpis["staffed_service_level"] == pytest.approx(on_target.sum() / lanes.sum(), rel=1e-9)
    assert kpis["staffed_wait_mean"] != pytest.approx(kpis["wait_mean"])


def test_with_nobody_on_the_floor_a_cross_trained_helper_idle_at_a_lane_answers():
    """F1, sent to the second lane by the cross-training policy when four customers wait at
    minute 0, is idle there with an empty line at minute 8 when the kiosk calls (the policy's
    cool-down would send F1 back only at about 12): F1 closes the lane, walks 2 + 0.25 min, and
    after the intervention goes back to the floor."""
    params = attend_params(0, **{"cashiers": 1})
    params.store.lanes = 2
    lane_customers = [Customer(i, 0.0, 100, 1.0, math.inf, 1.0) for i in range(1, 5)]  # too big for a kiosk
    store = Store(params, 0, script=[kiosk_customer(0, 0.0, 8.0, intervention=1.0), *lane_customers])
    result = store.run()
    kiosk = result.customers["kiosk"] == 1
    assert result.customers["hold_min"][kiosk].tolist() == pytest.approx([2.25])
    f1 = [(state, start) for who, state, start, end in result.staff_timeline if who == "F1"]
    states = [s for s, _ in f1]
    at_kiosk = states.index("attending")
    assert "lane_idle" in states[:at_kiosk] and states[at_kiosk - 1] == "walking"
    assert f1[at_kiosk - 1][1] == pytest.approx(8.0) and states[at_kiosk + 1:at_kiosk + 3] == ["walking", "floor"]
    assert result.kpis["kiosk_cross_attended"] == 1


def test_the_planners_first_cut_takes_the_kiosk_channel_off_the_lanes():
    """The share of customers sure to use the kiosks and the staffed lanes' mean service time,
    as the first cut counts them, agree with the simulated customers (everyone who may prefers
    kiosks and nobody balks, so the share is exact in expectation: 99% intervals); and the first
    cut with kiosks asks for fewer cashier-hours, never more in any hour."""
    from scipy import stats

    from storesim.scenarios.planner import first_cut, kiosk_channel

    params = scenario("self_checkout=six_kiosks", "self_checkout.preference_share=1", "abandonment.balking=false",
                      "run.replications=1", "output.customers=true")
    channel = kiosk_channel(params)
    kiosk, n, staffed_service = 0, 0, []
    for seed in (101, 102):
        c = run_replication(params, seed).customers
        kiosk += int((c["kiosk"] == 1).sum())
        n += c["kiosk"].size
        svc = params.service
        staffed_service.extend((svc.fixed_min + svc.per_item_min * c["items"][c["kiosk"] == 0]).tolist())
    low, high = stats.binomtest(kiosk, n).proportion_ci(0.99)
    assert low <= channel.share <= high, (low, channel.share, high)
    mean = t_interval(staffed_service, 0.99)
    assert mean.ci_low <= channel.staffed_service_min <= mean.ci_high, (mean, channel.staffed_service_min)

    plain = scenario()
    assert kiosk_channel(plain).share == 0.0
    without, with_kiosks = first_cut(plain, 3.0, 0.8), first_cut(scenario("self_checkout=six_kiosks"), 3.0, 0.8)
    assert sum(with_kiosks) < sum(without) and all(k <= w for k, w in zip(with_kiosks, without))


def test_a_roster_attendant_without_kiosks_and_a_roster_without_attendants_with_kiosks_are_refused():
    roster = ("[{id:C1,start_hour:8,end_hour:22},"
              "{id:K1,home_role:attendant,skills:[attendant],start_hour:8,end_hour:22}]")
    with pytest.raises(ValueError) as error:
        scenario("staffing=roster", f"staffing.roster={roster}", "store.lanes=2", "store.express_lanes=0")
    assert str(error.value).splitlines() == [
        "staffing.roster[1].home_role: attendant needs self-checkout kiosks, and store.self_checkout_kiosks is 0: "
        "set store.self_checkout_kiosks (e.g. self_checkout=six_kiosks), or give the employee another role, "
        "got 'attendant'"]
    with pytest.raises(ValueError, match=r"^staffing.roster: needs an employee with home_role: attendant .*"
                                         r"\['08:00-22:00'\]$"):
        scenario("staffing=roster", "self_checkout=six_kiosks")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=small_stores(), kiosks=st.integers(1, 4), data=st.data())
def test_random_stores_with_kiosks_end_and_account_for_everyone(base, kiosks, data):
    """Random small stores (``tests/test_properties.py``) with kiosks, attendants per hour or
    none, and cross-training on or off: either the one check refuses the day with the line about
    answering the kiosks' calls, or the day ends with every customer leaving by one outcome,
    and nobody at work past the end of their shift but to finish a line, a floor customer, or
    the kiosks' last customers."""
    params = base
    params.store.self_checkout_kiosks = kiosks
    params.self_checkout.preference_share = data.draw(st.sampled_from([0.0, 0.4, 1.0]))
    params.self_checkout.intervention_prob = data.draw(st.sampled_from([0.0, 0.3, 1.0]))
    params.staffing.attendants = data.draw(st.none() | st.integers(0, 2)
                                           | st.lists(st.integers(0, 2), min_size=params.hours,
                                                      max_size=params.hours))
    params.output.customers = True
    found = validation.problems(params)
    if found:
        assert len(found) == 1 and found[0].startswith("staffing.attendants: needs an attendant"), found
        return
    store = Store(params, params.run.seed)
    result = store.run()
    c, kpis = result.customers, result.kpis
    outcomes = c["outcome"]
    assert set(outcomes) <= {"served", "balked", "reneged"}
    assert ((c["kiosk"] == 1) & (outcomes == "served") & (c["lane"] != -1)).sum() == 0
    shifts = {e.spec.employee_id: e.spec for e in store.employees}
    finishing = FINISHING + ("attending", "kiosk_idle", "walking", "off")
    for employee, state, start, end in result.staff_timeline:
        if start >= shifts[employee].shift.end:
            assert state in finishing, (employee, state, start)
    if params.staffing.attendants == 0 and params.self_checkout.intervention_prob and kpis["kiosk_interventions"]:
        assert kpis["kiosk_cross_attended"] == kpis["kiosk_interventions"]


@pytest.mark.parametrize("overrides,line", [
    (("self_checkout.intervention_prob=0", "self_checkout.intervention_min=2"),
     "self_checkout.intervention_min: is unused: self_checkout.intervention_prob is 0 (no transaction needs help); "
     "drop self_checkout.intervention_min, got 2.0"),
    (("self_checkout.intervention_prob=0", "self_checkout.attendant_walk_min=1"),
     "self_checkout.attendant_walk_min: is unused: self_checkout.intervention_prob is 0 (no transaction needs help); "
     "drop self_checkout.attendant_walk_min, got 1.0"),
    (("staffing.attendants=2", "self_checkout.kiosks_per_attendant=3"),
     "self_checkout.kiosks_per_attendant: is unused: staffing.attendants (or staffing.roster) already says who "
     "attends; drop self_checkout.kiosks_per_attendant, got 3"),
    (("staffing=roster", "staffing.attendant_wage_per_hour=20"),
     "staffing.attendant_wage_per_hour: is unused with staffing.roster, whose employees carry their own "
     "wage_per_hour; drop staffing.attendant_wage_per_hour, got 20.0"),
])
def test_kiosk_settings_the_others_leave_unused_are_refused(overrides, line):
    with pytest.raises(ValueError) as error:
        scenario("self_checkout=six_kiosks", *overrides)
    assert line in str(error.value).splitlines()
