"""A formula's built-in functions as compiled scalars in float64, for its generated kernels.

Each gives what the numpy path (``functions.BUILTINS``) gives, to within an ULP or two, at
every float64 including the infinities and NaN: a generated kernel is held to the numpy
path's measured accuracy, so the special values are not left to a polynomial's clamping.
Most are vmath64's (within 1.1 ULP, and they vectorise); log, cosh and sinh are the C
library's (within an ULP), as numpy's are; erf and erfc are scipy's own, called from the
compiled code, so that they underflow where the numpy path's do. sin and cos
are vmath64's, NaN past SIN_LIMIT: the kernel then declines the point (see ``source``).
"""

from __future__ import annotations

import ctypes
import math
from typing import Any

from numba.extending import get_cython_function_address

from service.numerics.compiled import inline, vmath64

__all__ = [
    "atan",
    "cos",
    "cosh",
    "erf",
    "erfc",
    "exp",
    "expm1",
    "log",
    "log1p",
    "sigmoid",
    "sign",
    "sin",
    "sinh",
    "softplus",
    "sqrt",
    "tanh",
]

_HUGE = 1e300  # atan and tanh of anything beyond round to their limits


@inline
def exp(u: float) -> float:
    # vmath64 clamps to [-800, 710] (e^u is 0 or inf there already), which would take NaN too.
    return u if u != u else vmath64.exp(u)


@inline
def expm1(u: float) -> float:
    # vmath64's expm1 stops at 709; past it e^u - 1 rounds to e^u.
    if u != u:
        return u
    return vmath64.exp(u) if u > 709.0 else vmath64.expm1(u)


@inline
def log(u: float) -> float:
    return math.log(u) if u > 0 else (-math.inf if u == 0 else math.nan)


@inline
def log1p(u: float) -> float:
    if u > -1.0 and u < math.inf:
        return vmath64.log1p(u)
    return -math.inf if u == -1.0 else (u if u == math.inf else math.nan)


@inline
def sqrt(u: float) -> float:
    return math.sqrt(u) if u >= 0 else (u if u != u else math.nan)


@inline
def sign(u: float) -> float:
    return 1.0 if u > 0 else (-1.0 if u < 0 else (0.0 if u == 0 else u))


@inline
def tanh(u: float) -> float:
    return u if u != u else vmath64.tanh(min(max(u, -_HUGE), _HUGE))


@inline
def cosh(u: float) -> float:
    return math.cosh(u)


@inline
def sinh(u: float) -> float:
    return math.sinh(u)


@inline
def sigmoid(u: float) -> float:
    # The catalog's sigmoid: with e = e^-|u| neither branch overflows, and the subnormal tail
    # below u = -709 is kept.
    e = vmath64.exp(-abs(u))
    value = (1.0 if u >= 0 else e) / (1.0 + e)
    return u if u != u else value


@inline
def softplus(u: float) -> float:
    # log(1 + e^u) = max(u, 0) + log1p(e^-|u|), as numpy's logaddexp(0, u) computes it.
    value = max(u, 0.0) + vmath64.log1p(vmath64.exp(-abs(u)))
    return u if u != u else value


def _special(name: str) -> Any:
    """scipy.special's own float64 ``name``, callable from compiled code."""
    address = get_cython_function_address("scipy.special.cython_special", f"__pyx_fuse_1{name}")
    # The C signature is (double, int skip_dispatch): the flag matters to Python callers only.
    return ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_double, ctypes.c_int)(address)


_ERF, _ERFC = _special("erf"), _special("erfc")


@inline
def erf(u: float) -> float:
    return _ERF(u, 0)  # type: ignore[no-any-return]


@inline
def erfc(u: float) -> float:
    return _ERFC(u, 0)  # type: ignore[no-any-return]


@inline
def sin(u: float) -> float:
    return vmath64.sin(u)


@inline
def cos(u: float) -> float:
    return vmath64.cos(u)


@inline
def atan(u: float) -> float:
    return u if u != u else vmath64.atan(min(max(u, -_HUGE), _HUGE))
