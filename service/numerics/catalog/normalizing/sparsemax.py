"""sparsemax: the Euclidean projection onto the simplex, a distribution with exact zeros."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from service.numerics.catalog.entry import AXIS, Activation, Equivalent
from service.numerics.catalog.facts import Facts, Identity, Initialisation, Reference
from service.numerics.catalog.normalizing._facts import first_of_pair, sums_to_one
from service.numerics.catalog.normalizing._rows import (
    candidates,
    holds_nan,
    largest,
    less_top,
    rowwise,
    strict,
    support_sum,
    weighted_total,
)
from service.numerics.catalog.normalizing._sums import axis_sum
from service.numerics.catalog.references import BLONDEL_MARTINS_NICULAE
from service.numerics.catalog.sigmoidal.sparse_sigmoid import sparse_sigmoid
from service.numerics.compiled import along_axis, inline
from service.numerics.types import Array, Interval


def sorted_prefix(x: Array, axis: int) -> tuple[Array, Array, Array]:
    """z = x - max moved to the last axis, z sorted descending (from -2 up), and k = 1..n."""
    z = np.moveaxis(x, axis, -1)
    top = np.max(z, axis=-1, keepdims=True)
    z = np.where(z == top, 0.0, z - top)  # 0 at an infinite maximum too, as softmax has it
    ranks = np.arange(1, z.shape[-1] + 1, dtype=z.dtype)
    # tau >= -1 (the largest z is 0 and its share at most 1), so anything below -2 is outside
    # the support either way: clipped there, the prefix sums of squares cannot overflow.
    return z, -np.sort(-np.maximum(z, -2), axis=-1), ranks


def support_size(condition: npt.NDArray[np.bool_]) -> Array:
    """The number of leading ks for which the support condition holds (it holds for k = 1)."""
    result: Array = np.maximum(np.sum(condition, axis=-1, keepdims=True), 1)
    return result


def _sparsemax_threshold(z: Array, ordered: Array, ranks: Array) -> Array:
    cumulative = np.cumsum(ordered, axis=-1)
    size = support_size(1 + ranks * ordered > cumulative)
    support = z >= np.take_along_axis(ordered, size.astype(np.intp) - 1, axis=-1)
    # tau = (sum over the support - 1) / k, summed again over the support alone.
    count = np.maximum(np.sum(support, axis=-1, keepdims=True), 1)  # 0 in a row of NaN z
    result: Array = (np.sum(np.where(support, z, 0.0), axis=-1, keepdims=True) - 1) / count
    return result


def sparsemax(x: Array, axis: int = -1) -> Array:
    """max(x_i - tau, 0), with tau such that the result sums to 1 (the projection onto the simplex)."""
    z, ordered, ranks = sorted_prefix(x, axis)
    return np.moveaxis(np.maximum(z - _sparsemax_threshold(z, ordered, ranks), 0), -1, axis)


def sparsemax_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    """s (g - mean of g over the support), s the support's indicator; NaN throughout a row
    where x or g holds a NaN (0 g is NaN there, and so is the mean)."""
    value = sparsemax(x, axis)
    support = value > 0
    count = np.maximum(np.sum(support, axis=axis, keepdims=True), 1)  # 0 in a row of NaN
    mean = axis_sum(support * grad_output, axis) / count
    result: Array = np.where(np.isnan(value), np.nan, support * (grad_output - mean))
    return result


@strict
def _row_threshold(ordered: Array) -> float:
    """tau for the candidates (ascending), as the numpy path finds it.

    The support's size is the number of ranks k with 1 + k z_(k) > z_(1) + ... + z_(k), z_(k)
    the k-th largest, with the same roundings as numpy's cumsum; tau is then (sum over the
    support - 1) / its size, the support being every z at least z_(size).
    """
    n = ordered.size
    cumulative, size = 0.0, 0
    for k in range(1, n + 1):
        z = ordered[n - k]
        cumulative += z
        size += 1.0 + k * z > cumulative
    total, count = support_sum(ordered, ordered[n - max(size, 1)])
    return (total - 1.0) / count


@inline
def _sparsemax_shift(x: Array, work: Array) -> tuple[float, float]:
    """(max x, tau): sparsemax(x) = max(x - max - tau, 0). tau is NaN in a row that holds a
    NaN, and so are then its value and gradient, as on the numpy path."""
    top = largest(x, 1.0)
    if holds_nan(x):
        return top, np.nan
    return top, _row_threshold(candidates(x, 1.0, top, work[1]))


@rowwise
def sparsemax_row(x: Array, out: Array, work: Array) -> None:
    top, tau = _sparsemax_shift(x, work)
    for i in range(x.size):
        out[i] = max(less_top(np.float64(x[i]), top) - tau, 0.0)


@rowwise
def sparsemax_vjp_row(x: Array, g: Array, out: Array, work: Array) -> None:
    """s (g - mean of g over the support), s the support's indicator."""
    top, tau = _sparsemax_shift(x, work)
    support = work[0]
    for i in range(x.size):
        support[i] = 1.0 if less_top(np.float64(x[i]), top) - tau > 0.0 else 0.0
    total, count = weighted_total(support, g)
    mean = total / count
    for i in range(x.size):
        out[i] = support[i] * (np.float64(g[i]) - mean)


ACTIVATION = Activation(
    name="sparsemax",
    formula=r"f(x) = \operatorname*{argmin}_{p \in \Delta} \|p - x\|^2,\quad f(x)_i = \max(x_i - \tau, 0)",
    forward=sparsemax,
    derivative_formula=(
        r"\nabla_x = s \odot \left(g - \frac{\langle s, g \rangle}{\langle s, s \rangle}\right),"
        r"\quad s = [f(x) > 0]"
    ),
    vjp=sparsemax_vjp,
    # The same rows for float64: they repeat the numpy path's float64 roundings already.
    kernels=(
        along_axis(
            sparsemax_row, sparsemax_vjp_row, value64=sparsemax_row, vjp64=sparsemax_vjp_row
        ),
    ),
    parameters=(AXIS,),
    kink="Where x_i = tau exactly, i counts outside the support: f(x)_i = 0 and its gradient row is 0.",
    follows="Keras (PyTorch has no such function)",
    equivalents=(Equivalent("keras", "keras.activations.sparsemax(x, axis=-1)"),),
    facts=Facts(
        continuity=0,
        range=Interval(0.0, 1.0, True, True),
        cost="sort",
        initialisation=Initialisation(None),
        identities=(
            sums_to_one(sparsemax),
            Identity(
                r"\operatorname{sparsemax}([x, 0])_0 = \operatorname{sparse\_sigmoid}(x)",
                first_of_pair(sparsemax),
                sparse_sigmoid,
            ),
        ),
        references=(
            Reference(
                "Martins & Astudillo",
                "From Softmax to Sparsemax: A Sparse Model of Attention and Multi-Label"
                " Classification",
                "ICML",
                2016,
                "https://arxiv.org/abs/1602.02068",
            ),
            BLONDEL_MARTINS_NICULAE,
        ),
    ),
)
