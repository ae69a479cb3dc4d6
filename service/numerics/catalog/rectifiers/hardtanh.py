"""hardtanh: x clamped to [a, b], tanh's piecewise-linear stand-in."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, GaussianMoments, Parameter
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.piecewise import (
    Piece,
    no_curvature,
    no_curvature_at,
    second_moment,
    slope_moment,
)
from service.numerics.catalog.rectifiers.relu import relu
from service.numerics.compiled import Kernel, inline
from service.numerics.types import Array, Interval


def hardtanh(x: Array, min_val: float = -1.0, max_val: float = 1.0) -> Array:
    """min(max(x, min_val), max_val)."""
    return np.clip(x, min_val, max_val)


def hardtanh_derivative(x: Array, min_val: float = -1.0, max_val: float = 1.0) -> Array:
    return ((x > min_val) & (x < max_val)).astype(x.dtype)


@inline
def hardtanh_at(x: float, p: tuple[float, float]) -> float:
    min_val, max_val = p
    return min(max(x, min_val), max_val)


@inline
def hardtanh_at32(x: float, p: tuple[float, float]) -> float:
    # In float32, eight lanes to four: rounding is monotonic, so the clamp rounded is the
    # clamp to the bounds rounded.
    min_val, max_val = p
    return float(min(max(np.float32(x), np.float32(min_val)), np.float32(max_val)))


@inline
def hardtanh_derivative_at(x: float, p: tuple[float, float]) -> float:
    min_val, max_val = p
    return 1.0 if min_val < x < max_val else 0.0


def _pieces(min_val: float, max_val: float) -> tuple[Piece, ...]:
    return (
        (-math.inf, min_val, min_val, 0.0),
        (min_val, max_val, 0.0, 1.0),
        (max_val, math.inf, max_val, 0.0),
    )


def hardtanh_second_moment(q: Array, min_val: float = -1.0, max_val: float = 1.0) -> Array:
    return second_moment(q, _pieces(min_val, max_val))


def hardtanh_slope_moment(q: Array, min_val: float = -1.0, max_val: float = 1.0) -> Array:
    return slope_moment(q, _pieces(min_val, max_val))


def _range(min_val: float, max_val: float) -> Interval:
    return Interval(min_val, max_val, True, True) if min_val < max_val else Interval.point(max_val)


ACTIVATION = Activation(
    name="hardtanh",
    aliases=("hard_tanh",),
    formula=r"f(x) = \min(\max(x, a), b)",
    forward=hardtanh,
    derivative_formula=r"f'(x) = \begin{cases} 1 & a < x < b \\ 0 & \text{otherwise} \end{cases}",
    derivative=hardtanh_derivative,
    second_derivative_formula="f''(x) = 0",
    second_derivative=no_curvature,
    # The same functions for float64: each result is exact, or one rounded operation.
    kernels=(
        Kernel(
            hardtanh_at32,
            hardtanh_derivative_at,
            value64=hardtanh_at,
            derivative64=hardtanh_derivative_at,
            second_derivative64=no_curvature_at,
        ),
    ),
    parameters=(
        Parameter("min_val", -1.0, "Lower bound a.", minimum=-1e300, maximum=1e300),
        Parameter("max_val", 1.0, "Upper bound b (at least a).", minimum=-1e300, maximum=1e300),
    ),
    ordered=(("min_val", "max_val"),),
    kink="f'(a) = f'(b) = 0, as in PyTorch.",
    variants=({"min_val": -0.3, "max_val": 2.5},),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.hardtanh(x, min_val=-1.0, max_val=1.0)"),
        Equivalent("keras", "keras.activations.hard_tanh(x)", "bounds fixed at -1, 1; f'(+-1) = 1"),
        Equivalent("jax", "jax.nn.hard_tanh(x)", "bounds fixed at -1, 1; f'(+-1) = 1"),
    ),
    facts=Facts(
        continuity=lambda min_val, max_val: 0 if min_val < max_val else SMOOTH,
        range=_range,
        kinks=lambda min_val, max_val: (min_val, max_val) if min_val < max_val else (),
        cost="piecewise-linear",
        initialisation=Initialisation("xavier_normal"),
        identities=(
            Identity(
                r"\operatorname{hardtanh}(x) = \operatorname{relu}(x + 1) - \operatorname{relu}(x - 1) - 1",
                hardtanh,
                lambda x: relu(x + 1) - relu(x - 1) - 1,
            ),
        ),
        references=(
            Reference(
                "Collobert",
                "Large Scale Machine Learning",
                "PhD thesis, Université Paris VI",
                2004,
                "https://ronan.collobert.com/pub/matos/2004_phdthesis_lip6.pdf",
            ),
        ),
    ),
    gaussian_moments=GaussianMoments(value=hardtanh_second_moment, slope=hardtanh_slope_moment),
)
