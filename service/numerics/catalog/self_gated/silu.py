"""silu: x sigma(beta x), the sigmoid-weighted linear unit (swish)."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, Parameter
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.limits import at_infinity, negative_where_zero
from service.numerics.catalog.references import HENDRYCKS_GIMPEL
from service.numerics.catalog.sigmoidal.sigmoid import logistic_pairs, sigmoid, sigmoid_derivative
from service.numerics.compiled import Kernel, inline, vmath, vmath64
from service.numerics.compiled.vmath64.dd import add, divide, product, scale, two_sum
from service.numerics.types import REAL_LINE, Array, Interval

# Past |u| = 1e4 the gate is 0 or 1 to the last bit and sigma'(u) is 0; clipping there keeps
# u sigma'(u) and u tanh(u/2) finite when beta x overflows.
_SATURATED = 1e4
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _gate_argument(x: Array, beta: float) -> Array:
    with np.errstate(over="ignore"):
        result: Array = np.clip(x * beta, -_SATURATED, _SATURATED)
        return result


def _limits(beta: float) -> tuple[tuple[float, float], ...]:
    """(f, f', f'') at (-inf, +inf): for beta > 0 the tail below 0 vanishes from below; for
    beta = 0, f = x/2 (beta x is 0 * inf there)."""
    if beta > 0:
        return (-0.0, math.inf), (-0.0, 1.0), (-0.0, -0.0)
    return (-math.inf, math.inf), (0.5, 0.5), (0.0, 0.0)


def silu(x: Array, beta: float = 1.0) -> Array:
    """x sigma(beta x)."""
    below, above = _limits(beta)[0]
    return at_infinity(x, x * sigmoid(_gate_argument(x, beta)), below=below, above=above)


def silu_derivative(x: Array, beta: float = 1.0) -> Array:
    u = _gate_argument(x, beta)
    below, above = _limits(beta)[1]
    slope = negative_where_zero(sigmoid(u) + u * sigmoid_derivative(u), u < 0)
    return at_infinity(x, slope, below=below, above=above)


def silu_second_derivative(x: Array, beta: float = 1.0) -> Array:
    # beta (2 sigma'(u) + u sigma''(u)) with sigma'' = -sigma' tanh(u/2). The bracket crosses 0
    # at u = +-2.4 and magnifies the roundings of u tanh(u/2) there, so it is evaluated in
    # numpy's extended precision (a 64-bit significand on x86) and rounded once.
    u = _gate_argument(x.astype(np.longdouble), beta)
    curvature = beta * sigmoid_derivative(u) * (2 - u * np.tanh(u / 2))
    below, above = _limits(beta)[2]
    return at_infinity(x, curvature.astype(x.dtype), below=below, above=above)


@inline
def silu_at(x: float, p: tuple[float]) -> float:
    """x / (1 + E), E = e^-(beta x), in float64 for a float32 result.

    E by vmath.exp_for_float32, within 2.6e-9 relative; x / (1 + E) is off by E/(1 + E) <= 1
    times that, and by the float64 product, sum and quotient, 4e-16: within 0.55 ULP of the
    exact value once rounded to float32 (the subnormals included: the float64 value is far
    above them), so within an ULP of the numpy path's, and the same but near ties. Past
    |beta x| = 700, E saturates at e^+-700, and x / (1 + E) is x, or below float32's least
    subnormal. At -inf x is taken as float32's lowest for beta > 0, which gives the limit -0;
    with beta = 0, 0 * inf is NaN, and so is the result: the kernel declines the point, and the
    numpy path answers the limit x/2 = x.
    """
    (beta,) = p
    y = max(x, -_FLOAT32_MAX if beta > 0.0 else -math.inf)
    return y / (1.0 + vmath.exp_for_float32(y * -beta))  # -beta: hoisted out of the loop


@inline
def gate_slope(v: float, x_dv: float) -> float:
    """d/dx x sigma(v(x)) = sigma(v) (1 + x v' sigma(-v)), given v and x v'.

    Written over (1 + e)^2, e = e^-|v|. Below 0 the bracket is (1 + x v') + e, whose root
    (silu's at u = -1.28, tanh-GELU's at x = -0.75) then carries the roundings of x v' and e
    alone: 1 + x v' is exact there.
    """
    e = vmath.exp(-abs(v))
    reciprocal = 1.0 / (1.0 + e)
    bracket = e * ((1.0 + x_dv) + e) if v < 0 else (1.0 + e) + x_dv * e
    return bracket * (reciprocal * reciprocal)


@inline
def silu_derivative_at(x: float, p: tuple[float]) -> float:
    (beta,) = p
    u = beta * x
    return gate_slope(u, u)  # v = u = beta x, so x v' = u


@inline
def silu_derivative_short_at(x: float, p: tuple[float]) -> float:
    """silu's own float32 slope: gate_slope's formula on vmath.exp_for_float32 (2.6e-9
    relative) instead of vmath.exp, a quarter of the loop's time, spending the float32
    contract's 2 max(1, kappa) ULP where the bracket cancels rather than an ULP everywhere.

    With e = e^-|u|, u = beta x, the slope is ((1 + e) + u e) / (1 + e)^2 for u >= 0 and
    e ((1 + u) + e) / (1 + e)^2 below. e's error reaches the result once through each factor
    of e / (1 + e)^2 (2 x 2.6e-9) and once through the bracket b, magnified by e / |b|, which
    is below 1 but near b's root u0 = -1 - W(1/e) = -1.278: within 1.2e-8 (0.2 ULP) of the
    result wherever |u - u0| >= 0.3. Nearer, b's error is at most 2.6e-9 e^u0 = 7.3e-10, the
    result's 0.17 times that, 1.2e-10: within 0.009 / |u - u0| float32 ULP of the slope, whose
    condition number there is |u0 / (u - u0)|: below 0.004 of the contract's budget. (Its
    relative error near the root is still ~1e-6 of a slope that is itself below 1e-4.)
    """
    (beta,) = p
    u = beta * x
    e = vmath.exp_for_float32(-abs(u))
    d = 1.0 + e
    bracket = e * ((1.0 + u) + e) if u < 0 else d + u * e
    return bracket / (d * d)


# For float64, u = beta x clipped as the numpy path clips it, e = e^-|u| (0.82 ULP).
@inline
def _gate_argument_at(x: float, beta: float) -> float:
    return min(max(beta * x, -_SATURATED), _SATURATED)


@inline
def silu_at64(x: float, p: tuple[float]) -> float:
    (beta,) = p
    u = _gate_argument_at(x, beta)
    e = vmath64.exp(-abs(u))
    return (x if u >= 0 else x * e) / (1.0 + e)  # x sigma(u), rounded twice after e


@inline
def gate_slope64(v: float, x_dv: float) -> float:
    """gate_slope on vmath64, divided once: (bracket) / (1 + e)^2."""
    e = vmath64.exp(-abs(v))
    d = 1.0 + e
    bracket = e * ((1.0 + x_dv) + e) if v < 0 else d + x_dv * e
    return bracket / (d * d)


@inline
def silu_derivative_at64(x: float, p: tuple[float]) -> float:
    (beta,) = p
    u = _gate_argument_at(x, beta)
    return gate_slope64(u, u)


@inline
def silu_second_derivative_at(x: float, p: tuple[float]) -> float:
    # beta sigma'(u) (2 - u tanh(u/2)) = beta e (4 + m (2 + |u|)) / d^3 with logistic_pairs'
    # m, e, d: the bracket's root at |u| = 2.4 then cancels only the roundings of pairs.
    (beta,) = p
    u = _gate_argument_at(x, beta)
    k, y, y_lo, m, m_lo, d, d_lo = logistic_pairs(u)
    width, width_lo = two_sum(2.0, abs(u))
    bracket, bracket_lo = product(m, m_lo, width, width_lo)
    bracket, bracket_lo = add(4.0, 0.0, bracket, bracket_lo)
    top, top_lo = product(y, y_lo, bracket, bracket_lo)
    square, square_lo = product(d, d_lo, d, d_lo)
    cube, cube_lo = product(square, square_lo, d, d_lo)
    return scale(beta * divide(top, top_lo, cube, cube_lo), k)


# silu's minimum -W(1/e) (Lambert's W), taken at x = -1 - W(1/e).
_MINIMUM = -0.2784645427610738


def _range(beta: float) -> Interval:
    # x sigma(beta x) = u sigma(u) / beta with u = beta x; for beta = 0 it is x / 2.
    return Interval(_MINIMUM / beta, math.inf, True, False) if beta > 0 else REAL_LINE


ACTIVATION = Activation(
    name="silu",
    aliases=("swish",),
    formula=r"f(x) = x\,\sigma(\beta x)",
    forward=silu,
    derivative_formula=r"f'(x) = \sigma(\beta x) + \beta x\,\sigma(\beta x)\,\sigma(-\beta x)",
    derivative=silu_derivative,
    second_derivative_formula=(
        r"f''(x) = \beta\,\sigma(\beta x)\,\sigma(-\beta x)\left(2 - \beta x \tanh(\beta x / 2)\right)"
    ),
    second_derivative=silu_second_derivative,
    kernels=(
        Kernel(
            silu_at,
            silu_derivative_short_at,
            value64=silu_at64,
            derivative64=silu_derivative_at64,
            second_derivative64=silu_second_derivative_at,
        ),
    ),
    parameters=(
        Parameter(
            "beta",
            1.0,
            "Gate sharpness beta (TensorFlow's tf.nn.silu has it; 1 in PyTorch, Keras and JAX).",
            minimum=0.0,
            maximum=1e4,
        ),
    ),
    variants=({"beta": 1.5}, {"beta": 0.25}),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.silu(x)", "no beta"),
        Equivalent("keras", "keras.activations.silu(x)", "no beta; also keras.activations.swish"),
        Equivalent("jax", "jax.nn.silu(x)", "no beta; also jax.nn.swish"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=_range,
        cost="exp",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"\operatorname{silu}(x) = \frac{x}{2}\left(1 + \tanh\frac{x}{2}\right)",
                silu,
                lambda x: x / 2 * (1 + np.tanh(x / 2)),
            ),
            Identity(
                r"\operatorname{silu}'(x) = \sigma(x)\,(1 + x\,\sigma(-x))",
                silu_derivative,
                lambda x: sigmoid(x) * (1 + x * sigmoid(-x)),
            ),
        ),
        references=(
            HENDRYCKS_GIMPEL,
            Reference(
                "Elfwing, Uchibe & Doya",
                "Sigmoid-Weighted Linear Units for Neural Network Function Approximation in"
                " Reinforcement Learning",
                "Neural Networks 107",
                2018,
                "https://arxiv.org/abs/1702.03118",
            ),
            Reference(
                "Ramachandran, Zoph & Le",
                "Searching for Activation Functions",
                "arXiv:1710.05941",
                2017,
                "https://arxiv.org/abs/1710.05941",
            ),
        ),
    ),
)
