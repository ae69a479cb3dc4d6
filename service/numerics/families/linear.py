"""The identity: the activation of a linear layer, and the baseline the others are measured against."""

from __future__ import annotations

import numpy as np

from service.numerics.activation import Activation, Array, GaussianMoments, fixed_gain

__all__ = ["ENTRIES"]


def identity(x: Array) -> Array:
    """x."""
    return x.copy()


def identity_derivative(x: Array) -> Array:
    return np.ones_like(x)


def identity_second_moment(q: Array) -> Array:
    """E[(sqrt(q) z)^2] = q."""
    return q.copy()


IDENTITY = Activation(
    name="identity",
    forward=identity,
    derivative=identity_derivative,
    formula=r"f(x) = x",
    derivative_formula=r"f'(x) = 1",
    reference="The linear (no-op) activation; torch.nn.Identity, keras.activations.linear.",
    family="linear",
    gain=fixed_gain(1.0),
    gaussian_moments=GaussianMoments(value=identity_second_moment, slope=identity_derivative),
)

ENTRIES: tuple[Activation, ...] = (IDENTITY,)
