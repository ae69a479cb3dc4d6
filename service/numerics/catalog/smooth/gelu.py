"""gelu: x Phi(x), the Gaussian error linear unit, or its tanh or sigmoid (QuickGELU) form."""

from __future__ import annotations

import math
from decimal import Decimal

import numba
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
from service.numerics.catalog.limits import at_infinity
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
    return at_infinity(x, slope, **SLOPE_LIMITS)


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


# erfcx(z) = erfc(z) e^(z^2) = R(t), t = 3/(3 + z), 0 <= z <= 15.5/sqrt 2: a polynomial of
# degree 11 (highest first), fitted to relative error (Lawson's iteration over Chebyshev nodes)
# and measured within 7.5e-10 = 0.013 u on 200,001 points of [t(11), 1].
_ERFCX_T3 = (
    -0.007658756107101625,
    0.10732729773498667,
    -0.44671987776672667,
    0.8070079160802568,
    -0.7508170246980752,
    0.6445863051244454,
    -0.1324290593876425,
    0.24122598180056873,
    0.1588669438680022,
    0.19076678184326418,
    0.18783494085191701,
    8.551404304473598e-06,
)


@inline
def _erfcx_t3(t: float) -> float:
    result = 0.0
    for c in numba.literal_unroll(_ERFCX_T3):
        result = result * t + c
    return result


@inline
def gelu_at32(x: float, _: tuple[()]) -> float:
    """x Phi(x) for a float32 x, to be rounded to float32: within 0.5 ULP + 0.3 u once rounded.

    Phi(-y) = erfcx(z) e^(-y^2/2)/2, z = y/sqrt 2, y = |x|. The exponential in float32
    arithmetic, where it is cheap, the rest in float64: y^2 = p + q exactly (fma), and
    vmath32.exp_parts(-p/2) = 2^k (s + c) within 0.25 u of e^(-p/2); e^(-q/2) = 1 - q/2 but
    for (q/2)^2/2 < 4e-4 u (|q| <= u p, p <= 240), applied to s in float64. erfcx from
    _ERFCX_T3 within 0.013 u, t to float64's 2^-52, the products within a few 2^-53: Phi(-y)
    within 0.27 u relative, and x Phi(x) too, as x Phi(-y) for x < 0 and x - x Phi(-y) for
    x >= 0 (Phi(-y) <= 1/2 of it). Past y = 15.5 Phi(-y) is taken as 0 (vmath.NORMAL_TAIL).
    """
    y = abs(np.float32(x))
    p = y * y
    q = np.float64(vmath32.fma(y, y, -p))  # type: ignore[call-arg]
    k, s, c = vmath32.exp_parts(-(p * np.float32(0.5)))
    wide = np.float64(s)
    scale = vmath.double_from_bits((np.int64(k) + 1023) << 52)
    gauss = (wide + (np.float64(c) - 0.5 * q * wide)) * scale
    magnitude = abs(x)
    t = 3.0 / (3.0 + magnitude * vmath.SQRT_HALF)
    lower = 0.5 * _erfcx_t3(t) * gauss
    lower = lower if magnitude <= vmath.NORMAL_TAIL else 0.0
    return x * lower if x < 0 else x - x * lower


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
    return product(x, 0.0, cdf, cdf_lo)[0]


@inline
def gelu_derivative_at64(x: float, _: tuple[()]) -> float:
    y, gauss, gauss_lo, tail, tail_lo = _normal_at64(x)
    pdf, pdf_lo = product(gauss, gauss_lo, vmath64.INV_SQRT_2PI, vmath64.INV_SQRT_2PI_LO)
    slope, slope_lo = product(y, 0.0, pdf, pdf_lo)
    lower, lower_lo = add(tail, tail_lo, -slope, -slope_lo)  # Phi(-y) - y phi(y)
    return lower + lower_lo if x <= 0 else add(1.0, 0.0, -lower, -lower_lo)[0]


@inline
def gelu_both_at64(x: float, _: tuple[()]) -> tuple[float, float]:
    """(x Phi(x), Phi(x) + x phi(x)): gelu and its slope at once (geglu's gate), sharing Phi."""
    y, gauss, gauss_lo, tail, tail_lo = _normal_at64(x)
    cdf, cdf_lo = (tail, tail_lo) if x <= 0 else add(1.0, 0.0, -tail, -tail_lo)
    pdf, pdf_lo = product(gauss, gauss_lo, vmath64.INV_SQRT_2PI, vmath64.INV_SQRT_2PI_LO)
    slope, slope_lo = product(y, 0.0, pdf, pdf_lo)
    lower, lower_lo = add(tail, tail_lo, -slope, -slope_lo)
    value = product(x, 0.0, cdf, cdf_lo)[0]
    return value, lower + lower_lo if x <= 0 else add(1.0, 0.0, -lower, -lower_lo)[0]


@inline
def gelu_second_derivative_at(x: float, _: tuple[()]) -> float:
    y, gauss, gauss_lo, _tail, _tail_lo = _normal_at64(x)
    pdf, pdf_lo = product(gauss, gauss_lo, vmath64.INV_SQRT_2PI, vmath64.INV_SQRT_2PI_LO)
    square, square_lo = two_product(y, y)
    factor, factor_lo = add(2.0, 0.0, -square, -square_lo)
    return product(pdf, pdf_lo, factor, factor_lo)[0]


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
    n, n_lo = (top, top_lo) if v < 0 else (sum_, sum_lo)
    return _over_square(n, n_lo, d, d_lo)


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
            gelu_derivative_at,
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
