"""Float32 kernels of the shrinkage family (service.numerics.families.shrinkage)."""

from __future__ import annotations

import math
from collections.abc import Mapping

from service.numerics.families.shrinkage import TANHSHRINK_SERIES, TANHSHRINK_SERIES_LIMIT
from service.numerics.float32 import vmath
from service.numerics.float32.kernel import Kernel
from service.numerics.float32.vmath import inline

__all__ = ["KERNELS"]


@inline
def tanhshrink(x, _):
    tanh = vmath.tanh(x)
    # Near 0, where x and tanh x cancel, the numpy path's series x^3 S(x^2) / cosh x; 1/cosh
    # is sqrt(1 - tanh^2) from the tanh at hand, which stays below 0.77 there: no cancellation.
    near = min(max(x, -TANHSHRINK_SERIES_LIMIT), TANHSHRINK_SERIES_LIMIT)
    square = near * near
    series = 0.0
    for coefficient in TANHSHRINK_SERIES:
        series = series * square + coefficient
    small = near * square * series * math.sqrt((1.0 - tanh) * (1.0 + tanh))
    return small if abs(x) < TANHSHRINK_SERIES_LIMIT else x - tanh


@inline
def tanhshrink_derivative(x, _):
    tanh = vmath.tanh(x)
    return tanh * tanh


@inline
def softshrink(x, p):
    (lambd,) = p
    return x - min(max(x, -lambd), lambd)  # exactly 0 in the dead zone


@inline
def hardshrink(x, p):
    (lambd,) = p
    # x times 0, not 0: -0.0 for negative x in the dead zone, as the numpy path gives.
    return x * (1.0 if abs(x) > lambd else 0.0)


@inline
def shrink_derivative(x, p):
    (lambd,) = p
    return 1.0 if abs(x) > lambd else 0.0


KERNELS: Mapping[str, tuple[Kernel, ...]] = {
    "tanhshrink": (Kernel(tanhshrink, tanhshrink_derivative),),
    "softshrink": (Kernel(softshrink, shrink_derivative, parameters=("lambd",)),),
    "hardshrink": (Kernel(hardshrink, shrink_derivative, parameters=("lambd",)),),
}
