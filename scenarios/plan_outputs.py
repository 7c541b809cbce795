"""What ``storesim-plan`` writes: the plan table, its summary and its figure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..analysis.plan_figure import draw_plan
from ..analysis.stats import rough_intervals, rough_note
from ..sim.clock import clock_from_hours
from .outputs import csv_text, json_ready, write_atomic
from .planner import Evaluation, Plan

PLAN_CSV, PLAN_JSON, PLAN_FIGURE = "plan.csv", "plan_summary.json", "plan.png"


def plan_rows(plan: Plan, open_hour: float) -> list[dict[str, Any]]:
    """One row per opening hour: arrivals, first-cut and final cashiers and service levels."""
    rows = []
    for h, rate in enumerate(plan.arrivals_per_hour):
        row: dict[str, Any] = {"hour": h, "clock": clock_from_hours(open_hour + h), "arrivals_per_hour": rate}
        for key, ev in (("first_cut", plan.first_cut), ("final", plan.final)):
            ci = ev.hourly_service_level[h]
            row.update({f"{key}_cashiers": ev.cashiers[h], f"{key}_service_level": ci.mean,
                        f"{key}_sl_low": ci.ci_low, f"{key}_sl_high": ci.ci_high, f"{key}_meets": ev.meets[h]})
        rows.append(row)
    return rows


def _side(ev: Evaluation, rows: list[dict], key: str) -> dict[str, Any]:
    kpis = ev.result.kpis()
    return {
        "cashiers": ev.cashiers,
        "cashier_hours": sum(ev.cashiers),
        "hours_missing_standard": [r["clock"] for r in rows if not r[f"{key}_meets"]],
        "meets_day_standards": ev.day_ok,
        "kpis": {name: ci.as_dict() for name, ci in kpis.items()},
    }


def plan_summary(plan: Plan, rows: list[dict]) -> dict[str, Any]:
    first, final = _side(plan.first_cut, rows, "first_cut"), _side(plan.final, rows, "final")
    labor = (first["kpis"]["labor_cost"]["mean"], final["kpis"]["labor_cost"]["mean"])
    return json_ready({
        "standard": {"service_level": plan.target, "target_wait_min": plan.target_wait,
                     "confidence": plan.confidence},
        "evaluations": plan.evaluations,
        "rough_intervals": rough_intervals(len(plan.final.result.replications)),
        "first_cut": first,
        "final": final,
        "labor_cost_change": labor[1] - labor[0],
        "search": plan.log,
    })


def describe(plan: Plan, rows: list[dict]) -> list[str]:
    """Plain lines comparing the first cut with the final plan."""
    lines = []
    for key, ev in (("first_cut", plan.first_cut), ("final", plan.final)):
        missed = [r for r in rows if not r[f"{key}_meets"]]
        labor = ev.result.kpis()["labor_cost"].mean
        name = "first cut" if key == "first_cut" else "final plan"
        if missed:
            worst = min(missed, key=lambda r: r[f"{key}_service_level"])
            status = (f"misses the standard in {len(missed)} of {len(rows)} hours, worst {worst['clock']} "
                      f"({worst[f'{key}_service_level']:.0%} served within the target)")
        else:
            status = f"meets the standard in all {len(rows)} hours"
        lines.append(f"{name}: {sum(ev.cashiers)} cashier-hours, labour {labor:,.0f}; {status}")
    empty = [r["clock"] for r, seen in zip(rows, plan.final.measured) if not seen]
    if empty:
        lines.append(f"no arrivals at {', '.join(empty)}: no service level to meet there, the minimum cover staffs it")
    note = rough_note(len(plan.final.result.replications), "plan.replications")
    return lines + ([note] if note else [])


def write_plan(out_dir: Path, plan: Plan, open_hour: float) -> tuple[list[Path], list[str]]:
    """Write plan.csv, plan_summary.json and plan.png/.svg into ``out_dir``; return them and a description."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = plan_rows(plan, open_hour)
    header = list(rows[0])
    write_atomic(out_dir / PLAN_CSV, csv_text(header, [[r[k] for k in header] for r in rows]))
    summary = plan_summary(plan, rows)
    write_atomic(out_dir / PLAN_JSON, json.dumps(summary, indent=1) + "\n")
    lines = describe(plan, rows)
    first_labor = summary["first_cut"]["kpis"]["labor_cost"]["mean"]
    change = summary["labor_cost_change"] / first_labor if first_labor else float("nan")
    missed = len(summary["first_cut"]["hours_missing_standard"])
    title = (f"The simulated plan meets {plan.target:.0%} within {plan.target_wait:g} min in "
             f"{sum(plan.final.meets)} of {len(rows)} hours for {change:+.0%} labour;\n"
             f"the Erlang C first cut, staffing each hour alone, misses it in {missed}")
    figures = draw_plan(rows, plan.target, plan.target_wait, title, out_dir / PLAN_FIGURE)
    return [out_dir / PLAN_CSV, out_dir / PLAN_JSON, *figures], lines
