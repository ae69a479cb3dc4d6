"""f' and f'' of formulas, differentiated symbolically, against mpmath's numerical derivatives
of the same formula, and their evaluation in float64 against the exact derivative."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from service.numerics.formula import (
    FormulaLimits,
    ParameterSpec,
    compile_mpmath,
    derivative,
    formula,
    text,
)

LIMITS = FormulaLimits()
FORMULAS = [
    "x * tanh(softplus(x))",
    "x / (1 + exp(-x))",
    "x * (1 + erf(x / sqrt(2))) / 2",
    "x * sigmoid(beta * x)",
    "log1p(exp(x)) - log(2)",
    "x * erfc(-x) / 2 + atan(x) * cos(x)",
    "sqrt(x**2 + 1) - 1",
    "abs(x)**1.5 * sign(x)",
    "(x**3 + 2*x**2 + x) / (1 + abs(x**3 - x))",
    "where(x > 0, x, beta * expm1(x))",
    "min(max(x, -1), 1) * exp(-x**2 / 2)",
    "x * (1 + x) ** beta",
    "2 ** x + x ** x",
    "sin(x) * sinh(x / 4) / cosh(x / 4)",
    "gelu(x, approximate='tanh') + elu(x, alpha=beta)",
    "silu(2 * x) * mish(x)",
]
POINTS = [-3.7, -1.3, -0.4, 0.3, 0.8, 1.9, 4.2]


@pytest.mark.parametrize("expression", FORMULAS)
def test_derivatives_match_mpmath_numerical_differentiation(expression: str) -> None:
    parameters = {"beta": ParameterSpec(0.75)} if "beta" in expression else {}
    made = formula(expression, parameters, limits=LIMITS)
    params = made.activation.resolve({})
    f = compile_mpmath(made.written)
    exact = [compile_mpmath(made.first), compile_mpmath(made.second)]
    catalog = any(name in expression for name in ("gelu", "elu", "silu", "mish"))
    points = [p for p in POINTS if mpmath.isfinite(f(mpmath.mpf(p), **params))]
    with mpmath.workdps(50):
        for point in points:
            x = mpmath.mpf(point)
            if catalog:
                # A catalog activation inside is taken at float64 in mpmath: a difference
                # quotient then resolves no finer than its rounding, so each derivative is
                # checked as a central difference of the one before, with a wide step.
                for order, (lower, slope) in enumerate(zip([f, *exact], exact, strict=False), 1):
                    numeric = mpmath.diff(lambda t, g=lower: g(t, **params), x, h=mpmath.mpf(1e-5))
                    assert abs(slope(x, **params) - numeric) <= 1e-7 * max(1, abs(numeric)), (
                        f"f^({order}) of {expression} at {point}"
                    )
                continue
            for order, slope in enumerate(exact, 1):
                numeric = mpmath.diff(lambda t: f(t, **params), x, order)
                assert abs(slope(x, **params) - numeric) <= 1e-30 * max(1, abs(numeric)), (
                    f"f^({order}) of {expression} at {point}"
                )
    x = np.array(points)
    assert made.activation.derivative is not None and made.activation.second_derivative is not None
    got = made.activation.derivative(x, **params)
    want = np.array([float(exact[0](mpmath.mpf(p), **params)) for p in points])
    np.testing.assert_allclose(got, want, rtol=1e-12 if not catalog else 1e-6, atol=1e-300)


def test_a_kink_takes_the_branch_that_holds_there() -> None:
    relu = formula("max(x, 0)", {}, limits=LIMITS).activation
    x = np.array([-1.0, 0.0, 1.0])
    assert relu.derivative is not None
    np.testing.assert_array_equal(relu.derivative(x), [0.0, 0.0, 1.0])
    absolute = formula("abs(x)", {}, limits=LIMITS).activation
    assert absolute.derivative is not None
    np.testing.assert_array_equal(absolute.derivative(x), [-1.0, 0.0, 1.0])


def test_derivatives_read_like_calculus() -> None:
    made = formula("x**3 + beta * x", {"beta": ParameterSpec(1.0)}, limits=LIMITS)
    assert text(made.first) == "3 * x**2 + beta"
    assert text(made.second) == "6 * x"
    assert text(derivative(made.second)) == "6"
    assert made.activation.derivative_formula == r"f'(x) = 3\,x^{2} + \beta"


def test_the_latex_of_f_shows_the_formula_as_written() -> None:
    made = formula("x / (1 + exp(-x))", {}, limits=LIMITS)
    assert made.activation.formula == r"f(x) = \frac{x}{1 + \exp\left(-x\right)}"
    assert text(made.served) == "x * sigmoid(x)"
