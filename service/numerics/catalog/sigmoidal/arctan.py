"""arctan: the inverse tangent, a bounded sigmoid with polynomial tails."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.compiled import Kernel, inline, vmath32, vmath64
from service.numerics.types import Array, Interval

_HUGE = 1e300  # past it arctan'' underflows to 0, and 2x is still finite


def arctan(x: Array) -> Array:
    """arctan x."""
    return np.arctan(x)


def arctan_derivative(x: Array) -> Array:
    # 1/(1 + x^2) as (1/|x|) / (|x| + 1/|x|) beyond |x| = 1: x^2 overflows past 1.3e154,
    # where the true value is still a representable subnormal. With m = max(|x|, 1) and
    # y = min(|x|, 1), r/(m + r y^2), r = 1/m, is either form.
    magnitude = np.abs(x)
    large = np.maximum(magnitude, 1)
    inverse = 1 / large
    return inverse / (large + inverse * np.square(np.minimum(magnitude, 1)))


def arctan_second_derivative(x: Array) -> Array:
    # Where 1 + x^2 overflows, 2/|x|^3 is below the smallest subnormal anyway; the clip keeps
    # -2x finite there (inf / inf would be NaN).
    near = np.clip(x, -_HUGE, _HUGE)
    denominator = 1 + near * near
    return -2 * near / denominator / denominator


@inline
def arctan_at32(x: float, _: tuple[()]) -> float:
    """atan x for a float32 x in float32 arithmetic (vmath32.atan: within 1.25 ULP by its
    argument, 0.77 measured, an ULP of the numpy path's rounded result at every float32)."""
    return vmath32.atan(np.float32(x))  # type: ignore[return-value]


@inline
def arctan_derivative_at(x: float, _: tuple[()]) -> float:
    return 1.0 / (1.0 + x * x)


# For float64, the numpy path's forms, which neither overflow nor lose a subnormal.
@inline
def arctan_at64(x: float, _: tuple[()]) -> float:
    return vmath64.atan(x)


@inline
def arctan_derivative_at64(x: float, _: tuple[()]) -> float:
    magnitude = abs(x)
    large = max(magnitude, 1.0)
    inverse = 1.0 / large
    small = min(magnitude, 1.0)
    return inverse / (large + inverse * (small * small))


@inline
def arctan_second_derivative_at(x: float, _: tuple[()]) -> float:
    near = min(max(x, -_HUGE), _HUGE)
    denominator = 1.0 + near * near
    return -2.0 * near / denominator / denominator


ACTIVATION = Activation(
    name="arctan",
    formula=r"f(x) = \arctan x",
    forward=arctan,
    derivative_formula=r"f'(x) = \frac{1}{1 + x^2}",
    derivative=arctan_derivative,
    second_derivative_formula=r"f''(x) = \frac{-2x}{(1 + x^2)^2}",
    second_derivative=arctan_second_derivative,
    kernels=(
        Kernel(
            arctan_at32,
            arctan_derivative_at,
            value64=arctan_at64,
            derivative64=arctan_derivative_at64,
            second_derivative64=arctan_second_derivative_at,
        ),
    ),
    follows="the mathematical arctan (no library has it as an activation)",
    equivalents=(
        Equivalent("torch", "torch.atan(x)", "a tensor function, not an activation"),
        Equivalent("keras", "keras.ops.arctan(x)", "an op, not an activation"),
        Equivalent("jax", "jax.numpy.arctan(x)", "a numpy function, not an activation"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=Interval(-math.pi / 2, math.pi / 2, False, False),
        cost="trig",
        initialisation=Initialisation("xavier_normal"),
        identities=(
            Identity(
                r"\arctan' x = \frac{1}{1 + x^2}", arctan_derivative, lambda x: 1 / (1 + x * x)
            ),
            Identity(
                r"\arctan x + \arctan\frac{1}{x} = \frac{\pi}{2}\quad(x > 0)",
                lambda x: arctan(x) + arctan(1 / x),
                lambda x: np.full_like(x, math.pi / 2),
                domain=(1e-3, 30.0),
            ),
        ),
        references=(
            Reference(
                "Nwankpa, Ijomah, Gachagan & Marshall",
                "Activation Functions: Comparison of Trends in Practice and Research for Deep"
                " Learning",
                "arXiv:1811.03378",
                2018,
                "https://arxiv.org/abs/1811.03378",
            ),
        ),
    ),
)
