"""Pictures drawn with matplotlib's Agg and SVG backends, from numbers already computed.

Each picture is a small frozen record of arrays (what ``service.plotting`` computes with the
numeric core) whose ``draw`` makes its bytes. This module imports numpy and matplotlib only,
so that a process that only draws (``service.api.rendering``) starts in a fraction of a second
and never loads the catalog or its kernels; and matplotlib only when a drawing process starts
(``start_drawing_process``) or a picture is drawn, so that the server, which makes the
records but draws none, does not load it (12 MiB of its resident memory and half a second of
its start, measured).

The same record gives the same bytes: SVG ids come from a fixed salt, no date is written, and
text is drawn as paths, so the picture needs no font on the reader's side.
"""

from __future__ import annotations

import importlib
import io
import math
import os
import signal
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

import numpy as np

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "PLOT_MEDIA_TYPES",
    "DepthPicture",
    "FunctionPicture",
    "PlotFormat",
    "TrainingCurves",
    "TrainingPicture",
    "start_drawing_process",
]

PlotFormat = Literal["svg", "png"]
PLOT_MEDIA_TYPES: Final[Mapping[PlotFormat, str]] = {"svg": "image/svg+xml", "png": "image/png"}

_METADATA: Final[Mapping[PlotFormat, dict[str, str | None]]] = {
    "svg": {"Date": None},
    "png": {},
}
_FLOAT_MAX: Final = float(np.finfo(np.float64).max)
# pyplot is never used, but fonts, caches and rcParams are shared by every figure.
_LOCK = threading.Lock()


@dataclass(frozen=True)
class FunctionPicture:
    """f and f' sampled on [low, high]; ``jumps`` (where f jumps) and ``breaks`` (where f or f'
    does) cut the curves; ``kinks`` and ``steps`` are the marked points, (x, f(x)) each."""

    x: np.ndarray
    value: np.ndarray
    slope: np.ndarray
    jumps: tuple[float, ...]
    breaks: tuple[float, ...]
    kinks: tuple[np.ndarray, np.ndarray]
    steps: tuple[np.ndarray, np.ndarray]
    low: float
    high: float
    title: str

    def draw(self, fmt: PlotFormat) -> bytes:
        """f solid, f' dashed, the kinks as open circles and the jumps as open squares."""
        figure = _figure(figsize=(6.4, 4.0))
        axes = figure.add_subplot()
        unit = _unit(self.value, self.slope, self.kinks[1], self.steps[1])
        # gids become the SVG groups' ids, so a reader (or a test) can find each curve.
        axes.plot(*_broken(self.x, self.value / unit, self.jumps), label="f(x)", gid="f")
        slope = self.slope / unit
        axes.plot(*_broken(self.x, slope, self.breaks), "--", label="f′(x)", gid="derivative")
        marks = (
            (self.kinks, "kink (f′ jumps)", "o", "kinks"),
            (self.steps, "jump (f jumps)", "s", "jumps"),
        )
        for (at, height), label, marker, gid in marks:
            if at.size:
                axes.plot(
                    at, height / unit, marker, fillstyle="none", color="black", label=label, gid=gid
                )
        axes.axhline(0, color="grey", linewidth=0.5)
        axes.axvline(0, color="grey", linewidth=0.5)
        axes.set_xlim(self.low, self.high)
        axes.set_xlabel("x")
        axes.set_ylabel("f(x), f′(x)" if unit == 1 else f"f(x), f′(x) (in units of {unit:.0e})")
        axes.set_title(self.title)
        axes.grid(alpha=0.3)
        axes.legend()
        return _save(figure, fmt)


@dataclass(frozen=True)
class DepthPicture:
    """Per layer, the RMS of dL/dh and the pre-activation second moment, each measured and
    predicted by mean-field theory."""

    layers: np.ndarray
    gradient: tuple[np.ndarray, np.ndarray]
    signal: tuple[np.ndarray, np.ndarray]
    title: str

    def draw(self, fmt: PlotFormat) -> bytes:
        """On logarithmic axes: vanishing and exploding show as slopes."""
        figure = _figure(figsize=(7.2, 4.0))
        gradient_axes, signal_axes = figure.subplots(1, 2, sharex=True)
        curves = (
            (gradient_axes, "RMS of ∂L/∂h", "gradient", self.gradient),
            (signal_axes, "E[h²] (pre-activation)", "signal", self.signal),
        )
        for axes, label, gid, (measured, theory) in curves:
            # Values that vanish to 0 or overflow have no place on a log axis: leave gaps.
            measured_y, theory_y = (np.array(y, dtype=np.float64) for y in (measured, theory))
            for y in (measured_y, theory_y):
                y[~(np.isfinite(y) & (y > 0))] = np.nan
            axes.plot(
                self.layers,
                measured_y,
                "o-",
                markersize=3,
                label="simulated",
                gid=f"{gid}-measured",
            )
            axes.plot(self.layers, theory_y, "--", label="mean-field theory", gid=f"{gid}-theory")
            if np.isfinite(np.concatenate((measured_y, theory_y))).any():
                axes.set_yscale("log")
            axes.set_xlabel("layer")
            axes.set_ylabel(label)
            axes.grid(alpha=0.3, which="both")
            axes.legend()
        figure.suptitle(self.title)
        return _save(figure, fmt)


@dataclass(frozen=True)
class TrainingCurves:
    """One entrant's trials, arrays of (trials, records); accuracy None for regression."""

    label: str
    steps: np.ndarray
    train_loss: np.ndarray
    test_loss: np.ndarray
    dead_fraction: np.ndarray
    test_accuracy: np.ndarray | None


@dataclass(frozen=True)
class TrainingPicture:
    """Training runs side by side, one colour per entrant."""

    entrants: Sequence[TrainingCurves]
    title: str

    def draw(self, fmt: PlotFormat) -> bytes:
        """Loss (training split solid, test dashed, logarithmic), test accuracy (classification
        only) and the share of dead units against step: the median over trials, with the band
        from the 25% to the 75% quantile."""
        classification = self.entrants[0].test_accuracy is not None
        panels = 3 if classification else 2
        figure = _figure(figsize=(3.6 * panels, 3.8))
        axes = figure.subplots(1, panels, sharex=True)
        loss_axes, dead_axes = axes[0], axes[-1]
        for index, entrant in enumerate(self.entrants):
            colour = f"C{index % 10}"
            curves = [
                (loss_axes, entrant.train_loss, "-", entrant.label, "train-loss"),
                (loss_axes, entrant.test_loss, "--", None, "test-loss"),
                (dead_axes, entrant.dead_fraction, "-", None, "dead"),
            ]
            if entrant.test_accuracy is not None:
                curves.append((axes[1], entrant.test_accuracy, "-", None, "test-accuracy"))
            for panel, values, style, legend, gid in curves:
                # A diverged trial's inf makes inf - inf in the interpolation: NaN, not drawn.
                with np.errstate(invalid="ignore"):
                    low, median, high = np.quantile(values, (0.25, 0.5, 0.75), axis=0)
                median[~np.isfinite(median)] = np.nan
                panel.plot(
                    entrant.steps,
                    median,
                    style,
                    color=colour,
                    label=legend,
                    gid=f"{entrant.label}/{gid}",
                )
                if values.shape[0] > 1:
                    panel.fill_between(
                        entrant.steps, low, high, color=colour, alpha=0.15, linewidth=0
                    )
        finite = [e.train_loss[np.isfinite(e.train_loss)] for e in self.entrants]
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
        figure.suptitle(f"{self.title}: median over trials, 25–75% band")
        return _save(figure, fmt)


def start_drawing_process() -> None:
    """A drawing process's start (service.api.rendering): matplotlib and its backends loaded
    before the first picture; Ctrl-C in a terminal and SIGTERM to the process group left to
    the server, which ends its children once its requests are answered; and an end of its own
    if the server ends without doing so (killed, out of memory)."""
    for module in _MATPLOTLIB:
        importlib.import_module(module)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    threading.Thread(
        target=_end_with, args=(os.getppid(),), name="end-with-server", daemon=True
    ).start()


def _end_with(server: int) -> None:
    """Ends this process within a second of its server: the queue it reads its pictures from
    never closes otherwise (it holds both ends), and it ignores SIGTERM."""
    while os.getppid() == server:
        time.sleep(1.0)
    os._exit(0)


_MATPLOTLIB: Final = (
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "matplotlib.backends.backend_svg",
)


def _figure(*, figsize: tuple[float, float]) -> Figure:
    from matplotlib.figure import Figure  # here, not at the top: the server draws nothing

    return Figure(figsize=figsize, dpi=100, layout="constrained")


def _save(figure: Figure, fmt: PlotFormat) -> bytes:
    from matplotlib import rc_context

    buffer = io.BytesIO()
    with _LOCK, rc_context({"svg.hashsalt": "activation-service", "svg.fonttype": "path"}):
        figure.savefig(buffer, format=fmt, metadata=_METADATA[fmt])
    return buffer.getvalue()


def _unit(*values: np.ndarray) -> float:
    """1, or the power of ten the values are drawn in where their span, margins included, would
    pass the float range: matplotlib's axes overflow there (tanh(x) * 1e308 raised
    LinAlgError), where the exponential's 0 to 8e307 on [-1000, 1000] still draws as it is."""
    finite = np.concatenate([v[np.isfinite(v)] for v in values])
    if finite.size == 0:
        return 1.0
    low, high = float(finite.min()), float(finite.max())
    if (high - low) * 1.25 < _FLOAT_MAX:
        return 1.0
    return 10.0 ** math.floor(math.log10(max(abs(low), abs(high))))


def _broken(x: np.ndarray, y: np.ndarray, at: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """x and y with a NaN after each point of ``at``, so the line is not drawn across a jump."""
    y = np.where(np.isfinite(y), y, np.nan)
    where = np.searchsorted(x, at, side="right")
    return np.insert(x, where, np.nan), np.insert(y, where, np.nan)
