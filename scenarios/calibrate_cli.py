"""``storesim-calibrate``: a store's till log (and door counts) become a calibrated scenario.

    storesim-calibrate --transactions tx.csv [--footfall doors.csv] --name mystore --out DIR
    storesim-calibrate --example [DIR]    # a synthetic store's files (default demo/), to try it

While it fits and replays, progress goes to stderr (a bar on a terminal, else a done/total
line at most every few seconds; ``--quiet`` or ``STORESIM_QUIET=1`` silences it); stdout
holds only the results.

Writes into DIR: ``calibration.json`` (every estimate with its 95% interval, and the replay
table), ``experiment/NAME.yaml`` (the chosen day type, weekday by default) and
``experiment/NAME_<day type>.yaml`` for the other day types in the data, and four PNG
figures. ``storesim --config-dir DIR experiment=NAME`` then runs the calibrated store.
Bad input or a bad option stops before anything is written, with one line per problem and
exit code 2; ``--out`` is checked before any fitting and the outputs appear as a whole set
or not at all (``analysis/calibration/destination.py``). Rows left out as duplicates or
implausible are warned about by line. See docs/calibration.md.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Sequence

from .cli_errors import EXIT_USAGE, quiet_on_broken_pipe

if TYPE_CHECKING:
    from ..analysis.calibration.calibrate import Calibration
    from ..analysis.calibration.replay import Replay
    from ..sim import ScenarioParams
    from .runner import ScenarioResult

PROG = "storesim-calibrate"
DAY_TYPES = ("weekday", "saturday", "sunday")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
"""A scenario name: a letter, then letters, digits, _ or - (64 at most); matched whole."""
EXAMPLE_DIR = Path("demo")
RANGES = {"replications": (2, 10_000), "jobs": (1, 256)}
"""Allowed values of the numeric options, inclusive."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        fail([message])


def _bounded(option: str):
    """An argparse type: a whole number within ``RANGES[option]``."""
    low, high = RANGES[option]

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be a whole number from {low} to {high:,}, got {text[:40]!r}")
        return value

    parse.__name__ = option  # argparse names the type in "invalid <name> value"
    return parse


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
    p = _Parser(prog=PROG, description="Calibrate storesim to a store's till log and door counts: "
                                "estimates with confidence intervals, a scenario preset, fit figures and a replay "
                                "check. See docs/calibration.md.")
    p.add_argument("--transactions", type=Path, metavar="FILE.csv",
                   help="one row per checkout transaction: register, start, end, items, amount "
                        "[, exception, cashier]")
    p.add_argument("--footfall", type=Path, metavar="FILE.csv", help="door counts: date, hour, entries")
    p.add_argument("--name", help="scenario name (a letter, then letters, digits, _ or -): writes "
                                   "DIR/experiment/NAME.yaml")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="folder for the outputs, written as a whole set (created; an earlier calibration's "
                        "folder is replaced)")
    p.add_argument("--day-type", choices=DAY_TYPES, default="weekday",
                   help="day type of NAME.yaml and of the replay (default: weekday)")
    p.add_argument("--drop-bad-rows", action="store_true", help="skip bad rows (and report them) instead of stopping")
    p.add_argument("--replications", type=_bounded("replications"), default=10, metavar="N",
                   help="simulated days in the replay, 2 to 10,000 (default 10)")
    p.add_argument("--jobs", type=_bounded("jobs"), default=1, metavar="N",
                   help="worker processes for the replay, 1 to 256 (default 1)")
    p.add_argument("--example", type=Path, nargs="?", const=EXAMPLE_DIR, metavar="DIR",
                   help=f"write a synthetic store's transactions.csv, footfall.csv and truth.json into DIR "
                        f"(default {EXAMPLE_DIR}/) and stop")
    p.add_argument("--quiet", action="store_true", help="no progress lines (as STORESIM_QUIET=1)")
    return p


def fail(lines: Sequence[str]) -> NoReturn:
    """Print ``storesim-calibrate: error: ...`` lines and exit 2."""
    for line in lines:
        print(f"{PROG}: error: {line}", file=sys.stderr)
    sys.exit(EXIT_USAGE)


def warn(lines: Sequence[str]) -> None:
    """Print ``storesim-calibrate: warning: ...`` lines."""
    for line in lines:
        print(f"{PROG}: warning: {line}", file=sys.stderr)


def _check_arguments(p: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if args.example is not None:
        return
    missing = [f"--{k}" for k in ("transactions", "name", "out") if getattr(args, k) is None]
    if missing:
        p.error(f"the following arguments are required: {', '.join(missing)} (or --example [DIR])")
    if not _NAME.fullmatch(args.name):
        p.error(f"--name: must be a letter, then letters, digits, _ or - (64 at most; it names a file and a "
                f"Hydra option), got {args.name[:80]!r}")


def write_example(out_dir: Path) -> None:
    """Write the synthetic example store's files and say how to calibrate them."""
    from ..analysis.calibration.example import write_example as write

    if out_dir.exists() and not out_dir.is_dir():
        fail([f"--example {out_dir}: an existing file, not a folder; choose a folder name"])
    try:
        paths = write(out_dir)
    except OSError as error:
        fail([f"--example {out_dir}: cannot write ({error.strerror or error})"])
    print(f"{PROG}: wrote the example store into {out_dir}/: {', '.join(p.name for p in paths)}")
    print(f"next: {PROG} --transactions {paths[0]} --footfall {paths[1]} --name example --out {out_dir / 'calibrated'}")


def _dropped(checked) -> str:
    """One line: how many rows of a file were dropped, and why."""
    parts = "; ".join(f"{problem}: {n}" for problem, n in checked.dropped.items())
    return f"{PROG}: dropped {checked.rows_dropped} of {checked.rows_read} rows of {checked.path} ({parts})"


def compose_preset(preset_text: str, scenario: str, overrides: Sequence[str]) -> ScenarioParams:
    """Checked parameters of ``storesim --config-dir D experiment=SCENARIO OVERRIDES`` with the
    preset in ``D/experiment/SCENARIO.yaml``: a temporary folder, so nothing is written before
    the whole calibration has succeeded."""
    import tempfile

    from .compose import compose

    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "experiment").mkdir()
        (Path(folder) / "experiment" / f"{scenario}.yaml").write_text(preset_text)
        return compose(f"experiment={scenario}", *overrides, config_dir=folder)


def simulate_preset(preset_text: str, scenario: str, replications: int, jobs: int,
                    quiet: bool | None = None) -> ScenarioResult:
    """``replications`` days of the calibrated preset, with customer records, for the replay;
    progress over the days on stderr (``quiet``: as :class:`console.ProgressBar`'s)."""
    from .console import ProgressBar
    from .runner import run_scenario

    params = compose_preset(preset_text, scenario, [f"run.replications={replications}", f"run.jobs={jobs}",
                                                     "output.customers=true"])
    return run_scenario(params, on_replication=ProgressBar(replications, "replay days", quiet=quiet))


def calibrate_store(args: argparse.Namespace) -> Results:
    """Read, estimate, build the presets and run the replay; write nothing. Returns what to write."""
    from ..analysis.calibration.calibrate import calibrate
    from ..analysis.calibration.data import DataError, check_overlap, read_footfall, read_transactions
    from ..analysis.calibration.preset import preset_yaml
    from ..analysis.calibration.replay import replay
    from .console import progress

    quiet = args.quiet or None
    try:
        transactions = read_transactions(args.transactions, args.drop_bad_rows)
        footfall = read_footfall(args.footfall, args.drop_bad_rows) if args.footfall is not None else None
        if footfall is not None:
            footfall.warnings.extend(check_overlap(transactions, footfall))
        for checked in (transactions, footfall):
            if checked is not None and checked.rows_dropped:
                print(_dropped(checked))
            if checked is not None:
                warn(checked.warnings)
        cal = calibrate(transactions, footfall, on_step=progress("fitting steps", quiet))
    except DataError as error:
        fail(str(error).splitlines())
    if args.day_type not in cal.profiles:
        fail([f"{args.transactions}: no {args.day_type} transactions (day types in the file: "
              f"{', '.join(cal.profiles)}); choose another --day-type"])
    names = {kind: args.name if kind == args.day_type else f"{args.name}_{kind}" for kind in cal.profiles}
    presets = {kind: preset_yaml(cal, kind, name, f"storesim --config-dir {args.out} experiment={name}")
               for kind, name in names.items()}
    warn([f"service fit: {problem}" for problem in cal.service.checks.failed()])
    days = simulate_preset(presets[args.day_type], args.name, args.replications, args.jobs, quiet)
    check = replay(cal.profiles[args.day_type], cal.activity, days)
    return Results(cal, names, presets, check)


def write_outputs(args: argparse.Namespace, results: Results, folder: Path) -> list[Path]:
    """Write calibration.json, the presets and the figures into ``folder`` (the staging folder
    that becomes ``args.out``; paths inside the files name ``args.out``)."""
    import json

    from ..analysis.calibration.estimate import LEVEL
    from ..analysis.calibration.figures import draw_all
    from ..analysis.run_folder import package_version
    from .outputs import json_ready

    cal, check, names = results.cal, results.replay, results.names
    (folder / "experiment").mkdir(parents=True, exist_ok=True)
    written = []
    for kind, text in results.presets.items():
        path = folder / "experiment" / f"{names[kind]}.yaml"
        path.write_text(text)
        written.append(path)
    figures = draw_all(cal.profiles, cal.service, cal.baskets, check, folder)
    report = {"name": args.name, "version": package_version(), "level": LEVEL, **cal.as_dict(),
              "presets": {kind: {"file": f"experiment/{names[kind]}.yaml",
                                 "command": f"storesim --config-dir {args.out} experiment={names[kind]}"}
                          for kind in names},
              "replay": check.as_dict(), "figures": [p.name for p in figures]}
    path = folder / "calibration.json"
    path.write_text(json.dumps(json_ready(report), indent=2) + "\n")
    return [path, *written, *figures]


def _summary(args: argparse.Namespace, results: Results, seconds: float) -> str:
    from ..sim.clock import clock_from_hours

    cal, check = results.cal, results.replay
    svc, profile = cal.service, cal.profiles[args.day_type]
    daily = check.daily
    saturated = ", ".join(clock_from_hours(h) for h in profile.saturated_hours()) or "none"
    tx = cal.transactions
    left_out = f", {tx.rows_left_out:,} left out (duplicate or implausible)" if tx.rows_left_out else ""
    dropped = f", {tx.rows_dropped:,} bad row{'s' if tx.rows_dropped > 1 else ''} dropped" if tx.rows_dropped else ""
    return "\n".join([
        f"{PROG}: {len(tx.frame):,} transactions used of {tx.rows_read:,} rows{left_out}{dropped}, "
        f"{len(cal.tx['date'].unique())} days, {cal.lanes} registers ({seconds:.1f} s)",
        f"  service: {svc.fixed_min.estimate:.3f} min + {svc.per_item_min.estimate:.4f} min/item, "
        f"{svc.distribution} cv {svc.cv.estimate:.2f} (robust Huber fit of {svc.rows:,} rows)",
        f"  residual checks: {svc.checks.summary()}",
        f"  baskets: {cal.baskets.mean_items.estimate:.1f} items (cv {cal.baskets.cv.estimate:.2f}), "
        f"{cal.baskets.value_per_item.estimate:.2f} per item",
        f"  {args.day_type}: {clock_from_hours(profile.open_hour)}-{clock_from_hours(profile.close_hour, closing=True)}, "
        f"{profile.transactions_per_day.estimate:.0f} transactions a day, saturated hours: {saturated}, "
        f"outlier days: {', '.join(d['date'] for d in profile.outlier_days) or 'none'}",
        f"  replay ({check.replications} simulated days): {daily['transactions_simulated'].estimate:.0f} "
        f"transactions a day against {daily['transactions_observed'].estimate:.0f} observed",
        f"outputs: {args.out}",
        f"run it: storesim --config-dir {args.out} experiment={args.name}",
    ])


@quiet_on_broken_pipe
def main(argv: Sequence[str] | None = None) -> None:
    """``storesim-calibrate``: see the module docstring; user errors exit 2 with nothing written.
    Output piped into a command that stops reading (``| head``) ends quietly."""
    from ..analysis.calibration.destination import Destination, DestinationError

    p = parser()
    args = p.parse_args(argv)
    _check_arguments(p, args)
    if args.example is not None:
        write_example(args.example)
        return
    started = time.perf_counter()
    inputs = [path for path in (args.transactions, args.footfall) if path is not None]
    try:
        destination = Destination.prepare(args.out, inputs)
    except DestinationError as error:
        fail([str(error)])
    try:
        results = calibrate_store(args)
        try:
            write_outputs(args, results, destination.staging)
            destination.commit()
        except OSError as error:
            fail([f"--out {args.out}: cannot write ({error.strerror or error}); nothing was written"])
    finally:
        destination.abandon()
    print(_summary(args, results, time.perf_counter() - started))
