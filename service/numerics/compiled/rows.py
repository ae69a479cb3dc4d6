"""The runtime of the axis-wise kernels: rows of an array, and one compiled loop over them.

An axis-wise kernel is written for one row at a time, as two compiled functions

    value(x, out, work)        out: the value of the float32 row x
    vjp(x, g, out, work)       out: the vector-Jacobian product with g, grad_output's row

that compute in float64, in ``work`` (WORK_ROWS float64 rows as long as x) where they need
room, and round once as they store ``out``. The runner here lays an array out as C-contiguous
rows, runs one compiled loop over all of them, and gives the result the array's layout back.

What a row is depends on the entry. For softmax and its kin it is the axis: the axis is moved
last and the rows made contiguous, which copies x unless the axis is last already. A gated
linear unit pairs a[j] with b[j], a and b the halves of the axis, one pair at a time: in C
order, the axis together with every axis after it is a run whose first half holds all of a and
whose second all of b, so those runs are its rows, x.reshape(len(before the axis), -1), and
nothing moves.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np

from service.numerics.compiled.cache import cached
from service.numerics.types import Array, ParamValue

__all__ = ["WORK_ROWS", "AxisKernel", "RowFunction", "along_axis", "along_halves"]

RowFunction = Callable[..., None]
"""A compiled function of one row: (x, out, work) for a value, (x, g, out, work) for a vjp."""
WORK_ROWS = 2  # a row's exponentials, support or root; and sparsemax's or entmax's candidates


@dataclass(frozen=True, slots=True, eq=False)
class AxisKernel:
    """An axis-wise activation compiled for float32: value and vector-Jacobian product.

    ``forward(x, axis)`` and ``vjp(x, grad_output, axis)`` take float32 arrays and return
    float32 ones, computed in float64 and rounded once. ``variant`` fixes non-numeric
    parameters (geglu's approximate); other requests take the numpy path.
    """

    forward: Callable[[Array, int], Array]
    vjp: Callable[[Array, Array, int], Array]
    variant: Mapping[str, ParamValue] = field(default_factory=dict)

    def applies(self, params: Mapping[str, ParamValue]) -> bool:
        return all(params[name] == value for name, value in self.variant.items())


@functools.cache
def _value_loop(row: RowFunction) -> Any:
    # The row function is a constant of the loop, so numba calls it directly; passed as an
    # argument it would be called through a pointer. (Inlined, it would save the call on
    # short rows, but LLVM then vectorises long ones worse.)
    @numba.njit(nogil=True, error_model="numpy")
    def loop(x, out):
        work = np.empty((WORK_ROWS, x.shape[1]))
        for r in range(x.shape[0]):
            row(x[r], out[r], work)

    return cached(loop)


@functools.cache
def _vjp_loop(row: RowFunction) -> Any:
    @numba.njit(nogil=True, error_model="numpy")
    def loop(x, g, out):
        work = np.empty((WORK_ROWS, x.shape[1]))
        for r in range(x.shape[0]):
            row(x[r], g[r], out[r], work)

    return cached(loop)


def _as_rows(a: Array) -> Array:
    """A C-contiguous array as rows along its last axis (a view)."""
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])


def along_axis(
    value: RowFunction, vjp: RowFunction, variant: Mapping[str, ParamValue] | None = None
) -> AxisKernel:
    """A kernel whose rows are the axis itself: the normalizing entries.

    A row of length 0 is left alone (the row functions start from its first element): its
    value and gradient are empty.
    """
    value_loop, vjp_loop = _value_loop(value), _vjp_loop(vjp)

    def forward(x: Array, axis: int) -> Array:
        moved = np.ascontiguousarray(np.moveaxis(x, axis, -1))
        out = np.empty(moved.shape, np.float32)
        if moved.shape[-1]:
            value_loop(_as_rows(moved), _as_rows(out))
        return np.moveaxis(out, -1, axis)

    def product(x: Array, grad_output: Array, axis: int) -> Array:
        moved = np.ascontiguousarray(np.moveaxis(x, axis, -1))
        upstream = np.ascontiguousarray(np.moveaxis(grad_output, axis, -1))
        out = np.empty(moved.shape, np.float32)
        if moved.shape[-1]:
            vjp_loop(_as_rows(moved), _as_rows(upstream), _as_rows(out))
        return np.moveaxis(out, -1, axis)

    return AxisKernel(forward, product, variant or {})


def _runs(a: Array, axis: int) -> Array:
    """``a`` in C order as rows that each hold the axis and every axis after it."""
    start = axis % a.ndim
    return np.ascontiguousarray(a).reshape(math.prod(a.shape[:start]), math.prod(a.shape[start:]))


def along_halves(
    value: RowFunction, vjp: RowFunction, variant: Mapping[str, ParamValue]
) -> AxisKernel:
    """A kernel that pairs the halves of the axis element by element: the gated linear units.

    Its value's rows are half as long as x's; its gradient is shaped like x.
    """
    value_loop, vjp_loop = _value_loop(value), _vjp_loop(vjp)

    def forward(x: Array, axis: int) -> Array:
        rows = _runs(x, axis)
        out = np.empty((rows.shape[0], rows.shape[1] // 2), np.float32)
        value_loop(rows, out)
        shape = list(x.shape)
        shape[axis] //= 2
        return out.reshape(shape)

    def product(x: Array, grad_output: Array, axis: int) -> Array:
        rows = _runs(x, axis)
        out = np.empty(rows.shape, np.float32)
        vjp_loop(rows, _runs(grad_output, axis), out)
        return out.reshape(x.shape)

    return AxisKernel(forward, product, variant)
