"""sparse_sigmoid: the 2-Tsallis sigmoid, (x + 1)/2 clamped to [0, 1]."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import Facts, Identity, Initialisation
from service.numerics.catalog.piecewise import no_curvature, no_curvature_at
from service.numerics.catalog.rectifiers.hardtanh import hardtanh
from service.numerics.catalog.references import BLONDEL_MARTINS_NICULAE
from service.numerics.compiled import Kernel, inline
from service.numerics.types import Array, Interval


def sparse_sigmoid(x: Array) -> Array:
    """clip((x + 1)/2, 0, 1)."""
    return np.clip((x + 1) / 2, 0, 1)


def sparse_sigmoid_derivative(x: Array) -> Array:
    return ((x > -1) & (x < 1)) * 0.5


@inline
def sparse_sigmoid_at(x: float, _: tuple[()]) -> float:
    return min(max((x + 1.0) * 0.5, 0.0), 1.0)


@inline
def sparse_sigmoid_derivative_at(x: float, _: tuple[()]) -> float:
    return 0.5 if -1.0 < x < 1.0 else 0.0


ACTIVATION = Activation(
    name="sparse_sigmoid",
    formula=r"f(x) = \min(\max((x + 1)/2, 0), 1)",
    forward=sparse_sigmoid,
    derivative_formula=r"f'(x) = \begin{cases} 1/2 & |x| < 1 \\ 0 & \text{otherwise} \end{cases}",
    derivative=sparse_sigmoid_derivative,
    second_derivative_formula="f''(x) = 0",
    second_derivative=no_curvature,
    # The same functions for float64: each result is exact, or one rounded operation.
    kernels=(
        Kernel(
            sparse_sigmoid_at,
            sparse_sigmoid_derivative_at,
            value64=sparse_sigmoid_at,
            derivative64=sparse_sigmoid_derivative_at,
            second_derivative64=no_curvature_at,
        ),
    ),
    kink="f'(+-1) = 0, the clamp convention of PyTorch's hardtanh.",
    follows="JAX and Keras (PyTorch has no such function)",
    equivalents=(
        Equivalent("keras", "keras.activations.sparse_sigmoid(x)"),
        Equivalent(
            "jax",
            "jax.nn.sparse_sigmoid(x)",
            "autodiff of its clip may give another value of f' at +-1",
        ),
    ),
    facts=Facts(
        continuity=0,
        range=Interval(0.0, 1.0, True, True),
        kinks=(-1.0, 1.0),
        cost="piecewise-linear",
        initialisation=Initialisation("xavier_normal"),
        identities=(
            Identity(
                r"f(x) = \frac{\operatorname{hardtanh}(x) + 1}{2}",
                sparse_sigmoid,
                lambda x: (hardtanh(x) + 1) / 2,
            ),
        ),
        references=(BLONDEL_MARTINS_NICULAE,),
    ),
)
