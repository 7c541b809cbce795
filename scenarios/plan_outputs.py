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


SIDES = (("first_cut", "first_cut"), ("search", "final"), ("confirmed", "confirmed"))
"""The figures in the plan table: the first cut and the final plan on the search's seeds, and
the final plan on the confirmation's (column prefix, ``Plan`` attribute)."""


def plan_rows(plan: Plan, open_hour: float) -> list[dict[str, Any]]:
    """One row per opening hour: arrivals, first-cut and final cashiers, and the service level
    (mean, lower and upper bound, whether it meets the standard) of the first cut and the final
    plan in the search and of the final plan in the confirmation."""
    rows = []
    for h, rate in enumerate(plan.arrivals_per_hour):
        row: dict[str, Any] = {"hour": h, "clock": clock_from_hours(open_hour + h), "arrivals_per_hour": rate,
                               "first_cut_cashiers": plan.first_cut.cashiers[h], "final_cashiers": plan.final.cashiers[h]}
        for key, attribute in SIDES:
            ev = getattr(plan, attribute)
            ci = ev.hourly_service_level[h]
            row.update({f"{key}_service_level": ci.mean, f"{key}_sl_low": ci.ci_low, f"{key}_sl_high": ci.ci_high,
                        f"{key}_meets": ev.meets[h]})
        rows.append(row)
    return rows


def _side(ev: Evaluation, rows: list[dict]) -> dict[str, Any]:
    kpis = ev.result.kpis()
    return {
        "cashiers": ev.cashiers,
        "cashier_hours": sum(ev.cashiers),
        "replications": len(ev.result.replications),
        "hours_missing_standard": [r["clock"] for r, meets in zip(rows, ev.meets) if not meets],
        "meets_day_standards": ev.day_ok,
        "kpis": {name: ci.as_dict() for name, ci in kpis.items()},
    }


def plan_summary(plan: Plan, rows: list[dict]) -> dict[str, Any]:
    first, final = _side(plan.first_cut, rows), _side(plan.final, rows)
    confirmed = _side(plan.confirmed, rows)
    confirmed.update({"confirmed": plan.is_confirmed, "seed_branch": plan.confirmed.seed_branch,
                      "rounds": [{"cashiers": ev.cashiers, "confirmed": ev.ok,
                                  "hours_missing_standard": _side(ev, rows)["hours_missing_standard"]}
                                 for ev in plan.confirmations]})
    labor = (first["kpis"]["labor_cost"]["mean"], final["kpis"]["labor_cost"]["mean"])
    return json_ready({
        "standard": {"service_level": plan.target, "target_wait_min": plan.target_wait,
                     "confidence": plan.confidence, "bound_level": plan.confirmed.level,
                     "bounds": "one-sided t bounds at the Bonferroni level over the measured hours and day standards"},
        "confirmed": plan.is_confirmed,
        "evaluations": plan.evaluations,
        "rough_intervals": rough_intervals(min(_replications(plan))),
        "first_cut": first,
        "final": final,
        "confirmation": confirmed,
        "labor_cost_change": labor[1] - labor[0],
        "search": plan.log,
    })


def _replications(plan: Plan) -> tuple[int, int]:
    """Replications of the search and of the confirmation."""
    return len(plan.final.result.replications), len(plan.confirmed.result.replications)


def _status(ev: Evaluation, key: str, rows: list[dict]) -> str:
    missed = [r for r, meets in zip(rows, ev.meets) if not meets]
    if missed:
        worst = min(missed, key=lambda r: r[f"{key}_service_level"])
        status = (f"is not shown to meet the standard in {len(missed)} of {len(rows)} hours (an hour meets it when "
                  f"its lower bound does), worst {worst['clock']} ({worst[f'{key}_service_level']:.1%} served within "
                  f"the target, lower bound {worst[f'{key}_sl_low']:.1%})")
    else:
        status = f"meets the standard in all {len(rows)} hours"
    return status + ("" if ev.day_ok else "; misses the day standards")


def describe(plan: Plan, rows: list[dict]) -> list[str]:
    """Plain lines comparing the first cut with the final plan, and saying whether the
    confirmation on fresh seeds shows the final plan meeting the standard."""
    confidence = f"{plan.confidence:.0%}" if round(plan.confidence * 100, 6).is_integer() else f"{plan.confidence:g}"
    lines = []
    for name, key, ev in (("first cut", "first_cut", plan.first_cut), ("final plan", "search", plan.final)):
        labor = ev.result.kpis()["labor_cost"].mean
        lines.append(f"{name}: {sum(ev.cashiers)} cashier-hours, labour {labor:,.0f}; in the search it "
                     f"{_status(ev, key, rows)}")
    count = len(plan.confirmed.result.replications)
    if plan.is_confirmed:
        lines.append(f"confirmed on {count} fresh replications: the final plan meets the standard in every hour "
                     f"with joint confidence {confidence}")
    else:
        lines.append(f"NOT CONFIRMED: on {count} fresh replications the final plan "
                     f"{_status(plan.confirmed, 'confirmed', rows)} (joint confidence {confidence}); "
                     f"no plan was shown to meet the standard")
    rounds = len(plan.confirmations)
    if rounds > 1:
        lines.append(f"{rounds} confirmation rounds: cashiers were added where a confirmation fell short; the later "
                     f"rounds reuse the first round's seeds, so run the final plan on other seeds (run.seed=...) "
                     f"before acting on it")
    empty = [r["clock"] for r, seen in zip(rows, plan.confirmed.measured) if not seen]
    if empty:
        lines.append(f"no arrivals at {', '.join(empty)}: no service level to meet there, the minimum cover staffs it")
    search, confirmation = _replications(plan)
    note = rough_note(min(search, confirmation),
                      "plan.replications" if search <= confirmation else "plan.confirm_replications")
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
    title = (f"The simulated plan, confirmed on fresh seeds, meets {plan.target:.0%} within {plan.target_wait:g} min "
             f"in {sum(plan.confirmed.meets)} of {len(rows)} hours for {change:+.0%} labour;\n"
             f"the first cut (Erlang A with the store's patience, each hour alone), misses it in {missed}")
    figures = draw_plan(rows, plan.target, plan.target_wait, plan.confidence, title, out_dir / PLAN_FIGURE)
    return [out_dir / PLAN_CSV, out_dir / PLAN_JSON, *figures], lines
