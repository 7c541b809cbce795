"""Collecting every problem with a set of parameters, one ``key: message`` line each."""

from __future__ import annotations

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


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
