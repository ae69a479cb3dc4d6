"""A formula equal to a catalog entry gives the catalog's answers: values, derivatives,
measured properties, mean-field theory and a simulation, by the same code."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from service import numerics
from service.numerics import networks
from service.numerics.analysis.properties import measure
from service.numerics.describe import describe
from service.numerics.formula import FormulaLimits, formula

LIMITS = FormulaLimits()
EQUIVALENTS = [
    ("x / (1 + exp(-x))", "silu"),
    ("max(x, 0)", "relu"),
    ("x * (1 + erf(x / sqrt(2))) / 2", "gelu"),
]
_X = np.concatenate(
    [
        np.linspace(-40, 40, 8001),
        np.geomspace(1e-300, 1e300, 601),
        -np.geomspace(1e-300, 1e300, 601),
    ]
)


def _close(a: object, b: object, *, rtol: float = 1e-9) -> bool:
    """Equal, numbers within rtol (or both infinite), recursively through dataclasses."""
    if dataclasses.is_dataclass(a) and dataclasses.is_dataclass(b):
        return all(
            _close(getattr(a, f.name), getattr(b, f.name), rtol=rtol) for f in dataclasses.fields(a)
        )
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_close(u, v, rtol=rtol) for u, v in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=rtol, abs_tol=1e-300)
    return a == b


@pytest.mark.parametrize(("expression", "name"), EQUIVALENTS)
def test_values_and_derivatives_are_the_catalogs(expression: str, name: str) -> None:
    mine, theirs = formula(expression, {}, limits=LIMITS).activation, numerics.get(name)
    outputs = ("value", "gradient", "second_derivative")
    got = numerics.evaluate(mine, _X, params={}, outputs=outputs)
    want = numerics.evaluate(theirs, _X, params=theirs.resolve({}), outputs=outputs)
    for output in outputs:
        np.testing.assert_allclose(
            got[output], want[output], rtol=1e-12, atol=1e-300, err_msg=output
        )


@pytest.mark.parametrize(("expression", "name"), EQUIVALENTS)
def test_measured_properties_are_the_catalogs(expression: str, name: str) -> None:
    mine, theirs = formula(expression, {}, limits=LIMITS).activation, numerics.get(name)
    got, want = measure(mine, {}), measure(theirs, theirs.resolve({}))
    different = [
        field.name
        for field in dataclasses.fields(got)
        if not _close(getattr(got, field.name), getattr(want, field.name))
    ]
    assert not different, different


@pytest.mark.parametrize(("expression", "name"), EQUIVALENTS)
def test_mean_field_theory_and_description_are_the_catalogs(expression: str, name: str) -> None:
    mine, theirs = formula(expression, {}, limits=LIMITS).activation, numerics.get(name)
    params = theirs.resolve({})
    sigma_b2 = [0.0, 0.1, 0.5, 1.0]
    got = networks.critical_line(mine, {}, sigma_b2)
    want = networks.critical_line(theirs, params, sigma_b2)
    assert _close(tuple(got), tuple(want), rtol=1e-7)
    mine_described, theirs_described = describe(mine, {}, "en"), describe(theirs, params, "en")
    assert mine_described.continuity == theirs_described.continuity
    assert _close(mine_described.range, theirs_described.range)
    assert mine_described.cost == theirs_described.cost or name == "gelu"
    assert _close(mine_described.critical_sigma_w2, theirs_described.critical_sigma_w2, rtol=1e-7)
    assert mine_described.text is None


def test_a_simulation_runs_a_formula_like_its_catalog_entry() -> None:
    mine, theirs = formula("max(x, 0)", {}, limits=LIMITS).activation, numerics.get("relu")
    bounds = networks.Limits()

    def run(entry: numerics.Activation) -> networks.GradientFlow:
        experiment = networks.Experiment(
            entry,
            entry.resolve({}),
            networks.layer_widths(8, 64, bounds),
            32,
            7,
            init=networks.Init(sigma_w=math.sqrt(2)),  # a formula has no gain of PyTorch's
            dtype="float64",
        )
        return networks.simulate(experiment, bounds)

    # The measured statistics agree to rounding; theory differs only in how the Gaussian
    # moments are had (relu declares closed forms, a formula takes quadrature).
    assert _close(run(mine).layers, run(theirs).layers, rtol=1e-9)
