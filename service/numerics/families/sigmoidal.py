"""Bounded, S-shaped activations."""

from __future__ import annotations

import numpy as np

from service.numerics.activation import Activation, Array, fixed_gain

__all__ = ["ENTRIES"]


def sigmoid(x: Array) -> Array:
    """1 / (1 + exp(-x)) = exp(x) / (1 + exp(x)); with e = exp(-|x|) neither form overflows."""
    # Not scipy's expit: it returns 0 below x = -709, where the true value is still a subnormal.
    e = np.exp(-np.abs(x))
    result: Array = np.where(x >= 0, 1, e) / (1 + e)
    return result


def sigmoid_derivative(x: Array) -> Array:
    # sigma(x) sigma(-x) = e / (1 + e)^2; sigma (1 - sigma) would be 0 once sigma rounds to 1.
    e = np.exp(-np.abs(x))
    result: Array = e / np.square(1 + e)
    return result


def tanh(x: Array) -> Array:
    """(exp(x) - exp(-x)) / (exp(x) + exp(-x))."""
    return np.tanh(x)


def tanh_derivative(x: Array) -> Array:
    # sech^2 x = 4 sigma'(2x); 1 - tanh^2 would round to 0 for |x| > 19.
    return 4 * sigmoid_derivative(2 * x)


SIGMOID = Activation(
    name="sigmoid",
    forward=sigmoid,
    derivative=sigmoid_derivative,
    formula=r"f(x) = \sigma(x) = \frac{1}{1 + e^{-x}}",
    derivative_formula=r"f'(x) = \sigma(x)\,\sigma(-x)",
    reference="Rumelhart, Hinton & Williams, Learning representations by back-propagating errors, Nature 1986.",
    family="sigmoidal",
    gain=fixed_gain(1.0),
)

TANH = Activation(
    name="tanh",
    forward=tanh,
    derivative=tanh_derivative,
    formula=r"f(x) = \tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
    derivative_formula=r"f'(x) = \operatorname{sech}^2 x = 4\,\sigma(2x)\,\sigma(-2x)",
    reference="LeCun, Bottou, Orr & Müller, Efficient BackProp, 1998.",
    family="sigmoidal",
    gain=fixed_gain(5 / 3),
)

ENTRIES: tuple[Activation, ...] = (SIGMOID, TANH)
