"""Output files of one run, per the output contract, each written atomically.

A file is written to a temporary name in the same folder and renamed into place, so a
killed run never leaves a half-written file that a later resume would trust.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import math
import os
import signal
import tempfile
import threading
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Callable, TypeVar

from ..sim.records import CUSTOMER_COLUMNS
from .config import config_hash, params_dict
from .runner import ScenarioResult

SUMMARY = "summary.json"
TIMESERIES = "timeseries.csv"
CUSTOMERS = "customers.csv"
STAFF_TIMELINE = "staff_timeline.csv"
MANIFEST = "manifest.json"
RUN_LOCK = ".storesim.lock"
REPORT_DIR = "report"
T = TypeVar("T")


def package_version() -> str:
    try:
        return version("storesim")
    except PackageNotFoundError:  # running from a source tree
        return "unknown"


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the whole new one."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "w", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes files private; outputs are for everyone who may read the folder
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError):  # a full disk: name the file, not its temporary name
            raise OSError(error.errno, error.strerror, str(path)) from None
        raise


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


def timeseries_csv(result: ScenarioResult) -> str:
    """One row per replication and time bucket."""
    first = result.replications[0].timeseries
    header = ["replication", *first.keys()]
    rows = []
    for k, rep in enumerate(result.replications):
        columns = list(rep.timeseries.values())
        rows.extend([k, *(_fmt(c[i]) for c in columns)] for i in range(len(columns[0])))
    return csv_text(header, rows)


def customers_csv(result: ScenarioResult) -> str:
    """One row per replication and customer."""
    rows = []
    for k, rep in enumerate(result.replications):
        cols = [rep.customers[name].tolist() for name in CUSTOMER_COLUMNS]
        rows.extend([k, *(_fmt(v) for v in values)] for values in zip(*cols))
    return csv_text(["replication", *CUSTOMER_COLUMNS], rows)


def staff_timeline_csv(result: ScenarioResult) -> str:
    """One row per replication and stretch of time an employee spent in one state."""
    rows = []
    for k, rep in enumerate(result.replications):
        rows.extend([k, employee, state, _fmt(start), _fmt(end)] for employee, state, start, end in rep.staff_timeline)
    return csv_text(["replication", "employee", "state", "start_min", "end_min"], rows)


def _fmt(value: Any) -> Any:
    if isinstance(value, float):
        return "" if math.isnan(value) else round(value, 6)
    return value


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
    """Write the contract's files into ``out_dir``; ``summary.json``, then ``manifest.json``
    (each file's size and sha256) last, as the run's seal."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / MANIFEST).unlink(missing_ok=True)  # the seal goes first, and comes back last
    written = [out_dir / TIMESERIES]
    write_atomic(out_dir / TIMESERIES, timeseries_csv(result))
    if result.replications[0].customers is not None:
        write_atomic(out_dir / CUSTOMERS, customers_csv(result))
        written.append(out_dir / CUSTOMERS)
    if result.replications[0].staff_timeline is not None:
        write_atomic(out_dir / STAFF_TIMELINE, staff_timeline_csv(result))
        written.append(out_dir / STAFF_TIMELINE)
    else:  # never leave an earlier attempt's timeline beside this run's results
        (out_dir / STAFF_TIMELINE).unlink(missing_ok=True)
    write_atomic(out_dir / SUMMARY, json.dumps(summary(result), indent=1) + "\n")
    written.append(out_dir / SUMMARY)
    write_atomic(out_dir / MANIFEST, json.dumps(manifest(written), indent=1) + "\n")
    return written


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def manifest(paths: list[Path]) -> dict[str, Any]:
    """The ``manifest.json`` document: each file's size and sha256, as this run wrote it."""
    return {"files": {path.name: {"bytes": path.stat().st_size, "sha256": _sha256(path)} for path in paths}}


def unfinished(out_dir: Path) -> str | None:
    """Why the run in ``out_dir`` cannot be trusted as finished, or None if it can: its
    ``manifest.json`` (written last) must exist and match every file it lists, and the
    summary's KPI means must lie inside their own intervals and their domains."""
    from ..analysis.kpi_domains import domain_of

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

    for name in (MANIFEST, SUMMARY, TIMESERIES, CUSTOMERS, STAFF_TIMELINE):
        (out_dir / name).unlink(missing_ok=True)
    shutil.rmtree(out_dir / REPORT_DIR, ignore_errors=True)
    remove_temporary_files(out_dir)


def remove_temporary_files(out_dir: Path) -> None:
    """Remove the ``.<name>.<random>.tmp`` files ``write_atomic`` leaves when a run is killed."""
    for leftover in out_dir.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
