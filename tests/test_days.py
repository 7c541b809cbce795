"""Runs of several days over a population of households (``run.days``, ``sim/days.py``,
``sim/households.py``): validation against independent days and a closed form, the drivers'
directions, determinism and common random numbers."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from storesim.scenarios.runner import replication_seed, run_scenario
from storesim.sim import ScenarioParams, run_replication
from storesim.sim.customer import CustomerStreams
from storesim.sim.days import WEEK_COLUMNS, day_customers, day_seed, simulate_day, start_population
from storesim.sim.households import Households, day_times
from storesim.sim.store import Store

from .conftest import scenario


def quarter(days: int = 91, **households) -> ScenarioParams:
    """The default store over ``days`` days, records off."""
    params = ScenarioParams()
    params.output.customers = False
    params.run.days = days
    params.households = dataclasses.replace(params.households, **households)
    return params


def _interval_holds_zero(a: list[float], b: list[float], level: float = 0.99) -> tuple[float, float]:
    """Welch's interval for mean(a) - mean(b) at ``level``."""
    a, b = np.asarray(a), np.asarray(b)
    va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
    dof = (va + vb) ** 2 / (va ** 2 / (a.size - 1) + vb ** 2 / (b.size - 1))
    half = stats.t.ppf(0.5 + level / 2, dof) * math.sqrt(va + vb)
    diff = a.mean() - b.mean()
    return diff - half, diff + half


def _days_alone(params: ScenarioParams, root: np.random.SeedSequence) -> list:
    """Each day of a replication run alone, on a fresh day-1 population, with the day's seed."""
    return [simulate_day(params, start_population(params, root), day_seed(root, d), d) for d in range(params.run.days)]


@pytest.mark.parametrize("days", [21, pytest.param(91, marks=pytest.mark.slow)])
def test_without_feedback_the_days_are_independent(days):
    """Feedback off: each week of the run is exactly the sum of its days run alone, each on a
    fresh day-1 population with the day's seed: nothing carries from one day to the next."""
    params = quarter(days, feedback=False)
    root = replication_seed(params.run.seed, 0)
    result = run_replication(params, root)
    weeks, alone = result.weeks, _days_alone(params, root)
    for w in range(days // 7):
        week = alone[7 * w:7 * w + 7]
        assert weeks["customers_arrived"][w] == sum(day.kpis["customers_arrived"] for day in week)
        assert weeks["labor_cost"][w] == pytest.approx(sum(day.kpis["labor_cost"] for day in week), rel=1e-12)
        assert weeks["revenue"][w] == sum(day.revenue for day in week)
        assert weeks["households_active"][w] == start_population(params, root).initial
    assert sum(weeks["households_new"]) == sum(weeks["households_lost"]) == 0
    assert result.kpis["wait_mean"] == pytest.approx(np.mean([day.kpis["wait_mean"] for day in alone]), rel=1e-12)


@pytest.mark.slow
def test_without_feedback_a_quarter_is_91_ordinary_days():
    """Feedback off, the quarter's 91 days are indistinguishable from 91 of the default store's
    ordinary single days (each KPI's 99% Welch interval of the difference holds 0)."""
    params = quarter(feedback=False)
    alone = _days_alone(params, replication_seed(params.run.seed, 0))
    single = dataclasses.replace(params, run=dataclasses.replace(params.run, days=1))
    ordinary = [run_replication(single, replication_seed(params.run.seed, k)).kpis for k in range(91)]
    for name in ("customers_arrived", "wait_mean", "csat", "abandon_rate"):
        low, high = _interval_holds_zero([d.kpis[name] for d in alone], [k[name] for k in ordinary])
        assert low <= 0 <= high, (name, low, high)


def test_constant_defection_leaves_the_closed_form_population():
    """Every household shops every day and defects with a constant chance p after each visit, and
    lam new households join a day: E[active after D days] = N (1-p)^D + lam (1 - (1-p)^D) / p.
    The mean over replications lies in its 99.9% interval (binomial plus Poisson variance)."""
    n, p, lam, days, reps = 300, 0.02, 2.0, 25, 10
    params = quarter(days, count=n, visits_per_week=7.0, visits_per_week_cv=0.0, defection_base=p,
                     defection_per_point=0.0, loyalty_weeks=None, new_per_week=7 * lam, tells_delighted=0.0,
                     tells_dissatisfied=0.0)
    active = [run_replication(params, replication_seed(params.run.seed, k)).kpis["households_active"]
              for k in range(reps)]
    survive = (1 - p) ** days
    mean = n * survive + lam * (1 - survive) / p
    variance = n * survive * (1 - survive) + lam * (1 - survive) / p
    assert abs(np.mean(active) - mean) <= 3.29 * math.sqrt(variance / reps), (np.mean(active), mean)


def _population(**households) -> Households:
    params = quarter(14, **households)
    return Households(params, np.random.default_rng(1))


scores = st.floats(1.0, 5.0)


@settings(max_examples=60, deadline=None)
@given(low=scores, high=scores, tenure=st.floats(0, 500))
def test_a_worse_visit_lowers_memory_and_raises_defection(low, high, tenure):
    """Memory and the chance of not coming back move with the visit's score: never up when it is worse."""
    low, high = min(low, high), max(low, high)
    after = []
    for score in (low, high):
        h = _population(count=1, prospects=0, tenure_mean_weeks=0.0)
        h.joined_day[0] = -tenure * 7
        h.remember(0, np.array([0]), np.array([score]), np.ones(1))
        after.append((h.memory[0], h.defection_chance(0, np.array([0]))[0]))
    assert after[0][0] <= after[1][0] and after[0][1] >= after[1][1]


@settings(max_examples=60, deadline=None)
@given(score=scores, short=st.floats(0, 200), extra=st.floats(0.1, 500))
def test_long_standing_households_are_more_tolerant_and_stay(score, short, extra):
    """A longer tenure moves the memory less on the same visit and lowers the chance of defecting."""
    moved, chance = [], []
    for tenure in (short, short + extra):
        h = _population(count=1, prospects=0, tenure_mean_weeks=0.0)
        h.joined_day[0] = -tenure * 7
        h.remember(0, np.array([0]), np.array([score]), np.ones(1))
        moved.append(abs(h.memory[0] - h.base))
        chance.append(h.defection_chance(0, np.array([0]))[0])
    assert moved[1] <= moved[0] + 1e-12 and chance[1] <= chance[0]
    assert chance[1] < chance[0] or chance[0] in (0.0, 1.0)


@settings(max_examples=60, deadline=None)
@given(step=st.floats(0.01, 1.0))
def test_a_loss_weighs_more_than_a_gain(step):
    """A visit below the memory moves it loss_aversion times as far as one equally far above (until the weight is 1)."""
    moves = []
    for score in (3.75 - step, 3.75 + step):
        h = _population(count=1, prospects=0, tenure_mean_weeks=0.0)
        h.remember(0, np.array([0]), np.array([score]), np.ones(1))
        moves.append(abs(h.memory[0] - 3.75))
    assert moves[0] == pytest.approx(2.0 * moves[1])


@settings(max_examples=60, deadline=None)
@given(delighted=st.integers(0, 500), dissatisfied=st.integers(0, 500), more=st.integers(1, 100))
def test_word_of_mouth(delighted, dissatisfied, more):
    """More dissatisfied customers never bring more new households; more delighted ones never fewer;
    a dissatisfied customer weighs more than a delighted one (tells more people)."""
    h = _population()
    rate = h.new_rate(delighted, dissatisfied)
    assert h.new_rate(delighted, dissatisfied + more) <= rate <= h.new_rate(delighted + more, dissatisfied)
    assert h.new_rate(delighted + more, dissatisfied + more) <= rate


def test_regulars_recognised_at_the_lane_score_higher_and_no_one_else():
    """Recognition adds its points to a staffed lane's score: the same day with the points off has
    the same customers, everyone not recognised scoring the same and the recognised lower."""
    scored = {}
    for points in (0.0, 1.0):
        params = quarter(7, personal_service_points=points, recognition_share=0.5)
        root = replication_seed(params.run.seed, 0)
        h = start_population(params, root)
        streams = CustomerStreams(day_seed(root, 0))
        _, customers, _ = day_customers(params, h, streams, 0)
        Store(params, day_seed(root, 0), script=customers).run()
        scored[points] = [(c.recognition, c.score) for c in customers]
    recognised = [(a[1], b[1]) for a, b in zip(scored[0.0], scored[1.0]) if b[0] > 0]
    others = [(a[1], b[1]) for a, b in zip(scored[0.0], scored[1.0]) if b[0] == 0]
    assert recognised and others
    assert sum(b > a for a, b in recognised) > 0.9 * len(recognised)
    raised = [np.mean([s for _, s in recognised]), np.mean([s for s, _ in recognised])]
    assert raised[0] > raised[1]
    delighted = [run_replication(quarter(7, personal_service_points=x), 3).kpis["delighted_share"]
                 for x in (0.0, 1.0)]
    assert delighted[1] > delighted[0]


def test_poor_service_loses_households_and_costs_future_income():
    """Two weeks of a lean store against the default one on the same households: more leave, fewer come."""
    good, lean = quarter(14), quarter(14)
    lean.staffing.cashiers = 6
    a, b = run_replication(good, 5).kpis, run_replication(lean, 5).kpis
    assert b["households_lost"] > a["households_lost"]
    assert b["households_new"] <= a["households_new"]
    assert b["future_income_lost"] > a["future_income_lost"]
    assert b["future_income_lost_per_day"] == b["future_income_lost"] / 14
    assert b["total_cost"] - b["future_income_lost_per_day"] == pytest.approx(
        b["labor_cost"] + b["discount_cost"] + b["lost_sales"], rel=1e-9)


def test_household_draws_are_common_across_plans():
    """Day 0 under two staffing plans: the same shoppers with the same customers. A plan without one
    household leaves every other household's customer as it was."""
    def day0(params, drop=None):
        root = replication_seed(12345, 0)
        h = start_population(params, root)
        if drop is not None:
            h.active[drop] = False
        places, customers, _ = day_customers(params, h, CustomerStreams(day_seed(root, 0)), 0)
        return {int(p): (c.arrived_at, c.items, c.work_min, c.renege_at) for p, c in zip(places, customers)}

    default, lean = quarter(7), quarter(7)
    lean.staffing.cashiers = 6
    first = day0(default)
    assert first == day0(lean)
    gone = next(iter(first))
    without = day0(default, drop=gone)
    assert gone not in without and {p: v for p, v in first.items() if p != gone} == without


def test_same_seed_same_quarter_whatever_the_jobs():
    params = quarter(7)
    params.run.replications = 2
    one = run_scenario(params)
    params.run.jobs = 2
    two = run_scenario(params)
    for a, b in zip(one.replications, two.replications):
        assert a.kpis == b.kpis and a.weeks == b.weeks
    assert run_replication(params, 9).kpis == run_replication(params, 9).kpis


def test_a_week_table_row_per_week_and_one_day_has_none():
    result = run_replication(quarter(10), 2)
    assert set(result.weeks) == set(WEEK_COLUMNS) and result.weeks["week"] == [1, 2]
    single = quarter(1)
    assert run_replication(single, 2).weeks is None
    assert "households_active" not in run_replication(single, 2).kpis


def test_arrival_times_follow_the_hourly_profile():
    """The inverse of the profile's distribution: the share of uniforms below an hour's cumulative
    weight lands before that hour ends."""
    params = ScenarioParams()
    rates = np.array(params.arrivals_per_hour())
    u = (np.arange(10_000) + 0.5) / 10_000
    times = day_times(params, u)
    counts = np.bincount((times // 60).astype(int), minlength=rates.size)
    assert np.allclose(counts / u.size, rates / rates.sum(), atol=1e-3)
    assert times.min() >= 0 and times.max() < params.horizon_min


def test_bad_household_settings_are_refused_in_one_line():
    problems = quarter(7, weekday_factors=[1, 1, 1, 1, 1, 1, 2]).problems()
    assert problems == ["households.weekday_factors: must average 1 (the mean day is the default store's day), "
                        "got [1, 1, 1, 1, 1, 1, 2]"]
    assert quarter(7, weekday_factors=[1, 1]).problems()[0].startswith(
        "households.weekday_factors: needs one value per day of the week")
    with pytest.raises(Exception, match="run.days"):
        scenario("run.days=0")
    assert scenario("run.days=91", "households.loyalty_weeks=null").households.loyalty_weeks is None
    with pytest.raises(Exception) as error:
        scenario("households.defection_base=0.01")  # a single day has no households
    assert str(error.value).startswith("households.defection_base: acts only over several days")


def test_weekday_factors_shape_the_week():
    """A day's shoppers follow its weekday factor: Monday at 0.5, Sunday at 1.5 of the mean day
    (each day's count within 4 standard deviations of its Poisson-binomial mean)."""
    factors = [0.5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.5]
    params = quarter(7, feedback=False, weekday_factors=factors)
    root = replication_seed(params.run.seed, 0)
    h = start_population(params, root)
    for day, factor in enumerate(factors):
        chance = np.minimum(1.0, h.frequency[h.active] * factor / 7)
        shoppers = day_customers(params, h, CustomerStreams(day_seed(root, day)), day)[1]
        assert abs(len(shoppers) - chance.sum()) <= 4 * math.sqrt(np.sum(chance * (1 - chance))), day
    assert abs(np.minimum(1.0, h.frequency[h.active] / 7).sum() - 2080) < 5  # the mean day is the default's


def test_the_quarter_preset_runs_its_plans_and_writes_weeks(tmp_path):
    """``storesim -m experiment=quarter staffing=lean,peak_all_lanes`` (here two weeks, two
    replications): both jobs write weeks.csv; the lean plan loses more households."""
    import csv
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "from storesim.scenarios.cli import main; main()", "-m",
                           "experiment=quarter", "staffing=lean,peak_all_lanes", "run.days=14", "run.replications=2",
                           f"hydra.sweep.dir={tmp_path}"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "sweep_comparison.csv") as handle:
        rows = {row["kpi"]: row for row in csv.DictReader(handle)}
    assert float(rows["households_lost"]["diff"]) < 0 < float(rows["retention"]["diff"])
    for job in ("0", "1"):
        with open(tmp_path / job / "weeks.csv") as handle:
            weeks = list(csv.DictReader(handle))
        assert [row["week"] for row in weeks] == ["1", "2", "1", "2"]
    from storesim.analysis.report.build import build_report

    report = build_report([tmp_path])
    assert any(figure.png.name == "weeks.png" for figure in report.figures)
    assert "week by week" in report.html.read_text()


def test_the_weekly_table_is_the_same_in_either_format(tmp_path):
    from storesim.analysis.run_folder import WEEKS, find_table, read_table
    from storesim.scenarios.outputs import write_outputs

    pytest.importorskip("pyarrow")
    params = quarter(9)
    params.run.replications = 2
    result = run_scenario(params)
    tables = {}
    for fmt in ("csv", "parquet"):
        result.params.output.format = fmt
        write_outputs(tmp_path / fmt, result)
        tables[fmt] = read_table(find_table(tmp_path / fmt, WEEKS))
    assert list(tables["csv"]) == list(tables["parquet"]) == ["replication", *WEEK_COLUMNS]
    for name in tables["csv"]:
        np.testing.assert_array_equal(tables["csv"][name], tables["parquet"][name])
    assert list(tables["csv"]["week"]) == [1, 2, 1, 2]


def test_the_python_api_gives_the_weeks():
    import storesim

    weeks = storesim.run("run.days=8", "run.replications=2").weeks
    assert list(weeks.columns) == ["replication", *WEEK_COLUMNS] and len(weeks) == 4
    assert storesim.run("run.replications=2").weeks.empty


def test_the_value_settings_act_as_documented():
    """future_income_lost scales with margin_share x value_weeks; clv falls as the discount rate
    rises; without prospects no household is new; with memory_weight 0 only the baseline defects."""
    base = run_replication(quarter(7), 4).kpis
    half = run_replication(quarter(7, margin_share=0.5, value_weeks=26.0), 4).kpis
    assert half["future_income_lost"] == pytest.approx(base["future_income_lost"] / 4, rel=1e-12)
    assert half["households_lost"] == base["households_lost"]
    assert run_replication(quarter(7, discount_rate=1.0), 4).kpis["clv"] < base["clv"]
    assert run_replication(quarter(7, prospects=0.0), 4).kpis["households_new"] == 0
    lean = quarter(7, memory_weight=0.0)
    lean.staffing.cashiers = 6
    still = quarter(7, memory_weight=0.0)
    assert run_replication(lean, 4).kpis["households_lost"] == run_replication(still, 4).kpis["households_lost"]


def test_progress_is_reported_by_the_day():
    """One process: after every day of every replication; worker processes: after each replication."""
    params = quarter(3)
    params.run.replications = 2
    seen: list[int] = []
    run_scenario(params, on_day=seen.append)
    assert seen == [1, 2, 3, 4, 5, 6]
    params.run.jobs, seen[:] = 2, []
    run_scenario(params, on_day=seen.append)
    assert seen == [3, 6]
