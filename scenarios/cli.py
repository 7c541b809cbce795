"""Console entry point: the Hydra app with user mistakes turned into one-line errors.

Hydra prints its own errors with a hint about stack traces and exits 1; here a wrong
key, type, value or option prints ``storesim: error: <key>: <problem>`` lines and exits 2.
"""

from __future__ import annotations

import os
import sys

from .cli_errors import report_user_error


def main() -> None:
    """``storesim``: run the app; user errors exit 2 with a message and no traceback."""
    os.environ["HYDRA_FULL_ERROR"] = "1"
    from hydra.errors import HydraException
    from omegaconf.errors import OmegaConfBaseException

    from .app import app

    try:
        app()
    except (HydraException, OmegaConfBaseException) as error:
        report_user_error(error)
    except KeyboardInterrupt:
        print("storesim: interrupted; finished files are complete, nothing half-written is left", file=sys.stderr)
        sys.exit(130)
