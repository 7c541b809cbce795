"""``self_checkout.*``: the bank of self-checkout kiosks, who uses it, and its attendants' work.

The number of kiosks is ``store.self_checkout_kiosks`` (0 by default: no kiosks, nothing of
this runs, and setting any ``self_checkout.*`` key is refused); the attendants are
``staffing.attendants``. ``sim/self_checkout.py`` models them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..checks import MAX_CV, MAX_TASK_MIN, Problems, bounded, per_hour_values
from .service import SERVICE_DISTRIBUTIONS


@dataclass
class SelfCheckoutParams:
    """Who may use a kiosk, how long a kiosk transaction takes, and how often it needs an attendant."""

    max_items: int = bounded(15, 1, 1000)
    """Largest basket, in items, allowed at a kiosk (assumption: the usual sign at a kiosk bank)."""
    preference_share: float = bounded(0.4, 0, 1, what="a share")
    """Share of customers who prefer a kiosk: with a basket that fits, they always go to the
    kiosks; the others go there only when its expected wait is shorter (``sim/checkout.py``).
    Assumption, not a measured figure."""
    distribution: str = "lognormal"
    """Kiosk service time family: exponential, lognormal, gamma, deterministic."""
    fixed_min: float = bounded(1.5, 0, MAX_TASK_MIN)
    """Time per kiosk transaction independent of the basket (assumption: half a minute more
    than at a staffed lane, ``service.fixed_min``, for finding one's way and paying alone)."""
    per_item_min: float = bounded(0.1, 0, 10)
    """Scanning time per item at a kiosk (assumption: twice a trained cashier's ``service.per_item_min``)."""
    cv: float = bounded(0.8, 0, MAX_CV)
    """Coefficient of variation around a customer's mean kiosk time (assumption: more variable
    than a cashier's 0.5, as customers scan at their own pace)."""
    intervention_prob: float = bounded(0.15, 0, 1, what="a share")
    """Probability that a kiosk transaction needs an attendant (an age check, a scanning error,
    a coupon), one draw per transaction. Assumption."""
    intervention_min: float = bounded(1.0, 0.01, MAX_TASK_MIN)
    """Mean time an attendant spends on one intervention at the kiosk (exponential; assumption)."""
    attendant_walk_min: float = bounded(0.25, 0, MAX_TASK_MIN)
    """Time for a free attendant at the bank to reach the kiosk that called (assumption: the bank
    is small). A cross-trained floor employee first walks ``policy.cross_training.walk_min`` to the bank."""
    kiosks_per_attendant: int = bounded(6, 1, 100)
    """With ``staffing.attendants`` null, one attendant on duty per this many kiosks (rounded up)."""

    def problems(self, p: Problems, kiosks: int, attendants_named: bool = False, prefix: str = "self_checkout") -> None:
        """Without kiosks, no key may differ from its default (it would be ignored); with them, a
        known distribution with a spread it can take and some time per transaction, and no key
        set that the other settings leave unused: the intervention's time and walk without
        interventions, ``kiosks_per_attendant`` while ``attendants_named`` (``staffing.attendants``
        or a roster says who attends). (Whether someone is on duty to answer the kiosks' calls
        is the roster's check, ``sim/roster.py``.)"""
        if not kiosks:
            p.unused(prefix, self, tuple(f.name for f in dataclasses.fields(self)),
                     "acts only with self-checkout kiosks, and store.self_checkout_kiosks is 0: set "
                     "store.self_checkout_kiosks (e.g. self_checkout=six_kiosks), or drop {key}")
            return
        p.choice(f"{prefix}.distribution", self.distribution, SERVICE_DISTRIBUTIONS)
        if p.clear(f"{prefix}.fixed_min", f"{prefix}.per_item_min"):
            p.need(not (self.fixed_min == 0 and self.per_item_min == 0), f"{prefix}.fixed_min",
                   "and self_checkout.per_item_min cannot both be 0", self.fixed_min)
        p.min_cv(f"{prefix}.cv", self.cv, self.distribution)
        if self.intervention_prob == 0:
            p.unused(prefix, self, ("intervention_min", "attendant_walk_min"),
                     f"is unused: {prefix}.intervention_prob is 0 (no transaction needs help); drop {{key}}")
        if attendants_named:
            p.unused(prefix, self, ("kiosks_per_attendant",), "is unused: staffing.attendants (or "
                     "staffing.roster) already says who attends; drop {key}")

    def attendants_by_hour(self, kiosks: int, planned: int | list[int] | None, hours: int) -> list[int]:
        """Attendants on duty in each of ``hours`` opening hours: ``planned`` (``staffing.attendants``,
        a count or one per hour) if set, else one per ``kiosks_per_attendant`` kiosks, rounded up
        (none without kiosks)."""
        if not kiosks:
            return [0] * hours
        if planned is None:
            return [-(-kiosks // self.kiosks_per_attendant)] * hours
        return [int(n) for n in per_hour_values(planned, hours)]
