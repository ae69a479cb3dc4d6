"""tanhshrink: x - tanh x, the residual of tanh, cubic near 0."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation
from service.numerics.catalog.sigmoidal.tanh import tanh_derivative, tanh_second_derivative_at
from service.numerics.compiled import Kernel, inline, vmath, vmath64
from service.numerics.compiled.vmath64.dd import rounded_product, two_sum
from service.numerics.types import REAL_LINE, Array

# x - tanh x = (x cosh x - sinh x) / cosh x, and x cosh x - sinh x = x^3 sum_k c_k x^(2k-2)
# with c_k = 2k/(2k+1)!: all terms positive, so the series has no cancellation of its own.
# Below |x| = 1 ten terms reach 1e-18; beyond, x - tanh x loses under two bits.
TANHSHRINK_SERIES = tuple(
    float(Fraction(2 * k, math.factorial(2 * k + 1))) for k in range(10, 0, -1)
)
TANHSHRINK_SERIES_LIMIT = 1.0


def tanhshrink(x: Array) -> Array:
    """x - tanh x; near 0, where the two cancel, x^3 S(x^2) / cosh x by its series."""
    near = np.clip(x, -TANHSHRINK_SERIES_LIMIT, TANHSHRINK_SERIES_LIMIT)
    square = near * near
    series = np.full_like(x, TANHSHRINK_SERIES[0])
    for coefficient in TANHSHRINK_SERIES[1:]:
        series = series * square + coefficient
    small = near * square * series / np.cosh(near)
    return np.where(np.abs(x) < TANHSHRINK_SERIES_LIMIT, small, x - np.tanh(x))


def tanhshrink_derivative(x: Array) -> Array:
    return np.square(np.tanh(x))


def tanhshrink_second_derivative(x: Array) -> Array:
    return 2 * np.tanh(x) * tanh_derivative(x)


@inline
def tanhshrink_at(x: float, _: tuple[()]) -> float:
    tanh = vmath.tanh(x)
    # Near 0, where x and tanh x cancel, the numpy path's series x^3 S(x^2) / cosh x; 1/cosh
    # is sqrt(1 - tanh^2) from the tanh at hand, which stays below 0.77 there: no cancellation.
    near = min(max(x, -TANHSHRINK_SERIES_LIMIT), TANHSHRINK_SERIES_LIMIT)
    square = near * near
    series = 0.0
    for coefficient in TANHSHRINK_SERIES:
        series = series * square + coefficient
    small = near * square * series * math.sqrt((1.0 - tanh) * (1.0 + tanh))
    return small if abs(x) < TANHSHRINK_SERIES_LIMIT else x - tanh


@inline
def tanhshrink_derivative_at(x: float, _: tuple[()]) -> float:
    tanh = vmath.tanh(x)
    return tanh * tanh


# For float64: near 0 the series times sech x = 2e/(1 + e^2), e = e^-|x| (no cancellation;
# kappa is 3 there); beyond, |x| - tanh|x| with tanh as a pair, so that the difference
# (kappa 2.4 at |x| = 1) carries tanh's 0.6 u rather than its rounding.
@inline
def tanhshrink_at64(x: float, _: tuple[()]) -> float:
    a = abs(x)
    t, t_lo = vmath64.tanh_pair(a)
    far, far_lo = two_sum(a, -t)
    near = min(a, TANHSHRINK_SERIES_LIMIT)
    square = near * near
    series = 0.0
    for coefficient in TANHSHRINK_SERIES:
        series = series * square + coefficient
    e = vmath64.exp(-near)
    small = near * square * series * (2.0 * e / (1.0 + e * e))
    return math.copysign(small if a < TANHSHRINK_SERIES_LIMIT else far + (far_lo - t_lo), x)


@inline
def tanhshrink_derivative_at64(x: float, _: tuple[()]) -> float:
    t, t_lo = vmath64.tanh_pair(x)
    return rounded_product(t, t_lo, t, t_lo)


@inline
def tanhshrink_second_derivative_at(x: float, _: tuple[()]) -> float:
    return -tanh_second_derivative_at(x, ())  # 2 tanh sech^2 = -tanh''


ACTIVATION = Activation(
    name="tanhshrink",
    aliases=("tanh_shrink",),
    formula=r"f(x) = x - \tanh x",
    forward=tanhshrink,
    derivative_formula=r"f'(x) = \tanh^2 x",
    derivative=tanhshrink_derivative,
    second_derivative_formula=r"f''(x) = 2 \tanh x \operatorname{sech}^2 x",
    second_derivative=tanhshrink_second_derivative,
    kernels=(
        Kernel(
            tanhshrink_at,
            tanhshrink_derivative_at,
            value64=tanhshrink_at64,
            derivative64=tanhshrink_derivative_at64,
            second_derivative64=tanhshrink_second_derivative_at,
        ),
    ),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.tanhshrink(x)"),
        Equivalent("keras", "keras.activations.tanh_shrink(x)"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=REAL_LINE,
        cost="exp",
        initialisation=Initialisation(None),
        identities=(
            Identity(r"f(x) = x - \tanh x", tanhshrink, lambda x: x - np.tanh(x)),
            Identity(
                r"f'(x) = 1 - \tanh' x", tanhshrink_derivative, lambda x: 1 - tanh_derivative(x)
            ),
        ),
    ),
)
