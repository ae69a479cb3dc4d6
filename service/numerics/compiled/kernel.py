"""What an element-wise kernel declares, and the loops that run it over a float32 array."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np

from service.numerics.compiled.cache import cached
from service.numerics.compiled.vmath import FASTMATH
from service.numerics.types import Array, ParamValue

__all__ = ["Kernel", "ScalarFunction", "loops_of", "run"]

ScalarFunction = Callable[..., float]
"""A compiled function of (x, p) to float: x a float64, p a tuple of the kernel's parameters."""


@dataclass(frozen=True, slots=True, eq=False)
class Kernel:
    """An element-wise activation compiled for float32 requests: its value and slope at a point.

    ``value`` and ``derivative`` are numba functions of (x, p) in float64, p being the tuple of
    the entry's numeric parameters in their declared order, less those the kernel fixes;
    they are built from vmath so that the loop around them vectorises. ``variant`` fixes the
    other parameters (gelu's approximate): a request with other values is left to the numpy
    path, and so is one for an output the kernel lacks (the second derivative). ``unused``
    names parameters that change nothing in this variant (rrelu's seed when it is not
    training).

    A kernel returns NaN where it cannot answer (sin past |x| = 2^19); the numpy path then
    computes those points again. Every input is finite: the service refuses the rest.
    """

    value: ScalarFunction
    derivative: ScalarFunction
    variant: Mapping[str, ParamValue] = field(default_factory=dict)
    unused: tuple[str, ...] = ()

    def applies(self, params: Mapping[str, ParamValue]) -> bool:
        return all(params[name] == value for name, value in self.variant.items())


@functools.cache
def loops_of(function: ScalarFunction) -> tuple[Any, Any]:
    """The loops over an array for one scalar function: plain, and times a scale.

    The function is a constant of each loop, so numba inlines it and LLVM vectorises the
    whole; passed as an argument it would stay a call whenever LLVM judged it too large.
    """

    @numba.njit(nogil=True, fastmath=FASTMATH, error_model="numpy")
    def plain(x, out, arguments):
        unanswered = 0
        for i in range(x.size):
            y = function(np.float64(x[i]), arguments)
            unanswered += np.isnan(y)
            out[i] = y  # rounded once, to float32
        return unanswered

    @numba.njit(nogil=True, fastmath=FASTMATH, error_model="numpy")
    def scaled(x, scale, out, arguments):
        unanswered = 0
        for i in range(x.size):
            y = function(np.float64(x[i]), arguments) * np.float64(scale[i])
            unanswered += np.isnan(y)
            out[i] = y
        return unanswered

    return cached(plain), cached(scaled)


def run(
    function: ScalarFunction, x: Array, arguments: tuple[float, ...], scale: Array | None = None
) -> tuple[Array, bool]:
    """function at every element of float32 ``x`` (times ``scale``), and whether any was NaN."""
    flat = np.ascontiguousarray(x).reshape(-1)
    out = np.empty(flat.shape, np.float32)
    plain, scaled = loops_of(function)
    if scale is None:
        unanswered = plain(flat, out, arguments)
    else:
        unanswered = scaled(flat, np.ascontiguousarray(scale).reshape(-1), out, arguments)
    return out.reshape(x.shape), unanswered > 0
