"""What the normalizing entries' row kernels share: their compilers, the maximum of a row, its
exponentials, weighted sums, and the candidates and support of sparsemax's and 1.5-entmax's
thresholds. (The family's docstring says which loops compile how, and why.)"""

from __future__ import annotations

import math

import numba
import numpy as np
from llvmlite import ir
from numba.extending import intrinsic

from service.numerics.compiled import vmath, vmath64
from service.numerics.compiled.vmath import FASTMATH, inline
from service.numerics.types import Array

__all__ = [
    "CANDIDATE_FLOOR",
    "CANDIDATE_ROW_LIMIT",
    "MAXIMUM",
    "SORT_BY_INSERTION",
    "SUMMING",
    "candidates",
    "exponentials",
    "exponentials64",
    "exponentials_for_float32",
    "holds_nan",
    "largest",
    "less_top",
    "rowwise",
    "strict",
    "summing",
    "support_sum",
    "weighted_total",
]

SUMMING = {"contract", "reassoc"}
# The maximum passes over a NaN (the rows carry one otherwise: the family's docstring), and
# the sign of a zero maximum changes no difference x - max.
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
def largest(x: Array, sign: float) -> float:
    """max(sign x) over the row, in float64."""
    top = sign * np.float64(x[0])
    for i in range(1, x.size):
        # numba gives an intrinsic its typing context itself; the stubs take it for an argument.
        top = _maxnum(top, sign * np.float64(x[i]))  # type: ignore[call-arg]
    return top


@inline
def holds_nan(x: Array) -> bool:
    """Whether the row holds a NaN (``largest`` passes over one): a loop without an early
    exit, which vectorises."""
    holes = False
    for i in range(x.size):
        holes |= x[i] != x[i]
    return holes


@inline
def less_top(value: float, top: float) -> float:
    """value - top, 0 where value is the maximum: an infinite maximum's own difference is 0,
    as a finite one's is, where inf - inf would be NaN. (So a row's entries at +inf share its
    weight, and those at -inf have none.)"""
    return 0.0 if value == top else value - top


@summing
def weighted_total(weights: Array, g: Array) -> tuple[float, float]:
    """(sum w g, sum w)."""
    weighted, total = 0.0, 0.0
    for i in range(weights.size):
        weighted += weights[i] * np.float64(g[i])
        total += weights[i]
    return weighted, total


@inline
def at_infinite_top(x: Array, sign: float, top: float, e: Array) -> bool:
    """Whether the maximum is infinite, and then e = exp(less_top(sign x, max)): 1 at the
    maximum, 0 elsewhere. A rare row's own loop, so that the common one has no select."""
    if not math.isinf(top):
        return False
    for i in range(x.size):
        e[i] = 1.0 if sign * np.float64(x[i]) == top else 0.0
    return True


@inline
def exponentials(x: Array, sign: float, e: Array) -> float:
    """e = exp(sign x - max), and the maximum; 512-bit vectors, as exponentials_for_float32
    (log_softmax's float32 gradient a fifth faster)."""
    vmath.prefer_512_bits()
    top = largest(x, sign)
    if at_infinite_top(x, sign, top, e):
        return top
    for i in range(x.size):
        # Below -708 exp saturates; those terms are 0 to float32 either way.
        e[i] = vmath.exp(max(sign * np.float64(x[i]) - top, -708.0))
    return top


@inline
def exponentials_for_float32(x: Array, sign: float, e: Array) -> float:
    """e = exp(sign x - max) within 2.6e-9 relative each (vmath.exp_for_float32), and the
    maximum: for a float32 result that each term's error reaches once, not one that they
    cancel in (softmax's value, not its gradient). The maximum's own term is exactly 1 (r = 0
    and k = 0); below e^-700 a term is 1e-304, nothing next to it, as it should be. An
    infinite maximum, where x - max would be inf - inf, gives its terms 1 and the others 0:
    the limit (a row of -inf alone is then uniform, as along equal x tending to -inf). The
    row's loops take 512-bit vectors where the CPU has them (8 float64 lanes): the same bits,
    log_softmax's float32 value a quarter faster, softmax's a tenth."""
    vmath.prefer_512_bits()
    top = largest(x, sign)
    if np.isinf(top):
        for i in range(x.size):
            e[i] = 1.0 if sign * np.float64(x[i]) == top else 0.0
        return top
    for i in range(x.size):
        e[i] = vmath.exp_for_float32(sign * np.float64(x[i]) - top)
    return top


@inline
def exponentials64(x: Array, sign: float, e: Array) -> float:
    """e = exp(sign x - max) within 0.82 ULP each (vmath64; 0 below e^-745), and the maximum."""
    top = largest(x, sign)
    if at_infinite_top(x, sign, top, e):
        return top
    for i in range(x.size):
        e[i] = vmath64.exp(sign * np.float64(x[i]) - top)
    return top


@strict
def _insertion_sort(values: Array) -> None:
    for j in range(1, values.size):
        value = values[j]
        i = j - 1
        while i >= 0 and values[i] > value:
            values[i + 1] = values[i]
            i -= 1
        values[i + 1] = value


@inline
def candidates(x: Array, half: float, top: float, into: Array) -> Array:
    """z = half x - top where it is above CANDIDATE_FLOOR, into ``into``, sorted ascending."""
    floor = CANDIDATE_FLOOR if x.size <= CANDIDATE_ROW_LIMIT else -np.inf
    count = 0
    for i in range(x.size):
        z = less_top(half * np.float64(x[i]), top)  # half is 1 or 1/2: the product is exact
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
def support_sum(ordered: Array, edge: float) -> tuple[float, int]:
    """The sum and number of the ordered z at or above ``edge``: the support."""
    total, count = 0.0, 0
    for j in range(ordered.size - 1, -1, -1):
        if ordered[j] < edge:
            break
        total += ordered[j]
        count += 1
    return total, count
