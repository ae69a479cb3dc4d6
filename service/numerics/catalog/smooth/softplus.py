"""softplus: log(1 + e^(beta x)) / beta, a smooth relu, and x itself past PyTorch's threshold."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, Parameter
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.limits import at_infinity
from service.numerics.catalog.piecewise import select
from service.numerics.catalog.references import GLOROT_BORDES_BENGIO
from service.numerics.catalog.sigmoidal.sigmoid import (
    sigmoid,
    sigmoid_at,
    sigmoid_at64,
    sigmoid_derivative,
    sigmoid_derivative_at64,
)
from service.numerics.compiled import Kernel, inline, vmath, vmath64
from service.numerics.types import Array, Interval


def softplus(x: Array, beta: float = 1.0, threshold: float = 20.0) -> Array:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as PyTorch does)."""
    scaled = _scale(x, beta)
    # log(1 + e^u) = max(u, 0) + log1p(e^-|u|), as np.logaddexp computes it but several times
    # faster; u is capped at the threshold, beyond which x itself is taken, to stay finite.
    u = np.minimum(scaled, threshold)
    result = select(scaled > threshold, x, (np.maximum(u, 0) + np.log1p(np.exp(-np.abs(u)))) / beta)
    return at_infinity(x, result, below=0.0, above=math.inf)  # select's 0 * -inf is NaN


def softplus_derivative(x: Array, beta: float = 1.0, threshold: float = 20.0) -> Array:
    scaled = _scale(x, beta)
    return select(scaled > threshold, 1.0, sigmoid(np.minimum(scaled, threshold)))


def softplus_second_derivative(x: Array, beta: float = 1.0, threshold: float = 20.0) -> Array:
    scaled = _scale(x, beta)
    return (scaled <= threshold) * (beta * sigmoid_derivative(np.minimum(scaled, threshold)))


def _scale(x: Array, beta: float) -> Array:
    # beta * x may overflow to +-inf for huge x; both branches then give the right limit.
    with np.errstate(over="ignore"):
        return x * beta


@inline
def softplus_at(x: float, p: tuple[float, float]) -> float:
    (beta, threshold) = p
    u = x * beta
    # Past the threshold x itself, as PyTorch has it; u is finite for any float32 x. Below,
    # max(u, 0) + log1p(e), e = e^-|u| by vmath.exp_for_float32 (2.6e-9), a sum of two terms
    # >= 0 of which log1p(e) moves by e/(1 + e) <= log1p(e) times e's error: within 2.6e-9
    # and log1p_unit's 1e-14, 0.55 ULP once rounded.
    softplus = max(u, 0.0) + vmath.log1p_unit(vmath.exp_for_float32(-abs(u)))
    return x if u > threshold else softplus * (1.0 / beta)


@inline
def softplus_derivative_at(x: float, p: tuple[float, float]) -> float:
    (beta, threshold) = p
    u = x * beta
    return 1.0 if u > threshold else sigmoid_at(u, ())  # within 0.55 ULP


# For float64, as the numpy path: beta x may overflow, and then either branch gives the limit
# (vmath64.exp clamps its argument, so e^-inf is 0).
@inline
def softplus_at64(x: float, p: tuple[float, float]) -> float:
    (beta, threshold) = p
    scaled = x * beta
    u = min(scaled, threshold)
    return x if scaled > threshold else (max(u, 0.0) + vmath64.log1p(vmath64.exp(-abs(u)))) / beta


@inline
def softplus_derivative_at64(x: float, p: tuple[float, float]) -> float:
    (beta, threshold) = p
    scaled = x * beta
    return 1.0 if scaled > threshold else sigmoid_at64(min(scaled, threshold), ())


@inline
def softplus_second_derivative_at(x: float, p: tuple[float, float]) -> float:
    (beta, threshold) = p
    scaled = x * beta
    return 0.0 if scaled > threshold else beta * sigmoid_derivative_at64(scaled, ())


def _continuity(beta: float, threshold: float) -> float:
    # The switch to x at beta x > threshold leaves a step of log1p(e^-threshold)/beta, which
    # is 0 in float64 only once e^-threshold underflows.
    return -1 if math.log1p(math.exp(-threshold)) / beta > 0 else SMOOTH


def _kinks(beta: float, threshold: float) -> tuple[float, ...]:
    # The switch at beta x = threshold, where it leaves a step (see _continuity).
    return (threshold / beta,) if _continuity(beta, threshold) != SMOOTH else ()


ACTIVATION = Activation(
    name="softplus",
    formula=(
        r"f(x) = \begin{cases} \frac{1}{\beta}\log(1 + e^{\beta x}) & \beta x \le t \\"
        r" x & \beta x > t \end{cases}"
    ),
    forward=softplus,
    derivative_formula=r"f'(x) = \begin{cases} \sigma(\beta x) & \beta x \le t \\ 1 & \beta x > t \end{cases}",
    derivative=softplus_derivative,
    second_derivative_formula=(
        r"f''(x) = \begin{cases} \beta\,\sigma(\beta x)\,\sigma(-\beta x) & \beta x \le t \\"
        r" 0 & \beta x > t \end{cases}"
    ),
    second_derivative=softplus_second_derivative,
    kernels=(
        Kernel(
            softplus_at,
            softplus_derivative_at,
            value64=softplus_at64,
            derivative64=softplus_derivative_at64,
            second_derivative64=softplus_second_derivative_at,
        ),
    ),
    parameters=(
        Parameter(
            "beta",
            1.0,
            "Sharpness beta; the curve tends to relu as beta grows.",
            minimum=1e-4,
            maximum=1e4,
        ),
        Parameter(
            "threshold",
            20.0,
            "Above beta*x > threshold the function is x itself, as in PyTorch. The switch makes a"
            " jump of log1p(exp(-threshold))/beta (2e-9 at the default); raise it to 1e300 for the"
            " exact softplus everywhere.",
            minimum=0.0,
            exclusive_minimum=True,
        ),
    ),
    kink="At beta*x = threshold the linear branch starts just above: f'(x) = sigma(threshold) and"
    " f''(x) = beta sigma'(threshold) there, as in PyTorch.",
    variants=({"beta": 2.0}, {"beta": 0.5, "threshold": 5.0}, {"threshold": 1e300}),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.softplus(x, beta=1.0, threshold=20.0)"),
        Equivalent(
            "keras",
            "keras.activations.softplus(x)",
            "no beta and no threshold: the exact log(1 + e^x) everywhere (threshold=1e300 here)",
        ),
        Equivalent(
            "jax",
            "jax.nn.softplus(x)",
            "no beta and no threshold: the exact log(1 + e^x) everywhere (threshold=1e300 here)",
        ),
    ),
    facts=Facts(
        continuity=_continuity,
        range=Interval(0.0, math.inf, False, False),
        kinks=_kinks,
        cost="log",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"\operatorname{softplus}'(x) = \sigma(x)\quad(x \le t)",
                softplus_derivative,
                sigmoid,
                domain=(-30.0, 20.0),
            ),
            Identity(
                r"\operatorname{softplus}(x) - \operatorname{softplus}(-x) = x\quad(|x| \le t)",
                lambda x: softplus(x) - softplus(-x),
                lambda x: x,
                domain=(-20.0, 20.0),
            ),
            Identity(
                r"\operatorname{softplus}(x) = -\log\sigma(-x)\quad(x \le t)",
                softplus,
                lambda x: -np.log(sigmoid(-x)),
                domain=(-30.0, 20.0),
            ),
        ),
        references=(
            Reference(
                "Dugas, Bengio, Bélisle, Nadeau & Garcia",
                "Incorporating Second-Order Functional Knowledge for Better Option Pricing",
                "NeurIPS",
                2000,
                "https://papers.nips.cc/paper/1920-incorporating-second-order-functional-knowledge-for-better-option-pricing",
            ),
            GLOROT_BORDES_BENGIO,
        ),
    ),
)
