"""Square-root staffing: how many servers an offered load needs.

For an offered load of ``a = λ/μ`` busy servers the rule staffs

    c = ⌈a + β·√a⌉,  at least 1,

the load itself plus a safety margin that grows with the square root of the load. It is the
staffing of the Halfin–Whitt (quality-and-efficiency-driven) regime: for large ``a`` the
probability that a customer waits tends to a constant set by β alone, so a fixed β gives a
roughly constant service grade at every load. The rule and the choice of β are described by
Borst, Mandelbaum and Reiman, "Dimensioning large call centers", Operations Research 52(1),
2004; Halfin and Whitt, "Heavy-traffic limits for queues with many exponential servers",
Operations Research 29(3), 1981, give the limit behind it.
"""

from __future__ import annotations

import math

#: Relative slack taken off ``a + β·√a`` before rounding up, see :func:`square_root_staffing`.
ROUNDING_SLACK = 1e-9


def square_root_staffing(offered_load: float, beta: float) -> int:
    """Servers for ``offered_load`` busy servers (a dimensionless load, ``a >= 0``) at safety
    factor ``beta``: ``⌈a + β·√a⌉``, at least 1.

    A load computed in floating point (a rate times a mean service time, divided by 60) can land
    a few units in the last place above a whole number that is exact on paper, and rounding up
    would then staff one server too many (a=4, β=1 gives 6, not 7). So a relative slack of
    ``ROUNDING_SLACK`` (1e-9, far above rounding error and far below any load a user means) is
    taken off before rounding up.

    Raises ValueError if ``offered_load`` is negative or not finite, or ``beta`` not finite.
    """
    a, beta = float(offered_load), float(beta)
    if not (math.isfinite(a) and a >= 0):
        raise ValueError(f"offered_load must be a finite number >= 0, got {offered_load}")
    if not math.isfinite(beta):
        raise ValueError(f"beta must be finite, got {beta}")
    raw = a + beta * math.sqrt(a)
    return max(1, math.ceil(raw - ROUNDING_SLACK * max(1.0, abs(raw))))
