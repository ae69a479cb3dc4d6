"""identity: x, what a layer without an activation computes."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, GaussianMoments
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.piecewise import no_curvature, no_curvature_at
from service.numerics.compiled import Kernel, inline
from service.numerics.types import REAL_LINE, Array


def identity(x: Array) -> Array:
    """x."""
    return x.copy()


def identity_derivative(x: Array) -> Array:
    return np.ones_like(x)


@inline
def identity_at(x: float, _: tuple[()]) -> float:
    return x


@inline
def identity_derivative_at(x: float, _: tuple[()]) -> float:
    return 1.0


def identity_second_moment(q: Array) -> Array:
    """E[(sqrt(q) z)^2] = q."""
    return q.copy()


ACTIVATION = Activation(
    name="identity",
    aliases=("linear",),
    formula=r"f(x) = x",
    forward=identity,
    derivative_formula=r"f'(x) = 1",
    derivative=identity_derivative,
    second_derivative_formula="f''(x) = 0",
    second_derivative=no_curvature,
    # The same functions for float64: each result is exact, or one rounded operation.
    kernels=(
        Kernel(
            identity_at,
            identity_derivative_at,
            value64=identity_at,
            derivative64=identity_derivative_at,
            second_derivative64=no_curvature_at,
        ),
    ),
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
