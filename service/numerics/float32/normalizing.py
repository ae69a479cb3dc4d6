"""Float32 row kernels of the normalizing family (service.numerics.families.normalizing).

Each row is worked in float64 by a few loops over it, kept apart by what they may assume:

- element-wise loops (exp and arithmetic) compile with vmath.FASTMATH, contraction alone, and
  vectorise as written;
- a sum vectorises only if its additions may be reassociated, which moves a float64 sum of a
  row in its last bits, ~1e-16 of its terms' magnitude, and no further: sums have loops of
  their own, compiled with SUMMING, and so has the maximum, with MAXIMUM;
- the search for the supports of sparsemax and 1.5-entmax repeats the numpy path's float64
  roundings one for one (``strict``: no contraction either), so that both find the same
  support, and the same exact zeros.

As on the numpy path, softmax shifts by the maximum, log_softmax sums the exponentials
without the maximum's 1, and sparsemax and 1.5-entmax sort for their threshold. They sort
only the candidates, the z = x - max above CANDIDATE_FLOOR, where the numpy path sorts
every z (clipped at -2); its search finds the same support in both (see CANDIDATE_FLOOR).
"""

from __future__ import annotations

import math
from typing import Any

import numba
import numpy as np
from llvmlite import ir
from numba.extending import intrinsic

from service.numerics.float32 import vmath
from service.numerics.float32.vmath import FASTMATH, inline

__all__ = [
    "entmax15",
    "entmax15_vjp",
    "log_softmax",
    "log_softmax_vjp",
    "softmax",
    "softmax_vjp",
    "softmin",
    "softmin_vjp",
    "sparsemax",
    "sparsemax_vjp",
]

SUMMING = {"contract", "reassoc"}
# The maximum of finite numbers (the service refuses the rest) has no NaN to carry, and the
# sign of a zero maximum changes no difference x - max.
MAXIMUM = {"nnan", "nsz"}
# The support lies above z = -1 (tau >= -1: the largest z is 0 and its share at most 1), and
# the numpy path's test for a rank k whose z_(k) is at or below -1.5 fails, by margins its
# roundings do not reach in a row of 10^7 elements (the service's default limit): by 1/2
# for sparsemax (1 + k z_(k) - sum_(j<=k) z_(j) <= 1 + z_(k)), against roundings below
# 2 k^2 2^-53; for
# 1.5-entmax by 1/2 (the candidate tau_k >= -1) or by |z_(k)|/k (the candidate is the mean
# of the top k), against k 2^-53. Such z need not be sorted.
CANDIDATE_FLOOR = -1.5
# The margins above hold while 2 k^2 2^-53 < 1/2, k up to 2^25 (a row of 3.4e7, past the
# default limit but not past what max_elements may be set to): a longer row sorts every z,
# clipped at -2 as the numpy path clips it.
CANDIDATE_ROW_LIMIT = 2**25
SORT_BY_INSERTION = 32  # candidates at most

rowwise = numba.njit(nogil=True, fastmath=FASTMATH, error_model="numpy")
summing = numba.njit(nogil=True, fastmath=SUMMING, error_model="numpy")
# fastmath=False said outright: left unset, numba would let each caller's flags apply here.
strict = numba.njit(nogil=True, fastmath=False, error_model="numpy")


@intrinsic
def _maxnum(typingctx, a, b):
    """max(a, b) as LLVM's maxnum: a loop vectorises that as a reduction, but not Python's
    max, which numba writes as compares and branches that carry NaN through."""
    if a != b:
        return None

    def codegen(context, builder, signature, args):
        kind = args[0].type
        function = builder.module.declare_intrinsic(
            "llvm.maxnum", [kind], ir.FunctionType(kind, [kind, kind])
        )
        return builder.call(function, args)

    return a(a, b), codegen


@numba.njit(nogil=True, fastmath=MAXIMUM, error_model="numpy")
def _largest(x, sign):
    """max(sign x) over the row, in float64."""
    top = sign * np.float64(x[0])
    for i in range(1, x.size):
        top = _maxnum(top, sign * np.float64(x[i]))
    return top


@summing
def _total(e):
    total = 0.0
    for i in range(e.size):
        total += e[i]
    return total


@summing
def _total_and_upstream(e, g):
    """(sum e, sum g)."""
    total, upstream = 0.0, 0.0
    for i in range(e.size):
        total += e[i]
        upstream += g[i]
    return total, upstream


@summing
def _total_and_centred(e, g, base):
    """(sum e, sum (g - base) e)."""
    total, weighted = 0.0, 0.0
    for i in range(e.size):
        total += e[i]
        weighted += (np.float64(g[i]) - base) * e[i]
    return total, weighted


@summing
def _weighted_total(weights, g):
    """(sum w g, sum w)."""
    weighted, total = 0.0, 0.0
    for i in range(weights.size):
        weighted += weights[i] * np.float64(g[i])
        total += weights[i]
    return weighted, total


@summing
def _all_but_one_top(e):
    """sum e less one of its 1s, the terms at the maximum: the rest, with sum e = 1 + rest.

    In 1 + rest a rest below 1e-16 rounds away, and log_softmax needs it (log1p(rest)).
    """
    below, at_top = 0.0, 0.0
    for i in range(e.size):
        top = e[i] == 1.0
        below += 0.0 if top else e[i]
        at_top += top
    return (at_top - 1.0) + below


@inline
def _exponentials(x, sign, e):
    """e = exp(sign x - max), and the maximum."""
    top = _largest(x, sign)
    for i in range(x.size):
        # Below -708 exp saturates; those terms are 0 to float32 either way.
        e[i] = vmath.exp(max(sign * np.float64(x[i]) - top, -708.0))
    return top


@inline
def _first_at(x, sign, top):
    """The first index where sign x is the maximum (found without an early exit, so that the
    loop vectorises as a minimum)."""
    first = x.size
    for i in range(x.size):
        first = min(first, i if sign * np.float64(x[i]) == top else x.size)
    return first


def _softmax_rows(sign: float) -> tuple[Any, Any]:
    """softmax(sign x) and its product, times sign: softmax (+1) and softmin (-1).

    The numpy path divides by 1 + rest, rest the sum without the maximum's 1; here the
    sum of all the terms serves: the two differ in float64's last bit at most.
    """

    @rowwise
    def value(x, out, work):
        e = work[0]
        _exponentials(x, sign, e)
        scale = 1.0 / _total(e)
        for i in range(x.size):
            out[i] = e[i] * scale

    @rowwise
    def vjp(x, g, out, work):
        # s (g - <g, s>) as s (d - <d, s>) with d = g - g_k, k the (first) largest: as on the
        # numpy path, the sum at k is then small, not g_k less a rounded number close to it.
        e = work[0]
        top = _exponentials(x, sign, e)
        base = np.float64(g[_first_at(x, sign, top)])
        total, weighted = _total_and_centred(e, g, base)
        scale = 1.0 / total
        centre = weighted * scale
        for i in range(x.size):
            out[i] = sign * (e[i] * scale) * ((np.float64(g[i]) - base) - centre)

    return value, vjp


softmax, softmax_vjp = _softmax_rows(1.0)
softmin, softmin_vjp = _softmax_rows(-1.0)


@rowwise
def log_softmax(x, out, work):
    e = work[0]
    top = _exponentials(x, 1.0, e)
    log_total = vmath.log1p(_all_but_one_top(e))
    for i in range(x.size):
        out[i] = (np.float64(x[i]) - top) - log_total


@rowwise
def log_softmax_vjp(x, g, out, work):
    """g - softmax(x) sum g."""
    e = work[0]
    _exponentials(x, 1.0, e)
    total, upstream = _total_and_upstream(e, g)
    scale = upstream / total
    for i in range(x.size):
        out[i] = np.float64(g[i]) - e[i] * scale


@strict
def _insertion_sort(values):
    for j in range(1, values.size):
        value = values[j]
        i = j - 1
        while i >= 0 and values[i] > value:
            values[i + 1] = values[i]
            i -= 1
        values[i + 1] = value


@inline
def _candidates(x, half, top, into):
    """z = half x - top where it is above CANDIDATE_FLOOR, into ``into``, sorted ascending."""
    floor = CANDIDATE_FLOOR if x.size <= CANDIDATE_ROW_LIMIT else -np.inf
    count = 0
    for i in range(x.size):
        z = half * np.float64(x[i]) - top  # half is 1 or 1/2: the product is exact
        into[count] = max(z, -2.0)  # written always, kept if counted: no branch to mispredict
        count += z > floor
    ordered = into[:count]
    # There are a few candidates as a rule, and numba's sort costs some 300 ns a call before
    # it starts; insertion sort's n^2 is the cheaper up to a few dozen.
    if count <= SORT_BY_INSERTION:
        _insertion_sort(ordered)
    else:
        ordered.sort()
    return ordered


@strict
def _support_sum(ordered, edge):
    """The sum and number of the ordered z at or above ``edge``: the support."""
    total, count = 0.0, 0
    for j in range(ordered.size - 1, -1, -1):
        if ordered[j] < edge:
            break
        total += ordered[j]
        count += 1
    return total, count


@strict
def _sparsemax_threshold(ordered):
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
    total, count = _support_sum(ordered, ordered[n - max(size, 1)])
    return (total - 1.0) / count


@strict
def _entmax_threshold(ordered):
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
    total, count = _support_sum(ordered, ordered[n - max(size, 1)])
    mean = total / count
    spread = 0.0
    for j in range(n - count, n):
        spread += (ordered[j] - mean) * (ordered[j] - mean)
    return mean - math.sqrt(max((1.0 - spread) / count, 0.0))


@inline
def _sparsemax_shift(x, work):
    """(max x, tau): sparsemax(x) = max(x - max - tau, 0)."""
    top = _largest(x, 1.0)
    return top, _sparsemax_threshold(_candidates(x, 1.0, top, work[1]))


@rowwise
def sparsemax(x, out, work):
    top, tau = _sparsemax_shift(x, work)
    for i in range(x.size):
        out[i] = max((np.float64(x[i]) - top) - tau, 0.0)


@rowwise
def sparsemax_vjp(x, g, out, work):
    """s (g - mean of g over the support), s the support's indicator."""
    top, tau = _sparsemax_shift(x, work)
    support = work[0]
    for i in range(x.size):
        support[i] = 1.0 if (np.float64(x[i]) - top) - tau > 0.0 else 0.0
    total, count = _weighted_total(support, g)
    mean = total / count
    for i in range(x.size):
        out[i] = support[i] * (np.float64(g[i]) - mean)


@inline
def _entmax_shift(x, work):
    """(max x / 2, tau): the root of 1.5-entmax is max(x/2 - max/2 - tau, 0)."""
    top = 0.5 * _largest(x, 1.0)
    return top, _entmax_threshold(_candidates(x, 0.5, top, work[1]))


@rowwise
def entmax15(x, out, work):
    top, tau = _entmax_shift(x, work)
    for i in range(x.size):
        root = max((0.5 * np.float64(x[i]) - top) - tau, 0.0)
        out[i] = root * root


@rowwise
def entmax15_vjp(x, g, out, work):
    """r g - (<r, g> / sum r) r, r the root of 1.5-entmax."""
    top, tau = _entmax_shift(x, work)
    root = work[0]
    for i in range(x.size):
        root[i] = max((0.5 * np.float64(x[i]) - top) - tau, 0.0)
    weighted, total = _weighted_total(root, g)
    share = weighted / total
    for i in range(x.size):
        out[i] = root[i] * np.float64(g[i]) - share * root[i]
