"""``report.html``: one self-contained page, figures embedded as base64 PNG, no scripts, no network.

The page reads top down: the verdict, the KPI table (each plan with its 95% interval and its
change from the baseline), the figures with two lines each on how to read them, the plans
and where their runs are, and notes on anything left out.
"""

from __future__ import annotations

import base64
import html
from datetime import datetime

from .figures import ReportFigure
from .kpis import MONEY, Change, KpiSpec, change, defined, interval, standard_of, table_kpis
from .runs import PlanRun

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1d1d1f;
background:#f6f6f4;line-height:1.45}
main{max-width:1240px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:30px;margin:8px 0 4px}h2{font-size:22px;margin:0 0 10px}
.sub{color:#555;margin:0 0 20px}
section,figure{background:#fff;border-radius:10px;padding:20px 24px;margin:0 0 22px;box-shadow:0 1px 3px #0002}
.verdict p{font-size:19px;margin:0 0 10px}.verdict p.lead{font-weight:600}
.note{color:#555;font-size:14px}
.swatch{display:inline-block;width:14px;height:14px;border-radius:3px;margin-right:6px;vertical-align:-2px}
.scroll{overflow-x:auto}
table{border-collapse:collapse;font-size:15px}
th,td{padding:7px 12px;border-bottom:1px solid #e3e3e3;text-align:right;vertical-align:top}
th:first-child,td:first-child,.left{text-align:left}
td small{display:block;color:#666;font-size:12px;white-space:nowrap}
.better{color:#1a7a3a}.worse{color:#b3261e}.same{color:#666}
figure img{display:block;max-width:100%;height:auto;margin:8px auto}
figcaption{color:#333;font-size:15px}
.files{color:#777;font-size:13px}
code{font-size:13px}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _swatch(plan: PlanRun) -> str:
    return f'<span class="swatch" style="background:{plan.colour}"></span>{_e(plan.label)}'


def _change_cell(c: Change) -> str:
    kind = "same" if not c.clear else "better" if c.improved else "worse"
    interval = c.interval_text(unit=False) if c.spec.unit == MONEY else c.interval_text()
    detail = f" ({_e(interval)})" if interval else ""
    return f'<small class="{kind}">{_e(c.spec.format_change(c.difference.mean, unit=c.spec.unit != MONEY))}{detail}</small>'


def _kpi_cell(plan: PlanRun, baseline: PlanRun, spec: KpiSpec) -> str:
    """Mean (shares to the decimals their standard needs), 95% CI and change; money without
    its unit, which the row's title gives."""
    if not defined(plan, spec.name):
        return "<td>–</td>"
    low, high = interval(plan, spec.name)
    ci = f"<small>{_e(spec.format_range(low, high, ' – ', unit=False))}</small>" if low == low and high > low else ""
    diff = ""
    if plan is not baseline and defined(baseline, spec.name):
        diff = _change_cell(change(plan, baseline, spec.name))
    return f"<td>{_e(spec.format(plan.kpi(spec.name), standard_of(plan, spec.name), unit=False))}{ci}{diff}</td>"


def kpi_table(plans: list[PlanRun], baseline: PlanRun, currency: str | None = None) -> str:
    """KPI rows, plan columns: mean, 95% CI, and the change from the baseline with its CI;
    money rows say their currency (or cost units) in their title."""
    head = "".join(f"<th>{_swatch(p)}{' <small>baseline</small>' if p is baseline else ''}</th>" for p in plans)
    rows = []
    for spec in table_kpis(plans):
        cells = "".join(_kpi_cell(p, baseline, spec) for p in plans)
        rows.append(f"<tr><td>{_e(spec.title(baseline.target_wait_min, currency))}</td>{cells}</tr>")
    return (f'<div class="scroll"><table id="kpi-table"><thead><tr><th>per day</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def plans_table(plans: list[PlanRun]) -> str:
    """Each plan's number, overrides, replications, seed and folder."""
    rows = []
    for p in plans:
        overrides = " ".join(p.job.overrides) or "(none)"
        rows.append(f"<tr><td>{_swatch(p)}</td><td>{p.number}</td><td class='left'><code>{_e(overrides)}</code></td>"
                    f"<td>{_e(p.summary.get('replications', ''))}</td><td>{_e(p.summary.get('seed', ''))}</td>"
                    f"<td class='left'><code>{_e(p.folder)}</code></td></tr>")
    return ("<div class='scroll'><table><thead><tr><th>plan</th><th>number</th><th class='left'>overrides</th>"
            f"<th>days</th><th>seed</th><th class='left'>folder</th></tr></thead><tbody>{''.join(rows)}</tbody>"
            "</table></div>")


def figure_block(fig: ReportFigure) -> str:
    """The figure embedded as a base64 PNG, with its reading guide."""
    data = base64.b64encode(fig.png.read_bytes()).decode("ascii")
    how = "<br>".join(_e(line) for line in fig.how_to_read.splitlines())
    return (f'<figure id="{_e(fig.png.stem)}"><h2>{_e(fig.heading)}</h2>'
            f'<img src="data:image/png;base64,{data}" alt="{_e(fig.heading)}">'
            f'<figcaption>{how}</figcaption><p class="files">Files: {_e(fig.png.name)}, {_e(fig.svg.name)}</p></figure>')


def render(plans: list[PlanRun], baseline: PlanRun, verdict: list[str], method: str,
           figures: list[ReportFigure], notes: list[str], version: str, currency: str | None = None) -> str:
    """The whole page."""
    title = "Staffing plans compared" if len(plans) > 1 else f"Staffing plan: {plans[0].name}"
    lead = ' class="lead"'
    verdict_html = "".join(f"<p{lead if i == 0 else ''}>{_e(s)}</p>" for i, s in enumerate(verdict))
    notes_html = "".join(f"<li>{_e(n)}</li>" for n in notes)
    stamp = datetime.now().strftime("%Y-%m-%d %H:%M")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(title)}</title><style>{STYLE}</style></head>
<body><main>
<h1>{_e(title)}</h1>
<p class="sub">{len(plans)} plan{'s' if len(plans) > 1 else ''}: {', '.join(_swatch(p) for p in plans)}</p>
<section class="verdict" id="verdict"><h2>Verdict</h2>{verdict_html}<p class="note">{_e(method)}</p></section>
<section id="kpis"><h2>Key figures per plan</h2>{kpi_table(plans, baseline, currency)}
<p class="note">Mean per simulated day; below it the 95% confidence interval, and for each plan but the baseline
the change from {_e(baseline.name)} (green: clearly better, red: clearly worse, grey: within the noise).</p></section>
{''.join(figure_block(f) for f in figures)}
<section id="plans"><h2>Plans</h2>{plans_table(plans)}</section>
{f'<section id="notes"><h2>Notes</h2><ul>{notes_html}</ul></section>' if notes else ''}
<p class="note">storesim {_e(version)}, report written {stamp}.</p>
</main></body></html>
"""
