"""Compiled formulas: they serve what the numpy path serves, to the accuracy its report states,
are compiled once however many ask, in the background, and kept in a bounded cache."""

from __future__ import annotations

import dataclasses
import io
import threading
import tokenize
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from service import numerics
from service.numerics.formula import (
    BOUND,
    Formula,
    FormulaActivation,
    FormulaLimits,
    ParameterSpec,
    accuracy,
    configure,
    formula,
    kernels,
)
from service.numerics.formula.program import program
from service.numerics.formula.source import generate
from service.numerics.formula.tree import Call
from service.numerics.types import OutputName

LIMITS = FormulaLimits()
OUTPUTS: tuple[OutputName, ...] = ("value", "gradient", "second_derivative")
F64, F32 = np.dtype(np.float64), np.dtype(np.float32)

EQUIVALENT = [
    "x / (1 + exp(-x))",  # silu
    "max(x, 0)",  # relu
    "x * (1 + erf(x / sqrt(2))) / 2",  # gelu
    "x * sigmoid(1.702 * x)",  # gelu's sigmoid form
    "x * tanh(softplus(x))",  # mish
    "x * tanh(log(1 + sigmoid(x)))",  # smish
]
HOSTILE = [
    # Nesting at the depth limit.
    "(" * 63 + "x" + ")" * 63 + " * sigmoid(x)",
    "tanh(tanh(tanh(tanh(tanh(tanh(x))))))",
    # Constants at the ends of the float range, and a difference of two overflowing terms.
    "1e308 * sigmoid(x) - 1.7976931348623157e308 * sigmoid(x) + x * 1e-300 / 1e-8",
    "where(x > 0, exp(x) - 1, expm1(x)) * 5e-324 + atan(x * 1e300) + sin(x) * cos(x)",
    "log(abs(x)) + sqrt(abs(x)) + erfc(x) + x**3 - x**-2",
]
# Finite inputs only, as the service takes: every scale, the overflow edges, both zeros.
POINTS = np.concatenate(
    [
        np.linspace(-50, 50, 4001),
        np.geomspace(5e-324, 1.7e308, 1500),
        -np.geomspace(5e-324, 1.7e308, 1500),
        [0.0, -0.0, 709.78, 709.79, 710.0, -708.4, -745.1, -745.2, 1.7976931348623157e308],
    ]
)


@pytest.fixture
def cache() -> Iterator[None]:
    """A fresh cache that compiles on first use, the service's settings restored after."""
    before = kernels()
    size, after, most = before.size, before.after, before.most
    before.clear()
    configure(size=64, after=1, most=before.started + 1000)
    yield
    configure(size=size, after=after, most=most)
    before.clear()


def _compiled(made: Formula, outputs: tuple[OutputName, ...], dtypes: tuple[Any, ...]) -> bool:
    """Compile these outputs now; whether every one compiled."""
    activation = made.activation
    assert isinstance(activation, FormulaActivation)
    found = kernels().kernel(activation.compilable)
    assert found is not None
    futures = [found.prepare(output, np.dtype(dtype)) for output in outputs for dtype in dtypes]
    done = [future.result(timeout=600) for future in futures]  # every one, not up to a False
    return all(done)


def _evaluate(made: Formula, x: np.ndarray, *, compiled: bool) -> dict[OutputName, np.ndarray]:
    return numerics.evaluate(
        made.activation, x, params=made.activation.resolve({}), outputs=OUTPUTS, kernels=compiled
    )


def _same_special_values(got: np.ndarray, want: np.ndarray, what: str) -> None:
    """NaN, infinities (with their sign) and exact zeros where the numpy path has them."""
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want), err_msg=f"{what}: NaN")
    np.testing.assert_array_equal(np.isposinf(got), np.isposinf(want), err_msg=f"{what}: +inf")
    np.testing.assert_array_equal(np.isneginf(got), np.isneginf(want), err_msg=f"{what}: -inf")
    np.testing.assert_array_equal(got == 0, want == 0, err_msg=f"{what}: zeros")


def _within_ulp(
    made: Formula, got: np.ndarray, want: np.ndarray, slope: np.ndarray, x: np.ndarray
) -> None:
    """Within BOUND ULP per function called, times the condition number |x f'/f| (at least 1),
    or both beyond float64's normal numbers (where a subnormal intermediate rounds both
    coarsely): each path is within about an ULP of each function's exact value, and the
    errors of a composition add up (tanh six times nested: 6 ULP)."""
    calls = sum(isinstance(step.node, Call) for step in program(made.served).steps)
    with np.errstate(all="ignore"):
        kappa = np.nan_to_num(np.abs(x * slope / want), nan=1.0, posinf=1.0)
        ulp = np.spacing(np.abs(want).astype(want.dtype))
        tolerance = BOUND * max(1, calls) * np.maximum(1.0, kappa) * ulp
        close = (np.abs(got - want) <= tolerance) | (got == want) | np.isnan(want)
        close |= np.abs(want) < np.finfo(want.dtype).tiny * 1e8
    assert close.all(), (x[~close][:5], got[~close][:5], want[~close][:5])


@pytest.mark.usefixtures("cache")
@pytest.mark.parametrize("expression", EQUIVALENT + HOSTILE)
def test_compiled_path_agrees_with_the_numpy_path(expression: str) -> None:
    made = formula(expression, {}, limits=LIMITS)
    assert _compiled(made, OUTPUTS, (F64,))
    want = _evaluate(made, POINTS, compiled=False)
    got = _evaluate(made, POINTS, compiled=True)
    for output in OUTPUTS:
        _same_special_values(got[output], want[output], output)
    _within_ulp(made, got["value"], want["value"], want["gradient"], POINTS)


@pytest.mark.usefixtures("cache")
@pytest.mark.parametrize("expression", ["x / (1 + exp(-x))", "x * tanh(softplus(x))"])
def test_float32_is_the_float64_result_rounded_once(expression: str) -> None:
    made = formula(expression, {}, limits=LIMITS)
    assert _compiled(made, ("value", "gradient"), (F32,))
    x = POINTS[np.abs(POINTS) <= np.finfo(np.float32).max].astype(np.float32)
    want = _evaluate(made, x, compiled=False)
    got = _evaluate(made, x, compiled=True)
    for output in ("value", "gradient"):
        assert got[output].dtype == np.float32
        _same_special_values(got[output], want[output], output)
    _within_ulp(made, got["value"], want["value"], want["gradient"], x)


@pytest.mark.usefixtures("cache")
@pytest.mark.parametrize("expression", [*EQUIVALENT, HOSTILE[2], HOSTILE[4]])
def test_the_accuracy_report_holds_for_the_compiled_path(expression: str) -> None:
    """The report measures the numpy path; the compiled path, measured the same way on the
    same grid, fails nowhere the report does not say, and is no further off."""
    made = formula(expression, {}, limits=LIMITS)
    assert _compiled(made, ("value", "gradient"), (F64,))
    activation = made.activation
    params = activation.resolve({})

    def through_kernels(output: OutputName) -> Any:
        return lambda x, **p: numerics.evaluate(activation, x, params=p, outputs=[output])[output]

    compiled = dataclasses.replace(
        made,
        activation=dataclasses.replace(
            activation, forward=through_kernels("value"), derivative=through_kernels("gradient")
        ),
    )
    reported, measured = accuracy(made, params), accuracy(compiled, params)
    for output in ("value", "gradient"):
        said, found = getattr(reported, output), getattr(measured, output)
        assert found.failing_points <= said.failing_points, (output, said, found)
        assert [r for r in found.regions if r.failure == "non-finite"] == [
            r for r in said.regions if r.failure == "non-finite"
        ], output
        assert found.worst_ratio <= max(said.worst_ratio, BOUND), (output, said, found)


@pytest.mark.usefixtures("cache")
def test_parameters_are_slots_and_the_source_holds_no_user_text() -> None:
    made = formula(
        "x * sigmoid(beta_gate * x) + elu(x, alpha=0.5) * gamma",
        {"beta_gate": ParameterSpec(1.5), "gamma": ParameterSpec(0.25)},
        limits=LIMITS,
    )
    activation = made.activation
    assert isinstance(activation, FormulaActivation)
    for tree in activation.compilable.trees:
        generated = generate(program(tree), ("beta_gate", "gamma"))
        assert generated is not None
        source, namespace = generated
        names = {
            token.string
            for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type == tokenize.NAME
        }
        ours = {
            "def",
            "kernel",
            "x",
            "p",
            "bad",
            "False",
            "if",
            "else",
            "not",
            "and",
            "or",
            "return",
        }
        steps = {name for name in names if name[0] == "t" and name[1:].isdigit()}
        assert names - ours - steps <= {*namespace, "abs"}, names
        assert "beta_gate" not in source and "gamma" not in source
    assert _compiled(made, OUTPUTS, (F64,))
    x = np.linspace(-10, 10, 101)
    params = activation.resolve({"beta_gate": 3.0, "gamma": -2.0})
    want = numerics.evaluate(activation, x, params=params, outputs=OUTPUTS, kernels=False)
    got = numerics.evaluate(activation, x, params=params, outputs=OUTPUTS)
    for output in OUTPUTS:
        np.testing.assert_allclose(got[output], want[output], rtol=1e-14, atol=1e-300)


def test_the_first_uses_take_numpy_and_the_after_th_starts_compiling() -> None:
    before = kernels()
    size, after, most = before.size, before.after, before.most
    before.clear()
    configure(size=64, after=2, most=before.started + 1000)
    try:
        made = formula("x * sigmoid(x) + 0.125", {}, limits=LIMITS)
        activation = made.activation
        assert isinstance(activation, FormulaActivation)
        x = np.linspace(-5, 5, 11)
        numpy_path = _evaluate(made, x, compiled=False)
        first = numerics.evaluate(activation, x, params={}, outputs=["value"])
        np.testing.assert_array_equal(first["value"], numpy_path["value"])  # no waiting
        found = kernels().kernel(activation.compilable)
        assert found is not None
        assert found.state("value", F64) == "numpy"
        numerics.evaluate(activation, x, params={}, outputs=["value"])  # the second: compile
        assert found.state("value", F64) in ("compiling", "compiled")
        assert found.state("value", F32) == "numpy"  # another dtype counts for itself
        assert found.prepare("value", F64).result(timeout=600)
        assert found.state("value", F64) == "compiled"
    finally:
        configure(size=size, after=after, most=most)
        before.clear()


@pytest.mark.usefixtures("cache")
def test_two_threads_asking_for_one_formula_compile_it_once() -> None:
    expression = "x * erfc(-x / sqrt(2)) / 2 + 0.25 * x"
    x = np.linspace(-3, 3, 1001)
    start = threading.Barrier(2)
    results: list[np.ndarray] = []

    def ask() -> None:
        made = formula(expression, {}, limits=LIMITS)  # each its own parse
        start.wait()
        results.append(
            numerics.evaluate(made.activation, x, params={}, outputs=["gradient"])["gradient"]
        )

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    made = formula(expression, {}, limits=LIMITS)
    activation = made.activation
    assert isinstance(activation, FormulaActivation)
    found = kernels().kernel(activation.compilable)
    assert found is not None
    assert found.prepare("gradient", F64).result(timeout=600)
    assert found.compilations == 1
    assert len(kernels()) == 1
    np.testing.assert_array_equal(results[0], results[1])


@pytest.mark.usefixtures("cache")
def test_the_cache_keeps_the_most_recently_used() -> None:
    configure(size=2, after=1)
    made = []
    for expression in ("x + 1", "x + 2", "x + 3"):
        activation = formula(expression, {}, limits=LIMITS).activation
        assert isinstance(activation, FormulaActivation)
        made.append(activation.compilable)
    first = kernels().kernel(made[0])
    kernels().kernel(made[1])
    assert kernels().kernel(made[0]) is first  # used again: now the most recent
    kernels().kernel(made[2])  # drops made[1], the least recently used
    assert len(kernels()) == 2
    assert kernels().kernel(made[0]) is first
    configure(size=0, after=1)
    assert len(kernels()) == 0
    assert kernels().kernel(made[0]) is None  # no cache: always numpy
    activation = formula("x + 1", {}, limits=LIMITS).activation
    assert activation.kernel({}) is None


@pytest.mark.usefixtures("cache")
def test_a_process_compiles_at_most_its_budget() -> None:
    configure(size=64, after=1, most=kernels().started + 1)
    made = formula("x * sigmoid(x) - 0.5", {}, limits=LIMITS)
    activation = made.activation
    assert isinstance(activation, FormulaActivation)
    found = kernels().kernel(activation.compilable)
    assert found is not None
    assert found.prepare("value", F64).result(timeout=600)
    assert not found.prepare("value", F32).result(timeout=600)  # over the budget: numpy
    x = np.linspace(-2, 2, 5, dtype=np.float32)
    got = numerics.evaluate(activation, x, params={}, outputs=["value"])
    np.testing.assert_array_equal(got["value"], _evaluate(made, x, compiled=False)["value"])
    assert found.state("value", F32) == "numpy"


@pytest.mark.usefixtures("cache")
def test_a_formula_too_long_to_compile_stays_with_numpy() -> None:
    made = formula("tanh(" * 20 + "x" + ")" * 20, {}, limits=LIMITS)
    activation = made.activation
    assert isinstance(activation, FormulaActivation)
    found = kernels().kernel(activation.compilable)
    assert found is not None
    assert not found.prepare("second_derivative", F64).result(timeout=600)
    assert found.state("second_derivative", F64) == "numpy"
    x = np.linspace(-3, 3, 7)
    got = numerics.evaluate(activation, x, params={}, outputs=["second_derivative"])
    want = _evaluate(made, x, compiled=False)
    np.testing.assert_array_equal(got["second_derivative"], want["second_derivative"])
