"""Recorded numbers: refactoring must not move any KPI of the default day, the textbook queue
or a preset (the same seeds give the same customers, so the means must match to rounding).

A change that is meant to move numbers re-records them, saying why in its commit:
    python -m tests.test_numbers_hold
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from storesim.scenarios.compose import compose
from storesim.scenarios.runner import run_scenario

RECORDED = Path(__file__).parent / "data" / "recorded_numbers.json"
SHORT = ("run.replications=2", "output.customers=false")
CASES = {
    "default day": (),
    "mmc": ("experiment=mmc",),
    "mmc with reneging (Erlang A)": ("experiment=mmc", "abandonment.reneging=true", "abandonment.patience_mean_min=5"),
    "staffing=lean": ("staffing=lean",),
    "staffing=peak_all_lanes": ("staffing=peak_all_lanes",),
    "staffing=from_profile": ("staffing=from_profile",),
    "staffing=roster": ("staffing=roster",),
    "single line with breaks": ("queue.discipline=single_line", "staffing.break_after_hours=4"),
    "cross-training": ("staffing=lean", "policy/cross_training=threshold"),
    "empowered": ("policy/empowerment=empowered",),
    "hiring experienced": ("policy/hiring=experienced",),
    "hiring friendly_trained with temporaries": ("policy/hiring=friendly_trained", "staffing=lean",
                                                 "policy.hiring.temporary=2"),
    "informed": ("satisfaction=informed",),
}


def kpi_means(overrides: tuple[str, ...]) -> dict[str, float | None]:
    result = run_scenario(compose(*overrides, *SHORT))
    return {name: (None if math.isnan(ci.mean) else ci.mean) for name, ci in result.kpis().items()}


@pytest.mark.parametrize("case", sorted(CASES))
def test_numbers_hold(case):
    recorded = json.loads(RECORDED.read_text())[case]
    now = kpi_means(CASES[case])
    assert sorted(now) == sorted(recorded), "the KPIs themselves changed"
    moved = {k: (recorded[k], now[k]) for k in now
             if (now[k] is None) != (recorded[k] is None)
             or (now[k] is not None and not math.isclose(now[k], recorded[k], rel_tol=1e-9, abs_tol=1e-12))}
    assert not moved, f"{case}: numbers moved (recorded, now): {moved}"


if __name__ == "__main__":
    RECORDED.write_text(json.dumps({case: kpi_means(o) for case, o in sorted(CASES.items())}, indent=1) + "\n")
    print(f"recorded {len(CASES)} cases into {RECORDED}")
