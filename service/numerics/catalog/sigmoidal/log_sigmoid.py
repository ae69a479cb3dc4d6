"""log_sigmoid: log sigma(x), the log-likelihood of the logistic model, without underflow."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation
from service.numerics.catalog.sigmoidal.sigmoid import (
    sigmoid,
    sigmoid_at,
    sigmoid_at64,
    sigmoid_derivative,
    sigmoid_derivative_at64,
)
from service.numerics.compiled import Kernel, inline, vmath, vmath64
from service.numerics.types import Array, Interval


def log_sigmoid(x: Array) -> Array:
    """log sigma(x) = min(x, 0) - log(1 + exp(-|x|)).

    As -(log1p(e^-|x|) - min(x, 0)): where both terms are 0 (x past 745, +inf), the -0.0 of a
    function below 0, not the +0.0 of 0 - 0.
    """
    return -(np.log1p(np.exp(-np.abs(x))) - np.minimum(x, 0))


def log_sigmoid_derivative(x: Array) -> Array:
    return sigmoid(-x)


def log_sigmoid_second_derivative(x: Array) -> Array:
    return -sigmoid_derivative(x)


@inline
def log_sigmoid_at(x: float, _: tuple[()]) -> float:
    """min(x, 0) - log1p(e), e = e^-|x|, in float64 for a float32 result.

    e by vmath.exp_for_float32, within 2.6e-9: log1p(e) moves by e/(1 + e) times that, at
    most log1p(e) times it (log1p(e) >= e/(1 + e)), and min(x, 0) has the same sign: the
    result within 2.6e-9 and log1p_unit's 1e-14, 0.55 ULP once rounded. -inf at -inf; at
    +inf -log1p(e^-700), a -0 in float32.
    """
    return min(x, 0.0) - vmath.log1p_unit(vmath.exp_for_float32(-abs(x)))


@inline
def log_sigmoid_derivative_at(x: float, _: tuple[()]) -> float:
    return sigmoid_at(-x, ())  # sigma(-x): within 0.55 ULP; 1 at -inf, 0 at +inf


# For float64: log1p of e = e^-|x| is within 0.55 ULP plus e's 0.82 ULP (log1p(e) is less
# sensitive to e than e itself), and min(x, 0) has its sign: no cancellation.
@inline
def log_sigmoid_at64(x: float, _: tuple[()]) -> float:
    return -(vmath64.log1p(vmath64.exp(-abs(x))) - min(x, 0.0))


@inline
def log_sigmoid_derivative_at64(x: float, _: tuple[()]) -> float:
    return sigmoid_at64(-x, ())


@inline
def log_sigmoid_second_derivative_at(x: float, _: tuple[()]) -> float:
    return -sigmoid_derivative_at64(x, ())


ACTIVATION = Activation(
    name="log_sigmoid",
    aliases=("logsigmoid",),
    formula=r"f(x) = \log \sigma(x) = -\log(1 + e^{-x})",
    forward=log_sigmoid,
    derivative_formula=r"f'(x) = \sigma(-x)",
    derivative=log_sigmoid_derivative,
    second_derivative_formula=r"f''(x) = -\sigma(x)\,\sigma(-x)",
    second_derivative=log_sigmoid_second_derivative,
    kernels=(
        Kernel(
            log_sigmoid_at,
            log_sigmoid_derivative_at,
            value64=log_sigmoid_at64,
            derivative64=log_sigmoid_derivative_at64,
            second_derivative64=log_sigmoid_second_derivative_at,
        ),
    ),
    follows="PyTorch",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.logsigmoid(x)"),
        Equivalent("keras", "keras.activations.log_sigmoid(x)"),
        Equivalent("jax", "jax.nn.log_sigmoid(x)"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=Interval(-math.inf, 0.0, False, False),
        cost="log",
        initialisation=Initialisation(None),
        identities=(
            Identity(
                r"\log\sigma(x) = -\operatorname{softplus}(-x)",
                log_sigmoid,
                lambda x: -np.logaddexp(0.0, -x),
            ),
            Identity(
                r"\log\sigma(x) - \log\sigma(-x) = x",
                lambda x: log_sigmoid(x) - log_sigmoid(-x),
                lambda x: x,
            ),
        ),
    ),
)
