"""High-precision references: each activation's f, f' and f'' written directly in mpmath.

They are written from the formulas, independently of the numpy code under test, in forms
that stay accurate at 50 digits (sigma(x) sigma(-x) rather than sigma(1 - sigma), which
loses everything at x = 700 even at high precision). A kink takes the value the entry's
``kink`` convention states.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
from mpmath import mpf

mpmath.mp.dps = 50

Mp = Any
Triple = tuple[Callable[..., Mp], Callable[..., Mp], Callable[..., Mp]]


def _sigma(x: Mp) -> Mp:
    return 1 / (1 + mpmath.exp(-x))


def _sigma_slope(x: Mp) -> Mp:
    return _sigma(x) * _sigma(-x)


def _sigma_curvature(x: Mp) -> Mp:
    return -_sigma_slope(x) * mpmath.tanh(x / 2)


def _phi(x: Mp) -> Mp:
    return mpmath.exp(-(x**2) / 2) / mpmath.sqrt(2 * mpmath.pi)


def _Phi(x: Mp) -> Mp:
    # mpmath's erfc overflows internally near 1e300; past |x| = 1000 the first term of the
    # asymptotic series is exact far beyond float precision (the value rounds to 0 or 1 anyway).
    if x < -1000:
        return _phi(x) / -x
    if x > 1000:
        return 1 - _phi(x) / x
    return mpmath.erfc(-x / mpmath.sqrt(2)) / 2


_C = mpf("0.044715")


def _gelu_tanh(x: Mp) -> tuple[Mp, Mp, Mp]:
    k = mpmath.sqrt(2 / mpmath.pi)
    u, du, d2u = k * (x + _C * x**3), k * (1 + 3 * _C * x**2), k * 6 * _C * x
    g = _sigma(2 * u)
    dg = 2 * du * _sigma_slope(2 * u)
    d2g = 2 * d2u * _sigma_slope(2 * u) + 4 * du**2 * _sigma_curvature(2 * u)
    return x * g, g + x * dg, 2 * dg + x * d2g


def _softplus(x: Mp, beta: float, threshold: float) -> tuple[Mp, Mp, Mp]:
    bx = mpf(beta) * x
    if bx > threshold:
        return x, mpf(1), mpf(0)
    return mpmath.log1p(mpmath.exp(bx)) / beta, _sigma(bx), beta * _sigma_slope(bx)


def _piecewise(positive: Callable[[Mp], Mp], negative: Callable[[Mp], Mp]) -> Callable[[Mp], Mp]:
    return lambda x: positive(x) if x > 0 else negative(x)


REFERENCES: dict[str, Callable[..., Triple]] = {
    "identity": lambda: (lambda x: x, lambda x: mpf(1), lambda x: mpf(0)),
    "relu": lambda: (
        _piecewise(lambda x: x, lambda x: mpf(0)),
        _piecewise(lambda x: mpf(1), lambda x: mpf(0)),
        lambda x: mpf(0),
    ),
    "leaky_relu": lambda negative_slope: (
        _piecewise(lambda x: x, lambda x: negative_slope * x),
        _piecewise(lambda x: mpf(1), lambda x: mpf(negative_slope)),
        lambda x: mpf(0),
    ),
    "elu": lambda alpha: (
        _piecewise(lambda x: x, lambda x: alpha * mpmath.expm1(x)),
        _piecewise(lambda x: mpf(1), lambda x: alpha * mpmath.exp(x)),
        _piecewise(lambda x: mpf(0), lambda x: alpha * mpmath.exp(x)),
    ),
    "sigmoid": lambda: (_sigma, _sigma_slope, _sigma_curvature),
    "tanh": lambda: (
        mpmath.tanh,
        lambda x: mpmath.sech(x) ** 2,
        lambda x: -2 * mpmath.tanh(x) * mpmath.sech(x) ** 2,
    ),
    "softplus": lambda beta, threshold: (
        lambda x: _softplus(x, beta, threshold)[0],
        lambda x: _softplus(x, beta, threshold)[1],
        lambda x: _softplus(x, beta, threshold)[2],
    ),
    "gelu": lambda approximate: (
        (lambda x: x * _Phi(x), lambda x: _Phi(x) + x * _phi(x), lambda x: _phi(x) * (2 - x**2))
        if approximate == "none"
        else (lambda x: _gelu_tanh(x)[0], lambda x: _gelu_tanh(x)[1], lambda x: _gelu_tanh(x)[2])
    ),
}

# Parameter sets checked besides the defaults: each exercises a different branch or scale.
VARIANTS: dict[str, list[dict[str, Any]]] = {
    "leaky_relu": [{"negative_slope": 0.2}, {"negative_slope": -0.5}],
    "elu": [{"alpha": 2.0}, {"alpha": 0.5}],
    "softplus": [{"beta": 2.0}, {"beta": 0.5, "threshold": 5.0}, {"threshold": 1e300}],
    "gelu": [{"approximate": "tanh"}],
}

# Points where a function of the registry is not smooth, besides 0 (checked for every entry).
KINKS: dict[str, list[float]] = {
    "softplus": [20.0, 10.0, 2.5, 40.0],
}
