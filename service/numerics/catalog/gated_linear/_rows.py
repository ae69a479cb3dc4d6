"""The compiled rows of a gated linear unit a g(b), built from the element-wise kernels of g.

A row is a run whose first half is a and second half b (see compiled.rows); the value is
a g(b), the gradient (grad g(b), grad a g'(b)). The gates and their slopes are the
element-wise kernels of sigmoid, silu and the three GELUs, run in one loop over the pairs.

Those kernels give tails that are only tiny where the true value is smaller still (vmath.exp
saturates at e^-708): tiny enough times one float32 number, and, at most 1e-269 for the
slopes, times two (a and grad) as well. Where one is not (gelu's Phi, see geglu), ``far``
takes over; and at b = +-inf, where a kernel's formula need not give the gate's limit (and
a times a tiny number is not a times 0), the gate's ``limits`` do. Where a or b is
infinite, each product follows _halves.times_gate and times_slope, as the numpy forms do.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numba
import numpy as np

from service.numerics.catalog.gated_linear._halves import Limits, times_gate, times_slope
from service.numerics.compiled import (
    FASTMATH,
    RowFunction,
    ScalarFunction,
    inline,
    with_limits,
)
from service.numerics.types import Array

rowwise = numba.njit(nogil=True, fastmath=FASTMATH, error_model="numpy")

Far = tuple[float, ScalarFunction, ScalarFunction]


_times_gate = inline(times_gate)
_times_slope = inline(times_slope)


@inline
def _far(b: float, bound: float) -> bool:
    return not (b >= bound and abs(b) < math.inf)


@inline
def _count_odd(a: Array, b: Array, bound: float) -> int:
    """The pairs with b below ``bound`` or infinite, or a infinite (or either NaN), as the
    size less the others."""
    plain = 0
    for j in range(b.size):
        plain += (b[j] >= bound) & (abs(b[j]) < math.inf) & (abs(a[j]) < math.inf)
    return b.size - plain


def gated_rows(
    gate: ScalarFunction,
    slope: ScalarFunction,
    p: tuple[float, ...] = (),
    far: Far | None = None,
    *,
    limits: Limits,
    both: Callable[..., tuple[float, float]] | None = None,
) -> tuple[RowFunction, RowFunction]:
    """The value and vjp rows of a unit a gate(b), gate and slope taking (b, p).

    ``far`` = (bound, gate, slope) takes over below ``bound``: gelu's Phi past vmath's reach;
    and, answering ``limits``, at b = +-inf. Such pairs, and those with a infinite, are rare,
    and are computed again after the loop, in rows that have any, so that the loop itself
    stays as fast as without them. ``both(b, p)``, if given, is (gate, slope) at once,
    sharing what they have in common.
    """
    bound, far_gate, far_slope = far or (-math.inf, gate, slope)
    far_gate = with_limits(far_gate, **limits[0])
    far_slope = with_limits(far_slope, **limits[1])
    if both is None:

        @inline
        def both(at: float, p: tuple[float, ...]) -> tuple[float, float]:
            return gate(at, p), slope(at, p)

    # Not inlined: over arrays of its own, LLVM vectorises the gate and its slope however
    # large they are; inlined into a loop over halves of the same rows, it gave up on the
    # float64 GELU's.
    @rowwise
    def gates(b: Array, gated: Array, slopes: Array) -> None:
        for j in range(b.size):
            gated[j], slopes[j] = both(np.float64(b[j]), p)

    @rowwise
    def value(x: Array, out: Array, work: Array) -> None:
        a, b = x[: out.size], x[out.size :]
        for j in range(out.size):
            out[j] = np.float64(a[j]) * gate(np.float64(b[j]), p)
        if _count_odd(a, b, bound):
            for j in range(out.size):
                at, far = np.float64(b[j]), _far(b[j], bound)
                if far or abs(a[j]) == math.inf:
                    h = far_gate(at, p) if far else gate(at, p)
                    side = far_gate(math.copysign(math.inf, at), p)
                    out[j] = _times_gate(np.float64(a[j]), h, at, side)

    @rowwise
    def vjp(x: Array, g: Array, out: Array, work: Array) -> None:
        a, b = x[: g.size], x[g.size :]
        to_a, to_b = out[: g.size], out[g.size :]
        gated, slopes = work[0][: g.size], work[1][: g.size]
        gates(b, gated, slopes)
        for j in range(g.size):
            upstream = np.float64(g[j])
            to_a[j] = upstream * gated[j]
            to_b[j] = upstream * np.float64(a[j]) * slopes[j]
        if _count_odd(a, b, bound):
            for j in range(g.size):
                at, far = np.float64(b[j]), _far(b[j], bound)
                if far or abs(a[j]) == math.inf:
                    h = far_gate(at, p) if far else gated[j]
                    s = far_slope(at, p) if far else slopes[j]
                    upstream, side = np.float64(g[j]), math.copysign(math.inf, at)
                    to_a[j] = _times_gate(upstream, h, at, far_gate(side, p))
                    half = np.float64(a[j])
                    a_s = _times_gate(half, s, at, far_slope(side, p))
                    to_b[j] = _times_slope(upstream, half, s, a_s)

    return value, vjp
