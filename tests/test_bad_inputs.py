"""Every bad input stops before any simulation, with one line per problem naming its key.

The big table is composed exactly as the ``storesim`` command composes it (conftest's
``scenario``) and turned into the lines the command prints (``cli_errors.describe``); a
smaller set runs the real command, to check the exit code, that no traceback is printed
and that no output folder or file is left behind.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from hydra.errors import HydraException
from omegaconf.errors import OmegaConfBaseException

from storesim.scenarios.cli_errors import describe
from storesim.scenarios.config import ConfigError
from storesim.sim.params import ScenarioParams, StoreParams
from storesim.sim.params import StaffingParams

from .conftest import scenario

FLAT = ("arrivals.rate_per_hour=150", "staffing.cashiers=6")  # a constant-rate day: no hourly lists to fit
ROSTER = "staffing.roster=[{id: A, start_hour: 8, end_hour: 22%s}]"
NO_COUNTS = ("staffing.cashiers=null", "staffing.floor_staff=null")  # a roster names everybody
THRESHOLD = "policy/cross_training=threshold"
HOURS_14 = "[3,4,5,6,7,7,6,6,7,9,10,8,5,4]"

# (overrides, the key the message must name). One row per distinct mistake.
BAD = [
    # the building
    (["store.lanes=0"], "store.lanes"),
    (["store.lanes=2.5"], "store.lanes"),
    (["store.lanes=null"], "store.lanes"),
    (["store.express_lanes=10"], "store.express_lanes"),
    (["store.express_limit=0"], "store.express_limit"),
    (["store.express_limit=many"], "store.express_limit"),
    (["store.open_hour=24"], "store.open_hour"),
    (["store.close_hour=7"], "store.close_hour"),
    (["store.peak_start_hour=-1"], "store.peak_start_hour"),
    (["store.peak_end_hour=16"], "store.peak_end_hour"),
    # arrivals and customers
    ([*FLAT, "arrivals.rate_per_hour=-5"], "arrivals.rate_per_hour"),
    ([*FLAT, "arrivals.rate_per_hour=inf"], "arrivals.rate_per_hour"),
    (["arrivals.rate_per_hour=lots"], "arrivals.rate_per_hour"),
    (["arrivals.rate_per_hour=[100,200]"], "arrivals.rate_per_hour"),
    (["arrivals.rate_per_hour=[-1,2,3,4,5,6,7,8,9,10,11,12,13,14]"], "arrivals.rate_per_hour"),
    (["arrivals.rate_per_hour=[a,b]"], "arrivals.rate_per_hour"),
    (["arrivals.rate_per_hour=fast"], "arrivals.rate_per_hour"),
    (["customers.basket_mean_items=0.5"], "customers.basket_mean_items"),
    (["customers.basket_cv=-1"], "customers.basket_cv"),
    (["customers.expected_wait_mean_min=0"], "customers.expected_wait_mean_min"),
    (["customers.expected_wait_cv=nan"], "customers.expected_wait_cv"),
    (["customers.value_per_item=-3"], "customers.value_per_item"),
    # service and abandonment
    (["service.distribution=weibull"], "service.distribution"),
    (["service.distributoin=gamma"], "service.distributoin"),
    (["service.mean_min=0"], "service.mean_min"),
    (["service.fixed_min=-1"], "service.fixed_min"),
    (["service.per_item_min=-0.1"], "service.per_item_min"),
    (["service.fixed_min=0", "service.per_item_min=0"], "service.fixed_min"),
    (["service.cv=0"], "service.cv"),
    (["service.distribution=exponential", "service.cv=-1"], "service.cv"),
    (["abandonment.balk_line_len=0"], "abandonment.balk_line_len"),
    (["abandonment.balk_line_len=2.5"], "abandonment.balk_line_len"),
    (["abandonment.balking=maybe"], "abandonment.balking"),
    (["abandonment.patience_distribution=gamma"], "abandonment.patience_distribution"),
    (["abandonment.patience_mean_min=0"], "abandonment.patience_mean_min"),
    (["abandonment.patience_cv=0"], "abandonment.patience_cv"),
    (["queue.discipline=snake"], "queue.discipline"),
    # standards, run, output
    (["standards.target_wait_min=-1"], "standards.target_wait_min"),
    (["standards.service_level=1.5"], "standards.service_level"),
    (["standards.min_csat=-0.1"], "standards.min_csat"),
    (["standards.max_abandon_rate=2"], "standards.max_abandon_rate"),
    (["run.replications=0"], "run.replications"),
    (["run.replications=2.5"], "run.replications"),
    (["run.seed=-1"], "run.seed"),
    (["run.seed=1e30"], "run.seed"),
    (["run.horizon_min=0"], "run.horizon_min"),
    (["run.horizon_min=240"], "run.horizon_min"),  # 4 opening hours against 14-value hourly lists
    (["run.warmup_min=-1"], "run.warmup_min"),
    (["run.warmup_min=900"], "run.warmup_min"),
    (["run.jobs=0"], "run.jobs"),
    (["output.bucket_min=0"], "output.bucket_min"),
    (["output.bucket_min=0.01"], "output.bucket_min"),  # 84,000 buckets a day
    (["output.customers=sometimes"], "output.customers"),
    (["scenario="], "scenario"),
    (["scenario=a/b"], "scenario"),
    (["scenario=[1,2]"], "scenario"),
    # staffing by counts
    (["staffing.cashiers=0"], "staffing.cashiers"),
    (["staffing.cashiers=2.5"], "staffing.cashiers"),
    (["staffing.cashiers=11"], "staffing.cashiers"),
    (["staffing.cashiers=[1,2]"], "staffing.cashiers"),
    (["staffing.cashiers=[1.5,4,5,6,7,7,6,6,7,9,10,8,5,4]"], "staffing.cashiers"),
    (["staffing.cashiers=[0,4,5,6,7,7,6,6,7,9,10,8,5,4]"], "staffing.cashiers"),
    (["staffing.cashiers=[20,4,5,6,7,7,6,6,7,9,10,8,5,4]"], "staffing.cashiers"),
    (["staffing.cashiers=[1,null,2]"], "staffing.cashiers"),
    (["staffing.floor_staff=-1"], "staffing.floor_staff"),
    (["staffing.floor_staff=[1,2]"], "staffing.floor_staff"),
    (["staffing=from_profile", "staffing.from_profile_beta=-1"], "staffing.from_profile_beta"),
    (["staffing.break_after_hours=0"], "staffing.break_after_hours"),
    (["staffing.break_after_hours=1", "staffing.break_min=90"], "staffing.break_min"),
    (["staffing.wage_per_hour=-1"], "staffing.wage_per_hour"),
    (["staffing.speed=0"], "staffing.speed"),
    (["staffing.friendliness=2"], "staffing.friendliness"),
    (["staffing=nosuch"], "staffing"),
    # an explicit roster
    (["staffing.roster=[{id: A, start_hour: 6, end_hour: 22}]", *NO_COUNTS], "staffing.roster[0].start_hour"),
    ([ROSTER % ", skills: [checkout, juggling]", *NO_COUNTS], "staffing.roster[0].skills"),
    ([ROSTER % ", home_role: manager", *NO_COUNTS], "staffing.roster[0].home_role"),
    ([ROSTER % ", speed: 0", *NO_COUNTS], "staffing.roster[0].speed"),
    ([ROSTER % ", friendliness: 3", *NO_COUNTS], "staffing.roster[0].friendliness"),
    ([ROSTER % ", wage_per_hour: -3", *NO_COUNTS], "staffing.roster[0].wage_per_hour"),
    ([ROSTER % ", id: ''", *NO_COUNTS], "staffing.roster[0].id"),
    ([ROSTER % ", breaks: [{start_hour: 7, minutes: 15}]", *NO_COUNTS], "staffing.roster[0].breaks[0].start_hour"),
    ([ROSTER % ", breaks: [{start_hour: 21.9, minutes: 30}]", *NO_COUNTS], "staffing.roster[0].breaks[0].minutes"),
    ([ROSTER % ", breaks: [{start_hour: 14, minutes: 10}, {start_hour: 12, minutes: 10}]", *NO_COUNTS],
     "staffing.roster[0].breaks[1].start_hour"),
    ([ROSTER % ", bogus: 1", *NO_COUNTS], "staffing.roster"),
    (["staffing.roster=[{id: A, start_hour: 8, end_hour: 22}, {id: A, start_hour: 8, end_hour: 22}]", *NO_COUNTS],
     "staffing.roster"),
    (["staffing.roster=[{id: A, start_hour: 8, end_hour: 21.5}]", *NO_COUNTS], "staffing.roster"),  # 21:30-22:00 uncovered
    (["staffing.roster=[5]"], "staffing.roster"),
    # the floor and cross-training
    (["floor.rate_per_hour=-1"], "floor.rate_per_hour"),
    (["floor.rate_per_hour=[1]"], "floor.rate_per_hour"),
    (["floor.service_cv=0"], "floor.service_cv"),
    (["floor.patience_mean_min=0"], "floor.patience_mean_min"),
    (["policy/cross_training=nosuch"], "policy/cross_training"),
    (["policy.cross_training.policy=sometimes"], "policy.cross_training.policy"),
    ([THRESHOLD, "policy.cross_training.close_below=5"], "policy.cross_training.close_below"),
    ([THRESHOLD, "policy.cross_training.open_at=0"], "policy.cross_training.open_at"),
    ([THRESHOLD, "policy.cross_training.trigger=vibes"], "policy.cross_training.trigger"),
    ([THRESHOLD, "policy.cross_training.cross_trained=some"], "policy.cross_training.cross_trained"),
    ([THRESHOLD, "policy.cross_training.share=1.5"], "policy.cross_training.share"),
    ([THRESHOLD, "policy.cross_training.walk_min=-1"], "policy.cross_training.walk_min"),
    ([THRESHOLD, "policy.cross_training.cooldown_min=-1"], "policy.cross_training.cooldown_min"),
    ([THRESHOLD, "policy.cross_training.cross_trained=ids", "policy.cross_training.ids=[Z9]"],
     "policy.cross_training.ids"),
    # unknown keys, groups and wrong shapes
    (["+foo=1"], "foo"),
    (["+store.foo=1"], "store.foo"),
    (["store.foo=1"], "store.foo"),
    (["run=5"], "run"),
    (["experiment=nosuch"], "experiment"),
    (["store.lanes=1 store.lanes=2"], "store.lanes=1 store.lanes=2"),
]


def problem_lines(*overrides: str) -> list[str]:
    """The lines ``storesim OVERRIDES`` prints for the problems, or [] if the config is valid."""
    try:
        scenario(*overrides)
    except (ConfigError, HydraException, OmegaConfBaseException) as error:
        return describe(error)
    return []


def test_the_table_has_at_least_forty_distinct_mistakes():
    assert len(BAD) >= 40
    assert len({tuple(overrides) for overrides, _ in BAD}) == len(BAD)


@pytest.mark.parametrize("overrides,key", BAD, ids=[" ".join(o) for o, _ in BAD])
def test_bad_config_is_refused_naming_its_key(overrides, key):
    lines = problem_lines(*overrides)
    assert lines, "accepted"
    assert any(line.startswith(key) for line in lines), lines
    for line in lines:
        assert "Traceback" not in line and "\n" not in line and len(line) < 500, line


def test_every_problem_is_reported_at_once():
    lines = problem_lines("store.express_limit=0", "queue.discipline=snake", "service.cv=-1",
                          "run.replications=0", "standards.service_level=2", "output.bucket_min=-5",
                          "policy.cross_training.share=7")
    keys = ["store.express_limit", "queue.discipline", "service.cv", "run.replications",
            "standards.service_level", "output.bucket_min", "policy.cross_training.share"]
    assert sorted(line.split(":")[0] for line in lines) == sorted(keys), lines


def test_unknown_names_come_with_the_allowed_ones():
    assert "per_lane, single_line" in problem_lines("queue.discipline=snake")[0]
    assert "none, threshold" in problem_lines("policy/cross_training=nosuch")[0]
    typo = problem_lines("service.distributoin=gamma")[0]
    assert "did you mean distribution" in typo and "allowed: distribution," in typo
    assert "allowed: id, home_role, skills" in problem_lines(ROSTER % ", bogus: 1")[0]


@pytest.mark.parametrize("store,key", [
    (StoreParams(lanes=True), "store.lanes"),
    (StoreParams(express_lanes=1.5), "store.express_lanes"),
    (StoreParams(express_limit=2.5), "store.express_limit"),
    (StoreParams(peak_end_hour=float("nan")), "store.peak_end_hour"),
])
def test_python_callers_get_the_same_checks_as_the_command(store, key):
    """Built in Python, without OmegaConf's type checks, the parameters still refuse wrong types."""
    problems = ScenarioParams(store=store).problems()
    assert any(line.startswith(key) for line in problems), problems


def test_python_callers_cannot_sneak_in_fractional_staff():
    problems = ScenarioParams(staffing=StaffingParams(cashiers=[1.5] + [3] * 13)).problems()
    assert any(line.startswith("staffing.cashiers") for line in problems), problems


def test_valid_edge_values_are_accepted():
    """The checks refuse mistakes, not unusual but valid settings."""
    assert problem_lines("store.open_hour=0", "store.close_hour=24", "arrivals.rate_per_hour=150", "staffing.cashiers=1",
                         "store.peak_start_hour=30", "store.peak_end_hour=31") == []
    assert problem_lines(*FLAT, "arrivals.rate_per_hour=0") == []
    assert problem_lines("run.horizon_min=240", "arrivals.rate_per_hour=[1,2,3,4]", "staffing.cashiers=[1,2,3,4]") == []
    assert problem_lines("staffing.roster=[{id: A, start_hour: 8, end_hour: 15.5},"
                         " {id: B, start_hour: 15.5, end_hour: 22, breaks: [{start_hour: 18, minutes: 20}]}]",
                         *NO_COUNTS) == []


# -- through the real command ---------------------------------------------------------------

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]
COMMAND = {
    "type": (["store.lanes=2.5"], ["store.lanes"]),
    "unknown key": (["service.distributoin=gamma"], ["service.distributoin"]),
    "unknown key added": (["+foo=1"], ["foo"]),
    "unknown group option": (["policy/cross_training=nosuch"], ["policy/cross_training"]),
    "bad choice": (["queue.discipline=snake"], ["queue.discipline"]),
    "preset as a value": (["policy.empowerment=empowered"], ["policy.empowerment"]),
    "a sweep key in a single run": (["sweep.delta=200"], ["sweep.delta"]),
    "records over several days": (["run.days=7", "output.customers=true"], ["output.customers"]),
    "planner keys in a single run": (["plan.service_level=0.9", "plan.replications=5"],
                                           ["plan.service_level", "plan.replications"]),
    "roster field": ([ROSTER % ", bogus: 1", *NO_COUNTS], ["staffing.roster"]),
    "not a bool": (["abandonment.balking=maybe"], ["abandonment.balking"]),
    "not an override": (["store.lanes=1 store.lanes=2"], ["store.lanes=1 store.lanes=2"]),
    "horizon": (["run.horizon_min=240"], ["arrivals.rate_per_hour", "staffing.cashiers", "run.horizon_min"]),
    "several": (["store.lanes=0", "service.cv=-1", "run.replications=0", "standards.service_level=2"],
                ["store.lanes", "service.cv", "run.replications", "standards.service_level"]),
}


@pytest.fixture(scope="module")
def command_runs(tmp_path_factory):
    """Every command case, launched at once (each is one short process)."""
    runs = {}
    for name, (overrides, _) in COMMAND.items():
        folder = tmp_path_factory.mktemp(name.replace(" ", "_"))
        process = subprocess.Popen([*STORESIM, f"hydra.run.dir={folder / 'run'}", *overrides], cwd=folder,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        runs[name] = (folder, process)
    done = {}
    for name, (folder, process) in runs.items():
        out, err = process.communicate(timeout=120)
        done[name] = (folder, process.returncode, out, err)
    return done


@pytest.mark.parametrize("name", list(COMMAND))
def test_command_exits_2_with_one_line_per_problem_and_leaves_nothing(command_runs, name):
    folder, code, out, err = command_runs[name]
    keys = COMMAND[name][1]
    lines = err.strip().splitlines()
    assert code == 2, err
    assert "Traceback" not in err and "Traceback" not in out
    assert all(line.startswith("storesim: error: ") for line in lines), err
    named = [line.removeprefix("storesim: error: ") for line in lines]
    assert len(named) == len(keys) and all(any(n.startswith(key) for n in named) for key in keys), err
    assert not (folder / "run").exists()
    assert list(folder.iterdir()) == []  # no output folder, log or stray file anywhere


def test_a_preset_written_as_a_value_gets_the_group_spelling(command_runs):
    """``policy.empowerment=empowered`` names a preset of the group ``policy/empowerment``."""
    _, _, _, err = command_runs["preset as a value"]
    assert err.strip().endswith("; to choose the preset, write policy/empowerment=empowered"), err
    _, _, _, err = command_runs["type"]
    assert "to choose the preset" not in err

