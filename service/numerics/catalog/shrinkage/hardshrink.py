"""hardshrink: hard thresholding, x itself outside the dead zone [-lambda, lambda] and 0 in it."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.piecewise import no_curvature, no_curvature_at
from service.numerics.catalog.shrinkage.softshrink import (
    LAMBDA,
    shrink_derivative,
    shrink_derivative_at,
    shrink_kinks,
    softshrink,
)
from service.numerics.compiled import Kernel, inline, vmath32
from service.numerics.types import REAL_LINE, Array


def hardshrink(x: Array, lambd: float = 0.5) -> Array:
    """x for |x| > lambd, 0 otherwise."""
    return x * (np.abs(x) > lambd)


@inline
def hardshrink_at(x: float, p: tuple[float]) -> float:
    (lambd,) = p
    # x times 0, not 0: -0.0 for negative x in the dead zone, as the numpy path gives.
    return x * (1.0 if abs(x) > lambd else 0.0)


@inline
def hardshrink_at32(x: float, p: tuple[float]) -> float:
    # In float32, eight lanes to four: |x| > lambd is |x| > below(lambd) for a float32 x, and
    # x times 1 or 0 is exact, the same bits as hardshrink_at's.
    (lambd,) = p
    y = np.float32(x)
    return float(y * (np.float32(1.0) if abs(y) > vmath32.below(lambd) else np.float32(0.0)))


ACTIVATION = Activation(
    name="hardshrink",
    aliases=("hard_shrink",),
    formula=r"f(x) = \begin{cases} x & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}",
    forward=hardshrink,
    derivative_formula=(
        r"f'(x) = \begin{cases} 1 & |x| > \lambda \\ 0 & \text{otherwise} \end{cases}"
    ),
    derivative=shrink_derivative,
    second_derivative_formula="f''(x) = 0",
    second_derivative=no_curvature,
    # The same functions for float64: each result is exact, or one rounded operation.
    kernels=(
        Kernel(
            hardshrink_at32,
            shrink_derivative_at,
            value64=hardshrink_at,
            derivative64=shrink_derivative_at,
            second_derivative64=no_curvature_at,
        ),
    ),
    parameters=(LAMBDA,),
    kink="f'(+-lambda) = 0, as in PyTorch; f jumps there.",
    variants=({"lambd": 0.1},),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.hardshrink(x, lambd=0.5)"),
        Equivalent("keras", "keras.activations.hard_shrink(x, threshold=0.5)"),
    ),
    facts=Facts(
        continuity=lambda lambd: -1 if lambd > 0 else SMOOTH,
        range=REAL_LINE,
        kinks=shrink_kinks,
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
