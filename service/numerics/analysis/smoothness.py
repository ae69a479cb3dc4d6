"""Where a function or its first two derivatives jump: the detector behind continuity classes.

A jump in g (f or f') between two grid points stays the same size however finely the
interval is cut, while a continuous change shrinks with it. Candidates are the grid
intervals whose change the neighbouring slopes cannot explain. Each is cut in two down to
two adjacent floats, keeping the half that the straight line from the other side does not
explain; what is left between them is the jump, or nothing. A jump in f'' (a kink of f') is
found as a jump of f'' itself when the entry has f''; without it, it is located the same way on
f' and confirmed by one-sided difference quotients: at a kink their gap keeps its size as the
step shrinks, where f' is smooth it shrinks with the step (jumps of f'' below about 1e-5 of the
size of f' then go unseen). Where one ULP spans many periods of f (sin near 1e300), adjacent
floats' values are unrelated: a jump counts only when the function stays put on either side.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from service.numerics.types import Array

__all__ = ["Discontinuity", "boundary", "detected_class", "discontinuities", "rounder", "simplest"]

Function = Callable[[Array], Array]
Ranks = npt.NDArray[np.int64]

_EPS: Final = float(np.finfo(np.float64).eps)
_TINY: Final = 1e-300
_MOST_CANDIDATES: Final = 2000
# Adjacent floats are adjacent ranks, so 64 halvings of a rank interval reach them from anywhere.
_HALVINGS: Final = 64
_INT_MIN: Final = np.int64(np.iinfo(np.int64).min)


@dataclass(frozen=True, slots=True)
class Discontinuity:
    """f^(order) jumps at x by ``jump`` (its right limit minus its left limit)."""

    x: float
    order: int
    jump: float


def discontinuities(
    f: Function, df: Function, x: Array, d2f: Function | None = None
) -> tuple[Discontinuity, ...]:
    """The jumps of f, f' and f'' between the sorted grid points ``x``, each reported once.

    A jump of f'' where f or f' already jumps is left out: the lower order says more.
    """
    found: list[Discontinuity] = []
    for order, g in ((0, f), (1, df)):
        found += _jumps(g, x, order)
    lower = np.array([d.x for d in found])
    for kink in _kinks(df, x) if d2f is None else _jumps(d2f, x, 2):
        if not np.any(np.abs(lower - kink.x) <= 1e-9 * max(1.0, abs(kink.x))):
            found.append(kink)
    return tuple(sorted(found, key=lambda d: (d.x, d.order)))


def detected_class(found: tuple[Discontinuity, ...]) -> int:
    """The largest k with f in C^k as far as the detector sees: -1, 0, 1, or 2 for "C^2 or smoother"."""
    return min((d.order - 1 for d in found), default=2)


def boundary(
    pred: Callable[[Array], npt.NDArray[np.bool_]], a: Array, b: Array
) -> tuple[Array, Array]:
    """Adjacent floats lo < hi between a < b (elementwise) where ``pred`` changes its answer."""
    ra, rb = _rank(a), _rank(b)
    pa = pred(a)
    for _ in range(_HALVINGS):
        rm = _middle(ra, rb)
        same = pred(_unrank(rm)) == pa
        ra, rb = np.where(same, rm, ra), np.where(same, rb, rm)
    return _unrank(ra), _unrank(rb)


def rounder(a: Array, b: Array) -> Array:
    """Of two adjacent floats, the one a reader would write: the fewer significant digits (0
    rather than 5e-324, -0.3 rather than -0.29999999999999993, 20 rather than 20 + 1 ULP), then
    the shorter mantissa."""
    digits_a, digits_b = _digits(a), _digits(b)
    shorter_mantissa = _trailing_zeros(_rank(a)) >= _trailing_zeros(_rank(b))
    return np.where((digits_a < digits_b) | ((digits_a == digits_b) & shorter_mantissa), a, b)


def simplest(x: float, *, within: float = 1e-12) -> float:
    """The float with the fewest significant digits within ``within`` (relative) of x: 0 for
    -4.5e-17, 20 for 20.000000000000007.

    Edges found where a rounded function changes (e^x rounds to 1 for |x| < 5.5e-17) and kinks
    located by slopes are known to about that much; the short number is the one meant.
    """
    if not math.isfinite(x):
        return x
    reach = within * max(1.0, abs(x))
    if abs(x) <= reach:
        return 0.0
    for digits in range(1, 18):
        candidate = float(f"{x:.{digits - 1}e}")
        if abs(candidate - x) <= reach:
            return candidate
    return x


def _candidates(x: Array, y: Array) -> tuple[npt.NDArray[np.intp], Array, Array]:
    """Windows of three grid intervals holding a change the slopes outside cannot explain.

    An interval's residual is its change minus what its neighbours' mean slope predicts. A
    jump inflates the residual of its interval and of the two beside it, never of those three
    further away, so a local peak of the residual four times above those marks a window that
    holds it. Returns the window's first interval and the slopes just outside it.
    """
    h, d = np.diff(x), np.diff(y)
    with np.errstate(invalid="ignore", over="ignore"):
        s = d / h
        residual = np.abs(d[1:-1] - h[1:-1] * (s[:-2] + s[2:]) / 2)
        floor = 16 * _EPS * np.maximum(np.abs(y[1:-2]), np.abs(y[2:-1])) + _TINY
        padded = np.concatenate(([0.0] * 3, residual, [0.0] * 3))
        near = np.maximum(padded[2:-4], padded[4:-2])
        far = np.maximum(padded[:-6], padded[6:])
        peak = (residual > floor) & (residual >= near) & (residual > 4 * far)
    (index,) = np.nonzero(peak & np.isfinite(residual))
    index = index[(index >= 2) & (index + 4 < s.size)]
    if index.size > _MOST_CANDIDATES:
        index = np.sort(index[np.argsort(residual[index])[-_MOST_CANDIDATES:]])
    # residual[k] belongs to interval k + 1; its window is intervals k .. k + 2.
    return index, s[index - 1], s[index + 3]


def _locate(g: Function, a: Array, b: Array, left: Array, right: Array) -> tuple[Array, Array]:
    """Cut [a, b] down to adjacent floats around the break of g's slope or value.

    g(m) on the line from a with the left slope means the break lies right of m, and so on.
    """
    ra, rb = _rank(a), _rank(b)
    ga, gb = g(a), g(b)
    for _ in range(_HALVINGS):
        rm = _middle(ra, rb)
        m = _unrank(rm)
        gm = g(m)
        from_left = np.abs(gm - (ga + left * (m - _unrank(ra))))
        from_right = np.abs(gm - (gb - right * (_unrank(rb) - m)))
        go_right = from_left <= from_right
        ra, ga = np.where(go_right, rm, ra), np.where(go_right, gm, ga)
        rb, gb = np.where(go_right, rb, rm), np.where(go_right, gb, gm)
    return _unrank(ra), _unrank(rb)


def _jumps(g: Function, x: Array, order: int) -> list[Discontinuity]:
    y = g(x)
    index, left, right = _candidates(x, y)
    if index.size == 0:
        return []
    near, far = _locate(g, x[index], x[index + 3], left, right)
    # One float further on each side: a value set between the sides (softsign''(0) = 0 between
    # 2 and -2) belongs to neither, and the jump is the whole step across it.
    a, b = _unrank(_rank(near) - 1), _unrank(_rank(far) + 1)
    ga, gb = g(a), g(b)
    slope = np.maximum(np.abs(left), np.abs(right))
    tolerance = 16 * _EPS * np.maximum(np.abs(ga), np.abs(gb)) + 4 * (b - a) * slope + _TINY
    jump = gb - ga
    real = (np.abs(jump) > tolerance) & _steady_sides(g, a, b, np.abs(jump) / 4)
    at = rounder(near, far)
    return _distinct(
        Discontinuity(float(xi), order, float(j))
        for xi, j in zip(at[real], jump[real], strict=True)
    )


def _kinks(dg: Function, x: Array) -> list[Discontinuity]:
    y = dg(x)
    index, left, right = _candidates(x, y)
    if index.size == 0:
        return []
    a, b = _locate(dg, x[index], x[index + 3], left, right)
    c = np.array([simplest(float(t)) for t in rounder(a, b)])
    step = 1e-6 * np.maximum(1.0, np.abs(c))
    below_wide, above_wide = _one_sided_slopes(dg, c, step)
    below_middle, above_middle = _one_sided_slopes(dg, c, step / 8)
    below, above = _one_sided_slopes(dg, c, step / 64)
    gap, wide = above - below, above_wide - below_wide
    size = np.maximum(np.abs(below), np.abs(above))
    noise = 64 * _EPS * np.maximum(np.abs(dg(c)), 1e-300) / (step / 64)
    # Where f' is smooth both slopes settle and their gap shrinks eightfold at each step; at
    # a kink they settle to different values.
    settled = (np.abs(below - below_middle) <= 0.1 * size + noise) & (
        np.abs(above - above_middle) <= 0.1 * size + noise
    )
    real = settled & (np.abs(gap) > 0.5 * np.abs(wide)) & (np.abs(gap) > 16 * noise)
    return _distinct(
        Discontinuity(float(xi), 2, float(j)) for xi, j in zip(c[real], gap[real], strict=True)
    )


def _steady_sides(g: Function, a: Array, b: Array, within: Array) -> npt.NDArray[np.bool_]:
    """Whether g stays within ``within`` of g(a) just left of a, and of g(b) just right of b.

    A jump has continuous sides; where one ULP spans many periods (sin near 1e300) the
    values of adjacent floats are unrelated, and their differences are no jumps.
    """
    ra, rb = _rank(a), _rank(b)
    ga, gb = g(a), g(b)
    steady = np.ones(a.shape, dtype=bool)
    for ulps in (1, 2, 4, 8, 16):
        steady &= np.abs(g(_unrank(ra - ulps)) - ga) <= within
        steady &= np.abs(g(_unrank(rb + ulps)) - gb) <= within
    return steady


def _one_sided_slopes(dg: Function, c: Array, step: Array) -> tuple[Array, Array]:
    """(dg(c) - dg(c - h)) / h and (dg(c + h) - dg(c)) / h."""
    below, at, above = dg(c - step), dg(c), dg(c + step)
    return (at - below) / step, (above - at) / step


def _distinct(found: Any) -> list[Discontinuity]:
    kept: list[Discontinuity] = []
    for d in sorted(found, key=lambda d: d.x):
        if not kept or abs(d.x - kept[-1].x) > 1e-9 * max(1.0, abs(d.x)):
            kept.append(d)
    return kept


def _rank(x: Array) -> Ranks:
    """Floats as int64 in the same order: -0.0 and 0.0 both rank 0, neighbours differ by 1."""
    bits = np.asarray(x, dtype=np.float64).view(np.int64)
    return np.where(bits < 0, _INT_MIN - bits, bits)


def _unrank(rank: Ranks) -> Array:
    bits = np.where(rank < 0, _INT_MIN - rank, rank)
    return bits.view(np.float64)


def _middle(a: Ranks, b: Ranks) -> Ranks:
    # (a + b) // 2 would overflow for ranks of opposite sign and large magnitude.
    middle: Ranks = a // 2 + b // 2 + ((a & 1) + (b & 1)) // 2
    return middle


def _digits(x: Array) -> npt.NDArray[np.int64]:
    """Significant digits of the shortest decimal that reads back as each float (0 for 0)."""
    mantissas = (repr(float(v)).split("e")[0].replace("-", "").replace(".", "") for v in x.flat)
    return np.array([len(m.strip("0")) for m in mantissas], dtype=np.int64).reshape(x.shape)


def _trailing_zeros(rank: Ranks) -> npt.NDArray[np.int64]:
    magnitude = np.abs(rank)
    lowest = magnitude & -magnitude
    return np.where(magnitude == 0, 64, np.log2(np.maximum(lowest, 1)).astype(np.int64))
