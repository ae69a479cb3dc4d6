"""vmath64's elementary functions against mpmath, over each one's whole domain, in ULP.

Each function's docstring states its bound; the test holds it to that bound on a few thousand
points spread uniformly and in magnitude (down to the subnormals), plus the domain's ends and
the points where the method changes (the edges of a reduction, of a polynomial's interval,
of the underflow). The pairs hi + lo are held to their relative bound in units of 2^-53
before any rounding. Each function is also checked to vectorise.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numba
import numpy as np
import pytest

from service.numerics.compiled import vmath, vmath64
from tests.numerics.compiled.llvm import calls_the_math_library, vectorised

mpmath.mp.dps = 50
U = 2.0**-53


def _loop(function: Any) -> Any:
    @numba.njit(fastmath=vmath.FASTMATH, error_model="numpy")
    def apply(x, hi, lo):  # type: ignore[no-untyped-def]
        for i in range(x.size):
            hi[i], lo[i] = function(x[i])

    return apply


def _single(function: Any) -> Any:
    @numba.njit(inline="always", fastmath=vmath.FASTMATH, error_model="numpy")
    def pair(x):  # type: ignore[no-untyped-def]
        return function(x), 0.0

    return pair


@numba.njit(inline="always", fastmath=vmath.FASTMATH, error_model="numpy")
def _lower_tail(y):  # type: ignore[no-untyped-def]
    gauss, gauss_lo = vmath64.gauss_pair(y)
    return vmath64.lower_tail_pair(y, gauss, gauss_lo)


def _spread(low: float, high: float, *extra: float) -> np.ndarray:
    """Points over [low, high]: uniform, spread evenly in magnitude, and ``extra``."""
    rng = np.random.default_rng(17)
    uniform = rng.uniform(low / 2, high / 2, 2000) * 2  # halved: [low, high] may span 1e308
    largest = max(abs(low), abs(high))
    magnitudes = 10.0 ** rng.uniform(-323, np.log10(largest), 2000)
    signed = np.concatenate([magnitudes, -magnitudes])
    points = np.concatenate([uniform, signed, [low, high, 0.0, 5e-324, -5e-324], extra])
    return points[(points >= low) & (points <= high)]


def _near_multiples_of_half_pi() -> np.ndarray:
    """The float64 numbers nearest k pi/2 and their neighbours: sin's and cos's hard cases."""
    k = np.random.default_rng(5).integers(1, 2**20, 300)
    nearest = np.array([float(mpmath.mpf(int(n)) * mpmath.pi / 2) for n in k])
    return np.concatenate([nearest, np.nextafter(nearest, 0), -nearest])


def _ulp_error(got: float, exact: Any) -> float:
    """|got - exact| in ULP of exact's rounding (0 when both are 0)."""
    rounded = float(exact)
    if rounded == 0:
        return 0.0 if got == 0 else float("inf")
    if not np.isfinite(rounded):
        return 0.0 if got == rounded else float("inf")
    return float(abs(mpmath.mpf(got) - exact) / mpmath.mpf(float(np.spacing(abs(rounded)))))


# name: (function of x returning a float, mpmath reference, points, bound in ULP,
#        absolute error allowed besides)
Case = tuple[Any, Callable[[Any], Any], np.ndarray, float, float]
SINGLE: dict[str, Case] = {
    "exp": (
        vmath64.exp,
        mpmath.exp,
        _spread(-800, 800, -745.1332191019411, -745.1332191019412, -708.4, 709.782712893384),
        0.91,
        0.0,
    ),
    "expm1": (vmath64.expm1, mpmath.expm1, _spread(-800, 709, -37.5, 0.3466, -0.3466), 1.1, 0.0),
    "tanh": (vmath64.tanh, mpmath.tanh, _spread(-1.7e308, 1.7e308, 0.17, 0.5, 19.1), 1.1, 0.0),
    "log1p": (
        vmath64.log1p,
        mpmath.log1p,
        np.concatenate(
            [
                _spread(-0.999999, 1.7e308),
                -1 + 10.0 ** np.linspace(-16, -1, 200),
                [2**-54, -(2**-54)],
            ]
        ),
        0.55,
        0.0,
    ),
    "sin": (
        vmath64.sin,
        mpmath.sin,
        np.concatenate(
            [_spread(-vmath64.SIN_LIMIT, vmath64.SIN_LIMIT), _near_multiples_of_half_pi()]
        ),
        0.8,
        2.0**-99,
    ),
    "cos": (
        vmath64.cos,
        mpmath.cos,
        np.concatenate(
            [_spread(-vmath64.SIN_LIMIT, vmath64.SIN_LIMIT), _near_multiples_of_half_pi()]
        ),
        0.8,
        2.0**-99,
    ),
    "atan": (
        vmath64.atan,
        mpmath.atan,
        _spread(-1.7e308, 1.7e308, 0.41421356237309503, 2.414213562373095, 1.0, -1.0),
        0.7,
        0.0,
    ),
}
# name: (function of x returning a pair, reference, points, relative bound in units of 2^-53)
PAIRS: dict[str, tuple[Any, Callable[[Any], Any], np.ndarray, float]] = {
    "exp_pair": (vmath64.exp_pair, mpmath.exp, _spread(-700, 709), 0.32),
    "expm1_pair": (vmath64.expm1_pair, mpmath.expm1, _spread(-700, 709), 0.6),
    "tanh_pair": (vmath64.tanh_pair, lambda x: mpmath.tanh(abs(x)), _spread(-40, 40), 0.6),
    "log1p_pair": (vmath64.log1p_pair, mpmath.log1p, _spread(-0.999999, 1.7e308), 0.1),
    "gauss_pair": (vmath64.gauss_pair, lambda y: mpmath.exp(-y * y / 2), _spread(0, 37), 0.32),
}
# Phi(-y) by piece: (low, high, bound in ULP of the rounded pair).
TAIL_PIECES = [(0.0, 0.75, 1.05), (0.75, 2.25, 1.05), (2.25, 4.0, 1.6), (4.0, 40.0, 2.5)]


@pytest.mark.parametrize("name", sorted(SINGLE))
def test_within_its_bound(name: str) -> None:
    function, reference, x, bound, absolute = SINGLE[name]
    hi, lo = np.empty_like(x), np.empty_like(x)
    _loop(_single(function))(x, hi, lo)
    worst, at = 0.0, 0.0
    for xi, yi in zip(x.tolist(), hi.tolist(), strict=True):
        exact = reference(mpmath.mpf(xi))
        allowed = bound + absolute / float(np.spacing(max(abs(float(exact)), 5e-324)))
        error = _ulp_error(yi, exact) / allowed
        if error > worst:
            worst, at = error, xi
    assert worst <= 1, f"{name}: {worst * bound:.3g} ULP at x={at!r} (bound {bound})"


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_pairs_within_their_bound(name: str) -> None:
    function, reference, x, bound = PAIRS[name]
    hi, lo = np.empty_like(x), np.empty_like(x)
    _loop(function)(x, hi, lo)
    worst, at = 0.0, 0.0
    for xi, h, lo_i in zip(x.tolist(), hi.tolist(), lo.tolist(), strict=True):
        exact = reference(mpmath.mpf(xi))
        # Relative to exact, less the 2^-1074 a pair may lose where its low part is subnormal.
        excess = abs(mpmath.mpf(h) + mpmath.mpf(lo_i) - exact) - mpmath.mpf(5e-324)
        error = float(max(excess, 0) / abs(exact)) / U if exact else float(excess > 0)
        if error > worst:
            worst, at = error, xi
    assert worst <= bound, f"{name}: {worst:.3g} u at x={at!r} (bound {bound})"


@pytest.mark.parametrize(("low", "high", "bound"), TAIL_PIECES)
def test_lower_tail_within_its_bound(low: float, high: float, bound: float) -> None:
    y = np.concatenate([np.linspace(low, high, 2001), _spread(low, high)])
    hi, lo = np.empty_like(y), np.empty_like(y)
    _loop(_lower_tail)(y, hi, lo)
    worst, at = 0.0, 0.0
    for yi, h, lo_i in zip(y.tolist(), hi.tolist(), lo.tolist(), strict=True):
        error = _ulp_error(h + lo_i, mpmath.ncdf(-mpmath.mpf(yi)))
        if error > worst:
            worst, at = error, yi
    assert worst <= bound, f"Phi(-y): {worst:.3g} ULP at y={at!r} (bound {bound})"


def test_exp_underflows_and_overflows_where_its_rounding_does() -> None:
    x = np.array([-1e300, -745.14, -745.13, 709.78, 709.79, 1e300])
    hi, lo = np.empty_like(x), np.empty_like(x)
    _loop(_single(vmath64.exp))(x, hi, lo)
    assert hi[0] == hi[1] == 0 and hi[2] == 5e-324
    assert np.isfinite(hi[3]) and hi[4] == hi[5] == np.inf


def test_sin_and_cos_decline_past_their_limit() -> None:
    x = np.array([vmath64.SIN_LIMIT, np.nextafter(vmath64.SIN_LIMIT, np.inf), 1e30, -1e300])
    for function in (vmath64.sin, vmath64.cos):
        hi, lo = np.empty_like(x), np.empty_like(x)
        _loop(_single(function))(x, hi, lo)
        assert np.isfinite(hi[0])
        assert np.isnan(hi[1:]).all()


FUNCTIONS = {**{name: _single(case[0]) for name, case in SINGLE.items()}}
FUNCTIONS |= {name: case[0] for name, case in PAIRS.items()} | {"lower_tail": _lower_tail}


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_vectorises(name: str) -> None:
    apply = _loop(FUNCTIONS[name])
    x = np.ones(16)
    apply(x, np.empty_like(x), np.empty_like(x))
    assert not calls_the_math_library(apply)
    assert vectorised(apply)
