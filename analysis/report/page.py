"""``report.html``: one self-contained page, figures embedded as base64 PNG, no scripts, no network.

The page reads top down: the verdict, the KPI table (each plan with its 95% interval and its
change from the baseline), the figures with two lines each on how to read them, the plans
and where their runs are, and notes on anything left out.

The markup is in ``templates/`` (Jinja2, autoescaping on: every plan name, override, note and
number reaches the page escaped); this module only picks and formats what the templates show.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .figures import ReportFigure
from .kpis import MONEY, Change, KpiSpec, change, defined, interval, several_days, standard_of, table_kpis
from .runs import PlanRun

TEMPLATES = Path(__file__).with_name("templates")
"""``report.html`` (the page), ``kpi_table.html`` and ``macros.html`` (pieces both share)."""


def _base64(path: Path) -> str:
    """A file's bytes as base64 text, for a ``data:`` URL."""
    return base64.b64encode(Path(path).read_bytes()).decode("ascii")


_ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"], default=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
_ENV.filters["base64"] = _base64


@dataclass(frozen=True)
class ChangeText:
    """A plan's change from the baseline: ``text`` (``−0.9 min``), ``detail`` (its 95% CI, or
    empty) and ``kind``, the CSS class: ``better``, ``worse`` or ``same`` (within the noise)."""

    text: str
    detail: str
    kind: str


@dataclass(frozen=True)
class KpiCell:
    """One plan's value of one KPI as shown: the mean, its 95% CI (empty when there is no
    spread) and the change from the baseline (None for the baseline itself)."""

    value: str
    ci: str
    change: ChangeText | None


@dataclass(frozen=True)
class KpiRow:
    """One KPI: its title (money rows name their currency) and a cell per plan (None where
    the plan did not record it)."""

    title: str
    cells: list[KpiCell | None]


def _change_text(c: Change) -> ChangeText:
    kind = "same" if not c.clear else "better" if c.improved else "worse"
    detail = c.interval_text(unit=False) if c.spec.unit == MONEY else c.interval_text()
    return ChangeText(c.spec.format_change(c.difference.mean, unit=c.spec.unit != MONEY), detail or "", kind)


def _kpi_cell(plan: PlanRun, baseline: PlanRun, spec: KpiSpec) -> KpiCell | None:
    """Mean (shares to the decimals their standard needs), 95% CI and change; money without
    its unit, which the row's title gives."""
    if not defined(plan, spec.name):
        return None
    low, high = interval(plan, spec.name)
    ci = spec.format_range(low, high, " – ", unit=False) if low == low and high > low else ""
    diff = None
    if plan is not baseline and defined(baseline, spec.name):
        diff = _change_text(change(plan, baseline, spec.name))
    return KpiCell(spec.format(plan.kpi(spec.name), standard_of(plan, spec.name), unit=False), ci, diff)


def kpi_rows(plans: list[PlanRun], baseline: PlanRun, currency: str | None = None) -> list[KpiRow]:
    """The KPI table's rows, in the order of ``table_kpis``."""
    days = several_days(plans)
    return [KpiRow(spec.title(baseline.target_wait_min, currency, days), [_kpi_cell(p, baseline, spec) for p in plans])
            for spec in table_kpis(plans)]


def kpi_table(plans: list[PlanRun], baseline: PlanRun, currency: str | None = None) -> str:
    """KPI rows, plan columns as HTML: mean, 95% CI, and the change from the baseline with its
    CI; money rows say their currency (or cost units) in their title."""
    return _ENV.get_template("kpi_table.html").render(plans=plans, baseline=baseline,
                                                      rows=kpi_rows(plans, baseline, currency))


def render(plans: list[PlanRun], baseline: PlanRun, verdict: list[str], method: str,
           figures: list[ReportFigure], notes: list[str], version: str, currency: str | None = None) -> str:
    """The whole page as HTML text; ``figures`` are read from their PNG files and embedded."""
    title = "Plans compared" if len(plans) > 1 else f"Plan: {plans[0].name}"
    return _ENV.get_template("report.html").render(
        title=title, plans=plans, baseline=baseline, rows=kpi_rows(plans, baseline, currency), verdict=verdict,
        method=method, figures=figures, notes=notes, version=version,
        written=datetime.now().strftime("%Y-%m-%d %H:%M"))
