"""selu: elu scaled so that (mean 0, variance 1) is an attracting fixed point of a layer."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, GaussianMoments
from service.numerics.catalog.facts import Facts, Identity, Initialisation, Reference
from service.numerics.catalog.piecewise import select
from service.numerics.catalog.rectifiers.elu import elu, elu_second_moment, elu_slope_moment
from service.numerics.compiled import Kernel, inline, vmath, vmath64
from service.numerics.types import Array, Interval

# Klambauer et al.'s fixed point, to 32 digits; selu multiplies by their product, rounded once.
ALPHA = 1.6732632423543772848170429916717
SCALE = 1.0507009873554804934193349852946
SCALE_ALPHA = 1.7580993408473768599402175208123


def selu(x: Array) -> Array:
    """scale * elu(x, alpha), with Klambauer et al.'s alpha = 1.67326..., scale = 1.05070..."""
    # A select on the sign bit, as elu's.
    return np.where(np.signbit(x), SCALE_ALPHA * np.expm1(np.minimum(x, -0.0)), SCALE * x)


def selu_derivative(x: Array) -> Array:
    return select(x > 0, SCALE, SCALE_ALPHA * np.exp(np.minimum(x, 0)))


def selu_second_derivative(x: Array) -> Array:
    return (x <= 0) * (SCALE_ALPHA * np.exp(np.minimum(x, 0)))


@inline
def selu_at(x: float, _: tuple[()]) -> float:
    return SCALE_ALPHA * vmath.expm1(min(-0.0, x)) if np.signbit(x) else SCALE * x


@inline
def selu_derivative_at(x: float, _: tuple[()]) -> float:
    return SCALE if x > 0 else SCALE_ALPHA * vmath.exp(x)


@inline
def selu_at64(x: float, _: tuple[()]) -> float:
    return SCALE_ALPHA * vmath64.expm1(min(-0.0, x)) if np.signbit(x) else SCALE * x


@inline
def selu_derivative_at64(x: float, _: tuple[()]) -> float:
    return SCALE if x > 0 else SCALE_ALPHA * vmath64.exp(x)


@inline
def selu_second_derivative_at(x: float, _: tuple[()]) -> float:
    return SCALE_ALPHA * vmath64.exp(x) if x <= 0 else 0.0


def selu_second_moment(q: Array) -> Array:
    """lambda^2 times elu's, at selu's alpha."""
    return SCALE**2 * elu_second_moment(q, ALPHA)


def selu_slope_moment(q: Array) -> Array:
    return SCALE**2 * elu_slope_moment(q, ALPHA)


ACTIVATION = Activation(
    name="selu",
    formula=(
        r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases},"
        r"\ \alpha = 1.6732632423543772848\ldots,\ \lambda = 1.0507009873554804934\ldots"
    ),
    forward=selu,
    derivative_formula=(
        r"f'(x) = \lambda \begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}"
    ),
    derivative=selu_derivative,
    second_derivative_formula=(
        r"f''(x) = \begin{cases} 0 & x > 0 \\ \lambda \alpha e^{x} & x \le 0 \end{cases}"
    ),
    second_derivative=selu_second_derivative,
    kernels=(
        Kernel(
            selu_at,
            selu_derivative_at,
            value64=selu_at64,
            derivative64=selu_derivative_at64,
            second_derivative64=selu_second_derivative_at,
        ),
    ),
    kink="f'(0) = f''(0) = lambda alpha, as in PyTorch.",
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.selu(x)"),
        Equivalent("keras", "keras.activations.selu(x)"),
        Equivalent("jax", "jax.nn.selu(x)"),
    ),
    facts=Facts(
        continuity=0,
        range=Interval(-SCALE_ALPHA, math.inf, False, False),
        kinks=(0.0,),
        cost="exp",
        initialisation=Initialisation(
            "lecun_normal", 3 / 4, "torch.nn.init.calculate_gain('selu')"
        ),
        identities=(
            Identity(
                r"\operatorname{selu}(x) = \lambda\,\operatorname{elu}(x;\ \alpha)",
                selu,
                lambda x: SCALE * elu(x, ALPHA),
            ),
        ),
        references=(
            Reference(
                "Klambauer, Unterthiner, Mayr & Hochreiter",
                "Self-Normalizing Neural Networks",
                "NeurIPS",
                2017,
                "https://arxiv.org/abs/1706.02515",
            ),
        ),
    ),
    gaussian_moments=GaussianMoments(value=selu_second_moment, slope=selu_slope_moment),
)
