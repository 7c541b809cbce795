"""Self-checkout in what a user sees (issue 18): the report of the ``experiment=self_checkout``
sweep shows waits per channel, the kiosks and the staff at them in the day profile, the
attendants in the staff timeline and the plan labels, and loads in headless Chromium; the
animation draws the kiosk bank."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from storesim.analysis.animation import checkout_scene, render_gif
from storesim.analysis.report import build_report
from storesim.analysis.report.figures import slug
from storesim.scenarios.report_cli import recorded_parameters
from storesim.sim.store import run_replication

from .browser import load_report, needs_chromium
from .conftest import scenario

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]


@pytest.fixture(scope="module")
def kiosk_report(tmp_path_factory):
    root = tmp_path_factory.mktemp("kiosk_report")
    done = subprocess.run([*STORESIM, "-m", "experiment=self_checkout", "run.replications=3", "output.customers=true",
                           f"hydra.sweep.dir={root / 'sweep'}"], capture_output=True, text=True, cwd=root, timeout=300)
    assert done.returncode == 0, done.stderr
    return build_report([root / "sweep"], parameters_of=recorded_parameters)


def test_the_report_shows_waits_per_channel_and_the_kiosks(kiosk_report):
    page = kiosk_report.html.read_text()
    table = page[page.index('id="kpi-table"'):page.index("</table>", page.index('id="kpi-table"'))]
    rows = re.findall(r"<tr><td>(.*?)</td>", table)
    assert "average wait for a staffed lane (self-checkout customers apart)" in rows
    assert "average wait for a self-checkout kiosk" in rows
    base, kiosks = kiosk_report.plans
    assert base.label == "self_checkout=none (87 cashier-hours)"  # "none" alone would read as no plan
    assert kiosks.label == "six_kiosks_two_cashiers_fewer (59 cashier-hours, 14 attendant-hours)"
    figures = {f.png.stem: f for f in kiosk_report.figures}
    assert "kiosks in use (dashed)" in figures["day_profile"].how_to_read
    timeline = figures["staff_timeline_six_kiosks_two_cashiers_fewer"]
    assert "A: self-checkout attendants" in timeline.how_to_read
    assert "at the kiosks" not in figures[f"staff_timeline_{slug(base.name)}"].how_to_read
    assert "A1" in set(kiosks.staff_timeline["employee"]) and "A1" not in set(base.staff_timeline["employee"])
    assert "kiosks_busy_mean" in kiosks.timeseries and "kiosks_busy_mean" not in base.timeseries


@needs_chromium
def test_the_kiosk_report_loads_in_headless_chromium(kiosk_report):
    seen = load_report(kiosk_report.html, "#kpi-table")
    problems, images, table = seen.problems, seen.images, seen.texts["#kpi-table"]
    assert problems == []
    assert len(images) == len(kiosk_report.figures) and all(w > 0 and h > 0 for w, h in images), images
    assert "average wait for a staffed lane" in table and "average wait for a self-checkout kiosk" in table


def test_the_animation_draws_the_kiosk_bank(tmp_path: Path):
    params = scenario("self_checkout=six_kiosks", "run.replications=1", "output.customers=true")
    rep = run_replication(params, 2)
    store = params.store
    times = np.linspace(540.0, 600.0, 5)
    scene = checkout_scene(rep, store.open_hour, store.lanes, store.express_lanes, times, store.self_checkout_kiosks)
    c = rep.customers
    kiosk = (c["kiosk"] == 1) & (c["outcome"] == "served")
    started = c["arrived_at_min"] + c["wait_min"]
    for frame, t in enumerate(times):
        assert scene.kiosk_busy[frame] == (kiosk & (started <= t) & (t < c["left_at_min"])).sum() <= 6
    assert scene.kiosk_busy.sum() > 0 and scene.attendants == frozenset({"A1"})
    assert render_gif(scene, tmp_path / "kiosks.gif", fps=2, dpi=40).stat().st_size > 0
    plain = checkout_scene(run_replication(scenario("run.replications=1", "output.customers=true"), 2),
                           store.open_hour, store.lanes, store.express_lanes, times)
    assert plain.kiosks == 0 and not plain.attendants
