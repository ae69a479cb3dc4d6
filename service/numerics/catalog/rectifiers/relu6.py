"""relu6: relu capped at 6, the MobileNets' rectifier."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, GaussianMoments
from service.numerics.catalog.facts import Facts, Identity, Initialisation, Reference
from service.numerics.catalog.piecewise import no_curvature, no_curvature_at
from service.numerics.catalog.rectifiers.relu import relu, relu_second_moment, relu_slope_moment
from service.numerics.compiled import Kernel, inline
from service.numerics.types import Array, Interval


def relu6(x: Array) -> Array:
    """min(max(x, 0), 6)."""
    return np.clip(x, 0, 6)


def relu6_derivative(x: Array) -> Array:
    return ((x > 0) & (x < 6)).astype(x.dtype)


@inline
def relu6_at(x: float, _: tuple[()]) -> float:
    return min(max(x, 0.0), 6.0)


@inline
def relu6_at32(x: float, _: tuple[()]) -> float:
    # In float32, eight lanes to four: exact, as relu_at32 argues.
    return float(min(max(np.float32(x), np.float32(0.0)), np.float32(6.0)))


@inline
def relu6_derivative_at(x: float, _: tuple[()]) -> float:
    return 1.0 if 0.0 < x < 6.0 else 0.0


def relu6_second_moment(q: Array) -> Array:
    return relu_second_moment(q, max_value=6.0)


def relu6_slope_moment(q: Array) -> Array:
    return relu_slope_moment(q, max_value=6.0)


ACTIVATION = Activation(
    name="relu6",
    formula=r"f(x) = \min(\max(x, 0), 6)",
    forward=relu6,
    derivative_formula=r"f'(x) = \begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}",
    derivative=relu6_derivative,
    second_derivative_formula="f''(x) = 0",
    second_derivative=no_curvature,
    # The same functions for float64: each result is exact, or one rounded operation.
    kernels=(
        Kernel(
            relu6_at32,
            relu6_derivative_at,
            value64=relu6_at,
            derivative64=relu6_derivative_at,
            second_derivative64=no_curvature_at,
        ),
    ),
    kink="f'(0) = f'(6) = 0, as in PyTorch.",
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.relu6(x)"),
        Equivalent("keras", "keras.activations.relu6(x)"),
        Equivalent("jax", "jax.nn.relu6(x)"),
    ),
    facts=Facts(
        continuity=0,
        range=Interval(0.0, 6.0, True, True),
        kinks=(0.0, 6.0),
        cost="piecewise-linear",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"\operatorname{relu6}(x) = \operatorname{relu}(x) - \operatorname{relu}(x - 6)",
                relu6,
                lambda x: relu(x) - relu(x - 6),
            ),
            Identity(
                r"\operatorname{relu6}(x) = \operatorname{relu}(x;\ m = 6)",
                relu6,
                lambda x: relu(x, max_value=6.0),
            ),
        ),
        references=(
            Reference(
                "Krizhevsky",
                "Convolutional Deep Belief Networks on CIFAR-10",
                "technical report, University of Toronto",
                2010,
                "https://www.cs.toronto.edu/~kriz/conv-cifar10-aug2010.pdf",
            ),
            Reference(
                "Howard et al.",
                "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications",
                "arXiv:1704.04861",
                2017,
                "https://arxiv.org/abs/1704.04861",
            ),
        ),
    ),
    gaussian_moments=GaussianMoments(value=relu6_second_moment, slope=relu6_slope_moment),
)
