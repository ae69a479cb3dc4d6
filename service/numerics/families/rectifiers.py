"""Piecewise-linear rectifiers and their exponential relatives.

Kinks follow PyTorch: the derivative at a kink takes the value of the left-hand piece
(relu'(0) = 0, leaky_relu'(0) = negative_slope, elu'(0) = alpha), and clamps have slope 0 at
their bounds (relu6'(6) = hardtanh'(1) = 0). Branches are formed with maximum/minimum/clip
rather than np.where where that is exact: a data-dependent select is several times slower.
"""

from __future__ import annotations

import math
import sys

import numpy as np
from scipy.special import erfcx

from service.numerics.activation import (
    Activation,
    Array,
    Equivalent,
    GaussianMoments,
    Parameter,
    select,
)
from service.numerics.facts import (
    NON_NEGATIVE,
    REAL_LINE,
    SMOOTH,
    Facts,
    Identity,
    Initialisation,
    Reference,
    hull,
)
from service.numerics.families.linear import no_curvature
from service.numerics.interval import Interval
from service.numerics.piecewise import Piece, second_moment, slope_moment
from service.numerics.references import GLOROT_BORDES_BENGIO, HE

__all__ = ["ENTRIES"]

_LARGEST = sys.float_info.max  # relu's max_value when there is none (Keras' None)
# Klambauer et al.'s fixed point, to 32 digits; selu multiplies by their product, rounded once.
_SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SELU_SCALE_ALPHA = 1.7580993408473768599402175208123


def relu(
    x: Array, negative_slope: float = 0.0, max_value: float = _LARGEST, threshold: float = 0.0
) -> Array:
    """min(x, max_value) for x > threshold, negative_slope (x - threshold) otherwise."""
    if negative_slope == 0 and threshold == 0:
        return np.clip(x, 0, max_value)
    return np.where(x > threshold, np.minimum(x, max_value), negative_slope * (x - threshold))


def relu_derivative(
    x: Array, negative_slope: float = 0.0, max_value: float = _LARGEST, threshold: float = 0.0
) -> Array:
    inside = ((x > threshold) & (x <= max_value)).astype(x.dtype)
    if negative_slope == 0:
        return inside
    return np.where(x > threshold, inside, negative_slope)


def relu6(x: Array) -> Array:
    """min(max(x, 0), 6)."""
    return np.clip(x, 0, 6)


def relu6_derivative(x: Array) -> Array:
    return ((x > 0) & (x < 6)).astype(x.dtype)


def leaky_relu(x: Array, negative_slope: float = 0.01) -> Array:
    """x for x > 0, negative_slope * x otherwise."""
    # Exactly that: one of the two terms is an exact 0.
    return np.maximum(x, 0) + negative_slope * np.minimum(x, 0)


def leaky_relu_derivative(x: Array, negative_slope: float = 0.01) -> Array:
    return select(x > 0, 1.0, negative_slope)


def prelu(x: Array, weight: float = 0.25) -> Array:
    """x for x > 0, weight * x otherwise: leaky_relu with PyTorch's PReLU weight."""
    return leaky_relu(x, weight)


def prelu_derivative(x: Array, weight: float = 0.25) -> Array:
    return leaky_relu_derivative(x, weight)


def rrelu(
    x: Array, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False, seed: int = 0
) -> Array:
    """x for x > 0, a x otherwise: a = (lower + upper)/2, or in training a ~ U(lower, upper)."""
    return np.where(x > 0, x, x * _rrelu_slope(x, lower, upper, training, seed))


def rrelu_derivative(
    x: Array, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False, seed: int = 0
) -> Array:
    return np.where(x > 0, 1.0, _rrelu_slope(x, lower, upper, training, seed))


def _rrelu_slope(x: Array, lower: float, upper: float, training: bool, seed: int) -> Array | float:
    """One slope per element, drawn from ``seed`` alone: value and gradient see the same ones."""
    if not training:
        return (lower + upper) / 2
    uniform: Array = np.random.default_rng(seed).random(x.shape)
    return lower + (upper - lower) * uniform


def threshold(x: Array, threshold: float = 0.0, value: float = 0.0) -> Array:
    """x for x > threshold, value otherwise."""
    return select(x > threshold, x, value)


def threshold_derivative(x: Array, threshold: float = 0.0, value: float = 0.0) -> Array:
    return (x > threshold).astype(x.dtype)


def hardtanh(x: Array, min_val: float = -1.0, max_val: float = 1.0) -> Array:
    """min(max(x, min_val), max_val)."""
    return np.clip(x, min_val, max_val)


def hardtanh_derivative(x: Array, min_val: float = -1.0, max_val: float = 1.0) -> Array:
    return ((x > min_val) & (x < max_val)).astype(x.dtype)


def elu(x: Array, alpha: float = 1.0) -> Array:
    """x for x > 0, alpha * (exp(x) - 1) otherwise."""
    # max(x, 0) + alpha expm1(min(x, 0)) is exactly that (one term is an exact 0), without a
    # select; expm1 keeps relative accuracy near 0 and the minimum keeps exp from overflowing.
    return np.maximum(x, 0) + alpha * np.expm1(np.minimum(x, 0))


def elu_derivative(x: Array, alpha: float = 1.0) -> Array:
    return select(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0)))


def elu_second_derivative(x: Array, alpha: float = 1.0) -> Array:
    return (x <= 0) * (alpha * np.exp(np.minimum(x, 0)))


def selu(x: Array) -> Array:
    """scale * elu(x, alpha), with Klambauer et al.'s alpha = 1.67326..., scale = 1.05070..."""
    return np.maximum(x, 0) * SELU_SCALE + SELU_SCALE_ALPHA * np.expm1(np.minimum(x, 0))


def selu_derivative(x: Array) -> Array:
    return select(x > 0, SELU_SCALE, SELU_SCALE_ALPHA * np.exp(np.minimum(x, 0)))


def selu_second_derivative(x: Array) -> Array:
    return (x <= 0) * (SELU_SCALE_ALPHA * np.exp(np.minimum(x, 0)))


def celu(x: Array, alpha: float = 1.0) -> Array:
    """max(0, x) + min(0, alpha (exp(x/alpha) - 1))."""
    return np.maximum(x, 0) + alpha * np.expm1(np.minimum(x, 0) / alpha)


def celu_derivative(x: Array, alpha: float = 1.0) -> Array:
    return np.exp(np.minimum(x, 0) / alpha)


def celu_second_derivative(x: Array, alpha: float = 1.0) -> Array:
    return (x <= 0) * (np.exp(np.minimum(x, 0) / alpha) / alpha)


def relu_squared(x: Array) -> Array:
    """max(x, 0)^2."""
    return np.square(np.maximum(x, 0))


def relu_squared_derivative(x: Array) -> Array:
    return 2 * np.maximum(x, 0)


def relu_squared_second_derivative(x: Array) -> Array:
    return (x > 0) * 2.0


# The Gaussian moments E[f(u)^2] and E[f'(u)^2], u ~ N(0, q), that mean-field theory asks
# for, in closed form.


def _relu_pieces(negative_slope: float, max_value: float, threshold: float) -> tuple[Piece, ...]:
    """min(u, m) above the threshold t, a (u - t) up to it."""
    top = max(max_value, threshold)  # a cap below the threshold leaves no identity piece
    return (
        (-math.inf, threshold, -negative_slope * threshold, negative_slope),
        (threshold, top, 0.0, 1.0),
        (top, math.inf, max_value, 0.0),
    )


def relu_second_moment(
    q: Array, negative_slope: float = 0.0, max_value: float = _LARGEST, threshold: float = 0.0
) -> Array:
    """E[f(u)^2] over the pieces; q / 2 for the plain relu."""
    return second_moment(q, _relu_pieces(negative_slope, max_value, threshold))


def relu_slope_moment(
    q: Array, negative_slope: float = 0.0, max_value: float = _LARGEST, threshold: float = 0.0
) -> Array:
    """E[f'(u)^2] over the pieces; 1/2 for the plain relu."""
    return slope_moment(q, _relu_pieces(negative_slope, max_value, threshold))


def relu6_second_moment(q: Array) -> Array:
    return relu_second_moment(q, max_value=6.0)


def relu6_slope_moment(q: Array) -> Array:
    return relu_slope_moment(q, max_value=6.0)


def leaky_relu_second_moment(q: Array, negative_slope: float = 0.01) -> Array:
    """E[f(u)^2] = (1 + a^2) q / 2."""
    return relu_second_moment(q, negative_slope)


def leaky_relu_slope_moment(q: Array, negative_slope: float = 0.01) -> Array:
    """E[f'(u)^2] = (1 + a^2) / 2."""
    return relu_slope_moment(q, negative_slope)


def prelu_second_moment(q: Array, weight: float = 0.25) -> Array:
    return relu_second_moment(q, weight)


def prelu_slope_moment(q: Array, weight: float = 0.25) -> Array:
    return relu_slope_moment(q, weight)


def rrelu_second_moment(
    q: Array, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False, seed: int = 0
) -> Array:
    return relu_second_moment(q, _rrelu_rms_slope(lower, upper, training))


def rrelu_slope_moment(
    q: Array, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False, seed: int = 0
) -> Array:
    return relu_slope_moment(q, _rrelu_rms_slope(lower, upper, training))


def _rrelu_rms_slope(lower: float, upper: float, training: bool) -> float:
    """sqrt E[a^2], the only moment of the slope a that enters: E[a^2] = (l^2 + l u + u^2)/3
    for a ~ U(l, u), drawn independently of x."""
    if not training:
        return (lower + upper) / 2
    return math.sqrt((lower * lower + lower * upper + upper * upper) / 3)


def _threshold_pieces(threshold: float, value: float) -> tuple[Piece, ...]:
    return ((-math.inf, threshold, value, 0.0), (threshold, math.inf, 0.0, 1.0))


def threshold_second_moment(q: Array, threshold: float = 0.0, value: float = 0.0) -> Array:
    return second_moment(q, _threshold_pieces(threshold, value))


def threshold_slope_moment(q: Array, threshold: float = 0.0, value: float = 0.0) -> Array:
    return slope_moment(q, _threshold_pieces(threshold, value))


def _hardtanh_pieces(min_val: float, max_val: float) -> tuple[Piece, ...]:
    top = max(min_val, max_val)  # np.clip gives max_val everywhere when max_val < min_val
    return (
        (-math.inf, min_val, min(min_val, max_val), 0.0),
        (min_val, top, 0.0, 1.0),
        (top, math.inf, max_val, 0.0),
    )


def hardtanh_second_moment(q: Array, min_val: float = -1.0, max_val: float = 1.0) -> Array:
    return second_moment(q, _hardtanh_pieces(min_val, max_val))


def hardtanh_slope_moment(q: Array, min_val: float = -1.0, max_val: float = 1.0) -> Array:
    return slope_moment(q, _hardtanh_pieces(min_val, max_val))


# (e^u - 1)^2 = sum_{n>=2} (2^n - 2) u^n / n!, and E[u^n; u <= 0] = (-sqrt q)^n m_n with
# m_n = E[z^n; z >= 0] = 2^(n/2) Gamma((n + 1)/2) / (2 sqrt pi). Below q = 1/64, 16 terms
# leave a remainder under 1e-17 of the sum; at 1/64 the closed form is good to 3e-14.
_ELU_SERIES_BELOW = 1 / 64
_ELU_SERIES = tuple(
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
    s = np.sqrt(np.minimum(q, _ELU_SERIES_BELOW))
    series = np.zeros_like(s)
    for coefficient in reversed(_ELU_SERIES):
        series = series * s + coefficient
    negative = np.where(q < _ELU_SERIES_BELOW, series * (s * s), negative)
    return q / 2 + alpha**2 * negative


def elu_slope_moment(q: Array, alpha: float = 1.0) -> Array:
    """E[f'(u)^2] = 1/2 + alpha^2 e^{2q} Phi(-2 sqrt q)."""
    return 0.5 + alpha**2 * erfcx(np.sqrt(2 * q)) / 2


def selu_second_moment(q: Array) -> Array:
    """lambda^2 times elu's, at selu's alpha."""
    return SELU_SCALE**2 * elu_second_moment(q, _SELU_ALPHA)


def selu_slope_moment(q: Array) -> Array:
    return SELU_SCALE**2 * elu_slope_moment(q, _SELU_ALPHA)


def celu_second_moment(q: Array, alpha: float = 1.0) -> Array:
    """celu(u) = alpha elu(u / alpha), and u / alpha ~ N(0, q / alpha^2)."""
    return alpha**2 * elu_second_moment(q / alpha**2)


def celu_slope_moment(q: Array, alpha: float = 1.0) -> Array:
    """celu'(u) = elu'(u / alpha)."""
    return elu_slope_moment(q / alpha**2)


_TORCH = "PyTorch"
_INF = math.inf


def _relu_range(negative_slope: float, max_value: float, threshold: float) -> Interval:
    # a (x - t) on x <= t takes 0 at t and runs to -+inf with slope a; min(x, m) on x > t
    # approaches t and reaches m (the largest float standing for no m), or is m throughout.
    attained, approached = [0.0], [-math.copysign(_INF, negative_slope)] if negative_slope else []
    if max_value <= threshold:
        attained.append(max_value)
    elif max_value < _LARGEST:
        attained.append(max_value)
        approached.append(threshold)
    else:
        approached += [threshold, _INF]
    return hull(attained, approached)


def _relu_continuity(negative_slope: float, max_value: float, threshold: float) -> float:
    if min(threshold, max_value) != 0:
        return -1  # from a (x - t) -> 0 to min(t, m) at t
    right_slope = 1.0 if threshold < max_value else 0.0
    kinked = negative_slope != right_slope or threshold < max_value < _LARGEST
    return 0 if kinked else SMOOTH


def _leaky_range(negative_slope: float) -> Interval:
    return REAL_LINE if negative_slope > 0 else NON_NEGATIVE


def _leaky_gain(negative_slope: float) -> float:
    """PyTorch's calculate_gain('leaky_relu', a) = sqrt(2 / (1 + a^2)) (He et al.'s, for PReLU)."""
    return math.sqrt(2 / (1 + negative_slope**2))


def _elu_range(alpha: float) -> Interval:
    # For alpha < 0 the negative side rises towards -alpha: the minimum is f(0) = 0.
    return hull([0.0], [-alpha, _INF])


def _hardtanh_range(min_val: float, max_val: float) -> Interval:
    # numpy's clip gives max_val throughout when min_val > max_val.
    return Interval(min_val, max_val, True, True) if min_val < max_val else Interval.point(max_val)


def _rrelu_slope_mean(lower: float, upper: float) -> float:
    return (lower + upper) / 2


RELU = Activation(
    name="relu",
    forward=relu,
    derivative=relu_derivative,
    second_derivative=no_curvature,
    formula=(
        r"f(x) = \begin{cases} \min(x, m) & x > t \\ a (x - t) & x \le t \end{cases}"
        r"\quad (a = 0,\ m = \infty,\ t = 0:\ \max(x, 0))"
    ),
    derivative_formula=(
        r"f'(x) = \begin{cases} 0 & x > m \\ 1 & t < x \le m \\ a & x \le t \end{cases}"
    ),
    second_derivative_formula="f''(x) = 0",
    parameters=(
        Parameter(
            "negative_slope",
            0.0,
            "Slope a below the threshold (Keras' generalised relu; 0 for the plain relu).",
            minimum=-1e6,
            maximum=1e6,
        ),
        Parameter(
            "max_value",
            _LARGEST,
            "Saturation value m (Keras' max_value; the largest float means none). At least 0,"
            " as Keras' ReLU layer requires: below, its clip and its formula disagree.",
            minimum=0.0,
        ),
        Parameter(
            "threshold",
            0.0,
            "Threshold t below which the negative slope applies (Keras' threshold).",
            minimum=-1e300,
            maximum=1e300,
        ),
    ),
    kink="f'(t) = a (0 for the plain relu, as in PyTorch); f'(m) = 1, as Keras' clip gives.",
    reference="Nair & Hinton, Rectified Linear Units Improve Restricted Boltzmann Machines, ICML 2010.",
    family="rectifiers",
    follows=_TORCH + " (plain relu by default); the parameters are Keras' generalised relu",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.relu(x)", "no parameters: only the defaults"),
        Equivalent(
            "keras",
            "keras.activations.relu(x, negative_slope=0.0, max_value=None, threshold=0.0)",
            "f'(t) is 0 in Keras when max_value or threshold is set, negative_slope otherwise;"
            " for t < 0 with max_value set Keras also clips at 0",
        ),
        Equivalent("jax", "jax.nn.relu(x)", "no parameters: only the defaults"),
    ),
    facts=Facts(
        continuity=_relu_continuity,
        range=_relu_range,
        cost="piecewise-linear",
        initialisation=Initialisation(
            "he_normal", math.sqrt(2), "torch.nn.init.calculate_gain('relu')"
        ),
        identities=(
            Identity(
                r"\operatorname{relu}(x) = \frac{x + |x|}{2}", relu, lambda x: (x + np.abs(x)) / 2
            ),
            Identity(
                r"\operatorname{relu}(x) - \operatorname{relu}(-x) = x",
                lambda x: relu(x) - relu(-x),
                lambda x: x,
            ),
        ),
        references=(
            Reference(
                "Nair & Hinton",
                "Rectified Linear Units Improve Restricted Boltzmann Machines",
                "ICML",
                2010,
                "https://www.cs.toronto.edu/~hinton/absps/reluICML.pdf",
            ),
            GLOROT_BORDES_BENGIO,
            HE,
        ),
    ),
    gaussian_moments=GaussianMoments(value=relu_second_moment, slope=relu_slope_moment),
)

RELU6 = Activation(
    name="relu6",
    forward=relu6,
    derivative=relu6_derivative,
    second_derivative=no_curvature,
    formula=r"f(x) = \min(\max(x, 0), 6)",
    derivative_formula=r"f'(x) = \begin{cases} 1 & 0 < x < 6 \\ 0 & \text{otherwise} \end{cases}",
    second_derivative_formula="f''(x) = 0",
    kink="f'(0) = f'(6) = 0, as in PyTorch.",
    reference="Krizhevsky, Convolutional Deep Belief Networks on CIFAR-10, 2010; MobileNets (Howard et al., arXiv:1704.04861).",
    family="rectifiers",
    follows=_TORCH,
    equivalents=(
        Equivalent("torch", "torch.nn.functional.relu6(x)"),
        Equivalent("keras", "keras.activations.relu6(x)"),
        Equivalent("jax", "jax.nn.relu6(x)"),
    ),
    facts=Facts(
        continuity=0,
        range=Interval(0.0, 6.0, True, True),
        cost="piecewise-linear",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"\operatorname{relu6}(x) = \operatorname{relu}(x) - \operatorname{relu}(x - 6)",
                relu6,
                lambda x: relu(x) - relu(x - 6),
            ),
            Identity(
                r"\operatorname{relu6}(x) = \operatorname{relu}(x;\ m = 6)",
                relu6,
                lambda x: relu(x, max_value=6.0),
            ),
        ),
        references=(
            Reference(
                "Krizhevsky",
                "Convolutional Deep Belief Networks on CIFAR-10",
                "technical report, University of Toronto",
                2010,
                "https://www.cs.toronto.edu/~kriz/conv-cifar10-aug2010.pdf",
            ),
            Reference(
                "Howard et al.",
                "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications",
                "arXiv:1704.04861",
                2017,
                "https://arxiv.org/abs/1704.04861",
            ),
        ),
    ),
    gaussian_moments=GaussianMoments(value=relu6_second_moment, slope=relu6_slope_moment),
)

LEAKY_RELU = Activation(
    name="leaky_relu",
    forward=leaky_relu,
    derivative=leaky_relu_derivative,
    second_derivative=no_curvature,
    formula=r"f(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases}",
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
    second_derivative_formula="f''(x) = 0",
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
    reference="Maas, Hannun & Ng, Rectifier Nonlinearities Improve Neural Network Acoustic Models, ICML 2013.",
    family="rectifiers",
    follows=_TORCH,
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
        continuity=lambda negative_slope: SMOOTH if negative_slope == 1 else 0,
        range=_leaky_range,
        cost="piecewise-linear",
        initialisation=Initialisation(
            "he_normal", _leaky_gain, "torch.nn.init.calculate_gain('leaky_relu', negative_slope)"
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

PRELU = Activation(
    name="prelu",
    forward=prelu,
    derivative=prelu_derivative,
    second_derivative=no_curvature,
    formula=r"f(x) = \begin{cases} x & x > 0 \\ w x & x \le 0 \end{cases}",
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ w & x \le 0 \end{cases}",
    second_derivative_formula="f''(x) = 0",
    parameters=(
        Parameter(
            "weight",
            0.25,
            "The slope w for x <= 0, fixed here (learned in a network); PyTorch's initial 0.25.",
            minimum=-1e6,
            maximum=1e6,
        ),
    ),
    kink="f'(0) = weight, as in PyTorch.",
    reference="He, Zhang, Ren & Sun, Delving Deep into Rectifiers, ICCV 2015.",
    family="rectifiers",
    follows=_TORCH,
    equivalents=(
        Equivalent("torch", "torch.nn.functional.prelu(x, torch.tensor([0.25]))"),
        Equivalent(
            "keras",
            "keras.layers.PReLU(alpha_initializer=keras.initializers.Constant(0.25))(x)",
            "a layer with a learned slope per channel, initialised to 0 by default",
        ),
    ),
    facts=Facts(
        continuity=lambda weight: SMOOTH if weight == 1 else 0,
        range=lambda weight: _leaky_range(weight),
        cost="piecewise-linear",
        initialisation=Initialisation(
            "he_normal",
            lambda weight: _leaky_gain(weight),
            "torch.nn.init.calculate_gain('leaky_relu', weight)",
        ),
        identities=(
            Identity(
                r"f(x) = \operatorname{relu}(x) - w\operatorname{relu}(-x)",
                prelu,
                lambda x: relu(x) - 0.25 * relu(-x),
            ),
        ),
        references=(HE,),
    ),
    gaussian_moments=GaussianMoments(value=prelu_second_moment, slope=prelu_slope_moment),
)

RRELU = Activation(
    name="rrelu",
    forward=rrelu,
    blockwise=False,
    derivative=rrelu_derivative,
    second_derivative=no_curvature,
    formula=(
        r"f(x) = \begin{cases} x & x > 0 \\ a x & x \le 0 \end{cases},\quad"
        r" a = \tfrac{l + u}{2}\ \text{(eval)},\ a \sim U(l, u)\ \text{per element (training)}"
    ),
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ a & x \le 0 \end{cases}",
    second_derivative_formula="f''(x) = 0",
    parameters=(
        Parameter("lower", 1 / 8, "Lower bound l of the random slope.", minimum=-1e6, maximum=1e6),
        Parameter("upper", 1 / 3, "Upper bound u of the random slope.", minimum=-1e6, maximum=1e6),
        Parameter(
            "training",
            False,
            "false: the fixed slope (l + u)/2, as PyTorch in eval mode; true: one slope per"
            " element drawn from U(l, u) with the given seed.",
        ),
        Parameter(
            "seed",
            0,
            "Seed of the slopes drawn in training mode: the same seed and shape give the same"
            " slopes, in the value and the gradient alike.",
            minimum=0,
            maximum=2**63 - 1,
        ),
    ),
    kink="f'(0) = a, as in PyTorch.",
    reference="Xu, Wang, Chen & Li, Empirical Evaluation of Rectified Activations in Convolutional Network, arXiv:1505.00853, 2015.",
    family="rectifiers",
    follows=_TORCH,
    equivalents=(
        Equivalent(
            "torch",
            "torch.nn.functional.rrelu(x, lower=1/8, upper=1/3, training=False)",
            "in training PyTorch draws from its global generator; here from the explicit seed",
        ),
    ),
    facts=Facts(
        continuity=lambda lower, upper, training, seed: (
            SMOOTH if _rrelu_slope_mean(lower, upper) == 1 else 0
        ),
        range=lambda lower, upper, training, seed: _leaky_range(_rrelu_slope_mean(lower, upper)),
        cost="piecewise-linear",
        random=lambda lower, upper, training, seed: training,
        initialisation=Initialisation(
            "he_normal",
            lambda lower, upper, training, seed: _leaky_gain(_rrelu_slope_mean(lower, upper)),
            "torch.nn.init.calculate_gain('leaky_relu', (lower + upper) / 2)",
        ),
        identities=(
            Identity(
                r"f(x) = \operatorname{leaky\_relu}\!\left(x;\ \tfrac{l + u}{2}\right)"
                r"\ \text{(eval)}",
                rrelu,
                lambda x: leaky_relu(x, (1 / 8 + 1 / 3) / 2),
            ),
        ),
        references=(
            Reference(
                "Xu, Wang, Chen & Li",
                "Empirical Evaluation of Rectified Activations in Convolutional Network",
                "arXiv:1505.00853",
                2015,
                "https://arxiv.org/abs/1505.00853",
            ),
        ),
    ),
    gaussian_moments=GaussianMoments(value=rrelu_second_moment, slope=rrelu_slope_moment),
)

THRESHOLD = Activation(
    name="threshold",
    forward=threshold,
    derivative=threshold_derivative,
    second_derivative=no_curvature,
    formula=r"f(x) = \begin{cases} x & x > t \\ v & x \le t \end{cases}",
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > t \\ 0 & x \le t \end{cases}",
    second_derivative_formula="f''(x) = 0",
    parameters=(
        Parameter(
            "threshold",
            0.0,
            "The threshold t (PyTorch and Keras have no default; 0 makes it relu).",
            minimum=-1e300,
            maximum=1e300,
        ),
        Parameter(
            "value",
            0.0,
            "The value v taken at and below t (Keras calls it default_value).",
            minimum=-1e300,
            maximum=1e300,
        ),
    ),
    kink="f'(t) = 0, as in PyTorch; f jumps there unless v = t.",
    reference="PyTorch's torch.nn.Threshold.",
    family="rectifiers",
    follows=_TORCH,
    equivalents=(
        Equivalent("torch", "torch.nn.functional.threshold(x, threshold=0.0, value=0.0)"),
        Equivalent("keras", "keras.activations.threshold(x, threshold=0.0, default_value=0.0)"),
    ),
    facts=Facts(
        # f jumps from v to t at t unless v = t; its slope always goes from 0 to 1 there.
        continuity=lambda threshold, value: 0 if value == threshold else -1,
        range=lambda threshold, value: hull([value], [threshold, _INF]),
        cost="piecewise-linear",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"\operatorname{threshold}(x; 0, 0) = \operatorname{relu}(x)", threshold, relu
            ),
        ),
    ),
    gaussian_moments=GaussianMoments(value=threshold_second_moment, slope=threshold_slope_moment),
)

HARDTANH = Activation(
    name="hardtanh",
    forward=hardtanh,
    derivative=hardtanh_derivative,
    second_derivative=no_curvature,
    formula=r"f(x) = \min(\max(x, a), b)",
    derivative_formula=r"f'(x) = \begin{cases} 1 & a < x < b \\ 0 & \text{otherwise} \end{cases}",
    second_derivative_formula="f''(x) = 0",
    parameters=(
        Parameter("min_val", -1.0, "Lower bound a.", minimum=-1e300, maximum=1e300),
        Parameter("max_val", 1.0, "Upper bound b (at least a).", minimum=-1e300, maximum=1e300),
    ),
    kink="f'(a) = f'(b) = 0, as in PyTorch.",
    reference="Collobert, Large Scale Machine Learning, PhD thesis, 2004.",
    family="rectifiers",
    follows=_TORCH,
    equivalents=(
        Equivalent("torch", "torch.nn.functional.hardtanh(x, min_val=-1.0, max_val=1.0)"),
        Equivalent("keras", "keras.activations.hard_tanh(x)", "bounds fixed at -1, 1; f'(+-1) = 1"),
        Equivalent("jax", "jax.nn.hard_tanh(x)", "bounds fixed at -1, 1; f'(+-1) = 1"),
    ),
    facts=Facts(
        continuity=lambda min_val, max_val: 0 if min_val < max_val else SMOOTH,
        range=_hardtanh_range,
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

ELU = Activation(
    name="elu",
    forward=elu,
    derivative=elu_derivative,
    second_derivative=elu_second_derivative,
    formula=r"f(x) = \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases}",
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}",
    second_derivative_formula=(
        r"f''(x) = \begin{cases} 0 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}"
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
    reference="Clevert, Unterthiner & Hochreiter, Fast and Accurate Deep Network Learning by Exponential Linear Units, ICLR 2016.",
    family="rectifiers",
    follows=_TORCH,
    equivalents=(
        Equivalent("torch", "torch.nn.functional.elu(x, alpha=1.0)"),
        Equivalent("keras", "keras.activations.elu(x, alpha=1.0)"),
        Equivalent("jax", "jax.nn.elu(x, alpha=1.0)"),
    ),
    facts=Facts(
        continuity=lambda alpha: 1 if alpha == 1 else 0,
        range=_elu_range,
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

SELU = Activation(
    name="selu",
    forward=selu,
    derivative=selu_derivative,
    second_derivative=selu_second_derivative,
    formula=(
        r"f(x) = \lambda \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & x \le 0 \end{cases},"
        r"\ \alpha = 1.6732632423543772848\ldots,\ \lambda = 1.0507009873554804934\ldots"
    ),
    derivative_formula=(
        r"f'(x) = \lambda \begin{cases} 1 & x > 0 \\ \alpha e^{x} & x \le 0 \end{cases}"
    ),
    second_derivative_formula=(
        r"f''(x) = \begin{cases} 0 & x > 0 \\ \lambda \alpha e^{x} & x \le 0 \end{cases}"
    ),
    kink="f'(0) = f''(0) = lambda alpha, as in PyTorch.",
    reference="Klambauer, Unterthiner, Mayr & Hochreiter, Self-Normalizing Neural Networks, NeurIPS 2017.",
    family="rectifiers",
    follows=_TORCH,
    equivalents=(
        Equivalent("torch", "torch.nn.functional.selu(x)"),
        Equivalent("keras", "keras.activations.selu(x)"),
        Equivalent("jax", "jax.nn.selu(x)"),
    ),
    facts=Facts(
        continuity=0,
        range=Interval(-SELU_SCALE_ALPHA, _INF, False, False),
        cost="exp",
        initialisation=Initialisation(
            "lecun_normal", 3 / 4, "torch.nn.init.calculate_gain('selu')"
        ),
        identities=(
            Identity(
                r"\operatorname{selu}(x) = \lambda\,\operatorname{elu}(x;\ \alpha)",
                selu,
                lambda x: SELU_SCALE * elu(x, _SELU_ALPHA),
            ),
        ),
        references=(
            Reference(
                "Klambauer, Unterthiner, Mayr & Hochreiter",
                "Self-Normalizing Neural Networks",
                "NeurIPS",
                2017,
                "https://arxiv.org/abs/1706.02515",
            ),
        ),
    ),
    gaussian_moments=GaussianMoments(value=selu_second_moment, slope=selu_slope_moment),
)

CELU = Activation(
    name="celu",
    forward=celu,
    derivative=celu_derivative,
    second_derivative=celu_second_derivative,
    formula=r"f(x) = \max(0, x) + \min\!\left(0, \alpha\,(e^{x/\alpha} - 1)\right)",
    derivative_formula=r"f'(x) = \begin{cases} 1 & x > 0 \\ e^{x/\alpha} & x \le 0 \end{cases}",
    second_derivative_formula=(
        r"f''(x) = \begin{cases} 0 & x > 0 \\ e^{x/\alpha} / \alpha & x \le 0 \end{cases}"
    ),
    parameters=(
        Parameter(
            "alpha",
            1.0,
            "Scale alpha > 0 of the negative part (-alpha is its limit).",
            minimum=1e-100,
            maximum=1e6,
        ),
    ),
    kink="f''(0) = 1/alpha, the left-hand value (f' is continuous).",
    reference="Barron, Continuously Differentiable Exponential Linear Units, arXiv:1704.07483, 2017.",
    family="rectifiers",
    follows=_TORCH,
    equivalents=(
        Equivalent("torch", "torch.nn.functional.celu(x, alpha=1.0)"),
        Equivalent("keras", "keras.activations.celu(x, alpha=1.0)"),
        Equivalent("jax", "jax.nn.celu(x, alpha=1.0)"),
    ),
    facts=Facts(
        continuity=1,
        range=lambda alpha: Interval(-alpha, _INF, False, False),
        cost="exp",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"\operatorname{celu}(x; \alpha) = \alpha\,\operatorname{elu}(x / \alpha;\ 1)",
                lambda x: celu(x, 2.0),
                lambda x: 2.0 * elu(x / 2.0),
            ),
            Identity(
                r"f'(x) = 1 + f(x)/\alpha\quad(x \le 0)",
                celu_derivative,
                lambda x: 1 + celu(x),
                domain=(-30.0, 0.0),
            ),
        ),
        references=(
            Reference(
                "Barron",
                "Continuously Differentiable Exponential Linear Units",
                "arXiv:1704.07483",
                2017,
                "https://arxiv.org/abs/1704.07483",
            ),
        ),
    ),
    gaussian_moments=GaussianMoments(value=celu_second_moment, slope=celu_slope_moment),
)

RELU_SQUARED = Activation(
    name="relu_squared",
    forward=relu_squared,
    derivative=relu_squared_derivative,
    second_derivative=relu_squared_second_derivative,
    formula=r"f(x) = \max(x, 0)^2",
    derivative_formula=r"f'(x) = 2 \max(x, 0)",
    second_derivative_formula=r"f''(x) = \begin{cases} 2 & x > 0 \\ 0 & x \le 0 \end{cases}",
    kink="f''(0) = 0, the left-hand value (f' is continuous).",
    reference="So et al., Primer: Searching for Efficient Transformers for Language Modeling, NeurIPS 2021.",
    family="rectifiers",
    follows="the paper (PyTorch, Keras and JAX have no such function)",
    equivalents=(
        Equivalent("torch", "torch.square(torch.nn.functional.relu(x))", "a composition"),
        Equivalent("jax", "jax.numpy.square(jax.nn.relu(x))", "a composition"),
    ),
    facts=Facts(
        continuity=1,
        range=NON_NEGATIVE,
        cost="polynomial",
        initialisation=Initialisation(None),
        identities=(
            Identity(r"f(x) = \operatorname{relu}(x)^2", relu_squared, lambda x: relu(x) * relu(x)),
            Identity(
                r"f'(x) = 2\operatorname{relu}(x)", relu_squared_derivative, lambda x: 2 * relu(x)
            ),
        ),
        references=(
            Reference(
                "So, Mańke, Liu, Dai, Shazeer & Le",
                "Primer: Searching for Efficient Transformers for Language Modeling",
                "NeurIPS",
                2021,
                "https://arxiv.org/abs/2109.08668",
            ),
        ),
    ),
)

ENTRIES: tuple[Activation, ...] = (
    RELU,
    RELU6,
    LEAKY_RELU,
    PRELU,
    RRELU,
    THRESHOLD,
    HARDTANH,
    ELU,
    SELU,
    CELU,
    RELU_SQUARED,
)
