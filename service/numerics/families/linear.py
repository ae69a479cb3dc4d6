"""The identity: the activation of a linear layer, and the baseline the others are measured against."""

from __future__ import annotations

import numpy as np

from service.numerics.activation import Activation, Array, Equivalent, GaussianMoments, fixed_gain

__all__ = ["ENTRIES", "no_curvature"]


def identity(x: Array) -> Array:
    """x."""
    return x.copy()


def identity_derivative(x: Array) -> Array:
    return np.ones_like(x)


def no_curvature(x: Array, **params: object) -> Array:
    """f''(x) = 0 whatever the parameters: the second derivative of a piecewise-linear f."""
    return np.zeros_like(x)


def identity_second_moment(q: Array) -> Array:
    """E[(sqrt(q) z)^2] = q."""
    return q.copy()


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
    gain=fixed_gain(1.0),
    gaussian_moments=GaussianMoments(value=identity_second_moment, slope=identity_derivative),
)

ENTRIES: tuple[Activation, ...] = (IDENTITY,)
