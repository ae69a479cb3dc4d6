"""Plots of an activation and its derivative, drawn with matplotlib's Agg and SVG backends.

The same request gives the same bytes: SVG ids come from a fixed salt, no date is written,
and text is drawn as paths, so the picture needs no font on the reader's side.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Final, Literal

import numpy as np
from matplotlib import rc_context
from matplotlib.figure import Figure

from service import numerics
from service.numerics.analysis import Discontinuity
from service.numerics.networks import GradientFlow, History

__all__ = ["PLOT_MEDIA_TYPES", "PlotFormat", "plot", "plot_gradient_flow", "plot_training"]

PlotFormat = Literal["svg", "png"]
PLOT_MEDIA_TYPES: Final[Mapping[PlotFormat, str]] = {"svg": "image/svg+xml", "png": "image/png"}

_POINTS: Final = 2001
_METADATA: Final[Mapping[PlotFormat, dict[str, str | None]]] = {
    "svg": {"Date": None},
    "png": {},
}
# pyplot is never used, but fonts, caches and rcParams are shared by every figure.
_LOCK = threading.Lock()


def plot(
    activation: numerics.Activation,
    params: Mapping[str, numerics.ParamValue],
    *,
    low: float,
    high: float,
    discontinuities: Iterable[Discontinuity],
    fmt: PlotFormat,
) -> bytes:
    """f and f' on [low, high], broken where they jump, with every kink and jump marked."""
    breaks = [d for d in discontinuities if low <= d.x <= high and d.order <= 1]
    sides = [np.nextafter(d.x, side) for d in breaks for side in (-np.inf, np.inf)]
    x = np.unique(np.concatenate((np.linspace(low, high, _POINTS), [d.x for d in breaks], sides)))
    x = x[(x >= low) & (x <= high)]
    with np.errstate(all="ignore"):
        out = numerics.evaluate(activation, x, params=params, outputs=("value", "gradient"))
    value, slope = out["value"], out["gradient"]

    figure = Figure(figsize=(6.4, 4.0), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    # gids become the SVG groups' ids, so a reader (or a test) can find each curve.
    axes.plot(*_broken(x, value, [d.x for d in breaks if d.order == 0]), label="f(x)", gid="f")
    axes.plot(*_broken(x, slope, [d.x for d in breaks]), "--", label="f′(x)", gid="derivative")
    for order, label, marker in ((1, "kink (f′ jumps)", "o"), (0, "jump (f jumps)", "s")):
        at = np.array([d.x for d in breaks if d.order == order])
        if at.size:
            with np.errstate(all="ignore"):
                height = numerics.evaluate(activation, at, params=params)["value"]
            gid = "kinks" if order else "jumps"
            axes.plot(at, height, marker, fillstyle="none", color="black", label=label, gid=gid)
    axes.axhline(0, color="grey", linewidth=0.5)
    axes.axvline(0, color="grey", linewidth=0.5)
    axes.set_xlim(low, high)
    axes.set_xlabel("x")
    axes.set_ylabel("f(x), f′(x)")
    shown = ", ".join(f"{k}={v}" for k, v in params.items())
    axes.set_title(f"{activation.name}({shown})" if shown else activation.name)
    axes.grid(alpha=0.3)
    axes.legend()
    buffer = io.BytesIO()
    with _LOCK, rc_context({"svg.hashsalt": "activation-service", "svg.fonttype": "path"}):
        figure.savefig(buffer, format=fmt, metadata=_METADATA[fmt])
    return buffer.getvalue()


def plot_gradient_flow(result: GradientFlow, *, title: str, fmt: PlotFormat = "svg") -> bytes:
    """Per-layer RMS of dL/dh and pre-activation second moment against depth, each beside its
    mean-field prediction, on a logarithmic scale: vanishing and exploding show as slopes."""
    layers = np.array([report.layer for report in result.layers])
    figure = Figure(figsize=(7.2, 4.0), dpi=100, layout="constrained")
    gradient_axes, signal_axes = figure.subplots(1, 2, sharex=True)
    curves = (
        (
            gradient_axes,
            "RMS of ∂L/∂h",
            "gradient",
            [r.measured.grad_preact_rms for r in result.layers],
            [r.theory_grad_preact_rms for r in result.layers],
        ),
        (
            signal_axes,
            "E[h²] (pre-activation)",
            "signal",
            [r.measured.preact_second_moment for r in result.layers],
            [r.theory_preact_second_moment for r in result.layers],
        ),
    )
    for axes, label, gid, measured, theory in curves:
        # Values that vanish to 0 or overflow have no place on a log axis: leave gaps.
        measured_y = np.array(measured, dtype=np.float64)
        theory_y = np.array(theory, dtype=np.float64)
        for y in (measured_y, theory_y):
            y[~(np.isfinite(y) & (y > 0))] = np.nan
        axes.plot(layers, measured_y, "o-", markersize=3, label="simulated", gid=f"{gid}-measured")
        axes.plot(layers, theory_y, "--", label="mean-field theory", gid=f"{gid}-theory")
        if np.isfinite(np.concatenate((measured_y, theory_y))).any():
            axes.set_yscale("log")
        axes.set_xlabel("layer")
        axes.set_ylabel(label)
        axes.grid(alpha=0.3, which="both")
        axes.legend()
    figure.suptitle(f"{title}: {result.summary.verdict}")
    buffer = io.BytesIO()
    with _LOCK, rc_context({"svg.hashsalt": "activation-service", "svg.fonttype": "path"}):
        figure.savefig(buffer, format=fmt, metadata=_METADATA[fmt])
    return buffer.getvalue()


def plot_training(
    histories: Sequence[History], labels: Sequence[str], *, title: str, fmt: PlotFormat = "svg"
) -> bytes:
    """Loss (training split solid, test dashed, logarithmic), test accuracy (classification
    only) and the share of dead units against step, one colour per entrant: the median over
    trials, with the band from the 25% to the 75% quantile."""
    classification = histories[0].test_accuracy is not None
    panels = 3 if classification else 2
    figure = Figure(figsize=(3.6 * panels, 3.8), dpi=100, layout="constrained")
    axes = figure.subplots(1, panels, sharex=True)
    loss_axes, dead_axes = axes[0], axes[-1]
    colours = [f"C{index % 10}" for index in range(len(histories))]
    for history, label, colour in zip(histories, labels, colours, strict=True):
        steps = np.array(history.steps)
        curves = [
            (loss_axes, history.train_loss, "-", label, "train-loss"),
            (loss_axes, history.test_loss, "--", None, "test-loss"),
            (dead_axes, history.dead_fraction, "-", None, "dead"),
        ]
        if history.test_accuracy is not None:
            curves.append((axes[1], history.test_accuracy, "-", None, "test-accuracy"))
        for panel, values, style, legend, gid in curves:
            # A diverged trial's inf makes inf - inf in the interpolation: NaN, not drawn.
            with np.errstate(invalid="ignore"):
                low, median, high = np.quantile(values, (0.25, 0.5, 0.75), axis=0)
            median[~np.isfinite(median)] = np.nan
            panel.plot(steps, median, style, color=colour, label=legend, gid=f"{label}/{gid}")
            if values.shape[0] > 1:
                panel.fill_between(steps, low, high, color=colour, alpha=0.15, linewidth=0)
    finite = [h.train_loss[np.isfinite(h.train_loss)] for h in histories]
    if any((values > 0).any() for values in finite):
        loss_axes.set_yscale("log")
    loss_axes.set_ylabel("loss (train —, test - -)")
    loss_axes.legend(fontsize="small")
    if classification:
        axes[1].set_ylabel("test accuracy")
        axes[1].set_ylim(0, 1.02)
    dead_axes.set_ylabel("dead hidden units (share)")
    dead_axes.set_ylim(-0.02, 1.02)
    for panel in axes:
        panel.set_xlabel("step")
        panel.grid(alpha=0.3, which="both")
    figure.suptitle(f"{title}: median over trials, 25–75% band")
    buffer = io.BytesIO()
    with _LOCK, rc_context({"svg.hashsalt": "activation-service", "svg.fonttype": "path"}):
        figure.savefig(buffer, format=fmt, metadata=_METADATA[fmt])
    return buffer.getvalue()


def _broken(x: np.ndarray, y: np.ndarray, at: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """x and y with a NaN after each point of ``at``, so the line is not drawn across a jump."""
    y = np.where(np.isfinite(y), y, np.nan)
    where = np.searchsorted(x, at, side="right")
    return np.insert(x, where, np.nan), np.insert(y, where, np.nan)
