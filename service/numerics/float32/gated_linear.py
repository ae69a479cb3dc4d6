"""Float32 row kernels of the gated linear units (service.numerics.families.gated_linear).

A row is a run whose first half is a and second half b (see axiswise); the value is a g(b),
the gradient (grad g(b), grad a g'(b)). Each unit is its gate g and slope g', scalar functions
in float64 over vmath, run in one loop over the pairs. As on the numpy path, the slopes are
written so that nothing is formed as 1 - (something that rounds to 1).

Arguments are capped where nothing beyond can show: the logistic's at |u| = 708, where
vmath.exp saturates, and Phi's at |x| = 27. Past them a gate is 1 to float64's last bit, or
so small that its products with float32 numbers (at most 3.4e38) round to 0. GELU's tanh form
caps its x at 100, as the numpy path does.

vmath.normal_cdf_pdf takes Phi(x) for 0 below x = -vmath.NORMAL_TAIL (-15.5), where x Phi(x)
is below float32's range; a x Phi(x) is not (a = 1e30, x = -16: -1e-26), so below it Phi comes
from its asymptotic series here, for the few pairs that reach so far.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numba
import numpy as np

from service.numerics.families import smooth
from service.numerics.float32 import vmath
from service.numerics.float32.vmath import FASTMATH, inline

__all__ = ["GEGLU", "glu", "glu_vjp", "swiglu", "swiglu_vjp"]

rowwise = numba.njit(nogil=True, fastmath=FASTMATH, error_model="numpy")

LOGISTIC_CAP = 708.0
NORMAL_CAP = 27.0  # |g a x phi(x)| < 1e-80 past it, for float32 g and a
TANH_CAP = 100.0  # as service.numerics.normal clips GELU's tanh form
SQRT_8_OVER_PI = float(smooth.SQRT_8_OVER_PI)  # GELU's tanh form: sqrt(8/pi) (x + 0.044715 x^3)
TANH_CUBIC = float(smooth.SQRT_8_OVER_PI * smooth.TANH_CUBIC)


@inline
def _logistic(u):
    """(sigma(u), sigma'(u)) from e = e^-|u|: no 1 - sigma, no overflow."""
    e = vmath.exp(-min(abs(u), LOGISTIC_CAP))
    r = 1.0 / (1.0 + e)
    return (r if u >= 0 else e * r), e * r * r


@inline
def _sigmoid_gate(b):
    return _logistic(b)[0]


@inline
def _sigmoid_gate_and_slope(b):
    return _logistic(b)


@inline
def _scaled_silu_gate(b, beta):
    """b sigma(beta b)."""
    return b * _logistic(beta * b)[0]


@inline
def _scaled_silu_gate_and_slope(b, beta):
    """b sigma(beta b) and its slope sigma(u) + u sigma'(u), u = beta b."""
    u = beta * b
    gate, slope = _logistic(u)
    return b * gate, gate + u * slope


@inline
def _silu_gate(b):
    return _scaled_silu_gate(b, 1.0)


@inline
def _silu_gate_and_slope(b):
    return _scaled_silu_gate_and_slope(b, 1.0)


@inline
def _quick_gelu_gate(b):
    return _scaled_silu_gate(b, smooth.QUICK_GELU_BETA)


@inline
def _quick_gelu_gate_and_slope(b):
    return _scaled_silu_gate_and_slope(b, smooth.QUICK_GELU_BETA)


@inline
def _gelu_gate(b):
    """b Phi(b), for b above -vmath.NORMAL_TAIL."""
    return b * vmath.normal_cdf(min(max(b, -NORMAL_CAP), NORMAL_CAP))


@inline
def _gelu_gate_and_slope(b):
    """b Phi(b) and its slope Phi(b) + b phi(b), for b above -vmath.NORMAL_TAIL."""
    near = min(max(b, -NORMAL_CAP), NORMAL_CAP)
    cdf, pdf = vmath.normal_cdf_pdf(near)
    return b * cdf, cdf + near * pdf


# Phi(-y) y / phi(y) = sum_k (-1)^k (2k - 1)!! / y^(2k), Laplace's asymptotic series: twelve
# terms are good to float64's last bit from y = 15.5 out. Highest power first, for Horner.
_MILLS_SERIES = tuple(float((-1) ** k * math.prod(range(1, 2 * k, 2))) for k in range(11, -1, -1))


@inline
def _far_normal_cdf_pdf(x):
    """(Phi(x), phi(x)) for -NORMAL_CAP <= x <= -15.5, Phi from its asymptotic series."""
    inverse = -1.0 / x
    w = inverse * inverse
    series = 0.0
    for c in numba.literal_unroll(_MILLS_SERIES):
        series = series * w + c
    pdf = vmath.normal_pdf(x)
    return pdf * inverse * series, pdf


@inline
def _far_gelu_gate(b):
    return b * _far_normal_cdf_pdf(max(b, -NORMAL_CAP))[0]


@inline
def _far_gelu_gate_and_slope(b):
    near = max(b, -NORMAL_CAP)
    cdf, pdf = _far_normal_cdf_pdf(near)
    return b * cdf, cdf + near * pdf


@inline
def _tanh_argument(b):
    """(x, v) with v = sqrt(8/pi) (x + 0.044715 x^3), x = b capped at TANH_CAP."""
    x = min(max(b, -TANH_CAP), TANH_CAP)
    return x, x * (SQRT_8_OVER_PI + TANH_CUBIC * x * x)


@inline
def _tanh_gelu_gate(b):
    """b sigma(v), GELU's tanh approximation."""
    return b * _logistic(_tanh_argument(b)[1])[0]


@inline
def _tanh_gelu_gate_and_slope(b):
    """b sigma(v) and its slope sigma(v) + x v' sigma'(v)."""
    x, v = _tanh_argument(b)
    gate, slope = _logistic(v)
    return b * gate, gate + x * (SQRT_8_OVER_PI + 3.0 * TANH_CUBIC * x * x) * slope


@inline
def _count_below(b, bound):
    count = 0
    for j in range(b.size):
        count += b[j] < bound
    return count


def _rows(gate: Any, gate_and_slope: Any, far: Any = None) -> tuple[Any, Any]:
    """The value and vjp rows of a unit a gate(b).

    ``far`` = (bound, gate, gate_and_slope) takes over below ``bound``: gelu's Phi past vmath's
    reach. Such pairs are rare, and are computed again after the loop, in rows that have any,
    so that the loop itself stays as fast as without them.
    """
    bound, far_gate, far_gate_and_slope = far or (-math.inf, gate, gate_and_slope)

    @rowwise
    def value(x, out, work):
        a, b = x[: out.size], x[out.size :]
        for j in range(out.size):
            out[j] = np.float64(a[j]) * gate(np.float64(b[j]))
        if _count_below(b, bound):
            for j in range(out.size):
                if b[j] < bound:
                    out[j] = np.float64(a[j]) * far_gate(np.float64(b[j]))

    @rowwise
    def vjp(x, g, out, work):
        a, b = x[: g.size], x[g.size :]
        to_a, to_b = out[: g.size], out[g.size :]
        for j in range(g.size):
            upstream = np.float64(g[j])
            gated, slope = gate_and_slope(np.float64(b[j]))
            to_a[j] = upstream * gated
            to_b[j] = upstream * np.float64(a[j]) * slope
        if _count_below(b, bound):
            for j in range(g.size):
                if b[j] < bound:
                    upstream = np.float64(g[j])
                    gated, slope = far_gate_and_slope(np.float64(b[j]))
                    to_a[j] = upstream * gated
                    to_b[j] = upstream * np.float64(a[j]) * slope

    return value, vjp


glu, glu_vjp = _rows(_sigmoid_gate, _sigmoid_gate_and_slope)
swiglu, swiglu_vjp = _rows(_silu_gate, _silu_gate_and_slope)

# geglu's rows for each of its `approximate` choices.
GEGLU: Mapping[str, tuple[Any, Any]] = {
    "none": _rows(
        _gelu_gate,
        _gelu_gate_and_slope,
        (-vmath.NORMAL_TAIL, _far_gelu_gate, _far_gelu_gate_and_slope),
    ),
    "tanh": _rows(_tanh_gelu_gate, _tanh_gelu_gate_and_slope),
    "sigmoid": _rows(_quick_gelu_gate, _quick_gelu_gate_and_slope),
}
