"""What the service answers, as frozen dataclasses mirroring its JSON (the OpenAPI schemas of
the same names); property bags that the service describes in full stay dictionaries.

Numbers the JSON writes as "Infinity", "-Infinity" or "NaN" (it has no non-finite numbers) are
floats again here.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, TypeVar

__all__ = [
    "ActivationSummary",
    "ComparisonRow",
    "CriticalLine",
    "CriticalPoint",
    "Description",
    "GradientFlow",
    "Jacobian",
    "Layer",
    "Parameter",
    "Summary",
    "Theory",
    "TrainingStep",
    "build",
    "comparison_from_json",
]

ParamValue = float | int | bool | str
_T = TypeVar("_T")


@cache
def _float_fields(cls: Any) -> frozenset[str]:
    """The fields of ``cls`` that hold a float (or a list of them): where "Infinity" may come."""
    found = set()
    for name, hint in typing.get_type_hints(cls).items():
        arguments = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        nested = [a for h in arguments for a in (typing.get_args(h) or (h,))]
        if float in nested:
            found.add(name)
    return frozenset(found)


_NON_FINITE = {"Infinity": math.inf, "-Infinity": -math.inf, "NaN": math.nan}


def _number(value: Any) -> Any:
    if isinstance(value, str):
        return _NON_FINITE.get(value, value)
    if isinstance(value, list):
        return [_number(v) for v in value]
    return value


def build(cls: type[_T], data: Mapping[str, Any], **nested: Any) -> _T:
    """``cls`` from the members of ``data`` it declares (others, added later, are ignored)."""
    floats = _float_fields(typing.cast(Hashable, cls))
    values = {
        f.name: _number(data[f.name]) if f.name in floats else data[f.name]
        for f in fields(cls)  # type: ignore[arg-type]
        if f.name not in nested
    }
    return cls(**values, **nested)


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str
    type: str
    default: ParamValue
    description: str
    minimum: float | None
    maximum: float | None
    exclusive_minimum: bool
    exclusive_maximum: bool
    choices: list[str] | None


@dataclass(frozen=True, slots=True)
class ActivationSummary:
    """An entry of the catalog, as GET /api/v1/activations lists it."""

    name: str
    aliases: list[str]
    family: str
    kind: str
    halves_axis: bool
    formula: str
    derivative_formula: str
    second_derivative_formula: str | None
    kink: str
    reference: str
    follows: str
    equivalents: list[dict[str, str]]
    parameters: list[Parameter]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ActivationSummary:
        return build(cls, data, parameters=[build(Parameter, p) for p in data["parameters"]])


@dataclass(frozen=True, slots=True)
class Description:
    """Everything about one activation (GET /api/v1/activations/{name}): ``properties`` as
    measured for ``params`` (None for an axis-wise one, ``properties_note`` saying why)."""

    name: str
    aliases: list[str]
    family: str
    kind: str
    language: str
    description: str | None
    params: dict[str, ParamValue]
    formula: str
    derivative_formula: str
    second_derivative_formula: str | None
    kink: str
    follows: str
    equivalents: list[dict[str, str]]
    parameters: list[Parameter]
    properties: dict[str, Any] | None
    properties_note: str | None
    declared: dict[str, Any]
    initialisation: dict[str, Any]
    pros: list[str]
    cons: list[str]
    identities: list[str]
    references: list[dict[str, Any]]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Description:
        return build(cls, data, parameters=[build(Parameter, p) for p in data["parameters"]])


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    name: str
    family: str
    properties: dict[str, Any]
    initialisation: str | None
    gain: float | None


@dataclass(frozen=True, slots=True)
class Layer:
    layer: int
    width: int
    sigma_w2: float
    sigma_b2: float
    preact_mean: float
    preact_std: float
    preact_second_moment: float
    act_mean: float
    act_std: float
    saturated_fraction: float
    inactive_fraction: float
    dead_fraction: float
    grad_preact_rms: float
    grad_weight_rms: float
    grad_weight_to_weight_norm: float
    sign_coherence: float
    theory_preact_second_moment: float
    theory_grad_preact_rms: float
    theory_chi: float


@dataclass(frozen=True, slots=True)
class Summary:
    gradient_ratio: float
    theory_gradient_ratio: float
    verdict: str
    scheme: str
    gain: float | None
    sigma_w2: float
    sigma_b2: float
    max_slope: float


@dataclass(frozen=True, slots=True)
class Theory:
    q_star: float
    chi_1: float
    phase: str | None
    xi_q: float
    xi_c: float | None


@dataclass(frozen=True, slots=True)
class Jacobian:
    singular_values: list[float]
    mean_squared: float
    theory_mean_squared: float


@dataclass(frozen=True, slots=True)
class TrainingStep:
    step: int
    loss: float
    dead_fraction: list[float]
    inactive_fraction: list[float]
    saturated_fraction: list[float]
    preact_std: list[float]
    grad_preact_rms: list[float]
    grad_weight_to_weight_norm: list[float]


@dataclass(frozen=True, slots=True)
class GradientFlow:
    """A simulated network's per-layer statistics beside mean-field theory."""

    activation: str
    params: dict[str, ParamValue]
    dtype: str
    seed: int
    loss: str
    widths: list[int]
    batch: int
    layers: list[Layer]
    summary: Summary
    theory: Theory
    jacobian: Jacobian | None
    training: list[TrainingStep] | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> GradientFlow:
        return build(
            cls,
            data,
            layers=[build(Layer, layer) for layer in data["layers"]],
            summary=build(Summary, data["summary"]),
            theory=build(Theory, data["theory"]),
            jacobian=None if data["jacobian"] is None else build(Jacobian, data["jacobian"]),
            training=None
            if data["training"] is None
            else [build(TrainingStep, step) for step in data["training"]],
        )


@dataclass(frozen=True, slots=True)
class CriticalPoint:
    sigma_b2: float
    sigma_w2: float | None
    q_star: float | None


@dataclass(frozen=True, slots=True)
class CriticalLine:
    """sigma_w^2 at the edge of chaos (chi_1 = 1) for each sigma_b^2."""

    activation: str
    params: dict[str, ParamValue]
    q_start: float
    points: list[CriticalPoint]

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CriticalLine:
        return build(cls, data, points=[build(CriticalPoint, p) for p in data["points"]])


def comparison_from_json(data: Mapping[str, Any]) -> list[ComparisonRow]:
    return [build(ComparisonRow, row) for row in data["activations"]]
