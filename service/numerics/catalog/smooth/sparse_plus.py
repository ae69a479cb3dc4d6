"""sparse_plus: 0, then (x + 1)^2 / 4, then x: the 2-Tsallis softplus, exactly 0 below -1."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import Facts, Identity, Initialisation
from service.numerics.catalog.references import BLONDEL_MARTINS_NICULAE
from service.numerics.catalog.sigmoidal.sparse_sigmoid import sparse_sigmoid
from service.numerics.compiled import Kernel, inline
from service.numerics.types import NON_NEGATIVE, Array


def sparse_plus(x: Array) -> Array:
    """0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1."""
    return np.where(x >= 1, x, np.square(np.clip(x, -1, 1) + 1) / 4)


def sparse_plus_derivative(x: Array) -> Array:
    return (np.clip(x, -1, 1) + 1) / 2


def sparse_plus_second_derivative(x: Array) -> Array:
    return ((x > -1) & (x < 1)) * 0.5


@inline
def sparse_plus_at(x: float, _: tuple[()]) -> float:
    shifted = min(max(x, -1.0), 1.0) + 1.0
    return x if x >= 1.0 else 0.25 * (shifted * shifted)


@inline
def sparse_plus_derivative_at(x: float, _: tuple[()]) -> float:
    return 0.5 * (min(max(x, -1.0), 1.0) + 1.0)


@inline
def sparse_plus_second_derivative_at(x: float, _: tuple[()]) -> float:
    return 0.5 if -1.0 < x < 1.0 else 0.0


ACTIVATION = Activation(
    name="sparse_plus",
    formula=(
        r"f(x) = \begin{cases} 0 & x \le -1 \\ (x + 1)^2 / 4 & -1 < x < 1 \\ x & x \ge 1"
        r" \end{cases}"
    ),
    forward=sparse_plus,
    derivative_formula=(
        r"f'(x) = \begin{cases} 0 & x \le -1 \\ (x + 1)/2 & -1 < x < 1 \\ 1 & x \ge 1 \end{cases}"
    ),
    derivative=sparse_plus_derivative,
    second_derivative_formula=(
        r"f''(x) = \begin{cases} 1/2 & |x| < 1 \\ 0 & \text{otherwise} \end{cases}"
    ),
    second_derivative=sparse_plus_second_derivative,
    # The same functions for float64: the numpy path's operations, each rounded once.
    kernels=(
        Kernel(
            sparse_plus_at,
            sparse_plus_derivative_at,
            value64=sparse_plus_at,
            derivative64=sparse_plus_derivative_at,
            second_derivative64=sparse_plus_second_derivative_at,
        ),
    ),
    kink="f''(+-1) = 0, as JAX's piecewise definition gives (f' is continuous).",
    follows="JAX and Keras (PyTorch has no such function)",
    equivalents=(
        Equivalent("keras", "keras.activations.sparse_plus(x)"),
        Equivalent("jax", "jax.nn.sparse_plus(x)"),
    ),
    facts=Facts(
        continuity=1,
        range=NON_NEGATIVE,
        kinks=(-1.0, 1.0),
        cost="polynomial",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"f'(x) = \operatorname{sparse\_sigmoid}(x)", sparse_plus_derivative, sparse_sigmoid
            ),
            Identity(r"f(x) - f(-x) = x", lambda x: sparse_plus(x) - sparse_plus(-x), lambda x: x),
        ),
        references=(BLONDEL_MARTINS_NICULAE,),
    ),
)
