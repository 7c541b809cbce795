"""Collecting every problem with a set of parameters, one ``key: message`` line each."""

from __future__ import annotations

import dataclasses
import math


class Problems(list):
    """Collects ``"key.path: what is wrong"`` lines while checking parameters."""

    def need(self, ok: bool, key: str, message: str, value: object) -> None:
        """Record a problem at ``key`` unless ``ok``."""
        if not ok:
            self.append(f"{key}: {message}, got {value!r}")

    def non_negative(self, prefix: str, obj: object, *names: str) -> None:
        """Each named number must be finite and >= 0."""
        for name in names:
            value = getattr(obj, name)
            self.need(finite(value) and value >= 0, f"{prefix}.{name}", "must be a number >= 0", value)

    def positive(self, prefix: str, obj: object, *names: str) -> None:
        """Each named number must be finite and > 0."""
        for name in names:
            value = getattr(obj, name)
            self.need(finite(value) and value > 0, f"{prefix}.{name}", "must be a number > 0", value)

    def integer(self, key: str, value: object, low: int) -> None:
        """The value must be a whole number (not a bool or a float) >= ``low``."""
        self.need(is_int(value) and value >= low, key, f"must be an integer >= {low}", value)

    def flag(self, prefix: str, obj: object, *names: str) -> None:
        """Each named setting must be true or false."""
        for name in names:
            value = getattr(obj, name)
            self.need(isinstance(value, bool), f"{prefix}.{name}", "must be true or false", value)

    def choice(self, key: str, value: str, allowed: tuple[str, ...]) -> None:
        """The value must be one of ``allowed``."""
        self.need(value in allowed, key, f"must be one of {', '.join(allowed)}", value)


    def finite_everywhere(self, node: object, prefix: str) -> None:
        """Refuse every NaN or infinite number below ``node`` that no other check has named yet:
        the one rule for every numeric key. Run it after the keys' own checks."""
        for key, value in non_finite(node, prefix):
            owner = key.split("[")[0]
            self.need(any(line.startswith((f"{key}:", f"{owner}:")) for line in self), key,
                      "must be a finite number", value)

    def per_hour(self, key: str, value: object, hours: int, low: float, high: float | None = None, *,
                 whole: bool = False, what: str = "a number") -> None:
        """A value for every opening hour: one number for all of them, or a list of ``hours`` numbers.

        Each number must be finite (a whole number when ``whole``) and within ``[low, high]``.
        """
        kind = "an integer" if whole else what
        bound = f">= {low:g}" if high is None else f"in [{low:g}, {high:g}]"
        if not isinstance(value, (list, tuple)):
            self.need(_in_range(value, low, high, whole), key,
                      f"must be {kind} {bound}, or a list of {hours} such values (one per opening hour)", value)
            return
        self.need(len(value) == hours, key, f"needs one value per opening hour ({hours} values)", f"{len(value)} values")
        bad = [v for v in value if not _in_range(v, low, high, whole)]
        self.need(not bad, key, f"needs {kind} {bound} in every hour", bad[:3])


def non_finite(node: object, prefix: str) -> list[tuple[str, object]]:
    """``(key, value)`` of every NaN or infinite number in a tree of parameter dataclasses and lists.

    The one rule for every numeric key, whatever its own check says: NaN and inf are refused.
    """
    found: list[tuple[str, object]] = []
    if dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            found += non_finite(getattr(node, f.name), f"{prefix}.{f.name}" if prefix else f.name)
    elif isinstance(node, (list, tuple)):
        for k, item in enumerate(node):
            found += non_finite(item, f"{prefix}[{k}]")
    elif isinstance(node, float) and not math.isfinite(node):
        found.append((prefix, node))
    return found


def per_hour_values(value: float | list[float], hours: int) -> list[float]:
    """One value per opening hour from a per-hour setting (a number for every hour, or a list)."""
    return list(value) if isinstance(value, (list, tuple)) else [value] * hours


def _in_range(value: object, low: float, high: float | None, whole: bool) -> bool:
    return ((is_int(value) if whole else finite(value)) and value >= low
            and (high is None or value <= high))


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
