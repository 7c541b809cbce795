"""Reading and checking the store's files: the till log and the door counts.

Transactions (one row per checkout transaction): ``register``, ``start``, ``end`` (ISO
timestamps, wall-clock time; a UTC offset is ignored), ``items`` (a whole number >= 0),
``amount`` (money; negative for refunds), optional ``exception`` (none, price_match,
return, coupon; empty means none) and ``cashier``. Footfall (door counts): ``date``,
``hour`` (0-23, the clock hour the count covers), ``entries``.

Every check is a vectorised test over a whole column. A file with bad rows raises
:class:`DataError` naming the file, the column and the first offending lines (line 1
is the header), unless the caller asks to drop the bad rows; then the counts dropped per
problem are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

TRANSACTION_COLUMNS = ("register", "start", "end", "items", "amount")
OPTIONAL_TRANSACTION_COLUMNS = ("exception", "cashier")
FOOTFALL_COLUMNS = ("date", "hour", "entries")
EXCEPTION_VALUES = {"none": "none", "price_match": "price_match", "return": "returns", "returns": "returns",
                    "coupon": "coupon"}
"""Values of the ``exception`` column -> storesim's exception kinds (``exceptions.*``)."""
SHOWN_LINES = 5
_OFFSET = r"(?:Z|[+-]\d\d:?\d\d)$"


class DataError(ValueError):
    """An input file is unusable; the message has one line per problem."""


@dataclass
class BadRows:
    """Rows of one column that fail one check."""

    column: str
    problem: str
    rows: np.ndarray
    """Positions (0 = first data row) of the offending rows."""

    def message(self, path: Path) -> str:
        lines = ", ".join(str(r + 2) for r in self.rows[:SHOWN_LINES])
        more = f" and {self.rows.size - SHOWN_LINES} more" if self.rows.size > SHOWN_LINES else ""
        rows = "row" if self.rows.size == 1 else "rows"
        return f"{path}: column '{self.column}': {self.problem} in {self.rows.size} {rows} (line {lines}{more})"


@dataclass
class Checked:
    """A file's usable rows and what was dropped from it."""

    path: Path
    frame: pd.DataFrame
    rows_read: int
    dropped: dict[str, int] = field(default_factory=dict)
    """``"column 'c': problem"`` -> rows dropped for it (a row failing two checks counts in both)."""

    @property
    def rows_dropped(self) -> int:
        return self.rows_read - len(self.frame)


def _read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """All columns as text (empty cells NaN); DataError for a missing file or columns."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        frame = pd.read_csv(path, dtype=str, skip_blank_lines=False, skipinitialspace=True, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataError(f"{path}: not a readable CSV file ({str(error).strip().splitlines()[0]})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in required if c not in frame.columns]
    if missing:
        found = ", ".join(frame.columns) or "none"
        names = ", ".join(f"'{c}'" for c in missing)
        raise DataError(f"{path}: missing column{'s' if len(missing) > 1 else ''} {names} (found: {found}); "
                        f"needed: {', '.join(required)}")
    return frame


def _bad(column: str, problem: str, mask: np.ndarray | pd.Series) -> BadRows | None:
    rows = np.flatnonzero(np.asarray(mask, dtype=bool))
    return BadRows(column, problem, rows) if rows.size else None


def _timestamps(text: pd.Series) -> pd.Series:
    """ISO timestamps as wall-clock datetimes (NaT where unparsable)."""
    return pd.to_datetime(text.str.strip().str.replace(_OFFSET, "", regex=True), format="ISO8601", errors="coerce")


def _whole_numbers(text: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Numbers and a mask of values that are not whole numbers >= 0."""
    values = pd.to_numeric(text, errors="coerce")
    return values, ~(np.isfinite(values) & (values >= 0) & (values == np.round(values)))


def _settle(path: Path, frame: pd.DataFrame, problems: list[BadRows | None], drop_bad_rows: bool) -> Checked:
    """Raise DataError for bad rows, or drop them and count them."""
    found = [p for p in problems if p is not None]
    if found and not drop_bad_rows:
        raise DataError("\n".join([p.message(path) for p in found]
                                  + [f"{path}: fix these rows or pass --drop-bad-rows to skip them"]))
    bad = np.zeros(len(frame), dtype=bool)
    for p in found:
        bad[p.rows] = True
    kept = frame.loc[~bad].reset_index(drop=True)
    if kept.empty:
        raise DataError(f"{path}: no usable rows" + (" after dropping the bad ones" if found else ""))
    return Checked(path, kept, len(frame), {f"column '{p.column}': {p.problem}": int(p.rows.size) for p in found})


def read_transactions(path: Path, drop_bad_rows: bool = False) -> Checked:
    """The checked till log with parsed columns plus ``duration_min``."""
    raw = _read_csv(path, TRANSACTION_COLUMNS)
    start, end = _timestamps(raw["start"].fillna("")), _timestamps(raw["end"].fillna(""))
    items, bad_items = _whole_numbers(raw["items"])
    amount = pd.to_numeric(raw["amount"], errors="coerce")
    frame = pd.DataFrame({"register": raw["register"].str.strip(), "start": start, "end": end,
                          "items": items, "amount": amount})
    problems = [
        _bad("register", "empty", frame["register"].isna() | (frame["register"] == "")),
        _bad("start", "not an ISO timestamp", start.isna()),
        _bad("end", "not an ISO timestamp", end.isna()),
        _bad("end", "end before start", (end < start).to_numpy()),
        _bad("items", "not a whole number >= 0", bad_items),
        _bad("amount", "not a number", ~np.isfinite(amount)),
    ]
    if "exception" in raw.columns:
        kind = raw["exception"].fillna("none").str.strip().str.lower().map(EXCEPTION_VALUES)
        frame["exception"] = kind
        allowed = ", ".join(k for k in EXCEPTION_VALUES if k != "returns")
        problems.append(_bad("exception", f"not one of {allowed}", kind.isna()))
    if "cashier" in raw.columns:
        frame["cashier"] = raw["cashier"].str.strip()
        problems.append(_bad("cashier", "empty", frame["cashier"].isna() | (frame["cashier"] == "")))
    checked = _settle(path, frame, problems, drop_bad_rows)
    data = checked.frame
    data["items"] = data["items"].astype(np.int64)
    data["duration_min"] = (data["end"] - data["start"]).dt.total_seconds() / 60.0
    return checked


def read_footfall(path: Path, drop_bad_rows: bool = False) -> Checked:
    """The checked door counts: ``date`` (midnight), ``hour`` (int), ``entries`` (float)."""
    raw = _read_csv(path, FOOTFALL_COLUMNS)
    date = _timestamps(raw["date"].fillna("")).dt.normalize()
    hour, bad_hour = _whole_numbers(raw["hour"])
    entries, bad_entries = _whole_numbers(raw["entries"])
    problems = [
        _bad("date", "not an ISO date", date.isna()),
        _bad("hour", "not a clock hour 0-23", bad_hour | (hour > 23)),
        _bad("entries", "not a whole number >= 0", bad_entries),
    ]
    checked = _settle(path, pd.DataFrame({"date": date, "hour": hour, "entries": entries}), problems, drop_bad_rows)
    checked.frame["hour"] = checked.frame["hour"].astype(np.int64)
    return checked
