"""Hiring: learning by transactions handled, profiles that state what they assume, temporaries
who learn like any new hire, and the per-employee scorecard."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from storesim.analysis.stats import welch_difference
from storesim.sim.hiring import LearningCurve, learning_curve, speed_after
from storesim.sim.params import HiringParams
from storesim.sim.store import Store

from .conftest import scenario

HIRING_CONF = Path(__file__).resolve().parents[1] / "conf" / "policy" / "hiring"


def test_the_curve_is_wrights_power_law_with_a_floor():
    """time(n) = t_trained (1 + (1/start - 1) n^-b), b = -log2(rate): the time above the
    trained time falls to ``learning_rate`` of itself with each doubling."""
    curve = LearningCurve(speed_trained=1.2, start_speed=0.5, learning_rate=0.8)
    time = lambda n: 1.0 / curve.speed(n)
    trained = 1.0 / 1.2
    assert time(1) == pytest.approx(trained / 0.5)  # the first transaction at start_speed
    for n in (1, 3, 10, 100, 5000):
        assert (time(2 * n) - trained) / (time(n) - trained) == pytest.approx(0.8)
    assert time(1e12) == pytest.approx(trained, rel=1e-3)
    # b by hand for 0.8: log2(1/0.8) = 0.3219...
    assert curve.exponent == pytest.approx(0.32192809, abs=1e-8)
    # Nothing to learn: a rate of 1 or a start at full speed keeps the speed flat.
    assert LearningCurve(1.0, 0.5, 1.0).speed(1000) == pytest.approx(0.5)
    assert LearningCurve(1.1, 1.0, 0.8).speed(1) == pytest.approx(1.1)


def test_speed_after_days_counts_the_transactions_of_those_days():
    hiring = HiringParams(speed_trained=1.1, start_speed=0.6, transactions_per_day=80)
    curve = learning_curve(hiring)
    assert speed_after(0, hiring) == pytest.approx(1.1 * 0.6)
    assert speed_after(10, hiring) == pytest.approx(curve.speed(801))
    assert speed_after(10, hiring) < speed_after(20, hiring) < 1.1


def test_profiles_state_tenure_competence_courtesy_and_accuracy():
    """No difference between profiles hides in a default: the non-standard profiles state
    each of these, and the defaults are the standard profile's."""
    stated = ("speed_trained", "start_speed", "friendliness_mean", "friendliness_sd", "tenure_days_mean",
              "onboarding_hours", "decision_accuracy")
    for profile in ("experienced", "friendly_trained"):
        values = yaml.safe_load((HIRING_CONF / f"{profile}.yaml").read_text())
        assert set(stated) <= set(values), profile
        params = scenario(f"policy/hiring={profile}").policy.hiring
        assert {k: getattr(params, k) for k in stated} == {k: values[k] for k in stated}
    assert scenario("policy/hiring=standard").policy.hiring == HiringParams()


def _service_times_by_employee(params, seed):
    """Run a day; (employee id -> service times in the order they served), and the store."""
    store = Store(params, seed)
    served: dict[str, list[float]] = {}
    start = store.checkout.start_service

    def recording(lane, customer, now):
        service = start(lane, customer, now)
        served.setdefault(lane.cashier.spec.employee_id, []).append(service)
        return service

    store.checkout.start_service = recording
    store.run()
    return served, store


def test_a_new_hire_gets_faster_during_the_day():
    """Every cashier hired today (tenure 0): the mean service time of their first 50
    transactions exceeds that of their last 50 (Welch interval above 0)."""
    first, last = [], []
    for seed in range(3):
        served, _ = _service_times_by_employee(
            scenario("policy/hiring=friendly_trained", "policy.hiring.tenure_days=0", "output.customers=false"), seed)
        for times in served.values():
            if len(times) >= 100:
                first += times[:50]
                last += times[-50:]
    assert welch_difference(first, last).ci_low > 0


def test_without_learning_the_first_and_last_transactions_take_as_long():
    """The same comparison with a learning rate of 1: the interval covers 0."""
    first, last = [], []
    for seed in range(3):
        served, _ = _service_times_by_employee(
            scenario("policy/hiring=friendly_trained", "policy.hiring.tenure_days=0", "policy.hiring.learning_rate=1",
                     "output.customers=false"), seed)
        for times in served.values():
            if len(times) >= 100:
                first += times[:50]
                last += times[-50:]
    diff = welch_difference(first, last)
    assert diff.ci_low < 0 < diff.ci_high


def test_temporary_cashiers_are_new_hires_who_learn():
    params = scenario("policy/hiring=friendly_trained", "staffing=lean", "policy.hiring.temporary=2",
                      "output.customers=false")
    store = Store(params, 1)
    temps = [e for e in store.employees if e.spec.employee_id.startswith("T")]
    assert len(temps) == 2
    for t in temps:
        assert t.spec.days_since_hire == 0 and t.spec.experience == 0 and t.spec.learning is not None
        assert t.speed == pytest.approx(1.1 * 0.6)
    store.run()
    for t in temps:
        assert t.transactions > 20
        assert t.speed == pytest.approx(t.spec.learning.speed(t.transactions + 1))
        assert t.speed > 1.1 * 0.6


def test_the_scorecard_matches_the_customer_records(tmp_path):
    """One row per employee and replication; the handling minutes add up to the customers'
    service minutes, the holds to their holds, the transactions to the customers served, and
    each row's courtesy and speeds are the employee's."""
    from storesim.scenarios.outputs import staff_scorecard_columns, write_outputs
    from storesim.scenarios.runner import run_scenario

    result = run_scenario(scenario("policy/hiring=friendly_trained", "policy/empowerment=empowered",
                                   "policy.hiring.tenure_days=0", "run.replications=2", "output.customers=true"))
    table = staff_scorecard_columns(result)
    for k, rep in enumerate(result.replications):
        mine = table["replication"] == k
        served = rep.customers["outcome"] == "served"
        assert mine.sum() == len(rep.staff_scorecard)
        assert table["handling_min"][mine].sum() == pytest.approx(np.nansum(rep.customers["service_min"][served]),
                                                                  abs=1e-5 * mine.sum())
        assert table["hold_min"][mine].sum() == pytest.approx(rep.customers["hold_min"][served].sum(), abs=1e-5 * mine.sum())
        assert table["transactions"][mine].sum() == served.sum()
        exceptions = (served & (rep.customers["exception"] != "none")).sum()  # warm-up is 0: all counted
        decisions, right = table["decisions"][mine].sum(), table["decisions_right"][mine].sum()
        assert 0 < right < decisions <= exceptions
        assert (decisions - right) / exceptions == pytest.approx(rep.kpis["exceptions_wrong_share"])
        busy = mine & (table["transactions"] > 50)
        assert (table["speed_end"][busy] > table["speed_start"][busy]).all()  # new hires learnt
    written = write_outputs(tmp_path, result)
    assert tmp_path / "staff_scorecard.csv" in written


def test_turnover_pays_onboarding_hours_times_wage_over_tenure_per_position():
    """``onboarding_cost`` is onboarding_hours x wage / tenure_days_mean summed over the day's
    staff, and part of ``labor_cost``: a profile whose people stay half as long pays twice the
    training, and only that changes (the same day otherwise: standard keeps every speed)."""
    from storesim.sim.hiring import onboarding_cost_per_day

    long_stay = Store(scenario("policy.hiring.tenure_days_mean=400", "output.customers=false"), 3)
    short_stay = Store(scenario("policy.hiring.tenure_days_mean=200", "output.customers=false"), 3)
    staff = [e.spec for e in long_stay.employees]
    expected = sum(16.0 * s.wage_per_hour for s in staff) / 400
    assert len(staff) >= 10 and expected > 0
    long_kpis, short_kpis = long_stay.run().kpis, short_stay.run().kpis
    assert long_kpis["onboarding_cost"] == pytest.approx(expected, rel=1e-12)
    assert short_kpis["onboarding_cost"] == pytest.approx(2 * expected, rel=1e-12)
    assert short_kpis["labor_cost"] - long_kpis["labor_cost"] == pytest.approx(expected, rel=1e-9)
    assert short_kpis["total_cost"] - long_kpis["total_cost"] == pytest.approx(expected, rel=1e-9)
    no_training = Store(scenario("policy.hiring.onboarding_hours=0", "output.customers=false"), 3).run().kpis
    assert no_training["onboarding_cost"] == 0.0
    # The profiles: the friendly hires leave sooner and train longer, at the rate they state.
    for profile in ("experienced", "friendly_trained"):
        params = scenario(f"policy/hiring={profile}").policy.hiring
        assert onboarding_cost_per_day(params, staff) == pytest.approx(
            sum(params.onboarding_hours * s.wage_per_hour for s in staff) / params.tenure_days_mean)
    assert (onboarding_cost_per_day(scenario("policy/hiring=friendly_trained").policy.hiring, staff)
            > onboarding_cost_per_day(scenario("policy/hiring=experienced").policy.hiring, staff))


ROSTER = "staffing.roster=[{id: A, start_hour: 8, end_hour: 22}, {id: B, start_hour: 8, end_hour: 22}]"


AUTHOR_YEAR = r"[A-Z][A-Za-z-]+(?: (?:and|&) [A-Z][A-Za-z-]+| et al\.)?,? \(?(1[89]|20)\d\d\b"
"""A source cited as in the docs: ``Wright 1936``, ``Bowen and Lawler (1992)``."""


@pytest.mark.parametrize("cls", ["EmpowermentParams", "HiringParams", "ManagerParams"])
def test_every_empowerment_and_hiring_parameter_states_its_source_or_assumption(cls):
    """Issue 22: each field's docstring cites an author and year or says "assumption" (the
    managers' too, whose approvals empowerment replaces); so does each hiring profile's file
    for the values it states."""
    import re

    import ast
    import inspect

    from storesim.sim import params

    fields = ast.parse(inspect.getsource(getattr(params, cls))).body[0].body
    docs = {node.target.id: after.value.value for node, after in zip(fields, fields[1:])
            if isinstance(node, ast.AnnAssign) and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)}
    assert set(docs) == {f for f in getattr(params, cls).__dataclass_fields__}, "a field without a docstring"
    unsourced = [name for name, doc in docs.items()
                 if "assumption" not in doc.lower() and not re.search(AUTHOR_YEAR, doc)]
    assert not unsourced, f"{cls}: no source or 'assumption' in the docstring of {unsourced}"
    assert re.search(AUTHOR_YEAR, "Wright 1936") and re.search(AUTHOR_YEAR, "Bowen and Lawler (1992)")
    assert not re.search(AUTHOR_YEAR, "a 2-hour course")
    for profile in HIRING_CONF.glob("*.yaml"):
        assert "assumption" in profile.read_text().lower(), profile.name


@pytest.mark.parametrize("overrides,key", [
    (["policy.empowerment.value_limit=50"], "policy.empowerment.value_limit"),
    (["policy.empowerment.training_hours=8"], "policy.empowerment.training_hours"),
    (["policy.empowerment.wrong_refusal_lost_sale=0.5"], "policy.empowerment.wrong_refusal_lost_sale"),
    (["policy.hiring.speed_trained=1.2"], "policy.hiring.speed_trained"),
    (["policy.hiring.friendliness_mean=0.9"], "policy.hiring.friendliness_mean"),
    (["policy.hiring.tenure_days=30"], "policy.hiring.tenure_days"),
    (["policy/hiring=experienced", "policy.hiring.start_speed=1", "policy.hiring.learning_rate=0.7"],
     "policy.hiring.learning_rate"),
    (["policy/hiring=friendly_trained", "policy.hiring.learning_rate=1", "policy.hiring.transactions_per_day=50"],
     "policy.hiring.transactions_per_day"),
    (["policy.hiring.temporary_start_hour=17"], "policy.hiring.temporary_start_hour"),
    (["policy/hiring=experienced", ROSTER, "staffing.cashiers=null", "staffing.floor_staff=null"], "policy.hiring.policy"),
])
def test_a_setting_of_a_feature_that_is_off_is_refused_in_one_line(overrides, key):
    """Manager approval ignores the cashiers' decision settings, the standard profile the
    profile's speed and courtesy, a flat curve its pace, no temporaries their hours, an explicit
    roster the profile's speed and courtesy: set, each is one line naming the key and what
    would make it act, before any simulation."""
    from storesim.scenarios.config import ConfigError

    with pytest.raises(ConfigError) as error:
        scenario(*overrides)
    lines = str(error.value).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{key}:"), lines
    assert ("remove it" if key != "policy.hiring.policy" else "policy/hiring=standard") in lines[0]


def test_the_same_settings_act_when_their_feature_is_on():
    """The counterparts of the refusals above, with their feature on, are accepted."""
    assert scenario("policy/empowerment=empowered", "policy.empowerment.value_limit=50").policy.empowerment.value_limit == 50
    assert scenario("policy/hiring=experienced", "policy.hiring.tenure_days=30").policy.hiring.tenure_days == 30
    assert scenario("staffing=lean", "policy.hiring.temporary=1",
                    "policy.hiring.temporary_start_hour=17").policy.hiring.temporary_start_hour == 17
    roster = scenario("policy/hiring=experienced", ROSTER, "staffing.cashiers=null", "staffing.floor_staff=null",
                      "policy.hiring.temporary=1")
    assert roster.policy.hiring.temporary == 1  # the profile acts on the temporary cashier
    # A setting equal to its default is not refused (a preset may state it).
    assert scenario("policy.empowerment.value_limit=20").policy.empowerment.value_limit == 20
