"""service.numerics.analysis.normal against mpmath, on dense grids and at the edges of float64.

Errors are in units in the last place of the correctly rounded result. Phi itself is
checked without any allowance for conditioning: it is computed from x exactly, so it must
come within 2 ULP wherever it is at least 1e-300. Functions that cross zero (the slope
Phi + x phi) are held to a bound times max(1, kappa), kappa = |x f'/f| their condition number.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import mpmath
import numpy as np
import pytest
from mpmath import mpf

from service.numerics.analysis import normal
from tests.numerics.catalog.mp_references import REFERENCES

Mp = Any

_TINY = 2.0**-1074
# Dense over the whole range where Phi is not 0 in float64, plus the points where the
# evaluation changes hands: zero, Cody's 0.674, the last table node, sqrt 32.
_EDGES = [0.0, 1e-300, 5e-324, 1 / 128, 0.67448975, 362 / 64, np.sqrt(32), 37.5, 38.4]
_GRID = np.unique(
    np.concatenate(
        [
            np.linspace(-40, 10, 20_001),
            [e for edge in _EDGES for e in np.nextafter(edge, [-np.inf, edge, np.inf])],
            [-e for edge in _EDGES for e in np.nextafter(edge, [-np.inf, edge, np.inf])],
        ]
    )
)
_SPARSE = _GRID[::4]


def _ulps(got: np.ndarray, exact: Iterable[Mp]) -> np.ndarray:
    """|got - exact| in units of the spacing of float64 at exact (the smallest one at 0)."""
    errors = []
    for value, reference in zip(got.tolist(), exact, strict=True):
        rounded = float(reference)
        spacing = float(np.spacing(abs(rounded))) if rounded else _TINY
        errors.append(float(abs(mpf(value) - reference) / spacing))
    return np.array(errors)


def _condition(x: np.ndarray, values: list[Mp], slopes: list[Mp]) -> np.ndarray:
    """max(1, |x f'(x) / f(x)|)."""
    return np.array(
        [
            max(1.0, float(abs(xi * df / f))) if f else 1.0
            for xi, f, df in zip(x.tolist(), values, slopes, strict=True)
        ]
    )


def _worst(errors: np.ndarray, x: np.ndarray) -> str:
    i = int(np.argmax(errors))
    return f"{errors[i]:.3f} at x={x[i]!r}"


@pytest.fixture(autouse=True)
def _precision() -> Iterable[None]:
    with mpmath.workdps(40):
        yield


def test_cdf_within_two_ulp() -> None:
    exact = [mpmath.ncdf(mpf(x)) for x in _GRID.tolist()]
    errors = _ulps(normal.normal_cdf(_GRID), exact)
    normal_range = np.array([abs(e) >= mpf("1e-300") for e in exact])
    assert errors[normal_range].max() <= 2, _worst(errors[normal_range], _GRID[normal_range])
    # Below 1e-300, where exp(-x^2/2) runs into the subnormals and loses bits, allow 3.
    assert errors[~normal_range].max() <= 3, _worst(errors[~normal_range], _GRID[~normal_range])


def test_pdf_and_gauss_within_two_ulp() -> None:
    x = np.concatenate([_SPARSE, -_SPARSE])
    pdf = _ulps(normal.normal_pdf(x), [mpmath.npdf(mpf(v)) for v in x.tolist()])
    gauss = _ulps(
        normal.exp_neg_half_square(x), [mpmath.exp(-(mpf(v) ** 2) / 2) for v in x.tolist()]
    )
    assert pdf.max() <= 2, _worst(pdf, x)
    assert gauss.max() <= 1.5, _worst(gauss, x)


def test_slope_within_one_and_a_half_ulp_times_condition() -> None:
    _, slope, curvature = REFERENCES["gelu"](approximate="none")
    # Also the neighbourhood of the root at -0.7518, where kappa is large but not infinite.
    x = np.concatenate([_SPARSE, np.linspace(-0.76, -0.74, 2001)])
    slopes = [slope(mpf(v)) for v in x.tolist()]
    errors = _ulps(normal.normal_cdf_plus_x_pdf(x), slopes)
    ratios = errors / _condition(x, slopes, [curvature(mpf(v)) for v in x.tolist()])
    assert ratios.max() <= 1.5, _worst(ratios, x)


def test_tanh_approximation_within_bound_times_condition() -> None:
    value, slope, curvature = REFERENCES["gelu"](approximate="tanh")
    x = np.concatenate([np.linspace(-25, 25, 2_501), np.linspace(-2, 1, 1_001)])
    f, df, d2f = ([g(mpf(v)) for v in x.tolist()] for g in (value, slope, curvature))
    # sigma(v) = f / x, and its kappa is |x f'/f - 1|.
    cdf = [fi / xi if xi else mpf("0.5") for xi, fi in zip(x.tolist(), f, strict=True)]
    cdf_kappa = np.array(
        [
            max(1.0, float(abs(xi * dfi / fi - 1))) if fi else 1.0
            for xi, fi, dfi in zip(x.tolist(), f, df, strict=True)
        ]
    )
    cdf_ratios = _ulps(normal.tanh_normal_cdf(x), cdf) / cdf_kappa
    slope_ratios = _ulps(normal.tanh_normal_cdf_plus_x_pdf(x), df) / _condition(x, df, d2f)
    # Random sweeps of 200,000 points peak at 2.0 for both.
    assert cdf_ratios.max() <= 2.5, _worst(cdf_ratios, x)
    assert slope_ratios.max() <= 2.5, _worst(slope_ratios, x)


def test_table_nodes_match_mpmath() -> None:
    # Cody's approximations are good to 18 digits: a wrong digit in a coefficient shows here.
    cdf_nodes, slope_nodes = normal._node_tables()
    for k in range(len(cdf_nodes.hi)):
        y = mpf(k) / 64
        cdf = mpmath.ncdf(-y)
        slope = cdf - y * mpmath.npdf(y)
        cdf_node = mpf(cdf_nodes.hi[k]) + mpf(cdf_nodes.lo[k])
        slope_node = mpf(slope_nodes.hi[k]) + mpf(slope_nodes.lo[k])
        assert abs(cdf_node / cdf - 1) < 2.0**-54, k
        # G = Phi(-y) - y phi(y) is formed exactly, so it inherits Phi's absolute error.
        assert abs(slope_node - slope) < 2.0**-54 * cdf, k


@pytest.mark.parametrize(
    ("digits", "hi", "lo", "exact"),
    [
        (
            normal._INV_SQRT_2PI_DIGITS,
            normal._INV_SQRT_2PI,
            normal._INV_SQRT_2PI_LO,
            lambda: 1 / mpmath.sqrt(2 * mpmath.pi),
        ),
        (
            normal._SQRT_8_OVER_PI_DIGITS,
            normal._SQRT_8_OVER_PI,
            normal._SQRT_8_OVER_PI_LO,
            lambda: mpmath.sqrt(8 / mpmath.pi),
        ),
    ],
)
def test_constants(digits: str, hi: float, lo: float, exact: Callable[[], Mp]) -> None:
    assert abs(mpf(digits) - exact()) < mpf("1e-39")
    assert abs(mpf(hi) + mpf(lo) - exact()) < mpf(2) ** -106


_FUNCTIONS = [
    normal.normal_cdf,
    normal.normal_cdf_plus_x_pdf,
    normal.normal_pdf,
    normal.exp_neg_half_square,
    normal.tanh_normal_cdf,
    normal.tanh_normal_cdf_plus_x_pdf,
]


@pytest.mark.parametrize("function", _FUNCTIONS, ids=lambda f: f.__name__)
def test_extremes_are_finite_and_exact(function: Callable[[np.ndarray], np.ndarray]) -> None:
    big = np.array([1e300, 1.7e308, np.finfo(np.float64).max, 40.0, 100.0])
    small = np.array([0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 2.2e-308])
    below, above, near_zero = function(-big), function(big), function(small)
    assert np.isfinite(below).all() and np.isfinite(above).all() and np.isfinite(near_zero).all()
    if function in (normal.normal_pdf, normal.exp_neg_half_square):
        assert (below == 0).all() and (above == 0).all()
        assert (near_zero == function(np.array([0.0]))).all()
    else:
        assert (below == 0).all() and (above == 1).all() and (near_zero == 0.5).all()


@pytest.mark.parametrize("function", _FUNCTIONS, ids=lambda f: f.__name__)
def test_any_shape_and_nan(function: Callable[[np.ndarray], np.ndarray]) -> None:
    grid = np.linspace(-9, 9, 30).reshape(5, 6)
    flat = function(grid.ravel())
    assert np.array_equal(function(grid), flat.reshape(5, 6))
    assert np.array_equal(function(grid.T), flat.reshape(5, 6).T)  # not contiguous
    assert np.asarray(function(np.array(1.5))).shape == ()
    assert function(np.zeros((3, 0))).shape == (3, 0)
    assert np.array_equal(
        function(grid.astype(np.float32)), function(grid.astype(np.float32).astype(np.float64))
    )
    assert np.isnan(function(np.array([np.nan]))).all()


def test_large_arrays_match_their_pieces() -> None:
    # Beyond one block of 2^16 points the work is split: the split must not show.
    x = np.random.default_rng(5).normal(scale=3, size=200_000)
    for function in (normal.normal_cdf, normal.tanh_normal_cdf_plus_x_pdf):
        whole = function(x)
        assert np.array_equal(
            whole, np.concatenate([function(part) for part in np.array_split(x, 7)])
        )


def test_reflection_is_exact() -> None:
    x = _GRID[(_GRID > 0) & (_GRID <= 5.65)]
    assert np.array_equal(normal.normal_cdf(x), 1 - normal.normal_cdf(-x))
    assert np.array_equal(normal.normal_cdf_plus_x_pdf(x), 1 - normal.normal_cdf_plus_x_pdf(-x))
