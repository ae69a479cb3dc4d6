"""elu: x above 0, alpha (e^x - 1) below, saturating smoothly at -alpha."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import erfcx

from service.numerics.catalog.entry import Activation, Equivalent, GaussianMoments, Parameter
from service.numerics.catalog.facts import Facts, Identity, Initialisation, Reference, hull
from service.numerics.catalog.limits import at_infinity
from service.numerics.catalog.piecewise import select
from service.numerics.compiled import Kernel, inline, vmath, vmath64
from service.numerics.types import Array, Interval


def elu(x: Array, alpha: float = 1.0) -> Array:
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    # expm1 keeps relative accuracy near 0, and the minimum keeps exp from overflowing. A
    # select on the sign bit: a product that underflows keeps its sign (a sum with the other
    # side's exact 0 made it +0), and -0 takes the left formula, alpha expm1(-0).
    return np.where(np.signbit(x), alpha * np.expm1(np.minimum(x, -0.0)), x)


def elu_derivative(x: Array, alpha: float = 1.0) -> Array:
    slope = select(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))
    # alpha e^x vanishes from below for alpha < 0, which select's arithmetic makes +0.
    return at_infinity(x, slope, below=math.copysign(0.0, alpha), above=1.0)


def elu_second_derivative(x: Array, alpha: float = 1.0) -> Array:
    return (x <= 0) * (alpha * np.exp(np.minimum(x, 0)))


@inline
def elu_at(x: float, p: tuple[float]) -> float:
    (alpha,) = p
    # expm1 keeps relative accuracy near 0; the select is the numpy path's.
    return alpha * vmath.expm1(min(-0.0, x)) if np.signbit(x) else x


@inline
def elu_derivative_at(x: float, p: tuple[float]) -> float:
    (alpha,) = p
    return 1.0 if x > 0 else alpha * vmath.exp(x)  # vmath.exp saturates: no overflow for x > 0


# For float64, on vmath64: expm1 within 1.1 ULP, exp within 0.82, and alpha times either one
# more rounding.
@inline
def elu_at64(x: float, p: tuple[float]) -> float:
    (alpha,) = p
    return alpha * vmath64.expm1(min(-0.0, x)) if np.signbit(x) else x


@inline
def elu_derivative_at64(x: float, p: tuple[float]) -> float:
    (alpha,) = p
    return 1.0 if x > 0 else alpha * vmath64.exp(x)


@inline
def elu_second_derivative_at(x: float, p: tuple[float]) -> float:
    (alpha,) = p
    return alpha * vmath64.exp(x) if x <= 0 else 0.0


# (e^u - 1)^2 = sum_{n>=2} (2^n - 2) u^n / n!, and E[u^n; u <= 0] = (-sqrt q)^n m_n with
# m_n = E[z^n; z >= 0] = 2^(n/2) Gamma((n + 1)/2) / (2 sqrt pi). Below q = 1/64, 16 terms
# leave a remainder under 1e-17 of the sum; at 1/64 the closed form is good to 3e-14.
_SERIES_BELOW = 1 / 64
_SERIES = tuple(
    (-1) ** n
    * (2**n - 2)
    / math.factorial(n)
    * 2 ** (n / 2)
    * math.gamma((n + 1) / 2)
    / (2 * math.sqrt(math.pi))
    for n in range(2, 18)
)


def elu_second_moment(q: Array, alpha: float = 1.0) -> Array:
    """E[f(u)^2] = q/2 + alpha^2 (e^{2q} Phi(-2 sqrt q) - 2 e^{q/2} Phi(-sqrt q) + 1/2)."""
    # e^{a^2/2} Phi(-a) = erfcx(a / sqrt 2) / 2 stays finite where e^{2q} alone overflows.
    negative = erfcx(np.sqrt(2 * q)) / 2 - erfcx(np.sqrt(q / 2)) + 0.5
    # Its terms cancel to O(q) as q -> 0, leaving rounding errors of 1e-16 against q/2:
    # below 1/64 the series of E[(e^u - 1)^2; u <= 0] in sqrt q replaces them.
    s = np.sqrt(np.minimum(q, _SERIES_BELOW))
    series = np.zeros_like(s)
    for coefficient in reversed(_SERIES):
        series = series * s + coefficient
    negative = np.where(q < _SERIES_BELOW, series * (s * s), negative)
    return q / 2 + alpha**2 * negative


def elu_slope_moment(q: Array, alpha: float = 1.0) -> Array:
    """E[f'(u)^2] = 1/2 + alpha^2 e^{2q} Phi(-2 sqrt q)."""
    return 0.5 + alpha**2 * erfcx(np.sqrt(2 * q)) / 2


def _range(alpha: float) -> Interval:
    # For alpha < 0 the negative side rises towards -alpha: the minimum is f(0) = 0.
    return hull([0.0], [-alpha, math.inf])


ACTIVATION = Activation(
    name="elu",
    formula=r"f(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
    forward=elu,
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
    derivative=elu_derivative,
    second_derivative_formula=(
        r"f''(x) = \begin{cases} 0 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}"
    ),
    second_derivative=elu_second_derivative,
    kernels=(
        Kernel(
            elu_at,
            elu_derivative_at,
            value64=elu_at64,
            derivative64=elu_derivative_at64,
            second_derivative64=elu_second_derivative_at,
        ),
    ),
    parameters=(
        Parameter(
            "alpha",
            1.0,
            "Scale of the negative saturation value -alpha.",
            minimum=-1e6,
            maximum=1e6,
        ),
    ),
    kink="f'(0) = f''(0) = alpha, as in PyTorch (f' is continuous at 0 only when alpha = 1).",
    variants=({"alpha": 2.0}, {"alpha": 0.5}),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.elu(x, alpha=1.0)"),
        Equivalent("keras", "keras.activations.elu(x, alpha=1.0)"),
        Equivalent("jax", "jax.nn.elu(x, alpha=1.0)"),
    ),
    facts=Facts(
        continuity=lambda alpha: 1 if alpha == 1 else 0,
        range=_range,
        kinks=(0.0,),
        cost="exp",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"f'(x) = f(x) + \alpha\quad(x \le 0)",
                elu_derivative,
                lambda x: elu(x) + 1.0,
                domain=(-30.0, 0.0),
            ),
            Identity(
                r"f(x) = \max(0, x) + \min(0, \alpha(e^{x} - 1))\quad(\alpha \ge 0)",
                elu,
                lambda x: np.maximum(0, x) + np.minimum(0, np.expm1(x)),
            ),
        ),
        references=(
            Reference(
                "Clevert, Unterthiner & Hochreiter",
                "Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs)",
                "ICLR",
                2016,
                "https://arxiv.org/abs/1511.07289",
            ),
        ),
    ),
    gaussian_moments=GaussianMoments(value=elu_second_moment, slope=elu_slope_moment),
)
