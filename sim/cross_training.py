"""Cross-training: floor employees who step in at checkout when lines grow.

``threshold`` policy: when the trigger (people waiting per open lane, or the predicted
wait in minutes) reaches ``open_at``, the least busy cross-trained floor employee finishes
the customer they are helping, walks ``walk_min`` to a closed lane and opens it. When the
trigger stays below ``close_below`` for ``cooldown_min``, the helper who came last
finishes their line, closes the lane and walks back; the cool-down then starts again for
the next one. The gap between the two thresholds and the cool-down bound the switching.
The policy reacts to line changes; it never polls.
"""

from __future__ import annotations

import simpy

from .checkout import CheckoutArea
from .customer import ProcessGenerator
from .employee import FLOOR, Employee
from .params import CrossTrainingParams


class ThresholdPolicy:
    """Sends cross-trained floor employees to checkout and back.

    Attributes:
        helpers: the cross-trained floor employees.
        below_since: since when the trigger has stayed below ``close_below`` (or None).
    """

    def __init__(self, env: simpy.Environment, params: CrossTrainingParams, checkout: CheckoutArea,
                 helpers: list[Employee], mean_service_min: float) -> None:
        """``mean_service_min``: a standard cashier's mean service time (the ``predicted_wait`` trigger's scale)."""
        self.env = env
        self.params = params
        self.checkout = checkout
        self.handover = checkout.handover
        self.helpers = helpers
        self.scale = mean_service_min if params.trigger == "predicted_wait" else 1.0
        self.below_since: float | None = None
        self._cooling = False
        checkout.on_line_change = self.line_changed
        self.handover.on_lane_wanted = self.release_one

    def trigger(self) -> float:
        """People waiting per open lane (or lane on its way), times the mean service time if predicting waits."""
        heading = sum(1 for h in self.helpers if h.heading == "checkout")
        lanes = len(self.handover.accepting) + heading
        return self.checkout.queue_len.level / max(1, lanes) * self.scale

    def line_changed(self, now: float) -> None:
        """React to a change in the lines: send a helper, or start counting the cool-down."""
        value = self.trigger()
        if value >= self.params.open_at:
            self.below_since = None
            self.send_helper()
        elif value < self.params.close_below:
            if self.below_since is None and self.at_checkout():
                self.below_since = now
                if not self._cooling:
                    self._cooling = True
                    self.env.process(self.cool_down())
        else:
            self.below_since = None

    def at_checkout(self) -> list[Employee]:
        """Helpers keeping a lane open and not yet asked to leave it, longest there first.

        (A helper asked to go back may keep the lane open for a while: see ``sim/handover.py``.)
        """
        return sorted((h for h in self.helpers if h.lane is not None and h.lane.accepting and not h.leaving),
                      key=lambda h: h.state_since)

    def send_helper(self) -> None:
        """Send the least busy available helper to a closed lane, if there is one for them."""
        closed = sum(1 for lane in self.checkout.lanes if lane.cashier is None)
        heading = sum(1 for h in self.helpers if h.heading == "checkout")
        if closed - heading <= 0 or self.checkout.doors_closed:
            return
        free = [h for h in self.helpers if h.state == FLOOR and not h.leaving]
        if not free:
            return
        now = self.env.now
        helper = min(free, key=lambda h: max(h.busy_until, now))
        if helper.request("switch", "checkout"):
            helper.heading = "checkout"

    def release_one(self) -> None:
        """Send the helper who came last back to the floor."""
        helpers = self.at_checkout()
        if helpers:
            helpers[-1].request("switch", "floor")

    def cool_down(self) -> ProcessGenerator:
        """Release helpers one at a time while the trigger stays below ``close_below``."""
        env, cooldown = self.env, self.params.cooldown_min
        while self.below_since is not None and self.at_checkout():
            due = self.below_since + cooldown
            if env.now < due:
                yield env.timeout(due - env.now)
                continue
            self.release_one()
            self.below_since = env.now
        self._cooling = False
