"""The store model: SimPy processes and the domain. Knows nothing of Hydra or files."""

from .params import ScenarioParams
from .records import ReplicationResult
from .store import Store, run_replication

__all__ = ["ScenarioParams", "ReplicationResult", "Store", "run_replication"]
