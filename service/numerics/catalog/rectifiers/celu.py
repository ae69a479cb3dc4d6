"""celu: elu with x / alpha inside, so that f' is continuous for every alpha."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, GaussianMoments, Parameter
from service.numerics.catalog.facts import Facts, Identity, Initialisation, Reference
from service.numerics.catalog.rectifiers.elu import elu, elu_second_moment, elu_slope_moment
from service.numerics.compiled import Kernel, inline, vmath, vmath64
from service.numerics.types import Array, Interval


def celu(x: Array, alpha: float = 1.0) -> Array:
    """max(0, x) + min(0, alpha (exp(x/alpha) - 1))."""
    # A select on the sign bit, as elu's.
    return np.where(np.signbit(x), alpha * np.expm1(np.minimum(x, -0.0) / alpha), x)


def celu_derivative(x: Array, alpha: float = 1.0) -> Array:
    return np.exp(np.minimum(x, 0) / alpha)


def celu_second_derivative(x: Array, alpha: float = 1.0) -> Array:
    return (x <= 0) * (np.exp(np.minimum(x, 0) / alpha) / alpha)


@inline
def celu_at(x: float, p: tuple[float]) -> float:
    (alpha,) = p
    # x * (1/alpha) for numpy's x / alpha: the reciprocal leaves the loop, and the two differ
    # by an ULP of float64, far below float32's (the tests hold the result to 1 float32 ULP).
    return alpha * vmath.expm1(min(-0.0, x) * (1.0 / alpha)) if np.signbit(x) else x


@inline
def celu_derivative_at(x: float, p: tuple[float]) -> float:
    (alpha,) = p
    return vmath.exp(min(0.0, x) * (1.0 / alpha))  # exactly 1 for x >= 0


# For float64, x / alpha as the numpy path has it: its rounding is within kappa's allowance.
@inline
def celu_at64(x: float, p: tuple[float]) -> float:
    (alpha,) = p
    return alpha * vmath64.expm1(min(-0.0, x) / alpha) if np.signbit(x) else x


@inline
def celu_derivative_at64(x: float, p: tuple[float]) -> float:
    (alpha,) = p
    return vmath64.exp(min(0.0, x) / alpha)


@inline
def celu_second_derivative_at(x: float, p: tuple[float]) -> float:
    (alpha,) = p
    return vmath64.exp(min(0.0, x) / alpha) / alpha if x <= 0 else 0.0


def celu_second_moment(q: Array, alpha: float = 1.0) -> Array:
    """celu(u) = alpha elu(u / alpha), and u / alpha ~ N(0, q / alpha^2)."""
    return alpha**2 * elu_second_moment(q / alpha**2)


def celu_slope_moment(q: Array, alpha: float = 1.0) -> Array:
    """celu'(u) = elu'(u / alpha)."""
    return elu_slope_moment(q / alpha**2)


ACTIVATION = Activation(
    name="celu",
    formula=r"f(x) = \max(0, x) + \min\!\left(0, \alpha\,(e^{x/\alpha} - 1)\right)",
    forward=celu,
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
    derivative=celu_derivative,
    second_derivative_formula=(
        r"f''(x) = \begin{cases} 0 & x > 0 \\ e^{x/\alpha} / \alpha & x \le 0 \end{cases}"
    ),
    second_derivative=celu_second_derivative,
    kernels=(
        Kernel(
            celu_at,
            celu_derivative_at,
            value64=celu_at64,
            derivative64=celu_derivative_at64,
            second_derivative64=celu_second_derivative_at,
        ),
    ),
    parameters=(
        Parameter(
            "alpha",
            1.0,
            "Scale alpha > 0 of the negative part (-alpha is its limit).",
            minimum=1e-100,
            maximum=1e6,
        ),
    ),
    kink="f''(0) = 1/alpha, the left-hand value (f' is continuous).",
    variants=({"alpha": 2.0}, {"alpha": 0.25}),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.celu(x, alpha=1.0)"),
        Equivalent("keras", "keras.activations.celu(x, alpha=1.0)"),
        Equivalent("jax", "jax.nn.celu(x, alpha=1.0)"),
    ),
    facts=Facts(
        continuity=1,
        range=lambda alpha: Interval(-alpha, math.inf, False, False),
        kinks=(0.0,),
        cost="exp",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"\operatorname{celu}(x; \alpha) = \alpha\,\operatorname{elu}(x / \alpha;\ 1)",
                lambda x: celu(x, 2.0),
                lambda x: 2.0 * elu(x / 2.0),
            ),
            Identity(
                r"f'(x) = 1 + f(x)/\alpha\quad(x \le 0)",
                celu_derivative,
                lambda x: 1 + celu(x),
                domain=(-30.0, 0.0),
            ),
        ),
        references=(
            Reference(
                "Barron",
                "Continuously Differentiable Exponential Linear Units",
                "arXiv:1704.07483",
                2017,
                "https://arxiv.org/abs/1704.07483",
            ),
        ),
    ),
    gaussian_moments=GaussianMoments(value=celu_second_moment, slope=celu_slope_moment),
)
