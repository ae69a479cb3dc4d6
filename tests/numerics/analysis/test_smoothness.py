"""The discontinuity detector finds every jump of f, f' and f'' it should, and nothing else."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from service import numerics
from service.numerics.analysis.properties import _grid
from service.numerics.analysis.smoothness import (
    Discontinuity,
    boundary,
    detected_class,
    discontinuities,
    rounder,
    simplest,
)
from service.numerics.types import Array

Function = Callable[[Array], Array]


def _found(f: Function, df: Function, d2f: Function | None = None) -> tuple[Discontinuity, ...]:
    with np.errstate(all="ignore"):
        return discontinuities(f, df, _grid(), d2f)


def _entry_functions(name: str) -> tuple[Function, Function, Function]:
    entry = numerics.get(name)
    assert entry.derivative is not None and entry.second_derivative is not None
    return entry.forward, entry.derivative, entry.second_derivative


def test_a_step_is_a_jump_of_f() -> None:
    found = _found(lambda x: np.where(x >= 0.5, 1.0, 0.0), np.zeros_like)
    assert [(d.x, d.order, d.jump) for d in found] == [(0.5, 0, 1.0)]
    assert detected_class(found) == -1


def test_a_kink_is_a_jump_of_f_prime() -> None:
    found = _found(lambda x: np.abs(x - 3), lambda x: np.where(x > 3, 1.0, -1.0))
    assert [(d.x, d.order, d.jump) for d in found] == [(3.0, 1, 2.0)]
    assert detected_class(found) == 0


def test_a_jump_of_the_curvature_is_order_two() -> None:
    # relu(x)^2 has a continuous slope 2 relu(x), whose own slope jumps from 0 to 2 at 0.
    found = _found(lambda x: np.maximum(x, 0) ** 2, lambda x: 2 * np.maximum(x, 0))
    assert [(d.x, d.order) for d in found] == [(0.0, 2)]
    assert found[0].jump == pytest.approx(2.0, rel=1e-4)
    assert detected_class(found) == 1


@pytest.mark.parametrize(
    ("f", "df"),
    [
        (np.sin, np.cos),
        (lambda x: np.exp(-(x**2)), lambda x: -2 * x * np.exp(-(x**2))),
        (lambda x: x**3 / (1 + x**2), lambda x: x**2 * (3 + x**2) / (1 + x**2) ** 2),
        (np.arctan, lambda x: 1 / (1 + x**2)),
    ],
)
def test_smooth_functions_have_none(f: Function, df: Function) -> None:
    assert _found(f, df) == ()


def test_a_jump_of_f_second_is_measured_across_a_value_set_between_its_sides() -> None:
    # softsign'' is -2 sign(x) / (1 + |x|)^3, and 0 at 0: the jump is from 2 to -2.
    found = _found(*_entry_functions("softsign"))
    assert [(d.x, d.order, d.jump) for d in found] == [(0.0, 2, -4.0)]


def test_where_one_ulp_spans_many_periods_nothing_is_found() -> None:
    # snake's f'' is 2 cos(2x): past 1e16 neighbouring floats' values are unrelated.
    assert _found(*_entry_functions("snake")) == ()


def test_tiny_jumps_are_found_where_they_are() -> None:
    # 2e-9 on a function of size 20, as PyTorch's softplus switch leaves at its default.
    found = _found(lambda x: np.where(x > 7.25, x, x + 2e-9), np.ones_like)
    assert [(d.x, d.order) for d in found] == [(7.25, 0)]
    assert found[0].jump == pytest.approx(-2e-9, rel=1e-6)


def test_boundary_reaches_adjacent_floats() -> None:
    lo, hi = boundary(lambda t: t >= np.pi, np.array([-1e300]), np.array([1e300]))
    assert hi[0] == np.nextafter(lo[0], np.inf)
    assert lo[0] < np.pi <= hi[0]


def test_rounder_and_simplest_prefer_short_numbers() -> None:
    tiny = np.array([5e-324])
    assert rounder(np.zeros(1), tiny)[0] == 0.0
    assert rounder(np.array([np.nextafter(20.0, 0)]), np.array([20.0]))[0] == 20.0
    assert rounder(np.array([-0.3]), np.array([np.nextafter(-0.3, 0)]))[0] == -0.3
    assert simplest(-4.5e-17) == 0.0
    assert simplest(20.000000000000007) == 20.0
    assert simplest(-0.7517915246935645, within=0) == -0.7517915246935645
