"""snake: x + sin^2(a x) / a, the identity with a periodic ripple of frequency a."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import Activation, Parameter
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.limits import at_infinity
from service.numerics.catalog.periodic.sin import sine_cosine
from service.numerics.compiled import Kernel, inline, vmath, vmath64
from service.numerics.types import REAL_LINE, Array


def snake(x: Array, a: float = 1.0) -> Array:
    """x + sin^2(a x) / a.

    x at +-inf, where sin(inf) is NaN but the bounded ripple leaves the limit x. (The kernels
    decline past their range reduction, so this path answers there.)
    """
    # x itself at x = 0: -0 + (+0) would be +0, where f is negative left of 0.
    result = np.where(x == 0, x, x + np.square(sine_cosine(a * x)[0]) / a)
    return at_infinity(x, result, below=-np.inf, above=np.inf)


def snake_derivative(x: Array, a: float = 1.0) -> Array:
    # 1 + sin(2 a x) = (sin a x + cos a x)^2: its double roots come out without cancelling
    # against 1, and 2 a x would overflow before a x does.
    sine, cosine = sine_cosine(a * x)
    return np.square(sine + cosine)


def snake_second_derivative(x: Array, a: float = 1.0) -> Array:
    sine, cosine = sine_cosine(a * x)
    return 2 * a * (cosine - sine) * (cosine + sine)


@inline
def snake_at(x: float, p: tuple[float]) -> float:
    (a,) = p
    sine = vmath.sin(a * x)
    return x + sine * sine * (1.0 / a) if x != 0.0 else x


@inline
def snake_derivative_at(x: float, p: tuple[float]) -> float:
    (a,) = p
    # 1 + sin 2ax = (sin ax + cos ax)^2: its double roots come out without cancelling.
    phase = a * x
    total = vmath.sin(phase) + vmath.cos(phase)
    return total * total


# For float64, the numpy path's forms on vmath64 (NaN past a phase of 1.6e6, see sin).
@inline
def snake_at64(x: float, p: tuple[float]) -> float:
    (a,) = p
    sine = vmath64.sin(a * x)
    return x + sine * sine / a if x != 0.0 else x


@inline
def snake_derivative_at64(x: float, p: tuple[float]) -> float:
    (a,) = p
    sine, cosine = vmath64.sin_cos(a * x)
    total = sine + cosine
    return total * total


@inline
def snake_second_derivative_at(x: float, p: tuple[float]) -> float:
    (a,) = p
    sine, cosine = vmath64.sin_cos(a * x)
    return 2.0 * a * (cosine - sine) * (cosine + sine)


ACTIVATION = Activation(
    name="snake",
    formula=r"f(x) = x + \frac{\sin^2(a x)}{a}",
    forward=snake,
    derivative_formula=r"f'(x) = 1 + \sin(2 a x)",
    derivative=snake_derivative,
    second_derivative_formula=r"f''(x) = 2 a \cos(2 a x)",
    second_derivative=snake_second_derivative,
    kernels=(
        Kernel(
            snake_at,
            snake_derivative_at,
            value64=snake_at64,
            derivative64=snake_derivative_at64,
            second_derivative64=snake_second_derivative_at,
        ),
    ),
    parameters=(
        Parameter(
            "a",
            1.0,
            "Frequency a > 0 (learned per channel in the paper; fixed here).",
            minimum=1e-6,
            maximum=1e6,
        ),
    ),
    variants=({"a": 0.5},),
    follows="the paper (PyTorch, Keras and JAX have no such function)",
    facts=Facts(
        continuity=SMOOTH,
        range=REAL_LINE,
        cost="trig",
        initialisation=Initialisation(None),
        identities=(
            Identity(
                r"f(x) = x + \frac{1 - \cos 2ax}{2a}", snake, lambda x: x + (1 - np.cos(2 * x)) / 2
            ),
            Identity(r"f'(x) = 1 + \sin 2ax", snake_derivative, lambda x: 1 + np.sin(2 * x)),
        ),
        references=(
            Reference(
                "Liu Ziyin, Hartwig & Ueda",
                "Neural Networks Fail to Learn Periodic Functions and How to Fix It",
                "NeurIPS",
                2020,
                "https://arxiv.org/abs/2006.08195",
            ),
        ),
    ),
)
