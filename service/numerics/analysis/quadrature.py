"""Gaussian expectations E[f(m + s z)], z ~ N(0, 1), by composite Gauss–Legendre quadrature.

Gauss–Hermite quadrature (``numpy.polynomial.hermite_e.hermegauss``) is exact for polynomials
but resolves nothing finer than the spacing of its nodes, about 1/sqrt(n) in z. Mean-field
theory needs E[f'(sqrt(q) z)^2] at large q, where f' is a bump of width 1/sqrt(q) in z: a
200-node Hermite rule misses E[sech^4(sqrt(q) z)] by 0.1% at q = 10 and by 60% at q = 100.
So the rule here splits z in [-10, 10] (the mass outside is 1.5e-23) into panels whose edges
sit at the scales of both factors, the Gaussian's (steps of 1/4 in z) and the activation's
(u = 0 and u = +-2^k around it, since kinks and saturation live near u = 0), with Gauss–Legendre
nodes on each panel. Kinks at u = 0 fall on an edge, so piecewise-smooth functions integrate
as accurately as smooth ones: ~1e-15 relative for tanh, relu, elu and softplus at every q.
Where Hermite's rule is exact (smooth f, small q) the two agree to rounding; a test checks it.

The measured properties ask once per parameter set for E f(z) and Var f(z), and for these
``normal_moments`` is adaptive instead: panels of width 1/4 on [-16, 16] (the normal density
beyond is below 1e-56), split at the breaks given (every discontinuity of f, f', f''), and
halved wherever a panel's 24 Gauss-Legendre nodes disagree with 24 on each of its halves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
from numpy.polynomial.legendre import leggauss

from service.numerics.analysis.normal import normal_pdf
from service.numerics.types import Array

__all__ = [
    "COARSE",
    "FINE",
    "Rule",
    "expectation",
    "gaussian_points",
    "normal_moments",
    "weighted_sum",
]

_Z_MAX: Final = 10.0
_SQRT_2PI: Final = float(np.sqrt(2 * np.pi))


@dataclass(frozen=True, slots=True)
class Rule:
    """Panel edges in u (around u = 0) and in z (the Gaussian's body), and the nodes per panel."""

    feature_scales: Array
    body_edges: Array
    nodes: Array
    weights: Array

    @classmethod
    def make(cls, *, exponents: range, body_step: float, order: int) -> Rule:
        nodes, weights = leggauss(order)
        body = np.arange(body_step, _Z_MAX + body_step / 2, body_step)
        return cls(
            feature_scales=2.0 ** np.array(exponents, dtype=np.float64),
            body_edges=np.concatenate([-body[::-1], [0.0], body]),
            nodes=(nodes + 1) / 2,
            weights=weights / 2,
        )


FINE: Final = Rule.make(exponents=range(-20, 8), body_step=0.25, order=8)
"""About 1100 points per expectation; 1e-15 relative on the integrals of mean-field theory."""
COARSE: Final = Rule.make(exponents=range(-6, 7), body_step=0.5, order=6)
"""About 400 points; for the inner integral of a double expectation, good to ~1e-9."""


def gaussian_points(
    mean: npt.ArrayLike, std: npt.ArrayLike, rule: Rule = FINE
) -> tuple[Array, Array]:
    """Points u and weights w, one row per (mean, std) pair, with sum(w f(u)) = E[f(mean + std z)].

    A zero std gives the single point u = mean (all rows have the same length: the unused
    panels are empty and weigh nothing).
    """
    m = np.asarray(mean, dtype=np.float64)[..., None]
    s = np.asarray(std, dtype=np.float64)[..., None]
    # The activation's features are at u = 0, i.e. z = -m/s, and at u = +-2^k around it.
    with np.errstate(divide="ignore", invalid="ignore"):
        centre = np.where(s > 0, -m / s, _Z_MAX)
        offsets = np.where(s > 0, rule.feature_scales / s, _Z_MAX)
    features = np.concatenate([centre - offsets, centre, centre + offsets], axis=-1)
    body = np.broadcast_to(rule.body_edges, (*features.shape[:-1], rule.body_edges.size))
    edges = np.sort(np.clip(np.concatenate([body, features], axis=-1), -_Z_MAX, _Z_MAX), axis=-1)
    low, width = edges[..., :-1, None], np.diff(edges, axis=-1)[..., None]
    z = (low + width * rule.nodes).reshape(*edges.shape[:-1], low.shape[-2] * rule.nodes.size)
    w = (width * rule.weights).reshape(z.shape) * np.exp(-z * z / 2) / _SQRT_2PI
    return m + s * z, w


def expectation(
    f: Callable[[Array], Array], mean: npt.ArrayLike, std: npt.ArrayLike, rule: Rule = FINE
) -> Array:
    """E[f(mean + std z)], z ~ N(0, 1), elementwise over the broadcast of mean and std."""
    u, w = gaussian_points(mean, std, rule)
    return weighted_sum(w, f(u))


def weighted_sum(w: Array, *factors: Array) -> Array:
    """sum(w * factors[0] * factors[1] ...) along the last axis, multiplied in that order, a
    point of weight 0 counting nothing.

    gaussian_points' empty panels (and a zero std's unused points) weigh 0 at points where f
    may be infinite (1/x at 0, an exponential's square overflowing): 0 * inf would make the
    whole sum NaN, where the points that weigh something give a number or an infinity.
    """
    weighs = w != 0
    products = np.zeros(np.broadcast_shapes(w.shape, *(factor.shape for factor in factors)))
    np.multiply(w, factors[0], out=products, where=weighs)
    for factor in factors[1:]:
        np.multiply(products, factor, out=products, where=weighs)
    total: Array = np.sum(products, axis=-1)
    return total


# Adaptive composite Gauss-Legendre for E f(scale z), f measured once per parameter set.
_LEGENDRE: Final = np.polynomial.legendre.leggauss(24)
_MOST_HALVINGS: Final = 20


def normal_moments(
    f: Callable[[Array], Array], breaks: Array, *, scale: float
) -> tuple[float, float]:
    """E f(scale z) and Var f(scale z) for z ~ N(0, 1), by adaptive composite Gauss-Legendre."""
    z, w = _nodes(*_panels(f, breaks, scale=scale))
    values = f(scale * z)
    mean = float(np.dot(w, values))
    variance = float(np.dot(w, np.square(values - mean)))
    return mean, variance


def _panels(f: Callable[[Array], Array], breaks: Array, *, scale: float) -> tuple[Array, Array]:
    """The ends of the quadrature panels on [-16, 16] (the normal density beyond is < 1e-56).

    Panels of width 1/4, split at the breaks, are halved until 24 nodes on a panel give what
    24 on each half give, to 1e-16 of E|f| + E f^2: a sharp bend (squareplus with b = 1e-4
    turns within 0.01 of 0) gets the panels it needs, a smooth stretch keeps its one.
    """
    inner = breaks[np.abs(breaks) < 16 * scale] / scale
    edges = np.unique(np.concatenate((np.linspace(-16.0, 16.0, 129), inner)))
    low, high = edges[:-1], edges[1:]
    settled_low: list[Array] = []
    settled_high: list[Array] = []
    tolerance = -1.0
    for _ in range(_MOST_HALVINGS):
        middle = (low + high) / 2
        whole = _integrals(f, low, high, scale)
        halves = _integrals(f, low, middle, scale) + _integrals(f, middle, high, scale)
        if tolerance < 0:
            tolerance = 1e-16 * float(np.sum(np.abs(halves)))
        # A panel whose integrals are not finite (f overflows or is NaN there) cannot settle by
        # halving: it is kept as it is rather than split 2^20 ways.
        done = np.all(np.abs(whole - halves) <= tolerance, axis=1) | ~np.all(
            np.isfinite(halves), axis=1
        )
        settled_low += [low[done], middle[done]]
        settled_high += [middle[done], high[done]]
        low, high = (
            np.concatenate((low[~done], middle[~done])),
            np.concatenate((middle[~done], high[~done])),
        )
        if low.size == 0:
            break
    return np.concatenate((*settled_low, low)), np.concatenate((*settled_high, high))


def _nodes(low: Array, high: Array) -> tuple[Array, Array]:
    nodes, weights = _LEGENDRE
    half, middle = (high - low)[:, None] / 2, (high + low)[:, None] / 2
    z = (middle + half * nodes).ravel()
    return z, (half * weights).ravel() * normal_pdf(z)


def _integrals(f: Callable[[Array], Array], low: Array, high: Array, scale: float) -> Array:
    """Per panel, the integrals of f(scale z) and f(scale z)^2 against the normal density."""
    z, w = _nodes(low, high)
    values = f(scale * z)
    pieces = np.stack((w * values, w * np.square(values)), axis=1)
    summed: Array = pieces.reshape(low.size, -1, 2).sum(axis=1)
    return summed
