"""rrelu: leaky_relu whose slope is drawn at random per element in training, fixed in eval."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, GaussianMoments, Parameter
from service.numerics.catalog.facts import Facts, Identity, Initialisation, Reference
from service.numerics.catalog.limits import at_infinity
from service.numerics.catalog.piecewise import no_curvature, no_curvature_at
from service.numerics.catalog.rectifiers.leaky_relu import (
    leaky_continuity,
    leaky_gain,
    leaky_range,
    leaky_relu,
    leaky_relu_at,
    leaky_relu_at32,
)
from service.numerics.catalog.rectifiers.relu import relu_second_moment, relu_slope_moment
from service.numerics.compiled import Kernel, inline
from service.numerics.types import MAX_SEED, Array


def rrelu(
    x: Array, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False, seed: int = 0
) -> Array:
    """x for x > 0, a x otherwise: a = (lower + upper)/2, or in training a ~ U(lower, upper)."""
    # On the sign bit: -0 is a (-0), +0 is +0, whatever a's sign.
    result = np.where(np.signbit(x), x * _slope(x, lower, upper, training, seed), x)
    if training:  # a slope drawn exactly 0 has chance 2^-53: each -inf answers -inf a
        return result
    return at_infinity(x, result, below=_limit(lower, upper), above=math.inf)


def _limit(lower: float, upper: float) -> float:
    """a x at x = -inf, a = (lower + upper)/2: -inf a, or the -0.0 of x * 0 for a = 0."""
    slope = (lower + upper) / 2
    return -math.inf * slope if slope else -0.0


def rrelu_derivative(
    x: Array, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False, seed: int = 0
) -> Array:
    return np.where(x > 0, 1.0, _slope(x, lower, upper, training, seed))


def _slope(x: Array, lower: float, upper: float, training: bool, seed: int) -> Array | float:
    """One slope per element, drawn from ``seed`` alone: value and gradient see the same ones."""
    if not training:
        return (lower + upper) / 2
    uniform: Array = np.random.default_rng(seed).random(x.shape)
    return lower + (upper - lower) * uniform


@inline
def rrelu_at(x: float, p: tuple[float, float]) -> float:
    lower, upper = p
    return leaky_relu_at(x, ((lower + upper) / 2,))


@inline
def rrelu_at32(x: float, p: tuple[float, float]) -> float:
    # leaky_relu's float32 loop at the mean slope: a x rounded once, zeros signed alike.
    lower, upper = p
    return leaky_relu_at32(x, ((lower + upper) / 2,))


@inline
def rrelu_derivative_at(x: float, p: tuple[float, float]) -> float:
    lower, upper = p
    return 1.0 if x > 0 else (lower + upper) / 2


def rrelu_second_moment(
    q: Array, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False, seed: int = 0
) -> Array:
    return relu_second_moment(q, _rms_slope(lower, upper, training))


def rrelu_slope_moment(
    q: Array, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False, seed: int = 0
) -> Array:
    return relu_slope_moment(q, _rms_slope(lower, upper, training))


def _rms_slope(lower: float, upper: float, training: bool) -> float:
    """sqrt E[a^2], the only moment of the slope a that enters: E[a^2] = (l^2 + l u + u^2)/3
    for a ~ U(l, u), drawn independently of x."""
    if not training:
        return (lower + upper) / 2
    return math.sqrt((lower * lower + lower * upper + upper * upper) / 3)


def _mean_slope(lower: float, upper: float) -> float:
    return (lower + upper) / 2


ACTIVATION = Activation(
    name="rrelu",
    formula=(
        r"f(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases},\quad"
        r" a = \tfrac{l + u}{2}\ \text{(eval)},\ a \sim U(l, u)\ \text{per element (training)}"
    ),
    forward=rrelu,
    blockwise=False,
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
    derivative=rrelu_derivative,
    second_derivative_formula="f''(x) = 0",
    second_derivative=no_curvature,
    # In training the slopes are drawn per element: that stays on the numpy path.
    # The same functions for float64: each result is exact, or one rounded operation.
    kernels=(
        Kernel(
            rrelu_at32,
            rrelu_derivative_at,
            variant={"training": False},
            unused=("seed",),
            value64=rrelu_at,
            derivative64=rrelu_derivative_at,
            second_derivative64=no_curvature_at,
        ),
    ),
    parameters=(
        Parameter("lower", 1 / 8, "Lower bound l of the random slope.", minimum=-1e6, maximum=1e6),
        Parameter(
            "upper",
            1 / 3,
            "Upper bound u of the random slope (at least l).",
            minimum=-1e6,
            maximum=1e6,
        ),
        Parameter(
            "training",
            False,
            "false: the fixed slope (l + u)/2, as PyTorch in eval mode; true: one slope per"
            " element drawn from U(l, u) with the given seed.",
        ),
        Parameter(
            "seed",
            0,
            "Seed of the slopes drawn in training mode: the same seed and shape give the same"
            " slopes, in the value and the gradient alike.",
            minimum=0,
            maximum=MAX_SEED,
        ),
    ),
    ordered=(("lower", "upper"),),
    kink="f'(0) = a, as in PyTorch.",
    # Training mode draws its slopes at random: tests/numerics/analysis has it.
    variants=({"lower": 0.2, "upper": 0.4},),
    follows="PyTorch",
    equivalents=(
        Equivalent(
            "torch",
            "torch.nn.functional.rrelu(x, lower=1/8, upper=1/3, training=False)",
            "in training PyTorch draws from its global generator; here from the explicit seed",
        ),
    ),
    facts=Facts(
        continuity=lambda lower, upper, training, seed: leaky_continuity(_mean_slope(lower, upper)),
        range=lambda lower, upper, training, seed: leaky_range(_mean_slope(lower, upper)),
        kinks=(0.0,),
        cost="piecewise-linear",
        random=lambda lower, upper, training, seed: training,
        initialisation=Initialisation(
            "he_normal",
            lambda lower, upper, training, seed: leaky_gain(_mean_slope(lower, upper)),
            "torch.nn.init.calculate_gain('leaky_relu', (lower + upper) / 2)",
        ),
        identities=(
            Identity(
                r"f(x) = \operatorname{leaky\_relu}\!\left(x;\ \tfrac{l + u}{2}\right)"
                r"\ \text{(eval)}",
                rrelu,
                lambda x: leaky_relu(x, (1 / 8 + 1 / 3) / 2),
            ),
        ),
        references=(
            Reference(
                "Xu, Wang, Chen & Li",
                "Empirical Evaluation of Rectified Activations in Convolutional Network",
                "arXiv:1505.00853",
                2015,
                "https://arxiv.org/abs/1505.00853",
            ),
        ),
    ),
    gaussian_moments=GaussianMoments(value=rrelu_second_moment, slope=rrelu_slope_moment),
)
