"""Numbers as people read them: shares in % with the precision a comparison needs, money
with its currency.

``share_text(value, target)`` never rounds a miss up to the standard nor a pass down to it:
79.8% against an 80% standard prints ``79.8%``, not ``80%``. Rounding is monotone, so texts
that differ also keep the order of the values. The report and the terminal table
(``scenarios/console.py``) both use it.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

COST_UNITS = "cost units"
"""What amounts say when no currency is set."""


def _fixed(value: float, digits: int, scale: int = 1) -> str:
    exact = Decimal(value) * scale  # exact: no two distinct floats give the same Decimal
    return f"{exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_EVEN):,f}"


def _percent(value: float, digits: int) -> str:
    return _fixed(value, digits, 100) + "%"


def number_text(value: float, target: float | None = None, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals (none from 100 up), or as many more as it takes to
    differ from ``target`` at the same precision whenever ``value != target``: the rule of
    :func:`share_text` for numbers that are not shares.

    >>> number_text(4.996, 5.0), number_text(1234.4, 1234.0), number_text(3.0, 3.0)
    ('4.996', '1,234.4', '3.00')
    """
    if value != value:
        return "–"
    if abs(value) >= 100:
        digits = 0
    if target is None or target != target or value == target:
        return _fixed(value, digits)
    while _fixed(value, digits) == _fixed(target, digits):
        digits += 1
    return _fixed(value, digits)


def share_text(value: float, target: float | None = None, digits: int = 0) -> str:
    """``value`` (a share, 0.8 = 80%) in % with ``digits`` decimals, or as many more as it takes
    for its text to differ from ``target``'s at the same precision whenever ``value != target``.

    A share that is neither 0 nor 1 never reads ``0%`` or ``100%`` (up to two more decimals):
    a few customers who gave up are not none.

    >>> share_text(0.798, 0.8), share_text(0.802, 0.8), share_text(0.8, 0.8), share_text(0.843, 0.8)
    ('79.8%', '80.2%', '80%', '84%')
    >>> share_text(0.0012), share_text(0.9994), share_text(0.0), share_text(1.0), share_text(0.00001)
    ('0.1%', '99.9%', '0%', '100%', '0.00%')
    """
    if value != value:
        return "–"
    if target is not None and target == target and value != target:
        while _percent(value, digits) == _percent(target, digits):
            digits += 1
    most = digits + 2
    while value not in (0.0, 1.0) and abs(float(_fixed(value, digits, 100))) in (0.0, 100.0) and digits < most:
        digits += 1
    return _percent(value, digits)


def money_unit(currency: str | None) -> str:
    """``EUR``, ``$`` or ``cost units``: what an amount is counted in."""
    return currency.strip() if currency and currency.strip() else COST_UNITS


def money_text(amount: float, currency: str | None = None, sign: bool = False) -> str:
    """``7,120 EUR``, ``$7,120``, ``7,120 cost units``; ``sign=True``: ``+412 EUR``, ``−$412``.

    A currency written as letters (``EUR``, ``CHF``) follows the amount; a symbol (``$``, ``€``)
    precedes it.
    """
    if amount != amount:
        return "–"
    mark = ("+" if amount > 0 else "−" if amount < 0 else "±") if sign else ("−" if amount < 0 else "")
    number = f"{abs(amount):,.0f}"
    unit = money_unit(currency)
    if unit != COST_UNITS and not unit[-1].isalpha():
        return f"{mark}{unit}{number}"
    return f"{mark}{number} {unit}"
