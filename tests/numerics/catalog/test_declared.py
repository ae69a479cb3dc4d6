"""What is declared of the axis-wise entries holds: the range of each output, and the
continuity of the map of vectors, seen along random lines x0 + t v where each output is a
scalar function of t (test_properties.py checks the element-wise entries' declarations).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from service import numerics
from service.numerics.analysis.smoothness import detected_class, discontinuities
from service.numerics.catalog.facts import declared

Function = Callable[[np.ndarray], np.ndarray]
AXISWISE = [name for name, entry in numerics.ACTIVATIONS.items() if entry.axiswise]
WIDTH = 6


def _inputs() -> tuple[np.ndarray, np.ndarray]:
    """Rows at scales 0.1 and 1 (moderate), then 10 and 1000."""
    rng = np.random.default_rng(11)
    rows = [rng.normal(scale=scale, size=(200, WIDTH)) for scale in (0.1, 1.0, 10.0, 1e3)]
    return np.concatenate(rows[:2]), np.concatenate(rows[2:])


@pytest.mark.parametrize("name", AXISWISE)
def test_each_output_lies_in_the_declared_range(name: str) -> None:
    entry = numerics.get(name)
    params = entry.resolve({})
    stated = declared(entry.facts.range, params)
    moderate, large = (entry.forward(x, **params) for x in _inputs())
    y = np.concatenate((moderate.ravel(), large.ravel()))
    assert np.all((y >= stated.low) & (y <= stated.high))
    for end, closed, outwards in (
        (stated.low, stated.low_closed, -1),
        (stated.high, stated.high_closed, 1),
    ):
        if not np.isfinite(end):
            assert np.any(outwards * y > 100), "unbounded on this side"
        elif closed:
            assert np.any(y == end), "a closed end is taken"
        else:
            assert np.all(moderate != end), "an open end is not taken"
            assert np.min(np.abs(y - end)) <= 1e-6, "but it is approached"


def _lines(entry: numerics.Activation, seed: int) -> list[tuple[Function, Function]]:
    """Each output of f along x0 + t v, and its derivative in t, (J v)_i = (J^T e_i) . v."""
    rng = np.random.default_rng(seed)
    x0, v = rng.normal(scale=2.0, size=WIDTH), rng.normal(size=WIDTH)
    assert entry.vjp is not None
    vjp = entry.vjp
    outputs = WIDTH // 2 if entry.halves_axis else WIDTH

    def along(t: np.ndarray) -> np.ndarray:
        return x0 + t[:, None] * v

    def component(i: int) -> tuple[Function, Function]:
        def g(t: np.ndarray) -> np.ndarray:
            return entry.forward(along(t))[:, i]

        def dg(t: np.ndarray) -> np.ndarray:
            unit = np.zeros((t.size, outputs))
            unit[:, i] = 1
            return vjp(along(t), unit) @ v

        return g, dg

    return [component(i) for i in range(outputs)]


@pytest.mark.parametrize("name", AXISWISE)
def test_declared_continuity_is_what_the_detector_finds_along_lines(name: str) -> None:
    entry = numerics.get(name)
    t = np.linspace(-10.0, 10.0, 20_001)
    found = [
        detected_class(discontinuities(g, dg, t))
        for seed in (1, 2)
        for g, dg in _lines(entry, seed)
    ]
    stated = declared(entry.facts.continuity, entry.resolve({}))
    # The detector sees jumps of f, f' and f'' only: "2" stands for C^2 or smoother.
    assert min(found) == min(stated, 2)
