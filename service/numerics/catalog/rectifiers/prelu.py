"""prelu: leaky_relu with PyTorch's PReLU weight as its slope, fixed here (learned in a network)."""

from __future__ import annotations

from service.numerics.catalog.entry import Activation, Equivalent, GaussianMoments, Parameter
from service.numerics.catalog.facts import Facts, Identity, Initialisation
from service.numerics.catalog.piecewise import no_curvature
from service.numerics.catalog.rectifiers.leaky_relu import (
    LEAKY_KERNEL,
    leaky_continuity,
    leaky_gain,
    leaky_range,
    leaky_relu,
    leaky_relu_derivative,
)
from service.numerics.catalog.rectifiers.relu import relu, relu_second_moment, relu_slope_moment
from service.numerics.catalog.references import HE
from service.numerics.types import Array


def prelu(x: Array, weight: float = 0.25) -> Array:
    """x for x > 0, weight * x otherwise: leaky_relu with PyTorch's PReLU weight."""
    return leaky_relu(x, weight)


def prelu_derivative(x: Array, weight: float = 0.25) -> Array:
    return leaky_relu_derivative(x, weight)


def prelu_second_moment(q: Array, weight: float = 0.25) -> Array:
    return relu_second_moment(q, weight)


def prelu_slope_moment(q: Array, weight: float = 0.25) -> Array:
    return relu_slope_moment(q, weight)


ACTIVATION = Activation(
    name="prelu",
    formula=r"f(x) = \begin{cases} x & x > 0 \\ w x & x \le 0 \end{cases}",
    forward=prelu,
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ w & x \le 0 \end{cases}",
    derivative=prelu_derivative,
    second_derivative_formula="f''(x) = 0",
    second_derivative=no_curvature,
    kernels=(LEAKY_KERNEL,),
    parameters=(
        Parameter(
            "weight",
            0.25,
            "The slope w for x <= 0, fixed here (learned in a network); PyTorch's initial 0.25.",
            minimum=-1e6,
            maximum=1e6,
        ),
    ),
    kink="f'(0) = weight, as in PyTorch.",
    variants=({"weight": 0.1},),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.prelu(x, torch.tensor([0.25], dtype=x.dtype))"),
        Equivalent(
            "keras",
            "keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25))(x)",
            "a layer with a learned slope per channel, initialised to 0 by default",
        ),
    ),
    facts=Facts(
        continuity=lambda weight: leaky_continuity(weight),
        range=lambda weight: leaky_range(weight),
        kinks=(0.0,),
        cost="piecewise-linear",
        initialisation=Initialisation(
            "he_normal",
            lambda weight: leaky_gain(weight),
            "torch.nn.init.calculate_gain('leaky_relu', weight)",
        ),
        identities=(
            Identity(
                r"f(x) = \operatorname{relu}(x) - w\operatorname{relu}(-x)",
                prelu,
                lambda x: relu(x) - 0.25 * relu(-x),
            ),
        ),
        references=(HE,),
    ),
    gaussian_moments=GaussianMoments(value=prelu_second_moment, slope=prelu_slope_moment),
)
