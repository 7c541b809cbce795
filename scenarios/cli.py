"""Console entry point: the Hydra app with user mistakes turned into one-line errors.

Hydra prints its own errors with a hint about stack traces and exits 1; here a wrong
key, type, value or option prints ``storesim: error: <key>: <problem>`` lines and exits 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from .cli_errors import exit_quietly_on_broken_pipe, report_user_error


def run_hydra_app(app: Callable[[], None], program: str) -> None:
    """Run a Hydra app; user errors exit 2 with a message and no traceback."""
    os.environ["HYDRA_FULL_ERROR"] = "1"
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from .config import ConfigError

    try:
        refuse_deletions(sys.argv[1:])
        app()
    except (HydraException, OmegaConfBaseException, ConfigError) as error:
        report_user_error(error, program)
    except BrokenPipeError:
        exit_quietly_on_broken_pipe()
    except ValueError as error:  # Hydra's own check of its flags, e.g. -m together with --cfg
        if "--multirun" not in str(error):
            raise
        report_user_error(error, program)
    except KeyboardInterrupt:
        print(f"{program}: interrupted; finished files are complete, nothing half-written is left", file=sys.stderr)
        job = _job_config(sys.exc_info()[2])
        sweep_dir = _setting(job, "hydra.sweep.dir")
        run_dir = _setting(job, "hydra.runtime.output_dir")
        if run_dir and "-m" not in sys.argv[1:] and "--multirun" not in sys.argv[1:]:
            from .app import _discard_if_empty

            _discard_if_empty(Path(run_dir))  # nothing but Hydra's bookkeeping: no run folder left
        print(f"{program}: {resume_hint(program, sweep_dir)}", file=sys.stderr)
        sys.exit(130)


def refuse_deletions(args: list[str]) -> None:
    """One rule for ``~key``: deleting a setting is refused (it would silently bring back the
    schema's default, or fail for a single key); removing a config group (``~experiment``) is
    Hydra's own and allowed."""
    from .. import conf as conf_package
    from .config import ConfigError

    conf = Path(conf_package.__file__).parent
    for arg in args:
        if arg.startswith("~"):
            key = arg[1:].split("=", 1)[0]
            if not (conf / key).is_dir() and not key.startswith("hydra/"):
                raise ConfigError(f"{key}: deleting a setting (~{key}) is not supported; set the value you want "
                                  f"instead ({key}=...; storesim --cfg job shows every setting)")


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
        print(HELP)
        return
    from .app import app

    run_hydra_app(app, "storesim")


def plan_main() -> None:
    """``storesim-plan``: the cheapest hourly cashier plan that meets the service standard."""
    from .plan_app import plan_app

    run_hydra_app(plan_app, "storesim-plan")
