"""Smooth ramps beside softplus: squareplus, sparse_plus, exponential and xIELU."""

from __future__ import annotations

import numpy as np

from service.numerics.activation import Activation, Array, Equivalent, Parameter

__all__ = ["ENTRIES"]

# Beyond it x^2 + b would overflow; sqrt(x^2 + b) is |x| to the last bit long before.
_SQUARE_LIMIT = 1e150


def _squareplus_parts(x: Array, b: float) -> tuple[Array, Array, Array]:
    """s = sqrt(x^2 + b), m = (s + |x|)/2, and x^2 + b, with none of them overflowing."""
    near = np.clip(x, -_SQUARE_LIMIT, _SQUARE_LIMIT)
    square = near * near + b
    root = np.maximum(np.sqrt(square), np.abs(x))
    return root, 0.5 * root + 0.5 * np.abs(x), square


def squareplus(x: Array, b: float = 4.0) -> Array:
    """(x + sqrt(x^2 + b)) / 2; for x < 0 as (b/4) / m, m = (sqrt(x^2 + b) - x)/2: no cancellation."""
    _, middle, _ = _squareplus_parts(x, b)
    return np.where(x >= 0, middle, (b / 4) / middle)


def squareplus_derivative(x: Array, b: float = 4.0) -> Array:
    root, middle, _ = _squareplus_parts(x, b)
    # (1 + x/s)/2 cancels only once x/s nears -1; from -1/2 on, (b/4)/(s m) instead.
    ratio = x / root
    return np.where(ratio > -0.5, 0.5 + 0.5 * ratio, (b / 4) / root / middle)


def squareplus_second_derivative(x: Array, b: float = 4.0) -> Array:
    root, _, square = _squareplus_parts(x, b)
    return (b / 2) / square / root


def sparse_plus(x: Array) -> Array:
    """0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1."""
    return np.where(x >= 1, x, np.square(np.clip(x, -1, 1) + 1) / 4)


def sparse_plus_derivative(x: Array) -> Array:
    return (np.clip(x, -1, 1) + 1) / 2


def sparse_plus_second_derivative(x: Array) -> Array:
    return ((x > -1) & (x < 1)) * 0.5


def exponential(x: Array) -> Array:
    """exp(x)."""
    return np.exp(x)


def xielu(
    x: Array, alpha_p: float = 0.8, alpha_n: float = 0.8, beta: float = 0.5, eps: float = -1e-6
) -> Array:
    """alpha_p x^2 + beta x for x > 0, alpha_n (expm1(min(x, eps)) - x) + beta x otherwise."""
    negative = alpha_n * (np.expm1(np.minimum(x, eps)) - x) + beta * x
    return np.where(x > 0, x * (alpha_p * x + beta), negative)


def xielu_derivative(
    x: Array, alpha_p: float = 0.8, alpha_n: float = 0.8, beta: float = 0.5, eps: float = -1e-6
) -> Array:
    # alpha_n e^x - (alpha_n - beta): f' crosses 0 where the two terms meet, and the smaller
    # the term that carries a rounding error, the less that error is magnified there.
    negative = (x <= eps) * (alpha_n * np.exp(np.minimum(x, eps))) - (alpha_n - beta)
    return np.where(x > 0, 2 * alpha_p * x + beta, negative)


def xielu_second_derivative(
    x: Array, alpha_p: float = 0.8, alpha_n: float = 0.8, beta: float = 0.5, eps: float = -1e-6
) -> Array:
    negative = (x <= eps) * (alpha_n * np.exp(np.minimum(x, eps)))
    return np.where(x > 0, 2 * alpha_p, negative)


SQUAREPLUS = Activation(
    name="squareplus",
    forward=squareplus,
    derivative=squareplus_derivative,
    second_derivative=squareplus_second_derivative,
    formula=r"f(x) = \frac{x + \sqrt{x^2 + b}}{2}",
    derivative_formula=r"f'(x) = \frac{1}{2}\left(1 + \frac{x}{\sqrt{x^2 + b}}\right)",
    second_derivative_formula=r"f''(x) = \frac{b}{2\,(x^2 + b)^{3/2}}",
    parameters=(
        Parameter(
            "b",
            4.0,
            "Curvature b > 0 at the origin; b -> 0 gives relu.",
            minimum=0.0,
            exclusive_minimum=True,
            maximum=1e300,
        ),
    ),
    reference="Barron, Squareplus: A Softplus-Like Algebraic Rectifier, arXiv:2112.11687, 2021.",
    family="smooth",
    follows="JAX and Keras (PyTorch has no such function)",
    equivalents=(
        Equivalent("keras", "keras.activations.squareplus(x, b=4)"),
        Equivalent("jax", "jax.nn.squareplus(x, b=4)"),
    ),
)

SPARSE_PLUS = Activation(
    name="sparse_plus",
    forward=sparse_plus,
    derivative=sparse_plus_derivative,
    second_derivative=sparse_plus_second_derivative,
    formula=(
        r"f(x) = \begin{cases} 0 & x \le -1 \\ (x + 1)^2 / 4 & -1 < x < 1 \\ x & x \ge 1"
        r" \end{cases}"
    ),
    derivative_formula=(
        r"f'(x) = \begin{cases} 0 & x \le -1 \\ (x + 1)/2 & -1 < x < 1 \\ 1 & x \ge 1 \end{cases}"
    ),
    second_derivative_formula=(
        r"f''(x) = \begin{cases} 1/2 & |x| < 1 \\ 0 & \text{otherwise} \end{cases}"
    ),
    kink="f''(+-1) = 0, as JAX's piecewise definition gives (f' is continuous).",
    reference="Blondel, Martins & Niculae, Learning with Fenchel-Young Losses, JMLR 2020 (the 2-Tsallis softplus).",
    family="smooth",
    follows="JAX and Keras (PyTorch has no such function)",
    equivalents=(
        Equivalent("keras", "keras.activations.sparse_plus(x)"),
        Equivalent("jax", "jax.nn.sparse_plus(x)"),
    ),
)

EXPONENTIAL = Activation(
    name="exponential",
    forward=exponential,
    derivative=exponential,
    second_derivative=exponential,
    formula=r"f(x) = e^{x}",
    derivative_formula=r"f'(x) = e^{x}",
    second_derivative_formula=r"f''(x) = e^{x}",
    reference="The exponential activation of Keras (keras.activations.exponential).",
    family="smooth",
    follows="Keras (PyTorch has it only as the tensor function torch.exp)",
    equivalents=(
        Equivalent("torch", "torch.exp(x)", "a tensor function, not an activation"),
        Equivalent("keras", "keras.activations.exponential(x)"),
        Equivalent("jax", "jax.numpy.exp(x)", "a numpy function, not an activation"),
    ),
)

XIELU = Activation(
    name="xielu",
    forward=xielu,
    derivative=xielu_derivative,
    second_derivative=xielu_second_derivative,
    formula=(
        r"f(x) = \begin{cases} \alpha_p x^2 + \beta x & x > 0 \\"
        r" \alpha_n \left(e^{\min(x, \epsilon)} - 1 - x\right) + \beta x & x \le 0 \end{cases}"
    ),
    derivative_formula=(
        r"f'(x) = \begin{cases} 2\alpha_p x + \beta & x > 0 \\ \beta - \alpha_n & \epsilon < x \le 0"
        r" \\ \alpha_n (e^{x} - 1) + \beta & x \le \epsilon \end{cases}"
    ),
    second_derivative_formula=(
        r"f''(x) = \begin{cases} 2\alpha_p & x > 0 \\ 0 & \epsilon < x \le 0 \\"
        r" \alpha_n e^{x} & x \le \epsilon \end{cases}"
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
    reference="Huang & Schlag, Deriving Activation Functions Using Integration, arXiv:2411.13010, 2024; the Apertus models (Swiss AI, 2025).",
    family="smooth",
    follows="the Apertus models' defaults (transformers' XIELUActivation; PyTorch, Keras and JAX have no such function)",
)

ENTRIES: tuple[Activation, ...] = (SQUAREPLUS, SPARSE_PLUS, EXPONENTIAL, XIELU)
