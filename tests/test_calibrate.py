"""``storesim-calibrate``: the round trip on the synthetic store, the replay, and bad data.

The example store (``analysis/calibration/example.py``) is drawn from known parameters;
calibrating it must give them back within the confidence intervals. The intervals are
95% ones; the round-trip checks share one 95% error budget, so each interval is widened
to level 1 - 0.05/k for the k checks (Bonferroni, normal approximation).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest
from scipy.special import ndtri

from storesim.analysis.calibration.example import (OPEN_HOURS, PROFILES, SATURATED, ExampleStore, generate,
                                                    write_example)
from storesim.analysis.calibration.hours import hourly_activity, with_clock
from storesim.analysis.calibration.service_regression import huber_line
from storesim.scenarios.calibrate_cli import main

STORE = ExampleStore()
CALIBRATE = [sys.executable, "-c", "from storesim.scenarios.calibrate_cli import main; main()"]
STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]


class Calibrated(NamedTuple):
    """The example store calibrated: its files' folder, the outputs' folder, ``calibration.json``
    as a dict, and what the command printed on stdout and stderr (not a terminal)."""

    folder: Path
    out: Path
    report: dict
    stdout: str
    stderr: str


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Calibrated:
    """The example store's files and its calibration."""
    folder = tmp_path_factory.mktemp("example")
    write_example(folder)
    out = folder / "calibrated"
    printed, errors = io.StringIO(), io.StringIO()
    with redirect_stdout(printed), redirect_stderr(errors):
        main(["--transactions", str(folder / "transactions.csv"), "--footfall", str(folder / "footfall.csv"),
              "--name", "example", "--out", str(out), "--replications", "10"])
    return Calibrated(folder, out, json.loads((out / "calibration.json").read_text()), printed.getvalue(),
                      errors.getvalue())


def _time_factor(folder) -> float:
    """Transaction-weighted mean time factor of the cashiers over ordinary transactions: the
    calibration's "average cashier" against the example's speed-1 cashier."""
    log = pd.read_csv(folder / "transactions.csv", usecols=["cashier", "exception"])
    shares = log.loc[log["exception"] == "none", "cashier"].value_counts(normalize=True)
    factors = {f"C{k + 1}": f for k, f in enumerate(STORE.time_factors)}
    return float(sum(share * factors[c] for c, share in shares.items()))


def _truths(folder, report) -> list[tuple[str, dict, float]]:
    """(what, estimate, true value) for every round-trip check."""
    factor = _time_factor(folder)
    service, customers, exceptions = report["service"], report["customers"], report["exceptions"]
    checks = [("service.fixed_min", service["fixed_min"], STORE.fixed_min * factor),
              ("service.per_item_min", service["per_item_min"], STORE.per_item_min * factor),
              ("service.cv", service["cv"], STORE.cv),
              ("basket mean", customers["basket_mean_items"], STORE.basket_mean_items),
              ("basket cv", customers["basket_cv"], STORE.basket_cv),
              ("value per item", customers["value_per_item"], STORE.price_mean)]
    for kind, (share, extra) in STORE.exceptions.items():
        key = "returns" if kind == "return" else kind
        checks += [(f"{key} share", exceptions[key]["share"], share),
                   (f"{key} extra", exceptions[key]["extra_min"], extra * factor)]
    for k, factor_c in enumerate(STORE.time_factors):
        checks.append((f"C{k + 1} speed", report["cashiers"][f"C{k + 1}"]["speed"], factor / factor_c))
    for kind, profile in report["arrivals"].items():
        disturbed = set(SATURATED[kind]) | {h + 1 for h in SATURATED[kind]}  # a saturated hour's backlog
        for hour in profile["hours"]:
            if hour["hour"] not in disturbed:
                true_rate = PROFILES[kind][hour["hour"] - OPEN_HOURS[kind][0]]
                checks += [(f"{kind} {hour['hour']}:00 rate", hour["transactions_per_hour"], true_rate),
                           (f"{kind} {hour['hour']}:00 conversion", hour["conversion"], STORE.conversion)]
    return checks


def _widened(estimate: dict, checks: int) -> tuple[float, float]:
    """The interval at level 1 - 0.05/checks instead of 0.95."""
    scale = float(ndtri(1 - 0.025 / checks) / ndtri(0.975))
    mid = estimate["estimate"]
    return mid - scale * (mid - estimate["ci_low"]), mid + scale * (estimate["ci_high"] - mid)


def test_round_trip_gives_back_the_known_parameters_within_their_intervals(example):
    folder, report = example.folder, example.report
    checks = _truths(folder, report)
    missed = []
    for what, estimate, truth in checks:
        low, high = _widened(estimate, len(checks))
        if not low <= truth <= high:
            missed.append(f"{what}: {truth:.4g} outside [{low:.4g}, {high:.4g}]")
    assert not missed, missed
    assert len(checks) > 60


def test_round_trip_chooses_the_family_the_data_came_from(example):
    service = example.report["service"]
    assert service["distribution"] == STORE.distribution
    aic = {name: fit["aic"] for name, fit in service["families"].items()}
    assert min(aic, key=aic.get) == "lognormal"
    assert service["families"]["lognormal"]["ks_statistic"] < service["families"]["gamma"]["ks_statistic"]


def test_saturated_hour_is_flagged_and_the_holiday_left_out(example):
    arrivals = example.report["arrivals"]
    assert {kind: p["saturated_hours"] for kind, p in arrivals.items()} == SATURATED
    weekday = arrivals["weekday"]
    assert [d["date"] for d in weekday["outlier_days"]] == [STORE.outlier_day]
    assert weekday["days"] == 5 * STORE.weeks - 1
    assert (arrivals["sunday"]["open_hour"], arrivals["sunday"]["close_hour"]) == OPEN_HOURS["sunday"]


def _agree(a: dict, b: dict) -> bool:
    """Two independent estimates agree: their difference lies in its approximate 95% interval."""
    half = np.hypot(a["ci_high"] - a["estimate"], b["ci_high"] - b["estimate"])
    return abs(a["estimate"] - b["estimate"]) <= half


def test_replay_simulates_the_observed_days(example):
    replay = example.report["replay"]
    daily = replay["daily"]
    assert _agree(daily["arrivals_simulated"], daily["transactions_observed"])
    assert _agree(daily["transactions_simulated"], daily["transactions_observed"])
    steady = [h for h in replay["hours"] if h["hour"] not in SATURATED["weekday"]]
    for metric in ("transactions", "busy_share", "service_mean", "service_p90"):
        agreeing = sum(_agree(h[metric]["observed"], h[metric]["simulated"]) for h in steady)
        assert agreeing >= len(steady) - 2, (metric, agreeing, len(steady))


def test_outputs_and_the_preset_runs_with_storesim(example, tmp_path):
    out, report = example.out, example.report
    figures = ["arrivals_by_hour.png", "service_residuals_qq.png", "basket_size.png", "replay.png"]
    assert report["figures"] == figures and all((out / f).stat().st_size > 10_000 for f in figures)
    preset = (out / "experiment" / "example.yaml").read_text()
    assert preset.startswith("# @package _global_\n")
    assert {p.name for p in (out / "experiment").iterdir()} == {"example.yaml", "example_saturday.yaml",
                                                                "example_sunday.yaml"}
    done = subprocess.run([*STORESIM, "--config-dir", str(out), "experiment=example_sunday", "run.replications=2",
                           f"hydra.run.dir={tmp_path / 'run'}"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["scenario"] == "example_sunday"
    assert summary["config"]["store"]["open_hour"] == 10 and summary["config"]["store"]["lanes"] == 4


def test_progress_of_the_fitting_and_the_replay_goes_to_stderr_with_done_of_total(example):
    lines = example.stderr.splitlines()
    fitting = [line for line in lines if line.startswith("fitting steps:")]
    replay = [line for line in lines if line.startswith("replay days:")]
    assert len(fitting) + len(replay) == len(lines), lines  # the example's data give no warnings
    assert "1/6" in fitting[0] and "6/6" in fitting[-1] and "<" in fitting[0]  # elapsed<left
    assert "1/10" in replay[0] and "10/10" in replay[-1]
    assert lines.index(fitting[-1]) < lines.index(replay[0])
    assert example.stdout.startswith("storesim-calibrate: ")
    assert "fitting steps" not in example.stdout and "replay days" not in example.stdout


@pytest.fixture(scope="module")
def small_log(example):
    """The example's first week: rows to spoil."""
    log = pd.read_csv(example.folder / "transactions.csv", dtype=str)
    return log[log["start"] < "2024-03-09"].reset_index(drop=True)


BAD = {
    "missing column": (lambda log: log.drop(columns=["end"]), "missing column 'end'"),
    "unparsable timestamp": (lambda log: log.assign(start=log["start"].mask(log.index.isin([4, 9]), "yesterday")),
                             "column 'start': not an ISO timestamp in 2 rows (line 6, 11)"),
    "end before start": (lambda log: log.assign(end=log["end"].mask(log.index == 7, "2024-03-03T09:00:00")),
                         "column 'end': end before start in 1 row (line 9)"),
    "negative items": (lambda log: log.assign(items=log["items"].mask(log.index.isin([2, 3, 30]), "-2")),
                       "column 'items': not a whole number >= 0 in 3 rows (line 4, 5, 32)"),
}


@pytest.mark.parametrize("problem", sorted(BAD))
def test_bad_data_names_file_column_and_lines_and_writes_nothing(small_log, tmp_path, capsys, problem):
    spoil, message = BAD[problem]
    path = tmp_path / "tx.csv"
    spoil(small_log).to_csv(path, index=False)
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as stop:
        main(["--transactions", str(path), "--name", "bad", "--out", str(out)])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"storesim-calibrate: error: {path}: {message}" in err, err
    assert not out.exists()


def test_bad_footfall_and_the_exit_code_of_the_command(small_log, tmp_path):
    small_log.to_csv(tmp_path / "tx.csv", index=False)
    (tmp_path / "doors.csv").write_text("date,hour,entries\n2024-03-04,8,30\n2024-03-04,25,10\n2024-03-04,9,-1\n")
    done = subprocess.run([*CALIBRATE, "--transactions", str(tmp_path / "tx.csv"), "--footfall",
                           str(tmp_path / "doors.csv"), "--name", "bad", "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"{tmp_path / 'doors.csv'}: column 'hour': not a clock hour 0-23 in 1 row (line 3)" in done.stderr
    assert f"{tmp_path / 'doors.csv'}: column 'entries': not a whole number >= 0 in 1 row (line 4)" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


def test_drop_bad_rows_skips_and_reports_them(small_log, tmp_path, capsys):
    spoiled = BAD["negative items"][0](BAD["end before start"][0](small_log))
    spoiled.to_csv(tmp_path / "tx.csv", index=False)
    out = tmp_path / "out"
    main(["--transactions", str(tmp_path / "tx.csv"), "--name", "kept", "--out", str(out), "--drop-bad-rows",
          "--replications", "2"])
    printed = capsys.readouterr().out
    assert f"dropped 4 of {len(small_log)} rows of {tmp_path / 'tx.csv'}" in printed
    assert f"transactions used of {len(small_log):,} rows, 4 bad rows dropped" in printed
    inputs = json.loads((out / "calibration.json").read_text())["inputs"]["transactions"]
    assert inputs["rows_dropped"] == 4 and inputs["rows_read"] == len(small_log)
    assert (out / "experiment" / "kept.yaml").exists()


def test_quiet_prints_no_progress(small_log, tmp_path, capsys):
    small_log.to_csv(tmp_path / "tx.csv", index=False)
    main(["--transactions", str(tmp_path / "tx.csv"), "--name", "q", "--out", str(tmp_path / "out"),
          "--replications", "2", "--quiet"])
    printed = capsys.readouterr()
    assert printed.err == "" and printed.out.startswith("storesim-calibrate: ")


def test_example_command_writes_the_three_files(tmp_path):
    done = subprocess.run([*CALIBRATE, "--example", str(tmp_path / "ex")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert {p.name for p in (tmp_path / "ex").iterdir()} == {"transactions.csv", "footfall.csv", "truth.json"}
    assert json.loads((tmp_path / "ex" / "truth.json").read_text())["fixed_min"] == STORE.fixed_min


def test_example_draws_service_times_with_the_models_distribution():
    """The example's ``distribution`` is the model's service-time family: with a deterministic
    one (and no exceptions, one cashier speed) every transaction lasts fixed + per item x items,
    up to the log's whole seconds."""
    store = ExampleStore(weeks=1, distribution="deterministic", exceptions={}, time_factors=(1.0,))
    log, _ = generate(store)
    minutes = (pd.to_datetime(log["end"]) - pd.to_datetime(log["start"])).dt.total_seconds() / 60
    expected = store.fixed_min + store.per_item_min * log["items"]
    assert len(log) > 1000 and np.abs(minutes - expected).max() <= 1 / 60 + 1e-9


def test_huber_line_shrugs_off_slow_outliers():
    rng = np.random.default_rng(1)
    items = rng.integers(1, 40, 5000).astype(float)
    times = (0.8 + 0.06 * items) * rng.lognormal(-0.5 * 0.2**2, 0.2, items.size)
    clean, _ = huber_line(items, times)
    times[:50] += 60.0  # 1% of transactions with a till left open for an hour
    spoiled, _ = huber_line(items, times)
    assert np.allclose(spoiled, clean, rtol=0.03)


def test_hourly_activity_splits_work_at_the_hour_and_counts_open_time():
    log = pd.DataFrame({"register": ["R1", "R1", "R2"],
                        "start": pd.to_datetime(["2024-03-04 09:50", "2024-03-04 10:05", "2024-03-04 10:30"]),
                        "end": pd.to_datetime(["2024-03-04 10:02", "2024-03-04 10:10", "2024-03-04 10:36"])})
    log["duration_min"] = (log["end"] - log["start"]).dt.total_seconds() / 60
    table = hourly_activity(with_clock(log)).set_index("hour")
    assert table.loc[10, "transactions"] == 2 and table.loc[9, "transactions"] == 1
    assert table.loc[10, "busy_min"] == pytest.approx(2 + 5 + 6)
    # R1 is open 10:00-10:10 (a 3-minute gap), R2 10:30-10:36: 16 register minutes.
    assert table.loc[10, "registers"] == pytest.approx(16 / 60)
