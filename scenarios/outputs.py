"""Writing one run's files into its folder, each atomically, the manifest last.

The folder's files, their names and the atomic write are defined in
``analysis/run_folder.py``, where the readers find them too; this module renders the
application's results into them (``summary.json`` and the tables, as CSV or Parquet by
``output.format``) and guards the folder (a lock, clearing an earlier run's results,
finishing the files before a signal).

Both formats hold the same values: each table is first laid out as columns (floats rounded
to 6 decimals, NaN for NaN and infinities), then rendered as CSV text (a NaN is an empty
cell) or as Parquet bytes (pandas through pyarrow, zstd-compressed).
"""

from __future__ import annotations

import csv
import functools
import io
import json
import math
import os
import signal
import threading
from pathlib import Path
from typing import Any, Callable, TypeVar

import numpy as np

from ..analysis.run_folder import (CSV, CUSTOMERS, MANIFEST, PARQUET, REPORT_DIR, RESULTS, RUN_LOCK, STAFF_SCORECARD,
                                   STAFF_TIMELINE, SUMMARY, TABLE_FILES, TIMESERIES, WEEKS, manifest, package_version,
                                   remove_temporary_files, table_file, write_atomic)
from ..sim.days import WEEK_COLUMNS
from ..sim.records import CUSTOMER_COLUMNS, SCORECARD_COLUMNS
from .config import config_hash, params_dict
from .runner import ScenarioResult

T = TypeVar("T")


def json_ready(value: Any) -> Any:
    """NaN and infinities become null, so the JSON is standard."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    return value


def standards_met(result: ScenarioResult) -> dict[str, dict[str, Any]]:
    """For each standard set in ``standards``, its target, the mean achieved, and whether it was met."""
    std = result.params.standards
    kpis = result.kpis()
    checks = {"service_level": ("service_level", std.service_level, ">="),
              "min_csat": ("csat", std.min_csat, ">="),
              "max_abandon_rate": ("abandon_rate", std.max_abandon_rate, "<=")}
    out = {}
    for name, (kpi, target, sense) in checks.items():
        if target is None:
            continue
        achieved = kpis[kpi].mean
        met = achieved >= target if sense == ">=" else achieved <= target
        out[name] = {"target": target, "achieved": achieved, "met": bool(met)}
    return out


def summary(result: ScenarioResult) -> dict[str, Any]:
    """The ``summary.json`` document.

    Each ``per_replication`` entry holds the replication's KPIs and ``day_end_min``, the
    minute its last customer left (the end of every time average; see docs/kpis.md).
    """
    params = result.params
    return json_ready({
        "scenario": params.scenario,
        "replications": params.run.replications,
        "rough_intervals": result.rough_intervals,  # fewer than 5 replications (analysis.stats.ROUGH_BELOW)
        "seed": params.run.seed,
        "config_hash": config_hash(params),
        "version": package_version(),
        "wall_time_s": round(result.wall_time_s, 3),
        "standards": standards_met(result),
        "kpis": {name: ci.as_dict() for name, ci in result.kpis().items()},
        "per_replication": [{**r.kpis, "day_end_min": r.ended_at} for r in result.replications],
        "config": params_dict(params),
    })


def csv_text(header: list[str], rows) -> str:
    """CSV text; NaN and infinities become empty cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    return value


Columns = dict[str, np.ndarray]
"""A table laid out for writing: column name -> its values, top to bottom (floats rounded to
6 decimals, NaN for NaN and infinities; text as Python strings)."""


def timeseries_columns(result: ScenarioResult) -> Columns:
    """One row per replication and time bucket."""
    reps = result.replications
    names = list(reps[0].timeseries)
    return _table([len(rep.timeseries[names[0]]) for rep in reps],
                  {name: [rep.timeseries[name] for rep in reps] for name in names})


def customers_columns(result: ScenarioResult) -> Columns:
    """One row per replication and customer."""
    reps = result.replications
    return _table([len(rep.customers["customer_id"]) for rep in reps],
                  {name: [rep.customers[name] for rep in reps] for name in CUSTOMER_COLUMNS})


def staff_timeline_columns(result: ScenarioResult) -> Columns:
    """One row per replication and stretch of time an employee spent in one state."""
    reps = result.replications
    kinds = {"employee": object, "state": object, "start_min": float, "end_min": float}
    return _table([len(rep.staff_timeline) for rep in reps],
                  {name: [np.array([spell[i] for spell in rep.staff_timeline], dtype=kind) for rep in reps]
                   for i, (name, kind) in enumerate(kinds.items())})


def staff_scorecard_columns(result: ScenarioResult) -> Columns:
    """One row per replication and employee (``sim.records.SCORECARD_COLUMNS``)."""
    reps = result.replications
    return _table([len(rep.staff_scorecard) for rep in reps],
                  {name: [np.array([row[i] for row in rep.staff_scorecard]) for rep in reps]
                   for i, name in enumerate(SCORECARD_COLUMNS)})


def weeks_columns(result: ScenarioResult) -> Columns:
    """One row per replication and week of a run of several days (``sim.days.WEEK_COLUMNS``)."""
    reps = result.replications
    return _table([len(rep.weeks["week"]) for rep in reps],
                  {name: [np.asarray(rep.weeks[name]) for rep in reps] for name in WEEK_COLUMNS})


def _table(rows: list[int], parts: dict[str, list]) -> Columns:
    """The ``replication`` column (``rows[k]`` rows of replication k), then each column's
    values of every replication in turn."""
    table = {"replication": np.repeat(np.arange(len(rows)), rows)}
    for name, values in parts.items():
        column = np.concatenate([np.asarray(v) for v in values])
        table[name] = (rounded(column) if column.dtype.kind == "f" else
                       column.astype(object) if column.dtype.kind in "US" else column)
    return table


def rounded(values: np.ndarray) -> np.ndarray:
    """``round(v, 6)`` of every float (NaN for NaN and infinities), vectorised and exact.

    Python rounds the exact value of ``v * 10**6`` to a whole number; numpy rounds the float
    product, which differs from the exact one by at most half its spacing, so the two round
    alike except when the product lies within a spacing of a half: those few values (a few in
    a million for times under a week) and those whose product overflows go through ``round``
    itself.
    """
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = values * 1e6
        out = np.rint(scaled) / 1e6
        near_half = np.abs(scaled - np.floor(scaled) - 0.5) <= np.spacing(np.abs(scaled))
    finite = np.isfinite(values)
    exact = finite & (near_half | ~np.isfinite(scaled))  # and floats over 1e302, whose product overflows
    out[exact] = [round(v, 6) for v in values[exact].tolist()]
    out[~finite] = np.nan
    return out


def columns_csv(table: Columns) -> str:
    """A table as CSV text (a NaN is an empty cell)."""
    return csv_text(list(table), zip(*(column.tolist() for column in table.values())))


def columns_parquet(table: Columns) -> bytes:
    """A table as the bytes of a Parquet file (pandas through pyarrow; no index). zstd, not
    pandas' default snappy: about 7% smaller and no slower to write or read here."""
    import pandas as pd

    buffer = io.BytesIO()
    pd.DataFrame(table).to_parquet(buffer, engine="pyarrow", index=False, compression="zstd")
    return buffer.getvalue()


TABLE_COLUMNS: dict[str, Callable[[ScenarioResult], Columns]] = {
    TIMESERIES: timeseries_columns, CUSTOMERS: customers_columns,
    STAFF_TIMELINE: staff_timeline_columns, STAFF_SCORECARD: staff_scorecard_columns, WEEKS: weeks_columns,
}
"""Each table a run writes, and how its columns are laid out."""

RENDERERS: dict[str, Callable[[Columns], str | bytes]] = {CSV: columns_csv, PARQUET: columns_parquet}
"""Each ``output.format``, and how a table's columns become the file's contents."""


def finish_before_interrupt(write: Callable[..., T]) -> Callable[..., T]:
    """Let ``write`` finish before a Ctrl-C (SIGINT) or SIGTERM takes effect, so a run's files
    are all written or, if the signal came first, none are; the signal is handled afterwards.
    Only the main thread receives signals; elsewhere ``write`` runs as it is, and so does a
    signal that is not handled from Python (ignored, or SIGTERM's default)."""

    @functools.wraps(write)
    def shielded(*args: Any, **kwargs: Any) -> T:
        if threading.current_thread() is not threading.main_thread():
            return write(*args, **kwargs)
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        previous = {sig: handler for sig, handler in previous.items() if callable(handler)}
        caught: list[tuple[int, Any]] = []
        for sig in previous:
            signal.signal(sig, lambda signum, frame: caught.append((signum, frame)))
        try:
            return write(*args, **kwargs)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if caught:
                signum, frame = caught[0]
                previous[signum](signum, frame)  # e.g. Python's default SIGINT handler raises KeyboardInterrupt

    return shielded


@finish_before_interrupt
def write_outputs(out_dir: Path, result: ScenarioResult) -> list[Path]:
    """Write the contract's files into ``out_dir``: the tables the run kept, in its
    ``output.format``; ``summary.json``, then ``manifest.json`` (each file's size and sha256)
    last, as the run's seal. No other table file (an earlier attempt's, or the other
    format's) is left beside them."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST).unlink(missing_ok=True)  # the seal goes first, and comes back last
    fmt = result.params.output.format
    render = RENDERERS[fmt]
    first = result.replications[0]
    kept = ([TIMESERIES] + [CUSTOMERS] * (first.customers is not None) + [STAFF_TIMELINE] * (first.staff_timeline is not None)
            + [STAFF_SCORECARD] * (first.staff_scorecard is not None) + [WEEKS] * (first.weeks is not None))
    written = []
    for table in kept:
        path = out_dir / table_file(table, fmt)
        write_atomic(path, render(TABLE_COLUMNS[table](result)))
        written.append(path)
    for name in TABLE_FILES:
        if out_dir / name not in written:
            (out_dir / name).unlink(missing_ok=True)
    write_atomic(out_dir / SUMMARY, json.dumps(summary(result), indent=1) + "\n")
    written.append(out_dir / SUMMARY)
    write_atomic(out_dir / MANIFEST, json.dumps(manifest(written), indent=1) + "\n")
    return written


# --- the run folder -------------------------------------------------------------------------

class FolderBusy(Exception):
    """Another process holds the run folder's lock."""


_held: list[int] = []  # the lock files this process holds, open until it exits


def hold_run_folder(out_dir: Path) -> None:
    """Take the run folder's lock (``.storesim.lock``, an ``flock`` held until this process
    ends), creating the folder; FolderBusy if another run holds it."""
    import fcntl

    out_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(out_dir / RUN_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
        os.close(fd)
        who = f" (pid {holder})" if holder.isdigit() else ""
        raise FolderBusy(f"{out_dir}: another storesim run{who} is writing into this folder; wait for it to "
                         "finish, or choose another hydra.run.dir") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
    _held.append(fd)


def clear_old_results(out_dir: Path) -> None:
    """Remove an earlier run's results from ``out_dir`` (and temporary files a killed run
    left), so that the folder never mixes two runs' files."""
    import shutil

    for name in RESULTS:
        (out_dir / name).unlink(missing_ok=True)
    shutil.rmtree(out_dir / REPORT_DIR, ignore_errors=True)
    remove_temporary_files(out_dir)
