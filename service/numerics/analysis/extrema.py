"""Where a function peaks, and where it is flat: extrema and plateaus refined to adjacent floats.

The measurement of service.numerics.analysis.properties brackets each extremum and each flat
run on its grid; these refine them. A supremum is attained on a plateau at its level, or at a
finite point where the slope changes sign (cut down to the two adjacent floats and the rounder
one kept), or only approached, at infinity or beside a jump. A run on which a function keeps
its value has its ends cut down the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from service.numerics.analysis.smoothness import boundary, rounder, simplest
from service.numerics.types import Array, Interval

__all__ = ["Attained", "Function", "attained", "clean", "flat_runs", "inside"]

Function = Callable[[Array], Array]

_INF: Final = math.inf
_AGREE: Final = 1e-12
_UNDERFLOW: Final = 1e-300
_EPS: Final = float(np.finfo(np.float64).eps)


@dataclass(frozen=True, slots=True)
class Attained:
    """A value and where it is taken: a point (a closed interval of width 0), an interval, or
    None for a supremum that is only approached (as x goes to infinity, or beside a jump)."""

    value: float
    at: Interval | None


def attained(
    g: Function,
    slope: Function,
    x: Array,
    y: Array,
    *,
    limits: list[float],
    plateaus: tuple[Interval, ...],
) -> Attained | None:
    """The supremum of g and where it is attained: None when g is unbounded above, ``at`` None
    when the supremum is only approached (at infinity, or beside a jump).

    It is attained on a plateau whose level it is (relu's minimum on a dead zone), or at a
    finite point when it lies above every limit at infinity; there the grid's best points are
    refined to the adjacent floats where ``slope`` changes sign, and the highest is kept (of
    those equal to rounding, the nearest to 0: a periodic f has infinitely many).
    """
    if any(v == _INF for v in limits):
        return None
    best = float(np.nanmax(y))
    if best == _INF:
        return None
    tolerance = _AGREE * max(1.0, abs(best))
    for zone in plateaus:
        if abs(float(g(np.array([inside(zone)]))[0]) - best) <= tolerance:
            return Attained(clean(best), zone)
    if not all(best > v + tolerance for v in limits):
        return Attained(clean(max([best, *limits])), None)
    refined = [_refine(g, slope, x, y, i) for i in _peaks(x, y)]
    top = max(v for _, v in refined)
    point, value = min(
        ((p, v) for p, v in refined if v >= top - 4 * _EPS * abs(top)), key=lambda pv: abs(pv[0])
    )
    return Attained(clean(value), Interval.point(clean(point)))


def _peaks(x: Array, y: Array) -> list[int]:
    """Where to look for the maximum of y: its best grid point, and the 16 local maxima of
    [-20, 20] nearest 0 within 1e-3 of the best there. Far out one grid step may span many
    periods of a periodic function, so the fine core may hold a point the coarse tail only
    comes near; and of a periodic function's many maxima, the one nearest 0 is the one meant."""
    (core,) = np.nonzero(np.abs(x) <= 20)
    inner = y[core]
    top = float(np.nanmax(inner))
    rising, falling = inner[1:-1] >= inner[:-2], inner[1:-1] >= inner[2:]
    high = inner[1:-1] >= top - 1e-3 * max(1.0, abs(top))
    local = core[1:-1][rising & falling & high]
    nearest = local[np.argsort(np.abs(x[local]), kind="stable")[:16]]
    return sorted({int(np.nanargmax(y)), int(core[np.nanargmax(inner)]), *nearest.tolist()})


def _refine(g: Function, slope: Function, x: Array, y: Array, i: int) -> tuple[float, float]:
    """The grid's local maximum at x[i], moved to the adjacent floats where ``slope`` changes
    sign; (point, value)."""
    best = float(y[i])
    # The bracket reaches past the nearest grid points: near a flat maximum they may sit
    # inside the few ULP where a rounding error, not the function, decides which is larger.
    reach = max(
        x[min(i + 1, x.size - 1)] - x[i], x[i] - x[max(i - 1, 0)], 1e-3 * max(1.0, abs(x[i]))
    )
    lo, hi = np.array([x[i] - reach]), np.array([x[i] + reach])

    def rising(t: Array) -> npt.NDArray[np.bool_]:
        return np.asarray(slope(t) > 0)

    point = float(x[i])
    if rising(lo)[0] and not rising(hi)[0]:
        refined = float(rounder(*boundary(rising, lo, hi))[0])
        # The slope's root is located to about 1e-9: a maximum that close to 0 is at 0.
        refined = 0.0 if abs(refined) < 1e-9 else refined
        value = float(g(np.array([refined]))[0])
        # Below the grid's best by more than rounding, the maximum sits on a kink (elu' at
        # 0 for alpha > 1), where the slope changes sign without passing through 0.
        if value >= best - 4 * _EPS * abs(best):
            point, best = refined, value
    return point, best


def clean(value: float | np.floating[Any]) -> float:
    """A Python float, with -0.0 made 0.0 (a sign of zero means nothing to a reader)."""
    return float(value) + 0.0


def inside(zone: Interval) -> float:
    """A point inside an interval, finite even when the interval is not."""
    if math.isfinite(zone.low) and math.isfinite(zone.high):
        return (zone.low + zone.high) / 2
    if math.isfinite(zone.low):
        return zone.low + max(1.0, abs(zone.low))
    if math.isfinite(zone.high):
        return zone.high - max(1.0, abs(zone.high))
    return 0.0


def flat_runs(
    g: Function, x: Array, flat: npt.NDArray[np.bool_], *, min_width: float = 0.0
) -> tuple[Interval, ...]:
    """The intervals on which g keeps the value it has where ``flat`` holds, ends to the ULP.

    A run of one grid point is no interval, nor one narrower than ``min_width`` (relative; a
    smooth maximum rounds to a plateau a few ULP wide), nor one with an edge that is merely
    where g rounds to its level (sigmoid' underflowing to 0 below x = -745): just off a real
    edge, g differs from its level by far more than rounding.
    """
    steps = np.diff(flat.astype(np.int8))
    starts = np.nonzero(steps == 1)[0] + 1
    stops = np.nonzero(steps == -1)[0]
    if flat[0]:
        starts = np.concatenate(([0], starts))
    if flat[-1]:
        stops = np.concatenate((stops, [x.size - 1]))
    runs: list[Interval] = []
    for start, stop in zip(starts.tolist(), stops.tolist(), strict=True):
        if stop == start:
            continue
        level = g(x[start : start + 1])

        def on(t: Array, level: Array = level) -> npt.NDArray[np.bool_]:
            return np.asarray(g(t) == level)

        low, low_closed, high, high_closed = -_INF, False, _INF, False
        if start > 0:
            low, low_closed = _edge(on, x[start - 1 : start], x[start : start + 1])
        if stop < x.size - 1:
            high, high_closed = _edge(on, x[stop : stop + 1], x[stop + 1 : stop + 2])
        real = all(
            _departs(g, edge, float(level[0]), outwards)
            for edge, outwards in ((low, -1), (high, 1))
            if math.isfinite(edge)
        )
        wide = not math.isfinite(high - low) or high - low > min_width * max(
            1.0, abs(low), abs(high)
        )
        if real and wide:
            runs.append(Interval(clean(low), clean(high), low_closed, high_closed))
    return tuple(runs)


def _edge(on: Callable[[Array], npt.NDArray[np.bool_]], a: Array, b: Array) -> tuple[float, bool]:
    """Where ``on`` changes between a and b, as the rounder of the two floats, and whether on
    holds there. An edge within 1e-12 of 0 is at 0: it is where a rounded function changes
    (e^x rounds to 1 for |x| < 5.5e-17), not where the function does."""
    edge = float(rounder(*boundary(on, a, b))[0])
    edge = 0.0 if simplest(edge) == 0 else edge
    return edge, bool(on(np.array([edge]))[0])


def _departs(g: Function, edge: float, level: float, outwards: int) -> bool:
    probe = edge + outwards * 1e-6 * max(1.0, abs(edge))
    gap = abs(float(g(np.array([probe]))[0]) - level)
    return gap > 16 * _EPS * abs(level) + _UNDERFLOW
