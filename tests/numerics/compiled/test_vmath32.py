"""vmath32's float32 functions against mpmath, over the whole float32 range, in float32 ULP.

The module docstring bounds each: e^x = 2^k (s + c) within 0.25 u (u = 2^-24) before any
rounding, exp, tanh and atan within 1.4, 1.65 and 1.25 ULP, sin within the float32 contract; the exact
products and the ramp within their docstrings' bounds. The points are spread uniformly, in magnitude down to the subnormals,
densely where results become subnormal, and at the reduction's and the clamp's edges. Each loop is also checked to
vectorise and to call no math library.
"""

from __future__ import annotations

from typing import Any

import llvmlite.binding
import mpmath
import numba
import numpy as np
import pytest

from service.numerics.catalog.normalizing import _rows
from service.numerics.compiled import vmath, vmath32
from tests.numerics.compiled.llvm import calls_the_math_library, loop_of, vectorised

mpmath.mp.dps = 40
U = 2.0**-24
LEAST = 2.0**-149


def _points() -> np.ndarray:
    rng = np.random.default_rng(32)
    magnitudes = 10.0 ** rng.uniform(-45, 38.5, 1500)
    edges = [k * np.log(2) / 2 for k in range(-9, 10, 2)] + [-87.3, -103.28, -103.97, -104.0]
    points = np.concatenate(
        [
            magnitudes,
            -magnitudes,
            rng.uniform(-30, 30, 1500),
            rng.uniform(-125, -80, 1000),  # results among the subnormals, and the clamp
            edges,
            [0.0, -120.0, -120.5, 3.4e38, -3.4e38, LEAST, -LEAST],
        ]
    ).astype(np.float32)
    return points[np.isfinite(points)]


POINTS = _points()


@numba.njit(fastmath=vmath.FASTMATH, error_model="numpy")
def _exp_parts(x, lo):  # type: ignore[no-untyped-def]
    k = np.empty(x.size, np.float64)
    s = np.empty(x.size, np.float32)
    c = np.empty(x.size, np.float32)
    for i in range(x.size):
        k[i], s[i], c[i] = vmath32.exp_parts(x[i], lo[i])
    return k, s, c


def test_exp_parts_within_a_quarter_u() -> None:
    """2^k (s + c) against e^(x + lo), lo up to u |x| as an argument's low part can be
    (and 128 u at most)."""
    x = -np.abs(POINTS)
    scale = np.minimum(-x, 128.0) * np.random.default_rng(3).uniform(-U, U, x.size)
    lo = scale.astype(np.float32)
    k, s, c = _exp_parts(x, lo)
    worst = 0.0
    rows = zip(x.tolist(), lo.tolist(), k.tolist(), s.tolist(), c.tolist(), strict=True)
    for xi, li, ki, si, ci in rows:
        truth = mpmath.exp(mpmath.mpf(max(xi, -120.0)) + mpmath.mpf(li))
        parts = (mpmath.mpf(si) + mpmath.mpf(ci)) * mpmath.mpf(2) ** int(ki)
        worst = max(worst, float(abs(parts / truth - 1)) / U)
        assert 0.65 <= si <= 1.35 and abs(ci) <= 0.07, (xi, si, ci)
    assert worst <= 0.25, f"{worst:.3f} u"


_exp, _tanh, _sin, _atan = (
    loop_of(f) for f in (vmath32.exp, vmath32.tanh, vmath32.sin, vmath32.atan)
)


@pytest.mark.parametrize("name", ["exp", "tanh", "sin", "atan"])
def test_loops_take_512_bit_vectors_where_the_cpu_has_them(name: str) -> None:
    """Each function marks the loop it is inlined into for 512-bit vectors, which LLVM would
    otherwise decline on a CPU with AVX-512: 16 float32 lanes there, 8 on an AVX2 one
    (exp_parts too, whose loop above writes three arrays and is not vectorised)."""
    loop = {"exp": _exp, "tanh": _tanh, "sin": _sin, "atan": _atan}[name]
    x = np.ones(64, np.float32)
    loop(x, np.empty_like(x))
    ir = "".join(loop.inspect_llvm().values())
    assert '"prefer-vector-width"="512"' in ir
    if llvmlite.binding.get_host_cpu_features().get("avx512f"):
        assert "<16 x float>" in ir


@pytest.mark.parametrize("name", ["exponentials", "exponentials_for_float32"])
def test_row_exponentials_take_512_bit_vectors_where_the_cpu_has_them(name: str) -> None:
    """The softmax family's rows ask for them too, in float64: 8 lanes where the CPU has
    AVX-512 (its float32 value and gradient a tenth to a quarter faster, the same bits)."""
    exponentials = getattr(_rows, name)

    @numba.njit
    def row(x: Any, e: Any) -> float:
        top: float = exponentials(x, 1.0, e)
        return top

    x = np.linspace(-3.0, 3.0, 64)
    row(x, np.empty_like(x))
    ir = "".join(row.inspect_llvm().values())
    assert '"prefer-vector-width"="512"' in ir
    if llvmlite.binding.get_host_cpu_features().get("avx512f"):
        assert "<8 x double>" in ir


def test_exp_within_its_bound_over_the_whole_range() -> None:
    """Within the docstring's 1.4 ULP (0.95 measured at every float32 from -104.5 to 89), so
    within an ULP of the float64 exponential rounded; 0 and inf where float32's range ends."""
    x = np.concatenate([POINTS, [88.72283, 88.72284, -103.972, -103.973, 89.5]]).astype(np.float32)
    got = np.empty_like(x)
    with np.errstate(over="ignore"):
        _exp(x, got)
        rounded = np.exp(x.astype(np.float64)).astype(np.float32)
    finite = np.isfinite(rounded)
    assert np.array_equal(got[~finite], rounded[~finite])
    exact = [mpmath.exp(mpmath.mpf(v)) for v in x[finite].tolist()]
    assert np.max(_rounding_errors(got[finite], exact)) <= 1.4
    assert vectorised(_exp) and not calls_the_math_library(_exp)


def test_tanh_within_its_bound_over_the_whole_range() -> None:
    """Within the docstring's 1.65 ULP (1.03 measured at every float32), densely about its
    split at 0.875; odd, -0 kept, and 1 from 9.011 on."""
    rng = np.random.default_rng(7)
    x = np.concatenate(
        [POINTS, rng.uniform(0.86, 0.89, 2000), rng.uniform(0, 10, 2000), [0.875, 9.0, 9.02]]
    ).astype(np.float32)
    x, got = _assert_odd_within(_tanh, mpmath.tanh, x, 1.65)
    assert np.all(got[np.abs(x) >= 9.02] == np.sign(x[np.abs(x) >= 9.02]))


def test_sin_within_the_contract_up_to_its_limit() -> None:
    """Within 0.6 of 2 max(1, kappa) ULP (0.59 measured at every float32 up to 2^19), densely
    near multiples of pi/2, where kappa is large or small; NaN past the limit, -0 kept."""
    rng = np.random.default_rng(8)
    multiples = rng.integers(-300_000, 300_000, 2000) * (np.pi / 2)
    x = np.concatenate(
        [
            POINTS[np.abs(POINTS) <= 2.0**19],
            rng.uniform(-20, 20, 3000),
            multiples + rng.uniform(-1e-3, 1e-3, 2000),
            multiples + np.pi / 4,
            [0.0, -0.0, 2.0**19, -(2.0**19)],
        ]
    ).astype(np.float32)
    got = np.empty_like(x)
    _sin(x, got)
    errors, budgets = [], []
    for v, y in zip(x.tolist(), got.tolist(), strict=True):
        exact = mpmath.sin(mpmath.mpf(v))
        ulp = max(float(np.spacing(np.float32(abs(float(exact))))), LEAST)
        kappa = float(abs(mpmath.mpf(v) * mpmath.cos(mpmath.mpf(v)) / exact)) if v else 1.0
        errors.append(float(abs(mpmath.mpf(y) - exact)) / ulp)
        budgets.append(2 * max(1.0, kappa))
    assert np.max(np.array(errors) / np.array(budgets)) <= 0.6
    assert np.array_equal(np.signbit(got[x == 0]), np.signbit(x[x == 0]))
    beyond = np.array([2.0**19 * 1.0000001, 1e30, -1e30], np.float32)
    nan = np.empty_like(beyond)
    _sin(beyond, nan)
    assert np.all(np.isnan(nan))
    assert vectorised(_sin) and not calls_the_math_library(_sin)


def test_atan_within_its_bound_over_the_whole_range() -> None:
    """Within the docstring's 1.25 ULP (0.77 measured at every float32), densely about the
    reduction's edges tan(pi/8) and tan(3pi/8) and where a - 1 is inexact; odd, -0 kept."""
    rng = np.random.default_rng(9)
    edges = [np.tan(np.pi / 8), np.tan(3 * np.pi / 8), 0.5, 1.0, 2.0]
    x = np.concatenate(
        [
            POINTS,
            rng.uniform(0.41, 0.5, 2000),
            *(edge + rng.uniform(-1e-3, 1e-3, 300) for edge in edges),
            edges,
            [3.4028235e38],
        ]
    ).astype(np.float32)
    _assert_odd_within(_atan, mpmath.atan, x, 1.25)


@numba.njit(fastmath=vmath.FASTMATH, error_model="numpy")
def _times(a, x, out):  # type: ignore[no-untyped-def]
    hi, lo = vmath32.split(a)
    for i in range(x.size):
        out[i] = vmath32.times(hi, lo, x[i])


@numba.njit(fastmath=vmath.FASTMATH, error_model="numpy")
def _ramp(shift, c, x, out):  # type: ignore[no-untyped-def]
    hi, lo = vmath32.split(c)
    for i in range(x.size):
        out[i] = vmath32.ramp(x[i], np.float32(shift), hi, lo)


@numba.njit(error_model="numpy")
def _below(t):  # type: ignore[no-untyped-def]
    return vmath32.below(t)


def _assert_odd_within(
    loop: Any, exact: Any, x: np.ndarray, ulps: float
) -> tuple[np.ndarray, np.ndarray]:
    """An odd function's loop over x and -x within ``ulps`` of mpmath's, signs kept (-0
    included), vectorised and calling no math library; (the points, the results)."""
    x = np.concatenate([x, -x])
    got = np.empty_like(x)
    loop(x, got)
    assert np.max(_rounding_errors(got, [exact(mpmath.mpf(v)) for v in x.tolist()])) <= ulps
    assert np.array_equal(np.signbit(got), np.signbit(x))
    assert vectorised(loop) and not calls_the_math_library(loop)
    return x, got


def _rounding_errors(got: np.ndarray, exact: list[mpmath.mpf]) -> np.ndarray:
    """|got - exact| in float32 ULP of the exact value (at least the least subnormal)."""
    errors = []
    for y, truth in zip(got.tolist(), exact, strict=True):
        ulp = max(float(np.spacing(np.float32(abs(float(truth))))), LEAST)
        errors.append(float(abs(mpmath.mpf(y) - truth)) / ulp)
    return np.array(errors)


@pytest.mark.parametrize("a", [0.01, 0.25, 1 / 3, -0.7, 1e-7, 1e6, -1e6])
def test_times_rounds_the_product_once(a: float) -> None:
    finite = POINTS[np.abs(a * POINTS.astype(np.float64)) < float(np.finfo(np.float32).max)]
    got = np.empty_like(finite)
    _times(a, finite, got)
    exact = [mpmath.mpf(a) * mpmath.mpf(x) for x in finite.tolist()]
    errors = _rounding_errors(got, exact)
    # Below 2^-100 m lo rounds to the subnormals' grid (the docstring's bound).
    normal = np.abs(np.array([float(t) for t in exact])) >= 2.0**-100
    assert np.max(errors[normal]) <= 0.5 + 2.0**-21
    assert np.max(errors, initial=0.0) <= 1.0
    nonzero = finite != 0
    assert np.array_equal(np.signbit(got[nonzero]), np.signbit(a * finite[nonzero]))


@pytest.mark.parametrize(("shift", "width"), [(3.0, 6.0), (2.5, 5.0), (0.75, 0.7)])
def test_ramp_rounds_once(shift: float, width: float) -> None:
    rng = np.random.default_rng(6)
    x = np.concatenate(
        [
            rng.uniform(-2 * shift, 2 * shift, 3000),
            -shift + rng.uniform(-1e-5, 1e-5, 1000),  # where x + shift cancels
            rng.uniform(-1e-3, 1e-3, 500),
            POINTS,
            [-shift, shift, 0.0, -0.0],
        ]
    ).astype(np.float32)
    got = np.empty_like(x)
    _ramp(shift, 1.0 / width, x, got)
    clamped = np.clip(x.astype(np.float64), -shift, shift)
    exact = [(mpmath.mpf(v) + mpmath.mpf(shift)) / width for v in clamped.tolist()]
    assert np.max(_rounding_errors(got, exact)) <= 0.5 + 2.0**-21
    assert np.all(got[clamped == -shift] == 0) and not np.any(np.signbit(got))
    assert vectorised(_ramp) and not calls_the_math_library(_ramp)
    infinite = np.array([np.inf, -np.inf], np.float32)
    limits = np.empty_like(infinite)
    _ramp(shift, 1.0 / width, infinite, limits)
    assert limits.tolist() == [float(np.float32(2 * shift / width)), 0.0]


_THRESHOLDS = [0.0, 0.5, 0.1, 1 / 3, 1e-30, 2.0**-150, 1.5 * 2.0**-149, 3.5e38, 1e300]


@pytest.mark.parametrize("t", _THRESHOLDS + [-t for t in _THRESHOLDS if t] + [-(2.0**-151)])
def test_below_is_the_largest_float32_at_most_t(t: float) -> None:
    bound = _below(t)
    assert isinstance(bound, np.float32 | float)
    assert float(bound) <= t
    with np.errstate(over="ignore"):  # past float32's largest, the next is inf
        assert float(np.nextafter(np.float32(bound), np.float32(np.inf))) > t
