"""Float32 row kernels of the gated linear units (service.numerics.families.gated_linear).

A row is a run whose first half is a and second half b (see axiswise); the value is a g(b),
the gradient (grad g(b), grad a g'(b)). The gates and their slopes are the element-wise
kernels of sigmoid, silu and the three GELUs, run in one loop over the pairs.

Those kernels give tails that are only tiny where the true value is smaller still (vmath.exp
saturates at e^-708): tiny enough times one float32 number, and, at most 1e-269 for the
slopes, times two (a and grad) as well. One tail is not: vmath.normal_cdf_pdf takes Phi(x)
for 0 below x = -vmath.NORMAL_TAIL (-15.5), where x Phi(x) is below float32's range but
a x Phi(x) is not (a = 1e30, x = -16: -1e-26). So below it Phi comes from its asymptotic
series here, for the few pairs that reach so far.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numba
import numpy as np

from service.numerics.families.smooth import QUICK_GELU_BETA
from service.numerics.float32 import vmath
from service.numerics.float32.gated import silu, silu_derivative
from service.numerics.float32.sigmoidal import sigmoid, sigmoid_derivative
from service.numerics.float32.smooth import gelu, gelu_derivative, tanh_gelu, tanh_gelu_derivative
from service.numerics.float32.vmath import FASTMATH, inline

__all__ = ["GEGLU", "glu", "glu_vjp", "swiglu", "swiglu_vjp"]

rowwise = numba.njit(nogil=True, fastmath=FASTMATH, error_model="numpy")

NORMAL_CAP = 27.0  # |g a x phi(x)| < 1e-80 past it, for float32 g and a

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
def _far_gelu(b, _):
    return b * _far_normal_cdf_pdf(max(b, -NORMAL_CAP))[0]


@inline
def _far_gelu_derivative(b, _):
    near = max(b, -NORMAL_CAP)
    cdf, pdf = _far_normal_cdf_pdf(near)
    return cdf + near * pdf


@inline
def _count_below(b, bound):
    count = 0
    for j in range(b.size):
        count += b[j] < bound
    return count


def _rows(gate: Any, slope: Any, p: tuple[float, ...] = (), far: Any = None) -> tuple[Any, Any]:
    """The value and vjp rows of a unit a gate(b), gate and slope taking (b, p).

    ``far`` = (bound, gate, slope) takes over below ``bound``: gelu's Phi past vmath's reach.
    Such pairs are rare, and are computed again after the loop, in rows that have any, so
    that the loop itself stays as fast as without them.
    """
    bound, far_gate, far_slope = far or (-math.inf, gate, slope)

    @rowwise
    def value(x, out, work):
        a, b = x[: out.size], x[out.size :]
        for j in range(out.size):
            out[j] = np.float64(a[j]) * gate(np.float64(b[j]), p)
        if _count_below(b, bound):
            for j in range(out.size):
                if b[j] < bound:
                    out[j] = np.float64(a[j]) * far_gate(np.float64(b[j]), p)

    @rowwise
    def vjp(x, g, out, work):
        a, b = x[: g.size], x[g.size :]
        to_a, to_b = out[: g.size], out[g.size :]
        for j in range(g.size):
            upstream, at = np.float64(g[j]), np.float64(b[j])
            to_a[j] = upstream * gate(at, p)
            to_b[j] = upstream * np.float64(a[j]) * slope(at, p)
        if _count_below(b, bound):
            for j in range(g.size):
                if b[j] < bound:
                    upstream, at = np.float64(g[j]), np.float64(b[j])
                    to_a[j] = upstream * far_gate(at, p)
                    to_b[j] = upstream * np.float64(a[j]) * far_slope(at, p)

    return value, vjp


glu, glu_vjp = _rows(sigmoid, sigmoid_derivative)
swiglu, swiglu_vjp = _rows(silu, silu_derivative, (1.0,))

# geglu's rows for each of its `approximate` choices.
GEGLU: Mapping[str, tuple[Any, Any]] = {
    "none": _rows(gelu, gelu_derivative, far=(-vmath.NORMAL_TAIL, _far_gelu, _far_gelu_derivative)),
    "tanh": _rows(tanh_gelu, tanh_gelu_derivative),
    "sigmoid": _rows(silu, silu_derivative, (QUICK_GELU_BETA,)),
}
