"""The standard normal distribution, and GELU's tanh approximation of it, to about an ULP.

    phi(x) = exp(-x^2/2) / sqrt(2 pi),    Phi(x) = integral of phi from -inf to x.

Phi rests on W. J. Cody's rational Chebyshev approximations (Rational Chebyshev
approximations for the error function, Math. Comp. 23 (1969) 631-637; ALGORITHM 715:
SPECFUN, ACM TOMS 19 (1993) 22-32) as R's ``pnorm_both`` (src/nmath/pnorm.c) has them; the
coefficients are copied from there unchanged. Unlike erfc(-x/sqrt 2) they work on x itself.
With y = |x| and the scaled tail B(y) = Phi(-y) exp(y^2/2):

    y <= 0.674:          Phi(-y) = 1/2 - y A(y^2)
    0.674 < y <= 5.657:  B(y) is a degree-8 rational
    y > 5.657:           B(y) = (1/sqrt(2 pi) - C(1/y^2) / y^2) / y

A, B and C are good to 18 digits, but their float64 evaluation is not: B's Horner sums alone
cost up to 5 ULP, and exp(-y^2/2) one more. So up to sqrt 32 they are evaluated only at the
nodes y_k = k/64, in 40-digit decimal arithmetic, once, at import, and carried to y by Taylor
series in h = y - y_k, |h| <= 1/128. Every derivative of phi is a Hermite polynomial times phi,

    d^n/dy^n Phi(-y) = (-1)^n He_(n-1)(y) phi(y),    He_(n+1) = y He_n - n He_(n-1),

which gives the coefficients; the terms in h weigh at most 1/20 of the value, so float64 is
plenty for them, and the sum, dominated by the exact value at the node, is rounded about once.
Past sqrt 32, exp(-y^2/2) is taken of the exact square y^2 = s + e (Dekker's product) as
exp(-s/2) (1 - e/2), and the product exp(-y^2/2) B(y) is rounded once.

The slope of x Phi(x), Phi(x) + x phi(x), has a table of its own: at x = -y it is
G(y) = Phi(-y) - y phi(y), with G^(n) = (-1)^n (He_(n-1) - He_(n+1)) phi for n >= 1. The two
terms cancel near its root at x = -0.75, but only in the exact node values. For x > 0 both
follow from Phi(x) = 1 - Phi(-x).

GELU's tanh form (Hendrycks & Gimpel, arXiv:1606.08415) approximates Phi(x) by sigma(v),
v = sqrt(8/pi) (x + 0.044715 x^3). sigma(v) magnifies an error in v |v| times, and its slope
sigma(v) + x v' sigma(v) sigma(-v) cancels near x = -0.75 too, so v, x v' and that sum are
carried as unevaluated sums hi + lo (Dekker; Knuth's TwoSum) rather than rounded.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import NamedTuple

import numpy as np

from service.numerics.types import Array

__all__ = [
    "exp_neg_half_square",
    "normal_cdf",
    "normal_cdf_plus_x_pdf",
    "normal_pdf",
    "tanh_normal_cdf",
    "tanh_normal_cdf_plus_x_pdf",
]

# From R's pnorm_both. Cody's layout: each numerator's last coefficient leads, its
# second-to-last is the constant term, and each denominator is monic (see _cody_ratio).
_A = (
    2.2352520354606839287,
    161.02823106855587881,
    1067.6894854603709582,
    18154.981253343561249,
    0.065682337918207449113,
)
_A_DEN = (47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956)
_B = (
    0.39894151208813466764,
    8.8831497943883759412,
    93.506656132177855979,
    597.27027639480026226,
    2494.5375852903726711,
    6848.1904505362823326,
    11602.651437647350124,
    9842.7148383839780218,
    1.0765576773720192317e-8,
)
_B_DEN = (
    22.266688044328115691,
    235.38790178262499861,
    1519.377599407554805,
    6485.558298266760755,
    18615.571640885098091,
    34900.952721145977266,
    38912.003286093271411,
    19685.429676859990727,
)
_C = (
    0.21589853405795699,
    0.1274011611602473639,
    0.022235277870649807,
    0.001421619193227893466,
    2.9112874951168792e-5,
    0.02307344176494017303,
)
_C_DEN = (
    1.28426009614491121,
    0.468238212480865118,
    0.0659881378689285515,
    0.00378239633202758244,
    7.29751555083966205e-5,
)
_CENTRAL = 0.67448975  # Phi^-1(3/4), where Cody switches from A to B
_SQRT_32 = math.sqrt(32)  # and from B to C

# Constants as unevaluated sums hi + lo, good to 2^-106.
_INV_SQRT_2PI_DIGITS = "0.3989422804014326779399460599343818684759"
_INV_SQRT_2PI = float(Decimal(_INV_SQRT_2PI_DIGITS))
_INV_SQRT_2PI_LO = float(Decimal(_INV_SQRT_2PI_DIGITS) - Decimal(_INV_SQRT_2PI))
_SQRT_8_OVER_PI_DIGITS = "1.59576912160573071175978423973752747390343452"
_SQRT_8_OVER_PI = float(Decimal(_SQRT_8_OVER_PI_DIGITS))
_SQRT_8_OVER_PI_LO = float(Decimal(_SQRT_8_OVER_PI_DIGITS) - Decimal(_SQRT_8_OVER_PI))
_TANH_CUBIC = float(Decimal(_SQRT_8_OVER_PI_DIGITS) * Decimal("0.044715"))

# Past |x| = 38.6 exp(-x^2/2) underflows to 0 and Phi is 0 or 1 to the last bit, and past
# |x| = 100 so is sigma(v): clipping there changes nothing and keeps x^2, x^3 and Dekker's
# split far from overflow.
_CLIP = 40.0
_TANH_CLIP = 100.0

_NODES_PER_UNIT = 64
_TAYLOR_DEGREE = 9  # the h^10 term is below 0.0001 ULP
_SPLITTER = 2.0**27 + 1  # Veltkamp: a * 134217729 splits a into two 26-bit halves
_BLOCK = 1 << 16

_Pair = tuple[Array, Array]  # an unevaluated sum hi + lo, |lo| well below |hi|


class _Nodes(NamedTuple):
    """A function at the nodes y_k = k/64: its value as hi + lo, and its Taylor coefficients."""

    hi: Array
    lo: Array
    taylor: Array  # row n - 1 holds f^(n)(y_k) / n!


def exp_neg_half_square(x: Array) -> Array:
    """exp(-x^2/2), to about an ULP: x^2 is never rounded."""
    head, correction = _gauss(np.minimum(np.abs(_float64(x)), _CLIP))
    return head + correction


def normal_pdf(x: Array) -> Array:
    """phi(x) = exp(-x^2/2) / sqrt(2 pi)."""
    return _product(
        *_gauss(np.minimum(np.abs(_float64(x)), _CLIP)), _INV_SQRT_2PI, _INV_SQRT_2PI_LO
    )


def normal_cdf(x: Array) -> Array:
    """Phi(x), the probability that a standard normal variable is at most x."""
    return _blockwise(x, lambda x: _reflected(x, _node_tables()[0], lambda y, tail: tail))


def normal_cdf_plus_x_pdf(x: Array) -> Array:
    """Phi(x) + x phi(x), the derivative of x Phi(x); it is 0 at x = -0.7518."""
    return _blockwise(x, lambda x: _reflected(x, _node_tables()[1], _minus_y_over_sqrt_2pi))


def tanh_normal_cdf(x: Array) -> Array:
    """sigma(v) with v = sqrt(8/pi) (x + 0.044715 x^3), GELU's tanh approximation of Phi."""

    def negative(x: Array) -> Array:
        ((v, v_lo),) = _tanh_gate(x, 1)
        e, e_lo, d, d_lo = _logistic(v, v_lo)
        ratio = e / d
        return ratio + (e_lo - ratio * d_lo) / d

    def rest(x: Array) -> Array:
        ((v, v_lo),) = _tanh_gate(x, 1)
        _, _, d, d_lo = _logistic(v, v_lo)
        ratio = 1 / d
        return ratio - ratio * d_lo / d

    return _blockwise(x, lambda x: _by_sign(np.clip(x, -_TANH_CLIP, _TANH_CLIP), negative, rest))


def tanh_normal_cdf_plus_x_pdf(x: Array) -> Array:
    """sigma(v) + x v' sigma(v) sigma(-v), the derivative of x sigma(v)."""

    def negative(x: Array) -> Array:
        (v, v_lo), (q, q_lo) = _tanh_gate(x, 1, 3)
        e, e_lo, d, d_lo = _logistic(v, v_lo)
        # e (d + q) / d^2 with q = x v' < 0: d + q vanishes near x = -0.75, so it is formed
        # exactly and so is its product with e; only the last roundings are left to amplify.
        total, total_lo = _two_sum(d, q)
        product, product_lo = _two_product(e, total)
        product_lo = product_lo + e * (total_lo + d_lo + q_lo) + e_lo * total
        return _over_square(product, product_lo, d, d_lo)

    def rest(x: Array) -> Array:
        (v, v_lo), (q, q_lo) = _tanh_gate(x, 1, 3)
        e, e_lo, d, d_lo = _logistic(v, v_lo)
        # (d + q e) / d^2 with q = x v' >= 0: nothing cancels, but rounded step by step this
        # still comes to 2 ULP.
        product, product_lo = _two_product(q, e)
        total, total_lo = _two_sum(d, product)
        return _over_square(total, total_lo + product_lo + d_lo + q * e_lo + q_lo * e, d, d_lo)

    return _blockwise(x, lambda x: _by_sign(np.clip(x, -_TANH_CLIP, _TANH_CLIP), negative, rest))


def _reflected(x: Array, nodes: _Nodes, far: Callable[[Array, _Pair], _Pair]) -> Array:
    """f(|x|) for x <= 0 and 1 - f(|x|) for x > 0, with f(y) = Phi(-y) or G(y); x flat.

    1 - Phi(-x) is Phi(x), and 1 - G(x) the slope at x > 0. Past sqrt 32,
    f(y) = exp(-y^2/2) far(y, B(y)), with B in Cody's asymptotic form.
    """
    y = np.abs(x)
    lower = _from_nodes(nodes, np.fmin(y, _SQRT_32))
    beyond = np.flatnonzero(~(y <= _SQRT_32))  # rare: Phi(x) < 1e-8 there; and NaN
    if beyond.size:
        y_far = np.minimum(y.take(beyond), _CLIP)
        lower[beyond] = _product(*_gauss(y_far), *far(y_far, _asymptotic_tail(y_far)))
    positive = np.flatnonzero(x > 0)
    lower[positive] = 1 - lower.take(positive)
    return lower


def _from_nodes(nodes: _Nodes, y: Array) -> Array:
    """The tabulated function at 0 <= y <= sqrt 32, by its Taylor series at the nearest node."""
    node: Array = np.floor(y * _NODES_PER_UNIT + 0.5)
    index = node.astype(np.intp)
    h = y - node / _NODES_PER_UNIT  # exact: both lie on the grid of y's last bit
    series: Array = nodes.taylor[-1].take(index)
    coefficients: Array
    for coefficients in nodes.taylor[-2::-1]:
        series = series * h + coefficients.take(index)
    return nodes.hi.take(index) + (nodes.lo.take(index) + h * series)


def _asymptotic_tail(y: Array) -> _Pair:
    """B(y) = (1/sqrt(2 pi) - C(1/y^2) / y^2) / y, for sqrt 32 < y <= 40."""
    inverse_square = 1 / (y * y)
    correction = inverse_square * _cody_ratio(_C, _C_DEN, inverse_square)
    # The correction is under 4% of 1/sqrt(2 pi), so its own error hardly counts; the
    # roundings of the difference and of the quotient would, so both are carried along.
    numerator = _INV_SQRT_2PI - correction
    numerator_lo = ((_INV_SQRT_2PI - numerator) - correction) + _INV_SQRT_2PI_LO
    quotient = numerator / y
    product, product_lo = _two_product(quotient, y)
    return quotient, ((numerator - product) - product_lo + numerator_lo) / y


def _minus_y_over_sqrt_2pi(y: Array, tail: _Pair) -> _Pair:
    """tail - y / sqrt(2 pi), keeping every rounding error."""
    product, product_lo = _two_product(y, _INV_SQRT_2PI)
    difference, difference_lo = _two_sum(tail[0], -product)
    return difference, difference_lo + (tail[1] - product_lo - y * _INV_SQRT_2PI_LO)


def _gauss(y: Array) -> _Pair:
    """exp(-y^2/2) for 0 <= y <= 40."""
    square, square_lo = _two_square(y)
    head = np.exp(-0.5 * square)
    # exp(-(s + e)/2) = exp(-s/2) (1 - e/2 + ...) and |e| < 2^-53 s: the rest is below 2^-100.
    return head, head * (-0.5 * square_lo)


def _cody_ratio(num: tuple[float, ...], den: tuple[float, ...], t: Array) -> Array:
    """(n[-1] t^k + n[0] t^(k-1) + ... + n[-2]) / (t^k + d[0] t^(k-1) + ... + d[-1]), by Horner."""
    top, bottom = num[-1] * t, t
    for a, b in zip(num[:-2], den[:-1], strict=True):
        top, bottom = (top + a) * t, (bottom + b) * t
    return (top + num[-2]) / (bottom + den[-1])


def _tanh_gate(x: Array, *weights: int) -> list[_Pair]:
    """sqrt(8/pi) (x + w 0.044715 x^3) for each weight w, for |x| <= 100.

    That is v for w = 1 and x v' for w = 3. The linear term is carried exactly; the cubic one
    is under a fifth of the total up to |x| = 2, and beyond, where it dominates, so does the
    condition number x f'/f that errors are measured against.
    """
    linear, linear_lo = _two_product(x, _SQRT_8_OVER_PI)
    linear_lo = linear_lo + x * _SQRT_8_OVER_PI_LO
    cubic = _TANH_CUBIC * x * (x * x)
    pairs: list[_Pair] = []
    for weight in weights:
        hi, lo = _two_sum(linear, weight * cubic)
        pairs.append((hi, lo + linear_lo))
    return pairs


def _logistic(v: Array, v_lo: Array) -> tuple[Array, Array, Array, Array]:
    """e = exp(-|v|) and d = 1 + e, each as hi, lo: sigma(v) = e/d for v < 0, 1/d otherwise."""
    e = np.exp(-np.abs(v))
    e_lo = -e * (np.sign(v) * v_lo)  # exp(-|v + v_lo|) = e (1 - sign(v) v_lo + ...)
    d = 1 + e
    return e, e_lo, d, ((1 - d) + e) + e_lo


def _over_square(n: Array, n_lo: Array, d: Array, d_lo: Array) -> Array:
    """(n + n_lo) / (d + d_lo)^2, rounded about once, with the lo parts to first order."""
    square, square_lo = _two_square(d)
    return (n + (n_lo - n * (square_lo + 2 * d * d_lo) / square)) / square


def _blockwise(x: Array, function: Callable[[Array], Array]) -> Array:
    """function(x), evaluated on runs of _BLOCK points of the flattened x.

    The result is the same, but every temporary then fits in cache and the allocator recycles
    it; a fresh million-point temporary is mapped and faulted in, which costs more than the
    arithmetic on it.
    """
    flat = _float64(x).ravel()
    out = np.empty_like(flat)
    for start in range(0, flat.size, _BLOCK):
        out[start : start + _BLOCK] = function(flat[start : start + _BLOCK])
    return out.reshape(x.shape)


def _float64(x: Array) -> Array:
    """x in float64, which Dekker's split and the tables assume (no copy if it already is)."""
    return np.asarray(x, dtype=np.float64)


def _by_sign(x: Array, negative: Callable[[Array], Array], rest: Callable[[Array], Array]) -> Array:
    """negative(x) where x < 0, rest(x) elsewhere, each evaluated on its own points only; x flat.

    Index lists rather than np.where, which is several times slower with signs at random.
    """
    out = np.empty_like(x)
    below = x < 0
    for index, function in ((np.flatnonzero(below), negative), (np.flatnonzero(~below), rest)):
        out[index] = function(x.take(index))
    return out


def _product(a: Array, a_lo: Array, b: Array | float, b_lo: Array | float) -> Array:
    """(a + a_lo) (b + b_lo), rounded once."""
    product, product_lo = _two_product(a, b)
    rounded: Array = product + (product_lo + a * b_lo + a_lo * (b + b_lo))
    return rounded


def _two_sum(a: Array, b: Array) -> _Pair:
    """s, e with s = fl(a + b) and s + e = a + b exactly (Knuth)."""
    total = a + b
    b_virtual = total - a
    return total, (a - (total - b_virtual)) + (b - b_virtual)


def _two_product(a: Array, b: Array | float) -> _Pair:
    """p, e with p = fl(a b) and p + e = a b exactly (Dekker), for |a|, |b| < 2^995."""
    product = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(np.asarray(b, dtype=np.float64))
    return product, ((a_hi * b_hi - product) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _two_square(a: Array) -> _Pair:
    """_two_product(a, a), splitting a once."""
    square = a * a
    hi, lo = _split(a)
    return square, ((hi * hi - square) + 2 * hi * lo) + lo * lo


def _split(a: Array) -> _Pair:
    """a = hi + lo, both at most 26 bits wide (Veltkamp), so that their products are exact."""
    scaled = a * _SPLITTER
    hi = scaled - (scaled - a)
    return hi, a - hi


@functools.cache  # built on first use (about 12 ms), not at import
def _node_tables() -> tuple[_Nodes, _Nodes]:
    """Phi(-y) and G(y) = Phi(-y) - y phi(y) at the nodes 0, 1/64, ..., 362/64 ~ sqrt 32."""
    nodes = range(round(_SQRT_32 * _NODES_PER_UNIT) + 1)
    cdf, slope, pdf = [], [], []
    with localcontext(prec=40):
        a, a_den, b, b_den = ([Decimal(c) for c in cs] for cs in (_A, _A_DEN, _B, _B_DEN))
        inv_sqrt_2pi = Decimal(_INV_SQRT_2PI_DIGITS)
        for node in nodes:
            y = Decimal(node) / _NODES_PER_UNIT
            gauss = (-y * y / 2).exp()
            if y <= _CENTRAL:
                lower = Decimal("0.5") - y * _exact_ratio(a, a_den, y * y)
            else:
                lower = gauss * _exact_ratio(b, b_den, y)
            cdf.append(_hi_lo(lower))
            slope.append(_hi_lo(lower - y * inv_sqrt_2pi * gauss))
            pdf.append(float(inv_sqrt_2pi * gauss))
    # The terms in h^n, n >= 1, stay below 1/20 of Phi(-y) and of y phi(y): float64 is plenty.
    y_k = np.array(nodes) / _NODES_PER_UNIT
    hermite = [np.ones_like(y_k), y_k]
    for n in range(1, _TAYLOR_DEGREE + 1):
        hermite.append(y_k * hermite[n] - n * hermite[n - 1])
    scale = np.array(pdf)  # becomes (-1)^n phi(y_k) / n!
    cdf_taylor: list[Array] = []
    slope_taylor: list[Array] = []
    for n in range(1, _TAYLOR_DEGREE + 1):
        scale = -scale / n
        cdf_taylor.append(scale * hermite[n - 1])
        slope_taylor.append(scale * (hermite[n - 1] - hermite[n + 1]))
    return _as_nodes(cdf, cdf_taylor), _as_nodes(slope, slope_taylor)


def _exact_ratio(num: list[Decimal], den: list[Decimal], t: Decimal) -> Decimal:
    """_cody_ratio in decimal arithmetic."""
    top, bottom = num[-1] * t, t
    for a, b in zip(num[:-2], den[:-1], strict=True):
        top, bottom = (top + a) * t, (bottom + b) * t
    return (top + num[-2]) / (bottom + den[-1])


def _hi_lo(value: Decimal) -> tuple[float, float]:
    hi = float(value)
    return hi, float(value - Decimal(hi))


def _as_nodes(values: list[tuple[float, float]], taylor: list[Array]) -> _Nodes:
    hi, lo = np.array(values).T
    return _Nodes(hi.copy(), lo.copy(), np.array(taylor))
