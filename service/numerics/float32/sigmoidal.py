"""Float32 kernels of the sigmoidal family (service.numerics.families.sigmoidal)."""

from __future__ import annotations

from collections.abc import Mapping

from service.numerics.families.sigmoidal import HARD_SIGMOID_SHAPES
from service.numerics.float32 import vmath
from service.numerics.float32.kernel import Kernel
from service.numerics.float32.vmath import inline

__all__ = ["KERNELS"]


@inline
def sigmoid(x, _):
    return vmath.sigmoid(x)


@inline
def sigmoid_derivative(x, _):
    # e r^2 with vmath.sigmoid's own e and r: a loop that needs both (glu's) computes them once.
    e = vmath.exp(-abs(x))
    r = 1.0 / (1.0 + e)
    return e * r * r


@inline
def tanh(x, _):
    return vmath.tanh(x)


@inline
def tanh_derivative(x, _):
    e = vmath.exp(-2.0 * abs(x))  # sech^2 x = 4 e / (1 + e)^2
    return 4.0 * e / ((1.0 + e) * (1.0 + e))


def _hard_sigmoid(variant: str, shift: float, width: float) -> Kernel:
    slope = 1.0 / width  # a multiplication for the numpy path's division: an ULP of float64 apart

    @inline
    def value(x, _):
        return min(max((x + shift) * slope, 0.0), 1.0)

    @inline
    def derivative(x, _):
        return slope if -shift < x < shift else 0.0

    return Kernel(value, derivative, variant={"variant": variant})


@inline
def softsign(x, _):
    return x / (1.0 + abs(x))


@inline
def softsign_derivative(x, _):
    denominator = 1.0 + abs(x)  # float32's x keeps its square far from float64's overflow
    return 1.0 / (denominator * denominator)


@inline
def log_sigmoid(x, _):
    return min(x, 0.0) - vmath.log1p_unit(vmath.exp(-abs(x)))


@inline
def log_sigmoid_derivative(x, _):
    return vmath.sigmoid(-x)


@inline
def sparse_sigmoid(x, _):
    return min(max((x + 1.0) * 0.5, 0.0), 1.0)


@inline
def sparse_sigmoid_derivative(x, _):
    return 0.5 if -1.0 < x < 1.0 else 0.0


@inline
def arctan(x, _):
    return vmath.atan(x)


@inline
def arctan_derivative(x, _):
    return 1.0 / (1.0 + x * x)


@inline
def binary_step(x, _):
    return 1.0 if x >= 0 else 0.0


@inline
def binary_step_derivative(x, _):
    return 0.0


KERNELS: Mapping[str, tuple[Kernel, ...]] = {
    "sigmoid": (Kernel(sigmoid, sigmoid_derivative),),
    "hard_sigmoid": tuple(
        _hard_sigmoid(variant, shift, width)
        for variant, (shift, width) in HARD_SIGMOID_SHAPES.items()
    ),
    "tanh": (Kernel(tanh, tanh_derivative),),
    "softsign": (Kernel(softsign, softsign_derivative),),
    "log_sigmoid": (Kernel(log_sigmoid, log_sigmoid_derivative),),
    "sparse_sigmoid": (Kernel(sparse_sigmoid, sparse_sigmoid_derivative),),
    "arctan": (Kernel(arctan, arctan_derivative),),
    "binary_step": (Kernel(binary_step, binary_step_derivative),),
}
