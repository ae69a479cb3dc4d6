"""sin: sin(w0 x), the periodic activation of SIREN."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent, Parameter
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.limits import at_infinity
from service.numerics.compiled import Kernel, inline, vmath, vmath32, vmath64
from service.numerics.types import Array, Interval


def sine_cosine(phase: Array) -> tuple[Array, Array]:
    with np.errstate(invalid="ignore"):  # an overflowed phase: NaN, as the family says
        return np.sin(phase), np.cos(phase)


def sin(x: Array, w0: float = 1.0) -> Array:
    """sin(w0 x).

    No limit at +-inf, NaN there, but for w0 = 0, where f, f' and f'' are 0 and w0 x is
    0 * inf. (The kernels decline past their
    range reduction, so this path answers there.)
    """
    return _at_infinity(x, sine_cosine(w0 * x)[0], w0)


def sin_derivative(x: Array, w0: float = 1.0) -> Array:
    return _at_infinity(x, w0 * sine_cosine(w0 * x)[1], w0)


def sin_second_derivative(x: Array, w0: float = 1.0) -> Array:
    return _at_infinity(x, -(w0 * w0) * sine_cosine(w0 * x)[0], w0)


def _at_infinity(x: Array, result: Array, w0: float) -> Array:
    return at_infinity(x, result, below=0.0, above=0.0) if w0 == 0 else result


@inline
def sin_at32(x: float, p: tuple[float]) -> float:
    """sin(w0 x) for a float32 x in float32 arithmetic: the phase w0 x rounded once
    (vmath32.times; a zero x times w0's leading part, which keeps the product's sign), then
    vmath32.sin, within 2 max(1, kappa) ULP; the phase's rounding adds kappa/2 ULP at most,
    kappa = |w0 x cot(w0 x)|, and none for w0 = 1."""
    (w0,) = p
    hi, lo = vmath32.split(w0)
    xf = np.float32(x)
    phase = vmath32.times(hi, lo, xf) if xf != 0 else hi * xf
    return vmath32.sin(phase)  # type: ignore[return-value]


@inline
def sin_derivative_at(x: float, p: tuple[float]) -> float:
    (w0,) = p
    return w0 * vmath.cos(w0 * x)


# For float64, vmath64's sine and cosine of the same rounded phase (NaN past 1.6e6, where
# the numpy path's exact reduction takes the point over).
@inline
def sin_at64(x: float, p: tuple[float]) -> float:
    (w0,) = p
    return vmath64.sin(w0 * x)


@inline
def sin_derivative_at64(x: float, p: tuple[float]) -> float:
    (w0,) = p
    return w0 * vmath64.cos(w0 * x)


@inline
def sin_second_derivative_at(x: float, p: tuple[float]) -> float:
    (w0,) = p
    return -(w0 * w0) * vmath64.sin(w0 * x)


ACTIVATION = Activation(
    name="sin",
    formula=r"f(x) = \sin(\omega_0 x)",
    forward=sin,
    derivative_formula=r"f'(x) = \omega_0 \cos(\omega_0 x)",
    derivative=sin_derivative,
    second_derivative_formula=r"f''(x) = -\omega_0^2 \sin(\omega_0 x)",
    second_derivative=sin_second_derivative,
    kernels=(
        Kernel(
            sin_at32,
            sin_derivative_at,
            value64=sin_at64,
            derivative64=sin_derivative_at64,
            second_derivative64=sin_second_derivative_at,
        ),
    ),
    parameters=(
        Parameter(
            "w0",
            1.0,
            "Frequency omega_0; the SIREN paper uses 30 in its first layer.",
            minimum=-1e6,
            maximum=1e6,
        ),
    ),
    variants=({"w0": 30.0},),
    follows="the SIREN paper, with omega_0 = 1 by default (no library has it as an activation)",
    equivalents=(
        Equivalent("torch", "torch.sin(w0 * x)", "a tensor function, not an activation"),
        Equivalent("keras", "keras.ops.sin(w0 * x)", "an op, not an activation"),
        Equivalent("jax", "jax.numpy.sin(w0 * x)", "a numpy function, not an activation"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=lambda w0: Interval(-1.0, 1.0, True, True) if w0 != 0 else Interval.point(0.0),
        cost="trig",
        initialisation=Initialisation(None),
        identities=(
            Identity(
                r"f(x)^2 + (f'(x)/\omega_0)^2 = 1",
                lambda x: np.square(sin(x)) + np.square(sin_derivative(x)),
                np.ones_like,
            ),
            Identity(r"f(-x) = -f(x)", lambda x: sin(-x), lambda x: -sin(x)),
        ),
        references=(
            Reference(
                "Sitzmann, Martel, Bergman, Lindell & Wetzstein",
                "Implicit Neural Representations with Periodic Activation Functions",
                "NeurIPS",
                2020,
                "https://arxiv.org/abs/2006.09661",
            ),
        ),
    ),
)
