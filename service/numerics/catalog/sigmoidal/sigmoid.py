"""sigmoid: the logistic function 1/(1 + e^-x), from 0 to 1."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.piecewise import select
from service.numerics.catalog.references import GLOROT_BENGIO
from service.numerics.compiled import Kernel, inline, vmath, vmath64
from service.numerics.compiled.vmath64.dd import divide, fast_two_sum, product, scale, two_sum
from service.numerics.types import Array, Interval


def sigmoid(x: Array) -> Array:
    """1 / (1 + exp(-x)) = exp(x) / (1 + exp(x)); with e = exp(-|x|) neither form overflows."""
    # Not scipy's expit: it returns 0 below x = -709, where the true value is still a subnormal.
    e = np.exp(-np.abs(x))
    result: Array = select(x >= 0, 1.0, e) / (1 + e)
    return result


def sigmoid_derivative(x: Array) -> Array:
    # sigma(x) sigma(-x) = e / (1 + e)^2; sigma (1 - sigma) would be 0 once sigma rounds to 1.
    e = np.exp(-np.abs(x))
    result: Array = e / np.square(1 + e)
    return result


def sigmoid_second_derivative(x: Array) -> Array:
    # sigma'' = sigma' (sigma(-x) - sigma(x)) = -sigma' tanh(x/2): no difference of nearly equal terms.
    return -sigmoid_derivative(x) * np.tanh(x / 2)


@inline
def sigmoid_at(x: float, _: tuple[()]) -> float:
    """1 / (1 + E), E = e^-x, in float64 for a float32 result.

    E by vmath.exp_for_float32, within 2.6e-9 relative; 1/(1 + E) is off by E/(1 + E) <= 1
    times that and by two float64 roundings: within 0.55 ULP of the exact value once rounded
    to float32, subnormals included (E saturates at e^700, and 1/(1 + E) at 1e-304, far below
    them). At +inf and -inf, 1 and that 1e-304, which rounds to 0.
    """
    return 1.0 / (1.0 + vmath.exp_for_float32(-x))


@inline
def sigmoid_derivative_at(x: float, _: tuple[()]) -> float:
    """e / (1 + e)^2, e = e^-|x|, in float64 for a float32 result: e by
    vmath.exp_for_float32, whose error reaches the result (1 - e)/(1 + e) <= 1 times, and
    three float64 roundings: within 0.55 ULP once rounded; 0 at +-inf."""
    e = vmath.exp_for_float32(-abs(x))
    d = 1.0 + e
    return e / (d * d)


@inline
def sigmoid_and_slope_at(x: float, _: tuple[()]) -> tuple[float, float]:
    """(sigma(x), sigma'(x)) from one e = e^-|x| and r = 1/(1 + e): e r or r, and e r^2,
    each within 0.55 ULP once rounded to float32 (sigmoid_at's argument), for a loop that
    needs both (glu's gradient)."""
    e = vmath.exp_for_float32(-abs(x))
    r = 1.0 / (1.0 + e)
    return (r if x >= 0 else e * r), e * r * r


# For float64, on vmath64 (e = e^-|x| within 0.82 ULP): sigma = (1 or e)/(1 + e) within
# 0.82 + 0.5 + 0.5 ULP, sigma' = e/(1 + e)^2 within 0.82 + 2 ULP.
@inline
def sigmoid_at64(x: float, _: tuple[()]) -> float:
    e = vmath64.exp(-abs(x))
    return (1.0 if x >= 0 else e) / (1.0 + e)


@inline
def sigmoid_derivative_at64(x: float, _: tuple[()]) -> float:
    e = vmath64.exp(-abs(x))
    d = 1.0 + e
    return e / (d * d)


@inline
def logistic_pairs(v: float) -> tuple[float, float, float, float, float, float, float]:
    """(k, y, m, d): e = e^-|v| = 2^k y, m = e - 1 and d = 1 + e, y, m and d as pairs.

    From one reduction (vmath64.exp_parts, within 0.32 u): m and d are e's exact sums with
    -1 and 1 plus its low part, as expm1_pair forms them, so that tanh(|v|/2) = -m/d keeps
    its relative accuracy near 0; and e stays a normal y times 2^k, so that a result it
    multiplies can be formed in full and scaled once, into the subnormals if it lies there.
    """
    k, s, c = vmath64.exp_parts(-abs(v))
    y, y_lo = fast_two_sum(s, c)
    e, e_lo = vmath64.scale_pair(y, y_lo, k)
    m, m_lo = two_sum(e, -1.0)
    m, m_lo = fast_two_sum(m, m_lo + e_lo)
    d, d_lo = fast_two_sum(1.0, e)
    return k, y, y_lo, m, m_lo, d, d_lo + e_lo


@inline
def sigmoid_second_derivative_at(x: float, _: tuple[()]) -> float:
    # sigma'' = -sigma' tanh(x/2) = -sign(x) e |m| / d^3 with logistic_pairs' e = 2^k y, m, d:
    # products of pairs, rounded once, then scaled, and signed opposite to x (-0 at +0).
    k, y, y_lo, m, m_lo, d, d_lo = logistic_pairs(x)
    top, top_lo = product(y, y_lo, m, m_lo)
    square, square_lo = product(d, d_lo, d, d_lo)
    cube, cube_lo = product(square, square_lo, d, d_lo)
    result = scale(divide(top, top_lo, cube, cube_lo), k)
    return math.copysign(result, -x)


ACTIVATION = Activation(
    name="sigmoid",
    aliases=("logistic",),
    formula=r"f(x) = \sigma(x) = \frac{1}{1 + e^{-x}}",
    forward=sigmoid,
    derivative_formula=r"f'(x) = \sigma(x)\,\sigma(-x)",
    derivative=sigmoid_derivative,
    second_derivative_formula=r"f''(x) = -\sigma(x)\,\sigma(-x) \tanh(x/2)",
    second_derivative=sigmoid_second_derivative,
    kernels=(
        Kernel(
            sigmoid_at,
            sigmoid_derivative_at,
            value64=sigmoid_at64,
            derivative64=sigmoid_derivative_at64,
            second_derivative64=sigmoid_second_derivative_at,
        ),
    ),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.sigmoid(x)"),
        Equivalent("keras", "keras.activations.sigmoid(x)"),
        Equivalent("jax", "jax.nn.sigmoid(x)"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=Interval(0.0, 1.0, False, False),
        cost="exp",
        initialisation=Initialisation(
            "xavier_normal", 1.0, "torch.nn.init.calculate_gain('sigmoid')"
        ),
        identities=(
            Identity(
                r"\sigma(-x) = 1 - \sigma(x)", lambda x: sigmoid(-x), lambda x: 1 - sigmoid(x)
            ),
            Identity(
                r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x))",
                sigmoid_derivative,
                lambda x: sigmoid(x) * (1 - sigmoid(x)),
            ),
            Identity(
                r"\sigma(x) = \frac{1 + \tanh(x/2)}{2}", sigmoid, lambda x: (1 + np.tanh(x / 2)) / 2
            ),
        ),
        references=(
            Reference(
                "Rumelhart, Hinton & Williams",
                "Learning representations by back-propagating errors",
                "Nature 323",
                1986,
                "https://doi.org/10.1038/323533a0",
            ),
            GLOROT_BENGIO,
        ),
    ),
)
