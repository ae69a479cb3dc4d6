"""mish: x tanh(softplus(x)), a smooth, non-monotonic self-gated activation."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.limits import at_infinity
from service.numerics.compiled import Kernel, ScalarFunction, inline, vmath, vmath64
from service.numerics.types import Array, Interval

_HUGE = 1e300
# f, f' and f'' at -inf and +inf: the tail below 0 vanishes from below.
_VALUE_LIMITS = {"below": -0.0, "above": math.inf}
_SLOPE_LIMITS = {"below": -0.0, "above": 1.0}
_CURVATURE_LIMITS = {"below": -0.0, "above": -0.0}


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
    return at_infinity(x, x * _mish_gate(x)[0], **_VALUE_LIMITS)


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
    slope = np.where(positive, g + x * h, negative.astype(x.dtype))
    return at_infinity(x, slope, **_SLOPE_LIMITS)


def mish_second_derivative(x: Array) -> Array:
    g, h, e, positive = _mish_gate(x)
    # sigma(-x) - 2 g sigma(x), over the common denominator 1 + e.
    gates = np.where(positive, e - 2 * g, 1 - 2 * g * e) / (1 + e)
    # Past x = 1e300, h is 0 and x * gates would overflow: 0 * -inf is NaN.
    return at_infinity(x, h * (2 + np.minimum(x, _HUGE) * gates), **_CURVATURE_LIMITS)


_Gate = Callable[[float], tuple[float, float, float]]


def _mish_kernels(exp: ScalarFunction) -> tuple[_Gate, ScalarFunction, ScalarFunction]:
    """mish's gate, value and slope for the compiled loops, on ``exp``: vmath.exp for float32
    results, vmath64.exp for float64 ones (the same forms; only the exponential's accuracy
    differs)."""

    @inline
    def gate(x: float) -> tuple[float, float, float]:
        """(n, d, e): tanh(softplus x) = E(E + 2) / (E(E + 2) + 2) with E = e^x, as n / d
        written in e = e^-|x| <= 1."""
        e = exp(-abs(x))
        positive = x > 0
        numerator = 1.0 + 2.0 * e if positive else e * (e + 2.0)
        return numerator, numerator + (2.0 * (e * e) if positive else 2.0), e

    @inline
    def value(x: float, _: tuple[()]) -> float:
        n, d, _e = gate(x)
        return x * n / d

    @inline
    def derivative(x: float, _: tuple[()]) -> float:
        e = exp(-abs(x))
        # x > 0, with mish's n / d in e = e^-x: (n d + 4 x e^2 (1 + e)) / d^2, every term
        # positive.
        n = 1.0 + 2.0 * e
        d = n + 2.0 * (e * e)
        positive = n * d + 4.0 * x * (e * e) * (1.0 + e)
        # x <= 0, in E = e^x = e: E (4 (1 + x) + E (6 + 4x + E (4 + E))) / (2 + E (2 + E))^2,
        # the numpy path's E ((u + 1)(u^2 + 1) + 4 x u) / (u^2 + 1)^2, u = 1 + E, in powers
        # of E. Its root at x = -1.19 then sets terms near 0.8 against each other rather
        # than near 6, and 1 + x and 6 + 4x are exact.
        negative = e * (4.0 * (1.0 + x) + e * ((6.0 + 4.0 * x) + e * (4.0 + e)))
        negative_d = 2.0 + e * (2.0 + e)
        top, bottom = (positive, d) if x > 0 else (negative, negative_d)
        return top / (bottom * bottom)

    return gate, value, derivative


_, mish_at, mish_derivative_at = _mish_kernels(vmath.exp)
_gate_at64, mish_at64, mish_derivative_at64 = _mish_kernels(vmath64.exp)


@inline
def mish_second_derivative_at(x: float, _: tuple[()]) -> float:
    # h (2 + x (sigma(-x) - 2 g sigma(x))), h = (1 - g^2) sigma(x), as the numpy path.
    n, d, e = _gate_at64(x)
    g = n / d
    positive = x > 0
    h = 4.0 * e * (1.0 + e) * (e if positive else 1.0) / (d * d)
    gates = (e - 2.0 * g if positive else 1.0 - 2.0 * g * e) / (1.0 + e)
    return h * (2.0 + min(x, _HUGE) * gates)


# mish's minimum, by mpmath at 40 digits.
_MINIMUM = -0.30884341301725043


ACTIVATION = Activation(
    name="mish",
    formula=r"f(x) = x \tanh(\operatorname{softplus}(x)) = x \tanh\log(1 + e^{x})",
    forward=mish,
    derivative_formula=r"f'(x) = g + x\,(1 - g^2)\,\sigma(x),\quad g = \tanh\operatorname{softplus}(x)",
    derivative=mish_derivative,
    second_derivative_formula=(
        r"f''(x) = (1 - g^2)\,\sigma(x)\left(2 + x\left(\sigma(-x) - 2 g\,\sigma(x)\right)\right)"
    ),
    second_derivative=mish_second_derivative,
    kernels=(
        Kernel(
            mish_at,
            mish_derivative_at,
            value64=mish_at64,
            derivative64=mish_derivative_at64,
            second_derivative64=mish_second_derivative_at,
        ),
    ),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.mish(x)"),
        Equivalent("keras", "keras.activations.mish(x)"),
        Equivalent("jax", "jax.nn.mish(x)"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=Interval(_MINIMUM, math.inf, True, False),
        cost="exp",
        initialisation=Initialisation("he_normal"),
        identities=(
            Identity(
                r"f(x) = x \tanh(\log(1 + e^{x}))",
                mish,
                lambda x: x * np.tanh(np.logaddexp(0.0, x)),
            ),
        ),
        references=(
            Reference(
                "Misra",
                "Mish: A Self Regularized Non-Monotonic Activation Function",
                "BMVC",
                2020,
                "https://arxiv.org/abs/1908.08681",
            ),
        ),
    ),
)
