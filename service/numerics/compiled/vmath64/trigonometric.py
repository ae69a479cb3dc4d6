"""sin, cos and atan in float64, each within an ULP; sin and cos up to |x| = 2^20 pi/2.

sin and cos reduce x = k pi/2 + r, |r| <= pi/4, by Cody and Waite's method with pi/2 in three
parts: PIO2_1 and PIO2_2 of 33 bits (k PIO2_i is exact for k < 2^20), PIO2_3 of 53, so that

    x - k PIO2_1                exact (Sterbenz: k PIO2_1 is within pi/4 + 2^-33 k of x),
    - k PIO2_2                  exact product, its sum carried whole (TwoSum),
    - k PIO2_3                  rounded: 2^-53 of k 2^-68, below 2^-100,

leave r = r_hi + r_lo within |k| 2^-119 (pi/2's truncation past PIO2_3) + 2^-100 of
x - k pi/2: below 2^-99 absolutely. Where sin x is near 0 that is large relative to it, but its
condition number |x cot x| is larger still: the error stays within an ULP of x times
|d sin x / dx|, less than rounding x itself costs. Past |x| = 2^20 pi/2 they return NaN,
and the caller takes the exact path (numpy's, with Payne and Hanek's reduction).

On the reduced argument, with z = r_hi^2 (carried as a pair too, for cos):

    sin r = r_hi + (r_lo (1 - z/2) + r_hi z S(z)),    |r_hi z S| <= z/6 |r_hi| <= 0.11 |r|,
    cos r = w + (((1 - w) - z/2) - (z_lo/2 + r_hi r_lo) + z^2 C(z)),  w = fl(1 - z/2),

S and C degree-6 and -5 fits (scripts/fit_polynomials.py --float64, 6e-17 relative, which
weigh below 0.11 and 0.02 of that in the result). The terms after the leading one carry a few
u of quantities at most 0.11 of the result: one rounding at the end, within 0.5 + 0.3 ULP.

atan |x| = base + atan t, with (as fdlibm) t = |x| and base 0 below tan(pi/8), t = -1/|x| and
base pi/2 above tan(3pi/8), t = (|x| - 1)/(|x| + 1) and base pi/4 between. t is carried as a
quotient of pairs (dd.quotient), base as hi + lo, and atan t = t + t z R(z), z = t^2 <=
tan(pi/8)^2, R a degree-11 fit (6e-17, weighing 0.06 of that): base_hi + t is a pair
(Fast2Sum, base_hi = 0 or larger than |t|), the rest under 6% of the result, rounded once.
Within 0.5 + 0.2 ULP.
"""

from __future__ import annotations

import math

import numpy as np

from service.numerics.compiled.vmath import _horner, inline
from service.numerics.compiled.vmath64.dd import fast_two_sum, quotient, two_product, two_sum

__all__ = ["SIN_LIMIT", "atan", "cos", "sin", "sin_cos"]

PIO2_1 = 1.5707963267341256  # pi/2 in three parts: 33, 33 and 53 bits
PIO2_2 = 6.077100506303966e-11
PIO2_3 = 2.0222662487959506e-21
TWO_OVER_PI = 0.6366197723675814
SIN_LIMIT = 2.0**20 * 1.5707963267948966  # k < 2^20 keeps k PIO2_1 and k PIO2_2 exact
# pi/4 and pi/2 as hi + lo.
PI_OVER_4 = 0.7853981633974483
PI_OVER_4_LO = 3.061616997868383e-17
PI_OVER_2 = 1.5707963267948966
PI_OVER_2_LO = 6.123233995736766e-17
TAN_PI_8 = 0.41421356237309503
TAN_3PI_8 = 2.414213562373095

_SIN = (
    -7.586697117646683e-13,
    1.6058531618985126e-10,
    -2.505210623244757e-08,
    2.7557319219339167e-06,
    -0.00019841269841265065,
    0.008333333333333331,
    -0.16666666666666666,
)
_COS = (
    -1.1382632425433938e-11,
    2.087614626840198e-09,
    -2.755731727172979e-07,
    2.480158729876569e-05,
    -0.0013888888888887398,
    0.041666666666666664,
)
_ATAN = (
    0.016285756841402314,
    -0.034570561968958594,
    0.045515932201417086,
    -0.052304542705439556,
    0.058789289978203436,
    -0.06666424885737,
    0.07692296375032072,
    -0.09090908753500875,
    0.11111111105155447,
    -0.14285714285659828,
    0.19999999999999804,
    -0.3333333333333333,
)


@inline
def sin_cos(x: float) -> tuple[float, float]:
    """(sin x, cos x), each within 0.8 ULP, for |x| <= SIN_LIMIT; (NaN, NaN) beyond."""
    k = math.floor(x * TWO_OVER_PI + 0.5)
    first = x - k * PIO2_1
    r, r_lo = two_sum(first, -(k * PIO2_2))
    r, r_lo = fast_two_sum(r, r_lo - k * PIO2_3)
    z, z_lo = two_product(r, r)
    sine = r + (r_lo * (1.0 - 0.5 * z) + r * z * _horner(_SIN, z))
    half = 0.5 * z
    w = 1.0 - half
    cosine = w + ((((1.0 - w) - half) - (0.5 * z_lo + r * r_lo)) + z * z * _horner(_COS, z))
    quadrant = np.int64(k) & 3
    # Two selects rather than a four-way one: LLVM vectorises these.
    odd_s = cosine if quadrant & 1 else sine
    odd_c = sine if quadrant & 1 else cosine
    s = -odd_s if quadrant & 2 else odd_s
    c = -odd_c if (quadrant + 1) & 2 else odd_c
    s = s if x != 0.0 else x  # sin(-0) = -0 (the reduction's sum of zeros gives +0)
    inside = abs(x) <= SIN_LIMIT
    return (s if inside else np.nan), (c if inside else np.nan)


@inline
def sin(x: float) -> float:
    """sin x within 0.8 ULP for |x| <= SIN_LIMIT; NaN beyond (see the module docstring)."""
    return sin_cos(x)[0]


@inline
def cos(x: float) -> float:
    """cos x within 0.8 ULP for |x| <= SIN_LIMIT; NaN beyond."""
    return sin_cos(x)[1]


@inline
def atan(x: float) -> float:
    """atan x within 0.7 ULP, for every finite x."""
    a = abs(x)
    far = a > TAN_3PI_8
    middle = a > TAN_PI_8
    # t as a quotient n / d of pairs: -1/a, (a - 1)/(a + 1) (a - 1 is exact only from 1/2 on,
    # so it too is a pair), or a itself.
    n, n_lo = two_sum(a, -1.0)
    d, d_lo = two_sum(a, 1.0)
    n, n_lo = (-1.0, 0.0) if far else ((n, n_lo) if middle else (a, 0.0))
    d, d_lo = (a, 0.0) if far else ((d, d_lo) if middle else (1.0, 0.0))
    t, t_lo = quotient(n, n_lo, d, d_lo)
    base, base_lo = (
        (PI_OVER_2, PI_OVER_2_LO) if far else ((PI_OVER_4, PI_OVER_4_LO) if middle else (0.0, 0.0))
    )
    z = t * t
    head, head_lo = fast_two_sum(base, t)
    result = head + (head_lo + (base_lo + t_lo + t * z * _horner(_ATAN, z)))
    return math.copysign(result, x)
