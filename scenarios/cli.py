"""Console entry point: the Hydra app with user mistakes turned into one-line errors.

Hydra prints its own errors with a hint about stack traces and exits 1; here a wrong
key, type, value or option prints ``storesim: error: <key>: <problem>`` lines and exits 2.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from .cli_errors import (_chain, config_file_problem, exit_quietly_on_broken_pipe, report_user_error,
                         report_write_error)


def run_hydra_app(app: Callable[[], None], program: str) -> None:
    """Run a Hydra app; user errors exit 2 with a message and no traceback. ``--quiet`` (ours,
    not Hydra's) silences the progress lines."""
    os.environ["HYDRA_FULL_ERROR"] = "1"
    import logging

    logging.raiseExceptions = False  # Hydra's log lines into a closed pipe (| head): no "Logging error" dumps
    if "--quiet" in sys.argv[1:]:
        sys.argv = [arg for arg in sys.argv if arg != "--quiet"]
        os.environ["STORESIM_QUIET"] = "1"
    check_command_line(program, sys.argv[1:])
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException
    from yaml import YAMLError

    from .config import ConfigError

    signal.signal(signal.SIGTERM, _terminate)
    try:
        refuse_deletions(sys.argv[1:])
        app()
    except (HydraException, OmegaConfBaseException, ConfigError) as error:
        report_user_error(error, program)
    except (YAMLError, UnicodeDecodeError) as error:  # a config file Hydra could not read
        if config_file_problem(_chain(error)) is None:
            raise
        report_user_error(error, program)
    except BrokenPipeError:
        exit_quietly_on_broken_pipe()
    except OSError as error:  # a full disk, a folder that cannot be made or written
        report_write_error(error, program)
    except ValueError as error:  # Hydra's own check of its flags, e.g. -m together with --cfg
        if "--multirun" not in str(error):
            raise
        report_user_error(error, program)
    except KeyboardInterrupt as stop:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut the clean-up short
        what = "terminated (SIGTERM)" if isinstance(stop, Terminated) else "interrupted"
        print(f"{program}: {what}; finished files are complete, nothing half-written is left", file=sys.stderr)
        job = _job_config(sys.exc_info()[2])
        sweep_dir = _setting(job, "hydra.sweep.dir")
        run_dir = _setting(job, "hydra.runtime.output_dir")
        if run_dir and "-m" not in sys.argv[1:] and "--multirun" not in sys.argv[1:]:
            from .app import _discard_if_empty

            _discard_if_empty(Path(run_dir))  # nothing but Hydra's bookkeeping: no run folder left
        print(f"{program}: {resume_hint(program, sweep_dir)}", file=sys.stderr)
        sys.exit(EXIT_TERMINATED if isinstance(stop, Terminated) else EXIT_INTERRUPTED)


EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM (``timeout``, SLURM, a container runtime stopping the run): handled as Ctrl-C is,
    so the same clean-up runs, but the exit code is 143."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated()


def refuse_deletions(args: list[str]) -> None:
    """One rule for ``~key``: deleting a setting is refused (it would silently bring back the
    schema's default, or fail for a single key); removing a config group (``~experiment``) is
    Hydra's own and allowed."""
    from .. import conf as conf_package
    from .config import ConfigError

    conf = Path(conf_package.__file__).parent
    for arg in args:
        if arg in ("hydra.run.dir=", "hydra.sweep.dir="):
            raise ConfigError(f"{arg[:-1]}: must name a folder (empty, the outputs would be scattered into the "
                              "current folder)")
        if arg.startswith("~"):
            key = arg[1:].split("=", 1)[0]
            if not (conf / key).is_dir() and not key.startswith("hydra/"):
                raise ConfigError(f"{key}: deleting a setting (~{key}) is not supported; set the value you want "
                                  f"instead ({key}=...; storesim --cfg job shows every setting)")


class _FlagError(Exception):
    pass


def check_command_line(program: str, args: list[str]) -> None:
    """Refuse, in one line and before Hydra starts, what Hydra's flag parser would refuse with
    its eight lines of usage (an unknown flag, a flag between overrides, a wrong flag value)
    and a list value longer than any setting takes (Hydra takes minutes to parse one)."""
    from hydra._internal.utils import get_args_parser

    from .cli_errors import EXIT_USAGE

    long_list = overlong_list(args)
    if long_list:
        print(f"{program}: error: {long_list}", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    if "--version" in args:  # argparse would print it and exit here, before Hydra
        return
    parser = get_args_parser()

    def refuse(message: str) -> None:
        raise _FlagError(message)

    parser.error = refuse  # type: ignore[method-assign]
    try:
        parser.parse_args(args)
    except _FlagError as error:
        print(f"{program}: error: {_flag_problem(str(error), args, program)}", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def _flag_problem(message: str, args: list[str], program: str) -> str:
    unknown = message.removeprefix("unrecognized arguments:").split() if message.startswith("unrecognized") else []
    flags = [a for a in unknown if a.startswith("-")]
    if flags:
        return f"unknown flag{'s' if len(flags) > 1 else ''} {', '.join(flags)}; see {program} --help"
    if unknown:  # overrides on both sides of a flag: argparse takes only the first run of them
        seen_override = False
        for arg in args:
            if arg.startswith("-") and seen_override:
                return (f"flag {arg} comes after an override: put every flag before the overrides, "
                        f"e.g. {program} {arg} key=value ...")
            seen_override = seen_override or ("=" in arg and not arg.startswith("-"))
        return f"unexpected arguments {' '.join(unknown)}; see {program} --help"
    return f"{message}; see {program} --help"


# One value per opening minute of a 24-hour day: more than any per-hour list can take.
MAX_LIST_ITEMS = 1440


def overlong_list(args: list[str], limit: int = MAX_LIST_ITEMS) -> str | None:
    """``key: ...`` for an override with a ``[...]`` list of more than ``limit`` items.

    Counts the commas of each list, whatever the key, so it costs nothing next to Hydra's
    override parser, which needs minutes for a list of 20,000 numbers before any check can
    refuse it. A sweep over several lists (``key=[1,2],[3,4]``) counts each list alone.
    """
    for arg in args:
        key, equals, value = arg.partition("=")
        if not equals or arg.startswith("-") or "[" not in value:
            continue
        items = longest_list(value)
        if items > limit:
            return (f"{key.lstrip('+~')}: a list of {items:,} values is longer than any setting takes "
                    f"(at most {limit:,}, one per minute of a day; per-hour lists take one per opening hour)")
    return None


def longest_list(text: str) -> int:
    """The most items of any ``[...]`` list in ``text`` (commas inside ``{...}`` or quotes
    belong to the item)."""
    counts: list[int | None] = []  # one entry per open bracket: items so far, None for {
    longest, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            counts.append(1 if char == "[" else None)
        elif char in "]}" and counts:
            items = counts.pop()
            longest = max(longest, items or 0)
        elif char == "," and counts and counts[-1] is not None:
            counts[-1] += 1
    return longest


def resume_hint(program: str, sweep_dir: str | None = None) -> str:
    """How to pick up an interrupted run: the same command; a sweep in the same folder."""
    import shlex

    args = sys.argv[1:]
    command = " ".join(shlex.quote(a) for a in [program, *args])
    if "-m" not in args and "--multirun" not in args:
        return f"to run it again (a single run starts over): {command}"
    if not any(a.startswith("hydra.sweep.dir=") for a in args):
        command += f" {shlex.quote(f'hydra.sweep.dir={sweep_dir}')}" if sweep_dir else " hydra.sweep.dir=<its folder>"
    return f"to resume (finished jobs are skipped): {command}"


def _job_config(trace):
    """The config of the job Hydra was running when interrupted (None if it got not that far)."""
    from omegaconf import DictConfig

    while trace is not None:
        config = trace.tb_frame.f_locals.get("config")
        if isinstance(config, DictConfig) and "hydra" in config:
            return config
        trace = trace.tb_next
    return None


def _setting(config, key: str) -> str | None:
    from omegaconf import OmegaConf

    try:
        value = OmegaConf.select(config, key) if config is not None else None
    except Exception:  # noqa: BLE001 - only a hint
        return None
    return str(value) if value else None


def main() -> None:
    """``storesim``: simulate one scenario, or sweep many with ``-m``."""
    from .help_page import HELP, wants_help

    if wants_help(sys.argv[1:]):
        try:
            print(HELP)
        except BrokenPipeError:  # storesim --help | head
            exit_quietly_on_broken_pipe()
        return
    from .app import app

    run_hydra_app(app, "storesim")


def plan_main() -> None:
    """``storesim-plan``: the cheapest hourly cashier plan that meets the service standard.
    It plans one store at a time: ``-m`` is refused (sweep the store with ``storesim -m``)."""
    if "-m" in sys.argv[1:] or "--multirun" in sys.argv[1:]:
        from .cli_errors import EXIT_USAGE

        print("storesim-plan: error: -m is not supported: the planner plans one store at a time; run "
              "storesim-plan once per setting (or compare fixed plans with storesim -m ...)", file=sys.stderr)
        sys.exit(EXIT_USAGE)
    from .plan_app import plan_app

    run_hydra_app(plan_app, "storesim-plan")
