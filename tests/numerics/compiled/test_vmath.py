"""vmath's elementary functions against mpmath, over the domains the float32 kernels use.

Each must be good to 1e-13 relative: a million times finer than float32's 6e-8, so that a
kernel built on a few of them still rounds to within an ULP of the exact float32 value.
Each is also checked to vectorise: its loop must not call out of the compiled code.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import mpmath
import numba
import numpy as np
import pytest

from service.numerics.compiled import vmath
from tests.numerics.compiled.llvm import calls_the_math_library, loop_of, vectorised

_BOUND = 1e-13
mpmath.mp.dps = 40


def _spread(low: float, high: float) -> np.ndarray:
    """Points over [low, high]: uniform, plus magnitudes spread evenly in their logarithm."""
    rng = np.random.default_rng(11)
    uniform = rng.uniform(low, high, 2000)
    tiny = 10.0 ** rng.uniform(-300, np.log10(max(abs(low), abs(high))), 2000)
    magnitudes = np.concatenate([tiny, -tiny])
    inside = magnitudes[(magnitudes >= low) & (magnitudes <= high)]
    return np.concatenate([uniform, inside, [low, high]])


Case = tuple[Any, Callable[[Any], Any], np.ndarray]
CASES: dict[str, Case] = {
    "exp": (vmath.exp, mpmath.exp, _spread(-708, 709)),
    "expm1": (vmath.expm1, mpmath.expm1, _spread(-708, 709)),
    "log": (vmath.log, mpmath.log, np.abs(_spread(-1e300, 1e300)) + 1e-300),
    "log1p": (vmath.log1p, mpmath.log1p, _spread(-0.999999, 1e300)),
    "tanh": (vmath.tanh, mpmath.tanh, _spread(-400, 400)),
    "sigmoid": (vmath.sigmoid, lambda x: 1 / (1 + mpmath.exp(-x)), _spread(-708, 708)),
    "softplus": (vmath.softplus, lambda x: mpmath.log1p(mpmath.exp(x)), _spread(-708, 1e30)),
    "log1p_unit": (vmath.log1p_unit, mpmath.log1p, _spread(0, 1)),
    "sin": (vmath.sin, mpmath.sin, _spread(-vmath.SIN_LIMIT, vmath.SIN_LIMIT)),
    "cos": (vmath.cos, mpmath.cos, _spread(-vmath.SIN_LIMIT, vmath.SIN_LIMIT)),
    "normal_cdf": (vmath.normal_cdf, mpmath.ncdf, _spread(-vmath.NORMAL_TAIL, 40)),
    "normal_pdf": (vmath.normal_pdf, mpmath.npdf, _spread(-37, 37)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_mpmath(name: str) -> None:
    function, reference, x = CASES[name]
    out = np.empty_like(x)
    loop_of(function)(x, out)
    worst, at = 0.0, 0.0
    for xi, yi in zip(x.tolist(), out.tolist(), strict=True):
        exact = reference(mpmath.mpf(xi))
        error = float(abs(yi - exact) / abs(exact)) if exact != 0 else abs(yi)
        if error > worst:
            worst, at = error, xi
    assert worst <= _BOUND, f"{name}: relative error {worst:.3g} at x={at!r}"


def test_exp_saturates_instead_of_overflowing() -> None:
    x = np.array([-1e30, -708.0, 709.0, 1e30])
    out = np.empty_like(x)
    loop_of(vmath.exp)(x, out)
    assert out[0] == out[1] > 0
    assert out[3] == out[2] < np.inf


def test_exp_for_float32_within_its_bound() -> None:
    # 2.6e-9 relative by its docstring (not the others' 1e-13): densely over its reduced range,
    # where the fit's error lies, and over the whole clamp.
    rng = np.random.default_rng(12)
    x = np.concatenate([rng.uniform(-0.35, 0.35, 4000), _spread(-700, 700)])
    out = np.empty_like(x)
    apply = loop_of(vmath.exp_for_float32)
    apply(x, out)
    worst = max(
        float(abs(y - mpmath.exp(mpmath.mpf(v))) / mpmath.exp(mpmath.mpf(v)))
        for v, y in zip(x.tolist(), out.tolist(), strict=True)
    )
    assert worst <= 2.6e-9, f"relative error {worst:.3g}"
    assert vectorised(apply) and not calls_the_math_library(apply)


def test_exp_for_float32_saturates_and_keeps_nan() -> None:
    nan = np.float64(np.float32(np.nan))  # a float32 NaN widened, and one of arithmetic's
    x = np.array([-np.inf, -1e30, -700.0, nan, np.inf * 0.0, 700.0, 1e30, np.inf])
    out = np.empty_like(x)
    loop_of(vmath.exp_for_float32)(x, out)
    assert out[0] == out[1] == out[2] > 0
    assert np.isnan(out[3:5]).all()
    assert out[5] == out[6] == out[7] < np.inf


def test_sin_and_cos_decline_past_their_limit() -> None:
    x = np.array([vmath.SIN_LIMIT, np.nextafter(vmath.SIN_LIMIT, np.inf), 1e30])
    for function in (vmath.sin, vmath.cos):
        out = np.empty_like(x)
        loop_of(function)(x, out)
        assert np.isfinite(out[0])
        assert np.isnan(out[1:]).all()


@pytest.mark.parametrize("name", sorted(CASES))
def test_vectorises(name: str) -> None:
    apply = loop_of(CASES[name][0])
    x = np.ones(16)
    apply(x, np.empty_like(x))
    assert not calls_the_math_library(apply)
    assert vectorised(apply)


def test_the_check_sees_a_library_call() -> None:
    apply = loop_of(numba.njit(lambda x: math.exp(x)))
    x = np.ones(16)
    apply(x, np.empty_like(x))
    assert calls_the_math_library(apply)
