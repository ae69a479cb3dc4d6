"""squareplus: (x + sqrt(x^2 + b)) / 2, an algebraic softplus without exp or log."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, Parameter
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.limits import at_infinity
from service.numerics.compiled import Kernel, inline
from service.numerics.types import Array, Interval

# Beyond it x^2 + b would overflow; sqrt(x^2 + b) is |x| to the last bit long before.
_SQUARE_LIMIT = 1e150
_SLOPE_LIMITS = {"below": 0.0, "above": 1.0}


def _squareplus_parts(x: Array, b: float) -> tuple[Array, Array, Array]:
    """s = sqrt(x^2 + b), m = (s + |x|)/2, and x^2 + b, with none of them overflowing."""
    near = np.clip(x, -_SQUARE_LIMIT, _SQUARE_LIMIT)
    square = near * near + b
    root = np.maximum(np.sqrt(square), np.abs(x))
    return root, 0.5 * root + 0.5 * np.abs(x), square


def squareplus(x: Array, b: float = 4.0) -> Array:
    """(x + sqrt(x^2 + b)) / 2; for x < 0 as (b/4) / m, m = (sqrt(x^2 + b) - x)/2: no cancellation."""
    _, middle, _ = _squareplus_parts(x, b)
    return np.where(x >= 0, middle, (b / 4) / middle)


def squareplus_derivative(x: Array, b: float = 4.0) -> Array:
    root, middle, _ = _squareplus_parts(x, b)
    # (1 + x/s)/2 cancels only once x/s nears -1; from -1/2 on, (b/4)/(s m) instead.
    ratio = x / root
    slope = np.where(ratio > -0.5, 0.5 + 0.5 * ratio, (b / 4) / root / middle)
    return at_infinity(x, slope, **_SLOPE_LIMITS)  # x / s is inf / inf at either end


def squareplus_second_derivative(x: Array, b: float = 4.0) -> Array:
    root, _, square = _squareplus_parts(x, b)
    return (b / 2) / square / root


# A float32 x is at most 3.4e38, so x^2 + b stays finite in float64 and the numpy path's
# clipping is not needed in the kernels.
@inline
def squareplus_at(x: float, p: tuple[float]) -> float:
    (b,) = p
    middle = 0.5 * (math.sqrt(x * x + b) + abs(x))
    # Below 0 as (b/4) / m, m = (sqrt(x^2 + b) - x)/2: no cancellation.
    return middle if x >= 0 else (0.25 * b) / middle


@inline
def squareplus_derivative_at(x: float, p: tuple[float]) -> float:
    (b,) = p
    root = math.sqrt(x * x + b)
    middle = 0.5 * (root + abs(x))
    # f' = f / sqrt(x^2 + b): m / s above 0, (b/4) / (m s) below, with no cancellation.
    top, bottom = (middle, root) if x >= 0 else (0.25 * b, root * middle)
    return top / bottom


# For float64, the numpy path's _squareplus_parts and forms, x clipped where x^2 would overflow.
@inline
def _parts_at64(x: float, b: float) -> tuple[float, float, float]:
    near = min(max(x, -_SQUARE_LIMIT), _SQUARE_LIMIT)
    square = near * near + b
    root = max(math.sqrt(square), abs(x))
    return root, 0.5 * root + 0.5 * abs(x), square


@inline
def squareplus_at64(x: float, p: tuple[float]) -> float:
    (b,) = p
    _root, middle, _square = _parts_at64(x, b)
    return middle if x >= 0 else (b / 4.0) / middle


@inline
def squareplus_derivative_at64(x: float, p: tuple[float]) -> float:
    (b,) = p
    root, middle, _square = _parts_at64(x, b)
    ratio = x / root
    return 0.5 + 0.5 * ratio if ratio > -0.5 else (b / 4.0) / root / middle


@inline
def squareplus_second_derivative_at(x: float, p: tuple[float]) -> float:
    (b,) = p
    root, _middle, square = _parts_at64(x, b)
    return (b / 2.0) / square / root


ACTIVATION = Activation(
    name="squareplus",
    formula=r"f(x) = \frac{x + \sqrt{x^2 + b}}{2}",
    forward=squareplus,
    derivative_formula=r"f'(x) = \frac{1}{2}\left(1 + \frac{x}{\sqrt{x^2 + b}}\right)",
    derivative=squareplus_derivative,
    second_derivative_formula=r"f''(x) = \frac{b}{2\,(x^2 + b)^{3/2}}",
    second_derivative=squareplus_second_derivative,
    kernels=(
        Kernel(
            squareplus_at,
            squareplus_derivative_at,
            value64=squareplus_at64,
            derivative64=squareplus_derivative_at64,
            second_derivative64=squareplus_second_derivative_at,
        ),
    ),
    parameters=(
        Parameter(
            "b",
            4.0,
            "Curvature b > 0 at the origin; b -> 0 gives relu.",
            minimum=0.0,
            exclusive_minimum=True,
            maximum=1e300,
        ),
    ),
    variants=({"b": 1.0}, {"b": 1e-4}),
    follows="JAX and Keras (PyTorch has no such function)",
    equivalents=(
        Equivalent("keras", "keras.activations.squareplus(x, b=4)"),
        Equivalent("jax", "jax.nn.squareplus(x, b=4)"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=Interval(0.0, math.inf, False, False),
        cost="sqrt",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"f(x)\,f(-x) = b/4",
                lambda x: squareplus(x) * squareplus(-x),
                lambda x: np.full_like(x, 1.0),
            ),
            Identity(r"f(x) - f(-x) = x", lambda x: squareplus(x) - squareplus(-x), lambda x: x),
        ),
        references=(
            Reference(
                "Barron",
                "Squareplus: A Softplus-Like Algebraic Rectifier",
                "arXiv:2112.11687",
                2021,
                "https://arxiv.org/abs/2112.11687",
            ),
        ),
    ),
)
