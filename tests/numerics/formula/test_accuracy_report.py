"""The accuracy report: it finds where a formula overflows or cancels, and says the stable
forms serve it within the bound."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from service.numerics.formula import BOUND, FormulaLimits, accuracy, formula
from service.numerics.formula.accuracy import grid
from service.numerics.formula.grammar import parse_expression
from service.numerics.formula.precise import compile_mpmath

LIMITS = FormulaLimits()


def test_mish_written_with_log_exp_overflows_and_cancels_where_mish_does_not() -> None:
    made = formula("x * tanh(log(1 + exp(x)))", {}, limits=LIMITS)
    assert [(r.found, r.stable) for r in made.rewrites] == [("log(1 + exp(x))", "softplus(x)")]
    report = accuracy(made, {})
    assert report.written_value is not None and report.written_gradient is not None
    # As written: f' is inf/inf = NaN from x = 710 on, where exp overflows ...
    overflow = [r for r in report.written_gradient.regions if r.failure == "non-finite"]
    assert overflow and 709 < overflow[0].low <= 711 and overflow[-1].high == np.max(grid())
    # ... and log(1 + e^x) rounds to 0 for x below about -37, where mish is e.g. -1.7e-16 at -40.
    # (from where 1 + e^x starts to lose e^x's digits on).
    cancelled = [r for r in report.written_value.regions if r.low < -700]
    assert cancelled and cancelled[0].failure == "inaccurate" and cancelled[0].high > -37
    # As served (softplus), both are within the bound everywhere but where f' nearly cancels.
    assert report.value.within_bound, report.value
    assert report.gradient.worst_ratio < 2 * BOUND
    assert not [r for r in report.gradient.regions if r.failure == "non-finite"]


def test_silu_written_as_a_quotient_is_served_as_x_sigmoid() -> None:
    made = formula("x / (1 + exp(-x))", {}, limits=LIMITS)
    report = accuracy(made, {})
    assert report.value.within_bound and report.gradient.within_bound
    assert report.written_gradient is not None
    (region,) = report.written_gradient.regions
    assert (
        region.failure == "non-finite"
        and region.low == np.min(grid())
        and -711 < region.high < -709
    )


def test_without_stable_forms_the_formula_is_served_as_written() -> None:
    made = formula("x / (1 + exp(-x))", {}, limits=LIMITS, stable_forms=False)
    assert made.rewrites == ()
    report = accuracy(made, {})
    assert report.written_value is None
    assert not report.gradient.within_bound
    x = np.array([-800.0, 0.0])
    assert made.activation.derivative is not None
    assert np.isnan(made.activation.derivative(x)[0])


def test_a_formula_without_rounding_traps_is_within_the_bound() -> None:
    report = accuracy(formula("where(x > 0, x, expm1(x))", {}, limits=LIMITS), {})
    assert report.value.within_bound and report.gradient.within_bound
    assert report.value.worst_ulp <= 1


def test_undefined_points_are_left_out() -> None:
    report = accuracy(formula("sqrt(x)", {}, limits=LIMITS), {})
    assert report.undefined_points == int(np.sum(grid() < 0))
    assert report.value.within_bound


@pytest.mark.parametrize(
    ("expression", "x", "limit"),
    [
        ("exp(exp(x))", 1e16, math.inf),
        ("exp(-exp(x))", 1e16, 0.0),
        ("expm1(-exp(exp(x)))", 1e16, -1.0),
        ("sinh(sinh(sinh(x)))", -30.0, -math.inf),
        ("cosh(cosh(cosh(x)))", 30.0, math.inf),
        ("tanh(-exp(exp(x)))", 1e16, -1.0),
        ("sigmoid(exp(exp(x)))", 1e16, 1.0),
        ("softplus(-exp(exp(x)))", 1e16, 0.0),
        ("erf(exp(exp(x)))", 1e16, 1.0),
        ("erfc(-exp(exp(x)))", 1e16, 2.0),
        ("erfc(exp(exp(x)))", 1e16, 0.0),
        ("sin(exp(exp(x)))", 1e16, math.nan),
        ("cos(exp(exp(x)))", 1e16, math.nan),
        ("exp(x) ** exp(x)", 1e16, math.inf),
        ("x ** x ** x ** x", 6.0, math.inf),
        ("(x / 8) ** (x ** x ** x)", 6.0, 0.0),
        ("(-x) ** (x ** x + 1)", 1e300, math.inf),  # x**x + 1 rounds to x**x: even
        ("(x / 2) ** (x ** x)", 1.5, 0.5894851711753488),  # near, computed
    ],
)
def test_the_truth_of_a_tower_is_its_limit_not_a_gigabyte_of_digits(
    expression: str, x: float, limit: float
) -> None:
    """mpmath's exponents are unbounded: exp(exp(1e16)) asked for more memory than the machine
    has, and 6**6**6**6 for hours. Past 2**(2**1100) a value is its limit, at once."""
    truth = compile_mpmath(parse_expression(expression, [], limits=LIMITS))
    with mpmath.workdps(24):
        value = float(truth(mpmath.mpf(x)))
    assert value == pytest.approx(limit, rel=1e-15, nan_ok=True)


@pytest.mark.parametrize(
    ("expression", "base", "exponent"),
    [
        ("x ** 1e20", 1.0000000001, 1e20),
        ("x ** -1e19", 1e-5, -1e19),
        ("(-x) ** 2 ** 66", -2.0, 2.0**66),
        ("x ** 1e300", 0.5, 1e300),
    ],
)
def test_a_power_to_a_large_integer_is_mpmath_s_to_its_digits(
    expression: str, base: float, exponent: float
) -> None:
    """Taken as exp(v log|u|) with as many more digits as v log|u| has, not by mpmath's
    squaring, a step per binary digit of v (1,024 for 1e308)."""
    truth = compile_mpmath(parse_expression(expression, [], limits=LIMITS))
    with mpmath.workdps(30):
        value = truth(mpmath.mpf(abs(base)))
    with mpmath.workdps(60):
        exact = mpmath.power(mpmath.mpf(base), mpmath.mpf(exponent))
    assert abs(value - exact) <= mpmath.mpf("1e-28") * abs(exact)
