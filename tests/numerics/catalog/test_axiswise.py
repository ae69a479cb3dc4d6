"""The axis-wise entries against mpmath: values and vector-Jacobian products, component-wise.

A component passes when its error is at most BOUND * max(1, kappa) ULP, kappa being its
condition number with respect to x (and, for the gradient, to grad_output):
sum_j |x_j d y_i / d x_j| / |y_i|. Exact zeros (sparsemax, entmax) must be exact.
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import pytest
from mpmath import mpf

from service import numerics
from tests.numerics.catalog.mp_axiswise import FORWARDS, VJPS, jacobian

BOUND = {"float64": 4, "float32": 2}
AXISWISE = [name for name, entry in numerics.ACTIVATIONS.items() if entry.axiswise]
EXTREMES = [
    [1000.0, -1000.0, 0.0, 2.0],
    [0.0, 0.0, 0.0, 0.0],
    [-40.0, 0.0, 1e-300, 3.0],
    [5e-324, -1e300, 1e300, -7.5],
    [0.5, 0.5000000000000001, -0.25, 1.0],
]


def _vectors() -> list[list[float]]:
    rng = np.random.default_rng(3)
    vectors = [row.tolist() for row in rng.normal(size=(12, 6))]
    vectors += [(row * 30).tolist() for row in rng.normal(size=(6, 4))]
    vectors += [(row / 8).tolist() for row in rng.normal(size=(6, 6))]
    return vectors + EXTREMES


def _ulps(got: float, exact: Any, dtype: type[np.floating[Any]]) -> Any:
    rounded = abs(dtype(float(exact)))
    return abs(mpf(float(got)) - exact) / mpf(float(np.spacing(rounded)))


def _check(got: np.ndarray, exact: list[Any], kappa: list[Any], dtype_name: str) -> list[str]:
    dtype, bound, problems = numerics.DTYPES[dtype_name], BOUND[dtype_name], []
    for i, (value, want, k) in enumerate(zip(got.tolist(), exact, kappa, strict=True)):
        if want == 0:
            ok = value == 0
        else:
            ok = bool(np.isfinite(value)) and _ulps(value, want, dtype) <= bound * max(1, k)
        if not ok:
            problems.append(f"[{i}] got {value!r}, exact {mpmath.nstr(want, 17)}, kappa {k}")
    return problems


def _condition(rows: list[list[Any]], inputs: list[Any], outputs: list[Any]) -> list[Any]:
    return [
        mpmath.fsum(abs(inputs[j] * row[j]) for j in range(len(inputs))) / abs(y) if y else 0
        for row, y in zip(rows, outputs, strict=True)
    ]


@pytest.mark.parametrize("dtype_name", ["float64", "float32"])
@pytest.mark.parametrize("name", AXISWISE)
def test_matches_mpmath(name: str, dtype_name: str) -> None:
    """Both paths: the compiled rows (what a request gets) and the numpy definition."""
    entry = numerics.get(name)
    forward, product = FORWARDS[name], VJPS[name]
    dtype = numerics.DTYPES[dtype_name]
    rng = np.random.default_rng(11)
    failures = []
    for vector in _vectors():
        if max(map(abs, vector)) > float(np.finfo(dtype).max):
            continue
        x = np.array(vector, dtype=dtype)
        xm = [mpf(float(v)) for v in x.tolist()]
        exact = forward(xm)
        g = rng.normal(size=len(exact)).astype(dtype)
        gm = [mpf(float(v)) for v in g.tolist()]
        results = {
            path: numerics.evaluate(
                entry,
                x,
                params=entry.resolve({}),
                outputs=["value", "gradient"],
                grad_output=g,
                kernels=kernels,
            )
            for path, kernels in (("kernels", True), ("numpy", False))
        }
        value_kappa = _condition(jacobian(forward, xm), xm, exact)
        failures += [
            f"{name} {vector} {path} value {p}"
            for path, result in results.items()
            for p in _check(result["value"], exact, value_kappa, dtype_name)
        ]
        exact_vjp = product(xm, gm)
        # The gradient's conditioning: with respect to x, by differences of the reference
        # product, and to g, whose Jacobian is the transpose of f's: the products with unit g.
        to_x = jacobian(lambda v, gm=gm: product(v, gm), xm)
        units = [product(xm, [mpf(i == k) for i in range(len(gm))]) for k in range(len(gm))]
        to_g = [[units[k][j] for k in range(len(gm))] for j in range(len(xm))]
        kappa = [
            a + b
            for a, b in zip(
                _condition(to_x, xm, exact_vjp), _condition(to_g, gm, exact_vjp), strict=True
            )
        ]
        failures += [
            f"{name} {vector} {path} gradient {p}"
            for path, result in results.items()
            for p in _check(result["gradient"], exact_vjp, kappa, dtype_name)
        ]
    assert not failures, f"{len(failures)} components out of bounds:\n" + "\n".join(failures[:15])


@pytest.mark.parametrize("name", AXISWISE)
def test_closed_form_references_are_the_derivative(name: str) -> None:
    """The mpmath products equal g^T J with J by differences of the forward, where those resolve."""
    rng = np.random.default_rng(17)
    for vector in _vectors()[:8]:
        xm = [mpf(v) for v in vector]
        gm = [mpf(v) for v in rng.normal(size=len(FORWARDS[name](xm))).tolist()]
        rows = jacobian(FORWARDS[name], xm)
        by_differences = [
            mpmath.fsum(gm[i] * rows[i][j] for i in range(len(gm))) for j in range(len(xm))
        ]
        for a, b in zip(VJPS[name](xm, gm), by_differences, strict=True):
            assert abs(a - b) <= mpf("1e-25") * (1 + abs(b))


@pytest.mark.parametrize("name", AXISWISE)
def test_axis_parameter_moves_the_work(name: str) -> None:
    entry = numerics.get(name)
    x = np.random.default_rng(5).normal(size=(4, 6, 2))
    along = numerics.evaluate(entry, x, params=entry.resolve({"axis": 1}))["value"]
    moved = numerics.evaluate(entry, np.moveaxis(x, 1, -1), params=entry.resolve({}))["value"]
    assert np.array_equal(along, np.moveaxis(moved, -1, 1))
