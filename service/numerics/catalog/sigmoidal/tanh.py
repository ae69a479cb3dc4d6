"""tanh: the hyperbolic tangent, a sigmoid rescaled to (-1, 1)."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.references import GLOROT_BENGIO
from service.numerics.catalog.sigmoidal.sigmoid import (
    sigmoid,
    sigmoid_derivative,
    sigmoid_derivative_at,
    sigmoid_derivative_at64,
    sigmoid_second_derivative_at,
)
from service.numerics.compiled import Kernel, inline, vmath32, vmath64
from service.numerics.types import Array, Interval


def tanh(x: Array) -> Array:
    """(exp(x) - exp(-x)) / (exp(x) + exp(-x))."""
    return np.tanh(x)


def tanh_derivative(x: Array) -> Array:
    # sech^2 x = 4 sigma'(2x); 1 - tanh^2 would round to 0 for |x| > 19.
    return 4 * sigmoid_derivative(2 * x)


def tanh_second_derivative(x: Array) -> Array:
    return -2 * np.tanh(x) * tanh_derivative(x)


@inline
def tanh_at32(x: float, _: tuple[()]) -> float:
    """tanh x for a float32 x in float32 arithmetic (vmath32.tanh: 1.65 ULP by its argument,
    within an ULP of the numpy path's rounded result at every float32)."""
    return vmath32.tanh(np.float32(x))  # type: ignore[return-value]


@inline
def tanh_derivative_at(x: float, _: tuple[()]) -> float:
    """sech^2 x = 4 sigma'(2x), 2x exact: within 0.55 ULP once rounded, as sigma' is."""
    return 4.0 * sigmoid_derivative_at(2.0 * x, ())


# For float64: tanh on vmath64 (1.1 ULP); tanh' = 4 sigma'(2x) and tanh'' = 8 sigma''(2x),
# 2x exact (or infinite, where both are 0 anyway).
@inline
def tanh_at64(x: float, _: tuple[()]) -> float:
    return vmath64.tanh(x)


@inline
def tanh_derivative_at64(x: float, _: tuple[()]) -> float:
    return 4.0 * sigmoid_derivative_at64(2.0 * x, ())


@inline
def tanh_second_derivative_at(x: float, _: tuple[()]) -> float:
    return 8.0 * sigmoid_second_derivative_at(2.0 * x, ())


ACTIVATION = Activation(
    name="tanh",
    formula=r"f(x) = \tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
    forward=tanh,
    derivative_formula=r"f'(x) = \operatorname{sech}^2 x = 4\,\sigma(2x)\,\sigma(-2x)",
    derivative=tanh_derivative,
    second_derivative_formula=r"f''(x) = -2 \tanh x \operatorname{sech}^2 x",
    second_derivative=tanh_second_derivative,
    kernels=(
        Kernel(
            tanh_at32,
            tanh_derivative_at,
            value64=tanh_at64,
            derivative64=tanh_derivative_at64,
            second_derivative64=tanh_second_derivative_at,
        ),
    ),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.tanh(x)"),
        Equivalent("keras", "keras.activations.tanh(x)"),
        Equivalent("jax", "jax.nn.tanh(x)"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=Interval(-1.0, 1.0, False, False),
        cost="exp",
        initialisation=Initialisation(
            "xavier_normal", 5 / 3, "torch.nn.init.calculate_gain('tanh')"
        ),
        identities=(
            Identity(r"\tanh x = 2\sigma(2x) - 1", tanh, lambda x: 2 * sigmoid(2 * x) - 1),
            Identity(r"\tanh' x = 1 - \tanh^2 x", tanh_derivative, lambda x: 1 - np.tanh(x) ** 2),
            Identity(r"\tanh(-x) = -\tanh x", lambda x: tanh(-x), lambda x: -tanh(x)),
        ),
        references=(
            Reference(
                "LeCun, Bottou, Orr & Müller",
                "Efficient BackProp",
                "Neural Networks: Tricks of the Trade, Springer",
                1998,
                "https://doi.org/10.1007/3-540-49430-8_2",
            ),
            GLOROT_BENGIO,
        ),
    ),
)
