"""tanhshrink: x - tanh x, the residual of tanh, cubic near 0."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation
from service.numerics.catalog.sigmoidal.tanh import tanh_derivative, tanh_second_derivative_at
from service.numerics.compiled import Kernel, inline, vmath, vmath32, vmath64
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


# Below 1 for float32: x - tanh x = x^3 (1/3 + z R(z)), z = x^2, R fitted in float32
# coefficients: within 0.48 u of the result, u = 2^-24 (scripts/fit_polynomials.py --float32).
# 1/3 is a float32 pair, so that its rounding (an u) does not reach the result.
_SERIES32 = tuple(
    np.float32(c)
    for c in (
        -0.0001705014583421871,
        0.001017450587823987,
        -0.003330997657030821,
        0.00877838023006916,
        -0.021855926141142845,
        0.0539674237370491,
        -0.13333332538604736,
    )
)
_THIRD_HI = np.float32(1 / 3)
_THIRD_LO = np.float32(float(Fraction(1, 3) - Fraction(float(_THIRD_HI))))
_ONE32 = np.float32(1.0)


@inline
def tanhshrink_at32(x: float, _: tuple[()]) -> float:
    """x - tanh x for a float32 x, in float32 arithmetic: within 2 max(1, kappa) ULP, kappa =
    x tanh^2 x/(x - tanh x), which is 3 at 0, 2.44 at 1 and falls to 1 beyond. y = |x|, the sign
    put back; u = 2^-24, each rounding within u of its result and k u within k ULP.

    - Below 1: y^3 = c + c' exactly (z + z' = y^2 and y z from fmas, y z' rounded: u^2), and
      1/3 + z R(z) = H + (L + z R(z)) = H + i: i weighs at most 0.4 of the sum (at y = 1), so
      R's fit (0.48 u), its last Horner step and i's fma (0.4 u each, the earlier steps 0.1 u
      in all) and the fma forming c i + c' H (0.4 u) cost 1.8 u; the last fma, c H + that,
      rounds once more: within 2.8 ULP, against a budget of 4.9 ULP or more.
    - From 1 on, (y - 1) + q, q = 2/(e^2y + 1) = 1 - tanh y (vmath32.tanh_complement, 2y
      clipped at 20, where q is below 2^-27 of y - 1): y - 1 is exact (a float32 y >= 1 and 1
      are multiples of y's ULP below 2^24), and nothing cancels, both terms being >= 0. q is
      within (1.87 v + 2) u of itself, v = e^2y/(e^2y + 1) weighing e^2y's error (0.88 at
      y = 1), e^2y + 1's and the quotient's roundings an u each; it weighs w = q/(y - 1 + q)
      of the result, which the sum rounds once more (exactly at y = 1): 3.65 ULP at y = 1,
      against a budget of 4.9; 4.5 at 1.01 (w = 0.96, budget 4.85), 2.2 at 1.3 (w = 0.32,
      budget 4.4), 1.1 at 2 (w = 0.035, budget 3.6).
    Measured against the float64 kernel at every float32: within 1.95 ULP (at y = 0.9986,
    below 1), 0.40 of 2 max(1, kappa) at most.
    """
    xf = np.float32(x)
    y = abs(xf)
    z = y * y
    z_lo = vmath32.fma(y, y, -z)  # type: ignore[call-arg,var-annotated]
    cube = y * z
    cube_lo = vmath32.fma(y, z, -cube) + y * z_lo
    inner = vmath32.fma(z, vmath32.horner(_SERIES32, z), _THIRD_LO)
    small = vmath32.fma(cube, _THIRD_HI, vmath32.fma(cube, inner, cube_lo * _THIRD_HI))
    large = (y - _ONE32) + vmath32.tanh_complement(y)
    return np.float32(math.copysign(small if y < _ONE32 else large, xf))


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
            tanhshrink_at32,
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
