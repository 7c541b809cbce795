"""``storesim-demo``: run a teaching demo, write its figure, print what it shows.

    storesim-demo --list                  the demos, one line each
    storesim-demo utilization             write demo_output/utilization.png and explain it
    storesim-demo all --out docs/figures  every demo, in lesson order
    storesim-demo animate --quick         a short GIF of the checkout area (few frames)
    storesim-demo pooling --quiet         without the progress lines

While a demo simulates, its progress over all its replications goes to stderr (a bar on a
terminal, else a done/total line at most every few seconds); stdout holds only the results.
Bad arguments print one ``storesim-demo: error: ...`` line naming the problem and exit 2.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from .cli_errors import quiet_on_broken_pipe

if TYPE_CHECKING:
    from ..analysis.demos import DemoContext
    from ..sim import ScenarioParams
    from .runner import ScenarioResult

PROGRAM = "storesim-demo"
EXIT_USAGE = 2
ALL = "all"


class DemoArgumentParser(argparse.ArgumentParser):
    """argparse that reports a usage error as one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments"):
            message += "; the options are --list, --out DIR, --quick, --jobs N, --quiet"
        fail(message)


def fail(message: str) -> NoReturn:
    """Print ``storesim-demo: error: MESSAGE`` on stderr and exit 2."""
    print(f"{PROGRAM}: error: {message}", file=sys.stderr)
    sys.exit(EXIT_USAGE)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text!r}")
    return value


def build_parser() -> DemoArgumentParser:
    parser = DemoArgumentParser(prog=PROGRAM, description="Teaching demos: each runs a small sweep with "
                                "replications, writes one figure and prints what it shows.")
    parser.add_argument("name", nargs="?", help=f"the demo to run, or {ALL!r} (see --list)")
    parser.add_argument("--list", action="store_true", help="list the demos and exit")
    parser.add_argument("--out", type=Path, default=Path("demo_output"), help="folder for the figures "
                        "(default: demo_output/)")
    parser.add_argument("--quick", action="store_true", help="small sizes: seconds instead of a minute")
    parser.add_argument("--jobs", type=_jobs, default=2, help="worker processes for the larger runs (default: 2)")
    parser.add_argument("--quiet", action="store_true", help="no progress lines (as STORESIM_QUIET=1)")
    return parser


def check_writable(folder: Path) -> None:
    """Create ``folder`` if needed and make sure a file can be written there, or fail."""
    if folder.exists() and not folder.is_dir():
        fail(f"--out: '{folder}' is a file; give a folder for the figures")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        fail(f"--out: cannot write figures to '{folder}' ({error.strerror or error}); "
             "give a folder you may write to")


def chosen(name: str | None, names: list[str]) -> list[str]:
    """The demos to run for ``name``, or fail naming the allowed values."""
    allowed = ", ".join([*names, ALL])
    if name is None:
        fail(f"name a demo: one of {allowed} (or --list)")
    if name == ALL:
        return names
    if name not in names:
        fail(f"unknown demo {name!r}; choose one of {allowed}")
    return [name]


def scenario_parameters(overrides: Sequence[str]) -> ScenarioParams:
    """Checked parameters for ``storesim OVERRIDES...`` (ConfigError on bad input)."""
    from .compose import compose

    return compose(*overrides)


def simulate(overrides: Sequence[str]) -> ScenarioResult:
    """Compose ``overrides`` as ``storesim`` does and run the scenario's replications."""
    return simulate_all([overrides])[0]


def simulate_all(scenarios: Sequence[Sequence[str]], what: str = "replications",
                 quiet: bool | None = None) -> list[ScenarioResult]:
    """Compose every scenario (``storesim`` overrides each) before running any, so that a bad
    override stops the demo at once; then run them in turn with one :class:`ProgressBar`
    over all their replications, labelled ``what`` (``quiet``: as ProgressBar's)."""
    from .console import ProgressBar
    from .runner import run_scenario

    checked = [scenario_parameters(overrides) for overrides in scenarios]
    bar = ProgressBar(sum(params.run.replications for params in checked), what, quiet=quiet)
    results: list[ScenarioResult] = []
    done = 0
    for params in checked:
        results.append(run_scenario(params, on_replication=lambda k, before=done: bar(before + k)))
        done += params.run.replications
    return results


def demo_context(out_dir: Path, quick: bool = False, jobs: int = 2, what: str = "replications",
                 quiet: bool | None = None) -> DemoContext:
    """The demos' context: they write into ``out_dir`` and compose and run their scenarios
    as the ``storesim`` command does, with progress labelled ``what`` on stderr (none when
    ``quiet``, or when None and ``STORESIM_QUIET=1``)."""
    from functools import partial

    from ..analysis.demos import DemoContext
    from .console import ProgressBar

    return DemoContext(out_dir, scenario_parameters, partial(simulate_all, what=what, quiet=quiet),
                       quick=quick, jobs=jobs, progress=lambda label, total: ProgressBar(total, label, quiet=quiet))


@quiet_on_broken_pipe
def main(argv: list[str] | None = None) -> None:
    """``storesim-demo``: run the chosen demos; user errors exit 2 with one line, no traceback.
    Output piped into a command that stops reading (``| head``) ends quietly."""
    args = build_parser().parse_args(argv)
    from ..analysis.demos import DEMOS

    if args.list:
        width = max(map(len, DEMOS))
        for demo in DEMOS.values():
            print(f"{demo.name:<{width}}  {demo.summary}")
        return
    names = chosen(args.name, list(DEMOS))
    check_writable(args.out)
    try:
        for name in names:
            started = time.perf_counter()
            context = demo_context(args.out, quick=args.quick, jobs=args.jobs, what=f"{name} replications",
                                   quiet=args.quiet or None)
            result = DEMOS[name].run(context)
            print(f"{name}: {result.figure} ({time.perf_counter() - started:.1f} s)")
            for line in result.explanation:
                print(f"  {line}")
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted", file=sys.stderr)
        sys.exit(130)
