"""threshold: x above a threshold t, a constant v at and below it."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, GaussianMoments, Parameter
from service.numerics.catalog.facts import Facts, Identity, Initialisation, hull
from service.numerics.catalog.limits import at_infinity
from service.numerics.catalog.piecewise import (
    Piece,
    no_curvature,
    no_curvature_at,
    second_moment,
    select,
    slope_moment,
)
from service.numerics.catalog.rectifiers.relu import relu
from service.numerics.compiled import Kernel, inline, vmath32
from service.numerics.types import Array


def threshold(x: Array, threshold: float = 0.0, value: float = 0.0) -> Array:
    """x for x > threshold, value otherwise."""
    # select's 0 * -inf is NaN at -inf.
    return at_infinity(x, select(x > threshold, x, value), below=value, above=math.inf)


def threshold_derivative(x: Array, threshold: float = 0.0, value: float = 0.0) -> Array:
    return (x > threshold).astype(x.dtype)


@inline
def threshold_at(x: float, p: tuple[float, float]) -> float:
    threshold, value = p
    return x if x > threshold else value


@inline
def threshold_at32(x: float, p: tuple[float, float]) -> float:
    # In float32, eight lanes to four, and the same bits as threshold_at rounded: x > t is
    # x > below(t) for a float32 x, and v rounds to float32 as the numpy path's result does.
    threshold, value = p
    y = np.float32(x)
    return float(y if y > vmath32.below(threshold) else np.float32(value))


@inline
def threshold_derivative_at(x: float, p: tuple[float, float]) -> float:
    threshold, _value = p
    return 1.0 if x > threshold else 0.0


def _pieces(threshold: float, value: float) -> tuple[Piece, ...]:
    return ((-math.inf, threshold, value, 0.0), (threshold, math.inf, 0.0, 1.0))


def threshold_second_moment(q: Array, threshold: float = 0.0, value: float = 0.0) -> Array:
    return second_moment(q, _pieces(threshold, value))


def threshold_slope_moment(q: Array, threshold: float = 0.0, value: float = 0.0) -> Array:
    return slope_moment(q, _pieces(threshold, value))


ACTIVATION = Activation(
    name="threshold",
    formula=r"f(x) = \begin{cases} x & x > t \\ v & x \le t \end{cases}",
    forward=threshold,
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > t \\ 0 & x \le t \end{cases}",
    derivative=threshold_derivative,
    second_derivative_formula="f''(x) = 0",
    second_derivative=no_curvature,
    # The same functions for float64: each result is exact, or one rounded operation.
    kernels=(
        Kernel(
            threshold_at32,
            threshold_derivative_at,
            value64=threshold_at,
            derivative64=threshold_derivative_at,
            second_derivative64=no_curvature_at,
        ),
    ),
    parameters=(
        Parameter(
            "threshold",
            0.0,
            "The threshold t (PyTorch and Keras have no default; 0 makes it relu).",
            minimum=-1e300,
            maximum=1e300,
        ),
        Parameter(
            "value",
            0.0,
            "The value v taken at and below t (Keras calls it default_value).",
            minimum=-1e300,
            maximum=1e300,
        ),
    ),
    kink="f'(t) = 0, as in PyTorch; f jumps there unless v = t.",
    variants=({"threshold": 1.5, "value": -2.0},),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.threshold(x, threshold=0.0, value=0.0)"),
        Equivalent("keras", "keras.activations.threshold(x, threshold=0.0, default_value=0.0)"),
    ),
    facts=Facts(
        # f jumps from v to t at t unless v = t; its slope always goes from 0 to 1 there.
        continuity=lambda threshold, value: 0 if value == threshold else -1,
        range=lambda threshold, value: hull([value], [threshold, math.inf]),
        kinks=lambda threshold, value: (threshold,),
        cost="piecewise-linear",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"\operatorname{threshold}(x; 0, 0) = \operatorname{relu}(x)", threshold, relu
            ),
        ),
    ),
    gaussian_moments=GaussianMoments(value=threshold_second_moment, slope=threshold_slope_moment),
)
