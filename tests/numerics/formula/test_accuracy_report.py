"""The accuracy report: it finds where a formula overflows or cancels, and says the stable
forms serve it within the bound."""

from __future__ import annotations

import numpy as np

from service.numerics.formula import BOUND, FormulaLimits, accuracy, formula
from service.numerics.formula.accuracy import grid

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
