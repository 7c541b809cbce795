"""An animated checkout area, rebuilt from one replication's customer and staff records.

The records say when each served customer arrived, at which lane they were served and
when service started and ended, and what each employee was doing when. From them:

- a lane's line at time t: customers served at that lane who arrived by t and had not yet
  started service (customers who later gave up have no lane on record and are counted apart);
  a customer who moved to another line (jockeying, ``moves`` > 0) is drawn in the line they
  were served from since their arrival, in another colour: the records say how often they
  moved, not when;
- which lane an employee keeps open: the lane whose customers' service starts coincide with
  the starts of that employee's serving spells (an idle spell without a customer is placed
  at the first lane nobody else holds then);
- employees on the floor or walking between floor and lanes, from their states (employees
  on a break are not drawn);
- with self-checkout kiosks (``kiosks`` > 0), the kiosk bank beside the floor: the kiosks in
  use (customers with ``kiosk`` = 1 between the start of their transaction and leaving, a hold
  for help included), the bank's one line, and the staff at the bank (attendants, and floor
  employees answering a call), from the states ``attending`` and ``kiosk_idle``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .plots_style import clock_label, plan_colour, pyplot

if TYPE_CHECKING:
    from ..sim import ReplicationResult

LANE_STATES = ("serving", "lane_idle")
MATCH_TOLERANCE_MIN = 1e-6
"""Service starts are rebuilt as arrival + wait, so they match the staff records up to rounding."""
SHOWN_IN_LINE = 8
"""Customers drawn per line; longer lines get a ``+n`` label."""
MOVED_COLOUR = "#CC79A7"
"""Customers who moved from another line (Okabe-Ito reddish purple)."""
KIOSK_STATES = ("attending", "kiosk_idle")
ATTENDANT_COLOUR = "#D55E00"
"""Self-checkout attendants (Okabe-Ito vermillion)."""


@dataclass(frozen=True)
class LaneSpell:
    """An employee keeping lane ``lane`` open from ``start`` to ``end`` (minutes since opening)."""

    employee: str
    lane: int
    start: float
    end: float


@dataclass(frozen=True)
class CheckoutScene:
    """Everything the animation draws, one row per frame.

    Attributes:
        times: minutes since opening, one per frame.
        line: people waiting per lane (customers with a lane on record).
        moved: of them, those who moved there from another line (jockeys).
        serving: a customer is being served at the lane.
        open: an employee keeps the lane open.
        unplaced: people waiting who will give up (their lane is not on record).
        gave_up: customers who balked or reneged since the first frame.
        staff: per frame, (employee, state, lane or -1) for everyone at work.
        kiosks: self-checkout kiosks (0: none); kiosk_line: people waiting for a kiosk who will
            be served there; kiosk_busy: kiosks in use; attendants: the attendant employees.
    """

    open_hour: float
    express: frozenset[int]
    times: np.ndarray
    line: np.ndarray
    serving: np.ndarray
    open: np.ndarray
    unplaced: np.ndarray
    gave_up: np.ndarray
    staff: list[list[tuple[str, str, int]]]
    floor_staff: frozenset[str]
    moved: np.ndarray
    kiosks: int = 0
    kiosk_line: np.ndarray | None = None
    kiosk_busy: np.ndarray | None = None
    attendants: frozenset[str] = frozenset()


def _spells_by_employee(timeline: list[tuple[str, str, float, float]]) -> dict[str, list[tuple[float, float, str]]]:
    spells: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    for employee, state, start, end in timeline:
        spells[employee].append((start, end, state))
    return {e: sorted(v) for e, v in spells.items()}


def _lane_blocks(spells: list[tuple[float, float, str]]) -> list[list[tuple[float, float, str]]]:
    """Runs of consecutive serving / lane-idle spells: one stay at one lane each."""
    blocks: list[list[tuple[float, float, str]]] = []
    for spell in spells:
        if spell[2] not in LANE_STATES:
            continue
        if blocks and blocks[-1][-1][1] == spell[0]:
            blocks[-1].append(spell)
        else:
            blocks.append([spell])
    return blocks


def lane_spells(timeline: list[tuple[str, str, float, float]], customers: dict[str, np.ndarray],
                lanes: int) -> list[LaneSpell]:
    """Which lane each employee kept open, and when (see the module docstring)."""
    served = customers["outcome"] == "served"
    starts = (customers["arrived_at_min"] + customers["wait_min"])[served]
    order = np.argsort(starts)
    starts, served_lanes = starts[order], customers["lane"][served][order]
    known: list[LaneSpell] = []
    unknown: list[tuple[str, float, float]] = []
    for employee, spells in _spells_by_employee(timeline).items():
        for block in _lane_blocks(spells):
            votes: Counter[int] = Counter()
            for start, _, state in block:
                if state == "serving":
                    k = int(np.searchsorted(starts, start - MATCH_TOLERANCE_MIN))
                    if k < starts.size and abs(starts[k] - start) <= MATCH_TOLERANCE_MIN:
                        votes[int(served_lanes[k])] += 1
            begin, end = block[0][0], block[-1][1]
            if votes:
                known.append(LaneSpell(employee, votes.most_common(1)[0][0], begin, end))
            else:
                unknown.append((employee, begin, end))
    for employee, begin, end in unknown:
        taken = {s.lane for s in known if s.start < end and begin < s.end}
        free = next((lane for lane in range(lanes) if lane not in taken), 0)
        known.append(LaneSpell(employee, free, begin, end))
    return known


def _state_at(spells: list[tuple[float, float, str]], t: float) -> str:
    for start, end, state in spells:
        if start <= t < end:
            return state
    return "off"


def checkout_scene(result: ReplicationResult, open_hour: float, lanes: int, express_lanes: int,
                   times: np.ndarray, kiosks: int = 0) -> CheckoutScene:
    """The scene at each of ``times`` (minutes since opening) of a replication with records on;
    ``kiosks``: the store's self-checkout kiosks (``store.self_checkout_kiosks``)."""
    c = result.customers
    if c is None or result.staff_timeline is None:
        raise ValueError("the animation needs a replication run with output.customers=true")
    served = c["outcome"] == "served"
    arrived, lane = c["arrived_at_min"], c["lane"]
    started = arrived + c["wait_min"]
    left = c["left_at_min"]
    t = times[:, None]
    waiting = (arrived <= t) & (t < started)
    line = np.stack([(waiting & served & (lane == k)).sum(axis=1) for k in range(lanes)], axis=1)
    jockey = served & (c["moves"] > 0) if "moves" in c else np.zeros_like(served)
    moved = np.stack([(waiting & jockey & (lane == k)).sum(axis=1) for k in range(lanes)], axis=1)
    in_service = served & (started <= t) & (t < left)
    serving = np.stack([(in_service & (lane == k)).any(axis=1) for k in range(lanes)], axis=1)
    unplaced = (waiting & (c["outcome"] == "reneged")).sum(axis=1)
    gave_up = ((c["outcome"] != "served") & (left >= times[0]) & (left <= t)).sum(axis=1)
    spells = lane_spells(result.staff_timeline, c, lanes)
    is_open = np.zeros((times.size, lanes), dtype=bool)
    for s in spells:
        is_open[(times >= s.start) & (times < s.end), s.lane] = True
    by_employee = _spells_by_employee(result.staff_timeline)
    floor_staff = frozenset(e for e, v in by_employee.items() if any(state == "floor" for _, _, state in v))
    staff = []
    for now in times:
        here = []
        for employee, v in by_employee.items():
            state = _state_at(v, now)
            if state != "off":
                at = next((s.lane for s in spells if s.employee == employee and s.start <= now < s.end), -1)
                here.append((employee, state, at))
        staff.append(here)
    at_kiosk = served & (c["kiosk"] == 1) if "kiosk" in c else np.zeros_like(served)
    attendants = frozenset(e for e, v in by_employee.items()
                           if e not in floor_staff and any(state in KIOSK_STATES for _, _, state in v))
    return CheckoutScene(open_hour, frozenset(range(lanes - express_lanes, lanes)), times, line, serving, is_open,
                         unplaced, gave_up, staff, floor_staff, moved, kiosks, (waiting & at_kiosk).sum(axis=1),
                         (at_kiosk & (started <= t) & (t < left)).sum(axis=1), attendants)


def render_gif(scene: CheckoutScene, path: Path, fps: int = 8, dpi: int = 80,
               on_frame: Callable[[int], None] | None = None) -> Path:
    """Draw the scene frame by frame and save it as a GIF (matplotlib's PillowWriter);
    ``on_frame(done)`` is called after each frame drawn (``done`` of ``len(scene.times)``)."""
    from matplotlib.animation import FuncAnimation, PillowWriter
    from matplotlib.patches import Rectangle

    plt = pyplot()
    lanes = scene.line.shape[1]
    floor_x, walk_x = lanes + 1.6, lanes + 0.4
    bank_x = lanes + 3.5  # the kiosk bank, right of the floor
    fig, ax = plt.subplots(figsize=(10 + 2.2 * bool(scene.kiosks), 5.6))
    ax.set_xlim(-0.8, lanes + 3.2 + 2.6 * bool(scene.kiosks))
    ax.set_ylim(-1.6, SHOWN_IN_LINE * 0.8 + 2.0)
    ax.axis("off")
    booths = []
    for k in range(lanes):
        booth = Rectangle((k - 0.35, -0.6), 0.7, 0.9, linewidth=1.5, edgecolor="#555555")
        ax.add_patch(booth)
        booths.append(booth)
        ax.text(k, -1.05, f"{k + 1}{' E' if k in scene.express else ''}", ha="center", fontsize=11)
    ax.add_patch(Rectangle((lanes + 0.9, -0.6), 2.1, SHOWN_IN_LINE * 0.8 + 1.2, facecolor="#F3F3F3",
                           edgecolor="#BBBBBB"))
    ax.text(floor_x + 0.3, SHOWN_IN_LINE * 0.8 + 0.75, "floor", ha="center", fontsize=12)
    ax.text(walk_x, -1.05, "walking", ha="center", fontsize=10, rotation=0)
    ax.text(-0.8, -1.5, "lane (E = express)   green = open, grey = closed", fontsize=10, color="#555555")
    customers = ax.scatter([], [], marker="s", s=90, color=plan_colour("arrivals"), edgecolor="#444444")
    jockeys = ax.scatter([], [], marker="s", s=90, color=MOVED_COLOUR, edgecolor="#444444")
    in_service = ax.scatter([], [], marker="s", s=90, color="#E69F00", edgecolor="#444444")
    staff = ax.scatter([], [], marker="o", s=140, edgecolor="#000000", zorder=3)
    extra = [ax.text(k, SHOWN_IN_LINE * 0.8 + 1.0, "", ha="center", fontsize=10) for k in range(lanes)]
    title = ax.set_title("", fontsize=14)
    kiosk_boxes, kiosk_line, kiosk_extra = _kiosk_bank(ax, scene, bank_x)
    legend = [plt.Line2D([], [], marker="o", linestyle="", color=plan_colour("cashier"), label="cashier"),
              plt.Line2D([], [], marker="o", linestyle="", color=plan_colour("floor_employee"), label="floor employee"),
              plt.Line2D([], [], marker="s", linestyle="", color="#E69F00", label="being served"),
              plt.Line2D([], [], marker="s", linestyle="", color=plan_colour("arrivals"), label="waiting")]
    if scene.moved.any():
        legend.append(plt.Line2D([], [], marker="s", linestyle="", color=MOVED_COLOUR, label="switched lines"))
    if scene.attendants:
        legend.insert(2, plt.Line2D([], [], marker="o", linestyle="", color=ATTENDANT_COLOUR, label="attendant"))
    ax.legend(handles=legend, loc="upper left", ncol=len(legend), fontsize=10, frameon=False, bbox_to_anchor=(0, 1.02))

    def draw(frame: int) -> None:
        line, now = scene.line[frame], scene.times[frame]
        stayed, moved = [], []  # those who moved are drawn at the back of the line they were served from
        for k in range(lanes):
            for j in range(min(line[k], SHOWN_IN_LINE)):
                (moved if j >= line[k] - scene.moved[frame, k] else stayed).append((k, 0.8 + 0.8 * (j + 1)))
        customers.set_offsets(stayed or np.empty((0, 2)))
        jockeys.set_offsets(moved or np.empty((0, 2)))
        in_service.set_offsets([(k, 0.8) for k in range(lanes) if scene.serving[frame, k]] or np.empty((0, 2)))
        for k in range(lanes):
            booths[k].set_facecolor("#9AD3A8" if scene.open[frame, k] else "#DDDDDD")
            extra[k].set_text(f"+{line[k] - SHOWN_IN_LINE}" if line[k] > SHOWN_IN_LINE else "")
        points, colours, on_floor, walking, at_bank = [], [], 0, 0, 0
        for employee, state, at in scene.staff[frame]:
            colour = plan_colour("floor_employee" if employee in scene.floor_staff else "cashier")
            if employee in scene.attendants:
                colour = ATTENDANT_COLOUR
            if state in KIOSK_STATES:  # at the kiosk bank: those helping at a kiosk drawn lower
                points.append((bank_x + 2.0, 0.2 + 0.8 * at_bank + (0.0 if state == "attending" else 0.4)))
                at_bank += 1
            elif at >= 0:
                points.append((at, -0.15))
            elif state == "walking":
                points.append((walk_x, 0.2 + 0.8 * walking))
                walking += 1
            elif state == "floor":
                points.append((floor_x + 0.6 * (on_floor % 2), 0.5 + 0.9 * (on_floor // 2)))
                on_floor += 1
            else:
                continue
            colours.append(colour)
        staff.set_offsets(points or np.empty((0, 2)))
        staff.set_facecolor(colours)
        waiting = int(line.sum() + scene.unplaced[frame])
        kiosk_text = ""
        if scene.kiosks:
            busy, queued = int(scene.kiosk_busy[frame]), int(scene.kiosk_line[frame])
            for k, box in enumerate(kiosk_boxes):
                box.set_facecolor("#E69F00" if k < busy else "#DDDDDD")
            kiosk_line.set_offsets([(bank_x + 1.3, 0.2 + 0.8 * j) for j in range(min(queued, SHOWN_IN_LINE))]
                                   or np.empty((0, 2)))
            kiosk_extra.set_text(f"+{queued - SHOWN_IN_LINE}" if queued > SHOWN_IN_LINE else "")
            waiting += queued
            kiosk_text = f", {busy} of {scene.kiosks} kiosks in use"
        title.set_text(f"{clock_label(now, scene.open_hour)}   {waiting} waiting, "
                       f"{int(scene.open[frame].sum())} lanes open{kiosk_text}, {int(scene.gave_up[frame])} gave up "
                       "so far")

    animation = FuncAnimation(fig, draw, frames=len(scene.times), interval=1000 / fps)
    path.parent.mkdir(parents=True, exist_ok=True)
    progress = None if on_frame is None else (lambda frame, frames: on_frame(frame + 1))
    animation.save(path, writer=PillowWriter(fps=fps), dpi=dpi, progress_callback=progress)
    plt.close(fig)
    return path


def _kiosk_bank(ax, scene: CheckoutScene, x: float) -> tuple[list, object, object]:
    """Draw the kiosk bank's fixed parts (kiosks in two columns, its label) at ``x``; return the
    kiosk boxes, the bank's line (a scatter) and its ``+n`` label, to update per frame."""
    from matplotlib.patches import Rectangle

    if not scene.kiosks:
        return [], None, None
    rows = -(-scene.kiosks // 2)
    step = min(0.75, (SHOWN_IN_LINE * 0.8 + 0.6) / rows)
    boxes = []
    for k in range(scene.kiosks):
        box = Rectangle((x + 0.5 * (k % 2) - 0.2, -0.5 + step * (k // 2)), 0.4, step * 0.8, linewidth=1.2,
                        edgecolor="#555555", facecolor="#DDDDDD")
        ax.add_patch(box)
        boxes.append(box)
    ax.text(x + 1.0, -1.05, "self-checkout", ha="center", fontsize=10)
    line = ax.scatter([], [], marker="s", s=90, color=plan_colour("arrivals"), edgecolor="#444444")
    extra = ax.text(x + 1.3, SHOWN_IN_LINE * 0.8 + 1.0, "", ha="center", fontsize=10)
    return boxes, line, extra
