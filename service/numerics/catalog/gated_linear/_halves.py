"""The halves a, b of x that a gated linear unit pairs, and what its formulas say of them.

A unit is a g(b), its vector-Jacobian product (grad g(b), grad a g'(b)). Where a or b is
infinite each product is its limit as the infinite input goes out, the other inputs held
(grad_output is finite): IEEE's product wherever that is a number, and where it is 0 times
infinity (NaN), what ``times_gate`` and ``times_slope`` say. The numpy forms below and the
compiled rows (_rows.py) both apply those two rules, to the few pairs that need them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from service.numerics.types import Array

SPLIT = r"(a, b) = \text{halves of } x \text{ along the axis}"
WIDTH = 8  # identities are checked on rows of this many elements, halves of 4

Limits = tuple[Mapping[str, float], Mapping[str, float]]
"""The gate's and its slope's limits at b = -inf ("below") and +inf ("above"): the numpy
forms' rules and the compiled rows (with_limits) take the same pair."""


def halves(x: Array, axis: int) -> tuple[Array, Array]:
    a, b = np.split(x, 2, axis=axis)
    return a, b


def times_gate(u: float, h: float, b: float, limit: float) -> float:
    """u h, h being g(b) or g'(b), and ``limit`` that function's limit on b's side.

    Where u h is 0 times infinity:
    - u infinite and h = 0. With b infinite as well there is no limit (h's limit is 0 and
      u's infinite: it depends on how they go out together), so NaN. With b = 0, where h
      is exactly 0 (silu's and gelu's root), u h = 0 for every finite u: 0. Elsewhere h is
      not 0 but a tail too small for a float, with the sign of the function's limit that
      way: an infinity.
    - u = 0 and h infinite (b infinite, a gate that grows without bound): 0 h = 0 for every
      finite b, so 0.
    Zeros are signed as the product of the signs. A NaN in stays NaN.
    """
    product = u * h
    if product == product or u != u or h != h or b != b:
        return product
    if abs(u) == math.inf:
        if abs(b) == math.inf:
            return product
        if b == 0.0:
            return math.copysign(1.0, u) * h
        return u * math.copysign(1.0, limit)
    return u * math.copysign(1.0, h)


def times_slope(g: float, a: float, s: float, a_s: float) -> float:
    """g a s, the gradient's second half: grad_output g, the half a, s = g'(b), and
    a_s = times_gate(a, s, b, the slope's limit on b's side). The product is linear in g,
    so it is 0 where g is (signed as a_s, or as a where a_s has no limit); otherwise g a_s."""
    product = g * a * s
    if product == product or g != g or a != a or s != s:
        return product
    if g == 0.0:
        return g * math.copysign(1.0, a_s if a_s == a_s else a)
    return g * a_s


def gated(a: Array, b: Array, gate: Array, limits: Limits) -> Array:
    """a g(b), given gate = g(b): the value of a unit."""
    value = a * gate
    for i in _undefined(value):
        at = float(b.flat[i])
        value.flat[i] = times_gate(float(a.flat[i]), float(gate.flat[i]), at, _limit(limits[0], at))
    return value


def gated_vjp(
    a: Array, b: Array, g: Array, gate: Array, slope: Array, limits: Limits, axis: int
) -> Array:
    """(g g(b), g a g'(b)) joined along ``axis``, given gate = g(b) and slope = g'(b)."""
    to_a, to_b = g * gate, g * a * slope
    for i in _undefined(to_a):
        at = float(b.flat[i])
        to_a.flat[i] = times_gate(float(g.flat[i]), float(gate.flat[i]), at, _limit(limits[0], at))
    for i in _undefined(to_b):
        at, half, s = float(b.flat[i]), float(a.flat[i]), float(slope.flat[i])
        a_s = times_gate(half, s, at, _limit(limits[1], at))
        to_b.flat[i] = times_slope(float(g.flat[i]), half, s, a_s)
    return np.concatenate([to_a, to_b], axis)


def _undefined(product: Array) -> list[int]:
    """Where a product of numbers is NaN: 0 times infinity (the API refuses NaN inputs)."""
    return np.flatnonzero(np.isnan(product)).tolist()


def _limit(side: Mapping[str, float], b: float) -> float:
    return side["below"] if b < 0 else side["above"]
