"""Teaching demos: small sweeps with replications, each drawing one figure with its theory.

Each module registers its demos with :func:`registry.demo`; importing this package imports
them in the order a lesson takes them. To add a demo, write one decorated function in the
module whose subject it shows (policy effects go in ``policies``).
"""

from . import utilization, pooling, variability, peak_lag, abandonment, littles_law, policies, learning, satisfaction, animate  # noqa: F401
from .registry import DEMOS, Demo, DemoContext, DemoResult, demo

__all__ = ["DEMOS", "Demo", "DemoContext", "DemoResult", "demo"]
