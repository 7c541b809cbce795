"""The plan-comparison report: figures, the verdict, the KPI table, escaping, bad arguments,
and the page itself loaded in headless Chromium (Debian's ``chromium``, driven by Playwright
through its ``executable_path``: no browser is downloaded)."""

from __future__ import annotations

import json
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from storesim.analysis.report import build_report
from storesim.analysis.report.cost_service import pareto_front
from storesim.analysis.report.kpis import change
from storesim.analysis.report.runs import PlanRun, plan_names
from storesim.analysis.run_folder import Job
from storesim.analysis.stats import paired_difference
from storesim.scenarios.report_cli import recorded_parameters

from .browser import load_report, needs_chromium

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
    done = run([*STORESIM, "-m", "staffing=lean,peak_all_lanes", "run.replications=3", "output.customers=true",
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
    assert not (out / "sweep_curves.png").exists()  # nor curves: it is not numeric
    page = (out / "report.html").read_text()
    assert page.count("data:image/png;base64,") == len(FIGURES)
    assert "http://" not in page and "https://" not in page
    assert str(out / "report.html") in report_cli.stdout


def test_verdict_names_the_plans_and_uses_paired_intervals(sweep_dir: Path, report_cli) -> None:
    lead = report_cli.stdout.splitlines()[0]
    assert lead.startswith("Compared with lean (84 cashier-hours), peak_all_lanes (92 cashier-hours) ")
    assert "evening p90 wait" in lead and "total cost" in lead and "satisfaction" in lead and "95% CI" in lead
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


@needs_chromium
def test_report_loads_in_headless_chromium(sweep_dir: Path, report_cli, tmp_path: Path) -> None:
    """Every figure decodes, the verdict names both plans, nothing goes wrong in the console,
    nothing is fetched but the file itself, and the whole page screenshots."""
    seen = load_report(sweep_dir / "report" / "report.html", "#verdict")
    problems, requests, images, shot = seen.problems, seen.requests, seen.images, seen.screenshot
    verdict = seen.texts["#verdict"]
    assert problems == []
    assert [url for url in requests if not url.startswith(("file:", "data:"))] == []
    assert len(images) == len(FIGURES) and all(w > 0 and h > 0 for w, h in images), images
    assert all(plan in verdict for plan in PLANS), verdict
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 50_000
    (tmp_path / "report.png").write_bytes(shot)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report_screenshot.png").write_bytes(shot)


@pytest.mark.slow  # about 10 s; the sweep report tests cover the same figures
def test_report_flag_draws_the_single_run_figures(tmp_path: Path) -> None:
    done = run([*STORESIM, "report=true", "report_currency=EUR", "run.replications=2",
                f"hydra.run.dir={tmp_path / 'run'}"], tmp_path)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "run" / "report"
    assert f"report: {out / 'report.html'}" in done.stdout
    for name in ("wait_ecdf", "day_profile", "satisfaction", "cost_vs_service", "staff_timeline_store_day"):
        assert (out / f"{name}.png").exists() and (out / f"{name}.svg").exists(), name
    timeline = (tmp_path / "run" / "staff_timeline.csv").read_text().splitlines()
    assert timeline[0] == "replication,employee,state,start_min,end_min" and len(timeline) > 100
    html = (out / "report.html").read_text()
    assert "store_day serves" in html
    assert "EUR of it labour" in html and "total cost per day (labour, discounts, lost sales) (EUR)" in html
    assert "cost units" not in html
    again = run([*REPORT, str(tmp_path / "run"), "--out", str(tmp_path / "again")], tmp_path)  # the run's currency
    assert again.returncode == 0 and "EUR of it labour" in again.stdout, again.stderr
    dollars = run([*REPORT, str(tmp_path / "run"), "--out", str(tmp_path / "usd"), "--currency", "$"], tmp_path)
    assert dollars.returncode == 0 and "$" in dollars.stdout and "EUR" not in dollars.stdout, dollars.stderr
    assert "dashed line joins" not in html  # one plan: no trade-off line is drawn, so none is named


@pytest.mark.parametrize("value", ["ABCDEFGHIJ", "''"])
def test_a_bad_report_currency_is_one_error_line(value: str, tmp_path: Path) -> None:
    done = run([*STORESIM, f"report_currency={value}", "run.replications=2", f"hydra.run.dir={tmp_path / 'run'}"],
               tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("storesim: error: report_currency: "), done.stderr


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


def test_a_numeric_setting_with_three_values_gives_cost_and_satisfaction_curves(tmp_path: Path) -> None:
    """Cashiers 5, 6, 7 on the x axis, a curve per express-lane count; two plans are too few."""
    from storesim.analysis.report.runs import load_plans
    from storesim.analysis.report.sweep_curves import curve_axes

    short_day = ("run.replications=2", "run.horizon_min=120", "arrivals.rate_per_hour=150", "output.customers=false")
    done = run([*STORESIM, "-m", "staffing=lean", "staffing.cashiers=5,6,7", "store.express_lanes=1,2", *short_day,
                f"hydra.sweep.dir={tmp_path / 'sweep'}"], tmp_path)
    assert done.returncode == 0, done.stderr
    plans, _ = load_plans([tmp_path / "sweep"])
    assert curve_axes(plans) == ("staffing.cashiers", "store.express_lanes")
    assert curve_axes(plans[:2]) is None  # fewer than three values
    report = build_report([tmp_path / "sweep"], tmp_path / "out")
    curves = next(f for f in report.figures if f.png.name == "sweep_curves.png")
    assert curves.png.stat().st_size > 10_000 and "staffing.cashiers" in curves.heading
    assert "sweep_curves.png" in report.html.read_text()


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


def test_lead_is_about_total_cost_when_wages_and_lost_sales_disagree(sweep_dir: Path, report_cli) -> None:
    """lean pays fewer wages but loses more sales: the verdict says peak_all_lanes saves on
    total cost, driven by lost sales, though its labour cost rises; never that lean saves."""
    report = build_report([sweep_dir], sweep_dir / "report")
    base, other = report.plans
    labour, lost, total = (change(other, base, k) for k in ("labor_cost", "lost_sales", "total_cost"))
    assert labour.clear and labour.difference.mean > 0 and lost.difference.mean < 0  # the case this test is about
    assert total.clear and total.difference.mean < 0
    lead = report.verdict[0]
    assert "saves" in lead and "of total cost (−" in lead and "driven by lost sales" in lead
    assert "though labour cost rises by" in lead and "cost units a day" in lead
    flipped = build_report([sweep_dir], sweep_dir / "report_flipped", baseline="peak_all_lanes", currency="EUR",
                           parameters_of=recorded_parameters)
    lead = flipped.verdict[0]
    assert lead.startswith("Compared with peak_all_lanes (92 cashier-hours), lean (84 cashier-hours) ")
    assert "more total cost (+" in lead and "EUR a day" in lead and "labour cost falls by" in lead
    assert "saves" not in lead and "cost units" not in lead


def _paired_job(num: int, name: str, **per_rep: list[float]) -> Job:
    """A finished run with per-replication KPIs (same seed: changes are paired)."""
    reps = len(next(iter(per_rep.values())))
    rows = [{k: v[i] for k, v in per_rep.items()} for i in range(reps)]
    kpis = {k: {"mean": sum(v) / reps, "ci_low": min(v), "ci_high": max(v)} for k, v in per_rep.items()}
    summary = {"seed": 1, "replications": reps, "per_replication": rows, "kpis": kpis,
               "config": {"standards": {"service_level": 0.8, "target_wait_min": 3},
                          "staffing": {"cashiers": 6}, "store": {"open_hour": 8, "close_hour": 22}}}
    return Job(num, [f"staffing={name}"], Path(f"/runs/{num}"), "ok", summary)


def _two_plans(cheap_labour_loses_sales: bool) -> tuple[PlanRun, PlanRun]:
    from storesim.analysis.report.runs import plan_names as names

    lost = [900.0, 1000.0, 1100.0] if cheap_labour_loses_sales else [10.0, 12.0, 11.0]
    lean = _paired_job(0, "lean", labor_cost=[1500.0] * 3, lost_sales=lost, discount_cost=[0.0] * 3,
                       total_cost=[1500.0 + x for x in lost], service_level=[0.7, 0.72, 0.74],
                       wait_p90=[5.0, 5.5, 6.0], csat=[0.7, 0.71, 0.72])
    rich = _paired_job(1, "rich", labor_cost=[1650.0] * 3, lost_sales=[20.0, 22.0, 24.0], discount_cost=[0.0] * 3,
                       total_cost=[1670.0, 1672.0, 1674.0], service_level=[0.85, 0.86, 0.87],
                       wait_p90=[2.0, 2.1, 2.2], csat=[0.8, 0.81, 0.82])
    plans = [PlanRun(lean, 0, parameters_of=recorded_parameters), PlanRun(rich, 1, parameters_of=recorded_parameters)]
    for plan, name in zip(plans, names([p.job for p in plans])):
        plan.name = name
    return plans[0], plans[1]


@pytest.mark.parametrize("currency, unit", [(None, "cost units"), ("EUR", "EUR"), ("$", "$")])
def test_cost_clause_leads_with_total_cost_and_names_its_driver(currency, unit) -> None:
    from storesim.analysis.report.verdict import cost_clause

    lean, rich = _two_plans(cheap_labour_loses_sales=True)
    text = cost_clause(lean, rich, currency)  # lean against rich: cheaper wages, dearer day
    assert text.startswith("for ") and "more total cost (+" in text and "driven by lost sales" in text, text
    assert "though labour cost falls by 9%" in text and unit in text
    assert ("+$" in text) == (currency == "$") and ("cost units" in text) == (currency is None)
    text = cost_clause(rich, lean, currency)
    assert text.startswith("and saves ") and "of total cost (−" in text and "labour cost rises by 10%" in text
    lean, rich = _two_plans(cheap_labour_loses_sales=False)
    text = cost_clause(rich, lean, currency)  # wages drive it: labour is part of the total, no "driven by"
    assert "more total cost" in text and ", of which labour +" in text and "driven by" not in text, text
    for plan in (lean, rich):  # only labour and total recorded: nothing else can drive the total
        for row in plan.job.summary["per_replication"]:
            row.pop("lost_sales"), row.pop("discount_cost")
        plan.job.summary["kpis"].pop("lost_sales"), plan.job.summary["kpis"].pop("discount_cost")
    for row, cost in zip(lean.job.summary["per_replication"], (3000.0, 3100.0, 3200.0)):
        row["total_cost"] = cost
    lean.job.summary["kpis"]["total_cost"]["mean"] = 3100.0
    text = cost_clause(rich, lean, currency)
    assert text.startswith("and saves") and "driven by" not in text and "though labour cost rises" in text, text


def test_money_in_table_and_figure_titles_carries_the_currency(tmp_path: Path) -> None:
    from storesim.analysis.report.page import kpi_table

    lean, rich = _two_plans(cheap_labour_loses_sales=True)
    assert "total cost per day (labour, discounts, lost sales) (EUR)" in kpi_table([lean, rich], lean, "EUR")
    assert "labour cost per day (cost units)" in kpi_table([lean, rich], lean)


def test_a_missed_standard_is_never_rounded_up_in_the_table_or_verdict() -> None:
    from storesim.analysis.report.page import kpi_table
    from storesim.analysis.report.verdict import standard_sentence

    lean, rich = _two_plans(cheap_labour_loses_sales=True)
    rich.job.summary["kpis"]["service_level"]["mean"] = 0.798
    table = kpi_table([lean, rich], lean)
    assert "<td>79.8%" in table and "<td>72%" in table
    assert "closest with 79.8%" in standard_sentence([lean, rich], lean)
    rich.job.summary["kpis"]["service_level"]["mean"] = 0.802
    assert "<td>80.2%" in kpi_table([lean, rich], lean)


def test_one_plan_meeting_the_standard_on_its_mean_only_is_told_it_could_fall_short() -> None:
    from storesim.analysis.report.verdict import single_plan_sentence

    _, rich = _two_plans(cheap_labour_loses_sales=False)
    assert "meeting the 80% standard;" in single_plan_sentence(rich)  # 85-87%: clear of 80%
    kpi = rich.job.summary["kpis"]["service_level"]
    kpi.update(mean=0.804, ci_low=0.79, ci_high=0.818)
    assert "meeting the 80% standard on its mean, though it could still fall short;" in single_plan_sentence(rich)
    kpi.update(mean=0.79, ci_low=0.77, ci_high=0.81)
    assert "short of the 80% standard;" in single_plan_sentence(rich)


def test_plans_meeting_the_standard_only_on_their_mean_are_marked() -> None:
    from storesim.analysis.report.verdict import standard_sentence

    lean, rich = _two_plans(cheap_labour_loses_sales=False)
    lean.job.summary["kpis"]["service_level"].update(mean=0.804, ci_low=0.79, ci_high=0.818)
    text = standard_sentence([lean, rich], lean)
    assert "2 of 2 plans meet the service standard" in text and "lean (on its mean only), rich;" in text, text


def test_one_plan_whose_customers_leave_is_not_described_by_its_served_customers_alone() -> None:
    """Waits count the customers served: with 15% leaving, the verdict says so first, and names
    lost sales when they outweigh labour."""
    from storesim.analysis.report.verdict import single_plan_sentence

    _, rich = _two_plans(cheap_labour_loses_sales=False)
    assert "left without being served" not in single_plan_sentence(rich)  # nobody left: as before
    kpis = rich.job.summary["kpis"]
    kpis["abandon_rate"] = {"mean": 0.15, "ci_low": 0.13, "ci_high": 0.17}
    kpis["lost_sales"] = {"mean": 20_442.0, "ci_low": 19_000.0, "ci_high": 22_000.0}
    kpis["total_cost"] = {"mean": 22_092.0, "ci_low": 20_600.0, "ci_high": 23_700.0}
    text = single_plan_sentence(rich)
    assert "; 15% left without being served (95% CI 13% to 17%); 9 in 10 customers served wait less" in text, text
    assert "1,650 cost units of it labour and 20,442 cost units lost sales." in text, text


def test_the_cost_figure_calls_one_plan_cheapest_only_among_several() -> None:
    from storesim.analysis.report.cost_service import _title

    lean, rich = _two_plans(cheap_labour_loses_sales=False)
    assert _title([rich]) == "rich meets the service standard at 1,672 cost units a day"
    assert _title([lean]) == "lean misses the service standard at 1,511 cost units a day"
    assert _title([lean, rich]).startswith("rich is the cheapest plan that meets the standard")


def test_an_unchanged_evening_does_not_hide_a_longer_day() -> None:
    """The verdict leads with the evening p90 wait; when that is about the same but the whole
    day's p90 wait clearly moves, it says so (with its interval); a narrow satisfaction change
    keeps its interval, shown with one more decimal."""
    from storesim.analysis.report.verdict import plan_sentence

    common = dict(labor_cost=[1500.0] * 3, lost_sales=[10.0] * 3, discount_cost=[0.0] * 3, total_cost=[1510.0] * 3)
    base = PlanRun(_paired_job(0, "none", peak_wait_p90=[3.5, 3.6, 3.7], wait_p90=[3.4, 3.5, 3.6],
                               csat=[0.92, 0.93, 0.91], **common), 0)
    kiosks = PlanRun(_paired_job(1, "kiosks", peak_wait_p90=[3.7, 3.5, 3.8], wait_p90=[4.3, 4.4, 4.5],
                                 csat=[0.911, 0.921, 0.899], **common), 1)
    base.name, kiosks.name = "none", "kiosks"
    text = plan_sentence(kiosks, base, "peak_wait_p90")
    assert "leaves the evening p90 wait about the same" in text
    # every replication 0.9 min longer: no spread, so no interval to show
    assert "; over the whole day the p90 wait lengthens from 3.5 to 4.4 minutes (+0.9 min);" in text, text
    assert "satisfaction falls from 92% to 91% (−1 pts, 95% CI −1." in text, text
    steady = PlanRun(_paired_job(1, "same", peak_wait_p90=[3.7, 3.5, 3.8], wait_p90=[3.4, 3.5, 3.6],
                                 csat=[0.92, 0.93, 0.91], **common), 1)
    steady.name = "same"
    assert "over the whole day" not in plan_sentence(steady, base, "peak_wait_p90")


HOSTILE = """<script>alert(1)</script><img src=x onerror="alert(2)">'&amp;"""
"""Markup, quotes and an entity: shown as text wherever the runs or the user put it."""


class _PageParser(HTMLParser):
    """The tags, attributes and text a browser would see."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_hostile_text_from_runs_and_user_is_escaped_everywhere(tmp_path: Path) -> None:
    """Plan names, swept keys and values, the folder, the seed, the currency, notes and
    figure names and captions reach the page as text, never as markup."""
    from storesim.analysis.report.figures import ReportFigure
    from storesim.analysis.report.page import render
    from storesim.analysis.report.verdict import method_note, verdict

    lean, rich = _two_plans(cheap_labour_loses_sales=True)
    for plan in (lean, rich):
        plan.name = f"{HOSTILE}{plan.number}"
        plan.job.overrides[:] = [f"staffing.{HOSTILE}={HOSTILE}"]
        plan.job.folder = tmp_path / HOSTILE / str(plan.number)
        plan.job.summary["seed"] = HOSTILE
    png = tmp_path / f"{HOSTILE.replace('/', '')}.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n")
    figure = ReportFigure(png, png.with_suffix(".svg"), f"heading {HOSTILE}", f"first {HOSTILE}\nsecond {HOSTILE}")
    plans = [lean, rich]
    page = render(plans, lean, verdict(plans, lean, currency=HOSTILE), method_note(plans, lean), [figure],
                  [f"note {HOSTILE}"], HOSTILE, currency=HOSTILE)
    assert "<script" not in page and "<img src=x" not in page and "onerror=\"" not in page
    parser = _PageParser()
    parser.feed(page)
    assert {tag for tag, _ in parser.tags} <= {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2",
                                                "p", "span", "section", "div", "table", "thead", "tbody", "tr", "th",
                                                "td", "small", "ul", "li", "figure", "img", "figcaption", "br", "code"}
    assert not [name for _, attrs in parser.tags for name in attrs if name.startswith("on")]
    assert [attrs["alt"] for tag, attrs in parser.tags if tag == "img"] == [f"heading {HOSTILE}"]
    assert [attrs["id"] for tag, attrs in parser.tags if tag == "figure"] == [png.stem]
    text = "".join(parser.text)
    for shown in (f"{HOSTILE}0 (84 cashier-hours)", f"{HOSTILE}1", f"staffing.{HOSTILE}={HOSTILE}",  # names, overrides
                  f"labour cost per day ({HOSTILE})", f"total cost (−{HOSTILE}",  # the currency: table, verdict
                  str(tmp_path / HOSTILE / "1"), f"note {HOSTILE}", f"first {HOSTILE}second {HOSTILE}",
                  f"storesim {HOSTILE}, report written"):
        assert shown in text, shown
    assert text.count(HOSTILE) >= 20


def test_shares_read_on_the_right_side_of_their_target() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from storesim.analysis.number_text import share_text

    def percent(text: str) -> float:
        return float(text.rstrip("%"))

    @settings(max_examples=2000, deadline=None)
    @given(st.floats(0, 1), st.floats(0, 1), st.integers(0, 2))
    def check(value: float, target: float, digits: int) -> None:
        shown, standard = share_text(value, target, digits), share_text(target, target, digits)
        decimals = len(shown.rstrip("%").partition(".")[2])
        same_precision = share_text(target, target, decimals)  # the target at the value's precision
        if value != target:
            assert shown != same_precision
            assert (percent(shown) < percent(same_precision)) == (value < target)
        else:
            assert shown == standard
    check()
    assert share_text(0.798, 0.8) == "79.8%" and share_text(0.802, 0.8) == "80.2%"

    @settings(max_examples=500, deadline=None)
    @given(st.floats(0, 1, exclude_min=True, exclude_max=True))
    def never_none_or_all(value: float) -> None:  # 0.1% of customers who gave up are not "0%"
        assert share_text(value) not in ("0%", "100%"), value
    never_none_or_all()
    assert (share_text(0.0012), share_text(0.0), share_text(1.0)) == ("0.1%", "0%", "100%")
    assert share_text(0.8, 0.8) == "80%" and share_text(0.843, 0.8) == "84%" and share_text(0.7999, 0.8) == "79.99%"


def test_plan_names_come_from_what_sets_the_plans_apart() -> None:
    assert plan_names([_job(0, ["staffing=lean", "hydra.run.dir=a"]), _job(1, ["staffing=default", "hydra.run.dir=b"])]) \
        == ["lean", "default"]
    assert plan_names([_job(0, ["staffing.cashiers=6", "x=1"]), _job(1, ["staffing.cashiers=7", "x=1"])]) \
        == ["cashiers=6", "cashiers=7"]
    assert plan_names([_job(0, ["a.n=1", "b.n=2"]), _job(1, ["a.n=2", "b.n=2"]), _job(2, ["a.n=2", "b.n=3"])]) \
        == ["a.n=1 b.n=2", "a.n=2 b.n=2", "a.n=2 b.n=3"]
    trials = [_job(0, ["p.open_at=2.1824078005312253", "p.cooldown_min=6"]),
              _job(1, ["p.open_at=2.8931643166141554", "p.cooldown_min=17"])]
    assert plan_names(trials) == ["open_at=2.182 cooldown_min=6", "open_at=2.893 cooldown_min=17"]


def test_a_single_run_is_named_by_what_its_command_changed() -> None:
    """Not by its scenario alone ("store_day" for a day with kiosks and jockeying)."""
    def run(overrides: list[str]) -> Job:
        job = _job(0, overrides)
        job.summary["scenario"] = "store_day" if not any(o.startswith("experiment=") for o in overrides) else "mmc"
        return job

    assert plan_names([run(["queue.jockey_diff=2", "self_checkout=six_kiosks", "run.replications=3", "report=true",
                            "hydra.run.dir=out", "output.customers=false"])]) == ["jockey_diff=2 self_checkout=six_kiosks"]
    assert plan_names([run(["experiment=mmc", "run.replications=5"])]) == ["mmc"]
    assert plan_names([run(["run.replications=5", "hydra.run.dir=out"])]) == ["store_day"]


def test_plans_are_labelled_with_their_cashier_hours_from_the_recorded_config(sweep_dir: Path) -> None:
    from storesim.analysis.report.runs import cashier_hours

    config = json.loads((sweep_dir / "0" / "summary.json").read_text())["config"]  # lean: 14 opening hours

    def hours(**staffing: Any) -> float | None:
        return cashier_hours({**config, "staffing": {**config["staffing"], **staffing}}, recorded_parameters)

    assert hours() == 6 * 14
    assert hours(cashiers=[6] * 9 + [10, 10] + [6] * 3) == 6 * 14 + 8
    roster = [{"id": "C1", "start_hour": 8, "end_hour": 15}, {"id": "C2", "start_hour": 16, "end_hour": 22},
              {"id": "F1", "home_role": "floor", "skills": ["floor", "checkout"], "start_hour": 8, "end_hour": 22}]
    assert hours(cashiers=None, floor_staff=None, roster=roster) == 13  # the floor employee is no cashier
    assert hours(cashiers=None, from_profile_beta=0.5) > hours(cashiers=None, from_profile_beta=0.0) >= 14
    assert cashier_hours({"standards": {}}, recorded_parameters) is None
    assert cashier_hours(None, recorded_parameters) is None
    assert cashier_hours({**config, "staffing": {"cashiers": "many"}}, recorded_parameters) is None
    assert cashier_hours(config, None) is None  # the application did not say how to read a config
    plan = PlanRun(_job(0, ["staffing=lean"]), 0, name="lean")
    assert plan.label == "lean"  # no staffing recorded: the name alone


def test_pareto_front_keeps_the_plans_nothing_beats_on_both_counts() -> None:
    plans = [PlanRun(_job(i, [f"p={i}"], service_level=sl, total_cost=cost), i)
             for i, (sl, cost) in enumerate([(0.6, 100.0), (0.7, 120.0), (0.65, 130.0), (0.9, 200.0), (0.9, 250.0)])]
    assert [p.number for p in pareto_front(plans)] == [0, 1, 3]


def test_report_shows_its_progress_over_figures(report_cli) -> None:
    prefix = "figures that may apply:"
    lines = [line.removeprefix(prefix).split() for line in report_cli.stderr.splitlines() if line.startswith(prefix)]
    assert lines and "/" in lines[0][1] and lines[-1][1].split("/")[0] == lines[-1][1].split("/")[1]


def test_the_note_on_plans_left_out_names_only_figures_that_are_drawn() -> None:
    """Without customer records there are no wait curves, so the note must not say they show
    some plans (it did, beside "No wait-time curve for any plan")."""
    from types import SimpleNamespace

    from storesim.analysis.report.build import _notes

    plans = [SimpleNamespace(name=f"plan {i}", customers=None, staff_timeline=None, summary={"replications": 10},
                             setting=lambda key, default: 1)
             for i in range(8)]
    notes = _notes(plans, plans[:6], plans[:2], [])
    assert notes[0].startswith("The day profile shows 6 of 8 plans") and "wait curves" not in notes[0]
    assert "No wait-time curve for any plan" in notes[1]
    plans[0].customers = object()  # one featured plan kept its records: its curve is drawn
    assert _notes(plans, plans[:6], plans[:2], [])[0].startswith("The wait curves and the day profile show 6 of 8")


def test_a_sweeps_selection_is_named_in_the_report_notes(tmp_path: Path) -> None:
    """The report ranks on each job's own replications; a selection with sweep.delta may have
    added more and decided otherwise, so the report names its verdict (a new user missed it)."""
    from storesim.analysis.report.build import selection_notes

    (tmp_path / "sweep_summary.csv").write_text("job,status,selection,selection_replications\n"
                                                "0,ok,misses constraint,5\n1,ok,best,45\n2,ok,eliminated,12\n")
    notes = selection_notes([tmp_path])
    assert len(notes) == 1 and "best: job 1 (45 replications)" in notes[0] and "job 2" not in notes[0]
    (tmp_path / "sweep_summary.csv").write_text("job,status\n0,ok\n")  # no selection: nothing to say
    assert selection_notes([tmp_path]) == [] and selection_notes([tmp_path / "nothing"]) == []


def test_few_replications_are_named_as_rough_in_the_notes() -> None:
    """Two replications give rough intervals: the report says so, as a single run's table does."""
    from types import SimpleNamespace

    from storesim.analysis.report.build import _notes

    plans = [SimpleNamespace(name=f"plan {i}", customers=object(), staff_timeline=[1], summary={"replications": n},
                             setting=lambda key, default: 1) for i, n in enumerate((2, 10))]
    notes = _notes(plans, plans, plans[:1], [])
    assert notes == ["2 replications give rough intervals; set run.replications=5 or more for usable 95% intervals: "
                     "the intervals and verdicts here lean on them."]
    plans[0].summary["replications"] = 5
    assert _notes(plans, plans, plans[:1], []) == []


def test_the_day_profile_points_at_the_longest_line_only_when_the_day_has_a_rush() -> None:
    """With one arrival rate and one cashier count all day, the busiest bucket is noise: the
    title gives the line's mean (the KPI table's), not a time of day."""
    from types import SimpleNamespace

    import numpy as np

    from storesim.analysis.report.day_profile import _title

    def plan(name: str, rate: object, cashiers: object, queue: float) -> SimpleNamespace:
        config = {"arrivals": {"rate_per_hour": rate}, "staffing": {"cashiers": cashiers}}
        return SimpleNamespace(name=name, open_hour=8.0, kpi=lambda kpi: queue,
                               setting=lambda key, default=None: PlanRun.setting(SimpleNamespace(summary={"config": config}), key, default))

    data = {name: {"queue_len_mean": (np.array([15.0, 30.0, 45.0]), np.array([[1.0, 9.0, 2.0], [1.0, 7.0, 2.0]]))}
            for name in ("a", "b")}
    assert _title([plan("a", 540, 10, 5.91)], data) == \
        "Constant arrival rate and cashiers: lines hold at about 5.9 people waiting (time average after warm-up)"
    assert _title([plan("a", 540, 10, 5.91), plan("b", 540, 12, 1.2)], data).startswith(
        "Constant arrival rate and cashiers: about 5.9 people waiting under a, 1.2 under b")
    assert _title([plan("a", [100, 300, 100], 10, 5.91)], data) == \
        "Lines are longest around 08:22: 8 people waiting on average"
