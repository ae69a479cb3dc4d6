"""High-precision references for the axis-wise entries, on one vector at a time.

Each forward is written from its definition in mpmath at 50 digits (sparsemax and 1.5-entmax
by trying every support size, not by the sorting shortcut of the code under test). Each
vector-Jacobian product is written in closed form, in a form that stays accurate when one
component dominates (softmax's g_i - <g, s> as sum_j s_j (g_i - g_j)); ``jacobian`` takes
the Jacobian by central differences at 150 digits, which checks those closed forms where
differences can resolve them, and scales the bounds (condition numbers).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
from mpmath import mpf

from tests.numerics.catalog.mp_references import REFERENCES

mpmath.mp.dps = 50

Mp = Any
Vector = list[Mp]
Forward = Callable[[Vector], Vector]


def _softmax(x: Vector) -> Vector:
    top = max(x)
    e = [mpmath.exp(v - top) for v in x]
    total = mpmath.fsum(e)
    return [v / total for v in e]


def _log_softmax(x: Vector) -> Vector:
    top = max(x)
    log_total = mpmath.log(mpmath.fsum(mpmath.exp(v - top) for v in x))
    return [v - top - log_total for v in x]


def _projection(x: Vector, power: int) -> Vector:
    """argmax of <p, x> + Tsallis entropy: max(x/power' - tau, 0)^(power - 1) summing to 1.

    power 2 is sparsemax (p = max(x - tau, 0)); power 3 is 1.5-entmax with z = x/2 and
    p = max(z - tau, 0)^2. tau is found by trying each support of the k largest z.
    """
    # Shifted so that the largest is 0: tau is then within 1 of 0, not lost beside 1e300.
    z = [(v - max(x)) / (power - 1) for v in x]
    ordered = sorted(z, reverse=True)
    for k in range(len(z), 0, -1):
        top = ordered[:k]
        if power == 2:
            tau = (mpmath.fsum(top) - 1) / k
        else:
            mean = mpmath.fsum(top) / k
            spread = mpmath.fsum((v - mean) ** 2 for v in top)
            if spread > 1:
                continue
            tau = mean - mpmath.sqrt((1 - spread) / k)
        if ordered[k - 1] > tau:
            return [max(v - tau, 0) ** (power - 1) for v in z]
    raise AssertionError("no support found")


def _gated(gate: Callable[[Mp], Mp]) -> Forward:
    def forward(x: Vector) -> Vector:
        half = len(x) // 2
        return [a * gate(b) for a, b in zip(x[:half], x[half:], strict=True)]

    return forward


def _value(name: str, **params: Any) -> Callable[[Mp], Mp]:
    return REFERENCES[name](**params)[0]


FORWARDS: dict[str, Forward] = {
    "softmax": _softmax,
    "log_softmax": _log_softmax,
    "softmin": lambda x: _softmax([-v for v in x]),
    "sparsemax": lambda x: _projection(x, 2),
    "entmax15": lambda x: _projection(x, 3),
    "glu": _gated(_value("sigmoid")),
    "swiglu": _gated(_value("silu", beta=1.0)),
    "geglu": _gated(_value("gelu", approximate="none")),
}


def _softmax_vjp(x: Vector, g: Vector) -> Vector:
    s = _softmax(x)
    return [
        si * mpmath.fsum(sj * (gi - gj) for sj, gj in zip(s, g, strict=True))
        for si, gi in zip(s, g, strict=True)
    ]


def _log_softmax_vjp(x: Vector, g: Vector) -> Vector:
    s, total = _softmax(x), mpmath.fsum(g)
    return [gi - si * total for si, gi in zip(s, g, strict=True)]


def _projection_vjp(power: int) -> Callable[[Vector, Vector], Vector]:
    """sparsemax: s (g - mean over the support); 1.5-entmax: r g - r <r, g>/sum r, r = sqrt(p)."""

    def product(x: Vector, g: Vector) -> Vector:
        p = _projection(x, power)
        r = [mpmath.sqrt(v) if power == 3 else mpf(v > 0) for v in p]
        share = mpmath.fsum(ri * gi for ri, gi in zip(r, g, strict=True)) / mpmath.fsum(r)
        return [ri * (gi - share) for ri, gi in zip(r, g, strict=True)]

    return product


def _gated_vjp(name: str, **params: Any) -> Callable[[Vector, Vector], Vector]:
    gate, slope, _ = REFERENCES[name](**params)

    def product(x: Vector, g: Vector) -> Vector:
        half = len(x) // 2
        a, b = x[:half], x[half:]
        return [gi * gate(bi) for gi, bi in zip(g, b, strict=True)] + [
            gi * ai * slope(bi) for gi, ai, bi in zip(g, a, b, strict=True)
        ]

    return product


VJPS: dict[str, Callable[[Vector, Vector], Vector]] = {
    "softmax": _softmax_vjp,
    "log_softmax": _log_softmax_vjp,
    "softmin": lambda x, g: [-v for v in _softmax_vjp([-v for v in x], g)],
    "sparsemax": _projection_vjp(2),
    "entmax15": _projection_vjp(3),
    "glu": _gated_vjp("sigmoid"),
    "swiglu": _gated_vjp("silu", beta=1.0),
    "geglu": _gated_vjp("gelu", approximate="none"),
}


def jacobian(function: Forward, x: Vector) -> list[Vector]:
    """J[i][j] = d function(x)_i / d x_j, by central differences at 150 digits."""
    columns = []
    with mpmath.workdps(150):
        for j, xj in enumerate(x):
            h = max(abs(xj), mpf(1)) * mpf(2) ** -120
            up = function([*x[:j], xj + h, *x[j + 1 :]])
            down = function([*x[:j], xj - h, *x[j + 1 :]])
            columns.append([(u - d) / (2 * h) for u, d in zip(up, down, strict=True)])
    return [[+v for v in row] for row in zip(*columns, strict=True)]
