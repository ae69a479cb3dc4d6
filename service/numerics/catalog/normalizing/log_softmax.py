"""log_softmax: the log-probabilities of softmax, formed without its underflow."""

from __future__ import annotations

import math

import numpy as np
from scipy.special import logsumexp

from service.numerics.catalog.entry import AXIS, Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation
from service.numerics.catalog.normalizing._facts import WIDTH
from service.numerics.catalog.normalizing._rows import (
    exponentials,
    exponentials64,
    exponentials_for_float32,
    less_top,
    rowwise,
    summing,
)
from service.numerics.catalog.normalizing._sums import axis_sum
from service.numerics.catalog.normalizing.softmax import exp_shifted, softmax
from service.numerics.compiled import along_axis, vmath, vmath64
from service.numerics.types import Array, Interval


def log_softmax(x: Array, axis: int = -1) -> Array:
    """(x_i - max x) - log sum_j exp(x_j - max x), the log as log1p of the terms but the max's."""
    shifted, _, rest = exp_shifted(x, axis)
    return shifted - np.log1p(rest)


def log_softmax_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    result: Array = grad_output - softmax(x, axis) * axis_sum(grad_output, axis)
    return result


@summing
def _all_but_one_top(e: Array) -> float:
    """sum e less one of its 1s, the terms at the maximum: the rest, with sum e = 1 + rest.

    In 1 + rest a rest below 1e-16 rounds away, and log_softmax needs it (log1p(rest)).
    """
    below, at_top = 0.0, 0.0
    for i in range(e.size):
        top = e[i] == 1.0
        below += 0.0 if top else e[i]
        at_top += top
    return (at_top - 1.0) + below


@summing
def _total_and_upstream(e: Array, g: Array) -> tuple[float, float]:
    """(sum e, sum g)."""
    total, upstream = 0.0, 0.0
    for i in range(e.size):
        total += e[i]
        upstream += g[i]
    return total, upstream


@rowwise
def log_softmax_row(x: Array, out: Array, work: Array) -> None:
    # The terms on the shorter exponential (exponentials_for_float32), each within 2.6e-9
    # relative (0.044 u, u = 2^-24), so rest and log1p(rest) within that too (log1p(r) >=
    # r/(1 + r)), and (x - max) - log1p(rest), a sum of two terms <= 0, as well: once rounded,
    # within 0.55 ULP of the exact. The maximum's own term is exactly 1, as the rest needs.
    e = work[0]
    top = exponentials_for_float32(x, 1.0, e)
    log_total = vmath.log1p(_all_but_one_top(e))
    for i in range(x.size):
        out[i] = less_top(np.float64(x[i]), top) - log_total


@rowwise
def log_softmax_vjp_row(x: Array, g: Array, out: Array, work: Array) -> None:
    """g - softmax(x) sum g."""
    e = work[0]
    exponentials(x, 1.0, e)
    total, upstream = _total_and_upstream(e, g)
    scale = upstream / total
    for i in range(x.size):
        out[i] = np.float64(g[i]) - e[i] * scale


@rowwise
def log_softmax_row64(x: Array, out: Array, work: Array) -> None:
    """log_softmax_row on vmath64: exp within 0.82 ULP, log1p within 0.55."""
    e = work[0]
    top = exponentials64(x, 1.0, e)
    log_total = vmath64.log1p(_all_but_one_top(e))
    for i in range(x.size):
        out[i] = less_top(np.float64(x[i]), top) - log_total


@rowwise
def log_softmax_vjp_row64(x: Array, g: Array, out: Array, work: Array) -> None:
    e = work[0]
    exponentials64(x, 1.0, e)
    total, upstream = _total_and_upstream(e, g)
    scale = upstream / total
    for i in range(x.size):
        out[i] = np.float64(g[i]) - e[i] * scale


ACTIVATION = Activation(
    name="log_softmax",
    formula=r"f(x)_i = x_i - \log \sum_j e^{x_j}",
    forward=log_softmax,
    derivative_formula=r"\nabla_x = g - \operatorname{softmax}(x) \sum_j g_j",
    vjp=log_softmax_vjp,
    kernels=(
        along_axis(
            log_softmax_row,
            log_softmax_vjp_row,
            value64=log_softmax_row64,
            vjp64=log_softmax_vjp_row64,
        ),
    ),
    parameters=(AXIS,),
    follows="PyTorch, with Keras' and JAX's default axis -1 (PyTorch's dim has none)",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.log_softmax(x, dim=-1)"),
        Equivalent("keras", "keras.activations.log_softmax(x, axis=-1)"),
        Equivalent("jax", "jax.nn.log_softmax(x, axis=-1)"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=Interval(-math.inf, 0.0, False, False),
        cost="log",
        initialisation=Initialisation(None),
        identities=(
            Identity(
                r"f(x)_i = x_i - \log\sum_j e^{x_j}",
                log_softmax,
                lambda x: x - logsumexp(x, axis=-1, keepdims=True),
                width=WIDTH,
            ),
            Identity(
                r"e^{f(x)} = \operatorname{softmax}(x)",
                lambda x: np.exp(log_softmax(x)),
                softmax,
                width=WIDTH,
            ),
        ),
    ),
)
