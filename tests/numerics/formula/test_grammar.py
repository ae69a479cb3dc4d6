"""The formula grammar: what it accepts, what it refuses, where it says the fault is."""

from __future__ import annotations

import time

import numpy as np
import pytest

from service.numerics import InvalidInput, LimitExceeded
from service.numerics.formula import FormulaLimits, InvalidFormula, ParameterSpec, formula, text
from service.numerics.formula.grammar import parse_expression

LIMITS = FormulaLimits()


def parse(expression: str, *parameters: str, limits: FormulaLimits = LIMITS) -> str:
    return text(parse_expression(expression, parameters, limits=limits))


@pytest.mark.parametrize(
    ("expression", "normal"),
    [
        ("x * tanh(softplus(x))", "x * tanh(softplus(x))"),
        ("x/(1+exp(-x))", "x / (1 + exp(-x))"),
        ("-x**2", "-x**2"),
        ("(-x)**2", "(-x)**2"),
        ("2**-x", "2**(-x)"),
        ("x**2**3", "x**2**3"),
        ("(x**2)**3", "(x**2)**3"),
        ("a - (b - x)", "a - (b - x)"),
        ("a - b - x", "a - b - x"),
        ("+x", "x"),
        ("max(x, 0, -1)", "max(max(x, 0), -1)"),
        ("where(x >= 0, x, beta * expm1(x))", "where(x >= 0, x, beta * expm1(x))"),
        ("1e-3 * x + pi", "0.001 * x + 3.141592653589793"),
        ("gelu(x, approximate='tanh')", "gelu(x, approximate='tanh')"),
        ("elu(x, alpha=2 * beta)", "elu(x, alpha=2 * beta)"),
        ("  x  ", "x"),
    ],
)
def test_accepted_forms_have_one_normal_text_that_parses_back(expression: str, normal: str) -> None:
    parameters = ("a", "b", "beta")
    assert parse(expression, *parameters) == normal
    assert parse(normal, *parameters) == normal


@pytest.mark.parametrize(
    ("expression", "column", "says"),
    [
        ("x ^ 2", 3, "** for a power"),
        ("(x) // 2", 5, "//"),
        ("x.real", 1, "attribute access"),
        ("__import__('os')", 1, "unknown function '__import__'"),
        ("x[0]", 1, "indexing"),
        ("lambda: x", 1, "lambda"),
        ("x if x > 0 else 0", 1, "where(c, a, b)"),
        ("x > 0", 1, "comparison"),
        ("y * 2", 1, "unknown name 'y'"),
        ("2 * bta", 5, "did you mean beta"),
        ("tanh(x, x)", 1, "takes one argument"),
        ("tahn(x)", 1, "did you mean tanh"),
        ("softmax(x)", 1, "unknown function 'softmax'"),
        ("rrelu(x, training=True)", 1, "draws random numbers"),
        ("elu(x, gamma=1)", 14, "not a parameter of elu"),
        ("elu(x, alpha=x)", 14, "may not depend on x"),
        ("gelu(x, approximate='cubic')", 21, "must be one of"),
        ("where(x, 1, 0)", 7, "comparison"),
        ("where(0 < x < 1, 1, 0)", 7, "not a chain"),
        ("x +", 4, "ends early"),
        ("tanh(x", 5, "'(' was never closed"),
        ("rrelu(x, training=1)", 19, "True or False"),
        ("2x", 1, "invalid"),
        ("1j * x", 1, "the constant 1j"),
        ("'x'", 1, "the constant 'x'"),
        ("True", 1, "the constant True"),
        ("x × 2", 3, "U+00D7"),
        ("ｘ", 1, "U+FF58"),
        ("x\u200b", 2, "U+200B"),
        ("x\n+1", 2, "U+000A"),
        ("", 1, "empty"),
        ("1" * 400 + ".0 ** x", 1, "too large"),
        ("(x := 2)", 2, "assignment"),
        ("f'{x}'", 1, "f-string"),
        ("tanh(*x)", 1, "unpacking"),
    ],
)
def test_refused_forms_name_the_column_and_what_was_expected(
    expression: str, column: int, says: str
) -> None:
    with pytest.raises(InvalidFormula) as caught:
        parse(expression, "beta")
    assert caught.value.column == column, str(caught.value)
    assert says in str(caught.value)
    assert caught.value.loc == ("expression",)


@pytest.mark.parametrize(
    ("expression", "limit"),
    [
        ("x + " * 600 + "x", "max_formula_length"),
        ("(" * 70 + "x" + ")" * 70, "max_formula_depth"),
        ("-" * 100 + "x", "max_formula_depth"),
        ("tanh(" * 70 + "x" + ")" * 70, "max_formula_depth"),
        ("+".join(["x*x*x*x*x*x"] * 30), "max_formula_nodes"),
    ],
)
def test_limits_are_refused_by_name(expression: str, limit: str) -> None:
    with pytest.raises(LimitExceeded) as caught:
        parse(expression)
    assert caught.value.limit == limit


def test_too_many_parameters_are_refused() -> None:
    parameters = {f"p{i}": ParameterSpec(1.0) for i in range(17)}
    with pytest.raises(LimitExceeded) as caught:
        formula("x", parameters, limits=LIMITS)
    assert caught.value.limit == "max_formula_parameters"


@pytest.mark.parametrize(
    ("name", "spec", "says"),
    [
        ("x", ParameterSpec(1.0), "name of the formula language"),
        ("tanh", ParameterSpec(1.0), "name of the formula language"),
        ("gelu", ParameterSpec(1.0), "name of the formula language"),
        ("_p", ParameterSpec(1.0), "a letter"),
        ("b", ParameterSpec(5.0, maximum=2.0), "must be <= 2.0"),
        ("b", ParameterSpec(1.0, minimum=3.0, maximum=2.0), "min is above max"),
        ("b", ParameterSpec(float("inf")), "finite"),
    ],
)
def test_parameter_declarations_are_checked(name: str, spec: ParameterSpec, says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        formula("x", {name: spec}, limits=LIMITS, loc=("activation",))
    assert says in str(caught.value)
    assert caught.value.loc[:3] == ("activation", "parameters", name)


@pytest.mark.parametrize(
    "expression",
    [
        "x" * 10_000_000,
        "(" * 100_000 + "x" + ")" * 100_000,
        "-" * 1_000_000 + "x",
        "9" * 1_000_000,
        "x**" * 600 + "x",
        "\u202e" + "x" * 100,
        "exp(" * 2000 + "x" + ")" * 2000,
        "().__class__.__bases__[0].__subclasses__()",
        "__import__('os').system('true')",
        "max(" + "x," * 900 + "x)",
    ],
)
def test_hostile_input_is_refused_quickly(expression: str) -> None:
    start = time.perf_counter()
    with pytest.raises(InvalidInput):
        formula(expression, {}, limits=LIMITS)
    assert time.perf_counter() - start < 5.0  # generous: no input may cost more than its length


def test_huge_exponents_are_numbers_not_work() -> None:
    # x ** 1e300 is a number like any other: it parses and evaluates to inf or 0 by IEEE rules.
    start = time.perf_counter()
    for expression in ("x ** 1e300 + 10 ** 400.0 ** 0", "x**99999999999999999999", "10**10**10**x"):
        entry = formula(expression, {}, limits=LIMITS).activation
        entry.forward(np.linspace(-2, 2, 5))
        assert entry.derivative is not None
        entry.derivative(np.linspace(-2, 2, 5))
    assert time.perf_counter() - start < 5.0
