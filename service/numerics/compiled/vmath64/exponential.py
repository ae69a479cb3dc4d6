"""exp, expm1 and tanh in float64, each within an ULP over its whole domain; and the parts
they are made of, for kernels that must not round before they are done.

Every one rests on one reduction (as fdlibm's, Sleef's and CORE-MATH's fast paths do):

    x = k ln2 + r,  |r| <= ln2/2 (plus 2^-40),  e^x = 2^k e^r,
    e^r = s + c,    s = fl(1 + r),  c = (1 + r - s) + t(r) + rho (1 + r),

where k = round(x / ln2), r = (x - k LN2_HI) - k LN2_LO with its own rounding error rho
carried (Dekker's Fast2Sum), and t(r) = e^r - 1 - r = r^2 (1/2 + r Q(r)), Q a degree-9 fit
(scripts/fit_polynomials.py --float64, 1.3e-16 relative, which weighs 1e-18 in e^r).

Error of s + c against e^(x - k ln2) (u = 2^-53):
  - x - k LN2_HI is exact (LN2_HI has 32 bits, |k| <= 1154 has 11; fused or not), and
    r + rho = that less fl(k LN2_LO) exactly (Fast2Sum; when |r| < 2^-21 it may not be, but
    then r's whole contribution is below 2^-21 and its error below 2^-74); LN2_LO's and
    k LN2_LO's roundings are below 1154 * 2^-86: 5e-23 in total, 5e-7 u;
  - 1 + r - s is exact (Fast2Sum, |r| < 1);
  - t: r^2 rounds once (u), the Horner sum of 1/2 + r Q(r) (a sum dominated by 1/2, every
    step fused) about once more, the product once: 3u of |t| <= 0.068, i.e. 0.21u of e^r,
    plus the fit's 1e-18;
  - rho r t and the sum into c: below 0.1u of e^r.
So |s + c - e^r| <= 0.32u e^r, with |c| <= 0.08 and s within [0.70, 1.42].

Then exp(x) = fl(s + c) 2^k is within 0.5 + 0.32 ULP of e^x where the result is normal
(rounding s + c once, scaling exactly); among the subnormals, where 2^k rounds again, within
0.5 + 0.82/2 ULP. Past e^709.78 it is infinity, below e^-745.13 it is 0, as the rounding of
the true value is. expm1 and tanh say their own bounds below.
"""

from __future__ import annotations

import math

from service.numerics.compiled.vmath import _horner, inline
from service.numerics.compiled.vmath64.dd import fast_two_sum, pow2, quotient, two_sum

__all__ = [
    "exp",
    "exp_pair",
    "exp_parts",
    "expm1",
    "expm1_pair",
    "scale_pair",
    "tanh",
    "tanh_pair",
]

LOG2E = 1.4426950408889634
LN2_HI = 0.6931471803691238  # ln 2 to 32 bits: k LN2_HI is exact for |k| < 2^21
LN2_LO = 1.9082149292705877e-10
# t(r) = e^r - 1 - r = r^2 (1/2 + r Q(r)); Q highest power first, then the 1/2.
_EXP = (
    2.0911229729827565e-09,
    2.510037583265786e-08,
    2.755728298405573e-07,
    2.755726848030982e-06,
    2.4801587317135164e-05,
    0.00019841269863040545,
    0.0013888888888886554,
    0.008333333333330065,
    0.041666666666666664,
    0.16666666666666669,
    0.5,
)
# e^-745.2 < 2^-1075 rounds to 0; below -800 even e^x times 2^77 does, so that a kernel may
# form e^x = 2^k y and scale y (times a factor up to 2^77) at the very end.
EXP_LOW = -800.0
EXP_HIGH = 710.0  # e^710 > the largest float64: infinity


@inline
def exp_parts(x: float) -> tuple[float, float, float]:
    """(k, s, c) with e^x = 2^k (s + c) within 0.32 u (module docstring); x clamped to
    [-800, 710], where e^x has long underflowed or overflowed (k is then in [-1154, 1024])."""
    x = min(max(x, EXP_LOW), EXP_HIGH)
    k = math.floor(x * LOG2E + 0.5)
    high = x - k * LN2_HI
    low = k * LN2_LO
    r = high - low
    rho = (high - r) - low
    t = r * r * _horner(_EXP, r)
    s = 1.0 + r
    return k, s, ((1.0 - s) + r) + (t + rho * (1.0 + r))


@inline
def scale_pair(hi: float, lo: float, k: float) -> tuple[float, float]:
    """(hi 2^k, lo 2^k), by the same two factors as dd.scale: exact where they are normal."""
    half = math.floor(k * 0.5)
    first, second = pow2(half), pow2(k - half)
    return (hi * first) * second, (lo * first) * second


@inline
def exp(x: float) -> float:
    """e^x, within 0.82 ULP (0.91 among the subnormals)."""
    k, s, c = exp_parts(x)
    return scale_pair(s + c, 0.0, k)[0]


@inline
def exp_pair(x: float) -> tuple[float, float]:
    """e^x as hi + lo, within 0.32 u of it (plus 2^-1074 among the subnormals); hi = exp(x)."""
    k, s, c = exp_parts(x)
    hi, lo = fast_two_sum(s, c)
    return scale_pair(hi, lo, k)


@inline
def expm1_pair(x: float) -> tuple[float, float]:
    """e^x - 1 as hi + lo for x <= 709, within 0.32 u e^x + 2^-1074 of it.

    e^x - 1 = (2^k s - 1) + 2^k c: 2^k s is exact (two factors; among the subnormals it
    rounds, by at most 2^-1075), its difference with 1 is carried whole by TwoSum, and only
    c's error remains, which is 0.32 u e^x at most. Relative to e^x - 1 that is 0.32 u times
    e^x / |e^x - 1|: at most 0.6 u for |x| >= ln2/2 (k != 0); for k = 0, r = x exactly and
    only t's error is left, 3 u |t| <= 3 u |x| |e^x - 1| / 2, so below 0.53 u.
    """
    k, s, c = exp_parts(min(x, 709.0))
    big, small = scale_pair(s, c, k)
    hi, lo = two_sum(big, -1.0)
    # Normalised, hi = fl(hi + lo): |hi| is the larger (for k = 0, hi = r and lo is t's size).
    return fast_two_sum(hi, lo + small)


@inline
def expm1(x: float) -> float:
    """e^x - 1 for x <= 709, within 0.5 + 0.6 = 1.1 ULP (0.5 + 0.53 near 0, where k = 0)."""
    return expm1_pair(x)[0] if x != 0.0 else x  # expm1(-0) = -0


@inline
def tanh_pair(x: float) -> tuple[float, float]:
    """tanh |x| as (q, lo), q = fl(tanh |x|) and q + lo within 0.6 u of tanh |x|.

    tanh |x| = -m / (2 + m), m = expm1(-2|x|) in (-1, 0] (exact doubling): as a quotient of
    pairs, rounded once (dd.divide). An error of e = 1 + m of 0.32 u e moves the quotient
    by 0.32 u e 2/(1 + e)^2 <= 0.16 u absolutely, which is 0.6 u of tanh |x| >= 0.26 once
    k != 0 (|x| >= ln2/4); for k = 0 it is t's 3 u |t| again, below 0.6 u of tanh |x|.
    """
    m, m_lo = expm1_pair(-2.0 * abs(x))
    d, d_lo = fast_two_sum(2.0, m)
    return quotient(-m, -m_lo, d, d_lo + m_lo)


@inline
def tanh(x: float) -> float:
    """tanh x, within 0.5 + 0.6 = 1.1 ULP."""
    q, lo = tanh_pair(x)
    return math.copysign(q + lo, x)
