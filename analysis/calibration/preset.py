"""The calibrated store as a storesim experiment preset (``# @package _global_``).

The preset sets, in ``conf/``'s keys, what the data determine and nothing else: opening
hours, lanes (registers seen), the evening peak (the busiest two hours), the arrival profile,
the observed registers per hour as ``staffing.cashiers``, the service model, baskets and spend,
and exceptions. Everything the till log cannot show (abandonment, expected waits, floor
work, managers, satisfaction, wages) keeps storesim's defaults.

Exceptions: the log shows how much longer an exception transaction took, not who decided
it. The preset puts that whole extra time in ``exceptions.<kind>.handling_min`` and lets the
cashier settle it at once (``policy.empowerment``: empowered, no decision time, no value
limit, no wrong decisions, no training), so the simulated lane time is the observed one. Without an
``exception`` column the fitted service times already include any exceptions, so the
preset sets every exception share to 0.

Every setting is written by ``yaml.safe_dump``; text from outside (the input file's name,
the output folder in the command) appears only in comments, as one JSON-quoted line, so a
file name holding a newline cannot add a key. ``preset_yaml`` reads its text back and
checks that it holds exactly the settings.
"""

from __future__ import annotations

import json

import yaml

from ...sim.clock import clock_from_hours
from .calibrate import Calibration
from .exceptions import KINDS

NO_LIMIT = 1.0e9
"""``policy.empowerment.value_limit`` meaning "no limit" (exception values are far below it)."""


def _r(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


def preset_config(cal: Calibration, kind: str, scenario: str) -> dict:
    """The preset's settings for day type ``kind`` (one of ``cal.profiles``)."""
    profile = cal.profiles[kind]
    service, baskets = cal.service, cal.baskets
    peak_start, peak_end = profile.peak_window()
    config: dict = {
        "scenario": scenario,
        "store": {"lanes": cal.lanes, "express_lanes": 0, "open_hour": profile.open_hour,
                  "close_hour": profile.close_hour, "peak_start_hour": peak_start, "peak_end_hour": peak_end},
        "arrivals": {"rate_per_hour": [round(r, 2) for r in profile.profile()]},
        "staffing": {"cashiers": profile.staffing(cal.lanes)},
        "service": {"distribution": service.distribution, "mean_min": None,
                    "fixed_min": _r(max(service.fixed_min.estimate, 0.0)),
                    "per_item_min": _r(max(service.per_item_min.estimate, 0.0)), "cv": _r(service.cv.estimate)},
        "customers": {"basket_mean_items": _r(max(baskets.mean_items.estimate, 1.0)),
                      "basket_cv": _r(baskets.cv.estimate), "value_per_item": _r(baskets.value_per_item.estimate)},
    }
    if cal.exceptions is None:
        config["exceptions"] = {k: {"share": 0.0} for k in KINDS}
    else:
        config["exceptions"] = {k: {"share": _r(e["share"].estimate),
                                    "handling_min": _r(max(e["extra_min"].estimate, 0.0))}
                                for k, e in cal.exceptions.items()}
        config["policy"] = {"empowerment": {"policy": "empowered", "decision_min": 0.0, "value_limit": NO_LIMIT,
                                            "accuracy_max": 1.0, "training_hours": 0.0},
                            "hiring": {"decision_accuracy": 1.0}}
    return config


def _section(config: dict, key: str) -> str:
    return yaml.safe_dump({key: config[key]}, sort_keys=False, default_flow_style=None, width=120)


def quoted(text: object) -> str:
    """``text`` as one JSON string literal, ASCII only: safe inside a YAML comment."""
    return json.dumps(str(text), ensure_ascii=True)


def preset_yaml(cal: Calibration, kind: str, scenario: str, command: str) -> str:
    """The preset file's text: the settings with comments saying where each comes from."""
    config = preset_config(cal, kind, scenario)
    profile = cal.profiles[kind]
    saturated = ", ".join(clock_from_hours(h) for h in profile.saturated_hours()) or "none"
    lines = [
        "# @package _global_",
        f"# A typical {kind} of the store, calibrated by storesim-calibrate from {quoted(cal.transactions.path.name)}",
        f"# ({profile.days} {kind}{'s' if profile.days != 1 else ''}; see calibration.json for every estimate and its "
        "confidence interval). Run it with:",
        f"#   {quoted(command)}",
        yaml.safe_dump({"scenario": scenario}, default_flow_style=False),
        "# Opening hours and the busiest two hours from the log; every register seen is a lane.",
        _section(config, "store"),
        f"# Transactions starting per opening hour, mean over the {kind}s. Saturated hours (registers",
        f"# at least 85% busy, so counts understate demand): {saturated}.",
        _section(config, "arrivals"),
        "# Registers open per hour in the log, rounded (the observed staffing).",
        _section(config, "staffing"),
        "# (fixed_min + per_item_min x items) x a unit-mean variate: robust (Huber) line, family by AIC.",
        _section(config, "service"),
        "# Basket size (1 + negative binomial) and spend per item of sales.",
        _section(config, "customers"),
    ]
    if "policy" in config:
        lines += ["# Share and observed extra lane time of each exception kind, settled at the lane in that",
                  "# time (the log does not show who decided); see docs/calibration.md.",
                  _section(config, "exceptions"), _section(config, "policy")]
    else:
        lines += ["# No exception column: the fitted service times already include any exceptions.",
                  _section(config, "exceptions")]
    text = "\n".join(line.rstrip("\n") for line in lines) + "\n"
    if yaml.safe_load(text) != config:
        raise AssertionError(f"the preset of {scenario!r} does not read back as its settings")
    return text
