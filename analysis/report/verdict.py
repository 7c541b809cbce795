"""The report's opening: what the plans do to waits, labour cost and satisfaction, in words.

Every number comes from the runs, and every change carries its 95% confidence interval; a
change whose interval includes zero is called "about the same", never a gain or a loss.
"""

from __future__ import annotations

from .kpis import KPIS, Change, change, defined, interval, level_text
from .runs import PlanRun, featured, ranked


def wait_kpi(plans: list[PlanRun]) -> str:
    """``peak_wait_p90`` when every plan reports it (the evening is what managers worry
    about), else ``wait_p90``."""
    return "peak_wait_p90" if all(defined(p, "peak_wait_p90") for p in plans) else "wait_p90"


def _ci(c: Change) -> str:
    text = c.interval_text()
    return f", {text}" if text else ""


def _wait_clause(c: Change, what: str) -> str:
    before, after = f"{c.baseline:.1f}", f"{c.value:.1f}"
    change_text = f"{c.spec.format_change(c.difference.mean)}{_ci(c)}"
    if not c.clear:
        detail = f"; {change_text}" if c.difference.mean else ""
        return f"leaves the {what} about the same ({before} against {after} minutes{detail})"
    verb = "cuts" if c.difference.mean < 0 else "lengthens"
    return f"{verb} the {what} from {before} to {after} minutes ({change_text})"


def _cost_clause(c: Change) -> str:
    if not c.clear:
        return "at about the same labour cost"
    share = abs(c.relative) * 100
    pct = f"{share:.0f}%" if share >= 1 else f"{share:.1f}%"
    detail = f"{c.spec.format_change(c.difference.mean)} a day{_ci(c)}"
    if c.difference.mean > 0:
        return f"for {pct} more labour cost ({detail})"
    return f"and saves {pct} of labour cost ({detail})"


def _satisfaction_clause(c: Change) -> str:
    before, after = c.spec.format(c.baseline), c.spec.format(c.value)
    if not c.clear:
        return f"satisfaction stays about the same ({before} against {after})"
    verb = "rises" if c.difference.mean > 0 else "falls"
    return f"satisfaction {verb} from {before} to {after} ({c.spec.format_change(c.difference.mean)}{_ci(c)})"


def plan_sentence(plan: PlanRun, baseline: PlanRun, wait: str, name_baseline: bool = False) -> str:
    """One plan against the baseline, e.g. "B cuts the evening p90 wait from 9.1 to 3.2
    minutes (...) for 6% more labour cost (...); satisfaction rises from 71% to 84% (...)"."""
    what = "evening p90 wait" if wait == "peak_wait_p90" else "p90 wait"
    opening = f"Compared with {baseline.name}, {plan.name}" if name_baseline else plan.name
    text = f"{opening} {_wait_clause(change(plan, baseline, wait), what)}"
    if defined(plan, "labor_cost") and defined(baseline, "labor_cost"):
        text += " " + _cost_clause(change(plan, baseline, "labor_cost"))
    if defined(plan, "csat") and defined(baseline, "csat"):
        text += "; " + _satisfaction_clause(change(plan, baseline, "csat"))
    return text + "."


def _interval(plan: PlanRun, name: str) -> str:
    spec = KPIS[name]
    low, high = interval(plan, name)
    if low != low or low == high:
        return ""
    return f" (95% CI {spec.format_range(low, high)})"


def _standard(plan: PlanRun) -> str:
    required = plan.required_service_level
    return f"{required:.0%} of customers served within {plan.target_wait_min:g} minutes"


def standard_sentence(plans: list[PlanRun], baseline: PlanRun) -> str:
    """Which plans meet the service standard, and the cheapest of them."""
    if baseline.required_service_level is None or not all(defined(p, "service_level") for p in plans):
        return ""
    standard = _standard(baseline)
    meeting = [p for p in plans if p.meets_standard()]
    if not meeting:
        closest = max(plans, key=lambda p: p.kpi("service_level"))
        level = level_text(closest.kpi("service_level"), baseline.required_service_level)
        return (f"No plan meets the service standard ({standard}); {closest.name} comes closest with "
                f"{level}{_interval(closest, 'service_level')}.")
    best = ranked(meeting)[0]
    cost = f"{KPIS['total_cost'].format(best.kpi('total_cost'))} a day{_interval(best, 'total_cost')}"
    if len(meeting) == 1:
        text = f"Only {best.name} meets the service standard ({standard}), at {cost}"
    else:
        names = f": {', '.join(p.name for p in meeting)}" if len(meeting) <= 4 else ""
        text = (f"{len(meeting)} of {len(plans)} plans meet the service standard ({standard}){names}; "
                f"the cheapest is {best.name} at {cost}")
    low = best.kpi("service_level", "ci_low")
    if low == low and best.required_service_level is not None and low < best.required_service_level:
        text += (f", though its service level{_interval(best, 'service_level')} could still fall short "
                 f"of {best.required_service_level:.0%}")
    return text + "."


def single_plan_sentence(plan: PlanRun) -> str:
    """What one plan achieves, when there is nothing to compare it with."""
    level = level_text(plan.kpi("service_level"), plan.required_service_level)
    parts = [f"{plan.name} serves {level} of customers within "
             f"{plan.target_wait_min:g} minutes{_interval(plan, 'service_level')}"]
    if plan.required_service_level is not None:
        met = "meeting" if plan.meets_standard() else "short of"
        parts[0] += f", {met} the {plan.required_service_level:.0%} standard"
    wait = wait_kpi([plan])
    where = " at the evening peak" if wait == "peak_wait_p90" else ""
    parts.append(f"9 in 10 customers{where} wait less than {plan.kpi(wait):.1f} minutes{_interval(plan, wait)}")
    if defined(plan, "csat"):
        parts.append(f"{KPIS['csat'].format(plan.kpi('csat'))} are satisfied or delighted{_interval(plan, 'csat')}")
    if defined(plan, "total_cost"):
        money = KPIS["total_cost"]
        parts.append(f"the day costs {money.format(plan.kpi('total_cost'))}, "
                     f"{money.format(plan.kpi('labor_cost'))} of it labour")
    return "; ".join(parts) + "."


def verdict(plans: list[PlanRun], baseline: PlanRun, limit: int = 6) -> list[str]:
    """The verdict's sentences, the first the lead: for two plans the one against the other, then
    the service standard; for more, the standard first, then each featured plan against the baseline."""
    if len(plans) == 1:
        return [single_plan_sentence(plans[0])]
    wait = wait_kpi(plans)
    standard = [s for s in (standard_sentence(plans, baseline),) if s]
    if len(plans) == 2:
        other = plans[1] if plans[0] is baseline else plans[0]
        return [plan_sentence(other, baseline, wait, name_baseline=True), *standard]
    sentences = standard
    shown = ranked([p for p in featured(plans, baseline, limit) if p is not baseline])
    sentences.append(f"Against the baseline plan, {baseline.name}:")
    sentences.extend(plan_sentence(p, baseline, wait) for p in shown)
    if len(plans) - 1 > len(shown):
        sentences.append(f"The other {len(plans) - 1 - len(shown)} plans are in the table below.")
    return sentences


def method_note(plans: list[PlanRun], baseline: PlanRun) -> str:
    """How the numbers were computed, in two sentences."""
    reps = sorted({int(p.summary.get("replications", 0)) for p in plans})
    count = f"{reps[0]}" if len(reps) == 1 else f"{reps[0]} to {reps[-1]}"
    text = (f"Each number is a mean over {count} simulated days (replications) with its 95% confidence interval; "
            f"p90 wait: 9 in 10 customers wait less; satisfaction: customers satisfied or delighted.")
    if len(plans) > 1:
        unpaired = [p.name for p in plans if p is not baseline and not change(p, baseline, "wait_mean").paired]
        text += (" Changes are paired differences: every plan saw the same customers on day k (the same seed), "
                 "so the comparison is of the plans, not of the luck of the draw.")
        if unpaired:
            text += f" Unpaired (Welch) for plans run with another seed or number of days: {', '.join(unpaired)}."
    return text
