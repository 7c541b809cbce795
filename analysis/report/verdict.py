"""The report's opening: what the plans do to waits, total cost and satisfaction, in words.

Cost means total cost per day (labour, discounts and lost sales; over several days also the
future income lost with households who stopped coming): a plan that saves wages
but loses more sales costs more, and the verdict says so, naming the part that drives it.

Every number comes from the runs, and every change carries its 95% confidence interval; a
change whose interval includes zero is called "about the same", never a gain or a loss.
"""

from __future__ import annotations

from .kpis import KPIS, Change, change, defined, interval, level_text, standard_of
from .runs import PlanRun, featured, ranked


def wait_kpi(plans: list[PlanRun]) -> str:
    """``peak_wait_p90`` when every plan reports it (the evening is what managers worry
    about), else ``wait_p90``."""
    return "peak_wait_p90" if all(defined(p, "peak_wait_p90") for p in plans) else "wait_p90"


def _ci(c: Change, currency: str | None = None) -> str:
    text = c.interval_text(currency)
    return f", {text}" if text else ""


def _wait_clause(c: Change, what: str) -> str:
    before, after = f"{c.baseline:.1f}", f"{c.value:.1f}"
    change_text = f"{c.spec.format_change(c.difference.mean)}{_ci(c)}"
    if not c.clear:
        detail = f"; {change_text}" if c.difference.mean else ""
        return f"leaves the {what} about the same (from {before} to {after} minutes{detail})"
    verb = "cuts" if c.difference.mean < 0 else "lengthens"
    return f"{verb} the {what} from {before} to {after} minutes ({change_text})"


COST_PARTS = (("labour", "labor_cost"), ("lost sales", "lost_sales"), ("discounts", "discount_cost"),
              ("future income lost", "future_income_lost_per_day"))
"""What total cost is made of: a manager's word for each part, and its KPI (future income lost:
runs of several days only)."""


def _pct(c: Change) -> str:
    share = abs(c.relative) * 100
    if share != share:
        return ""
    return f"{share:.0f}% " if share >= 1 else f"{share:.1f}% "


def _money(c: Change, currency: str | None, per_day: str = "", ci: bool = True) -> str:
    """``+147 EUR a day, 95% CI +146 to +148 EUR``."""
    return f"{c.spec.format_change(c.difference.mean, currency=currency)}{per_day}{_ci(c, currency) if ci else ''}"


def _sign(c: Change) -> int:
    mean = c.difference.mean
    return 0 if mean != mean or mean == 0 else 1 if mean > 0 else -1


def _part_clause(word: str, c: Change, currency: str | None) -> str:
    """``labour costs 5% more (+147 EUR, 95% CI ...)``, ``it saves 5% of labour cost (...)``."""
    thing = "labour cost" if word == "labour" else word
    verb = "rises" if word in ("labour", "future income lost") else "rise"
    if _sign(c) > 0:
        return f"{thing} {verb} by {_pct(c)}({_money(c, currency)})"
    return f"{thing} {verb.replace('rise', 'fall')} by {_pct(c)}({_money(c, currency)})"


def cost_clause(plan: PlanRun, baseline: PlanRun, currency: str | None = None) -> str:
    """Total cost per day (labour, discounts and lost sales) against the baseline's, with its
    interval; then labour, or, when the parts pull apart, the part that drives the total and
    the one that goes the other way (cheaper labour that loses more sales)."""
    total = change(plan, baseline, "total_cost")
    parts = {word: change(plan, baseline, kpi) for word, kpi in COST_PARTS
             if defined(plan, kpi) and defined(baseline, kpi)}
    labour = parts.get("labour")
    if not total.clear:
        text = f"at about the same total cost ({_money(total, currency, ' a day')})"
        clear = [(w, c) for w, c in parts.items() if c.clear]
        if clear:
            text += ", though " + " and ".join(_part_clause(w, c, currency) for w, c in clear)
        return text
    more = _sign(total) > 0
    text = (f"for {_pct(total)}more total cost ({_money(total, currency, ' a day')})" if more else
            f"and saves {_pct(total)}of total cost ({_money(total, currency, ' a day')})")
    against = [(w, c) for w, c in parts.items() if c.clear and _sign(c) == -_sign(total)]
    drivers = [(w, c) for w, c in parts.items() if _sign(c) == _sign(total)]
    if against:
        if drivers:
            word, driver = max(drivers, key=lambda wc: abs(wc[1].difference.mean))
            text += f", driven by {word} ({_money(driver, currency, ci=False)})"
        text += ", though " + " and ".join(_part_clause(w, c, currency) for w, c in against)
    elif labour is not None:
        text += f", of which labour {_money(labour, currency)}"
    return text


def _satisfaction_clause(c: Change, standard: float | None = None) -> str:
    before, after = c.spec.format(c.baseline, standard), c.spec.format(c.value, standard)
    if not c.clear:
        return f"satisfaction stays about the same (from {before} to {after})"
    verb = "rises" if c.difference.mean > 0 else "falls"
    return f"satisfaction {verb} from {before} to {after} ({c.spec.format_change(c.difference.mean)}{_ci(c)})"


def plan_sentence(plan: PlanRun, baseline: PlanRun, wait: str, name_baseline: bool = False,
                  currency: str | None = None) -> str:
    """One plan against the baseline, e.g. "B cuts the evening p90 wait from 9.1 to 3.2
    minutes (...) and saves 40% of total cost (...), driven by lost sales (...), though labour
    cost rises by 5% (...); satisfaction rises from 71% to 84% (...)"."""
    what = "evening p90 wait" if wait == "peak_wait_p90" else "p90 wait"
    opening = f"Compared with {baseline.label}, {plan.label}" if name_baseline else plan.label
    headline = change(plan, baseline, wait)
    text = f"{opening} {_wait_clause(headline, what)}"
    if defined(plan, "total_cost") and defined(baseline, "total_cost"):
        text += " " + cost_clause(plan, baseline, currency)
    if wait == "peak_wait_p90" and not headline.clear and defined(plan, "wait_p90") and defined(baseline, "wait_p90"):
        day = change(plan, baseline, "wait_p90")  # the evening unchanged need not mean the day is
        if day.clear:
            verb = "shortens" if day.difference.mean < 0 else "lengthens"
            text += (f"; over the whole day the p90 wait {verb} from {day.baseline:.1f} to {day.value:.1f} minutes "
                     f"({day.spec.format_change(day.difference.mean)}{_ci(day)})")
    if defined(plan, "csat") and defined(baseline, "csat"):
        text += "; " + _satisfaction_clause(change(plan, baseline, "csat"), standard_of(baseline, "csat"))
    return text + "."


def _interval(plan: PlanRun, name: str, currency: str | None = None) -> str:
    spec = KPIS[name]
    low, high = interval(plan, name)
    if low != low or low == high:
        return ""
    return f" (95% CI {spec.format_range(low, high, currency=currency)})"


def _standard(plan: PlanRun) -> str:
    required = plan.required_service_level
    return f"{required:.0%} of customers served within {plan.target_wait_min:g} minutes"


def _on_mean_only(plan: PlanRun) -> bool:
    """Whether the plan meets the service standard on its mean while its interval reaches below it."""
    low, required = plan.kpi("service_level", "ci_low"), plan.required_service_level
    return plan.meets_standard() and required is not None and low == low and low < required


def standard_sentence(plans: list[PlanRun], baseline: PlanRun, currency: str | None = None) -> str:
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
    money = KPIS["total_cost"]
    cost = f"{money.format(best.kpi('total_cost'), currency=currency)} a day{_interval(best, 'total_cost', currency)}"
    if len(meeting) == 1:
        text = f"Only {best.name} meets the service standard ({standard}), at {cost}"
    else:
        names = (f": {', '.join(p.name + (' (on its mean only)' if _on_mean_only(p) else '') for p in meeting)}"
                 if len(meeting) <= 4 else "")
        text = (f"{len(meeting)} of {len(plans)} plans meet the service standard ({standard}){names}; "
                f"the cheapest is {best.name} at {cost}")
    if _on_mean_only(best):
        text += (f", though its service level{_interval(best, 'service_level')} could still fall short "
                 f"of {best.required_service_level:.0%}")
    return text + "."


def single_plan_sentence(plan: PlanRun, currency: str | None = None) -> str:
    """What one plan achieves, when there is nothing to compare it with."""
    level = level_text(plan.kpi("service_level"), plan.required_service_level)
    parts = [f"{plan.name} serves {level} of customers within "
             f"{plan.target_wait_min:g} minutes{_interval(plan, 'service_level')}"]
    if plan.required_service_level is not None:
        met = "meeting" if plan.meets_standard() else "short of"
        parts[0] += f", {met} the {plan.required_service_level:.0%} standard"
        if _on_mean_only(plan):
            parts[0] += " on its mean, though it could still fall short"
    if defined(plan, "abandon_rate") and plan.kpi("abandon_rate") > 0:  # the waits below are of those who stayed
        parts.append(f"{KPIS['abandon_rate'].format(plan.kpi('abandon_rate'))} left without being served"
                     f"{_interval(plan, 'abandon_rate')}")
    wait = wait_kpi([plan])
    where = " at the evening peak" if wait == "peak_wait_p90" else ""
    served = " served" if defined(plan, "abandon_rate") and plan.kpi("abandon_rate") > 0 else ""
    parts.append(f"9 in 10 customers{served}{where} wait less than {plan.kpi(wait):.1f} minutes{_interval(plan, wait)}")
    if defined(plan, "csat"):
        csat = KPIS["csat"].format(plan.kpi("csat"), standard_of(plan, "csat"))
        parts.append(f"{csat} are satisfied or delighted{_interval(plan, 'csat')}")
    if defined(plan, "total_cost"):
        money = KPIS["total_cost"]
        cost = (f"the day costs {money.format(plan.kpi('total_cost'), currency=currency)}, "
                f"{money.format(plan.kpi('labor_cost'), currency=currency)} of it labour")
        if defined(plan, "lost_sales") and plan.kpi("lost_sales") > plan.kpi("labor_cost"):  # the larger part
            cost += f" and {money.format(plan.kpi('lost_sales'), currency=currency)} lost sales"
        parts.append(cost)
    return "; ".join(parts) + "."


def verdict(plans: list[PlanRun], baseline: PlanRun, limit: int = 6, currency: str | None = None) -> list[str]:
    """The verdict's sentences, the first the lead: for two plans the one against the other, then
    the service standard; for more, the standard first, then each featured plan against the baseline."""
    if len(plans) == 1:
        return [single_plan_sentence(plans[0], currency)]
    wait = wait_kpi(plans)
    standard = [s for s in (standard_sentence(plans, baseline, currency),) if s]
    if len(plans) == 2:
        other = plans[1] if plans[0] is baseline else plans[0]
        return [plan_sentence(other, baseline, wait, name_baseline=True, currency=currency), *standard]
    sentences = standard
    shown = ranked([p for p in featured(plans, baseline, limit) if p is not baseline])
    sentences.append(f"Against the baseline plan, {baseline.label}:")
    sentences.extend(plan_sentence(p, baseline, wait, currency=currency) for p in shown)
    if len(plans) - 1 > len(shown):
        sentences.append(f"The other {len(plans) - 1 - len(shown)} plans are in the table below.")
    return sentences


def method_note(plans: list[PlanRun], baseline: PlanRun) -> str:
    """How the numbers were computed, in two sentences."""
    reps = sorted({int(p.summary.get("replications", 0)) for p in plans})
    count = f"{reps[0]}" if len(reps) == 1 else f"{reps[0]} to {reps[-1]}"
    days = sorted({int(p.setting("run.days", 1) or 1) for p in plans})
    if days == [1]:
        what = f"{count} simulated days (replications)"
    else:
        span = f"{days[0]}" if len(days) == 1 else f"{days[0]} to {days[-1]}"
        what = (f"{count} replications of {span} days each (a day's KPIs averaged over the days; the households' "
                "KPIs over the whole run)")
    text = (f"Each number is a mean over {what} with its 95% confidence interval; "
            f"p90 wait: 9 in 10 customers wait less; satisfaction: customers satisfied or delighted.")
    if len(plans) > 1:
        unpaired = [p.name for p in plans if p is not baseline and not change(p, baseline, "wait_mean").paired]
        text += (" Changes are paired differences: every plan saw the same customers on day k (the same seed), "
                 "so the comparison is of the plans, not of the luck of the draw.")
        if unpaired:
            text += f" Unpaired (Welch) for plans run with another seed or number of days: {', '.join(unpaired)}."
    return text
