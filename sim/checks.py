"""Collecting every problem with a set of parameters, one ``key: message`` line each.

Every numeric setting declares its range once, next to its field, with :func:`bounded`;
:meth:`Problems.within_ranges` is the one walker that checks every such field (and each
element of a per-hour list) of a tree of parameter dataclasses. The classes' own
``problems`` methods keep only the checks that relate settings to each other (orderings,
express lanes below lanes, shares adding up to 1), and skip keys already named, so each
problem gets one line. ``docs/ranges.md`` is :func:`range_table` of the app's config.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass, field
from typing import Any

RANGE = "range"
"""The key of a field's range in its dataclass field metadata."""

# Limits shared by several keys: what a real store could need, with generous headroom, and
# small enough that a run at any one of them finishes in seconds (docs/ranges.md).
MAX_LANES = 200
"""Checkout lanes (and so cashiers on duty at once, floor staff, temporary cashiers)."""
MAX_RATE_PER_HOUR = 20_000
"""Customers (or floor requests) per hour: over five a second, all day."""
MAX_TASK_MIN = 240.0
"""Mean length of one thing a person does or waits for: a service, a patience, an expected wait."""
MAX_HORIZON_MIN = 12 * 7 * 24 * 60.0
"""Twelve weeks of opening time, the longest run: room for the benchmarks' million-customer
M/M/c runs (111,111 minutes); ``experiment=mmc`` at this horizon (a million customers, every
record kept) takes about 40 s."""
MAX_CLOCK_HOUR = 24 + MAX_HORIZON_MIN / 60
"""The latest clock hour: the longest run, opening just before midnight."""
MAX_MONEY = 1e9
"""Money values (an item's value, an exception's value, a discount, an empowerment limit:
calibrated presets write 1e9 for "no limit")."""
MAX_WAGE = 10_000.0
"""Wages per hour."""
MIN_SPEED, MAX_SPEED = 0.05, 20.0
"""Work rates against a standard employee: twenty times slower to twenty times faster."""
MIN_CV, MAX_CV = 0.01, 10.0
"""Coefficients of variation of the lognormal and gamma variates (gamma shape 1/cv^2 <= 10,000)."""


@dataclass(frozen=True)
class Range:
    """The values a numeric setting may take: ``low``..``high``, each end closed unless said open."""

    low: float
    high: float
    whole: bool = False
    """Integers only (not floats, not bools)."""
    what: str = "a number"
    """What the value is, for the message: ``a number``, ``a share``, ``a clock hour`` ..."""
    low_open: bool = False
    high_open: bool = False
    per_hour: bool = False
    """One value for every opening hour, or a list with one value per opening hour (per ``per``)."""
    optional: bool = False
    """Null is allowed (it means something else, said in the field's docstring)."""
    note: str = ""
    """Why, when the range alone would puzzle: appended to the message in parentheses."""
    or_zero: bool = False
    """0 is allowed too (off), below a positive ``low``: a rate so small that it is neither
    off nor real would stretch a run to its first event (manager duties: one in 10^11 years)."""

    per: str = "opening hour"
    """What a per-hour field's list has one value for (``households.weekday_factors``: day of the week)."""

    def holds(self, value: object) -> bool:
        """Whether ``value`` is a (whole, if so declared) finite number inside the range."""
        if not (is_int(value) if self.whole else finite(value)):
            return False
        if self.or_zero and value == 0:
            return True
        above = value > self.low if self.low_open else value >= self.low
        below = value < self.high if self.high_open else value <= self.high
        return above and below

    @property
    def text(self) -> str:
        """``[1, 200]``, ``(0, 1]`` ..., with the note if there is one."""
        text = f"{'(' if self.low_open else '['}{_number(self.low)}, {_number(self.high)}{')' if self.high_open else ']'}"
        text += " or 0" if self.or_zero else ""
        return f"{text} ({self.note})" if self.note else text

    @property
    def kind(self) -> str:
        return "an integer" if self.whole else self.what


def bounded(default: Any = dataclasses.MISSING, low: float = 0.0, high: float = 0.0, *, whole: bool | None = None,
            what: str = "a number", low_open: bool = False, high_open: bool = False, per_hour: bool = False,
            optional: bool | None = None, note: str = "", or_zero: bool = False, per: str = "opening hour",
            default_factory: Any = dataclasses.MISSING) -> Any:
    """A dataclass field whose value must lie in ``[low, high]`` (see :class:`Range`).

    ``whole`` defaults to whether the default is an int; ``optional`` to whether it is None.
    """
    sample = default_factory() if default is dataclasses.MISSING else default
    if whole is None:
        whole = is_int(sample)
    if optional is None:
        optional = sample is None
    spec = Range(low, high, whole, what, low_open, high_open, per_hour, optional, note, or_zero, per)
    if default_factory is not dataclasses.MISSING:
        return field(default_factory=default_factory, metadata={RANGE: spec})
    return field(default=default, metadata={RANGE: spec})


def range_of(cls_or_obj: Any, name: str) -> Range:
    """The declared range of field ``name``."""
    return next(f.metadata[RANGE] for f in dataclasses.fields(cls_or_obj) if f.name == name)


class Problems(list):
    """Collects ``"key.path: what is wrong"`` lines while checking parameters."""

    def need(self, ok: bool, key: str, message: str, value: object) -> None:
        """Record a problem at ``key`` unless ``ok``."""
        if not ok:
            self.append(f"{key}: {message}, got {value!r}")

    def clear(self, *keys: str) -> bool:
        """Whether no line names any of ``keys`` yet (then their values passed their range):
        a check relating settings runs only on values that are themselves fine."""
        return not any(line.startswith((f"{key}:", f"{key}[", f"{key}.")) for line in self for key in keys)

    def within_ranges(self, node: object, prefix: str) -> None:
        """The one range check: every field of ``node`` (a parameter dataclass) declared with
        :func:`bounded`, in nested dataclasses and lists of them too, must lie in its range.

        A per-hour field is one number or a list of numbers, each in the range (how many
        values a list needs is a relation to the opening hours, checked by its class).
        """
        if isinstance(node, (list, tuple)):
            for k, item in enumerate(node):
                self.within_ranges(item, f"{prefix}[{k}]")
            return
        if not dataclasses.is_dataclass(node):
            return
        for f in dataclasses.fields(node):
            value, key = getattr(node, f.name), f"{prefix}.{f.name}" if prefix else f.name
            spec: Range | None = f.metadata.get(RANGE)
            if spec is None:
                self.within_ranges(value, key)
            elif value is None and spec.optional:
                continue
            elif spec.per_hour and isinstance(value, (list, tuple)):
                bad = [v for v in value if not spec.holds(v)]
                self.need(not bad, key, f"needs {spec.kind} in {spec.text} in every "
                          f"{'hour' if spec.per == 'opening hour' else spec.per}", bad[:3])
            elif spec.per_hour:
                self.need(spec.holds(value), key, f"must be {spec.kind} in {spec.text}, or a list of such values "
                          f"(one per {spec.per})", value)
            else:
                self.need(spec.holds(value), key, f"must be {spec.kind} in {spec.text}", value)

    def flag(self, prefix: str, obj: object, *names: str) -> None:
        """Each named setting must be true or false."""
        for name in names:
            value = getattr(obj, name)
            self.need(isinstance(value, bool), f"{prefix}.{name}", "must be true or false", value)

    def unused(self, prefix: str, obj: object, names: tuple[str, ...], why: str) -> None:
        """Settings of a feature that is off are refused, not ignored: a line for each of
        ``names`` whose value differs from its default in ``obj``'s dataclass, saying ``why``
        it would not act (``{key}`` in it stands for the key) (a value equal to the default cannot be told from no value; a key
        already refused for its range is not named twice)."""
        defaults = {f.name: f.default_factory() if f.default is dataclasses.MISSING else f.default  # type: ignore[misc]
                    for f in dataclasses.fields(obj) if f.name in names}
        for name in names:
            key, value = f"{prefix}.{name}", getattr(obj, name)
            self.need(not self.clear(key) or value == defaults[name], key, why.replace("{key}", key), value)

    def choice(self, key: str, value: str, allowed: tuple[str, ...]) -> None:
        """The value must be one of ``allowed``."""
        self.need(value in allowed, key, f"must be one of {', '.join(allowed)}", value)

    def min_cv(self, key: str, cv: float, distribution: str) -> None:
        """A lognormal or gamma variate needs a spread of at least ``MIN_CV`` (the range of a
        ``cv`` allows 0 for the distributions that ignore it)."""
        if distribution in ("lognormal", "gamma") and self.clear(key):
            self.need(cv >= MIN_CV, key, f"must be a number in [{MIN_CV:g}, {MAX_CV:g}] for a {distribution} distribution",
                      cv)

    def hour_count(self, key: str, value: object, hours: int) -> None:
        """A per-hour list needs exactly one value per opening hour (a single number needs nothing)."""
        if isinstance(value, (list, tuple)) and self.clear(key):
            self.need(len(value) == hours, key, f"needs one value per opening hour ({hours} values)",
                      f"{len(value)} values")


def range_rows(cls: type, prefix: str = "") -> list[tuple[str, Range, str]]:
    """``(key, range, docstring's first sentence)`` of every ranged field below the dataclass
    ``cls``, its nested dataclasses and list elements (``roster[].speed``), in field order."""
    rows: list[tuple[str, Range, str]] = []
    hints = typing.get_type_hints(cls)
    docs = field_docs(cls)
    for f in dataclasses.fields(cls):
        key = f"{prefix}.{f.name}" if prefix else f.name
        if RANGE in f.metadata:
            rows.append((key, f.metadata[RANGE], docs.get(f.name, "")))
            continue
        for inner, suffix in _nested(hints[f.name]):
            rows += range_rows(inner, key + suffix)
    return rows


def numeric_fields(cls: type, prefix: str = "") -> list[tuple[str, bool]]:
    """``(key, has a range)`` of every field below ``cls`` that can hold a number (int, float
    or Any, not bool): the keys that must declare a range."""
    found: list[tuple[str, bool]] = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        key = f"{prefix}.{f.name}" if prefix else f.name
        kinds = _leaf_types(hints[f.name])
        if kinds & {int, float, Any}:
            found.append((key, RANGE in f.metadata))
        for inner, suffix in _nested(hints[f.name]):
            found += numeric_fields(inner, key + suffix)
    return found


def _leaf_types(hint: Any) -> set:
    args = typing.get_args(hint)
    if not args:
        return {hint}
    return set().union(*(_leaf_types(a) for a in args))


def _nested(hint: Any) -> list[tuple[type, str]]:
    """The dataclasses a field holds: itself (``""``) or as list elements (``"[]"``)."""
    if dataclasses.is_dataclass(hint):
        return [(hint, "")]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (list, tuple):
        return [(inner, "[]") for a in args for inner, _ in _nested(a)]
    if origin in (typing.Union, types.UnionType):
        return [pair for a in args for pair in _nested(a)]
    return []


def field_docs(cls: type) -> dict[str, str]:
    """The first sentence of each field's docstring (the string literal after it)."""
    import ast
    import inspect
    import textwrap

    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return {}
    body, docs = tree.body[0].body, {}
    for node, after in zip(body, body[1:]):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant) and isinstance(after.value.value, str)):
            text = " ".join(after.value.value.split())
            docs[node.target.id] = text.split(". ")[0].rstrip(".") + "."
    return docs


def shared_limits() -> list[tuple[str, str, str]]:
    """``(name, value, why)`` of the limits shared by several keys (the ``MAX_``/``MIN_``
    constants at the top of this module, with the string after each)."""
    import ast
    import inspect
    import sys

    tree = ast.parse(inspect.getsource(sys.modules[__name__]))
    rows = []
    for node, after in zip(tree.body, tree.body[1:]):
        if (isinstance(node, ast.Assign) and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)):
            names = [n.id for t in node.targets for n in (t.elts if isinstance(t, ast.Tuple) else [t])]
            if all(n.startswith(("MAX_", "MIN_")) for n in names):
                values = ", ".join(_number(globals()[n]) for n in names)
                rows.append((", ".join(names), values, " ".join(after.value.value.split())))
    return rows


def range_table(cls: type) -> str:
    """A Markdown table of every ranged key below ``cls``: key, allowed values, what it is."""
    lines = ["| key | allowed | what |", "|---|---|---|"]
    for key, spec, doc in range_rows(cls):
        allowed = f"{spec.kind} in {spec.text}"
        if spec.per_hour:
            allowed += f", one or one per {spec.per}"
        if spec.optional:
            allowed += ", or null"
        lines.append(f"| `{key}` | {allowed} | {doc.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def _number(x: float) -> str:
    """A range end as written: whole numbers in full (4294967295, 20000), others as ``%g``."""
    if isinstance(x, int):
        return str(x)
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def per_hour_values(value: float | list[float], hours: int) -> list[float]:
    """One value per opening hour from a per-hour setting (a number for every hour, or a list)."""
    return list(value) if isinstance(value, (list, tuple)) else [value] * hours


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
