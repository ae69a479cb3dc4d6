"""Smooth, unbounded-above activations: the softplus and the Gaussian-gated GELU."""

from __future__ import annotations

import numpy as np

from service.numerics.activation import Activation, Array, Parameter
from service.numerics.families.sigmoidal import sigmoid
from service.numerics.normal import (
    normal_cdf,
    normal_cdf_plus_x_pdf,
    tanh_normal_cdf,
    tanh_normal_cdf_plus_x_pdf,
)

__all__ = ["ENTRIES"]


def softplus(x: Array, beta: float = 1.0, threshold: float = 20.0) -> Array:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as PyTorch does)."""
    scaled = _scale(x, beta)
    return np.where(scaled > threshold, x, np.logaddexp(0, scaled) / beta)


def softplus_derivative(x: Array, beta: float = 1.0, threshold: float = 20.0) -> Array:
    scaled = _scale(x, beta)
    return np.where(scaled > threshold, x.dtype.type(1), sigmoid(scaled))


def _scale(x: Array, beta: float) -> Array:
    # beta * x may overflow to +-inf for huge x; both branches then give the right limit.
    with np.errstate(over="ignore"):
        return x * beta


def gelu(x: Array, approximate: str = "none") -> Array:
    """x Phi(x); or x sigma(v), v = sqrt(8/pi) (x + 0.044715 x^3), the tanh approximation."""
    gate = (tanh_normal_cdf if approximate == "tanh" else normal_cdf)(x)
    gate *= x  # in place: a fresh array of a million points costs more than the product
    return gate


def gelu_derivative(x: Array, approximate: str = "none") -> Array:
    if approximate == "tanh":
        return tanh_normal_cdf_plus_x_pdf(x)
    return normal_cdf_plus_x_pdf(x)


SOFTPLUS = Activation(
    name="softplus",
    forward=softplus,
    derivative=softplus_derivative,
    formula=(
        r"f(x) = \begin{cases} \frac{1}{\beta}\log(1 + e^{\beta x}) & \beta x \le t \\"
        r" x & \beta x > t \end{cases}"
    ),
    derivative_formula=r"f'(x) = \begin{cases} \sigma(\beta x) & \beta x \le t \\ 1 & \beta x > t \end{cases}",
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
    kink="At beta*x = threshold the linear branch starts just above: f'(x) = sigma(threshold) there, as in PyTorch.",
    reference="Dugas et al., Incorporating Second-Order Functional Knowledge for Better Option Pricing, NeurIPS 2000.",
    family="smooth",
)

GELU = Activation(
    name="gelu",
    forward=gelu,
    derivative=gelu_derivative,
    formula=(
        r"f(x) = x\,\Phi(x) = \frac{x}{2}\operatorname{erfc}\!\left(-\frac{x}{\sqrt{2}}\right)"
        r"\quad\text{or (tanh)}\quad x\,\sigma\!\left(2\sqrt{2/\pi}\,(x + 0.044715 x^3)\right)"
    ),
    derivative_formula=(
        r"f'(x) = \Phi(x) + x\,\varphi(x)\quad\text{or (tanh)}\quad \sigma(2u) + 2 x u'\,\sigma(2u)\,\sigma(-2u),"
        r"\ u = \sqrt{2/\pi}\,(x + 0.044715 x^3)"
    ),
    parameters=(
        Parameter(
            "approximate",
            "none",
            "'none' for the exact erf form, 'tanh' for the tanh approximation (as in PyTorch).",
            choices=("none", "tanh"),
        ),
    ),
    reference="Hendrycks & Gimpel, Gaussian Error Linear Units (GELUs), arXiv:1606.08415, 2016.",
    family="smooth",
)

ENTRIES: tuple[Activation, ...] = (SOFTPLUS, GELU)
