"""The calibration's figures (PNG): arrivals by hour, the service residuals' Q-Q plot, the
basket histogram, and the replay check. Each title states what the figure shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ...sim.clock import clock_from_hours
from .arrivals import DayTypeProfile
from .baskets import Baskets, basket_pmf
from .families import FAMILIES, unit_distribution
from .replay import LABELS, Replay
from .service import ServiceModel

OBSERVED, FITTED, SIMULATED, SATURATED = "#333333", "#0072B2", "#D55E00", "#E69F00"
QQ_POINTS = 400
FILES = {"arrivals": "arrivals_by_hour.png", "service": "service_residuals_qq.png", "baskets": "basket_size.png",
         "replay": "replay.png"}


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 11, "axes.spines.top": False, "axes.spines.right": False,
                         "axes.grid": True, "grid.alpha": 0.3, "savefig.dpi": 110, "savefig.bbox": "tight"})
    return plt


def _save(fig: Any, path: Path) -> Path:
    fig.savefig(path)
    _pyplot().close(fig)
    return path


def _clock_ticks(ax: Any, hours: list[int], every: int = 2) -> None:
    ticks = [h for h in hours if (h - hours[0]) % every == 0]
    ax.set_xticks(ticks)
    ax.set_xticklabels([clock_from_hours(h) for h in ticks])
    ax.set_xlabel("hour of the day (start)")


def _band(ax: Any, x: list[float], estimates: list, colour: str, label: str, shift: float = 0.0) -> None:
    """Means as a line with their confidence interval as a band."""
    mean = np.array([e.estimate for e in estimates], dtype=float)
    low = np.array([e.ci_low for e in estimates], dtype=float)
    high = np.array([e.ci_high for e in estimates], dtype=float)
    xs = np.asarray(x, dtype=float) + shift
    ax.plot(xs, mean, color=colour, marker="o", markersize=4, label=label)
    ax.fill_between(xs, np.where(np.isfinite(low), low, mean), np.where(np.isfinite(high), high, mean),
                    color=colour, alpha=0.2, linewidth=0)


def _shade(ax: Any, hours: list[int], label: str | None) -> None:
    for k, h in enumerate(hours):
        ax.axvspan(h, h + 1, color=SATURATED, alpha=0.18, linewidth=0, label=label if k == 0 else None)


def arrivals_figure(profiles: dict[str, DayTypeProfile], path: Path) -> Path:
    """Each day's transactions per hour (dots) and the fitted profile with its 95% interval."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(profiles), figsize=(5.2 * len(profiles), 4.4), sharey=True, squeeze=False)
    rng = np.random.default_rng(0)
    for ax, (kind, profile) in zip(axes[0], profiles.items()):
        hours = [h.hour for h in profile.hours]
        x = np.repeat(np.asarray(hours, dtype=float) + 0.5, profile.days)
        y = profile.counts.to_numpy(float).T.ravel()
        ax.scatter(x + rng.uniform(-0.18, 0.18, x.size), y, s=9, color=OBSERVED, alpha=0.35,
                   label=f"one {kind} ({profile.days} days)")
        _band(ax, [h + 0.5 for h in hours], [h.transactions for h in profile.hours], FITTED,
              "fitted profile, 95% CI")
        _shade(ax, profile.saturated_hours(), "registers saturated: count understates demand")
        peak = max(profile.hours, key=lambda h: h.transactions.estimate)
        outliers = len(profile.outlier_days)
        left_out = f"; {outliers} outlier day{'s' if outliers > 1 else ''} left out" if outliers else ""
        ax.set_title(f"{kind.capitalize()}: peak {peak.transactions.estimate:.0f}/h at {clock_from_hours(peak.hour)}{left_out}",
                     fontsize=11)
        _clock_ticks(ax, hours)
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8, loc="upper left")
    axes[0][0].set_ylabel("transactions per hour")
    fig.suptitle(_arrivals_finding(profiles))
    return _save(fig, path)


def _arrivals_finding(profiles: dict[str, DayTypeProfile]) -> str:
    """The arrivals figure's title: where demand peaks and which hours were saturated."""
    saturated = [f"{kind} {clock_from_hours(h)}" for kind, p in profiles.items() for h in p.saturated_hours()]
    if saturated:
        return (f"Checkout arrivals by hour: registers saturated at {', '.join(saturated)}, "
                "so demand there is higher than the count")
    return "Checkout arrivals by hour: the fitted profiles follow the observed days, no hour saturated"


def service_qq_figure(service: ServiceModel, path: Path) -> Path:
    """Q-Q plots of the unit-mean residual ratios against each candidate family."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, len(FAMILIES), figsize=(13, 4.4), sharex=True, sharey=True)
    p = (np.arange(QQ_POINTS) + 0.5) / QQ_POINTS
    observed = np.quantile(service.residuals, p)
    top = float(np.quantile(service.residuals, 0.999))
    for ax, family in zip(axes, FAMILIES):
        fit = service.fits[family]
        theory = unit_distribution(family, fit.cv).ppf(p)
        chosen = family == service.distribution
        ax.plot([0, top], [0, top], color="#999999", linewidth=1, label="perfect fit")
        ax.scatter(theory, observed, s=8, color=FITTED if chosen else OBSERVED, alpha=0.8 if chosen else 0.5)
        mark = " (chosen)" if chosen else ""
        ax.set_title(f"{family}{mark}: AIC {fit.aic:,.0f}, KS {fit.ks_statistic:.3f}", fontsize=10)
        ax.set_xlabel(f"{family} quantile, mean 1, cv {fit.cv:.2f}")
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
    axes[0].set_ylabel("observed time / fitted mean time")
    axes[0].legend(fontsize=9, loc="upper left")
    fig.suptitle(f"Service-time residuals follow a {service.distribution} with cv {service.cv.estimate:.2f} "
                 f"({service.residuals.size:,} ordinary transactions)")
    return _save(fig, path)


def basket_figure(baskets: Baskets, path: Path) -> Path:
    """Histogram of basket sizes with storesim's fitted basket law."""
    plt = _pyplot()
    items = baskets.items
    top = int(np.quantile(items, 0.995)) + 1
    k = np.arange(0, top + 1)
    share = np.bincount(np.minimum(items, top + 1), minlength=top + 2)[: top + 1] / items.size
    mean, cv = baskets.mean_items.estimate, baskets.cv.estimate
    fig, ax = plt.subplots(figsize=(8, 4.4))
    ax.bar(k, share, width=0.9, color="#BBBBBB", label=f"observed ({items.size:,} transactions)")
    ax.plot(k, basket_pmf(max(mean, 1.0), cv, k), color=FITTED, marker="o", markersize=3,
            label="fitted: 1 + negative binomial")
    ax.set_xlabel("items in the basket")
    ax.set_ylabel("share of transactions")
    ax.set_xlim(-0.5, top + 0.5)
    ax.legend()
    ax.set_title(f"Baskets: mean {mean:.1f} items, cv {cv:.2f}; spend {baskets.value_per_item.estimate:.2f} per item")
    return _save(fig, path)


def _gap(replay: Replay, metric: str) -> float:
    """Mean absolute relative gap, simulated against observed, over unsaturated hours."""
    pairs = [(o.estimate, s.estimate) for h, o, s in zip(replay.hours, replay.observed[metric],
                                                          replay.simulated[metric]) if h not in replay.saturated]
    gaps = [abs(s - o) / o for o, s in pairs if o and np.isfinite(o) and np.isfinite(s)]
    return float(np.mean(gaps)) if gaps else float("nan")


def replay_figure(replay: Replay, path: Path) -> Path:
    """Observed against simulated per hour: transactions, busy share, service mean and p90."""
    plt = _pyplot()
    shown = ("transactions", "busy_share", "service_mean", "service_p90")
    fig, axes = plt.subplots(2, 2, figsize=(13, 8), sharex=True)
    x = [h + 0.5 for h in replay.hours]
    for ax, metric in zip(axes.ravel(), shown):
        _band(ax, x, replay.observed[metric], OBSERVED, f"observed {replay.day_type}s, 95% CI", -0.08)
        _band(ax, x, replay.simulated[metric], SIMULATED, f"simulated ({replay.replications} days), 95% CI", 0.08)
        _shade(ax, replay.saturated, "saturated hour")
        ax.set_ylabel(LABELS[metric])
        ax.set_ylim(bottom=0)
        ax.set_title(f"{LABELS[metric].split(' (')[0].capitalize()}: simulated "
                     f"{100 * _gap(replay, metric):.0f}% from observed", fontsize=11)
        _clock_ticks(ax, replay.hours)
    for ax in axes[0]:
        ax.set_xlabel("")
    axes[0][0].legend(fontsize=9, loc="upper left")
    daily = replay.daily
    fig.suptitle(f"Replay of the calibrated {replay.day_type} with the observed registers per hour: "
                 f"{daily['transactions_simulated'].estimate:.0f} transactions a day simulated, "
                 f"{daily['transactions_observed'].estimate:.0f} observed\n"
                 "(gaps: mean relative difference over the hours not saturated)", fontsize=12)
    return _save(fig, path)


def draw_all(profiles: dict[str, DayTypeProfile], service: ServiceModel, baskets: Baskets, replay: Replay,
             out_dir: Path) -> list[Path]:
    """Every calibration figure into ``out_dir`` (file names in ``FILES``)."""
    return [arrivals_figure(profiles, out_dir / FILES["arrivals"]),
            service_qq_figure(service, out_dir / FILES["service"]),
            basket_figure(baskets, out_dir / FILES["baskets"]),
            replay_figure(replay, out_dir / FILES["replay"])]
