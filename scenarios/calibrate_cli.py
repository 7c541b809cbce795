"""``storesim-calibrate``: a store's till log (and door counts) become a calibrated scenario.

    storesim-calibrate --transactions tx.csv [--footfall doors.csv] --name mystore --out DIR
    storesim-calibrate --example DIR      # a synthetic store's files, to try the round trip

Writes into DIR: ``calibration.json`` (every estimate with its 95% interval, and the replay
table), ``experiment/NAME.yaml`` (the chosen day type, weekday by default) and
``experiment/NAME_<day type>.yaml`` for the other day types in the data, and four PNG
figures. ``storesim --config-dir DIR experiment=NAME`` then runs the calibrated store.
Bad input stops before anything is written, with one line per problem and exit code 2.
See docs/calibration.md.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Sequence

from .cli_errors import EXIT_USAGE

if TYPE_CHECKING:
    from ..analysis.calibration.calibrate import Calibration
    from ..analysis.calibration.replay import Replay

PROG = "storesim-calibrate"
DAY_TYPES = ("weekday", "saturday", "sunday")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")


@dataclass
class Results:
    """Everything to write, computed before anything is written."""

    cal: Calibration
    names: dict[str, str]
    """Day type -> scenario name of its preset."""
    presets: dict[str, str]
    """Day type -> preset text."""
    replay: Replay


def parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    p = argparse.ArgumentParser(prog=PROG, description="Calibrate storesim to a store's till log and door counts: "
                                "estimates with confidence intervals, a scenario preset, fit figures and a replay "
                                "check. See docs/calibration.md.")
    p.add_argument("--transactions", type=Path, metavar="FILE.csv",
                   help="one row per checkout transaction: register, start, end, items, amount "
                        "[, exception, cashier]")
    p.add_argument("--footfall", type=Path, metavar="FILE.csv", help="door counts: date, hour, entries")
    p.add_argument("--name", help="scenario name: writes DIR/experiment/NAME.yaml")
    p.add_argument("--out", type=Path, metavar="DIR", help="folder for the outputs (created)")
    p.add_argument("--day-type", choices=DAY_TYPES, default="weekday",
                   help="day type of NAME.yaml and of the replay (default: weekday)")
    p.add_argument("--drop-bad-rows", action="store_true", help="skip bad rows (and report them) instead of stopping")
    p.add_argument("--replications", type=int, default=10, metavar="N", help="simulated days in the replay (default 10)")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes for the replay (default 1)")
    p.add_argument("--example", type=Path, metavar="DIR",
                   help="write a synthetic store's transactions.csv, footfall.csv and truth.json into DIR and stop")
    return p


def fail(lines: Sequence[str]) -> NoReturn:
    """Print ``storesim-calibrate: error: ...`` lines and exit 2."""
    for line in lines:
        print(f"{PROG}: error: {line}", file=sys.stderr)
    sys.exit(EXIT_USAGE)


def _check_arguments(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.example is not None:
        return
    missing = [f"--{k}" for k in ("transactions", "name", "out") if getattr(args, k) is None]
    if missing:
        p.error(f"the following arguments are required: {', '.join(missing)} (or --example DIR)")
    if not _NAME.match(args.name):
        p.error(f"--name must be letters, digits, _ or - (it names a file and a Hydra option), got {args.name!r}")
    if args.replications < 2 or args.jobs < 1:
        p.error("--replications must be at least 2 and --jobs at least 1")


def write_example(out_dir: Path) -> None:
    """Write the synthetic example store's files and say how to calibrate them."""
    from ..analysis.calibration.example import write_example as write

    paths = write(out_dir)
    print(f"{PROG}: wrote {', '.join(str(p) for p in paths)}")
    print(f"next: {PROG} --transactions {paths[0]} --footfall {paths[1]} --name example --out {out_dir / 'calibrated'}")


def _dropped(checked) -> str:
    """One line: how many rows of a file were dropped, and why."""
    parts = "; ".join(f"{problem}: {n}" for problem, n in checked.dropped.items())
    return f"{PROG}: dropped {checked.rows_dropped} of {checked.rows_read} rows of {checked.path} ({parts})"


def calibrate_store(args: argparse.Namespace) -> Results:
    """Read, estimate, build the presets and run the replay; write nothing. Returns what to write."""
    from ..analysis.calibration.calibrate import calibrate
    from ..analysis.calibration.data import DataError, read_footfall, read_transactions
    from ..analysis.calibration.preset import preset_yaml
    from ..analysis.calibration.replay import replay

    try:
        transactions = read_transactions(args.transactions, args.drop_bad_rows)
        footfall = read_footfall(args.footfall, args.drop_bad_rows) if args.footfall is not None else None
        for checked in (transactions, footfall):
            if checked is not None and checked.rows_dropped:
                print(_dropped(checked))
        cal = calibrate(transactions, footfall)
    except DataError as error:
        fail(str(error).splitlines())
    if args.day_type not in cal.profiles:
        fail([f"{args.transactions}: no {args.day_type} transactions (day types in the file: "
              f"{', '.join(cal.profiles)}); choose another --day-type"])
    names = {kind: args.name if kind == args.day_type else f"{args.name}_{kind}" for kind in cal.profiles}
    presets = {kind: preset_yaml(cal, kind, name, f"storesim --config-dir {args.out} experiment={name}")
               for kind, name in names.items()}
    check = replay(cal.profiles[args.day_type], cal.activity, presets[args.day_type], args.name,
                   args.replications, args.jobs)
    return Results(cal, names, presets, check)


def write_outputs(args: argparse.Namespace, results: Results) -> list[Path]:
    """Write calibration.json, the presets and the figures into ``args.out``."""
    import json

    from ..analysis.calibration.estimate import LEVEL
    from ..analysis.calibration.figures import draw_all
    from .outputs import json_ready, package_version, write_atomic

    cal, check, names = results.cal, results.replay, results.names
    (args.out / "experiment").mkdir(parents=True, exist_ok=True)
    written = []
    for kind, text in results.presets.items():
        path = args.out / "experiment" / f"{names[kind]}.yaml"
        write_atomic(path, text)
        written.append(path)
    figures = draw_all(cal.profiles, cal.service, cal.baskets, check, args.out)
    report = {"name": args.name, "version": package_version(), "level": LEVEL, **cal.as_dict(),
              "presets": {kind: {"file": f"experiment/{names[kind]}.yaml",
                                 "command": f"storesim --config-dir {args.out} experiment={names[kind]}"}
                          for kind in names},
              "replay": check.as_dict(), "figures": [p.name for p in figures]}
    path = args.out / "calibration.json"
    write_atomic(path, json.dumps(json_ready(report), indent=2) + "\n")
    return [path, *written, *figures]


def _summary(args: argparse.Namespace, results: Results, seconds: float) -> str:
    cal, check = results.cal, results.replay
    svc, profile = cal.service, cal.profiles[args.day_type]
    daily = check.daily
    saturated = ", ".join(f"{h:02d}:00" for h in profile.saturated_hours()) or "none"
    rows = cal.transactions.rows_read - cal.transactions.rows_dropped
    return "\n".join([
        f"{PROG}: {rows:,} transactions, {len(cal.tx['date'].unique())} days, {cal.lanes} registers ({seconds:.1f} s)",
        f"  service: {svc.fixed_min.estimate:.3f} min + {svc.per_item_min.estimate:.4f} min/item, "
        f"{svc.distribution} cv {svc.cv.estimate:.2f}",
        f"  baskets: {cal.baskets.mean_items.estimate:.1f} items (cv {cal.baskets.cv.estimate:.2f}), "
        f"{cal.baskets.value_per_item.estimate:.2f} per item",
        f"  {args.day_type}: {profile.open_hour:02d}:00-{profile.close_hour:02d}:00, "
        f"{profile.transactions_per_day.estimate:.0f} transactions a day, saturated hours: {saturated}, "
        f"outlier days: {', '.join(d['date'] for d in profile.outlier_days) or 'none'}",
        f"  replay ({check.replications} simulated days): {daily['transactions_simulated'].estimate:.0f} "
        f"transactions a day against {daily['transactions_observed'].estimate:.0f} observed",
        f"outputs: {args.out}",
        f"run it: storesim --config-dir {args.out} experiment={args.name}",
    ])


def main(argv: Sequence[str] | None = None) -> None:
    """``storesim-calibrate``: see the module docstring; user errors exit 2 with nothing written."""
    p = parser()
    args = p.parse_args(argv)
    _check_arguments(p, args)
    if args.example is not None:
        write_example(args.example)
        return
    started = time.perf_counter()
    results = calibrate_store(args)
    write_outputs(args, results)
    print(_summary(args, results, time.perf_counter() - started))
