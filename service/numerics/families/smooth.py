"""Smooth, unbounded-above activations: the softplus and the Gaussian-gated GELU."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erf

from service.numerics.activation import Activation, Array, Equivalent, Parameter, select
from service.numerics.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.families.gated import silu, silu_derivative, silu_second_derivative
from service.numerics.families.sigmoidal import sigmoid, sigmoid_derivative
from service.numerics.interval import Interval
from service.numerics.normal import (
    normal_cdf,
    normal_cdf_plus_x_pdf,
    normal_pdf,
    tanh_normal_cdf,
    tanh_normal_cdf_plus_x_pdf,
)
from service.numerics.references import GLOROT_BORDES_BENGIO, HENDRYCKS_GIMPEL

__all__ = ["ENTRIES"]


def softplus(x: Array, beta: float = 1.0, threshold: float = 20.0) -> Array:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as PyTorch does)."""
    scaled = _scale(x, beta)
    # log(1 + e^u) = max(u, 0) + log1p(e^-|u|), as np.logaddexp computes it but several times
    # faster; u is capped at the threshold, beyond which x itself is taken, to stay finite.
    u = np.minimum(scaled, threshold)
    return select(scaled > threshold, x, (np.maximum(u, 0) + np.log1p(np.exp(-np.abs(u)))) / beta)


def softplus_derivative(x: Array, beta: float = 1.0, threshold: float = 20.0) -> Array:
    scaled = _scale(x, beta)
    return select(scaled > threshold, 1.0, sigmoid(np.minimum(scaled, threshold)))


def softplus_second_derivative(x: Array, beta: float = 1.0, threshold: float = 20.0) -> Array:
    scaled = _scale(x, beta)
    return (scaled <= threshold) * (beta * sigmoid_derivative(np.minimum(scaled, threshold)))


def _scale(x: Array, beta: float) -> Array:
    # beta * x may overflow to +-inf for huge x; both branches then give the right limit.
    with np.errstate(over="ignore"):
        return x * beta


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


QUICK_GELU_BETA = 1.702
# In extended precision: sigma'(v) magnifies an error in v about |v| times.
SQRT_8_OVER_PI = np.longdouble("1.59576912160573071175978423973752747390343452")
TANH_CUBIC = np.longdouble("0.044715")
_GELU_CLIP = 100.0  # past it f'' underflows to 0 in either form, and x^3 stays finite


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


def _softplus_continuity(beta: float, threshold: float) -> float:
    # The switch to x at beta x > threshold leaves a step of log1p(e^-threshold)/beta, which
    # is 0 in float64 only once e^-threshold underflows.
    return -1 if math.log1p(math.exp(-threshold)) / beta > 0 else SMOOTH


# The minima of x Phi(x), of its tanh form and of x sigma(1.702 x), to 17 digits (mpmath at
# 40 digits); the last is -W(1/e) / 1.702, Lambert's W giving silu's.
_GELU_MINIMUM = {
    "none": -0.16997120747990366,
    "tanh": -0.17004075057125406,
    "sigmoid": -0.16361018963635357,
}


SOFTPLUS = Activation(
    name="softplus",
    forward=softplus,
    derivative=softplus_derivative,
    second_derivative=softplus_second_derivative,
    formula=(
        r"f(x) = \begin{cases} \frac{1}{\beta}\log(1 + e^{\beta x}) & \beta x \le t \\"
        r" x & \beta x > t \end{cases}"
    ),
    derivative_formula=r"f'(x) = \begin{cases} \sigma(\beta x) & \beta x \le t \\ 1 & \beta x > t \end{cases}",
    second_derivative_formula=(
        r"f''(x) = \begin{cases} \beta\,\sigma(\beta x)\,\sigma(-\beta x) & \beta x \le t \\"
        r" 0 & \beta x > t \end{cases}"
    ),
    parameters=(
        Parameter(
            "beta",
            1.0,
            "Sharpness beta; the curve tends to relu as beta grows.",
            minimum=1e-4,
            maximum=1e4,
        ),
        Parameter(
            "threshold",
            20.0,
            "Above beta*x > threshold the function is x itself, as in PyTorch. The switch makes a"
            " jump of log1p(exp(-threshold))/beta (2e-9 at the default); raise it to 1e300 for the"
            " exact softplus everywhere.",
            minimum=0.0,
            exclusive_minimum=True,
        ),
    ),
    kink="At beta*x = threshold the linear branch starts just above: f'(x) = sigma(threshold) and"
    " f''(x) = beta sigma'(threshold) there, as in PyTorch.",
    reference="Dugas et al., Incorporating Second-Order Functional Knowledge for Better Option Pricing, NeurIPS 2000.",
    family="smooth",
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.softplus(x, beta=1.0, threshold=20.0)"),
        Equivalent(
            "keras",
            "keras.activations.softplus(x)",
            "no beta and no threshold: the exact log(1 + e^x) everywhere (threshold=1e300 here)",
        ),
        Equivalent(
            "jax",
            "jax.nn.softplus(x)",
            "no beta and no threshold: the exact log(1 + e^x) everywhere (threshold=1e300 here)",
        ),
    ),
    facts=Facts(
        continuity=_softplus_continuity,
        range=Interval(0.0, math.inf, False, False),
        cost="log",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"\operatorname{softplus}'(x) = \sigma(x)\quad(x \le t)",
                softplus_derivative,
                sigmoid,
                domain=(-30.0, 20.0),
            ),
            Identity(
                r"\operatorname{softplus}(x) - \operatorname{softplus}(-x) = x\quad(|x| \le t)",
                lambda x: softplus(x) - softplus(-x),
                lambda x: x,
                domain=(-20.0, 20.0),
            ),
            Identity(
                r"\operatorname{softplus}(x) = -\log\sigma(-x)\quad(x \le t)",
                softplus,
                lambda x: -np.log(sigmoid(-x)),
                domain=(-30.0, 20.0),
            ),
        ),
        references=(
            Reference(
                "Dugas, Bengio, Bélisle, Nadeau & Garcia",
                "Incorporating Second-Order Functional Knowledge for Better Option Pricing",
                "NeurIPS",
                2000,
                "https://papers.nips.cc/paper/1920-incorporating-second-order-functional-knowledge-for-better-option-pricing",
            ),
            GLOROT_BORDES_BENGIO,
        ),
    ),
)

GELU = Activation(
    name="gelu",
    forward=gelu,
    derivative=gelu_derivative,
    second_derivative=gelu_second_derivative,
    formula=(
        r"f(x) = x\,\Phi(x) = \frac{x}{2}\operatorname{erfc}\!\left(-\frac{x}{\sqrt{2}}\right)"
        r"\quad\text{or (tanh)}\quad x\,\sigma\!\left(2\sqrt{2/\pi}\,(x + 0.044715 x^3)\right)"
    ),
    derivative_formula=(
        r"f'(x) = \Phi(x) + x\,\varphi(x)\quad\text{or (tanh)}\quad \sigma(2u) + 2 x u'\,\sigma(2u)\,\sigma(-2u),"
        r"\ u = \sqrt{2/\pi}\,(x + 0.044715 x^3)"
    ),
    second_derivative_formula=(
        r"f''(x) = \varphi(x)\,(2 - x^2)\quad\text{or (tanh)}\quad \sigma'(v)\,"
        r"\left(2v' + x v'' - x v'^2 \tanh(v/2)\right),\ v = 2u"
        r"\quad\text{or (sigmoid)}\quad \text{silu}''(x; \beta = 1.702)"
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
    reference="Hendrycks & Gimpel, Gaussian Error Linear Units (GELUs), arXiv:1606.08415, 2016.",
    family="smooth",
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
        range=lambda approximate: Interval(_GELU_MINIMUM[approximate], math.inf, True, False),
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

ENTRIES: tuple[Activation, ...] = (SOFTPLUS, GELU)
