"""The standard normal distribution in float64: Phi(-y) and exp(-y^2/2) as pairs, for y >= 0.

    phi(y) = exp(-y^2/2) / sqrt(2 pi),    Phi(-y) = integral of phi from y to infinity.

Phi(-y) comes in three forms, each evaluated for every lane and the right one selected:

    y <= 3/4:       1/2 - y (c0 + z P(z)),  z = y^2, c0 = 1/sqrt(2 pi) as hi + lo;
    3/4 < y <= 4:   exp(-y^2/2) R(y),       R(y) = Phi(-y) e^(y^2/2) in h = y - 3/2 (to 9/4,
                                            R(3/2) as hi + lo plus h P(h)) or h = y - 25/8,
                                            both differences exact (Sterbenz);
    4 < y <= 40:    exp(-y^2/2) H(w) w,     H(w) = y R(y) in w = 1/y; past 38.5 it is 0.

The polynomials are fits (scripts/fit_polynomials.py --float64) good to 5e-17 to 8e-17
relative, evaluated by Horner's rule on well-conditioned intervals (the sum of |terms| at
most 2 times the value). exp(-y^2/2) is exp_pair of y^2 carried exactly (two_product), less
its low part to first order: within 0.32u, plus the 2^-1075 of a subnormal.

Errors (u = 2^-53), before the one rounding a caller makes:
  - y <= 3/4: y c0 is a product of pairs, y z P is under 10% of it and carries 3u of its own,
    and 1/2 - y c0 is a pair (Fast2Sum): 0.3u of y A(z) <= 1.2 Phi(-y), below 0.4u of it;
  - 3/4 < y <= 9/4: h P(h) is under 32% of R and carries about 3u: R within 1u, and times
    the exponential's pair, within 1.4u;
  - beyond, R (or H, and w = fl(1/y)) within about 3u: 3.5u in all, where the condition
    number of x Phi(x) is y^2 > 5 (that of Phi(x) + x phi(x) too). Measured, rounded once:
    1.05 ULP up to y = 9/4, 1.5 to 4 and 2.3 beyond.
The test (tests/numerics/compiled/test_vmath64.py) measures each against mpmath.
"""

from __future__ import annotations

from service.numerics.compiled.vmath import _horner, inline
from service.numerics.compiled.vmath64.dd import fast_two_sum, two_product
from service.numerics.compiled.vmath64.exponential import exp_pair

__all__ = ["INV_SQRT_2PI", "INV_SQRT_2PI_LO", "gauss_pair", "lower_tail_pair"]

INV_SQRT_2PI = 0.3989422804014327
INV_SQRT_2PI_LO = -2.49232720227773e-17
NORMAL_CLIP = 40.0  # Phi(-40) and exp(-800) are 0 in float64
# (1/2 - Phi(-y)) / y = c0 + z P(z), z = y^2 <= 9/16; P highest power first.
_CENTRAL = (
    7.214932053495918e-15,
    -2.1084819906901456e-13,
    5.111320089816465e-12,
    -1.1301112049689777e-10,
    2.273529613503631e-09,
    -4.122667409879086e-08,
    6.659693516239062e-07,
    -9.444656259502849e-06,
    0.00011543468761615524,
    -0.0011873282154804543,
    0.009973557010035817,
    -0.06649038006690544,
)
# R(3/2 + h) = R(3/2) + h P(h), |h| <= 3/4.
_NEAR_0 = 0.2057806669773947
_NEAR_0_LO = -3.144494638440171e-18
_NEAR = (
    -4.008885953838478e-11,
    2.0170743307572325e-10,
    -8.95423489871735e-10,
    4.2698192178666006e-09,
    -1.991627237054125e-08,
    8.991061698850806e-08,
    -3.937392714150604e-07,
    1.6694205780830185e-06,
    -6.8352731180213e-06,
    2.694714411732381e-05,
    -0.00010193817269072612,
    0.000368484408110428,
    -0.0012662938211226936,
    0.004110347180605588,
    -0.012496989876517612,
    0.03518687353719185,
    -0.09027127993534065,
)
# R(25/8 + h), |h| <= 7/8.
_MIDDLE = (
    -7.838745253366966e-12,
    4.577877131941975e-11,
    -2.379831149259482e-10,
    1.3276110824493508e-09,
    -7.26907567887327e-09,
    3.870791619950847e-08,
    -2.0090598185660243e-07,
    1.014877606351185e-06,
    -4.979651741395996e-06,
    2.368044193418263e-05,
    -0.00010885894226038958,
    0.0004822668447980353,
    -0.0020513786013817625,
    0.008339625508597457,
    -0.03221546551850947,
    0.11735258076253542,
)
# H(w) = y R(y), w = 1/y in [1/40, 1/4].
_TAIL = (
    288894.2176335368,
    -527254.8011186532,
    234891.63399334525,
    254976.22171892435,
    -433683.5205955816,
    306992.66554903786,
    -131409.2247323713,
    35448.21554334173,
    -5442.383882050897,
    345.98278606914334,
    -74.92641597734678,
    47.99529710319831,
    -0.39119152878567875,
    -5.9645785101371525,
    -0.0007518936496942182,
    1.196848560690806,
    -4.5421382615279193e-07,
    -0.39894227393385384,
    -5.5895673999461065e-11,
    0.3989422804016532,
)
# LLVM unrolls (and so vectorises) a Horner loop of up to about 14 terms: longer ones in two.
_NEAR_HEAD, _NEAR_REST = _NEAR[:9], _NEAR[9:]
_MIDDLE_HEAD, _MIDDLE_REST = _MIDDLE[:8], _MIDDLE[8:]
_TAIL_HEAD, _TAIL_REST = _TAIL[:10], _TAIL[10:]
_CENTRAL_END = 0.75
_NEAR_END = 2.25
_MIDDLE_END = 4.0


@inline
def gauss_pair(y: float) -> tuple[float, float]:
    """exp(-y^2/2) as hi + lo, for 0 <= y <= 40, within 0.32 u (plus 2^-1075)."""
    square, square_lo = two_product(y, y)
    e, e_lo = exp_pair(-0.5 * square)
    # exp(-(s + s_lo)/2) = exp(-s/2) (1 - s_lo/2 + ...), |s_lo| <= 2^-53 s <= 2^-42.
    return e, e_lo - e * (0.5 * square_lo)


@inline
def lower_tail_pair(y: float, gauss: float, gauss_lo: float) -> tuple[float, float]:
    """Phi(-y) as hi + lo for 0 <= y <= 40, given exp(-y^2/2) as a pair (gauss_pair's)."""
    z = y * y
    head, head_lo = two_product(y, INV_SQRT_2PI)
    head_lo = head_lo + y * (INV_SQRT_2PI_LO + z * _horner(_CENTRAL, z))
    half, half_lo = fast_two_sum(0.5, -head)
    central, central_lo = fast_two_sum(half, half_lo - head_lo)

    h = y - 1.5
    slope = h * _horner(_NEAR_REST, h, _horner(_NEAR_HEAD, h))
    near, near_lo = fast_two_sum(_NEAR_0, slope)
    shifted = y - 3.125
    middle = _horner(_MIDDLE_REST, shifted, _horner(_MIDDLE_HEAD, shifted))
    w = 1.0 / y  # its rounding weighs 2^-53 in H(w) w, where x Phi(x) has kappa >= 16
    tail = _horner(_TAIL_REST, w, _horner(_TAIL_HEAD, w)) * w
    scaled = near if y <= _NEAR_END else (middle if y <= _MIDDLE_END else tail)
    scaled_lo = near_lo + _NEAR_0_LO if y <= _NEAR_END else 0.0
    product, product_lo = two_product(gauss, scaled)
    product_lo = product_lo + (gauss * scaled_lo + gauss_lo * scaled)
    inside = y <= _CENTRAL_END
    return (central if inside else product), (central_lo if inside else product_lo)
