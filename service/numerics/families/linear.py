"""The identity: the activation of a linear layer, and the baseline the others are measured against."""

from __future__ import annotations

import numpy as np

from service.numerics.activation import Activation, Array, Equivalent

__all__ = ["ENTRIES", "no_curvature"]


def identity(x: Array) -> Array:
    """x."""
    return x.copy()


def identity_derivative(x: Array) -> Array:
    return np.ones_like(x)


def no_curvature(x: Array, **params: object) -> Array:
    """f''(x) = 0 whatever the parameters: the second derivative of a piecewise-linear f."""
    return np.zeros_like(x)


IDENTITY = Activation(
    name="identity",
    forward=identity,
    derivative=identity_derivative,
    second_derivative=no_curvature,
    formula=r"f(x) = x",
    derivative_formula=r"f'(x) = 1",
    second_derivative_formula="f''(x) = 0",
    reference="The linear (no-op) activation.",
    family="linear",
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.Identity()(x)"),
        Equivalent("keras", "keras.activations.linear(x)"),
        Equivalent("jax", "jax.nn.identity(x)"),
    ),
)

ENTRIES: tuple[Activation, ...] = (IDENTITY,)
