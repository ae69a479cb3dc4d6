"""Print the polynomial coefficients of service/numerics/float32/vmath.py, fitted at 50 digits.

Run by hand (needs mpmath, a dev dependency): `.venv/bin/python scripts/fit_polynomials.py`.
Each fit is a Chebyshev interpolation (mpmath.chebyfit, near-minimax) of the part of a
function left after its leading terms, so that its error weighs little in the sum: e.g.
expm1(r) = r + r^2 (1/2 + r q(r)). The printed relative error is the fit's alone, before the
weight; tests/numerics/test_vmath.py measures the functions as vmath computes them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath as mp

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
    half_ln2 = mp.log(2) / 2
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
    _fit(
        "_ATAN",
        _at_zero(-mp.mpf(1) / 3, lambda z: (mp.atan(mp.sqrt(z)) - mp.sqrt(z)) / z**1.5),
        mp.mpf(0),
        mp.tan(mp.pi / 8) ** 2,
        8,
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


if __name__ == "__main__":
    main()
