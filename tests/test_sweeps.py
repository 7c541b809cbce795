"""Sweeps: the sweep tables, paired comparisons, parallel and cluster launchers, resume, failures."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from storesim.analysis.run_folder import FAILURE, SKIPPED
from storesim.analysis.stats import paired_difference, welch_difference
from storesim.scenarios.compose import compose, compose_config
from storesim.scenarios.config import ConfigError, config_hash, to_app_config, to_params
from storesim.scenarios.sweep_job import run_sweep_job
from storesim.scenarios.sweep_jobs import find_baseline, planned_jobs
from storesim.sim import ScenarioParams
from storesim.sim.roster import cashiers_by_hour

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]
# Three hourly plans of the store day: the default one, one more cashier at 17:00, and a leaner one.
PLANS = "[3,4,5,6,7,7,6,6,7,9,10,8,5,4],[3,4,5,6,7,7,6,6,7,10,10,8,5,4],[3,4,5,6,6,6,6,6,6,8,9,8,5,4]"
STORE_DAY_SWEEP = (f"staffing.cashiers={PLANS}", "run.replications=6", "output.customers=false")
SHORT_DAY = ("run.replications=2", "run.horizon_min=120", "arrivals.rate_per_hour=150", "staffing.cashiers=6",
             "output.customers=false")


def sweep(sweep_dir: Path, *args: str) -> subprocess.CompletedProcess:
    """``storesim -m ARGS`` into ``sweep_dir``."""
    return subprocess.run([*STORESIM, "-m", f"hydra.sweep.dir={sweep_dir}", *args], capture_output=True, text=True,
                          cwd=sweep_dir.parent, timeout=120)


def rows(path: Path) -> list[dict[str, str]]:
    with open(path) as handle:
        return list(csv.DictReader(handle))


def summary(folder: Path) -> dict:
    """A job's summary.json without its wall time (the one field that may differ between runs)."""
    document = json.loads((folder / "summary.json").read_text())
    document.pop("wall_time_s")
    return document


@pytest.fixture(scope="module")
def store_day_sweep(tmp_path_factory) -> Path:
    """Three plans of the store day, run one after another (Hydra's basic launcher)."""
    sweep_dir = tmp_path_factory.mktemp("sequential") / "sweep"
    done = sweep(sweep_dir, *STORE_DAY_SWEEP)
    assert done.returncode == 0, done.stderr
    assert "top plans by total_cost (min) subject to service_level >= 0.8" in done.stdout
    return sweep_dir


# --- the tables ---------------------------------------------------------------------------

def test_sweep_table_holds_each_jobs_summary(store_day_sweep):
    table = rows(store_day_sweep / "sweep_summary.csv")
    assert [r["job"] for r in table] == ["0", "1", "2"] and {r["status"] for r in table} == {"ok"}
    assert [r["staffing.cashiers"] for r in table] == PLANS.replace("],[", "]|[").split("|")
    for row in table:
        job = summary(store_day_sweep / row["job"])
        assert row["config_hash"] == job["config_hash"] and int(row["replications"]) == 6
        for kpi, ci in job["kpis"].items():
            for field in ("mean", "ci_low", "ci_high"):
                cell = row[f"{kpi}_{field}"]
                # tables keep 6 significant digits (sweep_tables.tidy)
                assert (cell == "" and ci[field] is None) or float(cell) == pytest.approx(ci[field], rel=1e-5, abs=1e-12), \
                    (kpi, field)


def test_comparison_table_is_the_paired_difference_from_the_baseline(store_day_sweep):
    table = rows(store_day_sweep / "sweep_comparison.csv")
    base = summary(store_day_sweep / "0")
    assert {r["job"] for r in table} == {"1", "2"} and {r["baseline_job"] for r in table} == {"0"}
    for row in table:
        job = summary(store_day_sweep / row["job"])
        kpi = row["kpi"]
        ours = [rep[kpi] for rep in job["per_replication"]]
        theirs = [rep[kpi] for rep in base["per_replication"]]
        if None in ours + theirs:
            continue
        pair, welch = paired_difference(ours, theirs), welch_difference(ours, theirs)
        assert row["crn"] == "True"
        assert float(row["diff"]) == pytest.approx(job["kpis"][kpi]["mean"] - base["kpis"][kpi]["mean"], rel=1e-5, abs=1e-9)
        assert float(row["paired_ci_low"]) == pytest.approx(pair.ci_low, rel=1e-5, abs=1e-9)
        assert float(row["paired_ci_high"]) == pytest.approx(pair.ci_high, rel=1e-5, abs=1e-9)
        assert float(row["welch_ci_low"]) == pytest.approx(welch.ci_low, rel=1e-5, abs=1e-9)


def test_paired_interval_is_much_narrower_than_the_unpaired_one(store_day_sweep):
    """Replication k of every plan sees the same customers, so plan differences are sharp."""
    table = {(r["job"], r["kpi"]): r for r in rows(store_day_sweep / "sweep_comparison.csv")}
    for kpi in ("wait_mean", "time_in_system_mean", "total_cost"):
        row = table[("1", kpi)]
        paired = float(row["paired_ci_high"]) - float(row["paired_ci_low"])
        welch = float(row["welch_ci_high"]) - float(row["welch_ci_low"])
        assert 0 < paired < 0.5 * welch, (kpi, paired, welch)


def test_top_plans_meet_the_constraint_best_first(store_day_sweep, tmp_path):
    """Another objective, constraint and baseline: every job is reused, only the tables change."""
    table = {r["job"]: r for r in rows(store_day_sweep / "sweep_summary.csv")}
    copy = tmp_path / "sweep"
    shutil.copytree(store_day_sweep, copy)
    bound = sorted(float(r["labor_cost_mean"]) for r in table.values())[1]  # the middle plan's labour cost
    done = sweep(copy, *STORE_DAY_SWEEP, "sweep.objective=wait_mean", f'sweep.constraint="labor_cost <= {bound}"',
                 "sweep.top=2", "sweep.baseline=2")
    assert done.returncode == 0, done.stderr
    feasible = sorted((float(r["wait_mean_mean"]), j) for j, r in table.items() if float(r["labor_cost_mean"]) <= bound)
    assert len(feasible) == 2  # a constraint some plans meet and one misses: the ranking is tested
    ranked = [line.split()[1] for line in done.stdout.splitlines() if line[:4].strip().isdigit()]
    assert ranked == [j for _, j in feasible][:2]
    assert [r["status"] for r in rows(copy / "sweep_summary.csv")] == ["skipped"] * 3
    assert {r["baseline_job"] for r in rows(copy / "sweep_comparison.csv")} == {"2"}


def test_when_no_plan_qualifies_the_closest_are_listed_with_their_shortfall(store_day_sweep, tmp_path):
    """An unreachable standard: the three plans nearest to it, nearest first, each with how far
    it falls short (in points for a share), instead of only "0 of 3 plans qualify"."""
    from storesim.scenarios.sweep_tables import _kpi_text

    table = {r["job"]: float(r["service_level_mean"]) for r in rows(store_day_sweep / "sweep_summary.csv")}
    copy = tmp_path / "sweep"
    shutil.copytree(store_day_sweep, copy)
    done = sweep(copy, *STORE_DAY_SWEEP, 'sweep.constraint="service_level >= 0.999"')
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    start = lines.index("closest to service_level >= 0.999 (none meets it), nearest first:")
    assert "0 of 3 plans with results qualify" in lines[start - 1]
    listed = [line.replace(",", " ").replace(":", " ").split() for line in lines[start + 1:start + 4]]
    assert [row[1] for row in listed] == sorted(table, key=lambda j: -table[j])
    for row in listed:  # job N service_level 71.3% misses by 28.6 pts total_cost ...
        level = table[row[1]]
        assert row[2:4] == ["service_level", f"{level * 100:.1f}%"] and row[4:6] == ["misses", "by"]
        assert float(row[6]) == pytest.approx((0.999 - level) * 100, abs=0.051) and row[7] == "pts"
    assert _kpi_text("service_level", 0.798, 0.8) == ("79.8%", "0.2 pts")
    assert _kpi_text("service_level", 0.79996, 0.8) == ("79.996%", "0.004 pts")  # never "80.0%", never "0.0 pts"
    assert _kpi_text("wait_mean", 3.004, 3.0) == ("3.004", "0.004")


# --- launchers ----------------------------------------------------------------------------

def test_joblib_with_two_workers_gives_the_sequential_results(store_day_sweep, tmp_path):
    done = sweep(tmp_path / "joblib", *STORE_DAY_SWEEP, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    assert done.returncode == 0, done.stderr
    for job in ("0", "1", "2"):
        assert summary(tmp_path / "joblib" / job) == summary(store_day_sweep / job)
        # the workers ran the very configs the launching process composed
        for name in ("config.yaml", "overrides.yaml"):
            assert (tmp_path / "joblib" / job / ".hydra" / name).read_text() == \
                (store_day_sweep / job / ".hydra" / name).read_text()


def test_storesim_sweeper_is_the_default(store_day_sweep):
    from omegaconf import OmegaConf

    from storesim.scenarios.sweep_jobs import STORESIM_SWEEPER

    assert compose_config([], hydra_config=True).hydra.sweeper._target_ == STORESIM_SWEEPER
    assert OmegaConf.load(store_day_sweep / "multirun.yaml").hydra.sweeper._target_ == STORESIM_SWEEPER
    # Hydra's own sweeper stays available, and a preset's sweep (hydra.sweeper.params) is expanded alike
    assert compose_config(["hydra/sweeper=basic"], hydra_config=True).hydra.sweeper._target_.endswith(".BasicSweeper")
    assert len(planned_jobs(compose_config(["experiment=december"], hydra_config=True))) == 3


@pytest.fixture
def hydra_loader():
    """Hydra's config loader over storesim's configs, as ``storesim -m`` initialises it."""
    from hydra import initialize_config_module
    from hydra.core.global_hydra import GlobalHydra

    from storesim.scenarios.config import register_schema

    register_schema()
    with initialize_config_module(config_module="storesim.conf", version_base="1.3"):
        yield GlobalHydra.instance().config_loader()


def test_a_sweep_composes_each_choice_of_config_groups_once(hydra_loader, tmp_path, monkeypatch):
    """Six jobs over two staffing presets: Hydra's basic sweeper composes each job twice (to
    check the batch, then to run it), storesim's composes each preset once, and every job
    runs with the config Hydra's own composition gives."""
    from hydra._internal.callbacks import Callbacks
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra.types import HydraContext, RunMode
    from hydra_plugins.storesim_sweeper.storesim_sweeper import StoresimSweeper
    from omegaconf import OmegaConf

    arguments = ["staffing=lean,default", "staffing.cashiers=5,6,7", "run.replications=2"]
    master = hydra_loader.load_configuration("config", [f"hydra.sweep.dir={tmp_path}", *arguments], RunMode.MULTIRUN)
    expected = {tuple(job): OmegaConf.to_yaml(hydra_loader.load_sweep_config(master, job))
                for job in planned_jobs(master)}
    compositions: list[list[str]] = []
    hydra_compose = ConfigLoaderImpl.load_configuration

    def counted(self, config_name, overrides, *args, **kwargs):
        compositions.append(list(overrides))
        return hydra_compose(self, config_name, overrides, *args, **kwargs)

    monkeypatch.setattr(ConfigLoaderImpl, "load_configuration", counted)
    ran: dict[tuple[str, ...], tuple[str, str]] = {}

    def task(cfg):
        from hydra.core.hydra_config import HydraConfig

        job = HydraConfig.get()
        ran[tuple(job.overrides.task)] = OmegaConf.to_yaml(cfg), OmegaConf.to_yaml(job)

    sweeper = StoresimSweeper(max_batch_size=None, params=None)
    sweeper.setup(hydra_context=HydraContext(config_loader=hydra_loader, callbacks=Callbacks()), task_function=task,
                  config=master)
    sweeper.sweep(list(master.hydra.overrides.task))
    assert len(ran) == 6 and len(compositions) == 2
    assert sorted(c[-1] for c in compositions) == ["staffing=default", "staffing=lean"]
    for job, (task_yaml, hydra_yaml) in ran.items():
        hydras = OmegaConf.create(expected[job])
        assert task_yaml == OmegaConf.to_yaml({k: v for k, v in hydras.items() if k != "hydra"})
        ours = OmegaConf.create(hydra_yaml)  # with what run_job adds: the job's number and folder
        assert ours.job.override_dirname == hydras.hydra.job.override_dirname
        for key in ("job", "runtime"):
            assert set(ours[key]) == set(hydras.hydra[key])
            del ours[key], hydras.hydra[key]
        assert OmegaConf.to_yaml(ours) == OmegaConf.to_yaml(hydras.hydra)


@pytest.mark.parametrize("job", [
    ["staffing=lean", "staffing.cashiers=5"],
    ["experiment=mmc", "run.horizon_min=100", "run.seed=3"],
    ["policy/hiring=standard", 'sweep.constraint="wait_p90 <= 4"', "+extra.note=1"],
    [f"staffing.cashiers={PLANS.split('],[')[0]}]", "arrivals.rate_per_hour=[1,2]"],
])
def test_a_job_config_is_the_one_hydra_composes(hydra_loader, job):
    from hydra.types import RunMode
    from omegaconf import OmegaConf

    from storesim.scenarios.sweep_jobs import JobComposer

    master = hydra_loader.load_configuration("config", ["hydra.sweep.dir=x", "hydra/launcher=joblib", "run.jobs=2"],
                                             RunMode.MULTIRUN)
    ours, hydras = JobComposer(hydra_loader, master).job_config(job), hydra_loader.load_sweep_config(master, job)
    assert OmegaConf.to_yaml(ours) == OmegaConf.to_yaml(hydras)
    assert [OmegaConf.is_struct(c) for c in (ours, hydras)] == [True, True]
    assert [OmegaConf.is_readonly(c.hydra) for c in (ours, hydras)] == [False, False]


def test_a_value_that_does_not_fit_fails_as_in_hydra(hydra_loader):
    from hydra.errors import ConfigCompositionException
    from hydra.types import RunMode

    from storesim.scenarios.sweep_jobs import JobComposer

    master = hydra_loader.load_configuration("config", ["hydra.sweep.dir=x"], RunMode.MULTIRUN)
    composer = JobComposer(hydra_loader, master)
    for job in (["run.replications=abc"], ["staffing=lean", "no_such_key=1"]):
        with pytest.raises(ConfigCompositionException) as hydras:
            hydra_loader.load_sweep_config(master, job)
        with pytest.raises(ConfigCompositionException) as ours:
            composer.job_config(job)
        assert str(ours.value) == str(hydras.value)
        assert str(ours.value.__cause__) == str(hydras.value.__cause__)


def test_submitit_sweep_runs_through_the_cluster_launcher(store_day_sweep, tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher",
                        reason='the cluster extra is not installed: pip install -e ".[cluster]"')
    done = sweep(tmp_path / "submitit", *STORE_DAY_SWEEP, "hydra/launcher=submitit_local")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "submitit" / ".submitit").is_dir()  # the jobs went through submitit
    assert [r["status"] for r in rows(tmp_path / "submitit" / "sweep_summary.csv")] == ["ok"] * 3
    for job in ("0", "1", "2"):
        assert summary(tmp_path / "submitit" / job) == summary(store_day_sweep / job)


def test_slurm_preset_asks_for_one_cpu_per_replication_worker():
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason="the cluster extra is not installed")
    cfg = compose_config(["hydra/launcher=slurm", "run.jobs=4", "hydra.launcher.partition=short"], hydra_config=True)
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("SlurmLauncher")
    assert launcher.cpus_per_task == 4 and launcher.partition == "short"


# --- resume and failures ------------------------------------------------------------------

def test_rerun_finishes_only_the_missing_job(store_day_sweep, tmp_path):
    """A sweep killed before job 1 sealed its results: the re-run runs job 1 and no other."""
    copy = tmp_path / "sweep"
    shutil.copytree(store_day_sweep, copy)
    (copy / "1" / "summary.json").unlink()
    sealed = {job: (copy / job / "summary.json").stat().st_mtime_ns for job in ("0", "2")}
    done = sweep(copy, *STORE_DAY_SWEEP)
    assert done.returncode == 0, done.stderr
    assert [r["status"] for r in rows(copy / "sweep_summary.csv")] == ["skipped", "ok", "skipped"]
    for job, mtime in sealed.items():
        assert (copy / job / "summary.json").stat().st_mtime_ns == mtime and (copy / job / SKIPPED).exists()
    assert not (copy / "1" / SKIPPED).exists()
    assert summary(copy / "1") == summary(store_day_sweep / "1")


def test_failing_job_is_recorded_and_the_others_are_kept(tmp_path):
    sweep_dir = tmp_path / "sweep"
    args = ("experiment=mmc", *SHORT_DAY, "staffing.cashiers=0,3", "run.warmup_min=0")
    done = sweep(sweep_dir, *args)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    failed, ok = rows(sweep_dir / "sweep_summary.csv")
    assert (failed["status"], failed["staffing.cashiers"]) == ("failed", "0")
    assert "ConfigError" in failed["error"] and "staffing.cashiers" in failed["error"]
    assert ok["status"] == "ok" and float(ok["customers_served_mean"]) > 0
    record = json.loads((sweep_dir / "0" / FAILURE).read_text())
    assert record["error_type"] == "ConfigError" and "staffing.cashiers=0" in record["overrides"]
    assert (sweep_dir / "1" / "summary.json").exists() and not (sweep_dir / "0" / "summary.json").exists()
    # The baseline (job 0) has no results, so there is nothing to compare against.
    assert not (sweep_dir / "sweep_comparison.csv").exists()

    again = sweep(sweep_dir, *args)  # the failed job is tried again, the finished one is not
    assert again.returncode == 1
    assert "job 0 failed" in again.stdout and "job 1 skipped" in again.stdout


def test_crashing_job_records_its_traceback_and_returns(tmp_path, monkeypatch):
    def crash(*_args, **_kwargs):
        raise RuntimeError("lane 3 caught fire")

    monkeypatch.setattr("storesim.scenarios.sweep_job.run_scenario", crash)
    status = run_sweep_job(compose_config(SHORT_DAY), tmp_path, ["store.lanes=10"])
    record = json.loads((tmp_path / FAILURE).read_text())
    assert status == "failed" and record["error_type"] == "RuntimeError"
    assert record["message"] == "lane 3 caught fire" and record["overrides"] == ["store.lanes=10"]
    assert "Traceback" in record["traceback"]


def test_job_is_skipped_only_when_its_config_hash_matches(tmp_path, monkeypatch):
    cfg = compose_config(SHORT_DAY)
    (tmp_path / "summary.json").write_text(json.dumps({"config_hash": "stale"}))
    assert run_sweep_job(cfg, tmp_path, []) == "ok"  # another config: rerun
    assert json.loads((tmp_path / "summary.json").read_text())["config_hash"] == config_hash(compose(*SHORT_DAY))

    monkeypatch.setattr("storesim.scenarios.sweep_job.run_scenario", pytest.fail)
    assert run_sweep_job(cfg, tmp_path, []) == "skipped"  # same config: nothing runs
    assert run_sweep_job(compose_config([*SHORT_DAY, "run.jobs=2"]), tmp_path, []) == "skipped"


# --- settings -----------------------------------------------------------------------------

def test_sweep_settings_are_the_apps_and_never_reach_the_model():
    cfg = compose_config(["sweep.objective=wait_p90", "sweep.sense=min", "sweep.top=3"])
    assert to_app_config(cfg).sweep.objective == "wait_p90"
    params = to_params(cfg)
    assert type(params) is ScenarioParams and not hasattr(params, "sweep")
    assert config_hash(params) == config_hash(compose())


def test_bad_sweep_settings_are_reported_with_the_scenarios_problems():
    cfg = compose_config(['sweep.constraint="service_level => 0.8"', "sweep.sense=lowest", "sweep.top=0",
                          "store.lanes=0"])
    with pytest.raises(ConfigError) as error:
        to_app_config(cfg)
    keys = [line.split(":")[0] for line in str(error.value).splitlines()]
    assert keys[0] == "store.lanes" and keys[-3:] == ["sweep.top", "sweep.sense", "sweep.constraint"]
    assert "KPI OP NUMBER" in str(error.value)


def test_bad_baseline_stops_the_sweep_before_any_job(tmp_path):
    done = sweep(tmp_path / "sweep", *SHORT_DAY, "staffing.cashiers=3,4", "sweep.baseline=5")
    assert done.returncode == 2
    assert done.stderr.strip() == "storesim: error: sweep.baseline: no job 5 in this sweep of 2 jobs"
    assert not (tmp_path / "sweep").exists()


def test_baseline_is_a_job_number_or_the_overrides_of_one_job():
    jobs = [(0, ["a=1", "b=[1,2]"]), (1, ["a=2", "b=[1,2]"]), (2, ["a=2", "b=[3, 4]"])]
    assert find_baseline(None, jobs) == 0
    assert find_baseline("2", jobs) == 2
    assert find_baseline("a=2 b=[3,4]", jobs) == 2
    with pytest.raises(ValueError, match="matches 2 jobs"):
        find_baseline("a=2", jobs)
    with pytest.raises(ValueError, match="no job 7"):
        find_baseline("7", jobs)


@pytest.mark.parametrize("preset,plans", [("peak_staffing", 2), ("december", 3)])
def test_presets_are_sweeps_of_valid_plans(preset, plans):
    jobs = planned_jobs(compose_config([f"experiment={preset}"], hydra_config=True))
    assert jobs is not None and len(jobs) == plans
    hourly = [cashiers_by_hour(compose(*job)) for job in jobs]
    assert len({tuple(h) for h in hourly}) == plans
    assert compose(f"experiment={preset}").scenario == preset


def test_a_sweep_folder_is_named_after_its_scenario(tmp_path):
    done = subprocess.run([*STORESIM, "-m", "experiment=mmc", *SHORT_DAY, "staffing.cashiers=9,10",
                           "run.warmup_min=0"], capture_output=True, text=True, cwd=tmp_path, timeout=180)
    assert done.returncode == 0, done.stderr
    [folder] = list((tmp_path / "multirun").iterdir())
    assert folder.name == "mmc" and (next(folder.iterdir()) / "sweep_summary.csv").exists()


def test_sweep_tables_are_tidy_and_have_a_long_version(store_day_sweep):
    import pandas as pd

    wide = pd.read_csv(store_day_sweep / "sweep_summary.csv")
    numbers = [cell for row in csv.DictReader((store_day_sweep / "sweep_summary.csv").open())
               for key, cell in row.items() if key.endswith(("_mean", "_ci_low", "_ci_high")) and cell]
    assert numbers and not [c for c in numbers if c.endswith(".0")]  # integers as integers
    assert max(len(c.replace("-", "").replace(".", "").lstrip("0")) for c in numbers) <= 6  # 6 significant digits
    long = pd.read_csv(store_day_sweep / "sweep_summary_long.csv")
    assert list(long.columns[-4:]) == ["kpi", "mean", "ci_low", "ci_high"]
    assert len(long) == len(wide) * long["kpi"].nunique()
    row = long[(long["job"] == 0) & (long["kpi"] == "wait_mean")].iloc[0]
    assert row["mean"] == pytest.approx(wide.loc[wide["job"] == 0, "wait_mean_mean"].iloc[0])


def test_customer_records_are_kept_for_a_single_run_and_not_in_a_sweep_unless_asked(tmp_path):
    short = ("experiment=mmc", "run.replications=1", "run.horizon_min=100", "run.warmup_min=0")
    single = subprocess.run([*STORESIM, *short, f"hydra.run.dir={tmp_path / 'one'}"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=120)
    assert single.returncode == 0 and (tmp_path / "one" / "customers.csv").exists()
    for extra, kept in (((), False), (("output.customers=true",), True)):
        folder = tmp_path / f"sweep_{kept}"
        done = subprocess.run([*STORESIM, "-m", *short, "staffing.cashiers=9,10", *extra, f"hydra.sweep.dir={folder}"],
                              capture_output=True, text=True, cwd=tmp_path, timeout=180)
        assert done.returncode == 0, done.stderr
        assert (folder / "0" / "summary.json").exists() and (folder / "0" / "customers.csv").exists() == kept


@pytest.mark.parametrize("launcher", [[], ["hydra/launcher=joblib"]])
def test_a_sweep_shows_jobs_done_of_total_with_the_time_left(tmp_path, launcher):
    done = subprocess.run([*STORESIM, "-m", *launcher, "experiment=mmc", *SHORT_DAY, "staffing.cashiers=8,9,10",
                           "run.warmup_min=0", f"hydra.sweep.dir={tmp_path / 'sweep'}"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=180)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.startswith("jobs:")]
    assert all(line.count("jobs:") == 1 for line in lines), lines  # parallel jobs' lines do not run together
    assert len(lines) == 3 and all("<" in line for line in lines)  # one per job, each with elapsed<left
    counts = sorted(line.split()[2] for line in lines)  # parallel jobs finishing together may read the same count
    assert counts[-1] == "3/3" and all(c in ("1/3", "2/3", "3/3") for c in counts)
    # stdout holds only results: Hydra's own lines ("Launching 3 jobs") go to stderr with the progress
    assert "[HYDRA]" not in done.stdout and "Launching" in done.stderr


def test_a_sweep_piped_into_head_still_writes_every_job_and_its_tables(tmp_path):
    command = " ".join([*(f"'{w}'" for w in STORESIM), "-m", "experiment=mmc", *SHORT_DAY, "run.warmup_min=0",
                        "staffing.cashiers=8,9,10", f"hydra.sweep.dir={tmp_path / 'sweep'}", "| head -1"])
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, cwd=tmp_path,
                          timeout=180)
    assert "Traceback" not in done.stderr and "Logging error" not in done.stderr, done.stderr
    assert [r["status"] for r in rows(tmp_path / "sweep" / "sweep_summary.csv")] == ["ok"] * 3
    assert (tmp_path / "sweep" / "sweep_comparison.csv").exists()
