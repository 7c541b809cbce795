"""The checkout area over the evening peak of one store day, as an animated GIF."""

from __future__ import annotations

import numpy as np

from ..animation import checkout_scene, render_gif
from ..plots_style import clock_label
from .registry import DemoContext, DemoResult, demo

OVERRIDES = ["staffing=lean", "policy/cross_training=threshold", "queue.jockey_diff=2", "run.replications=1",
             "output.customers=true"]
"""Six cashiers all day, two cross-trained floor employees who step in when lines grow, and
customers who switch to a line at least two people shorter."""
MARGIN_HOURS = 0.5
"""How long before and after the evening peak the animation runs."""


@demo("animate", "animated checkout area over the evening peak: lines, open lanes, staff switching roles")
def animate(ctx: DemoContext) -> DemoResult:
    result = ctx.run(OVERRIDES)
    params = result.params
    store = params.store
    start = (store.peak_start_hour - MARGIN_HOURS - store.open_hour) * 60
    end = (store.peak_end_hour + MARGIN_HOURS - store.open_hour) * 60
    times = np.linspace(start, end, ctx.size(int(end - start) + 1, 6))
    scene = checkout_scene(result.replications[0], store.open_hour, store.lanes, store.express_lanes, times,
                           store.self_checkout_kiosks)
    frames = None if ctx.progress is None else ctx.progress("animation frames", len(scene.times))
    path = render_gif(scene, ctx.figure_path("animate", ".gif"), on_frame=frames)
    busiest = int(np.argmax(scene.line.sum(axis=1) + scene.unplaced))
    explanation = (
        f"One store day with 6 cashiers, 2 cross-trained floor employees and customers who switch lines, "
        f"minute by minute from "
        f"{clock_label(start, store.open_hour)} to {clock_label(end, store.open_hour)} around the evening peak.",
        "Watch the lines grow as the rush arrives, floor employees walk over to open extra lanes (customers at the "
        "back of longer lines move over: drawn pink), and the lines shrink again only after the arrivals slow down.",
        f"Longest total line: {int(scene.line[busiest].sum() + scene.unplaced[busiest])} people with "
        f"{int(scene.open[busiest].sum())} lanes open; {int(scene.gave_up[-1])} customers gave up in this window.",
    )
    return DemoResult(path, explanation, {"scene": scene})
