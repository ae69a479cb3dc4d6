"""Activations compiled for float32 requests: one fused loop per output.

The numpy path evaluates an activation as a chain of array passes in float64, which costs
a float32 request its widening, every temporary and its rounding. Here each activation's
value and slope are written once more as scalar functions (numba), on float64
elementary functions that vectorise (vmath), and run as one loop that reads float32 and
writes float32: the same float64 arithmetic rounded once, within an ULP of the exact value,
as tests/numerics/test_accuracy.py checks for both paths. The numpy entries stay the
definition: they serve float64, the second derivative, variants without a kernel, and any
point a kernel declines (returns NaN for).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np

from service.numerics.activation import ParamValue
from service.numerics.float32 import (
    gated,
    implicit,
    linear,
    ramps,
    rectifiers,
    shrinkage,
    sigmoidal,
    smooth,
)
from service.numerics.float32.axiswise import AXIS_KERNELS, AxisKernel
from service.numerics.float32.kernel import Kernel, Scalar, run

__all__ = [
    "AXIS_KERNELS",
    "KERNELS",
    "AxisKernel",
    "Kernel",
    "Scalar",
    "axis_kernel_for",
    "compile_all",
    "kernel_for",
    "run",
]

_FAMILIES = (linear, rectifiers, sigmoidal, smooth, ramps, gated, shrinkage, implicit)

KERNELS: Mapping[str, tuple[Kernel, ...]] = MappingProxyType(
    {name: kernels for family in _FAMILIES for name, kernels in family.KERNELS.items()}
)


def kernel_for(name: str, params: Mapping[str, ParamValue]) -> Kernel | None:
    """The element-wise kernel of activation ``name`` for these (resolved) parameters, if any."""
    for kernel in KERNELS.get(name, ()):
        if kernel.applies(params):
            return kernel
    return None


def axis_kernel_for(name: str, params: Mapping[str, ParamValue]) -> AxisKernel | None:
    """The axis-wise kernel of activation ``name`` for these (resolved) parameters, if any."""
    for kernel in AXIS_KERNELS.get(name, ()):
        if kernel.applies(params):
            return kernel
    return None


def compile_all() -> None:
    """Compile every kernel for the argument types a float32 request gives it.

    numba compiles a loop on its first call; this makes that call for each, on an array of
    one or two points, so that no request pays for it later.
    """
    point = np.zeros(1, np.float32)
    for kernels in KERNELS.values():
        for kernel in kernels:
            arguments = (0.0,) * len(kernel.parameters)  # their types are what is compiled for
            for function in (kernel.value, kernel.derivative):
                run(function, point, arguments)
                run(function, point, arguments, point)
    row = np.zeros((1, 2), np.float32)
    for axis_kernels in AXIS_KERNELS.values():
        for axis_kernel in axis_kernels:
            value = axis_kernel.forward(row, -1)
            axis_kernel.vjp(row, np.zeros_like(value), -1)
