"""Every stated property agrees with what the function does, and every declared fact with both.

The checks evaluate f and f' on points of their own (random, and logarithmic out to 1e300),
never on the grid the measurement used, and compare numbers with mpmath.
"""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import pytest

from service import numerics
from service.numerics.analysis.properties import Properties, measure
from service.numerics.analysis.smoothness import detected_class
from service.numerics.catalog.entry import Activation
from service.numerics.catalog.facts import Facts, Initialisation, declared
from service.numerics.catalog.rectifiers.elu import elu, elu_derivative
from service.numerics.catalog.sigmoidal.sigmoid import sigmoid, sigmoid_derivative
from service.numerics.types import Interval
from tests.conftest import kinks_of
from tests.numerics.catalog.mp_references import FREQUENCIES, REFERENCES

EPS = float(np.finfo(np.float64).eps)
# Parameters where a declared fact takes another branch: a jump becomes a kink, a kink goes,
# a range end opens, closes or moves, a function degenerates to a constant.
EXTRA: dict[str, list[dict[str, Any]]] = {
    "elu": [{"alpha": -1.0}, {"alpha": 0.0}],
    "leaky_relu": [{"negative_slope": 1.0}, {"negative_slope": 0.0}],
    "relu": [{"max_value": 0.0}],
    "threshold": [{"threshold": 1.0, "value": 3.0}, {"threshold": 2.0, "value": 2.0}],
    "hardtanh": [{"min_val": 1.0, "max_val": 1.0}],
    "xielu": [{"alpha_p": 0.4, "alpha_n": 0.8, "eps": 0.0}, {"beta": -0.5}],
    "softshrink": [{"lambd": 0.0}],
    "sin": [{"w0": 0.0}],
}
# Axis-wise entries have no scalar f(x) to measure; test_axiswise.py checks what holds of them.
ELEMENTWISE = [name for name, entry in numerics.ACTIVATIONS.items() if not entry.axiswise]
CASES = [
    (name, dict(params))
    for name in ELEMENTWISE
    for params in [{}, *numerics.get(name).variants, *EXTRA.get(name, [])]
]
IDS = [f"{name}{params or ''}" for name, params in CASES]


def _measured(name: str, params: dict[str, Any]) -> tuple[Activation, dict[str, Any], Properties]:
    entry = numerics.get(name)
    resolved = entry.resolve(params)
    return entry, resolved, measure(entry, resolved)


def _points(properties: Properties) -> np.ndarray:
    """Check points of our own, plus both sides of every discontinuity the measurement states."""
    rng = np.random.default_rng(5)
    wide = np.logspace(-10, 300, 3001)
    around = [d.x for d in properties.discontinuities]
    around += [np.nextafter(x, sign * np.inf) for x in around for sign in (-1, 1)]
    return np.unique(np.concatenate((rng.uniform(-50, 50, 20_001), wide, -wide, [0.0], around)))


def _f(
    entry: Activation, params: dict[str, Any], x: np.ndarray, derivative: bool = False
) -> np.ndarray:
    out = numerics.evaluate(
        entry, x, params=params, outputs=["gradient" if derivative else "value"]
    )
    return next(iter(out.values()))


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_declared_continuity_is_what_the_detector_finds(name: str, params: dict[str, Any]) -> None:
    _, resolved, properties = _measured(name, params)
    stated = declared(numerics.get(name).facts.continuity, resolved)
    # The detector sees jumps of f, f' and f'' only: "2" stands for C^2 or smoother.
    assert detected_class(properties.discontinuities) == min(stated, 2)


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_every_discontinuity_found_is_a_declared_kink(name: str, params: dict[str, Any]) -> None:
    _, resolved, properties = _measured(name, params)
    stated = set(declared(numerics.get(name).facts.kinks, resolved))
    assert {d.x for d in properties.discontinuities} <= stated


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_declared_range_is_the_measured_range(name: str, params: dict[str, Any]) -> None:
    _, resolved, properties = _measured(name, params)
    stated, got = declared(numerics.get(name).facts.range, resolved), properties.range
    assert (got.low_closed, got.high_closed) == (stated.low_closed, stated.high_closed)
    assert got.low == pytest.approx(stated.low, rel=1e-12, abs=1e-300)
    assert got.high == pytest.approx(stated.high, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize(
    "identity",
    [i for entry in numerics.ACTIVATIONS.values() for i in entry.facts.identities],
    ids=lambda i: i.formula,
)
def test_identities_hold(identity: Any) -> None:
    assert identity.worst_error() <= 8 * EPS


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_torch_gains_are_what_torch_computes(name: str, params: dict[str, Any]) -> None:
    torch = pytest.importorskip("torch")
    entry = numerics.get(name)
    resolved, initialisation = entry.resolve(params), entry.facts.initialisation
    if initialisation.gain is None:
        assert not initialisation.gain_call
        return
    # The call names the entry's parameters, e.g. calculate_gain('leaky_relu', negative_slope).
    want = eval(initialisation.gain_call, {"torch": torch, **resolved})
    assert declared(initialisation.gain, resolved) == pytest.approx(want, rel=1e-15)


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_range_monotonicity_and_dead_zones_agree_with_the_function(
    name: str, params: dict[str, Any]
) -> None:
    entry, resolved, p = _measured(name, params)
    x = _points(p)
    y, dy = _f(entry, resolved, x), _f(entry, resolved, x, derivative=True)
    assert np.all((y >= p.range.low) & (y <= p.range.high))
    # An open end is never taken; only a limit at infinity may be, by values that round to it
    # (sigmoid(40) is 1.0), and not where |x| <= 1.
    moderate = np.abs(x) <= 1
    for end, closed, beyond in (
        (p.range.low, p.range.low_closed, -1),
        (p.range.high, p.range.high_closed, 1),
    ):
        if not closed:
            where = moderate if end in p.limits else slice(None)
            assert np.all(beyond * (y[where] - end) < 0)
    for end in (p.range.low, p.range.high):
        if np.isfinite(end):
            assert np.min(np.abs(y - end)) <= 1e-4 * max(1.0, abs(end)), "the end is approached"
    assert p.bounded_below == bool(np.isfinite(p.range.low))
    assert p.bounded_above == bool(np.isfinite(p.range.high))

    steps = np.diff(y[np.isfinite(y)])
    if p.monotonic == "constant":
        assert np.all(steps == 0)
    elif p.monotonic in ("increasing", "non-decreasing"):
        assert np.all(steps >= 0)
    elif p.monotonic in ("decreasing", "non-increasing"):
        assert np.all(steps <= 0)
    else:
        assert np.any(steps < 0) and np.any(steps > 0)
    dy = dy[np.isfinite(dy)]
    slope_steps = np.diff(dy)
    noise = 16 * EPS * np.maximum(np.abs(dy[1:]), np.abs(dy[:-1]))
    if p.slope_monotonic == "non-decreasing":
        assert np.all(slope_steps >= -noise)
    elif p.slope_monotonic is None:
        assert np.any(slope_steps < -noise) and np.any(slope_steps > noise)

    for zone in p.dead_zones:
        inside = x[[zone.contains(float(t)) for t in x]]
        assert inside.size and np.all(_f(entry, resolved, inside, derivative=True) == 0)
        for edge, outwards in ((zone.low, -1), (zone.high, 1)):
            if np.isfinite(edge):
                probe = np.array([edge + outwards * 1e-6 * max(1.0, abs(edge))])
                assert _f(entry, resolved, probe, derivative=True)[0] != 0
    if p.monotonic == "increasing":
        assert not p.dead_zones


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_slopes_and_saturation_agree_with_the_function(name: str, params: dict[str, Any]) -> None:
    entry, resolved, p = _measured(name, params)
    x = _points(p)
    size = np.abs(_f(entry, resolved, x, derivative=True))
    top = p.max_abs_slope.value
    assert np.all(size <= top * (1 + 4 * EPS))
    at = p.max_abs_slope.at
    if top == np.inf:
        far, farther = (
            np.abs(_f(entry, resolved, np.array([-t, t]), derivative=True)) for t in (1e100, 1e300)
        )
        assert np.max(farther) >= np.max(far) > 1e90, "|f'| grows without bound"
    elif at is None:
        tail = np.abs(_f(entry, resolved, np.array([-1e300, 1e300]), derivative=True))
        assert np.max(tail) == pytest.approx(top, rel=1e-12)
    else:
        inside = np.array([at.low if at.low_closed else np.nextafter(at.low, np.inf)])
        assert abs(_f(entry, resolved, inside, derivative=True)[0]) == pytest.approx(
            top, rel=4 * EPS
        )

    for edge, side in ((p.saturates_below, -1), (p.saturates_above, 1)):
        far = _f(entry, resolved, np.array([side * 1e300]), derivative=True)[0]
        if not 0 < top < np.inf:
            assert edge is None, "saturation is relative to a positive, finite max |f'|"
            continue
        if edge is None:
            assert abs(far) > 1e-12 * top, "f' does not tend to 0 on this side"
            continue
        beyond = x[(x - edge) * side > 0]
        assert np.all(np.abs(_f(entry, resolved, beyond, derivative=True)) < 0.01 * top)
        near = np.linspace(edge, edge - side * 1e-6 * max(1.0, abs(edge)), 11)
        assert np.max(np.abs(_f(entry, resolved, near, derivative=True))) >= 0.01 * top


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_values_and_extrema_agree_with_mpmath(name: str, params: dict[str, Any]) -> None:
    entry, resolved, p = _measured(name, params)
    f, df, _ = REFERENCES[name](**resolved)
    assert p.value_at_zero == pytest.approx(float(f(mpmath.mpf(0))), rel=4 * EPS, abs=1e-300)
    assert p.slope_at_zero == pytest.approx(float(df(mpmath.mpf(0))), rel=4 * EPS, abs=1e-300)
    zero = np.array([-1e-9, 0.0, 1e-9])
    near_identity = (
        p.value_at_zero == 0
        and p.slope_at_zero == 1
        and np.allclose(_f(entry, resolved, zero, derivative=True), 1, rtol=1e-6)
    )
    assert p.identity_near_origin == near_identity

    x = _points(p)
    y = _f(entry, resolved, x)
    for extreme, sign in ((p.global_minimum, 1), (p.global_maximum, -1)):
        if extreme is None:
            assert not (p.range.low_closed if sign > 0 else p.range.high_closed)
            continue
        assert np.all(sign * y >= sign * extreme.value - 4 * EPS * abs(extreme.value))
        assert extreme.at is not None
        if extreme.at.low == extreme.at.high:
            point = mpmath.mpf(extreme.at.low)
            assert extreme.value == pytest.approx(float(f(point)), rel=4 * EPS, abs=1e-300)
            if not any(d.x == extreme.at.low for d in p.discontinuities):
                step = mpmath.mpf(1e-7)
                assert sign * df(point - step) < 0 < sign * df(point + step)


def _mp_moments(
    name: str, resolved: dict[str, Any], breaks: list[float], scale: float = 1.0
) -> tuple[float, float]:
    """E f(scale z) and Var f(scale z), z ~ N(0, 1), by mpmath's quadrature split at ``breaks``."""
    f, _, _ = REFERENCES[name](**resolved)
    inner = sorted({mpmath.mpf(b) / scale for b in breaks if abs(b) < 40 * scale})
    points = [-mpmath.inf, *inner, mpmath.inf]
    with mpmath.workdps(25):
        first = mpmath.quad(lambda z: f(scale * z) * mpmath.npdf(z), points)
        second = mpmath.quad(lambda z: (f(scale * z) - first) ** 2 * mpmath.npdf(z), points)
    return float(first), float(second)


def _breaks(name: str, resolved: dict[str, Any], p: Properties) -> list[float]:
    """Where f is not smooth (0, the known kinks of mp_reference, what the detector found),
    and for a periodic f a point every half period, so that mpmath sees every oscillation."""
    known = [sign * k for k in kinks_of(numerics.get(name)) for sign in (-1, 1)]
    frequency = abs(resolved[FREQUENCIES[name]]) if name in FREQUENCIES else 0.0
    periods = list(np.arange(-12, 12, 1.5 / frequency)) if frequency > 1 else []
    return [0.0, *known, *(d.x for d in p.discontinuities), *periods]


@pytest.mark.parametrize(("name", "params"), CASES, ids=IDS)
def test_gaussian_moments_agree_with_mpmath(name: str, params: dict[str, Any]) -> None:
    _, resolved, p = _measured(name, params)
    mean, variance = _mp_moments(name, resolved, _breaks(name, resolved, p))
    assert p.gaussian_mean == pytest.approx(mean, rel=1e-12, abs=1e-15)
    assert p.gaussian_variance == pytest.approx(variance, rel=1e-12, abs=1e-15)
    assert p.zero_centred == (abs(mean) <= 0.01 * (mean**2 + variance) ** 0.5)
    if abs(mean) > 1e-6 or abs(variance - 1) > 1e-6:
        assert not p.self_normalising
        return
    # At the fixed point (0, 1): attracting when the moment map's Jacobian there has norm < 1.
    step = 1e-4
    up = _mp_moments(name, resolved, _breaks(name, resolved, p), scale=(1 + step) ** 0.5)
    down = _mp_moments(name, resolved, _breaks(name, resolved, p), scale=(1 - step) ** 0.5)
    norm = float(np.hypot(*((u - d) / (2 * step) for u, d in zip(up, down, strict=True))))
    assert p.self_normalising == (norm < 1 - 1e-6)


def test_gelu_minimum_is_found_to_the_last_digits() -> None:
    _, _, p = _measured("gelu", {})
    with mpmath.workdps(40):
        x = mpmath.findroot(lambda t: mpmath.ncdf(t) + t * mpmath.npdf(t), -0.75)
        value = x * mpmath.ncdf(x)
    assert p.global_minimum is not None and p.global_minimum.at is not None
    assert p.global_minimum.at.low == pytest.approx(float(x), rel=4 * EPS)
    assert p.global_minimum.value == pytest.approx(float(value), rel=2 * EPS)


def _entry(name: str, forward: Any, derivative: Any) -> Activation:
    return Activation(
        name=name,
        forward=forward,
        derivative=derivative,
        formula="",
        derivative_formula="",
        follows="",
        facts=Facts(
            continuity=0, range=Interval.point(0.0), cost="exp", initialisation=Initialisation(None)
        ),
    )


def test_silu_minimum_is_where_mpmath_puts_it() -> None:
    silu = _entry(
        "silu",
        lambda x: x * sigmoid(x),
        lambda x: sigmoid(x) + x * sigmoid_derivative(x),
    )
    p = measure(silu, {})
    with mpmath.workdps(40):
        sig = lambda t: 1 / (1 + mpmath.exp(-t))  # noqa: E731
        x = mpmath.findroot(lambda t: sig(t) * (1 + t * (1 - sig(t))), -1.28)
    assert p.global_minimum is not None and p.global_minimum.at is not None
    assert p.global_minimum.at.low == pytest.approx(float(x), rel=1e-14)
    assert p.global_minimum.value == pytest.approx(float(x * sig(x)), rel=2 * EPS)
    assert round(p.global_minimum.value, 6) == -0.278465


def test_selu_is_self_normalising_and_the_identity_is_not() -> None:
    # Klambauer et al.'s constants make (0, 1) an attracting fixed point of the moment map.
    scale, alpha = 1.0507009873554804934193349852946, 1.6732632423543772848170429916717
    selu = _entry(
        "selu",
        lambda x: scale * elu(x, alpha),
        lambda x: scale * elu_derivative(x, alpha),
    )
    p = measure(selu, {})
    assert abs(p.gaussian_mean) < 1e-9 and abs(p.gaussian_variance - 1) < 1e-9
    assert p.self_normalising
    # Mean 0 and variance 1 too, but a perturbed variance never returns: not attracting.
    identity = measure(numerics.get("identity"), {})
    assert identity.gaussian_variance == pytest.approx(1.0) and not identity.self_normalising


def test_softplus_switch_is_a_measured_step() -> None:
    _, resolved, p = _measured("softplus", {})
    step = -float(mpmath.log1p(mpmath.exp(-resolved["threshold"])))
    assert [(d.x, d.order) for d in p.discontinuities] == [(20.0, 0), (20.0, 1)]
    assert p.discontinuities[0].jump == pytest.approx(step, rel=1e-6)
    assert set(kinks_of(numerics.get("softplus"))) >= {d.x for d in p.discontinuities}


def test_results_are_cached_per_parameter_set() -> None:
    entry = numerics.get("elu")
    assert measure(entry, {"alpha": 1.0}) is measure(entry, {"alpha": 1.0})
    assert measure(entry, {"alpha": 1.0}) is not measure(entry, {"alpha": 2.0})
