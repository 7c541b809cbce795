"""The output folder of a calibration, written as a whole or not at all.

``Destination.prepare`` checks ``--out`` before any work: it must not be an existing file,
an existing folder must be empty or an earlier calibration's (one holding
``calibration.json``; it is replaced), no input file may lie inside it, the disk must have
``MIN_FREE_BYTES`` free, and a staging folder ``.NAME.tmp-*`` is created beside it, which
proves the place writable. The outputs are written
into the staging folder; ``commit`` renames it to ``--out`` (an earlier calibration there is
renamed aside first and removed after), ``abandon`` removes it and any parent folder
``prepare`` created. A reader therefore sees the old set or the whole new one, never a mix.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MARKER = "calibration.json"
"""The file that marks a folder as an earlier calibration's (which may be replaced)."""
MIN_FREE_BYTES = 5 * 2**20
"""Free space needed beside ``--out`` (the outputs take about 1 MB: four figures and the JSON)."""


class DestinationError(ValueError):
    """``--out`` cannot take the outputs; the message is one line."""


def _reason(error: OSError) -> str:
    return error.strerror or str(error)


@dataclass
class Destination:
    """``--out`` and its staging folder."""

    out: Path
    staging: Path
    created: list[Path] = field(default_factory=list)
    """Parent folders ``prepare`` created (removed again by ``abandon``)."""
    committed: bool = False

    @classmethod
    def prepare(cls, out: Path, inputs: list[Path]) -> Destination:
        """Check ``out`` and create the staging folder beside it (DestinationError if it cannot be)."""
        where = f"--out {out}"
        if out.exists() and not out.is_dir():
            raise DestinationError(f"{where}: an existing file, not a folder; choose a folder name")
        if out.is_dir():
            inside = [p for p in inputs if out.resolve() in p.resolve().parents]
            if inside:
                raise DestinationError(f"{where}: holds the input {inside[0]}, which replacing the folder would "
                                       "delete; choose another folder")
            if any(out.iterdir()) and not (out / MARKER).is_file():
                raise DestinationError(f"{where}: a folder with other files in it; choose a new or empty folder "
                                       f"(an earlier calibration's folder, with {MARKER}, is replaced)")
        parent = out.resolve().parent
        created = []
        try:
            missing = [p for p in [parent, *parent.parents] if not p.exists()]
            for folder in reversed(missing):
                folder.mkdir()
                created.append(folder)
            free = shutil.disk_usage(parent).free
            if free < MIN_FREE_BYTES:
                raise OSError(28, f"No space left on device: {free / 2**20:.1f} MB free, the outputs need about "
                                  f"{MIN_FREE_BYTES / 2**20:.0f} MB")
            staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{out.name}.tmp-"))
        except OSError as error:
            for folder in reversed(created):
                folder.rmdir()
            raise DestinationError(f"{where}: cannot write in {parent} ({_reason(error)})") from None
        return cls(out, staging, created)

    def commit(self) -> None:
        """Put the staged outputs in place of ``out`` (replacing an earlier calibration)."""
        os.chmod(self.staging, 0o755)  # mkdtemp makes it private; outputs are for whoever reads the folder
        old = None
        if self.out.exists():
            old = Path(tempfile.mkdtemp(dir=self.staging.parent, prefix=f".{self.out.name}.old-"))
            os.replace(self.out, old / "previous")
        try:
            os.replace(self.staging, self.out)
        except OSError:
            if old is not None:
                os.replace(old / "previous", self.out)
                shutil.rmtree(old, ignore_errors=True)
            raise
        self.committed = True
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abandon(self) -> None:
        """Remove the staging folder and the parents ``prepare`` created: nothing is left behind
        (nothing to do after ``commit``)."""
        if self.committed:
            return
        shutil.rmtree(self.staging, ignore_errors=True)
        for folder in reversed(self.created):
            try:
                folder.rmdir()
            except OSError:
                break
