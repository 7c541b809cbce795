"""The run folder: the files a run leaves, how they are written, and how they are read back.

One run (``storesim OVERRIDES``, or one job of ``storesim -m``) writes into its folder:

- ``summary.json``: every KPI's mean and 95% interval, each replication's KPIs, the config;
- ``timeseries.csv``: one row per replication and time bucket;
- ``customers.csv`` and ``staff_timeline.csv``: one row per customer, and per stretch of
  time an employee spent in one state (only with ``output.customers=true``);
- with ``output.format=parquet`` the tables are ``timeseries.parquet``,
  ``customers.parquet``, ``staff_timeline.parquet`` ... instead: the same columns and values
  (floats rounded to 6 decimals, an empty cell a NaN), read by :func:`read_table` alike. A
  folder never holds a table in both formats;
- ``weeks.csv``: one row per replication and week of a run of several days (``run.days`` > 1;
  columns ``sim.days.WEEK_COLUMNS``, docs/kpis.md);
- ``manifest.json``: each file's size and sha256, written last: the run's seal;
- ``failure.json`` (a sweep job that failed: error, overrides, traceback) or
  ``skipped.json`` (a sweep job whose earlier results were reused);
- ``.hydra/``: Hydra's record of the run (``config.yaml``, ``overrides.yaml``, ``hydra.yaml``);
- ``report/``: the HTML report, when one is built.

A sweep folder holds one run folder per job (Hydra numbers them) and the sweep tables
(always CSV: one row per job, small, and opened in spreadsheets).
The application (``storesim.scenarios``) writes these files; the report and every other
reader take the names, the statuses and the readers from here.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml

from ..sim.params.output import TABLE_FORMATS
from .kpi_domains import domain_of

if TYPE_CHECKING:  # pandas (and pyarrow, which it loads) only when a table is read: a run never reads one
    import pandas as pd

SUMMARY = "summary.json"
TIMESERIES, CUSTOMERS, STAFF_TIMELINE, STAFF_SCORECARD = "timeseries", "customers", "staff_timeline", "staff_scorecard"
WEEKS = "weeks"
"""A run's tables, each in one file named ``<table>.<format>`` (:func:`table_file`)."""
TABLES = (TIMESERIES, CUSTOMERS, STAFF_TIMELINE, STAFF_SCORECARD, WEEKS)
CSV, PARQUET = TABLE_FORMATS
MANIFEST = "manifest.json"
FAILURE = "failure.json"
SKIPPED = "skipped.json"
ADDED = "added_replications.json"
SUMMARY_CSV, SUMMARY_LONG_CSV, COMPARISON_CSV = "sweep_summary.csv", "sweep_summary_long.csv", "sweep_comparison.csv"
"""A sweep folder's own tables (``scenarios/sweep_tables.py`` writes them)."""
"""A sweep job's replications added by the sweep's selection of the best plan (``sweep.delta``)."""
RUN_LOCK = ".storesim.lock"
REPORT_DIR = "report"
HYDRA_DIR = ".hydra"
PARQUET_INSTALL = 'pip install "storesim[parquet]"'
"""How to get what Parquet tables need (pyarrow)."""


def table_file(table: str, table_format: str) -> str:
    """The file name of ``table`` (``TIMESERIES`` ...) stored as ``table_format`` (``csv``,
    ``parquet``): ``customers.parquet``."""
    return f"{table}.{table_format}"


TABLE_FILES = tuple(table_file(table, fmt) for table in TABLES for fmt in TABLE_FORMATS)
"""Every name a table's file may have."""
RESULTS = (MANIFEST, SUMMARY, *TABLE_FILES)
"""A run's results: all of them, or none, belong to one attempt."""

OK, SKIP, FAILED, MISSING = "ok", "skipped", "failed", "missing"
"""A sweep job's status: ran, reused earlier results, failed, or left no results."""

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def package_version() -> str:
    """storesim's installed version, ``unknown`` when run from a source tree."""
    try:
        return version("storesim")
    except PackageNotFoundError:
        return "unknown"


# --- writing --------------------------------------------------------------------------------

def parquet_missing() -> str | None:
    """Why Parquet tables can be neither written nor read here (pyarrow cannot be imported),
    one line with the fix; None when they can."""
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return f"Parquet tables need pyarrow, which is not installed; {PARQUET_INSTALL}"
    return None


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` (or bytes) to ``path`` so that readers see the old file or the whole new one.

    The text goes to a temporary ``.<name>.<random>.tmp`` in the same folder, which is then
    renamed into place; a killed writer leaves only that temporary file
    (:func:`remove_temporary_files`). An OSError names ``path``, not the temporary name.
    """
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from None
    try:
        with (os.fdopen(fd, "wb") if isinstance(text, bytes) else os.fdopen(fd, "w", newline="")) as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes files private; outputs are for everyone who may read the folder
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):  # a full disk: name the file, not its temporary name
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise


def remove_temporary_files(out_dir: Path) -> None:
    """Remove the ``.<name>.<random>.tmp`` files :func:`write_atomic` leaves when a run is killed."""
    for leftover in out_dir.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest(paths: Sequence[Path]) -> dict[str, Any]:
    """The ``manifest.json`` document: ``{"files": {name: {"bytes": size, "sha256": hex}}}``."""
    return {"files": {path.name: {"bytes": path.stat().st_size, "sha256": _sha256(path)} for path in paths}}


# --- reading one run ------------------------------------------------------------------------

class DamagedFile(ValueError):
    """A run's file is cut short or is not what the run wrote; the message names the file."""


class NeedsPyarrow(ImportError):
    """A Parquet table, and pyarrow is not installed; the message names the file and the fix."""


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON document at ``path``, or None if it is absent or unreadable."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def read_yaml(path: Path) -> Any:
    """The YAML document at ``path`` (Hydra's records), or None if it is absent or unreadable."""
    try:
        return yaml.load(path.read_text(), Loader=_Loader)
    except (OSError, yaml.YAMLError):
        return None


def unfinished(out_dir: Path) -> str | None:
    """Why the run in ``out_dir`` cannot be trusted as finished, or None if it can: its
    ``manifest.json`` (written last) must exist and match every file it lists, and the
    summary's KPI means must lie inside their own intervals and their domains."""
    try:
        files = json.loads((out_dir / MANIFEST).read_text())["files"]
        for name, expected in files.items():
            path = out_dir / name
            if not path.is_file() or path.stat().st_size != expected["bytes"] or _sha256(path) != expected["sha256"]:
                return f"{name} differs from what the run wrote ({MANIFEST})"
        kpis = json.loads((out_dir / SUMMARY).read_text())["kpis"] if SUMMARY in files else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return f"no readable {MANIFEST} (the run did not finish)"
    if not isinstance(kpis, dict):
        return f"{SUMMARY} is not listed in {MANIFEST} or holds no kpis"
    for name, ci in kpis.items():
        mean, low, high = (ci or {}).get("mean"), (ci or {}).get("ci_low"), (ci or {}).get("ci_high")
        domain = domain_of(name)
        if mean is None:
            continue
        if (domain is not None and not domain.contains(mean)) or \
                (low is not None and high is not None and not low - 1e-9 <= mean <= high + 1e-9):
            return f"{SUMMARY}: {name} mean {mean} lies outside its interval [{low}, {high}] or its domain"
    return None


def find_table(folder: Path, table: str) -> Path | None:
    """The file holding ``table`` (``TIMESERIES`` ...) in the run folder ``folder``, in
    whichever format the run wrote it (``csv`` first, should both exist); None when the run
    kept no such table."""
    for fmt in TABLE_FORMATS:
        path = folder / table_file(table, fmt)
        if path.exists():
            return path
    return None


def read_table(path: Path | None, columns: Sequence[str] | None = None,
               text: Sequence[str] = ()) -> dict[str, np.ndarray]:
    """One of a run's tables (a ``.csv`` or ``.parquet`` file, by its suffix) as one array per
    column: ``text`` columns as strings, the others as floats (an empty cell is NaN); only
    ``columns`` when given. ``{}`` for a file that is absent (or None) or empty.

    Raises DamagedFile for a file cut short (by a full disk or a killed copy) or otherwise
    unreadable: a CSV file that does not end its last line, has a row with extra cells or a
    number column holding something else; a Parquet file without its footer. Raises
    NeedsPyarrow for a Parquet file when pyarrow is not installed.
    """
    if path is None or not path.exists() or path.stat().st_size == 0:
        return {}
    import pandas as pd

    try:
        frame = _read_parquet(path, columns) if path.suffix == f".{PARQUET}" else _read_csv(path, columns, text)
        return {name: values.fillna("").to_numpy(object) if name in text else values.to_numpy(float)
                for name, values in frame.items()}
    except DamagedFile:
        raise
    except (ValueError, pd.errors.ParserError) as error:
        raise DamagedFile(f"{path}: truncated or damaged ({' '.join(str(error).split())})") from None


def _read_csv(path: Path, columns: Sequence[str] | None, text: Sequence[str]) -> pd.DataFrame:
    with open(path, "rb") as handle:
        handle.seek(-1, os.SEEK_END)
        if handle.read(1) != b"\n":
            raise DamagedFile(f"{path}: truncated or damaged (its last line is cut short)")
    import pandas as pd

    wanted = (lambda name: name in columns) if columns is not None else None
    # only an empty cell is missing: an employee may be called NA
    return pd.read_csv(path, usecols=wanted, dtype={name: str for name in text}, keep_default_na=False, na_values=[""])


def _read_parquet(path: Path, columns: Sequence[str] | None) -> pd.DataFrame:
    why = parquet_missing()
    if why is not None:
        raise NeedsPyarrow(f"{path}: {why}")
    import pandas as pd
    import pyarrow
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
        return pd.read_parquet(path, engine="pyarrow", columns=[n for n in names if columns is None or n in columns])
    except (OSError, pyarrow.ArrowException) as error:  # a footer cut off, a page that does not decode
        raise DamagedFile(f"{path}: truncated or damaged ({' '.join(str(error).split())})") from None


# --- the jobs of a sweep --------------------------------------------------------------------

@dataclass
class Job:
    """One run as a job of a sweep: its number, overrides, folder, status and results.

    Attributes:
        num: Hydra's job number (a single run's position among the runs read).
        overrides: the job's overrides as written on the command line.
        folder: the job's run folder; None when the sweep planned it but it left none.
        status: ``ok``, ``skipped``, ``failed`` or ``missing``.
        summary: ``summary.json``; None without results.
        error: why a failed or missing job has no results, one line.
    """

    num: int
    overrides: list[str]
    folder: Path | None
    status: str
    summary: dict[str, Any] | None = None
    error: str = ""

    def override_values(self) -> dict[str, str]:
        """``{key: value}`` of the job's overrides, as written on the command line."""
        return dict(split_override(text) for text in self.overrides)

    def kpi(self, name: str, field: str = "mean") -> float:
        """A KPI's mean (or ``ci_low``, ``ci_high``, ``std``) from ``summary.json``; NaN if absent."""
        value = ((self.summary or {}).get("kpis", {}).get(name) or {}).get(field)
        return float("nan") if value is None else float(value)

    def per_replication(self, name: str) -> list[float]:
        """A KPI's value in each replication (NaN where it was undefined)."""
        rows = (self.summary or {}).get("per_replication", [])
        return [float("nan") if row.get(name) is None else float(row[name]) for row in rows]


def split_override(text: str) -> tuple[str, str]:
    """``"key=value"`` -> ``("key", "value")``; the key never holds ``=``."""
    key, _, value = text.partition("=")
    return key, value


def own_overrides(folder: Path) -> list[str]:
    """The overrides Hydra recorded for the run in ``folder`` (none without ``.hydra``)."""
    overrides = read_yaml(folder / HYDRA_DIR / "overrides.yaml")
    return [str(o) for o in overrides] if isinstance(overrides, list) else []


def job_folders(sweep_dir: Path) -> dict[tuple[int, tuple[str, ...]], Path]:
    """Every job folder under ``sweep_dir``, keyed by (job number, overrides): the folders
    holding Hydra's ``.hydra/overrides.yaml`` and ``.hydra/hydra.yaml`` with the job's number."""
    found = {}
    for overrides_file in sorted(sweep_dir.rglob(f"{HYDRA_DIR}/overrides.yaml")):
        folder = overrides_file.parent.parent
        overrides = read_yaml(overrides_file)
        hydra_cfg = read_yaml(folder / HYDRA_DIR / "hydra.yaml")
        try:
            num = int(hydra_cfg["hydra"]["job"]["num"])
        except (TypeError, KeyError, ValueError):
            continue
        if isinstance(overrides, list):
            found[(num, tuple(str(o) for o in overrides))] = folder
    return found


def read_job(num: int, overrides: list[str], folder: Path | None,
             unrecorded: Mapping[str, str] | None = None) -> Job:
    """A job's status and results from its folder: failed with ``failure.json``, ok (or
    skipped, with ``skipped.json``) with ``summary.json``, else missing. ``unrecorded``
    maps a resolved folder to the error of a job that failed without being able to write
    its ``failure.json`` (a full disk)."""
    if folder is None:
        return Job(num, overrides, None, MISSING, error="no job folder")
    failure = read_json(folder / FAILURE)
    if failure is not None:
        error = f"{failure.get('error_type', 'Error')}: {failure.get('message', '')}"
        return Job(num, overrides, folder, FAILED, error=" | ".join(error.splitlines()))
    summary = read_json(folder / SUMMARY)
    lost = (unrecorded or {}).get(str(folder.resolve())) if summary is None else None
    if lost is not None:
        return Job(num, overrides, folder, FAILED, error=lost)
    if summary is None:
        return Job(num, overrides, folder, MISSING, error=f"no {SUMMARY} (job killed?)")
    status = SKIP if (folder / SKIPPED).exists() else OK
    return Job(num, overrides, folder, status, summary)


def swept_keys(jobs: list[Job]) -> list[str]:
    """The override keys that vary from job to job (the sweep's dimensions), in order;
    every key of a one-job sweep."""
    keys: list[str] = []
    for job in jobs:
        keys.extend(k for k in job.override_values() if k not in keys)
    values = [job.override_values() for job in jobs]
    varying = [k for k in keys if len({v.get(k) for v in values}) > 1]
    return varying or (keys if len(jobs) == 1 else [])
