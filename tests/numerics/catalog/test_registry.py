"""The registry is data: every entry complete, parameters declared once and matching the code."""

from __future__ import annotations

import inspect
import subprocess
import sys

import numpy as np
import pytest

from service import numerics

ENTRIES = list(numerics.ACTIVATIONS.values())
ELEMENTWISE = [entry for entry in ENTRIES if not entry.axiswise]
LIBRARIES = {"torch": "torch.", "keras": "keras.", "jax": "jax."}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_entry_is_complete(entry: numerics.Activation) -> None:
    assert entry.formula.startswith("f(x")
    assert entry.facts.references or entry.follows
    assert entry.family and entry.follows
    assert entry.forward.__doc__, "the forward's docstring states the formula"
    assert all(p.description for p in entry.parameters)
    if entry.axiswise:
        assert entry.derivative is None and entry.second_derivative is None
        assert entry.derivative_formula.startswith(r"\nabla_x =")
        assert entry.parameters[0].name == "axis" and entry.parameters[0].default == -1
    else:
        assert entry.derivative is not None and entry.second_derivative is not None
        assert entry.derivative_formula.startswith("f'(x) =")
        assert entry.second_derivative_formula.startswith("f''(x) =")
        assert not entry.halves_axis


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_equivalents_name_real_calls_and_say_whose_defaults(entry: numerics.Activation) -> None:
    libraries = [e.library for e in entry.equivalents]
    assert len(libraries) == len(set(libraries)), "one equivalent per library"
    for equivalent in entry.equivalents:
        assert LIBRARIES[equivalent.library] in equivalent.call
    native = [e for e in entry.equivalents if "not an activation" not in e.differs]
    if any(e.library == "torch" and "composition" not in e.differs for e in native):
        assert entry.follows.startswith("PyTorch"), (
            "defaults follow PyTorch where it has the function"
        )
    if not native:
        assert "no " in entry.follows, "an entry no library has says so"


def _signature_defaults(function: object, skip: int) -> dict[str, object] | None:
    """The keyword defaults after the first ``skip`` arguments; None for a ``**params`` helper."""
    parameters = list(inspect.signature(function).parameters.values())  # type: ignore[arg-type]
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return {p.name: p.default for p in parameters[skip:]}


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_parameters_match_the_function_signatures(entry: numerics.Activation) -> None:
    declared = {p.name: p.default for p in entry.parameters}
    functions = [(entry.forward, 1), (entry.derivative, 1), (entry.second_derivative, 1)]
    functions.append((entry.vjp, 2))  # x and grad_output come first
    for function, skip in functions:
        if function is None:
            continue
        defaults = _signature_defaults(function, skip)
        assert defaults in (None, declared), (
            f"{function.__name__} disagrees with the declared parameters"
        )


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_gaussian_moments_take_the_declared_parameters(entry: numerics.Activation) -> None:
    declared = {p.name: p.default for p in entry.parameters}
    moments = entry.gaussian_moments
    for function in (moments.value, moments.slope) if moments else ():
        parameters = inspect.signature(function).parameters.values()
        named = {p.name: p.default for p in parameters if p.default is not p.empty}
        assert named == declared, f"{function.__name__} disagrees with the declared parameters"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_defaults_are_within_their_bounds(entry: numerics.Activation) -> None:
    assert entry.resolve({}) == {p.name: p.default for p in entry.parameters}
    for parameter in entry.parameters:
        assert parameter.validate(parameter.default) == parameter.default


def test_ordered_parameters_refuse_a_high_below_its_low() -> None:
    """hardtanh's bounds and rrelu's slopes, as PyTorch refuses them: min_val = max_val (a
    constant) stays allowed, from JSON values and from a query string alike."""
    hardtanh, rrelu = numerics.get("hardtanh"), numerics.get("rrelu")
    with pytest.raises(numerics.InvalidParameter, match=r"max_val.*at least min_val") as error:
        hardtanh.resolve({"min_val": 1.0, "max_val": -1.0})
    assert error.value.name == "max_val"
    with pytest.raises(numerics.InvalidParameter, match="max_val"):
        hardtanh.resolve({"min_val": 2.0})  # against the default max_val, 1
    with pytest.raises(numerics.InvalidParameter, match=r"upper.*at least lower"):
        rrelu.resolve_text({"lower": "0.5", "upper": "0.25"})
    assert hardtanh.resolve({"min_val": 0.5, "max_val": 0.5})["max_val"] == 0.5
    assert rrelu.resolve({"lower": 0.2, "upper": 0.2})["upper"] == 0.2


def _kinks(entry: numerics.Activation) -> list[float]:
    """Where the derivatives of ``entry`` might jump with its default parameters."""
    points = [0.0, 1.0, -1.0, 3.0, -3.0, 6.0]
    for parameter in entry.parameters:
        if isinstance(parameter.default, float) and abs(parameter.default) < 1e6:
            points += [parameter.default, -parameter.default]
    return points


@pytest.mark.parametrize("entry", ELEMENTWISE, ids=lambda e: e.name)
def test_kinks_are_stated_where_a_derivative_jumps(entry: numerics.Activation) -> None:
    params = entry.resolve({})
    for point in _kinks(entry):
        x = np.array([point - 1e-9 * max(1, abs(point)), point, point + 1e-9 * max(1, abs(point))])
        outputs = numerics.evaluate(
            entry, x, params=params, outputs=["gradient", "second_derivative"]
        )
        for name, slope in outputs.items():
            if not np.isclose(slope[0], slope[2], rtol=1e-6, atol=1e-6):
                assert entry.kink, f"{entry.name}'s {name} jumps at {point} but no kink is stated"


def test_aliases_point_at_entries_and_shadow_none() -> None:
    for alias, target in numerics.ACTIVATIONS.aliases.items():
        assert target in numerics.ACTIVATIONS
        assert alias not in numerics.ACTIVATIONS
        assert numerics.get(alias) is numerics.ACTIVATIONS[target]


def test_unknown_names_suggest_close_ones() -> None:
    with pytest.raises(numerics.UnknownActivation) as caught:
        numerics.get("tanhh")
    assert caught.value.suggestions[0] == "tanh"


def test_kink_conventions_follow_pytorch() -> None:
    zero = np.zeros(1)

    def slope_at_zero(name: str, **params: object) -> float:
        entry = numerics.get(name)
        return float(
            numerics.evaluate(entry, zero, params=entry.resolve(params), outputs=["gradient"])[
                "gradient"
            ][0]
        )

    def slope_at(name: str, x: float, **params: object) -> float:
        entry = numerics.get(name)
        point = np.array([x])
        result = numerics.evaluate(entry, point, params=entry.resolve(params), outputs=["gradient"])
        return float(result["gradient"][0])

    assert slope_at_zero("relu") == 0.0
    assert slope_at_zero("leaky_relu", negative_slope=0.3) == 0.3
    assert slope_at_zero("elu", alpha=2.5) == 2.5
    assert slope_at_zero("prelu") == 0.25
    assert slope_at("relu6", 6.0) == 0.0
    assert slope_at("hardtanh", 1.0) == slope_at("hardtanh", -1.0) == 0.0
    assert slope_at("hard_swish", -3.0) == -0.5
    assert slope_at("hard_swish", 3.0) == 1.5
    assert slope_at("hard_sigmoid", 3.0) == 0.0
    assert slope_at("softshrink", 0.5) == slope_at("hardshrink", -0.5) == 0.0
    assert slope_at("threshold", 1.5, threshold=1.5, value=7.0) == 0.0


def test_the_core_imports_no_web_framework() -> None:
    code = (
        "import sys, service.numerics as n, service.numerics.networks.simulation; n.get('gelu');"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in"
        " {'fastapi', 'pydantic', 'starlette', 'uvicorn', 'httpx', 'orjson'});"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
