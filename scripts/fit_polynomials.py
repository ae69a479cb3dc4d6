"""Print the polynomial coefficients of service/numerics/compiled/vmath.py, fitted at 50 digits,
with --float64 those of compiled/vmath64 (fitted at 60 digits), with --gelu32 those of exact
gelu's float32 kernel (catalog/smooth/gelu.py: float32 coefficients, fitted by Lawson's
iteration to a weighted relative error), with --float32 those of vmath32's exp, tanh,
sin, cos and atan and tanhshrink's float32 kernel (float32 coefficients).

Run by hand (needs mpmath, a dev dependency): `.venv/bin/python scripts/fit_polynomials.py`.
Each fit is a Chebyshev interpolation (mpmath.chebyfit, near-minimax) of the part of a
function left after its leading terms, so that its error weighs little in the sum: e.g.
expm1(r) = r + r^2 (1/2 + r q(r)). The printed relative error is the fit's alone, before the
weight; tests/numerics/test_vmath.py measures the functions as vmath computes them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import mpmath as mp
import numpy as np

mp.mp.dps = 50

Mp = Any


def _fit(name: str, g: Callable[[Mp], Mp], low: Mp, high: Mp, degree: int) -> None:
    coefficients, _ = mp.chebyfit(g, [low, high], degree + 1, error=True)
    rounded = [mp.mpf(float(c)) for c in coefficients]
    grid = [low + (high - low) * i / 2000 for i in range(2001)]
    error = max(abs(mp.polyval(rounded, t) / g(t) - 1) for t in grid)
    print(f"# relative error of the fit {mp.nstr(error, 3)}")
    print(f"{name} = (" + ", ".join(repr(float(c)) for c in coefficients) + ")")


def _at_zero(limit: Mp, g: Callable[[Mp], Mp]) -> Callable[[Mp], Mp]:
    """g, with its limit at 0 (where the formula divides 0 by 0)."""
    return lambda t: limit if t == 0 else g(t)


def main() -> None:
    if "--float64" in sys.argv[1:]:
        float64_fits()
        return
    if "--gelu32" in sys.argv[1:]:
        gelu32_fits()
        return
    if "--float32" in sys.argv[1:]:
        float32_fits()
        return
    half_ln2 = mp.log(2) / 2
    # e^r itself for float32 results (exp_for_float32): degree 6 suffices for them, |r| up to
    # ln2/2 plus the rounding of k.
    _fit(
        "_EXP_FOR_FLOAT32",
        mp.exp,
        -half_ln2 * (1 + mp.mpf(10) ** -9),
        half_ln2 * (1 + mp.mpf(10) ** -9),
        6,
    )
    _fit(
        "_EXPM1",
        _at_zero(mp.mpf(1) / 6, lambda r: (mp.expm1(r) - r - r * r / 2) / r**3),
        -half_ln2,
        half_ln2,
        7,
    )
    # s = (m - 1)/(m + 1) for m in [sqrt(1/2), sqrt 2]
    s_max = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)
    _fit(
        "_LOG",
        _at_zero(mp.mpf(2) / 3, lambda z: (2 * mp.atanh(mp.sqrt(z)) - 2 * mp.sqrt(z)) / z**1.5),
        mp.mpf(0),
        s_max**2,
        5,
    )
    quarter_pi_squared = (mp.pi / 4) ** 2
    _fit(
        "_SIN",
        _at_zero(-mp.mpf(1) / 6, lambda z: (mp.sin(mp.sqrt(z)) - mp.sqrt(z)) / z**1.5),
        mp.mpf(0),
        quarter_pi_squared,
        5,
    )
    _fit(
        "_COS",
        _at_zero(mp.mpf(1) / 24, lambda z: (mp.cos(mp.sqrt(z)) - 1 + z / 2) / z**2),
        mp.mpf(0),
        quarter_pi_squared,
        5,
    )
    # erfc(z) = t Q(t) exp(-z^2) with t = 2/(2 + z), for 0 <= z <= 11 (Q is smooth in t, near
    # 1/(2 sqrt pi) as z grows; Numerical Recipes fits the logarithm of the same quotient).
    _fit(
        "_ERFC",
        lambda t: mp.erfc(2 / t - 2) * mp.exp((2 / t - 2) ** 2) / t,
        mp.mpf(2) / 13,
        mp.mpf(1),
        18,
    )


def _ncdf_scaled(y: Mp) -> Mp:
    """R(y) = Phi(-y) exp(y^2/2)."""
    return mp.ncdf(-y) * mp.exp(y * y / 2)


def float64_fits() -> None:
    """vmath64's polynomials: each the part left after the leading terms, weighted as above.

    The printed error is that of the fit with its coefficients rounded to float64, relative to
    the part fitted; the leading terms it is added to make it several times smaller in the
    result (each function's docstring says by how much).
    """
    mp.mp.dps = 60
    # exp: e^r = 1 + r + r^2 (1/2 + r Q(r)), |r| <= ln2/2 (plus the rounding of k).
    reach = mp.log(2) / 2 * (1 + mp.mpf(10) ** -9)
    _fit(
        "_EXP",
        _at_zero(mp.mpf(1) / 6, lambda r: (mp.expm1(r) - r - r * r / 2) / r**3),
        -reach,
        reach,
        9,
    )
    # log: log m = 2 atanh s = 2s + s z Q(z), s = (m - 1)/(m + 1), z = s^2, m in [sqrt(1/2), sqrt 2].
    s_max = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)
    _fit(
        "_LOG",
        _at_zero(mp.mpf(2) / 3, lambda z: (2 * mp.atanh(mp.sqrt(z)) - 2 * mp.sqrt(z)) / z**1.5),
        mp.mpf(0),
        s_max**2 * (1 + mp.mpf(10) ** -9),
        7,
    )
    # atan t = t + t z R(z), z = t^2 <= tan(pi/8)^2.
    _fit(
        "_ATAN",
        _at_zero(-mp.mpf(1) / 3, lambda z: (mp.atan(mp.sqrt(z)) - mp.sqrt(z)) / z**1.5),
        mp.mpf(0),
        mp.tan(mp.pi / 8) ** 2 * (1 + mp.mpf(10) ** -9),
        11,
    )
    # sin r = r + r z S(z), cos r = 1 - z/2 + z^2 C(z), z = r^2 <= (pi/4)^2 (plus a margin).
    quarter = (mp.pi / 4) ** 2 * (1 + mp.mpf(10) ** -9)
    _fit(
        "_SIN",
        _at_zero(-mp.mpf(1) / 6, lambda z: (mp.sin(mp.sqrt(z)) - mp.sqrt(z)) / z**1.5),
        mp.mpf(0),
        quarter,
        6,
    )
    _fit(
        "_COS",
        _at_zero(mp.mpf(1) / 24, lambda z: (mp.cos(mp.sqrt(z)) - 1 + z / 2) / z**2),
        mp.mpf(0),
        quarter,
        5,
    )
    # Phi(-y) = 1/2 - y (c0 + z P(z)), z = y^2 <= 3/4^2, c0 = 1/sqrt(2 pi) (kept as hi + lo).
    c0 = 1 / mp.sqrt(2 * mp.pi)
    print(f"_INV_SQRT_2PI = {float(c0)!r}, {float(c0 - mp.mpf(float(c0)))!r}")
    _fit(
        "_CENTRAL",
        _at_zero(-c0 / 6, lambda z: ((mp.mpf(1) / 2 - mp.ncdf(-mp.sqrt(z))) / mp.sqrt(z) - c0) / z),
        mp.mpf(0),
        mp.mpf(9) / 16,
        11,
    )
    # Phi(-y) = exp(-y^2/2) R(y): R in h = y - 3/2 for 3/4 <= y <= 9/4 (R(3/2) + h P(h), its
    # constant kept as hi + lo), in h = y - 25/8 for 9/4 <= y <= 4 (both differences exact),
    r_centre = _ncdf_scaled(mp.mpf(3) / 2)
    print(f"_NEAR_0 = {float(r_centre)!r}, {float(r_centre - mp.mpf(float(r_centre)))!r}")
    _fit(
        "_NEAR",
        _at_zero(
            mp.diff(_ncdf_scaled, mp.mpf(3) / 2),
            lambda h: (_ncdf_scaled(h + mp.mpf(3) / 2) - r_centre) / h,
        ),
        -mp.mpf(3) / 4,
        mp.mpf(3) / 4,
        16,
    )
    _fit("_MIDDLE", lambda h: _ncdf_scaled(h + mp.mpf(25) / 8), -mp.mpf(7) / 8, mp.mpf(7) / 8, 15)
    # and Phi(-y) = exp(-y^2/2) H(w) / y, H(w) = y R(y) in w = 1/y, for 4 <= y <= 40.
    _fit("_TAIL", lambda w: _ncdf_scaled(1 / w) / w, mp.mpf(1) / 40, mp.mpf(1) / 4, 19)


def float32_fits() -> None:
    """vmath32's one-word functions, in float32 coefficients, each error printed in u = 2^-24
    of its result once assembled: exp, e^r = 1 + r (1 + r Q(r)) for |r| <= ln2/2 (and k's
    rounding), Q of degree 4; tanh, tanh y = y + y z T(z), z = y^2, for y <= 0.875, T of
    degree 6; sin r = r + r z S(z) and cos r = 1 - z/2 + z^2 K(z) for |r| <= 1.03 pi/4; atan
    t = t + t z A(z) for |t| <= tan(pi/8), A of degree 4; and
    tanhshrink's float32 kernel (catalog/shrinkage/tanhshrink.py), y - tanh y = y^3 (1/3 +
    z R(z)) for y <= 1, R of degree 6."""
    u = mp.mpf(2) ** -24
    half_ln2 = mp.log(2) / 2 * (1 + mp.mpf(10) ** -6)
    exp_q = _float32_fit(
        _at_zero(mp.mpf(1) / 2, lambda r: (mp.expm1(r) - r) / r**2), -half_ln2, half_ln2, 4
    )
    grid = [half_ln2 * (i / 2000 - 1) for i in range(4001)]
    error = max(abs((1 + r * (1 + r * mp.polyval(exp_q, r))) / mp.exp(r) - 1) for r in grid)
    print(f"# relative error of e^r {mp.nstr(error / u, 3)} u")
    print("_EXP = (" + ", ".join(repr(float(c)) for c in exp_q) + ")")
    _odd_fit("_TANH", mp.tanh, -mp.mpf(1) / 3, mp.mpf(0.875), 6)
    reach = mp.pi / 4 * (1 + mp.mpf(3) / 100)  # |r| <= pi/4 + 0.022
    rs = [reach * i / 3000 for i in range(1, 3001)]
    _odd_fit("_SIN", mp.sin, -mp.mpf(1) / 6, reach, 3)
    cos_k = _float32_fit(
        _at_zero(mp.mpf(1) / 24, lambda z: (mp.cos(mp.sqrt(z)) - 1 + z / 2) / z**2),
        mp.mpf(0),
        reach**2,
        2,
    )
    error = max(abs((1 - r * r / 2 + r**4 * mp.polyval(cos_k, r * r)) / mp.cos(r) - 1) for r in rs)
    print(f"# relative error of cos {mp.nstr(error / u, 3)} u")
    print("_COS = (" + ", ".join(repr(float(c)) for c in cos_k) + ")")
    _odd_fit("_ATAN", mp.atan, -mp.mpf(1) / 3, mp.tan(mp.pi / 8) * (1 + mp.mpf(10) ** -5), 4)
    third = mp.mpf(1) / 3
    residual = _at_zero(third, lambda z: (mp.sqrt(z) - mp.tanh(mp.sqrt(z))) / z**1.5)
    tanhshrink_r = _float32_fit(
        _at_zero(-mp.mpf(2) / 15, lambda z: (residual(z) - third) / z), mp.mpf(0), mp.mpf(1), 6
    )
    ys = [mp.mpf(i) / 3000 for i in range(1, 3001)]
    error = max(
        abs(y**3 * (third + y * y * mp.polyval(tanhshrink_r, y * y)) / (y - mp.tanh(y)) - 1)
        for y in ys
    )
    print(f"# relative error of tanhshrink {mp.nstr(error / u, 3)} u")
    print("_SERIES32 = (" + ", ".join(repr(float(c)) for c in tanhshrink_r) + ")")


def _odd_fit(name: str, f: Callable[[Mp], Mp], cubic: Mp, reach: Mp, degree: int) -> None:
    """An odd f as f(y) = y + y^3 P(y^2) for |y| <= reach, f's cubic term P(0), P in float32
    coefficients: print P and the relative error of f so assembled, in u = 2^-24."""
    p = _float32_fit(
        _at_zero(cubic, lambda z: (f(mp.sqrt(z)) - mp.sqrt(z)) / z**1.5),
        mp.mpf(0),
        reach**2,
        degree,
    )
    ys = [reach * i / 3000 for i in range(1, 3001)]
    error = max(abs((y + y**3 * mp.polyval(p, y * y)) / f(y) - 1) for y in ys)
    print(f"# relative error of {name.strip('_').lower()} {mp.nstr(error / mp.mpf(2) ** -24, 3)} u")
    print(f"{name} = (" + ", ".join(repr(float(c)) for c in p) + ")")


def _float32_fit(g: Callable[[Mp], Mp], low: Mp, high: Mp, degree: int) -> list[Mp]:
    """A Chebyshev fit of g on [low, high], its coefficients rounded to float32."""
    coefficients = mp.chebyfit(g, [low, high], degree + 1)
    return [mp.mpf(float(np.float32(float(c)))) for c in coefficients]


def _lawson(columns: np.ndarray, target: np.ndarray, *, weight: np.ndarray) -> np.ndarray:
    """Coefficients c minimising max |columns c - target| weight (Lawson's iteration: least
    squares reweighted by each point's error until the largest errors level out)."""
    scale = np.abs(columns).max(axis=0)
    a, b = columns / scale * weight[:, None], target * weight
    lawson = np.full(len(target), 1 / len(target))
    for _ in range(400):
        root = np.sqrt(lawson)
        c = np.linalg.lstsq(a * root[:, None], b * root, rcond=None)[0]
        lawson = lawson * np.abs(a @ c - b)
        lawson /= lawson.sum()
    result: np.ndarray = c / scale
    return result


def gelu32_fits() -> None:
    """Exact gelu for float32 (gelu_at32): Phi(-y) = exp(-y^2/2) t Q(t) / 2, t = 2/(2 + y), with
    Q(t) = erfcx(y/sqrt 2) / t = 1 + (1 - t) V(t) for 0 <= y <= 16.

    V is fitted to Q's error weighted by 1/max(1, kappa(-y)), kappa = |x f'(x)/f(x)| (the
    contract's error budget grows with it where x < -1), one coefficient at a time from the
    highest: each rounded to float32 and the lower ones fitted again to make up for it. S(t)
    is Q(t) sigma(t) / 2, sigma = d ln(t Q)/d ln t, by least squares: the kernel's first-order
    correction for t's rounding.
    """
    mp.mp.dps = 30
    two = mp.mpf(2)

    def y_of(t: Mp) -> Mp:
        return two / t - two

    def ratio(t: Mp) -> Mp:
        z = y_of(t) / mp.sqrt(2)
        return mp.erfc(z) * mp.exp(z * z) / t

    def kappa(y: Mp) -> float:
        return float(abs(1 - y * mp.npdf(y) / mp.ncdf(-y)))

    low, size, degree = 2 / 18, 3000, 8
    ts = (low + 1) / 2 + (1 - low) / 2 * np.cos(np.pi * (np.arange(size) + 0.5) / size)
    q = np.array([float(ratio(mp.mpf(t))) for t in ts])
    weight = 1 / np.maximum(1, [kappa(y_of(mp.mpf(t))) for t in ts])
    columns = np.vander(ts, degree + 1) * (1 - ts)[:, None]
    fixed: list[float] = []
    for i in range(degree + 1):
        rest = q - 1 - columns[:, :i] @ np.array(fixed, dtype=np.float64)
        fixed.append(float(np.float32(_lawson(columns[:, i:], rest, weight=weight)[0])))
    error = np.abs(columns @ np.array(fixed) + 1 - q) / q
    print(f"# weighted relative error {(error * weight).max() / 2.0**-24:.3g} u (u = 2^-24)")
    print(f"_TAIL_RATIO = {tuple(fixed)!r}")
    grid = np.linspace(2 / 18, 1, 400)
    slope = []
    for t in grid:
        at = mp.mpf(t)
        sigma = mp.diff(lambda s: mp.log(mp.exp(s) * ratio(mp.exp(s))), mp.log(at))
        slope.append(float(ratio(at) * sigma / 2))
    line = np.polyfit(grid, slope, 1).astype(np.float32)
    miss = np.abs(np.polyval(line.astype(np.float64), grid) - slope).max() * 2
    print(f"# error of Q sigma, {miss:.3g}")
    print(f"_TAIL_SLOPE = {tuple(float(c) for c in line)!r}")


if __name__ == "__main__":
    main()
