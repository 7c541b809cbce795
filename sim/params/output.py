"""``output.*``: what each replication keeps besides the KPIs."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Optional

from ..checks import Problems, bounded

TABLE_FORMATS = ("csv", "parquet")
"""How a run's tables are stored: CSV text, or Apache Parquet (columnar, compressed; written
and read through pyarrow, the ``parquet`` extra)."""


@dataclass
class OutputParams:
    """What each replication keeps besides the KPIs."""

    customers: Optional[bool] = True
    """Keep one record per customer and the staff timeline (the ``customers`` and
    ``staff_timeline`` tables). The commands' default is null (``conf/config.yaml``): on for a
    single run, off for the jobs of a sweep; the model itself needs true or false."""
    bucket_min: float = bounded(15.0, 0.1, 24 * 60)
    """Width of the time buckets of the ``timeseries`` table (at most ``MAX_BUCKETS`` over the opening
    time plus ``OVERTIME_ALLOWANCE_MIN``)."""

    format: str = "csv"
    """How the run folder stores its tables (``timeseries``, ``customers``, ``staff_timeline``):
    ``csv`` or ``parquet`` (smaller and faster to write and read for big runs and sweeps; needs
    pyarrow, ``pip install "storesim[parquet]"``). The model ignores it; it enters the
    ``config_hash``, so a sweep resumed in the other format runs its jobs again."""

    MAX_BUCKETS = 25_000
    OVERTIME_ALLOWANCE_MIN = 24 * 60.0
    """Time past closing the bucket cap allows for: the buckets cover the whole run, overtime
    included (a run still past closing after this keeps counting, in buckets of the same width)."""

    def problems(self, p: Problems, horizon_min: float | None = None, prefix: str = "output") -> None:
        """``customers`` true or false; ``format`` one of ``TABLE_FORMATS``; given the opening time (``horizon_min``, once it is known
        to be fine), at most ``MAX_BUCKETS`` time buckets."""
        p.flag(prefix, self, "customers")
        p.choice(f"{prefix}.format", self.format, TABLE_FORMATS)
        if horizon_min is not None and p.clear(f"{prefix}.bucket_min"):
            span = horizon_min + self.OVERTIME_ALLOWANCE_MIN
            buckets = math.ceil(span / self.bucket_min)
            p.need(buckets <= self.MAX_BUCKETS, f"{prefix}.bucket_min",
                   f"gives {buckets} time buckets over {horizon_min:g} minutes of opening plus "
                   f"{self.OVERTIME_ALLOWANCE_MIN:g} of overtime, more than {self.MAX_BUCKETS}; "
                   f"it must be >= {span / self.MAX_BUCKETS:g}", self.bucket_min)
