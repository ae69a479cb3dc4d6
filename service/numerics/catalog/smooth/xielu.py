"""xielu: alpha_p x^2 + beta x above 0, an expm1 ramp below: the xIELU of the Apertus models."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Parameter
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference, hull
from service.numerics.catalog.limits import at_infinity
from service.numerics.catalog.rectifiers.elu import elu
from service.numerics.catalog.rectifiers.relu import relu
from service.numerics.compiled import Kernel, inline, vmath, vmath64
from service.numerics.types import Array, Interval


def xielu(
    x: Array, alpha_p: float = 0.8, alpha_n: float = 0.8, beta: float = 0.5, eps: float = -1e-6
) -> Array:
    """alpha_p x^2 + beta x for x > 0, alpha_n (expm1(min(x, eps)) - x) + beta x otherwise."""
    negative = alpha_n * (np.expm1(np.minimum(x, eps)) - x) + beta * x
    if beta:  # at the least subnormals both terms may underflow: the sum is signed as beta x
        negative = np.where(negative == 0, beta * x, negative)
    result = np.where(x > 0, x * (alpha_p * x + beta), negative)
    below, above = _value_limits(alpha_p, alpha_n, beta)
    return at_infinity(x, result, below=below, above=above)


def _value_limits(alpha_p: float, alpha_n: float, beta: float) -> tuple[float, float]:
    """f at -inf and +inf: f ~ -alpha_n + (beta - alpha_n) x below, alpha_p x^2 + beta x above
    (inf - inf below, 0 * inf above for alpha_p = 0, in the formula)."""
    above = math.inf if alpha_p > 0 or beta > 0 else -math.inf if beta < 0 else 0.0
    slope = beta - alpha_n
    return (-alpha_n if slope == 0 else -math.copysign(math.inf, slope)), above


def xielu_derivative(
    x: Array, alpha_p: float = 0.8, alpha_n: float = 0.8, beta: float = 0.5, eps: float = -1e-6
) -> Array:
    # alpha_n e^x - (alpha_n - beta): f' crosses 0 where the two terms meet, and the smaller
    # the term that carries a rounding error, the less that error is magnified there.
    negative = (x <= eps) * (alpha_n * np.exp(np.minimum(x, eps))) - (alpha_n - beta)
    slope = np.where(x > 0, 2 * alpha_p * x + beta, negative)
    # 2 alpha_p x is 0 * inf at +inf for alpha_p = 0.
    return at_infinity(x, slope, below=beta - alpha_n, above=math.inf if alpha_p else beta)


def xielu_second_derivative(
    x: Array, alpha_p: float = 0.8, alpha_n: float = 0.8, beta: float = 0.5, eps: float = -1e-6
) -> Array:
    negative = (x <= eps) * (alpha_n * np.exp(np.minimum(x, eps)))
    return np.where(x > 0, 2 * alpha_p, negative)


@inline
def xielu_at(x: float, p: tuple[float, float, float, float]) -> float:
    (alpha_p, alpha_n, beta, eps) = p
    negative = alpha_n * (vmath.expm1(min(x, eps)) - x) + beta * x
    # As the numpy path: a 0 (at x = -0 for eps = 0, or both terms underflowed) signed as beta x.
    negative = beta * x if negative == 0.0 and beta != 0.0 else negative
    return x * (alpha_p * x + beta) if x > 0 else negative


@inline
def xielu_derivative_at(x: float, p: tuple[float, float, float, float]) -> float:
    (alpha_p, alpha_n, beta, eps) = p
    # As the numpy path has it: the root of alpha_n e^x - (alpha_n - beta) then carries the
    # rounding of the smaller term only.
    curve = alpha_n * vmath.exp(min(x, eps)) if x <= eps else 0.0
    return 2.0 * alpha_p * x + beta if x > 0 else curve - (alpha_n - beta)


@inline
def xielu_at64(x: float, p: tuple[float, float, float, float]) -> float:
    (alpha_p, alpha_n, beta, eps) = p
    negative = alpha_n * (vmath64.expm1(min(x, eps)) - x) + beta * x
    # As the numpy path: a 0 (at x = -0 for eps = 0, or both terms underflowed) signed as beta x.
    negative = beta * x if negative == 0.0 and beta != 0.0 else negative
    return x * (alpha_p * x + beta) if x > 0 else negative


@inline
def xielu_derivative_at64(x: float, p: tuple[float, float, float, float]) -> float:
    (alpha_p, alpha_n, beta, eps) = p
    curve = alpha_n * vmath64.exp(min(x, eps)) if x <= eps else 0.0
    return 2.0 * alpha_p * x + beta if x > 0 else curve - (alpha_n - beta)


@inline
def xielu_second_derivative_at(x: float, p: tuple[float, float, float, float]) -> float:
    (alpha_p, alpha_n, _beta, eps) = p
    curve = alpha_n * vmath64.exp(min(x, eps)) if x <= eps else 0.0
    return 2.0 * alpha_p if x > 0 else curve


def _range(alpha_p: float, alpha_n: float, beta: float, eps: float) -> Interval:
    # alpha_p x^2 + beta x (x > 0) and alpha_n (e^x - 1 - x) + beta x (x <= eps) are convex,
    # joined by a line on (eps, 0]: the extremes are at their critical points, at eps and 0,
    # or limits (0 at 0+, and at +-inf, where f ~ -alpha_n + (beta - alpha_n) x).
    def f(t: float) -> float:
        return float(xielu(np.array([t]), alpha_p, alpha_n, beta, eps)[0])

    attained = [f(0.0), f(eps)]
    if 0 < beta < alpha_n and math.log1p(-beta / alpha_n) <= eps:
        attained.append(f(math.log1p(-beta / alpha_n)))
    if alpha_p > 0 and beta < 0:
        attained.append(f(-beta / (2 * alpha_p)))
    if alpha_p == 0 and beta == 0:
        attained.append(0.0)
    below, above = _value_limits(alpha_p, alpha_n, beta)
    return hull(attained, [0.0, above, below])


def _continuity(alpha_p: float, alpha_n: float, beta: float, eps: float) -> float:
    if alpha_n * math.expm1(eps) != 0:
        return -1  # f(0) = alpha_n expm1(eps), where the positive side starts from 0
    # f' is beta on both sides of 0; f'' is alpha_n (or 0) on the left and 2 alpha_p on the
    # right, f''' alpha_n on the left and 0 on the right.
    if alpha_n != 2 * alpha_p:
        return 1
    return 2 if alpha_n != 0 else SMOOTH


def _kinks(alpha_p: float, alpha_n: float, beta: float, eps: float) -> tuple[float, ...]:
    return tuple(sorted({eps, 0.0}))  # the joints of the three pieces


ACTIVATION = Activation(
    name="xielu",
    formula=(
        r"f(x) = \begin{cases} \alpha_p x^2 + \beta x & x > 0 \\"
        r" \alpha_n \left(e^{\min(x, \epsilon)} - 1 - x\right) + \beta x & x \le 0 \end{cases}"
    ),
    forward=xielu,
    derivative_formula=(
        r"f'(x) = \begin{cases} 2\alpha_p x + \beta & x > 0 \\ \beta - \alpha_n & \epsilon < x \le 0"
        r" \\ \alpha_n (e^{x} - 1) + \beta & x \le \epsilon \end{cases}"
    ),
    derivative=xielu_derivative,
    second_derivative_formula=(
        r"f''(x) = \begin{cases} 2\alpha_p & x > 0 \\ 0 & \epsilon < x \le 0 \\"
        r" \alpha_n e^{x} & x \le \epsilon \end{cases}"
    ),
    second_derivative=xielu_second_derivative,
    kernels=(
        Kernel(
            xielu_at,
            xielu_derivative_at,
            value64=xielu_at64,
            derivative64=xielu_derivative_at64,
            second_derivative64=xielu_second_derivative_at,
        ),
    ),
    parameters=(
        Parameter(
            "alpha_p", 0.8, "Curvature alpha_p of the positive part.", minimum=0.0, maximum=1e6
        ),
        Parameter("alpha_n", 0.8, "Scale alpha_n of the negative part.", minimum=0.0, maximum=1e6),
        Parameter("beta", 0.5, "Slope beta at the origin.", minimum=-1e6, maximum=1e6),
        Parameter(
            "eps",
            -1e-6,
            "expm1's argument is capped at eps <= 0, as in Apertus; eps = 0 makes f' continuous.",
            minimum=-1.0,
            maximum=0.0,
        ),
    ),
    kink=(
        "f'(x) and f''(x) take the left-hand pieces at x = eps and x = 0: f'(0) = beta - alpha_n"
        " and f''(0) = 0 while eps < 0 (f jumps by alpha_n expm1(eps) at 0, as in Apertus)."
    ),
    variants=({"eps": 0.0}, {"alpha_p": 2.0, "alpha_n": 0.6, "beta": 0.3, "eps": -1e-3}),
    follows="the Apertus models' defaults (transformers' XIELUActivation; PyTorch, Keras and JAX have no such function)",
    facts=Facts(
        continuity=_continuity,
        range=_range,
        kinks=_kinks,
        cost="exp",
        initialisation=Initialisation(None),
        identities=(
            Identity(
                r"f'(x) = 2\alpha_p \operatorname{relu}(x) + \beta\quad(x > 0)",
                xielu_derivative,
                lambda x: 2 * 0.8 * relu(x) + 0.5,
                domain=(1e-300, 30.0),
            ),
            Identity(
                r"f'(x) = \alpha_n \operatorname{elu}(x) + \beta\quad(x \le \epsilon)",
                xielu_derivative,
                lambda x: 0.8 * elu(x) + 0.5,
                domain=(-30.0, -1e-6),
            ),
        ),
        references=(
            Reference(
                "Huang & Schlag",
                "Deriving Activation Functions Using Integration",
                "arXiv:2411.13010",
                2024,
                "https://arxiv.org/abs/2411.13010",
            ),
        ),
    ),
)
