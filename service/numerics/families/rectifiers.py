"""Piecewise-linear rectifiers and their exponential relatives.

Kinks follow PyTorch: the derivative at a kink takes the value of the left-hand piece
(relu'(0) = 0, leaky_relu'(0) = negative_slope, elu'(0) = alpha).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erfcx

from service.numerics.activation import Activation, Array, GaussianMoments, Parameter, fixed_gain

__all__ = ["ENTRIES"]


def relu(x: Array) -> Array:
    """max(x, 0)."""
    return np.maximum(x, 0)


def relu_derivative(x: Array) -> Array:
    return (x > 0).astype(x.dtype)


def leaky_relu(x: Array, negative_slope: float = 0.01) -> Array:
    """x for x > 0, negative_slope * x otherwise."""
    return np.where(x > 0, x, x * negative_slope)


def leaky_relu_derivative(x: Array, negative_slope: float = 0.01) -> Array:
    one, slope = x.dtype.type(1), x.dtype.type(negative_slope)
    return np.where(x > 0, one, slope)


def elu(x: Array, alpha: float = 1.0) -> Array:
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    # expm1 keeps relative accuracy near 0; the minimum keeps the unused branch from overflowing.
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


def elu_derivative(x: Array, alpha: float = 1.0) -> Array:
    return np.where(x > 0, x.dtype.type(1), alpha * np.exp(np.minimum(x, 0)))


def leaky_relu_gain(negative_slope: float = 0.01) -> float:
    """sqrt(2 / (1 + negative_slope^2)), PyTorch's calculate_gain('leaky_relu', negative_slope)."""
    return math.sqrt(2 / (1 + negative_slope**2))


# Gaussian moments E[f(u)^2] and E[f'(u)^2], u ~ N(0, q): half the mass lies on each piece.


def relu_second_moment(q: Array) -> Array:
    """E[relu(u)^2] = q / 2."""
    return q / 2


def relu_slope_moment(q: Array) -> Array:
    """E[relu'(u)^2] = 1 / 2."""
    return np.full_like(q, 0.5)


def leaky_relu_second_moment(q: Array, negative_slope: float = 0.01) -> Array:
    """E[f(u)^2] = (1 + a^2) q / 2."""
    return (1 + negative_slope**2) * q / 2


def leaky_relu_slope_moment(q: Array, negative_slope: float = 0.01) -> Array:
    """E[f'(u)^2] = (1 + a^2) / 2."""
    return np.full_like(q, (1 + negative_slope**2) / 2)


def elu_second_moment(q: Array, alpha: float = 1.0) -> Array:
    """E[f(u)^2] = q/2 + alpha^2 (e^{2q} Phi(-2 sqrt q) - 2 e^{q/2} Phi(-sqrt q) + 1/2)."""
    # e^{a^2/2} Phi(-a) = erfcx(a / sqrt 2) / 2 stays finite where e^{2q} alone overflows.
    negative = erfcx(np.sqrt(2 * q)) / 2 - erfcx(np.sqrt(q / 2)) + 0.5
    return q / 2 + alpha**2 * negative


def elu_slope_moment(q: Array, alpha: float = 1.0) -> Array:
    """E[f'(u)^2] = 1/2 + alpha^2 e^{2q} Phi(-2 sqrt q)."""
    return 0.5 + alpha**2 * erfcx(np.sqrt(2 * q)) / 2


RELU = Activation(
    name="relu",
    forward=relu,
    derivative=relu_derivative,
    formula=r"f(x) = \max(x, 0)",
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ 0 & x \le 0 \end{cases}",
    kink="f'(0) = 0, as in PyTorch.",
    reference="Nair & Hinton, Rectified Linear Units Improve Restricted Boltzmann Machines, ICML 2010.",
    family="rectifiers",
    gain=fixed_gain(math.sqrt(2.0)),
    gaussian_moments=GaussianMoments(value=relu_second_moment, slope=relu_slope_moment),
)

LEAKY_RELU = Activation(
    name="leaky_relu",
    forward=leaky_relu,
    derivative=leaky_relu_derivative,
    formula=r"f(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}",
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
    parameters=(
        Parameter(
            "negative_slope",
            0.01,
            "Slope a for x <= 0 (PyTorch's default; Keras uses 0.2 and TensorFlow 0.3).",
            minimum=-1e6,
            maximum=1e6,
        ),
    ),
    kink="f'(0) = negative_slope, as in PyTorch.",
    reference="Maas, Hannun & Ng, Rectifier Nonlinearities Improve Neural Network Acoustic Models, ICML 2013.",
    family="rectifiers",
    gain=leaky_relu_gain,
    gaussian_moments=GaussianMoments(value=leaky_relu_second_moment, slope=leaky_relu_slope_moment),
)

ELU = Activation(
    name="elu",
    forward=elu,
    derivative=elu_derivative,
    formula=r"f(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
    parameters=(
        Parameter(
            "alpha",
            1.0,
            "Scale of the negative saturation value -alpha.",
            minimum=-1e6,
            maximum=1e6,
        ),
    ),
    kink="f'(0) = alpha, as in PyTorch (continuous at 0 only when alpha = 1).",
    reference="Clevert, Unterthiner & Hochreiter, Fast and Accurate Deep Network Learning by Exponential Linear Units, ICLR 2016.",
    family="rectifiers",
    gaussian_moments=GaussianMoments(value=elu_second_moment, slope=elu_slope_moment),
)

ENTRIES: tuple[Activation, ...] = (RELU, LEAKY_RELU, ELU)
