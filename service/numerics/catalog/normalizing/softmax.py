"""softmax: exp(x_i) over the sum of every exp(x_j), a distribution along the axis."""

from __future__ import annotations

import numpy as np

from service.numerics.catalog.entry import AXIS, Activation, Equivalent
from service.numerics.catalog.facts import SMOOTH, Facts, Identity, Initialisation, Reference
from service.numerics.catalog.normalizing._facts import (
    PROBABILITY,
    first_of_pair,
    sums_to_one,
)
from service.numerics.catalog.normalizing._rows import (
    at_infinite_top,
    exponentials64,
    exponentials_for_float32,
    largest,
    rowwise,
    summing,
)
from service.numerics.catalog.normalizing._sums import axis_sum
from service.numerics.catalog.sigmoidal.sigmoid import sigmoid
from service.numerics.compiled import (
    RowFunction,
    ScalarFunction,
    along_axis,
    inline,
    vmath,
    vmath64,
)
from service.numerics.types import Array


def exp_shifted(x: Array, axis: int) -> tuple[Array, Array, Array]:
    """x - max, e = exp(x - max), and the sum of e without the 1 of the (first) maximum.

    x - max is 0 wherever x is the maximum, an infinite one included (inf - inf is NaN): the
    entries at +inf share the weight, those at -inf have none.
    """
    top = np.max(x, axis=axis, keepdims=True)
    shifted = np.where(x == top, 0.0, x - top)
    e = np.exp(shifted)
    # Summed without the maximum's 1: in 1 + rest, a rest below 1e-16 would round away, and
    # log1p(rest) is what log_softmax needs.
    others = e.copy()
    np.put_along_axis(others, np.argmax(x, axis=axis, keepdims=True), 0, axis=axis)
    return shifted, e, axis_sum(others, axis)


def softmax(x: Array, axis: int = -1) -> Array:
    """exp(x_i - max x) / sum_j exp(x_j - max x)."""
    _, e, rest = exp_shifted(x, axis)
    return e / (1 + rest)


def softmax_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    s = softmax(x, axis)
    # g - <g, s> = d - <d, s> with d = g - g_k, k the largest x: at k it is then the small sum
    # -sum_j d_j s_j rather than g_k minus a rounded number close to it.
    top = np.argmax(x, axis=axis, keepdims=True)
    d = grad_output - np.take_along_axis(grad_output, top, axis=axis)
    result: Array = s * (d - axis_sum(d * s, axis))
    return result


@summing
def _total(e: Array) -> float:
    total = 0.0
    for i in range(e.size):
        total += e[i]
    return total


@summing
def _total_and_centred(e: Array, g: Array, base: float) -> tuple[float, float]:
    """(sum e, sum (g - base) e)."""
    total, weighted = 0.0, 0.0
    for i in range(e.size):
        total += e[i]
        weighted += (np.float64(g[i]) - base) * e[i]
    return total, weighted


@inline
def _first_at(x: Array, sign: float, top: float) -> int:
    """The first index where sign x is the maximum (found without an early exit, so that the
    loop vectorises as a minimum)."""
    first = x.size
    for i in range(x.size):
        first = min(first, i if sign * np.float64(x[i]) == top else x.size)
    return first


def softmax_rows(
    sign: float,
    exp: ScalarFunction = vmath.exp_for_float32,
    *,
    value_exponentials: ScalarFunction = exponentials_for_float32,
) -> tuple[RowFunction, RowFunction]:
    """softmax(sign x) and its product, times sign: softmax (+1) and softmin (-1); for float32
    rows on vmath.exp_for_float32, for float64 ones on ``exp`` = vmath64.exp and
    ``value_exponentials`` = exponentials64.

    The numpy path divides by 1 + rest, rest the sum without the maximum's 1; here the
    sum of all the terms serves: the two differ in float64's last bit at most. For float32
    the terms are each within 2.6e-9 relative, the sum too: e_i over it within 5.2e-9 and a
    few float64 roundings, the value 0.59 ULP once rounded. The product s_i (d_i - c), c =
    <d, s>, cancels in d_i - c; the terms' errors move c by at most 2.6e-9 sum_j |d_j - c| s_j
    <= 5.2e-9 sum_j |d_j| s_j, and s_i by 5.2e-9 of itself: within 1.1e-8 (0.18 float32 u) of
    the magnitude s_i (|d_i| + sum_j |d_j| s_j) of its terms. That magnitude over |s_i (d_i -
    c)| is what the result's condition number in g reaches, so the product stays within 0.2
    kappa u before its rounding, inside the float32 contract's 2 max(1, kappa) ULP.
    """

    @inline
    def exponentials_and_first(x: Array, e: Array) -> int:
        """e = exp(sign x - max), and the first index where sign x is the maximum, in one loop
        (a second loop for the index alone costs a quarter of the exponentials')."""
        top = largest(x, sign)
        if at_infinite_top(x, sign, top, e):
            return _first_at(x, sign, top)
        first = x.size
        for i in range(x.size):
            value = sign * np.float64(x[i])
            e[i] = exp(value - top)
            first = min(first, i if value == top else x.size)
        return first

    @rowwise
    def value(x: Array, out: Array, work: Array) -> None:
        e = work[0]
        value_exponentials(x, sign, e)
        scale = 1.0 / _total(e)
        for i in range(x.size):
            out[i] = e[i] * scale

    @rowwise
    def vjp(x: Array, g: Array, out: Array, work: Array) -> None:
        # s (g - <g, s>) as s (d - <d, s>) with d = g - g_k, k the (first) largest: as on the
        # numpy path, the sum at k is then small, not g_k less a rounded number close to it.
        e = work[0]
        base = np.float64(g[exponentials_and_first(x, e)])
        total, weighted = _total_and_centred(e, g, base)
        scale = 1.0 / total
        centre = weighted * scale
        for i in range(x.size):
            out[i] = sign * (e[i] * scale) * ((np.float64(g[i]) - base) - centre)

    return value, vjp


softmax_row, softmax_vjp_row = softmax_rows(1.0)
softmax_row64, softmax_vjp_row64 = softmax_rows(1.0, vmath64.exp, value_exponentials=exponentials64)


ACTIVATION = Activation(
    name="softmax",
    formula=r"f(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}",
    forward=softmax,
    derivative_formula=r"\nabla_x = s \odot (g - \langle g, s \rangle),\quad s = f(x)",
    vjp=softmax_vjp,
    kernels=(
        along_axis(softmax_row, softmax_vjp_row, value64=softmax_row64, vjp64=softmax_vjp_row64),
    ),
    parameters=(AXIS,),
    follows="PyTorch, with Keras' and JAX's default axis -1 (PyTorch's dim has none)",
    equivalents=(
        Equivalent("torch", "torch.nn.functional.softmax(x, dim=-1)"),
        Equivalent("keras", "keras.activations.softmax(x, axis=-1)"),
        Equivalent("jax", "jax.nn.softmax(x, axis=-1)"),
    ),
    facts=Facts(
        continuity=SMOOTH,
        range=PROBABILITY,
        cost="exp",
        initialisation=Initialisation(None),
        identities=(
            sums_to_one(softmax),
            Identity(
                r"\operatorname{softmax}([x, 0])_0 = \sigma(x)", first_of_pair(softmax), sigmoid
            ),
        ),
        references=(
            Reference(
                "Bridle",
                "Probabilistic Interpretation of Feedforward Classification Network Outputs,"
                " with Relationships to Statistical Pattern Recognition",
                "Neurocomputing, NATO ASI Series F 68, Springer",
                1990,
                "https://doi.org/10.1007/978-3-642-76153-9_28",
            ),
        ),
    ),
)
