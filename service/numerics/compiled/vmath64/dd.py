"""Error-free transformations and double-double steps, for the float64 elementary functions.

A double-double is an unevaluated sum hi + lo of two float64 numbers, |lo| at most half an
ULP of hi, carrying about 106 bits; the functions here keep a rounding error as such a second
word instead of losing it (Dekker 1971, Knuth TAOCP vol. 2 4.2.2; Muller et al., Handbook of
Floating-Point Arithmetic, 2nd ed., ch. 4 and 14):

    two_sum(a, b)       s + e = a + b exactly, s = fl(a + b)              (6 operations)
    fast_two_sum(a, b)  the same in 3, when a = 0 or the exponent of a is at least b's
    two_product(a, b)   p + e = a b exactly, p = fl(a b), e = fma(a, b, -p), unless a b
                        underflows (then |e| < 2^-1074 is what is lost)

The loops that use them are compiled with fast-math contraction only (vmath.FASTMATH): that
may fuse a product into an addition, which keeps each of these exact (their sums hold no
product, and a fused product only drops a rounding), but it forbids reassociation, which
would turn (a - (s - b)) into 0. ``fma`` is LLVM's own, so it vectorises.
"""

from __future__ import annotations

import math

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

from service.numerics.compiled.vmath import bits_from_double, double_from_bits, inline

__all__ = [
    "add",
    "divide",
    "fast_two_sum",
    "fma",
    "pow2",
    "product",
    "quotient",
    "rounded_product",
    "scale",
    "split_exponent",
    "two_product",
    "two_sum",
]


@intrinsic
def _fma(typingctx, a, b, c):
    def codegen(context, builder, signature, args):
        double = ir.DoubleType()
        function = builder.module.declare_intrinsic(
            "llvm.fma", [double], ir.FunctionType(double, [double, double, double])
        )
        return builder.call(function, args)

    return types.float64(types.float64, types.float64, types.float64), codegen


@inline
def fma(a: float, b: float, c: float) -> float:
    """a b + c rounded once."""
    return _fma(a, b, c)  # type: ignore[call-arg]


@inline
def two_sum(a: float, b: float) -> tuple[float, float]:
    """(s, e): s = fl(a + b) and s + e = a + b exactly, whatever their sizes (Knuth)."""
    s = a + b
    b_virtual = s - a
    return s, (a - (s - b_virtual)) + (b - b_virtual)


@inline
def fast_two_sum(a: float, b: float) -> tuple[float, float]:
    """(s, e) as two_sum, for |a| >= |b| (or a's exponent at least b's): Dekker's three steps."""
    s = a + b
    return s, b - (s - a)


@inline
def two_product(a: float, b: float) -> tuple[float, float]:
    """(p, e): p = fl(a b) and p + e = a b exactly, barring underflow."""
    p = a * b
    return p, fma(a, b, -p)


@inline
def product(a: float, a_lo: float, b: float, b_lo: float) -> tuple[float, float]:
    """(a + a_lo)(b + b_lo) as a normalised pair, within 2^-103 relative (Dekker's mul2)."""
    p, e = two_product(a, b)
    return fast_two_sum(p, e + (a * b_lo + a_lo * b))


@inline
def rounded_product(a: float, a_lo: float, b: float, b_lo: float) -> float:
    """(a + a_lo)(b + b_lo) rounded to one float64, as ``product``'s first word, except that
    a product that rounds to zero keeps its sign: the pair's sum p + e gives +0 for p = -0
    (a negative product below the subnormals), where fl(a b) has the true sign."""
    rounded = product(a, a_lo, b, b_lo)[0]
    return rounded if rounded != 0.0 else a * b


@inline
def add(a: float, a_lo: float, b: float, b_lo: float) -> tuple[float, float]:
    """(a + a_lo) + (b + b_lo) as a normalised pair, within 2^-104 of the larger plus 2^-104
    relative of the sum (Dekker's add2, on TwoSum)."""
    s, e = two_sum(a, b)
    return fast_two_sum(s, e + (a_lo + b_lo))


@inline
def quotient(n: float, n_lo: float, d: float, d_lo: float) -> tuple[float, float]:
    """(q, e): q = fl(n / d) and q + e within 2^-103 relative of (n + n_lo) / (d + d_lo).

    The residual n + n_lo - q (d + d_lo) is fma(-q, d, n), exact (the residual of a rounded
    quotient is a float64), plus n_lo - q d_lo, rounded (relatively 2^-53 of a term itself
    about 2^-52 of n); e = residual / d, rounded again, to first order in d_lo / d. It
    assumes |n_lo| <= 2^-51 |n| and |d_lo| <= 2^-51 |d|.
    """
    q = n / d
    rho = fma(-q, d, n) + (n_lo - q * d_lo)
    return q, rho / d


@inline
def divide(n: float, n_lo: float, d: float, d_lo: float) -> float:
    """(n + n_lo) / (d + d_lo), rounded once to within 0.5 ULP + 2^-103 relative."""
    q, e = quotient(n, n_lo, d, d_lo)
    return q + e


@inline
def pow2(k: float) -> float:
    """2^k for an integral float k in [-1022, 1023], by writing its exponent bits."""
    return double_from_bits(np.int64(k + 1023.0) << 52)  # type: ignore[call-arg]


@inline
def scale(y: float, k: float) -> float:
    """y 2^k for an integral k in [-1160, 1160] and |y| within 2^-400 and 2^400, rounded once.

    As two factors 2^floor(k/2) and 2^(k - floor(k/2)), each a normal number: the first
    product is exact, the second rounds once, into the subnormals or to infinity if that is
    where y 2^k lies (a single factor 2^k would itself underflow or overflow first).
    """
    half = math.floor(k * 0.5)
    return (y * pow2(half)) * pow2(k - half)


@inline
def split_exponent(x: float) -> tuple[float, float]:
    """(m, k) with x = m 2^k exactly, m in [sqrt(1/2), sqrt 2), for a positive normal x."""
    bits: int = bits_from_double(x)  # type: ignore[call-arg]
    k = np.float64((bits >> 52) - 1023)
    m = double_from_bits((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000)
    high = m > 1.4142135623730951
    return (m * 0.5 if high else m), (k + 1.0 if high else k)
