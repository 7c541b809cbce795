"""``exceptions.*``: transactions that need a decision (price matches, returns, coupons)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..checks import MAX_MONEY, MAX_TASK_MIN, Problems, bounded

EXCEPTION_KINDS = ("price_match", "returns", "coupon")


@dataclass
class ExceptionKind:
    """One kind of checkout exception."""

    share: float = bounded(0.0, 0, 1, what="a share")
    """Share of checkout transactions with this exception."""
    value_mean: float = bounded(5.0, 0, MAX_MONEY, low_open=True)
    """Mean money at stake (exponential across transactions)."""
    handling_min: float = bounded(0.5, 0, MAX_TASK_MIN)
    """Extra time at the lane to process it, on top of any decision or hold."""


@dataclass
class ExceptionParams:
    """Transactions that need a decision: price matches, returns, coupons."""

    price_match: ExceptionKind = field(default_factory=lambda: ExceptionKind(0.02, 6.0, 0.5))
    returns: ExceptionKind = field(default_factory=lambda: ExceptionKind(0.01, 25.0, 1.0))
    coupon: ExceptionKind = field(default_factory=lambda: ExceptionKind(0.03, 3.0, 0.3))

    def kinds(self) -> list[ExceptionKind]:
        """The kinds in the order of ``EXCEPTION_KINDS``."""
        return [getattr(self, name) for name in EXCEPTION_KINDS]

    def problems(self, p: Problems, prefix: str = "exceptions") -> None:
        """The shares of all kinds together are at most 1."""
        if p.clear(*(f"{prefix}.{name}.share" for name in EXCEPTION_KINDS)):
            total = sum(k.share for k in self.kinds())
            p.need(total <= 1, f"{prefix}", "shares of all exception kinds must add up to at most 1", round(total, 6))
