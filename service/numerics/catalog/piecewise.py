"""Piecewise functions: branches by arithmetic, and Gaussian moments in closed form.

``select`` chooses between two branches faster than np.where; ``no_curvature`` is the second
derivative of every piecewise-linear entry (``no_curvature_at`` its kernel). For mean-field theory, the Gaussian moments of a
piecewise-linear function have a closed form:

A piece is f(u) = c + b u on low < u <= high. For u ~ N(0, q), s = sqrt(q), the bounds
alpha = low/s, beta = high/s and P = Phi(beta) - Phi(alpha), the truncated normal moments give

    E[(c + b u)^2; piece] = c^2 P + 2 c b s (phi(alpha) - phi(beta))
                            + b^2 q (P + alpha phi(alpha) - beta phi(beta)),
    E[f'(u)^2; piece]     = b^2 P,

and the moments of f are their sums over the pieces.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from service.numerics.analysis.normal import normal_cdf, normal_pdf
from service.numerics.compiled import inline
from service.numerics.types import Array

__all__ = ["Piece", "no_curvature", "no_curvature_at", "second_moment", "select", "slope_moment"]


def select(
    condition: npt.NDArray[np.bool_], if_true: Array | float, if_false: Array | float
) -> Array:
    """np.where(condition, if_true, if_false) for finite operands, by arithmetic.

    c a + (1 - c) b with c in {0, 1} is exact, one of its terms being an exact zero (only the
    sign of a zero result may differ). np.where branches on every element, which on random
    signs costs more than these four vectorised passes together.
    """
    chosen = condition.astype(np.float64)
    result: Array = chosen * if_true + (1 - chosen) * if_false
    return result


def no_curvature(x: Array, **params: object) -> Array:
    """f''(x) = 0 whatever the parameters: the second derivative of a piecewise-linear f."""
    return np.zeros_like(x)


@inline
def no_curvature_at(x: float, _: tuple[float, ...]) -> float:
    return 0.0


Piece = tuple[float, float, float, float]
"""(low, high, c, b): f(u) = c + b u for low < u <= high; low and high may be infinite."""

# Phi is 0 or 1 and phi is 0 to the last bit past 38.6: clipping there changes nothing, and
# keeps alpha phi(alpha) finite for an infinite bound.
_CLIP = 40.0


def second_moment(q: Array, pieces: Iterable[Piece]) -> Array:
    """E[f(u)^2], u ~ N(0, q), for f = c + b u on each piece."""
    s = np.sqrt(q)
    total = np.zeros_like(q)
    for low, high, c, b in pieces:
        alpha, beta = _standardised(low, s), _standardised(high, s)
        mass = _mass(alpha, beta)
        pdf_alpha, pdf_beta = normal_pdf(alpha), normal_pdf(beta)
        # c (c P) and c (2 b s ...) rather than c^2 P: a huge c on a piece without mass gives 0,
        # and on one with mass it overflows to inf, as the moment itself does.
        with np.errstate(over="ignore"):
            total += c * (c * mass) + c * (2 * b * s * (pdf_alpha - pdf_beta))
        total += b * b * q * (mass + alpha * pdf_alpha - beta * pdf_beta)
    return total


def slope_moment(q: Array, pieces: Iterable[Piece]) -> Array:
    """E[f'(u)^2], u ~ N(0, q): each piece's slope squared times its probability."""
    s = np.sqrt(q)
    total = np.zeros_like(q)
    for low, high, _, b in pieces:
        total += b * b * _mass(_standardised(low, s), _standardised(high, s))
    return total


def _standardised(bound: float, s: Array) -> Array:
    """bound / s within +-40; at s = 0 a bound of 0 stays 0 (the limit q -> 0 of the moments)."""
    if bound == 0:
        return np.zeros_like(s)
    with np.errstate(divide="ignore", over="ignore"):
        standardised: Array = np.clip(bound / s, -_CLIP, _CLIP)
    return standardised


def _mass(alpha: Array, beta: Array) -> Array:
    """Phi(beta) - Phi(alpha), from the nearer tail so that a far piece keeps its digits."""
    mass: Array = np.where(
        alpha > 0, normal_cdf(-alpha) - normal_cdf(-beta), normal_cdf(beta) - normal_cdf(alpha)
    )
    return mass
