"""Mean-field theory of deep random networks: what infinite width predicts, layer by layer.

For layers h^l = W^l phi(h^{l-1}) + b^l with W_ij ~ (0, sigma_w^2 / fan_in) and b_i ~ (0, sigma_b^2),
each pre-activation is, at infinite width, Gaussian with second moment q^l (Poole et al. 2016):

    q^l    = sigma_w^2 E[phi(sqrt(q^{l-1}) z)^2] + sigma_b^2         the length map, fixed point q*
    chi_1  = sigma_w^2 E[phi'(sqrt(q*) z)^2]                         growth of E[(dL/dh)^2] per layer
    xi_q   = -1 / log(sigma_w^2 d/dq E[phi(sqrt(q) z)^2] at q*)      depth scale of the length map
    xi_c   = -1 / log(sigma_w^2 E[phi'(u1) phi'(u2)] at c*)          depth scale of correlations

(Schoenholz et al. 2017, "Deep Information Propagation"). chi_1 < 1 is the ordered phase
(gradients vanish, inputs become alike), chi_1 > 1 the chaotic one (gradients explode,
inputs decorrelate), chi_1 = 1 the critical line, the edge of chaos, where both depth scales
diverge. The Gaussian integrals use the activation's closed forms where it has them, and
composite quadrature (service.numerics.analysis.quadrature) otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Final, Literal

import numpy as np
from scipy.optimize import brentq

from service.numerics.analysis.quadrature import (
    COARSE,
    expectation,
    gaussian_points,
    weighted_sum,
)
from service.numerics.catalog.entry import Activation, ElementwiseFn
from service.numerics.exceptions import LimitExceeded
from service.numerics.networks.propagation import require_elementwise
from service.numerics.types import Array, ParamValue

__all__ = [
    "CRITICAL_TOLERANCE",
    "CriticalPoint",
    "MeanField",
    "Phase",
    "analyse",
    "critical_line",
    "fixed_point",
    "gradient_recursion",
    "length_recursion",
    "moments",
]

Phase = Literal["ordered", "critical", "chaotic"]
Params = Mapping[str, ParamValue]

CRITICAL_TOLERANCE: Final = 1e-6
"""|chi_1 - 1| up to this is called critical: the depth scales then exceed a million layers."""

_Q_GRID: Final = np.logspace(-30, 30, 601)
_Q_INFINITE: Final = float(_Q_GRID[-1])
_FIXED_TOLERANCE: Final = 1e-12


@dataclass(frozen=True, slots=True)
class MeanField:
    """The infinite-width picture at one (sigma_w^2, sigma_b^2); inf where a quantity diverges,
    NaN and no phase where E[phi^2] is undefined (phi not real on the whole line: log, sqrt)."""

    q_star: float
    chi_1: float
    phase: Phase | None
    xi_q: float
    xi_c: float | None


@dataclass(frozen=True, slots=True)
class CriticalPoint:
    """The sigma_w^2 with chi_1 = 1 at this sigma_b^2 (None where there is none up to 1e6)."""

    sigma_b2: float
    sigma_w2: float | None
    q_star: float | None


def moments(activation: Activation, params: Params, q: Array) -> tuple[Array, Array]:
    """E[phi(sqrt(q) z)^2] and E[phi'(sqrt(q) z)^2] for an array of q >= 0."""
    derivative = require_elementwise(activation)
    closed = activation.gaussian_moments
    if closed is not None:
        return closed.value(q, **params), closed.slope(q, **params)
    u, w = gaussian_points(0.0, np.sqrt(q))
    with np.errstate(over="ignore"):
        return (
            weighted_sum(w, np.square(activation.forward(u, **params))),
            weighted_sum(w, np.square(derivative(u, **params))),
        )


def _second_moment(activation: Activation, params: Params, q: float) -> float:
    return float(moments(activation, params, np.array([q]))[0][0])


def _slope_moment(activation: Activation, params: Params, q: float) -> float:
    return float(moments(activation, params, np.array([q]))[1][0])


@lru_cache(maxsize=64)
def _second_moment_grid(
    activation: Activation, params: tuple[tuple[str, ParamValue], ...]
) -> Array:
    return moments(activation, dict(params), _Q_GRID)[0]


def fixed_point(
    activation: Activation, params: Params, *, sigma_w2: float, sigma_b2: float, q_start: float
) -> float:
    """q* = lim q^l, the fixed point of the length map that the recursion reaches from q_start.

    The map moves q up where sigma_w^2 E[phi^2] + sigma_b^2 > q and down where it is below, so
    q* is the first root in that direction: found on a log grid of q, refined by brentq; inf
    when q grows without bound, 0 when it decays to 0.
    """

    if sigma_w2 == 0:
        return sigma_b2  # the map is q -> sigma_b^2 from any q, however large E[phi^2]

    def excess(q: float) -> float:
        return sigma_w2 * _second_moment(activation, params, q) + sigma_b2 - q

    start = excess(q_start)
    if math.isnan(start):
        return math.nan  # E[phi^2] undefined: phi is not real everywhere (log, sqrt of h < 0)
    if abs(start) <= _FIXED_TOLERANCE * max(q_start, sigma_b2):
        return q_start  # marginal maps (relu at sigma_w^2 = 2, linear at 1) keep any q
    grid = sigma_w2 * _second_moment_grid(activation, tuple(sorted(params.items()))) + sigma_b2
    # Rounding makes the excess of a map that is tangent to q (tanh at sigma_w^2 = 1 near 0)
    # flicker around zero: only a margin beyond it counts as a sign.
    margin = _FIXED_TOLERANCE * _Q_GRID
    grid_excess = grid - _Q_GRID
    if start > 0:
        (past,) = np.nonzero((q_start < _Q_GRID) & (grid_excess < -margin))
        if past.size == 0:
            return math.inf
        high = float(_Q_GRID[past[0]])
        low = max(q_start, float(_Q_GRID[past[0] - 1]))
    else:
        (past,) = np.nonzero((q_start > _Q_GRID) & (grid_excess > margin))
        if past.size == 0:
            if excess(0.0) <= 0:
                return 0.0
            low, high = 0.0, float(_Q_GRID[0])
        else:
            low = float(_Q_GRID[past[-1]])
            high = min(q_start, float(_Q_GRID[past[-1] + 1]))
    at_low, at_high = excess(low), excess(high)
    if at_low == 0 or at_high == 0 or (at_low > 0) == (at_high > 0):
        # The grid's excess changes sign across the bracket but the map's own, a few ULP
        # apart, does not: the root is at the end where the excess is rounding (softshrink,
        # whose dead zone leaves q* = sigma_b^2 to within 4e-16).
        return low if abs(at_low) <= abs(at_high) else high
    # An excess that flickers in its last bits near the root (silu with beta = 6e-5 at
    # q ~ 1e5) can keep brentq from meeting xtol: its last bracket is then the root, to rounding.
    return _root(excess, low, high, xtol=1e-300)


def analyse(
    activation: Activation,
    params: Params,
    *,
    sigma_w2: float,
    sigma_b2: float,
    q_start: float = 1.0,
) -> MeanField:
    """q*, chi_1, the phase and both depth scales at (sigma_w^2, sigma_b^2).

    Kept for the last 256 sets of arguments: simulations that differ in seed, width or batch
    ask for the same, and the correlation's depth scale in the chaotic phase is a double
    integral solved for c* (150-250 ms for tanh, measured, where the simulation of a small
    network takes 5 ms)."""
    return _analyse(activation, tuple(params.items()), sigma_w2, sigma_b2, q_start)


@lru_cache(maxsize=256)
def _analyse(
    activation: Activation,
    items: tuple[tuple[str, ParamValue], ...],
    sigma_w2: float,
    sigma_b2: float,
    q_start: float,
) -> MeanField:
    params = dict(items)
    q_star = fixed_point(activation, params, sigma_w2=sigma_w2, sigma_b2=sigma_b2, q_start=q_start)
    if math.isnan(q_star):
        return MeanField(math.nan, math.nan, None, math.nan, None)
    q_eval = min(q_star, _Q_INFINITE)  # the limit q -> inf, for maps that never settle
    chi_1 = _weighted(sigma_w2, _slope_moment(activation, params, q_eval))
    phase: Phase = (
        "critical"
        if abs(chi_1 - 1) <= CRITICAL_TOLERANCE
        else ("ordered" if chi_1 < 1 else "chaotic")
    )
    if math.isinf(q_star):
        return MeanField(q_star, chi_1, phase, math.inf, None)
    xi_q = _depth_scale(_weighted(sigma_w2, _length_map_slope(activation, params, q_star)))
    if phase == "chaotic":
        # At q* = 0 (phi(0) = 0, no bias, an input of zero norm) every input is the zero
        # vector: a correlation between two of them is no number, and neither is its scale.
        xi_c: float | None = (
            _depth_scale(_correlation_slope(activation, params, sigma_w2, sigma_b2, q_star))
            if q_star > 0
            else None
        )
    else:
        # Ordered or critical: inputs become identical, c* = 1, where the slope is chi_1.
        xi_c = math.inf if phase == "critical" else _depth_scale(chi_1)
    return MeanField(q_star, chi_1, phase, xi_q, xi_c)


def _weighted(sigma_w2: float, moment: float) -> float:
    """sigma_w^2 times a moment, 0 without weights: a layer whose weights are all 0 passes
    nothing, however large the moment (an infinite one too, where the product would be NaN)."""
    return 0.0 if sigma_w2 == 0 else sigma_w2 * moment


def _depth_scale(chi: float) -> float:
    """xi = -1 / log chi: the number of layers over which a deviation shrinks by e.

    Within CRITICAL_TOLERANCE of 1 it is reported as infinite, as the phase is called critical.
    """
    if chi >= 1 - CRITICAL_TOLERANCE:
        return math.inf
    return -1 / math.log(chi) if chi > 0 else 0.0


def _length_map_slope(activation: Activation, params: Params, q: float) -> float:
    """d/dq E[phi(sqrt(q) z)^2]: a central difference, or at q = 0 Richardson's one-sided one."""
    if q > 0:
        step = 1e-5 * q
        rise = _second_moment(activation, params, q + step) - _second_moment(
            activation, params, q - step
        )
        return rise / (2 * step)
    # q* = 0 is a fixed point only where phi(0) = 0, so E[phi^2](h) / h -> the slope at 0.
    h = 1e-6
    return 2 * _second_moment(activation, params, h) / h - _second_moment(
        activation, params, 2 * h
    ) / (2 * h)


def _correlation_slope(
    activation: Activation, params: Params, sigma_w2: float, sigma_b2: float, q: float
) -> float:
    """sigma_w^2 E[phi'(u1) phi'(u2)] at the stable correlation c* < 1 of the chaotic phase."""

    def pair(f: ElementwiseFn, c: float) -> float:
        """E[f(u1) f(u2)] for u1, u2 of second moment q and correlation c."""
        u1, w1 = gaussian_points(0.0, math.sqrt(q))
        # u2 = sqrt(q) (c z1 + sqrt(1 - c^2) z2): given z1 it is Gaussian again.
        inner = expectation(
            lambda u: f(u, **params), c * u1, math.sqrt(q * max(1 - c * c, 0.0)), COARSE
        )
        # A pole (1/x at 0) meets an inner expectation of 0 there: inf * 0, NaN, as the
        # integral is undefined.
        with np.errstate(over="ignore", invalid="ignore"):
            return float(weighted_sum(w1, f(u1, **params), inner))

    def excess(c: float) -> float:
        return (sigma_w2 * pair(activation.forward, c) + sigma_b2) / q - c

    candidates = [0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99, 0.999]
    values = [excess(c) for c in candidates]
    c_star = 1.0
    for (c_low, low), (c_high, high) in pairwise(zip(candidates, values, strict=True)):
        if low == 0:
            c_star = c_low
            break
        if low > 0 > high:
            c_star = _root(excess, c_low, c_high, xtol=1e-12)
            break
    return sigma_w2 * pair(require_elementwise(activation), c_star)


def critical_line(
    activation: Activation,
    params: Params,
    sigma_b2: Sequence[float],
    *,
    q_start: float = 1.0,
    max_points: int | None = None,
) -> list[CriticalPoint]:
    """For each sigma_b^2, the sigma_w^2 at which chi_1 = 1 (the edge of chaos), by brentq.

    chi_1 is taken at the fixed point reached from q_start; the search brackets sigma_w^2 in
    [1e-6, 1e6]. Where chi_1 jumps across 1 without taking the value (the fixed point that
    q_start reaches changes abruptly, as for gelu at sigma_b^2 = 0) there is no critical
    point, and sigma_w2 is None. Where the line touches chi_1 = 1 tangentially (tanh at
    sigma_b^2 = 0) the root is good to about sqrt(machine epsilon).
    """
    require_elementwise(activation)
    if max_points is not None and len(sigma_b2) > max_points:
        raise LimitExceeded(
            ("sigma_b2",),
            limit="max_critical_points",
            maximum=max_points,
            value=len(sigma_b2),
            what="points",
        )
    points = []
    for bias in sigma_b2:

        def excess(sigma_w2: float, bias: float = bias) -> float:
            q = fixed_point(activation, params, sigma_w2=sigma_w2, sigma_b2=bias, q_start=q_start)
            if math.isnan(q):
                return math.nan  # no fixed point to be critical at: E[phi^2] is undefined
            return sigma_w2 * _slope_moment(activation, params, min(q, _Q_INFINITE)) - 1

        low, high = 1e-6, 4.0
        while excess(high) < 0 and high < 1e6:
            low, high = high, high * 4
        # Not (below, above): no crossing, or a slope moment undefined at an end (NaN).
        if not excess(low) <= 0 <= excess(high):
            points.append(CriticalPoint(bias, None, None))
            continue
        sigma_w2 = _root(excess, low, high, xtol=1e-13)
        if not abs(excess(sigma_w2)) <= CRITICAL_TOLERANCE:
            points.append(CriticalPoint(bias, None, None))
            continue
        q = fixed_point(activation, params, sigma_w2=sigma_w2, sigma_b2=bias, q_start=q_start)
        points.append(CriticalPoint(bias, sigma_w2, q))
    return points


class _Undefined(Exception):
    """The function whose root is sought is NaN at a point of the bracket."""


def _root(f: Callable[[float], float], low: float, high: float, *, xtol: float) -> float:
    """brentq's root of f in [low, high] (its last bracket where rounding keeps it from xtol),
    or NaN where f is NaN on the way: a moment that the activation leaves undefined there (a
    formula with a pole, or with no real value below 0, as log or sqrt)."""

    def defined(x: float) -> float:
        value = f(x)
        if math.isnan(value):
            raise _Undefined
        return value

    try:
        root, _ = brentq(defined, low, high, xtol=xtol, full_output=True, disp=False)
    except _Undefined:
        return math.nan
    return float(root)


def length_recursion(
    activation: Activation,
    params: Params,
    *,
    q_input: float,
    sigma_w2: Sequence[float],
    sigma_b2: Sequence[float],
) -> list[float]:
    """Predicted q^l per layer: q^1 = sigma_w^2 q_input + sigma_b^2, then the length map.

    q_input is E[x_i^2] of the network's input; each layer has its own sigma_w^2, sigma_b^2.
    """
    q = sigma_w2[0] * q_input + sigma_b2[0]
    predicted = [q]
    for weight, bias in zip(sigma_w2[1:], sigma_b2[1:], strict=True):
        q = (
            math.inf
            if q > _Q_INFINITE
            else _weighted(weight, _second_moment(activation, params, q)) + bias
        )
        predicted.append(q)
    return predicted


def gradient_recursion(
    activation: Activation,
    params: Params,
    *,
    q: Sequence[float],
    sigma_w2: Sequence[float],
    widths: Sequence[int],
    last: float,
) -> list[float]:
    """Predicted E[(dl/dh^l)^2] per layer, from the last layer's value back to the first.

    E[(dl/dh^l)^2] = E[phi'(sqrt(q^l) z)^2] sigma_w^2(l+1) (n_{l+1} / n_l) E[(dl/dh^{l+1})^2],
    under the gradient-independence assumption of Schoenholz et al. (backward weights taken
    as independent of the forward ones), which holds at large width.
    """
    slopes = moments(activation, params, np.minimum(np.asarray(q[:-1]), _Q_INFINITE))[1]
    predicted = [last]
    for layer in range(len(q) - 2, -1, -1):
        growth = _weighted(sigma_w2[layer + 1], float(slopes[layer])) * widths[layer + 1]
        above = predicted[-1]
        # A layer that passes no gradient (no weights, or slopes all 0) has none below it,
        # however large the slopes or the moment above (an infinity there is one too large
        # for a float), and none above leaves none below: 0, where the product of 0 and an
        # infinity would be NaN.
        predicted.append(0.0 if growth == 0 or above == 0 else growth / widths[layer] * above)
    return predicted[::-1]
