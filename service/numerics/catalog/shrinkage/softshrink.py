"""softshrink: soft thresholding, x moved towards 0 by lambda and 0 within lambda of it."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, Parameter
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.piecewise import no_curvature, no_curvature_at
from service.numerics.catalog.rectifiers.relu import relu
from service.numerics.compiled import Kernel, inline, vmath32
from service.numerics.types import REAL_LINE, Array

LAMBDA = Parameter(
    "lambd",
    0.5,
    "Half-width lambda of the dead zone (Keras calls it threshold).",
    minimum=0.0,
    maximum=1e300,
)
"""The dead zone's half-width, softshrink's and hardshrink's one parameter."""


def softshrink(x: Array, lambd: float = 0.5) -> Array:
    """x - lambd for x > lambd, x + lambd for x < -lambd, 0 in between."""
    # Exactly that: in between x - x = 0, outside one rounded subtraction.
    return x - np.clip(x, -lambd, lambd)


def shrink_derivative(x: Array, lambd: float = 0.5) -> Array:
    return (np.abs(x) > lambd).astype(x.dtype)


@inline
def softshrink_at(x: float, p: tuple[float]) -> float:
    (lambd,) = p
    return x - min(max(x, -lambd), lambd)  # exactly 0 in the dead zone


@inline
def softshrink_at32(x: float, p: tuple[float]) -> float:
    """x - lambd for |x| > lambd (x + lambd below), 0 within, in float32 arithmetic.

    With lambd = h + l + d (vmath32.split) and y = |x| > lambd, y >= h (h is lambd rounded
    to nearest, and y a float32 above lambd), so y - h = s + e exactly by Fast2Sum, and the
    result rounds s + fl(e - l) once. If y <= 2h, s is exact (Sterbenz), e = 0 and s - l
    rounds once: off the exact y - lambd by d <= u |l| <= 2^-25 ULP(h), at most half an ULP
    of the result (which is at least ULP(h)/2 - |l|, not less than 2^-24 ULP(h)); so within
    1 ULP. Past 2h the result exceeds y/2 and e - l rounds off by u (|e| + |l|) <= 2 u^2 y:
    within 0.5 ULP + 4 u^2. Within an ULP, then, of the exact value and so of softshrink_at's
    float64 rounded. The sign is x's (copysign: a result that underflows to 0 keeps it, as
    x - lambd rounded would), the dead zone's 0 is +0 (x - x); an infinite x, whose e would
    be NaN, is its own limit.
    """
    (lambd,) = p
    hi, lo = vmath32.split(lambd)
    y = np.float32(x)
    magnitude = abs(y)
    s = magnitude - hi
    e = (magnitude - s) - hi
    shrunk = s + (e - lo)
    # numba's copysign of float32s is a float32: one float32 select after it, widened once
    # (a float64 select would keep the loop in float64).
    signed = math.copysign(shrunk if magnitude != np.float32(np.inf) else magnitude, y)
    return float(signed if magnitude > vmath32.below(lambd) else np.float32(0.0))


@inline
def shrink_derivative_at(x: float, p: tuple[float]) -> float:
    (lambd,) = p
    return 1.0 if abs(x) > lambd else 0.0


def shrink_kinks(lambd: float) -> tuple[float, ...]:
    """+-lambda, where the dead zone ends; none when it is empty."""
    return (-lambd, lambd) if lambd > 0 else ()


ACTIVATION = Activation(
    name="softshrink",
    aliases=("soft_shrink",),
    formula=(
        r"f(x) = \begin{cases} x - \lambda & x > \lambda \\ x + \lambda & x < -\lambda \\"
        r" 0 & \text{otherwise} \end{cases}"
    ),
    forward=softshrink,
    derivative_formula=(
        r"f'(x) = \begin{cases} 1 & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}"
    ),
    derivative=shrink_derivative,
    second_derivative_formula="f''(x) = 0",
    second_derivative=no_curvature,
    # The same functions for float64: each result is exact, or one rounded operation.
    kernels=(
        Kernel(
            softshrink_at32,
            shrink_derivative_at,
            value64=softshrink_at,
            derivative64=shrink_derivative_at,
            second_derivative64=no_curvature_at,
        ),
    ),
    parameters=(LAMBDA,),
    kink="f'(+-lambda) = 0, as in PyTorch.",
    variants=({"lambd": 1.25},),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.softshrink(x, lambd=0.5)"),
        Equivalent("keras", "keras.activations.soft_shrink(x, threshold=0.5)"),
    ),
    facts=Facts(
        continuity=lambda lambd: 0 if lambd > 0 else SMOOTH,
        range=REAL_LINE,
        kinks=shrink_kinks,
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
