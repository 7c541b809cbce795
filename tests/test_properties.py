"""Invariants over random valid stores (hypothesis), and the guarantees a finished run gives.

Each example is a small store (1-4 lanes, 1-4 opening hours) built from the parameter
dataclasses directly, so that hypothesis spends its time simulating, not composing configs.
Every property here is one of those promised in docs/guarantees.md.
"""

from __future__ import annotations

import json
import math
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections import defaultdict
from importlib.metadata import version

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storesim.analysis.stats import t_interval
from storesim.scenarios import outputs
from storesim.scenarios.config import config_hash, params_dict
from storesim.scenarios.outputs import write_outputs
from storesim.scenarios.runner import replication_seed, run_scenario
from storesim.sim.employee import FLOOR, LANE_IDLE, SERVING
from storesim.sim.params import (AbandonmentParams, ArrivalParams, OutputParams, QueueParams, RunParams,
                                 ScenarioParams, ServiceParams, StoreParams)
from storesim.sim.params import EmpowermentParams, HiringParams, ManagerParams
from storesim.sim.roster import build_roster
from storesim.sim.params import CrossTrainingParams, FloorParams, PolicyParams, StaffingParams
from storesim.sim.store import Store

from .conftest import scenario

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SHARES = ("abandon_rate", "service_level", "utilization_checkout", "staff_idle_fraction", "floor_abandon_rate",
          "peak_service_level", "csat", "delighted_share", "satisfied_share", "dissatisfied_share",
          "exceptions_unresolved_share")
FINISHING = (SERVING, LANE_IDLE, FLOOR)
"""States an employee may still be in after the shift ends: finishing a line or a floor customer."""


@st.composite
def small_stores(draw) -> ScenarioParams:
    """A random valid store: a few lanes and hours, every policy switch on or off."""
    horizon = draw(st.integers(60, 240))
    hours = math.ceil(horizon / 60)
    lanes = draw(st.integers(1, 4))
    hourly = draw(st.none() | st.lists(st.integers(1, lanes), min_size=hours, max_size=hours))
    profile = draw(st.none() | st.lists(st.sampled_from([0.0, 20.0, 60.0, 150.0]), min_size=hours,
                                        max_size=hours))
    distribution = draw(st.sampled_from(["exponential", "lognormal", "gamma", "deterministic"]))
    threshold = draw(st.booleans())
    open_at = draw(st.sampled_from([1.0, 2.0, 4.0]))
    return ScenarioParams(
        scenario="property",
        store=StoreParams(lanes=lanes, express_lanes=draw(st.integers(0, lanes - 1)),
                          express_limit=draw(st.sampled_from([5, 12])),
                          open_hour=draw(st.sampled_from([0.0, 8.0, 16.5])), close_hour=24.0),
        arrivals=ArrivalParams(rate_per_hour=profile if profile is not None
                               else draw(st.sampled_from([0.0, 3.0, 40.0, 120.0, 240.0]))),
        service=ServiceParams(distribution=distribution, cv=draw(st.sampled_from([0.3, 1.0, 1.5])),
                              mean_min=draw(st.none() | st.sampled_from([0.5, 2.0, 6.0]))),
        abandonment=AbandonmentParams(balking=draw(st.booleans()), balk_line_len=draw(st.integers(1, 6)),
                                      reneging=draw(st.booleans()),
                                      patience_distribution=draw(st.sampled_from(["exponential", "lognormal"])),
                                      patience_mean_min=draw(st.sampled_from([1.0, 5.0, 15.0]))),
        queue=QueueParams(discipline=draw(st.sampled_from(["per_lane", "single_line"]))),
        staffing=StaffingParams(cashiers=hourly if hourly is not None else draw(st.integers(1, lanes)),
                                floor_staff=draw(st.integers(1 if threshold else 0, 2)),
                                break_after_hours=draw(st.none() | st.just(1.0)), break_min=10.0,
                                speed=draw(st.sampled_from([0.7, 1.0, 1.6]))),
        floor=FloorParams(rate_per_hour=draw(st.sampled_from([0.0, 10.0, 40.0]))),
        policy=PolicyParams(
            cross_training=CrossTrainingParams(
                policy="threshold" if threshold else "none",
                trigger=draw(st.sampled_from(["line_per_lane", "predicted_wait"])),
                open_at=open_at, close_below=draw(st.sampled_from([0.0, 0.5, 1.0])) * open_at,
                cooldown_min=draw(st.sampled_from([0.0, 5.0])), walk_min=draw(st.sampled_from([0.0, 2.0]))),
            empowerment=EmpowermentParams(policy=draw(st.sampled_from(["manager_approval", "empowered"]))),
            hiring=HiringParams(policy=draw(st.sampled_from(["standard", "experienced", "friendly_trained"])))),
        managers=ManagerParams(duties_per_hour=draw(st.sampled_from([0.0, 2.0]))),
        run=RunParams(replications=1, seed=draw(st.integers(0, 2**32)), horizon_min=float(horizon),
                      warmup_min=draw(st.sampled_from([0.0, 0.0, 15.0]))),
        output=OutputParams(bucket_min=draw(st.sampled_from([5.0, 15.0, 60.0]))),
    )


def time_in_line_after(customers, warmup: float) -> float:
    """Minutes customers spent in line after ``warmup`` (those who arrived before it included)."""
    arrived = customers["arrived_at_min"]
    return float(np.maximum(0.0, arrived + customers["wait_min"] - np.maximum(arrived, warmup)).sum())


def intervals_by_employee(timeline):
    by = defaultdict(list)
    for employee, state, start, end in timeline:
        by[employee].append((start, end, state))
    return {employee: sorted(intervals) for employee, intervals in by.items()}


@SETTINGS
@given(params=small_stores())
def test_random_stores_keep_every_invariant(params):
    assert params.problems() == []  # valid by construction: validation must accept it
    store = Store(params, replication_seed(params.run.seed, 0))
    rep = store.run()
    k, c, warmup = rep.kpis, rep.customers, params.run.warmup_min

    # Conservation at checkout: everyone who arrived was served, balked or reneged.
    assert k["customers_arrived"] == k["customers_served"] + k["customers_balked"] + k["customers_reneged"]
    assert set(c["outcome"]) <= {"served", "balked", "reneged"}
    assert (c["arrived_at_min"] >= warmup).sum() == k["customers_arrived"]
    ts = rep.timeseries
    assert sum(ts["arrivals"]) == len(c["customer_id"])
    for arrived, *left in zip(ts["arrivals"], ts["served"], ts["balked"], ts["reneged"]):
        assert arrived == sum(left)  # per bucket of arrival time, too
    # ... and on the floor: every request for help was helped or given up on.
    floor = store.floor.tally
    assert floor.arrived == floor.served + floor.reneged

    # No negative, NaN or infinite time in the customer records.
    served = c["outcome"] == "served"
    for column in ("arrived_at_min", "wait_min", "left_at_min", "expected_wait_min", "hold_min", "satisfaction"):
        assert np.isfinite(c[column]).all(), column
        assert (c[column] >= 0).all(), column
    assert (c["arrived_at_min"] < params.horizon_min).all()
    assert (c["left_at_min"] >= c["arrived_at_min"]).all()
    assert np.isfinite(c["service_min"][served]).all() and (c["service_min"][served] > 0).all()
    assert np.isnan(c["service_min"][~served]).all()
    assert (c["wait_min"][c["outcome"] == "balked"] == 0).all()
    assert ((c["lane"][served] >= 0) & (c["lane"][served] < params.store.lanes)).all()
    assert ((c["satisfaction"] >= 1) & (c["satisfaction"] <= 5)).all()
    assert rep.ended_at >= params.horizon_min and math.isfinite(rep.ended_at)

    # Little's law as a sample-path identity: the area under the line length after warm-up is
    # the time customers spent in line after warm-up (balkers spend none).
    assert k["queue_len_mean"] * (rep.ended_at - warmup) == pytest.approx(time_in_line_after(c, warmup),
                                                                          rel=1e-9, abs=1e-6)

    # Shares in 0..1 (or undefined), no infinite KPI, no negative count, time or cost.
    for name in SHARES:
        assert math.isnan(k[name]) or 0 <= k[name] <= 1, (name, k[name])
    for name, value in k.items():
        assert not math.isinf(value), name
        assert math.isnan(value) or value >= 0 or name == "satisfaction_mean", (name, value)
    assert math.isnan(k["satisfaction_mean"]) or 1 <= k["satisfaction_mean"] <= 5

    # Each employee is in one state at a time, and never works outside the shift.
    shifts = {spec.employee_id: spec.shift for spec in build_roster(params)}
    timelines = intervals_by_employee(rep.staff_timeline)
    assert set(timelines) == set(shifts)
    for employee, intervals in timelines.items():
        shift = shifts[employee]
        assert intervals[0][0] == 0.0 and intervals[-1][1] == rep.ended_at, (employee, intervals)
        for (_, end, _), (start, _, _) in zip(intervals, intervals[1:]):
            assert end == start, (employee, intervals)  # contiguous: never two states at once
        for start, end, state in intervals:
            assert start < end
            if state != "off":
                assert start >= shift.start, (employee, shift, start, state)
            if start >= shift.end:
                assert state in FINISHING + ("off",), (employee, shift, start, state)


def _summary_without_wall_time(path) -> bytes:
    return re.sub(rb'"wall_time_s": [^,\n]*', b'"wall_time_s": 0', path.read_bytes())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(params=small_stores())
def test_same_seed_gives_the_same_files_byte_for_byte(params, tmp_path_factory):
    params.run.replications = 2
    first, second = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    write_outputs(first, run_scenario(params))
    write_outputs(second, run_scenario(params))
    assert _summary_without_wall_time(first / "summary.json") == _summary_without_wall_time(second / "summary.json")
    for name in ("timeseries.csv", "customers.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


@pytest.mark.parametrize("discipline,reneging", [("single_line", False), ("per_lane", True)])
def test_littles_law_on_long_runs_after_warm_up(discipline, reneging):
    """Time-average line length = arrival rate x mean time in line, within the replications' CI.

    With a warm-up, L - lambda W is not 0 on a sample path: customers already in line at the
    warm-up add line length but no wait. That boundary term is computed exactly from the
    records; without it, Little's law must still hold to within the precision (95% CI half
    width) at which the run reports ``queue_len_mean``.
    """
    warmup = 200.0
    params = scenario("experiment=mmc", "run.replications=10", "run.horizon_min=1500", f"run.warmup_min={warmup}",
                      "store.lanes=3", "staffing.cashiers=3", "arrivals.rate_per_hour=160",
                      f"queue.discipline={discipline}", f"abandonment.reneging={str(reneging).lower()}")
    gaps, lines = [], []
    for rep in run_scenario(params).replications:
        c = rep.customers
        after = c["arrived_at_min"] >= warmup
        window = rep.ended_at - warmup
        rate, time_in_line = after.sum() / window, c["wait_min"][after].mean()
        line = rep.kpis["queue_len_mean"]
        boundary = (time_in_line_after(c, warmup) - c["wait_min"][after].sum()) / window
        assert line == pytest.approx(rate * time_in_line + boundary, rel=1e-9)
        gaps.append(line - rate * time_in_line)
        lines.append(line)
    gap, line = t_interval(gaps), t_interval(lines)
    assert line.mean > 1.0  # a real line, so the check has something to check
    assert -line.half_width <= gap.ci_low and gap.ci_high <= line.half_width, (gap, line)


def test_summary_records_version_config_hash_seed_and_wall_time(tmp_path):
    params = scenario("run.replications=2", "run.seed=0", "run.horizon_min=120", "arrivals.rate_per_hour=150",
                      "staffing.cashiers=3")
    write_outputs(tmp_path, run_scenario(params))
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["version"] == version("storesim")
    assert summary["seed"] == 0  # seed 0 is a seed, not "unset"
    assert summary["config"] == json.loads(json.dumps(params_dict(params)))
    assert summary["config_hash"] == config_hash(params)
    assert summary["config"]["run"]["seed"] == 0 and summary["config"]["arrivals"]["rate_per_hour"] == 150
    assert isinstance(summary["wall_time_s"], float) and summary["wall_time_s"] > 0
    # The recorded config alone reproduces the hash (run.jobs aside), so a run can be checked later.
    rebuilt = ScenarioParams(**{key: value for key, value in params_dict(params).items()})
    assert config_hash(rebuilt) == summary["config_hash"]
    other = scenario("run.replications=2", "run.seed=1", "run.horizon_min=120", "arrivals.rate_per_hour=150",
                     "staffing.cashiers=3")
    assert config_hash(other) != summary["config_hash"]


# -- interrupted runs --------------------------------------------------------------------------

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]


def _interrupt_once_started(args: list[str], cwd, started, after_s: float) -> subprocess.CompletedProcess:
    """Run ``storesim ARGS`` and press Ctrl-C (SIGINT to its process group) ``after_s`` after ``started()``."""
    process = subprocess.Popen([*STORESIM, *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not started() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(after_s)
    assert process.poll() is None, "finished before it could be interrupted"
    os.killpg(process.pid, signal.SIGINT)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # a hang is a failure, but must not leave workers running
        os.killpg(process.pid, signal.SIGKILL)
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _leftovers(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.name.endswith(".tmp"))


def test_ctrl_c_during_a_run_leaves_nothing_half_written_and_says_how_to_run_again(tmp_path):
    run = tmp_path / "run"
    done = _interrupt_once_started([f"hydra.run.dir={run}", "run.replications=400", "run.jobs=2"], tmp_path,
                                   lambda: (run / ".hydra").exists(), after_s=1.0)
    assert done.returncode == 130, done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    assert "interrupted" in done.stderr and "to run it again" in done.stderr and "run.replications=400" in done.stderr
    assert _leftovers(tmp_path) == []
    assert not run.exists()  # nothing finished, so no run folder (Hydra's bookkeeping is removed too)


def test_ctrl_c_while_writing_the_outputs_lets_them_finish_first(tmp_path, monkeypatch):
    result = run_scenario(scenario("run.replications=1", "run.horizon_min=60", "arrivals.rate_per_hour=150",
                                   "staffing.cashiers=2"))
    render = outputs.RENDERERS["csv"]

    def render_and_get_interrupted(res):
        text = render(res)
        signal.raise_signal(signal.SIGINT)  # Ctrl-C arrives after the first table is ready
        return text

    monkeypatch.setitem(outputs.RENDERERS, "csv", render_and_get_interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(tmp_path, result)
    assert json.loads((tmp_path / "summary.json").read_text())["replications"] == 1  # every file, whole
    assert {"timeseries.csv", "customers.csv"} <= {p.name for p in tmp_path.iterdir()}
    assert _leftovers(tmp_path) == []
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # Ctrl-C works as before


def test_an_interrupted_sweep_resumes_where_it_stopped(tmp_path):
    sweep = ["-m", "run.replications=40", "run.horizon_min=300", "arrivals.rate_per_hour=150", "staffing.cashiers=5,6,7"]
    done = _interrupt_once_started(sweep, tmp_path, lambda: any(tmp_path.glob("multirun/*/*/1")), after_s=0.2)
    assert done.returncode == 130 and "Traceback" not in done.stderr, done.stderr
    hint = done.stderr.strip().splitlines()[-1]
    assert "to resume (finished jobs are skipped): storesim -m" in hint and "hydra.sweep.dir=" in hint, hint
    assert _leftovers(tmp_path) == []
    folder = next(tmp_path.glob("multirun/*/*"))
    assert (folder / "0" / "summary.json").exists() and not (folder / "1" / "summary.json").exists()
    first = (folder / "0" / "summary.json").read_bytes()

    resumed = subprocess.run([*STORESIM, *shlex.split(hint.split("storesim ", 2)[-1])], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert "job 0 skipped" in resumed.stdout and "job 1 ok" in resumed.stdout and "job 2 ok" in resumed.stdout
    assert (folder / "0" / "summary.json").read_bytes() == first  # finished work is kept, not redone


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # the dropped one, by design
def test_ctrl_c_swallowed_by_a_finalizer_still_stops_the_replications(monkeypatch):
    """Ctrl-C that lands while Python finalizes a finished replication's objects (it then
    prints "Exception ignored" and drops the KeyboardInterrupt) still stops the run."""
    from storesim.scenarios import runner

    class FinalizedDuringCtrlC:
        def __del__(self):
            signal.raise_signal(signal.SIGINT)  # raised in a finalizer: Python drops it

    one, ran = runner._one, []

    def replication(task):
        ran.append(task[1])
        FinalizedDuringCtrlC()  # freed at once, its finalizer hit by Ctrl-C
        return one(task)

    monkeypatch.setattr(runner, "_one", replication)
    params = scenario("run.replications=3", "run.horizon_min=60", "arrivals.rate_per_hour=30",
                      "staffing.cashiers=2", "staffing.floor_staff=1", "output.customers=false")
    with pytest.raises(KeyboardInterrupt):
        runner.run_scenario(params)
    assert ran == [0] and signal.getsignal(signal.SIGINT) is signal.default_int_handler
