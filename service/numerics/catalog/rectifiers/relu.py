"""relu: max(x, 0), with the negative slope, cap and threshold of Keras' generalised relu."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, GaussianMoments, Parameter
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference, hull
from service.numerics.catalog.piecewise import (
    Piece,
    no_curvature,
    no_curvature_at,
    second_moment,
    slope_moment,
)
from service.numerics.catalog.references import GLOROT_BORDES_BENGIO, HE
from service.numerics.compiled import Kernel, inline
from service.numerics.types import Array, Interval

NO_CAP = math.inf
"""relu's max_value when there is none (Keras' None; null in JSON)."""


def relu(
    x: Array, negative_slope: float = 0.0, max_value: float = NO_CAP, threshold: float = 0.0
) -> Array:
    """min(x, max_value) for x > threshold, negative_slope (x - threshold) otherwise."""
    if negative_slope == 0 and threshold == 0:
        return np.clip(x, 0, max_value)
    return np.where(x > threshold, np.minimum(x, max_value), negative_slope * (x - threshold))


def relu_derivative(
    x: Array, negative_slope: float = 0.0, max_value: float = NO_CAP, threshold: float = 0.0
) -> Array:
    inside = ((x > threshold) & (x <= max_value)).astype(x.dtype)
    if negative_slope == 0:
        return inside
    return np.where(x > threshold, inside, negative_slope)


@inline
def relu_at(x: float, p: tuple[float, float, float]) -> float:
    negative_slope, max_value, threshold = p
    if negative_slope == 0.0 and threshold == 0.0:
        # numpy's clip, as the numpy path has it: +0.0 for x < 0, where 0 (x - 0) is -0.0.
        return min(max(x, 0.0), max_value)
    return min(max_value, x) if x > threshold else negative_slope * (x - threshold)


@inline
def relu_at32(x: float, p: tuple[float, float, float]) -> float:
    # The float32 value: max and min of float32 numbers are exact, and rounding is monotonic,
    # so min(max(x, 0), m) rounded is min(max(x, 0), fl32(m)); in float32, eight lanes to
    # float64's four, which was 0.4x PyTorch's relu. Other parameters compare x with a float64
    # threshold and multiply: relu_at's float64.
    negative_slope, max_value, threshold = p
    if negative_slope == 0.0 and threshold == 0.0:
        clipped = min(max(np.float32(x), np.float32(0.0)), np.float32(max_value))
        return float(clipped)  # exact: widened, to be rounded back
    return relu_at(x, p)


@inline
def relu_derivative_at(x: float, p: tuple[float, float, float]) -> float:
    negative_slope, max_value, threshold = p
    inside = 1.0 if threshold < x <= max_value else 0.0
    if negative_slope == 0.0:
        return inside  # +0.0 below the threshold even for a negative_slope of -0.0
    return inside if x > threshold else negative_slope


def _pieces(negative_slope: float, max_value: float, threshold: float) -> tuple[Piece, ...]:
    """min(u, m) above the threshold t, a (u - t) up to it."""
    top = max(max_value, threshold)  # a cap below the threshold leaves no identity piece
    pieces: tuple[Piece, ...] = (
        (-math.inf, threshold, -negative_slope * threshold, negative_slope),
        (threshold, top, 0.0, 1.0),
    )
    return pieces if top == math.inf else (*pieces, (top, math.inf, max_value, 0.0))


def relu_second_moment(
    q: Array, negative_slope: float = 0.0, max_value: float = NO_CAP, threshold: float = 0.0
) -> Array:
    """E[f(u)^2] over the pieces; q / 2 for the plain relu."""
    return second_moment(q, _pieces(negative_slope, max_value, threshold))


def relu_slope_moment(
    q: Array, negative_slope: float = 0.0, max_value: float = NO_CAP, threshold: float = 0.0
) -> Array:
    """E[f'(u)^2] over the pieces; 1/2 for the plain relu."""
    return slope_moment(q, _pieces(negative_slope, max_value, threshold))


def _range(negative_slope: float, max_value: float, threshold: float) -> Interval:
    # a (x - t) on x <= t takes 0 at t and runs to -+inf with slope a; min(x, m) on x > t
    # approaches t and reaches m (unless there is no cap), or is m throughout.
    attained = [0.0]
    approached = [-math.copysign(math.inf, negative_slope)] if negative_slope else []
    if max_value <= threshold:
        attained.append(max_value)
    elif max_value < NO_CAP:
        attained.append(max_value)
        approached.append(threshold)
    else:
        approached += [threshold, math.inf]
    return hull(attained, approached)


def _continuity(negative_slope: float, max_value: float, threshold: float) -> float:
    if min(threshold, max_value) != 0:
        return -1  # from a (x - t) -> 0 to min(t, m) at t
    right_slope = 1.0 if threshold < max_value else 0.0
    kinked = negative_slope != right_slope or threshold < max_value < NO_CAP
    return 0 if kinked else SMOOTH


def _kinks(negative_slope: float, max_value: float, threshold: float) -> tuple[float, ...]:
    return tuple(sorted({threshold, max_value} - {NO_CAP}))


ACTIVATION = Activation(
    name="relu",
    formula=(
        r"f(x) = \begin{cases} \min(x, m) & x > t \\ a (x - t) & x \le t \end{cases}"
        r"\quad (a = 0,\ m = \infty,\ t = 0:\ \max(x, 0))"
    ),
    forward=relu,
    derivative_formula=(
        r"f'(x) = \begin{cases} 0 & x > m \\ 1 & t < x \le m \\ a & x \le t \end{cases}"
    ),
    derivative=relu_derivative,
    second_derivative_formula="f''(x) = 0",
    second_derivative=no_curvature,
    # The same functions for float64: each result is exact, or one rounded product.
    kernels=(
        Kernel(
            relu_at32,
            relu_derivative_at,
            value64=relu_at,
            derivative64=relu_derivative_at,
            second_derivative64=no_curvature_at,
        ),
    ),
    parameters=(
        Parameter(
            "negative_slope",
            0.0,
            "Slope a below the threshold (Keras' generalised relu; 0 for the plain relu).",
            minimum=-1e6,
            maximum=1e6,
        ),
        Parameter(
            "max_value",
            NO_CAP,
            "Saturation value m (Keras' max_value; null, the default, for none). At least 0,"
            " as Keras' ReLU layer requires: below, its clip and its formula disagree.",
            minimum=0.0,
        ),
        Parameter(
            "threshold",
            0.0,
            "Threshold t below which the negative slope applies (Keras' threshold).",
            minimum=-1e300,
            maximum=1e300,
        ),
    ),
    kink="f'(t) = a (0 for the plain relu, as in PyTorch); f'(m) = 1, as Keras' clip gives.",
    variants=(
        {"negative_slope": 0.1, "max_value": 6.0, "threshold": 0.5},
        {"negative_slope": 0.3, "threshold": -2.0},
    ),
    follows="PyTorch (plain relu by default); the parameters are Keras' generalised relu",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.relu(x)", "no parameters: only the defaults"),
        Equivalent(
            "keras",
            "keras.activations.relu(x, negative_slope=0.0, max_value=None, threshold=0.0)",
            "f'(t) is 0 in Keras when max_value or threshold is set, negative_slope otherwise;"
            " for t < 0 with max_value set Keras also clips at 0",
        ),
        Equivalent("jax", "jax.nn.relu(x)", "no parameters: only the defaults"),
    ),
    facts=Facts(
        continuity=_continuity,
        range=_range,
        kinks=_kinks,
        cost="piecewise-linear",
        initialisation=Initialisation(
            "he_normal", math.sqrt(2), "torch.nn.init.calculate_gain('relu')"
        ),
        identities=(
            Identity(
                r"\operatorname{relu}(x) = \frac{x + |x|}{2}", relu, lambda x: (x + np.abs(x)) / 2
            ),
            Identity(
                r"\operatorname{relu}(x) - \operatorname{relu}(-x) = x",
                lambda x: relu(x) - relu(-x),
                lambda x: x,
            ),
        ),
        references=(
            Reference(
                "Nair & Hinton",
                "Rectified Linear Units Improve Restricted Boltzmann Machines",
                "ICML",
                2010,
                "https://www.cs.toronto.edu/~hinton/absps/reluICML.pdf",
            ),
            GLOROT_BORDES_BENGIO,
            HE,
        ),
    ),
    gaussian_moments=GaussianMoments(value=relu_second_moment, slope=relu_slope_moment),
)
