"""``storesim-report PATH... [--out DIR] [--baseline N|NAME] [--currency CUR]``: compare finished runs in one page.

A PATH is a run folder (``storesim ...``) or a sweep folder (``storesim -m ...``). The
figures (PNG and SVG) and ``report.html`` go to ``--out``, by default ``report/`` inside
the one folder given (or inside the folders' common parent). A wrong argument prints one
``storesim-report: error: ...`` line and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from .cli_errors import exit_quietly_on_broken_pipe

if TYPE_CHECKING:
    from ..sim import ScenarioParams

PROGRAM = "storesim-report"
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line instead of the usage text."""

    def error(self, message: str) -> NoReturn:
        fail(message)


def fail(message: str) -> NoReturn:
    """Print ``storesim-report: error: MESSAGE`` on stderr and exit 2."""
    print(f"{PROGRAM}: error: {message}", file=sys.stderr)
    sys.exit(EXIT_USAGE)


def recorded_parameters(config: dict[str, Any]) -> ScenarioParams:
    """The model's parameters as a run recorded them (``summary.json``'s ``config``), typed
    by the schema and merged onto the defaults, but not checked again (the run was checked
    when it ran). Raises OmegaConf's errors for a config that does not fit the schema."""
    from omegaconf import OmegaConf

    from ..sim import ScenarioParams

    return OmegaConf.to_object(OmegaConf.merge(OmegaConf.structured(ScenarioParams), config))


def parser() -> argparse.ArgumentParser:
    """The command's arguments."""
    p = _Parser(prog=PROGRAM, description="Compare staffing plans: figures and one self-contained report.html "
                "from finished storesim runs or sweeps.")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                   help="a run folder (storesim ...) or a sweep folder (storesim -m ...); several to compare runs")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help="where to write the figures and report.html (default: report/ inside PATH)")
    p.add_argument("--baseline", metavar="N|NAME",
                   help="the plan the others are compared with: its job number in a sweep (its position among "
                        "several PATHs, from 0), or its name; default: job 0 or the first PATH")
    p.add_argument("--currency", metavar="CUR",
                   help="what costs are counted in, e.g. EUR or '$' (default: the runs' report_currency, "
                        "else amounts say 'cost units')")
    return p


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command; user errors exit 2 with one line and no traceback."""
    args = parser().parse_args(argv)
    from ..analysis.report import ReportInputError, build_report

    try:
        from .console import progress

        report = build_report(args.paths, args.out, args.baseline, args.currency, on_figure=progress("figures that may apply"),
                              parameters_of=recorded_parameters)
    except ReportInputError as error:
        fail(str(error))
    except OSError as error:  # an unreadable run file, or an --out that cannot be written
        fail(f"{error.filename or ''}: {error.strerror or error}".lstrip(": "))
    except KeyboardInterrupt:
        print(f"{PROGRAM}: interrupted", file=sys.stderr)
        sys.exit(130)
    try:
        print("\n".join(report.verdict))
        for note in report.notes:
            print(f"note: {note}")
        print(f"report: {report.html} ({len(report.figures)} figures, PNG and SVG beside it)")
    except BrokenPipeError:
        exit_quietly_on_broken_pipe()
