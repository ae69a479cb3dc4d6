"""Float32 kernels of the ramps beside softplus (service.numerics.families.ramps).

A float32 x is at most 3.4e38, so x^2 + b stays finite in float64 and the numpy path's
clipping is not needed here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from service.numerics.float32 import vmath
from service.numerics.float32.kernel import Kernel
from service.numerics.float32.vmath import inline

__all__ = ["KERNELS"]


@inline
def squareplus(x, p):
    (b,) = p
    middle = 0.5 * (math.sqrt(x * x + b) + abs(x))
    # Below 0 as (b/4) / m, m = (sqrt(x^2 + b) - x)/2: no cancellation.
    return middle if x >= 0 else (0.25 * b) / middle


@inline
def squareplus_derivative(x, p):
    (b,) = p
    root = math.sqrt(x * x + b)
    middle = 0.5 * (root + abs(x))
    # f' = f / sqrt(x^2 + b): m / s above 0, (b/4) / (m s) below, with no cancellation.
    top, bottom = (middle, root) if x >= 0 else (0.25 * b, root * middle)
    return top / bottom


@inline
def sparse_plus(x, _):
    shifted = min(max(x, -1.0), 1.0) + 1.0
    return x if x >= 1.0 else 0.25 * (shifted * shifted)


@inline
def sparse_plus_derivative(x, _):
    return 0.5 * (min(max(x, -1.0), 1.0) + 1.0)


@inline
def exponential(x, _):
    return vmath.exp(x)


@inline
def xielu(x, p):
    (alpha_p, alpha_n, beta, eps) = p
    negative = alpha_n * (vmath.expm1(min(x, eps)) - x) + beta * x
    return x * (alpha_p * x + beta) if x > 0 else negative


@inline
def xielu_derivative(x, p):
    (alpha_p, alpha_n, beta, eps) = p
    # As the numpy path has it: the root of alpha_n e^x - (alpha_n - beta) then carries the
    # rounding of the smaller term only.
    curve = alpha_n * vmath.exp(min(x, eps)) if x <= eps else 0.0
    return 2.0 * alpha_p * x + beta if x > 0 else curve - (alpha_n - beta)


KERNELS: Mapping[str, tuple[Kernel, ...]] = {
    "squareplus": (Kernel(squareplus, squareplus_derivative, parameters=("b",)),),
    "sparse_plus": (Kernel(sparse_plus, sparse_plus_derivative),),
    "exponential": (Kernel(exponential, exponential),),
    "xielu": (Kernel(xielu, xielu_derivative, parameters=("alpha_p", "alpha_n", "beta", "eps")),),
}
