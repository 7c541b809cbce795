"""Console entry point: the Hydra app with user mistakes turned into one-line errors.

Hydra prints its own errors with a hint about stack traces and exits 1; here a wrong
key, type, value or option prints ``storesim: error: <key>: <problem>`` lines and exits 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from .cli_errors import report_user_error


def run_hydra_app(app: Callable[[], None], program: str) -> None:
    """Run a Hydra app; user errors exit 2 with a message and no traceback."""
    os.environ["HYDRA_FULL_ERROR"] = "1"
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    try:
        app()
    except (HydraException, OmegaConfBaseException) as error:
        report_user_error(error, program)
    except KeyboardInterrupt:
        print(f"{program}: interrupted; finished files are complete, nothing half-written is left", file=sys.stderr)
        sys.exit(130)


def main() -> None:
    """``storesim``: simulate one scenario, or sweep many with ``-m``."""
    from .app import app

    run_hydra_app(app, "storesim")


def plan_main() -> None:
    """``storesim-plan``: the cheapest hourly cashier plan that meets the service standard."""
    from .plan_app import plan_app

    run_hydra_app(plan_app, "storesim-plan")
