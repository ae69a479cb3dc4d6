"""log1p in float64, within 0.6 ULP for every x > -1, and its unrounded pair.

    1 + x = 2^k m exactly as hi + lo (TwoSum), m in [sqrt(1/2), sqrt 2),
    f = m - 1 = (hi 2^-k - 1) + lo 2^-k   (the first difference exact, Sterbenz),
    log(1 + x) = k ln2 + log(1 + f),  log(1 + f) = 2 atanh s = 2s + s z Q(z),
    s = f / (2 + f) <= 0.172, z = s^2,

Q a degree-7 fit (scripts/fit_polynomials.py --float64, 6e-17 relative; s z Q is under 1% of
2s, so it weighs 6e-19). s is a quotient of pairs (dd.quotient): s + s_lo within 2^-103
relative of f / (2 + f). The sum k LN2_HI + 2s is exact as a pair (k LN2_HI has 32 bits and
2s is smaller than ln2 when k != 0, Fast2Sum); what is added to it, k LN2_LO + 2 s_lo +
s z Q(z), carries 3u of s z Q (below 0.03u of the result) and the rounding of k LN2_LO
(under 2^-53 of 1100 * 1.9e-10). One rounding at the end: 0.5 ULP + 0.05u relative.
"""

from __future__ import annotations

from service.numerics.compiled.vmath import _horner, inline
from service.numerics.compiled.vmath64.dd import (
    fast_two_sum,
    pow2,
    quotient,
    split_exponent,
    two_sum,
)
from service.numerics.compiled.vmath64.exponential import LN2_HI, LN2_LO

__all__ = ["log1p", "log1p_pair"]

# log(1 + f) = 2s + s z Q(z), highest power first.
_LOG = (
    0.13086626149248715,
    0.1326877313852219,
    0.15386239702819687,
    0.18181795640132814,
    0.2222222239171392,
    0.28571428570803614,
    0.4000000000000088,
    0.6666666666666666,
)


@inline
def log1p_pair(x: float) -> tuple[float, float]:
    """log(1 + x) as hi + lo for x > -1 (finite), hi = fl(log(1 + x)), within 0.05 u of it."""
    u, u_lo = two_sum(1.0, x)
    m, k = split_exponent(u)
    # 2^-k for the low part: past 2^1022 it would be subnormal, but lo <= 1 is then far below
    # what the rounding keeps.
    f, f_lo = fast_two_sum(m - 1.0, u_lo * pow2(-min(k, 1022.0)))
    d, d_lo = fast_two_sum(2.0, f)
    s, s_lo = quotient(f, f_lo, d, d_lo + f_lo)
    z = s * s
    head, head_lo = fast_two_sum(k * LN2_HI, 2.0 * s)
    tail = head_lo + (k * LN2_LO + (2.0 * s_lo + s * z * _horner(_LOG, z)))
    hi, lo = fast_two_sum(head, tail)
    # Below 2^-54, log(1 + x) = x - x^2/2 to 2^-108 relative; the steps above would halve a
    # subnormal x.
    tiny = abs(x) < 2.0**-54
    return (x if tiny else hi), (-0.5 * x * x if tiny else lo)


@inline
def log1p(x: float) -> float:
    """log(1 + x) for x > -1, within 0.55 ULP."""
    return log1p_pair(x)[0]
