"""Every setting acts: a value a user sets is the value used, or the run stops naming both keys.

The class of fault: two keys stating one quantity (a constant and an hourly list, counts and a
roster), where one silently wins. Each quantity now has one key, and the alternatives that
remain (counts, square-root staffing, a roster) must not be set together.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from storesim.scenarios.compose import sweep_jobs
from storesim.scenarios.config import ConfigError, config_hash
from storesim.scenarios.schema import APP_KEYS, COMMAND_READS, READ_BY, AppConfig, unread_keys
from storesim.sim.roster import build_roster, cashiers_by_hour
from storesim.sim.params import DEFAULT_HOURLY_CASHIERS

from .conftest import scenario

ROOT = Path(__file__).resolve().parent.parent
STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]


def _storesim(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*STORESIM, *args], capture_output=True, text=True, cwd=cwd, timeout=120,
                          stdin=subprocess.DEVNULL)


def test_cashiers_set_by_the_user_replace_the_default_hourly_plan():
    default = scenario()
    assert cashiers_by_hour(default) == DEFAULT_HOURLY_CASHIERS
    assert cashiers_by_hour(scenario("staffing.cashiers=8")) == [8] * 14
    assert cashiers_by_hour(scenario("staffing=lean", "staffing.cashiers=7")) == [7] * 14


def test_arrival_rate_set_by_the_user_replaces_the_default_profile():
    assert scenario("arrivals.rate_per_hour=300").arrivals_per_hour() == [300.0] * 14
    assert scenario("floor.rate_per_hour=[1,2,3,4,5,6,7,8,9,10,11,12,13,14]").floor.rate_per_hour[-1] == 14


@settings(max_examples=12, deadline=None)
@given(cashiers=st.integers(1, 10) | st.lists(st.integers(1, 10), min_size=14, max_size=14),
       rate=st.integers(0, 400) | st.lists(st.integers(0, 400), min_size=14, max_size=14),
       floor=st.integers(0, 3) | st.lists(st.integers(0, 3), min_size=14, max_size=14))
def test_any_value_given_for_a_per_hour_key_is_the_value_simulated(cashiers, rate, floor):
    """Property: whatever preset is chosen, the counts and rates given are those simulated."""
    text = lambda v: str(v).replace(" ", "")
    for preset in ("default", "lean", "peak_all_lanes"):
        params = scenario(f"staffing={preset}", f"staffing.cashiers={text(cashiers)}",
                          f"arrivals.rate_per_hour={text(rate)}", f"staffing.floor_staff={text(floor)}")
        hours = lambda v: list(v) if isinstance(v, list) else [v] * 14
        assert cashiers_by_hour(params) == hours(cashiers)
        assert params.arrivals_per_hour() == [float(r) for r in hours(rate)]
        on_floor = [sum(s.home_role == "floor" and s.shift.start <= h * 60 < s.shift.end for s in build_roster(params))
                    for h in range(14)]
        assert on_floor == hours(floor)


@pytest.mark.parametrize("overrides,first_key,second_key", [
    (["staffing.roster=[{id: A, start_hour: 8, end_hour: 22}]"], "staffing.cashiers", "staffing.roster"),
    (["staffing=from_profile", "staffing.cashiers=5"], "staffing.cashiers", "staffing.from_profile_beta"),
    (["staffing.from_profile_beta=0.5"], "staffing.cashiers", "staffing.from_profile_beta"),
    (["staffing=roster", "staffing.floor_staff=3"], "staffing.floor_staff", "staffing.roster"),
])
def test_two_ways_of_stating_the_cashiers_stop_naming_both_keys(overrides, first_key, second_key):
    with pytest.raises(ConfigError) as error:
        scenario(*overrides)
    lines = str(error.value).splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(first_key) and second_key in lines[0] and "choose one" in lines[0]


def test_the_presets_that_choose_another_source_run():
    assert len(build_roster(scenario("staffing=roster"))) == 15
    assert cashiers_by_hour(scenario("staffing=from_profile"))[10] >= 9


def test_a_sweep_preset_without_m_stops_with_the_command_to_use(tmp_path):
    done = _storesim("experiment=peak_staffing", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "storesim -m experiment=peak_staffing" in done.stderr
    assert not (tmp_path / "outputs").exists()


def test_mmc_lanes_follow_the_servers():
    params = scenario("experiment=mmc", "staffing.cashiers=14")
    assert params.store.lanes == 14 and cashiers_by_hour(params) == [14] * params.hours
    with pytest.raises(ConfigError, match="staffing.cashiers"):
        scenario("experiment=mmc", "staffing.cashiers=0")


@pytest.mark.parametrize("deletion", ["~store", "~store.lanes", "~staffing.cashiers", "~run"])
def test_deleting_a_setting_is_refused_by_one_rule(tmp_path, deletion):
    done = _storesim("experiment=mmc", deletion, cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    key = deletion[1:]
    assert done.stderr.startswith(f"storesim: error: {key}: deleting a setting")


@pytest.mark.parametrize("overrides", [
    ["staffing.floor_staff=0"],
    ["policy.cross_training.cross_trained=none"],
    ["policy.cross_training.cross_trained=share", "policy.cross_training.share=0"],
    ["policy.cross_training.cross_trained=share", "policy.cross_training.share=0.2"],  # round(0.2 x 2) = 0
    ["policy.cross_training.cross_trained=ids"],
    ["staffing=roster", "staffing.roster=[{id: C1, start_hour: 8, end_hour: 22}, "
     "{id: F1, home_role: floor, skills: [floor], start_hour: 8, end_hour: 22}]"],  # not checkout-skilled
])
def test_cross_training_with_nobody_to_send_says_so(overrides):
    with pytest.raises(ConfigError, match="policy.cross_training.policy: .*nobody can be sent"):
        scenario("policy/cross_training=threshold", *overrides)


@pytest.mark.parametrize("override,key", [
    ("satisfaction.resolved_at_once=nan", "satisfaction.resolved_at_once"),
    ("satisfaction.unresolved=inf", "satisfaction.unresolved"),
    ("satisfaction.unresolved=100", "satisfaction.unresolved"),
    ("satisfaction.unresolved=0.5", "satisfaction.unresolved"),  # pleases more than a settled request
    ("satisfaction.resolved_after_hold=1", "satisfaction.unresolved"),  # a hold pleases more than at once
])
def test_satisfaction_points_are_finite_bounded_and_ordered(override, key):
    with pytest.raises(ConfigError) as error:
        scenario(override)
    assert str(error.value).startswith(f"{key}:")


def _numeric_keys(node, prefix=""):
    """Every float-valued key of the default config (where a float is allowed, NaN can be typed)."""
    import dataclasses

    for f in dataclasses.fields(node):
        value, key = getattr(node, f.name), f"{prefix}{f.name}"
        if dataclasses.is_dataclass(value):
            yield from _numeric_keys(value, f"{key}.")
        elif isinstance(value, float) and not isinstance(value, bool):
            yield key


@pytest.mark.parametrize("key", sorted(_numeric_keys(scenario())))
@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_no_numeric_key_accepts_nan_or_inf(key, value):
    with pytest.raises(ConfigError) as error:
        scenario(f"{key}={value}")
    assert any(line.startswith(f"{key}:") for line in str(error.value).splitlines()), str(error.value)


def _documented_sweeps() -> list[tuple[str, list[str]]]:
    """``storesim -m ...`` commands in the README and the docs, as override lists."""
    found = []
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text().replace("\\\n", " ")
        for line in text.splitlines():
            match = re.search(r"`(storesim -m [^`]*)`", line) or re.match(r"\s*(storesim -m [^#]*)", line)
            if not match:
                continue
            words = shlex.split(match.group(1).strip())[2:]
            overrides = [w for w in words if "=" in w and not w.startswith(("hydra", "sweep.", "run.", "output."))]
            if any(len(w.split("=")[0]) == 1 for w in overrides):  # the README's a=1,2 b=x,y placeholder
                continue
            if any(_searches(w) for w in overrides):  # a search, not a grid (tests/test_tuning.py)
                continue
            if any("," in w and "[" not in w for w in overrides) or any(w.startswith("experiment=") for w in overrides):
                found.append((f"{path.name}: {match.group(1).strip()}", overrides))
    return found


def _searches(override: str) -> bool:
    """Whether ``experiment=NAME`` picks a preset with a sweeper of its own (Optuna's search),
    whose jobs are chosen as it goes rather than expanded from a grid."""
    if not override.startswith("experiment="):
        return False
    preset = ROOT / "conf" / "experiment" / f"{override.split('=', 1)[1]}.yaml"
    return preset.is_file() and "override /hydra/sweeper:" in preset.read_text()


DOCUMENTED = _documented_sweeps()


def test_the_docs_show_sweeps():
    assert any("staffing.cashiers=4,5,6,7,8,9" in where for where, _ in DOCUMENTED)
    assert len(DOCUMENTED) >= 5


def _jobs(overrides: list[str]) -> list[list[str]]:
    """Each job's overrides, as Hydra's basic sweeper expands the command and its preset."""
    return sweep_jobs(overrides)


@pytest.mark.parametrize("where,overrides", DOCUMENTED, ids=[w for w, _ in DOCUMENTED])
def test_every_documented_sweep_runs_plans_that_differ(where, overrides):
    jobs = _jobs(overrides)
    hashes = [config_hash(scenario(*job)) for job in jobs]
    assert len(jobs) >= 2, where
    assert len(set(hashes)) == len(hashes), f"{where}: identical plans among {jobs}"


# The class of fault: a setting of a feature that is off does nothing, silently. Each row: a
# setting of a feature, and the override that turns the feature on.
FEATURE_SETTINGS = [
    ("satisfaction.informed_factor=0.5", "satisfaction=informed"),
    ("satisfaction.announcement_error_cv=0.1", "satisfaction=informed"),
    ("satisfaction.announcement_bias=0.8", "satisfaction=informed"),
    ("policy.empowerment.value_limit=50", "policy/empowerment=empowered"),
    ("policy.empowerment.training_hours=8", "policy/empowerment=empowered"),
    ("policy.hiring.start_speed=0.7", "policy/hiring=experienced"),
    ("policy.hiring.learning_rate=0.9", "policy/hiring=friendly_trained"),
    ("self_checkout.max_items=8", "self_checkout=six_kiosks"),
    ("staffing.attendants=2", "self_checkout=six_kiosks"),
    ("queue.jockey_walk_min=0.5", "queue.jockey_diff=2"),
    ("households.defection_base=0.01", "run.days=7"),
    ("households.weekday_factors=[0.5,1,1,1,1,1,1.5]", "run.days=7"),
]


@pytest.mark.parametrize("setting,feature", FEATURE_SETTINGS)
def test_a_setting_of_a_feature_that_is_off_is_refused_naming_what_turns_it_on(setting, feature):
    key = setting.partition("=")[0]
    with pytest.raises(ConfigError) as refused:
        scenario(setting)
    lines = str(refused.value).splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{key}: "), refused.value
    assert re.search(r"acts only|has no effect", lines[0]), refused.value
    assert scenario(feature, setting) is not None  # with the feature on, the setting acts


def test_the_consequences_of_experiences_are_refused_with_feedback_off():
    """``households.feedback=false`` switches memory, defection, word of mouth and recognition
    off: their settings would not act."""
    with pytest.raises(ConfigError) as refused:
        scenario("run.days=7", "households.feedback=false", "households.defection_base=0.02")
    assert str(refused.value).startswith("households.defection_base: acts only with households.feedback=true")
    assert scenario("run.days=7", "households.defection_base=0.02") is not None
    assert scenario("run.days=7", "households.feedback=false", "households.margin_share=0.3") is not None


def _another_value(value: object, type_name: str) -> object:
    """A value other than ``value`` (a default) of the field's type."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    return "other" if value is not None or "str" in type_name else 3


# The same class for the commands: a key that the command at hand never reads (the planner's
# plan.*, a sweep's sweep.* and tune.*, a single run's report) does nothing, silently.
@pytest.mark.parametrize("command", list(COMMAND_READS))
def test_every_app_key_a_command_does_not_read_is_refused_when_set(command):
    assert unread_keys(AppConfig(), command) == []
    unread = [name for name in APP_KEYS if name not in COMMAND_READS[command]]
    assert unread, command
    for name in unread:
        value = getattr(AppConfig(), name)
        fields = dataclasses.fields(value) if dataclasses.is_dataclass(value) else [AppConfig.__dataclass_fields__[name]]
        for field in fields:
            app = AppConfig()
            owner = getattr(app, name) if dataclasses.is_dataclass(value) else app
            setattr(owner, field.name, _another_value(getattr(owner, field.name), str(field.type)))
            key = f"{name}.{field.name}" if owner is not app else name
            lines = unread_keys(app, command)
            assert len(lines) == 1 and lines[0].startswith(f"{key}: is read only by {READ_BY[name]}, not by {command}"), \
                (key, lines)
    for name in COMMAND_READS[command]:  # what the command reads is never refused as unread
        app = AppConfig()
        value = getattr(app, name)
        if not dataclasses.is_dataclass(value):
            setattr(app, name, _another_value(value, str(AppConfig.__dataclass_fields__[name].type)))
            assert unread_keys(app, command) == [], name


def test_a_preset_for_another_command_brings_its_own_app_keys():
    """The sweep presets set sweep.baseline; given to storesim-plan, that is the preset's doing,
    not the user's: only keys typed on the command line are refused."""
    app = AppConfig()
    app.sweep.baseline = "0"
    assert unread_keys(app, "storesim-plan", typed=["experiment=december", "plan.replications=2"]) == []
    assert [line.split(":")[0] for line in unread_keys(app, "storesim-plan", typed=["sweep.baseline=0"])] == \
        ["sweep.baseline"]
    assert [line.split(":")[0] for line in unread_keys(app, "storesim-plan")] == ["sweep.baseline"]
