"""The printed table answers: waits, service level, abandonment, satisfaction, cost, standards."""

from __future__ import annotations

from hypothesis import given, strategies as st

from storesim.analysis.number_text import share_text
from storesim.scenarios.console import kpi_table
from storesim.scenarios.outputs import standards_met
from storesim.scenarios.runner import run_scenario

from .conftest import scenario

SHORT = ("run.replications=2", "run.horizon_min=180", "arrivals.rate_per_hour=[150,250,150]",
         "staffing.cashiers=5", "output.customers=false")


def _table(*overrides: str) -> str:
    result = run_scenario(scenario(*SHORT, *overrides))
    return kpi_table(result, standards_met(result))


def test_table_shows_satisfaction_costs_and_every_standard_with_units():
    table = _table("standards.min_csat=0.99", "standards.max_abandon_rate=0.5")
    for label in ("mean wait (min)", "served within 3 min (%)", "satisfied or delighted (%)", "delighted (%)",
                  "dissatisfied (%)", "total cost", "lost sales", "labour"):
        assert label in table, label
    standards = table.split("Service standards")[1].splitlines()[1:4]
    assert standards[0].startswith("  served within 3 min >= 80.0%:")
    assert standards[1].startswith("  satisfied or delighted >= 99.0%:") and standards[1].endswith("MISSED")
    assert standards[2].startswith("  left without being served <= 50.0%:") and standards[2].endswith(", met")


def test_keeping_customers_informed_visibly_changes_the_table():
    plain, informed = _table(), _table("satisfaction=informed")
    lines = lambda t: {line for line in t.splitlines() if "satisf" in line or "delighted" in line}
    assert lines(plain) != lines(informed)


@given(value=st.floats(0, 1), target=st.floats(0, 1))
def test_a_share_is_never_rounded_onto_its_target(value, target):
    """Property: a miss never reads as the target (79.96% is not shown as 80.0%), nor a pass."""
    shown, wanted = share_text(value, target, 1), share_text(target, target, 1)
    assert (shown == wanted) == (value == target)
    assert float(shown.rstrip("%")) / 100 == __import__("pytest").approx(value, abs=5e-3)


def test_progress_in_a_log_shows_done_of_total_and_the_time_left(tmp_path):
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "from storesim.scenarios.cli import main; main()",
                           "experiment=mmc", "run.replications=3", "run.horizon_min=200", "output.customers=false",
                           f"hydra.run.dir={tmp_path / 'run'}"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith("replications:") and "1/3" in lines[0] and "<" in lines[0]  # elapsed<left
    assert "3/3" in lines[-1]
    quiet = subprocess.run([sys.executable, "-c", "from storesim.scenarios.cli import main; main()",
                            "experiment=mmc", "run.replications=3", "run.horizon_min=200", "output.customers=false",
                            f"hydra.run.dir={tmp_path / 'quiet'}", "--quiet"], capture_output=True, text=True,
                           timeout=120)
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_progress_lines_are_at_most_every_few_seconds():
    import io

    from storesim.scenarios.console import ProgressBar

    out = io.StringIO()
    bar = ProgressBar(1000, stream=out, every_s=3600)
    for k in range(1, 1001):
        bar(k)
    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == ["replications"] * 2  # first and last


def test_a_progress_callback_counts_its_time_from_when_it_was_made(monkeypatch, capsys):
    """The bar appears at the first step, when the total is known; the time spent before that
    step counts (elapsed 10 s for 1 of 4 steps: 30 s left)."""
    from storesim.scenarios import console

    clock = [100.0]
    monkeypatch.setattr(console.time, "monotonic", lambda: clock[0])
    update = console.progress("steps")
    clock[0] = 110.0
    update(1, 4)
    assert "1/4 [00:10<00:30" in capsys.readouterr().err
    console.progress("steps", quiet=True)(1, 4)
    assert capsys.readouterr().err == ""


def test_a_feature_off_by_default_gets_its_row_only_when_turned_on():
    assert "switched lines" not in _table()
    assert "switched lines" in _table("queue.jockey_diff=2")
