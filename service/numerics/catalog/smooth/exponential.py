"""exponential: e^x, Keras' exponential activation."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation
from service.numerics.compiled import Kernel, inline, vmath32, vmath64
from service.numerics.types import Array, Interval


def exponential(x: Array) -> Array:
    """exp(x)."""
    return np.exp(x)


@inline
def exponential_at32(x: float, _: tuple[()]) -> float:
    """e^x for a float32 x in float32 arithmetic (vmath32.exp: within 1.4 ULP, an ULP of the
    numpy path's rounded result): twice the lanes of float64's, and nothing after it to damp
    or magnify its error."""
    return vmath32.exp(np.float32(x))  # type: ignore[return-value]


@inline
def exponential_at64(x: float, _: tuple[()]) -> float:
    return vmath64.exp(x)


ACTIVATION = Activation(
    name="exponential",
    formula=r"f(x) = e^{x}",
    forward=exponential,
    derivative_formula=r"f'(x) = e^{x}",
    derivative=exponential,
    second_derivative_formula=r"f''(x) = e^{x}",
    second_derivative=exponential,
    kernels=(
        Kernel(
            exponential_at32,
            exponential_at32,
            value64=exponential_at64,
            derivative64=exponential_at64,
            second_derivative64=exponential_at64,
        ),
    ),
    follows="Keras (PyTorch has it only as the tensor function torch.exp)",
    equivalents=(
        Equivalent("torch", "torch.exp(x)", "a tensor function, not an activation"),
        Equivalent("keras", "keras.activations.exponential(x)"),
        Equivalent("jax", "jax.numpy.exp(x)", "a numpy function, not an activation"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=Interval(0.0, math.inf, False, False),
        cost="exp",
        initialisation=Initialisation(None),
        identities=(
            Identity(
                r"e^{x} e^{-x} = 1",
                lambda x: exponential(x) * exponential(-x),
                lambda x: np.ones_like(x),
            ),
            Identity(
                r"e^{2x} = (e^{x})^2",
                lambda x: exponential(2 * x),
                lambda x: np.square(exponential(x)),
            ),
        ),
    ),
)
