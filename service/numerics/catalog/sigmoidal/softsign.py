"""softsign: x / (1 + |x|), a sigmoid with polynomial tails."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import Facts, Identity, Initialisation
from service.numerics.catalog.limits import at_infinity
from service.numerics.catalog.references import GLOROT_BENGIO
from service.numerics.compiled import Kernel, inline
from service.numerics.types import Array, Interval

_VALUE_LIMITS = {"below": -1.0, "above": 1.0}


def softsign(x: Array) -> Array:
    """x / (1 + |x|)."""
    return at_infinity(x, x / (1 + np.abs(x)), **_VALUE_LIMITS)  # inf / inf at either end


def softsign_derivative(x: Array) -> Array:
    denominator = 1 + np.abs(x)
    result: Array = 1 / denominator / denominator
    return result


def softsign_second_derivative(x: Array) -> Array:
    denominator = 1 + np.abs(x)
    # Once d^2 overflows, 2/d^3 is below the smallest subnormal anyway.
    result = -2 * np.sign(x) / denominator / (denominator * denominator)
    return np.where(x == 0, 0.0, result)  # +0 at the kink, as the kernel (-2 sign(0) is -0)


@inline
def softsign_at(x: float, _: tuple[()]) -> float:
    return x / (1.0 + abs(x))


@inline
def softsign_derivative_at(x: float, _: tuple[()]) -> float:
    denominator = 1.0 + abs(x)  # float32's x keeps its square far from float64's overflow
    return 1.0 / (denominator * denominator)


# For float64, where d^2 may overflow (past |x| = 1.3e154) while 1/d^2 is still a
# subnormal, 1/d/d as the numpy path has it.
@inline
def softsign_derivative_at64(x: float, _: tuple[()]) -> float:
    denominator = 1.0 + abs(x)
    return 1.0 / denominator / denominator


@inline
def softsign_second_derivative_at(x: float, _: tuple[()]) -> float:
    denominator = 1.0 + abs(x)
    # Once d^2 overflows, 2/d^3 is below the smallest subnormal anyway.
    return math.copysign(2.0, -x) / denominator / (denominator * denominator) if x != 0 else 0.0


ACTIVATION = Activation(
    name="softsign",
    aliases=("soft_sign",),
    formula=r"f(x) = \frac{x}{1 + |x|}",
    forward=softsign,
    derivative_formula=r"f'(x) = \frac{1}{(1 + |x|)^2}",
    derivative=softsign_derivative,
    second_derivative_formula=r"f''(x) = \frac{-2 \operatorname{sign} x}{(1 + |x|)^3}",
    second_derivative=softsign_second_derivative,
    kernels=(
        Kernel(
            softsign_at,
            softsign_derivative_at,
            value64=softsign_at,
            derivative64=softsign_derivative_at64,
            second_derivative64=softsign_second_derivative_at,
        ),
    ),
    kink="f''(0) = 0, between its one-sided values -2 and 2 (f' is continuous).",
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.softsign(x)"),
        Equivalent("keras", "keras.activations.softsign(x)"),
        Equivalent("jax", "jax.nn.soft_sign(x)"),
    ),
    facts=Facts(
        continuity=1,
        range=Interval(-1.0, 1.0, False, False),
        kinks=(0.0,),
        cost="division",
        initialisation=Initialisation("xavier_normal"),
        identities=(
            Identity(
                r"f'(x) = (1 - |f(x)|)^2",
                softsign_derivative,
                lambda x: np.square(1 - np.abs(softsign(x))),
            ),
            Identity(r"f(-x) = -f(x)", lambda x: softsign(-x), lambda x: -softsign(x)),
        ),
        references=(GLOROT_BENGIO,),
    ),
)
