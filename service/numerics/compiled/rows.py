"""The runtime of the axis-wise kernels: rows of an array, and one compiled loop over them.

An axis-wise kernel is written for one row at a time, as two compiled functions

    value(x, out, work)        out: the value of the float32 row x
    vjp(x, g, out, work)       out: the vector-Jacobian product with g, grad_output's row

that compute in float64, in ``work`` (WORK_ROWS float64 rows as long as x) where they need
room, and round once as they store ``out`` (in x's dtype: float32 rows on vmath, float64
rows on vmath64, each a row function of its own). The runner here lays an array out as C-contiguous
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
from service.numerics.compiled.cores import SPLIT_ABOVE, split
from service.numerics.compiled.kernel import read_only
from service.numerics.types import Array, ParamValue

__all__ = [
    "WORK_ROWS",
    "AxisKernel",
    "Forward",
    "Product",
    "RowFunction",
    "along_axis",
    "along_halves",
]

RowFunction = Callable[..., None]
"""A compiled function of one row: (x, out, work) for a value, (x, g, out, work) for a vjp."""
WORK_ROWS = 2  # a row's exponentials, support or root; and sparsemax's or entmax's candidates


Forward = Callable[..., Array]
"""forward(x, axis, *, split_above) -> the value, in x's dtype."""
Product = Callable[..., Array]
"""vjp(x, grad_output, axis, *, split_above) -> the vector-Jacobian product, in x's dtype."""


@dataclass(frozen=True, slots=True, eq=False)
class AxisKernel:
    """An axis-wise activation compiled: value and vector-Jacobian product, per dtype.

    ``forward`` and ``vjp`` take float32 arrays and return float32 ones, computed in float64
    (vmath) and rounded once; ``forward64`` and ``vjp64``, where the entry has them, take and
    return float64 ones within the catalog's accuracy (vmath64). Rows are split across the
    cores from ``split_above`` elements on. ``variant`` fixes non-numeric parameters
    (geglu's approximate); other requests take the numpy path.
    """

    forward: Forward
    vjp: Product
    variant: Mapping[str, ParamValue] = field(default_factory=dict)
    forward64: Forward | None = None
    vjp64: Product | None = None

    def applies(self, params: Mapping[str, ParamValue]) -> bool:
        return all(params[name] == value for name, value in self.variant.items())

    def functions(self, dtype: np.dtype[Any]) -> tuple[Forward, Product] | None:
        """(forward, vjp) for arrays of ``dtype``, if the kernel has them."""
        if dtype == np.float32:
            return self.forward, self.vjp
        if dtype == np.float64 and self.forward64 is not None and self.vjp64 is not None:
            return self.forward64, self.vjp64
        return None


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


def _over_rows(loop: Any, *rows: Array, split_above: int) -> None:
    """loop over every row of ``rows`` (x, [g,] out: 2-d arrays of equally many rows), the rows
    split across the cores when there are at least ``split_above`` elements."""
    width = max(1, rows[0].shape[1])
    rows = (*(read_only(a) for a in rows[:-1]), rows[-1])  # one compiled loop: see read_only

    def work(start: int, stop: int) -> int:
        loop(*(a[start:stop] for a in rows))
        return 0

    # In rows: a row is computed alone, so any cut between rows gives the serial numbers.
    split(work, rows[0].shape[0], -(-split_above // width), align=1)


def _along_axis(value: RowFunction, vjp: RowFunction) -> tuple[Forward, Product]:
    value_loop, vjp_loop = _value_loop(value), _vjp_loop(vjp)

    def forward(x: Array, axis: int, *, split_above: int = SPLIT_ABOVE) -> Array:
        moved = np.ascontiguousarray(np.moveaxis(x, axis, -1))
        out = np.empty(moved.shape, x.dtype)
        if moved.shape[-1]:
            _over_rows(value_loop, _as_rows(moved), _as_rows(out), split_above=split_above)
        return np.moveaxis(out, -1, axis)

    def product(
        x: Array, grad_output: Array, axis: int, *, split_above: int = SPLIT_ABOVE
    ) -> Array:
        moved = np.ascontiguousarray(np.moveaxis(x, axis, -1))
        upstream = np.ascontiguousarray(np.moveaxis(grad_output, axis, -1), dtype=x.dtype)
        out = np.empty(moved.shape, x.dtype)
        if moved.shape[-1]:
            _over_rows(
                vjp_loop,
                _as_rows(moved),
                _as_rows(upstream),
                _as_rows(out),
                split_above=split_above,
            )
        return np.moveaxis(out, -1, axis)

    return forward, product


def along_axis(
    value: RowFunction,
    vjp: RowFunction,
    variant: Mapping[str, ParamValue] | None = None,
    *,
    value64: RowFunction | None = None,
    vjp64: RowFunction | None = None,
) -> AxisKernel:
    """A kernel whose rows are the axis itself: the normalizing entries.

    A row of length 0 is left alone (the row functions start from its first element): its
    value and gradient are empty.
    """
    forward, product = _along_axis(value, vjp)
    forward64, product64 = _along_axis(value64, vjp64) if value64 and vjp64 else (None, None)
    return AxisKernel(forward, product, variant or {}, forward64, product64)


def _runs(a: Array, axis: int) -> Array:
    """``a`` in C order as rows that each hold the axis and every axis after it."""
    start = axis % a.ndim
    return np.ascontiguousarray(a).reshape(math.prod(a.shape[:start]), math.prod(a.shape[start:]))


def _along_halves(value: RowFunction, vjp: RowFunction) -> tuple[Forward, Product]:
    value_loop, vjp_loop = _value_loop(value), _vjp_loop(vjp)

    def forward(x: Array, axis: int, *, split_above: int = SPLIT_ABOVE) -> Array:
        rows = _runs(x, axis)
        out = np.empty((rows.shape[0], rows.shape[1] // 2), x.dtype)
        _over_rows(value_loop, rows, out, split_above=split_above)
        shape = list(x.shape)
        shape[axis] //= 2
        return out.reshape(shape)

    def product(
        x: Array, grad_output: Array, axis: int, *, split_above: int = SPLIT_ABOVE
    ) -> Array:
        rows = _runs(x, axis)
        out = np.empty(rows.shape, x.dtype)
        upstream = _runs(grad_output.astype(x.dtype, copy=False), axis)
        _over_rows(vjp_loop, rows, upstream, out, split_above=split_above)
        return out.reshape(x.shape)

    return forward, product


def along_halves(
    value: RowFunction,
    vjp: RowFunction,
    variant: Mapping[str, ParamValue],
    *,
    value64: RowFunction | None = None,
    vjp64: RowFunction | None = None,
) -> AxisKernel:
    """A kernel that pairs the halves of the axis element by element: the gated linear units.

    Its value's rows are half as long as x's; its gradient is shaped like x.
    """
    forward, product = _along_halves(value, vjp)
    forward64, product64 = _along_halves(value64, vjp64) if value64 and vjp64 else (None, None)
    return AxisKernel(forward, product, variant, forward64, product64)
