"""Shrinkage functions: tanhshrink, softshrink and hardshrink pull small inputs towards zero."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from service.numerics.activation import Activation, Array, Equivalent, Parameter
from service.numerics.facts import REAL_LINE, SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.families.linear import no_curvature
from service.numerics.families.rectifiers import relu
from service.numerics.families.sigmoidal import tanh_derivative

__all__ = ["ENTRIES"]

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


def softshrink(x: Array, lambd: float = 0.5) -> Array:
    """x - lambd for x > lambd, x + lambd for x < -lambd, 0 in between."""
    # Exactly that: in between x - x = 0, outside one rounded subtraction.
    return x - np.clip(x, -lambd, lambd)


def shrink_derivative(x: Array, lambd: float = 0.5) -> Array:
    return (np.abs(x) > lambd).astype(x.dtype)


def hardshrink(x: Array, lambd: float = 0.5) -> Array:
    """x for |x| > lambd, 0 otherwise."""
    return x * (np.abs(x) > lambd)


_LAMBDA = Parameter(
    "lambd",
    0.5,
    "Half-width lambda of the dead zone (Keras calls it threshold).",
    minimum=0.0,
    maximum=1e300,
)

TANHSHRINK = Activation(
    name="tanhshrink",
    forward=tanhshrink,
    derivative=tanhshrink_derivative,
    second_derivative=tanhshrink_second_derivative,
    formula=r"f(x) = x - \tanh x",
    derivative_formula=r"f'(x) = \tanh^2 x",
    second_derivative_formula=r"f''(x) = 2 \tanh x \operatorname{sech}^2 x",
    reference="PyTorch's torch.nn.Tanhshrink; x - tanh x is the residual of tanh.",
    family="shrinkage",
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

SOFTSHRINK = Activation(
    name="softshrink",
    forward=softshrink,
    derivative=shrink_derivative,
    second_derivative=no_curvature,
    formula=(
        r"f(x) = \begin{cases} x - \lambda & x > \lambda \\ x + \lambda & x < -\lambda \\"
        r" 0 & \text{otherwise} \end{cases}"
    ),
    derivative_formula=(
        r"f'(x) = \begin{cases} 1 & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}"
    ),
    second_derivative_formula="f''(x) = 0",
    parameters=(_LAMBDA,),
    kink="f'(+-lambda) = 0, as in PyTorch.",
    reference="Donoho, De-noising by soft-thresholding, IEEE Trans. Inf. Theory 1995.",
    family="shrinkage",
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.softshrink(x, lambd=0.5)"),
        Equivalent("keras", "keras.activations.soft_shrink(x, threshold=0.5)"),
    ),
    facts=Facts(
        continuity=lambda lambd: 0 if lambd > 0 else SMOOTH,
        range=REAL_LINE,
        cost="piecewise-linear",
        initialisation=Initialisation(None),
        identities=(
            Identity(
                r"f(x) = \operatorname{sign}(x)\operatorname{relu}(|x| - \lambda)",
                softshrink,
                lambda x: np.sign(x) * relu(np.abs(x) - 0.5),
            ),
            Identity(
                r"f(x) = \operatorname{relu}(x - \lambda) - \operatorname{relu}(-x - \lambda)",
                softshrink,
                lambda x: relu(x - 0.5) - relu(-x - 0.5),
            ),
        ),
        references=(
            Reference(
                "Donoho",
                "De-noising by soft-thresholding",
                "IEEE Transactions on Information Theory 41",
                1995,
                "https://doi.org/10.1109/18.382009",
            ),
        ),
    ),
)

HARDSHRINK = Activation(
    name="hardshrink",
    forward=hardshrink,
    derivative=shrink_derivative,
    second_derivative=no_curvature,
    formula=r"f(x) = \begin{cases} x & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}",
    derivative_formula=(
        r"f'(x) = \begin{cases} 1 & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}"
    ),
    second_derivative_formula="f''(x) = 0",
    parameters=(_LAMBDA,),
    kink="f'(+-lambda) = 0, as in PyTorch; f jumps there.",
    reference="Donoho & Johnstone, Ideal spatial adaptation by wavelet shrinkage, Biometrika 1994 (hard thresholding).",
    family="shrinkage",
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.hardshrink(x, lambd=0.5)"),
        Equivalent("keras", "keras.activations.hard_shrink(x, threshold=0.5)"),
    ),
    facts=Facts(
        continuity=lambda lambd: -1 if lambd > 0 else SMOOTH,
        range=REAL_LINE,
        cost="piecewise-linear",
        initialisation=Initialisation(None),
        identities=(
            Identity(
                r"f(x) = s(x) + \lambda \operatorname{sign}(s(x)),\ s = \operatorname{softshrink}",
                hardshrink,
                lambda x: softshrink(x) + 0.5 * np.sign(softshrink(x)),
            ),
        ),
        references=(
            Reference(
                "Donoho & Johnstone",
                "Ideal spatial adaptation by wavelet shrinkage",
                "Biometrika 81",
                1994,
                "https://doi.org/10.1093/biomet/81.3.425",
            ),
        ),
    ),
)

ENTRIES: tuple[Activation, ...] = (TANHSHRINK, SOFTSHRINK, HARDSHRINK)
