"""leaky_relu: x above 0, a small slope a below, so that no unit stops learning."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, GaussianMoments, Parameter
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.limits import at_infinity
from service.numerics.catalog.piecewise import no_curvature, no_curvature_at, select
from service.numerics.catalog.rectifiers.relu import relu, relu_second_moment, relu_slope_moment
from service.numerics.catalog.references import HE
from service.numerics.compiled import Kernel, inline, vmath32
from service.numerics.types import NON_NEGATIVE, REAL_LINE, Array, Interval


def leaky_relu(x: Array, negative_slope: float = 0.01) -> Array:
    """x for x > 0, negative_slope * x otherwise."""
    # A select on the sign bit: a product that underflows keeps its sign (a sum with the other
    # side's exact 0 made it +0), and -0 is negative_slope * -0, signed as f left of 0.
    result = np.where(np.signbit(x), negative_slope * x, x)
    return at_infinity(x, result, below=leaky_limit(negative_slope), above=math.inf)


def leaky_limit(negative_slope: float) -> float:
    """a x at x = -inf: -inf a, or the 0 + a x of finite x for a = 0 (where 0 * inf is NaN)."""
    return -math.inf * negative_slope if negative_slope else 0.0


def leaky_relu_derivative(x: Array, negative_slope: float = 0.01) -> Array:
    return select(x > 0, 1.0, negative_slope)


@inline
def leaky_relu_at(x: float, p: tuple[float]) -> float:
    (negative_slope,) = p
    return negative_slope * x if np.signbit(x) else x


@inline
def leaky_relu_at32(x: float, p: tuple[float]) -> float:
    # In float32, eight lanes to four: a x with a split in two (vmath32.times), rounded once,
    # within 0.5 ULP + 2 u^2 (an ULP of the least subnormal below 2^-100), so within an ULP
    # of leaky_relu_at's float64 rounded, and the same but near ties; x < 0, never 0, there.
    (negative_slope,) = p
    hi, lo = vmath32.split(negative_slope)
    y = np.float32(x)
    zero = np.float32(0.0)
    # The signs of zeros as leaky_relu_at's: -0 where a x underflows, and a (-0) at -0, which
    # y + to_zero gives with one add: to_zero (loop-invariant) is +0 for a < 0, turning -0
    # into +0, and -0 otherwise, which leaves every y as it is.
    to_zero = zero if hi < zero else -zero
    return float(vmath32.times(hi, lo, y) if y < zero else y + to_zero)


@inline
def leaky_relu_derivative_at(x: float, p: tuple[float]) -> float:
    (negative_slope,) = p
    return 1.0 if x > 0 else negative_slope


def leaky_relu_second_moment(q: Array, negative_slope: float = 0.01) -> Array:
    """E[f(u)^2] = (1 + a^2) q / 2."""
    return relu_second_moment(q, negative_slope)


def leaky_relu_slope_moment(q: Array, negative_slope: float = 0.01) -> Array:
    """E[f'(u)^2] = (1 + a^2) / 2."""
    return relu_slope_moment(q, negative_slope)


def leaky_range(negative_slope: float) -> Interval:
    """The range of x for x > 0, a x otherwise."""
    return REAL_LINE if negative_slope > 0 else NON_NEGATIVE


def leaky_gain(negative_slope: float) -> float:
    """PyTorch's calculate_gain('leaky_relu', a) = sqrt(2 / (1 + a^2)) (He et al.'s, for PReLU)."""
    return math.sqrt(2 / (1 + negative_slope**2))


def leaky_continuity(negative_slope: float) -> float:
    """C^0 with a kink at 0, C^∞ when the slope is 1 (the identity)."""
    return SMOOTH if negative_slope == 1 else 0


# The same functions for float64: each result is exact, or one rounded operation. (prelu's
# too: its one parameter is the slope.)
LEAKY_KERNEL = Kernel(
    leaky_relu_at32,
    leaky_relu_derivative_at,
    value64=leaky_relu_at,
    derivative64=leaky_relu_derivative_at,
    second_derivative64=no_curvature_at,
)


ACTIVATION = Activation(
    name="leaky_relu",
    formula=r"f(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}",
    forward=leaky_relu,
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
    derivative=leaky_relu_derivative,
    second_derivative_formula="f''(x) = 0",
    second_derivative=no_curvature,
    kernels=(LEAKY_KERNEL,),
    parameters=(
        Parameter(
            "negative_slope",
            0.01,
            "Slope a for x <= 0 (PyTorch's and JAX's default; Keras uses 0.2, its Keras 2"
            " LeakyReLU layer 0.3).",
            minimum=-1e6,
            maximum=1e6,
        ),
    ),
    kink="f'(0) = negative_slope, as in PyTorch.",
    variants=({"negative_slope": 0.2}, {"negative_slope": -0.5}),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.leaky_relu(x, negative_slope=0.01)"),
        Equivalent(
            "keras",
            "keras.activations.leaky_relu(x, negative_slope=0.2)",
            "default slope 0.2 (keras.layers.LeakyReLU of Keras 2: alpha=0.3)",
        ),
        Equivalent("jax", "jax.nn.leaky_relu(x, negative_slope=0.01)"),
    ),
    facts=Facts(
        continuity=leaky_continuity,
        range=leaky_range,
        kinks=(0.0,),
        cost="piecewise-linear",
        initialisation=Initialisation(
            "he_normal", leaky_gain, "torch.nn.init.calculate_gain('leaky_relu', negative_slope)"
        ),
        identities=(
            Identity(
                r"f(x) = \max(x, a x)\quad(0 \le a \le 1)",
                leaky_relu,
                lambda x: np.maximum(x, 0.01 * x),
            ),
            Identity(
                r"f(x) = \operatorname{relu}(x) - a\operatorname{relu}(-x)",
                leaky_relu,
                lambda x: relu(x) - 0.01 * relu(-x),
            ),
        ),
        references=(
            Reference(
                "Maas, Hannun & Ng",
                "Rectifier Nonlinearities Improve Neural Network Acoustic Models",
                "ICML Workshop on Deep Learning for Audio, Speech and Language Processing",
                2013,
                "https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf",
            ),
            HE,
        ),
    ),
    gaussian_moments=GaussianMoments(value=leaky_relu_second_moment, slope=leaky_relu_slope_moment),
)
