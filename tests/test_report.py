"""The plan-comparison report: figures, the verdict, the KPI table, bad arguments, and the
page itself loaded in headless Chromium (Debian's ``chromium``, driven over the DevTools
pipe with the standard library only)."""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from storesim.analysis.report import build_report
from storesim.analysis.report.cost_service import pareto_front
from storesim.analysis.report.kpis import change
from storesim.analysis.report.runs import PlanRun, plan_names
from storesim.analysis.stats import paired_difference
from storesim.scenarios.sweep_jobs import Job

STORESIM = [sys.executable, "-c", "from storesim.scenarios.cli import main; main()"]
REPORT = [sys.executable, "-c", "from storesim.scenarios.report_cli import main; main()"]
ARTIFACTS = Path(__file__).parent / "artifacts"
PLANS = ("lean", "peak_all_lanes")
FIGURES = ("wait_ecdf", "day_profile", "satisfaction", "cost_vs_service", "staff_timeline_lean",
           "staff_timeline_peak_all_lanes")


def run(command: list[str], cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=timeout)


@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory) -> Path:
    """The store day under two plans, three replications each (same seeds)."""
    root = tmp_path_factory.mktemp("report")
    done = run([*STORESIM, "-m", "staffing=lean,peak_all_lanes", "run.replications=3",
                f"hydra.sweep.dir={root / 'sweep'}"], root)
    assert done.returncode == 0, done.stderr
    return root / "sweep"


@pytest.fixture(scope="module")
def report_cli(sweep_dir: Path) -> subprocess.CompletedProcess:
    done = run([*REPORT, str(sweep_dir)], sweep_dir.parent)
    assert done.returncode == 0, done.stderr
    return done


def test_report_writes_every_figure_as_png_and_svg(sweep_dir: Path, report_cli) -> None:
    out = sweep_dir / "report"
    for name in FIGURES:
        assert (out / f"{name}.png").stat().st_size > 10_000, name
        assert (out / f"{name}.svg").read_text().lstrip().startswith("<?xml"), name
    assert not (out / "sweep_heatmap.png").exists()  # one swept key: no heatmap
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len(FIGURES)
    assert "http://" not in page and "https://" not in page
    assert str(out / "report.html") in report_cli.stdout


def test_verdict_names_the_plans_and_uses_paired_intervals(sweep_dir: Path, report_cli) -> None:
    lead = report_cli.stdout.splitlines()[0]
    assert lead.startswith("Compared with lean, peak_all_lanes ")
    assert "evening p90 wait" in lead and "labour cost" in lead and "satisfaction" in lead and "95% CI" in lead
    report = build_report([sweep_dir])
    base, other = report.plans
    wait = change(other, base, "peak_wait_p90")
    assert wait.paired
    expected = paired_difference(other.job.per_replication("peak_wait_p90"), base.job.per_replication("peak_wait_p90"))
    assert wait.difference == expected
    assert f"from {base.kpi('peak_wait_p90'):.1f} to {other.kpi('peak_wait_p90'):.1f} minutes" in lead


def test_kpi_table_has_each_plan_with_its_interval_and_change(sweep_dir: Path, report_cli) -> None:
    page = (sweep_dir / "report" / "report.html").read_text()
    table = page[page.index('id="kpi-table"'):page.index("</table>", page.index('id="kpi-table"'))]
    assert "baseline" in table and all(plan in table for plan in PLANS)
    assert table.count("<tr><td>") >= 12  # one row per KPI
    assert "labour cost per day" in table and "customers served within 3 min" in table and "95% CI" in table


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="Debian's chromium is not installed (apt-get install -y chromium; .ci/run does it)")
def test_report_loads_in_headless_chromium(sweep_dir: Path, report_cli, tmp_path: Path) -> None:
    page = sweep_dir / "report" / "report.html"
    with Chromium(tmp_path / "profile") as browser:
        browser.open(page)
        images = browser.evaluate(
            "Promise.all([...document.images].map(i => i.decode().then("
            "() => [i.naturalWidth, i.naturalHeight], () => [0, 0])))")
        verdict = browser.evaluate("document.querySelector('#verdict').innerText")
        shot = browser.screenshot()
        problems, requests = browser.errors(), browser.requests()
    assert problems == []
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    assert len(images) == len(FIGURES) and all(w > 0 and h > 0 for w, h in images), images
    assert all(plan in verdict for plan in PLANS), verdict
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 50_000
    (tmp_path / "report.png").write_bytes(shot)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report_screenshot.png").write_bytes(shot)


def test_report_flag_draws_the_single_run_figures(tmp_path: Path) -> None:
    done = run([*STORESIM, "report=true", "run.replications=2", f"hydra.run.dir={tmp_path / 'run'}"], tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "run" / "report"
    assert f"report: {out / 'report.html'}" in done.stdout
    for name in ("wait_ecdf", "day_profile", "satisfaction", "cost_vs_service", "staff_timeline_store_day"):
        assert (out / f"{name}.png").exists() and (out / f"{name}.svg").exists(), name
    timeline = (tmp_path / "run" / "staff_timeline.csv").read_text().splitlines()
    assert timeline[0] == "replication,employee,state,start_min,end_min" and len(timeline) > 100
    html = (out / "report.html").read_text()
    assert "store_day serves" in html
    assert "dashed line joins" not in html  # one plan: no trade-off line is drawn, so none is named


def test_cost_figure_caption_names_only_what_is_drawn() -> None:
    from storesim.analysis.report.cost_service import caption

    assert "dashed line" in caption(dashed_front=True, standard=True)
    assert "dashed line" not in caption(dashed_front=False, standard=True)
    assert "green zone" not in caption(dashed_front=True, standard=False)


def test_two_numeric_axes_give_a_heatmap_and_missing_records_are_named(tmp_path: Path) -> None:
    short_day = ("run.replications=2", "run.horizon_min=120", "arrivals.rate_per_hour=150", "output.customers=false")
    done = run([*STORESIM, "-m", "staffing=lean", "staffing.cashiers=5,6", "store.express_lanes=1,2", *short_day,
                f"hydra.sweep.dir={tmp_path / 'sweep'}"], tmp_path)
    assert done.returncode == 0, done.stderr
    report = build_report([tmp_path / "sweep"], tmp_path / "out", baseline="cashiers=6 express_lanes=2")
    assert report.baseline.number == 3
    names = {f.png.name for f in report.figures}
    assert "sweep_heatmap.png" in names and "wait_ecdf.png" not in names
    assert any("No wait-time curve for any plan" in note for note in report.notes)
    assert "No wait-time curve" in report.html.read_text()


@pytest.mark.parametrize("case", ["missing", "empty", "not_a_run", "file", "baseline", "no_path"])
def test_bad_arguments_print_one_line_and_exit_2(case: str, sweep_dir: Path, report_cli, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "not_a_run").mkdir()
    (tmp_path / "not_a_run" / "notes.txt").write_text("hello")
    args = {"missing": [str(tmp_path / "nowhere")], "empty": [str(tmp_path / "empty")],
            "not_a_run": [str(tmp_path / "not_a_run")], "file": [str(sweep_dir / "0" / "summary.json")],
            "baseline": [str(sweep_dir), "--baseline", "plan_z"], "no_path": []}[case]
    done = run([*REPORT, *args], tmp_path)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("storesim-report: error: "), done.stderr
    if case == "baseline":
        assert "lean" in lines[0] and "peak_all_lanes" in lines[0]


def _job(num: int, overrides: list[str], **kpis: float) -> Job:
    summary = {"seed": 1, "replications": 2, "config": {"standards": {"service_level": 0.8, "target_wait_min": 3}},
               "kpis": {k: {"mean": v, "ci_low": v, "ci_high": v} for k, v in kpis.items()}}
    return Job(num, overrides, Path(f"/runs/{num}"), "ok", summary)


def test_plan_names_come_from_what_sets_the_plans_apart() -> None:
    assert plan_names([_job(0, ["staffing=lean", "hydra.run.dir=a"]), _job(1, ["staffing=default", "hydra.run.dir=b"])]) \
        == ["lean", "default"]
    assert plan_names([_job(0, ["staffing.cashiers=6", "x=1"]), _job(1, ["staffing.cashiers=7", "x=1"])]) \
        == ["cashiers=6", "cashiers=7"]
    assert plan_names([_job(0, ["a.n=1", "b.n=2"]), _job(1, ["a.n=2", "b.n=2"]), _job(2, ["a.n=2", "b.n=3"])]) \
        == ["a.n=1 b.n=2", "a.n=2 b.n=2", "a.n=2 b.n=3"]


def test_pareto_front_keeps_the_plans_nothing_beats_on_both_counts() -> None:
    plans = [PlanRun(_job(i, [f"p={i}"], service_level=sl, total_cost=cost), i)
             for i, (sl, cost) in enumerate([(0.6, 100.0), (0.7, 120.0), (0.65, 130.0), (0.9, 200.0), (0.9, 250.0)])]
    assert [p.number for p in pareto_front(plans)] == [0, 1, 3]


class Chromium:
    """Headless Chromium over ``--remote-debugging-pipe``: JSON messages ending in NUL, commands
    on the child's fd 3, replies and events on its fd 4."""

    def __init__(self, profile: Path, timeout: float = 30.0) -> None:
        self.profile, self.timeout = profile, timeout
        self.events: list[dict[str, Any]] = []
        self._buffer, self._next_id, self.session = b"", 0, None

    def __enter__(self) -> Chromium:
        to_child, self._commands = os.pipe()
        self._replies, from_child = os.pipe()

        def wire() -> None:
            os.dup2(to_child, 3)
            os.dup2(from_child, 4)

        self._log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [shutil.which("chromium"), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--remote-debugging-pipe",
             f"--user-data-dir={self.profile}", "--window-size=1280,900", "about:blank"],
            pass_fds=(3, 4), preexec_fn=wire, stdout=subprocess.DEVNULL, stderr=self._log)
        os.close(to_child)
        os.close(from_child)
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.session = None
            self.send("Browser.close")
            self.process.wait(10)
        except (OSError, TimeoutError, subprocess.TimeoutExpired):
            self.process.kill()
        finally:
            os.close(self._commands)
            os.close(self._replies)
            self._log.close()

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Send a command and wait for its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if self.session:
            message["sessionId"] = self.session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        reply = self._wait(lambda m: m.get("id") == self._next_id)
        assert "error" not in reply, reply
        return reply.get("result", {})

    def _wait(self, wanted) -> dict[str, Any]:
        deadline = time.monotonic() + self.timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                message = json.loads(raw)
                if wanted(message):
                    return message
                self.events.append(message)
            if time.monotonic() > deadline:
                self._log.seek(0)
                raise TimeoutError(f"chromium did not answer; its log: {self._log.read()[-2000:]!r}")
            if select.select([self._replies], [], [], 0.5)[0]:
                chunk = os.read(self._replies, 1 << 20)
                if not chunk:
                    raise EOFError("chromium closed the DevTools pipe")
                self._buffer += chunk

    def open(self, page: Path) -> None:
        """Navigate to ``page`` and wait until it has loaded."""
        self.send("Page.navigate", url=page.resolve().as_uri())
        if not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self._wait(lambda m: m.get("method") == "Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (awaited if it is a promise)."""
        result = self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in result, result
        return result["result"].get("value")

    def screenshot(self) -> bytes:
        """The whole page as a PNG."""
        size = self.send("Page.getLayoutMetrics")["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        return base64.b64decode(self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True,
                                          clip=clip)["data"])

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries seen so far."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(f"console: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params.get('exceptionDetails')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(f"log: {params['entry'].get('text')}")
        return found

    def requests(self) -> list[str]:
        """Every URL the page asked for."""
        return [e["params"]["request"]["url"] for e in self.events if e.get("method") == "Network.requestWillBeSent"]
