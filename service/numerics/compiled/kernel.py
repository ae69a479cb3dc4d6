"""What an element-wise kernel declares, and the loops that run it over an array.

A kernel is a set of scalar functions of (x, p), each compiled into one loop over the array:

    value, derivative                       for float32 results: float64 inside (built on
                                            vmath, good to 1e-14), rounded once on store,
                                            or float32 arithmetic (vmath32: pairs where a
                                            rounding would show), twice the lanes, each
                                            within an ULP of the float64 rounded (exact
                                            gelu's, sin's and silu's slope spend the
                                            contract's 2 max(1, kappa));
    value64, derivative64,                  for float64 results: built on vmath64 and on
    second_derivative64                     pairs hi + lo where the formula needs them, each
                                            within the catalog's 4 max(1, kappa) ULP; the
                                            second derivative also serves float32, rounded.

A loop reads x in its own dtype and writes the result in that dtype, optionally times a
scale (grad_output), and tells whether it wrote a NaN or read an x that is not finite: a
function returns NaN where it declines to answer (sin past |x| = 2^20 pi/2), and the caller
computes those points the numpy way, as it does every x of +-inf (where the numpy functions
give each output's limit, catalog.limits) and NaN. The kernels' own formulas are then free
to be wrong there, and pay nothing for it: a select per element on their results measured
up to twice the time of a float32 loop, whose float32 lanes it widened to float64.
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
from service.numerics.compiled.vmath import FASTMATH, inline
from service.numerics.types import Array, OutputName, ParamValue

__all__ = [
    "Kernel",
    "Limit",
    "ScalarFunction",
    "loops_of",
    "own_loops",
    "read_only",
    "run",
    "with_limits",
]

ScalarFunction = Callable[..., float]
"""A compiled function of (x, p) to float: x a float64, p a tuple of the kernel's parameters."""


@dataclass(frozen=True, slots=True, eq=False)
class Kernel:
    """An element-wise activation compiled: its value and derivatives at a point.

    Each function is a numba function of (x, p) in float64, p being the tuple of the entry's
    numeric parameters in their declared order, less those the kernel fixes; they are built
    from vmath (value, derivative: float32 results) or vmath64 (the ``*64`` ones: float64
    results, and float32 second derivatives) so that the loop around them vectorises.
    ``variant`` fixes the other parameters (gelu's approximate): a request with other values
    is left to the numpy path, and so is one for an output the kernel lacks. ``unused`` names
    parameters that change nothing in this variant (rrelu's seed when it is not training).

    A function that is None leaves its output to the numpy path. A function returns NaN
    where it cannot answer; the numpy path then computes those points again, and every x of
    +-inf or NaN, whatever the function returned there.
    """

    value: ScalarFunction | None
    derivative: ScalarFunction | None
    variant: Mapping[str, ParamValue] = field(default_factory=dict)
    unused: tuple[str, ...] = ()
    value64: ScalarFunction | None = None
    derivative64: ScalarFunction | None = None
    second_derivative64: ScalarFunction | None = None

    def applies(self, params: Mapping[str, ParamValue]) -> bool:
        return not self.variant or all(params[n] == v for n, v in self.variant.items())

    def function(self, output: OutputName, dtype: np.dtype[Any]) -> ScalarFunction | None:
        """The function that computes ``output`` for results of ``dtype``, if there is one."""
        if output == "second_derivative":
            return self.second_derivative64
        if dtype == np.float32:
            return self.value if output == "value" else self.derivative
        if dtype == np.float64:
            return self.value64 if output == "value" else self.derivative64
        return None


Limit = float | Callable[..., float]
"""A limit at an infinity: a number, or a compiled function of p where it depends on them."""


def with_limits(function: ScalarFunction, *, below: Limit, above: Limit) -> ScalarFunction:
    """``function``, answering ``below`` at x = -inf and ``above`` at x = +inf.

    For a formula that is NaN or wrong there (0 * inf, inf / inf, a tail that overflows
    before it vanishes), where a caller needs the limit from the function itself (a gated
    unit's rows fix their infinite pairs up with it): a select on the result. The element-
    wise loops have no need of it (they leave those points to the numpy path).
    """
    low = below if callable(below) else _constant(below)
    high = above if callable(above) else _constant(above)

    @inline
    def limited(x: float, p: tuple[float, ...]) -> float:
        y = function(x, p)
        limit = high(p) if x > 0.0 else low(p)
        return limit if abs(x) == math.inf else y

    return limited


def _constant(value: float) -> Callable[..., float]:
    @inline
    def constant(p: tuple[float, ...]) -> float:
        return value

    return constant


def loops_of(function: ScalarFunction) -> tuple[Any, Any]:
    """The loops over an array for one scalar function: plain, and times a scale.

    A function that carries its own (``loops``, from ``own_loops``) is run by those; the
    catalog's share one pair per function for the life of the process, kept on disk.
    """
    own = getattr(function, "loops", None)
    return own if own is not None else _shared_loops(function)


@functools.cache
def _shared_loops(function: ScalarFunction) -> tuple[Any, Any]:
    plain, scaled = own_loops(function)
    return cached(plain), cached(scaled)


def own_loops(function: ScalarFunction) -> tuple[Any, Any]:
    """New loops for ``function``, compiled on first call, in memory only: for a function made
    at run time (a formula's), whose loops are dropped with it.

    The function is a constant of each loop, so numba inlines it and LLVM vectorises the
    whole; passed as an argument it would stay a call whenever LLVM judged it too large.
    Each loop is compiled for the dtypes it is called with: x, scale and out share one.
    """

    # Whether any was NaN, as an or: a count's int64 lanes cost a float32 loop a third more.
    @numba.njit(nogil=True, fastmath=FASTMATH, error_model="numpy")
    def plain(x, out, arguments):
        unanswered = False
        for i in range(x.size):
            y = function(np.float64(x[i]), arguments)
            # An x of +-inf or NaN counts too: its point is answered the numpy way, which gives
            # the limits there (a formula need not) and NaN for NaN (a piecewise slope need not).
            unanswered |= np.isnan(y) | np.isinf(x[i]) | np.isnan(x[i])
            out[i] = y  # rounded once, to out's dtype
        return unanswered

    @numba.njit(nogil=True, fastmath=FASTMATH, error_model="numpy")
    def scaled(x, scale, out, arguments):
        unanswered = False
        for i in range(x.size):
            y = function(np.float64(x[i]), arguments) * np.float64(scale[i])
            unanswered |= np.isnan(y) | np.isinf(x[i]) | np.isnan(x[i])
            out[i] = y
        return unanswered

    return plain, scaled


def run(
    function: ScalarFunction,
    x: Array,
    arguments: tuple[float, ...],
    scale: Array | None = None,
    *,
    split_above: int = SPLIT_ABOVE,
) -> tuple[Array, bool]:
    """function at every element of ``x`` (times ``scale``), in x's dtype, and whether any was
    NaN; on every core from ``split_above`` elements on (compiled.cores)."""
    flat = read_only(np.ascontiguousarray(x).reshape(-1))
    out = np.empty(flat.shape, x.dtype)
    plain, scaled = loops_of(function)
    if scale is None:
        upstream = None
    else:
        upstream = read_only(np.ascontiguousarray(scale, dtype=x.dtype).reshape(-1))
    if flat.size < split_above:  # the common case, without the closures below
        if upstream is None:
            unanswered = plain(flat, out, arguments)
        else:
            unanswered = scaled(flat, upstream, out, arguments)
        return out.reshape(x.shape), unanswered > 0
    if upstream is None:

        def work(start: int, stop: int) -> int:
            return int(plain(flat[start:stop], out[start:stop], arguments))

    else:

        def work(start: int, stop: int) -> int:
            return int(scaled(flat[start:stop], upstream[start:stop], out[start:stop], arguments))

    unanswered = split(work, flat.size, split_above)
    return out.reshape(x.shape), unanswered > 0


def read_only(array: Array) -> Array:
    """A read-only view of ``array``, as every loop is given its inputs.

    numba compiles a loop once per argument type, and a read-only array is a type of its own:
    a .npy body's array is read-only (a view of the body's bytes), a JSON body's is not. Given
    read-only views alone, each loop is compiled once (at start-up) for both, instead of again
    on the first .npy request, which measured 1.3 s for gelu's value.
    """
    view = array.view()
    view.flags.writeable = False
    return view
