"""The identity: the activation of a linear layer, and the baseline the others are measured against."""

from __future__ import annotations

import numpy as np

from service.numerics.activation import Activation, Array, Equivalent, GaussianMoments
from service.numerics.facts import REAL_LINE, SMOOTH, Facts, Identity, Initialisation, Reference

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
    facts=Facts(
        continuity=SMOOTH,
        range=REAL_LINE,
        cost="piecewise-linear",
        initialisation=Initialisation(
            "xavier_normal", 1.0, "torch.nn.init.calculate_gain('linear')"
        ),
        identities=(
            Identity(
                r"x = \operatorname{relu}(x) - \operatorname{relu}(-x)",
                identity,
                lambda x: np.maximum(x, 0) - np.maximum(-x, 0),
            ),
        ),
        references=(
            Reference(
                "Saxe, McClelland & Ganguli",
                "Exact solutions to the nonlinear dynamics of learning in deep linear neural"
                " networks",
                "ICLR",
                2014,
                "https://arxiv.org/abs/1312.6120",
            ),
        ),
    ),
    gaussian_moments=GaussianMoments(value=identity_second_moment, slope=identity_derivative),
)

ENTRIES: tuple[Activation, ...] = (IDENTITY,)
