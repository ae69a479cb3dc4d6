"""Elementary functions in float64 arithmetic alone, so that a compiled loop vectorises.

A float32 kernel fuses a whole activation into one loop over the array, and LLVM vectorises
that loop only if nothing in it calls out to the C math library (numba's LLVM has no vector
math library). So exp, log, tanh, sin and the normal CDF are written here as range
reduction, a polynomial and exponent bits set by hand. Each is good to about 1e-14 relative
(tests/numerics/test_vmath.py measures every one against mpmath), far below float32's
6e-8: a kernel's float64 result, rounded once to float32, stays within an ULP of the exact
value, as the numpy path's does.

exp_for_float32 is the exception: 2.6e-9, with a third of exp's polynomial gone, for a
float32 result that its error reaches at most once (silu's value: still within 0.55 ULP).

Each is only as wide as the float32 kernels need, and says so: exp saturates outside
[-708, 709] (float32 ends near e^+-104), the normal CDF is 0 below -15.5, sin and cos return
NaN past |x| = 2^19, which tells the caller to take the numpy path for that point.

The polynomials are near-minimax Chebyshev fits made at 50 digits by
scripts/fit_polynomials.py, in Horner form, highest power first.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = [
    "FASTMATH",
    "bits_from_double",
    "cos",
    "double_from_bits",
    "exp",
    "exp_for_float32",
    "expm1",
    "inline",
    "log",
    "log1p",
    "log1p_unit",
    "normal_cdf",
    "normal_cdf_pdf",
    "normal_pdf",
    "prefer_512_bits",
    "sigmoid",
    "sin",
    "softplus",
    "tanh",
]

# Fused multiply-adds only: contraction changes no result by more than an ULP of float64,
# while reassociation or finite-math assumptions would change what the code says.
FASTMATH = {"contract"}
_F = TypeVar("_F", bound=Callable[..., Any])


def inline(function: _F) -> _F:
    """``function`` compiled to be inlined into every compiled caller (and its loop vectorised
    with it), as a kernel's scalar functions and these elementary functions are."""
    return cast(_F, numba.njit(inline="always", fastmath=FASTMATH, error_model="numpy")(function))


@intrinsic
def _prefer_512_bits(typingctx):
    def codegen(context, builder, signature, args):
        # LLVM's X86 backend reads a function's "prefer-vector-width" attribute before its
        # prefer-256-bit feature. llvmlite's FunctionAttributes.add admits only keyword
        # attributes; the set holds each attribute as LLVM's text, so the string one goes in
        # as that text.
        set.add(builder.function.attributes, '"prefer-vector-width"="512"')
        return context.get_dummy_value()

    return types.none(), codegen


# Typed for mypy, which reads an intrinsic's Python call (it raises) as the end of its caller.
prefer_512_bits = cast(Callable[[], None], _prefer_512_bits)
"""Asks LLVM to vectorise the function being compiled 512 bits wide where the CPU has AVX-512
(it keeps to 256 bits there unless asked, its features saying prefer-256-bit): called in a
scalar function inlined into a loop, it widens that loop. vmath32's functions call it (float32
arithmetic, 16 lanes as PyTorch's and numpy's kernels take), and so do the softmax family's
row exponentials (8 float64 lanes); each measured faster in the service, with the same bits.
Elsewhere the width stays the CPU's: 512 bits slowed elu's float32 loop (0.9x), gained under
a tenth where a float64 division bounds the loop (sigmoid, silu), and slowed softplus's and
log_sigmoid's kernels as the service runs them (1.59 -> 1.71 ms per 1e6) though their bare
loops gained 6-8%: a width is to be measured in the service's own loop."""


LOG2E = 1.4426950408889634
LN2_HI = 0.6931471803691238  # ln 2 to 32 bits: k * LN2_HI is exact for |k| < 2^21
LN2_LO = 1.9082149292705877e-10
_LN2 = math.log(2)
PIO2_1 = 1.5707963267341256  # pi/2 in three parts of 33 bits: k * PIO2_i is exact, k < 2^20
PIO2_2 = 6.077100506303966e-11
PIO2_3 = 2.0222662487959506e-21
TWO_OVER_PI = 0.6366197723675814
SQRT2 = math.sqrt(2)
INV_SQRT_2PI = 0.3989422804014327
SIN_LIMIT = 2.0**19
SQRT_HALF = math.sqrt(0.5)
NORMAL_TAIL = 15.5

# e^r for |r| <= ln2/2, to 2.53e-9 relative: exp_for_float32's
_EXP_FOR_FLOAT32 = (
    0.0013941108434077287,
    0.008375126398237096,
    0.0416663528967739,
    0.1666641551465227,
    0.5000000047117757,
    1.0000000377162142,
    1.0,
)
_SHIFTER = 6755399441055744.0  # 1.5 2^52: x + 1.5 2^52 in [2^52, 2^53) has an ULP of 1
_EXP_FOR_FLOAT32_LIMIT = 700.0  # e^700 = 1.0e304; 2^k e^r is normal for |k| <= 1010
# expm1(r) = r + r^2 (1/2 + r q(r)) for |r| <= ln2/2
_EXPM1 = (
    2.760751626492711e-07,
    2.7617564785876086e-06,
    2.4801549607706326e-05,
    0.00019841224599656011,
    0.0013888888897944966,
    0.00833333334420298,
    0.041666666666663264,
    0.16666666666662586,
)
# log(m) = 2s + s z R(z), s = (m - 1)/(m + 1), z = s^2 <= (3 - 2 sqrt 2)^2
_LOG = (
    0.16621817152858928,
    0.18140193802865992,
    0.22222862280108716,
    0.2857142413832416,
    0.40000000011206505,
    0.6666666666666208,
)
# sin(r) = r + r z S(z) and cos(r) = 1 - z/2 + z^2 C(z), z = r^2 <= (pi/4)^2
_SIN = (
    1.5918129294866608e-10,
    -2.5051131845003624e-08,
    2.755731610255244e-06,
    -0.00019841269836758574,
    0.008333333333330948,
    -0.16666666666666666,
)
_COS = (
    -1.1382632425521717e-11,
    2.08761462684032e-09,
    -2.7557317271729793e-07,
    2.480158729876569e-05,
    -0.0013888888888887398,
    0.041666666666666664,
)
# erfc(z) = t Q(t) exp(-z^2), t = 2/(2 + z), 0 <= z <= 11
_ERFC = (
    -0.013647720364499776,
    0.13048109201311636,
    -0.5477613391615197,
    1.2836273359555495,
    -1.6796845357936905,
    0.7152693747549559,
    1.547183016091278,
    -3.4185954215948247,
    3.448189479681157,
    -2.1920507630270993,
    1.0698704296517516,
    -0.4393325191790248,
    0.04850760185108342,
    -0.026129220671365923,
    0.08708473398188889,
    0.17593925551805287,
    0.24686087330376927,
    0.2820935081525894,
    0.28209481883682647,
)
_ERFC_SPLIT = 10


# numba's stubs type an intrinsic by its typing function, typing context included: the calls
# below say type: ignore[call-arg].
@intrinsic
def double_from_bits(typingctx, bits):
    """The float64 whose IEEE bits are the int64 ``bits``."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


@intrinsic
def bits_from_double(typingctx, value):
    """The IEEE bits of the float64 ``value``, as an int64."""

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


@inline
def _horner(coefficients: tuple[float, ...], z: float, result: float = 0.0) -> float:
    """The polynomial at z; a non-zero ``result`` continues an evaluation already begun."""
    for c in numba.literal_unroll(coefficients):
        result = result * z + c
    return result


@inline
def _reduce_ln2(x: float) -> tuple[float, float]:
    """(shifted, expm1(r)) with x = k ln2 + r, |r| <= ln2/2 (and k's rounding), for x clipped
    to [-708, 709]: k = round(x/ln2) by the 1.5 2^52 shifter, shifted = k + 1.5 2^52, whose
    low bits are k (``_times_pow2``): no conversion to an integer, nor a floor."""
    x = min(max(x, -708.0), 709.0)
    shifted = x * LOG2E + _SHIFTER
    k = shifted - _SHIFTER
    r = (x - k * LN2_HI) - k * LN2_LO
    return shifted, r + r * r * (0.5 + r * _horner(_EXPM1, r))


@inline
def _times_pow2(m: float, shifted: float) -> float:
    """m 2^k, k the integer in the low bits of ``shifted`` (``_reduce_ln2``), by an integer
    add to m's exponent bits: exact while m 2^k is normal (m in [0.7, 1.42] and k in
    [-1021, 1023], exp's range), as the product by 2^k it replaces."""
    exponent = bits_from_double(shifted) << 52  # type: ignore[call-arg]
    return double_from_bits(bits_from_double(m) + exponent)


@inline
def exp(x: float) -> float:
    """e^x, saturating at e^-708 and e^709."""
    shifted, em = _reduce_ln2(x)
    return _times_pow2(1.0 + em, shifted)


@inline
def exp_for_float32(x: float) -> float:
    """e^x within 2.6e-9 relative (0.044 of float32's u = 2^-24), x clamped to [-700, 700],
    NaN at a NaN x: two thirds of exp's polynomial, for a float32 result that e's relative
    error reaches at most once (not magnified by a cancellation): computed in float64, such
    a result is within 0.55 ULP once rounded.

    x = k ln2 + r with k = round(x/ln2) by the 1.5 2^52 shifter, whose low bits are then k;
    r = x - k LN2 (LN2 = ln2 to float64: |k| |LN2 - ln2| and the roundings, below 1e-13);
    e^r by a degree-6 fit on |r| <= ln2/2 (scripts/fit_polynomials.py), 2.53e-9, plus
    Horner's roundings, a few 1e-16; 2^k added to its exponent bits, exact for |k| <= 1010.
    The clamp's max(a, b) is numba's (Python's): b if b > a else a, so x comes first and a
    NaN x, failing both comparisons, stays (each is still one vmaxpd or vminpd); the NaN's
    low 12 bits, which it adds to the polynomial's exponent, are 0 for a NaN widened from
    float32 or made by arithmetic (0 * inf), so the result is NaN too: softmax's terms
    then carry a NaN x to its whole row, as numpy's do.
    """
    x = min(max(x, -_EXP_FOR_FLOAT32_LIMIT), _EXP_FOR_FLOAT32_LIMIT)
    shifted = x * LOG2E + _SHIFTER
    k = shifted - _SHIFTER
    r = x - k * _LN2
    p = _EXP_FOR_FLOAT32[0]
    for c in numba.literal_unroll(_EXP_FOR_FLOAT32[1:]):
        p = p * r + c
    return _times_pow2(p, shifted)


@inline
def expm1(x: float) -> float:
    """e^x - 1 to full relative accuracy near 0, saturating like exp."""
    # 2^k e^r - 1 = 2^k expm1(r) + (2^k - 1): both exact for k = 0, no cancellation otherwise.
    shifted, em = _reduce_ln2(x)
    scale = _times_pow2(1.0, shifted)
    return scale * em + (scale - 1.0) if x != 0.0 else x  # expm1(-0) = -0, as sin(-0)


@inline
def log(x: float) -> float:
    """ln x for a positive normal x."""
    bits: int = bits_from_double(x)  # type: ignore[call-arg]
    exponent = (bits >> 52) - 1023
    m = double_from_bits((bits & 0x000FFFFFFFFFFFFF) | 0x3FF0000000000000)  # in [1, 2)
    high = m > SQRT2
    m = m * 0.5 if high else m  # into [sqrt(1/2), sqrt(2)]
    k = np.float64(exponent + high)
    s = (m - 1.0) / (m + 1.0)
    z = s * s
    return k * LN2_HI + ((2.0 * s + s * z * _horner(_LOG, z)) + k * LN2_LO)


@inline
def log1p(x: float) -> float:
    """ln(1 + x) for x > -1, to full relative accuracy near 0."""
    u = 1.0 + x
    # log(u) is off by the rounding of 1 + x; (x - (u - 1))/u puts it back (u - 1 is exact).
    correction = (x - (u - 1.0)) / u
    return x if u == 1.0 else log(u) + correction


@inline
def log1p_unit(t: float) -> float:
    """ln(1 + t) for 0 <= t <= 1 (softplus's range): log1p with one division and no bits.

    Past 1 + t = sqrt 2 it is ln 2 + ln((1 + t)/2); either way ln m = 2 atanh s, m = 1 + t or
    (1 + t)/2, s = (m - 1)/(m + 1) = t/(2 + t) or (t - 1)/(t + 3), as in log.
    """
    high = t > SQRT2 - 1.0
    s = ((t - 1.0) if high else t) / ((t + 3.0) if high else (t + 2.0))
    z = s * s
    k = 1.0 if high else 0.0
    return k * LN2_HI + ((2.0 * s + s * z * _horner(_LOG, z)) + k * LN2_LO)


@inline
def tanh(x: float) -> float:
    t = expm1(-2.0 * abs(x))  # in (-1, 0]: tanh|x| = -t / (2 + t), without cancellation
    return math.copysign(-t / (2.0 + t), x)


@inline
def sigmoid(x: float) -> float:
    """1 / (1 + e^-x) from e = e^-|x|, which neither overflows nor loses a subnormal tail."""
    e = exp(-abs(x))
    r = 1.0 / (1.0 + e)
    return r if x >= 0 else e * r


@inline
def softplus(x: float) -> float:
    """ln(1 + e^x) = max(x, 0) + ln(1 + e^-|x|)."""
    return max(x, 0.0) + log1p_unit(exp(-abs(x)))


@inline
def _reduce_pio2(x):
    """(quadrant, r) with x = quadrant pi/2 + r, |r| <= pi/4 (Cody and Waite), |x| <= 2^19."""
    k = math.floor(x * TWO_OVER_PI + 0.5)
    r = ((x - k * PIO2_1) - k * PIO2_2) - k * PIO2_3
    return np.int64(k) & 3, r


@inline
def _sin_cos_reduced(r):
    z = r * r
    return r + r * z * _horner(_SIN, z), 1.0 - 0.5 * z + z * z * _horner(_COS, z)


@inline
def sin(x: float) -> float:
    """sin x for |x| <= 2^19; NaN beyond, where the caller takes the exact path."""
    quadrant, r = _reduce_pio2(x)
    s, c = _sin_cos_reduced(r)
    # Two selects rather than a four-way one: LLVM vectorises these, not that.
    odd = c if quadrant & 1 else s
    result = -odd if quadrant & 2 else odd
    result = result if x != 0.0 else x  # sin(-0) = -0 (the reduction's sum of zeros gives +0)
    return result if abs(x) <= SIN_LIMIT else np.nan


@inline
def cos(x: float) -> float:
    """cos x for |x| <= 2^19; NaN beyond, where the caller takes the exact path."""
    quadrant, r = _reduce_pio2(x)
    s, c = _sin_cos_reduced(r)
    odd = s if quadrant & 1 else c
    result = -odd if (quadrant + 1) & 2 else odd
    return result if abs(x) <= SIN_LIMIT else np.nan


@inline
def normal_pdf(x: float) -> float:
    return INV_SQRT_2PI * exp(-0.5 * x * x)


@inline
def normal_cdf_pdf(x: float) -> tuple[float, float]:
    """(Phi(x), phi(x)), sharing one exp; Phi to 1e-13 relative in both tails for x >= -15.5.

    Phi(-y) = erfc(z)/2 with z = y/sqrt 2, and erfc(z) = t Q(t) exp(-z^2), t = 2/(2 + z): Q is
    smooth in t and one polynomial covers every z up to 11; exp(-z^2) = exp(-y^2/2) is phi's
    own exponential. Below x = -15.5, Phi (< 1e-54) is returned as 0: |x| Phi(x) and |x| phi(x)
    are then below float32's least subnormal, which is all the float32 kernels ask.
    """
    y = abs(x)
    gauss = exp(-0.5 * y * y)
    t = 2.0 / (2.0 + y * SQRT_HALF)
    # In two parts: LLVM unrolls, and so vectorises, a Horner loop of up to about 14 terms.
    q = _horner(_ERFC[_ERFC_SPLIT:], t, _horner(_ERFC[:_ERFC_SPLIT], t))
    lower = 0.5 * t * q * gauss  # Phi(-y)
    lower = lower if y <= NORMAL_TAIL else 0.0
    return (lower if x < 0 else 1.0 - lower), INV_SQRT_2PI * gauss


@inline
def normal_cdf(x: float) -> float:
    """Phi(x): see normal_cdf_pdf."""
    return normal_cdf_pdf(x)[0]
