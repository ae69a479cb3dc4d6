"""gelu: x Phi(x), the Gaussian error linear unit, or its tanh or sigmoid (QuickGELU) form."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
from scipy.special import erf

from service.numerics.analysis.normal import (
    normal_cdf,
    normal_cdf_plus_x_pdf,
    normal_pdf,
    tanh_normal_cdf,
    tanh_normal_cdf_plus_x_pdf,
)
from service.numerics.catalog.entry import Activation, Equivalent, Parameter
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation
from service.numerics.catalog.limits import at_infinity, negative_where_zero
from service.numerics.catalog.references import HENDRYCKS_GIMPEL
from service.numerics.catalog.self_gated.silu import (
    gate_slope,
    silu,
    silu_at,
    silu_at64,
    silu_derivative,
    silu_derivative_at,
    silu_derivative_at64,
    silu_second_derivative,
    silu_second_derivative_at,
)
from service.numerics.catalog.sigmoidal.sigmoid import logistic_pairs, sigmoid, sigmoid_derivative
from service.numerics.compiled import Kernel, inline, vmath, vmath32, vmath64
from service.numerics.compiled.vmath64.dd import (
    add,
    divide,
    product,
    quotient,
    rounded_product,
    scale,
    two_product,
    two_sum,
)
from service.numerics.types import Array, Interval

QUICK_GELU_BETA = 1.702
# In extended precision: sigma'(v) magnifies an error in v about |v| times.
_SQRT_8_OVER_PI_DIGITS = "1.59576912160573071175978423973752747390343452"
SQRT_8_OVER_PI = np.longdouble(_SQRT_8_OVER_PI_DIGITS)
TANH_CUBIC = np.longdouble("0.044715")
_GELU_CLIP = 100.0  # past it f'' underflows to 0 in either form, and x^3 stays finite
# f and f' at -inf and +inf, in every form: each tail below 0 vanishes from below.
VALUE_LIMITS = {"below": -0.0, "above": math.inf}
SLOPE_LIMITS = {"below": -0.0, "above": 1.0}


def gelu(x: Array, approximate: str = "none") -> Array:
    """x Phi(x), or x sigma(v) with Phi's tanh approximation v = sqrt(8/pi) (x + 0.044715 x^3).

    approximate='sigmoid' is x sigma(1.702 x), the QuickGELU of CLIP.
    """
    if approximate == "sigmoid":
        return silu(x, QUICK_GELU_BETA)
    gate = (tanh_normal_cdf if approximate == "tanh" else normal_cdf)(x)
    gate *= x  # in place: a fresh array of a million points costs more than the product
    return at_infinity(x, gate, **VALUE_LIMITS)  # -inf Phi(-inf) is 0 * inf


def gelu_derivative(x: Array, approximate: str = "none") -> Array:
    if approximate == "sigmoid":
        return silu_derivative(x, QUICK_GELU_BETA)
    slope = (tanh_normal_cdf_plus_x_pdf if approximate == "tanh" else normal_cdf_plus_x_pdf)(x)
    return at_infinity(x, negative_where_zero(slope, x < 0), **SLOPE_LIMITS)


def gelu_second_derivative(x: Array, approximate: str = "none") -> Array:
    if approximate == "sigmoid":
        return silu_second_derivative(x, QUICK_GELU_BETA)
    near = np.clip(x, -_GELU_CLIP, _GELU_CLIP)
    if approximate == "none":
        return normal_pdf(near) * (2 - near * near)
    # f = x sigma(v): f'' = sigma'(v) (2 v' + x v'' - x v'^2 tanh(v/2)), in numpy's extended
    # precision (a 64-bit significand and a wider exponent on x86): v is then exact enough,
    # and sigma'(v) in the tails is not a subnormal until the final rounding.
    wide = near.astype(np.longdouble)
    square = wide * wide
    v = SQRT_8_OVER_PI * wide * (1 + TANH_CUBIC * square)
    dv = SQRT_8_OVER_PI * (1 + 3 * TANH_CUBIC * square)
    d2v = SQRT_8_OVER_PI * 6 * TANH_CUBIC * wide
    curvature = sigmoid_derivative(v) * (2 * dv + wide * d2v - wide * dv * dv * np.tanh(v / 2))
    result: Array = curvature.astype(x.dtype)
    return result


# GELU's tanh form is x sigma(v), v = x (LINEAR + CUBIC x^2), so x v' = x (LINEAR + 3 CUBIC x^2).
_LINEAR = float(SQRT_8_OVER_PI)
_CUBIC = float(SQRT_8_OVER_PI * TANH_CUBIC)
_QUICK_GELU = (QUICK_GELU_BETA,)  # silu's parameters


@inline
def gelu_at(x: float, _: tuple[()]) -> float:
    return x * vmath.normal_cdf(x)


# Exact gelu for float32, in float32 arithmetic: Phi(-y) = exp(-y^2/2) t Q(t) / 2 with
# t = 2/(2 + y) and Q(t) = erfcx(y/sqrt 2)/t = 1 + (1 - t) V(t), 0 <= y <= 16. Q stays within
# [0.58, 1] (within [0.72, 1] up to y = 1.5), so V's roundings weigh at most 0.4 of their
# size where the contract is tight. V is fitted in float32 coefficients, and S(t) = Q sigma / 2
# (sigma = d ln(t Q)/d ln t) to 0.053 of Q sigma: scripts/fit_polynomials.py --gelu32.
_f32 = np.float32
_TAIL_RATIO = tuple(
    _f32(c)
    for c in (
        0.08125851303339005,
        -0.4592995047569275,
        1.0659888982772827,
        -1.2196998596191406,
        0.5592528581619263,
        0.0625992938876152,
        0.1192222386598587,
        -0.20410814881324768,
        -0.6009832620620728,
    )
)
_TAIL_SLOPE = (_f32(0.6518057584762573), _f32(0.17241621017456055))
_TWO = _f32(2.0)
_ONE = _f32(1.0)
_HALF = _f32(0.5)
_ZERO = _f32(0.0)
_GAUSS_CLIP = _f32(16.0)  # y^2 stays finite; past 15.5 every result rounds to -0 or x
_TWO_TO_MINUS_64 = _f32(2.0**-64)


@inline
def _lower_tail32(
    xf: np.float32,
) -> tuple[np.float32, np.int32, np.float32, np.float32, np.float32, np.float32]:
    """(min(y, 16), k, s, c, t, m), float32s but k: Phi(-y) = 2^(k-1) (s + c) t (1 + m),
    y = |xf|, each part as gelu_at32's docstring bounds it (t's rounding in m); past y = 16
    the Gaussian is that of 16, 2^-173 or less, and the product far below float32's range."""
    y = abs(xf)
    clipped = min(y, _GAUSS_CLIP)
    p = clipped * clipped
    q = vmath32.fma(clipped, clipped, -p)  # type: ignore[call-arg,var-annotated]
    k, s, c = vmath32.exp_parts(-(p * _HALF), -(q * _HALF))
    d = _TWO + y
    t = _TWO / d
    r = vmath32.fma(-t, y - (d - _TWO), vmath32.fma(-t, d, _TWO))
    correction = r * vmath32.horner(_TAIL_SLOPE, t)
    m = vmath32.fma(_ONE - t, vmath32.horner(_TAIL_RATIO, t), correction)
    return clipped, k, s, c, t, m


@inline
def gelu_at32(x: float, _: tuple[()]) -> float:
    """x Phi(x) for a float32 x, in float32 arithmetic (16 lanes to a 512-bit register where
    float64 has 8): within 2 max(1, kappa) ULP, kappa = |x f'(x)/f(x)|.

    y = |x|, f(x) = x Phi(-y) for x <= 0 and x - x Phi(-y) for x > 0, Phi(-y) = G t Q(t) / 2
    (see _TAIL_RATIO; _lower_tail32 computes the parts); u = 2^-24 below, each operation a
    float32 one.
    - G = e^(-y^2/2): y^2 = p + q exactly (fma), and vmath32.exp_parts(-p/2, -q/2) = 2^k (s +
      c) within 0.25 u (|q/2| <= u p/2 <= 128 u), s = 1 + r rounded and |c| <= 0.07. y is
      clipped at 16 for this alone.
    - t: d = 2 + y rounded; d - 2 is exact (2 is a power of two, a multiple of d's ULP) and so
      is e = y - (d - 2) (Sterbenz), so 2 + y = d + e. t = 2/d rounded, and r = 2 - t (2 + y)
      from two fmas (2 - t d is exact, a quotient's remainder; t e adds u^2): the exact t is
      t (1 + theta), theta = r/(2 - r), r/2 but for u of it, |theta| <= 2 u.
    - t Q at the exact t is t Q(t) (1 + sigma theta) to first order (theta^2 < 1e-7 u), the
      correction r S(t) = Q sigma theta within 0.11 u. Q = 1 + (1 - t) V(t) fitted within
      0.10 u weighted by 1/max(1, kappa) (0.10 u where kappa <= 1).
    - assembled as x t (1 + m)(s + c), m = v + r S, v = (1 - t) V: x t = h + l exactly (fma),
      the rest in one fma chain h s + (h (s m + c (1 + m)) + l s) rounded once (l c below
      0.07 u of it, dropped), then scaled by 2^(k+63) (exact) and 2^-64 (exact, or the one
      rounding of a subnormal result).
    For x < 0 that is the result, rounded once; for x >= 0, x less it, rounded again: Phi(-y)
    <= 1/2 halves that rounding's weight and damps the rest by Phi(-y)/Phi(y).
    The float32 roundings of V's Horner steps, of m and of the chain weigh |v|/Q <= 0.39
    up to y = 1.5 (0.72 beyond) each, which a bound from the parts counts about 3 u in all,
    over the budget; measured instead against the float64 kernel (gelu_at64, within
    4 max(1, kappa) float64 ULP: 2^-27 of a float32 ULP per max(1, kappa)) at every float32 x
    of magnitude below 16.5: within 0.95 ULP for x >= 0, at most 0.60 of 2 max(1, kappa) ULP
    anywhere (at x = -1.315, kappa = 1.37), 1.09 ULP where kappa <= 1.
    From 16 on it is -0 below and x above, as the numpy path gives (x Phi(x) < 2^-150 from
    x = -15.5 down).
    """
    xf = np.float32(x)
    _clipped, k, s, c, t, m = _lower_tail32(xf)
    inner = vmath32.fma(s, m, vmath32.fma(c, m, c))  # type: ignore[call-arg,var-annotated]
    high = xf * t
    low = vmath32.fma(xf, t, -high)
    product = vmath32.fma(high, s, vmath32.fma(high, inner, low * s))
    lower = product * vmath32.pow2(k + np.int32(63)) * _TWO_TO_MINUS_64
    return lower if xf < _ZERO else xf - lower  # -0 - (+0) is -0, as the numpy path has it


# From here down Phi(x) and x phi(x) both underflow in float64: f' is a negative number too
# small for a float, -0, as the numpy path answers.
_SLOPE_UNDERFLOW = _f32(-38.60396957397461)
_INV_SQRT_2PI_HI = _f32(vmath.INV_SQRT_2PI)
_INV_SQRT_2PI_LO = _f32(vmath.INV_SQRT_2PI - float(_INV_SQRT_2PI_HI))


@inline
def gelu_derivative_at32(x: float, _: tuple[()]) -> float:
    """Phi(x) + x phi(x) for a float32 x, in float32 arithmetic: within 2 max(1, kappa) ULP,
    kappa = |x f''(x)/f'(x)|, which is unbounded at f's minimum, x0 = -0.7518.

    From _lower_tail32's parts (gelu_at32's docstring bounds them), for y = |x|:
    Phi(-y) - y phi(y) = G D, G = 2^k (s + c) = e^(-y^2/2), D = t (1 + m)/2 - y/sqrt(2 pi).
    The constant is a float32 pair H + L; h = t/2 is exact, y H = b + b' exactly (fma) and
    h - b = d + e exactly (TwoSum), so D = d + w with w = h m + e - b' - y L from one fma,
    rounded within u |w|; D vanishes at x0, where w (about h m = -0.063) cancels d: there the
    error is absolute, u |w| and m's relative error (as in gelu_at32) times |h m|, about 0.3 u
    in all, against a budget of 2 max(1, kappa) ULP >= 2 |x f''(x)| u = 0.65 u near x0.
    x < 0: f' = G D = 2^k (s d + (s w + c (d + w))), one fma rounding, scaled exactly (or the
    one rounding of a subnormal result). x >= 0: f' = 1 - G D, with 1 - 2^k s d from one fma
    and 2^k (s w + c (d + w)) less, rounded twice, f' in [1/2, 1.13].
    Measured against the float64 kernel (gelu_derivative_at64) at every float32 x of magnitude
    below 16.5: within 1.13 ULP for x >= 0 and 1.41 ULP where kappa <= 1, at most 0.70 of
    2 max(1, kappa) ULP (at x = -1.278). From 16 on it is -0 below (the true slope is negative
    there) and 1 above, as the numpy path gives.
    """
    xf = np.float32(x)
    y, k, s, c, t, m = _lower_tail32(xf)  # y clipped at 16: D stays near -y/sqrt(2 pi) there
    h = t * _HALF
    b = y * _INV_SQRT_2PI_HI
    b_lo = vmath32.fma(y, _INV_SQRT_2PI_HI, -b)  # type: ignore[call-arg,var-annotated]
    d = h - b
    back = d - h
    e = (h - (d - back)) + (-b - back)
    w = vmath32.fma(h, m, e - b_lo - y * _INV_SQRT_2PI_LO)
    rest = vmath32.fma(s, w, c * (d + w))
    lifted = vmath32.pow2(k + np.int32(64))  # 2^k in two steps: it may be below 2^-149
    below = vmath32.fma(s, d, rest) * lifted * _TWO_TO_MINUS_64
    scale = lifted * _TWO_TO_MINUS_64  # 0 below 2^-149, where 1 - G D rounds to 1 anyway
    slope = below if xf < _ZERO else vmath32.fma(-(s * scale), d, _ONE) - rest * scale
    return slope if xf > _SLOPE_UNDERFLOW else -_ZERO


@inline
def gelu_derivative_at(x: float, _: tuple[()]) -> float:
    cdf, pdf = vmath.normal_cdf_pdf(x)
    return cdf + x * pdf


@inline
def tanh_gelu_at(x: float, _: tuple[()]) -> float:
    square = x * x  # exact: x has float32's 24 bits
    return x / (1.0 + vmath.exp(-x * (_LINEAR + _CUBIC * square)))  # x sigma(v), as silu has it


@inline
def tanh_gelu_derivative_at(x: float, _: tuple[()]) -> float:
    square = x * x
    v = x * (_LINEAR + _CUBIC * square)
    return gate_slope(v, x * (_LINEAR + 3.0 * _CUBIC * square))


@inline
def quick_gelu_at(x: float, _: tuple[()]) -> float:
    return silu_at(x, _QUICK_GELU)


@inline
def quick_gelu_derivative_at(x: float, _: tuple[()]) -> float:
    return silu_derivative_at(x, _QUICK_GELU)


# For float64: x Phi(x) from vmath64's Phi(-|x|) and exp(-x^2/2) as pairs, each output rounded
# once. Phi(-y) is within 1 ULP up to y = 2.25 and 2.1 ULP beyond, where the condition number
# of each output is y^2 or more; Phi(x) + x phi(x) = Phi(-y) - y phi(y) for x = -y <= 0 and
# 1 less that for x > 0, its cancellation near x = -0.75 (its root) carried in pairs.
_NORMAL_CLIP = 40.0  # Phi(-40) and exp(-800) are 0 in float64


@inline
def _normal_at64(x: float) -> tuple[float, float, float, float, float]:
    """(y, exp(-y^2/2) as a pair, Phi(-y) as a pair), y = min(|x|, 40)."""
    y = min(abs(x), _NORMAL_CLIP)
    gauss, gauss_lo = vmath64.gauss_pair(y)
    tail, tail_lo = vmath64.lower_tail_pair(y, gauss, gauss_lo)
    return y, gauss, gauss_lo, tail, tail_lo


@inline
def gelu_at64(x: float, _: tuple[()]) -> float:
    _y, _gauss, _gauss_lo, tail, tail_lo = _normal_at64(x)
    cdf, cdf_lo = (tail, tail_lo) if x <= 0 else add(1.0, 0.0, -tail, -tail_lo)
    return rounded_product(x, 0.0, cdf, cdf_lo)


@inline
def _negative(slope: float) -> float:
    """f' for x <= 0, where a 0 is a negative slope too small for a float: -0."""
    return slope if slope != 0.0 else -0.0


@inline
def gelu_derivative_at64(x: float, _: tuple[()]) -> float:
    y, gauss, gauss_lo, tail, tail_lo = _normal_at64(x)
    pdf, pdf_lo = product(gauss, gauss_lo, vmath64.INV_SQRT_2PI, vmath64.INV_SQRT_2PI_LO)
    slope, slope_lo = product(y, 0.0, pdf, pdf_lo)
    lower, lower_lo = add(tail, tail_lo, -slope, -slope_lo)  # Phi(-y) - y phi(y)
    if x > 0:
        return add(1.0, 0.0, -lower, -lower_lo)[0]
    return _negative(lower + lower_lo)


@inline
def gelu_both_at64(x: float, _: tuple[()]) -> tuple[float, float]:
    """(x Phi(x), Phi(x) + x phi(x)): gelu and its slope at once (geglu's gate), sharing Phi."""
    y, gauss, gauss_lo, tail, tail_lo = _normal_at64(x)
    cdf, cdf_lo = (tail, tail_lo) if x <= 0 else add(1.0, 0.0, -tail, -tail_lo)
    pdf, pdf_lo = product(gauss, gauss_lo, vmath64.INV_SQRT_2PI, vmath64.INV_SQRT_2PI_LO)
    slope, slope_lo = product(y, 0.0, pdf, pdf_lo)
    lower, lower_lo = add(tail, tail_lo, -slope, -slope_lo)
    value = rounded_product(x, 0.0, cdf, cdf_lo)
    if x > 0:
        return value, add(1.0, 0.0, -lower, -lower_lo)[0]
    return value, _negative(lower + lower_lo)


@inline
def gelu_second_derivative_at(x: float, _: tuple[()]) -> float:
    y, gauss, gauss_lo, _tail, _tail_lo = _normal_at64(x)
    pdf, pdf_lo = product(gauss, gauss_lo, vmath64.INV_SQRT_2PI, vmath64.INV_SQRT_2PI_LO)
    square, square_lo = two_product(y, y)
    factor, factor_lo = add(2.0, 0.0, -square, -square_lo)
    return rounded_product(pdf, pdf_lo, factor, factor_lo)


# The tanh form for float64, as the numpy path computes it (analysis.normal): v and x v' as
# pairs (sigma(v) magnifies an error in v |v| times), sigma(v) with its correction, and the
# slope's cancellation near x = -0.75 formed exactly.
_LINEAR_LO = float(Decimal(_SQRT_8_OVER_PI_DIGITS) - Decimal(_LINEAR))
_TANH_CLIP = 100.0  # past it sigma(v) is 0 or 1 to the last bit, and x^3 stays finite


@inline
def _tanh_gate(x: float, weight: float) -> tuple[float, float]:
    """sqrt(8/pi) (x + weight 0.044715 x^3) as a pair: v for weight 1, x v' for weight 3."""
    linear, linear_lo = two_product(x, _LINEAR)
    hi, lo = two_sum(linear, weight * (_CUBIC * x * (x * x)))
    return hi, lo + (linear_lo + x * _LINEAR_LO)


@inline
def _logistic(v: float, v_lo: float) -> tuple[float, float, float, float]:
    """e = exp(-|v + v_lo|) and d = 1 + e, each as hi, lo."""
    e = vmath64.exp(-abs(v))
    e_lo = -e * (v_lo if v >= 0 else -v_lo)  # exp(-|v + v_lo|) = e (1 - sign(v) v_lo + ...)
    d = 1.0 + e
    return e, e_lo, d, ((1.0 - d) + e) + e_lo


@inline
def tanh_gelu_at64(x: float, _: tuple[()]) -> float:
    near = min(max(x, -_TANH_CLIP), _TANH_CLIP)
    v, v_lo = _tanh_gate(near, 1.0)
    e, e_lo, d, d_lo = _logistic(v, v_lo)
    top, top_lo = (e, e_lo) if v < 0 else (1.0, 0.0)
    gate = divide(top, top_lo, d, d_lo)
    return x * gate


@inline
def _over_square(n: float, n_lo: float, d: float, d_lo: float) -> float:
    """(n + n_lo) / (d + d_lo)^2, rounded about once."""
    square, square_lo = product(d, d_lo, d, d_lo)
    return divide(n, n_lo, square, square_lo)


@inline
def tanh_gelu_derivative_at64(x: float, _: tuple[()]) -> float:
    near = min(max(x, -_TANH_CLIP), _TANH_CLIP)
    v, v_lo = _tanh_gate(near, 1.0)
    q, q_lo = _tanh_gate(near, 3.0)
    e, e_lo, d, d_lo = _logistic(v, v_lo)
    # v < 0: e (d + q) / d^2, d + q formed exactly (it vanishes near x = -0.75);
    # v >= 0: (d + q e) / d^2, nothing cancels.
    total, total_lo = two_sum(d, q)
    top, top_lo = two_product(e, total)
    top_lo = top_lo + e * (total_lo + d_lo + q_lo) + e_lo * total
    rest, rest_lo = two_product(q, e)
    sum_, sum_lo = two_sum(d, rest)
    sum_lo = sum_lo + rest_lo + d_lo + q * e_lo + q_lo * e
    if v < 0:
        return _negative(_over_square(top, top_lo, d, d_lo))
    return _over_square(sum_, sum_lo, d, d_lo)


@inline
def tanh_gelu_second_derivative_at(x: float, _: tuple[()]) -> float:
    # f = x sigma(v): f'' = sigma'(v) (2v' + x v'' - x v'^2 tanh(v/2)), sigma'(v) = e/d^2 and
    # tanh(|v|/2) = -m/d from logistic_pairs (to first order in v's low part), the bracket as
    # pairs: its roots cancel only their roundings.
    near = min(max(x, -_TANH_CLIP), _TANH_CLIP)
    v, v_lo = _tanh_gate(near, 1.0)
    k, y, y_lo, m, m_lo, d, d_lo = logistic_pairs(v)
    # e(v + v_lo) = e(v) (1 - sign(v) v_lo) to first order.
    toward = -(v_lo if v >= 0 else -v_lo)
    y_lo = y_lo + y * toward
    shift = vmath64.scale_pair(y, 0.0, k)[0] * toward
    m_lo, d_lo = m_lo + shift, d_lo + shift
    square, square_lo = two_product(near, near)
    # v' = L (1 + 3c x^2), 2v' + x v'' = L (2 + 12 c x^2), c x^2 L = _CUBIC x^2.
    slope, slope_lo = add(_LINEAR, _LINEAR_LO, 3.0 * _CUBIC * square, 3.0 * _CUBIC * square_lo)
    linear, linear_lo = add(
        2.0 * _LINEAR, 2.0 * _LINEAR_LO, 12.0 * _CUBIC * square, 12.0 * _CUBIC * square_lo
    )
    half_tanh, half_tanh_lo = quotient(-m, -m_lo, d, d_lo)  # tanh(|v|/2)
    if v < 0:
        half_tanh, half_tanh_lo = -half_tanh, -half_tanh_lo
    tilted, tilted_lo = product(near, 0.0, half_tanh, half_tanh_lo)
    bent, bent_lo = product(slope, slope_lo, slope, slope_lo)
    bent, bent_lo = product(bent, bent_lo, tilted, tilted_lo)
    bracket, bracket_lo = add(linear, linear_lo, -bent, -bent_lo)
    top, top_lo = product(y, y_lo, bracket, bracket_lo)
    return scale(_over_square(top, top_lo, d, d_lo), k)


@inline
def quick_gelu_at64(x: float, _: tuple[()]) -> float:
    return silu_at64(x, _QUICK_GELU)


@inline
def quick_gelu_derivative_at64(x: float, _: tuple[()]) -> float:
    return silu_derivative_at64(x, _QUICK_GELU)


@inline
def quick_gelu_second_derivative_at(x: float, _: tuple[()]) -> float:
    return silu_second_derivative_at(x, _QUICK_GELU)


# The minima of x Phi(x), of its tanh form and of x sigma(1.702 x), to 17 digits (mpmath at
# 40 digits); the last is -W(1/e) / 1.702, Lambert's W giving silu's.
_MINIMUM = {
    "none": -0.16997120747990366,
    "tanh": -0.17004075057125406,
    "sigmoid": -0.16361018963635357,
}


ACTIVATION = Activation(
    name="gelu",
    formula=(
        r"f(x) = x\,\Phi(x) = \frac{x}{2}\operatorname{erfc}\!\left(-\frac{x}{\sqrt{2}}\right)"
        r"\quad\text{or (tanh)}\quad x\,\sigma\!\left(2\sqrt{2/\pi}\,(x + 0.044715 x^3)\right)"
    ),
    forward=gelu,
    derivative_formula=(
        r"f'(x) = \Phi(x) + x\,\varphi(x)\quad\text{or (tanh)}\quad \sigma(2u) + 2 x u'\,\sigma(2u)\,\sigma(-2u),"
        r"\ u = \sqrt{2/\pi}\,(x + 0.044715 x^3)"
    ),
    derivative=gelu_derivative,
    second_derivative_formula=(
        r"f''(x) = \varphi(x)\,(2 - x^2)\quad\text{or (tanh)}\quad \sigma'(v)\,"
        r"\left(2v' + x v'' - x v'^2 \tanh(v/2)\right),\ v = 2u"
        r"\quad\text{or (sigmoid)}\quad \text{silu}''(x; \beta = 1.702)"
    ),
    second_derivative=gelu_second_derivative,
    kernels=(
        Kernel(
            gelu_at32,
            gelu_derivative_at32,
            variant={"approximate": "none"},
            value64=gelu_at64,
            derivative64=gelu_derivative_at64,
            second_derivative64=gelu_second_derivative_at,
        ),
        Kernel(
            tanh_gelu_at,
            tanh_gelu_derivative_at,
            variant={"approximate": "tanh"},
            value64=tanh_gelu_at64,
            derivative64=tanh_gelu_derivative_at64,
            second_derivative64=tanh_gelu_second_derivative_at,
        ),
        Kernel(
            quick_gelu_at,
            quick_gelu_derivative_at,
            variant={"approximate": "sigmoid"},
            value64=quick_gelu_at64,
            derivative64=quick_gelu_derivative_at64,
            second_derivative64=quick_gelu_second_derivative_at,
        ),
    ),
    parameters=(
        Parameter(
            "approximate",
            "none",
            "'none' for the exact erf form, 'tanh' for the tanh approximation (as in PyTorch),"
            " 'sigmoid' for x sigma(1.702 x) (QuickGELU, as in CLIP).",
            choices=("none", "tanh", "sigmoid"),
        ),
    ),
    variants=({"approximate": "tanh"}, {"approximate": "sigmoid"}),
    follows="PyTorch (exact erf form by default)",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.gelu(x, approximate='none')"),
        Equivalent(
            "keras",
            "keras.activations.gelu(x, approximate=False)",
            "Keras defaults to approximate=True (the tanh form)",
        ),
        Equivalent(
            "jax",
            "jax.nn.gelu(x, approximate=False)",
            "JAX defaults to approximate=True (the tanh form)",
        ),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=lambda approximate: Interval(_MINIMUM[approximate], math.inf, True, False),
        cost=lambda approximate: "erf" if approximate == "none" else "exp",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"x\,\Phi(x) = \frac{x}{2}\left(1 + \operatorname{erf}\frac{x}{\sqrt 2}\right)",
                gelu,
                lambda x: x / 2 * (1 + erf(x / math.sqrt(2))),
            ),
            Identity(r"f(x) - f(-x) = x", lambda x: gelu(x) - gelu(-x), lambda x: x),
            Identity(
                r"f(x; \text{sigmoid}) = \operatorname{silu}(x;\ \beta = 1.702)",
                lambda x: gelu(x, "sigmoid"),
                lambda x: x * sigmoid(1.702 * x),
            ),
        ),
        references=(HENDRYCKS_GIMPEL,),
    ),
)
