"""Mean-field theory against what anyone can derive from the papers, and its integrals against
independent quadrature."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from numpy.polynomial.hermite_e import hermegauss
from scipy import integrate

from service import numerics
from service.numerics.analysis.quadrature import COARSE, expectation
from service.numerics.formula import FormulaLimits, formula
from service.numerics.networks import meanfield


def test_quadrature_agrees_with_gauss_hermite_where_that_is_exact() -> None:
    # For smooth f at moderate scale a 120-node Hermite rule is exact to rounding.
    nodes, weights = hermegauss(120)
    weights = weights / math.sqrt(2 * math.pi)
    for mean, std in [(0.0, 0.3), (0.4, 0.7), (-1.0, 1.0)]:
        hermite = float(weights @ np.tanh(mean + std * nodes) ** 2)
        assert expectation(lambda u: np.tanh(u) ** 2, mean, std) == pytest.approx(
            hermite, rel=1e-13
        )


@pytest.mark.parametrize("q", [1e-6, 0.5, 10.0, 400.0])
def test_quadrature_resolves_narrow_features_at_large_q(q: float) -> None:
    def sech4(u: np.ndarray) -> np.ndarray:
        u = np.minimum(np.abs(u), 700)
        return (2 / (np.exp(np.abs(u)) + np.exp(-np.abs(u)))) ** 4  # underflows, never overflows

    reference = integrate.quad(
        lambda z: sech4(np.sqrt(q) * z) * np.exp(-z * z / 2) / math.sqrt(2 * math.pi),
        -12,
        12,
        points=[0.0],
        epsabs=0,
        epsrel=1e-13,
        limit=500,
    )[0]
    assert expectation(sech4, 0.0, math.sqrt(q)) == pytest.approx(reference, rel=1e-12)
    assert expectation(sech4, 0.0, math.sqrt(q), COARSE) == pytest.approx(reference, rel=1e-8)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("relu", {}),
        # The quadrature's panel edges lie at u = 0 and +-2^k: so do these kinks.
        ("relu", {"negative_slope": 0.1, "max_value": 4.0, "threshold": -0.5}),
        ("relu", {"negative_slope": -0.3, "max_value": 0.5, "threshold": 1.0}),
        ("leaky_relu", {"negative_slope": 0.2}),
        ("prelu", {}),
        ("rrelu", {}),
        ("threshold", {"threshold": 0.5, "value": -2.0}),
        ("hardtanh", {}),
        ("hardtanh", {"min_val": -0.25, "max_val": 2.0}),
        ("hardtanh", {"min_val": 0.5, "max_val": 0.5}),  # a constant
        ("elu", {"alpha": 1.7}),
        ("selu", {}),
        ("celu", {"alpha": 0.4}),
        ("celu", {"alpha": 1e3}),  # q / alpha^2 is where elu's terms cancel
        ("identity", {}),
    ],
)
def test_closed_forms_match_quadrature(name: str, params: dict[str, float]) -> None:
    entry = numerics.get(name)
    assert entry.gaussian_moments is not None
    q = np.array([1e-30, 1e-12, 1e-4, 0.3, 1.0, 7.0, 60.0])
    value, slope = (
        entry.gaussian_moments.value(q, **params),
        entry.gaussian_moments.slope(q, **params),
    )
    for k, scale in enumerate(np.sqrt(q)):
        expected_value = expectation(lambda u: entry.forward(u, **params) ** 2, 0.0, scale)
        expected_slope = expectation(lambda u: entry.derivative(u, **params) ** 2, 0.0, scale)
        assert value[k] == pytest.approx(expected_value, rel=1e-11, abs=0)
        assert slope[k] == pytest.approx(expected_slope, rel=1e-11, abs=0)


def test_relu6_closed_form_matches_adaptive_quadrature() -> None:
    # Its kink at 6 falls inside a panel of the composite rule: integrate across it instead.
    entry = numerics.get("relu6")
    assert entry.gaussian_moments is not None and entry.derivative is not None
    pairs = [
        (entry.gaussian_moments.value, entry.forward),
        (entry.gaussian_moments.slope, entry.derivative),
    ]
    for q in [1e-4, 0.3, 7.0, 60.0]:
        scale = math.sqrt(q)
        kinks = [z for z in (0.0, 6 / scale) if z < 12]
        for closed, f in pairs:

            def integrand(
                z: float, f: Callable[..., np.ndarray] = f, scale: float = scale
            ) -> float:
                return float(f(np.array([scale * z]))[0]) ** 2 * math.exp(-z * z / 2)

            reference = integrate.quad(
                integrand, -12, 12, points=kinks, epsabs=0, epsrel=1e-13, limit=500
            )[0] / math.sqrt(2 * math.pi)
            assert closed(np.array([q]))[0] == pytest.approx(reference, rel=1e-12)


def test_rrelu_in_training_averages_over_its_random_slope() -> None:
    entry, leaky = numerics.get("rrelu"), numerics.get("leaky_relu")
    assert entry.gaussian_moments is not None
    params = entry.resolve({"training": True, "lower": 0.1, "upper": 0.6})
    nodes, weights = np.polynomial.legendre.leggauss(4)  # exact for E[a^2]
    slopes, weights = 0.35 + 0.25 * nodes, weights / 2
    for q in [0.3, 7.0]:
        scale = math.sqrt(q)
        value = sum(
            w * expectation(lambda u: leaky.forward(u, a) ** 2, 0.0, scale)  # noqa: B023
            for a, w in zip(slopes, weights, strict=True)
        )
        slope = sum(
            w * expectation(lambda u: leaky.derivative(u, a) ** 2, 0.0, scale)  # noqa: B023
            for a, w in zip(slopes, weights, strict=True)
        )
        assert entry.gaussian_moments.value(np.array([q]), **params)[0] == pytest.approx(value)
        assert entry.gaussian_moments.slope(np.array([q]), **params)[0] == pytest.approx(slope)


def test_relu_with_he_init_keeps_q_and_is_critical() -> None:
    relu = numerics.get("relu")
    q = meanfield.length_recursion(relu, {}, q_input=1.3, sigma_w2=[2.0] * 30, sigma_b2=[0.0] * 30)
    assert q == pytest.approx([2.6] * 30, rel=1e-14)
    theory = meanfield.analyse(relu, {}, sigma_w2=2.0, sigma_b2=0.0, q_start=2.6)
    assert theory.chi_1 == 1.0
    assert theory.q_star == 2.6
    assert theory.phase == "critical"
    assert theory.xi_c == math.inf


def test_tanh_at_zero_bias_is_critical_at_unit_weight_variance() -> None:
    tanh = numerics.get("tanh")
    theory = meanfield.analyse(tanh, {}, sigma_w2=1.0, sigma_b2=0.0)
    assert theory.q_star == 0.0
    assert theory.chi_1 == pytest.approx(1.0, abs=1e-15)
    assert theory.phase == "critical"
    assert meanfield.analyse(tanh, {}, sigma_w2=0.9, sigma_b2=0.0).phase == "ordered"
    assert meanfield.analyse(tanh, {}, sigma_w2=1.1, sigma_b2=0.0).phase == "chaotic"
    (point,) = meanfield.critical_line(tanh, {}, [0.0])
    # chi_1 touches 1 tangentially there, so the root is good to about sqrt(epsilon).
    assert point.sigma_w2 == pytest.approx(1.0, abs=1e-6)


def test_linear_network_with_unit_weight_variance_keeps_the_variance() -> None:
    identity = numerics.get("identity")
    q = meanfield.length_recursion(
        identity, {}, q_input=0.7, sigma_w2=[1.0] * 50, sigma_b2=[0.0] * 50
    )
    assert q == [0.7] * 50
    assert meanfield.analyse(identity, {}, sigma_w2=1.0, sigma_b2=0.0).chi_1 == 1.0


def test_critical_line_is_where_chi_1_is_one() -> None:
    tanh = numerics.get("tanh")
    points = meanfield.critical_line(tanh, {}, [0.01, 0.05, 0.3])
    previous = 1.0
    for point in points:
        assert point.sigma_w2 is not None and point.q_star is not None
        assert point.sigma_w2 > previous  # more bias needs more weight variance
        previous = point.sigma_w2
        theory = meanfield.analyse(tanh, {}, sigma_w2=point.sigma_w2, sigma_b2=point.sigma_b2)
        assert theory.chi_1 == pytest.approx(1.0, abs=1e-9)
        assert theory.q_star == pytest.approx(point.q_star, rel=1e-9)
    relu = meanfield.critical_line(numerics.get("relu"), {}, [0.0, 0.5])
    assert [p.sigma_w2 for p in relu] == [2.0, 2.0]


@pytest.mark.parametrize("expression", ["sqrt(x)", "log(x)", "x ** x", "where(x < 0, 0 / 0, x)"])
def test_no_critical_point_where_the_theory_is_undefined(expression: str) -> None:
    """Not real below 0, these leave E[phi^2] or E[phi'^2] NaN: brentq, given a NaN, raised
    (a 500 for the critical line); there is no edge of chaos to find."""
    activation = formula(expression, {}, limits=FormulaLimits()).activation
    points = meanfield.critical_line(activation, {}, [0.0, 0.5])
    assert [(p.sigma_w2, p.q_star) for p in points] == [(None, None), (None, None)]


def test_fixed_point_is_a_fixed_point_and_phases_follow_chi_1() -> None:
    sigmoid = numerics.get("sigmoid")
    theory = meanfield.analyse(sigmoid, {}, sigma_w2=4.0, sigma_b2=0.2)
    second, slope = meanfield.moments(sigmoid, {}, np.array([theory.q_star]))
    assert 4.0 * second[0] + 0.2 == pytest.approx(theory.q_star, rel=1e-12)
    assert theory.chi_1 == pytest.approx(4.0 * slope[0], rel=1e-15)
    assert theory.phase == "ordered" and theory.chi_1 < 1
    assert theory.xi_c == pytest.approx(-1 / math.log(theory.chi_1))
    chaotic = meanfield.analyse(numerics.get("tanh"), {}, sigma_w2=4.0, sigma_b2=0.0)
    assert chaotic.phase == "chaotic" and chaotic.chi_1 > 1
    assert chaotic.xi_c is not None and 0 < chaotic.xi_c < math.inf


def test_a_layer_that_passes_no_gradient_has_none_below_it() -> None:
    """0 below a layer whose slopes are all 0, however large the moment above (an infinity
    there is one too large for a float), and below a zero moment: the product of 0 and an
    infinity would be NaN, with numpy's warning."""
    step = numerics.get("binary_step")  # f' = 0: E[f'^2] is 0 at every q
    params = step.resolve({})
    for last in (math.inf, 1.0, 0.0):
        predicted = meanfield.gradient_recursion(
            step, params, q=[1.0, 1.0, 1.0], sigma_w2=[2.0, 2.0, 2.0], widths=[4, 4, 4], last=last
        )
        assert predicted == [0.0, 0.0, last]
    exponential = numerics.get("exponential")  # E[f'^2] = e^(2q): infinite for a huge q
    grown = meanfield.gradient_recursion(
        exponential,
        exponential.resolve({}),
        q=[1e300, 1e300, 1e300],
        sigma_w2=[1.0, 1.0, 1.0],
        widths=[4, 4, 4],
        last=0.0,
    )
    assert grown == [0.0, 0.0, 0.0]
