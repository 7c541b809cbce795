"""Teaching demos (``storesim-demo``): theory overlays agree with the simulated points, and
each demo's claim holds, on ``--quick`` runs.

Where one test makes k interval checks they share a 95% error budget: each interval has
level 1 - 0.05/k (Bonferroni).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from storesim.analysis.animation import lane_spells
from storesim.analysis.demos import DEMOS
from storesim.scenarios.demo_cli import demo_context, simulate
from storesim.analysis.stats import paired_difference, t_interval

LESSON = ["utilization", "pooling", "variability", "peak_lag", "abandonment", "littles_law", "cross_training",
          "empowerment", "hiring", "learning_sensitivity", "satisfaction_sensitivity", "animate"]
DEMO_CLI = [sys.executable, "-c", "from storesim.scenarios.demo_cli import main; main()"]


def bonferroni(k: int) -> float:
    return 1 - 0.05 / k


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """Every registered demo, run once at --quick size."""
    context = demo_context(tmp_path_factory.mktemp("demos"), quick=True, jobs=2)
    return {name: demo.run(context) for name, demo in DEMOS.items()}


def test_every_demo_is_registered_in_lesson_order_and_writes_its_figure(results):
    assert list(DEMOS) == LESSON
    for name, result in results.items():
        assert result.figure.exists() and result.figure.stem == name
        assert len(result.explanation) == 3 and all(line.strip() for line in result.explanation)
        with Image.open(result.figure) as image:
            assert image.size[0] > 400 and image.size[1] > 300


def test_utilization_points_agree_with_erlang_c(results):
    points = results["utilization"].data["points"]
    level = bonferroni(len(points))
    for p in points:
        ci = t_interval(p.waits, level)
        assert ci.ci_low <= p.theory_wait <= ci.ci_high, (p.servers, p.load, ci, p.theory_wait)


def test_satisfaction_sensitivity_pooled_line_satisfies_more_under_the_defaults(results):
    runs = results["satisfaction_sensitivity"].data["runs"]
    assert runs.differences["defaults"]["csat"].ci_low > 0  # no overtakes, shorter waits
    costly, free = (runs.differences[k]["csat"].mean for k in ("overtakes cost 0.3 points", "no cost of being overtaken"))
    assert costly > free  # the gap grows with the cost of being overtaken


def test_learning_sensitivity_moves_the_early_speed_gap_with_the_curve(results):
    """On the first day the friendly hires are slower by more the slower they learn (learning
    rate 0.95 > 0.8 > 0.7) and the slower they start (40% > 60% > 80%): the paired intervals of
    neighbouring settings do not overlap (same seeds, so the ordering is the curve's)."""
    from storesim.analysis.demos.learning import DEFAULTS

    runs = results["learning_sensitivity"].data["runs"]
    first = runs.days[0]
    gap = lambda label: runs.differences[label][first]["service_time_mean"]
    for slower, faster in (("learning rate 0.95 (slow)", DEFAULTS), (DEFAULTS, "learning rate 0.7 (fast)"),
                           ("friendly start at 40%", DEFAULTS), (DEFAULTS, "friendly start at 80%")):
        assert gap(slower).ci_low > gap(faster).ci_high, (slower, faster)
    assert gap("learning rate 0.7 (fast)").ci_low > 0  # even fast learners are slower on day one
    # With practice the gap narrows under the defaults.
    assert runs.differences[DEFAULTS][runs.days[-1]]["service_time_mean"].mean < gap(DEFAULTS).mean
    # The explanation's numbers are the defaults'.
    assert f"{gap(DEFAULTS).mean:+.2f}" in results["learning_sensitivity"].explanation[2]


def test_abandonment_points_agree_with_erlang_a(results):
    points = results["abandonment"].data["points"]
    level = bonferroni(2 * len(points))
    for p in points:
        left, wait = t_interval(p.abandon_rates, level), t_interval(p.waits, level)
        assert left.ci_low <= p.theory.abandon_prob <= left.ci_high, (p.patience_min, left, p.theory)
        assert wait.ci_low <= p.theory.wait_mean_served <= wait.ci_high, (p.patience_min, wait, p.theory)


def test_littles_law_holds_in_every_run_and_within_each_scenarios_interval(results):
    runs = results["littles_law"].data["runs"]
    scenarios = sorted({r.scenario for r in runs})
    assert len(scenarios) >= 5
    level = bonferroni(len(scenarios))
    for name in scenarios:
        mine = [r for r in runs if r.scenario == name]
        ci = t_interval([r.line_len for r in mine], level)
        assert ci.ci_low <= np.mean([r.rate_times_wait for r in mine]) <= ci.ci_high, (name, ci)
    for r in runs:  # over a window that starts and ends empty, L = λW on every sample path
        assert r.line_len == pytest.approx(r.rate_times_wait, rel=1e-9), r


def test_pooled_line_waits_less_than_a_line_per_lane(results):
    runs = results["pooling"].data["runs"]
    level = bonferroni(2)
    for kpi in ("wait_mean", "wait_p90"):
        diff = paired_difference(runs.kpis["single_line"][kpi], runs.kpis["per_lane"][kpi], level)
        assert diff.ci_high < 0, (kpi, diff)
    assert np.mean(runs.waits["single_line"]) < np.mean(runs.waits["per_lane"])


def test_waits_rise_with_service_variability_and_exponential_service_matches_erlang_c(results):
    points = sorted(results["variability"].data["points"], key=lambda p: p.cv)
    assert [p.cv for p in points] == [0.0, 1.0, 2.0]
    level = bonferroni(len(points))  # two rises and one theory check
    for low, high in zip(points, points[1:]):
        rise = paired_difference(high.waits, low.waits, level)
        assert rise.ci_low > 0, (low.cv, high.cv, rise)
    exponential = t_interval(points[1].waits, level)  # CV 1: M/M/c, where Allen-Cunneen is Erlang C
    assert exponential.ci_low <= points[1].approximation <= exponential.ci_high


def test_line_peaks_after_the_arrivals_and_hourly_erlang_c_misjudges_the_hour_after(results):
    day = results["peak_lag"].data["day"]
    flat = day.plans["flat"]
    level = bonferroni(2)
    lag = t_interval(flat.centre_lag_min, level)
    assert lag.ci_low > 0, lag
    assert flat.line_peak_min > (day.busiest_hour + 0.5) * 60  # after the middle of the busiest hour
    after = day.busiest_hour + 1
    assert flat.hourly_level(after, level).ci_high < day.promise("flat", after)
    assert day.plans["hour_by_hour"].cashiers[day.busiest_hour] > day.plans["hour_by_hour"].cashiers[0]


def test_cross_training_lowers_peak_waits_and_slows_floor_help(results):
    comparison = results["cross_training"].data["comparison"]
    level = bonferroni(2)
    peak = paired_difference(comparison.kpis["threshold"]["peak_wait_mean"], comparison.kpis["none"]["peak_wait_mean"],
                             level)
    floor = paired_difference(comparison.kpis["threshold"]["floor_wait_mean"],
                              comparison.kpis["none"]["floor_wait_mean"], level)
    assert peak.ci_high < 0, peak
    assert floor.ci_low > 0, floor


def test_empowered_cashiers_cut_holds_and_waits_behind_exceptions_but_make_wrong_decisions(results):
    comparison = results["empowerment"].data["comparison"]
    level = bonferroni(4)
    change = {kpi: paired_difference(comparison.kpis["empowered"][kpi], comparison.kpis["manager_approval"][kpi],
                                     level)
              for kpi in ("hold_time_mean", "wait_behind_exception_mean", "exceptions_wrong_share", "csat")}
    assert change["hold_time_mean"].ci_high < 0, change
    assert change["wait_behind_exception_mean"].ci_high < 0, change
    assert change["exceptions_wrong_share"].ci_low > 0, change
    assert max(comparison.kpis["manager_approval"]["exceptions_wrong_share"]) == 0
    assert change["csat"].ci_low > 0, change


def test_friendly_hires_are_more_courteous_and_slower_early_and_the_speed_gap_shrinks(results):
    data = results["hiring"].data
    sweep, early, later = data["sweep"], data["early"], data["later"]
    assert early <= 14 and later >= 180
    level = bonferroni(4)
    for days in (early, later):
        courtesy = t_interval(sweep.gap(days, "courtesy_mean"), level)
        assert courtesy.ci_low > 0.2, (days, courtesy)
    slower = t_interval(sweep.gap(early, "service_time_mean"), level)
    assert slower.ci_low > 0, slower
    shrinks = paired_difference(sweep.gap(early, "service_time_mean"), sweep.gap(later, "service_time_mean"), level)
    assert shrinks.ci_low > 0, shrinks


def test_animation_is_a_gif_of_several_frames(results):
    result = results["animate"]
    with Image.open(result.figure) as gif:
        assert gif.format == "GIF" and gif.n_frames == len(result.data["scene"].times) > 1


def test_the_animations_lanes_are_each_held_by_one_employee_at_a_time():
    from storesim.analysis.demos.animate import OVERRIDES

    rep = simulate(OVERRIDES).replications[0]
    spells = lane_spells(rep.staff_timeline, rep.customers, lanes=10)
    assert spells and all(0 <= s.lane < 10 and s.start < s.end for s in spells)
    for a in spells:
        for b in spells:
            if a is not b and a.lane == b.lane:
                assert a.end <= b.start or b.end <= a.start, (a, b)


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([*DEMO_CLI, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def test_cli_lists_the_demos():
    done = run_cli("--list")
    assert done.returncode == 0, done.stderr
    assert [line.split()[0] for line in done.stdout.splitlines()] == LESSON


def test_cli_runs_a_demo_into_the_out_folder_with_progress_on_stderr(tmp_path):
    done = run_cli("cross_training", "--quick", "--out", str(tmp_path / "figs"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "figs" / "cross_training.png").stat().st_size > 0
    printed = done.stdout.splitlines()
    assert printed[0].startswith("cross_training: ") and len(printed) == 4
    assert all(line.startswith("  ") for line in printed[1:])
    progress = done.stderr.splitlines()  # stderr is not a terminal: done/total lines
    assert progress and all(line.startswith("cross_training replications:") for line in progress), progress
    assert "1/20" in progress[0] and "<" in progress[0] and "20/20" in progress[-1]  # both plans, 10 days each


def test_cli_quiet_prints_no_progress_and_otherwise_the_animation_counts_its_frames(tmp_path):
    done = run_cli("animate", "--quick", "--quiet", "--out", str(tmp_path / "quiet"))
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("animate: ")
    done = run_cli("animate", "--quick", "--out", str(tmp_path / "shown"))
    frames = [line for line in done.stderr.splitlines() if line.startswith("animation frames:")]
    assert done.returncode == 0 and frames and "6/6" in frames[-1], done.stderr


@pytest.mark.parametrize("args,names", [
    (["nosuch"], ["nosuch", "utilization", "animate", "all"]),
    ([], ["utilization", "--list"]),
    (["pooling", "--out", "{file}/sub"], ["--out", "sub"]),
    (["pooling", "--out", "{file}"], ["--out", "is a file"]),
    (["pooling", "--jobs", "0"], ["--jobs", ">= 1"]),
    (["pooling", "--colour"], ["--colour", "--quick"]),
])
def test_cli_bad_arguments_give_one_line_and_exit_2(tmp_path, args, names):
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    done = run_cli(*[a.format(file=a_file) for a in args], cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("storesim-demo: error: "), done.stderr
    assert all(name in lines[0] for name in names), lines[0]
    assert "Traceback" not in done.stderr and not (tmp_path / "demo_output").exists()
