"""The registry is data: every entry complete, parameters declared once and matching the code."""

from __future__ import annotations

import inspect
import subprocess
import sys

import numpy as np
import pytest

from service import numerics

ENTRIES = list(numerics.ACTIVATIONS.values())


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_entry_is_complete(entry: numerics.Activation) -> None:
    assert entry.formula.startswith("f(x) =")
    assert entry.derivative_formula.startswith("f'(x) =")
    assert entry.reference and entry.family
    assert entry.forward.__doc__, "the forward's docstring states the formula"
    if entry.parameters:
        assert all(p.description for p in entry.parameters)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_parameters_match_the_function_signatures(entry: numerics.Activation) -> None:
    declared = {p.name: p.default for p in entry.parameters}
    for function in (entry.forward, entry.derivative):
        signature = inspect.signature(function)
        defaults = {
            name: parameter.default for name, parameter in list(signature.parameters.items())[1:]
        }
        assert defaults == declared, f"{function.__name__} disagrees with the declared parameters"


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_gain_and_gaussian_moments_take_the_declared_parameters(entry: numerics.Activation) -> None:
    declared = {p.name: p.default for p in entry.parameters}
    functions = [entry.gain] if entry.gain else []
    if entry.gaussian_moments:
        functions += [entry.gaussian_moments.value, entry.gaussian_moments.slope]
    for function in functions:
        parameters = inspect.signature(function).parameters.values()
        if any(p.kind is p.VAR_KEYWORD for p in parameters):
            continue  # a fixed gain ignores the parameters
        named = {p.name: p.default for p in parameters if p.default is not p.empty}
        assert named == declared, f"{function.__name__} disagrees with the declared parameters"
    if entry.gain:
        assert entry.gain(**entry.resolve({})) > 0


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_defaults_are_within_their_bounds(entry: numerics.Activation) -> None:
    assert entry.resolve({}) == {p.name: p.default for p in entry.parameters}
    for parameter in entry.parameters:
        assert parameter.validate(parameter.default) == parameter.default


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_kinks_are_stated_where_the_derivative_jumps(entry: numerics.Activation) -> None:
    x = np.array([-1e-12, 0.0, 1e-12])
    slope = numerics.evaluate(entry, x, params=entry.resolve({}), outputs=["gradient"])["gradient"]
    if not np.isclose(slope[0], slope[2], rtol=1e-6, atol=1e-9):
        assert entry.kink, f"{entry.name}' jumps at 0 but no kink convention is stated"


def test_aliases_point_at_entries_and_shadow_none() -> None:
    for alias, target in numerics.ALIASES.items():
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

    assert slope_at_zero("relu") == 0.0
    assert slope_at_zero("leaky_relu", negative_slope=0.3) == 0.3
    assert slope_at_zero("elu", alpha=2.5) == 2.5


def test_the_core_imports_no_web_framework() -> None:
    code = (
        "import sys, service.numerics as n, service.numerics.simulation; n.get('gelu');"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in"
        " {'fastapi', 'pydantic', 'starlette', 'uvicorn', 'httpx', 'orjson'});"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
