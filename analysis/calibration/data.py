"""Reading and checking the store's files: the till log and the door counts.

Transactions (one row per checkout transaction): ``register``, ``start``, ``end`` (ISO
timestamps, wall-clock time; a UTC offset is ignored), ``items`` (a whole number >= 0),
``amount`` (money; negative for refunds), optional ``exception`` (none, price_match,
return, coupon; empty means none) and ``cashier``. Footfall (door counts): ``date``,
``hour`` (0-23, the clock hour the count covers), ``entries``.

Every check is a vectorised test over a whole column. A file with bad rows raises
:class:`DataError` naming the file, the column and the first offending lines (line 1
is the header), unless the caller asks to drop the bad rows; then the counts dropped per
problem are reported. Cells are read as text exactly as written (``keep_default_na=False``:
a register called ``NA`` or a cashier ``None`` is an id, not a missing value); bytes that are
not UTF-8 make their row bad, like any other unreadable cell.

Rows that parse but cannot be real are *left out* with a warning naming their lines, not
errors (``Checked.warnings``): a row repeating an earlier one exactly, a transaction longer
than ``MAX_DURATION_MIN``, a basket over ``MAX_ITEMS`` items, a timestamp outside
``FIRST_YEAR``-``LAST_YEAR``, an amount per item over ``MAX_PRICE_RATIO`` times the log's
median. One such row would otherwise ruin a fit (a year-long transaction, a basket of 10^12
items) or the hourly tables (a transaction spanning centuries).
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
_NOT_UTF8 = "[\udc80-\udcff]"
"""Bytes that are not UTF-8, as Python's ``surrogateescape`` error handler keeps them."""
MAX_DURATION_MIN = 60.0
"""A transaction taking longer than this (minutes) is implausible: a till left open, a clock error."""
MAX_ITEMS = 1000
"""A basket of more items than this is implausible (a typing error, a quantity in grams)."""
FIRST_YEAR, LAST_YEAR = 1990, 2099
"""Timestamps outside these years are implausible (a clock reset, a placeholder date)."""
MAX_PRICE_RATIO = 1000.0
"""An amount per item more than this many times the log's median amount per item is implausible."""


class DataError(ValueError):
    """An input file is unusable; the message has one line per problem."""


@dataclass
class BadRows:
    """Rows of one column that fail one check."""

    column: str
    problem: str
    rows: np.ndarray
    """Positions (0 = first data row) of the offending rows."""

    lines: np.ndarray | None = None
    """File line of each row (default: position + 2, line 1 being the header)."""

    def message(self, path: Path) -> str:
        return f"{path}: {self.where()}{self.problem} in {_lines(self.rows, self.lines)}"

    def where(self) -> str:
        """``column 'c': `` (nothing for a problem of whole rows)."""
        return f"column '{self.column}': " if self.column else ""


def _lines(rows: np.ndarray, lines: np.ndarray | None = None) -> str:
    """``3 rows (line 4, 5, 32)``: how many rows and the first ``SHOWN_LINES`` lines."""
    numbers = rows + 2 if lines is None else lines[rows]
    shown = ", ".join(str(n) for n in numbers[:SHOWN_LINES])
    more = f" and {rows.size - SHOWN_LINES} more" if rows.size > SHOWN_LINES else ""
    return f"{rows.size} {'row' if rows.size == 1 else 'rows'} (line {shown}{more})"


@dataclass
class Checked:
    """A file's usable rows and what was dropped from it."""

    path: Path
    frame: pd.DataFrame
    """The usable rows; column ``line`` holds each row's line in the file."""
    rows_read: int
    dropped: dict[str, int] = field(default_factory=dict)
    """``"column 'c': problem"`` -> rows dropped for it (a row failing two checks counts in both)."""
    rows_dropped: int = 0
    """Bad rows skipped on request (``--drop-bad-rows``)."""
    left_out: dict[str, int] = field(default_factory=dict)
    """Reason -> rows left out as duplicates or implausible (a row with two reasons counts in both)."""
    rows_left_out: int = 0
    warnings: list[str] = field(default_factory=list)
    """One line per reason rows were left out, naming the file and the lines."""

    def leave_out(self, reasons: list[BadRows | None]) -> None:
        """Remove the rows of ``reasons`` from the frame, with a warning line for each reason."""
        found = [r for r in reasons if r is not None]
        if not found:
            return
        lines = self.frame["line"].to_numpy()
        out = np.zeros(len(self.frame), dtype=bool)
        for r in found:
            out[r.rows] = True
            self.left_out[f"{r.where()}{r.problem}"] = int(r.rows.size)
            self.warnings.append(f"{self.path}: {r.where()}{r.problem} in {_lines(r.rows, lines)}; left out")
        self.rows_left_out += int(out.sum())
        self.frame = self.frame.loc[~out].reset_index(drop=True)
        if self.frame.empty:
            raise DataError(f"{self.path}: no usable rows (every row was left out: "
                            f"{'; '.join(self.left_out)})")


def _read_csv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """All columns as text exactly as written (no value means missing: empty cells are ``""``),
    bytes that are not UTF-8 kept as surrogates (``not_utf8`` finds them); DataError for a
    missing or unreadable file, or missing columns. The text stays in Python strings
    (``dtype=object``): pandas' Arrow-backed strings, used when pyarrow is installed, cannot
    hold the surrogates."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    try:
        frame = pd.read_csv(path, dtype=object, skip_blank_lines=False, skipinitialspace=True, encoding="utf-8-sig",
                            encoding_errors="surrogateescape", keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError, OSError) as error:
        raise DataError(f"{path}: not a readable CSV file ({str(error).strip().splitlines()[0]})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    if any(pd.Series(frame.columns, dtype=object).str.contains(_NOT_UTF8)):
        raise DataError(f"{path}: line 1 (the header): not UTF-8 text; save the file as UTF-8")
    frame = frame.fillna("")  # short rows
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


def not_utf8(raw: pd.DataFrame) -> list[BadRows | None]:
    """Cells holding bytes that are not UTF-8, per column."""
    return [_bad(c, "not UTF-8 text (save the file as UTF-8)", raw[c].str.contains(_NOT_UTF8, regex=True))
            for c in raw.columns]


def duplicates(frame: pd.DataFrame, columns: list[str]) -> BadRows | None:
    """Rows equal in ``columns`` to an earlier row (the problem names the first such pair; ``frame``
    has a ``line`` column)."""
    repeated = frame.duplicated(columns, keep="first").to_numpy()
    if not repeated.any():
        return None
    first = np.flatnonzero(repeated)[0]
    same = (frame[columns] == frame[columns].iloc[first]).all(axis=1).to_numpy()
    earlier = frame["line"].to_numpy()[np.flatnonzero(same)[0]]
    return BadRows("", f"a repeat of an earlier row (line {frame['line'].to_numpy()[first]} = line {earlier})",
                   np.flatnonzero(repeated))


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
    kept = frame.assign(line=np.arange(len(frame)) + 2).loc[~bad].reset_index(drop=True)
    if kept.empty:
        raise DataError(f"{path}: no usable rows" + (" after dropping the bad ones" if found else ""))
    return Checked(path, kept, len(frame), {f"{p.where()}{p.problem}": int(p.rows.size) for p in found},
                   int(bad.sum()))


def _outside_years(stamps: pd.Series) -> np.ndarray:
    years = stamps.dt.year.to_numpy()
    return (years < FIRST_YEAR) | (years > LAST_YEAR)


def implausible_transactions(data: pd.DataFrame) -> list[BadRows | None]:
    """Transactions that parse but cannot be real (see the module docstring)."""
    items, amount = data["items"].to_numpy(float), data["amount"].to_numpy(float)
    per_item = np.abs(amount) / np.maximum(items, 1.0)
    typical = float(np.median(per_item[per_item > 0])) if (per_item > 0).any() else 0.0
    return [
        _bad("start", f"implausible (a date outside {FIRST_YEAR}-{LAST_YEAR})", _outside_years(data["start"])),
        _bad("end", f"implausible (a date outside {FIRST_YEAR}-{LAST_YEAR})", _outside_years(data["end"])),
        _bad("end", f"implausible (a transaction longer than {MAX_DURATION_MIN:g} min)",
             data["duration_min"].to_numpy() > MAX_DURATION_MIN),
        _bad("items", f"implausible (more than {MAX_ITEMS} items)", items > MAX_ITEMS),
        _bad("amount", f"implausible (over {MAX_PRICE_RATIO:g} times the median amount per item)",
             (typical > 0) & (per_item > MAX_PRICE_RATIO * typical)),
    ]


def read_transactions(path: Path, drop_bad_rows: bool = False) -> Checked:
    """The checked till log with parsed columns plus ``duration_min``."""
    raw = _read_csv(path, TRANSACTION_COLUMNS)
    start, end = _timestamps(raw["start"]), _timestamps(raw["end"])
    items, bad_items = _whole_numbers(raw["items"])
    amount = pd.to_numeric(raw["amount"], errors="coerce")
    frame = pd.DataFrame({"register": raw["register"].str.strip(), "start": start, "end": end,
                          "items": items, "amount": amount})
    problems = not_utf8(raw) + [
        _bad("register", "empty", frame["register"] == ""),
        _bad("start", "not an ISO timestamp", start.isna()),
        _bad("end", "not an ISO timestamp", end.isna()),
        _bad("end", "end before start", (end < start).to_numpy()),
        _bad("items", "not a whole number >= 0", bad_items),
        _bad("amount", "not a number", ~np.isfinite(amount)),
    ]
    if "exception" in raw.columns:
        kind = raw["exception"].str.strip().str.lower().replace("", "none").map(EXCEPTION_VALUES)
        frame["exception"] = kind
        allowed = ", ".join(k for k in EXCEPTION_VALUES if k != "returns")
        problems.append(_bad("exception", f"not one of {allowed}", kind.isna()))
    if "cashier" in raw.columns:
        frame["cashier"] = raw["cashier"].str.strip()
        problems.append(_bad("cashier", "empty", frame["cashier"] == ""))
    checked = _settle(path, frame, problems, drop_bad_rows)
    checked.leave_out([duplicates(checked.frame, [c for c in checked.frame.columns if c != "line"])])
    data = checked.frame
    data["duration_min"] = (data["end"] - data["start"]).dt.total_seconds() / 60.0
    checked.leave_out(implausible_transactions(data))
    checked.frame["items"] = checked.frame["items"].astype(np.int64)
    return checked


def read_footfall(path: Path, drop_bad_rows: bool = False) -> Checked:
    """The checked door counts: ``date`` (midnight), ``hour`` (int), ``entries`` (float)."""
    raw = _read_csv(path, FOOTFALL_COLUMNS)
    date = _timestamps(raw["date"]).dt.normalize()
    hour, bad_hour = _whole_numbers(raw["hour"])
    entries, bad_entries = _whole_numbers(raw["entries"])
    problems = not_utf8(raw) + [
        _bad("date", "not an ISO date", date.isna()),
        _bad("hour", "not a clock hour 0-23", bad_hour | (hour > 23)),
        _bad("entries", "not a whole number >= 0", bad_entries),
    ]
    checked = _settle(path, pd.DataFrame({"date": date, "hour": hour, "entries": entries}), problems, drop_bad_rows)
    checked.leave_out([duplicates(checked.frame, ["date", "hour", "entries"])])
    frame = checked.frame
    twice = frame.duplicated(["date", "hour"], keep=False).to_numpy()
    conflict = _settle(path, frame.drop(columns="line"), [
        BadRows("hour", "counted twice for the same date with different entries", np.flatnonzero(twice),
                frame["line"].to_numpy()) if twice.any() else None], drop_bad_rows)
    checked.frame = conflict.frame.assign(line=frame["line"].to_numpy()[~twice])
    checked.rows_dropped += conflict.rows_dropped
    checked.dropped.update(conflict.dropped)
    checked.frame["hour"] = checked.frame["hour"].astype(np.int64)
    return checked


def check_overlap(transactions: Checked, footfall: Checked) -> list[str]:
    """DataError when the door counts share no date with the till log; else warning lines (days
    of one file missing from the other), since conversion uses only the days in both."""
    tx_days = pd.DatetimeIndex(transactions.frame["start"].dt.normalize().unique())
    door_days = pd.DatetimeIndex(footfall.frame["date"].unique())
    both = tx_days.intersection(door_days)

    def span(days: pd.DatetimeIndex) -> str:
        return f"{days.min():%Y-%m-%d} to {days.max():%Y-%m-%d}"

    if both.empty:
        raise DataError(f"{footfall.path}: no date in common with {transactions.path} (door counts "
                        f"{span(door_days)}, transactions {span(tx_days)}); conversion needs door counts of the "
                        "same days: fix the dates or leave out --footfall")
    warnings = []
    if both.size < tx_days.size:
        warnings.append(f"{footfall.path}: door counts for {both.size} of the {tx_days.size} days of "
                        f"{transactions.path}; conversion uses those {both.size}")
    if both.size < door_days.size:
        warnings.append(f"{footfall.path}: {door_days.size - both.size} days of door counts have no transactions "
                        f"in {transactions.path} (first: {door_days.difference(both).min():%Y-%m-%d}); not used")
    return warnings
