"""What the plots show, computed with the numeric core; ``service.drawing`` draws it.

Each function here returns a picture record of plain arrays, cheap to compute and to send to
the process that draws (``service.api.rendering``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

import numpy as np

from service import numerics
from service.drawing import DepthPicture, FunctionPicture, TrainingCurves, TrainingPicture
from service.numerics.analysis import Discontinuity
from service.numerics.networks import GradientFlow, History

__all__ = ["depth_picture", "function_picture", "training_picture"]

_POINTS: Final = 2001


def function_picture(
    activation: numerics.Activation,
    params: Mapping[str, numerics.ParamValue],
    *,
    low: float,
    high: float,
    discontinuities: Iterable[Discontinuity],
) -> FunctionPicture:
    """f and f' on [low, high], broken where they jump, with every kink and jump marked."""
    breaks = [d for d in discontinuities if low <= d.x <= high and d.order <= 1]
    sides = [np.nextafter(d.x, side) for d in breaks for side in (-np.inf, np.inf)]
    x = np.unique(np.concatenate((np.linspace(low, high, _POINTS), [d.x for d in breaks], sides)))
    x = x[(x >= low) & (x <= high)]
    with np.errstate(all="ignore"):
        out = numerics.evaluate(activation, x, params=params, outputs=("value", "gradient"))
    marked = []
    for order in (1, 0):
        at = np.array([d.x for d in breaks if d.order == order])
        with np.errstate(all="ignore"):
            height = numerics.evaluate(activation, at, params=params)["value"] if at.size else at
        marked.append((at, height))
    shown = ", ".join(f"{k}={v}" for k, v in params.items())
    return FunctionPicture(
        x=x,
        value=out["value"],
        slope=out["gradient"],
        jumps=tuple(d.x for d in breaks if d.order == 0),
        breaks=tuple(d.x for d in breaks),
        kinks=marked[0],
        steps=marked[1],
        low=low,
        high=high,
        title=f"{activation.name}({shown})" if shown else activation.name,
    )


def depth_picture(result: GradientFlow, *, title: str) -> DepthPicture:
    """A gradient-flow simulation's per-layer gradient RMS and signal, beside their theory."""
    layers = result.layers
    return DepthPicture(
        layers=np.array([report.layer for report in layers]),
        gradient=(
            np.array([r.measured.grad_preact_rms for r in layers], dtype=np.float64),
            np.array([r.theory_grad_preact_rms for r in layers], dtype=np.float64),
        ),
        signal=(
            np.array([r.measured.preact_second_moment for r in layers], dtype=np.float64),
            np.array([r.theory_preact_second_moment for r in layers], dtype=np.float64),
        ),
        title=f"{title}: {result.summary.verdict}",
    )


def training_picture(
    histories: Sequence[History], labels: Sequence[str], *, title: str
) -> TrainingPicture:
    """Training runs' loss, accuracy and dead units against step, one entrant per history."""
    return TrainingPicture(
        entrants=tuple(
            TrainingCurves(
                label=label,
                steps=np.array(history.steps),
                train_loss=history.train_loss,
                test_loss=history.test_loss,
                dead_fraction=history.dead_fraction,
                test_accuracy=history.test_accuracy,
            )
            for history, label in zip(histories, labels, strict=True)
        ),
        title=title,
    )
