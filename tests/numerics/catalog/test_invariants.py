"""Properties that must hold exactly or statistically, beyond the pointwise accuracy tests."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from mpmath import mpf

from service import numerics
from tests.numerics.catalog.mp_references import FREQUENCIES

RNG = np.random.default_rng(2026)


def _value(name: str, x: np.ndarray, **params: object) -> np.ndarray:
    entry = numerics.get(name)
    return numerics.evaluate(entry, x, params=entry.resolve(params))["value"]


def _rows() -> np.ndarray:
    rows = RNG.normal(scale=[[1.0], [10.0], [100.0], [1e-3]], size=(4, 7))
    extremes = np.array([[1000.0, -1000.0, 0.0, 5.0, -5.0, 1e-300, 700.0]])
    return np.concatenate([rows, extremes, np.zeros((1, 7))])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["softmax", "softmin", "sparsemax", "entmax15"])
def test_distributions_lie_on_the_simplex(name: str, dtype: type[np.floating]) -> None:
    rows = _rows().astype(dtype)
    p = _value(name, rows)
    assert (p >= 0).all()
    # Rounded once each, n terms sum to 1 within about n/2 ULP.
    assert (
        np.abs(p.astype(np.float64).sum(axis=-1) - 1).max() <= rows.shape[1] * np.finfo(dtype).eps
    )


def test_sparse_distributions_have_exact_zeros() -> None:
    x = np.array([[3.0, 0.1, -2.0, 2.9], [1000.0, -1000.0, 0.0, 999.5]])
    sparse = _value("sparsemax", x)
    np.testing.assert_allclose(sparse, [[0.55, 0.0, 0.0, 0.45], [0.75, 0.0, 0.0, 0.25]], rtol=1e-15)
    assert (sparse[:, 1:3] == 0).all()
    assert (_value("entmax15", x)[:, 1:3] == 0).all()


def test_log_softmax_is_the_log_of_softmax_where_it_is_tiny() -> None:
    x = np.array([0.0, -40.0, -800.0])
    assert _value("log_softmax", x)[0] == -np.exp(-40.0)  # log(1 + e^-40 + ...) rounded
    assert _value("log_softmax", x)[2] == -800.0
    assert _value("softmax", x)[2] == 0.0


def test_selu_keeps_a_standard_normal_standard() -> None:
    x = np.random.default_rng(7).standard_normal(4_000_000)
    y = _value("selu", x)
    n = x.size
    # The fixed point of Klambauer et al.: mean 0 and variance 1, to Monte Carlo error
    # (5 standard errors: var(selu(X)) ~ 1 and var(selu(X)^2) < 5).
    assert abs(y.mean()) < 5 * np.sqrt(1 / n)
    assert abs(y.var() - 1) < 5 * np.sqrt(5 / n)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tanhshrink_keeps_relative_accuracy_near_zero(dtype: type[np.floating]) -> None:
    # x - tanh x ~ x^3/3 cancels to nothing in a naive evaluation near 0.
    x = np.concatenate([np.logspace(-30, 0, 200), -np.logspace(-8, 0.5, 50)]).astype(dtype)
    y = _value("tanhshrink", x)
    with mpmath.workdps(80):
        exact = [mpf(float(v)) - mpmath.tanh(mpf(float(v))) for v in x.tolist()]
        errors = [
            float(abs(mpf(float(got)) - want) / abs(want))
            for got, want in zip(y.tolist(), exact, strict=True)
            if abs(want) > mpf(float(np.finfo(dtype).tiny))
        ]
    assert max(errors) <= 2 * np.finfo(dtype).eps


def test_rrelu_training_is_reproducible_per_seed() -> None:
    entry = numerics.get("rrelu")
    x = np.linspace(-3, 3, 1001).reshape(7, 143)

    def run(seed: int) -> dict[numerics.OutputName, np.ndarray]:
        params = entry.resolve({"training": True, "seed": seed})
        return numerics.evaluate(entry, x, params=params, outputs=["value", "gradient"])

    first, again, other = run(1), run(1), run(2)
    assert np.array_equal(first["value"], again["value"])
    assert not np.array_equal(first["value"], other["value"])
    negative = x <= 0  # the slope applies at 0 too, as in PyTorch
    slopes = first["gradient"][negative]
    assert (slopes >= 1 / 8).all() and (slopes <= 1 / 3).all() and np.unique(slopes).size > 100
    assert np.array_equal(first["value"][negative], x[negative] * slopes)
    assert (first["gradient"][~negative] == 1).all()


@pytest.mark.parametrize(
    "name", [name for name, entry in numerics.ACTIVATIONS.items() if not entry.axiswise]
)
def test_no_nan_out_to_the_largest_floats(name: str) -> None:
    # x * 2 or x^2 overflows there; an unused branch must not turn 0 * inf into NaN.
    entry = numerics.get(name)
    x = np.array(
        [-np.finfo(np.float64).max, -1e308, -1e300, 1e300, 1e308, np.finfo(np.float64).max]
    )
    if name in FREQUENCIES:  # the phase itself overflows beyond max / frequency: NaN by design
        x = x[
            np.abs(x)
            <= np.finfo(np.float64).max / max(1.0, abs(entry.parameter(FREQUENCIES[name]).default))
        ]
    out = numerics.evaluate(
        entry, x, params=entry.resolve({}), outputs=["value", "gradient", "second_derivative"]
    )
    for output, values in out.items():
        assert not np.isnan(values).any(), f"{output} is NaN at {x[np.isnan(values)]}"
