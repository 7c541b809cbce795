"""From run folders to figures and ``report.html``: pick the baseline, draw, write the page."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..run_folder import REPORT_DIR, SUMMARY_CSV, package_version, read_table, write_atomic
from ..stats import rough_note
from .cost_service import draw_cost_service
from .day_profile import draw_day_profile
from .figures import ReportFigure, assign_colours
from .page import render
from .runs import ParametersOf, PlanRun, ReportInputError, featured, load_plans, ranked, recorded_currency
from .satisfaction_bars import draw_satisfaction_bars
from .staff_timeline import draw_staff_timeline
from .sweep_curves import draw_sweep_curves
from .sweep_heatmap import draw_sweep_heatmap
from .verdict import method_note, verdict
from .wait_ecdf import draw_wait_ecdf
from .weeks import draw_weeks

REPORT_HTML = "report.html"
FEATURED = 6
"""Plans drawn in the line figures (the baseline and the best-ranked others)."""
IN_VERDICT = 4
"""Plans the verdict compares (the baseline and the best-ranked others)."""


@dataclass
class Report:
    """What ``build_report`` wrote and said."""

    html: Path
    figures: list[ReportFigure]
    verdict: list[str]
    plans: list[PlanRun]
    baseline: PlanRun
    notes: list[str]


def default_out_dir(paths: Sequence[Path]) -> Path:
    """``report/`` inside the one folder given, or inside the folders' common parent."""
    if len(paths) == 1:
        return Path(paths[0]) / REPORT_DIR
    return Path(os.path.commonpath([Path(p).resolve() for p in paths])) / REPORT_DIR


def pick_baseline(plans: list[PlanRun], selector: str | None) -> PlanRun:
    """The plan numbered or named ``selector``; the first plan when it is None."""
    if selector is None:
        return plans[0]
    text = selector.strip()
    by_number = [p for p in plans if text.isdigit() and p.number == int(text)]
    by_name = [p for p in plans if p.name == text] or [p for p in plans if p.name.lower() == text.lower()]
    found = by_number or by_name
    if len(found) != 1:
        known = ", ".join(f"{p.number} ({p.name})" for p in plans)
        raise ReportInputError(f"--baseline: {selector!r} names no plan; plans are {known}")
    return found[0]


def build_report(paths: Sequence[Path], out_dir: Path | None = None, baseline: str | None = None,
                 currency: str | None = None, on_figure: Callable[[int, int], None] | None = None,
                 parameters_of: ParametersOf | None = None) -> Report:
    """Draw the figures of the runs under ``paths`` and write ``report.html`` into ``out_dir``;
    amounts carry ``currency`` (``EUR``, ``$``; by default the ``report_currency`` the runs
    were made with), or say "cost units" without one. ``on_figure(done, total)`` is called
    after each figure is drawn (for progress). ``parameters_of`` turns a run's recorded
    config into the model's parameters (the application passes
    ``scenarios.report_cli.recorded_parameters``); with it every plan is labelled with its
    cashier-hours, without it by its name alone.

    Raises ReportInputError for paths that hold no runs and for an unknown baseline.
    """
    plans, failed = load_plans([Path(p) for p in paths], parameters_of)
    base = pick_baseline(plans, baseline)
    currency = currency or recorded_currency(plans)
    assign_colours(plans)
    out = Path(out_dir) if out_dir is not None else default_out_dir(paths)
    if out.exists() and not out.is_dir():
        raise ReportInputError(f"--out: {out} is a file, not a folder")
    shown = featured(plans, base, FEATURED)
    timeline_plans = [base] + [p for p in ranked(plans) if p is not base][:1]
    draws = [lambda: draw_wait_ecdf(shown, out), lambda: draw_day_profile(shown, out),
             lambda: draw_satisfaction_bars(plans, out), lambda: draw_cost_service(plans, base, out, currency),
             lambda: draw_sweep_heatmap(plans, out, currency), lambda: draw_sweep_curves(plans, out, currency),
             lambda: draw_weeks(shown, out, currency)]
    draws += [lambda plan=plan: draw_staff_timeline(plan, out) for plan in timeline_plans]
    drawn = []
    for draw in draws:
        drawn.append(draw())
        if on_figure:
            on_figure(len(drawn), len(draws))
    figures = [f for f in drawn if f is not None]
    notes = _notes(plans, shown, timeline_plans, failed) + selection_notes([Path(p) for p in paths])
    sentences = verdict(plans, base, IN_VERDICT, currency)
    page = render(plans, base, sentences, method_note(plans, base), figures, notes, package_version(), currency)
    write_atomic(out / REPORT_HTML, page)
    return Report(out / REPORT_HTML, figures, sentences, plans, base, notes)


def _notes(plans: list[PlanRun], shown: list[PlanRun], timeline_plans: list[PlanRun], failed: list) -> list[str]:
    """What the report leaves out, and why."""
    notes = []
    if len(shown) < len(plans):
        with_curves = any(p.customers is not None for p in shown)  # else there are no wait curves at all
        figures = "The wait curves and the day profile show" if with_curves else "The day profile shows"
        notes.append(f"{figures} {len(shown)} of {len(plans)} plans: the baseline and "
                     f"the best-ranked others (meeting the service standard, then cheapest).")
    missing = (("wait-time curve", shown, [p for p in shown if p.customers is None], "customer records (customers.csv or .parquet)"),
               ("staff timeline", timeline_plans, [p for p in timeline_plans if not p.staff_timeline],
                "staff records (staff_timeline.csv or .parquet)"))
    for what, group, plans_without, records in missing:
        if plans_without:
            which = "any plan" if len(plans_without) > 1 and len(plans_without) == len(group) else \
                ", ".join(p.name for p in plans_without)
            several = [p for p in plans_without if int(p.setting("run.days", 1) or 1) > 1]
            advice = ("runs of several days keep none (docs/satisfaction.md, Relationships over weeks)" if len(several) == len(plans_without) else
                      "run them with output.customers=true")
            notes.append(f"No {what} for {which}: the runs kept no {records}; {advice}.")
    fewest = min((int(p.summary.get("replications", 0)) for p in plans), default=0)
    rough = rough_note(fewest) if fewest else None
    if rough:  # "note: 2 replications give rough intervals; set ..."
        text = rough.removeprefix("note: ")
        notes.append(f"{text[0].upper()}{text[1:]}: the intervals and verdicts here lean on them.")
    for job in failed:
        notes.append(f"Job {job.num} ({' '.join(job.overrides) or 'no overrides'}) has no results and is left out: "
                     f"{job.status}{': ' + job.error if job.error else ''}.")
    return notes


def selection_notes(paths: Sequence[Path]) -> list[str]:
    """What a sweep's selection of the best plan (``sweep.delta``) decided, from its
    ``sweep_summary.csv``: the report's own figures and table use each job's own replications,
    the selection those plus the replications it added."""
    notes = []
    for path in paths:
        table = read_table(path / SUMMARY_CSV if path.is_dir() else None, ("job", "selection", "selection_replications"),
                           text=("selection",))
        if "selection" not in table:
            continue
        verdicts = {}
        for job, verdict, reps in zip(table["job"], table["selection"], table["selection_replications"]):
            if verdict in ("best", "cannot be told apart"):
                verdicts.setdefault(verdict, []).append(f"job {int(job)} ({int(reps)} replications)")
        if not verdicts:
            continue
        said = "; ".join(f"{verdict}: {', '.join(jobs)}" for verdict, jobs in verdicts.items())
        notes.append(f"The sweep in {path} selected with a guarantee (sweep.delta, Kim and Nelson's procedure; "
                     f"{SUMMARY_CSV}'s selection columns, docs/sweeps.md): {said}. The figures and table here use "
                     "each job's own replications, so their ranking may differ from the selection's.")
    return notes

