"""The time-weighted tracker against a brute-force integral."""

from __future__ import annotations

import math

import numpy as np

from storesim.sim.monitor import LevelTracker


def brute_force(steps, grid_end, width, warmup):
    """Integrate a step function given as (time, delta) on a fine grid of exact segments."""
    times = sorted({0.0, grid_end, warmup, *(t for t, _ in steps),
                    *(k * width for k in range(int(grid_end // width) + 1))})
    level_at = lambda t: sum(d for s, d in steps if s <= t)
    buckets = [0.0] * (int(grid_end // width) + 1)
    after = 0.0
    for a, b in zip(times, times[1:]):
        area = level_at(a) * (b - a)
        buckets[int(a // width)] += area
        if a >= warmup:
            after += area
    return buckets, after


def test_tracker_matches_the_brute_force_integral_with_late_corrections():
    rng = np.random.default_rng(4)
    width, warmup = 15.0, 22.5
    tracker = LevelTracker(width, warmup)
    steps, now = [], 0.0
    for _ in range(300):
        now += float(rng.exponential(1.3))
        if rng.random() < 0.2 and steps:
            since = max(0.0, now - float(rng.exponential(20.0)))
            tracker.correct(since, now, -1.0)
            steps.append((since, -1.0))
        else:
            tracker.change(now, 1.0 if rng.random() < 0.55 else -1.0)
            steps.append((now, tracker.level - sum(d for _, d in steps)))
    tracker.close(now)
    buckets, after = brute_force(steps, now, width, warmup)
    got = tracker.bucket_means(len(buckets))
    assert np.allclose(np.array(got) * width, buckets)
    assert math.isclose(tracker.area, after, rel_tol=1e-9)


def test_max_level_ignores_the_warm_up():
    tracker = LevelTracker(15.0, warmup=10.0)
    tracker.change(1.0, 5)
    tracker.change(2.0, -4)
    tracker.change(12.0, 1)
    tracker.close(20.0)
    assert tracker.max_level == 2
    assert math.isclose(tracker.area, 1 * 2 + 2 * 8)
