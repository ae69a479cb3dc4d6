"""What an activation does, measured from its forward and derivative for given parameters.

Nothing here is taken on trust. f and f' are evaluated on one grid that covers the whole
float range (steps of 1e-3 on [-20, 20], then 100 points per decade out to 1e308, and down to
1e-12 around zero), and every boundary the grid brackets (an extremum, where a dead zone or a
plateau ends, where |f'| falls under 1% of its maximum) is then cut down to two adjacent
floats. Where the answer lives at infinity it is read off f at x = +-10^k: a limit once three
successive values agree to 1e-12 (0 once they underflow), an infinite one when they keep growing.

Moments for z ~ N(0, 1) come from composite Gauss-Legendre quadrature on [-16, 16] (the normal
density beyond is below 1e-56), in panels of width 1/4 that are also split at every
discontinuity of f, f' and f'' the detector finds, so that a kink costs no accuracy, and
halved wherever a panel's 24 nodes disagree with 24 on each of its halves. Where the entry has
f'', the maximum of |f'| is located where f'' changes sign.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import pairwise
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from service.numerics.analysis.extrema import (
    Attained,
    Function,
    attained,
    clean,
    flat_runs,
    inside,
)
from service.numerics.analysis.quadrature import normal_moments
from service.numerics.analysis.smoothness import (
    Discontinuity,
    boundary,
    discontinuities,
    rounder,
    simplest,
)
from service.numerics.catalog.entry import Activation
from service.numerics.catalog.facts import declared
from service.numerics.exceptions import NotMeasurable, Unmeasurable
from service.numerics.types import Array, Interval, ParamValue

__all__ = ["Monotonicity", "Properties", "measure", "measurement_grid", "unmeasurable"]

Monotonicity = Literal["increasing", "non-decreasing", "decreasing", "non-increasing", "constant"]

_INF: Final = math.inf
_AGREE: Final = 1e-12
_SATURATED: Final = 0.01
_UNDERFLOW: Final = 1e-300
_NORMALISED: Final = 1e-6
_EPS: Final = float(np.finfo(np.float64).eps)


@dataclass(frozen=True, slots=True)
class Properties:
    """What f does for one set of parameters, as computed (PyTorch's conventions included).

    - ``range``: the values f takes; an end is closed when some finite x attains it.
      ``limits``: lim f at -inf and +inf (None where there is none).
    - ``monotonic``: from the sign of f' and of every jump of f; "increasing" rather than
      "non-decreasing" when f' has no dead zone. ``slope_monotonic``: whether f' never falls
      (rises) by more than its rounding; "constant" when it does neither.
    - ``identity_near_origin``: f(0) = 0, f'(0) = 1 and f' continuous at 0.
    - ``gaussian_mean``, ``gaussian_variance``: E f(z) and Var f(z) for z ~ N(0, 1);
      ``zero_centred`` when |E f(z)| is at most 1% of the RMS sqrt(E f(z)^2).
    - ``saturates_below``/``_above``: the x beyond which |f'| stays under 1% of its maximum,
      on a side where f' tends to 0 (None on a side where it does not).
    - ``max_abs_slope``: sup |f'| (infinite when |f'| is unbounded) and where it is attained.
      ``global_minimum``/``_maximum``: None unless some finite x attains them.
    - ``self_normalising``: under LeCun-normalised weights (sum w = 0, sum w^2 = 1; Klambauer
      et al. 2017) a layer whose inputs have mean mu and variance nu gets pre-activations
      N(0, nu), so its outputs have (mean, variance) = g(mu, nu) = (E f(sqrt(nu) z),
      Var f(sqrt(nu) z)). f is self-normalising when g(0, 1) = (0, 1) within 1e-6 and the
      Jacobian of g there has spectral norm below 1 (an attracting fixed point).
    - ``dead_zones``: intervals on which f' = 0 exactly (not merely underflowing).
    - ``discontinuities``: the jumps of f, f' and f'' (see ``smoothness``).
    """

    value_at_zero: float
    slope_at_zero: float
    range: Interval
    limits: tuple[float | None, float | None]
    monotonic: Monotonicity | None
    slope_monotonic: Monotonicity | None
    identity_near_origin: bool
    gaussian_mean: float
    gaussian_variance: float
    zero_centred: bool
    saturates_below: float | None
    saturates_above: float | None
    max_abs_slope: Attained
    global_minimum: Attained | None
    global_maximum: Attained | None
    self_normalising: bool
    dead_zones: tuple[Interval, ...]
    discontinuities: tuple[Discontinuity, ...]

    @property
    def bounded_below(self) -> bool:
        return self.range.low > -_INF

    @property
    def bounded_above(self) -> bool:
        return self.range.high < _INF


def unmeasurable(activation: Activation, params: Mapping[str, ParamValue]) -> Unmeasurable | None:
    """Why ``activation`` has no scalar f(x) to measure with these parameters, if it has none."""
    if activation.axiswise:
        return "axis-wise"
    if declared(activation.facts.random, params):
        return "random"
    if not declared(activation.facts.defined, params):
        return "undefined"
    return None


def measure(activation: Activation, params: Mapping[str, ParamValue]) -> Properties:
    """The properties of ``activation`` for resolved ``params``, computed once per parameter set;
    NotMeasurable if it has no scalar f(x) (an axis-wise entry, or one drawing random numbers)."""
    reason = unmeasurable(activation, params)
    if reason is not None:
        raise NotMeasurable(activation.name, reason)
    # Entries are frozen and hashable, and equal only when name and functions are the same.
    return _measure(activation, tuple(sorted(params.items())))


@lru_cache(maxsize=256)
def _measure(activation: Activation, params: tuple[tuple[str, ParamValue], ...]) -> Properties:
    assert activation.derivative is not None, "an element-wise entry has f'"
    f: Function = partial(activation.forward, **dict(params))
    df: Function = partial(activation.derivative, **dict(params))
    d2f: Function | None = None
    if activation.second_derivative is not None:
        d2f = partial(activation.second_derivative, **dict(params))
    with np.errstate(all="ignore"):
        return _Measurement(f, df, d2f).properties()


def measurement_grid() -> Array:
    """The points f and f' are measured on (read only)."""
    return _grid()


@lru_cache(maxsize=1)
def _grid() -> Array:
    core = np.linspace(-20.0, 20.0, 40_001)
    tail = np.append(np.logspace(-12, 308, 32_001), np.finfo(np.float64).max)
    return np.unique(np.concatenate((core, tail, -tail, [0.0])))


_TAIL: Final = np.logspace(8, 308, 31)


class _Measurement:
    def __init__(self, f: Function, df: Function, d2f: Function | None) -> None:
        self.f, self.df, self.d2f = f, df, d2f
        self.jumps = discontinuities(f, df, _grid(), d2f)
        # Beside a jump f approaches the other side's value without taking it: a limit, as
        # those at infinity are. The floats on either side of each jump join the grid.
        steps = np.array([d.x for d in self.jumps if d.order == 0])
        self.side_limits = _side_limits(f, steps)
        around = np.concatenate((steps, np.nextafter(steps, -_INF), np.nextafter(steps, _INF)))
        self.x = np.union1d(_grid(), around)
        self.y, self.dy = f(self.x), df(self.x)
        self.limits = (_limit(f(-_TAIL)), _limit(f(_TAIL)))
        self.slope_limits = (_limit(df(-_TAIL)), _limit(df(_TAIL)))
        self.dead_zones = flat_runs(df, self.x, np.asarray(self.dy == 0))
        self.level_sets = self._level_sets()

    def properties(self) -> Properties:
        zero = np.zeros(1)
        f0, df0 = clean(self.f(zero)[0]), clean(self.df(zero)[0])
        minimum, maximum = self._extreme(-1), self._extreme(1)
        mean, variance = normal_moments(self.f, self._breaks(), scale=1.0)
        smooth_at_zero = not any(d.order <= 1 and abs(d.x) <= _UNDERFLOW for d in self.jumps)
        slope = self._max_abs_slope()
        return Properties(
            value_at_zero=f0,
            slope_at_zero=df0,
            range=Interval(
                minimum.value if minimum else self._bound(-1),
                maximum.value if maximum else self._bound(1),
                low_closed=minimum is not None,
                high_closed=maximum is not None,
            ),
            limits=self.limits,
            monotonic=self._monotonic(),
            slope_monotonic=_weakly_monotonic(self.dy),
            identity_near_origin=f0 == 0 and abs(df0 - 1) <= _AGREE and smooth_at_zero,
            gaussian_mean=mean,
            gaussian_variance=variance,
            zero_centred=self._zero_centred(mean, variance),
            saturates_below=self._saturation(-1, slope.value),
            saturates_above=self._saturation(1, slope.value),
            max_abs_slope=slope,
            global_minimum=minimum,
            global_maximum=maximum,
            self_normalising=self._self_normalising(mean, variance),
            dead_zones=self.dead_zones,
            discontinuities=self.jumps,
        )

    def _approached(self, sign: int) -> list[float]:
        """sign * the values f approaches without taking them: at infinity and beside jumps."""
        return [sign * v for v in (*self.limits, *self.side_limits) if v is not None]

    def _bound(self, sign: int) -> float:
        """sup(sign * f) * sign over the grid and the limits: the end of the range, attained or not."""
        finite = sign * self.y[np.isfinite(self.y)]
        return clean(sign * max([*self._approached(sign), float(np.max(finite))]))

    def _level_sets(self) -> tuple[Interval, ...]:
        """The dead zones cut at every jump of f inside them, so that f is constant on each
        piece; an end is closed where f there takes the piece's value (binary_step's 1 at 0)."""
        cuts = [d.x for d in self.jumps if d.order == 0]
        pieces: list[Interval] = []
        for zone in self.dead_zones:
            inner = sorted(c for c in cuts if zone.low < c < zone.high)
            for low, high in pairwise([zone.low, *inner, zone.high]):
                probe = inside(Interval(low, high, False, False))
                level, *ends = self.f(np.array([probe, low, high])).tolist()
                closed = [
                    math.isfinite(e) and v == level for e, v in zip((low, high), ends, strict=True)
                ]
                pieces.append(Interval(low, high, *closed))
        return tuple(pieces)

    def _extreme(self, sign: int) -> Attained | None:
        """The maximum (sign 1) or minimum (sign -1) of f, where some finite x attains it."""
        found = attained(
            lambda t: sign * self.f(t),
            lambda t: sign * self.df(t),
            self.x,
            sign * self.y,
            limits=self._approached(sign),
            plateaus=self.level_sets,
        )
        if found is None or found.at is None:
            return None
        return Attained(clean(sign * found.value), found.at)

    def _max_abs_slope(self) -> Attained:
        size = np.abs(self.dy)

        def g(t: Array) -> Array:
            return np.abs(self.df(t))

        def slope(t: Array) -> Array:
            assert self.d2f is not None
            return np.sign(self.df(t)) * self.d2f(t)

        top = float(np.nanmax(size))
        limits = [abs(v) for v in self.slope_limits if v is not None]
        found = attained(
            g,
            partial(_central_difference, g) if self.d2f is None else slope,
            self.x,
            size,
            limits=limits,
            plateaus=flat_runs(g, self.x, size == top, min_width=1e-6),
        )
        # Unbounded |f'| may still be finite on every float (0.8 x at x = 1.8e308).
        return found or Attained(_INF if _INF in limits else top, None)

    def _saturation(self, side: int, top: float) -> float | None:
        """Where |f'| falls under 1% of ``top`` for good, on a side where f' tends to 0."""
        limit = self.slope_limits[(side + 1) // 2]
        if not 0 < top < _INF or limit is None or abs(limit) > _AGREE * top:
            return None

        def steep(t: Array) -> npt.NDArray[np.bool_]:
            return np.asarray(np.abs(self.df(t)) >= _SATURATED * top)

        (index,) = np.nonzero(steep(self.x))
        i = int(index[-1]) if side > 0 else int(index[0]) - 1
        if not 0 <= i < self.x.size - 1:
            return None  # steep out to the last float (sin at w0 = 1e-300): it never falls
        return clean(rounder(*boundary(steep, self.x[i : i + 1], self.x[i + 1 : i + 2]))[0])

    def _monotonic(self) -> Monotonicity | None:
        steps = [d.jump for d in self.jumps if d.order == 0]
        slopes = self.dy[np.isfinite(self.dy)]
        rising = bool(np.all(slopes >= 0)) and all(j > 0 for j in steps)
        falling = bool(np.all(slopes <= 0)) and all(j < 0 for j in steps)
        if rising and falling:
            return "constant"
        flat = bool(self.dead_zones)
        if rising:
            return "non-decreasing" if flat else "increasing"
        if falling:
            return "non-increasing" if flat else "decreasing"
        return None

    def _breaks(self) -> Array:
        return np.array([d.x for d in self.jumps])

    def _zero_centred(self, mean: float, variance: float) -> bool:
        """|E f(z)| at most 1% of sqrt(E f(z)^2). Where f's square overflows a float (x * 1e300,
        whose variance is then inf), decided on f over its largest value on [-16, 16], where
        the normal density lives; and by hypot, as a float's ** raises past the range."""
        if math.isinf(variance):
            inside = np.abs(self.y[np.abs(self.x) <= 16])
            peak = float(np.max(inside[np.isfinite(inside)], initial=0.0))
            if 0 < peak < _INF:
                mean, variance = normal_moments(
                    lambda u: self.f(u) / peak, self._breaks(), scale=1.0
                )
        return abs(mean) <= 0.01 * math.hypot(mean, math.sqrt(variance))

    def _self_normalising(self, mean: float, variance: float) -> bool:
        if abs(mean) > _NORMALISED or abs(variance - 1) > _NORMALISED:
            return False
        step = 1e-4
        up = normal_moments(self.f, self._breaks(), scale=math.sqrt(1 + step))
        down = normal_moments(self.f, self._breaks(), scale=math.sqrt(1 - step))
        jacobian = [(u - d) / (2 * step) for u, d in zip(up, down, strict=True)]
        # The identity has norm exactly 1 (neutral, not attracting); FD error is far below 1e-6.
        return math.hypot(*jacobian) < 1 - _NORMALISED


def _side_limits(f: Function, steps: Array) -> list[float]:
    """At each jump of f, the value of the side that the point itself does not take, known to
    about an ULP's change of f: the short number within 1e-12 is the one meant."""
    at, below, above = f(steps), f(np.nextafter(steps, -_INF)), f(np.nextafter(steps, _INF))
    sides = np.concatenate((below[below != at], above[above != at]))
    return [simplest(float(v)) for v in sides if math.isfinite(v)]


def _central_difference(g: Function, t: Array) -> Array:
    step = 1e-7 * np.maximum(1.0, np.abs(t))
    return g(t + step) - g(t - step)


def _limit(y: Array) -> float | None:
    """lim f from f at x = 10^8 ... 10^308 (outermost last): finite, +-inf, or None (no limit)."""
    if np.isinf(y[-1]):
        return float(y[-1])
    if abs(y[-1]) < _UNDERFLOW:
        return 0.0
    last = y[-3:]
    if np.all(np.isfinite(last)) and np.ptp(last) <= _AGREE * max(1.0, float(np.max(np.abs(last)))):
        return clean(y[-1])
    steps = np.diff(y[-10:])
    if np.all(steps > 0):
        return _INF
    if np.all(steps < 0):
        return -_INF
    return None


def _weakly_monotonic(y: Array) -> Monotonicity | None:
    """Whether the grid values ``y`` never fall (rise) by more than their rounding."""
    steps = np.diff(y)
    noise = 16 * _EPS * np.maximum(np.abs(y[:-1]), np.abs(y[1:]))
    finite = np.isfinite(steps)
    rising = bool(np.all(steps[finite] >= -noise[finite]))
    falling = bool(np.all(steps[finite] <= noise[finite]))
    if rising and falling:
        return "constant"
    return "non-decreasing" if rising else "non-increasing" if falling else None
