"""How accurate a formula's f and f' are, measured against the same formula in mpmath.

The grid is the catalog's accuracy grid, thinner: fixed points (0, 1e-300, ..., 1e300), the
exp-like tails near 20 to 40 and 700 to 750, and random magnitudes over the whole float
range, each with both signs. At each point the truth is the formula in mpmath, taken at 24
significant digits and again at twice as many until two evaluations agree to 1e-20 (a
cancellation such as 1 + erf(-30) needs hundreds of digits; past 480 the point is left
out, as it is where both lie beyond the float range on the same side). An output's error is
in units in the last place (ULP) of the true value, and it passes when within 4 max(1, kappa) ULP, kappa the condition number |x f'/f| (|x f''/f'| for f'):
no algorithm beats the rounding of its input by more, and the catalog's entries are held to
the same bound. Where the truth is finite and the float64 result is not, the formula
overflows there; where it is farther than the bound, it cancels or rounds badly there.
Consecutive failing points of one kind are reported as one region. f'' is evaluated only
where an error of f' exceeds 4 ULP, for its condition number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

import mpmath
import numpy as np

from service.numerics.deadline import Deadline
from service.numerics.formula.derivative import derivative
from service.numerics.formula.formula import Formula
from service.numerics.formula.numeric import compile_numpy
from service.numerics.formula.precise import compile_mpmath
from service.numerics.types import Array, ParamValue

__all__ = ["BOUND", "AccuracyReport", "OutputAccuracy", "Region", "accuracy", "grid"]

BOUND: Final = 4
_DIGITS: Final = 24
_MOST_DIGITS: Final = 480
_TINY: Final = mpmath.mpf("1e-330")
_HUGE: Final = mpmath.mpf("1e310")
_AGREE: Final = mpmath.mpf("1e-20")
_FIXED: Final = [0.0, 1e-300, 1e-8, 0.5, 1.0, 2.0, 5.0, 20.0, 40.0, 700.0, 1e4, 1e300]
_MAX: Final = float(np.finfo(np.float64).max)

Failure = Literal["non-finite", "inaccurate"]


@dataclass(frozen=True, slots=True)
class Region:
    """From ``low`` to ``high``, ``points`` grid points fail the same way: ``non-finite`` (the
    result is inf or NaN where the truth is finite) or ``inaccurate`` (beyond the bound)."""

    low: float
    high: float
    failure: Failure
    points: int


@dataclass(frozen=True, slots=True)
class OutputAccuracy:
    """The worst error over the grid, in ULP and in ULP/max(1, kappa) (what the bound is on),
    where it is, kappa there, and the regions that fail."""

    worst_ulp: float
    worst_ratio: float
    worst_at: float | None
    condition: float
    regions: tuple[Region, ...]
    failing_points: int

    @property
    def within_bound(self) -> bool:
        return self.failing_points == 0


@dataclass(frozen=True, slots=True)
class AccuracyReport:
    """f and f' as served, and as written where stable forms were substituted."""

    value: OutputAccuracy
    gradient: OutputAccuracy
    written_value: OutputAccuracy | None
    written_gradient: OutputAccuracy | None
    points: int
    undefined_points: int


def grid(points: int = 400, seed: int = 20261206) -> Array:
    """The accuracy grid: fixed points, exp-like tails, random magnitudes; both signs."""
    rng = np.random.default_rng(seed)
    tails = np.concatenate([np.linspace(700, 750, 26), np.linspace(18, 40, 23)])
    magnitudes = 10.0 ** rng.uniform(-310, 308, points // 2)
    moderate = rng.uniform(-50, 50, points // 2)
    x = np.concatenate([_FIXED, tails, magnitudes, moderate])
    return np.unique(np.concatenate([x, -x]))


def accuracy(
    formula: Formula,
    params: Mapping[str, ParamValue],
    *,
    x: Array | None = None,
    deadline: Deadline | None = None,
) -> AccuracyReport:
    """Measure ``formula``'s f and f' for resolved ``params`` on the grid (or on ``x``)."""
    deadline = deadline or Deadline.none()
    x = grid() if x is None else x
    truth = [compile_mpmath(node) for node in (formula.served, formula.first, formula.second)]
    exact = _Truth(truth, x, params, deadline)
    served = formula.activation
    assert served.derivative is not None
    value = served.forward(x, **params)
    slope = served.derivative(x, **params)
    written_value = written_gradient = None
    if formula.rewrites:
        written_value = _score(x, compile_numpy(formula.written)(x, **params), exact, 0)
        written_slope = compile_numpy(derivative(formula.written))(x, **params)
        written_gradient = _score(x, written_slope, exact, 1)
    undefined = sum(1 for i in range(x.size) if mpmath.isnan(exact.at(i, 0)))
    return AccuracyReport(
        value=_score(x, value, exact, 0),
        gradient=_score(x, slope, exact, 1),
        written_value=written_value,
        written_gradient=written_gradient,
        points=int(x.size),
        undefined_points=undefined,
    )


def _settled(f: Callable[..., Any], x: Any, params: Mapping[str, ParamValue]) -> Any:
    """f(x) to about 25 digits, raising the precision until two evaluations agree."""
    digits = _DIGITS
    with mpmath.workdps(digits):
        before = f(x, **params)
    while digits < _MOST_DIGITS:
        digits *= 2
        with mpmath.workdps(digits):
            after = f(x, **params)
        if mpmath.isnan(before) and mpmath.isnan(after):
            return mpmath.nan
        if _agree(before, after):
            return after
        before = after
    return mpmath.nan


def _agree(before: Any, after: Any) -> bool:
    """Whether two evaluations agree as far as a float64 can tell: to 1e-20, or both beyond the
    float range on the same side (both round to 0, or to the same infinity)."""
    if before == after or abs(after - before) <= _AGREE * abs(after):
        return True
    both_tiny = abs(before) < _TINY and abs(after) < _TINY
    both_huge = abs(before) > _HUGE and abs(after) > _HUGE and (before > 0) == (after > 0)
    return bool(both_tiny or both_huge)


class _Truth:
    """f, f' and f'' in mpmath at the grid's points, each computed once and only when asked:
    f'' is wanted only for the condition number of an f' that is off by more than the bound."""

    def __init__(
        self,
        functions: list[Callable[..., Any]],
        x: Array,
        params: Mapping[str, ParamValue],
        deadline: Deadline,
    ) -> None:
        self.functions, self.x, self.params, self.deadline = functions, x.tolist(), params, deadline
        self.known: dict[tuple[int, int], Any] = {}

    def at(self, i: int, order: int) -> Any:
        key = (i, order)
        if key not in self.known:
            if len(self.known) % 64 == 0:
                self.deadline.check()
            self.known[key] = _settled(self.functions[order], mpmath.mpf(self.x[i]), self.params)
        return self.known[key]


def _score(x: Array, computed: Array, exact: _Truth, order: int) -> OutputAccuracy:
    worst_ulp, worst_ratio, worst_at, condition = 0.0, 0.0, None, 0.0
    failures: list[tuple[float, Failure]] = []
    for i, (xi, got) in enumerate(zip(x.tolist(), computed.tolist(), strict=True)):
        want = exact.at(i, order)
        if mpmath.isnan(want):
            continue
        failure: Failure | None = None
        err, kappa = 0.0, 0.0
        if abs(want) > _MAX:
            if not (abs(got) >= _MAX and (got > 0) == (want > 0)):
                failure, err = "inaccurate", float("inf")
        elif not np.isfinite(got):
            failure, err = "non-finite", float("inf")
        elif want == 0:
            if got != 0:
                failure, err = "inaccurate", float("inf")
        else:
            rounded = float(want)
            err = float(abs(mpmath.mpf(got) - want) / mpmath.mpf(float(np.spacing(abs(rounded)))))
            if err > BOUND:
                slope = exact.at(i, order + 1)
                kappa = 0.0 if mpmath.isnan(slope) else float(abs(mpmath.mpf(xi) * slope / want))
            if err > BOUND * max(1.0, kappa):
                failure = "inaccurate"
        ratio = err / max(1.0, kappa)
        if ratio > worst_ratio or worst_at is None:
            worst_ulp, worst_ratio, worst_at, condition = err, ratio, xi, kappa
        if failure is not None:
            failures.append((xi, failure))
    return OutputAccuracy(
        worst_ulp=worst_ulp,
        worst_ratio=worst_ratio,
        worst_at=worst_at,
        condition=condition,
        regions=_regions(x, failures),
        failing_points=len(failures),
    )


def _regions(x: Array, failures: list[tuple[float, Failure]]) -> tuple[Region, ...]:
    """Runs of grid points that fail the same way, with no passing point between them."""
    position = {xi: i for i, xi in enumerate(x.tolist())}
    regions: list[Region] = []
    last = -2
    for xi, failure in failures:
        i = position[xi]
        if regions and i == last + 1 and regions[-1].failure == failure:
            previous = regions[-1]
            regions[-1] = Region(previous.low, xi, failure, previous.points + 1)
        else:
            regions.append(Region(xi, xi, failure, 1))
        last = i
    return tuple(regions)
