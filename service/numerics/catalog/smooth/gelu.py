"""gelu: x Phi(x), the Gaussian error linear unit, or its tanh or sigmoid (QuickGELU) form."""

from __future__ import annotations

import math

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
from service.numerics.catalog.references import HENDRYCKS_GIMPEL
from service.numerics.catalog.self_gated.silu import (
    gate_slope,
    silu,
    silu_at,
    silu_derivative,
    silu_derivative_at,
    silu_second_derivative,
)
from service.numerics.catalog.sigmoidal.sigmoid import sigmoid, sigmoid_derivative
from service.numerics.compiled import Kernel, inline, vmath
from service.numerics.types import Array, Interval

QUICK_GELU_BETA = 1.702
# In extended precision: sigma'(v) magnifies an error in v about |v| times.
SQRT_8_OVER_PI = np.longdouble("1.59576912160573071175978423973752747390343452")
TANH_CUBIC = np.longdouble("0.044715")
_GELU_CLIP = 100.0  # past it f'' underflows to 0 in either form, and x^3 stays finite


def gelu(x: Array, approximate: str = "none") -> Array:
    """x Phi(x), or x sigma(v) with Phi's tanh approximation v = sqrt(8/pi) (x + 0.044715 x^3).

    approximate='sigmoid' is x sigma(1.702 x), the QuickGELU of CLIP.
    """
    if approximate == "sigmoid":
        return silu(x, QUICK_GELU_BETA)
    gate = (tanh_normal_cdf if approximate == "tanh" else normal_cdf)(x)
    gate *= x  # in place: a fresh array of a million points costs more than the product
    return gate


def gelu_derivative(x: Array, approximate: str = "none") -> Array:
    if approximate == "sigmoid":
        return silu_derivative(x, QUICK_GELU_BETA)
    if approximate == "tanh":
        return tanh_normal_cdf_plus_x_pdf(x)
    return normal_cdf_plus_x_pdf(x)


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
        Kernel(gelu_at, gelu_derivative_at, variant={"approximate": "none"}),
        Kernel(tanh_gelu_at, tanh_gelu_derivative_at, variant={"approximate": "tanh"}),
        Kernel(quick_gelu_at, quick_gelu_derivative_at, variant={"approximate": "sigmoid"}),
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
