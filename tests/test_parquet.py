"""``output.format=parquet``: a run's tables as Parquet files, holding what the CSV files hold.

The same seed gives the same tables in either format (pandas reads them back equal, with the
same dtypes); every reader (``run_folder.read_table``, the report) takes either; a finished
Parquet job of a sweep is trusted on resume and a truncated one is run again; without
pyarrow, ``output.format=parquet`` stops before any simulation with one line.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, strategies as st

from storesim.analysis.report.runs import ReportInputError, load_plans
from storesim.analysis.run_folder import (CUSTOMERS, STAFF_SCORECARD, STAFF_TIMELINE, TABLES, TIMESERIES, WEEKS, DamagedFile,
                                          NeedsPyarrow, find_table, read_table, table_file, unfinished)
from storesim.scenarios.compose import compose, compose_config
from storesim.scenarios.config import ConfigError
from storesim.scenarios.outputs import rounded, write_outputs
from storesim.scenarios.runner import run_scenario
from storesim.scenarios.sweep_job import run_sweep_job

needs_pyarrow = pytest.mark.skipif(importlib.util.find_spec("pyarrow") is None,
                                   reason='needs pyarrow: pip install -e ".[dev]"')

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]
REPORT = [sys.executable, "-c", "from storesim.scenarios.report_cli import main; main()"]
WITHOUT_PYARROW = [sys.executable, "-c", "import sys; sys.modules['pyarrow'] = None\n"
                   "from storesim.scenarios.cli import main; main()"]
DAY = ("run.replications=2", "output.customers=true")  # the default day: reneging, so NaN service times
SHORT = ("experiment=mmc", "run.horizon_min=100", "run.replications=2", "run.warmup_min=0")
TEXT = {TIMESERIES: ("clock",), CUSTOMERS: ("outcome", "exception"), STAFF_TIMELINE: ("employee", "state"),
        STAFF_SCORECARD: ("employee", "role")}

DAY_TABLES = tuple(table for table in TABLES if table != WEEKS)
"""The tables of a single-day run (weeks.csv comes with run.days > 1: tests/test_days.py)."""


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    """The default day (two replications, records kept) run twice with the same seed, once
    written as CSV and once as Parquet: ``{"csv": folder, "parquet": folder}``."""
    root = tmp_path_factory.mktemp("formats")
    written = {}
    for fmt in ("csv", "parquet"):
        write_outputs(root / fmt, run_scenario(compose(*DAY, f"output.format={fmt}")))
        written[fmt] = root / fmt
    return written


@needs_pyarrow
def test_the_same_seed_gives_equal_tables_in_either_format(folders):
    for table in DAY_TABLES:
        from_csv = pd.read_csv(folders["csv"] / table_file(table, "csv"), keep_default_na=False, na_values=[""])
        from_parquet = pd.read_parquet(folders["parquet"] / table_file(table, "parquet"))
        pd.testing.assert_frame_equal(from_parquet, from_csv, check_exact=True)
        for name, dtype in from_parquet.dtypes.items():
            expected = "text" if name in TEXT[table] else "whole" if name in (
                "replication", "customer_id", "items", "lane", "segment", "moves", "kiosk", "transactions",
                "decisions", "decisions_right") else "number"
            found = ("text" if pd.api.types.is_string_dtype(dtype) else
                     "whole" if pd.api.types.is_integer_dtype(dtype) else "number" if dtype == np.float64 else dtype)
            assert found == expected, (table, name, dtype)
    customers = pd.read_parquet(folders["parquet"] / "customers.parquet")
    assert customers["service_min"].isna().any() and set(customers["replication"]) == {0, 1}  # NaN kept as NaN


@needs_pyarrow
def test_a_parquet_run_folder_holds_only_parquet_tables_sealed_by_its_manifest(folders):
    folder = folders["parquet"]
    assert sorted(p.name for p in folder.iterdir()) == [
        "customers.parquet", "manifest.json", "staff_scorecard.parquet", "staff_timeline.parquet", "summary.json",
        "timeseries.parquet"]
    assert unfinished(folder) is None
    listed = json.loads((folder / "manifest.json").read_text())["files"]
    assert set(listed) == {"customers.parquet", "staff_scorecard.parquet", "staff_timeline.parquet", "summary.json", "timeseries.parquet"}
    assert json.loads((folder / "summary.json").read_text())["config"]["output"]["format"] == "parquet"


@needs_pyarrow
def test_read_table_reads_either_format_alike(folders):
    for table in DAY_TABLES:
        paths = {fmt: find_table(folder, table) for fmt, folder in folders.items()}
        assert paths == {fmt: folders[fmt] / table_file(table, fmt) for fmt in folders}
        csv, parquet = (read_table(paths[fmt], text=TEXT[table]) for fmt in ("csv", "parquet"))
        assert list(parquet) == list(csv)
        for name in csv:
            assert parquet[name].dtype == csv[name].dtype
            np.testing.assert_array_equal(parquet[name], csv[name])
    only = read_table(find_table(folders["parquet"], CUSTOMERS), columns=("wait_min", "outcome", "nothing"),
                      text=("outcome",))
    assert list(only) == ["outcome", "wait_min"]  # the file's order, as for CSV
    assert find_table(folders["parquet"], "nothing") is None and read_table(None) == {}


@needs_pyarrow
def test_writing_parquet_over_a_csv_run_leaves_no_csv_table(folders, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(folders["csv"], folder)
    write_outputs(folder, run_scenario(compose("run.replications=1", "output.customers=false",
                                               "output.format=parquet")))
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.json", "summary.json", "timeseries.parquet"]


@needs_pyarrow
def test_the_report_reads_a_parquet_run_as_it_reads_the_csv_run(folders):
    """The report's figures and tables draw on these three readings of a run (its drawing is
    tested on CSV runs in test_report.py; a Parquet sweep's report is drawn below)."""
    (csv_plan,), _ = load_plans([folders["csv"]])
    (parquet_plan,), _ = load_plans([folders["parquet"]])
    for what in ("timeseries", "customers", "staff_timeline"):
        mine, theirs = getattr(parquet_plan, what), getattr(csv_plan, what)
        assert mine and list(mine) == list(theirs), what
        for name in mine:
            np.testing.assert_array_equal(mine[name], theirs[name])


@needs_pyarrow
def test_a_parquet_sweep_keeps_csv_sweep_tables_and_storesim_report_reads_it(tmp_path):
    sweep_dir = tmp_path / "sweep"
    done = run([*STORESIM, "-m", f"hydra.sweep.dir={sweep_dir}", *SHORT, "output.customers=true",
                "output.format=parquet", "staffing.cashiers=1,2"], tmp_path)
    assert done.returncode == 0, done.stderr
    tables = sorted(p.relative_to(sweep_dir).as_posix() for p in sweep_dir.rglob("*.*") if p.suffix in (".csv", ".parquet"))
    assert [t for t in tables if "/" in t] == [f"{job}/{table}.parquet" for job in (0, 1)
                                               for table in ("customers", "staff_scorecard", "staff_timeline", "timeseries")]
    assert "sweep_summary.csv" in tables  # the sweep's own tables stay CSV
    report = run([*REPORT, str(sweep_dir)], tmp_path)
    assert report.returncode == 0, report.stderr
    figures = {p.name for p in (sweep_dir / "report").glob("*.png")}
    assert {"wait_ecdf.png", "day_profile.png", "staff_timeline_cashiers_1.png"} <= figures, figures


@needs_pyarrow
def test_a_finished_parquet_job_is_trusted_and_a_truncated_one_run_again(tmp_path, monkeypatch):
    cfg = compose_config([*SHORT, "output.customers=true", "output.format=parquet"])
    assert run_sweep_job(cfg, tmp_path, []) == "ok"
    customers = tmp_path / "customers.parquet"
    whole = customers.read_bytes()

    def never(*args, **kwargs):
        pytest.fail("a finished job ran again")

    with monkeypatch.context() as patch:
        patch.setattr("storesim.scenarios.sweep_job.run_scenario", never)
        assert run_sweep_job(cfg, tmp_path, []) == "skipped"

    customers.write_bytes(whole[: len(whole) // 2])
    assert "customers.parquet differs" in unfinished(tmp_path)
    with pytest.raises(DamagedFile, match=r"customers\.parquet: truncated or damaged"):
        read_table(customers)
    (plan,), _ = load_plans([tmp_path])
    with pytest.raises(ReportInputError, match="run the scenario again"):
        plan.customers
    assert run_sweep_job(cfg, tmp_path, []) == "ok"  # run again, not skipped
    assert customers.read_bytes() == whole and unfinished(tmp_path) is None


def python_round(values: list[float]) -> list[float]:
    return [round(v, 6) if np.isfinite(v) else np.nan for v in values]


# Halfway between two multiples of 10**-6, and the floats just beside: where a float product
# rounds differently from the exact one.
near_halves = st.tuples(st.integers(-10**12, 10**12), st.integers(-2, 2)).map(
    lambda pair: float(np.nextafter((pair[0] + 0.5) / 1e6, np.inf * pair[1]) if pair[1] else (pair[0] + 0.5) / 1e6))


@given(st.lists(st.floats(allow_nan=True, allow_infinity=True) | near_halves, max_size=50))
def test_the_vectorised_rounding_is_pythons_round(values):
    """Both formats hold ``round(v, 6)`` (the CSV's text is its repr); ``rounded`` computes it for
    a whole column at once and must agree with it bit for bit, the sign of zero included."""
    assert list(map(repr, rounded(np.array(values, dtype=float)).tolist())) == list(map(repr, python_round(values)))


def test_the_vectorised_rounding_is_pythons_round_on_a_days_times():
    times = np.random.default_rng(7).uniform(0, 24 * 60, 200_000)
    assert rounded(times).tolist() == python_round(times.tolist())


def test_an_unknown_format_is_one_line_naming_the_key():
    with pytest.raises(ConfigError) as caught:
        compose("output.format=xlsx")
    assert str(caught.value) == "output.format: must be one of csv, parquet, got 'xlsx'"


def test_without_pyarrow_parquet_stops_before_any_simulation_naming_the_fix(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow now fails
    with pytest.raises(ConfigError) as caught:
        compose("output.format=parquet")
    assert str(caught.value) == ('output.format: Parquet tables need pyarrow, which is not installed; '
                                 'pip install "storesim[parquet]" (or write CSV: output.format=csv)')
    assert compose("output.format=csv").output.format == "csv"

    done = run([*WITHOUT_PYARROW, "output.format=parquet", f"hydra.run.dir={tmp_path / 'run'}"], tmp_path)
    assert done.returncode == 2 and done.stderr == f"storesim: error: {caught.value}\n", done.stderr
    assert not (tmp_path / "run").exists()
    sweep = run([*WITHOUT_PYARROW, "-m", *SHORT, "output.format=parquet", "staffing.cashiers=1,2",
                 f"hydra.sweep.dir={tmp_path / 'sweep'}"], tmp_path)
    assert sweep.returncode == 2 and sweep.stderr == f"storesim: error: {caught.value}\n", sweep.stderr
    assert not (tmp_path / "sweep").exists()


@needs_pyarrow
def test_reading_a_parquet_table_without_pyarrow_says_how_to_install_it(folders, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    path = folders["parquet"] / "timeseries.parquet"
    with pytest.raises(NeedsPyarrow, match=r'timeseries\.parquet: .*pip install "storesim\[parquet\]"'):
        read_table(path)
    (plan,), _ = load_plans([folders["parquet"]])
    with pytest.raises(ReportInputError, match=r'pip install "storesim\[parquet\]"'):
        plan.timeseries
