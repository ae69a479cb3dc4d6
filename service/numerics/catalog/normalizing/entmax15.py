"""entmax15: 1.5-entmax, the Tsallis projection onto the simplex, between softmax and sparsemax."""

from __future__ import annotations

import math

import numpy as np

from service.numerics.catalog.entry import AXIS, Activation
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
from service.numerics.catalog.normalizing.sparsemax import sorted_prefix, support_size
from service.numerics.catalog.references import BLONDEL_MARTINS_NICULAE
from service.numerics.compiled import along_axis, inline
from service.numerics.types import Array, Interval


def _entmax_threshold(z: Array, ordered: Array, ranks: Array) -> Array:
    """tau with sum max(z/2 - tau, 0)^2 = 1; z/2 is sorted as ``ordered``."""
    mean = np.cumsum(ordered, axis=-1) / ranks
    spread = np.cumsum(ordered * ordered, axis=-1) - ranks * mean * mean
    candidates = mean - np.sqrt(np.maximum((1 - spread) / ranks, 0))
    size = support_size(candidates <= ordered)
    support = z >= np.take_along_axis(ordered, size.astype(np.intp) - 1, axis=-1)
    # Over the support found: mean and sum of squared deviations, without the cancellation
    # of sum(z^2) - k mean^2.
    count = np.maximum(np.sum(support, axis=-1, keepdims=True), 1)  # 0 in a row of NaN z
    mean = np.sum(np.where(support, z, 0.0), axis=-1, keepdims=True) / count
    spread = np.sum(np.where(support, np.square(z - mean), 0.0), axis=-1, keepdims=True)
    result: Array = mean - np.sqrt(np.maximum((1 - spread) / count, 0))
    return result


def _entmax_root(x: Array, axis: int) -> Array:
    """max(x/2 - tau, 0), the square root of 1.5-entmax, on the last axis."""
    z, ordered, ranks = sorted_prefix(x / 2, axis)
    return np.maximum(z - _entmax_threshold(z, ordered, ranks), 0)


def entmax15(x: Array, axis: int = -1) -> Array:
    """max(x_i/2 - tau, 0)^2, with tau such that the result sums to 1."""
    return np.moveaxis(np.square(_entmax_root(x, axis)), -1, axis)


def entmax15_vjp(x: Array, grad_output: Array, axis: int = -1) -> Array:
    root = _entmax_root(x, axis)
    g = np.moveaxis(grad_output, axis, -1)
    weighted = root * g
    share = np.sum(weighted, axis=-1, keepdims=True) / np.sum(root, axis=-1, keepdims=True)
    return np.moveaxis(weighted - share * root, -1, axis)


@strict
def _row_threshold(ordered: Array) -> float:
    """tau with sum max(z - tau, 0)^2 = 1 for the candidates z = x/2 - max (ascending).

    The support's size is the number of ranks k whose candidate mean_k - sqrt((1 - spread_k)/k)
    is at most z_(k), with the numpy path's prefix sums and roundings; over the support found,
    tau is recomputed from its mean and the sum of squared deviations from it.
    """
    n = ordered.size
    cumulative, squares, size = 0.0, 0.0, 0
    for k in range(1, n + 1):
        z = ordered[n - k]
        cumulative += z
        squares += z * z
        mean = cumulative / k
        spread = squares - k * mean * mean
        size += mean - math.sqrt(max((1.0 - spread) / k, 0.0)) <= z
    total, count = support_sum(ordered, ordered[n - max(size, 1)])
    mean = total / count
    spread = 0.0
    for j in range(n - count, n):
        spread += (ordered[j] - mean) * (ordered[j] - mean)
    return mean - math.sqrt(max((1.0 - spread) / count, 0.0))


@inline
def _entmax_shift(x: Array, work: Array) -> tuple[float, float]:
    """(max x / 2, tau): the root of 1.5-entmax is max(x/2 - max/2 - tau, 0). tau is NaN in a
    row that holds a NaN, and so are then its value and gradient, as on the numpy path."""
    top = 0.5 * largest(x, 1.0)
    if holds_nan(x):
        return top, np.nan
    return top, _row_threshold(candidates(x, 0.5, top, work[1]))


@rowwise
def entmax15_row(x: Array, out: Array, work: Array) -> None:
    top, tau = _entmax_shift(x, work)
    for i in range(x.size):
        root = max(less_top(0.5 * np.float64(x[i]), top) - tau, 0.0)
        out[i] = root * root


@rowwise
def entmax15_vjp_row(x: Array, g: Array, out: Array, work: Array) -> None:
    """r g - (<r, g> / sum r) r, r the root of 1.5-entmax."""
    top, tau = _entmax_shift(x, work)
    root = work[0]
    for i in range(x.size):
        root[i] = max(less_top(0.5 * np.float64(x[i]), top) - tau, 0.0)
    weighted, total = weighted_total(root, g)
    share = weighted / total
    for i in range(x.size):
        out[i] = root[i] * np.float64(g[i]) - share * root[i]


def _entmax15_of_pair(x: Array) -> Array:
    """1.5-entmax([x, 0])_0 for |x| <= 2, from (u - tau)^2 + (u - x/2 - tau)^2 = 1."""
    half = x / 2
    return np.square((half + np.sqrt(2 - half * half)) / 2)


ACTIVATION = Activation(
    name="entmax15",
    aliases=("entmax",),
    formula=r"f(x)_i = \max\!\left(\frac{x_i}{2} - \tau, 0\right)^2,\quad \sum_i f(x)_i = 1",
    forward=entmax15,
    derivative_formula=(
        r"\nabla_x = r \odot g - \frac{\langle r, g \rangle}{\sum_i r_i}\, r,"
        r"\quad r = \sqrt{f(x)}"
    ),
    vjp=entmax15_vjp,
    # The same rows for float64: they repeat the numpy path's float64 roundings already.
    kernels=(
        along_axis(entmax15_row, entmax15_vjp_row, value64=entmax15_row, vjp64=entmax15_vjp_row),
    ),
    parameters=(AXIS,),
    kink="Where x_i/2 = tau exactly, f(x)_i = 0 and its gradient row is 0.",
    follows="the paper and its entmax package (PyTorch, Keras and JAX have no such function)",
    facts=Facts(
        continuity=1,
        range=Interval(0.0, 1.0, True, True),
        cost="sort",
        initialisation=Initialisation(None),
        identities=(
            sums_to_one(entmax15),
            Identity(
                r"f([x, 0])_0 = \left(\frac{x/2 + \sqrt{2 - x^2/4}}{2}\right)^2\quad(|x| \le 2)",
                first_of_pair(entmax15),
                _entmax15_of_pair,
                domain=(-2.0, 2.0),
            ),
        ),
        references=(
            Reference(
                "Peters, Niculae & Martins",
                "Sparse Sequence-to-Sequence Models",
                "ACL",
                2019,
                "https://arxiv.org/abs/1905.05702",
            ),
            BLONDEL_MARTINS_NICULAE,
        ),
    ),
)
