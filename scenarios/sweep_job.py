"""One job of a sweep: resume finished work, run the rest, and never abort the sweep.

A job's folder tells its state: ``summary.json`` and ``manifest.json`` (written last,
atomically; the files must match it) mean done,
``failure.json`` means failed, ``skipped.json`` means an earlier attempt's results were
reused. An uncaught exception would abort Hydra's whole sweep and skip the end-of-sweep
tables, so every exception of a job is recorded here and the job returns normally.
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from ..analysis.run_folder import (ADDED, FAILED, FAILURE, OK, RESULTS, SKIP, SKIPPED, SUMMARY, read_json,
                                   remove_temporary_files, unfinished, write_atomic)
from .config import ConfigError, config_hash, to_params
from .outputs import write_outputs
from .runner import run_scenario

# Jobs whose failure.json could not be written (a full disk): folder -> error. A job run in
# this process notes itself here; a job run in a joblib or SLURM worker returns the note
# (``unrecorded_note``) and the sweeper copies it here (``note_unrecorded``).
UNRECORDED: dict[str, str] = {}
UNRECORDED_KEY = "storesim_failure_unrecorded"


def unrecorded_note(out_dir: Path) -> dict[str, list[str]] | None:
    """What a sweep job returns to the launching process when its ``failure.json`` could not
    be written: ``{UNRECORDED_KEY: [folder, error]}``; None otherwise."""
    folder = str(out_dir.resolve())
    return {UNRECORDED_KEY: [folder, UNRECORDED[folder]]} if folder in UNRECORDED else None


def note_unrecorded(returns: Sequence[Any]) -> None:
    """Copy the notes of ``unrecorded_note`` among Hydra's job returns into ``UNRECORDED``, so
    the sweep table shows such a job as failed, with its reason, whichever process ran it."""
    for job_return in returns:
        try:
            value = job_return.return_value  # raises for a job that raised
        except Exception:  # noqa: BLE001 - such a job is the launcher's to report
            continue
        if isinstance(value, dict) and UNRECORDED_KEY in value:
            folder, error = value[UNRECORDED_KEY]
            UNRECORDED[folder] = error


def finished_hash(out_dir: Path) -> str | None:
    """The ``config_hash`` of the finished run in ``out_dir``, if there is one: its files must
    match its ``manifest.json`` and its summary be sane (``run_folder.unfinished``)."""
    if unfinished(out_dir) is not None:
        return None
    summary = read_json(out_dir / SUMMARY)
    return summary.get("config_hash") if isinstance(summary, dict) else None


def _write_json(path: Path, document: dict[str, Any]) -> None:
    write_atomic(path, json.dumps(document, indent=1) + "\n")


def _clear(out_dir: Path, *names: str) -> None:
    for name in names:
        (out_dir / name).unlink(missing_ok=True)


def record_failure(out_dir: Path, error: BaseException, overrides: list[str]) -> dict[str, Any]:
    """Write ``failure.json``: the error's type and message, the job's overrides, and for a
    crash (anything but a configuration error) its traceback."""
    document: dict[str, Any] = {
        "status": FAILED,
        "error_type": type(error).__name__,
        "message": str(error),
        "overrides": list(overrides),
    }
    if not isinstance(error, ConfigError):
        document["traceback"] = "".join(traceback.format_exception(error))
    out_dir.mkdir(parents=True, exist_ok=True)
    _clear(out_dir, SKIPPED)
    _write_json(out_dir / FAILURE, document)
    return document


def record_failure_or_say_so(out_dir: Path, error: BaseException, overrides: list[str]) -> None:
    """``record_failure``; if even that cannot be written (a full disk, a read-only folder),
    one line on stderr instead and a note for this process's sweep table (``UNRECORDED``),
    so the job counts as failed and the sweep goes on."""
    try:
        record_failure(out_dir, error, overrides)
    except OSError as unwritable:
        problem = f"{type(error).__name__}: {(str(error).strip().splitlines() or [''])[0]}"
        why = unwritable.strerror or str(unwritable)
        UNRECORDED[str(out_dir.resolve())] = f"{problem} (failure.json could not be written: {why})"
        print(f"storesim: error: job in {out_dir} failed ({problem}); its {FAILURE} could not be written: {why}",
              file=sys.stderr)


def run_sweep_job(cfg: DictConfig, out_dir: Path, overrides: list[str]) -> str:
    """Run one sweep job into ``out_dir``; returns its status: ok, skipped or failed."""
    try:
        remove_temporary_files(out_dir)  # left by an attempt that was killed while writing
        params = to_params(cfg, in_sweep=True)
        digest = config_hash(params)
        if finished_hash(out_dir) == digest:
            _clear(out_dir, FAILURE)
            _write_json(out_dir / SKIPPED, {"status": SKIP, "config_hash": digest,
                                            "reason": "summary.json with the same config_hash exists"})
            return SKIP
        # A fresh attempt: nothing of an earlier, different or failed attempt may survive it.
        _clear(out_dir, *RESULTS, FAILURE, SKIPPED, ADDED)
        write_outputs(out_dir, run_scenario(params))
        return OK
    except Exception as error:  # noqa: BLE001 - a job must never abort the sweep
        record_failure_or_say_so(out_dir, error, overrides)
        return FAILED
