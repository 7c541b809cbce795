"""The checkout area: lanes, their lines, and how customers choose among them.

``per_lane``: each lane has its own line and a customer joins the shortest line
(people waiting plus the one being served) among the open lanes they may use; baskets of
more than ``store.express_limit`` items may not use express lanes; ties go to the lane
opened first. ``single_line``: one pooled line feeds every open lane (express lanes then
serve everybody). Lanes open in a fixed order, one express lane after every two regular
ones. Which lanes are open and take customers, and how a lane passes between cashiers, is
the protocol in ``sim/handover.py``.

Balking looks at the people waiting, whatever the lanes are doing: under ``per_lane`` the
people in the line the customer would join plus the one in service there; under
``single_line`` the people in the pooled line plus those in service at open lanes, divided
by ``max(1, open lanes)`` (with no lane open, everyone waiting is ahead).

Informed customers (``satisfaction.informed``) are told a predicted wait on arrival
(``sim/satisfaction.py``). One who is told a wait at least as long as their patience balks,
whatever the line's length (when balking is on), or else gives up at once: counted as
reneging after no wait, rather than after waiting their patience out (delay announcements:
Armony, Shimkin and Whitt 2009). Others decide as everyone does.

Overtakes (per-lane lines): when a customer starts service, the number of later arrivals who
already started is their count of slips and skips (``Customer.overtakes``); a pooled line
serves in arrival order and counts none.

Jockeying (``queue.jockey_diff`` = k, ``per_lane`` only; null by default: nobody moves). The
length of a line, as a customer weighing a move sees it, is the people waiting in it plus the
one in service plus those walking over to it; the line of a lane with nobody at it (closed
for a break, say) counts one more than the people waiting, as if someone were in service:
nobody is served there until a cashier comes (assumption). Only the last customer of a line
moves, and only to a line of a lane that takes new customers and that they may use (express
limits), when that line is at least k people shorter than their own. With lengths that count
the mover, k = 2 is the smallest useful value: at k = 1 a customer would move to as many
people ahead as before, and straight back.

When lines are checked: whenever a line may have got shorter or a lane may have opened to
customers: a lane starts a service (its line is one shorter) or finds nobody to serve (it
has just opened, finished its line, or closed, which sends the customers of its line
elsewhere), a move's walk ends, and an arrival finds that customers gave up waiting or that
the lanes taking customers changed since the last check (giving up is noticed then, see
``sim/line.py``; a lane that takes customers again after a hand-over is thus noticed at the
next arrival or service). Who moves first: the back
customer of the longest line (ties: the lowest lane index) who has a line to go to; they
go to the shortest line they may use (ties: the lane opened first, as on arrival). Then the
lines are checked again, until nobody can move. A customer may move any number of times;
each move needs the rule to hold anew. Moves always end: each lowers the sum of the squared
lengths.

A move takes ``queue.jockey_walk_min``. Meanwhile the customer is in no line but counts in
the length of the line they walk to until the walk ends (so that others do not all run to
the same short line; arrivals choosing a line do not see them), as waiting for
``queue_len`` and the wait KPIs, and as inside the store; their patience keeps running and
they may give up while walking. At the end of the walk they join the back of that line if
its lane still takes customers, else the line an arrival would choose (never balking).
After the doors close, a lane that customers are walking to stays open until they have
come (``sim/lane.py``). Moves are decided without random draws, so a day with jockeying is
as reproducible as one without, and with ``jockey_diff`` null nothing of this runs.

Self-checkout (``store.self_checkout_kiosks`` > 0; the bank is ``sim/self_checkout.py``). At
arrival, after choosing a line as above, a customer may go to the kiosks instead: only with
a basket of at most ``self_checkout.max_items`` items and no exception (price matches,
returns and coupons of ``exceptions.*`` need a cashier). Of those, customers who prefer kiosks
(``self_checkout.preference_share``, drawn per customer) always go; the others go when the
kiosks' expected wait is shorter than that of the line they chose. Expected waits as the
customer sees them (assumption: by people ahead and mean times, not by baskets): a line's
is the people ahead of them (the measure balking uses) times the mean service time
(``mean_service_min``) of a standard cashier; the kiosks' is 0 with a kiosk free, else the
people in the kiosk line plus themselves, divided by the kiosks, times the mean kiosk time
of a mean basket. Kiosk customers never jockey.
"""

from __future__ import annotations

import heapq
import math
from collections import deque

from typing import TYPE_CHECKING

import simpy

from .customer import BALKED, RENEGED, WAITING, Customer, ProcessGenerator
from .empowerment import AFTER_HOLD, AT_ONCE, ExceptionHandling
from .handover import LaneHandover
from .lane import CheckoutLane
from .line import Line
from .monitor import CustomerTally, LevelTracker
from .params import AbandonmentParams, QueueParams, StoreParams
from .records import CustomerLog
from .satisfaction import Overtakes, SatisfactionModel

if TYPE_CHECKING:
    from collections.abc import Callable

    from .self_checkout import KioskBank


def opening_order(lanes: int, express_lanes: int) -> list[int]:
    """Lane ids in the order lanes open: R R E R R E ... then the remaining regular lanes.

    The express lanes are the last ``express_lanes`` ids, so a single open lane is never
    an express one.
    """
    regular = lanes - express_lanes
    order: list[int] = []  # linear in the lanes (slicing and popping lists made it quadratic)
    r = e = 0
    while len(order) < lanes:
        order.extend(range(r, min(r + 2, regular)))
        r = min(r + 2, regular)
        if e < express_lanes:
            order.append(regular + e)
            e += 1
    return order


class CheckoutArea:
    """Owns the lanes, the lines and the checkout statistics of one replication.

    The time-weighted levels use the tally's time buckets and warm-up.

    Attributes:
        queue_len: customers waiting in all lines (time-weighted).
        open_lanes: staffed lanes (time-weighted).
        busy_lanes: lanes serving a customer (time-weighted).
        handover: who keeps which lane open, and which lanes take new customers.
        doors_closed: no more customers will arrive.
        inside: customers who joined a line and have not left (served or reneged) yet.
        idle_lanes: under ``single_line``, open lanes that found the pooled line empty, in
            the order they did (an arrival wakes the first that still waits).
        on_leave: called whenever a customer leaves a line or a lane (the day's end listens).
        jockey_diff: how much shorter another line must be for a customer to move (None: never).
        jockeys: customers arriving after warm-up who moved to another line at least once.
        moves: moves of customers arriving after warm-up.
    """

    def __init__(self, env: simpy.Environment, store: StoreParams, queue: QueueParams,
                 abandonment: AbandonmentParams, tally: CustomerTally, log: CustomerLog | None,
                 satisfaction: SatisfactionModel, exceptions: ExceptionHandling) -> None:
        self.env = env
        self.tally = tally
        self.log = log
        self.satisfaction = satisfaction
        self.exceptions = exceptions
        self.behind_exception_waits: list[float] = []
        """Waits of the first customer a lane served after settling an exception (arrived before it ended)."""
        bucket, warmup = tally.width, tally.warmup
        self.queue_len = LevelTracker(bucket, warmup)
        self.open_lanes = LevelTracker(bucket, warmup)
        self.busy_lanes = LevelTracker(bucket, warmup)
        self.pooled = queue.discipline == "single_line"
        self.express_limit = store.express_limit if not self.pooled else math.inf
        self.balk_at = abandonment.balk_line_len if abandonment.balking else math.inf
        self.doors_closed = False
        self.inside = 0
        self.last_departure_at = 0.0
        """When the last served customer so far left (the day ends at the latest of this, the
        last customer to give up waiting, and the closing time)."""
        self.on_leave: Callable[[], None] | None = None
        pooled_line = Line(self._reneged) if self.pooled else None
        self.lanes: list[CheckoutLane] = []
        for lane_id in range(store.lanes):
            express = lane_id >= store.lanes - store.express_lanes and not self.pooled
            line = pooled_line if pooled_line is not None else Line(self._reneged)
            self.lanes.append(CheckoutLane(env, lane_id, express, line, self.pooled, self))
        self.order = [self.lanes[i] for i in opening_order(store.lanes, store.express_lanes)]
        self.idle_lanes: deque[CheckoutLane] = deque()
        self._reneging = abandonment.reneging
        self._deadlines: list[tuple[float, int, Customer, Line]] = []
        self.pooled_line = pooled_line
        self.handover = LaneHandover(self)
        self._accepting_seen: list[CheckoutLane] | None = None  # for _busy_accepting
        self._not_accepting: list[CheckoutLane] = []
        self.on_line_change: Callable[[float], None] | None = None
        """Called with the time whenever the lines change (the cross-training policy listens)."""
        self.jockey_diff = None if self.pooled else queue.jockey_diff
        self.jockey_walk = queue.jockey_walk_min
        self.jockeys = self.moves = 0
        self._shortened = False  # a customer gave up waiting since the lines were last checked
        self._checked_with: list[CheckoutLane] = []  # the lanes taking customers at the last check
        self._k_less_1 = (self.jockey_diff or 0) - 1
        self._watched_for: list[CheckoutLane] | None = None  # the lanes taking customers when _others was listed
        self._others: list[CheckoutLane] = []  # see rebalance
        self._longest = 0  # at least the longest line with somebody waiting, since the last check (line_shortened)
        self._joined_unseen = False  # an arrival joined a line with people walking to it since the last check
        self._gone_walking = 0  # walkers who gave up on the way, out of queue_len, still in walkers_coming
        self._overtakes = Overtakes(self._lowest_waiting)  # later arrivals served first (per-lane lines only)
        self.kiosks: KioskBank | None = None
        """The self-checkout bank (``sim/self_checkout.py``), None without kiosks."""
        self.kiosk_max_items = 0
        self.mean_service_min = 0.0
        """A standard cashier's mean service time, for the expected wait at a line."""

    # -- customers -------------------------------------------------------------------
    def admit(self, customer: Customer) -> None:
        """A customer reaches checkout: join a line, or balk at its length."""
        now = self.env.now
        self.tally.arrival(customer.arrived_at)
        if self._reneging:
            self.drop_impatient(now)
        if self.jockey_diff is not None and (self._shortened or self.handover.accepting is not self._checked_with):
            self.rebalance(now)
        if self.kiosks is not None and customer.items <= self.kiosk_max_items and not customer.exception:
            if customer.prefers_kiosk:  # goes whatever the lines: no line to choose
                self.kiosks.admit(customer)
                return
            lane, ahead = self._choose(customer)
            if self._kiosks_quicker(ahead):
                self.kiosks.admit(customer)
                return
        else:  # without kiosks, one test as before
            lane, ahead = self._choose(customer)
        satisfaction = self.satisfaction
        served_first = ahead  # per lane: everyone ahead; pooled: those who start before a lane frees for this one
        if self.pooled:
            lanes = len(self.handover.accepting) or 1
            served_first = max(0.0, ahead * lanes - lanes + 1) / lanes
        customer.expected_wait_min, promised = satisfaction.expect(customer.expected_wait_min, now, served_first)
        customer.promised_wait_min = promised
        told_too_long = satisfaction.informed and promised >= customer.renege_at - now
        if ahead >= self.balk_at or (told_too_long and self.balk_at < math.inf):
            customer.outcome = BALKED
            customer.left_at = now
            customer.score = satisfaction.abandoned(customer.arrived_at, customer.segment)
            self.tally.abandonment(customer.arrived_at, customer.items, balked=True)
            if self.log is not None:
                self.log.add(customer)
            return
        if told_too_long:  # informed, may not balk: gives up at once rather than after waiting in vain
            customer.outcome = RENEGED
            customer.left_at = customer.renege_at = now
            customer.score = satisfaction.abandoned(customer.arrived_at, customer.segment)
            self.tally.abandonment(customer.arrived_at, customer.items, balked=False, waited=0.0)
            if self.log is not None:
                self.log.add(customer)
            return
        lane.line.join(customer)
        if self.jockey_diff is not None:  # for line_shortened
            if lane.walkers_coming:  # chosen without seeing those walking over: a move may be due now
                self._joined_unseen = True
            n = lane.line.waiting + lane.walkers_coming + 1  # a lane with nobody at it counts one more
            if n > self._longest:
                self._longest = n
        self.inside += 1
        self.queue_len.change(now, 1)
        if self.on_line_change is not None:
            self.on_line_change(now)
        if self._reneging:
            heapq.heappush(self._deadlines, (customer.renege_at, customer.customer_id, customer, lane.line))
        if self.pooled:
            idle = self.idle_lanes
            while idle:
                free = idle.popleft()
                if free.idle and free.accepting:
                    free.idle = False
                    free.signal()
                    break
        elif lane.idle:
            lane.idle = False
            lane.signal()

    def drop_impatient(self, now: float) -> None:
        """Let every customer whose patience ran out by ``now`` leave their line."""
        deadlines = self._deadlines
        while deadlines and deadlines[0][0] <= now:
            _, _, customer, line = heapq.heappop(deadlines)
            if customer.outcome == WAITING:
                if customer.moves:
                    line = customer.line
                    if line is None:  # walking to another line
                        customer.outcome = RENEGED
                        customer.left_at = customer.renege_at
                        self._gone_walking += 1  # still in the target's walkers_coming until the walk ends
                        self._reneged(customer, now)
                        continue
                line.renege(customer, now)

    def watch_patience(self, customer: Customer, line: Line) -> None:
        """Let ``customer``, waiting in ``line`` (the kiosk line), give up when their patience
        runs out, noticed as in the lanes' lines (``drop_impatient``)."""
        if self._reneging:
            heapq.heappush(self._deadlines, (customer.renege_at, customer.customer_id, customer, line))

    def _kiosks_quicker(self, ahead: float) -> bool:
        """Whether a customer who may use the kiosks but does not prefer them, with ``ahead``
        people ahead in the line they chose, goes to the kiosks instead (the rule is in the
        module docstring)."""
        if self.pooled:  # _choose skips counting when nobody balks
            ahead = (self.pooled_line.waiting + self._busy_accepting()) / max(1, len(self.handover.accepting))
        return self.kiosks.expected_wait() < ahead * self.mean_service_min

    def _busy_accepting(self) -> float:
        """Lanes serving a customer among those taking new customers: every busy lane
        (``busy_lanes``, kept as they change) less the busy ones that take nobody new, which
        are listed afresh only when the lanes taking customers change (rarely)."""
        accepting = self.handover.accepting
        if accepting is not self._accepting_seen:
            self._accepting_seen = accepting
            self._not_accepting = [lane for lane in self.lanes if not lane.accepting]
        busy = self.busy_lanes.level
        for lane in self._not_accepting:
            if lane.busy:
                busy -= 1
        return busy

    def _choose(self, customer: Customer) -> tuple[CheckoutLane, float]:
        """The lane whose line the customer joins and how many people are ahead (per lane)."""
        if self.pooled:
            return self.lanes[0], (self.pooled_line.waiting + self._busy_accepting()) / max(
                1, len(self.handover.accepting))
        best, best_ahead = None, math.inf
        small = customer.items <= self.express_limit
        for lane in self.handover.accepting:
            if lane.express and not small:
                continue
            ahead = lane.line.waiting + lane.busy
            if ahead < best_ahead:
                best, best_ahead = lane, ahead
        if best is None:  # no open lane for this basket at this instant: a staffed one, else the first
            staffed = [lane for lane in self.order if lane.cashier is not None]
            if staffed:
                best = min(staffed, key=lambda lane: lane.line.waiting + lane.busy)
            else:  # nobody at any lane: wait in the one line the next cashier opens (see take_lane)
                best = next((lane for lane in self.order if lane.line.waiting), self.order[0])
            best_ahead = best.line.waiting + best.busy
        return best, best_ahead

    def start_service(self, lane: CheckoutLane, customer: Customer, now: float) -> float:
        """``lane`` starts serving ``customer`` now; return the service time."""
        cashier = lane.cashier
        service = customer.work_min / cashier.speed
        wait = now - customer.arrived_at
        customer.lane_id = lane.lane_id
        customer.started_at = now
        customer.left_at = done = now + service
        if done > self.last_departure_at:
            self.last_departure_at = done
        self.queue_len.change(now, -1)
        if self.on_line_change is not None:
            self.on_line_change(now)
        self.tally.service_start(customer.arrived_at, wait, service)
        if lane.exception_ended_at is not None:
            if customer.arrived_at < lane.exception_ended_at and customer.arrived_at >= self.tally.warmup:
                self.behind_exception_waits.append(wait)
            lane.exception_ended_at = None
        if not self.pooled:
            customer.overtakes = self._overtakes.start(customer.customer_id)
        if not customer.exception:
            customer.score = self.satisfaction.served(customer.arrived_at, wait, customer.expected_wait_min,
                                                      cashier.spec.friendliness, customer.recognition, customer.segment,
                                                      customer.promised_wait_min, customer.overtakes)
            if self.log is not None:
                self.log.add(customer)
        return service

    def settle_exception(self, lane: CheckoutLane, customer: Customer) -> ProcessGenerator:
        """After scanning, settle ``customer``'s exception at ``lane``; the lane waits meanwhile."""
        cashier = lane.cashier
        outcome = yield from self.exceptions.settle(customer, cashier)
        now = self.env.now
        customer.left_at = lane.exception_ended_at = now
        self.last_departure_at = max(self.last_departure_at, now)
        p = self.satisfaction.p
        competence = {AT_ONCE: p.resolved_at_once, AFTER_HOLD: p.resolved_after_hold}.get(outcome, p.unresolved)
        customer.score = self.satisfaction.served(customer.arrived_at, customer.started_at - customer.arrived_at,
                                                  customer.expected_wait_min, cashier.spec.friendliness,
                                                  competence + customer.recognition,
                                                  customer.segment, customer.promised_wait_min, customer.overtakes)
        if self.log is not None:
            self.log.add(customer)

    def departed(self) -> None:
        """A customer's service (and any exception) is over: they leave the store."""
        self.inside -= 1
        if self.on_leave is not None:
            self.on_leave()

    def next_deadline(self) -> float:
        """When the next waiting customer's patience runs out (``inf``: none will)."""
        return self._deadlines[0][0] if self._deadlines else math.inf

    def _reneged(self, customer: Customer, now: float) -> None:
        self._shortened = True
        self.inside -= 1
        if self.on_leave is not None:
            self.on_leave()
        self.queue_len.correct(customer.renege_at, now, -1)
        customer.score = self.satisfaction.abandoned(customer.arrived_at, customer.segment)
        if self.on_line_change is not None:
            self.on_line_change(now)
        self.tally.abandonment(customer.arrived_at, customer.items, balked=False,
                               waited=customer.renege_at - customer.arrived_at)
        if self.log is not None:
            self.log.add(customer)

    def _lowest_waiting(self, highest_started: int) -> int | None:
        """The lowest customer number that may still start at a lane: of the customers in the
        lanes' lines (those who gave up unseen included, which only lowers it), else above
        ``highest_started`` (later arrivals); None while customers walk between lines (in no line)."""
        lowest = highest_started + 1
        for lane in self.lanes:
            if lane.walkers_coming:
                return None
            first = lane.line.lowest_number()
            if first is not None and first < lowest:
                lowest = first
        return lowest

    # -- jockeying -------------------------------------------------------------------
    def seen_length(self, lane: CheckoutLane) -> int:
        """The length of ``lane``'s line as a customer weighing a move sees it (module docstring)."""
        if lane.cashier is None:  # only ever a line to leave: it takes no new customers
            return lane.line.waiting + 1
        return lane.line.waiting + lane.busy + lane.walkers_coming

    def line_shortened(self, lane: CheckoutLane, now: float) -> None:
        """``lane``, staffed, started a service or found nobody to serve: its line is shorter
        (or it has just opened), so let customers move to it.

        After a check nobody could move; if since then only ``lane``'s line got shorter, only
        a move to it is possible, and only from a line at least ``k`` longer. Two bounds on the
        other lines' lengths: (1) since the check, a line with somebody waiting is at most as
        long as the longest one then, or as a line an arrival joined since (``_longest``, kept
        as they join: only arrivals lengthen a line between checks, moves and walks end in a
        check); (2) any other line holds at most the people waiting in or walking to lines
        other than ``lane``'s (of ``queue_len``, plus walkers who gave up on the way and still
        count at the line they were walking to) and one in service. When either is too short,
        the full check (:meth:`rebalance`) is skipped. It runs whenever customers gave up, an
        arrival joined a line with people walking to it (unseen, so its choice may leave a
        move due elsewhere), or the lanes taking customers changed, since the last check.
        """
        deadlines = self._deadlines  # only kept with reneging on
        if deadlines and deadlines[0][0] <= now:
            self.drop_impatient(now)
        if self._shortened or self._joined_unseen or self.handover.accepting is not self._checked_with:
            self.rebalance(now)
            return
        n = lane.line.waiting + lane.busy + lane.walkers_coming  # its seen_length
        if (self._longest - n > self._k_less_1 and self.queue_len.level + self._gone_walking
                - n - lane.line.waiting - lane.walkers_coming >= self._k_less_1):
            self.rebalance(now)

    def rebalance(self, now: float) -> None:
        """Move customers from the back of longer lines to shorter ones while the rule allows
        (``queue.jockey_diff``; who moves first: the module docstring)."""
        deadlines = self._deadlines
        if deadlines and deadlines[0][0] <= now:
            self.drop_impatient(now)
        self._shortened = self._joined_unseen = False
        self._checked_with = accepting = self.handover.accepting
        self._longest = math.inf  # until this check ends with every line known
        if not accepting:
            return
        if accepting is not self._watched_for:
            # Besides the lanes taking customers, the lines that may matter: those of staffed lanes
            # finishing their line, and of closed lanes with people waiting. While some lane takes
            # customers nobody joins a closed lane's line, and every change of cashier gives a new
            # list of the lanes taking customers, so the lines left out stay empty until then.
            self._watched_for = accepting
            self._others = [lane for lane in self.lanes if not lane.accepting and (
                lane.cashier is not None or lane.line.waiting)]
        k, lanes, limit, queue_len, others = self.jockey_diff, self.lanes, self.express_limit, self.queue_len, self._others
        longest = 0
        while queue_len.level:  # somebody waits (the cheap test first: most checks find lines even)
            # One pass: the shortest line taking customers (the first of them: the lane opened first)
            # and the longest with somebody waiting (ties: the lowest lane index); seen_length, inlined:
            # this runs after most services.
            shortest = math.inf
            longest = 0
            for lane in accepting:
                waiting = lane.line.waiting
                n = waiting + lane.busy + lane.walkers_coming
                if n < shortest:
                    shortest, target = n, lane
                if waiting and n >= longest and (n > longest or lane.lane_id < source.lane_id):
                    longest, source = n, lane
            for lane in others:
                waiting = lane.line.waiting
                if waiting:
                    n = waiting + (lane.busy + lane.walkers_coming if lane.cashier is not None else 1)
                    if n > longest or (n == longest and lane.lane_id < source.lane_id):
                        longest, source = n, lane
            if longest - shortest < k:
                self._longest = longest
                return
            # The first to weigh a move is the back customer of the longest line: they move to the
            # shortest line when they may use it (what _shorter_line would find, as every line before
            # it is longer), which is nearly always.
            customer = source.line.back()
            if customer.items <= limit or not target.express:
                self._move(customer, source, target, now)
                continue
            # Else (a large basket, and the shortest line an express lane's): who may move are the
            # back customers of lines at least k longer than the shortest, longest first (ties: the
            # lowest lane index), and the shortest line of lanes taking every basket.
            longer: list[tuple[int, int]] = []
            regular = math.inf
            for lane in accepting:
                waiting = lane.line.waiting
                n = waiting + lane.busy + lane.walkers_coming
                if n < regular and not lane.express:
                    regular = n
                if waiting and n - shortest >= k:
                    longer.append((-n, lane.lane_id))
            for lane in others:
                waiting = lane.line.waiting
                if waiting and (n := waiting + (lane.busy + lane.walkers_coming if lane.cashier is not None
                                                else 1)) - shortest >= k:
                    longer.append((-n, lane.lane_id))
            longer.sort()
            for minus_n, lane_id in longer:
                lane = lanes[lane_id]
                customer = lane.line.back()
                if -minus_n - (shortest if customer.items <= limit else regular) >= k:
                    self._move(customer, lane, self._shorter_line(customer, lane), now)
                    break
            else:
                self._longest = longest
                return
        self._longest = longest

    def _shorter_line(self, customer: Customer, source: CheckoutLane) -> CheckoutLane:
        """The shortest line other than ``source``'s that ``customer`` may join (ties: the
        lane opened first); called only when one is short enough to move to."""
        small = customer.items <= self.express_limit
        best, best_n = None, math.inf
        for lane in self.handover.accepting:
            if lane is source or (lane.express and not small):
                continue
            n = lane.line.waiting + lane.busy + lane.walkers_coming  # seen_length of a lane taking customers
            if n < best_n:
                best, best_n = lane, n
        return best

    def _move(self, customer: Customer, source: CheckoutLane, target: CheckoutLane, now: float) -> None:
        """``customer`` leaves the back of ``source``'s line for ``target``'s."""
        source.line.leave_back()
        customer.moves += 1
        # The shorter line's promise becomes the mover's (from arrival, as at arrival): they moved
        # because it promised less, so a wait merely shorter than the first line's is no surprise.
        ahead = target.line.waiting + target.walkers_coming + target.busy
        customer.promised_wait_min = min(customer.promised_wait_min,
                                         now - customer.arrived_at + ahead * self.satisfaction.mean_service_min)
        if customer.arrived_at >= self.tally.warmup:
            self.moves += 1
            self.jockeys += customer.moves == 1
        if self.jockey_walk > 0:
            customer.line = None
            target.walkers_coming += 1
            self.env.timeout(self.jockey_walk).callbacks.append(lambda _: self._walked(customer, target))
        else:
            self._join(customer, target)

    def _walked(self, customer: Customer, target: CheckoutLane) -> None:
        """``customer``'s walk to ``target`` is over: join its line, or the best one if it
        no longer takes customers (unless their patience ran out on the way)."""
        now = self.env.now
        target.walkers_coming -= 1
        if customer.outcome != WAITING:  # gave up on the way (drop_impatient)
            self._gone_walking -= 1
        if self._reneging:
            self.drop_impatient(now)
        if customer.outcome == WAITING:
            self._join(customer, target if target.accepting else self._choose(customer)[0])
        if target.idle:  # it may have stayed open for this customer (sim/lane.py)
            target.idle = False
            target.signal()
        self.rebalance(now)

    def _join(self, customer: Customer, lane: CheckoutLane) -> None:
        customer.line = lane.line
        lane.line.join(customer)
        if lane.idle:
            lane.idle = False
            lane.signal()

    # -- closing time ----------------------------------------------------------------
    def close_doors(self) -> None:
        """No more arrivals: idle lanes are woken to close, busy ones finish their lines
        (``sim/handover.py``, rule 1)."""
        self.doors_closed = True
        for lane in self.lanes:
            if lane.idle:
                lane.idle = False
                lane.signal()
        if self.on_leave is not None:
            self.on_leave()
