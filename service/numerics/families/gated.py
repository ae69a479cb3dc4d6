"""Self-gated activations x g(x): silu (swish), hard_swish and mish.

Each is x times a sigmoid-like gate; the derivatives are written through the gate so that
nothing is formed as 1 - (something that rounds to 1).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from service.numerics.activation import Activation, Array, Equivalent, Parameter
from service.numerics.families.sigmoidal import sigmoid, sigmoid_derivative

__all__ = ["ENTRIES", "silu", "silu_derivative", "silu_second_derivative"]

# Past |u| = 1e4 the gate is 0 or 1 to the last bit and sigma'(u) is 0; clipping there keeps
# u sigma'(u) and u tanh(u/2) finite when beta x overflows.
_SATURATED = 1e4
_HUGE = 1e300


def _gate_argument(x: Array, beta: float) -> Array:
    with np.errstate(over="ignore"):
        result: Array = np.clip(x * beta, -_SATURATED, _SATURATED)
        return result


def silu(x: Array, beta: float = 1.0) -> Array:
    """x sigma(beta x)."""
    return x * sigmoid(_gate_argument(x, beta))


def silu_derivative(x: Array, beta: float = 1.0) -> Array:
    u = _gate_argument(x, beta)
    return sigmoid(u) + u * sigmoid_derivative(u)


def silu_second_derivative(x: Array, beta: float = 1.0) -> Array:
    # beta (2 sigma'(u) + u sigma''(u)) with sigma'' = -sigma' tanh(u/2). The bracket crosses 0
    # at u = +-2.4 and magnifies the roundings of u tanh(u/2) there, so it is evaluated in
    # numpy's extended precision (a 64-bit significand on x86) and rounded once.
    u = _gate_argument(x.astype(np.longdouble), beta)
    curvature = beta * sigmoid_derivative(u) * (2 - u * np.tanh(u / 2))
    return curvature.astype(x.dtype)


def hard_swish(x: Array) -> Array:
    """x relu6(x + 3) / 6."""
    return x * (np.clip(x + 3, 0, 6) / 6)


def hard_swish_derivative(x: Array) -> Array:
    # The maximum keeps 2x finite below -9e307, where 0 * -inf would be NaN.
    return np.where(x > 3, 1.0, (x >= -3) * ((2 * np.maximum(x, -3) + 3) / 6))


def hard_swish_second_derivative(x: Array) -> Array:
    return ((x > -3) & (x < 3)) * (1 / 3)


def _mish_gate(x: Array) -> tuple[Array, Array, Array, npt.NDArray[np.bool_]]:
    """g = tanh(softplus(x)) as n/d, h = (1 - g^2) sigma(x), and e = exp(-|x|), positive.

    With E = exp(x), g = E(E + 2) / (E(E + 2) + 2); in terms of e = exp(-|x|) <= 1 neither
    form overflows, and 1 - g^2 = (d - n)(d + n)/d^2 comes out without cancellation.
    """
    e = np.exp(-np.abs(x))
    positive = x > 0
    numerator = np.where(positive, 1 + 2 * e, e * (e + 2))
    denominator = numerator + np.where(positive, 2 * (e * e), 2.0)
    h = 4 * e * (1 + e) * np.where(positive, e, 1.0) / (denominator * denominator)
    return numerator / denominator, h, e, positive


def mish(x: Array) -> Array:
    """x tanh(softplus(x)) = x tanh(log(1 + exp(x)))."""
    return x * _mish_gate(x)[0]


def mish_derivative(x: Array) -> Array:
    g, h, _, positive = _mish_gate(x)
    # For x <= 0, g + x h = E ((u + 1)(u^2 + 1) + 4 x u) / d^2 with E = e^x, u = 1 + E and
    # d = u^2 + 1. The sum crosses 0 at x = -1.19 with terms near 8 on either side, which
    # magnifies each rounding several times: it is formed in numpy's extended precision
    # (a 64-bit significand on x86) and rounded once.
    wide = np.minimum(x, 0).astype(np.longdouble)
    e = np.exp(wide)
    u = 1 + e
    d = u * u + 1
    negative = e * ((u + 1) * d + 4 * wide * u) / (d * d)
    return np.where(positive, g + x * h, negative.astype(x.dtype))


def mish_second_derivative(x: Array) -> Array:
    g, h, e, positive = _mish_gate(x)
    # sigma(-x) - 2 g sigma(x), over the common denominator 1 + e.
    gates = np.where(positive, e - 2 * g, 1 - 2 * g * e) / (1 + e)
    # Past x = 1e300, h is 0 and x * gates would overflow: 0 * -inf is NaN.
    return h * (2 + np.minimum(x, _HUGE) * gates)


SILU = Activation(
    name="silu",
    forward=silu,
    derivative=silu_derivative,
    second_derivative=silu_second_derivative,
    formula=r"f(x) = x\,\sigma(\beta x)",
    derivative_formula=r"f'(x) = \sigma(\beta x) + \beta x\,\sigma(\beta x)\,\sigma(-\beta x)",
    second_derivative_formula=(
        r"f''(x) = \beta\,\sigma(\beta x)\,\sigma(-\beta x)\left(2 - \beta x \tanh(\beta x / 2)\right)"
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
    reference="Elfwing, Uchibe & Doya, Sigmoid-Weighted Linear Units, 2017; Ramachandran, Zoph & Le, Searching for Activation Functions (swish), 2017.",
    family="self-gated",
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.silu(x)", "no beta"),
        Equivalent("keras", "keras.activations.silu(x)", "no beta; also keras.activations.swish"),
        Equivalent("jax", "jax.nn.silu(x)", "no beta; also jax.nn.swish"),
    ),
)

HARD_SWISH = Activation(
    name="hard_swish",
    forward=hard_swish,
    derivative=hard_swish_derivative,
    second_derivative=hard_swish_second_derivative,
    formula=r"f(x) = x\,\frac{\min(\max(x + 3, 0), 6)}{6}",
    derivative_formula=(
        r"f'(x) = \begin{cases} 0 & x < -3 \\ (2x + 3)/6 & -3 \le x \le 3 \\ 1 & x > 3 \end{cases}"
    ),
    second_derivative_formula=(
        r"f''(x) = \begin{cases} 1/3 & |x| < 3 \\ 0 & \text{otherwise} \end{cases}"
    ),
    kink="f'(-3) = -1/2 and f'(3) = 3/2 (the middle piece's slopes), f''(+-3) = 0, as in PyTorch.",
    reference="Howard et al., Searching for MobileNetV3, ICCV 2019.",
    family="self-gated",
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.hardswish(x)"),
        Equivalent(
            "keras",
            "keras.activations.hard_silu(x)",
            "also hard_swish; autodiff gives f'(-3) = 0 and f'(3) = 1 on most backends",
        ),
        Equivalent(
            "jax",
            "jax.nn.hard_silu(x)",
            "also hard_swish; autodiff of relu6 gives f'(-3) = 0 and f'(3) = 1",
        ),
    ),
)

MISH = Activation(
    name="mish",
    forward=mish,
    derivative=mish_derivative,
    second_derivative=mish_second_derivative,
    formula=r"f(x) = x \tanh(\operatorname{softplus}(x)) = x \tanh\log(1 + e^{x})",
    derivative_formula=r"f'(x) = g + x\,(1 - g^2)\,\sigma(x),\quad g = \tanh\operatorname{softplus}(x)",
    second_derivative_formula=(
        r"f''(x) = (1 - g^2)\,\sigma(x)\left(2 + x\left(\sigma(-x) - 2 g\,\sigma(x)\right)\right)"
    ),
    reference="Misra, Mish: A Self Regularized Non-Monotonic Activation Function, BMVC 2020.",
    family="self-gated",
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.mish(x)"),
        Equivalent("keras", "keras.activations.mish(x)"),
        Equivalent("jax", "jax.nn.mish(x)"),
    ),
)

ENTRIES: tuple[Activation, ...] = (SILU, HARD_SWISH, MISH)
