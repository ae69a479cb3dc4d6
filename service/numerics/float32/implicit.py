"""Float32 kernels of the periodic and radial family (service.numerics.families.implicit).

vmath's sine and cosine return NaN past a phase of 2^19, where the numpy path, with its exact
argument reduction, takes those points over.
"""

from __future__ import annotations

from collections.abc import Mapping

from service.numerics.float32 import vmath
from service.numerics.float32.kernel import Kernel
from service.numerics.float32.vmath import inline

__all__ = ["KERNELS"]


@inline
def sin(x, p):
    (w0,) = p
    return vmath.sin(w0 * x)


@inline
def sin_derivative(x, p):
    (w0,) = p
    return w0 * vmath.cos(w0 * x)


@inline
def snake(x, p):
    (a,) = p
    sine = vmath.sin(a * x)
    return x + sine * sine * (1.0 / a)


@inline
def snake_derivative(x, p):
    (a,) = p
    # 1 + sin 2ax = (sin ax + cos ax)^2: its double roots come out without cancelling.
    phase = a * x
    total = vmath.sin(phase) + vmath.cos(phase)
    return total * total


@inline
def gaussian(x, _):
    return vmath.exp(-(x * x))  # x^2 is exact for a float32 x


@inline
def gaussian_derivative(x, _):
    # Where exp(-x^2) saturates at e^-708, 2x times it is still far below float32's least
    # subnormal: the 0 it should be.
    return -2.0 * x * vmath.exp(-(x * x))


KERNELS: Mapping[str, tuple[Kernel, ...]] = {
    "sin": (Kernel(sin, sin_derivative, parameters=("w0",)),),
    "snake": (Kernel(snake, snake_derivative, parameters=("a",)),),
    "gaussian": (Kernel(gaussian, gaussian_derivative),),
}
